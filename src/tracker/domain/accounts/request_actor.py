"""The actor behind a web request: who is asking, who the audit log names, what they were refused.

create_app passes these to the web plumbing (web/auth.py, web/errors.py), which knows no area.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tracker.domain.access import Actor
from tracker.domain.accounts.rules import SessionPolicy
from tracker.domain.accounts.sessions import SessionService
from tracker.domain.audit.context import AuditActor, set_actor
from tracker.domain.audit.service import record_refusal
from tracker.domain.clock import utc_now


def actor_loader(
    sessionmaker: async_sessionmaker[AsyncSession], policy: SessionPolicy
) -> Callable[[str | None, str | None], Awaitable[tuple[Actor, bool] | None]]:
    """`load_actor(bearer_token, session_cookie)`: the actor and whether it may only read (a read-only
    API token), or None. The token wins when both are sent (web/auth.py passes a token under /api/
    only). One short transaction per request (it may touch last_seen_at), separate from the handler's."""

    async def load_actor(token: str | None, cookie: str | None) -> tuple[Actor, bool] | None:
        now = utc_now()
        async with sessionmaker() as session:
            service = SessionService(session, policy)
            identified: tuple[Actor, bool] | None = None
            if token:
                resolved_token = await service.resolve_api_token(token, now)
                if resolved_token:
                    user, api_token = resolved_token
                    identified = (await service.actor_for(user, None), api_token.read_only)
            else:
                resolved = await service.resolve_session(cookie or "", now)
                if resolved:
                    identified = (await service.actor_for(resolved[0], resolved[1].id), False)
            await session.commit()
        return identified

    return load_actor


def set_audit_actor(actor: Actor | None, ip: str) -> None:
    """The audit log names the signed-in user of this request, or "anonymous"."""
    set_actor(AuditActor(actor.user_id, actor.login, ip) if actor else AuditActor(None, "anonymous", ip))


def refusal_recorder(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Callable[[Actor, dict[str, Any]], Awaitable[None]]:
    """`record_refusal(actor, details)`: a refused access by a signed-in user goes to the audit log
    in its own transaction (the request's was rolled back): the first on a route in a window as an
    entry, the rest as a count on it (audit/service.py)."""

    async def record(actor: Actor, details: dict[str, Any]) -> None:
        route = str(details.get("route") or f"{details.get('method', '')} {details.get('path', '')}")
        async with sessionmaker() as session:
            await record_refusal(
                session, user_id=actor.user_id, route=route, now=utc_now(), town_id=actor.town_id, details=details
            )
            await session.commit()

    return record
