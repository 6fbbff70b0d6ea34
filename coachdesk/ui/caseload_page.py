"""The caseload: every participant in a sortable table, narrowed by practice and status, and found
by typing (names, NHS number or a word from a session's notes).

All reading happens on the worker. Typing restarts a short debounce; each request carries a
sequence number and a reply is shown only if it is still the latest, so a slow early search can
never overwrite a newer one. Search results are narrowed by the same filters as the list, and the
page says how many matches the filters hide."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.model import ParticipantSummary
from coachdesk.services import caseload
from coachdesk.storage.vault import Vault
from coachdesk.ui.caseload_model import CaseloadModel, Column, sort_name
from coachdesk.ui.controller import AppController
from coachdesk.ui.register_dialog import RegisterDialog

SEARCH_DEBOUNCE_MS = 150
CHANGE_COALESCE_MS = 200
SEARCH_LIMIT = 500  # storage.search.search_ids returns at most this many matches


@dataclass(frozen=True)
class Listing:
    """What one request found, read on the worker."""

    rows: list[ParticipantSummary]
    searched: bool
    hidden: int = 0  # search matches the practice/status filters leave out
    total: int = -1  # participants in the vault when the filtered list is empty, else -1
    capped: bool = False  # the search hit its limit


def _keep(s: ParticipantSummary, practice: str | None, open_only: bool | None) -> bool:
    if practice and s.practice != practice:
        return False
    if open_only is True:
        return s.closed_on is None
    if open_only is False:
        return s.closed_on is not None
    return True


def read_listing(vault: Vault, text: str, practice: str | None, open_only: bool | None) -> Listing:
    """Runs on the worker: the filtered caseload, or the filtered search results."""
    if text:
        found = caseload.find(vault, text)
        shown = [s for s in found if _keep(s, practice, open_only)]
        return Listing(shown, searched=True, hidden=len(found) - len(shown), capped=len(found) >= SEARCH_LIMIT)
    # Sorted here, on the worker, in the model's own order: the GUI thread then finds the rows in
    # order and their (cached) sort keys ready, so a 10,000-row caseload does not stall it.
    rows = sorted(caseload.caseload(vault, practice, open_only), key=sort_name)
    total = -1
    if not rows:  # nobody at all, or only nobody these filters let through?
        filtered = bool(practice) or open_only is not None
        total = caseload.count(vault) if filtered else 0
    return Listing(rows, searched=False, total=total)


class CaseloadTable(QTableView):
    """The table: Enter (or a double click) opens the row's participant."""

    open_requested = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class CaseloadPage(QWidget):
    loaded = Signal()

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._seq = 0
        self._practices: tuple[tuple[str, str], ...] = ()
        self._focus_table_after_load = False

        title = QLabel(self.tr("Caseload"))
        title.setObjectName("pageTitle")
        self.new_button = QPushButton(self.tr("New participant…"))
        self.new_button.setToolTip(self.tr("Register a new referral (Ctrl+N)"))
        self.new_button.clicked.connect(self._register)

        self.search = QLineEdit()
        self.search.setObjectName("caseloadSearch")
        self.search.setAccessibleName(self.tr("Search participants"))
        self.search.setPlaceholderText(self.tr("Search by name, NHS number or a word from the notes  (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.search.installEventFilter(self)

        self.practice_filter = QComboBox()
        self.practice_filter.setAccessibleName(self.tr("Practice filter"))
        self.practice_filter.addItem(self.tr("All practices"), None)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName(self.tr("Status filter"))
        self.status_filter.addItem(self.tr("Open"), True)
        self.status_filter.addItem(self.tr("Closed"), False)
        self.status_filter.addItem(self.tr("All"), None)
        practice_label = QLabel(self.tr("&Practice"))
        practice_label.setBuddy(self.practice_filter)
        status_label = QLabel(self.tr("S&tatus"))
        status_label.setBuddy(self.status_filter)

        self.model = CaseloadModel(self)
        self.table = CaseloadTable()
        self.table.setObjectName("caseloadTable")
        self.table.setAccessibleName(self.tr("Participants"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move within it
        self.table.verticalHeader().hide()
        # Fixed row heights and no size-to-contents columns: with 10,000 rows Qt then never
        # measures rows that are not on screen.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        self._size_columns()
        self.table.doubleClicked.connect(self._open)
        self.table.open_requested.connect(self._open)

        self.count_label = QLabel()
        self.count_label.setObjectName("caseloadCount")
        self.hint_label = QLabel()
        self.hint_label.setObjectName("caseloadHint")
        self.hint_label.setWordWrap(True)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setWordWrap(True)
        # Near the search box and filters the coach is looking at, not lost mid-screen.
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty_label.setContentsMargins(0, 48, 0, 0)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)

        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(self.new_button)
        filters = QHBoxLayout()
        filters.setSpacing(8)
        filters.addWidget(self.search, 1)
        filters.addSpacing(16)
        filters.addWidget(practice_label)
        filters.addWidget(self.practice_filter)
        filters.addSpacing(8)
        filters.addWidget(status_label)
        filters.addWidget(self.status_filter)
        counts = QHBoxLayout()
        counts.addWidget(self.count_label)
        counts.addSpacing(12)
        counts.addWidget(self.hint_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        layout.addLayout(heading)
        layout.addLayout(filters)
        layout.addLayout(counts)
        layout.addWidget(self.stack, 1)
        for first, second in (
            (self.new_button, self.search),
            (self.search, self.practice_filter),
            (self.practice_filter, self.status_filter),
            (self.status_filter, self.table),
        ):
            QWidget.setTabOrder(first, second)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self._changes = QTimer(self)
        self._changes.setSingleShot(True)
        self._changes.setInterval(CHANGE_COALESCE_MS)
        self._changes.timeout.connect(self._refresh_if_shown)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.practice_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        controller.participant_changed.connect(lambda _pid: self._changes.start())

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        width = self.fontMetrics().horizontalAdvance
        pad = 40  # cell margins and the sort arrow
        header.setMinimumSectionSize(60)
        header.resizeSection(Column.BIRTH, width("00 Mmm 0000") + pad)
        header.resizeSection(Column.NHS_NUMBER, width("000 000 0000") + pad)
        header.resizeSection(Column.PRACTICE, width("St Johns Way Medical Centre") + pad)
        header.resizeSection(Column.REFERRED, width("00 Mmm 0000") + pad)
        header.resizeSection(Column.STATUS, max(width(self.tr("Closed")), width(self.tr("Status"))) + pad)

    # -- what the main window calls -------------------------------------------------------------
    def refresh(self) -> None:
        """Reload with the current search text and filters."""
        self._debounce.stop()
        if not self.controller.is_unlocked:
            return
        self._sync_practices()
        self._seq += 1
        seq = self._seq
        text = self.search.text().strip()
        practice = self.practice_filter.currentData() or None
        open_only = self.status_filter.currentData()
        self.controller.run(
            lambda vault: read_listing(vault, text, practice, open_only),
            lambda listing: self._show(seq, listing),
            lambda exc: self._failed(seq, exc),
        )

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def clear_sensitive(self) -> None:
        """Forget every participant shown or typed (the vault is locking)."""
        self._seq += 1  # a reply still on its way is now stale
        self._debounce.stop()
        self._changes.stop()
        self._focus_table_after_load = False
        self.search.blockSignals(True)
        self.search.setText("")  # setText, unlike clear(), also empties the undo history
        self.search.blockSignals(False)
        self.model.clear()
        self.count_label.setText("")
        self.hint_label.setText("")
        self.empty_label.setText("")
        self.stack.setCurrentWidget(self.table)

    # -- results --------------------------------------------------------------------------------
    def _show(self, seq: int, listing: Listing) -> None:
        if seq != self._seq:
            return  # an older request answering late
        current = self.table.currentIndex()
        keep_id = self.model.participant_id(current.row()) if current.isValid() else None
        self.model.set_rows(listing.rows)
        self._describe(listing)
        if keep_id is not None:
            self._select(self.model.row_of(keep_id), focus=False)
        if self._focus_table_after_load:
            self._focus_table_after_load = False
            self._enter_table()
        self.loaded.emit()

    def _failed(self, seq: int, exc: Exception) -> None:
        if seq != self._seq:
            return
        self.model.clear()
        self.count_label.setText("")
        self.hint_label.setText("")
        self.empty_label.setText(self.tr("The caseload could not be read. Lock and unlock CoachDesk, then try again."))
        self.stack.setCurrentWidget(self.empty_label)

    def _describe(self, listing: Listing) -> None:
        shown = len(listing.rows)
        count = self.tr("1 participant") if shown == 1 else self.tr("{0} participants").format(f"{shown:,}")
        hints: list[str] = []
        if listing.searched and listing.capped:
            hints.append(self.tr("Showing the first {0} matches; type more to narrow the search.").format(SEARCH_LIMIT))
        if listing.searched and listing.hidden:
            hints.append(self._hidden_text(listing.hidden))
        self.count_label.setText(count if shown else "")
        self.hint_label.setText(" ".join(hints) if shown else "")
        if shown:
            self.stack.setCurrentWidget(self.table)
            return
        if listing.searched:
            lines = [self.tr("No participant matches this search.")]
            if listing.hidden:
                lines.append(self._hidden_text(listing.hidden))
            else:
                lines.append(
                    self.tr("Check the spelling, or search by family name, NHS number or a word from the notes.")
                )
        elif listing.total == 0:
            lines = [self.tr("No participants yet. Press Ctrl+N to register your first referral.")]
        else:
            lines = [
                self.tr("No participants match these filters."),
                self.tr("Choose “All practices” and status “All” to see the whole caseload."),
            ]
        self.empty_label.setText("\n".join(lines))
        self.stack.setCurrentWidget(self.empty_label)

    def _hidden_text(self, hidden: int) -> str:
        if hidden == 1:
            return self.tr("1 more match is hidden by the practice or status filter.")
        return self.tr("{0} more matches are hidden by the practice or status filter.").format(f"{hidden:,}")

    # -- keyboard and opening -------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """From the search box, Down or Enter moves to the results (searching first if typing)."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._debounce.isActive():
                    self._focus_table_after_load = True
                    self.refresh()
                else:
                    self._enter_table()
                return True
        return super().eventFilter(watched, event)

    def _enter_table(self) -> None:
        if self.model.rowCount() == 0:
            return
        row = self.table.currentIndex().row() if self.table.currentIndex().isValid() else 0
        self._select(row, focus=True)

    def _select(self, row: int, focus: bool) -> None:
        if row < 0:
            return
        index = self.model.index(row, Column.NAME)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)
        if focus:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.controller.open_participant.emit(self.model.participant_id(index.row()))

    def _register(self) -> None:
        RegisterDialog(self.controller, self.window()).open()

    # -- filters and changes --------------------------------------------------------------------
    def _sync_practices(self) -> None:
        """Offer the policy's practices (the policy is read at unlock, after this page exists)."""
        practices = tuple((p.code, p.name) for p in self.controller.policy.practices)
        if practices == self._practices:
            return
        self._practices = practices
        chosen = self.practice_filter.currentData()
        self.practice_filter.blockSignals(True)
        while self.practice_filter.count() > 1:
            self.practice_filter.removeItem(1)
        for code, name in practices:
            self.practice_filter.addItem(name, code)
        index = self.practice_filter.findData(chosen) if chosen else 0
        self.practice_filter.setCurrentIndex(max(index, 0))
        self.practice_filter.blockSignals(False)
        self.model.set_practice_names(dict(practices))

    def _refresh_if_shown(self) -> None:
        # A hidden page is refreshed by the main window when it is shown again.
        if self.isVisible():
            self.refresh()
