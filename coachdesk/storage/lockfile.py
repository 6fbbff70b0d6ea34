"""One running CoachDesk per vault: an exclusive, non-blocking OS lock on `coachdesk.lock`.

The OS drops the lock when the process dies, so a crash never leaves the vault locked. The lock
file itself holds nothing."""

from __future__ import annotations

import os
from pathlib import Path

if os.name == "nt":  # pragma: no cover - exercised on Windows builds
    import msvcrt
else:
    import fcntl

from coachdesk.domain.errors import VaultInUseError

_IN_USE = "This vault is open in another CoachDesk window or command. Close it there first, then try again."


class VaultLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.name == "nt":  # pragma: no cover - exercised on Windows builds
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise VaultInUseError(_IN_USE) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if os.name == "nt":  # pragma: no cover
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None
