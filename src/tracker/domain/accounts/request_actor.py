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
from tracker.domain.audit.service import record_event
from tracker.domain.clock import utc_now


def actor_loader(
    sessionmaker: async_sessionmaker[AsyncSession], policy: SessionPolicy
) -> Callable[[str | None, str | None], Awaitable[Actor | None]]:
    """`load_actor(bearer_token, session_cookie)`: the token wins when both are sent. One short
    transaction per request (it may touch last_seen_at), separate from the handler's."""

    async def load_actor(token: str | None, cookie: str | None) -> Actor | None:
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

    return load_actor


def set_audit_actor(actor: Actor | None, ip: str) -> None:
    """The audit log names the signed-in user of this request, or "anonymous"."""
    set_actor(AuditActor(actor.user_id, actor.login, ip) if actor else AuditActor(None, "anonymous", ip))


def refusal_recorder(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Callable[[Actor, dict[str, Any]], Awaitable[None]]:
    """`record_refusal(actor, details)`: a refused access by a signed-in user goes to the audit log
    in its own transaction (the request's was rolled back)."""

    async def record_refusal(actor: Actor, details: dict[str, Any]) -> None:
        async with sessionmaker() as session:
            await record_event(
                session, "access_refused", now=utc_now(), town_id=actor.town_id, details=details
            )
            await session.commit()

    return record_refusal
