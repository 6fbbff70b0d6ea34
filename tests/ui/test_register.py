"""Registering a referral: problems named with their field focused and nothing written, the
duplicate warning, a full registration read back field by field, keyboard behaviour, and the lock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.model import Participant
from coachdesk.domain.vocabulary import Benefit, ConditionCategory, EmploymentStatus, ReferralSource, Sex
from coachdesk.services import caseload
from coachdesk.storage import participants
from coachdesk.ui.caseload_model import british_date
from coachdesk.ui.participant_form import ParticipantForm
from coachdesk.ui.register_dialog import RegisterDialog


@pytest.fixture
def dialog(controller, qtbot) -> RegisterDialog:
    d = RegisterDialog(controller)
    d.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)  # the tests look at it after it closes
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    d.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is d.form.given_name, timeout=2000)
    return d


def count(vault) -> int:
    return participants.count(vault.conn)


def type_into(qtbot, widget: QLineEdit, text: str) -> None:
    widget.setFocus()
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        widget.insert(text)  # QTest aborts on keys outside Latin-1; insert() is what an input method does


def choose(combo, value: object) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def fill_minimum(
    d: RegisterDialog, qtbot, given: str = "Amina", family: str = "Okafor", born: str = "12/03/1984"
) -> None:
    type_into(qtbot, d.form.given_name, given)
    type_into(qtbot, d.form.family_name, family)
    type_into(qtbot, d.form.date_of_birth, born)
    choose(d.form.referral_source, ReferralSource.GP)


def press_register(d: RegisterDialog, qtbot) -> None:
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)


def test_missing_family_name_is_named_and_focused_and_nothing_is_written(
    dialog: RegisterDialog, vault_of, qtbot
) -> None:
    fill_minimum(dialog, qtbot, family="")
    press_register(dialog, qtbot)
    assert "Family name" in dialog.message.text()
    assert dialog.message.isVisible()
    assert QApplication.focusWidget() is dialog.form.family_name
    assert dialog.isVisible()
    assert count(vault_of) == 0


def test_an_invalid_nhs_number_is_named_and_focused(dialog: RegisterDialog, vault_of, qtbot) -> None:
    fill_minimum(dialog, qtbot)
    type_into(qtbot, dialog.form.nhs_number, "943 476 5918")  # wrong check digit
    press_register(dialog, qtbot)
    assert dialog.message.text().startswith("NHS number:")
    assert "check digit" in dialog.message.text()
    assert QApplication.focusWidget() is dialog.form.nhs_number
    assert count(vault_of) == 0


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "type the date"),
        ("31/04/1990", "not a date in the calendar"),
        ("12/03/84", "write the year in full"),
        ("1/1/2020", "under 16"),
    ],
)
def test_a_date_of_birth_problem_is_named_and_focused(
    dialog: RegisterDialog, vault_of, qtbot, typed: str, problem: str
) -> None:
    fill_minimum(dialog, qtbot, born=typed)
    press_register(dialog, qtbot)
    assert dialog.message.text().startswith("Date of birth:")
    assert problem in dialog.message.text()
    assert QApplication.focusWidget() is dialog.form.date_of_birth
    assert count(vault_of) == 0


def test_the_referral_source_must_be_chosen(dialog: RegisterDialog, vault_of, qtbot) -> None:
    fill_minimum(dialog, qtbot)
    dialog.form.referral_source.setCurrentIndex(-1)
    press_register(dialog, qtbot)
    assert dialog.message.text().startswith("Referral source:")
    assert QApplication.focusWidget() is dialog.form.referral_source
    assert count(vault_of) == 0


def test_a_problem_found_by_the_service_is_focused_too(dialog: RegisterDialog, vault_of, qtbot, monkeypatch) -> None:
    def refuse(vault, p, today) -> None:
        raise ValidationError("postcode", "is not a postcode")

    monkeypatch.setattr(caseload, "register", refuse)
    fill_minimum(dialog, qtbot)
    press_register(dialog, qtbot)
    assert dialog.message.text() == "Postcode: is not a postcode"
    assert QApplication.focusWidget() is dialog.form.postcode
    assert dialog.save_button.isEnabled()
    assert dialog.isVisible()


def test_a_duplicate_is_named_and_go_back_writes_nothing(
    dialog: RegisterDialog, vault_of, people: list[Participant], qtbot
) -> None:
    existing = next(p for p in people if p.family_name == "Nikolaou")
    fill_minimum(
        dialog,
        qtbot,
        given=existing.given_name,
        family=existing.family_name.upper(),
        born=existing.date_of_birth.strftime("%d/%m/%Y"),
    )
    press_register(dialog, qtbot)
    warning = dialog.warning
    assert warning is not None and warning.isVisible()
    details = warning.informativeText()
    assert "Nikolaou, Konstantinos (Kostas)" in details
    assert british_date(existing.date_of_birth) in details
    assert "City Road Medical Centre" in details
    assert warning.defaultButton() is warning.back_button
    qtbot.mouseClick(warning.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.warning is None)
    assert count(vault_of) == 20
    assert dialog.isVisible()
    assert dialog.form.family_name.text() == existing.family_name.upper()  # what was typed is kept
    assert dialog.save_button.isEnabled()


def test_a_duplicate_can_be_registered_anyway(
    dialog: RegisterDialog, vault_of, people: list[Participant], qtbot
) -> None:
    existing = next(p for p in people if p.family_name == "Nikolaou")
    fill_minimum(
        dialog,
        qtbot,
        given=existing.given_name,
        family=existing.family_name,
        born=existing.date_of_birth.strftime("%d/%m/%Y"),
    )
    press_register(dialog, qtbot)
    assert dialog.warning is not None
    with qtbot.waitSignal(dialog.controller.open_participant, timeout=2000) as opened:
        qtbot.mouseClick(dialog.warning.register_button, Qt.MouseButton.LeftButton)
    assert count(vault_of) == 21
    new = caseload.load(vault_of, opened.args[0])
    assert new.id != existing.id
    assert (new.given_name, new.family_name, new.date_of_birth) == (
        existing.given_name,
        existing.family_name,
        existing.date_of_birth,
    )
    assert not dialog.isVisible()


def test_escape_on_the_duplicate_warning_goes_back(
    dialog: RegisterDialog, vault_of, people: list[Participant], qtbot
) -> None:
    existing = people[0]
    fill_minimum(
        dialog,
        qtbot,
        given=existing.given_name,
        family=existing.family_name,
        born=existing.date_of_birth.strftime("%d/%m/%Y"),
    )
    press_register(dialog, qtbot)
    assert dialog.warning is not None
    qtbot.keyClick(dialog.warning, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.warning is None)
    assert dialog.isVisible()
    assert count(vault_of) == 20


def test_a_valid_registration_writes_every_field_as_typed(dialog: RegisterDialog, vault_of, qtbot) -> None:
    form = dialog.form
    referred = date.today() - timedelta(days=3)
    type_into(qtbot, form.given_name, "Łukasz")
    type_into(qtbot, form.family_name, "Wróbel")
    type_into(qtbot, form.preferred_name, "Luke")
    type_into(qtbot, form.date_of_birth, "3/2/1980")
    choose(form.sex, Sex.MALE)
    type_into(qtbot, form.nhs_number, "401 023 2137")
    type_into(qtbot, form.phone, "020 7946 0123")
    type_into(qtbot, form.email, "luke@example.org")
    type_into(qtbot, form.postcode, "N1 9AA")
    choose(form.practice, "P02")
    form.referral_date.setText("")
    type_into(qtbot, form.referral_date, referred.strftime("%d/%m/%Y"))
    choose(form.referral_source, ReferralSource.JOBCENTRE)
    choose(form.employment_status, EmploymentStatus.UNEMPLOYED_1_2Y)
    form.consent_given.setFocus()
    qtbot.keyClick(form.consent_given, Qt.Key.Key_Space)
    assert form.consent_date.isEnabled()
    assert form.consent_date.text() == referred.strftime("%d/%m/%Y")  # consent defaults to the referral
    qtbot.keyClick(form.share_with_gp, Qt.Key.Key_Space)
    # Benefits by keyboard: arrows and Space; conditions by clicking a word.
    form.benefits.setFocus()
    target = list(Benefit).index(Benefit.UC_LCW)
    for _ in range(len(Benefit)):
        if form.benefits.currentIndex().row() == target:
            break
        qtbot.keyClick(form.benefits, Qt.Key.Key_Down)
    qtbot.keyClick(form.benefits, Qt.Key.Key_Space)
    for word in (ConditionCategory.MUSCULOSKELETAL, ConditionCategory.MENTAL_HEALTH):
        rect = form.conditions.visualRect(form.conditions.model().index(list(ConditionCategory).index(word), 0))
        qtbot.mouseClick(form.conditions.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    with qtbot.waitSignal(dialog.controller.open_participant, timeout=2000) as opened:
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.message.text() == ""
    assert not dialog.isVisible()
    assert count(vault_of) == 1
    p = caseload.load(vault_of, opened.args[0])
    assert (p.given_name, p.family_name, p.preferred_name) == ("Łukasz", "Wróbel", "Luke")
    assert p.date_of_birth == date(1980, 2, 3)
    assert p.sex is Sex.MALE
    assert p.nhs_number == "4010232137"
    assert (p.phone, p.email, p.postcode) == ("020 7946 0123", "luke@example.org", "N1 9AA")
    assert p.practice == "P02"
    assert p.referral_date == referred
    assert p.referral_source is ReferralSource.JOBCENTRE
    assert p.employment_status is EmploymentStatus.UNEMPLOYED_1_2Y
    assert p.consent.service == referred
    assert p.consent.share_with_gp is True
    assert p.consent.contact_employers is False
    assert p.benefits_at_referral == [Benefit.UC_LCW]
    assert p.conditions == [ConditionCategory.MENTAL_HEALTH, ConditionCategory.MUSCULOSKELETAL]
    assert p.closed is None and p.sessions == []
    # Closing the dialog also emptied it.
    assert dialog.form.given_name.text() == "" and dialog.form.benefits.checked() == []


def test_the_practice_defaults_to_where_the_coach_is_today(controller, qtbot) -> None:
    controller.set_practice("P02")
    d = RegisterDialog(controller)
    d.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(d)
    assert d.form.practice.currentData() == "P02"
    assert d.form.referral_date.text() == date.today().strftime("%d/%m/%Y")
    assert d.form.referral_source.currentIndex() == -1  # chosen, never assumed


def test_escape_cancels_and_writes_nothing(dialog: RegisterDialog, vault_of, qtbot) -> None:
    fill_minimum(dialog, qtbot)
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        qtbot.keyClick(dialog.form.family_name, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert count(vault_of) == 0
    assert dialog.form.given_name.text() == ""


def test_tab_order_follows_the_visual_order(dialog: RegisterDialog) -> None:
    f = dialog.form
    expected = [
        f.given_name,
        f.family_name,
        f.preferred_name,
        f.date_of_birth,
        f.sex,
        f.nhs_number,
        f.phone,
        f.email,
        f.postcode,
        f.practice,
        f.referral_date,
        f.referral_source,
        f.employment_status,
        f.consent_given,
        f.share_with_gp,
        f.contact_employers,
        f.benefits,
        f.conditions,
        dialog.save_button,
    ]
    order = [f.given_name]
    while len(order) < len(expected):
        following = order[-1].nextInFocusChain()
        while not (
            following.focusPolicy() & Qt.FocusPolicy.TabFocus
            and following.isEnabled()
            and following.isVisibleTo(dialog)
        ):
            following = following.nextInFocusChain()
        order.append(following)
    assert order == expected


def test_typed_dates_are_shown_in_full_once_left(dialog: RegisterDialog, qtbot) -> None:
    type_into(qtbot, dialog.form.date_of_birth, "3.2.1980")
    qtbot.keyClick(dialog.form.date_of_birth, Qt.Key.Key_Tab)
    assert dialog.form.date_of_birth.text() == "03/02/1980"
    dialog.form.date_of_birth.setText("")
    type_into(qtbot, dialog.form.date_of_birth, "31121999")
    qtbot.keyClick(dialog.form.date_of_birth, Qt.Key.Key_Tab)
    assert dialog.form.date_of_birth.text() == "31/12/1999"


def test_locking_closes_the_dialog_and_forgets_what_was_typed(
    dialog: RegisterDialog, vault_of, people: list[Participant], qtbot
) -> None:
    existing = people[0]
    fill_minimum(
        dialog,
        qtbot,
        given=existing.given_name,
        family=existing.family_name,
        born=existing.date_of_birth.strftime("%d/%m/%Y"),
    )
    press_register(dialog, qtbot)
    warning = dialog.warning
    assert warning is not None
    dialog.controller.lock("Locked.")
    assert not dialog.isVisible()
    assert not warning.isVisible()
    form = dialog.form
    assert [form.given_name.text(), form.family_name.text(), form.date_of_birth.text()] == ["", "", ""]


def test_the_form_round_trips_a_record(controller, people: list[Participant], qtbot) -> None:
    form = ParticipantForm(controller.policy)
    qtbot.addWidget(form)
    for original in people:
        form.set_participant(original)
        copy = Participant(**{**original.__dict__})
        copy.given_name = "changed"
        form.read_into(copy)
        assert copy == original
    form.clear()
    assert form.family_name.text() == "" and form.conditions.checked() == []


def test_read_into_leaves_the_record_alone_on_a_problem(controller, people: list[Participant], qtbot) -> None:
    form = ParticipantForm(controller.policy)
    qtbot.addWidget(form)
    original = people[0]
    form.set_participant(original)
    form.given_name.setText("Someone else")
    form.nhs_number.setText("123")
    target = Participant(**{**original.__dict__})
    with pytest.raises(ValidationError) as problem:
        form.read_into(target)
    assert problem.value.path == "nhs_number"
    assert target == original
