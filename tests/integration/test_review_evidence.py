"""Evidence where people look for it: a place's visits and coverage by month, a person's records of the
year, a follow-up resolved with a note (once, by those who may), through the service and the pages,
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import World, build_world, form_post, sign_in
from tests.support.work_services import actor
from tracker.db.models.accounts import Role
from tracker.db.models.review import FollowUpResolution
from tracker.db.models.tasks import (
    Assignment,
    Cadence,
    Record,
    RecordPhoto,
    Task,
    TaskStatus,
    WhoKind,
    WorkKind,
)
from tracker.domain.access import Actor
from tracker.domain.clock import due_instant
from tracker.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tracker.domain.review.evidence import EvidenceService, summary_of
from tracker.i18n import use_locale

ZONE = "Asia/Shanghai"
NOW = dt.datetime(2026, 11, 28, 4, 0, tzinfo=dt.UTC)
ENGLISH = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", "Accept-Language": "en"}


@dataclass
class Evidence:
    world: World
    follow_up: int  # the official's January visit: needs follow-up
    plain: int  # the official's March visit: nothing to follow up
    cadres: int  # the cadre's own unplanned visit in February, needing follow-up
    lecture: int  # the official's lecture in May


def _record(world: World, person_id: int, kind: WorkKind, day: dt.date, fields: dict[str, Any],
            place_id: int | None = None, task_id: int | None = None, key: str = "") -> Record:  # fmt: skip
    return Record(town_id=world.a.town.id, person_id=person_id, kind=kind, occurred_on=day, place_id=place_id,
                  task_id=task_id, fields=fields, client_key=key or f"{person_id}-{day}-{kind.value}")  # fmt: skip


def _visit(found: str = "", follow_up: bool = False) -> dict[str, Any]:
    return {"people_met": "村两委", "issues_raised": "道路", "issues_found": found, "needs_follow_up": follow_up}


async def build(session: AsyncSession) -> Evidence:
    world = await build_world(session)
    a = world.a
    village = a.villages[1]  # the official's contact point and the cadre's village
    visits = Assignment(town_id=a.town.id, title="遍访", kind=WorkKind.VISIT, who_kind=WhoKind.CONTACT_POINTS,
                        cadence=Cadence.MONTHLY, active=True)  # fmt: skip
    session.add(visits)
    await session.flush()
    tasks = []
    for month, status in ((1, TaskStatus.DONE), (2, TaskStatus.OPEN), (3, TaskStatus.DONE), (4, TaskStatus.CANCELLED)):
        start = dt.date(2026, month, 1)
        end = dt.date(2026, month + 1, 1) - dt.timedelta(days=1)
        tasks.append(Task(
            town_id=a.town.id, assignment_id=visits.id, person_id=a.official.id, place_id=village.id,
            slot=f"{a.official.id}:{village.id}:2026-{month:02d}", period_key=f"2026-{month:02d}",
            period_start=start, period_end=end, due_at=due_instant(end, ZONE),
            title="遍访", kind=WorkKind.VISIT, status=status, done_count=1 if status is TaskStatus.DONE else 0,
        ))  # fmt: skip
    session.add_all(tasks)
    await session.flush()
    records = [
        _record(world, a.official.id, WorkKind.VISIT, dt.date(2026, 1, 12), _visit("宣传栏内容陈旧", True),
                village.id, tasks[0].id),
        _record(world, a.official.id, WorkKind.VISIT, dt.date(2026, 3, 3), _visit(), village.id, tasks[2].id),
        _record(world, a.cadre.id, WorkKind.VISIT, dt.date(2026, 2, 20), _visit("微信群不实信息", True), village.id),
        _record(world, a.official.id, WorkKind.LECTURE, dt.date(2026, 5, 8), {"topic": "乡村振兴政策解读", "audience": 40},
                a.villages[2].id),
        _record(world, a.official.id, WorkKind.VISIT, dt.date(2025, 12, 1), _visit(), village.id),  # last year
    ]  # fmt: skip
    session.add_all(records)
    await session.flush()
    session.add(RecordPhoto(record_id=records[1].id, sha256="a" * 64, thumb_sha256="b" * 64, content_type="image/jpeg",
                            width=10, height=10, size_bytes=100))  # fmt: skip
    await session.flush()
    return Evidence(world, records[0].id, records[1].id, records[2].id, records[3].id)


def _actor(world: World, login: str) -> Actor:
    a = world.a
    people = {"secretary": (Role.SECRETARY, a.secretary), "official": (Role.OFFICIAL, a.official),
              "cadre": (Role.MEMBER, a.cadre), "outsider": (Role.MEMBER, world.outsider)}  # fmt: skip
    if login == "viewer":
        return Actor(user_id=world.users["viewer"], login="viewer", role=Role.VIEWER, town_id=None, person_id=None,
                     viewer_town_ids=frozenset({a.town.id}))
    if login == "secretary_b":
        return actor(Role.SECRETARY, world.b.town.id, world.b.secretary, user_id=world.users[login])
    role, person = people[login]
    return actor(role, a.town.id, person, user_id=world.users[login])


def service(session: AsyncSession, world: World, login: str) -> EvidenceService:
    return EvidenceService(session, _actor(world, login))


# -- a place ------------------------------------------------------------------------------------


def test_it_lists_a_places_visits_and_its_coverage_by_month(db) -> None:
    ev = db(build)

    async def check(session: AsyncSession) -> None:
        world = ev.world
        history = await service(session, world, "secretary").place_history(world.a.town, world.a.villages[1].id, 2026, NOW)
        assert [v.record_id for v in history.visits] == [ev.plain, ev.cadres, ev.follow_up]  # newest first
        months = {m.month: (m.due, m.covered, m.visits) for m in history.months}
        assert months[1] == (1, 1, 1) and months[2] == (1, 0, 1) and months[3] == (1, 1, 1)
        assert months[4] == (0, 0, 0)  # the cancelled task is no cell
        assert (history.due, history.covered, history.open_follow_ups, history.to_date) == (3, 2, 2, True)
        plain = next(v for v in history.visits if v.record_id == ev.plain)
        assert len(plain.photo_ids) == 1 and plain.person == "镇长乙" and not plain.needs_follow_up
        # a member reads the visits of their own work only (the scope's rule), and no one else's cells
        mine = await service(session, world, "cadre").place_history(world.a.town, world.a.villages[1].id, 2026, NOW)
        assert [v.record_id for v in mine.visits] == [ev.cadres] and mine.due == 0
        last = await service(session, world, "official").place_history(world.a.town, world.a.villages[1].id, 2025, NOW)
        assert len(last.visits) == 1 and not last.to_date
        with pytest.raises(NotFound):
            await service(session, world, "secretary_b").place_history(world.a.town, world.a.villages[1].id, 2026, NOW)
        with pytest.raises(NotFound):  # a place of another town
            await service(session, world, "secretary").place_history(world.a.town, world.b.villages[1].id, 2026, NOW)
        with pytest.raises(InvalidInput):
            await service(session, world, "secretary").place_history(world.a.town, world.a.villages[1].id, 1900, NOW)

    db(check)


# -- a person -----------------------------------------------------------------------------------


def test_it_lists_a_persons_records_of_the_year_for_those_who_read_their_work(db) -> None:
    ev = db(build)

    async def check(session: AsyncSession) -> None:
        world = ev.world
        year = await service(session, world, "official").person_record(world.a.town, world.a.official.id, 2026, NOW)
        assert [(r.kind, r.day) for r in year.records] == [
            (WorkKind.LECTURE, dt.date(2026, 5, 8)), (WorkKind.VISIT, dt.date(2026, 3, 3)),
            (WorkKind.VISIT, dt.date(2026, 1, 12)),
        ]  # fmt: skip
        assert year.records[0].summary == "乡村振兴政策解读" and year.records[0].place == world.a.villages[2].name
        assert year.records[2].summary == "宣传栏内容陈旧" and year.records[2].task_id is not None
        for login in ("secretary", "viewer"):
            assert len((await service(session, world, login).person_record(
                world.a.town, world.a.cadre.id, 2026, NOW)).records) == 1  # fmt: skip
        assert (await service(session, world, "official").person_record(world.a.town, world.a.cadre.id, 2026, NOW)).records
        for login, person in (("cadre", world.a.official), ("outsider", world.a.cadre)):
            with pytest.raises(NotFound):
                await service(session, world, login).person_record(world.a.town, person.id, 2026, NOW)

    db(check)


def test_it_sums_up_each_kind_of_record_in_one_line() -> None:
    assert summary_of(WorkKind.VISIT, _visit("", False)) == "道路"
    with use_locale("en"):
        assert summary_of(WorkKind.CULTURE, {"form": "film"}) == "Film screening"
    assert summary_of(WorkKind.PUBLICITY, {"outlet_level": "county", "title": "新闻稿"}) == "新闻稿"
    assert summary_of(WorkKind.CUSTOM, {"note": "x" * 200}).endswith("…")
    assert summary_of(WorkKind.STUDY, {"attendee_ids": [1], "minutes": ""}) == ""


# -- a follow-up --------------------------------------------------------------------------------


async def _resolutions(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(FollowUpResolution)) or 0)


def test_it_resolves_a_follow_up_once_with_a_note_by_those_who_may(db) -> None:
    ev = db(build)
    world, town = ev.world, ev.world.a.town

    async def refusals(session: AsyncSession) -> None:
        with pytest.raises(InvalidInput) as empty:
            await service(session, world, "secretary").resolve_follow_up(town, ev.follow_up, "  ", NOW)
        assert "note" in empty.value.fields
        with pytest.raises(InvalidInput) as nothing:
            await service(session, world, "secretary").resolve_follow_up(town, ev.plain, "已处理", NOW)
        assert "record_id" in nothing.value.fields
        with pytest.raises(NotAllowed):
            await service(session, world, "viewer").resolve_follow_up(town, ev.follow_up, "已处理", NOW)
        with pytest.raises(NotFound):  # the official's visit: the cadre can't even see it
            await service(session, world, "cadre").resolve_follow_up(town, ev.follow_up, "已处理", NOW)
        with pytest.raises(NotFound):
            await service(session, world, "secretary_b").resolve_follow_up(world.b.town, ev.follow_up, "已处理", NOW)
        assert await _resolutions(session) == 0

    db(refusals)

    async def resolve(session: AsyncSession) -> None:
        # the official above the cadre resolves the cadre's; the cadre could have too
        made = await service(session, world, "official").resolve_follow_up(town, ev.cadres, " 已在群内澄清 ", NOW)
        assert made.note == "已在群内澄清" and made.resolved_by_user_id == world.users["official"]
        await service(session, world, "secretary").resolve_follow_up(town, ev.follow_up, "宣传栏已更新", NOW)

    db(resolve)

    async def again(session: AsyncSession) -> None:
        with pytest.raises(Conflict):
            await service(session, world, "cadre").resolve_follow_up(town, ev.cadres, "再次", NOW)
        history = await service(session, world, "secretary").place_history(town, world.a.villages[1].id, 2026, NOW)
        resolved = {v.record_id: v.resolution for v in history.visits if v.resolution}
        assert resolved[ev.cadres].resolved_by == "镇长乙" and resolved[ev.cadres].resolved_on == dt.date(2026, 11, 28)
        assert resolved[ev.follow_up].note == "宣传栏已更新" and history.open_follow_ups == 0
        assert await _resolutions(session) == 2

    db(again)


# -- the pages ----------------------------------------------------------------------------------


def test_it_shows_the_visits_on_the_place_page_and_resolves_through_the_form(client, db) -> None:
    ev = db(build)
    a = ev.world.a
    sign_in(client, "secretary")
    place = client.get(f"/towns/alpha/places/{a.villages[1].id}", headers=ENGLISH).text
    url = f"/towns/alpha/places/{a.villages[1].id}/history"
    assert f'hx-get="{url}"' in place and f'href="{url}"' in place
    partial = client.get(f"{url}?year=2026", headers=HTMX)
    assert partial.status_code == 200 and "<html" not in partial.text and "宣传栏内容陈旧" in partial.text
    page = client.get(f"{url}?year=2026", headers=ENGLISH).text
    assert "<html" in page and "Mark resolved" in page and "/photos/" in page
    # a refused note: the row again with the message beside the note, nothing saved
    refused = form_post(client, f"/towns/alpha/records/{ev.follow_up}/follow-up", {"note": ""}, headers=HTMX)
    assert refused.status_code == 400 and "Say how it was resolved" in refused.text and "<html" not in refused.text
    refused = form_post(client, f"/towns/alpha/records/{ev.follow_up}/follow-up", {"note": ""}, headers=ENGLISH)
    assert refused.status_code == 400 and "Say how it was resolved" in refused.text and "<html" in refused.text
    assert db(_resolutions) == 0
    back = f"{url}?year=2026"
    done = form_post(client, f"/towns/alpha/records/{ev.follow_up}/follow-up", {"note": "已更新", "next": back},
                     headers=ENGLISH)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == back
    row = form_post(client, f"/towns/alpha/records/{ev.cadres}/follow-up", {"note": "已澄清"}, headers=HTMX)
    assert row.status_code == 200 and row.text.lstrip().startswith(f'<li class="record" id="visit-{ev.cadres}"')
    assert "Follow-up resolved" in row.text and "Mark resolved" not in row.text
    again = form_post(client, f"/towns/alpha/records/{ev.cadres}/follow-up", {"note": "再次"}, headers=ENGLISH)
    assert again.status_code == 409
    off_site = form_post(client, f"/towns/alpha/records/{ev.plain}/follow-up", {"note": "x", "next": "//evil.example"},
                         headers=ENGLISH)  # fmt: skip
    assert off_site.status_code == 400  # nothing to follow up on that visit


def test_it_shows_a_persons_year_on_their_page_to_those_who_read_their_work(client, db) -> None:
    ev = db(build)
    a = ev.world.a
    url = f"/towns/alpha/people/{a.official.id}/year"
    sign_in(client, "official")
    person = client.get(f"/towns/alpha/people/{a.official.id}", headers=ENGLISH).text
    assert f'hx-get="{url}"' in person
    partial = client.get(f"{url}?year=2026", headers=HTMX)
    assert partial.status_code == 200 and "<html" not in partial.text and "乡村振兴政策解读" in partial.text
    assert "<html" in client.get(f"{url}?year=nonsense", headers=ENGLISH).text  # this year
    client.cookies.clear()
    sign_in(client, "cadre")
    assert f'hx-get="{url}"' not in client.get(f"/towns/alpha/people/{a.official.id}", headers=ENGLISH).text
    assert client.get(url, headers=ENGLISH).status_code == 404
