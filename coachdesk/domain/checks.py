"""Rules that span several fields of a participant's record, with the field named."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.model import Participant
from coachdesk.domain.rules import age_on, normalise_nhs_number

MINIMUM_AGE_AT_REFERRAL = 16


def check_participant(p: Participant, practices: Collection[str], today: date, path: str = "") -> None:
    """Raise ValidationError for the first rule the record breaks (path prefixed with `path`)."""

    def at(name: str) -> str:
        return f"{path}.{name}" if path else name

    if p.practice not in practices:
        known = ", ".join(sorted(practices)) or "none (load the programme policy first)"
        raise ValidationError(at("practice"), f"{p.practice!r} is not a practice of this programme (known: {known})")
    if p.referral_date > today:
        raise ValidationError(at("referral_date"), f"{p.referral_date.isoformat()} is in the future")
    if p.date_of_birth >= p.referral_date:
        raise ValidationError(at("date_of_birth"), "must be before the referral date")
    if age_on(p.date_of_birth, p.referral_date) < MINIMUM_AGE_AT_REFERRAL:
        raise ValidationError(
            at("date_of_birth"), f"the participant would be under {MINIMUM_AGE_AT_REFERRAL} at referral"
        )
    if p.nhs_number is not None:
        p.nhs_number = normalise_nhs_number(p.nhs_number)
    if p.closed is not None:
        if p.closed.date < p.referral_date:
            raise ValidationError(at("closed.date"), "must be on or after the referral date")
        if p.closed.date > today:
            raise ValidationError(at("closed.date"), f"{p.closed.date.isoformat()} is in the future")
    for i, change in enumerate(p.benefit_changes):
        if change.date < p.referral_date:
            raise ValidationError(at(f"benefit_changes[{i}].date"), "must be on or after the referral date")
    seen: set[str] = set()
    for i, s in enumerate(p.sessions):
        if s.id in seen:
            raise ValidationError(at(f"sessions[{i}].id"), "appears twice in this participant's sessions")
        seen.add(s.id)
    seen.clear()
    for i, g in enumerate(p.goals):
        if g.id in seen:
            raise ValidationError(at(f"goals[{i}].id"), "appears twice in this participant's goals")
        seen.add(g.id)
        if g.target_date is not None and g.target_date < g.created:
            raise ValidationError(at(f"goals[{i}].target_date"), "must be on or after the date the goal was set")
        if g.closed_on is not None and g.closed_on < g.created:
            raise ValidationError(at(f"goals[{i}].closed_on"), "must be on or after the date the goal was set")
    if p.skills_inventory is not None:
        prefs = p.skills_inventory.preferences
        if prefs.min_hours is not None and prefs.max_hours is not None and prefs.min_hours > prefs.max_hours:
            raise ValidationError(at("skills_inventory.preferences.min_hours"), "must not be more than max_hours")
