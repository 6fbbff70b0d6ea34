"""Subject access (issue 8): the readable PDF holds this participant's data — details, notes,
inventory, goals, contacts, outcomes, closure, audit entries — and nobody else's; the caseload
file beside it is the same record."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from coachdesk.domain.errors import VaultError
from coachdesk.domain.model import (
    Closure,
    EmployerContact,
    Goal,
    GoalStep,
    Outcome,
    Participant,
    Qualification,
    Session,
    Skill,
    SkillsInventory,
    WorkHistoryEntry,
)
from coachdesk.domain.vocabulary import (
    Benefit,
    ClosureReason,
    ConditionCategory,
    GoalCategory,
    OutcomeType,
    ReferralSource,
    SessionType,
)
from coachdesk.services import caseload, governance
from coachdesk.storage import audit
from coachdesk.storage.vault import Vault

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 15, 30)


def full(pid: str, word: str) -> Participant:
    """A record whose every free-text field carries `word`, so the PDF's text shows whose it is."""
    return Participant(
        id=pid,
        given_name=f"{word}given",
        family_name=f"{word}family",
        preferred_name=f"{word}pref",
        date_of_birth=date(1980, 1, 2),
        nhs_number="9434765919" if word == "Alpha" else None,
        phone="07700 900123",
        email=f"{word.lower()}@example.org",
        postcode=f"{word}PC",
        practice="P01",
        referral_date=date(2025, 10, 1),
        referral_source=ReferralSource.GP,
        benefits_at_referral=[Benefit.ESA_WRAG],
        conditions=[ConditionCategory.MUSCULOSKELETAL],
        sessions=[
            Session(
                id=f"{pid}-s1",
                start=datetime(2025, 10, 6, 10),
                minutes=45,
                type=SessionType.INITIAL_ASSESSMENT,
                notes=f"{word}note about back pain & <hours>",
            )
        ],
        skills_inventory=SkillsInventory(
            completed_on=date(2025, 10, 6),
            work_history=[WorkHistoryEntry(employer=f"{word}employer", role=f"{word}role")],
            qualifications=[Qualification(title=f"{word}qual")],
            skills=[Skill(name=f"{word}skill", confidence=3)],
            barriers=[f"{word}barrier"],
        ),
        goals=[
            Goal(
                id=f"{pid}-g1",
                title=f"{word}goal",
                category=GoalCategory.WORK,
                created=date(2025, 10, 6),
                steps=[GoalStep(text=f"{word}step")],
            )
        ],
        employer_contacts=[EmployerContact(date=date(2025, 11, 1), employer=f"{word}contact", notes=f"{word}cnote")],
        outcomes=[Outcome(type=OutcomeType.JOB_START, date=date(2026, 1, 5), employer=f"{word}outcome")],
        closed=Closure(date=date(2026, 6, 1), reason=ClosureReason.SUSTAINED_EMPLOYMENT),
    )


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


@pytest.fixture
def two(vault: Vault) -> Vault:
    caseload.register(vault, full("alpha-id", "Alpha"), TODAY)
    caseload.register(vault, full("bravo-id", "Bravo"), TODAY)
    caseload.save_record(vault, caseload.load(vault, "alpha-id"), TODAY)
    return vault


def test_the_pdf_holds_this_participant_and_nobody_else(two: Vault, tmp_path: Path) -> None:
    files = governance.export_subject_access(two, "alpha-id", tmp_path, NOW)
    assert files.pdf.name == "subject-access-alpha-id-2026-11-23.pdf"
    text = pdf_text(files.pdf)
    squashed = text.replace("\n", " ")
    for word in (
        "Alphagiven Alphafamily",
        "Alphapref",
        "AlphaPC",
        "Alphanote about back pain & <hours>",
        "Alphaemployer",
        "Alphaqual",
        "Alphaskill",
        "Alphabarrier",
        "Alphagoal",
        "Alphastep",
        "Alphacontact",
        "Alphacnote",
        "Alphaoutcome",
        "alpha-id",
        "ESA",
        "Musculoskeletal",
        "participant.created",
        "participant.updated",
        "Sustained employment",
    ):
        assert word.replace("Alphagiven Alphafamily", "Alphagiven Alphafamily") in squashed, word
    assert "9434765919" in text.replace(" ", "")
    assert "Bravo" not in text and "bravo" not in text
    assert "Page 1 of" in text
    doc = json.loads(files.caseload.read_text(encoding="utf-8"))
    assert doc["format"] == "coachdesk.caseload/1"
    assert [p["id"] for p in doc["participants"]] == ["alpha-id"]
    assert audit.entries(two.conn, "alpha-id")[0].action == "participant.subject_access_exported"


def test_never_into_the_vault_folder_or_a_missing_one(two: Vault, tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="inside the vault folder"):
        governance.export_subject_access(two, "alpha-id", two.folder, NOW)
    with pytest.raises(VaultError, match="does not exist"):
        governance.export_subject_access(two, "alpha-id", tmp_path / "missing", NOW)


def test_a_bare_record_still_renders(vault: Vault, tmp_path: Path) -> None:
    bare = Participant(
        id="bare",
        given_name="Bare",
        family_name="Record",
        date_of_birth=date(1990, 5, 5),
        practice="P02",
        referral_date=date(2026, 1, 1),
        referral_source=ReferralSource.SELF,
    )
    caseload.register(vault, bare, TODAY)
    text = pdf_text(governance.export_subject_access(vault, "bare", tmp_path, NOW).pdf)
    for sentence in ("No sessions are recorded.", "No goals are recorded.", "The case is open."):
        assert sentence in text.replace("\n", " ")
