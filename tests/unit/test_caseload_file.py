"""The caseload file `coachdesk.caseload/1` (formats.md §1) against a real vault: what goes in comes
out, importing twice changes nothing, a bad file changes nothing, and every refusal names the place."""

from __future__ import annotations

import copy
import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from coachdesk.domain.codec import decode
from coachdesk.domain.errors import NotFoundError, ValidationError
from coachdesk.domain.model import Participant, SkillsInventory
from coachdesk.services import caseload_file
from coachdesk.services.caseload_file import FORMAT, export_file, import_file, import_records, parse
from coachdesk.storage import audit, participants
from coachdesk.storage.vault import Vault

TODAY = date(2026, 11, 23)
AMINA_ID = "8b6f0c3e-2f1a-4c8e-9a51-0d4f7b2e9c11"

AMINA: dict[str, object] = {
    "id": AMINA_ID,
    "given_name": "Amina",
    "family_name": "Okafor",
    "preferred_name": "Amina",
    "date_of_birth": "1984-03-12",
    "sex": "female",
    "nhs_number": "9434765919",
    "phone": "07700 900123",
    "email": "amina@example.org",
    "postcode": "N1 9GU",
    "practice": "P01",
    "referral_date": "2015-10-01",
    "referral_source": "gp",
    "consent": {"service": "2015-10-01", "share_with_gp": True, "contact_employers": False},
    "employment_status": "unemployed_1_2y",
    "benefits_at_referral": ["esa_wrag", "pip_dla"],
    "benefit_changes": [{"date": "2016-04-02", "benefits": ["pip_dla"]}],
    "conditions": ["mental_health", "musculoskeletal"],
    "sessions": [
        {
            "id": "5e0a4c1d-0000-4000-8000-000000000001",
            "start": "2015-10-05T10:00",
            "minutes": 45,
            "type": "initial_assessment",
            "attendance": "attended",
            "notes": "free text, any length",
        },
        {
            "id": "5e0a4c1d-0000-4000-8000-000000000002",
            "start": "2015-10-19T11:30",
            "minutes": 30,
            "type": "review",
            "attendance": "dna",
            "notes": "",
        },
    ],
    "skills_inventory": {
        "completed_on": "2015-10-05",
        "work_history": [
            {
                "employer": "Corner Shop Ltd",
                "role": "Cashier",
                "start": "2010-01",
                "end": "2014-06",
                "reason_left": "Back injury",
            }
        ],
        "qualifications": [{"title": "NVQ Retail Skills", "level": "2", "year": 2002}],
        "skills": [{"name": "Customer service", "confidence": 4}],
        "preferences": {"job_types": ["retail"], "min_hours": 16, "max_hours": 30, "max_travel_minutes": 45},
        "barriers": ["confidence", "childcare"],
    },
    "goals": [
        {
            "id": "9a1b2c3d-0000-4000-8000-000000000001",
            "title": "Apply for three retail jobs",
            "category": "work",
            "created": "2015-10-05",
            "target_date": "2015-12-01",
            "status": "open",
            "closed_on": None,
            "steps": [
                {"text": "Update CV with the coach", "owner": "participant", "due": "2015-10-19", "done": False},
                {"text": "Find vacancies", "owner": "coach", "due": None, "done": True},
            ],
        },
    ],
    "employer_contacts": [
        {"date": "2015-10-20", "employer": "Corner Shop Ltd", "kind": "contact", "notes": "Manager keen"}
    ],
    "outcomes": [
        {
            "type": "job_start",
            "date": "2016-01-11",
            "employer": "Corner Shop Ltd",
            "hours_per_week": 20,
            "hourly_pay_pence": 940,
        }
    ],
    "action_plans_issued": ["2015-10-05"],
    "closed": None,
}


def _person(n: int, **changes: object) -> dict[str, object]:
    """A small valid participant with its own ids."""
    record: dict[str, object] = {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "given_name": f"Given{n}",
        "family_name": f"Family{n}",
        "date_of_birth": "1980-01-01",
        "practice": "P02",
        "referral_date": "2015-11-01",
        "referral_source": "self",
        "sessions": [
            {
                "id": f"00000000-5e55-4000-8000-{n:012d}",
                "start": "2015-11-02T09:00",
                "type": "initial_assessment",
                "attendance": "attended",
                "notes": f"note {n}",
            }
        ],
    }
    record.update(changes)
    return record


def _doc(*people: dict[str, object], **top: object) -> dict[str, object]:
    return {"format": FORMAT, "exported_at": "2026-11-23T10:00:00Z", "participants": list(people), **top}


def _write(folder: Path, doc: object, name: str = "caseload.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _import(vault: Vault, folder: Path, doc: object) -> caseload_file.ImportResult:
    return import_file(vault, _write(folder, doc), today=TODAY)


def _refused(vault: Vault, path: Path) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        import_file(vault, path, today=TODAY)
    return caught.value


def _read(path: Path) -> dict[str, object]:
    return json.loads(path.read_bytes().decode("utf-8"))


def _without_stamp(doc: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in doc.items() if k != "exported_at"}


@pytest.fixture
def second_vault(_template_vault: Path, tmp_path: Path) -> Iterator[Vault]:
    """Another coach's empty vault (same policy), to carry a file from one laptop to another."""
    target = tmp_path / "other-laptop"
    shutil.copytree(_template_vault, target)
    opened = Vault.open(target)
    opened.unlock_with_recovery_key((_template_vault.parent / "recovery.txt").read_text())
    yield opened
    opened.close()


# -- round trips ----------------------------------------------------------------------------------


def test_the_documented_example_imports_with_everything_kept(vault: Vault, tmp_path: Path) -> None:
    result = _import(vault, tmp_path, _doc(AMINA))
    assert (result.created, result.updated) == (1, 0)

    p = participants.get(vault.conn, AMINA_ID)
    assert p.display_name == "Amina Okafor"
    assert p.nhs_number == "9434765919"
    assert [s.attendance.value for s in p.sessions] == ["attended", "dna"]
    assert p.skills_inventory is not None
    assert p.skills_inventory.skills[0].confidence == 4
    assert [s.text for s in p.goals[0].steps] == ["Update CV with the coach", "Find vacancies"]
    assert p.outcomes[0].hourly_pay_pence == 940

    out = tmp_path / "export.json"
    assert export_file(vault, out) == 1
    assert _without_stamp(_read(out)) == _without_stamp(_doc(AMINA))


def test_export_import_export_gives_the_same_document(vault: Vault, second_vault: Vault, tmp_path: Path) -> None:
    _import(vault, tmp_path, _doc(AMINA, _person(1), _person(2, closed={"date": "2016-01-05", "reason": "moved_away"})))
    first = tmp_path / "first.json"
    export_file(vault, first)

    # Back into the same vault (an update of every record) and onto another laptop.
    assert import_file(vault, first, today=TODAY).updated == 3
    assert import_file(second_vault, first, today=TODAY).created == 3
    again, elsewhere = tmp_path / "again.json", tmp_path / "elsewhere.json"
    export_file(vault, again)
    export_file(second_vault, elsewhere)

    doc = _read(first)
    assert len(doc["participants"]) == 3  # type: ignore[arg-type]
    assert _without_stamp(_read(again)) == _without_stamp(doc)
    assert _without_stamp(_read(elsewhere)) == _without_stamp(doc)
    assert list(doc) == ["format", "exported_at", "participants"]
    assert doc["format"] == "coachdesk.caseload/1"


def test_the_export_is_stamped_in_utc(vault: Vault, tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    export_file(vault, out)
    stamp = _read(out)["exported_at"]
    assert isinstance(stamp, str)
    assert stamp.endswith("Z")
    assert len(stamp) == len("2026-11-23T10:00:00Z")


def test_nhs_number_typed_with_spaces_is_stored_and_exported_as_digits(vault: Vault, tmp_path: Path) -> None:
    _import(vault, tmp_path, _doc({**AMINA, "nhs_number": "943 476 5919"}))
    out = tmp_path / "export.json"
    export_file(vault, out)
    assert _read(out)["participants"][0]["nhs_number"] == "9434765919"  # type: ignore[index]


def test_a_participant_without_an_id_is_given_one(vault: Vault, tmp_path: Path) -> None:
    record = _person(1)
    del record["id"]
    _import(vault, tmp_path, _doc(record))
    (only,) = participants.all_ids(vault.conn)
    assert len(only) == 36
    out = tmp_path / "export.json"
    export_file(vault, out)
    assert _read(out)["participants"][0]["id"] == only  # type: ignore[index]


NAMES = [("Zoë", "Brontë"), ("Łukasz", "Wróbel"), ("Дмитрий", "Иванов"), ("Γιώργος", "Παπαδόπουλος"), ("Thị", "Nguyễn")]


def test_non_ascii_names_survive_the_round_trip_byte_for_byte(vault: Vault, tmp_path: Path) -> None:
    people = [_person(i, given_name=g, family_name=f, preferred_name=g) for i, (g, f) in enumerate(NAMES)]
    _import(vault, tmp_path, _doc(*people))
    out = tmp_path / "export.json"
    export_file(vault, out)
    raw = out.read_bytes()
    raw.decode("utf-8")  # strict UTF-8
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\\u" not in raw  # written as characters, not escapes (ensure_ascii=False)
    for given, family in NAMES:
        assert json.dumps(given, ensure_ascii=False).encode("utf-8") in raw
        assert family.encode("utf-8") in raw
    exported = {(p["given_name"], p["family_name"]) for p in _read(out)["participants"]}  # type: ignore[attr-defined]
    assert exported == set(NAMES)


# -- idempotent import ----------------------------------------------------------------------------


def test_importing_the_same_file_twice_updates_instead_of_duplicating(vault: Vault, tmp_path: Path) -> None:
    path = _write(tmp_path, _doc(AMINA))
    first = import_file(vault, path, today=TODAY)
    entries_after_first = audit.entries(vault.conn, AMINA_ID)
    second = import_file(vault, path, today=TODAY)

    assert (first.created, first.updated, first.total) == (1, 0, 1)
    assert (second.created, second.updated, second.total) == (0, 1, 1)
    assert participants.count(vault.conn) == 1
    assert len(participants.get(vault.conn, AMINA_ID).sessions) == 2
    actions = [e.action for e in reversed(audit.entries(vault.conn, AMINA_ID))]
    assert actions == ["participant.imported", "participant.updated_by_import"]
    assert len(entries_after_first) == 1
    assert audit.verify_chain(vault.conn) is None


def test_a_re_import_replaces_the_record_with_the_file(vault: Vault, tmp_path: Path) -> None:
    _import(vault, tmp_path, _doc(AMINA))
    changed = copy.deepcopy(AMINA)
    changed["family_name"] = "Okafor-Smith"
    changed["sessions"] = changed["sessions"][:1]  # type: ignore[index]
    changed["closed"] = {"date": "2016-06-01", "reason": "sustained_employment"}
    _import(vault, tmp_path, _doc(changed))
    p = participants.get(vault.conn, AMINA_ID)
    assert p.family_name == "Okafor-Smith"
    assert len(p.sessions) == 1
    assert p.closed is not None
    assert participants.count(vault.conn) == 1


# -- all or nothing -------------------------------------------------------------------------------


def test_a_bad_third_participant_leaves_the_vault_untouched(vault: Vault, tmp_path: Path) -> None:
    bad = _person(3, practice="P07")
    audit_before = len(audit.entries(vault.conn))
    err = _refused(vault, _write(tmp_path, _doc(_person(1), _person(2), bad)))
    assert err.path == "participants[2].practice"
    assert str(err).startswith("participants[2].practice: 'P07' is not a practice of this programme")
    assert participants.count(vault.conn) == 0
    assert len(audit.entries(vault.conn)) == audit_before


def test_a_bad_third_participant_in_an_update_changes_none_of_the_others(vault: Vault, tmp_path: Path) -> None:
    _import(vault, tmp_path, _doc(_person(1), _person(2)))
    err = _refused(
        vault,
        _write(
            tmp_path,
            _doc(
                _person(1, family_name="Renamed"),
                _person(2, family_name="Renamed"),
                _person(3, referral_source="doctor"),
            ),
        ),
    )
    assert err.path == "participants[2].referral_source"
    assert {p.family_name for p in participants.iter_all(vault.conn)} == {"Family1", "Family2"}


def test_the_vocabulary_message_names_the_exact_place(vault: Vault, tmp_path: Path) -> None:
    fourth = _person(4)
    fourth["sessions"][0]["attendance"] = "maybe"  # type: ignore[index]
    err = _refused(vault, _write(tmp_path, _doc(_person(1), _person(2), _person(3), fourth)))
    assert str(err) == (
        "participants[3].sessions[0].attendance: 'maybe' is not one of "
        "booked, attended, dna, cancelled_by_participant, cancelled_by_coach"
    )
    assert participants.count(vault.conn) == 0


def test_a_failure_while_writing_rolls_back_the_participants_already_written(vault: Vault, tmp_path: Path) -> None:
    _import(vault, tmp_path, _doc(_person(1)))
    audit_before = len(audit.entries(vault.conn))
    # The file is fine on its own, but its second participant reuses a session id that belongs to
    # someone already in the vault: only the database can tell.
    thief = _person(3)
    thief["sessions"][0]["id"] = "00000000-5e55-4000-8000-000000000001"  # type: ignore[index]
    err = _refused(vault, _write(tmp_path, _doc(_person(2), thief)))
    assert err.path.startswith("participants[1]")
    assert "another participant" in err.problem
    assert participants.all_ids(vault.conn) == ["00000000-0000-4000-8000-000000000001"]
    assert len(audit.entries(vault.conn)) == audit_before


def test_a_refusal_in_a_later_batch_names_the_participant_by_its_place_in_the_file(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(caseload_file, "_BATCH", 2)  # the file's third participant is in the second batch
    _import(vault, tmp_path, _doc(_person(1)))
    thief = _person(4)
    thief["sessions"][0]["id"] = "00000000-5e55-4000-8000-000000000001"  # type: ignore[index]
    err = _refused(vault, _write(tmp_path, _doc(_person(2), _person(3), thief)))
    assert err.path.startswith("participants[2].")
    assert participants.all_ids(vault.conn) == ["00000000-0000-4000-8000-000000000001"]


def _index_sql(vault: Vault) -> dict[str, str]:
    return dict(vault.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))


def test_a_bulk_import_rebuilds_the_measure_indexes_and_a_failed_one_keeps_them(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large imports drop the measure indexes and build them again at the end (much faster); the
    vault must come out with exactly the same indexes, whether the import succeeds or fails."""
    from coachdesk.storage import schema

    monkeypatch.setattr(schema, "BULK_WRITE_RECORDS", 2)
    before = _index_sql(vault)
    assert "sessions_month" in before
    _import(vault, tmp_path, _doc(_person(1), _person(2)))
    assert _index_sql(vault) == before
    thief = _person(4)
    thief["sessions"][0]["id"] = "00000000-5e55-4000-8000-000000000001"  # type: ignore[index]
    _refused(vault, _write(tmp_path, _doc(_person(3), thief)))
    assert _index_sql(vault) == before
    assert vault.check() == []


# -- refusals -------------------------------------------------------------------------------------


def test_an_unknown_top_level_key_is_refused(vault: Vault, tmp_path: Path) -> None:
    err = _refused(vault, _write(tmp_path, _doc(_person(1), participant=[])))
    assert str(err) == "participant: is not a known key"
    assert participants.count(vault.conn) == 0


@pytest.mark.parametrize("fmt", ["coachdesk.caseload/2", "coachdesk.bundle/1", "coachdesk.caseload", None])
def test_a_file_of_another_format_is_refused(vault: Vault, tmp_path: Path, fmt: object) -> None:
    err = _refused(vault, _write(tmp_path, _doc(_person(1), format=fmt)))
    assert err.path == "format"
    assert "'coachdesk.caseload/1'" in err.problem
    assert participants.count(vault.conn) == 0


def test_a_file_without_a_format_is_refused(vault: Vault, tmp_path: Path) -> None:
    err = _refused(vault, _write(tmp_path, {"participants": [_person(1)]}))
    assert err.path == "format"


def test_a_file_without_participants_is_refused(vault: Vault, tmp_path: Path) -> None:
    err = _refused(vault, _write(tmp_path, {"format": FORMAT}))
    assert str(err) == "participants: is required and must be a list"


def test_an_empty_caseload_imports_nothing(vault: Vault, tmp_path: Path) -> None:
    assert _import(vault, tmp_path, _doc()).total == 0


def test_a_file_that_is_not_an_object_is_refused(vault: Vault, tmp_path: Path) -> None:
    err = _refused(vault, _write(tmp_path, [_person(1)]))
    assert "JSON object" in err.problem


def test_a_byte_order_mark_is_refused(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_doc(_person(1))).encode("utf-8"))
    err = _refused(vault, path)
    assert "byte-order mark" in err.problem
    assert "without BOM" in err.problem
    assert participants.count(vault.conn) == 0


def test_invalid_json_names_the_line_and_column(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "coachdesk.caseload/1",\n  "participants": [,]\n}\n', encoding="utf-8")
    err = _refused(vault, path)
    assert "not valid JSON" in err.problem
    assert "line 3, column 20" in err.problem


def test_deeply_nested_json_is_refused_with_a_sentence(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"format": "coachdesk.caseload/1", "participants": ' + "[" * 100_000, encoding="utf-8")
    err = _refused(vault, path)
    assert "nested too deeply" in err.problem


def test_a_file_in_another_encoding_is_refused(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(_doc(_person(1, given_name="Zoë")), ensure_ascii=False).encode("latin-1"))
    err = _refused(vault, path)
    assert err.problem == "the file is not UTF-8 text"
    assert participants.count(vault.conn) == 0


def test_a_missing_file_is_a_validation_error_naming_it(vault: Vault, tmp_path: Path) -> None:
    err = _refused(vault, tmp_path / "nowhere.json")
    assert "nowhere.json" in err.problem


def test_the_same_participant_id_twice_in_one_file_is_refused(vault: Vault, tmp_path: Path) -> None:
    twin = _person(2, id=_person(1)["id"])
    twin["sessions"] = []
    err = _refused(vault, _write(tmp_path, _doc(_person(1), twin)))
    assert str(err) == "participants[1].id: repeats the id of participants[0]"
    assert participants.count(vault.conn) == 0


def test_a_session_id_used_by_two_participants_is_refused(vault: Vault, tmp_path: Path) -> None:
    second = _person(2)
    second["sessions"][0]["id"] = "00000000-5e55-4000-8000-000000000001"  # type: ignore[index]
    err = _refused(vault, _write(tmp_path, _doc(_person(1), second)))
    assert str(err) == ("participants[1].sessions[0].id: repeats an id already used at participants[0].sessions[0].id")
    assert participants.count(vault.conn) == 0


def test_a_goal_id_used_by_two_participants_is_refused(vault: Vault, tmp_path: Path) -> None:
    goal = {"id": "shared-goal", "title": "Volunteer", "created": "2015-11-02"}
    err = _refused(vault, _write(tmp_path, _doc(_person(1, goals=[goal]), _person(2, goals=[goal]))))
    assert err.path == "participants[1].goals[0].id"


def test_a_key_written_twice_in_one_object_is_refused(vault: Vault, tmp_path: Path) -> None:
    # json.loads would keep only the last "notes": the first would be lost without a word.
    text = json.dumps(_doc(_person(1))).replace('"notes": "note 1"', '"notes": "first", "notes": "second"')
    path = tmp_path / "twice.json"
    path.write_text(text, encoding="utf-8")
    err = _refused(vault, path)
    assert "'notes'" in err.problem
    assert "twice" in err.problem
    assert participants.count(vault.conn) == 0


def test_a_float_count_is_refused(vault: Vault, tmp_path: Path) -> None:
    record = copy.deepcopy(AMINA)
    record["outcomes"][0]["hours_per_week"] = 20.0  # type: ignore[index]
    err = _refused(vault, _write(tmp_path, _doc(record)))
    assert str(err) == "participants[0].outcomes[0].hours_per_week: expected a whole number, found 20.0"


def test_a_referral_after_today_is_refused(vault: Vault, tmp_path: Path) -> None:
    err = _refused(vault, _write(tmp_path, _doc(_person(1, referral_date="2026-11-24"))))
    assert str(err) == "participants[0].referral_date: 2026-11-24 is in the future"


def test_parse_checks_practices_against_the_ones_given() -> None:
    data = json.dumps(_doc(_person(1))).encode("utf-8")
    assert [p.family_name for p in parse(data, {"P02"}, TODAY)] == ["Family1"]
    with pytest.raises(ValidationError) as caught:
        parse(data, {"P01"}, TODAY)
    assert caught.value.path == "participants[0].practice"


# -- the skills inventory keeps its history -------------------------------------------------------


def _with_inventory(completed_on: str, confidence: int) -> dict[str, object]:
    record = copy.deepcopy(AMINA)
    inventory = record["skills_inventory"]
    inventory["completed_on"] = completed_on  # type: ignore[index]
    inventory["skills"] = [
        {"name": "Customer service", "confidence": confidence},  # type: ignore[index]
        {"name": "Stock control", "confidence": confidence - 1},
    ]
    return record


def test_a_later_inventory_adds_to_the_history(vault: Vault, tmp_path: Path) -> None:
    _import(vault, tmp_path, _doc(_with_inventory("2015-10-05", 2)))
    _import(vault, tmp_path, _doc(_with_inventory("2016-01-04", 4)))

    history = participants.inventory_history(vault.conn, AMINA_ID)
    assert [i.completed_on for i in history] == [date(2015, 10, 5), date(2016, 1, 4)]
    assert [s.confidence for s in history[0].skills] == [2, 1]
    assert [s.confidence for s in history[1].skills] == [4, 3]
    current = participants.get(vault.conn, AMINA_ID).skills_inventory
    assert current is not None
    assert current.completed_on == date(2016, 1, 4)

    # The file carries the latest one only.
    out = tmp_path / "export.json"
    export_file(vault, out)
    exported = _read(out)["participants"][0]["skills_inventory"]  # type: ignore[index]
    assert decode(SkillsInventory, exported) == history[1]


def test_re_importing_the_latest_inventory_adds_nothing(vault: Vault, tmp_path: Path) -> None:
    _import(vault, tmp_path, _doc(_with_inventory("2015-10-05", 2)))
    _import(vault, tmp_path, _doc(_with_inventory("2016-01-04", 4)))
    _import(vault, tmp_path, _doc(_with_inventory("2016-01-04", 4)))
    history = participants.inventory_history(vault.conn, AMINA_ID)
    assert [i.completed_on for i in history] == [date(2015, 10, 5), date(2016, 1, 4)]


def test_a_corrected_inventory_on_the_same_date_replaces_it(vault: Vault, tmp_path: Path) -> None:
    _import(vault, tmp_path, _doc(_with_inventory("2015-10-05", 2)))
    _import(vault, tmp_path, _doc(_with_inventory("2015-10-05", 3)))
    history = participants.inventory_history(vault.conn, AMINA_ID)
    assert len(history) == 1
    assert history[0].skills[0].confidence == 3


def test_re_importing_an_older_file_does_not_duplicate_its_inventory(vault: Vault, tmp_path: Path) -> None:
    older = _write(tmp_path, _doc(_with_inventory("2015-10-05", 2)), "older.json")
    import_file(vault, older, today=TODAY)
    _import(vault, tmp_path, _doc(_with_inventory("2016-01-04", 4)))
    import_file(vault, older, today=TODAY)
    history = participants.inventory_history(vault.conn, AMINA_ID)
    assert [i.completed_on for i in history] == [date(2015, 10, 5), date(2016, 1, 4)]


# -- exporting one participant (a subject access request) -----------------------------------------


def test_export_of_one_participant_holds_only_that_participant(vault: Vault, tmp_path: Path) -> None:
    _import(vault, tmp_path, _doc(_person(1), AMINA, _person(2)))
    out = tmp_path / "sar.json"
    assert export_file(vault, out, participant_id=AMINA_ID) == 1
    raw = out.read_bytes()
    doc = _read(out)
    assert [p["id"] for p in doc["participants"]] == [AMINA_ID]  # type: ignore[attr-defined]
    assert doc["participants"][0] == AMINA  # type: ignore[index]
    assert b"Family1" not in raw
    assert b"Family2" not in raw
    assert b"note 1" not in raw
    assert audit.entries(vault.conn)[0].action == "caseload.exported"
    assert audit.entries(vault.conn)[0].record_id == AMINA_ID


def test_export_of_an_unknown_participant_writes_nothing(vault: Vault, tmp_path: Path) -> None:
    out = tmp_path / "sar.json"
    with pytest.raises(NotFoundError):
        export_file(vault, out, participant_id="no-such-id")
    assert not out.exists()


def test_the_whole_caseload_is_exported_in_family_name_order(vault: Vault, tmp_path: Path) -> None:
    _import(
        vault,
        tmp_path,
        _doc(_person(1, family_name="Young"), _person(2, family_name="adams"), _person(3, family_name="Brown")),
    )
    out = tmp_path / "all.json"
    assert export_file(vault, out) == 3
    assert [p["family_name"] for p in _read(out)["participants"]] == ["adams", "Brown", "Young"]  # type: ignore[attr-defined]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_exported_file_is_readable_only_by_the_coach(vault: Vault, tmp_path: Path) -> None:
    _import(vault, tmp_path, _doc(AMINA))
    out = tmp_path / "export.json"
    export_file(vault, out)
    assert out.stat().st_mode & 0o077 == 0


def test_import_records_saves_already_checked_records(vault: Vault) -> None:
    records = [decode(Participant, _person(1)), decode(Participant, _person(2))]
    assert import_records(vault, records).created == 2
    assert import_records(vault, records).updated == 2
    assert participants.count(vault.conn) == 2
