"""User management, on SQLite and PostgreSQL: the secretary's pages (create with a one-time initial
password, reset, disable, enable; roles within the town; other towns answered 404, members 403) and
`tracker users create | reset-password | disable` on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from tests.support.accounts import (
    SHOWN_SECRET,
    Browsers,
    alert_text,
    audit,
    is_signed_out,
    rows,
    sessions_of,
    user,
)
from tests.support.personas import PASSWORD, World, csrf_token, form_post
from tracker.db.models.accounts import Role, User
from tracker.domain.accounts.passwords import verify_password

USERS = "/towns/alpha/users"


def post_login(client: Any, login: str, password: str) -> Any:
    form = {"login": login, "password": password, "_csrf_token": csrf_token(client), "next": "/"}
    return client.post("/login", data=form, follow_redirects=False)


def user_count(db: Any) -> int:
    async def go(session: Any) -> int:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)

    return db(go)


def shown_password(html: str) -> str:
    found = SHOWN_SECRET.findall(html)
    assert len(found) == 1, found
    return found[0]


# -- the secretary's pages -----------------------------------------------------------------------


def test_it_lists_the_towns_accounts(browsers: Browsers, world: World) -> None:
    page = browsers.open("secretary").get(USERS)
    assert page.status_code == 200
    for login in ("secretary", "official", "cadre", "outsider"):
        assert f"<strong><bdi>{login}</bdi></strong>" in page.text
    assert "secretary_b" not in page.text and "<bdi>admin</bdi>" not in page.text


def test_it_creates_an_account_with_a_password_shown_once(browsers: Browsers, world: World, db: Any) -> None:
    secretary = browsers.open("secretary")
    response = form_post(
        secretary, USERS, {"login": "Zhu.Ren", "role": "member", "person_id": str(world.a.unit_head.id)}
    )
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    password = shown_password(response.text)
    created = user(db, "zhu.ren")
    assert (created.role, created.town_id, created.person_id) == (
        Role.MEMBER,
        world.a.town.id,
        world.a.unit_head.id,
    )
    assert created.must_change_password and created.active
    assert verify_password(created.password_hash, password) and password not in created.password_hash
    # shown once: not on the list afterwards, nowhere in the audit log
    assert password not in secretary.get(USERS).text
    assert not SHOWN_SECRET.search(secretary.get(USERS).text)
    assert password not in str([(e.changes, e.object_id) for e in audit(db)])
    [entry] = [
        e for e in audit(db, "create") if e.object_type == "app_user" and e.object_id == str(created.id)
    ]
    assert entry.actor == "secretary" and entry.changes["after"]["password_hash"] == "***"
    # the new user signs in with it and must choose their own password first
    newcomer = browsers.open()
    signed_in = post_login(newcomer, "zhu.ren", password)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/account/password"
    assert newcomer.get("/towns/alpha", follow_redirects=False).headers["location"] == "/account/password"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"login": "boss", "role": "admin"}, "role"),
        ({"login": "county", "role": "viewer"}, "role"),
        ({"login": "nobody", "role": "wizard"}, "role"),
        ({"login": "x", "role": "member"}, "login"),  # too short
        ({"login": "Zhang San", "role": "secretary"}, "login"),  # a space
        ({"login": "cadre", "role": "secretary"}, "login"),  # taken
        ({"login": "no-person", "role": "member"}, "person_id"),  # a member is someone of the roster
    ],
)
def test_it_refuses_a_bad_account(
    browsers: Browsers, world: World, db: Any, form: dict[str, str], field: str
) -> None:
    before = user_count(db)
    response = form_post(browsers.open("secretary"), USERS, form)
    assert response.status_code == 400
    assert 'class="field-error"' in response.text
    assert not SHOWN_SECRET.search(response.text)
    assert user_count(db) == before


def test_it_refuses_a_person_of_another_town_or_with_an_account(
    browsers: Browsers, world: World, db: Any
) -> None:
    secretary = browsers.open("secretary")
    before = user_count(db)
    for person_id in (world.b.cadre.id, world.a.cadre.id):
        response = form_post(
            secretary, USERS, {"login": "someone", "role": "member", "person_id": str(person_id)}
        )
        assert response.status_code == 400
    assert user_count(db) == before


def test_it_resets_a_password_and_signs_the_user_out(browsers: Browsers, world: World, db: Any) -> None:
    cadre = browsers.open("cadre")
    other_phone = browsers.open("cadre", keep=True)
    secretary = browsers.open("secretary")
    response = form_post(secretary, f"{USERS}/{world.users['cadre']}/reset-password")
    assert response.status_code == 200
    password = shown_password(response.text)
    assert password not in secretary.get(USERS).text
    for browser in (cadre, other_phone):
        assert is_signed_out(browser.get("/account", follow_redirects=False))
    assert all(s.ended_at is not None for s in sessions_of(db, world.users["cadre"]))
    assert post_login(browsers.open(), "cadre", PASSWORD).status_code == 400
    again = post_login(browsers.open(), "cadre", password)
    assert again.status_code == 303 and again.headers["location"] == "/account/password"
    [entry] = audit(db, "password_reset")
    assert (entry.actor, entry.object_id, entry.town_id) == (
        "secretary",
        str(world.users["cadre"]),
        world.a.town.id,
    )


def test_it_disables_and_enables_an_account(browsers: Browsers, world: World, db: Any) -> None:
    cadre = browsers.open("cadre")
    secretary = browsers.open("secretary")
    response = form_post(secretary, f"{USERS}/{world.users['cadre']}/disable")
    assert response.status_code == 303 and response.headers["location"] == USERS
    assert not user(db, "cadre").active
    assert is_signed_out(cadre.get("/account", follow_redirects=False))
    assert all(s.ended_at is not None for s in sessions_of(db, world.users["cadre"]))
    refused = post_login(browsers.open(), "cadre", PASSWORD)
    assert refused.status_code == 400 and "disabled" in alert_text(refused.text)
    assert "disabled" in secretary.get(USERS).text

    assert form_post(secretary, f"{USERS}/{world.users['cadre']}/enable").status_code == 303
    assert user(db, "cadre").active
    assert post_login(browsers.open(), "cadre", PASSWORD).status_code == 303
    # an update entry for each change, by the secretary
    changes = [
        e.changes for e in audit(db, "update") if e.object_type == "app_user" and e.actor == "secretary"
    ]
    assert {"before": {"active": True}, "after": {"active": False}} in changes
    assert {"before": {"active": False}, "after": {"active": True}} in changes


def test_it_answers_another_towns_secretary_as_if_nothing_were_there(
    browsers: Browsers, world: World, db: Any
) -> None:
    other = browsers.open("secretary_b")
    cadre_id = world.users["cadre"]
    before = user_count(db)
    assert other.get(USERS).status_code == 404
    assert (
        form_post(
            other, USERS, {"login": "spy", "role": "member", "person_id": str(world.a.unit_head.id)}
        ).status_code
        == 404
    )
    for action in ("reset-password", "disable"):
        assert form_post(other, f"{USERS}/{cadre_id}/{action}").status_code == 404
        # nor through their own town's pages with town A's user id
        assert form_post(other, f"/towns/beta/users/{cadre_id}/{action}").status_code == 404
    assert user_count(db) == before
    cadre = user(db, "cadre")
    assert cadre.active and verify_password(cadre.password_hash, PASSWORD) and not cadre.must_change_password
    assert audit(db, "password_reset") == []


@pytest.mark.parametrize("login", ["cadre", "official", "viewer"])
def test_it_refuses_the_pages_to_anyone_but_secretaries(
    browsers: Browsers, world: World, db: Any, login: str
) -> None:
    client = browsers.open(login)
    assert client.get(USERS).status_code == 403
    assert form_post(client, USERS, {"login": "mine", "role": "secretary"}).status_code == 403
    assert form_post(client, f"{USERS}/{world.users['outsider']}/reset-password").status_code == 403
    assert form_post(client, f"{USERS}/{world.users['outsider']}/disable").status_code == 403
    assert user(db, "outsider").active and user_count(db) == 7


def test_it_lets_an_administrator_manage_any_town(browsers: Browsers, world: World, db: Any) -> None:
    admin = browsers.open("admin")
    assert admin.get("/towns/beta/users").status_code == 200
    response = form_post(admin, "/towns/beta/users", {"login": "county-b", "role": "viewer"})
    assert response.status_code == 200
    assert user(db, "county-b").role is Role.VIEWER
    # the viewer reads that town, and only that one
    password = shown_password(response.text)
    viewer = browsers.open()
    post_login(viewer, "county-b", password)
    form = {
        "current_password": password,
        "new_password": "county-b-own-pass",
        "confirm_password": "county-b-own-pass",
    }
    assert form_post(viewer, "/account/password", form).status_code == 303
    assert viewer.get("/towns/beta", follow_redirects=False).status_code == 200
    assert viewer.get("/towns/alpha", follow_redirects=False).status_code == 404


def test_it_keeps_a_secretary_off_wider_accounts_in_their_town(
    browsers: Browsers, world: World, db: Any
) -> None:
    admin = browsers.open("admin")
    form_post(admin, "/towns/beta/users", {"login": "county-b", "role": "viewer"})
    viewer = user(db, "county-b")
    secretary = browsers.open("secretary_b")
    for action in ("reset-password", "disable"):
        response = form_post(secretary, f"/towns/beta/users/{viewer.id}/{action}")
        assert response.status_code == 403, action
        assert not SHOWN_SECRET.search(response.text)
    after = user(db, "county-b")
    assert after.active and after.password_hash == viewer.password_hash
    assert [e.changes["status"] for e in audit(db, "access_refused")] == [403, 403]
    # the administrator still can
    assert form_post(admin, f"/towns/beta/users/{viewer.id}/disable").status_code == 303


# -- the command line ----------------------------------------------------------------------------


def tracker_users(db_url: str, tmp_path: Path, *args: str, stdin: str | None = None) -> Result:
    from tracker.cli.users import users_group

    env = {
        "TRACKER_DATABASE_URL": db_url,
        "TRACKER_DATA_DIR": str(tmp_path / "data"),
        "TRACKER_DEFAULT_LOCALE": "en",
    }
    return CliRunner().invoke(users_group, list(args), env=env, input=stdin, catch_exceptions=False)


def test_it_creates_an_account_on_the_command_line(
    db_url: str, tmp_path: Path, world: World, db: Any, browsers: Browsers
) -> None:
    result = tracker_users(
        db_url, tmp_path, "create", "--town", "alpha", "--login", "zhuren", "--role", "member",
        "--person", str(world.a.unit_head.id),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created zhuren (member)." in result.stdout
    password = result.stdout.split("to be changed at first sign-in): ")[1].strip()
    created = user(db, "zhuren")
    assert created.must_change_password and verify_password(created.password_hash, password)
    assert (created.town_id, created.person_id) == (world.a.town.id, world.a.unit_head.id)
    [entry] = [
        e for e in audit(db, "create") if e.object_type == "app_user" and e.object_id == str(created.id)
    ]
    assert entry.actor == "cli"
    assert post_login(browsers.open(), "zhuren", password).headers["location"] == "/account/password"


def test_it_takes_a_password_from_stdin(db_url: str, tmp_path: Path, world: World, db: Any) -> None:
    result = tracker_users(
        db_url, tmp_path, "create", "--login", "root", "--role", "admin", "--password-stdin",
        stdin="a-long-admin-passphrase\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "a-long-admin-passphrase" not in result.output and "Initial password" not in result.output
    created = user(db, "root")
    assert created.role is Role.ADMIN and created.town_id is None
    assert not created.must_change_password
    assert verify_password(created.password_hash, "a-long-admin-passphrase")


def test_it_refuses_a_weak_password_from_stdin(db_url: str, tmp_path: Path, world: World, db: Any) -> None:
    result = tracker_users(
        db_url,
        tmp_path,
        "create",
        "--login",
        "root",
        "--role",
        "admin",
        "--password-stdin",
        stdin="password1\n",
    )
    assert result.exit_code == 1
    assert "password: This password is too common" in result.stderr
    assert rows(db, select(User).where(User.login == "root")) == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--town", "alpha", "--login", "x1", "--role", "wizard"], 2, "Invalid value for '--role'"),
        (["--town", "gamma", "--login", "x1", "--role", "secretary"], 1, "No town with code gamma"),
        (["--login", "x1", "--role", "secretary"], 1, "town: This role belongs to a town"),
        (["--town", "alpha", "--login", "x1", "--role", "member"], 1, "person_id: Link the account"),
        (
            ["--town", "alpha", "--login", "cadre", "--role", "secretary"],
            1,
            "login: The login name cadre is taken",
        ),
        (
            ["--town", "beta", "--login", "x1", "--role", "member", "--person", "1"],
            1,
            "No such person in this town",
        ),
    ],
)
def test_it_refuses_bad_input_on_the_command_line(
    db_url: str, tmp_path: Path, world: World, db: Any, args: list[str], code: int, message: str
) -> None:
    result = tracker_users(db_url, tmp_path, "create", *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert user_count(db) == 7


def test_it_creates_a_viewer_of_a_town_on_the_command_line(
    db_url: str, tmp_path: Path, world: World, db: Any, browsers: Browsers
) -> None:
    result = tracker_users(
        db_url, tmp_path, "create", "--town", "beta", "--login", "county", "--role", "viewer"
    )
    assert result.exit_code == 0, result.output
    password = result.stdout.split("to be changed at first sign-in): ")[1].strip()
    client = browsers.open()
    post_login(client, "county", password)
    form_post(client, "/account/password", {"current_password": password, "new_password": "county-viewer-pass",
                                            "confirm_password": "county-viewer-pass"})  # fmt: skip
    assert client.get("/towns/beta").status_code == 200
    assert client.get("/towns/alpha").status_code == 404


def test_it_resets_a_password_on_the_command_line(
    db_url: str, tmp_path: Path, world: World, db: Any, browsers: Browsers
) -> None:
    cadre = browsers.open("cadre")
    result = tracker_users(db_url, tmp_path, "reset-password", "CADRE")
    assert result.exit_code == 0, result.output
    password = result.stdout.split("to be changed at next sign-in): ")[1].strip()
    changed = user(db, "cadre")
    assert changed.must_change_password and verify_password(changed.password_hash, password)
    assert is_signed_out(cadre.get("/account", follow_redirects=False))
    [entry] = audit(db, "password_reset")
    assert entry.actor == "cli"


def test_it_disables_an_account_on_the_command_line(
    db_url: str, tmp_path: Path, world: World, db: Any, browsers: Browsers
) -> None:
    cadre = browsers.open("cadre")
    result = tracker_users(db_url, tmp_path, "disable", "cadre")
    assert result.exit_code == 0, result.output
    assert "Disabled cadre" in result.stdout
    assert not user(db, "cadre").active
    assert is_signed_out(cadre.get("/account", follow_redirects=False))
    assert post_login(browsers.open(), "cadre", PASSWORD).status_code == 400


@pytest.mark.parametrize("command", ["reset-password", "disable"])
def test_it_names_an_unknown_login_on_the_command_line(
    db_url: str, tmp_path: Path, world: World, command: str
) -> None:
    result = tracker_users(db_url, tmp_path, command, "nobody")
    assert result.exit_code == 1
    assert "No user nobody" in result.stderr


def test_it_speaks_the_default_language_on_the_command_line(
    db_url: str, tmp_path: Path, world: World
) -> None:
    from tracker.cli.users import users_group

    env = {
        "TRACKER_DATABASE_URL": db_url,
        "TRACKER_DATA_DIR": str(tmp_path / "data"),
        "TRACKER_DEFAULT_LOCALE": None,
    }
    result = CliRunner().invoke(users_group, ["disable", "cadre"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("已停用 cadre")
