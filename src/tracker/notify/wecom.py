"""WeCom (企业微信) group robot: `POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`.

The reminder goes as one `markdown` message (`{"msgtype": "markdown", "markdown": {"content"}}`,
at most 4096 bytes of UTF-8; longer content is cut with "…"). WeCom's markdown cannot @ a person
by mobile number: only the `text` message type has `mentioned_mobile_list`. So when the message
has mentions, a second, short `text` message follows (the subject, at most 2048 bytes) with
`mentioned_mobile_list`, which makes WeCom @ those people under the reminder.

Decision: the markdown is the delivery. If it fails, the whole delivery fails (TransportError).
If it succeeds and only the mention fails, the delivery still counts as done and the returned
summary says the mention failed: retrying would post the whole reminder to the group again.

Answers: HTTP 200 with `errcode` 0 is delivered; another errcode is permanent (93000 invalid
webhook URL, 40058 bad content …) except -1 (system busy) and 45009 (rate limit: 20 messages a
minute per robot), which are temporary.
"""

from __future__ import annotations

import httpx

from tracker.notify.errors import TransportError
from tracker.notify.message import Message, cut_utf8
from tracker.notify.webhook import json_bytes, post_json, robot_answer

MARKDOWN_MAX_BYTES = 4096
TEXT_MAX_BYTES = 2048
TEMPORARY_ERRCODES = frozenset({-1, 45009})


async def send_wecom(client: httpx.AsyncClient, url: str, message: Message) -> str:
    """Post the markdown (and the mentions); a summary of the robot's answers, else TransportError."""
    _status, answer = await post_json(client, url, json_bytes(wecom_markdown_payload(message)))
    summary = robot_answer(answer, temporary_codes=TEMPORARY_ERRCODES)
    if not message.mentions:
        return summary
    try:
        _status, answer = await post_json(client, url, json_bytes(wecom_mention_payload(message)))
        robot_answer(answer, temporary_codes=TEMPORARY_ERRCODES)
    except TransportError as exc:
        return f"{summary}; mention not sent: {exc.message}"
    return f"{summary}; mentioned {len(message.mentions)}"


def wecom_markdown_payload(message: Message) -> dict[str, object]:
    return {"msgtype": "markdown", "markdown": {"content": cut_utf8(message.markdown, MARKDOWN_MAX_BYTES)}}


def wecom_mention_payload(message: Message) -> dict[str, object]:
    return {
        "msgtype": "text",
        "text": {
            "content": cut_utf8(message.subject, TEXT_MAX_BYTES),
            "mentioned_mobile_list": list(message.mentions),
        },
    }
