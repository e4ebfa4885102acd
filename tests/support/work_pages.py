"""Helpers for the task pages tests: the personas' world with some work due around the real `now`.

The pages take `now` from the clock, so the tasks are placed relative to it: one overdue visit,
one lecture due within the week (target 2), one visit due later, each the cadre's; and one task of
the official's (for "someone else's task").
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import World, build_world
from tracker.db.models.tasks import Assignment, Cadence, Record, Task, WhoKind, WorkKind
from tracker.domain.clock import due_instant, local_date, utc_now

ENGLISH = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", "Accept-Language": "en"}
CLIENT_KEY = re.compile(r'name="client_key" value="([A-Za-z0-9_-]+)"')
ZONE = "Asia/Shanghai"


@dataclass
class Work:
    world: World
    overdue: int  # the cadre's visit at village 1, two days overdue
    this_week: int  # the cadre's lecture, due in three days, target 2
    later: int  # the cadre's visit, due in three weeks
    officials: int  # the official's visit (not the cadre's)


def _task(assignment: Assignment, person_id: int, place_id: int | None, due_in_days: int, key: str) -> Task:
    today = local_date(utc_now(), ZONE)
    due_day = today + dt.timedelta(days=due_in_days)
    return Task(
        town_id=assignment.town_id, assignment_id=assignment.id, person_id=person_id, place_id=place_id,
        slot=f"{person_id}:{place_id or '-'}:{key}", period_key=key,
        period_start=min(today, due_day) - dt.timedelta(days=20), period_end=due_day,
        due_at=due_instant(due_day, ZONE), title=assignment.title, kind=assignment.kind,
        target_count=assignment.target_count,
    )  # fmt: skip


def _assignment(world: World, title: str, kind: WorkKind, target: int = 1) -> Assignment:
    return Assignment(
        town_id=world.a.town.id, title=title, kind=kind, description="", target_count=target,
        who_kind=WhoKind.PEOPLE, who_person_ids=[world.a.cadre.id], cadence=Cadence.ONCE, active=True,
    )  # fmt: skip


async def build_work(session: AsyncSession) -> Work:
    world = await build_world(session)
    return Work(world, **await add_work(session, world))


async def add_work(session: AsyncSession, world: World) -> dict[str, int]:
    """The cadre's overdue, this-week and later tasks and the official's task (ids by Work's names)."""
    visits = _assignment(world, "走访东村", WorkKind.VISIT)
    lectures = _assignment(world, "宣讲两场", WorkKind.LECTURE, target=2)
    later = _assignment(world, "年底走访", WorkKind.VISIT)
    session.add_all([visits, lectures, later])
    await session.flush()
    village = world.a.villages[1].id
    tasks = [
        _task(visits, world.a.cadre.id, village, -2, "a"),
        _task(lectures, world.a.cadre.id, None, 3, "b"),
        _task(later, world.a.cadre.id, village, 21, "c"),
        _task(visits, world.a.official.id, village, 5, "d"),
    ]
    session.add_all(tasks)
    await session.flush()
    return dict(zip(("overdue", "this_week", "later", "officials"), (t.id for t in tasks), strict=True))


def png(size: tuple[int, int] = (40, 30), colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def client_key(html: str) -> str:
    found = CLIENT_KEY.search(html)
    assert found, "no client_key in the record form"
    return found.group(1)


async def task_and_records(session: AsyncSession, task_id: int) -> tuple[Task, list[Record]]:
    task = await session.get(Task, task_id)
    records = (await session.scalars(select(Record).where(Record.task_id == task_id))).all()
    return task, list(records)  # type: ignore[return-value]


async def all_records(session: AsyncSession) -> list[Record]:
    return list((await session.scalars(select(Record).order_by(Record.id))).all())
