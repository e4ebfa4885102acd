"""The desk's read model: what `DeskService.desk` returns for the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tracker.db.models.roster import Tier
from tracker.db.models.tasks import Record
from tracker.domain.board.schemas import EscalationMark
from tracker.domain.work.schemas import TaskView


@dataclass(frozen=True)
class OverdueCount:
    """Overdue work of one unit (None: people without a unit) in one tier."""

    tier: Tier
    unit_id: int | None
    unit_name: str
    people: int  # how many people have overdue work
    this_year: int  # overdue tasks due this year (the board's default year)
    earlier: int  # overdue tasks due in earlier years, still open
    oldest_due: dt.datetime

    @property
    def tasks(self) -> int:
        return self.this_year + self.earlier


@dataclass(frozen=True)
class TierOverdue:
    """A tier's overdue work: its units' counts (most overdue first) and their sum."""

    tier: Tier
    units: list[OverdueCount]

    @property
    def tasks(self) -> int:
        return sum(unit.tasks for unit in self.units)

    @property
    def people(self) -> int:
        return sum(unit.people for unit in self.units)


@dataclass(frozen=True)
class Listed:
    """The first items of a list and how many there are in all."""

    items: list = field(default_factory=list)  # type: ignore[type-arg]
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class Desk:
    year: int  # the town's current year
    overdue: list[TierOverdue]  # tier 1, 2, 3; tiers with nothing overdue left out
    due_this_week: Listed  # TaskView, soonest first
    escalated: Listed  # TaskView of open, overdue tasks reminders escalated, latest escalation first
    escalations: dict[int, list[EscalationMark]]  # task id -> who it was escalated to
    far: Listed  # Record, flagged far from its place in the last FAR_DAYS days, newest first
    follow_ups: Listed  # Record: visits needing follow-up with none recorded yet, oldest first

    @property
    def overdue_tasks(self) -> int:
        return sum(tier.tasks for tier in self.overdue)

    @property
    def overdue_earlier(self) -> int:
        return sum(unit.earlier for tier in self.overdue for unit in tier.units)


__all__ = ["Desk", "Listed", "OverdueCount", "Record", "TaskView", "TierOverdue"]
