"""The device slot's secret in the operating system's keyring (Windows Credential Manager, macOS
Keychain, Secret Service). Where no keyring exists the vault works with the passphrase alone."""

from __future__ import annotations

import base64
import secrets
from types import ModuleType

SERVICE = "CoachDesk vault"


def _keyring() -> ModuleType:
    """`keyring`, imported when first needed: it scans the installed back-ends, which costs tens
    of milliseconds that the unlock screen's first frame should not wait for."""
    import keyring  # noqa: PLC0415 - see the docstring
    import keyring.errors  # noqa: PLC0415

    return keyring


def available() -> bool:
    """True when a real keyring backend is there (never a plaintext fallback)."""
    from keyring.backends import fail  # noqa: PLC0415 - see _keyring()

    backend = _keyring().get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    # keyrings.alt's plaintext and "encrypted" file backends write secrets to disk: refuse them.
    return not type(backend).__module__.startswith("keyrings.alt")


def store_new_secret(username: str) -> bytes | None:
    """A fresh device secret, saved in the keyring; None when no keyring can hold it."""
    if not available():
        return None
    keyring = _keyring()
    secret = secrets.token_bytes(32)
    text = base64.b64encode(secret).decode("ascii")
    try:
        keyring.set_password(SERVICE, username, text)
        # A backend that accepts and drops secrets (keyring's null backend) must not get a slot.
        if keyring.get_password(SERVICE, username) != text:
            return None
    except keyring.errors.KeyringError:
        return None
    return secret


def load_secret(username: str, service: str = SERVICE) -> bytes | None:
    if not available():
        return None
    keyring = _keyring()
    try:
        text = keyring.get_password(service, username)
    except keyring.errors.KeyringError:
        return None
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return None


def delete_secret(username: str, service: str = SERVICE) -> None:
    if not available():
        return
    keyring = _keyring()
    try:
        keyring.delete_password(service, username)
    except keyring.errors.KeyringError:
        pass
