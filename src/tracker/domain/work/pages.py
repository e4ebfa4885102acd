"""A task: what, where, when; its records; the record form; the secretary's excuse and cancel.

POST /tasks/{id}/records is a multipart form (photos). It answers 303 back to the task, or, to
htmx, the task's card alone (done, or with the form for the next record). Problems re-render the
form with each message beside its field (400) and save nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from tracker.db.models.accounts import Role
from tracker.db.models.roster import Town
from tracker.db.models.tasks import TaskStatus
from tracker.domain.errors import InvalidInput, NotAllowed
from tracker.domain.roster.service import RosterService
from tracker.domain.work.corrections import RecordCorrections
from tracker.domain.work.display import show_field
from tracker.domain.work.locks import year_finalised
from tracker.domain.work.page_context import page_context, today_in, wants_partial
from tracker.domain.work.photos import MAX_RECORD_BODY_BYTES
from tracker.domain.work.record_answers import record_refused, record_saved
from tracker.domain.work.record_form import (
    MAX_PHOTOS,
    RecordForm,
    read_record_form,
    service_problems,
)
from tracker.domain.work.records import RecordService
from tracker.domain.work.schemas import TaskDetail
from tracker.domain.work.service import TaskService
from tracker.domain.work.uploads import uploaded
from tracker.i18n import _
from tracker.web.errors import wants_json
from tracker.web.guards import require_not_viewer, require_role

REASON_MAX = 500


def not_yours() -> str:
    return _("Only the person it is assigned to, or the town's secretary, may record this work")


class ReasonForm(BaseModel):
    reason: str = Field(default="", max_length=2000)


async def task_context(
    detail: TaskDetail, town: Town, roster: RosterService, now: dt.datetime, **extra: Any
) -> dict[str, Any]:
    """The task page's context; a blank record form when the actor may record and none was sent."""
    people = await roster.list_people(town)
    places = await roster.list_places(town)
    task = detail.view.task
    if detail.can_record and "form" not in extra:
        extra["form"] = RecordForm.blank(task.kind, today_in(town, now), task.place_id)
    return page_context(
        town,
        d=detail,
        task=task,
        people=[p for p in people if p.active],
        people_names={p.id: p.name for p in people},
        places=places,
        place_names={p.id: p.name for p in places},
        show_field=show_field,
        max_photos=MAX_PHOTOS,
        **{
            "form": None,
            "reason_errors": {},
            "reason_open": None,
            "reason_text": "",
            "saved": False,
            "record_actions": {},
            "record_changes": [],
            "send_back_errors": {},
            "send_back_text": "",
            "changed": "",
            **extra,
        },
    )


class TaskPages(Controller):
    include_in_schema = False

    @get("/tasks/{task_id:int}", name="task")
    async def show(
        self,
        tasks: NamedDependency[TaskService],
        roster: NamedDependency[RosterService],
        now: NamedDependency[dt.datetime],
        task_id: FromPath[int],
        corrections: NamedDependency[RecordCorrections],
        saved: FromQuery[int] = 0,
        changed: FromQuery[str] = "",
    ) -> Template:
        detail = await tasks.detail(task_id, now)
        town = detail.town
        extras = await corrections.task_extras(detail, now)
        changed = changed if changed in ("corrected", "withdrawn", "sent_back") else ""
        context = await task_context(detail, town, roster, now, saved=bool(saved), changed=changed, **extras)
        return Template("tasks/task.html", context=context)

    @post(
        "/tasks/{task_id:int}/records",
        name="task_record",
        guards=[require_not_viewer],
        status_code=303,
        request_max_body_size=MAX_RECORD_BODY_BYTES,
    )
    async def record(
        self,
        request: HTMXRequest,
        tasks: NamedDependency[TaskService],
        records: NamedDependency[RecordService],
        roster: NamedDependency[RosterService],
        now: NamedDependency[dt.datetime],
        task_id: FromPath[int],
        corrections: NamedDependency[RecordCorrections],
    ) -> Template | Redirect | Response:
        detail = await tasks.detail(task_id, now)  # someone else's task is not found
        # Refused before the form is read: a task of a finalised year (409, the lock's message); an official
        # may see the task of someone below them, not record it.
        if detail.view.task.status is TaskStatus.OPEN and detail.locked_year:
            raise year_finalised(detail.locked_year)
        if detail.view.task.status is TaskStatus.OPEN and not detail.can_record:
            raise NotAllowed(not_yours())
        town = detail.town
        form = await request.form()
        sent, data = read_record_form(form, detail.view.task.kind, today_in(town, now))
        photos = await uploaded(form.getall("photos", []))
        if data is not None:
            try:
                result = await records.create(town, data, now, task_id=task_id, photos=photos)
            except InvalidInput as problem:
                sent.refused(problem.message, service_problems(problem.fields))
            else:
                if wants_json(request):  # the phone's queue (record_answers)
                    return record_saved(result, f"/tasks/{task_id}?saved=1")
                if not wants_partial(request):
                    return Redirect(f"/tasks/{task_id}?saved=1", status_code=303)
                detail = await tasks.detail(task_id, now)
                extras = await corrections.task_extras(detail, now)
                context = await task_context(detail, town, roster, now, saved=True, **extras)
                return Template("tasks/_task_body.html", context=context, status_code=200)
        if wants_json(request):
            return record_refused(sent)
        if photos and "photos" not in sent.errors:
            sent.errors["photos"] = _("Choose the photos again: a browser can't keep them in a returned form")
        extras = await corrections.task_extras(detail, now)
        context = await task_context(detail, town, roster, now, form=sent, **extras)
        template = "tasks/_task_body.html" if wants_partial(request) else "tasks/task.html"
        return Template(template, context=context, status_code=400)

    async def _close(
        self,
        action: str,
        tasks: TaskService,
        roster: RosterService,
        now: dt.datetime,
        task_id: int,
        reason: str,
    ) -> Template | Redirect:
        detail = await tasks.detail(task_id, now)
        problem = "" if reason.strip() else _("Give a reason")
        if len(reason.strip()) > REASON_MAX:
            problem = _("At most %(maximum)d characters", maximum=REASON_MAX)
        if not problem:
            try:
                await (tasks.excuse if action == "excuse" else tasks.cancel)(task_id, reason.strip(), now)
            except InvalidInput as refused:
                problem = refused.fields.get("reason") or refused.message
            else:
                return Redirect(f"/tasks/{task_id}", status_code=303)
        town = detail.town
        context = await task_context(
            detail, town, roster, now, reason_errors={action: problem}, reason_open=action, reason_text=reason
        )
        return Template("tasks/task.html", context=context, status_code=400)

    @post(
        "/tasks/{task_id:int}/excuse",
        name="task_excuse",
        guards=[require_role(Role.SECRETARY)],
        status_code=303,
    )
    async def excuse(
        self,
        tasks: NamedDependency[TaskService],
        roster: NamedDependency[RosterService],
        now: NamedDependency[dt.datetime],
        task_id: FromPath[int],
        data: URLEncodedBody[ReasonForm],
    ) -> Template | Redirect:
        return await self._close("excuse", tasks, roster, now, task_id, data.reason)

    @post(
        "/tasks/{task_id:int}/cancel",
        name="task_cancel",
        guards=[require_role(Role.SECRETARY)],
        status_code=303,
    )
    async def cancel(
        self,
        tasks: NamedDependency[TaskService],
        roster: NamedDependency[RosterService],
        now: NamedDependency[dt.datetime],
        task_id: FromPath[int],
        data: URLEncodedBody[ReasonForm],
    ) -> Template | Redirect:
        return await self._close("cancel", tasks, roster, now, task_id, data.reason)
