"""Sessions outside a request (CLI commands, tests, background work)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from tracker.db.engine import enable_sqlite_pragmas


def make_engine(db_url: str) -> AsyncEngine:
    engine = create_async_engine(db_url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        enable_sqlite_pragmas(engine.sync_engine)
    return engine


@asynccontextmanager
async def open_session(db_url: str) -> AsyncIterator[AsyncSession]:
    """One session on its own engine; commits on success, rolls back on error."""
    engine = make_engine(db_url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
    finally:
        await engine.dispose()
