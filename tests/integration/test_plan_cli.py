"""`coachdesk plan ID --out FILE [--large-print]` as a coach or a script runs it: the PDF it writes
(read back with pypdf), the issued date it records (seen through `coachdesk export`), the larger
type of large print, and the refusals that write nothing: an unknown id, a file inside the vault
folder, and characters the printing font cannot draw."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pypdf
import pytest
from testkit import PASSPHRASE, VaultFolder, run_cli

ENV = {"COACHDESK_PASSPHRASE": PASSPHRASE}
NAMESPACE = uuid.UUID("0b8f5c1e-6a47-4e0c-9d3b-2f1e7a5c9d10")
TODAY = date.today()
NHS_NUMBER = "9434765919"


def pid(n: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"participant-{n}"))


def person(n: int, given: str, *, preferred: str = "", steps: int = 2) -> dict[str, Any]:
    """A participant as the caseload file carries one: an open goal with `steps` open steps, a
    session booked next week, and things the plan must never print (health, benefits, notes)."""
    referred = TODAY - timedelta(days=60)
    return {
        "id": pid(n),
        "given_name": given,
        "family_name": "Kowalczyk",
        "preferred_name": preferred,
        "date_of_birth": "1984-03-12",
        "sex": "female",
        "nhs_number": NHS_NUMBER,
        "phone": "07700 900123",
        "email": "",
        "postcode": "N1 9GU",
        "practice": "P01",
        "referral_date": referred.isoformat(),
        "referral_source": "gp",
        "consent": {"service": referred.isoformat(), "share_with_gp": True, "contact_employers": False},
        "employment_status": "unemployed_1_2y",
        "benefits_at_referral": ["esa_wrag"],
        "benefit_changes": [],
        "conditions": ["mental_health"],
        "sessions": [
            {
                "id": str(uuid.uuid5(NAMESPACE, f"session-{n}")),
                "start": f"{referred.isoformat()}T10:00",
                "minutes": 45,
                "type": "initial_assessment",
                "attendance": "attended",
                "notes": "Talked about the anxiety clinic.",
            },
            {
                "id": str(uuid.uuid5(NAMESPACE, f"session-next-{n}")),
                "start": f"{(TODAY + timedelta(days=7)).isoformat()}T10:30",
                "minutes": 45,
                "type": "review",
                "attendance": "booked",
                "notes": "",
            },
        ],
        "goals": [
            {
                "id": str(uuid.uuid5(NAMESPACE, f"goal-{n}")),
                "title": "Find part-time retail work",
                "category": "work",
                "created": referred.isoformat(),
                "target_date": None,
                "status": "open",
                "closed_on": None,
                "steps": [
                    {
                        "text": f"Step {k}: ask the library about the free computer course",
                        "owner": "participant",
                        "due": (TODAY + timedelta(days=14)).isoformat(),
                        "done": False,
                    }
                    for k in range(1, steps + 1)
                ],
            }
        ],
        "employer_contacts": [],
        "outcomes": [],
        "action_plans_issued": [],
        "closed": None,
    }


def import_people(vault: Path, tmp_path: Path, *people: dict[str, Any]) -> None:
    source = tmp_path / f"import-{uuid.uuid4().hex}.json"
    doc = {"format": "coachdesk.caseload/1", "exported_at": "2026-11-23T10:00:00Z", "participants": list(people)}
    source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = run_cli("import", str(source), "--vault", str(vault), env=ENV)
    assert result.code == 0, result.err


def plan(vault: Path, participant_id: str, out: Path, *extra: str):
    return run_cli("plan", participant_id, "--out", str(out), "--vault", str(vault), *extra, env=ENV)


def issued(vault: Path, tmp_path: Path, participant_id: str) -> list[str]:
    """The participant's action_plans_issued, as `coachdesk export` writes them."""
    out = tmp_path / f"export-{uuid.uuid4().hex}.json"
    result = run_cli("export", str(out), "--participant", participant_id, "--vault", str(vault), env=ENV)
    assert result.code == 0, result.err
    [record] = json.loads(out.read_text(encoding="utf-8"))["participants"]
    out.unlink()
    return record["action_plans_issued"]


def reader(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(path.read_bytes()))


def text_of(path: Path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader(path).pages)


def font_sizes(path: Path, starting: str) -> set[float]:
    """The sizes of the text runs that start with `starting`, on every page."""
    sizes: set[float] = set()
    for page in reader(path).pages:

        def visit(text: str, _cm: Any, tm: Any, _font: Any, size: float) -> None:
            if text.strip().startswith(starting):
                sizes.add(round(size * (tm[3] or 1), 1))

        page.extract_text(visitor_text=visit)
    return sizes


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            found[str(path.relative_to(folder))] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return found


def assert_one_line_error(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("coachdesk: "), err
    return lines[0]


# -- the plan written --------------------------------------------------------------------------------
def test_plan_writes_the_pdf_and_records_it_as_issued(vault_folder: VaultFolder, tmp_path: Path) -> None:
    import_people(vault_folder.path, tmp_path, person(1, "Dorota", preferred="Dora"))
    assert issued(vault_folder.path, tmp_path, pid(1)) == []
    out = tmp_path / "out" / "plan.pdf"
    out.parent.mkdir()

    result = plan(vault_folder.path, pid(1), out)
    assert result.code == 0, result.err
    assert "written to" in result.out and "recorded as issued today" in result.out
    assert out.read_bytes().startswith(b"%PDF")
    assert out.stat().st_mode & 0o077 == 0  # readable by this user only

    meta = reader(out).metadata
    assert meta is not None and meta.title == "Action plan"
    assert all("Dora" not in str(v) and "Dorota" not in str(v) for v in meta.values())
    text = text_of(out)
    assert "For Dora" in text and "My goals" in text and "Find part-time retail work" in text
    assert "My next steps" in text and "ask the library" in text
    for never in ("Kowalczyk", "Dorota", NHS_NUMBER, "943 476 5919", "1984", "anxiety", "ESA", "mental"):
        assert never not in text, never

    assert issued(vault_folder.path, tmp_path, pid(1)) == [TODAY.isoformat()]
    # Again the same day: a new file, the date once.
    again = plan(vault_folder.path, pid(1), tmp_path / "again.pdf")
    assert again.code == 0, again.err
    assert issued(vault_folder.path, tmp_path, pid(1)) == [TODAY.isoformat()]


def test_large_print_has_larger_type_and_more_pages(vault_folder: VaultFolder, tmp_path: Path) -> None:
    import_people(vault_folder.path, tmp_path, person(2, "Łukasz", steps=30))
    standard, large = tmp_path / "standard.pdf", tmp_path / "large.pdf"
    assert plan(vault_folder.path, pid(2), standard).code == 0
    result = plan(vault_folder.path, pid(2), large, "--large-print")
    assert result.code == 0, result.err

    assert len(reader(large).pages) > len(reader(standard).pages) >= 2
    standard_sizes, large_sizes = font_sizes(standard, "Step 1:"), font_sizes(large, "Step 1:")
    assert standard_sizes and large_sizes
    assert min(standard_sizes) >= 12
    assert min(large_sizes) >= 16 and min(large_sizes) > max(standard_sizes)
    assert "For Łukasz" in text_of(large)
    assert f"Page {len(reader(large).pages)} of {len(reader(large).pages)}" in text_of(large)


# -- refusals: nothing written -------------------------------------------------------------------------
def test_an_unknown_id_is_exit_1_with_a_message(vault_folder: VaultFolder, tmp_path: Path) -> None:
    import_people(vault_folder.path, tmp_path, person(3, "Amina"))
    out = tmp_path / "none.pdf"
    result = plan(vault_folder.path, str(uuid.uuid4()), out)
    assert result.code == 1
    assert_one_line_error(result.err)
    assert not out.exists()


@pytest.mark.parametrize("name", ["plan.pdf", "coachdesk.db", "keyslots.json", "sub/plan.pdf"])
def test_out_inside_the_vault_folder_is_refused(vault_folder: VaultFolder, tmp_path: Path, name: str) -> None:
    import_people(vault_folder.path, tmp_path, person(4, "Amina"))
    before = snapshot(vault_folder.path)
    result = plan(vault_folder.path, pid(4), vault_folder.path / name)
    assert result.code == 1
    line = assert_one_line_error(result.err)
    assert "vault folder" in line
    assert snapshot(vault_folder.path) == before
    assert issued(vault_folder.path, tmp_path, pid(4)) == []
    check = run_cli("check", "--vault", str(vault_folder.path), env=ENV)
    assert check.code == 0, check.err


def test_characters_the_font_cannot_draw_are_named_and_nothing_is_written(
    vault_folder: VaultFolder, tmp_path: Path
) -> None:
    import_people(vault_folder.path, tmp_path, person(5, "李明"))
    out = tmp_path / "plan.pdf"
    result = plan(vault_folder.path, pid(5), out)
    assert result.code == 1
    line = assert_one_line_error(result.err)
    assert "李" in line and "明" in line
    assert "cannot draw" in line
    assert not out.exists()
    assert list(tmp_path.glob("*.pdf")) == [] and list(tmp_path.glob(".plan.pdf*")) == []
    assert issued(vault_folder.path, tmp_path, pid(5)) == []
