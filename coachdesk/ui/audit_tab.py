"""The audit log: what was done, when (UTC), to which record id — never a name or a note —
filtered by action, by a range of days and by the start of a record id, exported as CSV, with
the hash chain's state said in words above it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.errors import CoachDeskError, ValidationError
from coachdesk.services import governance
from coachdesk.storage.audit import AuditEntry, AuditFilter
from coachdesk.ui.backups_tab import card, counted, wrapped
from coachdesk.ui.caseload_model import Index, RowsModel
from coachdesk.ui.controller import AppController
from coachdesk.ui.record.parsing import parse_date

# What each recorded action means, in the coach's words; the log itself keeps the short codes.
_ACTION_LABELS = {
    "vault.created": "Vault created",
    "vault.passphrase_changed": "Passphrase changed",
    "vault.recovery_key_replaced": "Recovery key replaced",
    "vault.keyring_enabled": "Unlocking with this computer's keyring turned on",
    "vault.keyring_disabled": "Unlocking with this computer's keyring turned off",
    "policy.replaced": "Programme policy replaced",
    "coach_profile.updated": "Your contact details changed",
    "participant.created": "Participant registered",
    "participant.updated": "Participant's record changed",
    "participant.imported": "Participant imported",
    "participant.updated_by_import": "Participant's record changed by an import",
    "participant.erased": "A participant erased",
    "participant.subject_access_exported": "Subject access export written",
    "caseload.exported": "Caseload exported to a file",
    "backup.created": "Backup written",
    "backup.automatic_set": "Automatic backups set up",
    "backup.automatic_off": "Automatic backups turned off",
    "audit.exported": "Audit log exported",
}


def action_label(action: str) -> str:
    """An action in plain words (an action this version does not know is shown as its code)."""
    return _ACTION_LABELS.get(action, action)


class AuditModel(RowsModel):
    """Model over the entries read (up to the whole log); Qt asks only for the rows it shows."""

    rows: list[AuditEntry]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = [self.tr("No."), self.tr("When (UTC)"), self.tr("What"), self.tr("Record id")]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self.rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 2:
            return e.action  # the code as the CSV export and `coachdesk check` name it
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return (str(e.seq), e.at[:19].replace("T", " "), action_label(e.action), e.record_id or "—")[index.column()]


class AuditTab(QWidget):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._request = 0
        self.view: governance.AuditView | None = None

        self.chain = wrapped(name="syncHeadline")
        self.chain.setAccessibleName(self.tr("The audit log's chain"))
        self.chain_detail = wrapped(name="smallPrint")
        self.action = QComboBox()
        self.action.setAccessibleName(self.tr("Action"))
        self.action.addItem(self.tr("Any action"), "")
        self.since = QLineEdit()
        self.until = QLineEdit()
        self.record = QLineEdit()
        for field, name, hint, width in (
            (self.since, self.tr("From day"), self.tr("dd/mm/yyyy"), 110),
            (self.until, self.tr("Until day"), self.tr("dd/mm/yyyy"), 110),
            (self.record, self.tr("Record id"), self.tr("the id or its start"), 220),
        ):
            field.setAccessibleName(name)
            field.setPlaceholderText(hint)
            field.setFixedWidth(width)
            field.textChanged.connect(self._soon)
        self.action.currentIndexChanged.connect(self._soon)
        self.clear_button = QPushButton(self.tr("C&lear filters"))
        self.clear_button.clicked.connect(self.clear_filters)
        self.export_button = QPushButton(self.tr("E&xport CSV…"))
        self.export_button.setToolTip(self.tr("Write the entries shown to a CSV file"))
        self.export_button.clicked.connect(self.export_csv)
        filters = QHBoxLayout()
        filters.setSpacing(6)
        for text, widget in (
            (self.tr("Ac&tion:"), self.action),
            (self.tr("&From:"), self.since),
            (self.tr("&Until:"), self.until),
            (self.tr("Record &id:"), self.record),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget)
            filters.addSpacing(6)
        filters.addWidget(self.clear_button)
        filters.addStretch(1)
        filters.addWidget(self.export_button)
        self.count = QLabel()
        self.count.setObjectName("smallPrint")
        self.problem = wrapped(name="calmError")
        self.problem.hide()

        self.model = AuditModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Audit log entries, newest first"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        metrics = self.table.fontMetrics()
        for column, sample in enumerate(("000000", "2026-11-23 22:44:51", "participant.subject_access_exported")):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 32)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(card(self.chain, self.chain_detail))
        layout.addLayout(filters)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)

    def _soon(self, *_args: object) -> None:
        self._timer.start()

    def current_filter(self) -> AuditFilter:
        """The filter as typed; ValidationError names a date that is not one."""
        since = parse_date(self.since.text(), self.tr("From"))
        until = parse_date(self.until.text(), self.tr("Until"))
        return AuditFilter(
            action=self.action.currentData() or None,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            record_id=self.record.text().strip() or None,
        )

    def refresh(self) -> None:
        self._timer.stop()
        if not self.controller.is_unlocked:
            return
        try:
            what = self.current_filter()
        except ValidationError as exc:
            self._problem(exc.message)
            return
        self.problem.hide()
        self._request += 1
        token = self._request
        self.controller.run(
            lambda vault: governance.audit_view(vault, what), lambda v: self._show(token, v), self._failed
        )

    def _show(self, token: int, view: governance.AuditView) -> None:
        if token != self._request:
            return
        self.view = view
        self.model.set_rows(view.entries)
        chosen = self.action.currentData()
        self.action.blockSignals(True)
        self.action.clear()
        self.action.addItem(self.tr("Any action"), "")
        for action in view.actions:
            self.action.addItem(action_label(action), action)
        self.action.setCurrentIndex(max(0, self.action.findData(chosen)))
        self.action.blockSignals(False)
        if view.chain_problem is None:
            self.chain.setText(self.tr("The audit log is whole: every entry is chained to the one before it."))
            self.chain_detail.setText(
                self.tr(
                    "Each entry says what was done, when and to which record id, never to whom. An entry changed, "
                    "added or removed outside CoachDesk would break the chain and show here."
                )
            )
        else:
            self.chain.setText(self.tr("The audit log has been altered: {0}.").format(view.chain_problem))
            self.chain_detail.setText(
                self.tr(
                    "Something other than CoachDesk changed the log. Tell your manager or information governance "
                    "lead; the last backup made before the change holds the log as it was."
                )
            )
        self.chain.setObjectName("calmError" if view.chain_problem else "syncHeadline")
        self.chain.style().unpolish(self.chain)
        self.chain.style().polish(self.chain)
        self.count.setText(self.tr("Showing {0} of {1} entries, newest first.").format(len(view.entries), view.total))
        self.export_button.setEnabled(bool(view.entries))

    def clear_filters(self) -> None:
        for field in (self.since, self.until, self.record):
            field.blockSignals(True)
            field.clear()
            field.blockSignals(False)
        self.action.blockSignals(True)
        self.action.setCurrentIndex(0)
        self.action.blockSignals(False)
        self.refresh()

    def choose_file(self) -> Path | None:
        """A save dialog (tests replace this method)."""
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export the audit log"), "coachdesk-audit-log.csv", self.tr("CSV files (*.csv)")
        )
        return Path(chosen) if chosen else None

    def export_csv(self) -> None:
        try:
            what = self.current_filter()
        except ValidationError as exc:
            self._problem(exc.message)
            return
        path = self.choose_file()
        if path is None:
            return
        self.controller.run(
            lambda vault: governance.export_audit_csv(vault, path, what),
            lambda n: self._exported(path, n),
            self._failed,
        )

    def _exported(self, path: Path, count: int) -> None:
        # The export is itself an audited action: the list shows it once the coach looks again.
        self.count.setText(
            self.tr("{0} written to {1}.").format(counted(count, self.tr("entry"), self.tr("entries")), str(path))
        )

    def _failed(self, exc: Exception) -> None:
        self._problem(exc.message if isinstance(exc, CoachDeskError) else self.tr("The audit log could not be read."))

    def _problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def clear_sensitive(self) -> None:
        self._request += 1
        self._timer.stop()
        self.view = None
        self.model.set_rows([])
        self.chain.clear()
        self.chain_detail.clear()
        self.count.clear()
        self.problem.hide()
