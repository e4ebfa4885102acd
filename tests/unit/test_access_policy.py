"""Who may read and act on what, table-driven over the roles: towns, people's work, roles to give.

Town A has id 1, town B id 2. Person ids: 10 the secretary, 20 an official, 30 a cadre below the
official, 40 a member outside that chain. `BELOW` is what the services pass for the actor's chain.
"""

from __future__ import annotations

import pytest

from tracker.db.models.accounts import Role
from tracker.domain.access import (
    Actor,
    assignable_roles,
    can_act_on_work_of,
    can_manage_town,
    can_read_town,
    can_read_work_of,
)

A, B, C = 1, 2, 3
SECRETARY_P, OFFICIAL_P, CADRE_P, OUTSIDER_P = 10, 20, 30, 40

ACTORS = {
    "admin": Actor(1, "admin", Role.ADMIN, None, None),
    "secretary": Actor(2, "secretary", Role.SECRETARY, A, SECRETARY_P),
    "official": Actor(3, "official", Role.OFFICIAL, A, OFFICIAL_P),
    "cadre": Actor(4, "cadre", Role.MEMBER, A, CADRE_P),
    "outsider": Actor(5, "outsider", Role.MEMBER, A, OUTSIDER_P),
    "secretary_b": Actor(6, "secretary_b", Role.SECRETARY, B, 99),
    "viewer": Actor(7, "viewer", Role.VIEWER, None, None, viewer_town_ids=frozenset({A, C})),
    "viewer_none": Actor(8, "viewer_none", Role.VIEWER, None, None),
    # an official whose account is (wrongly) in town B: the chain never crosses towns
    "official_b": Actor(9, "official_b", Role.OFFICIAL, B, OFFICIAL_P),
}
BELOW = {"official": {CADRE_P}, "official_b": {CADRE_P}, "secretary": {OFFICIAL_P, CADRE_P, OUTSIDER_P}}


@pytest.mark.parametrize(
    ("who", "town", "read", "manage"),
    [
        ("admin", A, True, True),
        ("admin", B, True, True),
        ("secretary", A, True, True),
        ("secretary", B, False, False),
        ("official", A, True, False),
        ("official", B, False, False),
        ("cadre", A, True, False),
        ("cadre", B, False, False),
        ("outsider", A, True, False),
        ("secretary_b", A, False, False),
        ("secretary_b", B, True, True),
        ("viewer", A, True, False),
        ("viewer", B, False, False),
        ("viewer", C, True, False),
        ("viewer_none", A, False, False),
    ],
)
def test_it_decides_who_reads_and_manages_a_town(who: str, town: int, read: bool, manage: bool) -> None:
    actor = ACTORS[who]
    assert can_read_town(actor, town) is read
    assert can_manage_town(actor, town) is manage


@pytest.mark.parametrize(
    ("who", "town", "person", "read", "act"),
    [
        # the administrator: everything, everywhere
        ("admin", A, CADRE_P, True, True),
        ("admin", B, 99, True, True),
        # the secretary: everyone of their own town, nobody of another
        ("secretary", A, SECRETARY_P, True, True),
        ("secretary", A, CADRE_P, True, True),
        ("secretary", A, OUTSIDER_P, True, True),
        ("secretary", B, 99, False, False),
        # the official: themselves and who is below them; acts only on their own work
        ("official", A, OFFICIAL_P, True, True),
        ("official", A, CADRE_P, True, False),
        ("official", A, OUTSIDER_P, False, False),
        ("official", A, SECRETARY_P, False, False),
        ("official", B, CADRE_P, False, False),
        # a member: only their own
        ("cadre", A, CADRE_P, True, True),
        ("cadre", A, OFFICIAL_P, False, False),
        ("cadre", A, OUTSIDER_P, False, False),
        ("cadre", B, CADRE_P, False, False),
        ("outsider", A, OUTSIDER_P, True, True),
        ("outsider", A, CADRE_P, False, False),
        # the other town's secretary sees nothing of town A
        ("secretary_b", A, CADRE_P, False, False),
        ("secretary_b", B, 99, True, True),
        # a viewer reads everyone of their towns and acts on nothing
        ("viewer", A, CADRE_P, True, False),
        ("viewer", A, SECRETARY_P, True, False),
        ("viewer", B, 99, False, False),
        ("viewer_none", A, CADRE_P, False, False),
        # the chain does not reach across towns
        ("official_b", A, CADRE_P, False, False),
    ],
)
def test_it_decides_whose_work_an_actor_reads_and_acts_on(
    who: str, town: int, person: int, read: bool, act: bool
) -> None:
    actor = ACTORS[who]
    assert can_read_work_of(actor, town, person, BELOW.get(who, set())) is read
    assert can_act_on_work_of(actor, town, person) is act


def test_it_reads_below_only_through_the_chain_it_is_given() -> None:
    official = ACTORS["official"]
    assert can_read_work_of(official, A, CADRE_P, {CADRE_P})
    assert not can_read_work_of(official, A, CADRE_P, set())
    # a member is never widened by a chain
    assert not can_read_work_of(ACTORS["cadre"], A, OUTSIDER_P, {OUTSIDER_P})


@pytest.mark.parametrize(
    ("who", "roles"),
    [
        ("admin", (Role.ADMIN, Role.SECRETARY, Role.OFFICIAL, Role.MEMBER, Role.VIEWER)),
        ("secretary", (Role.OFFICIAL, Role.MEMBER)),  # only roles below their own
        ("secretary_b", (Role.OFFICIAL, Role.MEMBER)),
        ("official", ()),
        ("cadre", ()),
        ("outsider", ()),
        ("viewer", ()),
    ],
)
def test_it_lets_only_admins_and_secretaries_give_roles(who: str, roles: tuple[Role, ...]) -> None:
    given = assignable_roles(ACTORS[who])
    assert set(given) == set(roles)
    if who.startswith("secretary"):  # never a role wider than their town, nor their own
        assert Role.ADMIN not in given and Role.VIEWER not in given and Role.SECRETARY not in given


def test_it_calls_an_actor_admin_only_with_the_admin_role() -> None:
    assert ACTORS["admin"].is_admin
    assert not any(ACTORS[who].is_admin for who in ACTORS if who != "admin")
