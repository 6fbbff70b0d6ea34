"""The participant record: a header (name, practice, referral date, open or closed, Print action
plan…, Save) over one tab per part of the record. The page holds the Participant read by the
worker; tabs apply their edits into a copy of it, and Save (Ctrl+S) writes the whole copy in one
transaction — or, when a value is not acceptable, writes nothing and shows the field.

Locking: before the lock job runs, any unsaved session notes are kept as encrypted drafts; after
unlock, `restore_drafts` opens that participant and puts the text back.

Printing: Print action plan… (Ctrl+P) opens the plan's preview (print_preview.py), made from the
record as saved; with unsaved changes the coach first chooses to save them or to print the saved
version, and the preview says which it shows.

More ▾ holds the record's data-protection actions: Subject access export… (a readable PDF and the
caseload file, into a folder the coach picks) and Erase this participant… (the coach types the
name to confirm; the page then closes the record and the lists refresh)."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coachdesk.domain.checks import check_participant
from coachdesk.domain.codec import decode, encode
from coachdesk.domain.errors import CoachDeskError, ValidationError
from coachdesk.domain.model import Participant, SkillsInventory
from coachdesk.services import governance
from coachdesk.storage.drafts import Draft
from coachdesk.ui.controller import AppController
from coachdesk.ui.record import drafts_ops, record_ops
from coachdesk.ui.record.closure_tab import ClosureTab
from coachdesk.ui.record.employment_tab import EmploymentTab
from coachdesk.ui.record.fields import MessageLabel, centred_block, empty_state, long_date
from coachdesk.ui.record.goals_tab import GoalsTab
from coachdesk.ui.record.inventory_tab import InventoryTab
from coachdesk.ui.record.profile_tab import ProfileTab
from coachdesk.ui.record.record_ops import RecordData
from coachdesk.ui.record.sessions_tab import SessionsTab
from coachdesk.ui.record.tab import RecordTab

if TYPE_CHECKING:
    from coachdesk.ui.record.print_preview import PrintPreviewDialog

log = logging.getLogger("coachdesk.ui.record")

Answer = QMessageBox.StandardButton


class RecordPage(QWidget):
    drafts_restored = Signal(str)  # participant id: the main window shows this page
    erased = Signal(str)  # participant id, after an erasure: the main window leaves the page

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._participant: Participant | None = None
        self._history: list[SkillsInventory] = []
        self._dirty = False
        self._filling = False
        self._edits = 0  # counts edits, so a save that finishes mid-typing does not reload over them
        self._request = 0  # the latest load; older results are dropped

        self.name = QLabel()
        self.name.setObjectName("pageTitle")
        self.name.setAccessibleName(self.tr("Participant name"))
        self.details = QLabel()
        self.details.setAccessibleName(self.tr("Practice, referral date and status"))
        self.unsaved = QLabel(self.tr("Unsaved changes"))
        self.unsaved.setObjectName("calmError")
        self.unsaved.setVisible(False)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setToolTip(self.tr("Save the record (Ctrl+S)"))
        self.save_button.setAccessibleName(self.tr("Save the record"))
        self.save_button.clicked.connect(self.save)
        self.save_action = QAction(self.tr("Save the record"), self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self.save)
        self.addAction(self.save_action)
        self.print_button = QPushButton(self.tr("Print action plan…"))
        self.print_button.setToolTip(self.tr("Preview and print this participant's action plan (Ctrl+P)"))
        self.print_button.setAccessibleName(self.tr("Print the action plan"))
        self.print_button.clicked.connect(self.print_plan)
        self.print_action = QAction(self.tr("Print the action plan"), self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        # Anywhere in the window while the record is shown (focus may still be in the navigation);
        # a hidden page's shortcut is inactive.
        self.print_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.print_action.triggered.connect(self.print_plan)
        self.addAction(self.print_action)
        self.preview: PrintPreviewDialog | None = None  # the open print preview, if any
        self._erasing: str | None = None  # the id being erased: its change events are not reloads
        self.more_button = QPushButton(self.tr("&More"))
        self.more_button.setAccessibleName(self.tr("More actions on this record"))
        more = QMenu(self.more_button)
        self.sar_action = more.addAction(self.tr("&Subject access export…"))
        self.sar_action.setToolTip(self.tr("Everything held about this participant, as a PDF and a caseload file"))
        self.sar_action.triggered.connect(self.export_subject_access)
        more.addSeparator()
        self.erase_action = more.addAction(self.tr("&Erase this participant…"))
        self.erase_action.triggered.connect(self.erase_participant)
        self.more_button.setMenu(more)
        self.problem = MessageLabel(self.tr("Problem saving the record"), error=True)
        self.info = MessageLabel(self.tr("Record message"))

        self.profile = ProfileTab()
        self.sessions = SessionsTab()
        self.inventory = InventoryTab()
        self.goals = GoalsTab()
        self.employment = EmploymentTab()
        self.closure = ClosureTab()
        self.record_tabs: list[RecordTab] = [
            self.profile,
            self.sessions,
            self.inventory,
            self.goals,
            self.employment,
            self.closure,
        ]
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Parts of the record"))
        for tab in self.record_tabs:
            self.tabs.addTab(tab, tab.title)
            tab.changed.connect(self._tab_changed)

        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.name)
        titles.addWidget(self.details)
        header = QHBoxLayout()
        header.addLayout(titles, 1)
        header.addWidget(self.unsaved, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignVCenter)
        record = QWidget()
        record_layout = QVBoxLayout(record)
        record_layout.setContentsMargins(0, 0, 0, 0)
        record_layout.addLayout(header)
        record_layout.addWidget(self.problem)
        record_layout.addWidget(self.info)
        record_layout.addWidget(self.tabs, 1)
        self.nobody = empty_state(
            self.tr(
                "No participant is open. Choose one from Today or the Caseload (Ctrl+F finds anyone by name "
                "or NHS number), or register a new referral with Ctrl+N."
            )
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(centred_block(self.nobody))
        self.stack.addWidget(record)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.stack)

        controller.about_to_lock.connect(self._before_lock)
        controller.participant_changed.connect(self._participant_changed)
        self.clear_sensitive()

    # -- opening a record ---------------------------------------------------------------------
    @property
    def participant_id(self) -> str | None:
        return self._participant.id if self._participant else None

    def show_participant(self, participant_id: str) -> None:
        """Read the record and its inventory history on the worker, then fill every tab."""
        self._request += 1
        token = self._request
        self.controller.run(
            lambda vault: record_ops.load_record(vault, participant_id),
            on_done=lambda data: self._loaded(token, data),
            on_error=lambda exc: self._load_failed(token, exc),
        )
        self.controller.run(
            lambda vault: drafts_ops.drafts_for(vault, participant_id),
            on_done=lambda found: self._put_back(token, found),
            on_error=self._drafts_failed,
        )

    def _loaded(self, token: int, data: RecordData) -> None:
        if token != self._request:
            return
        switching = self.participant_id != data.participant.id
        self._participant = data.participant
        self._history = data.history
        self._fill()
        self.problem.clear()
        self.info.clear()
        self.stack.setCurrentIndex(1)
        self._set_printable(True)
        if switching:
            self.tabs.setCurrentWidget(self.sessions if data.participant.sessions else self.profile)

    def _load_failed(self, token: int, exc: Exception) -> None:
        if token == self._request:
            known = isinstance(exc, CoachDeskError)
            self.problem.setText(str(exc) if known else self.tr("The record could not be read."))

    def _fill(self) -> None:
        """Load every tab from the held record; what this shows is, by definition, saved."""
        assert self._participant is not None
        self._filling = True
        try:
            for tab in self.record_tabs:
                tab.load(self._participant, self._history, self.controller.policy)
        finally:
            self._filling = False
        self._set_dirty(False)
        self._show_header()

    def _show_header(self) -> None:
        p = self._participant
        if p is None:
            self.name.clear()
            self.details.clear()
            return
        self.name.setText(p.display_name)
        status = self.tr("Closed {0}").format(long_date(p.closed.date)) if p.closed else self.tr("Open")
        self.details.setText(
            self.tr("{0}  ·  Referred {1}  ·  {2}").format(
                self.controller.policy.practice_name(p.practice), long_date(p.referral_date), status
            )
        )

    # -- edits ----------------------------------------------------------------------------------
    def _tab_changed(self) -> None:
        if self._filling or self._participant is None:
            return
        self._edits += 1
        self.problem.clear()
        if self.info.text() == self.tr("Saved."):
            self.info.clear()
        self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.unsaved.setVisible(dirty)

    def has_unsaved_changes(self) -> bool:
        """True when the tabs hold something the vault does not (an edit undone by hand is not one)."""
        if self._participant is None or not self._dirty:
            return False
        try:
            edited = self._applied()
        except ValidationError:
            return True
        return encode(edited) != encode(self._participant)

    def _applied(self) -> Participant:
        assert self._participant is not None
        edited = copy.deepcopy(self._participant)
        for tab in self.record_tabs:
            tab.apply(edited)
        return edited

    def checked_record(self) -> Participant:
        """The edited record, checked by the domain's field and record rules (ValidationError names the field)."""
        edited = decode(Participant, encode(self._applied()))
        check_participant(edited, self.controller.policy.practice_codes, date.today())
        return edited

    # -- saving ---------------------------------------------------------------------------------
    def save(self) -> bool:
        """Check and write the whole record; False (nothing written) when a value is not acceptable."""
        return self._save()

    def _save(self, then: Callable[[], None] | None = None) -> bool:
        """`save`, then call `then` once the record is written (not if it fails or another record opens)."""
        if self._participant is None:
            return True
        try:
            edited = self.checked_record()
        except ValidationError as exc:
            self.show_problem(exc)
            return False
        token, edits, pid = self._request, self._edits, edited.id
        today = date.today()
        self.controller.run(
            lambda vault: record_ops.save_record(vault, edited, today),
            on_done=lambda data: self._saved(token, edits, data, then),
            on_error=self._save_failed,
        )
        self.controller.run(lambda vault: drafts_ops.discard_for(vault, pid), on_error=self._drafts_failed)
        return True

    def _saved(self, token: int, edits: int, data: RecordData, then: Callable[[], None] | None = None) -> None:
        if token != self._request:
            return
        self._participant = data.participant
        self._history = data.history
        if edits == self._edits:
            self._fill()  # shows the record as stored (sessions in date order, inventory history)
        else:
            self._show_header()  # the coach kept typing while it saved: keep their new edits on screen
        self.problem.clear()
        self.info.setText(self.tr("Saved."))
        if then is not None:
            then()

    def _save_failed(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            self.show_problem(exc)
        elif isinstance(exc, CoachDeskError):
            self.problem.setText(self.tr("Not saved: {0}").format(exc.message))
        else:
            self.problem.setText(self.tr("Not saved: the vault could not be written. Your edits are still here."))

    def show_problem(self, exc: ValidationError) -> None:
        """Say what is wrong, naming the field, and put the cursor in it."""
        sentence = None
        for tab in self.record_tabs:
            if tab.owns(exc.path):
                self.tabs.setCurrentWidget(tab)
                sentence = tab.describe_problem(exc)
                break
        self.info.clear()
        self.problem.setText(self.tr("Not saved. {0}").format(sentence or exc.message))

    # -- printing the action plan ------------------------------------------------------------------
    def _set_printable(self, printable: bool) -> None:
        self.print_button.setEnabled(printable)
        self.print_action.setEnabled(printable)
        self.more_button.setEnabled(printable)

    def _ask_print_unsaved(self) -> Answer:
        """Save (then print) / Ignore (print the saved version) / Cancel. Tests patch this method."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Unsaved changes"))
        box.setText(self.tr("This record has changes that are not saved."))
        box.setInformativeText(
            self.tr(
                "The action plan is made from the saved record. Save the changes first, so that the plan "
                "includes them, or print the plan from the record as it was last saved, without them?"
            )
        )
        save = box.addButton(self.tr("Save, then print"), QMessageBox.ButtonRole.AcceptRole)
        saved = box.addButton(self.tr("Print the saved version"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)
        box.exec()
        clicked = box.clickedButton()
        if clicked is save:
            return Answer.Save
        if clicked is saved:
            return Answer.Ignore
        return Answer.Cancel

    def print_plan(self) -> None:
        """Open the print preview of the shown participant's action plan (Ctrl+P)."""
        if self._participant is None:
            return
        if self.preview is not None:
            self.preview.raise_()
            self.preview.activateWindow()
            return
        if not self.has_unsaved_changes():
            self._open_preview(saved_version_only=False)
            return
        answer = self._ask_print_unsaved()
        if answer == Answer.Save:
            self._save(then=lambda: self._open_preview(saved_version_only=False))
        elif answer == Answer.Ignore:
            self._open_preview(saved_version_only=True)

    def _open_preview(self, saved_version_only: bool) -> None:
        from coachdesk.ui.record.print_preview import PrintPreviewDialog  # noqa: PLC0415 - pdfium only when asked

        if self._participant is None or self.preview is not None:
            return
        dialog = PrintPreviewDialog(self.controller, self._participant.id, self, saved_version_only=saved_version_only)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._preview_closed(dialog))
        self.preview = dialog
        dialog.open()

    def _preview_closed(self, dialog: PrintPreviewDialog) -> None:
        if self.preview is dialog:
            self.preview = None

    # -- data protection: subject access and erasure ------------------------------------------------
    def choose_folder(self, title: str) -> Path | None:
        """A folder dialog (tests replace this method)."""
        chosen = QFileDialog.getExistingDirectory(self, title)
        return Path(chosen) if chosen else None

    def export_subject_access(self) -> None:
        if self._participant is None:
            return
        folder = self.choose_folder(self.tr("Choose where to write the subject access export"))
        if folder is None:
            return
        pid, now = self._participant.id, datetime.now()
        self.info.setText(self.tr("Writing the subject access export…"))
        self.controller.run(
            lambda vault: governance.export_subject_access(vault, pid, folder, now),
            on_done=self._subject_access_written,
            on_error=self._action_failed,
        )

    def _subject_access_written(self, files: governance.SubjectAccessFiles) -> None:
        self.problem.clear()
        self.info.setText(
            self.tr("Subject access export written: {0} and {1}, in {2}.").format(
                files.pdf.name, files.caseload.name, str(files.pdf.parent)
            )
        )

    def _action_failed(self, exc: Exception) -> None:
        self.info.clear()
        self.problem.setText(exc.message if isinstance(exc, CoachDeskError) else self.tr("That could not be done."))

    def confirm_erase(self, full_name: str) -> bool:
        """The typed-name confirmation (tests replace this method)."""
        from coachdesk.ui.record.erase_dialog import EraseDialog  # noqa: PLC0415 - loaded when first used

        return EraseDialog(full_name, self).exec() == QDialog.DialogCode.Accepted

    def erase_participant(self) -> None:
        if self._participant is None:
            return
        p = self._participant
        if not self.confirm_erase(f"{p.given_name} {p.family_name}"):
            return
        pid = p.id
        self._erasing = pid
        self.info.setText(self.tr("Erasing…"))
        self.controller.run(
            lambda vault: governance.erase_participant(vault, pid),
            on_done=lambda _r: self._erased(pid),
            on_error=self._erase_failed,
        )

    def _erased(self, pid: str) -> None:
        self.clear_sensitive()
        self.controller.run(lambda vault: drafts_ops.discard_for(vault, pid), on_error=self._drafts_failed)
        self._erasing = None
        self.erased.emit(pid)

    def _erase_failed(self, exc: Exception) -> None:
        self._erasing = None
        self._action_failed(exc)

    # -- leaving --------------------------------------------------------------------------------
    def _ask_unsaved(self) -> Answer:
        """Save / Discard / Cancel (tests answer it by patching QMessageBox.question)."""
        return QMessageBox.question(
            self,
            self.tr("Unsaved changes"),
            self.tr("This record has changes that are not saved. Save them before leaving?"),
            Answer.Save | Answer.Discard | Answer.Cancel,
            Answer.Save,
        )

    def maybe_leave(self) -> bool:
        """True when it is fine to leave the record (saved, discarded, or nothing to save)."""
        if not self.has_unsaved_changes():
            return True
        answer = self._ask_unsaved()
        if answer == Answer.Save:
            return self.save()
        if answer == Answer.Discard:
            self.discard_edits()
            return True
        return False

    def discard_edits(self) -> None:
        if self._participant is None:
            return
        pid = self._participant.id
        self._fill()
        self.problem.clear()
        self.info.clear()
        self.controller.run(lambda vault: drafts_ops.discard_for(vault, pid), on_error=self._drafts_failed)

    def _participant_changed(self, participant_id: str) -> None:
        """Another part of the app changed this record: show it, unless the coach is editing."""
        if participant_id == self._erasing:
            return
        if participant_id == self.participant_id and not self._dirty:
            self.show_participant(participant_id)

    # -- locking --------------------------------------------------------------------------------
    def _before_lock(self) -> None:
        """Keep unsaved notes as drafts and close any dialog the record opened (it would sit over the lock)."""
        for dialog in self.findChildren(QDialog):
            dialog.reject()
        if self._participant is None:
            return
        notes = self.sessions.pending_notes()
        if notes:
            pid = self._participant.id
            # Queued before the lock job, so it runs while the vault is still open.
            self.controller.run(lambda vault: drafts_ops.save_drafts(vault, pid, notes), on_error=self._drafts_failed)

    def restore_drafts(self) -> None:
        """After unlock: if a note was kept as a draft, open its participant with the text back in place."""
        self.controller.run(drafts_ops.all_drafts, on_done=self._drafts_found, on_error=self._drafts_failed)

    def _drafts_found(self, found: list[Draft]) -> None:
        if found:
            participant_id = found[-1].participant_id
            self.show_participant(participant_id)
            self.drafts_restored.emit(participant_id)

    def _put_back(self, token: int, found: list[Draft]) -> None:
        if token != self._request or self._participant is None or not found:
            return
        for draft in found:
            self.sessions.restore_draft(draft.key, draft.body, draft.saved_at)
        self.tabs.setCurrentWidget(self.sessions)
        self._set_dirty(True)
        self.info.setText(self.tr("Restored the note you were typing when CoachDesk locked. Save (Ctrl+S) to keep it."))

    def _drafts_failed(self, exc: Exception) -> None:
        log.warning("drafts not available: %s", type(exc).__name__)

    def clear_sensitive(self) -> None:
        """Forget the record and empty every widget that showed it (the vault is locking)."""
        self._request += 1
        self._participant = None
        self._history = []
        for tab in self.record_tabs:
            tab.clear()
        self.name.clear()
        self.details.clear()
        self.problem.clear()
        self.info.clear()
        self._set_dirty(False)
        self._set_printable(False)
        self.stack.setCurrentIndex(0)
