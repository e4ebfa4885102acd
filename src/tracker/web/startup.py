"""Start-up: say which database and data folder are used; bring SQLite up to date, refuse an old PostgreSQL schema.

`tracker run` asks `schema_problem` before it starts the server, so that an empty or outdated
PostgreSQL schema ends the command with one line naming the command to run (works from a script:
`tracker database upgrade` doesn't prompt without a terminal); the app's own start-up check stays
for servers started otherwise (`uvicorn --factory tracker.app:create_app`).
"""

from __future__ import annotations

import sys

import anyio
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from tracker.config import Settings
from tracker.db import schema
from tracker.db.session import make_engine

UPGRADE_COMMAND = "tracker database upgrade --no-prompt"


class SchemaOutdated(RuntimeError):
    pass


def describe_database(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def outdated_message(current: set[str], heads: set[str]) -> str:
    return (
        f"the database schema is at {', '.join(sorted(current)) or 'nothing'} but this version needs "
        f"{', '.join(sorted(heads))}: run `{UPGRADE_COMMAND}` first"
    )


async def schema_problem(settings: Settings) -> str | None:
    """Why the app would refuse to start on this database (PostgreSQL only: SQLite is upgraded at start),
    as one line; None when it can start."""
    if settings.is_sqlite:
        return None
    engine = make_engine(settings.db_url)
    try:
        current = await schema.current_revisions(engine)
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return f"cannot reach the database {describe_database(settings.db_url)}: {reason}"
    finally:
        await engine.dispose()
    heads = schema.head_revisions(settings.db_url)
    return None if current == heads else outdated_message(current, heads)


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
    msg = outdated_message(current, heads)
    print(f"tracker: {msg}", file=sys.stderr)
    raise SchemaOutdated(msg)
