"""Finalising a year, on SQLite and PostgreSQL: the snapshot is stored and the review comes from it
afterwards (a record changed in the database behind it changes nothing); only a year that is over,
only once, only by the town's secretary or an admin; audited. Amendment notes on a finalised year's
records. Through the service, the pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import build_world, form_post, json_headers, sign_in
from tests.support.review_fixture import AFTER_YEAR, MID_YEAR, YEAR, ReviewTown, build_review_town
from tests.support.work_pages import ENGLISH
from tests.support.work_services import actor, dump_db
from tracker.db.models.accounts import Role
from tracker.db.models.audit import AuditEntry
from tracker.db.models.review import FinalisedYear, RecordAmendment
from tracker.db.models.tasks import Assignment, Cadence, Record, Task, TaskStatus, WhoKind, WorkKind
from tracker.domain.access import Actor
from tracker.domain.clock import due_instant, local_date, utc_now
from tracker.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tracker.domain.review.finalise import FinaliseService, finalise_year
from tracker.domain.review.service import ReviewService
from tracker.domain.work.service import TaskService


def _as(fx: ReviewTown, role: Role, person: str | None = "S1", town_id: int | None = None) -> Actor:
    user_id = fx.secretary_user.id if role is Role.SECRETARY and person == "S1" else 999
    return actor(role, fx.town.id if town_id is None else town_id, fx.people[person] if person else None, user_id)


async def _visits_recorded(session: AsyncSession, town_id: int) -> int:
    query = select(func.count()).select_from(Record).where(Record.town_id == town_id, Record.kind == WorkKind.VISIT)
    return (await session.scalar(query)) or 0


# -- the service ---------------------------------------------------------------------------------


def test_it_stores_the_review_as_the_snapshot_and_answers_from_it_afterwards(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await build_review_town(session)
        secretary = _as(fx, Role.SECRETARY)
        computed = await ReviewService(session, secretary).review(fx.town, YEAR, AFTER_YEAR)
        assert computed.finalised_at is None and computed.figures.visits_total == 46
        stored = await finalise_year(session, secretary, fx.town, YEAR, AFTER_YEAR)
        assert (stored.year, stored.finalised_at, stored.finalised_by_user_id) == (YEAR, AFTER_YEAR, fx.secretary_user.id)
        assert {k: v for k, v in stored.snapshot.items() if k != "finalised_at"} == {
            k: v for k, v in computed.to_json().items() if k != "finalised_at"
        }
        # behind the review's back: a visit of the year deleted, a lecture turned into a visit
        await session.execute(delete(Record).where(Record.id == fx.records["issue_only"].id))
        await session.execute(update(Record).where(Record.kind == WorkKind.LECTURE).values(kind=WorkKind.VISIT))
        assert await _visits_recorded(session, fx.town.id) != 46
        frozen = await ReviewService(session, secretary).review(fx.town, YEAR, AFTER_YEAR + dt.timedelta(days=300))
        assert frozen.finalised_at == AFTER_YEAR
        assert frozen.figures.visits_total == 46 and frozen.figures.lectures_total == computed.figures.lectures_total
        assert frozen.scorecards == computed.scorecards

    db(go)


def test_it_logs_the_finalising_once_without_copying_the_snapshot(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await build_review_town(session)
        stored = await finalise_year(session, _as(fx, Role.SECRETARY), fx.town, YEAR, AFTER_YEAR)
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.object_type == "finalised_year"))).all()
        assert [(e.action, e.object_id, e.town_id) for e in entries] == [("year_finalised", str(stored.id), fx.town.id)]
        assert entries[0].changes["year"] == YEAR and entries[0].changes["visits"] == 46
        assert "snapshot" not in entries[0].changes

    db(go)


def test_it_finalises_a_year_only_once(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await build_review_town(session)
        await finalise_year(session, _as(fx, Role.SECRETARY), fx.town, YEAR, AFTER_YEAR)
        with pytest.raises(Conflict) as again:
            await finalise_year(session, None, fx.town, YEAR, AFTER_YEAR)
        assert "year" in again.value.fields
        assert await session.scalar(select(func.count()).select_from(FinalisedYear)) == 1

    db(go)


@pytest.mark.parametrize(("year", "now"), [(YEAR + 1, AFTER_YEAR), (YEAR, MID_YEAR), (YEAR + 5, AFTER_YEAR)])
def test_it_refuses_a_year_that_is_not_over_in_the_towns_time(db, year: int, now: dt.datetime) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await build_review_town(session)
        with pytest.raises(InvalidInput) as refused:
            await finalise_year(session, _as(fx, Role.SECRETARY), fx.town, year, now)
        assert "year" in refused.value.fields and str(year + 1) in refused.value.message
        assert await session.scalar(select(func.count()).select_from(FinalisedYear)) == 0

    db(go)


def test_it_takes_the_first_instant_of_the_new_year_in_the_towns_zone(db) -> None:
    """16:30 UTC on 31 December is already 00:30 on 1 January in Shanghai: the year is over there."""

    async def go(session: AsyncSession) -> None:
        fx = await build_review_town(session)
        new_year_in_shanghai = dt.datetime(YEAR, 12, 31, 16, 30, tzinfo=dt.UTC)
        with pytest.raises(InvalidInput):
            await finalise_year(session, _as(fx, Role.SECRETARY), fx.town, YEAR, new_year_in_shanghai - dt.timedelta(hours=1))
        assert (await finalise_year(session, _as(fx, Role.SECRETARY), fx.town, YEAR, new_year_in_shanghai)).year == YEAR

    db(go)


def test_it_lets_only_the_towns_secretary_or_an_admin_finalise(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await build_review_town(session)
        for refused in (_as(fx, Role.OFFICIAL, "S2"), _as(fx, Role.MEMBER, "C1")):
            with pytest.raises(NotAllowed):
                await finalise_year(session, refused, fx.town, YEAR, AFTER_YEAR)
        viewer = Actor(user_id=998, login="viewer", role=Role.VIEWER, town_id=None, person_id=None,
                       viewer_town_ids=frozenset({fx.town.id}))  # fmt: skip
        with pytest.raises(NotAllowed):
            await finalise_year(session, viewer, fx.town, YEAR, AFTER_YEAR)
        with pytest.raises(NotFound):  # another town's secretary: as if the town did not exist
            await finalise_year(session, _as(fx, Role.SECRETARY, None, town_id=fx.other.id), fx.town, YEAR, AFTER_YEAR)
        assert await session.scalar(select(func.count()).select_from(FinalisedYear)) == 0
        admin = Actor(user_id=fx.secretary_user.id, login="admin", role=Role.ADMIN, town_id=None, person_id=None)
        assert (await finalise_year(session, admin, fx.town, YEAR, AFTER_YEAR)).finalised_by_user_id == admin.user_id

    db(go)


# -- amendment notes -------------------------------------------------------------------------------


def test_it_adds_an_audited_note_to_a_record_of_the_finalised_year_and_shows_it_on_the_task(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await build_review_town(session)
        secretary = _as(fx, Role.SECRETARY)
        await finalise_year(session, secretary, fx.town, YEAR, AFTER_YEAR)
        record = fx.records["issue_only"]
        note = await FinaliseService(session, secretary).amend("rv", record.id, "  走访日期应为4月16日  ", AFTER_YEAR)
        assert (note.record_id, note.note, note.created_by_user_id) == (record.id, "走访日期应为4月16日", fx.secretary_user.id)
        logged = (await session.scalars(select(AuditEntry).where(AuditEntry.object_type == "record_amendment"))).all()
        assert [(e.action, e.object_id) for e in logged] == [("create", str(note.id))]
        await session.refresh(record)
        assert record.occurred_on == dt.date(YEAR, 4, 15)  # the record itself unchanged
        detail = await TaskService(session, secretary).detail(record.task_id, AFTER_YEAR)  # type: ignore[arg-type]
        assert YEAR in detail.final_years and detail.can_amend
        assert [n.note for n in detail.amendments[record.id]] == ["走访日期应为4月16日"]

    db(go)


def test_it_refuses_notes_that_are_empty_or_on_a_year_not_finalised_or_by_someone_else(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await build_review_town(session)
        secretary = _as(fx, Role.SECRETARY)
        await finalise_year(session, secretary, fx.town, YEAR, AFTER_YEAR)
        service = FinaliseService(session, secretary)
        record = fx.records["issue_only"]  # S1's visit
        with pytest.raises(InvalidInput) as empty:
            await service.amend("rv", record.id, "   ", AFTER_YEAR)
        assert "note" in empty.value.fields
        new_year = (await session.scalars(select(Record).where(Record.occurred_on == dt.date(YEAR + 1, 1, 2)))).one()
        with pytest.raises(Conflict):
            await service.amend("rv", new_year.id, "补充", AFTER_YEAR)
        with pytest.raises(NotFound):  # C1 does not see S1's work
            await FinaliseService(session, _as(fx, Role.MEMBER, "C1")).amend("rv", record.id, "补充", AFTER_YEAR)
        with pytest.raises(NotAllowed):  # S2's official reads C1's work below them, may not write for them
            c1_record = (await session.scalars(select(Record).where(Record.person_id == fx.people["C1"].id,
                                                                    Record.occurred_on == dt.date(YEAR, 4, 10)))).one()  # fmt: skip
            await FinaliseService(session, _as(fx, Role.OFFICIAL, "S2")).amend("rv", c1_record.id, "补充", AFTER_YEAR)
        with pytest.raises(NotFound):  # the record is not in the town named
            await service.amend("ot", record.id, "补充", AFTER_YEAR)
        assert await session.scalar(select(func.count()).select_from(RecordAmendment)) == 0

    db(go)


# -- pages and API -------------------------------------------------------------------------------


def _years() -> tuple[int, int]:
    this_year = local_date(utc_now(), "Asia/Shanghai").year
    return this_year - 1, this_year


async def _world(session: AsyncSession) -> dict[str, int]:
    """The personas' world with the cadre's December visit of last year done (with its record)."""
    world = await build_world(session)
    last, _ = _years()
    visits = Assignment(town_id=world.a.town.id, title="十二月走访", kind=WorkKind.VISIT, target_count=1,
                        who_kind=WhoKind.PEOPLE, who_person_ids=[world.a.cadre.id], cadence=Cadence.ONCE)  # fmt: skip
    session.add(visits)
    await session.flush()
    end = dt.date(last, 12, 31)
    task = Task(town_id=world.a.town.id, assignment_id=visits.id, person_id=world.a.cadre.id,
                place_id=world.a.villages[1].id, slot="final-test", period_key=f"{last}-12",
                period_start=dt.date(last, 12, 1), period_end=end, due_at=due_instant(end), title=visits.title,
                kind=WorkKind.VISIT, done_count=1, status=TaskStatus.DONE, closed_at=due_instant(dt.date(last, 12, 9)))  # fmt: skip
    session.add(task)
    await session.flush()
    record = Record(town_id=world.a.town.id, task_id=task.id, person_id=world.a.cadre.id, kind=WorkKind.VISIT,
                    occurred_on=dt.date(last, 12, 9), place_id=world.a.villages[1].id,
                    fields={"people_met": "村支书", "issues_raised": ""}, client_key="final-test-1")  # fmt: skip
    session.add(record)
    await session.flush()
    return {"task": task.id, "record": record.id}


async def _finalised(session: AsyncSession) -> list[tuple[int, int]]:
    return [(f.town_id, f.year) for f in await session.scalars(select(FinalisedYear))]


def test_it_shows_what_will_be_frozen_and_finalises_from_the_page(client, db) -> None:
    db(_world)
    last, _this_year = _years()
    sign_in(client, "secretary")
    page = client.get("/towns/alpha/review/finalise", headers=ENGLISH)
    assert page.status_code == 200
    assert f"Finalise the review of {last}" in page.text and "What will be frozen" in page.text
    assert f'action="/towns/alpha/review/finalise?year={last}"' in page.text
    done = form_post(client, f"/towns/alpha/review/finalise?year={last}", headers=ENGLISH)
    assert done.status_code == 303 and done.headers["location"] == f"/towns/alpha/review?year={last}"
    assert len(db(_finalised)) == 1
    again = client.get(f"/towns/alpha/review/finalise?year={last}", headers=ENGLISH)
    assert "Finalised on" in again.text and "What was frozen" in again.text and "review/finalise?year=" not in again.text.split("What was frozen")[1]
    twice = form_post(client, f"/towns/alpha/review/finalise?year={last}", headers=ENGLISH)
    assert twice.status_code == 409 and f"The review of {last} is already finalised" in twice.text
    review = client.get(f"/towns/alpha/review?year={last}", headers=ENGLISH)
    assert review.status_code == 200 and "Finalised on" in review.text


def test_it_refuses_the_current_year_on_the_page_and_changes_nothing(client, db) -> None:
    db(_world)
    _last, this_year = _years()
    sign_in(client, "secretary")
    page = client.get(f"/towns/alpha/review/finalise?year={this_year}", headers=ENGLISH)
    assert page.status_code == 200 and "is not over yet" in page.text and f'action="/towns/alpha/review/finalise?year={this_year}"' not in page.text
    before = dump_db(db)
    refused = form_post(client, f"/towns/alpha/review/finalise?year={this_year}", headers=ENGLISH)
    assert refused.status_code == 400 and f"{this_year} is not over yet" in refused.text
    assert form_post(client, "/towns/alpha/review/finalise?year=abc", headers=ENGLISH).status_code == 400
    assert dump_db(db) == before


def test_it_lets_only_managers_finalise_on_the_page(client, db) -> None:
    db(_world)
    last, _ = _years()
    for login, status in (("official", 403), ("viewer", 403), ("secretary_b", 404)):
        client.cookies.clear()
        sign_in(client, login)
        assert form_post(client, f"/towns/alpha/review/finalise?year={last}").status_code == status
    assert db(_finalised) == []


def test_it_finalises_through_the_api_and_serves_the_frozen_review(api_client, db) -> None:
    ids = db(_world)
    last, this_year = _years()
    path = f"/api/v1/towns/alpha/review/{last}"
    assert api_client.get(path).json()["finalised_at"] is None
    done = api_client.post(f"{path}/finalise")
    assert done.status_code == 200, done.text
    assert done.json()["year"] == last and done.json()["review_url"] == path
    frozen = api_client.get(path).json()
    assert frozen["finalised_at"] and frozen["figures"]["visits_total"] == 1

    async def tamper(session: AsyncSession) -> None:
        await session.execute(delete(Record).where(Record.id == ids["record"]))

    db(tamper)
    assert api_client.get(path).json()["figures"]["visits_total"] == 1
    assert api_client.post(f"{path}/finalise").status_code == 409
    current = api_client.post(f"/api/v1/towns/alpha/review/{this_year}/finalise", headers=ENGLISH)
    assert current.status_code == 400 and "year" in current.json()["fields"]
    assert api_client.post("/api/v1/towns/alpha/review/1999/finalise").status_code == 400


def test_it_adds_a_note_on_the_task_page_and_through_the_api(client, db) -> None:
    ids = db(_world)
    last, _ = _years()
    sign_in(client, "secretary")
    assert form_post(client, f"/towns/alpha/review/finalise?year={last}").status_code == 303
    client.cookies.clear()
    sign_in(client, "cadre")
    task_page = client.get(f"/tasks/{ids['task']}", headers=ENGLISH)
    assert "Add an amendment note" in task_page.text
    note_path = f"/towns/alpha/records/{ids['record']}/amendments"
    empty = form_post(client, note_path, {"note": "  "}, headers=ENGLISH)
    assert empty.status_code == 400 and "Write the note" in empty.text and 'aria-invalid="true"' in empty.text
    added = form_post(client, note_path, {"note": "实际走访日期为12月10日"}, headers=ENGLISH)
    assert added.status_code == 303
    assert added.headers["location"] == f"/tasks/{ids['task']}#amendments-{ids['record']}"
    assert "实际走访日期为12月10日" in client.get(f"/tasks/{ids['task']}", headers=ENGLISH).text
    api_path = f"/api/v1/towns/alpha/records/{ids['record']}/amendments"
    by_api = client.post(api_path, json={"note": "已核实"}, headers=json_headers(client))
    assert by_api.status_code == 201 and by_api.json()["note"] == "已核实"
    assert client.post(api_path, json={"note": ""}, headers=json_headers(client)).status_code == 400
    client.cookies.clear()
    sign_in(client, "official")  # reads the cadre's work, may not write for them
    assert client.post(api_path, json={"note": "补充"}, headers=json_headers(client)).status_code == 403
