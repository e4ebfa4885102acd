"""Who may do what: the signed-in actor and pure policy checks (no session, no request).

Function-level decisions (which roles reach a route) live in guards (web/guards.py); these
object-level checks are what the services call: a town outside the actor's reach is answered as
if it did not exist (404), a person's work outside their chain is refused.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

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
    """Which roles `actor` may give when creating a user: a role never widens beyond its town."""
    if actor.role is Role.ADMIN:
        return tuple(Role)
    if actor.role is Role.SECRETARY:
        return (Role.SECRETARY, Role.OFFICIAL, Role.MEMBER)
    return ()
