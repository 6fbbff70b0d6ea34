"""Sending the outbox to a real HTTP server on 127.0.0.1 that answers as the hub does
(interfaces.md §3): it checks every signature, and can be told to fail the first attempts, to
refuse, or not to be there at all. The month states in the vault are what the coach sees."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from coachdesk.sync.transport import HubClient
from testkit import PASSPHRASE, VaultFolder, run_cli

from coachdesk.domain import bundle as fmt
from coachdesk.domain.errors import ValidationError
from coachdesk.domain.model import Participant, Session
from coachdesk.domain.vocabulary import Attendance, ReferralSource, SessionType
from coachdesk.storage import participants
from coachdesk.storage.vault import Vault
from coachdesk.sync import outbox, sending

NOW = datetime(2016, 2, 1, 9, 0, tzinfo=UTC)
TODAY = date(2016, 2, 1)
MONTHS = ["2015-10", "2015-11", "2015-12", "2016-01"]
TOKEN = "enrol-me-once"


@dataclass
class HubDouble:
    """What the hub would do with each request, and what it received."""

    fail_first: int = 0  # answer 503 to this many bundle posts first
    refuse: tuple[int, str, str] | None = None  # (status, error, detail) for every bundle
    keys: dict[str, bytes] = field(default_factory=dict)  # device id -> public key
    stored: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)  # (device, period) -> (rev, receipt)
    posts: int = 0
    tokens: set[str] = field(default_factory=lambda: {TOKEN})

    def enrol(self, body: dict) -> tuple[int, dict]:
        if body.get("token") not in self.tokens:
            return 401, {"error": "bad_token", "detail": "The enrolment token is unknown, used or expired."}
        self.tokens.discard(body["token"])
        key = fmt.parse_public_key(body["public_key"])
        device_id = fmt.device_id_for(key)
        self.keys[device_id] = key
        return 201, {"device_id": device_id}

    def bundle(self, data: bytes) -> tuple[int, dict]:
        self.posts += 1
        if self.posts <= self.fail_first:
            return 503, {"error": "unavailable", "detail": "The hub is starting."}
        if self.refuse is not None:
            status, error, detail = self.refuse
            return status, {"error": error, "detail": detail}
        try:
            parsed = fmt.parse_bundle_bytes(data)
        except ValidationError as exc:
            return 400, {"error": "invalid_bundle", "detail": str(exc)}
        key = self.keys.get(parsed.device_id)
        if key is None or not fmt.verify(parsed, key):
            return 401, {"error": "bad_signature", "detail": "Unknown device or bad signature."}
        receipt = fmt.receipt_of(parsed.document)
        previous = self.stored.get((parsed.device_id, parsed.period))
        if previous == (parsed.revision, receipt):
            return 200, {"status": "duplicate", "receipt": receipt}
        if previous is not None and parsed.revision <= previous[0]:
            return 409, {"error": "stale_revision", "detail": f"Revision {parsed.revision} is not above {previous[0]}."}
        self.stored[(parsed.device_id, parsed.period)] = (parsed.revision, receipt)
        return 201, {"status": "accepted", "receipt": receipt}


def _handler(hub: HubDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/api/v1/enrol":
                status, body = hub.enrol(json.loads(data))
            elif self.path == "/api/v1/bundles":
                status, body = hub.bundle(data)
            else:
                status, body = 404, {"error": "not_found", "detail": "No such path."}
            out = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def hub() -> Iterator[tuple[HubDouble, str]]:
    double = HubDouble()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(double))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield double, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def client(url: str) -> HubClient:
    return HubClient(url, timeout=5.0, attempts=4, base_delay=0.01, max_delay=0.05, sleep=lambda _s: None)


def fill(vault: Vault) -> None:
    ada = Participant(
        given_name="Amina",
        family_name="Okafor",
        date_of_birth=date(1984, 3, 12),
        practice="P01",
        referral_date=date(2015, 10, 1),
        referral_source=ReferralSource.GP,
        sessions=[Session(start=datetime(2015, 11, 5, 10), type=SessionType.REVIEW, attendance=Attendance.ATTENDED)],
    )
    with vault.transaction() as conn:
        participants.save(conn, ada)


@pytest.fixture
def enrolled(vault: Vault, hub: tuple[HubDouble, str]) -> tuple[Vault, HubDouble, str]:
    double, url = hub
    fill(vault)
    assert sending.enrol(vault, client(url), TOKEN, "test laptop") == outbox.device(vault).device_id
    return vault, double, url


def test_enrolment_registers_this_laptops_key_and_remembers_the_hub(vault: Vault, hub: tuple[HubDouble, str]) -> None:
    double, url = hub
    device_id = sending.enrol(vault, client(url), TOKEN, "test laptop")
    assert double.keys[device_id] == fmt.parse_public_key(outbox.device(vault).public_key)
    enrolment = sending.enrolment(vault)
    assert enrolment is not None
    assert (enrolment.hub_url, enrolment.device_name) == (url, "test laptop")


def test_a_used_token_is_refused_with_the_hubs_reason(vault: Vault, hub: tuple[HubDouble, str]) -> None:
    _, url = hub
    sending.enrol(vault, client(url), TOKEN)
    with pytest.raises(Exception, match="unknown, used or expired"):
        sending.enrol(vault, client(url), TOKEN)


def test_sync_sends_every_month_oldest_first_and_keeps_each_receipt(enrolled: tuple[Vault, HubDouble, str]) -> None:
    vault, double, url = enrolled
    results = sending.sync(vault, client(url), TODAY, now=NOW)
    assert [(r.period, r.revision, r.state, r.status) for r in results] == [
        (p, 1, outbox.SENT, "accepted") for p in MONTHS
    ]
    assert [(r.period, r.receipt) for r in outbox.receipts(vault)] == [(r.period, r.receipt) for r in results]
    assert sending.last_sync(vault).result == "4 months sent."  # type: ignore[union-attr]
    assert sending.sync(vault, client(url), TODAY, now=NOW) == []  # nothing changed: nothing sent again
    assert double.posts == 4


def test_a_hub_that_fails_at_first_is_retried_until_it_answers(enrolled: tuple[Vault, HubDouble, str]) -> None:
    vault, double, url = enrolled
    double.fail_first = 2
    results = sending.sync(vault, client(url), TODAY, now=NOW)
    assert all(r.state == outbox.SENT for r in results)
    assert double.posts == 6  # two 503s, then four months
    assert outbox.month_record(vault, "2015-10").attempts == 1  # retries inside one attempt


def test_an_unreachable_hub_leaves_every_month_pending(enrolled: tuple[Vault, HubDouble, str]) -> None:
    vault, _, _ = enrolled
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    results = sending.sync(vault, client(dead), TODAY, now=NOW)
    assert [(r.period, r.state) for r in results] == [("2015-10", outbox.PENDING)]  # stops knocking at once
    months = outbox.months(vault)
    assert [m.state for m in months] == [outbox.PENDING] * 4
    assert months[0].reason and months[0].attempts == 1
    assert "waiting (hub not reached)" in sending.last_sync(vault).result  # type: ignore[union-attr]


def test_a_refusal_marks_the_month_failed_with_the_hubs_reason(enrolled: tuple[Vault, HubDouble, str]) -> None:
    vault, double, url = enrolled
    double.refuse = (409, "stale_revision", "Revision 1 is not above the stored revision 3.")
    results = sending.sync(vault, client(url), TODAY, now=NOW)
    assert [r.state for r in results] == [outbox.FAILED] * 4  # each month is tried: they are independent
    reason = outbox.month_record(vault, "2015-10").reason or ""
    assert "Revision 1 is not above the stored revision 3." in reason
    assert "409" in reason
    # An automatic sync leaves failed months alone; the coach's "Sync now" tries them again.
    double.refuse = None
    assert sending.sync(vault, client(url), TODAY, include_failed=False, now=NOW) == []
    assert all(r.state == outbox.SENT for r in sending.sync(vault, client(url), TODAY, now=NOW))


def test_a_late_dna_is_sent_as_the_next_revision(enrolled: tuple[Vault, HubDouble, str]) -> None:
    vault, double, url = enrolled
    sending.sync(vault, client(url), TODAY, now=NOW)
    [amina] = participants.summaries(vault.conn)
    record = participants.get(vault.conn, amina.id)
    record.sessions.append(
        Session(start=datetime(2015, 11, 26, 10), type=SessionType.REVIEW, attendance=Attendance.DNA)
    )
    with vault.transaction() as conn:
        participants.save(conn, record)
    results = sending.sync(vault, client(url), TODAY, now=NOW)
    assert [(r.period, r.revision, r.state) for r in results] == [("2015-11", 2, outbox.SENT)]
    assert double.stored[(outbox.device(vault).device_id, "2015-11")][0] == 2


def test_sync_without_enrolment_says_what_to_do(vault: Vault) -> None:
    with pytest.raises(Exception, match="not enrolled"):
        sending.client_for(vault)


# -- the command line ---------------------------------------------------------------------------
def test_device_enrol_bundle_and_sync_commands(
    vault_folder: VaultFolder, hub: tuple[HubDouble, str], tmp_path: Path
) -> None:
    double, url = hub
    with vault_folder.open() as v:
        fill(v)
    env = {"COACHDESK_PASSPHRASE": PASSPHRASE}
    shown = run_cli("device", "--json", "--vault", str(vault_folder.path), env=env)
    assert shown.code == 0, shown.err
    me = json.loads(shown.out)
    assert set(me) == {"device_id", "public_key"}

    enrolled = run_cli("enrol", "--hub", url, "--token", TOKEN, "--vault", str(vault_folder.path), env=env)
    assert enrolled.code == 0, enrolled.err
    assert me["device_id"] in enrolled.out
    assert double.keys[me["device_id"]] == fmt.parse_public_key(me["public_key"])

    out = tmp_path / "october.json"
    built = run_cli("bundle", "--period", "2015-10", "--out", str(out), "--vault", str(vault_folder.path), env=env)
    assert built.code == 0, built.err
    parsed = fmt.parse_bundle_bytes(out.read_bytes())
    assert fmt.verify(parsed, fmt.parse_public_key(me["public_key"]))
    assert (parsed.period, parsed.revision) == ("2015-10", 1)

    synced = run_cli("sync", "--vault", str(vault_folder.path), env=env)
    assert synced.code == 0, synced.err
    assert "2015-10  revision 1  accepted  receipt " in synced.out
    assert "Amina" not in synced.out + synced.err

    refused = run_cli(
        "enrol", "--hub", "http://hub.example.org", "--token", "x", "--vault", str(vault_folder.path), env=env
    )
    assert refused.code == 1
    assert "hub" in refused.err and "https" in refused.err
