"""The hub's HTTP API (interfaces.md §3) against a real uvicorn on 127.0.0.1, on SQLite and on
PostgreSQL: enrolment, bundles and their answers, the summary and its CSV, and the error shape."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from conftest import RunningHub
from hubkit import Device, body_of, log_outcomes, recomputed_totals, snapshot, stored_totals
from sqlalchemy import select

from coachdesk.domain.bundle import receipt_of
from coachdesk.hub import enrolment
from coachdesk.hub.tables import devices, ingest_log

ALICE = Device("alice")
BOB = Device("bob")


def enrol_over_http(hub: RunningHub, device: Device, name: str = "alice's laptop") -> tuple[int, dict[str, str]]:
    token = enrolment.issue_token(hub.store, 14)
    reply = hub.client.post(
        "/api/v1/enrol", {"token": token, "device_name": name, "public_key": device.public_key_text}
    )
    return reply.status, reply.json


def test_healthz_answers_when_the_store_does(hub: RunningHub) -> None:
    reply = hub.client.request("GET", "/healthz")
    assert (reply.status, reply.json) == (200, {"status": "ok"})


# -- enrolment --------------------------------------------------------------------------------------


def test_enrolment_returns_the_device_id_derived_from_the_key(hub: RunningHub) -> None:
    status, body = enrol_over_http(hub, ALICE)
    assert (status, body) == (201, {"device_id": ALICE.device_id})
    with hub.store.engine.connect() as conn:
        row = conn.execute(select(devices)).one()
    assert (row.device_id, row.name, row.public_key) == (ALICE.device_id, "alice's laptop", ALICE.public_key_text)


def test_an_enrolment_token_works_once(hub: RunningHub) -> None:
    token = enrolment.issue_token(hub.store, 14)
    first = hub.client.post("/api/v1/enrol", {"token": token, "device_name": "a", "public_key": ALICE.public_key_text})
    again = hub.client.post("/api/v1/enrol", {"token": token, "device_name": "b", "public_key": BOB.public_key_text})
    assert first.status == 201
    assert again.status == 401 and again.is_error_shape() and again.json["error"] == "invalid_token"
    with hub.store.engine.connect() as conn:
        assert [r.device_id for r in conn.execute(select(devices))] == [ALICE.device_id]


def test_tokens_are_safe_to_type_on_a_command_line() -> None:
    """A token that began with "-" would be read by `coachdesk enrol --token T` as an option."""
    from coachdesk.hub.tokens import new_token

    made = {new_token() for _ in range(2000)}
    assert len(made) == 2000
    assert all(len(t) == 64 and set(t) <= set("0123456789abcdef") for t in made)


def test_expired_and_unknown_tokens_are_refused(hub: RunningHub) -> None:
    expired = enrolment.issue_token(hub.store, 1, now=datetime.now(UTC) - timedelta(days=2))
    for token in (expired, "not-a-token-we-made"):
        reply = hub.client.post(
            "/api/v1/enrol", {"token": token, "device_name": "x", "public_key": ALICE.public_key_text}
        )
        assert reply.status == 401 and reply.is_error_shape(), reply.body
    with hub.store.engine.connect() as conn:
        assert conn.execute(select(devices)).first() is None


def test_enrolling_the_same_key_again_keeps_its_id_and_takes_the_new_name(hub: RunningHub) -> None:
    assert enrol_over_http(hub, ALICE, "old name") == (201, {"device_id": ALICE.device_id})
    assert enrol_over_http(hub, ALICE, "new name") == (201, {"device_id": ALICE.device_id})
    with hub.store.engine.connect() as conn:
        assert [(r.device_id, r.name) for r in conn.execute(select(devices))] == [(ALICE.device_id, "new name")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"device_name": "x", "public_key": ALICE.public_key_text}, "token"),
        ({"token": "t", "device_name": "", "public_key": ALICE.public_key_text}, "device_name"),
        ({"token": "t", "device_name": "x", "public_key": "not base64!"}, "public_key"),
        ({"token": "t", "device_name": "x", "public_key": "AAAA"}, "public_key"),
        ({"token": "t", "device_name": "x", "public_key": ALICE.public_key_text, "extra": 1}, "extra"),
        ({"token": 5, "device_name": "x", "public_key": ALICE.public_key_text}, "token"),
    ],
)
def test_a_bad_enrolment_body_is_400_naming_the_field_and_uses_no_token(
    hub: RunningHub, body: dict[str, object], field: str
) -> None:
    token = enrolment.issue_token(hub.store, 14)
    if body.get("token") == "t":
        body = {**body, "token": token}
    reply = hub.client.post("/api/v1/enrol", json.dumps(body).encode())
    assert reply.status == 400 and reply.is_error_shape()
    assert reply.json["detail"].startswith(f"{field}:"), reply.json
    good = {"token": token, "device_name": "x", "public_key": ALICE.public_key_text}
    assert hub.client.post("/api/v1/enrol", good).status == 201  # the token was not spent


# -- bundles ----------------------------------------------------------------------------------------


def test_a_bundle_is_accepted_then_a_duplicate_with_the_same_receipt(hub: RunningHub) -> None:
    ALICE.enrol_directly(hub.store)
    document = ALICE.bundle("2015-11", 1, {"P01": {"referrals_received": 12}})
    first, second = hub.client.send(document), hub.client.send(document)
    assert (first.status, first.json) == (201, {"status": "accepted", "receipt": receipt_of(document)})
    assert (second.status, second.json) == (200, {"status": "duplicate", "receipt": receipt_of(document)})
    assert log_outcomes(hub.store.engine) == [("accepted", 201, None), ("duplicate", 200, None)]


def test_only_a_higher_revision_replaces_the_stored_one(hub: RunningHub) -> None:
    ALICE.enrol_directly(hub.store)
    rev1 = ALICE.bundle("2015-11", 1, {"P01": {"job_starts": 1}})
    rev2 = ALICE.bundle("2015-11", 2, {"P01": {"job_starts": 2}})
    other_rev2 = ALICE.bundle("2015-11", 2, {"P01": {"job_starts": 9}})
    other_rev1 = ALICE.bundle("2015-11", 1, {"P01": {"job_starts": 8}})
    assert hub.client.send(rev1).status == 201
    assert hub.client.send(rev2).status == 201
    assert hub.client.send(rev1).status == 200  # the same bundle again is still a no-op
    for stale in (other_rev2, other_rev1):
        reply = hub.client.send(stale)
        assert reply.status == 409 and reply.is_error_shape() and reply.json["error"] == "stale_revision"
        assert reply.json["detail"].startswith("revision:")
    summary = hub.client.summary("from=2015-11&to=2015-11&sdc=none").json
    assert {(r["practice"], r["value"]) for r in summary["rows"] if r["measure"] == "job_starts"} == {
        ("P01", 2),
        ("ALL", 2),
    }


def test_unknown_device_and_forged_signature_are_401(hub: RunningHub) -> None:
    ALICE.enrol_directly(hub.store)
    stranger = BOB.bundle("2015-11")
    assert hub.client.send(stranger).json["error"] == "unknown_device"
    forged = BOB.bundle("2015-11", device_id=ALICE.device_id)  # Bob's key, Alice's name on it
    reply = hub.client.send(forged)
    assert reply.status == 401 and reply.json["error"] == "bad_signature"


def test_the_hubs_programme_and_practices_are_enforced(hub: RunningHub) -> None:
    ALICE.enrol_directly(hub.store)
    other = hub.client.send(ALICE.bundle("2015-11", programme="another-programme"))
    assert other.status == 400 and other.json["detail"].startswith("programme:")
    unknown_practice = hub.client.send(ALICE.bundle("2015-11", counts={"P01": {}, "P99": {}}))
    assert unknown_practice.status == 400
    assert unknown_practice.json["detail"].startswith(f"cells[{76}].practice:")


def test_the_ingest_log_keeps_who_when_and_what_became_of_it_never_the_body(
    hub: RunningHub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ALICE.enrol_directly(hub.store)
    canary = "canary-7f3e0c1b"
    bad = {**ALICE.bundle("2015-11"), canary: 1}
    assert hub.client.send(bad).json["detail"].startswith(canary)  # the sender is told
    assert hub.client.send(ALICE.bundle("2015-11", 3)).status == 201
    with hub.store.engine.connect() as conn:
        rows = [r._asdict() for r in conn.execute(select(ingest_log).order_by(ingest_log.c.entry_pk))]
    assert [(r["outcome"], r["status"], r["error"], r["device_id"], r["period"], r["revision"]) for r in rows] == [
        ("rejected", 400, "invalid_bundle", None, None, None),
        ("accepted", 201, None, ALICE.device_id, "2015-11", 3),
    ]
    assert canary not in repr(rows)
    assert canary not in caplog.text  # nor in any log line


# -- the summary ------------------------------------------------------------------------------------


def send_all(hub: RunningHub, *documents: dict[str, object]) -> None:
    for document in documents:
        reply = hub.client.send(document)
        assert reply.status == 201, reply.body


def test_the_summary_needs_a_programme_team_token(hub: RunningHub) -> None:
    for token in ("", "wrong-token", "x" * 500):  # none, unknown, absurd
        for csv_too in (False, True):
            reply = hub.client.summary("from=2015-01&to=2015-12", csv=csv_too, token=token)
            assert reply.status == 401 and reply.is_error_shape(), reply.body
            assert reply.headers["www-authenticate"].startswith("Bearer")
    basic = hub.client.request("GET", "/api/v1/summary?from=2015-01&to=2015-12", headers={"Authorization": "Basic x"})
    assert basic.status == 401
    assert hub.client.summary("from=2015-01&to=2015-12").status == 200


def test_summary_merges_highest_revisions_across_devices_and_practices(hub: RunningHub) -> None:
    ALICE.enrol_directly(hub.store)
    BOB.enrol_directly(hub.store)
    send_all(
        hub,
        ALICE.bundle("2015-10", 1, {"P01": {"referrals_received": 4, "job_starts": 1}}),
        ALICE.bundle("2015-10", 2, {"P01": {"referrals_received": 10, "job_starts": 2}}),
        BOB.bundle("2015-10", 1, {"P01": {"referrals_received": 3}, "P02": {"referrals_received": 20}}),
        BOB.bundle("2015-11", 1, {"P02": {"sessions_dna": None, "referrals_received": 8}}),
        ALICE.bundle("2015-11", 1, {"P02": {"sessions_dna": 4}}),
        ALICE.bundle("2015-12", 1, {"P01": {"referrals_received": 99}}),  # outside the range asked
    )
    summary = hub.client.summary("from=2015-09&to=2015-11&sdc=none").json
    assert {k: summary[k] for k in ("from", "to", "sdc", "publishable")} == {
        "from": "2015-09",
        "to": "2015-11",
        "sdc": "none",
        "publishable": False,
    }
    values = {(r["period"], r["practice"], r["measure"]): r["value"] for r in summary["rows"]}
    assert values[("2015-10", "P01", "referrals_received")] == 13  # Alice's revision 2 + Bob
    assert values[("2015-10", "P01", "job_starts")] == 2
    assert values[("2015-10", "P02", "referrals_received")] == 20
    assert values[("2015-10", "ALL", "referrals_received")] == 33
    assert values[("2015-11", "P02", "sessions_dna")] is None  # Bob's null: unknown, not 4
    assert values[("2015-11", "ALL", "sessions_dna")] is None
    assert values[("2015-11", "P02", "referrals_received")] == 8
    assert ("2015-11", "P01", "referrals_received") not in values  # nobody reported P01 in November
    assert len(values) == len(summary["rows"]) == 76 * 5
    assert recomputed_totals(hub.store.engine) == stored_totals(hub.store.engine)


def test_summary_rows_are_sorted_and_the_csv_holds_the_same_rows(hub: RunningHub) -> None:
    ALICE.enrol_directly(hub.store)
    send_all(
        hub,
        ALICE.bundle("2015-11", 1, {"P02": {"job_starts": 12, "sessions_dna": None}, "P01": {"job_starts": 3}}),
        ALICE.bundle("2015-10", 1, {"P03": {"referrals_received": 40}}),
    )
    summary = hub.client.summary("from=2015-10&to=2015-11").json
    assert summary["sdc"] == "nhs" and summary["publishable"] is True
    keys = [(r["period"], r["practice"] == "ALL", r["practice"], r["measure"]) for r in summary["rows"]]
    assert keys == sorted(keys)
    values = {(r["period"], r["practice"], r["measure"]): r["value"] for r in summary["rows"]}
    assert values[("2015-11", "P01", "job_starts")] == "*"
    assert values[("2015-11", "P02", "job_starts")] == 10
    assert values[("2015-11", "ALL", "job_starts")] == 15
    assert values[("2015-11", "P02", "sessions_dna")] is None

    reply = hub.client.summary("from=2015-10&to=2015-11", csv=True)
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(reply.body.decode())))
    assert lines[0] == ["period", "practice", "measure", "value"]
    as_text = {None: "unknown", "*": "*"}
    assert lines[1:] == [
        [r["period"], r["practice"], r["measure"], as_text.get(r["value"], str(r["value"]))] for r in summary["rows"]
    ]


def test_summary_filter_by_practice_and_rule(hub: RunningHub) -> None:
    ALICE.enrol_directly(hub.store)
    send_all(hub, ALICE.bundle("2015-11", 1, {"P01": {"job_starts": 3}, "P02": {"job_starts": 12}}))
    only = hub.client.summary("from=2015-11&to=2015-11&practice=P02&sdc=threshold:5").json
    assert only["sdc"] == "threshold:5"
    assert {r["practice"] for r in only["rows"]} == {"P02"}
    assert {r["measure"]: r["value"] for r in only["rows"]}["job_starts"] == 12
    totals = hub.client.summary("from=2015-11&to=2015-11&practice=ALL&sdc=none").json
    assert {r["measure"]: r["value"] for r in totals["rows"]}["job_starts"] == 15


def test_the_csv_of_an_unpublishable_summary_says_so(hub: RunningHub) -> None:
    reply = hub.client.summary("from=2015-11&to=2015-11&sdc=none", csv=True)
    assert reply.headers["x-coachdesk-publishable"] == "false"
    assert "not-for-publication" in reply.headers["content-disposition"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("to=2015-11", "from"),
        ("from=2015-11", "to"),
        ("from=2015-13&to=2015-11", "from"),
        ("from=2015-11&to=2015", "to"),
        ("from=2015-11&to=2015-10", "to"),
        ("from=2015-11&to=2015-11&sdc=threshold:0", "sdc"),
        ("from=2015-11&to=2015-11&practice=%3Cscript%3E", "practice"),
        ("from=2015-11&to=2015-11&practise=P01", "practise"),
        ("from=2015-11&from=2015-10&to=2015-11", "from"),
    ],
)
def test_a_bad_summary_query_is_400_naming_the_parameter(hub: RunningHub, query: str, field: str) -> None:
    reply = hub.client.summary(query)
    assert reply.status == 400 and reply.is_error_shape()
    assert reply.json["detail"].startswith(f"{field}:"), reply.json


def test_unknown_paths_and_methods_answer_in_the_error_shape(hub: RunningHub) -> None:
    for method, path, status in (
        ("GET", "/nowhere", 404),
        ("GET", "/api/v1/bundles", 405),
        ("DELETE", "/api/v1/summary", 405),
    ):
        reply = hub.client.request(method, path)
        assert reply.status == status and reply.is_error_shape(), (method, path, reply.body)
        assert reply.headers["cache-control"] == "no-store"


def test_nothing_is_stored_for_a_refused_bundle(hub: RunningHub) -> None:
    ALICE.enrol_directly(hub.store)
    send_all(hub, ALICE.bundle("2015-11", 2))
    before = snapshot(hub.store.engine)
    assert hub.client.send(ALICE.bundle("2015-11", 2, {"P01": {"job_starts": 5}})).status == 409
    assert hub.client.post("/api/v1/bundles", body_of(ALICE.bundle("2015-11", 1))[:-1]).status == 400
    assert snapshot(hub.store.engine) == before
