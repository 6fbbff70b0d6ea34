"""Sending the outbox to a real HTTP server on 127.0.0.1 that answers as the hub does
(interfaces.md §3): it checks every signature, and can be told to fail the first attempts, to
refuse, or not to be there at all. The month states in the vault are what the coach sees."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hub_double import TOKEN, HubDouble, dead_url, serving
from testkit import PASSPHRASE, VaultFolder, run_cli, save, session

from coachdesk.domain import bundle as fmt
from coachdesk.domain.model import Participant
from coachdesk.domain.vocabulary import Attendance, ReferralSource
from coachdesk.storage import participants
from coachdesk.storage.vault import Vault
from coachdesk.sync import outbox, sending
from coachdesk.sync.transport import HubClient

NOW = datetime(2016, 2, 1, 9, 0, tzinfo=UTC)
TODAY = date(2016, 2, 1)
MONTHS = ["2015-10", "2015-11", "2015-12", "2016-01"]


@pytest.fixture
def hub() -> Iterator[tuple[HubDouble, str]]:
    with serving() as running:
        yield running


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
        sessions=[session("2015-11-05T10:00", Attendance.ATTENDED)],
    )
    save(vault, ada)


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
    dead = dead_url()
    results = sending.sync(vault, client(dead), TODAY, now=NOW)
    assert [(r.period, r.state) for r in results] == [("2015-10", outbox.PENDING)]  # stops knocking at once
    months = outbox.months(vault)
    assert [m.state for m in months] == [outbox.PENDING] * 4
    assert months[0].reason and months[0].attempts == 1
    assert "waiting (hub not reached)" in sending.last_sync(vault).result  # type: ignore[union-attr]


def test_a_refusal_marks_the_month_failed_with_the_hubs_reason(enrolled: tuple[Vault, HubDouble, str]) -> None:
    vault, double, url = enrolled
    double.refuse = (400, "invalid_bundle", "practice: P09 is not one of this programme's practices.")
    results = sending.sync(vault, client(url), TODAY, now=NOW)
    assert [r.state for r in results] == [outbox.FAILED] * 4  # each month is tried: they are independent
    reason = outbox.month_record(vault, "2015-10").reason or ""
    assert "practice: P09 is not one of this programme's practices." in reason
    assert "400" in reason
    # An automatic sync leaves failed months alone; the coach's "Sync now" tries them again.
    double.refuse = None
    assert sending.sync(vault, client(url), TODAY, include_failed=False, now=NOW) == []
    assert all(r.state == outbox.SENT for r in sending.sync(vault, client(url), TODAY, now=NOW))


def test_a_late_dna_is_sent_as_the_next_revision(enrolled: tuple[Vault, HubDouble, str]) -> None:
    vault, double, url = enrolled
    sending.sync(vault, client(url), TODAY, now=NOW)
    [amina] = participants.summaries(vault.conn)
    record = participants.get(vault.conn, amina.id)
    record.sessions.append(session("2015-11-26T10:00", Attendance.DNA))
    save(vault, record)
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


def test_a_bundle_for_a_month_that_does_not_exist_is_a_usage_error(vault_folder: VaultFolder, tmp_path: Path) -> None:
    out = tmp_path / "bad.json"
    env = {"COACHDESK_PASSPHRASE": PASSPHRASE}
    result = run_cli("bundle", "--period", "2015-13", "--out", str(out), "--vault", str(vault_folder.path), env=env)
    assert result.code == 2
    assert "'2015-13' is not a month written YYYY-MM" in result.err
    assert not out.exists()


def test_a_hub_holding_later_revisions_is_overtaken_in_a_few_syncs(enrolled: tuple[Vault, HubDouble, str]) -> None:
    """After a restore from an older backup the hub may hold later revisions than the outbox
    remembers: each refusal signs the same counts again under the next number, never stuck."""
    vault, double, url = enrolled
    me = outbox.device(vault).device_id
    double.stored[(me, "2015-11")] = (3, "0" * 64)  # what the lost laptop sent before the restore
    first = sending.sync(vault, client(url), TODAY, now=NOW)
    november = next(r for r in first if r.period == "2015-11")
    assert (november.state, november.revision) == (outbox.PENDING, 2)
    assert "Signed again as the next revision" in (november.reason or "")
    runs = 0
    while outbox.month_record(vault, "2015-11").state != outbox.SENT:
        runs += 1
        assert runs <= 3, "the month never overtook the hub's revision"
        sending.sync(vault, client(url), TODAY, include_failed=False, now=NOW)  # automatic runs too
    assert double.stored[(me, "2015-11")][0] == 4
    assert fmt.parse_bundle_bytes(outbox.month_record(vault, "2015-11").bundle).revision == 4
