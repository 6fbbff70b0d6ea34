"""The printed action plan, read back from the PDF: what is there, what never is, how it paginates,
the names it must spell, the embedded font, the type sizes and the metadata. No Qt."""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pypdf
import pytest

from coachdesk.domain.model import (
    EmployerContact,
    Goal,
    GoalStep,
    Outcome,
    Participant,
    Preferences,
    Qualification,
    Session,
    Skill,
    SkillsInventory,
    WorkHistoryEntry,
)
from coachdesk.domain.vocabulary import (
    Attendance,
    Benefit,
    ConditionCategory,
    OutcomeType,
    ReferralSource,
    SessionType,
    StepOwner,
)
from coachdesk.printing import action_plan, fonts
from coachdesk.services import plans
from coachdesk.services.plans import ActionPlan, Appointment, Contact, PlanGoal, PlanStep
from coachdesk.storage import participants
from coachdesk.storage.vault import Vault

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0)
NAMES = ("Zoë", "Łukasz", "Şükrü", "Nguyễn", "Ólafsdóttir", "Дмитрий", "Γιώργος")
CONTACT = plans.CoachContact(name="Sam Okafor", phone="020 7946 0123", email="sam.okafor@example.org")


# -- reading PDFs back ---------------------------------------------------------------------------


def _flat(text: str) -> str:
    """Whitespace (line breaks, no-break spaces) folded to single spaces."""
    return " ".join(text.split())


def pages_text(pdf: bytes) -> list[str]:
    return [_flat(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def all_text(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


def font_sizes(pdf: bytes) -> Counter[float]:
    """Characters drawn at each effective font size (Tf size scaled by the text and graphics matrices)."""
    sizes: Counter[float] = Counter()

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        scale = math.sqrt(abs(tm[0] * tm[3] - tm[1] * tm[2])) * math.sqrt(abs(cm[0] * cm[3] - cm[1] * cm[2]))
        count = len(text.strip())
        if count:
            sizes[round(size * scale, 1)] += count

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


# -- plans to print -------------------------------------------------------------------------------


def typical_plan(**changes: object) -> ActionPlan:
    plan = ActionPlan(
        name="Peggy",
        issued=TODAY,
        goals=(PlanGoal("Find a part-time job in retail", date(2027, 1, 31)), PlanGoal("Sort out childcare")),
        steps=(
            PlanStep("Visit the nursery", "You", date(2026, 11, 30)),
            PlanStep("Apply for three retail jobs", "You", date(2026, 12, 1)),
            PlanStep("Update the CV", "Your coach", date(2026, 12, 7)),
            PlanStep("Nursery to confirm a place", "Someone else", None),
        ),
        skills=("Customer service", "Excel"),
        job_types=("retail", "office reception"),
        hours=(16, 24),
        appointment=Appointment(start=datetime(2026, 12, 7, 10, 30), practice="City Road Medical Centre", minutes=45),
        contact=Contact(
            coach_name="Sam Okafor",
            phone="020 7946 0123",
            email="sam.okafor@example.org",
            programme="Islington Working Better",
            practice="City Road Medical Centre",
        ),
    )
    return ActionPlan(**{**plan.__dict__, **changes})


def long_plan(large_print: bool = False, count: int = 30) -> ActionPlan:
    steps = tuple(
        PlanStep(
            f"Step {i:02d}: phone the library about the computer class and ask about the {i} o'clock slot",
            ("You", "Your coach", "Someone else")[i % 3],
            TODAY + timedelta(days=i),
        )
        for i in range(1, count + 1)
    )
    return typical_plan(steps=steps, large_print=large_print)


# -- content --------------------------------------------------------------------------------------


def test_every_section_with_the_participants_plan() -> None:
    text = all_text(action_plan.render(typical_plan()))
    for expected in (
        "My action plan",
        "For Peggy",
        "Made on 23 November 2026",
        "My goals",
        "Find a part-time job in retail",
        "By Sunday 31 January 2027",
        "Sort out childcare",
        "My next steps",
        "What Who By when",
        "Visit the nursery You Monday 30 November 2026",
        "Apply for three retail jobs You Tuesday 1 December 2026",
        "Update the CV Your coach Monday 7 December 2026",
        "Nursery to confirm a place Someone else When you are ready",
        "My strengths",
        "Customer service",
        "Excel",
        "Retail",
        "Office reception",
        "You would like to work between 16 and 24 hours a week.",
        "My next appointment",
        "Monday 7 December 2026 At 10:30am At City Road Medical Centre",
        "It will take about 45 minutes.",
        "Who to contact",
        "Your coach is Sam Okafor.",
        "Phone: 020 7946 0123",
        "Email: sam.okafor@example.org",
        "Your coach is part of Islington Working Better.",
        "This plan belongs to you.",
        "You can ask your coach to change it at any time.",
        "Page 1 of",
    ):
        assert expected in text, expected


def test_plain_words_no_jargon_or_coded_dates() -> None:
    text = all_text(action_plan.render(typical_plan()))
    assert not re.search(r"\b(IPS|LLW|DNA|ESA|UC|N/A|TBC)\b", text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}", text)
    assert "CoachDesk" not in text


def test_empty_plan_still_helps() -> None:
    plan = ActionPlan(name="Ann", issued=TODAY)
    pdf = action_plan.render(plan)
    text = all_text(pdf)
    assert "For Ann" in text
    assert "You and your coach have not set goals yet." in text
    assert "At your next meeting you will talk about the work you would like to do" in text
    assert "Your first steps will be written here" in text
    assert "There is no appointment booked yet." in text
    assert "Who to contact" in text
    assert pages_text(pdf)[-1].count("Page 1 of 1") == 1


def test_appointment_by_phone_or_video_and_past_dates() -> None:
    phone = typical_plan(
        appointment=Appointment(start=datetime(2026, 12, 1, 12, 0), practice="X", kind="telephone", minutes=90)
    )
    text = all_text(action_plan.render(phone))
    assert "Tuesday 1 December 2026 At midday Your coach will phone you." in text
    assert "It will take about an hour and a half." in text
    video = typical_plan(appointment=Appointment(start=datetime(2026, 12, 1, 14, 0), practice="X", kind="video"))
    assert "At 2pm This is a video call." in all_text(action_plan.render(video))
    # A date already gone would only discourage: steps say "as soon as you can", goals drop the date.
    late = typical_plan(
        goals=(PlanGoal("Old goal", date(2026, 1, 5)),), steps=(PlanStep("Late step", "You", date(2026, 11, 1)),)
    )
    text = all_text(action_plan.render(late))
    assert "Late step You As soon as you can" in text
    assert "2026, 1, 5" not in text and "5 January 2026" not in text


def test_text_is_printed_literally_not_as_markup() -> None:
    plan = typical_plan(goals=(PlanGoal("Tea & <b>biscuits</b> at the <café>"),))
    assert "Tea & <b>biscuits</b> at the <café>" in all_text(action_plan.render(plan))


def test_date_and_time_words() -> None:
    assert action_plan.long_date(date(2026, 12, 7)) == "Monday 7 December 2026"
    assert action_plan.long_date(date(2026, 11, 23), weekday=False) == "23 November 2026"
    assert [
        action_plan.clock_time(datetime(2026, 1, 1, h, m))
        for h, m in ((9, 0), (10, 30), (12, 0), (12, 15), (14, 5), (0, 0))
    ] == ["9am", "10:30am", "midday", "12:15pm", "2:05pm", "12am"]
    assert [action_plan.duration(m) for m in (20, 60, 75, 90, 120)] == [
        "20 minutes",
        "an hour",
        "an hour and 15 minutes",
        "an hour and a half",
        "2 hours",
    ]


# -- what must never be printed -----------------------------------------------------------------

CANARIES = {
    "session note": "Canary-note-Xq7 talked about medication",
    "family name": "Oyelaran-Canary",
    "nhs number": "9434765919",
    "postcode": "N1 9ZZ",
    "own phone": "07700 900111",
    "own email": "canary.peggy@example.org",
    "barrier": "Canary-barrier-Vz3",
    "work history": "Canary-employer-Kp2",
    "qualification": "Canary-qualification-Jm8",
    "employer contact": "Canary-contact-note-Hb5",
    "outcome": "Canary-outcome-employer-Rt4",
    "other participant": "Ignatius",
    "other family": "Quarshie-Blenkinsop",
    "other goal": "Canary-other-goal-Wd6",
}
DATE_OF_BIRTH = date(1979, 4, 17)


def _canary_participant() -> Participant:
    return Participant(
        given_name="Margaret",
        preferred_name="Peggy",
        family_name=CANARIES["family name"],
        date_of_birth=DATE_OF_BIRTH,
        nhs_number=CANARIES["nhs number"],
        phone=CANARIES["own phone"],
        email=CANARIES["own email"],
        postcode=CANARIES["postcode"],
        practice="P01",
        referral_date=date(2026, 6, 1),
        referral_source=ReferralSource.MENTAL_HEALTH,
        benefits_at_referral=[b for b in Benefit if b not in (Benefit.NONE, Benefit.OTHER)],
        conditions=[c for c in ConditionCategory if c is not ConditionCategory.OTHER],
        sessions=[
            Session(
                start=datetime(2026, 11, 16, 10, 0),
                type=SessionType.REVIEW,
                attendance=Attendance.ATTENDED,
                notes=CANARIES["session note"],
            ),
            Session(
                start=datetime(2026, 11, 20, 10, 0),
                type=SessionType.REVIEW,
                attendance=Attendance.DNA,
                notes=CANARIES["session note"],
            ),
            Session(start=datetime(2026, 12, 7, 10, 30), type=SessionType.REVIEW, notes=CANARIES["session note"]),
        ],
        skills_inventory=SkillsInventory(
            completed_on=date(2026, 6, 8),
            work_history=[
                WorkHistoryEntry(employer=CANARIES["work history"], role="Cleaner", reason_left="Ill health")
            ],
            qualifications=[Qualification(title=CANARIES["qualification"])],
            skills=[Skill(name="Customer service", confidence=5), Skill(name="Handling cash", confidence=2)],
            preferences=Preferences(job_types=["retail"], min_hours=16, max_hours=24),
            barriers=[CANARIES["barrier"], "side effects of medication"],
        ),
        goals=[
            Goal(
                title="Find a part-time job in retail",
                created=date(2026, 6, 8),
                steps=[
                    GoalStep(text="Apply for three retail jobs", due=date(2026, 12, 1)),
                    GoalStep(text="Update the CV", owner=StepOwner.COACH, due=date(2026, 12, 4)),
                ],
            )
        ],
        employer_contacts=[
            EmployerContact(date=date(2026, 9, 1), employer="Angel Bakery", notes=CANARIES["employer contact"])
        ],
        outcomes=[Outcome(type=OutcomeType.JOB_START, date=date(2026, 10, 1), employer=CANARIES["outcome"])],
    )


def _other_participant() -> Participant:
    return Participant(
        given_name=CANARIES["other participant"],
        family_name=CANARIES["other family"],
        date_of_birth=date(1990, 1, 2),
        practice="P01",
        referral_date=date(2026, 5, 1),
        referral_source=ReferralSource.GP,
        sessions=[Session(start=datetime(2026, 11, 30, 9, 0), type=SessionType.REVIEW)],
        goals=[
            Goal(title=CANARIES["other goal"], created=date(2026, 5, 8), steps=[GoalStep(text=CANARIES["other goal"])])
        ],
    )


@pytest.mark.parametrize("large_print", [False, True])
def test_nothing_private_is_printed(vault: Vault, large_print: bool) -> None:
    p, other = _canary_participant(), _other_participant()
    with vault.transaction() as conn:
        participants.save(conn, p)
        participants.save(conn, other)
    plan = plans.build_plan(vault, p.id, TODAY, NOW, CONTACT, large_print=large_print)
    pdf = action_plan.render(plan)
    text = all_text(pdf)
    low = text.lower()

    # What is there...
    for expected in (
        "For Peggy",
        "Find a part-time job in retail",
        "Apply for three retail jobs",
        "Update the CV",
        "Customer service",
        "Monday 7 December 2026",
        "City Road Medical Centre",
        "Sam Okafor",
    ):
        assert expected in text, expected
    # ...and what is not.
    for what, canary in CANARIES.items():
        assert canary.lower() not in low, what
    assert "Margaret" not in text  # the name they are called by, not the registered one
    assert "Handling cash" not in text  # rated 2 out of 5: not a strength to print
    assert "943 476 5919" not in text
    for born in ("1979", "17 April", "17/04", "04/17"):
        assert born not in text, born
    for benefit in Benefit:
        if benefit not in (Benefit.NONE, Benefit.OTHER):
            assert benefit.label.lower() not in low, benefit
    for word in ("universal credit", "jobseeker", "allowance", "incapacity", "income support", "pip", "dla", "benefit"):
        assert not re.search(rf"\b{word}\b", low), word
    for condition in ConditionCategory:
        if condition is not ConditionCategory.OTHER:
            assert condition.label.lower() not in low, condition
    for word in ("medication", "ill health", "diagnos", "did not attend", "referral", "nhs", "date of birth"):
        assert word not in low, word

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    for secret in ("Peggy", "Margaret", CANARIES["family name"], CANARIES["nhs number"]):
        assert secret not in metadata


# -- pagination ----------------------------------------------------------------------------------


@pytest.mark.parametrize("large_print", [False, True])
def test_a_30_step_plan_paginates_cleanly(large_print: bool) -> None:
    plan = long_plan(large_print)
    pages = pages_text(action_plan.render(plan))
    total = len(pages)
    assert total >= 3 if large_print else total >= 2

    for number, page in enumerate(pages, start=1):
        assert re.findall(r"Page \d+ of \d+", page) == [f"Page {number} of {total}"]
        assert "This plan belongs to you." in page

    # Each step's text is whole on exactly one page (rows never split across pages).
    for step in plan.steps:
        holders = [i for i, page in enumerate(pages) if _flat(step.what) in page]
        assert len(holders) == 1, (step.what, holders)

    # The header row is repeated on every page that carries steps.
    step_pages = [i for i, page in enumerate(pages) if "Step " in page]
    assert len(step_pages) >= 2
    for i in step_pages:
        assert "What Who By when" in pages[i]

    # The heading is followed on its page by the table header and at least one step.
    [heading_page] = [i for i, page in enumerate(pages) if "My next steps" in page]
    after = pages[heading_page].split("My next steps", 1)[1]
    assert "What Who By when" in after
    assert "Step 01:" in after

    # Every other section's heading stays with its content.
    for heading, first in (
        ("My strengths", "Customer service"),
        ("My next appointment", "Monday 7 December 2026"),
        ("Who to contact", "Your coach is Sam Okafor."),
    ):
        [page] = [p for p in pages if heading in p]
        assert first in page.split(heading, 1)[1], heading


def test_page_count_in_every_footer_of_a_short_plan() -> None:
    pages = pages_text(action_plan.render(typical_plan()))
    assert [re.findall(r"Page \d+ of \d+", p) for p in pages] == [
        [f"Page {i} of {len(pages)}"] for i in range(1, len(pages) + 1)
    ]


# -- names and the font ----------------------------------------------------------------------------


@pytest.mark.parametrize("large_print", [False, True])
def test_names_from_many_languages_round_trip(large_print: bool) -> None:
    plan = typical_plan(
        name=" ".join(NAMES),
        goals=tuple(PlanGoal(f"Meet {name} about work") for name in NAMES),
        steps=tuple(PlanStep(f"Phone {name}", "You", TODAY + timedelta(days=3)) for name in NAMES),
        contact=Contact(coach_name="Zoë Ólafsdóttir", practice="Şükrü's Practice"),
        large_print=large_print,
    )
    assert plans.unsupported_characters(plan) == set()
    text = all_text(action_plan.render(plan))
    assert f"For {' '.join(NAMES)}" in text
    for name in NAMES:
        assert f"Meet {name} about work" in text
        assert f"Phone {name}" in text
    assert "Your coach is Zoë Ólafsdóttir." in text


def test_unsupported_characters() -> None:
    assert fonts.unsupported_characters("李 😀") == {"李", "😀"}
    assert fonts.unsupported_characters("Ahmed مرحبا") == set("مرحبا")
    assert fonts.unsupported_characters("प्रिया") >= {"प", "र", "ि", "य", "ा"}
    for name in NAMES:
        assert fonts.unsupported_characters(name) == set(), name
    assert fonts.unsupported_characters("Café – “quotes” ’ £5 €5 • naïve\n\t ") == set()


def test_the_font_is_embedded() -> None:
    pdf = action_plan.render(typical_plan(name="Дмитрий"))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]).split("+")[-1])
            assert font["/Subtype"] == "/TrueType", font
            assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
    assert names == {"NotoSans-Regular", "NotoSans-Bold"}


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils is not installed")
def test_pdffonts_reports_only_embedded_fonts(tmp_path: Path) -> None:
    target = tmp_path / "plan.pdf"
    target.write_bytes(action_plan.render(typical_plan()))
    out = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        assert "NotoSans" in row
        assert row.split()[-5] == "yes", row  # the "emb" column


def test_the_licence_ships_with_the_font() -> None:
    from coachdesk import resources

    licence = resources.path("fonts", "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "Copyright" in licence and "Google" in licence
    assert 'THE FONT SOFTWARE IS PROVIDED "AS IS"' in licence
    for face in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        assert resources.path("fonts", face).stat().st_size > 100_000


# -- sizes ----------------------------------------------------------------------------------------


def test_standard_print_sizes() -> None:
    sizes = font_sizes(action_plan.render(typical_plan()))
    body = sizes.most_common(1)[0][0]
    assert body >= 12
    assert body == action_plan.STANDARD.body
    assert min(sizes) >= 12, sizes
    assert max(sizes) > body  # headings are bigger


def test_large_print_sizes() -> None:
    sizes = font_sizes(action_plan.render(typical_plan(large_print=True)))
    body = sizes.most_common(1)[0][0]
    assert body >= 16
    assert body == action_plan.LARGE.body
    assert min(sizes) >= 16, sizes


def test_page_is_a4_with_generous_margins() -> None:
    reader = pypdf.PdfReader(io.BytesIO(action_plan.render(long_plan())))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    lefts: list[float] = []
    page.extract_text(
        visitor_text=lambda text, cm, tm, font, size: lefts.append(cm[4] + tm[4]) if text.strip() else None
    )
    mm = 72 / 25.4
    assert min(lefts) >= 20 * mm - 0.5


# -- metadata and files ---------------------------------------------------------------------------


def test_metadata() -> None:
    pdf = action_plan.render(typical_plan(name="Γιώργος"))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Action plan"
    assert meta.creator == "CoachDesk"
    assert str(reader.trailer["/Root"]["/Lang"]) == "en-GB"
    for value in meta.values():
        assert "Γιώργος" not in str(value)
        assert "Peggy" not in str(value)


def test_render_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    temp = Path(os.environ["TMPDIR"])
    before = (sorted(tmp_path.rglob("*")), sorted(temp.rglob("*")))
    pdf = action_plan.render(typical_plan())
    assert pdf.startswith(b"%PDF-")
    assert (sorted(tmp_path.rglob("*")), sorted(temp.rglob("*"))) == before
