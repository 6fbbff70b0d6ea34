"""Enrolling this laptop with the programme's hub: the hub's address (from the policy), the
single-use token the programme team gave the coach, and the laptop's name. The request runs on the
network thread; the dialog stays open with the hub's own sentence if it says no."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.policy import check_hub_url
from coachdesk.sync.sending import default_device_name
from coachdesk.ui.sync_runner import SyncRunner


class EnrolDialog(QDialog):
    def __init__(self, runner: SyncRunner, hub_url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle(self.tr("Enrol this laptop"))
        self.setMinimumWidth(520)

        intro = QLabel(
            self.tr(
                "The programme team gives you a single-use enrolment token. Enrolling sends the hub this "
                "laptop's public key and the name below — nothing about anyone on your caseload."
            )
        )
        intro.setWordWrap(True)
        self.hub = QLineEdit(hub_url)
        self.hub.setPlaceholderText("https://…")
        self.hub.setAccessibleName(self.tr("Hub address"))
        self.token = QLineEdit()
        self.token.setAccessibleName(self.tr("Enrolment token"))
        self.token.setPlaceholderText(self.tr("as the programme team gave it"))
        self.name = QLineEdit(default_device_name())
        self.name.setAccessibleName(self.tr("This laptop's name"))
        self.name.setMaxLength(100)
        form = QFormLayout()
        form.addRow(self.tr("&Hub address:"), self.hub)
        form.addRow(self.tr("Enrolment &token:"), self.token)
        form.addRow(self.tr("This laptop's &name:"), self.name)

        self.problem = QLabel()
        self.problem.setObjectName("calmError")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.enrol_button = self.buttons.addButton(self.tr("&Enrol"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.enrol_button.setDefault(True)
        self.buttons.accepted.connect(self._enrol)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        # The address usually comes from the policy: start where the coach has something to type.
        (self.token if hub_url else self.hub).setFocus()
        runner.controller.locked.connect(self.reject)

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _set_working(self, working: bool) -> None:
        for widget in (self.hub, self.token, self.name, self.enrol_button):
            widget.setEnabled(not working)

    def _enrol(self) -> None:
        try:
            url = check_hub_url(self.hub.text().strip(), "")
        except ValidationError as exc:
            self._say(self.tr("The hub address {0}.").format(exc.problem))
            self.hub.setFocus()
            return
        token, name = self.token.text().strip(), self.name.text().strip()
        if not token:
            self._say(self.tr("Type the enrolment token the programme team gave you."))
            self.token.setFocus()
            return
        if not name:
            self._say(self.tr("Give this laptop a name, so the programme team knows which one it is."))
            self.name.setFocus()
            return
        if not self.runner.enrol(url, token, name, self._enrolled, self._refused):
            self._say(self.tr("CoachDesk is busy sending or exporting; try again in a moment."))
            return
        self._set_working(True)
        self._say(self.tr("Enrolling with {0}…").format(url))

    def _enrolled(self, _device_id: str) -> None:
        self.accept()

    def _refused(self, sentence: str) -> None:
        self._set_working(False)
        self._say(self.tr("Not enrolled: {0}").format(sentence))
        self.token.setFocus()
