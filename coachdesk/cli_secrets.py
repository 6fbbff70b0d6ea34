"""Where the headless commands get a passphrase (interfaces.md §1), first match wins:
`--passphrase-file` (first line), COACHDESK_PASSPHRASE, the OS keyring where the policy allows
it, a prompt without echo when standard input is a terminal. Otherwise: exit code 3."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coachdesk.domain.errors import WrongKeyError
from coachdesk.domain.passphrase import passphrase_problem

if TYPE_CHECKING:
    from coachdesk.storage.vault import Vault

ENV_PASSPHRASE = "COACHDESK_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
ENV_NEW_PASSPHRASE = "COACHDESK_NEW_PASSPHRASE"  # noqa: S105

_NONE_GIVEN = (
    "No passphrase was given: use --passphrase-file FILE, set COACHDESK_PASSPHRASE, or run the "
    "command in a terminal to be asked."
)


def read_first_line(path: Path) -> str:
    try:
        with path.open(encoding="utf-8-sig") as f:  # Windows Notepad may start the file with a BOM
            return f.readline().rstrip("\r\n")
    except OSError as exc:
        raise WrongKeyError(f"Cannot read the passphrase file {path}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise WrongKeyError(f"The passphrase file {path} is not UTF-8 text.") from None


def given_passphrase(passphrase_file: Path | None) -> str | None:
    """A passphrase from the file or the environment, without prompting."""
    if passphrase_file is not None:
        return read_first_line(passphrase_file)
    return os.environ.get(ENV_PASSPHRASE) or None


def _prompt(text: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    try:
        return getpass.getpass(text)
    except (EOFError, KeyboardInterrupt):
        return None


def passphrase(passphrase_file: Path | None) -> str:
    """A passphrase for a vault that is not open yet (restore): file, environment or prompt."""
    chosen = given_passphrase(passphrase_file) or _prompt("Passphrase: ")
    if chosen is None:
        raise WrongKeyError(_NONE_GIVEN)
    return chosen


def unlock(vault: Vault, passphrase_file: Path | None, recovery_key_file: Path | None = None) -> None:
    """Unlock an open vault from the first secret source that has something."""
    if recovery_key_file is not None:
        vault.unlock_with_recovery_key(read_first_line(recovery_key_file))
        return
    passphrase = given_passphrase(passphrase_file)
    if passphrase is None and vault.has_device_slot():
        try:
            vault.unlock_with_keyring()
            return
        except WrongKeyError:
            pass  # fall through to the prompt, as the app does
    if passphrase is None:
        passphrase = _prompt("Passphrase: ")
    if passphrase is None:
        raise WrongKeyError(_NONE_GIVEN)
    vault.unlock_with_passphrase(passphrase)


def new_passphrase(passphrase_file: Path | None, env: str = ENV_PASSPHRASE) -> str:
    """A new passphrase, checked for strength: from the file or env, or asked twice."""
    if passphrase_file is not None:
        chosen: str | None = read_first_line(passphrase_file)
    else:
        chosen = os.environ.get(env) or None
    if chosen is None:
        chosen = _prompt("New passphrase: ")
        if chosen is not None and _prompt("Type it again: ") != chosen:
            raise WrongKeyError("The two passphrases were not the same. Nothing was changed.")
    if chosen is None:
        raise WrongKeyError(
            f"No new passphrase was given: use --passphrase-file FILE, set {env}, or run the command in a terminal."
        )
    problem = passphrase_problem(chosen)
    if problem:
        raise WrongKeyError(problem)
    return chosen
