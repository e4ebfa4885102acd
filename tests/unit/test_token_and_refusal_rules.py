"""Pure rules of issue 8's tokens and refusals, table-driven, without a database: how long an API
token may live, the window refused requests are counted in, the `__Host-` cookie renaming, and the
session-bound CSRF key."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.middleware.csrf import generate_csrf_token

from tracker.domain.accounts import tokens
from tracker.domain.audit.rules import REFUSAL_WINDOW, refusal_window_start
from tracker.web.cookies import inbound_cookie_header, outbound_set_cookie
from tracker.web.security import is_valid_token, session_key

NOW = dt.datetime(2026, 12, 1, 8, 7, 30, tzinfo=dt.UTC)
NAMES = {"tracker_session", "tracker_csrf"}


@pytest.mark.parametrize(
    ("days", "valid"),
    [(-1, False), (0, False), (1, True), (90, True), (365, True), (366, False), (10**9, False)],
)
def test_it_allows_a_token_one_day_to_a_year(days: int, valid: bool) -> None:
    assert tokens.is_valid_lifetime(days) is valid


def test_it_gives_a_token_ninety_days_unless_told_and_counts_them_from_now() -> None:
    assert tokens.DEFAULT_DAYS == 90 and tokens.MAX_DAYS == 365
    assert tokens.expiry(NOW, tokens.DEFAULT_DAYS) == dt.datetime(2027, 3, 1, 8, 7, 30, tzinfo=dt.UTC)
    assert tokens.expiry(NOW, 1) == NOW + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("now", "start"),
    [
        (dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)),
        (dt.datetime(2026, 12, 1, 8, 7, 30, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)),
        (dt.datetime(2026, 12, 1, 8, 9, 59, 999999, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)),
        (dt.datetime(2026, 12, 1, 8, 10, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, 8, 10, tzinfo=dt.UTC)),
        (dt.datetime(2026, 12, 1, 23, 59, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, 23, 50, tzinfo=dt.UTC)),
        # the same instant written in another zone falls in the same window
        (
            dt.datetime(2026, 12, 1, 16, 7, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC),
        ),
    ],
)
def test_it_counts_refusals_in_fixed_ten_minute_windows(now: dt.datetime, start: dt.datetime) -> None:
    assert REFUSAL_WINDOW == dt.timedelta(minutes=10)
    assert refusal_window_start(now) == start


@pytest.mark.parametrize(
    ("sent", "seen"),
    [
        ("__Host-tracker_session=abc; __Host-tracker_csrf=def", "tracker_session=abc; tracker_csrf=def"),
        # a plain-named one (planted by a neighbouring site) is not ours behind HTTPS
        ("tracker_session=planted; __Host-tracker_session=abc", "tracker_session=abc"),
        ("tracker_csrf=planted", ""),
        # other cookies pass as they are
        ("tracker_lang=en; __Host-tracker_csrf=x=y", "tracker_lang=en; tracker_csrf=x=y"),
        ("__Host-other=1", "__Host-other=1"),
    ],
)
def test_it_reads_the_host_prefixed_cookies_under_their_plain_names(sent: str, seen: str) -> None:
    assert inbound_cookie_header(sent, NAMES) == seen


@pytest.mark.parametrize(
    ("set_cookie", "sent"),
    [
        (b"tracker_session=abc; HttpOnly; Path=/; Secure", b"__Host-tracker_session=abc; HttpOnly; Path=/; Secure"),
        (b'tracker_csrf=""; Max-Age=0; Path=/', b'__Host-tracker_csrf=""; Max-Age=0; Path=/'),
        (b"tracker_lang=en; Path=/", b"tracker_lang=en; Path=/"),
    ],
)
def test_it_sends_the_session_and_csrf_cookies_with_the_host_prefix(set_cookie: bytes, sent: bytes) -> None:
    assert outbound_set_cookie(set_cookie, NAMES) == sent


def test_it_binds_a_csrf_token_to_the_session_it_was_made_for() -> None:
    secret = "s" * 32
    signed_out, alice, bob = session_key(secret, ""), session_key(secret, "alice"), session_key(secret, "bob")
    assert len({signed_out, alice, bob}) == 3
    token = generate_csrf_token(alice)
    assert is_valid_token(token, alice)
    assert not is_valid_token(token, bob) and not is_valid_token(token, signed_out)
    assert not is_valid_token(token, session_key("another-secret-0123456789", "alice"))
    assert not is_valid_token(token[:-1] + ("0" if token[-1] != "0" else "1"), alice)
    for broken in (None, "", "short", token[:64]):
        assert not is_valid_token(broken, alice)
