"""Today: a reminder when the last backup is older than the programme asks, the practice the
coach is at, the sessions booked there today, the people not seen for four weeks or more, and the
goal steps due this week. One double-click (or Enter) opens a record.

Rows hold display text and the participant's id only; `clear_sensitive()` empties them on lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.errors import CoachDeskError
from coachdesk.domain.vocabulary import Attendance, SessionType, StepOwner
from coachdesk.services import backups, caseload
from coachdesk.storage.diary import DiaryEntry, NotSeen, StepDue
from coachdesk.ui.caseload_model import Index, RowsModel
from coachdesk.ui.controller import AppController
from coachdesk.ui.formats import long_date, stored_label

ID_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Row:
    participant_id: str
    cells: tuple[str, ...]
    emphasis: bool = False  # overdue: said in words in the first cell, and that cell bold as well


class TodayModel(RowsModel):
    """A small read-only table: a few dozen rows at most, replaced whole on each refresh."""

    rows: list[Row]

    def __init__(self, headers: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = headers

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return row.cells[index.column()]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.headers[index.column()]}: {row.cells[index.column()]}"
        if role == Qt.ItemDataRole.FontRole and row.emphasis and index.column() == 0:
            font = QFont()
            font.setBold(True)
            return font
        if role == ID_ROLE:
            return row.participant_id
        return None


class TodayTable(QTableView):
    """A row-selecting table whose double-click or Enter asks to open the row's participant."""

    open_requested = Signal(str)

    def __init__(self, model: TodayModel, accessible_name: str) -> None:
        super().__init__()
        self.setModel(model)
        self.setAccessibleName(accessible_name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab moves on to the next section, as a coach expects
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Fit columns to the first rows only: measuring every row of a long list stalls the window.
        header.setResizeContentsPrecision(60)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.doubleClicked.connect(self._open)

    def fit_columns(self) -> None:
        """Each column as wide as its widest cell plus some air; the last one takes what is left."""
        self.resizeColumnsToContents()
        for column in range(self.model().columnCount() - 1):
            self.setColumnWidth(column, self.columnWidth(column) + 24)

    def fit_height(self) -> None:
        """No taller than its rows: a short list leaves the room to a long one."""
        rows = self.verticalHeader().length()
        header = self.horizontalHeader().sizeHint().height()
        scroll = self.horizontalScrollBar().sizeHint().height()  # in case the columns overflow
        self.setMaximumHeight(rows + header + scroll + 2 * self.frameWidth())

    def _open(self, index: QModelIndex) -> None:
        participant_id = index.data(ID_ROLE)
        if participant_id:
            self.open_requested.emit(participant_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        # Tabbing in lands on the first row, so Enter opens something straight away.
        if not self.currentIndex().isValid() and self.model().rowCount() > 0:
            self.setCurrentIndex(self.model().index(0, 0))
        super().focusInEvent(event)


class Section(QWidget):
    """A titled table with a sentence in its place when it has no rows."""

    def __init__(self, title: str, headers: list[str], empty_text: str, accessible_name: str) -> None:
        super().__init__()
        self.title_text = title
        self.title = QLabel(title)
        self.title.setObjectName("sectionTitle")
        self.title.setIndent(0)
        self.model = TodayModel(headers, self)
        self.table = TodayTable(self.model, accessible_name)
        self.empty = QLabel(empty_text)
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.title.setBuddy(self.table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self.show_rows([])

    def show_rows(self, rows: list[Row], count_text: str = "") -> None:
        self.model.set_rows(rows)
        self.title.setText(f"{self.title_text} ({count_text})" if rows and count_text else self.title_text)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        # An empty section takes only its sentence's height; a filled one shares the page.
        policy = QSizePolicy.Policy.Expanding if rows else QSizePolicy.Policy.Maximum
        self.setSizePolicy(QSizePolicy.Policy.Preferred, policy)
        if rows:
            self.table.fit_columns()
            self.table.fit_height()
            spacing = self.layout().spacing()
            self.setMaximumHeight(self.title.sizeHint().height() + spacing + self.table.maximumHeight())
        else:
            self.setMaximumHeight(16_777_215)  # QWIDGETSIZE_MAX

    def clear(self) -> None:
        self.show_rows([])


class TodayPage(QWidget):
    backup_requested = Signal()

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._request = 0

        # The backup reminder: only when the last backup is older than the programme's limit.
        self.backup_text = QLabel()
        self.backup_text.setWordWrap(True)
        self.backup_text.setAccessibleName(self.tr("Backup reminder"))
        self.backup_button = QPushButton(self.tr("&Back up now…"))
        self.backup_button.setToolTip(self.tr("Write an encrypted backup to a folder you choose, e.g. a USB stick"))
        self.backup_button.clicked.connect(self.backup_requested.emit)
        self.backup_banner = QFrame()
        self.backup_banner.setObjectName("syncCard")
        banner_row = QHBoxLayout(self.backup_banner)
        banner_row.setContentsMargins(8, 4, 8, 4)
        banner_row.addWidget(self.backup_text, 1)
        banner_row.addWidget(self.backup_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.backup_banner.hide()

        self.heading = QLabel()
        self.heading.setObjectName("pageTitle")
        self.heading.setAccessibleName(self.tr("Today's date"))
        self.practice = QComboBox()
        self.practice.setAccessibleName(self.tr("Practice"))
        self.practice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.practice.currentIndexChanged.connect(self._practice_chosen)
        practice_label = QLabel(self.tr("&Practice you are at:"))
        practice_label.setBuddy(self.practice)
        # The chooser sits under the date, not beside it: side by side they collide on a narrow window.
        chooser = QHBoxLayout()
        chooser.addWidget(practice_label)
        chooser.addWidget(self.practice)
        chooser.addStretch(1)
        self.problem = QLabel()
        self.problem.setObjectName("calmError")
        self.problem.setWordWrap(True)
        self.problem.hide()

        self.sessions = Section(
            self.tr("Booked today"),
            [self.tr("Time"), self.tr("Name"), self.tr("Session"), self.tr("Attendance")],
            self.tr("No sessions booked here today. Book one from the participant's record."),
            self.tr("Sessions booked today"),
        )
        self.not_seen = Section(
            self.tr("Not seen for 4 weeks or more"),
            [self.tr("Name"), self.tr("Last seen")],
            self.tr("Everyone here has been seen in the last four weeks or has a session booked."),
            self.tr("Participants not seen for four weeks or more"),
        )
        self.steps = Section(
            self.tr("Goal steps due this week"),
            [self.tr("Due"), self.tr("Name"), self.tr("Step"), self.tr("Who"), self.tr("Goal")],
            self.tr("No goal steps are due this week."),
            self.tr("Goal steps due this week"),
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addWidget(self.backup_banner)
        layout.addLayout(chooser)
        layout.addWidget(self.problem)
        for section in self.sections:
            layout.addWidget(section, 1)
            section.table.open_requested.connect(controller.open_participant.emit)
        layout.addStretch(0)
        self.setTabOrder(self.backup_button, self.practice)
        self.setTabOrder(self.practice, self.sessions.table)
        self.setTabOrder(self.sessions.table, self.not_seen.table)
        self.setTabOrder(self.not_seen.table, self.steps.table)

        # Many changes may arrive together (an import): refresh once they settle.
        self._changed_timer = QTimer(self)
        self._changed_timer.setSingleShot(True)
        self._changed_timer.setInterval(200)
        self._changed_timer.timeout.connect(self.refresh)
        controller.practice_changed.connect(lambda _code: self.refresh())
        controller.participant_changed.connect(lambda _pid: self._changed_timer.start())
        controller.unlocked.connect(self._fill_practices)
        self._set_heading(date.today())
        self._fill_practices()

    @property
    def sections(self) -> tuple[Section, Section, Section]:
        return (self.sessions, self.not_seen, self.steps)

    # -- the practice chooser ---------------------------------------------------------------
    def _fill_practices(self) -> None:
        self.practice.blockSignals(True)
        self.practice.clear()
        for p in self.controller.policy.practices:
            self.practice.addItem(f"{p.name} ({p.code})", p.code)
        self.practice.setCurrentIndex(self.practice.findData(self.controller.practice))
        self.practice.blockSignals(False)

    def _practice_chosen(self, index: int) -> None:
        code = self.practice.itemData(index)
        if code:
            self.controller.set_practice(code)

    # -- reading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Ask the worker for today's lists at the current practice."""
        self._changed_timer.stop()
        if not self.controller.is_unlocked:
            return
        if self.practice.findData(self.controller.practice) != self.practice.currentIndex():
            self._fill_practices()
        self._request += 1
        request, practice, day = self._request, self.controller.practice or None, date.today()
        self.controller.run(
            lambda vault: caseload.today(vault, practice, day),
            lambda today: self._show(request, today),
            lambda exc: self._failed(request, exc),
        )
        now = datetime.now(UTC)
        self.controller.run(
            lambda vault: backups.status(vault, now),
            lambda status: self._show_backup(request, status),
            lambda _exc: None,
        )

    def _show_backup(self, request: int, status: backups.BackupStatus) -> None:
        if request != self._request:
            return
        if not status.overdue:
            self.backup_banner.hide()
            return
        if status.days_since is None:
            text = self.tr(
                "This vault has never been backed up. A backup on a USB stick keeps your notes safe "
                "if this laptop is lost or breaks."
            )
        else:
            days = status.days_since
            text = self.tr("Your last backup was {0} ago; your programme asks for one at least every {1} days.").format(
                self.tr("1 day") if days == 1 else self.tr("{0} days").format(days), status.reminder_days
            )
        self.backup_text.setText(text)
        self.backup_banner.show()

    def _set_heading(self, day: date) -> None:
        self.heading.setText(self.tr("Today, {0}").format(long_date(day)))

    def _show(self, request: int, today: caseload.Today) -> None:
        if request != self._request:
            return  # an older question (another practice) answered late
        self.problem.hide()
        self._set_heading(today.day)
        self.sessions.show_rows([self._session_row(e) for e in today.sessions], str(len(today.sessions)))
        self.not_seen.show_rows([self._not_seen_row(n, today.day) for n in today.not_seen], str(len(today.not_seen)))
        self.steps.show_rows([self._step_row(s, today.day) for s in today.steps_due], str(len(today.steps_due)))

    def _failed(self, request: int, exc: Exception) -> None:
        if request != self._request:
            return
        detail = exc.message if isinstance(exc, CoachDeskError) else type(exc).__name__
        self.problem.setText(self.tr("Today's lists could not be read: {0}").format(detail))
        self.problem.show()

    # -- rows -------------------------------------------------------------------------------
    def _session_row(self, e: DiaryEntry) -> Row:
        kind = stored_label(SessionType, e.type)
        if e.minutes:
            kind = self.tr("{0}, {1} minutes").format(kind, e.minutes)
        cells = (e.start.strftime("%H:%M"), e.display_name, kind, stored_label(Attendance, e.attendance))
        return Row(e.participant_id, cells)

    def _not_seen_row(self, n: NotSeen, today: date) -> Row:
        if n.last_seen is None:
            seen = self.tr("Never since referral on {0}").format(long_date(n.referral_date))
        else:
            weeks = (today - n.last_seen).days // 7
            seen = self.tr("{0} ({1} weeks ago)").format(long_date(n.last_seen), weeks)
        return Row(n.participant_id, (n.display_name, seen))

    def _step_row(self, s: StepDue, today: date) -> Row:
        overdue = s.due < today
        if overdue:
            due = self.tr("Overdue: {0}").format(long_date(s.due))
        elif s.due == today:
            due = self.tr("Today")
        else:
            due = long_date(s.due)
        return Row(
            s.participant_id,
            (due, s.display_name, s.step_text, stored_label(StepOwner, s.owner), s.goal_title),
            emphasis=overdue,
        )

    # -- locking ----------------------------------------------------------------------------
    def clear_sensitive(self) -> None:
        """Forget every name shown (the vault is locking); late answers are ignored."""
        self._request += 1
        self._changed_timer.stop()
        for section in self.sections:
            section.clear()
        self.problem.clear()
        self.problem.hide()
        self.backup_text.clear()
        self.backup_banner.hide()
