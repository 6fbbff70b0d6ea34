"""The programme policy (interfaces.md §2): read from TOML, kept inside the vault as its text."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlparse

from coachdesk.domain.codec import parse_date
from coachdesk.domain.errors import ValidationError
from coachdesk.domain.rules import EARLIEST_DATE, LATEST_DATE, living_wage_on

_KEYS = {
    "programme",
    "hub_url",
    "auto_lock_minutes",
    "allow_keyring_unlock",
    "source_suppression",
    "retention_years_after_closure",
    "backup_reminder_days",
    "practices",
    "living_wage",
}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Practice:
    code: str
    name: str


@dataclass(frozen=True)
class Policy:
    programme: str = "local"
    hub_url: str | None = None
    auto_lock_minutes: int = 5
    allow_keyring_unlock: bool = False
    source_suppression: int = 0
    retention_years_after_closure: int = 6
    backup_reminder_days: int = 7
    practices: tuple[Practice, ...] = ()
    living_wage: tuple[tuple[date, int], ...] = field(default=())

    @property
    def practice_codes(self) -> frozenset[str]:
        return frozenset(p.code for p in self.practices)

    def practice_name(self, code: str) -> str:
        return next((p.name for p in self.practices if p.code == code), code)

    def living_wage_on(self, day: date) -> int | None:
        return living_wage_on(list(self.living_wage), day)


def check_hub_url(url: str, path: str = "hub_url") -> str:
    """HTTPS is required, except for a hub on this machine (testing, a local relay)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise ValidationError(path, f"{url!r} is not a web address (https://…)")
    if parsed.scheme == "http" and parsed.hostname not in LOCAL_HOSTS:
        raise ValidationError(path, "must use https:// (plain http is allowed only for localhost)")
    return url.rstrip("/")


def parse_policy(text: str) -> Policy:
    """Read a policy file's text, naming the key of any problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError("", f"the policy file is not valid TOML ({exc})") from None
    for key in data:
        if key not in _KEYS:
            raise ValidationError(key, "is not a known key")

    def integer(key: str, default: int, low: int, high: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationError(key, f"must be a whole number from {low} to {high}")
        return value

    programme = data.get("programme", "local")
    if not isinstance(programme, str) or not programme.strip():
        raise ValidationError("programme", "must be a non-empty name")
    hub_url = data.get("hub_url")
    if hub_url is not None:
        if not isinstance(hub_url, str):
            raise ValidationError("hub_url", "must be text")
        hub_url = check_hub_url(hub_url)
    allow_keyring = data.get("allow_keyring_unlock", False)
    if not isinstance(allow_keyring, bool):
        raise ValidationError("allow_keyring_unlock", "must be true or false")

    practices: list[Practice] = []
    raw_practices = data.get("practices", [])
    if not isinstance(raw_practices, list):
        raise ValidationError("practices", "must be a list of [[practices]] tables")
    for i, entry in enumerate(raw_practices):
        where = f"practices[{i}]"
        if not isinstance(entry, dict):
            raise ValidationError(where, "must be a table with code and name")
        for key in entry:
            if key not in ("code", "name"):
                raise ValidationError(f"{where}.{key}", "is not a known key")
        code, name = entry.get("code"), entry.get("name")
        if not isinstance(code, str) or not code.strip() or len(code) > 20:
            raise ValidationError(f"{where}.code", "must be a short non-empty code")
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(f"{where}.name", "must be the practice's name")
        code = code.strip()
        if code == "ALL":
            raise ValidationError(f"{where}.code", "'ALL' is reserved for the all-practices total")
        if any(p.code == code for p in practices):
            raise ValidationError(f"{where}.code", f"{code!r} appears twice")
        practices.append(Practice(code, name.strip()))

    rates: list[tuple[date, int]] = []
    raw_rates = data.get("living_wage", [])
    if not isinstance(raw_rates, list):
        raise ValidationError("living_wage", "must be a list of [[living_wage]] tables")
    for i, entry in enumerate(raw_rates):
        where = f"living_wage[{i}]"
        if not isinstance(entry, dict):
            raise ValidationError(where, "must be a table with from and pence")
        for key in entry:
            if key not in ("from", "pence"):
                raise ValidationError(f"{where}.{key}", "is not a known key")
        start = entry.get("from")
        if isinstance(start, datetime) or (
            isinstance(start, date) and not EARLIEST_DATE <= start <= LATEST_DATE
        ):  # a TOML date-time, or a TOML date the codec's range would refuse as text
            raise ValidationError(f"{where}.from", f"{start} is not a date from 1900 to 2100 (from = 2015-11-02)")
        start_date = start if isinstance(start, date) else parse_date(start, f"{where}.from")
        pence = entry.get("pence")
        if isinstance(pence, bool) or not isinstance(pence, int) or not 0 < pence < 100_000:
            raise ValidationError(f"{where}.pence", "must be a whole number of pence per hour")
        rates.append((start_date, pence))

    return Policy(
        programme=programme.strip(),
        hub_url=hub_url,
        auto_lock_minutes=integer("auto_lock_minutes", 5, 1, 240),
        allow_keyring_unlock=allow_keyring,
        source_suppression=integer("source_suppression", 0, 0, 100),
        retention_years_after_closure=integer("retention_years_after_closure", 6, 1, 100),
        backup_reminder_days=integer("backup_reminder_days", 7, 1, 365),
        practices=tuple(practices),
        living_wage=tuple(sorted(rates)),
    )
