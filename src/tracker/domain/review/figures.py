"""Section 一's figures for a town and year, each an SQL aggregate over the town's records and tasks.

Public API
- `YearWindow`, `year_window(year, now, timezone)`: what "the year" means at `now` in the town's
  zone. While the town-local day is inside the year the figures are "to date": `as_of` is today and
  `months` the months begun (January to the current one, so a session held this month counts against
  this month); otherwise `as_of` is 31 December and `months` 12 (a year not begun yet: nothing
  elapsed, `months` 0). Records count by `occurred_on` from 1 January to `as_of`; tasks count when
  their due instant falls in the year and, to date, has passed (`due_bound`).
- `compute_figures(session, town, year, now) -> Figures`, `compute_figures_for_towns(session, towns,
  year, now) -> {town_id: Figures}`: the same five queries whatever the number of towns, people and
  records (each grouped by town): counts (visits, study, opinion), categories (lectures by type,
  culture by form, publicity by outlet level), committee meetings, visit coverage, and the
  study-app registrations entered.

What each figure is:
- committee meetings: every MEETING record: its day, its task's title (an unplanned one: the first
  line of its minutes), its number of attendees;
- study: STUDY records: sessions, distinct months, attendances summed (attendee_ids' lengths);
- lectures: LECTURE records by their task's title (unplanned ones by their topic), with audiences;
- culture: CULTURE records by form; publicity: PUBLICITY records by outlet level (labels in the
  current locale from work.kinds' choices, in the choices' order; only the categories present);
- visits: every VISIT record; coverage cells: the VISIT tasks of contact-point assignments (one task
  = one official x contact point x period) due in the window, neither cancelled, reassigned nor
  excused (work nobody owes any longer); covered: done, or with a visit record filed against it;
- opinion incidents: OPINION records; handled: those whose how_handled is not blank;
- study-app registrations: what the secretary entered for the town and year (StudyAppCount; None
  when nothing was), measured against the population entered with them, else the town's.
Figures are the town's, whoever asks: the service checks the actor may read the town.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, exists, extract, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from tracker.db.models.review import StudyAppCount
from tracker.db.models.roster import Town
from tracker.db.models.tasks import Assignment, Record, Task, TaskStatus, WhoKind, WorkKind
from tracker.domain.clock import due_instant, local_date
from tracker.domain.review.schemas import Count, Figures, Meeting
from tracker.domain.work.kinds import RECORD_FIELDS
from tracker.i18n import _

NOT_OWED = (TaskStatus.CANCELLED, TaskStatus.REASSIGNED, TaskStatus.EXCUSED)
TITLE_FROM_MINUTES = 40  # characters of an unplanned meeting's minutes used as its title


@dataclass(frozen=True)
class YearWindow:
    year: int
    to_date: bool
    as_of: dt.date
    months: int
    first_due: dt.datetime  # tasks due from this instant ...
    due_bound: dt.datetime  # ... to this one (inclusive)


def year_window(year: int, now: dt.datetime, timezone: str) -> YearWindow:
    today = local_date(now, timezone)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    first_due, last_due = due_instant(first, timezone), due_instant(last, timezone)
    if today > last:
        return YearWindow(year, False, last, 12, first_due, last_due)
    if today < first:
        return YearWindow(year, True, today, 0, first_due, min(now, last_due))
    return YearWindow(year, True, today, today.month, first_due, min(now, last_due))


class json_array_length(FunctionElement[int]):  # named as the SQL function it compiles to
    """The length of the JSON array under `key` of a JSON column; 0 when it is missing or not an array."""

    type = Integer()
    inherit_cache = True


_KEY = re.compile(r"^[a-z_]+$")


def _column_and_key(element: json_array_length, compiler: Any, **kw: Any) -> tuple[str, str]:
    column, key = list(element.clauses)
    name = key.value
    if not _KEY.match(name):  # a key written in our code, never user input: still, keep SQL literal-safe
        raise ValueError(name)
    return compiler.process(column, **kw), name


@compiles(json_array_length, "sqlite")
def _sqlite_length(element: json_array_length, compiler: Any, **kw: Any) -> str:
    column, key = _column_and_key(element, compiler, **kw)
    return f"coalesce(json_array_length({column}, '$.{key}'), 0)"


@compiles(json_array_length, "postgresql")
def _pg_length(element: json_array_length, compiler: Any, **kw: Any) -> str:
    column, key = _column_and_key(element, compiler, **kw)
    value = f"({column} -> '{key}')"
    return f"(CASE WHEN jsonb_typeof({value}) = 'array' THEN jsonb_array_length({value}) ELSE 0 END)"


def field_text(name: str) -> ColumnElement[str]:
    """A record's text field, '' when absent or null, trimmed."""
    return func.trim(func.coalesce(Record.fields[name].as_string(), ""))


def _count_if(condition: ColumnElement[bool], value: Any = 1) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _records_in(windows: dict[YearWindow, list[int]]) -> ColumnElement[bool]:
    """Records of these towns that occurred inside their town's window."""
    return or_(*(
        and_(Record.town_id.in_(ids), Record.occurred_on >= dt.date(w.year, 1, 1), Record.occurred_on <= w.as_of)
        for w, ids in windows.items()
    ))  # fmt: skip


def _tasks_in(windows: dict[YearWindow, list[int]]) -> ColumnElement[bool]:
    return or_(*(
        and_(Task.town_id.in_(ids), Task.due_at >= w.first_due, Task.due_at <= w.due_bound)
        for w, ids in windows.items()
    ))  # fmt: skip


def _choice_labels(kind: WorkKind, name: str) -> list[tuple[str, str]]:
    spec = next(spec for spec in RECORD_FIELDS[kind] if spec.name == name)
    return [(value, str(label)) for value, label in spec.choices]


async def _counts(session: AsyncSession, where: ColumnElement[bool]) -> dict[int, dict[str, int]]:
    kind = Record.kind
    study = kind == WorkKind.STUDY
    opinion = kind == WorkKind.OPINION
    query = (
        select(
            Record.town_id,
            _count_if(kind == WorkKind.VISIT).label("visits_total"),
            _count_if(study).label("study_sessions"),
            func.count(func.distinct(case((study, extract("month", Record.occurred_on)), else_=None)))
            .label("study_months"),
            _count_if(study, json_array_length(Record.fields, "attendee_ids")).label("study_attendance"),
            _count_if(opinion).label("opinion_incidents"),
            _count_if(and_(opinion, field_text("how_handled") != "")).label("opinion_handled"),
        )
        .where(where, kind.in_([WorkKind.VISIT, WorkKind.STUDY, WorkKind.OPINION]))
        .group_by(Record.town_id)
    )  # fmt: skip
    return {row.town_id: {k: int(v) for k, v in row._mapping.items() if k != "town_id"}
            for row in (await session.execute(query)).all()}  # fmt: skip


async def _categories(session: AsyncSession, where: ColumnElement[bool]) -> dict[int, dict[WorkKind, list[Count]]]:
    key = case(
        (Record.kind == WorkKind.LECTURE, func.coalesce(Task.title, field_text("topic"))),
        (Record.kind == WorkKind.CULTURE, field_text("form")),
        else_=field_text("outlet_level"),
    )
    audience = func.coalesce(func.sum(Record.fields["audience"].as_integer()), 0)
    query = (
        select(Record.town_id, Record.kind, key.label("key"), func.count(Record.id), audience)
        .outerjoin(Task, Task.id == Record.task_id)
        .where(where, Record.kind.in_([WorkKind.LECTURE, WorkKind.CULTURE, WorkKind.PUBLICITY]))
        .group_by(Record.town_id, Record.kind, key)
    )
    found: dict[int, dict[WorkKind, dict[str, tuple[int, int]]]] = defaultdict(lambda: defaultdict(dict))
    for town_id, kind, value, count, reached in (await session.execute(query)).all():
        found[town_id][WorkKind(kind)][value or ""] = (int(count), int(reached))
    choices = {WorkKind.CULTURE: _choice_labels(WorkKind.CULTURE, "form"),
               WorkKind.PUBLICITY: _choice_labels(WorkKind.PUBLICITY, "outlet_level")}  # fmt: skip
    result: dict[int, dict[WorkKind, list[Count]]] = {}
    for town_id, kinds in found.items():
        result[town_id] = {}
        for kind, counts in kinds.items():
            if kind in choices:
                known = [Count(value, label, *counts[value]) for value, label in choices[kind] if value in counts]
                labelled = {value for value, _label in choices[kind]}
                others = [Count(v, v or _("Not given"), *c) for v, c in sorted(counts.items()) if v not in labelled]
                result[town_id][kind] = known + others
            else:  # lectures: the most held type first, then by name (the same order on both engines)
                ordered = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
                result[town_id][kind] = [Count(v, v or _("Not given"), *c) for v, c in ordered]
    return result


def _meeting_title(task_title: str | None, minutes: str | None) -> str:
    if task_title:
        return task_title
    first_line = (minutes or "").strip().splitlines()[0].strip() if (minutes or "").strip() else ""
    return first_line[:TITLE_FROM_MINUTES] or _("Committee meeting")


async def _meetings(session: AsyncSession, where: ColumnElement[bool]) -> dict[int, list[Meeting]]:
    query = (
        select(Record.town_id, Record.id, Record.occurred_on, Task.title, Record.fields["minutes"].as_string(),
               json_array_length(Record.fields, "attendee_ids"))
        .outerjoin(Task, Task.id == Record.task_id)
        .where(where, Record.kind == WorkKind.MEETING)
        .order_by(Record.town_id, Record.occurred_on, Record.id)
    )  # fmt: skip
    found: dict[int, list[Meeting]] = defaultdict(list)
    for town_id, record_id, day, title, minutes, attendees in (await session.execute(query)).all():
        found[town_id].append(Meeting(record_id, day, _meeting_title(title, minutes), int(attendees or 0)))
    return found


def visit_cells_query(where: ColumnElement[bool]) -> Any:
    """(town_id, person_id, cells, covered) of the contact-point visit tasks `where` selects."""
    visited = exists().where(Record.task_id == Task.id, Record.kind == WorkKind.VISIT)
    covered = or_(Task.done_count > 0, visited)
    return (
        select(Task.town_id, Task.person_id, func.count(Task.id), _count_if(covered))
        .join(Assignment, Assignment.id == Task.assignment_id)
        .where(where, Task.kind == WorkKind.VISIT, Task.place_id.is_not(None),
               Assignment.who_kind == WhoKind.CONTACT_POINTS, Task.status.not_in(NOT_OWED))
        .group_by(Task.town_id, Task.person_id)
    )  # fmt: skip


async def _coverage(session: AsyncSession, where: ColumnElement[bool]) -> dict[int, tuple[int, int]]:
    found: dict[int, tuple[int, int]] = {}
    for town_id, _person_id, cells, covered in (await session.execute(visit_cells_query(where))).all():
        before = found.get(town_id, (0, 0))
        found[town_id] = (before[0] + int(cells), before[1] + int(covered))
    return found


async def _study_app(session: AsyncSession, town_ids: list[int], year: int) -> dict[int, StudyAppCount]:
    query = select(StudyAppCount).where(StudyAppCount.town_id.in_(town_ids), StudyAppCount.year == year)
    return {row.town_id: row for row in (await session.scalars(query)).all()}


def windows_of(towns: Sequence[Town], year: int, now: dt.datetime) -> tuple[dict[int, YearWindow], dict[YearWindow, list[int]]]:
    """Each town's window, and the towns sharing each window (one for a county in one zone)."""
    by_town = {town.id: year_window(year, now, town.timezone) for town in towns}
    grouped: dict[YearWindow, list[int]] = defaultdict(list)
    for town_id, window in by_town.items():
        grouped[window].append(town_id)
    return by_town, dict(grouped)


async def compute_figures_for_towns(
    session: AsyncSession, towns: Sequence[Town], year: int, now: dt.datetime
) -> dict[int, Figures]:
    if not towns:
        return {}
    by_town, grouped = windows_of(towns, year, now)
    records, tasks = _records_in(grouped), _tasks_in(grouped)
    counts = await _counts(session, records)
    categories = await _categories(session, records)
    meetings = await _meetings(session, records)
    coverage = await _coverage(session, tasks)
    study_app = await _study_app(session, [town.id for town in towns], year)
    result: dict[int, Figures] = {}
    for town in towns:
        window, numbers, kinds = by_town[town.id], counts.get(town.id, {}), categories.get(town.id, {})
        lectures = tuple(kinds.get(WorkKind.LECTURE, ()))
        cells, covered = coverage.get(town.id, (0, 0))
        entered = study_app.get(town.id)
        result[town.id] = Figures(
            town_code=town.code, town_name=town.name, year=year, to_date=window.to_date, as_of=window.as_of,
            committee_meetings=tuple(meetings.get(town.id, ())),
            study_sessions=numbers.get("study_sessions", 0), study_months=numbers.get("study_months", 0),
            months_in_year=window.months, study_attendance=numbers.get("study_attendance", 0),
            lectures=lectures, lectures_total=sum(c.count for c in lectures),
            culture=tuple(kinds.get(WorkKind.CULTURE, ())), publicity=tuple(kinds.get(WorkKind.PUBLICITY, ())),
            visits_total=numbers.get("visits_total", 0), visit_cells=cells, visit_cells_covered=covered,
            population=(entered.population if entered and entered.population else town.population) or 0,
            study_app_registrations=entered.registrations if entered else None,
            opinion_incidents=numbers.get("opinion_incidents", 0), opinion_handled=numbers.get("opinion_handled", 0),
        )  # fmt: skip
    return result


async def compute_figures(session: AsyncSession, town: Town, year: int, now: dt.datetime) -> Figures:
    return (await compute_figures_for_towns(session, [town], year, now))[town.id]


__all__ = [
    "YearWindow", "compute_figures", "compute_figures_for_towns", "field_text", "json_array_length",
    "visit_cells_query", "windows_of", "year_window",
]  # fmt: skip
