"""The tasks JSON API on SQLite and PostgreSQL: shapes of assignments, tasks, records and the board,
and who may see and do what (each persona calls with their own API token)."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import World, build_world
from tests.support.work_services import dump_db, picture
from tracker.db.models.tasks import Record
from tracker.domain.accounts.users import UserService
from tracker.domain.clock import local_date, utc_now

ZONE = "Asia/Shanghai"
PERSONAS = ("admin", "secretary", "official", "cadre", "outsider", "secretary_b", "viewer")
LECTURE = {"topic": "百姓宣讲", "audience": 25}


@dataclass
class Api:
    client: TestClient
    world: World
    tokens: dict[str, str]

    def call(self, who: str, method: str, url: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}", "Accept-Language": "en"}
        return self.client.request(method, url, headers=headers, **kwargs)


@pytest.fixture
def api(client: TestClient, db: Any) -> Api:
    world: World = db(build_world)

    async def tokens(session: AsyncSession) -> dict[str, str]:
        users = UserService(session, None)  # type: ignore[arg-type]
        return {p: (await users.create_token(world.users[p], "api-tests")).secret for p in PERSONAS}

    return Api(client, world, db(tokens))


def _today() -> dt.date:
    return local_date(utc_now(), ZONE)


def _due_today(api: Api, who: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An assignment due today (so that a record today is within its period), made by the secretary."""
    body = {"title": "今日宣讲", "kind": "lecture", "who": who, "when": {"cadence": "once", "due_date": _today().isoformat()},
            **extra}  # fmt: skip
    response = api.call("secretary", "POST", "/api/v1/towns/alpha/assignments", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _task_of(api: Api, login: str, person_id: int) -> int:
    tasks = api.call("secretary", "GET", f"/api/v1/towns/alpha/tasks?person_id={person_id}").json()
    assert tasks, f"no task for {login}"
    return tasks[0]["id"]


def _record(key: str, **extra: Any) -> dict[str, Any]:
    return {"client_key": key, "occurred_on": _today().isoformat(), "fields": LECTURE, **extra}


def test_it_creates_previews_reads_and_changes_assignments(api: Api) -> None:
    a = api.world.a
    below = {"kind": "below", "official_id": a.official.id}
    body = {"title": "宣讲", "kind": "lecture", "target_count": 2, "who": below, "when": {"cadence": "once",
            "due_date": _today().isoformat()}}  # fmt: skip
    preview = api.call("secretary", "POST", "/api/v1/towns/alpha/assignments/preview", json=body)
    assert preview.status_code == 200, preview.text
    counts = {k: v for k, v in preview.json().items() if k != "targets"}
    assert counts == {"task_count": 2, "people_count": 2, "period_count": 1}
    assert set(preview.json()["targets"]) == {a.unit_head.name, a.cadre.name}

    created = api.call("official", "POST", "/api/v1/towns/alpha/assignments", json=body)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["task_count"] == 2 and out["target_count"] == 2 and out["who"]["kind"] == "below"
    assert out["when"]["cadence"] == "once" and out["active"] is True

    listed = api.call("cadre", "GET", "/api/v1/towns/alpha/assignments").json()
    assert [x["id"] for x in listed] == [out["id"]]
    one = api.call("viewer", "GET", f"/api/v1/towns/alpha/assignments/{out['id']}")
    assert one.status_code == 200 and one.json()["task_count"] == 2

    changed = api.call("official", "PUT", f"/api/v1/towns/alpha/assignments/{out['id']}", json={**body, "title": "宣讲（改）"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "宣讲（改）"
    titles = {t["title"] for t in api.call("secretary", "GET", "/api/v1/towns/alpha/tasks").json()}
    assert titles == {"宣讲（改）"}


@pytest.mark.parametrize(
    ("who", "status"),
    [("cadre", 403), ("outsider", 403), ("viewer", 403), ("secretary_b", 404), ("secretary", 201), ("admin", 201)],
)
def test_it_lets_only_the_secretary_or_an_official_assign(api: Api, db: Any, who: str, status: int) -> None:
    body = {"title": "x", "kind": "custom", "who": {"kind": "tier", "tier": "village_cadre"}, "when": {"cadence": "quarterly"}}
    before = dump_db(db)
    response = api.call(who, "POST", "/api/v1/towns/alpha/assignments", json=body)
    assert response.status_code == status, response.text
    if status >= 400:
        assert dump_db(db) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "dance"}, "kind"),
        ({"when": {"cadence": "rrule", "rule": "FREQ=HOURLY"}}, "when.rule"),
        ({"who": {"kind": "people", "person_ids": []}}, "who.person_ids"),
        ({"who": {"kind": "below", "official_id": 0}}, "who.official_id"),
        ({"when": {"cadence": "monthly", "due_day": 0}}, "when.due_day"),
    ],
)
def test_it_answers_bad_assignments_with_field_messages(api: Api, db: Any, change: dict[str, Any], field: str) -> None:
    body = {"title": "x", "kind": "custom", "who": {"kind": "tier", "tier": "village_cadre"},
            "when": {"cadence": "monthly"}, **change}  # fmt: skip
    before = dump_db(db)
    for url in ("/api/v1/towns/alpha/assignments", "/api/v1/towns/alpha/assignments/preview"):
        response = api.call("secretary", "POST", url, json=body)
        assert response.status_code == 400, response.text
        assert field in response.json()["fields"], response.json()
    assert dump_db(db) == before


def test_it_shows_each_person_the_work_they_may_see(api: Api) -> None:
    a = api.world.a
    _due_today(api, {"kind": "people", "person_ids": [a.secretary.id, a.official.id, a.unit_head.id, a.cadre.id,
                                                       api.world.outsider.id]})  # fmt: skip
    seen = {p: {t["person_id"] for t in api.call(p, "GET", "/api/v1/towns/alpha/tasks").json()}
            for p in ("secretary", "official", "cadre", "outsider", "viewer", "admin")}  # fmt: skip
    everyone = {a.secretary.id, a.official.id, a.unit_head.id, a.cadre.id, api.world.outsider.id}
    assert seen == {"secretary": everyone, "official": {a.official.id, a.unit_head.id, a.cadre.id},
                    "cadre": {a.cadre.id}, "outsider": {api.world.outsider.id}, "viewer": everyone,
                    "admin": everyone}  # fmt: skip
    assert api.call("secretary_b", "GET", "/api/v1/towns/alpha/tasks").status_code == 404

    mine = api.call("cadre", "GET", "/api/v1/me/tasks").json()
    assert set(mine) == {"overdue", "due_this_week", "later", "recently_done"}
    assert [t["person_id"] for t in mine["due_this_week"]] == [a.cadre.id]
    assert mine["due_this_week"][0]["light"] == "yellow" and mine["due_this_week"][0]["person_name"] == a.cadre.name
    assert api.call("admin", "GET", "/api/v1/me/tasks").json()["due_this_week"] == []  # no person, no work

    task = _task_of(api, "cadre", a.cadre.id)
    statuses = {p: api.call(p, "GET", f"/api/v1/tasks/{task}").status_code for p in PERSONAS}
    assert statuses == {"admin": 200, "secretary": 200, "official": 200, "cadre": 200, "outsider": 404,
                        "secretary_b": 404, "viewer": 200}  # fmt: skip
    detail = api.call("official", "GET", f"/api/v1/tasks/{task}").json()
    assert (detail["can_record"], detail["can_excuse"], detail["records"]) == (False, False, [])
    assert api.call("cadre", "GET", f"/api/v1/tasks/{task}").json()["can_record"] is True
    assert api.call("secretary", "GET", f"/api/v1/tasks/{task}").json()["can_excuse"] is True


def test_it_files_a_record_once_per_client_key(api: Api, db: Any) -> None:
    a = api.world.a
    _due_today(api, {"kind": "people", "person_ids": [a.cadre.id]})
    task = _task_of(api, "cadre", a.cadre.id)
    first = api.call("cadre", "POST", f"/api/v1/tasks/{task}/records", json=_record("phone-key-1"))
    assert first.status_code == 201, first.text
    out = first.json()
    assert out["created"] is True and out["task"]["status"] == "done" and out["task"]["done_count"] == 1
    assert out["record"]["fields"] == LECTURE and out["record"]["photo_ids"] == []
    again = api.call("cadre", "POST", f"/api/v1/tasks/{task}/records", json=_record("phone-key-1"))
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["record"]["id"] == out["record"]["id"]
    assert db(lambda s: s.scalar(select(func.count()).select_from(Record))) == 1
    detail = api.call("cadre", "GET", f"/api/v1/tasks/{task}").json()
    assert [r["id"] for r in detail["records"]] == [out["record"]["id"]] and detail["can_record"] is False


@pytest.mark.parametrize(
    ("who", "change", "status", "field"),
    [
        ("viewer", {}, 403, None),
        ("official", {}, 403, "task_id"),
        ("outsider", {}, 404, "task_id"),
        ("secretary_b", {}, 404, None),
        ("cadre", {"latitude": 91, "longitude": 108}, 400, "latitude"),
        ("cadre", {"fields": {**LECTURE, "audience": -1}}, 400, "fields.audience"),
        ("cadre", {"occurred_on": "2999-01-01"}, 400, "occurred_on"),
        ("cadre", {"client_key": "no"}, 400, "client_key"),
    ],
)
def test_it_refuses_bad_records_and_saves_nothing(
    api: Api, db: Any, who: str, change: dict[str, Any], status: int, field: str | None
) -> None:
    a = api.world.a
    _due_today(api, {"kind": "people", "person_ids": [a.cadre.id]})
    task = _task_of(api, "cadre", a.cadre.id)
    before = dump_db(db)
    response = api.call(who, "POST", f"/api/v1/tasks/{task}/records", json={**_record("bad-key-01"), **change})
    assert response.status_code == status, response.text
    if field:
        assert field in response.json()["fields"], response.json()
    assert dump_db(db) == before


def test_it_takes_photos_as_multipart_and_serves_them_to_those_who_may_see(api: Api, db: Any) -> None:
    a = api.world.a
    _due_today(api, {"kind": "people", "person_ids": [a.cadre.id]})
    task = _task_of(api, "cadre", a.cadre.id)
    files = [("photos", ("one.jpg", picture(exif=True), "image/jpeg")), ("photos", ("two.png", picture("PNG"), "image/png"))]
    response = api.call("cadre", "POST", f"/api/v1/tasks/{task}/records/upload",
                        data={"record": json.dumps(_record("upload-key-1"))}, files=files)  # fmt: skip
    assert response.status_code == 201, response.text
    photo_ids = response.json()["record"]["photo_ids"]
    assert len(photo_ids) == 2
    for who, status in (("cadre", 200), ("official", 200), ("viewer", 200), ("outsider", 404), ("secretary_b", 404)):
        answer = api.call(who, "GET", f"/api/v1/photos/{photo_ids[0]}")
        assert answer.status_code == status, (who, answer.text)
        if status == 200:
            assert answer.headers["content-type"] == "image/jpeg"
            assert not Image.open(io.BytesIO(answer.content)).getexif()
    thumb = api.call("cadre", "GET", f"/api/v1/photos/{photo_ids[0]}?thumbnail=true")
    assert thumb.status_code == 200 and max(Image.open(io.BytesIO(thumb.content)).size) <= 320

    before = dump_db(db)
    bad = [("photos", ("fake.jpg", b"not a picture at all", "image/jpeg"))]
    refused = api.call("cadre", "POST", "/api/v1/towns/alpha/records/upload",
                       data={"record": json.dumps({**_record("upload-key-2"), "kind": "lecture"})}, files=bad)  # fmt: skip
    assert refused.status_code == 400 and "fake.jpg" in refused.json()["fields"]["photos"]
    broken = api.call("cadre", "POST", f"/api/v1/tasks/{task}/records/upload", data={"record": "{not json"}, files=bad)
    assert broken.status_code == 400 and "record" in broken.json()["fields"]
    assert dump_db(db) == before


def test_it_files_unplanned_records(api: Api) -> None:
    response = api.call("cadre", "POST", "/api/v1/towns/alpha/records", json={**_record("unplanned-1"), "kind": "lecture"})
    assert response.status_code == 201, response.text
    assert response.json()["task"] is None and response.json()["record"]["kind"] == "lecture"
    assert api.call("viewer", "POST", "/api/v1/towns/alpha/records",
                    json={**_record("unplanned-2"), "kind": "lecture"}).status_code == 403  # fmt: skip
    listed = api.call("official", "GET", "/api/v1/towns/alpha/records").json()
    assert [r["client_key"] for r in listed] == ["unplanned-1"]  # the cadre is below the official
    assert api.call("outsider", "GET", "/api/v1/towns/alpha/records").json() == []


def test_it_lets_only_the_secretary_excuse_or_cancel(api: Api, db: Any) -> None:
    a = api.world.a
    _due_today(api, {"kind": "people", "person_ids": [a.cadre.id]})
    task = _task_of(api, "cadre", a.cadre.id)
    before = dump_db(db)
    for who, status in (("cadre", 403), ("official", 403), ("viewer", 403), ("secretary_b", 404)):
        assert api.call(who, "POST", f"/api/v1/tasks/{task}/excuse", json={"reason": "ill"}).status_code == status
    missing = api.call("secretary", "POST", f"/api/v1/tasks/{task}/excuse", json={"reason": "   "})
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    assert dump_db(db) == before
    excused = api.call("secretary", "POST", f"/api/v1/tasks/{task}/excuse", json={"reason": "在县里培训"})
    assert excused.status_code == 200 and excused.json()["status"] == "excused"
    assert excused.json()["status_reason"] == "在县里培训"
    again = api.call("secretary", "POST", f"/api/v1/tasks/{task}/cancel", json={"reason": "x"})
    assert again.status_code == 400 and "task_id" in again.json()["fields"]

    async def logged(session: AsyncSession) -> list[Any]:
        from tracker.db.models.audit import AuditEntry

        return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == "task_excused"))).all())

    entries = db(logged)
    assert len(entries) == 1 and "在县里培训" in str(entries[0].changes)


def test_it_draws_the_board(api: Api) -> None:
    a = api.world.a
    _due_today(api, {"kind": "people", "person_ids": [a.official.id, a.unit_head.id, a.cadre.id]})
    board = api.call("secretary", "GET", "/api/v1/towns/alpha/board")
    assert board.status_code == 200, board.text
    out = board.json()
    assert len(out["columns"]) == 12 and out["cadence"] == "month" and out["year"] == _today().year
    rows = [(g["label"], r["person_id"]) for g in out["groups"] for r in g["rows"]]
    assert [person for _label, person in rows] == [a.official.id, a.unit_head.id, a.cadre.id]  # tier 1, 2, 3
    cells = out["groups"][0]["rows"][0]["cells"]
    assert [c["light"] for c in cells].count("yellow") == 1 and sum(len(c["task_ids"]) for c in cells) == 1
    quarters = api.call("viewer", "GET", "/api/v1/towns/alpha/board?cadence=quarter").json()
    assert len(quarters["columns"]) == 4
    official = api.call("official", "GET", "/api/v1/towns/alpha/board").json()
    assert {r["person_id"] for g in official["groups"] for r in g["rows"]} == {a.official.id, a.unit_head.id, a.cadre.id}
    assert api.call("cadre", "GET", "/api/v1/towns/alpha/board").status_code == 403
    assert api.call("secretary_b", "GET", "/api/v1/towns/alpha/board").status_code == 404
    bad = api.call("secretary", "GET", "/api/v1/towns/alpha/board?cadence=fortnight")
    assert bad.status_code == 400 and "cadence" in bad.json()["fields"]


def test_it_describes_every_tasks_route_in_the_schema(api: Api) -> None:
    schema = api.client.get("/schema/openapi.json").json()
    paths = {p for p in schema["paths"] if p.startswith("/api/v1/")}
    for path in ("/api/v1/towns/{code}/assignments", "/api/v1/towns/{code}/assignments/preview", "/api/v1/me/tasks",
                 "/api/v1/tasks/{task_id}/records", "/api/v1/tasks/{task_id}/records/upload",
                 "/api/v1/towns/{code}/board", "/api/v1/photos/{photo_id}"):  # fmt: skip
        assert path in paths
    record_post = schema["paths"]["/api/v1/tasks/{task_id}/records"]["post"]["responses"]
    assert {"200", "201", "400", "401", "403", "404"} <= set(record_post)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/tasks/3000000000", 404),
        ("/api/v1/records/3000000000", 404),
        ("/api/v1/photos/3000000000", 404),
        ("/api/v1/towns/alpha/assignments/3000000000", 404),
        ("/api/v1/towns/alpha/tasks?year=99999", 400),
        ("/api/v1/towns/alpha/records?year=0", 400),
        ("/api/v1/towns/alpha/board?year=1999", 400),
        ("/api/v1/towns/alpha/tasks?status=bogus", 400),
        ("/api/v1/towns/alpha/board?kind=bogus", 400),
        ("/api/v1/towns/alpha/board?tier=nobody", 400),
        ("/api/v1/towns/alpha/tasks?person_id=3000000000", 200),
    ],
)
def test_it_answers_odd_queries_without_crashing(api: Api, url: str, status: int) -> None:
    response = api.call("secretary", "GET", url)
    assert response.status_code == status, response.text


@pytest.mark.parametrize("count", [0, 1, 9])
def test_it_takes_any_number_of_photos_up_to_nine(api: Api, count: int) -> None:
    record = json.dumps({**_record(f"count-key-{count}"), "kind": "lecture"})
    photos = [("photos", (f"{i}.jpg", picture(colour=f"#{i:02x}0000"), "image/jpeg")) for i in range(count)]
    response = api.call("cadre", "POST", "/api/v1/towns/alpha/records/upload", files=[("record", (None, record)), *photos])
    assert response.status_code == 201, response.text
    assert len(response.json()["record"]["photo_ids"]) == count
