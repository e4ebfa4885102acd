"""The second factor, on SQLite and PostgreSQL: admins and secretaries enrol at their next sign-in and
can do nothing else until then (pages are sent to the enrolment page, the API answers 403); the code
page after the password (wrong, replayed, expired, recovery codes once); members enrol and turn it
off themselves; `tracker users reset-mfa`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select, update

from tests.support.accounts import Browsers, audit, rows, sessions_of, user
from tests.support.mfa import RECOVERY_CODES, TEST_SECRET, totp
from tests.support.personas import PASSWORD, World, csrf_token, form_post
from tracker.db.models.accounts import Role, User
from tracker.db.models.mfa import RecoveryCode, SignInChallenge, TotpSecret
from tracker.domain.accounts.passwords import hash_password

SECRET_ON_PAGE = re.compile(r'<code class="token" id="totp-secret">([^<]+)</code>')
RECOVERY_ON_PAGE = re.compile(r"<li><code>([a-z0-9-]+)</code></li>")
FIELD_ERROR = re.compile(r'<span class="field-error" id="code-error" role="alert">([^<]*)</span>')


def post_login(client: Any, login: str, password: str = PASSWORD) -> Any:
    form = {"login": login, "password": password, "_csrf_token": csrf_token(client), "next": "/my"}
    return client.post("/login", data=form, follow_redirects=False)


def post_code(client: Any, code: str) -> Any:
    return form_post(client, "/login/code", {"code": code, "next": "/my"})


def add_secretary(db: Any, world: World, login: str = "new-secretary") -> int:
    """A secretary of town A with no second factor yet (as every secretary is on the day this ships)."""

    async def go(session: Any) -> int:
        account = User(login=login, role=Role.SECRETARY, town_id=world.a.town.id,
                       password_hash=hash_password(PASSWORD), must_change_password=False, active=True)
        session.add(account)
        await session.flush()
        return account.id

    return db(go)


def secret_of(db: Any, user_id: int) -> TotpSecret | None:
    found = rows(db, select(TotpSecret).where(TotpSecret.user_id == user_id))
    return found[0] if found else None


def enrol_through_the_page(client: Any) -> tuple[str, list[str]]:
    """Read the key off the enrolment page, answer with the app's code; the secret and recovery codes."""
    page = client.get("/account/mfa")
    assert page.status_code == 200
    secret = SECRET_ON_PAGE.search(page.text).group(1).replace(" ", "")  # type: ignore[union-attr]
    assert "<svg" in page.text and "<script" not in page.text.split("</head>")[1]
    done = form_post(client, "/account/mfa", {"code": totp(secret)})
    assert done.status_code == 200, done.text
    return secret, RECOVERY_ON_PAGE.findall(done.text)


# -- admins and secretaries must enrol ------------------------------------------------------------


def test_it_sends_a_secretary_without_a_second_factor_to_enrol_before_anything_else(
    browsers: Browsers, world: World, db: Any
) -> None:
    user_id = add_secretary(db, world)
    client = browsers.open()
    signed_in = post_login(client, "new-secretary")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/my"  # the password opens a session
    for page in ("/my", "/towns/alpha", "/towns/alpha/users", "/account"):
        answer = client.get(page, follow_redirects=False)
        assert (answer.status_code, answer.headers.get("location")) == (303, "/account/mfa"), page
    refused = form_post(client, "/towns/alpha/users", {"login": "x", "role": "member", "person_id": ""})
    assert (refused.status_code, refused.headers.get("location")) == (303, "/account/mfa")

    secret, codes = enrol_through_the_page(client)

    assert len(codes) == 10 and len(set(codes)) == 10
    stored = secret_of(db, user_id)
    assert stored is not None and stored.enabled_at is not None and stored.secret == secret
    hashes = rows(db, select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user_id))
    assert len(hashes) == 10 and not set(codes) & set(hashes)  # kept hashed only
    assert client.get("/towns/alpha/users", follow_redirects=False).status_code == 200
    assert [e.object_id for e in audit(db, "mfa_enabled")] == [str(user_id)]


def test_it_answers_the_api_with_403_for_a_secretary_who_must_enrol(
    browsers: Browsers, world: World, db: Any
) -> None:
    add_secretary(db, world)
    client = browsers.open()
    post_login(client, "new-secretary")

    answer = client.get("/api/v1/towns/alpha/people", headers={"accept": "application/json"})

    assert answer.status_code == 403
    assert "two-step verification" in answer.json()["detail"]
    assert client.get("/api/v1/me").status_code == 403


def test_it_refuses_a_wrong_enrolment_code_and_keeps_the_same_key(browsers: Browsers, world: World, db: Any) -> None:
    user_id = add_secretary(db, world)
    client = browsers.open()
    post_login(client, "new-secretary")
    first = SECRET_ON_PAGE.search(client.get("/account/mfa").text).group(1)  # type: ignore[union-attr]

    wrong = form_post(client, "/account/mfa", {"code": "000000" if totp(first.replace(" ", "")) != "000000" else "111111"})

    assert wrong.status_code == 400
    assert "not right" in FIELD_ERROR.search(wrong.text).group(1)  # type: ignore[union-attr]
    assert SECRET_ON_PAGE.search(wrong.text).group(1) == first  # type: ignore[union-attr]
    stored = secret_of(db, user_id)
    assert stored is not None and stored.enabled_at is None
    assert client.get("/my", follow_redirects=False).headers.get("location") == "/account/mfa"


# -- the code page after the password -------------------------------------------------------------


def test_it_asks_an_enrolled_secretary_for_a_code_before_opening_a_session(
    browsers: Browsers, world: World, db: Any
) -> None:
    client = browsers.open()
    asked = post_login(client, "secretary")

    assert (asked.status_code, asked.headers["location"]) == (303, "/login/code?next=/my")
    assert not client.cookies.get("tracker_session") and not sessions_of(db, world.users["secretary"])
    cookie = asked.headers["set-cookie"].lower()
    assert "tracker_sign_in_code=" in cookie and "httponly" in cookie and "max-age=300" in cookie
    assert client.get("/my", follow_redirects=False).headers["location"].startswith("/login")
    assert client.get("/login/code").status_code == 200

    signed_in = post_code(client, totp())

    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/my")
    assert client.get("/towns/alpha/users", follow_redirects=False).status_code == 200
    assert len(sessions_of(db, world.users["secretary"])) == 1
    assert not rows(db, select(SignInChallenge))  # used once, gone
    assert audit(db, "login")[-1].changes["second_factor"] == "totp"


def test_it_refuses_a_wrong_code_and_counts_it_as_a_failed_sign_in(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open()
    post_login(client, "secretary")
    wrong = "000000" if totp() != "000000" else "111111"

    refused = post_code(client, wrong)

    assert refused.status_code == 400
    assert "not right" in FIELD_ERROR.search(refused.text).group(1)  # type: ignore[union-attr]
    assert not client.cookies.get("tracker_session")
    failed = audit(db, "login_failed")
    assert [(e.actor, e.changes["second_factor"]) for e in failed] == [("secretary", "wrong")]
    assert rows(db, select(SignInChallenge.attempts)) == [1]
    assert post_code(client, totp()).status_code == 303  # the right code still works on the same challenge


def test_it_refuses_a_code_already_used(browsers: Browsers, world: World, db: Any) -> None:
    code = totp()
    first = browsers.open()
    post_login(first, "secretary")
    assert post_code(first, code).status_code == 303

    second = browsers.open()
    post_login(second, "secretary")
    replayed = post_code(second, code)

    assert replayed.status_code == 400
    assert "used already" in FIELD_ERROR.search(replayed.text).group(1)  # type: ignore[union-attr]
    assert not second.cookies.get("tracker_session")
    assert [e.changes["second_factor"] for e in audit(db, "login_failed")] == ["replayed"]


def test_it_ends_a_challenge_after_five_minutes_or_five_wrong_codes(
    browsers: Browsers, world: World, db: Any
) -> None:
    client = browsers.open()
    post_login(client, "secretary")

    async def age(session: Any) -> None:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        await session.execute(update(SignInChallenge).values(expires_at=past))

    db(age)
    assert client.get("/login/code", follow_redirects=False).headers["location"] == "/login?next=/"
    expired = post_code(client, totp())
    assert expired.status_code == 400 and "expired" in expired.text
    assert 'id="login"' in expired.text and not client.cookies.get("tracker_session")
    assert not rows(db, select(SignInChallenge))

    other = browsers.open()
    post_login(other, "secretary")
    answers = [post_code(other, "000000" if totp() != "000000" else "111111").status_code for _ in range(5)]
    assert answers == [400] * 5
    assert not rows(db, select(SignInChallenge))
    assert post_code(other, totp()).status_code == 400  # even the right code: sign in again
    assert not other.cookies.get("tracker_session")


def test_it_takes_a_recovery_code_once(browsers: Browsers, world: World, db: Any) -> None:
    code = RECOVERY_CODES[-1].upper().replace("-", " ")  # typed as read off paper
    first = browsers.open()
    post_login(first, "secretary")
    assert post_code(first, code).status_code == 303
    assert audit(db, "login")[-1].changes["second_factor"] == "recovery"

    again = browsers.open()
    post_login(again, "secretary")
    assert post_code(again, code).status_code == 400
    left = rows(db, select(RecoveryCode).where(RecoveryCode.user_id == world.users["secretary"],
                                               RecoveryCode.used_at.is_(None)))
    assert len(left) == len(RECOVERY_CODES) - 1


# -- members choose; the admin's reset ------------------------------------------------------------


def test_it_lets_a_member_enrol_and_turn_it_off_with_a_current_code(
    browsers: Browsers, world: World, db: Any
) -> None:
    client = browsers.open("cadre")
    settings = client.get("/account").text
    assert 'href="/account/mfa"' in settings and "Set up two-step verification" in settings
    assert client.get("/my", follow_redirects=False).status_code == 200  # nobody makes a member enrol

    secret, codes = enrol_through_the_page(client)
    assert len(codes) == 10
    form_post(client, "/logout")
    phone = browsers.open()
    assert post_login(phone, "cadre").headers["location"].startswith("/login/code")
    assert post_code(phone, codes[0]).status_code == 303

    wrong = form_post(phone, "/account/mfa/disable", {"code": "not-a-code"})
    assert wrong.status_code == 400 and secret_of(db, world.users["cadre"]) is not None
    off = form_post(phone, "/account/mfa/disable", {"code": totp(secret, steps=1)})
    assert (off.status_code, off.headers["location"]) == (303, "/account?changed=mfa")

    assert secret_of(db, world.users["cadre"]) is None
    assert not rows(db, select(RecoveryCode).where(RecoveryCode.user_id == world.users["cadre"]))
    assert post_login(browsers.open(), "cadre").headers["location"] == "/my"  # the password alone again
    assert [e.action for e in audit(db) if e.action.startswith("mfa_")] == ["mfa_enabled", "mfa_disabled"]


def test_it_keeps_a_secretary_from_turning_it_off(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("secretary")
    assert "Turn off two-step verification" not in client.get("/account").text
    refused = form_post(client, "/account/mfa/disable", {"code": totp(TEST_SECRET, steps=1)})
    assert refused.status_code == 403
    assert secret_of(db, world.users["secretary"]) is not None


def test_it_resets_a_lost_phone_from_the_command_line(
    browsers: Browsers, world: World, db: Any, db_url: str, tmp_path: Path
) -> None:
    from tracker.cli.users import users_group

    signed_in = browsers.open("secretary")
    env = {"TRACKER_DATABASE_URL": db_url, "TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_DEFAULT_LOCALE": "en"}

    result = CliRunner().invoke(users_group, ["reset-mfa", "secretary"], env=env, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert "reset" in result.output
    assert secret_of(db, world.users["secretary"]) is None
    assert signed_in.get("/my", follow_redirects=False).headers["location"].startswith("/login")  # sessions ended
    [entry] = audit(db, "mfa_reset")
    assert (entry.actor, entry.object_id, entry.changes["had_second_factor"]) == (
        "cli", str(world.users["secretary"]), True,
    )
    client = browsers.open()
    assert post_login(client, "secretary").headers["location"] == "/my"  # no code asked: nothing to ask with
    assert client.get("/my", follow_redirects=False).headers["location"] == "/account/mfa"  # enrol again
    missing = CliRunner().invoke(users_group, ["reset-mfa", "nobody"], env=env, catch_exceptions=False)
    assert missing.exit_code == 1 and user(db, "secretary").active
