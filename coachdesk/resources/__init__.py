"""Files shipped with CoachDesk: the default policy, fonts, icons, the stylesheet."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def path(*parts: str) -> Path:
    """A shipped file's path (the package folder when installed, the bundle when frozen)."""
    return Path(str(resources.files(__name__).joinpath(*parts)))


def default_policy_text() -> str:
    return path("policy", "default.toml").read_text(encoding="utf-8")
