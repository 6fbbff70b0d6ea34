"""The participant record page: opening fills every tab, Ctrl+S writes each tab's edits, the
unsaved-changes guard, refused values write nothing, and the header."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coachdesk.domain.codec import encode
from coachdesk.domain.model import Participant
from coachdesk.domain.vocabulary import Attendance, ClosureReason, GoalStatus, OutcomeType
from coachdesk.services import caseload
from coachdesk.storage import participants
from coachdesk.storage.vault import Vault


def rich(people: list[Participant]) -> Participant:
    """A demo participant with something in every part of the record."""
    return next(
        p
        for p in people
        if p.outcomes
        and p.employer_contacts
        and p.skills_inventory
        and p.benefit_changes
        and p.goals
        and p.sessions
        and p.closed is None
    )


@pytest.fixture
def page(controller, qtbot):
    from coachdesk.ui.record.record_page import RecordPage

    widget = RecordPage(controller)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


def press_save(qtbot, page) -> None:
    """Ctrl+S, as the coach presses it, on whatever has focus inside the page."""
    from PySide6.QtCore import Qt

    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=2000)
    target = page.focusWidget() or page.save_button
    qtbot.keyClick(target, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def stored(vault: Vault, pid: str) -> Participant:
    return caseload.load(vault, pid)


def test_empty_page_says_how_to_open_a_record(page) -> None:
    assert page.stack.currentIndex() == 0 and page.nobody.isVisible()
    assert "Caseload" in page.nobody.text()
    assert not page.has_unsaved_changes()
    assert page.maybe_leave()


def test_opening_a_record_fills_every_tab(page, people, controller) -> None:
    from coachdesk.ui.formats import edit_date
    from coachdesk.ui.record.parsing import format_pence

    p = rich(people)
    page.show_participant(p.id)
    assert page.name.text() == p.display_name
    assert controller.policy.practice_name(p.practice) in page.details.text()
    assert "Open" in page.details.text()
    assert page.tabs.currentWidget() is page.sessions

    form = page.profile.form
    assert form.given_name.text() == p.given_name
    assert form.family_name.text() == p.family_name
    assert form.date_of_birth.text() == edit_date(p.date_of_birth)
    assert form.referral_date.text() == edit_date(p.referral_date)
    assert form.benefits.checked() == p.benefits_at_referral
    assert form.conditions.checked() == p.conditions
    assert [r["date"] for r in page.profile.benefit_changes.rows] == [edit_date(c.date) for c in p.benefit_changes]

    rows = page.sessions.rows
    assert [r["id"] for r in rows] == [s.id for s in p.sessions]
    shown = page.sessions.list.current_index()
    assert page.sessions.notes.toPlainText() == p.sessions[shown].notes
    assert page.sessions.attendance.value() == p.sessions[shown].attendance

    inv = p.skills_inventory
    assert inv is not None
    assert page.inventory.completed_on.text() == edit_date(inv.completed_on)
    skills = [(r["name"], r["confidence"]) for r in page.inventory.skills.rows]
    assert skills == [(s.name, s.confidence) for s in inv.skills]
    assert [r["employer"] for r in page.inventory.work.rows] == [w.employer for w in inv.work_history]
    assert page.inventory.barriers.toPlainText().splitlines() == inv.barriers

    assert [r["title"] for r in page.goals.rows] == [g.title for g in p.goals]
    assert [len(r["steps"]) for r in page.goals.rows] == [len(g.steps) for g in p.goals]

    assert [r["employer"] for r in page.employment.contacts.rows] == [c.employer for c in p.employer_contacts]
    assert [r["hourly_pay_pence"] for r in page.employment.outcomes.rows] == [
        format_pence(o.hourly_pay_pence) for o in p.outcomes
    ]
    assert "open" in page.closure.state.text()
    assert not page.has_unsaved_changes()


def test_edits_in_every_tab_are_written_by_ctrl_s(page, people, vault_of, qtbot) -> None:
    p = rich(people)
    page.show_participant(p.id)

    page.tabs.setCurrentWidget(page.profile)
    page.profile.form.phone.setText("07700 900999")
    page.profile.benefit_changes.insert({"date": "01/02/2026", "benefits": []})

    page.tabs.setCurrentWidget(page.sessions)
    page.sessions.list.select(0)
    page.sessions.notes.setPlainText("Talked through the CV; agreed three applications.")
    page.sessions.attendance.set_value(Attendance.DNA)
    page.sessions._attendance_edited()

    page.tabs.setCurrentWidget(page.inventory)
    page.inventory.skills.select(0)
    page.inventory.skills.field("confidence").setValue(5)
    page.inventory.barriers.setPlainText("childcare\nbus fares")
    page.inventory.max_hours.setText("25")

    page.tabs.setCurrentWidget(page.goals)
    page.goals.goals._add_clicked()
    page.goals.goals.field("title").setText("Open a bank account")
    page.goals.steps._add_clicked()
    page.goals.steps.field("text").setText("Bring two proofs of address")
    page.goals.steps.field("due").setText("15/12/2026")

    page.tabs.setCurrentWidget(page.employment)
    page.employment.outcomes._add_clicked()
    outcomes = page.employment.outcomes
    outcomes.field("date").setText("05/01/2026")
    outcomes.field("employer").setText("Angel Bakery")
    outcomes.field("hours_per_week").setText("16")
    outcomes.field("hourly_pay_pence").setText("£12.85")

    page.tabs.setCurrentWidget(page.closure)
    page.closure.date.setText(date.today().strftime("%d/%m/%Y"))
    page.closure.reason.set_value(ClosureReason.MOVED_AWAY)
    page.closure.close_case()

    assert page.has_unsaved_changes()
    press_save(qtbot, page)
    assert page.problem.text() == ""
    assert not page.has_unsaved_changes()

    after = stored(vault_of, p.id)
    assert after.phone == "07700 900999"
    assert after.benefit_changes[-1].date == date(2026, 2, 1)
    assert after.sessions[0].notes == "Talked through the CV; agreed three applications."
    assert after.sessions[0].attendance == Attendance.DNA
    assert after.skills_inventory is not None
    assert after.skills_inventory.skills[0].confidence == 5
    assert after.skills_inventory.barriers == ["childcare", "bus fares"]
    assert after.skills_inventory.preferences.max_hours == 25
    goal = after.goals[-1]
    assert goal.title == "Open a bank account" and goal.created == date.today() and goal.status == GoalStatus.OPEN
    assert goal.steps[0].text == "Bring two proofs of address" and goal.steps[0].due == date(2026, 12, 15)
    job = after.outcomes[-1]
    assert (job.type, job.date, job.employer, job.hours_per_week, job.hourly_pay_pence) == (
        OutcomeType.JOB_START,
        date(2026, 1, 5),
        "Angel Bakery",
        16,
        1285,
    )
    assert after.closed is not None and after.closed.reason == ClosureReason.MOVED_AWAY
    assert "Closed" in page.details.text()
    # Everything not edited is as it was.
    assert after.sessions[1:] == p.sessions[1:]
    assert after.employer_contacts == p.employer_contacts
    assert after.action_plans_issued == p.action_plans_issued


def test_guard_cancel_keeps_the_coach_on_the_record(page, people, vault_of, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    p = rich(people)
    page.show_participant(p.id)
    page.sessions.notes.setPlainText("Half-written note")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert page.maybe_leave() is False
    assert page.sessions.notes.toPlainText() == "Half-written note"
    assert page.has_unsaved_changes()
    assert stored(vault_of, p.id) == p


def test_guard_discard_drops_the_edits(page, people, vault_of, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    p = rich(people)
    page.show_participant(p.id)
    index = page.sessions.list.current_index()
    page.sessions.notes.setPlainText("Not wanted after all")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert page.maybe_leave() is True
    assert not page.has_unsaved_changes()
    assert page.sessions.rows[index]["notes"] == p.sessions[index].notes
    assert stored(vault_of, p.id) == p


def test_guard_save_writes(page, people, vault_of, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    p = rich(people)
    page.show_participant(p.id)
    index = page.sessions.list.current_index()
    page.sessions.notes.setPlainText("Saved on the way out")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Save)
    assert page.maybe_leave() is True
    assert stored(vault_of, p.id).sessions[index].notes == "Saved on the way out"


def test_no_question_without_changes(page, people, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    def never(*_a: object, **_k: object) -> None:
        raise AssertionError("asked with nothing to save")

    monkeypatch.setattr(QMessageBox, "question", never)
    p = rich(people)
    page.show_participant(p.id)
    assert page.maybe_leave()
    # An edit typed and then undone by hand is not an unsaved change either.
    original = page.profile.form.phone.text()
    page.profile.form.phone.setText("0")
    page.profile.form.phone.setText(original)
    assert page.maybe_leave()


@pytest.mark.parametrize(
    "case",
    [
        ("hours_per_week", "200", "Hours a week"),
        ("hourly_pay_pence", "abc", "Hourly pay"),
        ("hourly_pay_pence", "9.405", "Hourly pay"),
        ("date", "31/02/2026", "Date"),
    ],
)
def test_a_bad_value_is_named_and_nothing_is_written(page, people, vault_of, case) -> None:
    field, typed, named = case
    p = rich(people)
    page.show_participant(p.id)
    page.tabs.setCurrentWidget(page.profile)
    page.profile.form.phone.setText("07700 900111")  # a good edit in another tab: not written either
    outcomes = page.employment.outcomes
    outcomes.select(0)
    outcomes.field(field).setText(typed)
    assert page.save() is False
    assert page.tabs.currentWidget() is page.employment
    assert named in page.problem.text()
    assert "Outcome 1" in page.problem.text()
    assert outcomes.current_index() == 0
    assert page.has_unsaved_changes()
    assert encode(stored(vault_of, p.id)) == encode(p)


def test_a_record_rule_names_its_tab_and_field(page, people, vault_of) -> None:
    p = rich(people)
    page.show_participant(p.id)
    page.tabs.setCurrentWidget(page.profile)
    goals = page.goals.goals
    goals.select(0)
    created = p.goals[0].created
    goals.field("target_date").setText((created - timedelta(days=1)).strftime("%d/%m/%Y"))
    assert page.save() is False
    assert page.tabs.currentWidget() is page.goals
    assert "Goal 1: Target date" in page.problem.text()
    assert encode(stored(vault_of, p.id)) == encode(p)


def test_a_profile_problem_goes_to_the_profile(page, people, vault_of) -> None:
    p = rich(people)
    page.show_participant(p.id)
    page.profile.form.nhs_number.setText("123 456 7890")
    assert page.save() is False
    assert page.tabs.currentWidget() is page.profile
    assert "NHS number" in page.problem.text()
    assert encode(stored(vault_of, p.id)) == encode(p)


def test_sustained_13_weeks_is_dated_from_the_latest_job_start(page, vault_of) -> None:
    from coachdesk.domain.model import Outcome
    from coachdesk.domain.vocabulary import ReferralSource

    p = Participant(
        given_name="Amina",
        family_name="Okafor",
        date_of_birth=date(1984, 3, 12),
        practice="P01",
        referral_date=date(2025, 10, 1),
        referral_source=ReferralSource.GP,
        outcomes=[
            Outcome(type=OutcomeType.JOB_START, date=date(2025, 11, 3), employer="Old job"),
            Outcome(
                type=OutcomeType.JOB_START,
                date=date(2026, 1, 5),
                employer="Angel Bakery",
                hours_per_week=16,
                hourly_pay_pence=1285,
            ),
        ],
    )
    with vault_of.transaction() as conn:
        participants.save(conn, p)
    page.show_participant(p.id)
    page.employment.sustained_13.click()
    row = page.employment.outcomes.current_row()
    assert row is not None
    assert (row["type"], row["date"], row["employer"], row["hourly_pay_pence"]) == (
        OutcomeType.SUSTAINED_13_WEEKS,
        "06/04/2026",
        "Angel Bakery",
        "£12.85",
    )
    assert page.save()
    saved = stored(vault_of, p.id).outcomes[-1]
    assert (saved.type, saved.date) == (OutcomeType.SUSTAINED_13_WEEKS, date(2026, 4, 6))


def test_sustainment_without_a_job_start_says_what_to_do(page, people) -> None:
    p = next(x for x in people if not x.outcomes)
    page.show_participant(p.id)
    page.employment.sustained_26.click()
    assert page.employment.outcomes.rows == []
    assert "job start first" in page.employment.notice.text()


def test_goal_closed_on_follows_its_status(page, people, vault_of) -> None:
    p = next(x for x in people if any(g.status == GoalStatus.OPEN for g in x.goals))
    index = next(i for i, g in enumerate(p.goals) if g.status == GoalStatus.OPEN)
    page.show_participant(p.id)
    page.goals.goals.select(index)
    page.goals.status.set_value(GoalStatus.ACHIEVED)
    page.goals.status.edited.emit()
    assert page.goals.closed_on.text() == date.today().strftime("%d/%m/%Y")
    assert page.save()
    goal = stored(vault_of, p.id).goals[index]
    assert (goal.status, goal.closed_on) == (GoalStatus.ACHIEVED, date.today())


def test_reopening_a_closed_case(page, people, vault_of) -> None:
    p = next(x for x in people if x.closed is not None)
    page.show_participant(p.id)
    assert "Closed" in page.details.text()
    assert "closed" in page.closure.state.text()
    page.closure.reopen_button.click()
    assert page.save()
    assert stored(vault_of, p.id).closed is None
    assert "Open" in page.details.text()
