"""Recognise who is asking: an API token (Authorization: Bearer, under /api/ only) or the session cookie.

Plumbing only: turning a token or cookie into an actor is the accounts area's work, passed in by
create_app as `load_actor`; `on_actor` hears of every request's actor (or None) before the handler
runs (the audit log's "who"). Sets scope["user"] to the actor or None, and the user's saved language.

A bearer token on a page route is ignored (the request is whoever its cookie says, or anonymous), so
a token can't reach the settings pages and mint more tokens. A read-only token gets 403 on anything
but GET, HEAD and OPTIONS.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from litestar.datastructures import Headers
from litestar.exceptions import PermissionDeniedException
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ASGIApp, Receive, Scope, Send

from tracker import i18n
from tracker.i18n import _
from tracker.web.locale import cookie_value

SESSION_COOKIE = "tracker_session"
AUTH_METHOD_KEY = "tracker_auth_method"  # "bearer", "cookie" or None, in the scope
API_PREFIX = "/api/"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # what a read-only token may send

# The OpenAPI schema's description of the same: every operation needs a bearer token (or the session
# cookie with the CSRF header, which pages use and the schema leaves out) unless it says ANONYMOUS.
BEARER_SCHEME = "bearerAuth"
BEARER_SECURITY: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]
ANONYMOUS_SECURITY: list[dict[str, list[str]]] = [{}]  # an empty requirement: no credentials needed

LoadActor = Callable[[str | None, str | None], Awaitable[tuple[Any, bool] | None]]
"""`load_actor(bearer_token, session_cookie)`: (the actor, whether it may only read), or None; called
only when either is there."""
OnActor = Callable[[Any, str], None]
"""`on_actor(actor_or_none, client_ip)`: called once per request, before the handler."""


def bearer_security_schemes() -> Components:
    return Components(
        security_schemes={
            BEARER_SCHEME: SecurityScheme(
                type="http",
                scheme="bearer",
                description="A personal API token (My settings > API tokens), sent as `Authorization: Bearer TOKEN`.",
            )
        }
    )


class ReadOnlyToken(PermissionDeniedException):
    """A read-only API token was used to change something."""


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
            identified = await _identify(load_actor, Headers.from_scope(scope), scope)
            actor: HasLocale | None = identified[0] if identified else None
            scope["user"] = actor
            on_actor(actor, client_ip(scope))
            if actor and actor.locale in i18n.SUPPORTED_LOCALES:
                i18n.set_locale(actor.locale)  # the saved choice beats the cookie and Accept-Language
            if identified and identified[1] and scope["method"] not in READ_METHODS:
                raise ReadOnlyToken(_("This API token may only read"))
            await app(scope, receive, send)

        return middleware

    return auth_middleware


async def _identify(load_actor: LoadActor, headers: Headers, scope: Scope) -> tuple[Any, bool] | None:
    token = bearer_token(headers) if scope["path"].startswith(API_PREFIX) else None
    cookie = cookie_value(headers.get("cookie", ""), SESSION_COOKIE)
    scope[AUTH_METHOD_KEY] = "bearer" if token else ("cookie" if cookie else None)  # type: ignore[literal-required]
    if not token and not cookie:
        return None
    return await load_actor(token, cookie)
