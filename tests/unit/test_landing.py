"""Where each role lands after signing in and at `/` (domain/accounts/landing.py)."""

from __future__ import annotations

import pytest

from tracker.db.models.accounts import Role
from tracker.domain.accounts.landing import landing_path, needs_towns


@pytest.mark.parametrize(
    ("role", "towns", "expected"),
    [
        (Role.MEMBER, ["alpha"], "/my"),
        (Role.MEMBER, [], "/my"),  # no town needed: their own work
        (Role.OFFICIAL, ["alpha"], "/my"),
        (Role.SECRETARY, ["alpha"], "/towns/alpha/desk"),
        (Role.SECRETARY, [], None),  # a secretary of no town (never made so): the list at /
        (Role.VIEWER, ["beta"], "/towns/beta"),
        (Role.VIEWER, ["beta", "alpha"], "/county/review"),
        (Role.VIEWER, [], None),
        (Role.ADMIN, ["alpha"], "/towns/alpha"),
        (Role.ADMIN, ["beta", "alpha"], None),  # the list of towns at /
        (Role.ADMIN, [], None),
    ],
)
def test_it_lands_each_role_on_its_work(role: Role, towns: list[str], expected: str | None) -> None:
    assert landing_path(role, towns) == expected


def test_it_picks_the_same_town_whatever_the_order() -> None:
    assert landing_path(Role.SECRETARY, ["beta", "alpha"]) == landing_path(Role.SECRETARY, ["alpha", "beta"])


@pytest.mark.parametrize("role", list(Role))
def test_it_asks_for_towns_only_when_the_answer_depends_on_them(role: Role) -> None:
    if not needs_towns(role):
        assert landing_path(role, []) == landing_path(role, ["alpha", "beta"])
