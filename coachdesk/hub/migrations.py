"""Schema migrations, kept with the code: an ordered list, applied at start in one transaction each
and recorded in hub_schema_versions. Never edit a released migration: add one. Each migration
defines the tables it creates itself (not from tables.py, which is always the newest shape), so an
old database and a new one end with the same schema; tests/hub/test_hub_store.py checks that on both
engines.

Several hub processes may start at once (workers, a service restart during `coachdesk-hub import`):
PostgreSQL takes a transaction-scoped advisory lock, SQLite's write lock (BEGIN IMMEDIATE) does the
same, so exactly one applies each migration."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    inspect,
    select,
)

from coachdesk.domain.clock import utc_stamp
from coachdesk.hub.errors import HubError
from coachdesk.hub.tables import schema_versions

# Any fixed number: PostgreSQL advisory locks are named by integers.
_ADVISORY_LOCK = 0x0C0AC4DE5B01


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _v1(conn: Connection) -> None:
    big_id = BigInteger().with_variant(Integer(), "sqlite")
    stamp, month, uuid_text, sha = String(20), String(7), String(36), String(64)
    md = MetaData()
    Table(
        "hub_schema_versions",
        md,
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("description", String(200), nullable=False),
        Column("applied_at", stamp, nullable=False),
    )
    Table(
        "enrolment_tokens",
        md,
        Column("token_hash", sha, primary_key=True),
        Column("created_at", stamp, nullable=False),
        Column("expires_at", stamp, nullable=False),
        Column("used_at", stamp, nullable=True),
        Column("device_id", uuid_text, nullable=True),
    )
    Table(
        "devices",
        md,
        Column("device_id", uuid_text, primary_key=True),
        Column("name", String(100), nullable=False),
        Column("public_key", String(44), nullable=False),
        Column("enrolled_at", stamp, nullable=False),
    )
    Table(
        "users",
        md,
        Column("user_id", big_id, primary_key=True, autoincrement=True),
        Column("name", String(100), nullable=False, unique=True),
        Column("token_hash", sha, nullable=False, unique=True),
        Column("created_at", stamp, nullable=False),
    )
    Table(
        "bundles",
        md,
        Column("bundle_pk", big_id, primary_key=True, autoincrement=True),
        Column("device_id", uuid_text, ForeignKey("devices.device_id"), nullable=False),
        Column("period", month, nullable=False),
        Column("revision", Integer, nullable=False),
        Column("receipt", sha, nullable=False),
        Column("bundle_id", uuid_text, nullable=False),
        Column("programme", String(100), nullable=False),
        Column("catalogue_version", Integer, nullable=False),
        Column("source_suppression", Integer, nullable=False),
        Column("generated_at", stamp, nullable=False),
        Column("received_at", stamp, nullable=False),
        Column("document", Text, nullable=False),
        UniqueConstraint("device_id", "period", "revision", name="bundles_one_per_revision"),
    )
    Table(
        "current_bundles",
        md,
        Column("device_id", uuid_text, ForeignKey("devices.device_id"), primary_key=True),
        Column("period", month, primary_key=True),
        Column("revision", Integer, nullable=False),
        Column("bundle_pk", big_id, ForeignKey("bundles.bundle_pk"), nullable=True),
    )
    Table(
        "merged",
        md,
        Column("period", month, primary_key=True),
        Column("practice", String(20), primary_key=True),
        Column("devices", Integer, nullable=False),
        Column("figures", Text, nullable=False),
    )
    Table(
        "ingest_log",
        md,
        Column("entry_pk", big_id, primary_key=True, autoincrement=True),
        Column("at", stamp, nullable=False),
        Column("source", String(10), nullable=False),
        Column("outcome", String(10), nullable=False),
        Column("status", Integer, nullable=False),
        Column("error", String(40), nullable=True),
        Column("device_id", uuid_text, nullable=True),
        Column("period", month, nullable=True),
        Column("revision", Integer, nullable=True),
        Column("receipt", sha, nullable=True),
    )
    md.create_all(conn)


def _v2(conn: Connection) -> None:
    md = MetaData()
    big_id = BigInteger().with_variant(Integer(), "sqlite")
    Table("users", md, Column("user_id", big_id, primary_key=True))  # for the foreign key only
    Table(
        "dashboard_sessions",
        md,
        Column("session_hash", String(64), primary_key=True),
        Column("user_id", big_id, ForeignKey("users.user_id"), nullable=False),
        Column("created_at", String(20), nullable=False),
        Column("expires_at", String(20), nullable=False),
    )
    md.tables["dashboard_sessions"].create(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "devices, enrolment tokens, users, bundles, merged counts, ingest log", _v1),
    Migration(2, "dashboard sessions", _v2),
)
LATEST = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table(schema_versions.name):
        return 0
    return conn.execute(select(func.coalesce(func.max(schema_versions.c.version), 0))).scalar_one()


def _too_new(found: int) -> HubError:
    return HubError(
        500,
        "schema_too_new",
        f"The hub's database is at schema version {found}, newer than this coachdesk-hub knows "
        f"({LATEST}). Upgrade coachdesk-hub; the database was not changed.",
    )


def migrate(begin: Callable[[], AbstractContextManager[Connection]]) -> list[int]:
    """Apply every migration the database lacks; returns the versions applied. `begin` opens a write
    transaction (the store's), entered once per migration."""
    applied: list[int] = []
    for migration in MIGRATIONS:
        with begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(_ADVISORY_LOCK)))
            found = current_version(conn)
            if found > LATEST:
                raise _too_new(found)
            if found >= migration.version:
                continue
            migration.apply(conn)
            conn.execute(
                schema_versions.insert().values(
                    version=migration.version, description=migration.description, applied_at=utc_stamp()
                )
            )
            applied.append(migration.version)
    return applied
