"""Shared fixtures. Every test runs with its own data, log, state and temp folders, so nothing a
test writes lands in the developer's profile and the canary scans know exactly where to look."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

# Qt aborts the process without a display unless told otherwise; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import pytest
from memory_keyring import MemoryKeyring
from testkit import FAST_KDF, PASSPHRASE, POLICY, VaultFolder, run_cli

from coachdesk.storage.vault import Vault


@pytest.fixture(autouse=True)
def isolated_profile(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fresh HOME, XDG folders and TMPDIR for each test."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
        ("TMPDIR", "tmp"),
    ):
        (home / sub).mkdir()
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("COACHDESK_PASSPHRASE", raising=False)
    monkeypatch.delenv("COACHDESK_NEW_PASSPHRASE", raising=False)
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-process keyring, so no test touches the machine's real one unless it asks."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def _template_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template") / "vault"
    vault, recovery = Vault.create(folder, PASSPHRASE, POLICY, kdf=FAST_KDF)
    vault.close()
    (folder.parent / "recovery.txt").write_text(recovery)
    return folder


@pytest.fixture
def vault_folder(_template_vault: Path, tmp_path: Path) -> VaultFolder:
    """A new, empty vault (a copy of one made once per run, to keep the KDF off every test)."""
    target = tmp_path / "vault"
    shutil.copytree(_template_vault, target)
    return VaultFolder(target, (_template_vault.parent / "recovery.txt").read_text())


@pytest.fixture
def vault(vault_folder: VaultFolder) -> Iterator[Vault]:
    opened = vault_folder.open()
    yield opened
    opened.close()


@pytest.fixture
def cli() -> object:
    return run_cli
