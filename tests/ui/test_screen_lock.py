"""The OS screen lock locks CoachDesk (security.md: "on OS screen lock … where Qt lets us see it").

Linux desktops announce the screen saver on the session D-Bus; the test starts a private session
bus with `dbus-run-session`, opens the app on an unlocked vault there, sends the screen saver's
ActiveChanged signal as the desktop would, and checks that the vault locked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from testkit import PASSPHRASE, ROOT, SUPPORT

CHILD = """
import subprocess, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from coachdesk.storage.vault import Vault
from coachdesk.ui.controller import AppController, unlock_info
from coachdesk.ui.main_window import MainWindow
from coachdesk.ui.worker import VaultWorker

app = QApplication([])
folder = Path(sys.argv[1])
controller = AppController(folder, VaultWorker(synchronous=True))
vault = Vault.open(folder)
vault.unlock_with_passphrase(sys.argv[2])
controller.worker.holder.vault = vault
window = MainWindow(controller)
window.show()
controller.opened(unlock_info(vault))
if not window.session_watcher.connected:
    print("NO-WATCHER")
    sys.exit(0)
assert controller.is_unlocked

def screen_saver_on():
    subprocess.run(["dbus-send", "--session", "--type=signal", "/org/freedesktop/ScreenSaver",
                    "org.freedesktop.ScreenSaver.ActiveChanged", "boolean:true"], check=True)

QTimer.singleShot(200, screen_saver_on)
QTimer.singleShot(2000, app.quit)
app.exec()
print("LOCKED" if not controller.is_unlocked and not vault.unlocked and window.stack.currentIndex() == 0 else "OPEN")
"""


@pytest.mark.skipif(
    shutil.which("dbus-run-session") is None or shutil.which("dbus-send") is None,
    reason="needs dbus-run-session and dbus-send (Debian package dbus)",
)
def test_screen_saver_locks_the_vault(vault_folder) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join([str(SUPPORT), str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        ["dbus-run-session", "--", sys.executable, "-c", CHILD, str(vault_folder.path), PASSPHRASE],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "LOCKED", result.stdout + result.stderr[-2000:]
