"""The "Distance travelled" view: per skill, first confidence → latest with the change; skills
added; barriers removed and added. Compares the saved inventories."""

from __future__ import annotations

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.model import SkillsInventory
from coachdesk.ui.formats import british_date
from coachdesk.ui.record.distance import DistanceTravelled, distance_travelled, signed
from coachdesk.ui.record.fields import empty_state, section_title


class DistanceView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.result: DistanceTravelled | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Distance travelled summary"))
        self.model = QStandardItemModel(0, 4, self)
        self.model.setHorizontalHeaderLabels(
            [self.tr("Skill"), self.tr("First confidence"), self.tr("Latest confidence"), self.tr("Change")]
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Confidence in each skill, first and latest"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.removed = QLabel()
        self.removed.setWordWrap(True)
        self.removed.setAccessibleName(self.tr("Barriers no longer listed"))
        self.added = QLabel()
        self.added.setWordWrap(True)
        self.added.setAccessibleName(self.tr("New barriers"))

        shown = QWidget()
        layout = QVBoxLayout(shown)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.table, 3)
        barriers = QVBoxLayout()
        barriers.addWidget(section_title(self.tr("Barriers overcome")))
        barriers.addWidget(self.removed)
        barriers.addWidget(section_title(self.tr("New barriers")))
        barriers.addWidget(self.added)
        barriers.addStretch(1)
        row.addLayout(barriers, 2)
        layout.addLayout(row, 1)

        self.empty = empty_state(
            self.tr(
                "Distance travelled appears once a second inventory has been saved. At a later review, use "
                "“Record a new inventory”, update the confidence ratings with the participant, and save."
            )
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(shown)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    def show_history(self, history: list[SkillsInventory]) -> None:
        self.result = distance_travelled(history)
        self.model.removeRows(0, self.model.rowCount())
        result = self.result
        if result is None:
            self.stack.setCurrentWidget(self.empty)
            self.summary.clear()
            self.removed.clear()
            self.added.clear()
            return
        self.stack.setCurrentIndex(1)
        for s in result.skills:
            first = "" if s.first is None else str(s.first)
            latest = "" if s.latest is None else str(s.latest)
            if s.change is not None:
                change = self.tr("no change") if s.change == 0 else signed(s.change)
            elif s.first is None:
                change = self.tr("added")
            else:
                change = self.tr("no longer listed")
            self.model.appendRow([QStandardItem(text) for text in (s.name, first, latest, change)])
        self.summary.setText(
            self.tr(
                "From {0} to {1} ({2} inventories): confidence rose in {3} skill(s) and fell in {4}; "
                "{5} skill(s) added."
            ).format(
                british_date(result.first_on),
                british_date(result.latest_on),
                result.inventories,
                result.rose,
                result.fell,
                len(result.skills_added),
            )
        )
        self.removed.setText("\n".join(f"• {b}" for b in result.barriers_removed) or self.tr("None"))
        self.added.setText("\n".join(f"• {b}" for b in result.barriers_added) or self.tr("None"))

    def clear(self) -> None:
        self.show_history([])
