"""The device slot's secret in the operating system's keyring (Windows Credential Manager, macOS
Keychain, Secret Service). Where no keyring exists the vault works with the passphrase alone."""

from __future__ import annotations

import base64
import secrets

import keyring
import keyring.errors
from keyring.backends import fail

SERVICE = "CoachDesk vault"


def available() -> bool:
    """True when a real keyring backend is there (never a plaintext fallback)."""
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    # keyrings.alt's plaintext and "encrypted" file backends write secrets to disk: refuse them.
    return not type(backend).__module__.startswith("keyrings.alt")


def store_new_secret(username: str) -> bytes | None:
    """A fresh device secret, saved in the keyring; None when no keyring can hold it."""
    if not available():
        return None
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
    try:
        keyring.delete_password(service, username)
    except keyring.errors.KeyringError:
        pass
