"""The second factor's pure rules: the TOTP window and replay, codes as typed, recovery codes, the
challenge, who must enrol. Times are explicit; codes come from RFC 6238's own test vectors."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tracker.db.models.accounts import Role
from tracker.domain.accounts import mfa
from tracker.domain.accounts.mfa import CodeCheck, CodeKind

# RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" (base32 below), 8-digit codes; we use
# the last six digits, which is what a 6-digit TOTP of the same secret and time is.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
]
NOON = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)  # a step boundary: 12:00:00 is a multiple of 30 s


def at(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


@pytest.mark.parametrize(("unix", "eight_digits"), RFC_VECTORS)
def test_it_computes_the_rfc_6238_codes(unix: int, eight_digits: str) -> None:
    assert mfa.code_at_step(RFC_SECRET, mfa.time_step(at(unix))) == eight_digits[-6:]


def test_it_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        mfa.time_step(dt.datetime(2026, 3, 1, 12, 0))


STEP = mfa.time_step(NOON)


@pytest.mark.parametrize(
    ("code_step", "seconds_later", "last_used", "expected"),
    [
        (STEP, 0, None, CodeCheck.ACCEPTED),  # the current code
        (STEP, 29, None, CodeCheck.ACCEPTED),  # still the same step at its last second
        (STEP - 1, 0, None, CodeCheck.ACCEPTED),  # the previous step: typed as it changed
        (STEP + 1, 0, None, CodeCheck.ACCEPTED),  # the next step: a phone a little fast
        (STEP - 2, 0, None, CodeCheck.WRONG),  # a minute old
        (STEP + 2, 0, None, CodeCheck.WRONG),  # a minute ahead
        (STEP, 30, None, CodeCheck.ACCEPTED),  # 30 s later it is the previous step: still in the window
        (STEP, 60, None, CodeCheck.WRONG),  # 60 s later: out of the window
        (STEP, 0, STEP, CodeCheck.REPLAYED),  # this step's code was used already
        (STEP - 1, 0, STEP, CodeCheck.REPLAYED),  # an older step than the one used: refused too
        (STEP + 1, 0, STEP, CodeCheck.ACCEPTED),  # a later step than the one used
        (STEP, 0, STEP - 1, CodeCheck.ACCEPTED),
    ],
)
def test_it_accepts_the_current_step_and_one_either_side_once(
    code_step: int, seconds_later: int, last_used: int | None, expected: CodeCheck
) -> None:
    code = mfa.code_at_step(RFC_SECRET, code_step)
    result = mfa.check_totp(RFC_SECRET, code, NOON + dt.timedelta(seconds=seconds_later), last_used)
    assert result.outcome is expected
    if expected is not CodeCheck.WRONG:
        assert result.step == code_step


@pytest.mark.parametrize("code", ["", "000000", "94287082", "287082 "])
def test_it_refuses_what_no_step_of_the_window_shows(code: str) -> None:
    assert mfa.check_totp(RFC_SECRET, code, NOON, None).outcome is CodeCheck.WRONG


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("123456", CodeKind.TOTP, "123456"),
        (" 123 456 ", CodeKind.TOTP, "123456"),
        ("123-456", CodeKind.TOTP, "123456"),
        ("１２３４５６", CodeKind.TOTP, "123456"),  # full-width digits from a Chinese input method
        ("123\u3000456", CodeKind.TOTP, "123456"),  # the ideographic space
        ("12345", CodeKind.INVALID, ""),
        ("1234567", CodeKind.INVALID, ""),
        ("12345²", CodeKind.INVALID, ""),  # a superscript is not a digit here
        ("١٢٣٤٥٦", CodeKind.INVALID, ""),  # Arabic-Indic digits: not what an app shows
        ("12345a", CodeKind.INVALID, ""),
        ("", CodeKind.INVALID, ""),
        ("abcd-efgh-jkmn", CodeKind.RECOVERY, "abcdefghjkmn"),
        ("ABCD EFGH JKMN", CodeKind.RECOVERY, "abcdefghjkmn"),
        ("abcdefghjkmn", CodeKind.RECOVERY, "abcdefghjkmn"),
        ("abcd-efgh-jkm", CodeKind.INVALID, ""),  # one symbol short
        ("abcd-efgh-jkml", CodeKind.INVALID, ""),  # "l" is not in the alphabet
        ("abcd-efgh-jkm\x00", CodeKind.INVALID, ""),
    ],
)
def test_it_reads_codes_as_people_type_them(typed: str, kind: CodeKind, value: str) -> None:
    assert mfa.normalise_code(typed) == mfa.TypedCode(kind, value)


def test_it_makes_ten_distinct_recovery_codes_that_read_back_as_recovery_codes() -> None:
    codes = mfa.new_recovery_codes()
    assert len(codes) == mfa.RECOVERY_CODE_COUNT == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[23456789a-z]{4}-[23456789a-z]{4}-[23456789a-z]{4}", code)
        assert not set(code) & set("01ilo")
        typed = mfa.normalise_code(code.upper())
        assert typed.kind is CodeKind.RECOVERY
        assert mfa.recovery_code_hash(typed.value) == mfa.recovery_code_hash(code.replace("-", ""))
    assert len(mfa.recovery_code_hash("abcdefghjkmn")) == 64


@pytest.mark.parametrize(
    ("seconds_after_start", "attempts", "is_open"),
    [
        (0, 0, True),
        (299, 4, True),
        (300, 0, False),  # five minutes: expired
        (10, mfa.CHALLENGE_ATTEMPTS, False),  # too many wrong codes
        (10, mfa.CHALLENGE_ATTEMPTS - 1, True),
    ],
)
def test_it_keeps_a_challenge_open_for_five_minutes_and_five_attempts(
    seconds_after_start: int, attempts: int, is_open: bool
) -> None:
    expires = mfa.challenge_expiry(NOON)
    assert mfa.challenge_open(expires, attempts, NOON + dt.timedelta(seconds=seconds_after_start)) is is_open


@pytest.mark.parametrize(
    ("role", "enrolled", "must"),
    [
        (Role.ADMIN, False, True),
        (Role.SECRETARY, False, True),
        (Role.ADMIN, True, False),
        (Role.SECRETARY, True, False),
        (Role.OFFICIAL, False, False),
        (Role.MEMBER, False, False),
        (Role.VIEWER, False, False),
    ],
)
def test_it_requires_a_second_factor_of_admins_and_secretaries_only(role: Role, enrolled: bool, must: bool) -> None:
    assert mfa.must_enrol(role, enrolled) is must


def test_it_shows_the_secret_in_groups_of_four_and_in_a_provisioning_address() -> None:
    assert mfa.grouped_secret("JBSWY3DPEHPK3PXP") == "JBSW Y3DP EHPK 3PXP"
    uri = mfa.provisioning_uri("JBSWY3DPEHPK3PXP", "zhang.san")
    assert uri.startswith("otpauth://totp/Responsibility%20tracker%3Azhang.san?secret=JBSWY3DPEHPK3PXP&")
    assert "issuer=Responsibility%20tracker" in uri and "digits=6" in uri and "period=30" in uri
    assert len(mfa.new_secret()) == 32


def test_it_draws_the_qr_code_as_svg_the_strict_csp_allows() -> None:
    svg = mfa.qr_svg(mfa.provisioning_uri("JBSWY3DPEHPK3PXP", "zhang.san"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for forbidden in ("style", "<script", "javascript:", "href"):  # no inline style, script or link
        assert forbidden not in svg, forbidden
    assert not re.search(r"\son\w+=", svg)  # no event handler attributes
    assert "<path" in svg
