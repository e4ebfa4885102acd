"""Planning's input and output shapes, shared by pages and the JSON API, and the read models its service returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from tracker.db.models.roster import Person, Place, Tier
from tracker.db.models.tasks import Assignment, Cadence, TaskStatus, WhoKind, WorkKind
from tracker.domain.inputs import Day, Id
from tracker.domain.planning.periods import Period
from tracker.domain.text import Line, Text


class WhoIn(BaseModel):
    """Who gets the work (see fanout.Who)."""

    model_config = ConfigDict(extra="forbid")

    kind: WhoKind
    person_ids: list[Id] = Field(default_factory=list, max_length=500)
    tier: Tier | None = None
    unit_id: Id | None = None
    official_id: Id | None = None
    place_ids: list[Id] | None = Field(default=None, max_length=500)


class WhenIn(BaseModel):
    """When it is due (see periods.Recurrence)."""

    model_config = ConfigDict(extra="forbid")

    cadence: Cadence
    due_date: Day | None = None
    due_day: int | None = None
    due_month: int | None = None
    rule: Line | None = Field(default=None, max_length=500)


class AssignmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Line = Field(min_length=1, max_length=200)
    kind: WorkKind
    description: Text = Field(default="", max_length=5000)
    target_count: int = Field(default=1, ge=1, le=100)
    who: WhoIn
    when: WhenIn
    template: Line | None = Field(default=None, max_length=64, description="a statutory template's key")


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    kind: WorkKind
    description: str
    target_count: int
    cadence: Cadence
    active: bool
    template: str | None = None
    who: WhoIn | None = None
    when: WhenIn | None = None
    task_count: int | None = Field(default=None, description="tasks made (on creation) or held, all states")
    status_counts: dict[str, int] | None = Field(default=None, description="the tasks it holds by status")


class PreviewOut(BaseModel):
    task_count: int
    people_count: int
    period_count: int
    targets: list[str] = Field(default_factory=list, description="who and where, for the preview list")


@dataclass
class Preview:
    task_count: int
    targets: list[tuple[Person, Place | None]]
    periods: list[Period]


@dataclass
class RosterSyncResult:
    created: int = 0
    closed: int = 0
    reopened: int = 0
    per_assignment: dict[int, tuple[int, int, int]] = field(default_factory=dict)


def assignment_out(
    assignment: Assignment, task_count: int | None = None, counts: AssignmentCounts | None = None
) -> AssignmentOut:
    # Built from what is stored, not checked again as input: a value kept before a check existed
    # must still be readable.
    who = WhoIn.model_construct(
        kind=assignment.who_kind,
        person_ids=list(assignment.who_person_ids or []),
        tier=assignment.who_tier,
        unit_id=assignment.who_unit_id,
        official_id=assignment.who_official_id,
        place_ids=None if assignment.who_place_ids is None else list(assignment.who_place_ids),
    )
    when = WhenIn.model_construct(
        cadence=assignment.cadence,
        due_date=assignment.due_date,
        due_day=assignment.due_day,
        due_month=assignment.due_month,
        rule=assignment.rule,
    )
    if counts is not None:
        task_count = counts.total
    status_counts = dict(counts.by_status) if counts is not None else None
    return AssignmentOut.model_validate(assignment).model_copy(
        update={"who": who, "when": when, "task_count": task_count, "status_counts": status_counts}
    )


def preview_out(preview: Preview) -> PreviewOut:
    return PreviewOut(
        task_count=preview.task_count,
        people_count=len({person.id for person, _place in preview.targets}),
        period_count=len(preview.periods),
        targets=[f"{person.name} · {place.name}" if place is not None else person.name
                 for person, place in preview.targets],
    )  # fmt: skip


@dataclass
class AssignmentCounts:
    """An assignment's tasks by state (its row on the assignments page, its `task_count` in the API)."""

    total: int = 0
    open: int = 0
    done: int = 0
    closed: int = 0  # excused, cancelled or reassigned
    by_status: dict[str, int] = field(default_factory=dict)  # every status's own count

    def add(self, status: TaskStatus, number: int) -> None:
        self.total += number
        self.by_status[status.value] = self.by_status.get(status.value, 0) + number
        if status is TaskStatus.OPEN:
            self.open += number
        elif status is TaskStatus.DONE:
            self.done += number
        else:
            self.closed += number
