"""The board's pure rules: its columns (months or quarters), which column a due time falls in (and
which one is today's), the order and labels of its groups and rows, each person's totals and
completion rate, the overdue list's order and its pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, TypeVar, get_args
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

from tracker.db.models.roster import Person, Tier, Unit
from tracker.db.models.tasks import TaskStatus
from tracker.domain.board.schemas import BoardCell, BoardGroup, BoardRow, GridTask, Page, PersonTotals
from tracker.domain.work.lights import combine_lights, is_overdue
from tracker.domain.work.schemas import TaskView
from tracker.i18n import LazyText, _, current_locale, lazy_gettext

BoardCadence = Literal["month", "quarter"]  # the board's columns: months or quarters
CADENCES: tuple[str, ...] = get_args(BoardCadence)


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


def current_column(today: dt.date, year: int, cadence: str) -> int | None:
    """Today's column on a board of `year` (None when the board shows another year)."""
    if today.year != year:
        return None
    return (today.month - 1) // 3 if cadence == "quarter" else today.month - 1


COUNTED = (TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.EXCUSED)  # cancelled and reassigned work counts against nobody


def person_totals(tasks: Iterable[GridTask], now: dt.datetime) -> PersonTotals:
    """The tasks due to date (due instant come, cancelled and reassigned left out), how many of them
    are done (on time or late), excused and overdue: the review's "done" measure, on the board's tasks."""
    due = done = excused = overdue = 0
    for task in tasks:
        if task.status not in COUNTED or task.due_at > now:
            continue
        due += 1
        done += task.status is TaskStatus.DONE
        excused += task.status is TaskStatus.EXCUSED
        overdue += is_overdue(task.status, task.due_at, now)
    return PersonTotals(due=due, done=done, excused=excused, overdue=overdue)


def newest_first(views: Iterable[TaskView]) -> list[TaskView]:
    """The overdue list's order: the latest due first (the oldest at the end of the last page)."""
    return sorted(views, key=lambda v: (v.task.due_at, v.task.id), reverse=True)


T = TypeVar("T")


def page_of(items: Sequence[T], number: int | None, size: int) -> Page[T]:
    """Page `number` (1-based) of `items`, `size` a page; a number past either end is the nearest page."""
    pages = max(1, -(-len(items) // size))
    number = min(max(number or 1, 1), pages)
    start = (number - 1) * size
    return Page(items=list(items[start : start + size]), number=number, pages=pages, total=len(items),
                first=start + 1 if items else 0, last=min(start + size, len(items)))  # fmt: skip


def group_label(tier: Tier, unit: Unit | None) -> str:
    label = str(TIER_GROUP_LABELS[tier])
    return f"{label} · {unit.name}" if unit is not None else label


def row_order(person: Person) -> tuple[int, str, str]:
    unit_name = person.unit.name if person.unit is not None else ""
    return TIER_ORDER[person.tier], unit_name, person.code


def group_rows(
    tasks: Sequence[GridTask], people: Mapping[int, Person], width: int, timezone: str, cadence: str,
    now: dt.datetime,
) -> list[BoardGroup]:
    """The board's rows: each person with tasks (`people` holds them, with their units), in tier, unit
    and code order, each cell the worst light of the person's tasks falling due in its column."""
    by_person: dict[int, list[GridTask]] = {}
    for task in tasks:
        by_person.setdefault(task.person_id, []).append(task)
    groups: list[BoardGroup] = []
    for person in sorted((people[person_id] for person_id in by_person), key=row_order):
        cells: list[list[GridTask]] = [[] for _column in range(width)]
        for task in by_person[person.id]:
            cells[column_of(task.due_at, timezone, cadence)].append(task)
        row = BoardRow(
            person=person,
            cells=[BoardCell(light=combine_lights(t.light for t in cell), task_ids=[t.id for t in cell])
                   for cell in cells],
            totals=person_totals(by_person[person.id], now),
        )  # fmt: skip
        label = group_label(person.tier, person.unit)
        if not groups or groups[-1].label != label:
            groups.append(BoardGroup(label=label, rows=[]))
        groups[-1].rows.append(row)
    return groups
