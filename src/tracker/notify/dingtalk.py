"""DingTalk (钉钉) custom group robot: `POST https://oapi.dingtalk.com/robot/send?access_token=…`.

One `markdown` message: `{"msgtype": "markdown", "markdown": {"title", "text"}, "at": {"atMobiles",
"isAtAll": false}}`. DingTalk only highlights and notifies a mentioned person when `@<mobile>`
also appears in the text, so each mention is appended to the markdown as `@13800001111`.

Signing ("加签", optional, the robot's `SEC…` secret): `timestamp` is the current time in
milliseconds, the string to sign is `f"{timestamp}\\n{secret}"`, the signature is
base64(HMAC-SHA256(key=secret, msg=that string)) (UTF-8 throughout), URL-encoded and appended to
the robot's address as `&timestamp=…&sign=…`. DingTalk refuses a timestamp more than an hour off.

Answers: HTTP 200 with `errcode` 0 is delivered; another errcode is permanent (310000 sign not
match or keyword missing or IP not allowed, 300001 token invalid …) except -1 (system busy),
130101 and 410100 (sending too fast) and 90030 (the robot's quota is used up), which are
temporary.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

import httpx

from tracker.notify.message import Message, cut_utf8
from tracker.notify.webhook import json_bytes, post_json, robot_answer

TEMPORARY_ERRCODES = frozenset({-1, 130101, 410100, 90030})
MARKDOWN_MAX_BYTES = 20000  # DingTalk's limit on a robot message's size


async def send_dingtalk(
    client: httpx.AsyncClient, url: str, message: Message, *, secret: str | None = None
) -> str:
    """Post the markdown with its mentions, signed when `secret` is set; the robot's answer."""
    target = signed_url(url, secret, int(time.time() * 1000)) if secret else url
    _status, answer = await post_json(client, target, json_bytes(dingtalk_payload(message)))
    return robot_answer(answer, temporary_codes=TEMPORARY_ERRCODES)


def dingtalk_payload(message: Message) -> dict[str, object]:
    at_line = " ".join(f"@{mobile}" for mobile in message.mentions)
    budget = MARKDOWN_MAX_BYTES - (len(at_line.encode("utf-8")) + 2 if at_line else 0)
    text = cut_utf8(message.markdown, budget)
    if at_line:
        text = f"{text}\n\n{at_line}"
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.subject, "text": text},
        "at": {"atMobiles": list(message.mentions), "isAtAll": False},
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(secret, f"{timestamp_ms}\\n{secret}")): the `sign`, before URL-encoding."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot's address with `&timestamp=…&sign=…` appended, as DingTalk's documentation does."""
    separator = "&" if "?" in url else "?"
    sign = quote_plus(dingtalk_sign(secret, timestamp_ms))
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"
