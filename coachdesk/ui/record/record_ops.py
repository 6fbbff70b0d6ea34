"""Work the record page runs on the vault's thread: load a record with its inventory history, and
save an edited record. Plain functions of an unlocked vault returning plain data (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coachdesk.domain.model import Participant, SkillsInventory
from coachdesk.services import caseload
from coachdesk.storage.vault import Vault


@dataclass(frozen=True)
class RecordData:
    participant: Participant
    history: list[SkillsInventory]


def load_record(vault: Vault, participant_id: str) -> RecordData:
    return RecordData(caseload.load(vault, participant_id), caseload.inventory_history(vault, participant_id))


def save_record(vault: Vault, edited: Participant, today: date) -> RecordData:
    """Write the edited record and read it back as stored.

    The page does not edit the action plans issued; printing adds to them while the record is
    open, so the vault's list is kept rather than the one read when the page opened."""
    edited.action_plans_issued = caseload.load(vault, edited.id).action_plans_issued
    caseload.save_record(vault, edited, today)
    return load_record(vault, edited.id)
