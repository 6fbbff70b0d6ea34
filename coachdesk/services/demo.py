"""Realistic synthetic participants for demonstrations, training and benchmarks.

`generate(count, seed, practices, today)` yields the same records for the same arguments: every
random choice, ids included, comes from one `random.Random(seed)`. Each participant follows a
small story — referral, initial assessment, sessions every one to three weeks, perhaps employer
contacts and a job with in-work support, perhaps closure — so the measures, the diary and the
action plan all have something plausible to show. Nobody in it is real: NHS numbers are drawn
from the 999 range that the NHS never issues, phone numbers from Ofcom's drama range and email
addresses from example.org. This module makes the participant as referred (name, birth date,
contact details, practice, status, benefits, conditions); demo_story.py tells the rest."""

from __future__ import annotations

import random
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from coachdesk.domain.model import Participant
from coachdesk.domain.vocabulary import Benefit, ConditionCategory, EmploymentStatus, ReferralSource, Sex
from coachdesk.services import demo_words as words
from coachdesk.services.demo_story import Case, Weighted

# The Working Better pilot's six practices, with the codes demo data uses.
DEMO_PRACTICES: tuple[tuple[str, str], ...] = (
    ("P01", "City Road Medical Centre"),
    ("P02", "Goodinge Group Practice"),
    ("P03", "River Place Group Practice"),
    ("P04", "St Johns Way Medical Centre"),
    ("P05", "Village Practice"),
    ("P06", "Killick Street Health Centre"),
)

# London Living Wage (pence per hour) from the date each rate was announced.
DEMO_LIVING_WAGE: tuple[tuple[date, int], ...] = (
    (date(2011, 11, 1), 830),
    (date(2012, 11, 5), 855),
    (date(2013, 11, 4), 880),
    (date(2014, 11, 3), 915),
    (date(2015, 11, 2), 940),
    (date(2016, 10, 31), 975),
    (date(2017, 11, 6), 1020),
    (date(2018, 11, 5), 1055),
    (date(2019, 11, 11), 1075),
    (date(2020, 11, 9), 1085),
    (date(2021, 11, 15), 1105),
    (date(2022, 9, 22), 1195),
    (date(2023, 10, 24), 1315),
    (date(2024, 10, 23), 1385),
    (date(2025, 10, 23), 1480),
)

REFERRAL_WINDOW_MONTHS = 18
BOOKING_HORIZON_DAYS = 14

_ORIGIN = Weighted([(o, o[0]) for o in words.ORIGINS])
_LATIN_ORIGIN = Weighted([(o, o[0]) for o in words.ORIGINS if o[4]])
_SEX = Weighted([(Sex.FEMALE, 52), (Sex.MALE, 45), (Sex.OTHER, 1), (Sex.NOT_STATED, 2)])
_PRACTICE_WEIGHTS = (26, 20, 17, 15, 12, 10)
_POSTCODE = Weighted(words.POSTCODE_DISTRICTS)
_SOURCE = Weighted(
    [
        (ReferralSource.GP, 45),
        (ReferralSource.PRACTICE_NURSE, 10),
        (ReferralSource.PRACTICE_STAFF, 6),
        (ReferralSource.MENTAL_HEALTH, 12),
        (ReferralSource.PHYSIO, 7),
        (ReferralSource.JOBCENTRE, 8),
        (ReferralSource.SELF, 10),
        (ReferralSource.OTHER, 2),
    ]
)
_STATUS = Weighted(
    [
        (EmploymentStatus.UNEMPLOYED_LT_6M, 12),
        (EmploymentStatus.UNEMPLOYED_6_12M, 12),
        (EmploymentStatus.UNEMPLOYED_1_2Y, 18),
        (EmploymentStatus.UNEMPLOYED_2Y_PLUS, 33),
        (EmploymentStatus.NEVER_WORKED, 7),
        (EmploymentStatus.EMPLOYED_OFF_SICK, 18),
    ]
)
_MAIN_BENEFIT = Weighted(
    [
        (Benefit.ESA_WRAG, 22),
        (Benefit.ESA_SUPPORT, 6),
        (Benefit.ESA_ASSESSMENT, 10),
        (Benefit.UC_LCWRA, 12),
        (Benefit.UC_LCW, 8),
        (Benefit.UC_SEARCHING, 14),
        (Benefit.JSA, 10),
        (Benefit.INCAPACITY_BENEFIT, 3),
        (Benefit.INCOME_SUPPORT, 5),
        (Benefit.NONE, 5),
    ]
)
_CONDITION = Weighted(
    [
        (ConditionCategory.MENTAL_HEALTH, 50),
        (ConditionCategory.MUSCULOSKELETAL, 25),
        (ConditionCategory.SEVERE_MENTAL_ILLNESS, 6),
        (ConditionCategory.CARDIOVASCULAR, 5),
        (ConditionCategory.RESPIRATORY, 5),
        (ConditionCategory.DIABETES_ENDOCRINE, 6),
        (ConditionCategory.NEUROLOGICAL, 4),
        (ConditionCategory.LEARNING_DISABILITY, 3),
        (ConditionCategory.SENSORY, 2),
        (ConditionCategory.SUBSTANCE_MISUSE, 4),
        (ConditionCategory.OTHER, 3),
    ]
)
_ASCII = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "ð": "d",
        "Ð": "D",
        "ß": "ss",
        "ı": "i",
        "đ": "d",
        "Đ": "D",
        "æ": "ae",
        "þ": "th",
        "'": "",
        " ": "",
        "-": "",
    }
)
_DAY = timedelta(days=1)


def generate(count: int, seed: int, practices: Sequence[str], today: date) -> Iterator[Participant]:
    """Yield `count` synthetic participants of `practices` (codes), referred in the 18 months to `today`."""
    if count < 0:
        raise ValueError("count must not be negative")
    if not practices:
        raise ValueError("at least one practice is needed for demo data")
    builder = _Builder(random.Random(seed), list(practices), today)  # noqa: S311 - repeatable, not secret
    for _ in range(count):
        yield builder.participant()


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return _safe_date(year, month + 1, day.day)


def _safe_date(year: int, month: int, day: int) -> date:
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII)).encode("ascii", "ignore").decode()
    return folded.lower()


class _Builder:
    def __init__(self, rng: random.Random, practices: list[str], today: date) -> None:
        self.rng = rng
        self.today = today
        self.practices = Weighted([(code, _PRACTICE_WEIGHTS[i % 6]) for i, code in enumerate(practices)])
        # Coaches spend one day a week in each practice: that practice's sessions fall on its day.
        self.clinic_day = {code: i % 5 for i, code in enumerate(practices)}
        self.window_start = _months_before(today, REFERRAL_WINDOW_MONTHS)
        self.nhs_numbers: set[str] = set()
        # Read by the story (demo_story.py): how far ahead a session is booked, and the pay rates.
        self.horizon = today + timedelta(days=BOOKING_HORIZON_DAYS)
        self.living_wage = DEMO_LIVING_WAGE

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def participant(self) -> Participant:
        rng = self.rng
        pid = self.uid()
        sex = _SEX.pick(rng)
        feminine = sex is Sex.FEMALE or (sex is not Sex.MALE and rng.random() < 0.5)
        given, preferred, family, latin = self._name(feminine)
        ref = self._referral_date()
        age = min(66, max(18, int(rng.triangular(18, 67, 38))))
        latest = _safe_date(ref.year - age, ref.month, ref.day)
        earliest = _safe_date(ref.year - age - 1, ref.month, ref.day) + _DAY
        dob = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
        status = _STATUS.pick(rng)
        p = Participant(
            id=pid,
            given_name=given,
            family_name=family,
            preferred_name=preferred,
            date_of_birth=dob,
            sex=sex,
            nhs_number=self._nhs_number() if rng.random() < 0.9 else None,
            phone=f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.94 else "",
            email=self._email(given, preferred, family, latin, dob),
            postcode=self._postcode() if rng.random() < 0.97 else "",
            practice=self.practices.pick(rng),
            referral_date=ref,
            referral_source=_SOURCE.pick(rng),
            employment_status=status,
            benefits_at_referral=self._benefits(status),
            conditions=self._conditions(),
        )
        Case(self, p).build()
        return p

    def _name(self, feminine: bool) -> tuple[str, str, str, bool]:
        rng = self.rng
        _, fem, masc, families, latin = _ORIGIN.pick(rng)
        given = rng.choice(fem if feminine else masc)
        if latin and rng.random() < 0.08:  # a family name from another community: marriage, heritage
            families = _LATIN_ORIGIN.pick(rng)[3]
        family = rng.choice(families)
        if "/" in family:
            masculine_form, feminine_form = family.split("/")
            family = feminine_form if feminine else masculine_form
        preferred = ""
        if "|" in given:
            given, called = given.split("|")
            preferred = called if rng.random() < 0.6 else ""
        return given, preferred, family, latin

    def _referral_date(self) -> date:
        span = (self.today - self.window_start).days
        day = self.window_start + timedelta(days=min(span, int((span + 1) * self.rng.random() ** 0.85)))
        if day.weekday() >= 5:  # referrals arrive on working days
            friday = day - timedelta(days=day.weekday() - 4)
            monday = day + timedelta(days=7 - day.weekday())
            day = friday if friday >= self.window_start else monday if monday <= self.today else day
        return day

    def _nhs_number(self) -> str:
        while True:
            digits = f"999{self.rng.randrange(1_000_000):06d}"
            check = 11 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
            if check == 10:
                continue
            number = digits + str(check % 11)
            if number not in self.nhs_numbers or len(self.nhs_numbers) > 400_000:
                self.nhs_numbers.add(number)
                return number

    def _email(self, given: str, preferred: str, family: str, latin: bool, born: date) -> str:
        rng = self.rng
        first = _ascii(preferred if preferred and not latin else given).split(" ")[0]
        last = _ascii(family) if latin else ""
        if not first or rng.random() > 0.68:
            return ""
        style = rng.randrange(4)
        local = (
            f"{first}.{last}"
            if style == 0
            else f"{first}{last}{born.year % 100:02d}"
            if style == 1
            else f"{first[0]}{last}{rng.randrange(1, 99)}"
            if style == 2
            else f"{first}_{last}"
        )
        return f"{local.strip('._')}@example.org"

    def _postcode(self) -> str:
        rng = self.rng
        letters = words.INWARD_LETTERS
        return f"{_POSTCODE.pick(rng)} {rng.randrange(10)}{rng.choice(letters)}{rng.choice(letters)}"

    def _benefits(self, status: EmploymentStatus) -> list[Benefit]:
        rng = self.rng
        if status is EmploymentStatus.EMPLOYED_OFF_SICK:
            held = [Benefit.OTHER] if rng.random() < 0.35 else []
        else:
            main = _MAIN_BENEFIT.pick(rng)
            held = [] if main is Benefit.NONE else [main]
            if main in (Benefit.ESA_WRAG, Benefit.ESA_SUPPORT) and rng.random() < 0.06:
                held.append(Benefit.INCOME_SUPPORT)
            if rng.random() < 0.04:
                held.append(Benefit.OTHER)
        if rng.random() < 0.25:
            held.append(Benefit.PIP_DLA)
        return held or [Benefit.NONE]

    def _conditions(self) -> list[ConditionCategory]:
        wanted = 1 + (self.rng.random() < 0.45) + (self.rng.random() < 0.3)
        found: list[ConditionCategory] = []
        while len(found) < wanted:
            c = _CONDITION.pick(self.rng)
            if c not in found:
                found.append(c)
        return found

    def employer(self) -> str:
        rng = self.rng
        if rng.random() < 0.25:
            return rng.choice(words.OTHER_EMPLOYERS)
        return f"{rng.choice(words.PLACES)} {rng.choice(words.BUSINESSES)}"
