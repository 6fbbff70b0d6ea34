"""Opening the SQLCipher database with the data key as a raw key, and the connection settings
every vault connection shares."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3
from sqlcipher3 import dbapi2

from coachdesk.domain.errors import VaultError

Connection = dbapi2.Connection
DatabaseError = dbapi2.DatabaseError
IntegrityError = dbapi2.IntegrityError
PAGE_SIZE = 4096


@functools.cache
def _silence_sqlcipher() -> None:
    """SQLCipher prints 'hmac check failed' to stderr on a wrong key: a process-wide setting."""
    probe = sqlcipher3.connect(":memory:")
    probe.execute("PRAGMA cipher_log_level = NONE")
    probe.close()


def key_pragma(data_key: bytes | bytearray) -> str:
    # The key is passed as a raw 256-bit key, so SQLCipher's own PBKDF2 is not on the unlock path.
    return f"PRAGMA key = \"x'{bytes(data_key).hex()}'\""


def connect(path: Path, data_key: bytes | bytearray, *, create: bool = False) -> Connection:
    """An open, keyed connection; raises VaultError when the file is missing, damaged or foreign."""
    _silence_sqlcipher()
    if create:
        # Only this user may read the file (SQLite gives the -wal and -shm files the same mode).
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    else:
        describe_damage(path)
    conn = dbapi2.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        conn.execute(key_pragma(data_key))
        conn.execute("PRAGMA cipher_memory_security = ON")
        # Reading the schema is what first decrypts a page: a wrong key fails here.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Sorts and temporary indexes stay in memory: no temp file can hold a decrypted page.
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        # Every page read from disk is decrypted: a larger cache (32 MiB) spares re-reads.
        conn.execute("PRAGMA cache_size = -32000")
    except DatabaseError:
        conn.close()
        raise VaultError(
            "The vault's database cannot be read with this vault's key: it is damaged or belongs to "
            "another vault. Restore the vault from a backup."
        ) from None
    return conn


def describe_damage(path: Path) -> None:
    """Catch the damage SQLite itself would not report (a missing or truncated file)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise VaultError(f"The vault's database ({path.name}) is missing. Restore the vault from a backup.") from None
    if size == 0 or size % PAGE_SIZE:
        raise VaultError(
            f"The vault's database ({path.name}) is truncated or damaged. Restore the vault from a backup."
        )


def read_salt(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(16)


@contextlib.contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """One write transaction: all of it commits, or none of it does."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
