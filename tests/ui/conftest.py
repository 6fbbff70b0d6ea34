"""Fixtures for the desktop app's tests (pytest-qt, offscreen).

The vault worker runs synchronously here (style.md: a synchronous worker in tests), so a click
that starts a job has finished it when the click returns; one test in test_worker.py keeps the
real thread."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from coachdesk.domain.model import Participant
from coachdesk.services import demo
from coachdesk.storage import participants
from coachdesk.storage.vault import Vault


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["coachdesk-tests"]


@pytest.fixture
def controller(qapp, vault_folder, tmp_path):
    """An app controller on an unlocked test vault (passphrase conftest.PASSPHRASE)."""
    from PySide6.QtCore import QSettings

    from coachdesk.ui.controller import AppController, unlock_info
    from coachdesk.ui.worker import VaultWorker

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    # Each test gets its own settings file, so a remembered practice cannot leak between tests.
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    qapp.setOrganizationName("CoachDeskTests")
    ctl = AppController(vault_folder.path, VaultWorker(synchronous=True))
    vault = vault_folder.open()
    ctl.worker.holder.vault = vault
    ctl.opened(unlock_info(vault))
    yield ctl
    ctl.shutdown()


@pytest.fixture
def vault_of(controller) -> Vault:
    """The controller's vault, for arranging data and checking what the UI wrote."""
    vault = controller.worker.holder.vault
    assert vault is not None
    return vault


# The day the demo caseload is generated for. Fixed, not the clock's: the generator's stories hang on
# `today`, so a caseload made on another day has other people in it (and the tests below name some).
DEMO_TODAY = date(2026, 11, 23)


def add_people(vault: Vault, count: int = 20, seed: int = 3, today: date | None = None) -> list[Participant]:
    """Demo participants for the test vault's practices (P01, P02)."""
    records = list(demo.generate(count, seed, sorted(vault.policy.practice_codes), today or DEMO_TODAY))
    with vault.transaction() as conn:
        for p in records:
            participants.save(conn, p)
    return records


@pytest.fixture
def people(vault_of: Vault) -> list[Participant]:
    return add_people(vault_of)


@pytest.fixture
def window(controller, qtbot) -> Iterator[object]:
    from coachdesk.ui.main_window import MainWindow

    win = MainWindow(controller)
    qtbot.addWidget(win)
    win.show()
    controller.unlocked.emit()
    yield win
