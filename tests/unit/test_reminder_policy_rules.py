"""The reminder rule's service side, pure: how long a failed send waits before its retry, and the
checks of a town's policy (rules.retry_delay, rules.validate_policy)."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.domain.reminders.rules import retry_delay, validate_policy
from tracker.i18n import use_locale


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [
        (1, dt.timedelta(minutes=1)),
        (2, dt.timedelta(minutes=5)),
        (3, dt.timedelta(minutes=15)),
        (4, dt.timedelta(hours=1)),
        (5, dt.timedelta(hours=3)),
        (6, dt.timedelta(hours=6)),
        (7, dt.timedelta(hours=12)),
        (8, dt.timedelta(hours=24)),
        (9, None),
        (50, None),
    ],
    ids=lambda value: str(value) if isinstance(value, int) else None,
)
def test_it_waits_longer_after_each_failure_then_gives_up(attempts, delay):
    assert retry_delay(attempts) == delay


def test_it_refuses_a_retry_before_any_failure():
    with pytest.raises(ValueError, match="attempts"):
        retry_delay(0)


GOOD = {
    "days_before": (3, 1),
    "overdue_every_days": 2,
    "escalate_supervisor_after_days": 3,
    "escalate_secretary_after_days": 7,
    "quiet_start": dt.time(21),
    "quiet_end": dt.time(8),
}
DAYS_BEFORE = "Choose at most 4 different days, each from 1 to 30"


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({}, {}),
        ({"days_before": []}, {}),
        ({"days_before": [30, 1, 2, 7]}, {}),
        ({"quiet_start": dt.time(9), "quiet_end": dt.time(9)}, {}),
        ({"escalate_secretary_after_days": 3}, {}),
        ({"days_before": [1, 2, 3, 4, 5]}, {"days_before": DAYS_BEFORE}),
        ({"days_before": [3, 3]}, {"days_before": DAYS_BEFORE}),
        ({"days_before": [0]}, {"days_before": DAYS_BEFORE}),
        ({"days_before": [31]}, {"days_before": DAYS_BEFORE}),
        ({"days_before": ["3"]}, {"days_before": DAYS_BEFORE}),
        ({"days_before": [True]}, {"days_before": DAYS_BEFORE}),
        ({"days_before": None}, {"days_before": DAYS_BEFORE}),
        ({"overdue_every_days": 0}, {"overdue_every_days": "Enter a whole number of days from 1 to 30"}),
        ({"overdue_every_days": 31}, {"overdue_every_days": "Enter a whole number of days from 1 to 30"}),
        ({"overdue_every_days": 2.5}, {"overdue_every_days": "Enter a whole number of days from 1 to 30"}),
        (
            {"escalate_supervisor_after_days": 0},
            {"escalate_supervisor_after_days": "Enter a whole number of days from 1 to 60"},
        ),
        (
            {"escalate_supervisor_after_days": 61, "escalate_secretary_after_days": 70},
            {"escalate_supervisor_after_days": "Enter a whole number of days from 1 to 60"},
        ),
        (
            {"escalate_supervisor_after_days": None, "escalate_secretary_after_days": 91},
            {
                "escalate_supervisor_after_days": "Enter a whole number of days from 1 to 60",
                "escalate_secretary_after_days": "Enter a whole number of days from 1 to 90",
            },
        ),
        (
            {"escalate_secretary_after_days": 2},
            {
                "escalate_secretary_after_days": (
                    "Tell the secretary no sooner than the supervisor: from 3 to 90 days"
                )
            },
        ),
        (
            {"escalate_secretary_after_days": 91},
            {
                "escalate_secretary_after_days": (
                    "Tell the secretary no sooner than the supervisor: from 3 to 90 days"
                )
            },
        ),
        ({"quiet_start": None}, {"quiet_start": "Choose a time of day"}),
        ({"quiet_end": "08:00"}, {"quiet_end": "Choose a time of day"}),
    ],
    ids=[
        "default",
        "no-days-before",
        "four-days-before",
        "no-quiet-hours",
        "secretary-with-supervisor",
        "five-days-before",
        "repeated-day",
        "day-0",
        "day-31",
        "day-as-text",
        "day-as-bool",
        "days-before-missing",
        "every-0",
        "every-31",
        "every-fraction",
        "supervisor-0",
        "supervisor-61",
        "supervisor-missing-secretary-91",
        "secretary-before-supervisor",
        "secretary-91",
        "quiet-start-missing",
        "quiet-end-text",
    ],
)
def test_it_checks_a_policy(changes, errors):
    with use_locale("en"):
        assert validate_policy(**{**GOOD, **changes}) == errors


def test_it_translates_the_policy_messages_to_chinese():
    with use_locale("zh_CN"):
        errors = validate_policy(**{**GOOD, "overdue_every_days": 0, "quiet_end": None})
    assert errors == {"overdue_every_days": "请输入 1 到 30 之间的整数天数", "quiet_end": "请选择时间"}
