"""Work the action plan's preview runs on the vault's thread: build a participant's plan and render
its PDF in memory, write a PDF the coach asked for, and note that a plan was given. Plain
functions of an unlocked vault returning plain data (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from coachdesk.printing.action_plan import render
from coachdesk.services import plans
from coachdesk.services.plans import ActionPlan
from coachdesk.storage.files import write_requested_file
from coachdesk.storage.vault import Vault


@dataclass(frozen=True)
class PlanDocument:
    """A plan and its PDF, held in memory only (the preview reads the bytes; nothing is on disk)."""

    participant_id: str
    plan: ActionPlan
    pdf: bytes


def prepare(vault: Vault, participant_id: str, now: datetime, large_print: bool) -> PlanDocument:
    """The participant's plan as saved in the vault, and its PDF. A plan with characters the font
    cannot draw is still rendered, so the coach sees where they fall; the preview refuses to
    print or save it."""
    plan = plans.build_plan(vault, participant_id, now.date(), now, large_print=large_print)
    return PlanDocument(participant_id, plan, render(plan))


def write_pdf(vault: Vault, path: Path, pdf: bytes) -> Path:
    """Write the PDF where the coach chose: never inside the vault folder (VaultError says so)."""
    write_requested_file(path, pdf, vault.folder)
    return path


def record_issued(vault: Vault, participant_id: str, day: date) -> bool:
    """Note that the plan was given on `day` (once a day). True when the date was added."""
    return plans.record_issued(vault, participant_id, day)
