"""Evidence pages: a place's visits and coverage by month, a person's records and scorecard of a year,
and resolving a visit's follow-up with a note.

The place and person pages (templates/roster/) load the partials with hx-get and keep a plain link
to the full pages. Resolving is a form POST that redirects back (to `next`, a local path, else the
place's history); htmx gets the visit's row alone, with a message beside the note when refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from tracker.db.models.roster import Town
from tracker.domain.errors import InvalidInput
from tracker.domain.inputs import year_from_query
from tracker.domain.review.evidence import EvidenceService, Visit
from tracker.domain.roster.service import RosterService
from tracker.domain.work.page_context import page_context, today_in, wants_partial
from tracker.web.redirects import safe_local_path


@dataclass
class FollowUpForm:
    note: str = ""
    next: str = ""


def chosen_year(text: str | None, town: Town, now: dt.datetime) -> int:
    """The year asked for (a 400 with a message for one that means nothing); this year without one."""
    this_year = today_in(town, now).year
    return year_from_query(text, this_year) or this_year


def _years(town: Town, now: dt.datetime, year: int) -> list[int]:
    this = today_in(town, now).year
    return sorted({this, this - 1, year}, reverse=True)


def _row_context(town: Town, visit: Visit, back: str, **extra: Any) -> dict[str, Any]:
    return page_context(town, v=visit, back=back, note_error=extra.pop("note_error", ""),
                        note_text=extra.pop("note_text", ""), **extra)  # fmt: skip


class EvidencePages(Controller):
    include_in_schema = False

    @get("/towns/{code:str}/places/{place_id:int}/history", name="place_history")
    async def place_history(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        evidence: NamedDependency[EvidenceService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        place_id: FromPath[int],
        year: FromQuery[str | None] = None,
    ) -> Template:
        town = await roster.get_town(code)
        chosen = chosen_year(year, town, now)
        history = await evidence.place_history(town, place_id, chosen, now)
        back = f"/towns/{town.code}/places/{place_id}/history?year={chosen}"
        context = page_context(town, h=history, back=back, years=_years(town, now, chosen))
        template = "review/_place_history.html" if wants_partial(request) else "review/place_history.html"
        return Template(template, context=context)

    @get("/towns/{code:str}/people/{person_id:int}/year", name="person_year")
    async def person_year(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        evidence: NamedDependency[EvidenceService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        person_id: FromPath[int],
        year: FromQuery[str | None] = None,
    ) -> Template:
        town = await roster.get_town(code)
        chosen = chosen_year(year, town, now)
        person_year = await evidence.person_record(town, person_id, chosen, now)
        context = page_context(town, py=person_year, years=_years(town, now, chosen))
        template = "review/_person_year.html" if wants_partial(request) else "review/person_year.html"
        return Template(template, context=context)

    @post("/towns/{code:str}/records/{record_id:int}/follow-up", name="resolve_follow_up", status_code=303)
    async def resolve(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        evidence: NamedDependency[EvidenceService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        record_id: FromPath[int],
        data: URLEncodedBody[FollowUpForm],
    ) -> Template | Redirect:
        town = await roster.get_town(code)
        try:
            await evidence.resolve_follow_up(town, record_id, data.note, now)
        except InvalidInput as refused:
            if "note" not in refused.fields:
                raise
            visit = await evidence.visit(town, record_id)
            back = self._back(town, visit, data.next)
            context = _row_context(town, visit, back, note_error=refused.fields["note"], note_text=data.note)
            if wants_partial(request):
                return Template("review/_follow_up.html", context=context, status_code=400)
            history = await evidence.place_history(town, visit.place_id, visit.day.year, now)
            context.update(h=history, years=_years(town, now, visit.day.year), refused_id=record_id)
            return Template("review/place_history.html", context=context, status_code=400)
        visit = await evidence.visit(town, record_id)
        back = self._back(town, visit, data.next)
        if wants_partial(request):
            return Template(
                "review/_follow_up.html", context=_row_context(town, visit, back), status_code=200
            )
        return Redirect(back, status_code=303)

    @staticmethod
    def _back(town: Town, visit: Visit, next_path: str) -> str:
        default = f"/towns/{town.code}/places/{visit.place_id}/history?year={visit.day.year}"
        return safe_local_path(next_path or default)
