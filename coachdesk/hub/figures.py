"""What the programme report and the dashboard show of a summary, in words: the key measures and
their labels, the four trend charts, month names, and how a shown value is written. The PDF and the
dashboard both read this module, so the two always agree on what a column or a chart means."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coachdesk.domain.months import MONTH_ABBREVIATIONS, month_name
from coachdesk.hub.disclosure import SUPPRESSED, Rule, Shown
from coachdesk.hub.summary import ALL, Summary

# A CSV has no null, and neither has a table: an unknown figure is this word, never a blank or 0.
UNKNOWN = "unknown"
NOT_REPORTED = "–"  # a month in which no laptop reported the practice
ALL_PRACTICES = "All practices"

# The measures a programme board looks at first (formats.md §3), in the order they happen.
KEY_MEASURES: tuple[tuple[str, str], ...] = (
    ("referrals_received", "Referrals"),
    ("first_appointments", "First appointments"),
    ("sessions_attended", "Sessions attended"),
    ("sessions_dna", "Sessions not attended (DNA)"),
    ("active_caseload_end", "Caseload at month end"),
    ("job_starts", "Job starts"),
    ("sustained_13_weeks", "Sustained 13 weeks"),
    ("sustained_26_weeks", "Sustained 26 weeks"),
)
KEY_LABELS = dict(KEY_MEASURES)


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[Shown, ...]  # one per month of the chart; "*" and None are gaps, never 0


@dataclass(frozen=True)
class Trend:
    """One trend chart: a title, the months along the bottom, one or two lines."""

    title: str
    months: tuple[str, ...]
    series: tuple[Series, ...]

    @property
    def gaps(self) -> tuple[int, int]:
        """How many points are suppressed and how many unknown (or not reported)."""
        values = [v for s in self.series for v in s.values]
        return sum(v == SUPPRESSED for v in values), sum(v is None for v in values)


# The four trends of issue 6: referrals, attendance, job starts, sustained jobs.
TRENDS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Referrals", (("referrals_received", "Referrals"),)),
    ("Attendance", (("sessions_attended", "Attended"), ("sessions_dna", "Did not attend"))),
    ("Job starts", (("job_starts", "Job starts"),)),
    ("Sustained jobs", (("sustained_13_weeks", "13 weeks"), ("sustained_26_weeks", "26 weeks"))),
)


def trends(summary: Summary, practice: str) -> list[Trend]:
    """The four trend charts of one practice (or ALL) over every month of the summary's range."""
    result = []
    for title, measures in TRENDS:
        series = []
        months: tuple[str, ...] = ()
        for measure, label in measures:
            points = summary.series(practice, measure)
            months = tuple(period for period, _ in points)
            series.append(Series(label, tuple(value for _, value in points)))
        result.append(Trend(title, months, tuple(series)))
    return result


def shown_text(value: Shown) -> str:
    """A figure as a table shows it: the number, "*" (suppressed) or "unknown"."""
    if value is None:
        return UNKNOWN
    if value == SUPPRESSED:
        return SUPPRESSED
    return f"{value:,}" if isinstance(value, int) else str(value)


def month_label(period: str) -> str:
    """2015-04 -> Apr 2015."""
    year, month = period.split("-")
    return f"{MONTH_ABBREVIATIONS[int(month) - 1]} {year}"


def short_month_and_year(period: str, first: bool = False) -> tuple[str, str]:
    """2015-04 -> ("Apr", ""); the year is given for January and for the first month of an axis,
    to be written under the month, so a chart shows where each year starts."""
    year, month = period.split("-")
    return MONTH_ABBREVIATIONS[int(month) - 1], year if first or month == "01" else ""


def range_label(period_from: str, period_to: str) -> str:
    """2015-04, 2016-03 -> April 2015 to March 2016."""
    first = month_name(period_from)
    return first if period_from == period_to else f"{first} to {month_name(period_to)}"


def rule_sentence(rule: Rule) -> str:
    """What the disclosure rule does to the figures, for the reader of a report or the dashboard."""
    if rule.kind == "nhs":
        return "Counts of 1 to 7 are shown as *; every other count is rounded to the nearest 5."
    if rule.kind == "threshold":
        return (
            f"Counts of 1 to {rule.threshold - 1} are shown as *; where that would let a hidden count be worked "
            "out from a total, the next smallest count is hidden too."
            if rule.threshold > 1
            else "Every count is shown exactly (a threshold of 1 hides nothing)."
        )
    return "Exact counts, for analysts inside the data sharing agreement. Not for publication."


def practice_title(code: str, names: Mapping[str, str]) -> str:
    if code == ALL:
        return ALL_PRACTICES
    name = names.get(code)
    return f"{code} – {name}" if name else code
