"""The caseload table's model: a list of ParticipantSummary rows read on the worker thread.

The list is replaced whole (beginResetModel/endResetModel) and sorted in Python, which keeps
10,000 rows instant: the view asks `data()` only for the rows on screen, and nothing here touches
the vault."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QPalette

from coachdesk.domain.model import ParticipantSummary
from coachdesk.ui.formats import british_date, spaced_nhs_number

Index = QModelIndex | QPersistentModelIndex


@functools.lru_cache(maxsize=100_000)
def _folded(text: str) -> str:
    """Accents set aside for ordering, as a printed register would: Bùi sorts with Bui, before Byrne."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def sort_name(s: ParticipantSummary) -> tuple[str, str, str, str]:
    return (_folded(s.family_name), _folded(s.given_name), s.family_name, s.id)


def _isolated(name: str) -> str:
    """A right-to-left name (Arabic, Hebrew) as its own bidi run, so "family, given" keeps its order."""
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in name):
        return f"\u2068{name}\u2069"  # FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE
    return name


def listed_name(s: ParticipantSummary) -> str:
    """Family name first, as the list is sorted; the preferred name in brackets when it differs."""
    name = f"{_isolated(s.family_name)}, {_isolated(s.given_name)}"
    if s.preferred_name and s.preferred_name != s.given_name:
        name += f" ({_isolated(s.preferred_name)})"
    return name


class RowsModel(QAbstractTableModel):
    """A small read-only table over a list replaced whole: subclasses set `headers` and give `data`
    (the Today lists, the retention list, the audit log)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.headers: list[str] = []
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None


class Column(IntEnum):
    NAME = 0
    BIRTH = 1
    NHS_NUMBER = 2
    PRACTICE = 3
    REFERRED = 4
    STATUS = 5


class CaseloadModel(QAbstractTableModel):
    """Rows of the caseload; `Qt.UserRole` of any cell is the participant's id."""

    ID_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ParticipantSummary] = []
        self._practice_names: dict[str, str] = {}
        self._sort_column = Column.NAME
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._headers = (
            self.tr("Name"),
            self.tr("Date of birth"),
            self.tr("NHS number"),
            self.tr("Practice"),
            self.tr("Referred"),
            self.tr("Status"),
        )
        self._open_text = self.tr("Open")
        self._closed_text = self.tr("Closed")

    # -- filling ------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[ParticipantSummary]) -> None:
        """Show `rows` (kept in the order of the current sort column)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._rows.sort(key=self._key(self._sort_column), reverse=self._descending)
        self.endResetModel()

    def set_practice_names(self, names: Mapping[str, str]) -> None:
        self._practice_names = dict(names)
        if self._rows:
            self.dataChanged.emit(self.index(0, Column.PRACTICE), self.index(len(self._rows) - 1, Column.PRACTICE))

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def summary(self, row: int) -> ParticipantSummary:
        return self._rows[row]

    def participant_id(self, row: int) -> str:
        return self._rows[row].id

    def row_of(self, participant_id: str) -> int:
        """The row showing `participant_id`, or -1."""
        return next((i for i, s in enumerate(self._rows) if s.id == participant_id), -1)

    # -- QAbstractTableModel --------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(Column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(s, column)
        if role == self.ID_ROLE:
            return s.id
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.STATUS and s.closed_on:
            return self.tr("Closed on {0}").format(british_date(s.closed_on))
        if role == Qt.ItemDataRole.ForegroundRole and s.closed_on is not None:
            # Closed cases stay findable but recede, so the open caseload is what the eye meets.
            return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return None

    def _display(self, s: ParticipantSummary, column: int) -> str:
        if column == Column.NAME:
            return listed_name(s)
        if column == Column.BIRTH:
            return british_date(s.date_of_birth)
        if column == Column.NHS_NUMBER:
            return spaced_nhs_number(s.nhs_number)
        if column == Column.PRACTICE:
            return self._practice_names.get(s.practice, s.practice)
        if column == Column.REFERRED:
            return british_date(s.referral_date)
        if column == Column.STATUS:
            return self._open_text if s.closed_on is None else self._closed_text
        return ""

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return self._headers[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(Column):
            return
        self._sort_column = Column(column)
        self._sort_order = order
        if not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        # Keep the selection and current row on the same participants across the sort.
        persistent = self.persistentIndexList()
        ids = [self._rows[i.row()].id if 0 <= i.row() < len(self._rows) else None for i in persistent]
        self._rows.sort(key=self._key(self._sort_column), reverse=self._descending)
        where = {s.id: row for row, s in enumerate(self._rows)} if persistent else {}
        moved = [
            self.index(where[pid], old.column()) if pid in where else QModelIndex()
            for pid, old in zip(ids, persistent, strict=True)
        ]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    @property
    def _descending(self) -> bool:
        return self._sort_order == Qt.SortOrder.DescendingOrder

    def _key(self, column: Column) -> Callable[[ParticipantSummary], Any]:
        """Sort keys compare the underlying values (dates as dates), then fall back to the name."""
        if column == Column.BIRTH:
            return lambda s: (s.date_of_birth, sort_name(s))
        if column == Column.NHS_NUMBER:
            return lambda s: (s.nhs_number is None, s.nhs_number or "", sort_name(s))
        if column == Column.PRACTICE:
            names = self._practice_names
            return lambda s: (names.get(s.practice, s.practice).casefold(), sort_name(s))
        if column == Column.REFERRED:
            return lambda s: (s.referral_date, sort_name(s))
        if column == Column.STATUS:
            return lambda s: (s.closed_on is not None, s.closed_on or date.min, sort_name(s))
        return sort_name
