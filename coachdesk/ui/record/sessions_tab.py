"""Sessions: the appointments list, booking and editing, attendance and the notes of the selected
session. Note text typed and not yet saved is what the page keeps as a draft when the vault locks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.model import Participant, Session, SkillsInventory, new_id
from coachdesk.domain.policy import Policy
from coachdesk.domain.vocabulary import Attendance, SessionType
from coachdesk.ui.formats import edit_date, vocab_label
from coachdesk.ui.record.fields import ChoiceField, NotesField, labelled, section_title, shown_date
from coachdesk.ui.record.parsing import parse_date, parse_whole_number
from coachdesk.ui.record.rows import Row, RowEditor
from coachdesk.ui.record.session_dialog import SessionDialog, new_session_row
from coachdesk.ui.record.tab import RecordTab, split_path

NEW_SESSION_DRAFT = "new-session:"
SESSION_DRAFT = "session:"


class SessionsTab(RecordTab):
    prefixes = ("sessions",)

    def __init__(self) -> None:
        super().__init__()
        self.title = self.tr("Sessions")
        self.list = RowEditor(
            self.tr("Sessions"),
            [
                (self.tr("Date"), lambda r: shown_date(r["date"])),
                (self.tr("Time"), lambda r: r["time"].strftime("%H:%M")),
                (self.tr("Type"), lambda r: vocab_label(r["type"])),
                (self.tr("Attendance"), lambda r: vocab_label(r["attendance"])),
                (self.tr("Minutes"), lambda r: r["minutes"]),
            ],
            self.tr("No sessions yet — book the first appointment with “Book a session”."),
            title=self.tr("Appointments"),
            stretch_column=3,
        )
        self.book_button = QPushButton(self.tr("&Book a session…"))
        self.book_button.clicked.connect(self.book_session)
        self.edit_button = QPushButton(self.tr("&Edit the session…"))
        self.edit_button.clicked.connect(self.edit_session)
        self.remove_button = QPushButton(self.tr("Remove the booking"))
        self.remove_button.clicked.connect(self.remove_session)
        for i, button in enumerate((self.book_button, self.edit_button, self.remove_button)):
            self.list.insert_button(i, button)

        self.heading = section_title(self.tr("Notes"))
        self.attendance = ChoiceField(self.tr("Attendance"), Attendance)
        self.attendance.edited.connect(self._attendance_edited)
        self.notes = NotesField(
            self.tr("Session notes"),
            self.tr("What was discussed, what was agreed, what happens next. Press Ctrl+S to save."),
        )
        self.notes.edited.connect(self._notes_edited)
        self.no_session = QLabel(self.tr("Choose a session on the left, or book one, to write its notes."))
        self.no_session.setObjectName("emptyState")
        self.no_session.setWordWrap(True)

        attendance_row = QHBoxLayout()
        attendance_row.addWidget(labelled(self.tr("&Attendance"), self.attendance))
        attendance_row.addWidget(self.attendance)
        attendance_row.addStretch(1)
        notes_label = labelled(self.tr("&Notes"), self.notes)
        self.detail = QWidget()
        detail = QVBoxLayout(self.detail)
        detail.setContentsMargins(0, 0, 0, 0)
        detail.addWidget(self.heading)
        detail.addLayout(attendance_row)
        detail.addWidget(notes_label)
        detail.addWidget(self.notes, 1)
        right = QVBoxLayout()
        right.addWidget(self.detail, 1)
        right.addWidget(self.no_session)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list, 5)
        layout.addLayout(right, 4)

        # Keyboard: the list, then what the coach records for the chosen session, then the buttons.
        for first, second in (
            (self.list.view, self.attendance),
            (self.attendance, self.notes),
            (self.notes, self.book_button),
        ):
            QWidget.setTabOrder(first, second)
        self.rows: list[Row] = []
        self._participant_id = ""
        self.list.current_changed.connect(self._show_session)
        self.list.changed.connect(self.changed.emit)
        self._show_session(-1)

    # -- the selected session ---------------------------------------------------------------
    def _show_session(self, index: int) -> None:
        row = self.rows[index] if 0 <= index < len(self.rows) else None
        self.detail.setVisible(row is not None)
        self.no_session.setVisible(row is None and bool(self.rows))
        self.edit_button.setEnabled(row is not None)
        self.remove_button.setEnabled(row is not None)
        self.notes.set_value(row["notes"] if row else "")
        with QSignalBlocker(self.attendance):
            self.attendance.set_value(row["attendance"] if row else Attendance.BOOKED)
        if row is not None:
            self.heading.setText(
                self.tr("Notes: {0}, {1} at {2}").format(
                    vocab_label(row["type"]), shown_date(row["date"]), row["time"].strftime("%H:%M")
                )
            )

    def _notes_edited(self) -> None:
        row = self.list.current_row()
        if row is not None:
            row["notes"] = self.notes.value()
            self.changed.emit()

    def _attendance_edited(self) -> None:
        row = self.list.current_row()
        if row is not None:
            row["attendance"] = self.attendance.value()
            self.list.refresh(self.list.current_index())
            self.changed.emit()

    # -- booking and editing ----------------------------------------------------------------
    def _exec(self, dialog: QDialog) -> bool:
        """Run a dialog (tests replace this to answer it)."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def book_session(self) -> None:
        row = new_session_row(new_id(), date.today(), time(10, 0), first=not self.rows)
        if self._exec(SessionDialog(row, booking=True, parent=self)):
            self.list.insert(row, self._sorted_position(row), focus=False)
            self.notes.setFocus()

    def edit_session(self) -> None:
        index = self.list.current_index()
        if index < 0:
            return
        row = dict(self.rows[index])
        if self._exec(SessionDialog(row, booking=False, parent=self)):
            self.rows[index].update(row)
            self.list.refresh(index)
            self._show_session(index)
            self.changed.emit()

    def remove_session(self) -> None:
        row = self.list.current_row()
        if row is None:
            return
        if row["notes"].strip() and not self._confirm_remove():
            return
        self.list.remove_current()

    def _confirm_remove(self) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Remove the session?"),
            self.tr("This session has notes. Remove it and its notes when you next save?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _sorted_position(self, row: Row) -> int:
        key = _start_key(row)
        if key is None:
            return len(self.rows)
        for i, other in enumerate(self.rows):
            other_key = _start_key(other)
            if other_key is not None and other_key > key:
                return i
        return len(self.rows)

    # -- drafts -----------------------------------------------------------------------------
    def pending_notes(self) -> list[tuple[str, str]]:
        """(draft key, note text) for every session whose notes were typed and not saved."""
        drafts: dict[str, str] = {}
        for row in self.rows:
            if row["notes"] == (row["stored_notes"] or "") or not row["notes"].strip():
                continue
            if row["stored_notes"] is None:
                key = NEW_SESSION_DRAFT + self._participant_id
                drafts[key] = "\n\n".join(filter(None, (drafts.get(key, ""), row["notes"])))
            else:
                drafts[SESSION_DRAFT + row["id"]] = row["notes"]
        return list(drafts.items())

    def restore_draft(self, key: str, body: str, saved_at: str) -> None:
        """Put a draft's text back in the notes of the session it came from (a new one if unsaved)."""
        session_id = key.removeprefix(SESSION_DRAFT) if key.startswith(SESSION_DRAFT) else None
        index = next((i for i, r in enumerate(self.rows) if r["id"] == session_id), -1)
        if index < 0:
            when = _local_time(saved_at)
            row = new_session_row(new_id(), when.date(), time(when.hour, when.minute - when.minute % 5), first=False)
            row["type"] = SessionType.REVIEW
            row["notes"] = body
            index = self._sorted_position(row)
            self.list.insert(row, index, focus=False)
        else:
            self.rows[index]["notes"] = body
        self.list.select(index)
        self._show_session(index)
        self.notes.setFocus()

    # -- RecordTab --------------------------------------------------------------------------
    def load(self, participant: Participant, history: list[SkillsInventory], policy: Policy) -> None:
        same = participant.id == self._participant_id
        previous = self.list.current_row()["id"] if same and self.list.current_row() else None
        self._participant_id = participant.id
        self.rows = [
            {
                "id": s.id,
                "date": edit_date(s.start.date()),
                "time": s.start.time(),
                "minutes": "" if s.minutes is None else str(s.minutes),
                "type": s.type,
                "attendance": s.attendance,
                "notes": s.notes,
                "stored_notes": s.notes,
            }
            for s in participant.sessions
        ]
        self.list.set_rows(self.rows)
        index = next((i for i, r in enumerate(self.rows) if r["id"] == previous), -1)
        self.list.select(index if index >= 0 else _latest_before_today(participant.sessions))

    def apply(self, participant: Participant) -> None:
        sessions = []
        for i, row in enumerate(self.rows):
            day = parse_date(row["date"], f"sessions[{i}].start", required=True)
            assert day is not None
            sessions.append(
                Session(
                    id=row["id"],
                    start=datetime.combine(day, row["time"]),
                    minutes=parse_whole_number(row["minutes"], f"sessions[{i}].minutes"),
                    type=row["type"],
                    attendance=row["attendance"],
                    notes=row["notes"],
                )
            )
        participant.sessions = sessions

    def clear(self) -> None:
        self.rows = []
        self._participant_id = ""
        self.list.clear()
        self.heading.setText(self.tr("Notes"))
        self._show_session(-1)

    def focus_path(self, path: str) -> str | None:
        parts = split_path(path)
        if len(parts) < 1 or parts[0][1] is None:
            return None
        index = parts[0][1]
        if not 0 <= index < len(self.rows):
            return None
        self.list.select(index)
        field = parts[1][0] if len(parts) > 1 else ""
        names = {
            "start": self.tr("Date and time"),
            "minutes": self.tr("Minutes"),
            "type": self.tr("Type"),
            "attendance": self.tr("Attendance"),
            "notes": self.tr("Notes"),
        }
        target = {"notes": self.notes, "attendance": self.attendance}.get(field, self.edit_button)
        target.setFocus()
        row = self.rows[index]
        return self.tr("Session of {0}: {1}").format(shown_date(row["date"]), names.get(field, field))


def _start_key(row: Row) -> datetime | None:
    try:
        day = parse_date(row["date"], "")
    except ValidationError:  # a half-typed date sorts last
        return None
    return datetime.combine(day, row["time"]) if day else None


def _latest_before_today(sessions: list[Session]) -> int:
    """The session a coach most likely wants: today's, else the latest before today."""
    today = date.today()
    chosen = 0
    for i, s in enumerate(sessions):
        if s.start.date() <= today:
            chosen = i
    return chosen


def _local_time(saved_at: str) -> datetime:
    try:
        return datetime.strptime(saved_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).astimezone().replace(tzinfo=None)
    except ValueError:
        return datetime.now()
