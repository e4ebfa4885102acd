"""RRULE strings are evaluated in a calendar-equivalent "proxy year" near 9999, so that a rule that
can never match stops quickly. These tests check the proxy gives dateutil's own dates."""

from __future__ import annotations

import datetime as dt
import itertools
import time

import pytest
from dateutil.rrule import rrulestr

from tracker.domain.errors import TaskRuleError
from tracker.domain.planning.rrules import rule_dates, rule_problem
from tracker.i18n import use_locale

RULES = [
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=WEEKLY;BYDAY=MO,TH",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
    "FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=SU,MO",
    "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=MONTHLY;BYMONTHDAY=-1",
    "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR",
    "FREQ=MONTHLY;BYDAY=2TU",
    "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=10",
    "FREQ=YEARLY;BYWEEKNO=1,52,53;BYDAY=MO",
    "FREQ=YEARLY;BYWEEKNO=-1;BYDAY=SU",
    "FREQ=YEARLY;BYYEARDAY=1,100,-1",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=YEARLY;BYMONTH=6,11;BYMONTHDAY=25",
    "FREQ=DAILY;COUNT=10;BYDAY=SA",
]
YEARS = [2024, 2025, 2026, 2027, 2028, 2031, 2100, 2101, 2400]


def dateutil_dates(rule: str, year: int) -> list[dt.date]:
    """dateutil's own reading, from 1 January of the real year (these rules all match, so it stops)."""
    end = dt.datetime(year + 1, 1, 1)
    moments = rrulestr(rule, dtstart=dt.datetime(year, 1, 1))
    return [moment.date() for moment in itertools.takewhile(lambda moment: moment < end, moments)]


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("rule", RULES)
def test_it_gives_the_same_dates_as_dateutil_in_the_real_year(rule, year):
    try:
        ours = rule_dates(rule, year)
    except TaskRuleError:
        ours = []
    assert ours == dateutil_dates(rule, year)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYMONTHDAY=-40",
        "FREQ=DAILY;COUNT=5;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=WEEKLY;BYMONTH=11;BYMONTHDAY=31",
        "FREQ=DAILY;BYYEARDAY=367",
    ],
)
def test_it_gives_up_quickly_on_a_rule_that_never_matches(rule):
    started = time.perf_counter()
    with use_locale("en"):
        assert rule_problem(rule, 2026) == "This repeat rule gives no date in 2026"
    assert time.perf_counter() - started < 0.5
