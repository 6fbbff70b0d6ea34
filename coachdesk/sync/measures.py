"""The monthly measures of formats.md §3 for every practice, from an unlocked vault."""

from __future__ import annotations

from collections.abc import Sequence

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.rules import parse_month
from coachdesk.storage.measures import count_measures_by_month
from coachdesk.storage.vault import Vault


def _check_period(period: object) -> None:
    if not isinstance(period, str) or parse_month(period) is None:
        raise ValidationError("period", f"{period!r} is not a month written YYYY-MM")


def compute(vault: Vault, period: str) -> dict[str, dict[str, int]]:
    """practice -> measure -> count for the month `period` (YYYY-MM): every catalogue measure for
    every practice with a participant referred on or before the month's last day, zeros included.
    Job starts are judged against the living wage rates of the vault's programme policy."""
    return compute_months(vault, [period])[period]


def compute_months(vault: Vault, periods: Sequence[str]) -> dict[str, dict[str, dict[str, int]]]:
    """period -> practice -> measure -> count for every month in `periods` (YYYY-MM), each exactly
    what `compute` gives for it, read in one pass over the months (the months from the earliest to
    the latest are read, so ask for the months you need rather than a few far apart)."""
    if isinstance(periods, str):  # a single month is a Sequence of characters: say so plainly
        raise ValidationError("period", "give a list of months, not one month")
    for period in periods:
        _check_period(period)
    return count_measures_by_month(vault.conn, periods, list(vault.policy.living_wage))
