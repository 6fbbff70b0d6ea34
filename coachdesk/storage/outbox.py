"""The sync outbox inside the vault: each month's latest signed bundle, its state (pending, sent,
failed with the hub's reason) and every receipt the hub gave. It lives in the encrypted database,
so it survives restarts and a bundle is never a plaintext file unless the coach exports one."""

from __future__ import annotations

from dataclasses import dataclass

from coachdesk.storage.database import Connection

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


@dataclass(frozen=True)
class OutboxMonth:
    period: str
    revision: int
    digest: str  # SHA-256 of what the counts say (not of the signed bundle)
    bundle: bytes  # the signed bundle, canonical JSON
    state: str
    built_at: str
    attempts: int
    last_attempt_at: str | None
    reason: str | None  # why the last attempt did not get through
    sent_at: str | None
    receipt: str | None  # the receipt of this revision, once sent


@dataclass(frozen=True)
class Receipt:
    period: str
    revision: int
    receipt: str
    status: str  # "accepted" or "duplicate"
    hub_url: str
    received_at: str


_COLUMNS = (
    "m.period, m.revision, m.digest, m.bundle, m.state, m.built_at, m.attempts, m.last_attempt_at, m.reason,"
    " m.sent_at, r.receipt"
)
_FROM = "sync_months m LEFT JOIN sync_receipts r ON r.period = m.period AND r.revision = m.revision"


def _month(row: tuple) -> OutboxMonth:
    period, revision, digest, bundle, state, built_at, attempts, last_attempt_at, reason, sent_at, receipt = row
    return OutboxMonth(
        period, revision, digest, bytes(bundle), state, built_at, attempts, last_attempt_at, reason, sent_at, receipt
    )


def months(conn: Connection) -> list[OutboxMonth]:
    """Every month ever built, oldest first."""
    return [_month(row) for row in conn.execute(f"SELECT {_COLUMNS} FROM {_FROM} ORDER BY m.period")]  # noqa: S608


def month(conn: Connection, period: str) -> OutboxMonth | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM {_FROM} WHERE m.period = ?", (period,)).fetchone()  # noqa: S608
    return _month(row) if row else None


def put_revision(conn: Connection, period: str, *, revision: int, digest: str, bundle: bytes, built_at: str) -> None:
    """Store a newly built revision of a month, waiting to be sent (replaces the previous one; its
    receipt stays in sync_receipts)."""
    conn.execute(
        "INSERT INTO sync_months(period, revision, digest, bundle, state, built_at, attempts)"
        " VALUES (?, ?, ?, ?, ?, ?, 0)"
        " ON CONFLICT(period) DO UPDATE SET revision = excluded.revision, digest = excluded.digest,"
        " bundle = excluded.bundle, state = excluded.state, built_at = excluded.built_at, attempts = 0,"
        " last_attempt_at = NULL, reason = NULL, sent_at = NULL",
        (period, revision, digest, bundle, PENDING, built_at),
    )


def waiting(conn: Connection, *, include_failed: bool) -> list[OutboxMonth]:
    """The months to send, oldest first: pending ones, and failed ones when asked."""
    states = (PENDING, FAILED) if include_failed else (PENDING, PENDING)
    return [
        _month(row)
        for row in conn.execute(
            f"SELECT {_COLUMNS} FROM {_FROM} WHERE m.state IN (?, ?) ORDER BY m.period",  # noqa: S608
            states,
        )
    ]


def record_attempt(conn: Connection, period: str, revision: int, *, state: str, reason: str | None, at: str) -> None:
    """An attempt that did not end in a receipt: still pending (hub unreachable) or failed (rejected).
    Only the revision that was sent is touched: a newer one built meanwhile stays as it is."""
    conn.execute(
        "UPDATE sync_months SET state = ?, reason = ?, attempts = attempts + 1, last_attempt_at = ?"
        " WHERE period = ? AND revision = ?",
        (state, reason, at, period, revision),
    )


def record_start(conn: Connection, period: str, revision: int, at: str) -> None:
    """This revision is about to go out: from now on it may reach the hub, so it must never be
    rebuilt with other counts under its number (even if the answer is lost to a crash)."""
    conn.execute("UPDATE sync_months SET last_attempt_at = ? WHERE period = ? AND revision = ?", (at, period, revision))


def record_receipt(conn: Connection, receipt: Receipt) -> None:
    conn.execute(
        "INSERT INTO sync_receipts(period, revision, receipt, status, hub_url, received_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(period, revision) DO UPDATE SET receipt = excluded.receipt, status = excluded.status,"
        " hub_url = excluded.hub_url, received_at = excluded.received_at",
        (receipt.period, receipt.revision, receipt.receipt, receipt.status, receipt.hub_url, receipt.received_at),
    )
    conn.execute(
        "UPDATE sync_months SET state = ?, reason = NULL, attempts = attempts + 1, last_attempt_at = ?, sent_at = ?"
        " WHERE period = ? AND revision = ?",
        (SENT, receipt.received_at, receipt.received_at, receipt.period, receipt.revision),
    )


def receipts(conn: Connection) -> list[Receipt]:
    """Every receipt the hub ever gave, oldest month and revision first."""
    return [
        Receipt(*row)
        for row in conn.execute(
            "SELECT period, revision, receipt, status, hub_url, received_at FROM sync_receipts"
            " ORDER BY period, revision"
        )
    ]
