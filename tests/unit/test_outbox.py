"""The outbox: which months are built, when a revision rises, what a bundle may never hold, and
that it all survives closing the app."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from testkit import POLICY, VaultFolder, save, session

from coachdesk.domain import bundle as fmt
from coachdesk.domain.measures import CATALOGUE
from coachdesk.domain.model import EmployerContact, Outcome, Participant, Session
from coachdesk.domain.vocabulary import Attendance, OutcomeType, ReferralSource, SessionType
from coachdesk.storage.vault import Vault
from coachdesk.sync import outbox

NOW = datetime(2016, 2, 1, 9, 0, tzinfo=UTC)
TODAY = date(2016, 2, 1)  # October, November, December and January are complete months


def person(referred: str, **fields: object) -> Participant:
    fields.setdefault("given_name", "Ada")
    fields.setdefault("family_name", "Test")
    fields.setdefault("practice", "P01")
    return Participant(
        date_of_birth=date(1980, 5, 17),
        referral_date=date.fromisoformat(referred),
        referral_source=ReferralSource.GP,
        **fields,  # type: ignore[arg-type]
    )


def read(data: bytes) -> dict:
    return json.loads(data)


def value(data: bytes, practice: str, measure: str) -> int | None:
    for cell in read(data)["cells"]:
        if cell["practice"] == practice and cell["measure"] == measure:
            return cell["value"]
    raise AssertionError(f"no cell {practice} {measure}")


def sent(vault: Vault, period: str) -> None:
    """Record the month as the hub would acknowledge it."""
    month = outbox.month_record(vault, period)
    result = outbox.record_delivered(
        vault, month, {"status": "accepted", "receipt": fmt.receipt_of(read(month.bundle))}, "https://hub.example.org"
    )
    assert result.state == outbox.SENT


def test_an_empty_vault_has_nothing_to_send(vault: Vault) -> None:
    assert outbox.refresh(vault, TODAY, NOW) == []
    assert outbox.months(vault) == []


def test_complete_months_from_the_first_referral_are_built_signed(vault: Vault) -> None:
    save(vault, person("2015-10-20", sessions=[session("2015-11-03T10:00", Attendance.ATTENDED)]))
    assert outbox.refresh(vault, TODAY, NOW) == ["2015-10", "2015-11", "2015-12", "2016-01"]
    months = outbox.months(vault)
    assert [(m.period, m.revision, m.state) for m in months] == [
        (p, 1, outbox.PENDING) for p in ("2015-10", "2015-11", "2015-12", "2016-01")
    ]
    november = fmt.parse_bundle_bytes(months[1].bundle)
    me = outbox.device(vault)
    assert fmt.verify(november, fmt.parse_public_key(me.public_key))
    assert november.device_id == me.device_id
    assert november.programme == "test-programme"
    assert november.generated_at == "2016-02-01T09:00:00Z"
    assert [c.measure for c in november.cells] == sorted(CATALOGUE)  # every measure, zeros included
    assert value(months[0].bundle, "P01", "referrals_received") == 1
    assert value(months[1].bundle, "P01", "sessions_attended") == 1
    assert value(months[1].bundle, "P01", "referrals_received") == 0


def test_unchanged_months_are_not_rebuilt(vault: Vault) -> None:
    save(vault, person("2015-10-20"))
    outbox.refresh(vault, TODAY, NOW)
    before = [m.bundle for m in outbox.months(vault)]
    assert outbox.refresh(vault, TODAY, datetime(2016, 2, 2, tzinfo=UTC)) == []
    assert [m.bundle for m in outbox.months(vault)] == before  # byte for byte: the hub sees a duplicate


def test_a_dna_recorded_a_week_late_raises_that_months_revision_only(vault: Vault) -> None:
    ada = person("2015-10-20", sessions=[session("2015-11-03T10:00", Attendance.ATTENDED)])
    save(vault, ada)
    outbox.refresh(vault, TODAY, NOW)
    for period in ("2015-10", "2015-11", "2015-12", "2016-01"):
        sent(vault, period)
    ada.sessions.append(session("2015-11-24T10:00", Attendance.DNA))  # typed in on 1 December
    save(vault, ada)
    assert outbox.refresh(vault, TODAY, NOW) == ["2015-11"]
    by_period = {m.period: m for m in outbox.months(vault)}
    assert (by_period["2015-11"].revision, by_period["2015-11"].state) == (2, outbox.PENDING)
    assert value(by_period["2015-11"].bundle, "P01", "sessions_dna") == 1
    assert all(by_period[p].state == outbox.SENT for p in ("2015-10", "2015-12", "2016-01"))
    assert [m.period for m in outbox.waiting(vault, include_failed=False)] == ["2015-11"]
    receipts = outbox.receipts(vault)
    assert [(r.period, r.revision) for r in receipts if r.period == "2015-11"] == [("2015-11", 1)]


def test_a_month_that_never_left_is_rebuilt_under_the_same_revision(vault: Vault) -> None:
    ada = person("2015-10-20")
    save(vault, ada)
    outbox.refresh(vault, TODAY, NOW)
    ada.outcomes.append(Outcome(type=OutcomeType.JOB_START, date=date(2015, 10, 28), hours_per_week=20))
    save(vault, ada)
    assert outbox.refresh(vault, TODAY, NOW) == ["2015-10"]
    october = outbox.month_record(vault, "2015-10")
    assert october.revision == 1
    assert value(october.bundle, "P01", "job_starts") == 1


def test_a_month_tried_or_exported_is_never_rebuilt_under_its_number(vault: Vault) -> None:
    ada = person("2015-10-20")
    save(vault, ada)
    outbox.refresh(vault, TODAY, NOW)
    outbox.record_failure(vault, outbox.month_record(vault, "2015-10"), outbox.PENDING, "The hub did not answer.")
    outbox.mark_exported(vault, outbox.month_record(vault, "2015-11"))
    ada.employer_contacts.append(EmployerContact(date=date(2015, 10, 30), employer="Acme"))
    ada.employer_contacts.append(EmployerContact(date=date(2015, 11, 30), employer="Acme"))
    save(vault, ada)
    assert outbox.refresh(vault, TODAY, NOW) == ["2015-10", "2015-11"]
    assert outbox.month_record(vault, "2015-10").revision == 2
    assert outbox.month_record(vault, "2015-11").revision == 2


def test_failed_months_keep_the_hubs_reason_and_wait_for_a_retry(vault: Vault) -> None:
    save(vault, person("2015-12-01"))
    outbox.refresh(vault, TODAY, NOW)
    december = outbox.month_record(vault, "2015-12")
    result = outbox.record_failure(vault, december, outbox.FAILED, "revision 1 is not above the stored 4")
    assert result.state == outbox.FAILED
    stored = outbox.month_record(vault, "2015-12")
    assert (stored.state, stored.reason, stored.attempts) == (outbox.FAILED, "revision 1 is not above the stored 4", 1)
    assert [m.period for m in outbox.waiting(vault, include_failed=False)] == ["2016-01"]
    assert [m.period for m in outbox.waiting(vault, include_failed=True)] == ["2015-12", "2016-01"]


def test_a_receipt_that_does_not_match_what_was_sent_fails_the_month(vault: Vault) -> None:
    save(vault, person("2015-12-01"))
    outbox.refresh(vault, TODAY, NOW)
    december = outbox.month_record(vault, "2015-12")
    result = outbox.record_delivered(vault, december, {"status": "accepted", "receipt": "0" * 64}, "https://h")
    assert result.state == outbox.FAILED
    assert "receipt does not match" in (result.reason or "")


def test_the_outbox_survives_closing_the_app(vault_folder: VaultFolder) -> None:
    with vault_folder.open() as first:
        save(first, person("2015-11-02"))
        outbox.refresh(first, TODAY, NOW)
        sent(first, "2015-11")
        expected = [(m.period, m.revision, m.state, m.bundle) for m in outbox.months(first)]
    with vault_folder.open() as again:
        assert [(m.period, m.revision, m.state, m.bundle) for m in outbox.months(again)] == expected
        assert outbox.refresh(again, TODAY, NOW) == []


def test_source_suppression_sends_small_counts_as_null(vault: Vault) -> None:
    vault.replace_policy(
        POLICY.replace('programme = "test-programme"', 'programme = "test-programme"\nsource_suppression = 3')
    )
    save(vault, person("2015-10-01"), person("2015-10-02"), person("2015-10-03"), person("2015-10-04", practice="P02"))
    outbox.refresh(vault, TODAY, NOW)
    october = outbox.month_record(vault, "2015-10").bundle
    assert read(october)["source_suppression"] == 3
    assert value(october, "P01", "referrals_received") == 3  # at k: sent as it is
    assert value(october, "P02", "referrals_received") is None  # 1 of k-1: suppressed
    assert value(october, "P02", "sessions_dna") == 0  # zero is not suppressed


def test_a_bundle_can_be_built_for_the_current_month_by_hand(vault: Vault) -> None:
    save(vault, person("2016-02-01"))
    assert outbox.refresh(vault, TODAY, NOW) == []  # February is not over
    data = outbox.bundle_for(vault, "2016-02", NOW)
    assert value(data, "P01", "referrals_received") == 1
    assert outbox.bundle_for(vault, "2016-02", NOW) == data


# -- nothing personal ever leaves ------------------------------------------------------------
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéøßłçğ"
# The words every bundle is made of (keys, measure names, practice codes, the programme): a
# generated string that happens to be one of them proves nothing, so it is not tried as a secret.
_BUNDLE_WORDS = fmt.canonical_json(
    {
        "keys": ["format", "bundle_id", "device_id", "programme", "period", "revision", "generated_at"],
        "more": ["software", "source_suppression", "cells", "signature", "alg", "value", "practice", "measure"],
        "catalogue": list(CATALOGUE),
        "words": [fmt.FORMAT, fmt.SIGNATURE_ALG, outbox.SOFTWARE, "test-programme", "P01", "P02"],
    }
)
_words = st.text(alphabet=_LETTERS, min_size=6, max_size=14).filter(lambda s: s.encode() not in _BUNDLE_WORDS)
_days = st.dates(min_value=date(2015, 6, 1), max_value=date(2015, 12, 31))


@st.composite
def participant(draw: st.DrawFn) -> tuple[Participant, list[str]]:
    given_name, family_name, employer, note = draw(_words), draw(_words), draw(_words), draw(_words)
    postcode = draw(st.sampled_from(["N1 9GU", "EC1V 2NX", "N7 6JH", "N19 4QS"]))
    nhs = draw(st.sampled_from(["9434765919", "9434765870", "4010232137"]))
    born = draw(st.dates(min_value=date(1950, 1, 1), max_value=date(1999, 12, 31)))
    referred = draw(_days)
    seen = draw(_days)
    started = draw(_days)
    ada = Participant(
        given_name=given_name,
        family_name=family_name,
        date_of_birth=born,
        nhs_number=nhs,
        postcode=postcode,
        practice=draw(st.sampled_from(["P01", "P02"])),
        referral_date=referred,
        referral_source=ReferralSource.GP,
        sessions=[
            Session(
                start=datetime.combine(seen, datetime.min.time()).replace(hour=10),
                type=SessionType.REVIEW,
                attendance=Attendance.ATTENDED,
                notes=note,
            )
        ],
        employer_contacts=[EmployerContact(date=started, employer=employer, notes=note)],
        outcomes=[Outcome(type=OutcomeType.JOB_START, date=started, employer=employer, hours_per_week=20)],
    )
    secrets = [
        given_name,
        family_name,
        employer,
        note,
        postcode,
        nhs,
        born.isoformat(),
        referred.isoformat(),
        seen.isoformat(),
        started.isoformat(),
    ]
    return ada, secrets


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(participant(), min_size=1, max_size=4))
def test_no_participant_detail_ever_appears_in_a_bundle(
    vault: Vault, people: list[tuple[Participant, list[str]]]
) -> None:
    # Examples share the vault: earlier people stay, which only gives the check more to look at.
    save(vault, *(p for p, _ in people))
    outbox.refresh(vault, TODAY, NOW)
    bundles = [m.bundle for m in outbox.months(vault)]
    assume(bundles)
    for data in bundles:
        text = data.decode("utf-8")
        for _, secrets in people:
            for secret in secrets:
                assert secret not in text, "a participant detail appears in a bundle"
                # Dates may not hide as other forms either: day-month-year and compact digits.
                if len(secret) == 10 and secret[4] == "-":
                    assert secret.replace("-", "") not in text


def test_a_revision_whose_answer_was_lost_is_never_reused(vault: Vault) -> None:
    """The laptop was shut mid-send: the hub may hold revision 1, so new counts become revision 2."""
    ada = person("2015-10-20")
    save(vault, ada)
    outbox.refresh(vault, TODAY, NOW)
    outbox.mark_starting(vault, [outbox.month_record(vault, "2015-10")], NOW)
    ada.outcomes.append(Outcome(type=OutcomeType.JOB_START, date=date(2015, 10, 28), hours_per_week=20))
    save(vault, ada)
    assert outbox.refresh(vault, TODAY, NOW) == ["2015-10"]
    assert outbox.month_record(vault, "2015-10").revision == 2


def test_an_answer_without_a_receipt_never_counts_as_sent(vault: Vault) -> None:
    """A 2xx JSON answer that is not the hub's (a portal, a proxy) must not mark the month sent."""
    save(vault, person("2015-12-01"))
    outbox.refresh(vault, TODAY, NOW)
    december = outbox.month_record(vault, "2015-12")
    result = outbox.record_delivered(vault, december, {}, "https://h")
    assert result.state == outbox.FAILED
    assert outbox.month_record(vault, "2015-12").state == outbox.FAILED
    assert outbox.receipts(vault) == []


def test_a_month_that_lost_every_participant_is_sent_again_with_no_counts(vault: Vault) -> None:
    """A referral typed in the wrong month and corrected: the hub must not keep the wrong counts."""
    ada = person("2015-10-20")
    save(vault, ada)
    outbox.refresh(vault, TODAY, NOW)
    for period in ("2015-10", "2015-11", "2015-12", "2016-01"):
        sent(vault, period)
    ada.referral_date = date(2015, 12, 5)
    save(vault, ada)
    assert outbox.refresh(vault, TODAY, NOW) == ["2015-10", "2015-11", "2015-12"]
    october = outbox.month_record(vault, "2015-10")
    assert (october.revision, october.state) == (2, outbox.PENDING)
    assert fmt.parse_bundle_bytes(october.bundle).cells == ()
    assert outbox.refresh(vault, TODAY, NOW) == []  # and not again while nothing changes


def test_exporting_a_refused_month_keeps_the_hubs_reason(vault: Vault) -> None:
    save(vault, person("2015-12-01"))
    outbox.refresh(vault, TODAY, NOW)
    outbox.record_failure(vault, outbox.month_record(vault, "2015-12"), outbox.FAILED, "Revision 1 is not above 3.")
    outbox.mark_exported(vault, outbox.month_record(vault, "2015-12"))
    stored = outbox.month_record(vault, "2015-12")
    assert (stored.state, stored.reason) == (outbox.FAILED, "Revision 1 is not above 3.")
