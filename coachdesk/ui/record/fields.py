"""The record's field widgets. Each has `value()`, `set_value()` and an `edited` signal that fires
only for the coach's edits: `set_value` blocks the widget's own signals, so filling a form from the
vault never looks like an unsaved change.

Text-like fields (dates, numbers, money) hold the text as typed; the tabs parse it when the
record is applied, so a half-typed value is kept on screen and reported, never silently lost."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.vocabulary import Vocabulary
from coachdesk.ui.formats import british_date, vocab_label
from coachdesk.ui.record.parsing import parse_date

# The record's old name for `formats.british_date` (23 Nov 2026, not the long form of
# `formats.long_date`), kept while record_page.py still imports it from here.
long_date = british_date


def centred_block(*widgets: QWidget, width: int = 560) -> QWidget:
    """Guidance in the middle of an empty page, in lines short enough to read."""
    block = QWidget()
    column = QVBoxLayout(block)
    column.addStretch(1)
    for widget in widgets:
        # Centred by stretches, not an alignment flag: an aligned word-wrapped label is given a
        # height for another width than it gets, and its last lines are cut off.
        row = QHBoxLayout()
        row.addStretch(1)
        if isinstance(widget, QLabel):
            widget.setFixedWidth(width)
        row.addWidget(widget)
        row.addStretch(1)
        column.addLayout(row)
    column.addStretch(2)
    return block


def shown_date(text: str) -> str:
    """A typed date in the display form when it parses, else as typed (a list shows both)."""
    try:
        return british_date(parse_date(text or "", ""))
    except ValidationError:
        return text


class MessageLabel(QLabel):
    """A line of feedback that takes no room while it has nothing to say."""

    def __init__(self, name: str, error: bool = False) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setWordWrap(True)
        if error:
            self.setObjectName("calmError")
        self.setVisible(False)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        super().clear()
        self.setVisible(False)


def section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


def empty_state(text: str, centred: bool = True) -> QLabel:
    """Guidance shown where a list or a page has nothing yet: what to do first."""
    label = QLabel(text)
    label.setObjectName("emptyState")
    label.setWordWrap(True)
    if centred:
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    else:
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


def hint(text: str) -> QLabel:
    """A short line of guidance under a field or a section."""
    label = QLabel(text)
    label.setObjectName("fieldHint")
    label.setWordWrap(True)
    return label


class LineField(QLineEdit):
    edited = Signal()

    def __init__(self, name: str, placeholder: str = "", width: int | None = None) -> None:
        super().__init__()
        self.setAccessibleName(name)
        if placeholder:
            self.setPlaceholderText(placeholder)
        if width:
            self.setMaximumWidth(width)
        self.textChanged.connect(lambda _t: self.edited.emit())

    def value(self) -> str:
        return self.text()

    def set_value(self, value: str | None) -> None:
        with QSignalBlocker(self):
            self.setText(value or "")
            self.setCursorPosition(0)


class DateField(LineField):
    """A British date typed as dd/mm/yyyy; the text is parsed when the record is applied."""

    def __init__(self, name: str) -> None:
        super().__init__(name, QCoreApplication.translate("DateField", "dd/mm/yyyy"), 130)
        self.setToolTip(QCoreApplication.translate("DateField", "Day/month/year, for example 05/10/2026"))


class NotesField(QPlainTextEdit):
    edited = Signal()

    def __init__(self, name: str, placeholder: str = "") -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)  # keyboard first: Tab leaves the editor, as in a form
        self.textChanged.connect(self.edited.emit)

    def value(self) -> str:
        return self.toPlainText()

    def set_value(self, value: str | None) -> None:
        with QSignalBlocker(self):
            self.setPlainText(value or "")


class ChoiceField(QComboBox):
    """A choice of vocabulary words (or other values); optionally with a "not recorded" entry."""

    edited = Signal()

    def __init__(self, name: str, words: Iterable[Vocabulary] = (), none_text: str | None = None) -> None:
        super().__init__()
        words = list(words)
        # Qt hands a stored StrEnum back as a plain str: remember the kind to turn it back.
        self._kind: type[Vocabulary] | None = type(words[0]) if words else None
        self.setAccessibleName(name)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        if none_text is not None:
            self.addItem(none_text, None)
        for word in words:
            self.addItem(vocab_label(word), word)
        self.currentIndexChanged.connect(lambda _i: self.edited.emit())

    def value(self) -> object:
        data = self.currentData()
        if data is None or self._kind is None:
            return data
        return self._kind(data)

    def set_value(self, value: object) -> None:
        with QSignalBlocker(self):
            index = self.findData(value)
            if index < 0 and value is not None:
                # A stored value this list does not offer (a practice dropped from the policy):
                # show it rather than silently replace it.
                label = value.label if isinstance(value, Vocabulary) else str(value)
                self.addItem(label, value)
                index = self.count() - 1
            self.setCurrentIndex(max(index, 0))

    def reset(self) -> None:
        with QSignalBlocker(self):
            self.setCurrentIndex(0 if self.count() else -1)


class CheckField(QCheckBox):
    edited = Signal()

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.toggled.connect(lambda _b: self.edited.emit())

    def value(self) -> bool:
        return self.isChecked()

    def set_value(self, value: bool | None) -> None:
        with QSignalBlocker(self):
            self.setChecked(bool(value))


class ConfidenceField(QSpinBox):
    """Confidence 1–5: arrow keys or a typed digit."""

    edited = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setRange(1, 5)
        self.setSuffix(QCoreApplication.translate("ConfidenceField", " of 5"))
        self.setMaximumWidth(110)
        self.valueChanged.connect(lambda _v: self.edited.emit())

    def set_value(self, value: int | None) -> None:
        with QSignalBlocker(self):
            super().setValue(value or 1)


class TimeField(QTimeEdit):
    edited = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setDisplayFormat("HH:mm")
        self.setMaximumWidth(90)
        self.timeChanged.connect(lambda _t: self.edited.emit())

    def value(self) -> time:
        t = self.time()
        return time(t.hour(), t.minute())

    def set_value(self, value: time | None) -> None:
        with QSignalBlocker(self):
            self.setTime(QTime(value.hour, value.minute) if value else QTime(9, 0))


class MultiChoiceField(QListWidget):
    """A tick list of vocabulary words (benefits, health conditions): arrows and Space."""

    edited = Signal()

    def __init__(self, name: str, words: Iterable[Vocabulary], rows_visible: int = 6) -> None:
        super().__init__()
        self.setAccessibleName(name)
        words = list(words)
        self._kind = type(words[0])
        for word in words:
            item = QListWidgetItem(vocab_label(word), self)
            item.setData(Qt.ItemDataRole.UserRole, word)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Unchecked)
        row = self.sizeHintForRow(0) if self.count() else 20
        self.setMinimumHeight(row * min(rows_visible, max(self.count(), 1)) + 2 * self.frameWidth() + 4)
        self.itemChanged.connect(lambda _i: self.edited.emit())

    def value(self) -> list[Vocabulary]:
        return [
            self._kind(self.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_value(self, words: Iterable[Vocabulary] | None) -> None:
        chosen = set(words or ())
        with QSignalBlocker(self):
            for i in range(self.count()):
                item = self.item(i)
                checked = item.data(Qt.ItemDataRole.UserRole) in chosen
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


def labelled(text: str, field: QWidget) -> QLabel:
    """A form label that moves focus to its field with its Alt+letter."""
    label = QLabel(text)
    label.setBuddy(field)
    return label
