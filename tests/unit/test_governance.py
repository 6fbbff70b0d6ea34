"""Erasure on request and after the retention period (issue 8): every row, index entry, draft and
audit link of the participant goes; the audit chain still verifies; nobody else is touched."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from coachdesk.domain.errors import CoachDeskError, NotFoundError
from coachdesk.domain.model import Closure, Goal, GoalStep, Participant, Session
from coachdesk.domain.vocabulary import ClosureReason, GoalCategory, ReferralSource, SessionType
from coachdesk.services import caseload, events, governance
from coachdesk.storage import audit, drafts, participants
from coachdesk.storage.search import search_ids
from coachdesk.storage.vault import Vault

TODAY = date(2026, 11, 23)
CHILD_TABLES = (
    "benefit_changes",
    "sessions",
    "skills_inventories",
    "goals",
    "employer_contacts",
    "outcomes",
    "action_plans_issued",
    "drafts",
)


def person(pid: str, family: str, closed: date | None = None) -> Participant:
    return Participant(
        id=pid,
        given_name="Alex",
        family_name=family,
        date_of_birth=date(1984, 3, 12),
        practice="P01",
        referral_date=date(2015, 10, 1),
        referral_source=ReferralSource.GP,
        sessions=[
            Session(id=f"{pid}-s", start=datetime(2015, 10, 5, 10), type=SessionType.REVIEW, notes=f"{family} notes")
        ],
        goals=[
            Goal(
                id=f"{pid}-g",
                title="Find work",
                category=GoalCategory.WORK,
                created=date(2015, 10, 5),
                steps=[GoalStep(text="Write a CV")],
            )
        ],
        action_plans_issued=[date(2015, 10, 5)],
        closed=Closure(date=closed, reason=ClosureReason.MOVED_AWAY) if closed else None,
    )


@pytest.fixture
def filled(vault: Vault) -> Vault:
    for p in (person("a", "Quennell"), person("b", "Wethers"), person("c", "Oldcase", closed=date(2019, 3, 1))):
        caseload.register(vault, p, TODAY)
    with vault.transaction() as conn:
        drafts.save(conn, "new-session:a", "a", "draft about Quennell")
    caseload.save_record(vault, caseload.load(vault, "a"), TODAY)
    return vault


def rows_of(vault: Vault, pid: str) -> dict[str, int]:
    conn = vault.conn
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t} WHERE participant_id = ?", (pid,)).fetchone()[0]  # noqa: S608
        for t in CHILD_TABLES
    }
    counts["goal_steps"] = conn.execute("SELECT count(*) FROM goal_steps WHERE goal_id = ?", (f"{pid}-g",)).fetchone()[
        0
    ]
    counts["participants"] = conn.execute("SELECT count(*) FROM participants WHERE id = ?", (pid,)).fetchone()[0]
    return counts


def test_erasing_one_participant_leaves_nothing_of_them(filled: Vault) -> None:
    assert rows_of(filled, "a")["drafts"] == 1
    heard: list[str] = []
    events.subscribe(events.PARTICIPANT_CHANGED, heard.append)
    try:
        governance.erase_participant(filled, "a")
    finally:
        events.unsubscribe(events.PARTICIPANT_CHANGED, heard.append)
    assert heard == ["a"]
    assert set(rows_of(filled, "a").values()) == {0}
    assert search_ids(filled.conn, "Quennell") == []
    assert search_ids(filled.conn, "Wethers") == ["b"]  # the index still works for everyone else
    assert rows_of(filled, "b")["sessions"] == 1
    conn = filled.conn
    log = audit.entries(conn)
    assert "a" not in {e.record_id for e in log}
    assert log[0].action == "participant.erased" and log[0].record_id is None
    assert [e.action for e in log].count("participant.created") == 3  # the entries stay; only the link goes
    assert audit.verify_chain(conn) is None
    assert filled.check() == []
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0  # vacuumed


def test_erasing_an_unknown_id_says_so_and_changes_nothing(filled: Vault) -> None:
    before = audit.count(filled.conn)
    with pytest.raises(NotFoundError, match="nothing was erased"):
        governance.erase_participant(filled, "nobody")
    assert audit.count(filled.conn) == before


def test_a_later_edit_of_the_audit_log_still_breaks_the_resealed_chain(filled: Vault) -> None:
    governance.erase_participant(filled, "b")
    with filled.transaction() as conn:
        conn.execute("UPDATE audit_log SET action = 'participant.viewed' WHERE seq = 2")
    assert audit.verify_chain(filled.conn) == "audit entry 2 has been altered"


def test_the_sync_outbox_is_left_alone(filled: Vault) -> None:
    from coachdesk.sync import outbox

    outbox.refresh(filled, TODAY)
    before = [(m.period, m.revision, m.bundle) for m in outbox.months(filled)]
    governance.erase_participant(filled, "a")
    assert [(m.period, m.revision, m.bundle) for m in outbox.months(filled)] == before


@pytest.mark.parametrize(
    ("today", "years", "cutoff"),
    [
        (date(2026, 11, 23), 6, date(2020, 11, 23)),
        (date(2028, 2, 29), 6, date(2022, 2, 28)),
        (date(2028, 2, 29), 4, date(2024, 2, 29)),
    ],
)
def test_retention_cutoff(today: date, years: int, cutoff: date) -> None:
    assert governance.retention_cutoff(today, years) == cutoff


def test_cases_past_retention_are_listed_and_erased_on_the_confirmed_count(filled: Vault) -> None:
    # Closed on 1 March 2019, six years' retention: due on 1 March 2025, not a day before.
    assert [s.id for s in governance.past_retention(filled, date(2025, 2, 28))] == []
    assert [s.id for s in governance.past_retention(filled, date(2025, 3, 1))] == ["c"]
    with pytest.raises(CoachDeskError, match="has changed"):
        governance.erase_past_retention(filled, TODAY, expected=2)
    assert participants.exists(filled.conn, "c")
    steps: list[tuple[int, int]] = []
    assert governance.erase_past_retention(filled, TODAY, expected=1, progress=lambda d, t: steps.append((d, t))) == 1
    assert not participants.exists(filled.conn, "c") and participants.exists(filled.conn, "a")
    assert steps[-1] == (1, 1)
