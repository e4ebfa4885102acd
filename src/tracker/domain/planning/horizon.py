"""Keeping tasks ahead of time: the scheduler's planning job.

`keep_tasks_ahead(session, now)` brings every town's active assignments in line with the roster
for the periods `planned_periods` gives (this year's left, and next year's first once it is
close), so next January's tasks exist before 1 January and a new contact point gets its visits
without anyone acting. It is `sync_roster` over every town: idempotent by the task's unique slot
(running it twice creates nothing the second time) and it only changes future work.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import Town
from tracker.domain.planning.roster_sync import sync_roster


async def keep_tasks_ahead(session: AsyncSession, now: dt.datetime) -> int:
    """Make the tasks every town's assignments owe by `now`'s horizon; the number created."""
    created = 0
    for town in (await session.scalars(select(Town).order_by(Town.id))).all():
        created += (await sync_roster(session, town, now)).created
    return created
