"""Backups: an encrypted, self-checking copy of a vault, restored only into a new folder."""

from __future__ import annotations

import json
import os
import struct
import uuid
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from coachdesk.domain.errors import VaultError, WrongKeyError
from coachdesk.domain.model import Participant, Session
from coachdesk.domain.vocabulary import Attendance, ReferralSource, SessionType
from coachdesk.storage import audit, participants
from coachdesk.storage import backup as backup_module
from coachdesk.storage.backup import BACKUP_FORMAT, read_manifest, restore_backup, write_backup
from coachdesk.storage.keyslots import Argon2Params
from coachdesk.storage.recovery_key import new_recovery_key
from coachdesk.storage.vault import DB_NAME, SLOTS_NAME, Vault

PASSPHRASE = "correct horse battery staple 42"
POLICY = '[[practices]]\ncode = "P01"\nname = "Riverside Surgery"\n'
CANARY = f"Kanary{uuid.uuid4().hex[:16]}"


def person(given: str, family: str, notes: str = "") -> Participant:
    return Participant(
        given_name=given,
        family_name=family,
        date_of_birth=date(1985, 4, 2),
        practice="P01",
        referral_date=date(2026, 1, 10),
        referral_source=ReferralSource.GP,
        sessions=[
            Session(
                start=datetime(2026, 1, 12, 10, 0),
                minutes=45,
                type=SessionType.INITIAL_ASSESSMENT,
                attendance=Attendance.ATTENDED,
                notes=notes or "Talked about routines.",
            )
        ],
    )


def make_vault(folder: Path) -> tuple[Vault, str]:
    vault, recovery = Vault.create(folder, PASSPHRASE, POLICY, kdf=Argon2Params())
    with vault.transaction() as conn:
        participants.save(conn, person(CANARY, "Smith", notes=f"Worried about {CANARY} at interviews."))
        for i in range(30):
            participants.save(conn, person(f"Given{i}", f"Family{i}"))
    # A keyring slot of this computer only: it must not travel in a backup.
    vault.slots.set_device(os.urandom(32), vault.data_key, "coachdesk-test", f"vault-{vault.vault_id}")
    vault.slots.save(vault.slots_path)
    return vault, recovery


def load_all(vault: Vault) -> list[Participant]:
    return participants.load_many(vault.conn, participants.all_ids(vault.conn))


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def assert_no_canary(root: Path) -> None:
    needles = [CANARY.encode("utf-8"), CANARY.encode("utf-16-le")]
    for path in [root] if root.is_file() else root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(n in data for n in needles), f"canary found in {path}"


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[tuple[Vault, str]]:
    v, recovery = make_vault(tmp_path / "vault")
    yield v, recovery
    v.close()


@pytest.fixture
def backup(vault: tuple[Vault, str], tmp_path: Path) -> Path:
    dest = tmp_path / "backups" / "caseload.cdbackup"
    dest.parent.mkdir()
    write_backup(vault[0], dest)
    return dest


def db_member_span(path: Path) -> tuple[int, int]:
    """(offset, length) of coachdesk.db's bytes inside the ZIP file."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(DB_NAME)
    with path.open("rb") as f:
        f.seek(info.header_offset + 26)
        name_len, extra_len = struct.unpack("<HH", f.read(4))
    return info.header_offset + 30 + name_len + extra_len, info.compress_size


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


# -- writing --------------------------------------------------------------------------------
def test_backup_is_a_stored_zip_with_a_manifest_and_records_itself(
    vault: tuple[Vault, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v = vault[0]
    dest = tmp_path / "b.cdbackup"
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(backup_module, "_PAGES_PER_STEP", 8)
    write_backup(v, dest, progress=lambda done, total: calls.append((done, total)))

    assert len(calls) > 2 and calls[-1][0] == calls[-1][1] > 0
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    assert {c[1] for c in calls} == {calls[-1][1]}
    with zipfile.ZipFile(dest) as zf:
        assert sorted(zf.namelist()) == sorted(["manifest.json", SLOTS_NAME, DB_NAME])
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        slots = json.loads(zf.read(SLOTS_NAME))
        db_head = zf.read(DB_NAME)[:16]
    manifest = read_manifest(dest)
    assert manifest["format"] == BACKUP_FORMAT
    assert manifest["vault_id"] == v.vault_id
    assert manifest["created_at"].endswith("Z")
    assert manifest["software"].startswith("coachdesk ")
    assert slots["database_salt"] == db_head.hex() != v.slots.database_salt  # the copy has its own salt
    assert v.meta("last_backup_at") == manifest["created_at"]
    assert audit.entries(v.conn, limit=1)[0].action == "backup.created"
    assert v.check() == []
    assert sorted(os.listdir(tmp_path)) == ["b.cdbackup", "vault"]  # no temporary file left


def test_locked_vault_cannot_be_backed_up(vault: tuple[Vault, str], tmp_path: Path) -> None:
    vault[0].lock()
    with pytest.raises(VaultError, match="locked"):
        write_backup(vault[0], tmp_path / "b.cdbackup")
    assert not (tmp_path / "b.cdbackup").exists()


def test_an_older_backup_is_replaced_but_another_file_is_not(vault: tuple[Vault, str], backup: Path) -> None:
    old = read_manifest(backup)
    write_backup(vault[0], backup)
    assert read_manifest(backup)["database_sha256"] != old["database_sha256"]

    other = backup.with_name("thesis.docx")
    other.write_bytes(b"not a backup")
    with pytest.raises(VaultError, match="not a CoachDesk backup"):
        write_backup(vault[0], other)
    assert other.read_bytes() == b"not a backup"
    with pytest.raises(VaultError, match="vault's own files"):
        write_backup(vault[0], vault[0].db_path)


def test_a_failed_backup_leaves_the_older_backup_and_no_temporary_file(vault: tuple[Vault, str], backup: Path) -> None:
    before = backup.read_bytes()

    def cancel(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_backup(vault[0], backup, progress=cancel)
    assert backup.read_bytes() == before
    assert os.listdir(backup.parent) == [backup.name]


# -- restoring ------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["passphrase", "recovery_key"])
def test_round_trip(vault: tuple[Vault, str], backup: Path, tmp_path: Path, how: str) -> None:
    v, recovery = vault
    target = tmp_path / "restored"
    if how == "passphrase":
        restore_backup(backup, target, passphrase=PASSPHRASE)
    else:
        restore_backup(backup, target, recovery_key=recovery)

    assert sorted(os.listdir(tmp_path)) == ["backups", "restored", "vault"]
    assert target.stat().st_mode & 0o077 == 0
    with Vault.open(target) as restored:
        restored.unlock_with_passphrase(PASSPHRASE)
        assert restored.vault_id == v.vault_id
        assert restored.check() == []
        assert not restored.has_device_slot()
        got = load_all(restored)
    assert len(got) == 31
    assert got == load_all(v)


def test_restore_into_an_empty_existing_folder_and_a_new_nested_one(backup: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    restore_backup(backup, tmp_path / "empty", passphrase=PASSPHRASE)
    restore_backup(backup, tmp_path / "a" / "b" / "vault", passphrase=PASSPHRASE)
    assert Vault.exists(tmp_path / "empty") and Vault.exists(tmp_path / "a" / "b" / "vault")


@pytest.mark.parametrize("where", ["salt", "second page", "middle", "last byte"])
def test_a_flipped_byte_in_the_database_is_refused(backup: Path, tmp_path: Path, where: str) -> None:
    start, size = db_member_span(backup)
    offset = {"salt": 3, "second page": 4096 + 100, "middle": size // 2, "last byte": size - 1}[where]
    flip(backup, start + offset)
    before = listing(tmp_path)
    with pytest.raises(VaultError, match=r"is damaged \(.*coachdesk\.db.*\); use another backup"):
        restore_backup(backup, tmp_path / "restored", passphrase=PASSPHRASE)
    assert listing(tmp_path) == before
    with pytest.raises(VaultError, match="damaged"):
        read_manifest(backup)


def test_a_rewritten_member_with_a_valid_zip_checksum_fails_the_manifest_hash(backup: Path, tmp_path: Path) -> None:
    forged = tmp_path / "forged.cdbackup"
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(forged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == DB_NAME:
                data = data[:5000] + bytes([data[5000] ^ 1]) + data[5001:]
            dst.writestr(info.filename, data)
    with pytest.raises(VaultError, match=r"coachdesk\.db does not match the checksum in its manifest"):
        restore_backup(forged, tmp_path / "restored", passphrase=PASSPHRASE)
    assert not (tmp_path / "restored").exists()


@pytest.mark.parametrize("change", ["no manifest", "no database", "unknown format", "newer format"])
def test_bad_members_are_named(backup: Path, tmp_path: Path, change: str) -> None:
    bad = tmp_path / "bad.cdbackup"
    with zipfile.ZipFile(backup) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "manifest.json" and change.endswith("format"):
                fmt = "coachdesk.backup/9" if change == "newer format" else "something/1"
                data = json.dumps(json.loads(data) | {"format": fmt}).encode()
            if (change, info.filename) not in (("no manifest", "manifest.json"), ("no database", DB_NAME)):
                dst.writestr(info.filename, data)
    expected = {
        "no manifest": "manifest.json is missing",
        "no database": "coachdesk.db is missing",
        "unknown format": "its format is 'something/1'",
        "newer format": "made by a newer CoachDesk",
    }[change]
    with pytest.raises(VaultError, match=expected):
        restore_backup(bad, tmp_path / "restored", passphrase=PASSPHRASE)
    assert not (tmp_path / "restored").exists()


@pytest.mark.parametrize("keep", [0, 100, 0.5, -1])
def test_a_truncated_backup_is_refused(backup: Path, tmp_path: Path, keep: float) -> None:
    data = backup.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep % len(data)
    backup.write_bytes(data[:cut])
    with pytest.raises(VaultError, match=r"is damaged .*; use another backup"):
        restore_backup(backup, tmp_path / "restored", passphrase=PASSPHRASE)
    assert not (tmp_path / "restored").exists()
    assert sorted(os.listdir(tmp_path)) == ["backups", "vault"]


def test_any_flipped_byte_outside_the_database_gives_a_clear_error_or_nothing(backup: Path, tmp_path: Path) -> None:
    original = backup.read_bytes()
    start, size = db_member_span(backup)
    probe = tmp_path / "probe.cdbackup"
    for offset in [*range(start), *range(start + size, len(original))]:
        data = bytearray(original)
        data[offset] ^= 0x10
        probe.write_bytes(bytes(data))
        try:
            manifest = read_manifest(probe)
        except VaultError:
            continue
        assert manifest["format"] == BACKUP_FORMAT  # a harmless flip (e.g. a timestamp) may pass


def test_missing_backup_file(tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="does not exist"):
        restore_backup(tmp_path / "nope.cdbackup", tmp_path / "restored", passphrase=PASSPHRASE)
    assert listing(tmp_path) == []


def test_never_restores_over_a_vault_or_into_a_non_empty_folder(
    vault: tuple[Vault, str], backup: Path, tmp_path: Path
) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("keep me")
    before = listing(tmp_path)
    with pytest.raises(VaultError, match="not an empty folder"):
        restore_backup(backup, busy, passphrase=PASSPHRASE)
    with pytest.raises(VaultError, match="never restores over a vault"):
        restore_backup(backup, vault[0].folder, passphrase=PASSPHRASE)
    with pytest.raises(VaultError, match="not an empty folder"):
        restore_backup(backup, busy / "notes.txt", passphrase=PASSPHRASE)
    assert listing(tmp_path) == before
    assert (busy / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize("how", ["passphrase", "recovery_key"])
def test_wrong_key_leaves_nothing_behind(backup: Path, tmp_path: Path, how: str) -> None:
    before = listing(tmp_path)
    target = tmp_path / "new" / "restored"
    with pytest.raises(WrongKeyError):
        if how == "passphrase":
            restore_backup(backup, target, passphrase="not the passphrase at all")
        else:
            restore_backup(backup, target, recovery_key=new_recovery_key()[0])
    assert listing(tmp_path) == before


def test_a_key_is_required(backup: Path, tmp_path: Path) -> None:
    with pytest.raises(WrongKeyError):
        restore_backup(backup, tmp_path / "restored")
    assert not (tmp_path / "restored").exists()


# -- no plaintext anywhere ------------------------------------------------------------------
def test_canary_is_in_no_file_and_the_device_slot_stays_home(vault: tuple[Vault, str], tmp_path: Path) -> None:
    v = vault[0]
    assert any(p.given_name == CANARY and CANARY in p.sessions[0].notes for p in load_all(v))
    assert v.has_device_slot()
    folder = tmp_path / "backups"
    folder.mkdir()
    dest = folder / "caseload.cdbackup"
    seen_temp = []

    def scan_while_copying(done: int, total: int) -> None:
        seen_temp.extend(p.name for p in folder.iterdir())
        assert_no_canary(folder)

    write_backup(v, dest, progress=scan_while_copying)
    assert any(name.endswith(".partial") for name in seen_temp)
    assert_no_canary(dest)
    assert_no_canary(folder)
    assert_no_canary(tmp_path)
    with zipfile.ZipFile(dest) as zf:
        slots = json.loads(zf.read(SLOTS_NAME))
        for name in zf.namelist():
            assert CANARY.encode() not in zf.read(name)
    assert sorted(s["type"] for s in slots["slots"]) == ["passphrase", "recovery"]
    assert "keyring" not in json.dumps(slots)
    assert v.has_device_slot()  # the live vault keeps it

    restore_backup(dest, tmp_path / "restored", passphrase=PASSPHRASE)
    assert_no_canary(tmp_path)
    (tmp_path / "restored" / "probe.txt").write_text(f"notes: {CANARY}", encoding="utf-16-le")
    with pytest.raises(AssertionError):  # the scan itself works
        assert_no_canary(tmp_path)
