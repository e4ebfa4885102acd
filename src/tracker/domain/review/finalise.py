"""Finalising a town's year: its review frozen as a snapshot, its tasks and records locked
(work/locks.py); and the amendment notes that a locked record gets instead of changes.

- Only the town's secretary or an admin finalises (the system too: `actor` None), only a year that is
  over in the town's time zone, and only once (Conflict).
- The review is computed by ReviewService and stored as `ReviewData.to_json()` with the moment and
  who; from then on ReviewService.review answers from the snapshot.
- The town's lock is taken first (locks.lock_town_for_finalising), so a record being filed at the
  same moment is either in the snapshot or refused.
- Audited as one explicit event ("year_finalised", with the year and the headline figures) rather
  than by the model listener, which would copy the whole snapshot into the log.
- An amendment note: on a record of a finalised year, by whoever may file that person's work (the
  person, or the town's secretary); the model listener audits it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.review import FinalisedYear, RecordAmendment
from tracker.db.models.roster import Town
from tracker.db.models.tasks import Record
from tracker.domain.access import Actor
from tracker.domain.audit.service import record_event
from tracker.domain.clock import local_date
from tracker.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tracker.domain.review.schemas import ReviewData
from tracker.domain.review.service import ReviewService
from tracker.domain.scope import Scope, require_manage
from tracker.domain.text import text_problem
from tracker.domain.work.locks import lock_town_for_finalising, year_is_final
from tracker.domain.work.service import check_year
from tracker.i18n import _

NOTE_MAX = 2000


@dataclass(frozen=True)
class FinalisePreview:
    """What finalising `year` would freeze (or froze): for the confirmation page."""

    town: Town
    year: int
    data: ReviewData  # from the snapshot once finalised
    finalised: FinalisedYear | None
    problem: str  # why it can't be finalised now ("" when it can)


def default_year(town: Town, now: dt.datetime) -> int:
    """The year a secretary finalises: the last one that is over."""
    return local_date(now, town.timezone).year - 1


def _year_not_over(town: Town, year: int, now: dt.datetime) -> str:
    """Why `year` can't be finalised yet: "" once it is over in the town's time zone."""
    current = local_date(now, town.timezone).year
    if year < current:
        return ""
    return _("%(year)s is not over yet: it can be finalised from 1 January %(next)s", year=year, next=year + 1)


async def _finalised(session: AsyncSession, town: Town, year: int) -> FinalisedYear | None:
    query = select(FinalisedYear).where(FinalisedYear.town_id == town.id, FinalisedYear.year == year)
    return (await session.scalars(query)).one_or_none()


def _already(year: int) -> Conflict:
    message = _("The review of %(year)s is already finalised", year=year)
    return Conflict(message, fields={"year": message})


async def finalise_year(
    session: AsyncSession, actor: Actor | None, town: Town, year: int, now: dt.datetime, scope: Scope | None = None
) -> FinalisedYear:
    """Freeze the town's review of `year` and lock the year's tasks and records (module notes)."""
    scope = scope or Scope(session, actor)
    require_manage(await scope.reach(town), _("Only the town's secretary may finalise a year"))
    check_year(year)
    if problem := _year_not_over(town, year, now):
        raise InvalidInput(problem, fields={"year": problem})
    await lock_town_for_finalising(session, town.id)
    if await year_is_final(session, town.id, year):
        raise _already(year)
    data = await ReviewService(session, actor, scope).review(town, year, now)
    snapshot = dataclasses.replace(data, finalised_at=now).to_json()
    values = {
        "town_id": town.id, "year": year, "finalised_at": now, "snapshot": snapshot,
        "finalised_by_user_id": actor.user_id if actor is not None else None, "created_at": now, "updated_at": now,
    }  # fmt: skip
    try:
        async with session.begin_nested():
            # Core insert: the model listener would copy the whole snapshot into the audit log.
            row_id = (await session.execute(insert(FinalisedYear).values(**values).returning(FinalisedYear.id))).scalar_one()
    except IntegrityError as clash:
        if await year_is_final(session, town.id, year):  # finalised meanwhile by another request
            raise _already(year) from clash
        raise
    figures = data.figures
    await record_event(
        session, "year_finalised", now=now, town_id=town.id, object_type="finalised_year", object_id=row_id,
        details={
            "year": year, "people": len(data.scorecards), "visits": figures.visits_total,
            "lectures": figures.lectures_total, "study_sessions": figures.study_sessions,
            "committee_meetings": len(figures.committee_meetings),
        },
    )  # fmt: skip
    stored = await session.get(FinalisedYear, row_id)
    assert stored is not None
    return stored


class FinaliseService:
    """The finalise page's and API's calls: preview, finalise, amendment notes."""

    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)

    async def _managed(self, code: str) -> Town:
        return await self.scope.managed_town(code, _("Only the town's secretary may finalise a year"))

    async def preview(self, code: str, year: int | None, now: dt.datetime) -> FinalisePreview:
        """The review that finalising `year` (default: last year) would freeze, or froze."""
        town = await self._managed(code)
        year = default_year(town, now) if year is None else year
        check_year(year)
        data = await ReviewService(self.session, self.actor, self.scope).review(town, year, now)
        finalised = await _finalised(self.session, town, year)
        problem = _year_not_over(town, year, now)
        if finalised is not None:
            problem = _("The review of %(year)s is already finalised", year=year)
        return FinalisePreview(town=town, year=year, data=data, finalised=finalised, problem=problem)

    async def finalise(self, code: str, year: int | None, now: dt.datetime) -> tuple[Town, FinalisedYear]:
        """Finalise `year` (default: last year) of the town: finalise_year."""
        town = await self._managed(code)
        year = default_year(town, now) if year is None else year
        return town, await finalise_year(self.session, self.actor, town, year, now, self.scope)

    async def review(self, code: str, year: int, now: dt.datetime) -> ReviewData:
        """The town's review of `year` (the snapshot once finalised), for whoever may read the town."""
        check_year(year)
        town = await self.scope.town(code)
        return await ReviewService(self.session, self.actor, self.scope).review(town, year, now)

    async def amend(self, code: str | None, record_id: int, note: str, now: dt.datetime) -> RecordAmendment:
        """Add a note to a record of a finalised year (the record itself stays as it is)."""
        missing = NotFound(_("No record %(id)s", id=record_id))
        record = await self.session.get(Record, record_id)
        if record is None:
            raise missing
        town = await self.scope.town(code) if code is not None else await self.scope.town_by_id(record.town_id)
        if record.town_id != town.id:
            raise missing
        reach = await self.scope.reach(town)
        if not reach.may_read(record.person_id):
            raise missing
        if not reach.may_act(record.person_id):
            raise NotAllowed(_("Only the person whose record it is, or the town's secretary, may add a note"))
        note = (note or "").strip()
        problem = ""
        if not note:
            problem = _("Write the note")
        elif len(note) > NOTE_MAX:
            problem = _("At most %(maximum)d characters", maximum=NOTE_MAX)
        elif found := text_problem(note):
            problem = found
        if problem:
            raise InvalidInput(problem, fields={"note": problem})
        if not await year_is_final(self.session, town.id, record.occurred_on.year):
            message = _("Notes are added to the records of a finalised year; this record's year is not finalised")
            raise Conflict(message, fields={"note": message})
        amendment = RecordAmendment(
            record_id=record.id, note=note, created_by_user_id=self.actor.user_id if self.actor is not None else None
        )
        self.session.add(amendment)
        await self.session.flush()
        return amendment

    async def record_task(self, record_id: int) -> tuple[int | None, int, str]:
        """Where a record is shown: (its task, its person, its town's code), for the redirect after a note."""
        record = await self.session.get(Record, record_id)
        if record is None:
            raise NotFound(_("No record %(id)s", id=record_id))
        town = await self.scope.town_by_id(record.town_id)
        return record.task_id, record.person_id, town.code


__all__ = ["FinalisePreview", "FinaliseService", "default_year", "finalise_year"]
