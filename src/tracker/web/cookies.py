"""`__Host-` cookies behind HTTPS: the browser then takes the session and CSRF cookies only from this
very host, over HTTPS, for the whole site (Secure, Path=/, no Domain), so a neighbouring site
(another town's server under the same county domain, a hostile Wi-Fi portal) can't plant them.

The application keeps using the plain names (`tracker_session`, `tracker_csrf`); this middleware,
outermost, renames them on the way in (`__Host-tracker_session` -> `tracker_session`, and drops any
plain-named one the browser sends, which could have been planted) and on the way out (each
`Set-Cookie` of those names). Without HTTPS it is not installed: browsers refuse `__Host-` cookies
that are not Secure, and Secure cookies are never sent over plain HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from litestar.types import ASGIApp, Empty, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

HOST_PREFIX = "__Host-"


def inbound_cookie_header(value: str, names: Collection[str]) -> str:
    kept = []
    for part in value.split(";"):
        key, sep, rest = part.strip().partition("=")
        if key in names:
            continue  # plain-named: not ours under HTTPS
        if key.startswith(HOST_PREFIX) and key[len(HOST_PREFIX) :] in names:
            key = key[len(HOST_PREFIX) :]
        if key:
            kept.append(f"{key}{sep}{rest}")
    return "; ".join(kept)


def outbound_set_cookie(value: bytes, names: Collection[str]) -> bytes:
    text = value.decode("latin-1")
    key = text.partition("=")[0].strip()
    return (HOST_PREFIX + text.lstrip()).encode("latin-1") if key in names else value


def make_host_cookie_middleware(names: Collection[str], *, https: bool) -> Callable[[ASGIApp], ASGIApp]:
    names = frozenset(names)

    def host_cookie_middleware(app: ASGIApp) -> ASGIApp:
        if not https:
            return app

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            scope["headers"] = [
                (key, inbound_cookie_header(value.decode("latin-1"), names).encode("latin-1"))
                if key.lower() == b"cookie"
                else (key, value)
                for key, value in scope["headers"]
            ]
            state = ScopeState.from_scope(scope)
            state.headers = state.cookies = Empty  # parsed before the renaming, if anything did

            async def send_renamed(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [
                        (key, outbound_set_cookie(value, names)) if key.lower() == b"set-cookie" else (key, value)
                        for key, value in message.get("headers", [])
                    ]
                await send(message)

            await app(scope, receive, send_renamed)

        return middleware

    return host_cookie_middleware
