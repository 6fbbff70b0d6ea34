"""The bundle format (formats.md §2) as both sides read it: canonical JSON, the Ed25519 signature,
and the checks that name the field at fault."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from coachdesk.domain import bundle as fmt
from coachdesk.domain.errors import ValidationError
from coachdesk.domain.measures import CATALOGUE

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = fmt.public_key_bytes(KEY)


def document(**changes: Any) -> dict[str, Any]:
    counts = {"P01": dict.fromkeys(CATALOGUE, 0), "P02": dict.fromkeys(CATALOGUE, 3)}
    counts["P01"]["referrals_received"] = 12
    doc = {
        "format": fmt.FORMAT,
        "bundle_id": "8b6f0c3e-2f1a-4c8e-9a51-0d4f7b2e9c11",
        "device_id": fmt.device_id_for(PUBLIC),
        "programme": "islington-working-better",
        "period": "2015-11",
        "revision": 3,
        "generated_at": "2015-12-01T09:00:00Z",
        "software": "coachdesk 0.1.0",
        "source_suppression": 0,
        "cells": fmt.cells_from_counts(counts, 0),
    }
    doc.update(changes)
    return fmt.sign(doc, KEY)


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert fmt.canonical_json({"b": 1, "a": ["é", None]}) == '{"a":["é",null],"b":1}'.encode()


def test_a_signed_bundle_verifies_with_its_devices_key() -> None:
    signed = fmt.parse_bundle_bytes(fmt.canonical_json(document()))
    assert fmt.verify(signed, PUBLIC)
    assert signed.catalogue_version == 1
    assert signed.practices == ("P01", "P02")


def test_another_devices_key_does_not_verify() -> None:
    other = fmt.public_key_bytes(Ed25519PrivateKey.generate())
    assert not fmt.verify(fmt.parse_bundle(document()), other)


def test_any_changed_byte_breaks_the_signature() -> None:
    """Flip each byte of the canonical bundle that still parses as a valid bundle: none verifies."""
    data = bytearray(fmt.canonical_json(document()))
    still_valid = 0
    for i in range(len(data)):
        changed = bytearray(data)
        changed[i] ^= 0x01
        try:
            parsed = fmt.parse_bundle_bytes(bytes(changed))
        except ValidationError:
            continue  # refused before the signature is even looked at
        still_valid += 1
        assert not fmt.verify(parsed, PUBLIC), f"byte {i} changed and the signature still held"
    assert still_valid > 100  # digits of counts, ids and dates: plenty of silent edits were tried


def test_key_order_and_white_space_do_not_change_the_signature() -> None:
    """The signature covers the canonical form, so a pretty-printed copy carried by hand verifies."""
    pretty = json.dumps(document(), indent=2, sort_keys=False).encode()
    assert fmt.verify(fmt.parse_bundle_bytes(pretty), PUBLIC)


def test_receipt_is_sha256_of_the_canonical_bundle() -> None:
    import hashlib

    doc = document()
    assert fmt.receipt_of(doc) == hashlib.sha256(fmt.canonical_json(doc)).hexdigest()


def test_device_id_follows_the_key() -> None:
    assert fmt.device_id_for(PUBLIC) == fmt.device_id_for(PUBLIC)
    assert fmt.device_id_for(PUBLIC) != fmt.device_id_for(fmt.public_key_bytes(Ed25519PrivateKey.generate()))
    assert fmt.parse_public_key(fmt.public_key_text(PUBLIC)) == PUBLIC


def test_source_suppression_sends_small_counts_as_null() -> None:
    assert [fmt.suppress(v, 5) for v in (0, 1, 4, 5, 9)] == [0, None, None, 5, 9]
    assert [fmt.suppress(v, 0) for v in (0, 1, 4)] == [0, 1, 4]


def test_cells_are_sorted_by_practice_then_measure() -> None:
    cells = fmt.cells_from_counts({"P02": {"b": 1, "a": 2}, "P01": {"z": 3}}, 0)
    assert [(c["practice"], c["measure"]) for c in cells] == [("P01", "z"), ("P02", "a"), ("P02", "b")]


def _without_signature(**changes: Any) -> dict[str, Any]:
    doc = document()
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        (_without_signature(format="coachdesk.bundle/2"), "format"),
        (_without_signature(period="2015-13"), "period"),
        (_without_signature(revision=0), "revision"),
        (_without_signature(revision=True), "revision"),
        (_without_signature(device_id="not-a-uuid"), "device_id"),
        (_without_signature(generated_at="2015-12-01"), "generated_at"),
        (_without_signature(source_suppression=-1), "source_suppression"),
        (_without_signature(extra="x"), "extra"),
        (_without_signature(signature={"alg": "rsa", "value": ""}), "signature.alg"),
        (_without_signature(signature={"alg": "ed25519", "value": "AAAA"}), "signature.value"),
    ],
)
def test_bad_fields_are_named(doc: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        fmt.parse_bundle(doc)
    assert caught.value.path == field


def test_bad_cells_are_named() -> None:
    doc = document()
    doc["cells"][5]["value"] = -1
    with pytest.raises(ValidationError, match=r"cells\[5\]\.value"):
        fmt.parse_bundle(doc)
    doc = document()
    doc["cells"][0], doc["cells"][1] = doc["cells"][1], doc["cells"][0]
    with pytest.raises(ValidationError, match=r"cells\[1\]: cells must be sorted"):
        fmt.parse_bundle(doc)
    doc = document()
    del doc["cells"][7]
    with pytest.raises(ValidationError, match=r"practice P01.*every measure"):
        fmt.parse_bundle(doc)
    doc = document()
    doc["cells"][0]["value"] = fmt.MAX_COUNT + 1
    with pytest.raises(ValidationError, match=r"cells\[0\]\.value"):
        fmt.parse_bundle(doc)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1.5}', "no floats"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": 1, "a": 2}', "appears twice"),
        ("\ufeff{}".encode(), "byte order mark"),
        (b"\xff\xfe", "not UTF-8"),
        (b" " * (fmt.MAX_BUNDLE_BYTES + 1), "larger than"),
    ],
)
def test_unsafe_json_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        fmt.load_bundle_json(data)


def test_signature_value_is_base64_of_64_bytes() -> None:
    value = document()["signature"]["value"]
    assert len(base64.b64decode(value)) == 64
