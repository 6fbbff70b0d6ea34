"""Filling a new vault with the demo caseload, in one transaction, with progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from coachdesk.domain.model import Participant
from coachdesk.services import demo
from coachdesk.storage import audit, participants, schema
from coachdesk.storage.database import Connection
from coachdesk.storage.vault import Vault

_BATCH = 250  # records indexed for search together (see storage/search.py)


def fill(vault: Vault, count: int, seed: int, today: date, progress: Callable[[int, int], None] | None = None) -> int:
    """Add `count` synthetic participants for the vault's practices; all or nothing."""
    practices = sorted(vault.policy.practice_codes)
    done = 0
    batch: list[Participant] = []
    with vault.transaction() as conn, schema.measure_indexes_deferred(conn, count):
        for record in demo.generate(count, seed, practices, today):
            batch.append(record)
            if len(batch) == _BATCH:
                done += _save(conn, batch)
                batch.clear()
                if progress:
                    progress(done, count)
        done += _save(conn, batch)
    if progress:
        progress(done, count)
    return done


def _save(conn: Connection, batch: list[Participant]) -> int:
    participants.save_many(conn, batch)
    for record in batch:
        audit.record(conn, "participant.created", record.id)
    return len(batch)
