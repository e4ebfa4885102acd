"""The demo town's last year, complete and finalised, and the village cadres' own visits.

`load_demo_last_year(session, town, now, seed=2026, finalise=True)` (after load_demo_work, which
makes the statutory assignments; the caller commits):
1. does nothing when the town already has tasks due last year or last year is finalised;
2. moves the start of the town's current contact links back to 1 January of last year (the demo's
   story: the links were there all along), by one UPDATE;
3. gives the village cadres an assignment of their own, "visit your villages every month"
   (seeds/meili/last_year.json), and a task per cadre x village (link `village`) x month, for last
   year and this year. The planner selects tier-1 officials' contact points only, so these tasks
   are made here and the assignment is kept inactive: a roster change or the planning horizon
   then leaves them as they are instead of replanning them per person without a place;
4. makes last year's tasks of the statutory visits, collective study and committee meetings with
   the planner's own rules (periods_in_year, select_targets, new_task), and decides what happened
   with work_plan.plan_task_work (on time, late, missed, excused); the committee met on its due
   days (25 June, 29 November). The lecture quota is this year's novelty: no tasks last year;
5. adds the work no task asked for, in the seed report's figures (last_year.json, varied by a few):
   lectures of three types, a film a month, seven performances, publicity at every outlet level,
   the two opinion incidents; keeps a few visits' issues as follow-ups and resolves most of them;
6. this year's cadre visits get what happened so far the same way (plan_task_work at `now`);
7. finalises last year (review.finalise.finalise_year as the system) when `finalise`.
Everything is written with bulk INSERTs (tasks with their final state, records, resolutions): the
record service refuses unplanned records over a year old and would take a flush per record. The
same seed gives the same data.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import User
from tracker.db.models.review import FinalisedYear, FollowUpResolution, StudyAppCount
from tracker.db.models.roster import ContactAssignment, ContactLink, Person, Place, PlaceKind, Tier, Town
from tracker.db.models.tasks import Assignment, Cadence, Record, Task, TaskStatus, WhoKind, WorkKind
from tracker.demo.work import DEFAULT_SEED, demo_work_texts
from tracker.demo.work_plan import (
    PlaceFacts,
    PlanContext,
    PlannedRecord,
    TaskFacts,
    happened_at,
    plan_task_work,
)
from tracker.domain.clock import local_date
from tracker.domain.planning.periods import periods_in_year
from tracker.domain.planning.roster_snapshot import load_roster
from tracker.domain.planning.service import new_task, recurrence_of, who_of_assignment
from tracker.domain.planning.who import RosterSnapshot, Target, people_below, select_targets
from tracker.domain.roster.rules import is_current
from tracker.domain.work.display import due_on
from tracker.domain.work.geo import distance_m, is_far
from tracker.domain.work.kinds import CultureForm
from tracker.i18n import _
from tracker.paths import seeds_dir

LAST_YEAR_TEMPLATES = ("contact_point_visits", "central_group_study", "committee_meetings")


@dataclass(frozen=True)
class LastYearReport:
    year: int
    tasks: int
    records: int
    created: bool
    finalised: bool

    def summary_line(self) -> str:
        numbers = {"year": self.year, "tasks": self.tasks, "records": self.records}
        if not self.created:
            return _("Demo year %(year)d already loaded: %(tasks)d tasks, %(records)d records", **numbers)
        line = _("Demo year %(year)d: %(tasks)d tasks, %(records)d records", **numbers)
        return line + (" · " + _("finalised") if self.finalised else "")


@cache
def last_year_texts() -> dict[str, Any]:
    with (seeds_dir() / "meili" / "last_year.json").open(encoding="utf-8") as texts:
        return json.load(texts)  # type: ignore[no-any-return]


async def load_demo_last_year(
    session: AsyncSession, town: Town, now: dt.datetime, seed: int = DEFAULT_SEED, *, finalise: bool = True
) -> LastYearReport:
    """Last year's work for the demo town and the cadres' village visits (module notes)."""
    year = local_date(now, town.timezone).year - 1
    if await _has_year(session, town, year):
        tasks, records = await _counts(session, town, year)
        final = bool(await session.scalar(select(FinalisedYear.id).where(
            FinalisedYear.town_id == town.id, FinalisedYear.year == year)))  # fmt: skip
        return LastYearReport(year, tasks, records, created=False, finalised=final)
    builder = LastYear(session, town, now, year, random.Random(seed * 7919 + year))
    await builder.build()
    # 学习强国: "注册人数超过全镇常住人口的30%" (the seed report); the town's population is on its roster
    session.add(StudyAppCount(town_id=town.id, year=year, registrations=int(builder.extra["study_app_registrations"]),
                              population=None, created_at=now, updated_at=now))  # fmt: skip
    await session.flush()
    finalised = False
    if finalise:
        from tracker.domain.review.finalise import finalise_year

        await finalise_year(session, None, town, year, now)
        finalised = True
    tasks, records = await _counts(session, town, year)
    return LastYearReport(year, tasks, records, created=True, finalised=finalised)


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


async def _has_year(session: AsyncSession, town: Town, year: int) -> bool:
    first, last = _year_bounds(year)
    return bool(await session.scalar(
        select(func.count()).select_from(Task)
        .where(Task.town_id == town.id, Task.period_start >= first, Task.period_start <= last)
    )) or bool(await session.scalar(
        select(FinalisedYear.id).where(FinalisedYear.town_id == town.id, FinalisedYear.year == year)
    ))  # fmt: skip


async def _counts(session: AsyncSession, town: Town, year: int) -> tuple[int, int]:
    first, last = _year_bounds(year)
    tasks = await session.scalar(select(func.count()).select_from(Task).where(
        Task.town_id == town.id, Task.period_start >= first, Task.period_start <= last))  # fmt: skip
    records = await session.scalar(select(func.count()).select_from(Record).where(
        Record.town_id == town.id, Record.occurred_on >= first, Record.occurred_on <= last))  # fmt: skip
    return int(tasks or 0), int(records or 0)


class LastYear:
    def __init__(
        self, session: AsyncSession, town: Town, now: dt.datetime, year: int, rng: random.Random
    ) -> None:
        self.session, self.town, self.now, self.year, self.rng = session, town, now, year, rng
        self.zone = town.timezone
        self.texts = demo_work_texts()
        self.extra = last_year_texts()
        self.keys = 0

    async def build(self) -> None:
        session, town = self.session, self.town
        await session.execute(
            update(ContactAssignment)
            .where(ContactAssignment.town_id == town.id, ContactAssignment.valid_to.is_(None),
                   ContactAssignment.valid_from > dt.date(self.year, 1, 1))
            .values(valid_from=dt.date(self.year, 1, 1))
        )  # fmt: skip
        roster = await load_roster(session, town.id)
        people = {p.id: p for p in (await session.scalars(
            select(Person).where(Person.town_id == town.id, Person.active.is_(True)).order_by(Person.id))).all()}  # fmt: skip
        places = {p.id: p for p in (await session.scalars(
            select(Place).where(Place.town_id == town.id).order_by(Place.id))).all()}  # fmt: skip
        self.places = places
        statutory = {a.template: a for a in (await session.scalars(
            select(Assignment).where(Assignment.town_id == town.id, Assignment.template.in_(LAST_YEAR_TEMPLATES))
            .order_by(Assignment.id))).all()}  # fmt: skip
        mid_year = dt.date(self.year, 6, 30)
        last: list[Task] = []
        for key in LAST_YEAR_TEMPLATES:
            if key in statutory:
                last += self._tasks(
                    statutory[key], select_targets(who_of_assignment(statutory[key]), roster, mid_year)
                )
        today = local_date(self.now, self.zone)
        cadres = sorted(p.id for p in people.values() if p.tier is Tier.VILLAGE_CADRE)
        villages = [Target(c.person_id, c.place_id) for c in roster.contacts
                    if c.link == ContactLink.VILLAGE and c.person_id in cadres and is_current(c.valid_from, c.valid_to, today)]  # fmt: skip
        cadre_visits = await self._cadre_assignment(cadres)
        last += self._tasks(cadre_visits, sorted(set(villages)))
        this = self._tasks(cadre_visits, sorted(set(villages)), year=today.year)
        officials = [p.id for p in people.values() if p.tier is Tier.SECTION_OFFICIAL]
        focus = self._focus(people, roster)
        past = self._context(officials, now=self.now, places=places)
        last_plan = plan_task_work([self._facts(t, i, focus) for i, t in enumerate(last)], past)
        this_plan = plan_task_work([self._facts(t, i, focus) for i, t in enumerate(this)], past)
        records = self._fix_meetings(last_plan.records, last) + self._unplanned(people, places, officials)
        self._keep_few_follow_ups(records)
        last_ids = await self._insert_tasks(last, last_plan)
        this_ids = await self._insert_tasks(this, this_plan)
        await self._insert_records(records, last_ids)
        await self._insert_records(this_plan.records, this_ids)

    # -- tasks -------------------------------------------------------------------------------

    async def _cadre_assignment(self, cadres: list[int]) -> Assignment:
        texts = self.extra["cadre_visits"]
        found = await self.session.scalar(select(Assignment).where(
            Assignment.town_id == self.town.id, Assignment.title == texts["title"], Assignment.kind == WorkKind.VISIT))  # fmt: skip
        if found is not None:
            return found
        assignment = Assignment(
            town_id=self.town.id, title=texts["title"], kind=WorkKind.VISIT, description=texts["description"],
            target_count=1, who_kind=WhoKind.PEOPLE, who_person_ids=cadres, cadence=Cadence.MONTHLY, active=False,
        )  # fmt: skip
        self.session.add(assignment)
        await self.session.flush()
        return assignment

    def _tasks(self, assignment: Assignment, targets: list[Target], year: int | None = None) -> list[Task]:
        periods = periods_in_year(recurrence_of(assignment), year or self.year, self.zone)
        return [new_task(self.town, assignment, target, period) for period in periods for target in targets]

    def _focus(self, people: dict[int, Person], roster: RosterSnapshot) -> set[int]:
        """The demo official and the people below them (their work due soon stays open, as work.py does)."""
        official = next((p for p in people.values() if p.code == self.texts["people"]["official"]), None)
        return set() if official is None else {official.id} | people_below(official.id, roster.people)

    def _context(self, officials: list[int], now: dt.datetime, places: dict[int, Place]) -> PlanContext:
        villages = [PlaceFacts(p.id, p.latitude, p.longitude) for p in places.values()
                    if p.kind is PlaceKind.NATURAL_VILLAGE]  # fmt: skip
        return PlanContext(now=now, timezone=self.zone, rng=self.rng, texts=self.texts, officials=officials,
                           places=villages)  # fmt: skip

    def _facts(self, task: Task, index: int, focus: set[int]) -> TaskFacts:
        place = self.places.get(task.place_id) if task.place_id is not None else None
        return TaskFacts(
            id=index, kind=WorkKind(task.kind), person_id=task.person_id,
            place=PlaceFacts(place.id, place.latitude, place.longitude) if place is not None else None,
            period_key=task.period_key, period_start=task.period_start,
            due_on=due_on(task.due_at, self.zone), due_at=task.due_at, target_count=task.target_count,
            focus=task.person_id in focus,
        )  # fmt: skip

    async def _insert_tasks(self, tasks: list[Task], plan: Any) -> list[int]:
        """The tasks with their final state (done when their records reach the target, closed when
        the last one happened; excused with a reason), in one INSERT; their ids in order."""
        counts: dict[int, list[dt.datetime]] = defaultdict(list)
        for record in plan.records:
            counts[record.task_id].append(record.at)
        excused = {e.task_id: e for e in plan.excuses}
        rows = []
        for index, task in enumerate(tasks):
            done = sorted(counts.get(index, []))
            row = {column: getattr(task, column) for column in (
                "town_id", "assignment_id", "person_id", "place_id", "slot", "period_key", "period_start",
                "period_end", "due_at", "title", "kind", "target_count")}  # fmt: skip
            row.update(done_count=len(done), status=TaskStatus.OPEN, status_reason="", closed_at=None)
            if index in excused:
                row.update(
                    status=TaskStatus.EXCUSED,
                    status_reason=excused[index].reason,
                    closed_at=excused[index].at,
                )
            elif len(done) >= task.target_count:
                row.update(status=TaskStatus.DONE, closed_at=done[-1])
            rows.append(row)
        if not rows:
            return []
        result = await self.session.scalars(
            insert(Task).returning(Task.id, sort_by_parameter_order=True), rows
        )
        return list(result.all())

    # -- records -----------------------------------------------------------------------------

    def _fix_meetings(self, records: list[PlannedRecord], tasks: list[Task]) -> list[PlannedRecord]:
        """The committee met on its due days (25 June, 29 November), as the report says."""
        for record in records:
            if record.kind is WorkKind.MEETING and record.task_id is not None:
                day = due_on(tasks[record.task_id].due_at, self.zone)
                record.occurred_on, record.at = day, happened_at(self._clockless(), day)
        return records

    def _clockless(self) -> PlanContext:
        return PlanContext(now=self.now, timezone=self.zone, rng=self.rng, texts=self.texts, officials=())

    def _unplanned(
        self, people: dict[int, Person], places: dict[int, Place], officials: list[int]
    ) -> list[PlannedRecord]:
        rng, extra, year = self.rng, self.extra, self.year
        context = self._clockless()
        codes = {p.code: p.id for p in people.values()}
        role = {
            name: [codes[c] for c in cs if c in codes]
            for name, cs in self.texts["people"].items()
            if isinstance(cs, list)
        }
        lecturers = [p.id for p in people.values() if p.tier in (Tier.SECTION_OFFICIAL, Tier.VILLAGE_CADRE)]
        villages = [p.id for p in places.values() if p.kind is PlaceKind.NATURAL_VILLAGE]
        records: list[PlannedRecord] = []

        def add(
            kind: WorkKind,
            who: list[int],
            fields: dict[str, Any],
            day: dt.date | None = None,
            place: bool = True,
        ) -> None:
            if not who:
                return
            day = day or dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
            records.append(PlannedRecord(kind, rng.choice(who), day, happened_at(context, day), fields=fields,
                                         place_id=rng.choice(villages) if place and villages else None))  # fmt: skip

        for lecture in extra["lectures"]:
            for _n in range(lecture["count"] + rng.randint(-3, 3)):
                add(
                    WorkKind.LECTURE, lecturers, {"topic": lecture["topic"], "audience": rng.randint(25, 180)}
                )
        for month in range(1, 13):
            add(WorkKind.CULTURE, role.get("culture", []), {"form": CultureForm.FILM.value, "audience": rng.randint(80, 300)},
                day=dt.date(year, month, rng.randint(1, 28)))  # fmt: skip
        for month in sorted(rng.sample(range(1, 13), extra["performances"])):
            add(WorkKind.CULTURE, role.get("culture", []), {"form": CultureForm.PERFORMANCE.value, "audience": rng.randint(200, 600)},
                day=dt.date(year, month, rng.randint(1, 28)))  # fmt: skip
        for level, count in extra["publicity"].items():
            for _n in range(count):
                add(WorkKind.PUBLICITY, role.get("publicity", []),
                    {"outlet_level": level, "title": rng.choice(self.texts["publicity"]["titles"]), "link": None},
                    place=False)  # fmt: skip
        for month, incident in zip((6, 10), self.texts["opinion"], strict=False):
            add(WorkKind.OPINION, role.get("opinion", officials), dict(incident), day=dt.date(year, month, rng.randint(5, 25)),
                place=False)  # fmt: skip
        return records

    def _keep_few_follow_ups(self, records: list[PlannedRecord]) -> None:
        """This year's rate of follow-ups is too many for a finished year: a few stay, the rest were
        settled on the spot."""
        flagged = [r for r in records if r.kind is WorkKind.VISIT and r.fields.get("needs_follow_up")]
        keep = set(map(id, self.rng.sample(flagged, min(self.extra["follow_ups"], len(flagged)))))
        for record in flagged:
            if id(record) not in keep:
                record.fields = {**record.fields, "needs_follow_up": False,
                                 "issues_found": self.rng.choice(self.texts["visit"]["issues_resolved"])}  # fmt: skip
        self.follow_ups = [r for r in flagged if id(r) in keep]

    async def _insert_records(self, planned: list[PlannedRecord], task_ids: list[int]) -> None:
        rows = []
        keys: dict[int, str] = {}
        for record in sorted(planned, key=lambda r: (r.at, r.person_id)):
            self.keys += 1
            key = (
                f"demo-{self.year}-{self.keys:05d}"
                if record.occurred_on.year == self.year
                else f"demo-cadre-{self.keys:05d}"
            )
            keys[id(record)] = key
            place = self.places.get(record.place_id) if record.place_id is not None else None
            distance = None
            if record.latitude is not None and place is not None and place.latitude is not None:
                distance = distance_m(record.latitude, record.longitude, place.latitude, place.longitude)  # type: ignore[arg-type]
            rows.append({
                "town_id": self.town.id, "task_id": task_ids[record.task_id] if record.task_id is not None else None,
                "person_id": record.person_id, "kind": record.kind, "occurred_on": record.occurred_on,
                "place_id": record.place_id, "fields": record.fields, "latitude": record.latitude,
                "longitude": record.longitude, "accuracy_m": record.accuracy_m,
                "located_at": record.at if record.latitude is not None else None, "distance_m": distance,
                "flagged_far": is_far(distance, self.town.far_record_meters), "client_key": key,
            })  # fmt: skip
        if not rows:
            return
        ids = list(
            (
                await self.session.scalars(
                    insert(Record).returning(Record.id, sort_by_parameter_order=True), rows
                )
            ).all()
        )
        by_key = dict(zip((row["client_key"] for row in rows), ids, strict=True))
        follow_ups = [r for r in getattr(self, "follow_ups", []) if id(r) in keys]
        await self._resolve(follow_ups, {id(r): by_key[keys[id(r)]] for r in follow_ups})

    async def _resolve(self, follow_ups: list[PlannedRecord], ids: dict[int, int]) -> None:
        """Most of last year's follow-ups were resolved, by the secretary, a few weeks after the visit."""
        if not follow_ups:
            return
        secretary = await self.session.scalar(
            select(User.id).join(Person, Person.id == User.person_id)
            .where(Person.town_id == self.town.id, Person.code == self.texts["people"].get("secretary", "S01"))
        )  # fmt: skip
        chosen = sorted(
            self.rng.sample(follow_ups, min(self.extra["resolved"], len(follow_ups))), key=lambda r: r.at
        )
        rows = [{
            "record_id": ids[id(r)], "resolved_at": min(r.at + dt.timedelta(days=self.rng.randint(3, 40)), self.now),
            "resolved_by_user_id": secretary, "note": self.rng.choice(self.extra["resolutions"]),
        } for r in chosen]  # fmt: skip
        await self.session.execute(insert(FollowUpResolution), rows)
        self.follow_ups = []


__all__ = ["LastYearReport", "last_year_texts", "load_demo_last_year"]
