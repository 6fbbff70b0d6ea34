"""This laptop's Ed25519 signing key for bundles (formats.md §2), kept in the encrypted database's
`meta` table: it never exists in a file, and it is as safe as the caseload it speaks for.

A vault gets its key when it reaches schema version 2; the device id is derived from the public
key (`domain.bundle.device_id_for`), so it is the same here, in `coachdesk device` and at the hub."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from coachdesk.domain.bundle import device_id_for, public_key_bytes
from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.errors import VaultError
from coachdesk.storage.database import Connection

_PRIVATE_KEY = "device.private_key"
_CREATED = "device.created_at"


def create(conn: Connection) -> None:
    """Generate and store a new key (inside the caller's transaction); an existing key stays."""
    if conn.execute("SELECT 1 FROM meta WHERE key = ?", (_PRIVATE_KEY,)).fetchone():
        return
    raw = Ed25519PrivateKey.generate().private_bytes_raw()
    conn.executemany(
        "INSERT INTO meta(key, value) VALUES (?, ?)",
        [(_PRIVATE_KEY, base64.b64encode(raw).decode("ascii")), (_CREATED, utc_stamp())],
    )


def load(conn: Connection) -> Ed25519PrivateKey:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_PRIVATE_KEY,)).fetchone()
    if row is None:
        raise VaultError("This vault has no device key; run `coachdesk check` and restore from a backup.")
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(row[0]))


def public_key(conn: Connection) -> bytes:
    """The raw 32-byte public key."""
    return public_key_bytes(load(conn))


def device_id(conn: Connection) -> str:
    return device_id_for(public_key(conn))
