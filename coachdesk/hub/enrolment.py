"""Enrolment: the programme team issues a single-use, expiring token (`coachdesk-hub token`); the
laptop sends it with its name and public key (`POST /api/v1/enrol`) and gets its device id, which
is derived from the key (domain/bundle.device_id_for), so the laptop knew it already."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from coachdesk.domain.bundle import device_id_for, parse_public_key
from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.errors import ValidationError
from coachdesk.hub.errors import HubError
from coachdesk.hub.store import Store
from coachdesk.hub.tokens import new_token, plausible_token, token_hash

log = logging.getLogger("coachdesk.hub.enrolment")

MAX_ENROL_BYTES = 16 * 1024  # three short strings
MAX_EXPIRES_DAYS = 365
_KEYS = ("token", "device_name", "public_key")
_NAME_LENGTH = 100


def issue_token(store: Store, expires_days: int, now: datetime | None = None) -> str:
    if not 1 <= expires_days <= MAX_EXPIRES_DAYS:
        raise ValidationError("--expires-days", f"must be a whole number from 1 to {MAX_EXPIRES_DAYS}")
    moment = now or datetime.now(UTC)
    token = new_token()
    store.add_enrolment_token(token_hash(token), utc_stamp(moment), utc_stamp(moment + timedelta(days=expires_days)))
    log.info("enrolment token issued, valid %d days", expires_days)
    return token


def read_request(data: bytes) -> tuple[str, str, bytes]:
    """The enrolment body's token, device name and raw public key; ValidationError names the field."""
    try:
        body: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationError("", "the body is not JSON text") from None
    if not isinstance(body, dict):
        raise ValidationError("", 'the body is a JSON object {"token", "device_name", "public_key"}')
    for key in body:
        if key not in _KEYS:
            raise ValidationError(str(key)[:40], "is not a key of an enrolment")
    for key in _KEYS:
        if key not in body:
            raise ValidationError(key, "is missing")
    token, name = body["token"], body["device_name"]
    if not plausible_token(token):
        raise ValidationError("token", "must be the enrolment token the programme team gave you")
    if not isinstance(name, str) or not 1 <= len(name) <= _NAME_LENGTH or not name.isprintable():
        raise ValidationError("device_name", f"must be 1 to {_NAME_LENGTH} printable characters")
    return token, name, parse_public_key(body["public_key"])


def enrol(store: Store, data: bytes, now: datetime | None = None) -> str:
    """Register the device of an enrolment request; returns its device id. HubError 400 for a bad
    body, 401 for an unknown, used or expired token (which one is not said: that would help a
    guesser)."""
    try:
        token, name, public_key = read_request(data)
    except ValidationError as exc:
        raise HubError(400, "invalid_request", exc.message) from None
    device_id = device_id_for(public_key)
    if not store.enrol(token_hash(token), device_id, name, public_key, utc_stamp(now)):
        log.info("enrolment refused: unknown, used or expired token")
        raise HubError(
            401,
            "invalid_token",
            "token: this enrolment token is unknown, used or expired; ask the programme team for a new one.",
        )
    log.info("device %s enrolled", device_id)
    return device_id
