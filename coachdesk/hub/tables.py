"""The hub's tables as they are after the newest migration (migrations.py builds them; a test checks
that both engines' migrated schema matches these). Timestamps are `YYYY-MM-DDTHH:MM:SSZ` text and
months `YYYY-MM` text: they sort as they read, and the schema is the same on SQLite and PostgreSQL.

Bundles are kept as the canonical JSON that was signed (one row per bundle); the summary reads the
merged totals, which each accepted bundle updates in the same transaction that makes it the
device's current revision for its month. See docs/hub.md for why."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# SQLite only auto-numbers an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key.
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")
STAMP = String(20)
MONTH = String(7)
UUID_TEXT = String(36)
SHA256_HEX = String(64)
CODE = String(20)  # practice codes (domain/bundle.py allows 20 characters)
MEASURE = String(100)

metadata = MetaData()

schema_versions = Table(
    "hub_schema_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", String(200), nullable=False),
    Column("applied_at", STAMP, nullable=False),
)

enrolment_tokens = Table(
    "enrolment_tokens",
    metadata,
    Column("token_hash", SHA256_HEX, primary_key=True),
    Column("created_at", STAMP, nullable=False),
    Column("expires_at", STAMP, nullable=False),
    Column("used_at", STAMP, nullable=True),
    Column("device_id", UUID_TEXT, nullable=True),  # the device it enrolled
)

devices = Table(
    "devices",
    metadata,
    Column("device_id", UUID_TEXT, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("public_key", String(44), nullable=False),  # base64 of the raw 32-byte Ed25519 key
    Column("enrolled_at", STAMP, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("user_id", BIG_ID, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("token_hash", SHA256_HEX, nullable=False, unique=True),
    Column("created_at", STAMP, nullable=False),
)

bundles = Table(
    "bundles",
    metadata,
    Column("bundle_pk", BIG_ID, primary_key=True, autoincrement=True),
    Column("device_id", UUID_TEXT, ForeignKey("devices.device_id"), nullable=False),
    Column("period", MONTH, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("receipt", SHA256_HEX, nullable=False),
    Column("bundle_id", UUID_TEXT, nullable=False),
    Column("programme", String(100), nullable=False),
    Column("catalogue_version", Integer, nullable=False),
    Column("source_suppression", Integer, nullable=False),
    Column("generated_at", STAMP, nullable=False),
    Column("received_at", STAMP, nullable=False),
    Column("document", Text, nullable=False),  # canonical JSON, signature included: the evidence
    UniqueConstraint("device_id", "period", "revision", name="bundles_one_per_revision"),
)

# Dashboard logins: the SHA-256 of each session's random id (the cookie holds the id itself), whose
# user it is, and when it ends. A copy of the database lets nobody in.
dashboard_sessions = Table(
    "dashboard_sessions",
    metadata,
    Column("session_hash", SHA256_HEX, primary_key=True),
    Column("user_id", BIG_ID, ForeignKey("users.user_id"), nullable=False),
    Column("created_at", STAMP, nullable=False),
    Column("expires_at", STAMP, nullable=False),
)

# Which revision of each (device, month) counts: the highest accepted.
current_bundles = Table(
    "current_bundles",
    metadata,
    Column("device_id", UUID_TEXT, ForeignKey("devices.device_id"), primary_key=True),
    Column("period", MONTH, primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("bundle_pk", BIG_ID, ForeignKey("bundles.bundle_pk"), nullable=True),
)

# The sum over devices of their current bundles, one row per month and practice: `devices` counts
# the devices whose current bundle reports the practice that month; `figures` is JSON text,
# {"measure": [total of the known values, null cells, cells], ...}. A measure with null cells, or
# with fewer cells than devices (a device on an older catalogue lacks it), is unknown. One row per
# practice, not per measure: the summary reads a few hundred rows instead of tens of thousands.
merged = Table(
    "merged",
    metadata,
    Column("period", MONTH, primary_key=True),
    Column("practice", CODE, primary_key=True),
    Column("devices", Integer, nullable=False),
    Column("figures", Text, nullable=False),
)

# Every attempt to deliver a bundle, by HTTP or by file: never its body, nor the refusal's sentence
# (which may quote the body), only our own code for it.
ingest_log = Table(
    "ingest_log",
    metadata,
    Column("entry_pk", BIG_ID, primary_key=True, autoincrement=True),
    Column("at", STAMP, nullable=False),
    Column("source", String(10), nullable=False),  # http, file
    Column("outcome", String(10), nullable=False),  # accepted, duplicate, rejected
    Column("status", Integer, nullable=False),  # the HTTP status it got (or would have got)
    Column("error", String(40), nullable=True),
    Column("device_id", UUID_TEXT, nullable=True),  # as claimed, once the bundle's shape was valid
    Column("period", MONTH, nullable=True),
    Column("revision", Integer, nullable=True),
    Column("receipt", SHA256_HEX, nullable=True),
)

# What a test may compare before and after a refused request: everything but the log of attempts.
DATA_TABLES = (enrolment_tokens, devices, users, dashboard_sessions, bundles, current_bundles, merged)
