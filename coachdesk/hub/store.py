"""The hub's store, through SQLAlchemy Core: a SQLite file by default, PostgreSQL (psycopg 3) for a
programme that runs several workers. The same schema and the same statements on both; the only
dialect-specific pieces are the upsert constructor and the way a write transaction starts.

Writes that must not interleave are serialised by the database itself: on SQLite every write
transaction starts with BEGIN IMMEDIATE (one writer at a time, readers go on in WAL mode); on
PostgreSQL the ingest locks the (device, month) row FOR UPDATE and then the merged rows it changes,
in practice order, so two devices sending the same month wait for each other, never deadlock."""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, and_, create_engine, delete, event, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, IntegrityError

from coachdesk.domain.bundle import Bundle, canonical_json, public_key_text
from coachdesk.hub import migrations
from coachdesk.hub.errors import HubError, StoreUnavailable
from coachdesk.hub.tables import (
    bundles,
    current_bundles,
    dashboard_sessions,
    devices,
    enrolment_tokens,
    ingest_log,
    merged,
    users,
)
from coachdesk.hub.tokens import same_hash

log = logging.getLogger("coachdesk.hub.store")

ACCEPTED = "accepted"
DUPLICATE = "duplicate"
REJECTED = "rejected"

# SQLite waits this long for another writer before the hub answers 503.
_SQLITE_BUSY_MS = 30_000
# PostgreSQL: deadlock_detected and serialization_failure are worth one more try; nothing else is.
_RETRY_SQLSTATES = {"40P01", "40001"}
_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Attempt:
    """One line of the ingest log."""

    at: str
    source: str  # http, file
    outcome: str  # accepted, duplicate, rejected
    status: int
    error: str | None = None
    device_id: str | None = None
    period: str | None = None
    revision: int | None = None
    receipt: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: str  # accepted, duplicate, or "stale" (a revision not above the stored one)
    stored_revision: int = 0


STALE = "stale"


class MergedRow(NamedTuple):
    """One month and practice of the merged totals, as stored: how many devices' current bundles
    report the practice, and per measure [total of the known values, null cells, cells]."""

    period: str
    practice: str
    devices: int
    figures: dict[str, list[int]]


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    # -- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(cls, url: URL, *, migrate: bool = True) -> Store:
        """Connect and bring the schema up to date. Raises StoreUnavailable (with the URL, never its
        password) when the database cannot be reached."""
        if url.get_backend_name() == "sqlite":
            engine = _sqlite_engine(url)
        else:
            engine = create_engine(
                url,
                pool_size=10,
                max_overflow=20,
                pool_pre_ping=True,
                connect_args={"connect_timeout": 10},
            )
        store = cls(engine)
        if migrate:
            try:
                migrations.migrate(store.write)
            except DBAPIError as exc:
                engine.dispose()
                raise StoreUnavailable(
                    f"Cannot use the database {url.render_as_string(hide_password=True)}: {_first_line(exc.orig)}"
                ) from None
            except HubError:
                engine.dispose()
                raise
        return store

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self.engine.connect() as conn:
            conn.execution_options(hub_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    def ping(self) -> bool:
        try:
            with self.read() as conn:
                conn.execute(select(1)).scalar_one()
        except DBAPIError:
            return False
        return True

    # -- enrolment and users ---------------------------------------------------------------------

    def add_enrolment_token(self, hashed: str, created_at: str, expires_at: str) -> None:
        with self.write() as conn:
            conn.execute(
                enrolment_tokens.insert().values(token_hash=hashed, created_at=created_at, expires_at=expires_at)
            )

    def enrol(self, hashed: str, device_id: str, name: str, public_key: bytes, now: str) -> bool:
        """Use the token `hashed` (once, before it expires) to register the device. Returns False for
        an unknown, used or expired token. The same key enrolled again (a fresh token, a reinstalled
        laptop) keeps its device id and takes the new name."""
        key_text = public_key_text(public_key)
        with self.write() as conn:
            row = conn.execute(
                select(enrolment_tokens.c.token_hash, enrolment_tokens.c.used_at, enrolment_tokens.c.expires_at)
                .where(enrolment_tokens.c.token_hash == hashed)
                .with_for_update()
            ).one_or_none()
            if row is None or not same_hash(row.token_hash, hashed) or row.used_at is not None or row.expires_at <= now:
                return False
            conn.execute(
                update(enrolment_tokens)
                .where(enrolment_tokens.c.token_hash == hashed)
                .values(used_at=now, device_id=device_id)
            )
            known = conn.execute(
                select(devices.c.public_key).where(devices.c.device_id == device_id).with_for_update()
            ).one_or_none()
            if known is None:
                conn.execute(
                    devices.insert().values(device_id=device_id, name=name, public_key=key_text, enrolled_at=now)
                )
            elif known.public_key == key_text:
                conn.execute(update(devices).where(devices.c.device_id == device_id).values(name=name))
            else:  # two keys with one id: a broken client, never a real Ed25519 key pair
                raise HubError(409, "device_conflict", "This device id is enrolled with another key.")
        return True

    def device_public_key(self, device_id: str) -> bytes | None:
        with self.read() as conn:
            text = conn.execute(
                select(devices.c.public_key).where(devices.c.device_id == device_id)
            ).scalar_one_or_none()
        return None if text is None else base64.b64decode(text)

    def add_user(self, name: str, hashed: str, now: str) -> None:
        try:
            with self.write() as conn:
                conn.execute(users.insert().values(name=name, token_hash=hashed, created_at=now))
        except IntegrityError:
            raise HubError(409, "user_exists", f"A programme-team user named {name!r} exists already.") from None

    def user_for(self, hashed: str) -> str | None:
        """The name of the programme-team user whose token hashes to `hashed`."""
        with self.read() as conn:
            row = conn.execute(select(users.c.name, users.c.token_hash).where(users.c.token_hash == hashed)).first()
        # The lookup is by the token's SHA-256, which tells a guesser nothing; the comparison is still
        # constant-time so that no path compares a secret byte by byte.
        return row.name if row is not None and same_hash(row.token_hash, hashed) else None

    # -- dashboard sessions ----------------------------------------------------------------------

    def add_session(self, session_hash: str, user: str, now: str, expires_at: str) -> None:
        """A session for the user named `user`; sessions that have ended are removed on the way."""
        with self.write() as conn:
            conn.execute(delete(dashboard_sessions).where(dashboard_sessions.c.expires_at <= now))
            user_id = conn.execute(select(users.c.user_id).where(users.c.name == user)).scalar_one()
            conn.execute(
                dashboard_sessions.insert().values(
                    session_hash=session_hash, user_id=user_id, created_at=now, expires_at=expires_at
                )
            )

    def session_user(self, session_hash: str, now: str) -> str | None:
        """The name of the user of a session that has not ended, or None."""
        with self.read() as conn:
            row = conn.execute(
                select(dashboard_sessions.c.session_hash, users.c.name)
                .join(users, users.c.user_id == dashboard_sessions.c.user_id)
                .where(dashboard_sessions.c.session_hash == session_hash, dashboard_sessions.c.expires_at > now)
            ).first()
        return row.name if row is not None and same_hash(row.session_hash, session_hash) else None

    def end_session(self, session_hash: str) -> None:
        with self.write() as conn:
            conn.execute(delete(dashboard_sessions).where(dashboard_sessions.c.session_hash == session_hash))

    # -- bundles ---------------------------------------------------------------------------------

    def log_attempt(self, attempt: Attempt) -> None:
        with self.write() as conn:
            conn.execute(ingest_log.insert().values(**_attempt_row(attempt)))

    def accept(self, bundle: Bundle, receipt: str, attempt: Attempt) -> Decision:
        """Keep `bundle` as its device's current revision for its month, unless it is a duplicate or
        not above the stored revision. An accepted bundle, its merged totals and its log line are one
        transaction; a refused one writes nothing here (the caller logs it)."""
        for attempt_no in range(1, _ATTEMPTS + 1):
            try:
                with self.engine.connect() as conn:
                    conn.execution_options(hub_write=True)
                    transaction = conn.begin()
                    try:
                        decision = self._accept(conn, bundle, receipt, attempt)
                    except BaseException:
                        transaction.rollback()
                        raise
                    if decision.outcome == ACCEPTED:
                        transaction.commit()
                    else:
                        transaction.rollback()
                    return decision
            except DBAPIError as exc:
                if _sqlstate(exc) in _RETRY_SQLSTATES and attempt_no < _ATTEMPTS:
                    log.info("ingest retried after %s", _sqlstate(exc))
                    continue
                log.warning("ingest failed in the store: %s", type(exc.orig).__name__)
                raise StoreUnavailable() from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _accept(self, conn: Connection, bundle: Bundle, receipt: str, attempt: Attempt) -> Decision:
        key = and_(current_bundles.c.device_id == bundle.device_id, current_bundles.c.period == bundle.period)
        # Make sure the (device, month) row exists, then lock it: every later step for this device and
        # month waits here, so two deliveries of one month can never both win.
        conn.execute(
            self._insert(current_bundles)
            .values(device_id=bundle.device_id, period=bundle.period, revision=0, bundle_pk=None)
            .on_conflict_do_nothing(index_elements=["device_id", "period"])
        )
        current = conn.execute(
            select(current_bundles.c.revision, current_bundles.c.bundle_pk).where(key).with_for_update()
        ).one()
        stored = conn.execute(
            select(bundles.c.receipt).where(
                bundles.c.device_id == bundle.device_id,
                bundles.c.period == bundle.period,
                bundles.c.revision == bundle.revision,
            )
        ).scalar_one_or_none()
        if stored is not None:
            return Decision(DUPLICATE if same_hash(stored, receipt) else STALE, current.revision)
        if bundle.revision <= current.revision:
            return Decision(STALE, current.revision)

        old_cells: list[dict[str, Any]] = []
        if current.bundle_pk is not None:
            old_document = conn.execute(
                select(bundles.c.document).where(bundles.c.bundle_pk == current.bundle_pk)
            ).scalar_one()
            old_cells = json.loads(old_document)["cells"]
        new_pk = conn.execute(
            bundles.insert().values(
                device_id=bundle.device_id,
                period=bundle.period,
                revision=bundle.revision,
                receipt=receipt,
                bundle_id=bundle.bundle_id,
                programme=bundle.programme,
                catalogue_version=bundle.catalogue_version,
                source_suppression=bundle.source_suppression,
                generated_at=bundle.generated_at,
                received_at=attempt.at,
                document=canonical_json(bundle.document).decode("utf-8"),
            )
        ).inserted_primary_key[0]
        new_cells = [{"practice": c.practice, "measure": c.measure, "value": c.value} for c in bundle.cells]
        self._apply_deltas(conn, bundle.period, old_cells, new_cells)
        conn.execute(update(current_bundles).where(key).values(revision=bundle.revision, bundle_pk=new_pk))
        conn.execute(ingest_log.insert().values(**_attempt_row(attempt)))
        return Decision(ACCEPTED, bundle.revision)

    def _apply_deltas(
        self, conn: Connection, period: str, old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]
    ) -> None:
        """Replace one device's old cells for `period` by its new ones in the merged totals: one row
        per practice the two revisions report, locked in practice order (every ingest locks merged
        rows in the same order, which keeps PostgreSQL free of deadlocks), read, changed, written."""
        deltas: dict[str, dict[str, list[int]]] = {}  # practice -> measure -> [total, unknown, cells]
        reporting: dict[str, int] = {}
        for sign, cells in ((-1, old), (1, new)):
            for practice in {cell["practice"] for cell in cells}:
                reporting[practice] = reporting.get(practice, 0) + sign
            for cell in cells:
                delta = deltas.setdefault(cell["practice"], {}).setdefault(cell["measure"], [0, 0, 0])
                value = cell["value"]
                if value is None:
                    delta[1] += sign
                else:
                    delta[0] += sign * value
                delta[2] += sign
        practices = sorted(deltas)
        if not practices:
            return
        locked: dict[str, tuple[int, str]] = {}
        pending = practices
        while pending:
            conn.execute(
                self._insert(merged).on_conflict_do_nothing(index_elements=["period", "practice"]),
                [{"period": period, "practice": p, "devices": 0, "figures": "{}"} for p in pending],
            )
            for practice, devices_before, figures_text in conn.execute(
                select(merged.c.practice, merged.c.devices, merged.c.figures)
                .where(merged.c.period == period, merged.c.practice.in_(pending))
                .order_by(merged.c.practice)
                .with_for_update()
            ):
                locked[practice] = (devices_before, figures_text)
            # PostgreSQL: a row another ingest deleted (its last device left the practice) between our
            # insert and our lock is skipped by FOR UPDATE; its delta would be lost. Insert it again.
            pending = [p for p in pending if p not in locked]
        for practice in practices:
            devices_before, figures_text = locked[practice]
            figures: dict[str, list[int]] = json.loads(figures_text)
            for measure, delta in deltas[practice].items():
                figure = [a + b for a, b in zip(figures.get(measure, (0, 0, 0)), delta, strict=True)]
                if figure[2]:
                    figures[measure] = figure
                else:
                    figures.pop(measure, None)  # no device's current bundle has this cell any more
            devices_now = devices_before + reporting[practice]
            where = and_(merged.c.period == period, merged.c.practice == practice)
            if devices_now == 0 and not figures:
                conn.execute(delete(merged).where(where))
            else:
                text = json.dumps(figures, sort_keys=True, separators=(",", ":"))
                conn.execute(update(merged).where(where).values(devices=devices_now, figures=text))

    # -- the merged totals -----------------------------------------------------------------------

    def reported(self) -> tuple[tuple[str, str], list[str]] | None:
        """The first and last month any device reports and every practice code reported (sorted), in
        one query; None before the first bundle."""
        with self.read() as conn:
            rows = conn.execute(
                select(merged.c.practice, func.min(merged.c.period), func.max(merged.c.period))
                .where(merged.c.devices > 0)
                .group_by(merged.c.practice)
                .order_by(merged.c.practice)
            ).all()
        if not rows:
            return None
        return (min(first for _, first, _ in rows), max(last for _, _, last in rows)), [code for code, _, _ in rows]

    def merged(self, period_from: str, period_to: str) -> list[MergedRow]:
        """The merged totals of the months from `period_from` to `period_to` (inclusive), sorted by
        period and practice."""
        stmt = (
            select(merged.c.period, merged.c.practice, merged.c.devices, merged.c.figures)
            .where(merged.c.period >= period_from, merged.c.period <= period_to, merged.c.devices > 0)
            .order_by(merged.c.period, merged.c.practice)
        )
        try:
            with self.read() as conn:
                rows = conn.execute(stmt).all()
        except DBAPIError:
            raise StoreUnavailable() from None
        return [MergedRow(period, practice, devices, json.loads(text)) for period, practice, devices, text in rows]


def _attempt_row(attempt: Attempt) -> dict[str, Any]:
    return {
        "at": attempt.at,
        "source": attempt.source,
        "outcome": attempt.outcome,
        "status": attempt.status,
        "error": attempt.error,
        "device_id": attempt.device_id,
        "period": attempt.period,
        "revision": attempt.revision,
        "receipt": attempt.receipt,
    }


def _first_line(error: object) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _sqlite_engine(url: URL) -> Engine:
    path = Path(url.database or "")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        # Created private before SQLite opens it (its -wal and -shm files copy these permissions):
        # nothing at the hub is about a person, but the token hashes are nobody else's business.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": _SQLITE_BUSY_MS / 1000})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy's documented recipe: let the hub issue BEGIN itself (below), so that a write
        # transaction takes SQLite's write lock at its start instead of failing to upgrade later.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode = WAL",  # readers (the summary) never wait for the writer
            "PRAGMA synchronous = FULL",  # a receipt promises the bundle is on disk
            "PRAGMA foreign_keys = ON",
            f"PRAGMA busy_timeout = {_SQLITE_BUSY_MS}",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("hub_write") else "BEGIN")

    return engine
