"""The bundle `coachdesk.bundle/1` (formats.md §2): one device's de-identified counts for one month,
signed with Ed25519. The coach's sync writes it and the hub reads it; both go through this module,
so the two sides cannot drift apart.

Canonical JSON is `json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
encoded as UTF-8; a bundle holds no floats, so this equals RFC 8785. The signature covers the
canonical JSON of the bundle without its `signature` key."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from coachdesk.domain.errors import ValidationError
from coachdesk.domain.measures import CATALOGUES, catalogue_version_of
from coachdesk.domain.rules import parse_month

FORMAT = "coachdesk.bundle/1"
SIGNATURE_ALG = "ed25519"
MAX_BUNDLE_BYTES = 1024 * 1024  # the hub answers 413 above this
# No practice sees a million of anything in a month: a larger count is a broken or hostile sender.
MAX_COUNT = 1_000_000
MAX_SOURCE_SUPPRESSION = 100  # the policy's own bound
MAX_REVISION = 1_000_000
_SIGNATURE_BYTES = 64  # Ed25519

_KEYS = (
    "format",
    "bundle_id",
    "device_id",
    "programme",
    "period",
    "revision",
    "generated_at",
    "software",
    "source_suppression",
    "cells",
    "signature",
)
_CELL_KEYS = ("practice", "measure", "value")
_UTC_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
# Practice codes as the policy allows them: short, printable, no white space; "ALL" is the hub's total.
_PRACTICE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")
_NAME_RE = re.compile(r"[\x20-\x7e]{1,100}")  # programme and software names: short printable ASCII

# Device ids are derived from the public key, so the id `coachdesk device` prints before enrolment
# is the id the hub assigns at enrolment: one key, one id, on both sides.
_DEVICE_NAMESPACE = uuid.UUID("5b0f3c7e-6a51-4c52-9a7e-0c0ac4de5b01")


@dataclass(frozen=True, slots=True)
class Cell:
    practice: str
    measure: str
    value: int | None  # None: source-suppressed (1 to k-1 at the device)


@dataclass(frozen=True, slots=True)
class Bundle:
    """A bundle read and checked by `parse_bundle` (its signature is checked by `verify`)."""

    bundle_id: str
    device_id: str
    programme: str
    period: str
    revision: int
    generated_at: str
    software: str
    source_suppression: int
    cells: tuple[Cell, ...]
    catalogue_version: int
    signature: bytes
    document: Mapping[str, Any]  # the bundle as received, for the receipt and the signature check

    @property
    def practices(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(cell.practice for cell in self.cells))


def canonical_json(document: Mapping[str, Any]) -> bytes:
    """The one byte form of a bundle (or any float-free JSON object) that is signed and hashed."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def receipt_of(document: Mapping[str, Any]) -> str:
    """The hub's receipt for a bundle: SHA-256 (hex) of the canonical JSON of the whole bundle."""
    return hashlib.sha256(canonical_json(document)).hexdigest()


def suppress(value: int, threshold: int) -> int | None:
    """Source suppression: with k > 0, a count from 1 to k-1 is sent as null; 0 stays 0."""
    return None if threshold > 0 and 0 < value < threshold else value


def cells_from_counts(counts: Mapping[str, Mapping[str, int]], threshold: int) -> list[dict[str, Any]]:
    """practice -> measure -> count as bundle cells, sorted by practice then measure, suppressed."""
    return [
        {"practice": practice, "measure": measure, "value": suppress(counts[practice][measure], threshold)}
        for practice in sorted(counts)
        for measure in sorted(counts[practice])
    ]


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes_raw()


def public_key_text(raw: bytes) -> str:
    """A public key as interfaces.md writes it: base64 of the raw 32 bytes."""
    return base64.b64encode(raw).decode("ascii")


def parse_public_key(text: object, path: str = "public_key") -> bytes:
    if not isinstance(text, str):
        raise ValidationError(path, "must be the base64 of a 32-byte Ed25519 public key")
    try:
        raw = base64.b64decode(text, validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise ValidationError(path, "must be the base64 of a 32-byte Ed25519 public key") from None
    return raw


def device_id_for(public_key: bytes) -> str:
    """The device id that belongs to a raw Ed25519 public key (UUID version 5)."""
    return str(uuid.uuid5(_DEVICE_NAMESPACE, public_key_text(public_key)))


def sign(document: Mapping[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """The bundle `document` (without a signature) with its Ed25519 signature added."""
    unsigned = {key: value for key, value in document.items() if key != "signature"}
    signature = private_key.sign(canonical_json(unsigned))
    return {**unsigned, "signature": {"alg": SIGNATURE_ALG, "value": base64.b64encode(signature).decode("ascii")}}


def verify(bundle: Bundle, public_key: bytes) -> bool:
    """True when `bundle` was signed by the private half of `public_key` and not changed since."""
    unsigned = {key: value for key, value in bundle.document.items() if key != "signature"}
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(bundle.signature, canonical_json(unsigned))
    except (InvalidSignature, ValueError):
        return False
    return True


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a bundle")


def _reject_float(text: str) -> Any:
    raise ValueError(f"{text} is not a whole number: a bundle holds no floats")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice")
        result[key] = value
    return result


def load_bundle_json(data: bytes) -> Any:
    """Bytes to the JSON value of a bundle: UTF-8 without BOM, at most 1 MiB, no floats, NaN or
    repeated keys (each could make two readers see two different bundles)."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise ValidationError("", f"the bundle is larger than {MAX_BUNDLE_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("", "the bundle is not UTF-8 text") from None
    if text.startswith("\ufeff"):
        raise ValidationError("", "the bundle starts with a byte order mark; write UTF-8 without one")
    try:
        return json.loads(
            text, parse_float=_reject_float, parse_constant=_reject_constant, object_pairs_hook=_unique_keys
        )
    except (ValueError, RecursionError) as error:
        raise ValidationError("", f"the bundle is not valid JSON ({error})") from None


def _integer(value: object, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(path, f"must be a whole number from {low} to {high}")
    return value


def _text(value: object, path: str, pattern: re.Pattern[str], what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValidationError(path, f"must be {what}")
    return value


def _uuid(value: object, path: str) -> str:
    if isinstance(value, str):
        try:
            if str(uuid.UUID(value)) == value:
                return value
        except ValueError:
            pass
    raise ValidationError(path, "must be a UUID in lower-case hex with hyphens")


def parse_bundle(document: object) -> Bundle:
    """Check a bundle's shape against formats.md §2 and the measure catalogue; the message of the
    ValidationError names the field. The signature's validity is `verify`'s job."""
    if not isinstance(document, dict):
        raise ValidationError("", "a bundle is a JSON object")
    for key in document:
        if key not in _KEYS:
            raise ValidationError(str(key), "is not a key of coachdesk.bundle/1")
    for key in _KEYS:
        if key not in document:
            raise ValidationError(key, "is missing")
    if document["format"] != FORMAT:
        raise ValidationError("format", f"must be {FORMAT!r}")
    period = document["period"]
    if not isinstance(period, str) or parse_month(period) is None:
        raise ValidationError("period", "must be a month written YYYY-MM")
    generated_at = _text(document["generated_at"], "generated_at", _UTC_RE, "a UTC time like 2015-12-01T09:00:00Z")
    cells_value = document["cells"]
    if not isinstance(cells_value, list):
        raise ValidationError("cells", "must be a list of cells")
    cells: list[Cell] = []
    for i, raw in enumerate(cells_value):
        where = f"cells[{i}]"
        if not isinstance(raw, dict):
            raise ValidationError(where, "must be an object with practice, measure and value")
        for key in raw:
            if key not in _CELL_KEYS:
                raise ValidationError(f"{where}.{key}", "is not a key of a cell")
        for key in _CELL_KEYS:
            if key not in raw:
                raise ValidationError(f"{where}.{key}", "is missing")
        practice = _text(raw["practice"], f"{where}.practice", _PRACTICE_RE, "a practice code")
        if practice == "ALL":
            raise ValidationError(f"{where}.practice", "'ALL' is reserved for the all-practices total")
        measure = raw["measure"]
        if not isinstance(measure, str):
            raise ValidationError(f"{where}.measure", "must be the name of a measure")
        value = raw["value"]
        if value is not None:
            value = _integer(value, f"{where}.value", 0, MAX_COUNT)
        cell = Cell(practice, measure, value)
        if cells and (cells[-1].practice, cells[-1].measure) >= (practice, measure):
            raise ValidationError(where, "cells must be sorted by practice, then measure, each once")
        cells.append(cell)
    version = _check_catalogue(cells)
    signature = document["signature"]
    if not isinstance(signature, dict) or set(signature) != {"alg", "value"}:
        raise ValidationError("signature", "must be an object with alg and value")
    if signature["alg"] != SIGNATURE_ALG:
        raise ValidationError("signature.alg", f"must be {SIGNATURE_ALG!r}")
    try:
        raw_signature = base64.b64decode(signature["value"], validate=True)
    except (binascii.Error, TypeError, ValueError):
        raw_signature = b""
    if len(raw_signature) != _SIGNATURE_BYTES:
        raise ValidationError("signature.value", "must be the base64 of a 64-byte Ed25519 signature")
    return Bundle(
        bundle_id=_uuid(document["bundle_id"], "bundle_id"),
        device_id=_uuid(document["device_id"], "device_id"),
        programme=_text(document["programme"], "programme", _NAME_RE, "the programme's name"),
        period=period,
        revision=_integer(document["revision"], "revision", 1, MAX_REVISION),
        generated_at=generated_at,
        software=_text(document["software"], "software", _NAME_RE, "the sending software and its version"),
        source_suppression=_integer(document["source_suppression"], "source_suppression", 0, MAX_SOURCE_SUPPRESSION),
        cells=tuple(cells),
        catalogue_version=version,
        signature=raw_signature,
        document=document,
    )


def _check_catalogue(cells: list[Cell]) -> int:
    """Every practice must carry exactly the measures of one catalogue version (zeros included)."""
    by_practice: dict[str, list[str]] = {}
    for cell in cells:
        by_practice.setdefault(cell.practice, []).append(cell.measure)
    versions: set[int] = set()
    for practice, measures in by_practice.items():
        version = catalogue_version_of(frozenset(measures))
        if version is None:
            raise ValidationError(
                f"cells (practice {practice})",
                "must hold every measure of the catalogue exactly once, and nothing else",
            )
        versions.add(version)
    if len(versions) > 1:
        raise ValidationError("cells", "every practice must use the same catalogue version")
    # A bundle with no practice (nobody referred yet) is read as the newest catalogue.
    return versions.pop() if versions else max(CATALOGUES)


def parse_bundle_bytes(data: bytes) -> Bundle:
    """`load_bundle_json` then `parse_bundle`: what the hub and `coachdesk-hub import` call."""
    return parse_bundle(load_bundle_json(data))
