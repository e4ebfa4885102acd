"""The sign-in throttle through the form, on SQLite and PostgreSQL: after 5 failures for one account
(however it is named, from anywhere) each further attempt waits 1 s, 2 s, 4 s ... at most 15
minutes; an attempt inside the wait is answered 429 with Retry-After and a clear message (page and
JSON) without its password being checked; a right password after the wait signs in and clears the
count. An address gets a much wider allowance (a village behind one NAT). All of it is logged.
The handlers' clock stands still unless a test moves it (`clock`). The rule's numbers:
tests/unit/test_sign_in_throttle_rule.py; parallel attempts against a live server:
test_sign_in_concurrency.py."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest

from tests.support.accounts import alert_text, audit, sessions_of
from tests.support.personas import PASSWORD, World
from tests.support.sign_in_throttle import WRONG, Clock, Door, counters, use_policy
from tracker.domain.accounts.rules import ThrottlePolicy

ACCOUNT_WAIT = re.compile(
    r"^Too many failed sign-ins for this account\. Wait (\d+) s and try again, or ask the town's secretary to unlock it\.$"
)
NETWORK_WAIT = re.compile(r"^Too many failed sign-ins from this network\. Wait (\d+) (s|min) and try again\.$")
S = dt.timedelta(seconds=1)


def message(response: Any) -> str:
    return html.unescape(alert_text(response.text))


def test_it_slows_an_account_after_five_failures_from_anywhere(
    door: Door, world: World, db: Any, clock: Clock
) -> None:
    for n in range(1, 5):
        door.fail("cadre", f"10.0.0.{n}")
    # four failures: the right password still works (from yet another address), and clears them
    assert door.attempt("cadre", PASSWORD, ip="10.0.1.1").status_code == 303
    assert counters(db)[("account", "cadre")] == 0
    for n in range(1, 5):
        door.fail("cadre", f"10.0.0.{n}")
    door.fail("Cadre", "10.0.0.5")  # the fifth, typed differently: the same account
    refused = door.attempt("cadre", PASSWORD, ip="10.0.0.6")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert ACCOUNT_WAIT.match(message(refused)), message(refused)
    assert "tracker_session" not in refused.cookies
    assert len(sessions_of(db, world.users["cadre"])) == 1  # only the one before
    assert counters(db)[("account", "cadre")] == 5  # the refused attempt was not checked nor counted
    # other accounts are not affected
    assert door.attempt("official", PASSWORD, ip="10.0.0.7").status_code == 303


def test_it_doubles_the_wait_with_each_further_failure(
    door: Door, world: World, db: Any, clock: Clock
) -> None:
    for n in range(5):
        door.fail("cadre", f"10.0.8.{n}")
    waits = []
    for n in range(4):
        waits.append(door.attempt("cadre", WRONG, ip="10.0.9.1").headers["retry-after"])
        clock.advance(dt.timedelta(seconds=int(waits[-1])))  # the wait is over ...
        door.fail("cadre", f"10.0.9.{n}")  # ... and one more guess is checked, and wrong
    assert waits == ["1", "2", "4", "8"]
    assert door.attempt("cadre", PASSWORD, ip="10.0.9.1").headers["retry-after"] == "16"
    assert counters(db)[("account", "cadre")] == 9


def test_it_lets_the_user_in_after_the_wait_and_forgets_the_failures(
    door: Door, world: World, db: Any, clock: Clock
) -> None:
    for n in range(5):
        door.fail("cadre", f"10.0.4.{n}")
    refused = door.attempt("cadre", PASSWORD, ip="10.0.4.9")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    clock.advance(S / 2)
    assert door.attempt("cadre", PASSWORD, ip="10.0.4.9").status_code == 429  # not yet
    clock.advance(S / 2)
    assert door.attempt("cadre", PASSWORD, ip="10.0.4.9").status_code == 303
    assert door.client.get("/api/v1/me").json()["login"] == "cadre"
    assert counters(db)[("account", "cadre")] == 0
    for n in range(4):  # a fresh start: four free failures again
        door.fail("cadre", f"10.0.4.{n}")
    assert door.attempt("cadre", PASSWORD, ip="10.0.4.9").status_code == 303


def test_it_counts_failures_per_account_however_it_is_named(
    door: Door, world: World, db: Any, clock: Clock
) -> None:
    # the official's phone is 13800000002: five ways of naming the same account, five addresses
    for n, name in enumerate(["official", "13800000002", "138 0000 0002", "138-0000-0002", "OFFICIAL"]):
        door.fail(name, f"10.0.6.{n}")
    for name in ("official", "+138 0000 0002"):
        assert door.attempt(name, PASSWORD, ip="10.0.6.9").status_code == 429, name
    assert {e.changes["login"] for e in audit(db, "login_failed")} == {"official"}
    assert {e.town_id for e in audit(db, "login_locked")} == {world.a.town.id}  # in the town's log


def test_it_counts_an_unknown_phone_number_however_it_is_written(
    door: Door, world: World, clock: Clock
) -> None:
    for n, typed in enumerate(["13900000009", "139 0000 0009", "139-0000-0009", "+13900000009", "1390000 0009"]):
        door.fail(typed, f"10.0.7.{n}")
    refused = door.attempt("13900000009", "whatever-it-is", ip="10.0.7.9")
    assert refused.status_code == 429 and ACCOUNT_WAIT.match(message(refused))


def test_it_says_so_in_chinese_by_default(door: Door, world: World, clock: Clock) -> None:
    for n in range(5):
        door.fail("cadre", f"10.0.2.{n}")
    refused = door.attempt("cadre", PASSWORD, ip="10.0.2.9", english=False)
    assert refused.status_code == 429
    assert "该账号登录失败次数过多" in message(refused) and "秒" in message(refused)


def test_it_answers_a_json_client_in_json(door: Door, world: World, clock: Clock) -> None:
    for n in range(5):
        door.fail("cadre", f"10.0.3.{n}")
    refused = door.attempt("cadre", PASSWORD, ip="10.0.3.9", accept="application/json")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    body = refused.json()
    assert body["status_code"] == 429 and body["retry_after"] == 1
    assert ACCOUNT_WAIT.match(body["detail"])


def test_it_does_not_lock_an_address_for_a_few_unknown_logins(
    door: Door, world: World, clock: Clock
) -> None:
    # the hard lockout this replaces shut a whole village's address after five failures
    for login in ("cadre", "official", "nobody", "secretary", "ghost", "another-ghost"):
        door.fail(login, "192.0.2.7")
    assert door.attempt("outsider", PASSWORD, ip="192.0.2.7").status_code == 303


def test_it_slows_an_address_past_its_wider_ceiling(
    door: Door, world: World, db: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_policy(monkeypatch, address=ThrottlePolicy(8, 30 * S, 15 * 60 * S, dt.timedelta(hours=1)))
    for n in range(8):  # eight different names: no account reaches its own limit
        door.fail(f"guess-{n}", "192.0.2.9")
    refused = door.attempt("outsider", PASSWORD, ip="192.0.2.9")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "30"
    assert NETWORK_WAIT.match(message(refused)), message(refused)
    assert sessions_of(db, world.users["outsider"]) == []
    # the same account from another address is fine: it was the address that must wait
    assert door.attempt("outsider", PASSWORD, ip="192.0.2.8").status_code == 303
    assert counters(db)[("address", "192.0.2.9")] == 8


def test_it_takes_back_a_right_password_from_the_address_count(
    door: Door, world: World, db: Any, clock: Clock
) -> None:
    for _ in range(3):
        assert door.attempt("cadre", PASSWORD, ip="10.0.5.1").status_code == 303
    door.fail("cadre", "10.0.5.1")
    assert counters(db)[("address", "10.0.5.1")] == 1
    assert counters(db)[("account", "cadre")] == 1


def test_it_logs_failures_and_throttled_attempts(
    door: Door, world: World, db: Any, clock: Clock
) -> None:
    for n in range(5):
        door.fail("cadre", f"10.0.3.{n}")
    door.attempt("cadre", PASSWORD, ip="10.0.3.9")
    failed = audit(db, "login_failed")
    assert [(e.actor, e.ip) for e in failed] == [("cadre", f"10.0.3.{n}") for n in range(5)]
    assert [e.changes for e in failed] == [{"login": "cadre", "failures": n} for n in range(1, 6)]
    assert all(e.town_id == world.a.town.id for e in failed)
    [locked] = audit(db, "login_locked")
    assert (locked.actor, locked.ip, locked.town_id) == ("cadre", "10.0.3.9", world.a.town.id)
    assert locked.changes == {"login": "cadre", "by": "account", "wait_seconds": 1}
    assert audit(db, "login") == []
    assert PASSWORD not in str([e.changes for e in audit(db)])
