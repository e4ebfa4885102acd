"""The generic JSON webhook, and the HTTP POST every robot transport shares.

Body: `{"subject", "text", "markdown", "link", "mentions", ...extra}` as UTF-8 JSON (the extra
keys, e.g. task ids, cannot replace the five message fields). Headers: `X-Tracker-Timestamp`
(seconds since the epoch) and, when the channel has a secret,
`X-Tracker-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes, keyed with the secret>`.

Answers: 2xx delivered; 408, 429 and 5xx, timeouts and connection errors temporary; a redirect
(never followed: the address was checked, where it points was not) and any other 4xx permanent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

from tracker.i18n import _
from tracker.notify.errors import TransportError
from tracker.notify.message import Message

SIGNATURE_HEADER = "X-Tracker-Signature"
TIMESTAMP_HEADER = "X-Tracker-Timestamp"
MAX_ANSWER_BYTES = 64 * 1024  # what we read of an answer; the rest is not our business
QUOTED_ANSWER_CHARS = 200  # how much of a server's answer an error message quotes
TEMPORARY_CLIENT_ERRORS = frozenset({408, 425, 429})


async def send_webhook(
    client: httpx.AsyncClient,
    url: str,
    message: Message,
    *,
    secret: str | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """POST the message as JSON to `url`; the answer's status line on success, else TransportError."""
    body = webhook_body(message, extra)
    headers = {TIMESTAMP_HEADER: str(int(time.time()))}
    if secret:
        headers[SIGNATURE_HEADER] = webhook_signature(secret, body)
    status, _answer = await post_json(client, url, body, headers)
    return f"HTTP {status}"


def webhook_body(message: Message, extra: dict[str, Any] | None = None) -> bytes:
    """The exact bytes sent (and signed)."""
    payload: dict[str, Any] = dict(extra or {})
    payload.update(
        subject=message.subject,
        text=message.text,
        markdown=message.markdown,
        link=message.link,
        mentions=list(message.mentions),
    )
    return json_bytes(payload)


def webhook_signature(secret: str, body: bytes) -> str:
    """The X-Tracker-Signature value: `sha256=` and the hex HMAC-SHA256 of the body."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def json_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def post_json(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """POST `body` as JSON; (status, the first bytes of the answer) for a 2xx, else TransportError.

    Shared by the webhook and the robots, which then read the robot's own `errcode`.
    """
    request_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    try:
        async with client.stream("POST", url, content=body, headers=request_headers) as response:
            answer = await _read_some(response)
    except httpx.TimeoutException as exc:
        raise TransportError(_("No answer in time (%(error)s)", error=_name(exc)), permanent=False) from exc
    except httpx.TransportError as exc:  # connection refused, reset, TLS, DNS …
        raise TransportError(
            _("Could not connect (%(error)s)", error=_describe(exc)), permanent=False
        ) from exc
    status = response.status_code
    if 200 <= status < 300:
        return status, answer
    quoted = quote_answer(answer)
    if 300 <= status < 400:
        raise TransportError(
            _("The address answered with a redirect (HTTP %(status)s), which is not followed", status=status),
            permanent=True,
        )
    temporary = status >= 500 or status in TEMPORARY_CLIENT_ERRORS
    raise TransportError(
        _("The server answered HTTP %(status)s: %(answer)s", status=status, answer=quoted),
        permanent=not temporary,
    )


def robot_answer(answer: bytes, *, temporary_codes: frozenset[int]) -> str:
    """Check a WeCom or DingTalk robot's JSON answer (`{"errcode": 0, "errmsg": "ok"}`).

    A 200 with another errcode is a refusal: permanent (an invalid key, a signature that does
    not match, a keyword missing), except the codes in `temporary_codes` (busy, rate limit).
    """
    try:
        data = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict) or "errcode" not in data:
        raise TransportError(
            _("The robot's answer is not what it should be: %(answer)s", answer=quote_answer(answer)),
            permanent=False,
        )
    code, errmsg = data.get("errcode"), str(data.get("errmsg", ""))
    if code == 0:
        return f"errcode 0 {errmsg}".strip()
    raise TransportError(
        _("The robot refused the message (errcode %(code)s): %(errmsg)s", code=code, errmsg=errmsg),
        permanent=code not in temporary_codes,
    )


def quote_answer(answer: bytes) -> str:
    text = " ".join(answer.decode("utf-8", errors="replace").split())
    return text[:QUOTED_ANSWER_CHARS] + ("…" if len(text) > QUOTED_ANSWER_CHARS else "")


async def _read_some(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_ANSWER_BYTES:
            break
    return b"".join(chunks)[:MAX_ANSWER_BYTES]


def _name(exc: Exception) -> str:
    return type(exc).__name__


def _describe(exc: Exception) -> str:
    detail = " ".join(str(exc).split())
    return f"{_name(exc)}: {detail}"[:QUOTED_ANSWER_CHARS] if detail else _name(exc)
