"""The records a coach keeps, as plain dataclasses shaped like the caseload file (formats.md §1).

Field rules ride on `Annotated` so that every reader of these records (caseload file, forms,
tests) applies them through the same decoder. Child records without an identity of their own in the
file (steps, contacts, outcomes) are owned by their parent and saved with it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from coachdesk.domain import rules
from coachdesk.domain.vocabulary import (
    Attendance,
    Benefit,
    ClosureReason,
    ConditionCategory,
    ContactKind,
    EmploymentStatus,
    GoalCategory,
    GoalStatus,
    OutcomeType,
    QualificationLevel,
    ReferralSource,
    SessionType,
    Sex,
    StepOwner,
)

Name = Annotated[str, rules.NAME_LENGTH]
RequiredName = Annotated[str, rules.NON_BLANK, rules.NAME_LENGTH]
Text = Annotated[str, rules.TEXT_LENGTH]
Month = Annotated[str, rules.MONTH]


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(kw_only=True)
class Consent:
    service: date | None = None
    share_with_gp: bool = False
    contact_employers: bool = False


@dataclass(kw_only=True)
class BenefitChange:
    date: date
    benefits: list[Benefit] = field(default_factory=list)


@dataclass(kw_only=True)
class Session:
    id: str = field(default_factory=new_id)
    start: datetime
    minutes: Annotated[int, rules.SESSION_MINUTES] | None = None
    type: SessionType
    attendance: Attendance = Attendance.BOOKED
    notes: Text = ""


@dataclass(kw_only=True)
class WorkHistoryEntry:
    employer: Name = ""
    role: Name = ""
    start: Month | None = None
    end: Month | None = None
    reason_left: Name = ""


@dataclass(kw_only=True)
class Qualification:
    title: RequiredName
    level: QualificationLevel = QualificationLevel.NONE
    year: Annotated[int, rules.YEAR] | None = None


@dataclass(kw_only=True)
class Skill:
    name: RequiredName
    confidence: Annotated[int, rules.CONFIDENCE]


@dataclass(kw_only=True)
class Preferences:
    job_types: list[Name] = field(default_factory=list)
    min_hours: Annotated[int, rules.HOURS_PER_WEEK] | None = None
    max_hours: Annotated[int, rules.HOURS_PER_WEEK] | None = None
    max_travel_minutes: Annotated[int, rules.SESSION_MINUTES] | None = None


@dataclass(kw_only=True)
class SkillsInventory:
    completed_on: date
    work_history: list[WorkHistoryEntry] = field(default_factory=list)
    qualifications: list[Qualification] = field(default_factory=list)
    skills: list[Skill] = field(default_factory=list)
    preferences: Preferences = field(default_factory=Preferences)
    barriers: list[Name] = field(default_factory=list)


@dataclass(kw_only=True)
class GoalStep:
    text: RequiredName
    owner: StepOwner = StepOwner.PARTICIPANT
    due: date | None = None
    done: bool = False


@dataclass(kw_only=True)
class Goal:
    id: str = field(default_factory=new_id)
    title: RequiredName
    category: GoalCategory = GoalCategory.WORK
    created: date
    target_date: date | None = None
    status: GoalStatus = GoalStatus.OPEN
    closed_on: date | None = None
    steps: list[GoalStep] = field(default_factory=list)


@dataclass(kw_only=True)
class EmployerContact:
    date: date
    employer: Name = ""
    kind: ContactKind = ContactKind.CONTACT
    notes: Text = ""


@dataclass(kw_only=True)
class Outcome:
    type: OutcomeType
    date: date
    employer: Name = ""
    hours_per_week: Annotated[int, rules.HOURS_PER_WEEK] | None = None
    hourly_pay_pence: Annotated[int, rules.PAY_PENCE] | None = None


@dataclass(kw_only=True)
class Closure:
    date: date
    reason: ClosureReason


@dataclass(kw_only=True)
class Participant:
    id: str = field(default_factory=new_id)
    given_name: RequiredName
    family_name: RequiredName
    preferred_name: Name = ""
    date_of_birth: date
    sex: Sex | None = None
    nhs_number: Annotated[str, rules.NHS_NUMBER] | None = None
    phone: Name = ""
    email: Name = ""
    postcode: Name = ""
    practice: RequiredName
    referral_date: date
    referral_source: ReferralSource
    consent: Consent = field(default_factory=Consent)
    employment_status: EmploymentStatus | None = None
    benefits_at_referral: list[Benefit] = field(default_factory=list)
    benefit_changes: list[BenefitChange] = field(default_factory=list)
    conditions: list[ConditionCategory] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    skills_inventory: SkillsInventory | None = None
    goals: list[Goal] = field(default_factory=list)
    employer_contacts: list[EmployerContact] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    action_plans_issued: list[date] = field(default_factory=list)
    closed: Closure | None = None

    @property
    def display_name(self) -> str:
        """The name a coach calls the participant by."""
        return f"{self.preferred_name or self.given_name} {self.family_name}"

    @property
    def is_open(self) -> bool:
        return self.closed is None


@dataclass(frozen=True, kw_only=True)
class ParticipantSummary:
    """One caseload row: enough to list and find a participant without loading the record."""

    id: str
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date
    nhs_number: str | None
    practice: str
    referral_date: date
    closed_on: date | None

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}"
