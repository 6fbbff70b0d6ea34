"""The rotating log file. Log lines name what happened and which command, never a participant's
details, a note, a passphrase or a key: messages built from user input stay on the screen."""

from __future__ import annotations

import functools
import logging
import logging.handlers
import os

from coachdesk.paths import log_dir


@functools.cache
def configure() -> None:
    """Attach the rotating file handler once per process."""
    root = logging.getLogger("coachdesk")
    root.setLevel(logging.INFO)
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            folder / "coachdesk.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
        os.chmod(folder / "coachdesk.log", 0o600)
    except OSError:
        handler = logging.NullHandler()  # a read-only profile must not stop the coach working
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
