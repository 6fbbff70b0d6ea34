"""Storage benchmark on a generated caseload (default 10,000 participants).

Prints medians in milliseconds and, for the query workload, the ratio of the encrypted vault
to the same database without encryption, measured in this run on the same data:
  - "plain" is the same SQLite build (sqlcipher3) with no key, so the ratio is the cost of
    encryption alone; stdlib sqlite3 is shown too for reference.
Targets (issue 2): open after the KDF < 100 ms, search median < 20 ms, record load < 10 ms,
SQLCipher/plain <= 1.5, import of 10,000 participants < 60 s.

    python benchmarks/storage.py [--participants N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlcipher3 import dbapi2

from coachdesk.resources import default_policy_text
from coachdesk.services import caseload_file, demo_vault
from coachdesk.storage import database, participants, schema, search
from coachdesk.storage.keyslots import tune_argon2
from coachdesk.storage.vault import Vault

PASSPHRASE = "benchmark passphrase, not a secret"
QUERIES = [
    "smi",
    "ali",
    "moh",
    "ok",
    "pat",
    "jon",
    "nguy",
    "zoe",
    "luk",
    "dmi",
    "gio",
    "sio",
    "mar",
    "ahm",
    "kha",
    "o'b",
    "fer",
    "kow",
    "yil",
    "ade",
    "cv",
    "interview",
    "confidence",
    "retail",
    "volunteer",
    "bus",
    "childcare",
    "warehouse",
    "cafe",
    "care",
    "943",
    "94",
    "401",
    "7",
    "anx",
    "applic",
    "shift",
    "hours",
    "chr",
    "eli",
    "sam",
    "tom",
    "fat",
    "ibr",
    "emm",
    "dav",
    "sar",
    "lee",
    "wil",
    "bro",
]


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def workload(conn: object, ids: list[str]) -> dict[str, float]:
    rng = random.Random(5)
    sample = [rng.choice(ids) for _ in range(200)]
    it = iter(sample)
    queries = iter(QUERIES)
    return {
        "caseload list (all)": median_ms(lambda: participants.summaries(conn), 20),  # type: ignore[arg-type]
        "caseload list (one practice, open)": median_ms(
            lambda: participants.summaries(conn, practice="P03", open_only=True),
            20,  # type: ignore[arg-type]
        ),
        "record load": median_ms(lambda: participants.get(conn, next(it)), 200),  # type: ignore[arg-type]
        "search (50 queries)": median_ms(lambda: search.search_ids(conn, next(queries)), len(QUERIES)),  # type: ignore[arg-type]
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="coachdesk-bench-"))
    print(
        f"CoachDesk storage benchmark: {args.participants:,} participants, SQLCipher "
        f"{dbapi2.connect(':memory:').execute('PRAGMA cipher_version').fetchone()[0]}"
    )

    params = tune_argon2()
    start = time.perf_counter()
    vault, _ = Vault.create(work / "vault", PASSPHRASE, default_policy_text(), kdf=params)
    demo_vault.fill(vault, args.participants, args.seed, date.today())
    print(f"  generate + write demo caseload: {time.perf_counter() - start:.1f} s")
    ids = participants.all_ids(vault.conn)
    export = work / "caseload.json"
    caseload_file.export_file(vault, export)
    vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    key = bytes(vault.data_key)
    vault.close()

    # Unlock, in its two parts: the KDF, then opening the database with the raw key.
    vault = Vault.open(work / "vault")
    slot = vault.slots
    kdf_ms = median_ms(lambda: slot.open_with_passphrase(PASSPHRASE), 5)
    vault.close()

    def open_db() -> None:
        conn = database.connect(work / "vault" / "coachdesk.db", key)
        schema.migrate(conn)
        conn.close()

    open_ms = median_ms(open_db, 20)
    print(
        f"  unlock: Argon2id KDF ({params.memory_kib // 1024} MiB, {params.iterations} passes) "
        f"{kdf_ms:.0f} ms; database open after the KDF {open_ms:.1f} ms (target < 100)"
    )

    enc = database.connect(work / "vault" / "coachdesk.db", key)
    plain_path = work / "plain.db"
    enc.execute(f"ATTACH DATABASE '{plain_path}' AS plain KEY ''")
    enc.execute("SELECT sqlcipher_export('plain')")
    enc.execute("DETACH DATABASE plain")
    plain = dbapi2.connect(str(plain_path), isolation_level=None)
    stdlib = sqlite3.connect(str(plain_path), isolation_level=None)

    results = {"SQLCipher": workload(enc, ids), "plain": workload(plain, ids), "stdlib": workload(stdlib, ids)}
    print(f"  {'query (median ms)':36} {'SQLCipher':>10} {'plain':>10} {'ratio':>7} {'stdlib':>10}")
    for name in results["SQLCipher"]:
        e, p, s = (results[k][name] for k in ("SQLCipher", "plain", "stdlib"))
        print(f"  {name:36} {e:10.2f} {p:10.2f} {e / p:7.2f} {s:10.2f}")
    enc.close()
    plain.close()
    stdlib.close()

    target, _ = Vault.create(work / "imported", PASSPHRASE, default_policy_text(), kdf=params)
    start = time.perf_counter()
    result = caseload_file.import_file(target, export)
    elapsed = time.perf_counter() - start
    target.close()
    size = export.stat().st_size / 1e6
    print(f"  import of {result.total:,} participants ({size:.0f} MB caseload file): {elapsed:.1f} s (target < 60)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
