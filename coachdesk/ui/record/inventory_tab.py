"""Skills inventory: work history, qualifications, skills with confidence 1–5, work preferences and
barriers, with its history. "Record a new inventory" starts a new completion date (the vault keeps
the earlier ones), and "Distance travelled" compares the first and the latest."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.model import (
    Participant,
    Preferences,
    Qualification,
    Skill,
    SkillsInventory,
    WorkHistoryEntry,
)
from coachdesk.domain.policy import Policy
from coachdesk.domain.vocabulary import QualificationLevel
from coachdesk.ui.formats import british_date, edit_date, vocab_label
from coachdesk.ui.record.distance_view import DistanceView
from coachdesk.ui.record.fields import (
    ChoiceField,
    ConfidenceField,
    DateField,
    LineField,
    MessageLabel,
    NotesField,
    centred_block,
    empty_state,
    hint,
    labelled,
)
from coachdesk.ui.record.parsing import parse_date, parse_lines, parse_month, parse_whole_number
from coachdesk.ui.record.rows import RowEditor
from coachdesk.ui.record.tab import RecordTab, split_path

PATH = "skills_inventory"


class InventoryTab(RecordTab):
    prefixes = (PATH,)

    def __init__(self) -> None:
        super().__init__()
        self.title = self.tr("Skills inventory")
        self.completed_on = DateField(self.tr("Inventory completed on"))
        self.completed_on.edited.connect(self.changed.emit)
        self.new_button = QPushButton(self.tr("Record a &new inventory"))
        self.new_button.setToolTip(self.tr("Start a new inventory dated today; the earlier one stays in the history."))
        self.new_button.clicked.connect(self.record_new_inventory)
        self.history_label = QLabel()
        self.history_label.setWordWrap(True)
        self.notice = MessageLabel(self.tr("Inventory notice"))

        month = self.tr("YYYY-MM")
        self.work = RowEditor(
            self.tr("Work history"),
            [
                (self.tr("Employer"), lambda r: r["employer"]),
                (self.tr("Role"), lambda r: r["role"]),
                (self.tr("From"), lambda r: r["start"]),
                (self.tr("To"), lambda r: r["end"]),
                (self.tr("Reason left"), lambda r: r["reason_left"]),
            ],
            self.tr("No work history yet. Add each job, most recent first — volunteering and caring count too."),
            title=self.tr("Work history"),
            new_row=lambda: {"employer": "", "role": "", "start": "", "end": "", "reason_left": ""},
            add_text=self.tr("&Add a job"),
            remove_text=self.tr("Remove the job"),
            fields=[
                ("employer", self.tr("Em&ployer"), LineField(self.tr("Employer"))),
                ("role", self.tr("&Role"), LineField(self.tr("Role"))),
                ("start", self.tr("&From"), LineField(self.tr("Started (year and month)"), month, 100)),
                ("end", self.tr("&To"), LineField(self.tr("Ended (year and month)"), month, 100)),
                ("reason_left", self.tr("Reason &left"), LineField(self.tr("Reason left"))),
            ],
            stretch_column=0,
        )
        self.qualifications = RowEditor(
            self.tr("Qualifications"),
            [
                (self.tr("Qualification"), lambda r: r["title"]),
                (self.tr("Level"), lambda r: vocab_label(r["level"])),
                (self.tr("Year"), lambda r: r["year"]),
            ],
            self.tr(
                "No qualifications recorded. Add school, college and work certificates (a food hygiene or "
                "forklift certificate counts)."
            ),
            title=self.tr("Qualifications"),
            new_row=lambda: {"title": "", "level": QualificationLevel.NONE, "year": ""},
            add_text=self.tr("Add a &qualification"),
            remove_text=self.tr("Remove the qualification"),
            fields=[
                ("title", self.tr("T&itle"), LineField(self.tr("Qualification title"))),
                ("level", self.tr("Le&vel"), ChoiceField(self.tr("Qualification level"), QualificationLevel)),
                ("year", self.tr("&Year"), LineField(self.tr("Year gained"), self.tr("e.g. 2012"), 90)),
            ],
            stretch_column=0,
        )
        self.skills = RowEditor(
            self.tr("Skills"),
            [(self.tr("Skill"), lambda r: r["name"]), (self.tr("Confidence"), lambda r: f"{r['confidence']} / 5")],
            self.tr(
                "No skills yet. Ask what the participant is good at, and how confident they feel about each "
                "from 1 (not at all) to 5 (very)."
            ),
            title=self.tr("Skills and confidence"),
            new_row=lambda: {"name": "", "confidence": 3},
            add_text=self.tr("Add a &skill"),
            remove_text=self.tr("Remove the skill"),
            fields=[
                ("name", self.tr("S&kill"), LineField(self.tr("Skill"))),
                ("confidence", self.tr("&Confidence"), ConfidenceField(self.tr("Confidence from 1 to 5"))),
            ],
            form_beside=False,
            stretch_column=0,
        )
        self.job_types = NotesField(self.tr("Job types wanted"), self.tr("One per line, e.g. retail"))
        self.min_hours = LineField(self.tr("Minimum hours a week"), "", 70)
        self.max_hours = LineField(self.tr("Maximum hours a week"), "", 70)
        self.max_travel = LineField(self.tr("Longest journey to work in minutes"), "", 70)
        self.barriers = NotesField(self.tr("Barriers"), self.tr("One per line, e.g. childcare"))
        for edit in (self.job_types, self.min_hours, self.max_hours, self.max_travel, self.barriers):
            edit.edited.connect(self.changed.emit)
        for editor in (self.work, self.qualifications, self.skills):
            editor.changed.connect(self.changed.emit)

        prefs = QGroupBox(self.tr("Work preferences"))
        form = QFormLayout(prefs)
        form.addRow(labelled(self.tr("&Job types"), self.job_types), self.job_types)
        form.addRow(labelled(self.tr("&Hours a week, at least"), self.min_hours), self.min_hours)
        form.addRow(labelled(self.tr("Hours a week, at &most"), self.max_hours), self.max_hours)
        form.addRow(labelled(self.tr("Tra&vel, at most (minutes)"), self.max_travel), self.max_travel)
        barriers = QGroupBox(self.tr("Barriers to work"))
        barrier_box = QVBoxLayout(barriers)
        barrier_box.addWidget(labelled(self.tr("&Barriers, one per line"), self.barriers))
        barrier_box.addWidget(self.barriers)
        barrier_box.addWidget(hint(self.tr("Remove a barrier once it is overcome: distance travelled shows it.")))

        work_page = QWidget()
        work_layout = QVBoxLayout(work_page)
        work_layout.addWidget(self.work, 1)
        work_layout.addWidget(self.qualifications, 1)
        skills_page = QWidget()
        skills_layout = QHBoxLayout(skills_page)
        skills_layout.addWidget(self.skills, 1)
        right = QVBoxLayout()
        right.addWidget(prefs)
        right.addWidget(barriers, 1)
        skills_layout.addLayout(right, 1)
        self.distance = DistanceView()
        self.sections = QTabWidget()
        self.sections.setDocumentMode(True)
        self.sections.addTab(skills_page, self.tr("Skills, preferences and barriers"))
        self.sections.addTab(work_page, self.tr("Work history and qualifications"))
        self.sections.addTab(self.distance, self.tr("Distance travelled"))

        top = QHBoxLayout()
        top.addWidget(labelled(self.tr("Completed &on"), self.completed_on))
        top.addWidget(self.completed_on)
        top.addWidget(self.new_button)
        top.addWidget(self.history_label, 1)
        filled = QWidget()
        filled_layout = QVBoxLayout(filled)
        filled_layout.setContentsMargins(8, 8, 8, 0)
        filled_layout.addLayout(top)
        filled_layout.addWidget(self.notice)
        filled_layout.addWidget(self.sections, 1)

        self.start_button = QPushButton(self.tr("&Start the skills inventory"))
        self.start_button.clicked.connect(self.record_new_inventory)
        blank = centred_block(
            empty_state(
                self.tr(
                    "No skills inventory yet. At the initial assessment, go through work history, "
                    "qualifications, skills "
                    "with the participant's own confidence ratings, what work they want and what stands in the way."
                )
            ),
            self.start_button,
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(blank)
        self.stack.addWidget(filled)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self._has_inventory = False
        self._history: list[SkillsInventory] = []
        self._participant_id = ""
        self.clear()

    # -- a new inventory --------------------------------------------------------------------
    def record_new_inventory(self) -> None:
        today = date.today()
        if self._has_inventory and self.completed_on.value().strip() == edit_date(today):
            self.notice.setText(self.tr("Today's inventory is already open: update it and save."))
            return
        if not self._has_inventory:
            self._fill(None)
            self.notice.setText(self.tr("A new inventory dated today. Fill in what you can and save (Ctrl+S)."))
        else:
            self.notice.setText(
                self.tr(
                    "A new inventory dated {0}, starting from the last one, which stays in the history. "
                    "Update what has changed with the participant, then save."
                ).format(british_date(today))
            )
        self._has_inventory = True
        self.completed_on.set_value(edit_date(today))
        self.stack.setCurrentIndex(1)
        self.sections.setCurrentIndex(0)
        self.completed_on.setFocus()
        self.changed.emit()

    def _fill(self, inv: SkillsInventory | None, keep: bool = False) -> None:
        self.completed_on.set_value(edit_date(inv.completed_on) if inv else "")
        self.work.set_rows(
            [
                {
                    "employer": w.employer,
                    "role": w.role,
                    "start": w.start or "",
                    "end": w.end or "",
                    "reason_left": w.reason_left,
                }
                for w in (inv.work_history if inv else [])
            ],
            keep,
        )
        self.qualifications.set_rows(
            [
                {"title": q.title, "level": q.level, "year": "" if q.year is None else str(q.year)}
                for q in (inv.qualifications if inv else [])
            ],
            keep,
        )
        self.skills.set_rows([{"name": s.name, "confidence": s.confidence} for s in (inv.skills if inv else [])], keep)
        prefs = inv.preferences if inv else Preferences()
        self.job_types.set_value("\n".join(prefs.job_types))
        for edit, value in (
            (self.min_hours, prefs.min_hours),
            (self.max_hours, prefs.max_hours),
            (self.max_travel, prefs.max_travel_minutes),
        ):
            edit.set_value("" if value is None else str(value))
        self.barriers.set_value("\n".join(inv.barriers) if inv else "")

    def _show_history(self) -> None:
        dates = [british_date(h.completed_on) for h in self._history]
        if len(dates) > 1:
            self.history_label.setText(self.tr("Saved inventories: {0}").format(", ".join(dates)))
        elif dates:
            self.history_label.setText(self.tr("The first inventory; record a new one at a later review."))
        else:
            self.history_label.setText(self.tr("Not saved yet."))
        self.distance.show_history(self._history)

    # -- RecordTab --------------------------------------------------------------------------
    def load(self, participant: Participant, history: list[SkillsInventory], policy: Policy) -> None:
        same = participant.id == self._participant_id
        self._participant_id = participant.id
        inv = participant.skills_inventory
        self._has_inventory = inv is not None
        self._history = list(history)
        self._fill(inv, keep=same)
        self.notice.clear()
        self._show_history()
        self.stack.setCurrentIndex(1 if inv else 0)
        if not same:
            self.sections.setCurrentIndex(0)

    def apply(self, participant: Participant) -> None:
        if not self._has_inventory:
            return
        completed = parse_date(self.completed_on.value(), f"{PATH}.completed_on", required=True)
        assert completed is not None
        participant.skills_inventory = SkillsInventory(
            completed_on=completed,
            work_history=[
                WorkHistoryEntry(
                    employer=r["employer"],
                    role=r["role"],
                    start=parse_month(r["start"]),
                    end=parse_month(r["end"]),
                    reason_left=r["reason_left"],
                )
                for r in self.work.rows
            ],
            qualifications=[
                Qualification(
                    title=r["title"],
                    level=r["level"],
                    year=parse_whole_number(r["year"], f"{PATH}.qualifications[{i}].year"),
                )
                for i, r in enumerate(self.qualifications.rows)
            ],
            skills=[Skill(name=r["name"], confidence=r["confidence"]) for r in self.skills.rows],
            preferences=Preferences(
                job_types=parse_lines(self.job_types.value()),
                min_hours=parse_whole_number(self.min_hours.value(), f"{PATH}.preferences.min_hours"),
                max_hours=parse_whole_number(self.max_hours.value(), f"{PATH}.preferences.max_hours"),
                max_travel_minutes=parse_whole_number(
                    self.max_travel.value(), f"{PATH}.preferences.max_travel_minutes"
                ),
            ),
            barriers=parse_lines(self.barriers.value()),
        )

    def clear(self) -> None:
        self._has_inventory = False
        self._history = []
        self._participant_id = ""
        self._fill(None)
        self.notice.clear()
        self.history_label.clear()
        self.distance.clear()
        self.stack.setCurrentIndex(0)

    def focus_path(self, path: str) -> str | None:
        parts = split_path(path)[1:]
        if not parts:
            return None
        name, index = parts[0]
        key = parts[1][0] if len(parts) > 1 else None
        editors = {
            "work_history": (self.work, 1),
            "qualifications": (self.qualifications, 1),
            "skills": (self.skills, 0),
        }
        if name in editors and index is not None:
            editor, page = editors[name]
            self.sections.setCurrentIndex(page)
            label = editor.focus_field(index, key)
            return self.tr("{0} {1}: {2}").format(editor.view.accessibleName(), index + 1, label or "")
        singles = {
            "completed_on": (self.completed_on, self.tr("Completed on")),
            "barriers": (self.barriers, self.tr("Barriers")),
            "preferences.job_types": (self.job_types, self.tr("Job types")),
            "preferences.min_hours": (self.min_hours, self.tr("Hours a week, at least")),
            "preferences.max_hours": (self.max_hours, self.tr("Hours a week, at most")),
            "preferences.max_travel_minutes": (self.max_travel, self.tr("Travel, at most (minutes)")),
        }
        found = singles.get(f"preferences.{key}" if name == "preferences" else name)
        if found is None:
            return None
        if found[0] is not self.completed_on:
            self.sections.setCurrentIndex(0)
        found[0].setFocus()
        return found[1]
