"""Who may manage which account, table-driven over the roles (access.account_refusal and
may_unlock_account): a secretary manages only roles below theirs (officials and members) of their
own town and never their own account; an admin any account but their own; an unlock (which gives
nobody access) is open to the town's secretary for every account of the town."""

from __future__ import annotations

import pytest

from tracker.db.models.accounts import Role
from tracker.domain.access import AccountRefusal, Actor, account_refusal, may_unlock_account

A, B = 1, 2
ADMIN = Actor(1, "admin", Role.ADMIN, None, None)
SECRETARY = Actor(2, "secretary", Role.SECRETARY, A, 10)
OFFICIAL = Actor(3, "official", Role.OFFICIAL, A, 20)
MEMBER = Actor(4, "cadre", Role.MEMBER, A, 30)
VIEWER = Actor(5, "viewer", Role.VIEWER, None, None, viewer_town_ids=frozenset({A}))

OWN, ROLE, TOWN = AccountRefusal.OWN_ACCOUNT, AccountRefusal.ROLE, AccountRefusal.TOWN


@pytest.mark.parametrize(
    ("actor", "user_id", "role", "town_id", "refusal"),
    [
        # the town's secretary: officials and members of their town
        (SECRETARY, 30, Role.MEMBER, A, None),
        (SECRETARY, 20, Role.OFFICIAL, A, None),
        (SECRETARY, 12, Role.SECRETARY, A, ROLE),  # another secretary
        (SECRETARY, 2, Role.SECRETARY, A, OWN),  # themselves
        (SECRETARY, 50, Role.VIEWER, A, ROLE),  # a county viewer made from the town's page
        (SECRETARY, 1, Role.ADMIN, None, TOWN),  # an admin belongs to no town
        (SECRETARY, 31, Role.MEMBER, B, TOWN),  # another town's member
        # an admin: anyone but themselves
        (ADMIN, 30, Role.MEMBER, A, None),
        (ADMIN, 12, Role.SECRETARY, B, None),
        (ADMIN, 50, Role.VIEWER, A, None),
        (ADMIN, 60, Role.ADMIN, None, None),  # another admin
        (ADMIN, 1, Role.ADMIN, None, OWN),
        # nobody else manages accounts
        (OFFICIAL, 30, Role.MEMBER, A, TOWN),
        (MEMBER, 31, Role.MEMBER, A, TOWN),
        (MEMBER, 4, Role.MEMBER, A, TOWN),
        (VIEWER, 30, Role.MEMBER, A, TOWN),
    ],
)
def test_it_says_who_may_reset_disable_or_enable_an_account(
    actor: Actor, user_id: int, role: Role, town_id: int | None, refusal: AccountRefusal | None
) -> None:
    assert account_refusal(actor, user_id=user_id, role=role, town_id=town_id) is refusal


@pytest.mark.parametrize(
    ("actor", "role", "town_id", "may"),
    [
        (SECRETARY, Role.MEMBER, A, True),
        (SECRETARY, Role.OFFICIAL, A, True),
        (SECRETARY, Role.SECRETARY, A, True),  # a fellow secretary (or themselves) locked out by a guesser
        (SECRETARY, Role.VIEWER, A, False),
        (SECRETARY, Role.ADMIN, None, False),
        (SECRETARY, Role.MEMBER, B, False),
        (ADMIN, Role.MEMBER, B, True),
        (ADMIN, Role.ADMIN, None, True),
        (ADMIN, Role.VIEWER, None, True),
        (OFFICIAL, Role.MEMBER, A, False),
        (MEMBER, Role.MEMBER, A, False),
        (VIEWER, Role.MEMBER, A, False),
    ],
)
def test_it_says_who_may_unlock_an_account(actor: Actor, role: Role, town_id: int | None, may: bool) -> None:
    assert may_unlock_account(actor, role=role, town_id=town_id) is may
