"""Bundles waiting to leave this laptop: building each month's signed bundle (formats.md §2),
deciding its revision, and recording what the hub answered.

Which months: every complete month from the first referral to last month. The current month is
left until it ends (its counts change daily; a bundle for it can still be built by hand with
`coachdesk bundle --period`). A month's counts are summarised by a digest; a new revision is
built only when the digest changes, so a month whose counts did not change is never sent again.
A revision that may already have reached the hub (it was sent, tried, or exported to a file) is
never rebuilt with other counts: the next one gets the next number.

Database work and network work are separate calls (`refresh`/`waiting`/`record` vs the
transport), so the app can run them on different threads."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from coachdesk import __version__
from coachdesk.domain.bundle import (
    FORMAT,
    Cell,
    canonical_json,
    cells_from_counts,
    device_id_for,
    public_key_bytes,
    public_key_text,
    receipt_of,
    sign,
)
from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.errors import ValidationError
from coachdesk.domain.months import month_before, month_of, months_between, split
from coachdesk.storage import device_key, outbox
from coachdesk.storage.files import write_requested_file
from coachdesk.storage.measures import activity_span
from coachdesk.storage.outbox import FAILED, PENDING, SENT, OutboxMonth, Receipt
from coachdesk.storage.vault import Vault
from coachdesk.sync.measures import compute_months

SOFTWARE = f"coachdesk {__version__}"


@dataclass(frozen=True)
class SendResult:
    """What happened to one month when it was sent."""

    period: str
    revision: int
    state: str  # sent, pending (hub not reached) or failed (hub said no)
    status: str | None = None  # the hub's "accepted" or "duplicate"
    receipt: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Device:
    device_id: str
    public_key: str  # base64 of the raw 32-byte Ed25519 key


# -- months ---------------------------------------------------------------------------------------
def months_to_send(vault: Vault, today: date) -> list[str]:
    """Every complete month from the first referral's month to last month."""
    span = activity_span(vault.conn)
    if span is None:
        return []
    return months_between(span[0], month_before(month_of(today)))


# -- building -----------------------------------------------------------------------------------
def device(vault: Vault) -> Device:
    """This laptop's device id and public key (what `coachdesk device` prints)."""
    public = device_key.public_key(vault.conn)
    return Device(device_id_for(public), public_key_text(public))


def _digest(programme: str, period: str, suppression: int, cells: Sequence[Mapping[str, object]]) -> str:
    # What the counts say, not when they were signed: equal digests mean nothing to send again.
    what = {"programme": programme, "period": period, "source_suppression": suppression, "cells": list(cells)}
    return hashlib.sha256(canonical_json(what)).hexdigest()


def _build(
    vault: Vault,
    counts: Mapping[str, Mapping[str, Mapping[str, int]]],
    known: Mapping[str, OutboxMonth],
    now: datetime,
    *,
    keep_empty: bool,
) -> list[str]:
    """Store a new revision of every month in `counts` whose digest changed since the one in
    `known` (the outbox as it stands); the periods built."""
    policy = vault.policy
    built: list[str] = []
    with vault.transaction() as conn:
        key = device_key.load(conn)
        device_id = device_id_for(public_key_bytes(key))
        for period in sorted(counts):
            cells = cells_from_counts(counts[period], policy.source_suppression)
            previous = known.get(period)
            if not cells and not keep_empty and previous is None:
                continue  # no practice had a participant yet: nothing to say about that month
            digest = _digest(policy.programme, period, policy.source_suppression, cells)
            if previous is not None and previous.digest == digest:
                continue
            if previous is None:
                revision = 1
            elif previous.attempts == 0 and previous.last_attempt_at is None and previous.state == PENDING:
                revision = previous.revision  # never left the laptop: replace it in place
            else:
                revision = previous.revision + 1
            document = sign(
                {
                    "format": FORMAT,
                    "bundle_id": str(uuid.uuid4()),
                    "device_id": device_id,
                    "programme": policy.programme,
                    "period": period,
                    "revision": revision,
                    "generated_at": utc_stamp(now),
                    "software": SOFTWARE,
                    "source_suppression": policy.source_suppression,
                    "cells": cells,
                },
                key,
            )
            outbox.put_revision(
                conn, period, revision=revision, digest=digest, bundle=canonical_json(document), built_at=utc_stamp(now)
            )
            built.append(period)
    return built


def renumber(vault: Vault, month: OutboxMonth, reason: str, now: datetime | None = None) -> SendResult:
    """The hub already holds this month at this revision or a later one (a vault restored from an
    older backup has an older outbox): sign the same counts again under the next number and keep
    the month pending. Each refusal moves it up one, so it overtakes the hub's within a few syncs
    and the laptop's counts, the truth now, reach the hub."""
    stamp = utc_stamp(now)
    with vault.transaction() as conn:
        current = outbox.month(conn, month.period)
        if current is None or current.revision != month.revision:
            return SendResult(month.period, month.revision, PENDING, reason=reason)  # rebuilt meanwhile
        unsigned = {key: value for key, value in json.loads(current.bundle).items() if key != "signature"}
        revision = current.revision + 1
        document = sign(
            {**unsigned, "revision": revision, "bundle_id": str(uuid.uuid4()), "generated_at": stamp},
            device_key.load(conn),
        )
        outbox.put_revision(
            conn,
            month.period,
            revision=revision,
            digest=current.digest,
            bundle=canonical_json(document),
            built_at=stamp,
        )
        # Counted as tried: the new number must not be reused for other counts either.
        outbox.record_attempt(conn, month.period, revision, state=PENDING, reason=reason, at=stamp)
    return SendResult(month.period, revision, PENDING, reason=reason)


def refresh(vault: Vault, today: date, now: datetime | None = None) -> list[str]:
    """Build a new signed revision of every complete month whose counts changed since it was last
    built (late data is normal: a DNA recorded a week later). Returns the months rebuilt."""
    known = {m.period: m for m in outbox.months(vault.conn)}
    # A month built before stays in: if its participants moved out of it (a corrected referral
    # date, an erasure), the hub must get its new counts, not keep the old ones.
    last = month_before(month_of(today))
    periods = sorted({*months_to_send(vault, today), *(period for period in known if period <= last)})
    if not periods:
        return []
    return _build(vault, compute_months(vault, periods), known, now or datetime.now(UTC), keep_empty=False)


def bundle_for(vault: Vault, period: str, now: datetime | None = None) -> bytes:
    """The signed bundle of one month (any month, the current one included), built or rebuilt as
    its counts require and kept in the outbox; its canonical JSON bytes."""
    split(period)
    stored = outbox.month(vault.conn, period)
    known = {period: stored} if stored is not None else {}
    _build(vault, compute_months(vault, [period]), known, now or datetime.now(UTC), keep_empty=True)
    return month_record(vault, period).bundle


# -- what leaves ------------------------------------------------------------------------------
def cells_of(bundle: bytes) -> list[Cell]:
    """The cells of a stored bundle, exactly as they will be sent."""
    return [Cell(c["practice"], c["measure"], c["value"]) for c in json.loads(bundle)["cells"]]


def month_record(vault: Vault, period: str) -> OutboxMonth:
    stored = outbox.month(vault.conn, period)
    if stored is None:
        raise ValidationError("period", f"no bundle has been built for {period}")
    return stored


def months(vault: Vault) -> list[OutboxMonth]:
    return outbox.months(vault.conn)


def waiting(vault: Vault, *, include_failed: bool) -> list[OutboxMonth]:
    return outbox.waiting(vault.conn, include_failed=include_failed)


def receipts(vault: Vault) -> list[Receipt]:
    return outbox.receipts(vault.conn)


def mark_exported(vault: Vault, month: OutboxMonth, now: datetime | None = None) -> None:
    """A revision written to a file may reach the hub by hand: it must never be rebuilt with other
    counts under the same number. It stays pending: sending it later gives a "duplicate" receipt."""
    stamp = utc_stamp(now)
    with vault.transaction() as conn:
        conn_month = outbox.month(conn, month.period)
        if conn_month is not None and conn_month.revision == month.revision and conn_month.state != SENT:
            outbox.record_attempt(
                conn,
                month.period,
                month.revision,
                state=conn_month.state,
                # A refused month keeps the hub's sentence: the coach still needs to read it.
                reason=conn_month.reason if conn_month.state == FAILED else "Exported to a file.",
                at=stamp,
            )


def mark_starting(vault: Vault, months: Sequence[OutboxMonth], now: datetime | None = None) -> None:
    """These revisions are about to be sent: note it first, so a crash or a lock before the hub's
    answer is recorded can never let a revision that reached the hub be rebuilt under its number."""
    stamp = utc_stamp(now)
    with vault.transaction() as conn:
        for month in months:
            outbox.record_start(conn, month.period, month.revision, stamp)


def export_waiting(vault: Vault, folder: Path, today: date, now: datetime | None = None) -> list[Path]:
    """Write every bundle not yet sent into `folder` (a USB stick) as one file each; returns them."""
    refresh(vault, today, now)
    device_id = device(vault).device_id
    written: list[Path] = []
    for month in waiting(vault, include_failed=True):
        path = folder / bundle_file_name(month, device_id)
        mark_exported(vault, month, now)  # first: once the file exists, the revision may reach the hub
        write_requested_file(path, month.bundle, vault.folder)
        written.append(path)
    return written


def bundle_file_name(month: OutboxMonth, device_id: str) -> str:
    return f"coachdesk-bundle-{month.period}-r{month.revision}-{device_id[:8]}.json"


# -- recording the hub's answers ------------------------------------------------------------------
def record_delivered(
    vault: Vault, month: OutboxMonth, body: Mapping[str, object], hub_url: str, now: datetime | None = None
) -> SendResult:
    """The hub took the bundle (201 accepted, or 200 duplicate): keep its receipt. A receipt that is
    not the hash of what was sent means the hub stored something else: that is a failure."""
    stamp = utc_stamp(now)
    expected = receipt_of(json.loads(month.bundle))
    status = body.get("status") if isinstance(body.get("status"), str) else "accepted"
    receipt = body.get("receipt")  # no receipt: whatever answered is not the hub; nothing counts as sent
    if receipt != expected:
        reason = "The hub's receipt does not match the bundle sent; tell the programme team."
        return record_failure(vault, month, FAILED, reason, now)
    with vault.transaction() as conn:
        outbox.record_receipt(conn, Receipt(month.period, month.revision, expected, str(status), hub_url, stamp))
    return SendResult(month.period, month.revision, SENT, status=str(status), receipt=expected)


def record_failure(
    vault: Vault, month: OutboxMonth, state: str, reason: str, now: datetime | None = None
) -> SendResult:
    """A month that did not get through: still `pending` (hub not reached: tried again next time)
    or `failed` (the hub refused it; the reason says why)."""
    with vault.transaction() as conn:
        outbox.record_attempt(conn, month.period, month.revision, state=state, reason=reason, at=utc_stamp(now))
    return SendResult(month.period, month.revision, state, reason=reason)
