"""A code is used once even under real parallel requests (uvicorn on loopback, SQLite and PostgreSQL):
several browsers that each passed the password send the same TOTP code, or the same recovery code,
at the same moment; exactly one is signed in."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import select

from tests.support.accounts import rows, sessions_of
from tests.support.live_server import LiveServer
from tests.support.mfa import RECOVERY_CODES, totp
from tests.support.personas import PASSWORD, World
from tracker.db.models.mfa import RecoveryCode, TotpSecret

BROWSERS = 6
TIMEOUT = httpx.Timeout(60.0)


def waiting_for_code(live: LiveServer, login: str) -> tuple[httpx.Client, str]:
    """A browser whose password was right: it holds the sign-in challenge's cookie, no session."""
    client = httpx.Client(base_url=live.base_url, timeout=TIMEOUT, headers={"Accept-Language": "en"})
    client.get("/login")
    token = client.cookies.get("tracker_csrf")
    assert token
    answer = client.post("/login", data={"login": login, "password": PASSWORD, "_csrf_token": token, "next": "/"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login/code"), answer.text
    return client, token


def send_together(browsers: list[tuple[httpx.Client, str]], code: str) -> list[int]:
    start = threading.Barrier(len(browsers))

    def send(browser: tuple[httpx.Client, str]) -> int:
        client, token = browser
        start.wait(timeout=30)
        return client.post("/login/code", data={"code": code, "_csrf_token": token, "next": "/"}).status_code

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        statuses = list(pool.map(send, browsers))
    for client, _token in browsers:
        client.close()
    return statuses


def test_it_signs_in_one_browser_with_one_totp_code_sent_by_several_at_once(
    world: World, live_server: LiveServer, db: Any
) -> None:
    browsers = [waiting_for_code(live_server, "secretary") for _ in range(BROWSERS)]

    statuses = send_together(browsers, totp())

    assert statuses.count(303) == 1, statuses
    assert all(status in (400, 429) for status in statuses if status != 303), statuses  # used, or throttled
    assert len(sessions_of(db, world.users["secretary"])) == 1
    [stored] = rows(db, select(TotpSecret).where(TotpSecret.user_id == world.users["secretary"]))
    assert stored.last_used_step is not None


def test_it_takes_one_recovery_code_once_when_several_send_it_at_once(
    world: World, live_server: LiveServer, db: Any
) -> None:
    browsers = [waiting_for_code(live_server, "admin") for _ in range(BROWSERS)]

    statuses = send_together(browsers, RECOVERY_CODES[-1])

    assert statuses.count(303) == 1, statuses
    assert len(sessions_of(db, world.users["admin"])) == 1
    used = rows(db, select(RecoveryCode).where(RecoveryCode.user_id == world.users["admin"],
                                               RecoveryCode.used_at.is_not(None)))
    assert len(used) == 1
