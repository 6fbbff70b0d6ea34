"""The queries behind the coach's "Today": sessions booked for a day, people not seen for a
while, and goal steps coming due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from coachdesk.storage.database import Connection


@dataclass(frozen=True)
class DiaryEntry:
    participant_id: str
    display_name: str
    session_id: str
    start: datetime
    minutes: int | None
    type: str
    attendance: str


@dataclass(frozen=True)
class NotSeen:
    participant_id: str
    display_name: str
    last_seen: date | None  # None: never seen since referral
    referral_date: date


@dataclass(frozen=True)
class StepDue:
    participant_id: str
    display_name: str
    goal_title: str
    step_text: str
    owner: str
    due: date


_NAME = "CASE WHEN p.preferred_name <> '' THEN p.preferred_name ELSE p.given_name END || ' ' || p.family_name"


def sessions_on(conn: Connection, day: date, practice: str | None) -> list[DiaryEntry]:
    """Every session starting on `day` for participants of `practice` (all practices when None)."""
    lo, hi = f"{day.isoformat()}T00:00", f"{day.isoformat()}T23:59"
    rows = conn.execute(
        f"""SELECT p.id, {_NAME}, s.id, s.start, s.minutes, s.type, s.attendance
            FROM sessions s JOIN participants p ON p.id = s.participant_id
            WHERE s.start BETWEEN ? AND ? AND (?3 IS NULL OR p.practice = ?3)
            ORDER BY s.start, p.family_name COLLATE NOCASE""",  # noqa: S608 - fixed expression
        (lo, hi, practice),
    )
    return [
        DiaryEntry(pid, name, sid, datetime.strptime(start, "%Y-%m-%dT%H:%M"), minutes, kind, att)
        for pid, name, sid, start, minutes, kind, att in rows
    ]


def not_seen_since(conn: Connection, cutoff: date, practice: str | None, today: date) -> list[NotSeen]:
    """Open cases with no attended session on or after `cutoff` and none booked from today on."""
    rows = conn.execute(
        f"""SELECT p.id, {_NAME}, p.referral_date,
                   (SELECT max(substr(s.start, 1, 10)) FROM sessions s
                     WHERE s.participant_id = p.id AND s.attendance = 'attended') AS last_seen
            FROM participants p
            WHERE p.closed_on IS NULL AND (?1 IS NULL OR p.practice = ?1) AND p.referral_date <= ?2
              AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.participant_id = p.id
                              AND s.attendance = 'attended' AND substr(s.start, 1, 10) >= ?2)
              AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.participant_id = p.id
                              AND s.attendance = 'booked' AND substr(s.start, 1, 10) >= ?3)
            ORDER BY last_seen IS NOT NULL, last_seen, p.family_name COLLATE NOCASE""",  # noqa: S608
        (practice, cutoff.isoformat(), today.isoformat()),
    )
    return [
        NotSeen(pid, name, date.fromisoformat(last) if last else None, date.fromisoformat(referred))
        for pid, name, referred, last in rows
    ]


def steps_due(conn: Connection, until: date, practice: str | None) -> list[StepDue]:
    """Steps not done, of open goals of open cases, due on or before `until` (overdue first)."""
    rows = conn.execute(
        f"""SELECT p.id, {_NAME}, g.title, st.text, st.owner, st.due
            FROM goal_steps st JOIN goals g ON g.id = st.goal_id
            JOIN participants p ON p.id = g.participant_id
            WHERE st.done = 0 AND st.due IS NOT NULL AND st.due <= ? AND g.status = 'open'
              AND p.closed_on IS NULL AND (?2 IS NULL OR p.practice = ?2)
            ORDER BY st.due, p.family_name COLLATE NOCASE""",  # noqa: S608
        (until.isoformat(), practice),
    )
    return [
        StepDue(pid, name, title, text, owner, date.fromisoformat(due)) for pid, name, title, text, owner, due in rows
    ]
