"""The scheduler on both engines: job leases, one pass (plan, queue, send; a dry run writes nothing),
the loop (survives a failing pass, stops when told) and the loop inside the web app
(TRACKER_SCHEDULER=on)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.factories import SmallTown, build_small_town
from tests.support.work_services import assignment_in, dump
from tracker.config import Settings
from tracker.db.models.reminders import ChannelKind, JobLease, NotifyChannel, OutboxMessage, OutboxStatus
from tracker.db.session import make_engine
from tracker.domain.planning.service import AssignmentService
from tracker.domain.reminders import scheduler
from tracker.domain.reminders.leases import record_run, release_lease, take_lease
from tracker.domain.reminders.scheduler import run_forever, run_pass

PLANNED_AT = dt.datetime(2026, 3, 15, 4, 0, tzinfo=dt.UTC)
# 09:00 in town on 30 March: March's monthly task is due on the 31st
DAY_BEFORE_DUE = dt.datetime(2026, 3, 30, 1, 0, tzinfo=dt.UTC)
TTL = dt.timedelta(minutes=5)
Maker = async_sessionmaker[AsyncSession]


class Mailbox:
    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp_url() -> Iterator[tuple[Mailbox, str]]:
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


@pytest.fixture
async def maker(db_url: str) -> AsyncIterator[Maker]:
    engine = make_engine(db_url)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


def settings_for(db_url: str, tmp_path: Path, **values: Any) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789",
                    **values)  # fmt: skip


async def town_with_work(maker: Maker) -> SmallTown:
    """A town whose cadre has a monthly task (March's due on the 31st) and an e-mail channel."""
    async with maker() as session, session.begin():
        town = await build_small_town(session)
        town.cadre.email = "ding@town.example.cn"
        session.add(NotifyChannel(town_id=town.town.id, person_id=town.cadre.id, kind=ChannelKind.EMAIL))
        who = {"kind": "people", "person_ids": [town.cadre.id]}
        await AssignmentService(session, None).create(town.town, assignment_in(who), PLANNED_AT)
        return town


async def count(maker: Maker, model: Any, *where: Any) -> int:
    async with maker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# -- leases ---------------------------------------------------------------------------------------


async def test_it_gives_a_lease_to_one_holder_until_it_runs_out(maker: Maker) -> None:
    now = PLANNED_AT
    assert await take_lease(maker, "queue", "a", now, TTL) is True
    assert await take_lease(maker, "queue", "b", now, TTL) is False
    assert await take_lease(maker, "queue", "a", now + dt.timedelta(minutes=1), TTL) is True  # extended
    # a holds it until now + 1 min + TTL
    assert await take_lease(maker, "queue", "b", now + TTL, TTL) is False
    assert await take_lease(maker, "queue", "b", now + TTL + dt.timedelta(minutes=2), TTL) is True
    assert await take_lease(maker, "plan", "a", now, TTL) is True  # another job, another lease


async def test_it_lets_only_the_holder_release_a_lease(maker: Maker) -> None:
    assert await take_lease(maker, "plan", "a", PLANNED_AT, TTL) is True
    assert await release_lease(maker, "plan", "b") is False
    assert await take_lease(maker, "plan", "b", PLANNED_AT, TTL) is False
    assert await release_lease(maker, "plan", "a") is True
    assert await take_lease(maker, "plan", "b", PLANNED_AT, TTL) is True
    await record_run(maker, "plan", PLANNED_AT, {"created_tasks": 3})
    async with maker() as session:
        lease = (await session.scalars(select(JobLease).where(JobLease.name == "plan"))).one()
    assert (lease.holder, lease.last_run_at, lease.last_result) == ("b", PLANNED_AT, {"created_tasks": 3})


async def test_it_gives_a_lease_to_one_of_many_asking_at_once(maker: Maker) -> None:
    taken = await asyncio.gather(*(take_lease(maker, "queue", f"h{i}", PLANNED_AT, TTL) for i in range(12)))
    assert taken.count(True) == 1
    assert await count(maker, JobLease) == 1


# -- one pass -------------------------------------------------------------------------------------


async def test_it_queues_and_sends_what_is_owed_once(
    maker: Maker, db_url: str, tmp_path: Path, smtp_url: Any
) -> None:
    box, url = smtp_url
    await town_with_work(maker)
    settings = settings_for(db_url, tmp_path, smtp_url=url)

    first = await run_pass(maker, settings, DAY_BEFORE_DUE, worker="w")
    again = await run_pass(maker, settings, DAY_BEFORE_DUE + dt.timedelta(hours=1), worker="w")

    assert (first.queued, first.sent, first.failed, first.errors) == (2, 2, 0, [])
    assert sorted(m.channel_kind for m in first.messages) == [ChannelKind.EMAIL, ChannelKind.IN_APP]
    assert (again.queued, again.sent, again.failed) == (0, 0, 0)  # one message per recipient, channel, day
    assert box.recipients == ["ding@town.example.cn"]
    assert await count(maker, OutboxMessage, OutboxMessage.status == OutboxStatus.SENT) == 2
    async with maker() as session:
        leases = {lease.name: lease for lease in (await session.scalars(select(JobLease))).all()}
    assert set(leases) == {"plan", "queue"}
    assert leases["queue"].last_result == {"queued": 0} and leases["queue"].until is None  # released


async def test_it_writes_nothing_in_a_dry_run(maker: Maker, db_url: str, tmp_path: Path) -> None:
    await town_with_work(maker)
    async with maker() as session:
        before = await dump(session)

    result = await run_pass(maker, settings_for(db_url, tmp_path), DAY_BEFORE_DUE, dry_run=True, worker="w")

    assert result.queued == len(result.messages) == 2
    assert {m.recipient for m in result.messages} == {"干部丁"}
    assert result.sent == result.failed == 0
    async with maker() as session:
        assert await dump(session) == before


async def test_it_still_sends_when_planning_fails(
    maker: Maker, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    town = await town_with_work(maker)

    async def broken(session: AsyncSession, now: dt.datetime) -> int:
        raise RuntimeError("planning is broken")

    monkeypatch.setattr(scheduler, "keep_tasks_ahead", broken)
    result = await run_pass(maker, settings_for(db_url, tmp_path), DAY_BEFORE_DUE, worker="w")
    assert result.errors == ["plan: planning is broken"]
    assert (result.queued, result.sent) == (2, 1)  # the e-mail waits for TRACKER_SMTP_URL
    assert await count(maker, OutboxMessage, OutboxMessage.person_id == town.cadre.id) == 2
    assert await take_lease(maker, "plan", "someone-else", DAY_BEFORE_DUE, TTL) is True  # released on failure


# -- the loop -------------------------------------------------------------------------------------


async def test_it_keeps_going_after_a_failed_pass_and_stops_when_told(
    maker: Maker,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await town_with_work(maker)
    settings = settings_for(db_url, tmp_path, scheduler_interval_seconds=0.05)
    calls: list[dt.datetime] = []
    real_pass = scheduler.run_pass

    async def flaky_pass(*args: Any, **kwargs: Any) -> scheduler.PassResult:
        calls.append(args[2])
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return await real_pass(*args, **kwargs)

    monkeypatch.setattr(scheduler, "run_pass", flaky_pass)
    stop = asyncio.Event()
    with caplog.at_level(logging.ERROR, logger="tracker.domain.reminders.scheduler"):
        loop = asyncio.create_task(run_forever(maker, settings, worker="w", stop=stop))
        for _ in range(200):
            if len(calls) >= 3:
                break
            await asyncio.sleep(0.02)
        stop.set()
        started = time.monotonic()
        await asyncio.wait_for(loop, timeout=5)
    assert time.monotonic() - started < 2
    assert len(calls) >= 3
    assert all(call.tzinfo is not None for call in calls)  # the real clock, aware
    assert "a pass failed" in caplog.text and "the database went away" in caplog.text


async def test_it_returns_at_once_when_stopped_before_it_starts(
    maker: Maker, db_url: str, tmp_path: Path
) -> None:
    stop = asyncio.Event()
    stop.set()
    await asyncio.wait_for(
        run_forever(maker, settings_for(db_url, tmp_path), worker="w", stop=stop), timeout=2
    )
    assert await count(maker, JobLease) == 0


def test_it_runs_the_loop_in_the_web_app_when_the_scheduler_is_on(
    db_url: str, tmp_path: Path, db: Any
) -> None:
    from tracker.app import create_app

    async def queue(session: AsyncSession) -> int:
        town = await build_small_town(session)
        message = OutboxMessage(
            town_id=town.town.id, key="p1:in_app:test", slot="2027-12-20", person_id=town.cadre.id,
            channel_kind=ChannelKind.IN_APP, subject="提醒", text="提醒", next_attempt_at=PLANNED_AT,
        )  # fmt: skip
        session.add(message)
        await session.flush()
        return message.id

    async def status(session: AsyncSession) -> OutboxStatus:
        return (await session.get_one(OutboxMessage, message_id)).status

    message_id = db(queue)
    settings = settings_for(db_url, tmp_path, scheduler=True, scheduler_interval_seconds=0.1)
    with TestClient(app=create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        deadline = time.monotonic() + 10
        while db(status) is not OutboxStatus.SENT and time.monotonic() < deadline:
            time.sleep(0.05)
        assert db(status) is OutboxStatus.SENT
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 5  # shut-down stops the loop promptly


def test_it_leaves_the_loop_off_when_the_scheduler_is_off(db_url: str, tmp_path: Path, db: Any) -> None:
    from tracker.app import create_app

    async def leases(session: AsyncSession) -> int:
        return await session.scalar(select(func.count()).select_from(JobLease)) or 0

    settings = settings_for(db_url, tmp_path, scheduler=False, scheduler_interval_seconds=0.05)
    with TestClient(app=create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        time.sleep(0.3)
    assert db(leases) == 0
