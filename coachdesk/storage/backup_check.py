"""Checking a backup file after it is written: its ZIP and SHA-256 sums (backup.read_manifest),
then its database opened with the vault's key and put through SQLite's and SQLCipher's integrity
checks. A copy that passed its checks before zipping could still be damaged on the way to a USB
stick: this reads back what is on the stick."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from coachdesk.domain.errors import VaultError
from coachdesk.storage import database
from coachdesk.storage.backup import read_manifest
from coachdesk.storage.layout import DB_NAME
from coachdesk.storage.vault import Vault

_CHUNK = 1 << 20


def check_written_backup(vault: Vault, path: Path) -> None:
    """Raise VaultError naming the problem when the backup at `path` is not a sound copy of `vault`."""
    path = Path(path)
    manifest = read_manifest(path)  # ZIP checksums and the members' SHA-256
    if manifest["vault_id"] != vault.vault_id:
        raise VaultError(f"The backup {path} belongs to another vault.")
    work = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".checking"))  # mode 0o700
    try:
        copy = work / DB_NAME
        with zipfile.ZipFile(path) as zf, zf.open(DB_NAME) as src:
            fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
        conn = database.connect(copy, vault.data_key)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            bad_pages = conn.execute("PRAGMA cipher_integrity_check").fetchall()
            stored = conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
        finally:
            conn.close()
    except (OSError, zipfile.BadZipFile) as exc:
        raise VaultError(f"The backup {path} could not be read back to check it: {exc}.") from None
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(work)
    if result != ["ok"] or bad_pages or stored is None or stored[0] != vault.vault_id:
        raise VaultError(f"The backup {path} fails its check after writing; it cannot be trusted. Write it again.")
