"""The action plan service: what a plan is built from, and the issued date (no PDF here)."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date, datetime, timedelta

import pytest
from testkit import save

from coachdesk.domain.errors import NotFoundError
from coachdesk.domain.model import (
    Goal,
    GoalStep,
    Participant,
    Preferences,
    Session,
    Skill,
    SkillsInventory,
)
from coachdesk.domain.vocabulary import (
    Attendance,
    Benefit,
    ConditionCategory,
    GoalStatus,
    ReferralSource,
    SessionType,
    StepOwner,
)
from coachdesk.services import caseload, plans
from coachdesk.storage import audit
from coachdesk.storage.vault import Vault

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0)


def make_participant(**changes: object) -> Participant:
    """A participant with a bit of everything: open, achieved and dropped goals, a skills inventory,
    and sessions before and after NOW in every attendance."""
    p = Participant(
        given_name="Margaret",
        preferred_name="Peggy",
        family_name="Oyelaran",
        date_of_birth=date(1979, 4, 17),
        nhs_number="9434765919",
        phone="07700 900111",
        email="peggy@example.org",
        postcode="N1 9AA",
        practice="P01",
        referral_date=date(2026, 6, 1),
        referral_source=ReferralSource.GP,
        benefits_at_referral=[Benefit.ESA_WRAG],
        conditions=[ConditionCategory.MENTAL_HEALTH],
        sessions=[
            Session(
                start=datetime(2026, 11, 16, 10, 0),
                type=SessionType.REVIEW,
                attendance=Attendance.ATTENDED,
                notes="Talked about the interview.",
            ),
            Session(start=NOW - timedelta(hours=1), type=SessionType.REVIEW),  # booked, but already past
            Session(start=datetime(2026, 11, 24, 9, 0), type=SessionType.REVIEW, attendance=Attendance.DNA),
            Session(
                start=datetime(2026, 11, 25, 9, 0), type=SessionType.REVIEW, attendance=Attendance.CANCELLED_BY_COACH
            ),
            Session(start=datetime(2026, 12, 14, 14, 0), type=SessionType.JOB_SEARCH),
            Session(start=datetime(2026, 12, 7, 10, 30), minutes=45, type=SessionType.REVIEW),  # the next one
        ],
        skills_inventory=SkillsInventory(
            completed_on=date(2026, 6, 8),
            skills=[
                Skill(name="Customer service", confidence=5),
                Skill(name="Excel", confidence=4),
                Skill(name="Driving", confidence=3),
            ],
            preferences=Preferences(job_types=["retail", "office reception"], min_hours=16, max_hours=24),
            barriers=["confidence"],
        ),
        goals=[
            Goal(
                title="Find a part-time job in retail",
                created=date(2026, 6, 8),
                target_date=date(2027, 1, 31),
                steps=[
                    GoalStep(text="Update the CV", owner=StepOwner.COACH, due=date(2026, 12, 4)),
                    GoalStep(text="Old step already done", due=date(2026, 11, 1), done=True),
                    GoalStep(text="Apply for three retail jobs", due=date(2026, 12, 1)),
                ],
            ),
            Goal(
                title="Get a Food Hygiene certificate",
                created=date(2026, 6, 8),
                status=GoalStatus.ACHIEVED,
                closed_on=date(2026, 9, 1),
                steps=[GoalStep(text="Step of an achieved goal")],
            ),
            Goal(
                title="Dropped goal",
                created=date(2026, 6, 8),
                status=GoalStatus.DROPPED,
                closed_on=date(2026, 9, 1),
                steps=[GoalStep(text="Step of a dropped goal")],
            ),
            Goal(
                title="Sort out childcare",
                created=date(2026, 7, 1),
                steps=[
                    GoalStep(text="Nursery to confirm a place", owner=StepOwner.OTHER),
                    GoalStep(text="Visit the nursery", due=date(2026, 11, 30)),
                ],
            ),
        ],
    )
    for key, value in changes.items():
        setattr(p, key, value)
    return p


def test_build_plan_from_the_vault(vault: Vault) -> None:
    p = make_participant()
    other = make_participant(
        id="other",
        given_name="Ignatius",
        preferred_name="",
        family_name="Quarshie-Blenkinsop",
        goals=[],
        sessions=[Session(start=datetime(2026, 11, 30, 9, 0), type=SessionType.REVIEW)],
    )
    save(vault, p, other)
    contact = plans.CoachContact(name="Sam Okafor", phone="020 7946 0123", email="sam@example.org")

    plan = plans.build_plan(vault, p.id, TODAY, NOW, contact)

    assert plan.name == "Peggy"
    assert plan.issued == TODAY
    assert plan.goals == (
        plans.PlanGoal("Find a part-time job in retail", date(2027, 1, 31)),
        plans.PlanGoal("Sort out childcare", None),
    )
    # Open steps of open goals only, soonest first, steps without a date last.
    assert plan.steps == (
        plans.PlanStep("Visit the nursery", "You", date(2026, 11, 30)),
        plans.PlanStep("Apply for three retail jobs", "You", date(2026, 12, 1)),
        plans.PlanStep("Update the CV", "Your coach", date(2026, 12, 4)),
        plans.PlanStep("Nursery to confirm a place", "Someone else", None),
    )
    assert plan.skills == ("Customer service", "Excel")
    assert plan.job_types == ("retail", "office reception")
    assert plan.hours == (16, 24)
    # The earliest booked session after now: not the past one, not the DNA, not the cancelled one.
    assert plan.appointment == plans.Appointment(
        start=datetime(2026, 12, 7, 10, 30), practice="City Road Medical Centre", kind="in_person", minutes=45
    )
    assert plan.contact == plans.Contact(
        coach_name="Sam Okafor",
        phone="020 7946 0123",
        email="sam@example.org",
        programme="Test Programme",
        practice="City Road Medical Centre",
    )
    assert not plan.large_print
    assert plan.unsupported == frozenset()
    assert plans.build_plan(vault, p.id, TODAY, NOW, large_print=True).large_print


def test_plan_without_goals_inventory_or_appointment(vault: Vault) -> None:
    p = make_participant(preferred_name="", goals=[], skills_inventory=None, sessions=[])
    save(vault, p)
    plan = plans.build_plan(vault, p.id, TODAY, NOW)
    assert plan.name == "Margaret"
    assert (plan.goals, plan.steps, plan.skills, plan.job_types, plan.appointment) == ((), (), (), (), None)
    assert plan.hours == (None, None)
    assert plan.contact.coach_name == ""
    assert plan.contact.practice == "City Road Medical Centre"


def test_telephone_and_video_appointments() -> None:
    for session_type, kind in ((SessionType.TELEPHONE, "telephone"), (SessionType.VIDEO, "video")):
        p = make_participant(sessions=[Session(start=datetime(2026, 12, 1, 9, 0), type=session_type)])
        plan = plans.plan_for(p, "City Road Medical Centre", "x", TODAY, NOW)
        assert plan.appointment is not None
        assert plan.appointment.kind == kind


def test_the_plan_cannot_carry_private_fields() -> None:
    """No field of the plan, at any depth, could hold health, benefits, notes or identifiers."""
    forbidden = ("condition", "health", "benefit", "note", "nhs", "birth", "dob", "family", "postcode", "sex")
    for cls in (plans.ActionPlan, plans.PlanGoal, plans.PlanStep, plans.Appointment, plans.Contact):
        for f in dataclasses.fields(cls):
            assert not any(word in f.name.lower() for word in forbidden), f"{cls.__name__}.{f.name}"
    plan = plans.plan_for(make_participant(), "City Road Medical Centre", "x", TODAY, NOW)
    text = repr(plan)
    for secret in (
        "Oyelaran",
        "9434765919",
        "1979",
        "N1 9AA",
        "Talked about",
        "esa",
        "mental",
        "07700 900111",
        "peggy@example.org",
        "Margaret",
    ):
        assert secret not in text


def test_unknown_participant(vault: Vault) -> None:
    with pytest.raises(NotFoundError):
        plans.build_plan(vault, "no-such-id", TODAY, NOW)


def test_unsupported_characters_are_reported_before_printing() -> None:
    p = make_participant(
        preferred_name="小李",
        goals=[
            Goal(
                title="Find work 😀", created=date(2026, 6, 8), steps=[GoalStep(text="Visit the café – Łukasz’s idea")]
            )
        ],
    )
    plan = plans.plan_for(p, "City Road Medical Centre", "x", TODAY, NOW)
    assert plan.unsupported == {"小", "李", "😀"}
    assert plans.unsupported_characters(plan) == {"小", "李", "😀"}


def test_text_is_normalised_for_printing() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    p = make_participant(preferred_name=decomposed, goals=[Goal(title="  Find   a job\n", created=date(2026, 6, 8))])
    plan = plans.plan_for(p, "City Road Medical Centre", "x", TODAY, NOW)
    assert plan.name == "Nguyễn" == unicodedata.normalize("NFC", decomposed)
    assert plan.goals[0].title == "Find a job"
    assert plan.unsupported == frozenset()


def test_programme_display_name() -> None:
    assert plans.programme_display_name("islington-working-better") == "Islington Working Better"
    assert plans.programme_display_name("working_better") == "Working Better"
    assert plans.programme_display_name("Working Better") == "Working Better"
    plan = plans.plan_for(
        make_participant(),
        "City Road Medical Centre",
        "islington-working-better",
        TODAY,
        NOW,
        contact=plans.CoachContact(programme="Working Better in Islington"),
    )
    assert plan.contact.programme == "Working Better in Islington"


def test_record_issued_adds_the_day_once(vault: Vault) -> None:
    p = make_participant(action_plans_issued=[date(2026, 11, 2)])
    save(vault, p)
    before = len(audit.entries(vault.conn, p.id))

    assert plans.record_issued(vault, p.id, TODAY) is True
    assert plans.record_issued(vault, p.id, TODAY) is False
    assert caseload.load(vault, p.id).action_plans_issued == [date(2026, 11, 2), TODAY]
    entries = audit.entries(vault.conn, p.id)
    assert len(entries) == before + 1
    assert entries[0].action == "participant.updated"

    assert plans.record_issued(vault, p.id, TODAY + timedelta(days=7)) is True
    assert caseload.load(vault, p.id).action_plans_issued == [date(2026, 11, 2), TODAY, TODAY + timedelta(days=7)]


def test_record_issued_keeps_the_rest_of_the_record(vault: Vault) -> None:
    p = make_participant()
    save(vault, p)
    before = caseload.load(vault, p.id)
    plans.record_issued(vault, p.id, TODAY)
    after = caseload.load(vault, p.id)
    after.action_plans_issued = before.action_plans_issued
    assert after == before
