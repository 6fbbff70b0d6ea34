"""Hub benchmark: ingest throughput (bundles per second) on SQLite and PostgreSQL, and the summary
for 100 devices x 36 months (target, issue 6: < 200 ms).

The programme's shape: 100 coaches' laptops, 20 practices, each laptop reporting the 5 practices
its coach sits in, every month for 36 months: 3,600 bundles of 380 cells. Timed separately:
- ingest through `coachdesk.hub.ingest.ingest` (every check of the HTTP path, one caller);
- ingest over HTTP to a real uvicorn on 127.0.0.1 (revision 2 of a sample, 4 client threads);
- the summary (merge + disclosure control) of all 36 months, median of 7 after one warm-up, and
  the same rendered as the API's JSON body.

    python benchmarks/hub.py [--devices 100] [--months 36] [--postgres URL] [--http-sample 400]

PostgreSQL: a server URL (default $COACHDESK_TEST_POSTGRES, which .ci/run sets); the benchmark
creates a database of its own there and drops it afterwards. Without one, SQLite only.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from coachdesk.domain import bundle as fmt
from coachdesk.domain.measures import CATALOGUE
from coachdesk.hub import enrolment
from coachdesk.hub.app import create_app
from coachdesk.hub.config import HubConfig
from coachdesk.hub.disclosure import NHS
from coachdesk.hub.ingest import ingest
from coachdesk.hub.reports import render_json
from coachdesk.hub.store import Store
from coachdesk.hub.summary import summarise

PROGRAMME = "benchmark-programme"
PRACTICES = [f"P{n:02d}" for n in range(1, 21)]
PER_DEVICE = 5
MEASURES = sorted(CATALOGUE)


def months(count: int) -> list[str]:
    return [f"{2013 + i // 12}-{i % 12 + 1:02d}" for i in range(count)]


def keys(devices: int) -> list[Ed25519PrivateKey]:
    return [
        Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"bench-{n}".encode()).digest()) for n in range(devices)
    ]


def bundle(key: Ed25519PrivateKey, practices: list[str], period: str, revision: int, rng: random.Random) -> bytes:
    cells = [
        {"practice": p, "measure": m, "value": rng.choice((0, 0, 0, 1, 2, 3, 5, 8, 13, 21))}
        for p in sorted(practices)
        for m in MEASURES
    ]
    document = {
        "format": fmt.FORMAT,
        "bundle_id": str(uuid.UUID(int=rng.getrandbits(128))),
        "device_id": fmt.device_id_for(fmt.public_key_bytes(key)),
        "programme": PROGRAMME,
        "period": period,
        "revision": revision,
        "generated_at": "2016-01-01T09:00:00Z",
        "software": "coachdesk 0.1.0",
        "source_suppression": 0,
        "cells": cells,
    }
    return fmt.canonical_json(fmt.sign(document, key))


def build(devices: int, month_count: int, revision: int) -> list[bytes]:
    rng = random.Random(revision)
    result = []
    for n, key in enumerate(keys(devices)):
        practices = [PRACTICES[(n + i) % len(PRACTICES)] for i in range(PER_DEVICE)]
        result.extend(bundle(key, practices, period, revision, rng) for period in months(month_count))
    return result


def enrol_all(store: Store, devices: int) -> None:
    for key in keys(devices):
        token = enrolment.issue_token(store, 1)
        public = fmt.public_key_text(fmt.public_key_bytes(key))
        enrolment.enrol(store, json.dumps({"token": token, "device_name": "bench", "public_key": public}).encode())


def median_ms(fn: Callable[[], object], repeat: int = 7) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


@contextmanager
def serve(app: object) -> Iterator[int]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def post_all(port: int, bodies: list[bytes], threads: int) -> float:
    """Seconds to POST every body, spread over `threads` keep-alive connections."""
    chunks = [bodies[i::threads] for i in range(threads)]
    failures: list[int] = []

    def worker(chunk: list[bytes]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for body in chunk:
            conn.request("POST", "/api/v1/bundles", body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                failures.append(response.status)
        conn.close()

    workers = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"{len(failures)} bundles were refused over HTTP: {sorted(set(failures))}")
    return elapsed


def run(engine_name: str, url: URL, args: argparse.Namespace, first: list[bytes], second: list[bytes]) -> None:
    config = HubConfig(programme=PROGRAMME, practices=frozenset(PRACTICES))
    store = Store.open(url)
    try:
        enrol_all(store, args.devices)
        start = time.perf_counter()
        for body in first:
            outcome = ingest(store, body, config, source="file")
            if outcome.status != 201:
                raise SystemExit(f"bundle refused: {outcome.status} {outcome.detail}")
        elapsed = time.perf_counter() - start
        print(
            f"{engine_name}: ingest (direct, 1 caller): {len(first)} bundles in {elapsed:.1f} s = "
            f"{len(first) / elapsed:.0f} bundles/s"
        )

        sample = second[: args.http_sample]
        with serve(create_app(store, config)) as port:
            elapsed = post_all(port, sample, threads=4)
            print(
                f"{engine_name}: ingest (HTTP, 4 clients, new revisions): {len(sample)} bundles in {elapsed:.1f} s = "
                f"{len(sample) / elapsed:.0f} bundles/s"
            )

        period_from, period_to = months(args.months)[0], months(args.months)[-1]
        result = summarise(store, period_from, period_to, rule=NHS)
        median, worst = median_ms(lambda: summarise(store, period_from, period_to, rule=NHS))
        print(
            f"{engine_name}: summary of {args.devices} devices x {args.months} months "
            f"({len(result.rows)} rows, nhs): median {median:.0f} ms, worst {worst:.0f} ms (target < 200 ms)"
        )
        median, worst = median_ms(lambda: render_json(summarise(store, period_from, period_to, rule=NHS)))
        print(f"{engine_name}: summary as the API's JSON body: median {median:.0f} ms, worst {worst:.0f} ms")
    finally:
        store.close()


@contextmanager
def postgres_database(server: str) -> Iterator[URL]:
    admin_url = make_url(server).set(drivername="postgresql+psycopg")
    name = f"hubbench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # our own name, not input
    try:
        yield admin_url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--http-sample", type=int, default=400)
    parser.add_argument("--postgres", default=os.environ.get("COACHDESK_TEST_POSTGRES"))
    args = parser.parse_args()

    start = time.perf_counter()
    first = build(args.devices, args.months, 1)
    second = build(args.devices, args.months, 2)
    size = sum(map(len, first)) / len(first)
    print(
        f"shape: {args.devices} devices x {args.months} months, {PER_DEVICE} of {len(PRACTICES)} practices each: "
        f"{len(first)} bundles of {PER_DEVICE * len(MEASURES)} cells, {size / 1024:.0f} KiB each "
        f"(built and signed in {time.perf_counter() - start:.1f} s)"
    )

    with tempfile.TemporaryDirectory() as folder:
        run("sqlite", URL.create("sqlite", database=str(Path(folder) / "hub.sqlite3")), args, first, second)
    if args.postgres:
        with postgres_database(args.postgres) as url:
            run("postgresql", url, args, first, second)
    else:
        print("postgresql: skipped (no --postgres URL and no COACHDESK_TEST_POSTGRES)")


if __name__ == "__main__":
    main()
