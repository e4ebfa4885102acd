"""Running async database work from sync tests, and the PostgreSQL plumbing of tests/conftest.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url

from tracker.db.base import metadata

T = TypeVar("T")


def async_pg_url(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def run(coro: Awaitable[T]) -> T:
    """Run a coroutine from a sync test (the test client has its own loop in another thread)."""
    return asyncio.run(coro)  # type: ignore[arg-type]


async def pg_execute(url: str, *statements: str, autocommit: bool = False) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(
        url, poolclass=NullPool, isolation_level="AUTOCOMMIT" if autocommit else None
    )
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


def truncate_all(url: str) -> None:
    """Empty every table of the PostgreSQL database at `url` (ids restart from 1)."""
    names = ", ".join(f'"{t.name}"' for t in reversed(metadata.sorted_tables))
    run(pg_execute(url, f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
