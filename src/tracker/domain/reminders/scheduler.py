"""The scheduler: one pass keeps tasks ahead, queues the reminders owed, and sends the outbox;
`run_forever` repeats it every TRACKER_SCHEDULER_INTERVAL_SECONDS.

It runs in each web process (TRACKER_SCHEDULER=on, app.py) or in `tracker worker`, and any number
of them may run at once. The two jobs that compute over every town, "plan" and "queue", run under
a job lease (leases.py), so one process does each at a time (both are idempotent anyway: a task's
slot and a message's key are unique). Sending needs no lease: each message is claimed on its own
(dispatch.py).

A pass's steps are independent: one that fails is logged and noted in `PassResult.errors`, and the
others still run (planning broken must not stop the messages already queued). `run_forever`
survives anything a pass raises and stops between two sends once `stop` is set.

Public API
- `PassResult`, `run_pass(session_maker, settings, now, *, dry_run, worker, lease, plan_every, stop)`
- `run_forever(session_maker, settings, *, worker, stop, lease)`
- `worker_id() -> str`: "host:pid:random", the holder of leases and the worker on attempts.
- `start_in_background(session_maker, settings) -> Background`, `stop_in_background(background)`:
  the loop inside a web process (app.py's start-up and shut-down).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import anyio
import anyio.lowlevel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tracker.config import Settings
from tracker.db.models.reminders import JobLease
from tracker.domain.audit.context import AuditActor, acting_as
from tracker.domain.clock import utc_now
from tracker.domain.planning.horizon import keep_tasks_ahead
from tracker.domain.reminders.dispatch import DEFAULT_LEASE, StopSignal, dispatch_all
from tracker.domain.reminders.leases import record_run, release_lease, take_lease
from tracker.domain.reminders.queue import QueuedMessage, delivery_config, queue_owed

logger = logging.getLogger(__name__)

T = TypeVar("T")
SessionMaker = async_sessionmaker[AsyncSession]
SCHEDULER_ACTOR = AuditActor(None, "scheduler")
JOB_LEASE_TTL = dt.timedelta(minutes=5)  # a job that runs longer may be started again elsewhere (harmless)
# The loop plans at most this often: every town's roster is read, the horizon is weeks ahead, and a
# roster change plans at once.
PLAN_EVERY = dt.timedelta(hours=1)
DISPATCH_LIMIT = 500  # messages per pass; the loop goes round again at once when there were more


class Stoppable(StopSignal, Protocol):
    async def wait(self) -> Any: ...


@dataclass
class PassResult:
    created_tasks: int = 0
    queued: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    messages: list[QueuedMessage] = field(default_factory=list)  # queued (dry run: that would be)
    errors: list[str] = field(default_factory=list)  # "plan: ..." for each step that failed
    more_waiting: bool = False  # the dispatch limit was reached


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"[:100]


def pass_clock(now: dt.datetime) -> Callable[[], dt.datetime]:
    """`now`, moving on as real time does: a pass at a given `now` (`tracker remind --now`) sends
    what it queued and times its claims in that same frame."""
    start = time.monotonic()
    return lambda: now + dt.timedelta(seconds=time.monotonic() - start)


async def _recently_planned(session_maker: SessionMaker, now: dt.datetime, every: dt.timedelta) -> bool:
    async with session_maker() as session:
        last = await session.scalar(select(JobLease.last_run_at).where(JobLease.name == "plan"))
    return last is not None and now - every < last <= now


async def _job(
    session_maker: SessionMaker,
    name: str,
    worker: str,
    now: dt.datetime,
    work: Callable[[AsyncSession], Awaitable[T]],
    summary: Callable[[T], dict[str, Any]],
    errors: list[str],
) -> T | None:
    """`work(session)` in one transaction under the job's lease; None if another holds it or it failed."""
    try:
        if not await take_lease(session_maker, name, worker, now, JOB_LEASE_TTL):
            logger.debug("reminders: %s is running elsewhere", name)
            return None
    except Exception as error:
        logger.exception("reminders: could not take the %s lease", name)
        errors.append(f"{name}: {error}")
        return None
    try:
        async with session_maker() as session, session.begin():
            result = await work(session)
        await record_run(session_maker, name, now, summary(result))
        return result
    except Exception as error:
        logger.exception("reminders: the %s job failed", name)
        errors.append(f"{name}: {error}")
        return None
    finally:
        try:
            await release_lease(session_maker, name, worker)
        except Exception:
            logger.exception("reminders: could not release the %s lease (it runs out by itself)", name)


async def _dry_run(session_maker: SessionMaker, settings: Settings, now: dt.datetime) -> PassResult:
    """Plan and queue in one transaction that is rolled back: nothing is written, no lease taken."""
    async with session_maker() as session:
        try:
            created = await keep_tasks_ahead(session, now)
            messages = await queue_owed(session, now, base_url=settings.base_url, dry_run=True)
        finally:
            await session.rollback()
    return PassResult(created_tasks=created, queued=len(messages), messages=list(messages))


async def run_pass(
    session_maker: SessionMaker,
    settings: Settings,
    now: dt.datetime,
    *,
    dry_run: bool = False,
    worker: str,
    lease: dt.timedelta = DEFAULT_LEASE,
    plan_every: dt.timedelta | None = None,
    stop: StopSignal | None = None,
) -> PassResult:
    """Plan (lease "plan"), queue (lease "queue") and send at `now`. `dry_run`: nothing is written and
    nothing sent; the messages that would be queued are returned. `plan_every`: skip planning if it
    ran less than that long ago (the loop's pace). `lease`: how long a claimed message is held."""
    with acting_as(SCHEDULER_ACTOR):
        if dry_run:
            return await _dry_run(session_maker, settings, now)
        result = PassResult()
        if plan_every is None or not await _recently_planned(session_maker, now, plan_every):
            created = await _job(
                session_maker,
                "plan",
                worker,
                now,
                lambda session: keep_tasks_ahead(session, now),
                lambda created: {"created_tasks": created},
                result.errors,
            )
            result.created_tasks = created or 0
        messages = await _job(
            session_maker,
            "queue",
            worker,
            now,
            lambda session: queue_owed(session, now, base_url=settings.base_url),
            lambda queued: {"queued": len(queued)},
            result.errors,
        )
        result.messages = list(messages or [])
        result.queued = len(result.messages)
        try:
            counts = await dispatch_all(
                session_maker,
                delivery_config(settings),
                worker=worker,
                now=pass_clock(now),
                limit=DISPATCH_LIMIT,
                lease=lease,
                stop=stop,
            )
        except Exception as error:
            logger.exception("reminders: sending failed")
            result.errors.append(f"dispatch: {error}")
        else:
            result.sent, result.failed, result.retried = counts.sent, counts.failed, counts.retried
            result.more_waiting = counts.sent + counts.failed + counts.retried >= DISPATCH_LIMIT
        return result


async def run_forever(
    session_maker: SessionMaker,
    settings: Settings,
    *,
    worker: str,
    stop: Stoppable,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> None:
    """Pass after pass on the real clock, every `settings.scheduler_interval_seconds`, until `stop`."""
    interval = settings.scheduler_interval_seconds
    logger.info("reminders: scheduler %s running, a pass every %s s", worker, interval)
    while not stop.is_set():
        more_waiting = False
        try:
            result = await run_pass(
                session_maker,
                settings,
                utc_now(),
                worker=worker,
                lease=lease,
                plan_every=PLAN_EVERY,
                stop=stop,
            )
            more_waiting = result.more_waiting
            if result.created_tasks or result.queued or result.sent or result.failed or result.retried:
                logger.info(
                    "reminders: %d tasks planned, %d queued, %d sent, %d failed, %d to retry",
                    result.created_tasks,
                    result.queued,
                    result.sent,
                    result.failed,
                    result.retried,
                )
        except Exception:
            logger.exception("reminders: a pass failed; the next one follows")
        if more_waiting:
            await anyio.lowlevel.checkpoint()
            continue
        with anyio.move_on_after(interval):
            await stop.wait()
    logger.info("reminders: scheduler %s stopped", worker)


@dataclass
class Background:
    """The loop running as a task in a web process (TRACKER_SCHEDULER=on): `stop_in_background` ends it."""

    task: asyncio.Task[None]
    stop: asyncio.Event


def start_in_background(session_maker: SessionMaker, settings: Settings) -> Background:
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_forever(session_maker, settings, worker=worker_id(), stop=stop), name="tracker-reminders"
    )
    return Background(task, stop)


async def stop_in_background(background: Background, timeout: float = 10) -> None:
    """Ask the loop to stop and wait for it (a send in flight may finish); cancelled after `timeout`
    seconds (a message cut off mid-send stays claimed until its lease ends, then goes out again)."""
    background.stop.set()
    await asyncio.wait({background.task}, timeout=timeout)
    if not background.task.done():
        background.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await background.task
