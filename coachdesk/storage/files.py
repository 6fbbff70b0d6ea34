"""Writing files so that a crash or a full disk never leaves a half-written one in place."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from coachdesk.domain.errors import VaultError


def fsync_directory(folder: Path) -> None:
    """Make a rename inside `folder` durable (no-op where directories cannot be opened)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `data` to a temporary file beside `path`, fsync it, then rename it over `path`."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_directory(path.parent)


def write_requested_file(path: Path, data: bytes, vault_folder: Path) -> None:
    """Write a plaintext file the coach asked for (an export, a PDF), atomically and readable by
    this user only — never inside the vault folder, which holds only encrypted files."""
    folder = vault_folder.resolve()
    target = path.resolve()
    if target == folder or target.parent.is_relative_to(folder):
        raise VaultError(
            f"{path} is inside the vault folder {vault_folder}, which holds only encrypted files. "
            "Choose a place outside it."
        )
    atomic_write(path, data)
