"""Editing a town's units and places by hand (the pages), with the importer's checks.

Same shape as editing.py: the roster lock, every check, InvalidInput with field messages and nothing
changed, then the write; the caller's unit of work commits; the model listener audits each flush.
A place's coordinates are typed or taken from the phone standing there ("use my location").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import (
    ContactAssignment,
    ContactLink,
    Person,
    Place,
    PlaceKind,
    Town,
    Unit,
    UnitKind,
)
from tracker.domain.access import Actor
from tracker.domain.errors import InvalidInput, NotFound
from tracker.domain.roster import edit_checks as checks
from tracker.domain.roster.importing.columns import NAME_MAX
from tracker.domain.roster.importing.staging import lock_roster
from tracker.domain.roster.service import RosterService
from tracker.domain.scope import Scope
from tracker.i18n import _


@dataclass
class UnitInput:
    code: str = ""
    name: str = ""
    kind: UnitKind | None = None
    errors: dict[str, str] = field(default_factory=dict)  # what the form could not even read


@dataclass
class PlaceInput:
    code: str = ""
    name: str = ""
    kind: PlaceKind | None = None
    parent_id: int | None = None
    latitude: str = ""
    longitude: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _refuse(errors: dict[str, str]) -> InvalidInput:
    return InvalidInput("; ".join(dict.fromkeys(errors.values())), fields=errors)


def _assign(row: object, values: dict[str, object]) -> None:
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


class PlaceEditor:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.roster = RosterService(session, actor, scope)

    async def _locked(self, town: Town) -> None:
        self.roster.require_manage(town)
        await lock_roster(self.session, town.id)

    async def get_unit(self, town: Town, unit_id: int) -> Unit:
        self.roster.require_manage(town)
        unit = await self.session.scalar(select(Unit).where(Unit.id == unit_id, Unit.town_id == town.id))
        if unit is None:
            raise NotFound(_("No unit %(id)s in %(town)s", id=unit_id, town=town.name))
        return unit

    def _name_and_code(self, code: str, name: str, errors: dict[str, str]) -> None:
        if problem := checks.code_problem(code):
            errors.setdefault("code", problem)
        if problem := checks.line_problem(name, NAME_MAX, required=True):
            errors.setdefault("name", problem)

    async def save_unit(self, town: Town, unit_id: int | None, data: UnitInput) -> Unit:
        await self._locked(town)
        unit = await self.get_unit(town, unit_id) if unit_id is not None else None
        errors = dict(data.errors)
        self._name_and_code(data.code, data.name, errors)
        if data.kind is None:
            errors.setdefault("kind", _("Choose a kind"))
        if "code" not in errors:
            same = await self.session.scalar(
                select(Unit).where(Unit.town_id == town.id, Unit.code == data.code, Unit.id != (unit_id or 0))
            )
            if same is not None:
                errors["code"] = _("Code %(code)s is already %(name)s's", code=data.code, name=same.name)
        if errors:
            raise _refuse(errors)
        values = {"code": data.code, "name": data.name, "kind": data.kind}
        if unit is None:
            unit = Unit(town_id=town.id, **values)
            self.session.add(unit)
        else:
            _assign(unit, values)
        await self.session.flush()
        return unit

    async def save_place(self, town: Town, place_id: int | None, data: PlaceInput) -> Place:
        await self._locked(town)
        place = await self.roster.get_place(town, place_id) if place_id is not None else None
        errors = dict(data.errors)
        self._name_and_code(data.code, data.name, errors)
        coordinates, problems = checks.read_coordinates(data.latitude, data.longitude)
        errors.update({k: v for k, v in problems.items() if k not in errors})
        if data.kind is None:
            errors.setdefault("kind", _("Choose a kind"))
        if "code" not in errors:
            same = await self.session.scalar(
                select(Place).where(
                    Place.town_id == town.id, Place.code == data.code, Place.id != (place_id or 0)
                )
            )
            if same is not None:
                errors["code"] = _("Code %(code)s is already %(name)s's", code=data.code, name=same.name)
        await self._check_parent(town, place, data, errors)
        if place is not None and data.kind is not None and data.kind is not place.kind:
            await self._check_kind_change(place, data.kind, errors)
        if errors:
            raise _refuse(errors)
        values = {"code": data.code, "name": data.name, "kind": data.kind, "parent_id": data.parent_id,
                  "latitude": coordinates.latitude, "longitude": coordinates.longitude}  # fmt: skip
        if place is None:
            place = Place(town_id=town.id, **values)
            self.session.add(place)
        else:
            _assign(place, values)
        await self.session.flush()
        return place

    async def _check_parent(
        self, town: Town, place: Place | None, data: PlaceInput, errors: dict[str, str]
    ) -> None:
        if "parent_id" in errors:
            return
        if data.kind is PlaceKind.NATURAL_VILLAGE and data.parent_id is None:
            errors["parent_id"] = _("Choose the administrative village it belongs to")
        elif data.kind is PlaceKind.ADMINISTRATIVE_VILLAGE and data.parent_id is not None:
            errors["parent_id"] = _("An administrative village belongs to no other place")
        elif data.parent_id is not None:
            parent = await self.session.scalar(
                select(Place).where(Place.id == data.parent_id, Place.town_id == town.id)
            )
            if parent is None or parent.kind is not PlaceKind.ADMINISTRATIVE_VILLAGE or parent is place:
                errors["parent_id"] = _("Choose one of the town's administrative villages")

    async def _check_kind_change(self, place: Place, kind: PlaceKind, errors: dict[str, str]) -> None:
        """An administrative village with villages under it stays one; a contact point can't become one."""
        if place.kind is PlaceKind.ADMINISTRATIVE_VILLAGE:
            under = await self.session.scalar(
                select(func.count()).select_from(Place).where(Place.parent_id == place.id)
            )
            if under:
                errors["kind"] = _(
                    "%(place)s still has %(count)d villages under it; it must stay an administrative village",
                    place=place.name, count=under,
                )  # fmt: skip
        elif kind is PlaceKind.ADMINISTRATIVE_VILLAGE:
            holder = await self.session.scalar(
                select(Person.name).join(ContactAssignment, ContactAssignment.person_id == Person.id)
                .where(ContactAssignment.place_id == place.id, ContactAssignment.link == ContactLink.CONTACT_POINT,
                       ContactAssignment.valid_to.is_(None))
            )  # fmt: skip
            if holder is not None:
                errors["kind"] = _(
                    "%(place)s is a contact point of %(person)s; an administrative village can't be one",
                    place=place.name, person=holder,
                )  # fmt: skip
