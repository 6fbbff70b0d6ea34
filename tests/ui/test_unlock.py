"""The unlock screen and locking: wrong passphrase, right passphrase, the recovery-key path,
Ctrl+L and the idle timer, and no participant's name left in any widget after a lock."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from coachdesk.domain.errors import VaultError
from coachdesk.domain.model import Participant
from coachdesk.storage import vault as vault_module
from coachdesk.storage.keyslots import Argon2Params
from coachdesk.ui.controller import AppController
from coachdesk.ui.unlock_page import RecoveryDialog, UnlockPage

PASSPHRASE = "correct horse battery staple"  # tests/conftest.py's
NEW_PASSPHRASE = "lantern meadow copper violin"


@pytest.fixture
def page(controller: AppController, qtbot) -> UnlockPage:
    unlock = UnlockPage(controller)
    qtbot.addWidget(unlock)
    unlock.show()
    controller.lock("Locked.")
    unlock.show_locked("Locked.")
    return unlock


@pytest.fixture
def floor_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Setting a passphrase tunes the KDF to ~0.5 s; the floor is enough to test the flow."""
    monkeypatch.setattr(vault_module, "tune_argon2", lambda *a, **k: Argon2Params())


def _type_and_unlock(page: UnlockPage, passphrase: str) -> None:
    page.passphrase.setText(passphrase)
    page.unlock_button.click()


def _answer_recovery_dialog(page: UnlockPage, fill: Callable[[RecoveryDialog], None]) -> list[bool]:
    """Fill the modal recovery dialog once it is open (exec() runs its own event loop)."""
    seen: list[bool] = []

    def attempt() -> None:
        dialog = next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, RecoveryDialog) and w.isVisible()), None
        )
        if dialog is None:
            QTimer.singleShot(10, attempt)
            return
        seen.append(True)
        fill(dialog)

    QTimer.singleShot(0, attempt)
    return seen


def test_wrong_passphrase_gets_a_calm_message(page: UnlockPage, controller: AppController) -> None:
    _type_and_unlock(page, "not the passphrase at all")
    assert not controller.is_unlocked
    assert page.message.text()
    assert "passphrase" in page.message.text().lower()
    assert "Traceback" not in page.message.text()
    assert page.passphrase.isEnabled() and page.unlock_button.isEnabled()
    assert page.passphrase.text() == ""
    # and the right one still works afterwards
    _type_and_unlock(page, PASSPHRASE)
    assert controller.is_unlocked


def test_empty_passphrase_asks_for_one(page: UnlockPage, controller: AppController) -> None:
    _type_and_unlock(page, "")
    assert not controller.is_unlocked
    assert page.message.text() == "Type your passphrase first."


def test_right_passphrase_unlocks(page: UnlockPage, controller: AppController, qtbot) -> None:
    with qtbot.waitSignal(controller.unlocked, timeout=5000):
        page.passphrase.setText(PASSPHRASE)
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    assert controller.is_unlocked
    vault = controller.worker.holder.vault
    assert vault is not None and vault.unlocked
    assert controller.practice in ("P01", "P02")  # the policy's practices, as remembered


def test_recovery_key_sets_a_new_passphrase(
    page: UnlockPage, controller: AppController, vault_folder, floor_kdf: None
) -> None:
    def fill(dialog: RecoveryDialog) -> None:
        dialog.recovery_key.setText(vault_folder.recovery_key.lower().replace("-", " "))  # forgiving of case
        dialog.new_passphrase.setText(NEW_PASSPHRASE)
        dialog.again.setText(NEW_PASSPHRASE)
        dialog._check()

    seen = _answer_recovery_dialog(page, fill)
    page.recovery_button.click()
    assert seen == [True]
    assert controller.is_unlocked
    # The dialog and its secrets are gone from the page.
    QApplication.sendPostedEvents(None, 0)
    assert page.findChildren(RecoveryDialog) == []
    assert not any(vault_folder.recovery_key in t or NEW_PASSPHRASE in t for t in _texts(page))

    controller.lock("Locked.")
    page.show_locked("Locked.")
    _type_and_unlock(page, PASSPHRASE)
    assert not controller.is_unlocked
    assert page.message.text()
    _type_and_unlock(page, NEW_PASSPHRASE)
    assert controller.is_unlocked


def test_recovery_dialog_checks_before_trying(page: UnlockPage, controller: AppController) -> None:
    problems: list[str] = []

    def fill(dialog: RecoveryDialog) -> None:
        dialog.recovery_key.setText("ABCD-EFGH")
        dialog.new_passphrase.setText(NEW_PASSPHRASE)
        dialog.again.setText(NEW_PASSPHRASE + "!")
        dialog._check()
        problems.append(dialog.problem.text())
        dialog.new_passphrase.setText("short")
        dialog._check()
        problems.append(dialog.problem.text())
        dialog.reject()

    _answer_recovery_dialog(page, fill)
    page.recovery_button.click()
    assert "not the same" in problems[0]
    assert problems[1].startswith("New passphrase")
    assert not controller.is_unlocked


def test_wrong_recovery_key_is_calm(page: UnlockPage, controller: AppController, vault_folder) -> None:
    good = vault_folder.recovery_key
    wrong = ("0000" if not good.startswith("0000") else "1111") + good[4:]

    def fill(dialog: RecoveryDialog) -> None:
        dialog.recovery_key.setText(wrong)
        dialog.new_passphrase.setText(NEW_PASSPHRASE)
        dialog.again.setText(NEW_PASSPHRASE)
        dialog._check()

    _answer_recovery_dialog(page, fill)
    page.recovery_button.click()
    assert not controller.is_unlocked
    assert "recovery key" in page.message.text().lower()
    _type_and_unlock(page, PASSPHRASE)  # the passphrase was not changed
    assert controller.is_unlocked


def test_recovery_that_cannot_save_the_new_passphrase_leaves_the_vault_locked(
    page: UnlockPage, controller: AppController, vault_folder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_self: object, _new: str, _kdf: object = None) -> None:
        raise VaultError("Cannot write the key file: the disk is full.")

    monkeypatch.setattr(vault_module.Vault, "change_passphrase", refuse)

    def fill(dialog: RecoveryDialog) -> None:
        dialog.recovery_key.setText(vault_folder.recovery_key)
        dialog.new_passphrase.setText(NEW_PASSPHRASE)
        dialog.again.setText(NEW_PASSPHRASE)
        dialog._check()

    _answer_recovery_dialog(page, fill)
    page.recovery_button.click()
    assert not controller.is_unlocked
    assert "disk is full" in page.message.text()
    vault = controller.worker.holder.vault
    assert vault is not None and not vault.unlocked  # not left decrypted behind the locked screen


# -- locking the main window -------------------------------------------------------------------
def _columns(model: QAbstractItemModel, parent: QModelIndex) -> int:
    try:
        return model.columnCount(parent)
    except TypeError:  # a list model: PySide6 keeps its columnCount private
        return 1


def _model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None, depth: int = 0) -> Iterator[str]:
    parent = parent if parent is not None else QModelIndex()
    for row in range(model.rowCount(parent)):
        for col in range(_columns(model, parent)):
            index = model.index(row, col, parent)
            for role in (
                Qt.ItemDataRole.DisplayRole,
                Qt.ItemDataRole.ToolTipRole,
                Qt.ItemDataRole.EditRole,
                Qt.ItemDataRole.AccessibleTextRole,
            ):
                value = index.data(role)
                if value is not None:
                    yield str(value)
            if col == 0 and depth < 3 and model.rowCount(index) > 0:
                yield from _model_texts(model, index, depth + 1)


def _texts(root: QWidget) -> list[str]:
    """Every piece of text a widget under `root` holds or shows."""
    texts = [root.windowTitle()]
    for w in [root, *root.findChildren(QWidget)]:
        texts += [w.toolTip(), w.accessibleName(), w.accessibleDescription(), w.statusTip(), w.whatsThis()]
        if isinstance(w, QLineEdit | QLabel | QAbstractButton):
            texts.append(w.text())
            if isinstance(w, QLineEdit):
                texts.append(w.placeholderText())
        if isinstance(w, QTextEdit | QPlainTextEdit):
            texts.append(w.toPlainText())
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())] + [w.currentText()]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            texts += list(_model_texts(w.model()))
    return [t for t in texts if t]


def _names_found(texts: list[str], people: list[Participant]) -> set[str]:
    words = {name for p in people for name in (p.given_name, p.family_name, p.preferred_name) if name}
    joined = "\n".join(texts)
    return {name for name in words if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", joined)}


def test_ctrl_l_locks_and_no_name_is_left_in_any_widget(
    window, controller: AppController, people: list[Participant], qtbot
) -> None:
    # Show names in as many places as can be reached: Today, the caseload and one record.
    window.today_page.refresh()
    window.caseload_action.trigger()
    window.caseload_page.refresh()
    controller.open_participant.emit(people[0].id)
    qtbot.wait(50)
    before = _names_found(_texts(window), people)
    assert people[0].family_name in before  # the walk does see names while unlocked

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.unlock_page, timeout=2000)
    assert not controller.is_unlocked
    vault = controller.worker.holder.vault
    assert vault is not None and not vault.unlocked
    qtbot.wait(50)  # late answers of jobs queued before the lock must not refill anything
    assert _names_found(_texts(window), people) == set()

    # Unlocking brings the caseload back.
    _type_and_unlock(window.unlock_page, PASSPHRASE)
    assert controller.is_unlocked
    assert window.stack.currentWidget() is not window.unlock_page


def test_idle_timer_locks(window, controller: AppController, people: list[Participant], qtbot) -> None:
    window.today_page.refresh()
    window.inactivity.start(1000)  # the policy's minutes, shortened to one second
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.unlock_page, timeout=5000)
    assert not controller.is_unlocked
    assert "minute" in window.unlock_page.reason.text()
    assert _names_found(_texts(window), people) == set()
