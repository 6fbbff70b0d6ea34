"""Retention: closed cases whose closure date plus the programme's retention period has passed,
listed by name so the coach can see what will go, and erased together after one confirmation
naming the count. The erasure runs on the vault worker with progress (services/governance.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.errors import CoachDeskError
from coachdesk.domain.model import ParticipantSummary
from coachdesk.services import governance
from coachdesk.ui.backups_tab import button_row, card, counted, wrapped
from coachdesk.ui.caseload_model import Index, RowsModel, listed_name
from coachdesk.ui.controller import AppController
from coachdesk.ui.formats import british_date


class DueModel(RowsModel):
    rows: list[ParticipantSummary]

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.headers = [self.tr("Name"), self.tr("Date of birth"), self.tr("Practice"), self.tr("Closed on")]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        s = self.rows[index.row()]
        column = index.column()
        if column == 0:
            return listed_name(s)
        if column == 1:
            return british_date(s.date_of_birth)
        if column == 2:
            return self.controller.policy.practice_name(s.practice)
        return british_date(s.closed_on)


class RetentionTab(QWidget):
    erased = Signal(int)

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._due = 0
        self._request = 0

        self.headline = wrapped(name="syncHeadline")
        self.headline.setAccessibleName(self.tr("Cases past their retention period"))
        self.rule = wrapped(name="smallPrint")
        self.erase_button = QPushButton()
        self.erase_button.clicked.connect(self.erase_due)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Erasure progress"))
        self.progress.hide()
        self.activity = wrapped()
        self.activity.hide()
        self.problem = wrapped(name="calmError")
        self.problem.hide()
        self.model = DueModel(controller, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Cases to be erased"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(
            card(self.headline, self.rule, button_row(self.erase_button), self.progress, self.activity, self.problem)
        )
        layout.addWidget(self.table, 1)
        self._show_count([], 0)

    def refresh(self) -> None:
        if not self.controller.is_unlocked:
            return
        self._request += 1
        token, today = self._request, date.today()
        self.controller.run(
            lambda vault: governance.past_retention(vault, today),
            lambda rows: self._loaded(token, rows),
            self._failed,
        )

    def _loaded(self, token: int, rows: list[ParticipantSummary]) -> None:
        if token == self._request:
            self._show_count(rows, self.controller.policy.retention_years_after_closure)

    def _show_count(self, rows: list[ParticipantSummary], years: int) -> None:
        self._due = len(rows)
        self.model.set_rows(rows)
        if years:
            self.rule.setText(
                self.tr(
                    "Your programme keeps a closed case for {0} after its closure date; after that it must be "
                    "erased. Erasing removes every record about the person from this vault; the monthly counts "
                    "already sent are not changed."
                ).format(counted(years, self.tr("year"), self.tr("years")))
            )
        if rows:
            self.headline.setText(self._cases_past(len(rows)))
        else:
            self.headline.setText(self.tr("No closed case is past its retention period."))
        self.erase_button.setText(
            self.tr("&Erase {0}…").format(self._records(len(rows))) if rows else self.tr("&Erase records…")
        )
        self.erase_button.setEnabled(bool(rows))
        self.table.setVisible(bool(rows))
        if rows:
            for column in range(self.model.columnCount() - 1):
                self.table.resizeColumnToContents(column)
                self.table.setColumnWidth(column, self.table.columnWidth(column) + 24)

    def _records(self, n: int) -> str:
        return counted(n, self.tr("record"), self.tr("records"))

    def _cases_past(self, n: int) -> str:
        if n == 1:
            return self.tr("1 closed case is past its retention period.")
        return self.tr("{0} closed cases are past their retention period.").format(n)

    def confirm(self, count: int) -> bool:
        """Ask, naming the count (tests replace this method)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Erase records"))
        box.setText(
            self.tr("Erase {0} past their retention period?").format(
                counted(count, self.tr("closed case"), self.tr("closed cases"))
            )
        )
        box.setInformativeText(
            self.tr(
                "Every record about these people leaves this vault and cannot be brought back. Backups made "
                "before today still hold them until they are replaced."
            )
        )
        erase = box.addButton(self.tr("Erase {0}").format(self._records(count)), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is erase

    def erase_due(self) -> None:
        count = self._due
        if not count or not self.confirm(count):
            return
        today = date.today()
        self.erase_button.setEnabled(False)
        self.problem.hide()
        self.progress.setRange(0, count)
        self.progress.setValue(0)
        self.progress.show()
        self.activity.setText(self.tr("Erasing, then rewriting the vault's file so nothing is left behind…"))
        self.activity.show()
        self.controller.worker.run(
            lambda holder: governance.erase_past_retention(holder.require(), today, count, holder.progress),
            on_done=self._erased,
            on_error=self._failed,
            on_progress=lambda done, total: self.progress.setValue(done),
        )

    def _erased(self, count: int) -> None:
        self.progress.hide()
        self.activity.setText(self.tr("{0} erased.").format(self._records(count)).capitalize())
        self.activity.show()
        self.erased.emit(count)
        self.refresh()

    def _failed(self, exc: Exception) -> None:
        self.progress.hide()
        self.activity.hide()
        self.problem.setText(exc.message if isinstance(exc, CoachDeskError) else self.tr("Nothing was erased."))
        self.problem.show()
        self.erase_button.setEnabled(self._due > 0)

    def clear_sensitive(self) -> None:
        self._request += 1
        self._show_count([], 0)
        self.rule.clear()
        self.activity.hide()
        self.problem.hide()
        self.progress.hide()
