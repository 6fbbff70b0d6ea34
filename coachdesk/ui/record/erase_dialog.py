"""Erase this participant…: the coach types the participant's name to confirm, because an
erasure cannot be undone. The Erase button stays disabled until the typed name matches."""

from __future__ import annotations

import unicodedata

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLayout, QLineEdit, QVBoxLayout, QWidget

WIDTH = 500  # wrapped labels get a fixed width, or Qt sizes the dialog for another width and cuts them


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


class EraseDialog(QDialog):
    def __init__(self, full_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_name = full_name
        self.setWindowTitle(self.tr("Erase this participant"))
        title = QLabel(self.tr("Erase {0} completely?").format(full_name))
        title.setObjectName("sectionTitle")
        title.setWordWrap(True)
        explanation = QLabel(
            self.tr(
                "Every record about this person — details, sessions and notes, inventory, goals, contacts, "
                "outcomes and drafts — leaves this vault and cannot be brought back. The audit log keeps only "
                "that an erasure happened, not who. Backups made before today still hold the record until they "
                "are replaced. The monthly counts already sent to the programme are not changed."
            )
        )
        explanation.setWordWrap(True)
        self.typed = QLineEdit()
        self.typed.setAccessibleName(self.tr("The participant's full name, to confirm"))
        prompt = QLabel(self.tr("To confirm, type their full name, {0}:").format(full_name))
        prompt.setWordWrap(True)
        prompt.setBuddy(self.typed)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.erase_button = self.buttons.addButton(self.tr("&Erase"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.erase_button.setEnabled(False)
        self.erase_button.setAutoDefault(False)
        self.erase_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.typed.textChanged.connect(lambda text: self.erase_button.setEnabled(self.matches(text)))
        for label in (title, explanation, prompt):
            label.setFixedWidth(WIDTH)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(explanation)
        layout.addWidget(prompt)
        layout.addWidget(self.typed)
        layout.addWidget(self.buttons)
        self.typed.setFocus()

    def matches(self, text: str) -> bool:
        """The typed name, ignoring case, accents' encoding and extra spaces."""
        return _normal(text) == _normal(self.full_name)
