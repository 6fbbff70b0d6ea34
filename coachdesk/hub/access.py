"""Programme-team users: a name and a token (only its SHA-256 is kept) that unlocks the summary
and, later, the dashboard. `coachdesk-hub user add NAME` makes one."""

from __future__ import annotations

import logging

from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.errors import ValidationError
from coachdesk.hub.store import Store
from coachdesk.hub.tokens import new_token, plausible_token, token_hash

log = logging.getLogger("coachdesk.hub.access")

_NAME_LENGTH = 100


def add_user(store: Store, name: str) -> str:
    """Create a programme-team user; returns the token, which the hub never shows again."""
    if not 1 <= len(name) <= _NAME_LENGTH or not name.isprintable() or name != name.strip():
        raise ValidationError("NAME", f"must be 1 to {_NAME_LENGTH} printable characters, no spaces around")
    token = new_token()
    store.add_user(name, token_hash(token), utc_stamp())
    log.info("programme-team user added")
    return token


def user_for_token(store: Store, token: str) -> str | None:
    """The user a token belongs to, or None."""
    if not plausible_token(token):
        return None
    return store.user_for(token_hash(token))


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None
