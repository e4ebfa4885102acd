"""Cookies and headers (issue 8, findings 9 and 11), on SQLite and PostgreSQL: the CSRF token is bound
to the session and renewed at sign-in and sign-out (one issued before sign-in, or for another
session, is refused); behind HTTPS (TRACKER_HTTPS=1) the session and CSRF cookies are `__Host-`
cookies and answers carry HSTS, without it plain names and no HSTS; photos are `no-store`; the
live server sends no `Server` header."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from tests.support.accounts import Browsers, rows, sessions_of
from tests.support.live_server import LiveServer
from tests.support.personas import PASSWORD, World, csrf_token, form_post, sign_in
from tests.support.work_pages import build_work, client_key, png
from tracker.db.models.accounts import ApiToken
from tracker.db.models.tasks import RecordPhoto
from tracker.domain.clock import local_date, utc_now

CSRF = "tracker_csrf"


def set_cookies(response: Any) -> dict[str, str]:
    """name -> the whole Set-Cookie header, for each cookie the answer sets."""
    return {h.partition("=")[0]: h for h in response.headers.get_list("set-cookie")}


def replace_csrf_cookie(client: Any, token: str, name: str = CSRF) -> None:
    """What a page on a neighbouring site (or a hostile network) could plant in the browser."""
    client.cookies.delete(name)
    client.cookies.set(name, token, domain="testserver.local", path="/")


def token_names(db: Any) -> list[str]:
    return [t.name for t in rows(db, select(ApiToken))]


# -- the CSRF token belongs to one session -------------------------------------------------------------


def test_it_gives_a_new_csrf_token_at_sign_in_and_refuses_the_old_one(
    browsers: Browsers, world: World, db: Any
) -> None:
    client = browsers.open()
    before = csrf_token(client)  # issued to the signed-out browser (or planted by an attacker)
    answer = client.post(
        "/login", data={"login": "cadre", "password": PASSWORD, "_csrf_token": before, "next": "/"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303
    assert CSRF in set_cookies(answer)  # renewed with the session
    after = client.cookies.get(CSRF)
    assert after and after != before

    refused = client.post("/account/tokens", data={"name": "old", "_csrf_token": before}, follow_redirects=False)
    assert refused.status_code == 403 and "This form has expired" in refused.text
    # even with the old token put back in the cookie as well: it was made for no session
    replace_csrf_cookie(client, before)
    refused = client.post("/account/tokens", data={"name": "old", "_csrf_token": before}, follow_redirects=False)
    assert refused.status_code == 403
    assert token_names(db) == []

    replace_csrf_cookie(client, after)
    assert client.post("/account/tokens", data={"name": "new", "_csrf_token": after}).status_code == 200
    assert token_names(db) == ["new"]


def test_it_refuses_a_token_of_another_session_of_the_same_user(browsers: Browsers, world: World, db: Any) -> None:
    phone, laptop = browsers.open("cadre"), browsers.open("cadre")
    phones = csrf_token(phone)
    replace_csrf_cookie(laptop, phones)  # a valid pair, but for the phone's session
    answer = laptop.post("/account/tokens", data={"name": "x", "_csrf_token": phones}, follow_redirects=False)
    assert answer.status_code == 403
    assert form_post(phone, "/account/tokens", {"name": "mine"}).status_code == 200
    assert token_names(db) == ["mine"]


def test_it_renews_the_csrf_token_at_sign_out(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre")
    signed_in = csrf_token(client)
    answer = form_post(client, "/logout")
    assert answer.status_code == 303 and CSRF in set_cookies(answer)
    signed_out = client.cookies.get(CSRF)
    assert signed_out and signed_out != signed_in
    replace_csrf_cookie(client, signed_in)
    form = {"login": "cadre", "password": PASSWORD, "_csrf_token": signed_in, "next": "/"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 403
    assert len(sessions_of(db, world.users["cadre"])) == 1  # no new session
    replace_csrf_cookie(client, signed_out)  # the one the sign-out gave works for the next sign-in
    assert client.post("/login", data={**form, "_csrf_token": signed_out}, follow_redirects=False).status_code == 303


def test_it_replaces_a_csrf_cookie_that_does_not_fit_the_session_on_the_next_page(
    browsers: Browsers, world: World, db: Any
) -> None:
    stranger, client = browsers.open(), browsers.open("cadre")
    replace_csrf_cookie(client, csrf_token(stranger))  # say, left from before a session cookie expired
    page = client.get("/account")
    assert page.status_code == 200 and CSRF in set_cookies(page)
    assert form_post(client, "/account/tokens", {"name": "works"}).status_code == 200
    assert token_names(db) == ["works"]


# -- HTTPS: __Host- cookies and HSTS -------------------------------------------------------------------


def test_it_sends_host_prefixed_cookies_and_hsts_behind_https(
    browsers: Browsers, world: World, db: Any, settings: Any
) -> None:
    client = browsers.open(settings=settings.model_copy(update={"https": True}))
    first = client.get("/login")
    assert first.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    cookies = set_cookies(first)
    assert set(cookies) == {"__Host-tracker_csrf"}
    signed_in = client.post(
        "/login", data={"login": "cadre", "password": PASSWORD, "_csrf_token": csrf_token(client), "next": "/"},
        follow_redirects=False,
    )  # fmt: skip
    assert signed_in.status_code == 303
    cookies = set_cookies(signed_in)
    assert set(cookies) == {"__Host-tracker_session", "__Host-tracker_csrf"}
    for header in cookies.values():
        attributes = [a.strip().lower() for a in header.split(";")[1:]]
        assert "secure" in attributes and "path=/" in attributes
        assert not any(a.startswith("domain") for a in attributes)
    assert "__Host-tracker_session" in client.cookies and "tracker_session" not in client.cookies
    assert client.get("/account").status_code == 200
    assert form_post(client, "/account/tokens", {"name": "over https"}).status_code == 200
    assert client.get("/healthz").headers["strict-transport-security"].startswith("max-age=")


def test_it_ignores_plain_named_session_cookies_behind_https(
    browsers: Browsers, world: World, db: Any, settings: Any
) -> None:
    https = settings.model_copy(update={"https": True})
    victim = browsers.open("cadre", settings=https)
    session = victim.cookies.get("__Host-tracker_session")
    # a cookie without the prefix could come from a neighbouring host: it signs nobody in
    planted = browsers.open(settings=https)
    planted.cookies.set("tracker_session", session, domain="testserver.local", path="/")
    answer = planted.get("/account", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_it_keeps_plain_cookie_names_and_sends_no_hsts_without_https(browsers: Browsers, world: World) -> None:
    client = browsers.open()
    first = client.get("/login")
    assert "strict-transport-security" not in first.headers
    assert set(set_cookies(first)) == {"tracker_csrf"}
    sign_in(client, "cadre")
    assert "tracker_session" in client.cookies and "__Host-tracker_session" not in client.cookies


# -- photos are not kept by the browser; no Server header --------------------------------------------


def test_it_serves_photos_with_no_store(client: Any, db: Any) -> None:
    work = db(build_work)
    sign_in(client, "cadre")
    key = client_key(client.get(f"/tasks/{work.overdue}").text)
    form = {
        "client_key": key, "occurred_on": local_date(utc_now(), "Asia/Shanghai").isoformat(), "place_id": "",
        "f_people_met": "村支书", "f_issues_raised": "无", "_csrf_token": csrf_token(client),
    }  # fmt: skip
    posted = client.post(f"/tasks/{work.overdue}/records", data=form, files=[("photos", ("a.png", png(), "image/png"))],
                         follow_redirects=False)  # fmt: skip
    assert posted.status_code == 303, posted.text
    [photo] = db(lambda s: s.scalars(select(RecordPhoto))).all()
    for path in (f"/photos/{photo.id}", f"/photos/{photo.id}/thumb", f"/api/v1/photos/{photo.id}",
                 f"/api/v1/photos/{photo.id}?thumbnail=true"):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/"), path
        assert answer.headers["cache-control"] == "no-store", path


def test_it_sends_no_server_header(live_server: LiveServer) -> None:
    """The tests' server is configured as `tracker run` and `tracker demo` serve (those are checked in
    tests/integration/test_start_up_commands.py)."""
    for path in ("/healthz", "/login", "/no-such-page"):
        answer = httpx.get(live_server.url(path), timeout=10)
        assert "server" not in answer.headers, (path, answer.headers)
