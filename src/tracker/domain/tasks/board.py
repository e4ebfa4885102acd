"""The secretary's board (督办台): people x months (or quarters) of a year, each cell the worst light
of that person's tasks falling due in it, with the overdue tasks and the records flagged as far.

Rows are the people with at least one task in the filtered set, grouped by tier (tier 1, 2, 3)
and then unit, ordered by person code. A task falls in the column of its local due day. The actor
sees the rows of the people whose work they may read (an official: themselves and everyone
below them); members have no board.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import get_month_names
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.db.models.accounts import Role
from tracker.db.models.roster import Person, Tier, Town, Unit
from tracker.db.models.tasks import Record, Task
from tracker.domain.clock import local_date
from tracker.domain.errors import InvalidInput, NotAllowed
from tracker.domain.tasks.kinds import WorkKind
from tracker.domain.tasks.lights import combine_lights, is_overdue
from tracker.domain.tasks.reach import reach_in
from tracker.domain.tasks.task_queries import check_year, in_year, task_view
from tracker.domain.tasks.views import Board, BoardCell, BoardFilter, BoardGroup, BoardRow, TaskView
from tracker.i18n import LazyText, _, current_locale, lazy_gettext

if TYPE_CHECKING:
    from tracker.domain.tasks.task_queries import TaskService

CADENCES = ("month", "quarter")
TIER_ORDER = {Tier.SECTION_OFFICIAL: 0, Tier.UNIT_HEAD: 1, Tier.VILLAGE_CADRE: 2}
TIER_GROUP_LABELS: dict[Tier, LazyText] = {
    Tier.SECTION_OFFICIAL: lazy_gettext("Section-level officials"),
    Tier.UNIT_HEAD: lazy_gettext("Heads of departments, stations and communities"),
    Tier.VILLAGE_CADRE: lazy_gettext("Village-contact cadres"),
}


def column_labels(cadence: str) -> list[str]:
    if cadence == "quarter":
        return [_("Q%(quarter)d", quarter=quarter) for quarter in range(1, 5)]
    names = get_month_names("abbreviated", locale=current_locale())
    return [str(names[month]) for month in range(1, 13)]


def column_of(due_at: dt.datetime, timezone: str, cadence: str) -> int:
    """The column (0-based) of work falling due at `due_at`: the month or quarter of its local due day."""
    due_on = due_at.astimezone(ZoneInfo(timezone)).date() - dt.timedelta(days=1)
    return (due_on.month - 1) // 3 if cadence == "quarter" else due_on.month - 1


def group_label(tier: Tier, unit: Unit | None) -> str:
    label = str(TIER_GROUP_LABELS[tier])
    return f"{label} · {unit.name}" if unit is not None else label


def _row_order(person: Person) -> tuple[int, str, str]:
    unit_name = person.unit.name if person.unit is not None else ""
    return TIER_ORDER[person.tier], unit_name, person.code


def _parse(filters: BoardFilter) -> tuple[Tier | None, WorkKind | None]:
    errors: dict[str, str] = {}
    tier = kind = None
    if filters.cadence not in CADENCES:
        errors["cadence"] = _("Choose months or quarters")
    try:
        tier = Tier(filters.tier) if filters.tier else None
    except ValueError:
        errors["tier"] = _("Choose a tier")
    try:
        kind = WorkKind(filters.kind) if filters.kind else None
    except ValueError:
        errors["kind"] = _("Choose a kind of work")
    try:
        check_year(filters.year)
    except InvalidInput as refused:
        errors.update(refused.fields)
    if errors:
        raise InvalidInput(next(iter(errors.values())), fields=errors)
    return tier, kind


async def build_board(service: TaskService, town: Town, filters: BoardFilter, now: dt.datetime) -> Board:
    session, actor = service.session, service.actor
    reach = await reach_in(session, actor, town)
    if actor is not None and actor.role is Role.MEMBER:
        raise NotAllowed(_("The board is for the secretary, officials and viewers"))
    tier, kind = _parse(filters)
    year = filters.year or local_date(now, town.timezone).year
    query = in_year(select(Task).join(Person, Person.id == Task.person_id).where(Task.town_id == town.id), year, town.timezone)
    readable = reach.readable_ids()
    if readable is not None:
        query = query.where(Task.person_id.in_(readable))
    if tier is not None:
        query = query.where(Person.tier == tier)
    if filters.unit_id is not None:
        query = query.where(Person.unit_id == filters.unit_id)
    if kind is not None:
        query = query.where(Task.kind == kind)
    if filters.assignment_id is not None:
        query = query.where(Task.assignment_id == filters.assignment_id)
    tasks = list((await session.scalars(
        query.options(selectinload(Task.person).selectinload(Person.unit), selectinload(Task.place),
                      selectinload(Task.assignment))
        .order_by(Task.due_at, Task.id)
    )).all())  # fmt: skip
    columns = column_labels(filters.cadence)
    views = [task_view(task, now, town.warning_days) for task in tasks]
    return Board(
        columns=columns,
        groups=_groups(views, len(columns), town.timezone, filters.cadence),
        overdue=[v for v in views if is_overdue(v.task.status, v.task.due_at, now)],
        flagged=await _flagged(service, town, year, readable),
    )


def _groups(views: Sequence[TaskView], width: int, timezone: str, cadence: str) -> list[BoardGroup]:
    by_person: dict[int, list[TaskView]] = {}
    for view in views:
        by_person.setdefault(view.task.person_id, []).append(view)
    people = sorted((items[0].task.person for items in by_person.values()), key=_row_order)
    groups: list[BoardGroup] = []
    for person in people:
        cells: list[list[TaskView]] = [[] for _column in range(width)]
        for view in by_person[person.id]:
            cells[column_of(view.task.due_at, timezone, cadence)].append(view)
        row = BoardRow(
            person=person,
            cells=[BoardCell(light=combine_lights(v.light for v in cell), task_ids=[v.task.id for v in cell])
                   for cell in cells],
        )  # fmt: skip
        label = group_label(person.tier, person.unit)
        if not groups or groups[-1].label != label:
            groups.append(BoardGroup(label=label, rows=[]))
        groups[-1].rows.append(row)
    return groups


async def _flagged(service: TaskService, town: Town, year: int, readable: set[int] | None) -> list[Record]:
    query = (
        select(Record)
        .where(Record.town_id == town.id, Record.flagged_far.is_(True))
        .where(Record.occurred_on >= dt.date(year, 1, 1), Record.occurred_on <= dt.date(year, 12, 31))
        .options(selectinload(Record.person), selectinload(Record.place), selectinload(Record.task),
                 selectinload(Record.photos))
        .order_by(Record.occurred_on.desc(), Record.id.desc())
    )  # fmt: skip
    if readable is not None:
        query = query.where(Record.person_id.in_(readable))
    return list((await service.session.scalars(query)).all())


__all__ = ["build_board", "column_labels", "column_of", "group_label"]
