"""The first page of the setup wizard (setup_wizard.py): where the programme policy comes from —
the programme's own file, the shipped Islington default, or practices typed by hand — checked
with `parse_policy` and handed to the wizard. It also holds the helpers that turn hand-entered
practices into a policy file (`toml_string`, `policy_for_practices`) and `calm_label`, the quiet
problem label every wizard page uses."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.policy import Policy, parse_policy
from coachdesk.resources import default_policy_text

if TYPE_CHECKING:
    from coachdesk.ui.setup_wizard import SetupWizard

LARGEST_POLICY_FILE = 1_000_000  # bytes; a real policy is a few hundred

FROM_FILE, ISLINGTON, BY_HAND = range(3)


def toml_string(text: str) -> str:
    """`text` as a TOML basic string: quotes, backslashes and control characters escaped."""
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def policy_for_practices(practices: list[tuple[str, str]]) -> str:
    """A policy file for practices entered by hand: the shipped default's settings (auto-lock,
    keyring, living wage), with these practices and no hub, so nothing is sent anywhere."""
    default = parse_policy(default_policy_text())
    lines = [
        "# Entered by hand in CoachDesk's setup; replace it with your programme's file when you have one.",
        'programme = "local"',
        f"auto_lock_minutes = {default.auto_lock_minutes}",
        f"allow_keyring_unlock = {'true' if default.allow_keyring_unlock else 'false'}",
        f"source_suppression = {default.source_suppression}",
        f"retention_years_after_closure = {default.retention_years_after_closure}",
    ]
    for code, name in practices:
        lines += ["", "[[practices]]", f"code = {toml_string(code)}", f"name = {toml_string(name)}"]
    for start, pence in default.living_wage:
        lines += ["", "[[living_wage]]", f'from = "{start.isoformat()}"', f"pence = {pence}"]
    return "\n".join(lines) + "\n"


def calm_label() -> QLabel:
    """The quiet, selectable label in which a wizard page states its problem."""
    label = QLabel()
    label.setObjectName("calmError")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class PolicyPage(QWizardPage):
    """(a) Welcome, and where the practices come from."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("Welcome to CoachDesk"))
        self.setSubTitle(
            self.tr(
                "CoachDesk keeps your caseload encrypted on this computer. "
                "First, tell it which GP practices you work in."
            )
        )
        self.from_file = QRadioButton(self.tr("&Load the policy file your programme gave you…"))
        self.islington = QRadioButton(self.tr("Use the &Islington Working Better practices"))
        self.by_hand = QRadioButton(self.tr("&Enter the practices by hand"))
        self.choice = QButtonGroup(self)
        for i, button in enumerate((self.from_file, self.islington, self.by_hand)):
            self.choice.addButton(button, i)
        self.choice.idClicked.connect(self._chosen)

        self.choose_file = QPushButton(self.tr("&Choose file…"))
        self.choose_file.setAccessibleName(self.tr("Choose the policy file"))
        self.choose_file.clicked.connect(self._ask_for_file)
        self.file_name = QLabel()
        self.file_name.setWordWrap(True)
        self.file_name.setAccessibleName(self.tr("Policy file"))
        file_row = QHBoxLayout()
        file_row.setContentsMargins(24, 0, 0, 0)
        file_row.addWidget(self.choose_file)
        file_row.addWidget(self.file_name, 1)

        self.table = QTableWidget(3, 2)
        self.table.setAccessibleName(self.tr("Practices entered by hand"))
        self.table.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Practice name")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 140)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setMinimumHeight(110)
        self.table.itemChanged.connect(lambda _item: self._use_hand_entry())
        self.add_row = QPushButton(self.tr("&Add a practice"))
        self.add_row.clicked.connect(self._add_row)
        self.remove_row = QPushButton(self.tr("&Remove the selected practice"))
        self.remove_row.clicked.connect(self._remove_row)
        rows = QHBoxLayout()
        rows.addWidget(self.add_row)
        rows.addWidget(self.remove_row)
        rows.addStretch(1)
        self.hand_entry = QWidget()
        hand = QVBoxLayout(self.hand_entry)
        hand.setContentsMargins(24, 0, 0, 0)
        hand.addWidget(self.table)
        hand.addLayout(rows)

        self.practices_title = QLabel(self.tr("Practices CoachDesk will use:"))
        self.practices_title.setObjectName("sectionTitle")
        self.practices_title.setIndent(0)
        self.practices = QLabel()
        self.practices.setWordWrap(True)
        self.practices.setAccessibleName(self.tr("Practices CoachDesk will use"))
        self.problem = calm_label()
        self.problem.setAccessibleName(self.tr("Policy problem"))

        layout = QVBoxLayout(self)
        layout.addWidget(self.from_file)
        layout.addLayout(file_row)
        layout.addWidget(self.islington)
        layout.addWidget(self.by_hand)
        layout.addWidget(self.hand_entry)
        layout.addWidget(self.practices_title)
        layout.addWidget(self.practices)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self._file_text: str | None = None
        self._chosen(-1)

    # -- the three sources ------------------------------------------------------------------
    def _chosen(self, which: int) -> None:
        self.choose_file.setEnabled(which == FROM_FILE)
        self.hand_entry.setVisible(which == BY_HAND)
        if which == FROM_FILE:
            if self._file_text is None:
                self._set(None, None)
                self.practices.setText(self.tr("Choose the policy file your programme gave you."))
            else:
                self._check(self._file_text, None)
        elif which == ISLINGTON:
            self._check(default_policy_text(), None)
        elif which == BY_HAND:
            self._use_hand_entry()
        else:
            self._set(None, None)
            self.practices.setText(self.tr("None yet: choose one of the options above."))

    def _ask_for_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose your programme's policy file"),
            str(Path.home()),
            self.tr("Policy files (*.toml);;All files (*)"),
        )
        if name:
            self.load_policy_file(Path(name))

    def load_policy_file(self, path: Path) -> bool:
        """Read and check a policy file; the problem, naming the key, is shown when it is not right."""
        self.from_file.setChecked(True)
        self.choose_file.setEnabled(True)
        self.hand_entry.setVisible(False)
        self.file_name.setText(path.name)
        self._file_text = None
        try:
            if path.stat().st_size > LARGEST_POLICY_FILE:
                raise ValueError
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            self._set(None, self.tr("The file could not be read: {0}.").format(exc.strerror or type(exc).__name__))
            return False
        except (UnicodeDecodeError, ValueError):
            self._set(None, self.tr("That file is not a policy file: a policy file is a short text file (TOML)."))
            return False
        self._file_text = text
        return self._check(text, None)

    def _hand_rows(self) -> tuple[list[tuple[str, str]], list[int]]:
        """The filled rows (code, name) and the table row each came from; blank rows are skipped."""
        rows: list[tuple[str, str]] = []
        where: list[int] = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in (0, 1)]
            code, name = ((cell.text().strip() if cell else "") for cell in cells)
            if code or name:
                rows.append((code, name))
                where.append(r)
        return rows, where

    def _use_hand_entry(self) -> None:
        if self.choice.checkedId() != BY_HAND:
            return
        rows, where = self._hand_rows()
        if not rows:
            self._set(None, None)
            self.practices.setText(self.tr("Type each practice's code and name in the table."))
            return
        self._check(policy_for_practices(rows), where)

    def _add_row(self) -> None:
        self.table.insertRow(self.table.rowCount())
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)
        self.table.setFocus()

    def _remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._use_hand_entry()

    # -- checking ---------------------------------------------------------------------------
    def _check(self, text: str, hand_rows: list[int] | None) -> bool:
        try:
            policy = parse_policy(text)
        except ValidationError as exc:
            self._set(None, self._describe(exc, hand_rows))
            return False
        if not policy.practices:
            self._set(
                None,
                self.tr(
                    "There is a problem in the policy file: “practices” lists no practice. Ask your programme for the "
                    "full policy file."
                ),
            )
            return False
        self._set((text, policy), None)
        return True

    def _describe(self, exc: ValidationError, hand_rows: list[int] | None) -> str:
        found = re.fullmatch(r"practices\[(\d+)\]\.(code|name)", exc.path)
        if hand_rows is not None and found:
            row = hand_rows[int(found.group(1))] + 1
            field = self.tr("code") if found.group(2) == "code" else self.tr("name")
            return self.tr("Row {0}: the {1} {2}.").format(row, field, exc.problem)
        if not exc.path:
            return self.tr("This is not a policy file CoachDesk can read: {0}").format(exc.problem)
        return self.tr("There is a problem in the policy file: “{0}” {1}.").format(exc.path, exc.problem)

    def _set(self, accepted: tuple[str, Policy] | None, problem: str | None) -> None:
        self._wizard.policy_text, self._wizard.policy = accepted if accepted else ("", None)
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))
        if accepted:
            self.practices.setText("\n".join(f"{p.code} — {p.name}" for p in accepted[1].practices))
        else:
            self.practices.setText(self.tr("None yet."))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self._wizard.policy is not None

    def validatePage(self) -> bool:  # QWizard.next() does not ask isComplete() itself
        return self.isComplete()
