"""Encrypted backups of a vault, and restoring one into a new folder.

A backup is a ZIP (stored, not compressed: encrypted pages do not compress) of three members:

    manifest.json   format, time, vault id, schema version, software, SHA-256 of the other two
    keyslots.json   the vault's key slots without the device (keyring) slot, which belongs to one computer
    coachdesk.db    a page-by-page copy of the database under the same data key (with its own salt)

Nothing in it can be read without the passphrase or the recovery key. Both directions work on
temporary names beside their destination and rename at the end: a failure leaves nothing behind,
and an existing vault is never touched."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2

from coachdesk import __version__
from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.errors import VaultError, WrongKeyError
from coachdesk.storage import audit, database, schema
from coachdesk.storage.files import fsync_directory
from coachdesk.storage.keyslots import DEVICE, KeySlotFile
from coachdesk.storage.vault import DB_NAME, LOCK_NAME, SLOTS_NAME, Vault

BACKUP_FORMAT = "coachdesk.backup/1"
MANIFEST_NAME = "manifest.json"
_PAGES_PER_STEP = 256
_CHUNK = 1 << 20
_HEX64 = re.compile(r"[0-9a-f]{64}")
# What zipfile raises on a damaged file: OSError too (a seek to a negative offset read from a bad header).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError)

Progress = Callable[[int, int], None]


def _damaged(path: Path, problem: str) -> VaultError:
    return VaultError(f"The backup file {path} is damaged ({problem}); use another backup.")


# -- writing ----------------------------------------------------------------------------------
def write_backup(vault: Vault, dest: Path, progress: Progress | None = None) -> None:
    """Write an encrypted backup of the unlocked `vault` to `dest`, replacing an older backup atomically.

    `progress(pages_done, pages_total)` is called as the database is copied."""
    dest = Path(dest)
    conn, key = vault.conn, vault.data_key  # VaultError when the vault is locked
    _check_destination(vault, dest)
    temps: list[Path] = []
    try:
        tmp_db, tmp_zip = _temp_file(dest, temps), _temp_file(dest, temps)
        version = _copy_database(conn, key, tmp_db, progress)
        with tmp_db.open("rb") as f:
            db_sha256 = hashlib.file_digest(f, "sha256").hexdigest()
        slots = vault.slots
        kept = [json.loads(json.dumps(s)) for s in slots.slots if s.get("type") != DEVICE]
        slots_bytes = KeySlotFile(slots.vault_id, slots.created_at, database.read_salt(tmp_db).hex(), kept).to_bytes()
        manifest = {
            "format": BACKUP_FORMAT,
            "created_at": utc_stamp(),
            "vault_id": vault.vault_id,
            "schema_version": version,
            "software": f"coachdesk {__version__}",
            "database_sha256": db_sha256,
            "keyslots_sha256": hashlib.sha256(slots_bytes).hexdigest(),
        }
        with tmp_zip.open("wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as zf:
                zf.writestr(MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
                zf.writestr(SLOTS_NAME, slots_bytes)
                zf.write(tmp_db, DB_NAME)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_zip, dest)
        temps.remove(tmp_zip)
        fsync_directory(dest.parent)
    except OSError as exc:
        raise VaultError(f"Cannot write the backup {dest}: {exc.strerror or exc}. No backup was written.") from None
    except dbapi2.DatabaseError as exc:
        raise VaultError(f"Cannot copy the vault's database for the backup ({exc}). No backup was written.") from None
    finally:
        for tmp in temps:
            for path in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-journal", "-wal", "-shm"))):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
    with vault.transaction() as c:
        vault.set_meta(c, "last_backup_at", manifest["created_at"])
        audit.record(c, "backup.created")


def _check_destination(vault: Vault, dest: Path) -> None:
    if not dest.parent.is_dir():
        raise VaultError(f"Cannot write the backup: the folder {dest.parent} does not exist.")
    if dest.is_dir():
        raise VaultError(f"{dest} is a folder. Give a file name for the backup.")
    if dest.parent.resolve() == vault.folder.resolve() and (
        dest.name.startswith(DB_NAME) or dest.name in (SLOTS_NAME, LOCK_NAME)
    ):
        raise VaultError(f"{dest} is one of the vault's own files. Choose another name for the backup.")
    if dest.exists() and not _is_backup(dest):
        raise VaultError(f"{dest} exists and is not a CoachDesk backup; it was left alone. Choose another name.")


def _is_backup(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            fmt = json.loads(zf.read(MANIFEST_NAME)).get("format")
    except (KeyError, AttributeError, *_ZIP_ERRORS):
        return False
    return isinstance(fmt, str) and fmt.startswith("coachdesk.backup/")


def _temp_file(dest: Path, temps: list[Path]) -> Path:
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".partial")  # mode 0o600
    os.close(fd)
    temps.append(Path(name))
    return temps[-1]


def _copy_database(conn: database.Connection, key: bytearray, tmp: Path, progress: Progress | None) -> int:
    """Copy the live database into `tmp`, encrypted from its first page on; check it; return its schema version."""
    target = dbapi2.connect(str(tmp), isolation_level=None)
    try:
        target.execute(database.key_pragma(key))  # before any page is written
        target.execute("PRAGMA cipher_memory_security = ON")

        def step(_status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(total - remaining, total)

        conn.backup(target, pages=_PAGES_PER_STEP, progress=step)
    finally:
        target.close()
    copy = database.connect(tmp, key)
    try:
        result = [r[0] for r in copy.execute("PRAGMA integrity_check")]
        bad_pages = copy.execute("PRAGMA cipher_integrity_check").fetchall()
        version = schema.current_version(copy)
    finally:
        copy.close()
    if result != ["ok"] or bad_pages:
        raise VaultError(
            "The copy of the database made for the backup fails its integrity check. No backup was written; "
            "run `coachdesk check` on the vault."
        )
    return version


# -- reading ----------------------------------------------------------------------------------
def read_manifest(path: Path) -> dict[str, Any]:
    """The backup's manifest, after checking the whole file: its ZIP checksums and its members' SHA-256."""
    return _verify(Path(path), None)


def _verify(path: Path, out: Path | None) -> dict[str, Any]:
    """Check the backup at `path`, extracting its key file and database into the folder `out` if given."""
    try:
        zf = zipfile.ZipFile(path)
    except (FileNotFoundError, IsADirectoryError):
        raise VaultError(f"The backup file {path} does not exist.") from None
    except OSError as exc:
        raise VaultError(f"Cannot read the backup file {path}: {exc.strerror or exc}.") from None
    except _ZIP_ERRORS:
        raise _damaged(path, "it is not a complete ZIP file; it may have been cut short") from None
    with zf:
        try:
            manifest = _manifest(path, zf)
            for name, field in ((SLOTS_NAME, "keyslots_sha256"), (DB_NAME, "database_sha256")):
                if _copy_member(path, zf, name, out) != manifest[field]:
                    raise _damaged(path, f"{name} does not match the checksum in its manifest")
        except _ZIP_ERRORS as exc:
            problem = str(exc) if isinstance(exc, zipfile.BadZipFile) else f"{type(exc).__name__}: {exc}"
            raise _damaged(path, f"its ZIP structure is broken: {problem[:120]}") from None
    return manifest


def _manifest(path: Path, zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        data = json.loads(zf.read(MANIFEST_NAME).decode("utf-8"))
    except KeyError:
        raise _damaged(path, f"{MANIFEST_NAME} is missing; it may not be a CoachDesk backup") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _damaged(path, f"its {MANIFEST_NAME} is unreadable") from None
    fmt = data.get("format") if isinstance(data, dict) else None
    if isinstance(fmt, str) and fmt.startswith("coachdesk.backup/") and fmt != BACKUP_FORMAT:
        raise VaultError(f"The backup file {path} was made by a newer CoachDesk ({fmt}). Install it to restore.")
    if fmt != BACKUP_FORMAT:
        raise _damaged(path, f"its format is {fmt!r}, not {BACKUP_FORMAT!r}")
    for field in ("created_at", "vault_id", "software", "database_sha256", "keyslots_sha256", "schema_version"):
        value = data.get(field)
        if field == "schema_version":
            valid = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        else:
            valid = isinstance(value, str) and (not field.endswith("sha256") or bool(_HEX64.fullmatch(value)))
        if not valid:
            raise _damaged(path, f"its manifest has no valid {field}")
    version = data["schema_version"]
    if version > schema.LATEST:
        raise VaultError(f"The backup file {path} holds a newer vault (schema {version}). Install the newer CoachDesk.")
    return data


def _copy_member(path: Path, zf: zipfile.ZipFile, name: str, out: Path | None) -> str:
    """SHA-256 of the member `name`, streamed; written to `out/name` (mode 0o600) when `out` is given."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise _damaged(path, f"{name} is missing from it") from None
    h = hashlib.sha256()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    dst = _writing(lambda: os.fdopen(os.open(out / name, flags, 0o600), "wb")) if out is not None else None
    try:
        with zf.open(info) as src:
            while chunk := src.read(_CHUNK):
                h.update(chunk)
                if dst is not None:
                    _writing(dst.write, chunk)
        if dst is not None:
            _writing(dst.flush)
            _writing(os.fsync, dst.fileno())
    finally:
        if dst is not None:
            with contextlib.suppress(OSError):
                dst.close()
    return h.hexdigest()


def _writing(fn: Callable[..., Any], *args: Any) -> Any:
    """A write into the restore folder: its errors (a full disk) are not the backup's fault, unlike read errors."""
    try:
        return fn(*args)
    except OSError as exc:
        raise VaultError(f"Cannot write the restored vault: {exc.strerror or exc}. Nothing was restored.") from None


# -- restoring --------------------------------------------------------------------------------
def restore_backup(
    backup: Path, folder: Path, *, passphrase: str | None = None, recovery_key: str | None = None
) -> None:
    """Restore `backup` into `folder` (new or empty), after proving it opens with the key given and passes checks."""
    backup, folder = Path(backup), Path(folder)
    if (passphrase is None) == (recovery_key is None):
        raise WrongKeyError("Give either the vault's passphrase or its recovery key to restore a backup.")
    if folder.exists() or folder.is_symlink():
        if Vault.exists(folder):
            raise VaultError(f"{folder} holds a vault. CoachDesk never restores over a vault; choose a new folder.")
        if not folder.is_dir() or any(folder.iterdir()):
            raise VaultError(f"{folder} is not an empty folder. Restore into a new or empty folder.")
    created = next((p for p in reversed(folder.parents) if not p.exists()), None)  # outermost missing parent
    tmp: Path | None = None
    done = False
    try:
        folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".restoring"))  # 0o700
        manifest = _verify(backup, tmp)
        _open_and_check(backup, tmp, manifest, passphrase, recovery_key)
        if os.name == "nt" and folder.exists():  # pragma: no cover - POSIX rename replaces an empty folder
            folder.rmdir()
        os.rename(tmp, folder)
        fsync_directory(folder.parent)
        done = True
    except OSError as exc:
        raise VaultError(f"Cannot restore into {folder}: {exc.strerror or exc}. Nothing was restored.") from None
    finally:
        if not done:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            if created is not None:
                shutil.rmtree(created, ignore_errors=True)


def _open_and_check(
    backup: Path, tmp: Path, manifest: dict[str, Any], passphrase: str | None, recovery_key: str | None
) -> None:
    """Open the extracted vault with the key given and run its full check (WrongKeyError passes through)."""
    vault = Vault(tmp)  # replaced by the opened vault; closing one never opened does nothing
    try:
        try:
            vault = Vault.open(tmp)
            if vault.vault_id != manifest["vault_id"]:
                raise VaultError("its key file belongs to another vault")
            if passphrase is not None:
                vault.unlock_with_passphrase(passphrase)
            else:
                vault.unlock_with_recovery_key(recovery_key or "")
        except VaultError as exc:
            raise _damaged(backup, f"it does not open: {exc}") from None
        problems = vault.check()
    finally:
        vault.close()
    if problems:
        raise _damaged(backup, "the restored vault fails its checks: " + "; ".join(problems))
