"""Full-text search over names, NHS numbers and session notes, inside the encrypted database."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence

from coachdesk.storage.database import Connection

_TOKEN = re.compile(r"\w+", re.UNICODE)
_BATCH = 500

# Letters the index's tokenizer (unicode61, remove_diacritics 2) keeps apart from the plain letter a
# coach types on an English keyboard: ł, ø, đ and ı are letters of their own, not a letter with a
# mark, and Greek and Cyrillic keep their accents. Each typed word is also searched with these
# letters put back, so "lukasz" finds Łukasz, "γιωργος" finds Γιώργος and "yilmaz" finds Yılmaz.
_MARKED: dict[str, tuple[str, ...]] = {
    "l": ("ł",),
    "o": ("ø",),
    "d": ("đ",),
    "i": ("ı",),
    "ss": ("ß",),
    "ae": ("æ",),
    "oe": ("œ",),
    "α": ("ά",),
    "ε": ("έ",),
    "η": ("ή",),
    "ι": ("ί", "ϊ", "ΐ"),
    "ο": ("ό",),
    "υ": ("ύ", "ϋ", "ΰ"),
    "ω": ("ώ",),
    "е": ("ё",),
}
_PLAIN = {marked: plain for plain, marks in _MARKED.items() for marked in marks}
_MAX_SPELLINGS = 32  # per typed word; names rarely have more than two such letters


def _plain(word: str) -> str:
    return "".join(_PLAIN.get(c, c) for c in word)


def spellings(word: str) -> list[str]:
    """The ways `word` may be written in the index: as typed, plain, and with up to two of the
    letters above put back (at most _MAX_SPELLINGS)."""
    typed = unicodedata.normalize("NFC", word.lower())
    plain = _plain(typed)
    swaps = sorted(
        (start, start + len(plain_letters), marked)
        for plain_letters, marks in _MARKED.items()
        for start in range(len(plain))
        if plain.startswith(plain_letters, start)
        for marked in marks
    )
    found = dict.fromkeys([typed, plain])
    for size in (1, 2):
        for combo in itertools.combinations(swaps, size):
            if len(found) >= _MAX_SPELLINGS:
                return list(found)
            if any(a[1] > b[0] for a, b in itertools.pairwise(combo)):
                continue  # overlapping swaps ("oe" and "o")
            text, last = [], 0
            for start, end, marked in combo:
                text.extend((plain[last:start], marked))
                last = end
            text.append(plain[last:])
            found["".join(text)] = None
    return list(found)


def fts_query(text: str, other_spellings: bool = True) -> str | None:
    """A safe FTS5 query from what a coach typed: every word must match as a prefix.

    Words are quoted, so FTS5 operators and punctuation in the search box are plain text.
    A number typed with spaces (943 476 5919) is searched as one NHS number. With
    `other_spellings`, each word also matches its spellings() (for names)."""
    stripped = unicodedata.normalize("NFC", text).strip()
    if re.fullmatch(r"[0-9\s-]+", stripped):
        digits = re.sub(r"[^0-9]", "", stripped)
        return f'"{digits}"*' if digits else None
    words = _TOKEN.findall(stripped)
    if not words:
        return None
    if not other_spellings:
        return " AND ".join(f'"{w}"*' for w in words)
    return " AND ".join("(" + " OR ".join(f'"{s}"*' for s in spellings(w)) + ")" for w in words)


_PERSON_TEXT = "given_name || ' ' || family_name || ' ' || preferred_name || ' ' || coalesce(nhs_number, '')"


def unindex(conn: Connection, participant_id: str) -> None:
    """Remove one participant's name and notes from the index (before their rows change)."""
    conn.execute("DELETE FROM people_fts WHERE rowid = (SELECT pk FROM participants WHERE id = ?)", (participant_id,))
    # External-content FTS5 deletes need the indexed text itself; empty notes were never indexed.
    conn.execute(
        "INSERT INTO notes_fts(notes_fts, rowid, notes) SELECT 'delete', pk, notes FROM sessions"
        " WHERE participant_id = ? AND notes <> ''",
        (participant_id,),
    )


def index(conn: Connection, participant_ids: Sequence[str]) -> None:
    """Index the names and notes of participants just written, a few statements per batch."""
    for i in range(0, len(participant_ids), _BATCH):
        chunk = list(participant_ids[i : i + _BATCH])
        marks = ",".join("?" * len(chunk))
        conn.execute(
            f"INSERT INTO people_fts(rowid, body) SELECT pk, {_PERSON_TEXT} FROM participants WHERE id IN ({marks})",  # noqa: S608
            chunk,
        )
        conn.execute(
            f"INSERT INTO notes_fts(rowid, notes) SELECT pk, notes FROM sessions WHERE participant_id IN ({marks})"  # noqa: S608
            " AND notes <> ''",
            chunk,
        )


def search_ids(conn: Connection, text: str, limit: int = 500) -> list[str]:
    """Ids of participants whose name, NHS number or session notes match `text`."""
    names, notes = fts_query(text), fts_query(text, other_spellings=False)
    if names is None or notes is None:
        return []
    rows = conn.execute(
        """
        SELECT id FROM (
            SELECT p.id AS id, p.family_name AS f, p.given_name AS g FROM people_fts
                JOIN participants p ON p.pk = people_fts.rowid WHERE people_fts MATCH ?1
            UNION
            SELECT p.id, p.family_name, p.given_name FROM notes_fts
                JOIN sessions s ON s.pk = notes_fts.rowid
                JOIN participants p ON p.id = s.participant_id WHERE notes_fts MATCH ?2
        ) ORDER BY f COLLATE NOCASE, g COLLATE NOCASE, id LIMIT ?3
        """,
        (names, notes, limit),
    )
    return [r[0] for r in rows]
