"""DingTalk's robot signature ("加签"), computed in the test by the recipe of DingTalk's documentation:
string_to_sign = timestamp + "\\n" + secret; HmacSHA256 keyed with the secret; Base64; urlEncode."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

import pytest

from tracker.notify.dingtalk import dingtalk_payload, dingtalk_sign, signed_url
from tracker.notify.message import Message

SECRET = "SECd5a1e2f3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1"
ROBOT = "https://oapi.dingtalk.com/robot/send?access_token=2f9c0e5d8a7b6c5d4e3f2a1b0c9d8e7f"


def documented_sign(secret: str, timestamp: str) -> str:
    """The documentation's Python sample, step by step (URL-encoded, as it ends)."""
    secret_enc = secret.encode("utf-8")
    string_to_sign = f"{timestamp}\n{secret}"
    string_to_sign_enc = string_to_sign.encode("utf-8")
    hmac_code = hmac.new(secret_enc, string_to_sign_enc, digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(hmac_code))


@pytest.mark.parametrize("timestamp_ms", [1577836800000, 1767225600123, 1700000000999])
@pytest.mark.parametrize("secret", [SECRET, "this is secret", "SEC密钥+/="])
def test_it_signs_as_the_documentation_does(secret: str, timestamp_ms: int) -> None:
    sign = dingtalk_sign(secret, timestamp_ms)
    assert urllib.parse.quote_plus(sign) == documented_sign(secret, str(timestamp_ms))
    assert base64.b64decode(sign, validate=True)  # plain base64, not yet URL-encoded


def test_it_gives_a_known_value() -> None:
    """A fixed vector, so a change in the recipe (order, separator, key) is caught."""
    expected = base64.b64encode(
        hmac.new(b"this is secret", b"1577836800000\nthis is secret", hashlib.sha256).digest()
    ).decode()
    assert dingtalk_sign("this is secret", 1577836800000) == expected


def test_it_appends_timestamp_and_sign_to_the_robot_address() -> None:
    url = signed_url(ROBOT, SECRET, 1767225600123)
    assert url.startswith(ROBOT + "&timestamp=1767225600123&sign=")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["access_token"] == ["2f9c0e5d8a7b6c5d4e3f2a1b0c9d8e7f"]
    assert query["timestamp"] == ["1767225600123"]
    assert query["sign"] == [dingtalk_sign(SECRET, 1767225600123)]  # decodes back: + and / survive


def test_it_mentions_each_mobile_in_the_text_and_in_at() -> None:
    message = Message(
        subject="周报提醒",
        text="t",
        html="<p>t</p>",
        markdown="### 周报提醒\n请于今日 17:00 前提交。",
        mentions=("13800001111", "13900002222"),
    )
    payload = dingtalk_payload(message)
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"] == {
        "title": "周报提醒",
        "text": "### 周报提醒\n请于今日 17:00 前提交。\n\n@13800001111 @13900002222",
    }
    assert payload["at"] == {"atMobiles": ["13800001111", "13900002222"], "isAtAll": False}


def test_it_keeps_the_mentions_when_a_long_text_is_cut() -> None:
    message = Message(subject="s", text="t", html="", markdown="长" * 10000, mentions=("13800001111",))
    text = dingtalk_payload(message)["markdown"]["text"]  # type: ignore[index]
    assert len(text.encode("utf-8")) <= 20000
    assert text.endswith("…\n\n@13800001111")
