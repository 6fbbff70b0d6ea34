"""Closure: close the case with a date and a reason, or reopen it. Like every edit, it is kept when
the coach saves the record."""

from __future__ import annotations

from collections import Counter
from datetime import date

from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.model import Closure, Participant, SkillsInventory
from coachdesk.domain.policy import Policy
from coachdesk.domain.vocabulary import Attendance, ClosureReason, GoalStatus
from coachdesk.ui.formats import british_date, edit_date, vocab_label
from coachdesk.ui.record.fields import ChoiceField, DateField, MessageLabel, hint, labelled, shown_date
from coachdesk.ui.record.parsing import parse_date
from coachdesk.ui.record.tab import RecordTab, split_path


class ClosureTab(RecordTab):
    prefixes = ("closed",)

    def __init__(self) -> None:
        super().__init__()
        self.title = self.tr("Closure")
        self.state = QLabel()
        self.state.setObjectName("sectionTitle")
        self.state.setWordWrap(True)
        self.state.setAccessibleName(self.tr("Case status"))
        self.date = DateField(self.tr("Closure date"))
        self.reason = ChoiceField(self.tr("Closure reason"), ClosureReason, self.tr("Choose a reason…"))
        self.close_button = QPushButton(self.tr("&Close the case"))
        self.close_button.clicked.connect(self.close_case)
        self.reopen_button = QPushButton(self.tr("&Reopen the case"))
        self.reopen_button.clicked.connect(self.reopen_case)
        self.message = MessageLabel(self.tr("Problem closing the case"), error=True)
        self.date.edited.connect(self._edited)
        self.reason.edited.connect(self._edited)

        box = QGroupBox(self.tr("Closing the case"))
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(labelled(self.tr("Closure &date"), self.date), self.date)
        form.addRow(labelled(self.tr("Rea&son"), self.reason), self.reason)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.reopen_button)
        buttons.addStretch(1)
        form.addRow("", buttons)
        form.addRow("", self.message)
        form.addRow(
            hint(
                self.tr(
                    "Close a case when support ends: sustained employment, moved away, withdrew, lost contact "
                    "and so on. "
                    "A closed case stays in the caseload, marked closed, and can be reopened if the "
                    "participant returns."
                )
            )
        )
        glance_box = QGroupBox(self.tr("At a glance"))
        self.glance = QLabel()
        self.glance.setWordWrap(True)
        self.glance.setAccessibleName(self.tr("The case at a glance"))
        QVBoxLayout(glance_box).addWidget(self.glance)
        columns = QHBoxLayout()
        columns.addWidget(box, 1)
        columns.addWidget(glance_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addLayout(columns)
        layout.addStretch(1)
        self._closed = False
        self._referral: date | None = None
        self._stored: Closure | None = None
        self._show_state()

    def close_case(self) -> None:
        if self.reason.value() is None:
            self.message.setText(self.tr("Choose the reason the case is closing."))
            self.reason.setFocus()
            return
        try:
            parse_date(self.date.value(), "closed.date", required=True)
        except ValidationError as exc:
            self.message.setText(exc.problem)
            self.date.setFocus()
            return
        self._closed = True
        self._show_state()
        self.changed.emit()

    def reopen_case(self) -> None:
        self._closed = False
        self.reason.reset()
        self.date.set_value(edit_date(date.today()))
        self._show_state()
        self.changed.emit()

    def _edited(self) -> None:
        self.message.clear()
        if self._closed:
            self._show_state()
            self.changed.emit()

    def _show_state(self) -> None:
        self.close_button.setVisible(not self._closed)
        self.reopen_button.setVisible(self._closed)
        if self._referral is None:
            self.state.clear()
            return
        if not self._closed:
            self.state.setText(self.tr("The case is open (referred {0}).").format(british_date(self._referral)))
            return
        reason = self.reason.value()
        day = shown_date(self.date.value())
        text = self.tr("The case is closed: {0}, {1}.").format(day, vocab_label(reason) if reason else "")
        if self._stored is None:
            text += " " + self.tr("Save (Ctrl+S) to keep the closure.")
        self.state.setText(text)

    # -- RecordTab --------------------------------------------------------------------------
    def load(self, participant: Participant, history: list[SkillsInventory], policy: Policy) -> None:
        self._referral = participant.referral_date
        self._stored = participant.closed
        self._closed = participant.closed is not None
        closed = participant.closed
        self.date.set_value(edit_date(closed.date if closed else date.today()))
        if closed:
            self.reason.set_value(closed.reason)
        else:
            self.reason.reset()
        self.message.clear()
        self.glance.setText(self._at_a_glance(participant))
        self._show_state()

    def _at_a_glance(self, p: Participant) -> str:
        """What helps choose a closure reason: attendance, goals and outcomes."""
        count = Counter(s.attendance for s in p.sessions)
        cancelled = count[Attendance.CANCELLED_BY_COACH] + count[Attendance.CANCELLED_BY_PARTICIPANT]
        attended = [s.start.date() for s in p.sessions if s.attendance == Attendance.ATTENDED]
        lines = [
            self.tr("Sessions: {0} attended, {1} did not attend, {2} cancelled.").format(
                count[Attendance.ATTENDED], count[Attendance.DNA], cancelled
            )
        ]
        if attended:
            lines.append(self.tr("Last attended: {0}.").format(british_date(max(attended))))
        goals = Counter(g.status for g in p.goals)
        lines.append(
            self.tr("Goals: {0} achieved, {1} open, {2} dropped.").format(
                goals[GoalStatus.ACHIEVED], goals[GoalStatus.OPEN], goals[GoalStatus.DROPPED]
            )
        )
        if p.outcomes:
            lines.append(self.tr("Outcomes:"))
            lines += [f"• {vocab_label(o.type)}, {british_date(o.date)}" for o in p.outcomes]
        else:
            lines.append(self.tr("No outcomes recorded."))
        return "\n".join(lines)

    def apply(self, participant: Participant) -> None:
        if not self._closed:
            participant.closed = None
            return
        day = parse_date(self.date.value(), "closed.date", required=True)
        reason = self.reason.value()
        if reason is None:
            raise ValidationError("closed.reason", self.tr("choose the reason the case closed"))
        assert day is not None and isinstance(reason, ClosureReason)
        participant.closed = Closure(date=day, reason=reason)

    def clear(self) -> None:
        self._referral = None
        self._stored = None
        self._closed = False
        self.date.set_value("")
        self.reason.reset()
        self.message.clear()
        self.glance.clear()
        self._show_state()

    def focus_path(self, path: str) -> str | None:
        parts = split_path(path)
        if len(parts) > 1 and parts[1][0] == "reason":
            self.reason.setFocus()
            return self.tr("Closure reason")
        self.date.setFocus()
        return self.tr("Closure date")
