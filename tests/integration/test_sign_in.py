"""Signing in and out through the form, on SQLite and PostgreSQL: by login name or phone, the same
answer for a wrong password and an unknown user, server-side sessions (rotation at login, logout,
idle and absolute expiry, "keep me signed in"), cookie flags, and the first-login password change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update

from tests.support.accounts import (
    SESSION_COOKIE,
    Browsers,
    alert_text,
    is_signed_out,
    session_token,
    sessions_of,
    user,
    with_session_cookie,
)
from tests.support.mfa import next_recovery_code
from tests.support.personas import PASSWORD, World, csrf_token, form_post
from tracker.db.models.accounts import LoginSession, User
from tracker.db.models.roster import Person
from tracker.domain.accounts.passwords import verify_password

NEW_PASSWORD = "a-brand-new-passphrase"


def post_login(client: Any, login: str, password: str, *, keep: bool = False) -> Any:
    form = {"login": login, "password": password, "_csrf_token": csrf_token(client), "next": "/account"}
    if keep:
        form["keep_signed_in"] = "1"
    return client.post("/login", data=form, follow_redirects=False)


def set_session_times(db: Any, user_id: int, **values: dt.datetime) -> None:
    async def go(session: Any) -> None:
        await session.execute(update(LoginSession).where(LoginSession.user_id == user_id).values(**values))

    db(go)


def session_cookie_header(response: Any) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith("tracker_session=")]
    assert len(headers) == 1, headers
    return headers[0]


# -- who may sign in -----------------------------------------------------------------------------


def test_it_signs_in_by_login_name(browsers: Browsers, world: World) -> None:
    client = browsers.open()
    response = post_login(client, "Cadre ", PASSWORD)  # case and spaces don't matter
    assert response.status_code == 303 and response.headers["location"] == "/account"
    me = client.get("/api/v1/me").json()
    assert (me["login"], me["role"], me["auth"]) == ("cadre", "member", "session")
    assert client.get("/account").status_code == 200


def test_it_signs_in_by_phone_number(browsers: Browsers, world: World) -> None:
    client = browsers.open()
    assert world.a.official.phone == "13800000002"
    response = post_login(client, "13800000002", PASSWORD)
    assert response.status_code == 303
    assert client.get("/api/v1/me").json()["login"] == "official"


def set_phone(db: Any, person_id: int, phone: str) -> None:
    async def go(session: Any) -> None:
        await session.execute(update(Person).where(Person.id == person_id).values(phone=phone))

    db(go)


def test_it_signs_in_by_phone_number_however_it_is_written(browsers: Browsers, world: World, db: Any) -> None:
    set_phone(db, world.a.official.id, "138-0000-0002")  # as the roster file had it
    for typed in ("13800000002", "138 0000 0002", "138-0000-0002", " 13800000002 "):
        client = browsers.open()
        assert post_login(client, typed, PASSWORD).status_code == 303, typed
        assert client.get("/api/v1/me").json()["login"] == "official"


def test_it_signs_nobody_in_by_a_phone_number_two_accounts_share(
    browsers: Browsers, world: World, db: Any
) -> None:
    set_phone(db, world.a.cadre.id, "13800000002")  # the official's number, given to the cadre too
    response = post_login(browsers.open(), "13800000002", PASSWORD)
    assert response.status_code == 400 and alert_text(response.text) == "Wrong login name or password"
    assert post_login(browsers.open(), "official", PASSWORD).status_code == 303


def test_it_gives_the_same_answer_for_a_wrong_password_and_an_unknown_user(
    browsers: Browsers, world: World, db: Any
) -> None:
    client = browsers.open()
    wrong = post_login(client, "cadre", "not-the-password")
    unknown = post_login(client, "nobody-here", "not-the-password")
    unknown_phone = post_login(client, "13999999999", PASSWORD)
    assert wrong.status_code == unknown.status_code == unknown_phone.status_code == 400
    assert alert_text(wrong.text) == alert_text(unknown.text) == alert_text(unknown_phone.text)
    assert alert_text(wrong.text) == "Wrong login name or password"
    assert SESSION_COOKIE not in client.cookies
    assert sessions_of(db, world.users["cadre"]) == []


def test_it_refuses_a_disabled_user_even_with_the_right_password(
    browsers: Browsers, world: World, db: Any
) -> None:
    async def disable(session: Any) -> None:
        await session.execute(update(User).where(User.login == "cadre").values(active=False))

    db(disable)
    client = browsers.open()
    response = post_login(client, "cadre", PASSWORD)
    assert response.status_code == 400
    assert "disabled" in alert_text(response.text)
    assert SESSION_COOKIE not in client.cookies
    assert sessions_of(db, world.users["cadre"]) == []
    # a wrong password for a disabled account says nothing about the account
    assert alert_text(post_login(client, "cadre", "wrong-password").text) == "Wrong login name or password"


# -- sessions ------------------------------------------------------------------------------------


def test_it_starts_a_new_session_at_every_sign_in(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre")
    old_token = session_token(client)
    response = post_login(client, "cadre", PASSWORD)  # signing in again over a live session
    assert response.status_code == 303
    new_token = session_token(client)
    assert new_token != old_token
    first, second = sessions_of(db, world.users["cadre"])
    assert first.ended_at is not None and second.ended_at is None
    assert first.token_hash != second.token_hash and old_token not in (first.token_hash, second.token_hash)
    # the old token no longer works, the new one does
    replay = with_session_cookie(browsers.open(), old_token)
    assert is_signed_out(replay.get("/account", follow_redirects=False))
    assert client.get("/account", follow_redirects=False).status_code == 200


def test_it_ends_the_previous_session_when_another_user_signs_in(
    browsers: Browsers, world: World, db: Any
) -> None:
    client = browsers.open("cadre")
    old_token = session_token(client)
    assert post_login(client, "official", PASSWORD).status_code == 303
    assert client.get("/api/v1/me").json()["login"] == "official"
    assert [s.ended_at is not None for s in sessions_of(db, world.users["cadre"])] == [True]
    assert is_signed_out(
        with_session_cookie(browsers.open(), old_token).get("/account", follow_redirects=False)
    )


def test_it_ignores_a_planted_session_cookie(browsers: Browsers, world: World, db: Any) -> None:
    client = with_session_cookie(browsers.open(), "planted-by-an-attacker")
    assert post_login(client, "cadre", PASSWORD).status_code == 303
    assert session_token(client) != "planted-by-an-attacker"
    assert client.get("/account", follow_redirects=False).status_code == 200


def test_it_ends_the_session_on_the_server_at_logout(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre")
    token = session_token(client)
    response = form_post(client, "/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert "tracker_session=" in session_cookie_header(response)  # deleted in the browser …
    assert SESSION_COOKIE not in client.cookies
    [ended] = sessions_of(db, world.users["cadre"])
    assert ended.ended_at is not None  # … and ended on the server
    replay = with_session_cookie(browsers.open(), token)
    assert is_signed_out(replay.get("/account", follow_redirects=False))
    assert replay.get("/api/v1/me").status_code == 401


def test_it_signs_out_after_the_idle_timeout(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre")
    now = dt.datetime.now(dt.UTC)
    set_session_times(db, world.users["cadre"], last_seen_at=now - dt.timedelta(minutes=239))
    assert client.get("/account", follow_redirects=False).status_code == 200  # and it touches last_seen_at
    [touched] = sessions_of(db, world.users["cadre"])
    assert touched.last_seen_at > now - dt.timedelta(minutes=1)
    set_session_times(db, world.users["cadre"], last_seen_at=now - dt.timedelta(minutes=241))
    response = client.get("/account", follow_redirects=False)
    assert is_signed_out(response) and response.headers["location"] == "/login?next=/account"


def test_it_signs_out_after_the_absolute_lifetime(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre")
    [session] = sessions_of(db, world.users["cadre"])
    assert (
        dt.timedelta(hours=11, minutes=59) < session.expires_at - session.created_at <= dt.timedelta(hours=12)
    )
    set_session_times(db, world.users["cadre"], expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    assert is_signed_out(client.get("/account", follow_redirects=False))


def test_it_keeps_a_member_signed_in_on_their_phone(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open()
    response = post_login(client, "cadre", PASSWORD, keep=True)
    cookie = session_cookie_header(response)
    assert "Max-Age=2592000" in cookie or "Max-Age=2591999" in cookie  # 30 days: survives closing the browser
    [session] = sessions_of(db, world.users["cadre"])
    assert session.keep_signed_in
    assert dt.timedelta(days=29) < session.expires_at - session.created_at <= dt.timedelta(days=30)
    # idle for a day: still signed in
    set_session_times(db, world.users["cadre"], last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    assert client.get("/account", follow_redirects=False).status_code == 200


def test_it_keeps_an_official_signed_in_too(browsers: Browsers, world: World) -> None:
    assert "Max-Age=" in session_cookie_header(post_login(browsers.open(), "official", PASSWORD, keep=True))


def test_it_gives_other_roles_a_browser_session_only(browsers: Browsers, world: World, db: Any) -> None:
    for login in ("secretary", "admin", "viewer"):
        client = browsers.open()
        answer = post_login(client, login, PASSWORD, keep=True)
        if answer.headers["location"].startswith("/login/code"):  # admins and secretaries: their code first
            answer = form_post(client, "/login/code", {"code": next_recovery_code(login)})
        cookie = session_cookie_header(answer)
        assert "Max-Age" not in cookie and "expires" not in cookie.lower(), login
        [session] = sessions_of(db, world.users[login])
        assert not session.keep_signed_in
    cookie = session_cookie_header(post_login(browsers.open(), "cadre", PASSWORD, keep=False))
    assert "Max-Age" not in cookie


def test_it_sets_cookies_httponly_and_samesite_lax(browsers: Browsers, world: World) -> None:
    cookie = session_cookie_header(post_login(browsers.open(), "cadre", PASSWORD)).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie


def test_it_marks_cookies_secure_behind_https(browsers: Browsers, world: World, settings: Any) -> None:
    client = browsers.open(settings=settings.model_copy(update={"https": True}))
    first = client.get("/login")
    csrf = [h for h in first.headers.get_list("set-cookie") if h.startswith("__Host-tracker_csrf=")]  # __Host-: see
    assert csrf and "secure" in csrf[0].lower()  # tests/integration/test_cookies_and_headers.py
    response = post_login(client, "cadre", PASSWORD)
    [cookie] = [h.lower() for h in response.headers.get_list("set-cookie") if h.startswith("__Host-tracker_session=")]
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


# -- the first-login password change -------------------------------------------------------------


def must_change(db: Any, login: str) -> None:
    async def go(session: Any) -> None:
        await session.execute(update(User).where(User.login == login).values(must_change_password=True))

    db(go)


def test_it_sends_a_user_with_a_given_password_to_change_it_first(
    browsers: Browsers, world: World, db: Any
) -> None:
    must_change(db, "cadre")
    client = browsers.open()
    response = post_login(client, "cadre", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/account/password"
    for path in ("/", "/account", "/towns/alpha", f"/towns/alpha/people/{world.a.cadre.id}"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/account/password", path
    htmx = client.get("/towns/alpha", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers.get("hx-redirect") == "/account/password"
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["status_code"] == 403
    page = client.get("/account/password")
    assert page.status_code == 200 and "Choose your own before you go on" in page.text
    # signing out is still possible
    assert form_post(client, "/logout").status_code == 303


def test_it_clears_the_flag_when_the_first_password_is_changed(
    browsers: Browsers, world: World, db: Any
) -> None:
    must_change(db, "cadre")
    client = browsers.open()
    post_login(client, "cadre", PASSWORD)
    token = session_token(client)
    response = form_post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response.status_code == 303 and response.headers["location"] == "/account?changed=password"
    changed = user(db, "cadre")
    assert not changed.must_change_password and verify_password(changed.password_hash, NEW_PASSWORD)
    assert session_token(client) == token  # this session goes on
    assert client.get("/towns/alpha", follow_redirects=False).status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    # and the new password is the one that works from now on
    assert post_login(browsers.open(), "cadre", PASSWORD).status_code == 400
    assert post_login(browsers.open(), "cadre", NEW_PASSWORD).headers["location"] == "/account"


def test_it_refuses_to_keep_the_given_password_as_the_new_one(
    browsers: Browsers, world: World, db: Any
) -> None:
    must_change(db, "cadre")
    client = browsers.open()
    post_login(client, "cadre", PASSWORD)
    response = form_post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD},
    )
    assert response.status_code == 400
    assert "Choose a password different from the current one" in response.text
    assert user(db, "cadre").must_change_password
