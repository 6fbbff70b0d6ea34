"""How the app writes dates, NHS numbers and vocabulary words: one form for each, the same on
every page and whatever the computer's locale.

    british_date(d)        23 Nov 2026               tables, the record, messages
    long_date(d)           Monday 23 November 2026   headings (Today, the printed recovery key)
    edit_date(d)           05/10/2026                the text of a date field (typed as dd/mm/yyyy)
    spaced_nhs_number(n)   943 476 5919
    vocab_label(word)      a vocabulary word's label, translatable in the one "Vocabulary" context
    stored_label(kind, v)  the same for a word read back as text

Typed dates are read where they are typed: `record/parsing.py` for the record's fields and
`participant_form.DateField` for the register form (they accept different spellings)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, QDate, QLocale

from coachdesk.domain.months import MONTH_ABBREVIATIONS
from coachdesk.domain.vocabulary import Vocabulary

# Every vocabulary word is translated in this one context, wherever it is shown.
VOCABULARY_CONTEXT = "Vocabulary"

# Month abbreviations of British English, fixed so a date reads the same whatever the OS locale
# ("Sep", not "Sept").
_BRITISH = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def british_date(value: date | None) -> str:
    """23 Nov 2026 (the house's display form of a date); empty for None."""
    if value is None:
        return ""
    return f"{value.day} {MONTH_ABBREVIATIONS[value.month - 1]} {value.year}"


def long_date(day: date) -> str:
    """'Monday 23 November 2026'."""
    return _BRITISH.toString(QDate(day.year, day.month, day.day), "dddd d MMMM yyyy")


def edit_date(value: date | None) -> str:
    """05/10/2026: a date as a date field shows it; empty for None."""
    return value.strftime("%d/%m/%Y") if value else ""


def spaced_nhs_number(number: str | None) -> str:
    """943 476 5919: the NHS's own 3-3-4 grouping, easier to read back to a patient."""
    if not number:
        return ""
    digits = number.replace(" ", "")
    if len(digits) != 10:
        return number
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def vocab_label(word: Vocabulary) -> str:
    """A vocabulary word's label, translatable in the "Vocabulary" context."""
    return QCoreApplication.translate(VOCABULARY_CONTEXT, word.label)


def stored_label(kind: type[Vocabulary], value: str) -> str:
    """The label of a `kind` word read back as text; a value `kind` does not know is shown as it is."""
    try:
        word = kind(value)
    except ValueError:
        return QCoreApplication.translate(VOCABULARY_CONTEXT, value)
    return vocab_label(word)
