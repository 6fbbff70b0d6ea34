"""A child process for the crash-safety test (security.md "Crash safety").

    python crash_writer.py VAULT_DIR [LIMIT]     (passphrase in COACHDESK_PASSPHRASE)

Opens the vault, then saves one new participant per transaction, forever (or LIMIT times). After
each COMMIT it prints the participant's id on its own line and flushes: an id on stdout is a
promise that the change was committed. The test kills this process with SIGKILL at random moments
and then checks the promise."""

from __future__ import annotations

import os
import sys
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from coachdesk.domain.model import EmployerContact, Goal, GoalStep, Participant, Session
from coachdesk.domain.vocabulary import Attendance, ReferralSource, SessionType
from coachdesk.storage import audit, participants
from coachdesk.storage.vault import Vault

NOTE = "Talked through the week's applications and what to say about the gap in work history. " * 20


def record(n: int) -> Participant:
    referral = date(2015, 10, 1) + timedelta(days=n % 300)
    return Participant(
        given_name=f"Crash{n}",
        family_name=f"Writer{os.getpid()}",
        date_of_birth=date(1980, 1, 1) + timedelta(days=n % 3000),
        practice="P01",
        referral_date=referral,
        referral_source=ReferralSource.GP,
        sessions=[
            Session(
                id=str(uuid.uuid4()),
                start=datetime(referral.year, referral.month, referral.day, 9, 0) + timedelta(days=7 * i),
                minutes=45,
                type=SessionType.REVIEW,
                attendance=Attendance.ATTENDED,
                notes=f"{NOTE} session {i}",
            )
            for i in range(6)
        ],
        goals=[Goal(title="Find work", created=referral, steps=[GoalStep(text=f"step {i}") for i in range(3)])],
        employer_contacts=[EmployerContact(date=referral, employer="Corner Shop Ltd", notes=NOTE)],
    )


def main() -> int:
    folder = Path(sys.argv[1])
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
    vault = Vault.open(folder)
    try:
        vault.unlock_with_passphrase(os.environ["COACHDESK_PASSPHRASE"])
        print("unlocked", flush=True)
        n = 0
        while limit is None or n < limit:
            p = record(n)
            with vault.transaction() as conn:
                participants.save(conn, p)
                audit.record(conn, "participant.created", p.id)
            # COMMIT has returned: only now may the id be reported.
            sys.stdout.write(p.id + "\n")
            sys.stdout.flush()
            n += 1
    finally:
        vault.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
