"""The audit log: what happened, to which record id, when. Never a name, a note or any other
personal detail. Each entry is chained to the previous one by a SHA-256 hash, so an edited,
inserted or deleted entry breaks the chain and `coachdesk check` reports where."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from coachdesk.storage.database import Connection

GENESIS = "0" * 64
_CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    action: str
    record_id: str | None


def _entry_hash(prev_hash: str, seq: int, at: str, action: str, record_id: str | None) -> str:
    text = "\x1f".join([prev_hash, str(seq), at, action, record_id or ""])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(conn: Connection, action: str, record_id: str | None = None) -> None:
    """Append an entry; call inside the transaction that made the change it describes."""
    row = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    conn.execute(
        "INSERT INTO audit_log(seq, at, action, record_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)",
        (seq, at, action, record_id, prev, _entry_hash(prev, seq, at, action, record_id)),
    )


def entries(conn: Connection, record_id: str | None = None, limit: int = 1000) -> list[AuditEntry]:
    if record_id is None:
        rows = conn.execute(
            "SELECT seq, at, action, record_id FROM audit_log ORDER BY seq DESC LIMIT ?", (limit,)
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT seq, at, action, record_id FROM audit_log WHERE record_id = ? ORDER BY seq DESC LIMIT ?",
            (record_id, limit),
        ).fetchall()
    return [AuditEntry(*r) for r in rows]


def verify_chain(conn: Connection) -> str | None:
    """None when the chain is whole; otherwise a sentence naming the first broken entry."""
    prev = GENESIS
    expected_seq = 1
    for seq, at, action, record_id, prev_hash, stored in conn.execute(
        "SELECT seq, at, action, record_id, prev_hash, hash FROM audit_log ORDER BY seq"
    ):
        if seq != expected_seq:
            return f"audit entry {expected_seq} is missing"
        if prev_hash != prev or stored != _entry_hash(prev, seq, at, action, record_id):
            return f"audit entry {seq} has been altered"
        prev = stored
        expected_seq += 1
    return None


def forget_record_ids(conn: Connection, record_ids: Sequence[str]) -> int:
    """Blank the record id of every entry about `record_ids` (erased participants) and re-seal the
    chain from the first entry changed; returns how many entries were changed.

    Entries are never removed or re-ordered: the log still shows that something happened, when,
    and in what order, but no longer to which (now erased) record. The hashes carry no secret, so
    whoever holds the data key could always re-seal an edited log; what the chain shows is an entry
    changed by anything other than CoachDesk's own code. Call inside the erasing transaction."""
    first: int | None = None
    changed = 0
    for i in range(0, len(record_ids), _CHUNK):
        chunk = list(record_ids[i : i + _CHUNK])
        marks = ",".join("?" * len(chunk))
        row = conn.execute(
            f"SELECT min(seq), count(*) FROM audit_log WHERE record_id IN ({marks})",  # noqa: S608 - placeholders only
            chunk,
        ).fetchone()
        if row[1]:
            first = row[0] if first is None else min(first, row[0])
            changed += row[1]
            conn.execute(f"UPDATE audit_log SET record_id = NULL WHERE record_id IN ({marks})", chunk)  # noqa: S608
    if first is not None:
        _reseal(conn, first)
    return changed


def _reseal(conn: Connection, first: int) -> None:
    row = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (first - 1,)).fetchone()
    prev = row[0] if row else GENESIS
    rows = conn.execute(
        "SELECT seq, at, action, record_id FROM audit_log WHERE seq >= ? ORDER BY seq", (first,)
    ).fetchall()
    updates = []
    for seq, at, action, record_id in rows:
        digest = _entry_hash(prev, seq, at, action, record_id)
        updates.append((prev, digest, seq))
        prev = digest
    conn.executemany("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", updates)


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    since: str | None = None  # YYYY-MM-DD, inclusive (UTC day of the entry)
    until: str | None = None  # YYYY-MM-DD, inclusive
    record_id: str | None = None  # the whole id or its beginning


def filtered(conn: Connection, f: AuditFilter, limit: int = 200_000) -> list[AuditEntry]:
    """Entries matching every condition given, newest first (the audit page and its CSV)."""
    where, args = [], []
    if f.action:
        where.append("action = ?")
        args.append(f.action)
    if f.since:
        where.append("at >= ?")
        args.append(f.since)
    if f.until:
        where.append("at < ?")
        args.append(f"{f.until}\x7f")  # every time of that day sorts below it
    if f.record_id:
        where.append("record_id LIKE ? ESCAPE '\\'")
        escaped = f.record_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        args.append(f"{escaped}%")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = conn.execute(
        f"SELECT seq, at, action, record_id FROM audit_log {clause} ORDER BY seq DESC LIMIT ?",  # noqa: S608
        [*args, limit],
    ).fetchall()
    return [AuditEntry(*r) for r in rows]


def actions(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]


def count(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])
