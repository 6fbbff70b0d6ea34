"""Backups people really make: a reminder when the last one is older than the policy's
`backup_reminder_days` (default 7), "Back up now" to a folder the coach picks, and automatic
backups into a folder the coach picks, keeping the last N.

Automatic backups are made when the vault is unlocked, at most once a day (`AUTO_EVERY`), not at
lock: a lock must be immediate, and a backup of a large vault takes seconds. Every backup is read
back and checked with the key after writing (storage/backup_check.py). Settings live in the vault's
meta table (they travel with the vault and its backups):

    backup.auto_folder   the folder (empty: automatic backups are off)
    backup.auto_keep     how many automatic backups to keep (default 7)
    backup.last_auto_at  when the last automatic backup was made (UTC stamp)
    last_backup_at       any backup (written by storage/backup.py)"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from coachdesk.domain.clock import UTC_FORMAT, utc_stamp
from coachdesk.domain.errors import VaultError
from coachdesk.storage import audit
from coachdesk.storage.backup import restore_backup, write_backup
from coachdesk.storage.backup_check import check_written_backup
from coachdesk.storage.vault import Vault

Progress = Callable[[int, int], None]

AUTO_FOLDER = "backup.auto_folder"
AUTO_KEEP = "backup.auto_keep"
LAST_AUTO = "backup.last_auto_at"
LAST_ANY = "last_backup_at"
DEFAULT_KEEP = 7
AUTO_EVERY = timedelta(days=1)
SUFFIX = ".cdbackup"


@dataclass(frozen=True)
class BackupStatus:
    last_at: datetime | None  # the last backup of any kind (UTC)
    reminder_days: int  # the policy's limit
    overdue: bool  # no backup, or the last one older than the limit
    auto_folder: Path | None
    auto_keep: int
    last_auto_at: datetime | None

    @property
    def days_since(self) -> int | None:
        return None if self.last_at is None else max(0, (datetime.now(UTC) - self.last_at).days)


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        return datetime.strptime(stamp, UTC_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def status(vault: Vault, now: datetime) -> BackupStatus:
    last = _parse(vault.meta(LAST_ANY))
    days = vault.policy.backup_reminder_days
    folder = vault.meta(AUTO_FOLDER) or ""
    keep = vault.meta(AUTO_KEEP)
    return BackupStatus(
        last_at=last,
        reminder_days=days,
        overdue=last is None or now - last > timedelta(days=days),
        auto_folder=Path(folder) if folder else None,
        auto_keep=int(keep) if keep and keep.isdigit() else DEFAULT_KEEP,
        last_auto_at=_parse(vault.meta(LAST_AUTO)),
    )


def _outside_vault(vault: Vault, folder: Path) -> Path:
    folder = Path(folder)
    if not folder.is_dir():
        raise VaultError(f"The folder {folder} does not exist or is not reachable (is the USB stick in?).")
    if folder.resolve().is_relative_to(vault.folder.resolve()):
        raise VaultError("Backups must not go inside the vault's own folder: a lost laptop would take both.")
    return folder


def back_up_now(vault: Vault, folder: Path, now: datetime, progress: Progress | None = None) -> Path:
    """Write a backup into `folder`, read it back and check it with the key; returns its path."""
    dest = _outside_vault(vault, folder) / f"coachdesk-backup-{now.astimezone(UTC):%Y-%m-%d-%H%M%S}{SUFFIX}"
    write_backup(vault, dest, progress)
    _checked(vault, dest)
    return dest


def _checked(vault: Vault, dest: Path) -> None:
    try:
        check_written_backup(vault, dest)
    except VaultError:
        dest.unlink(missing_ok=True)  # a backup that cannot be trusted must not look like one
        raise


def set_auto(vault: Vault, folder: Path | None, keep: int) -> None:
    """Turn automatic backups on (a folder) or off (None), keeping the last `keep` (1 to 100)."""
    if not 1 <= keep <= 100:
        raise VaultError("Keep from 1 to 100 automatic backups.")
    text = str(_outside_vault(vault, folder)) if folder is not None else ""
    with vault.transaction() as conn:
        vault.set_meta(conn, AUTO_FOLDER, text)
        vault.set_meta(conn, AUTO_KEEP, str(keep))
        audit.record(conn, "backup.automatic_set" if text else "backup.automatic_off")


def auto_due(vault: Vault, now: datetime) -> bool:
    s = status(vault, now)
    return s.auto_folder is not None and (s.last_auto_at is None or now - s.last_auto_at >= AUTO_EVERY)


def _auto_pattern(vault: Vault) -> re.Pattern[str]:
    return re.compile(rf"coachdesk-auto-{re.escape(vault.vault_id[:8])}-\d{{8}}-\d{{6}}{re.escape(SUFFIX)}")


def run_auto(vault: Vault, now: datetime, progress: Progress | None = None) -> Path:
    """Make an automatic backup, check it, then delete this vault's automatic backups beyond the
    last N (only files named as CoachDesk names them for this vault; nothing else is touched)."""
    s = status(vault, now)
    if s.auto_folder is None:
        raise VaultError("Automatic backups are off: choose a folder for them first.")
    folder = _outside_vault(vault, s.auto_folder)
    dest = folder / f"coachdesk-auto-{vault.vault_id[:8]}-{now.astimezone(UTC):%Y%m%d-%H%M%S}{SUFFIX}"
    write_backup(vault, dest, progress)
    _checked(vault, dest)
    with vault.transaction() as conn:
        vault.set_meta(conn, LAST_AUTO, utc_stamp(now.astimezone(UTC)))
    pattern = _auto_pattern(vault)
    ours = sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))
    for old in ours[: max(0, len(ours) - s.auto_keep)]:
        old.unlink(missing_ok=True)
    return dest


def restore(backup: Path, folder: Path, *, passphrase: str | None = None, recovery_key: str | None = None) -> None:
    """Restore a backup into a new, empty folder, after it opens with the key given and passes its checks."""
    restore_backup(backup, folder, passphrase=passphrase, recovery_key=recovery_key)
