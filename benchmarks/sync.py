"""Sync benchmark on a generated caseload (default 10,000 participants): what a coach waits for
when the laptop builds its bundles.

Prints medians in milliseconds of:
  - one month's bundle built from nothing: counts, cells, canonical JSON, Ed25519 signature,
    stored in the outbox (the first sync of a month);
  - the same month again with nothing changed (counts and digest compared: nothing rebuilt);
  - every complete month's bundle built from nothing (the first sync of a laptop), and again with
    nothing changed (every later sync);
against the baseline measured in this run: the counts alone for the same months
(`sync.measures.compute_months`), so the ratio is what bundling adds on top of counting.
Targets (issue 5): every month < 1 s; the bundle for one month < 100 ms.

Building "from nothing" empties the vault's outbox before each run: use a benchmark vault, never
a coach's (the script refuses a vault enrolled with a hub).

    python benchmarks/sync.py [--participants N] [--seed S]
    python benchmarks/sync.py --vault DIR    # reuse DIR (COACHDESK_PASSPHRASE), or build it there
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from measures import caseload_arguments, open_or_build

from coachdesk.storage import participants
from coachdesk.sync import outbox
from coachdesk.sync.measures import compute_months
from coachdesk.sync.sending import enrolment, prepare


def timed(fn: Callable[[], object], before: Callable[[], object], repeat: int) -> float:
    """Median ms of fn(), each run after an unmeasured before()."""
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    args = caseload_arguments(__doc__).parse_args()
    print("CoachDesk sync benchmark")
    vault, scratch = open_or_build(args)
    if enrolment(vault) is not None:
        print("  this vault is enrolled with a hub: the benchmark empties outboxes, so it will not run on it")
        return 1
    now = datetime.now(UTC)
    periods = outbox.months_to_send(vault, args.today)
    if not periods:
        print("  the vault has no complete month to send")
        return 1
    one = periods[-1]
    print(f"  {participants.count(vault.conn):,} participants; {len(periods)} complete months; one month = {one}")

    def empty_outbox() -> None:
        with vault.transaction() as conn:  # a benchmark's own reset: a vault never loses its outbox
            conn.execute("DELETE FROM sync_months")

    nothing = lambda: None  # noqa: E731 - the "before" of runs that need no reset
    count_one = timed(lambda: compute_months(vault, [one]), nothing, args.repeat)
    count_all = timed(lambda: compute_months(vault, periods), nothing, args.repeat)
    build_one = timed(lambda: outbox.bundle_for(vault, one, now), empty_outbox, args.repeat)
    again_one = timed(lambda: outbox.bundle_for(vault, one, now), nothing, args.repeat)
    build_all = timed(lambda: outbox.refresh(vault, args.today, now), empty_outbox, args.repeat)
    again_all = timed(lambda: prepare(vault, args.today, include_failed=True, now=now), nothing, args.repeat)
    size = len(outbox.month_record(vault, one).bundle)

    print(f"  {'(median ms)':52} {'ms':>8} {'counts alone':>13} {'ratio':>6}")
    for label, value, base in (
        (f"one month's bundle, built and signed ({size:,} bytes)", build_one, count_one),
        ("one month again, nothing changed", again_one, count_one),
        (f"all {len(periods)} months' bundles, built and signed", build_all, count_all),
        (f"all {len(periods)} months again, nothing changed", again_all, count_all),
    ):
        print(f"  {label:52} {value:8.1f} {base:13.1f} {value / base:6.2f}")
    print(f"  one month {build_one:.0f} ms (target < 100); every month {build_all:.0f} ms (target < 1000)")
    empty_outbox()
    vault.close()
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
