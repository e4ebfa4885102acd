"""The brute-force lockout, on SQLite and PostgreSQL: 5 failed sign-ins for one login, or from one
address, within 15 minutes refuse further tries (even the right password) with 429 and a clear
message; the events are in the audit log; once the window has passed, sign-in works again."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select

from tests.support.accounts import (
    Browsers,
    alert_text,
    audit,
    sessions_of,
)
from tests.support.personas import PASSWORD, World, csrf_token
from tracker.db.models.accounts import LoginAttempt

LOCKED = re.compile(r"^Too many failed sign-ins\. Try again in (\d+) minutes\.$")


def attempt(client: Any, login: str, password: str) -> Any:
    form = {"login": login, "password": password, "_csrf_token": csrf_token(client), "next": "/"}
    return client.post("/login", data=form, follow_redirects=False)


def fail(browsers: Browsers, login: str, ip: str) -> None:
    response = attempt(browsers.open(ip=ip), login, "a-wrong-password")
    assert response.status_code == 400, response.text


def age_attempts(db: Any, by: dt.timedelta) -> None:
    """Move every failed attempt `by` into the past (as if that much time had passed)."""

    async def go(session: Any) -> None:
        for row in (await session.scalars(select(LoginAttempt))).all():
            row.attempted_at = row.attempted_at - by

    db(go)


def test_it_locks_a_login_after_five_failures_from_anywhere(
    browsers: Browsers, world: World, db: Any
) -> None:
    for n in range(1, 5):
        fail(browsers, "cadre", f"10.0.0.{n}")
    # four failures: the right password still works (from yet another address)
    assert attempt(browsers.open(ip="10.0.1.1"), "cadre", PASSWORD).status_code == 303
    fail(browsers, "Cadre", "10.0.0.5")  # the fifth, typed differently: the same login
    refused = attempt(browsers.open(ip="10.0.0.6"), "cadre", PASSWORD)
    assert refused.status_code == 429
    minutes = LOCKED.match(alert_text(refused.text))
    assert minutes and 1 <= int(minutes.group(1)) <= 15, alert_text(refused.text)
    assert "tracker_session" not in refused.cookies
    assert len(sessions_of(db, world.users["cadre"])) == 1  # only the one before the lockout
    # other accounts are not affected
    assert attempt(browsers.open(ip="10.0.0.7"), "official", PASSWORD).status_code == 303


def test_it_counts_failures_per_account_however_it_is_named(
    browsers: Browsers, world: World, db: Any
) -> None:
    # the official's phone is 13800000002: five ways of naming the same account, five addresses
    for n, name in enumerate(["official", "13800000002", "138 0000 0002", "138-0000-0002", "OFFICIAL"]):
        fail(browsers, name, f"10.0.6.{n}")
    for name in ("official", "+138 0000 0002"):
        assert attempt(browsers.open(ip="10.0.6.9"), name, PASSWORD).status_code == 429, name
    assert {e.changes["login"] for e in audit(db, "login_failed")} == {"official"}
    assert {e.town_id for e in audit(db, "login_locked")} == {world.a.town.id}  # in the town's log


def test_it_counts_an_unknown_phone_number_however_it_is_written(browsers: Browsers, world: World) -> None:
    for n, typed in enumerate(
        ["13900000009", "139 0000 0009", "139-0000-0009", "+13900000009", "1390000 0009"]
    ):
        fail(browsers, typed, f"10.0.7.{n}")
    refused = attempt(browsers.open(ip="10.0.7.9"), "13900000009", "whatever-it-is")
    assert refused.status_code == 429


def test_it_says_so_in_chinese_by_default(browsers: Browsers, world: World) -> None:
    for n in range(5):
        fail(browsers, "cadre", f"10.0.2.{n}")
    client = browsers.open(ip="10.0.2.9", english=False)
    refused = attempt(client, "cadre", PASSWORD)
    assert refused.status_code == 429
    assert "分钟" in alert_text(refused.text)


def test_it_locks_an_address_after_five_failures_across_logins(
    browsers: Browsers, world: World, db: Any
) -> None:
    for login in ("cadre", "official", "nobody", "secretary", "ghost"):
        fail(browsers, login, "192.0.2.7")
    refused = attempt(browsers.open(ip="192.0.2.7"), "outsider", PASSWORD)
    assert refused.status_code == 429 and LOCKED.match(alert_text(refused.text))
    assert sessions_of(db, world.users["outsider"]) == []
    # the same account from another address is fine: it was the address that was locked
    assert attempt(browsers.open(ip="192.0.2.8"), "outsider", PASSWORD).status_code == 303


def test_it_logs_failures_and_lockouts(browsers: Browsers, world: World, db: Any) -> None:
    for n in range(5):
        fail(browsers, "cadre", f"10.0.3.{n}")
    attempt(browsers.open(ip="10.0.3.9"), "cadre", PASSWORD)
    failed = audit(db, "login_failed")
    assert [(e.actor, e.ip) for e in failed] == [("cadre", f"10.0.3.{n}") for n in range(5)]
    assert all(e.changes == {"login": "cadre"} and e.town_id == world.a.town.id for e in failed)
    [locked] = audit(db, "login_locked")
    assert (locked.actor, locked.ip, locked.changes) == ("cadre", "10.0.3.9", {"login": "cadre"})
    assert audit(db, "login") == []
    assert PASSWORD not in str([e.changes for e in audit(db)])


def test_it_lets_the_user_in_again_after_the_window(browsers: Browsers, world: World, db: Any) -> None:
    for n in range(5):
        fail(browsers, "cadre", f"10.0.4.{n}")
    assert attempt(browsers.open(ip="10.0.4.9"), "cadre", PASSWORD).status_code == 429
    age_attempts(db, dt.timedelta(minutes=14))
    assert attempt(browsers.open(ip="10.0.4.9"), "cadre", PASSWORD).status_code == 429  # not yet
    age_attempts(db, dt.timedelta(minutes=1, seconds=1))
    client = browsers.open(ip="10.0.4.9")
    assert attempt(client, "cadre", PASSWORD).status_code == 303
    assert client.get("/api/v1/me").json()["login"] == "cadre"


def test_it_counts_only_failures_not_successful_sign_ins(browsers: Browsers, world: World) -> None:
    for _ in range(6):
        assert attempt(browsers.open(ip="10.0.5.1"), "cadre", PASSWORD).status_code == 303
    for n in range(4):
        fail(browsers, "cadre", "10.0.5.1")
    assert attempt(browsers.open(ip="10.0.5.1"), "cadre", PASSWORD).status_code == 303
