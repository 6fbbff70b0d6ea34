"""The database schema, as an ordered list of migrations. The vault records the version it is
at (`PRAGMA user_version` and the schema_version table) and opening a vault applies whatever
migrations it lacks, in one transaction each. Never edit a released migration: add one.

Every released version has a fixture vault in tests/fixtures/vaults/ that the tests open and
migrate."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from sqlcipher3 import dbapi2

from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.errors import VaultError
from coachdesk.storage import device_key
from coachdesk.storage.database import Connection, transaction

_V1 = """
CREATE TABLE schema_version (
    version     INTEGER PRIMARY KEY,
    applied_at  TEXT NOT NULL
);
CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
CREATE TABLE participants (
    pk                  INTEGER PRIMARY KEY,
    id                  TEXT NOT NULL UNIQUE,
    given_name          TEXT NOT NULL,
    family_name         TEXT NOT NULL,
    preferred_name      TEXT NOT NULL DEFAULT '',
    date_of_birth       TEXT NOT NULL,
    sex                 TEXT,
    nhs_number          TEXT,
    phone               TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    postcode            TEXT NOT NULL DEFAULT '',
    practice            TEXT NOT NULL,
    referral_date       TEXT NOT NULL,
    referral_source     TEXT NOT NULL,
    consent_service     TEXT,
    consent_share_with_gp     INTEGER NOT NULL DEFAULT 0,
    consent_contact_employers INTEGER NOT NULL DEFAULT 0,
    employment_status   TEXT,
    benefits_at_referral TEXT NOT NULL DEFAULT '[]',   -- JSON list of benefit words
    conditions          TEXT NOT NULL DEFAULT '[]',    -- JSON list of condition categories
    closed_on           TEXT,
    closure_reason      TEXT,
    updated_at          TEXT NOT NULL
);
CREATE INDEX participants_practice ON participants(practice, closed_on);
CREATE INDEX participants_name ON participants(family_name COLLATE NOCASE, given_name COLLATE NOCASE);
CREATE INDEX participants_referral ON participants(referral_date);

CREATE TABLE benefit_changes (
    pk              INTEGER PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    date            TEXT NOT NULL,
    benefits        TEXT NOT NULL                      -- JSON list of benefit words
);
CREATE INDEX benefit_changes_participant ON benefit_changes(participant_id);

CREATE TABLE sessions (
    pk              INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    participant_id  TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    start           TEXT NOT NULL,                     -- YYYY-MM-DDTHH:MM, surgery wall clock
    minutes         INTEGER,
    type            TEXT NOT NULL,
    attendance      TEXT NOT NULL,
    notes           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_participant ON sessions(participant_id, start);
CREATE INDEX sessions_start ON sessions(start);

-- Every completed inventory is kept: the latest is the participant's current one, the first
-- and latest together show the distance travelled.
CREATE TABLE skills_inventories (
    pk              INTEGER PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    completed_on    TEXT NOT NULL,
    body            TEXT NOT NULL,                     -- JSON: the inventory as in the caseload file
    recorded_at     TEXT NOT NULL
);
CREATE INDEX skills_inventories_participant ON skills_inventories(participant_id, completed_on);

CREATE TABLE goals (
    pk              INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    participant_id  TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    title           TEXT NOT NULL,
    category        TEXT NOT NULL,
    created         TEXT NOT NULL,
    target_date     TEXT,
    status          TEXT NOT NULL,
    closed_on       TEXT
);
CREATE INDEX goals_participant ON goals(participant_id);

CREATE TABLE goal_steps (
    pk              INTEGER PRIMARY KEY,
    goal_id         TEXT NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    text            TEXT NOT NULL,
    owner           TEXT NOT NULL,
    due             TEXT,
    done            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX goal_steps_goal ON goal_steps(goal_id);

CREATE TABLE employer_contacts (
    pk              INTEGER PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    date            TEXT NOT NULL,
    employer        TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    notes           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX employer_contacts_participant ON employer_contacts(participant_id);

CREATE TABLE outcomes (
    pk              INTEGER PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    type            TEXT NOT NULL,
    date            TEXT NOT NULL,
    employer        TEXT NOT NULL DEFAULT '',
    hours_per_week  INTEGER,
    hourly_pay_pence INTEGER
);
CREATE INDEX outcomes_participant ON outcomes(participant_id);

CREATE TABLE action_plans_issued (
    pk              INTEGER PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    date            TEXT NOT NULL
);
CREATE INDEX action_plans_participant ON action_plans_issued(participant_id);

-- What happened, to which record, when: never a name, a note or any other personal detail.
-- Each entry's hash covers the previous entry's hash, so an edited or deleted entry shows.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    action      TEXT NOT NULL,
    record_id   TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

-- Full-text search inside the encrypted database, kept up to date by storage/search.py rather
-- than by triggers: FTS5 flushes its pending terms whenever another statement opens a savepoint,
-- so trigger-maintained indexes written record by record fragment into thousands of segments.
-- Rowids follow the source rows' pk, so one record's index rows are found without a scan.
CREATE VIRTUAL TABLE people_fts USING fts5(
    body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
-- Notes are indexed from the sessions table itself (external content): no second copy. No
-- prefix index here: it triples the index for little gain on words of three letters or more.
CREATE VIRTUAL TABLE notes_fts USING fts5(
    notes, content = 'sessions', content_rowid = 'pk',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Text a coach was typing when the vault locked, until it is saved or discarded.
CREATE TABLE drafts (
    key             TEXT PRIMARY KEY,
    participant_id  TEXT NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    body            TEXT NOT NULL,
    saved_at        TEXT NOT NULL
);
"""


# Version 2: the programme's sync (formats.md §2). The device's Ed25519 key lives in `meta`
# (inside the encrypted database, never in a file); each month's latest signed bundle and its
# state in `sync_months`; every receipt the hub gave in `sync_receipts`.
_V2 = """
CREATE TABLE sync_months (
    period           TEXT PRIMARY KEY,
    revision         INTEGER NOT NULL CHECK (revision >= 1),
    digest           TEXT NOT NULL,
    bundle           BLOB NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    built_at         TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_attempt_at  TEXT,
    reason           TEXT,
    sent_at          TEXT
);
CREATE TABLE sync_receipts (
    period       TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    receipt      TEXT NOT NULL,
    status       TEXT NOT NULL,
    hub_url      TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (period, revision)
);
"""

# Indexes behind the monthly measures (storage/measures.py): each lets a month's counts be read
# from the index alone, without visiting the table rows.
_V2_MEASURE_INDEXES = """
-- Events are counted by month in the order of a month index (on the same substr(<date>, 1, 7)
-- expression the queries use), so no query sorts them: with cipher_memory_security every sorted
-- row is an allocation, and every allocation two system calls. Each index holds the columns its
-- queries read, so the table rows are never visited.
CREATE INDEX sessions_month ON sessions(substr(start, 1, 7), attendance, participant_id, start);
CREATE INDEX skills_inventories_month ON skills_inventories(substr(completed_on, 1, 7), participant_id);
CREATE INDEX goals_created_month ON goals(substr(created, 1, 7), participant_id);
CREATE INDEX goals_closed_month ON goals(status, substr(closed_on, 1, 7), participant_id);
CREATE INDEX action_plans_month ON action_plans_issued(substr(date, 1, 7), participant_id);
CREATE INDEX employer_contacts_month ON employer_contacts(substr(date, 1, 7), participant_id, date);
CREATE INDEX outcomes_month ON outcomes(substr(date, 1, 7), type, participant_id, date);
-- "Is there an earlier one?" for the first attended session, employer contact and job start:
-- one seek per event.
CREATE INDEX sessions_attended ON sessions(attendance, participant_id, start);
CREATE INDEX employer_contacts_first ON employer_contacts(participant_id, date);
CREATE INDEX outcomes_first ON outcomes(type, participant_id, date);
-- A participant's practice (and referral date) from their id, for every event counted: the
-- queries name this index, as the planner would otherwise read the table row behind the unique id.
CREATE INDEX participants_by_id ON participants(id, practice, referral_date);
-- Each participant's benefit changes in order, for left_out_of_work_benefits.
CREATE INDEX benefit_changes_order ON benefit_changes(participant_id, date, position);
"""


def _measure_indexes() -> list[tuple[str, str]]:
    """(name, CREATE statement) of each measure index, from the migration's own text."""
    found = []
    for statement in _split(_V2_MEASURE_INDEXES):
        create = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
        found.append((create.split()[2], create))
    return found


BULK_WRITE_RECORDS = 1000  # from this many records at once, rebuilding the indexes is cheaper


@contextlib.contextmanager
def measure_indexes_deferred(conn: Connection, records: int) -> Iterator[None]:
    """Inside the caller's transaction, a bulk write of `records` participants (an import, the demo
    caseload) drops the measure indexes and builds them again at the end: one sorted build is far
    cheaper than thousands of random insertions into seven indexes. DDL is transactional in SQLite,
    so a failed write rolls the indexes back with everything else."""
    if records < BULK_WRITE_RECORDS:
        yield
        return
    indexes = _measure_indexes()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX IF EXISTS "{name}"')  # names from the migration's text, never from data
    yield
    for _, create in indexes:
        conn.execute(create)


def _apply_v1(conn: Connection) -> None:
    for statement in _split(_V1):
        conn.execute(statement)


def _apply_v2(conn: Connection) -> None:
    for statement in _split(_V2 + _V2_MEASURE_INDEXES):
        conn.execute(statement)
    device_key.create(conn)


def _split(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole (sqlite3.complete_statement)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if _complete(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


def _complete(text: str) -> bool:
    return bool(dbapi2.complete_statement(text))


MIGRATIONS: list[tuple[int, Callable[[Connection], None]]] = [
    (1, _apply_v1),
    (2, _apply_v2),
]
LATEST = MIGRATIONS[-1][0]


def current_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection) -> list[int]:
    """Bring the database to LATEST; returns the versions applied. Refuses a newer vault."""
    version = current_version(conn)
    if version > LATEST:
        raise VaultError(
            f"This vault was written by a newer CoachDesk (schema {version}; this version knows up to "
            f"{LATEST}). Install the newer CoachDesk to open it."
        )
    applied: list[int] = []
    for target, step in MIGRATIONS:
        if target <= version:
            continue
        with transaction(conn):
            step(conn)
            conn.execute(
                "INSERT INTO schema_version(version, applied_at) VALUES (?, ?)",
                (target, utc_stamp()),
            )
            conn.execute(f"PRAGMA user_version = {int(target)}")
        applied.append(target)
    return applied
