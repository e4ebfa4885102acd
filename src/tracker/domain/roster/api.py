"""The roster JSON API under /api/v1: towns, units, places, people, contact assignments."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from tracker.db.models.accounts import Role
from tracker.domain.clock import local_date
from tracker.domain.roster.schemas import (
    ContactAssignmentOut,
    ContactPointsIn,
    PersonOut,
    PlaceOut,
    TownOut,
    UnitOut,
)
from tracker.domain.roster.service import RosterService
from tracker.web.api_params import DEFAULT_LIMIT, NEXT_PAGE_HEADER, PAGED_READ_ERRORS, Limit, Offset, paged
from tracker.web.guards import require_role


class RosterApi(Controller):
    path = "/api/v1/towns"
    tags = ["roster"]

    @get("/", summary="List towns, a page at a time", raises=PAGED_READ_ERRORS,
         response_headers=NEXT_PAGE_HEADER)  # fmt: skip
    async def list_towns(
        self, request: Request, roster: NamedDependency[RosterService], limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Response[list[TownOut]]:  # fmt: skip
        rows = await roster.list_towns(limit=limit + 1, offset=offset)
        return paged(request, [TownOut.model_validate(t) for t in rows], limit, offset)

    @get("/{code:str}", summary="One town")
    async def get_town(self, roster: NamedDependency[RosterService], code: FromPath[str]) -> TownOut:
        return TownOut.model_validate(await roster.get_town(code))

    @get("/{code:str}/units", summary="Units of a town, a page at a time", raises=PAGED_READ_ERRORS,
         response_headers=NEXT_PAGE_HEADER)  # fmt: skip
    async def list_units(
        self, request: Request, roster: NamedDependency[RosterService], code: FromPath[str],
        limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
    ) -> Response[list[UnitOut]]:  # fmt: skip
        town = await roster.get_town(code)
        rows = await roster.list_units(town, limit=limit + 1, offset=offset)
        return paged(request, [UnitOut.model_validate(u) for u in rows], limit, offset)

    @get("/{code:str}/places", summary="Places of a town, a page at a time", raises=PAGED_READ_ERRORS,
         response_headers=NEXT_PAGE_HEADER)  # fmt: skip
    async def list_places(
        self, request: Request, roster: NamedDependency[RosterService], code: FromPath[str],
        limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
    ) -> Response[list[PlaceOut]]:  # fmt: skip
        town = await roster.get_town(code)
        rows = await roster.list_places(town, limit=limit + 1, offset=offset)
        return paged(request, [PlaceOut.model_validate(p) for p in rows], limit, offset)

    @get("/{code:str}/people", summary="People of a town, a page at a time", raises=PAGED_READ_ERRORS,
         response_headers=NEXT_PAGE_HEADER)  # fmt: skip
    async def list_people(
        self, request: Request, roster: NamedDependency[RosterService], code: FromPath[str],
        limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
    ) -> Response[list[PersonOut]]:  # fmt: skip
        town = await roster.get_town(code)
        rows = await roster.list_people(town, limit=limit + 1, offset=offset)
        return paged(request, [PersonOut.model_validate(p) for p in rows], limit, offset)

    @get("/{code:str}/people/{person_id:int}", summary="One person")
    async def get_person(self, roster: NamedDependency[RosterService], code: FromPath[str], person_id: FromPath[int]) -> PersonOut:
        town = await roster.get_town(code)
        return PersonOut.model_validate(await roster.get_person(town, person_id))

    @get("/{code:str}/contact-assignments", summary="Contact assignments, current and past, a page at a time",
         raises=PAGED_READ_ERRORS, response_headers=NEXT_PAGE_HEADER)  # fmt: skip
    async def list_assignments(
        self, request: Request, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime],
        code: FromPath[str], current: FromQuery[bool] = False, limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Response[list[ContactAssignmentOut]]:  # fmt: skip
        town = await roster.get_town(code)
        today = local_date(now, town.timezone) if current else None
        rows = await roster.list_assignments(town, current_on=today, limit=limit + 1, offset=offset)
        return paged(request, [ContactAssignmentOut.model_validate(a) for a in rows], limit, offset)

    @get("/{code:str}/people/{person_id:int}/contact-points", summary="A person's current places")
    async def get_contact_points(
        self, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime], code: FromPath[str], person_id: FromPath[int]
    ) -> list[ContactAssignmentOut]:
        town = await roster.get_town(code)
        detail = await roster.person_detail(town, person_id, local_date(now, town.timezone))
        return [ContactAssignmentOut.model_validate(a) for a in detail.current]

    @put(
        "/{code:str}/people/{person_id:int}/contact-points",
        guards=[require_role(Role.SECRETARY)],
        summary="Replace a person's places (the contact-point rule applies; history is kept)",
        status_code=200,
    )
    async def set_contact_points(
        self, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime], code: FromPath[str], person_id: FromPath[int], data: JSONBody[ContactPointsIn]
    ) -> list[ContactAssignmentOut]:
        town = await roster.get_town(code)
        current = await roster.set_contact_points(town, person_id, data.place_ids, local_date(now, town.timezone))
        return [ContactAssignmentOut.model_validate(a) for a in current]
