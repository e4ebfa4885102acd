"""Roster changes flow into tasks, on SQLite and PostgreSQL: a new contact point gets its future
visit tasks, a place given up or a person who leaves has future open tasks closed as reassigned,
and past, overdue and done tasks stay as they were. Through RosterService.set_contact_points, the
roster import and sync_roster itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.factories import SmallTown, build_small_town
from tests.support.work_services import ZONE, assignment_in, tasks_of
from tracker.db.models.roster import Person, Place, Town
from tracker.db.models.tasks import Task, TaskStatus
from tracker.domain.clock import due_instant
from tracker.domain.planning.roster_sync import sync_after_roster_change
from tracker.domain.planning.service import AssignmentService
from tracker.domain.roster.importing.run import RosterImporter
from tracker.domain.roster.service import RosterService
from tracker.paths import seeds_dir

JANUARY = dt.datetime(2026, 1, 10, 4, 0, tzinfo=dt.UTC)  # the assignment is made
CHANGE_DAY = dt.date(2026, 3, 15)  # the roster changes
CHANGE_NOW = due_instant(CHANGE_DAY - dt.timedelta(days=1), ZONE)  # 00:00 on 15 March, Shanghai
ALL_MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
FUTURE = ALL_MONTHS[2:]  # March (due 31 March) to December


def _rows(tasks: list[Task]) -> dict[int, tuple[Any, ...]]:
    return {t.id: (t.status, t.status_reason, t.closed_at, t.done_count, t.due_at, t.title) for t in tasks}


def _keys(tasks: list[Task], person_id: int, place_id: int | None) -> list[str]:
    return sorted(t.period_key for t in tasks if (t.person_id, t.place_id) == (person_id, place_id))


async def _visits(session: AsyncSession, town: SmallTown) -> int:
    """Monthly contact-point visits made in January; the official's January visit to village 2 done,
    February's left undone (overdue by March)."""
    assignment, _made = await AssignmentService(session, None).create(
        town.town, assignment_in({"kind": "contact_points"}, kind="visit"), JANUARY)
    for task in await tasks_of(session, assignment_id=assignment.id, person_id=town.official.id):
        if task.place_id == town.villages[1].id and task.period_key == "2026-01":
            task.status, task.done_count, task.closed_at = TaskStatus.DONE, 1, JANUARY
    await session.flush()
    return assignment.id


def test_it_follows_a_change_of_contact_points(db: Any) -> None:
    town: SmallTown = db(build_small_town)
    official, v2, v3, v4 = town.official.id, town.villages[1].id, town.villages[2].id, town.villages[3].id

    async def go(session: AsyncSession) -> None:
        assignment_id = await _visits(session, town)
        before = await tasks_of(session, assignment_id=assignment_id)
        history = _rows([t for t in before if t.period_key in ("2026-01", "2026-02")])
        # The official gives up village 2 and takes village 4 (keeping village 3).
        await RosterService(session, None).set_contact_points(town.town, official, [v3, v4], CHANGE_DAY)

        after = await tasks_of(session, assignment_id=assignment_id)
        assert _rows([t for t in after if t.id in history]) == history  # January and February untouched
        assert _keys(after, official, v4) == FUTURE  # the new point: March to December
        assert _keys(after, official, v3) == ALL_MONTHS  # unchanged
        for task in after:
            if (task.person_id, task.place_id) == (official, v2) and task.period_key in FUTURE:
                assert task.status is TaskStatus.REASSIGNED and task.status_reason and task.closed_at == CHANGE_NOW
        given_up = [t for t in after if (t.person_id, t.place_id) == (official, v2)]
        assert {t.period_key: t.status for t in given_up if t.period_key in ("2026-01", "2026-02")} == {
            "2026-01": TaskStatus.DONE, "2026-02": TaskStatus.OPEN}  # done and overdue stay

        # Taking village 2 back reopens its future tasks instead of making second ones.
        await RosterService(session, None).set_contact_points(town.town, official, [v2, v3, v4], CHANGE_DAY)
        again = await tasks_of(session, assignment_id=assignment_id)
        assert len(again) == len(after)
        assert all(t.status is TaskStatus.OPEN for t in again if (t.person_id, t.place_id) == (official, v2)
                   and t.period_key in FUTURE)  # fmt: skip

    db(go)


def test_it_closes_the_future_work_of_a_person_who_leaves(db: Any) -> None:
    town: SmallTown = db(build_small_town)

    async def go(session: AsyncSession) -> None:
        service = AssignmentService(session, None)
        cadres = assignment_in({"kind": "tier", "tier": "village_cadre"}, kind="lecture")
        assignment, _made = await service.create(town.town, cadres, JANUARY)
        tasks = await tasks_of(session, assignment_id=assignment.id)
        tasks[0].status, tasks[0].done_count, tasks[0].closed_at = TaskStatus.DONE, 1, JANUARY  # January
        await session.flush()
        history = _rows(tasks[:2])  # January (done) and February (overdue)

        person = await session.get(Person, town.cadre.id)
        person.active = False
        await session.flush()
        result = await sync_after_roster_change(session, town.town, CHANGE_DAY, CHANGE_NOW)
        assert (result.created, result.closed, result.reopened) == (0, 10, 0)
        assert result.per_assignment == {assignment.id: (0, 10, 0)}

        after = await tasks_of(session, assignment_id=assignment.id)
        assert _rows(after[:2]) == history
        assert [t.status for t in after[2:]] == [TaskStatus.REASSIGNED] * 10
        repeat = await sync_after_roster_change(session, town.town, CHANGE_DAY, CHANGE_NOW)
        assert (repeat.created, repeat.closed, repeat.reopened) == (0, 0, 0)  # nothing left to do

    db(go)


def test_it_follows_a_roster_import(db: Any, tmp_path: Path) -> None:
    sample = seeds_dir() / "roster-sample.csv"
    db(lambda session: RosterImporter(session).import_file(sample, "sample", today=dt.date(2026, 1, 5)))

    async def make(session: AsyncSession) -> int:
        town = await session.scalar(select(Town).where(Town.code == "sample"))
        assignment, made = await AssignmentService(session, None).create(
            town, assignment_in({"kind": "contact_points"}, kind="visit"), JANUARY)
        assert made == 4 * 12  # two officials with two points each
        return assignment.id

    assignment_id = db(make)
    rows = [line.split(",") for line in sample.read_text(encoding="utf-8").splitlines()]
    rows[11][13] = "NV02;NV04"  # P02 keeps NV02, gives up NV03, takes NV04
    second = tmp_path / "second.csv"
    second.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    db(lambda session: RosterImporter(session).import_file(second, "sample", today=CHANGE_DAY))

    async def check(session: AsyncSession) -> None:
        people = {p.code: p.id for p in await session.scalars(select(Person))}
        code = {p.id: p.code for p in await session.scalars(select(Place))}
        tasks = await tasks_of(session, assignment_id=assignment_id)
        p02 = [t for t in tasks if t.person_id == people["P02"]]
        assert sorted(t.period_key for t in p02 if code[t.place_id] == "NV04") == FUTURE
        dropped = {t.period_key: t.status for t in p02 if code[t.place_id] == "NV03"}
        assert [dropped[m] for m in FUTURE] == [TaskStatus.REASSIGNED] * 10
        assert [dropped[m] for m in ALL_MONTHS[:2]] == [TaskStatus.OPEN] * 2  # overdue history stays

    db(check)
