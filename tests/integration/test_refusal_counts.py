"""Refused requests are counted, not logged one by one (issue 8, finding 11), on SQLite and PostgreSQL:
the first refusal of a user on a route in a ten-minute window is an audit entry, the later ones add
to its count with one atomic UPDATE (the log itself stays append-only), also under real parallel
requests; another route, another user or the next window starts a new entry; the log shows the count."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import httpx
from sqlalchemy import select

from tests.support.accounts import Browsers, audit, rows
from tests.support.live_server import LiveServer
from tests.support.personas import PASSWORD, World
from tracker.db.models.audit import AccessRefusal
from tracker.domain.audit.service import record_refusal

USERS_PAGE = "/towns/alpha/users"  # the cadre may not manage accounts: 403


def counts(db: Any) -> list[tuple[str, int]]:
    return [(r.route, r.count) for r in rows(db, select(AccessRefusal).order_by(AccessRefusal.id))]


def test_it_writes_one_entry_per_user_and_route_and_counts_the_rest(
    browsers: Browsers, world: World, db: Any
) -> None:
    cadre, outsider = browsers.open("cadre"), browsers.open("outsider")
    for _ in range(25):
        assert cadre.get(USERS_PAGE).status_code == 403
    assert cadre.get("/towns/alpha/audit").status_code == 403
    assert outsider.get(USERS_PAGE).status_code == 403

    entries = audit(db, "access_refused")
    assert [(e.actor, e.changes["route"]) for e in entries] == [
        ("cadre", "GET /towns/{code}/users"),
        ("cadre", "GET /towns/{code}/audit"),
        ("outsider", "GET /towns/{code}/users"),
    ]
    refusals = rows(db, select(AccessRefusal).order_by(AccessRefusal.id))
    assert [(r.actor_user_id, r.count) for r in refusals] == [
        (world.users["cadre"], 25), (world.users["cadre"], 1), (world.users["outsider"], 1),
    ]  # fmt: skip
    assert [r.audit_entry_id for r in refusals] == [e.id for e in entries]


def test_it_shows_the_count_beside_the_entry_in_the_audit_log(browsers: Browsers, world: World, db: Any) -> None:
    cadre = browsers.open("cadre")
    for _ in range(7):
        cadre.get(USERS_PAGE)
    page = browsers.open("secretary").get("/towns/alpha/audit?action=access_refused")
    assert page.status_code == 200
    assert "7 times within 10 minutes" in page.text
    assert page.text.count('class="list-row audit-row"') == 1


def test_it_counts_parallel_refusals_exactly_once_each(live_server: LiveServer, world: World, db: Any) -> None:
    parallel = 30

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=live_server.base_url, timeout=30) as client:
            await client.get("/login")
            form = {"login": "cadre", "password": PASSWORD, "_csrf_token": client.cookies["tracker_csrf"], "next": "/"}
            assert (await client.post("/login", data=form)).status_code == 303
            answers = await asyncio.gather(*(client.get(USERS_PAGE) for _ in range(parallel)))
            return [a.status_code for a in answers]

    assert asyncio.run(burst()) == [403] * parallel
    deadline = time.monotonic() + 15  # each refusal is noted after its answer is sent
    while sum(count for _route, count in counts(db)) < parallel and time.monotonic() < deadline:
        time.sleep(0.05)
    assert counts(db) == [("GET /towns/{code}/users", parallel)]
    [entry] = audit(db, "access_refused")
    assert entry.actor == "cadre"


def test_it_opens_a_new_entry_in_the_next_window(world: World, db: Any) -> None:
    start = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    details = {"method": "GET", "path": "/towns/alpha/users", "status": 403, "reason": "role"}

    def refuse(at: dt.datetime, user: str = "cadre") -> bool:
        async def go(session: Any) -> bool:
            return await record_refusal(
                session, user_id=world.users[user], route="GET /towns/{code}/users", now=at,
                town_id=world.a.town.id, details=details,
            )  # fmt: skip

        return db(go)

    minute = dt.timedelta(minutes=1)
    opened = [refuse(start), refuse(start + 3 * minute), refuse(start + 9 * minute + dt.timedelta(seconds=59)),
              refuse(start + 10 * minute), refuse(start + 25 * minute)]  # fmt: skip
    assert opened == [True, False, False, True, True]
    assert counts(db) == [("GET /towns/{code}/users", n) for n in (3, 1, 1)]
    assert [e.at for e in audit(db, "access_refused")] == [start, start + 10 * minute, start + 25 * minute]
