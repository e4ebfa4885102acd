"""The views the tasks services return to pages and the JSON API (plain dataclasses).

Import them from `tracker.domain.tasks.services`, which re-exports every name here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.db.models.roster import Person, Place
from tracker.db.models.tasks import Record, Task
from tracker.domain.tasks.kinds import WorkKind
from tracker.domain.tasks.lights import Light
from tracker.domain.tasks.periods import Period


# -- views returned to pages and the API ---------------------------------------------------------


@dataclass
class TaskView:
    task: Task  # with .person, .place and .assignment loaded
    light: Light
    late: bool  # done after its due time (stays recorded as late)


@dataclass
class MyWork:
    """The phone's home screen for the signed-in person."""

    overdue: list[TaskView]
    due_this_week: list[TaskView]  # due within the next 7 local days, not overdue
    later: list[TaskView]
    recently_done: list[TaskView]  # done in the last 14 days


@dataclass
class TaskDetail:
    view: TaskView
    records: list[Record]  # with .photos loaded
    can_record: bool  # the actor may file a record for it now (own open task, or the secretary)
    can_excuse: bool  # the actor may excuse or cancel it (the town's secretary)


@dataclass
class Preview:
    task_count: int
    targets: list[tuple[Person, Place | None]]
    periods: list[Period]


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


@dataclass
class Board:
    columns: list[str]  # labels, e.g. "1月" … "12月" or "Q1" … "Q4"
    groups: list[BoardGroup]
    overdue: list[TaskView]
    flagged: list[Record]  # records logged far from their place, for the secretary


@dataclass
class RecordResult:
    record: Record
    task: Task | None
    created: bool  # False when the client key had been seen: the first result is returned


@dataclass
class UploadedPhoto:
    filename: str
    content: bytes


@dataclass
class PhotoFile:
    path: str
    content_type: str


@dataclass
class RosterSyncResult:
    created: int = 0
    closed: int = 0
    reopened: int = 0
    per_assignment: dict[int, tuple[int, int, int]] = field(default_factory=dict)
