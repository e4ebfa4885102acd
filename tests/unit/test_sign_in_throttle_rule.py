"""The sign-in throttle's rule, table-driven with an explicit `now`: how long an attempt must wait
after failed sign-ins (per account: 5 free, then 1 s doubling to at most 15 minutes; per address the
same shape with a much wider free allowance), when a run of failures is forgotten, and how a
failure is counted."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.domain.accounts import rules
from tracker.domain.accounts.rules import ACCOUNT_THROTTLE, ADDRESS_THROTTLE, FailureCount, ThrottlePolicy

NOW = dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)
S = dt.timedelta(seconds=1)
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def failures(n: int, last_ago: dt.timedelta, first_ago: dt.timedelta | None = None) -> FailureCount:
    return FailureCount(n, NOW - (first_ago if first_ago is not None else last_ago), NOW - last_ago)


# -- throttle_delay ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "delay"),
    [
        (0, 0 * S),
        (1, 0 * S),
        (4, 0 * S),  # four failures cost nothing
        (5, 1 * S),  # after the fifth each further attempt waits 2^(n-5) seconds
        (6, 2 * S),
        (7, 4 * S),
        (10, 32 * S),
        (14, 512 * S),
        (15, 15 * MIN),  # 1024 s: capped at 15 minutes
        (16, 15 * MIN),
        (45, 15 * MIN),
        (10**9, 15 * MIN),  # no overflow however many
    ],
)
def test_it_grows_the_delay_per_account_after_five_failures(n: int, delay: dt.timedelta) -> None:
    assert rules.throttle_delay(n, ACCOUNT_THROTTLE) == delay


@pytest.mark.parametrize(
    ("n", "delay"),
    [
        (5, 0 * S),  # what stops an account is nothing for a village's address
        (50, 0 * S),
        (99, 0 * S),
        (100, 1 * S),
        (103, 8 * S),
        (200, 15 * MIN),
    ],
)
def test_it_allows_an_address_a_much_wider_ceiling(n: int, delay: dt.timedelta) -> None:
    assert rules.throttle_delay(n, ADDRESS_THROTTLE) == delay


def test_it_never_waits_longer_than_the_cap() -> None:
    assert max(rules.throttle_delay(n, ACCOUNT_THROTTLE) for n in range(200)) == ACCOUNT_THROTTLE.max_delay
    assert max(rules.throttle_delay(n, ADDRESS_THROTTLE) for n in range(400)) == ADDRESS_THROTTLE.max_delay


# -- throttle_wait ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "wait"),
    [
        (None, 0 * S),
        (failures(0, 0 * S), 0 * S),
        (failures(4, 0 * S), 0 * S),
        (failures(5, 0 * S), 1 * S),  # the fifth failure just now: one second
        (failures(5, S / 2), S / 2),
        (failures(5, 1 * S), 0 * S),  # a second later: may try again
        (failures(5, 10 * S), 0 * S),
        (failures(8, 3 * S), 5 * S),  # 8 s after the eighth
        (failures(15, 0 * S), 15 * MIN),
        (failures(30, 14 * MIN), 1 * MIN),
        (failures(30, 15 * MIN), 0 * S),  # never more than 15 minutes after the last failure
        # a run is forgotten 24 hours after its first failure, however recent its last
        (failures(30, 0 * S, first_ago=24 * HOUR), 0 * S),
        (failures(30, 0 * S, first_ago=24 * HOUR - S), 15 * MIN),
        # a parallel attempt whose `now` came a moment later already failed: free failures stay free
        (failures(4, -S / 100), 0 * S),
        (failures(5, -S / 100), S + S / 100),
    ],
)
def test_it_says_how_long_an_account_must_still_wait(count: FailureCount | None, wait: dt.timedelta) -> None:
    assert rules.throttle_wait(count, NOW, ACCOUNT_THROTTLE) == wait


def test_it_forgets_an_address_after_an_hour() -> None:
    busy = failures(150, 0 * S, first_ago=HOUR - S)
    assert rules.throttle_wait(busy, NOW, ADDRESS_THROTTLE) == 15 * MIN
    assert rules.throttle_wait(busy, NOW + S, ADDRESS_THROTTLE) == 0 * S


def test_it_lets_the_attempt_go_exactly_when_the_wait_ends() -> None:
    count = failures(7, 0 * S)
    wait = rules.throttle_wait(count, NOW, ACCOUNT_THROTTLE)
    assert wait == 4 * S
    assert rules.throttle_wait(count, NOW + wait - dt.timedelta(microseconds=1), ACCOUNT_THROTTLE) > 0 * S
    assert rules.throttle_wait(count, NOW + wait, ACCOUNT_THROTTLE) == 0 * S


# -- count_failure, live_failures --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, FailureCount(1, NOW, NOW)),
        (failures(0, HOUR), FailureCount(1, NOW, NOW)),
        (failures(3, MIN, first_ago=HOUR), FailureCount(4, NOW - HOUR, NOW)),
        (failures(20, 15 * MIN, first_ago=2 * HOUR), FailureCount(21, NOW - 2 * HOUR, NOW)),
        # a forgotten run starts again at one
        (failures(20, MIN, first_ago=25 * HOUR), FailureCount(1, NOW, NOW)),
        # counted after a parallel attempt whose `now` was later: the last failure stays the later one
        (failures(2, -S, first_ago=MIN), FailureCount(3, NOW - MIN, NOW + S)),
    ],
)
def test_it_counts_one_more_failure(before: FailureCount | None, after: FailureCount) -> None:
    assert rules.count_failure(before, NOW, ACCOUNT_THROTTLE) == after


@pytest.mark.parametrize(
    ("count", "live"),
    [
        (None, False),
        (failures(0, S), False),
        (failures(3, S), True),
        (failures(3, S, first_ago=24 * HOUR - S), True),
        (failures(3, S, first_ago=24 * HOUR), False),
    ],
)
def test_it_keeps_a_run_for_a_day(count: FailureCount | None, live: bool) -> None:
    assert (rules.live_failures(count, NOW, ACCOUNT_THROTTLE) is not None) is live


def test_it_follows_its_policy() -> None:
    short = ThrottlePolicy(free_failures=2, first_delay=3 * S, max_delay=4 * S, forget_after=MIN)
    assert [rules.throttle_delay(n, short) for n in range(5)] == [0 * S, 0 * S, 3 * S, 4 * S, 4 * S]
    assert rules.throttle_wait(failures(3, S), NOW, short) == 3 * S


# -- retry_after_seconds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wait", "seconds"),
    [
        (dt.timedelta(microseconds=1), 1),
        (S / 2, 1),
        (1 * S, 1),
        (S + dt.timedelta(microseconds=1), 2),
        (15 * MIN, 900),
    ],
)
def test_it_rounds_the_retry_after_up(wait: dt.timedelta, seconds: int) -> None:
    assert rules.retry_after_seconds(wait) == seconds
