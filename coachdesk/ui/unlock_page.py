"""The unlock screen: passphrase, keyring (when this computer holds a device slot), or the
recovery key, which then sets a new passphrase. A wrong passphrase gets a calm sentence."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.errors import CoachDeskError
from coachdesk.domain.passphrase import passphrase_problem
from coachdesk.ui.controller import AppController, unlock_info
from coachdesk.ui.passphrase_meter import StrengthMeter
from coachdesk.ui.worker import VaultHolder


class UnlockPage(QWidget):
    """Shown at start (once a vault exists) and whenever the vault locks."""

    busy = Signal(bool)

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        card = QFrame()
        card.setObjectName("unlockCard")
        # A fixed width lets word-wrapped messages report their real height (none is clipped).
        card.setFixedWidth(440)
        title = QLabel(self.tr("CoachDesk is locked"))
        title.setObjectName("pageTitle")
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.passphrase.setPlaceholderText(self.tr("Passphrase"))
        self.passphrase.returnPressed.connect(self.unlock_with_passphrase)
        self.unlock_button = QPushButton(self.tr("&Unlock"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.unlock_with_passphrase)
        self.keyring_button = QPushButton(self.tr("Unlock with this computer's &keyring"))
        self.keyring_button.clicked.connect(self.unlock_with_keyring)
        self.recovery_button = QPushButton(self.tr("Forgotten your passphrase? Use the &recovery key"))
        self.recovery_button.setFlat(True)
        self.recovery_button.clicked.connect(self.use_recovery_key)
        self.message = QLabel()
        self.message.setObjectName("calmError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Unlock message"))

        inner = QVBoxLayout(card)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(self.reason)
        label = QLabel(self.tr("&Passphrase"))
        label.setBuddy(self.passphrase)
        inner.addWidget(label)
        inner.addWidget(self.passphrase)
        inner.addWidget(self.message)
        inner.addWidget(self.unlock_button)
        inner.addWidget(self.keyring_button)
        inner.addWidget(self.recovery_button)
        # Centred by stretches rather than an alignment flag: an aligned widget gets its size
        # hint, which does not grow for a wrapped message, and the message would be clipped.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setTabOrder(self.passphrase, self.unlock_button)
        self.setTabOrder(self.unlock_button, self.keyring_button)
        self.setTabOrder(self.keyring_button, self.recovery_button)
        self.show_locked("")

    def show_locked(self, reason: str) -> None:
        self.reason.setText(reason or self.tr("Enter your passphrase to open your caseload."))
        self.reason.setVisible(True)
        self.passphrase.clear()
        self.message.clear()
        self.keyring_button.setVisible(self.controller.has_keyring_slot)
        self._set_busy(False)
        self.passphrase.setFocus()

    def _set_busy(self, busy: bool) -> None:
        for w in (self.passphrase, self.unlock_button, self.keyring_button, self.recovery_button):
            w.setEnabled(not busy)
        if busy:
            self.message.setText(self.tr("Unlocking…"))
        self.busy.emit(busy)

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        text = exc.message if isinstance(exc, CoachDeskError) else self.tr("The vault could not be opened.")
        self.message.setText(text)
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def unlock_with_passphrase(self) -> None:
        secret = self.passphrase.text()
        if not secret:
            self.message.setText(self.tr("Type your passphrase first."))
            return
        self.passphrase.clear()
        self._set_busy(True)

        def job(holder: VaultHolder) -> object:
            assert holder.vault is not None
            holder.vault.unlock_with_passphrase(secret)
            return unlock_info(holder.vault)

        self.controller.run_raw(job, self.controller.opened, self._failed)

    def unlock_with_keyring(self) -> None:
        self._set_busy(True)

        def job(holder: VaultHolder) -> object:
            assert holder.vault is not None
            holder.vault.unlock_with_keyring()
            return unlock_info(holder.vault)

        self.controller.run_raw(job, self.controller.opened, self._failed)

    def use_recovery_key(self) -> None:
        dialog = RecoveryDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        key, new = dialog.recovery_key.text(), dialog.new_passphrase.text()
        self._set_busy(True)

        def job(holder: VaultHolder) -> object:
            assert holder.vault is not None
            holder.vault.unlock_with_recovery_key(key)
            try:
                holder.vault.change_passphrase(new)
            except BaseException:
                # The screen stays locked, so the key must not stay in memory behind it.
                holder.vault.lock()
                raise
            return unlock_info(holder.vault)

        self.controller.run_raw(job, self.controller.opened, self._failed)


class RecoveryDialog(QDialog):
    """Recovery key plus a new passphrase (typed twice), checked before anything is tried."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Use the recovery key"))
        self.recovery_key = QLineEdit()
        self.recovery_key.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.recovery_key.setAccessibleName(self.tr("Recovery key"))
        self.new_passphrase = QLineEdit()
        self.new_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_passphrase.setAccessibleName(self.tr("New passphrase"))
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName(self.tr("New passphrase again"))
        self.meter = StrengthMeter()
        self.new_passphrase.textChanged.connect(self.meter.update_for)
        self.problem = QLabel()
        self.problem.setObjectName("calmError")
        self.problem.setWordWrap(True)
        intro = QLabel(
            self.tr("Type the recovery key you were given when the vault was created, then choose a new passphrase.")
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("&Recovery key"), self.recovery_key)
        form.addRow(self.tr("&New passphrase"), self.new_passphrase)
        form.addRow("", self.meter)
        form.addRow(self.tr("&Type it again"), self.again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Unlock and set passphrase"))
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def _check(self) -> None:
        if not self.recovery_key.text().strip():
            self.problem.setText(self.tr("Recovery key: type the key first."))
            self.recovery_key.setFocus()
            return
        problem = passphrase_problem(self.new_passphrase.text())
        if problem:
            self.problem.setText(self.tr("New passphrase: ") + problem)
            self.new_passphrase.setFocus()
            return
        if self.again.text() != self.new_passphrase.text():
            self.problem.setText(self.tr("Type it again: the two passphrases are not the same."))
            self.again.setFocus()
            return
        self.accept()
