"""RRULE strings (RFC 5545) read safely: one line, at most daily, the dates of one year. Pure.

Public API
- `MAX_OCCURRENCES_PER_YEAR` (366), `MAX_RULE_LENGTH` (500 characters).
- `rule_dates(text, year) -> list[date]`: the local dates the rule gives in `year`, sorted
  (possibly none); raises `TaskRuleError` (field "rule") when the rule itself is refused.
- `rule_problem(text, year) -> str | None`: the translated reason it is refused, or None; a
  rule that gives no date in `year` is refused here (an assignment that would make nothing).

How a rule is read
- One RRULE value, with or without the "RRULE:" prefix, any case. No DTSTART, EXDATE or other
  lines: the rule starts at 00:00 local time on 1 January of the year asked for, so INTERVAL
  and COUNT count from there, afresh every year.
- FREQ is DAILY, WEEKLY, MONTHLY or YEARLY; the rule may give at most one date a day and at
  most 366 a year (FREQ=SECONDLY, or DAILY with BYHOUR=9,10, is refused). BYHOUR, BYMINUTE and
  BYSECOND are accepted but only the date counts: work is due by the end of a local day.
- UNTIL is read as a local date and time (a trailing Z is ignored).
- BYEASTER and other dateutil extensions are refused.
- A rule that gives no date in a year (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29 in 2026) gives no
  periods that year; `rule_problem` refuses it for the year of creation.

Why a "proxy year": when its BY* parts can never match (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30)
dateutil walks a rule forward to year 9999 before giving up, which takes seconds. So the rule
is evaluated in a year near 9999 with the same calendar (leap or not, previous year leap or
not, weekday of 1 January: all an RFC 5545 rule can see) and the dates are mapped back. The
walk past the year is then at most a few decades.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from dateutil.rrule import rrulestr

from tracker.domain.errors import TaskRuleError
from tracker.i18n import _

MAX_OCCURRENCES_PER_YEAR = 366
MAX_RULE_LENGTH = 500

_PART_NAMES = frozenset(
    {
        "FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY",
        "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST",
    }
)
_DAILY_OR_SLOWER = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_FASTER_THAN_DAILY = frozenset({"HOURLY", "MINUTELY", "SECONDLY"})
_UNTIL = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$")


def _calendar_type(year: int) -> tuple[bool, bool, int]:
    return calendar.isleap(year), calendar.isleap(year - 1), dt.date(year, 1, 1).weekday()


# 9971..9998 holds no skipped leap year, so every calendar type appears; keep the latest. (Not
# 9999: the year after the proxy must exist, to bound it.)
_PROXY_YEARS: dict[tuple[bool, bool, int], int] = {_calendar_type(y): y for y in range(9971, 9999)}


def _refused(message: str) -> TaskRuleError:
    return TaskRuleError(message, {"rule": message})


def _not_valid() -> TaskRuleError:
    return _refused(_("This is not a valid repeat rule (RFC 5545 RRULE), such as FREQ=MONTHLY;BYMONTHDAY=15"))


def _parts(text: str) -> dict[str, str]:
    body = (text or "").strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:"):].strip()
    if not body:
        raise _refused(_("Enter a repeat rule, such as FREQ=MONTHLY;BYMONTHDAY=15"))
    if len(body) > MAX_RULE_LENGTH:
        raise _refused(_("A repeat rule has at most %(maximum)d characters", maximum=MAX_RULE_LENGTH))
    if any(mark in body for mark in ("\n", "\r", ":")):
        raise _refused(_("Give one RRULE line, such as FREQ=MONTHLY;BYMONTHDAY=15, without DTSTART"))
    parts: dict[str, str] = {}
    for piece in body.rstrip(";").split(";"):
        name, equals, value = piece.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not equals or not value or name in parts:
            raise _not_valid()
        if name not in _PART_NAMES:
            raise _refused(_("%(part)s is not allowed in a repeat rule", part=name))
        parts[name] = value
    frequency = parts.get("FREQ")
    if frequency in _FASTER_THAN_DAILY:
        raise _refused(_("A repeat rule may give at most one date a day"))
    if frequency not in _DAILY_OR_SLOWER:
        raise _refused(_("A repeat rule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"))
    return parts


def _until(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    match = _UNTIL.match(value)
    if match is None:
        raise _not_valid()
    numbers = [int(group) for group in match.groups() if group is not None]
    try:
        return dt.datetime(*numbers)  # type: ignore[misc]
    except ValueError as error:
        raise _not_valid() from error


def rule_dates(text: str, year: int) -> list[dt.date]:
    """The dates, in the town's calendar, that the rule gives in `year` (see module notes)."""
    parts = _parts(text)
    until = _until(parts.pop("UNTIL", None))
    proxy = _PROXY_YEARS[_calendar_type(year)]
    body = ";".join(f"{name}={value}" for name, value in parts.items())
    end = dt.datetime(proxy + 1, 1, 1)
    found: list[dt.datetime] = []
    try:
        rule = rrulestr(body, dtstart=dt.datetime(proxy, 1, 1))
        for occurrence in rule:
            if occurrence >= end:
                break
            found.append(occurrence)
            if len(found) > MAX_OCCURRENCES_PER_YEAR:
                limit = MAX_OCCURRENCES_PER_YEAR
                raise _refused(_("A repeat rule may give at most %(maximum)d dates a year", maximum=limit))
    except (ValueError, TypeError, OverflowError) as error:
        if isinstance(error, TaskRuleError):
            raise
        raise _not_valid() from error
    offset = year - proxy
    moments = [occurrence.replace(year=occurrence.year + offset) for occurrence in found]
    days = [moment.date() for moment in moments if until is None or moment <= until]
    if len(set(days)) != len(days):
        raise _refused(_("A repeat rule may give at most one date a day"))
    return days


def rule_problem(text: str, year: int) -> str | None:
    """Why the rule is refused for `year`, translated; None when it is fine."""
    try:
        days = rule_dates(text, year)
    except TaskRuleError as error:
        return error.message
    return None if days else _("This repeat rule gives no date in %(year)d", year=year)
