"""Rules of the domain with human messages: NHS numbers, ranges, age bands, the living wage.

Field-level rules are attached to record fields with `typing.Annotated` (see model.py) so the one
decoder that reads caseload files, forms and policy files applies the same rule everywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from coachdesk.domain.vocabulary import AgeBand

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class Rule:
    """A check on one decoded value; returns a problem sentence, or None when the value is good."""

    def check(self, value: object) -> str | None:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass(frozen=True)
class Range(Rule):
    low: int
    high: int

    def check(self, value: object) -> str | None:
        assert isinstance(value, int)
        if not self.low <= value <= self.high:
            return f"{value} is outside the allowed range {self.low}–{self.high}"
        return None


class NhsNumberRule(Rule):
    def check(self, value: object) -> str | None:
        assert isinstance(value, str)
        return nhs_number_problem(value)


class MonthRule(Rule):
    def check(self, value: object) -> str | None:
        assert isinstance(value, str)
        return None if parse_month(value) else f"{value!r} is not a month written YYYY-MM"


class NonBlank(Rule):
    def check(self, value: object) -> str | None:
        assert isinstance(value, str)
        return "must not be empty" if not value.strip() else None


@dataclass(frozen=True)
class MaxLength(Rule):
    limit: int

    def check(self, value: object) -> str | None:
        assert isinstance(value, str)
        if len(value) > self.limit:
            return f"is {len(value)} characters long; at most {self.limit} are allowed"
        return None


NHS_NUMBER = NhsNumberRule()
MONTH = MonthRule()
NON_BLANK = NonBlank()
CONFIDENCE = Range(1, 5)
HOURS_PER_WEEK = Range(0, 168)
PAY_PENCE = Range(0, 1_000_000)
SESSION_MINUTES = Range(1, 600)
YEAR = Range(1900, 2100)
NAME_LENGTH = MaxLength(200)
TEXT_LENGTH = MaxLength(100_000)

_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_month(text: str) -> tuple[int, int] | None:
    m = _MONTH_RE.fullmatch(text)
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    return (year, month) if 1900 <= year <= 2100 and 1 <= month <= 12 else None


def normalise_nhs_number(text: str) -> str:
    """The NHS number without the spaces people type in it (943 476 5919)."""
    return re.sub(r"[\s-]", "", text)


def nhs_number_problem(text: str) -> str | None:
    """Why `text` is not a valid NHS number (10 digits, modulus 11 check digit), or None."""
    digits = normalise_nhs_number(text)
    if not re.fullmatch(r"[0-9]{10}", digits):
        return f"{text!r} is not an NHS number: it must have 10 digits"
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10 or check != int(digits[9]):
        return f"{text!r} is not a valid NHS number: its check digit is wrong"
    return None


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band(born: date, on: date) -> AgeBand | None:
    """The measure catalogue's age band at a date; None under 16 (outside the programme)."""
    age = age_on(born, on)
    if age < 16:
        return None
    if age <= 24:
        return AgeBand.AGE_16_24
    if age <= 34:
        return AgeBand.AGE_25_34
    if age <= 49:
        return AgeBand.AGE_35_49
    if age <= 64:
        return AgeBand.AGE_50_64
    return AgeBand.AGE_65_PLUS


def living_wage_on(rates: list[tuple[date, int]], day: date) -> int | None:
    """The living wage in pence in force on `day`: the latest rate whose start is on or before it."""
    in_force = [pence for start, pence in sorted(rates) if start <= day]
    return in_force[-1] if in_force else None
