"""The demo town's last year: complete, finalised, with figures in the seed report's range (lectures of
three types near 65/62/70, a dozen films, seven performances, publicity at every outlet level, monthly
study, the committee on 25 June and 29 November, visit coverage of 85-95 %, a few follow-ups mostly
resolved, two opinion incidents); the demo cadre's own village visits; loaded once; the same data for
the same seed; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.databases import run, truncate_all
from tracker.db.models.review import FinalisedYear, FollowUpResolution
from tracker.db.models.roster import Person, Place, Town
from tracker.db.models.tasks import Record, Task, TaskStatus, WorkKind
from tracker.db.session import open_session
from tracker.demo.last_year import LastYearReport, load_demo_last_year
from tracker.demo.town import DEMO_TOWN_CODE, load_demo
from tracker.demo.work import load_demo_work
from tracker.domain.clock import local_date
from tracker.domain.review.figures import compute_figures
from tracker.domain.work.evidence_rules import has_evidence

NOW = dt.datetime(2026, 11, 28, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(dt.UTC)
YEAR = 2025


async def load(session: AsyncSession, seed: int = 2026) -> LastYearReport:
    """What `tracker demo` does: the roster, this year's work, then last year's."""
    await load_demo(session, local_date(NOW, "Asia/Shanghai"))
    town = (await session.scalars(select(Town).where(Town.code == DEMO_TOWN_CODE))).one()
    await load_demo_work(session, town, NOW, seed=seed)
    return await load_demo_last_year(session, town, NOW, seed=seed)


async def town_of(session: AsyncSession) -> Town:
    return (await session.scalars(select(Town).where(Town.code == DEMO_TOWN_CODE))).one()


def test_it_gives_the_demo_a_finalised_last_year_in_the_seed_reports_range(db: Any) -> None:
    report = db(load)
    assert report.created and report.finalised and report.year == YEAR and report.records > 500

    async def check(session: AsyncSession) -> None:
        town = await town_of(session)
        f = await compute_figures(session, town, YEAR, NOW)
        assert not f.to_date
        lectures = {c.label: c.count for c in f.lectures}
        assert len(lectures) == 3 and all(59 <= n <= 73 for n in lectures.values()), lectures
        culture = {c.key: c.count for c in f.culture}
        assert culture == {"film": 12, "performance": 7}
        outlets = {c.key for c in f.publicity}
        assert outlets == {"central", "provincial", "city", "county", "online", "xuexi_qiangguo"}
        assert f.study_months == 12 and f.study_sessions >= 12 and f.study_attendance > 12 * 5
        assert sorted((m.day.month, m.day.day) for m in f.committee_meetings) == [(6, 25), (11, 29)]
        kept = (await session.scalars(select(Record).where(Record.town_id == town.id))).all()
        assert kept and all(has_evidence(r.kind, r.fields) for r in kept)  # the rules a phone's record meets
        assert 0.85 <= f.coverage <= 0.95, f.coverage  # type: ignore[operator]
        assert f.opinion_incidents == 2 and f.opinion_handled == 2
        follow_ups = await session.scalar(select(func.count()).select_from(Record).where(
            Record.town_id == town.id, Record.occurred_on < dt.date(2026, 1, 1), Record.kind == WorkKind.VISIT,
            Record.fields["needs_follow_up"].as_boolean()))  # fmt: skip
        resolved = await session.scalar(select(func.count()).select_from(FollowUpResolution))
        assert 3 <= int(follow_ups or 0) <= 10 and 0 < int(resolved or 0) < int(follow_ups or 0)
        assert (
            await session.scalar(select(FinalisedYear.year).where(FinalisedYear.town_id == town.id)) == YEAR
        )
        # the work done last year agrees with its tasks
        tasks = (
            await session.scalars(
                select(Task).where(Task.town_id == town.id, Task.period_start < dt.date(2026, 1, 1))
            )
        ).all()
        counted = dict((await session.execute(
            select(Record.task_id, func.count()).where(Record.task_id.in_([t.id for t in tasks])).group_by(Record.task_id)
        )).all())  # fmt: skip
        for task in tasks:
            assert task.done_count == counted.get(task.id, 0), task.slot
            assert (task.status is TaskStatus.DONE) == (
                task.done_count >= task.target_count
            ) or task.status is TaskStatus.EXCUSED
        assert {TaskStatus.DONE, TaskStatus.OPEN, TaskStatus.EXCUSED} <= {t.status for t in tasks}
        # the demo cadre (C01) visits their villages: tasks of their own, last year and this
        cadre = (
            await session.scalars(select(Person).where(Person.town_id == town.id, Person.code == "C01"))
        ).one()
        own = (
            await session.scalars(select(Task).where(Task.person_id == cadre.id, Task.kind == WorkKind.VISIT))
        ).all()
        years = {t.period_start.year for t in own}
        assert years == {2025, 2026} and all(t.place_id is not None for t in own)
        assert any(t.status is TaskStatus.OPEN and t.due_at > NOW for t in own)

    db(check)


async def fingerprint(session: AsyncSession) -> list[Any]:
    people = dict((await session.execute(select(Person.id, Person.code))).all())
    places = dict((await session.execute(select(Place.id, Place.code))).all())
    rows = (await session.execute(
        select(Record.person_id, Record.kind, Record.occurred_on, Record.place_id, Record.fields)
        .where(Record.occurred_on < dt.date(2026, 1, 1))
    )).all()  # fmt: skip
    return sorted(
        (people[p], k.value, d.isoformat(), places.get(pl), sorted(f.items(), key=str))
        for p, k, d, pl, f in rows
    )


def test_it_loads_last_year_once_and_the_same_for_the_same_seed(
    db: Any, db_url: str, tmp_path: Path, request: Any
) -> None:
    first = db(load)
    again = db(load)
    assert not again.created and again.finalised and (again.tasks, again.records) == (first.tasks, first.records)
    before = db(fingerprint)
    assert len(before) == first.records
    if db_url.startswith("sqlite"):  # a fresh database, the same seed: the same year
        fresh = tmp_path / "fresh.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), fresh)
        url = f"sqlite+aiosqlite:///{fresh}"
    else:
        truncate_all(db_url)
        url = db_url

    async def reload() -> list[Any]:
        async with open_session(url) as session:
            assert (await load(session)).created
        async with open_session(url) as session:
            return await fingerprint(session)

    assert run(reload()) == before
