"""The board's pure rules: its columns (months or quarters), which column a due time falls in, the order and labels of its groups and rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

from tracker.db.models.roster import Person, Tier, Unit
from tracker.domain.board.schemas import BoardCell, BoardGroup, BoardRow
from tracker.domain.work.lights import combine_lights
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


def group_label(tier: Tier, unit: Unit | None) -> str:
    label = str(TIER_GROUP_LABELS[tier])
    return f"{label} · {unit.name}" if unit is not None else label


def row_order(person: Person) -> tuple[int, str, str]:
    unit_name = person.unit.name if person.unit is not None else ""
    return TIER_ORDER[person.tier], unit_name, person.code


def group_rows(views: Sequence[TaskView], width: int, timezone: str, cadence: str) -> list[BoardGroup]:
    by_person: dict[int, list[TaskView]] = {}
    for view in views:
        by_person.setdefault(view.task.person_id, []).append(view)
    people = sorted((items[0].task.person for items in by_person.values()), key=row_order)
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
