"""Per-request language: the user's choice (cookie), then Accept-Language, then the default.

Pages and error messages depend on the language, so HTML and JSON answers say so
(`Vary: Accept-Language, Cookie`, `Content-Language`) for any cache in between.
"""

from __future__ import annotations

from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tracker import i18n

LANGUAGE_COOKIE = "tracker_lang"
_TRANSLATED_TYPES = ("text/html", "application/json", "application/problem+json")


def cookie_value(cookie_header: str, name: str) -> str | None:
    for part in cookie_header.split(";"):
        key, _sep, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def choose_locale(headers: Headers, default_locale: str) -> str:
    chosen = cookie_value(headers.get("cookie", ""), LANGUAGE_COOKIE)
    return i18n.negotiate_locale(chosen, headers.get("accept-language"), default_locale)


def make_locale_middleware(default_locale: str):  # noqa: ANN201
    def locale_middleware(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            locale = choose_locale(Headers.from_scope(scope), default_locale)
            i18n.set_locale(locale)

            async def send_with_language(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableScopeHeaders.from_message(message)
                    if headers.get("content-type", "").startswith(_TRANSLATED_TYPES):
                        headers.extend_header_value("vary", "Accept-Language, Cookie")
                        headers.setdefault("content-language", locale.replace("_", "-"))
                await send(message)

            await app(scope, receive, send_with_language)

        return middleware

    return locale_middleware
