"""Enrolment with the programme's hub and sending the outbox (interfaces.md §3), for the command
line and the app. The hub's answers become month states: a receipt makes a month `sent`; a hub
that cannot be reached leaves it `pending` (tried again next time); a hub that refuses it marks it
`failed` with the hub's own sentence."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from datetime import UTC, date, datetime

from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.errors import SyncError
from coachdesk.storage.vault import Vault
from coachdesk.sync import outbox
from coachdesk.sync.outbox import FAILED, PENDING, OutboxMonth, SendResult
from coachdesk.sync.transport import Delivered, HubClient, Rejected, Unreachable

# The hub's answer when it holds this month at this revision or a later one (interfaces.md §3).
STALE_STATUS = 409
STALE_ERROR = "stale_revision"

_HUB = "sync.hub_url"
_NAME = "sync.device_name"
_ENROLLED = "sync.enrolled_at"
_LAST_SYNC = "sync.last_sync_at"
_LAST_RESULT = "sync.last_result"


@dataclass(frozen=True)
class Enrolment:
    hub_url: str
    device_name: str
    enrolled_at: str


@dataclass(frozen=True)
class LastSync:
    at: str
    result: str  # one sentence: "3 months sent", "hub not reachable: …"


def enrolment(vault: Vault) -> Enrolment | None:
    hub, name, at = vault.meta(_HUB), vault.meta(_NAME), vault.meta(_ENROLLED)
    return Enrolment(hub, name or "", at or "") if hub else None


def last_sync(vault: Vault) -> LastSync | None:
    at = vault.meta(_LAST_SYNC)
    return LastSync(at, vault.meta(_LAST_RESULT) or "") if at else None


def default_device_name() -> str:
    """The laptop's network name: the programme team sees which machine enrolled."""
    return platform.node() or "coachdesk"


def enrol(
    vault: Vault, client: HubClient, token: str, device_name: str | None = None, now: datetime | None = None
) -> str:
    """Register this laptop's public key with the hub using a single-use token from the programme
    team; remember the hub. Returns the device id, which the hub derives from the key."""
    name = device_name or default_device_name()
    given = client.enrol(token, name, outbox.device(vault).public_key)
    return remember_enrolment(vault, client.base_url, name, given, now)


def remember_enrolment(vault: Vault, hub_url: str, device_name: str, given_id: str, now: datetime | None = None) -> str:
    """Keep the hub's answer to an enrolment (the app asks the hub on its network thread and
    keeps the answer here, on the vault's). The hub derives the id from the key: another id means
    the two sides disagree about the format, and nothing is kept."""
    me = outbox.device(vault)
    if given_id != me.device_id:
        raise SyncError(
            f"The hub registered this laptop as {given_id}, but its key belongs to device {me.device_id}. "
            "Tell the programme team: the hub may be running another version."
        )
    with vault.transaction() as conn:
        vault.set_meta(conn, _HUB, hub_url)
        vault.set_meta(conn, _NAME, device_name)
        vault.set_meta(conn, _ENROLLED, utc_stamp(now))
    return given_id


def client_for(vault: Vault, **options: float) -> HubClient:
    """A client for the hub this laptop enrolled with."""
    enrolled = enrolment(vault)
    if enrolled is None:
        raise SyncError(
            "This laptop is not enrolled with the programme's hub yet. Ask the programme team for an "
            "enrolment token, then run: coachdesk enrol --hub URL --token TOKEN"
        )
    return HubClient(enrolled.hub_url, **options)


def interpret(
    vault: Vault,
    month: OutboxMonth,
    answer: Delivered | Rejected | Unreachable,
    hub_url: str,
    now: datetime | None = None,
) -> SendResult:
    """Record the hub's answer to one month and say what became of it."""
    if isinstance(answer, Delivered):
        return outbox.record_delivered(vault, month, answer.body, hub_url, now)
    if isinstance(answer, Rejected):
        reason = f"{answer.detail} (the hub answered {answer.status} {answer.error})"
        if answer.status == STALE_STATUS and answer.error == STALE_ERROR:
            return outbox.renumber(
                vault, month, f"{reason}. Signed again as the next revision, to be sent at the next sync.", now
            )
        return outbox.record_failure(vault, month, FAILED, reason, now)
    return outbox.record_failure(vault, month, PENDING, answer.reason, now)


def summarise(results: list[SendResult]) -> str:
    """One sentence for the Sync page and the log (counts only, never contents)."""
    if not results:
        return "Nothing to send: the hub has every month."
    sent = sum(r.state == outbox.SENT for r in results)
    failed = sum(r.state == FAILED for r in results)
    waiting = sum(r.state == PENDING for r in results)
    parts = [f"{sent} month{'s' if sent != 1 else ''} sent"]
    if failed:
        parts.append(f"{failed} refused by the hub")
    if waiting:
        parts.append(f"{waiting} waiting (hub not reached)")
    return ", ".join(parts) + "."


def record_run(vault: Vault, results: list[SendResult], now: datetime | None = None) -> LastSync:
    result = LastSync(utc_stamp(now), summarise(results))
    with vault.transaction() as conn:
        vault.set_meta(conn, _LAST_SYNC, result.at)
        vault.set_meta(conn, _LAST_RESULT, result.result)
    return result


def prepare(vault: Vault, today: date, *, include_failed: bool, now: datetime | None = None) -> list[OutboxMonth]:
    """Build what changed and list the months to send, oldest first, each noted as about to go."""
    outbox.refresh(vault, today, now)
    months = outbox.waiting(vault, include_failed=include_failed)
    outbox.mark_starting(vault, months, now)
    return months


def sync(
    vault: Vault, client: HubClient, today: date, *, include_failed: bool = True, now: datetime | None = None
) -> list[SendResult]:
    """Build what changed, then send every waiting month, oldest first, recording each answer.
    When the hub cannot be reached the remaining months stay pending: there is no point in
    knocking again at once."""
    moment = now or datetime.now(UTC)
    results: list[SendResult] = []
    for month in prepare(vault, today, include_failed=include_failed, now=moment):
        answer = client.send_bundle(month.bundle)
        results.append(interpret(vault, month, answer, client.base_url, moment))
        if isinstance(answer, Unreachable):
            break
    record_run(vault, results, moment)
    return results
