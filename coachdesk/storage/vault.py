"""The vault: a folder holding the encrypted database, its key slots and the instance lock.

    vault/
      keyslots.json    the data key, wrapped once per way of unlocking (keyslots.py)
      coachdesk.db     SQLCipher database under the data key (+ -wal/-shm while open)
      coachdesk.lock   held by the one process that has the vault open

A vault is *open* once its lock is held and its key slots read, and *unlocked* while the data key
is in memory and the database connected. Locking closes the database and overwrites the key."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.errors import VaultError, WrongKeyError
from coachdesk.domain.policy import Policy, parse_policy
from coachdesk.storage import audit, database, device_keyring, schema
from coachdesk.storage.database import Connection
from coachdesk.storage.keyslots import (
    DATA_KEY_BYTES,
    DEVICE,
    Argon2Params,
    KeySlotFile,
    new_slot_file,
    tune_argon2,
)
from coachdesk.storage.layout import DB_NAME, LOCK_NAME, SLOTS_NAME, vault_exists
from coachdesk.storage.lockfile import VaultLock
from coachdesk.storage.recovery_key import new_recovery_key, parse_recovery_key


def _wipe(key: bytearray | None) -> None:
    if key is not None:
        for i in range(len(key)):
            key[i] = 0


class Vault:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = VaultLock(self.folder / LOCK_NAME)
        self._slots: KeySlotFile | None = None
        self._key: bytearray | None = None
        self._conn: Connection | None = None
        self._policy: Policy | None = None

    # -- paths ------------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.folder / DB_NAME

    @property
    def slots_path(self) -> Path:
        return self.folder / SLOTS_NAME

    @staticmethod
    def exists(folder: Path) -> bool:
        return vault_exists(folder)

    # -- creating and opening ---------------------------------------------------------------
    @classmethod
    def create(
        cls, folder: Path, passphrase: str, policy_text: str, *, kdf: Argon2Params | None = None
    ) -> tuple[Vault, str]:
        """Create a vault and return it unlocked, with the recovery key's printed form.

        The key slot file is written last: until it exists there is no vault, and a failure
        before then removes whatever this call wrote."""
        folder = Path(folder)
        policy = parse_policy(policy_text)
        if cls.exists(folder) or (folder / DB_NAME).exists():
            raise VaultError(f"A vault already exists in {folder}; CoachDesk never overwrites one.")
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise VaultError(f"Cannot create the vault folder {folder}: {exc.strerror}.") from None
        vault = cls(folder)
        vault._lock.acquire()
        key = bytearray(os.urandom(DATA_KEY_BYTES))
        recovery_text, recovery_secret = new_recovery_key()
        try:
            conn = database.connect(vault.db_path, key, create=True)
            vault._conn = conn
            schema.migrate(conn)
            vault_id = str(uuid.uuid4())
            with database.transaction(conn):
                conn.executemany(
                    "INSERT INTO meta(key, value) VALUES (?, ?)",
                    [("vault_id", vault_id), ("created_at", utc_stamp()), ("policy", policy_text)],
                )
                audit.record(conn, "vault.created")
            slots = new_slot_file(vault_id, database.read_salt(vault.db_path))
            slots.set_passphrase(passphrase, key, kdf or tune_argon2())
            slots.set_recovery(recovery_secret, key)
            slots.save(vault.slots_path)
        except BaseException:
            vault._close_db()
            _wipe(key)
            for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", SLOTS_NAME):
                with contextlib.suppress(FileNotFoundError):
                    (folder / name).unlink()
            vault._lock.release()
            raise
        vault._slots = slots
        vault._key = key
        vault._policy = policy
        return vault, recovery_text

    @classmethod
    def open(cls, folder: Path) -> Vault:
        """Take the vault's lock and read its key slots; unlock it next."""
        folder = Path(folder)
        if not cls.exists(folder):
            if (folder / DB_NAME).exists():
                raise VaultError(
                    f"The vault in {folder} has lost its key file (keyslots.json). Restore the vault from a backup."
                )
            raise VaultError(f"No vault was found in {folder}. Create one with `coachdesk init` or open the app.")
        vault = cls(folder)
        vault._lock.acquire()
        try:
            vault._slots = KeySlotFile.load(vault.slots_path)
        except BaseException:
            vault._lock.release()
            raise
        return vault

    # -- unlocking --------------------------------------------------------------------------
    @property
    def slots(self) -> KeySlotFile:
        if self._slots is None:
            raise VaultError("The vault is not open.")
        return self._slots

    @property
    def vault_id(self) -> str:
        return self.slots.vault_id

    def unlock_with_passphrase(self, passphrase: str) -> None:
        self._attach(self.slots.open_with_passphrase(passphrase))

    def unlock_with_recovery_key(self, text: str) -> None:
        self._attach(self.slots.open_with_recovery(parse_recovery_key(text)))

    def has_device_slot(self) -> bool:
        return self.slots.has(DEVICE)

    def unlock_with_keyring(self) -> None:
        entry = self.slots.device_keyring_entry()
        if entry is None:
            raise WrongKeyError("Keyring unlock is not set up for this vault.")
        secret = device_keyring.load_secret(entry[1], entry[0])
        if secret is None:
            raise WrongKeyError("This computer's keyring has no key for this vault. Use the passphrase.")
        self._attach(self.slots.open_with_device(secret))

    def _attach(self, key: bytearray) -> None:
        if self._conn is not None:
            _wipe(key)
            return
        try:
            try:
                if database.read_salt(self.db_path) != bytes.fromhex(self.slots.database_salt):
                    database.describe_damage(self.db_path)
                    raise VaultError(
                        "The database in this vault folder belongs to another vault: its key file does not "
                        "match it. Restore the vault from a backup."
                    )
            except FileNotFoundError:
                database.describe_damage(self.db_path)
            except ValueError:
                raise VaultError(
                    "The vault's key file (keyslots.json) is damaged. Restore the vault from a backup."
                ) from None
            try:
                conn = database.connect(self.db_path, key)
            except VaultError:
                # The slot authenticated the key and the database's salt is this vault's: what
                # cannot be read is damaged (e.g. cut short at a page boundary), not foreign.
                database.describe_damage(self.db_path)
                raise VaultError(
                    f"The vault's database ({self.db_path.name}) is truncated or damaged: it cannot be read. "
                    "Restore the vault from a backup."
                ) from None
        except BaseException:
            _wipe(key)
            raise
        try:
            stored = conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
            if stored is None or stored[0] != self.slots.vault_id:
                raise VaultError("The database in this vault folder belongs to another vault. Restore from a backup.")
            schema.migrate(conn)
        except database.DatabaseError:
            conn.close()
            _wipe(key)
            raise VaultError("The vault's database is damaged. Restore the vault from a backup.") from None
        except BaseException:
            conn.close()
            _wipe(key)
            raise
        self._conn = conn
        self._key = key
        self._policy = None

    @property
    def unlocked(self) -> bool:
        return self._conn is not None

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise VaultError("The vault is locked. Unlock it first.")
        return self._conn

    @property
    def data_key(self) -> bytearray:
        if self._key is None:
            raise VaultError("The vault is locked. Unlock it first.")
        return self._key

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        with database.transaction(self.conn) as conn:
            yield conn

    # -- locking and closing ----------------------------------------------------------------
    def _close_db(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(database.DatabaseError):
                self._conn.close()
            self._conn = None

    def lock(self) -> None:
        """Close the database and overwrite the key in memory; the instance lock stays held."""
        self._close_db()
        _wipe(self._key)
        self._key = None
        self._policy = None

    def close(self) -> None:
        self.lock()
        self._lock.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- settings held inside the vault -----------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, conn: Connection, key: str, value: str) -> None:
        conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            self._policy = parse_policy(self.meta("policy") or "")
        return self._policy

    def replace_policy(self, text: str) -> Policy:
        policy = parse_policy(text)
        with self.transaction() as conn:
            self.set_meta(conn, "policy", text)
            audit.record(conn, "policy.replaced")
        self._policy = policy
        if not policy.allow_keyring_unlock and self.has_device_slot():
            # The slot is the only place the policy can be enforced: it is read before unlocking.
            self.disable_keyring_unlock()
        return policy

    # -- key slots --------------------------------------------------------------------------
    def change_passphrase(self, new_passphrase: str, kdf: Argon2Params | None = None) -> None:
        """Rewrap the passphrase slot only; the database is not re-encrypted."""
        self.slots.set_passphrase(new_passphrase, self.data_key, kdf or tune_argon2())
        self.slots.save(self.slots_path)
        with self.transaction() as conn:
            audit.record(conn, "vault.passphrase_changed")

    def new_recovery_key(self) -> str:
        text, secret = new_recovery_key()
        self.slots.set_recovery(secret, self.data_key)
        self.slots.save(self.slots_path)
        with self.transaction() as conn:
            audit.record(conn, "vault.recovery_key_replaced")
        return text

    def enable_keyring_unlock(self) -> bool:
        """Add a device slot whose secret lives in the OS keyring. False where none is available."""
        if not self.policy.allow_keyring_unlock:
            return False
        username = f"vault-{self.vault_id}"
        secret = device_keyring.store_new_secret(username)
        if secret is None:
            return False
        self.slots.set_device(secret, self.data_key, device_keyring.SERVICE, username)
        self.slots.save(self.slots_path)
        with self.transaction() as conn:
            audit.record(conn, "vault.keyring_enabled")
        return True

    def disable_keyring_unlock(self) -> None:
        entry = self.slots.device_keyring_entry()
        self.slots.remove(DEVICE)
        self.slots.save(self.slots_path)
        if entry:
            device_keyring.delete_secret(entry[1], entry[0])
        if self.unlocked:
            with self.transaction() as conn:
                audit.record(conn, "vault.keyring_disabled")

    # -- health -----------------------------------------------------------------------------
    def check(self) -> list[str]:
        """Problems found by a full check (empty when the vault is sound)."""
        problems: list[str] = []
        conn = self.conn
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems.append(f"database integrity check failed: {result[0]}")
            bad_pages = conn.execute("PRAGMA cipher_integrity_check").fetchall()
            if bad_pages:
                problems.append(f"{len(bad_pages)} encrypted page(s) fail their authentication check")
            if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                problems.append("some records point at records that do not exist")
        except database.DatabaseError as exc:
            problems.append(f"the database could not be read ({exc})")
            return problems
        version = schema.current_version(conn)
        if version != schema.LATEST:
            problems.append(f"schema version is {version}, expected {schema.LATEST}")
        broken = audit.verify_chain(conn)
        if broken:
            problems.append(f"the audit log's chain is broken: {broken}")
        if not self.slots.passphrase_params().meets_floor():
            problems.append("the passphrase slot's key derivation is below the safe minimum")
        return problems

    def describe(self) -> dict[str, object]:
        """What `check` prints about a sound vault: nothing personal."""
        conn = self.conn
        return {
            "vault_id": self.vault_id,
            "schema_version": schema.current_version(conn),
            "participants": conn.execute("SELECT count(*) FROM participants").fetchone()[0],
            "slots": sorted(str(s.get("type")) for s in self.slots.slots),
            "kdf": json.loads(json.dumps(self.slots.slot("passphrase")["kdf"]))  # type: ignore[index]
            | {"salt": "…"},
        }
