"""What the Sync page shows, as words and table models: month names, times of sync, the state of
each month, and the cells of a bundle with a plain-English line for each measure.

The measure column always shows the exact name that leaves the laptop; the plain-English line
beside it is for the coach only and is never sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QFontDatabase

from coachdesk.domain.bundle import Cell
from coachdesk.domain.clock import UTC_FORMAT
from coachdesk.domain.months import MONTH_NAMES
from coachdesk.domain.policy import Policy
from coachdesk.domain.vocabulary import (
    AgeBand,
    Benefit,
    ClosureReason,
    ConditionCategory,
    EmploymentStatus,
    ReferralSource,
    Vocabulary,
)
from coachdesk.sync.outbox import FAILED, PENDING, SENT, OutboxMonth
from coachdesk.ui.formats import british_date, stored_label

_ModelIndex = QModelIndex | QPersistentModelIndex
_CONTEXT = "SyncPage"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


# -- words ----------------------------------------------------------------------------------------
def month_name(period: str) -> str:
    """'2015-11' -> 'November 2015' (British English, whatever the computer's locale)."""
    year, _, month = period.partition("-")
    try:
        return f"{_tr(MONTH_NAMES[int(month) - 1])} {year}"
    except (ValueError, IndexError):
        return period


def _local(stamp: str | None) -> datetime | None:
    """A stored UTC stamp as this laptop's local time."""
    if not stamp:
        return None
    try:
        return datetime.strptime(stamp, UTC_FORMAT).replace(tzinfo=UTC).astimezone()
    except ValueError:
        return None


def local_time(stamp: str | None) -> str:
    """'23 Nov 2026 at 14:05' in this laptop's time; empty for None."""
    moment = _local(stamp)
    if moment is None:
        return stamp or ""
    return _tr("{0} at {1}").format(british_date(moment.date()), moment.strftime("%H:%M"))


def local_day(stamp: str | None) -> str:
    """'23 Nov 2026'."""
    moment = _local(stamp)
    return british_date(moment.date()) if moment else ""


def local_clock(stamp: str | None) -> str:
    """'14:05'."""
    moment = _local(stamp)
    return moment.strftime("%H:%M") if moment else ""


def state_label(state: str) -> str:
    return {PENDING: _tr("Pending"), SENT: _tr("Sent"), FAILED: _tr("Failed")}.get(state, state)


def short_receipt(receipt: str | None) -> str:
    """The first 12 hex digits: enough to match a receipt by eye; the tooltip has all 64."""
    return f"{receipt[:12]}…" if receipt and len(receipt) > 12 else receipt or ""


def _full_stop(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else f"{text}."


def month_explanation(month: OutboxMonth) -> str:
    """One or two sentences on where a month stands, for the detail line under the table."""
    name = month_name(month.period)
    if month.state == SENT:
        return _tr("{0}, revision {1}: sent {2}. The hub's receipt is {3}.").format(
            name, month.revision, local_time(month.sent_at), month.receipt or ""
        )
    if month.state == FAILED:
        return _tr("{0}, revision {1}: refused by the hub. {2} Sync now tries it again.").format(
            name, month.revision, _full_stop(month.reason or "")
        )
    if month.reason:
        return _tr("{0}, revision {1}: waiting to be sent. Last try: {2}").format(
            name, month.revision, _full_stop(month.reason)
        )
    return _tr("{0}, revision {1}: waiting to be sent; not tried yet.").format(name, month.revision)


# What each plain measure counts, in a few words (formats.md §3 has the rule for each).
_PLAIN: dict[str, str] = {
    "referrals_received": "Referrals received",
    "first_appointments": "People at their first appointment",
    "sessions_attended": "Sessions attended",
    "sessions_dna": "Sessions not attended (DNA)",
    "sessions_cancelled": "Sessions cancelled",
    "active_caseload_end": "Caseload at the end of the month",
    "skills_inventories_completed": "Skills inventories completed",
    "goals_set": "Goals set",
    "goals_achieved": "Goals achieved",
    "action_plans_issued": "Action plans issued",
    "employer_contacts": "Employer contacts",
    "job_starts": "Job starts",
    "job_starts_16h_plus": "Job starts, 16 hours a week or more",
    "job_starts_under_16h": "Job starts, under 16 hours a week",
    "job_starts_paid_llw": "Job starts paid the London Living Wage or more",
    "first_job_starts": "People starting their first job",
    "self_employment_starts": "Self-employment starts",
    "education_starts": "Education or course starts",
    "volunteering_starts": "Volunteering starts",
    "jobs_retained": "Jobs retained",
    "sustained_13_weeks": "Jobs sustained 13 weeks",
    "sustained_26_weeks": "Jobs sustained 26 weeks",
    "left_out_of_work_benefits": "People who left out-of-work benefits",
}
# Each group of the catalogue: its words, and how a member reads.
_GROUPS: dict[str, tuple[type[Vocabulary] | None, str]] = {
    "referrals_by_source": (ReferralSource, "Referrals from: {0}"),
    "new_by_benefit": (Benefit, "New referrals on a benefit: {0}"),
    "new_by_condition": (ConditionCategory, "New referrals with a health condition: {0}"),
    "new_by_employment_status": (EmploymentStatus, "New referrals by employment: {0}"),
    "new_by_age_band": (AgeBand, "New referrals aged {0}"),
    "first_employer_contact": (None, "First employer contact {0} of referral"),
    "closures": (ClosureReason, "Cases closed: {0}"),
}
_CONTACT_BANDS = {"within_30_days": "within 30 days", "days_31_60": "31–60 days", "over_60_days": "over 60 days"}


def measure_label(measure: str) -> str:
    """A catalogue measure in plain English; a name this version does not know is shown as it is."""
    if measure in _PLAIN:
        return _tr(_PLAIN[measure])
    prefix, _, word = measure.partition(".")
    if prefix not in _GROUPS or not word:
        return measure
    kind, pattern = _GROUPS[prefix]
    if kind is None:
        shown = _tr(_CONTACT_BANDS.get(word, word))
    elif kind is AgeBand:
        shown = stored_label(kind, word)
    else:
        shown = stored_label(kind, word).lower() if kind is ClosureReason else stored_label(kind, word)
    return _tr(pattern).format(shown)


# -- models ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Column:
    title: str
    align_right: bool = False


class _TextTable(QAbstractTableModel):
    """A small read-only table of display text, replaced whole; tooltips where a cell is shortened."""

    def __init__(self, columns: list[_Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.rows: list[tuple[str, ...]] = []
        self.tips: list[tuple[str, ...]] = []

    def _replace(self, rows: list[tuple[str, ...]], tips: list[tuple[str, ...]]) -> None:
        self.beginResetModel()
        self.rows, self.tips = rows, tips
        self.endResetModel()

    def clear(self) -> None:
        self._replace([], [])

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def text(self, row: int, column: int) -> str:
        return self.rows[row][column]

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[row][column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tips[row][column] or self.rows[row][column] or None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.columns[column].title}: {self.tips[row][column] or self.rows[row][column]}"
        if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[column].align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[section].align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class MonthsModel(_TextTable):
    """Every month built so far, oldest first: its revision, state, when it was sent, its receipt."""

    MONTH, REVISION, STATE, SENT_AT, RECEIPT, REASON = range(6)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [
                _Column(_tr("Month")),
                _Column(_tr("Revision"), align_right=True),
                _Column(_tr("State")),
                _Column(_tr("Sent")),
                _Column(_tr("Receipt")),
                _Column(_tr("Reason")),
            ],
            parent,
        )
        self.months: list[OutboxMonth] = []

    def set_months(self, months: list[OutboxMonth]) -> None:
        self.months = list(months)
        rows, tips = [], []
        for m in self.months:
            answer = m.reason or ""
            rows.append(
                (
                    month_name(m.period),
                    str(m.revision),
                    state_label(m.state),
                    local_time(m.sent_at),
                    short_receipt(m.receipt),
                    answer,
                )
            )
            tips.append(("", "", month_explanation(m), "", m.receipt or "", answer))
        self._replace(rows, tips)

    def clear(self) -> None:
        self.months = []
        super().clear()

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A refused month is said in words and also in bold, so it stands out without colour.
        if (
            role == Qt.ItemDataRole.FontRole
            and index.isValid()
            and index.column() == self.STATE
            and self.months[index.row()].state == FAILED
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.FontRole and index.isValid() and index.column() == self.RECEIPT:
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        return super().data(index, role)


class CellsModel(_TextTable):
    """The cells of one bundle, exactly as they leave, under a heading row for each practice.

    A practice column repeated on every row left too little room for the words on a 1200-pixel
    window; a heading per practice (its code, which is what is sent, and its name) reads better.
    The value sits beside its measure, where the eye looks for it; the plain-English line last,
    as the coach's reading aid and the one column that may be cut short."""

    MEASURE, VALUE, MEANING = range(3)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [
                _Column(_tr("Measure (as sent)")),
                _Column(_tr("Value"), align_right=True),
                _Column(_tr("What it counts")),
            ],
            parent,
        )
        self.cells: list[Cell] = []
        self._cell_of_row: list[Cell | None] = []  # None: a practice's heading row

    def set_cells(self, cells: list[Cell], policy: Policy, suppression: int) -> None:
        self.cells = list(cells)
        suppressed = _tr("suppressed (fewer than {0})").format(suppression)
        null_tip = _tr("Sent as null: the count is from 1 to {0}, too few to send.").format(suppression - 1)
        rows: list[tuple[str, ...]] = []
        tips: list[tuple[str, ...]] = []
        self._cell_of_row = []
        practices = [c.practice for c in self.cells]
        for c in self.cells:
            if not self._cell_of_row or self._cell_of_row[-1] is None or self._cell_of_row[-1].practice != c.practice:
                name = policy.practice_name(c.practice)
                heading = c.practice if name == c.practice else f"{c.practice}  {name}"
                count = practices.count(c.practice)
                rows.append((_tr("{0}  ·  {1} cells").format(heading, count), "", ""))
                tips.append((_tr("Only the code {0} is sent, not the practice's name.").format(c.practice), "", ""))
                self._cell_of_row.append(None)
            value = suppressed if c.value is None else str(c.value)
            rows.append((c.measure, value, measure_label(c.measure)))
            tips.append(("", null_tip if c.value is None else "", ""))
            self._cell_of_row.append(c)
        self._replace(rows, tips)

    @property
    def heading_rows(self) -> list[int]:
        return [row for row, cell in enumerate(self._cell_of_row) if cell is None]

    def cell_at(self, row: int) -> Cell | None:
        """The cell shown on `row`; None for a practice's heading."""
        return self._cell_of_row[row]

    def clear(self) -> None:
        self.cells = []
        self._cell_of_row = []
        super().clear()

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if index.isValid() and self._cell_of_row[index.row()] is None:
            return Qt.ItemFlag.ItemIsEnabled  # a heading: not a cell, so not selectable
        return super().flags(index)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._cell_of_row):
            return None
        cell = self._cell_of_row[index.row()]
        if role == Qt.ItemDataRole.FontRole:
            if cell is None:
                font = QFont()
                font.setBold(True)
                return font
            if index.column() == self.MEASURE:
                return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        if role == Qt.ItemDataRole.AccessibleTextRole and cell is not None:
            # A screen reader hears the whole cell as it leaves: practice, measure, value.
            return _tr("{0}, {1}: {2}").format(cell.practice, cell.measure, self.rows[index.row()][self.VALUE])
        return super().data(index, role)
