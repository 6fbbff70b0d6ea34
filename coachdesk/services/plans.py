"""The action plan a participant takes home: built from the record, then printed (coachdesk.printing).

`ActionPlan` holds only what may be printed, already in plain words: the name the participant is
called by, their open goals, the open steps of those goals, strengths, the next booked appointment
and whom to contact. It never carries health conditions, benefits, session notes, the NHS number,
the date of birth or the family name, so no later change to the layout can print them by mistake."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from coachdesk.domain.model import Participant, Session, SkillsInventory
from coachdesk.domain.vocabulary import Attendance, GoalStatus, SessionType, StepOwner
from coachdesk.printing import fonts
from coachdesk.services import caseload, coach_profile
from coachdesk.services.coach_profile import CoachContact
from coachdesk.storage.vault import Vault

STRENGTH_CONFIDENCE = 4  # skills the participant rated 4 or 5 out of 5

WHO = {StepOwner.PARTICIPANT: "You", StepOwner.COACH: "Your coach", StepOwner.OTHER: "Someone else"}


@dataclass(frozen=True)
class PlanGoal:
    title: str
    target_date: date | None = None


@dataclass(frozen=True)
class PlanStep:
    what: str
    who: str  # "You", "Your coach" or "Someone else"
    by_when: date | None = None


@dataclass(frozen=True)
class Appointment:
    start: datetime
    practice: str  # the practice's name, as the policy spells it
    kind: str = "in_person"  # "in_person", "telephone" or "video"
    minutes: int | None = None


@dataclass(frozen=True)
class Contact:
    coach_name: str = ""
    phone: str = ""
    email: str = ""
    programme: str = ""
    practice: str = ""


@dataclass(frozen=True)
class ActionPlan:
    name: str  # the preferred name, or the given name: never the family name
    issued: date
    goals: tuple[PlanGoal, ...] = ()
    steps: tuple[PlanStep, ...] = ()
    skills: tuple[str, ...] = ()  # skills rated 4 or 5 out of 5
    job_types: tuple[str, ...] = ()  # the kinds of work they would like
    hours: tuple[int | None, int | None] = (None, None)  # hours a week they would like (min, max)
    appointment: Appointment | None = None
    contact: Contact = field(default_factory=Contact)
    large_print: bool = False
    unsupported: frozenset[str] = frozenset()  # characters the font cannot draw: tell the coach


def plan_texts(plan: ActionPlan) -> list[str]:
    """Every piece of text from the record that the printed plan shows."""
    texts = [plan.name, *(g.title for g in plan.goals), *(s.what for s in plan.steps), *plan.skills, *plan.job_types]
    c = plan.contact
    texts += [c.coach_name, c.phone, c.email, c.programme, c.practice]
    if plan.appointment:
        texts.append(plan.appointment.practice)
    return [t for t in texts if t]


def unsupported_characters(plan: ActionPlan) -> set[str]:
    """Characters of the plan the printed font cannot draw (show them to the coach before printing)."""
    return fonts.unsupported_characters("\n".join(plan_texts(plan)))


def programme_display_name(programme: str) -> str:
    """The policy names the programme with a code ("islington-working-better"); print words."""
    if " " in programme or programme != programme.lower():
        return programme
    return " ".join(word.capitalize() for word in programme.replace("_", "-").split("-") if word)


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def next_appointment(sessions: list[Session], now: datetime) -> Session | None:
    """The earliest session still booked that starts after `now`."""
    booked = [s for s in sessions if s.attendance is Attendance.BOOKED and s.start > now]
    return min(booked, key=lambda s: s.start, default=None)


def _kind(session: Session) -> str:
    if session.type is SessionType.TELEPHONE:
        return "telephone"
    if session.type is SessionType.VIDEO:
        return "video"
    return "in_person"


Hours = tuple[int | None, int | None]


def _strengths(inventory: SkillsInventory | None) -> tuple[tuple[str, ...], tuple[str, ...], Hours]:
    if inventory is None:
        return (), (), (None, None)
    skills = tuple(_clean(s.name) for s in inventory.skills if s.confidence >= STRENGTH_CONFIDENCE)
    prefs = inventory.preferences
    return skills, tuple(_clean(j) for j in prefs.job_types if j.strip()), (prefs.min_hours, prefs.max_hours)


def plan_for(
    p: Participant,
    practice_name: str,
    programme: str,
    today: date,
    now: datetime,
    *,
    contact: CoachContact | None = None,
    large_print: bool = False,
) -> ActionPlan:
    """The plan of one record (no vault needed: the preview and tests use this directly)."""
    contact = contact or CoachContact()
    open_goals = [g for g in p.goals if g.status is GoalStatus.OPEN]
    goals = tuple(PlanGoal(_clean(g.title), g.target_date) for g in open_goals)
    steps = [PlanStep(_clean(s.text), WHO[s.owner], s.due) for g in open_goals for s in g.steps if not s.done]
    steps.sort(key=lambda s: (s.by_when is None, s.by_when or date.min))  # stable: goal order within a day
    skills, job_types, hours = _strengths(p.skills_inventory)
    session = next_appointment(p.sessions, now)
    appointment = (
        Appointment(start=session.start, practice=practice_name, kind=_kind(session), minutes=session.minutes)
        if session
        else None
    )
    plan = ActionPlan(
        name=_clean(p.preferred_name or p.given_name),
        issued=today,
        goals=goals,
        steps=tuple(steps),
        skills=skills,
        job_types=job_types,
        hours=hours,
        appointment=appointment,
        contact=Contact(
            coach_name=_clean(contact.name),
            phone=_clean(contact.phone),
            email=contact.email.strip(),
            programme=_clean(contact.programme) or programme_display_name(programme),
            practice=practice_name,
        ),
        large_print=large_print,
    )
    return replace(plan, unsupported=frozenset(unsupported_characters(plan)))


def build_plan(
    vault: Vault,
    participant_id: str,
    today: date,
    now: datetime,
    contact: CoachContact | None = None,
    *,
    large_print: bool = False,
) -> ActionPlan:
    """The action plan of a participant in the vault (raises NotFoundError for an unknown id)."""
    p = caseload.load(vault, participant_id)
    policy = vault.policy
    if contact is None:
        contact = coach_profile.load(vault)
    return plan_for(
        p, policy.practice_name(p.practice), policy.programme, today, now, contact=contact, large_print=large_print
    )


def record_issued(vault: Vault, participant_id: str, day: date) -> bool:
    """Note that the participant was given a plan on `day` (once a day). True when it was added."""
    p = caseload.load(vault, participant_id)
    if day in p.action_plans_issued:
        return False
    p.action_plans_issued = sorted([*p.action_plans_issued, day])
    caseload.save_record(vault, p, day)
    return True
