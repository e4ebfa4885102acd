"""The reminder transports against real servers on loopback: an SMTP server (aiosmtpd) and an HTTP
receiver standing in for the WeCom and DingTalk robots and a webhook. No database.

Each failure is checked for its class: permanent (stop) or temporary (keep queued and retry).
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope

from tracker.config import SmtpConfig
from tracker.db.models.reminders import ChannelKind
from tracker.i18n import use_locale
from tracker.notify import DeliveryConfig, Message, Target, TransportError, deliver

MESSAGE = Message(
    subject="【督办】请提交第 12 周安全巡查记录",
    text="王明：第 12 周安全巡查记录将于 3 月 20 日到期。\nhttps://tracker.example.cn/tasks/42",
    html='<p>王明：第 12 周<b>安全巡查</b>记录将于 3 月 20 日到期。</p><a href="https://tracker.example.cn/tasks/42">查看</a>',
    markdown="### 安全巡查\n王明：第 12 周记录将于 **3 月 20 日** 到期。\n[查看](https://tracker.example.cn/tasks/42)",
    mentions=("13800001111", "13900002222"),
    link="https://tracker.example.cn/tasks/42",
)
OK = (200, b'{"errcode":0,"errmsg":"ok"}')


# -- an HTTP receiver on loopback --------------------------------------------------------------


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Receiver:
    """Records every POST; answers with the queued answers in turn (the last one repeats).
    An answer is (status, body), or "hang": no answer until the test ends."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    answers: deque[tuple[int, bytes] | str] = field(default_factory=lambda: deque([OK]))
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, *answers: tuple[int, bytes] | str) -> None:
        self.answers = deque(answers)

    def next_answer(self) -> tuple[int, bytes] | str:
        return self.answers.popleft() if len(self.answers) > 1 else self.answers[0]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            parts = urllib.parse.urlsplit(self.path)
            receiver.requests.append(
                Received(parts.path, urllib.parse.parse_qs(parts.query), dict(self.headers.items()), body)
            )
            answer = receiver.next_answer()
            if answer == "hang":
                receiver.release.wait(10)
                return
            status, content = answer
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    record = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(record))
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


def http_config(timeout: float = 3.0) -> DeliveryConfig:
    return DeliveryConfig(smtp=None, mail_from="tracker@town.example.cn", allow_http=True, timeout=timeout)


async def failure(target: Target, config: DeliveryConfig, message: Message = MESSAGE) -> TransportError:
    with use_locale("en"), pytest.raises(TransportError) as caught:
        await deliver(target, message, config)
    return caught.value


# -- an SMTP server on loopback ----------------------------------------------------------------


class Recorder:
    def __init__(self, rcpt_answer: str | None = None) -> None:
        self.envelopes: list[Envelope] = []
        self.rcpt_answer = rcpt_answer

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_answer:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK queued as 4F2A"


SmtpServer = tuple[Recorder, SmtpConfig]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An aiosmtpd server on loopback whose handler records each mail (or answers RCPT as told)."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, SmtpConfig("127.0.0.1", port, None, None, use_tls=False, starttls=False)
    finally:
        controller.stop()


def mail_config(smtp: SmtpConfig, timeout: float = 5.0) -> DeliveryConfig:
    return DeliveryConfig(smtp=smtp, mail_from="乡镇督办 <tracker@town.example.cn>", timeout=timeout)


def as_lines(content: str) -> str:
    """A received part's text with the wire's CRLF line ends back to LF."""
    return content.replace("\r\n", "\n").rstrip("\n")


def email_to(address: str) -> Target:
    return Target(ChannelKind.EMAIL, address=address)


# -- e-mail ------------------------------------------------------------------------------------


async def test_it_sends_an_email_with_text_and_html(smtp_server: SmtpServer) -> None:
    recorder, smtp = smtp_server
    summary = await deliver(email_to("wangming@town.example.cn"), MESSAGE, mail_config(smtp))
    assert "queued as 4F2A" in summary
    [envelope] = recorder.envelopes
    assert envelope.mail_from == "tracker@town.example.cn"
    assert envelope.rcpt_tos == ["wangming@town.example.cn"]
    mail = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail["Subject"] == MESSAGE.subject
    assert mail["To"] == "wangming@town.example.cn"
    assert mail["From"].addresses[0].display_name == "乡镇督办"
    assert mail["Message-ID"] and mail["Date"]
    assert mail.get_content_type() == "multipart/alternative"
    assert as_lines(mail.get_body(("plain",)).get_content()) == MESSAGE.text
    assert as_lines(mail.get_body(("html",)).get_content()) == MESSAGE.html
    assert b"\xe7\x9d\xa3" not in envelope.original_content.split(b"\r\n\r\n", 1)[0]  # headers encoded


async def test_it_makes_a_refused_recipient_permanent(smtp_server: SmtpServer) -> None:
    recorder, smtp = smtp_server
    recorder.rcpt_answer = "550 no such user"
    error = await failure(email_to("nobody@town.example.cn"), mail_config(smtp))
    assert error.permanent is True
    assert "550" in error.message and "no such user" in error.message
    assert recorder.envelopes == []


async def test_it_makes_a_4xx_answer_temporary(smtp_server: SmtpServer) -> None:
    recorder, smtp = smtp_server
    recorder.rcpt_answer = "451 greylisted, try again later"
    error = await failure(email_to("wangming@town.example.cn"), mail_config(smtp))
    assert error.permanent is False
    assert "451" in error.message


async def test_it_makes_an_authentication_failure_permanent() -> None:
    def refuse(server, session, envelope, mechanism, auth_data) -> AuthResult:
        return AuthResult(success=False, handled=False)

    port = free_port()
    controller = Controller(
        Recorder(), hostname="127.0.0.1", port=port, authenticator=refuse, auth_require_tls=False
    )
    controller.start()
    try:
        smtp = SmtpConfig("127.0.0.1", port, "tracker", "wrong", use_tls=False, starttls=False)
        error = await failure(email_to("wangming@town.example.cn"), mail_config(smtp))
    finally:
        controller.stop()
    assert error.permanent is True
    assert "535" in error.message


async def test_it_makes_a_refused_connection_temporary() -> None:
    smtp = SmtpConfig("127.0.0.1", free_port(), None, None, use_tls=False, starttls=False)
    error = await failure(email_to("wangming@town.example.cn"), mail_config(smtp))
    assert error.permanent is False


async def test_it_makes_a_silent_server_temporary() -> None:
    with socket.socket() as silent:  # accepts connections (the backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        smtp = SmtpConfig("127.0.0.1", silent.getsockname()[1], None, None, use_tls=False, starttls=False)
        error = await failure(email_to("wangming@town.example.cn"), mail_config(smtp, timeout=0.5))
    assert error.permanent is False


async def test_it_keeps_email_queued_while_smtp_is_not_configured() -> None:
    config = DeliveryConfig(smtp=None, mail_from="tracker@town.example.cn")
    error = await failure(email_to("wangming@town.example.cn"), config)
    assert error.permanent is False
    assert error.message == "TRACKER_SMTP_URL is not set"


async def test_it_refuses_an_address_with_a_line_break(smtp_server: SmtpServer) -> None:
    recorder, smtp = smtp_server
    error = await failure(email_to("a@town.example.cn\r\nBcc: b@elsewhere.example"), mail_config(smtp))
    assert error.permanent is True
    assert recorder.envelopes == []


async def test_it_needs_no_transport_in_app() -> None:
    assert await deliver(Target(ChannelKind.IN_APP), MESSAGE, http_config()) == "in-app"


# -- WeCom -------------------------------------------------------------------------------------


async def test_it_posts_markdown_to_wecom_then_mentions(receiver: Receiver) -> None:
    url = receiver.url("/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4")
    summary = await deliver(Target(ChannelKind.WECOM, url=url), MESSAGE, http_config())
    assert "errcode 0" in summary
    markdown, mention = receiver.requests
    assert markdown.path == "/cgi-bin/webhook/send" and markdown.query == {"key": ["693a91f6-7xxx-4bc4"]}
    assert markdown.headers["Content-Type"].startswith("application/json")
    assert markdown.json() == {"msgtype": "markdown", "markdown": {"content": MESSAGE.markdown}}
    assert mention.json() == {
        "msgtype": "text",
        "text": {"content": MESSAGE.subject, "mentioned_mobile_list": ["13800001111", "13900002222"]},
    }


async def test_it_sends_one_wecom_message_without_mentions(receiver: Receiver) -> None:
    message = Message(subject="s", text="t", html="", markdown="**提醒**")
    await deliver(Target(ChannelKind.WECOM, url=receiver.url("/send?key=k")), message, http_config())
    [only] = receiver.requests
    assert only.json()["msgtype"] == "markdown"


async def test_it_counts_wecom_delivered_when_only_the_mention_fails(receiver: Receiver) -> None:
    receiver.answer(OK, (500, b"busy"))
    summary = await deliver(
        Target(ChannelKind.WECOM, url=receiver.url("/send?key=k")), MESSAGE, http_config()
    )
    assert "mention not sent" in summary
    assert len(receiver.requests) == 2


@pytest.mark.parametrize("kind", [ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.WEBHOOK])
async def test_it_refuses_loopback_and_http_unless_allowed(receiver: Receiver, kind: ChannelKind) -> None:
    strict = DeliveryConfig(smtp=None, mail_from="tracker@town.example.cn", allow_http=False)
    for url in (receiver.url("/send?key=k"), f"https://127.0.0.1:{receiver.port}/send", None):
        error = await failure(Target(kind, url=url), strict)
        assert error.permanent is True
    assert receiver.requests == []


# -- DingTalk ----------------------------------------------------------------------------------


async def test_it_posts_signed_markdown_to_dingtalk(receiver: Receiver) -> None:
    secret = "SECd5a1e2f3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1"
    url = receiver.url("/robot/send?access_token=2f9c0e5d8a7b")
    before = int(time.time() * 1000)
    summary = await deliver(Target(ChannelKind.DINGTALK, url=url, secret=secret), MESSAGE, http_config())
    assert "errcode 0" in summary
    [request] = receiver.requests
    assert request.path == "/robot/send"
    assert request.query["access_token"] == ["2f9c0e5d8a7b"]
    [timestamp] = request.query["timestamp"]
    assert before <= int(timestamp) <= int(time.time() * 1000)
    string_to_sign = f"{timestamp}\n{secret}".encode()
    expected = base64.b64encode(hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()).decode()
    assert request.query["sign"] == [expected]
    payload = request.json()
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == MESSAGE.subject
    assert payload["markdown"]["text"] == MESSAGE.markdown + "\n\n@13800001111 @13900002222"
    assert payload["at"] == {"atMobiles": ["13800001111", "13900002222"], "isAtAll": False}


async def test_it_posts_unsigned_without_a_secret(receiver: Receiver) -> None:
    url = receiver.url("/robot/send?access_token=abc")
    await deliver(Target(ChannelKind.DINGTALK, url=url), MESSAGE, http_config())
    [request] = receiver.requests
    assert set(request.query) == {"access_token"}


# -- generic webhook ---------------------------------------------------------------------------


async def test_it_posts_a_signed_webhook(receiver: Receiver) -> None:
    receiver.answer((204, b""))
    secret = "whsec-0f9e8d7c6b5a"
    extra = {"task_id": 42, "reason": "overdue", "subject": "not this"}
    target = Target(ChannelKind.WEBHOOK, url=receiver.url("/hooks/tracker"), secret=secret)
    summary = await deliver(target, MESSAGE, http_config(), extra=extra)
    assert summary == "HTTP 204"
    [request] = receiver.requests
    assert request.json() == {
        "subject": MESSAGE.subject,
        "text": MESSAGE.text,
        "markdown": MESSAGE.markdown,
        "link": MESSAGE.link,
        "mentions": ["13800001111", "13900002222"],
        "task_id": 42,
        "reason": "overdue",
    }
    digest = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Tracker-Signature"] == f"sha256={digest}"
    assert abs(int(request.headers["X-Tracker-Timestamp"]) - time.time()) < 60


async def test_it_leaves_an_unsigned_webhook_unsigned(receiver: Receiver) -> None:
    await deliver(Target(ChannelKind.WEBHOOK, url=receiver.url("/hooks/tracker")), MESSAGE, http_config())
    [request] = receiver.requests
    assert "X-Tracker-Signature" not in request.headers
    assert "X-Tracker-Timestamp" in request.headers


# -- failures, all HTTP channels ---------------------------------------------------------------

ROBOT_PATHS = {ChannelKind.WECOM: "/send?key=k", ChannelKind.DINGTALK: "/robot/send?access_token=a"}
WECOM, DINGTALK, WEBHOOK = ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.WEBHOOK


@pytest.mark.parametrize(
    ("kind", "answer", "permanent", "quoted"),
    [
        pytest.param(WECOM, (200, b'{"errcode":93000,"errmsg":"invalid webhook url"}'), True, "webhook url"),
        pytest.param(WECOM, (200, b'{"errcode":45009,"errmsg":"api freq out of limit"}'), False, "45009"),
        pytest.param(WECOM, (200, b"<html>not json</html>"), False, "not json"),
        pytest.param(WECOM, (500, b"upstream error"), False, "upstream error"),
        pytest.param(WECOM, (404, b"no such robot"), True, "404"),
        pytest.param(WECOM, (429, b"slow down"), False, "429"),
        pytest.param(WECOM, (302, b""), True, "302"),
        pytest.param(WECOM, "hang", False, ""),
        pytest.param(DINGTALK, (200, b'{"errcode":310000,"errmsg":"sign not match"}'), True, "not match"),
        pytest.param(DINGTALK, (200, b'{"errcode":300001,"errmsg":"token is not exist"}'), True, "300001"),
        pytest.param(DINGTALK, (200, b'{"errcode":130101,"errmsg":"send too fast"}'), False, "send too fast"),
        pytest.param(DINGTALK, (503, b"unavailable"), False, "503"),
        pytest.param(WEBHOOK, (500, b"oops"), False, "500"),
        pytest.param(WEBHOOK, (502, b"bad gateway"), False, "bad gateway"),
        pytest.param(WEBHOOK, (404, b"not found"), True, "404"),
        pytest.param(WEBHOOK, (410, b"gone"), True, "410"),
        pytest.param(WEBHOOK, (408, b"request timeout"), False, "408"),
        pytest.param(WEBHOOK, (301, b""), True, "301"),
        pytest.param(WEBHOOK, "hang", False, ""),
    ],
)
async def test_it_classifies_failures(
    receiver: Receiver, kind: ChannelKind, answer: tuple[int, bytes] | str, permanent: bool, quoted: str
) -> None:
    receiver.answer(answer)
    target = Target(kind, url=receiver.url(ROBOT_PATHS.get(kind, "/hooks/tracker")), secret="SECabc")
    started = time.monotonic()
    error = await failure(target, http_config(0.5))
    assert error.permanent is permanent
    assert quoted in error.message
    assert len(receiver.requests) == 1  # no mention after a failed markdown, no redirect followed
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("kind", [WECOM, DINGTALK, WEBHOOK])
async def test_it_makes_a_refused_connection_temporary_for_http(kind: ChannelKind) -> None:
    url = f"http://127.0.0.1:{free_port()}/send?key=k"
    error = await failure(Target(kind, url=url), http_config())
    assert error.permanent is False
