"""Reading what a coach typed into the record's text fields: British dates, whole numbers, money.

Each parser raises ValidationError with the field's path (`outcomes[0].hourly_pay_pence`), so the
page can show the problem next to the right widget. Ranges are left to the domain's field rules
(the codec), which the page applies to the whole record before saving."""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import QCoreApplication

from coachdesk.domain.errors import ValidationError

_BRITISH_DATE = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_WHOLE = re.compile(r"[0-9]+")
_POUNDS = re.compile(r"£?\s*([0-9]+)(?:\.([0-9]+))?")
_PENCE = re.compile(r"([0-9]+)\s*p")


def _tr(text: str) -> str:
    return QCoreApplication.translate("RecordParsing", text)


def parse_date(text: str, path: str, *, required: bool = False) -> date | None:
    """dd/mm/yyyy (also d/m/yyyy, dots or dashes, or yyyy-mm-dd); empty is None unless required."""
    text = text.strip()
    if not text:
        if required:
            raise ValidationError(path, _tr("a date is needed (dd/mm/yyyy)"))
        return None
    british = _BRITISH_DATE.fullmatch(text)
    iso = _ISO_DATE.fullmatch(text)
    try:
        if british:
            return date(int(british.group(3)), int(british.group(2)), int(british.group(1)))
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    except ValueError:
        raise ValidationError(path, _tr("“{0}” is not a date in the calendar").format(text)) from None
    raise ValidationError(path, _tr("“{0}” is not a date; write it as dd/mm/yyyy").format(text))


def parse_whole_number(text: str, path: str) -> int | None:
    """A whole number (hours, minutes, a year); empty is None."""
    text = text.strip()
    if not text:
        return None
    if not _WHOLE.fullmatch(text):
        raise ValidationError(path, _tr("“{0}” is not a whole number").format(text))
    return int(text)


def format_pence(pence: int | None) -> str:
    """940 → "£9.40"."""
    if pence is None:
        return ""
    return f"£{pence // 100}.{pence % 100:02d}"


def parse_pence(text: str, path: str) -> int | None:
    """Money typed as "9.40", "£9.40", "£9", "9.4" or "940p" → whole pence; empty is None.

    Never goes through a float: "9.40" is 9 pounds and 40 pence exactly. More than two decimal
    places is refused rather than rounded (a typo should not change someone's pay)."""
    text = text.strip().replace(" ", "")
    if not text:
        return None
    pence = _PENCE.fullmatch(text)
    if pence:
        return int(pence.group(1))
    pounds = _POUNDS.fullmatch(text)
    if not pounds:
        raise ValidationError(path, _tr("“{0}” is not an amount of money (for example £9.40)").format(text))
    whole, fraction = pounds.group(1), pounds.group(2)
    if fraction is None:
        return int(whole) * 100
    if len(fraction) > 2:
        raise ValidationError(path, _tr("“{0}” has more than two decimal places").format(text))
    return int(whole) * 100 + int(fraction.ljust(2, "0"))


def parse_lines(text: str) -> list[str]:
    """One entry per line; blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_month(text: str) -> str | None:
    """A month as YYYY-MM (the domain's rule checks the shape); empty is None."""
    text = text.strip()
    return text or None
