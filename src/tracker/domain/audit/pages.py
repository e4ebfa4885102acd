"""The town's audit log for its secretary, with filters. Read-only: nothing here edits an entry."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role
from tracker.domain.audit.service import AuditFilter, list_entries
from tracker.domain.inputs import day_problem
from tracker.domain.scope import Scope
from tracker.i18n import _
from tracker.web.guards import require_role

ACTIONS = (
    "create", "update", "delete", "login", "login_failed", "login_locked", "login_unlocked", "login_refused",
    "logout",
    "password_change", "password_reset", "access_refused",
)


def _local_day_start(day: dt.date | None, timezone: str) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


class AuditPages(Controller):
    include_in_schema = False
    guards = [require_role(Role.SECRETARY)]

    @get("/towns/{code:str}/audit", name="audit")
    async def show(
        self,
        access_scope: NamedDependency[Scope],
        db_session: NamedDependency[AsyncSession],
        code: FromPath[str],
        action: FromQuery[str | None] = None,
        who: FromQuery[str | None] = None,
        object_type: FromQuery[str | None] = None,
        since: FromQuery[dt.date | None] = None,
        until: FromQuery[dt.date | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        town = await access_scope.managed_town(code, _("Only the town's secretary may change its roster"))
        # A day outside the tracker's years is a field error (0001-01-01 in +08:00 is before year 1 in UTC).
        errors = {name: problem for name, day in (("since", since), ("until", until))
                  if day is not None and (problem := day_problem(day))}  # fmt: skip
        since = None if "since" in errors else since
        until = None if "until" in errors else until
        filters = AuditFilter(
            action=action if action in ACTIONS else None,
            actor=(who or "").strip()[:64] or None,
            object_type=(object_type or "").strip()[:64] or None,
            since=_local_day_start(since, town.timezone),
            until=_local_day_start(until + dt.timedelta(days=1) if until else None, town.timezone),
            page=page,
        )
        result = await list_entries(db_session, town.id, filters)
        return Template(
            "audit/log.html",
            status_code=400 if errors else 200,
            context={
                "town": town,
                "result": result,
                "actions": ACTIONS,
                "errors": errors,
                "query": {"action": action or "", "who": who or "", "object_type": object_type or "",
                          "since": since.isoformat() if since else "", "until": until.isoformat() if until else ""},
            },
        )
