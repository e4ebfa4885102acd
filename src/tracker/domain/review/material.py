"""The material of the review's other sections, from the town's records of the year (to date), in SQL:

- 二 `follow_ups`: VISIT records marked as needing follow-up, with what was found, and their state:
  resolved (a FollowUpResolution: by whom, the user's person's name or else their login; the town-local
  day; the note) or open. Oldest first.
- 三 `opinions`: OPINION records (what happened, how it was handled), oldest first; `recurring`: places
  whose visits found issues (issues_found not blank) at least twice in the year, with how many of those
  still wait for a follow-up; most issues first, then by the place's code.
- 四 `next_year`: assignments with tasks whose period starts in the next year (cancelled and reassigned
  ones left out), with how many; in the order they were made.

`compute_material(session, town, year, now)` makes four queries whatever the size of the town. It is
the town's material: the service checks the actor may read it. Records count by `occurred_on` in the
year's window (figures.year_window).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from tracker.db.models.accounts import User
from tracker.db.models.review import FollowUpResolution
from tracker.db.models.roster import Person, Place, Town
from tracker.db.models.tasks import Assignment, Record, Task, TaskStatus, WorkKind
from tracker.domain.review.figures import field_text, year_window
from tracker.domain.review.schemas import FollowUp, Opinion, PlannedAssignment, Recurring

RECURRING_AT_LEAST = 2
Material = tuple[tuple[FollowUp, ...], tuple[Opinion, ...], tuple[Recurring, ...], tuple[PlannedAssignment, ...]]


def needs_follow_up() -> ColumnElement[bool]:
    return and_(Record.kind == WorkKind.VISIT, Record.fields["needs_follow_up"].as_boolean() == true())


def _in_window(town: Town, year: int, now: dt.datetime) -> ColumnElement[bool]:
    window = year_window(year, now, town.timezone)
    return and_(Record.town_id == town.id, Record.occurred_on >= dt.date(year, 1, 1),
                Record.occurred_on <= window.as_of)  # fmt: skip


async def _follow_ups(session: AsyncSession, town: Town, where: ColumnElement[bool]) -> tuple[FollowUp, ...]:
    resolver = aliased(Person)
    query = (
        select(Record.id, Record.occurred_on, Person.name, Place.name, field_text("issues_found"),
               FollowUpResolution.id, func.coalesce(resolver.name, User.login), FollowUpResolution.resolved_at,
               FollowUpResolution.note)
        .join(Person, Person.id == Record.person_id)
        .outerjoin(Place, Place.id == Record.place_id)
        .outerjoin(FollowUpResolution, FollowUpResolution.record_id == Record.id)
        .outerjoin(User, User.id == FollowUpResolution.resolved_by_user_id)
        .outerjoin(resolver, resolver.id == User.person_id)
        .where(where, needs_follow_up())
        .order_by(Record.occurred_on, Record.id)
    )  # fmt: skip
    zone = ZoneInfo(town.timezone)
    return tuple(
        FollowUp(record_id=record_id, day=day, person=person, place=place or "", issue=issue,
                 resolved=resolution_id is not None, resolved_by=by or "",
                 resolved_on=at.astimezone(zone).date() if at is not None else None, resolution=note or "")
        for record_id, day, person, place, issue, resolution_id, by, at, note in (await session.execute(query)).all()
    )  # fmt: skip


async def _opinions(session: AsyncSession, where: ColumnElement[bool]) -> tuple[Opinion, ...]:
    query = (
        select(Record.id, Record.occurred_on, Place.name, field_text("what_happened"), field_text("how_handled"))
        .outerjoin(Place, Place.id == Record.place_id)
        .where(where, Record.kind == WorkKind.OPINION)
        .order_by(Record.occurred_on, Record.id)
    )
    return tuple(Opinion(record_id, day, place or "", what, how)
                 for record_id, day, place, what, how in (await session.execute(query)).all())  # fmt: skip


async def _recurring(session: AsyncSession, where: ColumnElement[bool]) -> tuple[Recurring, ...]:
    issues = func.count(Record.id)
    open_ = func.count(Record.id).filter(needs_follow_up(), FollowUpResolution.id.is_(None))
    query = (
        select(Place.id, Place.name, issues, open_)
        .join(Place, Place.id == Record.place_id)
        .outerjoin(FollowUpResolution, FollowUpResolution.record_id == Record.id)
        .where(where, Record.kind == WorkKind.VISIT, field_text("issues_found") != "")
        .group_by(Place.id, Place.name, Place.code)
        .having(issues >= RECURRING_AT_LEAST)
        .order_by(issues.desc(), Place.code)
    )
    return tuple(Recurring(place_id, name, int(count), int(waiting))
                 for place_id, name, count, waiting in (await session.execute(query)).all())  # fmt: skip


async def _next_year(session: AsyncSession, town: Town, year: int) -> tuple[PlannedAssignment, ...]:
    tasks = func.count(Task.id)
    query = (
        select(Assignment.id, Assignment.title, Assignment.kind, tasks)
        .join(Task, Task.assignment_id == Assignment.id)
        .where(Assignment.town_id == town.id, Task.town_id == town.id,
               Task.period_start >= dt.date(year + 1, 1, 1), Task.period_start <= dt.date(year + 1, 12, 31),
               Task.status.not_in((TaskStatus.CANCELLED, TaskStatus.REASSIGNED)))
        .group_by(Assignment.id, Assignment.title, Assignment.kind)
        .order_by(Assignment.id)
    )  # fmt: skip
    return tuple(PlannedAssignment(assignment_id, title, WorkKind(kind).value, int(count))
                 for assignment_id, title, kind, count in (await session.execute(query)).all())  # fmt: skip


async def compute_material(session: AsyncSession, town: Town, year: int, now: dt.datetime) -> Material:
    """(follow_ups, opinions, recurring, next_year) of the town's year: see the module notes."""
    where = _in_window(town, year, now)
    return (
        await _follow_ups(session, town, where),
        await _opinions(session, where),
        await _recurring(session, where),
        await _next_year(session, town, year),
    )


__all__ = ["Material", "compute_material", "needs_follow_up"]
