"""Tasks services: the contract that pages and the JSON API call. Load -> rules -> save.

Every method checks the actor (tracker.domain.accounts.access): a town out of reach is NotFound
(OutOfReach), someone else's task is NotFound for a member (they may not even learn it exists)
and NotAllowed where the actor may see it but not act on it. Bad input raises
InvalidInput(message, fields={...}) and writes nothing. Times: `now` is an aware UTC datetime
passed in; periods and "today" are computed in the town's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import Person, Place, Town
from tracker.db.models.tasks import Assignment, Record, RecordPhoto, Task
from tracker.domain.accounts.access import Actor
from tracker.domain.tasks.kinds import WorkKind
from tracker.domain.tasks.lights import Light
from tracker.domain.tasks.periods import Period
from tracker.domain.tasks.schemas import AssignmentIn, RecordIn


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


# -- services ------------------------------------------------------------------------------------


class AssignmentService:
    def __init__(self, session: AsyncSession, actor: Actor | None) -> None:
        self.session = session
        self.actor = actor

    async def preview(self, town: Town, data: AssignmentIn, now: dt.datetime) -> Preview:
        """What `create` would make, without writing: for the htmx preview before saving."""
        raise NotImplementedError

    async def create(self, town: Town, data: AssignmentIn, now: dt.datetime) -> tuple[Assignment, int]:
        """Create the assignment and its tasks for the rest of the current year; returns (assignment, tasks made)."""
        raise NotImplementedError

    async def update(self, town: Town, assignment_id: int, data: AssignmentIn, now: dt.datetime) -> Assignment:
        """Change an assignment: only future open tasks follow; done/excused/cancelled ones never change."""
        raise NotImplementedError

    async def list(self, town: Town) -> Sequence[Assignment]:
        raise NotImplementedError

    async def get(self, town: Town, assignment_id: int) -> Assignment:
        raise NotImplementedError

    async def sync_roster(self, town: Town, now: dt.datetime) -> RosterSyncResult:
        """After a roster change: future tasks for new targets, close as reassigned those no longer wanted."""
        raise NotImplementedError


class TaskService:
    def __init__(self, session: AsyncSession, actor: Actor | None) -> None:
        self.session = session
        self.actor = actor

    async def my_work(self, now: dt.datetime) -> MyWork:
        raise NotImplementedError

    async def detail(self, task_id: int, now: dt.datetime) -> TaskDetail:
        raise NotImplementedError

    async def list(self, town: Town, now: dt.datetime, *, person_id: int | None = None,
                   status: str | None = None, year: int | None = None) -> list[TaskView]:
        raise NotImplementedError

    async def excuse(self, task_id: int, reason: str, now: dt.datetime) -> Task:
        raise NotImplementedError

    async def cancel(self, task_id: int, reason: str, now: dt.datetime) -> Task:
        raise NotImplementedError

    async def board(self, town: Town, filters: BoardFilter, now: dt.datetime) -> Board:
        raise NotImplementedError


class RecordService:
    def __init__(self, session: AsyncSession, actor: Actor | None, photo_dir: str, max_photo_bytes: int) -> None:
        self.session = session
        self.actor = actor
        self.photo_dir = photo_dir
        self.max_photo_bytes = max_photo_bytes

    async def create(
        self, town: Town, data: RecordIn, now: dt.datetime, *, task_id: int | None = None,
        kind: WorkKind | None = None, photos: Sequence[UploadedPhoto] = (),
    ) -> RecordResult:
        """File a record (for a task, or unplanned with `kind`); photos saved with it or not at all."""
        raise NotImplementedError

    async def list(self, town: Town, *, year: int | None = None, flagged_only: bool = False) -> list[Record]:
        raise NotImplementedError

    async def photo(self, photo_id: int, *, thumbnail: bool) -> PhotoFile:
        """The file of a photo, if the actor may see its record (else NotFound)."""
        raise NotImplementedError


__all__ = [
    "AssignmentService", "Board", "BoardCell", "BoardFilter", "BoardGroup", "BoardRow", "MyWork",
    "PhotoFile", "Preview", "RecordPhoto", "RecordResult", "RecordService", "RosterSyncResult",
    "TaskDetail", "TaskService", "TaskView", "UploadedPhoto",
]
