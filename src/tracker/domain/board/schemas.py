"""The board's read models (what the service returns) and the JSON shapes of them."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from tracker.db.models.reminders import ReminderReason
from tracker.db.models.roster import Person
from tracker.db.models.tasks import Record, WorkKind
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


class BoardRowOut(BaseModel):
    person_id: int
    person_name: str
    cells: list[BoardCellOut]


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


@dataclass
class BoardCell:
    light: Light
    task_ids: list[int]


@dataclass
class BoardRow:
    person: Person
    cells: list[BoardCell]  # one per column


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
    overdue: list[TaskView]
    flagged: list[Record]  # records logged far from their place, for the secretary
    escalations: dict[int, list[EscalationMark]] = field(default_factory=dict)  # task id -> marks (service.escalation_marks)

    def escalated_to(self, task_ids: list[int]) -> list[str]:
        """Who the tasks (a cell's) were escalated to, each name once."""
        names: list[str] = []
        for task_id in task_ids:
            for mark in self.escalations.get(task_id, []):
                if mark.recipient not in names:
                    names.append(mark.recipient)
        return names


def board_out(board: Board, year: int, cadence: str) -> BoardOut:
    return BoardOut(
        year=year,
        cadence=cadence,
        columns=board.columns,
        groups=[
            BoardGroupOut(label=group.label, rows=[
                BoardRowOut(person_id=row.person.id, person_name=row.person.name,
                            cells=[BoardCellOut(light=c.light, task_ids=c.task_ids) for c in row.cells])
                for row in group.rows
            ])
            for group in board.groups
        ],
        overdue=[view_out(v) for v in board.overdue],
        flagged=[record_out(r) for r in board.flagged],
    )  # fmt: skip
