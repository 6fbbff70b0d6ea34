"""The vault folder's file names, and whether a folder holds a vault: cheap to import, so the
desktop app can decide between setup and unlock before any cryptography is loaded."""

from __future__ import annotations

from pathlib import Path

DB_NAME = "coachdesk.db"
SLOTS_NAME = "keyslots.json"
LOCK_NAME = "coachdesk.lock"


def vault_exists(folder: Path) -> bool:
    return (Path(folder) / SLOTS_NAME).exists()
