"""The secretary's desk on SQLite and PostgreSQL: what it holds on a small hand-built town (overdue work
by tier and unit, due this week, escalations, records far from their place, open follow-ups), who
sees what of it, the page with its links, and a fixed number of queries whatever the town's size."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.outbox import add_message
from tests.support.personas import World, build_world, sign_in
from tests.support.statements import counted
from tests.support.work_pages import ENGLISH
from tests.support.work_services import actor
from tracker.db.models.accounts import Role
from tracker.db.models.reminders import ReminderReason
from tracker.db.models.review import FollowUpResolution
from tracker.db.models.roster import Person, Tier, Town, Unit, UnitKind
from tracker.db.models.tasks import Assignment, Cadence, Record, Task, TaskStatus, WhoKind, WorkKind
from tracker.domain.clock import due_instant, local_date, utc_now
from tracker.domain.desk.service import DeskService
from tracker.domain.errors import NotAllowed, NotFound

NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)  # 10:00 on Saturday 28 November in Shanghai
ZONE = "Asia/Shanghai"
_keys = itertools.count(1)


@dataclasses.dataclass
class DeskTown:
    world: World
    tasks: dict[str, int]
    records: dict[str, int]


class _Build:
    def __init__(self, session: AsyncSession, world: World, now: dt.datetime) -> None:
        self.session, self.world, self.today = session, world, local_date(now, ZONE)
        self.assignment: Assignment | None = None

    async def task(self, person: Person, due_day: dt.date, status: TaskStatus = TaskStatus.OPEN) -> Task:
        if self.assignment is None:
            self.assignment = Assignment(
                town_id=person.town_id,
                title="走访",
                kind=WorkKind.VISIT,
                description="",
                who_kind=WhoKind.PEOPLE,
                who_person_ids=[],
                cadence=Cadence.ONCE,
                active=True,
            )
            self.session.add(self.assignment)
            await self.session.flush()
        key = f"k{next(_keys)}"
        task = Task(town_id=person.town_id, assignment_id=self.assignment.id, person_id=person.id, slot=f"{person.id}:-:{key}",
                    period_key=key, period_start=due_day - dt.timedelta(days=20), period_end=due_day,
                    due_at=due_instant(due_day, ZONE), title=f"走访 {due_day:%m-%d}", kind=WorkKind.VISIT, status=status,
                    closed_at=due_instant(due_day, ZONE) if status is not TaskStatus.OPEN else None)  # fmt: skip
        self.session.add(task)
        await self.session.flush()
        return task

    async def record(self, person: Person, day: dt.date, *, task: Task | None = None, far: bool = False,
                     follow_up: bool = False, place_id: int | None = None) -> Record:  # fmt: skip
        record = Record(town_id=person.town_id, task_id=task.id if task else None, person_id=person.id,
                        kind=WorkKind.VISIT, occurred_on=day, place_id=place_id,
                        fields={"issues_found": "道路破损" if follow_up else None, "needs_follow_up": follow_up},
                        distance_m=5200.0 if far else None, flagged_far=far, client_key=f"desk-{next(_keys)}")  # fmt: skip
        self.session.add(record)
        await self.session.flush()
        return record

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)


async def build_desk_town(session: AsyncSession, now: dt.datetime = NOW) -> DeskTown:
    """Town alpha of the personas, its work around `now`: see the expectations of the first test."""
    world = await build_world(session)
    a, outsider = world.a, world.outsider
    b = _Build(session, world, now)
    tasks = {
        "cadre_late": await b.task(a.cadre, b.day(-8)),
        "cadre_last_year": await b.task(a.cadre, dt.date(b.today.year - 1, 12, 15)),
        "cadre_done": await b.task(a.cadre, b.day(-18), TaskStatus.DONE),
        "cadre_week": await b.task(a.cadre, b.day(2)),
        "cadre_later": await b.task(a.cadre, b.day(20)),
        "head_late": await b.task(a.unit_head, b.day(-3)),
        "official_late": await b.task(a.official, b.day(-28)),
        "official_done": await b.task(a.official, b.day(-40), TaskStatus.DONE),
        "outsider_week": await b.task(outsider, b.day(3)),
        "outsider_excused": await b.task(outsider, b.day(-5), TaskStatus.EXCUSED),
    }
    # reminders escalated the official's late task (to their supervisor, then the secretary) and a task since done
    await add_message(session, a.town.id, a.secretary.id, items=[
        (tasks["official_late"].id, ReminderReason.ESCALATED_SUPERVISOR, 3),
        (tasks["official_done"].id, ReminderReason.ESCALATED_SUPERVISOR, 3),
    ])  # fmt: skip
    await add_message(
        session, a.town.id, a.official.id, items=[(tasks["cadre_late"].id, ReminderReason.OVERDUE, 2)]
    )
    village = a.villages[1].id
    records = {
        "far": await b.record(a.cadre, b.day(-3), task=tasks["cadre_late"], far=True, place_id=village),
        "far_old": await b.record(a.cadre, b.day(-60), far=True, place_id=village),
        "follow_up": await b.record(a.official, b.day(-8), follow_up=True, place_id=village),
        "resolved": await b.record(a.official, b.day(-9), follow_up=True, place_id=village),
        "plain": await b.record(outsider, b.day(-2), place_id=village),
    }
    session.add(FollowUpResolution(record_id=records["resolved"].id, resolved_at=now, note="已修好"))
    await session.flush()
    return DeskTown(world, {k: t.id for k, t in tasks.items()}, {k: r.id for k, r in records.items()})


def _desk(db: Any, who: str, fx: DeskTown | None = None) -> Any:
    async def go(session: AsyncSession) -> Any:
        built = fx or await build_desk_town(session)
        a = built.world.a
        people = {"secretary": a.secretary, "official": a.official, "cadre": a.cadre}
        town = await session.get(Town, a.town.id)
        if who == "other_secretary":
            someone = actor(Role.SECRETARY, built.world.b.town.id, built.world.b.secretary)
        else:
            someone = actor(Role(who) if who in ("viewer", "admin") else
                            {"secretary": Role.SECRETARY, "official": Role.OFFICIAL, "cadre": Role.MEMBER}[who],
                            a.town.id if who not in ("viewer", "admin") else None, people.get(who))  # fmt: skip
            if who == "viewer":
                someone = dataclasses.replace(someone, viewer_town_ids=frozenset({a.town.id}))
        return built, await DeskService(session, someone).desk(town, NOW)  # type: ignore[arg-type]

    return db(go)


def test_it_puts_the_secretarys_desk_together(db: Any) -> None:
    fx, desk = _desk(db, "secretary")
    t = fx.tasks
    assert desk.year == 2026
    # overdue, by tier then unit: the official's task; the unit head's (宣传办); the cadre's, one of last year
    assert [
        (g.tier, [(u.unit_name, u.people, u.this_year, u.earlier) for u in g.units]) for g in desk.overdue
    ] == [
        (Tier.SECTION_OFFICIAL, [("", 1, 1, 0)]),
        (Tier.UNIT_HEAD, [("宣传办", 1, 1, 0)]),
        (Tier.VILLAGE_CADRE, [("", 1, 1, 1)]),
    ]  # the outsider's excused task is not overdue
    assert desk.overdue_tasks == 4 and desk.overdue_earlier == 1
    assert desk.overdue[2].units[0].oldest_due == due_instant(dt.date(2025, 12, 15), ZONE)
    assert [v.task.id for v in desk.due_this_week.items] == [t["cadre_week"], t["outsider_week"]]
    assert desk.due_this_week.total == 2 and desk.due_this_week.more == 0
    # only the escalated task still open and overdue; to whom: the secretary's person
    assert [v.task.id for v in desk.escalated.items] == [t["official_late"]]
    assert [m.recipient for m in desk.escalations[t["official_late"]]] == ["书记甲"]
    # the record of two months ago is past the window
    assert [r.id for r in desk.far.items] == [fx.records["far"]]
    assert [r.id for r in desk.follow_ups.items] == [fx.records["follow_up"]]


def test_it_shows_officials_their_people_and_refuses_members_and_other_towns(db: Any) -> None:
    fx, desk = _desk(db, "official")
    # 镇长乙 and those below: 主任丙, 干部丁; the outsider is under the secretary
    assert desk.overdue_tasks == 4
    assert [v.task.id for v in desk.due_this_week.items] == [fx.tasks["cadre_week"]]
    _fx, viewer_desk = _desk(db, "viewer", fx)
    assert viewer_desk.due_this_week.total == 2 and viewer_desk.follow_ups.total == 1
    with pytest.raises(NotAllowed):
        _desk(db, "cadre", fx)
    with pytest.raises(NotFound):
        _desk(db, "other_secretary", fx)


def test_it_shows_the_desk_with_links_into_the_board_tasks_and_records(client, db) -> None:
    fx = db(lambda session: build_desk_town(session, utc_now()))
    sign_in(client, "secretary")
    html = client.get("/towns/alpha/desk", headers=ENGLISH).text
    assert "<h1>Desk</h1>" in html
    year = local_date(utc_now(), ZONE).year
    assert (
        f'href="/towns/alpha/board?tier=unit_head&amp;unit={fx.world.a.unit.id}&amp;year={year}#overdue"'
        in html
    )
    assert f'href="/towns/alpha/board?tier=village_cadre&amp;year={year}#overdue"' in html
    for task in ("cadre_week", "outsider_week", "official_late"):
        assert f'href="/tasks/{fx.tasks[task]}"' in html, task
    assert "Escalated to 书记甲" in html
    far = fx.records["far"]
    assert f'href="/tasks/{fx.tasks["cadre_late"]}"' in html and 'class="badge far-badge"' in html, far
    follow_up = fx.records["follow_up"]
    assert f"/places/{fx.world.a.villages[1].id}/history?year=" in html and f"#visit-{follow_up}" in html
    assert "道路破损" in html
    assert 'aria-current="page">Desk</a>' in html  # its tab in the work navigation


# -- a bounded number of queries -----------------------------------------------------------------


def _count_desk(db: Any, fx: DeskTown, who: str) -> int:
    async def go(session: AsyncSession) -> int:
        a = fx.world.a
        role, person = (Role.SECRETARY, a.secretary) if who == "secretary" else (Role.OFFICIAL, a.official)
        town = await session.get(Town, a.town.id)
        service = DeskService(session, actor(role, a.town.id, person))
        with counted() as statements:
            desk = await service.desk(town, NOW)  # type: ignore[arg-type]
        assert (
            desk.overdue
            and desk.due_this_week.items
            and desk.escalated.items
            and desk.far.items
            and desk.follow_ups.items
        )
        return len(statements)

    return db(go)


def test_it_reads_the_desk_in_the_same_number_of_queries_whatever_the_towns_size(db: Any) -> None:
    fx = db(build_desk_town)
    small = {who: _count_desk(db, fx, who) for who in ("secretary", "official")}
    # overdue counts, 3 lists with their people and places, escalations and their marks
    assert small["secretary"] <= 14

    async def grow(session: AsyncSession) -> None:
        a = fx.world.a
        b = _Build(session, fx.world, NOW)
        for number in range(30):
            unit = Unit(town_id=a.town.id, code=f"GU{number}", name=f"站所{number}", kind=UnitKind.STATION)
            session.add(unit)
            await session.flush()
            person = Person(town_id=a.town.id, code=f"G{number:03d}", name=f"干部{number}", tier=Tier.VILLAGE_CADRE,
                            unit_id=unit.id, supervisor_id=a.official.id)  # fmt: skip
            session.add(person)
            await session.flush()
            late = await b.task(person, b.day(-number - 1))
            await b.task(person, b.day(number % 7))
            await b.record(person, b.day(-1), task=late, far=True, place_id=a.villages[number % 5].id)
            await b.record(person, b.day(-2), follow_up=True, place_id=a.villages[number % 5].id)
            await add_message(session, a.town.id, a.secretary.id,
                              items=[(late.id, ReminderReason.ESCALATED_SECRETARY, 7)])  # fmt: skip

    db(grow)
    assert {who: _count_desk(db, fx, who) for who in ("secretary", "official")} == small
