"""The coach's own contact details, printed on every action plan ("Who to contact"). Kept in the
vault with everything else; set in the setup wizard or the app's settings."""

from __future__ import annotations

from dataclasses import dataclass

from coachdesk.storage import audit
from coachdesk.storage.vault import Vault

_KEYS = ("name", "phone", "email")


@dataclass(frozen=True)
class CoachContact:
    """How the participant reaches their coach. Every part is optional; the programme's name
    replaces the one derived from the policy when given."""

    name: str = ""
    phone: str = ""
    email: str = ""
    programme: str = ""


def load(vault: Vault) -> CoachContact:
    values = {key: vault.meta(f"coach.{key}") or "" for key in _KEYS}
    return CoachContact(name=values["name"], phone=values["phone"], email=values["email"])


def save(vault: Vault, contact: CoachContact) -> None:
    with vault.transaction() as conn:
        for key in _KEYS:
            vault.set_meta(conn, f"coach.{key}", getattr(contact, key).strip())
        audit.record(conn, "coach_profile.updated")
