"""Backups people really make (issue 8): the reminder, Back up now (checked after writing),
automatic backups keeping the last N, restore into a new folder; the audit view and its CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from testkit import PASSPHRASE

from coachdesk.domain.errors import VaultError
from coachdesk.services import backups, caseload, caseload_file, demo, governance
from coachdesk.storage import audit, participants
from coachdesk.storage.vault import Vault

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def filled(vault: Vault) -> Vault:
    for p in demo.generate(12, 5, ["P01", "P02"], date(2026, 11, 1)):
        caseload.register(vault, p, date(2026, 11, 23))
    return vault


def test_the_reminder_follows_the_policy_limit(filled: Vault, tmp_path: Path) -> None:
    assert backups.status(filled, NOW).overdue  # never backed up
    assert filled.policy.backup_reminder_days == 7  # the test policy does not name it: the default
    backups.back_up_now(filled, tmp_path, NOW)
    now = datetime.now(UTC)
    assert not backups.status(filled, now).overdue
    assert backups.status(filled, now + timedelta(days=7, minutes=1)).overdue
    assert backups.status(filled, now).days_since == 0


def test_back_up_now_then_restore_equals_the_original(filled: Vault, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    written = backups.back_up_now(filled, stick, NOW)
    assert written.name == "coachdesk-backup-2026-11-23-090000.cdbackup"
    assert [p.name for p in stick.iterdir()] == [written.name]  # nothing left from the check
    backups.restore(written, tmp_path / "restored", passphrase=PASSPHRASE)
    with Vault.open(tmp_path / "restored") as restored:
        restored.unlock_with_passphrase(PASSPHRASE)
        again = caseload_file.document(participants.iter_all(restored.conn), NOW)
        assert restored.check() == []
    original = caseload_file.document(participants.iter_all(filled.conn), NOW)
    assert len(original["participants"]) == 12  # type: ignore[arg-type]
    assert caseload_file.to_bytes(again) == caseload_file.to_bytes(original)


def test_a_damaged_copy_is_refused_after_writing_and_removed(
    filled: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coachdesk.storage import backup as backup_module

    real = backup_module.write_backup

    def write_then_damage(vault: Vault, dest: Path, progress: object = None) -> None:
        real(vault, dest, None)
        data = bytearray(dest.read_bytes())
        data[len(data) // 2] ^= 0xFF  # the USB stick flipped a byte on the way
        dest.write_bytes(bytes(data))

    monkeypatch.setattr(backups, "write_backup", write_then_damage)
    with pytest.raises(VaultError, match="damaged"):
        backups.back_up_now(filled, tmp_path, NOW)
    assert list(tmp_path.glob("*.cdbackup")) == []


def test_never_inside_the_vault_or_into_a_missing_folder(filled: Vault, tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="vault's own folder"):
        backups.back_up_now(filled, filled.folder, NOW)
    with pytest.raises(VaultError, match="USB stick"):
        backups.back_up_now(filled, tmp_path / "unplugged", NOW)
    with pytest.raises(VaultError, match="vault's own folder"):
        backups.set_auto(filled, filled.folder, 3)


def test_automatic_backups_keep_the_last_n_and_touch_nothing_else(filled: Vault, tmp_path: Path) -> None:
    folder = tmp_path / "auto"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"not ours")
    (folder / "coachdesk-auto-00000000-20200101-000000.cdbackup").write_bytes(b"another vault's")
    assert not backups.auto_due(filled, NOW)  # off until a folder is chosen
    backups.set_auto(filled, folder, 2)
    made = []
    for day in range(4):
        now = NOW + timedelta(days=day)
        assert backups.auto_due(filled, now)
        made.append(backups.run_auto(filled, now))
        assert not backups.auto_due(filled, now + timedelta(hours=23))
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == sorted(
        ["holiday.jpg", "coachdesk-auto-00000000-20200101-000000.cdbackup", made[2].name, made[3].name]
    )
    backups.set_auto(filled, None, 2)
    assert backups.status(filled, NOW).auto_folder is None and not backups.auto_due(filled, NOW)


def test_a_restore_never_goes_over_a_vault(filled: Vault, tmp_path: Path) -> None:
    written = backups.back_up_now(filled, tmp_path, NOW)
    with pytest.raises(VaultError, match="never restores over a vault"):
        backups.restore(written, filled.folder, passphrase=PASSPHRASE)


# -- the audit view ---------------------------------------------------------------------------------
def test_the_audit_view_filters_and_exports(filled: Vault, tmp_path: Path) -> None:
    someone = caseload.caseload(filled)[0].id
    caseload.save_record(filled, caseload.load(filled, someone), date(2026, 11, 23))
    view = governance.audit_view(filled, audit.AuditFilter())
    assert view.chain_problem is None and view.total == len(view.entries) == 14  # created, 12 registered, 1 update
    assert {"vault.created", "participant.created", "participant.updated"} <= set(view.actions)
    updated = governance.audit_view(filled, audit.AuditFilter(action="participant.updated"))
    assert [e.record_id for e in updated.entries] == [someone]
    by_id = governance.audit_view(filled, audit.AuditFilter(record_id=someone[:6]))
    assert {e.record_id for e in by_id.entries} == {someone} and len(by_id.entries) == 2
    today = view.entries[0].at[:10]
    assert len(governance.audit_view(filled, audit.AuditFilter(since=today, until=today)).entries) == 14
    assert governance.audit_view(filled, audit.AuditFilter(until="2000-01-01")).entries == []
    assert governance.audit_view(filled, audit.AuditFilter(record_id="%")).entries == []  # LIKE is escaped
    path = tmp_path / "audit.csv"
    assert governance.export_audit_csv(filled, path, audit.AuditFilter(action="participant.updated")) == 1
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "seq,at,action,record_id" and lines[1].endswith(f",participant.updated,{someone}")


def test_a_broken_chain_is_reported_by_the_view(filled: Vault) -> None:
    with filled.transaction() as conn:
        conn.execute("DELETE FROM audit_log WHERE seq = 3")
    assert governance.audit_view(filled, audit.AuditFilter()).chain_problem == "audit entry 3 is missing"
