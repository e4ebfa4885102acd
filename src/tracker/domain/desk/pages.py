"""工作台, the secretary's desk and landing page: overdue work by tier and unit with counts, what falls
due this week, escalations, records far from their place and open follow-ups, each linking into the
board, the task or the record. Officials and viewers may open it too (the service narrows it to what
the board shows them); members have none (403 by the guard)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from tracker.db.models.accounts import Role
from tracker.db.models.tasks import Record
from tracker.domain.board.rules import TIER_GROUP_LABELS
from tracker.domain.desk.rules import FAR_DAYS
from tracker.domain.desk.schemas import OverdueCount
from tracker.domain.desk.service import DeskService
from tracker.domain.roster.service import RosterService
from tracker.domain.work.page_context import page_context
from tracker.web.guards import require_role


def board_link(code: str, **filters: object) -> str:
    """The board with these filters (empty ones left out)."""
    query = urlencode({name: value for name, value in filters.items() if value not in (None, "")})
    return f"/towns/{code}/board" + (f"?{query}" if query else "")


def overdue_link(code: str, count: OverdueCount, year: int) -> str:
    """The board of this tier and unit, at its overdue list (people without a unit: the tier's)."""
    return board_link(code, tier=count.tier.value, unit=count.unit_id, year=year) + "#overdue"


def follow_up_link(code: str, record: Record) -> str:
    """Where a follow-up is recorded: the place's history of the visit's year, at the visit."""
    if record.place_id is not None:
        return (
            f"/towns/{code}/places/{record.place_id}/history?year={record.occurred_on.year}#visit-{record.id}"
        )
    if record.task_id is not None:
        return f"/tasks/{record.task_id}"
    return f"/towns/{code}/people/{record.person_id}/year?year={record.occurred_on.year}"


class DeskPages(Controller):
    path = "/towns/{code:str}/desk"
    include_in_schema = False
    guards = [require_role(Role.SECRETARY, Role.OFFICIAL, Role.VIEWER)]

    @get("/", name="desk")
    async def desk(
        self,
        roster: NamedDependency[RosterService],
        desks: NamedDependency[DeskService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
    ) -> Template:
        town = await roster.get_town(code)
        desk = await desks.desk(town, now)
        context = page_context(
            town,
            desk=desk,
            tier_labels=TIER_GROUP_LABELS,
            board_link=lambda **filters: board_link(town.code, **filters),
            overdue_link=lambda count: overdue_link(town.code, count, desk.year),
            follow_up_link=lambda record: follow_up_link(town.code, record),
            far_days=FAR_DAYS,
        )
        return Template("desk/desk.html", context=context)
