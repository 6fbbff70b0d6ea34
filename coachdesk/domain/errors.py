"""The project's own exception types. Each carries a sentence a coach can act on and the
exit code the command line uses for it (interfaces.md §1)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BAD_KEY = 3
EXIT_IN_USE = 4


class CoachDeskError(Exception):
    """A failure with a human sentence; never carries participant data."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(CoachDeskError):
    """Bad input. `path` names the field (`participants[3].sessions[0].attendance`)."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


class WrongKeyError(CoachDeskError):
    """Wrong or missing passphrase or recovery key."""

    exit_code = EXIT_BAD_KEY


class VaultInUseError(CoachDeskError):
    """Another running CoachDesk holds this vault."""

    exit_code = EXIT_IN_USE


class VaultError(CoachDeskError):
    """The vault is missing, damaged, or cannot be written."""


class NotFoundError(CoachDeskError):
    """A record asked for by id does not exist."""


class SyncError(CoachDeskError):
    """Sending to the programme's hub cannot start (not enrolled, no hub named) or was refused."""
