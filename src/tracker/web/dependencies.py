"""Dependencies shared by the controllers: services over the request's session, the clock."""

from __future__ import annotations

import datetime as dt

from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.domain.clock import utc_now
from tracker.domain.roster.services import RosterService


async def provide_now() -> dt.datetime:
    return utc_now()


async def provide_roster_service(db_session: NamedDependency[AsyncSession]) -> RosterService:
    return RosterService(db_session)


dependencies = {
    "now": Provide(provide_now),
    "roster": Provide(provide_roster_service),
}
