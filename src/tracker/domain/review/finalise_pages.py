"""Finalising a year (the town's secretary, admins), and amendment notes on a finalised year's records.

GET /towns/{code}/review/finalise?year= shows what will be frozen (last year's by default): the
headline figures and how many scorecards, or that it was finalised already, or why it can't be yet.
Its form POSTs to the same address; done, it redirects to the review page of that year. A refusal
(the year not over, finalised already) shows the page again with the message.

POST /towns/{code}/records/{record_id}/amendments adds a note to a record of a finalised year (the
person whose record it is, or the town's secretary), then goes back to the record's task (or, for
a record without a task, its person's page). An empty or too long note shows the task page again
with the message beside the field. htmx swaps the task's body from the page it is sent back to.
"""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from tracker.db.models.accounts import Role
from tracker.domain.errors import Conflict, InvalidInput
from tracker.domain.inputs import year_from_query
from tracker.domain.review.finalise import FinalisePreview, FinaliseService
from tracker.domain.roster.service import RosterService
from tracker.domain.work.page_context import page_context
from tracker.domain.work.pages import task_context
from tracker.domain.work.service import TaskService
from tracker.web.guards import require_not_viewer, require_role


class NoteForm(BaseModel):
    note: str = Field(default="", max_length=20000)


def _year(text: str | None) -> int | None:
    """?year= as a year (None without one); what is not a year is a field message."""
    return year_from_query(text, None)


def _page(preview: FinalisePreview, status: int = 200, message: str = "") -> Template:
    context = page_context(preview.town, p=preview, f=preview.data.figures, message=message)
    return Template("review/finalise.html", context=context, status_code=status)


class FinalisePages(Controller):
    include_in_schema = False

    @get("/towns/{code:str}/review/finalise", name="review_finalise", guards=[require_role(Role.SECRETARY)])
    async def show(
        self, finalising: NamedDependency[FinaliseService], now: NamedDependency[dt.datetime],
        code: FromPath[str], year: FromQuery[str | None] = None,
    ) -> Template:  # fmt: skip
        return _page(await finalising.preview(code, _year(year), now))

    @post("/towns/{code:str}/review/finalise", name="review_finalise_save", guards=[require_role(Role.SECRETARY)],
          status_code=303)  # fmt: skip
    async def finalise(
        self, finalising: NamedDependency[FinaliseService], now: NamedDependency[dt.datetime],
        code: FromPath[str], year: FromQuery[str | None] = None,
    ) -> Template | Redirect:  # fmt: skip
        wanted = _year(year)
        try:
            town, done = await finalising.finalise(code, wanted, now)
        except (InvalidInput, Conflict) as refused:
            status = 409 if isinstance(refused, Conflict) else 400
            return _page(await finalising.preview(code, wanted, now), status, refused.message)
        return Redirect(f"/towns/{town.code}/review?year={done.year}", status_code=303)

    @post("/towns/{code:str}/records/{record_id:int}/amendments", name="record_amend", guards=[require_not_viewer],
          status_code=303)  # fmt: skip
    async def amend(
        self, finalising: NamedDependency[FinaliseService], tasks: NamedDependency[TaskService],
        roster: NamedDependency[RosterService], now: NamedDependency[dt.datetime],
        code: FromPath[str], record_id: FromPath[int], data: URLEncodedBody[NoteForm],
    ) -> Template | Redirect:  # fmt: skip
        try:
            await finalising.amend(code, record_id, data.note, now)
        except InvalidInput as refused:
            task_id, _person_id, _town_code = await finalising.record_task(record_id)
            if task_id is None:
                raise
            detail = await tasks.detail(task_id, now)
            context = await task_context(
                detail, detail.town, roster, now,
                amend_errors={record_id: refused.fields.get("note", refused.message)}, amend_text=data.note,
            )  # fmt: skip
            return Template("tasks/task.html", context=context, status_code=400)
        task_id, person_id, town_code = await finalising.record_task(record_id)
        if task_id is not None:
            return Redirect(f"/tasks/{task_id}#amendments-{record_id}", status_code=303)
        return Redirect(f"/towns/{town_code}/people/{person_id}", status_code=303)
