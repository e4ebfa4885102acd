"""The tracker against its own stack's ceiling: `.venv/bin/python bench/run.py` (README: "Speed at
county and province scale").

For each database (SQLite with 1 and 15 synthetic towns, PostgreSQL with 15 and 1,000; made once by
`tracker synth` and kept in bench/.data/ and in PostgreSQL databases bench_postgresql_<N>), it starts
`tracker run` as a user would, signs in as the first town's cadre and secretary, and loads it from
wrk (another process) at 16 connections: GET /healthz (the ceiling), the cadre's 我的任务, the
secretary's board and review, and the cadre filing visit records. Every figure is also given as a ratio
to /healthz in the same run, because absolute times on a shared machine are noise. It then times the
review's computation against the raw SQL floor, counts the bytes a phone downloads, and on the biggest
PostgreSQL database compares one and two worker processes. The table goes to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from pathlib import Path

from figures import Run
from harness import Database, Server, Session, granian_installed, prepare, sign_in
from load import measure_get, measure_record_post, wrk_available
from measures import first_cell, page_download, review_timing, swap_download
from report import write_results

HERE = Path(__file__).resolve().parent
PAGES = ("healthz", "my_work", "record", "board", "review")


def _town_facts(db: Database, code: str) -> tuple[int, str]:
    """A place of the town to file visits at, and the town's today."""

    async def go() -> tuple[int, str]:
        from sqlalchemy import select

        from tracker.db.models.roster import Place, Town
        from tracker.db.session import open_session
        from tracker.domain.clock import local_date, utc_now

        async with open_session(db.url) as session:
            town = (await session.scalars(select(Town).where(Town.code == code))).one()
            place = await session.scalar(select(Place.id).where(Place.town_id == town.id).order_by(Place.id).limit(1))
            return int(place or 0), local_date(utc_now(), town.timezone).isoformat()

    return asyncio.run(go())


def _forget_bench_records(db: Database) -> None:
    """The records the load filed go again, so that every run measures the same data."""

    async def go() -> None:
        from sqlalchemy import text

        from tracker.db.session import open_session

        async with open_session(db.url) as session:
            await session.execute(text("DELETE FROM record WHERE client_key LIKE 'bench-%'"))

    asyncio.run(go())


def measure(db: Database, args: argparse.Namespace, code: str, sessions: dict[tuple[str, str], Session], run: Run) -> None:
    logins = {"cadre": f"{code}-cadre", "secretary": f"{code}-secretary"}
    place_id, today = _town_facts(db, code)
    server = Server(db, args.port).start()
    try:
        for who, login in logins.items():
            if (db.name, who) not in sessions:
                sessions[(db.name, who)] = sign_in(server.base, login, args.password)
        cadre, secretary = sessions[(db.name, "cadre")], sessions[(db.name, "secretary")]
        paths = {"healthz": "/healthz", "my_work": "/my", "board": f"/towns/{code}/board/",
                 "review": f"/towns/{code}/review/"}  # fmt: skip
        who = {"healthz": None, "my_work": cadre, "board": secretary, "review": secretary}
        for page in ("healthz", "my_work", "board", "review"):
            run.load[page] = measure_get(server.base, paths[page], who[page], seconds=args.seconds)
            server.sample_memory()
            print(f"  {db.name} {page}: {run.load[page].requests_per_s:.1f}/s", flush=True)
        run.load["record"] = measure_record_post(
            server.base, f"/towns/{code}/records/", cadre, day=today, place_id=place_id, seconds=args.seconds
        )
        print(f"  {db.name} record: {run.load['record'].requests_per_s:.1f}/s", flush=True)
        run.download = page_download(server.base, "/my", cadre)
        run.swap_bytes = swap_download(server.base, first_cell(server.base, paths["board"], secretary), secretary)
        server.sample_memory()
    finally:
        server.stop()
    run.peak_mib = server.peak_mib()
    _forget_bench_records(db)
    now = dt.datetime.now(dt.UTC)
    run.review = review_timing(db.url, code, args.year, now)
    if db.engine == "sqlite" and db.towns == min(args.sqlite_towns) and granian_installed():
        other = Server(db, args.port, kind="granian").start()  # the same app under another ASGI server
        try:
            for page, path in (("healthz", "/healthz"), ("my_work", "/my")):
                run.granian[page] = measure_get(other.base, path, who[page], seconds=args.seconds)
        finally:
            other.stop()
    if db.engine == "postgresql" and db.towns == max(args.pg_towns):
        two = Server(db, args.port, workers=2).start()
        try:
            for page, path in (("healthz", "/healthz"), ("my_work", "/my"), ("board", paths["board"])):
                run.two_workers[page] = measure_get(two.base, path, who[page], seconds=args.seconds)
                two.sample_memory()
        finally:
            two.stop()
        run.peak_mib_two = two.peak_mib()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=dt.date.today().year)
    parser.add_argument("--seconds", type=int, default=10, help="each measured load (after a 2 s warm-up)")
    parser.add_argument("--sqlite-towns", type=int, nargs="*", default=[1, 15])
    parser.add_argument("--pg-towns", type=int, nargs="*", default=[15, 1000])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    if not wrk_available():
        print("bench: wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    from tracker.synth import SYNTH_PASSWORD, town_code

    args.password = SYNTH_PASSWORD
    started = time.monotonic()
    log: list[str] = []
    sessions: dict[tuple[str, str], Session] = {}
    runs: list[Run] = []
    plan = [("sqlite", n) for n in args.sqlite_towns] + [("postgresql", n) for n in args.pg_towns]
    for engine, towns in plan:
        db = Database(engine, towns, HERE / ".data" / f"{engine}-{towns}")
        print(f"bench: {db.name}: preparing", flush=True)
        run = Run(db, synth_seconds=prepare(db, args.year, log=log))
        measure(db, args, town_code(1), sessions, run)
        runs.append(run)
    write_results(args.out, runs, args, log, minutes=(time.monotonic() - started) / 60)
    print(f"bench: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
