"""The vault folder (security.md): every wrong or damaged input gets its own clear message and
exit code and changes no file; one process per vault; locking forgets the key; creation never
overwrites and never leaves half a vault; the audit log's chain shows tampering; the connection
keeps decrypted pages out of temp files."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlcipher3
from testkit import FAST_KDF, PASSPHRASE, POLICY, VaultFolder

from coachdesk.domain.errors import (
    EXIT_BAD_KEY,
    EXIT_FAILED,
    EXIT_IN_USE,
    VaultError,
    VaultInUseError,
    WrongKeyError,
)
from coachdesk.domain.model import Goal, Participant, Session, SkillsInventory
from coachdesk.domain.vocabulary import Attendance, ReferralSource, SessionType
from coachdesk.services import caseload
from coachdesk.storage import audit, participants, schema
from coachdesk.storage.keyslots import KeySlotFile
from coachdesk.storage.lockfile import VaultLock
from coachdesk.storage.recovery_key import new_recovery_key
from coachdesk.storage.vault import DB_NAME, LOCK_NAME, SLOTS_NAME, Vault

WAL, SHM = f"{DB_NAME}-wal", f"{DB_NAME}-shm"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in the vault folder except the lock file, by content hash (new files show too)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != LOCK_NAME
    }


@pytest.fixture(scope="module")
def other_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second, unrelated vault (its database is swapped into the test vault)."""
    folder = tmp_path_factory.mktemp("other") / "vault"
    vault, _ = Vault.create(folder, "another coach's passphrase", POLICY, kdf=FAST_KDF)
    vault.close()
    return folder


# -- wrong and damaged input -----------------------------------------------------------------------


def _truncate(name: str, size: int | None = None) -> Callable[[Path, Path], None]:
    def setup(folder: Path, other: Path) -> None:
        path = folder / name
        with path.open("r+b") as f:
            f.truncate(path.stat().st_size // 2 if size is None else size)

    return setup


def _remove(name: str) -> Callable[[Path, Path], None]:
    return lambda folder, other: (folder / name).unlink()


def _swap_database(folder: Path, other: Path) -> None:
    shutil.copyfile(other / DB_NAME, folder / DB_NAME)


def _newer_schema(folder: Path, other: Path) -> None:
    vault = Vault.open(folder)
    vault.unlock_with_passphrase(PASSPHRASE)
    vault.conn.execute("PRAGMA user_version = 99")
    vault.close()


def _nothing(folder: Path, other: Path) -> None:
    pass


def _empty_folder(folder: Path, other: Path) -> None:
    for p in folder.iterdir():
        p.unlink()


@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[Path, Path], None]
    secret: str  # "passphrase", "wrong-passphrase", "wrong-recovery", "recovery-typo"
    error: type[Exception]
    phrase: str  # what this message, and no other case's, says
    remedy: str


DAMAGED = r"Restore the vault from a backup"
CASES = [
    Case("wrong-passphrase", _nothing, "wrong-passphrase", WrongKeyError, r"^Wrong passphrase", r"Caps Lock"),
    Case(
        "wrong-recovery-key",
        _nothing,
        "wrong-recovery",
        WrongKeyError,
        r"recovery key does not open this vault",
        r"recovery key",
    ),
    Case("recovery-key-typo", _nothing, "recovery-typo", WrongKeyError, r"typing mistake", r"check each group"),
    Case(
        "keyslots-truncated",
        _truncate(SLOTS_NAME),
        "passphrase",
        VaultError,
        r"key file \(keyslots\.json\) is damaged or truncated",
        DAMAGED,
    ),
    Case(
        "keyslots-empty",
        _truncate(SLOTS_NAME, 0),
        "passphrase",
        VaultError,
        r"key file \(keyslots\.json\) is damaged or truncated",
        DAMAGED,
    ),
    Case("keyslots-missing", _remove(SLOTS_NAME), "passphrase", VaultError, r"lost its key file", DAMAGED),
    Case(
        "database-missing",
        _remove(DB_NAME),
        "passphrase",
        VaultError,
        r"database \(coachdesk\.db\) is missing",
        DAMAGED,
    ),
    Case(
        "database-truncated-0",
        _truncate(DB_NAME, 0),
        "passphrase",
        VaultError,
        r"database \(coachdesk\.db\) is truncated or damaged",
        DAMAGED,
    ),
    Case(
        "database-truncated-1000",
        _truncate(DB_NAME, 1000),
        "passphrase",
        VaultError,
        r"database \(coachdesk\.db\) is truncated or damaged",
        DAMAGED,
    ),
    Case(
        "database-truncated-2-pages",
        _truncate(DB_NAME, 4096 * 2),
        "passphrase",
        VaultError,
        r"database \(coachdesk\.db\) is truncated or damaged",
        DAMAGED,
    ),
    Case(
        "database-truncated-half",
        _truncate(DB_NAME),
        "passphrase",
        VaultError,
        r"database \(coachdesk\.db\) is truncated or damaged",
        DAMAGED,
    ),
    Case("database-from-another-vault", _swap_database, "passphrase", VaultError, r"belongs to another vault", DAMAGED),
    Case(
        "newer-schema",
        _newer_schema,
        "passphrase",
        VaultError,
        r"written by a newer CoachDesk",
        r"Install the newer CoachDesk",
    ),
    Case("no-vault", _empty_folder, "passphrase", VaultError, r"No vault was found", r"coachdesk init"),
]
EXIT_CODES = {WrongKeyError: EXIT_BAD_KEY, VaultError: EXIT_FAILED}


def _unlock(vault: Vault, secret: str, recovery_key: str) -> None:
    if secret == "passphrase":
        vault.unlock_with_passphrase(PASSPHRASE)
    elif secret == "wrong-passphrase":
        vault.unlock_with_passphrase(PASSPHRASE.upper())
    elif secret == "wrong-recovery":
        vault.unlock_with_recovery_key(new_recovery_key()[0])
    else:
        body, last = recovery_key[:-1], recovery_key[-1]
        vault.unlock_with_recovery_key(body + ("Z" if last != "Z" else "Y"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_wrong_or_damaged_input_gets_its_own_message_and_changes_nothing(
    case: Case, vault_folder: VaultFolder, other_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = vault_folder.path
    case.setup(folder, other_vault)
    before = snapshot(folder)

    # Every data key a slot hands out during the attempt must be overwritten when it fails.
    handed_out: list[bytearray] = []
    real_open = KeySlotFile.open_with_passphrase

    def spy(self: KeySlotFile, passphrase: str) -> bytearray:
        key = real_open(self, passphrase)
        handed_out.append(key)
        return key

    monkeypatch.setattr(KeySlotFile, "open_with_passphrase", spy)

    with pytest.raises(case.error) as caught:
        vault = Vault.open(folder)
        try:
            _unlock(vault, case.secret, vault_folder.recovery_key)
        finally:
            assert not vault.unlocked
            vault.close()
    error = caught.value
    assert type(error) is case.error
    assert error.exit_code == EXIT_CODES[case.error]
    message = str(error)
    assert re.search(case.phrase, message), message
    assert re.search(case.remedy, message), message
    for other in CASES:
        if other.phrase != case.phrase:
            assert not re.search(other.phrase, message), f"{case.id} reads like {other.id}: {message}"
    assert str(folder) not in message or case.id in ("keyslots-missing", "no-vault")
    assert all(not any(key) for key in handed_out), "a data key was left in memory"

    assert snapshot(folder) == before, "a file of the vault folder was changed"
    assert not (folder / WAL).exists() or WAL in before
    lock = VaultLock(folder / LOCK_NAME)
    lock.acquire()  # the failed attempt let go of the vault
    lock.release()


def test_no_vault_folder_at_all(tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="No vault was found"):
        Vault.open(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()


# -- one process per vault -------------------------------------------------------------------------


def test_second_open_in_this_process_is_refused_until_the_first_closes(vault: Vault) -> None:
    with pytest.raises(VaultInUseError, match="open in another CoachDesk") as caught:
        Vault.open(vault.folder)
    assert caught.value.exit_code == EXIT_IN_USE == 4
    assert vault.unlocked  # the refused attempt did not disturb the holder
    vault.lock()
    with pytest.raises(VaultInUseError):  # locked (key forgotten) is still held
        Vault.open(vault.folder)
    vault.close()
    again = Vault.open(vault.folder)
    again.close()


CHILD_OPEN = """
import sys
from coachdesk.domain.errors import VaultInUseError
from coachdesk.storage.vault import Vault
try:
    vault = Vault.open(sys.argv[1])
except VaultInUseError as exc:
    print("in-use", type(exc).__name__)
    sys.exit(exc.exit_code)
vault.close()
print("opened")
"""

CHILD_HOLD = """
import sys, time
from coachdesk.storage import participants
from coachdesk.storage.vault import Vault
vault = Vault.open(sys.argv[1])
vault.unlock_with_recovery_key(sys.argv[2])
with vault.transaction() as conn:
    conn.execute("INSERT INTO meta(key, value) VALUES ('child', 'was here')")
print("holding", flush=True)
time.sleep(120)
"""


def _child(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, check=False)


def test_another_process_is_refused_while_this_one_holds_the_vault(vault: Vault) -> None:
    result = _child(CHILD_OPEN, str(vault.folder))
    assert result.returncode == EXIT_IN_USE, result.stderr
    assert result.stdout.strip() == "in-use VaultInUseError"
    vault.close()
    result = _child(CHILD_OPEN, str(vault.folder))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "opened"


def test_a_killed_holder_releases_the_vault(vault_folder: VaultFolder) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD_HOLD, str(vault_folder.path), vault_folder.recovery_key],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "holding", proc.stderr.read() if proc.stderr else ""
        with pytest.raises(VaultInUseError):
            Vault.open(vault_folder.path)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    vault = Vault.open(vault_folder.path)
    try:
        vault.unlock_with_recovery_key(vault_folder.recovery_key)
        assert vault.meta("child") == "was here"  # committed before the kill: kept
        assert vault.check() == []
    finally:
        vault.close()


# -- locking ---------------------------------------------------------------------------------------


def test_lock_overwrites_the_key_and_closes_the_database(vault: Vault) -> None:
    key = vault.data_key
    assert isinstance(key, bytearray) and any(key)
    copy = bytes(key)
    conn = vault.conn
    vault.lock()
    assert key == bytearray(32), "the data key is still in memory after locking"
    assert not vault.unlocked
    with pytest.raises(VaultError, match="locked"):
        _ = vault.conn
    with pytest.raises(VaultError, match="locked"):
        _ = vault.data_key
    with pytest.raises(VaultError):
        vault.transaction().__enter__()
    with pytest.raises(sqlcipher3.dbapi2.ProgrammingError):
        conn.execute("SELECT 1")
    vault.lock()  # twice is harmless

    vault.unlock_with_passphrase(PASSPHRASE)
    assert vault.unlocked
    assert bytes(vault.data_key) == copy
    assert vault.conn.execute("SELECT count(*) FROM meta").fetchone()[0] >= 3
    assert vault.policy.allow_keyring_unlock is True


def test_unlocking_an_unlocked_vault_keeps_its_connection_and_wipes_the_spare_key(
    vault: Vault, vault_folder: VaultFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn, key = vault.conn, vault.data_key
    spare: list[bytearray] = []
    real_open = KeySlotFile.open_with_recovery

    def spy(self: KeySlotFile, secret: bytes) -> bytearray:
        spare.append(real_open(self, secret))
        return spare[-1]

    monkeypatch.setattr(KeySlotFile, "open_with_recovery", spy)
    vault.unlock_with_recovery_key(vault_folder.recovery_key)
    assert vault.conn is conn and vault.data_key is key and any(key)
    assert len(spare) == 1 and spare[0] is not key and not any(spare[0])


# -- creating --------------------------------------------------------------------------------------


def test_create_refuses_an_existing_vault_and_leaves_it_untouched(vault_folder: VaultFolder) -> None:
    before = snapshot(vault_folder.path)
    with pytest.raises(VaultError, match="already exists") as caught:
        Vault.create(vault_folder.path, "a new passphrase for a new vault", POLICY, kdf=FAST_KDF)
    assert caught.value.exit_code == EXIT_FAILED
    assert snapshot(vault_folder.path) == before
    # Even a folder that has only the database left (its key file lost) is not overwritten.
    (vault_folder.path / SLOTS_NAME).unlink()
    before = snapshot(vault_folder.path)
    with pytest.raises(VaultError, match="already exists"):
        Vault.create(vault_folder.path, "a new passphrase for a new vault", POLICY, kdf=FAST_KDF)
    assert snapshot(vault_folder.path) == before


@pytest.mark.parametrize("where", ["keyslots-save", "migration"])
def test_a_failure_while_creating_leaves_no_vault_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if where == "keyslots-save":
        monkeypatch.setattr(KeySlotFile, "save", fail)
    else:
        monkeypatch.setattr(schema, "migrate", fail)
    folder = tmp_path / "vault"
    with pytest.raises(OSError, match="No space left"):
        Vault.create(folder, PASSPHRASE, POLICY, kdf=FAST_KDF)
    left = {p.name for p in folder.iterdir()}
    assert left <= {LOCK_NAME}, left
    assert not Vault.exists(folder)
    monkeypatch.undo()
    if where == "migration":  # nothing blocks a second attempt: the lock was released
        vault, _ = Vault.create(folder, PASSPHRASE, POLICY, kdf=FAST_KDF)
        vault.close()
        assert Vault.exists(folder)


def test_create_where_the_folder_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(VaultError, match="Cannot create the vault folder"):
        Vault.create(blocker / "vault", PASSPHRASE, POLICY, kdf=FAST_KDF)
    assert blocker.read_text() == "not a folder"


def test_a_new_vault_is_sound(vault: Vault) -> None:
    assert vault.check() == []
    assert schema.current_version(vault.conn) == schema.LATEST
    assert participants.count(vault.conn) == 0
    uuid.UUID(vault.vault_id)
    assert vault.meta("vault_id") == vault.vault_id
    assert [e.action for e in audit.entries(vault.conn)] == ["vault.created"]
    described = vault.describe()
    assert described["slots"] == ["passphrase", "recovery"]
    assert described["kdf"]["salt"] == "…"  # type: ignore[index]


# -- the audit log ---------------------------------------------------------------------------------

CANARY_GIVEN = f"Zebedee{uuid.uuid4().hex[:10]}"
CANARY_FAMILY = f"Quillfeather{uuid.uuid4().hex[:10]}"
CANARY_NOTE = f"note{uuid.uuid4().hex[:10]}"


def _person() -> Participant:
    return Participant(
        given_name=CANARY_GIVEN,
        family_name=CANARY_FAMILY,
        date_of_birth=date(1980, 5, 6),
        practice="P01",
        nhs_number="9434765919",
        referral_date=date(2026, 1, 5),
        referral_source=ReferralSource.GP,
        sessions=[
            Session(
                start=datetime(2026, 1, 7, 10, 0),
                minutes=30,
                type=SessionType.INITIAL_ASSESSMENT,
                attendance=Attendance.ATTENDED,
                notes=CANARY_NOTE,
            )
        ],
        goals=[Goal(title=f"Goal of {CANARY_GIVEN}", created=date(2026, 1, 7))],
        skills_inventory=SkillsInventory(completed_on=date(2026, 1, 7)),
    )


def test_audit_entries_record_what_and_which_id_never_names(vault: Vault) -> None:
    p = _person()
    caseload.register(vault, p, date(2026, 2, 1))
    p.sessions[0].notes = f"{CANARY_NOTE} updated"
    caseload.save_record(vault, p, date(2026, 2, 1))
    entries = audit.entries(vault.conn)
    assert [e.action for e in entries[:2]] == ["participant.updated", "participant.created"]
    assert {e.record_id for e in entries[:2]} == {p.id}
    rows = json.dumps(vault.conn.execute("SELECT * FROM audit_log").fetchall())
    for needle in (CANARY_GIVEN, CANARY_FAMILY, CANARY_NOTE, "9434765919", "1980-05-06"):
        assert needle not in rows
    assert audit.verify_chain(vault.conn) is None


@pytest.fixture
def chained(vault: Vault) -> Iterator[Vault]:
    with vault.transaction() as conn:
        for i in range(5):
            audit.record(conn, "participant.updated", f"id-{i}")
    assert audit.verify_chain(vault.conn) is None
    assert vault.check() == []
    yield vault


TAMPERING = {
    "edited-action": (
        ["UPDATE audit_log SET action = 'participant.viewed' WHERE seq = 3"],
        r"entry 3 has been altered",
    ),
    "edited-record-id": (["UPDATE audit_log SET record_id = 'id-9' WHERE seq = 4"], r"entry 4 has been altered"),
    "edited-time": (["UPDATE audit_log SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 2"], r"entry 2 "),
    "deleted-middle": (["DELETE FROM audit_log WHERE seq = 3"], r"entry 3 is missing"),
    "deleted-and-renumbered": (
        ["DELETE FROM audit_log WHERE seq = 3", "UPDATE audit_log SET seq = seq - 1 WHERE seq > 3"],
        r"entry 3 has been altered",
    ),
    "reordered": (
        [
            "UPDATE audit_log SET seq = -1 WHERE seq = 3",
            "UPDATE audit_log SET seq = 3 WHERE seq = 4",
            "UPDATE audit_log SET seq = 4 WHERE seq = -1",
        ],
        r"entry 3 has been altered",
    ),
    "first-replaced": (["UPDATE audit_log SET prev_hash = hash WHERE seq = 1"], r"entry 1 has been altered"),
}


@pytest.mark.parametrize("tamper", list(TAMPERING), ids=list(TAMPERING))
def test_audit_chain_shows_tampering(chained: Vault, tamper: str) -> None:
    statements, expected = TAMPERING[tamper]
    with chained.transaction() as conn:
        for sql in statements:
            conn.execute(sql)
    broken = audit.verify_chain(chained.conn)
    assert broken is not None and re.search(expected, broken), broken
    problems = chained.check()
    assert any("audit log's chain is broken" in p and broken in p for p in problems), problems


# -- connection settings ---------------------------------------------------------------------------


def test_connection_keeps_decrypted_pages_out_of_files(vault: Vault) -> None:
    conn = vault.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert int(conn.execute("PRAGMA cipher_memory_security").fetchone()[0]) == 1
    assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with vault.transaction() as c:
        c.execute("INSERT INTO meta(key, value) VALUES ('wal-probe', ?)", (CANARY_NOTE,))
    wal = vault.folder / WAL
    assert wal.exists() and wal.stat().st_size > 0
    assert CANARY_NOTE.encode() not in wal.read_bytes()
    assert CANARY_NOTE.encode() not in (vault.folder / DB_NAME).read_bytes()


def test_closing_checkpoints_the_wal(vault_folder: VaultFolder) -> None:
    vault = vault_folder.open()
    with vault.transaction() as conn:
        conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
    vault.close()
    assert not (vault_folder.path / WAL).exists()
    assert not (vault_folder.path / SHM).exists()
