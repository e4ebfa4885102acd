"""The benchmark's server side: a database filled by `tracker synth`, the server started as a user
starts it (`tracker run`), signed-in sessions to load it with, and its peak memory.

The load runs against a server in other processes; this one only prepares and signs in. A synthetic
secretary has a second factor (the product requires it): `tracker synth` enrols every one with
SYNTH_TOTP_SECRET, from which the sign-in here computes the code.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyotp

from tracker.synth import SYNTH_TOTP_SECRET

ROOT = Path(__file__).resolve().parent.parent
TRACKER = str(Path(sys.executable).parent / "tracker")
PG_ADMIN = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass(frozen=True)
class Database:
    """One benchmark database: its engine, its number of towns, and where its data lives."""

    engine: str  # "sqlite" or "postgresql"
    towns: int
    data_dir: Path

    @property
    def name(self) -> str:
        return f"bench_{self.engine}_{self.towns}"

    @property
    def url(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite+aiosqlite:///{self.data_dir / 'tracker.sqlite3'}"
        return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{self.name}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "TRACKER_DATABASE_URL": self.url,
            "TRACKER_DATA_DIR": str(self.data_dir),
            "TRACKER_SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
            "TRACKER_SCHEDULER": "off",  # the reminder passes are not what is measured
        }


def _pg_admin(sql: str) -> str:
    import asyncpg

    async def go() -> str:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            return str(await conn.fetchval(sql) if sql.lstrip().upper().startswith("SELECT") else await conn.execute(sql))
        finally:
            await conn.close()

    return asyncio.run(go())


def prepare(db: Database, year: int, *, seed: int = 1, log: list[str]) -> float | None:
    """Fill the database with `db.towns` synthetic towns unless it holds them already; the seconds
    `tracker synth` took, or None when the database was kept from an earlier run."""
    marker = db.data_dir / f"synth-{year}-{seed}.done"
    exists = db.engine == "sqlite" or _pg_admin(f"SELECT count(*) FROM pg_database WHERE datname = '{db.name}'") == "1"
    if marker.exists() and exists:
        return None
    if db.engine == "postgresql":
        _pg_admin(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{db.name}"')
    else:
        (db.data_dir / "tracker.sqlite3").unlink(missing_ok=True)
    db.data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    command = [TRACKER, "synth", "--towns", str(db.towns), "--year", str(year), "--seed", str(seed)]
    done = subprocess.run(command, env=db.env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    seconds = time.perf_counter() - started
    log.append(f"{db.name}: tracker synth --towns {db.towns}: {seconds:.0f} s")
    marker.write_text(done.stdout)
    return seconds


@dataclass
class Server:
    """`tracker run` (uvicorn) on a port, with `workers` processes, or granian serving the same app;
    stopped with `stop()`."""

    db: Database
    port: int
    workers: int = 1
    kind: str = "uvicorn"  # or "granian" (when installed: `pip install granian`)
    process: subprocess.Popen[bytes] | None = None
    peak_kib: dict[int, int] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        command = [TRACKER, "run", "--host", "127.0.0.1", "--port", str(self.port), "--wc", str(self.workers)]
        if self.kind == "granian":
            command = [str(Path(sys.executable).parent / "granian"), "--interface", "asgi", "--factory", "--host",
                       "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers), "tracker.app:create_app"]  # fmt: skip
        self.process = subprocess.Popen(
            command, env=self.db.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: the server ended: {self.process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    time.sleep(1 if self.workers == 1 else 3)  # every worker up
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise SystemExit("bench: the server did not answer /healthz within 60 s")

    def sample_memory(self) -> None:
        """Remember each server process's peak resident memory (VmHWM) so far."""
        for pid in self._pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            found = re.search(r"VmHWM:\s+(\d+) kB", status)
            if found:
                self.peak_kib[pid] = max(self.peak_kib.get(pid, 0), int(found.group(1)))

    def peak_mib(self) -> float:
        """The peak of the busiest process (one worker: what each worker process costs)."""
        return max(self.peak_kib.values(), default=0) / 1024

    def _pids(self) -> list[int]:
        if self.process is None:
            return []
        pids, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    todo.extend(int(child) for child in (task / "children").read_text().split())
                except OSError:
                    pass
        return pids

    def stop(self) -> None:
        if self.process is None:
            return
        self.sample_memory()
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


@dataclass(frozen=True)
class Session:
    """A signed-in browser's cookies, as one Cookie header, and its CSRF token."""

    cookie: str
    csrf: str


def granian_installed() -> bool:
    return (Path(sys.executable).parent / "granian").exists()


def sign_in(base: str, login: str, password: str) -> Session:
    """Sign in through the form, as a browser does (a secretary answers the code page with a TOTP code)."""
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        client.get("/login")
        form = {"login": login, "password": password, "_csrf_token": client.cookies["tracker_csrf"], "next": "/"}
        answer = client.post("/login", data=form)
        if answer.status_code != 303:
            raise SystemExit(f"bench: signing in as {login} was refused ({answer.status_code})")
        if answer.headers["location"].startswith("/login/code"):
            for _attempt in range(2):  # a code serves once per 30-second step: else wait for the next
                code = {"code": pyotp.TOTP(SYNTH_TOTP_SECRET).now(), "_csrf_token": client.cookies["tracker_csrf"]}
                answer = client.post("/login/code", data={**code, "next": "/"})
                if answer.status_code == 303:
                    break
                time.sleep(30 - time.time() % 30 + 0.5)
            if answer.status_code != 303:
                raise SystemExit(f"bench: {login}'s second factor was refused ({answer.status_code})")
        client.get("/")  # the CSRF cookie bound to this session
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        return Session(cookie=cookie, csrf=client.cookies["tracker_csrf"])
