"""Roster services: load, apply the rules, save. No HTTP here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from advanced_alchemy.filters import LimitOffset, StatementFilter
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tracker.db.models.roster import ContactAssignment, LeadingGroupRole, Person, Place, Tier, Town, Unit
from tracker.db.repositories import (
    ContactAssignmentRepository,
    PersonRepository,
    PlaceRepository,
    TownRepository,
    UnitRepository,
)
from tracker.domain.access import Actor, can_manage_town
from tracker.domain.errors import InvalidInput, NotAllowed, NotFound
from tracker.domain.roster import rules
from tracker.domain.roster.events import roster_changed
from tracker.domain.roster.importing.staging import lock_roster
from tracker.domain.scope import Scope
from tracker.i18n import _

LEADING_GROUP_ORDER = {LeadingGroupRole.LEADER: 0, LeadingGroupRole.DEPUTY: 1, LeadingGroupRole.MEMBER: 2}


@dataclass
class TownOverview:
    town: Town
    tiers: dict[Tier, list[Person]]
    leading_group: list[Person]
    units: list[Unit]
    places: list[Place]
    contacts_by_person: dict[int, list[Place]] = field(default_factory=dict)
    # active tier-1 officials whose count of contact points is outside the town's range
    out_of_range: set[int] = field(default_factory=set)


@dataclass
class PersonDetail:
    person: Person
    chain: list[Person]
    current: list[ContactAssignment]
    history: list[ContactAssignment]
    reports: list[Person]


@dataclass
class PlaceDetail:
    place: Place
    current: list[ContactAssignment]
    history: list[ContactAssignment]
    villages: list[Place]


class RosterService:
    def __init__(self, session: AsyncSession, actor: Actor | None = None, scope: Scope | None = None) -> None:
        """`actor` None means the system itself (command line, seeding): no object-level limits."""
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)
        self.towns = TownRepository(session=session)
        self.units = UnitRepository(session=session)
        self.places = PlaceRepository(session=session)
        self.people = PersonRepository(session=session)
        self.contacts = ContactAssignmentRepository(session=session)

    # -- reading ---------------------------------------------------------------------------

    async def list_towns(self, *, limit: int | None = None, offset: int = 0) -> Sequence[Town]:
        """The towns the actor may see, by code; `limit` rows from `offset` when given (as every list)."""
        query = self.scope.towns(select(Town)).order_by(Town.code, Town.id)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return list((await self.session.scalars(query)).all())

    async def get_town(self, code: str) -> Town:
        """The town, if the actor may see it; a town out of reach is answered as missing."""
        return await self.scope.town(code)

    def require_manage(self, town: Town) -> None:
        if self.actor is not None and not can_manage_town(self.actor, town.id):
            raise NotAllowed(_("Only the town's secretary may change its roster"))

    async def list_units(self, town: Town, *, limit: int | None = None, offset: int = 0) -> Sequence[Unit]:
        self.scope.require(town)
        return await self.units.list(
            Unit.town_id == town.id, *_window(limit, offset), order_by=[(Unit.code, False), (Unit.id, False)]
        )

    async def list_places(self, town: Town, *, limit: int | None = None, offset: int = 0) -> Sequence[Place]:
        self.scope.require(town)
        return await self.places.list(
            Place.town_id == town.id,
            *_window(limit, offset),
            order_by=[(Place.code, False), (Place.id, False)],
        )

    async def list_people(self, town: Town, *, limit: int | None = None, offset: int = 0) -> Sequence[Person]:
        self.scope.require(town)
        return await self.people.list(
            Person.town_id == town.id,
            *_window(limit, offset),
            order_by=[(Person.code, False), (Person.id, False)],
            load=[selectinload(Person.unit)],
        )

    async def get_person(self, town: Town, person_id: int) -> Person:
        self.scope.require(town)
        person = await self.people.get_one_or_none(
            Person.id == person_id, Person.town_id == town.id, load=[selectinload(Person.unit)]
        )
        if person is None:
            raise NotFound(_("No person %(id)s in %(town)s", id=person_id, town=town.name))
        return person

    async def get_place(self, town: Town, place_id: int) -> Place:
        self.scope.require(town)
        place = await self.places.get_one_or_none(Place.id == place_id, Place.town_id == town.id)
        if place is None:
            raise NotFound(_("No place %(id)s in %(town)s", id=place_id, town=town.name))
        return place

    async def list_assignments(
        self, town: Town, *, current_on: dt.date | None = None, limit: int | None = None, offset: int = 0
    ) -> list[ContactAssignment]:
        """The town's contact assignments by person, then start; only those current on `current_on`
        (as rules.is_current says) when given; `limit` rows from `offset` when given."""
        self.scope.require(town)
        query = (
            select(ContactAssignment)
            .where(ContactAssignment.town_id == town.id)
            .options(selectinload(ContactAssignment.person), selectinload(ContactAssignment.place))
            .order_by(ContactAssignment.person_id, ContactAssignment.valid_from, ContactAssignment.id)
        )
        if current_on is not None:
            query = query.where(
                ContactAssignment.valid_from <= current_on,
                or_(ContactAssignment.valid_to.is_(None), ContactAssignment.valid_to > current_on),
            )
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return list((await self.session.scalars(query)).all())

    async def town_overview(self, town: Town, today: dt.date) -> TownOverview:
        people = [p for p in await self.list_people(town) if p.active]
        tiers: dict[Tier, list[Person]] = {tier: [] for tier in Tier}
        for person in people:
            tiers[person.tier].append(person)
        leading_group = sorted(
            (p for p in people if p.leading_group_role is not None),
            key=lambda p: (LEADING_GROUP_ORDER[p.leading_group_role], p.code),  # type: ignore[index]
        )
        contacts: dict[int, list[Place]] = {}
        for assignment in await self.list_assignments(town, current_on=today):
            contacts.setdefault(assignment.person_id, []).append(assignment.place)
        return TownOverview(
            town=town,
            tiers=tiers,
            leading_group=leading_group,
            units=list(await self.list_units(town)),
            places=list(await self.list_places(town)),
            contacts_by_person=contacts,
            out_of_range={
                p.id
                for p in people
                if not rules.contact_point_count_ok(
                    p.tier, p.active, len({pl.id for pl in contacts.get(p.id, [])}),
                    town.contact_points_min, town.contact_points_max,
                )
            },
        )

    async def supervisor_chain(self, person: Person) -> list[Person]:
        """The people above `person`, nearest first (a loop in bad data stops the walk)."""
        chain: list[Person] = []
        seen = {person.id}
        current_id = person.supervisor_id
        while current_id is not None and current_id not in seen:
            boss = await self.people.get_one_or_none(Person.id == current_id)
            if boss is None:
                break
            chain.append(boss)
            seen.add(boss.id)
            current_id = boss.supervisor_id
        return chain

    async def person_detail(self, town: Town, person_id: int, today: dt.date) -> PersonDetail:
        person = await self.get_person(town, person_id)
        links = [a for a in await self._assignments_where(ContactAssignment.person_id == person.id)]
        reports = await self.people.list(
            Person.supervisor_id == person.id, Person.town_id == town.id, order_by=[(Person.code, False)]
        )
        return PersonDetail(
            person=person,
            chain=await self.supervisor_chain(person),
            current=[a for a in links if rules.is_current(a.valid_from, a.valid_to, today)],
            history=[a for a in links if not rules.is_current(a.valid_from, a.valid_to, today)],
            reports=list(reports),
        )

    async def place_detail(self, town: Town, place_id: int, today: dt.date) -> PlaceDetail:
        place = await self.get_place(town, place_id)
        if place.parent_id is not None:
            place.parent = await self.places.get_one_or_none(Place.id == place.parent_id)
        else:
            place.parent = None
        links = await self._assignments_where(ContactAssignment.place_id == place.id)
        villages = await self.places.list(Place.parent_id == place.id, order_by=[(Place.code, False)])
        return PlaceDetail(
            place=place,
            current=[a for a in links if rules.is_current(a.valid_from, a.valid_to, today)],
            history=[a for a in links if not rules.is_current(a.valid_from, a.valid_to, today)],
            villages=list(villages),
        )

    async def _assignments_where(self, condition: object) -> list[ContactAssignment]:
        query = (
            select(ContactAssignment)
            .where(condition)  # type: ignore[arg-type]
            .options(selectinload(ContactAssignment.person), selectinload(ContactAssignment.place))
            .order_by(ContactAssignment.valid_from.desc(), ContactAssignment.id.desc())
        )
        return list((await self.session.scalars(query)).all())

    # -- changing --------------------------------------------------------------------------

    async def set_contact_points(
        self, town: Town, person_id: int, place_ids: Sequence[int], today: dt.date, *, starting: dt.date | None = None
    ) -> list[ContactAssignment]:
        """Replace a person's current places with `place_ids`, keeping the old links as history.

        Takes the town's roster lock first (importing/staging.py: a roster import's confirmation sees
        the change). Validates everything (unknown places, the contact-point rule); on any problem raises
        InvalidInput and changes nothing. Links end and start on `starting` (default `today`; a link
        never ends before it began). The caller's unit of work commits.
        """
        self.require_manage(town)
        await lock_roster(self.session, town.id)
        starting = starting or today
        person = await self.get_person(town, person_id)
        places = {p.id: p for p in await self.places.list(Place.id.in_(set(place_ids)), Place.town_id == town.id)}
        unknown = [pid for pid in place_ids if pid not in places]
        if unknown:
            message = _(
                "%(person)s: no place %(ids)s in %(town)s",
                person=person.name,
                ids=", ".join(map(str, unknown)),
                town=town.name,
            )
            raise InvalidInput(message, fields={"place_ids": message})
        codes = [places[pid].code for pid in place_ids]
        problems = rules.check_contact_points(
            rules.ContactPointCheck(person.name, person.tier, person.active, codes),
            town.contact_points_min,
            town.contact_points_max,
        ) + rules.check_place_kinds(person.name, person.tier, [(places[pid].code, places[pid].kind) for pid in place_ids])
        if problems:
            raise InvalidInput("; ".join(problems), fields={"place_ids": "; ".join(problems)})

        current = [
            a
            for a in await self._assignments_where(ContactAssignment.person_id == person.id)
            if rules.is_current(a.valid_from, a.valid_to, today)
        ]
        change = rules.plan_contact_change([a.place_id for a in current], list(place_ids))
        for assignment in current:
            if assignment.place_id in change.to_end:
                assignment.valid_to = max(starting, assignment.valid_from)
        link = rules.link_for_tier(person.tier)
        for place_id in change.to_add:
            self.session.add(
                ContactAssignment(
                    town_id=town.id, person_id=person.id, place_id=place_id, link=link, valid_from=starting
                )
            )
        await self.session.flush()
        await roster_changed(self.session, town, today)  # tasks follow, in this transaction
        detail = await self.person_detail(town, person.id, today)
        return detail.current


def _window(limit: int | None, offset: int) -> list[StatementFilter]:
    """The repository filter for `limit` rows from `offset`, or none for every row."""
    return [] if limit is None else [LimitOffset(limit, offset)]
