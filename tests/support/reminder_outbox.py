"""An outbox queued by hand, and the servers on loopback it sends to, for the reminder dispatch tests
(tests/integration/test_reminder_dispatch*.py): a real SMTP server (aiosmtpd), a webhook receiver
(http.server in a thread), a movable clock. The fixtures are imported by the test modules."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
import threading
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support.factories import build_small_town
from tracker.config import SmtpConfig
from tracker.db.models.reminders import ChannelKind, DeliveryAttempt, NotifyChannel, OutboxMessage
from tracker.db.session import make_engine
from tracker.i18n import use_locale
from tracker.notify.deliver import DeliveryConfig

T0 = dt.datetime(2027, 12, 20, 1, 0, tzinfo=dt.UTC)  # 09:00 in the town
Maker = async_sessionmaker[AsyncSession]


class Clock:
    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


# -- servers on loopback -------------------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler keeping every mail; a recipient in `refuse` gets 550."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], str]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.mails.append((list(envelope.rcpt_tos), str(mail["Subject"])))
        return "250 OK queued as 7C1D"


@pytest.fixture(name="mailbox")
def mailbox_fixture() -> Iterator[tuple[Mailbox, SmtpConfig]]:
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, SmtpConfig("127.0.0.1", port, None, None, use_tls=False, starttls=False)
    finally:
        controller.stop()


@dataclass
class Receiver:
    """A webhook receiver: answers the queued statuses in turn (the last repeats); "hang" holds the
    request until `release` is set, then drops the connection without an answer."""

    port: int = 0
    bodies: list[bytes] = field(default_factory=list)
    answers: deque[int | str] = field(default_factory=lambda: deque([200]))
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, *answers: int | str) -> None:
        self.answers = deque(answers)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    record = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            record.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            answer = record.answers.popleft() if len(record.answers) > 1 else record.answers[0]
            if answer == "hang":
                record.release.wait(10)
                self.close_connection = True
                return
            content = b'{"ok": true}' if answer == 200 else b'{"error": "nope"}'
            self.send_response(int(answer))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    record.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        record.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def config_for(smtp: SmtpConfig | None = None) -> DeliveryConfig:
    return DeliveryConfig(smtp=smtp, mail_from="tracker@town.example.cn", allow_http=True, timeout=5)


# -- the database ---------------------------------------------------------------------------------


@dataclass
class Outbox:
    maker: Maker
    town_id: int
    person_id: int
    keys: int = 0

    async def channel(self, kind: ChannelKind, url: str | None = None) -> int:
        async with self.maker() as session, session.begin():
            channel = NotifyChannel(town_id=self.town_id, person_id=self.person_id, kind=kind, url=url)
            session.add(channel)
            await session.flush()
            return channel.id

    async def queue(
        self, kind: ChannelKind, channel_id: int | None = None, address: str = "", **values: Any
    ) -> int:
        self.keys += 1
        async with self.maker() as session, session.begin():
            message = OutboxMessage(
                town_id=self.town_id, key=f"p{self.person_id}:test:{self.keys}", slot="2027-12-20",
                person_id=self.person_id, channel_id=channel_id, channel_kind=kind, address=address,
                subject=f"提醒 {self.keys}", text="您有一项工作明天到期", html="<p>您有一项工作明天到期</p>",
                markdown="您有一项工作明天到期", next_attempt_at=values.pop("next_attempt_at", T0), **values,
            )  # fmt: skip
            session.add(message)
            await session.flush()
            return message.id

    async def message(self, message_id: int) -> OutboxMessage:
        async with self.maker() as session:
            return await session.get_one(OutboxMessage, message_id)

    async def attempts(self, message_id: int) -> list[DeliveryAttempt]:
        async with self.maker() as session:
            query = select(DeliveryAttempt).where(DeliveryAttempt.message_id == message_id)
            return list((await session.scalars(query.order_by(DeliveryAttempt.id))).all())


@pytest.fixture(name="outbox")
async def outbox_fixture(db_url: str) -> AsyncIterator[Outbox]:
    engine = make_engine(db_url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with maker() as session, session.begin():
        town = await build_small_town(session)
        ids = (town.town.id, town.cadre.id)
    try:
        with use_locale("en"):
            yield Outbox(maker, *ids)
    finally:
        await engine.dispose()
