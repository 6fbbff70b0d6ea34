"""Render every main screen of the desktop app from a demo vault into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

The vault, its passphrase and every name shown are synthetic (coachdesk demo)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from coachdesk.resources import default_policy_text
from coachdesk.services import caseload, demo_vault
from coachdesk.storage.keyslots import Argon2Params
from coachdesk.storage.vault import Vault
from coachdesk.ui.app import make_application
from coachdesk.ui.controller import AppController, unlock_info
from coachdesk.ui.main_window import CASELOAD, MainWindow
from coachdesk.ui.register_dialog import RegisterDialog
from coachdesk.ui.setup_wizard import SetupWizard
from coachdesk.ui.worker import VaultWorker

PASSPHRASE = "screenshots passphrase, demo only"
SIZE = (1200, 800)


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def grab(app: QApplication, widget: QWidget, path: Path) -> None:
    settle(app)
    widget.grab().save(str(path))
    print(f"  {path}")


def richest_participant(vault: Vault) -> str:
    """An open participant with goals, an inventory and outcomes, to show every tab with content."""
    best, score = "", -1
    for summary in caseload.caseload(vault, open_only=True)[:400]:
        p = caseload.load(vault, summary.id)
        value = (
            (len(p.goals) > 0)
            + (p.skills_inventory is not None)
            + (len(p.outcomes) > 0)
            + (len(p.employer_contacts) > 0)
        )
        if value > score and len(p.sessions) >= 4:
            best, score = p.id, value
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="coachdesk-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = make_application([sys.argv[0]])

    # First run: the setup wizard.
    wizard_controller = AppController(work / "new-vault", VaultWorker(synchronous=True))
    wizard = SetupWizard(wizard_controller)
    wizard.resize(*SIZE)
    wizard.show()
    grab(app, wizard, out / "setup-policy.png")
    wizard.next()
    grab(app, wizard, out / "setup-passphrase.png")
    wizard.close()

    vault, _ = Vault.create(work / "vault", PASSPHRASE, default_policy_text(), kdf=Argon2Params())
    demo_vault.fill(vault, 150, 7, date.today())
    controller = AppController(work / "vault", VaultWorker(synchronous=True))
    controller.worker.holder.vault = vault
    window = MainWindow(controller)
    window.resize(*SIZE)
    window.show()
    controller.has_keyring_slot = False
    window.unlock_page.show_locked("")
    grab(app, window, out / "unlock.png")

    controller.opened(unlock_info(vault))
    grab(app, window, out / "today.png")
    window.nav.setCurrentRow(CASELOAD)
    grab(app, window, out / "caseload.png")

    dialog = RegisterDialog(controller, window)
    dialog.show()
    grab(app, dialog, out / "register.png")
    dialog.close()

    window.open_participant(richest_participant(vault))
    tabs = window.record_page.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        name = tabs.tabText(index).replace("&", "").lower().replace(" ", "-")
        grab(app, window, out / f"record-{name}.png")

    window.lock_action.trigger()  # as Ctrl+L does
    grab(app, window, out / "locked.png")
    controller.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
