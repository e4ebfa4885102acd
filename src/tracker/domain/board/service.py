"""The secretary's board (督办台): people x months (or quarters) of a year, each cell the worst light
of that person's tasks falling due in it, with the overdue tasks and the records flagged as far.

Rows are the people with at least one task in the filtered set, grouped by tier (tier 1, 2, 3)
and then unit, ordered by person code, each with their totals (due to date, done, overdue, the
completion rate). The overdue tasks come latest due first, all of them (the pages page them). A task falls in the column of its local due day. The actor
sees the rows of the people whose work they may read (an official: themselves and everyone
below them); members have no board.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tracker.db.models.accounts import Role
from tracker.db.models.reminders import NotifyChannel, OutboxItem, OutboxMessage, ReminderReason
from tracker.db.models.roster import Person, Tier, Town
from tracker.db.models.tasks import Record, Task, WorkKind
from tracker.domain.access import Actor
from tracker.domain.board.rules import CADENCES, column_labels, current_column, group_rows, newest_first
from tracker.domain.board.schemas import Board, BoardFilter, EscalationMark, GridTask
from tracker.domain.clock import local_date
from tracker.domain.errors import InvalidInput, NotAllowed
from tracker.domain.scope import Reach, Scope
from tracker.domain.work.lights import is_overdue, task_light
from tracker.domain.work.schemas import TaskView
from tracker.domain.work.service import check_year, in_year, task_view
from tracker.i18n import _


def _parse(filters: BoardFilter) -> tuple[Tier | None, WorkKind | None]:
    errors: dict[str, str] = {}
    tier = kind = None
    if filters.cadence not in CADENCES:
        errors["cadence"] = _("Choose months or quarters")
    try:
        tier = Tier(filters.tier) if filters.tier else None
    except ValueError:
        errors["tier"] = _("Choose a tier")
    try:
        kind = WorkKind(filters.kind) if filters.kind else None
    except ValueError:
        errors["kind"] = _("Choose a kind of work")
    try:
        check_year(filters.year)
    except InvalidInput as refused:
        errors.update(refused.fields)
    if errors:
        raise InvalidInput(next(iter(errors.values())), fields=errors)
    return tier, kind


ESCALATIONS = (ReminderReason.ESCALATED_SUPERVISOR, ReminderReason.ESCALATED_SECRETARY)


async def escalation_marks(
    session: AsyncSession, town_id: int, task_ids: Select[Any]
) -> dict[int, list[EscalationMark]]:
    """The board's escalation marks: task id -> who reminders escalated it to (a person's name, or
    a group robot's label), each once: people first, supervisors before secretaries. One query for
    the tasks `task_ids` selects (the board's own filtered query, as a subquery: no list of ids)."""
    query = (
        select(OutboxItem.task_id, OutboxItem.reason, Person.name, NotifyChannel.label)
        .join(OutboxMessage, OutboxMessage.id == OutboxItem.message_id)
        .outerjoin(Person, Person.id == OutboxMessage.person_id)
        .outerjoin(NotifyChannel, NotifyChannel.id == OutboxMessage.channel_id)
        .where(OutboxMessage.town_id == town_id, OutboxItem.reason.in_(ESCALATIONS), OutboxItem.task_id.in_(task_ids))
        .distinct()
    )  # fmt: skip
    marks: dict[int, list[EscalationMark]] = {}
    for task_id, reason, name, label in (await session.execute(query)).all():
        group = name is None
        mark = EscalationMark(ReminderReason(reason), name if not group else label or _("Group robot"), group)
        if mark not in marks.setdefault(task_id, []):
            marks[task_id].append(mark)
    for found in marks.values():
        found.sort(key=lambda m: (m.group, m.reason is ReminderReason.ESCALATED_SECRETARY, m.recipient))
    return marks


class BoardService:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)

    async def board(self, town: Town, filters: BoardFilter, now: dt.datetime, *, person_id: int | None = None) -> Board:
        """The town's board as the actor may read it; with `person_id`, that person's row alone (what a
        cell needs: one person's tasks, not the town's), without the town's far-records list."""
        session, actor = self.session, self.actor
        reach = await self.scope.reach(town)
        if actor is not None and actor.role is Role.MEMBER:
            raise NotAllowed(_("The board is for the secretary, officials and viewers"))
        tier, kind = _parse(filters)
        year = filters.year or local_date(now, town.timezone).year
        query = in_year(reach.filter(select(Task).join(Person, Person.id == Task.person_id), Task), year, town.timezone)
        if tier is not None:
            query = query.where(Person.tier == tier)
        if filters.unit_id is not None:
            query = query.where(Person.unit_id == filters.unit_id)
        if kind is not None:
            query = query.where(Task.kind == kind)
        if filters.assignment_id is not None:
            query = query.where(Task.assignment_id == filters.assignment_id)
        if person_id is not None:
            query = query.where(Task.person_id == person_id)
        escalations = await escalation_marks(session, town.id, query.with_only_columns(Task.id))
        # the grid from four columns of every task; people (with units) and the overdue tasks loaded whole
        grid = [
            GridTask(task_id, owner_id, status, due_at, task_light(status, due_at, now, town.warning_days))
            for task_id, owner_id, status, due_at in (await session.execute(
                query.with_only_columns(Task.id, Task.person_id, Task.status, Task.due_at).order_by(Task.due_at, Task.id)
            )).all()
        ]  # fmt: skip
        people = {person.id: person for person in (await session.scalars(
            select(Person).where(Person.id.in_({task.person_id for task in grid})).options(selectinload(Person.unit))
        )).all()}  # fmt: skip
        overdue_ids = [task.id for task in grid if is_overdue(task.status, task.due_at, now)]
        overdue = (await session.scalars(
            select(Task).where(Task.id.in_(overdue_ids))
            .options(selectinload(Task.person).selectinload(Person.unit), selectinload(Task.place),
                     selectinload(Task.assignment))
        )).all() if overdue_ids else []  # fmt: skip
        columns = column_labels(filters.cadence)
        return Board(
            columns=columns,
            groups=group_rows(grid, people, len(columns), town.timezone, filters.cadence, now),
            overdue=newest_first(task_view(task, now, town.warning_days) for task in overdue),
            flagged=await self._flagged(reach, year) if person_id is None else [],
            escalations=escalations,
            current_column=current_column(local_date(now, town.timezone), year, filters.cadence),
            year=year,
        )


    async def cell_work(self, town: Town, task_ids: list[int], now: dt.datetime) -> tuple[list[TaskView], dict[int, list[Record]]]:
        """The tasks of one board cell (oldest due first) and the records filed against them, per task."""
        if not task_ids:
            return [], {}
        reach = await self.scope.reach(town)
        tasks = (await self.session.scalars(
            reach.filter(select(Task), Task).where(Task.id.in_(task_ids))
            .options(selectinload(Task.person), selectinload(Task.place), selectinload(Task.assignment))
            .order_by(Task.due_at, Task.id)
        )).all()  # fmt: skip
        records: dict[int, list[Record]] = {}
        for record in (await self.session.scalars(
            reach.filter(select(Record), Record).where(Record.task_id.in_(task_ids))
            .options(selectinload(Record.photos), selectinload(Record.place), selectinload(Record.person))
            .order_by(Record.occurred_on, Record.id)
        )).all():  # fmt: skip
            records.setdefault(record.task_id, []).append(record)  # type: ignore[arg-type]
        return [task_view(task, now, town.warning_days) for task in tasks], records

    async def _flagged(self, reach: Reach, year: int) -> list[Record]:
        query = (
            reach.filter(select(Record), Record)
            .where(Record.flagged_far.is_(True))
            .where(Record.occurred_on >= dt.date(year, 1, 1), Record.occurred_on <= dt.date(year, 12, 31))
            .options(selectinload(Record.person), selectinload(Record.place), selectinload(Record.task),
                     selectinload(Record.photos))
            .order_by(Record.occurred_on.desc(), Record.id.desc())
        )  # fmt: skip
        return list((await self.session.scalars(query)).all())


__all__ = ["BoardService"]
