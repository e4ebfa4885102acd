"""Who manages which account, on SQLite and PostgreSQL: a secretary manages only the roles below
theirs (officials and members of their town) and never their own account; an admin manages
secretaries; the town's secretary (or an admin, or `tracker users unlock`) lifts an account's
sign-in throttle; `tracker users enable` brings a disabled account back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from tests.support.accounts import SHOWN_SECRET, Browsers, audit, is_signed_out, user
from tests.support.personas import PASSWORD, World, form_post
from tests.support.sign_in_throttle import Clock, Door, counters
from tracker.db.models.accounts import Role, User
from tracker.domain.accounts.passwords import hash_password

USERS = "/towns/alpha/users"


@pytest.fixture
def deputy(world: World, db: Any) -> int:
    """A second secretary of town A."""

    async def go(session: Any) -> int:
        account = User(login="deputy", role=Role.SECRETARY, town_id=world.a.town.id, password_hash=hash_password(PASSWORD),
                       must_change_password=False, active=True)  # fmt: skip
        session.add(account)
        await session.flush()
        return account.id

    return db(go)


def user_count(db: Any) -> int:
    async def go(session: Any) -> int:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)

    return db(go)


def throttle(door: Door, login: str) -> None:
    """Five wrong passwords: the account must now wait before its next attempt."""
    for n in range(5):
        door.fail(login, f"10.1.0.{n}")
    assert door.attempt(login, PASSWORD, ip="10.1.0.9").status_code == 429


# -- a secretary manages the roles below theirs ----------------------------------------------------


@pytest.mark.parametrize("action", ["reset-password", "disable", "enable"])
def test_it_keeps_a_secretary_off_another_secretarys_account(
    browsers: Browsers, world: World, db: Any, deputy: int, action: str
) -> None:
    before = user(db, "deputy")
    response = form_post(browsers.open("secretary"), f"{USERS}/{deputy}/{action}")
    assert response.status_code == 403 and not SHOWN_SECRET.search(response.text)
    after = user(db, "deputy")
    assert (after.active, after.password_hash, after.must_change_password) == (
        before.active, before.password_hash, before.must_change_password,
    )  # fmt: skip
    assert audit(db, "password_reset") == []


@pytest.mark.parametrize("action", ["reset-password", "disable"])
def test_it_keeps_a_secretary_off_their_own_account(
    browsers: Browsers, world: World, db: Any, action: str
) -> None:
    secretary = browsers.open("secretary")
    response = form_post(secretary, f"{USERS}/{world.users['secretary']}/{action}")
    assert response.status_code == 403
    assert "your own account" in response.text
    me = user(db, "secretary")
    assert me.active and not me.must_change_password
    assert not is_signed_out(secretary.get("/account", follow_redirects=False))


def test_it_refuses_a_secretary_the_secretary_role(browsers: Browsers, world: World, db: Any) -> None:
    before = user_count(db)
    response = form_post(browsers.open("secretary"), USERS, {"login": "second", "role": "secretary", "person_id": ""})
    assert response.status_code == 400
    assert 'class="field-error">You may not give the role secretary<' in response.text
    assert '<option value="secretary"' not in response.text  # nor is it offered
    assert user_count(db) == before


def test_it_shows_a_secretary_the_buttons_they_may_use(
    browsers: Browsers, world: World, db: Any, deputy: int
) -> None:
    page = browsers.open("secretary").get(USERS).text
    for login in ("official", "cadre", "outsider"):
        for action in ("reset-password", "disable"):
            assert f"{USERS}/{world.users[login]}/{action}" in page, (login, action)
    for user_id in (deputy, world.users["secretary"]):
        assert f"{USERS}/{user_id}/reset-password" not in page
        assert f"{USERS}/{user_id}/disable" not in page


def test_it_lets_an_administrator_manage_a_secretary(browsers: Browsers, world: World, db: Any, deputy: int) -> None:
    admin = browsers.open("admin")
    assert f"{USERS}/{deputy}/reset-password" in admin.get(USERS).text
    response = form_post(admin, f"{USERS}/{deputy}/reset-password")
    assert response.status_code == 200 and SHOWN_SECRET.search(response.text)
    assert form_post(admin, f"{USERS}/{deputy}/disable").status_code == 303
    assert not user(db, "deputy").active
    assert form_post(admin, f"{USERS}/{deputy}/enable").status_code == 303
    assert user(db, "deputy").active


# -- lifting the sign-in throttle ------------------------------------------------------------------


def test_it_lets_the_secretary_unlock_a_throttled_account(
    browsers: Browsers, world: World, db: Any, door: Door, clock: Clock
) -> None:
    throttle(door, "cadre")
    secretary = browsers.open("secretary")
    page = secretary.get(USERS).text
    assert 'data-throttled="cadre">5 failed sign-ins · may try again in 1 min' in page
    assert f"{USERS}/{world.users['cadre']}/unlock" in page
    assert f"{USERS}/{world.users['official']}/unlock" not in page  # nothing to unlock there
    response = form_post(secretary, f"{USERS}/{world.users['cadre']}/unlock")
    assert response.status_code == 303 and response.headers["location"] == USERS
    assert 'data-throttled="cadre"' not in secretary.get(USERS).text
    assert counters(db)[("account", "cadre")] == 0
    assert door.attempt("cadre", PASSWORD, ip="10.1.0.9").status_code == 303  # at once, time standing still
    [entry] = audit(db, "login_unlocked")
    assert (entry.actor, entry.object_id, entry.town_id) == ("secretary", str(world.users["cadre"]), world.a.town.id)
    assert entry.changes == {"login": "cadre", "was_throttled": True}


def test_it_lets_a_secretary_unlock_a_fellow_secretary(
    browsers: Browsers, world: World, db: Any, deputy: int, door: Door, clock: Clock
) -> None:
    throttle(door, "deputy")
    assert form_post(browsers.open("secretary"), f"{USERS}/{deputy}/unlock").status_code == 303
    assert door.attempt("deputy", PASSWORD, ip="10.1.0.9").status_code != 429


def test_it_keeps_unlocking_to_the_towns_managers(
    browsers: Browsers, world: World, db: Any, door: Door, clock: Clock
) -> None:
    throttle(door, "cadre")
    assert form_post(browsers.open("secretary_b"), f"{USERS}/{world.users['cadre']}/unlock").status_code == 404
    assert form_post(browsers.open("official"), f"{USERS}/{world.users['cadre']}/unlock").status_code == 403
    assert counters(db)[("account", "cadre")] == 5
    assert audit(db, "login_unlocked") == []


# -- the command line ------------------------------------------------------------------------------


def tracker_users(db_url: str, tmp_path: Path, *args: str) -> Result:
    from tracker.cli.users import users_group

    env = {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_DEFAULT_LOCALE": "en"}
    return CliRunner().invoke(users_group, list(args), env=env, catch_exceptions=False)


def test_it_enables_an_account_on_the_command_line(
    db_url: str, tmp_path: Path, world: World, db: Any, door: Door
) -> None:
    assert tracker_users(db_url, tmp_path, "disable", "cadre").exit_code == 0
    assert door.attempt("cadre", PASSWORD, ip="10.2.0.1").status_code == 400
    result = tracker_users(db_url, tmp_path, "enable", "CADRE")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Enabled CADRE; they may sign in again."
    assert user(db, "cadre").active
    assert door.attempt("cadre", PASSWORD, ip="10.2.0.1").status_code == 303
    changes = [(e.actor, e.changes) for e in audit(db, "update") if "active" in e.changes.get("after", {})]
    assert changes == [("cli", {"before": {"active": True}, "after": {"active": False}}),
                       ("cli", {"before": {"active": False}, "after": {"active": True}})]  # fmt: skip


def test_it_unlocks_an_account_on_the_command_line(
    db_url: str, tmp_path: Path, world: World, db: Any, door: Door, clock: Clock
) -> None:
    throttle(door, "cadre")
    result = tracker_users(db_url, tmp_path, "unlock", "cadre")
    assert result.exit_code == 0, result.output
    assert "Unlocked cadre" in result.stdout
    assert door.attempt("cadre", PASSWORD, ip="10.1.0.9").status_code == 303
    [entry] = audit(db, "login_unlocked")
    assert entry.actor == "cli" and entry.changes == {"login": "cadre", "was_throttled": True}
    again = tracker_users(db_url, tmp_path, "unlock", "cadre")
    assert again.exit_code == 0 and "cadre had no failed sign-ins to forget." in again.stdout


@pytest.mark.parametrize("command", ["enable", "unlock"])
def test_it_names_an_unknown_login_on_the_command_line(
    db_url: str, tmp_path: Path, world: World, command: str
) -> None:
    result = tracker_users(db_url, tmp_path, command, "nobody")
    assert result.exit_code == 1
    assert "No user nobody" in result.stderr
