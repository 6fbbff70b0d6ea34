"""Goals: SMART goals (title, category, dates, status) with their steps (what, who, by when).
A goal's closed_on is set to today when its status leaves open, and cleared when it reopens."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QLabel, QVBoxLayout

from coachdesk.domain.model import Goal, GoalStep, Participant, SkillsInventory, new_id
from coachdesk.domain.policy import Policy
from coachdesk.domain.vocabulary import GoalCategory, GoalStatus, StepOwner
from coachdesk.ui.formats import british_date, edit_date, vocab_label
from coachdesk.ui.record.fields import CheckField, ChoiceField, DateField, LineField, shown_date
from coachdesk.ui.record.parsing import parse_date
from coachdesk.ui.record.rows import Row, RowEditor
from coachdesk.ui.record.tab import RecordTab, split_path


class GoalsTab(RecordTab):
    prefixes = ("goals",)

    def __init__(self) -> None:
        super().__init__()
        self.title = self.tr("Goals")
        self.status = ChoiceField(self.tr("Goal status"), GoalStatus)
        self.closed_on = DateField(self.tr("Goal closed on"))
        self.goals = RowEditor(
            self.tr("Goals"),
            [
                (self.tr("Goal"), lambda r: r["title"]),
                (self.tr("Category"), lambda r: vocab_label(r["category"])),
                (self.tr("Target date"), lambda r: shown_date(r["target_date"])),
                (self.tr("Status"), lambda r: vocab_label(r["status"])),
                (self.tr("Steps done"), _steps_done),
            ],
            self.tr("No goals yet — add the first with the participant: what they want to achieve, and by when."),
            title=self.tr("Goals"),
            new_row=lambda: {
                "id": new_id(),
                "title": "",
                "category": GoalCategory.WORK,
                "created": edit_date(date.today()),
                "target_date": "",
                "status": GoalStatus.OPEN,
                "closed_on": "",
                "steps": [],
            },
            add_text=self.tr("&Add a goal"),
            remove_text=self.tr("Remove the goal"),
            fields=[
                ("title", self.tr("&Goal"), LineField(self.tr("Goal"), self.tr("e.g. Find a part-time job in retail"))),
                ("category", self.tr("Cate&gory"), ChoiceField(self.tr("Goal category"), GoalCategory)),
                ("created", self.tr("Set &on"), DateField(self.tr("Goal set on"))),
                ("target_date", self.tr("&Target date"), DateField(self.tr("Goal target date"))),
                ("status", self.tr("Stat&us"), self.status),
                ("closed_on", self.tr("&Closed on"), self.closed_on),
            ],
            stretch_column=0,
        )
        self.steps = RowEditor(
            self.tr("Steps"),
            [
                (self.tr("Step"), lambda r: r["text"]),
                (self.tr("Who"), lambda r: vocab_label(r["owner"])),
                (self.tr("Due"), lambda r: shown_date(r["due"])),
                (self.tr("Done"), lambda r: self.tr("Done") if r["done"] else ""),
            ],
            self.tr("No steps yet — break the goal into small steps: what, who does it, and by when."),
            title=self.tr("Steps"),
            new_row=lambda: {"text": "", "owner": StepOwner.PARTICIPANT, "due": "", "done": False},
            add_text=self.tr("Add a &step"),
            remove_text=self.tr("Remove the step"),
            fields=[
                (
                    "text",
                    self.tr("Ste&p"),
                    LineField(self.tr("Step"), self.tr("e.g. Update the CV with the volunteering")),
                ),
                ("owner", self.tr("&Who"), ChoiceField(self.tr("Who does the step"), StepOwner)),
                ("due", self.tr("&Due"), DateField(self.tr("Step due"))),
                ("done", "", CheckField(self.tr("Do&ne"))),
            ],
            stretch_column=0,
        )
        self.no_goal = QLabel(self.tr("Choose a goal above to see and add its steps."))
        self.no_goal.setObjectName("emptyState")
        self.plans = QLabel()
        self.plans.setWordWrap(True)
        self.plans.setAccessibleName(self.tr("Action plans printed"))
        self.goals.changed.connect(self.changed.emit)
        self.steps.changed.connect(self._steps_changed)
        self.status.edited.connect(self._status_edited)
        self.goals.current_changed.connect(self._show_goal)

        layout = QVBoxLayout(self)
        layout.addWidget(self.goals, 3)
        layout.addWidget(self.steps, 2)
        layout.addWidget(self.no_goal)
        layout.addWidget(self.plans)
        self._participant_id = ""
        self.rows: list[Row] = []
        self._show_goal(-1)

    def _show_goal(self, index: int) -> None:
        row = self.goals.rows[index] if 0 <= index < len(self.goals.rows) else None
        self.steps.setVisible(row is not None)
        self.no_goal.setVisible(row is None and bool(self.goals.rows))
        self.steps.set_rows(row["steps"] if row else [])

    def _steps_changed(self) -> None:
        self.goals.refresh(self.goals.current_index())
        self.changed.emit()

    def _status_edited(self) -> None:
        row = self.goals.current_row()
        if row is None:
            return
        if row["status"] == GoalStatus.OPEN:
            row["closed_on"] = ""
        elif not row["closed_on"].strip():
            row["closed_on"] = edit_date(date.today())
        self.closed_on.set_value(row["closed_on"])

    # -- RecordTab --------------------------------------------------------------------------
    def load(self, participant: Participant, history: list[SkillsInventory], policy: Policy) -> None:
        same = participant.id == self._participant_id
        self._participant_id = participant.id
        self.rows = [
            {
                "id": g.id,
                "title": g.title,
                "category": g.category,
                "created": edit_date(g.created),
                "target_date": edit_date(g.target_date),
                "status": g.status,
                "closed_on": edit_date(g.closed_on),
                "steps": [{"text": s.text, "owner": s.owner, "due": edit_date(s.due), "done": s.done} for s in g.steps],
            }
            for g in participant.goals
        ]
        self.goals.set_rows(self.rows, keep_selection=same)
        self._show_goal(self.goals.current_index())
        if participant.action_plans_issued:
            dates = ", ".join(british_date(d) for d in participant.action_plans_issued)
            self.plans.setText(self.tr("Action plans printed: {0}").format(dates))
        else:
            self.plans.setText(self.tr("No action plan printed yet."))

    def apply(self, participant: Participant) -> None:
        goals = []
        for i, r in enumerate(self.rows):
            at = f"goals[{i}]"
            created = parse_date(r["created"], f"{at}.created", required=True)
            assert created is not None
            goals.append(
                Goal(
                    id=r["id"],
                    title=r["title"],
                    category=r["category"],
                    created=created,
                    target_date=parse_date(r["target_date"], f"{at}.target_date"),
                    status=r["status"],
                    closed_on=parse_date(r["closed_on"], f"{at}.closed_on"),
                    steps=[
                        GoalStep(
                            text=s["text"],
                            owner=s["owner"],
                            due=parse_date(s["due"], f"{at}.steps[{j}].due"),
                            done=s["done"],
                        )
                        for j, s in enumerate(r["steps"])
                    ],
                )
            )
        participant.goals = goals

    def clear(self) -> None:
        self.rows = []
        self._participant_id = ""
        self.goals.clear()
        self.steps.clear()
        self.plans.clear()
        self._show_goal(-1)

    def focus_path(self, path: str) -> str | None:
        parts = split_path(path)
        index = parts[0][1] if parts else None
        if index is None or not 0 <= index < len(self.rows):
            return None
        if len(parts) > 2 and parts[1][0] == "steps" and parts[1][1] is not None:
            self.goals.focus_field(index, None)
            step = parts[1][1]
            label = self.steps.focus_field(step, parts[2][0])
            return self.tr("Goal {0}, step {1}: {2}").format(index + 1, step + 1, label or "")
        label = self.goals.focus_field(index, parts[1][0] if len(parts) > 1 else None)
        return self.tr("Goal {0}: {1}").format(index + 1, label or self.tr("Goal"))


def _steps_done(row: Row) -> str:
    steps = row["steps"]
    return f"{sum(1 for s in steps if s['done'])} / {len(steps)}" if steps else ""
