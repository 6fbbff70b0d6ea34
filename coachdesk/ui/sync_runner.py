"""Sending the outbox from the app: what the Sync page shows and does, and the automatic runs.

A run is a chain of small steps, each on its own thread:

    vault worker    build what changed; the months waiting          (sending.prepare)
    network thread  send one month's bundle                          (HubClient.send_bundle)
    vault worker    record the hub's answer                          (sending.interpret)
    ... next month, until every month is sent or the hub cannot be reached ...
    vault worker    remember the run                                 (sending.record_run)

so the GUI thread never touches the network and a slow hub never holds up the coach's records.
Only one run (or enrolment, or export) is under way at a time. Automatic runs happen when the
laptop finds a network, every half hour while unlocked, and shortly after unlocking — only when
this laptop is enrolled and the programme's policy names a hub; they leave refused months alone.
Nothing runs while the vault is locked."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.errors import CoachDeskError, SyncError
from coachdesk.storage.vault import Vault
from coachdesk.sync import outbox, sending
from coachdesk.sync.outbox import Device, OutboxMonth, SendResult
from coachdesk.sync.sending import Enrolment, LastSync
from coachdesk.ui.controller import AppController
from coachdesk.ui.sync_model import month_name
from coachdesk.ui.sync_network import NetworkWatch, NetworkWorker

if TYPE_CHECKING:
    from coachdesk.sync.transport import HubClient

log = logging.getLogger("coachdesk.ui.sync")

ClientFactory = Callable[[str], "HubClient"]

# What the page says about the hub (the words are the page's).
NOT_CHECKED = "not_checked"
CHECKING = "checking"
CONNECTED = "connected"
UNREACHABLE = "unreachable"
OFFLINE = "offline"

AUTO_INTERVAL_MS = 30 * 60_000
# After unlocking, or when the network comes back: long enough for Today to load and for a
# network that comes and goes to settle.
AUTO_DELAY_MS = 5_000
RECHECK_S = 60


def default_client(url: str) -> HubClient:
    from coachdesk.sync.transport import HubClient  # noqa: PLC0415 - loaded on the network thread

    return HubClient(url)


@dataclass(frozen=True)
class SyncOverview:
    """Everything the Sync page shows, read in one job: no participant data, only counts."""

    enrolment: Enrolment | None
    last_sync: LastSync | None
    device: Device
    months: list[OutboxMonth]
    waiting: list[OutboxMonth]  # what "Sync now" would send, oldest first (refused months too)


def read_overview(vault: Vault, today: date, *, rebuild: bool) -> SyncOverview:
    """Runs on the vault worker. With `rebuild`, months whose counts changed get a new signed
    revision first, so the cells shown are exactly the bytes that will be sent."""
    if rebuild:
        outbox.refresh(vault, today)
    return SyncOverview(
        sending.enrolment(vault),
        sending.last_sync(vault),
        outbox.device(vault),
        outbox.months(vault),
        outbox.waiting(vault, include_failed=True),
    )


def _not_enrolled() -> SyncError:
    return SyncError(
        "This laptop is not enrolled with the programme's hub yet. Ask the programme team for an "
        "enrolment token, then choose “Enrol this laptop…”."
    )


@dataclass
class _Run:
    automatic: bool
    include_failed: bool
    today: date
    now: datetime
    hub_url: str = ""
    months: list[OutboxMonth] = field(default_factory=list)
    results: list[SendResult] = field(default_factory=list)
    client: Any = None  # made and used on the network thread only


class SyncRunner(QObject):
    overview_read = Signal(object)  # SyncOverview
    overview_failed = Signal(str)
    connection_changed = Signal()
    busy_changed = Signal(bool)  # a run, an enrolment or an export is under way
    progress = Signal(str)
    run_finished = Signal(str)  # the run's one-line result (also when nothing was sent)
    run_failed = Signal(str)

    def __init__(
        self,
        controller: AppController,
        client_factory: ClientFactory = default_client,
        watch_network: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.client_factory = client_factory
        self.network = NetworkWorker(self)
        self._watch_network = watch_network
        self.watch: NetworkWatch | None = None
        self.connection = NOT_CHECKED
        self.connection_detail = ""
        self.enrolment: Enrolment | None = None
        self._run: _Run | None = None
        self._busy_with = ""  # "sync", "enrol", "export" or ""
        self._request = 0
        self._active = False
        self._checked_at: float | None = None

        self.timer = QTimer(self)
        self.timer.setInterval(AUTO_INTERVAL_MS)
        self.timer.timeout.connect(self.sync_automatically)
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(AUTO_DELAY_MS)
        self.soon.timeout.connect(self.sync_automatically)

    # -- unlocked and locked ----------------------------------------------------------------------
    def start(self) -> None:
        """The vault is unlocked: learn whether this laptop is enrolled, then sync by itself."""
        if self._active:
            return
        self._active = True
        if self.watch is None:
            self.watch = NetworkWatch(self._watch_network, self)
            self.watch.changed.connect(self._network_changed)
        self.timer.start()
        if self.watch.online is False:
            self._set_connection(OFFLINE)

        def enrolled(enrolment: Enrolment | None) -> None:
            self.enrolment = enrolment
            self.soon.start()

        self.controller.run(sending.enrolment, enrolled, lambda _exc: None)

    def stop(self) -> None:
        """The vault is locking: forget everything and drop any answer still on its way."""
        self._active = False
        self.timer.stop()
        self.soon.stop()
        self.network.invalidate()
        self._request += 1
        self._run = None
        self.enrolment = None
        self._checked_at = None
        self._set_busy("")
        self._set_connection(NOT_CHECKED)

    @property
    def busy(self) -> bool:
        return bool(self._busy_with)

    @property
    def automatic(self) -> bool:
        """Whether runs start by themselves: enrolled, and the programme's policy names a hub."""
        return self.enrolment is not None and bool(self.controller.policy.hub_url)

    def _set_busy(self, what: str) -> None:
        was = self.busy
        self._busy_with = what
        if was != self.busy:
            self.busy_changed.emit(self.busy)

    def _set_connection(self, state: str, detail: str = "") -> None:
        if state in (CONNECTED, UNREACHABLE):
            self._checked_at = time.monotonic()  # any answer (or none) from the hub is news of it
        self.connection, self.connection_detail = state, detail
        self.connection_changed.emit()

    def _network_changed(self, online: bool | None) -> None:
        if online is False:
            self._set_connection(OFFLINE)
        elif self._active:
            if self.connection == OFFLINE:
                self._set_connection(NOT_CHECKED)
            self.check_hub(force=True)
            self.soon.start()  # the laptop found a network: send what waits

    # -- reading what the page shows ------------------------------------------------------------
    def refresh(self) -> None:
        """Read the overview on the vault worker (rebuilding changed months unless a run is under
        way: a month must not be rebuilt while its bundle is out at the hub)."""
        if not self.controller.is_unlocked:
            return
        self._request += 1
        request, today, rebuild = self._request, date.today(), not self.busy

        def show(overview: SyncOverview) -> None:
            if request == self._request:
                self.enrolment = overview.enrolment
                self.overview_read.emit(overview)

        def failed(exc: Exception) -> None:
            if request == self._request:
                self.overview_failed.emit(_sentence(exc))

        self.controller.run(lambda vault: read_overview(vault, today, rebuild=rebuild), show, failed)

    def check_hub(self, *, force: bool = False) -> None:
        """Ask the hub whether it is there (GET /healthz), on the network thread — at most once a
        minute unless forced, so flicking between pages does not knock at the hub each time."""
        if self.enrolment is None or self.busy or (self.watch is not None and self.watch.online is False):
            return
        if self.connection == CHECKING:
            return
        if not force and self._checked_at is not None and time.monotonic() - self._checked_at < RECHECK_S:
            return
        url, factory = self.enrolment.hub_url, self.client_factory
        self._set_connection(CHECKING)

        def answered(healthy: bool) -> None:
            if self.connection == CHECKING:
                self._set_connection(CONNECTED if healthy else UNREACHABLE, utc_stamp() if healthy else "")

        def failed(exc: Exception) -> None:
            if self.connection == CHECKING:
                self._set_connection(UNREACHABLE, _sentence(exc))

        self.network.run(lambda: factory(url).healthy(), answered, failed)

    # -- sending --------------------------------------------------------------------------------
    def sync_now(self) -> bool:
        """The coach's "Sync now": every waiting month, refused ones included. False when another
        run, an enrolment or an export is under way."""
        return self._begin(automatic=False)

    def sync_automatically(self) -> bool:
        if not self.automatic or (self.watch is not None and self.watch.online is False):
            return False
        return self._begin(automatic=True)

    def _begin(self, *, automatic: bool) -> bool:
        if self.busy or not self.controller.is_unlocked:
            return False
        run = _Run(automatic, include_failed=not automatic, today=date.today(), now=datetime.now(UTC))
        self._run = run
        self._set_busy("sync")
        self.progress.emit(self.tr("Building this month's bundles…"))

        def prepare(vault: Vault) -> tuple[str, list[OutboxMonth]]:
            enrolment = sending.enrolment(vault)
            if enrolment is None:
                raise _not_enrolled()
            return enrolment.hub_url, sending.prepare(
                vault, run.today, include_failed=run.include_failed, now=run.now
            )

        self.controller.run(prepare, lambda ready: self._prepared(run, ready), lambda exc: self._fail(run, exc))
        return True

    def _prepared(self, run: _Run, ready: tuple[str, list[OutboxMonth]]) -> None:
        if run is not self._run:
            return
        run.hub_url, run.months = ready
        if not run.months:
            self._finish(run)
            return
        self._send(run, 0)

    def _send(self, run: _Run, index: int) -> None:
        month, factory = run.months[index], self.client_factory
        self.progress.emit(
            self.tr("Sending {0} ({1} of {2})…").format(month_name(month.period), index + 1, len(run.months))
        )

        def send() -> tuple[Any, Any]:
            client = run.client or factory(run.hub_url)
            return client, client.send_bundle(month.bundle)

        self.network.run(send, lambda sent: self._answered(run, index, *sent), lambda exc: self._fail(run, exc))

    def _answered(self, run: _Run, index: int, client: Any, answer: Any) -> None:
        if run is not self._run:
            return
        run.client = client
        month, url = run.months[index], client.base_url
        self.controller.run(
            lambda vault: sending.interpret(vault, month, answer, url, run.now),
            lambda result: self._recorded(run, index, result),
            lambda exc: self._fail(run, exc),
        )

    def _recorded(self, run: _Run, index: int, result: SendResult) -> None:
        if run is not self._run:
            return
        run.results.append(result)
        if result.state == outbox.PENDING:
            # The hub was not reached: no point knocking again at once for the other months.
            self._set_connection(UNREACHABLE, result.reason or "")
            self._finish(run)
            return
        self._set_connection(CONNECTED, utc_stamp(run.now))
        if index + 1 < len(run.months):
            self._send(run, index + 1)
        else:
            self._finish(run)

    def _finish(self, run: _Run) -> None:
        def done(last: LastSync) -> None:
            if run is not self._run:
                return
            self._run = None
            self._set_busy("")
            log.info("sync run: %s", last.result)  # counts only, never contents
            self.run_finished.emit(last.result)
            self.refresh()

        self.controller.run(
            lambda vault: sending.record_run(vault, run.results, run.now), done, lambda exc: self._fail(run, exc)
        )

    def _fail(self, run: _Run, exc: Exception) -> None:
        if run is not self._run:
            return
        self._run = None
        self._set_busy("")
        if not (run.automatic and isinstance(exc, SyncError)):
            self.run_failed.emit(_sentence(exc))
        self.refresh()

    # -- enrolment ------------------------------------------------------------------------------
    def enrol(
        self,
        hub_url: str,
        token: str,
        device_name: str,
        on_done: Callable[[str], None],
        on_error: Callable[[str], None],
    ) -> bool:
        """Register this laptop's public key with the hub: the key is read on the vault worker,
        sent on the network thread, and the hub's answer checked and kept on the vault worker."""
        if self.busy or not self.controller.is_unlocked:
            return False
        self._set_busy("enrol")
        factory = self.client_factory

        def failed(exc: Exception) -> None:
            self._set_busy("")
            on_error(_sentence(exc))

        def register(me: Device) -> None:
            def request() -> tuple[str, str]:
                client = factory(hub_url)
                return client.base_url, client.enrol(token, device_name, me.public_key)

            self.network.run(request, keep, failed)

        def keep(answer: tuple[str, str]) -> None:
            base_url, device_id = answer
            self.controller.run(
                lambda vault: sending.remember_enrolment(vault, base_url, device_name, device_id),
                done,
                failed,
            )

        def done(device_id: str) -> None:
            self._set_busy("")
            self._set_connection(CONNECTED, utc_stamp())
            on_done(device_id)
            self.refresh()

        self.controller.run(outbox.device, register, failed)
        return True

    # -- export ---------------------------------------------------------------------------------
    def export(self, folder: Path, on_done: Callable[[list[Path]], None], on_error: Callable[[str], None]) -> bool:
        """Write every bundle not yet sent into `folder` (a USB stick), on the vault worker."""
        if self.busy or not self.controller.is_unlocked:
            return False
        self._set_busy("export")
        today = date.today()

        def done(paths: list[Path]) -> None:
            self._set_busy("")
            on_done(paths)
            self.refresh()

        def failed(exc: Exception) -> None:
            self._set_busy("")
            on_error(_sentence(exc))

        self.controller.run(lambda vault: outbox.export_waiting(vault, folder, today), done, failed)
        return True


def _sentence(exc: Exception) -> str:
    """What the coach reads: the project's own sentence, never a traceback."""
    if isinstance(exc, CoachDeskError):
        return exc.message
    if isinstance(exc, OSError):
        return f"The files could not be written ({exc.strerror or type(exc).__name__})."
    return f"Something went wrong ({type(exc).__name__}); the log has the details."
