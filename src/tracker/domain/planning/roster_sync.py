"""Roster changes flow into tasks: a new contact point gets its future visit tasks, a person who
leaves (or a place no longer theirs) has their future open tasks closed as reassigned.

`sync_roster` recomputes, for every active assignment of the town, who it selects on the town's
local `today` and which periods are left this year, then applies `replanning.plan_future_change`:
only tasks due after `now` change; history (past, overdue, done, excused, cancelled) stays.

`sync_after_roster_change` is the roster's hook (roster/events.py, installed by
tracker.listeners): the roster calls it in the same transaction as its own change (contact points
set from the pages or the API, a roster import).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import Town
from tracker.db.models.tasks import Assignment
from tracker.domain.clock import due_instant, local_date, utc_now
from tracker.domain.errors import TaskRuleError
from tracker.domain.planning.periods import planned_periods
from tracker.domain.planning.roster_snapshot import load_roster
from tracker.domain.planning.schemas import RosterSyncResult
from tracker.domain.planning.service import AssignmentService, Plan, recurrence_of, who_of_assignment
from tracker.domain.planning.who import select_targets
from tracker.i18n import _


async def sync_roster(
    session: AsyncSession, town: Town, now: dt.datetime, *, today: dt.date | None = None
) -> RosterSyncResult:
    """Bring every active assignment's future tasks in line with the roster (see module notes)."""
    today = today or local_date(now, town.timezone)
    roster = await load_roster(session, town.id)
    assignments = (await session.scalars(
        select(Assignment).where(Assignment.town_id == town.id, Assignment.active.is_(True)).order_by(Assignment.id)
    )).all()  # fmt: skip
    service = AssignmentService(session, None)
    result = RosterSyncResult()
    reason = _("The roster changed: this work is no longer theirs")
    for assignment in assignments:
        recurrence, who = recurrence_of(assignment), who_of_assignment(assignment)
        try:
            periods = planned_periods(recurrence, today, town.timezone)
        except (TaskRuleError, ValueError):
            continue  # a stored schedule the rules now refuse: leave its tasks alone
        plan = Plan(who, recurrence, select_targets(who, roster, today), periods)
        counts = await service.replan(town, assignment, plan, now, reason=reason)
        if any(counts):
            result.per_assignment[assignment.id] = counts
        result.created += counts[0]
        result.closed += counts[1]
        result.reopened += counts[2]
    return result


def instant_for(today: dt.date, timezone: str, now: dt.datetime | None = None) -> dt.datetime:
    """`now` when given; the clock when `today` is the town's date now; else the start of `today`."""
    if now is not None:
        return now
    clock = utc_now()
    if local_date(clock, timezone) == today:
        return clock
    return due_instant(today - dt.timedelta(days=1), timezone)


async def sync_after_roster_change(
    session: AsyncSession, town: Town, today: dt.date, now: dt.datetime | None = None
) -> RosterSyncResult:
    """The roster's hook: sync tasks for the roster as of the town's `today`."""
    return await sync_roster(session, town, instant_for(today, town.timezone, now), today=today)
