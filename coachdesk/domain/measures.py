"""The measure catalogue (formats.md §3) as data: the coach's sync and the hub both read it.

`CATALOGUE` is every measure name of the catalogue, in the order of formats.md §3, with each group
(`referrals_by_source.*` and the like) expanded over the vocabulary. Adding or renaming a measure
is a catalogue version change: raise `CATALOGUE_VERSION` (the hub must accept both versions)."""

from __future__ import annotations

from collections.abc import Iterable

from coachdesk.domain.vocabulary import (
    AgeBand,
    Benefit,
    ClosureReason,
    ConditionCategory,
    EmploymentStatus,
    ReferralSource,
)

CATALOGUE_VERSION = 1

# first_employer_contact bands, by days from referral_date to the first employer contact.
FIRST_CONTACT_BANDS: tuple[str, ...] = ("within_30_days", "days_31_60", "over_60_days")


def _group(prefix: str, words: Iterable[str]) -> tuple[str, ...]:
    return tuple(f"{prefix}.{word}" for word in words)


CATALOGUE: tuple[str, ...] = (
    "referrals_received",
    *_group("referrals_by_source", ReferralSource),
    *_group("new_by_benefit", Benefit),
    *_group("new_by_condition", ConditionCategory),
    *_group("new_by_employment_status", EmploymentStatus),
    *_group("new_by_age_band", AgeBand),
    "first_appointments",
    "sessions_attended",
    "sessions_dna",
    "sessions_cancelled",
    "active_caseload_end",
    "skills_inventories_completed",
    "goals_set",
    "goals_achieved",
    "action_plans_issued",
    "employer_contacts",
    *_group("first_employer_contact", FIRST_CONTACT_BANDS),
    "job_starts",
    "job_starts_16h_plus",
    "job_starts_under_16h",
    "job_starts_paid_llw",
    "first_job_starts",
    "self_employment_starts",
    "education_starts",
    "volunteering_starts",
    "jobs_retained",
    "sustained_13_weeks",
    "sustained_26_weeks",
    "left_out_of_work_benefits",
    *_group("closures", ClosureReason),
)

MEASURES: frozenset[str] = frozenset(CATALOGUE)


def group_of(measure: str) -> str | None:
    """The group a measure belongs to (the prefix before its dot), or None for a plain measure."""
    prefix, dot, _ = measure.partition(".")
    return prefix if dot else None


# Every group and its members, in catalogue order.
GROUPS: dict[str, tuple[str, ...]] = {}
for _measure in CATALOGUE:
    _prefix = group_of(_measure)
    if _prefix is not None:
        GROUPS[_prefix] = (*GROUPS.get(_prefix, ()), _measure)
del _measure, _prefix

# The groups whose members are an exclusive split of another measure: group prefix -> the measure
# its members sum to. new_by_employment_status sums to it when every employment status at referral
# is recorded, new_by_age_band when every participant was 16 or over at referral (formats.md §3).
# new_by_benefit and new_by_condition are not exclusive (a participant may count under several).
EXCLUSIVE_SPLITS: dict[str, str] = {
    "referrals_by_source": "referrals_received",
    "new_by_employment_status": "referrals_received",
    "new_by_age_band": "referrals_received",
}

# Every catalogue version the hub accepts, as the set of its measure names. A new version adds an
# entry here (and keeps the old ones: devices update at their own pace).
CATALOGUES: dict[int, frozenset[str]] = {CATALOGUE_VERSION: MEASURES}


def catalogue_version_of(measures: frozenset[str]) -> int | None:
    """The catalogue version whose measures are exactly `measures`, or None."""
    for version, names in CATALOGUES.items():
        if names == measures:
            return version
    return None
