"""CSRF, on SQLite and PostgreSQL: a state-changing request from a page without the token, or with
a wrong one, is refused (403) and changes nothing; with the token it works. The JSON API takes the
cookie with the x-csrftoken header, or a personal bearer token without it; a revoked token or a
disabled user's token gets 401."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from tests.support.accounts import (
    Browsers,
    audit,
    rows,
    sessions_of,
)
from tests.support.personas import World, csrf_token, form_post, json_headers
from tracker.db.models.accounts import ApiToken, User
from tracker.db.models.roster import ContactAssignment
from tracker.domain.accounts.users import UserService

FORGED = "forged-token-0123456789abcdef"


def current_places(db: Any, person_id: int) -> set[int]:
    links = rows(db, select(ContactAssignment).where(ContactAssignment.person_id == person_id))
    return {link.place_id for link in links if link.valid_to is None}


def contact_points_url(world: World) -> str:
    return f"/api/v1/towns/alpha/people/{world.a.official.id}/contact-points"


def new_token(db: Any, user_id: int, name: str = "script") -> tuple[int, str]:
    async def go(session: Any) -> tuple[int, str]:
        created = await UserService(session, None).create_token(user_id, name)  # type: ignore[arg-type]
        return created.token.id, created.secret

    return db(go)


# -- forms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", FORGED])
def test_it_refuses_a_form_without_the_right_token(
    browsers: Browsers, world: World, db: Any, token: str | None
) -> None:
    client = browsers.open("cadre")
    data = {"name": "my script"} if token is None else {"name": "my script", "_csrf_token": token}
    response = client.post("/account/tokens", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert rows(db, select(ApiToken)) == []


def test_it_accepts_a_form_with_the_token(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre")
    assert form_post(client, "/account/tokens", {"name": "my script"}).status_code == 200
    assert [t.name for t in rows(db, select(ApiToken))] == ["my script"]


def test_it_refuses_a_token_from_another_browser(browsers: Browsers, world: World, db: Any) -> None:
    victim, attacker = browsers.open("cadre"), browsers.open()
    stolen = csrf_token(attacker)  # valid for the attacker's cookie, not the victim's
    response = victim.post(
        "/account/tokens", data={"name": "x", "_csrf_token": stolen}, follow_redirects=False
    )
    assert response.status_code == 403
    assert rows(db, select(ApiToken)) == []


def test_it_does_not_sign_out_without_the_token(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"_csrf_token": FORGED}, follow_redirects=False).status_code == 403
    assert [s.ended_at for s in sessions_of(db, world.users["cadre"])] == [None]
    assert client.get("/account", follow_redirects=False).status_code == 200
    assert form_post(client, "/logout").status_code == 303
    assert sessions_of(db, world.users["cadre"])[0].ended_at is not None


def test_it_refuses_a_sign_in_form_without_the_token(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open()
    client.get("/login")
    response = client.post("/login", data={"login": "cadre", "password": "x" * 10}, follow_redirects=False)
    assert response.status_code == 403
    assert sessions_of(db, world.users["cadre"]) == []


def test_it_logs_a_refused_form_of_a_signed_in_user(browsers: Browsers, world: World, db: Any) -> None:
    browsers.open("cadre").post("/account/tokens", data={"name": "x"}, follow_redirects=False)
    [refused] = audit(db, "access_refused")
    assert refused.actor == "cadre" and refused.changes["reason"] == "csrf"
    assert refused.changes["path"] == "/account/tokens"


# -- the JSON API --------------------------------------------------------------------------------


def test_it_refuses_a_cookie_put_without_the_header(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("secretary")
    before = current_places(db, world.a.official.id)
    body = {"place_ids": [world.a.villages[3].id, world.a.villages[4].id]}
    for headers in ({}, {"x-csrftoken": FORGED}):
        response = client.put(contact_points_url(world), json=body, headers=headers)
        assert response.status_code == 403
        assert response.json()["status_code"] == 403
    assert current_places(db, world.a.official.id) == before
    response = client.put(contact_points_url(world), json=body, headers=json_headers(client))
    assert response.status_code == 200, response.text
    assert current_places(db, world.a.official.id) == set(body["place_ids"])


def test_it_takes_a_bearer_token_without_csrf(browsers: Browsers, world: World, db: Any) -> None:
    _id, secret = new_token(db, world.users["secretary"])
    client = browsers.open()
    client.headers["Authorization"] = f"Bearer {secret}"
    body = {"place_ids": [world.a.villages[3].id, world.a.villages[4].id]}
    response = client.put(contact_points_url(world), json=body)
    assert response.status_code == 200, response.text
    assert current_places(db, world.a.official.id) == set(body["place_ids"])
    assert client.get("/api/v1/me").json()["auth"] == "token"


def test_it_does_not_let_a_bearer_token_skip_csrf_on_pages(browsers: Browsers, world: World, db: Any) -> None:
    _id, secret = new_token(db, world.users["cadre"])
    client = browsers.open()
    response = client.post(
        "/account/tokens", data={"name": "sneaky"}, headers={"Authorization": f"Bearer {secret}"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 403
    assert [t.name for t in rows(db, select(ApiToken))] == ["script"]


def test_it_refuses_a_revoked_token(browsers: Browsers, world: World, db: Any) -> None:
    token_id, secret = new_token(db, world.users["secretary"])
    client = browsers.open()
    client.headers["Authorization"] = f"Bearer {secret}"
    assert client.get("/api/v1/me").status_code == 200

    async def revoke(session: Any) -> None:
        import datetime as dt

        await UserService(session, None).revoke_token(  # type: ignore[arg-type]
            world.users["secretary"], token_id, dt.datetime.now(dt.UTC)
        )

    db(revoke)
    before = current_places(db, world.a.official.id)
    assert client.get("/api/v1/me").status_code == 401
    response = client.put(
        contact_points_url(world), json={"place_ids": [world.a.villages[3].id, world.a.villages[4].id]}
    )
    assert response.status_code == 401 and response.json()["status_code"] == 401
    assert current_places(db, world.a.official.id) == before


def test_it_refuses_the_token_of_a_disabled_user(browsers: Browsers, world: World, db: Any) -> None:
    _id, secret = new_token(db, world.users["secretary"])

    async def disable(session: Any) -> None:
        await session.execute(update(User).where(User.login == "secretary").values(active=False))

    db(disable)
    client = browsers.open()
    client.headers["Authorization"] = f"Bearer {secret}"
    assert client.get("/api/v1/me").status_code == 401
    response = client.put(
        contact_points_url(world), json={"place_ids": [world.a.villages[3].id, world.a.villages[4].id]}
    )
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "bearer trk_nope"])
def test_it_refuses_a_malformed_or_unknown_token(browsers: Browsers, world: World, header: str) -> None:
    client = browsers.open()
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401 and response.json()["status_code"] == 401
