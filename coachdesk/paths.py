"""Where CoachDesk keeps things on this computer: per-user folders, never the install folder."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "CoachDesk"


def default_vault_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "vault"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
