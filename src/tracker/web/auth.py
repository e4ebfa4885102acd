"""Recognise who is asking: an API token (Authorization: Bearer) or the session cookie.

Plumbing only: turning a token or cookie into an actor is the accounts area's work, passed in by
create_app as `load_actor`; `on_actor` hears of every request's actor (or None) before the handler
runs (the audit log's "who"). Sets scope["user"] to the actor or None, and the user's saved language.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from litestar.datastructures import Headers
from litestar.types import ASGIApp, Receive, Scope, Send

from tracker import i18n
from tracker.web.locale import cookie_value

SESSION_COOKIE = "tracker_session"
AUTH_METHOD_KEY = "tracker_auth_method"  # "bearer", "cookie" or None, in the scope

LoadActor = Callable[[str | None, str | None], Awaitable[Any]]
"""`load_actor(bearer_token, session_cookie)`: the actor, or None; called only when either is there."""
OnActor = Callable[[Any, str], None]
"""`on_actor(actor_or_none, client_ip)`: called once per request, before the handler."""


class HasLocale(Protocol):
    """What this middleware reads of an actor: the language the user chose, if any."""

    @property
    def locale(self) -> str | None: ...


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


def bearer_token(headers: Headers) -> str | None:
    value = headers.get("authorization", "")
    scheme, _sep, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def make_auth_middleware(*, load_actor: LoadActor, on_actor: OnActor) -> Callable[[ASGIApp], ASGIApp]:
    def auth_middleware(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"].startswith("/static/"):
                scope["user"] = None
                await app(scope, receive, send)
                return
            actor: HasLocale | None = await _identify(load_actor, Headers.from_scope(scope), scope)
            scope["user"] = actor
            on_actor(actor, client_ip(scope))
            if actor and actor.locale in i18n.SUPPORTED_LOCALES:
                i18n.set_locale(actor.locale)  # the saved choice beats the cookie and Accept-Language
            await app(scope, receive, send)

        return middleware

    return auth_middleware


async def _identify(load_actor: LoadActor, headers: Headers, scope: Scope) -> Any:
    token = bearer_token(headers)
    cookie = cookie_value(headers.get("cookie", ""), SESSION_COOKIE)
    scope[AUTH_METHOD_KEY] = "bearer" if token else ("cookie" if cookie else None)  # type: ignore[literal-required]
    if not token and not cookie:
        return None
    return await load_actor(token, cookie)
