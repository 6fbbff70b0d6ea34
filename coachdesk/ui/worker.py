"""The vault's own thread. Every storage and service call runs here, one at a time, so the GUI
thread never waits on the disk or the KDF; results come back to the GUI thread as queued signals.

    worker.run(lambda vault: caseload.find(vault, text), on_done=model.show, on_error=page.error)

Jobs submitted before a lock carry an older generation: their results are dropped, so nothing
read before the lock can repopulate a cleared widget. Tests may use `synchronous=True`, which runs
each job at once on the calling thread (style.md: a synchronous worker in tests)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from coachdesk.domain.errors import CoachDeskError

if TYPE_CHECKING:
    from coachdesk.storage.vault import Vault

log = logging.getLogger("coachdesk.ui.worker")

Progress = Callable[[int, int], None]


class VaultHolder:
    """What a job sees: the vault (None until one is opened) and a progress reporter."""

    def __init__(self) -> None:
        self.vault: Vault | None = None
        self.progress: Progress = lambda done, total: None

    def require(self) -> Vault:
        if self.vault is None or not self.vault.unlocked:
            raise CoachDeskError("The vault is locked.")
        return self.vault


@dataclass
class Job:
    fn: Callable[[VaultHolder], Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[Exception], None] | None
    on_progress: Progress | None
    generation: int
    result: Any = None
    error: Exception | None = field(default=None)


class _Runner(QObject):
    """Lives on the worker thread; runs jobs in the order they were posted."""

    finished = Signal(object)
    progressed = Signal(object, int, int)

    def __init__(self, holder: VaultHolder) -> None:
        super().__init__()
        self.holder = holder

    @Slot(object)
    def execute(self, job: Job) -> None:
        self.holder.progress = lambda done, total: self.progressed.emit(job, done, total)
        try:
            job.result = job.fn(self.holder)
        except Exception as exc:
            if not isinstance(exc, CoachDeskError):
                log.error("background job failed: %s", type(exc).__name__)
            job.error = exc
        self.finished.emit(job)


class VaultWorker(QObject):
    _post = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, synchronous: bool = False) -> None:
        super().__init__()
        self.holder = VaultHolder()
        self.synchronous = synchronous
        self.generation = 0
        self._pending = 0
        self._runner = _Runner(self.holder)
        self._thread: QThread | None = None
        if not synchronous:
            self._thread = QThread()
            self._thread.setObjectName("vault-worker")
            self._runner.moveToThread(self._thread)
            self._post.connect(self._runner.execute)
            self._runner.finished.connect(self._deliver)
            self._runner.progressed.connect(self._progress)
            self._thread.start()

    def run(
        self,
        fn: Callable[[VaultHolder], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_progress: Progress | None = None,
    ) -> None:
        job = Job(fn, on_done, on_error, on_progress, self.generation)
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        if self.synchronous:
            self._run_inline(job)
        else:
            self._post.emit(job)

    def _run_inline(self, job: Job) -> None:
        self.holder.progress = lambda done, total: self._progress(job, done, total)
        try:
            job.result = job.fn(self.holder)
        except Exception as exc:
            job.error = exc
        self._deliver(job)

    @Slot(object, int, int)
    def _progress(self, job: Job, done: int, total: int) -> None:
        if job.on_progress is not None and job.generation == self.generation:
            job.on_progress(done, total)

    @Slot(object)
    def _deliver(self, job: Job) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if job.generation != self.generation:
            return  # submitted before a lock: its data must not reach the screen
        if job.error is not None:
            if job.on_error is not None:
                job.on_error(job.error)
            elif not isinstance(job.error, CoachDeskError):
                log.error("unhandled background failure: %s", type(job.error).__name__)
        elif job.on_done is not None:
            job.on_done(job.result)

    def invalidate(self) -> None:
        """Drop the results of every job already submitted (called when the vault locks)."""
        self.generation += 1

    def wait_idle(self, timeout_ms: int = 30_000) -> bool:
        """Block until queued jobs have run (used at shutdown and by tests)."""
        if self.synchronous or self._thread is None or not self._thread.isRunning():
            return True
        done = threading.Event()
        self._post.emit(Job(lambda _h: done.set(), None, None, None, -1))
        self._pending += 1
        return done.wait(timeout_ms / 1000)

    def shutdown(self) -> None:
        """Close the vault on its own thread, then stop the thread."""

        def close(holder: VaultHolder) -> None:
            if holder.vault is not None:
                holder.vault.close()
                holder.vault = None

        if self.synchronous or self._thread is None:
            close(self.holder)
            return
        if not self._thread.isRunning():
            return  # already shut down (the window's close and the app's exit both ask)
        self.run(close)
        self.wait_idle()
        self._thread.quit()
        self._thread.wait(10_000)
