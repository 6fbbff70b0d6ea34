"""The whole path, as the programme runs it: two coaches' demo vaults (`coachdesk demo`), a hub on
127.0.0.1 (a real uvicorn), an enrolment token each from `coachdesk-hub token`, `coachdesk enrol`
and `coachdesk sync` on each laptop, then `coachdesk-hub report --sdc none`. The hub's exact summary
must be, for every month, practice and measure, ALL included, the sum of what the two laptops
computed themselves (coachdesk.sync.measures.compute_months, the very counts their outbox signed).
On SQLite, and on PostgreSQL when COACHDESK_TEST_POSTGRES names a server (required in CI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hubkit import fresh_postgres_database, postgres_url, serve_in_thread
from sqlalchemy.engine import URL
from testkit import PASSPHRASE, ROOT, run_cli

from coachdesk.hub.app import create_app
from coachdesk.hub.config import HubConfig
from coachdesk.hub.store import Store
from coachdesk.hub.summary import ALL
from coachdesk.storage.vault import Vault
from coachdesk.sync import outbox
from coachdesk.sync.measures import compute_months

ENV = {"COACHDESK_PASSPHRASE": PASSPHRASE}
Figures = dict[tuple[str, str, str], int | None]


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    if request.param == "sqlite":
        yield URL.create("sqlite", database=str(tmp_path / "hub.sqlite3"))
        return
    server = postgres_url()
    if server is None:
        message = "COACHDESK_TEST_POSTGRES is not set (.ci/run sets it after starting PostgreSQL)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with fresh_postgres_database(server) as url:
        yield url


def hub_cli(db: URL, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "coachdesk.hub", *args, "--db", db.render_as_string(hide_password=False)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def device_figures(folder: Path) -> tuple[Figures, list[str]]:
    """What one laptop counted for every month it sent, by its own measures code; checks on the way
    that its outbox's signed bundles carry exactly those counts."""
    vault = Vault.open(folder)
    vault.unlock_with_passphrase(PASSPHRASE)
    try:
        sent = [m for m in outbox.months(vault) if m.state == "sent"]
        periods = sorted(m.period for m in sent)
        counted = compute_months(vault, periods)
        figures: Figures = {}
        for month in sent:
            cells = {(c.practice, c.measure): c.value for c in outbox.cells_of(month.bundle)}
            computed = {
                (practice, measure): value
                for practice, values in counted[month.period].items()
                for measure, value in values.items()
            }
            assert cells == computed, f"{folder.name} {month.period}: the bundle is not the laptop's own count"
            for (practice, measure), value in computed.items():
                figures[(month.period, practice, measure)] = value
        return figures, periods
    finally:
        vault.close()


def test_demo_enrol_sync_and_the_hub_sums_exactly(hub_db: URL, tmp_path: Path) -> None:
    store = Store.open(hub_db)
    try:
        with serve_in_thread(create_app(store, HubConfig())) as base:
            laptops = []
            for seed in (1, 2):
                folder = tmp_path / f"coach-{seed}"
                demo = run_cli("demo", "--participants", "40", "--seed", str(seed), "--vault", str(folder), env=ENV)
                assert demo.code == 0, demo.err
                token = hub_cli(hub_db, "token")
                assert token.returncode == 0, token.stderr
                enrol = run_cli(
                    "enrol", "--hub", base, "--token", token.stdout.strip(), "--vault", str(folder), env=ENV
                )
                assert enrol.code == 0, enrol.err
                sync = run_cli("sync", "--vault", str(folder), env=ENV)
                assert sync.code == 0, sync.out + sync.err
                assert "refused" not in sync.out and "accepted" in sync.out
                again = run_cli("sync", "--vault", str(folder), env=ENV)
                assert again.code == 0 and "Nothing to send" in again.out, again.out
                laptops.append(folder)
    finally:
        store.close()

    expected: Figures = {}
    every_period: set[str] = set()
    for folder in laptops:
        figures, periods = device_figures(folder)
        assert len(periods) >= 6, "the demo should span several months"
        every_period.update(periods)
        for (period, practice, measure), value in figures.items():
            for code in (practice, ALL):
                key = (period, code, measure)
                before = expected.get(key, 0)
                expected[key] = None if value is None or before is None else before + value

    first, last = min(every_period), max(every_period)
    report = hub_cli(hub_db, "report", "--from", first, "--to", last, "--format", "json", "--sdc", "none")
    assert report.returncode == 0, report.stderr
    summary = json.loads(report.stdout)
    assert (summary["sdc"], summary["publishable"]) == ("none", False)
    got = {(r["period"], r["practice"], r["measure"]): r["value"] for r in summary["rows"]}
    assert set(got) == set(expected)
    wrong = {key: (got[key], value) for key, value in expected.items() if got[key] != value}
    assert not wrong, f"{len(wrong)} figures differ, e.g. {sorted(wrong.items())[:5]}"
    # Both laptops' practices, and real sums: a figure of ALL is more than any one practice's.
    assert {p for _, p, _ in got} - {ALL} and any(
        v for (_, p, m), v in got.items() if p == ALL and m == "sessions_attended"
    )
