"""The demo caseload generator: deterministic, valid, and plausible enough to demonstrate with."""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date, timedelta

import pytest

from coachdesk.domain.checks import check_participant
from coachdesk.domain.codec import decode, encode
from coachdesk.domain.model import Participant
from coachdesk.domain.rules import age_on, living_wage_on, nhs_number_problem, parse_month
from coachdesk.domain.vocabulary import Attendance, ClosureReason, OutcomeType, SessionType
from coachdesk.services import demo

TODAY = date(2016, 11, 23)
CODES = [code for code, _ in demo.DEMO_PRACTICES]


@pytest.fixture(scope="module")
def caseload() -> list[Participant]:
    return list(demo.generate(1000, 2015, CODES, TODAY))


def _window_start(today: date) -> date:
    months = today.year * 12 + today.month - 1 - demo.REFERRAL_WINDOW_MONTHS
    year, month = divmod(months, 12)
    day = today.day
    while True:
        try:
            return date(year, month + 1, day)
        except ValueError:
            day -= 1


def _past_dates(p: Participant) -> list[tuple[str, date]]:
    """Every date of the record that must be on or before today (booked sessions, goal targets and
    step due dates may lie ahead)."""
    found = [("date_of_birth", p.date_of_birth), ("referral_date", p.referral_date)]
    if p.consent.service:
        found.append(("consent.service", p.consent.service))
    found += [("benefit_changes", c.date) for c in p.benefit_changes]
    found += [("sessions", s.start.date()) for s in p.sessions if s.attendance is not Attendance.BOOKED]
    if p.skills_inventory:
        found.append(("skills_inventory.completed_on", p.skills_inventory.completed_on))
    for g in p.goals:
        found.append(("goals.created", g.created))
        if g.closed_on:
            found.append(("goals.closed_on", g.closed_on))
    found += [("employer_contacts", c.date) for c in p.employer_contacts]
    found += [("outcomes", o.date) for o in p.outcomes]
    found += [("action_plans_issued", d) for d in p.action_plans_issued]
    if p.closed:
        found.append(("closed.date", p.closed.date))
    return found


def test_same_seed_gives_the_same_records() -> None:
    first = [encode(p) for p in demo.generate(60, 7, CODES, TODAY)]
    again = [encode(p) for p in demo.generate(60, 7, CODES, TODAY)]
    other = [encode(p) for p in demo.generate(60, 8, CODES, TODAY)]
    assert first == again
    assert first != other
    assert {p["id"] for p in first}.isdisjoint({p["id"] for p in other})


def test_the_generator_leaves_global_random_alone() -> None:
    import random

    random.seed(1)
    expected = random.random()
    random.seed(1)
    list(demo.generate(20, 3, CODES, TODAY))
    assert random.random() == expected


def test_count_and_practices(caseload: list[Participant]) -> None:
    assert len(caseload) == 1000
    assert list(demo.generate(0, 1, CODES, TODAY)) == []
    spread = Counter(p.practice for p in caseload)
    assert set(spread) == set(CODES)
    assert spread.most_common()[0][1] > 1.5 * spread.most_common()[-1][1]  # uneven, as real practices are


def test_demo_practices_are_the_pilot_six() -> None:
    assert [code for code, _ in demo.DEMO_PRACTICES] == ["P01", "P02", "P03", "P04", "P05", "P06"]
    assert "Killick Street Health Centre" in dict(demo.DEMO_PRACTICES).values()


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="practice"):
        list(demo.generate(1, 1, [], TODAY))
    with pytest.raises(ValueError, match="negative"):
        list(demo.generate(-1, 1, CODES, TODAY))


@pytest.mark.parametrize("today", [TODAY, date(2024, 2, 29), date(2026, 11, 23)])
def test_every_participant_passes_the_domain_checks_and_the_file_decoder(today: date) -> None:
    for p in demo.generate(500, 11, CODES, today):
        check_participant(p, CODES, today)
        assert decode(Participant, encode(p)) == p  # field rules: lengths, ranges, months, NHS numbers


def test_a_single_practice_is_enough() -> None:
    for p in demo.generate(50, 5, ["ONLY"], TODAY):
        check_participant(p, ["ONLY"], TODAY)


def test_about_a_fifth_of_past_sessions_are_missed(caseload: list[Participant]) -> None:
    past = Counter(s.attendance for p in caseload for s in p.sessions if s.start.date() < TODAY)
    total = sum(past.values())
    assert total > 5000
    assert 0.15 <= past[Attendance.DNA] / total <= 0.25
    cancelled = past[Attendance.CANCELLED_BY_PARTICIPANT] + past[Attendance.CANCELLED_BY_COACH]
    assert 0.02 <= cancelled / total <= 0.09
    assert past[Attendance.BOOKED] == 0


def test_names_of_many_origins_with_accents_and_other_scripts(caseload: list[Participant]) -> None:
    def non_latin(text: str) -> bool:
        return any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in text)

    def accented(text: str) -> bool:
        if non_latin(text):
            return False
        return unicodedata.normalize("NFD", text) != text or any(ch in "łŁøđıß" for ch in text)

    names = [f"{p.given_name} {p.family_name}" for p in caseload]
    assert 0.02 <= sum(map(non_latin, names)) / len(names) <= 0.07
    assert sum(map(accented, names)) / len(names) >= 0.08
    assert any("Ł" in n or "ł" in n for n in names)
    assert len(set(names)) > 900
    assert 0.05 <= sum(bool(p.preferred_name) for p in caseload) / len(caseload) <= 0.4


def test_nhs_numbers_are_valid_unique_and_mostly_present(caseload: list[Participant]) -> None:
    numbers = [p.nhs_number for p in caseload if p.nhs_number is not None]
    assert 0.85 <= len(numbers) / len(caseload) <= 0.95
    assert all(nhs_number_problem(n) is None for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert all(n.startswith("999") for n in numbers)  # the range the NHS never issues


def test_contact_details_are_fictional(caseload: list[Participant]) -> None:
    for p in caseload:
        assert p.phone == "" or (p.phone.startswith("07700 900") and len(p.phone) == 12)
        assert p.email == "" or (p.email.endswith("@example.org") and p.email.isascii())
        assert p.postcode == "" or p.postcode.split()[0] in {"N1", "N4", "N5", "N7", "N19", "EC1V", "EC1R"}


def test_booked_sessions_are_ahead_and_only_for_open_cases(caseload: list[Participant]) -> None:
    horizon = TODAY + timedelta(days=demo.BOOKING_HORIZON_DAYS)
    booked = 0
    for p in caseload:
        for s in p.sessions:
            if s.attendance is Attendance.BOOKED:
                booked += 1
                assert TODAY <= s.start.date() <= horizon
                assert p.closed is None
                assert s.notes == ""
            else:
                assert s.start.date() < TODAY
    assert booked > 300


def test_nothing_lies_in_the_future_but_bookings_targets_and_due_dates(caseload: list[Participant]) -> None:
    for p in caseload:
        for label, day in _past_dates(p):
            assert day <= TODAY, (p.id, label, day)
        if p.skills_inventory:
            for job in p.skills_inventory.work_history:
                for month in (job.start, job.end):
                    assert month is None or parse_month(month) <= (TODAY.year, TODAY.month)
            assert all(q.year is None or q.year <= TODAY.year for q in p.skills_inventory.qualifications)
        if p.closed:
            assert all(day <= p.closed.date for _, day in _past_dates(p))


def test_referrals_fall_in_the_window_and_ages_are_plausible(caseload: list[Participant]) -> None:
    start = _window_start(TODAY)
    for p in caseload:
        assert start <= p.referral_date <= TODAY
        assert 18 <= age_on(p.date_of_birth, p.referral_date) <= 66
        assert p.referral_date.weekday() < 5 or p.referral_date in (start, TODAY)
    months = Counter((p.referral_date.year, p.referral_date.month) for p in caseload)
    assert len(months) >= 18


def test_ids_are_unique_across_the_whole_set(caseload: list[Participant]) -> None:
    for ids in (
        [p.id for p in caseload],
        [s.id for p in caseload for s in p.sessions],
        [g.id for p in caseload for g in p.goals],
    ):
        assert len(set(ids)) == len(ids)


def test_sessions_start_with_an_initial_assessment(caseload: list[Participant]) -> None:
    for p in caseload:
        if p.sessions:
            first = p.sessions[0]
            assert first.type is SessionType.INITIAL_ASSESSMENT
            assert 1 <= (first.start.date() - p.referral_date).days <= 21
            assert [s.start for s in p.sessions] == sorted(s.start for s in p.sessions)
        for s in p.sessions:
            if s.attendance is Attendance.ATTENDED:
                assert s.notes.count(". ") >= 2  # a few sentences of the coach's note


def test_outcomes_follow_the_story(caseload: list[Participant]) -> None:
    rates = dict(demo.DEMO_LIVING_WAGE)
    starts = 0
    for p in caseload:
        kinds = {o.type: o for o in p.outcomes}
        assert all(p.referral_date <= o.date for o in p.outcomes)
        start = kinds.get(OutcomeType.JOB_START)
        if start:
            starts += 1
            assert start.hours_per_week is not None and 8 <= start.hours_per_week <= 37
            llw = living_wage_on(list(rates.items()), start.date)
            assert llw and start.hourly_pay_pence and 0.8 * llw <= start.hourly_pay_pence <= 1.55 * llw
            for kind, weeks in ((OutcomeType.SUSTAINED_13_WEEKS, 13), (OutcomeType.SUSTAINED_26_WEEKS, 26)):
                if kind in kinds:
                    assert kinds[kind].date == start.date + timedelta(weeks=weeks)
        else:
            assert OutcomeType.SUSTAINED_13_WEEKS not in kinds and OutcomeType.SUSTAINED_26_WEEKS not in kinds
        if OutcomeType.JOB_RETAINED in kinds:
            assert p.employment_status == "employed_off_sick"
        if p.closed and p.closed.reason is ClosureReason.SUSTAINED_EMPLOYMENT:
            assert OutcomeType.SUSTAINED_26_WEEKS in kinds
        if p.closed and p.closed.reason is ClosureReason.LOST_CONTACT:
            assert p.sessions and p.sessions[-1].attendance is not Attendance.ATTENDED
    assert 0.22 <= starts / len(caseload) <= 0.34
    closed = sum(p.closed is not None for p in caseload) / len(caseload)
    assert 0.18 <= closed <= 0.34


def test_the_caseload_has_the_parts_a_coach_records(caseload: list[Participant]) -> None:
    n = len(caseload)
    assert sum(p.skills_inventory is not None for p in caseload) / n >= 0.7
    assert 0.4 <= sum(bool(p.employer_contacts) for p in caseload) / n <= 0.6
    assert sum(bool(p.benefit_changes) for p in caseload) > 50
    assert sum(bool(p.action_plans_issued) for p in caseload) / n >= 0.5
    assert 0.05 <= sum(p.benefits_at_referral == ["none"] for p in caseload) / n <= 0.18
    conditions = Counter(c for p in caseload for c in p.conditions)
    assert [c for c, _ in conditions.most_common(2)] == ["mental_health", "musculoskeletal"]
    assert all(1 <= len(p.conditions) <= 3 for p in caseload)
    sources = Counter(p.referral_source for p in caseload)
    assert sources.most_common(1)[0][0] == "gp"
    for p in caseload:
        assert len(p.goals) <= 4
        for g in p.goals:
            assert 1 <= len(g.steps) <= 5
            assert (g.closed_on is None) == (g.status == "open")
        if p.skills_inventory:
            assert 3 <= len(p.skills_inventory.skills) <= 8
            assert len(p.skills_inventory.work_history) <= 4
