"""The coach's caseload use cases, shared by the desktop app and the command line.

Each function takes an unlocked vault, checks what it is given with the domain rules and writes
in one transaction with its audit entry. Listeners registered with `events` hear about changes
(the desktop app turns them into Qt signals)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from coachdesk.domain.checks import check_participant
from coachdesk.domain.model import Participant, ParticipantSummary, SkillsInventory
from coachdesk.services import events
from coachdesk.storage import audit, diary, participants, search
from coachdesk.storage.vault import Vault

NOT_SEEN_WEEKS = 4
STEPS_AHEAD_DAYS = 7


def possible_duplicates(vault: Vault, p: Participant) -> list[ParticipantSummary]:
    """Other participants with the same name and date of birth: the coach decides."""
    ids = participants.same_name_and_birth(vault.conn, p.given_name, p.family_name, p.date_of_birth, p.id)
    return participants.summaries_for(vault.conn, ids)


def register(vault: Vault, p: Participant, today: date) -> None:
    """Add a new participant (raises ValidationError naming the field)."""
    _save_checked(vault, p, today, "participant.created")


def save_record(vault: Vault, p: Participant, today: date) -> None:
    """Write the whole record of an existing participant as edited."""
    _save_checked(vault, p, today, "participant.updated")


def _save_checked(vault: Vault, p: Participant, today: date, action: str) -> None:
    """Check the whole record, write it with its audit entry in one transaction, then announce it."""
    check_participant(p, vault.policy.practice_codes, today)
    with vault.transaction() as conn:
        participants.save(conn, p)
        audit.record(conn, action, p.id)
    events.emit(events.PARTICIPANT_CHANGED, p.id)


def load(vault: Vault, participant_id: str) -> Participant:
    return participants.get(vault.conn, participant_id)


def inventory_history(vault: Vault, participant_id: str) -> list[SkillsInventory]:
    return participants.inventory_history(vault.conn, participant_id)


def caseload(vault: Vault, practice: str | None = None, open_only: bool | None = None) -> list[ParticipantSummary]:
    return participants.summaries(vault.conn, practice, open_only)


def count(vault: Vault) -> int:
    """How many participants the vault holds, open or closed."""
    return participants.count(vault.conn)


def find(vault: Vault, text: str) -> list[ParticipantSummary]:
    return participants.summaries_for(vault.conn, search.search_ids(vault.conn, text))


@dataclass(frozen=True)
class Today:
    day: date
    practice: str | None
    sessions: list[diary.DiaryEntry]
    not_seen: list[diary.NotSeen]
    steps_due: list[diary.StepDue]


def today(vault: Vault, practice: str | None, day: date) -> Today:
    """What the coach needs at the start of a surgery day."""
    conn = vault.conn
    return Today(
        day=day,
        practice=practice,
        sessions=diary.sessions_on(conn, day, practice),
        not_seen=diary.not_seen_since(conn, day - timedelta(weeks=NOT_SEEN_WEEKS), practice, day),
        steps_due=diary.steps_due(conn, day + timedelta(days=STEPS_AHEAD_DAYS), practice),
    )
