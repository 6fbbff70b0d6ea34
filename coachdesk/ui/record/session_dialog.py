"""Booking a session, or changing one's date, time, type, length or attendance."""

from __future__ import annotations

from datetime import date, time

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.vocabulary import Attendance, SessionType
from coachdesk.ui.formats import edit_date
from coachdesk.ui.record.fields import ChoiceField, DateField, LineField, TimeField, labelled
from coachdesk.ui.record.parsing import parse_date, parse_whole_number
from coachdesk.ui.record.rows import Row


class SessionDialog(QDialog):
    """Edits the date, time, minutes, type and attendance of a session row (not its notes)."""

    def __init__(self, row: Row, booking: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Book a session") if booking else self.tr("Edit the session"))
        self.row = row
        self.date = DateField(self.tr("Session date"))
        self.time = TimeField(self.tr("Start time"))
        self.minutes = LineField(self.tr("Length in minutes"), self.tr("minutes"), 90)
        self.type = ChoiceField(self.tr("Session type"), SessionType)
        self.attendance = ChoiceField(self.tr("Attendance"), Attendance)
        self.date.set_value(row["date"])
        self.time.set_value(row["time"])
        self.minutes.set_value(row["minutes"])
        self.type.set_value(row["type"])
        self.attendance.set_value(row["attendance"])
        self.message = QLabel()
        self.message.setObjectName("calmError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Problem with the session"))

        form = QFormLayout()
        form.addRow(labelled(self.tr("&Date"), self.date), self.date)
        form.addRow(labelled(self.tr("&Time"), self.time), self.time)
        form.addRow(labelled(self.tr("&Minutes"), self.minutes), self.minutes)
        form.addRow(labelled(self.tr("T&ype"), self.type), self.type)
        form.addRow(labelled(self.tr("&Attendance"), self.attendance), self.attendance)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("&Book") if booking else self.tr("&OK"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.date.setFocus()

    def accept(self) -> None:
        try:
            parse_date(self.date.value(), "date", required=True)
            minutes = parse_whole_number(self.minutes.value(), "minutes")
        except ValidationError as exc:
            field = self.date if exc.path == "date" else self.minutes
            self.message.setText(exc.problem)
            field.setFocus()
            return
        if minutes is not None and not 1 <= minutes <= 600:
            self.message.setText(self.tr("A session lasts from 1 to 600 minutes."))
            self.minutes.setFocus()
            return
        self.row.update(
            date=self.date.value().strip(),
            time=self.time.value(),
            minutes=self.minutes.value().strip(),
            type=self.type.value(),
            attendance=self.attendance.value(),
        )
        super().accept()


def new_session_row(session_id: str, day: date, at: time, first: bool) -> Row:
    return {
        "id": session_id,
        "date": edit_date(day),
        "time": at,
        "minutes": "60" if first else "30",
        "type": SessionType.INITIAL_ASSESSMENT if first else SessionType.REVIEW,
        "attendance": Attendance.BOOKED,
        "notes": "",
        "stored_notes": None,  # None: not in the vault yet
    }
