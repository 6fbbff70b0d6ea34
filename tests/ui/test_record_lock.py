"""The record page and the lock: a note being typed is kept as an encrypted draft before the lock
and put back after unlock; after the lock no widget holds any of the participant's text."""

from __future__ import annotations

from datetime import date

import pytest
from testkit import PASSPHRASE

from coachdesk.domain.model import Participant
from coachdesk.services import caseload
from coachdesk.storage import drafts
from coachdesk.storage.vault import Vault


@pytest.fixture
def page(controller, qtbot):
    from coachdesk.ui.record.record_page import RecordPage

    widget = RecordPage(controller)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    controller.locked.connect(lambda _why: widget.clear_sensitive())  # what the main window does
    return widget


def busiest(people: list[Participant]) -> Participant:
    return max(people, key=lambda p: (len(p.outcomes), len(p.employer_contacts), len(p.sessions)))


def lock_and_unlock(controller, vault: Vault) -> list[drafts.Draft]:
    """Lock as the app does, check the database is closed, unlock again; the drafts then stored."""
    from coachdesk.ui.controller import unlock_info

    controller.lock("Locked.")
    assert not vault.unlocked
    vault.unlock_with_passphrase(PASSPHRASE)
    found = drafts.all_drafts(vault.conn)
    controller.opened(unlock_info(vault))
    return found


def test_a_note_being_typed_survives_the_lock(page, people, controller, vault_of, qtbot) -> None:
    from PySide6.QtCore import Qt

    p = busiest(people)
    page.show_participant(p.id)
    index = page.sessions.list.current_index()
    session_id = p.sessions[index].id
    page.sessions.notes.setFocus()
    page.sessions.notes.moveCursor(page.sessions.notes.textCursor().MoveOperation.End)
    qtbot.keyClicks(page.sessions.notes, " Agreed to call the bakery on Monday.")
    typed = page.sessions.notes.toPlainText()
    assert typed.endswith("call the bakery on Monday.")

    found = lock_and_unlock(controller, vault_of)
    assert [(d.key, d.participant_id, d.body) for d in found] == [(f"session:{session_id}", p.id, typed)]
    assert page.sessions.notes.toPlainText() == ""  # cleared while locked
    assert caseload.load(vault_of, p.id).sessions[index].notes == p.sessions[index].notes  # not saved as such

    with qtbot.waitSignal(page.drafts_restored, timeout=1000) as restored:
        page.restore_drafts()
    assert restored.args == [p.id]
    assert page.participant_id == p.id
    assert page.tabs.currentWidget() is page.sessions
    assert page.sessions.rows[page.sessions.list.current_index()]["id"] == session_id
    assert page.sessions.notes.toPlainText() == typed
    assert page.has_unsaved_changes()
    assert "Restored the note you were typing when CoachDesk locked" in page.info.text()

    # Saving keeps the note in the session and forgets the draft.
    qtbot.keyClick(page.sessions.notes, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert caseload.load(vault_of, p.id).sessions[index].notes == typed
    assert drafts.all_drafts(vault_of.conn) == []
    assert not page.has_unsaved_changes()


def test_a_note_in_a_session_booked_but_not_saved_survives_the_lock(page, people, controller, vault_of) -> None:
    from coachdesk.domain.vocabulary import SessionType

    p = busiest(people)
    page.show_participant(p.id)
    page.sessions._exec = lambda dialog: dialog.accept() or True  # the coach presses Book
    page.sessions.book_session()
    page.sessions.notes.setPlainText("First meeting notes, session not saved yet")

    found = lock_and_unlock(controller, vault_of)
    assert [(d.key, d.body) for d in found] == [(f"new-session:{p.id}", "First meeting notes, session not saved yet")]
    page.restore_drafts()
    assert len(page.sessions.rows) == len(p.sessions) + 1
    assert page.sessions.notes.toPlainText() == "First meeting notes, session not saved yet"
    row = page.sessions.list.current_row()
    assert row is not None and row["type"] == SessionType.REVIEW and row["date"] == date.today().strftime("%d/%m/%Y")
    assert page.save()
    assert any(s.notes == "First meeting notes, session not saved yet" for s in caseload.load(vault_of, p.id).sessions)


def test_no_draft_without_unsaved_notes(page, people, controller, vault_of) -> None:
    page.show_participant(busiest(people).id)
    assert lock_and_unlock(controller, vault_of) == []
    page.restore_drafts()
    assert page.participant_id is None
    assert page.stack.currentIndex() == 0 and page.nobody.isVisible()


def test_discarding_the_edits_forgets_the_draft(page, people, controller, vault_of, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    p = busiest(people)
    page.show_participant(p.id)
    page.sessions.notes.setPlainText("Changed my mind")
    lock_and_unlock(controller, vault_of)
    page.restore_drafts()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert page.maybe_leave()
    assert drafts.all_drafts(vault_of.conn) == []


def _participant_texts(p: Participant) -> set[str]:
    texts = {p.given_name, p.family_name, p.display_name, p.email, p.phone, p.postcode, p.nhs_number or ""}
    texts |= {s.notes[:40] for s in p.sessions if s.notes}
    texts |= {g.title for g in p.goals} | {st.text for g in p.goals for st in g.steps}
    texts |= {c.employer for c in p.employer_contacts} | {c.notes[:40] for c in p.employer_contacts if c.notes}
    texts |= {o.employer for o in p.outcomes}
    inv = p.skills_inventory
    if inv:
        texts |= {w.employer for w in inv.work_history} | {w.role for w in inv.work_history}
        texts |= {q.title for q in inv.qualifications} | set(inv.barriers) | set(inv.preferences.job_types)
        texts |= {s.name for s in inv.skills}
    from coachdesk.ui.record.fields import long_date

    for day in (p.date_of_birth, p.referral_date):
        texts |= {day.strftime("%d/%m/%Y"), long_date(day)}
    return {t for t in texts if len(t) >= 4}


def _shown_texts(root) -> list[str]:
    from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
    from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QTextEdit

    shown: list[str] = []
    for w in root.findChildren(QLineEdit):
        shown.append(w.text())
    for w in root.findChildren(QLabel):
        shown.append(w.text())
    for w in root.findChildren(QPlainTextEdit):
        shown.append(w.toPlainText())
    for w in root.findChildren(QTextEdit):
        shown.append(w.toPlainText())
    for w in root.findChildren(QComboBox):
        shown.append(w.currentText())
        shown.extend(w.itemText(i) for i in range(w.count()))
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        top = QModelIndex()
        for r in range(model.rowCount(top)):
            for c in range(1 if isinstance(model, QAbstractListModel) else model.columnCount(top)):
                shown.append(str(model.index(r, c).data(Qt.ItemDataRole.DisplayRole) or ""))
                shown.append(str(model.index(r, c).data(Qt.ItemDataRole.ToolTipRole) or ""))
    return shown


def test_no_participant_text_anywhere_after_the_lock(page, people, controller, vault_of) -> None:
    p = busiest(people)
    secret = _participant_texts(p)
    page.show_participant(p.id)
    for i in range(page.tabs.count()):  # visit everything, as a coach would
        page.tabs.setCurrentIndex(i)
    for j in range(page.inventory.sections.count()):
        page.inventory.sections.setCurrentIndex(j)
    page.goals.goals.select(len(page.goals.rows) - 1)
    page.employment.outcomes.select(0)
    page.employment.contacts.select(0)
    before = "\n".join(_shown_texts(page))
    assert any(t in before for t in secret)  # the check can see participant text when it is there

    controller.lock("Locked.")
    after = "\n".join(_shown_texts(page))
    leaked = sorted(t for t in secret if t in after)
    assert leaked == []
    assert page.participant_id is None
    assert page.name.text() == "" and page.details.text() == ""
    assert not page.has_unsaved_changes()


def test_a_dialog_open_at_the_lock_is_closed(page, people, controller, vault_of) -> None:
    from coachdesk.ui.record.session_dialog import SessionDialog

    p = busiest(people)
    page.show_participant(p.id)
    dialog = SessionDialog(dict(page.sessions.rows[0]), booking=False, parent=page.sessions)
    dialog.show()
    controller.lock("Locked.")
    assert not dialog.isVisible()
    assert page.sessions.rows == []
