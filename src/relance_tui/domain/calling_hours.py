"""When a number may be called: weekdays, time windows and public holidays, in the number's own
time zone and territory (the D223-9 window is a sound default: docs/french-collection-rules.md,
"Calling hours and contact frequency").

Public holidays come from the `holidays` package, which knows the French overseas ones (Réunion
20 December, Guadeloupe 27 May, Martinique 22 May, Guyane 10 June, Mayotte 27 April, …) and the
Alsace-Moselle extras (Good Friday, 26 December). The phone number gives the territory; a
metropolitan number cannot tell Alsace-Moselle apart, so the debtor's postal code may say it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from relance_tui.config import CallingHours

DEFAULT_TIME_ZONE = "Europe/Paris"

# Phone region → (country, subdivision) in the `holidays` package.
HOLIDAY_CALENDARS: dict[str, tuple[str, str | None]] = {
    "FR": ("FR", None), "RE": ("FR", "974"), "YT": ("FR", "976"), "GP": ("FR", "971"),
    "MQ": ("FR", "972"), "GF": ("FR", "973"), "BL": ("FR", "BL"), "MF": ("FR", "MF"),
    "PM": ("FR", "PM"), "NC": ("FR", "NC"), "PF": ("FR", "PF"), "WF": ("FR", "WF"),
}  # fmt: skip
ALSACE_MOSELLE_POSTAL_PREFIXES = ("57", "67", "68")


class CallTimeIssue(StrEnum):
    WEEKEND = "weekend"  # a day of the week outside `weekdays`
    HOLIDAY = "holiday"
    OUTSIDE_HOURS = "outside_hours"


CALL_TIME_ISSUE_KEYS: dict[str, str] = {
    CallTimeIssue.WEEKEND: "case.call_time.weekend",
    CallTimeIssue.HOLIDAY: "case.call_time.holiday",
    CallTimeIssue.OUTSIDE_HOURS: "case.call_time.outside_hours",
}


@dataclass(frozen=True, slots=True)
class CallTimeCheck:
    local_time: datetime  # now, in the number's time zone
    time_zone: str
    issue: CallTimeIssue | None
    holiday: str | None = None  # the holiday's name when issue is HOLIDAY

    @property
    def allowed(self) -> bool:
        return self.issue is None


def holiday_calendar(region: str | None, postal_code: str = "") -> tuple[str, str | None] | None:
    """The (country, subdivision) whose public holidays apply to a number of `region`."""
    code = (region or "FR").upper()
    calendar = HOLIDAY_CALENDARS.get(code)
    if calendar is None:
        return (code, None) if len(code) == 2 else None
    if calendar == ("FR", None) and postal_code.strip()[:2] in ALSACE_MOSELLE_POSTAL_PREFIXES:
        return ("FR", "6AE" if postal_code.strip()[:2] in ("67", "68") else "57")
    return calendar


@cache
def _holidays_for(country: str, subdivision: str | None, year: int) -> Any:
    import holidays  # ~0.1 s on first use: imported only when a date is checked

    try:
        return holidays.country_holidays(country, subdiv=subdivision, years=year, language="fr")
    except NotImplementedError:
        return {}
    except Exception:  # unknown subdivision or a language the country lacks
        try:
            return holidays.country_holidays(country, subdiv=subdivision, years=year)
        except Exception:
            return {}


def public_holiday(day: date, region: str | None, postal_code: str = "") -> str | None:
    """The holiday's name when `day` is a public holiday where the number rings, else None."""
    calendar = holiday_calendar(region, postal_code)
    if calendar is None:
        return None
    name = _holidays_for(calendar[0], calendar[1], day.year).get(day)
    return None if name is None else str(name)


def working_day_on_or_after(day: date) -> date:
    """`day`, or the first day after it that is a weekday and not a public holiday in mainland
    France: when the team works, so when a follow-up can be done."""
    while day.weekday() >= 5 or public_holiday(day, "FR"):
        day += timedelta(days=1)
    return day


def zone(time_zone: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def check_call_time(
    now: datetime,
    hours: CallingHours,
    *,
    time_zone: str | None,
    region: str | None,
    postal_code: str = "",
) -> CallTimeCheck:
    """Is `now` (aware) within the calling hours at the number? Evaluated in its own zone."""
    tz = zone(time_zone)
    local = now.astimezone(tz)
    name = str(tz.key)
    if local.weekday() not in hours.weekdays:
        return CallTimeCheck(local, name, CallTimeIssue.WEEKEND)
    if hours.skip_public_holidays:
        holiday = public_holiday(local.date(), region, postal_code)
        if holiday:
            return CallTimeCheck(local, name, CallTimeIssue.HOLIDAY, holiday)
    clock = local.time().replace(tzinfo=None)
    if not any(start <= clock < end for start, end in hours.windows):
        return CallTimeCheck(local, name, CallTimeIssue.OUTSIDE_HOURS)
    return CallTimeCheck(local, name, None)


def _day_open(day: date, hours: CallingHours, region: str | None, postal_code: str) -> bool:
    if day.weekday() not in hours.weekdays:
        return False
    return not (hours.skip_public_holidays and public_holiday(day, region, postal_code))


def next_call_time(
    after: datetime,
    hours: CallingHours,
    *,
    time_zone: str | None,
    region: str | None,
    postal_code: str = "",
    earliest_day: date | None = None,
) -> datetime:
    """The first moment at or after `after` (and not before `earliest_day`, local) when the number
    may be called: the start of a window. Returned in UTC. Looks at most 60 days ahead."""
    tz = zone(time_zone)
    local = after.astimezone(tz)
    day = local.date()
    if earliest_day is not None and earliest_day > day:
        day = earliest_day
    windows = sorted(hours.windows) or [(time(0), time(23, 59))]
    for _ in range(60):
        if _day_open(day, hours, region, postal_code):
            for start, end in windows:
                candidate = datetime.combine(day, start, tz)
                if candidate >= local:
                    return candidate.astimezone(ZoneInfo("UTC"))
                if datetime.combine(day, end, tz) > local + timedelta(minutes=5):
                    return local.replace(second=0, microsecond=0).astimezone(ZoneInfo("UTC"))
        day += timedelta(days=1)
    return after
