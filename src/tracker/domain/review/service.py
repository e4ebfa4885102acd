"""The yearly review of a town, put together: figures (section 一), scorecards, the other sections'
material; from the finalised snapshot once the year is finalised. And the county's towns side by side.

Who reads a review: the town's secretary, its officials, the county viewers of the town and admins
(the Scope: another town is 404). Members (cadres) get NotAllowed, as on the board: the review
compares people. An official sees the town's figures, summaries and material, and the scorecards of
the people whose work they read (themselves and everyone below them), each with its rank in the
whole town. Weights: anyone who reads the review reads them; only the secretary (or an admin) sets them.

`county(year, now)`: every town the actor reads (admin: all; viewer: theirs; a secretary or an
official: their own), by code, each with its ReviewData in a fixed number of queries whatever the
number of towns and people: a finalised year's snapshot whole; otherwise the figures
(compute_figures_for_towns) and headline summaries by tier (`by_tier`: people, tasks due, done, on
time, overdue, visit cells and covered, counted like the scorecards; average_score None: no scores
are computed for the county), with no scorecards, material or weights.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role
from tracker.db.models.review import FinalisedYear, ScoreWeights, StudyAppCount
from tracker.db.models.roster import Person, Town
from tracker.db.models.tasks import Assignment, Record, Task, TaskStatus, WhoKind, WorkKind
from tracker.domain.access import Actor
from tracker.domain.board.rules import column_of
from tracker.domain.clock import local_date
from tracker.domain.errors import InvalidInput, NotAllowed
from tracker.domain.review.charts import task_state
from tracker.domain.review.figures import compute_figures, compute_figures_for_towns, windows_of
from tracker.domain.review.material import compute_material
from tracker.domain.review.person_work import PersonWork, person_work
from tracker.domain.review.rules import (
    DEFAULT_WEIGHTS,
    MEASURES,
    TIER_ORDER,
    tier_label,
    validate_study_app,
    validate_weights,
)
from tracker.domain.review.schemas import ChartFacts, GroupSummary, ReviewData
from tracker.domain.review.scorecards import compute_scorecards
from tracker.domain.scope import Reach, Scope, require_manage
from tracker.domain.work.lights import Light, done_late, task_light
from tracker.domain.work.locks import YearFinalised, year_is_final
from tracker.domain.work.service import check_year, in_year
from tracker.i18n import _

COUNTED = (TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.EXCUSED)


def _sum_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def stored_weights(row: ScoreWeights | None) -> dict[str, int]:
    """The town's weights, or the defaults when it has none (or a stored set no longer complete)."""
    if row is None or set(row.weights) != set(MEASURES):
        return dict(DEFAULT_WEIGHTS)
    return {measure: int(row.weights[measure]) for measure in MEASURES}


class ReviewService:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)

    def _refuse_members(self) -> None:
        if self.actor is not None and self.actor.role is Role.MEMBER:
            raise NotAllowed(_("The review is for the secretary, officials and viewers"))

    async def _reader(self, town: Town) -> Reach:
        reach = await self.scope.reach(town)
        self._refuse_members()
        return reach

    async def _weights_row(self, town: Town) -> ScoreWeights | None:
        query = select(ScoreWeights).where(ScoreWeights.town_id == town.id)
        return (await self.session.scalars(query)).one_or_none()

    async def review(self, town: Town, year: int, now: dt.datetime) -> ReviewData:
        """The town's review of `year` (to date while it runs); the snapshot once finalised."""
        reach = await self._reader(town)
        check_year(year)
        query = select(FinalisedYear).where(FinalisedYear.town_id == town.id, FinalisedYear.year == year)
        final = (await self.session.scalars(query)).one_or_none()
        if final is not None:
            data = dataclasses.replace(ReviewData.from_json(final.snapshot), finalised_at=final.finalised_at)
        else:
            weights = stored_weights(await self._weights_row(town))
            figures = await compute_figures(self.session, town, year, now)
            cards, by_tier, by_unit = await compute_scorecards(self.session, town, year, now, weights)
            follow_ups, opinions, recurring, next_year = await compute_material(self.session, town, year, now)
            data = ReviewData(figures=figures, weights=weights, scorecards=cards, by_tier=by_tier, by_unit=by_unit,
                              follow_ups=follow_ups, opinions=opinions, recurring=recurring,
                              next_year=next_year)  # fmt: skip
        if reach.readable_ids() is not None:
            data = dataclasses.replace(data, scorecards=tuple(c for c in data.scorecards if reach.may_read(c.person_id)))
        return data

    async def chart_facts(self, town: Town, year: int, now: dt.datetime) -> ChartFacts:
        """What the charts count, as the actor may read it: the year's visits (day, tier) and its tasks'
        states by month of their due day, two column queries (no rows made into objects)."""
        reach = await self._reader(town)
        check_year(year)
        visits = await self.session.execute(
            reach.filter(select(Record.occurred_on, Person.tier).join(Person, Person.id == Record.person_id), Record)
            .where(Record.kind == WorkKind.VISIT, Record.occurred_on >= dt.date(year, 1, 1),
                   Record.occurred_on <= dt.date(year, 12, 31))
        )  # fmt: skip
        tasks = await self.session.execute(
            in_year(reach.filter(select(Task.status, Task.due_at, Task.closed_at), Task), year, town.timezone)
        )
        states = []
        for status, due_at, closed_at in tasks.all():
            late = status is TaskStatus.DONE and closed_at is not None and done_late(closed_at, due_at)
            state = task_state(status.value, late, task_light(status, due_at, now, town.warning_days) is Light.RED)
            if state is not None:
                states.append((column_of(due_at, town.timezone, "month") + 1, state))
        return ChartFacts(visits=[(day, tier.value) for day, tier in visits.all()], task_states=states)

    async def county(self, year: int, now: dt.datetime) -> list[tuple[Town, ReviewData]]:
        """Every town the actor reads, by code, with its review's headline (see the module notes)."""
        self._refuse_members()
        check_year(year)
        towns = list((await self.session.scalars(self.scope.towns(select(Town)).order_by(Town.code))).all())
        if not towns:
            return []
        finals = {
            row.town_id: row
            for row in (await self.session.scalars(
                select(FinalisedYear).where(FinalisedYear.town_id.in_([t.id for t in towns]), FinalisedYear.year == year)
            )).all()
        }  # fmt: skip
        live = [town for town in towns if town.id not in finals]
        figures = await compute_figures_for_towns(self.session, live, year, now)
        tiers = await tier_summaries(self.session, live, year, now)
        result: list[tuple[Town, ReviewData]] = []
        for town in towns:
            final = finals.get(town.id)
            if final is not None:
                data = dataclasses.replace(ReviewData.from_json(final.snapshot), finalised_at=final.finalised_at)
            else:
                data = ReviewData(figures=figures[town.id], by_tier=tiers.get(town.id, ()))
            result.append((town, data))
        return result

    async def person_work(self, town: Town, person_id: int, year: int, measure: str, now: dt.datetime) -> PersonWork:
        """What lies behind one number of a person's scorecard (person_work.py): for anyone who reads
        the person (a member their own), like the person's year."""
        check_year(year)
        return await person_work(self.session, await self.scope.reach(town), town, person_id, year, now, measure)

    async def _study_app_row(self, town: Town, year: int) -> StudyAppCount | None:
        query = select(StudyAppCount).where(StudyAppCount.town_id == town.id, StudyAppCount.year == year)
        return (await self.session.scalars(query)).one_or_none()

    async def study_app(self, town: Town, year: int) -> StudyAppCount | None:
        """What the secretary entered for the town's year (None: nothing yet)."""
        await self._reader(town)
        check_year(year)
        return await self._study_app_row(town, year)

    async def set_study_app(self, town: Town, year: int, raw: Mapping[str, str], now: dt.datetime) -> StudyAppCount:
        """Validate and save the year's study-app registrations (InvalidInput with a message per field,
        nothing saved); a year not begun is refused on "year", a finalised one with YearFinalised."""
        require_manage(await self.scope.reach(town), _("Only the town's secretary may enter these figures"))
        check_year(year)
        values, errors = validate_study_app(raw)
        if year > local_date(now, town.timezone).year:
            errors = {**errors, "year": _("The year %(year)d has not begun", year=year)}
        if errors:
            raise InvalidInput(next(iter(errors.values())), fields=errors)
        if await year_is_final(self.session, town.id, year):
            raise YearFinalised(_("The review of %(year)d is finalised: its figures can no longer be changed", year=year))
        row = await self._study_app_row(town, year)
        if row is None:
            row = StudyAppCount(town_id=town.id, year=year, created_at=now, **values)
            self.session.add(row)
        else:
            row.registrations, row.population = values["registrations"], values["population"]
        row.entered_by_user_id = self.actor.user_id if self.actor is not None else None
        row.updated_at = now
        await self.session.flush()
        return row

    async def weights(self, town: Town) -> dict[str, int]:
        """The town's score weights (the defaults until the secretary sets them)."""
        await self._reader(town)
        return stored_weights(await self._weights_row(town))

    async def set_weights(self, town: Town, raw: Mapping[str, str], now: dt.datetime) -> dict[str, int]:
        """Validate and save the town's weights (InvalidInput with a message per field, nothing saved)."""
        require_manage(await self.scope.reach(town), _("Only the town's secretary may set the score weights"))
        weights, errors = validate_weights(raw)
        if errors:
            raise InvalidInput(next(iter(errors.values())), fields=errors)
        row = await self._weights_row(town)
        if row is None:
            self.session.add(ScoreWeights(town_id=town.id, weights=weights, created_at=now, updated_at=now))
        else:
            row.weights = weights
            row.updated_at = now
        await self.session.flush()
        return weights


async def tier_summaries(
    session: AsyncSession, towns: Sequence[Town], year: int, now: dt.datetime
) -> dict[int, tuple[GroupSummary, ...]]:
    """Per town, the tasks of the year (to date) summed by their person's tier, in one query, counted
    as the scorecards count them (cancelled and reassigned left out; excused cells left out)."""
    if not towns:
        return {}
    _by_town, grouped = windows_of(towns, year, now)
    window = or_(*(and_(Task.town_id.in_(ids), Task.due_at >= w.first_due, Task.due_at <= w.due_bound)
                   for w, ids in grouped.items()))  # fmt: skip
    done = Task.status == TaskStatus.DONE
    cell = and_(Task.kind == WorkKind.VISIT, Task.place_id.is_not(None), Assignment.who_kind == WhoKind.CONTACT_POINTS,
                Task.status.in_((TaskStatus.OPEN, TaskStatus.DONE)))  # fmt: skip
    visited = exists().where(Record.task_id == Task.id, Record.kind == WorkKind.VISIT)
    query = (
        select(Task.town_id, Person.tier, func.count(func.distinct(Task.person_id)), func.count(Task.id),
               _sum_if(done), _sum_if(and_(done, Task.closed_at < Task.due_at)),
               _sum_if(Task.status == TaskStatus.OPEN), _sum_if(cell),
               _sum_if(and_(cell, or_(Task.done_count > 0, visited))))
        .join(Person, Person.id == Task.person_id)
        .join(Assignment, Assignment.id == Task.assignment_id)
        .where(window, Task.status.in_(COUNTED))
        .group_by(Task.town_id, Person.tier)
    )  # fmt: skip
    found: dict[int, dict[str, GroupSummary]] = {}
    for town_id, tier, people, due, done_, on_time, overdue, cells, covered in (await session.execute(query)).all():
        key = getattr(tier, "value", tier)
        found.setdefault(town_id, {})[key] = GroupSummary(
            key=key, label=tier_label(key), people=int(people), due=int(due), done=int(done_), on_time=int(on_time),
            overdue=int(overdue), visit_cells=int(cells), visit_cells_covered=int(covered), average_score=None,
        )  # fmt: skip
    return {town_id: tuple(groups[t] for t in TIER_ORDER if t in groups) for town_id, groups in found.items()}


__all__ = ["ReviewService", "stored_weights", "tier_summaries"]
