"""Start-up from the command line (issue 8, findings 12 and 11), the real `tracker` command in a
subprocess with no stdin, as CI or a deployment script runs it: `tracker run` on an empty or outdated
PostgreSQL schema ends with one line naming a command that works from a script, and a non-zero exit
code; `tracker database upgrade` doesn't stop for a prompt without a terminal (and still asks a
person at one); `tracker run` and `tracker demo` serve without a `Server` header; `tracker demo`
ends with one line when its port is taken, before printing where it serves."""

from __future__ import annotations

import os
import pty
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from tracker.db import schema
from tracker.db.session import make_engine

TRACKER = str(Path(sys.executable).parent / "tracker")
START_SECONDS = 60


def environment(db_url: str | None, data_dir: Path) -> dict[str, str]:
    """This process's environment without any TRACKER_/LITESTAR_ setting, plus the database and folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "LITESTAR_"))}
    env["TRACKER_DATA_DIR"] = str(data_dir)
    if db_url:
        url = make_url(db_url)
        plain = url.set(drivername="sqlite" if url.get_backend_name() == "sqlite" else "postgresql")
        env["TRACKER_DATABASE_URL"] = plain.render_as_string(hide_password=False)
    return env


def tracker(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TRACKER, *args], env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


def revisions(url: str) -> set[str]:
    import asyncio

    def read(connection: Connection) -> set[str]:
        context = MigrationContext.configure(connection, opts={"version_table": schema.VERSION_TABLE})
        return set(context.get_current_heads())

    async def go() -> set[str]:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(read)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(args: list[str], env: dict[str, str], cwd: Path, port: int) -> Iterator[Path]:
    """The command started in the background until /healthz answers; stopped (by its pid) after. Gives
    the file its standard output goes to (a file, not a pipe: a server's log never fills it up)."""
    out = cwd / f"{args[0]}.out"
    with out.open("w") as stdout:
        process = subprocess.Popen(
            [TRACKER, *args], env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"{args[0]} stopped: {out.read_text()}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail(f"{args[0]} did not answer within {START_SECONDS} s: {out.read_text()}")
        yield out
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


# -- tracker run on a schema it can't use -------------------------------------------------------------


@pytest.mark.parametrize("at", [None, "0003"], ids=["empty", "outdated"])
def test_it_ends_run_on_an_empty_or_outdated_postgresql_schema_with_one_line(
    empty_db_url: str, tmp_path: Path, at: str | None
) -> None:
    if make_url(empty_db_url).get_backend_name() == "sqlite":
        pytest.skip("SQLite is brought up to date at start (test_it_serves_… below)")
    if at:
        schema.upgrade(empty_db_url, at)
    result = tracker("run", "--port", str(free_port()), env=environment(empty_db_url, tmp_path / "data"), cwd=tmp_path)
    assert result.returncode != 0
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("tracker: the database schema is at ") and "Traceback" not in result.stderr
    assert "run `tracker database upgrade --no-prompt` first" in line
    assert f"is at {at or 'nothing'} but" in line
    assert revisions(empty_db_url) == ({at} if at else set())  # nothing was changed


def test_it_ends_run_with_one_line_when_the_database_does_not_answer(tmp_path: Path) -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgresql://postgres@127.0.0.1:{port}/nothing"
    result = tracker("run", "--port", str(free_port()), env=environment(url, tmp_path / "data"), cwd=tmp_path)
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"tracker: cannot reach the database postgresql+asyncpg://postgres@127.0.0.1:{port}/nothing")


# -- tracker database upgrade from a script -------------------------------------------------------------


def test_it_upgrades_without_a_prompt_when_there_is_no_terminal(empty_db_url: str, tmp_path: Path) -> None:
    result = tracker("database", "upgrade", env=environment(empty_db_url, tmp_path / "data"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Aborted" not in result.stdout + result.stderr
    assert revisions(empty_db_url) == schema.head_revisions(empty_db_url)


def test_it_still_asks_a_person_at_a_terminal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'asked.sqlite3'}"
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [TRACKER, "database", "upgrade"], env={**environment(url, tmp_path / "data"), "TERM": "dumb"},
        cwd=tmp_path, stdin=secondary, stdout=secondary, stderr=secondary,
    )  # fmt: skip
    os.close(secondary)
    seen = b""
    try:
        deadline = time.monotonic() + START_SECONDS
        while b"Are you sure" not in seen and time.monotonic() < deadline and process.poll() is None:
            if select.select([primary], [], [], 0.5)[0]:
                try:
                    seen += os.read(primary, 4096)
                except OSError:
                    break
        assert b"Are you sure" in seen, seen.decode(errors="replace")
        os.write(primary, b"n\n")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        os.close(primary)
    assert revisions(f"sqlite+aiosqlite:///{tmp_path / 'asked.sqlite3'}") == set()  # the person said no


# -- serving ------------------------------------------------------------------------------------------


def test_it_serves_with_tracker_run_without_a_server_header(empty_db_url: str, tmp_path: Path) -> None:
    env = environment(empty_db_url, tmp_path / "data")
    if make_url(empty_db_url).get_backend_name() != "sqlite":  # PostgreSQL is upgraded first, by a script
        assert tracker("database", "upgrade", env=env, cwd=tmp_path).returncode == 0
    port = free_port()
    with serving(["run", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path, port):
        for path in ("/healthz", "/login", "/schema/openapi.json"):
            answer = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10)
            assert answer.status_code == 200 and "server" not in answer.headers, (path, answer.headers)
    assert revisions(empty_db_url) == schema.head_revisions(empty_db_url)


def test_it_serves_the_demo_once_bound_without_a_server_header(tmp_path: Path) -> None:
    port = free_port()
    env = {**environment(None, tmp_path / "data"), "TRACKER_DEFAULT_LOCALE": "en"}
    with serving(["demo", "--port", str(port)], env, tmp_path, port) as out:
        answer = httpx.get(f"http://127.0.0.1:{port}/login", timeout=10)
        assert answer.status_code == 200 and "server" not in answer.headers
    assert f"tracker demo: serving on http://127.0.0.1:{port}/" in out.read_text()


def test_it_ends_the_demo_with_one_line_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = {**environment(None, tmp_path / "data"), "TRACKER_DEFAULT_LOCALE": "en"}
        result = tracker("demo", "--port", str(port), env=env, cwd=tmp_path, timeout=60)
    assert result.returncode != 0
    assert "serving on" not in result.stdout
    [line] = result.stderr.strip().splitlines()
    assert line == f"tracker demo: cannot listen on 127.0.0.1:{port}: the port is in use; choose another with --port"
    assert not (tmp_path / "data" / "tracker.sqlite3").exists()  # nothing done before the port was checked
