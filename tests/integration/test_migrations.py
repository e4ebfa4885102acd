"""Migrations on SQLite and PostgreSQL: models and migrations agree, data survives every step, start-up.

The round-trip test walks the revision chain from head down to the first revision, one step at a
time, and back up to head each time; with a single revision it only proves the walk itself, and it
grows with every revision added (0002, 0003 ...) without being touched.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from litestar.testing import TestClient
from sqlalchemy import Connection, column, inspect, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

import tracker.db.models  # noqa: F401  (the metadata must hold every model)
from tests.support.factories import build_small_town
from tracker.config import Settings
from tracker.db import schema
from tracker.db.base import metadata
from tracker.db.session import make_engine, open_session
from tracker.paths import migrations_dir
from tracker.web.startup import SchemaOutdated

DEMO_DAY = dt.date(2026, 1, 5)
ROSTER_TABLES = {"town", "unit", "place", "person", "contact_assignment"}
Dump = dict[str, list[tuple[Any, ...]]]


def _on_connection(url: str, fn: Callable[[Connection], Any]) -> Any:
    """Run the sync `fn(connection)` through an async engine (as the app and env.py do)."""

    async def go() -> Any:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(fn)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _in_session(url: str, fn: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        async with open_session(url) as session:
            return await fn(session)

    return asyncio.run(go())


def _differences(url: str) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": schema.VERSION_TABLE}
        )
        return compare_metadata(context, metadata)

    return _on_connection(url, compare)


def _tables(url: str) -> dict[str, list[str]]:
    """Every table (but the version table) and its columns, as the database has them."""

    def read(connection: Connection) -> dict[str, list[str]]:
        inspector = inspect(connection)
        return {
            name: [c["name"] for c in inspector.get_columns(name)]
            for name in inspector.get_table_names()
            if name != schema.VERSION_TABLE
        }

    return _on_connection(url, read)


def _dump(url: str, shape: dict[str, list[str]]) -> Dump:
    """Every row of the tables and columns in `shape`, in primary-key order."""

    def read(connection: Connection) -> Dump:
        inspector = inspect(connection)
        dump: Dump = {}
        for name, columns in sorted(shape.items()):
            keys = inspector.get_pk_constraint(name)["constrained_columns"] or columns
            query = (
                select(*(column(c) for c in columns))
                .select_from(table(name))
                .order_by(*(column(k) for k in keys))
            )
            dump[name] = [tuple(row) for row in connection.execute(query)]
        return dump

    return _on_connection(url, read)


def _revision_chain(url: str) -> list[Any]:
    """Revisions from head down to the first (one line of history: a branch would fail here)."""
    script = ScriptDirectory.from_config(schema.alembic_config(url))
    assert len(script.get_heads()) == 1, f"the migrations have several heads: {script.get_heads()}"
    return list(script.walk_revisions())


def _fill(url: str) -> None:
    """A town from the factories, and the demo town when the demo loader exists."""
    _in_session(url, build_small_town)
    try:
        from tracker.demo.town import DEMO_TOWN_CODE, load_demo
    except ImportError:
        return
    _in_session(url, lambda session: load_demo(session, today=DEMO_DAY))

    def demo_people(connection: Connection) -> int:
        return connection.execute(
            text("SELECT count(*) FROM person JOIN town ON town.id = person.town_id WHERE town.code = :code"),
            {"code": DEMO_TOWN_CODE},
        ).scalar_one()

    assert _on_connection(url, demo_people) > 0, "the demo town loaded nobody"


# -- (a) models and migrations agree ---------------------------------------------------------


def test_it_upgrades_an_empty_database_to_a_schema_that_matches_the_models(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url)

    assert _current(empty_db_url) == schema.head_revisions(empty_db_url)
    assert set(_tables(empty_db_url)) >= ROSTER_TABLES
    assert {t.name for t in metadata.sorted_tables} >= ROSTER_TABLES
    differences = _differences(empty_db_url)
    assert differences == [], "models and migrations disagree:\n" + "\n".join(map(repr, differences))


def test_it_downgrades_to_nothing_and_upgrades_again(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url)
    schema.downgrade(empty_db_url, "base")
    assert _tables(empty_db_url) == {}
    schema.upgrade(empty_db_url)
    assert _differences(empty_db_url) == []


# -- (b) data survives every step ------------------------------------------------------------


def test_it_keeps_every_row_through_each_downgrade_and_upgrade(empty_db_url: str) -> None:
    url = empty_db_url
    schema.upgrade(url)
    _fill(url)
    chain = _revision_chain(url)
    assert chain[0].revision in schema.head_revisions(url)
    assert chain[-1].down_revision is None

    # Down to each revision in turn (head itself, then every older one down to the first, which
    # still holds the roster), back up to head, and compare what can survive: the tables and
    # columns that exist at that revision. The first revision's own downgrade drops the roster.
    for target in [revision.revision for revision in chain]:
        head_shape = _tables(url)
        before = _dump(url, head_shape)
        schema.downgrade(url, target)
        surviving = _tables(url)
        assert set(surviving) >= ROSTER_TABLES, f"downgrading to {target} dropped roster tables"
        schema.upgrade(url)
        assert _tables(url) == head_shape
        shape = {
            name: [c for c in columns if c in surviving[name]]
            for name, columns in head_shape.items()
            if name in surviving
        }
        assert _dump(url, shape) == _restrict(before, head_shape, shape), (
            f"rows changed going down to {target} and back up to head"
        )

    assert sum(len(rows) for rows in _dump(url, _tables(url)).values()) > 0
    assert _differences(url) == []


def _restrict(dump: Dump, taken: dict[str, list[str]], shape: dict[str, list[str]]) -> Dump:
    """`dump` (taken with the columns of `taken`) cut down to the tables and columns of `shape`."""
    return {
        name: [tuple(row[taken[name].index(c)] for c in columns) for row in dump[name]]
        for name, columns in shape.items()
    }


# -- the SQLite foreign-key trap -------------------------------------------------------------

REBUILD_TOWN = '''
"""rebuild the town table (the batch operation that empties child tables when foreign keys are on)"""

import sqlalchemy as sa
from alembic import op

revision = "9999_rebuild_town"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    # env.py must have turned foreign keys off before this runs
    assert op.get_bind().execute(sa.text("PRAGMA foreign_keys")).scalar() == 0
    with op.batch_alter_table("town", recreate="always"):
        pass


def downgrade() -> None:
    with op.batch_alter_table("town", recreate="always"):
        pass
'''


def _children(url: str) -> dict[str, int]:
    def count(connection: Connection) -> dict[str, int]:
        return {
            name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()  # noqa: S608
            for name in ("town", "unit", "place", "person", "contact_assignment")
        }

    return _on_connection(url, count)


def test_it_keeps_child_rows_when_a_sqlite_migration_rebuilds_the_town_table(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'trap.sqlite3'}"
    schema.upgrade(url)
    _in_session(url, build_small_town)
    counts = _children(url)
    assert counts == {"town": 1, "unit": 1, "place": 7, "person": 4, "contact_assignment": 5}
    everything = _dump(url, _tables(url))

    # our migrations, plus one that rebuilds `town`, run through our env.py
    scripts = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (head,) = schema.head_revisions(url)
    (scripts / "versions" / "9999_rebuild_town.py").write_text(
        textwrap.dedent(REBUILD_TOWN).format(head=head), encoding="utf-8"
    )
    config = schema.alembic_config(url)
    config.set_main_option("script_location", str(scripts))

    command.upgrade(config, "head")
    assert _children(url) == counts
    command.downgrade(config, head)
    assert _children(url) == counts
    assert _dump(url, _tables(url)) == everything


def test_the_trap_is_real_with_foreign_keys_on(tmp_path: Path) -> None:
    """The same rebuild on a connection with foreign keys on (as the app's) empties the town's tables."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'trap.sqlite3'}"
    schema.upgrade(url)
    _in_session(url, build_small_town)
    # without the RESTRICT parent link between places the drop cascades instead of failing
    _on_connection(url, lambda c: (c.execute(text("UPDATE place SET parent_id = NULL")), c.commit()))

    def rebuild(connection: Connection) -> None:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        with Operations(MigrationContext.configure(connection)).batch_alter_table("town", recreate="always"):
            pass
        connection.commit()

    _on_connection(url, rebuild)
    assert _children(url) == {"town": 1, "unit": 0, "place": 0, "person": 0, "contact_assignment": 0}


# -- (c) the command line --------------------------------------------------------------------


def test_it_upgrades_an_empty_database_from_the_command_line(empty_db_url: str, tmp_path: Path) -> None:
    plain = make_url(empty_db_url)
    plain = plain.set(drivername="sqlite" if plain.get_backend_name() == "sqlite" else "postgresql")
    env = _clean_environment()
    env.update(
        TRACKER_DATABASE_URL=plain.render_as_string(hide_password=False),
        TRACKER_DATA_DIR=str(tmp_path / "data"),
    )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "tracker"), "database", "upgrade", "--no-prompt"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert _current(empty_db_url) == schema.head_revisions(empty_db_url)
    assert _differences(empty_db_url) == []


def _clean_environment() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "LITESTAR_"))}


def _current(url: str) -> set[str]:
    """The revisions the database says it is at."""

    def read(connection: Connection) -> set[str]:
        context = MigrationContext.configure(connection, opts={"version_table": schema.VERSION_TABLE})
        return set(context.get_current_heads())

    return _on_connection(url, read)


# -- (d) start-up ----------------------------------------------------------------------------


def test_it_migrates_sqlite_at_start_and_refuses_an_unmigrated_postgresql(
    empty_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tracker.app import create_app

    settings = Settings(
        database_url=empty_db_url, data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789"
    )
    if settings.is_sqlite:
        with TestClient(app=create_app(settings)) as client:
            assert client.get("/healthz").json()["status"] == "ok"
        assert _current(empty_db_url) == schema.head_revisions(empty_db_url)
        assert _differences(empty_db_url) == []
        return

    with pytest.raises(BaseException) as raised, TestClient(app=create_app(settings)):
        pass
    refusal = _find(raised.value, SchemaOutdated)
    assert refusal is not None, repr(raised.value)
    assert "tracker database upgrade" in str(refusal)
    assert "tracker database upgrade" in capsys.readouterr().err
    assert _tables(empty_db_url) == {}  # refused: nothing was created


def _find(error: BaseException, kind: type[BaseException]) -> BaseException | None:
    if isinstance(error, kind):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = _find(inner, kind)
        if found is not None:
            return found
    return None
