"""The one form of a UTC timestamp CoachDesk writes (files, key slots, the schema log)."""

from __future__ import annotations

from datetime import UTC, datetime

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_stamp(moment: datetime | None = None) -> str:
    """`moment` (default: now) as ISO 8601 UTC to the second, with Z: 2026-11-23T10:00:00Z."""
    return (moment or datetime.now(UTC)).strftime(UTC_FORMAT)
