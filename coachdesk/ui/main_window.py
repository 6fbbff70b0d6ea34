"""The main window: the unlock screen while locked; Today, Caseload, the participant record,
Sync and Data protection once unlocked. Locking (idle timer, OS screen lock, Ctrl+L) clears every page that showed
participant data before the unlock screen is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QEvent, QObject, QSize, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from coachdesk import __version__
from coachdesk.ui.controller import AppController
from coachdesk.ui.inactivity import InactivityTimer, SessionWatcher
from coachdesk.ui.unlock_page import UnlockPage

if TYPE_CHECKING:
    from coachdesk.ui.caseload_page import CaseloadPage
    from coachdesk.ui.data_protection_page import DataProtectionPage
    from coachdesk.ui.record.record_page import RecordPage
    from coachdesk.ui.sync_page import SyncPage
    from coachdesk.ui.today_page import TodayPage

TODAY, CASELOAD, RECORD, SYNC, DATA = 0, 1, 2, 3, 4


class _Pages(NamedTuple):
    """The workspace pages, in the navigation's order."""

    today: TodayPage
    caseload: CaseloadPage
    record: RecordPage
    sync: SyncPage
    data: DataProtectionPage


class MainWindow(QMainWindow):
    def __init__(self, controller: AppController) -> None:
        super().__init__()
        self.controller = controller
        self.setWindowTitle("CoachDesk")
        self.setMinimumSize(QSize(960, 640))

        self.unlock_page = UnlockPage(controller)
        # The workspace pages are built after the first frame (or at unlock, if sooner): the
        # unlock screen paints without importing or constructing them.
        self._built: _Pages | None = None

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName(self.tr("Sections"))
        self.nav.setFixedWidth(180)
        for text in (
            self.tr("Today"),
            self.tr("Caseload"),
            self.tr("Participant"),
            self.tr("Sync"),
            self.tr("Data protection"),
        ):
            QListWidgetItem(text, self.nav)
        self.pages = QStackedWidget()
        self.nav.currentRowChanged.connect(self._navigate)

        workspace = QWidget()
        row = QHBoxLayout(workspace)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.unlock_page)
        self.stack.addWidget(workspace)
        self.setCentralWidget(self.stack)
        self.busy_label = QLabel()
        self.statusBar().addPermanentWidget(self.busy_label)
        controller.worker.busy_changed.connect(
            lambda busy: self.busy_label.setText(self.tr("Working…") if busy else "")
        )

        self._make_actions()
        self.inactivity = InactivityTimer(self)
        self.inactivity.idle.connect(self._idle)
        self.session_watcher = SessionWatcher(self)
        self.session_watcher.screen_locked.connect(
            lambda: controller.lock(self.tr("Locked because the computer's screen was locked."))
        )
        controller.unlocked.connect(self._on_unlocked)
        controller.locked.connect(self._on_locked)
        controller.open_participant.connect(self.open_participant)
        self.installEventFilter(self)
        self._set_unlocked_actions(False)

    # -- the workspace pages, built once ---------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.Paint:
            self.removeEventFilter(self)
            # Build the pages while the coach types the passphrase, not before the first frame.
            QTimer.singleShot(100, self._build_pages)
        return False

    def _build_pages(self) -> _Pages:
        if self._built is not None:
            return self._built
        from coachdesk.ui.caseload_page import CaseloadPage  # noqa: PLC0415 - see __init__
        from coachdesk.ui.data_protection_page import DataProtectionPage  # noqa: PLC0415
        from coachdesk.ui.record.record_page import RecordPage  # noqa: PLC0415
        from coachdesk.ui.sync_page import SyncPage  # noqa: PLC0415
        from coachdesk.ui.today_page import TodayPage  # noqa: PLC0415

        built = _Pages(
            TodayPage(self.controller),
            CaseloadPage(self.controller),
            RecordPage(self.controller),
            SyncPage(self.controller),
            DataProtectionPage(self.controller),
        )
        self._built = built
        for page in built:
            self.pages.addWidget(page)
        built.record.drafts_restored.connect(self._show_record_page)
        built.record.erased.connect(self._participant_erased)
        built.today.backup_requested.connect(self.back_up_now)
        built.data.backups.backed_up.connect(built.today.refresh)
        # An automatic sync says how it went in the status bar, wherever the coach is.
        built.sync.runner.run_finished.connect(
            lambda result: self.statusBar().showMessage(self.tr("Sync: {0}").format(result), 15_000)
        )
        if self.controller.is_unlocked:
            built.sync.start()  # unlocked before the pages were built: _on_unlocked could not start it
            built.data.start()
        return built

    @property
    def today_page(self) -> TodayPage:
        return self._build_pages().today

    @property
    def caseload_page(self) -> CaseloadPage:
        return self._build_pages().caseload

    @property
    def record_page(self) -> RecordPage:
        return self._build_pages().record

    @property
    def data_page(self) -> DataProtectionPage:
        return self._build_pages().data

    @property
    def sync_page(self) -> SyncPage:
        return self._build_pages().sync

    # -- actions and shortcuts --------------------------------------------------------------
    def _make_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu(self.tr("&File"))
        self.new_action = QAction(self.tr("&New participant…"), self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_participant)
        self.find_action = QAction(self.tr("&Find participant"), self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.find_participant)
        self.today_action = self._go_to_action(self.tr("&Today"), "Ctrl+1", TODAY)
        self.caseload_action = self._go_to_action(self.tr("&Caseload"), "Ctrl+2", CASELOAD)
        self.sync_action = self._go_to_action(self.tr("S&ync"), "Ctrl+3", SYNC)
        self.data_action = self._go_to_action(self.tr("&Data protection"), "Ctrl+4", DATA)
        self.sync_now_action = QAction(self.tr("Sync &now"), self)
        self.sync_now_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.sync_now_action.triggered.connect(self.sync_now)
        self.lock_action = QAction(self.tr("&Lock"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(
            lambda: self.controller.lock(self.tr("You locked CoachDesk. Enter your passphrase to carry on."))
        )
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        # Everything but Quit needs the vault unlocked.
        self._unlocked_actions = (
            self.new_action,
            self.find_action,
            self.today_action,
            self.caseload_action,
            self.sync_action,
            self.data_action,
            self.sync_now_action,
            self.lock_action,
        )
        file_menu.addActions(self._unlocked_actions[:-1])  # Lock goes below the separator
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(quit_action)
        help_menu = menu.addMenu(self.tr("&Help"))
        about = QAction(self.tr("&About CoachDesk"), self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _go_to_action(self, text: str, shortcut: str, row: int) -> QAction:
        """A File menu entry and shortcut that shows the page at `row` of the navigation."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda: self.nav.setCurrentRow(row))
        return action

    def _set_unlocked_actions(self, unlocked: bool) -> None:
        for action in self._unlocked_actions:
            action.setEnabled(unlocked)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About CoachDesk"),
            self.tr("CoachDesk {0}\nThe employment coach's encrypted caseload.").format(__version__),
        )

    # -- navigation -------------------------------------------------------------------------
    def _navigate(self, row: int) -> None:
        if row < 0:
            return
        self._build_pages()
        current = self.pages.currentIndex()
        if current == RECORD and row != RECORD and not self.record_page.maybe_leave():
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(RECORD)
            self.nav.blockSignals(False)
            return
        self.pages.setCurrentIndex(row)
        if row == TODAY:
            self.today_page.refresh()
        elif row == CASELOAD:
            self.caseload_page.refresh()
        elif row == SYNC:
            self.sync_page.refresh()
        elif row == DATA:
            self.data_page.refresh()

    def open_participant(self, participant_id: str) -> None:
        if self.pages.currentIndex() == RECORD and not self.record_page.maybe_leave():
            return
        self.record_page.show_participant(participant_id)
        self._show_record_page(participant_id)

    def _show_record_page(self, _participant_id: str) -> None:
        """The record page, chosen in the navigation without leaving it again (a participant
        opened, or a note restored after unlock: shown where the coach left it)."""
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(RECORD)
        self.nav.blockSignals(False)
        self.pages.setCurrentIndex(RECORD)

    def _participant_erased(self, _participant_id: str) -> None:
        """The record shown was erased: back to the caseload, which reads the list again."""
        self.statusBar().showMessage(self.tr("The participant was erased."), 15_000)
        self.nav.setCurrentRow(CASELOAD)

    def back_up_now(self) -> None:
        """Today's reminder: the Backups tab, and the folder question at once."""
        self.nav.setCurrentRow(DATA)
        if self.pages.currentIndex() == DATA:
            from coachdesk.ui.data_protection_page import BACKUPS  # noqa: PLC0415

            self.data_page.show_tab(BACKUPS)
            self.data_page.backups.back_up_now()

    def new_participant(self) -> None:
        from coachdesk.ui.register_dialog import RegisterDialog  # noqa: PLC0415 - loaded when first used

        RegisterDialog(self.controller, self).exec()

    def sync_now(self) -> None:
        """Ctrl+Shift+S: show the Sync page and send what is waiting."""
        self.nav.setCurrentRow(SYNC)
        if self.pages.currentIndex() == SYNC:
            self.sync_page.sync_now()

    def find_participant(self) -> None:
        self.nav.setCurrentRow(CASELOAD)
        if self.pages.currentIndex() == CASELOAD:
            self.caseload_page.focus_search()

    # -- lock and unlock --------------------------------------------------------------------
    def _idle(self) -> None:
        minutes = self.controller.policy.auto_lock_minutes
        self.controller.lock(self.tr("Locked after %n minute(s) without use.", "", minutes))

    def _on_unlocked(self) -> None:
        self.stack.setCurrentIndex(1)
        self._set_unlocked_actions(True)
        self.inactivity.start(self.auto_lock_ms())
        self.nav.setCurrentRow(-1)
        self.nav.setCurrentRow(TODAY)
        self.record_page.restore_drafts()
        self.sync_page.start()
        self.data_page.start()

    def auto_lock_ms(self) -> int:
        return self.controller.policy.auto_lock_minutes * 60_000

    def _on_locked(self, reason: str) -> None:
        self.inactivity.stop()
        for page in self._built or ():
            page.clear_sensitive()
        self._set_unlocked_actions(False)
        self.stack.setCurrentIndex(0)
        self.unlock_page.show_locked(reason)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller.is_unlocked and self.pages.currentIndex() == RECORD and not self.record_page.maybe_leave():
            event.ignore()
            return
        self.controller.lock()
        self.controller.shutdown()
        event.accept()

    def sizeHint(self) -> QSize:
        return QSize(1200, 800)
