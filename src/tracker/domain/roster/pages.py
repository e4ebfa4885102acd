"""Roster pages: the towns, a town, a person, a place. Thin: one service call, one template."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from tracker.db.models.roster import Person, Place, PlaceKind, Unit
from tracker.domain.access import Actor
from tracker.domain.accounts.landing import OWN_WORK, landing_path, needs_towns
from tracker.domain.clock import local_date
from tracker.domain.roster.service import RosterService, TownOverview
from tracker.i18n import SUPPORTED_LOCALES
from tracker.web.guards import PUBLIC
from tracker.web.locale import LANGUAGE_COOKIE
from tracker.web.redirects import safe_local_path


@dataclass
class AdminVillage:
    place: Place
    villages: list[Place] = field(default_factory=list)


@dataclass
class TownPlaces:
    """A town's places the way the page shows them: villages under their administrative village."""

    admin_villages: list[AdminVillage] = field(default_factory=list)
    loose_villages: list[Place] = field(default_factory=list)  # natural villages with no parent on file
    enterprises: list[Place] = field(default_factory=list)
    communities: list[Place] = field(default_factory=list)

    @property
    def natural_village_count(self) -> int:
        return sum(len(a.villages) for a in self.admin_villages) + len(self.loose_villages)

    @property
    def village_count(self) -> int:
        return len(self.admin_villages) + self.natural_village_count


def group_places(places: list[Place]) -> TownPlaces:
    grouped = TownPlaces()
    by_id = {}
    for place in places:
        if place.kind is PlaceKind.ADMINISTRATIVE_VILLAGE:
            by_id[place.id] = AdminVillage(place)
            grouped.admin_villages.append(by_id[place.id])
    for place in places:
        if place.kind is PlaceKind.NATURAL_VILLAGE:
            parent = by_id.get(place.parent_id) if place.parent_id is not None else None
            (parent.villages if parent else grouped.loose_villages).append(place)
        elif place.kind is PlaceKind.ENTERPRISE:
            grouped.enterprises.append(place)
        elif place.kind is PlaceKind.COMMUNITY:
            grouped.communities.append(place)
    return grouped


def holders_by_place(overview: TownOverview) -> dict[int, list[Person]]:
    """Who holds each place today, from the overview's person -> places map."""
    people = {p.id: p for members in overview.tiers.values() for p in members}
    holders: dict[int, list[Person]] = {}
    for person_id, places in overview.contacts_by_person.items():
        if person_id in people:
            for place in places:
                holders.setdefault(place.id, []).append(people[person_id])
    return holders


def people_by_unit(overview: TownOverview) -> dict[int, list[Person]]:
    members: dict[int, list[Person]] = {}
    for people in overview.tiers.values():
        for person in people:
            if person.unit_id is not None:
                members.setdefault(person.unit_id, []).append(person)
    return members


def units_in_order(units: list[Unit]) -> list[Unit]:
    kinds = {"department": 0, "station": 1, "community": 2}
    return sorted(units, key=lambda u: (kinds.get(u.kind.value, 9), u.code))


class RosterPages(Controller):
    include_in_schema = False

    @get("/", name="home")
    async def home(
        self, roster: NamedDependency[RosterService], actor: NamedDependency[Actor | None]
    ) -> Template | Redirect:
        """Each role's own page (accounts/landing.py); the list of towns when there is none."""
        if actor is not None and not needs_towns(actor.role):
            return Redirect(OWN_WORK)
        towns = await roster.list_towns()
        landing = landing_path(actor.role, [t.code for t in towns]) if actor is not None else None
        if landing is not None:
            return Redirect(landing)
        return Template("roster/towns.html", context={"towns": towns})

    @get("/towns/{code:str}", name="town")
    async def town(
        self, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime], code: FromPath[str]
    ) -> Template:
        town = await roster.get_town(code)
        overview = await roster.town_overview(town, local_date(now, town.timezone))
        context = {
            "o": overview,
            "town": town,
            "places": group_places(overview.places),
            "holders": holders_by_place(overview),
            "units": units_in_order(overview.units),
            "unit_people": people_by_unit(overview),
        }
        return Template("roster/town.html", context=context)

    @get("/towns/{code:str}/people/{person_id:int}", name="person")
    async def person(
        self,
        roster: NamedDependency[RosterService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        person_id: FromPath[int],
    ) -> Template:
        town = await roster.get_town(code)
        detail = await roster.person_detail(town, person_id, local_date(now, town.timezone))
        return Template("roster/person.html", context={"d": detail, "town": town})

    @get("/towns/{code:str}/places/{place_id:int}", name="place")
    async def place(
        self,
        roster: NamedDependency[RosterService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        place_id: FromPath[int],
    ) -> Template:
        town = await roster.get_town(code)
        detail = await roster.place_detail(town, place_id, local_date(now, town.timezone))
        return Template("roster/place.html", context={"d": detail, "town": town})


@post("/language", name="language", include_in_schema=False, opt=PUBLIC, status_code=HTTP_303_SEE_OTHER)
async def choose_language(request: Request, data: URLEncodedBody[dict[str, str]]) -> Redirect:
    """Remember the chosen language in a cookie and go back where the user was (on this site only)."""
    locale = data.get("locale", "")
    response = Redirect(safe_local_path(data.get("next", "/")), status_code=HTTP_303_SEE_OTHER)
    if locale in SUPPORTED_LOCALES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            locale,
            max_age=365 * 24 * 3600,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https" or request.app.state.settings.https,
        )
    return response
