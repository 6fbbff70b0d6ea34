"""The hub's side of the app's threads: a one-thread pool for HTTP calls and a watch on the
laptop's network.

HTTP never runs on the GUI thread, and not on the vault's thread either: a hub that takes its
time (retries with backoff, a slow proxy) must not hold up the coach's records. Jobs run one at a
time, in order; results come back to the GUI thread as queued signals, and results of jobs posted
before a lock are dropped, as the vault worker does."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from PySide6.QtNetwork import QNetworkInformation

from coachdesk.domain.errors import CoachDeskError

log = logging.getLogger("coachdesk.ui.sync")


@dataclass
class _NetworkJob:
    fn: Callable[[], Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[Exception], None] | None
    generation: int
    result: Any = None
    error: Exception | None = None


class NetworkWorker(QObject):
    """Runs `fn()` on a pool thread of its own (one at a time); `on_done(result)` or
    `on_error(exception)` on the GUI thread."""

    _finished = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # A pool, not a QThread of our own: its thread ends by itself when idle, and nothing
        # aborts the process if the object goes away while a request is still out.
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setObjectName("hub-network")
        self.generation = 0
        self._pending = 0
        # Emitted on the pool thread; this object lives on the GUI thread, so Qt queues it there.
        self._finished.connect(self._deliver)

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        job = _NetworkJob(fn, on_done, on_error, self.generation)
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        self._pool.start(lambda: self._execute(job))

    def _execute(self, job: _NetworkJob) -> None:
        try:
            job.result = job.fn()
        except Exception as exc:
            if not isinstance(exc, CoachDeskError):
                log.error("hub request failed: %s", type(exc).__name__)
            job.error = exc
        self._finished.emit(job)

    @Slot(object)
    def _deliver(self, job: _NetworkJob) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if job.generation != self.generation:
            return  # posted before a lock: nothing of it may reach a cleared page
        if job.error is not None:
            if job.on_error is not None:
                job.on_error(job.error)
        elif job.on_done is not None:
            job.on_done(job.result)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def invalidate(self) -> None:
        """Drop the results of every request already posted (the vault is locking)."""
        self.generation += 1

    def wait_idle(self, timeout_ms: int = 30_000) -> bool:
        """Block until posted requests have finished (shutdown and tests); their results are
        delivered when the GUI thread next processes events."""
        return self._pool.waitForDone(timeout_ms)


class NetworkWatch(QObject):
    """Whether this laptop sees a network, from the operating system (QNetworkInformation).
    `online` is None when the platform cannot tell: then CoachDesk simply tries."""

    changed = Signal(object)  # True, False or None

    def __init__(self, enabled: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._info: QNetworkInformation | None = None
        self._online: bool | None = None
        if enabled and QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability):
            self._info = QNetworkInformation.instance()
        if self._info is not None:
            self._online = self._meaning(self._info.reachability())
            self._info.reachabilityChanged.connect(self._reachability_changed)

    @staticmethod
    def _meaning(reachability: QNetworkInformation.Reachability) -> bool | None:
        if reachability == QNetworkInformation.Reachability.Disconnected:
            return False
        if reachability == QNetworkInformation.Reachability.Unknown:
            return None
        # Local and Site count: a programme may run its hub on the surgery's own network.
        return True

    @Slot(QNetworkInformation.Reachability)
    def _reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        self.set_online(self._meaning(reachability))

    @property
    def online(self) -> bool | None:
        return self._online

    def set_online(self, online: bool | None) -> None:
        """What the operating system says (tests call it to play a network coming and going)."""
        if online != self._online:
            self._online = online
            self.changed.emit(online)
