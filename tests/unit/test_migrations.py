"""Every released schema version has a fixture vault (tests/fixtures/vaults/v<N>/, made once by
tests/fixtures/make_vault_fixture.py and kept forever); today's code must open each one, migrate it
to the latest schema and find all its data."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from testkit import PASSPHRASE, VaultFolder

from coachdesk.domain import bundle as fmt
from coachdesk.domain.codec import decode
from coachdesk.domain.errors import VaultError
from coachdesk.domain.model import Participant
from coachdesk.storage import database, participants, schema
from coachdesk.storage.vault import DB_NAME, SLOTS_NAME, Vault
from coachdesk.sync import outbox

VAULTS = Path(__file__).resolve().parent.parent / "fixtures" / "vaults"
FIXTURES = sorted((p for p in VAULTS.iterdir() if p.is_dir()), key=lambda p: int(p.name[1:])) if VAULTS.is_dir() else []


def _expected(folder: Path) -> dict:
    return json.loads((folder / "fixture.json").read_text(encoding="utf-8"))


def _stored_version(folder: Path, passphrase: str) -> int:
    """The schema version a vault's database is at, read without migrating it."""
    vault = Vault.open(folder)
    try:
        key = vault.slots.open_with_passphrase(passphrase)
        conn = database.connect(vault.db_path, key)
        try:
            return schema.current_version(conn)
        finally:
            conn.close()
    finally:
        vault.close()


def test_a_fixture_vault_exists_for_every_schema_version() -> None:
    """Adding a migration without its fixture vault fails here: run make_vault_fixture.py."""
    versions = [v for v, _ in schema.MIGRATIONS]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert versions == list(range(1, schema.LATEST + 1))
    names = {p.name for p in FIXTURES}
    missing = [f"v{v}" for v in versions if f"v{v}" not in names]
    assert not missing, f"no fixture vault for schema version(s) {missing}: run tests/fixtures/make_vault_fixture.py"
    unknown = names - {f"v{v}" for v in versions}
    assert not unknown, f"fixture folders for versions the schema does not have: {sorted(unknown)}"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fixture_is_a_closed_encrypted_vault(fixture: Path) -> None:
    names = sorted(p.name for p in fixture.iterdir())
    assert names == sorted([DB_NAME, SLOTS_NAME, "fixture.json"]), "a fixture must be closed: no -wal, -shm or lock"
    assert not (fixture / DB_NAME).read_bytes().startswith(b"SQLite format 3")
    assert _expected(fixture)["schema_version"] == int(fixture.name[1:])


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fixture_vault_migrates_to_latest_with_its_data(fixture: Path, tmp_path: Path) -> None:
    expected = _expected(fixture)
    folder = tmp_path / "vault"
    shutil.copytree(fixture, folder)
    assert _stored_version(folder, expected["passphrase"]) == expected["schema_version"]

    vault = Vault.open(folder)
    try:
        vault.unlock_with_passphrase(expected["passphrase"])
        conn = vault.conn
        assert schema.current_version(conn) == schema.LATEST
        recorded = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY version")]
        assert recorded == list(range(1, schema.LATEST + 1))
        assert vault.check() == []
        assert vault.policy.programme == expected["programme"]
        assert "P01" in vault.policy.practice_codes

        want = [decode(Participant, item, f"participants[{i}]") for i, item in enumerate(expected["participants"])]
        got = participants.load_many(conn, [p.id for p in want])
        assert got == want
        assert participants.count(conn) == len(want)
        # The non-Latin name is found by the search index built inside the encrypted database.
        hits = {r[0] for r in conn.execute("SELECT rowid FROM people_fts WHERE people_fts MATCH ?", ("Коваленко",))}
        assert len(hits) == 1
    finally:
        vault.close()

    # Its device key and outbox come through unchanged; a vault from before sync gets a new key.
    vault = Vault.open(folder)
    try:
        vault.unlock_with_passphrase(expected["passphrase"])
        me = outbox.device(vault)
        if "device_id" in expected:
            assert me.device_id == expected["device_id"]
            months = [[m.period, m.revision, hashlib.sha256(m.bundle).hexdigest()] for m in outbox.months(vault)]
            assert months == expected["outbox"]
        else:
            assert outbox.months(vault) == []
        assert fmt.parse_public_key(me.public_key)
    finally:
        vault.close()

    # Migrated once, it opens again as it is (nothing left to apply) and with the recovery key too.
    vault = Vault.open(folder)
    try:
        vault.unlock_with_recovery_key(expected["recovery_key"])
        assert schema.migrate(vault.conn) == []
        assert participants.count(vault.conn) == len(expected["participants"])
    finally:
        vault.close()


def test_the_committed_fixtures_are_left_untouched_by_the_tests() -> None:
    """The tests work on copies: a fixture opened in place would be migrated for ever."""
    for fixture in FIXTURES:
        assert not (fixture / "coachdesk.lock").exists()
        assert not (fixture / f"{DB_NAME}-wal").exists()
        assert _expected(fixture)["schema_version"] == int(fixture.name[1:])


def _with_fake_migration(monkeypatch: pytest.MonkeyPatch, step: Callable[[database.Connection], None]) -> int:
    target = schema.LATEST + 1
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, (target, step)])
    monkeypatch.setattr(schema, "LATEST", target)
    return target


def test_a_new_migration_is_applied_once_and_recorded(
    vault_folder: VaultFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def step(conn: database.Connection) -> None:
        conn.execute("CREATE TABLE reminders (pk INTEGER PRIMARY KEY, text TEXT NOT NULL)")

    target = _with_fake_migration(monkeypatch, step)
    vault = vault_folder.open()
    try:
        assert schema.current_version(vault.conn) == target
        assert vault.conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == target
        assert vault.conn.execute("SELECT count(*) FROM reminders").fetchone()[0] == 0
        assert schema.migrate(vault.conn) == []
        assert vault.check() == []
    finally:
        vault.close()


def test_a_failing_migration_leaves_the_vault_at_its_old_version(
    vault_folder: VaultFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def step(conn: database.Connection) -> None:
        conn.execute("CREATE TABLE reminders (pk INTEGER PRIMARY KEY)")
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    old = schema.LATEST
    _with_fake_migration(monkeypatch, step)
    vault = Vault.open(vault_folder.path)
    try:
        with pytest.raises(VaultError):
            vault.unlock_with_passphrase(PASSPHRASE)
        assert not vault.unlocked
    finally:
        vault.close()
    monkeypatch.undo()
    vault = vault_folder.open()
    try:
        assert schema.current_version(vault.conn) == old
        tables = {r[0] for r in vault.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "reminders" not in tables
        assert vault.check() == []
    finally:
        vault.close()


def test_a_vault_from_a_newer_coachdesk_is_refused(vault_folder: VaultFolder) -> None:
    vault = vault_folder.open()
    vault.conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    vault.close()
    vault = Vault.open(vault_folder.path)
    try:
        with pytest.raises(VaultError, match="newer CoachDesk"):
            vault.unlock_with_passphrase(PASSPHRASE)
    finally:
        vault.close()
