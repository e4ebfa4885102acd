"""Work done without a task (an unplanned lecture, a published piece): choose the kind, then its fields.

The record is the signed-in person's; it counts in the yearly figures like any other.
"""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from tracker.db.models.roster import Town
from tracker.db.models.tasks import WorkKind
from tracker.domain.access import Actor
from tracker.domain.errors import InvalidInput
from tracker.domain.roster.service import RosterService
from tracker.domain.work.page_context import page_context, today_in
from tracker.domain.work.photos import MAX_RECORD_BODY_BYTES
from tracker.domain.work.record_answers import record_refused, record_saved
from tracker.domain.work.record_form import (
    MAX_PHOTOS,
    RecordForm,
    read_record_form,
    service_problems,
)
from tracker.domain.work.records import RecordService
from tracker.domain.work.uploads import uploaded
from tracker.i18n import _
from tracker.web.errors import wants_json
from tracker.web.guards import require_not_viewer


def _kind(value: str | None) -> WorkKind | None:
    try:
        return WorkKind(value) if value else None
    except ValueError:
        return None


async def _context(
    town: Town, actor: Actor, roster: RosterService, form: RecordForm | None
) -> dict[str, object]:
    people = await roster.list_people(town)
    return page_context(
        town,
        kinds=list(WorkKind),
        form=form,
        has_person=actor.person_id is not None,
        people=[p for p in people if p.active],
        places=await roster.list_places(town),
        max_photos=MAX_PHOTOS,
    )


class UnplannedRecordPages(Controller):
    path = "/towns/{code:str}/records"
    include_in_schema = False

    @get("/new", name="record_new", guards=[require_not_viewer])
    async def new(
        self,
        actor: NamedDependency[Actor],
        roster: NamedDependency[RosterService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        kind: FromQuery[str | None] = None,
    ) -> Template:
        town = await roster.get_town(code)
        chosen = _kind(kind)
        form = RecordForm.blank(chosen, today_in(town, now)) if chosen else None
        return Template("tasks/record_new.html", context=await _context(town, actor, roster, form))

    @post(
        "/",
        name="record_create",
        guards=[require_not_viewer],
        status_code=303,
        request_max_body_size=MAX_RECORD_BODY_BYTES,
    )
    async def create(
        self,
        request: HTMXRequest,
        actor: NamedDependency[Actor],
        roster: NamedDependency[RosterService],
        records: NamedDependency[RecordService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
    ) -> Template | Redirect | Response:
        town = await roster.get_town(code)
        form = await request.form()
        kind = _kind(form.get("kind") if isinstance(form.get("kind"), str) else None)
        if kind is None:
            context = await _context(town, actor, roster, None)
            context["kind_error"] = _("Choose a kind of work")
            return Template("tasks/record_new.html", context=context, status_code=400)
        sent, data = read_record_form(form, kind, today_in(town, now))
        photos = await uploaded(form.getall("photos", []))
        if data is not None:
            try:
                result = await records.create(town, data, now, kind=kind, photos=photos)
            except InvalidInput as problem:
                sent.refused(problem.message, service_problems(problem.fields))
            else:
                if wants_json(request):  # the phone's queue (record_answers)
                    return record_saved(result, "/my?recorded=1")
                return Redirect("/my?recorded=1", status_code=303)
        if wants_json(request):
            return record_refused(sent)
        if photos and "photos" not in sent.errors:
            sent.errors["photos"] = _("Choose the photos again: a browser can't keep them in a returned form")
        return Template(
            "tasks/record_new.html", context=await _context(town, actor, roster, sent), status_code=400
        )
