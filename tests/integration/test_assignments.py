"""Assignments on SQLite and PostgreSQL: the tasks each "who" and each cadence makes, the preview
that matches, refused input that saves nothing, who may assign, and edits that move only future
open tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.factories import SmallTown, build_small_town
from tests.support.personas import build_world
from tests.support.work_services import (
    MONTHS,
    NOW,
    ZONE,
    actor,
    assignment_in,
    dump,
    tasks_of,
)
from tracker.db.models.accounts import Role
from tracker.db.models.tasks import Assignment, Task, TaskStatus
from tracker.domain.clock import due_instant
from tracker.domain.errors import InvalidInput, NotAllowed, OutOfReach
from tracker.domain.planning.service import AssignmentService
from tracker.domain.planning.statutory import STATUTORY_TEMPLATES
from tracker.domain.work.service import TaskService

Who = Callable[[SmallTown], dict[str, Any]]
Targets = Callable[[SmallTown], set[tuple[int, int | None]]]

WHO_CASES: list[tuple[str, Who, Targets]] = [
    ("chosen people", lambda t: {"kind": "people", "person_ids": [t.cadre.id, t.unit_head.id]},
     lambda t: {(t.cadre.id, None), (t.unit_head.id, None)}),
    ("a whole tier", lambda t: {"kind": "tier", "tier": "section_official"},
     lambda t: {(t.secretary.id, None), (t.official.id, None)}),
    ("a unit", lambda t: {"kind": "unit", "unit_id": t.unit.id}, lambda t: {(t.unit_head.id, None)}),
    ("everyone below an official", lambda t: {"kind": "below", "official_id": t.official.id},
     lambda t: {(t.unit_head.id, None), (t.cadre.id, None)}),
    ("every contact point", lambda t: {"kind": "contact_points"},
     lambda t: {(t.secretary.id, t.villages[0].id), (t.secretary.id, t.enterprise.id),
                (t.official.id, t.villages[1].id), (t.official.id, t.villages[2].id)}),
    ("some contact points", lambda t: {"kind": "contact_points", "place_ids": [t.villages[1].id]},
     lambda t: {(t.official.id, t.villages[1].id)}),
]  # fmt: skip


def _town(db: Callable[..., Any]) -> SmallTown:
    return db(build_small_town)


@pytest.mark.parametrize(("name", "who", "targets"), WHO_CASES, ids=[c[0] for c in WHO_CASES])
def test_it_makes_one_task_per_target_and_month_left(db: Any, name: str, who: Who, targets: Targets) -> None:
    town = _town(db)

    async def go(session: AsyncSession) -> None:
        assignment, made = await AssignmentService(session, None).create(town.town, assignment_in(who(town)), NOW)
        tasks = await tasks_of(session, assignment_id=assignment.id)
        assert made == len(tasks) == len(targets(town)) * len(MONTHS)
        assert {(t.person_id, t.place_id) for t in tasks} == targets(town)
        for target in targets(town):
            keys = [t.period_key for t in tasks if (t.person_id, t.place_id) == target]
            assert sorted(keys) == MONTHS
        assert all(t.status is TaskStatus.OPEN and t.done_count == 0 and t.title == "Work" for t in tasks)
        assert len({t.slot for t in tasks}) == len(tasks)

    db(go)


CADENCES = [
    ({"cadence": "weekly"}, 43),  # ISO weeks 11 (9-15 March) to 53
    ({"cadence": "monthly", "due_day": 10}, 10),  # March's 10th has passed: its task is kept, red
    ({"cadence": "quarterly"}, 4),
    ({"cadence": "yearly", "due_month": 12, "due_day": 20}, 1),
    ({"cadence": "once", "due_date": "2026-06-30"}, 1),
    ({"cadence": "rrule", "rule": "FREQ=YEARLY;BYMONTH=6,11;BYMONTHDAY=25,29;BYSETPOS=1,-1"}, 2),
]


@pytest.mark.parametrize(("when", "count"), CADENCES, ids=[c[0]["cadence"] for c in CADENCES])
def test_it_makes_the_periods_left_this_year(db: Any, when: dict[str, Any], count: int) -> None:
    town = _town(db)

    async def go(session: AsyncSession) -> None:
        who = {"kind": "people", "person_ids": [town.cadre.id]}
        assignment, made = await AssignmentService(session, None).create(town.town, assignment_in(who, when), NOW)
        tasks = await tasks_of(session, assignment_id=assignment.id)
        assert made == len(tasks) == count
        if when.get("due_day") == 10:
            march = tasks[0]
            assert march.period_key == "2026-03" and march.due_at == due_instant(dt.date(2026, 3, 10), ZONE)
            views = await TaskService(session, None).list(town.town, NOW, person_id=town.cadre.id)
            assert views[0].light.value == "red"

    db(go)


@pytest.mark.parametrize(("name", "who", "targets"), WHO_CASES, ids=[c[0] for c in WHO_CASES])
def test_it_previews_what_it_then_creates(db: Any, name: str, who: Who, targets: Targets) -> None:
    town = _town(db)

    async def go(session: AsyncSession) -> None:
        service = AssignmentService(session, None)
        body = assignment_in(who(town), {"cadence": "quarterly"})
        before = await dump(session)
        preview = await service.preview(town.town, body, NOW)
        assert await dump(session) == before  # a preview writes nothing
        _assignment, made = await service.create(town.town, body, NOW)
        assert preview.task_count == made == len(targets(town)) * 4
        assert {(p.id, pl.id if pl else None) for p, pl in preview.targets} == targets(town)
        assert [p.key for p in preview.periods] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]

    db(go)


BAD = [
    ("an invalid repeat rule", lambda t: {"kind": "tier", "tier": "village_cadre"},
     {"cadence": "rrule", "rule": "FREQ=SECONDLY"}, {}, "when.rule"),
    ("a rule with no date this year", lambda t: {"kind": "tier", "tier": "village_cadre"},
     {"cadence": "rrule", "rule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, {}, "when.rule"),
    ("a day out of range", lambda t: {"kind": "tier", "tier": "village_cadre"},
     {"cadence": "monthly", "due_day": 32}, {}, "when.due_day"),
    ("a date in the past", lambda t: {"kind": "tier", "tier": "village_cadre"},
     {"cadence": "once", "due_date": "2026-03-01"}, {}, "when.due_date"),
    ("nobody below a cadre", lambda t: {"kind": "below", "official_id": t.cadre.id}, None, {}, "who"),
    ("no person chosen", lambda t: {"kind": "people", "person_ids": []}, None, {}, "who.person_ids"),
    ("no tier chosen", lambda t: {"kind": "tier"}, None, {}, "who.tier"),
    ("an unknown person", lambda t: {"kind": "people", "person_ids": [99999]}, None, {}, "who.person_ids"),
    ("a unit of nowhere", lambda t: {"kind": "unit", "unit_id": 99999}, None, {}, "who.unit_id"),
    ("a place of nowhere", lambda t: {"kind": "contact_points", "place_ids": [99999]}, None, {}, "who.place_ids"),
    ("a blank title", lambda t: {"kind": "tier", "tier": "village_cadre"}, None, {"title": "   "}, "title"),
    ("an unknown template", lambda t: {"kind": "tier", "tier": "village_cadre"}, None, {"template": "x"}, "template"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "who", "when", "extra", "field"), BAD, ids=[c[0] for c in BAD])
def test_it_refuses_bad_input_with_a_field_message_and_saves_nothing(
    db: Any, name: str, who: Who, when: dict[str, Any] | None, extra: dict[str, Any], field: str
) -> None:
    town = _town(db)

    async def go(session: AsyncSession) -> None:
        before = await dump(session)
        body = assignment_in(who(town), when, **extra)
        for attempt in (AssignmentService(session, None).preview, AssignmentService(session, None).create):
            with pytest.raises(InvalidInput) as refused:
                await attempt(town.town, body, NOW)
            assert field in refused.value.fields, refused.value.fields
            assert refused.value.fields[field]
        assert await dump(session) == before

    db(go)


def test_it_lets_the_secretary_and_an_official_below_them_assign(db: Any) -> None:
    world = db(build_world)
    town, users = world.a, world.users

    async def go(session: AsyncSession) -> None:
        a = town.town.id
        below = {"kind": "below", "official_id": town.official.id}
        chosen_below = {"kind": "people", "person_ids": [town.cadre.id]}
        official = actor(Role.OFFICIAL, a, town.official, users["official"])
        for who in (below, chosen_below):
            await AssignmentService(session, official).create(town.town, assignment_in(who), NOW)
        secretary = actor(Role.SECRETARY, a, town.secretary, users["secretary"])
        await AssignmentService(session, secretary).create(
            town.town, assignment_in({"kind": "tier", "tier": "section_official"}), NOW)
        before = await dump(session)
        refusals = [
            (official, {"kind": "tier", "tier": "village_cadre"}, NotAllowed),
            (official, {"kind": "people", "person_ids": [town.secretary.id]}, NotAllowed),
            (official, {"kind": "below", "official_id": town.secretary.id}, NotAllowed),
            (actor(Role.MEMBER, a, town.cadre, users["cadre"]), chosen_below, NotAllowed),
            (actor(Role.VIEWER, None, None, users["viewer"]), chosen_below, OutOfReach),
            (actor(Role.SECRETARY, world.b.town.id, world.b.secretary, users["secretary_b"]), chosen_below, OutOfReach),
        ]
        for who_acts, who, error in refusals:
            with pytest.raises(error):
                await AssignmentService(session, who_acts).create(town.town, assignment_in(who), NOW)
        assert await dump(session) == before

    db(go)


def test_it_creates_each_statutory_template(db: Any) -> None:
    town = _town(db)

    async def go(session: AsyncSession) -> None:
        service = AssignmentService(session, None)
        made = {t.key: (await service.create_from_template(town.town, t.key, NOW))[1] for t in STATUTORY_TEMPLATES}
        assert made == {
            "contact_point_visits": 4 * 10,  # 2 officials x 2 points x March..December
            "central_group_study": 2 * 10,
            "committee_meetings": 2,  # the secretary: 25 June and 29 November
            "village_cadre_lectures": 4,  # the cadre, Q1..Q4, two lectures each
        }
        meetings = await session.scalar(select(Assignment).where(Assignment.template == "committee_meetings"))
        tasks = await tasks_of(session, assignment_id=meetings.id)
        assert [(t.person_id, t.period_key) for t in tasks] == [
            (town.secretary.id, "2026-06-25"), (town.secretary.id, "2026-11-29")]
        lectures = await session.scalar(select(Assignment).where(Assignment.template == "village_cadre_lectures"))
        assert {t.target_count for t in await tasks_of(session, assignment_id=lectures.id)} == {2}

    db(go)


EDIT_NOW = dt.datetime(2026, 4, 5, 4, 0, tzinfo=dt.UTC)  # March's work is now overdue


def test_it_moves_only_future_open_tasks_when_an_assignment_changes(db: Any) -> None:
    town = _town(db)
    cadre, head = town.cadre.id, town.unit_head.id

    async def go(session: AsyncSession) -> None:
        service = AssignmentService(session, None)
        who = {"kind": "people", "person_ids": [cadre, head]}
        assignment, _made = await service.create(town.town, assignment_in(who), NOW)
        tasks = {(t.person_id, t.period_key): t for t in await tasks_of(session, assignment_id=assignment.id)}
        await TaskService(session, None).excuse(tasks[(cadre, "2026-04")].id, "sick leave", NOW)
        done = tasks[(cadre, "2026-05")]
        done.status, done.done_count, done.closed_at = TaskStatus.DONE, 1, NOW
        await session.flush()
        frozen_ids = [tasks[k].id for k in [(cadre, "2026-03"), (head, "2026-03"), (cadre, "2026-04"), (cadre, "2026-05")]]
        frozen = await _rows(session, frozen_ids)

        changed = assignment_in({"kind": "people", "person_ids": [cadre]}, {"cadence": "monthly", "due_day": 20},
                                title="Work, changed", target_count=2)  # fmt: skip
        await service.update(town.town, assignment.id, changed, EDIT_NOW)

        assert await _rows(session, frozen_ids) == frozen  # overdue, excused and done: not a column changed
        after = {(t.person_id, t.period_key): t for t in await tasks_of(session, assignment_id=assignment.id)}
        assert len(after) == len(tasks)  # nothing new: every wanted key already exists
        for month in MONTHS[3:]:  # June..December
            task = after[(cadre, month)]
            year, number = map(int, month.split("-"))
            assert (task.title, task.target_count, task.status) == ("Work, changed", 2, TaskStatus.OPEN)
            assert task.due_at == due_instant(dt.date(year, number, 20), ZONE)
        for month in MONTHS[1:]:  # April..December of the unit head, no longer chosen
            task = after[(head, month)]
            assert task.status is TaskStatus.REASSIGNED and task.status_reason and task.closed_at == EDIT_NOW
            assert task.title == "Work"

        again = assignment_in({"kind": "people", "person_ids": [cadre, head, town.official.id]},
                              {"cadence": "monthly", "due_day": 20})  # fmt: skip
        await service.update(town.town, assignment.id, again, EDIT_NOW)
        final = {(t.person_id, t.period_key): t for t in await tasks_of(session, assignment_id=assignment.id)}
        official_months = sorted(k[1] for k in final if k[0] == town.official.id)
        assert official_months == MONTHS[1:]  # from April, not the overdue March
        assert all(final[(head, m)].status is TaskStatus.OPEN for m in MONTHS[1:])  # reopened
        assert final[(head, "2026-03")].status is TaskStatus.OPEN and final[(head, "2026-03")].title == "Work"

    db(go)


def test_it_refuses_to_change_the_kind_of_work(db: Any) -> None:
    town = _town(db)

    async def go(session: AsyncSession) -> None:
        service = AssignmentService(session, None)
        assignment, _made = await service.create(town.town, assignment_in({"kind": "unit", "unit_id": town.unit.id}), NOW)
        before = await dump(session)
        changed = assignment_in({"kind": "unit", "unit_id": town.unit.id}, kind="lecture")
        with pytest.raises(InvalidInput) as refused:
            await service.update(town.town, assignment.id, changed, EDIT_NOW)
        assert "kind" in refused.value.fields
        assert await dump(session) == before
        assert await session.scalar(select(func.count()).select_from(Task)) == 10

    db(go)


async def _rows(session: AsyncSession, ids: list[int]) -> list[tuple[Any, ...]]:
    table = Task.__table__
    return [tuple(r) for r in (await session.execute(select(table).where(table.c.id.in_(ids)).order_by(table.c.id))).all()]
