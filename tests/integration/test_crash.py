"""Crash safety (security.md): a child writes one participant per transaction and reports each
commit; SIGKILL at random moments must never cost a reported change or the database's integrity."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from testkit import PASSPHRASE, SUPPORT, VaultFolder

from coachdesk.storage import audit, participants
from coachdesk.storage.database import Connection

TRIALS = 21
EARLY_EVERY = 6  # every sixth trial is timed from the writer's launch
SEED = 20261123
WRITER = SUPPORT / "crash_writer.py"


class Writer:
    """The crash_writer child, with a thread collecting the lines it reports."""

    def __init__(self, folder: Path) -> None:
        env = {**os.environ, "COACHDESK_PASSPHRASE": PASSPHRASE}
        self.proc = subprocess.Popen(
            [sys.executable, str(WRITER), str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self.unlocked = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            # Only whole lines count: a line cut short by the kill was never fully reported.
            if line.endswith("\n"):
                self.lines.append(line)
                if line == "unlocked\n":
                    self.unlocked.set()

    def kill(self) -> str:
        """SIGKILL the child (it must still be running); its stderr."""
        exited_early = self.proc.poll() is not None
        if not exited_early:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.reader.join(timeout=30)
        stderr = self.proc.stderr.read() if self.proc.stderr else ""
        assert not exited_early, f"the writer stopped by itself:\n{stderr}"
        assert self.proc.returncode == -signal.SIGKILL
        return stderr


def _reported_ids(lines: list[str]) -> list[str]:
    ids = []
    for line in lines:
        text = line.strip()
        if text == "unlocked":
            continue
        assert str(uuid.UUID(text)) == text, f"unexpected output from the writer: {line!r}"
        ids.append(text)
    return ids


def _check_whole(conn: Connection, participant_id: str) -> None:
    """A participant is all there with its audit entry, or not there at all (one transaction)."""
    p = participants.get(conn, participant_id)
    assert len(p.sessions) == 6, participant_id
    assert [len(g.steps) for g in p.goals] == [3], participant_id
    assert len(p.employer_contacts) == 1, participant_id
    assert [e.action for e in audit.entries(conn, participant_id)] == ["participant.created"], participant_id


@pytest.mark.slow
def test_sigkill_never_loses_a_committed_change(vault_folder: VaultFolder) -> None:
    rng = random.Random(SEED)
    every_id: list[str] = []
    checked: set[str] = set()
    killed_while_writing = 0
    started = time.monotonic()
    for trial in range(TRIALS):
        delay = rng.uniform(0.05, 1.5)
        writer = Writer(vault_folder.path)
        if trial % EARLY_EVERY == 0:
            # Now and then the clock starts at launch, so the kill may land while the vault is opening.
            time.sleep(delay / 4)
        else:
            # Otherwise it starts once the vault is unlocked: however slow the machine is to start
            # Python, the kill lands in the write loop, most likely inside a transaction.
            assert writer.unlocked.wait(timeout=60), "the writer did not unlock the vault"
            time.sleep(delay)
        writer.kill()
        ids = _reported_ids(writer.lines)
        if ids:
            killed_while_writing += 1
        every_id.extend(ids)

        vault = vault_folder.open()  # the lock died with the child: opening must succeed
        try:
            problems = vault.check()
            assert problems == [], f"trial {trial} (killed after {delay:.2f} s): {problems}"
            missing = [i for i in every_id if not participants.exists(vault.conn, i)]
            assert missing == [], f"trial {trial}: {len(missing)} committed participant(s) lost"
            in_db = {row[0] for row in vault.conn.execute("SELECT id FROM participants")}
            # At most one commit per trial can have happened without its id reaching us (killed in between).
            assert len(every_id) <= len(in_db) <= len(every_id) + trial + 1
            for participant_id in sorted(in_db - checked):
                _check_whole(vault.conn, participant_id)
            checked |= in_db
        finally:
            vault.close()
    elapsed = time.monotonic() - started
    assert killed_while_writing >= TRIALS // 2, "most kills should land while the writer is committing"
    assert len(every_id) > TRIALS, "the vault should have grown across trials"
    assert elapsed < 150, f"the crash trials took {elapsed:.0f} s"
