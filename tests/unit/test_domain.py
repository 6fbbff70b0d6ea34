"""The domain's rules as a coach and the programme meet them: NHS numbers, the caseload decoder's
messages, ranges, age bands, the living wage, cross-field checks, the policy file and passphrases."""

from __future__ import annotations

import copy
from datetime import date, datetime

import pytest

from coachdesk.domain import rules
from coachdesk.domain.checks import check_participant
from coachdesk.domain.codec import decode, encode
from coachdesk.domain.errors import ValidationError
from coachdesk.domain.model import (
    Closure,
    Goal,
    Participant,
    Session,
    SkillsInventory,
)
from coachdesk.domain.passphrase import passphrase_problem
from coachdesk.domain.policy import parse_policy
from coachdesk.domain.vocabulary import (
    AgeBand,
    Attendance,
    Benefit,
    ClosureReason,
    ConditionCategory,
    GoalStatus,
    OutcomeType,
    QualificationLevel,
    ReferralSource,
    SessionType,
)

PRACTICES = {"P01", "P02"}
TODAY = date(2016, 6, 1)

FULL_RECORD: dict[str, object] = {
    "id": "8b6f0c3e-2f1a-4c8e-9a51-0d4f7b2e9c11",
    "given_name": "Amina",
    "family_name": "Okafor",
    "preferred_name": "Amina",
    "date_of_birth": "1984-03-12",
    "sex": "female",
    "nhs_number": "9434765919",
    "phone": "07700 900123",
    "email": "amina@example.org",
    "postcode": "N1 9GU",
    "practice": "P01",
    "referral_date": "2015-10-01",
    "referral_source": "gp",
    "consent": {"service": "2015-10-01", "share_with_gp": True, "contact_employers": False},
    "employment_status": "unemployed_1_2y",
    "benefits_at_referral": ["esa_wrag", "pip_dla"],
    "benefit_changes": [{"date": "2016-04-02", "benefits": ["pip_dla"]}],
    "conditions": ["mental_health", "musculoskeletal"],
    "sessions": [
        {
            "id": "s-1",
            "start": "2015-10-05T10:00",
            "minutes": 45,
            "type": "initial_assessment",
            "attendance": "attended",
            "notes": "Talked about retail work.",
        },
        {"id": "s-2", "start": "2015-10-19T14:30", "minutes": 30, "type": "review", "attendance": "dna", "notes": ""},
    ],
    "skills_inventory": {
        "completed_on": "2015-10-05",
        "work_history": [
            {
                "employer": "Corner Shop",
                "role": "Cashier",
                "start": "2010-01",
                "end": "2014-06",
                "reason_left": "Ill health",
            }
        ],
        "qualifications": [{"title": "NVQ Retail", "level": "2", "year": 2002}],
        "skills": [{"name": "Customer service", "confidence": 4}],
        "preferences": {"job_types": ["retail"], "min_hours": 16, "max_hours": 30, "max_travel_minutes": 45},
        "barriers": ["confidence", "childcare"],
    },
    "goals": [
        {
            "id": "g-1",
            "title": "Apply for three retail jobs",
            "category": "work",
            "created": "2015-10-05",
            "target_date": "2015-12-01",
            "status": "open",
            "closed_on": None,
            "steps": [{"text": "Update CV", "owner": "participant", "due": "2015-10-19", "done": False}],
        },
    ],
    "employer_contacts": [{"date": "2015-10-20", "employer": "Corner Shop", "kind": "contact", "notes": "Call back"}],
    "outcomes": [
        {
            "type": "job_start",
            "date": "2016-01-11",
            "employer": "Corner Shop",
            "hours_per_week": 20,
            "hourly_pay_pence": 940,
        }
    ],
    "action_plans_issued": ["2015-10-05"],
    "closed": None,
}

MINIMAL: dict[str, object] = {
    "given_name": "Amina",
    "family_name": "Okafor",
    "date_of_birth": "1984-03-12",
    "practice": "P01",
    "referral_date": "2015-10-01",
    "referral_source": "gp",
}


def _with(**changes: object) -> dict[str, object]:
    record = copy.deepcopy(FULL_RECORD)
    record.update(changes)
    return record


def _error(cls: type, value: object, path: str = "participants[0]") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        decode(cls, value, path)
    return caught.value


def _participant(**changes: object) -> Participant:
    return decode(Participant, {**MINIMAL, **changes})


# -- NHS numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number", ["9434765919", "943 476 5919", " 943 476 5919 ", "4010232137", "9876543210", "4505577104", "4857773457"]
)
def test_valid_nhs_numbers_pass_the_modulus_11_check(number: str) -> None:
    assert rules.nhs_number_problem(number) is None


@pytest.mark.parametrize("number", ["9434765918", "9434765910", "4010232136", "9876543211"])
def test_an_nhs_number_with_the_wrong_check_digit_is_refused(number: str) -> None:
    problem = rules.nhs_number_problem(number)
    assert problem is not None
    assert "check digit" in problem


@pytest.mark.parametrize("last", "0123456789")
def test_a_number_whose_check_digit_would_be_10_is_never_valid(last: str) -> None:
    # 123456789 weighs to a remainder of 1: 11 - 1 = 10, which no single digit can hold.
    assert rules.nhs_number_problem("123456789" + last) is not None
    assert rules.nhs_number_problem("401023217" + last) is not None


@pytest.mark.parametrize(
    "number", ["943476591", "94347659190", "943476591X", "NHS4765919", "", "943.476.5919", "٩٤٣٤٧٦٥٩١٩"]
)
def test_an_nhs_number_that_is_not_ten_plain_digits_is_refused(number: str) -> None:
    problem = rules.nhs_number_problem(number)
    assert problem is not None
    assert "10 digits" in problem


def test_the_nhs_number_is_kept_without_the_spaces_the_coach_typed() -> None:
    p = _participant(nhs_number="943 476 5919")
    check_participant(p, PRACTICES, TODAY)
    assert p.nhs_number == "9434765919"


def test_a_bad_nhs_number_in_a_record_is_refused_with_its_path() -> None:
    err = _error(Participant, {**MINIMAL, "nhs_number": "9434765918"})
    assert err.path == "participants[0].nhs_number"
    assert "check digit" in err.problem


# -- the decoder's messages -----------------------------------------------------------------------


def test_an_unknown_key_is_named_with_its_full_path() -> None:
    record = _with()
    record["sessions"][1]["colour"] = "red"  # type: ignore[index]
    err = _error(Participant, record)
    assert str(err) == "participants[0].sessions[1].colour: is not a known key"


def test_an_unknown_top_level_key_of_a_participant_is_named() -> None:
    err = _error(Participant, {**MINIMAL, "nhs": "9434765919"})
    assert str(err) == "participants[0].nhs: is not a known key"


def test_a_number_written_as_text_is_not_a_number() -> None:
    record = _with()
    record["skills_inventory"]["preferences"]["min_hours"] = "16"  # type: ignore[index]
    err = _error(Participant, record)
    assert str(err) == "participants[0].skills_inventory.preferences.min_hours: expected a whole number, found '16'"


@pytest.mark.parametrize(("value", "shown"), [(1.0, "1.0"), (True, "true"), (45.5, "45.5"), (None, None)])
def test_floats_and_booleans_are_not_whole_numbers(value: object, shown: str | None) -> None:
    record = _with()
    record["sessions"][0]["minutes"] = value  # type: ignore[index]
    if value is None:  # minutes is optional: null is allowed
        assert decode(Participant, record).sessions[0].minutes is None
        return
    err = _error(Participant, record)
    assert str(err) == f"participants[0].sessions[0].minutes: expected a whole number, found {shown}"


def test_text_where_a_boolean_is_expected_is_refused() -> None:
    err = _error(Participant, _with(consent={"service": "2015-10-01", "share_with_gp": "yes"}))
    assert str(err) == "participants[0].consent.share_with_gp: expected true or false, found 'yes'"


def test_a_number_where_text_is_expected_is_refused() -> None:
    err = _error(Participant, {**MINIMAL, "phone": 7700900123})
    assert str(err) == "participants[0].phone: expected text, found 7700900123"


def test_a_single_word_where_a_list_is_expected_is_refused() -> None:
    err = _error(Participant, {**MINIMAL, "benefits_at_referral": "jsa"})
    assert str(err) == "participants[0].benefits_at_referral: expected a list, found 'jsa'"


@pytest.mark.parametrize(
    "bad",
    ["2015-02-30", "2015-13-01", "2015-10-1", "01/10/2015", "2015-W40-4", "20151001", "2015-10-01T10:00", "٢٠١٥-١٠-٠١"],
)
def test_a_date_that_is_not_a_real_yyyy_mm_dd_date_is_refused(bad: str) -> None:
    err = _error(Participant, {**MINIMAL, "referral_date": bad})
    assert err.path == "participants[0].referral_date"
    assert err.problem == f"{bad!r} is not a date written YYYY-MM-DD"


def test_the_last_day_of_february_in_a_leap_year_is_a_date() -> None:
    assert _participant(referral_date="2016-02-29").referral_date == date(2016, 2, 29)


def test_a_date_outside_1900_to_2100_is_refused() -> None:
    err = _error(Participant, {**MINIMAL, "date_of_birth": "1899-12-31"})
    assert str(err) == "participants[0].date_of_birth: 1899-12-31 is outside the years 1900–2100"


@pytest.mark.parametrize(
    "bad", ["2015-10-05 10:00", "2015-10-05T10:00:00", "2015-10-05", "2015-10-05T25:00", "٢٠١٥-10-05T10:00"]
)
def test_a_session_start_must_be_written_yyyy_mm_ddThh_mm(bad: str) -> None:
    record = _with()
    record["sessions"][0]["start"] = bad  # type: ignore[index]
    err = _error(Participant, record)
    assert err.path == "participants[0].sessions[0].start"
    assert err.problem == f"{bad!r} is not a date and time written YYYY-MM-DDTHH:MM"


@pytest.mark.parametrize("bad", ["2010-13", "2010-1", "2010-01-01", "2010-01\n", "٢٠١٠-٠١"])
def test_a_work_history_month_must_be_yyyy_mm(bad: str) -> None:
    record = _with()
    record["skills_inventory"]["work_history"][0]["start"] = bad  # type: ignore[index]
    err = _error(Participant, record)
    assert err.path == "participants[0].skills_inventory.work_history[0].start"
    assert err.problem == f"{bad!r} is not a month written YYYY-MM"


def test_a_word_outside_the_vocabulary_lists_the_allowed_words() -> None:
    record = _with()
    record["sessions"][0]["attendance"] = "maybe"  # type: ignore[index]
    err = _error(Participant, record, "participants[3]")
    assert str(err) == (
        "participants[3].sessions[0].attendance: 'maybe' is not one of "
        "booked, attended, dna, cancelled_by_participant, cancelled_by_coach"
    )


def test_vocabulary_words_are_case_sensitive() -> None:
    err = _error(Participant, {**MINIMAL, "referral_source": "GP"})
    assert err.path == "participants[0].referral_source"
    assert err.problem.startswith("'GP' is not one of gp, practice_nurse, practice_staff,")


def test_a_qualification_level_is_a_word_not_a_number() -> None:
    record = _with()
    record["skills_inventory"]["qualifications"][0]["level"] = 2  # type: ignore[index]
    err = _error(Participant, record)
    assert str(err) == (
        "participants[0].skills_inventory.qualifications[0].level: 2 is not one of entry, 1, 2, 3, 4, 5, 6, 7, 8, none"
    )


def test_every_benefit_in_a_list_is_checked_with_its_index() -> None:
    err = _error(Participant, {**MINIMAL, "benefits_at_referral": ["jsa", "esa"]})
    assert err.path == "participants[0].benefits_at_referral[1]"
    assert err.problem.startswith("'esa' is not one of esa_assessment")


@pytest.mark.parametrize(
    "key", ["given_name", "family_name", "date_of_birth", "practice", "referral_date", "referral_source"]
)
def test_each_required_key_is_named_when_missing(key: str) -> None:
    record = {k: v for k, v in MINIMAL.items() if k != key}
    err = _error(Participant, record)
    assert str(err) == f"participants[0].{key}: is required"


@pytest.mark.parametrize("key", ["given_name", "date_of_birth", "referral_source", "practice"])
def test_null_for_a_required_key_says_it_is_required(key: str) -> None:
    err = _error(Participant, {**MINIMAL, key: None})
    assert str(err) == f"participants[0].{key}: is required and may not be null"


def test_a_required_key_inside_a_child_is_named() -> None:
    err = _error(Participant, _with(closed={"date": "2016-03-01"}))
    assert str(err) == "participants[0].closed.reason: is required"


def test_a_blank_name_is_refused() -> None:
    err = _error(Participant, {**MINIMAL, "family_name": "   "})
    assert str(err) == "participants[0].family_name: must not be empty"


def test_a_name_longer_than_200_characters_is_refused() -> None:
    err = _error(Participant, {**MINIMAL, "given_name": "A" * 201})
    assert str(err) == "participants[0].given_name: is 201 characters long; at most 200 are allowed"
    assert _participant(given_name="A" * 200).given_name == "A" * 200


def test_a_list_where_an_object_is_expected_is_refused() -> None:
    err = _error(Participant, _with(consent=[]))
    assert str(err) == "participants[0].consent: expected an object, found a list"


def test_optional_keys_left_out_become_empty() -> None:
    p = _participant()
    assert p.preferred_name == ""
    assert p.nhs_number is None
    assert p.sessions == []
    assert p.skills_inventory is None
    assert p.closed is None
    assert p.consent.share_with_gp is False
    assert p.display_name == "Amina Okafor"


def test_a_missing_participant_id_is_generated_and_unique() -> None:
    a, b = _participant(), _participant()
    assert a.id and b.id and a.id != b.id


def test_decoding_gives_typed_values() -> None:
    p = decode(Participant, FULL_RECORD)
    assert p.date_of_birth == date(1984, 3, 12)
    assert p.referral_source is ReferralSource.GP
    assert p.benefits_at_referral == [Benefit.ESA_WRAG, Benefit.PIP_DLA]
    assert p.conditions == [ConditionCategory.MENTAL_HEALTH, ConditionCategory.MUSCULOSKELETAL]
    assert p.sessions[0].start == datetime(2015, 10, 5, 10, 0)
    assert p.sessions[0].type is SessionType.INITIAL_ASSESSMENT
    assert p.sessions[1].attendance is Attendance.DNA
    assert p.skills_inventory is not None
    assert p.skills_inventory.qualifications[0].level is QualificationLevel.L2
    assert p.goals[0].status is GoalStatus.OPEN
    assert p.outcomes[0].type is OutcomeType.JOB_START
    assert p.action_plans_issued == [date(2015, 10, 5)]


def test_encode_then_decode_gives_back_the_same_full_participant() -> None:
    p = decode(Participant, FULL_RECORD)
    encoded = encode(p)
    assert encoded == FULL_RECORD
    assert decode(Participant, encoded) == p


def test_encode_writes_keys_in_the_documented_order() -> None:
    encoded = encode(decode(Participant, FULL_RECORD))
    assert isinstance(encoded, dict)
    assert list(encoded) == list(FULL_RECORD)


def test_a_closed_participant_round_trips() -> None:
    p = decode(Participant, _with(closed={"date": "2016-05-01", "reason": "sustained_employment"}))
    assert p.closed == Closure(date=date(2016, 5, 1), reason=ClosureReason.SUSTAINED_EMPLOYMENT)
    assert not p.is_open
    assert encode(p)["closed"] == {"date": "2016-05-01", "reason": "sustained_employment"}  # type: ignore[index]


# -- field rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("confidence", "ok"), [(0, False), (1, True), (5, True), (6, False), (-1, False)])
def test_skill_confidence_is_1_to_5(confidence: int, ok: bool) -> None:
    record = _with()
    record["skills_inventory"]["skills"][0]["confidence"] = confidence  # type: ignore[index]
    if ok:
        p = decode(Participant, record)
        assert p.skills_inventory is not None
        assert p.skills_inventory.skills[0].confidence == confidence
    else:
        err = _error(Participant, record)
        assert str(err) == (
            f"participants[0].skills_inventory.skills[0].confidence: {confidence} is outside the allowed range 1–5"
        )


@pytest.mark.parametrize(("hours", "ok"), [(-1, False), (0, True), (168, True), (169, False)])
def test_hours_per_week_is_0_to_168(hours: int, ok: bool) -> None:
    record = _with()
    record["outcomes"][0]["hours_per_week"] = hours  # type: ignore[index]
    if ok:
        assert decode(Participant, record).outcomes[0].hours_per_week == hours
    else:
        err = _error(Participant, record)
        assert str(err) == f"participants[0].outcomes[0].hours_per_week: {hours} is outside the allowed range 0–168"


def test_negative_pay_is_refused() -> None:
    record = _with()
    record["outcomes"][0]["hourly_pay_pence"] = -940  # type: ignore[index]
    assert _error(Participant, record).path == "participants[0].outcomes[0].hourly_pay_pence"


@pytest.mark.parametrize(
    ("born", "on", "band"),
    [
        (date(1990, 6, 15), date(2015, 6, 14), AgeBand.AGE_16_24),  # 24, the day before the 25th birthday
        (date(1990, 6, 15), date(2015, 6, 15), AgeBand.AGE_25_34),  # 25 on the birthday
        (date(1980, 6, 15), date(2015, 6, 14), AgeBand.AGE_25_34),  # 34
        (date(1980, 6, 15), date(2015, 6, 15), AgeBand.AGE_35_49),  # 35
        (date(1965, 6, 15), date(2015, 6, 14), AgeBand.AGE_35_49),  # 49
        (date(1965, 6, 15), date(2015, 6, 15), AgeBand.AGE_50_64),  # 50
        (date(1950, 6, 15), date(2015, 6, 14), AgeBand.AGE_50_64),  # 64
        (date(1950, 6, 15), date(2015, 6, 15), AgeBand.AGE_65_PLUS),  # 65
        (date(1999, 6, 15), date(2015, 6, 15), AgeBand.AGE_16_24),  # 16 on the birthday
        (date(1999, 6, 15), date(2015, 6, 14), None),  # 15: outside the programme
        (date(2010, 1, 1), date(2015, 6, 14), None),
    ],
)
def test_age_bands_change_on_the_birthday(born: date, on: date, band: AgeBand | None) -> None:
    assert rules.age_band(born, on) == band


def test_a_leap_day_birthday_turns_a_year_older_on_the_first_of_march() -> None:
    born = date(1992, 2, 29)
    assert rules.age_on(born, date(2017, 2, 28)) == 24
    assert rules.age_on(born, date(2017, 3, 1)) == 25
    assert rules.age_band(born, date(2017, 2, 28)) is AgeBand.AGE_16_24


LIVING_WAGE = [(date(2016, 10, 31), 975), (date(2014, 11, 3), 915), (date(2015, 11, 2), 940)]


@pytest.mark.parametrize(
    ("day", "pence"),
    [
        (date(2014, 11, 2), None),  # before any rate
        (date(2014, 11, 3), 915),
        (date(2015, 11, 1), 915),  # the day before a mid-month change
        (date(2015, 11, 2), 940),  # the day of the change
        (date(2015, 11, 30), 940),
        (date(2016, 10, 30), 940),
        (date(2016, 10, 31), 975),
        (date(2030, 1, 1), 975),
    ],
)
def test_the_living_wage_in_force_changes_on_the_day_of_the_change(day: date, pence: int | None) -> None:
    assert rules.living_wage_on(LIVING_WAGE, day) == pence


def test_no_living_wage_rates_means_no_rate() -> None:
    assert rules.living_wage_on([], date(2016, 1, 1)) is None


# -- cross-field checks ---------------------------------------------------------------------------


def _check_error(p: Participant, path: str = "participants[4]") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_participant(p, PRACTICES, TODAY, path)
    return caught.value


def test_a_good_record_passes_the_checks() -> None:
    check_participant(decode(Participant, FULL_RECORD), PRACTICES, TODAY)


def test_an_unknown_practice_names_the_known_ones() -> None:
    err = _check_error(_participant(practice="P09"))
    assert str(err) == "participants[4].practice: 'P09' is not a practice of this programme (known: P01, P02)"


def test_an_unknown_practice_with_no_policy_says_to_load_one() -> None:
    with pytest.raises(ValidationError) as caught:
        check_participant(_participant(), set(), TODAY)
    assert caught.value.path == "practice"
    assert "load the programme policy" in caught.value.problem


def test_a_referral_in_the_future_is_refused_but_today_is_fine() -> None:
    err = _check_error(_participant(referral_date="2016-06-02"))
    assert str(err) == "participants[4].referral_date: 2016-06-02 is in the future"
    check_participant(_participant(referral_date="2016-06-01"), PRACTICES, TODAY)


def test_a_participant_under_16_at_referral_is_refused() -> None:
    err = _check_error(_participant(date_of_birth="1999-10-02", referral_date="2015-10-01"))
    assert err.path == "participants[4].date_of_birth"
    assert "under 16" in err.problem
    # 16 on the day of referral is old enough.
    check_participant(_participant(date_of_birth="1999-10-01", referral_date="2015-10-01"), PRACTICES, TODAY)


def test_a_birth_date_after_the_referral_is_refused() -> None:
    err = _check_error(_participant(date_of_birth="2015-10-02"))
    assert err.path == "participants[4].date_of_birth"


def test_closed_before_the_referral_is_refused() -> None:
    err = _check_error(_participant(closed={"date": "2015-09-30", "reason": "withdrew"}))
    assert str(err) == "participants[4].closed.date: must be on or after the referral date"
    check_participant(_participant(closed={"date": "2015-10-01", "reason": "withdrew"}), PRACTICES, TODAY)


def test_closed_in_the_future_is_refused() -> None:
    err = _check_error(_participant(closed={"date": "2016-06-02", "reason": "withdrew"}))
    assert err.path == "participants[4].closed.date"


def test_a_benefit_change_before_the_referral_is_refused() -> None:
    err = _check_error(
        _participant(
            benefit_changes=[{"date": "2016-01-01", "benefits": []}, {"date": "2015-09-01", "benefits": ["jsa"]}]
        )
    )
    assert err.path == "participants[4].benefit_changes[1].date"


def test_a_session_id_used_twice_in_one_record_is_refused() -> None:
    p = _participant()
    p.sessions = [
        Session(id="same", start=datetime(2015, 10, 5, 10), type=SessionType.REVIEW),
        Session(id="other", start=datetime(2015, 10, 6, 10), type=SessionType.REVIEW),
        Session(id="same", start=datetime(2015, 10, 7, 10), type=SessionType.REVIEW),
    ]
    err = _check_error(p)
    assert str(err) == "participants[4].sessions[2].id: appears twice in this participant's sessions"


def test_a_goal_id_used_twice_in_one_record_is_refused() -> None:
    p = _participant()
    p.goals = [
        Goal(id="g", title="One", created=date(2015, 10, 5)),
        Goal(id="g", title="Two", created=date(2015, 10, 5)),
    ]
    assert _check_error(p).path == "participants[4].goals[1].id"


def test_a_goal_target_before_the_goal_was_set_is_refused() -> None:
    p = _participant()
    p.goals = [Goal(title="Apply", created=date(2015, 10, 5), target_date=date(2015, 10, 4))]
    err = _check_error(p)
    assert str(err) == "participants[4].goals[0].target_date: must be on or after the date the goal was set"
    p.goals[0].target_date = date(2015, 10, 5)
    check_participant(p, PRACTICES, TODAY)


def test_a_goal_closed_before_it_was_set_is_refused() -> None:
    p = _participant()
    p.goals = [Goal(title="Apply", created=date(2015, 10, 5), status=GoalStatus.ACHIEVED, closed_on=date(2015, 10, 1))]
    assert _check_error(p).path == "participants[4].goals[0].closed_on"


def test_minimum_hours_above_maximum_hours_is_refused() -> None:
    p = _participant()
    p.skills_inventory = decode(
        SkillsInventory, {"completed_on": "2015-10-05", "preferences": {"min_hours": 30, "max_hours": 16}}
    )
    assert _check_error(p).path == "participants[4].skills_inventory.preferences.min_hours"


# -- the programme policy -------------------------------------------------------------------------

INTERFACES_EXAMPLE = """\
programme = "islington-working-better"
hub_url = "https://hub.example.org"        # https required, except for localhost
auto_lock_minutes = 5
allow_keyring_unlock = true
source_suppression = 0
retention_years_after_closure = 6

[[practices]]
code = "P01"
name = "City Road Medical Centre"

[[living_wage]]                            # London Living Wage, pence per hour, from a date
from = "2015-11-02"
pence = 940
"""


def _policy_error(text: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse_policy(text)
    return caught.value


def test_the_documented_policy_example_parses() -> None:
    policy = parse_policy(INTERFACES_EXAMPLE)
    assert policy.programme == "islington-working-better"
    assert policy.hub_url == "https://hub.example.org"
    assert policy.auto_lock_minutes == 5
    assert policy.allow_keyring_unlock is True
    assert policy.source_suppression == 0
    assert policy.retention_years_after_closure == 6
    assert policy.practice_codes == frozenset({"P01"})
    assert policy.practice_name("P01") == "City Road Medical Centre"
    assert policy.living_wage == ((date(2015, 11, 2), 940),)
    assert policy.living_wage_on(date(2015, 11, 1)) is None
    assert policy.living_wage_on(date(2015, 11, 2)) == 940


def test_the_default_policy_shipped_with_the_app_parses() -> None:
    from importlib.resources import files

    text = files("coachdesk.resources.policy").joinpath("default.toml").read_text(encoding="utf-8")
    policy = parse_policy(text)
    assert policy.hub_url is None
    assert len(policy.practices) == 6
    assert policy.living_wage_on(date(2015, 11, 1)) == 915
    assert policy.living_wage_on(date(2015, 11, 2)) == 940


def test_an_empty_policy_gives_the_defaults() -> None:
    policy = parse_policy("")
    assert policy.programme == "local"
    assert policy.hub_url is None
    assert policy.practices == ()
    assert policy.allow_keyring_unlock is False


@pytest.mark.parametrize(
    "url",
    ["http://hub.example.org", "http://localhost.example.org", "ftp://hub.example.org", "hub.example.org", "https://"],
)
def test_a_hub_that_is_not_https_is_refused(url: str) -> None:
    err = _policy_error(f'hub_url = "{url}"')
    assert err.path == "hub_url"


@pytest.mark.parametrize("url", ["http://localhost:8080", "http://127.0.0.1:9000/", "http://[::1]:8000"])
def test_plain_http_is_allowed_for_a_hub_on_this_machine(url: str) -> None:
    assert parse_policy(f'hub_url = "{url}"').hub_url == url.rstrip("/")


def test_plain_http_to_a_remote_hub_says_why() -> None:
    assert _policy_error('hub_url = "http://hub.example.org"').problem == (
        "must use https:// (plain http is allowed only for localhost)"
    )


def test_an_unknown_policy_key_is_named() -> None:
    err = _policy_error(INTERFACES_EXAMPLE.replace("auto_lock_minutes", "autolock_minutes"))
    assert str(err) == "autolock_minutes: is not a known key"


def test_an_unknown_key_in_a_practice_is_named() -> None:
    err = _policy_error('[[practices]]\ncode = "P01"\nname = "City Road"\npostcode = "EC1"\n')
    assert str(err) == "practices[0].postcode: is not a known key"


def test_invalid_toml_is_reported_as_such() -> None:
    assert "not valid TOML" in _policy_error("programme = ").problem


@pytest.mark.parametrize("second", ['"P01"', '"P01 "'])
def test_a_practice_code_used_twice_is_refused(second: str) -> None:
    err = _policy_error(f'[[practices]]\ncode = "P01"\nname = "A"\n[[practices]]\ncode = {second}\nname = "B"\n')
    assert err.path == "practices[1].code"
    assert "'P01' appears twice" in err.problem


@pytest.mark.parametrize("code", ['"ALL"', '" ALL "'])
def test_all_is_reserved_for_the_total(code: str) -> None:
    err = _policy_error(f'[[practices]]\ncode = {code}\nname = "Everyone"\n')
    assert err.path == "practices[0].code"
    assert "reserved" in err.problem


def test_practice_codes_and_names_are_trimmed() -> None:
    policy = parse_policy('[[practices]]\ncode = " P01 "\nname = " City Road "\n')
    assert policy.practice_codes == frozenset({"P01"})
    assert policy.practice_name("P01") == "City Road"


def test_a_living_wage_date_may_be_a_toml_date_or_a_string() -> None:
    policy = parse_policy(
        '[[living_wage]]\nfrom = 2016-10-31\npence = 975\n[[living_wage]]\nfrom = "2015-11-02"\npence = 940\n'
    )
    assert policy.living_wage == ((date(2015, 11, 2), 940), (date(2016, 10, 31), 975))
    assert policy.living_wage_on(date(2016, 10, 30)) == 940
    assert policy.living_wage_on(date(2016, 10, 31)) == 975


@pytest.mark.parametrize("value", ["2015-11-02T00:00:00", '"2015-11-31"', '"2 Nov 2015"', "1800-11-02", "10:00:00"])
def test_a_living_wage_start_that_is_not_a_date_is_refused(value: str) -> None:
    err = _policy_error(f"[[living_wage]]\nfrom = {value}\npence = 940\n")
    assert err.path == "living_wage[0].from"


@pytest.mark.parametrize("pence", ["9.40", '"940"', "0", "-940", "true", "100000"])
def test_bad_living_wage_pence_are_refused(pence: str) -> None:
    err = _policy_error(f'[[living_wage]]\nfrom = "2015-11-02"\npence = {pence}\n')
    assert str(err) == "living_wage[0].pence: must be a whole number of pence per hour"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("auto_lock_minutes", "0"),
        ("auto_lock_minutes", "5.0"),
        ("source_suppression", "-1"),
        ("source_suppression", "true"),
        ("retention_years_after_closure", '"6"'),
    ],
)
def test_bad_numbers_in_the_policy_name_their_key(key: str, value: str) -> None:
    assert _policy_error(f"{key} = {value}").path == key


def test_keyring_unlock_must_be_a_boolean() -> None:
    assert _policy_error('allow_keyring_unlock = "yes"').path == "allow_keyring_unlock"


# -- passphrases ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weak",
    [
        "Password1!",
        "password123456",
        "Passw0rd2016!",
        "aaaaaaaaaaaaaaaaaaaa",
        "abcdefghijklmnopqrstuvwxyz",
        "1234567890123",
        "qwertyqwerty",
        "Islington2016",
        "letmein!!letmein",
    ],
)
def test_guessable_passphrases_are_weak(weak: str) -> None:
    assert passphrase_problem(weak) is not None


@pytest.mark.parametrize("short", ["", "a", "Xk#9v!Qz2"])
def test_short_passphrases_are_refused_for_their_length(short: str) -> None:
    problem = passphrase_problem(short)
    assert problem is not None
    assert "at least 10 characters" in problem


@pytest.mark.parametrize(
    "strong",
    [
        "correct horse battery staple",
        "tulip anvil orbit marsh",
        "kettle violin moss ferry",
        "Zebra-Quartz-Lantern-Pebble",
    ],
)
def test_four_unrelated_words_are_strong(strong: str) -> None:
    assert passphrase_problem(strong) is None


def test_a_weak_passphrase_says_what_to_do_instead() -> None:
    problem = passphrase_problem("Password1!")
    assert problem is not None
    assert "words" in problem


def test_months_are_counted_across_years_and_named_in_english() -> None:
    from coachdesk.domain.months import month_before, month_name, month_of, months_between

    assert months_between("2015-11", "2016-02") == ["2015-11", "2015-12", "2016-01", "2016-02"]
    assert months_between("2016-02", "2015-11") == []
    assert month_before("2016-01") == "2015-12"
    assert month_of(date(2016, 2, 29)) == "2016-02"
    assert month_name("2015-11") == "November 2015"
    with pytest.raises(ValidationError, match="period: '2015-13' is not a month"):
        months_between("2015-13", "2016-01")
