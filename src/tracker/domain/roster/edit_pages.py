"""Keeping the roster in the pages (the town's secretary; admins, any town): add and edit people with
their places, the contact-point rule checked live as places are ticked (htmx), an official's contact
points on their own page, deactivating and reactivating with a confirm page that says what follows,
units and places (coordinates typed, or "use my location" standing there).

Forms POST and redirect (303) to the page of what was saved; a form with problems comes back with
each message beside its field (400, the transaction rolled back: nothing changed). The live check
(POST .../roster/contact-check) writes nothing and answers the rule's message as a fragment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from tracker.db.models.accounts import Role
from tracker.db.models.roster import LeadingGroupRole, PlaceKind, Tier, Town, UnitKind
from tracker.domain.clock import local_date
from tracker.domain.errors import InvalidInput
from tracker.domain.roster import edit_forms as forms
from tracker.domain.roster.editing import RosterEditor
from tracker.domain.roster.pages import group_places
from tracker.domain.roster.place_editing import PlaceEditor
from tracker.domain.roster.service import RosterService
from tracker.web.guards import require_role

MANAGERS = require_role(Role.SECRETARY)


def editor(roster: RosterService) -> RosterEditor:
    return RosterEditor(roster.session, roster.actor, roster.scope)


def place_editor(roster: RosterService) -> PlaceEditor:
    return PlaceEditor(roster.session, roster.actor, roster.scope)


async def _town(roster: RosterService, code: str) -> Town:
    town = await roster.get_town(code)
    roster.require_manage(town)
    return town


async def person_page(
    roster: RosterService, town: Town, person_id: int | None, sent: dict[str, str], ticked: list[int],
    errors: dict[str, str] | None = None, *, status: int = 200,
) -> Template:  # fmt: skip
    choices = await editor(roster).choices(town)
    person = await roster.get_person(town, person_id) if person_id is not None else None
    context = {
        "town": town, "person": person, "sent": sent, "errors": errors or {}, "choices": choices,
        "supervisors": [p for p in choices.supervisors if person is None or p.id != person.id],
        "picker": picker_context(town, choices.places, ticked, person, [errors["place_ids"]] if errors and errors.get("place_ids") else []),
        "tiers": list(Tier), "roles": list(LeadingGroupRole),
    }  # fmt: skip
    return Template("roster/person_edit.html", context=context, status_code=status)


def picker_context(
    town: Town, places: list[Any], ticked: list[int], person: Any, messages: list[str] | None = None
) -> dict[str, Any]:
    return {"places": group_places(places), "ticked": set(ticked), "messages": messages or [], "person": person,
            "check_url": f"/towns/{town.code}/roster/contact-check"}  # fmt: skip


class RosterEditPages(Controller):
    path = "/towns/{code:str}"
    include_in_schema = False
    guards = [MANAGERS]

    # -- people ------------------------------------------------------------------------------

    @get("/people/new", name="roster_person_new")
    async def new_person(self, roster: NamedDependency[RosterService], code: FromPath[str]) -> Template:
        town = await _town(roster, code)
        return await person_page(roster, town, None, {}, [])

    @post("/people/new", name="roster_person_create", status_code=303)
    async def create_person(
        self, request: Request, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime],
        code: FromPath[str],
    ) -> Template | Redirect:  # fmt: skip
        town = await _town(roster, code)
        sent, data = forms.read_person(await request.form())
        try:
            person = await editor(roster).save_person(town, None, data, local_date(now, town.timezone))
        except InvalidInput as problem:
            return await person_page(roster, town, None, sent, data.place_ids, problem.fields, status=400)
        return Redirect(f"/towns/{town.code}/people/{person.id}", status_code=303)

    @get("/people/{person_id:int}/edit", name="roster_person_edit")
    async def edit_person(
        self, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime], code: FromPath[str],
        person_id: FromPath[int],
    ) -> Template:  # fmt: skip
        town = await _town(roster, code)
        person = await roster.get_person(town, person_id)
        ticked = await editor(roster).current_place_ids(town, person_id, local_date(now, town.timezone))
        return await person_page(roster, town, person.id, forms.sent_of(person, forms.PERSON_FIELDS), ticked)

    @post("/people/{person_id:int}/edit", name="roster_person_update", status_code=303)
    async def update_person(
        self, request: Request, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime],
        code: FromPath[str], person_id: FromPath[int],
    ) -> Template | Redirect:  # fmt: skip
        town = await _town(roster, code)
        sent, data = forms.read_person(await request.form())
        try:
            await editor(roster).save_person(town, person_id, data, local_date(now, town.timezone))
        except InvalidInput as problem:
            return await person_page(
                roster, town, person_id, sent, data.place_ids, problem.fields, status=400
            )
        return Redirect(f"/towns/{town.code}/people/{person_id}", status_code=303)

    # -- contact points ----------------------------------------------------------------------

    @get("/people/{person_id:int}/contact-points", name="roster_contact_points")
    async def contact_points(
        self, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime], code: FromPath[str],
        person_id: FromPath[int],
    ) -> Template:  # fmt: skip
        town = await _town(roster, code)
        ticked = await editor(roster).current_place_ids(town, person_id, local_date(now, town.timezone))
        return await self._points_page(roster, town, person_id, ticked, {})

    @post("/people/{person_id:int}/contact-points", name="roster_contact_points_save", status_code=303)
    async def save_contact_points(
        self, request: Request, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime],
        code: FromPath[str], person_id: FromPath[int],
    ) -> Template | Redirect:  # fmt: skip
        town = await _town(roster, code)
        errors: dict[str, str] = {}
        ticked = forms.place_ids(await request.form(), errors)
        try:
            if errors:
                raise InvalidInput(errors["place_ids"], fields=errors)
            await editor(roster).set_contact_points(town, person_id, ticked, local_date(now, town.timezone))
        except InvalidInput as problem:
            return await self._points_page(roster, town, person_id, ticked, problem.fields, status=400)
        return Redirect(f"/towns/{town.code}/people/{person_id}", status_code=303)

    @staticmethod
    async def _points_page(
        roster: RosterService, town: Town, person_id: int, ticked: list[int], errors: dict[str, str], *, status: int = 200
    ) -> Template:  # fmt: skip
        person = await roster.get_person(town, person_id)
        places = list(await roster.list_places(town))
        messages = [errors["place_ids"]] if errors.get("place_ids") else []
        context = {
            "town": town,
            "person": person,
            "picker": picker_context(town, places, ticked, person, messages),
        }
        return Template("roster/contact_points_edit.html", context=context, status_code=status)

    @post("/roster/contact-check", name="roster_contact_check", status_code=200)
    async def contact_check(
        self, request: Request, roster: NamedDependency[RosterService], code: FromPath[str]
    ) -> Template:
        """The rule's message for the places ticked so far; nothing saved (the htmx live check)."""
        town = await _town(roster, code)
        form = await request.form()
        errors: dict[str, str] = {}
        ticked = forms.place_ids(form, errors)
        sent = forms.texts(form, ("person_id", "name", "tier"))
        person_id = forms.read_id(sent["person_id"], "person_id", errors)
        tier = forms.read_choice(sent["tier"], Tier, "tier", errors, "")
        messages = [m for m in errors.values() if m] or await editor(roster).check_places(
            town, person_id, sent["name"], tier, ticked
        )
        context = {"messages": messages, "count": len(set(ticked)), "town": town}
        return Template("roster/_contact_points_check.html", context=context)

    # -- leaving and coming back -----------------------------------------------------------

    @get("/people/{person_id:int}/active", name="roster_person_active")
    async def active(
        self, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime], code: FromPath[str],
        person_id: FromPath[int],
    ) -> Template:  # fmt: skip
        town = await _town(roster, code)
        return await self._active_page(roster, town, person_id, now, {}, None, None)

    async def _active_page(
        self, roster: RosterService, town: Town, person_id: int, now: dt.datetime, errors: dict[str, str],
        day: str | None, ticked: list[int] | None, *, status: int = 200,
    ) -> Template:  # fmt: skip
        today = local_date(now, town.timezone)
        change = await editor(roster).active_change(town, person_id, today, now)
        places = list(await roster.list_places(town))
        if ticked is None:  # reactivating: the places they held last, to start from
            detail = await roster.person_detail(town, person_id, today)
            last = max((a.valid_to for a in detail.history if a.valid_to), default=None)
            ticked = [a.place_id for a in detail.history if a.valid_to == last] if last else []
        messages = [errors["place_ids"]] if errors.get("place_ids") else []
        context = {
            "town": town, "c": change, "errors": errors, "day": day or today.isoformat(), "today": today.isoformat(),
            "picker": picker_context(town, places, ticked, change.person, messages),
        }  # fmt: skip
        return Template("roster/person_active_edit.html", context=context, status_code=status)

    @post("/people/{person_id:int}/deactivate", name="roster_person_deactivate", status_code=303)
    async def deactivate(
        self, request: Request, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime],
        code: FromPath[str], person_id: FromPath[int],
    ) -> Template | Redirect:  # fmt: skip
        town = await _town(roster, code)
        form = await request.form()
        try:
            await editor(roster).deactivate(
                town, person_id, forms.read_day(form), local_date(now, town.timezone), now
            )
        except InvalidInput as problem:
            day = str(form.get("day") or "")[:20]
            return await self._active_page(roster, town, person_id, now, problem.fields, day, [], status=400)
        return Redirect(f"/towns/{town.code}/people/{person_id}", status_code=303)

    @post("/people/{person_id:int}/reactivate", name="roster_person_reactivate", status_code=303)
    async def reactivate(
        self, request: Request, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime],
        code: FromPath[str], person_id: FromPath[int],
    ) -> Template | Redirect:  # fmt: skip
        town = await _town(roster, code)
        form = await request.form()
        errors: dict[str, str] = {}
        ticked = forms.place_ids(form, errors)
        try:
            if errors:
                raise InvalidInput(errors["place_ids"], fields=errors)
            today = local_date(now, town.timezone)
            await editor(roster).reactivate(town, person_id, forms.read_day(form), ticked, today, now)
        except InvalidInput as problem:
            day = str(form.get("day") or "")[:20]
            return await self._active_page(
                roster, town, person_id, now, problem.fields, day, ticked, status=400
            )
        return Redirect(f"/towns/{town.code}/people/{person_id}", status_code=303)

    # -- units and places --------------------------------------------------------------------

    @get("/units/new", name="roster_unit_new")
    async def new_unit(self, roster: NamedDependency[RosterService], code: FromPath[str]) -> Template:
        return await unit_page(roster, await _town(roster, code), None, {}, {})

    @post("/units/new", name="roster_unit_create", status_code=303)
    async def create_unit(
        self, request: Request, roster: NamedDependency[RosterService], code: FromPath[str]
    ) -> Template | Redirect:
        return await self._save_unit(request, roster, code, None)

    @get("/units/{unit_id:int}/edit", name="roster_unit_edit")
    async def edit_unit(
        self, roster: NamedDependency[RosterService], code: FromPath[str], unit_id: FromPath[int]
    ) -> Template:
        town = await _town(roster, code)
        unit = await place_editor(roster).get_unit(town, unit_id)
        return await unit_page(roster, town, unit, forms.sent_of(unit, forms.UNIT_FIELDS), {})

    @post("/units/{unit_id:int}/edit", name="roster_unit_update", status_code=303)
    async def update_unit(
        self,
        request: Request,
        roster: NamedDependency[RosterService],
        code: FromPath[str],
        unit_id: FromPath[int],
    ) -> Template | Redirect:
        return await self._save_unit(request, roster, code, unit_id)

    @staticmethod
    async def _save_unit(
        request: Request, roster: RosterService, code: str, unit_id: int | None
    ) -> Template | Redirect:
        town = await _town(roster, code)
        sent, data = forms.read_unit(await request.form())
        places = place_editor(roster)
        try:
            await places.save_unit(town, unit_id, data)
        except InvalidInput as problem:
            unit = await places.get_unit(town, unit_id) if unit_id is not None else None
            return await unit_page(roster, town, unit, sent, problem.fields, status=400)
        return Redirect(f"/towns/{town.code}#units", status_code=303)

    @get("/places/new", name="roster_place_new")
    async def new_place(self, roster: NamedDependency[RosterService], code: FromPath[str]) -> Template:
        town = await _town(roster, code)
        return await place_page(roster, town, None, {}, {})

    @post("/places/new", name="roster_place_create", status_code=303)
    async def create_place(
        self, request: Request, roster: NamedDependency[RosterService], code: FromPath[str]
    ) -> Template | Redirect:
        return await self._save_place(request, roster, code, None)

    @get("/places/{place_id:int}/edit", name="roster_place_edit")
    async def edit_place(
        self, roster: NamedDependency[RosterService], code: FromPath[str], place_id: FromPath[int]
    ) -> Template:
        town = await _town(roster, code)
        place = await roster.get_place(town, place_id)
        return await place_page(roster, town, place, forms.sent_of(place, forms.PLACE_FIELDS), {})

    @post("/places/{place_id:int}/edit", name="roster_place_update", status_code=303)
    async def update_place(
        self,
        request: Request,
        roster: NamedDependency[RosterService],
        code: FromPath[str],
        place_id: FromPath[int],
    ) -> Template | Redirect:
        return await self._save_place(request, roster, code, place_id)

    @staticmethod
    async def _save_place(
        request: Request, roster: RosterService, code: str, place_id: int | None
    ) -> Template | Redirect:
        town = await _town(roster, code)
        sent, data = forms.read_place(await request.form())
        try:
            place = await place_editor(roster).save_place(town, place_id, data)
        except InvalidInput as problem:
            shown = await roster.get_place(town, place_id) if place_id is not None else None
            return await place_page(roster, town, shown, sent, problem.fields, status=400)
        return Redirect(f"/towns/{town.code}/places/{place.id}", status_code=303)


async def unit_page(
    roster: RosterService, town: Town, unit: Any, sent: dict[str, str], errors: dict[str, str], *, status: int = 200
) -> Template:  # fmt: skip
    context = {"town": town, "unit": unit, "sent": sent, "errors": errors, "kinds": list(UnitKind),
               "units": list(await roster.list_units(town))}  # fmt: skip
    return Template("roster/unit_edit.html", context=context, status_code=status)


async def place_page(
    roster: RosterService, town: Town, place: Any, sent: dict[str, str], errors: dict[str, str], *, status: int = 200
) -> Template:  # fmt: skip
    parents = [p for p in await roster.list_places(town) if p.kind is PlaceKind.ADMINISTRATIVE_VILLAGE]
    context = {"town": town, "place": place, "sent": sent, "errors": errors, "kinds": list(PlaceKind),
               "parents": [p for p in parents if place is None or p.id != place.id]}  # fmt: skip
    return Template("roster/place_edit.html", context=context, status_code=status)
