"""A device's readable name from its browser's User-Agent (pure): "Chrome 120 · Android", "WeChat · iOS".

Written by hand rather than with the `user-agents` package (unmaintained since 2020): the sessions
list needs a browser and a system, and the browsers the town's cadres use are few. The order of the
table matters: in-app browsers and Chinese phone browsers first, since their strings also say
"Chrome" or "Safari"; Edge and Opera before Chrome; Chrome before Safari.
"""

from __future__ import annotations

import re

# (pattern, name): the first match names the browser; a group, when there is one, is its major version.
BROWSERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"MicroMessenger/(\d+)", "WeChat"),
        (r"wxwork/(\d+)", "WeCom"),
        (r"DingTalk/(\d+)", "DingTalk"),
        (r"HuaweiBrowser/(\d+)", "Huawei Browser"),
        (r"MiuiBrowser/(\d+)", "Xiaomi Browser"),
        (r"UCBrowser/(\d+)", "UC Browser"),
        (r"MQQBrowser/(\d+)|QQBrowser/(\d+)", "QQ Browser"),
        (r"Quark/(\d+)", "Quark"),
        (r"SamsungBrowser/(\d+)", "Samsung Internet"),
        (r"EdgA?/(\d+)|EdgiOS/(\d+)", "Edge"),
        (r"OPR/(\d+)", "Opera"),
        (r"Firefox/(\d+)|FxiOS/(\d+)", "Firefox"),
        (r"HeadlessChrome/(\d+)", "Headless Chrome"),
        (r"CriOS/(\d+)|Chrome/(\d+)", "Chrome"),
        (r"Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/", "Safari"),
        (r"curl/(\d+)", "curl"),
        (r"python-httpx/(\d+)", "httpx"),
    )
)

SYSTEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"HarmonyOS|OpenHarmony", "HarmonyOS"),
        (r"iPhone|iPad|iPod", "iOS"),
        (r"Android", "Android"),
        (r"Windows", "Windows"),
        (r"Mac OS X|Macintosh", "macOS"),
        (r"CrOS", "ChromeOS"),
        (r"Linux", "Linux"),
    )
)


def device_name(user_agent: str) -> str | None:
    """ "Browser version · system", either part alone when the other is unknown; None when neither is."""
    browser = None
    for pattern, name in BROWSERS:
        if match := pattern.search(user_agent):
            version = next((g for g in match.groups() if g), None)
            browser = f"{name} {version}" if version else name
            break
    system = next((name for pattern, name in SYSTEMS if pattern.search(user_agent)), None)
    parts = [p for p in (browser, system) if p]
    return " · ".join(parts) if parts else None
