"""The board's read models (what the service returns) and the JSON shapes of them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Generic, TypeVar

from pydantic import BaseModel

from tracker.db.models.reminders import ReminderReason
from tracker.db.models.roster import Person
from tracker.db.models.tasks import Record, TaskStatus, WorkKind
from tracker.domain.work.lights import Light
from tracker.domain.work.schemas import (
    RecordOut,
    TaskOut,
    TaskView,
    record_out,
    view_out,
)


class BoardCellOut(BaseModel):
    light: Light
    task_ids: list[int]


class PersonTotalsOut(BaseModel):
    due: int  # tasks due to date (cancelled and reassigned left out)
    done: int  # of those, done on time or late
    excused: int
    overdue: int
    completion: float | None  # done / (due - excused), None when nothing counts


class BoardRowOut(BaseModel):
    person_id: int
    person_name: str
    cells: list[BoardCellOut]
    totals: PersonTotalsOut


class BoardGroupOut(BaseModel):
    label: str
    rows: list[BoardRowOut]


class BoardOut(BaseModel):
    year: int
    cadence: str
    columns: list[str]
    groups: list[BoardGroupOut]
    overdue: list[TaskOut]
    flagged: list[RecordOut]


@dataclass
class BoardFilter:
    tier: str | None = None
    unit_id: int | None = None
    kind: WorkKind | None = None
    assignment_id: int | None = None
    year: int | None = None  # default: the town's current year
    cadence: str = "month"  # columns: "month" or "quarter"


@dataclass(frozen=True)
class GridTask:
    """A task as the board's grid needs it: read as columns, not loaded as an object (a town's year is
    hundreds of tasks; the few overdue ones are loaded whole for their list)."""

    id: int
    person_id: int
    status: TaskStatus
    due_at: dt.datetime
    light: Light


@dataclass
class BoardCell:
    light: Light
    task_ids: list[int]


@dataclass(frozen=True)
class PersonTotals:
    """A person's tasks on the board that are due to date, and what became of them (rules.person_totals)."""

    due: int = 0
    done: int = 0
    excused: int = 0
    overdue: int = 0

    @property
    def completion(self) -> Fraction | None:
        """Done out of due to date, excused work left out (the review's "done" measure); None: nothing due."""
        counted = self.due - self.excused
        return Fraction(self.done, counted) if counted > 0 else None

    def __add__(self, other: PersonTotals) -> PersonTotals:
        return PersonTotals(self.due + other.due, self.done + other.done, self.excused + other.excused,
                            self.overdue + other.overdue)  # fmt: skip


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list (rules.page_of): its items, its number (1-based) of `pages`, and the positions
    (1-based, inclusive) of its first and last items among `total`."""

    items: list[T]
    number: int
    pages: int
    total: int
    first: int
    last: int


@dataclass
class BoardRow:
    person: Person
    cells: list[BoardCell]  # one per column
    totals: PersonTotals = field(default_factory=PersonTotals)


@dataclass
class BoardGroup:
    label: str  # a tier name or a unit name, translated
    rows: list[BoardRow]


@dataclass(frozen=True)
class EscalationMark:
    """A task's late work was escalated by reminders to `recipient` (a person's name or a group robot)."""

    reason: ReminderReason  # ESCALATED_SUPERVISOR or ESCALATED_SECRETARY
    recipient: str
    group: bool = False  # a unit's or the town's group robot, not a person


@dataclass
class Board:
    columns: list[str]  # labels, e.g. "1月" … "12月" or "Q1" … "Q4"
    groups: list[BoardGroup]
    overdue: list[TaskView]  # the latest due first
    flagged: list[Record]  # records logged far from their place, for the secretary
    escalations: dict[int, list[EscalationMark]] = field(default_factory=dict)  # task id -> marks (service.escalation_marks)
    current_column: int | None = None  # today's month or quarter, when the board shows this year
    year: int = 0

    @property
    def totals(self) -> PersonTotals:
        """Everyone's totals added up."""
        return sum((row.totals for group in self.groups for row in group.rows), PersonTotals())

    @cached_property
    def _far_by_task(self) -> Counter[int | None]:
        return Counter(record.task_id for record in self.flagged)

    def far_in(self, task_ids: list[int]) -> int:
        """How many records far from their place were filed against these tasks (a cell's)."""
        return sum(self._far_by_task[task_id] for task_id in task_ids)

    def escalated_to(self, task_ids: list[int]) -> list[str]:
        """Who the tasks (a cell's) were escalated to, each name once."""
        names: list[str] = []
        for task_id in task_ids:
            for mark in self.escalations.get(task_id, []):
                if mark.recipient not in names:
                    names.append(mark.recipient)
        return names


def totals_out(totals: PersonTotals) -> PersonTotalsOut:
    completion = totals.completion
    return PersonTotalsOut(due=totals.due, done=totals.done, excused=totals.excused, overdue=totals.overdue,
                           completion=round(float(completion), 4) if completion is not None else None)  # fmt: skip


def board_out(board: Board, year: int, cadence: str) -> BoardOut:
    return BoardOut(
        year=year,
        cadence=cadence,
        columns=board.columns,
        groups=[
            BoardGroupOut(label=group.label, rows=[
                BoardRowOut(person_id=row.person.id, person_name=row.person.name,
                            cells=[BoardCellOut(light=c.light, task_ids=c.task_ids) for c in row.cells],
                            totals=totals_out(row.totals))
                for row in group.rows
            ])
            for group in board.groups
        ],
        overdue=[view_out(v) for v in board.overdue],
        flagged=[record_out(r) for r in board.flagged],
    )  # fmt: skip
