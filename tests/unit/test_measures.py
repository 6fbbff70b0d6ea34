"""The monthly measures (formats.md §3) against a hand-built caseload, expected counts written out
by hand for every measure family."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from testkit import POLICY

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.measures import CATALOGUE, CATALOGUE_VERSION, EXCLUSIVE_SPLITS, GROUPS, group_of
from coachdesk.domain.model import (
    BenefitChange,
    Closure,
    EmployerContact,
    Goal,
    Outcome,
    Participant,
    Session,
    SkillsInventory,
)
from coachdesk.domain.vocabulary import (
    AgeBand,
    Attendance,
    Benefit,
    ClosureReason,
    ConditionCategory,
    EmploymentStatus,
    GoalStatus,
    OutcomeType,
    ReferralSource,
    SessionType,
)
from coachdesk.storage import participants
from coachdesk.storage.measures import count_measures
from coachdesk.storage.vault import Vault
from coachdesk.sync.measures import compute

# The test policy's rate (940p from 2015-11-02) and a rise to 975p from the middle of November.
POLICY_WITH_RISE = (
    POLICY
    + """\
[[practices]]
code = "P03"
name = "Third Practice"
[[living_wage]]
from = "2015-11-16"
pence = 975
"""
)


def person(practice: str, referred: date, born: date, **fields: object) -> Participant:
    fields.setdefault("referral_source", ReferralSource.GP)
    return Participant(
        given_name="Ada",
        family_name="Test",
        date_of_birth=born,
        practice=practice,
        referral_date=referred,
        **fields,  # type: ignore[arg-type]
    )


def session(start: str, attendance: Attendance) -> Session:
    return Session(start=datetime.fromisoformat(start), type=SessionType.REVIEW, attendance=attendance)


def expected(nonzero: dict[str, int]) -> dict[str, int]:
    unknown = set(nonzero) - set(CATALOGUE)
    assert not unknown, unknown
    return {measure: nonzero.get(measure, 0) for measure in CATALOGUE}


def caseload() -> list[Participant]:
    d = date.fromisoformat
    a = person(  # referred on the last day of October; closed on the last day of November
        "P01",
        d("2015-10-31"),
        d("1990-11-01"),  # 24 at referral: turns 25 the next day
        benefits_at_referral=[Benefit.ESA_WRAG],
        conditions=[ConditionCategory.MENTAL_HEALTH],
        employment_status=EmploymentStatus.UNEMPLOYED_LT_6M,
        benefit_changes=[BenefitChange(date=d("2015-11-10"), benefits=[])],  # leaves out-of-work benefits
        sessions=[
            session("2015-10-31T16:00", Attendance.DNA),
            session("2015-11-02T09:30", Attendance.ATTENDED),  # first attended: a first appointment
            session("2015-11-30T23:59", Attendance.CANCELLED_BY_COACH),
            session("2015-12-01T00:00", Attendance.ATTENDED),
        ],
        skills_inventory=SkillsInventory(completed_on=d("2015-10-31")),
        employer_contacts=[
            EmployerContact(date=d("2015-11-30"), employer="Acme"),  # exactly 30 days after referral
            EmployerContact(date=d("2015-12-05"), employer="Acme"),
        ],
        closed=Closure(date=d("2015-11-30"), reason=ClosureReason.MOVED_AWAY),
    )
    b = person(  # referred on the first day of November, several benefits at referral
        "P01",
        d("2015-11-01"),
        d("1990-11-01"),  # 25 on the day of referral
        referral_source=ReferralSource.SELF,
        benefits_at_referral=[Benefit.ESA_SUPPORT, Benefit.PIP_DLA, Benefit.UC_LCWRA],
        conditions=[ConditionCategory.MUSCULOSKELETAL, ConditionCategory.MENTAL_HEALTH],
        employment_status=EmploymentStatus.UNEMPLOYED_2Y_PLUS,
        benefit_changes=[
            BenefitChange(date=d("2015-11-20"), benefits=[Benefit.PIP_DLA]),  # leaves: pip_dla is not one
            BenefitChange(date=d("2015-11-25"), benefits=[Benefit.NONE]),  # already left: once only
        ],
        sessions=[session("2015-11-30T17:00", Attendance.ATTENDED)],
        skills_inventory=SkillsInventory(completed_on=d("2015-11-03")),
        goals=[
            Goal(
                title="Find work",
                created=d("2015-11-01"),
                status=GoalStatus.ACHIEVED,
                closed_on=d("2015-11-30"),
            ),
            Goal(title="Swim", created=d("2015-11-05"), status=GoalStatus.DROPPED, closed_on=d("2015-11-06")),
        ],
        employer_contacts=[EmployerContact(date=d("2015-12-02"), employer="Acme")],  # 31 days after referral
        outcomes=[
            # The day before the rise: 940p meets the 940p rate then in force.
            Outcome(type=OutcomeType.JOB_START, date=d("2015-11-15"), hours_per_week=16, hourly_pay_pence=940),
            # After the rise to 975p, 950p does not.
            Outcome(type=OutcomeType.JOB_START, date=d("2015-11-20"), hours_per_week=15, hourly_pay_pence=950),
        ],
        action_plans_issued=[d("2015-11-03"), d("2015-11-30"), d("2015-12-01")],
    )
    c = person(
        "P01",
        d("2015-11-10"),
        d("1950-11-10"),  # 65 on the day of referral
        benefits_at_referral=[Benefit.JSA, Benefit.ESA_ASSESSMENT],
        employment_status=EmploymentStatus.NEVER_WORKED,
        benefit_changes=[
            BenefitChange(date=d("2015-11-12"), benefits=[Benefit.JSA]),  # still holds jsa: not left
            BenefitChange(date=d("2015-12-03"), benefits=[Benefit.NONE]),  # left in December
        ],
        sessions=[
            session("2015-11-12T10:00", Attendance.DNA),
            session("2015-11-13T10:00", Attendance.CANCELLED_BY_PARTICIPANT),
            session("2015-11-25T10:00", Attendance.BOOKED),
        ],
        employer_contacts=[EmployerContact(date=d("2015-11-11"), employer="Acme")],
        outcomes=[
            Outcome(type=OutcomeType.SELF_EMPLOYMENT, date=d("2015-11-20")),
            Outcome(type=OutcomeType.EDUCATION_START, date=d("2015-11-21")),
            Outcome(type=OutcomeType.VOLUNTEERING_START, date=d("2015-11-22")),
            Outcome(type=OutcomeType.JOB_RETAINED, date=d("2015-11-23")),
            Outcome(type=OutcomeType.SUSTAINED_13_WEEKS, date=d("2015-11-24")),
            Outcome(type=OutcomeType.SUSTAINED_26_WEEKS, date=d("2015-11-25")),
            Outcome(type=OutcomeType.JOB_END, date=d("2015-11-26")),  # not a measure
        ],
    )
    dd = person(  # referred in September, closed on the first day of December
        "P01",
        d("2015-09-01"),
        d("1966-11-15"),
        sessions=[session("2015-09-10T10:00", Attendance.ATTENDED), session("2015-11-03T10:00", Attendance.ATTENDED)],
        employer_contacts=[EmployerContact(date=d("2015-11-01"), employer="Acme")],  # 61 days after referral
        outcomes=[
            # Before any living wage rate is in force: not paid_llw whatever the pay.
            Outcome(type=OutcomeType.JOB_START, date=d("2015-10-20"), hours_per_week=20, hourly_pay_pence=2000),
            Outcome(type=OutcomeType.JOB_START, date=d("2015-11-05")),  # hours and pay unknown
        ],
        closed=Closure(date=d("2015-12-01"), reason=ClosureReason.OTHER),
    )
    p02 = [  # ages at referral on the boundaries of the bands
        person(
            "P02",
            d("2015-11-30"),
            d("1999-11-30"),  # 16
            referral_source=ReferralSource.JOBCENTRE,
            benefits_at_referral=[Benefit.NONE],
            employment_status=EmploymentStatus.EMPLOYED_OFF_SICK,
        ),
        person("P02", d("2015-11-15"), d("1990-11-16")),  # 24, the day before 25
        person("P02", d("2015-11-15"), d("1980-11-16")),  # 34
        person("P02", d("2015-11-15"), d("1980-11-15")),  # 35
        person("P02", d("2015-11-15"), d("1965-11-16")),  # 49
        person("P02", d("2015-11-15"), d("1965-11-15")),  # 50
        person("P02", d("2015-11-15"), d("1950-11-16")),  # 64
    ]
    p03 = person("P03", d("2015-12-01"), d("1980-01-01"))  # referred after November
    return [a, b, c, dd, *p02, p03]


@pytest.fixture
def loaded(vault: Vault) -> Vault:
    vault.replace_policy(POLICY_WITH_RISE)
    records = caseload()
    with vault.transaction() as conn:
        for record in records:
            participants.save(conn, record)
    # A second inventory later on keeps the first as history.
    b = records[1]
    b.skills_inventory = SkillsInventory(completed_on=date(2015, 12, 1))
    with vault.transaction() as conn:
        participants.save(conn, b)
    return vault


P01_NOVEMBER = {
    "referrals_received": 2,
    "referrals_by_source.self": 1,
    "referrals_by_source.gp": 1,
    "new_by_benefit.esa_support": 1,
    "new_by_benefit.pip_dla": 1,
    "new_by_benefit.uc_lcwra": 1,
    "new_by_benefit.jsa": 1,
    "new_by_benefit.esa_assessment": 1,
    "new_by_condition.musculoskeletal": 1,
    "new_by_condition.mental_health": 1,
    "new_by_employment_status.unemployed_2y_plus": 1,
    "new_by_employment_status.never_worked": 1,
    "new_by_age_band.25_34": 1,
    "new_by_age_band.65_plus": 1,
    "first_appointments": 2,
    "sessions_attended": 3,
    "sessions_dna": 1,
    "sessions_cancelled": 2,
    "active_caseload_end": 3,
    "skills_inventories_completed": 1,
    "goals_set": 2,
    "goals_achieved": 1,
    "action_plans_issued": 2,
    "employer_contacts": 3,
    "first_employer_contact.within_30_days": 2,
    "first_employer_contact.over_60_days": 1,
    "job_starts": 3,
    "job_starts_16h_plus": 1,
    "job_starts_under_16h": 1,
    "job_starts_paid_llw": 1,
    "first_job_starts": 1,
    "self_employment_starts": 1,
    "education_starts": 1,
    "volunteering_starts": 1,
    "jobs_retained": 1,
    "sustained_13_weeks": 1,
    "sustained_26_weeks": 1,
    "left_out_of_work_benefits": 2,
    "closures.moved_away": 1,
}

P02_NOVEMBER = {
    "referrals_received": 7,
    "referrals_by_source.gp": 6,
    "referrals_by_source.jobcentre": 1,
    "new_by_benefit.none": 1,
    "new_by_employment_status.employed_off_sick": 1,
    "new_by_age_band.16_24": 2,
    "new_by_age_band.25_34": 1,
    "new_by_age_band.35_49": 2,
    "new_by_age_band.50_64": 2,
    "active_caseload_end": 7,
}

P01_OCTOBER = {
    "referrals_received": 1,
    "referrals_by_source.gp": 1,
    "new_by_benefit.esa_wrag": 1,
    "new_by_condition.mental_health": 1,
    "new_by_employment_status.unemployed_lt_6m": 1,
    "new_by_age_band.16_24": 1,
    "sessions_dna": 1,
    "active_caseload_end": 2,
    "skills_inventories_completed": 1,
    "job_starts": 1,
    "job_starts_16h_plus": 1,
    "first_job_starts": 1,
}

P01_DECEMBER = {
    "sessions_attended": 1,
    "active_caseload_end": 2,
    "skills_inventories_completed": 1,
    "action_plans_issued": 1,
    "employer_contacts": 2,
    "first_employer_contact.days_31_60": 1,
    "left_out_of_work_benefits": 1,
    "closures.other": 1,
}


def test_november_every_measure_by_hand(loaded: Vault) -> None:
    result = compute(loaded, "2015-11")
    assert list(result) == ["P01", "P02"]  # P03's only participant is referred in December
    assert result["P01"] == expected(P01_NOVEMBER)
    assert result["P02"] == expected(P02_NOVEMBER)


def test_october_and_december(loaded: Vault) -> None:
    october = compute(loaded, "2015-10")
    assert october == {"P01": expected(P01_OCTOBER)}  # P02 and P03 have nobody referred yet
    december = compute(loaded, "2015-12")
    assert list(december) == ["P01", "P02", "P03"]
    assert december["P01"] == expected(P01_DECEMBER)
    assert december["P02"] == expected({"active_caseload_end": 7})
    assert december["P03"] == expected(
        {
            "referrals_received": 1,
            "referrals_by_source.gp": 1,
            "new_by_age_band.35_49": 1,
            "active_caseload_end": 1,
        }
    )


def test_zeros_included_in_catalogue_order(loaded: Vault) -> None:
    for period in ("2015-09", "2015-10", "2015-11", "2015-12", "2016-01"):
        for practice, cells in compute(loaded, period).items():
            assert list(cells) == list(CATALOGUE), (period, practice)
            assert all(isinstance(v, int) and v >= 0 for v in cells.values())
    assert compute(loaded, "2015-08") == {}


def test_exclusive_splits_sum_to_their_measure(loaded: Vault) -> None:
    result = compute(loaded, "2015-11")
    for cells in result.values():
        source_total = sum(cells[m] for m in GROUPS["referrals_by_source"])
        assert source_total == cells[EXCLUSIVE_SPLITS["referrals_by_source"]]
        assert sum(cells[m] for m in GROUPS["new_by_age_band"]) == cells["referrals_received"]
    # Every P01 referral has an employment status; one of P02's seven has.
    assert sum(result["P01"][m] for m in GROUPS["new_by_employment_status"]) == 2


def test_living_wage_rates_are_passed_in(loaded: Vault) -> None:
    """Without the November rise, the 950p start on the 20th meets the 940p rate."""
    only_940 = [(date(2015, 11, 2), 940)]
    assert count_measures(loaded.conn, "2015-11", only_940)["P01"]["job_starts_paid_llw"] == 2
    assert count_measures(loaded.conn, "2015-11", [])["P01"]["job_starts_paid_llw"] == 0
    rise = [(date(2015, 11, 16), 975), (date(2015, 11, 2), 940)]  # order does not matter
    assert count_measures(loaded.conn, "2015-11", rise)["P01"]["job_starts_paid_llw"] == 1


def test_empty_vault_has_no_practices(vault: Vault) -> None:
    assert compute(vault, "2015-11") == {}


@pytest.mark.parametrize("period", ["2015-13", "2015-1", "15-11", "2015-11-01", "Nov 2015", ""])
def test_period_must_be_a_month(vault: Vault, period: str) -> None:
    with pytest.raises(ValidationError) as caught:
        compute(vault, period)
    assert caught.value.path == "period"


def test_catalogue_has_no_duplicates_and_every_word() -> None:
    assert CATALOGUE_VERSION == 1
    assert len(CATALOGUE) == len(set(CATALOGUE))
    groups = {
        "referrals_by_source": ReferralSource,
        "new_by_benefit": Benefit,
        "new_by_condition": ConditionCategory,
        "new_by_employment_status": EmploymentStatus,
        "new_by_age_band": AgeBand,
        "closures": ClosureReason,
    }
    for prefix, words in groups.items():
        assert GROUPS[prefix] == tuple(f"{prefix}.{w.value}" for w in words)
    assert GROUPS["first_employer_contact"] == (
        "first_employer_contact.within_30_days",
        "first_employer_contact.days_31_60",
        "first_employer_contact.over_60_days",
    )
    assert set(GROUPS) == {*groups, "first_employer_contact"}
    plain = {m for m in CATALOGUE if group_of(m) is None}
    assert plain == {
        "referrals_received",
        "first_appointments",
        "sessions_attended",
        "sessions_dna",
        "sessions_cancelled",
        "active_caseload_end",
        "skills_inventories_completed",
        "goals_set",
        "goals_achieved",
        "action_plans_issued",
        "employer_contacts",
        "job_starts",
        "job_starts_16h_plus",
        "job_starts_under_16h",
        "job_starts_paid_llw",
        "first_job_starts",
        "self_employment_starts",
        "education_starts",
        "volunteering_starts",
        "jobs_retained",
        "sustained_13_weeks",
        "sustained_26_weeks",
        "left_out_of_work_benefits",
    }
    assert set(EXCLUSIVE_SPLITS) <= set(GROUPS)
    assert set(EXCLUSIVE_SPLITS.values()) <= plain


def reference(records: list[Participant], period: str, rates: list[tuple[date, int]]) -> dict[str, dict[str, int]]:
    """The catalogue computed plainly in Python from the records: a second opinion on the SQL."""
    from coachdesk.domain.rules import age_band, living_wage_on
    from coachdesk.domain.vocabulary import OUT_OF_WORK_BENEFITS

    def inside(day: date | None) -> bool:
        return day is not None and day.isoformat()[:7] == period

    out: dict[str, dict[str, int]] = {}
    for p in sorted(records, key=lambda r: r.practice):
        if p.referral_date.isoformat()[:7] > period:
            continue
        cells = out.setdefault(p.practice, dict.fromkeys(CATALOGUE, 0))

        def bump(measure: str, cells: dict[str, int] = cells) -> None:
            cells[measure] += 1

        if inside(p.referral_date):
            bump("referrals_received")
            bump(f"referrals_by_source.{p.referral_source.value}")
            for b in set(p.benefits_at_referral):
                bump(f"new_by_benefit.{b.value}")
            for c in set(p.conditions):
                bump(f"new_by_condition.{c.value}")
            if p.employment_status is not None:
                bump(f"new_by_employment_status.{p.employment_status.value}")
            band = age_band(p.date_of_birth, p.referral_date)
            if band is not None:
                bump(f"new_by_age_band.{band.value}")
        attended = sorted(s.start for s in p.sessions if s.attendance == Attendance.ATTENDED)
        if attended and inside(attended[0].date()):
            bump("first_appointments")
        for s in p.sessions:
            if inside(s.start.date()):
                if s.attendance == Attendance.ATTENDED:
                    bump("sessions_attended")
                elif s.attendance == Attendance.DNA:
                    bump("sessions_dna")
                elif s.attendance in (Attendance.CANCELLED_BY_COACH, Attendance.CANCELLED_BY_PARTICIPANT):
                    bump("sessions_cancelled")
        if p.closed is None or p.closed.date.isoformat()[:7] > period:
            bump("active_caseload_end")
        if p.skills_inventory is not None and inside(p.skills_inventory.completed_on):
            bump("skills_inventories_completed")
        for g in p.goals:
            if inside(g.created):
                bump("goals_set")
            if g.status == GoalStatus.ACHIEVED and inside(g.closed_on):
                bump("goals_achieved")
        for d in p.action_plans_issued:
            if inside(d):
                bump("action_plans_issued")
        for c in p.employer_contacts:
            if inside(c.date):
                bump("employer_contacts")
        if p.employer_contacts:
            first = min(c.date for c in p.employer_contacts)
            if inside(first):
                days = (first - p.referral_date).days
                band_name = "within_30_days" if days <= 30 else "days_31_60" if days <= 60 else "over_60_days"
                bump(f"first_employer_contact.{band_name}")
        names = {
            OutcomeType.JOB_START: "job_starts",
            OutcomeType.SELF_EMPLOYMENT: "self_employment_starts",
            OutcomeType.EDUCATION_START: "education_starts",
            OutcomeType.VOLUNTEERING_START: "volunteering_starts",
            OutcomeType.JOB_RETAINED: "jobs_retained",
            OutcomeType.SUSTAINED_13_WEEKS: "sustained_13_weeks",
            OutcomeType.SUSTAINED_26_WEEKS: "sustained_26_weeks",
        }
        for o in p.outcomes:
            if not inside(o.date) or o.type not in names:
                continue
            bump(names[o.type])
            if o.type == OutcomeType.JOB_START:
                if o.hours_per_week is not None:
                    bump("job_starts_16h_plus" if o.hours_per_week >= 16 else "job_starts_under_16h")
                rate = living_wage_on(rates, o.date)
                if o.hourly_pay_pence is not None and rate is not None and o.hourly_pay_pence >= rate:
                    bump("job_starts_paid_llw")
        starts = [o.date for o in p.outcomes if o.type == OutcomeType.JOB_START]
        if starts and inside(min(starts)):
            bump("first_job_starts")
        held = bool(OUT_OF_WORK_BENEFITS & set(p.benefits_at_referral))
        if held:
            before = True
            for change in sorted(p.benefit_changes, key=lambda c: c.date):  # stable: keeps list order
                now = bool(OUT_OF_WORK_BENEFITS & set(change.benefits))
                if before and not now and inside(change.date):
                    bump("left_out_of_work_benefits")
                    break
                before = now
        if p.closed is not None and inside(p.closed.date):
            bump(f"closures.{p.closed.reason.value}")
    return out


def test_sql_agrees_with_plain_python_on_the_demo_caseload(vault: Vault) -> None:
    from coachdesk.services import demo

    records = list(demo.generate(400, 2015, ["P01", "P02", "P03"], date(2016, 6, 30)))
    with vault.transaction() as conn:
        for record in records:
            participants.save(conn, record)
    rates = [(date(2015, 11, 2), 940), (date(2016, 4, 1), 975)]
    months = sorted({p.referral_date.isoformat()[:7] for p in records})
    assert len(months) > 6
    for period in [*months, "2016-07"]:
        assert count_measures(vault.conn, period, rates) == reference(records, period, rates), period
