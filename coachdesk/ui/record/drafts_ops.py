"""Work the record page runs on the vault's thread for drafts: note text that was typed and not
saved when the vault locked. Plain functions of an unlocked vault (no Qt); storage does the SQL."""

from __future__ import annotations

from coachdesk.storage import drafts
from coachdesk.storage.drafts import Draft
from coachdesk.storage.vault import Vault


def save_drafts(vault: Vault, participant_id: str, notes: list[tuple[str, str]]) -> None:
    """Keep each (key, text) as an encrypted draft of this participant, all in one transaction."""
    with vault.transaction() as conn:
        for key, body in notes:
            drafts.save(conn, key, participant_id, body)


def all_drafts(vault: Vault) -> list[Draft]:
    """Every draft, oldest first."""
    return drafts.all_drafts(vault.conn)


def drafts_for(vault: Vault, participant_id: str) -> list[Draft]:
    return [d for d in drafts.all_drafts(vault.conn) if d.participant_id == participant_id]


def discard_for(vault: Vault, participant_id: str) -> None:
    """Forget a participant's drafts (their record was saved, or the coach discarded the edits)."""
    with vault.transaction() as conn:
        for d in drafts.all_drafts(conn):
            if d.participant_id == participant_id:
                drafts.discard(conn, d.key)
