"""Filling a new vault with the demo caseload, in one transaction, with progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from coachdesk.services import demo
from coachdesk.storage import audit, participants
from coachdesk.storage.vault import Vault

_REPORT_EVERY = 250


def fill(vault: Vault, count: int, seed: int, today: date, progress: Callable[[int, int], None] | None = None) -> int:
    """Add `count` synthetic participants for the vault's practices; all or nothing."""
    practices = sorted(vault.policy.practice_codes)
    done = 0
    with vault.transaction() as conn:
        for record in demo.generate(count, seed, practices, today):
            participants.save(conn, record)
            audit.record(conn, "participant.created", record.id)
            done += 1
            if progress and (done % _REPORT_EVERY == 0 or done == count):
                progress(done, count)
    return done
