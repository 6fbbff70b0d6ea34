"""First run: the programme policy, a passphrase, the vault created on the worker, the keyring
opt-in where the policy allows it, and the recovery key — shown once, last, and confirmed.

The recovery key is the only thing on these pages that must not outlive them: `done()` clears it
from every widget and from the wizard, whether the coach finishes or leaves. The first page, where
the policy comes from, is in setup_policy_page.py."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from coachdesk.domain.errors import CoachDeskError
from coachdesk.domain.passphrase import passphrase_problem
from coachdesk.domain.policy import Policy
from coachdesk.storage import device_keyring
from coachdesk.storage.vault import Vault
from coachdesk.ui.controller import AppController, UnlockInfo, unlock_info
from coachdesk.ui.formats import long_date
from coachdesk.ui.passphrase_meter import StrengthMeter
from coachdesk.ui.setup_policy_page import (
    BY_HAND,
    FROM_FILE,
    ISLINGTON,
    LARGEST_POLICY_FILE,
    PolicyPage,
    calm_label,
    policy_for_practices,
    toml_string,
)
from coachdesk.ui.worker import VaultHolder

POLICY_PAGE, PASSPHRASE_PAGE, CREATE_PAGE, RECOVERY_PAGE = range(4)


def _paragraph(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class PassphrasePage(QWizardPage):
    """(b) The passphrase, typed twice; Next stays off until it is strong enough and matches."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("Choose a passphrase"))
        self.setSubTitle(
            self.tr(
                "You will type it each time you open CoachDesk. A few unrelated words are easy to remember and hard "
                "to guess."
            )
        )
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setAccessibleName(self.tr("Passphrase"))
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName(self.tr("Passphrase again"))
        self.meter = StrengthMeter()
        self.problem = calm_label()
        self.problem.setAccessibleName(self.tr("Passphrase problem"))
        self.show_typing = QCheckBox(self.tr("&Show what I type"))
        self.show_typing.toggled.connect(self._show_typing)
        for field in (self.first, self.again, self.meter):
            field.setMaximumWidth(560)
        form = QFormLayout()
        form.addRow(self.tr("&Passphrase"), self.first)
        form.addRow("", self.meter)
        form.addRow(self.tr("&Type it again"), self.again)
        form.addRow("", self.show_typing)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.registerField("passphrase", self.first)
        self.registerField("passphraseAgain", self.again)
        self.first.textChanged.connect(self._changed)
        self.again.textChanged.connect(self._changed)
        self.setCommitPage(True)  # once the vault is created there is no going back
        self._changed()

    def _show_typing(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.first.setEchoMode(mode)
        self.again.setEchoMode(mode)

    def _changed(self) -> None:
        first, again = self.first.text(), self.again.text()
        self.meter.update_for(first)
        problem = ""
        if first and passphrase_problem(first):
            problem = self.tr("Too easy to guess: try three or four unrelated words, or add more characters.")
            if len(first) < 10:
                problem = self.tr("Use at least 10 characters; a few unrelated words work well.")
        elif again and again != first:
            problem = self.tr("The two passphrases are not the same yet.")
        self.problem.setText(problem)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        first = self.first.text()
        return StrengthMeter.acceptable(first) and first == self.again.text()

    def validatePage(self) -> bool:
        return self.isComplete()

    def forget(self) -> None:
        self.first.clear()
        self.again.clear()


class CreatePage(QWizardPage):
    """(c) The vault is created on the worker (the key derivation takes a second), then (e) the
    keyring opt-in where the policy allows it and this computer has a keyring."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("Creating your vault"))
        self.setSubTitle(self.tr("Your caseload is kept encrypted: only your passphrase or recovery key opens it."))
        self.status = _paragraph("")
        self.status.setAccessibleName(self.tr("Progress"))
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(self.tr("Creating the vault"))
        self.problem = calm_label()
        self.problem.setAccessibleName(self.tr("Problem creating the vault"))
        self.retry = QPushButton(self.tr("&Try again"))
        self.retry.clicked.connect(self.start)
        self.keyring_title = QLabel(self.tr("Unlocking with this computer's keyring"))
        self.keyring_title.setObjectName("sectionTitle")
        self.keyring_title.setIndent(0)
        self.keyring = QCheckBox(self.tr("Also unlock with this computer's &keyring"))
        self.keyring_note = _paragraph("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.busy)
        layout.addWidget(self.problem)
        layout.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(12)
        layout.addWidget(self.keyring_title)
        layout.addWidget(self.keyring)
        layout.addWidget(self.keyring_note)
        layout.addStretch(1)
        self._passphrase = ""
        self._running = False
        self.offered = False
        self._show_keyring(None)

    def initializePage(self) -> None:
        if self._wizard.info is None and not self._running:
            # Held only until the vault exists; the fields that showed it are emptied now.
            self._passphrase = str(self.field("passphrase"))
            self._wizard.passphrase_page.forget()
            self.start()

    def start(self) -> None:
        self._running = True
        self.problem.hide()
        self.retry.hide()
        self.busy.show()
        self.status.setText(
            self.tr(
                "Creating your encrypted vault. "
                "This takes a moment while CoachDesk tunes the encryption to this computer."
            )
        )
        self.completeChanged.emit()
        folder, passphrase, policy_text = self._wizard.controller.vault_dir, self._passphrase, self._wizard.policy_text

        def job(holder: VaultHolder) -> tuple[str, UnlockInfo, bool]:
            holder.vault, recovery_key = Vault.create(folder, passphrase, policy_text)
            return recovery_key, unlock_info(holder.vault), device_keyring.available()

        self._wizard.controller.run_raw(job, self._created, self._failed)

    def _created(self, result: tuple[str, UnlockInfo, bool]) -> None:
        recovery_key, info, keyring_available = result
        self._running = False
        self._passphrase = ""
        self._wizard.recovery_key = recovery_key
        self._wizard.info = info
        self.busy.hide()
        self.problem.hide()
        self.retry.hide()
        self.setTitle(self.tr("Your vault is ready"))
        self.status.setText(
            self.tr("Your caseload will be kept in an encrypted vault in this folder:\n{0}").format(
                self._wizard.controller.vault_dir
            )
        )
        self._show_keyring(keyring_available)
        self.completeChanged.emit()

    def _failed(self, exc: Exception) -> None:
        self._running = False
        self.busy.hide()
        if isinstance(exc, CoachDeskError):
            text = exc.message
        elif isinstance(exc, OSError):
            text = self.tr("The vault could not be written in {0}: {1}.").format(
                self._wizard.controller.vault_dir, exc.strerror or type(exc).__name__
            )
        else:
            text = self.tr("The vault could not be created ({0}).").format(type(exc).__name__)
        self.status.setText(self.tr("Nothing has been saved yet."))
        self.problem.setText(text)
        self.problem.show()
        self.retry.show()
        self.completeChanged.emit()

    def _show_keyring(self, keyring_available: bool | None) -> None:
        policy = self._wizard.policy
        offered = bool(keyring_available and policy is not None and policy.allow_keyring_unlock)
        self.offered = offered
        self.keyring_title.setVisible(keyring_available is not None)
        self.keyring.setVisible(offered)
        self.keyring.setChecked(False)
        if keyring_available is None:
            self.keyring_note.hide()
            return
        if offered:
            note = self.tr(
                "CoachDesk will then open without your passphrase while you are logged in to this computer. "
                "Your passphrase and recovery key still work."
            )
        elif policy is not None and not policy.allow_keyring_unlock:
            note = self.tr("Keyring unlock is not offered: your programme's policy does not allow it.")
        else:
            note = self.tr("Keyring unlock is not offered: this computer has no keyring CoachDesk can use safely.")
        self.keyring_note.setText(note)
        self.keyring_note.show()

    def isComplete(self) -> bool:
        return self._wizard.info is not None

    def validatePage(self) -> bool:
        return self.isComplete()


class RecoveryKeyPage(QWizardPage):
    """(d) The recovery key, once; Finish stays off until the coach confirms it is kept."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("Your recovery key"))
        self.setSubTitle(self.tr("If you forget your passphrase, this key is the only other way into your caseload."))
        warning = _paragraph(
            self.tr(
                "Without your passphrase or this key, your caseload cannot be opened by anyone — not by your "
                "manager, your programme or CoachDesk's makers. The data is gone. This key is shown only now."
            )
        )
        warning.setObjectName("calmError")
        self.key = QLabel()
        self.key.setAccessibleName(self.tr("Recovery key"))
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(max(font.pointSize(), 10) * 2)
        font.setWeight(QFont.Weight.Bold)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 1.0)
        self.key.setFont(font)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key.setMargin(12)
        self.key.setObjectName("recoveryKey")
        self.key.setFrameShape(QLabel.Shape.StyledPanel)
        self.alphabet = _paragraph(
            self.tr(
                "The key never uses the letters I, L, O or U, so 0 and 1 are always digits. Capitals or small letters "
                "both work when you type it."
            )
        )
        self.print_button = QPushButton(self.tr("&Print it…"))
        self.print_button.clicked.connect(self.print_key)
        self.confirm = QCheckBox(
            self.tr("I have &written it down or printed it, and will give it to my manager to keep")
        )
        self.confirm.toggled.connect(lambda _checked: self.completeChanged.emit())
        self.keyring_problem = calm_label()
        self.keyring_problem.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(warning)
        layout.addSpacing(8)
        layout.addWidget(self.key)
        layout.addWidget(self.alphabet)
        layout.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(8)
        layout.addWidget(self.confirm)
        layout.addWidget(self.keyring_problem)
        layout.addStretch(1)

    def initializePage(self) -> None:
        self.key.setText(self._wizard.recovery_key)

    def isComplete(self) -> bool:
        return self.confirm.isChecked()

    def validatePage(self) -> bool:
        return self.isComplete()

    def document(self) -> QTextDocument:
        """The printed sheet: the key and what it is for; nothing about any participant."""
        doc = QTextDocument()
        doc.setDefaultFont(QFont(self.font().family(), 12))
        heading = self.tr("CoachDesk recovery key")
        lines = [
            self.tr("Printed on {0}.").format(long_date(date.today())),
            self.tr(
                "Give this sheet to your manager to keep somewhere safe. It opens the coach's encrypted "
                "caseload if the passphrase is forgotten. Without the passphrase or this key, the data is gone."
            ),
            self.tr("Vault folder: {0}").format(self._wizard.controller.vault_dir),
        ]
        html = [f"<h1>{heading}</h1>"]
        html += [f"<p>{_escape(line)}</p>" for line in lines]
        html.append(
            "<p style='font-family: monospace; font-size: 24pt; font-weight: bold'>"
            f"{_escape(self._wizard.recovery_key)}</p>"
        )
        doc.setHtml("".join(html))
        return doc

    def print_key(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter  # noqa: PLC0415 - only when printing

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print the recovery key"))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.document().print_(printer)

    def forget(self) -> None:
        self.key.clear()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SetupWizard(QWizard):
    """Shown on the first run, when no vault exists at `controller.vault_dir`."""

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.policy_text = ""
        self.policy: Policy | None = None
        self.recovery_key = ""
        self.info: UnlockInfo | None = None
        self._finishing = False
        self.setWindowTitle(self.tr("Set up CoachDesk"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Create the vault"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Finish and open CoachDesk"))
        self.policy_page = PolicyPage(self)
        self.passphrase_page = PassphrasePage()
        self.create_page = CreatePage(self)
        self.recovery_page = RecoveryKeyPage(self)
        for page_id, page in enumerate((self.policy_page, self.passphrase_page, self.create_page, self.recovery_page)):
            self.setPage(page_id, page)
        self.setMinimumSize(760, 600)

    def accept(self) -> None:
        """Finish: set up keyring unlock if chosen (on the worker), then open the workspace."""
        if self._finishing or self.info is None or not self.recovery_page.isComplete():
            return
        self._finishing = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        wanted = self.create_page.offered and self.create_page.keyring.isChecked()

        def job(holder: VaultHolder) -> tuple[UnlockInfo, bool]:
            vault = holder.require()
            enabled = False
            if wanted:
                try:
                    enabled = vault.enable_keyring_unlock()
                except (CoachDeskError, OSError):
                    enabled = False  # the vault is sound; only the keyring said no (its own errors are caught there)
            return unlock_info(vault), enabled

        self.controller.run_raw(job, lambda result: self._opened(result, wanted), self._finish_failed)

    def _opened(self, result: tuple[UnlockInfo, bool], wanted: bool) -> None:
        info, enabled = result
        if wanted and not enabled:
            self._keyring_failed()
            return
        self.controller.opened(info)
        super().accept()

    def _keyring_failed(self) -> None:
        """The vault is fine; only the keyring refused. Say so and let the coach finish without it."""
        self.create_page.offered = False
        self.create_page.keyring.setChecked(False)
        self._finish_failed(
            None,
            self.tr(
                "This computer's keyring did not accept CoachDesk's key, so CoachDesk will ask for your passphrase. "
                "Press Finish to go on."
            ),
        )

    def _finish_failed(self, exc: Exception | None, text: str = "") -> None:
        self._finishing = False
        if not text:
            text = exc.message if isinstance(exc, CoachDeskError) else self.tr("CoachDesk could not open the vault.")
        self.recovery_page.keyring_problem.setText(text)
        self.recovery_page.keyring_problem.show()
        self.button(QWizard.WizardButton.FinishButton).setEnabled(self.recovery_page.isComplete())

    def reject(self) -> None:
        if self.info is not None and not self._finishing:
            answer = QMessageBox.question(
                self,
                self.tr("Leave setup?"),
                self.tr(
                    "Your vault has been created. If you leave now, the recovery key will not be shown again. "
                    "Leave anyway?"
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return

            def lock(holder: VaultHolder) -> None:
                if holder.vault is not None:
                    holder.vault.lock()

            self.controller.run_raw(lock)
        super().reject()

    def done(self, result: int) -> None:
        super().done(result)  # QWizard.done() checks the page again; the key must still be there
        if not self.isVisible():
            # The recovery key leaves every widget and the wizard itself, whichever way setup ends.
            self.recovery_key = ""
            self.recovery_page.forget()
            self.passphrase_page.forget()


__all__ = [  # the policy page's names are re-exported: tests and callers import them from here
    "BY_HAND",
    "CREATE_PAGE",
    "FROM_FILE",
    "ISLINGTON",
    "LARGEST_POLICY_FILE",
    "PASSPHRASE_PAGE",
    "POLICY_PAGE",
    "RECOVERY_PAGE",
    "CreatePage",
    "PassphrasePage",
    "PolicyPage",
    "RecoveryKeyPage",
    "SetupWizard",
    "policy_for_practices",
    "toml_string",
]
