"""What lies behind each number of a person's scorecard: the tasks a count counts, or the town's
study sessions and meetings with whether the person attended, for one year (to date while it runs).

Public API
- `WORK_MEASURES`: the lists a scorecard links to, in the order the page offers them: the task
  counts (due, done, on_time, late, overdue, excused), the visit cells (their contact-point visit
  tasks, each one official x contact point x period) and attendance (study, meetings). `MEASURE_LABELS`: their
  lazily translated names.
- `PersonWork`: the person, the year, the measure, and either `tasks` (TaskViews) or `sessions`
  ((record, attended) pairs).
- `person_work(session, reach, town, person_id, year, now, measure)`: checks the person is the town's
  and readable through `reach` (NotFound otherwise) and the measure known (InvalidInput on field
  "measure"); the tasks come from scorecards.measure_tasks, the same conditions as the counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import Person, Town
from tracker.db.models.tasks import Record, WorkKind
from tracker.domain.clock import local_date
from tracker.domain.errors import InvalidInput, NotFound
from tracker.domain.review.scorecards import attendance_records, measure_tasks
from tracker.domain.scope import Reach
from tracker.domain.work.schemas import TaskView
from tracker.domain.work.service import task_view
from tracker.i18n import LazyText, _, lazy_gettext

MEASURE_LABELS: dict[str, LazyText] = {
    "due": lazy_gettext("Tasks due"),
    "done": lazy_gettext("Tasks done"),
    "on_time": lazy_gettext("Done on time"),
    "late": lazy_gettext("Done late"),
    "overdue": lazy_gettext("Open past due"),
    "excused": lazy_gettext("Excused"),
    "visit_cells": lazy_gettext("Contact point visits due"),
    "study": lazy_gettext("Study sessions"),
    "meetings": lazy_gettext("Meetings"),
}
WORK_MEASURES: tuple[str, ...] = tuple(MEASURE_LABELS)
SESSION_KINDS = {"study": WorkKind.STUDY, "meetings": WorkKind.MEETING}


@dataclass(frozen=True)
class PersonWork:
    person: Person
    year: int
    to_date: bool
    measure: str
    tasks: list[TaskView] = field(default_factory=list)
    sessions: list[tuple[Record, bool]] = field(default_factory=list)

    @property
    def count(self) -> int:
        """The number the scorecard shows for this measure (sessions: attended)."""
        if self.measure in SESSION_KINDS:
            return sum(1 for _record, attended in self.sessions if attended)
        return len(self.tasks)


async def person_work(
    session: AsyncSession, reach: Reach, town: Town, person_id: int, year: int, now: dt.datetime, measure: str
) -> PersonWork:
    if measure not in MEASURE_LABELS:
        message = _("Choose one of the scorecard's numbers")
        raise InvalidInput(message, fields={"measure": message})
    person = await session.scalar(select(Person).where(Person.id == person_id, Person.town_id == town.id))
    if person is None or not reach.may_read(person.id):
        raise NotFound(_("No person %(id)s", id=person_id))
    to_date = year >= local_date(now, town.timezone).year
    if measure in SESSION_KINDS:
        sessions = await attendance_records(
            session, reach, town, year, now, person.id, SESSION_KINDS[measure]
        )
        return PersonWork(person, year, to_date, measure, sessions=sessions)
    tasks = await measure_tasks(session, reach, town, year, now, person.id, measure)
    views = [task_view(task, now, town.warning_days) for task in tasks]
    return PersonWork(person, year, to_date, measure, tasks=views)


__all__ = ["MEASURE_LABELS", "PersonWork", "WORK_MEASURES", "person_work"]
