"""Information governance (issue 8): erasure on request and after the retention period.

Erasure takes a participant out of every table, index, draft and free page of the vault, and out
of the audit log's record ids; the log keeps one "participant.erased" entry without an id, so it
shows that an erasure happened and when, never whose. Backups made before the erasure still hold
the record until they are replaced (docs/security.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from coachdesk.domain.errors import CoachDeskError, NotFoundError
from coachdesk.domain.model import ParticipantSummary
from coachdesk.services import events
from coachdesk.storage import erase as erasing
from coachdesk.storage import participants
from coachdesk.storage.vault import Vault

Progress = Callable[[int, int], None]


def erase_participant(vault: Vault, participant_id: str) -> None:
    """Erase one participant completely (NotFoundError when the id is not in this vault)."""
    if not participants.exists(vault.conn, participant_id):
        raise NotFoundError("No participant with that id is in this vault; nothing was erased.")
    erase_many(vault, [participant_id])


def erase_many(vault: Vault, participant_ids: list[str], progress: Progress | None = None) -> int:
    """Erase the participants in one transaction, then scrub the file; returns how many were erased.

    `progress(done, total)` counts the participants, then once more when the file is rewritten."""
    total = len(participant_ids)
    with vault.transaction() as conn:
        erased = erasing.erase(conn, participant_ids, progress)
    if progress is not None:
        progress(total, total)
    erasing.scrub(vault.conn)
    for pid in participant_ids:
        events.emit(events.PARTICIPANT_CHANGED, pid)
    return erased


def retention_cutoff(today: date, years: int) -> date:
    """The last closure date whose retention period has ended by `today` (29 February → 28th)."""
    year = today.year - years
    try:
        return today.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def past_retention(vault: Vault, today: date) -> list[ParticipantSummary]:
    """Closed cases whose closure date plus the policy's retention period is today or earlier."""
    cutoff = retention_cutoff(today, vault.policy.retention_years_after_closure)
    ids = erasing.closed_on_or_before(vault.conn, cutoff)
    return sorted(participants.summaries_for(vault.conn, ids), key=lambda s: (s.closed_on or today, s.id))


def erase_past_retention(vault: Vault, today: date, expected: int, progress: Progress | None = None) -> int:
    """Erase the cases past retention, if there are still `expected` of them (the count the coach
    confirmed); a different count means the list changed since it was shown, and nothing is erased."""
    due = [s.id for s in past_retention(vault, today)]
    if len(due) != expected:
        raise CoachDeskError(
            f"The list of cases past retention has changed ({len(due)} now, {expected} confirmed); "
            "nothing was erased. Look at the list again."
        )
    return erase_many(vault, due, progress)
