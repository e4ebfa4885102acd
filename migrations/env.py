"""Alembic environment: async engine, works under `tracker database …`, plain `alembic` and tests.

SQLite: foreign keys stay OFF while migrating (a batch rebuild of a parent table would otherwise
cascade-delete its children), and `PRAGMA foreign_key_check` must come back empty afterwards.
Each migration runs in one transaction, so a failure on PostgreSQL leaves nothing half-applied.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import tracker.db.models  # noqa: F401  (fills the metadata)
from tracker.db.base import metadata
from tracker.db.schema import VERSION_TABLE

config = context.config


def _database_url() -> str:
    url = config.attributes.get("tracker_db_url") or getattr(config, "db_url", None)
    if not url:
        from tracker.config import get_settings

        url = get_settings().db_url
    return url


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        compare_type=True,
        render_as_batch=True,  # SQLite needs batch mode for ALTER; PostgreSQL ignores it
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    if is_sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    _configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
    if is_sqlite:
        broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
        if broken:
            msg = f"migration left rows that break foreign keys: {broken[:5]}"
            raise RuntimeError(msg)
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


async def run_migrations_online() -> None:
    engine = create_async_engine(_database_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
