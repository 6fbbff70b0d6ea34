"""Monthly measures benchmark on a generated caseload (default 10,000 participants).

Prints medians in milliseconds of:
  - every month of the caseload at once (count_measures_by_month), the way sync asks;
  - the same months one call each (count_measures in a loop), for comparison;
  - one month (count_measures);
and, measured in this run on the same data, the same calls on a copy of the database without
encryption opened with the same SQLite build (sqlcipher3, no key), so the ratio is the cost of
encryption; stdlib sqlite3 on that copy is shown for reference (SQLCipher's memory security,
which turns every allocation into system calls, is process-wide and off only there).
Targets (issue 5): every month of a 10,000-participant vault < 1 s; one month < 100 ms.

Each timing is the median of --repeat runs after one unmeasured run: by then the connection's
statement cache holds the measure statements, as it holds the app's own in a real session.

    python benchmarks/measures.py [--participants N] [--seed S]
    python benchmarks/measures.py --vault DIR    # reuse DIR (COACHDESK_PASSPHRASE), or build it there
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2

from coachdesk.domain.months import months_between
from coachdesk.resources import default_policy_text
from coachdesk.services import demo_vault
from coachdesk.storage import participants, schema
from coachdesk.storage.keyslots import tune_argon2
from coachdesk.storage.measures import activity_span, count_measures, count_measures_by_month
from coachdesk.storage.vault import Vault

PASSPHRASE = "benchmark passphrase, not a secret"


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # unmeasured: compiles and caches the statements
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def missing_measure_indexes(conn: Any) -> list[str]:
    """The indexes of schema v2's measure indexes that the vault lacks or has with another definition
    (a vault built while the unreleased migration was different)."""
    wanted = {
        m.group(1): " ".join(m.group(0).split())
        for m in re.finditer(r"CREATE INDEX (\w+) ON [^;]+", schema._V2_MEASURE_INDEXES)
    }
    have = {name: " ".join(sql.split()) for name, sql in conn.execute("SELECT name, sql FROM sqlite_master") if sql}
    return sorted(name for name, sql in wanted.items() if have.get(name) != sql)


def caseload_arguments(doc: str | None) -> argparse.ArgumentParser:
    """The options of a benchmark on a generated caseload (or a vault kept from an earlier run)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(), help="the demo caseload's today")
    parser.add_argument("--vault", type=Path, help="reuse this vault (COACHDESK_PASSPHRASE), or build it here")
    parser.add_argument("--repeat", type=int, default=5)
    return parser


def open_or_build(args: argparse.Namespace) -> tuple[Vault, Path]:
    """The vault to measure and a scratch folder for the plain copy."""
    scratch = Path(tempfile.mkdtemp(prefix="coachdesk-bench-"))
    folder = args.vault or scratch / "vault"
    passphrase = os.environ.get("COACHDESK_PASSPHRASE", PASSPHRASE)
    if Vault.exists(folder):
        vault = Vault.open(folder)
        vault.unlock_with_passphrase(passphrase)
        print(f"  reusing the vault in {folder}")
        return vault, scratch
    start = time.perf_counter()
    vault, _ = Vault.create(folder, passphrase, default_policy_text(), kdf=tune_argon2())
    demo_vault.fill(vault, args.participants, args.seed, args.today)
    vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"  generate + write demo caseload in {folder}: {time.perf_counter() - start:.1f} s")
    return vault, scratch


def main() -> int:
    args = caseload_arguments(__doc__).parse_args()
    print(
        f"CoachDesk measures benchmark, SQLCipher "
        f"{dbapi2.connect(':memory:').execute('PRAGMA cipher_version').fetchone()[0]}"
    )
    vault, scratch = open_or_build(args)
    try:
        return measure(vault, scratch, args.repeat)
    finally:
        vault.close()
        shutil.rmtree(scratch)  # the unencrypted copy, and the vault unless --vault kept it elsewhere


def measure(vault: Vault, scratch: Path, repeat: int) -> int:
    missing = missing_measure_indexes(vault.conn)
    if missing:
        print(f"  this vault lacks the measure indexes of schema v2 as they are now: {', '.join(missing)}")
        print("  (it was built by an earlier build of the unreleased migration): build a new one")
        return 1

    span = activity_span(vault.conn)
    if span is None:
        print("  the vault has nobody in it")
        return 1
    periods = months_between(*span)
    one = periods[-2] if len(periods) > 1 else periods[0]  # the last whole month: the one sync sends
    rates = list(vault.policy.living_wage)
    print(
        f"  {participants.count(vault.conn):,} participants; {len(periods)} months {span[0]} to {span[1]};"
        f" one month = {one}"
    )

    plain_path = scratch / "plain.db"
    vault.conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain_path),))
    vault.conn.execute("SELECT sqlcipher_export('plain')")
    vault.conn.execute("DETACH DATABASE plain")
    plain = dbapi2.connect(str(plain_path), isolation_level=None)
    stdlib = sqlite3.connect(str(plain_path), isolation_level=None)
    for conn in (plain, stdlib):
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -32000")  # as the vault's connection (storage/database.py)

    # The same answers everywhere before anything is timed.
    expected = count_measures_by_month(vault.conn, periods, rates)
    assert count_measures_by_month(plain, periods, rates) == expected
    assert count_measures_by_month(stdlib, periods, rates) == expected

    all_label = f"all {len(periods)} months, count_measures_by_month"
    loop_label = f"all {len(periods)} months, count_measures each"
    one_label = f"one month ({one}), count_measures"
    workloads: dict[str, Callable[[Any], object]] = {
        all_label: lambda conn: count_measures_by_month(conn, periods, rates),
        loop_label: lambda conn: [count_measures(conn, period, rates) for period in periods],
        one_label: lambda conn: count_measures(conn, one, rates),
        "activity_span": activity_span,
    }
    connections: dict[str, Any] = {"SQLCipher": vault.conn, "plain": plain, "stdlib": stdlib}
    results = {
        name: {label: median_ms(lambda fn=fn, conn=conn: fn(conn), repeat) for label, fn in workloads.items()}
        for name, conn in connections.items()
    }
    print(f"  {'measures (median ms)':44} {'SQLCipher':>10} {'plain':>10} {'ratio':>7} {'stdlib':>10}")
    for label in workloads:
        e, p, s = (results[name][label] for name in connections)
        print(f"  {label:44} {e:10.1f} {p:10.1f} {e / p:7.2f} {s:10.1f}")
    encrypted = results["SQLCipher"]
    print(
        f"  every month at once {encrypted[all_label]:.0f} ms (target < 1000), one call a month"
        f" {encrypted[loop_label]:.0f} ms ({encrypted[loop_label] / encrypted[all_label]:.1f}x),"
        f" one month {encrypted[one_label]:.0f} ms (target < 100)"
    )
    plain.close()
    stdlib.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
