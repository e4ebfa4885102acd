"""`--create-accounts` without a database: which login a person gets, which role, and the printed table."""

from __future__ import annotations

import pytest

from tracker.db.models.accounts import Role
from tracker.db.models.roster import Tier
from tracker.domain.roster.importing.accounts import (
    AccountsReport,
    PersonAccount,
    SkippedPerson,
    display_width,
    login_candidates,
    role_for,
)
from tracker.i18n import use_locale


@pytest.mark.parametrize(
    ("town", "code", "logins"),
    [
        ("meili", "S05", ["s05", "meili.s05"]),
        ("meili", "c01", ["c01", "meili.c01"]),
        ("Meili", " P-7_a ", ["p-7_a", "meili.p-7_a"]),
        ("meili", "7", ["meili.7"]),  # one character is too short for a login on its own
        ("meili", "干部01", []),  # not a usable login: the secretary makes one by hand
        ("meili", "x" * 64, ["x" * 64]),  # with the town in front it would be too long
        ("meili", "x" * 65, []),
    ],
)
def test_it_derives_logins_from_the_code(town: str, code: str, logins: list[str]) -> None:
    assert login_candidates(town, code) == logins


@pytest.mark.parametrize(
    ("tier", "role"),
    [
        (Tier.SECTION_OFFICIAL, Role.OFFICIAL),
        (Tier.UNIT_HEAD, Role.MEMBER),
        (Tier.VILLAGE_CADRE, Role.MEMBER),
    ],
)
def test_it_gives_officials_the_official_role_and_everyone_else_member(tier: Tier, role: Role) -> None:
    assert role_for(tier) is role


@pytest.mark.parametrize(("text", "width"), [("", 0), ("p01", 3), ("张红梅", 6), ("李a", 3)])
def test_it_measures_chinese_as_two_columns(text: str, width: int) -> None:
    assert display_width(text) == width


def test_it_prints_a_table_with_aligned_passwords() -> None:
    report = AccountsReport(
        dry_run=False,
        created=[
            PersonAccount("p01", "张红梅", "Secret123abc"),
            PersonAccount("meili.c01", "韩晓磊磊", "Other456xyz"),
        ],
        skipped=[
            SkippedPerson("干部01", "王五", "no free login name from this code; use `tracker users create`")
        ],
        had_one=2,
    )
    with use_locale("en"):
        lines = report.lines()
    assert lines[0] == "Accounts created: 2"
    table = lines[2:5]
    assert table[0].split() == ["login", "name", "password"]
    # the password column starts at the same display column on every row
    passwords = ["Secret123abc", "Other456xyz"]
    starts = {display_width(line[: line.index(pw)]) for line, pw in zip(table[1:], passwords, strict=True)}
    assert len(starts) == 1
    assert lines[5] == "People who already have an account: 2"
    assert lines[6].startswith("No account for 干部01 王五: no free login name")


def test_it_lists_logins_without_passwords_on_a_dry_run() -> None:
    report = AccountsReport(dry_run=True, created=[PersonAccount("p01", "张红梅", None)])
    with use_locale("en"):
        lines = report.lines()
    assert lines[0] == "Accounts that would be created: 1"
    assert lines[1].split() == ["p01", "张红梅"]
    assert "None" not in "\n".join(lines)
