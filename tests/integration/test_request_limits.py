"""Request bodies, on SQLite and PostgreSQL: a stranger's body is refused before anything parses it
(a 170 MB multipart POST to a page route costs the server no memory), a body over the limit is
refused from its Content-Length and, when it announces none, cut off as it streams past the limit;
the limit is 1 MB but for the record uploads, which get nine photos of TRACKER_MAX_PHOTO_MB; every
refusal is a 413 with a field message, as a page and as JSON."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from tests.support.live_server import LiveServer, serve
from tests.support.live_work import bearer, open_task, record_body, sign_in_live, tokens
from tests.support.personas import PASSWORD, World, build_world
from tests.support.streaming import MB, multipart_photo, resident_bytes, stream_request
from tracker.config import Settings
from tracker.db.models.accounts import LoginSession
from tracker.db.models.tasks import Record
from tracker.domain.clock import utc_now
from tracker.domain.work.photos import record_body_bytes

HUGE = 170 * MB
QUICK_SECONDS = 3.0
FEW_MB = 8 * MB  # what the server may grow by, and what the sockets may hold beyond what it read
SOCKET_SLACK = 16 * MB  # loopback send and receive buffers between the client and the server


def _settings(db_url: str, tmp_path: Path, max_photo_mb: float) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789",
                    max_photo_mb=max_photo_mb)  # fmt: skip


@pytest.fixture
def roomy_server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A live server with the largest photos the settings allow (record uploads up to 181 MB)."""
    with serve(_settings(db_url, tmp_path, 20)) as live:
        yield live


@pytest.fixture
def small_server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A live server taking photos of 1 MB (record uploads up to 10 MB)."""
    with serve(_settings(db_url, tmp_path, 1)) as live:
        yield live


def _cadres_task(db: Any, world: World) -> int:
    make = open_task(lambda w: w.a.cadre.id, 1, "上传")
    return db(lambda session: make(session, world))


def _huge_photo_post(live: LiveServer, path: str, cookie: str | None, *, announced: bool) -> Any:
    content_type, length, chunks = multipart_photo(HUGE)
    headers = {"Content-Type": content_type, **({"Cookie": cookie} if cookie else {})}
    return stream_request(live.base_url, path, headers, chunks, content_length=length if announced else None)


def _stranger_cookie(live: LiveServer, db: Any, world: World, stranger: str) -> str | None:
    """What the stranger's browser sends: nothing; the CSRF cookie of the sign-in page; or the
    cookies of a session that has since ended (signed out elsewhere, expired)."""
    if stranger == "no cookie":
        return None
    if stranger == "a CSRF cookie":
        return "tracker_csrf=" + httpx.get(live.url("/login")).cookies["tracker_csrf"]
    cookie, _csrf = _signed_in_cookie(live, "cadre")

    async def end_sessions(session: Any) -> None:
        await session.execute(update(LoginSession).values(ended_at=utc_now()))

    db(end_sessions)
    return cookie


STRANGERS = [("no cookie", True, 403), ("no cookie", False, 403), ("a CSRF cookie", False, 303),
             ("an ended session", False, 303)]  # fmt: skip


@pytest.mark.parametrize(
    ("stranger", "announced", "status"),
    STRANGERS,
    ids=[f"{s[0]}, {'its length' if s[1] else 'chunked'}" for s in STRANGERS],
)
def test_it_refuses_a_strangers_huge_multipart_post_before_reading_it(
    roomy_server: LiveServer, db: Any, stranger: str, announced: bool, status: int
) -> None:
    """Within the upload limit (181 MB here), but nobody signed in: refused unread, as the CSRF check
    (no CSRF cookie: 403) or the login guard (303 to the sign-in page) would refuse it once read."""
    world = db(build_world)
    path = f"/tasks/{_cadres_task(db, world)}/records"
    assert HUGE < record_body_bytes(roomy_server.settings.max_photo_bytes)
    cookie = _stranger_cookie(roomy_server, db, world, stranger)
    _huge_photo_post(roomy_server, path, cookie, announced=False)  # warm up: the refusal's code paths loaded
    before = resident_bytes()
    answer = _huge_photo_post(roomy_server, path, cookie, announced=announced)
    grown = resident_bytes() - before
    assert answer.status == status, answer.body
    if status == 303:
        assert answer.headers["location"] == "/login"
    assert answer.seconds < QUICK_SECONDS, answer.seconds
    assert answer.sent < SOCKET_SLACK, answer.sent  # the server read nothing of it
    assert grown < FEW_MB, f"the server grew by {grown / MB:.1f} MB"
    assert db(lambda session: session.get(Record, 1)) is None


def test_it_refuses_a_body_over_the_upload_limit_from_its_content_length(
    small_server: LiveServer, db: Any
) -> None:
    world = db(build_world)
    task_id = _cadres_task(db, world)
    cookie, csrf = _signed_in_cookie(small_server, "cadre")
    limit = record_body_bytes(MB)
    content_type, length, chunks = multipart_photo(limit)
    answer = stream_request(small_server.base_url, f"/tasks/{task_id}/records",
                            {"Content-Type": content_type, "Cookie": cookie, "x-csrftoken": csrf,
                             "Accept-Language": "en"}, chunks, content_length=length)  # fmt: skip
    assert answer.status == 413
    assert "The request is too large: at most 10 MB" in answer.body.decode()
    assert answer.seconds < QUICK_SECONDS
    assert answer.sent < SOCKET_SLACK
    assert db(lambda session: session.get(Record, 1)) is None


@pytest.mark.parametrize("reader", ["the CSRF check", "the page", "the API"])
def test_it_cuts_off_a_chunked_body_at_the_limit(small_server: LiveServer, db: Any, reader: str) -> None:
    """No length announced: the body is counted as it streams, whoever reads it (the CSRF middleware
    looking for the form's token, the page's form, the API's multipart body)."""
    world = db(build_world)
    task_id = _cadres_task(db, world)
    cookie, csrf = _signed_in_cookie(small_server, "cadre")
    limit = record_body_bytes(MB)
    content_type, _length, chunks = multipart_photo(4 * limit)
    headers = {"Content-Type": content_type, "Accept-Language": "en"}
    path = f"/tasks/{task_id}/records"
    if reader == "the page":
        headers |= {"Cookie": cookie, "x-csrftoken": csrf}
    elif reader == "the CSRF check":
        headers |= {"Cookie": cookie}
    else:
        headers |= bearer(tokens(db, world, "cadre")["cadre"])
        path = f"/api/v1/tasks/{task_id}/records/upload"
    answer = stream_request(small_server.base_url, path, headers, chunks)
    assert answer.status == 413, answer.body
    assert "The request is too large: at most 10 MB" in answer.body.decode()
    assert limit < answer.sent < limit + SOCKET_SLACK, answer.sent
    assert db(lambda session: session.get(Record, 1)) is None


def _signed_in_cookie(live: LiveServer, login: str) -> tuple[str, str]:
    """The Cookie header of a browser signed in as `login`, and its CSRF token."""

    async def go() -> tuple[str, str]:
        async with httpx.AsyncClient(base_url=live.base_url) as browser:
            answer = await sign_in_live(browser, login, PASSWORD)
            assert answer.status_code == 303, answer.text
            jar = dict(browser.cookies.items())
            return "; ".join(f"{name}={value}" for name, value in jar.items()), jar["tracker_csrf"]

    return asyncio.run(go())


# -- the limit everywhere else, answered as JSON and as a page (the in-process test client) ----------------


def test_it_refuses_a_json_body_over_one_megabyte_with_a_field_message(
    app: Any, db: Any, client: Any
) -> None:
    world = db(build_world)
    task_id = _cadres_task(db, world)
    secret = tokens(db, world, "cadre")["cadre"]
    body = record_body("too-large-1", note="长" * MB)
    answer = client.post(f"/api/v1/tasks/{task_id}/records", json=body, headers=bearer(secret))
    assert answer.status_code == 413
    assert answer.json()["fields"] == {"body": "The request is too large: at most 1 MB"}
    streamed = client.post(f"/api/v1/tasks/{task_id}/records", content=iter([b"{" * MB, b"{" * MB]),
                           headers={**bearer(secret), "Content-Type": "application/json"})  # fmt: skip
    assert streamed.status_code == 413
    assert db(lambda session: session.get(Record, 1)) is None


def test_it_refuses_a_large_sign_in_form_in_chinese_by_default(client: Any, db: Any) -> None:
    db(build_world)
    client.get("/login")
    form = {"login": "cadre", "password": "x" * (2 * MB), "_csrf_token": client.cookies.get("tracker_csrf")}
    answer = client.post("/login", data=form, follow_redirects=False)
    assert answer.status_code == 413
    assert "请求过大" in answer.text
