"""Evidence where people look for it: a place's visits and coverage by month, a person's records and
scorecard of a year, and a visit's follow-up marked resolved with a note.

Public API (`EvidenceService(session, actor, scope=None)`)
- `place_history(town, place_id, year, now) -> PlaceHistory`: the visits at the place in the year
  (who, the local day, what was raised and found, photo ids, the follow-up's state), newest first,
  and twelve `MonthCoverage` cells: visit tasks at the place due in that month (cancelled and
  reassigned ones left out) and how many of them have at least one visit. Anyone who reads the
  town opens it; the visits and tasks counted are those of the people whose work the actor reads
  (the scope's rule: everyone for the secretary, admins and viewers; an official's own and their
  people's; a member's own).
- `person_record(town, person_id, year, now) -> PersonYear`: the records the person filed in the
  year (kind, day, place, a one-line summary), newest first, and their scorecard, taken from
  `scorecards.compute_scorecards` for the town and filtered to the person (None while that module
  is not there). For the person, their supervisors (officials above them), the town's secretary,
  admins and viewers; anyone else is told the person's work does not exist (NotFound).
- `resolve_follow_up(town, record_id, note, now) -> FollowUpResolution`: for a visit record marked
  as needing follow-up; by the town's secretary or an admin, the record's author or an official
  above them (a viewer: NotAllowed; someone who can't read the record: NotFound). An empty or bad
  note is a field message (`note`); a second resolution is a Conflict. A finalised year does not
  stop it: the follow-up is not the record, and open ones carry over into the next year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tracker.db.models.accounts import Role, User
from tracker.db.models.review import FollowUpResolution, ScoreWeights
from tracker.db.models.roster import Person, Place, Town
from tracker.db.models.tasks import Record, Task, TaskStatus, WorkKind
from tracker.domain.access import Actor
from tracker.domain.clock import local_date
from tracker.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tracker.domain.review.schemas import Scorecard
from tracker.domain.scope import Reach, Scope
from tracker.domain.text import text_problem
from tracker.domain.work.display import due_on, show_field
from tracker.domain.work.kinds import record_fields
from tracker.domain.work.service import check_year, in_year
from tracker.i18n import _

NOTE_LIMIT = 2000
SUMMARY_LIMIT = 80
NOT_COUNTED = (TaskStatus.CANCELLED, TaskStatus.REASSIGNED)


@dataclass(frozen=True)
class Resolution:
    note: str
    resolved_on: dt.date  # the town-local day
    resolved_by: str  # the resolver's name (their person's, else their login)


@dataclass(frozen=True)
class Visit:
    record_id: int
    day: dt.date
    person_id: int
    person: str
    place_id: int
    people_met: str
    issues_raised: str
    issues_found: str
    needs_follow_up: bool
    photo_ids: tuple[int, ...] = ()
    resolution: Resolution | None = None
    may_resolve: bool = False

    @property
    def follow_up_open(self) -> bool:
        return self.needs_follow_up and self.resolution is None


@dataclass(frozen=True)
class MonthCoverage:
    month: int
    due: int  # visit tasks at the place due in the month
    covered: int  # of them, with at least one visit
    visits: int  # visits at the place that month (planned or not)

    @property
    def share(self) -> float | None:
        return self.covered / self.due if self.due else None


@dataclass(frozen=True)
class PlaceHistory:
    place: Place
    year: int
    to_date: bool
    visits: list[Visit] = field(default_factory=list)
    months: list[MonthCoverage] = field(default_factory=list)

    @property
    def due(self) -> int:
        return sum(m.due for m in self.months)

    @property
    def covered(self) -> int:
        return sum(m.covered for m in self.months)

    @property
    def open_follow_ups(self) -> int:
        return sum(v.follow_up_open for v in self.visits)


@dataclass(frozen=True)
class RecordLine:
    record_id: int
    kind: WorkKind
    day: dt.date
    place: str
    summary: str
    task_id: int | None


@dataclass(frozen=True)
class PersonYear:
    person: Person
    year: int
    to_date: bool
    records: list[RecordLine] = field(default_factory=list)
    scorecard: Scorecard | None = None


def summary_of(kind: WorkKind, fields: dict[str, Any]) -> str:
    """One line saying what a record was about, from its kind's fields (cut to SUMMARY_LIMIT)."""
    keys = {
        WorkKind.VISIT: ("issues_found", "issues_raised", "people_met"),
        WorkKind.STUDY: ("minutes",), WorkKind.MEETING: ("minutes",),
        WorkKind.LECTURE: ("topic",), WorkKind.CULTURE: ("form",),
        WorkKind.PUBLICITY: ("title",), WorkKind.OPINION: ("what_happened",), WorkKind.CUSTOM: ("note",),
    }.get(kind, ())  # fmt: skip
    specs = {spec.name: spec for spec in record_fields(kind)}
    for key in keys:
        text = show_field(specs[key], fields.get(key), {}) if key in specs else ""
        if text:
            line = " ".join(text.split())
            return line if len(line) <= SUMMARY_LIMIT else line[: SUMMARY_LIMIT - 1] + "…"
    return ""


class EvidenceService:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)

    # -- a place ---------------------------------------------------------------------------

    async def place_history(self, town: Town, place_id: int, year: int, now: dt.datetime) -> PlaceHistory:
        check_year(year)
        reach = await self.scope.reach(town)
        place = await self.session.scalar(select(Place).where(Place.id == place_id, Place.town_id == town.id))
        if place is None:
            raise NotFound(_("No place %(id)s", id=place_id))
        records = list((await self.session.scalars(
            reach.filter(select(Record), Record)
            .where(Record.kind == WorkKind.VISIT, Record.place_id == place.id,
                   Record.occurred_on >= dt.date(year, 1, 1), Record.occurred_on <= dt.date(year, 12, 31))
            .options(selectinload(Record.person), selectinload(Record.photos))
            .order_by(Record.occurred_on.desc(), Record.id.desc())
        )).all())  # fmt: skip
        resolutions = await self._resolutions(town, [r.id for r in records])
        visits = [self._visit(reach, r, resolutions.get(r.id)) for r in records]
        tasks = (await self.session.execute(
            in_year(reach.filter(select(Task.id, Task.due_at), Task), year, town.timezone)
            .where(Task.kind == WorkKind.VISIT, Task.place_id == place.id, Task.status.not_in(NOT_COUNTED))
        )).all()  # fmt: skip
        visited = set((await self.session.scalars(
            select(Record.task_id).where(Record.task_id.in_([t.id for t in tasks]), Record.kind == WorkKind.VISIT)
        )).all()) if tasks else set()  # fmt: skip
        due = [0] * 13
        covered = [0] * 13
        for task_id, due_at in tasks:
            month = due_on(due_at, town.timezone).month
            due[month] += 1
            covered[month] += task_id in visited
        visits_by_month = [0] * 13
        for record in records:
            visits_by_month[record.occurred_on.month] += 1
        months = [MonthCoverage(m, due[m], covered[m], visits_by_month[m]) for m in range(1, 13)]
        return PlaceHistory(place, year, year >= local_date(now, town.timezone).year, visits, months)

    def _visit(self, reach: Reach, record: Record, resolution: Resolution | None) -> Visit:
        values = record.fields or {}
        return Visit(
            record_id=record.id, day=record.occurred_on, person_id=record.person_id, person=record.person.name,
            place_id=record.place_id or 0,
            people_met=str(values.get("people_met") or ""), issues_raised=str(values.get("issues_raised") or ""),
            issues_found=str(values.get("issues_found") or ""), needs_follow_up=bool(values.get("needs_follow_up")),
            photo_ids=tuple(p.id for p in record.photos), resolution=resolution,
            may_resolve=may_resolve(reach, record.person_id),
        )  # fmt: skip

    async def _resolutions(self, town: Town, record_ids: list[int]) -> dict[int, Resolution]:
        if not record_ids:
            return {}
        rows = (await self.session.execute(
            select(FollowUpResolution, User.login, Person.name)
            .outerjoin(User, User.id == FollowUpResolution.resolved_by_user_id)
            .outerjoin(Person, Person.id == User.person_id)
            .where(FollowUpResolution.record_id.in_(record_ids))
        )).all()  # fmt: skip
        return {
            row.record_id: Resolution(row.note, local_date(row.resolved_at, town.timezone), name or login or "")
            for row, login, name in rows
        }

    # -- a person --------------------------------------------------------------------------

    async def person_record(self, town: Town, person_id: int, year: int, now: dt.datetime) -> PersonYear:
        check_year(year)
        reach = await self.scope.reach(town)
        person = await self.session.scalar(
            select(Person).where(Person.id == person_id, Person.town_id == town.id).options(selectinload(Person.unit))
        )
        if person is None or not reach.may_read(person.id):
            raise NotFound(_("No person %(id)s", id=person_id))
        records = (await self.session.scalars(
            select(Record).where(Record.town_id == town.id, Record.person_id == person.id,
                                 Record.occurred_on >= dt.date(year, 1, 1), Record.occurred_on <= dt.date(year, 12, 31))
            .options(selectinload(Record.place))
            .order_by(Record.occurred_on.desc(), Record.id.desc())
        )).all()  # fmt: skip
        lines = [
            RecordLine(r.id, WorkKind(r.kind), r.occurred_on, r.place.name if r.place else "",
                       summary_of(WorkKind(r.kind), r.fields or {}), r.task_id)
            for r in records
        ]  # fmt: skip
        to_date = year >= local_date(now, town.timezone).year
        return PersonYear(person, year, to_date, lines, await self._scorecard(town, person.id, year, now))

    async def _scorecard(self, town: Town, person_id: int, year: int, now: dt.datetime) -> Scorecard | None:
        """The person's card from the town's scorecards (ranked among everyone: the rank needs them all)."""
        try:
            from tracker.domain.review import rules, scorecards
        except ImportError:  # the scorecards are being written alongside
            return None
        stored = await self.session.scalar(select(ScoreWeights.weights).where(ScoreWeights.town_id == town.id))
        weights = dict(stored or rules.DEFAULT_WEIGHTS)
        cards, _by_tier, _by_unit = await scorecards.compute_scorecards(self.session, town, year, now, weights)
        return next((card for card in cards if card.person_id == person_id), None)

    # -- a follow-up -----------------------------------------------------------------------

    async def resolve_follow_up(self, town: Town, record_id: int, note: str, now: dt.datetime) -> FollowUpResolution:
        reach = await self.scope.reach(town)
        missing = NotFound(_("No record %(id)s", id=record_id))
        record = await self.session.scalar(reach.filter(select(Record), Record).where(Record.id == record_id))
        if record is None:
            raise missing
        if not may_resolve(reach, record.person_id):
            raise NotAllowed(_("Only the town's secretary, the visit's author or their supervisors may resolve it"))
        if record.kind is not WorkKind.VISIT or not (record.fields or {}).get("needs_follow_up"):
            message = _("This record has no issue waiting for follow-up")
            raise InvalidInput(message, fields={"record_id": message})
        text = clean_note(note)
        if await self.session.scalar(select(FollowUpResolution.id).where(FollowUpResolution.record_id == record.id)):
            raise already_resolved()
        resolution = FollowUpResolution(
            record_id=record.id, resolved_at=now, note=text,
            resolved_by_user_id=self.actor.user_id if self.actor is not None else None,
        )  # fmt: skip
        try:
            async with self.session.begin_nested():
                self.session.add(resolution)
                await self.session.flush()
        except IntegrityError:  # resolved at the same moment by someone else
            raise already_resolved() from None
        return resolution

    async def visit(self, town: Town, record_id: int) -> Visit:
        """One visit as place_history shows it (the row htmx swaps after resolving)."""
        reach = await self.scope.reach(town)
        record = await self.session.scalar(
            reach.filter(select(Record), Record).where(Record.id == record_id, Record.kind == WorkKind.VISIT)
            .options(selectinload(Record.person), selectinload(Record.photos))
        )  # fmt: skip
        if record is None:
            raise NotFound(_("No record %(id)s", id=record_id))
        resolutions = await self._resolutions(town, [record.id])
        return self._visit(reach, record, resolutions.get(record.id))


def may_resolve(reach: Reach, person_id: int) -> bool:
    """The town's secretary or an admin, the author, or an official above them (a viewer never)."""
    actor = reach.actor
    if actor is None or reach.manages:
        return True
    if actor.role is Role.VIEWER:
        return False
    return actor.person_id == person_id or (actor.role is Role.OFFICIAL and person_id in reach.below)


def clean_note(note: str) -> str:
    text = (note or "").strip()
    problem = None
    if not text:
        problem = _("Say how it was resolved")
    elif len(text) > NOTE_LIMIT:
        problem = _("At most %(maximum)d characters", maximum=NOTE_LIMIT)
    else:
        problem = text_problem(text, single_line=False)
    if problem:
        raise InvalidInput(problem, fields={"note": problem})
    return text


def already_resolved() -> Conflict:
    message = _("This follow-up is already resolved")
    return Conflict(message, fields={"note": message})


__all__ = [
    "EvidenceService", "MonthCoverage", "PersonYear", "PlaceHistory", "RecordLine", "Resolution", "Visit",
    "clean_note", "may_resolve", "summary_of",
]  # fmt: skip
