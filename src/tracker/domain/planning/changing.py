"""Changing an assignment from its page: what an edit would change (before saving it), and stopping it
from a date.

- `preview_edit` runs AssignmentService.update itself inside a savepoint and rolls it back, so the
  preview says exactly what saving would do (the API's PUT: only future open tasks follow; done,
  excused, cancelled and overdue ones stay): tasks made, closed (people no longer selected), reopened,
  and future open tasks moved or renamed.
- `stop` ends an assignment from a town-local day: its open tasks due on or after that day and not yet
  due are cancelled (with a reason the task page shows), and the assignment becomes inactive, so the
  roster sync and the planning job make no new tasks for it. Work due before the day, work done or
  already closed, and overdue work stay as they are. A finalised year's tasks are never touched
  (they are past anyway). The day may not be before today. One conditional UPDATE (`status = open`):
  a task closed by a record at the same moment stays done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import Town
from tracker.db.models.tasks import Assignment, Task, TaskStatus
from tracker.domain.access import Actor
from tracker.domain.audit.service import record_event
from tracker.domain.clock import due_instant, local_date
from tracker.domain.errors import InvalidInput, NotAllowed
from tracker.domain.planning.schemas import AssignmentIn
from tracker.domain.planning.service import AssignmentService
from tracker.domain.scope import Scope
from tracker.domain.work.display import due_on
from tracker.domain.work.locks import final_years
from tracker.i18n import _


@dataclass(frozen=True)
class EditPreview:
    created: int  # new tasks (new people, places or periods)
    closed: int  # future open tasks of people no longer selected
    reopened: int  # tasks closed by an earlier change that are wanted again
    moved: int  # future open tasks whose due day, title or target follow the change


@dataclass(frozen=True)
class TaskState:
    status: TaskStatus
    due_at: dt.datetime
    title: str
    target_count: int


def compare(before: dict[int, TaskState], after: dict[int, TaskState]) -> EditPreview:
    """What changed between two readings of an assignment's tasks. Pure."""
    created = len(set(after) - set(before))
    closed = reopened = moved = 0
    for task_id, old in before.items():
        new = after.get(task_id)
        if new is None:
            continue
        if old.status is TaskStatus.OPEN and new.status is not TaskStatus.OPEN:
            closed += 1
        elif old.status is not TaskStatus.OPEN and new.status is TaskStatus.OPEN:
            reopened += 1
        elif new.status is TaskStatus.OPEN and (old.due_at, old.title, old.target_count) != (
            new.due_at, new.title, new.target_count,
        ):  # fmt: skip
            moved += 1
    return EditPreview(created, closed, reopened, moved)


def stoppable(
    tasks: list[tuple[int, TaskStatus, dt.datetime]], first_instant: dt.datetime, now: dt.datetime
) -> list[int]:
    """The ids of the tasks a stop cancels: open, not yet due, due on or after the stop's first day. Pure."""
    return [
        task_id for task_id, status, due_at in tasks
        if status is TaskStatus.OPEN and due_at > now and due_at >= first_instant
    ]  # fmt: skip


class AssignmentChanges:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)
        self.assignments = AssignmentService(session, actor, self.scope)

    async def _states(self, assignment_id: int) -> dict[int, TaskState]:
        rows = await self.session.execute(
            select(Task.id, Task.status, Task.due_at, Task.title, Task.target_count)
            .where(Task.assignment_id == assignment_id)
            .execution_options(populate_existing=True)
        )
        return {
            row.id: TaskState(TaskStatus(row.status), row.due_at, row.title, row.target_count) for row in rows
        }

    async def preview_edit(
        self, town: Town, assignment_id: int, data: AssignmentIn, now: dt.datetime
    ) -> EditPreview:
        """What `AssignmentService.update` would change; nothing is kept (InvalidInput as update raises it)."""
        before = await self._states(assignment_id)
        if self.session.get_bind().dialect.name == "sqlite":
            # a real transaction first, so that the savepoint nests in it (as records.py does)
            await self.session.execute(
                text("UPDATE town SET timezone = timezone WHERE id = :id"), {"id": town.id}
            )
        savepoint = await self.session.begin_nested()
        try:
            await self.assignments.update(town, assignment_id, data, now)
            await self.session.flush()
            after = await self._states(assignment_id)
        finally:
            await savepoint.rollback()
        # The savepoint's rollback expired what it changed; the assignment is read again here (awaited),
        # not lazily by a template.
        await self.session.refresh(await self.assignments.get(town, assignment_id))
        return compare(before, after)

    async def _stop_plan(
        self, town: Town, assignment_id: int, first_day: dt.date | None, now: dt.datetime
    ) -> tuple[Assignment, list[int]]:
        assignment = await self.assignments.get(town, assignment_id)
        reach = await self.scope.reach(town)
        if not reach.manages:
            raise NotAllowed(_("Only the town's secretary may stop an assignment"))
        if not assignment.active:
            message = _("This assignment is already stopped")
            raise InvalidInput(message, fields={"stop_from": message})
        today = local_date(now, town.timezone)
        if first_day is None:
            message = _("Choose the first day without this work")
            raise InvalidInput(message, fields={"stop_from": message})
        if first_day < today:
            message = _("Choose a day from today on")
            raise InvalidInput(message, fields={"stop_from": message})
        rows = await self.session.execute(
            select(Task.id, Task.status, Task.due_at)
            .where(Task.assignment_id == assignment.id)
            .order_by(Task.id)
        )
        tasks = [(row.id, TaskStatus(row.status), row.due_at) for row in rows]
        # The first instant that counts as "from the day on": work due at the end of the day before is kept.
        first_instant = due_instant(first_day - dt.timedelta(days=1), town.timezone) + dt.timedelta(
            microseconds=1
        )
        ids = stoppable(tasks, first_instant, now)
        if ids and (final := await final_years(self.session, town.id)):
            due = {task_id: due_at for task_id, _status, due_at in tasks}
            ids = [i for i in ids if due_on(due[i], town.timezone).year not in final]
        return assignment, ids

    async def stop_count(
        self, town: Town, assignment_id: int, first_day: dt.date | None, now: dt.datetime
    ) -> int:
        """How many tasks stopping from `first_day` would cancel (the confirmation says so)."""
        return len((await self._stop_plan(town, assignment_id, first_day, now))[1])

    async def stop(self, town: Town, assignment_id: int, first_day: dt.date | None, now: dt.datetime) -> int:
        """Stop the assignment from `first_day`; how many tasks were cancelled."""
        assignment, ids = await self._stop_plan(town, assignment_id, first_day, now)
        reason = _("The assignment was stopped from %(day)s", day=first_day.isoformat())  # type: ignore[union-attr]
        cancelled = 0
        if ids:
            result = await self.session.execute(
                update(Task).where(Task.id.in_(ids), Task.status == TaskStatus.OPEN)
                .values(status=TaskStatus.CANCELLED, status_reason=reason, closed_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )  # fmt: skip
            cancelled = int(result.rowcount or 0)  # type: ignore[attr-defined]
        assignment.active = False
        await self.session.flush()
        await record_event(
            self.session, "assignment_stopped", now=now, town_id=town.id, object_type="assignment",
            object_id=assignment.id,
            details={"title": assignment.title, "from": first_day.isoformat(), "cancelled": cancelled},  # type: ignore[union-attr]
        )  # fmt: skip
        return cancelled


__all__ = ["AssignmentChanges", "EditPreview", "TaskState", "compare", "stoppable"]
