"""Start-up: say which database and data folder are used; bring SQLite up to date, refuse an old PostgreSQL schema."""

from __future__ import annotations

import sys

import anyio
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from tracker.config import Settings
from tracker.db import schema


class SchemaOutdated(RuntimeError):
    pass


def describe_database(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def prepare_database(settings: Settings, engine: AsyncEngine) -> None:
    print(
        f"tracker: database {describe_database(settings.db_url)}; data folder {settings.data_dir.resolve()}",
        file=sys.stderr,
    )
    current = await schema.current_revisions(engine)
    heads = schema.head_revisions(settings.db_url)
    if current == heads:
        return
    if settings.is_sqlite:
        await anyio.to_thread.run_sync(schema.upgrade, settings.db_url)
        return
    msg = (
        f"the database schema is at {', '.join(sorted(current)) or 'nothing'} but this version needs "
        f"{', '.join(sorted(heads))}: run `tracker database upgrade` first"
    )
    print(f"tracker: {msg}", file=sys.stderr)
    raise SchemaOutdated(msg)
