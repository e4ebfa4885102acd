"""Sign-in under real parallel requests against a live server (uvicorn on loopback), on SQLite and
PostgreSQL: a burst of wrong passwords for one account is counted attempt by attempt (no lost count,
no 500 "database is locked") and throttled, the right password waits out the delay like any other;
and password checks run off the event loop: while checks are held, the server goes on answering.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.accounts import audit
from tests.support.live_server import LiveServer
from tests.support.personas import PASSWORD, World
from tests.support.sign_in_throttle import WRONG, counters, use_policy
from tracker.domain.accounts import passwords
from tracker.domain.accounts.rules import ThrottlePolicy

TIMEOUT = httpx.Timeout(60.0)


def prepared_client(live: LiveServer) -> tuple[httpx.Client, str]:
    """A browser that has opened the sign-in form: its CSRF cookie set, the token to send back."""
    client = httpx.Client(base_url=live.base_url, timeout=TIMEOUT, headers={"Accept-Language": "en"})
    client.get("/login")
    token = client.cookies.get("tracker_csrf")
    assert token, "no CSRF cookie"
    return client, token


def post_login(client: httpx.Client, token: str, login: str, password: str) -> httpx.Response:
    form = {"login": login, "password": password, "_csrf_token": token, "next": "/"}
    return client.post("/login", data=form, follow_redirects=False)


def in_parallel(
    live: LiveServer, count: int, send: Callable[[int, httpx.Client, str], httpx.Response],
    started: threading.Event | None = None,
) -> list[int]:  # fmt: skip
    """`count` browsers, each with its form open, send at the same moment (`started` is set then):
    `send(n, client, csrf_token)` for the n-th; their statuses."""
    ready = [prepared_client(live) for _ in range(count)]
    barrier = threading.Barrier(count, action=started.set if started else None)

    def go(n: int) -> int:
        barrier.wait(timeout=30)
        return send(n, *ready[n]).status_code

    try:
        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(go, range(count)))
    finally:
        for client, _token in ready:
            client.close()


def test_it_counts_and_throttles_a_burst_of_wrong_passwords(
    world: World, live_server: LiveServer, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a constant 4 s wait after 5 failures: long enough to outlast the burst, short enough to wait out
    use_policy(monkeypatch, account=ThrottlePolicy(5, dt.timedelta(seconds=4), dt.timedelta(seconds=4),
                                                   dt.timedelta(hours=24)))  # fmt: skip
    statuses = in_parallel(
        live_server, 40, lambda n, client, token: post_login(client, token, "cadre", WRONG)
    )

    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {400, 429}, statuses
    checked = statuses.count(400)
    assert 5 <= checked < 40 and statuses.count(429) == 40 - checked, statuses
    # every checked attempt was counted, once: in the throttle and in the audit log
    assert counters(db)[("account", "cadre")] == checked
    assert len(audit(db, "login_failed")) == checked
    assert len(audit(db, "login_locked")) == 40 - checked

    client, token = prepared_client(live_server)
    try:
        refused = post_login(client, token, "cadre", PASSWORD)  # right, but inside the wait
        assert refused.status_code == 429, refused.text
        wait = int(refused.headers["retry-after"])
        assert 1 <= wait <= 4
        assert "tracker_session" not in client.cookies
        time.sleep(wait)
        accepted = post_login(client, token, "cadre", PASSWORD)
        assert accepted.status_code == 303, accepted.text
        assert client.get("/api/v1/me").json()["login"] == "cadre"
    finally:
        client.close()
    assert counters(db)[("account", "cadre")] == 0


class GatedHasher:
    """The tests' hasher, but every check waits at a gate the test opens: while checks wait there,
    the server must go on answering, which it cannot if checking a password blocks the event loop."""

    def __init__(self, hasher: Any) -> None:
        self._hasher = hasher
        self.waiting = threading.Semaphore(0)
        self.gate = threading.Event()

    def verify(self, password_hash: str, password: str) -> bool:
        self.waiting.release()
        assert self.gate.wait(timeout=60), "the test never opened the gate"
        return bool(self._hasher.verify(password_hash, password))

    def hash(self, password: str) -> str:
        return str(self._hasher.hash(password))

    def check_needs_rehash(self, password_hash: str) -> bool:
        return bool(self._hasher.check_needs_rehash(password_hash))


def test_it_keeps_answering_while_passwords_are_checked(
    world: World, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    gated = GatedHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", gated)
    statuses: list[int] = []
    members = ("cadre", "official", "outsider")

    def sign_ins() -> None:
        statuses.extend(
            in_parallel(
                live_server,
                len(members),
                lambda n, client, token: post_login(client, token, members[n], PASSWORD),
            )
        )

    burst = threading.Thread(target=sign_ins)
    burst.start()
    try:
        assert gated.waiting.acquire(timeout=60), "no sign-in reached the password check"
        # a check is held at the gate: were it on the event loop, nothing below would be answered
        with httpx.Client(base_url=live_server.base_url, timeout=httpx.Timeout(10.0)) as client:
            for _ in range(5):
                assert client.get("/healthz").status_code == 200
            assert client.get("/login").status_code == 200
        assert not gated.gate.is_set() and statuses == [], "the sign-ins ended before the check"
    finally:
        gated.gate.set()
        burst.join(timeout=120)
    assert statuses == [303] * len(members), statuses
