"""Helpers for the sign-in throttle's tests: an attempt through the form, the throttle's counters as
stored, a clock the handlers read that moves only when told, and a policy swapped in for one test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from litestar.types import Receive, Scope, Send
from sqlalchemy import select

from tests.support.accounts import ENGLISH
from tests.support.personas import csrf_token
from tracker.config import Settings
from tracker.db.models.accounts import SignInThrottle
from tracker.domain.accounts import rules

WRONG = "a-wrong-password"


def attempt(client: Any, login: str, password: str, **headers: str) -> Any:
    form = {"login": login, "password": password, "_csrf_token": csrf_token(client), "next": "/"}
    return client.post("/login", data=form, follow_redirects=False, headers=headers)


def counters(db: Callable[..., Any]) -> dict[tuple[str, str], int]:
    """Every counter as stored: (kind, key) -> failures."""

    async def go(session: Any) -> dict[tuple[str, str], int]:
        return {(r.kind, r.key): r.failures for r in (await session.scalars(select(SignInThrottle))).all()}

    return db(go)


class Clock:
    """The `now` every handler gets (tracker.routes.provide_now), standing still until moved."""

    def __init__(self) -> None:
        self.at = dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, by: dt.timedelta) -> None:
        self.at += by


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Handlers' time stands still unless the test moves it (the throttle's waits are then exact)."""
    import tracker.routes

    stopped = Clock()
    monkeypatch.setattr(tracker.routes, "utc_now", stopped.now)
    return stopped


def use_policy(
    monkeypatch: pytest.MonkeyPatch, *, account: rules.ThrottlePolicy | None = None,
    address: rules.ThrottlePolicy | None = None,
) -> None:  # fmt: skip
    """Swap the throttle's policies for one test (read at each attempt, also by a live server)."""
    if account is not None:
        monkeypatch.setattr(rules, "ACCOUNT_THROTTLE", account)
    if address is not None:
        monkeypatch.setattr(rules, "ADDRESS_THROTTLE", address)


class Door:
    """The sign-in form of one app, reached from any address: one test client whose requests come
    from `ip` as set for each attempt (quicker than an app per address), a fresh cookie jar each time."""

    def __init__(self, client: TestClient, holder: dict[str, str]) -> None:
        self.client = client
        self._holder = holder

    def attempt(self, login: str, password: str, *, ip: str, english: bool = True, **headers: str) -> Any:
        self._holder["ip"] = ip
        self.client.cookies.clear()
        if not english:
            headers["accept-language"] = "zh-CN"
        return attempt(self.client, login, password, **headers)

    def fail(self, login: str, ip: str) -> None:
        response = self.attempt(login, WRONG, ip=ip)
        assert response.status_code == 400, response.text


@pytest.fixture
def door(settings: Settings) -> Iterator[Door]:
    from tracker.app import create_app

    app = create_app(settings)
    holder = {"ip": "127.0.0.1"}

    async def from_address(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": (holder["ip"], 50000)}  # type: ignore[assignment]
        await app(scope, receive, send)

    with TestClient(app=from_address, base_url="http://testserver.local") as client:  # type: ignore[arg-type]
        client.headers.update(ENGLISH)
        yield Door(client, holder)
