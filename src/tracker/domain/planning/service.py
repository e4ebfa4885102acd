"""Assignments: check who and when, preview, create with their tasks, edit future tasks, list.

Load -> rules (fanout, periods, replanning) -> save. Tasks are materialised for the periods of
the town's current local year that are not over yet (the current one is kept even when its
chosen day has passed: it is then red at once). Editing an assignment changes only its future
open tasks (due after `now`); done, excused, cancelled and overdue ones stay as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role
from tracker.db.models.roster import LeadingGroupRole, Person, Place, Town, Unit
from tracker.db.models.tasks import Assignment, Task, TaskStatus, WhoKind, WorkKind
from tracker.domain.access import Actor
from tracker.domain.clock import local_date
from tracker.domain.errors import InvalidInput, NotAllowed, NotFound
from tracker.domain.planning import statutory as templates
from tracker.domain.planning.periods import Period, Recurrence, planned_periods, validate_recurrence
from tracker.domain.planning.replanning import FutureOccurrence, WantedOccurrence, plan_future_change
from tracker.domain.planning.roster_snapshot import load_roster
from tracker.domain.planning.schemas import AssignmentCounts, AssignmentIn, Preview, WhenIn, WhoIn
from tracker.domain.planning.who import (
    OccurrenceKey,
    RosterSnapshot,
    Target,
    Who,
    select_targets,
    validate_who,
)
from tracker.domain.scope import Reach, Scope
from tracker.domain.work.locks import final_years, task_year
from tracker.i18n import _


def recurrence_of(when: WhenIn | Assignment) -> Recurrence:
    """The rules' recurrence from an input or a stored assignment (same attribute names)."""
    return Recurrence(
        cadence=when.cadence,
        due_date=when.due_date,
        due_day=when.due_day,
        due_month=when.due_month,
        rule=when.rule,
    )


def who_of(who: WhoIn) -> Who:
    return Who(
        kind=who.kind,
        person_ids=tuple(who.person_ids),
        tier=who.tier,
        unit_id=who.unit_id,
        official_id=who.official_id,
        place_ids=None if who.place_ids is None else tuple(who.place_ids),
    )


def who_of_assignment(assignment: Assignment) -> Who:
    return Who(
        kind=assignment.who_kind,
        person_ids=tuple(assignment.who_person_ids or ()),
        tier=assignment.who_tier,
        unit_id=assignment.who_unit_id,
        official_id=assignment.who_official_id,
        place_ids=None if assignment.who_place_ids is None else tuple(assignment.who_place_ids),
    )


def slot_of(person_id: int, place_id: int | None, period_key: str) -> str:
    return f"{person_id}:{place_id if place_id is not None else '-'}:{period_key}"


def new_task(town: Town, assignment: Assignment, target: Target, period: Period) -> Task:
    return Task(
        town_id=town.id,
        assignment_id=assignment.id,
        person_id=target.person_id,
        place_id=target.place_id,
        slot=slot_of(target.person_id, target.place_id, period.key),
        period_key=period.key,
        period_start=period.start,
        period_end=period.end,
        due_at=period.due_at,
        title=assignment.title,
        kind=assignment.kind,
        target_count=assignment.target_count,
        done_count=0,
        status=TaskStatus.OPEN,
        status_reason="",
    )


@dataclass
class Plan:
    """A checked assignment input: who gets the work and in which periods."""

    who: Who
    recurrence: Recurrence
    targets: list[Target]
    periods: list[Period]

    @property
    def task_count(self) -> int:
        return len(self.targets) * len(self.periods)


def _prefixed(prefix: str, errors: dict[str, str]) -> dict[str, str]:
    return {name if name == prefix else f"{prefix}.{name}": message for name, message in errors.items()}


class AssignmentService:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)

    # -- checking ----------------------------------------------------------------------------

    def _require_may_assign(self, reach: Reach) -> None:
        actor = self.actor
        if reach.manages or (actor is not None and actor.role is Role.OFFICIAL and actor.person_id is not None):
            return
        raise NotAllowed(_("Only the town's secretary, or an official for the people below them, may assign work"))

    def _require_scope(self, reach: Reach, who: WhoIn) -> None:
        """An official (not the secretary) may only give work to people below them."""
        if reach.manages or self.actor is None:
            return
        own = self.actor.person_id
        below = reach.below
        kind = WhoKind(who.kind)
        if kind is WhoKind.BELOW and who.official_id is not None and (who.official_id == own or who.official_id in below):
            return
        if kind is WhoKind.PEOPLE and who.person_ids and all(pid in below for pid in who.person_ids):
            return
        message = _("An official may assign work only to people below them")
        raise NotAllowed(message, fields={"who": message})

    async def _in_town(self, model: type[Unit] | type[Place], town: Town, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        query = select(model.id).where(model.id.in_(set(ids)), model.town_id == town.id)
        return set((await self.session.scalars(query)).all())

    async def _plan(self, town: Town, data: AssignmentIn, now: dt.datetime, roster: RosterSnapshot) -> Plan:
        """Every check of an assignment input; InvalidInput with all field messages at once."""
        today = local_date(now, town.timezone)
        errors: dict[str, str] = {}
        if not data.title.strip():
            errors["title"] = _("Enter a title")
        try:
            WorkKind(data.kind)
        except ValueError:
            errors["kind"] = _("Choose a kind of work")
        if data.template is not None and data.template not in {t.key for t in templates.STATUTORY_TEMPLATES}:
            errors["template"] = _("No such template")
        recurrence = recurrence_of(data.when)
        periods: list[Period] = []
        when_errors = validate_recurrence(recurrence, today.year)
        if not when_errors:
            periods = planned_periods(recurrence, today, town.timezone)
            if not periods and recurrence.cadence == "once":
                when_errors["due_date"] = _("Choose a date from today on")
            elif not periods:
                when_errors["when"] = _("This schedule has no date left this year")
        errors.update(_prefixed("when", when_errors))
        who = who_of(data.who)
        who_errors: dict[str, str] = {}
        if who.unit_id is not None and not await self._in_town(Unit, town, [who.unit_id]):
            who_errors["unit_id"] = _("Choose a unit of this town")
        if who.place_ids:
            known = await self._in_town(Place, town, who.place_ids)
            unknown = [pid for pid in who.place_ids if pid not in known]
            if unknown:
                who_errors["place_ids"] = _("No place %(ids)s in this town", ids=", ".join(map(str, unknown)))
        if not who_errors:
            who_errors = validate_who(who, roster, today)
        errors.update(_prefixed("who", who_errors))
        if errors:
            raise InvalidInput(next(iter(errors.values())), fields=errors)
        return Plan(who, recurrence, select_targets(who, roster, today), periods)

    async def _checked(self, town: Town, data: AssignmentIn, now: dt.datetime) -> tuple[Reach, Plan]:
        reach = await self.scope.reach(town)
        self._require_may_assign(reach)
        plan = await self._plan(town, data, now, await load_roster(self.session, town.id))
        self._require_scope(reach, data.who)
        return reach, plan

    # -- the contract ------------------------------------------------------------------------

    async def preview(self, town: Town, data: AssignmentIn, now: dt.datetime) -> Preview:
        """What `create` would make, without writing: for the htmx preview before saving."""
        _reach, plan = await self._checked(town, data, now)
        people = await self._by_id(Person, {t.person_id for t in plan.targets})
        places = await self._by_id(Place, {t.place_id for t in plan.targets if t.place_id is not None})
        targets = [(people[t.person_id], places.get(t.place_id) if t.place_id else None) for t in plan.targets]
        return Preview(task_count=plan.task_count, targets=targets, periods=plan.periods)

    async def create(self, town: Town, data: AssignmentIn, now: dt.datetime) -> tuple[Assignment, int]:
        """Create the assignment and its tasks for the rest of the current year; returns (assignment, tasks made)."""
        _reach, plan = await self._checked(town, data, now)
        assignment = Assignment(town_id=town.id, active=True, template=data.template,
                                created_by_user_id=self.actor.user_id if self.actor else None)  # fmt: skip
        self._fill(assignment, data)
        self.session.add(assignment)
        await self.session.flush()
        tasks = [new_task(town, assignment, target, period) for period in plan.periods for target in plan.targets]
        self.session.add_all(tasks)
        await self.session.flush()
        return assignment, len(tasks)

    async def create_from_template(self, town: Town, key: str, now: dt.datetime) -> tuple[Assignment, int]:
        """One of templates.STATUTORY_TEMPLATES for this town (the committee meetings go to its leader)."""
        try:
            body = templates.template_input(key, await self._leader_id(town))
        except KeyError as error:
            message = _("No such template")
            raise InvalidInput(message, fields={"template": message}) from error
        return await self.create(town, AssignmentIn.model_validate(body), now)

    async def update(self, town: Town, assignment_id: int, data: AssignmentIn, now: dt.datetime) -> Assignment:
        """Change an assignment: only future open tasks follow; done/excused/cancelled ones never change."""
        assignment = await self.get(town, assignment_id)
        reach = await self.scope.reach(town)
        self._require_may_assign(reach)
        if not reach.manages and (self.actor is None or assignment.created_by_user_id != self.actor.user_id):
            raise NotAllowed(_("Only the town's secretary, or the official who made it, may change an assignment"))
        if WorkKind(data.kind) is not WorkKind(assignment.kind):
            message = _("The kind of work can't be changed; make a new assignment instead")
            raise InvalidInput(message, fields={"kind": message})
        plan = await self._plan(town, data, now, await load_roster(self.session, town.id))
        self._require_scope(reach, data.who)
        self._fill(assignment, data)
        assignment.template = data.template if data.template is not None else assignment.template
        await self.replan(town, assignment, plan, now, reason=_("The assignment was changed"))
        return assignment

    async def list(self, town: Town, *, limit: int | None = None, offset: int = 0) -> Sequence[Assignment]:
        """The town's assignments the actor may read, newest first; `limit` rows from `offset` when given."""
        reach = await self.scope.reach(town)
        query = reach.filter(select(Assignment), Assignment).order_by(Assignment.id.desc())
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return list((await self.session.scalars(query)).all())

    async def get(self, town: Town, assignment_id: int) -> Assignment:
        reach = await self.scope.reach(town)
        assignment = await self.session.get(Assignment, assignment_id)
        if assignment is None or assignment.town_id != reach.town_id:
            raise NotFound(_("No assignment %(id)s in %(town)s", id=assignment_id, town=town.name))
        return assignment

    async def task_counts(
        self, town: Town, assignment_id: int | None = None, *, among: Collection[int] | None = None
    ) -> dict[int, AssignmentCounts]:
        """How many tasks each of the town's assignments (or just `assignment_id`, or those `among`) holds,
        by state."""
        reach = await self.scope.reach(town)
        query = reach.filter(select(Task.assignment_id, Task.status, func.count()), Task, people=False)
        if assignment_id is not None:
            query = query.where(Task.assignment_id == assignment_id)
        if among is not None:
            query = query.where(Task.assignment_id.in_(list(among)))
        counts: dict[int, AssignmentCounts] = {}
        for found_id, status, number in (await self.session.execute(query.group_by(Task.assignment_id, Task.status))).all():
            counts.setdefault(found_id, AssignmentCounts()).add(TaskStatus(status), number)
        return counts

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _fill(assignment: Assignment, data: AssignmentIn) -> None:
        assignment.title = data.title.strip()
        assignment.kind = WorkKind(data.kind)
        assignment.description = data.description.strip()
        assignment.target_count = data.target_count
        who, when = data.who, data.when
        assignment.who_kind = WhoKind(who.kind)
        assignment.who_person_ids = list(who.person_ids)
        assignment.who_tier = who.tier
        assignment.who_unit_id = who.unit_id
        assignment.who_official_id = who.official_id
        assignment.who_place_ids = None if who.place_ids is None else list(who.place_ids)
        assignment.cadence = when.cadence
        assignment.due_date = when.due_date
        assignment.due_day = when.due_day
        assignment.due_month = when.due_month
        assignment.rule = when.rule

    async def _by_id(self, model: type[Person] | type[Place], ids: set[int]) -> dict[int, Person | Place]:
        if not ids:
            return {}
        rows = (await self.session.scalars(select(model).where(model.id.in_(ids)))).all()
        return {row.id: row for row in rows}

    async def _leader_id(self, town: Town) -> int | None:
        query = (
            select(Person.id)
            .where(Person.town_id == town.id, Person.active.is_(True))
            .where(Person.leading_group_role == LeadingGroupRole.LEADER)
            .order_by(Person.id)
        )
        return (await self.session.scalars(query)).first()

    async def replan(self, town: Town, assignment: Assignment, plan: Plan, now: dt.datetime, *, reason: str) -> tuple[int, int, int]:
        """Bring the assignment's future tasks in line with `plan`; returns (created, closed, reopened)."""
        tasks = list((await self.session.scalars(
            select(Task).where(Task.assignment_id == assignment.id).order_by(Task.id)
        )).all())  # fmt: skip
        # A finalised year's tasks are past anyway; they are also left out here, so that no edit or
        # roster change can close, reopen or rewrite one whatever its due time (work/locks.py).
        if final := await final_years(self.session, town.id):
            tasks = [t for t in tasks if task_year(t, town.timezone) not in final]
        periods = {p.key: p for p in plan.periods}
        wanted = [
            WantedOccurrence(OccurrenceKey(t.person_id, t.place_id, p.key), p.due_at)
            for p in plan.periods
            for t in plan.targets
        ]
        existing = [FutureOccurrence(t.id, t.person_id, t.place_id, t.period_key, t.status, t.due_at) for t in tasks]
        change = plan_future_change(existing, wanted, now)
        by_id = {t.id: t for t in tasks}
        for task_id in change.to_close:
            task = by_id[task_id]
            task.status, task.status_reason, task.closed_at = TaskStatus.REASSIGNED, reason, now
        for task_id in change.to_reopen:
            task = by_id[task_id]
            task.status, task.status_reason, task.closed_at = TaskStatus.OPEN, "", None
        for task in tasks:
            if task.status is TaskStatus.OPEN and task.due_at > now and task.period_key in periods:
                self._follow(task, assignment, periods[task.period_key], now)
        created = [
            new_task(town, assignment, Target(key.person_id, key.place_id), periods[key.period_key])
            for key in change.to_create
        ]
        self.session.add_all(created)
        await self.session.flush()
        return len(created), len(change.to_close), len(change.to_reopen)

    @staticmethod
    def _follow(task: Task, assignment: Assignment, period: Period, now: dt.datetime) -> None:
        """A future open task takes the assignment's current title, target and due date."""
        if task.title != assignment.title:
            task.title = assignment.title
        if task.target_count != assignment.target_count:
            task.target_count = assignment.target_count
        if (task.period_start, task.period_end, task.due_at) != (period.start, period.end, period.due_at):
            task.period_start, task.period_end, task.due_at = period.start, period.end, period.due_at
        if task.done_count >= task.target_count:
            task.status, task.closed_at = TaskStatus.DONE, now


__all__ = ["AssignmentService", "Plan", "new_task", "recurrence_of", "slot_of", "who_of", "who_of_assignment"]
