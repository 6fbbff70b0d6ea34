"""The first-run wizard, end to end with a synchronous worker and a fresh vault folder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QMessageBox, QWidget, QWizard

from coachdesk.domain.policy import parse_policy
from coachdesk.storage import vault as vault_module
from coachdesk.storage.keyslots import Argon2Params
from coachdesk.storage.vault import Vault
from coachdesk.ui.controller import AppController
from coachdesk.ui.setup_wizard import (
    CREATE_PAGE,
    PASSPHRASE_PAGE,
    POLICY_PAGE,
    RECOVERY_PAGE,
    SetupWizard,
    policy_for_practices,
    toml_string,
)
from coachdesk.ui.worker import VaultWorker

STRONG = "marble kettle orchard window"
RECOVERY_KEY = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$")


@pytest.fixture
def fresh_controller(qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppController]:
    """A controller whose vault folder holds no vault yet (the first run)."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    qapp.setOrganizationName("CoachDeskTests")
    # The security floor instead of tuning to ~0.5 s: the wizard's flow is under test, not the KDF.
    monkeypatch.setattr(vault_module, "tune_argon2", lambda *a, **k: Argon2Params())
    ctl = AppController(tmp_path / "vault", VaultWorker(synchronous=True))
    assert not ctl.vault_exists()
    yield ctl
    ctl.shutdown()


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answers "Yes" to any QMessageBox.question (a modal box would hang an offscreen test) and
    records what was asked; a test may set `questions.answer`."""
    asked = _Asked()

    def question(_parent: object, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return asked.answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


class _Asked(list):
    answer = QMessageBox.StandardButton.Yes


@pytest.fixture
def wizard(fresh_controller: AppController, qtbot, questions: list[str]) -> SetupWizard:
    w = SetupWizard(fresh_controller)
    qtbot.addWidget(w)
    w.show()
    return w


def _next_enabled(w: SetupWizard) -> bool:
    which = QWizard.WizardButton.CommitButton if w.currentPage().isCommitPage() else QWizard.WizardButton.NextButton
    return w.button(which).isEnabled()


def _to_passphrase_page(w: SetupWizard) -> None:
    assert w.currentId() == POLICY_PAGE
    w.policy_page.islington.click()
    w.next()
    assert w.currentId() == PASSPHRASE_PAGE


def _create(w: SetupWizard, passphrase: str = STRONG) -> None:
    _to_passphrase_page(w)
    w.setField("passphrase", passphrase)
    w.setField("passphraseAgain", passphrase)
    assert _next_enabled(w)
    w.next()
    assert w.currentId() == CREATE_PAGE


def _all_text(root: QWidget) -> list[str]:
    texts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLineEdit | QLabel | QAbstractButton):
            texts.append(widget.text())
        texts += [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
    return texts


def test_policy_page_needs_a_choice_and_shows_the_practices(wizard: SetupWizard) -> None:
    page = wizard.policy_page
    assert not _next_enabled(wizard)
    page.islington.click()
    assert _next_enabled(wizard)
    assert "City Road Medical Centre" in page.practices.text()
    assert "Killick Street Health Centre" in page.practices.text()
    assert wizard.policy is not None and len(wizard.policy.practices) == 6


def test_whole_wizard_creates_a_vault_whose_recovery_key_opens_it(
    wizard: SetupWizard, fresh_controller: AppController
) -> None:
    opened: list[bool] = []
    fresh_controller.unlocked.connect(lambda: opened.append(True))
    _to_passphrase_page(wizard)
    page = wizard.passphrase_page

    # Too weak, even typed twice alike.
    wizard.setField("passphrase", "password12")
    wizard.setField("passphraseAgain", "password12")
    assert not _next_enabled(wizard)
    assert page.problem.text()
    # Strong, but typed differently.
    wizard.setField("passphrase", STRONG)
    wizard.setField("passphraseAgain", STRONG + "x")
    assert not _next_enabled(wizard)
    assert "not the same" in page.problem.text()
    wizard.setField("passphraseAgain", STRONG)
    assert _next_enabled(wizard)
    assert page.problem.text() == ""

    wizard.next()  # "Create the vault": the synchronous worker has finished when this returns
    assert wizard.currentId() == CREATE_PAGE
    assert Vault.exists(fresh_controller.vault_dir)
    assert page.first.text() == page.again.text() == ""  # the passphrase left the fields
    assert not wizard.create_page.problem.isVisible()
    assert _next_enabled(wizard)

    wizard.next()
    assert wizard.currentId() == RECOVERY_PAGE
    key = wizard.recovery_page.key.text()
    assert RECOVERY_KEY.match(key)
    assert len(key.replace("-", "")) == 28
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()
    wizard.recovery_page.confirm.setChecked(True)
    assert finish.isEnabled()
    wizard.recovery_page.confirm.setChecked(False)
    assert not finish.isEnabled()
    wizard.recovery_page.confirm.setChecked(True)
    finish.click()

    assert wizard.result() == QWizard.DialogCode.Accepted
    assert opened == [True]
    assert fresh_controller.is_unlocked
    assert [p.code for p in fresh_controller.policy.practices] == ["P01", "P02", "P03", "P04", "P05", "P06"]
    # The key is in no widget once the wizard is done.
    assert wizard.recovery_key == ""
    assert not any(key in text for text in _all_text(wizard))

    # The recovery key opens the vault, once it has been closed.
    holder = fresh_controller.worker.holder
    assert holder.vault is not None and holder.vault.unlocked
    holder.vault.close()
    holder.vault = None
    reopened = Vault.open(fresh_controller.vault_dir)
    try:
        reopened.unlock_with_recovery_key(key)
        assert reopened.unlocked
        assert reopened.policy.programme == "islington-working-better"
    finally:
        reopened.close()
    reopened = Vault.open(fresh_controller.vault_dir)
    try:
        reopened.unlock_with_passphrase(STRONG)
        assert reopened.unlocked
    finally:
        reopened.close()


def test_weak_passphrase_is_refused_with_a_reason(wizard: SetupWizard, fresh_controller: AppController) -> None:
    _to_passphrase_page(wizard)
    for weak in ("short", "aaaaaaaaaaaaaa", "password1234"):
        wizard.setField("passphrase", weak)
        wizard.setField("passphraseAgain", weak)
        assert not _next_enabled(wizard), weak
        assert wizard.passphrase_page.problem.text(), weak
    wizard.next()  # even asked directly, the page refuses
    assert wizard.currentId() == PASSPHRASE_PAGE
    assert not Vault.exists(fresh_controller.vault_dir)


def test_policy_file_with_a_bad_key_names_it(wizard: SetupWizard, tmp_path: Path) -> None:
    page = wizard.policy_page
    bad = tmp_path / "bad.toml"
    bad.write_text('programme = "x"\nauto_lock_minuts = 5\n[[practices]]\ncode = "A1"\nname = "A"\n', encoding="utf-8")
    assert not page.load_policy_file(bad)
    assert "auto_lock_minuts" in page.problem.text()
    assert not _next_enabled(wizard)

    out_of_range = tmp_path / "range.toml"
    out_of_range.write_text('auto_lock_minutes = 0\n[[practices]]\ncode = "A1"\nname = "A"\n', encoding="utf-8")
    assert not page.load_policy_file(out_of_range)
    assert "auto_lock_minutes" in page.problem.text()

    no_practices = tmp_path / "empty.toml"
    no_practices.write_text('programme = "x"\n', encoding="utf-8")
    assert not page.load_policy_file(no_practices)
    assert "practices" in page.problem.text()

    not_toml = tmp_path / "photo.toml"
    not_toml.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    assert not page.load_policy_file(not_toml)
    assert page.problem.text()

    good = tmp_path / "good.toml"
    good.write_text(
        'programme = "p"\nallow_keyring_unlock = false\n[[practices]]\ncode = "K9"\nname = "Kings Road Surgery"\n',
        encoding="utf-8",
    )
    assert page.load_policy_file(good)
    assert page.from_file.isChecked()
    assert "Kings Road Surgery" in page.practices.text()
    assert page.problem.text() == ""
    assert _next_enabled(wizard)
    assert wizard.policy is not None and wizard.policy.allow_keyring_unlock is False


def test_practices_entered_by_hand_are_escaped_and_checked(wizard: SetupWizard) -> None:
    from PySide6.QtWidgets import QTableWidgetItem

    page = wizard.policy_page
    page.by_hand.click()
    assert not _next_enabled(wizard)
    tricky = 'The "New" Surgery \\ Annexe'
    page.table.setItem(0, 0, QTableWidgetItem("H1"))
    page.table.setItem(0, 1, QTableWidgetItem(tricky))
    assert _next_enabled(wizard)
    assert wizard.policy is not None
    assert wizard.policy.practices[0].name == tricky
    # A second row repeating the code is named by its row.
    page.table.setItem(2, 0, QTableWidgetItem("H1"))
    page.table.setItem(2, 1, QTableWidgetItem("Another"))
    assert not _next_enabled(wizard)
    assert "Row 3" in page.problem.text() and "code" in page.problem.text()
    page.table.setItem(2, 0, QTableWidgetItem("H2"))
    assert _next_enabled(wizard)
    assert [p.code for p in wizard.policy.practices] == ["H1", "H2"]


def test_toml_text_for_hand_entry_survives_hostile_names() -> None:
    names = ['a"b', "c\\d", "tab\there", "new\nline", "bell\x07", 'x"\n[[practices]]\ncode = "Z"']
    text = policy_for_practices([(f"C{i}", name) for i, name in enumerate(names)])
    policy = parse_policy(text)
    assert [p.name for p in policy.practices] == [n.strip() for n in names]
    assert toml_string('"') == '"\\""'


def test_keyring_offered_with_a_keyring_and_set_up_on_finish(
    wizard: SetupWizard, fresh_controller: AppController
) -> None:
    _create(wizard)
    page = wizard.create_page
    assert page.keyring.isVisible()
    page.keyring.setChecked(True)
    wizard.next()
    wizard.recovery_page.confirm.setChecked(True)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert fresh_controller.is_unlocked
    assert fresh_controller.has_keyring_slot
    vault = fresh_controller.worker.holder.vault
    assert vault is not None and vault.has_device_slot()


def test_keyring_not_offered_without_a_keyring(wizard: SetupWizard, fresh_controller: AppController) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # the autouse fixture restores the default
    _create(wizard)
    page = wizard.create_page
    assert not page.keyring.isVisible()
    assert "no keyring" in page.keyring_note.text()
    wizard.next()
    wizard.recovery_page.confirm.setChecked(True)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert fresh_controller.is_unlocked
    assert not fresh_controller.has_keyring_slot


def test_keyring_not_offered_when_the_policy_forbids_it(wizard: SetupWizard, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('allow_keyring_unlock = false\n[[practices]]\ncode = "A1"\nname = "A"\n', encoding="utf-8")
    assert wizard.policy_page.load_policy_file(policy)
    wizard.next()
    wizard.setField("passphrase", STRONG)
    wizard.setField("passphraseAgain", STRONG)
    wizard.next()
    page = wizard.create_page
    assert not page.keyring.isVisible()
    assert "policy does not allow" in page.keyring_note.text()
    wizard.next()
    wizard.recovery_page.confirm.setChecked(True)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert not wizard.isVisible()


def test_leaving_after_the_vault_exists_asks_first_and_forgets_the_key(
    wizard: SetupWizard, fresh_controller: AppController, questions: _Asked
) -> None:
    _create(wizard)
    wizard.next()
    key = wizard.recovery_page.key.text()
    assert key
    questions.answer = QMessageBox.StandardButton.No
    wizard.reject()
    assert wizard.isVisible() and len(questions) == 1  # stayed: the key is still there to write down
    assert wizard.recovery_page.key.text() == key
    questions.answer = QMessageBox.StandardButton.Yes
    wizard.reject()
    assert wizard.result() == QWizard.DialogCode.Rejected
    assert not any(key in text for text in _all_text(wizard))
    assert not fresh_controller.is_unlocked
    vault = fresh_controller.worker.holder.vault
    assert vault is not None and not vault.unlocked  # locked: the key is forgotten
    assert Vault.exists(fresh_controller.vault_dir)


def test_vault_creation_failure_is_shown_calmly(
    qapp, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, questions: list[str]
) -> None:
    monkeypatch.setattr(vault_module, "tune_argon2", lambda *a, **k: Argon2Params())
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    ctl = AppController(blocked / "vault", VaultWorker(synchronous=True))
    try:
        w = SetupWizard(ctl)
        qtbot.addWidget(w)
        w.show()
        _create(w)
        page = w.create_page
        assert page.problem.isVisible() and page.problem.text()
        assert page.retry.isVisible()
        assert not _next_enabled(w)
        assert not ctl.is_unlocked
    finally:
        ctl.shutdown()


def test_leaving_before_the_vault_exists_creates_nothing(wizard: SetupWizard, fresh_controller: AppController) -> None:
    _to_passphrase_page(wizard)
    wizard.reject()
    assert wizard.result() == QWizard.DialogCode.Rejected
    assert not Vault.exists(fresh_controller.vault_dir)
    assert not fresh_controller.is_unlocked
