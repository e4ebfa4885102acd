"""GET /healthz: is the database reachable?"""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.web.auth import ANONYMOUS_SECURITY
from tracker.web.guards import PUBLIC


@get(
    "/healthz", name="healthz", tags=["health"], summary="Database reachability", opt=PUBLIC,
    security=ANONYMOUS_SECURITY,
)
async def healthz(db_session: NamedDependency[AsyncSession]) -> Response[dict[str, str]]:
    try:
        await db_session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"}, status_code=200)
