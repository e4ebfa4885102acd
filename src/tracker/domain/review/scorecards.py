"""The scorecards of a town's year: each person's tasks, visit coverage and attendance, counted in SQL
with GROUP BY, then scored and ranked by the pure rules (rules.py), with summaries by tier and unit.

`measure_tasks(session, reach, town, year, now, person_id, measure)` and `attendance_records(...)`:
the tasks (sessions) behind one number of a card, selected by the same conditions the counts use.

`compute_scorecards(session, town, year, now, weights, reach=None)` makes three queries whatever the
number of people, tasks and records: the people, their tasks' counts (one row per person), and the
attendee lists of the year's study sessions and meetings (counted in Python: the same on SQLite and
PostgreSQL). It checks no access itself: the review service does, and may pass the actor's `reach`
(tracker.domain.scope) to narrow the cards to the people whose work the actor reads; without one
the whole town is counted (the system's own reach).

What is counted (the year "to date" while it is not over: `now` cuts it)
- people: the town's active people, and anyone else with a task counted below (someone who left);
- tasks: the town's tasks falling due in the year (local due day in the year) at or before `now`,
  cancelled and reassigned ones left out (closed by the secretary or by a roster change: not
  counted against anyone). due = done + overdue + excused; done = on_time + late, where on time is
  closed before the due instant (work.lights: done at or after it is late); overdue = still open.
- visit cells: such tasks of kind visit with a place, from contact-point assignments, open or done
  (excused cells left out); covered when at least one visit was recorded (done_count > 0, or a
  visit record filed against it): the same cells as figures.visit_cells_query, so the town's
  coverage is the sum of the cards'.
- study and meetings: the town's study (meeting) records of the year up to the town-local day of
  `now`; held = how many, the same for everyone; attended = how many list the person among their
  attendees.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tracker.db.models.roster import Person, Town, Unit
from tracker.db.models.tasks import Assignment, Record, Task, TaskStatus, WhoKind, WorkKind
from tracker.domain.clock import local_date
from tracker.domain.review.rules import TIER_ORDER, rank, score, summarise, tier_label
from tracker.domain.review.schemas import GroupSummary, Scorecard
from tracker.domain.scope import Reach
from tracker.domain.work.service import TASK_LOADS, year_bounds
from tracker.i18n import _

COUNTED = (TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.EXCUSED)
CELL_STATES = (TaskStatus.OPEN, TaskStatus.DONE)

Cards = tuple[tuple[Scorecard, ...], tuple[GroupSummary, ...], tuple[GroupSummary, ...]]


def _flag(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _task_window(town: Town, year: int, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    first, last = year_bounds(year, town.timezone)
    return first, min(last, now)


def _record_window(town: Town, year: int, now: dt.datetime) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), local_date(now, town.timezone))


def _task_conditions() -> dict[str, Any]:
    """What each task count of a card counts, as a condition on Task (joined to its Assignment): the
    one definition the counts and the lists behind them (`measure_tasks`) share."""
    done = Task.status == TaskStatus.DONE
    visited = exists().where(Record.task_id == Task.id, Record.kind == WorkKind.VISIT)
    cell = and_(Task.kind == WorkKind.VISIT, Task.place_id.is_not(None),
                Assignment.who_kind == WhoKind.CONTACT_POINTS, Task.status.in_(CELL_STATES))  # fmt: skip
    return {
        "due": Task.status.in_(COUNTED),
        "done": done,
        "on_time": and_(done, or_(Task.closed_at.is_(None), Task.closed_at < Task.due_at)),
        "late": and_(done, Task.closed_at >= Task.due_at),
        "overdue": Task.status == TaskStatus.OPEN,
        "excused": Task.status == TaskStatus.EXCUSED,
        "visit_cells": cell,
        "visit_cells_covered": and_(cell, or_(Task.done_count > 0, visited)),
    }


TASK_MEASURES = tuple(_task_conditions())  # due, done, on_time, late, overdue, excused, visit_cells, ..._covered


def _counted_tasks(town: Town, year: int, now: dt.datetime) -> Any:
    first, upto = _task_window(town, year, now)
    return (
        select(Task).join(Assignment, Assignment.id == Task.assignment_id)
        .where(Task.due_at >= first, Task.due_at <= upto, Task.status.in_(COUNTED))
    )  # fmt: skip


async def _task_counts(
    session: AsyncSession, reach: Reach, town: Town, year: int, now: dt.datetime
) -> dict[int, dict[str, int]]:
    """person id -> due, done, on_time, late, overdue, excused, visit_cells, visit_cells_covered."""
    columns = {name: _flag(condition) for name, condition in _task_conditions().items()}
    query = (
        _counted_tasks(town, year, now)
        .with_only_columns(Task.person_id, *(c.label(name) for name, c in columns.items()))
        .group_by(Task.person_id)
    )
    rows = (await session.execute(reach.filter(query, Task))).all()
    return {row.person_id: {name: int(getattr(row, name)) for name in columns} for row in rows}


async def measure_tasks(
    session: AsyncSession, reach: Reach, town: Town, year: int, now: dt.datetime, person_id: int, measure: str
) -> list[Task]:
    """The person's tasks behind one count of their card (a name of TASK_MEASURES), by due time: the
    same tasks the count counts, so a page can link each number to its list."""
    query = _counted_tasks(town, year, now).where(Task.person_id == person_id, _task_conditions()[measure])
    query = reach.filter(query, Task).options(*TASK_LOADS).order_by(Task.due_at, Task.id)
    return list((await session.scalars(query)).all())


async def attendance_records(
    session: AsyncSession, reach: Reach, town: Town, year: int, now: dt.datetime, person_id: int, kind: WorkKind
) -> list[tuple[Record, bool]]:
    """The town's study sessions (or meetings) of the year to date, each with whether the person
    attended: the sessions held and attended of their card, newest first."""
    first, upto = _record_window(town, year, now)
    query = reach.filter(
        select(Record).where(Record.kind == kind, Record.occurred_on >= first, Record.occurred_on <= upto),
        Record, people=False,
    ).options(selectinload(Record.task)).order_by(Record.occurred_on.desc(), Record.id.desc())  # fmt: skip
    records = (await session.scalars(query)).all()
    return [(record, person_id in _ids((record.fields or {}).get("attendee_ids"))) for record in records]


async def _people(
    session: AsyncSession, reach: Reach, with_tasks: set[int]
) -> list[tuple[Person, Unit | None]]:
    query = reach.filter(
        select(Person, Unit).outerjoin(Unit, Unit.id == Person.unit_id)
        .where(or_(Person.active.is_(True), Person.id.in_(with_tasks or {-1}))),
        Person, people=False,
    )  # fmt: skip
    readable = reach.readable_ids()
    if readable is not None:
        query = query.where(Person.id.in_(readable or {-1}))
    return [(person, unit) for person, unit in (await session.execute(query)).all()]


def _ids(value: Any) -> set[int]:
    """The attendee ids of one record's fields (ints, or digit strings from older data)."""
    if not isinstance(value, list):
        return set()
    found = set()
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool):
            found.add(item)
        elif isinstance(item, str) and item.isascii() and item.isdecimal():
            found.add(int(item))
    return found


async def _attendance(
    session: AsyncSession, reach: Reach, town: Town, year: int, now: dt.datetime
) -> tuple[Counter[tuple[WorkKind, int]], Counter[WorkKind]]:
    """(kind, person id) -> sessions attended, and kind -> sessions held, for study and meetings."""
    first, upto = _record_window(town, year, now)
    query = reach.filter(
        select(Record.kind, Record.fields["attendee_ids"])
        .where(Record.kind.in_((WorkKind.STUDY, WorkKind.MEETING)),
               Record.occurred_on >= first, Record.occurred_on <= upto),
        Record, people=False,
    )  # fmt: skip
    attended: Counter[tuple[WorkKind, int]] = Counter()
    held: Counter[WorkKind] = Counter()
    for kind, attendee_ids in (await session.execute(query)).all():
        kind = WorkKind(kind)
        held[kind] += 1
        for person_id in _ids(attendee_ids):
            attended[kind, person_id] += 1
    return attended, held


async def compute_scorecards(
    session: AsyncSession,
    town: Town,
    year: int,
    now: dt.datetime,
    weights: Mapping[str, int],
    reach: Reach | None = None,
) -> Cards:
    """(cards by rank, summaries by tier, summaries by unit) of the town's year (see the module notes)."""
    reach = reach or Reach(None, town.id, frozenset())
    counts = await _task_counts(session, reach, town, year, now)
    people = await _people(session, reach, set(counts))
    attended, held = await _attendance(session, reach, town, year, now)
    unit_codes: dict[int, str] = {}
    unit_names: dict[str, str] = {"": _("No unit")}
    cards = []
    for person, unit in people:
        unit_codes[person.id] = unit.code if unit is not None else ""
        if unit is not None:
            unit_names[unit.code] = unit.name
        card = Scorecard(
            person_id=person.id, name=person.name, tier=person.tier.value,
            unit=unit.name if unit is not None else "",
            **counts.get(person.id, {}),
            study_attended=attended[WorkKind.STUDY, person.id], study_held=held[WorkKind.STUDY],
            meetings_attended=attended[WorkKind.MEETING, person.id], meetings_held=held[WorkKind.MEETING],
        )  # fmt: skip
        cards.append(dataclasses.replace(card, score=score(card, weights)))
    ranked = rank(cards)
    by_tier = summarise(ranked, lambda c: c.tier, tier_label, TIER_ORDER)
    by_unit = summarise(ranked, lambda c: unit_codes[c.person_id], lambda code: unit_names[code])
    return ranked, by_tier, by_unit
