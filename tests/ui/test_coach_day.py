"""A coach's first day, end to end through the real widgets (issue 3, item 9): the setup wizard on
an empty folder → register a referral → book a session and write its note → a goal with two
steps → Ctrl+S → Ctrl+L → unlock → find them again by a word from the note → everything is still
there, on screen and in the vault once it is closed and opened again.

One test, on purpose: each step starts from what the previous one left behind, as the coach's day
does. The vault worker is synchronous (conftest.py), so a click that starts a job has finished it
when the click returns."""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterator
from datetime import date, time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QMessageBox, QWidget, QWizard

# tests/ui has no __init__.py, so pytest puts it on sys.path: plain helpers come from their tests.
from test_caseload import search_for
from test_record_page import press_save
from test_register import choose, type_into
from test_setup_wizard import STRONG
from test_unlock import _texts

from coachdesk.domain.vocabulary import (
    Attendance,
    Benefit,
    ConditionCategory,
    GoalStatus,
    ReferralSource,
    SessionType,
    StepOwner,
)
from coachdesk.services import caseload
from coachdesk.storage import vault as vault_module
from coachdesk.storage.keyslots import Argon2Params
from coachdesk.storage.vault import Vault
from coachdesk.ui.controller import AppController
from coachdesk.ui.worker import VaultWorker

GIVEN, FAMILY = "Zoë", "Łukasiewicz"
BORN = date(1990, 7, 14)
NOTE_WORD = "quillfeather"  # in no name, practice or label: only the note can match it
NOTE = f"Talked through the bakery apprenticeship; she will bring the {NOTE_WORD} form next time."
GOAL = "Start the bakery apprenticeship"
STEPS = ("Ring the bakery manager", "Buy black work shoes")
STEP_DUE = "30/06/2027"


@pytest.fixture
def first_run(qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppController]:
    """A controller on a folder with no vault yet (test_setup_wizard.fresh_controller, plus a
    settings file of the test's own)."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    qapp.setOrganizationName("CoachDeskTests")
    # The security floor instead of tuning to ~0.5 s: the flow is under test, not the KDF.
    monkeypatch.setattr(vault_module, "tune_argon2", lambda *a, **k: Argon2Params())
    ctl = AppController(tmp_path / "vault", VaultWorker(synchronous=True))
    assert not ctl.vault_exists()
    yield ctl
    ctl.shutdown()


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every QMessageBox.question put to the coach (answered Cancel: a modal box would hang offscreen).
    The day below saves before it leaves anything, so nothing should be asked at all."""
    questions: list[str] = []

    def question(_parent: object, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        questions.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return questions


def answer_modal(kind: type[QDialog], fill: Callable[[QDialog], None]) -> list[BaseException | None]:
    """Fill the `kind` dialog once its exec() has shown it (exec runs its own event loop).

    Returns a list that gets None once `fill` ran, or the exception it raised; on an exception (or
    if no dialog shows within 5 s) the dialog is rejected, so a failure cannot hang the test."""
    outcome: list[BaseException | None] = []
    deadline = clock.monotonic() + 5

    def attempt() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)
        if dialog is None:
            if clock.monotonic() < deadline:
                QTimer.singleShot(10, attempt)
            return
        try:
            fill(dialog)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, attempt)
    return outcome


def settled(outcome: list[BaseException | None]) -> None:
    assert outcome, "the dialog never opened"
    if outcome[0] is not None:
        raise outcome[0]


def click(qtbot, widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget.objectName() or widget.accessibleName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def tick(qtbot, button: QWidget) -> None:
    """Space on a radio button or check box (a click at a wide one's centre can miss its label)."""
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)


def press(qtbot, window: QWidget, key: Qt.Key) -> None:
    """A Ctrl shortcut, pressed in the active window."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)


def open_tab(qtbot, page, tab: QWidget) -> None:
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(page.tabs.indexOf(tab)).center())
    assert page.tabs.currentWidget() is tab


def private_texts() -> list[str]:
    """What every window of the app shows or holds that is about the participant."""
    secrets = (GIVEN, FAMILY, NOTE_WORD, GOAL, *STEPS)
    found = []
    for window in QApplication.topLevelWidgets():
        found += [f"{type(window).__name__}: {text!r}" for text in _texts(window) if any(s in text for s in secrets)]
    return found


def test_a_coachs_first_day_survives_lock_and_unlock(first_run: AppController, asked: list[str], qtbot) -> None:
    from coachdesk.ui.main_window import CASELOAD, RECORD, MainWindow
    from coachdesk.ui.record.session_dialog import SessionDialog
    from coachdesk.ui.register_dialog import RegisterDialog
    from coachdesk.ui.setup_wizard import CREATE_PAGE, PASSPHRASE_PAGE, POLICY_PAGE, RECOVERY_PAGE, SetupWizard

    ctl = first_run
    # As app.run does on a first run: the window exists first and is shown when the wizard finishes.
    window = MainWindow(ctl)
    qtbot.addWidget(window)
    window.resize(1280, 860)
    wizard = SetupWizard(ctl)
    qtbot.addWidget(wizard)
    wizard.finished.connect(lambda result: window.show() if result else None)
    wizard.show()
    qtbot.waitExposed(wizard)

    # -- the setup wizard ------------------------------------------------------------------------
    assert wizard.currentId() == POLICY_PAGE
    tick(qtbot, wizard.policy_page.islington)
    assert wizard.policy_page.islington.isChecked()
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert wizard.currentId() == PASSPHRASE_PAGE
    for field in (wizard.passphrase_page.first, wizard.passphrase_page.again):
        field.setFocus()
        qtbot.keyClicks(field, STRONG)
    click(qtbot, wizard.button(QWizard.WizardButton.CommitButton))  # creates the vault
    assert wizard.currentId() == CREATE_PAGE, wizard.create_page.problem.text()
    assert Vault.exists(ctl.vault_dir)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert wizard.currentId() == RECOVERY_PAGE
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # not before the coach says the key is written down
    tick(qtbot, wizard.recovery_page.confirm)
    with qtbot.waitSignal(ctl.unlocked, timeout=5000):
        click(qtbot, finish)
    assert wizard.result() == QWizard.DialogCode.Accepted
    assert ctl.is_unlocked
    qtbot.waitExposed(window)
    assert window.stack.currentWidget() is not window.unlock_page
    assert [p.code for p in ctl.policy.practices] == ["P01", "P02", "P03", "P04", "P05", "P06"]

    # -- Ctrl+N: register the referral -------------------------------------------------------------
    def register(dialog: QDialog) -> None:
        assert isinstance(dialog, RegisterDialog)
        form = dialog.form
        type_into(qtbot, form.given_name, GIVEN)  # not Latin-1 throughout: inserted as an input method does
        type_into(qtbot, form.family_name, FAMILY)
        type_into(qtbot, form.date_of_birth, BORN.strftime("%d/%m/%Y"))
        choose(form.referral_source, ReferralSource.GP)
        form.benefits.setFocus()  # a benefit by keyboard: arrows, then Space
        target = list(Benefit).index(Benefit.UC_LCWRA)
        for _ in range(len(Benefit)):
            if form.benefits.currentIndex().row() == target:
                break
            qtbot.keyClick(form.benefits, Qt.Key.Key_Down)
        qtbot.keyClick(form.benefits, Qt.Key.Key_Space)
        rect = form.conditions.visualRect(
            form.conditions.model().index(list(ConditionCategory).index(ConditionCategory.MUSCULOSKELETAL), 0)
        )
        qtbot.mouseClick(form.conditions.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        click(qtbot, dialog.save_button)
        assert not dialog.isVisible(), dialog.message.text()

    registering = answer_modal(RegisterDialog, register)
    with qtbot.waitSignal(ctl.open_participant, timeout=5000) as opened:
        press(qtbot, window, Qt.Key.Key_N)
    settled(registering)
    pid = opened.args[0]
    page = window.record_page
    qtbot.waitUntil(lambda: page.participant_id == pid, timeout=2000)
    assert window.pages.currentIndex() == RECORD
    assert GIVEN in page.name.text() and FAMILY in page.name.text()
    assert page.tabs.currentWidget() is page.profile  # nothing booked yet: the referral first

    # -- Sessions: book today's appointment (attended) and write the note ---------------------------
    open_tab(qtbot, page, page.sessions)

    def book(dialog: QDialog) -> None:
        assert isinstance(dialog, SessionDialog)
        assert dialog.date.text() == date.today().strftime("%d/%m/%Y")
        dialog.time.set_value(time(9, 30))
        choose(dialog.attendance, Attendance.ATTENDED)
        click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.message.text()

    booking = answer_modal(SessionDialog, book)
    click(qtbot, page.sessions.book_button)
    settled(booking)
    assert len(page.sessions.rows) == 1
    assert page.sessions.attendance.value() == Attendance.ATTENDED
    # Booking puts the cursor in the notes, where it is once the window is active again.
    assert window.focusWidget() is page.sessions.notes
    window.activateWindow()
    qtbot.waitUntil(page.sessions.notes.hasFocus, timeout=2000)
    qtbot.keyClicks(page.sessions.notes, NOTE)
    assert page.sessions.notes.toPlainText() == NOTE
    assert page.has_unsaved_changes() and page.unsaved.isVisible()

    # -- Goals: one goal, two steps ----------------------------------------------------------------
    open_tab(qtbot, page, page.goals)
    goals, steps = page.goals.goals, page.goals.steps
    click(qtbot, goals.add_button)
    qtbot.keyClicks(goals.field("title"), GOAL)
    click(qtbot, steps.add_button)
    qtbot.keyClicks(steps.field("text"), STEPS[0])
    qtbot.keyClicks(steps.field("due"), STEP_DUE)
    click(qtbot, steps.add_button)
    qtbot.keyClicks(steps.field("text"), STEPS[1])
    choose(steps.field("owner"), StepOwner.COACH)
    assert [r["text"] for r in page.goals.rows[0]["steps"]] == list(STEPS)

    # -- Ctrl+S -----------------------------------------------------------------------------------
    press_save(qtbot, page)
    assert page.problem.text() == ""
    assert page.info.text() == "Saved."
    assert not page.has_unsaved_changes() and not page.unsaved.isVisible()

    # -- Ctrl+L: nothing about her is left on screen or in a model ---------------------------------
    assert private_texts(), "the walk over the widgets should see her while unlocked"
    press(qtbot, window, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.unlock_page, timeout=2000)
    assert not ctl.is_unlocked
    vault = ctl.worker.holder.vault
    assert vault is not None and not vault.unlocked
    qtbot.wait(50)  # late answers to jobs queued before the lock must not refill anything
    assert private_texts() == []

    # -- unlock: the passphrase and Enter ---------------------------------------------------------
    unlock = window.unlock_page
    unlock.passphrase.setFocus()
    qtbot.keyClicks(unlock.passphrase, STRONG)
    with qtbot.waitSignal(ctl.unlocked, timeout=5000):
        qtbot.keyClick(unlock.passphrase, Qt.Key.Key_Return)
    assert ctl.is_unlocked
    assert window.stack.currentWidget() is not window.unlock_page
    assert unlock.passphrase.text() == ""
    assert not page.has_unsaved_changes()  # saved before the lock: no draft to put back

    # -- Ctrl+2, find her by part of the note's word, Enter opens the record -------------------------
    press(qtbot, window, Qt.Key.Key_2)
    listed = window.caseload_page
    assert window.pages.currentIndex() == CASELOAD
    search_for(listed, qtbot, NOTE_WORD[:6])  # waits for the debounced search to answer
    assert listed.model.rowCount() == 1, listed.empty_label.text()
    assert listed.model.participant_id(0) == pid
    assert listed.count_label.text() == "1 participant"
    with qtbot.waitSignal(ctl.open_participant, timeout=2000):
        qtbot.keyClick(listed.search, Qt.Key.Key_Return)  # into the results
        assert listed.table.hasFocus()
        qtbot.keyClick(listed.table, Qt.Key.Key_Return)  # opens the selected row
    qtbot.waitUntil(lambda: page.participant_id == pid and window.pages.currentIndex() == RECORD, timeout=2000)

    # -- everything is still there ----------------------------------------------------------------
    assert GIVEN in page.name.text() and FAMILY in page.name.text()
    assert page.profile.form.given_name.text() == GIVEN
    assert page.profile.form.family_name.text() == FAMILY
    assert page.profile.form.benefits.checked() == [Benefit.UC_LCWRA]
    assert page.profile.form.conditions.checked() == [ConditionCategory.MUSCULOSKELETAL]
    assert page.tabs.currentWidget() is page.sessions  # a record with sessions opens on them
    assert len(page.sessions.rows) == 1
    assert page.sessions.attendance.value() == Attendance.ATTENDED
    assert page.sessions.notes.toPlainText() == NOTE
    assert [r["title"] for r in page.goals.rows] == [GOAL]
    shown_steps = [(s["text"], s["owner"], s["due"]) for s in page.goals.rows[0]["steps"]]
    assert shown_steps == [(STEPS[0], StepOwner.PARTICIPANT, STEP_DUE), (STEPS[1], StepOwner.COACH, "")]
    assert not page.has_unsaved_changes()

    # -- the day ends: close the window (it closes the vault), then open the vault afresh ----------
    window.close()
    assert ctl.worker.holder.vault is None
    assert asked == []  # nothing was left unsaved anywhere along the way
    reopened = Vault.open(ctl.vault_dir)
    try:
        reopened.unlock_with_passphrase(STRONG)
        p = caseload.load(reopened, pid)
    finally:
        reopened.close()
    assert (p.given_name, p.family_name, p.date_of_birth) == (GIVEN, FAMILY, BORN)
    assert p.practice == "P01" and p.referral_source is ReferralSource.GP and p.referral_date == date.today()
    assert p.benefits_at_referral == [Benefit.UC_LCWRA]
    assert p.conditions == [ConditionCategory.MUSCULOSKELETAL]
    assert len(p.sessions) == 1
    s = p.sessions[0]
    assert (s.start.date(), s.start.time(), s.type, s.attendance, s.notes) == (
        date.today(),
        time(9, 30),
        SessionType.INITIAL_ASSESSMENT,
        Attendance.ATTENDED,
        NOTE,
    )
    assert len(p.goals) == 1
    goal = p.goals[0]
    assert (goal.title, goal.status, goal.created) == (GOAL, GoalStatus.OPEN, date.today())
    assert [(st.text, st.owner, st.due, st.done) for st in goal.steps] == [
        (STEPS[0], StepOwner.PARTICIPANT, date(2027, 6, 30), False),
        (STEPS[1], StepOwner.COACH, None, False),
    ]
    assert p.closed is None
