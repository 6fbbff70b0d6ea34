"""What the operator chooses: where the store is, which programme and practices the hub receives,
and the default disclosure rule. Read once at start; the HTTP app and the CLI share it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from coachdesk.domain.errors import EXIT_USAGE, CoachDeskError
from coachdesk.domain.policy import parse_policy
from coachdesk.hub.disclosure import NHS, Rule

APP_NAME = "CoachDesk"
DB_ENV = "COACHDESK_HUB_DB"  # keeps a database password out of the process list
SQLITE_NAME = "hub.sqlite3"


class UsageError(CoachDeskError):
    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class HubConfig:
    """`programme`: the only programme accepted (None: any). `practices`: the only practice codes
    accepted (None: any code of the right shape). `practice_names`: code -> name for reports."""

    programme: str | None = None
    practices: frozenset[str] | None = None
    practice_names: tuple[tuple[str, str], ...] = ()
    sdc: Rule = NHS


def config_from(programme: str | None, policy_file: Path | None, sdc: Rule = NHS) -> HubConfig:
    """The programme and practice list from `--programme` and/or the programme's policy file (the
    same TOML the coaches are given)."""
    if policy_file is None:
        return HubConfig(programme=programme, sdc=sdc)
    try:
        policy = parse_policy(policy_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read the policy file {policy_file}: {exc.strerror or exc}") from None
    except CoachDeskError as exc:
        raise UsageError(f"the policy file {policy_file} is not valid: {exc.message}") from None
    if programme is not None and programme != policy.programme:
        raise UsageError(
            f"--programme {programme!r} differs from the policy file's programme {policy.programme!r}; give one"
        )
    return HubConfig(
        programme=policy.programme,
        practices=policy.practice_codes or None,
        practice_names=tuple((p.code, p.name) for p in policy.practices),
        sdc=sdc,
    )


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "hub" / SQLITE_NAME


def resolve_db_url(given: str | None) -> URL:
    """`--db` (or COACHDESK_HUB_DB) as a SQLAlchemy URL: a PostgreSQL URL (postgresql://…, driven by
    psycopg 3), a sqlite:/// URL, or a plain file path; nothing given: the SQLite file in the data
    folder."""
    text = given or os.environ.get(DB_ENV) or ""
    if not text:
        return URL.create("sqlite", database=str(default_db_path()))
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))
    try:
        url = make_url(text)
    except ArgumentError:
        raise UsageError("--db is not a database URL (postgresql://user@host/db, sqlite:///path) nor a file") from None
    backend, _, driver = url.drivername.partition("+")
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        if not url.database or url.database == ":memory:":
            raise UsageError("--db sqlite:// needs a file (sqlite:////var/lib/coachdesk-hub/hub.sqlite3)")
        return url.set(drivername="sqlite", database=str(Path(url.database).expanduser().resolve()))
    raise UsageError(f"--db {url.drivername}://…: the hub runs on PostgreSQL (postgresql://…) or SQLite")


def shown_url(url: URL) -> str:
    """The URL for messages: never the password."""
    return url.render_as_string(hide_password=True)
