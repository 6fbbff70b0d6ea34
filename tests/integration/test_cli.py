"""The headless command line as a coach, a script or an installer uses it (interfaces.md §1).

Every test runs `python -m coachdesk` in a child process, in the test's own profile, and checks the
exit code, what is printed, and what is (or is not) left on disk."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from testkit import PASSPHRASE, VaultFolder, run_cli

from coachdesk import __version__
from coachdesk.domain.codec import decode
from coachdesk.domain.model import Participant
from coachdesk.paths import log_dir
from coachdesk.storage import participants
from coachdesk.storage.vault import Vault

ENV = {"COACHDESK_PASSPHRASE": PASSPHRASE}
NEW_PASSPHRASE = "violet tugboat midnight orchard"
RECOVERY_KEY = re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){6}\b")
NAMESPACE = uuid.UUID("6f1c9c7e-3b0e-4d52-9a53-6a8d1c0e2b44")


# -- helpers ----------------------------------------------------------------------------------
def nhs_number(seed: int) -> str:
    """A valid NHS number (modulus 11 check digit) made from `seed`."""
    n = seed
    while True:
        body = f"{943000000 + n:09d}"
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return body + str(check)
        n += 1


def pid(n: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"participant-{n}"))


def person(n: int, given: str, family: str, *, practice: str = "P01", notes: str = "", **extra: Any) -> dict[str, Any]:
    """A participant as the caseload file carries one, with a session, a goal and an outcome."""
    record: dict[str, Any] = {
        "id": pid(n),
        "given_name": given,
        "family_name": family,
        "preferred_name": "",
        "date_of_birth": "1984-03-12",
        "sex": "female",
        "nhs_number": nhs_number(n),
        "phone": "07700 900123",
        "email": f"{given.lower()}@example.org",
        "postcode": "N1 9GU",
        "practice": practice,
        "referral_date": "2015-10-01",
        "referral_source": "gp",
        "consent": {"service": "2015-10-01", "share_with_gp": True, "contact_employers": False},
        "employment_status": "unemployed_1_2y",
        "benefits_at_referral": ["esa_wrag", "pip_dla"],
        "benefit_changes": [{"date": "2016-04-02", "benefits": ["pip_dla"]}],
        "conditions": ["mental_health", "musculoskeletal"],
        "sessions": [
            {
                "id": str(uuid.uuid5(NAMESPACE, f"session-{n}")),
                "start": "2015-10-05T10:00",
                "minutes": 45,
                "type": "initial_assessment",
                "attendance": "attended",
                "notes": notes,
            }
        ],
        "goals": [
            {
                "id": str(uuid.uuid5(NAMESPACE, f"goal-{n}")),
                "title": "Find part-time retail work",
                "category": "work",
                "created": "2015-10-05",
                "target_date": "2015-12-01",
                "status": "open",
                "closed_on": None,
                "steps": [{"text": "Update the CV", "owner": "participant", "due": "2015-10-19", "done": False}],
            }
        ],
        "employer_contacts": [
            {"date": "2015-10-20", "employer": "Corner Shop Ltd", "kind": "contact", "notes": "keen"}
        ],
        "outcomes": [
            {
                "type": "job_start",
                "date": "2016-01-11",
                "employer": "Corner Shop Ltd",
                "hours_per_week": 20,
                "hourly_pay_pence": 940,
            }
        ],
        "action_plans_issued": ["2015-10-05"],
        "closed": None,
    }
    record.update(extra)
    return record


def caseload(*people: dict[str, Any]) -> dict[str, Any]:
    return {"format": "coachdesk.caseload/1", "exported_at": "2026-11-23T10:00:00Z", "participants": list(people)}


def write_json(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under `folder`: its bytes, mtime and inode (an atomic rewrite changes the inode)."""
    result = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            result[str(path.relative_to(folder))] = (path.read_bytes(), st.st_mtime_ns, st.st_ino)
    return result


def export(vault: Path, out: Path, *, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run_cli("export", str(out), "--vault", str(vault), env=env or ENV)
    assert result.code == 0, result.err
    return json.loads(out.read_text(encoding="utf-8"))


def without_stamp(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "exported_at"}


def import_people(vault: Path, tmp_path: Path, *people: dict[str, Any]) -> None:
    source = write_json(tmp_path / f"import-{uuid.uuid4().hex}.json", caseload(*people))
    result = run_cli("import", str(source), "--vault", str(vault), env=ENV)
    assert result.code == 0, result.err


def assert_one_line_error(err: str) -> None:
    """Exit 1/3/4: one line on stderr saying what and what to do, and no traceback."""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("coachdesk: "), err


# -- version, init ----------------------------------------------------------------------------
def test_version() -> None:
    result = run_cli("--version")
    assert result.code == 0
    assert result.out == f"coachdesk {__version__}\n"
    assert result.out == "coachdesk 0.1.0\n"


def test_init_prints_recovery_key_once_and_check_passes(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "vault"
    result = run_cli("init", "--vault", str(folder), env=ENV)
    assert result.code == 0, result.err
    keys = RECOVERY_KEY.findall(result.out)
    assert len(keys) == 1, result.out
    key = keys[0]
    assert len(key.replace("-", "")) == 28
    assert [len(group) for group in key.split("-")] == [4] * 7
    assert not set(key.replace("-", "")) & set("ILOU"), "the recovery key uses the unambiguous alphabet"
    assert Vault.exists(folder)

    check = run_cli("check", "--vault", str(folder), env=ENV)
    assert check.code == 0, check.err
    assert "is sound" in check.out
    assert not RECOVERY_KEY.search(check.out + check.err), "the recovery key is shown only at creation"
    # The recovery key printed is the one that opens the vault.
    vault = Vault.open(folder)
    try:
        vault.unlock_with_recovery_key(key)
        assert vault.unlocked
    finally:
        vault.close()


def test_init_on_existing_vault_fails_and_changes_nothing(vault_folder: VaultFolder) -> None:
    before = snapshot(vault_folder.path)
    result = run_cli("init", "--vault", str(vault_folder.path), env={"COACHDESK_PASSPHRASE": NEW_PASSPHRASE})
    assert result.code == 1
    assert_one_line_error(result.err)
    assert "already exists" in result.err
    assert not RECOVERY_KEY.search(result.out)
    assert snapshot(vault_folder.path) == before
    # The old passphrase still opens it; the one given to init does not.
    assert run_cli("check", "--vault", str(vault_folder.path), env=ENV).code == 0
    assert run_cli("check", "--vault", str(vault_folder.path), env={"COACHDESK_PASSPHRASE": NEW_PASSPHRASE}).code == 3


@pytest.mark.parametrize(
    ("weak", "why"),
    [
        ("short pw", "at least 10 characters"),
        ("aaaaaaaaaaaaaaaaaaaa", "too easy to guess"),
        ("Password123456", "too easy to guess"),
    ],
)
def test_init_refuses_a_weak_passphrase(tmp_path: Path, weak: str, why: str) -> None:
    folder = tmp_path / "vault"
    result = run_cli("init", "--vault", str(folder), env={"COACHDESK_PASSPHRASE": weak})
    assert result.code == 3
    assert_one_line_error(result.err)
    assert why in result.err
    assert not RECOVERY_KEY.search(result.out)
    assert not Vault.exists(folder)
    assert not folder.exists() or not any(folder.iterdir())


# -- where the passphrase comes from -----------------------------------------------------------
def test_passphrase_file_beats_environment(vault_folder: VaultFolder, tmp_path: Path) -> None:
    right = tmp_path / "right.txt"
    right.write_text(f"{PASSPHRASE}\nsecond line is ignored\n", encoding="utf-8")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase at all\n", encoding="utf-8")
    folder = str(vault_folder.path)

    ok = run_cli(
        "check",
        "--vault",
        folder,
        "--passphrase-file",
        str(right),
        env={"COACHDESK_PASSPHRASE": "not the passphrase at all"},
    )
    assert ok.code == 0, ok.err

    refused = run_cli("check", "--vault", folder, "--passphrase-file", str(wrong), env=ENV)
    assert refused.code == 3
    assert_one_line_error(refused.err)
    assert "Wrong passphrase" in refused.err

    # The option works before the command too.
    top = run_cli("--passphrase-file", str(right), "check", "--vault", folder)
    assert top.code == 0, top.err


def test_passphrase_file_written_by_notepad(vault_folder: VaultFolder, tmp_path: Path) -> None:
    """A UTF-8 file with a byte-order mark and Windows line ends still gives the passphrase."""
    bom = tmp_path / "notepad.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + PASSPHRASE.encode() + b"\r\n")
    result = run_cli("check", "--vault", str(vault_folder.path), "--passphrase-file", str(bom))
    assert result.code == 0, result.err


def _run_in_terminal(args: list[str], answers: list[str], timeout: float = 60) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its controlling terminal, answering each prompt."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1] / "support"), os.environ.get("PYTHONPATH", "")]),
    }
    child, fd = pty.fork()
    if child == 0:  # pragma: no cover - the child
        os.execve(sys.executable, [sys.executable, "-m", "coachdesk", *args], env)  # noqa: S606
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if pending and output.rstrip().endswith(b":"):
                os.write(fd, pending.pop(0).encode() + b"\n")
    finally:
        os.close(fd)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


def test_prompt_on_a_terminal_without_echo(vault_folder: VaultFolder) -> None:
    code, screen = _run_in_terminal(["check", "--vault", str(vault_folder.path)], [PASSPHRASE])
    assert code == 0, screen
    assert "Passphrase:" in screen
    assert "is sound" in screen
    assert PASSPHRASE not in screen, "the passphrase was echoed"

    code, screen = _run_in_terminal(["check", "--vault", str(vault_folder.path)], ["not the passphrase"])
    assert code == 3, screen
    assert "Wrong passphrase" in screen


def test_missing_passphrase_file_is_exit_3_naming_it(vault_folder: VaultFolder, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-passphrase.txt"
    result = run_cli("check", "--vault", str(vault_folder.path), "--passphrase-file", str(missing), env=ENV)
    assert result.code == 3
    assert_one_line_error(result.err)
    assert str(missing) in result.err


def test_no_passphrase_without_terminal_is_exit_3_naming_the_ways(vault_folder: VaultFolder) -> None:
    result = run_cli("check", "--vault", str(vault_folder.path), input_text="")
    assert result.code == 3
    assert_one_line_error(result.err)
    for way in ("--passphrase-file", "COACHDESK_PASSPHRASE", "terminal"):
        assert way in result.err


def test_no_keyring_at_all_falls_back_to_the_passphrase(vault_folder: VaultFolder) -> None:
    """A vault with a keyring slot, on a computer with no keyring: the passphrase still works."""
    vault = vault_folder.open()
    try:
        assert vault.enable_keyring_unlock()  # in this process's memory keyring
    finally:
        vault.close()
    folder = str(vault_folder.path)
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    assert run_cli("check", "--vault", folder, env={**ENV, **no_keyring}).code == 0
    result = run_cli("check", "--vault", folder, env=no_keyring, input_text="")
    assert result.code == 3
    assert_one_line_error(result.err)
    assert "COACHDESK_PASSPHRASE" in result.err
    # An empty (but working) keyring in the child: same fallback, no crash.
    empty = {"PYTHON_KEYRING_BACKEND": "memory_keyring.MemoryKeyring"}
    assert run_cli("check", "--vault", folder, env=empty, input_text="").code == 3
    assert run_cli("check", "--vault", folder, env={**ENV, **empty}).code == 0


def test_wrong_passphrase_is_exit_3_without_traceback_unless_debug(vault_folder: VaultFolder) -> None:
    folder = str(vault_folder.path)
    before = snapshot(vault_folder.path)
    env = {"COACHDESK_PASSPHRASE": "this is not the passphrase"}
    result = run_cli("check", "--vault", folder, env=env)
    assert result.code == 3
    assert_one_line_error(result.err)
    assert "Wrong passphrase" in result.err
    assert result.out == ""

    for args in (("check", "--vault", folder, "--debug"), ("--debug", "check", "--vault", folder)):
        debug = run_cli(*args, env=env)
        assert debug.code == 3
        assert "Traceback" in debug.err
        assert "Wrong passphrase" in debug.err
    assert snapshot(vault_folder.path) == before


def test_missing_vault_folder_is_exit_1_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "no-vault-here"
    result = run_cli("check", "--vault", str(folder), env=ENV)
    assert result.code == 1
    assert_one_line_error(result.err)
    assert str(folder) in result.err
    assert not folder.exists(), "looking for a vault must not create its folder"


def test_vault_held_by_another_process_is_exit_4(vault_folder: VaultFolder) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from coachdesk.storage.vault import Vault\n"
            "v = Vault.open(sys.argv[1])\n"
            "print('held', flush=True)\n"
            "sys.stdin.read()\n"
            "v.close()\n",
            str(vault_folder.path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "held"
        before = snapshot(vault_folder.path)
        for command in (("check",), ("search", "anyone"), ("passwd",)):
            result = run_cli(
                *command, "--vault", str(vault_folder.path), env={**ENV, "COACHDESK_NEW_PASSPHRASE": NEW_PASSPHRASE}
            )
            assert result.code == 4, (command, result.err)
            assert_one_line_error(result.err)
            assert "another" in result.err
        assert snapshot(vault_folder.path) == before
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    # Once the other process has let go, the same command works.
    assert run_cli("check", "--vault", str(vault_folder.path), env=ENV).code == 0


# -- import and export ------------------------------------------------------------------------
def test_import_of_a_bad_file_names_the_field_and_changes_nothing(vault_folder: VaultFolder, tmp_path: Path) -> None:
    folder = vault_folder.path
    import_people(folder, tmp_path, person(1, "Amina", "Okafor"), person(6, "Femi", "Bello"))
    original = export(folder, tmp_path / "before.json")
    assert len(original["participants"]) == 2

    changed = person(1, "Renamed", "Person")  # a valid update of the existing participant ...
    new = person(2, "Bola", "Adeyemi")  # ... and a valid new one ...
    broken = person(3, "Chidi", "Eze", date_of_birth="1984-13-40")  # ... then a bad record
    bad_file = write_json(tmp_path / "bad.json", caseload(changed, new, broken))
    result = run_cli("import", str(bad_file), "--vault", str(folder), env=ENV)
    assert result.code == 1
    assert_one_line_error(result.err)
    assert "participants[2].date_of_birth" in result.err

    unknown = person(4, "Dara", "Ogun")
    unknown["sessions"][0]["attendence"] = "attended"
    result = run_cli(
        "import", str(write_json(tmp_path / "typo.json", caseload(changed, unknown))), "--vault", str(folder), env=ENV
    )
    assert result.code == 1
    assert "participants[1].sessions[0].attendence" in result.err

    # Every record is valid on its own, but the last one's session id belongs to a participant already
    # in the vault: the failure comes at write time, after earlier records were written, and all of
    # them are rolled back.
    clash = person(7, "Gina", "Adebayo")
    clash["sessions"][0]["id"] = person(6, "Femi", "Bello")["sessions"][0]["id"]
    result = run_cli(
        "import",
        str(write_json(tmp_path / "clash.json", caseload(changed, new, clash))),
        "--vault",
        str(folder),
        env=ENV,
    )
    assert result.code == 1
    assert_one_line_error(result.err)
    assert "participants[2]" in result.err and "already belongs to another participant" in result.err

    not_json = tmp_path / "truncated.json"
    not_json.write_text(json.dumps(caseload(changed))[:-20], encoding="utf-8")
    result = run_cli("import", str(not_json), "--vault", str(folder), env=ENV)
    assert result.code == 1
    assert_one_line_error(result.err)
    assert "not valid JSON" in result.err

    after = export(folder, tmp_path / "after.json")
    assert without_stamp(after) == without_stamp(original)


def test_export_import_round_trip(vault_folder: VaultFolder, tmp_path: Path) -> None:
    second = tmp_path / "second-vault"
    shutil.copytree(vault_folder.path, second)  # an empty vault with the same policy and passphrase
    people = [
        person(1, "Amina", "Okafor", notes="Talked about confidence and a CV."),
        person(
            2,
            "Ødegård",
            "Łukasz",
            practice="P02",
            notes="Prefers mornings; ünïcödé notes ✓",
            skills_inventory={
                "completed_on": "2015-10-05",
                "work_history": [
                    {
                        "employer": "Acme",
                        "role": "Porter",
                        "start": "2010-01",
                        "end": "2014-06",
                        "reason_left": "ill health",
                    }
                ],
                "qualifications": [{"title": "NVQ Retail", "level": "2", "year": 2002}],
                "skills": [{"name": "Customer service", "confidence": 4}],
                "preferences": {"job_types": ["retail"], "min_hours": 16, "max_hours": 30, "max_travel_minutes": 45},
                "barriers": ["confidence", "childcare"],
            },
            closed={"date": "2016-06-01", "reason": "sustained_employment"},
        ),
        person(3, "Chidi", "Eze", preferred_name="Chi", sex=None, nhs_number=None),
    ]
    source = write_json(tmp_path / "source.json", caseload(*people))
    result = run_cli("import", str(source), "--vault", str(vault_folder.path), env=ENV)
    assert result.code == 0, result.err
    assert "3 participants (3 new, 0 updated)" in result.out

    first_export = export(vault_folder.path, tmp_path / "first.json")
    assert first_export["format"] == "coachdesk.caseload/1"
    by_id = {p["id"]: p for p in first_export["participants"]}
    assert set(by_id) == {p["id"] for p in people}
    for given in people:
        exported = by_id[given["id"]]
        for key, value in given.items():
            assert exported[key] == value, (given["id"], key)

    # Importing the same file again changes nothing (idempotent by id).
    again = run_cli("import", str(source), "--vault", str(vault_folder.path), env=ENV)
    assert again.code == 0 and "(0 new, 3 updated)" in again.out
    assert without_stamp(export(vault_folder.path, tmp_path / "again.json")) == without_stamp(first_export)

    # The export imports into another vault and comes out the same.
    moved = run_cli("import", str(tmp_path / "first.json"), "--vault", str(second), env=ENV)
    assert moved.code == 0, moved.err
    assert without_stamp(export(second, tmp_path / "second.json")) == without_stamp(first_export)

    # One participant only (subject access request).
    single = tmp_path / "sar.json"
    result = run_cli("export", str(single), "--participant", pid(2), "--vault", str(vault_folder.path), env=ENV)
    assert result.code == 0, result.err
    assert [p["id"] for p in json.loads(single.read_text(encoding="utf-8"))["participants"]] == [pid(2)]
    unknown = run_cli(
        "export",
        str(tmp_path / "none.json"),
        "--participant",
        str(uuid.uuid4()),
        "--vault",
        str(vault_folder.path),
        env=ENV,
    )
    assert unknown.code == 1
    assert_one_line_error(unknown.err)
    assert not (tmp_path / "none.json").exists()


def test_export_never_writes_into_the_vault_folder(vault_folder: VaultFolder, tmp_path: Path) -> None:
    """A plaintext export must not replace the vault's own files, nor sit among them."""
    import_people(vault_folder.path, tmp_path, person(1, "Amina", "Okafor"))
    before = snapshot(vault_folder.path)
    for name in ("keyslots.json", "coachdesk.db", "caseload.json", "sub/caseload.json"):
        target = vault_folder.path / name
        result = run_cli("export", str(target), "--vault", str(vault_folder.path), env=ENV)
        assert result.code == 1, (name, result.out)
        assert_one_line_error(result.err)
        assert "vault folder" in result.err
    result = run_cli("export", str(vault_folder.path), "--vault", str(vault_folder.path), env=ENV)
    assert result.code == 1
    assert snapshot(vault_folder.path) == before
    check = run_cli("check", "--vault", str(vault_folder.path), env=ENV)
    assert check.code == 0, check.err
    assert "1 participants" in check.out


# -- search -----------------------------------------------------------------------------------
def test_search_lines_and_json(vault_folder: VaultFolder, tmp_path: Path) -> None:
    folder = str(vault_folder.path)
    import_people(
        vault_folder.path,
        tmp_path,
        person(1, "Amina", "Okafor", notes="Interested in warehouse work"),
        person(2, "Bola", "Okafor", practice="P02", preferred_name="Bee"),
        person(3, "Chidi", "Eze", notes="Wants forklift training"),
    )
    result = run_cli("search", "okafor", "--vault", folder, env=ENV)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines == [f"{pid(1)}\tAmina Okafor\tP01", f"{pid(2)}\tBee Okafor\tP02"]

    as_json = run_cli("search", "okafor", "--json", "--vault", folder, env=ENV)
    assert as_json.code == 0, as_json.err
    assert json.loads(as_json.out) == [
        {"id": pid(1), "name": "Amina Okafor", "practice": "P01"},
        {"id": pid(2), "name": "Bee Okafor", "practice": "P02"},
    ]

    by_note = run_cli("search", "forklift", "--vault", folder, env=ENV)
    assert by_note.out.splitlines() == [f"{pid(3)}\tChidi Eze\tP01"]
    spaced = nhs_number(3)
    by_nhs = run_cli("search", f"{spaced[:3]} {spaced[3:6]} {spaced[6:]}", "--vault", folder, env=ENV)
    assert by_nhs.out.splitlines() == [f"{pid(3)}\tChidi Eze\tP01"]

    nothing = run_cli("search", "zebra", "--vault", folder, env=ENV)
    assert nothing.code == 0 and nothing.out == ""
    assert json.loads(run_cli("search", "zebra", "--json", "--vault", folder, env=ENV).out) == []
    # FTS syntax typed into the search box is plain text, not an error.
    odd = run_cli("search", 'Okafor" OR NEAR(', "--vault", folder, env=ENV)
    assert odd.code == 0, odd.err


# -- passwd -----------------------------------------------------------------------------------
def test_passwd_changes_the_passphrase(vault_folder: VaultFolder) -> None:
    folder = str(vault_folder.path)
    result = run_cli("passwd", "--vault", folder, env={**ENV, "COACHDESK_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert result.code == 0, result.err
    old = run_cli("check", "--vault", folder, env=ENV)
    assert old.code == 3
    assert "Wrong passphrase" in old.err
    assert run_cli("check", "--vault", folder, env={"COACHDESK_PASSPHRASE": NEW_PASSPHRASE}).code == 0


def test_passwd_refuses_weak_or_missing_new_passphrase(vault_folder: VaultFolder) -> None:
    folder = str(vault_folder.path)
    before = snapshot(vault_folder.path)
    weak = run_cli("passwd", "--vault", folder, env={**ENV, "COACHDESK_NEW_PASSPHRASE": "abc"})
    assert weak.code == 3
    assert_one_line_error(weak.err)
    assert "at least 10 characters" in weak.err
    missing = run_cli("passwd", "--vault", folder, env=ENV, input_text="")
    assert missing.code == 3
    assert_one_line_error(missing.err)
    assert "COACHDESK_NEW_PASSPHRASE" in missing.err
    assert snapshot(vault_folder.path) == before
    assert run_cli("check", "--vault", folder, env=ENV).code == 0


def test_passwd_with_recovery_key_file(vault_folder: VaultFolder, tmp_path: Path) -> None:
    folder = str(vault_folder.path)
    key_file = tmp_path / "recovery.txt"
    key_file.write_text(vault_folder.recovery_key.lower() + "\n", encoding="utf-8")  # typed in lower case
    result = run_cli(
        "passwd",
        "--vault",
        folder,
        "--recovery-key-file",
        str(key_file),
        env={"COACHDESK_NEW_PASSPHRASE": NEW_PASSPHRASE},
        input_text="",
    )
    assert result.code == 0, result.err
    assert run_cli("check", "--vault", folder, env=ENV).code == 3
    assert run_cli("check", "--vault", folder, env={"COACHDESK_PASSPHRASE": NEW_PASSPHRASE}).code == 0

    # A wrong recovery key: exit 3 and nothing changed.
    before = snapshot(vault_folder.path)
    other_key = tmp_path / "other.txt"
    other_key.write_text("0000-0000-0000-0000-0000-0000-0000\n", encoding="utf-8")
    wrong = run_cli(
        "passwd",
        "--vault",
        folder,
        "--recovery-key-file",
        str(other_key),
        env={"COACHDESK_NEW_PASSPHRASE": "yet another good passphrase"},
    )
    assert wrong.code == 3
    assert_one_line_error(wrong.err)
    assert snapshot(vault_folder.path) == before


# -- backup and restore -----------------------------------------------------------------------
def test_backup_and_restore(vault_folder: VaultFolder, tmp_path: Path) -> None:
    import_people(
        vault_folder.path,
        tmp_path,
        person(1, "Amina", "Okafor", notes="first"),
        person(2, "Bola", "Adeyemi", practice="P02", notes="second"),
    )
    original = export(vault_folder.path, tmp_path / "original.json")
    backup = tmp_path / "caseload.cdbackup"
    result = run_cli("backup", str(backup), "--vault", str(vault_folder.path), env=ENV)
    assert result.code == 0, result.err
    assert backup.is_file()
    assert b"Okafor" not in backup.read_bytes()

    restored = tmp_path / "restored" / "vault"
    result = run_cli("restore", str(backup), "--vault", str(restored), env=ENV)
    assert result.code == 0, result.err
    check = run_cli("check", "--vault", str(restored), env=ENV)
    assert check.code == 0, check.err
    assert "2 participants" in check.out
    assert without_stamp(export(restored, tmp_path / "restored.json")) == without_stamp(original)

    # With the recovery key instead of the passphrase.
    key_file = tmp_path / "recovery.txt"
    key_file.write_text(vault_folder.recovery_key + "\n", encoding="utf-8")
    by_key = tmp_path / "by-key"
    result = run_cli(
        "restore", str(backup), "--vault", str(by_key), "--recovery-key-file", str(key_file), input_text=""
    )
    assert result.code == 0, result.err
    assert without_stamp(export(by_key, tmp_path / "by-key.json")) == without_stamp(original)


def test_restore_never_overwrites_a_vault(vault_folder: VaultFolder, tmp_path: Path) -> None:
    backup = tmp_path / "b.cdbackup"
    assert run_cli("backup", str(backup), "--vault", str(vault_folder.path), env=ENV).code == 0
    target = tmp_path / "other-vault"
    shutil.copytree(vault_folder.path, target)
    vault = Vault.open(target)
    try:
        vault.unlock_with_passphrase(PASSPHRASE)
        with vault.transaction() as conn:
            participants.save(conn, _participant_record())
    finally:
        vault.close()
    before = snapshot(target)
    result = run_cli("restore", str(backup), "--vault", str(target), env=ENV)
    assert result.code == 1
    assert_one_line_error(result.err)
    assert str(target) in result.err
    assert snapshot(target) == before
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(["b.cdbackup", "other-vault", "vault"])


def test_restore_with_wrong_passphrase_leaves_nothing(vault_folder: VaultFolder, tmp_path: Path) -> None:
    backup = tmp_path / "b.cdbackup"
    assert run_cli("backup", str(backup), "--vault", str(vault_folder.path), env=ENV).code == 0
    target = tmp_path / "new" / "vault"
    result = run_cli(
        "restore", str(backup), "--vault", str(target), env={"COACHDESK_PASSPHRASE": "not the right passphrase"}
    )
    assert result.code == 3
    assert_one_line_error(result.err)
    assert not target.exists()
    assert not (tmp_path / "new").exists()


def _participant_record() -> Participant:
    return decode(Participant, person(99, "Zara", "Kaur"))


# -- demo -------------------------------------------------------------------------------------
def test_demo_is_deterministic(tmp_path: Path) -> None:
    exports = []
    for name in ("one", "two"):
        folder = tmp_path / name
        result = run_cli("demo", "--participants", "30", "--seed", "7", "--vault", str(folder), env=ENV)
        assert result.code == 0, result.err
        assert len(RECOVERY_KEY.findall(result.out)) == 1
        exports.append(export(folder, tmp_path / f"{name}.json"))
    assert len(exports[0]["participants"]) == 30
    assert without_stamp(exports[0]) == without_stamp(exports[1])
    practices = {p["practice"] for p in exports[0]["participants"]}
    assert len(practices) > 1

    other = tmp_path / "other-seed"
    assert run_cli("demo", "--participants", "30", "--seed", "8", "--vault", str(other), env=ENV).code == 0
    assert without_stamp(export(other, tmp_path / "other.json")) != without_stamp(exports[0])


# -- usage ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ("no-such-command",),
        ("import",),
        ("export",),
        ("search",),
        ("demo", "--participants", "many"),
        ("check", "--no-such-option"),
        ("search", "x", "--json=yes"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], tmp_path: Path) -> None:
    result = run_cli(*args, "--vault", str(tmp_path / "v"), env=ENV)
    assert result.code == 2, result
    assert "usage:" in result.err
    assert not (tmp_path / "v").exists()


def test_an_unexpected_error_is_one_line_unless_debug(vault_folder: VaultFolder, tmp_path: Path) -> None:
    """A bug (here: search breaks with a RuntimeError) still gives exit 1 and one line, without the
    exception's text, which could quote participant data; --debug shows the traceback."""
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(
        "from coachdesk.storage import search\n"
        "def broken(*args, **kwargs):\n"
        "    raise RuntimeError('boom: Amina Okafor 943 476 5919')\n"
        "search.search_ids = broken\n",
        encoding="utf-8",
    )
    env = {**ENV, "PYTHONPATH": str(inject)}
    result = run_cli("search", "amina", "--vault", str(vault_folder.path), env=env)
    assert result.code == 1
    assert_one_line_error(result.err)
    assert "RuntimeError" in result.err and "--debug" in result.err
    assert "Okafor" not in result.err

    debug = run_cli("search", "amina", "--debug", "--vault", str(vault_folder.path), env=env)
    assert debug.code == 1
    assert "Traceback" in debug.err and "boom" in debug.err
    logged = "".join(f.read_text(encoding="utf-8") for f in log_dir().glob("coachdesk.log*"))
    assert "RuntimeError" in logged
    assert "Okafor" not in logged


def test_help_lists_the_commands() -> None:
    result = run_cli("--help")
    assert result.code == 0
    for command in ("init", "demo", "import", "export", "search", "check", "backup", "restore", "passwd"):
        assert command in result.out


def test_headless_commands_do_not_load_qt(vault_folder: VaultFolder) -> None:
    """Commands must work on a server: importing the CLI and running one loads no Qt."""
    code = (
        "import sys, runpy\n"
        "sys.argv = ['coachdesk', 'check', '--vault', sys.argv[1]]\n"
        "try:\n"
        "    runpy.run_module('coachdesk', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "print('no qt')\n"
    )
    env = {**os.environ, **ENV}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(vault_folder.path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("no qt")
