"""The secretary's desk (工作台): what needs them today, each item linking into the board, a task or a
record. It reads work (tasks, records), reminders (escalations) and the review (open follow-ups),
so it sits above them all.

`DeskService(session, actor, scope=None).desk(town, now) -> Desk`:
- overdue work by tier and unit: open tasks whose due instant has come, counted per (tier, unit),
  this year's and earlier years' apart (the board shows a year at a time);
- due this week: open tasks due within the next seven local days, soonest first;
- escalated: open, overdue tasks that reminders escalated to a supervisor or the secretary (or a
  group robot), the latest escalation first, with whom they went to;
- far: records flagged far from their place in the last thirty days, newest first;
- follow-ups: visit records marked as needing follow-up with no follow-up recorded, oldest first.

Lists show their first `LIST_LIMIT` items and count the rest. The actor sees what the board shows
them (the secretary and viewers the town, an official their own people); members have no desk.
A fixed number of queries whatever the size of the town (tests/integration/test_desk.py counts them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tracker.db.models.accounts import Role
from tracker.db.models.reminders import OutboxItem, OutboxMessage
from tracker.db.models.review import FollowUpResolution
from tracker.db.models.roster import Person, Tier, Town, Unit
from tracker.db.models.tasks import Record, Task, TaskStatus
from tracker.domain.access import Actor
from tracker.domain.board.service import ESCALATIONS, escalation_marks
from tracker.domain.clock import local_date
from tracker.domain.desk.rules import LIST_LIMIT, far_since, group_overdue, week_end
from tracker.domain.desk.schemas import Desk, Listed, OverdueCount
from tracker.domain.errors import NotAllowed
from tracker.domain.review.material import needs_follow_up
from tracker.domain.scope import Reach, Scope
from tracker.domain.work.service import task_view, year_bounds
from tracker.i18n import _


class DeskService:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)

    async def desk(self, town: Town, now: dt.datetime) -> Desk:
        reach = await self.scope.reach(town)
        if self.actor is not None and self.actor.role is Role.MEMBER:
            raise NotAllowed(_("The desk is for the secretary, officials and viewers"))
        today = local_date(now, town.timezone)
        open_tasks = reach.filter(select(Task), Task).where(Task.status == TaskStatus.OPEN)
        due_soon = open_tasks.where(Task.due_at > now, Task.due_at <= week_end(today, town.timezone))
        escalated, escalations = await self._escalated(town, reach, now)
        return Desk(
            year=today.year,
            overdue=group_overdue(await self._overdue_counts(reach, now, town, today.year)),
            due_this_week=await self._tasks(due_soon.order_by(Task.due_at, Task.id), town, now),
            escalated=escalated,
            escalations=escalations,
            far=await self._records(
                reach.filter(select(Record), Record)
                .where(Record.flagged_far.is_(True), Record.occurred_on >= far_since(today))
                .order_by(Record.occurred_on.desc(), Record.id.desc())
            ),
            follow_ups=await self._records(
                reach.filter(select(Record), Record)
                .outerjoin(FollowUpResolution, FollowUpResolution.record_id == Record.id)
                .where(needs_follow_up(), FollowUpResolution.id.is_(None))
                .order_by(Record.occurred_on, Record.id)
            ),
        )

    async def _overdue_counts(
        self, reach: Reach, now: dt.datetime, town: Town, year: int
    ) -> list[OverdueCount]:
        """One grouped query: per tier and unit, the people with overdue work and the overdue tasks."""
        first, _last = year_bounds(year, town.timezone)
        query = reach.filter(
            select(Person.tier, Person.unit_id, func.coalesce(Unit.name, ""), func.count(func.distinct(Task.person_id)),
                   func.count(Task.id).filter(Task.due_at >= first), func.count(Task.id).filter(Task.due_at < first),
                   func.min(Task.due_at))
            .select_from(Task)
            .join(Person, Person.id == Task.person_id)
            .outerjoin(Unit, Unit.id == Person.unit_id)
            .where(Task.status == TaskStatus.OPEN, Task.due_at <= now)
            .group_by(Person.tier, Person.unit_id, Unit.name),
            Task,
        )  # fmt: skip
        return [
            OverdueCount(Tier(tier), unit_id, unit_name, int(people), int(this_year), int(earlier), oldest)
            for tier, unit_id, unit_name, people, this_year, earlier, oldest in (
                await self.session.execute(query)
            ).all()
        ]

    async def _tasks(self, query: Select[Any], town: Town, now: dt.datetime) -> Listed:
        """The first LIST_LIMIT tasks of `query` as views, and how many it finds in all (one query, a window count)."""
        rows = (await self.session.execute(
            query.add_columns(func.count().over())
            .options(selectinload(Task.person), selectinload(Task.place))
            .limit(LIST_LIMIT)
        )).all()  # fmt: skip
        return Listed([task_view(row[0], now, town.warning_days) for row in rows], rows[0][1] if rows else 0)

    async def _records(self, query: Select[Any]) -> Listed:
        rows = (await self.session.execute(
            query.add_columns(func.count().over())
            .options(selectinload(Record.person), selectinload(Record.place), selectinload(Record.task))
            .limit(LIST_LIMIT)
        )).all()  # fmt: skip
        return Listed([row[0] for row in rows], rows[0][1] if rows else 0)

    async def _escalated(self, town: Town, reach: Reach, now: dt.datetime) -> tuple[Listed, dict[int, Any]]:
        """Open, overdue tasks escalated by reminders, the latest escalation first; and to whom."""
        latest = (
            select(OutboxItem.task_id, func.max(OutboxMessage.created_at).label("at"))
            .join(OutboxMessage, OutboxMessage.id == OutboxItem.message_id)
            .where(OutboxMessage.town_id == town.id, OutboxItem.reason.in_(ESCALATIONS))
            .group_by(OutboxItem.task_id)
            .subquery()
        )
        query = (
            reach.filter(select(Task), Task)
            .join(latest, latest.c.task_id == Task.id)
            .where(Task.status == TaskStatus.OPEN, Task.due_at <= now)
            .order_by(latest.c.at.desc(), Task.due_at, Task.id)
        )
        listed = await self._tasks(query, town, now)
        shown = [view.task.id for view in listed.items]
        marks = (
            await escalation_marks(self.session, town.id, select(Task.id).where(Task.id.in_(shown)))
            if shown
            else {}
        )
        return listed, marks


__all__ = ["DeskService"]
