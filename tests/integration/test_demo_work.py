"""The demo town's year of work: every light on the board on any day of the year, overdue, this
week's and later work for the demo official and the cadres below them, records that agree with
their tasks, loaded once, and the same data for the same seed."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.databases import run, truncate_all
from tracker.db.base import metadata
from tracker.db.models.accounts import Role
from tracker.db.models.roster import Person, Place, Tier, Town
from tracker.db.models.tasks import Assignment, Record, Task, TaskStatus, WorkKind
from tracker.db.session import open_session
from tracker.demo.town import DEMO_TOWN_CODE, load_demo
from tracker.demo.work import DemoWorkReport, load_demo_work
from tracker.domain.access import Actor
from tracker.domain.clock import local_date
from tracker.domain.planning.roster_snapshot import load_roster
from tracker.domain.planning.who import people_below
from tracker.domain.work.evidence_rules import has_evidence
from tracker.domain.work.lights import Light, done_late, task_light
from tracker.domain.work.service import TaskService

ZONE = ZoneInfo("Asia/Shanghai")


def local(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=ZONE).astimezone(dt.UTC)


NOWS = {
    "new-year": local(2026, 1, 1, 0, 30),
    "mid-june": local(2026, 6, 15, 10, 0),
    "late-november": local(2026, 11, 28, 16, 0),
    "new-years-eve": local(2026, 12, 31, 23, 30),
}


async def demo_town(session: AsyncSession) -> Town:
    return (await session.scalars(select(Town).where(Town.code == DEMO_TOWN_CODE))).one()


async def load(session: AsyncSession, now: dt.datetime, seed: int = 2026) -> DemoWorkReport:
    """What `tracker demo` does on `now`: the roster, then the year's work."""
    await load_demo(session, local_date(now, "Asia/Shanghai"))
    return await load_demo_work(session, await demo_town(session), now, seed=seed)


async def demo_people(session: AsyncSession) -> list[Person]:
    """The demo `official` (S05) and the village cadres below them (the demo `cadre` is one of them)."""
    town = await demo_town(session)
    people = {
        p.code: p for p in (await session.scalars(select(Person).where(Person.town_id == town.id))).all()
    }
    official = people["S05"]
    below = people_below(official.id, (await load_roster(session, town.id, contacts=False)).people)
    return [official, *(p for p in people.values() if p.id in below and p.tier is Tier.VILLAGE_CADRE)]


@pytest.mark.parametrize("now", NOWS.values(), ids=NOWS.keys())
def test_it_shows_work_in_every_light_and_gives_the_demo_people_work(db: Any, now: dt.datetime) -> None:
    report = db(lambda session: load(session, now))
    assert report.created and report.assignments >= 4 and report.tasks > 0

    async def check(session: AsyncSession) -> None:
        town = await demo_town(session)
        tasks = list((await session.scalars(select(Task).where(Task.town_id == town.id))).all())
        lights = Counter(task_light(t.status, t.due_at, now, town.warning_days) for t in tasks)
        assert {Light.RED, Light.YELLOW, Light.GREEN, Light.DONE} <= set(lights), lights
        templates = set(
            (await session.scalars(select(Assignment.template).where(Assignment.town_id == town.id))).all()
        )
        assert {
            "contact_point_visits",
            "central_group_study",
            "committee_meetings",
            "village_cadre_lectures",
        } <= templates
        people = await demo_people(session)
        assert len(people) >= 2 and people[1].tier is Tier.VILLAGE_CADRE
        for person in people:
            role = Role.OFFICIAL if person.tier is Tier.SECTION_OFFICIAL else Role.MEMBER
            actor = Actor(user_id=0, login=person.code, role=role, town_id=town.id, person_id=person.id)
            work = await TaskService(session, actor).my_work(now)
            assert work.overdue and work.due_this_week and work.later, (person.code, now)

    db(check)
    db(lambda session: records_agree_with_tasks(session, now))


async def records_agree_with_tasks(session: AsyncSession, now: dt.datetime) -> None:
    """Counts, states and closing times as a phone's submissions would have left them."""
    town = await demo_town(session)
    today = local_date(now, town.timezone)
    tasks = {t.id: t for t in (await session.scalars(select(Task).where(Task.town_id == town.id))).all()}
    records = list((await session.scalars(select(Record).where(Record.town_id == town.id))).all())
    by_task: dict[int, list[Record]] = {}
    for record in records:
        assert record.occurred_on <= today
        assert has_evidence(record.kind, record.fields), (record.kind, record.fields)  # as a phone must send it
        if record.task_id is not None:
            by_task.setdefault(record.task_id, []).append(record)
    for task in tasks.values():
        mine = by_task.get(task.id, [])
        assert task.done_count == len(mine), task.slot
        assert all(r.occurred_on >= task.period_start for r in mine)
        if task.status is TaskStatus.DONE:
            assert (
                task.done_count >= task.target_count and task.closed_at is not None and task.closed_at <= now
            )
            # closed when the last record happened, in the town's zone
            assert local_date(task.closed_at, town.timezone) == max(r.occurred_on for r in mine)
        elif task.status is TaskStatus.OPEN:
            assert task.done_count < task.target_count and task.closed_at is None
        else:
            assert task.status is TaskStatus.EXCUSED and task.status_reason and task.closed_at <= now
    if today.month < 3:
        return
    done = [t for t in tasks.values() if t.status is TaskStatus.DONE]
    late = [t for t in done if done_late(t.closed_at, t.due_at)]  # type: ignore[arg-type]
    assert late and len(late) < len(done) / 3
    assert any(t.status is TaskStatus.EXCUSED for t in tasks.values())
    assert sum(r.flagged_far for r in records) == 2
    assert any(r.kind is WorkKind.VISIT and r.fields["needs_follow_up"] for r in records)
    unplanned = Counter(r.kind for r in records if r.task_id is None)
    assert unplanned[WorkKind.PUBLICITY] and unplanned[WorkKind.CULTURE] and unplanned[WorkKind.LECTURE]
    outlets = {r.fields["outlet_level"] for r in records if r.kind is WorkKind.PUBLICITY}
    assert {"county", "xuexi_qiangguo"} <= outlets


async def row_counts(session: AsyncSession) -> dict[str, int]:
    return {table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in metadata.sorted_tables}  # fmt: skip


async def fingerprint(session: AsyncSession) -> list[Any]:
    """The demo's work in the roster's codes (not ids), so that two databases can be compared."""
    people = dict((await session.execute(select(Person.id, Person.code))).all())
    places = dict((await session.execute(select(Place.id, Place.code))).all())
    tasks = (await session.scalars(select(Task))).all()
    slots = {t.id: (t.title, people[t.person_id], places.get(t.place_id), t.period_key) for t in tasks}
    return sorted(
        [("task", *slots[t.id], t.status.value, t.done_count, t.closed_at, t.status_reason) for t in tasks]
        + [
            ("record", slots.get(r.task_id), people[r.person_id], r.kind.value, r.occurred_on, places.get(r.place_id),
             sorted((k, str(v)) for k, v in r.fields.items()), r.latitude, r.longitude, r.flagged_far)
            for r in (await session.scalars(select(Record))).all()
        ],
        key=repr,
    )  # fmt: skip


def test_it_loads_once_and_the_same_way_for_a_seed(
    db_url: str, db: Any, tmp_path: Path, request: Any
) -> None:
    now = local(2026, 3, 20, 15, 0)
    first = db(lambda session: load(session, now))
    before, counts = db(fingerprint), db(row_counts)
    assert first.created and first.records > 0

    again = db(lambda session: load(session, now + dt.timedelta(days=3)))
    assert not again.created
    assert (again.assignments, again.tasks, again.records) == (first.assignments, first.tasks, first.records)
    assert db(row_counts) == counts and db(fingerprint) == before

    # a fresh database, the same seed: the same work
    if db_url.startswith("sqlite"):
        fresh = tmp_path / "fresh.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), fresh)
        url = f"sqlite+aiosqlite:///{fresh}"
    else:
        truncate_all(db_url)
        url = db_url

    async def reload() -> list[Any]:
        async with open_session(url) as session:
            assert (await load(session, now)).created
        async with open_session(url) as session:
            return await fingerprint(session)

    assert run(reload()) == before


def test_it_differs_with_another_seed(db: Any) -> None:
    now = local(2026, 2, 20, 15, 0)
    db(lambda session: load(session, now, seed=1))
    one = db(fingerprint)

    async def wipe_work(session: AsyncSession) -> None:
        for model in (Record, Task, Assignment):
            await session.execute(model.__table__.delete())

    db(wipe_work)
    db(lambda session: load(session, now, seed=2))
    assert db(fingerprint) != one


def test_the_demo_command_loads_the_years_work_once(
    db_url: str, db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from tests.support.demo_command import without_serving
    from tracker.cli.demo import demo_command

    without_serving(monkeypatch)
    env = {
        "TRACKER_DATA_DIR": str(tmp_path / "data"),
        "TRACKER_DEFAULT_LOCALE": "en",
        "TRACKER_DATABASE_URL": db_url,
    }
    first = CliRunner().invoke(demo_command, [], env=env, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "Demo work: " in first.stdout and " records" in first.stdout
    counts = db(row_counts)
    assert counts["assignment"] >= 4 and counts["task"] > 0

    again = CliRunner().invoke(demo_command, [], env=env, catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert "Demo work already loaded: " in again.stdout
    assert db(row_counts) == counts
