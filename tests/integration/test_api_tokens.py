"""API tokens (issue 8, finding 6), on SQLite and PostgreSQL: a token dies with its owner's password
(reset by the secretary, or changed by the owner) and with a disabled account, for good; it works
under /api/ only (a page ignores it, so it can't mint tokens); it expires (90 days unless chosen, at
most 365, shown in the list); a read-only one gets 403 on anything but GET; the OpenAPI schema
declares the bearer scheme; the migration gives existing tokens an expiry."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import column, insert, select, table, text, update

from tests.support.accounts import SHOWN_SECRET, Browsers, audit, rows, user
from tests.support.personas import PASSWORD, World, csrf_token, form_post, json_headers
from tracker.db import schema
from tracker.db.models.accounts import ApiToken
from tracker.db.models.roster import ContactAssignment
from tracker.db.models.tasks import Assignment
from tracker.db.session import make_engine
from tracker.domain.accounts.users import UserService

NEW_PASSWORD = "my-own-new-passphrase"


def new_token(db: Any, user_id: int, name: str = "script", **options: Any) -> tuple[int, str]:
    async def go(session: Any) -> tuple[int, str]:
        created = await UserService(session, None).create_token(user_id, name, **options)  # type: ignore[arg-type]
        return created.token.id, created.secret

    return db(go)


def with_token(browsers: Browsers, secret: str) -> Any:
    """A program calling the API with the token (no cookie)."""
    client = browsers.open()
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


def token_row(db: Any, token_id: int) -> ApiToken:
    [token] = rows(db, select(ApiToken).where(ApiToken.id == token_id))
    return token


def contact_points(world: World) -> str:
    return f"/api/v1/towns/alpha/people/{world.a.official.id}/contact-points"


def places_of(db: Any, person_id: int) -> set[int]:
    links = rows(db, select(ContactAssignment).where(ContactAssignment.person_id == person_id))
    return {link.place_id for link in links if link.valid_to is None}


# -- revoked with the password or the account ----------------------------------------------------


def test_it_revokes_every_token_when_the_secretary_resets_the_password(
    browsers: Browsers, world: World, db: Any
) -> None:
    first_id, first = new_token(db, world.users["cadre"], "phone")
    _second_id, second = new_token(db, world.users["cadre"], "laptop")
    other_id, other = new_token(db, world.users["official"], "theirs")
    program = with_token(browsers, first)
    assert program.get("/api/v1/me").status_code == 200

    secretary = browsers.open("secretary")
    assert form_post(secretary, f"/towns/alpha/users/{world.users['cadre']}/reset-password").status_code == 200

    for secret in (first, second):
        answer = with_token(browsers, secret).get("/api/v1/me")
        assert answer.status_code == 401 and answer.json()["status_code"] == 401
    assert token_row(db, first_id).revoked_at is not None
    assert with_token(browsers, other).get("/api/v1/me").status_code == 200  # someone else's lives on
    assert token_row(db, other_id).revoked_at is None
    revoked = [e for e in audit(db, "update") if e.object_type == "api_token"]
    assert len(revoked) == 2 and all(e.actor == "secretary" for e in revoked)


def test_it_revokes_my_tokens_when_i_change_my_password(browsers: Browsers, world: World, db: Any) -> None:
    _id, secret = new_token(db, world.users["cadre"])
    assert with_token(browsers, secret).get("/api/v1/me").status_code == 200
    me = browsers.open("cadre")
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert form_post(me, "/account/password", form).status_code == 303
    assert with_token(browsers, secret).get("/api/v1/me").status_code == 401
    assert me.get("/account", follow_redirects=False).status_code == 200  # this browser stays signed in


def test_it_revokes_tokens_on_disable_and_enabling_does_not_bring_them_back(
    browsers: Browsers, world: World, db: Any
) -> None:
    _id, secret = new_token(db, world.users["cadre"])
    program = with_token(browsers, secret)
    secretary = browsers.open("secretary")
    assert form_post(secretary, f"/towns/alpha/users/{world.users['cadre']}/disable").status_code == 303
    assert program.get("/api/v1/me").status_code == 401
    assert form_post(secretary, f"/towns/alpha/users/{world.users['cadre']}/enable").status_code == 303
    assert user(db, "cadre").active
    assert program.get("/api/v1/me").status_code == 401
    # the owner makes a new one when they need it
    _new_id, fresh = new_token(db, world.users["cadre"], "after")
    assert with_token(browsers, fresh).get("/api/v1/me").status_code == 200


# -- under /api/ only --------------------------------------------------------------------------------


def test_it_ignores_a_token_on_a_page_so_it_cannot_mint_tokens(browsers: Browsers, world: World, db: Any) -> None:
    _id, secret = new_token(db, world.users["cadre"])
    program = with_token(browsers, secret)
    answer = program.get("/account", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    # even with a well-formed CSRF pair, the settings page sees nobody signed in
    form = {"name": "minted", "_csrf_token": csrf_token(program)}
    answer = program.post("/account/tokens", data=form, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert [t.name for t in rows(db, select(ApiToken))] == ["script"]
    assert program.get("/api/v1/me").json()["login"] == "cadre"  # the same token under /api/


def test_it_takes_the_cookie_not_the_token_on_a_page(browsers: Browsers, world: World, db: Any) -> None:
    _id, secret = new_token(db, world.users["secretary"])
    cadre = browsers.open("cadre")
    page = cadre.get("/account", headers={"Authorization": f"Bearer {secret}"})
    assert page.status_code == 200 and "cadre" in page.text
    assert cadre.get("/towns/alpha/users", headers={"Authorization": f"Bearer {secret}"}).status_code == 403


# -- expiry ----------------------------------------------------------------------------------------


def test_it_gives_a_new_token_ninety_days_and_shows_when_it_expires(
    browsers: Browsers, world: World, db: Any
) -> None:
    client = browsers.open("cadre")
    form = client.get("/account").text
    assert 'name="days"' in form and 'value="90"' in form and 'max="365"' in form and 'name="read_only"' in form
    before = dt.datetime.now(dt.UTC)
    page = form_post(client, "/account/tokens", {"name": "default"})
    assert page.status_code == 200 and SHOWN_SECRET.search(page.text)
    [token] = rows(db, select(ApiToken))
    assert before + dt.timedelta(days=90) <= token.expires_at <= dt.datetime.now(dt.UTC) + dt.timedelta(days=90)
    assert not token.read_only
    assert "expires" in page.text


@pytest.mark.parametrize("days", ["1", " 365 "])
def test_it_lets_me_choose_how_long_a_token_lives(browsers: Browsers, world: World, db: Any, days: str) -> None:
    client = browsers.open("cadre")
    before = dt.datetime.now(dt.UTC)
    assert form_post(client, "/account/tokens", {"name": "short", "days": days}).status_code == 200
    [token] = rows(db, select(ApiToken))
    lifetime = token.expires_at - before
    assert dt.timedelta(days=int(days)) <= lifetime <= dt.timedelta(days=int(days), minutes=1)


@pytest.mark.parametrize("days", ["0", "366", "²", "1e3", "３０"])
def test_it_refuses_a_lifetime_out_of_bounds_with_a_field_message(
    browsers: Browsers, world: World, db: Any, days: str
) -> None:
    client = browsers.open("cadre")
    answer = form_post(client, "/account/tokens", {"name": "bad", "days": days})
    assert answer.status_code == 400
    assert 'id="token-days-error"' in answer.text and "1 to 365 days" in answer.text
    assert rows(db, select(ApiToken)) == []


def test_it_refuses_an_expired_token_and_leaves_it_out_of_the_list(
    browsers: Browsers, world: World, db: Any
) -> None:
    token_id, secret = new_token(db, world.users["cadre"], "old", days=1)
    program = with_token(browsers, secret)
    assert program.get("/api/v1/me").status_code == 200

    async def expire(session: Any) -> None:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(expires_at=past))

    db(expire)
    answer = program.get("/api/v1/me")
    assert answer.status_code == 401 and answer.json()["status_code"] == 401
    assert "old" not in browsers.open("cadre").get("/account").text


# -- read-only scope -------------------------------------------------------------------------------


def test_it_refuses_anything_but_reading_to_a_read_only_token(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("secretary")
    page = form_post(client, "/account/tokens", {"name": "reader", "read_only": "1"})
    assert page.status_code == 200 and "read only" in page.text
    secret = SHOWN_SECRET.search(page.text).group(1)  # type: ignore[union-attr]
    [token] = rows(db, select(ApiToken))
    assert token.read_only

    reader = with_token(browsers, secret)
    assert reader.get("/api/v1/me").status_code == 200
    assert reader.get(contact_points(world)).status_code == 200
    before = places_of(db, world.a.official.id)
    body = {"place_ids": [world.a.villages[3].id, world.a.villages[4].id]}
    assignments = rows(db, select(Assignment))
    writes = [
        ("PUT", contact_points(world), body),
        ("PUT", contact_points(world), body),
        ("POST", "/api/v1/towns/alpha/assignments", {"title": "x"}),
        ("POST", "/api/v1/towns/alpha/assignments/preview", {"title": "x"}),  # a POST, even one that only reads
    ]
    for method, path, json in writes:
        answer = reader.request(method, path, json=json)
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["detail"] == "This API token may only read"
    assert places_of(db, world.a.official.id) == before and rows(db, select(Assignment)) == assignments
    refused = audit(db, "access_refused")  # one entry per route, the repeat counted on it
    assert [e.changes["route"] for e in refused] == [
        "PUT /api/v1/towns/{code}/people/{person_id}/contact-points",
        "POST /api/v1/towns/{code}/assignments",
        "POST /api/v1/towns/{code}/assignments/preview",
    ]
    assert {e.changes["reason"] for e in refused} == {"read_only_token"}

    # the same secretary's read-write token may change it; a cookie with its CSRF header too
    _id, writer = new_token(db, world.users["secretary"], "writer")
    assert with_token(browsers, writer).put(contact_points(world), json=body).status_code == 200
    assert client.put(contact_points(world), json=body, headers=json_headers(client)).status_code == 200


# -- the OpenAPI schema ----------------------------------------------------------------------------


def test_it_declares_the_bearer_scheme_for_every_api_operation(client: Any) -> None:
    document = client.get("/schema/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    api_operations = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            effective = operation.get("security", document.get("security"))
            if path.startswith("/api/"):
                api_operations += 1
                assert effective == [{"bearerAuth": []}], (method, path)
            else:  # /healthz and the schema itself need nothing
                assert {} in effective, (method, path)
    assert api_operations > 20


# -- the migration ---------------------------------------------------------------------------------


def test_it_gives_existing_tokens_an_expiry_ninety_days_after_their_creation(empty_db_url: str) -> None:
    schema.upgrade(empty_db_url, "0003")
    created = dt.datetime(2026, 10, 1, 6, 30, tzinfo=dt.UTC)

    stamp = {"created_at": created, "updated_at": created}
    users = table("app_user", *(column(c) for c in ("login", "role", "password_hash", "must_change_password")),
                  column("active"), column("created_at", DateTimeUTC()), column("updated_at", DateTimeUTC()))  # fmt: skip
    tokens = table("api_token", *(column(c) for c in ("user_id", "name", "token_hash", "prefix")),
                   column("created_at", DateTimeUTC()), column("updated_at", DateTimeUTC()))  # fmt: skip

    async def fill() -> None:
        engine = make_engine(empty_db_url)
        async with engine.begin() as connection:
            old_user = {"login": "old", "role": "admin", "password_hash": "x", "must_change_password": False}
            await connection.execute(insert(users).values(**old_user, active=True, **stamp))
            user_id = (await connection.execute(text("SELECT id FROM app_user"))).scalar_one()
            await connection.execute(
                insert(tokens).values(user_id=user_id, name="cron", token_hash="0" * 64, prefix="trk_abcd", **stamp)
            )
        await engine.dispose()

    asyncio.run(fill())
    schema.upgrade(empty_db_url)

    async def read() -> ApiToken:
        engine = make_engine(empty_db_url)
        async with engine.connect() as connection:
            row = (await connection.execute(select(ApiToken.expires_at, ApiToken.read_only))).one()
        await engine.dispose()
        return row

    expires_at, read_only = asyncio.run(read())
    assert expires_at == created + dt.timedelta(days=90) and read_only is False
