"""`coachdesk-hub` as the programme's IT team runs it, as a subprocess, on both engines: token and
user add print the token alone; import gives the HTTP path's answers, one line per file; report
writes CSV or JSON; serve answers on the port it says."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from hubkit import PROGRAMME, Device, body_of
from sqlalchemy.engine import URL

from coachdesk.domain.bundle import receipt_of
from coachdesk.hub import access, enrolment
from coachdesk.hub.store import Store

ROOT = Path(__file__).resolve().parents[2]
ALICE = Device("alice")


@dataclass
class Run:
    code: int
    out: str
    err: str


def hub_cli(*args: str, db: URL | None = None) -> Run:
    command = [sys.executable, "-m", "coachdesk.hub", *args]
    if db is not None:
        command += ["--db", db.render_as_string(hide_password=False)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def test_token_prints_a_single_use_token_alone(store: Store, db_url: URL) -> None:
    run = hub_cli("token", "--expires-days", "3", db=db_url)
    assert run.code == 0, run.err
    token = run.out.strip()
    assert run.out == token + "\n" and re.fullmatch(r"[A-Za-z0-9_-]{40,}", token)
    request = json.dumps({"token": token, "device_name": "x", "public_key": ALICE.public_key_text}).encode()
    assert enrolment.enrol(store, request) == ALICE.device_id
    assert hub_cli("token", "--expires-days", "0", db=db_url).code == 2


def test_user_add_prints_the_token_alone_and_refuses_a_second_user_of_that_name(store: Store, db_url: URL) -> None:
    run = hub_cli("user", "add", "Programme Analyst", db=db_url)
    assert run.code == 0, run.err
    token = run.out.strip()
    assert run.out == token + "\n"
    assert access.user_for_token(store, token) == "Programme Analyst"
    again = hub_cli("user", "add", "Programme Analyst", db=db_url)
    assert again.code == 1 and again.out == ""
    assert again.err.startswith("coachdesk-hub: ") and "exists" in again.err and "Traceback" not in again.err


def test_import_answers_each_file_like_the_http_path(store: Store, db_url: URL, tmp_path: Path) -> None:
    ALICE.enrol_directly(store)
    first = ALICE.bundle("2015-11", 2, {"P01": {"job_starts": 4}})
    files = {
        "rev2.json": body_of(first),
        "rev2-again.json": body_of(first),
        "rev1-late.json": body_of(ALICE.bundle("2015-11", 1)),
        "broken.json": body_of(ALICE.bundle("2015-12"))[:-3],
        "stranger.json": body_of(Device("eve").bundle("2015-12")),
        "huge.json": b" " * (1024 * 1024 + 1),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    paths = [str(tmp_path / name) for name in files] + [str(tmp_path / "missing.json")]
    run = hub_cli("import", *paths, db=db_url)
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0] == f"{paths[0]}: accepted, receipt {receipt_of(first)}"
    assert lines[1] == f"{paths[1]}: duplicate, receipt {receipt_of(first)}"
    assert lines[2].startswith(f"{paths[2]}: rejected (409 stale_revision): revision:")
    assert lines[3].startswith(f"{paths[3]}: rejected (400 invalid_bundle):")
    assert lines[4].startswith(f"{paths[4]}: rejected (401 unknown_device):")
    assert lines[5].startswith(f"{paths[5]}: rejected (413 too_large):")
    assert lines[6].startswith(f"{paths[6]}: not read")
    assert len(lines) == 7

    only_good = hub_cli("import", paths[0], paths[1], db=db_url)
    assert only_good.code == 0 and "duplicate" in only_good.out


def test_import_checks_the_policy_files_programme_and_practices(store: Store, db_url: URL, tmp_path: Path) -> None:
    ALICE.enrol_directly(store)
    policy = tmp_path / "policy.toml"
    policy.write_text(f'programme = "{PROGRAMME}"\n[[practices]]\ncode = "P01"\nname = "City Road"\n')
    elsewhere = tmp_path / "p02.json"
    elsewhere.write_bytes(body_of(ALICE.bundle("2015-11", 1, {"P02": {}})))
    run = hub_cli("import", str(elsewhere), "--policy", str(policy), db=db_url)
    assert run.code == 1 and "cells[0].practice" in run.out
    other = hub_cli("import", str(elsewhere), "--programme", "another-programme", db=db_url)
    assert other.code == 1 and "programme:" in other.out
    anything = hub_cli("import", str(elsewhere), db=db_url)  # no programme or practices set: any
    assert anything.code == 0, anything.out


def test_report_writes_csv_or_json(store: Store, db_url: URL, tmp_path: Path) -> None:
    ALICE.enrol_directly(store)
    (tmp_path / "b.json").write_bytes(body_of(ALICE.bundle("2015-11", 1, {"P01": {"job_starts": 12}})))
    assert hub_cli("import", str(tmp_path / "b.json"), db=db_url).code == 0

    out = tmp_path / "report.json"
    run = hub_cli("report", "--from", "2015-10", "--to", "2015-11", "--format", "json", "--out", str(out), db=db_url)
    assert run.code == 0 and run.out == ""
    report = json.loads(out.read_text())
    assert (report["sdc"], report["publishable"]) == ("nhs", True)
    assert {(r["practice"], r["value"]) for r in report["rows"] if r["measure"] == "job_starts"} == {
        ("P01", 10),
        ("ALL", 10),
    }

    exact = hub_cli("report", "--from", "2015-11", "--to", "2015-11", "--sdc", "none", db=db_url)
    assert exact.code == 0 and "not for publication" in exact.err
    lines = exact.out.splitlines()
    assert lines[0] == "period,practice,measure,value"
    assert "2015-11,P01,job_starts,12" in lines and "2015-11,ALL,job_starts,12" in lines

    pdf = tmp_path / "report.pdf"
    run = hub_cli("report", "--from", "2015-11", "--to", "2015-11", "--format", "pdf", "--out", str(pdf), db=db_url)
    assert run.code == 0 and pdf.read_bytes().startswith(b"%PDF-")
    assert hub_cli("report", "--from", "2015-11", "--to", "2015-11", "--format", "docx", db=db_url).code == 2
    assert hub_cli("report", "--from", "2015-11", "--to", "2015-10", db=db_url).code == 2
    assert hub_cli("report", "--from", "2015-11", "--to", "2015-11", "--sdc", "threshold:x", db=db_url).code == 2


def test_serve_answers_on_the_port_it_announces(store: Store, db_url: URL) -> None:
    command = [sys.executable, "-m", "coachdesk.hub", "serve", "--port", "0"]
    command += ["--db", db_url.render_as_string(hide_password=False)]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines: list[str] = []

    def read_stderr() -> None:
        # A thread, because select() on a buffered pipe misses lines already in Python's buffer.
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)

    threading.Thread(target=read_stderr, daemon=True).start()
    try:
        port, deadline = None, time.monotonic() + 30
        while port is None and time.monotonic() < deadline:
            match = re.search(r"running on http://127\.0\.0\.1:(\d+)", "".join(lines))
            port = int(match.group(1)) if match else None
            assert proc.poll() is None, "".join(lines)
            time.sleep(0.05)
        seen = "".join(lines)
        assert port, seen
        assert "password" not in seen and ":coachdesk_test@" not in seen and ":coachdesk@" not in seen
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200 and json.loads(response.read()) == {"status": "ok"}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.parametrize("args", [["serve", "--port", "70000"], ["report", "--from", "2015-11"], ["nonsense"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert hub_cli(*args).code == 2
