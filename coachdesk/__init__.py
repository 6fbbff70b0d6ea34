"""CoachDesk: an encrypted, offline-first caseload for employment coaches in GP surgeries."""

__version__ = "0.1.0"
