"""The participant's personal, referral and consent details as one form, used to register a new
referral and reusable wherever those fields are edited.

    form = ParticipantForm(policy)
    form.set_participant(p)      # fill from a record
    form.read_into(p)            # write back, or raise ValidationError naming the field; p unchanged then
    form.clear()                 # forget everything shown (also when the vault locks)

Dates are typed as dd/mm/yyyy into a text field and parsed when the form is read. Qt's QDateEdit
edits a date section by section and silently bends what is typed fast ("31/12/1999" typed over a
February date becomes 03/01/1999); a wrong date of birth must be refused by name, never stored."""

from __future__ import annotations

import dataclasses
import itertools
import re
import typing
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QRegularExpression, QSize, Qt
from PySide6.QtGui import QMouseEvent, QRegularExpressionValidator, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.checks import check_participant
from coachdesk.domain.codec import decode
from coachdesk.domain.errors import ValidationError
from coachdesk.domain.model import Consent, Participant
from coachdesk.domain.policy import Policy
from coachdesk.domain.rules import EARLIEST_DATE, LATEST_DATE, normalise_nhs_number
from coachdesk.domain.vocabulary import (
    Benefit,
    ConditionCategory,
    EmploymentStatus,
    ReferralSource,
    Sex,
    Vocabulary,
)
from coachdesk.ui.formats import edit_date, spaced_nhs_number, vocab_label

_FIELD_RULES = typing.get_type_hints(Participant, include_extras=True)
_BRITISH = re.compile(r"([0-9]{1,2})[/.\- ]([0-9]{1,2})[/.\- ]([0-9]{4})")
_RUN_TOGETHER = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{4})")  # 23111980
_SHORT_YEAR = re.compile(r"[0-9]{1,2}[/.\- ][0-9]{1,2}[/.\- ][0-9]{2}")


def _tr(text: str) -> str:
    return QCoreApplication.translate("ParticipantForm", text)


class DateField(QLineEdit):
    """A British date typed as dd/mm/yyyy (also d/m/yyyy, dots or dashes, or ddmmyyyy)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(self.tr("dd/mm/yyyy"))
        self.setToolTip(self.tr("Day/month/year, for example 05/10/1980"))
        self.setMaxLength(10)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9/.\- ]{0,10}"), self))
        self.setFixedWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 24)
        self.editingFinished.connect(self._tidy)

    def set_date(self, value: date | None) -> None:
        self.setText(edit_date(value))

    def date_value(self, path: str, required: bool = False) -> date | None:
        """The typed date; None when empty (or ValidationError when required)."""
        text = self.text().strip()
        if not text:
            if required:
                raise ValidationError(path, _tr("type the date as dd/mm/yyyy"))
            return None
        found = _BRITISH.fullmatch(text) or _RUN_TOGETHER.fullmatch(text)
        if not found:
            if _SHORT_YEAR.fullmatch(text):
                raise ValidationError(path, _tr("“{0}”: write the year in full, for example 1980").format(text))
            raise ValidationError(path, _tr("“{0}” is not a date; write it as dd/mm/yyyy").format(text))
        day, month, year = (int(g) for g in found.groups())
        try:
            value = date(year, month, day)
        except ValueError:
            raise ValidationError(path, _tr("“{0}” is not a date in the calendar").format(text)) from None
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ValidationError(path, _tr("“{0}” is outside the years 1900–2100").format(text))
        return value

    def _tidy(self) -> None:
        """Show a date the coach typed loosely (3/2/1980) in the full form, so it can be checked."""
        try:
            value = self.date_value("")
        except ValidationError:
            return
        if value is not None:
            self.set_date(value)


class CheckList(QListView):
    """A tick list of vocabulary words: arrows move, Space or a click anywhere on a row ticks it."""

    def __init__(self, kind: type[Vocabulary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = kind
        self._model = QStandardItemModel(self)
        for word in kind:
            item = QStandardItem(vocab_label(word))
            item.setData(word, Qt.ItemDataRole.UserRole)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self._model.appendRow(item)
        self.setModel(self._model)
        self.setUniformItemSizes(True)
        self.setSpacing(2)  # room between the ticks, for the eye and the mouse
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._pressed: tuple[QModelIndex, Any] | None = None

    def _all_rows_height(self) -> int:
        """Tall enough for every word: a tick hidden below a scroll edge is easily missed."""
        rows = self._model.rowCount()
        row = (self.sizeHintForRow(0) if rows else 20) + 2 * self.spacing()
        return row * rows + 2 * self.frameWidth() + 4

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._all_rows_height())

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self._all_rows_height())

    def checked(self) -> list[Any]:
        """The ticked words, in the vocabulary's order."""
        return [
            self._kind(self._model.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self._model.rowCount())
            if self._model.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, words: Iterable[Any]) -> None:
        chosen = set(words)
        for i in range(self._model.rowCount()):
            item = self._model.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in chosen
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.clearSelection()
        self.setCurrentIndex(QModelIndex())

    def toggle(self, row: int) -> None:
        item = self._model.item(row)
        on = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if on else Qt.CheckState.Checked)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        self._pressed = (index, index.data(Qt.ItemDataRole.CheckStateRole)) if index.isValid() else None
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        pressed, self._pressed = self._pressed, None
        if pressed is None or event.button() != Qt.MouseButton.LeftButton:
            return
        index, state_before = pressed
        unchanged = index.data(Qt.ItemDataRole.CheckStateRole) == state_before
        if index == self.indexAt(event.position().toPoint()) and unchanged:
            # The click was on the word rather than the box (the box toggles itself).
            self.toggle(index.row())


def _combo(name: str, choices: Sequence[tuple[str, Any]], none_text: str | None = None) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    if none_text is not None:
        box.addItem(none_text, None)
    for text, data in choices:
        box.addItem(text, data)
    return box


W = typing.TypeVar("W", bound=Vocabulary)


def _word(kind: type[W], data: Any) -> W | None:
    """Qt hands a stored StrEnum back as a plain str; turn it back into the word."""
    return kind(data) if data else None


def _in_record_order(recorded: Sequence[Any], ticked: Sequence[Any]) -> list[Any]:
    """The ticked words, keeping the record's own order for those it had, so an unedited form
    gives back an identical record; new ticks follow in the vocabulary's order."""
    chosen = set(ticked)
    kept = [w for w in recorded if w in chosen]
    return kept + [w for w in ticked if w not in set(kept)]


def _select(box: QComboBox, value: Any, missing_label: str | None = None) -> None:
    """Choose the item holding `value`; a stored value the list lacks is shown, not replaced."""
    index = box.findData(value)
    if index < 0 and value is not None:
        box.addItem(missing_label or str(value), value)
        index = box.count() - 1
    box.setCurrentIndex(index)


class ParticipantForm(QWidget):
    """Personal details, referral, consent, employment status, benefits and health conditions."""

    def __init__(self, policy: Policy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.policy = policy
        required = self.tr("{0} *")

        self.given_name = self._line(self.tr("Given name"))
        self.family_name = self._line(self.tr("Family name"))
        self.preferred_name = self._line(self.tr("Preferred name"))
        self.date_of_birth = DateField()
        self.date_of_birth.setAccessibleName(self.tr("Date of birth"))
        self.sex = _combo(self.tr("Sex"), [(vocab_label(s), s) for s in Sex], self.tr("Not recorded"))
        self.nhs_number = self._line(self.tr("NHS number"), max_length=14)
        self.nhs_number.setPlaceholderText(self.tr("e.g. 943 476 5919"))
        self.nhs_number.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9 \-]{0,14}"), self))
        self.phone = self._line(self.tr("Phone"))
        self.email = self._line(self.tr("Email"))
        self.postcode = self._line(self.tr("Postcode"), max_length=10)

        self.practice = _combo(self.tr("Practice"), [(p.name, p.code) for p in policy.practices])
        self.referral_date = DateField()
        self.referral_date.setAccessibleName(self.tr("Referral date"))
        self.referral_source = _combo(self.tr("Referral source"), [(vocab_label(r), r) for r in ReferralSource])
        self.referral_source.setPlaceholderText(self.tr("Choose…"))
        self.employment_status = _combo(
            self.tr("Employment status at referral"),
            [(vocab_label(e), e) for e in EmploymentStatus],
            self.tr("Not recorded"),
        )

        self.consent_given = QCheckBox(self.tr("C&onsented to the service on"))
        self.consent_date = DateField()
        self.consent_date.setAccessibleName(self.tr("Date of consent to the service"))
        self.consent_date.setEnabled(False)
        self.consent_given.toggled.connect(self._consent_toggled)
        self.share_with_gp = QCheckBox(self.tr("Sh&are information with the GP team"))
        self.contact_employers = QCheckBox(self.tr("Contact emp&loyers on their behalf"))

        self.benefits = CheckList(Benefit)
        self.benefits.setAccessibleName(self.tr("Benefits at referral"))
        self.conditions = CheckList(ConditionCategory)
        self.conditions.setAccessibleName(self.tr("Health condition categories"))

        personal = QGroupBox(self.tr("Personal details"))
        rows = QFormLayout(personal)
        rows.addRow(required.format(self.tr("&Given name")), self.given_name)
        rows.addRow(required.format(self.tr("&Family name")), self.family_name)
        rows.addRow(self.tr("P&referred name"), self.preferred_name)
        rows.addRow(required.format(self.tr("Date of &birth")), self.date_of_birth)
        rows.addRow(self.tr("Se&x"), self.sex)
        rows.addRow(self.tr("&NHS number"), self.nhs_number)
        rows.addRow(self.tr("P&hone"), self.phone)
        rows.addRow(self.tr("&Email"), self.email)
        rows.addRow(self.tr("&Postcode"), self.postcode)

        referral = QGroupBox(self.tr("Referral"))
        rows = QFormLayout(referral)
        rows.addRow(required.format(self.tr("Prac&tice")), self.practice)
        rows.addRow(required.format(self.tr("Referral &date")), self.referral_date)
        rows.addRow(required.format(self.tr("Referral &source")), self.referral_source)
        rows.addRow(self.tr("E&mployment status"), self.employment_status)

        consent = QGroupBox(self.tr("Consent"))
        column = QVBoxLayout(consent)
        line = QHBoxLayout()
        line.addWidget(self.consent_given)
        line.addWidget(self.consent_date)
        line.addStretch(1)
        column.addLayout(line)
        column.addWidget(self.share_with_gp)
        column.addWidget(self.contact_employers)

        right = QVBoxLayout()
        right.addWidget(referral)
        right.addWidget(consent)
        right.addStretch(1)

        benefits = QGroupBox(self.tr("Benef&its at referral"))
        QVBoxLayout(benefits).addWidget(self.benefits, 0, Qt.AlignmentFlag.AlignTop)
        conditions = QGroupBox(self.tr("Health &conditions"))
        QVBoxLayout(conditions).addWidget(self.conditions, 0, Qt.AlignmentFlag.AlignTop)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(12)
        grid.addWidget(personal, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.addWidget(benefits, 1, 0)
        grid.addWidget(conditions, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        # Paths of ValidationError -> the widget to focus and the label to name.
        self._fields: dict[str, tuple[QWidget, str]] = {
            "given_name": (self.given_name, self.tr("Given name")),
            "family_name": (self.family_name, self.tr("Family name")),
            "preferred_name": (self.preferred_name, self.tr("Preferred name")),
            "date_of_birth": (self.date_of_birth, self.tr("Date of birth")),
            "sex": (self.sex, self.tr("Sex")),
            "nhs_number": (self.nhs_number, self.tr("NHS number")),
            "phone": (self.phone, self.tr("Phone")),
            "email": (self.email, self.tr("Email")),
            "postcode": (self.postcode, self.tr("Postcode")),
            "practice": (self.practice, self.tr("Practice")),
            "referral_date": (self.referral_date, self.tr("Referral date")),
            "referral_source": (self.referral_source, self.tr("Referral source")),
            "employment_status": (self.employment_status, self.tr("Employment status")),
            "consent.service": (self.consent_date, self.tr("Consent to the service")),
            "consent.share_with_gp": (self.share_with_gp, self.tr("Share information with the GP team")),
            "consent.contact_employers": (self.contact_employers, self.tr("Contact employers")),
            "benefits_at_referral": (self.benefits, self.tr("Benefits at referral")),
            "conditions": (self.conditions, self.tr("Health conditions")),
        }
        order = [w for w, _ in self._fields.values()]
        order.insert(order.index(self.consent_date), self.consent_given)
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self.clear()

    def _line(self, name: str, max_length: int = 200) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setMaxLength(max_length)
        edit.setMinimumWidth(220)
        return edit

    def _consent_toggled(self, on: bool) -> None:
        self.consent_date.setEnabled(on)
        if on and not self.consent_date.text().strip():
            self.consent_date.setText(self.referral_date.text() or edit_date(date.today()))

    # -- the API ----------------------------------------------------------------------------------
    def clear(self) -> None:
        """Empty every field (the defaults of a new referral: today, the first practice)."""
        for edit in (
            self.given_name,
            self.family_name,
            self.preferred_name,
            self.nhs_number,
            self.phone,
            self.email,
            self.postcode,
            self.date_of_birth,
            self.consent_date,
        ):
            edit.setText("")  # setText, not clear(): it also forgets the undo history
        self.referral_date.set_date(date.today())
        self.sex.setCurrentIndex(0)
        self.employment_status.setCurrentIndex(0)
        self.referral_source.setCurrentIndex(-1)
        self._reset_practices()
        self.practice.setCurrentIndex(0 if self.practice.count() else -1)
        for box in (self.consent_given, self.share_with_gp, self.contact_employers):
            box.setChecked(False)
        self.benefits.set_checked(())
        self.conditions.set_checked(())

    def _reset_practices(self) -> None:
        """Drop any entry added for a record's practice the policy no longer lists."""
        while self.practice.count() > len(self.policy.practices):
            self.practice.removeItem(self.practice.count() - 1)

    def set_participant(self, p: Participant) -> None:
        self.clear()
        self.given_name.setText(p.given_name)
        self.family_name.setText(p.family_name)
        self.preferred_name.setText(p.preferred_name)
        self.date_of_birth.set_date(p.date_of_birth)
        _select(self.sex, p.sex)
        self.nhs_number.setText(spaced_nhs_number(normalise_nhs_number(p.nhs_number or "")))
        self.phone.setText(p.phone)
        self.email.setText(p.email)
        self.postcode.setText(p.postcode)
        _select(self.practice, p.practice, self.tr("{0} (not in the programme policy)").format(p.practice))
        self.referral_date.set_date(p.referral_date)
        _select(self.referral_source, p.referral_source)
        _select(self.employment_status, p.employment_status)
        self.consent_given.setChecked(p.consent.service is not None)
        self.consent_date.set_date(p.consent.service)
        self.share_with_gp.setChecked(p.consent.share_with_gp)
        self.contact_employers.setChecked(p.consent.contact_employers)
        self.benefits.set_checked(p.benefits_at_referral)
        self.conditions.set_checked(p.conditions)

    def select_practice(self, code: str) -> None:
        """Preselect a practice (the one the coach is at today) when it is one of the policy's."""
        index = self.practice.findData(code)
        if index >= 0:
            self.practice.setCurrentIndex(index)

    def read_into(self, p: Participant) -> None:
        """Write the form into `p`, or raise ValidationError naming the first field in visual order
        that is not acceptable (and leave `p` as it was)."""
        values: dict[str, Any] = {}
        for name in ("given_name", "family_name", "preferred_name"):
            values[name] = self._checked_text(name)
        values["date_of_birth"] = self.date_of_birth.date_value("date_of_birth", required=True)
        values["sex"] = _word(Sex, self.sex.currentData())
        nhs = self.nhs_number.text().strip()
        if nhs:
            nhs = normalise_nhs_number(decode(_FIELD_RULES["nhs_number"], nhs, "nhs_number"))
        values["nhs_number"] = nhs or None
        for name in ("phone", "email"):
            values[name] = self._checked_text(name)
        values["postcode"] = self._checked_text("postcode").upper()
        values["practice"] = self.practice.currentData()
        if not values["practice"]:
            raise ValidationError("practice", _tr("choose the practice"))
        values["referral_date"] = self.referral_date.date_value("referral_date", required=True)
        values["referral_source"] = _word(ReferralSource, self.referral_source.currentData())
        if values["referral_source"] is None:
            raise ValidationError("referral_source", _tr("choose who referred the participant"))
        values["employment_status"] = _word(EmploymentStatus, self.employment_status.currentData())
        service = None
        if self.consent_given.isChecked():
            service = self.consent_date.date_value("consent.service", required=True)
        if service is not None and service > date.today():
            raise ValidationError("consent.service", _tr("{0} is in the future").format(edit_date(service)))
        values["consent"] = Consent(
            service=service,
            share_with_gp=self.share_with_gp.isChecked(),
            contact_employers=self.contact_employers.isChecked(),
        )
        values["benefits_at_referral"] = _in_record_order(p.benefits_at_referral, self.benefits.checked())
        values["conditions"] = _in_record_order(p.conditions, self.conditions.checked())
        # The rules spanning fields (practice known, age at referral, dates in order) on a trial copy.
        trial = dataclasses.replace(p, **values)
        check_participant(trial, self.policy.practice_codes, date.today())
        for name, value in values.items():
            setattr(p, name, value)

    def _checked_text(self, name: str) -> str:
        widget = self._fields[name][0]
        assert isinstance(widget, QLineEdit)
        return typing.cast(str, decode(_FIELD_RULES[name], widget.text().strip(), name))

    def focus_field(self, path: str) -> bool:
        """Put the keyboard on the widget of a ValidationError's path; False when it is not here."""
        widget = self._widget_for(path)
        if widget is None:
            return False
        if widget is self.consent_date and not self.consent_date.isEnabled():
            widget = self.consent_given
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(widget, QLineEdit):
            widget.selectAll()
        return True

    def describe(self, error: ValidationError) -> str:
        """The coach's sentence for a problem: the field's label, then what is wrong."""
        known = self._fields.get(self._field_key(error.path))
        if known is None:
            return error.message
        return self.tr("{0}: {1}").format(known[1], error.problem)

    def _field_key(self, path: str) -> str:
        return re.sub(r"\[\d+\]$", "", path)  # benefits_at_referral[2] -> benefits_at_referral

    def _widget_for(self, path: str) -> QWidget | None:
        known = self._fields.get(self._field_key(path))
        return known[0] if known else None
