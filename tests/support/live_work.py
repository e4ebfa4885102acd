"""Work on a live server: the personas' world with open tasks of a chosen target, personal API tokens
for the personas, and records filed through the JSON API with httpx (for real parallel requests
against tests/support/live_server.py)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import World
from tracker.db.models.tasks import Assignment, Cadence, Record, Task, WhoKind, WorkKind
from tracker.domain.accounts.users import UserService
from tracker.domain.clock import due_instant, local_date, utc_now

ZONE = "Asia/Shanghai"
ENGLISH = {"Accept-Language": "en"}


def today() -> dt.date:
    return local_date(utc_now(), ZONE)


def open_task(
    person_id: Callable[[World], int], target: int, title: str = "并发记录"
) -> Callable[[AsyncSession, World], Any]:
    """A maker of one open custom task of the person's, due in a week, needing `target` records."""

    async def make(session: AsyncSession, world: World) -> int:
        assignment = Assignment(
            town_id=world.a.town.id, title=title, kind=WorkKind.CUSTOM, description="", target_count=target,
            who_kind=WhoKind.PEOPLE, who_person_ids=[person_id(world)], cadence=Cadence.ONCE, active=True,
        )  # fmt: skip
        session.add(assignment)
        await session.flush()
        due_day = today() + dt.timedelta(days=7)
        task = Task(
            town_id=world.a.town.id, assignment_id=assignment.id, person_id=person_id(world), place_id=None,
            slot=f"{person_id(world)}:-:{title}", period_key=title, period_start=today() - dt.timedelta(days=20),
            period_end=due_day, due_at=due_instant(due_day, ZONE), title=title, kind=WorkKind.CUSTOM,
            target_count=target,
        )  # fmt: skip
        session.add(task)
        await session.flush()
        return task.id

    return make


def tokens(db: Callable[..., Any], world: World, *logins: str) -> dict[str, str]:
    """A personal API token for each persona named (the secret, for `Authorization: Bearer`)."""

    async def make(session: AsyncSession) -> dict[str, str]:
        service = UserService(session, None)  # type: ignore[arg-type]
        return {login: (await service.create_token(world.users[login], "live")).secret for login in logins}

    return db(make)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **ENGLISH}


def record_body(key: str, note: str = "并发") -> dict[str, Any]:
    return {"client_key": key, "occurred_on": today().isoformat(), "fields": {"note": note}}


async def file_record(client: httpx.AsyncClient, secret: str, task_id: int, key: str) -> httpx.Response:
    return await client.post(
        f"/api/v1/tasks/{task_id}/records", json=record_body(key), headers=bearer(secret)
    )


async def task_and_records(session: AsyncSession, task_id: int) -> tuple[Task, list[Record]]:
    task = await session.get(Task, task_id)
    records = (
        await session.scalars(select(Record).where(Record.task_id == task_id).order_by(Record.id))
    ).all()
    assert task is not None
    return task, list(records)


def heavy_png(edge: int) -> bytes:
    """A black 1-bit picture of edge x edge pixels: a few kilobytes of PNG that decode to edge² pixels."""
    buffer = io.BytesIO()
    Image.new("1", (edge, edge)).save(buffer, format="PNG")
    return buffer.getvalue()


async def sign_in_live(client: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    """Sign in through the form as a browser would: the sign-in page for the CSRF cookie, then the POST."""
    await client.get("/login", headers=ENGLISH)
    token = client.cookies.get("tracker_csrf")
    assert token, "the sign-in page set no CSRF cookie"
    form = {"login": login, "password": password, "_csrf_token": token, "next": "/"}
    return await client.post("/login", data=form, headers=ENGLISH)


def upload_parts(
    key: str, pictures: list[bytes]
) -> tuple[dict[str, str], list[tuple[str, tuple[str, bytes, str]]]]:
    """The multipart form of the API's upload route: a `record` JSON part and the `photos` files."""
    import json

    files = [("photos", (f"photo-{n}.png", content, "image/png")) for n, content in enumerate(pictures)]
    return {"record": json.dumps(record_body(key))}, files
