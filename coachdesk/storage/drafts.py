"""Encrypted drafts: text a coach was typing when the vault locked, kept inside the vault until
it is saved or discarded. Keyed by what it belongs to ("session:<id>", "new-session:<participant id>")."""

from __future__ import annotations

from dataclasses import dataclass

from coachdesk.domain.clock import utc_stamp
from coachdesk.storage.database import Connection


@dataclass(frozen=True)
class Draft:
    key: str
    participant_id: str
    body: str
    saved_at: str


def save(conn: Connection, key: str, participant_id: str, body: str) -> None:
    conn.execute(
        "INSERT INTO drafts(key, participant_id, body, saved_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(key) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
        (key, participant_id, body, utc_stamp()),
    )


def all_drafts(conn: Connection) -> list[Draft]:
    rows = conn.execute("SELECT key, participant_id, body, saved_at FROM drafts ORDER BY saved_at").fetchall()
    return [Draft(*r) for r in rows]


def discard(conn: Connection, key: str) -> None:
    conn.execute("DELETE FROM drafts WHERE key = ?", (key,))
