"""Test helpers for the hub: devices with Ed25519 keys that sign real bundles (through
coachdesk.domain.bundle, as the laptops do), a real uvicorn on 127.0.0.1 in a thread, a small HTTP
client, fresh PostgreSQL databases, and snapshots of the store.

Importable from every test folder (pytest's `pythonpath` includes tests/support); the dashboard's
browser test can start a hub with `serve_in_thread` too."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import random
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, create_engine, delete, select, text
from sqlalchemy.engine import URL, make_url

from coachdesk.domain import bundle as fmt
from coachdesk.domain.measures import CATALOGUE
from coachdesk.hub import enrolment
from coachdesk.hub.config import HubConfig
from coachdesk.hub.ingest import FILE, ingest
from coachdesk.hub.store import Store
from coachdesk.hub.tables import DATA_TABLES, current_bundles, ingest_log, metadata

PROGRAMME = "test-programme"
POSTGRES_ENV = "COACHDESK_TEST_POSTGRES"

Counts = Mapping[str, Mapping[str, int | None]]  # practice -> measure -> value (others 0)


# -- devices and bundles ---------------------------------------------------------------------------


@dataclass
class Device:
    """A laptop as the hub sees it: a key, the id derived from it, and the bundles it signs."""

    seed: str
    key: Ed25519PrivateKey = field(init=False)

    def __post_init__(self) -> None:
        self.key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(self.seed.encode()).digest())

    @property
    def public_key(self) -> bytes:
        return fmt.public_key_bytes(self.key)

    @property
    def public_key_text(self) -> str:
        return fmt.public_key_text(self.public_key)

    @property
    def device_id(self) -> str:
        return fmt.device_id_for(self.public_key)

    def bundle(
        self,
        period: str,
        revision: int = 1,
        counts: Counts | None = None,
        *,
        programme: str = PROGRAMME,
        source_suppression: int = 0,
        **changes: Any,
    ) -> dict[str, Any]:
        """A signed bundle: every catalogue measure for each practice of `counts` (0 unless given;
        None is a source-suppressed cell). `changes` replace top-level keys before signing."""
        return make_bundle(
            self.key,
            period,
            revision,
            counts if counts is not None else {"P01": {}},
            programme=programme,
            source_suppression=source_suppression,
            **changes,
        )

    def enrol_directly(self, store: Store, name: str = "test laptop") -> str:
        """Enrol without HTTP (fast set-up for tests about something else)."""
        token = enrolment.issue_token(store, 1)
        body = {"token": token, "device_name": name, "public_key": self.public_key_text}
        return enrolment.enrol(store, json.dumps(body).encode())


def full_cells(counts: Counts) -> list[dict[str, Any]]:
    """Bundle cells for `counts`: every measure of the catalogue per practice, sorted."""
    return [
        {"practice": practice, "measure": measure, "value": counts[practice].get(measure, 0)}
        for practice in sorted(counts)
        for measure in sorted(CATALOGUE)
    ]


def make_bundle(
    key: Ed25519PrivateKey,
    period: str,
    revision: int,
    counts: Counts,
    *,
    programme: str = PROGRAMME,
    source_suppression: int = 0,
    **changes: Any,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": fmt.FORMAT,
        "bundle_id": str(uuid.uuid4()),
        "device_id": fmt.device_id_for(fmt.public_key_bytes(key)),
        "programme": programme,
        "period": period,
        "revision": revision,
        "generated_at": "2016-01-01T09:00:00Z",
        "software": "coachdesk 0.1.0",
        "source_suppression": source_suppression,
        "cells": full_cells(counts),
    }
    document.update(changes)
    return fmt.sign(document, key)


def body_of(document: Mapping[str, Any]) -> bytes:
    return fmt.canonical_json(document)


# -- HTTP ------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    set_cookies: list[str] = field(default_factory=list)  # every Set-Cookie header, in order

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def is_error_shape(self) -> bool:
        try:
            data = self.json
        except ValueError:
            return False
        return (
            isinstance(data, dict)
            and set(data) == {"error", "detail"}
            and all(isinstance(v, str) and v for v in data.values())
        )


@dataclass
class Client:
    base: str  # http://127.0.0.1:PORT
    token: str | None = None  # a programme-team token for the summary

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> Reply:
        host, port = self.base.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        all_headers = dict(headers or {})
        if body is not None:
            all_headers.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            headers = {k.lower(): v for k, v in response.getheaders()}
            return Reply(response.status, headers, response.read(), response.msg.get_all("set-cookie") or [])
        finally:
            conn.close()

    def post(self, path: str, document: Any) -> Reply:
        data = document if isinstance(document, bytes) else body_of(document)
        return self.request("POST", path, data)

    def send(self, document: Mapping[str, Any]) -> Reply:
        return self.post("/api/v1/bundles", document)

    def summary(self, query: str, *, csv: bool = False, token: str | None = None) -> Reply:
        use = token if token is not None else self.token
        headers = {"Authorization": f"Bearer {use}"} if use else {}
        return self.request("GET", f"/api/v1/summary{'.csv' if csv else ''}?{query}", headers=headers)


@contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """A real uvicorn serving `app` on 127.0.0.1 (a free port), in a thread; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="hub-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the hub under test did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


# -- databases -------------------------------------------------------------------------------------


def postgres_url() -> str | None:
    """The PostgreSQL server the tests may create databases on (`.ci/run` sets it)."""
    return os.environ.get(POSTGRES_ENV) or None


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[URL]:
    """A new, empty database on that server, dropped afterwards."""
    admin_url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"hubtest_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))  # a name of our own making, not input
        yield admin_url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def wipe(engine: Engine) -> None:
    """Empty every table but the schema's own record (between tests sharing one database)."""
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name != "hub_schema_versions":
                conn.execute(delete(table))


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every data table (the ingest log aside), in a stable order."""
    with engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr) for table in DATA_TABLES
        }


def log_outcomes(engine: Engine) -> list[tuple[str, int, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(ingest_log.c.outcome, ingest_log.c.status, ingest_log.c.error).order_by(ingest_log.c.entry_pk)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def recomputed_totals(engine: Engine) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    """The merged totals worked out afresh from each device's current bundle document, to check the
    ones the store keeps up to date as bundles arrive."""
    from coachdesk.hub.tables import bundles

    totals: dict[tuple[str, str, str], list[int]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(bundles.c.period, bundles.c.document).join(
                current_bundles, current_bundles.c.bundle_pk == bundles.c.bundle_pk
            )
        )
        for period, document in rows:
            for cell in json.loads(document)["cells"]:
                t = totals.setdefault((period, cell["practice"], cell["measure"]), [0, 0, 0])
                if cell["value"] is None:
                    t[1] += 1
                else:
                    t[0] += cell["value"]
                t[2] += 1
    return {key: (t[0], t[1], t[2]) for key, t in totals.items()}


def stored_totals(engine: Engine) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    """The merged totals the store kept up to date, in the shape of `recomputed_totals`; checks on the
    way that each practice's device count is the number of current bundles reporting it."""
    from coachdesk.hub.tables import bundles, merged

    reporters: dict[tuple[str, str], int] = {}
    totals: dict[tuple[str, str, str], tuple[int, int, int]] = {}
    with engine.connect() as conn:
        documents = conn.execute(
            select(bundles.c.period, bundles.c.document).join(
                current_bundles, current_bundles.c.bundle_pk == bundles.c.bundle_pk
            )
        )
        for period, document in documents:
            for practice in {cell["practice"] for cell in json.loads(document)["cells"]}:
                reporters[(period, practice)] = reporters.get((period, practice), 0) + 1
        stored = {}
        for period, practice, devices, figures in conn.execute(select(merged)):
            stored[(period, practice)] = devices
            for measure, (total, unknown, cells) in json.loads(figures).items():
                totals[(period, practice, measure)] = (total, unknown, cells)
    assert stored == reporters, "device counts per practice drifted from the current bundles"
    return totals


# -- a programme's worth of figures, for the report and the dashboard ---------------------------


SAMPLE_PRACTICES = ("P01", "P02", "P03")
SAMPLE_NAMES = {
    "P01": "City Road Medical Centre",
    "P02": "Goodinge Group Practice",
    "P03": "River Place Group Practice",
}


def sample_counts(rng: random.Random, month_index: int) -> dict[str, int]:
    """One laptop's plausible month at one practice: enough to round, a few small figures to hide."""
    growth = min(month_index, 6)
    referrals = rng.randint(6, 14) + growth
    return {
        "referrals_received": referrals,
        "first_appointments": max(0, referrals - rng.randint(1, 4)),
        "sessions_attended": rng.randint(25, 45) + 3 * growth,
        "sessions_dna": rng.randint(3, 11),
        "active_caseload_end": 30 + 4 * month_index + rng.randint(0, 6),
        "job_starts": rng.randint(0, 5) + (month_index > 3),
        "sustained_13_weeks": rng.randint(0, 3) if month_index > 2 else 0,
        "sustained_26_weeks": rng.randint(0, 2) if month_index > 5 else 0,
        "employer_contacts": rng.randint(4, 20),
    }


def fill_sample(
    store: Store,
    periods: list[str],
    *,
    devices: int = 3,
    practices: tuple[str, ...] = SAMPLE_PRACTICES,
    seed: int = 6,
    unknown: tuple[str, str, str] | None = None,
) -> list[Device]:
    """Enrol `devices` laptops and send each one's bundle for every month of `periods`, every laptop
    reporting every practice; `unknown` = (period, practice, measure) is sent as null by the first
    laptop (source suppression). Straight into the store, through the same ingest as HTTP."""
    rng = random.Random(seed)
    config = HubConfig(programme=PROGRAMME)
    laptops = [Device(f"sample-{seed}-{n}") for n in range(devices)]
    for laptop in laptops:
        laptop.enrol_directly(store, f"coach laptop {laptop.device_id[:4]}")
    for n, laptop in enumerate(laptops):
        for i, period in enumerate(periods):
            counts: dict[str, dict[str, int | None]] = {p: dict(sample_counts(rng, i)) for p in practices}
            if unknown is not None and n == 0 and unknown[0] == period:
                counts[unknown[1]][unknown[2]] = None
            outcome = ingest(store, body_of(laptop.bundle(period, 1, counts)), config, source=FILE)
            assert outcome.status == 201, outcome.detail
    return laptops
