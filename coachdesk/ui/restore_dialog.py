"""Restore a backup into a new, empty folder: the backup file, the folder, and the passphrase or
recovery key it opens with. The restore runs on the vault worker (it does not touch the open
vault) and is checked before the folder appears; this vault is never overwritten."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.errors import CoachDeskError
from coachdesk.services import backups
from coachdesk.ui.controller import AppController


class RestoreDialog(QDialog):
    restored = Signal(str)

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(self.tr("Restore a backup"))
        self.setMinimumWidth(560)

        self.file = QLineEdit()
        self.file.setAccessibleName(self.tr("Backup file"))
        self.file.setPlaceholderText(self.tr("coachdesk-backup-….cdbackup"))
        browse_file = QPushButton(self.tr("&Browse…"))
        browse_file.clicked.connect(self._browse_file)
        self.folder = QLineEdit()
        self.folder.setAccessibleName(self.tr("New folder for the restored vault"))
        self.folder.setPlaceholderText(self.tr("a new or empty folder"))
        browse_folder = QPushButton(self.tr("Br&owse…"))
        browse_folder.clicked.connect(self._browse_folder)
        self.use_passphrase = QRadioButton(self.tr("&Passphrase"))
        self.use_passphrase.setChecked(True)
        self.use_recovery = QRadioButton(self.tr("Re&covery key"))
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setAccessibleName(self.tr("Passphrase or recovery key of the backup"))
        self.use_recovery.toggled.connect(
            lambda on: self.key.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        )

        def row(field: QLineEdit, button: QPushButton) -> QHBoxLayout:
            layout = QHBoxLayout()
            layout.addWidget(field, 1)
            layout.addWidget(button)
            return layout

        kinds = QHBoxLayout()
        kinds.addWidget(self.use_passphrase)
        kinds.addWidget(self.use_recovery)
        kinds.addStretch(1)
        form = QFormLayout()
        file_label, folder_label, key_label = (
            QLabel(self.tr("Backup &file:")),
            QLabel(self.tr("&Into:")),
            QLabel(self.tr("Opens &with:")),
        )
        file_label.setBuddy(self.file)
        folder_label.setBuddy(self.folder)
        key_label.setBuddy(self.key)
        form.addRow(file_label, row(self.file, browse_file))
        form.addRow(folder_label, row(self.folder, browse_folder))
        form.addRow(QLabel(self.tr("Key:")), kinds)
        form.addRow(key_label, self.key)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.problem = QLabel()
        self.problem.setObjectName("calmError")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restore_button = self.buttons.addButton(self.tr("&Restore"), QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.clicked.connect(self.restore)
        self.buttons.rejected.connect(self.reject)
        intro = QLabel(
            self.tr(
                "The backup is restored into a new folder and checked there; the vault you are using now "
                "is not changed."
            )
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.restore_button.setDefault(True)

    def _browse_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a backup"), "", self.tr("CoachDesk backups (*.cdbackup);;All files (*)")
        )
        if chosen:
            self.file.setText(chosen)

    def _browse_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Choose a new, empty folder"))
        if chosen:
            self.folder.setText(chosen)

    def confirm(self, backup: Path, folder: Path) -> bool:
        """Ask before restoring (tests replace this method)."""
        answer = QMessageBox.question(
            self,
            self.tr("Restore this backup?"),
            self.tr("Restore {0} into {1}? The vault you are using now is not changed.").format(
                backup.name, str(folder)
            ),
        )
        return answer == QMessageBox.StandardButton.Yes

    def restore(self) -> None:
        backup, folder, key = self.file.text().strip(), self.folder.text().strip(), self.key.text()
        if not backup or not folder or not key:
            self._problem(self.tr("Choose the backup file and the folder, and give its passphrase or recovery key."))
            return
        source, target = Path(backup), Path(folder)
        if not self.confirm(source, target):
            return
        recovery = self.use_recovery.isChecked()
        self.restore_button.setEnabled(False)
        self.problem.hide()
        self.message.setText(self.tr("Restoring and checking the backup…"))
        self.message.show()

        def job(_holder: object) -> str:
            if recovery:
                backups.restore(source, target, recovery_key=key)
            else:
                backups.restore(source, target, passphrase=key)
            return str(target)

        self.controller.worker.run(job, on_done=self._done, on_error=self._failed)

    def _done(self, folder: str) -> None:
        self.key.clear()
        self.restore_button.setEnabled(True)
        self.message.setText(
            self.tr(
                "The backup was restored into {0} and checked. To work in it, open CoachDesk on that folder "
                '(coachdesk --vault "{0}").'
            ).format(folder)
        )
        self.restored.emit(folder)

    def _failed(self, exc: Exception) -> None:
        self.restore_button.setEnabled(True)
        self.message.hide()
        self._problem(exc.message if isinstance(exc, CoachDeskError) else self.tr("The backup could not be restored."))

    def _problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
