"""Whose work the actor may see and touch, and the roster snapshot the rules work on.

The policy itself is tracker.domain.accounts.access; this module loads what it needs (the
people below the actor's person) and answers in domain errors:
- a town out of reach is OutOfReach (404, logged as a refusal);
- work the actor may not even see is NotFound (a member must not learn that a task exists);
- work the actor may see but not act on is NotAllowed (403).
`actor` None is the system itself (command line, seeding, roster hooks): no limits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role
from tracker.db.models.roster import ContactAssignment, Person, Town
from tracker.domain.accounts.access import (
    Actor,
    can_act_on_work_of,
    can_manage_town,
    can_read_town,
    can_read_work_of,
)
from tracker.domain.errors import NotAllowed, NotFound, OutOfReach
from tracker.domain.planning.who import ContactSnapshot, PersonSnapshot, RosterSnapshot, people_below
from tracker.i18n import _


async def load_roster(session: AsyncSession, town_id: int, *, contacts: bool = True) -> RosterSnapshot:
    """The town's people (active or not) and, unless asked not to, every contact link ever made."""
    people = (await session.execute(
        select(Person.id, Person.tier, Person.unit_id, Person.supervisor_id, Person.active)
        .where(Person.town_id == town_id)
        .order_by(Person.id)
    )).all()  # fmt: skip
    links: list[ContactSnapshot] = []
    if contacts:
        rows = (await session.execute(
            select(ContactAssignment.person_id, ContactAssignment.place_id, ContactAssignment.link,
                   ContactAssignment.valid_from, ContactAssignment.valid_to)
            .where(ContactAssignment.town_id == town_id)
            .order_by(ContactAssignment.id)
        )).all()  # fmt: skip
        links = [ContactSnapshot(*row) for row in rows]
    return RosterSnapshot([PersonSnapshot(*row) for row in people], links)


@dataclass(frozen=True)
class Reach:
    """The actor's reach in one town."""

    actor: Actor | None
    town_id: int
    below: frozenset[int]  # everyone below the actor's person in the supervisor chain

    @property
    def manages(self) -> bool:
        return self.actor is None or can_manage_town(self.actor, self.town_id)

    @property
    def reads_everyone(self) -> bool:
        return self.actor is None or self.actor.role in (Role.ADMIN, Role.SECRETARY, Role.VIEWER)

    def may_read(self, person_id: int) -> bool:
        return self.actor is None or can_read_work_of(self.actor, self.town_id, person_id, self.below)

    def may_act(self, person_id: int) -> bool:
        return self.actor is None or can_act_on_work_of(self.actor, self.town_id, person_id)

    def readable_ids(self) -> set[int] | None:
        """The people whose work the actor reads; None for everyone in the town."""
        if self.reads_everyone:
            return None
        own = {self.actor.person_id} if self.actor is not None and self.actor.person_id is not None else set()
        return own | (set(self.below) if self.actor is not None and self.actor.role is Role.OFFICIAL else set())


def require_town(actor: Actor | None, town: Town) -> None:
    if actor is not None and not can_read_town(actor, town.id):
        raise OutOfReach(_("No town with code %(code)s", code=town.code))


async def reach_in(session: AsyncSession, actor: Actor | None, town: Town) -> Reach:
    """Check the town is within reach (else OutOfReach) and work out who is below the actor."""
    require_town(actor, town)
    below: set[int] = set()
    if actor is not None and actor.person_id is not None and actor.role is Role.OFFICIAL:
        roster = await load_roster(session, town.id, contacts=False)
        below = people_below(actor.person_id, roster.people)
    return Reach(actor, town.id, frozenset(below))


def task_missing(task_id: int) -> NotFound:
    message = _("No task %(id)s", id=task_id)
    return NotFound(message, fields={"task_id": message})


def require_read(reach: Reach, person_id: int, task_id: int) -> None:
    if not reach.may_read(person_id):
        raise task_missing(task_id)


def require_act(reach: Reach, person_id: int, task_id: int) -> None:
    """Read access first (NotFound), then the right to file work for the person (NotAllowed)."""
    require_read(reach, person_id, task_id)
    if not reach.may_act(person_id):
        message = _("Only the person it is assigned to, or the town's secretary, may record this work")
        raise NotAllowed(message, fields={"task_id": message})


def require_manage(reach: Reach, message: str) -> None:
    if not reach.manages:
        raise NotAllowed(message)
