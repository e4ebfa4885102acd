"""Helpers for the tasks services tests: a fixed `now`, assignment bodies, actors, table dumps, pictures."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.base import metadata
from tracker.db.models.accounts import Role
from tracker.db.models.roster import Person
from tracker.db.models.tasks import Task
from tracker.domain.access import Actor
from tracker.domain.planning.schemas import AssignmentIn
from tracker.domain.work.schemas import RecordIn

ZONE = "Asia/Shanghai"
NOW = dt.datetime(2026, 3, 15, 4, 0, tzinfo=dt.UTC)  # noon on Sunday 15 March 2026 in Shanghai
TODAY = dt.date(2026, 3, 15)
MONTHS = [f"2026-{month:02d}" for month in range(3, 13)]  # the months not over on 15 March
# Tables that change on every request whatever it does (sign-in bookkeeping, the log of refusals).
BOOKKEEPING = {"audit_entry", "access_refusal", "login_session", "login_attempt"}  # access_refusal: counts refusals


def assignment_in(who: dict[str, Any], when: dict[str, Any] | None = None, **extra: Any) -> AssignmentIn:
    body = {"title": "Work", "kind": "custom", "who": who, "when": when or {"cadence": "monthly"}, **extra}
    return AssignmentIn.model_validate(body)


def record_in(key: str = "key-00001", day: dt.date = TODAY, **extra: Any) -> RecordIn:
    return RecordIn.model_validate({"client_key": key, "occurred_on": day.isoformat(), **extra})


def actor(role: Role, town_id: int | None, person: Person | None = None, user_id: int = 1) -> Actor:
    return Actor(user_id=user_id, login=role.value, role=role, town_id=town_id,
                 person_id=person.id if person is not None else None)  # fmt: skip


async def tasks_of(session: AsyncSession, **where: Any) -> list[Task]:
    query = select(Task).order_by(Task.person_id, Task.place_id, Task.due_at, Task.id)
    for name, value in where.items():
        query = query.where(getattr(Task, name) == value)
    return list((await session.scalars(query)).all())


async def dump(session: AsyncSession, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the bookkeeping ones: compare two dumps to prove nothing changed."""
    result = {}
    for table in metadata.sorted_tables:
        if table.name not in BOOKKEEPING | skip:
            rows = (await session.execute(select(table).order_by(*table.primary_key.columns))).all()
            result[table.name] = [tuple(row) for row in rows]
    return result


def dump_db(db: Callable[..., Any]) -> dict[str, list[tuple[Any, ...]]]:
    """A dump from outside a request; API tokens left out (each call marks its token as used)."""
    return db(lambda session: dump(session, frozenset({"api_token"})))


def picture(fmt: str = "JPEG", size: tuple[int, int] = (640, 480), exif: bool = False, colour: str = "red") -> bytes:
    """A real picture; with `exif`, a JPEG carrying camera, GPS and orientation tags."""
    image = Image.new("RGB", size, colour)
    buffer = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "PhoneMaker"  # Make
        tags[0x0110] = "Phone 12"  # Model
        tags[0x0112] = 6  # Orientation: rotate 90° clockwise to show
        tags[0x8825] = {1: "N", 2: (34.0, 1.0, 2.0), 3: "E", 4: (108.0, 0.0, 1.0)}  # GPSInfo
        image.save(buffer, format=fmt, exif=tags)
    else:
        image.save(buffer, format=fmt)
    return buffer.getvalue()
