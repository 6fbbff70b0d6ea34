"""The recovery key: 128 random bits shown once, in groups a person can copy without mistakes.

Crockford's base32 alphabet has no I, L, O or U, so what is read aloud or written by hand comes
back unambiguous; two check characters catch a mistyped group before any slot is tried."""

from __future__ import annotations

import hashlib
import secrets

from coachdesk.domain.errors import WrongKeyError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = {"I": "1", "L": "1", "O": "0", "U": "V"}
_KEY_BITS = 128
_BODY_CHARS = 26  # ceil(128 / 5)
_CHECK_CHARS = 2
GROUP = 4


def _encode(value: int, length: int) -> str:
    return "".join(ALPHABET[(value >> (5 * (length - 1 - i))) & 31] for i in range(length))


def _check(body: str) -> str:
    digest = int.from_bytes(hashlib.sha256(body.encode()).digest()[:2], "big")
    return _encode(digest >> 6, _CHECK_CHARS)


def new_recovery_key() -> tuple[str, bytes]:
    """A fresh key: (its printed form, its 16 secret bytes)."""
    secret = secrets.token_bytes(_KEY_BITS // 8)
    return format_recovery_key(secret), secret


def format_recovery_key(secret: bytes) -> str:
    body = _encode(int.from_bytes(secret, "big"), _BODY_CHARS)
    text = body + _check(body)
    return "-".join(text[i : i + GROUP] for i in range(0, len(text), GROUP))


def parse_recovery_key(text: str) -> bytes:
    """The secret bytes of a typed recovery key; forgiving of case, spaces, dashes and I/L/O/U."""
    cleaned = "".join(_READ_AS.get(c, c) for c in text.upper() if c not in " -\t\r\n")
    if len(cleaned) != _BODY_CHARS + _CHECK_CHARS or any(c not in ALPHABET for c in cleaned):
        raise WrongKeyError(
            "That is not a recovery key: it has 28 letters and digits in groups of four, like ABCD-EF12-…"
        )
    body, check = cleaned[:_BODY_CHARS], cleaned[_BODY_CHARS:]
    if _check(body) != check:
        raise WrongKeyError("That recovery key has a typing mistake: please check each group again.")
    value = 0
    for c in body:
        value = value * 32 + ALPHABET.index(c)
    if value >> _KEY_BITS:
        raise WrongKeyError("That recovery key has a typing mistake: please check the first group.")
    return value.to_bytes(_KEY_BITS // 8, "big")
