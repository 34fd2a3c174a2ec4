"""Days as the store and the JSON give them: one reading of a date value, one ISO writing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def iso(day: date | None) -> str | None:
    """`2022-05-04`, or None for an unknown day."""
    return day.isoformat() if day is not None else None


def as_date(value: Any) -> date | None:
    """A day from what a database row holds: a date, a datetime (its day), or an ISO string
    (its first ten characters: SQLite may hand back `2022-05-04 00:00:00`); None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
