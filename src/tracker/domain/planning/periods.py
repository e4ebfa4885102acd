"""Periods and due dates of assigned work, computed in the town's time zone. Pure.

Public API
- `Cadence`: once, weekly, monthly, quarterly, yearly, rrule.
- `Recurrence`: the "when" of an assignment. Build it with `Recurrence.once(due_date)`,
  `.weekly(due_day=None)`, `.monthly(due_day=None)`, `.quarterly(due_day=None)`,
  `.yearly(due_month=None, due_day=None)` or `.from_rrule(text)`.
- `Period`: `key`, `start` and `end` (local dates, both inclusive), `due_on` (the last local day
  to do the work) and `due_at` (an aware UTC datetime).
- `validate_recurrence(recurrence, year) -> dict[field, message]` (fields: cadence, due_date,
  due_day, due_month, rule); empty when valid.
- `periods_in_year(recurrence, year, tz) -> list[Period]`
- `period_containing(recurrence, instant, tz) -> Period | None`
- `current_year_periods_from(recurrence, today, tz) -> list[Period]`: the periods of `today`'s
  year not yet over (`end >= today`), for materialising occurrences. The current period is
  included even when its due day has passed (a service may skip those with `due_at <= now`).
  At a year's edge the ISO week containing `today` is included; a once assignment due in a
  later year is included too.
- `planned_periods(recurrence, today, tz) -> list[Period]`: what is materialised ahead of time:
  `current_year_periods_from`, plus next year's first period once it starts within
  `LOOKAHEAD_DAYS` of `today`, so that January's tasks exist before 1 January (the current period and the next)
  without a yearly assignment showing next year's work all year long.
- `due_instant(day, tz) -> datetime`: when work due on local `day` falls due, in UTC.
The computing functions raise `TaskRuleError` for a recurrence that `validate_recurrence`
refuses (except an RRULE with no date in the year asked for, which simply has no periods), and
`ValueError` for an unknown time zone or a naive `instant`.

Conventions
- Due is half-open: work due on local day D falls due at 00:00 local time on D+1, kept in UTC;
  it is overdue when `now >= due_at`. Monthly March 2026 in Asia/Shanghai: due_at =
  2026-04-01T00:00+08:00 = 2026-03-31T16:00Z. (Where a DST change skips midnight, zoneinfo's
  fold=0 reading of the skipped time is used.)
- By default work is due on the last day of its period. A chosen day moves it: weekly due_day
  1..7 (Monday = 1); monthly 1..31, clamped to the month (31 in February is its last day);
  quarterly 1..92, the day of the quarter, clamped to its 90..92 days; yearly due_month 1..12
  with due_day 1..31 (29 February falls on the 28th in common years).
- Keys: weekly "2026-W05" (ISO weeks, Monday to Sunday, counted in their ISO year: 2026 has 53,
  and its week 1 starts on Monday 29 December 2025); monthly "2026-03"; quarterly "2026-Q2";
  yearly "2026"; once and rrule the due date, "2026-03-15".
- Once and rrule: each date D is a period running from the day after the previous date (or from
  1 January) to D, due at the end of D. RRULE details are in `rrules.py`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.db.models.tasks import Cadence
from tracker.domain.clock import due_instant
from tracker.domain.errors import TaskRuleError
from tracker.domain.planning.rrules import rule_dates, rule_problem
from tracker.i18n import _

DEFAULT_TIMEZONE = "Asia/Shanghai"
ONE_DAY = dt.timedelta(days=1)
LOOKAHEAD_DAYS = 35  # next year's periods are made once they start within this many days


# The largest chosen day of each cadence: days of a week, month, quarter, month of the year.
_DUE_DAY_LIMIT = {Cadence.WEEKLY: 7, Cadence.MONTHLY: 31, Cadence.QUARTERLY: 92, Cadence.YEARLY: 31}


@dataclass(frozen=True)
class Recurrence:
    cadence: Cadence
    due_date: dt.date | None = None  # once
    due_day: int | None = None  # weekly, monthly, quarterly, yearly (with due_month)
    due_month: int | None = None  # yearly
    rule: str | None = None  # rrule

    @classmethod
    def once(cls, due_date: dt.date) -> Recurrence:
        return cls(Cadence.ONCE, due_date=due_date)

    @classmethod
    def weekly(cls, due_day: int | None = None) -> Recurrence:
        return cls(Cadence.WEEKLY, due_day=due_day)

    @classmethod
    def monthly(cls, due_day: int | None = None) -> Recurrence:
        return cls(Cadence.MONTHLY, due_day=due_day)

    @classmethod
    def quarterly(cls, due_day: int | None = None) -> Recurrence:
        return cls(Cadence.QUARTERLY, due_day=due_day)

    @classmethod
    def yearly(cls, due_month: int | None = None, due_day: int | None = None) -> Recurrence:
        return cls(Cadence.YEARLY, due_day=due_day, due_month=due_month)

    @classmethod
    def from_rrule(cls, rule: str) -> Recurrence:
        return cls(Cadence.RRULE, rule=rule)


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date
    end: dt.date
    due_on: dt.date
    due_at: dt.datetime

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@cache
def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        msg = f"unknown time zone: {tz!r}"
        raise ValueError(msg) from error


def _is_whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_recurrence(recurrence: Recurrence, year: int) -> dict[str, str]:
    """Field messages for a recurrence that can't be used; `year` is the one it will run in (an
    RRULE that gives no date in that year is refused)."""
    errors = _shape_problems(recurrence)
    if not errors and recurrence.cadence == Cadence.RRULE:
        problem = rule_problem(recurrence.rule or "", year)
        if problem:
            errors["rule"] = problem
    return errors


def _shape_problems(recurrence: Recurrence) -> dict[str, str]:
    """Everything but the content of an RRULE, which `rule_dates` checks as it reads it."""
    try:
        cadence = Cadence(recurrence.cadence)
    except ValueError:
        return {"cadence": _("Choose once, weekly, monthly, quarterly, yearly or a repeat rule")}
    errors: dict[str, str] = {}
    unused = _("Not used with this schedule")
    if cadence is not Cadence.ONCE and recurrence.due_date is not None:
        errors["due_date"] = unused
    if cadence is not Cadence.RRULE and recurrence.rule is not None:
        errors["rule"] = unused
    if cadence is not Cadence.YEARLY and recurrence.due_month is not None:
        errors["due_month"] = unused
    if cadence in (Cadence.ONCE, Cadence.RRULE) and recurrence.due_day is not None:
        errors["due_day"] = unused
    if cadence is Cadence.ONCE:
        if not isinstance(recurrence.due_date, dt.date) or isinstance(recurrence.due_date, dt.datetime):
            errors["due_date"] = _("Choose the date the work is due")
    elif cadence is Cadence.RRULE:
        if not isinstance(recurrence.rule, str):
            errors["rule"] = _("Enter a repeat rule, such as FREQ=MONTHLY;BYMONTHDAY=15")
    else:
        errors.update(_due_day_problems(cadence, recurrence.due_day, recurrence.due_month))
    return errors


def _due_day_problems(cadence: Cadence, due_day: int | None, due_month: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    limit = _DUE_DAY_LIMIT[cadence]
    if due_day is not None and (not _is_whole_number(due_day) or not 1 <= due_day <= limit):
        errors["due_day"] = _("Choose a day from 1 to %(maximum)d", maximum=limit)
    if cadence is not Cadence.YEARLY:
        return errors
    if due_month is not None and (not _is_whole_number(due_month) or not 1 <= due_month <= 12):
        errors["due_month"] = _("Choose a month from 1 to 12")
    elif (due_day is None) != (due_month is None):
        errors["due_month" if due_month is None else "due_day"] = _("Choose both the month and the day")
    elif due_month is not None and "due_day" not in errors:
        longest = calendar.monthrange(2028, due_month)[1]  # a leap year: 29 February is allowed
        if due_day > longest:  # type: ignore[operator]
            errors["due_day"] = _("That month has at most %(maximum)d days", maximum=longest)
    return errors


def _checked(recurrence: Recurrence) -> Cadence:
    errors = _shape_problems(recurrence)
    if errors:
        raise TaskRuleError.from_fields(errors)
    return Cadence(recurrence.cadence)


def _period(key: str, start: dt.date, end: dt.date, due_on: dt.date, tz: str) -> Period:
    return Period(key=key, start=start, end=end, due_on=due_on, due_at=due_instant(due_on, tz))


def _week(recurrence: Recurrence, iso_year: int, week: int, tz: str) -> Period:
    start = dt.date.fromisocalendar(iso_year, week, 1)
    end = start + dt.timedelta(days=6)
    due_on = start + dt.timedelta(days=(recurrence.due_day or 7) - 1)
    return _period(f"{iso_year}-W{week:02d}", start, end, due_on, tz)


def _month(recurrence: Recurrence, year: int, month: int, tz: str) -> Period:
    length = calendar.monthrange(year, month)[1]
    start, end = dt.date(year, month, 1), dt.date(year, month, length)
    due_on = start.replace(day=min(recurrence.due_day or length, length))
    return _period(f"{year}-{month:02d}", start, end, due_on, tz)


def _quarter(recurrence: Recurrence, year: int, quarter: int, tz: str) -> Period:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = (dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)) - ONE_DAY
    length = (end - start).days + 1
    due_on = start + dt.timedelta(days=min(recurrence.due_day or length, length) - 1)
    return _period(f"{year}-Q{quarter}", start, end, due_on, tz)


def _year(recurrence: Recurrence, year: int, tz: str) -> Period:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    due_on = end
    if recurrence.due_month is not None and recurrence.due_day is not None:
        length = calendar.monthrange(year, recurrence.due_month)[1]
        due_on = dt.date(year, recurrence.due_month, min(recurrence.due_day, length))
    return _period(str(year), start, end, due_on, tz)


def _dated(days: list[dt.date], year: int, tz: str) -> list[Period]:
    periods: list[Period] = []
    start = dt.date(year, 1, 1)
    for day in days:
        periods.append(_period(day.isoformat(), start, day, day, tz))
        start = day + ONE_DAY
    return periods


def periods_in_year(recurrence: Recurrence, year: int, tz: str = DEFAULT_TIMEZONE) -> list[Period]:
    """Every period of `year`, in order (weekly: the ISO weeks of ISO year `year`)."""
    _zone(tz)
    return _periods_of_year(recurrence, _checked(recurrence), year, tz)


def _periods_of_year(recurrence: Recurrence, cadence: Cadence, year: int, tz: str) -> list[Period]:
    if cadence is Cadence.WEEKLY:
        weeks = dt.date(year, 12, 28).isocalendar().week  # 28 December is always in the last week
        return [_week(recurrence, year, week, tz) for week in range(1, weeks + 1)]
    if cadence is Cadence.MONTHLY:
        return [_month(recurrence, year, month, tz) for month in range(1, 13)]
    if cadence is Cadence.QUARTERLY:
        return [_quarter(recurrence, year, quarter, tz) for quarter in range(1, 5)]
    if cadence is Cadence.YEARLY:
        return [_year(recurrence, year, tz)]
    if cadence is Cadence.ONCE:
        due_date = recurrence.due_date
        return _dated([due_date], year, tz) if due_date is not None and due_date.year == year else []
    return _dated(rule_dates(recurrence.rule or "", year), year, tz)


def _local_day(instant: dt.datetime, tz: str) -> dt.date:
    if instant.tzinfo is None or instant.utcoffset() is None:
        msg = "instant must be timezone-aware"
        raise ValueError(msg)
    return instant.astimezone(_zone(tz)).date()


def _period_of_day(recurrence: Recurrence, day: dt.date, tz: str) -> Period | None:
    cadence = _checked(recurrence)
    if cadence is Cadence.WEEKLY:
        iso = day.isocalendar()
        return _week(recurrence, iso.year, iso.week, tz)
    if cadence is Cadence.MONTHLY:
        return _month(recurrence, day.year, day.month, tz)
    if cadence is Cadence.QUARTERLY:
        return _quarter(recurrence, day.year, (day.month + 2) // 3, tz)
    if cadence is Cadence.YEARLY:
        return _year(recurrence, day.year, tz)
    return next((p for p in _periods_of_year(recurrence, cadence, day.year, tz) if p.contains(day)), None)


def period_containing(
    recurrence: Recurrence, instant: dt.datetime, tz: str = DEFAULT_TIMEZONE
) -> Period | None:
    """The period the local day of `instant` falls in; None after the last date of a once/rrule year."""
    return _period_of_day(recurrence, _local_day(instant, tz), tz)


def current_year_periods_from(
    recurrence: Recurrence, today: dt.date, tz: str = DEFAULT_TIMEZONE
) -> list[Period]:
    """The periods of `today`'s year that are not over yet (see the module notes)."""
    _zone(tz)
    if recurrence.cadence == Cadence.ONCE and isinstance(recurrence.due_date, dt.date):
        due_year = recurrence.due_date.year
        return [p for p in periods_in_year(recurrence, due_year, tz) if p.end >= today]
    periods = [p for p in periods_in_year(recurrence, today.year, tz) if p.end >= today]
    current = _period_of_day(recurrence, today, tz)
    if current is not None and all(p.key != current.key for p in periods):
        periods.insert(0, current)
    return periods


def planned_periods(recurrence: Recurrence, today: dt.date, tz: str = DEFAULT_TIMEZONE) -> list[Period]:
    """The periods to have tasks for on `today` (see the module notes): this year's left, and next
    year's first once it starts within LOOKAHEAD_DAYS."""
    periods = current_year_periods_from(recurrence, today, tz)
    if recurrence.cadence == Cadence.ONCE:
        return periods
    horizon = today + dt.timedelta(days=LOOKAHEAD_DAYS)
    known = {p.key for p in periods}
    upcoming = [p for p in periods_in_year(recurrence, today.year + 1, tz) if p.key not in known][:1]
    return periods + [p for p in upcoming if p.start <= horizon]
