"""Key slots: the database's random data key, wrapped once per way of unlocking it (like LUKS).

`keyslots.json` sits beside the database. Each slot wraps the same 256-bit data key with
AES-256-GCM under a key derived from one secret: the passphrase (Argon2id, parameters stored in
the slot), the recovery key (HKDF: it already has 128 random bits) or a device secret kept in the
OS keyring (HKDF). The slot's metadata is the GCM associated data, so editing a stored parameter
breaks the slot instead of weakening it. Changing the passphrase rewraps one slot."""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.errors import VaultError, WrongKeyError
from coachdesk.storage.files import atomic_write

FORMAT = "coachdesk.keyslots/1"
DATA_KEY_BYTES = 32
PASSPHRASE, RECOVERY, DEVICE = "passphrase", "recovery", "device"

# security.md: never below 64 MiB and 3 passes, tuned to about half a second.
FLOOR_MEMORY_KIB = 64 * 1024
FLOOR_ITERATIONS = 3
CEILING_MEMORY_KIB = 1024 * 1024
TARGET_SECONDS = 0.5
LANES = 4


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, where: str) -> bytes:
    if not isinstance(text, str):
        raise VaultError(f"The key file is damaged ({where} is missing). Restore the vault from a backup.")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise VaultError(f"The key file is damaged ({where}). Restore the vault from a backup.") from None


def _slot_salt(slot: dict[str, Any], where: str) -> bytes:
    kdf = slot.get("kdf")
    return _unb64(kdf.get("salt") if isinstance(kdf, dict) else None, where)


@dataclass(frozen=True)
class Argon2Params:
    memory_kib: int = FLOOR_MEMORY_KIB
    iterations: int = FLOOR_ITERATIONS
    lanes: int = LANES

    def derive(self, secret: bytes, salt: bytes) -> bytes:
        kdf = Argon2id(salt=salt, length=32, iterations=self.iterations, lanes=self.lanes, memory_cost=self.memory_kib)
        return kdf.derive(secret)

    def meets_floor(self) -> bool:
        return self.memory_kib >= FLOOR_MEMORY_KIB and self.iterations >= FLOOR_ITERATIONS


def tune_argon2(target_seconds: float = TARGET_SECONDS) -> Argon2Params:
    """Raise the memory cost from the floor until one derivation takes about `target_seconds`.

    Memory is raised before passes because it is what makes guessing on graphics cards costly."""
    params = Argon2Params()
    salt = os.urandom(16)
    start = time.perf_counter()
    params.derive(b"tuning", salt)
    elapsed = time.perf_counter() - start
    if elapsed >= target_seconds * 0.8:
        return params
    # Argon2 time grows roughly linearly with memory; round to whole MiB.
    scale = target_seconds / max(elapsed, 1e-3)
    memory = min(CEILING_MEMORY_KIB, int(FLOOR_MEMORY_KIB * scale) // 1024 * 1024)
    iterations = FLOOR_ITERATIONS
    if memory >= CEILING_MEMORY_KIB:
        iterations = max(FLOOR_ITERATIONS, int(FLOOR_ITERATIONS * scale * FLOOR_MEMORY_KIB / CEILING_MEMORY_KIB))
    return Argon2Params(memory_kib=max(memory, FLOOR_MEMORY_KIB), iterations=iterations)


def _hkdf(secret: bytes, salt: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=purpose.encode()).derive(secret)


@dataclass
class KeySlotFile:
    """The parsed `keyslots.json`; slots are plain dicts so unknown future fields survive rewrites."""

    vault_id: str
    created_at: str
    database_salt: str
    slots: list[dict[str, Any]]

    # -- reading and writing ------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> KeySlotFile:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise VaultError(f"No vault was found in {path.parent} (keyslots.json is missing).") from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise VaultError(
                "The vault's key file (keyslots.json) is damaged or truncated. Restore the vault from a backup."
            ) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise VaultError("The vault's key file (keyslots.json) is not one this version of CoachDesk understands.")
        slots = data.get("slots")
        if not isinstance(slots, list) or not all(isinstance(s, dict) for s in slots):
            raise VaultError("The vault's key file (keyslots.json) is damaged: its slots are unreadable.")
        try:
            return cls(str(data["vault_id"]), str(data["created_at"]), str(data["database_salt"]), slots)
        except KeyError as exc:
            raise VaultError(f"The vault's key file (keyslots.json) is damaged: {exc.args[0]} is missing.") from None

    def to_bytes(self) -> bytes:
        data = {
            "format": FORMAT,
            "vault_id": self.vault_id,
            "created_at": self.created_at,
            "database_salt": self.database_salt,
            "slots": self.slots,
        }
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")

    def save(self, path: Path) -> None:
        atomic_write(path, self.to_bytes())

    # -- slots ------------------------------------------------------------------------------
    def slot(self, kind: str) -> dict[str, Any] | None:
        return next((s for s in self.slots if s.get("type") == kind), None)

    def has(self, kind: str) -> bool:
        return self.slot(kind) is not None

    def _aad(self, slot: dict[str, Any]) -> bytes:
        meta = {k: v for k, v in slot.items() if k not in ("nonce", "wrapped_key")}
        meta["vault_id"] = self.vault_id
        return json.dumps(meta, sort_keys=True, separators=(",", ":")).encode()

    def _put(self, slot: dict[str, Any], wrapping_key: bytes, data_key: bytes) -> None:
        nonce = os.urandom(12)
        slot["nonce"] = _b64(nonce)
        slot["wrapped_key"] = _b64(AESGCM(wrapping_key).encrypt(nonce, bytes(data_key), self._aad(slot)))
        self.slots = [s for s in self.slots if s.get("type") != slot["type"]] + [slot]

    def _open(self, kind: str, wrapping_key: bytes, wrong: str) -> bytearray:
        slot = self.slot(kind)
        if slot is None:  # pragma: no cover - callers check has()
            raise WrongKeyError(wrong)
        nonce = _unb64(slot.get("nonce"), f"{kind} slot nonce")
        wrapped = _unb64(slot.get("wrapped_key"), f"{kind} slot key")
        try:
            key = AESGCM(wrapping_key).decrypt(nonce, wrapped, self._aad(slot))
        except (InvalidTag, ValueError):
            raise WrongKeyError(wrong) from None
        if len(key) != DATA_KEY_BYTES:
            raise VaultError("The vault's key file (keyslots.json) is damaged: a slot holds a key of the wrong size.")
        return bytearray(key)

    # passphrase
    def set_passphrase(self, passphrase: str, data_key: bytes, params: Argon2Params) -> None:
        salt = os.urandom(16)
        slot: dict[str, Any] = {
            "type": PASSPHRASE,
            "kdf": {
                "name": "argon2id",
                "salt": _b64(salt),
                "memory_kib": params.memory_kib,
                "iterations": params.iterations,
                "lanes": params.lanes,
            },
        }
        self._put(slot, params.derive(passphrase.encode("utf-8"), salt), data_key)

    def passphrase_params(self) -> Argon2Params:
        slot = self.slot(PASSPHRASE)
        kdf = slot.get("kdf") if slot else None
        if not isinstance(kdf, dict) or kdf.get("name") != "argon2id":
            raise VaultError("The vault's key file (keyslots.json) has no usable passphrase slot.")
        try:
            params = Argon2Params(int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["lanes"]))
        except (KeyError, TypeError, ValueError):
            raise VaultError(
                "The vault's key file (keyslots.json) is damaged: the passphrase slot's settings are unreadable."
            ) from None
        if not params.meets_floor() or params.memory_kib > 4 * CEILING_MEMORY_KIB or not 1 <= params.lanes <= 64:
            raise VaultError("The vault's key file (keyslots.json) has passphrase settings outside the safe range.")
        return params

    def open_with_passphrase(self, passphrase: str) -> bytearray:
        params = self.passphrase_params()
        kdf = self.slot(PASSPHRASE)["kdf"]  # type: ignore[index]
        wrapping = params.derive(passphrase.encode("utf-8"), _unb64(kdf.get("salt"), "passphrase salt"))
        return self._open(PASSPHRASE, wrapping, "Wrong passphrase. Check Caps Lock and try again.")

    # recovery key
    def set_recovery(self, secret: bytes, data_key: bytes) -> None:
        salt = os.urandom(16)
        slot: dict[str, Any] = {"type": RECOVERY, "kdf": {"name": "hkdf-sha256", "salt": _b64(salt)}}
        self._put(slot, _hkdf(secret, salt, "coachdesk recovery slot"), data_key)

    def open_with_recovery(self, secret: bytes) -> bytearray:
        slot = self.slot(RECOVERY)
        if slot is None:
            raise WrongKeyError("This vault has no recovery key slot.")
        salt = _slot_salt(slot, "recovery salt")
        wrapping = _hkdf(secret, salt, "coachdesk recovery slot")
        return self._open(RECOVERY, wrapping, "That recovery key does not open this vault.")

    # device (OS keyring)
    def set_device(self, secret: bytes, data_key: bytes, service: str, username: str) -> None:
        salt = os.urandom(16)
        slot: dict[str, Any] = {
            "type": DEVICE,
            "kdf": {"name": "hkdf-sha256", "salt": _b64(salt)},
            "keyring": {"service": service, "username": username},
        }
        self._put(slot, _hkdf(secret, salt, "coachdesk device slot"), data_key)

    def device_keyring_entry(self) -> tuple[str, str] | None:
        slot = self.slot(DEVICE)
        entry = slot.get("keyring") if slot else None
        if not isinstance(entry, dict):
            return None
        return str(entry.get("service")), str(entry.get("username"))

    def open_with_device(self, secret: bytes) -> bytearray:
        slot = self.slot(DEVICE)
        if slot is None:
            raise WrongKeyError("This vault has no keyring slot on this computer.")
        salt = _slot_salt(slot, "device salt")
        wrapping = _hkdf(secret, salt, "coachdesk device slot")
        return self._open(DEVICE, wrapping, "The keyring's secret does not open this vault.")

    def remove(self, kind: str) -> None:
        self.slots = [s for s in self.slots if s.get("type") != kind]


def new_slot_file(vault_id: str, database_salt: bytes) -> KeySlotFile:
    now = utc_stamp()
    return KeySlotFile(vault_id=vault_id, created_at=now, database_salt=database_salt.hex(), slots=[])
