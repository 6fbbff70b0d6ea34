"""Registering a new referral: the participant form, a duplicate check, then one write.

Save reads the form (a problem is named and its field focused), asks the worker for participants
with the same name and date of birth (the coach decides: "Register anyway" or "Go back"), then
registers on the worker. Nothing is written until the coach has seen every warning. When the vault
locks the dialog forgets what was typed and closes."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.errors import CoachDeskError, ValidationError
from coachdesk.domain.model import Participant, ParticipantSummary
from coachdesk.domain.policy import Policy
from coachdesk.domain.vocabulary import ReferralSource
from coachdesk.services import caseload
from coachdesk.ui.caseload_model import listed_name
from coachdesk.ui.controller import AppController
from coachdesk.ui.formats import british_date
from coachdesk.ui.participant_form import ParticipantForm


def _blank_participant() -> Participant:
    """A record for the form to fill; every field it starts with is overwritten by read_into."""
    today = date.today()
    return Participant(
        given_name="",
        family_name="",
        date_of_birth=today,
        practice="",
        referral_date=today,
        referral_source=ReferralSource.OTHER,
    )


class DuplicateWarning(QMessageBox):
    """Names the participants who may be the same person; "Go back" is the safe default."""

    def __init__(self, duplicates: list[ParticipantSummary], policy: Policy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(self.tr("Possible duplicate"))
        if len(duplicates) == 1:
            self.setText(self.tr("Someone with this name and date of birth is already registered:"))
        else:
            self.setText(self.tr("People with this name and date of birth are already registered:"))
        lines = [
            self.tr("• {0}, born {1}, {2}").format(
                listed_name(s), british_date(s.date_of_birth), policy.practice_name(s.practice)
            )
            for s in duplicates
        ]
        lines.append("")
        lines.append(self.tr("Check it is not the same person before registering again."))
        self.setInformativeText("\n".join(lines))
        self.register_button = self.addButton(self.tr("Register anyway"), QMessageBox.ButtonRole.AcceptRole)
        self.back_button = self.addButton(self.tr("Go back"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.back_button)
        self.setEscapeButton(self.back_button)
        # QMessageBox sizes itself narrow; a name, date and practice should fit on one line.
        self.setStyleSheet("QLabel#qt_msgbox_informativelabel, QLabel#qt_msgbox_label { min-width: 30em; }")

    def confirmed(self) -> bool:
        return self.clickedButton() is self.register_button


class RegisterDialog(QDialog):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.warning: DuplicateWarning | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Register a new referral"))

        self.hint = QLabel(self.tr("Fields marked * are needed to register. Everything else can be added later."))
        self.hint.setWordWrap(True)
        self.form = ParticipantForm(controller.policy)
        self.form.select_practice(controller.practice)
        self.message = QLabel()
        self.message.setObjectName("calmError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Problem"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Register"))
        self.save_button.setToolTip(self.tr("Register this participant (Ctrl+S)"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)

        # The hint, or a problem, sits beside the Register button the coach just pressed; the
        # dialog keeps its size either way.
        footer = QHBoxLayout()
        footer.addWidget(self.hint, 1)
        footer.addWidget(self.message, 1)
        footer.addSpacing(12)
        footer.addWidget(self.buttons, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self.form)
        layout.addLayout(footer)
        QWidget.setTabOrder(self.form.conditions, self.save_button)

        controller.locked.connect(self._locked)
        self.form.given_name.setFocus()

    # -- saving ---------------------------------------------------------------------------------
    def save(self) -> None:
        if not self.save_button.isEnabled():
            return  # a check is already on its way
        p = _blank_participant()
        try:
            self.form.read_into(p)
        except ValidationError as exc:
            self._problem(exc)
            return
        self._set_busy(True)
        self.controller.run(
            lambda vault: caseload.possible_duplicates(vault, p), lambda found: self._checked(p, found), self._failed
        )

    def _checked(self, p: Participant, duplicates: list[ParticipantSummary]) -> None:
        if not duplicates:
            self._register(p)
            return
        self.warning = DuplicateWarning(duplicates, self.controller.policy, self)
        self.warning.finished.connect(lambda _result: self._answered(p))
        self.warning.open()

    def _answered(self, p: Participant) -> None:
        warning, self.warning = self.warning, None
        if warning is not None and warning.confirmed():
            self._register(p)
        else:
            self._set_busy(False)
            self.form.given_name.setFocus()
        if warning is not None:
            warning.deleteLater()

    def _register(self, p: Participant) -> None:
        today = date.today()
        self.controller.run(
            lambda vault: caseload.register(vault, p, today), lambda _none: self._registered(p.id), self._failed
        )

    def _registered(self, participant_id: str) -> None:
        self._set_busy(False)
        self.accept()
        self.controller.open_participant.emit(participant_id)

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationError):
            self._problem(exc)
        elif isinstance(exc, CoachDeskError):
            self._show_message(exc.message)
        else:
            self._show_message(self.tr("The participant could not be registered. Nothing was saved."))

    def _problem(self, exc: ValidationError) -> None:
        self._show_message(self.form.describe(exc))
        self.form.focus_field(exc.path)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.hint.setVisible(not text)  # the problem takes the hint's place

    def _set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        if busy:
            self._show_message("")

    # -- closing --------------------------------------------------------------------------------
    def _locked(self, _reason: str) -> None:
        if self.warning is not None:
            self.warning.finished.disconnect()
            self.warning.reject()
            self.warning = None
        self.reject()

    def done(self, result: int) -> None:
        # Whatever closes the dialog, nothing typed about the participant stays in its widgets.
        self.form.clear()
        self._show_message("")
        try:
            self.controller.locked.disconnect(self._locked)
        except (RuntimeError, TypeError):
            pass  # already disconnected
        super().done(result)
