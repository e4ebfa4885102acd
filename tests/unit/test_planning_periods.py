"""Periods and due instants of recurring work, in the town's time zone (explicit dates, no clock)."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.db.models.tasks import Cadence
from tracker.domain.clock import due_instant
from tracker.domain.errors import TaskRuleError
from tracker.domain.planning.periods import (
    Recurrence,
    current_year_periods_from,
    period_containing,
    periods_in_year,
    planned_periods,
    validate_recurrence,
)
from tracker.i18n import use_locale

D = dt.date
SHANGHAI = "Asia/Shanghai"
ONE_DAY = dt.timedelta(days=1)
UNUSED = "Not used with this schedule"
CHOOSE_CADENCE = "Choose once, weekly, monthly, quarterly, yearly or a repeat rule"


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def find(periods, key):
    return next(p for p in periods if p.key == key)


@pytest.mark.parametrize(
    ("recurrence", "year", "key", "start", "end", "due_at"),
    [
        # Months: Jan 31, Feb 28 (2026) and Feb 29 (2028, leap), Mar 31.
        (Recurrence.monthly(), 2026, "2026-01", D(2026, 1, 1), D(2026, 1, 31), "2026-02-01T00:00+08:00"),
        (Recurrence.monthly(), 2026, "2026-02", D(2026, 2, 1), D(2026, 2, 28), "2026-03-01T00:00+08:00"),
        (Recurrence.monthly(), 2028, "2028-02", D(2028, 2, 1), D(2028, 2, 29), "2028-03-01T00:00+08:00"),
        (Recurrence.monthly(), 2026, "2026-03", D(2026, 3, 1), D(2026, 3, 31), "2026-03-31T16:00Z"),
        (Recurrence.monthly(), 2026, "2026-12", D(2026, 12, 1), D(2026, 12, 31), "2026-12-31T16:00Z"),
        # Quarters and the year.
        (Recurrence.quarterly(), 2026, "2026-Q1", D(2026, 1, 1), D(2026, 3, 31), "2026-04-01T00:00+08:00"),
        (Recurrence.quarterly(), 2026, "2026-Q2", D(2026, 4, 1), D(2026, 6, 30), "2026-07-01T00:00+08:00"),
        (Recurrence.quarterly(), 2026, "2026-Q4", D(2026, 10, 1), D(2026, 12, 31), "2027-01-01T00:00+08:00"),
        (Recurrence.yearly(), 2026, "2026", D(2026, 1, 1), D(2026, 12, 31), "2026-12-31T16:00Z"),
        # ISO weeks: week 1 of 2026 starts in 2025; 2026 has a week 53 running into 2027.
        (Recurrence.weekly(), 2026, "2026-W01", D(2025, 12, 29), D(2026, 1, 4), "2026-01-05T00:00+08:00"),
        (Recurrence.weekly(), 2026, "2026-W53", D(2026, 12, 28), D(2027, 1, 3), "2027-01-04T00:00+08:00"),
        (Recurrence.weekly(), 2027, "2027-W01", D(2027, 1, 4), D(2027, 1, 10), "2027-01-11T00:00+08:00"),
        (Recurrence.weekly(), 2026, "2026-W05", D(2026, 1, 26), D(2026, 2, 1), "2026-02-02T00:00+08:00"),
    ],
)
def test_it_computes_each_period_and_its_due_instant_in_shanghai(recurrence, year, key, start, end, due_at):
    period = find(periods_in_year(recurrence, year, SHANGHAI), key)
    assert (period.start, period.end, period.due_on) == (start, end, end)
    assert period.due_at == utc(due_at)
    assert period.due_at.tzinfo is dt.UTC


@pytest.mark.parametrize(
    ("recurrence", "year", "count", "first", "last"),
    [
        (Recurrence.weekly(), 2026, 53, "2026-W01", "2026-W53"),
        (Recurrence.weekly(), 2027, 52, "2027-W01", "2027-W52"),
        (Recurrence.weekly(), 2020, 53, "2020-W01", "2020-W53"),
        (Recurrence.monthly(), 2026, 12, "2026-01", "2026-12"),
        (Recurrence.quarterly(), 2026, 4, "2026-Q1", "2026-Q4"),
        (Recurrence.yearly(), 2026, 1, "2026", "2026"),
        (Recurrence.once(D(2026, 6, 25)), 2026, 1, "2026-06-25", "2026-06-25"),
        (Recurrence.once(D(2026, 6, 25)), 2027, 0, None, None),
    ],
)
def test_it_lists_every_period_of_a_year_in_order(recurrence, year, count, first, last):
    periods = periods_in_year(recurrence, year, SHANGHAI)
    assert len(periods) == count
    if count:
        assert (periods[0].key, periods[-1].key) == (first, last)
        assert [p.start for p in periods] == sorted(p.start for p in periods)
        assert all(a.end + ONE_DAY == b.start for a, b in zip(periods, periods[1:], strict=False))


@pytest.mark.parametrize(
    ("recurrence", "year", "key", "due_on"),
    [
        (Recurrence.monthly(25), 2026, "2026-03", D(2026, 3, 25)),
        (Recurrence.monthly(31), 2026, "2026-02", D(2026, 2, 28)),  # clamped to the month
        (Recurrence.monthly(31), 2028, "2028-02", D(2028, 2, 29)),
        (Recurrence.monthly(31), 2026, "2026-04", D(2026, 4, 30)),
        (Recurrence.monthly(30), 2026, "2026-03", D(2026, 3, 30)),
        (Recurrence.quarterly(10), 2026, "2026-Q2", D(2026, 4, 10)),
        (Recurrence.quarterly(92), 2026, "2026-Q1", D(2026, 3, 31)),  # Q1 2026 has 90 days
        (Recurrence.quarterly(92), 2028, "2028-Q1", D(2028, 3, 31)),  # 91 in a leap year
        (Recurrence.quarterly(92), 2026, "2026-Q3", D(2026, 9, 30)),  # Q3 has all 92
        (Recurrence.weekly(1), 2026, "2026-W01", D(2025, 12, 29)),  # Monday
        (Recurrence.weekly(5), 2026, "2026-W10", D(2026, 3, 6)),  # Friday
        (Recurrence.yearly(6, 30), 2026, "2026", D(2026, 6, 30)),
        (Recurrence.yearly(2, 29), 2026, "2026", D(2026, 2, 28)),
        (Recurrence.yearly(2, 29), 2028, "2028", D(2028, 2, 29)),
    ],
)
def test_it_moves_the_due_day_to_the_chosen_day_clamped_to_the_period(recurrence, year, key, due_on):
    period = find(periods_in_year(recurrence, year, SHANGHAI), key)
    assert period.due_on == due_on
    assert period.due_at == due_instant(due_on, SHANGHAI)
    assert period.start <= due_on <= period.end


@pytest.mark.parametrize(
    ("tz", "due_at"),
    [
        ("Asia/Shanghai", "2026-03-31T16:00Z"),
        ("Asia/Urumqi", "2026-03-31T18:00Z"),
        ("UTC", "2026-04-01T00:00Z"),
        ("Europe/Berlin", "2026-03-31T22:00Z"),  # summer time began on 29 March
    ],
)
def test_it_computes_the_due_instant_in_the_towns_zone(tz, due_at):
    (march,) = [p for p in periods_in_year(Recurrence.monthly(), 2026, tz) if p.key == "2026-03"]
    assert march.due_at == utc(due_at)


@pytest.mark.parametrize(
    ("recurrence", "instant", "tz", "key"),
    [
        (Recurrence.monthly(), "2026-03-31T15:59:59Z", SHANGHAI, "2026-03"),
        (Recurrence.monthly(), "2026-03-31T16:00:00Z", SHANGHAI, "2026-04"),  # local midnight
        (Recurrence.monthly(), "2026-03-31T16:00:00Z", "UTC", "2026-03"),
        (Recurrence.quarterly(), "2026-06-30T16:30:00Z", SHANGHAI, "2026-Q3"),
        (Recurrence.yearly(), "2026-12-31T16:00:00Z", SHANGHAI, "2027"),
        (Recurrence.weekly(), "2027-01-01T04:00:00Z", SHANGHAI, "2026-W53"),
        (Recurrence.weekly(), "2025-12-30T04:00:00Z", SHANGHAI, "2026-W01"),
        (Recurrence.once(D(2026, 6, 25)), "2026-03-01T00:00:00Z", SHANGHAI, "2026-06-25"),
        (Recurrence.once(D(2026, 6, 25)), "2026-06-26T00:00:00Z", SHANGHAI, None),
        (Recurrence.from_rrule("FREQ=MONTHLY;BYMONTHDAY=15"), "2026-03-20T00:00:00Z", SHANGHAI, "2026-04-15"),
        (Recurrence.from_rrule("FREQ=MONTHLY;BYMONTHDAY=15"), "2026-03-15T00:00:00Z", SHANGHAI, "2026-03-15"),
        (Recurrence.from_rrule("FREQ=MONTHLY;BYMONTHDAY=15"), "2026-12-20T00:00:00Z", SHANGHAI, None),
    ],
)
def test_it_finds_the_period_containing_an_instant(recurrence, instant, tz, key):
    period = period_containing(recurrence, utc(instant), tz)
    assert (period.key if period else None) == key


def test_it_refuses_a_naive_instant():
    with pytest.raises(ValueError, match="aware"):
        period_containing(Recurrence.monthly(), dt.datetime(2026, 3, 1), SHANGHAI)


def test_it_refuses_an_unknown_time_zone():
    with pytest.raises(ValueError, match="time zone"):
        periods_in_year(Recurrence.monthly(), 2026, "Mars/Olympus")


@pytest.mark.parametrize(
    ("recurrence", "today", "keys"),
    [
        (Recurrence.monthly(), D(2026, 3, 20), [f"2026-{m:02d}" for m in range(3, 13)]),
        (Recurrence.monthly(), D(2026, 3, 31), [f"2026-{m:02d}" for m in range(3, 13)]),
        (Recurrence.monthly(10), D(2026, 3, 20), [f"2026-{m:02d}" for m in range(3, 13)]),  # due, not over
        (Recurrence.quarterly(), D(2026, 12, 31), ["2026-Q4"]),
        (Recurrence.yearly(), D(2026, 1, 1), ["2026"]),
        (Recurrence.once(D(2026, 6, 25)), D(2026, 6, 25), ["2026-06-25"]),
        (Recurrence.once(D(2026, 6, 25)), D(2026, 6, 26), []),
        (Recurrence.once(D(2027, 1, 10)), D(2026, 12, 1), ["2027-01-10"]),  # due next year
        (Recurrence.from_rrule("FREQ=YEARLY;BYMONTH=6,11;BYMONTHDAY=25"), D(2026, 7, 1), ["2026-11-25"]),
    ],
)
def test_it_lists_the_periods_of_this_year_not_yet_over(recurrence, today, keys):
    assert [p.key for p in current_year_periods_from(recurrence, today, SHANGHAI)] == keys


@pytest.mark.parametrize(
    ("today", "first", "count"),
    [
        (D(2026, 12, 30), "2026-W53", 1),
        (D(2027, 1, 1), "2026-W53", 53),  # week 53 of 2026 is still running, then 2027's 52
        (D(2025, 12, 30), "2026-W01", 1),  # ISO 2026 started, calendar 2025 has no week left
        (D(2026, 3, 4), "2026-W10", 44),
    ],
)
def test_it_includes_the_running_iso_week_at_a_years_edge(today, first, count):
    periods = current_year_periods_from(Recurrence.weekly(), today, SHANGHAI)
    assert (periods[0].key, len(periods)) == (first, count)
    assert periods[0].contains(today)


@pytest.mark.parametrize(
    ("rule", "year", "keys"),
    [
        ("FREQ=MONTHLY;BYMONTHDAY=15", 2026, [f"2026-{m:02d}-15" for m in range(1, 13)]),
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=-1", 2028, ["2028-01-31", "2028-02-29"]),
        ("freq=monthly;bysetpos=-1;byday=fr", 2026, ["2026-01-30", "2026-02-27"]),
        ("FREQ=YEARLY;BYMONTH=6,11;BYMONTHDAY=25", 2026, ["2026-06-25", "2026-11-25"]),
        # Every other week counted from the week of 1 January (a Thursday), which has no Monday left.
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", 2026, ["2026-01-12", "2026-01-26"]),
        ("FREQ=DAILY;COUNT=3", 2026, ["2026-01-01", "2026-01-02", "2026-01-03"]),
        ("FREQ=DAILY;UNTIL=20260102", 2026, ["2026-01-01", "2026-01-02"]),
        ("FREQ=DAILY;UNTIL=20260102T000000Z", 2026, ["2026-01-01", "2026-01-02"]),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", 2028, ["2028-02-29"]),
    ],
)
def test_it_reads_an_rrule_into_dated_periods(rule, year, keys):
    recurrence = Recurrence.from_rrule(rule)
    assert validate_recurrence(recurrence, year) == {}
    periods = periods_in_year(recurrence, year, SHANGHAI)
    assert [p.key for p in periods][: len(keys)] == keys
    assert periods[0].start == D(year, 1, 1)
    assert all(p.end == p.due_on == D.fromisoformat(p.key) for p in periods)
    assert all(a.end + ONE_DAY == b.start for a, b in zip(periods, periods[1:], strict=False))


def test_it_makes_an_rrule_date_due_at_the_end_of_that_local_day():
    (june, _november) = periods_in_year(
        Recurrence.from_rrule("FREQ=YEARLY;BYMONTH=6,11;BYMONTHDAY=25"), 2026, SHANGHAI
    )
    assert june.due_at == utc("2026-06-25T16:00Z")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "Enter a repeat rule"),
        ("FREQ=SECONDLY", "at most one date a day"),
        ("FREQ=HOURLY;INTERVAL=24", "at most one date a day"),
        ("FREQ=DAILY;BYHOUR=9,10", "at most 366 dates a year"),
        ("FREQ=WEEKLY;BYDAY=MO;BYHOUR=9,10", "at most one date a day"),
        ("FREQ=FORTNIGHTLY", "needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("BYMONTHDAY=15", "needs FREQ="),
        ("garbage", "not a valid repeat rule"),
        ("FREQ=MONTHLY;BYMONTHDAY=X", "not a valid repeat rule"),
        ("FREQ=MONTHLY;FREQ=WEEKLY", "not a valid repeat rule"),
        ("FREQ=MONTHLY;UNTIL=2026", "not a valid repeat rule"),
        ("FREQ=MONTHLY;X-NAME=1", "X-NAME is not allowed"),
        ("FREQ=YEARLY;BYEASTER=0", "BYEASTER is not allowed"),
        ("DTSTART:20260101\nRRULE:FREQ=DAILY", "without DTSTART"),
        ("FREQ=DAILY;" + "BYMONTH=1;" * 60, "at most 500 characters"),
    ],
)
def test_it_refuses_a_bad_rrule_with_a_field_message(rule, message):
    recurrence = Recurrence.from_rrule(rule)
    with use_locale("en"):
        errors = validate_recurrence(recurrence, 2026)
        assert message in errors["rule"]
        with pytest.raises(TaskRuleError) as raised:
            periods_in_year(recurrence, 2026, SHANGHAI)
    assert raised.value.fields == errors


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYMONTHDAY=40",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=DAILY;UNTIL=20251231",
    ],
)
def test_it_refuses_an_rrule_with_no_date_in_the_year_but_computes_no_periods_for_it(rule):
    recurrence = Recurrence.from_rrule(rule)
    with use_locale("en"):
        assert validate_recurrence(recurrence, 2026) == {"rule": "This repeat rule gives no date in 2026"}
    assert periods_in_year(recurrence, 2026, SHANGHAI) == []
    assert period_containing(recurrence, utc("2026-02-01T00:00Z"), SHANGHAI) is None
    assert current_year_periods_from(recurrence, D(2026, 2, 1), SHANGHAI) == []


def test_it_keeps_a_leap_day_rule_for_the_years_that_have_one():
    recurrence = Recurrence.from_rrule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29")
    assert [p.key for p in periods_in_year(recurrence, 2028, SHANGHAI)] == ["2028-02-29"]
    assert validate_recurrence(recurrence, 2028) == {}


def test_it_translates_recurrence_messages_to_chinese():
    with use_locale("zh_CN"):
        errors = validate_recurrence(Recurrence.from_rrule("FREQ=SECONDLY"), 2026)
    assert errors == {"rule": "重复规则每天最多只能有一个日期"}


@pytest.mark.parametrize(
    ("recurrence", "errors"),
    [
        (Recurrence.monthly(), {}),
        (Recurrence.monthly(31), {}),
        (Recurrence.monthly(0), {"due_day": "Choose a day from 1 to 31"}),
        (Recurrence.monthly(32), {"due_day": "Choose a day from 1 to 31"}),
        (Recurrence.weekly(8), {"due_day": "Choose a day from 1 to 7"}),
        (Recurrence.quarterly(93), {"due_day": "Choose a day from 1 to 92"}),
        (Recurrence(Cadence.MONTHLY, due_day=True), {"due_day": "Choose a day from 1 to 31"}),
        (Recurrence.yearly(2, 29), {}),
        (Recurrence.yearly(2, 30), {"due_day": "That month has at most 29 days"}),
        (Recurrence.yearly(4, 31), {"due_day": "That month has at most 30 days"}),
        (Recurrence.yearly(13, 1), {"due_month": "Choose a month from 1 to 12"}),
        (Recurrence.yearly(None, 5), {"due_month": "Choose both the month and the day"}),
        (Recurrence.yearly(5, None), {"due_day": "Choose both the month and the day"}),
        (Recurrence(Cadence.ONCE), {"due_date": "Choose the date the work is due"}),
        (Recurrence(Cadence.ONCE, due_date=D(2026, 5, 1), due_day=3), {"due_day": UNUSED}),
        (Recurrence(Cadence.MONTHLY, rule="FREQ=DAILY"), {"rule": UNUSED}),
        (Recurrence(Cadence.WEEKLY, due_month=3), {"due_month": UNUSED}),
        (Recurrence("fortnightly"), {"cadence": CHOOSE_CADENCE}),
        (Recurrence("monthly"), {}),
        (Recurrence(Cadence.RRULE), {"rule": "Enter a repeat rule, such as FREQ=MONTHLY;BYMONTHDAY=15"}),
    ],
)
def test_it_validates_the_schedule_field_by_field(recurrence, errors):
    with use_locale("en"):
        assert validate_recurrence(recurrence, 2026) == errors


@pytest.mark.parametrize(
    ("recurrence", "today", "last_keys"),
    [
        pytest.param(Recurrence.monthly(), D(2027, 12, 20), ["2027-12", "2028-01"], id="monthly-december"),
        pytest.param(Recurrence.monthly(), D(2027, 11, 20), ["2027-11", "2027-12"], id="monthly-november"),
        pytest.param(
            Recurrence.monthly(), D(2027, 11, 27), ["2027-12", "2028-01"], id="monthly-35-days-ahead"
        ),
        pytest.param(Recurrence.quarterly(), D(2027, 12, 1), ["2027-Q4", "2028-Q1"], id="quarterly"),
        pytest.param(Recurrence.yearly(), D(2027, 6, 1), ["2027"], id="yearly-midyear"),
        pytest.param(Recurrence.yearly(), D(2027, 12, 20), ["2027", "2028"], id="yearly-december"),
        pytest.param(Recurrence.weekly(), D(2027, 12, 20), ["2027-W52", "2028-W01"], id="weekly-december"),
        pytest.param(Recurrence.once(D(2027, 12, 31)), D(2027, 12, 20), ["2027-12-31"], id="once"),
    ],
)
def test_it_plans_next_years_first_periods_ahead(
    recurrence: Recurrence, today: dt.date, last_keys: list[str]
) -> None:
    keys = [p.key for p in planned_periods(recurrence, today, SHANGHAI)]
    assert keys[-len(last_keys) :] == last_keys
    assert len(keys) == len(set(keys))
