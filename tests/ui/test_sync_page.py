"""The Sync page against a real HTTP hub double on 127.0.0.1: enrolment, what leaves the laptop,
Sync now, a refusing hub, an unreachable hub, export for a USB stick, automatic runs, and lock.

The vault worker runs synchronously (on the test's thread, as in every UI test); the network
runs on the page's own thread, so each test waits for the run to finish. Every hub client the
page makes records the thread it was used on: none may be the GUI thread."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hub_double import TOKEN, HubDouble, dead_url, serving
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFileDialog

from coachdesk.domain import bundle as fmt
from coachdesk.domain.bundle import Cell
from coachdesk.domain.model import Participant, Session
from coachdesk.domain.policy import Policy
from coachdesk.domain.vocabulary import Attendance, ReferralSource, SessionType
from coachdesk.storage import participants
from coachdesk.storage.vault import Vault
from coachdesk.sync import outbox, sending
from coachdesk.sync.transport import HubClient
from coachdesk.ui.controller import AppController
from coachdesk.ui.sync_model import CellsModel, MonthsModel, measure_label, month_name
from coachdesk.ui.sync_page import SyncPage

TODAY = date.today()
MAIN_THREAD = threading.get_ident()


def _month_start(months_back: int) -> date:
    year, month = TODAY.year, TODAY.month - months_back
    while month <= 0:
        year, month = year - 1, month + 12
    return date(year, month, 1)


# The three complete months before this one: the months the page builds and sends.
PERIODS = [outbox.month_of(_month_start(back)) for back in (3, 2, 1)]


class RecordingClient(HubClient):
    """A hub client that notes the thread of every request (the GUI thread must never be one)."""

    threads: list[int]

    def enrol(self, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.get_ident())
        return super().enrol(*args, **kwargs)

    def send_bundle(self, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.get_ident())
        return super().send_bundle(*args, **kwargs)

    def healthy(self, *args: Any, **kwargs: Any) -> Any:
        self.threads.append(threading.get_ident())
        return super().healthy(*args, **kwargs)


@dataclasses.dataclass
class Clients:
    """The page's client factory: fast retries, every request's thread recorded, and an address
    that can be swapped for one where nothing listens."""

    threads: list[int] = dataclasses.field(default_factory=list)
    redirect: str | None = None

    def __call__(self, url: str) -> HubClient:
        client = RecordingClient(
            self.redirect or url, timeout=5.0, attempts=2, base_delay=0.01, max_delay=0.02, sleep=lambda _s: None
        )
        client.threads = self.threads
        return client


def fill(vault: Vault) -> None:
    """Two people referred three and two months ago, seen since: three complete months to send."""
    people = [
        Participant(
            given_name="Amina",
            family_name="Okafor",
            date_of_birth=date(1984, 3, 12),
            practice="P01",
            referral_date=_month_start(3),
            referral_source=ReferralSource.GP,
            sessions=[
                Session(
                    start=datetime.combine(_month_start(2), datetime.min.time()).replace(hour=10),
                    type=SessionType.REVIEW,
                    attendance=Attendance.ATTENDED,
                )
            ],
        ),
        Participant(
            given_name="Tomasz",
            family_name="Wiśniewski",
            date_of_birth=date(1971, 9, 30),
            practice="P02",
            referral_date=_month_start(2),
            referral_source=ReferralSource.JOBCENTRE,
        ),
    ]
    with vault.transaction() as conn:
        for p in people:
            participants.save(conn, p)


@pytest.fixture
def hub() -> Iterator[tuple[HubDouble, str]]:
    with serving() as served:
        yield served


@pytest.fixture
def clients() -> Clients:
    return Clients()


@pytest.fixture
def page(controller: AppController, vault_of: Vault, clients: Clients, qtbot) -> Iterator[SyncPage]:
    fill(vault_of)
    sync = SyncPage(controller, client_factory=clients, watch_network=False)
    qtbot.addWidget(sync)
    sync.resize(1200, 800)
    sync.show()
    yield sync
    sync.runner.stop()
    sync.runner.network.wait_idle(5000)
    assert MAIN_THREAD not in clients.threads, "the GUI thread touched the network"


@pytest.fixture
def enrolled(page: SyncPage, vault_of: Vault, hub: tuple[HubDouble, str]) -> tuple[SyncPage, HubDouble, str]:
    """The laptop enrolled beforehand (as `coachdesk enrol` would), the page showing it."""
    double, url = hub
    sending.enrol(vault_of, HubClient(url), TOKEN, "surgery laptop")
    page.refresh()
    return page, double, url


def wait_done(page: SyncPage, qtbot) -> None:
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=10_000)


def states(page: SyncPage) -> list[str]:
    model = page.months_model
    return [model.text(r, MonthsModel.STATE) for r in range(model.rowCount())]


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def while_modal(action: Callable[[], None]) -> None:
    """Run `action` once the dialog about to open is running its own event loop."""
    QTimer.singleShot(0, action)


# -- not enrolled -------------------------------------------------------------------------------
def test_not_enrolled_says_so_and_offers_enrolment(page: SyncPage, vault_of: Vault, clients: Clients) -> None:
    page.refresh()
    assert page.enrolled_label.text() == "Not enrolled"
    assert "names no hub" in page.connection_label.text()  # the test policy names none
    assert not page.sync_button.isEnabled()
    assert page.enrol_button.isEnabled() and page.enrol_button.text() == "&Enrol this laptop…"
    assert page.export_button.isEnabled()  # a USB stick needs no enrolment
    me = outbox.device(vault_of)
    assert me.device_id in page.device_label.text() and me.public_key in page.device_label.text()
    assert page.last_sync_label.text() == "Last sync: never, from this laptop."
    # The months are built and waiting, even before enrolment.
    assert [page.months_model.months[r].period for r in range(3)] == PERIODS
    assert states(page) == ["Pending"] * 3
    assert page.month_choice.count() == 3 and page.month_choice.currentData() == PERIODS[0]
    assert clients.threads == []  # nothing is sent, or even asked, before enrolment


# -- enrolment ----------------------------------------------------------------------------------
def test_enrol_through_the_dialog(
    page: SyncPage, vault_of: Vault, controller: AppController, hub: tuple[HubDouble, str], qtbot
) -> None:
    double, url = hub
    controller.policy = dataclasses.replace(controller.policy, hub_url=url)
    page.refresh()
    assert url in page.connection_label.text()
    seen: dict[str, str] = {}

    def enrol() -> None:
        dialog = page.enrol_dialog
        assert dialog is not None
        seen["prefilled"] = dialog.hub.text()
        dialog.token.setText("not-the-token")
        dialog.name.setText("surgery laptop")
        click(qtbot, dialog.enrol_button)
        qtbot.waitUntil(lambda: dialog.problem.text().startswith("Not enrolled"), timeout=10_000)
        seen["refused"] = dialog.problem.text()
        dialog.token.setText(TOKEN)
        click(qtbot, dialog.enrol_button)  # the dialog closes itself once the hub says yes

    while_modal(enrol)
    QTimer.singleShot(15_000, lambda: page.enrol_dialog and page.enrol_dialog.reject())  # never hang
    click(qtbot, page.enrol_button)

    assert seen["prefilled"] == url  # from the policy
    assert "unknown, used or expired" in seen["refused"]
    me = outbox.device(vault_of)
    assert double.keys[me.device_id] == fmt.parse_public_key(me.public_key)
    enrolment = sending.enrolment(vault_of)
    assert enrolment is not None and (enrolment.hub_url, enrolment.device_name) == (url, "surgery laptop")
    assert page.enrolled_label.text().startswith(f"Enrolled with {url} as “surgery laptop” since ")
    assert page.connection_label.text().startswith("Connected: the hub answered at ")
    assert page.sync_button.isEnabled()
    assert page.enrol_button.text() == "&Enrol again…"
    assert states(page) == ["Pending"] * 3  # enrolling sends nothing


def test_a_hub_address_that_is_not_https_is_refused_before_anything_is_sent(
    page: SyncPage, hub: tuple[HubDouble, str], qtbot
) -> None:
    double, _ = hub
    page.refresh()
    seen: list[str] = []

    def enrol() -> None:
        dialog = page.enrol_dialog
        assert dialog is not None
        dialog.hub.setText("http://hub.example.org")
        dialog.token.setText(TOKEN)
        click(qtbot, dialog.enrol_button)
        seen.append(dialog.problem.text())
        dialog.reject()

    while_modal(enrol)
    click(qtbot, page.enrol_button)
    assert seen == ["The hub address must use https:// (plain http is allowed only for localhost)."]
    assert double.keys == {}


# -- what leaves this laptop --------------------------------------------------------------------
def test_what_leaves_shows_exactly_the_cells_of_the_next_bundle(page: SyncPage, vault_of: Vault) -> None:
    page.refresh()
    next_bundle = outbox.waiting(vault_of, include_failed=True)[0]
    assert next_bundle.period == PERIODS[0]
    expected = outbox.cells_of(next_bundle.bundle)
    assert page.cells_model.cells == expected
    model = page.cells_model
    shown: list[tuple[str, str, str]] = []
    practice = ""
    for r in range(model.rowCount()):
        cell = model.cell_at(r)
        if cell is None:  # a practice's heading: its code first, as it is sent
            practice = model.text(r, 0).split()[0]
            continue
        assert cell.practice == practice
        shown.append((practice, model.text(r, CellsModel.MEASURE), model.text(r, CellsModel.VALUE)))
    assert shown == [(c.practice, c.measure, str(c.value)) for c in expected]
    assert model.text(0, 0) == f"P01  City Road Medical Centre  ·  {len(expected)} cells"
    assert model.heading_rows == [0] and page.cells_table.columnSpan(0, 0) == 3
    sentence = page.leaves_sentence.text()
    assert sentence.startswith(
        f"These counts, and nothing else, are what CoachDesk sends for {month_name(PERIODS[0])}: "
        "no names, no dates of birth, no notes."
    )
    assert f"{len(expected)} cells for 1 practice, revision 1" in sentence
    assert "next bundle to send" in sentence

    # Another waiting month, chosen by the coach: its own bundle, to the cell.
    page.month_choice.setCurrentIndex(2)
    assert page.cells_model.cells == outbox.cells_of(outbox.month_record(vault_of, PERIODS[2]).bundle)
    assert {c.practice for c in page.cells_model.cells} == {"P01", "P02"}
    assert "next bundle" not in page.leaves_sentence.text()
    page.runner.network.wait_idle()


def test_suppressed_values_and_measure_words() -> None:
    model = CellsModel()
    policy = Policy(practices=())
    model.set_cells([Cell("P07", "referrals_by_source.gp", None), Cell("P07", "sessions_dna", 0)], policy, 5)
    assert model.text(0, 0) == "P07  ·  2 cells"  # a code the policy does not name: as it is
    assert model.text(1, CellsModel.MEASURE) == "referrals_by_source.gp"  # exactly what leaves
    assert model.text(1, CellsModel.VALUE) == "suppressed (fewer than 5)"
    assert model.text(1, CellsModel.MEANING) == "Referrals from: GP"
    assert model.text(2, CellsModel.VALUE) == "0"
    assert model.index(1, 0).data(Qt.ItemDataRole.AccessibleTextRole) == (
        "P07, referrals_by_source.gp: suppressed (fewer than 5)"
    )
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert measure_label("referrals_by_source.gp") == "Referrals from: GP"
    assert measure_label("new_by_age_band.65_plus") == "New referrals aged 65 and over"
    assert measure_label("first_employer_contact.days_31_60") == "First employer contact 31–60 days of referral"
    assert measure_label("closures.moved_away") == "Cases closed: moved away"
    assert measure_label("a_measure_from_the_future") == "a_measure_from_the_future"
    assert month_name("2015-11") == "November 2015"


# -- sending ------------------------------------------------------------------------------------
def test_sync_now_sends_every_month_and_shows_each_receipt(
    enrolled: tuple[SyncPage, HubDouble, str], vault_of: Vault, clients: Clients, qtbot
) -> None:
    page, double, _ = enrolled
    click(qtbot, page.sync_button)
    assert page.runner.busy and not page.sync_button.isEnabled()  # no second run on top of this one
    wait_done(page, qtbot)
    assert len(clients.threads) >= 3 and MAIN_THREAD not in clients.threads  # each month on the network thread
    assert states(page) == ["Sent"] * 3
    assert double.posts == 3
    receipts = {r.period: r.receipt for r in outbox.receipts(vault_of)}
    model = page.months_model
    for row, period in enumerate(PERIODS):
        index = model.index(row, MonthsModel.RECEIPT)
        assert index.data() == receipts[period][:12] + "…"
        assert index.data(Qt.ItemDataRole.ToolTipRole) == receipts[period]
        assert model.text(row, MonthsModel.SENT_AT)
    assert page.last_sync_label.text().endswith("— 3 months sent.")
    assert page.activity.text() == "Sync finished: 3 months sent."
    assert page.connection_label.text().startswith("Connected")
    assert page.leaves_empty.isVisible() and page.leaves_empty.text() == "Nothing is waiting to be sent."
    assert not page.cells_table.isVisible()
    assert not page.export_button.isEnabled()


def test_a_refusing_hub_shows_failed_with_its_reason(enrolled: tuple[SyncPage, HubDouble, str], qtbot) -> None:
    page, double, _ = enrolled
    double.refuse = (400, "invalid_bundle", "practice: P09 is not one of this programme's practices.")
    click(qtbot, page.sync_button)
    wait_done(page, qtbot)
    assert states(page) == ["Failed"] * 3
    model = page.months_model
    answer = model.text(0, MonthsModel.REASON)
    assert "practice: P09 is not one of this programme's practices." in answer and "400" in answer
    assert model.index(0, MonthsModel.STATE).data(Qt.ItemDataRole.FontRole).bold()
    page.months_table.selectRow(1)
    assert page.month_detail.text().startswith(f"{month_name(PERIODS[1])}, revision 1: refused by the hub.")
    assert "practice: P09 is not one of this programme's practices." in page.month_detail.text()
    assert page.last_sync_label.text().endswith("3 refused by the hub.")
    # The coach's Sync now tries refused months again.
    double.refuse = None
    click(qtbot, page.sync_button)
    wait_done(page, qtbot)
    assert states(page) == ["Sent"] * 3


def test_an_unreachable_hub_leaves_months_pending_and_says_so(
    enrolled: tuple[SyncPage, HubDouble, str], clients: Clients, qtbot
) -> None:
    page, double, _ = enrolled
    clients.redirect = dead_url()
    click(qtbot, page.sync_button)
    wait_done(page, qtbot)
    assert states(page) == ["Pending"] * 3
    assert double.posts == 0
    assert page.connection_label.text().startswith("Hub not reachable: ")
    assert page.months_model.text(0, MonthsModel.REASON)  # the reason, kept for the coach
    assert "waiting (hub not reached)" in page.last_sync_label.text()
    assert page.cells_table.isVisible()  # still waiting: still shown


def test_a_slow_hub_never_holds_up_the_page_and_runs_never_overlap(
    enrolled: tuple[SyncPage, HubDouble, str], qtbot
) -> None:
    page, double, _ = enrolled
    double.delay = 0.1
    click(qtbot, page.sync_button)
    assert page.runner.busy
    assert not page.runner.sync_now()  # a second run is refused while the first is under way
    assert not page.runner.sync_automatically()
    page.refresh()  # the page still reads the vault while the hub takes its time
    assert states(page) == ["Pending"] * 3
    wait_done(page, qtbot)
    assert states(page) == ["Sent"] * 3 and double.posts == 3


def test_with_the_real_vault_thread_the_hub_is_called_from_a_third_thread(
    qapp, vault_folder, hub: tuple[HubDouble, str], qtbot
) -> None:
    """In the app the vault has its own thread: HTTP runs on neither that one nor the GUI's."""
    from coachdesk.ui.controller import unlock_info
    from coachdesk.ui.worker import VaultWorker

    double, url = hub
    vault = vault_folder.open()
    fill(vault)
    sending.enrol(vault, HubClient(url), TOKEN, "surgery laptop")
    controller = AppController(vault_folder.path, VaultWorker())
    controller.worker.holder.vault = vault
    controller.opened(unlock_info(vault))
    clients = Clients()
    page = SyncPage(controller, client_factory=clients, watch_network=False)
    qtbot.addWidget(page)
    try:
        vault_thread: list[int] = []
        controller.run(lambda _vault: vault_thread.append(threading.get_ident()))
        page.refresh()
        qtbot.waitUntil(page.sync_button.isEnabled, timeout=5000)
        click(qtbot, page.sync_button)
        # The run ends, then the page reads the months again on the vault thread.
        qtbot.waitUntil(lambda: states(page) == ["Sent"] * 3, timeout=10_000)
        assert double.posts == 3
        assert clients.threads and not set(clients.threads) & {MAIN_THREAD, *vault_thread}
        assert vault_thread and vault_thread[0] != MAIN_THREAD
    finally:
        page.runner.network.wait_idle(5000)
        controller.shutdown()


# -- export -------------------------------------------------------------------------------------
def test_export_writes_bundle_files_that_verify(
    page: SyncPage, vault_of: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args, **_kw: str(usb))
    page.refresh()
    click(qtbot, page.export_button)
    files = sorted(usb.iterdir())
    assert len(files) == 3
    key = fmt.parse_public_key(outbox.device(vault_of).public_key)
    for path, period in zip(files, PERIODS, strict=True):
        parsed = fmt.parse_bundle_bytes(path.read_bytes())
        assert fmt.verify(parsed, key)
        assert parsed.period == period
        assert path.read_bytes() == outbox.month_record(vault_of, period).bundle
    assert page.activity.text().startswith(f"3 bundle files written to {usb}: coachdesk-bundle-{PERIODS[0]}-r1-")
    # Still pending (the hub has not said it has them), and the months say they were exported.
    assert states(page) == ["Pending"] * 3
    assert page.months_model.text(0, MonthsModel.REASON).startswith("Exported to a file")


# -- automatic sync -----------------------------------------------------------------------------
def test_automatic_sync_runs_when_the_network_comes_back(
    enrolled: tuple[SyncPage, HubDouble, str], controller: AppController, qtbot
) -> None:
    page, double, url = enrolled
    runner = page.runner
    runner.soon.setInterval(0)
    runner.start()
    assert runner.watch is not None
    runner.watch.set_online(False)
    # Without a hub named by the policy, nothing starts by itself.
    qtbot.wait(20)
    assert double.posts == 0 and not runner.busy
    page.refresh()
    assert page.connection_label.text().startswith("Offline: this laptop has no network.")

    controller.policy = dataclasses.replace(controller.policy, hub_url=url)
    assert not runner.sync_automatically()  # offline: not even tried
    runner.watch.set_online(True)
    qtbot.waitUntil(lambda: double.posts == 3 and not runner.busy, timeout=10_000)
    page.refresh()
    assert states(page) == ["Sent"] * 3
    assert "CoachDesk sends by itself when this laptop finds a network" in page.automatic_label.text()


def test_automatic_sync_leaves_refused_months_alone(
    enrolled: tuple[SyncPage, HubDouble, str], controller: AppController, qtbot
) -> None:
    page, double, url = enrolled
    controller.policy = dataclasses.replace(controller.policy, hub_url=url)
    double.refuse = (400, "invalid_bundle", "cells[3].value: must be a whole number")
    click(qtbot, page.sync_button)
    wait_done(page, qtbot)
    assert states(page) == ["Failed"] * 3
    double.refuse = None
    posts = double.posts
    assert page.runner.sync_automatically()
    wait_done(page, qtbot)
    assert double.posts == posts  # nothing sent: only the coach retries a refused month
    assert states(page) == ["Failed"] * 3


# -- lock ---------------------------------------------------------------------------------------
def test_the_page_clears_on_lock_and_a_late_answer_does_not_refill_it(
    enrolled: tuple[SyncPage, HubDouble, str], controller: AppController, qtbot
) -> None:
    page, double, _ = enrolled
    double.delay = 0.1
    click(qtbot, page.sync_button)
    controller.lock("test")
    page.clear_sensitive()  # as the main window does on lock
    page.runner.network.wait_idle(5000)
    qtbot.wait(50)  # let the network's answer arrive on the GUI thread, and be dropped
    assert page.months_model.rowCount() == 0 and page.cells_model.rowCount() == 0
    assert page.month_choice.count() == 0
    for label in (page.enrolled_label, page.connection_label, page.last_sync_label, page.device_label):
        assert label.text() == ""
    assert not page.runner.busy and not page.sync_button.isEnabled()
    assert not page.runner.sync_now()  # nothing at all while locked
    assert double.posts == 1  # the request already out finished; no further month was sent


def test_main_window_has_the_sync_page_on_ctrl_3(window, vault_of: Vault, qtbot) -> None:
    from coachdesk.ui.main_window import SYNC

    fill(vault_of)
    assert window.nav.item(SYNC).text() == "Sync"
    assert window.sync_action.shortcut().toString() == "Ctrl+3"
    assert window.sync_now_action.shortcut().toString() == "Ctrl+Shift+S"
    window.sync_action.trigger()
    page = window.sync_page
    assert window.pages.currentWidget() is page
    assert page.months_model.rowCount() == 3

    # Tab runs through the buttons, then the months, the month chooser and the cells.
    chain, widget = [], page.sync_button
    for _ in range(5):
        widget = widget.nextInFocusChain()
        while not widget.isEnabled() or not widget.isVisible() or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            widget = widget.nextInFocusChain()
        chain.append(widget)
    assert chain == [page.export_button, page.enrol_button, page.months_table, page.month_choice, page.cells_table]

    # Ctrl+Shift+S before enrolment: a sentence saying what to do, nothing sent.
    window.sync_now_action.trigger()
    qtbot.waitUntil(page.problem.isVisible, timeout=5000)
    assert page.problem.text().startswith("This laptop is not enrolled with the programme's hub yet.")

    window.lock_action.trigger()
    assert page.months_model.rowCount() == 0 and not page.problem.isVisible()
    assert not window.sync_action.isEnabled() and not window.sync_now_action.isEnabled()
