"""Readable device names for the sessions list, from real User-Agent strings."""

from __future__ import annotations

import pytest

from tracker.domain.accounts.devices import device_name
from tracker.domain.accounts.rules import bulk_login_candidates

ANDROID_CHROME = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        (ANDROID_CHROME, "Chrome 120 · Android"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.1 Mobile/15E148 Safari/604.1", "Safari 17 · iOS"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 "
         "Safari/537.36 Edg/119.0.2151.97", "Edge 119 · Windows"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox 121 · macOS"),
        ("Mozilla/5.0 (Linux; Android 12; PGBM10 Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 MMWEBSDK/20230405 "
         "MMWEBID/2585 MicroMessenger/8.0.35.2360(0x2800235B) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN",
         "WeChat 8 · Android"),
        ("Mozilla/5.0 (Linux; Android 10; HarmonyOS; ELS-AN00) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/99.0.4844.88 HuaweiBrowser/14.0.2.300 Mobile Safari/537.36", "Huawei Browser 14 · HarmonyOS"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Mobile/15E148 DingTalk/7.0.40 Channel/201200", "DingTalk 7 · iOS"),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 "
         "Safari/537.36", "Headless Chrome 120 · Linux"),
        ("python-httpx/0.28.1", "httpx 0"),
        ("Mozilla/5.0 (Windows NT 10.0)", "Windows"),
        ("testclient", None),
        ("", None),
    ],
)  # fmt: skip
def test_it_names_the_browser_and_the_system(user_agent: str, name: str | None) -> None:
    assert device_name(user_agent) == name


@pytest.mark.parametrize(
    ("town", "code", "person_id", "logins"),
    [
        ("meili", "S05", 7, ["s05", "meili.s05", "meili.p7", "p7"]),
        ("meili", "7", 7, ["meili.7", "meili.p7", "p7"]),  # one character is too short alone
        ("meili", "干部01", 9, ["meili.p9", "p9"]),  # a code that is no login
    ],
)
def test_it_finds_logins_for_accounts_made_in_bulk(
    town: str, code: str, person_id: int, logins: list[str]
) -> None:
    assert bulk_login_candidates(town, code, person_id) == logins
