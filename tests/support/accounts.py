"""Helpers for the accounts tests: several browsers at once, reading rows, the audit log.

Each extra browser is its own app instance over the same database (as several app processes
behind a proxy would be), with its own test client, cookie jar and, if asked, client address.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from litestar.testing import TestClient
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import select

from tests.support.personas import World, build_world, sign_in
from tracker.config import Settings
from tracker.db.models.accounts import LoginSession, User
from tracker.db.models.audit import AuditEntry

ENGLISH = {"Accept-Language": "en"}
SESSION_COOKIE = "tracker_session"
SHOWN_SECRET = re.compile(r'<code class="token">([^<]+)</code>')
ALERT = re.compile(r'<p class="alert alert-error" role="alert">([^<]*)</p>')


def at_address(app: ASGIApp, ip: str) -> ASGIApp:
    """The app as reached from `ip` (the test client always says "testclient")."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": (ip, 50000)}  # type: ignore[assignment]
        await app(scope, receive, send)

    return wrapped


class Browsers:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stack = ExitStack()

    def open(
        self, login: str | None = None, *, password: str | None = None, keep: bool = False,
        ip: str | None = None, settings: Settings | None = None, english: bool = True,
    ) -> TestClient:  # fmt: skip
        """A new browser, signed in as `login` when given."""
        from tracker.app import create_app

        app: Any = create_app(settings or self.settings)
        # a browser sends Secure cookies over https only
        base_url = (
            "https://testserver.local" if (settings or self.settings).https else "http://testserver.local"
        )
        client = self.stack.enter_context(
            TestClient(app=at_address(app, ip) if ip else app, base_url=base_url)
        )
        if english:
            client.headers.update(ENGLISH)
        if login is not None:
            if password is None:
                sign_in(client, login, keep=keep)
            else:
                sign_in(client, login, password, keep=keep)
        return client


@pytest.fixture
def browsers(settings: Settings) -> Iterator[Browsers]:
    opened = Browsers(settings)
    with opened.stack:
        yield opened


@pytest.fixture
def world(db: Callable[..., Any]) -> World:
    return db(build_world)


def session_token(client: TestClient) -> str:
    token = client.cookies.get(SESSION_COOKIE)
    assert token
    return token


def with_session_cookie(client: TestClient, token: str) -> TestClient:
    """Put a (possibly stale) session cookie into a browser, as someone replaying it would."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, token, domain="testserver.local", path="/")
    return client


def is_signed_out(response: Any) -> bool:
    """A private page answered a signed-out visitor: sent to the sign-in page."""
    return response.status_code == 303 and response.headers["location"].startswith("/login")


def rows(db: Callable[..., Any], query: Any) -> list[Any]:
    async def go(session: Any) -> list[Any]:
        return list((await session.scalars(query)).all())

    return db(go)


def user(db: Callable[..., Any], login: str) -> User:
    found = rows(db, select(User).where(User.login == login))
    assert found, login
    return found[0]


def sessions_of(db: Callable[..., Any], user_id: int) -> list[LoginSession]:
    return rows(db, select(LoginSession).where(LoginSession.user_id == user_id).order_by(LoginSession.id))


def audit(db: Callable[..., Any], action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return rows(db, query)


def audit_json(db: Callable[..., Any]) -> str:
    """The whole audit log as one JSON text, to search for what must never be in it."""
    return json.dumps(
        [{column.name: getattr(e, column.name) for column in AuditEntry.__table__.c} for e in audit(db)],
        default=str,
        ensure_ascii=False,
    )


def alert_text(html: str) -> str:
    found = ALERT.search(html)
    assert found, "no error alert on the page"
    return found.group(1)
