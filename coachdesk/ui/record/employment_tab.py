"""Employment: employer contacts made with or for the participant (IPS job development) and
outcomes — job and course starts with hours and hourly pay, sustainment at 13 and 26 weeks."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QPushButton, QVBoxLayout

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.model import EmployerContact, Outcome, Participant, SkillsInventory
from coachdesk.domain.policy import Policy
from coachdesk.domain.vocabulary import ContactKind, OutcomeType
from coachdesk.ui.formats import british_date, edit_date, vocab_label
from coachdesk.ui.record.fields import ChoiceField, DateField, LineField, MessageLabel, NotesField, shown_date
from coachdesk.ui.record.parsing import format_pence, parse_date, parse_pence, parse_whole_number
from coachdesk.ui.record.rows import Row, RowEditor
from coachdesk.ui.record.tab import RecordTab, split_path


def _shown_pay(row: Row) -> str:
    try:
        return format_pence(parse_pence(row["hourly_pay_pence"], ""))
    except ValidationError:
        return row["hourly_pay_pence"]


class EmploymentTab(RecordTab):
    prefixes = ("employer_contacts", "outcomes")

    def __init__(self) -> None:
        super().__init__()
        self.title = self.tr("Employment")
        self.contacts = RowEditor(
            self.tr("Employer contacts"),
            [
                (self.tr("Date"), lambda r: shown_date(r["date"])),
                (self.tr("Employer"), lambda r: r["employer"]),
                (self.tr("Kind"), lambda r: vocab_label(r["kind"])),
                (self.tr("Notes"), lambda r: " ".join(r["notes"].split())),
            ],
            self.tr(
                "No employer contacts yet. Record each contact, application, interview or offer — the time from "
                "referral to the first contact is one of the programme's measures."
            ),
            title=self.tr("Employer contacts"),
            new_row=lambda: {"date": edit_date(date.today()), "employer": "", "kind": ContactKind.CONTACT, "notes": ""},
            add_text=self.tr("Add an employer &contact"),
            remove_text=self.tr("Remove the contact"),
            fields=[
                ("date", self.tr("&Date"), DateField(self.tr("Contact date"))),
                ("employer", self.tr("Em&ployer"), LineField(self.tr("Employer"))),
                ("kind", self.tr("&Kind"), ChoiceField(self.tr("Kind of contact"), ContactKind)),
                ("notes", self.tr("N&otes"), NotesField(self.tr("Contact notes"))),
            ],
            stretch_column=3,
        )
        self.outcomes = RowEditor(
            self.tr("Outcomes"),
            [
                (self.tr("Outcome"), lambda r: vocab_label(r["type"])),
                (self.tr("Date"), lambda r: shown_date(r["date"])),
                (self.tr("Employer"), lambda r: r["employer"]),
                (self.tr("Hours a week"), lambda r: r["hours_per_week"]),
                (self.tr("Hourly pay"), _shown_pay),
            ],
            self.tr(
                "No outcomes yet. When the participant starts a job, a course or volunteering, add it here with "
                "the hours and pay; then record sustainment at 13 and 26 weeks."
            ),
            title=self.tr("Outcomes"),
            new_row=lambda: {
                "type": OutcomeType.JOB_START,
                "date": edit_date(date.today()),
                "employer": "",
                "hours_per_week": "",
                "hourly_pay_pence": "",
            },
            add_text=self.tr("Add an &outcome"),
            remove_text=self.tr("Remove the outcome"),
            fields=[
                ("type", self.tr("Ou&tcome"), ChoiceField(self.tr("Outcome"), OutcomeType)),
                ("date", self.tr("D&ate"), DateField(self.tr("Outcome date"))),
                ("employer", self.tr("E&mployer"), LineField(self.tr("Outcome employer"))),
                ("hours_per_week", self.tr("&Hours a week"), LineField(self.tr("Hours per week"), "", 70)),
                (
                    "hourly_pay_pence",
                    self.tr("Hourly &pay"),
                    LineField(self.tr("Hourly pay in pounds and pence"), self.tr("e.g. £9.40"), 100),
                ),
            ],
            stretch_column=2,
        )
        self.sustained_13 = QPushButton(self.tr("Record sustained &13 weeks"))
        self.sustained_13.clicked.connect(lambda: self.record_sustained(13))
        self.sustained_26 = QPushButton(self.tr("Record sustained &26 weeks"))
        self.sustained_26.clicked.connect(lambda: self.record_sustained(26))
        self.outcomes.insert_button(2, self.sustained_13)
        self.outcomes.insert_button(3, self.sustained_26)
        self.notice = MessageLabel(self.tr("Employment notice"))
        self.contacts.changed.connect(self.changed.emit)
        self.outcomes.changed.connect(self.changed.emit)

        layout = QVBoxLayout(self)
        layout.addWidget(self.contacts, 1)
        layout.addWidget(self.outcomes, 1)
        layout.addWidget(self.notice)
        self._participant_id = ""

    def latest_job_start(self) -> Row | None:
        """The job start with the latest date (rows whose date does not parse are skipped)."""
        best: tuple[date, Row] | None = None
        for row in self.outcomes.rows:
            if row["type"] != OutcomeType.JOB_START:
                continue
            try:
                day = parse_date(row["date"], "")
            except ValidationError:
                continue
            if day is not None and (best is None or day >= best[0]):
                best = (day, row)
        return best[1] if best else None

    def record_sustained(self, weeks: int) -> None:
        start = self.latest_job_start()
        if start is None:
            self.notice.setText(self.tr("Record the job start first: sustainment is counted from it."))
            return
        start_day = parse_date(start["date"], "")
        assert start_day is not None
        due = start_day + timedelta(weeks=weeks)
        kind = OutcomeType.SUSTAINED_13_WEEKS if weeks == 13 else OutcomeType.SUSTAINED_26_WEEKS
        self.outcomes.insert(
            {
                "type": kind,
                "date": edit_date(due),
                "employer": start["employer"],
                "hours_per_week": start["hours_per_week"],
                "hourly_pay_pence": start["hourly_pay_pence"],
            }
        )
        if due > date.today():
            self.notice.setText(
                self.tr(
                    "{0} weeks after the job start is {1}, which has not come yet: check with the "
                    "participant on or after that date."
                ).format(weeks, british_date(due))
            )
        else:
            self.notice.setText(
                self.tr("Dated {0} weeks after the job start of {1}; change the date if needed.").format(
                    weeks, british_date(start_day)
                )
            )
        self.outcomes.field("date").setFocus()  # type: ignore[union-attr]

    # -- RecordTab --------------------------------------------------------------------------
    def load(self, participant: Participant, history: list[SkillsInventory], policy: Policy) -> None:
        same = participant.id == self._participant_id
        self._participant_id = participant.id
        self.contacts.set_rows(
            [
                {"date": edit_date(c.date), "employer": c.employer, "kind": c.kind, "notes": c.notes}
                for c in participant.employer_contacts
            ],
            keep_selection=same,
        )
        self.outcomes.set_rows(
            [
                {
                    "type": o.type,
                    "date": edit_date(o.date),
                    "employer": o.employer,
                    "hours_per_week": "" if o.hours_per_week is None else str(o.hours_per_week),
                    "hourly_pay_pence": format_pence(o.hourly_pay_pence),
                }
                for o in participant.outcomes
            ],
            keep_selection=same,
        )
        self.notice.clear()

    def apply(self, participant: Participant) -> None:
        contacts = []
        for i, r in enumerate(self.contacts.rows):
            day = parse_date(r["date"], f"employer_contacts[{i}].date", required=True)
            assert day is not None
            contacts.append(EmployerContact(date=day, employer=r["employer"], kind=r["kind"], notes=r["notes"]))
        outcomes = []
        for i, r in enumerate(self.outcomes.rows):
            at = f"outcomes[{i}]"
            day = parse_date(r["date"], f"{at}.date", required=True)
            assert day is not None
            outcomes.append(
                Outcome(
                    type=r["type"],
                    date=day,
                    employer=r["employer"],
                    hours_per_week=parse_whole_number(r["hours_per_week"], f"{at}.hours_per_week"),
                    hourly_pay_pence=parse_pence(r["hourly_pay_pence"], f"{at}.hourly_pay_pence"),
                )
            )
        participant.employer_contacts = contacts
        participant.outcomes = outcomes

    def clear(self) -> None:
        self._participant_id = ""
        self.contacts.clear()
        self.outcomes.clear()
        self.notice.clear()

    def focus_path(self, path: str) -> str | None:
        parts = split_path(path)
        top, index = parts[0] if parts else ("", None)
        if index is None:
            return None
        key = parts[1][0] if len(parts) > 1 else None
        if top == "employer_contacts":
            label = self.contacts.focus_field(index, key)
            return self.tr("Employer contact {0}: {1}").format(index + 1, label or "")
        label = self.outcomes.focus_field(index, key)
        return self.tr("Outcome {0}: {1}").format(index + 1, label or "")
