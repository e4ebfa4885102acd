"""The lock on a finalised year, on SQLite and PostgreSQL: its tasks and records can no longer change,
through the services (records, excuse and cancel, a batch, replanning), the pages and the API; the
other years and the other towns go on as before. The year is marked finalised directly here (the
lock does not depend on how; test_review_finalise.py finalises through the service and the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import World, build_world, form_post, sign_in
from tests.support.review_fixture import AFTER_YEAR, MID_YEAR, YEAR, ReviewTown, build_review_town
from tests.support.work_pages import ENGLISH
from tests.support.work_services import actor, assignment_in, dump_db, record_in
from tracker.db.models.accounts import Role
from tracker.db.models.review import FinalisedYear
from tracker.db.models.roster import Person
from tracker.db.models.tasks import Assignment, Cadence, Record, Task, TaskStatus, WhoKind, WorkKind
from tracker.domain.access import Actor
from tracker.domain.clock import due_instant, local_date, utc_now
from tracker.domain.errors import Conflict
from tracker.domain.planning.service import AssignmentService, Plan
from tracker.domain.planning.who import Who
from tracker.domain.work.locks import YearFinalised, year_is_final
from tracker.domain.work.records import BatchRecord, RecordService
from tracker.domain.work.service import TaskService

LECTURE = {"topic": "全会精神", "audience": 30}


def _secretary(fx: ReviewTown) -> Actor:
    return actor(Role.SECRETARY, fx.town.id, fx.people["S1"], fx.secretary_user.id)


async def _finalised_town(session: AsyncSession) -> ReviewTown:
    fx = await build_review_town(session)
    session.add(FinalisedYear(town_id=fx.town.id, year=YEAR, finalised_at=AFTER_YEAR, snapshot={}))
    await session.flush()
    return fx


async def _task(session: AsyncSession, fx: ReviewTown, person: str, place: str, period: str) -> Task:
    query = select(Task).where(Task.person_id == fx.people[person].id, Task.place_id == fx.places[place].id,
                               Task.period_key == period)  # fmt: skip
    return (await session.scalars(query)).one()


async def _records(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count()).select_from(Record))) or 0


def _records_service(session: AsyncSession, who: Actor | None, tmp: str = "/tmp/unused-photos") -> RecordService:
    return RecordService(session, who, tmp, 1024 * 1024)


# -- through the services ----------------------------------------------------------------------------


def test_it_knows_which_years_are_final(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await _finalised_town(session)
        assert await year_is_final(session, fx.town.id, YEAR)
        assert not await year_is_final(session, fx.town.id, YEAR + 1)
        assert not await year_is_final(session, fx.other.id, YEAR)

    db(go)


def test_it_refuses_a_record_for_an_open_task_of_the_finalised_year_and_writes_nothing(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await _finalised_town(session)
        missed = await _task(session, fx, "S1", "V1", "2025-03")  # open, overdue
        before = await _records(session)
        with pytest.raises(YearFinalised) as refused:
            await _records_service(session, _secretary(fx)).create(
                None, record_in("late-00001", dt.date(YEAR, 3, 20)), AFTER_YEAR, task_id=missed.id
            )
        assert isinstance(refused.value, Conflict) and refused.value.status_code == 409
        assert "occurred_on" in refused.value.fields
        assert "2025" in refused.value.message
        await session.refresh(missed)
        assert (missed.status, missed.done_count) == (TaskStatus.OPEN, 0)
        assert await _records(session) == before

    db(go)


def test_it_refuses_a_record_of_the_new_year_that_would_close_a_task_of_the_finalised_year(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await _finalised_town(session)
        missed = await _task(session, fx, "S2", "V3", "2025-11")
        with pytest.raises(YearFinalised) as refused:
            await _records_service(session, _secretary(fx)).create(
                None, record_in("late-00002", dt.date(YEAR + 1, 1, 5)), AFTER_YEAR, task_id=missed.id
            )
        assert "task_id" in refused.value.fields
        await session.refresh(missed)
        assert missed.status is TaskStatus.OPEN

    db(go)


def test_it_refuses_an_unplanned_record_dated_in_the_finalised_year_but_takes_one_of_the_new_year(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await _finalised_town(session)
        records = _records_service(session, _secretary(fx))
        before = await _records(session)
        with pytest.raises(YearFinalised):
            await records.create(fx.town, record_in("unpl-00001", dt.date(YEAR, 12, 30), fields=LECTURE), AFTER_YEAR,
                                 kind=WorkKind.LECTURE)  # fmt: skip
        assert await _records(session) == before
        made = await records.create(fx.town, record_in("unpl-00002", dt.date(YEAR + 1, 2, 10), fields=LECTURE),
                                    AFTER_YEAR, kind=WorkKind.LECTURE)  # fmt: skip
        assert made.created and await _records(session) == before + 1

    db(go)


def test_it_leaves_the_same_year_of_another_town_open(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await _finalised_town(session)
        person = (await session.scalars(select(Person).where(Person.town_id == fx.other.id))).first()
        made = await _records_service(session, None).create(
            fx.other, record_in("other-0001", dt.date(YEAR, 12, 30), fields=LECTURE), AFTER_YEAR,
            kind=WorkKind.LECTURE, person_id=person.id,  # type: ignore[union-attr]
        )  # fmt: skip
        assert made.created

    db(go)


def test_it_gives_a_resent_submission_its_first_result_even_after_finalising(db) -> None:
    """The phone's queue sending again what was saved before the year was finalised: no error, no change."""

    async def go(session: AsyncSession) -> None:
        fx = await build_review_town(session)
        records = _records_service(session, _secretary(fx))
        data = record_in("resend-001", dt.date(YEAR, 12, 30), fields=LECTURE)
        first = await records.create(fx.town, data, AFTER_YEAR, kind=WorkKind.LECTURE)
        session.add(FinalisedYear(town_id=fx.town.id, year=YEAR, finalised_at=AFTER_YEAR, snapshot={}))
        await session.flush()
        again = await records.create(fx.town, data, AFTER_YEAR, kind=WorkKind.LECTURE)
        assert not again.created and again.record.id == first.record.id

    db(go)


def test_it_refuses_a_batch_with_a_record_of_the_finalised_year(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await _finalised_town(session)
        before = await _records(session)
        entries = [
            BatchRecord(record_in("batch-0001", dt.date(YEAR + 1, 1, 10), fields=LECTURE), AFTER_YEAR,
                        kind=WorkKind.LECTURE, person_id=fx.people["H1"].id),
            BatchRecord(record_in("batch-0002", dt.date(YEAR, 12, 10), fields=LECTURE), AFTER_YEAR,
                        kind=WorkKind.LECTURE, person_id=fx.people["H1"].id),
        ]  # fmt: skip
        with pytest.raises(YearFinalised):
            async with session.begin_nested():
                await _records_service(session, None).file_batch(fx.town, entries, AFTER_YEAR)
        assert await _records(session) == before

    db(go)


@pytest.mark.parametrize("action", ["excuse", "cancel"])
def test_it_refuses_to_excuse_or_cancel_a_task_of_the_finalised_year(db, action: str) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await _finalised_town(session)
        missed = await _task(session, fx, "S1", "V1", "2025-07")
        tasks = TaskService(session, _secretary(fx))
        with pytest.raises(YearFinalised) as refused:
            await getattr(tasks, action)(missed.id, "出差", AFTER_YEAR)
        assert "task_id" in refused.value.fields
        await session.refresh(missed)
        assert (missed.status, missed.status_reason, missed.closed_at) == (TaskStatus.OPEN, "", None)
        next_year = await _task(session, fx, "S1", "V1", "2026-03")
        assert (await getattr(tasks, action)(next_year.id, "出差", AFTER_YEAR)).status is not TaskStatus.OPEN

    db(go)


def test_it_never_lets_a_replan_touch_a_task_of_the_finalised_year(db) -> None:
    """Even with a `now` before the year's end (so that its tasks look "future"), replanning leaves
    them as they are; the same replan closes the next year's."""

    async def go(session: AsyncSession) -> None:
        fx = await _finalised_town(session)
        visits = fx.assignments["visits"]
        before = {t.id: (t.status, t.title, t.due_at) for t in await session.scalars(
            select(Task).where(Task.assignment_id == visits.id))}  # fmt: skip
        empty = Plan(Who(kind=WhoKind.CONTACT_POINTS), None, [], [])  # type: ignore[arg-type]
        await AssignmentService(session, None).replan(fx.town, visits, empty, MID_YEAR, reason="roster changed")
        after = {t.id: (t.status, t.title, t.due_at) for t in await session.scalars(
            select(Task).where(Task.assignment_id == visits.id).execution_options(populate_existing=True))}  # fmt: skip
        changed = {task_id for task_id in before if before[task_id] != after[task_id]}
        tasks = {t.id: t for t in await session.scalars(select(Task).where(Task.id.in_(changed or {0})))}
        assert changed and all(t.period_start.year == YEAR + 1 for t in tasks.values())
        assert all(after[t][0] is TaskStatus.REASSIGNED for t in changed)

    db(go)


def test_it_keeps_the_finalised_years_tasks_when_the_assignment_is_edited(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await _finalised_town(session)
        visits = fx.assignments["visits"]
        query = select(Task).where(Task.assignment_id == visits.id, Task.period_start < dt.date(YEAR + 1, 1, 1))
        before = [(t.id, t.status, t.title, t.done_count, t.due_at) for t in await session.scalars(query)]
        data = assignment_in({"kind": "contact_points"}, {"cadence": "monthly"}, title="联系点遍访（调整）", kind="visit")
        await AssignmentService(session, _secretary(fx)).update(fx.town, visits.id, data, AFTER_YEAR)
        after = [(t.id, t.status, t.title, t.done_count, t.due_at)
                 for t in await session.scalars(query.execution_options(populate_existing=True))]  # fmt: skip
        assert after == before and len(before) == 48

    db(go)


# -- through the pages and the API ---------------------------------------------------------------


def _last_year() -> int:
    return local_date(utc_now(), "Asia/Shanghai").year - 1


async def _world_with_a_finalised_year(session: AsyncSession) -> tuple[World, dict[str, int]]:
    """The personas' world; the cadre's December visit of last year left open, a lecture of theirs last
    year, and last year finalised for town A."""
    world = await build_world(session)
    year = _last_year()
    visits = Assignment(town_id=world.a.town.id, title="十二月走访", kind=WorkKind.VISIT, target_count=1,
                        who_kind=WhoKind.PEOPLE, who_person_ids=[world.a.cadre.id], cadence=Cadence.ONCE)  # fmt: skip
    session.add(visits)
    await session.flush()
    end = dt.date(year, 12, 31)
    task = Task(town_id=world.a.town.id, assignment_id=visits.id, person_id=world.a.cadre.id,
                place_id=world.a.villages[1].id, slot="lock-test", period_key=f"{year}-12",
                period_start=dt.date(year, 12, 1), period_end=end, due_at=due_instant(end), title=visits.title,
                kind=WorkKind.VISIT)  # fmt: skip
    session.add(task)
    session.add(FinalisedYear(town_id=world.a.town.id, year=year, finalised_at=utc_now(), snapshot={}))
    await session.flush()
    return world, {"task": task.id}


def _visit_form(day: dt.date) -> dict[str, str]:
    return {"client_key": "page-lock-1", "occurred_on": day.isoformat(), "place_id": "", "f_people_met": "村支书",
            "f_issues_raised": "道路维修"}  # fmt: skip


def test_it_refuses_the_record_form_of_a_finalised_years_task_with_a_message(client, db) -> None:
    _world, ids = db(_world_with_a_finalised_year)
    sign_in(client, "cadre")
    before = dump_db(db)
    answer = form_post(client, f"/tasks/{ids['task']}/records", _visit_form(dt.date(_last_year(), 12, 20)),
                       headers=ENGLISH)  # fmt: skip
    assert answer.status_code == 409
    assert f"The review of {_last_year()} is finalised" in answer.text and "amendment note" in answer.text
    assert dump_db(db) == before


def test_the_task_page_of_a_finalised_year_offers_no_forms_and_says_why(client, db) -> None:
    _world, ids = db(_world_with_a_finalised_year)
    for login in ("cadre", "secretary"):
        sign_in(client, login)
        page = client.get(f"/tasks/{ids['task']}", headers=ENGLISH)
        assert page.status_code == 200
        assert f"The review of {_last_year()} is finalised: this task can no longer be recorded" in page.text
        assert f'action="/tasks/{ids["task"]}/records"' not in page.text
        assert f'action="/tasks/{ids["task"]}/excuse"' not in page.text


def test_it_refuses_excusing_a_finalised_years_task_on_the_page(client, db) -> None:
    _world, ids = db(_world_with_a_finalised_year)
    sign_in(client, "secretary")
    before = dump_db(db)
    answer = form_post(client, f"/tasks/{ids['task']}/excuse", {"reason": "出差"}, headers=ENGLISH)
    assert answer.status_code == 409 and "is finalised" in answer.text
    assert dump_db(db) == before


def _api_record(day: dt.date, **extra: Any) -> dict[str, Any]:
    return {"client_key": "api-lock-01", "occurred_on": day.isoformat(), "fields": {"people_met": "村支书"}, **extra}


def test_it_answers_409_with_a_message_to_the_api_and_changes_nothing(api_client, db) -> None:
    world, ids = db(_world_with_a_finalised_year)
    year, headers = _last_year(), ENGLISH
    before = dump_db(db)
    task_record = api_client.post(f"/api/v1/tasks/{ids['task']}/records", json=_api_record(dt.date(year, 12, 20)),
                                  headers=headers)  # fmt: skip
    assert task_record.status_code == 409, task_record.text
    body = task_record.json()
    assert body["status_code"] == 409 and f"The review of {year} is finalised" in body["detail"]
    assert "occurred_on" in body["fields"]
    unplanned = {**_api_record(dt.date(year, 12, 20), fields=LECTURE), "kind": "lecture",
                 "person_id": world.a.cadre.id}  # fmt: skip
    assert api_client.post("/api/v1/towns/alpha/records", json=unplanned, headers=headers).status_code == 409
    for action in ("excuse", "cancel"):
        answer = api_client.post(f"/api/v1/tasks/{ids['task']}/{action}", json={"reason": "出差"}, headers=headers)
        assert answer.status_code == 409 and "is finalised" in answer.json()["detail"]
    assert dump_db(db) == before


def test_it_speaks_chinese_by_default_when_refusing(api_client, db) -> None:
    _world, ids = db(_world_with_a_finalised_year)
    answer = api_client.post(f"/api/v1/tasks/{ids['task']}/excuse", json={"reason": "出差"})
    assert answer.status_code == 409 and "已定稿" in answer.json()["detail"]
