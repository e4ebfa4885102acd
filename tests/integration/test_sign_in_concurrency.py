"""Sign-in under real parallel requests against a live server (uvicorn on loopback), on SQLite and
PostgreSQL: a burst of wrong passwords for one account is counted attempt by attempt (no lost count,
no 500 "database is locked") and throttled, the right password waits out the delay like any other;
and password hashing runs off the event loop, so /healthz keeps answering during a burst of sign-ins.
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from tests.support.accounts import audit
from tests.support.live_server import LiveServer
from tests.support.personas import PASSWORD, World
from tests.support.sign_in_throttle import WRONG, counters, use_policy
from tracker.db.models.accounts import Role, User
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
    statuses = in_parallel(live_server, 40, lambda n, client, token: post_login(client, token, "cadre", WRONG))

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


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _healthz_latencies(live: LiveServer, until: Callable[[], bool], at_most: int) -> list[float]:
    latencies = []
    with httpx.Client(base_url=live.base_url, timeout=TIMEOUT) as client:
        while len(latencies) < at_most and not until():
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            latencies.append(time.perf_counter() - started)
            time.sleep(0.01)
    return latencies


def test_it_keeps_answering_healthz_during_a_burst_of_sign_ins(
    world: World, live_server: LiveServer, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Argon2id at the product's cost (~100-300 ms a check), for these sign-ins only
    product_hasher = PasswordHasher()
    monkeypatch.setattr(passwords, "_hasher", product_hasher)

    costly = product_hasher.hash(PASSWORD)
    hash_cost = min(_timed(lambda: product_hasher.verify(costly, PASSWORD)) for _ in range(3))

    async def thirty_members(session: Any) -> None:
        for n in range(30):
            session.add(User(login=f"member-{n:02}", role=Role.MEMBER, town_id=world.a.town.id, password_hash=costly,
                             must_change_password=False, active=True))  # fmt: skip

    db(thirty_members)
    alone = _healthz_latencies(live_server, lambda: False, at_most=20)

    started, done = threading.Event(), threading.Event()
    # one sign-in each: parallel attempts on one account would wait for the throttle, which counts
    # each attempt before its password is checked
    statuses: list[int] = []

    def burst() -> None:
        try:
            statuses.extend(
                in_parallel(
                    live_server, 30, lambda n, client, token: post_login(client, token, f"member-{n:02}", PASSWORD),
                    started,
                )
            )
        finally:
            done.set()

    sign_ins = threading.Thread(target=burst)
    sign_ins.start()
    assert started.wait(timeout=60), "the burst did not start"
    during = _healthz_latencies(live_server, done.is_set, at_most=500)
    sign_ins.join(timeout=120)

    assert statuses and not [s for s in statuses if s != 303], statuses
    assert len(during) >= 3, "the burst ended before /healthz was measured"
    typical_alone, typical_during, slowest = statistics.median(alone), statistics.median(during), max(during)
    # Generous bounds. With Argon2 on the event loop the ready sign-ins hashed one after the other
    # while nothing else was answered: one /healthz waited about the whole burst's hashing time.
    burst_hashing = 30 * hash_cost
    assert typical_during < max(25 * typical_alone, 0.1), (typical_alone, typical_during, during)
    assert slowest < burst_hashing / 2, (burst_hashing, slowest, during)
