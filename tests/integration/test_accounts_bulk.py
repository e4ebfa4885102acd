"""Accounts in bulk, on SQLite and PostgreSQL: for everyone of the town without one or for those ticked,
as members unless chosen otherwise, with a printable slip each (name, unit, login, the password shown
once, the site's address); refusals with a field message and nothing made; two tabs sending the form
at the same moment to a live server make each account once."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import select

from tests.support.accounts import Browsers, audit, rows
from tests.support.live_server import LiveServer
from tests.support.mfa import next_recovery_code
from tests.support.personas import PASSWORD, World, form_post
from tracker.db.models.accounts import Role, User
from tracker.db.models.roster import Person, Tier
from tracker.domain.accounts.passwords import verify_password

USERS = "/towns/alpha/users"
BULK = "/towns/alpha/users/bulk"
SLIP = re.compile(
    r'<code class="slip-login">([^<]+)</code></dd>\s*<dt>[^<]*</dt><dd><code class="slip-password">([^<]+)</code>'
)
NEW_PEOPLE = 6


def add_people(db: Any, world: World, n: int = NEW_PEOPLE) -> list[int]:
    """`n` village cadres of town A without an account (codes C01…), one of them in the unit."""

    async def go(session: Any) -> list[int]:
        people = [
            Person(town_id=world.a.town.id, code=f"C{i:02d}", name=f"村干部{i}", tier=Tier.VILLAGE_CADRE,
                   post="包村干部", unit_id=world.a.unit.id if i == 1 else None)
            for i in range(1, n + 1)
        ]  # fmt: skip
        session.add_all(people)
        await session.flush()
        return [p.id for p in people]

    return db(go)


def accounts_of_town(db: Any, world: World) -> list[User]:
    return rows(db, select(User).where(User.town_id == world.a.town.id).order_by(User.id))


def slips(html: str) -> dict[str, str]:
    return dict(SLIP.findall(html))


def test_it_creates_a_member_account_for_everyone_without_one_with_a_slip_each(
    browsers: Browsers, world: World, db: Any
) -> None:
    new = add_people(db, world)
    before = {u.id for u in accounts_of_town(db, world)}
    secretary = browsers.open("secretary")

    page = form_post(secretary, BULK, {"everyone": "1"})

    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    shown = slips(page.text)
    made = [u for u in accounts_of_town(db, world) if u.id not in before]
    # the six new cadres and the unit head, the only one of the world without an account
    assert sorted(u.person_id for u in made) == sorted([*new, world.a.unit_head.id])
    assert sorted(shown) == sorted(u.login for u in made)
    assert {"c01", "c06", "p3"} <= set(shown)
    for account in made:
        assert account.role is Role.MEMBER and account.must_change_password and account.active
        assert verify_password(account.password_hash, shown[account.login])
    assert "村干部1" in page.text and "宣传办" in page.text and "http://localhost:8000" in page.text
    assert "css/slips.css" in page.text
    entries = [
        e
        for e in audit(db, "create")
        if e.object_type == "app_user" and int(e.object_id) in {u.id for u in made}
    ]
    assert len(entries) == len(made)
    assert all(
        shown[e.changes["after"]["login"]] not in str(e.changes) for e in entries
    )  # no password in the log
    # none left: the list says so and a second click makes nothing
    assert "Everyone of the town has an account." in secretary.get(USERS).text
    again = form_post(secretary, BULK, {"everyone": "1"})
    assert again.status_code == 200 and not slips(again.text)
    assert "No account was created: everyone chosen has one already." in again.text
    assert len(accounts_of_town(db, world)) == len(before) + len(made)


def test_it_creates_accounts_for_the_people_ticked_only_with_the_role_chosen(
    browsers: Browsers, world: World, db: Any
) -> None:
    new = add_people(db, world)
    secretary = browsers.open("secretary")
    form = secretary.get(USERS).text
    assert f'name="person" value="{new[0]}"' in form

    page = secretary.post(
        BULK,
        data={
            "person": [str(new[0]), str(new[2])],
            "role": "official",
            "_csrf_token": secretary.cookies["tracker_csrf"],
        },
    )

    assert page.status_code == 200, page.text
    assert sorted(slips(page.text)) == ["c01", "c03"]
    made = rows(db, select(User).where(User.person_id.in_(new)))
    assert sorted((u.person_id, u.role) for u in made) == [(new[0], Role.OFFICIAL), (new[2], Role.OFFICIAL)]


def test_it_refuses_nobody_ticked_a_stranger_and_a_role_it_may_not_give_and_offers_member_first(
    browsers: Browsers, world: World, db: Any
) -> None:
    new = add_people(db, world, 2)
    count = len(accounts_of_town(db, world))
    secretary = browsers.open("secretary")
    cases = [
        ({}, "people", "Choose at least one person"),
        ({"person": str(world.b.cadre.id)}, "people", "Choose active people of this town from the list"),
        ({"person": "²"}, "people", "Choose active people of this town from the list"),
        ({"person": str(new[0]), "role": "secretary"}, "role", "You may not give the role secretary"),
        ({"everyone": "1", "role": "admin"}, "role", "You may not give the role admin"),
    ]
    for form, field, message in cases:
        page = form_post(secretary, BULK, form)
        assert page.status_code == 400, (form, page.text[:300])
        assert message in page.text, form
        assert (
            field != "people" or f'<span class="field-error" id="people-error">{message}</span>' in page.text
        )
        assert not slips(page.text)
    assert len(accounts_of_town(db, world)) == count
    # the least powerful role comes chosen, for one new account as for many
    page = secretary.get(USERS).text
    new_account_form = page.split('id="role"')[1].split("</select>")[0]
    assert re.search(r'<option value="member"\s+selected>', new_account_form), new_account_form
    assert not re.search(r'<option value="official"\s+selected>', new_account_form)
    bulk_form = page.split('id="bulk-role"')[1].split("</select>")[0]
    assert re.search(r'<option value="member"\s+selected>', bulk_form), bulk_form


# -- two tabs at once, against a live server ----------------------------------------------------


def secretary_browser(live: LiveServer) -> tuple[httpx.Client, str]:
    client = httpx.Client(
        base_url=live.base_url, timeout=httpx.Timeout(60.0), headers={"Accept-Language": "en"}
    )
    client.get("/login")
    token = client.cookies["tracker_csrf"]
    answer = client.post(
        "/login", data={"login": "secretary", "password": PASSWORD, "_csrf_token": token, "next": "/"}
    )
    assert answer.status_code == 303, answer.text
    if answer.headers["location"].startswith("/login/code"):
        code = {
            "code": next_recovery_code("secretary"),
            "_csrf_token": client.cookies["tracker_csrf"],
            "next": "/",
        }
        assert client.post("/login/code", data=code).status_code == 303
    return client, client.cookies["tracker_csrf"]  # renewed at sign-in


def test_it_makes_each_account_once_when_two_tabs_send_the_form_together(
    world: World, live_server: LiveServer, db: Any
) -> None:
    new = add_people(db, world, 8)
    tabs = [secretary_browser(live_server) for _ in range(2)]
    start = threading.Barrier(len(tabs))

    def send(tab: tuple[httpx.Client, str]) -> httpx.Response:
        client, token = tab
        start.wait(timeout=30)
        return client.post(BULK, data={"everyone": "1", "_csrf_token": token})

    with ThreadPoolExecutor(max_workers=len(tabs)) as pool:
        answers = list(pool.map(send, tabs))
    for client, _token in tabs:
        client.close()

    assert [a.status_code for a in answers] == [200, 200], [a.text[:300] for a in answers]
    shown = [slips(a.text) for a in answers]
    everyone = {**shown[0], **shown[1]}
    assert not set(shown[0]) & set(shown[1]), shown  # no account shown (and so no password) twice
    made = rows(db, select(User).where(User.person_id.in_([*new, world.a.unit_head.id])))
    assert len(made) == len(new) + 1 == len(everyone)
    for account in made:  # every slip shown is the account stored
        assert verify_password(account.password_hash, everyone[account.login])
