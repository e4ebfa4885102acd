"""The planning JSON API under /api/v1: a town's assignments (list, create, preview, read, change).
Tasks, records and photos are in work/api.py, the board in board/api.py.

Guards decide which roles reach a route; the services decide the rest (which town, whose work).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import FromPath, JSONBody, QueryParameter

from tracker.db.models.accounts import Role
from tracker.domain.planning.periods import FIRST_YEAR, LAST_YEAR
from tracker.domain.planning.schemas import (
    AssignmentIn,
    AssignmentOut,
    PreviewOut,
    assignment_out,
    preview_out,
)
from tracker.domain.planning.service import AssignmentService
from tracker.domain.roster.services import RosterService
from tracker.web.guards import require_role

# A `year` query parameter of the JSON API: one of the years the tracker reasons about, or none for
# the current one.
Year = Annotated[
    int | None,
    QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR, description=f"a year, {FIRST_YEAR} to {LAST_YEAR}"),
]
READ_ERRORS = [NotAuthorizedException, NotFoundException]
WRITE_ERRORS = [NotAuthorizedException, PermissionDeniedException, NotFoundException, ValidationException]
ASSIGNERS = require_role(Role.SECRETARY, Role.OFFICIAL)


class AssignmentApi(Controller):
    path = "/api/v1/towns/{code:str}/assignments"
    tags = ["tasks"]

    @get("/", summary="A town's assignments, newest first", raises=READ_ERRORS)
    async def list_assignments(
        self, roster: NamedDependency[RosterService], assignments: NamedDependency[AssignmentService],
        code: FromPath[str],
    ) -> list[AssignmentOut]:  # fmt: skip
        town = await roster.get_town(code)
        return [assignment_out(a) for a in await assignments.list(town)]

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
        return assignment_out(assignment, counts[assignment.id].total if assignment.id in counts else 0)

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
        return assignment_out(assignment, counts[assignment.id].total if assignment.id in counts else 0)


