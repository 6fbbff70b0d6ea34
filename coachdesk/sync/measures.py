"""The monthly measures of formats.md §3 for every practice, from an unlocked vault."""

from __future__ import annotations

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.rules import parse_month
from coachdesk.storage.measures import count_measures
from coachdesk.storage.vault import Vault


def compute(vault: Vault, period: str) -> dict[str, dict[str, int]]:
    """practice -> measure -> count for the month `period` (YYYY-MM): every catalogue measure for
    every practice with a participant referred on or before the month's last day, zeros included.
    Job starts are judged against the living wage rates of the vault's programme policy."""
    if not isinstance(period, str) or parse_month(period) is None:
        raise ValidationError("period", f"{period!r} is not a month written YYYY-MM")
    return count_measures(vault.conn, period, list(vault.policy.living_wage))
