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


def day_start_utc(day: date) -> str:
    """The stored form of midnight in Paris at the start of `day` (a day's first timestamp)."""
    return utc_iso(datetime(day.year, day.month, day.day, tzinfo=PARIS))


_HOUR_DAYS: dict[str, str] = {}


def paris_day_of(stored: str) -> str:
    """The Paris day (ISO) of a stored UTC timestamp. Offsets change on whole hours, so the day
    is cached by the timestamp's hour (millions of rows go through this in the reports)."""
    utc = stored.endswith("+00:00") or stored.endswith("Z")
    hour = stored[:13]
    if utc and hour in _HOUR_DAYS:
        return _HOUR_DAYS[hour]
    found = aware(datetime.fromisoformat(stored)).astimezone(PARIS).date().isoformat()
    if utc and len(_HOUR_DAYS) < 200_000:
        _HOUR_DAYS[hour] = found
    return found
