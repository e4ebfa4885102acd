"""The scheduler's job leases: several loops (web processes, `tracker worker`s), one runner per job.

A job has one row in `job_lease` (made on first use; a concurrent insert of the same name is
ignored). Taking the lease is one conditional UPDATE: it succeeds when nobody holds it, the
holder's time is up, or the asker already holds it. SQLite serialises the UPDATE; PostgreSQL
re-checks the WHERE on the row it locks, so two processes never both get a True.

Public API
- `take_lease(session_maker, name, holder, now, ttl) -> bool`
- `release_lease(session_maker, name, holder) -> bool`
- `record_run(session_maker, name, now, result)`: when the job last ran and what it did.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tracker.db.models.reminders import JobLease

SessionMaker = async_sessionmaker[AsyncSession]


async def _ensure_row(session: AsyncSession, name: str, now: dt.datetime) -> None:
    """The job's row, inserted if missing; a row another process inserted meanwhile is kept."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(JobLease)
        .values(name=name, holder="", until=None, last_result={}, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    await session.execute(statement)


async def take_lease(
    session_maker: SessionMaker, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta
) -> bool:
    """Whether `holder` holds the lease on job `name` until `now + ttl` (taken or extended)."""
    async with session_maker() as session, session.begin():
        await _ensure_row(session, name, now)
        result = await session.execute(
            update(JobLease)
            .where(
                JobLease.name == name,
                or_(JobLease.until.is_(None), JobLease.until < now, JobLease.holder == holder),
            )
            .values(holder=holder, until=now + ttl, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


async def release_lease(session_maker: SessionMaker, name: str, holder: str) -> bool:
    """Give the lease back early (only the holder can); True if it was this holder's."""
    async with session_maker() as session, session.begin():
        result = await session.execute(
            update(JobLease)
            .where(JobLease.name == name, JobLease.holder == holder)
            .values(until=None)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


async def record_run(
    session_maker: SessionMaker, name: str, now: dt.datetime, result: dict[str, Any]
) -> None:
    """Note that job `name` ran at `now` with `result` (numbers, for the operator)."""
    async with session_maker() as session, session.begin():
        await _ensure_row(session, name, now)
        await session.execute(
            update(JobLease)
            .where(JobLease.name == name)
            .values(last_run_at=now, last_result=result, updated_at=now)
            .execution_options(synchronize_session=False)
        )
