"""Small read-only queries the task pages need beyond the service contract.

Each one is called only after a service has checked the actor's access to the town (or to the
task), so they add no access decision of their own: they read what the page shows next to what
the service returned (the town of a task, counts per assignment, a board cell's tasks and records).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tracker.db.models.roster import Town
from tracker.db.models.tasks import Record, Task, TaskStatus


async def town_by_id(session: AsyncSession, town_id: int) -> Town | None:
    return await session.get(Town, town_id)


@dataclass
class AssignmentCounts:
    total: int = 0
    open: int = 0
    done: int = 0
    closed: int = 0  # excused, cancelled or reassigned


async def counts_by_assignment(session: AsyncSession, town_id: int) -> dict[int, AssignmentCounts]:
    """Tasks per assignment of a town, by status."""
    query = (
        select(Task.assignment_id, Task.status, func.count())
        .where(Task.town_id == town_id)
        .group_by(Task.assignment_id, Task.status)
    )
    counts: dict[int, AssignmentCounts] = {}
    for assignment_id, status, number in (await session.execute(query)).all():
        entry = counts.setdefault(assignment_id, AssignmentCounts())
        entry.total += number
        if status is TaskStatus.OPEN:
            entry.open += number
        elif status is TaskStatus.DONE:
            entry.done += number
        else:
            entry.closed += number
    return counts


async def tasks_with_records(session: AsyncSession, town_id: int, task_ids: Iterable[int]) -> list[Task]:
    """The town's tasks with these ids, with person, place and assignment, oldest due first."""
    ids = list(task_ids)
    if not ids:
        return []
    query = (
        select(Task)
        .where(Task.town_id == town_id, Task.id.in_(ids))
        .options(selectinload(Task.person), selectinload(Task.place), selectinload(Task.assignment))
        .order_by(Task.due_at, Task.id)
    )
    return list((await session.scalars(query)).all())


async def records_of_tasks(
    session: AsyncSession, town_id: int, task_ids: Iterable[int]
) -> dict[int, list[Record]]:
    """The records filed against these tasks (with photos and place), per task, oldest first."""
    ids = list(task_ids)
    if not ids:
        return {}
    query = (
        select(Record)
        .where(Record.town_id == town_id, Record.task_id.in_(ids))
        .options(selectinload(Record.photos), selectinload(Record.place), selectinload(Record.person))
        .order_by(Record.occurred_on, Record.id)
    )
    found: dict[int, list[Record]] = {}
    for record in (await session.scalars(query)).all():
        found.setdefault(record.task_id, []).append(record)  # type: ignore[arg-type]
    return found
