"""The demo participant's story after referral (demo.py makes the participant as referred): what
happens and when — a job, retention, volunteering or study, disengagement, closure — then the
records that follow from it: sessions with their notes, employment outcomes with pay against the
living wage, employer contacts, benefit changes, the skills inventory, goals with their steps, the
action plans issued and consent. It draws from the same `random.Random` as the participant, in
the same order, so the demo stays repeatable; `Weighted`, the weighted choice both modules draw
with, lives here too."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING, Generic, TypeVar

from coachdesk.domain.model import (
    BenefitChange,
    Closure,
    Consent,
    EmployerContact,
    Goal,
    GoalStep,
    Outcome,
    Participant,
    Preferences,
    Qualification,
    Session,
    Skill,
    SkillsInventory,
    WorkHistoryEntry,
)
from coachdesk.domain.rules import living_wage_on
from coachdesk.domain.vocabulary import (
    OUT_OF_WORK_BENEFITS,
    Attendance,
    Benefit,
    ClosureReason,
    ContactKind,
    EmploymentStatus,
    GoalCategory,
    GoalStatus,
    OutcomeType,
    QualificationLevel,
    SessionType,
    StepOwner,
)
from coachdesk.services import demo_words as words

if TYPE_CHECKING:
    from coachdesk.services.demo import _Builder

T = TypeVar("T")


class Weighted(Generic[T]):
    """A fixed weighted choice, one `random()` per pick."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = [v for v, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect(self.cum, rng.random() * self.total)]


# Months since the last job ended, by employment status at referral.
_MONTHS_OUT = {
    EmploymentStatus.UNEMPLOYED_LT_6M: (1, 5),
    EmploymentStatus.UNEMPLOYED_6_12M: (6, 11),
    EmploymentStatus.UNEMPLOYED_1_2Y: (12, 23),
    EmploymentStatus.UNEMPLOYED_2Y_PLUS: (24, 120),
}
_LATER_SESSION = Weighted(
    [(SessionType.REVIEW, 42), (SessionType.JOB_SEARCH, 33), (SessionType.TELEPHONE, 20), (SessionType.VIDEO, 5)]
)
# Employed but off sick: reviews and calls about returning, not vacancy searches.
_RETENTION_SESSION = Weighted([(SessionType.REVIEW, 65), (SessionType.TELEPHONE, 30), (SessionType.VIDEO, 5)])
_MINUTES = {
    SessionType.INITIAL_ASSESSMENT: (45, 60, 60, 75),
    SessionType.REVIEW: (30, 45, 45, 60),
    SessionType.JOB_SEARCH: (45, 60, 60, 90),
    SessionType.IN_WORK_SUPPORT: (30, 30, 45),
    SessionType.TELEPHONE: (10, 15, 20, 30),
    SessionType.VIDEO: (20, 30, 30),
}
_DNA_PROPENSITY = (0.05, 0.1, 0.14, 0.18, 0.22, 0.28, 0.36)
# Closures for other reasons: (reason, earliest and latest day after referral), weight.
_OTHER_CLOSURE = Weighted(
    [
        ((ClosureReason.WITHDREW, 14, 200), 33),
        ((ClosureReason.HEALTH, 20, 330), 25),
        ((ClosureReason.MOVED_AWAY, 30, 330), 12),
        ((ClosureReason.NOT_ELIGIBLE, 3, 30), 6),
        ((ClosureReason.REFERRED_ELSEWHERE, 14, 150), 12),
        ((ClosureReason.OTHER, 30, 330), 12),
    ]
)
_GOAL_CATEGORY = Weighted(
    [
        (GoalCategory.WORK, 40),
        (GoalCategory.CONFIDENCE, 15),
        (GoalCategory.HEALTH, 12),
        (GoalCategory.EDUCATION, 10),
        (GoalCategory.VOLUNTEERING, 8),
        (GoalCategory.FINANCE, 8),
        (GoalCategory.PRACTICAL, 7),
    ]
)
_CONTACT_KIND = Weighted([(ContactKind.CONTACT, 45), (ContactKind.APPLICATION, 38), (ContactKind.INTERVIEW, 17)])
_HOURS = (8, 10, 12, 15, 16, 16, 16, 20, 20, 20, 22, 24, 25, 25, 30, 30, 35, 37)


def _month(index: int) -> str:
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


class Case:
    """One participant's story from referral to today: plans first, then the records that follow."""

    def __init__(self, builder: _Builder, p: Participant) -> None:
        self.b = builder
        self.rng = builder.rng
        self.p = p
        self.today = builder.today
        self.ref = p.referral_date
        rng = self.rng
        self.seeking = p.employment_status is not EmploymentStatus.EMPLOYED_OFF_SICK
        self.job_types = rng.sample(words.JOB_TYPES, rng.choice((1, 1, 2, 2, 3)))
        self.barriers = rng.sample(words.BARRIERS, rng.choice((1, 2, 2, 3, 4)))
        self.skills = rng.sample(words.SKILLS, rng.randint(3, 8))
        self.pool = [builder.employer() for _ in range(rng.randint(4, 8))]
        self.own_employer = builder.employer()
        self.ctx = {
            "name": p.preferred_name or p.given_name,
            "job": self.job_types[0],
            "interest": rng.choice(words.INTERESTS),
            "barrier": self.barriers[0],
            "skill": self.skills[0],
            "hours": str(rng.choice(_HOURS)),
            "employer": self.pool[0],
            "n": "3",
        }
        self.dna_rate = rng.choice(_DNA_PROPENSITY)
        self.closure: Closure | None = None
        self.work_employer = self.pool[0]
        self.outcomes: list[Outcome] = []

    def days(self, low: int, high: int, after: date | None = None) -> date:
        return (after or self.ref) + timedelta(days=self.rng.randint(low, high))

    def build(self) -> None:
        rng, today, p = self.rng, self.today, self.p
        # Plans: what happens in this story, kept only when it happens on or before today.
        closure = None
        if rng.random() < 0.12:
            reason, low, high = _OTHER_CLOSURE.pick(rng)
            day = self.days(low, high)
            closure = Closure(date=day, reason=reason) if day <= today else None
        limit = closure.date if closure else today

        def happens(day: date | None) -> date | None:
            return day if day is not None and day <= today and day < limit else None

        job = job_end = retained = None
        disengage_after: int | None = None
        if self.seeking:
            r = rng.random()
            if r < 0.53:
                job = happens(self.ref + timedelta(days=28 + int(300 * rng.random() ** 1.4)))
            elif r < 0.58:
                self._outcome(OutcomeType.VOLUNTEERING_START, happens(self.days(21, 240)))
            elif r < 0.62:
                self._outcome(OutcomeType.EDUCATION_START, happens(self.days(30, 330)))
            elif r < 0.65:
                self._outcome(OutcomeType.SELF_EMPLOYMENT, happens(self.days(60, 330)))
            elif r < 0.76:
                disengage_after = rng.choice((0, 0, 1, 1, 2, 3, 4, 6))
        elif rng.random() < 0.62:
            retained = happens(self.days(21, 150))
        else:
            disengage_after = rng.choice((0, 1, 2, 4)) if rng.random() < 0.2 else None
        work_from = job or retained
        self.work_employer = self.own_employer if retained else rng.choice(self.pool)
        if job:
            job_end = happens(self.days(14, 260, job)) if rng.random() < 0.15 else None
            if rng.random() < 0.06:
                self._outcome(OutcomeType.VOLUNTEERING_START, self.days(7, max(7, (job - self.ref).days - 7)))
        if job and not job_end:  # sustained in work: many close after the 26-week outcome
            settled = job + timedelta(weeks=26)
            if settled <= today and settled < limit and rng.random() < 0.7:
                closure = Closure(date=min(today, self.days(0, 42, settled)), reason=ClosureReason.SUSTAINED_EMPLOYMENT)
        elif self.outcomes and self.outcomes[0].type is OutcomeType.EDUCATION_START and rng.random() < 0.4:
            day = self.days(28, 90, self.outcomes[0].date)
            if day <= limit:
                closure = Closure(date=day, reason=ClosureReason.OTHER)
        lost = self._sessions(closure.date if closure else None, work_from, job_end, disengage_after)
        if lost and (closure is None or lost < closure.date):
            closure = Closure(date=lost, reason=ClosureReason.LOST_CONTACT)
        p.closed = self.closure = closure
        attended = [s.start.date() for s in p.sessions if s.attendance is Attendance.ATTENDED]
        self._work_outcomes(job, job_end, retained)
        p.outcomes = sorted(self.outcomes, key=lambda o: o.date)
        p.employer_contacts = self._contacts(job, retained, attended)
        p.benefit_changes = self._benefit_changes(job, job_end)
        if attended:
            if rng.random() < 0.88:
                p.skills_inventory = self._inventory(attended[0])
            p.goals = self._goals(attended, job or retained)
            plans = {attended[0]} if rng.random() < 0.8 else set()
            plans.update(d for d in attended[1:] if rng.random() < 0.12)
            plans.update(g.created for g in p.goals[1:])
            p.action_plans_issued = sorted(plans)
        p.consent = Consent(
            service=self.ref,
            share_with_gp=rng.random() < 0.85,
            contact_employers=bool(p.employer_contacts) or rng.random() < 0.4,
        )

    def _outcome(
        self, kind: OutcomeType, day: date | None, employer: str = "", hours: int | None = None, pay: int | None = None
    ) -> None:
        if day is not None:
            self.outcomes.append(
                Outcome(type=kind, date=day, employer=employer, hours_per_week=hours, hourly_pay_pence=pay)
            )

    def _work_outcomes(self, job: date | None, job_end: date | None, retained: date | None) -> None:
        rng = self.rng
        limit = self.closure.date if self.closure else self.today
        if retained:
            self._outcome(OutcomeType.JOB_RETAINED, retained, employer=self.own_employer)
        if not job:
            return
        employer = self.work_employer
        llw = living_wage_on(list(self.b.living_wage), job) or self.b.living_wage[0][1]
        r = rng.random()
        factor = (
            rng.uniform(0.85, 0.99)
            if r < 0.25
            else 1.0
            if r < 0.5
            else rng.uniform(1.0, 1.08)
            if r < 0.75
            else rng.uniform(1.08, 1.5)
        )
        self._outcome(OutcomeType.JOB_START, job, employer, rng.choice(_HOURS), int(llw * factor / 5 + 0.5) * 5)
        for weeks, kind in ((13, OutcomeType.SUSTAINED_13_WEEKS), (26, OutcomeType.SUSTAINED_26_WEEKS)):
            day = job + timedelta(weeks=weeks)
            if day <= limit and (job_end is None or day < job_end):
                self._outcome(kind, day, employer=employer)
        if job_end:
            self._outcome(OutcomeType.JOB_END, job_end, employer=employer)

    def _sessions(
        self, stop: date | None, work_from: date | None, work_end: date | None, disengage_after: int | None
    ) -> date | None:
        """Sessions from the initial assessment to closure (or one booked ahead); a lost-contact date."""
        rng, today, p = self.rng, self.today, self.p
        horizon = self.b.horizon
        clinic = self.b.clinic_day[p.practice]
        day = self.ref + timedelta(days=(clinic - self.ref.weekday() - 1) % 7 + 1 + 7 * rng.choice((0, 0, 0, 1, 1, 2)))
        while day > horizon:
            day -= timedelta(days=7)
        last = stop if stop else horizon
        assessed, attended, misses, give_up = False, 0, 0, rng.choice((2, 3, 3))
        sessions = p.sessions
        while day <= last:
            in_work = work_from is not None and work_from <= day and (work_end is None or day < work_end)
            if not assessed:
                kind = SessionType.INITIAL_ASSESSMENT
            elif in_work:
                kind = SessionType.IN_WORK_SUPPORT if rng.random() < 0.65 else SessionType.TELEPHONE
            else:
                kind = (_LATER_SESSION if self.seeking else _RETENTION_SESSION).pick(rng)
            if day >= today:
                if stop is None:
                    sessions.append(self._session(day, kind, Attendance.BOOKED, in_work))
                break
            if disengage_after is not None and attended >= disengage_after:
                attendance = Attendance.DNA if rng.random() < 0.85 else Attendance.CANCELLED_BY_PARTICIPANT
                misses += 1
            else:
                attendance = self._attendance()
            sessions.append(self._session(day, kind, attendance, in_work))
            if misses >= give_up:
                lost = self.days(14, 35, day)
                return lost if lost <= today else None
            if attendance is Attendance.ATTENDED:
                attended += 1
                assessed = True
                day += timedelta(days=rng.choice((14, 21, 21)) if in_work else rng.choice((7, 14, 14, 14, 21)))
            else:
                day += timedelta(days=7)
        return None

    def _attendance(self) -> Attendance:
        r = self.rng.random()
        if r < self.dna_rate:
            return Attendance.DNA
        if r < self.dna_rate + 0.035:
            return Attendance.CANCELLED_BY_PARTICIPANT
        if r < self.dna_rate + 0.05:
            return Attendance.CANCELLED_BY_COACH
        return Attendance.ATTENDED

    def _session(self, day: date, kind: SessionType, attendance: Attendance, in_work: bool) -> Session:
        rng = self.rng
        slot = rng.randrange(15)
        start = datetime(day.year, day.month, day.day, 9 + slot // 2, 30 * (slot % 2))
        notes = ""
        if attendance is Attendance.ATTENDED:
            notes = self._note(kind, in_work)
        elif attendance is Attendance.DNA and rng.random() < 0.5:
            notes = rng.choice(words.DNA_NOTES)
        elif attendance is not Attendance.BOOKED and attendance is not Attendance.DNA and rng.random() < 0.6:
            notes = rng.choice(words.CANCEL_NOTES).format(**self.ctx)
        return Session(
            id=self.b.uid(),
            start=start,
            minutes=rng.choice(_MINUTES[kind]),
            type=kind,
            attendance=attendance,
            notes=notes,
        )

    def _note(self, kind: SessionType, in_work: bool) -> str:
        rng, ctx = self.rng, self.ctx
        openings, middles, closings = words.NOTES[kind.value]
        if in_work:  # a call or review with someone in work is about the work
            middles = words.NOTES[SessionType.IN_WORK_SUPPORT.value][1]
        ctx["n"] = str(rng.randint(2, 5))
        ctx["job"] = rng.choice(self.job_types)
        ctx["employer"] = self.work_employer if in_work else rng.choice(self.pool)
        parts = [rng.choice(openings), *rng.sample(middles, rng.randint(2, 3)), rng.choice(closings)]
        return " ".join(parts).format(**ctx)

    def _contacts(self, job: date | None, retained: date | None, attended: list[date]) -> list[EmployerContact]:
        rng, ctx = self.rng, self.ctx
        stop = min(job or self.today, self.closure.date if self.closure else self.today)
        if attended and not job:  # job search winds down when the participant stops coming
            stop = min(stop, attended[-1] + timedelta(days=14))
        if not self.seeking:
            if retained and rng.random() < 0.5:
                day = self.days(7, max(7, (retained - self.ref).days))
                return [
                    EmployerContact(
                        date=day,
                        employer=self.own_employer,
                        kind=ContactKind.CONTACT,
                        notes=rng.choice(words.RETENTION_NOTES).format(**ctx),
                    )
                ]
            return []
        if not attended or rng.random() > (0.85 if job else 0.5):
            return []
        contacts: list[EmployerContact] = []
        day = self.days(3, 30) if rng.random() < 0.6 else self.days(31, 120)
        applied: list[str] = []
        while day <= stop and len(contacts) < 12:
            kind = _CONTACT_KIND.pick(rng)
            employer = rng.choice(applied) if kind is ContactKind.INTERVIEW and applied else rng.choice(self.pool)
            if kind is ContactKind.APPLICATION:
                applied.append(employer)
            contacts.append(self._contact(day, employer, kind))
            day += timedelta(days=rng.randint(4, 30))
        if job:
            employer = self.work_employer
            offer = max(self.ref, job - timedelta(days=rng.randint(3, 14)))
            interview = offer - timedelta(days=rng.randint(2, 10))
            contacts = [c for c in contacts if c.date < offer]
            if interview >= self.ref:
                contacts.append(self._contact(interview, employer, ContactKind.INTERVIEW))
            contacts.append(self._contact(offer, employer, ContactKind.OFFER))
        return sorted(contacts, key=lambda c: c.date)

    def _contact(self, day: date, employer: str, kind: ContactKind) -> EmployerContact:
        self.ctx["job"] = self.rng.choice(self.job_types)
        note = self.rng.choice(words.CONTACT_NOTES[kind.value]).format(**self.ctx)
        return EmployerContact(date=day, employer=employer, kind=kind, notes=note)

    def _benefit_changes(self, job: date | None, job_end: date | None) -> list[BenefitChange]:
        rng, p = self.rng, self.p
        limit = self.closure.date if self.closure else self.today
        held = list(p.benefits_at_referral)
        changes: list[BenefitChange] = []

        def change(day: date, benefits: list[Benefit]) -> None:
            if day <= limit and benefits != held and (not changes or day > changes[-1].date):
                held[:] = benefits or [Benefit.NONE]
                changes.append(BenefitChange(date=day, benefits=list(held)))

        if Benefit.ESA_ASSESSMENT in held and rng.random() < 0.6:  # the work capability assessment decides
            r = rng.random()
            new = Benefit.ESA_WRAG if r < 0.6 else Benefit.ESA_SUPPORT if r < 0.85 else Benefit.JSA
            day = self.days(30, 160)
            if not job or day < job:
                change(day, [new if b is Benefit.ESA_ASSESSMENT else b for b in held])
        start = next((o for o in self.outcomes if o.type is OutcomeType.JOB_START), None)
        if job and start and (start.hours_per_week or 0) >= 16 and rng.random() < 0.75:
            if any(b in OUT_OF_WORK_BENEFITS for b in held):
                change(self.days(7, 42, job), [b for b in held if b not in OUT_OF_WORK_BENEFITS])
        if job_end and rng.random() < 0.5:
            change(self.days(7, 28, job_end), [Benefit.UC_SEARCHING] + [b for b in held if b is Benefit.PIP_DLA])
        return changes

    def _inventory(self, day: date) -> SkillsInventory:
        rng, p = self.rng, self.p
        status = p.employment_status
        born = p.date_of_birth
        adult = (born.year + 16) * 12 + born.month - 1
        now = day.year * 12 + day.month - 1
        history: list[WorkHistoryEntry] = []
        if status is not EmploymentStatus.NEVER_WORKED:
            if status is EmploymentStatus.EMPLOYED_OFF_SICK:
                start = max(adult, now - rng.randint(6, 120))
                history.append(
                    WorkHistoryEntry(employer=self.own_employer, role=rng.choice(words.ROLES), start=_month(start))
                )
            else:  # `start` is where the gap to the next job began
                low, high = _MONTHS_OUT[status or EmploymentStatus.UNEMPLOYED_2Y_PLUS]
                start = now - rng.randint(low, high)
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3)) + (not history)):
                end = start - (rng.randint(1, 18) if history else 0)
                begun = end - rng.randint(3, 72)
                if begun < adult:
                    break
                employer = rng.choice(words.PAST_EMPLOYERS) if rng.random() < 0.5 else self.b.employer()
                history.append(
                    WorkHistoryEntry(
                        employer=employer,
                        role=rng.choice(words.ROLES),
                        start=_month(begun),
                        end=_month(end),
                        reason_left=rng.choice(words.REASONS_LEFT),
                    )
                )
                start = begun
        qualifications = []
        for title, level in rng.sample(words.QUALIFICATIONS, rng.choice((0, 1, 1, 2, 2, 3, 4))):
            year = rng.randint(min(born.year + 16, day.year), day.year)
            qualifications.append(Qualification(title=title, level=QualificationLevel(level), year=year))
        low_confidence = "confidence" in self.barriers
        skills = [
            Skill(name=s, confidence=max(1, min(5, rng.randint(2, 5) - (low_confidence and rng.random() < 0.6))))
            for s in self.skills
        ]
        min_hours = rng.choice((8, 10, 12, 16, 16, 20, 25, 30))
        prefs = Preferences(
            job_types=list(self.job_types),
            min_hours=min_hours,
            max_hours=min(40, min_hours + rng.choice((0, 4, 8, 14, 21))),
            max_travel_minutes=rng.choice((20, 30, 30, 45, 45, 60)) if rng.random() < 0.9 else None,
        )
        return SkillsInventory(
            completed_on=day,
            work_history=history,
            qualifications=qualifications,
            skills=skills,
            preferences=prefs,
            barriers=list(self.barriers),
        )

    def _goals(self, attended: list[date], work_from: date | None) -> list[Goal]:
        rng, today = self.rng, self.today
        closure = self.closure
        titles: set[str] = set()
        goals: list[Goal] = []
        first_kind = 2 if not self.seeking else rng.randrange(2)
        plan = [(attended[0], GoalCategory.WORK, first_kind)]
        plan += [(attended[0], _GOAL_CATEGORY.pick(rng), -1) for _ in range(rng.choice((0, 1, 1, 2)))]
        if len(attended) > 2 and rng.random() < 0.3:
            plan.append((rng.choice(attended[1:]), _GOAL_CATEGORY.pick(rng), -1))
        for created, category, wanted in plan:
            options = words.GOALS[category.value]
            index = wanted if wanted >= 0 else rng.randrange(len(options) - (category is GoalCategory.WORK))
            title, step_texts = options[index]
            title = title.format(**self.ctx)
            if title in titles:
                continue
            titles.add(title)
            target = created + timedelta(weeks=rng.randint(4, 16))
            status, closed_on = GoalStatus.OPEN, None
            if category is GoalCategory.WORK and work_from and work_from >= created:
                status, closed_on = GoalStatus.ACHIEVED, work_from
            elif target < today and rng.random() < 0.7:
                status = GoalStatus.ACHIEVED if rng.random() < 0.7 else GoalStatus.DROPPED
                closed_on = min(today, self.days(0, (target - created).days + 21, created))
            elif rng.random() < 0.1:
                status, closed_on = GoalStatus.ACHIEVED, self.days(0, (today - created).days, created)
            if closure and (closed_on is None or closed_on > closure.date):
                good = closure.reason is ClosureReason.SUSTAINED_EMPLOYMENT
                status = GoalStatus.ACHIEVED if good else GoalStatus.DROPPED
                closed_on = max(created, closure.date)
            count = rng.randint(1, len(step_texts))
            steps = []
            for i, written in enumerate(step_texts[:count]):
                who, _, text = written.rpartition(": ")
                owner = StepOwner(who) if who else StepOwner.PARTICIPANT
                due = created + timedelta(days=(target - created).days * (i + 1) // count)
                done = status is GoalStatus.ACHIEVED or (due < today and rng.random() < 0.55)
                steps.append(GoalStep(text=text.format(**self.ctx), owner=owner, due=due, done=done))
            goals.append(
                Goal(
                    id=self.b.uid(),
                    title=title,
                    category=category,
                    created=created,
                    target_date=target,
                    status=status,
                    closed_on=closed_on,
                    steps=steps,
                )
            )
        return goals
