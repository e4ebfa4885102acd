"""The roster JSON API under /api/v1/towns on SQLite and PostgreSQL: every read, the contact-point change."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.factories import START, SmallTown, build_small_town
from tracker.db.models.roster import ContactAssignment, ContactLink
from tracker.domain.clock import local_date, utc_now

PAST_FROM = dt.date(2025, 1, 1)
PAST_TO = dt.date(2025, 12, 31)
FUTURE_FROM = dt.date(2099, 1, 1)


@pytest.fixture
def client(api_client):
    """These tests are about the API's answers, not access: an administrator's bearer token."""
    return api_client


@dataclass
class Towns:
    alpha: SmallTown
    beta: SmallTown
    past_link_id: int
    future_link_id: int


def _build(db: Callable[..., Any]) -> Towns:
    """Two towns; in alpha the cadre also has an ended link (history) and one that starts in the future."""

    async def go(session: AsyncSession) -> Towns:
        alpha = await build_small_town(session)
        beta = await build_small_town(session, code="beta", name="贝塔镇")
        past = ContactAssignment(
            town_id=alpha.town.id,
            person_id=alpha.cadre.id,
            place_id=alpha.villages[3].id,
            link=ContactLink.VILLAGE,
            valid_from=PAST_FROM,
            valid_to=PAST_TO,
        )
        future = ContactAssignment(
            town_id=alpha.town.id,
            person_id=alpha.cadre.id,
            place_id=alpha.villages[4].id,
            link=ContactLink.VILLAGE,
            valid_from=FUTURE_FROM,
        )
        session.add_all([past, future])
        await session.flush()
        return Towns(alpha, beta, past.id, future.id)

    return db(go)


def _assignment_rows(db: Callable[..., Any]) -> list[Any]:
    """Every row of contact_assignment, every column, in id order (rows compare as tuples)."""

    async def dump(session: AsyncSession) -> list[Any]:
        table = ContactAssignment.__table__
        return list((await session.execute(select(table).order_by(table.c.id))).all())

    return db(dump)


def _today() -> dt.date:
    return local_date(utc_now(), "Asia/Shanghai")


def _says_number(message: str, number: int) -> bool:
    return re.search(rf"(?<!\d){number}(?!\d)", message) is not None


# -- reading ---------------------------------------------------------------------------------


def test_it_lists_towns(client, db) -> None:
    towns = _build(db)
    for path in ("/api/v1/towns", "/api/v1/towns/"):
        response = client.get(path)
        assert response.status_code == 200
        assert [t["code"] for t in response.json()] == ["alpha", "beta"]
    first = client.get("/api/v1/towns").json()[0]
    assert first == {
        "id": towns.alpha.town.id,
        "code": "alpha",
        "name": "阿尔法镇",
        "timezone": "Asia/Shanghai",
        "population": 12000,
        "contact_points_min": 2,
        "contact_points_max": 4,
    }


def test_it_shows_one_town_and_answers_404_for_an_unknown_one(client, db) -> None:
    towns = _build(db)
    response = client.get("/api/v1/towns/beta")
    assert response.status_code == 200
    assert response.json()["id"] == towns.beta.town.id
    assert response.json()["name"] == "贝塔镇"

    missing = client.get("/api/v1/towns/nowhere")
    assert missing.status_code == 404
    assert "nowhere" in missing.json()["detail"]


def test_it_lists_the_units_of_a_town(client, db) -> None:
    towns = _build(db)
    response = client.get("/api/v1/towns/alpha/units")
    assert response.status_code == 200
    assert response.json() == [
        {"id": towns.alpha.unit.id, "code": "U1", "name": "宣传办", "kind": "department"}
    ]
    assert client.get("/api/v1/towns/nowhere/units").status_code == 404


def test_it_lists_the_places_of_a_town(client, db) -> None:
    towns = _build(db)
    response = client.get("/api/v1/towns/alpha/places")
    assert response.status_code == 200
    places = response.json()
    assert [p["code"] for p in places] == ["AV1", "EN1", "NV1", "NV2", "NV3", "NV4", "NV5"]
    assert {p["id"] for p in places}.isdisjoint({p.id for p in towns.beta.villages})
    nv1 = next(p for p in places if p["code"] == "NV1")
    assert nv1 == {
        "id": towns.alpha.villages[0].id,
        "code": "NV1",
        "name": "东村1组",
        "kind": "natural_village",
        "parent_id": towns.alpha.admin_village.id,
        "latitude": pytest.approx(34.01),
        "longitude": pytest.approx(108.0),
    }
    assert next(p for p in places if p["code"] == "AV1")["kind"] == "administrative_village"
    assert client.get("/api/v1/towns/nowhere/places").status_code == 404


def test_it_lists_the_people_of_a_town(client, db) -> None:
    towns = _build(db)
    response = client.get("/api/v1/towns/alpha/people")
    assert response.status_code == 200
    people = response.json()
    assert [(p["code"], p["tier"]) for p in people] == [
        ("P1", "section_official"),
        ("P2", "section_official"),
        ("P3", "unit_head"),
        ("P4", "village_cadre"),
    ]
    assert {p["id"] for p in people} == {
        towns.alpha.secretary.id,
        towns.alpha.official.id,
        towns.alpha.unit_head.id,
        towns.alpha.cadre.id,
    }
    assert client.get("/api/v1/towns/nowhere/people").status_code == 404


def test_it_shows_one_person_of_the_town_only(client, db) -> None:
    towns = _build(db)
    response = client.get(f"/api/v1/towns/alpha/people/{towns.alpha.unit_head.id}")
    assert response.status_code == 200
    assert response.json() == {
        "id": towns.alpha.unit_head.id,
        "code": "P3",
        "name": "主任丙",
        "phone": None,
        "tier": "unit_head",
        "post": "宣传办主任",
        "unit_id": towns.alpha.unit.id,
        "supervisor_id": towns.alpha.official.id,
        "active": True,
        "leading_group_role": None,
    }
    secretary = client.get(f"/api/v1/towns/alpha/people/{towns.alpha.secretary.id}").json()
    assert secretary["leading_group_role"] == "leader"
    assert secretary["supervisor_id"] is None

    # someone of another town is not found through this one
    assert client.get(f"/api/v1/towns/alpha/people/{towns.beta.official.id}").status_code == 404
    assert client.get("/api/v1/towns/alpha/people/999999").status_code == 404


def test_it_lists_contact_assignments_current_or_all(client, db) -> None:
    towns = _build(db)
    alpha = towns.alpha
    current_links = {
        (alpha.secretary.id, alpha.villages[0].id, "contact_point"),
        (alpha.secretary.id, alpha.enterprise.id, "contact_point"),
        (alpha.official.id, alpha.villages[1].id, "contact_point"),
        (alpha.official.id, alpha.villages[2].id, "contact_point"),
        (alpha.cadre.id, alpha.villages[1].id, "village"),
    }

    def links(query: str) -> list[dict[str, Any]]:
        response = client.get(f"/api/v1/towns/alpha/contact-assignments{query}")
        assert response.status_code == 200
        return response.json()

    everything = links("")
    assert links("?current=false") == everything
    assert len(everything) == 7  # five current, one ended, one not yet started; none of beta's
    assert {a["id"] for a in everything} >= {towns.past_link_id, towns.future_link_id}
    past = next(a for a in everything if a["id"] == towns.past_link_id)
    assert past["valid_from"] == PAST_FROM.isoformat()
    assert past["valid_to"] == PAST_TO.isoformat()

    current = links("?current=true")
    assert {(a["person_id"], a["place_id"], a["link"]) for a in current} == current_links
    assert all(a["valid_from"] == START.isoformat() and a["valid_to"] is None for a in current)

    assert client.get("/api/v1/towns/alpha/contact-assignments?current=maybe").status_code == 400
    assert client.get("/api/v1/towns/nowhere/contact-assignments").status_code == 404


def test_it_shows_a_persons_current_contact_points(client, db) -> None:
    towns = _build(db)
    alpha = towns.alpha
    response = client.get(f"/api/v1/towns/alpha/people/{alpha.official.id}/contact-points")
    assert response.status_code == 200
    assert sorted(a["place_id"] for a in response.json()) == sorted(
        [alpha.villages[1].id, alpha.villages[2].id]
    )
    assert {a["link"] for a in response.json()} == {"contact_point"}

    cadre = client.get(f"/api/v1/towns/alpha/people/{alpha.cadre.id}/contact-points").json()
    assert [a["place_id"] for a in cadre] == [alpha.villages[1].id]  # neither the ended nor the future link

    assert client.get(f"/api/v1/towns/alpha/people/{alpha.unit_head.id}/contact-points").json() == []
    assert (
        client.get(f"/api/v1/towns/alpha/people/{towns.beta.official.id}/contact-points").status_code == 404
    )


# -- changing contact points -----------------------------------------------------------------


def test_it_changes_contact_points_and_keeps_the_removed_link_as_history(client, db) -> None:
    towns = _build(db)
    alpha = towns.alpha
    kept, removed = alpha.villages[1], alpha.villages[2]
    added = [alpha.villages[3], alpha.villages[4]]
    before = {row.id: row for row in _assignment_rows(db)}
    today_before = _today()

    response = client.put(
        f"/api/v1/towns/alpha/people/{alpha.official.id}/contact-points",
        json={"place_ids": [kept.id, added[0].id, added[1].id]},
    )

    today_after = _today()
    assert response.status_code == 200, response.text
    answer = response.json()
    assert sorted(a["place_id"] for a in answer) == sorted([kept.id, added[0].id, added[1].id])
    assert all(a["person_id"] == alpha.official.id and a["link"] == "contact_point" for a in answer)
    assert all(a["valid_to"] is None for a in answer)

    after = {row.id: row for row in _assignment_rows(db)}
    kept_row = next(r for r in before.values() if r.person_id == alpha.official.id and r.place_id == kept.id)
    removed_row = next(
        r for r in before.values() if r.person_id == alpha.official.id and r.place_id == removed.id
    )
    # the kept link is untouched: same id, same start, still open
    assert after[kept_row.id] == kept_row
    assert next(a for a in answer if a["place_id"] == kept.id)["id"] == kept_row.id
    assert next(a for a in answer if a["place_id"] == kept.id)["valid_from"] == START.isoformat()
    # the removed link stays as history, ended on the town's today
    assert after[removed_row.id].valid_to in {today_before, today_after}
    assert after[removed_row.id].valid_from == START
    assert after[removed_row.id].place_id == removed.id
    # the new links start today
    new_ids = set(after) - set(before)
    assert {after[i].place_id for i in new_ids} == {added[0].id, added[1].id}
    assert all(
        after[i].valid_from in {today_before, today_after} and after[i].valid_to is None for i in new_ids
    )
    assert all(after[i].link is ContactLink.CONTACT_POINT for i in new_ids)
    # nobody else's links moved
    assert {i: r for i, r in after.items() if i not in new_ids and i != removed_row.id} == {
        i: r for i, r in before.items() if i != removed_row.id
    }

    # the reads agree: three current points; the history is still listed
    current = client.get(f"/api/v1/towns/alpha/people/{alpha.official.id}/contact-points").json()
    assert sorted(a["place_id"] for a in current) == sorted([kept.id, added[0].id, added[1].id])
    everything = client.get("/api/v1/towns/alpha/contact-assignments?current=false").json()
    assert removed_row.id in {a["id"] for a in everything}


def test_it_does_nothing_when_the_same_places_are_sent_again(client, db) -> None:
    towns = _build(db)
    alpha = towns.alpha
    rows = _assignment_rows(db)
    response = client.put(
        f"/api/v1/towns/alpha/people/{alpha.official.id}/contact-points",
        json={"place_ids": [alpha.villages[2].id, alpha.villages[1].id]},
    )
    assert response.status_code == 200
    assert len(response.json()) == 2
    assert _assignment_rows(db) == rows


# Each case: the place ids sent (from the towns built), and what the message must name besides the person.
BROKEN_RULES: dict[str, tuple[Callable[[Towns], list[int]], Callable[[Towns], list[str]]]] = {
    "one point": (lambda t: [t.alpha.villages[1].id], lambda t: ["1"]),
    "no point": (lambda t: [], lambda t: ["0"]),
    "five points": (lambda t: [v.id for v in t.alpha.villages], lambda t: ["5"]),
    "five points with the enterprise": (
        lambda t: [t.alpha.enterprise.id, *(v.id for v in t.alpha.villages[:4])],
        lambda t: ["5"],
    ),
    "a duplicate": (
        lambda t: [t.alpha.villages[1].id, t.alpha.villages[1].id, t.alpha.villages[2].id],
        lambda t: ["NV2"],
    ),
    "a duplicate hiding a count of one": (
        lambda t: [t.alpha.villages[1].id, t.alpha.villages[1].id],
        lambda t: ["NV2", "1"],
    ),
    "an administrative village": (
        lambda t: [t.alpha.villages[1].id, t.alpha.admin_village.id],
        lambda t: ["AV1"],
    ),
    "a place of another town": (
        lambda t: [t.alpha.villages[1].id, t.beta.villages[3].id],
        lambda t: [str(t.beta.villages[3].id)],
    ),
    "an unknown id": (
        lambda t: [t.alpha.villages[1].id, t.alpha.villages[2].id, 987654],
        lambda t: ["987654"],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_RULES))
def test_it_refuses_a_change_that_breaks_the_rule_and_changes_nothing(client, db, case: str) -> None:
    towns = _build(db)
    place_ids, named = BROKEN_RULES[case]
    rows = _assignment_rows(db)

    response = client.put(
        f"/api/v1/towns/alpha/people/{towns.alpha.official.id}/contact-points",
        json={"place_ids": place_ids(towns)},
    )

    assert response.status_code == 400, response.text
    body = response.json()
    message = body["fields"]["place_ids"]
    assert "镇长乙" in message
    for word in named(towns):
        assert _says_number(message, int(word)) if word.isdigit() else word in message, (word, message)
    assert body["detail"]
    assert _assignment_rows(db) == rows


def test_it_answers_404_for_a_person_of_another_town_and_changes_nothing(client, db) -> None:
    towns = _build(db)
    rows = _assignment_rows(db)
    response = client.put(
        f"/api/v1/towns/alpha/people/{towns.beta.official.id}/contact-points",
        json={"place_ids": [towns.beta.villages[3].id, towns.beta.villages[4].id]},
    )
    assert response.status_code == 404
    assert _assignment_rows(db) == rows
    unknown_town = client.put(
        f"/api/v1/towns/nowhere/people/{towns.alpha.official.id}/contact-points",
        json={"place_ids": [towns.alpha.villages[3].id, towns.alpha.villages[4].id]},
    )
    assert unknown_town.status_code == 404
    assert _assignment_rows(db) == rows


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "place_ids"),  # missing
        ({"place_ids": "NV1"}, "place_ids"),  # not a list
        ({"place_ids": ["a", 2]}, "place_ids.0"),  # not integers
        ({"place_ids": None}, "place_ids"),
        ({"place_ids": list(range(1, 52))}, "place_ids"),  # more than any town could want
        ({"place_ids": [1, 2], "person": 3}, "person"),  # unknown field
        ([1, 2], "body"),  # not an object
        ("place_ids", "body"),
        (b"{place_ids: [1, 2]", "body"),  # not JSON
        (b"", "body"),  # no body at all
    ],
)
def test_it_answers_a_malformed_body_with_field_messages(client, db, body: Any, field: str) -> None:
    towns = _build(db)
    rows = _assignment_rows(db)
    path = f"/api/v1/towns/alpha/people/{towns.alpha.official.id}/contact-points"
    if isinstance(body, bytes):
        response = client.put(path, content=body, headers={"content-type": "application/json"})
    else:
        response = client.put(path, json=body)
    assert response.status_code == 400, response.text
    fields = response.json()["fields"]
    assert fields[field], fields
    assert _assignment_rows(db) == rows


# -- health and schema -----------------------------------------------------------------------


def test_it_answers_the_health_check(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_it_describes_the_api_in_its_openapi_schema(client) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/api/v1/towns": {"get"},
        "/api/v1/towns/{code}": {"get"},
        "/api/v1/towns/{code}/units": {"get"},
        "/api/v1/towns/{code}/places": {"get"},
        "/api/v1/towns/{code}/people": {"get"},
        "/api/v1/towns/{code}/people/{person_id}": {"get"},
        "/api/v1/towns/{code}/contact-assignments": {"get"},
        "/api/v1/towns/{code}/people/{person_id}/contact-points": {"get", "put"},
    }
    for path, methods in expected.items():
        assert path in paths, sorted(paths)
        assert methods <= set(paths[path]), (path, sorted(paths[path]))
    put = paths["/api/v1/towns/{code}/people/{person_id}/contact-points"]["put"]
    assert "requestBody" in put
