"""A real HTTP server on 127.0.0.1 that answers as the programme's hub does (interfaces.md §3):
it checks every signature, and can be told to fail the first attempts, to refuse, or to answer
slowly. Shared by the tests that send bundles (the CLI, the Sync page).

    with serving() as (hub, url):
        ...  # send to url; hub.stored, hub.keys and hub.posts say what arrived"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from coachdesk.domain import bundle as fmt
from coachdesk.domain.errors import ValidationError

TOKEN = "enrol-me-once"


@dataclass
class HubDouble:
    """What the hub would do with each request, and what it received."""

    fail_first: int = 0  # answer 503 to this many bundle posts first
    refuse: tuple[int, str, str] | None = None  # (status, error, detail) for every bundle
    delay: float = 0.0  # seconds to wait before answering a bundle (a slow hub)
    keys: dict[str, bytes] = field(default_factory=dict)  # device id -> public key
    stored: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)  # (device, period) -> (rev, receipt)
    posts: int = 0
    health_checks: int = 0
    tokens: set[str] = field(default_factory=lambda: {TOKEN})

    def enrol(self, body: dict) -> tuple[int, dict]:
        if body.get("token") not in self.tokens:
            return 401, {"error": "invalid_token", "detail": "The enrolment token is unknown, used or expired."}
        self.tokens.discard(body["token"])
        key = fmt.parse_public_key(body["public_key"])
        device_id = fmt.device_id_for(key)
        self.keys[device_id] = key
        return 201, {"device_id": device_id}

    def bundle(self, data: bytes) -> tuple[int, dict]:
        self.posts += 1
        if self.delay:
            time.sleep(self.delay)
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


def handler_for(hub: HubDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/api/v1/enrol":
                status, body = hub.enrol(json.loads(data))
            elif self.path == "/api/v1/bundles":
                status, body = hub.bundle(data)
            else:
                status, body = 404, {"error": "not_found", "detail": "No such path."}
            self._answer(status, body)

        def do_GET(self) -> None:
            if self.path == "/healthz":
                hub.health_checks += 1
                self._answer(200, {"status": "ok"})
            else:
                self._answer(404, {"error": "not_found", "detail": "No such path."})

        def _answer(self, status: int, body: dict) -> None:
            out = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serving(double: HubDouble | None = None) -> Iterator[tuple[HubDouble, str]]:
    """Run a hub double on a free port of 127.0.0.1; yields it and its base URL."""
    hub = double or HubDouble()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(hub))
    # A short poll, so shutting the double down at the end of a test takes milliseconds, not half a second.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield hub, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def dead_url() -> str:
    """The address of a port on 127.0.0.1 with nothing listening (an unreachable hub)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"
