"""Who may do what: the signed-in actor and pure policy checks (no session, no request).

Function-level decisions (which roles reach a route) live in guards (web/guards.py); these
object-level checks are what the services call: a town outside the actor's reach is answered as
if it did not exist (404), a person's work outside their chain is refused.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import Enum

from tracker.db.models.accounts import Role
from tracker.i18n import LazyText, lazy_gettext

ROLE_LABELS: dict[Role, LazyText] = {
    Role.ADMIN: lazy_gettext("Administrator"),
    Role.SECRETARY: lazy_gettext("Secretary"),
    Role.OFFICIAL: lazy_gettext("Official"),
    Role.MEMBER: lazy_gettext("Member"),
    Role.VIEWER: lazy_gettext("Viewer"),
}


def role_label(role: Role | str) -> str:
    """The role's name in the current language."""
    return str(ROLE_LABELS[Role(role)])


@dataclass(frozen=True)
class Actor:
    user_id: int
    login: str
    role: Role
    town_id: int | None
    person_id: int | None
    viewer_town_ids: frozenset[int] = field(default_factory=frozenset)
    must_change_password: bool = False
    must_enrol_mfa: bool = False  # an admin or secretary without a second factor yet (mfa.must_enrol)
    session_id: int | None = None  # None when signed in with an API token
    locale: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def can_read_town(actor: Actor, town_id: int) -> bool:
    if actor.role is Role.ADMIN:
        return True
    if actor.role is Role.VIEWER:
        return town_id in actor.viewer_town_ids
    return actor.town_id == town_id


def can_manage_town(actor: Actor, town_id: int) -> bool:
    """Roster changes, user management, assignments, the audit log: the town's secretary or an admin."""
    return actor.role is Role.ADMIN or (actor.role is Role.SECRETARY and actor.town_id == town_id)


def can_read_work_of(actor: Actor, town_id: int, person_id: int, below: Collection[int]) -> bool:
    """May `actor` see the tasks and records of `person_id`?

    `below` holds the ids of everyone below the actor's person in the supervisor chain.
    """
    if not can_read_town(actor, town_id):
        return False
    if actor.role in (Role.ADMIN, Role.SECRETARY, Role.VIEWER):
        return True
    if actor.person_id == person_id:
        return True
    return actor.role is Role.OFFICIAL and person_id in below


def can_act_on_work_of(actor: Actor, town_id: int, person_id: int) -> bool:
    """May `actor` complete tasks and file records for `person_id`? Only their own (or the secretary)."""
    if actor.role is Role.VIEWER or not can_read_town(actor, town_id):
        return False
    return actor.person_id == person_id or can_manage_town(actor, town_id)


def assignable_roles(actor: Actor) -> tuple[Role, ...]:
    """Which roles `actor` may give, and manage (reset, disable, enable): only roles below their own,
    never one that reaches beyond a town (an admin gives any)."""
    if actor.role is Role.ADMIN:
        return tuple(Role)
    if actor.role is Role.SECRETARY:
        return (Role.OFFICIAL, Role.MEMBER)
    return ()


class AccountRefusal(str, Enum):
    """Why `actor` may not manage an account (account_refusal)."""

    OWN_ACCOUNT = "own_account"  # nobody changes their own role or state from the users page
    ROLE = "role"  # a role not below the actor's (another secretary, an admin, a county viewer)
    TOWN = "town"  # an account outside the towns the actor manages


def account_refusal(actor: Actor, *, user_id: int, role: Role, town_id: int | None) -> AccountRefusal | None:
    """May `actor` reset the password of, disable or enable the account `user_id` (of `role`, in
    `town_id`)? None when they may, else why not."""
    if town_id is None and not actor.is_admin or town_id is not None and not can_manage_town(actor, town_id):
        return AccountRefusal.TOWN
    if user_id == actor.user_id:
        return AccountRefusal.OWN_ACCOUNT
    if role not in assignable_roles(actor):
        return AccountRefusal.ROLE
    return None


def may_unlock_account(actor: Actor, *, role: Role, town_id: int | None) -> bool:
    """May `actor` lift the sign-in throttle of an account? An admin any; a town's secretary the
    accounts of their town (their fellow secretaries too: unlocking gives nobody access)."""
    if actor.is_admin:
        return True
    return (
        actor.role is Role.SECRETARY
        and town_id is not None
        and can_manage_town(actor, town_id)
        and role in (Role.SECRETARY, Role.OFFICIAL, Role.MEMBER)
    )
