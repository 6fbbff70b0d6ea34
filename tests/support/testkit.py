"""Shared test helpers: the test passphrase and policy, fresh vault folders, saving records, running the CLI.

Importable from every test folder (pytest's `pythonpath` includes tests/support)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from coachdesk.domain.model import Participant, Session
from coachdesk.domain.vocabulary import Attendance, SessionType
from coachdesk.storage import participants
from coachdesk.storage.keyslots import Argon2Params
from coachdesk.storage.vault import Vault

ROOT = Path(__file__).resolve().parents[2]
SUPPORT = Path(__file__).resolve().parent
PASSPHRASE = "correct horse battery staple"
FAST_KDF = Argon2Params()  # the security floor: the fastest a real vault may be
POLICY = """\
programme = "test-programme"
allow_keyring_unlock = true
[[practices]]
code = "P01"
name = "City Road Medical Centre"
[[practices]]
code = "P02"
name = "Goodinge Group Practice"
[[living_wage]]
from = "2015-11-02"
pence = 940
"""


@dataclass
class VaultFolder:
    path: Path
    recovery_key: str

    def open(self) -> Vault:
        vault = Vault.open(self.path)
        vault.unlock_with_passphrase(PASSPHRASE)
        return vault


def save(vault: Vault, *people: Participant) -> None:
    """Save the records in one transaction, as an import would."""
    with vault.transaction() as conn:
        for p in people:
            participants.save(conn, p)


def session(start: str, attendance: Attendance) -> Session:
    """A review session starting at `start` (ISO 8601, local time)."""
    return Session(start=datetime.fromisoformat(start), type=SessionType.REVIEW, attendance=attendance)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str, env: dict[str, str] | None = None, input_text: str | None = None) -> CliResult:
    """Run `python -m coachdesk` as the coach would, in the test's profile."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join([str(SUPPORT), str(ROOT), full_env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-m", "coachdesk", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input_text,
        timeout=300,
        check=False,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
