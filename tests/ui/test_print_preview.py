"""The action plan's print preview: Ctrl+P on the record opens it with every page drawn from the
PDF in memory; large print re-renders and is remembered; Save PDF… and Print… write only where the
coach chose (never into the vault folder) and note the plan as given today; characters the font
cannot draw turn printing off; and merely looking writes nothing anywhere."""

from __future__ import annotations

import dataclasses
import io
from datetime import date
from pathlib import Path

import pypdf
import pytest

from coachdesk.domain.model import Goal, GoalStep, Participant
from coachdesk.domain.vocabulary import GoalStatus, StepOwner
from coachdesk.services import caseload
from coachdesk.storage import participants
from coachdesk.storage.vault import Vault

DARK = bytes(range(128))


# -- arranging ------------------------------------------------------------------------------------
@pytest.fixture
def page(controller, qtbot):
    from coachdesk.ui.record.record_page import RecordPage

    widget = RecordPage(controller)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    controller.locked.connect(lambda _why: widget.clear_sensitive())  # what the main window does
    return widget


def vault_of_page(page) -> Vault:
    """The vault the page's controller works on (to arrange data and check what was written)."""
    vault = page.controller.worker.holder.vault
    assert vault is not None
    return vault


@pytest.fixture
def someone(people: list[Participant]) -> Participant:
    return with_open_steps(people)


def with_open_steps(people: list[Participant]) -> Participant:
    """An open demo participant whose plan has goals and steps to print."""
    return next(
        p
        for p in people
        if p.closed is None and any(g.status is GoalStatus.OPEN and any(not s.done for s in g.steps) for g in p.goals)
    )


def store(vault: Vault, p: Participant) -> Participant:
    with vault.transaction() as conn:
        participants.save(conn, p)
    return p


def with_many_steps(vault: Vault, p: Participant, count: int = 30) -> Participant:
    """`p` with a goal of `count` open steps: a plan of several pages."""
    steps = [
        GoalStep(text=f"Step {n}: ring the job centre and ask about the warehouse course", owner=StepOwner.PARTICIPANT)
        for n in range(1, count + 1)
    ]
    goal = Goal(title="Find steady warehouse work", created=p.referral_date, steps=steps)
    return store(vault, dataclasses.replace(p, goals=[*p.goals, goal]))


def renamed(vault: Vault, p: Participant, given: str) -> Participant:
    return store(vault, dataclasses.replace(p, given_name=given, preferred_name=""))


def press(qtbot, widget, key, modifier=None) -> None:
    from PySide6.QtCore import Qt

    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)
    target = widget.focusWidget() or widget
    qtbot.keyClick(target, key, modifier or Qt.KeyboardModifier.NoModifier)


def open_preview(qtbot, page, participant_id: str | None = None):
    """Show the record (unless it is shown) and press Ctrl+P, as the coach does; the preview it opened."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from coachdesk.ui.record.print_preview import PrintPreviewDialog

    if participant_id is not None:
        page.show_participant(participant_id)
    press(qtbot, page, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = page.preview
    assert isinstance(dialog, PrintPreviewDialog)
    assert dialog in QApplication.topLevelWidgets()
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    return dialog


def ink(image) -> int:
    """How many pixels of the image are dark (text and rules; the paper is white)."""
    from PySide6.QtGui import QImage

    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data, stride, width = bytes(grey.constBits()), grey.bytesPerLine(), grey.width()
    total = 0
    for y in range(grey.height()):
        row = data[y * stride : y * stride + width]
        total += len(row) - len(row.translate(None, DARK))
    return total


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def issued(vault: Vault, pid: str) -> list[date]:
    return caseload.load(vault, pid).action_plans_issued


def snapshot(*folders: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under the folders: size, mtime and inode."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                st = path.stat()
                found[str(path)] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return found


def patch_save_dialog(monkeypatch, target: Path) -> list[tuple]:
    from PySide6.QtWidgets import QFileDialog

    calls: list[tuple] = []

    def choose(*args, **kwargs):
        calls.append(args)
        return str(target), "PDF documents (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    return calls


# -- opening ---------------------------------------------------------------------------------------
def test_ctrl_p_opens_the_preview_of_the_shown_participant(page, someone, qtbot) -> None:
    from coachdesk.ui.record.print_preview import PAGE_GAP

    p = someone
    dialog = open_preview(qtbot, page, p.id)
    assert dialog.document is not None and dialog.document.participant_id == p.id
    assert dialog.document.pdf.startswith(b"%PDF")
    assert len(dialog.page_images) >= 1
    for image in dialog.page_images:
        assert not image.isNull()
        assert ink(image) > 1000  # text, not a blank sheet
    assert dialog.heading.text() == f"Action plan for {p.preferred_name or p.given_name}"
    count = len(dialog.page_images)
    captions = [label.text() for label in dialog._captions]
    assert captions == [f"Page {n} of {count}" for n in range(1, count + 1)]

    # Fitted to the width of the scroll area, and readable to a screen reader.
    def fitted() -> bool:
        width = dialog._page_labels[0].pixmap().deviceIndependentSize().width()
        return abs(width - (dialog.scroll.viewport().width() - 2 * PAGE_GAP)) <= 2

    qtbot.waitUntil(fitted, timeout=2000)
    dialog.resize(dialog.width() - 150, dialog.height())
    qtbot.waitUntil(fitted, timeout=2000)
    assert "My goals" in dialog._page_labels[0].accessibleDescription()
    assert dialog.print_button.isEnabled() and dialog.save_button.isEnabled()
    assert not dialog.warning.isVisible()


def test_print_is_off_when_no_participant_is_shown(page, someone, qtbot) -> None:
    from PySide6.QtCore import Qt

    assert not page.print_button.isEnabled() and not page.print_action.isEnabled()
    press(qtbot, page, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert page.preview is None
    page.show_participant(someone.id)
    assert page.print_button.isEnabled()
    assert page.print_button.text() == "Print action plan…"


def test_escape_closes_and_lets_go_of_the_plan(page, someone, qtbot) -> None:
    from PySide6.QtCore import Qt

    dialog = open_preview(qtbot, page, someone.id)
    press(qtbot, dialog, Qt.Key.Key_Escape)
    assert page.preview is None
    assert dialog.document is None and dialog.page_images == []


def test_the_preview_closes_when_the_vault_locks(page, someone, controller, qtbot) -> None:
    dialog = open_preview(qtbot, page, someone.id)
    controller.lock("Locked.")
    assert page.preview is None
    assert dialog.document is None and dialog.page_images == []
    assert not page.print_button.isEnabled()


# -- large print -----------------------------------------------------------------------------------
def test_large_print_re_renders_and_is_remembered(page, someone, controller, qtbot) -> None:
    from coachdesk.ui.record.print_preview import LARGE_PRINT_KEY

    p = with_many_steps(vault_of_page(page), someone)
    dialog = open_preview(qtbot, page, p.id)
    assert not dialog.large_print.isChecked()
    standard = len(dialog.page_images)
    assert standard >= 2 and "standard print" in dialog.summary.text()

    dialog.large_print.click()
    large = len(dialog.page_images)
    assert large > standard
    assert dialog.document is not None and dialog.document.plan.large_print
    assert "large print" in dialog.summary.text()
    assert dialog._captions[-1].text() == f"Page {large} of {large}"
    assert controller.settings.value(LARGE_PRINT_KEY, False, type=bool) is True
    dialog.reject()

    again = open_preview(qtbot, page, p.id)
    assert again is not dialog
    assert again.large_print.isChecked()
    assert len(again.page_images) == large
    again.large_print.click()  # and back: remembered as standard
    assert len(again.page_images) == standard
    assert controller.settings.value(LARGE_PRINT_KEY, True, type=bool) is False


# -- saving ----------------------------------------------------------------------------------------
def test_save_pdf_writes_where_chosen_and_records_the_plan_as_given(
    page, someone, qtbot, monkeypatch, tmp_path
) -> None:
    from PySide6.QtCore import Qt

    p = someone
    target = tmp_path / "chosen" / "Plan for today.pdf"
    target.parent.mkdir()
    calls = patch_save_dialog(monkeypatch, target)
    dialog = open_preview(qtbot, page, p.id)
    press(qtbot, dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert len(calls) == 1
    suggested = Path(calls[0][2])
    assert suggested.name == "Action plan.pdf"  # the coach may add a name; the default has none
    assert target.read_bytes() == dialog.document.pdf
    text = pdf_text(target)
    assert (p.preferred_name or p.given_name) in text
    assert "My goals" in text
    assert p.family_name not in text
    assert date.today() in issued(vault_of_page(page), p.id)
    assert "Saved as" in dialog.status.text() and "given today" in dialog.status.text()
    assert not dialog.problem.isVisible()

    # A second save the same day writes the file again but the date only once.
    dialog.save_button.click()
    assert issued(vault_of_page(page), p.id).count(date.today()) == 1


def test_save_pdf_adds_the_extension_when_left_out(page, someone, qtbot, monkeypatch, tmp_path) -> None:
    p = someone
    patch_save_dialog(monkeypatch, tmp_path / "for Amina")
    dialog = open_preview(qtbot, page, p.id)
    dialog.save_button.click()
    assert (tmp_path / "for Amina.pdf").read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "for Amina").exists()


def test_saving_into_the_vault_folder_is_refused(page, someone, vault_folder, qtbot, monkeypatch) -> None:
    p = someone
    before_issued = issued(vault_of_page(page), p.id)
    dialog = open_preview(qtbot, page, p.id)
    for target in (vault_folder.path / "Action plan.pdf", vault_folder.path / "coachdesk.db"):
        before = snapshot(vault_folder.path)
        patch_save_dialog(monkeypatch, target)
        dialog.save_button.click()
        assert "inside the vault folder" in dialog.problem.text()
        assert "Choose a place outside it" in dialog.problem.text()
        assert dialog.problem.isVisible() and not dialog.status.isVisible()
        assert snapshot(vault_folder.path) == before
    assert not (vault_folder.path / "Action plan.pdf").exists()
    assert issued(vault_of_page(page), p.id) == before_issued
    assert dialog.save_button.isEnabled()  # the coach can choose again


def test_cancelling_the_file_dialog_writes_nothing(page, someone, qtbot, monkeypatch, tmp_path) -> None:
    from PySide6.QtWidgets import QFileDialog

    p = someone
    before_issued = issued(vault_of_page(page), p.id)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    dialog = open_preview(qtbot, page, p.id)
    before = snapshot(tmp_path)
    dialog.save_button.click()
    assert snapshot(tmp_path) == before
    assert issued(vault_of_page(page), p.id) == before_issued


# -- printing --------------------------------------------------------------------------------------
def test_print_paints_every_page_and_records_the_plan_as_given(page, someone, qtbot, monkeypatch, tmp_path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QDialog

    out = tmp_path / "printed.pdf"
    seen: dict[str, object] = {}

    def accept(dialog) -> int:
        printer = dialog.printer()
        seen["doc_name"] = printer.docName()
        seen["page"] = printer.pageLayout().pageSize().id()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    p = with_many_steps(vault_of_page(page), someone, count=12)
    dialog = open_preview(qtbot, page, p.id)
    pages = len(dialog.page_images)
    assert pages >= 2
    press(qtbot, dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)

    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == pages
    assert seen["doc_name"] == "Action plan"  # print queues are visible to others: never a name
    from PySide6.QtGui import QPageSize

    assert seen["page"] == QPageSize.PageSizeId.A4
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4
    assert reader.pages[0].images, "each page is painted as the rendered plan"
    assert date.today() in issued(vault_of_page(page), p.id)
    assert "Sent to the printer" in dialog.status.text()


def test_cancelling_the_print_dialog_prints_nothing(page, someone, qtbot, monkeypatch) -> None:
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialog

    monkeypatch.setattr(QPrintDialog, "exec", lambda _dialog: QDialog.DialogCode.Rejected)
    p = someone
    before = issued(vault_of_page(page), p.id)
    dialog = open_preview(qtbot, page, p.id)
    dialog.print_button.click()
    assert issued(vault_of_page(page), p.id) == before
    assert not dialog.status.isVisible()


# -- what the font cannot draw ---------------------------------------------------------------------
def test_characters_the_font_cannot_draw_turn_printing_off(page, someone, qtbot, monkeypatch) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QFileDialog

    def never(*_args, **_kwargs):
        raise AssertionError("nothing may be printed or saved")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(never))
    monkeypatch.setattr(QPrintDialog, "exec", never)
    p = renamed(vault_of_page(page), someone, "李明")
    before = issued(vault_of_page(page), p.id)
    dialog = open_preview(qtbot, page, p.id)

    assert dialog.warning.isVisible()
    warning = dialog.warning.text()
    assert "The printer font cannot draw: " in warning
    assert "李" in warning and "明" in warning and "U+674E" in warning
    assert "change the spelling in the record before printing" in warning
    assert dialog.page_images, "the preview still shows the plan"
    for control in (dialog.print_button, dialog.save_button, dialog.print_action, dialog.save_action):
        assert not control.isEnabled()
    press(qtbot, dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    dialog.print_plan()
    dialog.save_pdf()
    assert issued(vault_of_page(page), p.id) == before


# -- unsaved changes -------------------------------------------------------------------------------
def test_unsaved_changes_print_the_saved_version_and_say_so(page, someone, qtbot, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    p = someone
    page.show_participant(p.id)
    page.profile.form.preferred_name.setText("Bobbi")
    assert page.has_unsaved_changes()
    monkeypatch.setattr(type(page), "_ask_print_unsaved", lambda _self: QMessageBox.StandardButton.Ignore)
    dialog = open_preview(qtbot, page)
    assert dialog.saved_note.isVisible() and "last saved" in dialog.saved_note.text()
    assert dialog.document.plan.name == (p.preferred_name or p.given_name)
    assert page.has_unsaved_changes()  # the edits stay on the record, unsaved
    assert caseload.load(vault_of_page(page), p.id).preferred_name == p.preferred_name


def test_unsaved_changes_can_be_saved_first(page, someone, qtbot, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    p = someone
    page.show_participant(p.id)
    page.profile.form.preferred_name.setText("Bobbi")
    monkeypatch.setattr(type(page), "_ask_print_unsaved", lambda _self: QMessageBox.StandardButton.Save)
    dialog = open_preview(qtbot, page)
    assert not dialog.saved_note.isVisible()
    assert dialog.document.plan.name == "Bobbi"
    assert caseload.load(vault_of_page(page), p.id).preferred_name == "Bobbi"
    assert not page.has_unsaved_changes()


def test_unsaved_changes_cancel_opens_nothing(page, someone, qtbot, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    p = someone
    page.show_participant(p.id)
    page.profile.form.preferred_name.setText("Bobbi")
    monkeypatch.setattr(type(page), "_ask_print_unsaved", lambda _self: QMessageBox.StandardButton.Cancel)
    page.print_plan()
    assert page.preview is None and page.has_unsaved_changes()


# -- nothing on disk -------------------------------------------------------------------------------
def test_opening_and_closing_the_preview_writes_nothing_anywhere(
    page, someone, vault_folder, qtbot, isolated_profile
) -> None:
    tmp_path = vault_folder.path.parent
    from PySide6.QtCore import Qt

    p = with_many_steps(vault_of_page(page), someone)
    page.show_participant(p.id)
    before = snapshot(tmp_path, isolated_profile, vault_folder.path)
    dialog = open_preview(qtbot, page)
    assert dialog.page_images
    dialog.resize(700, 600)  # fitting the pages again renders from memory too
    dialog._fit_pages()
    press(qtbot, dialog, Qt.Key.Key_Escape)
    assert page.preview is None
    assert snapshot(tmp_path, isolated_profile, vault_folder.path) == before


def test_the_unsaved_changes_question_names_both_choices(page, someone, qtbot) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    p = someone
    page.show_participant(p.id)
    page.profile.form.preferred_name.setText("Bobbi")
    seen: dict[str, object] = {}

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["text"] = f"{box.text()} {box.informativeText()}"
        seen["buttons"] = [b.text() for b in box.buttons()]
        next(b for b in box.buttons() if b.text() == "Print the saved version").click()

    QTimer.singleShot(0, answer)
    page.print_button.click()
    assert "not saved" in str(seen["text"]) and "as it was last saved" in str(seen["text"])
    assert {"Save, then print", "Print the saved version"} <= set(seen["buttons"])  # type: ignore[arg-type]
    assert page.preview is not None and page.preview.saved_note.isVisible()
