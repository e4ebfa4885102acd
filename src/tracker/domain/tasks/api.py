"""The tasks JSON API under /api/v1: assignments, tasks (my work, lists, one task, excuse, cancel)
and the board. Records and photos are in api_records.py.

Guards decide which roles reach a route; the services decide the rest (which town, whose work).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import FromPath, FromQuery, QueryParameter, JSONBody

from tracker.db.models.accounts import Role
from tracker.domain.clock import local_date
from tracker.domain.roster.services import RosterService
from tracker.domain.tasks.api_shapes import assignment_out, board_out, detail_out, my_work_out, preview_out, task_out, view_out
from tracker.domain.tasks.kinds import WorkKind
from tracker.domain.tasks.lights import TaskStatus
from tracker.domain.tasks.schemas import (
    AssignmentIn,
    AssignmentOut,
    BoardOut,
    MyWorkOut,
    PreviewOut,
    ReasonIn,
    TaskDetailOut,
    TaskOut,
)
from tracker.domain.tasks.services import AssignmentService, BoardFilter, TaskService
from tracker.web.guards import require_role

Year = Annotated[int | None, QueryParameter(ge=2000, le=2100, description="a year, 2000 to 2100")]
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
        counts = await assignments.task_counts(assignment)
        return assignment_out(assignment, sum(counts.values()))

    @put("/{assignment_id:int}", guards=[ASSIGNERS], status_code=200, raises=WRITE_ERRORS,
         summary="Change an assignment: its future open tasks follow, finished ones never change")  # fmt: skip
    async def update_assignment(
        self, roster: NamedDependency[RosterService], assignments: NamedDependency[AssignmentService],
        now: NamedDependency[dt.datetime], code: FromPath[str], assignment_id: FromPath[int],
        data: JSONBody[AssignmentIn],
    ) -> AssignmentOut:  # fmt: skip
        town = await roster.get_town(code)
        assignment = await assignments.update(town, assignment_id, data, now)
        counts = await assignments.task_counts(assignment)
        return assignment_out(assignment, sum(counts.values()))


class TaskApi(Controller):
    path = "/api/v1"
    tags = ["tasks"]

    @get("/me/tasks", summary="My work: overdue, due this week, later, done in the last 14 days", raises=[NotAuthorizedException])
    async def my_tasks(self, tasks: NamedDependency[TaskService], now: NamedDependency[dt.datetime]) -> MyWorkOut:
        return my_work_out(await tasks.my_work(now))

    @get("/towns/{code:str}/tasks", summary="A town's tasks you may see, by due time", raises=READ_ERRORS)
    async def list_tasks(
        self, roster: NamedDependency[RosterService], tasks: NamedDependency[TaskService],
        now: NamedDependency[dt.datetime], code: FromPath[str],
        person_id: FromQuery[int | None] = None, status: FromQuery[TaskStatus | None] = None,
        year: Year = None, kind: FromQuery[WorkKind | None] = None,
        assignment_id: FromQuery[int | None] = None, overdue: FromQuery[bool] = False,
    ) -> list[TaskOut]:  # fmt: skip
        town = await roster.get_town(code)
        views = await tasks.list(
            town, now, person_id=person_id, status=status.value if status else None, year=year, kind=kind,
            assignment_id=assignment_id, overdue_only=overdue,
        )  # fmt: skip
        return [view_out(v) for v in views]

    @get("/tasks/{task_id:int}", summary="One task with its records", raises=READ_ERRORS)
    async def get_task(
        self, tasks: NamedDependency[TaskService], now: NamedDependency[dt.datetime], task_id: FromPath[int]
    ) -> TaskDetailOut:
        return detail_out(await tasks.detail(task_id, now))

    @post("/tasks/{task_id:int}/excuse", guards=[require_role(Role.SECRETARY)], status_code=200,
          raises=WRITE_ERRORS, summary="Excuse an open task, with a reason (the town's secretary)")  # fmt: skip
    async def excuse_task(
        self, tasks: NamedDependency[TaskService], now: NamedDependency[dt.datetime], task_id: FromPath[int],
        data: JSONBody[ReasonIn],
    ) -> TaskOut:  # fmt: skip
        return task_out(await tasks.excuse(task_id, data.reason, now))

    @post("/tasks/{task_id:int}/cancel", guards=[require_role(Role.SECRETARY)], status_code=200,
          raises=WRITE_ERRORS, summary="Cancel an open task, with a reason (the town's secretary)")  # fmt: skip
    async def cancel_task(
        self, tasks: NamedDependency[TaskService], now: NamedDependency[dt.datetime], task_id: FromPath[int],
        data: JSONBody[ReasonIn],
    ) -> TaskOut:  # fmt: skip
        return task_out(await tasks.cancel(task_id, data.reason, now))

    @get("/towns/{code:str}/board", guards=[require_role(Role.SECRETARY, Role.OFFICIAL, Role.VIEWER)],
         raises=[*READ_ERRORS, PermissionDeniedException, ValidationException],
         summary="The board: people by tier and unit x months or quarters, overdue tasks, far records")  # fmt: skip
    async def board(
        self, roster: NamedDependency[RosterService], tasks: NamedDependency[TaskService],
        now: NamedDependency[dt.datetime], code: FromPath[str],
        year: Year = None, cadence: FromQuery[Literal["month", "quarter"]] = "month", tier: FromQuery[str | None] = None,
        unit_id: FromQuery[int | None] = None, kind: FromQuery[str | None] = None,
        assignment_id: FromQuery[int | None] = None,
    ) -> BoardOut:  # fmt: skip
        town = await roster.get_town(code)
        filters = BoardFilter(tier=tier, unit_id=unit_id, kind=kind, assignment_id=assignment_id,  # type: ignore[arg-type]
                              year=year, cadence=cadence)  # fmt: skip
        board = await tasks.board(town, filters, now)
        return board_out(board, year or local_date(now, town.timezone).year, cadence)
