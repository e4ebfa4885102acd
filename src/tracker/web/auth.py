"""Recognise who is asking: an API token (Authorization: Bearer) or the session cookie.

Sets scope["user"] to an Actor or None, the audit actor, and the user's saved language. One
short transaction per request (it may touch last_seen_at), separate from the handler's.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar.datastructures import Headers
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tracker import i18n
from tracker.domain.accounts.access import Actor
from tracker.domain.accounts.rules import SessionPolicy
from tracker.domain.accounts.sessions import SessionService
from tracker.domain.audit.context import AuditActor, set_actor
from tracker.domain.clock import utc_now
from tracker.web.locale import cookie_value

SESSION_COOKIE = "tracker_session"
AUTH_METHOD_KEY = "tracker_auth_method"  # "bearer", "cookie" or None, in the scope


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


def bearer_token(headers: Headers) -> str | None:
    value = headers.get("authorization", "")
    scheme, _sep, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def make_auth_middleware(
    sessionmaker: async_sessionmaker[AsyncSession], policy: SessionPolicy
) -> Callable[[ASGIApp], ASGIApp]:
    def auth_middleware(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"].startswith("/static/"):
                scope["user"] = None
                await app(scope, receive, send)
                return
            headers = Headers.from_scope(scope)
            ip = client_ip(scope)
            actor = await _identify(sessionmaker, policy, headers, scope)
            scope["user"] = actor
            set_actor(AuditActor(actor.user_id, actor.login, ip) if actor else AuditActor(None, "anonymous", ip))
            if actor and actor.locale in i18n.SUPPORTED_LOCALES:
                i18n.set_locale(actor.locale)  # the saved choice beats the cookie and Accept-Language
            await app(scope, receive, send)

        return middleware

    return auth_middleware


async def _identify(
    sessionmaker: async_sessionmaker[AsyncSession], policy: SessionPolicy, headers: Headers, scope: Scope
) -> Actor | None:
    token = bearer_token(headers)
    cookie = cookie_value(headers.get("cookie", ""), SESSION_COOKIE)
    scope[AUTH_METHOD_KEY] = "bearer" if token else ("cookie" if cookie else None)  # type: ignore[literal-required]
    if not token and not cookie:
        return None
    now = utc_now()
    async with sessionmaker() as session:
        service = SessionService(session, policy)
        if token:
            user = await service.resolve_api_token(token, now)
            actor = await service.actor_for(user, None) if user else None
        else:
            resolved = await service.resolve_session(cookie or "", now)
            actor = await service.actor_for(resolved[0], resolved[1].id) if resolved else None
        await session.commit()
    return actor
