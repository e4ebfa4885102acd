"""The "send a test message" button, on SQLite and PostgreSQL, against a real HTTP receiver on
loopback (TRACKER_WEBHOOK_ALLOW_HTTP on, as tests need it): the channel's answer shown inline to
htmx and through a signed redirect without JavaScript; a failing or refused channel is an answer
to show, never a 500; and with the setting off, loopback and private addresses are refused."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.accounts import Browsers
from tests.support.personas import World, form_post
from tracker.config import Settings
from tracker.db.models.accounts import Role
from tracker.db.models.reminders import ChannelKind, NotifyChannel
from tracker.domain.access import Actor
from tracker.domain.reminders.channels import ChannelService
from tracker.domain.reminders.queue import delivery_config
from tracker.notify.webhook import SIGNATURE_HEADER

HTMX = {"HX-Request": "true"}


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records what it gets, answers `status`."""

    url: str = ""
    status: int = 200
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            got.received.append((self.path, dict(self.headers), body))
            answer = b'{"errcode":0,"errmsg":"ok"}' if got.status == 200 else b"broken"
            self.send_response(got.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    got.url = f"http://127.0.0.1:{server.server_address[1]}/hook?key=0123456789abcdef-secretkey"
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def http_ok(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_allow_http": True})


def add_channel(db: Callable[..., Any], town_id: int, **values: Any) -> int:
    async def go(session: AsyncSession) -> int:
        channel = NotifyChannel(town_id=town_id, **values)
        session.add(channel)
        await session.flush()
        return channel.id

    return db(go)


def test_it_sends_a_signed_test_message_and_shows_the_answer_inline(
    browsers: Browsers, world: World, db: Any, settings: Settings, receiver: Receiver
) -> None:
    channel_id = add_channel(db, world.a.town.id, person_id=world.a.cadre.id, kind=ChannelKind.WEBHOOK,
                             url=receiver.url, secret="a-webhook-secret-0123")  # fmt: skip
    client = browsers.open("cadre", settings=http_ok(settings))
    answer = form_post(client, f"/settings/channels/{channel_id}/test", headers=HTMX)
    assert answer.status_code == 200 and "<html" not in answer.text
    assert "Test message sent. The channel answered: HTTP 200" in answer.text
    [(path, headers, body)] = receiver.received
    assert path == "/hook?key=0123456789abcdef-secretkey"
    assert headers[SIGNATURE_HEADER].startswith("sha256=")
    sent = json.loads(body)
    assert sent["subject"] == "Test message from the responsibility tracker"  # in the actor's language (en)
    assert "cadre of 阿尔法镇 sent this test message" in sent["text"]
    assert sent["link"].endswith("/settings/channels")


def test_it_sends_the_test_in_chinese_to_a_chinese_speaker(
    browsers: Browsers, world: World, db: Any, settings: Settings, receiver: Receiver
) -> None:
    channel_id = add_channel(db, world.a.town.id, kind=ChannelKind.WEBHOOK, url=receiver.url)
    client = browsers.open("secretary", settings=http_ok(settings), english=False)
    assert form_post(client, f"/towns/alpha/channels/{channel_id}/test", headers=HTMX).status_code == 200
    [(_path, _headers, body)] = receiver.received
    assert json.loads(body)["subject"] == "责任制台账测试消息"


def test_it_carries_the_answer_through_a_signed_redirect_without_javascript(
    browsers: Browsers, world: World, db: Any, settings: Settings, receiver: Receiver
) -> None:
    channel_id = add_channel(db, world.a.town.id, kind=ChannelKind.WECOM, url=receiver.url)
    client = browsers.open("secretary", settings=http_ok(settings))
    answer = form_post(client, f"/towns/alpha/channels/{channel_id}/test")
    assert answer.status_code == 303
    target = answer.headers["location"]
    assert target.startswith("/towns/alpha/channels?tested=") and target.endswith(f"#channel-{channel_id}")
    page = client.get(target)
    assert "Test message sent. The channel answered:" in page.text
    query = parse_qs(urlsplit(target).query)
    forged = target.replace(query["answer"][0].replace(" ", "+"), "Call+123+now")
    assert "Call 123 now" not in client.get(forged).text  # an altered answer is not shown
    assert "0123456789abcdef-secretkey" not in page.text


def test_it_shows_a_failing_channel_as_an_answer_not_an_error(
    browsers: Browsers, world: World, db: Any, settings: Settings, receiver: Receiver
) -> None:
    receiver.status = 500
    broken = add_channel(
        db, world.a.town.id, person_id=world.a.cadre.id, kind=ChannelKind.WEBHOOK, url=receiver.url
    )
    nobody = add_channel(db, world.a.town.id, person_id=world.a.cadre.id, kind=ChannelKind.WEBHOOK,
                         url="http://127.0.0.1:9/closed")  # fmt: skip
    email = add_channel(db, world.a.town.id, person_id=world.a.cadre.id, kind=ChannelKind.EMAIL)
    client = browsers.open("cadre", settings=http_ok(settings))
    for channel_id in (broken, nobody, email):
        answer = form_post(client, f"/settings/channels/{channel_id}/test", headers=HTMX)
        assert answer.status_code == 200, answer.text
        assert "The test message was not delivered:" in answer.text
    assert len(receiver.received) == 1
    no_js = form_post(client, f"/settings/channels/{email}/test")
    assert "TRACKER_SMTP_URL is not set" in client.get(no_js.headers["location"]).text


def test_it_refuses_to_send_to_loopback_when_http_is_not_allowed(
    browsers: Browsers, world: World, db: Any, receiver: Receiver
) -> None:
    """A robot saved while the setting was on (or into the table by hand) is checked again when tried."""
    channel_id = add_channel(
        db, world.a.town.id, person_id=world.a.cadre.id, kind=ChannelKind.WEBHOOK, url=receiver.url
    )
    answer = form_post(browsers.open("cadre"), f"/settings/channels/{channel_id}/test", headers=HTMX)
    assert answer.status_code == 200 and "The address must start with https://" in answer.text
    assert receiver.received == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://1.2.3.4/hook", "The address must start with https://"),
        ("https://10.0.0.1/hook", "own network (10.0.0.1)"),
        ("https://127.0.0.1/hook", "own network (127.0.0.1)"),
        ("https://127.1/hook", "own network (127.1)"),
        ("https://[::1]/hook", "own network (::1)"),
        ("https://192.168.1.20:8443/hook", "own network (192.168.1.20)"),
    ],
)
def test_it_refuses_private_and_plain_http_addresses_in_the_service(
    world: World, db: Any, url: str, problem: str
) -> None:
    from tracker.domain.clock import utc_now
    from tracker.domain.errors import InvalidInput
    from tracker.domain.reminders.channels import ChannelIn
    from tracker.i18n import use_locale

    async def go(session: AsyncSession) -> dict[str, str]:
        secretary = Actor(user_id=world.users["secretary"], login="secretary", role=Role.SECRETARY,
                          town_id=world.a.town.id, person_id=world.a.secretary.id)  # fmt: skip
        service = ChannelService(session, secretary, allow_http=False)
        try:
            with use_locale("en"):
                await service.add(world.a.town, ChannelIn(kind="webhook", url=url), utc_now())
        except InvalidInput as refused:
            return refused.fields
        return {}

    fields = db(go)
    assert problem in fields.get("url", ""), fields


def test_it_returns_the_answer_from_the_service(
    world: World, db: Any, settings: Settings, receiver: Receiver
) -> None:
    channel_id = add_channel(db, world.a.town.id, kind=ChannelKind.DINGTALK, url=receiver.url,
                             secret="SEC0123456789abcdef0123456789abcdef")  # fmt: skip

    async def go(session: AsyncSession) -> tuple[bool, str]:
        admin = Actor(
            user_id=world.users["admin"], login="admin", role=Role.ADMIN, town_id=None, person_id=None
        )
        result = await ChannelService(session, admin).send_test(
            world.a.town, channel_id, delivery_config(http_ok(settings))
        )
        return result.ok, result.answer

    ok, _answer = db(go)
    assert ok
    [(path, _headers, _body)] = receiver.received
    query = parse_qs(urlsplit(path).query)
    assert "sign" in query and "timestamp" in query  # DingTalk's signed request
