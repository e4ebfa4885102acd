"""What the benchmark measures besides load: the bytes a phone downloads, and the yearly review's
computation against the raw SQL floor over the same rows.

The review is timed in this process on the benchmark's database (the same code the review page
runs, without HTTP); the floor is the one aggregate statement any review must at least run: the
town's records and tasks of the year, read once and grouped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import statistics
import time
from dataclasses import dataclass
from html import unescape

import httpx

from harness import Session

_ASSETS = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')
_AFTER_LOAD = re.compile(r'data-after-load="([^"]*)"')


@dataclass(frozen=True)
class Download:
    html: int
    css_js: int
    files: int

    @property
    def total(self) -> int:
        return self.html + self.css_js


def _compressed(client: httpx.Client, url: str) -> int:
    answer = client.get(url, headers={"Accept-Encoding": "gzip"})
    answer.raise_for_status()
    return answer.num_bytes_downloaded


def page_download(base: str, path: str, session: Session) -> Download:
    """A first visit: the page, its stylesheet and every script it runs (those loaded after the `load`
    event too), each as sent (gzip), bodies only. Prefetches for the next tap are not counted."""
    with httpx.Client(base_url=base, headers={"Cookie": session.cookie}, timeout=30) as client:
        answer = client.get(path, headers={"Accept-Encoding": "gzip"})
        answer.raise_for_status()
        html = answer.text
        assets = {unescape(url) for url in _ASSETS.findall(html)}
        for later in _AFTER_LOAD.findall(html):
            assets.update(unescape(url) for url in later.split())
        return Download(answer.num_bytes_downloaded, sum(_compressed(client, url) for url in sorted(assets)), len(assets))


def swap_download(base: str, path: str, session: Session) -> int:
    """One htmx swap (HX-Request), as sent (gzip), body only."""
    with httpx.Client(base_url=base, headers={"Cookie": session.cookie, "HX-Request": "true"}, timeout=30) as client:
        answer = client.get(path, headers={"Accept-Encoding": "gzip"})
        answer.raise_for_status()
        return answer.num_bytes_downloaded


def first_cell(base: str, board_path: str, session: Session) -> str:
    """The address of the board's first cell that opens (its hx-get)."""
    with httpx.Client(base_url=base, headers={"Cookie": session.cookie}, timeout=60) as client:
        html = client.get(board_path).text
    found = re.search(r'hx-get="([^"]*/board/cell\?[^"]*)"', html)
    if not found:
        raise SystemExit("bench: the board shows no cell to open")
    return unescape(found.group(1))


@dataclass(frozen=True)
class ReviewTiming:
    review_ms: float
    floor_ms: float
    records: int
    tasks: int

    @property
    def ratio(self) -> float:
        return self.review_ms / self.floor_ms


_FLOOR = """
SELECT 'record' AS source, kind AS grouping, person_id, count(*) AS n
  FROM record WHERE town_id = :town AND occurred_on BETWEEN :first AND :last GROUP BY kind, person_id
UNION ALL
SELECT 'task', status, person_id, count(*)
  FROM task WHERE town_id = :town AND due_at >= :start AND due_at < :end GROUP BY status, person_id
"""


async def _review_timing(url: str, town_code: str, year: int, now: dt.datetime, repeats: int) -> ReviewTiming:
    from sqlalchemy import select, text

    from tracker.db.models.roster import Town
    from tracker.db.session import open_session
    from tracker.domain.review.service import ReviewService

    async with open_session(url) as session:
        town = (await session.scalars(select(Town).where(Town.code == town_code))).one()
        span = {
            "town": town.id, "first": dt.date(year, 1, 1), "last": dt.date(year, 12, 31),
            "start": dt.datetime(year - 1, 12, 31, 16, tzinfo=dt.UTC), "end": dt.datetime(year, 12, 31, 16, tzinfo=dt.UTC),
        }  # fmt: skip
        floor = text(_FLOOR)

        async def run_floor() -> list[object]:
            return list((await session.execute(floor, span)).all())

        async def run_review() -> object:
            return await ReviewService(session, None).review(town, year, now)

        async def timed(call: object) -> float:
            samples = []
            await call()  # type: ignore[operator]
            for _ in range(repeats):
                started = time.perf_counter()
                await call()  # type: ignore[operator]
                samples.append((time.perf_counter() - started) * 1000)
            return statistics.median(samples)

        rows = await run_floor()
        records = sum(int(r[3]) for r in rows if r[0] == "record")  # type: ignore[index]
        tasks = sum(int(r[3]) for r in rows if r[0] == "task")  # type: ignore[index]
        return ReviewTiming(await timed(run_review), await timed(run_floor), records, tasks)


def review_timing(url: str, town_code: str, year: int, now: dt.datetime, repeats: int = 7) -> ReviewTiming:
    return asyncio.run(_review_timing(url, town_code, year, now, repeats))
