"""The Data protection page (Ctrl+4) and the record's erase and subject access actions (issue 8):
backups with the reminder on Today, retention erasure with a confirmation naming the count, the
audit log with its chain state, restore, and the typed-name erasure of one participant."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from conftest import add_people
from PySide6.QtCore import Qt
from testkit import PASSPHRASE

from coachdesk.domain.model import Closure
from coachdesk.domain.vocabulary import ClosureReason
from coachdesk.services import backups, caseload
from coachdesk.storage import audit, participants
from coachdesk.storage.vault import Vault


def press(qtbot, widget, sequence: str) -> None:
    from PySide6.QtGui import QKeySequence

    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)
    combo = QKeySequence(sequence)[0]
    qtbot.keyClick(widget.focusWidget() or widget, combo.key(), combo.keyboardModifiers())


@pytest.fixture
def data(window):
    from coachdesk.ui.main_window import DATA

    window.nav.setCurrentRow(DATA)
    return window.data_page


def test_ctrl_4_opens_the_page_on_the_backups_tab(window, qtbot) -> None:
    from coachdesk.ui.main_window import DATA

    press(qtbot, window, "Ctrl+4")
    assert window.pages.currentIndex() == DATA and window.nav.currentRow() == DATA
    assert window.nav.item(DATA).text() == "Data protection"
    assert "No backup of this vault has been made yet." in window.data_page.backups.last_label.text()
    assert "every 7 days" in window.data_page.backups.policy_label.text()


def test_todays_reminder_leads_to_a_checked_backup_and_goes(window, qtbot, tmp_path: Path, monkeypatch) -> None:
    today = window.today_page
    assert today.backup_banner.isVisible() and "never been backed up" in today.backup_text.text()
    stick = tmp_path / "stick"
    stick.mkdir()
    tab = window.data_page.backups
    monkeypatch.setattr(tab, "choose_folder", lambda _title: stick)
    qtbot.mouseClick(today.backup_button, __import__("PySide6.QtCore").QtCore.Qt.MouseButton.LeftButton)
    written = list(stick.glob("coachdesk-backup-*.cdbackup"))
    assert len(written) == 1
    assert "and checked" in tab.activity.text() and not tab.problem.isVisible()
    assert "made today" in tab.last_label.text()
    window.nav.setCurrentRow(0)
    assert not today.backup_banner.isVisible()


def test_a_failed_backup_says_why(data, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(data.backups, "choose_folder", lambda _title: tmp_path / "unplugged")
    data.backups.back_up_now()
    assert data.backups.problem.isVisible() and "USB stick" in data.backups.problem.text()
    assert data.backups.now_button.isEnabled()


def test_automatic_backups_are_set_and_made_at_unlock(data, vault_of: Vault, monkeypatch, tmp_path: Path) -> None:
    folder = tmp_path / "auto"
    folder.mkdir()
    tab = data.backups
    assert not tab.auto_off_button.isEnabled()
    monkeypatch.setattr(tab, "choose_folder", lambda _title: folder)
    tab.keep.setValue(3)
    tab.choose_auto_folder()
    assert str(folder) in tab.auto_label.text() and tab.auto_off_button.isEnabled()
    data.start()  # what unlocking does
    assert len(list(folder.glob("coachdesk-auto-*.cdbackup"))) == 1
    data.start()  # the same day: not again
    assert len(list(folder.glob("coachdesk-auto-*.cdbackup"))) == 1
    tab.turn_auto_off()
    assert tab.auto_label.text() == "Automatic backups are off."
    assert backups.status(vault_of, backups.datetime.now(backups.UTC)).auto_keep == 3


def test_restore_into_a_new_folder(data, vault_of: Vault, tmp_path: Path, qtbot) -> None:
    written = backups.back_up_now(vault_of, tmp_path, backups.datetime.now(backups.UTC))
    data.backups.open_restore()
    dialog = data.backups.restore_dialog
    assert dialog is not None
    dialog.confirm = lambda _b, _f: True
    dialog.restore()
    assert "Choose the backup file" in dialog.problem.text()
    dialog.file.setText(str(written))
    dialog.folder.setText(str(tmp_path / "restored"))
    dialog.key.setText("not the passphrase")
    dialog.restore()
    assert "does not open" in dialog.problem.text() or "passphrase" in dialog.problem.text().lower()
    assert not (tmp_path / "restored").exists()
    dialog.key.setText(PASSPHRASE)
    dialog.restore()
    assert Vault.exists(tmp_path / "restored")
    assert "restored into" in dialog.message.text() and dialog.key.text() == ""
    dialog.reject()


def _closed_long_ago(vault: Vault, count: int) -> list[str]:
    people = add_people(vault, count, seed=11, today=date(2017, 6, 1))
    ids = []
    with vault.transaction() as conn:
        for p in people:
            last = max([p.referral_date, *(s.start.date() for s in p.sessions), *(o.date for o in p.outcomes)])
            closed = dataclasses.replace(p, closed=Closure(date=last, reason=ClosureReason.MOVED_AWAY))
            participants.save(conn, closed)
            ids.append(p.id)
    return ids


def test_retention_lists_the_cases_and_erases_them_after_a_confirmation_naming_the_count(
    data, vault_of: Vault, people, qtbot
) -> None:
    from coachdesk.ui.data_protection_page import RETENTION

    old = _closed_long_ago(vault_of, 3)
    data.show_tab(RETENTION)
    tab = data.retention
    assert tab.headline.text() == "3 closed cases are past their retention period."
    assert tab.erase_button.text() == "&Erase 3 records…" and tab.erase_button.isEnabled()
    assert tab.model.rowCount() == 3 and "6 years" in tab.rule.text()
    asked: list[int] = []
    tab.confirm = lambda count: asked.append(count) or False
    tab.erase_due()
    assert asked == [3] and all(participants.exists(vault_of.conn, pid) for pid in old)
    tab.confirm = lambda count: True
    tab.erase_due()
    assert not any(participants.exists(vault_of.conn, pid) for pid in old)
    assert participants.count(vault_of.conn) == len(people)
    assert "3 records erased." in tab.activity.text()
    assert tab.headline.text() == "No closed case is past its retention period."
    assert not tab.erase_button.isEnabled() and not tab.table.isVisible()


def test_the_audit_log_filters_exports_and_shows_a_broken_chain(
    data, vault_of: Vault, people, tmp_path: Path, monkeypatch
) -> None:
    from coachdesk.ui.data_protection_page import AUDIT

    data.show_tab(AUDIT)
    tab = data.audit
    assert tab.chain.text().startswith("The audit log is whole")
    total = audit.count(vault_of.conn)
    assert tab.model.rowCount() == total and f"of {total} entries" in tab.count.text()
    someone = people[0].id
    caseload.save_record(vault_of, caseload.load(vault_of, someone), date.today())
    tab.record.setText(someone[:8])
    tab.refresh()
    assert tab.model.rowCount() == 1 and tab.model.rows[0].action == "participant.updated"
    what = tab.model.index(0, 2)
    assert what.data() == "Participant's record changed"  # in the coach's words
    assert what.data(Qt.ItemDataRole.ToolTipRole) == "participant.updated"  # the code, as the CSV has it
    tab.since.setText("31/02/2026")
    tab.refresh()
    assert tab.problem.isVisible() and "31/02/2026" in tab.problem.text()
    tab.clear_filters()
    assert not tab.problem.isVisible() and tab.model.rowCount() == total + 1
    index = tab.action.findData("participant.updated")
    tab.action.setCurrentIndex(index)
    tab.refresh()
    assert [e.record_id for e in tab.model.rows] == [someone]
    out = tmp_path / "audit.csv"
    monkeypatch.setattr(tab, "choose_file", lambda: out)
    tab.export_csv()
    assert out.read_text(encoding="utf-8").splitlines()[1].endswith(f"participant.updated,{someone}")
    with vault_of.transaction() as conn:
        conn.execute("UPDATE audit_log SET at = '2001-01-01T00:00:00.000000Z' WHERE seq = 2")
    tab.clear_filters()
    assert tab.chain.text() == "The audit log has been altered: audit entry 2 has been altered."
    assert tab.chain.objectName() == "calmError"


def test_erase_dialog_needs_the_typed_name(qtbot) -> None:
    from coachdesk.ui.record.erase_dialog import EraseDialog

    dialog = EraseDialog("Zoë Ann Smith")
    qtbot.addWidget(dialog)
    assert not dialog.erase_button.isEnabled()
    dialog.typed.insert("zoë ann")  # QTest cannot type "ë"; insert() is what an input method does
    assert not dialog.erase_button.isEnabled()
    qtbot.keyClicks(dialog.typed, "  smith ")
    assert dialog.erase_button.isEnabled()
    assert dialog.matches("ZOË  ANN SMITH") and not dialog.matches("Zoe Ann Smith")


def test_erasing_from_the_record_closes_it_and_refreshes_the_lists(window, vault_of: Vault, people) -> None:
    from coachdesk.ui.main_window import CASELOAD

    target = next(p for p in people if p.closed is None)
    window.nav.setCurrentRow(CASELOAD)
    model = window.caseload_page.model
    assert model.row_of(target.id) >= 0
    before = model.rowCount()
    window.open_participant(target.id)
    page = window.record_page
    assert page.participant_id == target.id and page.more_button.isEnabled()
    asked: list[str] = []
    page.confirm_erase = lambda name: asked.append(name) or False
    page.erase_participant()
    assert participants.exists(vault_of.conn, target.id) and page.participant_id == target.id
    page.confirm_erase = lambda name: True
    page.erase_participant()
    assert asked == [f"{target.given_name} {target.family_name}"]
    assert not participants.exists(vault_of.conn, target.id)
    assert page.participant_id is None and page.stack.currentIndex() == 0
    assert window.pages.currentIndex() == CASELOAD
    assert model.row_of(target.id) == -1 and model.rowCount() == before - 1
    assert audit.entries(vault_of.conn)[0].action == "participant.erased"


def test_subject_access_export_from_the_record(window, people, tmp_path: Path, monkeypatch) -> None:
    window.open_participant(people[1].id)
    page = window.record_page
    monkeypatch.setattr(page, "choose_folder", lambda _title: tmp_path)
    page.export_subject_access()
    written = sorted(p.suffix for p in tmp_path.glob("subject-access-*"))
    assert written == [".json", ".pdf"]
    assert "Subject access export written" in page.info.text()


def test_locking_clears_the_page(window, data, people) -> None:
    from coachdesk.ui.data_protection_page import AUDIT

    data.show_tab(AUDIT)
    assert data.audit.model.rowCount() > 0
    window.controller.lock("test")
    assert data.audit.model.rowCount() == 0 and data.retention.model.rowCount() == 0
    assert data.backups.last_label.text() == "" and data.audit.chain.text() == ""
