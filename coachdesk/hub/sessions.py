"""Dashboard logins: a programme-team token, given once on the login page, becomes a session.

The session id is 32 random bytes in a cookie (HttpOnly, SameSite=Strict, Path=/); the store keeps
only its SHA-256, whose user it is and when it ends (8 hours after login; logout ends it at once).
The cookie is Secure, and then named with the `__Host-` prefix, unless the hub is being reached over
plain http at a loopback address (`http://127.0.0.1:8765` on the operator's own machine), where a
browser would refuse a Secure cookie. Behind the council's TLS proxy the request reaches the hub as
http but with the public host name, so the cookie is Secure there.

Cross-site requests: SameSite=Strict keeps the cookie off them, and every POST (login, logout) must
carry an Origin header naming this host, or it is refused."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from coachdesk.domain.clock import utc_stamp
from coachdesk.hub import access
from coachdesk.hub.store import Store
from coachdesk.hub.tokens import MAX_TOKEN_LENGTH, new_token, plausible_token, token_hash

SESSION_HOURS = 8
SECURE_NAME = "__Host-coachdesk-hub-session"
PLAIN_NAME = "coachdesk-hub-session"


@dataclass(frozen=True)
class Started:
    session_id: str
    user: str


def start(store: Store, token: str, now: datetime | None = None) -> Started | None:
    """A new session for the owner of a programme-team token, or None for any other token."""
    user = access.user_for_token(store, token)
    if user is None:
        return None
    moment = now or datetime.now(UTC)
    session_id = new_token()
    store.add_session(
        token_hash(session_id), user, utc_stamp(moment), utc_stamp(moment + timedelta(hours=SESSION_HOURS))
    )
    return Started(session_id, user)


def user_for(store: Store, session_id: str | None, now: datetime | None = None) -> str | None:
    """The user of a live session, or None (no cookie, a made-up one, ended or expired)."""
    if session_id is None or not plausible_token(session_id) or len(session_id) > MAX_TOKEN_LENGTH:
        return None
    return store.session_user(token_hash(session_id), utc_stamp(now))


def end(store: Store, session_id: str | None) -> None:
    if session_id is not None and plausible_token(session_id):
        store.end_session(token_hash(session_id))


def session_id_from(cookies: dict[str, str]) -> str | None:
    # A __Host- cookie can only have been set over https by this host; either name is ours.
    return cookies.get(SECURE_NAME) or cookies.get(PLAIN_NAME)


def is_loopback_host(host_header: str | None) -> bool:
    host = (host_header or "").strip().lower()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else host
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def wants_secure(scheme: str, host_header: str | None) -> bool:
    return scheme == "https" or not is_loopback_host(host_header)


def set_cookie(session_id: str, secure: bool) -> str:
    name = SECURE_NAME if secure else PLAIN_NAME
    flags = f"Path=/; Max-Age={SESSION_HOURS * 3600}; HttpOnly; SameSite=Strict"
    return f"{name}={session_id}; {flags}" + ("; Secure" if secure else "")


def clear_cookies() -> list[str]:
    """Set-Cookie values that make a browser forget either cookie."""
    return [
        f"{SECURE_NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure",
        f"{PLAIN_NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
    ]


def same_origin(origin: str | None, host_header: str | None) -> bool:
    """A POST's Origin names this host (scheme aside: behind a TLS proxy the hub itself sees http)."""
    if not origin or origin == "null" or not host_header:
        return False
    return urlsplit(origin).netloc.lower() == host_header.strip().lower()
