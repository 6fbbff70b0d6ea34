"""Finding a participant as a coach types in the search box: names with or without accents, any
script, the NHS number however it is spaced, words from session notes; never an error, and never a
stale hit after a record changes."""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from coachdesk.domain.model import Participant, Session
from coachdesk.domain.vocabulary import ReferralSource, SessionType
from coachdesk.storage import participants
from coachdesk.storage.search import fts_query, search_ids, spellings
from coachdesk.storage.vault import Vault


def _p(
    pid: str, given: str, family: str, preferred: str = "", *, nhs: str | None = None, notes: list[str] | None = None
) -> Participant:
    return Participant(
        id=pid,
        given_name=given,
        family_name=family,
        preferred_name=preferred,
        nhs_number=nhs,
        date_of_birth=date(1984, 3, 12),
        practice="P01",
        referral_date=date(2015, 10, 1),
        referral_source=ReferralSource.GP,
        sessions=[
            Session(id=f"{pid}-s{i}", start=datetime(2015, 10, 5 + i, 10), type=SessionType.REVIEW, notes=n)
            for i, n in enumerate(notes or [])
        ],
    )


CASELOAD = [
    _p("amina", "Amina", "Okafor", "Mina", nhs="9434765919", notes=["Interested in warehouse work near Angel."]),
    _p("zoe", "Zoë", "Brontë", notes=["Needs help with a CV; childcare on Tuesdays."]),
    _p("lukasz", "Łukasz", "Wróbel", nhs="4010232137"),
    _p("dmitri", "Дмитрий", "Иванов", "Дима"),
    _p("giorgos", "Γιώργος", "Παπαδόπουλος"),
    _p("thi", "Thị", "Nguyễn", notes=["Forklift licence renewed", 'Talked about AND NEAR (operators) "quoted"']),
    _p("obrien", "Sean", "O'Brien"),
]


def _fill(vault: Vault) -> Vault:
    with vault.transaction() as conn:
        for p in CASELOAD:
            participants.save(conn, p)
    return vault


@pytest.fixture
def caseload(vault: Vault) -> Vault:
    """The caseload in a vault of the test's own, for tests that change records."""
    return _fill(vault)


@pytest.fixture(scope="module")
def shared(_template_vault: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    """The caseload in one vault for the tests that only search (opening a vault per query is slow)."""
    target = tmp_path_factory.mktemp("search") / "vault"
    shutil.copytree(_template_vault, target)
    opened = Vault.open(target)
    opened.unlock_with_recovery_key((_template_vault.parent / "recovery.txt").read_text())
    yield _fill(opened)
    opened.close()


def _find(vault: Vault, text: str) -> list[str]:
    return search_ids(vault.conn, text)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Amina", ["amina"]),
        ("ami", ["amina"]),
        ("am", ["amina"]),
        ("AMINA", ["amina"]),
        ("Okafor", ["amina"]),
        ("oka", ["amina"]),
        ("Mina", ["amina"]),  # preferred name
        ("amina okafor", ["amina"]),
        ("okafor amina", ["amina"]),
    ],
)
def test_names_are_found_by_prefix_in_any_case(shared: Vault, typed: str, expected: list[str]) -> None:
    assert _find(shared, typed) == expected


def test_every_word_typed_must_match(shared: Vault) -> None:
    assert _find(shared, "Amina Wróbel") == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("zoe", ["zoe"]),
        ("Zoë", ["zoe"]),
        ("bronte", ["zoe"]),
        ("lukasz", ["lukasz"]),
        ("Łuk", ["lukasz"]),
        ("wrobel", ["lukasz"]),
        ("nguyen", ["thi"]),
        ("Nguyễn", ["thi"]),
    ],
)
def test_names_are_found_with_or_without_diacritics(shared: Vault, typed: str, expected: list[str]) -> None:
    assert _find(shared, typed) == expected


def test_letters_of_their_own_are_found_from_an_english_keyboard(vault: Vault) -> None:
    # ł, ı, ø and đ are not a letter plus an accent, so the index keeps them apart from l, i, o, d.
    people = [
        _p("michal", "Michał", "Kowalczyk"),
        _p("ayse", "Ayşe", "Yıldırım"),
        _p("soren", "Søren", "Kierkegaard"),
        _p("dordevic", "Đorđe", "Đorđević"),
        _p("fedor", "Фёдор", "Смирнов"),
        _p("strauss", "Anna", "Strauß"),
    ]
    with vault.transaction() as conn:
        for p in people:
            participants.save(conn, p)
    assert _find(vault, "michal") == ["michal"]
    assert _find(vault, "ayse yil") == ["ayse"]
    assert _find(vault, "soren") == ["soren"]
    assert _find(vault, "dorde") == ["dordevic"]
    assert _find(vault, "dordevic") == ["dordevic"]
    assert _find(vault, "федор") == ["fedor"]
    assert _find(vault, "strauss") == ["strauss"]
    assert _find(vault, "Strauß") == ["strauss"]
    assert _find(vault, "Michał") == ["michal"]


def test_a_name_typed_with_its_accent_finds_it_registered_without(vault: Vault) -> None:
    with vault.transaction() as conn:
        participants.save(conn, _p("plain", "Lukasz", "Wrobel"))
        participants.save(conn, _p("marked", "Łukasz", "Kamiński"))
    assert _find(vault, "Łukasz") == ["marked", "plain"]
    assert _find(vault, "lukasz") == ["marked", "plain"]


def test_greek_names_are_found_in_capitals_and_without_accents(shared: Vault) -> None:
    assert _find(shared, "ΓΙΩΡΓΟΣ") == ["giorgos"]
    assert _find(shared, "παπαδοπουλος") == ["giorgos"]


def test_text_in_decomposed_unicode_is_searched_like_composed_text(shared: Vault) -> None:
    # macOS input methods may hand over "ώ" as ω + a combining accent.
    assert _find(shared, unicodedata.normalize("NFD", "Γιώργος")) == ["giorgos"]
    assert _find(shared, unicodedata.normalize("NFD", "Nguyễn")) == ["thi"]


def test_each_word_is_tried_in_a_bounded_number_of_spellings() -> None:
    assert spellings("lukasz") == ["lukasz", "łukasz"]
    assert set(spellings("Łukasz")) == {"łukasz", "lukasz"}
    assert len(spellings("philippidis" * 3)) <= 32


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Дми", ["dmitri"]),
        ("дмитрий", ["dmitri"]),
        ("Иван", ["dmitri"]),
        ("Дима", ["dmitri"]),
        ("Γιώ", ["giorgos"]),
        ("γιωργος", ["giorgos"]),
        ("Παπα", ["giorgos"]),
    ],
)
def test_cyrillic_and_greek_names_are_found_by_prefix(shared: Vault, typed: str, expected: list[str]) -> None:
    assert _find(shared, typed) == expected


@pytest.mark.parametrize(
    "typed", ["9434765919", "943 476 5919", " 943 476 5919 ", "943-476-5919", "943 476", "9434", "943"]
)
def test_the_nhs_number_is_found_however_it_is_typed(shared: Vault, typed: str) -> None:
    assert _find(shared, typed) == ["amina"]


def test_an_nhs_number_that_is_nobodys_finds_nobody(shared: Vault) -> None:
    assert _find(shared, "943 476 5918") == []
    assert _find(shared, "476 5919") == []  # the middle of a number is not its start


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("warehouse", ["amina"]),
        ("Angel", ["amina"]),
        ("childcare", ["zoe"]),
        ("forklift", ["thi"]),
        ("licence renew", ["thi"]),
    ],
)
def test_words_in_session_notes_find_the_participant(shared: Vault, typed: str, expected: list[str]) -> None:
    assert _find(shared, typed) == expected


def test_a_name_word_and_a_note_word_are_not_combined(shared: Vault) -> None:
    # Each index is searched on its own: the name and the note must not be stitched together.
    assert _find(shared, "Amina warehouse") == []


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '""',
        "*",
        "**",
        "(",
        ")",
        "()",
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "NEAR(",
        "-",
        "--",
        "^",
        ":",
        "+",
        "'",
        "amina*",
        '"amina',
        "amina AND",
        "AND amina",
        "(amina",
        "amina)",
        "amina NOT",
        "NEAR(amina okafor)",
        "body:amina",
        "-amina",
        "^amina",
        "O'Brien",
        "o'bri",
        "{amina}",
        "amina OR zoe",
        "%",
        "_",
        "\\",
        "\x00",
        ";DROP TABLE",
        "   ",
    ],
)
def test_search_operators_typed_by_the_coach_never_raise(shared: Vault, typed: str) -> None:
    found = _find(shared, typed)
    assert isinstance(found, list)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("amina*", ["amina"]),
        ('"amina', ["amina"]),
        ("(amina", ["amina"]),
        ("-amina", ["amina"]),
        ("^amina", ["amina"]),
        ("body:amina", []),  # "body" is a word to find, not the column
        ("amina OR zoe", []),  # OR is a word, not "either"
        ("NEAR(amina okafor)", []),  # NEAR is a word nobody has
        ("O'Brien", ["obrien"]),
        ("o'bri", ["obrien"]),
        ("AND", ["thi"]),  # the word in Thị's notes
        ("near operators", ["thi"]),
        ('"quoted"', ["thi"]),
    ],
)
def test_operator_characters_are_treated_as_text(shared: Vault, typed: str, expected: list[str]) -> None:
    assert _find(shared, typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", "\t\n", '"', "*", "()", "-", "- -", "'"])
def test_an_empty_query_finds_nothing(shared: Vault, typed: str) -> None:
    assert _find(shared, typed) == []
    assert fts_query(typed) is None


def test_a_changed_name_is_found_by_the_new_name_only(caseload: Vault) -> None:
    p = participants.get(caseload.conn, "amina")
    p.family_name = "Adeyemi"
    p.preferred_name = ""
    with caseload.transaction() as conn:
        participants.save(conn, p)
    assert _find(caseload, "Okafor") == []
    assert _find(caseload, "Mina") == []
    assert _find(caseload, "Adeyemi") == ["amina"]
    assert _find(caseload, "Amina") == ["amina"]


def test_a_changed_nhs_number_is_found_by_the_new_number_only(caseload: Vault) -> None:
    p = participants.get(caseload.conn, "amina")
    p.nhs_number = "4505577104"
    with caseload.transaction() as conn:
        participants.save(conn, p)
    assert _find(caseload, "943 476 5919") == []
    assert _find(caseload, "450 557 7104") == ["amina"]


def test_changed_session_notes_are_found_by_the_new_words_only(caseload: Vault) -> None:
    p = participants.get(caseload.conn, "amina")
    p.sessions[0].notes = "Prefers café work in Islington."
    with caseload.transaction() as conn:
        participants.save(conn, p)
    assert _find(caseload, "warehouse") == []
    assert _find(caseload, "Angel") == []
    assert _find(caseload, "cafe") == ["amina"]


def test_a_removed_session_no_longer_finds_the_participant(caseload: Vault) -> None:
    p = participants.get(caseload.conn, "zoe")
    p.sessions = []
    with caseload.transaction() as conn:
        participants.save(conn, p)
    assert _find(caseload, "childcare") == []
    assert _find(caseload, "zoe") == ["zoe"]


def test_saving_a_record_twice_gives_one_hit(caseload: Vault) -> None:
    p = participants.get(caseload.conn, "thi")
    with caseload.transaction() as conn:
        participants.save(conn, p)
        participants.save(conn, p)
    assert _find(caseload, "forklift") == ["thi"]
    assert _find(caseload, "Nguyen") == ["thi"]


def test_a_participant_matching_by_name_and_notes_is_listed_once(vault: Vault) -> None:
    with vault.transaction() as conn:
        participants.save(conn, _p("x", "Forrest", "Gump", notes=["forrest run", "forrest again"]))
    assert _find(vault, "forrest") == ["x"]


def test_results_are_in_family_name_order(vault: Vault) -> None:
    people = [
        _p("1", "Sam", "Young", notes=["smith referred"]),
        _p("2", "Sam", "adams"),
        _p("3", "Sam", "Brown"),
        _p("4", "Alex", "Brown"),
        _p("5", "Sam", "Smith"),
    ]
    with vault.transaction() as conn:
        for p in people:
            participants.save(conn, p)
    assert _find(vault, "sam") == ["2", "3", "5", "1"]
    # Matches from names and from notes are merged into one list in name order.
    assert _find(vault, "smith") == ["5", "1"]
    assert _find(vault, "brown") == ["4", "3"]


def test_the_limit_caps_the_number_of_results(vault: Vault) -> None:
    with vault.transaction() as conn:
        for i in range(12):
            participants.save(conn, _p(f"id{i:02d}", "Sam", f"Family{i:02d}"))
    assert search_ids(vault.conn, "sam", limit=5) == [f"id{i:02d}" for i in range(5)]


def test_search_finds_nothing_in_an_empty_vault(vault: Vault) -> None:
    assert _find(vault, "amina") == []
