"""security.md's list for the hub: fuzzed and hand-made bad bodies (truncated JSON, wrong types,
huge numbers, negative counts, unknown measures, missing signature, signature from another device,
replay, older revision, oversize). Each gets its 4xx in the error shape, the store is unchanged
(the ingest log aside, which records the refusal), and the server stays up."""

from __future__ import annotations

import copy
import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import RunningHub
from hubkit import Device, body_of, log_outcomes, snapshot
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from coachdesk.domain.bundle import MAX_BUNDLE_BYTES, MAX_COUNT, sign

ALICE = Device("alice")
MALLORY = Device("mallory")
STORED = 2  # the revision of 2015-11 the hub holds before each bad input


@pytest.fixture
def primed(hub: RunningHub) -> Iterator[RunningHub]:
    """Alice (and Mallory, who has her own key) enrolled; Alice's revisions 1 and 2 of 2015-11 stored."""
    ALICE.enrol_directly(hub.store)
    MALLORY.enrol_directly(hub.store, "another laptop")
    for revision in (1, STORED):
        assert hub.client.send(ALICE.bundle("2015-11", revision, {"P01": {"job_starts": revision}})).status == 201
    yield hub


def valid() -> dict[str, Any]:
    return ALICE.bundle("2015-11", STORED + 1, {"P01": {"job_starts": 7}, "P02": {"referrals_received": 3}})


def resigned(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """A bundle changed by `change` and then properly signed: the shape checks must catch it."""
    document = valid()
    del document["signature"]
    change(document)
    return sign(document, ALICE.key)


def cell_value(value: object) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["cells"][5]["value"] = value

    return change


def assert_refused(hub: RunningHub, reply_status: int, reply_ok: bool, before: object, expected: int) -> None:
    assert reply_status == expected
    assert reply_ok, "the answer is not {error, detail}"
    assert snapshot(hub.store.engine) == before
    assert hub.client.request("GET", "/healthz").status == 200


def _replace(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.__setitem__(key, value)


CASES: dict[str, tuple[Callable[[], bytes], int]] = {
    "truncated JSON": (lambda: body_of(valid())[:-10], 400),
    "empty body": (lambda: b"", 400),
    "not UTF-8": (lambda: b'{"format": "\xff"}', 400),
    "byte order mark": (lambda: "\ufeff".encode() + body_of(valid()), 400),
    "a JSON array": (lambda: b"[]", 400),
    "deeply nested": (lambda: b"[" * 100_000 + b"]" * 100_000, 400),
    "repeated key": (lambda: b'{"format": 1, "format": 2}', 400),
    "float count": (lambda: body_of(valid()).replace(b'"value":7', b'"value":7.0'), 400),
    "NaN": (lambda: body_of(valid()).replace(b'"value":7', b'"value":NaN'), 400),
    "revision as text": (lambda: body_of(resigned(_replace("revision", "3"))), 400),
    "cells not a list": (lambda: body_of(resigned(_replace("cells", {}))), 400),
    "count as text": (lambda: body_of(resigned(cell_value("7"))), 400),
    "count as bool": (lambda: body_of(resigned(cell_value(True))), 400),
    "huge count": (lambda: body_of(resigned(cell_value(MAX_COUNT + 1))), 400),
    "enormous count": (lambda: body_of(resigned(cell_value(10**400))), 400),
    "negative count": (lambda: body_of(resigned(cell_value(-1))), 400),
    "huge revision": (lambda: body_of(resigned(_replace("revision", 2**63))), 400),
    "unknown measure": (
        lambda: body_of(resigned(lambda d: d["cells"][5].__setitem__("measure", "participants_named_smith"))),
        400,
    ),
    "a measure missing": (lambda: body_of(resigned(lambda d: d["cells"].pop(5))), 400),
    "unknown key": (lambda: body_of(resigned(_replace("notes", "free text"))), 400),
    "practice ALL": (lambda: body_of(resigned(lambda d: [c.__setitem__("practice", "ALL") for c in d["cells"]])), 400),
    "wrong format": (lambda: body_of(resigned(_replace("format", "coachdesk.bundle/2"))), 400),
    "period finer than a month": (lambda: body_of(resigned(_replace("period", "2015-11-03"))), 400),
    "missing signature": (lambda: body_of({k: v for k, v in valid().items() if k != "signature"}), 400),
    "signature not base64": (lambda: body_of({**valid(), "signature": {"alg": "ed25519", "value": "%%%"}}), 400),
    "another algorithm": (lambda: body_of({**valid(), "signature": {"alg": "hmac", "value": "AAAA"}}), 400),
    "signature from another device": (
        lambda: body_of({**valid(), "signature": MALLORY.bundle("2015-11", STORED + 1)["signature"]}),
        401,
    ),
    "signed by another device's key under Alice's id": (
        lambda: body_of(MALLORY.bundle("2015-11", STORED + 1, device_id=ALICE.device_id)),
        401,
    ),
    "a count changed after signing": (
        lambda: body_of(valid()).replace(b'"value":7', b'"value":70'),
        401,
    ),
    "device never enrolled": (lambda: body_of(Device("eve").bundle("2015-11")), 401),
    "older revision": (lambda: body_of(ALICE.bundle("2015-11", 1, {"P01": {"job_starts": 5}})), 409),
    "same revision, other counts": (lambda: body_of(ALICE.bundle("2015-11", STORED, {"P01": {"job_starts": 5}})), 409),
    "oversize": (lambda: b" " * MAX_BUNDLE_BYTES + body_of(valid()), 413),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_bad_bundle_gets_its_4xx_and_changes_nothing(primed: RunningHub, case: str) -> None:
    make, expected = CASES[case]
    before = snapshot(primed.store.engine)
    reply = primed.client.post("/api/v1/bundles", make())
    assert_refused(primed, reply.status, reply.is_error_shape(), before, expected)
    assert log_outcomes(primed.store.engine)[-1] == ("rejected", expected, reply.json["error"])


def test_a_replay_is_a_no_op(primed: RunningHub) -> None:
    """The stored bundle sent again (by anyone who saw it) is answered `duplicate` and changes nothing."""
    stored = ALICE.bundle("2015-11", 3, {"P01": {"job_starts": 3}})
    assert primed.client.send(stored).status == 201
    before = snapshot(primed.store.engine)
    for _ in range(3):
        assert primed.client.send(copy.deepcopy(stored)).json["status"] == "duplicate"
    assert snapshot(primed.store.engine) == before


# -- oversize bodies, read no further than the limit ----------------------------------------------------


def _raw_exchange(hub: RunningHub, head: bytes, body: Iterator[bytes]) -> tuple[int, bytes, int]:
    """Send `head` then chunks of `body` from a thread, read the answer meanwhile. Returns the
    status, the answer's body, and how many body bytes got out before the hub stopped listening."""
    host, port = hub.client.base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sent = 0

    def pump() -> None:
        nonlocal sent
        try:
            sock.sendall(head)
            for chunk in body:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the hub closed the connection: what we want

    sender = threading.Thread(target=pump, daemon=True)
    sender.start()
    answer = b""
    try:
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _length(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    finally:
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        sender.join(timeout=30)
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1], sent


def _length(answer: bytes) -> int:
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


GIB = 1024**3


def test_a_declared_gigabyte_is_refused_before_it_is_sent(primed: RunningHub) -> None:
    before = snapshot(primed.store.engine)
    head = b"POST /api/v1/bundles HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {GIB}\r\n\r\n".encode()
    status, body, _ = _raw_exchange(primed, head, iter([b"{"]))
    assert status == 413 and set(json.loads(body)) == {"error", "detail"}
    assert snapshot(primed.store.engine) == before
    assert primed.client.request("GET", "/healthz").status == 200


def test_a_streamed_gigabyte_is_cut_off_after_the_limit(primed: RunningHub) -> None:
    """Chunked, so the hub cannot know the size in advance: it must stop reading past 1 MiB."""
    before = snapshot(primed.store.engine)
    chunk = b" " * 65536
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    head = b"POST /api/v1/bundles HTTP/1.1\r\nHost: hub\r\nTransfer-Encoding: chunked\r\n\r\n"
    status, body, sent = _raw_exchange(primed, head, (framed for _ in range(GIB // len(chunk))))
    assert status == 413 and json.loads(body)["error"] == "too_large"
    assert sent < 64 * 1024 * 1024, f"{sent} bytes went out: the hub kept reading"
    assert snapshot(primed.store.engine) == before
    assert primed.client.request("GET", "/healthz").status == 200


# -- fuzz ---------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated_bundles(draw: st.DrawFn) -> bytes:
    """A valid bundle (signature kept) with one value anywhere replaced, or one key removed."""
    document = valid()
    original = body_of(document)
    paths: list[tuple[Any, Any]] = [(document, key) for key in document]
    paths += [(cell, key) for cell in document["cells"][:3] for key in cell]
    paths += [(document["signature"], key) for key in ("alg", "value")]
    parent, key = draw(st.sampled_from(paths))
    if draw(st.booleans()):
        parent[key] = draw(json_values)
    else:
        del parent[key]
    mutated = body_of(document)
    assume(mutated != original)  # an unchanged bundle is a valid new revision, not a bad input
    return mutated


bodies = st.one_of(
    st.binary(max_size=512),
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated_bundles(),
    mutated_bundles().map(lambda b: b[: len(b) // 2]),
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies)
def test_fuzzed_bodies_get_a_4xx_and_change_nothing(primed: RunningHub, body: bytes) -> None:
    before = snapshot(primed.store.engine)
    reply = primed.client.post("/api/v1/bundles", body)
    assert 400 <= reply.status < 500, (reply.status, reply.body)
    assert reply.is_error_shape(), reply.body
    assert snapshot(primed.store.engine) == before
    assert primed.client.request("GET", "/healthz").status == 200


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=256), json_values.map(lambda v: json.dumps(v).encode())))
def test_fuzzed_enrolment_bodies_get_a_4xx_and_enrol_nobody(primed: RunningHub, body: bytes) -> None:
    before = snapshot(primed.store.engine)
    reply = primed.client.post("/api/v1/enrol", body)
    assert 400 <= reply.status < 500 and reply.is_error_shape(), (reply.status, reply.body)
    assert snapshot(primed.store.engine) == before
