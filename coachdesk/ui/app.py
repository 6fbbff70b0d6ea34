"""Starting the desktop app: the application object, first-run setup or the unlock screen, and
`--smoke`, which reports the time from process start to the first painted frame."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from coachdesk import __version__, cli_secrets
from coachdesk.domain.errors import EXIT_IN_USE, CoachDeskError, VaultInUseError
from coachdesk.paths import APP_NAME
from coachdesk.resources import path as resource_path
from coachdesk.storage.layout import vault_exists
from coachdesk.ui.controller import AppController, unlock_info
from coachdesk.ui.worker import VaultHolder


def process_start_time() -> float:
    """When this process started, on the time.time() clock (falls back to now where unknown)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return _IMPORTED_AT


_IMPORTED_AT = time.time()


class FirstPaint(QObject):
    """Prints startup_ms and quits once `widget` has painted (the --smoke contract)."""

    def __init__(self, widget: QWidget, started: float) -> None:
        super().__init__(widget)
        self.started = started
        self.widget = widget
        self.done = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            # Let this paint finish, then report: the frame is on screen when the queue next runs.
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        print(f"startup_ms={round((time.time() - self.started) * 1000)}", flush=True)
        QApplication.instance().quit()  # type: ignore[union-attr]


def make_application(argv: list[str]) -> QApplication:
    QGuiApplication.setApplicationName(APP_NAME)
    QGuiApplication.setOrganizationName(APP_NAME)
    QGuiApplication.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName("coachdesk")  # the installed coachdesk.desktop: its icon on Wayland
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    app.setApplicationDisplayName(APP_NAME)
    icon = QIcon()
    for png in sorted(resource_path("icons").glob("coachdesk-*.png")):
        icon.addFile(str(png))
    app.setWindowIcon(icon)
    style = resource_path("style", "coachdesk.qss")
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def run(vault_dir: Path, smoke: bool = False, passphrase_file: Path | None = None) -> int:
    started = process_start_time()
    app = make_application(sys.argv[:1])
    from coachdesk.ui.main_window import MainWindow  # noqa: PLC0415 - after QApplication exists

    controller = AppController(vault_dir)
    window = MainWindow(controller)
    # Open at a comfortable size that still fits a small laptop screen.
    screen = app.primaryScreen().availableGeometry()
    hint = window.sizeHint()
    window.resize(min(hint.width(), int(screen.width() * 0.95)), min(hint.height(), int(screen.height() * 0.9)))
    exit_code = 0

    passphrase = cli_secrets.given_passphrase(passphrase_file) if smoke else None
    if not vault_exists(vault_dir):
        from coachdesk.ui.setup_wizard import SetupWizard  # noqa: PLC0415 - first run only

        wizard = SetupWizard(controller)
        wizard.finished.connect(lambda result: window.show() if result else app.quit())
        first: QWidget = wizard
    else:
        first = window

        def opened(has_keyring: bool) -> None:
            controller.has_keyring_slot = has_keyring
            window.unlock_page.show_locked("")
            if passphrase:
                window.unlock_page.passphrase.setText(passphrase)
                window.unlock_page.unlock_with_passphrase()

        def refused(exc: Exception) -> None:
            nonlocal exit_code
            if isinstance(exc, VaultInUseError):
                exit_code = EXIT_IN_USE
            message = exc.message if isinstance(exc, CoachDeskError) else str(type(exc).__name__)
            if smoke:
                print(f"coachdesk: {message}", file=sys.stderr)
            else:
                QMessageBox.critical(window, APP_NAME, message)
            app.exit(exit_code or 1)

        def open_vault(holder: VaultHolder) -> bool:
            from coachdesk.storage.vault import Vault  # noqa: PLC0415 - loaded on the worker, off the first frame

            holder.vault = Vault.open(vault_dir)
            return holder.vault.has_device_slot()

        controller.run_raw(open_vault, opened, refused)
    if smoke:
        if passphrase and first is window:
            # With a passphrase the smoke test measures up to the painted caseload.
            controller.unlocked.connect(window.find_participant)
            FirstPaint(window.caseload_page, started)
        else:
            FirstPaint(first, started)
    first.show()
    code = app.exec()
    controller.shutdown()
    return exit_code or code


__all__ = ["run", "unlock_info"]
