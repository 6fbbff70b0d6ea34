"""Backups: when the last one was made, "Back up now" to a folder the coach picks (a USB stick),
automatic backups into a folder keeping the last N, and restoring a backup into a new folder.

Every backup is written and then read back and checked with the key on the vault worker
(services/backups.py); the page shows progress while the database is copied."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.errors import CoachDeskError
from coachdesk.services import backups
from coachdesk.services.backups import BackupStatus
from coachdesk.ui.controller import AppController
from coachdesk.ui.formats import long_date


def card(*rows: QWidget | QHBoxLayout) -> QFrame:
    frame = QFrame()
    frame.setObjectName("syncCard")  # the Sync page's card: one look for "the state of things"
    layout = QVBoxLayout(frame)
    layout.setSpacing(6)
    for row in rows:
        if isinstance(row, QHBoxLayout):
            layout.addLayout(row)
        else:
            layout.addWidget(row)
    return frame


def wrapped(text: str = "", name: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


def button_row(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(8)
    for b in buttons:
        row.addWidget(b)
    row.addStretch(1)
    return row


def counted(n: int, one: str, many: str) -> str:
    """'1 day', '7 days' (Qt's %n plurals need a translation file, which the app does not ship)."""
    return f"{n} {one if n == 1 else many}"


def describe_last(status: BackupStatus, now: datetime) -> str:
    if status.last_at is None:
        return "No backup of this vault has been made yet."
    local = status.last_at.astimezone()
    days = max(0, (now - status.last_at).days)
    ago = "today" if days == 0 else ("yesterday" if days == 1 else f"{days} days ago")
    return f"The last backup was made {ago}, {long_date(local.date())} at {local:%H:%M}."


class BackupsTab(QWidget):
    restored = Signal(str)  # the folder a backup was restored into
    backed_up = Signal()

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.status: BackupStatus | None = None
        self.restore_dialog: QWidget | None = None

        self.last_label = wrapped(name="syncHeadline")
        self.last_label.setAccessibleName(self.tr("When the last backup was made"))
        self.policy_label = wrapped(name="smallPrint")
        self.now_button = QPushButton(self.tr("Back up &now…"))
        self.now_button.setToolTip(self.tr("Write an encrypted backup to a folder you choose, e.g. a USB stick"))
        self.now_button.clicked.connect(self.back_up_now)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Backup progress"))
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.activity = wrapped()
        self.activity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.activity.hide()
        self.problem = wrapped(name="calmError")
        self.problem.hide()

        self.auto_label = wrapped()
        self.auto_label.setAccessibleName(self.tr("Automatic backups"))
        self.auto_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.keep = QSpinBox()
        self.keep.setRange(1, 100)
        self.keep.setValue(backups.DEFAULT_KEEP)
        self.keep.setAccessibleName(self.tr("How many automatic backups to keep"))
        keep_label = QLabel(self.tr("&Keep the last"))
        keep_label.setBuddy(self.keep)
        keep_row = QHBoxLayout()
        keep_row.addWidget(keep_label)
        keep_row.addWidget(self.keep)
        keep_row.addWidget(QLabel(self.tr("automatic backups")))
        keep_row.addStretch(1)
        self.auto_button = QPushButton(self.tr("&Choose a folder for automatic backups…"))
        self.auto_button.clicked.connect(self.choose_auto_folder)
        self.auto_off_button = QPushButton(self.tr("&Turn automatic backups off"))
        self.auto_off_button.clicked.connect(self.turn_auto_off)

        self.restore_button = QPushButton(self.tr("R&estore a backup…"))
        self.restore_button.clicked.connect(self.open_restore)

        auto_title = QLabel(self.tr("Automatic backups"))
        auto_title.setObjectName("sectionTitle")
        restore_title = QLabel(self.tr("Restore"))
        restore_title.setObjectName("sectionTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(
            card(
                self.last_label,
                self.policy_label,
                button_row(self.now_button),
                self.progress,
                self.activity,
                self.problem,
            )
        )
        layout.addWidget(auto_title)
        layout.addWidget(
            card(
                wrapped(
                    self.tr(
                        "Once a day, when you unlock CoachDesk, a backup is written into the folder you choose "
                        "and checked; older automatic backups beyond the number you keep are deleted."
                    )
                ),
                self.auto_label,
                keep_row,
                button_row(self.auto_button, self.auto_off_button),
            )
        )
        layout.addWidget(restore_title)
        layout.addWidget(
            card(
                wrapped(
                    self.tr(
                        "A backup is restored into a new, empty folder, after it opens with your passphrase or "
                        "recovery key and passes its checks. This vault is never overwritten."
                    )
                ),
                button_row(self.restore_button),
            )
        )
        layout.addStretch(1)
        self.setTabOrder(self.now_button, self.keep)
        self.setTabOrder(self.keep, self.auto_button)
        self.setTabOrder(self.auto_button, self.auto_off_button)
        self.setTabOrder(self.auto_off_button, self.restore_button)

    # -- reading ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        if not self.controller.is_unlocked:
            return
        now = datetime.now(UTC)
        self.controller.run(lambda vault: backups.status(vault, now), self._show)

    def _show(self, status: BackupStatus) -> None:
        self.status = status
        now = datetime.now(UTC)
        self.last_label.setText(describe_last(status, now))
        self.policy_label.setText(
            self.tr("Your programme asks for a backup at least every {0}.").format(
                counted(status.reminder_days, self.tr("day"), self.tr("days"))
            )
        )
        if status.auto_folder is None:
            self.auto_label.setText(self.tr("Automatic backups are off."))
        else:
            made = (
                self.tr("none made yet")
                if status.last_auto_at is None
                else self.tr("the last made {0}").format(long_date(status.last_auto_at.astimezone().date()))
            )
            self.auto_label.setText(self.tr("Automatic backups go to {0} ({1}).").format(str(status.auto_folder), made))
        self.keep.setValue(status.auto_keep)
        self.auto_off_button.setEnabled(status.auto_folder is not None)
        self.auto_button.setText(
            self.tr("&Choose a folder for automatic backups…")
            if status.auto_folder is None
            else self.tr("&Change the folder…")
        )

    # -- backing up ---------------------------------------------------------------------------------
    def choose_folder(self, title: str) -> Path | None:
        """A folder dialog (tests replace this method)."""
        chosen = QFileDialog.getExistingDirectory(self, title)
        return Path(chosen) if chosen else None

    def back_up_now(self) -> None:
        folder = self.choose_folder(self.tr("Choose where to write the backup"))
        if folder is None:
            return
        self.start_backup(folder)

    def start_backup(self, folder: Path) -> None:
        now = datetime.now(UTC)
        self._busy(True, self.tr("Writing the backup…"))
        self.controller.worker.run(
            lambda holder: backups.back_up_now(holder.require(), folder, now, holder.progress),
            on_done=self._backed_up,
            on_error=self._failed,
            on_progress=self._progress,
        )

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _busy(self, busy: bool, text: str = "") -> None:
        self.now_button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)  # busy until the first page count arrives
        self.problem.hide()
        self.activity.setText(text)
        self.activity.setVisible(bool(text))

    def _backed_up(self, path: Path) -> None:
        self._busy(False, self.tr("Backup written to {0} and checked.").format(str(path)))
        self.backed_up.emit()
        self.refresh()

    def _failed(self, exc: Exception) -> None:
        self._busy(False)
        self.problem.setText(
            exc.message if isinstance(exc, CoachDeskError) else self.tr("The backup could not be written.")
        )
        self.problem.show()

    # -- automatic backups --------------------------------------------------------------------------
    def choose_auto_folder(self) -> None:
        folder = self.choose_folder(self.tr("Choose the folder for automatic backups"))
        if folder is None:
            return
        keep = self.keep.value()
        self.controller.run(
            lambda vault: backups.set_auto(vault, folder, keep), lambda _r: self.refresh(), self._failed
        )

    def turn_auto_off(self) -> None:
        keep = self.keep.value()
        self.controller.run(lambda vault: backups.set_auto(vault, None, keep), lambda _r: self.refresh(), self._failed)

    def run_automatic_if_due(self) -> None:
        """After unlock: the day's automatic backup, if one is due (quietly; a failure is shown here)."""
        now = datetime.now(UTC)

        def job(holder: object) -> Path | None:
            vault = holder.require()  # type: ignore[attr-defined]
            return backups.run_auto(vault, now) if backups.auto_due(vault, now) else None

        self.controller.worker.run(job, on_done=self._auto_done, on_error=self._failed)

    def _auto_done(self, path: Path | None) -> None:
        if path is not None:
            self.activity.setText(self.tr("Today's automatic backup was written to {0} and checked.").format(str(path)))
            self.activity.show()
            self.backed_up.emit()
        self.refresh()

    # -- restoring ----------------------------------------------------------------------------------
    def open_restore(self) -> None:
        from coachdesk.ui.restore_dialog import RestoreDialog  # noqa: PLC0415 - loaded when first used

        dialog = RestoreDialog(self.controller, self)
        dialog.restored.connect(self.restored.emit)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: setattr(self, "restore_dialog", None))
        self.restore_dialog = dialog
        dialog.open()

    def clear_sensitive(self) -> None:
        """Nothing here is about a participant; folder names and dates are cleared all the same."""
        self.status = None
        for label in (self.last_label, self.policy_label, self.auto_label, self.activity, self.problem):
            label.clear()
        self.activity.hide()
        self.problem.hide()
        self.progress.hide()
