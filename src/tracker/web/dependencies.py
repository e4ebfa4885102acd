"""Dependencies shared by the controllers: the actor, services over the request's session, the clock."""

from __future__ import annotations

import datetime as dt

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.config import Settings
from tracker.domain.accounts.access import Actor
from tracker.domain.accounts.rules import SessionPolicy
from tracker.domain.accounts.sessions import SessionService
from tracker.domain.accounts.users import UserService
from tracker.domain.clock import utc_now
from tracker.domain.roster.services import RosterService


def session_policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(
        idle_timeout=dt.timedelta(minutes=settings.session_idle_minutes),
        lifetime=dt.timedelta(hours=settings.session_lifetime_hours),
        keep_signed_in_lifetime=dt.timedelta(days=settings.keep_signed_in_days),
    )


async def provide_now() -> dt.datetime:
    return utc_now()


async def provide_actor(request: Request) -> Actor | None:
    return request.scope.get("user")  # type: ignore[return-value]


async def provide_settings(state: State) -> Settings:
    return state["settings"]  # type: ignore[no-any-return]


async def provide_roster_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None]
) -> RosterService:
    return RosterService(db_session, actor)


async def provide_session_service(
    db_session: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> SessionService:
    return SessionService(db_session, session_policy(settings))


async def provide_user_service(
    db_session: NamedDependency[AsyncSession], sessions: NamedDependency[SessionService]
) -> UserService:
    return UserService(db_session, sessions)


dependencies = {
    "now": Provide(provide_now),
    "actor": Provide(provide_actor),
    "settings": Provide(provide_settings),
    "roster": Provide(provide_roster_service),
    "sessions": Provide(provide_session_service),
    "users": Provide(provide_user_service),
}
