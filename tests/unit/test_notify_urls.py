"""Robot and webhook addresses: which may be posted to, and how they are shown with their keys hidden."""

from __future__ import annotations

import socket

import pytest

from tracker.i18n import use_locale
from tracker.notify import urls
from tracker.notify.urls import mask_secret, mask_url, robot_url_problem, robot_url_problem_resolved

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=2f9c0e5d8a7b6c5d4e3f2a1b0c9d8e7f"

# (url, refused without allow_http, refused with allow_http)
CASES = [
    pytest.param(WECOM, False, False, id="wecom-https"),
    pytest.param(DINGTALK, False, False, id="dingtalk-https"),
    pytest.param("https://hooks.example.org:8443/in/abc", False, False, id="https-with-port"),
    pytest.param("https://8.8.8.8/hook", False, False, id="public-ip-literal"),
    pytest.param("http://hooks.example.org/in", True, False, id="http"),
    pytest.param("HTTP://hooks.example.org/in", True, False, id="http-upper-case"),
    pytest.param("ftp://hooks.example.org/in", True, True, id="ftp"),
    pytest.param("file:///etc/passwd", True, True, id="file"),
    pytest.param("qyapi.weixin.qq.com/cgi-bin/webhook/send", True, True, id="no-scheme"),
    pytest.param("https://", True, True, id="no-host"),
    pytest.param("https:///path", True, True, id="empty-host"),
    pytest.param("https://example.org:99999/", True, True, id="bad-port"),
    pytest.param("", True, True, id="empty"),
    pytest.param("https://10.0.0.5/hook", True, False, id="10/8"),
    pytest.param("https://10.255.255.255/hook", True, False, id="10/8-top"),
    pytest.param("https://172.16.0.1/hook", True, False, id="172.16/12"),
    pytest.param("https://172.31.255.254/hook", True, False, id="172.16/12-top"),
    pytest.param("https://172.32.0.1/hook", False, False, id="172.32-is-public"),
    pytest.param("https://192.168.1.10/hook", True, False, id="192.168/16"),
    pytest.param("https://127.0.0.1/hook", True, False, id="127/8"),
    pytest.param("https://127.8.9.10:8080/hook", True, False, id="127/8-other"),
    pytest.param("https://127.1/hook", True, False, id="127-short-form"),
    pytest.param("https://2130706433/hook", True, False, id="127-as-integer"),
    pytest.param("https://0x7f.0.0.1/hook", True, False, id="127-hex"),
    pytest.param("https://0.0.0.0/hook", True, False, id="unspecified"),
    pytest.param("https://[::1]/hook", True, False, id="ipv6-loopback"),
    pytest.param("https://[fe80::1]/hook", True, False, id="ipv6-link-local"),
    pytest.param("https://[fd00::1]/hook", True, False, id="ipv6-unique-local"),
    pytest.param("https://[::ffff:127.0.0.1]/hook", True, False, id="ipv4-mapped-loopback"),
    pytest.param("https://[2001:4860:4860::8888]/hook", False, False, id="ipv6-public"),
    pytest.param("https://169.254.169.254/latest/meta-data/", True, False, id="cloud-metadata"),
    pytest.param("https://100.64.0.1/hook", True, False, id="carrier-grade-nat"),
    pytest.param("https://224.0.0.1/hook", True, False, id="multicast"),
    pytest.param("https://240.0.0.1/hook", True, False, id="reserved"),
    pytest.param("https://localhost/hook", True, False, id="localhost"),
    pytest.param("https://LOCALHOST./hook", True, False, id="localhost-dot"),
    pytest.param("https://api.localhost/hook", True, False, id="sub-localhost"),
]


@pytest.mark.parametrize(("url", "refused", "refused_with_http"), CASES)
def test_it_checks_robot_addresses(url: str, refused: bool, refused_with_http: bool) -> None:
    assert (robot_url_problem(url, allow_http=False) is not None) is refused
    assert (robot_url_problem(url, allow_http=True) is not None) is refused_with_http


def test_it_explains_in_chinese() -> None:
    with use_locale("zh_CN"):
        assert robot_url_problem("http://example.org/", allow_http=False) == "网址须以 https:// 开头"
        assert "10.1.2.3" in (robot_url_problem("https://10.1.2.3/", allow_http=False) or "")
    with use_locale("en"):
        assert robot_url_problem("https://", allow_http=False) == "The address names no host"


def fake_resolver(answers: dict[str, list[str]]):
    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in answers[host]
        ]

    return getaddrinfo


@pytest.mark.parametrize(
    ("addresses", "refused"),
    [
        pytest.param(["203.0.113.9"], True, id="documentation-range"),
        pytest.param(["101.89.15.106"], False, id="public"),
        pytest.param(["101.89.15.106", "2408:8000::1"], False, id="public-v4-and-v6"),
        pytest.param(["10.0.0.8"], True, id="private"),
        pytest.param(["101.89.15.106", "192.168.0.2"], True, id="one-of-several-private"),
        pytest.param(["fe80::1%eth0"], True, id="link-local-with-zone"),
        pytest.param(["169.254.169.254"], True, id="metadata"),
    ],
)
async def test_it_refuses_host_names_that_resolve_inside(
    monkeypatch: pytest.MonkeyPatch, addresses: list[str], refused: bool
) -> None:
    monkeypatch.setattr(urls.socket, "getaddrinfo", fake_resolver({"hook.example.cn": addresses}))
    problem = await robot_url_problem_resolved("https://hook.example.cn/x", allow_http=False)
    assert (problem is not None) is refused
    assert await robot_url_problem_resolved("https://hook.example.cn/x", allow_http=True) is None


async def test_it_says_when_a_host_cannot_be_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(urls.socket, "getaddrinfo", fake_resolver({}))
    with use_locale("en"):
        problem = await robot_url_problem_resolved("https://nowhere.example.cn/x", allow_http=False)
    assert problem == "The host nowhere.example.cn could not be found"


async def test_it_does_not_look_up_a_refused_address(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_lookup(*args: object, **kwargs: object) -> list[tuple]:
        raise AssertionError("looked up")

    monkeypatch.setattr(urls.socket, "getaddrinfo", no_lookup)
    assert await robot_url_problem_resolved("http://hook.example.cn/x", allow_http=False) is not None


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        pytest.param(WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…5aaa", id="wecom"),
        pytest.param(DINGTALK, "https://oapi.dingtalk.com/robot/send?access_token=…8e7f", id="dingtalk"),
        pytest.param(
            "https://hooks.example.org/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX",
            "https://hooks.example.org/services/T0001/B0002/…XXXX",
            id="token-in-path",
        ),
        pytest.param("https://example.org/hook?id=5", "https://example.org/hook?id=…", id="short-value"),
        pytest.param(
            "https://user:pa55word@example.org:8443/in?a=1&b=abcdefghijkl",
            "https://example.org:8443/in?a=…&b=…ijkl",
            id="credentials-dropped",
        ),
        pytest.param("https://[::1]:8080/hook", "https://[::1]:8080/hook", id="ipv6"),
        pytest.param("https://example.org:99999/", "…", id="unparsable"),
        pytest.param("", "", id="empty"),
        pytest.param(None, "", id="none"),
    ],
)
def test_it_masks_addresses(url: str | None, masked: str) -> None:
    assert mask_url(url) == masked


@pytest.mark.parametrize(
    ("secret", "masked"),
    [
        ("SEC8a7f2c1d0e9b6a5f4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f7d2f", "SEC…7d2f"),
        ("a-secret-of-16ch", "a-s…16ch"),
        ("short", "…"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_masks_secrets(secret: str | None, masked: str) -> None:
    assert mask_secret(secret) == masked
