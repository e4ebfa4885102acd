"""The roster kept in the pages, on SQLite and PostgreSQL: people added and edited with their places,
every refusal a field message naming the person (duplicate code or phone, a supervisor loop, bad phone
and e-mail, the contact-point rule with the count) with nothing changed; the live check that saves
nothing; contact points moved with the history kept and audited, then units and places (one test, one
world); deactivating (the confirm page's count, future tasks closed, places ended on the day) and
reactivating under the rule; two secretaries moving the same official at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from tests.support.live_server import LiveServer
from tests.support.personas import World, form_post, sign_in
from tests.support.work_pages import ENGLISH
from tests.support.work_services import assignment_in, dump_db, tasks_of
from tracker.db.models.audit import AuditEntry
from tracker.db.models.roster import ContactAssignment, Person, Place, Unit
from tracker.db.models.tasks import Task, TaskStatus
from tracker.domain.clock import local_date, utc_now
from tracker.domain.planning.service import AssignmentService

BASE = "/towns/alpha"


def secretary(client: TestClient[Litestar]) -> TestClient[Litestar]:
    client.headers.update(ENGLISH)
    sign_in(client, "secretary")
    return client


def person_form(**values: Any) -> dict[str, Any]:
    form = {"code": "P9", "name": "新干部庚", "tier": "village_cadre", "post": "包村干部", "unit_id": "",
            "supervisor_id": "", "phone": "", "email": "", "leading_group_role": ""}  # fmt: skip
    form.update(values)
    return form


def post(client: TestClient[Litestar], path: str, data: dict[str, Any]) -> Any:
    return form_post(client, BASE + path, data)


def row(db: Callable[..., Any], model: Any, *where: Any) -> Any:
    return db(lambda s: s.scalar(select(model).where(*where)))


def links(db: Callable[..., Any], person_id: int) -> list[tuple[int, dt.date, dt.date | None]]:
    query = (
        select(ContactAssignment.place_id, ContactAssignment.valid_from, ContactAssignment.valid_to)
        .where(ContactAssignment.person_id == person_id)
        .order_by(ContactAssignment.id)
    )
    return db(lambda s: s.execute(query)).all()


def today() -> dt.date:
    return local_date(utc_now(), "Asia/Shanghai")


def test_it_adds_and_edits_people_and_refuses_bad_ones_with_field_messages(
    client: TestClient[Litestar], world: World, db: Callable[..., Any]
) -> None:
    secretary(client)
    a = world.a
    assert "Add a person" in client.get(BASE).text  # the town page links to the forms
    new = post(client, "/people/new", person_form(unit_id=str(a.unit.id), supervisor_id=str(a.official.id),
                                                 phone="139 0000 0009", email="geng@example.cn",
                                                 place_ids=[str(a.villages[3].id)]))  # fmt: skip
    assert new.status_code == 303, new.text
    added = row(db, Person, Person.code == "P9", Person.town_id == a.town.id)
    assert new.headers["location"] == f"{BASE}/people/{added.id}"
    assert (added.name, added.unit_id, added.supervisor_id, added.email) == (
        "新干部庚",
        a.unit.id,
        a.official.id,
        "geng@example.cn",
    )
    assert [(p, f) for p, f, _ in links(db, added.id)] == [(a.villages[3].id, today())]
    audited = db(lambda s: s.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.object_type == "person", AuditEntry.object_id == str(added.id), AuditEntry.action == "create")))  # fmt: skip
    assert audited == 1

    before = dump_db(db)
    refusals = [
        ("/people/new", person_form(code="P2"), "code", "Code P2 is already 镇长乙&#39;s"),
        ("/people/new", person_form(code="P10", phone="13900000009"), "phone",
         "13900000009 is already the phone of 新干部庚 (P9)"),
        ("/people/new", person_form(code="P10", phone="call me", email="not-an-address"), "phone",
         "&#39;call me&#39; is not a phone number"),
        ("/people/new", person_form(code="P10", email="not-an-address"), "email",
         "&#39;not-an-address&#39; is not an e-mail address"),
        ("/people/new", person_form(code="P10", name="李雅琴", tier="section_official",
                                    place_ids=[str(v.id) for v in a.villages]), "place_ids",
         "李雅琴 would hold 5 contact points; a section-level official holds 2 to 4"),
        (f"/people/{a.official.id}/edit", person_form(code="P2", name="镇长乙", tier="section_official",
                                                      supervisor_id=str(a.cadre.id),
                                                      place_ids=[str(a.villages[1].id), str(a.villages[2].id)]),
         "supervisor_id", "the chain of supervisors would come back to them (镇长乙 → 干部丁 → 镇长乙)"),
    ]  # fmt: skip
    for path, form, field, message in refusals:
        answer = post(client, path, form)
        assert answer.status_code == 400, (path, field)
        assert f'id="{field}-error"' in answer.text and message in answer.text, (field, answer.text[-3000:])
        assert "Nothing was saved" in answer.text
    assert dump_db(db) == before  # nothing changed by any refusal

    edited = post(client, f"/people/{a.cadre.id}/edit", person_form(
        code="P4", name="干部丁", phone="13700000004", supervisor_id=str(a.secretary.id),
        place_ids=[str(a.villages[1].id)]))  # fmt: skip
    assert edited.status_code == 303, edited.text
    cadre = row(db, Person, Person.id == a.cadre.id)
    assert (cadre.phone, cadre.supervisor_id) == ("13700000004", a.secretary.id)
    assert len(links(db, a.cadre.id)) == 1  # the same village kept: no new link, no history
    page = client.get(f"{BASE}/people/{a.cadre.id}/edit")
    assert 'value="13700000004"' in page.text and "hx-post=" in page.text


def test_it_checks_the_rule_live_moves_contact_points_keeping_the_history_and_edits_places(
    client: TestClient[Litestar], world: World, db: Callable[..., Any]
) -> None:
    secretary(client)
    a = world.a
    before = dump_db(db)
    five = [str(v.id) for v in a.villages[:4]] + [str(a.enterprise.id)]
    checked = post(client, "/roster/contact-check", {"person_id": str(a.official.id), "place_ids": five})
    assert checked.status_code == 200
    assert "镇长乙 would hold 5 contact points; a section-level official holds 2 to 4" in checked.text
    fine = post(client, "/roster/contact-check", {"person_id": str(a.official.id), "place_ids": five[:3]})
    assert 'data-rule-state="ok"' in fine.text and "3 places ticked" in fine.text
    admin = post(client, "/roster/contact-check",
                 {"person_id": str(a.official.id), "place_ids": [str(a.admin_village.id), five[0]]})  # fmt: skip
    assert "东村 is an administrative village; 镇长乙 must link its natural villages instead" in admin.text
    refused = post(client, f"/people/{a.official.id}/contact-points", {"place_ids": five})
    assert refused.status_code == 400 and "镇长乙 would hold 5 contact points" in refused.text
    assert dump_db(db) == before

    page = client.get(f"{BASE}/people/{a.official.id}/contact-points")
    assert f'value="{a.villages[1].id}" checked' in page.text and f'value="{a.villages[3].id}">' in page.text
    moved = post(client, f"/people/{a.official.id}/contact-points",
                 {"place_ids": [str(a.villages[1].id), str(a.villages[3].id)]})  # fmt: skip
    assert moved.status_code == 303, moved.text
    kept = links(db, a.official.id)
    assert (a.villages[2].id, dt.date(2026, 1, 1), today()) in kept  # ended today, kept as history
    assert (a.villages[3].id, today(), None) in kept and (a.villages[1].id, dt.date(2026, 1, 1), None) in kept
    audit = client.get(f"{BASE}/audit").text  # the change audited, read with the names
    assert "镇长乙 → 东村4组" in audit and "镇长乙 → 东村3组" in audit
    units_and_places(client, world, db)


def test_two_secretaries_moving_the_same_official_at_once_leave_one_of_their_choices(
    live_server: LiveServer, world: World, db: Callable[..., Any]
) -> None:
    """The roster lock serialises them: the second sees the first's places, not the ones it read before."""
    a = world.a
    wanted = [[a.villages[1].id, a.villages[3].id], [a.villages[1].id, a.villages[4].id]]
    clients = [httpx.Client(base_url=live_server.base_url, timeout=60, headers=ENGLISH) for _ in wanted]
    try:
        for client in clients:
            sign_in(client, "secretary")  # type: ignore[arg-type]
        barrier = Barrier(len(clients))

        def send(job: tuple[httpx.Client, list[int]]) -> int:
            client, places = job
            barrier.wait(timeout=30)
            body = {"place_ids": [str(i) for i in places]}
            return form_post(client, f"{BASE}/people/{a.official.id}/contact-points", body).status_code  # type: ignore[arg-type]

        with ThreadPoolExecutor(max_workers=len(clients)) as pool:
            statuses = list(pool.map(send, zip(clients, wanted, strict=True)))
    finally:
        for client in clients:
            client.close()
    assert statuses == [303, 303]
    current = sorted(p for p, _f, to in links(db, a.official.id) if to is None)
    assert current in [sorted(w) for w in wanted], current  # never both new villages at once


def test_it_deactivates_saying_what_follows_and_reactivates_under_the_rule(
    client: TestClient[Litestar], world: World, db: Callable[..., Any]
) -> None:
    a = world.a

    async def monthly_work(session: Any) -> list[int]:
        """The cadre's monthly work, planned two months ago: past months overdue, this month's ahead."""
        made, _count = await AssignmentService(session, None).create(
            a.town,
            assignment_in({"kind": "people", "person_ids": [a.cadre.id]}),
            utc_now() - dt.timedelta(days=60),
        )
        return [t.id for t in await tasks_of(session, assignment_id=made.id)]

    task_ids = db(monthly_work)
    now = utc_now()
    due = {i: row(db, Task, Task.id == i).due_at for i in task_ids}
    ahead = sorted(i for i, at in due.items() if at > now)
    assert ahead and len(ahead) < len(task_ids)
    secretary(client)
    confirm = client.get(f"{BASE}/people/{a.cadre.id}/active")
    assert confirm.status_code == 200
    assert f'data-closing-tasks="{len(ahead)}"' in confirm.text
    assert "1 places they hold now end" in confirm.text
    before = dump_db(db)
    future = post(
        client, f"/people/{a.cadre.id}/deactivate", {"day": (today() + dt.timedelta(days=1)).isoformat()}
    )
    assert (
        future.status_code == 400
        and "can&#39;t be dated ahead" in future.text
        and 'id="day-error"' in future.text
    )
    assert dump_db(db) == before

    day = today() - dt.timedelta(days=3)
    done = post(client, f"/people/{a.cadre.id}/deactivate", {"day": day.isoformat()})
    assert done.status_code == 303, done.text
    assert row(db, Person, Person.id == a.cadre.id).active is False
    assert [to for _p, _f, to in links(db, a.cadre.id)] == [day]  # the village ended on the day, kept
    statuses = {i: row(db, Task, Task.id == i).status for i in task_ids}
    assert {i for i, s in statuses.items() if s is TaskStatus.REASSIGNED} == set(ahead)
    assert {i for i, s in statuses.items() if s is TaskStatus.OPEN} == set(task_ids) - set(
        ahead
    )  # overdue stays
    assert "Inactive" in client.get(f"{BASE}/people/{a.cadre.id}").text

    # the official back after leaving: the rule binds them again, with the count
    assert (
        post(client, f"/people/{a.official.id}/deactivate", {"day": today().isoformat()}).status_code == 303
    )
    form = client.get(f"{BASE}/people/{a.official.id}/active").text
    assert f'value="{a.villages[1].id}" checked' in form  # the places they held last, to start from
    assert (
        'name="person_id"' not in form and 'name="tier" value="section_official"' in form
    )  # checked as active
    live = post(client, "/roster/contact-check", {"name": "镇长乙", "tier": "section_official",
                                                  "place_ids": [str(a.villages[1].id)]})  # fmt: skip
    assert "镇长乙 would hold 1 contact points" in live.text
    one = post(
        client,
        f"/people/{a.official.id}/reactivate",
        {"day": today().isoformat(), "place_ids": [str(a.villages[1].id)]},
    )
    assert one.status_code == 400 and "镇长乙 would hold 1 contact points" in one.text
    back = post(client, f"/people/{a.official.id}/reactivate",
                {"day": today().isoformat(), "place_ids": [str(a.villages[1].id), str(a.villages[4].id)]})  # fmt: skip
    assert back.status_code == 303, back.text
    assert row(db, Person, Person.id == a.official.id).active is True
    assert {p for p, _f, to in links(db, a.official.id) if to is None} == {a.villages[1].id, a.villages[4].id}


def units_and_places(client: TestClient[Litestar], world: World, db: Callable[..., Any]) -> None:
    """Units and places, with the importer's checks (a part of the test above: one world less to build)."""
    a = world.a
    assert post(client, "/units/new", {"code": "U2", "name": "文化站", "kind": "station"}).status_code == 303
    duplicate = post(client, "/units/new", {"code": "U1", "name": "党政办", "kind": "department"})
    assert duplicate.status_code == 400 and "Code U1 is already 宣传办&#39;s" in duplicate.text
    renamed = post(
        client, f"/units/{a.unit.id}/edit", {"code": "U1", "name": "宣传统战办", "kind": "department"}
    )
    assert renamed.status_code == 303 and row(db, Unit, Unit.id == a.unit.id).name == "宣传统战办"

    before = dump_db(db)
    for form, field, message in (
        ({"code": "NV9", "name": "西村1组", "kind": "natural_village"}, "parent_id",
         "Choose the administrative village it belongs to"),
        ({"code": "NV9", "name": "西村1组", "kind": "natural_village", "parent_id": str(a.admin_village.id),
          "latitude": "95", "longitude": "108"}, "latitude", "latitude must be between -90 and 90"),
        ({"code": "NV9", "name": "西村1组", "kind": "enterprise", "latitude": "34.1"}, "longitude",
         "give both latitude and longitude, or neither"),
    ):  # fmt: skip
        answer = post(client, "/places/new", form)
        assert (
            answer.status_code == 400 and f'id="{field}-error"' in answer.text and message in answer.text
        ), field
    kind = post(
        client, f"/places/{a.admin_village.id}/edit", {"code": "AV1", "name": "东村", "kind": "enterprise"}
    )
    assert kind.status_code == 400 and "东村 still has 5 villages under it" in kind.text
    assert dump_db(db) == before

    made = post(client, "/places/new", {"code": "NV9", "name": "西村1组", "kind": "natural_village",
                                         "parent_id": str(a.admin_village.id), "latitude": "34.25", "longitude": "108.5"})  # fmt: skip
    assert made.status_code == 303, made.text
    place = row(db, Place, Place.code == "NV9", Place.town_id == a.town.id)
    assert (place.latitude, place.longitude, place.parent_id) == (34.25, 108.5, a.admin_village.id)
    assert made.headers["location"] == f"{BASE}/places/{place.id}"
    form = client.get(f"{BASE}/places/{place.id}/edit").text
    assert "data-locate" in form and "data-location-latitude" in form and "js/location.js" in form
