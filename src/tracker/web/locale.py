"""Per-request language: the user's choice (cookie), then Accept-Language, then the default."""

from __future__ import annotations

from litestar.datastructures import Headers
from litestar.types import ASGIApp, Receive, Scope, Send

from tracker import i18n

LANGUAGE_COOKIE = "tracker_lang"


def _cookie_value(cookie_header: str, name: str) -> str | None:
    for part in cookie_header.split(";"):
        key, _sep, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def make_locale_middleware(default_locale: str):  # noqa: ANN201
    def locale_middleware(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                headers = Headers.from_scope(scope)
                chosen = _cookie_value(headers.get("cookie", ""), LANGUAGE_COOKIE)
                i18n.set_locale(i18n.negotiate_locale(chosen, headers.get("accept-language"), default_locale))
            await app(scope, receive, send)

        return middleware

    return locale_middleware
