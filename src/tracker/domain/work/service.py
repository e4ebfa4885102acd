"""Tasks as people see them: my work, one task with its records, lists, excusing and cancelling.

Lights come from lights.task_light with the town's warning window; a task "falls in" a year when
its due day (local) does. Access (domain/scope.py): a member sees their own work, an official also the
work of everyone below them, the secretary, viewers and admins all of the town's; only the
town's secretary (or an admin) excuses or cancels, with a reason the audit log keeps; never a task of
a finalised year (locks.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from tracker.db.models.roster import Town
from tracker.db.models.tasks import Record, Task, TaskStatus, WorkKind
from tracker.domain.access import Actor
from tracker.domain.audit.service import record_event
from tracker.domain.clock import FIRST_YEAR, LAST_YEAR, due_instant, local_date
from tracker.domain.errors import InvalidInput
from tracker.domain.scope import Reach, Scope, require_manage, require_read, task_missing
from tracker.domain.text import text_problem
from tracker.domain.work.display import due_on
from tracker.domain.work.lights import done_late, is_overdue, task_light
from tracker.domain.work.locks import amendments_of, final_years, refuse_if_final, task_year
from tracker.domain.work.schemas import MyWork, TaskDetail, TaskView
from tracker.i18n import _

WEEK_DAYS = 7
RECENTLY_DONE_DAYS = 14
TASK_LOADS = (selectinload(Task.person), selectinload(Task.place), selectinload(Task.assignment))


def task_view(task: Task, now: dt.datetime, warning_days: int) -> TaskView:
    late = task.status is TaskStatus.DONE and task.closed_at is not None and done_late(task.closed_at, task.due_at)
    return TaskView(task=task, light=task_light(task.status, task.due_at, now, warning_days), late=late)


def year_bounds(year: int, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """The due instants of work due on 1 January and on 31 December of `year` (both inclusive)."""
    return due_instant(dt.date(year, 1, 1), timezone), due_instant(dt.date(year, 12, 31), timezone)


def in_year(query: Select, year: int, timezone: str) -> Select:  # type: ignore[type-arg]
    first, last = year_bounds(year, timezone)
    return query.where(Task.due_at >= first, Task.due_at <= last)


def check_year(year: int | None) -> None:
    """Years the tracker reasons about; anything else is a field error (not a crash on date(99999))."""
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        message = _("Choose a year from 2000 to 2100")
        raise InvalidInput(message, fields={"year": message})


def already_closed(task: Task) -> InvalidInput:
    messages = {
        TaskStatus.DONE: _("This task is already done"),
        TaskStatus.EXCUSED: _("This task is already excused"),
        TaskStatus.CANCELLED: _("This task is already cancelled"),
        TaskStatus.REASSIGNED: _("This task was closed when the roster changed"),
    }
    message = messages.get(TaskStatus(task.status), _("This task is not open"))
    return InvalidInput(message, fields={"task_id": message})


class TaskService:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)

    async def _tasks(self, query: Select) -> list[Task]:  # type: ignore[type-arg]
        return list((await self.session.scalars(query.options(*TASK_LOADS))).all())

    async def load(self, task_id: int, *, for_update: bool = False) -> tuple[Task, Town, Reach]:
        """The task with its person, place and assignment, its town and the actor's reach there.

        Loaded once per request: a second call answers from the session (no query), and the reach
        comes from the request's scope. `for_update` reads it afresh under a row lock.
        A task in a town out of reach is OutOfReach; one whose person the actor may not read is NotFound.
        """
        task = await self.session.get(
            Task, task_id, options=TASK_LOADS, with_for_update=True if for_update else None,
            populate_existing=for_update,
        )  # fmt: skip
        if task is None:
            raise task_missing(task_id)
        town = await self.session.get(Town, task.town_id)
        if town is None:  # pragma: no cover - the foreign key forbids it
            raise task_missing(task_id)
        reach = await self.scope.reach(town)
        require_read(reach, task.person_id, task_id)
        return task, town, reach

    # -- the phone's home screen -------------------------------------------------------------

    async def my_work(self, now: dt.datetime) -> MyWork:
        work = MyWork(overdue=[], due_this_week=[], later=[], recently_done=[])
        actor = self.actor
        if actor is None or actor.person_id is None:
            return work
        town = await self.scope.home_town()
        if town is None:
            return work
        since = now - dt.timedelta(days=RECENTLY_DONE_DAYS)
        # open and recently done in one statement, with the person and place joined (the list shows no
        # assignment: it stays unloaded)
        mine = list((await self.session.scalars(
            select(Task).where(
                Task.person_id == actor.person_id,
                or_(Task.status == TaskStatus.OPEN, and_(Task.status == TaskStatus.DONE, Task.closed_at >= since)),
            ).options(joinedload(Task.person), joinedload(Task.place))
        )).all())  # fmt: skip
        open_tasks = sorted((t for t in mine if t.status is TaskStatus.OPEN), key=lambda t: (t.due_at, t.id))
        done = sorted((t for t in mine if t.status is TaskStatus.DONE), key=lambda t: (t.closed_at, t.id), reverse=True)
        week_end = due_instant(local_date(now, town.timezone) + dt.timedelta(days=WEEK_DAYS), town.timezone)
        for task in open_tasks:
            view = task_view(task, now, town.warning_days)
            if is_overdue(task.status, task.due_at, now):
                work.overdue.append(view)
            elif task.due_at <= week_end:
                work.due_this_week.append(view)
            else:
                work.later.append(view)
        work.recently_done = [task_view(task, now, town.warning_days) for task in done]
        return work

    # -- one task ----------------------------------------------------------------------------

    async def detail(self, task_id: int, now: dt.datetime) -> TaskDetail:
        task, town, reach = await self.load(task_id)
        records = list((await self.session.scalars(
            select(Record).where(Record.task_id == task.id)
            .options(selectinload(Record.photos), selectinload(Record.person), selectinload(Record.place))
            .order_by(Record.occurred_on, Record.id)
        )).all())  # fmt: skip
        is_open = task.status is TaskStatus.OPEN
        # A year is finalised only once it is over: a task whose period starts this year (its records
        # no earlier) has nothing of a finalised year to show, and costs no query.
        maybe_final = task.period_start.year < local_date(now, town.timezone).year
        final = await final_years(self.session, town.id) if maybe_final else frozenset[int]()
        finalised = [r.id for r in records if r.occurred_on.year in final]
        # an open task of a finalised year can no longer be recorded, excused or cancelled: no forms
        year = task_year(task, town.timezone)
        locked = year in final
        return TaskDetail(
            view=task_view(task, now, town.warning_days),
            town=town,
            records=records,
            can_record=is_open and not locked and reach.may_act(task.person_id),
            can_excuse=is_open and not locked and reach.manages,
            final_years=final,
            amendments=await amendments_of(self.session, finalised) if finalised else {},
            can_amend=reach.may_act(task.person_id),
            locked_year=year if locked else None,
        )

    async def list(
        self,
        town: Town,
        now: dt.datetime,
        *,
        person_id: int | None = None,
        status: str | None = None,
        year: int | None = None,
        kind: WorkKind | str | None = None,
        assignment_id: int | None = None,
        overdue_only: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[TaskView]:
        """The town's tasks the actor may read, by due time (then person, then id: a total order, so
        pages never overlap); filters narrow it (an unknown status finds nothing); `limit` rows from
        `offset` when given."""
        check_year(year)
        reach = await self.scope.reach(town)
        query = reach.filter(select(Task), Task)
        if person_id is not None:
            query = query.where(Task.person_id == person_id)
        if status is not None:
            if status not in {s.value for s in TaskStatus}:
                return []
            query = query.where(Task.status == TaskStatus(status))
        if kind is not None:
            query = query.where(Task.kind == WorkKind(kind))
        if assignment_id is not None:
            query = query.where(Task.assignment_id == assignment_id)
        if overdue_only:
            query = query.where(Task.status == TaskStatus.OPEN, Task.due_at <= now)
        if year is not None:
            query = in_year(query, year, town.timezone)
        query = query.order_by(Task.due_at, Task.person_id, Task.id)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        tasks = await self._tasks(query)
        return [task_view(task, now, town.warning_days) for task in tasks]

    # -- closing without a record --------------------------------------------------------------

    async def excuse(self, task_id: int, reason: str, now: dt.datetime) -> Task:
        return await self._close(task_id, reason, now, TaskStatus.EXCUSED)

    async def cancel(self, task_id: int, reason: str, now: dt.datetime) -> Task:
        return await self._close(task_id, reason, now, TaskStatus.CANCELLED)

    async def _close(self, task_id: int, reason: str, now: dt.datetime, status: TaskStatus) -> Task:
        task, town, reach = await self.load(task_id, for_update=True)
        require_manage(reach, _("Only the town's secretary may excuse or cancel a task"))
        await refuse_if_final(self.session, town.id, due_on(task.due_at, town.timezone), field="task_id")
        if task.status is not TaskStatus.OPEN:
            raise already_closed(task)
        reason = (reason or "").strip()
        if not reason:
            message = _("Give a reason")
            raise InvalidInput(message, fields={"reason": message})
        if problem := text_problem(reason):  # the page's form as well as the API's ReasonIn
            raise InvalidInput(problem, fields={"reason": problem})
        task.status, task.status_reason, task.closed_at = status, reason, now
        await self.session.flush()
        await record_event(
            self.session,
            f"task_{status.value}",
            now=now,
            town_id=town.id,
            object_type="task",
            object_id=task.id,
            details={"status": status.value, "reason": reason, "title": task.title, "person_id": task.person_id},
        )
        return task


__all__ = ["TaskService", "already_closed", "check_year", "in_year", "task_view", "year_bounds"]
