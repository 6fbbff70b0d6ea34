"""Key slots (security.md, "Key hierarchy"): the data key is random, never stored in clear, and
wrapped once per way of unlocking; the passphrase slot's Argon2id parameters are stored with it
and cannot be weakened by editing the file; the recovery key forgives how people copy it; the
device slot lives in a real OS keyring, never a plaintext file."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.backend import KeyringBackend
from memory_keyring import MemoryKeyring
from testkit import FAST_KDF, PASSPHRASE, POLICY, VaultFolder

from coachdesk.domain.errors import EXIT_BAD_KEY, EXIT_FAILED, VaultError, WrongKeyError
from coachdesk.storage import database, device_keyring, keyslots
from coachdesk.storage.keyslots import (
    CEILING_MEMORY_KIB,
    FLOOR_ITERATIONS,
    FLOOR_MEMORY_KIB,
    Argon2Params,
    KeySlotFile,
    tune_argon2,
)
from coachdesk.storage.recovery_key import ALPHABET, format_recovery_key, new_recovery_key, parse_recovery_key
from coachdesk.storage.vault import DB_NAME, SLOTS_NAME, Vault

NEW_PASSPHRASE = "a completely different passphrase 7"
# A recovery secret whose printed form has the characters people confuse: 1 (I, L), 0 (O), V (U).
CONFUSABLE_SECRET = bytes.fromhex("21b869af5e9b86d1cda32c1af0146240")
CONFUSABLE_PRINTED = "11Q1-MTYQ-MVGV-8WV8-SC3B-R18R-J0RY"
POLICY_NO_KEYRING = POLICY.replace("allow_keyring_unlock = true\n", "")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of the vault folder but the (empty) lock file, by content hash."""
    return {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name != "coachdesk.lock"}


def read_slots(folder: Path) -> dict[str, Any]:
    return json.loads((folder / SLOTS_NAME).read_text())


def slot_of(data: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(s for s in data["slots"] if s["type"] == kind)


def edit_slots(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = read_slots(folder)
    change(data)
    (folder / SLOTS_NAME).write_text(json.dumps(data, indent=2, sort_keys=True))


def encodings(key: bytes) -> list[bytes]:
    """The ways a 32-byte key could be written into a text file."""
    forms = [
        key.hex(),
        key.hex().upper(),
        base64.b64encode(key).decode(),
        base64.urlsafe_b64encode(key).decode(),
        base64.b32encode(key).decode(),
    ]
    forms += [f.rstrip("=") for f in forms]
    return [key, *(f.encode() for f in forms)]


# -- the database and the key file at rest ---------------------------------------------------------


def test_database_file_is_encrypted(vault_folder: VaultFolder) -> None:
    head = (vault_folder.path / DB_NAME).read_bytes()[:100]
    assert not head.startswith(b"SQLite format 3")
    assert b"SQLite" not in head
    # Its first 16 bytes are SQLCipher's salt, which the key file records to recognise its database.
    assert read_slots(vault_folder.path)["database_salt"] == head[:16].hex()


def test_key_file_holds_no_data_key_in_clear(vault: Vault) -> None:
    key = bytes(vault.data_key)
    assert len(key) == 32 and len(set(key)) > 8
    raw = vault.slots_path.read_bytes()
    for form in encodings(key):
        assert form not in raw
    data = json.loads(raw)
    assert data["format"] == keyslots.FORMAT
    assert sorted(s["type"] for s in data["slots"]) == ["passphrase", "recovery"]
    for slot in data["slots"]:
        # Wrapped: a 32-byte key plus its 16-byte GCM tag, different in each slot.
        assert len(base64.b64decode(slot["wrapped_key"])) == 48
    assert len({s["wrapped_key"] for s in data["slots"]}) == 2
    # The key really is the database's: SQLCipher opens the file with it as a raw key.
    conn = database.connect(vault.db_path, key)
    conn.close()


def test_passphrase_slot_stores_argon2id_parameters_at_or_above_the_floor(vault: Vault) -> None:
    kdf = slot_of(read_slots(vault.folder), "passphrase")["kdf"]
    assert kdf["name"] == "argon2id"
    assert kdf["memory_kib"] >= 65536
    assert kdf["iterations"] >= 3
    assert kdf["lanes"] >= 1
    assert len(base64.b64decode(kdf["salt"])) == 16
    assert vault.slots.passphrase_params() == FAST_KDF
    assert FAST_KDF.meets_floor()
    assert (FLOOR_MEMORY_KIB, FLOOR_ITERATIONS) == (65536, 3)


def test_tune_argon2_on_this_machine_meets_the_floor() -> None:
    params = tune_argon2()
    assert params.meets_floor()
    assert params.memory_kib <= CEILING_MEMORY_KIB


@pytest.mark.parametrize("seconds", [1e-6, 0.001, 0.02, 0.1, 0.3, 0.39, 0.41, 0.5, 3.0, 60.0])
def test_tune_argon2_never_returns_below_the_floor(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Whatever the measured time (a very fast or very slow machine), the floor holds."""
    clock = iter([100.0, 100.0 + seconds])
    monkeypatch.setattr(keyslots, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    monkeypatch.setattr(Argon2Params, "derive", lambda self, secret, salt: b"\0" * 32)
    params = tune_argon2()
    assert params.meets_floor(), params
    assert FLOOR_MEMORY_KIB <= params.memory_kib <= CEILING_MEMORY_KIB
    assert params.memory_kib % 1024 == 0
    assert params.lanes >= 1
    if seconds < 0.4:  # a fast machine pays more than the floor, memory first
        assert params.memory_kib > FLOOR_MEMORY_KIB
        if params.memory_kib < CEILING_MEMORY_KIB:
            assert params.iterations == FLOOR_ITERATIONS
        else:
            assert params.iterations > FLOOR_ITERATIONS
    else:
        assert params == Argon2Params()


# -- editing a stored parameter breaks the slot instead of weakening it ---------------------------


def _set_kdf(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda data: slot_of(data, "passphrase")["kdf"].__setitem__(key, value)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (_set_kdf("iterations", 4), WrongKeyError, "Wrong passphrase"),
        (_set_kdf("iterations", 2), VaultError, "outside the safe range"),
        (_set_kdf("iterations", 1), VaultError, "outside the safe range"),
        (_set_kdf("memory_kib", 65536 - 1024), VaultError, "outside the safe range"),
        (_set_kdf("memory_kib", 8), VaultError, "outside the safe range"),
        (_set_kdf("lanes", 1), WrongKeyError, "Wrong passphrase"),
        (_set_kdf("name", "pbkdf2"), VaultError, "no usable passphrase slot"),
        (_set_kdf("iterations", "three"), VaultError, "unreadable"),
        (lambda data: slot_of(data, "passphrase").__setitem__("note", "x"), WrongKeyError, "Wrong passphrase"),
    ],
    ids=[
        "iterations-up",
        "iterations-below-floor",
        "iterations-1",
        "memory-below-floor",
        "memory-tiny",
        "lanes",
        "kdf-name",
        "iterations-not-a-number",
        "extra-field",
    ],
)
def test_editing_the_passphrase_slot_breaks_it(
    vault_folder: VaultFolder, change: Callable[[dict[str, Any]], None], error: type[Exception], message: str
) -> None:
    edit_slots(vault_folder.path, change)
    before = snapshot(vault_folder.path)
    vault = Vault.open(vault_folder.path)
    try:
        with pytest.raises(error, match=message) as caught:
            vault.unlock_with_passphrase(PASSPHRASE)
        assert type(caught.value) is error
        assert not vault.unlocked
        # Only that slot is broken: the recovery key still opens the vault.
        vault.unlock_with_recovery_key(vault_folder.recovery_key)
        assert vault.unlocked
    finally:
        vault.close()
    assert snapshot(vault_folder.path) == before


def test_lowering_a_tuned_memory_cost_to_the_floor_breaks_the_slot(vault_folder: VaultFolder) -> None:
    """A tuned slot (above the floor) edited down to the floor is not accepted as a cheaper one."""
    vault = vault_folder.open()
    vault.change_passphrase(PASSPHRASE, Argon2Params(memory_kib=FLOOR_MEMORY_KIB + 8192))
    vault.close()
    edit_slots(vault_folder.path, _set_kdf("memory_kib", FLOOR_MEMORY_KIB))
    vault = Vault.open(vault_folder.path)
    try:
        with pytest.raises(WrongKeyError):
            vault.unlock_with_passphrase(PASSPHRASE)
    finally:
        vault.close()


@pytest.mark.parametrize(
    "change",
    [
        lambda data: slot_of(data, "recovery").__setitem__("kdf", "hkdf"),
        lambda data: slot_of(data, "recovery").__setitem__("kdf", {"name": "hkdf-sha256"}),
        lambda data: slot_of(data, "recovery").__setitem__("nonce", "not base64!"),
        lambda data: slot_of(data, "recovery").pop("wrapped_key"),
        lambda data: slot_of(data, "recovery").__setitem__("wrapped_key", "AAAA"),
        lambda data: data.__setitem__("slots", [s for s in data["slots"] if s["type"] != "recovery"]),
        lambda data: data.__setitem__("vault_id", "someone-else"),
    ],
    ids=["kdf-not-a-table", "no-salt", "bad-nonce", "no-wrapped-key", "short-wrapped-key", "no-slot", "vault-id"],
)
def test_a_damaged_recovery_slot_gives_a_message_not_a_crash(
    vault_folder: VaultFolder, change: Callable[[dict[str, Any]], None]
) -> None:
    edit_slots(vault_folder.path, change)
    vault = Vault.open(vault_folder.path)
    try:
        with pytest.raises((VaultError, WrongKeyError)) as caught:
            vault.unlock_with_recovery_key(vault_folder.recovery_key)
        assert caught.value.exit_code in (EXIT_FAILED, EXIT_BAD_KEY)
        assert caught.value.message
        assert not vault.unlocked
    finally:
        vault.close()


# -- changing the passphrase -----------------------------------------------------------------------


def _pages(data: bytes) -> list[bytes]:
    return [data[i : i + database.PAGE_SIZE] for i in range(0, len(data), database.PAGE_SIZE)]


def test_changing_the_passphrase_rewraps_only_its_slot(vault_folder: VaultFolder) -> None:
    folder = vault_folder.path
    slots_before = read_slots(folder)
    db_before = (folder / DB_NAME).read_bytes()

    vault = vault_folder.open()
    data_key = bytes(vault.data_key)
    vault.change_passphrase(NEW_PASSPHRASE, FAST_KDF)
    vault.close()  # the last connection closes: the WAL is checkpointed into the file

    assert not (folder / f"{DB_NAME}-wal").exists()
    slots_after = read_slots(folder)
    # The recovery slot is byte-identical, the passphrase slot is new.
    canonical = [json.dumps(slot_of(d, "recovery"), sort_keys=True) for d in (slots_before, slots_after)]
    assert canonical[0] == canonical[1]
    old_pp, new_pp = slot_of(slots_before, "passphrase"), slot_of(slots_after, "passphrase")
    assert new_pp["kdf"]["salt"] != old_pp["kdf"]["salt"]
    assert new_pp["wrapped_key"] != old_pp["wrapped_key"]
    assert {k: v for k, v in slots_after.items() if k != "slots"} == {
        k: v for k, v in slots_before.items() if k != "slots"
    }

    # The database was not re-encrypted: the same data key opens it and the pages are the same,
    # except the few the audit entry "vault.passphrase_changed" was written to.
    db_after = (folder / DB_NAME).read_bytes()
    before_pages, after_pages = _pages(db_before), _pages(db_after)
    changed = [i for i, (a, b) in enumerate(zip(before_pages, after_pages, strict=False)) if a != b]
    assert len(after_pages) - len(before_pages) <= 1
    assert len(changed) <= 2, f"{len(changed)} of {len(before_pages)} pages rewritten"
    assert db_after[:16] == db_before[:16]
    conn = database.connect(folder / DB_NAME, data_key)
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
    conn.close()
    assert actions[-1] == "vault.passphrase_changed"

    vault = Vault.open(folder)
    try:
        with pytest.raises(WrongKeyError, match="Wrong passphrase"):
            vault.unlock_with_passphrase(PASSPHRASE)
        vault.unlock_with_passphrase(NEW_PASSPHRASE)
        assert bytes(vault.data_key) == data_key
    finally:
        vault.close()
    vault = Vault.open(folder)
    try:
        vault.unlock_with_recovery_key(vault_folder.recovery_key)
        assert bytes(vault.data_key) == data_key
    finally:
        vault.close()


def test_changing_the_passphrase_writes_nothing_to_the_database_but_its_audit_entry(
    vault_folder: VaultFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the audit entry left out, the database file is byte for byte what it was."""
    from coachdesk.storage import vault as vault_module

    recorded: list[str] = []
    monkeypatch.setattr(vault_module.audit, "record", lambda conn, action, record_id=None: recorded.append(action))
    before = sha256(vault_folder.path / DB_NAME)
    vault = vault_folder.open()
    vault.change_passphrase(NEW_PASSPHRASE, FAST_KDF)
    vault.close()
    assert recorded == ["vault.passphrase_changed"]
    assert sha256(vault_folder.path / DB_NAME) == before


# -- the recovery key ------------------------------------------------------------------------------


def test_recovery_key_format_round_trips() -> None:
    assert format_recovery_key(CONFUSABLE_SECRET) == CONFUSABLE_PRINTED
    assert parse_recovery_key(CONFUSABLE_PRINTED) == CONFUSABLE_SECRET
    text, secret = new_recovery_key()
    assert len(secret) == 16
    groups = text.split("-")
    assert [len(g) for g in groups] == [4] * 7
    assert set("".join(groups)) <= set(ALPHABET)
    assert not set("ILOU") & set(text)
    assert parse_recovery_key(text) == secret


@pytest.mark.parametrize(
    "typed",
    [
        "11q1-mtyq-mvgv-8wv8-sc3b-r18r-j0ry",
        "11q1 mtyq mvgv 8wv8 sc3b r18r j0ry",
        "  11Q1MTYQ MVGV8WV8\tSC3BR18RJ0RY \n",
        "IIQ1-MTYQ-MVGV-8WV8-SC3B-R18R-JORY",
        "il q1 mtyq mvgu 8wv8 sc3b rl8r jory",
        "ll Q l-MTYQ-MVGU-8WV8-SC3B-R i 8 R-J o RY",
    ],
)
def test_recovery_key_forgives_case_spaces_and_confusable_letters(typed: str) -> None:
    assert parse_recovery_key(typed) == CONFUSABLE_SECRET


def test_every_single_character_typing_mistake_is_reported() -> None:
    compact = CONFUSABLE_PRINTED.replace("-", "")
    for i, c in enumerate(compact):
        for wrong in (ALPHABET[(ALPHABET.index(c) + 1) % 32], ALPHABET[(ALPHABET.index(c) + 17) % 32]):
            typo = compact[:i] + wrong + compact[i + 1 :]
            with pytest.raises(WrongKeyError, match="typing mistake") as caught:
                parse_recovery_key(typo)
            assert caught.value.exit_code == EXIT_BAD_KEY


@pytest.mark.parametrize("typed", ["", "ABCD-EFGH", CONFUSABLE_PRINTED + "-X", CONFUSABLE_PRINTED.replace("Q", "!")])
def test_something_that_is_not_a_recovery_key_says_so(typed: str) -> None:
    with pytest.raises(WrongKeyError, match="not a recovery key"):
        parse_recovery_key(typed)


def _install_confusable_recovery_slot(vault_folder: VaultFolder) -> bytes:
    vault = vault_folder.open()
    try:
        vault.slots.set_recovery(CONFUSABLE_SECRET, vault.data_key)
        vault.slots.save(vault.slots_path)
        return bytes(vault.data_key)
    finally:
        vault.close()


def test_recovery_key_opens_the_vault_as_people_type_it(vault_folder: VaultFolder) -> None:
    # The key printed at creation, in lower case with spaces instead of dashes.
    vault = Vault.open(vault_folder.path)
    try:
        vault.unlock_with_recovery_key(vault_folder.recovery_key.lower().replace("-", " "))
        assert vault.unlocked
        data_key = bytes(vault.data_key)
    finally:
        vault.close()
    # A key with 1, 0 and V in it, typed with I, L, O and U.
    assert _install_confusable_recovery_slot(vault_folder) == data_key
    vault = Vault.open(vault_folder.path)
    try:
        vault.unlock_with_recovery_key("il q1 mtyq mvgu 8wv8 sc3b rl8r jory")
        assert bytes(vault.data_key) == data_key
        assert vault.check() == []
    finally:
        vault.close()


def test_recovery_key_with_one_wrong_character_is_a_typing_mistake(vault_folder: VaultFolder) -> None:
    printed = vault_folder.recovery_key
    last = printed[-1]
    typo = printed[:-1] + ALPHABET[(ALPHABET.index(last) + 1) % 32]  # a check character: always caught
    before = snapshot(vault_folder.path)
    vault = Vault.open(vault_folder.path)
    try:
        with pytest.raises(WrongKeyError, match="typing mistake"):
            vault.unlock_with_recovery_key(typo)
        assert not vault.unlocked
    finally:
        vault.close()
    _install_confusable_recovery_slot(vault_folder)
    vault = Vault.open(vault_folder.path)
    try:
        with pytest.raises(WrongKeyError, match="typing mistake"):
            vault.unlock_with_recovery_key(CONFUSABLE_PRINTED.replace("MTYQ", "MTYR"))
    finally:
        vault.close()
    assert snapshot(vault_folder.path)[DB_NAME] == before[DB_NAME]


# -- the device slot in the OS keyring -------------------------------------------------------------


def test_keyring_unlock_with_a_real_in_memory_backend(vault_folder: VaultFolder, memory_keyring: MemoryKeyring) -> None:
    vault = vault_folder.open()
    try:
        data_key = bytes(vault.data_key)
        vault_id = vault.vault_id
        assert vault.enable_keyring_unlock() is True
        assert vault.has_device_slot()
    finally:
        vault.close()
    assert len(memory_keyring.store) == 1
    (service, username), stored = next(iter(memory_keyring.store.items()))
    assert service == device_keyring.SERVICE
    assert username == f"vault-{vault_id}"
    secret = base64.b64decode(stored)
    assert len(secret) == 32 and secret != data_key
    raw = (vault_folder.path / SLOTS_NAME).read_bytes()
    for form in [*encodings(data_key), *encodings(secret)]:
        assert form not in raw
    device = slot_of(read_slots(vault_folder.path), "device")
    assert device["keyring"] == {"service": service, "username": username}

    vault = Vault.open(vault_folder.path)
    try:
        vault.unlock_with_keyring()
        assert vault.unlocked
        assert bytes(vault.data_key) == data_key
        assert vault.check() == []
    finally:
        vault.close()


def test_keyring_unlock_without_the_keyring_entry_says_so(
    vault_folder: VaultFolder, memory_keyring: MemoryKeyring
) -> None:
    vault = vault_folder.open()
    assert vault.enable_keyring_unlock() is True
    vault.close()
    memory_keyring.store.clear()
    before = snapshot(vault_folder.path)
    vault = Vault.open(vault_folder.path)
    try:
        with pytest.raises(WrongKeyError, match=r"keyring has no key for this vault\. Use the passphrase") as caught:
            vault.unlock_with_keyring()
        assert caught.value.exit_code == EXIT_BAD_KEY
        assert not vault.unlocked
        vault.unlock_with_passphrase(PASSPHRASE)  # the passphrase still works
        assert vault.unlocked
    finally:
        vault.close()
    assert snapshot(vault_folder.path) == before


def test_keyring_secret_from_another_vault_does_not_open_this_one(
    vault_folder: VaultFolder, memory_keyring: MemoryKeyring
) -> None:
    vault = vault_folder.open()
    assert vault.enable_keyring_unlock() is True
    vault.close()
    key = next(iter(memory_keyring.store))
    memory_keyring.store[key] = base64.b64encode(bytes(32)).decode()
    vault = Vault.open(vault_folder.path)
    try:
        with pytest.raises(WrongKeyError, match="keyring"):
            vault.unlock_with_keyring()
    finally:
        vault.close()


def test_keyring_unlock_not_set_up(vault: Vault) -> None:
    vault.lock()
    with pytest.raises(WrongKeyError, match="not set up"):
        vault.unlock_with_keyring()


def test_policy_without_keyring_unlock_refuses_it(vault: Vault, memory_keyring: MemoryKeyring) -> None:
    vault.replace_policy(POLICY_NO_KEYRING)
    assert vault.policy.allow_keyring_unlock is False
    assert vault.enable_keyring_unlock() is False
    assert not vault.has_device_slot()
    assert memory_keyring.store == {}
    assert "device" not in {s["type"] for s in read_slots(vault.folder)["slots"]}


def test_a_policy_that_withdraws_keyring_unlock_removes_the_device_slot(
    vault_folder: VaultFolder, memory_keyring: MemoryKeyring
) -> None:
    vault = vault_folder.open()
    try:
        assert vault.enable_keyring_unlock() is True
        vault.replace_policy(POLICY_NO_KEYRING)
        assert not vault.has_device_slot()
        assert memory_keyring.store == {}
    finally:
        vault.close()
    vault = Vault.open(vault_folder.path)
    try:
        with pytest.raises(WrongKeyError):
            vault.unlock_with_keyring()
    finally:
        vault.close()


@pytest.mark.parametrize(
    "backend", [keyring.backends.fail.Keyring, keyring.backends.null.Keyring], ids=["no-keyring", "null-keyring"]
)
def test_without_a_usable_keyring_the_passphrase_still_works(
    vault_folder: VaultFolder, backend: type[KeyringBackend]
) -> None:
    keyring.set_keyring(backend())  # the autouse memory_keyring fixture restores the previous one
    vault = vault_folder.open()
    try:
        assert vault.enable_keyring_unlock() is False
        assert not vault.has_device_slot()
    finally:
        vault.close()
    assert "device" not in {s["type"] for s in read_slots(vault_folder.path)["slots"]}
    vault = Vault.open(vault_folder.path)
    try:
        with pytest.raises(WrongKeyError):
            vault.unlock_with_keyring()
        vault.unlock_with_passphrase(PASSPHRASE)
        assert vault.unlocked
    finally:
        vault.close()


class PlaintextFileKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's PlaintextKeyring, which writes secrets to disk."""


PlaintextFileKeyring.__module__ = "keyrings.alt.file"


def test_a_plaintext_keyrings_alt_backend_is_refused(vault: Vault) -> None:
    assert device_keyring.available() is True  # the in-memory backend is acceptable
    backend = PlaintextFileKeyring()
    keyring.set_keyring(backend)
    assert device_keyring.available() is False
    assert device_keyring.store_new_secret("vault-x") is None
    assert vault.enable_keyring_unlock() is False
    assert backend.store == {}
    assert not vault.has_device_slot()


def test_no_keyring_backend_is_not_available() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    assert device_keyring.available() is False
    assert device_keyring.load_secret("vault-x") is None
    device_keyring.delete_secret("vault-x")  # nothing to do, and no error


# -- KeySlotFile on its own ------------------------------------------------------------------------


def test_key_slot_file_round_trip_and_wrong_secrets(tmp_path: Path) -> None:
    data_key = bytes(range(32))
    slots = keyslots.new_slot_file("vault-1", b"\x01" * 16)
    recovery_text, recovery_secret = new_recovery_key()
    slots.set_recovery(recovery_secret, data_key)
    slots.set_device(b"\x02" * 32, data_key, "svc", "user")
    slots.save(tmp_path / SLOTS_NAME)
    assert not list(tmp_path.glob(".*tmp*"))
    loaded = KeySlotFile.load(tmp_path / SLOTS_NAME)
    assert bytes(loaded.open_with_recovery(parse_recovery_key(recovery_text))) == data_key
    assert bytes(loaded.open_with_device(b"\x02" * 32)) == data_key
    with pytest.raises(WrongKeyError):
        loaded.open_with_device(b"\x03" * 32)
    with pytest.raises(WrongKeyError):
        loaded.open_with_recovery(new_recovery_key()[1])
    # The slots of one vault do not open with a copy claiming to be another vault.
    loaded.vault_id = "vault-2"
    with pytest.raises(WrongKeyError):
        loaded.open_with_device(b"\x02" * 32)
    with pytest.raises(VaultError, match="no usable passphrase slot"):
        loaded.passphrase_params()


def test_vault_files_are_private_to_the_user(vault_folder: VaultFolder) -> None:
    for name in (DB_NAME, SLOTS_NAME):
        assert (vault_folder.path / name).stat().st_mode & 0o077 == 0, name
