"""The audit log: what happened, to which record id, when. Never a name, a note or any other
personal detail. Each entry is chained to the previous one by a SHA-256 hash, so an edited,
inserted or deleted entry breaks the chain and `coachdesk check` reports where."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from coachdesk.storage.database import Connection

GENESIS = "0" * 64


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
