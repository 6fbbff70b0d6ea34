"""The SQL behind the monthly measures (formats.md §3): one practice's counts for one month.

Dates are ISO text (YYYY-MM-DD; sessions YYYY-MM-DDTHH:MM), so "in the period" is a text range
from the month's first day to its last. Every statement is parameterised; the catalogue's words
come from `coachdesk.domain.measures` and the vocabulary, never from the data."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.measures import CATALOGUE, MEASURES
from coachdesk.domain.rules import living_wage_on, parse_month
from coachdesk.domain.vocabulary import OUT_OF_WORK_BENEFITS, Attendance, OutcomeType
from coachdesk.storage.database import Connection

# Outcomes counted as events of their own measure.
_OUTCOME_MEASURES: dict[OutcomeType, str] = {
    OutcomeType.JOB_START: "job_starts",
    OutcomeType.SELF_EMPLOYMENT: "self_employment_starts",
    OutcomeType.EDUCATION_START: "education_starts",
    OutcomeType.VOLUNTEERING_START: "volunteering_starts",
    OutcomeType.JOB_RETAINED: "jobs_retained",
    OutcomeType.SUSTAINED_13_WEEKS: "sustained_13_weeks",
    OutcomeType.SUSTAINED_26_WEEKS: "sustained_26_weeks",
}

_OOW = sorted(b.value for b in OUT_OF_WORK_BENEFITS)
_OOW_MARKS = ", ".join("?" * len(_OOW))

_STATEMENTS: tuple[tuple[str, str], ...] = (
    # (prefix, SQL returning practice, word, count); prefix "" means the word is the measure.
    (
        "",
        "SELECT practice, 'referrals_received', COUNT(*) FROM participants"
        " WHERE referral_date >= :first AND referral_date <= :last GROUP BY practice",
    ),
    (
        "referrals_by_source.",
        "SELECT practice, referral_source, COUNT(*) FROM participants"
        " WHERE referral_date >= :first AND referral_date <= :last GROUP BY practice, referral_source",
    ),
    (
        "new_by_benefit.",
        "SELECT p.practice, j.value, COUNT(DISTINCT p.id) FROM participants p INDEXED BY participants_referral,"
        " json_each(p.benefits_at_referral) j"
        " WHERE p.referral_date >= :first AND p.referral_date <= :last GROUP BY p.practice, j.value",
    ),
    (
        "new_by_condition.",
        "SELECT p.practice, j.value, COUNT(DISTINCT p.id) FROM participants p INDEXED BY participants_referral,"
        " json_each(p.conditions) j"
        " WHERE p.referral_date >= :first AND p.referral_date <= :last GROUP BY p.practice, j.value",
    ),
    (
        "new_by_employment_status.",
        "SELECT practice, employment_status, COUNT(*) FROM participants"
        " WHERE referral_date >= :first AND referral_date <= :last AND employment_status IS NOT NULL"
        " GROUP BY practice, employment_status",
    ),
    (
        "new_by_age_band.",
        # Age at referral in whole years, correct across birthdays ('MM-DD' text compares as dates do).
        "SELECT practice, CASE WHEN age <= 24 THEN '16_24' WHEN age <= 34 THEN '25_34'"
        " WHEN age <= 49 THEN '35_49' WHEN age <= 64 THEN '50_64' ELSE '65_plus' END AS band, COUNT(*)"
        " FROM (SELECT practice,"
        "  CAST(substr(referral_date, 1, 4) AS INTEGER) - CAST(substr(date_of_birth, 1, 4) AS INTEGER)"
        "  - (substr(referral_date, 6, 5) < substr(date_of_birth, 6, 5)) AS age"
        " FROM participants WHERE referral_date >= :first AND referral_date <= :last)"
        " WHERE age >= 16 GROUP BY practice, band",
    ),
    (
        "",
        # First attended session in the month: attended in it, and never before it.
        "SELECT p.practice, 'first_appointments', COUNT(*) FROM ("
        " SELECT DISTINCT participant_id AS pid FROM sessions"
        " WHERE start >= :first AND start < :next AND attendance = :attended) s"
        " CROSS JOIN participants p ON p.id = s.pid"
        " WHERE NOT EXISTS (SELECT 1 FROM sessions e"
        "  WHERE e.participant_id = s.pid AND e.start < :first AND e.attendance = :attended)"
        " GROUP BY p.practice",
    ),
    (
        "",
        "SELECT p.practice, CASE s.attendance WHEN :attended THEN 'sessions_attended'"
        " WHEN :dna THEN 'sessions_dna' ELSE 'sessions_cancelled' END AS measure, COUNT(*)"
        " FROM sessions s JOIN participants p ON p.id = s.participant_id"
        " WHERE s.start >= :first AND s.start < :next AND s.attendance IN (:attended, :dna, :cancelled_p, :cancelled_c)"
        " GROUP BY p.practice, measure",
    ),
    (
        "",
        "SELECT practice, 'active_caseload_end', COUNT(*) FROM participants"
        " WHERE referral_date <= :last AND (closed_on IS NULL OR closed_on > :last) GROUP BY practice",
    ),
    (
        "",
        "SELECT p.practice, 'skills_inventories_completed', COUNT(*)"
        " FROM skills_inventories i JOIN participants p ON p.id = i.participant_id"
        " WHERE i.completed_on >= :first AND i.completed_on <= :last GROUP BY p.practice",
    ),
    (
        "",
        "SELECT p.practice, 'goals_set', COUNT(*) FROM goals g JOIN participants p ON p.id = g.participant_id"
        " WHERE g.created >= :first AND g.created <= :last GROUP BY p.practice",
    ),
    (
        "",
        "SELECT p.practice, 'goals_achieved', COUNT(*) FROM goals g JOIN participants p ON p.id = g.participant_id"
        " WHERE g.status = :achieved AND g.closed_on >= :first AND g.closed_on <= :last GROUP BY p.practice",
    ),
    (
        "",
        "SELECT p.practice, 'action_plans_issued', COUNT(*)"
        " FROM action_plans_issued a JOIN participants p ON p.id = a.participant_id"
        " WHERE a.date >= :first AND a.date <= :last GROUP BY p.practice",
    ),
    (
        "",
        "SELECT p.practice, 'employer_contacts', COUNT(*)"
        " FROM employer_contacts c JOIN participants p ON p.id = c.participant_id"
        " WHERE c.date >= :first AND c.date <= :last GROUP BY p.practice",
    ),
    (
        "first_employer_contact.",
        "SELECT practice, CASE WHEN days <= 30 THEN 'within_30_days' WHEN days <= 60 THEN 'days_31_60'"
        " ELSE 'over_60_days' END AS band, COUNT(*) FROM ("
        " SELECT p.practice AS practice,"
        "  CAST(julianday(c.first_date) - julianday(p.referral_date) AS INTEGER) AS days"
        " FROM (SELECT participant_id, MIN(date) AS first_date FROM employer_contacts"
        "  WHERE date >= :first AND date <= :last GROUP BY participant_id) c"
        " CROSS JOIN participants p ON p.id = c.participant_id"
        " WHERE NOT EXISTS (SELECT 1 FROM employer_contacts e"
        "  WHERE e.participant_id = c.participant_id AND e.date < :first))"
        " GROUP BY practice, band",
    ),
    (
        "",
        "SELECT p.practice, CASE WHEN o.hours_per_week >= 16 THEN 'job_starts_16h_plus'"
        " ELSE 'job_starts_under_16h' END AS measure, COUNT(*)"
        " FROM outcomes o JOIN participants p ON p.id = o.participant_id"
        " WHERE o.type = :job_start AND o.hours_per_week IS NOT NULL AND o.date >= :first AND o.date <= :last"
        " GROUP BY p.practice, measure",
    ),
    (
        "",
        "SELECT p.practice, 'first_job_starts', COUNT(*) FROM ("
        " SELECT DISTINCT participant_id AS pid FROM outcomes"
        " WHERE type = :job_start AND date >= :first AND date <= :last) o"
        " CROSS JOIN participants p ON p.id = o.pid"
        " WHERE NOT EXISTS (SELECT 1 FROM outcomes e"
        "  WHERE e.participant_id = o.pid AND e.type = :job_start AND e.date < :first)"
        " GROUP BY p.practice",
    ),
    (
        "closures.",
        "SELECT practice, closure_reason, COUNT(*) FROM participants"
        " WHERE closed_on >= :first AND closed_on <= :last AND closure_reason IS NOT NULL"
        " GROUP BY practice, closure_reason",
    ),
)

_OUTCOMES_SQL = (
    "SELECT p.practice, o.type, COUNT(*) FROM outcomes o JOIN participants p ON p.id = o.participant_id"
    " WHERE o.date >= :first AND o.date <= :last GROUP BY p.practice, o.type"
)

_JOB_START_PAY_SQL = (
    "SELECT p.practice, o.date, o.hourly_pay_pence FROM outcomes o JOIN participants p ON p.id = o.participant_id"
    " WHERE o.type = :job_start AND o.hourly_pay_pence IS NOT NULL AND o.date >= :first AND o.date <= :last"
)

# A benefit change "leaves" out-of-work benefits when the participant held at least one at referral,
# held at least one just before the change (the previous change, or the referral for the first),
# and holds none after it. [] and ["none"] are alike: neither holds an out-of-work benefit.
_LEFT_OOW_SQL = f"""
WITH changes AS (
    SELECT bc.participant_id AS pid, bc.date AS day,
           EXISTS (SELECT 1 FROM json_each(bc.benefits) j WHERE j.value IN ({_OOW_MARKS})) AS oow,
           bc.position AS position
    FROM benefit_changes bc
    WHERE bc.participant_id IN (SELECT participant_id FROM benefit_changes WHERE date >= ? AND date <= ?)
), ordered AS (
    SELECT pid, day, oow, LAG(oow) OVER (PARTITION BY pid ORDER BY day, position) AS before
    FROM changes
)
SELECT p.practice, 'left_out_of_work_benefits', COUNT(DISTINCT p.id)
FROM ordered c CROSS JOIN participants p ON p.id = c.pid
WHERE c.day >= ? AND c.day <= ? AND c.oow = 0 AND COALESCE(c.before, 1) = 1
  AND EXISTS (SELECT 1 FROM json_each(p.benefits_at_referral) r WHERE r.value IN ({_OOW_MARKS}))
GROUP BY p.practice
"""  # noqa: S608 - only placeholders are interpolated


def period_bounds(period: str) -> tuple[date, date]:
    """The first and last day of a month written YYYY-MM."""
    parsed = parse_month(period)
    if parsed is None:
        raise ValidationError("period", f"{period!r} is not a month written YYYY-MM")
    year, month = parsed
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def count_measures(conn: Connection, period: str, living_wage: Sequence[tuple[date, int]]) -> dict[str, dict[str, int]]:
    """practice -> measure -> count for the month `period` (YYYY-MM), for every practice with at least
    one participant referred on or before the month's last day; every catalogue measure is present,
    zeros included. `living_wage` is the policy's (start date, pence per hour) rates."""
    first_day, last_day = period_bounds(period)
    following = date(last_day.year + last_day.month // 12, last_day.month % 12 + 1, 1)
    params = {
        "first": first_day.isoformat(),
        "last": last_day.isoformat(),
        "next": following.isoformat(),  # sessions' start has a time: compare below the next month
        "attended": Attendance.ATTENDED.value,
        "dna": Attendance.DNA.value,
        "cancelled_p": Attendance.CANCELLED_BY_PARTICIPANT.value,
        "cancelled_c": Attendance.CANCELLED_BY_COACH.value,
        "achieved": "achieved",
        "job_start": OutcomeType.JOB_START.value,
    }
    practices = [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT practice FROM participants WHERE referral_date <= ? ORDER BY practice",
            (params["last"],),
        )
    ]
    counts: dict[str, dict[str, int]] = {practice: dict.fromkeys(CATALOGUE, 0) for practice in practices}

    def add(practice: str, measure: str, value: int) -> None:
        # Words outside the vocabulary cannot be saved; practices referred later have no cells.
        if practice in counts and measure in MEASURES:
            counts[practice][measure] += value

    for prefix, sql in _STATEMENTS:
        for practice, word, value in conn.execute(sql, params):
            add(practice, f"{prefix}{word}", value)

    outcome_measures = {t.value: m for t, m in _OUTCOME_MEASURES.items()}
    for practice, kind, value in conn.execute(_OUTCOMES_SQL, params):
        if kind in outcome_measures:
            add(practice, outcome_measures[kind], value)

    rates = sorted(living_wage)
    for practice, day, pence in conn.execute(_JOB_START_PAY_SQL, params):
        threshold = living_wage_on(rates, date.fromisoformat(day))
        if threshold is not None and pence >= threshold:
            add(practice, "job_starts_paid_llw", 1)

    span = (params["first"], params["last"])
    for practice, measure, value in conn.execute(_LEFT_OOW_SQL, (*_OOW, *span, *span, *_OOW)):
        add(practice, measure, value)
    return counts
