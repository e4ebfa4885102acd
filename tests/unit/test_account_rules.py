"""The account rules, table-driven, without a database: session states and lifetimes, the
login names, who may keep signed in (the sign-in throttle: test_sign_in_throttle_rule.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.db.models.accounts import Role
from tracker.domain.accounts import rules
from tracker.domain.accounts.rules import SessionPolicy, SessionState

NOW = dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)
POLICY = SessionPolicy(
    idle_timeout=dt.timedelta(minutes=240),
    lifetime=dt.timedelta(hours=12),
    keep_signed_in_lifetime=dt.timedelta(days=30),
)
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


# -- session_state -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_seen_ago", "expires_in", "ended", "keep", "expected"),
    [
        # fresh and recently used
        (MIN, 10 * HOUR, False, False, SessionState.VALID),
        (dt.timedelta(0), 10 * HOUR, False, False, SessionState.VALID),
        # idle: unused for the idle timeout or longer
        (240 * MIN - dt.timedelta(seconds=1), 10 * HOUR, False, False, SessionState.VALID),
        (240 * MIN, 10 * HOUR, False, False, SessionState.IDLE),
        (5 * HOUR, 10 * HOUR, False, False, SessionState.IDLE),
        # "keep me signed in" ignores the idle timeout
        (5 * HOUR, 10 * HOUR, False, True, SessionState.VALID),
        (20 * 24 * HOUR, 24 * HOUR, False, True, SessionState.VALID),
        # past the absolute lifetime, used or not, kept or not
        (MIN, dt.timedelta(0), False, False, SessionState.EXPIRED),
        (MIN, -MIN, False, False, SessionState.EXPIRED),
        (MIN, -MIN, False, True, SessionState.EXPIRED),
        (5 * HOUR, -MIN, False, False, SessionState.EXPIRED),  # expired wins over idle
        # ended wins over everything
        (MIN, 10 * HOUR, True, False, SessionState.ENDED),
        (MIN, 10 * HOUR, True, True, SessionState.ENDED),
        (5 * HOUR, -MIN, True, False, SessionState.ENDED),
    ],
)
def test_it_tells_the_state_of_a_session(
    last_seen_ago: dt.timedelta, expires_in: dt.timedelta, ended: bool, keep: bool, expected: SessionState
) -> None:
    state = rules.session_state(
        last_seen_at=NOW - last_seen_ago,
        expires_at=NOW + expires_in,
        ended_at=NOW - MIN if ended else None,
        keep_signed_in=keep,
        now=NOW,
        policy=POLICY,
    )
    assert state is expected


# -- session_expiry, should_touch ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("keep", "lifetime"),
    [(False, dt.timedelta(hours=12)), (True, dt.timedelta(days=30))],
)
def test_it_sets_the_absolute_lifetime_of_a_new_session(keep: bool, lifetime: dt.timedelta) -> None:
    assert rules.session_expiry(NOW, keep, POLICY) == NOW + lifetime


@pytest.mark.parametrize(
    ("last_seen_ago", "touch"),
    [
        (dt.timedelta(0), False),
        (dt.timedelta(seconds=59), False),
        (MIN, True),
        (HOUR, True),
    ],
)
def test_it_writes_last_seen_at_at_most_once_a_minute(last_seen_ago: dt.timedelta, touch: bool) -> None:
    assert rules.should_touch(NOW - last_seen_ago, NOW) is touch


# -- normalise_login, may_keep_signed_in ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "login"),
    [
        ("wang", "wang"),
        ("Wang", "wang"),
        ("  WANG.Li ", "wang.li"),
        ("\twang_li\n", "wang_li"),
        ("13900000101", "13900000101"),
        ("", ""),
    ],
)
def test_it_normalises_login_names(typed: str, login: str) -> None:
    assert rules.normalise_login(typed) == login


@pytest.mark.parametrize(
    ("role", "may"),
    [
        (Role.MEMBER, True),
        (Role.OFFICIAL, True),
        (Role.SECRETARY, False),
        (Role.ADMIN, False),
        (Role.VIEWER, False),
    ],
)
def test_it_offers_keep_me_signed_in_to_members_and_officials_only(role: Role, may: bool) -> None:
    assert rules.may_keep_signed_in(role) is may


def test_it_makes_tokens_that_differ_and_hashes_them() -> None:
    first, second = rules.new_token(), rules.new_token()
    assert first != second and len(first) >= 40
    assert rules.token_hash(first) == rules.token_hash(first)
    assert rules.token_hash(first) != rules.token_hash(second)
    assert len(rules.token_hash(first)) == 64 and first not in rules.token_hash(first)
