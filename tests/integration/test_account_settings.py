"""My settings, on SQLite and PostgreSQL: changing my password, my language, my API tokens, and
signing out my other sessions; /api/v1/me by cookie (GET needs no CSRF header) or by token."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.support.accounts import (
    SHOWN_SECRET,
    Browsers,
    audit,
    is_signed_out,
    rows,
    session_token,
    sessions_of,
    user,
)
from tests.support.personas import PASSWORD, World, form_post
from tracker.db.models.accounts import ApiToken
from tracker.domain.accounts.passwords import verify_password
from tracker.domain.accounts.rules import token_hash

NEW_PASSWORD = "my-own-new-passphrase"


def change_password(client: Any, current: str, new: str, confirm: str | None = None) -> Any:
    form = {
        "current_password": current,
        "new_password": new,
        "confirm_password": new if confirm is None else confirm,
    }
    return form_post(client, "/account/password", form)


# -- password ------------------------------------------------------------------------------------


def test_it_changes_my_password_and_signs_out_my_other_sessions(
    browsers: Browsers, world: World, db: Any
) -> None:
    here, elsewhere = browsers.open("cadre"), browsers.open("cadre")
    response = change_password(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/account?changed=password"
    assert verify_password(user(db, "cadre").password_hash, NEW_PASSWORD)
    assert here.get("/account", follow_redirects=False).status_code == 200
    assert is_signed_out(elsewhere.get("/account", follow_redirects=False))
    [entry] = audit(db, "password_change")
    assert entry.actor == "cadre" and entry.object_id == str(world.users["cadre"])


def test_it_refuses_a_wrong_current_password(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre")
    before = user(db, "cadre").password_hash
    response = change_password(client, "not-my-password", NEW_PASSWORD)
    assert response.status_code == 400
    assert 'id="current_password-error"' in response.text
    assert "This is not your current password" in response.text
    assert user(db, "cadre").password_hash == before
    assert audit(db, "password_change") == []


def test_it_explains_each_bad_new_password(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre")
    before = user(db, "cadre").password_hash
    cases = [
        ("short", None, "Use at least 8 characters"),
        ("12345678", None, "This password is too common; choose another"),
        ("x" * 129, None, "Use at most 128 characters"),
        (NEW_PASSWORD, "a-different-one", "The two new passwords differ"),
    ]
    for new, confirm, message in cases:
        response = change_password(client, PASSWORD, new, confirm)
        assert response.status_code == 400, new
        assert message in response.text, new
    assert user(db, "cadre").password_hash == before


# -- language ------------------------------------------------------------------------------------


def test_it_keeps_my_language_on_my_account(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre", english=False)
    assert '<html lang="zh-CN">' in client.get("/account").text
    response = form_post(client, "/account/language", {"locale": "en"})
    assert response.status_code == 303 and response.headers["location"] == "/account?changed=language"
    assert user(db, "cadre").locale == "en"
    # the saved choice beats the browser's Accept-Language and the language cookie
    client.cookies.set("tracker_lang", "zh_CN", domain="testserver.local")
    page = client.get("/account", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="en">' in page.text and "My settings" in page.text
    # on any device where I sign in
    other = browsers.open("cadre", english=False)
    assert '<html lang="en">' in other.get("/account").text
    # "follow the browser" forgets it
    form_post(client, "/account/language", {"locale": ""})
    assert user(db, "cadre").locale is None
    assert '<html lang="zh-CN">' in client.get("/account", headers={"Accept-Language": "zh-CN"}).text


def test_it_ignores_an_unknown_language(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre")
    assert form_post(client, "/account/language", {"locale": "xx_YY"}).status_code == 303
    assert user(db, "cadre").locale is None


# -- API tokens ----------------------------------------------------------------------------------


def test_it_creates_an_api_token_shown_once_and_revokes_it(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre")
    response = form_post(client, "/account/tokens", {"name": "my phone script"})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    [secret] = SHOWN_SECRET.findall(response.text)
    assert secret.startswith("trk_")
    [stored] = rows(db, select(ApiToken))
    assert stored.token_hash == token_hash(secret) and secret not in (stored.token_hash, stored.prefix)
    settings_page = client.get("/account").text
    assert (
        secret not in settings_page and "my phone script" in settings_page and stored.prefix in settings_page
    )
    assert secret not in str([e.changes for e in audit(db)])

    script = browsers.open()
    script.headers["Authorization"] = f"Bearer {secret}"
    me = script.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json() == {
        "user_id": world.users["cadre"], "login": "cadre", "role": "member", "town_id": world.a.town.id,
        "person_id": world.a.cadre.id, "auth": "token",
    }  # fmt: skip
    assert rows(db, select(ApiToken))[0].last_used_at is not None

    assert form_post(client, f"/account/tokens/{stored.id}/revoke").status_code == 303
    assert rows(db, select(ApiToken))[0].revoked_at is not None
    assert script.get("/api/v1/me").status_code == 401
    assert "my phone script" not in client.get("/account").text


def test_it_refuses_a_token_without_a_name_or_twice_the_same(
    browsers: Browsers, world: World, db: Any
) -> None:
    client = browsers.open("cadre")
    assert form_post(client, "/account/tokens", {"name": "   "}).status_code == 400
    assert form_post(client, "/account/tokens", {"name": "x" * 65}).status_code == 400
    assert form_post(client, "/account/tokens", {"name": "cron"}).status_code == 200
    again = form_post(client, "/account/tokens", {"name": "cron"})
    assert again.status_code == 409 and not SHOWN_SECRET.search(again.text)
    assert [t.name for t in rows(db, select(ApiToken))] == ["cron"]


def test_it_does_not_revoke_someone_elses_token(browsers: Browsers, world: World, db: Any) -> None:
    owner, other = browsers.open("cadre"), browsers.open("outsider")
    form_post(owner, "/account/tokens", {"name": "mine"})
    [token] = rows(db, select(ApiToken))
    assert form_post(other, f"/account/tokens/{token.id}/revoke").status_code == 404
    assert rows(db, select(ApiToken))[0].revoked_at is None


# -- sessions ------------------------------------------------------------------------------------


def test_it_signs_out_everywhere_else_but_here(browsers: Browsers, world: World, db: Any) -> None:
    here = browsers.open("cadre")
    phone, laptop = browsers.open("cadre", keep=True), browsers.open("cadre")
    someone_else = browsers.open("outsider")
    page = here.get("/account").text
    assert page.count('class="list-row"') >= 3 and "this device" in page
    response = form_post(here, "/account/sessions/end-others")
    assert response.status_code == 303 and response.headers["location"] == "/account?changed=sessions"
    assert here.get("/account", follow_redirects=False).status_code == 200
    for browser in (phone, laptop):
        assert is_signed_out(browser.get("/account", follow_redirects=False))
    assert someone_else.get("/account", follow_redirects=False).status_code == 200
    open_sessions = [s for s in sessions_of(db, world.users["cadre"]) if s.ended_at is None]
    assert len(open_sessions) == 1
    assert here.get("/account").text.count("this device") == 1


def test_it_answers_me_by_cookie_without_a_csrf_header(browsers: Browsers, world: World) -> None:
    client = browsers.open("official")
    response = client.get("/api/v1/me")  # a GET changes nothing: no header needed
    assert response.status_code == 200
    assert response.json()["login"] == "official" and response.json()["auth"] == "session"
    assert response.headers["cache-control"] == "no-store"
    session_token(client)
    assert browsers.open().get("/api/v1/me").status_code == 401
