"""Paging on every list the JSON API answers, on SQLite and PostgreSQL: `limit` rows from `offset`, a
`Link: <…>; rel="next"` header while more rows follow, pages that cover every row exactly once in the
list's order (ties broken by id), a 400 naming the field for a limit or offset out of range, and a
page that costs the same number of SQL statements whatever its size."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import World, build_world
from tests.support.statements import counted
from tests.support.work_services import dump_db
from tracker.db.models.tasks import Assignment, Cadence, Record, Task, WhoKind, WorkKind
from tracker.domain.accounts.users import UserService

TASKS = 13  # due at 4 times, 3 or 4 of them a day each: ties on due time and on person
RECORDS = 11  # on 3 days: ties on the day
DAY = dt.date(2026, 6, 1)
LISTS = (
    "/api/v1/towns",
    "/api/v1/towns/alpha/units",
    "/api/v1/towns/alpha/places",
    "/api/v1/towns/alpha/people",
    "/api/v1/towns/alpha/contact-assignments",
    "/api/v1/towns/alpha/assignments",
    "/api/v1/towns/alpha/tasks",
    "/api/v1/towns/alpha/records",
)


@dataclass
class Api:
    client: TestClient
    world: World
    token: str

    def get(self, url: str) -> Any:
        return self.client.get(url, headers={"Authorization": f"Bearer {self.token}", "Accept-Language": "en"})


async def _work(session: AsyncSession, world: World) -> None:
    """TASKS tasks and RECORDS records in alpha, many of them sharing a due time or a day."""
    town = world.a
    people = [town.official, town.unit_head, town.cadre]
    assignment = Assignment(town_id=town.town.id, title="宣讲", kind=WorkKind.LECTURE, who_kind=WhoKind.PEOPLE,
                            who_person_ids=[p.id for p in people], cadence=Cadence.ONCE, due_date=DAY)  # fmt: skip
    session.add(assignment)
    await session.flush()
    for number in range(TASKS):
        due = dt.datetime(2026, 6, 1 + number % 4, 10, tzinfo=dt.UTC)
        person = people[number % 2]  # two people only: several tasks of one person due at the same time
        session.add(Task(town_id=town.town.id, assignment_id=assignment.id, person_id=person.id,
                         slot=f"{person.id}:-:{number}", period_key=f"k{number}", period_start=DAY,
                         period_end=DAY, due_at=due, title="宣讲", kind=WorkKind.LECTURE))  # fmt: skip
    for number in range(RECORDS):
        session.add(Record(town_id=town.town.id, person_id=people[number % 3].id, kind=WorkKind.LECTURE,
                           occurred_on=DAY + dt.timedelta(days=number % 3), fields={}, client_key=f"page-{number}"))  # fmt: skip
    await session.flush()


@pytest.fixture
def api(client: TestClient, db: Any) -> Api:
    world: World = db(build_world)

    async def prepare(session: AsyncSession) -> str:
        await _work(session, world)
        token = await UserService(session, None).create_token(world.users["secretary"], "paging")  # type: ignore[arg-type]
        return token.secret

    return Api(client, world, db(prepare))


def _next(response: Any) -> str | None:
    """The target of the answer's rel="next" link, if any."""
    link = response.headers.get("link")
    if link is None:
        return None
    found = re.fullmatch(r'<([^>]+)>; rel="next"', link)
    assert found, link
    return found.group(1)


def _walk(api: Api, url: str) -> tuple[list[int], int]:
    """Every id of the list, following the next links from `url`; and how many pages it took."""
    ids: list[int] = []
    pages = 0
    target: str | None = url
    while target is not None:
        response = api.get(target)
        assert response.status_code == 200, response.text
        ids += [row["id"] for row in response.json()]
        pages += 1
        target = _next(response)
        assert pages <= 100, "the next links never end"
    return ids, pages


def _pages_through_every_row_once_in_order(api: Api, kind: str) -> None:
    url = f"/api/v1/towns/alpha/{kind}"
    whole = api.get(url)
    everything = [row["id"] for row in whole.json()]
    assert len(everything) == (TASKS if kind == "tasks" else RECORDS)
    assert _next(whole) is None  # fewer rows than the default limit: one page, no link
    for size in (1, 2, 3, 5, len(everything) - 1, len(everything), len(everything) + 1):
        ids, pages = _walk(api, f"{url}?limit={size}")
        assert ids == everything, size
        assert pages == -(-len(everything) // size), size


def _links_the_next_page_only_while_rows_follow(api: Api, kind: str) -> None:
    total = TASKS if kind == "tasks" else RECORDS
    first = api.get(f"/api/v1/towns/alpha/{kind}?limit=4&year=2026")
    link = _next(first)
    assert link is not None
    parts = urlsplit(link)
    assert parts.path == f"/api/v1/towns/alpha/{kind}"
    assert parse_qs(parts.query) == {"limit": ["4"], "offset": ["4"], "year": ["2026"]}  # the filters kept
    last_offset = total - total % 4 if total % 4 else total - 4
    last = api.get(f"/api/v1/towns/alpha/{kind}?limit=4&offset={last_offset}")
    assert last.status_code == 200
    assert len(last.json()) == total - last_offset
    assert "link" not in last.headers
    beyond = api.get(f"/api/v1/towns/alpha/{kind}?offset={total}")
    assert beyond.status_code == 200
    assert beyond.json() == []
    assert "link" not in beyond.headers
    exact = api.get(f"/api/v1/towns/alpha/{kind}?limit={total}")  # as many rows as the limit: no next page
    assert len(exact.json()) == total
    assert "link" not in exact.headers


def _costs_the_same_statements_whatever_its_size(api: Api, kind: str) -> None:
    costs = {}
    for size in (1, 4, 500):
        with counted() as statements:
            response = api.get(f"/api/v1/towns/alpha/{kind}?limit={size}&offset=1")
        assert response.status_code == 200
        costs[size] = len(statements)
    assert len(set(costs.values())) == 1, costs


@pytest.mark.parametrize("kind", ["tasks", "records"])
def test_it_pages_through_every_row_once_linking_the_next_page_at_a_fixed_cost(api: Api, kind: str) -> None:
    _pages_through_every_row_once_in_order(api, kind)
    _links_the_next_page_only_while_rows_follow(api, kind)
    _costs_the_same_statements_whatever_its_size(api, kind)


def test_every_list_pages_the_same_way_and_refuses_a_range_it_cannot_page(api: Api, db: Any) -> None:
    for url in LISTS:
        whole = api.get(url)
        assert whole.status_code == 200, (url, whole.text)
        everything = [row["id"] for row in whole.json()]
        assert len(everything) >= 1, url
        assert "link" not in whole.headers, url
        separator = "&" if "?" in url else "?"
        ids, pages = _walk(api, f"{url}{separator}limit=1")
        assert ids == everything, url
        assert pages == len(everything), url

    before = dump_db(db)
    for kind in ("tasks", "records"):
        for query, field in (("limit=0", "limit"), ("limit=501", "limit"), ("offset=-1", "offset"),
                             ("limit=x", "limit"), ("offset=1000000001", "offset")):  # fmt: skip
            response = api.get(f"/api/v1/towns/alpha/{kind}?{query}")
            assert response.status_code == 400, (query, response.text)
            assert field in response.json()["fields"], (query, response.json())
    assert api.get("/api/v1/towns/alpha/tasks?limit=500").status_code == 200
    assert api.get("/api/v1/towns/alpha/tasks?limit=1&offset=0").status_code == 200
    assert dump_db(db) == before


def test_the_schema_shows_the_paging_parameters(client: TestClient) -> None:
    schema = client.get("/schema/openapi.json").json()
    for url in LISTS:
        path = url.replace("/alpha/", "/{code}/")
        operation = schema["paths"].get(path) or schema["paths"][path + "/"]
        parameters = {p["name"]: p for p in operation["get"]["parameters"]}
        assert parameters["limit"]["schema"]["minimum"] == 1, path
        assert parameters["limit"]["schema"]["maximum"] == 500, path
        assert parameters["limit"]["schema"]["default"] == 100, path
        assert parameters["offset"]["schema"]["minimum"] == 0, path
        assert "Link" in operation["get"]["responses"]["200"]["headers"], path
