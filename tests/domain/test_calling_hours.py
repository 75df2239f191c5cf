from datetime import UTC, date, datetime, time

from relance_tui.config import CallingHours
from relance_tui.domain.calling_hours import (
    CallTimeIssue,
    check_call_time,
    holiday_calendar,
    next_call_time,
    public_holiday,
)
from relance_tui.domain.phones import parse_phone

HOURS = CallingHours()
REUNION_MOBILE = parse_phone("0692 12 34 56")
PARIS_LANDLINE = parse_phone("01 42 68 53 00")


def check(now: datetime, phone=PARIS_LANDLINE, postal_code: str = ""):  # type: ignore[no-untyped-def]
    return check_call_time(
        now, HOURS, time_zone=phone.time_zone, region=phone.region, postal_code=postal_code
    )


def test_numbers_carry_their_zone_and_territory() -> None:
    assert REUNION_MOBILE.region == "RE" and REUNION_MOBILE.time_zone == "Indian/Reunion"
    assert PARIS_LANDLINE.region == "FR" and PARIS_LANDLINE.time_zone == "Europe/Paris"


def test_same_instant_is_fine_in_paris_and_too_late_in_reunion() -> None:
    # Tuesday 24 November 2026, 16:30 UTC: 17:30 in Paris, 20:30 in Réunion (UTC+4).
    now = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    paris = check(now)
    reunion = check(now, REUNION_MOBILE)
    assert paris.allowed and paris.local_time.time() == time(17, 30)
    assert not reunion.allowed and reunion.issue is CallTimeIssue.OUTSIDE_HOURS
    assert reunion.local_time.time() == time(20, 30)


def test_early_morning_in_paris_is_already_allowed_in_reunion() -> None:
    now = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 08:00 Paris, 11:00 Réunion
    assert check(now).issue is CallTimeIssue.OUTSIDE_HOURS
    assert check(now, REUNION_MOBILE).allowed


def test_lunch_break_and_weekend() -> None:
    assert check(datetime(2026, 11, 24, 12, 30, tzinfo=UTC)).issue is CallTimeIssue.OUTSIDE_HOURS
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert check(saturday).issue is CallTimeIssue.WEEKEND


def test_abolition_day_in_reunion_is_a_holiday_there_only() -> None:
    # Monday 20 December 2027, 10:00 UTC: 14:00 in Réunion (a holiday), 11:00 in Paris.
    now = datetime(2027, 12, 20, 10, 0, tzinfo=UTC)
    reunion = check(now, REUNION_MOBILE)
    assert reunion.issue is CallTimeIssue.HOLIDAY and reunion.holiday
    assert check(now).allowed


def test_national_holiday_in_paris() -> None:
    bastille = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)  # Tuesday, 11:00 in Paris
    result = check(bastille)
    assert result.issue is CallTimeIssue.HOLIDAY
    assert result.holiday == "Fête nationale"


def test_overseas_and_alsace_moselle_holidays() -> None:
    assert public_holiday(date(2026, 5, 27), "GP")  # Guadeloupe, abolition
    assert public_holiday(date(2026, 5, 22), "MQ")  # Martinique
    assert public_holiday(date(2026, 6, 10), "GF")  # Guyane
    assert public_holiday(date(2026, 4, 27), "YT")  # Mayotte
    assert public_holiday(date(2026, 5, 27), "FR") is None
    good_friday = date(2026, 4, 3)
    assert public_holiday(good_friday, "FR", "67000")  # Strasbourg
    assert public_holiday(good_friday, "FR", "57000")  # Metz
    assert public_holiday(good_friday, "FR", "75011") is None
    assert holiday_calendar("RE") == ("FR", "974")


def test_holidays_can_be_ignored_by_configuration() -> None:
    hours = CallingHours(skip_public_holidays=False)
    now = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
    assert check_call_time(now, hours, time_zone="Europe/Paris", region="FR").allowed


def test_next_call_time_skips_evenings_weekends_and_holidays() -> None:
    friday_evening = datetime(2026, 7, 10, 19, 0, tzinfo=UTC)  # 21:00 Paris
    # Saturday, Sunday, then Monday 13 July (Tuesday 14 July is the holiday).
    assert next_call_time(friday_evening, HOURS, time_zone="Europe/Paris", region="FR") == datetime(
        2026, 7, 13, 8, 0, tzinfo=UTC
    )
    monday = next_call_time(
        datetime(2026, 7, 13, 11, 30, tzinfo=UTC),  # 13:30 Paris, lunch
        HOURS,
        time_zone="Europe/Paris",
        region="FR",
        earliest_day=date(2026, 7, 14),
    )
    assert monday == datetime(2026, 7, 15, 8, 0, tzinfo=UTC)  # 10:00 on Wednesday 15 July
    reunion = next_call_time(
        datetime(2026, 11, 24, 16, 30, tzinfo=UTC), HOURS, time_zone="Indian/Reunion", region="RE"
    )
    assert reunion == datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 10:00 in Réunion
