"""What every tab of the participant record does, so the page can load, save, guard and clear
them alike. A tab edits its part of a `Participant` held by the page; the page writes the whole
record in one transaction when the coach saves (Ctrl+S)."""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.model import Participant, SkillsInventory
from coachdesk.domain.policy import Policy

_SEGMENT = re.compile(r"([A-Za-z_]+)(?:\[([0-9]+)\])?")


def split_path(path: str) -> list[tuple[str, int | None]]:
    """ "goals[1].steps[0].text" → [("goals", 1), ("steps", 0), ("text", None)]."""
    parts: list[tuple[str, int | None]] = []
    for piece in path.split("."):
        m = _SEGMENT.fullmatch(piece)
        if not m:
            return parts
        parts.append((m.group(1), int(m.group(2)) if m.group(2) is not None else None))
    return parts


class RecordTab(QWidget):
    """Base class of the record's tabs.

    - `load` fills the widgets from the record (called on the GUI thread with data the worker read).
    - `apply` writes the widgets' values back into the record; raise ValidationError naming the
      field (its `path` like "sessions[2].minutes") when a value is not acceptable.
    - `clear` empties every widget that showed participant data (called when the vault locks).
    - `changed` is emitted on every edit, so the page knows there is something to save.
    - `prefixes` are the record's top-level keys this tab edits; `focus_path` shows the widget
      for a ValidationError's path and returns the field's name for the message (None if unknown).
    """

    changed = Signal()
    title = "Tab"
    prefixes: tuple[str, ...] = ()

    def load(self, participant: Participant, history: list[SkillsInventory], policy: Policy) -> None:
        raise NotImplementedError

    def apply(self, participant: Participant) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def owns(self, path: str) -> bool:
        parts = split_path(path)
        return bool(parts) and parts[0][0] in self.prefixes

    def focus_path(self, path: str) -> str | None:
        return None

    def describe_problem(self, error: ValidationError) -> str | None:
        """Show the field of `error` and return the coach's sentence for it (None if not here)."""
        label = self.focus_path(error.path)
        return f"{label}: {error.problem}" if label else None
