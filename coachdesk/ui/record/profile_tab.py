"""Profile: the participant-level fields of formats.md §1. Personal details, referral, consent,
employment status, benefits at referral and health conditions come from the same form that
registers a referral (ParticipantForm), so both read and check them alike; benefit changes are
added here."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QComboBox, QFrame, QGroupBox, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.model import BenefitChange, Participant, SkillsInventory
from coachdesk.domain.policy import Policy
from coachdesk.domain.vocabulary import Benefit
from coachdesk.ui.formats import edit_date, vocab_label
from coachdesk.ui.participant_form import CheckList, ParticipantForm
from coachdesk.ui.record.fields import DateField, MultiChoiceField, shown_date
from coachdesk.ui.record.parsing import parse_date
from coachdesk.ui.record.rows import Row, RowEditor
from coachdesk.ui.record.tab import RecordTab, split_path


def _benefits_text(row: Row) -> str:
    return ", ".join(vocab_label(b) for b in row["benefits"]) or QCoreApplication.translate("ProfileTab", "None")


class ProfileTab(RecordTab):
    prefixes = (
        "given_name",
        "family_name",
        "preferred_name",
        "date_of_birth",
        "sex",
        "nhs_number",
        "phone",
        "email",
        "postcode",
        "practice",
        "referral_date",
        "referral_source",
        "consent",
        "employment_status",
        "benefits_at_referral",
        "benefit_changes",
        "conditions",
    )

    def __init__(self) -> None:
        super().__init__()
        self.title = self.tr("Profile")
        self.form: ParticipantForm | None = None
        self._policy: Policy | None = None
        self.benefit_changes = RowEditor(
            self.tr("Benefit changes"),
            [
                (self.tr("Date"), lambda row: shown_date(row["date"])),
                (self.tr("Benefits from that date"), _benefits_text),
            ],
            self.tr(
                "No benefit changes recorded. When the participant's benefits change, add the date and what "
                "they receive from then on."
            ),
            new_row=lambda: {"date": "", "benefits": []},
            add_text=self.tr("Add a benefit c&hange"),
            remove_text=self.tr("Remove the change"),
            fields=[
                ("date", self.tr("Date of the c&hange"), DateField(self.tr("Date of the benefit change"))),
                (
                    "benefits",
                    self.tr("Benefits from then"),
                    MultiChoiceField(self.tr("Benefits from then"), Benefit, 6),
                ),
            ],
        )
        self.benefit_changes.setMinimumHeight(260)
        self.benefit_changes.changed.connect(self.changed.emit)
        self._changes: list[Row] = []
        self._loaded_id = ""

        self.content = QWidget()
        self.column = QVBoxLayout(self.content)
        self.column.setSpacing(16)
        changes_box = QGroupBox(self.tr("Benefit changes"))
        QVBoxLayout(changes_box).addWidget(self.benefit_changes)
        self.column.addWidget(changes_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _form_for(self, policy: Policy) -> ParticipantForm:
        """The form offers the policy's practices, so it is rebuilt when the policy changes."""
        if self.form is not None and self._policy == policy:
            return self.form
        if self.form is not None:
            self.column.removeWidget(self.form)
            self.form.deleteLater()
        form = ParticipantForm(policy)

        def edited(*_args: object) -> None:
            self.changed.emit()

        for edit in form.findChildren(QLineEdit):
            edit.textChanged.connect(edited)
        for box in form.findChildren(QComboBox):
            box.currentIndexChanged.connect(edited)
        for check in form.findChildren(QCheckBox):
            check.toggled.connect(edited)
        for tick_list in form.findChildren(CheckList):
            tick_list.model().dataChanged.connect(edited)
        self.column.insertWidget(0, form)
        self.form, self._policy = form, policy
        return form

    # -- RecordTab --------------------------------------------------------------------------
    def load(self, participant: Participant, history: list[SkillsInventory], policy: Policy) -> None:
        self._form_for(policy).set_participant(participant)
        same = participant.id == self._loaded_id
        self._loaded_id = participant.id
        self._changes = [{"date": edit_date(c.date), "benefits": list(c.benefits)} for c in participant.benefit_changes]
        self.benefit_changes.set_rows(self._changes, keep_selection=same)

    def apply(self, participant: Participant) -> None:
        changes = []
        for i, row in enumerate(self._changes):
            day = parse_date(row["date"], f"benefit_changes[{i}].date", required=True)
            assert day is not None
            changes.append(BenefitChange(date=day, benefits=list(row["benefits"])))
        if self.form is not None:
            self.form.read_into(participant)
        participant.benefit_changes = changes

    def clear(self) -> None:
        if self.form is not None:
            self.form.clear()
        self._changes = []
        self._loaded_id = ""
        self.benefit_changes.clear()

    def focus_path(self, path: str) -> str | None:
        parts = split_path(path)
        if parts and parts[0][0] == "benefit_changes" and parts[0][1] is not None:
            index = parts[0][1]
            label = self.benefit_changes.focus_field(index, parts[1][0] if len(parts) > 1 else "date")
            return self.tr("Benefit change {0}: {1}").format(index + 1, label or self.tr("Date"))
        return None

    def describe_problem(self, error: ValidationError) -> str | None:
        if error.path.startswith("benefit_changes"):
            return super().describe_problem(error)
        if self.form is not None and self.form.focus_field(error.path):
            return self.form.describe(error)
        return None
