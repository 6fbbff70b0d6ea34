"""Secrets the hub hands out: enrolment tokens (single use) and programme-team tokens. Only their
SHA-256 is stored, so a copy of the database lets nobody enrol a device or read the summary."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# 32 random bytes: far beyond guessing. Written in hex: a token never begins with "-" (which a
# command line such as `coachdesk enrol --token T` would read as an option) and holds nothing a
# shell, a URL or an e-mail client treats specially.
_TOKEN_BYTES = 32
# Anything longer or stranger than a token is not one of ours.
MAX_TOKEN_LENGTH = 128


def new_token() -> str:
    return secrets.token_hex(_TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the store keeps: the hex SHA-256 of the token. The tokens are random, so a plain hash
    (no salt, no KDF) is enough and lets the store look a token up by its hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_hash(a: str, b: str) -> bool:
    """Constant-time comparison, so the time an answer takes says nothing about how close a guess was."""
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


def plausible_token(token: object) -> bool:
    return isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_LENGTH and token.isascii() and token.isprintable()
