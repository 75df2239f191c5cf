"""The business day is Europe/Paris; stored timestamps are UTC. Pure: callers pass `now` in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def aware(now: datetime) -> datetime:
    """A naive datetime is taken as UTC."""
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def business_day(now: datetime) -> date:
    """The day in Paris at `now`."""
    return aware(now).astimezone(PARIS).date()


def utc_iso(moment: datetime) -> str:
    """The stored form of a timestamp: UTC, to the second."""
    return aware(moment).astimezone(UTC).isoformat(timespec="seconds")
