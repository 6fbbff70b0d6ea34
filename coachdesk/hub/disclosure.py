"""Disclosure control (formats.md §4): the rules that turn exact merged counts into figures that may
be shown. Only `summary.summarise` calls `control`; every output (JSON, CSV, PDF, dashboard) is
built from its result, so no figure can leave the hub without passing through here.

A shown value is an int, `SUPPRESSED` ("*"), or None (unknown: a source-suppressed cell entered
the sum; never treated as 0)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.measures import EXCLUSIVE_SPLITS, GROUPS

SUPPRESSED = "*"
NOT_FOR_PUBLICATION = "not for publication"

Shown = int | str | None
RuleKind = Literal["nhs", "threshold", "none"]

# NHS Digital's rule for sub-national counts: 1 to 7 suppressed, everything else to the nearest 5.
_NHS_SMALL = 7
_NHS_ROUND = 5
MAX_THRESHOLD = 100
_THRESHOLD_RE = re.compile(r"threshold:([0-9]{1,3})")


@dataclass(frozen=True, slots=True)
class Rule:
    kind: RuleKind
    threshold: int = 0  # N of threshold:N

    @property
    def text(self) -> str:
        """The rule as the operator writes it: nhs, threshold:N, none."""
        return f"threshold:{self.threshold}" if self.kind == "threshold" else self.kind

    @property
    def publishable(self) -> bool:
        return self.kind != "none"


NHS = Rule("nhs")
NONE = Rule("none")


def parse_rule(text: str, path: str = "sdc") -> Rule:
    if text == "nhs":
        return NHS
    if text == "none":
        return NONE
    match = _THRESHOLD_RE.fullmatch(text)
    if match and 1 <= int(match.group(1)) <= MAX_THRESHOLD:
        return Rule("threshold", int(match.group(1)))
    raise ValidationError(path, f"must be nhs, threshold:N (N from 1 to {MAX_THRESHOLD}) or none")


def _nhs(value: int) -> Shown:
    if value == 0:
        return 0
    if value <= _NHS_SMALL:
        return SUPPRESSED
    # Integers never fall half-way between two multiples of 5, so there is no tie to break.
    return _NHS_ROUND * ((value + _NHS_ROUND // 2) // _NHS_ROUND)


def control(rule: Rule, row: Mapping[str, int | None]) -> dict[str, Shown]:
    """One row of the table (one practice, or ALL, in one month: measure -> exact count or None)
    as it may be shown under `rule`."""
    if rule.kind == "none":
        return dict(row)
    if rule.kind == "nhs":
        # Rounding every figure to 5 already blurs the totals: no secondary suppression.
        return {measure: None if value is None else _nhs(value) for measure, value in row.items()}
    small = rule.threshold
    shown: dict[str, Shown] = {
        measure: SUPPRESSED if value is not None and 0 < value < small else value for measure, value in row.items()
    }
    _secondary(shown)
    return shown


def _secondary(shown: dict[str, Shown]) -> None:
    """threshold:N's second step: where an exclusive split has exactly one `*` and the measure it
    sums to is shown, the one hidden member could be worked out by subtraction, so the smallest
    other non-zero member is hidden too. Groups that are not exclusive splits (a participant may
    count under several benefits) have no total to subtract from. Each measure is in one group
    and a total is never a member, so one pass is enough."""
    for group, total in EXCLUSIVE_SPLITS.items():
        if not isinstance(shown.get(total), int):
            continue  # suppressed or unknown: nothing to subtract from
        members = [m for m in GROUPS[group] if m in shown]
        if sum(shown[m] == SUPPRESSED for m in members) != 1:
            continue
        others = [(value, m) for m in members if isinstance(value := shown[m], int) and value > 0]
        if others:
            # Ties go to the first in catalogue order, so the choice is the same every time.
            smallest = min(others, key=lambda pair: pair[0])
            shown[smallest[1]] = SUPPRESSED
