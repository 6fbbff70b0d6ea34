"""Sync: whether this laptop is enrolled with the programme's hub and can reach it, the last sync,
each month's state, and — before anything is sent — exactly what leaves this laptop: every cell
(practice, measure, value) of the next bundle. "Sync now" sends; "Export bundle files…" writes
them for a USB stick when there is no network.

The page only shows and asks: `SyncRunner` runs the vault work on the vault worker and the HTTP on
a network thread of its own. Nothing here is about a participant, but the page still clears on
lock like every other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coachdesk.sync.outbox import FAILED, PENDING, OutboxMonth, cells_of
from coachdesk.ui.controller import AppController
from coachdesk.ui.sync_model import (
    CellsModel,
    MonthsModel,
    local_clock,
    local_day,
    local_time,
    month_explanation,
    month_name,
    state_label,
)
from coachdesk.ui.sync_runner import (
    AUTO_INTERVAL_MS,
    CHECKING,
    CONNECTED,
    OFFLINE,
    UNREACHABLE,
    ClientFactory,
    SyncOverview,
    SyncRunner,
    default_client,
)

if TYPE_CHECKING:
    from coachdesk.ui.sync_enrol import EnrolDialog


def _table(model: MonthsModel | CellsModel, accessible_name: str) -> QTableView:
    table = QTableView()
    table.setObjectName("syncTable")
    table.setModel(model)
    table.setAccessibleName(accessible_name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)  # Tab moves on to the next control, as elsewhere in the app
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setShowGrid(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


def _fit_columns(table: QTableView) -> None:
    """Each column as wide as its widest cell plus some air; the last one takes what is left (sized
    to its contents it would push the others off the side of a narrow window)."""
    for column in range(table.model().columnCount() - 1):
        table.resizeColumnToContents(column)
        table.setColumnWidth(column, table.columnWidth(column) + 24)


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


def _empty(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("emptyState")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


class SyncPage(QWidget):
    def __init__(
        self,
        controller: AppController,
        client_factory: ClientFactory = default_client,
        watch_network: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.runner = SyncRunner(controller, client_factory, watch_network, self)
        self.overview: SyncOverview | None = None
        self._waiting: dict[str, OutboxMonth] = {}
        self.enrol_dialog: EnrolDialog | None = None  # while open (tests reach it)

        heading = QLabel(self.tr("Sync with the programme"))
        heading.setObjectName("pageTitle")

        # -- the state of things, in words -------------------------------------------------------
        self.enrolled_label = QLabel()
        self.enrolled_label.setObjectName("syncHeadline")
        self.enrolled_label.setWordWrap(True)
        self.connection_label = QLabel()
        self.connection_label.setWordWrap(True)
        self.last_sync_label = QLabel()
        self.last_sync_label.setWordWrap(True)
        self.automatic_label = QLabel()
        self.automatic_label.setObjectName("smallPrint")
        self.automatic_label.setWordWrap(True)

        self.sync_button = QPushButton(self.tr("&Sync now"))
        self.sync_button.setToolTip(self.tr("Send every month waiting, refused ones included (Ctrl+Shift+S)"))
        self.sync_button.clicked.connect(self.sync_now)
        self.export_button = QPushButton(self.tr("E&xport bundle files…"))
        self.export_button.setToolTip(self.tr("Write the bundles not yet sent to a folder, e.g. a USB stick"))
        self.export_button.clicked.connect(self.choose_export_folder)
        self.enrol_button = QPushButton(self.tr("&Enrol this laptop…"))
        self.enrol_button.clicked.connect(self.open_enrol_dialog)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        for button in (self.sync_button, self.export_button, self.enrol_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.activity = QLabel()  # progress, and the outcome of the last thing the coach asked for
        self.activity.setWordWrap(True)
        self.activity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.activity.hide()
        self.problem = QLabel()
        self.problem.setObjectName("calmError")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.device_label = QLabel()
        self.device_label.setObjectName("smallPrint")
        self.device_label.setWordWrap(False)
        self.device_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.device_label.setAccessibleName(self.tr("This laptop's device id and public key"))

        card = QFrame()
        card.setObjectName("syncCard")
        card_layout = QVBoxLayout(card)
        card_layout.setSpacing(4)
        for widget in (self.enrolled_label, self.connection_label, self.last_sync_label, self.automatic_label):
            card_layout.addWidget(widget)
        card_layout.addSpacing(4)
        card_layout.addLayout(buttons)
        card_layout.addWidget(self.activity)
        card_layout.addWidget(self.problem)
        card_layout.addWidget(self.device_label)

        # -- each month -------------------------------------------------------------------------
        self.months_model = MonthsModel(self)
        self.months_table = _table(self.months_model, self.tr("Each month's bundle"))
        self.months_table.selectionModel().selectionChanged.connect(self._month_selected)
        self.months_title = _title(self.tr("&Months"))
        self.months_title.setBuddy(self.months_table)
        self.months_empty = _empty(
            self.tr(
                "No month has been built yet. A month's counts are built once the month has ended, "
                "from the month of the first referral."
            )
        )
        self.month_detail = QLabel()
        self.month_detail.setWordWrap(True)
        self.month_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.month_detail.setAccessibleName(self.tr("The chosen month in detail"))
        months_box = QWidget()
        self._months_layout = months_layout = QVBoxLayout(months_box)
        months_layout.setContentsMargins(0, 0, 0, 0)
        months_layout.setSpacing(4)
        months_layout.addWidget(self.months_title)
        months_layout.addWidget(self.months_table, 1)
        months_layout.addWidget(self.month_detail)
        months_layout.addWidget(self.months_empty)
        months_layout.addStretch(0)  # takes the room only while the table is hidden (_keep_to_top)

        # -- what leaves this laptop -------------------------------------------------------------
        self.cells_model = CellsModel(self)
        self.cells_table = _table(self.cells_model, self.tr("What leaves this laptop"))
        self.month_choice = QComboBox()
        self.month_choice.setAccessibleName(self.tr("Month to show"))
        self.month_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.month_choice.currentIndexChanged.connect(self._show_chosen_month)
        self.choice_label = choice_label = QLabel(self.tr("M&onth:"))
        choice_label.setBuddy(self.month_choice)
        leaves_title = _title(self.tr("What leaves this laptop"))
        leaves_title.setBuddy(self.cells_table)
        title_row = QHBoxLayout()
        title_row.addWidget(leaves_title)
        title_row.addStretch(1)
        title_row.addWidget(choice_label)
        title_row.addWidget(self.month_choice)
        self.leaves_sentence = QLabel()
        self.leaves_sentence.setWordWrap(True)
        self.leaves_sentence.setObjectName("leavesSentence")
        self.leaves_empty = _empty(self.tr("Nothing is waiting to be sent."))
        leaves_box = QWidget()
        self._leaves_layout = leaves_layout = QVBoxLayout(leaves_box)
        leaves_layout.setContentsMargins(0, 0, 0, 0)
        leaves_layout.setSpacing(4)
        leaves_layout.addLayout(title_row)
        leaves_layout.addWidget(self.leaves_sentence)
        leaves_layout.addWidget(self.cells_table, 1)
        leaves_layout.addWidget(self.leaves_empty)
        leaves_layout.addStretch(0)  # as above

        # The coach may want more of one table or the other: a splitter, months above.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(months_box)
        self.splitter.addWidget(leaves_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(card)
        layout.addWidget(self.splitter, 1)
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.setTabOrder(self.sync_button, self.export_button)
        self.setTabOrder(self.export_button, self.enrol_button)
        self.setTabOrder(self.enrol_button, self.months_table)
        self.setTabOrder(self.months_table, self.month_choice)
        self.setTabOrder(self.month_choice, self.cells_table)

        self.runner.overview_read.connect(self._show_overview)
        self.runner.overview_failed.connect(self._say_problem)
        self.runner.connection_changed.connect(self._show_connection)
        self.runner.busy_changed.connect(lambda _busy: self._enable_buttons())
        self.runner.progress.connect(self._say_activity)
        self.runner.run_finished.connect(self._run_finished)
        self.runner.run_failed.connect(self._say_problem)
        self.clear_sensitive()

    # -- unlocked and locked ----------------------------------------------------------------------
    def start(self) -> None:
        """The vault was unlocked: automatic sync may begin."""
        self.runner.start()

    def refresh(self) -> None:
        self.runner.refresh()

    def clear_sensitive(self) -> None:
        """Forget what was shown and stop every run (the vault is locking)."""
        self.runner.stop()
        self.overview = None
        self._waiting = {}
        self.months_model.clear()
        self.cells_model.clear()
        self.cells_table.clearSpans()
        self.month_choice.blockSignals(True)
        self.month_choice.clear()
        self.month_choice.blockSignals(False)
        self.month_choice.hide()
        self.choice_label.hide()
        for label in (
            self.enrolled_label,
            self.connection_label,
            self.last_sync_label,
            self.automatic_label,
            self.device_label,
            self.month_detail,
            self.leaves_sentence,
        ):
            label.clear()
        self._say_activity("")
        self._say_problem("")
        self.months_table.hide()
        self.month_detail.hide()
        self.months_empty.hide()
        self.cells_table.hide()
        self.leaves_empty.hide()
        self.leaves_sentence.hide()
        self._enable_buttons()

    # -- showing ----------------------------------------------------------------------------------
    def _show_overview(self, overview: SyncOverview) -> None:
        self.overview = overview
        self._show_enrolment()
        self._show_connection()
        last = overview.last_sync
        if last is None:
            self.last_sync_label.setText(self.tr("Last sync: never, from this laptop."))
        else:
            self.last_sync_label.setText(self.tr("Last sync: {0} — {1}").format(local_time(last.at), last.result))
        me = overview.device
        # One line each: a key broken across lines is hard to read out or copy for enrolment by hand.
        self.device_label.setText(
            self.tr("This laptop's device id: {0}\nIts public key: {1}").format(me.device_id, me.public_key)
        )
        self._show_months(overview.months)
        self._show_waiting(overview.waiting)
        self._enable_buttons()
        if overview.enrolment is not None:
            self.runner.check_hub()

    def _show_enrolment(self) -> None:
        overview, policy = self.overview, self.controller.policy
        if overview is None:
            return
        enrolment = overview.enrolment
        if enrolment is None:
            self.enrolled_label.setText(self.tr("Not enrolled"))
            self.enrol_button.setText(self.tr("&Enrol this laptop…"))
        else:
            since = local_day(enrolment.enrolled_at)
            text = self.tr("Enrolled with {0} as “{1}”").format(enrolment.hub_url, enrolment.device_name)
            self.enrolled_label.setText(self.tr("{0} since {1}").format(text, since) if since else text)
            self.enrol_button.setText(self.tr("&Enrol again…"))
        if enrolment is not None and policy.hub_url:
            minutes = AUTO_INTERVAL_MS // 60_000
            self.automatic_label.setText(
                self.tr(
                    "CoachDesk sends by itself when this laptop finds a network, and every {0} minutes "
                    "while it is unlocked. Months the hub refused wait for Sync now."
                ).format(minutes)
            )
        elif enrolment is not None:
            self.automatic_label.setText(
                self.tr("The programme's policy names no hub, so CoachDesk sends only when you choose Sync now.")
            )
        else:
            self.automatic_label.setText(self.tr("Nothing is sent from this laptop until it is enrolled."))

    def _show_connection(self) -> None:
        overview, runner, policy = self.overview, self.runner, self.controller.policy
        if overview is None:
            return
        if overview.enrolment is None:
            if policy.hub_url:
                text = self.tr(
                    "The programme's hub is {0}. Enrol this laptop with the token the programme team gave you."
                ).format(policy.hub_url)
            else:
                text = self.tr(
                    "The programme's policy names no hub. Export bundle files to carry them to the programme team."
                )
        elif runner.connection == OFFLINE:
            text = self.tr("Offline: this laptop has no network. Bundles wait here until it has one.")
        elif runner.connection == CHECKING:
            text = self.tr("Checking the hub…")
        elif runner.connection == CONNECTED:
            text = self.tr("Connected: the hub answered at {0}.").format(local_clock(runner.connection_detail))
        elif runner.connection == UNREACHABLE:
            reason = runner.connection_detail or self.tr("it did not answer.")
            text = self.tr("Hub not reachable: {0} Bundles wait here until it answers.").format(
                reason if reason.endswith(".") else reason + "."
            )
        else:
            text = self.tr("Not checked yet.")
        self.connection_label.setText(text)

    def _show_months(self, months: list[OutboxMonth]) -> None:
        selected = self._selected_period()
        self.months_model.set_months(months)
        self.months_title.setText(self.tr("&Months ({0})").format(len(months)) if months else self.tr("&Months"))
        self.months_table.setVisible(bool(months))
        self.month_detail.setVisible(bool(months))
        self.months_empty.setVisible(not months)
        self._keep_to_top(self._months_layout, bool(months))
        if not months:
            self.month_detail.clear()
            return
        _fit_columns(self.months_table)
        periods = [m.period for m in months]
        # Keep the coach's choice; otherwise show the month that most needs attention.
        if selected not in periods:
            attention = [m for m in months if m.state == FAILED] or [m for m in months if m.state == PENDING]
            selected = (attention or months[-1:])[0].period
        self.months_table.selectRow(periods.index(selected))

    def _selected_period(self) -> str | None:
        rows = self.months_table.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self.months_model.months):
            return self.months_model.months[rows[0].row()].period
        return None

    def _month_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.months_table.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self.months_model.months):
            self.month_detail.setText(month_explanation(self.months_model.months[rows[0].row()]))
        else:
            self.month_detail.clear()

    def _show_waiting(self, waiting: list[OutboxMonth]) -> None:
        previous = self.month_choice.currentData()
        self._waiting = {m.period: m for m in waiting}
        self.month_choice.blockSignals(True)
        self.month_choice.clear()
        for m in waiting:
            state = state_label(m.state).lower()
            label = self.tr("{0} — revision {1}, {2}").format(month_name(m.period), m.revision, state)
            self.month_choice.addItem(label, m.period)
        # The next bundle to send is the oldest one waiting; keep another choice if it still waits.
        index = self.month_choice.findData(previous)
        self.month_choice.setCurrentIndex(index if index >= 0 else 0)
        self.month_choice.blockSignals(False)
        self.month_choice.setEnabled(len(waiting) > 1)
        self.month_choice.setVisible(bool(waiting))  # an empty chooser beside "Nothing is waiting" says nothing
        self.choice_label.setVisible(bool(waiting))
        self._show_chosen_month()

    def _show_chosen_month(self, _index: int = -1) -> None:
        month = self._waiting.get(self.month_choice.currentData() or "")
        if month is None:
            self.cells_model.clear()
            self.cells_table.clearSpans()
            self.cells_table.hide()
            self.leaves_sentence.hide()
            self.leaves_empty.setVisible(self.overview is not None)
            self._keep_to_top(self._leaves_layout, False)
            return
        document = json.loads(month.bundle)
        cells = cells_of(month.bundle)
        self.cells_model.set_cells(cells, self.controller.policy, int(document.get("source_suppression", 0)))
        self.cells_table.clearSpans()
        for row in self.cells_model.heading_rows:
            self.cells_table.setSpan(row, 0, 1, self.cells_model.columnCount())
        practices = len({c.practice for c in cells})
        first = self.tr(
            "These counts, and nothing else, are what CoachDesk sends for {0}: no names, no dates of birth, no notes."
        ).format(month_name(month.period))
        if practices == 1:
            second = self.tr("{0} cells for 1 practice, revision {2}, signed by this laptop.")
        else:
            second = self.tr("{0} cells for {1} practices, revision {2}, signed by this laptop.")
        second = second.format(len(cells), practices, month.revision)
        if month.period == next(iter(self._waiting), None):
            second = self.tr("This is the next bundle to send. {0}").format(second)
        self.leaves_sentence.setText(f"{first}\n{second}")
        self.leaves_sentence.show()
        self.leaves_empty.hide()
        self.cells_table.show()
        self._keep_to_top(self._leaves_layout, True)
        _fit_columns(self.cells_table)

    @staticmethod
    def _keep_to_top(layout: QVBoxLayout, table_shown: bool) -> None:
        """With its table hidden, a section's title and sentence sit at the top, not spread out."""
        layout.setStretch(layout.count() - 1, 0 if table_shown else 1)

    def _enable_buttons(self) -> None:
        ready = self.overview is not None and self.controller.is_unlocked and not self.runner.busy
        enrolled = ready and self.overview is not None and self.overview.enrolment is not None
        self.sync_button.setEnabled(bool(enrolled))
        not_enrolled = self.overview is not None and self.overview.enrolment is None
        self.sync_button.setToolTip(
            self.tr("Enrol this laptop first")
            if not_enrolled
            else self.tr("Send every month waiting, refused ones included (Ctrl+Shift+S)")
        )
        self.export_button.setEnabled(bool(ready and self._waiting))
        self.enrol_button.setEnabled(bool(ready))

    def _say_activity(self, text: str) -> None:
        self.activity.setText(text)
        self.activity.setVisible(bool(text))

    def _say_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        if text:
            self._say_activity("")

    def _run_finished(self, result: str) -> None:
        self._say_activity(self.tr("Sync finished: {0}").format(result))

    # -- doing ------------------------------------------------------------------------------------
    def sync_now(self) -> None:
        self._say_problem("")
        if not self.runner.sync_now():
            self._say_activity(self.tr("A sync is already under way."))

    def choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the folder to write the bundle files in (e.g. a USB stick)")
        )
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> None:
        self._say_problem("")
        self._say_activity(self.tr("Writing bundle files to {0}…").format(folder))

        def written(paths: list[Path]) -> None:
            if not paths:
                self._say_activity(self.tr("Nothing is waiting to be sent, so no file was written."))
                return
            names = ", ".join(p.name for p in paths)
            if len(paths) == 1:
                sentence = self.tr("1 bundle file written to {1}: {2}. Give it to the programme team.")
            else:
                sentence = self.tr("{0} bundle files written to {1}: {2}. Give them to the programme team.")
            self._say_activity(sentence.format(len(paths), folder, names))

        if not self.runner.export(folder, written, self._say_problem):
            self._say_activity(self.tr("CoachDesk is busy sending; export again when it has finished."))

    def open_enrol_dialog(self) -> None:
        from coachdesk.ui.sync_enrol import EnrolDialog  # noqa: PLC0415 - loaded when first used

        enrolled = self.overview.enrolment if self.overview else None
        hub = self.controller.policy.hub_url or (enrolled.hub_url if enrolled else "")
        dialog = EnrolDialog(self.runner, hub, self)
        self.enrol_dialog = dialog
        if dialog.exec():
            if self.controller.policy.hub_url:
                done = self.tr(
                    "Enrolled. Check what leaves below: CoachDesk sends it when you choose Sync now, or by itself."
                )
            else:
                done = self.tr("Enrolled. Check what leaves below: CoachDesk sends it when you choose Sync now.")
            self._say_activity(done)
        self.enrol_dialog = None
