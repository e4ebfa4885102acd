"""The planning JSON API under /api/v1: a town's assignments (list, create, preview, read, change).
Tasks, records and photos are in work/api.py, the board in board/api.py.

Guards decide which roles reach a route; the services decide the rest (which town, whose work).
"""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from tracker.db.models.accounts import Role
from tracker.domain.planning.schemas import (
    AssignmentIn,
    AssignmentOut,
    PreviewOut,
    assignment_out,
    preview_out,
)
from tracker.domain.planning.service import AssignmentService
from tracker.domain.roster.service import RosterService
from tracker.web.api_params import (
    DEFAULT_LIMIT,
    NEXT_PAGE_HEADER,
    PAGED_READ_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Limit,
    Offset,
    paged,
)
from tracker.web.guards import require_role

ASSIGNERS = require_role(Role.SECRETARY, Role.OFFICIAL)


class AssignmentApi(Controller):
    path = "/api/v1/towns/{code:str}/assignments"
    tags = ["tasks"]

    @get("/", summary="A town's assignments, newest first, a page at a time", raises=PAGED_READ_ERRORS,
         response_headers=NEXT_PAGE_HEADER)  # fmt: skip
    async def list_assignments(
        self, request: Request, roster: NamedDependency[RosterService],
        assignments: NamedDependency[AssignmentService], code: FromPath[str], limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Response[list[AssignmentOut]]:  # fmt: skip
        town = await roster.get_town(code)
        rows = await assignments.list(town, limit=limit + 1, offset=offset)
        return paged(request, [assignment_out(a) for a in rows], limit, offset)

    @post("/", guards=[ASSIGNERS], status_code=201, raises=WRITE_ERRORS,
          summary="Create an assignment and its tasks for the rest of the year (secretary; an official for people below them)")  # fmt: skip
    async def create_assignment(
        self, roster: NamedDependency[RosterService], assignments: NamedDependency[AssignmentService],
        now: NamedDependency[dt.datetime], code: FromPath[str], data: JSONBody[AssignmentIn],
    ) -> AssignmentOut:  # fmt: skip
        town = await roster.get_town(code)
        assignment, made = await assignments.create(town, data, now)
        return assignment_out(assignment, made)

    @post("/preview", guards=[ASSIGNERS], status_code=200, raises=WRITE_ERRORS,
          summary="How many tasks an assignment would make, and for whom (nothing is saved)")  # fmt: skip
    async def preview_assignment(
        self, roster: NamedDependency[RosterService], assignments: NamedDependency[AssignmentService],
        now: NamedDependency[dt.datetime], code: FromPath[str], data: JSONBody[AssignmentIn],
    ) -> PreviewOut:  # fmt: skip
        town = await roster.get_town(code)
        return preview_out(await assignments.preview(town, data, now))

    @get("/{assignment_id:int}", summary="One assignment, with how many tasks it holds", raises=READ_ERRORS)
    async def get_assignment(
        self, roster: NamedDependency[RosterService], assignments: NamedDependency[AssignmentService],
        code: FromPath[str], assignment_id: FromPath[int],
    ) -> AssignmentOut:  # fmt: skip
        town = await roster.get_town(code)
        assignment = await assignments.get(town, assignment_id)
        counts = await assignments.task_counts(town, assignment.id)
        return assignment_out(assignment, 0, counts.get(assignment.id))

    @put("/{assignment_id:int}", guards=[ASSIGNERS], status_code=200, raises=WRITE_ERRORS,
         summary="Change an assignment: its future open tasks follow, finished ones never change")  # fmt: skip
    async def update_assignment(
        self, roster: NamedDependency[RosterService], assignments: NamedDependency[AssignmentService],
        now: NamedDependency[dt.datetime], code: FromPath[str], assignment_id: FromPath[int],
        data: JSONBody[AssignmentIn],
    ) -> AssignmentOut:  # fmt: skip
        town = await roster.get_town(code)
        assignment = await assignments.update(town, assignment_id, data, now)
        counts = await assignments.task_counts(town, assignment.id)
        return assignment_out(assignment, 0, counts.get(assignment.id))


