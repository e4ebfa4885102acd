"""Editing the roster by hand (the pages): people, their contact points, deactivation, units, places.

For the town's secretary (admins: any town). Every write takes the town's roster lock first
(importing/staging.py), validates everything, and on any problem raises InvalidInput with a message
per field, having changed nothing; then writes, and tells the areas that plan work from the roster
(`roster_changed`, through RosterService.set_contact_points, the API's own path) in the same
transaction. The caller's unit of work commits. Every flush is audited by the model listener.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.reminders import ChannelKind, NotifyChannel
from tracker.db.models.roster import ContactAssignment, LeadingGroupRole, Person, Place, Tier, Town, Unit
from tracker.db.models.tasks import Assignment, Task, TaskStatus
from tracker.domain.access import Actor
from tracker.domain.errors import InvalidInput
from tracker.domain.roster import edit_checks as checks
from tracker.domain.roster import rules
from tracker.domain.roster.importing.columns import PERSON_NAME_MAX, POST_MAX
from tracker.domain.roster.importing.staging import lock_roster
from tracker.domain.roster.service import RosterService
from tracker.domain.scope import Scope
from tracker.i18n import _


@dataclass
class PersonInput:
    code: str = ""
    name: str = ""
    tier: Tier | None = None
    post: str = ""
    unit_id: int | None = None
    supervisor_id: int | None = None
    phone: str = ""
    email: str = ""
    leading_group_role: LeadingGroupRole | None = None
    place_ids: list[int] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # what the form could not even read


@dataclass
class ActiveChange:
    """What deactivating (or reactivating) a person does, for the confirm page."""

    person: Person
    future_open_tasks: int
    current: list[ContactAssignment]
    reports: list[Person]
    closed: int = 0  # after the change: tasks closed by the roster sync


@dataclass
class Choices:
    units: list[Unit]
    supervisors: list[Person]
    places: list[Place]  # every place of the town, in code order


def refuse(errors: dict[str, str]) -> InvalidInput:
    return InvalidInput("; ".join(dict.fromkeys(errors.values())), fields=errors)


class RosterEditor:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.roster = RosterService(session, actor, scope)

    async def _locked(self, town: Town) -> None:
        self.roster.require_manage(town)
        await lock_roster(self.session, town.id)

    async def choices(self, town: Town) -> Choices:
        self.roster.require_manage(town)
        people = [p for p in await self.roster.list_people(town) if p.active]
        return Choices(
            list(await self.roster.list_units(town)), people, list(await self.roster.list_places(town))
        )

    async def current_place_ids(self, town: Town, person_id: int, today: dt.date) -> list[int]:
        return [a.place_id for a in (await self.roster.person_detail(town, person_id, today)).current]

    # -- the contact-point rule, live --------------------------------------------------------

    async def check_places(
        self, town: Town, person_id: int | None, name: str, tier: Tier | None, place_ids: Sequence[int]
    ) -> list[str]:
        """The rule's messages for a person holding `place_ids` (nothing written): for the live check."""
        self.roster.require_manage(town)
        active = True
        if person_id is not None:
            person = await self.roster.get_person(town, person_id)
            active, name, tier = person.active, name or person.name, tier or person.tier
        places = await self._places(town, place_ids)
        unknown = [pid for pid in place_ids if pid not in places]
        if unknown:
            return [_("No place %(id)s in %(town)s", id=", ".join(map(str, unknown)), town=town.name)]
        tier = tier or Tier.VILLAGE_CADRE
        name = name or _("This person")
        codes = [places[pid].code for pid in place_ids]  # codes: two places may share a name
        return rules.check_contact_points(
            rules.ContactPointCheck(name, tier, active, codes),
            town.contact_points_min,
            town.contact_points_max,
        ) + rules.check_place_kinds(name, tier, [(places[pid].name, places[pid].kind) for pid in place_ids])

    async def _places(self, town: Town, place_ids: Sequence[int]) -> dict[int, Place]:
        if not place_ids:
            return {}
        rows = await self.session.scalars(
            select(Place).where(Place.id.in_(set(place_ids)), Place.town_id == town.id)
        )
        return {p.id: p for p in rows.all()}

    async def set_contact_points(
        self, town: Town, person_id: int, place_ids: Sequence[int], today: dt.date
    ) -> None:
        """The API's PUT path (RosterService.set_contact_points), with the rule's messages by place names."""
        await self._locked(town)
        person = await self.roster.get_person(town, person_id)
        problems = await self.check_places(town, person_id, person.name, person.tier, place_ids)
        if problems:
            raise refuse({"place_ids": "; ".join(problems)})
        await self.roster.set_contact_points(town, person_id, place_ids, today)

    # -- people ------------------------------------------------------------------------------

    async def save_person(
        self, town: Town, person_id: int | None, data: PersonInput, today: dt.date
    ) -> Person:
        """Create (person_id None) or change a person and their places, all checked first."""
        await self._locked(town)
        person = await self.roster.get_person(town, person_id) if person_id is not None else None
        errors = dict(data.errors)
        for name, value, limit, required in (
            ("name", data.name, PERSON_NAME_MAX, True), ("post", data.post, POST_MAX, False),
        ):  # fmt: skip
            if name not in errors and (problem := checks.line_problem(value, limit, required=required)):
                errors[name] = problem
        for name, problem in (
            ("code", checks.code_problem(data.code)),
            ("phone", checks.phone_problem(data.phone)),
            ("email", checks.email_problem(data.email)),
        ):
            if problem and name not in errors:
                errors[name] = problem
        if data.tier is None and "tier" not in errors:
            errors["tier"] = _("Choose a tier")
        people = list((await self.session.scalars(select(Person).where(Person.town_id == town.id))).all())
        others = [p for p in people if person is None or p.id != person.id]
        self._check_duplicates(data, others, errors)
        await self._check_unit(town, data, errors)
        self._check_supervisor(person, data, people, errors)
        if data.tier is not None and "place_ids" not in errors:
            problems = await self.check_places(town, None, data.name, data.tier, data.place_ids)
            if person is not None and not person.active:
                problems = []  # an inactive person holds no places; reactivating them picks again
            if problems:
                errors["place_ids"] = "; ".join(problems)
        if errors:
            raise refuse(errors)

        values = {
            "code": data.code, "name": data.name, "tier": data.tier, "post": data.post, "unit_id": data.unit_id,
            "supervisor_id": data.supervisor_id, "phone": data.phone or None, "email": data.email or None,
            "leading_group_role": data.leading_group_role,
        }  # fmt: skip
        if person is None:
            person = Person(town_id=town.id, active=True, **values)
            self.session.add(person)
        else:
            old_link = rules.link_for_tier(person.tier)
            for name, value in values.items():
                if getattr(person, name) != value:
                    setattr(person, name, value)
            if rules.link_for_tier(person.tier) is not old_link:  # a new tier: the old kind of link ends
                for link in (await self.roster.person_detail(town, person.id, today)).current:
                    link.valid_to = max(today, link.valid_from)
        await self.session.flush()
        if person.email:
            await self._email_reminders_on(town, person)
        if person.active:
            await self.roster.set_contact_points(town, person.id, data.place_ids, today)  # tasks follow
        else:
            await self.roster.set_contact_points(town, person.id, [], today)
        return person

    @staticmethod
    def _check_duplicates(data: PersonInput, others: list[Person], errors: dict[str, str]) -> None:
        if "code" not in errors and (same := next((p for p in others if p.code == data.code), None)):
            errors["code"] = _("Code %(code)s is already %(name)s's", code=data.code, name=same.name)
        if "phone" not in errors and data.phone:
            same = next((p for p in others if p.active and checks.same_phone(p.phone, data.phone)), None)
            if same is not None:
                errors["phone"] = _("%(phone)s is already the phone of %(name)s (%(code)s)",
                                    phone=data.phone, name=same.name, code=same.code)  # fmt: skip

    async def _check_unit(self, town: Town, data: PersonInput, errors: dict[str, str]) -> None:
        if data.unit_id is None or "unit_id" in errors:
            return
        unit = await self.session.scalar(
            select(Unit.id).where(Unit.id == data.unit_id, Unit.town_id == town.id)
        )
        if unit is None:
            errors["unit_id"] = _("Choose one of the town's units")

    @staticmethod
    def _check_supervisor(
        person: Person | None, data: PersonInput, people: list[Person], errors: dict[str, str]
    ) -> None:
        if data.supervisor_id is None or "supervisor_id" in errors:
            return
        by_id = {p.id: p for p in people}
        boss = by_id.get(data.supervisor_id)
        unchanged = person is not None and person.supervisor_id == data.supervisor_id
        if boss is None or (not boss.active and not unchanged):
            errors["supervisor_id"] = _("Choose an active person of the town")
            return
        if person is not None and boss.id == person.id:
            errors["supervisor_id"] = _("a person cannot be their own supervisor")
            return
        loop = checks.supervisor_loop(
            person.id if person else None, boss.id, {p.id: p.supervisor_id for p in people}
        )
        if loop:
            chain = " → ".join(by_id[i].name for i in [person.id, *loop])  # type: ignore[union-attr]
            errors["supervisor_id"] = _(
                "%(boss)s can't be the supervisor of %(name)s: the chain of supervisors would come back to "
                "them (%(chain)s)", boss=boss.name, name=person.name, chain=chain,  # type: ignore[union-attr]
            )  # fmt: skip

    async def _email_reminders_on(self, town: Town, person: Person) -> None:
        """As the importer does: an address given means reminders by e-mail too, unless the person
        already has an e-mail channel (perhaps switched off: their choice stands)."""
        have = await self.session.scalar(
            select(func.count()).select_from(NotifyChannel).where(
                NotifyChannel.person_id == person.id, NotifyChannel.kind == ChannelKind.EMAIL)
        )  # fmt: skip
        if not have:
            self.session.add(NotifyChannel(town_id=town.id, person_id=person.id, kind=ChannelKind.EMAIL))

    # -- leaving and coming back -----------------------------------------------------------

    async def active_change(
        self, town: Town, person_id: int, today: dt.date, now: dt.datetime
    ) -> ActiveChange:
        self.roster.require_manage(town)
        detail = await self.roster.person_detail(town, person_id, today)
        return ActiveChange(detail.person, await self._future_open_tasks(detail.person.id, now), detail.current,
                            [r for r in detail.reports if r.active])  # fmt: skip

    async def _future_open_tasks(self, person_id: int, now: dt.datetime) -> int:
        """Open tasks of active assignments due after now: what the roster sync closes when they leave."""
        query = (
            select(func.count()).select_from(Task).join(Assignment, Assignment.id == Task.assignment_id)
            .where(Task.person_id == person_id, Task.status == TaskStatus.OPEN, Task.due_at > now,
                   Assignment.active.is_(True))
        )  # fmt: skip
        return int(await self.session.scalar(query) or 0)

    async def deactivate(
        self, town: Town, person_id: int, day: dt.date | None, today: dt.date, now: dt.datetime
    ) -> ActiveChange:
        await self._locked(town)
        change = await self.active_change(town, person_id, today, now)
        if not change.person.active:
            raise refuse({"day": _("%(name)s is already inactive", name=change.person.name)})
        if problem := checks.day_problem(day, today):
            raise refuse({"day": problem})
        change.person.active = False
        await self.session.flush()
        await self.roster.set_contact_points(
            town, person_id, [], today, starting=day
        )  # ends them; tasks follow
        change.closed = change.future_open_tasks - await self._future_open_tasks(person_id, now)
        return change

    async def reactivate(
        self,
        town: Town,
        person_id: int,
        day: dt.date | None,
        place_ids: Sequence[int],
        today: dt.date,
        now: dt.datetime,
    ) -> Person:
        await self._locked(town)
        person = await self.roster.get_person(town, person_id)
        errors: dict[str, str] = {}
        if person.active:
            errors["day"] = _("%(name)s is already active", name=person.name)
        elif problem := checks.day_problem(day, today):
            errors["day"] = problem
        # the rule binds them again once active: checked as it will stand (person_id None: active)
        if problems := await self.check_places(town, None, person.name, person.tier, place_ids):
            errors["place_ids"] = "; ".join(problems)
        if errors:
            raise refuse(errors)
        person.active = True
        await self.session.flush()
        await self.roster.set_contact_points(town, person_id, place_ids, today, starting=day)
        return person
