"""The canary scan (security.md): participants whose details carry unique marker strings go through
the command line, and afterwards no file CoachDesk wrote — database, WAL, key slots, backup, temp
files, logs, caches — holds any marker in any common encoding. Nor the passphrase, nor the
recovery key."""

from __future__ import annotations

import json
import os
import re
import unicodedata
import uuid
from pathlib import Path

from testkit import run_cli

from coachdesk.paths import log_dir

PASSPHRASE = "canary passphrase QXJ-wobbly-heron-47"
NEW_PASSPHRASE = "second canary passphrase ZPV-tidal-lantern-93"
STEM = "CANARYzq7x1"
RECOVERY_KEY = re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){6}\b")

CANARIES = {
    "given_name": f"{STEM}Given",
    "family_name": f"{STEM}Family",
    "preferred_name": f"{STEM}Pref",
    "postcode": f"{STEM}PC",
    "email": f"{STEM.lower()}mail@example.org",
    "phone": f"07700 {STEM}PH",
    "note": f"{STEM}Note",
    "note_word": f"{STEM}Word",
    "work_employer": f"{STEM}WorkEmployer",
    "contact_employer": f"{STEM}ContactEmployer",
    "contact_note": f"{STEM}ContactNote",
    "outcome_employer": f"{STEM}OutcomeEmployer",
    "goal": f"{STEM}Goal",
    "step": f"{STEM}Step",
    "barrier": f"{STEM}Barrier",
    "skill": f"{STEM}Skill",
    "qualification": f"{STEM}Qual",
    "role": f"{STEM}Role",
    # Non-ASCII: scanned exactly, in NFC and NFD.
    "unicode_given": "Zoë-Ŧanarÿ-ĸ7Ω",
    "unicode_note": "Ærø ŋote ĸanarî 9Ψ",
}
NHS_NUMBER = "9434765919"  # a valid NHS number: ten digits scanned as a canary too


def _participants() -> list[dict[str, object]]:
    c = CANARIES
    main = {
        "id": str(uuid.uuid4()),
        "given_name": c["given_name"],
        "family_name": c["family_name"],
        "preferred_name": c["preferred_name"],
        "date_of_birth": "1984-03-12",
        "nhs_number": NHS_NUMBER,
        "phone": c["phone"],
        "email": c["email"],
        "postcode": c["postcode"],
        "practice": "P01",
        "referral_date": "2015-10-01",
        "referral_source": "gp",
        "sessions": [
            {
                "id": str(uuid.uuid4()),
                "start": "2015-10-05T10:00",
                "minutes": 45,
                "type": "initial_assessment",
                "attendance": "attended",
                "notes": f"Discussed {c['note']} and {c['note_word']} at length. " + "Padding text. " * 200,
            },
        ],
        "skills_inventory": {
            "completed_on": "2015-10-05",
            "work_history": [
                {
                    "employer": c["work_employer"],
                    "role": c["role"],
                    "start": "2010-01",
                    "end": "2014-06",
                    "reason_left": "ill health",
                }
            ],
            "qualifications": [{"title": c["qualification"], "level": "2", "year": 2002}],
            "skills": [{"name": c["skill"], "confidence": 4}],
            "barriers": [c["barrier"]],
        },
        "goals": [
            {
                "id": str(uuid.uuid4()),
                "title": c["goal"],
                "category": "work",
                "created": "2015-10-05",
                "steps": [{"text": c["step"], "owner": "participant"}],
            }
        ],
        "employer_contacts": [
            {"date": "2015-10-20", "employer": c["contact_employer"], "kind": "contact", "notes": c["contact_note"]}
        ],
        "outcomes": [
            {
                "type": "job_start",
                "date": "2016-01-11",
                "employer": c["outcome_employer"],
                "hours_per_week": 20,
                "hourly_pay_pence": 940,
            }
        ],
    }
    second = {
        "given_name": c["unicode_given"],
        "family_name": "Ordinary",
        "date_of_birth": "1990-01-01",
        "practice": "P02",
        "referral_date": "2016-02-01",
        "referral_source": "self",
        "sessions": [
            {
                "start": "2016-02-03T09:30",
                "minutes": 30,
                "type": "review",
                "attendance": "attended",
                "notes": c["unicode_note"],
            }
        ],
    }
    return [main, second]


def _forms(text: str) -> list[tuple[str, bytes, bool]]:
    """(label, bytes, case-insensitive?) for each way `text` could sit in a file."""
    forms = []
    for norm in ("NFC", "NFD"):
        value = unicodedata.normalize(norm, text)
        ascii_only = value.isascii()
        forms.append((f"{norm} UTF-8", value.encode("utf-8"), ascii_only))
        forms.append((f"{norm} UTF-16-LE", value.encode("utf-16-le"), ascii_only))
        forms.append((f"{norm} UTF-16-BE", value.encode("utf-16-be"), ascii_only))
    return forms


def _files(roots: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    for root in roots:
        if root.is_file():
            seen.add(root.resolve())
        elif root.is_dir():
            seen.update(p.resolve() for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    return sorted(seen)


def _scan(files: list[Path], secrets: dict[str, str]) -> list[str]:
    hits = []
    for path in files:
        data = path.read_bytes()
        lowered = data.lower()  # bytes.lower() touches ASCII letters only
        for label, text in secrets.items():
            for form, needle, fold in _forms(text):
                if needle in data or (fold and needle.lower() in lowered):
                    hits.append(f"{label} ({form}) in {path}")
    return hits


REFERRAL_MONTH = "2015-10"  # the first canary participant's


def test_no_canary_in_any_file(tmp_path: Path, isolated_profile: Path) -> None:
    work = tmp_path / "work"  # the vault's parent folder: the backup goes here too
    vault = work / "vault"
    backup = work / "caseload.cdbackup"
    outside = tmp_path / "outside"  # the coach's own plaintext files: the import source and the export
    outside.mkdir()
    env = {"COACHDESK_PASSPHRASE": PASSPHRASE}

    init = run_cli("init", "--vault", str(vault), env=env)
    assert init.code == 0, init.err
    recovery = RECOVERY_KEY.findall(init.out)
    assert len(recovery) == 1

    source = outside / "caseload.json"
    source.write_text(
        json.dumps({"format": "coachdesk.caseload/1", "participants": _participants()}, ensure_ascii=False),
        encoding="utf-8",
    )
    result = run_cli("import", str(source), "--vault", str(vault), env=env)
    assert result.code == 0, result.err

    for query in (
        CANARIES["family_name"],
        CANARIES["note"],
        CANARIES["note_word"].lower(),
        NHS_NUMBER,
        CANARIES["unicode_given"],
    ):
        result = run_cli("search", query, "--vault", str(vault), env=env)
        assert result.code == 0, result.err
        assert len(result.out.splitlines()) == 1, (query, result.out)
    result = run_cli("search", CANARIES["given_name"], "--json", "--vault", str(vault), env=env)
    assert result.code == 0 and CANARIES["family_name"] in json.loads(result.out)[0]["name"]

    exported = outside / "export.json"
    result = run_cli("export", str(exported), "--vault", str(vault), env=env)
    assert result.code == 0, result.err
    assert run_cli("check", "--vault", str(vault), env=env).code == 0
    result = run_cli("backup", str(backup), "--vault", str(vault), env=env)
    assert result.code == 0, result.err
    bundle = work / "bundle.json"  # what a coach carries on a USB stick: scanned below with the rest
    result = run_cli("bundle", "--period", REFERRAL_MONTH, "--out", str(bundle), "--vault", str(vault), env=env)
    assert result.code == 0, result.err
    assert b'"measure":"referrals_received","practice":"P01","value":1' in bundle.read_bytes()
    result = run_cli("passwd", "--vault", str(vault), env={**env, "COACHDESK_NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert result.code == 0, result.err
    result = run_cli("check", "--vault", str(vault), env={"COACHDESK_PASSPHRASE": NEW_PASSPHRASE})
    assert result.code == 0, result.err
    assert "2 participants" in result.out
    # A failing command that quotes the coach's input: the quote goes to the screen, not the log.
    bad = outside / "bad.json"
    bad_record = {**_participants()[0], "sex": CANARIES["note"]}
    bad.write_text(json.dumps({"format": "coachdesk.caseload/1", "participants": [bad_record]}), encoding="utf-8")
    result = run_cli("import", str(bad), "--vault", str(vault), env={"COACHDESK_PASSPHRASE": NEW_PASSPHRASE})
    assert result.code == 1
    assert CANARIES["note"] in result.err  # named on the screen, where the coach needs it

    secrets = {
        **CANARIES,
        "stem": STEM,
        "nhs_number": NHS_NUMBER,
        "passphrase": PASSPHRASE,
        "new_passphrase": NEW_PASSPHRASE,
        "recovery_key": recovery[0],
        "recovery_key_compact": recovery[0].replace("-", ""),
    }

    # The scanner finds what is there: the coach's own plaintext export holds every canary.
    export_hits = _scan([exported], CANARIES)
    assert {hit.split(" (")[0] for hit in export_hits} == set(CANARIES)

    logs = log_dir()
    assert logs.is_relative_to(isolated_profile), "the log folder is inside this test's profile"
    log_files = list(logs.glob("coachdesk.log*"))
    assert log_files, f"no log file in {logs}"
    log_lines = [line for f in log_files for line in f.read_text(encoding="utf-8").splitlines()]
    assert len(log_lines) >= 10, log_lines  # every command above logged something: the scan is not vacuous

    roots = [vault, backup, work, isolated_profile, logs]
    roots += [
        Path(os.environ[var])
        for var in ("TMPDIR", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")
    ]
    files = _files(roots)
    names = {p.name for p in files}
    assert {"coachdesk.db", "keyslots.json", "coachdesk.log", "caseload.cdbackup", "bundle.json"} <= names, names
    assert not any(p.is_relative_to(outside.resolve()) for p in files)
    hits = _scan(files, secrets)
    assert hits == [], "\n".join(hits)


# -- erasure (issue 8): nothing of an erased participant in any byte, decrypted or not ------------
ERASED_STEM = "ERASEDqv3k8"  # erased on request (`coachdesk erase`)
RETIRED_STEM = "RETIREDw5m2"  # erased when its retention period ended
KEPT_STEM = "KEPTjx9r4"  # still in the vault: proves the scans find what is there


def _record_with(stem: str, nhs_number: str | None, closed: str | None = None) -> dict[str, object]:
    record = json.loads(json.dumps(_participants()[0]).replace(STEM, stem).replace(STEM.lower(), stem.lower()))
    record["id"] = str(uuid.uuid4())
    record["sessions"][0]["id"] = str(uuid.uuid4())
    record["goals"][0]["id"] = str(uuid.uuid4())
    record["nhs_number"] = nhs_number
    if closed:
        record["closed"] = {"date": closed, "reason": "moved_away"}
    return record


def _decrypted_pages(data: bytes, key: bytes, wal: bool) -> bytes:
    """Every page of a SQLCipher 4 database or WAL file, decrypted (free pages and old WAL frames too).

    SQLCipher 4: 4096-byte pages; each ends in 80 reserved bytes (a 16-byte IV, then the HMAC); the
    rest is AES-256-CBC under the raw data key; page 1 starts with the 16-byte salt, in clear."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    page, reserve = 4096, 80
    pages: list[tuple[int, bytes]] = []
    if wal:
        offset = 32  # the WAL header, then frames of a 24-byte header and a page
        while offset + 24 + page <= len(data):
            number = int.from_bytes(data[offset : offset + 4], "big")
            pages.append((number, data[offset + 24 : offset + 24 + page]))
            offset += 24 + page
    else:
        pages = [(i // page + 1, data[i : i + page]) for i in range(0, len(data) - page + 1, page)]
    out = []
    for number, raw in pages:
        start = 16 if number == 1 else 0
        iv = raw[page - reserve : page - reserve + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out.append(decryptor.update(raw[start : page - reserve]) + decryptor.finalize())
    return b"".join(out)


def _stem_canaries(stem: str) -> dict[str, str]:
    return {label: text.replace(STEM, stem).replace(STEM.lower(), stem.lower()) for label, text in CANARIES.items()
            if STEM in text or STEM.lower() in text}


def test_erased_participants_leave_no_byte_behind(tmp_path: Path, isolated_profile: Path) -> None:
    from datetime import date

    from coachdesk.services import governance
    from coachdesk.storage import audit, search
    from coachdesk.storage.vault import Vault

    vault_dir = tmp_path / "vault"
    env = {"COACHDESK_PASSPHRASE": PASSPHRASE}
    assert run_cli("init", "--vault", str(vault_dir), env=env).code == 0
    erased = _record_with(ERASED_STEM, NHS_NUMBER)
    retired = _record_with(RETIRED_STEM, None, closed="2016-06-30")
    kept = _record_with(KEPT_STEM, None)
    source = tmp_path / "caseload.json"
    doc = {"format": "coachdesk.caseload/1", "participants": [erased, retired, kept]}
    source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert run_cli("import", str(source), "--vault", str(vault_dir), env=env).code == 0
    source.unlink()

    # On request, headless: refused without --yes off a terminal, unknown ids named, then done.
    refused = run_cli("erase", str(erased["id"]), "--vault", str(vault_dir), env=env)
    assert refused.code == 2 and "--yes" in refused.err
    unknown = run_cli("erase", str(uuid.uuid4()), "--yes", "--vault", str(vault_dir), env=env)
    assert unknown.code == 1 and "No participant with the id" in unknown.err
    done = run_cli("erase", str(erased["id"]), "--yes", "--vault", str(vault_dir), env=env)
    assert done.code == 0, done.err
    assert run_cli("check", "--vault", str(vault_dir), env=env).code == 0

    # After the retention period, as the app does it.
    vault = Vault.open(vault_dir)
    try:
        vault.unlock_with_passphrase(PASSPHRASE)
        due = governance.past_retention(vault, date.today())
        assert [s.id for s in due] == [retired["id"]]
        assert governance.erase_past_retention(vault, date.today(), expected=1) == 1
        assert vault.check() == []
        conn = vault.conn
        assert [e.action for e in audit.entries(conn)].count("participant.erased") == 2
        erased_ids = {erased["id"], retired["id"]}
        assert not erased_ids & {e.record_id for e in audit.entries(conn, limit=10_000)}
        assert search.search_ids(conn, KEPT_STEM) == [kept["id"]]
        # The indexes' own vocabulary (terms are stored prefix-compressed, so a byte scan alone
        # could miss them): no erased word is left in either index.
        conn.execute("CREATE VIRTUAL TABLE temp.people_words USING fts5vocab(main, 'people_fts', 'row')")
        conn.execute("CREATE VIRTUAL TABLE temp.note_words USING fts5vocab(main, 'notes_fts', 'row')")
        words = [r[0] for t in ("people_words", "note_words") for r in conn.execute(f"SELECT term FROM temp.{t}")]  # noqa: S608
        assert any(w.startswith(KEPT_STEM.lower()) for w in words)
        assert not [w for w in words if w.startswith((ERASED_STEM.lower(), RETIRED_STEM.lower()))]
        conn.execute("DROP TABLE temp.people_words")
        conn.execute("DROP TABLE temp.note_words")
        key = bytes(vault.data_key)
        files = _files([vault_dir])
        raw = {p: p.read_bytes() for p in files}  # as the erasure left them, WAL included
    finally:
        vault.close()

    assert {p.name for p in files} >= {"coachdesk.db", "keyslots.json"}
    plain = tmp_path / "decrypted"
    plain.mkdir()
    for path, data in raw.items():
        if path.name in ("coachdesk.db", "coachdesk.db-wal"):
            (plain / f"{path.name}.pages").write_bytes(_decrypted_pages(data, key, wal=path.name.endswith("-wal")))
    gone = {
        **{f"erased {k}": v for k, v in _stem_canaries(ERASED_STEM).items()},
        **{f"retired {k}": v for k, v in _stem_canaries(RETIRED_STEM).items()},
        "erased nhs_number": NHS_NUMBER,
    }
    as_left = tmp_path / "as-left"  # the vault's files as they were before it closed
    as_left.mkdir()
    for path, data in raw.items():
        (as_left / path.name).write_bytes(data)
    assert _scan([*as_left.iterdir(), *plain.iterdir(), *_files([vault_dir])], gone) == []
    # The same scan finds the kept participant in the decrypted pages: it reads what is there.
    still = _stem_canaries(KEPT_STEM)
    found = {hit.split(" (")[0] for hit in _scan(list(plain.iterdir()), still)}
    assert found == set(still), set(still) - found
