"""The hub client (sync/transport.py) against real HTTP servers on 127.0.0.1 that answer as told:
a hub that is starting, one that refuses, one that redirects, one that never answers, one that is
not there, one behind a certificate nobody trusts, and a proxy.

What matters to a coach: a month that reached the hub is reported delivered, with its receipt; a
refusal is reported with the hub's own sentence and not hammered; a hub that is down is tried a
few times, with growing waits, then reported in a sentence a coach can read. What matters to the
programme: an enrolment token is never spent twice by a retry, nothing is sent to a host nobody
chose (redirects, plain http), and certificates are always checked. Every wait goes through an
injected `sleep`, so the file runs in a couple of seconds."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from coachdesk import __version__
from coachdesk.domain.errors import CoachDeskError, ValidationError
from coachdesk.sync.transport import MAX_ANSWER_BYTES, Delivered, HubClient, HubError, Rejected, Unreachable

# A bundle as the outbox sends it (the client never looks inside; the hub does).
BUNDLE = json.dumps(
    {
        "format": "coachdesk.bundle/1",
        "period": "2015-11",
        "programme": "islington-working-better",
        "revision": 1,
        "cells": [{"practice": "P01", "measure": "referrals_received", "value": 12}],
    },
    sort_keys=True,
    separators=(",", ":"),
).encode()
RECEIPT = hashlib.sha256(BUNDLE).hexdigest()
ACCEPTED = {"status": "accepted", "receipt": RECEIPT}
TOKEN = "tok-3f9c-single-use"
PUBLIC_KEY = "q0Rj8nK0oZx9mZ2d0Xh4sV8l3bq5Jm6W2c1a7T9yUeE="


# -- a hub that answers as it is told -------------------------------------------------------------
@dataclass
class Reply:
    status: int
    body: bytes | dict = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # read the request, then never answer


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ScriptedHub:
    """Answers requests with `replies` in order (the last one repeats) and notes each request."""

    url: str = ""
    replies: list[Reply] = field(default_factory=lambda: [Reply(201, ACCEPTED)])
    seen: list[Seen] = field(default_factory=list)
    connections: int = 0  # TCP connections accepted, before any TLS handshake
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, *replies: Reply) -> None:
        self.replies = list(replies)

    @property
    def paths(self) -> list[str]:
        return [s.path for s in self.seen]


def _handler(hub: ScriptedHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._reply()

        def do_POST(self) -> None:
            self._reply()

        def do_CONNECT(self) -> None:  # as a proxy sees an https request
            self._reply()

        def _reply(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with hub.lock:
                hub.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
                reply = hub.replies[min(len(hub.seen), len(hub.replies)) - 1]
            if reply.hang:
                hub.release.wait(10)
                return
            data = json.dumps(reply.body).encode() if isinstance(reply.body, dict) else reply.body
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client stopped reading (the size cap): that is the point

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class _CountingServer(ThreadingHTTPServer):
    hub: ScriptedHub

    def get_request(self) -> tuple[socket.socket, object]:
        self.hub.connections += 1
        return super().get_request()


@contextmanager
def serving(tls: ssl.SSLContext | None = None) -> Iterator[ScriptedHub]:
    hub = ScriptedHub()
    server = _CountingServer(("127.0.0.1", 0), _handler(hub))
    server.hub = hub
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    hub.url = f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    # A short poll so that shutting down takes milliseconds, not the default half second.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        hub.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def hub() -> Iterator[ScriptedHub]:
    with serving() as scripted:
        yield scripted


def dead_url() -> str:
    """A port on 127.0.0.1 with nothing listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def client(url: str, sleeps: list[float], **options: object) -> HubClient:
    """The production settings (15 s, 4 attempts, 1 s doubling up to 30 s), with waits recorded
    instead of slept."""
    return HubClient(url, sleep=sleeps.append, **options)  # type: ignore[arg-type]


def readable(reason: str) -> bool:
    """A sentence for a coach: no exception names, errno codes or tracebacks."""
    return reason.endswith(".") and not any(
        word in reason for word in ("Errno", "Error", "Traceback", "urlopen", "<", "socket")
    )


# -- sending a bundle -------------------------------------------------------------------------------
def test_a_hub_that_is_starting_is_retried_with_growing_waits_until_it_takes_the_bundle(
    hub: ScriptedHub, caplog: pytest.LogCaptureFixture
) -> None:
    starting = Reply(503, {"error": "unavailable", "detail": "The hub is starting."})
    hub.answer(starting, starting, Reply(201, ACCEPTED))
    sleeps: list[float] = []
    caplog.set_level(logging.INFO, logger="coachdesk.sync.transport")

    answer = client(hub.url, sleeps, jitter=lambda: 0.75).send_bundle(BUNDLE)

    assert answer == Delivered(201, ACCEPTED)  # the receipt reaches the outbox
    assert len(hub.seen) == 3
    assert all(s.method == "POST" and s.path == "/api/v1/bundles" and s.body == BUNDLE for s in hub.seen)
    assert sleeps == [0.75, 1.5]  # full jitter over 1 s, then 2 s: the waits grow
    assert all(0 <= wait <= min(30.0, 1.0 * 2**n) for n, wait in enumerate(sleeps))
    headers = hub.seen[0].headers
    assert headers["User-Agent"] == f"coachdesk/{__version__}"
    assert (headers["Content-Type"], headers["Accept"]) == ("application/json", "application/json")
    # The log says what happened, never what was sent.
    assert "retrying in 0.8 s (attempt 2 of 4)" in caplog.text
    assert "referrals_received" not in caplog.text and "P01" not in caplog.text


def test_backoff_doubles_up_to_the_ceiling_and_jitter_stays_below_it() -> None:
    sleeps: list[float] = []
    client(dead_url(), sleeps, attempts=6, base_delay=1.0, max_delay=5.0, jitter=lambda: 1.0).send_bundle(BUNDLE)
    assert sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]

    sleeps.clear()
    rng = random.Random(20151101)
    client(dead_url(), sleeps, attempts=6, base_delay=1.0, max_delay=5.0, jitter=rng.random).send_bundle(BUNDLE)
    assert len(sleeps) == 5
    assert all(0 <= wait <= ceiling for wait, ceiling in zip(sleeps, [1, 2, 4, 5, 5], strict=True))


def test_an_unreachable_hub_is_tried_each_attempt_then_reported_in_plain_words() -> None:
    url = dead_url()
    sleeps: list[float] = []
    answer = client(url, sleeps, attempts=3).send_bundle(BUNDLE)
    assert isinstance(answer, Unreachable)
    assert len(sleeps) == 2  # three attempts, two waits between them
    assert url.removeprefix("http://") in answer.reason and "refused the connection" in answer.reason
    assert "Tried 3 times." in answer.reason
    assert readable(answer.reason), answer.reason


def test_a_refusal_is_reported_with_the_hubs_sentence_and_not_repeated(hub: ScriptedHub) -> None:
    detail = "Revision 1 is not above the stored revision 3."
    hub.answer(Reply(409, {"error": "stale_revision", "detail": detail}))
    sleeps: list[float] = []
    assert client(hub.url, sleeps).send_bundle(BUNDLE) == Rejected(409, "stale_revision", detail)
    assert len(hub.seen) == 1 and sleeps == []


def test_a_refusal_that_is_not_the_hubs_json_becomes_a_plain_sentence(hub: ScriptedHub) -> None:
    page = b"<html><body><h1>Bad Request</h1><script>x()</script></body></html>"
    hub.answer(Reply(400, page, {"Content-Type": "text/html"}))
    answer = client(hub.url, []).send_bundle(BUNDLE)
    assert answer == Rejected(400, "http_400", "The hub refused the request (400 Bad Request).")
    assert len(hub.seen) == 1


def test_a_busy_hub_is_waited_for_as_long_as_it_asks_within_the_ceiling(hub: ScriptedHub) -> None:
    busy = {"error": "busy", "detail": "Too many requests."}
    hub.answer(
        Reply(429, busy, {"Retry-After": "7"}),
        Reply(429, busy, {"Retry-After": "3600"}),  # an hour: more than a coach waits at a sync
        Reply(201, ACCEPTED),
    )
    sleeps: list[float] = []
    assert client(hub.url, sleeps, jitter=lambda: 0.0).send_bundle(BUNDLE) == Delivered(201, ACCEPTED)
    assert sleeps == [7.0, 30.0]
    assert len(hub.seen) == 3


def test_a_hub_that_never_answers_gives_up_after_the_timeout() -> None:
    with serving() as silent:
        silent.answer(Reply(0, hang=True))
        sleeps: list[float] = []
        started = time.monotonic()
        answer = client(silent.url, sleeps, timeout=0.5, attempts=2).send_bundle(BUNDLE)
        elapsed = time.monotonic() - started
    assert answer == Unreachable("The hub did not answer within 0.5 seconds. Tried 2 times.")
    assert len(silent.seen) == 2  # a bundle may be sent again: the hub keeps one copy
    assert elapsed < 2.5


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_reported_and_never_followed(hub: ScriptedHub, status: int) -> None:
    elsewhere = f"{hub.url}/moved/api/v1/bundles"
    hub.answer(Reply(status, b"", {"Location": elsewhere}), Reply(201, ACCEPTED))
    answer = client(hub.url, []).send_bundle(BUNDLE)
    assert isinstance(answer, Rejected)
    assert (answer.status, answer.error) == (status, "redirect")
    assert elsewhere in answer.detail
    assert hub.paths == ["/api/v1/bundles"]  # nothing went to the new address


def test_an_oversized_answer_is_not_read_and_never_counts_as_sent(hub: ScriptedHub) -> None:
    padding = "x" * (4 * MAX_ANSWER_BYTES)  # valid JSON with the right receipt, but far too big
    hub.answer(Reply(201, {**ACCEPTED, "padding": padding}))
    answer = client(hub.url, []).send_bundle(BUNDLE)
    assert isinstance(answer, Rejected)
    assert answer.error == "answer_too_large" and "64 KiB" in answer.detail
    assert len(hub.seen) == 1


def test_an_ok_from_something_that_is_not_the_hub_never_counts_as_sent(hub: ScriptedHub) -> None:
    hub.answer(Reply(200, b"<html>Welcome to the surgery Wi-Fi</html>", {"Content-Type": "text/html"}))
    answer = client(hub.url, []).send_bundle(BUNDLE)
    assert isinstance(answer, Rejected)
    assert answer.error == "unreadable_answer" and "Check the hub's address" in answer.detail
    assert "Wi-Fi" not in answer.detail


# -- enrolment ----------------------------------------------------------------------------------------
def test_enrolment_sends_the_key_and_returns_the_hubs_device_id(hub: ScriptedHub) -> None:
    hub.answer(Reply(201, {"device_id": "7d0c3c5e-1f0a-5b1e-9c3d-2a4b6c8d0e1f"}))
    device_id = client(hub.url, []).enrol(TOKEN, "surgery laptop", PUBLIC_KEY)
    assert device_id == "7d0c3c5e-1f0a-5b1e-9c3d-2a4b6c8d0e1f"
    assert hub.paths == ["/api/v1/enrol"]
    assert json.loads(hub.seen[0].body) == {"token": TOKEN, "device_name": "surgery laptop", "public_key": PUBLIC_KEY}


def test_a_used_token_is_refused_with_the_hubs_reason(hub: ScriptedHub, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    hub.answer(Reply(401, {"error": "bad_token", "detail": "The enrolment token is unknown, used or expired."}))
    with pytest.raises(HubError) as refused:
        client(hub.url, []).enrol(TOKEN, "surgery laptop", PUBLIC_KEY)
    assert isinstance(refused.value, CoachDeskError)  # the CLI prints it as one line, exit 1
    assert refused.value.status == 401
    assert "The enrolment token is unknown, used or expired." in str(refused.value)
    assert len(hub.seen) == 1
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(
    "reply", [Reply(503, {"error": "unavailable", "detail": "The hub is starting."}), Reply(0, hang=True)]
)
def test_an_enrolment_the_hub_may_have_seen_is_never_repeated(
    hub: ScriptedHub, reply: Reply, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hub.answer(reply, Reply(201, {"device_id": "would-spend-the-token-twice"}))
    sleeps: list[float] = []
    with pytest.raises(HubError) as failed:
        client(hub.url, sleeps, timeout=0.5).enrol(TOKEN, "surgery laptop", PUBLIC_KEY)
    assert len(hub.seen) == 1 and sleeps == []
    assert failed.value.status == (reply.status or None)  # 503 when the hub answered, None when it did not
    assert "ask the programme team for a new one" in str(failed.value)
    assert TOKEN not in caplog.text and TOKEN not in str(failed.value)


def test_an_enrolment_that_never_left_the_laptop_is_retried() -> None:
    sleeps: list[float] = []
    with pytest.raises(HubError, match="refused the connection") as failed:
        client(dead_url(), sleeps, attempts=3).enrol(TOKEN, "surgery laptop", PUBLIC_KEY)
    assert len(sleeps) == 2
    assert "new one" not in str(failed.value)  # the token was never sent, so it is still good


# -- addresses, proxies and certificates ----------------------------------------------------------
def test_the_address_must_be_https_unless_the_hub_is_on_this_machine() -> None:
    with pytest.raises(ValidationError, match=r"^hub: .*https") as refused:
        HubClient("http://hub.example.org")
    assert refused.value.path == "hub"
    with pytest.raises(ValidationError, match="user name or password"):
        HubClient("https://coach:secret@hub.example.org")
    # Constructing never touches the network; a trailing slash is dropped.
    assert HubClient("https://hub.example.org/").base_url == "https://hub.example.org"
    assert HubClient("http://localhost:8765/").base_url == "http://localhost:8765"
    assert HubClient("http://[::1]:8765").base_url == "http://[::1]:8765"


def test_a_proxy_setting_never_applies_to_a_hub_on_this_machine(
    hub: ScriptedHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = dead_url()
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, dead)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    sleeps: list[float] = []
    hub_client = client(hub.url, sleeps)
    assert hub_client.send_bundle(BUNDLE) == Delivered(201, ACCEPTED)
    assert sleeps == [] and hub.paths == ["/api/v1/bundles"]


def test_the_system_proxy_carries_requests_to_a_remote_hub(hub: ScriptedHub, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = hub  # the scripted server plays a proxy that refuses to open the tunnel
    proxy.answer(Reply(403, b"Forbidden by the surgery's proxy"))
    for name in ("https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, proxy.url)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    answer = client("https://hub.example.org", [], attempts=1).send_bundle(BUNDLE)
    assert [(s.method, s.path) for s in proxy.seen] == [("CONNECT", "hub.example.org:443")]
    assert isinstance(answer, Unreachable)
    assert proxy.url.removeprefix("http://") in answer.reason  # the coach can tell IT which proxy


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A test CA and a certificate for 127.0.0.1 signed by it (P-256: milliseconds to make)."""
    folder = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.UTC)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CoachDesk test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),  # cert and CRL signing
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = {"ca": folder / "ca.pem", "cert": folder / "hub.pem", "key": folder / "hub.key"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


def _tls(certificates: dict[str, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates["cert"], certificates["key"])
    return context


def test_a_certificate_nobody_trusts_is_refused_at_once(certificates: dict[str, Path]) -> None:
    with serving(_tls(certificates)) as untrusted:
        sleeps: list[float] = []
        answer = client(untrusted.url, sleeps).send_bundle(BUNDLE)
        assert untrusted.connections == 1 and untrusted.seen == []  # one handshake, nothing sent
    assert sleeps == []  # the same certificate would fail the same way
    assert isinstance(answer, Unreachable)
    assert "certificate could not be verified" in answer.reason


def test_a_hub_whose_certificate_the_system_trusts_takes_the_bundle(
    certificates: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The system's store is where trust comes from; for the test, that store is the test CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates["ca"]))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with serving(_tls(certificates)) as trusted:
        assert trusted.url.startswith("https://")
        assert client(trusted.url, []).send_bundle(BUNDLE) == Delivered(201, ACCEPTED)
        assert [s.body for s in trusted.seen] == [BUNDLE]


# -- "connected" ----------------------------------------------------------------------------------
def test_healthy_is_one_quick_look(hub: ScriptedHub) -> None:
    hub.answer(Reply(200, {"status": "ok"}))
    sleeps: list[float] = []
    assert client(hub.url, sleeps).healthy() is True
    assert [(s.method, s.path) for s in hub.seen] == [("GET", "/healthz")]
    hub.answer(Reply(503, {"error": "store_unavailable", "detail": "The hub's database is not answering."}))
    assert client(hub.url, sleeps).healthy() is False
    assert client(dead_url(), sleeps).healthy() is False
    assert len(hub.seen) == 2 and sleeps == []  # never retried: the page simply shows "not reached"
