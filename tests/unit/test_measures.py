"""The monthly measures (formats.md §3) against a hand-built caseload, expected counts written out
by hand for every measure family."""

from __future__ import annotations

from datetime import date

import pytest
from testkit import POLICY, save, session

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.measures import CATALOGUE, CATALOGUE_VERSION, EXCLUSIVE_SPLITS, GROUPS, group_of
from coachdesk.domain.model import (
    BenefitChange,
    Closure,
    EmployerContact,
    Goal,
    Outcome,
    Participant,
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
)
from coachdesk.storage.measures import activity_span, count_measures, count_measures_by_month
from coachdesk.storage.vault import Vault
from coachdesk.sync.measures import compute, compute_months

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
    save(vault, *records)
    # A second inventory later on keeps the first as history.
    b = records[1]
    b.skills_inventory = SkillsInventory(completed_on=date(2015, 12, 1))
    save(vault, b)
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
    save(vault, *records)
    rates = [(date(2015, 11, 2), 940), (date(2016, 4, 1), 975)]
    months = sorted({p.referral_date.isoformat()[:7] for p in records})
    assert len(months) > 6
    for period in [*months, "2016-07"]:
        assert count_measures(vault.conn, period, rates) == reference(records, period, rates), period


# -- many months at once ------------------------------------------------------------------------
def months_from(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    months: list[str] = []
    while (current := f"{year:04d}-{month:02d}") <= last:
        months.append(current)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def test_by_month_agrees_with_each_month_and_plain_python_on_the_demo_caseload(vault: Vault) -> None:
    from coachdesk.services import demo

    records = list(demo.generate(400, 2015, ["P01", "P02", "P03"], date(2016, 6, 30)))
    save(vault, *records)
    rates = [(date(2015, 11, 2), 940), (date(2016, 4, 1), 975)]
    span = activity_span(vault.conn)
    assert span is not None
    assert span[0] == min(p.referral_date for p in records).isoformat()[:7]
    # From two months before the first referral to months after the last activity (booked sessions
    # lie ahead of the demo's today, and count in nothing).
    periods = months_from("2014-11", "2016-09")
    assert periods[0] < span[0] and span[1] < periods[-1]
    by_month = count_measures_by_month(vault.conn, periods, rates)
    assert list(by_month) == periods
    assert by_month["2014-11"] == by_month["2014-12"] == {}
    for period in periods:
        assert by_month[period] == count_measures(vault.conn, period, rates), period
        assert by_month[period] == reference(records, period, rates), period
    # Any months, in any order: the same counts for each, in the order asked, once each.
    some = ["2016-02", "2015-03", "2016-09", "2015-03", "2014-12"]
    assert count_measures_by_month(vault.conn, some, rates) == {p: by_month[p] for p in dict.fromkeys(some)}


def test_by_month_with_no_months_or_no_participants(vault: Vault) -> None:
    assert count_measures_by_month(vault.conn, [], []) == {}
    assert count_measures_by_month(vault.conn, ["2016-01", "2016-02"], []) == {"2016-01": {}, "2016-02": {}}
    assert activity_span(vault.conn) is None


@pytest.mark.parametrize("period", ["2016-13", "2016-1", "", "2016-01-01"])
def test_by_month_refuses_a_period_that_is_not_a_month(vault: Vault, period: str) -> None:
    with pytest.raises(ValidationError) as caught:
        count_measures_by_month(vault.conn, ["2016-01", period], [])
    assert caught.value.path == "period"
    with pytest.raises(ValidationError) as caught:
        compute_months(vault, ["2016-01", period])
    assert caught.value.path == "period"


def boundaries() -> list[Participant]:
    """Events on the edges of months: the last minute of a month, the first day of the next, first
    employer contacts 30/31 and 60/61 days after referral across month ends (2016 is a leap year),
    a closure on the last day of a month, out-of-work benefits left twice in a month."""
    d = date.fromisoformat
    return [
        person(  # referred on the last day of January
            "P01",
            d("2016-01-31"),
            d("1980-01-01"),
            sessions=[
                session("2016-01-31T23:59", Attendance.ATTENDED),  # January's, and the first
                session("2016-02-01T00:00", Attendance.ATTENDED),
                session("2016-02-29T23:59", Attendance.DNA),
                session("2016-03-01T00:00", Attendance.CANCELLED_BY_PARTICIPANT),
            ],
            employer_contacts=[
                EmployerContact(date=d("2016-03-01"), employer="Acme"),  # 30 days: within_30_days
                EmployerContact(date=d("2016-03-01"), employer="Bolt"),  # the same day: still one participant
            ],
            outcomes=[Outcome(type=OutcomeType.JOB_START, date=d("2016-03-01"), hours_per_week=16)],
            closed=Closure(date=d("2016-03-31"), reason=ClosureReason.SUSTAINED_EMPLOYMENT),  # last day of March
        ),
        person(
            "P01",
            d("2016-01-31"),
            d("1980-01-01"),
            employer_contacts=[EmployerContact(date=d("2016-03-02"), employer="Acme")],  # 31 days
            closed=Closure(date=d("2016-04-01"), reason=ClosureReason.OTHER),  # first day of April
        ),
        person(
            "P02",
            d("2016-02-29"),
            d("1980-01-01"),
            benefits_at_referral=[Benefit.JSA, Benefit.JSA],  # listed twice: counts once
            benefit_changes=[
                BenefitChange(date=d("2016-03-05"), benefits=[]),  # leaves in March
                BenefitChange(date=d("2016-03-20"), benefits=[Benefit.JSA]),
                BenefitChange(date=d("2016-03-31"), benefits=[Benefit.NONE]),  # leaves again: March once
                BenefitChange(date=d("2016-04-01"), benefits=[Benefit.JSA]),
                BenefitChange(date=d("2016-04-30"), benefits=[]),  # and in April
            ],
            employer_contacts=[
                EmployerContact(date=d("2016-04-30"), employer="Acme"),  # 61 days: over_60_days
                EmployerContact(date=d("2016-04-29"), employer="Acme"),  # 60 days, listed second
            ],
            sessions=[session("2016-03-31T23:59", Attendance.ATTENDED)],
        ),
    ]


def test_month_boundaries(vault: Vault) -> None:
    records = boundaries()
    save(vault, *records)
    rates: list[tuple[date, int]] = []
    periods = months_from("2015-12", "2016-05")
    result = count_measures_by_month(vault.conn, periods, rates)
    for period in periods:
        assert result[period] == count_measures(vault.conn, period, rates) == reference(records, period, rates)

    assert result["2015-12"] == {}
    january, february, march, april = (result[m]["P01"] for m in ("2016-01", "2016-02", "2016-03", "2016-04"))
    assert "P02" not in result["2016-01"]  # P02's only participant is referred on 29 February
    assert january["referrals_received"] == 2
    assert january["sessions_attended"] == 1
    assert january["first_appointments"] == 1
    assert january["active_caseload_end"] == 2
    assert february["sessions_attended"] == 1
    assert february["sessions_dna"] == 1
    assert february["first_appointments"] == 0
    assert march["sessions_cancelled"] == 1
    assert march["employer_contacts"] == 3
    assert march["first_employer_contact.within_30_days"] == 1
    assert march["first_employer_contact.days_31_60"] == 1
    assert march["job_starts_16h_plus"] == 1
    assert march["first_job_starts"] == 1
    # Closed on 31 March: counted closed in March and out of March's caseload.
    assert march["closures.sustained_employment"] == 1
    assert march["active_caseload_end"] == 1
    # Closed on 1 April: still in March's caseload, out of April's.
    assert april["closures.other"] == 1
    assert march["closures.other"] == 0
    assert april["active_caseload_end"] == 0
    assert result["2016-05"]["P01"] == expected({})

    p02 = {m: result[m]["P02"] for m in ("2016-02", "2016-03", "2016-04")}
    assert p02["2016-02"]["referrals_received"] == 1
    assert p02["2016-02"]["new_by_benefit.jsa"] == 1
    assert p02["2016-03"]["left_out_of_work_benefits"] == 1
    assert p02["2016-04"]["left_out_of_work_benefits"] == 1
    assert p02["2016-03"]["first_appointments"] == 1  # 23:59 on the last day of March
    assert p02["2016-04"]["employer_contacts"] == 2
    assert p02["2016-04"]["first_employer_contact.days_31_60"] == 1  # the 60-day one is the first
    assert p02["2016-04"]["first_employer_contact.over_60_days"] == 0
    assert p02["2016-04"]["active_caseload_end"] == 1


def test_compute_months_is_compute_for_each_month(loaded: Vault) -> None:
    periods = ["2015-08", "2015-09", "2015-10", "2015-11", "2015-12", "2016-01"]
    months = compute_months(loaded, periods)
    assert months == {period: compute(loaded, period) for period in periods}
    assert months["2015-11"]["P01"] == expected(P01_NOVEMBER)
    with pytest.raises(ValidationError):
        compute_months(loaded, "2015-11")  # one month is not a list of months


def test_activity_span(loaded: Vault) -> None:
    # From dd's referral in September to the latest counted events in December (a's attended
    # session and employer contact, c's benefit change, dd's closure, P03's referral).
    assert activity_span(loaded.conn) == ("2015-09", "2015-12")


def test_activity_span_ends_at_what_counts(vault: Vault) -> None:
    d = date.fromisoformat
    record = person(
        "P01",
        d("2016-01-10"),
        d("1980-01-01"),
        sessions=[session("2016-03-01T10:00", Attendance.BOOKED)],  # ahead, and counted nowhere
        outcomes=[Outcome(type=OutcomeType.JOB_END, date=d("2016-04-01"))],  # not a measure
        goals=[Goal(title="Swim", created=d("2016-01-10"), status=GoalStatus.DROPPED, closed_on=d("2016-05-01"))],
    )
    save(vault, record)
    assert activity_span(vault.conn) == ("2016-01", "2016-01")
    record.sessions.append(session("2016-02-03T10:00", Attendance.DNA))
    record.employer_contacts.append(EmployerContact(date=d("2016-02-20"), employer="Acme"))
    save(vault, record)
    assert activity_span(vault.conn) == ("2016-01", "2016-02")
    record.goals.append(
        Goal(title="Work", created=d("2016-01-10"), status=GoalStatus.ACHIEVED, closed_on=d("2016-06-30"))
    )
    save(vault, record)
    assert activity_span(vault.conn) == ("2016-01", "2016-06")
