"""The demo town's year of work: this year's statutory assignments, with records up to today.

`load_demo_work(session, town, now, seed=2026)` (the caller commits):
1. does nothing when the town already has assignments: a second `tracker demo` changes nothing
   (a demo started again on a later day keeps the work it was given on its first day);
2. creates the four statutory assignments (templates.py) through AssignmentService as the
   system (actor None). The service materialises only the periods not over yet, so the past
   periods of this year are added here with the service's own rules (periods_in_year,
   select_targets on today's roster, new_task with its slot format). A schedule with no date
   left this year (the committee meetings in December) is created as of 1 January instead;
3. files what happened (work_plan.py, seeded with random.Random(seed)) through
   RecordService.file_batch: the same checks, record and counting as a submission, batched
   (no per-submission lock or client-key lookup). Where a submission would close a task at
   `now`, a demo task is closed when its last record happened (a working hour on its day in the
   town's zone), so late work shows as late and the rest as on time. Excuses go through
   TaskService.excuse (the reason is logged), and their closed_at is then set back likewise;
4. makes sure the demo official (S05 李雅琴) and the village cadres below them each have an
   overdue task, one due this week and one due later, and that the town shows every light (red,
   yellow, green, done): when this year's statutory work doesn't give that on `today` (the first
   days of January, the last days of December, the middle of a quarter), a one-off assignment
   does: due three days ago (the demo's unit heads below the official did theirs on time; it is
   made as of a week before its due day, since the service refuses a date already past), due
   tomorrow, or due in three weeks.
No photos: the demo stays light. Chinese texts and the roles of people are data in
seeds/meili/work.json.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import ContactLink, Person, Place, PlaceKind, Tier, Town
from tracker.db.models.tasks import Assignment, Record, Task, TaskStatus, WorkKind
from tracker.demo.work_plan import (
    PlaceFacts,
    PlanContext,
    PlannedRecord,
    TaskFacts,
    happened_at,
    plan_task_work,
    plan_unplanned,
)
from tracker.domain.clock import due_instant, local_date
from tracker.domain.errors import InvalidInput
from tracker.domain.planning.periods import periods_in_year
from tracker.domain.planning.roster_snapshot import load_roster
from tracker.domain.planning.schemas import AssignmentIn
from tracker.domain.planning.service import (
    AssignmentService,
    new_task,
    recurrence_of,
    slot_of,
    who_of_assignment,
)
from tracker.domain.planning.statutory import STATUTORY_TEMPLATES
from tracker.domain.planning.who import RosterSnapshot, people_below, select_targets
from tracker.domain.roster.rules import is_current
from tracker.domain.work.lights import Light, is_overdue, task_light
from tracker.domain.work.records import BatchRecord, RecordService
from tracker.domain.work.schemas import RecordIn
from tracker.domain.work.service import WEEK_DAYS, TaskService
from tracker.i18n import _
from tracker.paths import seeds_dir

DEFAULT_SEED = 2026
# one-off work for the focus people: (category, days from today to its due day)
ONE_OFFS = (("overdue", -3), ("this_week", 1), ("later", 21))


@dataclass(frozen=True)
class DemoWorkReport:
    assignments: int
    tasks: int
    records: int
    created: bool  # False: the town had work already and nothing was done

    def summary_line(self) -> str:
        numbers = {"assignments": self.assignments, "tasks": self.tasks, "records": self.records}
        if self.created:
            return _(
                "Demo work: %(assignments)d assignments, %(tasks)d tasks, %(records)d records", **numbers
            )
        return _("Demo work already loaded: %(assignments)d assignments, %(tasks)d tasks, %(records)d records",
                 **numbers)  # fmt: skip


@cache
def demo_work_texts() -> dict[str, Any]:
    with (seeds_dir() / "meili" / "work.json").open(encoding="utf-8") as texts:
        return json.load(texts)  # type: ignore[no-any-return]


async def load_demo_work(
    session: AsyncSession, town: Town, now: dt.datetime, seed: int = DEFAULT_SEED
) -> DemoWorkReport:
    """Give the demo town this year's work up to `now` (see the module notes); the caller commits."""
    if await _count(session, Assignment, town):
        return await _report(session, town, created=False)
    await DemoYear(session, town, now, random.Random(seed)).build()
    return await _report(session, town, created=True)


async def _count(session: AsyncSession, model: type[Assignment | Task | Record], town: Town) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(model).where(model.town_id == town.id)) or 0
    )


async def _report(session: AsyncSession, town: Town, *, created: bool) -> DemoWorkReport:
    counts = [await _count(session, model, town) for model in (Assignment, Task, Record)]
    return DemoWorkReport(*counts, created=created)


class DemoYear:
    def __init__(self, session: AsyncSession, town: Town, now: dt.datetime, rng: random.Random) -> None:
        self.session, self.town, self.now, self.rng = session, town, now, rng
        self.zone = town.timezone
        self.today = local_date(now, self.zone)
        self.texts = demo_work_texts()
        self.assignments = AssignmentService(session, None)
        self.records = RecordService(session, None, photo_dir="", max_photo_bytes=0)
        self.places: dict[int, Place] = {}
        self.filed = 0

    async def build(self) -> None:
        roster = await load_roster(self.session, self.town.id)
        people = await self._people()
        places = self.places = await self._places()
        context = self._context(people, places, roster)
        focus = self._focus(people, roster)
        for template in STATUTORY_TEMPLATES:
            try:
                assignment, _made = await self.assignments.create_from_template(
                    self.town, template.key, self.now
                )
            except InvalidInput:  # no date left this year (the committee meetings in December)
                start = self._instant(dt.date(self.today.year, 1, 1))
                assignment, _made = await self.assignments.create_from_template(
                    self.town, template.key, start
                )
            await self._backfill(assignment, roster)
        tasks = list((await self.session.scalars(
            select(Task).where(Task.town_id == self.town.id).order_by(Task.due_at, Task.id)
        )).all())  # fmt: skip
        plan = plan_task_work([self._facts(task, places, focus) for task in tasks], context)
        await self._file(plan.records + plan_unplanned(context))
        for excuse in plan.excuses:
            task = await TaskService(self.session, None).excuse(excuse.task_id, excuse.reason, self.now)
            task.closed_at = excuse.at
        await self.session.flush()
        await self._one_offs(focus, people, context)

    # -- the roster ----------------------------------------------------------------------------

    async def _people(self) -> dict[str, Person]:
        rows = await self.session.scalars(
            select(Person).where(Person.town_id == self.town.id, Person.active.is_(True)).order_by(Person.id)
        )
        return {person.code: person for person in rows}

    async def _places(self) -> dict[int, Place]:
        rows = await self.session.scalars(
            select(Place).where(Place.town_id == self.town.id).order_by(Place.id)
        )
        return {place.id: place for place in rows}

    def _context(
        self, people: dict[str, Person], places: dict[int, Place], roster: RosterSnapshot
    ) -> PlanContext:
        by_id = {person.id: person for person in people.values()}
        facts = {pid: PlaceFacts(pid, place.latitude, place.longitude) for pid, place in places.items()}
        villages: dict[int, list[PlaceFacts]] = {}
        for link in roster.contacts:
            if link.link == ContactLink.VILLAGE and is_current(link.valid_from, link.valid_to, self.today):
                villages.setdefault(link.person_id, []).append(facts[link.place_id])
        roles = {role: [people[code].id for code in codes if code in people]
                 for role, codes in self.texts["people"].items() if isinstance(codes, list)}  # fmt: skip
        return PlanContext(
            now=self.now,
            timezone=self.zone,
            rng=self.rng,
            texts=self.texts,
            officials=[p.id for p in by_id.values() if p.tier is Tier.SECTION_OFFICIAL],
            villages=villages,
            places=[facts[pid] for pid, place in places.items() if place.kind is PlaceKind.NATURAL_VILLAGE],
            people=roles,
            lecturers=[p.id for p in by_id.values() if p.tier in (Tier.SECTION_OFFICIAL, Tier.VILLAGE_CADRE)],
        )

    def _focus(self, people: dict[str, Person], roster: RosterSnapshot) -> list[int]:
        """The demo official and the village cadres below them: the demo accounts' people."""
        official = people.get(self.texts["people"]["official"])
        if official is None:
            return []
        below = people_below(official.id, roster.people)
        cadres = [p.id for p in people.values() if p.id in below and p.tier is Tier.VILLAGE_CADRE]
        return [official.id, *cadres]

    # -- tasks -------------------------------------------------------------------------------

    def _instant(self, day: dt.date, hour: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), ZoneInfo(self.zone)).astimezone(dt.UTC)

    async def _backfill(self, assignment: Assignment, roster: RosterSnapshot) -> None:
        """This year's periods the service left out (over before today), with the service's rules."""
        made = set(
            (await self.session.scalars(select(Task.slot).where(Task.assignment_id == assignment.id))).all()
        )
        targets = select_targets(who_of_assignment(assignment), roster, self.today)
        for period in periods_in_year(recurrence_of(assignment), self.today.year, self.zone):
            for target in targets:
                if slot_of(target.person_id, target.place_id, period.key) not in made:
                    self.session.add(new_task(self.town, assignment, target, period))
        await self.session.flush()

    def _facts(self, task: Task, places: dict[int, Place], focus: list[int]) -> TaskFacts:
        place = places.get(task.place_id) if task.place_id is not None else None
        return TaskFacts(
            id=task.id,
            kind=WorkKind(task.kind),
            person_id=task.person_id,
            place=PlaceFacts(place.id, place.latitude, place.longitude) if place is not None else None,
            period_key=task.period_key,
            period_start=task.period_start,
            due_on=local_date(task.due_at, self.zone) - dt.timedelta(days=1),
            due_at=task.due_at,
            target_count=task.target_count,
            focus=task.person_id in focus,
        )

    # -- records -----------------------------------------------------------------------------

    async def _file(self, planned: list[PlannedRecord]) -> None:
        """Save the records in the order they happened, through RecordService.file_batch (the service's
        checks and counting, batched; see the module notes)."""
        tasks = {
            t.id: t
            for t in (await self.session.scalars(select(Task).where(Task.town_id == self.town.id))).all()
        }
        entries = []
        for planned_record in sorted(planned, key=lambda r: (r.at, r.task_id or 0, r.person_id)):
            self.filed += 1
            data = RecordIn(
                client_key=f"demo-{self.filed:05d}", occurred_on=planned_record.occurred_on,
                place_id=planned_record.place_id, fields=planned_record.fields, latitude=planned_record.latitude,
                longitude=planned_record.longitude, accuracy_m=planned_record.accuracy_m,
                located_at=planned_record.at if planned_record.latitude is not None else None,
            )  # fmt: skip
            task = tasks.get(planned_record.task_id) if planned_record.task_id is not None else None
            entries.append(BatchRecord(data, planned_record.at, task=task, kind=planned_record.kind,
                                       person_id=planned_record.person_id))  # fmt: skip
        await self.records.file_batch(self.town, entries, self.now)

    # -- one-off work for the focus people ---------------------------------------------------

    async def _one_offs(self, focus: list[int], people: dict[str, Person], context: PlanContext) -> None:
        tasks = list((await self.session.scalars(select(Task).where(Task.town_id == self.town.id))).all())
        lights = {task_light(t.status, t.due_at, self.now, self.town.warning_days) for t in tasks}
        town_lacks = {
            "overdue": not {Light.RED, Light.DONE} <= lights,
            "this_week": Light.YELLOW not in lights,
            "later": Light.GREEN not in lights,
        }
        held = {pid: {self._category(t) for t in tasks if t.person_id == pid and t.status is TaskStatus.OPEN}
                for pid in focus}  # fmt: skip
        peers = [people[code].id for code in self.texts["people"]["peers"] if code in people]
        for category, days in ONE_OFFS:
            who = [pid for pid in focus if category not in held[pid]]
            if not who and town_lacks[category]:
                who = list(focus)
            if category == "overdue" and who:
                who += [pid for pid in peers if pid not in who]
            if who:
                await self._one_off(category, who, self.today + dt.timedelta(days=days), peers, context)

    def _category(self, task: Task) -> str:
        if is_overdue(task.status, task.due_at, self.now):
            return "overdue"
        return (
            "this_week"
            if task.due_at <= due_instant(self.today + dt.timedelta(days=WEEK_DAYS), self.zone)
            else "later"
        )

    async def _one_off(
        self, category: str, who: list[int], due: dt.date, peers: list[int], context: PlanContext
    ) -> None:
        texts = self.texts["one_off"][category]
        data = AssignmentIn.model_validate({
            "title": texts["title"], "kind": WorkKind.CUSTOM.value, "description": texts["description"],
            "who": {"kind": "people", "person_ids": who}, "when": {"cadence": "once", "due_date": due.isoformat()},
        })  # fmt: skip
        # work due before today is given as of a week before its due day (the service refuses a past date)
        as_of = self.now if due >= self.today else self._instant(due - dt.timedelta(days=7), hour=9)
        assignment, _made = await self.assignments.create(self.town, data, as_of)
        if due >= self.today:
            return
        done = (await self.session.scalars(
            select(Task).where(Task.assignment_id == assignment.id, Task.person_id.in_(peers)).order_by(Task.id)
        )).all()  # fmt: skip
        planned = []
        for task in done:
            day = max(task.period_start, due - dt.timedelta(days=self.rng.randint(0, 4)))
            planned.append(PlannedRecord(WorkKind.CUSTOM, task.person_id, day, happened_at(context, day),
                                         task_id=task.id, fields={"note": texts.get("note", "")}))  # fmt: skip
        await self._file(planned)


__all__ = ["DEFAULT_SEED", "DemoWorkReport", "demo_work_texts", "load_demo_work"]
