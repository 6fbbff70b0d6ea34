"""The programme's summary: merged counts after disclosure control. `summarise` is the one function
every output goes through (the API's JSON and CSV, `coachdesk-hub report`, and the PDF and the
dashboard built on it): it reads the merged totals, adds the all-practices total, applies the
disclosure rule, and returns rows that are safe to show under that rule.

Merging (interfaces.md §3): for each device and month only the highest revision counts (the store
keeps that as the device's current bundle); the figure for a practice and measure is the sum over
devices; `ALL` is the sum over practices. A source-suppressed (null) cell makes every sum that
includes it unknown (None), never 0; so does a device whose catalogue lacks the measure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.months import months_between
from coachdesk.domain.rules import parse_month
from coachdesk.hub.disclosure import NOT_FOR_PUBLICATION, Rule, Shown, control
from coachdesk.hub.store import MergedRow, Store

ALL = "ALL"
_PRACTICE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")

Table = dict[tuple[str, str], dict[str, int | None]]  # (period, practice) -> measure -> exact or None


class SummaryRow(NamedTuple):
    """One figure as it may be shown."""

    period: str
    practice: str  # a practice code, or "ALL"
    measure: str
    value: Shown  # an int, "*" (suppressed) or None (unknown)


@dataclass(frozen=True)
class Summary:
    period_from: str
    period_to: str
    rule: Rule
    practice: str | None  # the filter asked for, if any
    rows: tuple[SummaryRow, ...]  # sorted by period, practice (ALL last), measure

    @property
    def publishable(self) -> bool:
        return self.rule.publishable

    @property
    def label(self) -> str | None:
        """What every output of an unpublishable summary must say on it."""
        return None if self.publishable else NOT_FOR_PUBLICATION

    def as_json(self, *, rows: bool = True) -> dict[str, object]:
        """The summary as interfaces.md §3 writes it (`rows=False`: everything but the rows)."""
        result: dict[str, object] = {
            "from": self.period_from,
            "to": self.period_to,
            "sdc": self.rule.text,
            "publishable": self.publishable,
        }
        if rows:
            result["rows"] = [
                {"period": r.period, "practice": r.practice, "measure": r.measure, "value": r.value} for r in self.rows
            ]
        return result

    @cached_property
    def months(self) -> list[str]:
        """Every month from `period_from` to `period_to`, whether reported or not."""
        return months_between(self.period_from, self.period_to)

    @cached_property
    def periods(self) -> list[str]:
        """The months in the rows, sorted."""
        return sorted({r.period for r in self.rows})

    @cached_property
    def practices(self) -> list[str]:
        """Practice codes in the rows, sorted, ALL last."""
        return sorted({r.practice for r in self.rows}, key=_practice_order)

    @cached_property
    def reported(self) -> frozenset[tuple[str, str]]:
        """The (period, practice) pairs some laptop reported; any other is a month not reported."""
        return frozenset((r.period, r.practice) for r in self.rows)

    def value(self, period: str, practice: str, measure: str) -> Shown:
        """One figure (None also when the hub has no such figure: nobody reported it)."""
        return self._index.get((period, practice, measure))

    def series(self, practice: str, measure: str) -> list[tuple[str, Shown]]:
        """(period, shown value) for every month from `period_from` to `period_to`: a month with no
        figure is None. For trend charts."""
        index = self._index
        return [(period, index.get((period, practice, measure))) for period in self.months]

    @cached_property
    def _index(self) -> dict[tuple[str, str, str], Shown]:
        return {(r.period, r.practice, r.measure): r.value for r in self.rows}


def summarise(store: Store, period_from: str, period_to: str, *, rule: Rule, practice: str | None = None) -> Summary:
    """The merged, disclosure-controlled summary of the months `period_from`..`period_to` (YYYY-MM,
    inclusive), optionally only one practice's rows (a practice code, or "ALL" for the totals).
    Raises ValidationError naming `from`, `to` or `practice`."""
    check_range(period_from, period_to)
    if practice is not None and practice != ALL and not _PRACTICE_RE.fullmatch(practice):
        raise ValidationError("practice", "must be a practice code (letters, digits, . _ -) or ALL")
    table = merge(store.merged(period_from, period_to))
    return Summary(period_from, period_to, rule, practice, tuple(controlled_rows(table, rule, practice)))


def check_range(period_from: str, period_to: str) -> None:
    if parse_month(period_from) is None:
        raise ValidationError("from", "must be a month written YYYY-MM")
    if parse_month(period_to) is None:
        raise ValidationError("to", "must be a month written YYYY-MM")
    if period_from > period_to:
        raise ValidationError("to", "must not be before from")


def merge(rows: Iterable[MergedRow]) -> Table:
    """The stored totals as a table with its all-practices rows: (period, practice) -> measure ->
    exact count, or None where the sum is unknown: a null cell entered it, or a device that reports
    the practice lacks the measure (it is on another catalogue version)."""
    table: Table = {}
    measures_of_period: dict[str, set[str]] = {}
    for period, practice, devices, figures in rows:
        table[(period, practice)] = {
            measure: total if unknown == 0 and cells == devices else None
            for measure, (total, unknown, cells) in figures.items()
        }
        measures_of_period.setdefault(period, set()).update(figures)
    for (period, _), values in table.items():
        if len(values) != len(measures_of_period[period]):  # a measure other practices have: unknown here
            for measure in measures_of_period[period]:
                values.setdefault(measure, None)
    totals: Table = {}
    for (period, _), values in table.items():
        total = totals.get((period, ALL))
        if total is None:
            totals[(period, ALL)] = dict(values)
            continue
        for measure, value in values.items():
            before = total[measure]
            total[measure] = None if value is None or before is None else before + value
    table.update(totals)
    return table


def controlled_rows(table: Table, rule: Rule, practice: str | None = None) -> Iterator[SummaryRow]:
    """The table's rows, each through disclosure control, sorted by period, practice (ALL last),
    measure. The filter applies after control, so a practice's figures are the same whether it is
    shown alone or with the others."""
    measure_order: dict[frozenset[str], list[str]] = {}  # rows of one catalogue share one sorted list
    for period, code in sorted(table, key=lambda key: (key[0], _practice_order(key[1]))):
        if practice is not None and code != practice:
            continue
        shown = control(rule, table[(period, code)])
        names = frozenset(shown)
        order = measure_order.get(names)
        if order is None:
            order = measure_order[names] = sorted(names)
        for measure in order:
            yield SummaryRow(period, code, measure, shown[measure])


def _practice_order(code: str) -> tuple[bool, str]:
    return (code == ALL, code)
