"""The caseload file `coachdesk.caseload/1` (formats.md §1): reading, checking and writing it.

Import is all or nothing: every participant is decoded and checked before the first row is
written, and the writes share one transaction. Importing a participant whose id exists updates
it, so importing the same file twice changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from coachdesk.domain.checks import check_participant
from coachdesk.domain.clock import utc_stamp
from coachdesk.domain.codec import decode, encode, join_path
from coachdesk.domain.errors import ValidationError
from coachdesk.domain.model import Participant
from coachdesk.storage import audit, participants, schema
from coachdesk.storage.files import write_requested_file
from coachdesk.storage.vault import Vault

FORMAT = "coachdesk.caseload/1"
_TOP_KEYS = ("format", "exported_at", "participants")
MAX_FILE_BYTES = 512 * 1024 * 1024
_BATCH = 250  # records indexed for search together (see storage/search.py)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


def parse(data: bytes, practices: Iterable[str], today: date) -> list[Participant]:
    """Decode and check a caseload file's bytes; raises ValidationError naming the JSON path."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise ValidationError("", "the file starts with a byte-order mark; save it as UTF-8 without BOM")
    try:
        doc = json.loads(data.decode("utf-8"), object_pairs_hook=_no_repeated_keys)
    except UnicodeDecodeError:
        raise ValidationError("", "the file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise ValidationError("", f"the file is not valid JSON ({where}: {exc.msg})") from None
    except RecursionError:
        raise ValidationError("", "the file is not a caseload: its JSON is nested too deeply") from None
    if not isinstance(doc, dict):
        raise ValidationError("", "the file must hold a JSON object with format and participants")
    for key in doc:
        if key not in _TOP_KEYS:
            raise ValidationError(str(key), "is not a known key")
    if doc.get("format") != FORMAT:
        raise ValidationError("format", f"{doc.get('format')!r} is not {FORMAT!r}")
    raw = doc.get("participants")
    if not isinstance(raw, list):
        raise ValidationError("participants", "is required and must be a list")
    known = set(practices)
    seen: dict[str, int] = {}
    result: list[Participant] = []
    for i, item in enumerate(raw):
        path = join_path("participants", i)
        p = decode(Participant, item, path)
        check_participant(p, known, today, path)
        if p.id in seen:
            raise ValidationError(f"{path}.id", f"repeats the id of participants[{seen[p.id]}]")
        seen[p.id] = i
        result.append(p)
    _check_child_ids_unique(result)
    return result


def _no_repeated_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """json.loads keeps only the last of a repeated key: refuse instead of losing the first."""
    obj: dict[str, object] = {}
    for key, value in pairs:
        if key in obj:
            raise ValidationError("", f"the key {key!r} appears twice in one object; keep one of them")
        obj[key] = value
    return obj


def _check_child_ids_unique(records: list[Participant]) -> None:
    owners: dict[str, str] = {}
    for i, p in enumerate(records):
        for kind, items in (("sessions", p.sessions), ("goals", p.goals)):
            for j, item in enumerate(items):
                where = f"participants[{i}].{kind}[{j}].id"
                if item.id in owners:
                    raise ValidationError(where, f"repeats an id already used at {owners[item.id]}")
                owners[item.id] = where


def import_records(vault: Vault, records: list[Participant]) -> ImportResult:
    """Save checked records in one transaction (all or nothing)."""
    created = updated = 0
    with vault.transaction() as conn, schema.measure_indexes_deferred(conn, len(records)):
        # In batches: the search index is written once a batch (storage/search.py explains why).
        for start in range(0, len(records), _BATCH):
            batch = records[start : start + _BATCH]
            flags = participants.save_many(conn, batch, lambda i, start=start: join_path("participants", start + i))
            for p, new in zip(batch, flags, strict=True):
                if new:
                    created += 1
                    audit.record(conn, "participant.imported", p.id)
                else:
                    updated += 1
                    audit.record(conn, "participant.updated_by_import", p.id)
    return ImportResult(created, updated)


def import_file(vault: Vault, path: Path, today: date | None = None) -> ImportResult:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValidationError("", f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError("", f"cannot read {path}: {exc.strerror}") from None
    records = parse(data, vault.policy.practice_codes, today or date.today())
    return import_records(vault, records)


def document(records: Iterable[Participant], exported_at: datetime | None = None) -> dict[str, object]:
    stamp = utc_stamp(exported_at)
    return {"format": FORMAT, "exported_at": stamp, "participants": [encode(p) for p in records]}


def to_bytes(doc: dict[str, object]) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_file(vault: Vault, path: Path, participant_id: str | None = None) -> int:
    """Write the whole caseload (or one participant's record) atomically; returns how many."""
    if participant_id is not None:
        records = [participants.get(vault.conn, participant_id)]
    else:
        records = list(participants.iter_all(vault.conn))
    write_requested_file(path, to_bytes(document(records)), vault.folder)
    with vault.transaction() as conn:
        audit.record(conn, "caseload.exported", participant_id)
    return len(records)
