"""Record tabs in more depth: the skills inventory's history and distance travelled, booking and
editing sessions, and empty states that tell the coach what to do first."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from coachdesk.domain.model import Participant, Preferences, Skill, SkillsInventory
from coachdesk.domain.vocabulary import Attendance, ReferralSource, SessionType
from coachdesk.services import caseload
from coachdesk.storage import participants
from coachdesk.storage.vault import Vault


@pytest.fixture
def page(controller, qtbot):
    from coachdesk.ui.record.record_page import RecordPage

    widget = RecordPage(controller)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


def _new_referral(vault: Vault, **fields: object) -> Participant:
    p = Participant(
        given_name="Amina",
        family_name="Okafor",
        date_of_birth=date(1984, 3, 12),
        practice="P01",
        referral_date=date(2026, 1, 5),
        referral_source=ReferralSource.GP,
        **fields,
    )  # type: ignore[arg-type]
    with vault.transaction() as conn:
        participants.save(conn, p)
    return p


def _save_inventory(vault: Vault, p: Participant, inv: SkillsInventory) -> None:
    p.skills_inventory = inv
    with vault.transaction() as conn:
        participants.save(conn, p)


def test_distance_travelled_shows_the_deltas(page, vault_of) -> None:
    p = _new_referral(vault_of)
    _save_inventory(
        vault_of,
        p,
        SkillsInventory(
            completed_on=date(2026, 1, 12),
            skills=[
                Skill(name="Cooking", confidence=2),
                Skill(name="Driving", confidence=4),
                Skill(name="Customer service", confidence=3),
            ],
            barriers=["childcare", "confidence"],
        ),
    )
    _save_inventory(
        vault_of,
        p,
        SkillsInventory(
            completed_on=date(2026, 4, 13),
            skills=[
                Skill(name="Cooking", confidence=4),
                Skill(name="Driving", confidence=4),
                Skill(name="Customer service", confidence=2),
                Skill(name="Spreadsheets", confidence=1),
            ],
            barriers=["confidence", "bus fares"],
        ),
    )
    page.show_participant(p.id)
    view = page.inventory.distance
    rows = [[view.model.item(r, c).text() for c in range(4)] for r in range(view.model.rowCount())]
    assert rows == [
        ["Cooking", "2", "4", "+2"],
        ["Driving", "4", "4", "no change"],
        ["Customer service", "3", "2", "\u22121"],
        ["Spreadsheets", "", "1", "added"],
    ]
    assert "12 Jan 2026 to 13 Apr 2026" in view.summary.text()
    assert "childcare" in view.removed.text() and "confidence" not in view.removed.text()
    assert "bus fares" in view.added.text()
    assert "12 Jan 2026, 13 Apr 2026" in page.inventory.history_label.text()


def test_one_inventory_explains_how_distance_travelled_appears(page, vault_of) -> None:
    p = _new_referral(vault_of)
    only = SkillsInventory(completed_on=date(2026, 1, 12), skills=[Skill(name="DIY", confidence=3)])
    _save_inventory(vault_of, p, only)
    page.show_participant(p.id)
    view = page.inventory.distance
    assert view.stack.currentWidget() is view.empty
    assert "Record a new inventory" in view.empty.text()


def test_record_a_new_inventory_keeps_the_history(page, vault_of) -> None:
    p = _new_referral(vault_of)
    first = SkillsInventory(
        completed_on=date(2026, 1, 12),
        skills=[Skill(name="Cooking", confidence=2)],
        preferences=Preferences(min_hours=16),
        barriers=["childcare"],
    )
    _save_inventory(vault_of, p, first)
    page.show_participant(p.id)
    page.tabs.setCurrentWidget(page.inventory)
    page.inventory.new_button.click()
    assert page.inventory.completed_on.text() == date.today().strftime("%d/%m/%Y")
    assert [r["name"] for r in page.inventory.skills.rows] == ["Cooking"]  # starts from the last one
    page.inventory.skills.select(0)
    page.inventory.skills.field("confidence").setValue(4)
    assert page.save()
    history = caseload.inventory_history(vault_of, p.id)
    assert [h.completed_on for h in history] == [date(2026, 1, 12), date.today()]
    assert history[0] == first
    assert history[1].skills[0].confidence == 4
    view = page.inventory.distance
    assert [view.model.item(0, c).text() for c in range(4)] == ["Cooking", "2", "4", "+2"]


def test_starting_the_first_inventory(page, vault_of) -> None:
    p = _new_referral(vault_of)
    page.show_participant(p.id)
    page.tabs.setCurrentWidget(page.inventory)
    assert page.inventory.stack.currentIndex() == 0  # the empty state, with its button
    page.inventory.start_button.click()
    page.inventory.work._add_clicked()
    work = page.inventory.work
    work.field("employer").setText("Angel Bakery")
    work.field("role").setText("Counter assistant")
    work.field("start").setText("2019-03")
    page.inventory.qualifications._add_clicked()
    page.inventory.qualifications.field("title").setText("Food hygiene level 2")
    page.inventory.qualifications.field("year").setText("2018")
    page.inventory.skills._add_clicked()
    page.inventory.skills.field("name").setText("Baking")
    page.inventory.job_types.setPlainText("retail\nbakery")
    assert page.save()
    inv = caseload.load(vault_of, p.id).skills_inventory
    assert inv is not None
    assert inv.completed_on == date.today()
    job = inv.work_history[0]
    assert (job.employer, job.role, job.start, job.end) == ("Angel Bakery", "Counter assistant", "2019-03", None)
    assert (inv.qualifications[0].title, inv.qualifications[0].year) == ("Food hygiene level 2", 2018)
    assert (inv.skills[0].name, inv.skills[0].confidence) == ("Baking", 3)
    assert inv.preferences.job_types == ["retail", "bakery"]


def test_a_bad_month_in_work_history_is_named(page, vault_of) -> None:
    p = _new_referral(vault_of)
    _save_inventory(vault_of, p, SkillsInventory(completed_on=date(2026, 1, 12)))
    page.show_participant(p.id)
    page.inventory.work._add_clicked()
    page.inventory.work.field("start").setText("March 2019")
    assert not page.save()
    assert page.tabs.currentWidget() is page.inventory
    assert "Work history 1: From" in page.problem.text()
    assert caseload.load(vault_of, p.id).skills_inventory.work_history == []


def test_booking_then_recording_attendance_and_notes(page, vault_of) -> None:
    p = _new_referral(vault_of)
    page.show_participant(p.id)
    assert "book the first appointment" in page.sessions.list.empty.text()

    def book(dialog) -> bool:
        dialog.date.setText("19/01/2026")
        dialog.time.set_value(time(14, 30))
        dialog.minutes.setText("45")
        dialog.accept()
        return dialog.result() == 1

    page.sessions._exec = book
    page.sessions.book_session()
    assert page.sessions.list.current_row()["type"] == SessionType.INITIAL_ASSESSMENT  # the first is the assessment
    page.sessions.attendance.set_value(Attendance.ATTENDED)
    page.sessions._attendance_edited()
    page.sessions.notes.setPlainText("Initial assessment; wants retail work.")
    assert page.save()
    s = caseload.load(vault_of, p.id).sessions[0]
    assert (s.start.isoformat(), s.minutes, s.type, s.attendance, s.notes) == (
        "2026-01-19T14:30:00",
        45,
        SessionType.INITIAL_ASSESSMENT,
        Attendance.ATTENDED,
        "Initial assessment; wants retail work.",
    )


def test_editing_a_session_refuses_a_bad_length(page, vault_of) -> None:
    from coachdesk.domain.model import Session

    p = _new_referral(
        vault_of, sessions=[Session(start=datetime(2026, 1, 19, 10, 0), minutes=30, type=SessionType.REVIEW)]
    )
    page.show_participant(p.id)
    seen: list[str] = []

    def edit(dialog) -> bool:
        dialog.minutes.setText("900")
        dialog.accept()
        seen.append(dialog.message.text())
        dialog.minutes.setText("50")
        dialog.type.set_value(SessionType.JOB_SEARCH)
        dialog.accept()
        return dialog.result() == 1

    page.sessions._exec = edit
    page.sessions.edit_session()
    assert "600" in seen[0]
    assert page.save()
    s = caseload.load(vault_of, p.id).sessions[0]
    assert (s.minutes, s.type) == (50, SessionType.JOB_SEARCH)


def test_empty_record_tabs_guide_the_coach(page, vault_of) -> None:
    p = _new_referral(vault_of)
    page.show_participant(p.id)
    assert page.tabs.currentWidget() is page.profile  # nothing booked yet: start with the referral
    assert "No goals yet" in page.goals.goals.empty.text()
    assert page.goals.goals.empty.isVisibleTo(page.goals) and not page.goals.goals.view.isVisibleTo(page.goals)
    assert "No employer contacts yet" in page.employment.contacts.empty.text()
    assert "No skills inventory yet" in page.inventory.stack.widget(0).findChild(type(page.name)).text()
    assert "No action plan printed yet" in page.goals.plans.text()


def test_the_record_follows_a_change_made_elsewhere(page, vault_of, controller) -> None:
    p = _new_referral(vault_of)
    page.show_participant(p.id)
    p.action_plans_issued = [date.today() - timedelta(days=1)]
    with vault_of.transaction() as conn:
        participants.save(conn, p)
    controller.participant_changed.emit(p.id)  # as printing the action plan would announce it
    assert "Action plans printed" in page.goals.plans.text()


def _next_tab_stop(widget):
    """The widget Tab moves to from `widget` (its own scroll bars and viewport are not stops)."""
    from PySide6.QtCore import Qt

    step = widget.nextInFocusChain()
    while widget.isAncestorOf(step) or not step.focusPolicy() & Qt.FocusPolicy.TabFocus:
        step = step.nextInFocusChain()
    return step


def test_keyboard_goes_from_a_list_to_its_form(page, people) -> None:
    p = max(people, key=lambda x: len(x.goals))
    page.show_participant(p.id)
    assert _next_tab_stop(page.sessions.list.view) is page.sessions.attendance
    assert _next_tab_stop(page.sessions.attendance) is page.sessions.notes
    assert _next_tab_stop(page.goals.goals.view) is page.goals.goals.field("title")
    assert _next_tab_stop(page.employment.outcomes.field("hourly_pay_pence")) is page.employment.outcomes.add_button


def test_the_page_works_with_the_real_worker_thread(qapp, vault_folder, qtbot) -> None:
    """Loading and saving run on the vault's own thread; results arrive on the GUI thread."""
    from coachdesk.ui.controller import AppController, unlock_info
    from coachdesk.ui.record.record_page import RecordPage
    from coachdesk.ui.worker import VaultWorker

    vault = vault_folder.open()
    p = _new_referral(vault)
    controller = AppController(vault_folder.path, VaultWorker())
    controller.worker.holder.vault = vault
    controller.opened(unlock_info(vault))
    try:
        page = RecordPage(controller)
        qtbot.addWidget(page)
        page.show_participant(p.id)
        qtbot.waitUntil(lambda: page.participant_id == p.id, timeout=5000)
        page.goals.goals._add_clicked()
        page.goals.goals.field("title").setText("Visit the library's job club")
        assert page.save()
        qtbot.waitUntil(lambda: not page.has_unsaved_changes(), timeout=5000)
        assert controller.worker.wait_idle()
        assert [g.title for g in caseload.load(vault, p.id).goals] == ["Visit the library's job club"]
    finally:
        controller.shutdown()
