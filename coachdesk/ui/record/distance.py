"""Distance travelled: what changed between a participant's first and latest skills inventories.
Plain Python (no Qt), so the comparison can be tested and reused by printing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coachdesk.domain.model import SkillsInventory


@dataclass(frozen=True)
class SkillChange:
    name: str
    first: int | None  # None: the skill was added after the first inventory
    latest: int | None  # None: no longer listed in the latest inventory

    @property
    def change(self) -> int | None:
        if self.first is None or self.latest is None:
            return None
        return self.latest - self.first


@dataclass(frozen=True)
class DistanceTravelled:
    first_on: date
    latest_on: date
    inventories: int
    skills: list[SkillChange]
    barriers_removed: list[str]
    barriers_added: list[str]
    barriers_kept: list[str]

    @property
    def skills_added(self) -> list[str]:
        return [s.name for s in self.skills if s.first is None]

    @property
    def rose(self) -> int:
        return sum(1 for s in self.skills if (s.change or 0) > 0)

    @property
    def fell(self) -> int:
        return sum(1 for s in self.skills if (s.change or 0) < 0)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def distance_travelled(history: list[SkillsInventory]) -> DistanceTravelled | None:
    """Compare the first and latest of `history` (oldest first); None with fewer than two."""
    if len(history) < 2:
        return None
    first, latest = history[0], history[-1]
    before = {_key(s.name): s for s in first.skills}
    after = {_key(s.name): s for s in latest.skills}
    changes = [
        SkillChange(s.name, s.confidence, after[k].confidence if k in after else None) for k, s in before.items()
    ]
    changes += [SkillChange(s.name, None, s.confidence) for k, s in after.items() if k not in before]
    old_barriers = {_key(b): b for b in first.barriers}
    new_barriers = {_key(b): b for b in latest.barriers}
    return DistanceTravelled(
        first_on=first.completed_on,
        latest_on=latest.completed_on,
        inventories=len(history),
        skills=changes,
        barriers_removed=[b for k, b in old_barriers.items() if k not in new_barriers],
        barriers_added=[b for k, b in new_barriers.items() if k not in old_barriers],
        barriers_kept=[b for k, b in new_barriers.items() if k in old_barriers],
    )


def signed(change: int) -> str:
    """+2, −1 (a true minus sign), 0."""
    if change > 0:
        return f"+{change}"
    if change < 0:
        return f"\u2212{-change}"
    return "0"
