"""The app's state between the vault worker and the windows: locked or unlocked, the policy, the
practice the coach is at today, and the signals pages listen to. Pages never touch the vault
directly: they ask the controller's worker to run a service call."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Signal

from coachdesk.domain.errors import CoachDeskError
from coachdesk.services import events
from coachdesk.storage.layout import vault_exists
from coachdesk.ui.worker import Progress, VaultHolder, VaultWorker

if TYPE_CHECKING:
    # Loaded on the worker when the vault opens, not before the unlock screen's first frame.
    from coachdesk.domain.policy import Policy
    from coachdesk.storage.vault import Vault

log = logging.getLogger("coachdesk.ui")


@dataclass(frozen=True)
class UnlockInfo:
    """What the GUI thread may keep after an unlock: nothing about any participant."""

    policy: Policy
    has_keyring_slot: bool


def unlock_info(vault: Vault) -> UnlockInfo:
    """Run on the worker right after an unlock."""
    return UnlockInfo(vault.policy, vault.has_device_slot())


class AppController(QObject):
    unlocked = Signal()
    about_to_lock = Signal()
    locked = Signal(str)  # why, in a sentence for the unlock screen
    participant_changed = Signal(str)
    open_participant = Signal(str)
    practice_changed = Signal(str)

    def __init__(self, vault_dir: Path, worker: VaultWorker | None = None) -> None:
        super().__init__()
        self.vault_dir = vault_dir
        self.worker = worker or VaultWorker()
        self._policy: Policy | None = None
        self.has_keyring_slot = False
        self.is_unlocked = False
        self._practice = ""
        self.settings = QSettings()
        # Services announce changes from the worker thread; a queued signal brings them here.
        events.subscribe(events.PARTICIPANT_CHANGED, self.participant_changed.emit)

    @property
    def policy(self) -> Policy:
        """The programme policy of the unlocked vault (an empty default before the first unlock)."""
        if self._policy is None:
            from coachdesk.domain.policy import Policy  # noqa: PLC0415 - see the imports above

            self._policy = Policy()
        return self._policy

    @policy.setter
    def policy(self, value: Policy) -> None:
        self._policy = value

    # -- running work -------------------------------------------------------------------------
    def run(
        self,
        fn: Callable[[Vault], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_progress: Progress | None = None,
    ) -> None:
        """Run `fn(vault)` on the vault's thread with the unlocked vault."""
        self.worker.run(lambda holder: fn(holder.require()), on_done, on_error or self._report, on_progress)

    def run_raw(
        self,
        fn: Callable[[VaultHolder], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self.worker.run(fn, on_done, on_error or self._report)

    def _report(self, exc: Exception) -> None:
        if not isinstance(exc, CoachDeskError):
            log.error("unexpected failure: %s", type(exc).__name__)

    # -- the vault's state ----------------------------------------------------------------------
    def vault_exists(self) -> bool:
        return vault_exists(self.vault_dir)

    def opened(self, info: UnlockInfo) -> None:
        """Called on the GUI thread once a job has unlocked the vault."""
        self.policy = info.policy
        self.has_keyring_slot = info.has_keyring_slot
        remembered = str(self.settings.value("today/practice", ""))
        codes = [p.code for p in self.policy.practices]
        self._practice = remembered if remembered in codes else (codes[0] if codes else "")
        self.is_unlocked = True
        self.unlocked.emit()

    def lock(self, reason: str = "") -> None:
        """Save drafts, close the database, forget the key, and clear every page."""
        if not self.is_unlocked:
            return
        self.about_to_lock.emit()  # pages queue their drafts before the lock job
        self.is_unlocked = False
        self.worker.invalidate()

        def close(holder: VaultHolder) -> None:
            if holder.vault is not None:
                holder.vault.lock()

        self.worker.run(close)
        self.locked.emit(reason)

    @property
    def practice(self) -> str:
        return self._practice

    def set_practice(self, code: str) -> None:
        if code != self._practice:
            self._practice = code
            self.settings.setValue("today/practice", code)
            self.practice_changed.emit(code)

    def shutdown(self) -> None:
        events.unsubscribe(events.PARTICIPANT_CHANGED, self.participant_changed.emit)
        self.worker.shutdown()
