"""A passphrase field's strength meter, using the same estimate `coachdesk init` enforces."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from coachdesk.domain.passphrase import MINIMUM_BITS, estimate_bits, passphrase_problem


class StrengthMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.bar.setAccessibleName(self.tr("Passphrase strength"))
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.label, 2)
        self.update_for("")

    def update_for(self, passphrase: str) -> None:
        bits = estimate_bits(passphrase)
        self.bar.setValue(min(100, int(100 * bits / (MINIMUM_BITS * 1.6))))
        if not passphrase:
            self.label.setText(self.tr("At least 10 characters; a few unrelated words work well."))
        elif passphrase_problem(passphrase):
            self.label.setText(self.tr("Too easy to guess"))
        elif bits < MINIMUM_BITS * 1.4:
            self.label.setText(self.tr("Strong enough"))
        else:
            self.label.setText(self.tr("Strong"))

    @staticmethod
    def acceptable(passphrase: str) -> bool:
        return passphrase_problem(passphrase) is None
