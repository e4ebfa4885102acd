"""Who may see what: the one place where the actor's reach is worked out and applied to queries.

A `Scope` belongs to one request (or one command): the providers in routes.py make one per
request and hand it to every service, so the reach in a town is computed once, however many
services and calls the request makes. The policy itself is tracker.domain.access; this
module loads what it needs and answers in domain errors:
- a town out of reach is OutOfReach (404, logged as a refusal), a town that does not exist NotFound;
- work the actor may not even see is NotFound (a member must not learn that a task exists);
- work the actor may see but not act on is NotAllowed (403).
`actor` None is the system itself (command line, seeding, roster hooks): no limits.

Every query of tasks, records, people, places and assignments goes through `Reach.filter` (or
`Scope.towns` for the list of towns): it adds the town and, for the work of people (tasks,
records), the people whose work the actor reads. Towns come from `Scope.town(code)` /
`Scope.town_by_id(id)`, which check the actor may read them; holding a `Town` is not a permission:
`Scope.reach(town)` checks it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role
from tracker.db.models.roster import Person, Town
from tracker.domain.access import Actor, can_act_on_work_of, can_manage_town, can_read_town, can_read_work_of
from tracker.domain.errors import NotAllowed, NotFound, OutOfReach
from tracker.i18n import _

Q = TypeVar("Q", bound=Select[Any])


async def people_below(session: AsyncSession, town_id: int, official_id: int) -> frozenset[int]:
    """Everyone whose supervisor chain reaches the official, whatever their state: one recursive query."""
    chain = (
        select(Person.id).where(Person.town_id == town_id, Person.supervisor_id == official_id)
        .cte("below", recursive=True)
    )  # fmt: skip
    chain = chain.union(
        select(Person.id).where(Person.town_id == town_id, Person.supervisor_id == chain.c.id)
    )
    ids = (await session.scalars(select(chain.c.id))).all()
    return frozenset(ids) - {official_id}


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

    def filter(self, query: Q, model: Any, *, people: bool | None = None) -> Q:
        """`query` narrowed to this town and, for a person's work (a model with `person_id`: tasks,
        records), to the people whose work the actor reads. Town-wide things (people, places,
        units, assignments) pass `people=False` or have no `person_id`."""
        query = query.where(model.town_id == self.town_id)
        by_person = hasattr(model, "person_id") if people is None else people
        readable = self.readable_ids() if by_person else None
        if readable is not None:
            query = query.where(model.person_id.in_(readable))
        return query


def require_town(actor: Actor | None, town: Town) -> None:
    if actor is not None and not can_read_town(actor, town.id):
        raise OutOfReach(_("No town with code %(code)s", code=town.code))


class Scope:
    """The actor's reach, worked out once per request and per town, and the towns they may read."""

    def __init__(self, session: AsyncSession, actor: Actor | None) -> None:
        self.session = session
        self.actor = actor
        self._reaches: dict[int, Reach] = {}

    def towns(self, query: Q) -> Q:
        """A query of towns narrowed to those the actor reads (in SQL, not by loading them all)."""
        actor = self.actor
        if actor is None or actor.role is Role.ADMIN:
            return query
        if actor.role is Role.VIEWER:
            return query.where(Town.id.in_(actor.viewer_town_ids))
        return query.where(Town.id == actor.town_id)

    def require(self, town: Town) -> None:
        """The town is one the actor reads (else OutOfReach): for town-wide things (people, places, units)."""
        require_town(self.actor, town)

    async def town(self, code: str) -> Town:
        """The town with this code, if the actor may read it (else NotFound / OutOfReach)."""
        town = (await self.session.scalars(select(Town).where(Town.code == code))).one_or_none()
        if town is None:
            raise NotFound(_("No town with code %(code)s", code=code))
        require_town(self.actor, town)
        return town

    async def managed_town(self, code: str, refusal: str) -> Town:
        """The town, if the actor manages it (its secretary, or an admin); else NotAllowed(refusal)."""
        town = await self.town(code)
        if self.actor is not None and not can_manage_town(self.actor, town.id):
            raise NotAllowed(refusal)
        return town

    async def town_by_id(self, town_id: int) -> Town:
        town = await self.session.get(Town, town_id)
        if town is None:
            raise NotFound(_("No town with code %(code)s", code=town_id))
        require_town(self.actor, town)
        return town

    async def home_town(self) -> Town | None:
        """The actor's own town (None for an admin or a viewer without one)."""
        if self.actor is None or self.actor.town_id is None:
            return None
        return await self.town_by_id(self.actor.town_id)

    async def reach(self, town: Town) -> Reach:
        """Check the town is within reach (else OutOfReach) and who is below the actor (once per town)."""
        require_town(self.actor, town)
        reach = self._reaches.get(town.id)
        if reach is None:
            actor, below = self.actor, frozenset[int]()
            if actor is not None and actor.person_id is not None and actor.role is Role.OFFICIAL:
                below = await people_below(self.session, town.id, actor.person_id)
            reach = self._reaches[town.id] = Reach(actor, town.id, below)
        return reach


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
