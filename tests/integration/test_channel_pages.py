"""Where reminders go, on SQLite and PostgreSQL: my e-mail address and my own robots, the secretary's
town and unit robots and anyone's channels; masked secrets, edits that replace, and every refusal
a field message with nothing saved (or a 403/404 for what is not the actor's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.accounts import Browsers, rows
from tests.support.personas import World, form_post
from tracker.config import Settings
from tracker.db.models.reminders import ChannelKind, NotifyChannel
from tracker.db.models.roster import Person

HTMX = {"HX-Request": "true"}
ROBOT_URL = "http://127.0.0.1:9/cgi-bin/webhook/send?key=0123456789abcdef-secretkey"
DING_SECRET = "SEC0123456789abcdef0123456789abcdef"


def channels(db: Callable[..., Any]) -> list[NotifyChannel]:
    return rows(db, select(NotifyChannel).order_by(NotifyChannel.id))


def person(db: Callable[..., Any], person_id: int) -> Person:
    [found] = rows(db, select(Person).where(Person.id == person_id))
    return found


def http_ok(settings: Settings) -> Settings:
    """TRACKER_WEBHOOK_ALLOW_HTTP=1: loopback http:// robots, as the tests' receivers are."""
    return settings.model_copy(update={"webhook_allow_http": True})


def add_channel(db: Callable[..., Any], town_id: int, **values: Any) -> int:
    async def go(session: AsyncSession) -> int:
        channel = NotifyChannel(town_id=town_id, **values)
        session.add(channel)
        await session.flush()
        return channel.id

    return db(go)


# -- my own ------------------------------------------------------------------------------------------


def test_it_saves_my_email_address_and_turns_email_on_and_off(
    browsers: Browsers, world: World, db: Any
) -> None:
    client = browsers.open("cadre")
    answer = form_post(client, "/settings/channels/email", {"email": " ding@example.cn ", "email_on": "1"})
    assert answer.status_code == 303 and answer.headers["location"] == "/settings/channels?saved=1"
    assert person(db, world.a.cadre.id).email == "ding@example.cn"
    [email] = channels(db)
    assert (email.kind, email.person_id, email.active) == (ChannelKind.EMAIL, world.a.cadre.id, True)
    page = client.get("/settings/channels")
    assert 'value="ding@example.cn"' in page.text and "Send a test message" in page.text
    form_post(client, "/settings/channels/email", {"email": "ding@example.cn"})  # the box unticked
    assert [c.active for c in channels(db)] == [False]
    form_post(client, "/settings/channels/email", {"email": "", "email_on": ""})
    assert person(db, world.a.cadre.id).email is None


def test_it_refuses_an_address_no_mail_server_takes(browsers: Browsers, world: World, db: Any) -> None:
    client = browsers.open("cadre")
    for bad in ("ding", "ding@localhost", "a b@example.cn", "ding@example..cn", "x@-example.cn", "ding.@example.cn", "ding@10.0.0.1", "d\u202eing@example.cn",
                f"{'a' * 250}@example.cn", "ding@example.cn\r\nBcc: all@example.cn"):  # fmt: skip
        answer = form_post(client, "/settings/channels/email", {"email": bad, "email_on": "1"})
        assert answer.status_code == 400, bad
        assert 'id="email-error"' in answer.text
    missing = form_post(client, "/settings/channels/email", {"email": "", "email_on": "1"})
    assert (
        missing.status_code == 400
        and "Enter the e-mail address to receive reminders by e-mail" in missing.text
    )
    assert person(db, world.a.cadre.id).email is None and channels(db) == []


def test_it_adds_my_robot_and_shows_its_address_and_secret_only_masked(
    browsers: Browsers, world: World, db: Any, settings: Settings
) -> None:
    client = browsers.open("cadre", settings=http_ok(settings))
    form = {"kind": "dingtalk", "label": "我的钉钉", "url": ROBOT_URL, "secret": DING_SECRET}
    answer = form_post(client, "/settings/channels", form)
    assert answer.status_code == 303, answer.text
    [robot] = channels(db)
    assert (robot.kind, robot.person_id, robot.url, robot.secret) == (
        ChannelKind.DINGTALK,
        world.a.cadre.id,
        ROBOT_URL,
        DING_SECRET,
    )
    page = client.get("/settings/channels").text
    assert (
        "我的钉钉" in page
        and "http://127.0.0.1:9/cgi-bin/webhook/send?key=…tkey" in page
        and "SEC…cdef" in page
    )
    assert "0123456789abcdef-secretkey" not in page and DING_SECRET not in page


def test_it_refuses_robot_addresses_into_our_own_network_and_bad_secrets(
    browsers: Browsers, world: World, db: Any
) -> None:
    client = browsers.open("cadre")  # TRACKER_WEBHOOK_ALLOW_HTTP off, as in production
    refusals = [
        (
            {"kind": "wecom", "url": "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
            "url",
            "The address must start with https://",
        ),
        ({"kind": "webhook", "url": "https://10.0.0.1/hook"}, "url", "own network (10.0.0.1)"),
        ({"kind": "webhook", "url": "https://127.0.0.1:8000/hook"}, "url", "own network (127.0.0.1)"),
        ({"kind": "webhook", "url": "https://localhost/hook"}, "url", "own network (localhost)"),
        ({"kind": "webhook", "url": "https://169.254.169.254/latest"}, "url", "own network"),
        ({"kind": "dingtalk", "url": ""}, "url", "Paste the robot"),
        (
            {"kind": "dingtalk", "url": "https://1.2.3.4/robot/send?access_token=t", "secret": "0123456789"},
            "secret",
            "starts with &#34;SEC&#34;",
        ),
        (
            {"kind": "wecom", "url": "https://1.2.3.4/cgi-bin/webhook/send?key=k", "secret": "SECabc"},
            "secret",
            "A WeCom robot has no secret",
        ),
        ({"kind": "webhook", "url": "https://1.2.3.4/hook", "secret": "short"}, "secret", "at least 16"),
        ({"kind": "in_app", "url": "https://1.2.3.4/hook"}, "kind", "Choose the kind of channel"),
        ({"kind": "email"}, "kind", "Enter the e-mail address first"),
        ({"kind": "webhook", "url": "https://1.2.3.4/hook", "label": "a\u202eb"}, "label", "U+202E"),
    ]
    for form, field, message in refusals:
        answer = form_post(client, "/settings/channels", form)
        assert answer.status_code == 400, form
        assert f'id="{field}-error"' in answer.text and message in answer.text, (form, answer.text[-3000:])
        assert "SECabc" not in answer.text  # a secret typed is never shown again
    assert channels(db) == []


def test_it_replaces_an_address_or_secret_only_when_a_new_one_is_typed(
    browsers: Browsers, world: World, db: Any, settings: Settings
) -> None:
    channel_id = add_channel(db, world.a.town.id, person_id=world.a.cadre.id, kind=ChannelKind.WEBHOOK,
                             url=ROBOT_URL, secret="a-webhook-secret-0123")  # fmt: skip
    client = browsers.open("cadre", settings=http_ok(settings))
    kept = form_post(
        client,
        f"/settings/channels/{channel_id}",
        {"label": "值班群", "active": "1", "url": "", "secret": ""},
    )
    assert kept.status_code == 303
    [row] = channels(db)
    assert (row.label, row.url, row.secret, row.active) == (
        "值班群",
        ROBOT_URL,
        "a-webhook-secret-0123",
        True,
    )
    form_post(
        client,
        f"/settings/channels/{channel_id}",
        {"label": "值班群", "url": "http://127.0.0.1:10/new", "clear_secret": "1"},
    )
    [row] = channels(db)
    assert (row.url, row.secret, row.active) == ("http://127.0.0.1:10/new", None, False)
    bad = form_post(
        client,
        f"/settings/channels/{channel_id}",
        {"label": "x", "active": "1", "url": "ftp://x"},
        headers=HTMX,
    )
    assert bad.status_code == 400 and f'id="url-{channel_id}-error"' in bad.text and "<html" not in bad.text
    assert channels(db)[0].label == "值班群"


def test_it_deletes_my_channel_but_finds_no_one_elses(browsers: Browsers, world: World, db: Any) -> None:
    mine = add_channel(
        db, world.a.town.id, person_id=world.a.cadre.id, kind=ChannelKind.WEBHOOK, url=ROBOT_URL
    )
    theirs = add_channel(
        db, world.a.town.id, person_id=world.a.official.id, kind=ChannelKind.WEBHOOK, url=ROBOT_URL
    )
    town_robot = add_channel(db, world.a.town.id, kind=ChannelKind.WECOM, url=ROBOT_URL)
    client = browsers.open("cadre")
    for other in (theirs, town_robot):
        assert form_post(client, f"/settings/channels/{other}/delete").status_code == 404
        assert form_post(client, f"/settings/channels/{other}", {"label": "x"}).status_code == 404
        assert form_post(client, f"/settings/channels/{other}/test").status_code == 404
    assert form_post(client, f"/settings/channels/{mine}/delete", headers=HTMX).status_code == 200
    assert [c.id for c in channels(db)] == [theirs, town_robot]


def test_it_tells_an_account_without_a_person_it_has_no_channels(
    browsers: Browsers, world: World, db: Any
) -> None:
    client = browsers.open("viewer")
    assert "not linked to a person" in client.get("/settings/channels").text
    assert form_post(client, "/settings/channels/email", {"email": "v@example.cn"}).status_code == 404


# -- the secretary's --------------------------------------------------------------------------------


def test_it_lets_the_secretary_add_town_and_unit_robots(
    browsers: Browsers, world: World, db: Any, settings: Settings
) -> None:
    client = browsers.open("secretary", settings=http_ok(settings))
    assert (
        form_post(
            client, "/towns/alpha/channels", {"kind": "wecom", "url": ROBOT_URL, "label": "全镇群"}
        ).status_code
        == 303
    )
    unit = {"kind": "webhook", "url": ROBOT_URL, "unit_id": str(world.a.unit.id)}
    assert form_post(client, "/towns/alpha/channels", unit).status_code == 303
    other_town_unit = form_post(client, "/towns/alpha/channels", {**unit, "unit_id": str(world.b.unit.id)})
    assert other_town_unit.status_code == 400 and 'id="unit_id-error"' in other_town_unit.text
    email = form_post(client, "/towns/alpha/channels", {"kind": "email"})
    assert email.status_code == 400 and "E-mail goes to a person" in email.text
    town_robot, unit_robot = channels(db)
    assert (town_robot.person_id, town_robot.unit_id, town_robot.kind) == (None, None, ChannelKind.WECOM)
    assert (unit_robot.person_id, unit_robot.unit_id) == (None, world.a.unit.id)
    page = client.get("/towns/alpha/channels").text
    assert "全镇群" in page and "宣传办" in page and "0123456789abcdef-secretkey" not in page
    assert f'href="/towns/alpha/people/{world.a.cadre.id}/channels"' in page


def test_it_lets_the_secretary_set_up_one_persons_channels(
    browsers: Browsers, world: World, db: Any, settings: Settings
) -> None:
    client = browsers.open("secretary", settings=http_ok(settings))
    base = f"/towns/alpha/people/{world.a.cadre.id}/channels"
    assert (
        form_post(client, f"{base}/email", {"email": "ding@example.cn", "email_on": "1"}).headers["location"]
        == f"{base}?saved=1"
    )
    assert form_post(client, base, {"kind": "webhook", "url": ROBOT_URL}).status_code == 303
    email, hook = channels(db)
    assert email.person_id == hook.person_id == world.a.cadre.id
    page = client.get(base).text
    assert "ding@example.cn" in page and f'action="/towns/alpha/channels/{hook.id}/delete"' in page
    gone = form_post(client, f"/towns/alpha/channels/{hook.id}/delete")
    assert gone.headers["location"] == f"{base}?saved=1"  # back to the owner's page
    twice = form_post(client, f"/towns/alpha/channels/{hook.id}/delete")  # a second tap: no error page
    assert twice.status_code == 303 and twice.headers["location"] == "/towns/alpha/channels?saved=1"
    assert form_post(browsers.open("cadre"), f"/settings/channels/{hook.id}/delete").status_code == 404
    assert 'href="/towns/alpha/people/' in client.get(f"/towns/alpha/people/{world.a.cadre.id}").text


def test_it_refuses_others_the_secretarys_pages(browsers: Browsers, world: World, db: Any) -> None:
    robot = add_channel(db, world.a.town.id, kind=ChannelKind.WECOM, url=ROBOT_URL)
    for login in ("official", "cadre", "viewer"):
        client = browsers.open(login)
        assert client.get("/towns/alpha/channels").status_code == 403
        assert client.get(f"/towns/alpha/people/{world.a.cadre.id}/channels").status_code == 403
        assert form_post(client, f"/towns/alpha/channels/{robot}/delete").status_code == 403
    other = browsers.open("secretary_b")
    assert other.get("/towns/alpha/channels").status_code == 404
    assert form_post(other, f"/towns/alpha/channels/{robot}/delete").status_code == 404
    beta = form_post(
        other, f"/towns/beta/channels/{robot}/delete"
    )  # no such channel in beta: nothing to delete
    assert beta.status_code == 303 and beta.headers["location"] == "/towns/beta/channels?saved=1"
    assert other.get(f"/towns/beta/people/{world.a.cadre.id}/channels").status_code == 404
    assert [c.id for c in channels(db)] == [robot]
