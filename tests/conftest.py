"""Shared fixtures. Every test runs with its own data, log, state and temp folders, so nothing a
test writes lands in the developer's profile and the canary scans know exactly where to look."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Qt aborts the process without a display unless told otherwise; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import pytest

ROOT = Path(__file__).resolve().parent.parent
SUPPORT = Path(__file__).resolve().parent / "support"
sys.path.insert(0, str(SUPPORT))

from memory_keyring import MemoryKeyring  # noqa: E402

from coachdesk.storage.keyslots import Argon2Params  # noqa: E402
from coachdesk.storage.vault import Vault  # noqa: E402

PASSPHRASE = "correct horse battery staple"
FAST_KDF = Argon2Params()  # the security floor: the fastest a real vault may be
POLICY = """\
programme = "test-programme"
allow_keyring_unlock = true
[[practices]]
code = "P01"
name = "City Road Medical Centre"
[[practices]]
code = "P02"
name = "Goodinge Group Practice"
[[living_wage]]
from = "2015-11-02"
pence = 940
"""


@pytest.fixture(autouse=True)
def isolated_profile(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fresh HOME, XDG folders and TMPDIR for each test."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_CONFIG_HOME", "config"), ("TMPDIR", "tmp")):
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


@dataclass
class VaultFolder:
    path: Path
    recovery_key: str

    def open(self) -> Vault:
        vault = Vault.open(self.path)
        vault.unlock_with_passphrase(PASSPHRASE)
        return vault


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


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str, env: dict[str, str] | None = None, input_text: str | None = None) -> CliResult:
    """Run `python -m coachdesk` as the coach would, in the test's profile."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join([str(SUPPORT), str(ROOT), full_env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "-m", "coachdesk", *args],
        capture_output=True, text=True, env=full_env, input=input_text, timeout=300, check=False,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli() -> object:
    return run_cli
