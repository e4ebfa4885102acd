"""Alembic driven from code: the revision a database is at, the head the code expects, upgrade."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from tracker.paths import migrations_dir

VERSION_TABLE = "alembic_version"


def alembic_config(db_url: str) -> Config:
    """An Alembic Config for `db_url` pointing at the shipped migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    config.attributes["tracker_db_url"] = db_url
    return config


def head_revisions(db_url: str) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(db_url)).get_heads())


def _current_revisions(connection: Connection) -> set[str]:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return set(context.get_current_heads())


async def current_revisions(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(_current_revisions)


def upgrade(db_url: str, revision: str = "head") -> None:
    """Run pending migrations (blocking: call from a thread when an event loop is running)."""
    command.upgrade(alembic_config(db_url), revision)


def downgrade(db_url: str, revision: str) -> None:
    command.downgrade(alembic_config(db_url), revision)
