"""Assignments for the town's secretary: the list (with task counts), the form with statutory
templates, an htmx preview ("this will create N tasks for M people over K periods"), and create.

Officials may assign work to the people below them through the API; the pages are the
secretary's (and an administrator's) only, which keeps the form to one set of choices.
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
from tracker.db.models.roster import LeadingGroupRole, PlaceKind, Tier, Town
from tracker.db.models.tasks import Cadence, WorkKind
from tracker.domain.errors import InvalidInput
from tracker.domain.planning import statutory
from tracker.domain.planning.form import AssignmentForm, read_assignment_form
from tracker.domain.planning.schemas import Preview
from tracker.domain.planning.service import AssignmentService
from tracker.domain.roster.service import RosterService
from tracker.domain.work.page_context import page_context, wants_partial
from tracker.web.guards import require_role

PREVIEW_TARGETS = 20
LIST_PAGE_SIZE = 50  # assignments a page of the list
MAX_PAGE = 100_000


async def _form_context(
    town: Town, roster: RosterService, form: AssignmentForm, **extra: Any
) -> dict[str, Any]:
    people = [p for p in await roster.list_people(town) if p.active]
    places = [
        p
        for p in await roster.list_places(town)
        if p.kind
        in (
            PlaceKind.NATURAL_VILLAGE,
            PlaceKind.ENTERPRISE,
            PlaceKind.ADMINISTRATIVE_VILLAGE,
            PlaceKind.COMMUNITY,
        )
    ]
    context = page_context(
        town,
        form=form,
        people=people,
        officials=[p for p in people if p.tier is Tier.SECTION_OFFICIAL],
        units=await roster.list_units(town),
        places=places,
        tiers=list(Tier),
        kinds=list(WorkKind),
        cadences=list(Cadence),
        templates=statutory.STATUTORY_TEMPLATES,
        preview=None,
        preview_limit=PREVIEW_TARGETS,
    )
    context.update(extra)
    return context


def _leader_id(people: list[Any]) -> int | None:
    return next((p.id for p in people if p.active and p.leading_group_role is LeadingGroupRole.LEADER), None)


def _preview_numbers(preview: Preview) -> dict[str, int]:
    return {
        "tasks": preview.task_count,
        "people": len({person.id for person, _place in preview.targets}),
        "periods": len(preview.periods),
    }


class AssignmentPages(Controller):
    path = "/towns/{code:str}/assignments"
    include_in_schema = False
    guards = [require_role(Role.SECRETARY)]

    async def _town(self, roster: RosterService, code: str) -> Town:
        town = await roster.get_town(code)
        roster.require_manage(town)
        return town

    @get("/", name="assignments")
    async def list_assignments(
        self,
        roster: NamedDependency[RosterService],
        assignments: NamedDependency[AssignmentService],
        code: FromPath[str],
        page: FromQuery[int] = 1,
    ) -> Template:
        """LIST_PAGE_SIZE assignments a page, newest first, with their task counts; `page` 1 first
        (out of range is read as the nearest one), a next link while more follow (no count)."""
        town = await self._town(roster, code)
        page = min(max(1, page), MAX_PAGE)
        rows = list(await assignments.list(town, limit=LIST_PAGE_SIZE + 1, offset=(page - 1) * LIST_PAGE_SIZE))
        shown = rows[:LIST_PAGE_SIZE]
        context = page_context(
            town,
            assignments=shown,
            counts=await assignments.task_counts(town, among=[a.id for a in shown]),
            page=page,
            has_next=len(rows) > LIST_PAGE_SIZE,
        )
        return Template("tasks/assignments.html", context=context)

    @get("/new", name="assignment_new")
    async def new(
        self,
        roster: NamedDependency[RosterService],
        code: FromPath[str],
        template: FromQuery[str | None] = None,
    ) -> Template:
        town = await self._town(roster, code)
        form = AssignmentForm.blank()
        if template and template in {t.key for t in statutory.STATUTORY_TEMPLATES}:
            people = list(await roster.list_people(town))
            form = AssignmentForm.from_input(statutory.template_input(template, _leader_id(people)))
        return Template("tasks/assignment_new.html", context=await _form_context(town, roster, form))

    @post("/preview", name="assignment_preview", status_code=200)
    async def preview(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        assignments: NamedDependency[AssignmentService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
    ) -> Template:
        town = await self._town(roster, code)
        sent, data = read_assignment_form(await request.form())
        preview = None
        if data is not None:
            try:
                preview = await assignments.preview(town, data, now)
            except InvalidInput as problem:
                sent.errors.update(problem.fields or {"form": problem.message})
        numbers = _preview_numbers(preview) if preview else None
        context = await _form_context(town, roster, sent, preview=preview, numbers=numbers)
        template = "tasks/_assignment_preview.html" if wants_partial(request) else "tasks/assignment_new.html"
        return Template(template, context=context, status_code=400 if sent.errors else 200)

    @post("/", name="assignment_create", status_code=303)
    async def create(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        assignments: NamedDependency[AssignmentService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
    ) -> Template | Redirect:
        town = await self._town(roster, code)
        sent, data = read_assignment_form(await request.form())
        if data is not None:
            try:
                assignment, _count = await assignments.create(town, data, now)
            except InvalidInput as problem:
                sent.errors.update(problem.fields or {"form": problem.message})
            else:
                return Redirect(f"/towns/{town.code}/board?assignment={assignment.id}", status_code=303)
        return Template(
            "tasks/assignment_new.html", context=await _form_context(town, roster, sent), status_code=400
        )
