"""Reading and writing whole participant records (the aggregate of formats.md §1).

A record is saved in one transaction by its caller: the participant row is upserted by id and its
child rows are replaced, so saving the same record twice leaves the database as it was (what an
idempotent import needs). Loading many records reads each child table once, not once per record."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime

from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.codec import decode, encode, join_path
from coachdesk.domain.errors import NotFoundError, ValidationError
from coachdesk.domain.model import (
    BenefitChange,
    Closure,
    Consent,
    EmployerContact,
    Goal,
    GoalStep,
    Outcome,
    Participant,
    ParticipantSummary,
    Session,
    SkillsInventory,
)
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
    ReferralSource,
    SessionType,
    Sex,
    StepOwner,
)
from coachdesk.storage import search
from coachdesk.storage.database import Connection, IntegrityError

_DT = "%Y-%m-%dT%H:%M"
_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def exists(conn: Connection, participant_id: str) -> bool:
    return conn.execute("SELECT 1 FROM participants WHERE id = ?", (participant_id,)).fetchone() is not None


def save(conn: Connection, p: Participant) -> bool:
    """Insert or update `p` with all its child records. Returns True when it was new.

    Call inside a transaction; the record must already have passed the domain checks."""
    return save_many(conn, [p])[0]


def save_many(
    conn: Connection, records: Sequence[Participant], where: Callable[[int], str] | None = None
) -> list[bool]:
    """Save many records, indexing them for search together at the end (much faster for imports).
    Returns, for each record, whether it was new. `where(i)` names the i-th record in a refusal
    (`participants[12]`), so a file's author finds it."""
    created = []
    for i, p in enumerate(records):
        try:
            created.append(_write(conn, p))
        except ValidationError as exc:
            if where is None:
                raise
            raise ValidationError(join_path(where(i), exc.path), exc.problem) from None
    search.index(conn, [p.id for p in records])
    return created


def _write(conn: Connection, p: Participant) -> bool:
    created = not exists(conn, p.id)
    if not created:
        search.unindex(conn, p.id)
    conn.execute(
        """
        INSERT INTO participants(id, given_name, family_name, preferred_name, date_of_birth, sex,
            nhs_number, phone, email, postcode, practice, referral_date, referral_source,
            consent_service, consent_share_with_gp, consent_contact_employers, employment_status,
            benefits_at_referral, conditions, closed_on, closure_reason, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET
            given_name = excluded.given_name, family_name = excluded.family_name,
            preferred_name = excluded.preferred_name, date_of_birth = excluded.date_of_birth,
            sex = excluded.sex, nhs_number = excluded.nhs_number, phone = excluded.phone,
            email = excluded.email, postcode = excluded.postcode, practice = excluded.practice,
            referral_date = excluded.referral_date, referral_source = excluded.referral_source,
            consent_service = excluded.consent_service,
            consent_share_with_gp = excluded.consent_share_with_gp,
            consent_contact_employers = excluded.consent_contact_employers,
            employment_status = excluded.employment_status,
            benefits_at_referral = excluded.benefits_at_referral, conditions = excluded.conditions,
            closed_on = excluded.closed_on, closure_reason = excluded.closure_reason,
            updated_at = excluded.updated_at
        """,
        (
            p.id,
            p.given_name,
            p.family_name,
            p.preferred_name,
            p.date_of_birth.isoformat(),
            p.sex.value if p.sex else None,
            p.nhs_number,
            p.phone,
            p.email,
            p.postcode,
            p.practice,
            p.referral_date.isoformat(),
            p.referral_source.value,
            _iso(p.consent.service),
            int(p.consent.share_with_gp),
            int(p.consent.contact_employers),
            p.employment_status.value if p.employment_status else None,
            json.dumps([b.value for b in p.benefits_at_referral]),
            json.dumps([c.value for c in p.conditions]),
            _iso(p.closed.date) if p.closed else None,
            p.closed.reason.value if p.closed else None,
            utc_stamp(),
        ),
    )
    _replace_children(conn, p)
    _save_inventory(conn, p.id, p.skills_inventory)
    return created


def _replace_children(conn: Connection, p: Participant) -> None:
    pid = p.id
    for table in ("benefit_changes", "sessions", "goals", "employer_contacts", "outcomes", "action_plans_issued"):
        conn.execute(f"DELETE FROM {table} WHERE participant_id = ?", (pid,))  # noqa: S608 - fixed names
    conn.executemany(
        "INSERT INTO benefit_changes(participant_id, position, date, benefits) VALUES (?, ?, ?, ?)",
        [
            (pid, i, c.date.isoformat(), json.dumps([b.value for b in c.benefits]))
            for i, c in enumerate(p.benefit_changes)
        ],
    )
    try:
        conn.executemany(
            "INSERT INTO sessions(id, participant_id, start, minutes, type, attendance, notes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (s.id, pid, s.start.strftime(_DT), s.minutes, s.type.value, s.attendance.value, s.notes)
                for s in p.sessions
            ],
        )
        conn.executemany(
            "INSERT INTO goals(id, participant_id, position, title, category, created, target_date, status, closed_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    g.id,
                    pid,
                    i,
                    g.title,
                    g.category.value,
                    g.created.isoformat(),
                    _iso(g.target_date),
                    g.status.value,
                    _iso(g.closed_on),
                )
                for i, g in enumerate(p.goals)
            ],
        )
    except IntegrityError:
        raise ValidationError(
            "id", "a session or goal id of this record already belongs to another participant"
        ) from None
    conn.executemany(
        "INSERT INTO goal_steps(goal_id, position, text, owner, due, done) VALUES (?, ?, ?, ?, ?, ?)",
        [(g.id, i, s.text, s.owner.value, _iso(s.due), int(s.done)) for g in p.goals for i, s in enumerate(g.steps)],
    )
    conn.executemany(
        "INSERT INTO employer_contacts(participant_id, position, date, employer, kind, notes)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(pid, i, c.date.isoformat(), c.employer, c.kind.value, c.notes) for i, c in enumerate(p.employer_contacts)],
    )
    conn.executemany(
        "INSERT INTO outcomes(participant_id, position, type, date, employer, hours_per_week, hourly_pay_pence)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (pid, i, o.type.value, o.date.isoformat(), o.employer, o.hours_per_week, o.hourly_pay_pence)
            for i, o in enumerate(p.outcomes)
        ],
    )
    conn.executemany(
        "INSERT INTO action_plans_issued(participant_id, date) VALUES (?, ?)",
        [(pid, d.isoformat()) for d in p.action_plans_issued],
    )


def _save_inventory(conn: Connection, pid: str, inventory: SkillsInventory | None) -> None:
    """Keep the inventory's history: one row per completion date. A new date adds a row; the same
    date replaces that row's contents (an edit), so re-importing any older file adds nothing."""
    if inventory is None:
        return
    body = json.dumps(encode(inventory), ensure_ascii=False, sort_keys=True)
    day = inventory.completed_on.isoformat()
    same_day = conn.execute(
        "SELECT pk, body FROM skills_inventories WHERE participant_id = ? AND completed_on = ?", (pid, day)
    ).fetchone()
    if same_day is None:
        conn.execute(
            "INSERT INTO skills_inventories(participant_id, completed_on, body, recorded_at) VALUES (?, ?, ?, ?)",
            (pid, day, body, utc_stamp()),
        )
    elif same_day[1] != body:
        conn.execute(
            "UPDATE skills_inventories SET body = ?, recorded_at = ? WHERE pk = ?", (body, utc_stamp(), same_day[0])
        )


def inventory_history(conn: Connection, pid: str) -> list[SkillsInventory]:
    """Every inventory completed for the participant, oldest first."""
    rows = conn.execute(
        "SELECT body FROM skills_inventories WHERE participant_id = ? ORDER BY completed_on, pk", (pid,)
    ).fetchall()
    return [decode(SkillsInventory, json.loads(r[0])) for r in rows]


def get(conn: Connection, participant_id: str) -> Participant:
    found = load_many(conn, [participant_id])
    if not found:
        raise NotFoundError("No participant with that id is in this vault.")
    return found[0]


def all_ids(conn: Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM participants ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, id"
        )
    ]


def iter_all(conn: Connection, batch: int = _CHUNK) -> Iterator[Participant]:
    """Every participant, in name order, loaded a batch at a time."""
    ids = all_ids(conn)
    for i in range(0, len(ids), batch):
        yield from load_many(conn, ids[i : i + batch])


def load_many(conn: Connection, ids: Sequence[str]) -> list[Participant]:
    """Whole records for `ids` (in that order; unknown ids are left out)."""
    result: list[Participant] = []
    for i in range(0, len(ids), _CHUNK):
        result.extend(_load_chunk(conn, list(ids[i : i + _CHUNK])))
    return result


def _rows(conn: Connection, sql: str, ids: list[str]) -> dict[str, list[tuple]]:
    marks = ",".join("?" * len(ids))
    grouped: dict[str, list[tuple]] = defaultdict(list)
    for row in conn.execute(sql.format(ids=marks), ids):
        grouped[row[0]].append(row[1:])
    return grouped


def _child_rows(conn: Connection, table: str, columns: str, order: str, ids: list[str]) -> dict[str, list[tuple]]:
    """One child table's rows for `ids`, grouped by participant (table and columns are fixed names)."""
    sql = f"SELECT participant_id, {columns} FROM {table} WHERE participant_id IN ({{ids}})"  # noqa: S608
    return _rows(conn, f"{sql} ORDER BY participant_id, {order}", ids)


def _load_chunk(conn: Connection, ids: list[str]) -> list[Participant]:
    marks = ",".join("?" * len(ids))
    base = {
        row[0]: row
        for row in conn.execute(
            f"""SELECT id, given_name, family_name, preferred_name, date_of_birth, sex, nhs_number, phone,
                   email, postcode, practice, referral_date, referral_source, consent_service,
                   consent_share_with_gp, consent_contact_employers, employment_status,
                   benefits_at_referral, conditions, closed_on, closure_reason
                FROM participants WHERE id IN ({marks})""",  # noqa: S608 - placeholders only
            ids,
        )
    }
    changes = _child_rows(conn, "benefit_changes", "date, benefits", "position", ids)
    sessions = _child_rows(conn, "sessions", "id, start, minutes, type, attendance, notes", "start, pk", ids)
    goals = _child_rows(conn, "goals", "id, title, category, created, target_date, status, closed_on", "position", ids)
    steps = _rows(
        conn,
        "SELECT g.participant_id, s.goal_id, s.text, s.owner, s.due, s.done"
        " FROM goal_steps s JOIN goals g ON g.id = s.goal_id"
        " WHERE g.participant_id IN ({ids}) ORDER BY g.participant_id, s.goal_id, s.position",
        ids,
    )
    contacts = _child_rows(conn, "employer_contacts", "date, employer, kind, notes", "position", ids)
    outcomes = _child_rows(conn, "outcomes", "type, date, employer, hours_per_week, hourly_pay_pence", "position", ids)
    plans = _child_rows(conn, "action_plans_issued", "date", "date, pk", ids)
    inventories = _rows(
        conn,
        "SELECT participant_id, body FROM skills_inventories s WHERE participant_id IN ({ids})"
        " AND pk = (SELECT pk FROM skills_inventories t WHERE t.participant_id = s.participant_id"
        " ORDER BY completed_on DESC, pk DESC LIMIT 1)",
        ids,
    )

    records: list[Participant] = []
    for pid in ids:
        row = base.get(pid)
        if row is None:
            continue
        steps_by_goal: dict[str, list[GoalStep]] = defaultdict(list)
        for goal_id, text, owner, due, done in steps.get(pid, []):
            steps_by_goal[goal_id].append(GoalStep(text=text, owner=StepOwner(owner), due=_d(due), done=bool(done)))
        inv = inventories.get(pid)
        records.append(
            Participant(
                id=row[0],
                given_name=row[1],
                family_name=row[2],
                preferred_name=row[3],
                date_of_birth=date.fromisoformat(row[4]),
                sex=Sex(row[5]) if row[5] else None,
                nhs_number=row[6],
                phone=row[7],
                email=row[8],
                postcode=row[9],
                practice=row[10],
                referral_date=date.fromisoformat(row[11]),
                referral_source=ReferralSource(row[12]),
                consent=Consent(service=_d(row[13]), share_with_gp=bool(row[14]), contact_employers=bool(row[15])),
                employment_status=EmploymentStatus(row[16]) if row[16] else None,
                benefits_at_referral=[Benefit(b) for b in json.loads(row[17])],
                conditions=[ConditionCategory(c) for c in json.loads(row[18])],
                benefit_changes=[
                    BenefitChange(date=date.fromisoformat(d), benefits=[Benefit(b) for b in json.loads(bs)])
                    for d, bs in changes.get(pid, [])
                ],
                sessions=[
                    Session(
                        id=sid,
                        start=datetime.strptime(start, _DT),
                        minutes=minutes,
                        type=SessionType(kind),
                        attendance=Attendance(att),
                        notes=notes,
                    )
                    for sid, start, minutes, kind, att, notes in sessions.get(pid, [])
                ],
                skills_inventory=decode(SkillsInventory, json.loads(inv[0][0])) if inv else None,
                goals=[
                    Goal(
                        id=gid,
                        title=title,
                        category=GoalCategory(cat),
                        created=date.fromisoformat(created),
                        target_date=_d(target),
                        status=GoalStatus(status),
                        closed_on=_d(closed),
                        steps=steps_by_goal.get(gid, []),
                    )
                    for gid, title, cat, created, target, status, closed in goals.get(pid, [])
                ],
                employer_contacts=[
                    EmployerContact(date=date.fromisoformat(d), employer=emp, kind=ContactKind(kind), notes=notes)
                    for d, emp, kind, notes in contacts.get(pid, [])
                ],
                outcomes=[
                    Outcome(
                        type=OutcomeType(t),
                        date=date.fromisoformat(d),
                        employer=emp,
                        hours_per_week=h,
                        hourly_pay_pence=pay,
                    )
                    for t, d, emp, h, pay in outcomes.get(pid, [])
                ],
                action_plans_issued=[date.fromisoformat(d) for (d,) in plans.get(pid, [])],
                closed=Closure(date=date.fromisoformat(row[19]), reason=ClosureReason(row[20])) if row[19] else None,
            )
        )
    return records


_SUMMARY_COLUMNS = (
    "id, given_name, family_name, preferred_name, date_of_birth, nhs_number, practice, referral_date, closed_on"
)


def _summary_order(s: ParticipantSummary) -> tuple[str, str, str]:
    return (s.family_name.casefold(), s.given_name.casefold(), s.id)


def _summary(row: tuple) -> ParticipantSummary:
    return ParticipantSummary(
        id=row[0],
        given_name=row[1],
        family_name=row[2],
        preferred_name=row[3],
        date_of_birth=date.fromisoformat(row[4]),
        nhs_number=row[5],
        practice=row[6],
        referral_date=date.fromisoformat(row[7]),
        closed_on=_d(row[8]),
    )


def summaries(conn: Connection, practice: str | None = None, open_only: bool | None = None) -> list[ParticipantSummary]:
    """Caseload rows in name order, optionally for one practice and only open (or only closed) cases."""
    where, args = [], []
    if practice:
        where.append("practice = ?")
        args.append(practice)
    if open_only is True:
        where.append("closed_on IS NULL")
    elif open_only is False:
        where.append("closed_on IS NOT NULL")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    # Sorted here rather than by SQL: walking the name index costs a table lookup per row,
    # several times slower than reading the rows in storage order and sorting them.
    sql = f"SELECT {_SUMMARY_COLUMNS} FROM participants {clause}"  # noqa: S608 - fixed clauses
    return sorted((_summary(r) for r in conn.execute(sql, args)), key=_summary_order)


def summaries_for(conn: Connection, ids: Iterable[str]) -> list[ParticipantSummary]:
    ids = list(ids)
    found: list[ParticipantSummary] = []
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found.extend(
            _summary(r)
            for r in conn.execute(f"SELECT {_SUMMARY_COLUMNS} FROM participants WHERE id IN ({marks})", chunk)  # noqa: S608
        )
    found.sort(key=_summary_order)
    return found


def same_name_and_birth(
    conn: Connection, given: str, family: str, born: date, exclude_id: str | None = None
) -> list[str]:
    """Ids of other participants with this name and date of birth (the duplicate warning)."""
    rows = conn.execute(
        "SELECT id FROM participants WHERE given_name = ? COLLATE NOCASE AND family_name = ? COLLATE NOCASE"
        " AND date_of_birth = ? AND id IS NOT ?",
        (given.strip(), family.strip(), born.isoformat(), exclude_id),
    )
    return [r[0] for r in rows]


def count(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM participants").fetchone()[0])
