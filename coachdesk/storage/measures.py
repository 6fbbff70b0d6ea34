"""The SQL behind the monthly measures (formats.md §3): every practice's counts for many months at
once, in one pass per measure family rather than one pass per month.

Dates are ISO text (YYYY-MM-DD; sessions YYYY-MM-DDTHH:MM), so a date's month is its first seven
characters. Every statement reads from the first month asked for to the last in one pass.

Why the statements look the way they do: the vault runs with `cipher_memory_security` on, which
makes every allocation SQLite makes an mlock and its free an munlock, two system calls each. Once
the connection's lookaside memory is taken by cached statements (always, in the app) a statement
that allocates per row is many times slower than one that does not. What allocates per row:
sorting (a GROUP BY, ORDER BY or window that no index provides), an aggregate per group, and
`json_each`. So:
  - events (sessions, goals, contacts, ...) are grouped by month and word in SQL, in the order of
    the month indexes of schema v2 (`_V2_MEASURE_INDEXES`, built on the same `substr(<date>, 1, 7)`
    expressions), with a few groups per month. Practice is a column of participants, not of the
    event tables, so it is not a grouping key (that would sort every event row): each practice is
    counted in a column of its own (`COUNT(*) FILTER (WHERE p.practice = :practice_0)`, ...).
  - "first" measures select the event with no earlier one of its kind (NOT EXISTS, one index
    seek), not MIN() per participant (an aggregate per participant).
  - whatever counts participants is selected one row per participant and counted in Python, which
    also reads their JSON lists of words (benefits, conditions); the caseload at each month's end
    is counted in SQL per practice, a pair of columns per month.

Every statement is parameterised; the catalogue's words come from `coachdesk.domain.measures` and
the vocabulary, never from the data."""

from __future__ import annotations

import calendar
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import groupby
from operator import itemgetter

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.measures import CATALOGUE, MEASURES
from coachdesk.domain.rules import living_wage_on, parse_month
from coachdesk.domain.vocabulary import OUT_OF_WORK_BENEFITS, Attendance, GoalStatus, OutcomeType
from coachdesk.storage.database import Connection

# Outcomes counted as events of their own measure.
_OUTCOME_MEASURES: dict[str, str] = {
    OutcomeType.JOB_START.value: "job_starts",
    OutcomeType.SELF_EMPLOYMENT.value: "self_employment_starts",
    OutcomeType.EDUCATION_START.value: "education_starts",
    OutcomeType.VOLUNTEERING_START.value: "volunteering_starts",
    OutcomeType.JOB_RETAINED.value: "jobs_retained",
    OutcomeType.SUSTAINED_13_WEEKS.value: "sustained_13_weeks",
    OutcomeType.SUSTAINED_26_WEEKS.value: "sustained_26_weeks",
}

# Attendances counted as sessions, and the measure each counts under (cancelled = either kind).
_SESSION_MEASURES: dict[str, str] = {
    Attendance.ATTENDED.value: "sessions_attended",
    Attendance.DNA.value: "sessions_dna",
    Attendance.CANCELLED_BY_PARTICIPANT.value: "sessions_cancelled",
    Attendance.CANCELLED_BY_COACH.value: "sessions_cancelled",
}

# Words that name the measure they count under (sessions are grouped by attendance and outcomes
# by type, the orders their month indexes are in).
_WORD_MEASURES: dict[str, str] = {**_SESSION_MEASURES, **_OUTCOME_MEASURES}

_OUT_OF_WORK = frozenset(b.value for b in OUT_OF_WORK_BENEFITS)

# The vocabulary words the statements compare with, as named parameters; lists of words are JSON
# arrays, read with `IN (SELECT value FROM json_each(:list))` (once per statement). Per call,
# :first and :after (the first day of the first month, and of the month after the last) bound
# dates, :lo and :hi (YYYY-MM) bound months, and :practice_N name the practices.
_WORDS: dict[str, str] = {
    "attended": Attendance.ATTENDED.value,
    "achieved": GoalStatus.ACHIEVED.value,
    "job_start": OutcomeType.JOB_START.value,
    "attendances": json.dumps(sorted(_SESSION_MEASURES)),
    "outcome_types": json.dumps(sorted(_OUTCOME_MEASURES)),
}

# -- events, grouped in SQL -----------------------------------------------------------------------
# SQL returning month, word, then one count per practice; the word is the measure, or names it
# through `_WORD_MEASURES`. `{count}` stands for the per-practice count columns; nothing else is
# ever put into the text. The event table comes first in each join (CROSS JOIN keeps that order),
# so its rows arrive in the order of its month index and are grouped as they come; a unary + keeps
# the planner off other indexes of a column. A practice is read from participants_by_id, which the
# statements name: the planner would read the table row behind the unique id instead, and a
# missing index should fail loudly rather than make sync slow.
_EVENT_STATEMENTS: tuple[str, ...] = (
    "SELECT substr(s.start, 1, 7) AS month, s.attendance, {count}"
    " FROM sessions s CROSS JOIN participants p INDEXED BY participants_by_id ON p.id = s.participant_id"
    " WHERE substr(s.start, 1, 7) BETWEEN :lo AND :hi"
    " AND +s.attendance IN (SELECT value FROM json_each(:attendances))"
    " GROUP BY substr(s.start, 1, 7), s.attendance",
    "SELECT substr(i.completed_on, 1, 7) AS month, 'skills_inventories_completed', {count}"
    " FROM skills_inventories i CROSS JOIN participants p INDEXED BY participants_by_id ON p.id = i.participant_id"
    " WHERE substr(i.completed_on, 1, 7) BETWEEN :lo AND :hi GROUP BY substr(i.completed_on, 1, 7)",
    "SELECT substr(g.created, 1, 7) AS month, 'goals_set', {count}"
    " FROM goals g CROSS JOIN participants p INDEXED BY participants_by_id ON p.id = g.participant_id"
    " WHERE substr(g.created, 1, 7) BETWEEN :lo AND :hi GROUP BY substr(g.created, 1, 7)",
    "SELECT substr(g.closed_on, 1, 7) AS month, 'goals_achieved', {count}"
    " FROM goals g CROSS JOIN participants p INDEXED BY participants_by_id ON p.id = g.participant_id"
    " WHERE g.status = :achieved AND substr(g.closed_on, 1, 7) BETWEEN :lo AND :hi"
    " GROUP BY substr(g.closed_on, 1, 7)",
    "SELECT substr(a.date, 1, 7) AS month, 'action_plans_issued', {count}"
    " FROM action_plans_issued a CROSS JOIN participants p INDEXED BY participants_by_id ON p.id = a.participant_id"
    " WHERE substr(a.date, 1, 7) BETWEEN :lo AND :hi GROUP BY substr(a.date, 1, 7)",
    "SELECT substr(c.date, 1, 7) AS month, 'employer_contacts', {count}"
    " FROM employer_contacts c CROSS JOIN participants p INDEXED BY participants_by_id ON p.id = c.participant_id"
    " WHERE substr(c.date, 1, 7) BETWEEN :lo AND :hi GROUP BY substr(c.date, 1, 7)",
    "SELECT substr(o.date, 1, 7) AS month, o.type, {count}"
    " FROM outcomes o CROSS JOIN participants p INDEXED BY participants_by_id ON p.id = o.participant_id"
    " WHERE substr(o.date, 1, 7) BETWEEN :lo AND :hi"
    " AND +o.type IN (SELECT value FROM json_each(:outcome_types))"
    " GROUP BY substr(o.date, 1, 7), o.type",
)

# -- participants, counted in Python --------------------------------------------------------------
# (prefix, SQL returning month, practice, word, participant id): one row per participant and word
# (or a few: two first events on the same day), counted as distinct participants. Prefix "" means
# the word is the measure; a NULL word counts nowhere.
_PARTICIPANT_STATEMENTS: tuple[tuple[str, str], ...] = (
    (
        "",
        # A first appointment is an attended session with no attended session before it.
        "SELECT substr(s.start, 1, 7), p.practice, 'first_appointments', p.id"
        " FROM sessions s CROSS JOIN participants p INDEXED BY participants_by_id ON p.id = s.participant_id"
        " WHERE substr(s.start, 1, 7) BETWEEN :lo AND :hi AND +s.attendance = :attended"
        " AND NOT EXISTS (SELECT 1 FROM sessions e"
        "  WHERE e.attendance = :attended AND e.participant_id = s.participant_id AND e.start < s.start)",
    ),
    (
        "first_employer_contact.",
        # Banded by whole days from referral to the participant's first employer contact.
        "SELECT month, practice, CASE WHEN days <= 30 THEN 'within_30_days' WHEN days <= 60 THEN 'days_31_60'"
        " ELSE 'over_60_days' END, id FROM ("
        " SELECT substr(c.date, 1, 7) AS month, p.practice AS practice, p.id AS id,"
        "  CAST(julianday(c.date) - julianday(p.referral_date) AS INTEGER) AS days"
        " FROM employer_contacts c CROSS JOIN participants p INDEXED BY participants_by_id ON p.id = c.participant_id"
        " WHERE substr(c.date, 1, 7) BETWEEN :lo AND :hi"
        " AND NOT EXISTS (SELECT 1 FROM employer_contacts e"
        "  WHERE e.participant_id = c.participant_id AND e.date < c.date))",
    ),
    (
        "",
        "SELECT substr(o.date, 1, 7), p.practice, 'first_job_starts', p.id"
        " FROM outcomes o CROSS JOIN participants p INDEXED BY participants_by_id ON p.id = o.participant_id"
        " WHERE substr(o.date, 1, 7) BETWEEN :lo AND :hi AND +o.type = :job_start"
        " AND NOT EXISTS (SELECT 1 FROM outcomes e"
        "  WHERE e.type = :job_start AND e.participant_id = o.participant_id AND e.date < o.date)",
    ),
    (
        "closures.",
        "SELECT substr(closed_on, 1, 7), practice, closure_reason, id FROM participants"
        " WHERE closed_on >= :first AND closed_on < :after",
    ),
)

# Everyone referred in the months, for the referral measures: one row per participant, and after
# month and practice one column per measure family (a word, or a JSON list of words). Age at
# referral is in whole years, correct across birthdays ('MM-DD' text compares as dates do); under
# 16 is outside the programme and has no band.
_REFERRAL_COLUMNS: tuple[tuple[str, bool], ...] = (  # (prefix, whether the column is a JSON list)
    ("referrals_by_source.", False),
    ("new_by_employment_status.", False),
    ("new_by_age_band.", False),
    ("new_by_benefit.", True),
    ("new_by_condition.", True),
)
_REFERRALS_SQL = (
    "SELECT month, practice, referral_source, employment_status, CASE WHEN age < 16 THEN NULL"
    " WHEN age <= 24 THEN '16_24' WHEN age <= 34 THEN '25_34' WHEN age <= 49 THEN '35_49'"
    " WHEN age <= 64 THEN '50_64' ELSE '65_plus' END, benefits_at_referral, conditions FROM ("
    " SELECT substr(referral_date, 1, 7) AS month, practice, referral_source, employment_status,"
    "  benefits_at_referral, conditions,"
    "  CAST(substr(referral_date, 1, 4) AS INTEGER) - CAST(substr(date_of_birth, 1, 4) AS INTEGER)"
    "  - (substr(referral_date, 6, 5) < substr(date_of_birth, 6, 5)) AS age"
    " FROM participants WHERE referral_date >= :first AND referral_date < :after)"
)

# Every benefit change of each participant with one in the months, in order (the order of the
# benefit_changes_order index, so nothing is sorted), with what they held at referral.
_BENEFIT_CHANGES_SQL = (
    "SELECT b.participant_id, p.practice, p.benefits_at_referral, b.date, b.benefits"
    " FROM benefit_changes b CROSS JOIN participants p ON p.id = b.participant_id"
    " WHERE b.participant_id IN (SELECT participant_id FROM benefit_changes WHERE date >= :first AND date < :after)"
    " ORDER BY b.participant_id, b.date, b.position"
)

# Every job start in the months, for the hours and pay measures (the living wage rates are the
# policy's, not the vault's, so they are judged in Python).
_JOB_STARTS_SQL = (
    "SELECT substr(o.date, 1, 7), p.practice, o.date, o.hours_per_week, o.hourly_pay_pence"
    " FROM outcomes o CROSS JOIN participants p INDEXED BY participants_by_id ON p.id = o.participant_id"
    " WHERE o.type = :job_start AND o.date >= :first AND o.date < :after"
)

# For each practice and month asked for, who had been referred by the month's end, and who of them
# was still open then (active_caseload_end); `{count}` stands for these two columns for each month,
# bounded by :after_N, the day after month N's last. Grouped in the order of participants_practice.
_CASELOAD_SQL = "SELECT practice, {count} FROM participants GROUP BY practice ORDER BY practice"
_CASELOAD_COLUMNS = (
    "COUNT(*) FILTER (WHERE referral_date < :after_{i}),"
    " COUNT(*) FILTER (WHERE referral_date < :after_{i} AND (closed_on IS NULL OR closed_on >= :after_{i}))"
)

# The latest month of each kind of date a measure counts, most read from the end of an index.
# Booked sessions, dropped goals and ended jobs count in no measure, and booked sessions may lie
# ahead of today: leaving them out keeps the span on months that have happened.
_LATEST_SQL: tuple[str, ...] = (
    "SELECT MAX(substr(referral_date, 1, 7)) FROM participants",
    "SELECT MAX(substr(closed_on, 1, 7)) FROM participants",
    "SELECT substr(start, 1, 7) FROM sessions WHERE +attendance IN (SELECT value FROM json_each(:attendances))"
    " ORDER BY substr(start, 1, 7) DESC LIMIT 1",
    "SELECT MAX(substr(date, 1, 7)) FROM benefit_changes",
    "SELECT MAX(substr(completed_on, 1, 7)) FROM skills_inventories",
    "SELECT MAX(substr(created, 1, 7)) FROM goals",
    "SELECT MAX(substr(closed_on, 1, 7)) FROM goals WHERE status = :achieved",
    "SELECT MAX(substr(date, 1, 7)) FROM action_plans_issued",
    "SELECT MAX(substr(date, 1, 7)) FROM employer_contacts",
    "SELECT substr(date, 1, 7) FROM outcomes WHERE +type IN (SELECT value FROM json_each(:outcome_types))"
    " ORDER BY substr(date, 1, 7) DESC LIMIT 1",
)


def period_bounds(period: str) -> tuple[date, date]:
    """The first and last day of a month written YYYY-MM."""
    parsed = parse_month(period) if isinstance(period, str) else None
    if parsed is None:
        raise ValidationError("period", f"{period!r} is not a month written YYYY-MM")
    year, month = parsed
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


class _Counts:
    """period -> practice -> measure -> count, for the months asked for."""

    def __init__(self, cells: dict[str, dict[str, dict[str, int]]]) -> None:
        self.cells = cells

    def add(self, period: str, practice: str, measure: str, value: int = 1) -> None:
        # Months between the requested ones, words outside the vocabulary (they cannot be saved)
        # and practices whose first referral is later than the month have no cells.
        cells = self.cells.get(period, {}).get(practice)
        if cells is not None and measure in MEASURES:
            cells[measure] += value

    def add_all(self, tally: Iterable[tuple[tuple[str, str, str], int]]) -> None:
        for (period, practice, measure), value in tally:
            self.add(period, practice, measure, value)


def count_measures_by_month(
    conn: Connection, periods: Sequence[str], living_wage: Sequence[tuple[date, int]]
) -> dict[str, dict[str, dict[str, int]]]:
    """period -> practice -> measure -> count for each month in `periods` (YYYY-MM), in the order
    given: for each month, every practice with at least one participant referred on or before the
    month's last day, in practice order, with every catalogue measure in catalogue order, zeros
    included. `living_wage` is the policy's (start date, pence per hour) rates.

    Each statement reads from the first month asked for to the last, so months far apart cost as
    much as every month between them."""
    wanted = list(dict.fromkeys(periods))
    for period in wanted:
        period_bounds(period)
    if not wanted:
        return {}
    lo, hi = min(wanted), max(wanted)
    params = {**_WORDS, "lo": lo, "hi": hi, "first": f"{lo}-01", "after": _day_after(hi)}

    counts = _Counts(_caseload(conn, wanted))
    practices = sorted({practice for cells in counts.cells.values() for practice in cells})
    if not practices:
        return counts.cells

    params.update({f"practice_{i}": practice for i, practice in enumerate(practices)})
    count_columns = ", ".join(f"COUNT(*) FILTER (WHERE p.practice = :practice_{i})" for i in range(len(practices)))
    for sql in _EVENT_STATEMENTS:
        for month, word, *values in conn.execute(sql.format(count=count_columns), params):
            measure = _WORD_MEASURES.get(word, word)
            for practice, value in zip(practices, values, strict=True):
                if value:
                    counts.add(month, practice, measure, value)

    for prefix, sql in _PARTICIPANT_STATEMENTS:
        rows = set(conn.execute(sql, params))  # one per participant and word
        counts.add_all(
            Counter(
                (month, practice, f"{prefix}{word}") for month, practice, word, _ in rows if word is not None
            ).items()
        )
    counts.add_all(_referrals(conn, params).items())
    counts.add_all(_left_out_of_work_benefits(conn, params).items())

    rates = sorted(living_wage)
    for month, practice, day, hours, pence in conn.execute(_JOB_STARTS_SQL, params):
        if hours is not None:
            counts.add(month, practice, "job_starts_16h_plus" if hours >= 16 else "job_starts_under_16h")
        threshold = living_wage_on(rates, date.fromisoformat(day)) if pence is not None else None
        if threshold is not None and pence >= threshold:
            counts.add(month, practice, "job_starts_paid_llw")
    return counts.cells


def _caseload(conn: Connection, periods: list[str]) -> dict[str, dict[str, dict[str, int]]]:
    """Every requested month's cells, zeros but for active_caseload_end. A practice has cells from
    the month of its first referral."""
    params = {f"after_{i}": _day_after(period) for i, period in enumerate(periods)}
    columns = ", ".join(_CASELOAD_COLUMNS.format(i=i) for i in range(len(periods)))
    cells: dict[str, dict[str, dict[str, int]]] = {period: {} for period in periods}
    for practice, *values in conn.execute(_CASELOAD_SQL.format(count=columns), params):
        for period, referred, active in zip(periods, values[::2], values[1::2], strict=True):
            if referred:
                cells[period][practice] = dict.fromkeys(CATALOGUE, 0)
                cells[period][practice]["active_caseload_end"] = active
    return cells


def _day_after(period: str) -> str:
    """The first day of the month after `period`, as ISO text: dates (and sessions' start, which
    has a time) in the month compare below it."""
    last_day = period_bounds(period)[1]
    return date.fromordinal(last_day.toordinal() + 1).isoformat()


def _referrals(conn: Connection, params: dict[str, str]) -> Counter[tuple[str, str, str]]:
    """(month, practice, measure) -> participants referred, and by source, employment status, age
    band, benefit and condition at referral."""
    rows = conn.execute(_REFERRALS_SQL, params).fetchall()
    tally: Counter[tuple[str, str, str]] = Counter(
        (month, practice, "referrals_received") for month, practice, *_ in rows
    )
    for column, (prefix, is_list) in enumerate(_REFERRAL_COLUMNS, start=2):
        # Counted by distinct value first: many participants share a word, or a list of words.
        for (month, practice, value), count in Counter((row[0], row[1], row[column]) for row in rows).items():
            if value is None:
                continue
            words = set(json.loads(value)) if is_list else {value}  # a word listed twice counts once
            tally.update({(month, practice, f"{prefix}{word}"): count for word in words})
    return tally


def _left_out_of_work_benefits(conn: Connection, params: dict[str, str]) -> Counter[tuple[str, str, str]]:
    """(month, practice, "left_out_of_work_benefits") -> participants. A benefit change leaves
    out-of-work benefits when the participant held at least one at referral, held at least one
    just before the change (the previous change, or the referral for the first), and holds none
    after it; a participant counts once a month. [] and ["none"] are alike: neither holds one."""
    left: set[tuple[str, str, str]] = set()
    for pid, changes in groupby(conn.execute(_BENEFIT_CHANGES_SQL, params), key=itemgetter(0)):
        _, practice, at_referral, *_ = first = next(changes)
        if not _OUT_OF_WORK.intersection(json.loads(at_referral)):
            continue
        before = True
        for *_, day, benefits in (first, *changes):
            now = bool(_OUT_OF_WORK.intersection(json.loads(benefits)))
            if before and not now and params["first"] <= day < params["after"]:
                left.add((day[:7], practice, pid))
            before = now
    return Counter((month, practice, "left_out_of_work_benefits") for month, practice, _ in left)


def count_measures(conn: Connection, period: str, living_wage: Sequence[tuple[date, int]]) -> dict[str, dict[str, int]]:
    """practice -> measure -> count for the month `period` (YYYY-MM), for every practice with at least
    one participant referred on or before the month's last day; every catalogue measure is present,
    zeros included. `living_wage` is the policy's (start date, pence per hour) rates."""
    return count_measures_by_month(conn, [period], living_wage)[period]


def activity_span(conn: Connection) -> tuple[str, str] | None:
    """The first and last month (YYYY-MM) in which anything a measure counts happened: from the
    earliest referral's month to the month of the latest counted event of any kind. None for a
    vault with nobody in it. Months after the last still have an active caseload."""
    first = conn.execute("SELECT MIN(substr(referral_date, 1, 7)) FROM participants").fetchone()[0]
    if first is None:
        return None
    latest = [row[0] for sql in _LATEST_SQL for row in conn.execute(sql, _WORDS)]
    return first, max(month for month in latest if month is not None)
