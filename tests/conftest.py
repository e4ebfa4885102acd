"""Shared fixtures: every database test runs on SQLite and, when configured, on PostgreSQL.

PostgreSQL comes from TRACKER_TEST_POSTGRES_URL (a database the tests may wipe). Without it the
PostgreSQL half is skipped with a reason, except under CI=true, where that is a failure. Under
pytest-xdist (scripts/test runs the whole suite on every core) each worker gets a database of its
own beside that one, `<name>_gw0`, `<name>_gw1` ..., made at its start and dropped at its end.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.engine import make_url

import tracker.db.models  # noqa: F401
from tests.support.databases import async_pg_url, pg_execute, run, truncate_all
from tests.support.live_server import LiveServer, serve
from tests.support.mfa import enrol
from tests.support.personas import PASSWORD, sign_in
from tracker.config import Settings
from tracker.db import schema
from tracker.db.base import metadata
from tracker.db.session import open_session
from tracker.domain.accounts import passwords
from tracker.listeners import install_listeners

# Argon2id at its cheapest for the tests (a sign-in costs ~2 ms instead of ~350 ms): they check
# behaviour, not cost parameters, which stay the library's recommended ones in the product.
passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))

# One SQLite connection per request in the tests: each test client runs its own event loop, and a
# pooled aiosqlite connection belongs to the loop it was made on (the product keeps them: config.py).
os.environ["TRACKER_SQLITE_POOL"] = "false"

T = TypeVar("T")
POSTGRES_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1" ... under pytest-xdist, else ""

def _require_postgres() -> str:
    if POSTGRES_URL and WORKER:
        return worker_database(async_pg_url(POSTGRES_URL), WORKER)
    if POSTGRES_URL:
        return async_pg_url(POSTGRES_URL)
    if IN_CI:
        pytest.fail("CI=true but TRACKER_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI")
    pytest.skip("PostgreSQL half skipped: set TRACKER_TEST_POSTGRES_URL to run it")

def pytest_configure(config: pytest.Config) -> None:
    """Start each run with an empty test-artifacts/browser/ (tests/browser keeps failed pages there), so
    every file there is from this run; once, in the main process, not in each xdist worker."""
    if not hasattr(config, "workerinput"):
        shutil.rmtree(config.rootpath / "test-artifacts" / "browser", ignore_errors=True)


# -- databases ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    schema.upgrade(f"sqlite+aiosqlite:///{path}")
    return path

@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[str]:
    """The PostgreSQL test database (this worker's, under xdist), wiped and migrated to head once per run."""
    url = _require_postgres()
    made = _make_worker_database(url) if WORKER else None
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    run(pg_execute(url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public"))
    schema.upgrade(url)
    assert tables
    yield url
    if made:
        run(pg_execute(made, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)', autocommit=True))


def worker_database(url: str, worker: str) -> str:
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


def _make_worker_database(url: str) -> str:
    """Create this worker's database afresh; the admin URL to drop it with."""
    parsed = make_url(url)
    admin = parsed.set(database="postgres").render_as_string(hide_password=False)
    run(pg_execute(admin, f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)',
                   f'CREATE DATABASE "{parsed.database}"', autocommit=True))  # fmt: skip
    return admin

@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at head with no rows, on each engine in turn."""
    if request.param == "sqlite":
        path = tmp_path / "tracker.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_migrated")
    truncate_all(url)
    yield url
    truncate_all(url)

@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (for migration tests), on each engine in turn."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    base = _require_postgres()
    parsed = make_url(base)
    name = f"{parsed.database}_empty"
    admin = parsed.set(database="postgres").render_as_string(hide_password=False)
    run(pg_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"', autocommit=True))
    yield parsed.set(database=name).render_as_string(hide_password=False)
    run(pg_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', autocommit=True))

# -- the application -------------------------------------------------------------------------

@pytest.fixture(scope="session", autouse=True)
def _run_time_listeners() -> None:
    """The audit log and tasks following the roster, installed as create_app and the CLI do (not on import)."""
    install_listeners()

@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789",
                    scheduler=False)  # the reminders loop only in its own tests (test_reminder_workers.py)

@pytest.fixture
def app(settings: Settings) -> Litestar:
    from tracker.app import create_app

    return create_app(settings)

@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=app) as test_client:
        yield test_client

@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """The app served by uvicorn on a loopback port, on this test's database (SQLite and PostgreSQL):
    for real parallel requests (tests/support/live_server.py)."""
    with serve(settings) as live:
        yield live


@pytest.fixture
def db(db_url: str) -> Callable[[Callable[[Any], Awaitable[T]]], T]:
    """Run `fn(session)` in its own session and commit: `db(lambda s: build(s))`."""

    def call(fn: Callable[[Any], Awaitable[T]]) -> T:
        async def go() -> T:
            async with open_session(db_url) as session:
                return await fn(session)

        return run(go())

    return call


# -- signed-in clients -----------------------------------------------------------------------


async def _create_admin(session: Any) -> int:
    from tracker.db.models.accounts import Role, User
    from tracker.domain.accounts.passwords import hash_password

    user = User(login="root-admin", role=Role.ADMIN, password_hash=hash_password(PASSWORD),
                must_change_password=False, active=True)
    session.add(user)
    await session.flush()
    await enrol(session, user.id, user.login)  # an admin must have a second factor (tests/support/mfa.py)
    return user.id


@pytest.fixture
def admin_client(client: TestClient[Litestar], db: Callable[..., Any]) -> TestClient[Litestar]:
    """The test client signed in through the form as an administrator (sees every town)."""
    db(_create_admin)
    sign_in(client, "root-admin")
    return client


@pytest.fixture
def api_client(app: Litestar, db: Callable[..., Any]) -> Iterator[TestClient[Litestar]]:
    """A client calling the JSON API with an administrator's personal token (no cookie, no CSRF)."""
    from tracker.domain.accounts.users import UserService

    user_id = db(_create_admin)

    async def make_token(session: Any) -> str:
        return (await UserService(session, None).create_token(user_id, "tests")).secret  # type: ignore[arg-type]

    secret = db(make_token)
    with TestClient(app=app) as test_client:
        test_client.headers["Authorization"] = f"Bearer {secret}"
        yield test_client
