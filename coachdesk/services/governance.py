"""Information governance (issue 8): erasure on request and after the retention period.

Erasure takes a participant out of every table, index, draft and free page of the vault, and out
of the audit log's record ids; the log keeps one "participant.erased" entry without an id, so it
shows that an erasure happened and when, never whose. Backups made before the erasure still hold
the record until they are replaced (docs/security.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from coachdesk.domain.errors import CoachDeskError, NotFoundError, VaultError
from coachdesk.domain.model import ParticipantSummary
from coachdesk.printing import subject_access
from coachdesk.printing.subject_access import AuditLine, SubjectAccessRecord
from coachdesk.services import caseload_file, events
from coachdesk.storage import audit, participants
from coachdesk.storage import erase as erasing
from coachdesk.storage.files import write_requested_file
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


# -- subject access ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SubjectAccessFiles:
    pdf: Path
    caseload: Path


def subject_access_record(vault: Vault, participant_id: str, now: datetime) -> SubjectAccessRecord:
    p = participants.get(vault.conn, participant_id)
    lines = [AuditLine(e.at, e.action) for e in reversed(audit.entries(vault.conn, participant_id, limit=1_000_000))]
    return SubjectAccessRecord(
        participant=p,
        practice_name=vault.policy.practice_name(p.practice),
        inventories=participants.inventory_history(vault.conn, participant_id),
        audit=lines,
        made_at=now,
    )


def export_subject_access(vault: Vault, participant_id: str, folder: Path, now: datetime) -> SubjectAccessFiles:
    """Write the readable PDF and the coachdesk.caseload/1 file of one participant into `folder`
    (never the vault folder). The names carry the record id's start and the date, not the name:
    a file list on a shared drive then says nothing about who."""
    folder = Path(folder)
    if not folder.is_dir():
        raise VaultError(f"The folder {folder} does not exist. Choose another.")
    record = subject_access_record(vault, participant_id, now)
    stem = f"subject-access-{participant_id[:8]}-{now:%Y-%m-%d}"
    files = SubjectAccessFiles(folder / f"{stem}.pdf", folder / f"{stem}.json")
    write_requested_file(files.pdf, subject_access.render(record), vault.folder)
    document = caseload_file.document([record.participant])
    write_requested_file(files.caseload, caseload_file.to_bytes(document), vault.folder)
    with vault.transaction() as conn:
        audit.record(conn, "participant.subject_access_exported", participant_id)
    return files


# -- the audit log --------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditView:
    entries: list[audit.AuditEntry]  # newest first, after the filter
    total: int  # entries in the whole log
    actions: list[str]  # every action the log holds, for the filter
    chain_problem: str | None  # None when every entry is chained to the one before


def audit_view(vault: Vault, what: audit.AuditFilter) -> AuditView:
    conn = vault.conn
    return AuditView(audit.filtered(conn, what), audit.count(conn), audit.actions(conn), audit.verify_chain(conn))


def audit_csv(entries: Iterable[audit.AuditEntry]) -> bytes:
    """seq,at,action,record_id: oldest first, as a spreadsheet expects a log."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["seq", "at", "action", "record_id"])
    for e in sorted(entries, key=lambda e: e.seq):
        writer.writerow([e.seq, e.at, e.action, e.record_id or ""])
    return out.getvalue().encode("utf-8")


def export_audit_csv(vault: Vault, path: Path, what: audit.AuditFilter) -> int:
    """Write the filtered log as CSV where the coach chose; returns how many entries."""
    entries = audit.filtered(vault.conn, what)
    write_requested_file(Path(path), audit_csv(entries), vault.folder)
    with vault.transaction() as conn:
        audit.record(conn, "audit.exported")
    return len(entries)
