"""8 devices posting 50 bundle revisions each at once, every bundle sent by two threads of its
device: each is accepted exactly once (the other delivery is a duplicate), nothing is lost, and
the final summary equals the sums worked out here from each device's last revision."""

from __future__ import annotations

import random
import threading
from typing import Any

from conftest import RunningHub
from hubkit import Device, log_outcomes, recomputed_totals, stored_totals
from sqlalchemy import func, select

from coachdesk.hub.tables import bundles, current_bundles

DEVICES = 8
REVISIONS = 50
MONTHS = ("2015-09", "2015-10", "2015-11", "2015-12", "2016-01")
MEASURES = ("referrals_received", "sessions_attended", "sessions_dna", "job_starts")
LAYOUTS = (("P01",), ("P01", "P02"), ("P02", "P03"), ("P01", "P02", "P03"))


def plan(device: Device, seed: int) -> list[tuple[dict[str, Any], dict[str, dict[str, int | None]]]]:
    """50 bundles of one device, spread over five months; revisions rise within each month and the
    practices reported change now and then (a practice dropped must leave the sums)."""
    rng = random.Random(seed)
    result = []
    for i in range(REVISIONS):
        counts: dict[str, dict[str, int | None]] = {
            practice: {m: (None if rng.random() < 0.05 else rng.randrange(0, 40)) for m in MEASURES}
            for practice in rng.choice(LAYOUTS)
        }
        result.append((device.bundle(MONTHS[i % len(MONTHS)], i // len(MONTHS) + 1, counts), counts))
    return result


def test_eight_devices_fifty_revisions_each_at_once(hub: RunningHub) -> None:
    devices = [Device(f"laptop-{n}") for n in range(DEVICES)]
    for device in devices:
        device.enrol_directly(hub.store)
    plans = [plan(device, n) for n, device in enumerate(devices)]
    statuses: list[list[int]] = [[0] * REVISIONS for _ in devices]  # per bundle: 201s and 200s seen
    problems: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(DEVICES * 2)

    def sender(n: int) -> None:
        start.wait()
        for i, (document, _) in enumerate(plans[n]):
            reply = hub.client.send(document)
            with lock:
                if reply.status == 201:
                    statuses[n][i] += 1
                elif reply.status != 200:
                    problems.append(f"device {n} bundle {i}: {reply.status} {reply.body[:200]!r}")

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(DEVICES) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    assert problems == []
    assert statuses == [[1] * REVISIONS for _ in devices], "each bundle accepted exactly once"

    engine = hub.store.engine
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(bundles)).scalar_one() == DEVICES * REVISIONS
        assert conn.execute(select(func.count()).select_from(current_bundles)).scalar_one() == DEVICES * len(MONTHS)
    outcomes = log_outcomes(engine)
    assert sorted({o[0] for o in outcomes}) == ["accepted", "duplicate"]
    assert sum(o[0] == "accepted" for o in outcomes) == DEVICES * REVISIONS
    assert recomputed_totals(engine) == stored_totals(engine)

    # The expected summary: for each device and month its last revision, summed.
    expected: dict[tuple[str, str, str], int | None] = {}

    def add(key: tuple[str, str, str], value: int | None) -> None:
        if key in expected and (expected[key] is None or value is None):
            expected[key] = None
        else:
            expected[key] = (expected.get(key) or 0) + value if value is not None else None

    for device_plan in plans:
        last: dict[str, dict[str, dict[str, int | None]]] = {}
        for document, counts in device_plan:
            last[document["period"]] = counts
        for period, counts in last.items():
            for practice, values in counts.items():
                for measure in MEASURES:
                    add((period, practice, measure), values[measure])
    practices_of = {(p, pr) for p, pr, _ in expected}
    for period, practice in practices_of:
        for measure in MEASURES:
            add((period, "ALL", measure), expected[(period, practice, measure)])

    summary = hub.client.summary(f"from={MONTHS[0]}&to={MONTHS[-1]}&sdc=none").json
    shown = {(r["period"], r["practice"], r["measure"]): r["value"] for r in summary["rows"]}
    assert {key: shown[key] for key in expected} == expected
    assert all(value == 0 for key, value in shown.items() if key[2] not in MEASURES)
