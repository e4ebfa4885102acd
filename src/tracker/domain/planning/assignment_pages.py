"""One assignment's page for the town's secretary: what, who, when, its tasks counted by status and
listed (paged); editing it with a preview of what saving changes; stopping it from a day.

Every form is a plain form that works without JavaScript (POST, then 303 back to the page, or the
page again with the messages, 400); htmx upgrades them in place: the edit preview swaps
`#edit-preview`, the stop's confirmation `#stop-panel`, saving and stopping `#assignment-body`, and
the address stays the assignment's. Counts come from AssignmentService.task_counts, as the API's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from tracker.db.models.accounts import Role
from tracker.db.models.roster import Town
from tracker.db.models.tasks import Assignment, TaskStatus
from tracker.domain.errors import InvalidInput
from tracker.domain.planning.changing import AssignmentChanges, EditPreview
from tracker.domain.planning.form import AssignmentForm, read_assignment_form
from tracker.domain.planning.pages import _form_context
from tracker.domain.planning.schemas import AssignmentCounts
from tracker.domain.planning.service import AssignmentService
from tracker.domain.roster.service import RosterService
from tracker.domain.work.page_context import today_in, wants_partial
from tracker.domain.work.service import TaskService
from tracker.i18n import _
from tracker.web.guards import require_role

PAGE_SIZE = 50
CHANGED = ("saved", "stopped")


def form_of(a: Assignment) -> AssignmentForm:
    """The edit form filled with the assignment as stored."""
    return AssignmentForm.from_input({
        "title": a.title, "kind": a.kind.value, "description": a.description, "target_count": a.target_count,
        "template": a.template,
        "who": {"kind": a.who_kind.value, "person_ids": list(a.who_person_ids or []),
                "tier": a.who_tier.value if a.who_tier else None, "unit_id": a.who_unit_id,
                "official_id": a.who_official_id, "place_ids": a.who_place_ids},
        "when": {"cadence": a.cadence.value, "due_date": a.due_date.isoformat() if a.due_date else None,
                 "due_day": a.due_day, "due_month": a.due_month, "rule": a.rule},
    })  # fmt: skip


def read_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


class AssignmentDetailPages(Controller):
    path = "/towns/{code:str}/assignments/{assignment_id:int}"
    include_in_schema = False
    guards = [require_role(Role.SECRETARY)]

    async def _town(self, roster: RosterService, code: str) -> Town:
        town = await roster.get_town(code)
        roster.require_manage(town)
        return town

    async def _render(
        self, request: HTMXRequest, town: Town, roster: RosterService, assignments: AssignmentService,
        tasks: TaskService, assignment_id: int, now: dt.datetime, *, partial: str = "tasks/_assignment_body.html",
        status_code: int = 200, page: int = 1, **extra: Any,
    ) -> Template:  # fmt: skip
        assignment = await assignments.get(town, assignment_id)
        counts = (await assignments.task_counts(town, assignment.id)).get(assignment.id) or AssignmentCounts()
        views = await tasks.list(town, now, assignment_id=assignment.id)
        pages = max(1, -(-len(views) // PAGE_SIZE))
        page = min(max(1, page), pages)
        form = extra.pop("form", None) or form_of(assignment)
        context = await _form_context(
            town, roster, form, assignment=assignment, counts=counts, statuses=list(TaskStatus),
            views=views[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], page=page, pages=pages, today=today_in(town, now),
            **{"edit_preview": None, "edit_open": False, "stop_count": None, "stop_from": "", "stop_error": "",
               "changed": "", **extra},
        )  # fmt: skip
        template = partial if wants_partial(request) else "tasks/assignment.html"
        return Template(template, context=context, status_code=status_code)

    @get("/", name="assignment")
    async def show(
        self, request: HTMXRequest, roster: NamedDependency[RosterService],
        assignments: NamedDependency[AssignmentService], tasks: NamedDependency[TaskService],
        now: NamedDependency[dt.datetime], code: FromPath[str], assignment_id: FromPath[int],
        page: FromQuery[int] = 1, changed: FromQuery[str] = "",
    ) -> Template:  # fmt: skip
        town = await self._town(roster, code)
        return await self._render(request, town, roster, assignments, tasks, assignment_id, now, page=page,
                                  changed=changed if changed in CHANGED else "")  # fmt: skip

    @post("/preview", name="assignment_edit_preview", status_code=200)
    async def preview(
        self, request: HTMXRequest, roster: NamedDependency[RosterService],
        assignments: NamedDependency[AssignmentService], tasks: NamedDependency[TaskService],
        changes: NamedDependency[AssignmentChanges], now: NamedDependency[dt.datetime], code: FromPath[str],
        assignment_id: FromPath[int],
    ) -> Template:  # fmt: skip
        town = await self._town(roster, code)
        sent, data = read_assignment_form(await request.form())
        preview: EditPreview | None = None
        if data is not None:
            try:
                preview = await changes.preview_edit(town, assignment_id, data, now)
            except InvalidInput as problem:
                sent.errors.update(problem.fields or {"form": problem.message})
        return await self._render(
            request, town, roster, assignments, tasks, assignment_id, now, partial="tasks/_assignment_edit_preview.html",
            status_code=400 if sent.errors else 200, form=sent, edit_preview=preview, edit_open=True,
        )  # fmt: skip

    @post("/", name="assignment_update", status_code=303)
    async def save(
        self, request: HTMXRequest, roster: NamedDependency[RosterService],
        assignments: NamedDependency[AssignmentService], tasks: NamedDependency[TaskService],
        now: NamedDependency[dt.datetime], code: FromPath[str], assignment_id: FromPath[int],
    ) -> Template | Redirect:  # fmt: skip
        town = await self._town(roster, code)
        sent, data = read_assignment_form(await request.form())
        if data is not None:
            try:
                await assignments.update(town, assignment_id, data, now)
            except InvalidInput as problem:
                sent.errors.update(problem.fields or {"form": problem.message})
            else:
                if not wants_partial(request):
                    return Redirect(
                        f"/towns/{town.code}/assignments/{assignment_id}?changed=saved", status_code=303
                    )
                return await self._render(
                    request, town, roster, assignments, tasks, assignment_id, now, changed="saved"
                )
        return await self._render(request, town, roster, assignments, tasks, assignment_id, now,
                                  status_code=400, form=sent, edit_open=True)  # fmt: skip

    @post("/stop", name="assignment_stop", status_code=303)
    async def stop(
        self, request: HTMXRequest, roster: NamedDependency[RosterService],
        assignments: NamedDependency[AssignmentService], tasks: NamedDependency[TaskService],
        changes: NamedDependency[AssignmentChanges], now: NamedDependency[dt.datetime], code: FromPath[str],
        assignment_id: FromPath[int],
    ) -> Template | Redirect:  # fmt: skip
        town = await self._town(roster, code)
        form = await request.form()
        text = str(form.get("stop_from") or "")
        first_day = read_day(text)
        confirmed = form.get("confirm") == "yes"
        try:
            if text.strip() and first_day is None:
                raise InvalidInput("", fields={"stop_from": ""})
            if not confirmed:
                count = await changes.stop_count(town, assignment_id, first_day, now)
                return await self._render(request, town, roster, assignments, tasks, assignment_id, now,
                                          partial="tasks/_assignment_stop.html", stop_count=count, stop_from=text)  # fmt: skip
            await changes.stop(town, assignment_id, first_day, now)
        except InvalidInput as problem:
            message = problem.fields.get("stop_from") or problem.message or _day_message()
            return await self._render(request, town, roster, assignments, tasks, assignment_id, now,
                                      partial="tasks/_assignment_stop.html", status_code=400,
                                      stop_error=message, stop_from=text)  # fmt: skip
        if not wants_partial(request):
            return Redirect(
                f"/towns/{town.code}/assignments/{assignment_id}?changed=stopped", status_code=303
            )
        return await self._render(
            request, town, roster, assignments, tasks, assignment_id, now, changed="stopped"
        )


def _day_message() -> str:
    return _("Enter a date such as 2026-12-31")
