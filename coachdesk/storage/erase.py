"""Erasing participants completely: their rows, their words in the search indexes, their drafts,
the link from the audit log to their record id, and then the pages that held any of it.

What "completely" takes in SQLite:
- every child row goes with the participant row (ON DELETE CASCADE, foreign keys are on);
- the external-content notes index is told which words to forget ('delete' with the old text)
  before the sessions rows go, and both indexes are merged ('optimize'): an FTS5 delete only
  adds a tombstone, and the word itself stays in its old segment until segments are merged;
- `secure_delete` (set on every connection) zeroes the freed bytes inside pages; `scrub` then
  VACUUMs (no free page is left) and truncates the WAL, which would otherwise keep old versions of
  the pages until the next checkpoint overwrote them.

The sync outbox is not touched: the months already built hold counts only, and a month rebuilt
later simply counts differently and goes out as a new revision."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from coachdesk.storage import audit, search
from coachdesk.storage.database import Connection

ERASED = "participant.erased"


def erase(conn: Connection, participant_ids: Sequence[str], progress: Callable[[int, int], None] | None = None) -> int:
    """Erase the participants (unknown ids are skipped); returns how many were erased.

    Call inside one transaction, then `scrub` outside it. One audit entry per erasure, without
    a record id; earlier entries about these records lose their record id (audit.forget_record_ids)."""
    found = [pid for pid in dict.fromkeys(participant_ids) if _exists(conn, pid)]
    for done, pid in enumerate(found, 1):
        search.unindex(conn, pid)
        conn.execute("DELETE FROM drafts WHERE participant_id = ?", (pid,))
        conn.execute("DELETE FROM participants WHERE id = ?", (pid,))  # children cascade
        if progress is not None:
            progress(done, len(found))
    if not found:
        return 0
    optimize_indexes(conn)
    audit.forget_record_ids(conn, found)
    for _ in found:
        audit.record(conn, ERASED)
    return len(found)


def _exists(conn: Connection, pid: str) -> bool:
    return conn.execute("SELECT 1 FROM participants WHERE id = ?", (pid,)).fetchone() is not None


def optimize_indexes(conn: Connection) -> None:
    """Merge each full-text index into one segment, so deleted words leave the index's pages."""
    conn.execute("INSERT INTO people_fts(people_fts) VALUES ('optimize')")
    conn.execute("INSERT INTO notes_fts(notes_fts) VALUES ('optimize')")


def scrub(conn: Connection) -> None:
    """Rewrite the database without free pages and empty the WAL (outside any transaction)."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def closed_on_or_before(conn: Connection, cutoff: date) -> list[str]:
    """Ids of participants whose case closed on or before `cutoff`, oldest closure first."""
    rows = conn.execute(
        "SELECT id FROM participants WHERE closed_on IS NOT NULL AND closed_on <= ? ORDER BY closed_on, id",
        (cutoff.isoformat(),),
    )
    return [r[0] for r in rows]
