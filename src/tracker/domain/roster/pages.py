"""Roster pages: the town, a person, a place. Thin: one service call, one template."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from tracker.db.models.roster import Tier
from tracker.domain.clock import local_date
from tracker.domain.roster.services import RosterService
from tracker.i18n import SUPPORTED_LOCALES
from tracker.web.locale import LANGUAGE_COOKIE


class RosterPages(Controller):
    include_in_schema = False

    @get("/", name="home")
    async def home(self, roster: NamedDependency[RosterService]) -> Template | Redirect:
        towns = await roster.list_towns()
        if len(towns) == 1:
            return Redirect(f"/towns/{towns[0].code}")
        return Template("roster/towns.html", context={"towns": towns})

    @get("/towns/{code:str}", name="town")
    async def town(self, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime], code: FromPath[str]) -> Template:
        town = await roster.get_town(code)
        overview = await roster.town_overview(town, local_date(now, town.timezone))
        return Template("roster/town.html", context={"o": overview, "town": town, "Tier": Tier})

    @get("/towns/{code:str}/people/{person_id:int}", name="person")
    async def person(self, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime], code: FromPath[str], person_id: FromPath[int]) -> Template:
        town = await roster.get_town(code)
        detail = await roster.person_detail(town, person_id, local_date(now, town.timezone))
        return Template("roster/person.html", context={"d": detail, "town": town})

    @get("/towns/{code:str}/places/{place_id:int}", name="place")
    async def place(self, roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime], code: FromPath[str], place_id: FromPath[int]) -> Template:
        town = await roster.get_town(code)
        detail = await roster.place_detail(town, place_id, local_date(now, town.timezone))
        return Template("roster/place.html", context={"d": detail, "town": town})




@post("/language", name="language", include_in_schema=False, status_code=303)
async def choose_language(
    request: Request, data: URLEncodedBody[dict[str, str]]
) -> Redirect:
    """Remember the chosen language in a cookie and go back where the user was."""
    locale = data.get("locale", "")
    back = data.get("next", "/")
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    response = Redirect(back)
    if locale in SUPPORTED_LOCALES:
        response.set_cookie(LANGUAGE_COOKIE, locale, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
    return response
