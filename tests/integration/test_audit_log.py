"""The audit log, on SQLite and PostgreSQL: an entry for every kind of event (create, update, delete,
sign-in, failed sign-in, sign-out, password change and reset, refused access), no secrets in it,
the database refusing UPDATE and DELETE, and the secretary's page with its filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError

from tests.support.accounts import (
    SHOWN_SECRET,
    Browsers,
    audit,
    audit_json,
    session_token,
    sessions_of,
    user,
)
from tests.support.personas import PASSWORD, World, csrf_token, form_post, json_headers
from tracker.db.models.accounts import ViewerTown
from tracker.db.models.audit import AuditEntry
from tracker.db.models.reminders import ChannelKind, NotifyChannel
from tracker.domain.accounts.rules import token_hash
from tracker.domain.audit.context import AuditActor, acting_as

NEW_PASSWORD = "a-new-secret-passphrase"
AUDIT = "/towns/alpha/audit"


def failed_login(client: Any, login: str) -> None:
    form = {
        "login": login,
        "password": "wrong-password-typed",
        "_csrf_token": csrf_token(client),
        "next": "/",
    }
    assert client.post("/login", data=form, follow_redirects=False).status_code == 400


# -- one entry per kind of event -----------------------------------------------------------------


def test_it_records_creates_and_updates_made_through_the_api(
    browsers: Browsers, world: World, db: Any
) -> None:
    secretary = browsers.open("secretary", ip="203.0.113.5")
    kept, dropped, added = world.a.villages[2], world.a.villages[1], world.a.villages[3]
    response = secretary.put(
        f"/api/v1/towns/alpha/people/{world.a.official.id}/contact-points",
        json={"place_ids": [kept.id, added.id]},
        headers=json_headers(secretary),
    )
    assert response.status_code == 200, response.text
    [created] = [
        e for e in audit(db, "create") if e.object_type == "contact_assignment" and e.actor == "secretary"
    ]
    assert (created.town_id, created.ip, created.actor_user_id) == (
        world.a.town.id,
        "203.0.113.5",
        world.users["secretary"],
    )
    after = created.changes["after"]
    assert (after["person_id"], after["place_id"], after["link"], after["valid_to"]) == (
        world.a.official.id,
        added.id,
        "contact_point",
        None,
    )
    [updated] = [e for e in audit(db, "update") if e.object_type == "contact_assignment"]
    assert updated.actor == "secretary" and updated.town_id == world.a.town.id
    assert updated.changes["before"] == {"valid_to": None}
    assert list(updated.changes["after"]) == ["valid_to"] and updated.changes["after"]["valid_to"]
    assert created.at.tzinfo is not None and abs(created.at - dt.datetime.now(dt.UTC)) < dt.timedelta(
        minutes=1
    )
    assert dropped.id not in [
        e.changes.get("after", {}).get("place_id") for e in audit(db, "create") if e.actor == "secretary"
    ]


def test_it_records_deletes(world: World, db: Any) -> None:
    async def remove(session: Any) -> None:
        with acting_as(AuditActor(None, "cli")):
            await session.execute(select(ViewerTown))  # load, then delete through the ORM
            for row in (await session.scalars(select(ViewerTown))).all():
                await session.delete(row)
            await session.flush()

    db(remove)
    [deleted] = audit(db, "delete")
    assert (deleted.object_type, deleted.actor, deleted.town_id) == ("viewer_town", "cli", world.a.town.id)
    assert deleted.changes["before"]["user_id"] == world.users["viewer"]


def test_it_records_sign_in_failed_sign_in_and_sign_out(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open(ip="198.51.100.1")
    failed_login(client, "cadre")
    failed_login(client, "no-such-user")
    from tests.support.personas import sign_in

    sign_in(client, "cadre")
    form_post(client, "/logout")
    failed = audit(db, "login_failed")
    assert [(e.actor, e.town_id, e.ip) for e in failed] == [
        ("cadre", world.a.town.id, "198.51.100.1"),
        ("no-such-user", None, "198.51.100.1"),
    ]
    [login] = audit(db, "login")
    assert (login.actor, login.actor_user_id, login.town_id, login.object_id) == (
        "cadre",
        world.users["cadre"],
        world.a.town.id,
        str(world.users["cadre"]),
    )
    assert login.changes == {"keep_signed_in": False}
    [logout] = audit(db, "logout")
    assert (logout.actor, logout.town_id, logout.ip) == ("cadre", world.a.town.id, "198.51.100.1")


def test_it_records_password_changes_and_resets(browsers: Browsers, world: World, db: Any) -> None:
    cadre = browsers.open("cadre")
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert form_post(cadre, "/account/password", form).status_code == 303
    secretary = browsers.open("secretary")
    assert (
        form_post(secretary, f"/towns/alpha/users/{world.users['outsider']}/reset-password").status_code
        == 200
    )
    [change] = audit(db, "password_change")
    assert (change.actor, change.object_id, change.town_id) == (
        "cadre",
        str(world.users["cadre"]),
        world.a.town.id,
    )
    [reset] = audit(db, "password_reset")
    assert (reset.actor, reset.object_id) == ("secretary", str(world.users["outsider"]))
    # the hash changes are logged as updates of the user, with the hash masked
    hash_updates = [
        e
        for e in audit(db, "update")
        if e.object_type == "app_user" and "password_hash" in e.changes["after"]
    ]
    assert len(hash_updates) == 2
    assert all(
        e.changes["before"]["password_hash"] == e.changes["after"]["password_hash"] == "***"
        for e in hash_updates
    )


def test_it_records_a_refused_page(browsers: Browsers, world: World, db: Any) -> None:
    cadre = browsers.open("cadre", ip="198.51.100.9")
    assert cadre.get("/towns/alpha/users").status_code == 403
    [refused] = audit(db, "access_refused")
    assert (refused.actor, refused.actor_user_id, refused.town_id, refused.ip) == (
        "cadre",
        world.users["cadre"],
        world.a.town.id,
        "198.51.100.9",
    )
    assert refused.changes == {
        "method": "GET", "path": "/towns/alpha/users", "route": "GET /towns/{code}/users", "status": 403, "reason": "role",
    }


def test_it_records_a_look_into_another_town(browsers: Browsers, world: World, db: Any) -> None:
    other = browsers.open("secretary_b")
    assert other.get("/towns/alpha/users").status_code == 404
    assert other.get(f"/api/v1/towns/alpha/people/{world.a.cadre.id}").status_code == 404
    refused = audit(db, "access_refused")
    assert [(e.actor, e.changes["status"], e.changes["path"]) for e in refused] == [
        ("secretary_b", 404, "/towns/alpha/users"),
        ("secretary_b", 404, f"/api/v1/towns/alpha/people/{world.a.cadre.id}"),
    ]
    # a town that doesn't exist at all is not a refusal
    assert other.get("/towns/nowhere/users").status_code == 404
    assert len(audit(db, "access_refused")) == 2


def test_it_keeps_passwords_and_tokens_out_of_the_log(browsers: Browsers, world: World, db: Any) -> None:
    cadre = browsers.open("cadre")
    session_secret = session_token(cadre)
    created = form_post(cadre, "/account/tokens", {"name": "script"})
    [api_secret] = SHOWN_SECRET.findall(created.text)
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    form_post(cadre, "/account/password", form)
    secretary = browsers.open("secretary")
    reset = form_post(secretary, f"/towns/alpha/users/{world.users['outsider']}/reset-password")
    [reset_password] = SHOWN_SECRET.findall(reset.text)
    made = form_post(secretary, "/towns/alpha/users", {"login": "newbie", "role": "member",
                                                        "person_id": str(world.a.unit_head.id)})  # fmt: skip
    [initial_password] = SHOWN_SECRET.findall(made.text)
    failed_login(browsers.open(), "cadre")

    log = audit_json(db)
    assert '"action": "create"' in log and '"action": "password_change"' in log
    secrets = [
        PASSWORD, NEW_PASSWORD, reset_password, initial_password, "wrong-password-typed",
        api_secret, token_hash(api_secret), session_secret, token_hash(session_secret),
        user(db, "cadre").password_hash, user(db, "outsider").password_hash, user(db, "newbie").password_hash,
        *[s.token_hash for s in sessions_of(db, world.users["cadre"])],
    ]  # fmt: skip
    for secret in secrets:
        assert secret not in log
    assert "$argon2" not in log


# -- append-only ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET action = 'nothing'",
        "UPDATE audit_entry SET changes = '{}' WHERE action = 'login'",
        "DELETE FROM audit_entry",
        "DELETE FROM audit_entry WHERE action = 'login'",
    ],
)
def test_it_has_the_database_refuse_changes_and_deletions(
    browsers: Browsers, world: World, db: Any, statement: str
) -> None:
    browsers.open("cadre")
    before = [(e.id, e.action, e.changes) for e in audit(db)]
    assert any(action == "login" for _id, action, _changes in before)

    async def tamper(session: Any) -> None:
        await session.execute(text(statement))

    with pytest.raises(DBAPIError, match="append-only"):
        db(tamper)
    assert [(e.id, e.action, e.changes) for e in audit(db)] == before


def test_it_cannot_be_emptied_through_the_orm_either(browsers: Browsers, world: World, db: Any) -> None:
    browsers.open("cadre")
    count = len(audit(db))

    async def tamper(session: Any) -> None:
        await session.execute(delete(AuditEntry))

    with pytest.raises(DBAPIError):
        db(tamper)
    assert len(audit(db)) == count


# -- the secretary's page ------------------------------------------------------------------------


def add_entry(db: Any, town_id: int | None, actor: str, action: str, at: dt.datetime) -> None:
    async def go(session: Any) -> None:
        session.add(AuditEntry(at=at, town_id=town_id, actor=actor, action=action, object_type="person",
                               object_id="1", changes={}))  # fmt: skip

    db(go)


@pytest.fixture
def dated_entries(world: World, db: Any) -> None:
    """Entries on known days (Asia/Shanghai): 10 and 20 January in town A, 15 January in town B."""
    shanghai = dt.timezone(dt.timedelta(hours=8))
    add_entry(db, world.a.town.id, "clerk-early", "update", dt.datetime(2026, 1, 10, 9, 0, tzinfo=shanghai))
    # 20 January 00:30 in Shanghai is still 19 January in UTC: the filter goes by the town's day
    add_entry(db, world.a.town.id, "clerk-late", "delete", dt.datetime(2026, 1, 20, 0, 30, tzinfo=shanghai))
    add_entry(db, world.b.town.id, "clerk-of-beta", "update", dt.datetime(2026, 1, 15, 9, 0, tzinfo=shanghai))


def test_it_shows_the_secretary_their_towns_log(
    browsers: Browsers, world: World, dated_entries: None
) -> None:
    browsers.open("cadre")
    browsers.open("secretary_b")
    page = browsers.open("secretary").get(AUDIT)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for actor in ("clerk-early", "clerk-late", "cadre", "secretary"):
        assert actor in page.text, actor
    assert "clerk-of-beta" not in page.text and "secretary_b" not in page.text
    assert "Signed in" in page.text


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("action=delete", ["clerk-late"], ["clerk-early", "Signed in"]),
        ("action=login", ["Signed in"], ["clerk-early", "clerk-late"]),
        ("who=clerk-early", ["clerk-early"], ["clerk-late", "Signed in"]),
        ("since=2026-01-01&until=2026-01-19", ["clerk-early"], ["clerk-late", "Signed in"]),
        ("since=2026-01-20&until=2026-01-20", ["clerk-late"], ["clerk-early", "Signed in"]),
        ("since=2026-01-11", ["clerk-late", "Signed in"], ["clerk-early"]),
        ("until=2026-01-10", ["clerk-early"], ["clerk-late", "Signed in"]),
        ("action=update&since=2026-01-01&until=2026-01-31", ["clerk-early"], ["clerk-late", "clerk-of-beta"]),
        ("who=clerk-of-beta", [], ["clerk-of-beta", "clerk-early"]),
        ("action=not-an-action", ["clerk-early", "clerk-late"], ["clerk-of-beta"]),
    ],
)
def test_it_filters_the_log(
    browsers: Browsers, world: World, dated_entries: None, query: str, shown: list[str], hidden: list[str]
) -> None:
    secretary = browsers.open("secretary")
    page = secretary.get(f"{AUDIT}?{query}")
    assert page.status_code == 200
    entries = page.text.split('<ul class="list card">')[1].split("</ul>")[0]
    for text_ in shown:
        assert text_ in entries, (query, text_)
    for text_ in hidden:
        assert text_ not in entries, (query, text_)


def test_it_shows_nothing_for_filters_that_match_nothing(browsers: Browsers, world: World) -> None:
    page = browsers.open("secretary").get(f"{AUDIT}?who=nobody-at-all")
    assert page.status_code == 200 and "Nothing recorded for these filters." in page.text


@pytest.mark.parametrize("login", ["cadre", "official", "outsider", "viewer"])
def test_it_refuses_the_log_to_anyone_but_the_secretary(browsers: Browsers, world: World, login: str) -> None:
    assert browsers.open(login).get(AUDIT).status_code == 403


def test_it_answers_another_towns_secretary_404(
    browsers: Browsers, world: World, dated_entries: None
) -> None:
    page = browsers.open("secretary_b").get(AUDIT)
    assert page.status_code == 404 and "clerk-early" not in page.text


def test_it_offers_no_way_to_change_an_entry(browsers: Browsers, world: World) -> None:
    secretary = browsers.open("secretary")
    for method in ("post", "put", "patch", "delete"):
        response = getattr(secretary, method)(AUDIT, headers={"x-csrftoken": csrf_token(secretary)})
        assert response.status_code == 405, method


def test_it_keeps_robot_tokens_and_signing_secrets_out_of_the_log(world: World, db: Any) -> None:
    token, signing = "d41d8cd98f00b204e9800998ecf8427e", "SEC0123456789abcdef0123456789abcdef"

    async def add_robot(session: Any) -> None:
        with acting_as(AuditActor(world.users["secretary"], "secretary")):
            session.add(NotifyChannel(town_id=world.a.town.id, kind=ChannelKind.DINGTALK, label="镇群", secret=signing,
                                      url=f"https://oapi.dingtalk.com/robot/send?access_token={token}"))  # fmt: skip
            await session.flush()

    db(add_robot)
    log = audit_json(db)
    assert '"label": "镇群"' in log and "oapi.dingtalk.com" in log
    assert token not in log and signing not in log
