"""Dependencies shared by the controllers: the actor, services over the request's session, the clock."""

from __future__ import annotations

import datetime as dt

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.config import Settings
from tracker.domain.accounts.access import Actor
from tracker.domain.accounts.sessions import SessionService, session_policy
from tracker.domain.accounts.users import UserService
from tracker.domain.clock import utc_now
from tracker.domain.roster.services import RosterService
from tracker.domain.tasks.services import AssignmentService, RecordService, TaskService


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


async def provide_assignment_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None]
) -> AssignmentService:
    return AssignmentService(db_session, actor)


async def provide_task_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None]
) -> TaskService:
    return TaskService(db_session, actor)


async def provide_record_service(
    db_session: NamedDependency[AsyncSession], actor: NamedDependency[Actor | None], settings: NamedDependency[Settings]
) -> RecordService:
    return RecordService(db_session, actor, str(settings.photo_dir), settings.max_photo_bytes)


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
    "assignments": Provide(provide_assignment_service),
    "tasks": Provide(provide_task_service),
    "records": Provide(provide_record_service),
}
