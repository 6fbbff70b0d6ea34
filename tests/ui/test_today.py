"""Today: what is booked, who has not been seen, which steps are due, at the chosen practice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont

from coachdesk.domain.model import Goal, GoalStep, Participant, Session
from coachdesk.domain.vocabulary import Attendance, GoalStatus, ReferralSource, SessionType, StepOwner
from coachdesk.services import caseload
from coachdesk.storage import participants
from coachdesk.storage.vault import Vault
from coachdesk.ui.controller import AppController
from coachdesk.ui.today_page import ID_ROLE, Section, TodayPage, long_date

TODAY = date.today()


def _person(
    given: str, family: str, practice: str = "P01", referred_days_ago: int = 120, **extra: object
) -> Participant:
    return Participant(
        given_name=given,
        family_name=family,
        date_of_birth=date(1980, 5, 17),
        practice=practice,
        referral_date=TODAY - timedelta(days=referred_days_ago),
        referral_source=ReferralSource.GP,
        **extra,  # type: ignore[arg-type]
    )


def _session(
    days_from_today: int,
    at: time = time(10, 30),
    attendance: Attendance = Attendance.ATTENDED,
    kind: SessionType = SessionType.REVIEW,
    minutes: int | None = 45,
) -> Session:
    return Session(
        start=datetime.combine(TODAY + timedelta(days=days_from_today), at),
        minutes=minutes,
        type=kind,
        attendance=attendance,
    )


def _steps_goal(*steps: GoalStep, status: GoalStatus = GoalStatus.OPEN) -> Goal:
    return Goal(title="Find part-time work", created=TODAY - timedelta(days=30), status=status, steps=list(steps))


@pytest.fixture
def diary(vault_of: Vault) -> dict[str, Participant]:
    """One person for each way of appearing on Today (and a few who must not)."""
    people = {
        # Booked today at P01, two of them, in time order (the later one added first).
        "late": _person(
            "Wilhelmina",
            "Latebooking",
            sessions=[_session(-7), _session(0, time(14, 0), Attendance.BOOKED, SessionType.TELEPHONE, 15)],
        ),
        "booked": _person(
            "Quentin",
            "Bookedtoday",
            sessions=[_session(-7), _session(0, time(9, 15), Attendance.BOOKED, SessionType.INITIAL_ASSESSMENT, 60)],
        ),
        # Booked today, but at the other practice.
        "other_practice": _person(
            "Ottoline",
            "Elsewhere",
            practice="P02",
            sessions=[_session(-7), _session(0, time(11, 0), Attendance.BOOKED)],
        ),
        # Last seen five weeks ago, nothing booked.
        "five_weeks": _person(
            "Fenella", "Fiveweeks", sessions=[_session(-35), _session(-14, attendance=Attendance.DNA)]
        ),
        # Referred six weeks ago and never seen.
        "never": _person("Neville", "Neverseen", referred_days_ago=42),
        # Seen three weeks ago: not on the not-seen list.
        "recent": _person("Rosalind", "Recentvisit", sessions=[_session(-21)]),
        # Five weeks since seen, but booked next week: not on the not-seen list.
        "rebooked": _person("Barnaby", "Rebooked", sessions=[_session(-35), _session(7, attendance=Attendance.BOOKED)]),
        # Steps: one overdue, one due in three days, one due next month, one done.
        "steps": _person(
            "Stellan",
            "Stepsdue",
            sessions=[_session(-3)],
            goals=[
                _steps_goal(
                    GoalStep(
                        text="Ring the library about volunteering",
                        owner=StepOwner.PARTICIPANT,
                        due=TODAY - timedelta(days=2),
                    ),
                    GoalStep(text="Send two applications", owner=StepOwner.COACH, due=TODAY + timedelta(days=3)),
                    GoalStep(text="Update the CV", due=TODAY + timedelta(days=30)),
                    GoalStep(text="Open a bank account", due=TODAY - timedelta(days=1), done=True),
                )
            ],
        ),
        # A step due, but the goal is achieved: not listed.
        "achieved": _person(
            "Augustina",
            "Achievedgoal",
            sessions=[_session(-3)],
            goals=[
                _steps_goal(
                    GoalStep(text="Buy interview clothes", due=TODAY + timedelta(days=1)), status=GoalStatus.ACHIEVED
                )
            ],
        ),
    }
    with vault_of.transaction() as conn:
        for p in people.values():
            participants.save(conn, p)
    return people


@pytest.fixture
def page(controller: AppController, qtbot) -> TodayPage:
    # The remembered practice lives in QSettings, whose file Qt fixes once per process: another test
    # may have left it at P02.
    controller.set_practice("P01")
    today = TodayPage(controller)
    qtbot.addWidget(today)
    today.resize(1200, 800)
    today.show()
    return today


def _names(section: Section) -> list[str]:
    return [section.model.index(r, section.model.headers.index("Name")).data() for r in range(section.model.rowCount())]


def _row_text(section: Section, row: int) -> list[str]:
    return [section.model.index(row, c).data() for c in range(section.model.columnCount())]


def test_heading_and_practices(page: TodayPage, controller: AppController) -> None:
    assert long_date(date(2026, 11, 23)) == "Monday 23 November 2026"
    assert long_date(TODAY) in page.heading.text()
    assert [page.practice.itemData(i) for i in range(page.practice.count())] == ["P01", "P02"]
    assert page.practice.currentData() == controller.practice == "P01"
    assert "City Road Medical Centre" in page.practice.currentText()


def test_sections_show_exactly_the_expected_people(page: TodayPage, diary: dict[str, Participant]) -> None:
    page.refresh()
    assert _names(page.sessions) == ["Quentin Bookedtoday", "Wilhelmina Latebooking"]
    first = _row_text(page.sessions, 0)
    assert first[0] == "09:15"
    assert first[2].startswith("Initial assessment")
    assert first[3] == "Booked"
    assert page.sessions.table.isVisible() and not page.sessions.empty.isVisible()

    assert _names(page.not_seen) == ["Neville Neverseen", "Fenella Fiveweeks"]
    never, five = _row_text(page.not_seen, 0), _row_text(page.not_seen, 1)
    assert never[1] == f"Never since referral on {long_date(TODAY - timedelta(days=42))}"
    assert long_date(TODAY - timedelta(days=35)) in five[1] and "5 weeks ago" in five[1]

    assert _names(page.steps) == ["Stellan Stepsdue", "Stellan Stepsdue"]
    overdue, soon = _row_text(page.steps, 0), _row_text(page.steps, 1)
    assert overdue[0] == f"Overdue: {long_date(TODAY - timedelta(days=2))}"  # in words, not colour alone
    assert overdue[2] == "Ring the library about volunteering" and overdue[4] == "Find part-time work"
    assert page.steps.model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert page.steps.model.index(0, 1).data(Qt.ItemDataRole.FontRole) is None
    assert soon[0] == long_date(TODAY + timedelta(days=3)) and soon[2] == "Send two applications"
    assert soon[3] == "Coach"
    assert not isinstance(page.steps.model.index(1, 0).data(Qt.ItemDataRole.FontRole), QFont)


def test_switching_practice_filters_every_section(
    page: TodayPage, controller: AppController, diary: dict[str, Participant]
) -> None:
    page.refresh()
    page.practice.setCurrentIndex(page.practice.findData("P02"))
    assert controller.practice == "P02"
    assert _names(page.sessions) == ["Ottoline Elsewhere"]
    assert _names(page.not_seen) == []
    assert _names(page.steps) == []
    assert page.not_seen.empty.isVisible() and not page.not_seen.table.isVisible()
    assert page.steps.empty.text() == "No goal steps are due this week."
    # Remembered by the controller for the next page that asks.
    controller.set_practice("P01")
    assert page.practice.currentData() == "P01"
    assert _names(page.sessions) == ["Quentin Bookedtoday", "Wilhelmina Latebooking"]


def test_empty_states(page: TodayPage) -> None:
    page.refresh()
    for section in page.sections:
        assert section.model.rowCount() == 0
        assert section.empty.isVisible() and section.empty.text()
        assert not section.table.isVisible()
    assert page.sessions.empty.text().startswith("No sessions booked here today.")


def test_double_click_and_enter_open_the_record(
    page: TodayPage, controller: AppController, diary: dict[str, Participant], qtbot
) -> None:
    page.refresh()
    table = page.not_seen.table
    index = table.model().index(1, 0)
    qtbot.waitUntil(lambda: table.visualRect(index).height() > 0 and table.viewport().height() > 0, timeout=1000)
    where = table.visualRect(index).center()
    with qtbot.waitSignal(controller.open_participant, timeout=1000) as opened:
        # As a real double-click arrives: a press (the view remembers the pressed row), then the double-click.
        qtbot.mousePress(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert opened.args == [diary["five_weeks"].id]

    steps = page.steps.table
    steps.setFocus()
    steps.setCurrentIndex(steps.model().index(0, 2))
    with qtbot.waitSignal(controller.open_participant, timeout=1000) as opened:
        qtbot.keyClick(steps, Qt.Key.Key_Return)
    assert opened.args == [diary["steps"].id]


def test_a_change_to_a_participant_refreshes_the_lists(page: TodayPage, vault_of: Vault, qtbot) -> None:
    page.refresh()
    assert _names(page.sessions) == []
    newcomer = _person(
        "Imogen", "Newcomer", referred_days_ago=1, sessions=[_session(0, time(16, 0), Attendance.BOOKED)]
    )
    caseload.register(vault_of, newcomer, TODAY)  # announces the change, as the register dialog would
    qtbot.waitUntil(lambda: _names(page.sessions) == ["Imogen Newcomer"], timeout=2000)


def test_clear_sensitive_empties_every_list(page: TodayPage, diary: dict[str, Participant]) -> None:
    page.refresh()
    assert all(s.model.rowCount() for s in page.sections)
    page.clear_sensitive()
    for section in page.sections:
        assert section.model.rowCount() == 0
        assert section.model.index(0, 0).data() is None
        assert section.model.data(QModelIndex(), ID_ROLE) is None
    # An answer that arrives after the lock does not fill them again.
    page._show(page._request - 1, caseload.Today(TODAY, "P01", [], [], []))
    assert all(s.model.rowCount() == 0 for s in page.sections)


def test_nothing_is_asked_while_locked(
    page: TodayPage, controller: AppController, diary: dict[str, Participant]
) -> None:
    controller.lock()
    page.clear_sensitive()
    page.refresh()
    assert all(s.model.rowCount() == 0 for s in page.sections)
