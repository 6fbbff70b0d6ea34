"""Calendar months as the project writes them (YYYY-MM, formats.md) and names them in English, the
one place for both: the app, the printed documents, the sync and the hub all count and name
months the same way. (Not `calendar.month_name`: it follows the process locale, which Qt sets.)"""

from __future__ import annotations

from datetime import date

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.rules import parse_month

MONTH_NAMES: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH_ABBREVIATIONS: tuple[str, ...] = tuple(name[:3] for name in MONTH_NAMES)
DECEMBER = 12


def split(period: object, path: str = "period") -> tuple[int, int]:
    """(year, month) of a month written YYYY-MM; a ValidationError naming `path` otherwise."""
    parsed = parse_month(period) if isinstance(period, str) else None
    if parsed is None:
        raise ValidationError(path, f"{period!r} is not a month written YYYY-MM")
    return parsed


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_before(period: str) -> str:
    year, month = split(period)
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included (empty when first is after last)."""
    year, month = split(first)
    end = split(last)
    periods: list[str] = []
    while (year, month) <= end:
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == DECEMBER else (year, month + 1)
    return periods


def month_name(period: str) -> str:
    """2015-11 -> November 2015."""
    year, month = split(period)
    return f"{MONTH_NAMES[month - 1]} {year}"
