"""The lock on a finalised year: once a town's review of a year is finalised (review/finalise.py),
that year's tasks and records can no longer change; a record only gets amendment notes.

A record falls in the year of its `occurred_on`; a task in the year of its due day (local), as the
review counts them. `refuse_if_final` is called by the work services inside the transaction that
would write, before any write: it first takes the town's lock in the shared mode (PostgreSQL: the
town's row FOR SHARE; SQLite: the database's write lock), and `lock_town_for_finalising` takes it in
the exclusive mode. So a record filed while the year is being finalised either is in the snapshot
(it committed first) or is refused (it waited for the finalising to commit), never neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.review import FinalisedYear, RecordAmendment
from tracker.db.models.roster import Town
from tracker.db.models.tasks import Task
from tracker.domain.errors import Conflict
from tracker.domain.work.display import due_on
from tracker.i18n import _


class YearFinalised(Conflict):
    """A change to a task or record of a finalised year (409)."""


def year_finalised(year: int, field: str | None = None) -> YearFinalised:
    message = _(
        "The review of %(year)s is finalised: its tasks and records can no longer be changed; "
        "add an amendment note instead",
        year=year,
    )
    return YearFinalised(message, fields={field: message} if field else None)


def task_year(task: Task, timezone: str) -> int:
    """The year a task falls in: that of its due day in the town's time zone."""
    return due_on(task.due_at, timezone).year


async def year_is_final(session: AsyncSession, town_id: int, year: int) -> bool:
    """Is the town's review of `year` finalised? (A plain read: no lock.)"""
    query = select(FinalisedYear.id).where(FinalisedYear.town_id == town_id, FinalisedYear.year == year)
    return (await session.scalars(query)).first() is not None


async def final_years(session: AsyncSession, town_id: int) -> frozenset[int]:
    """Every finalised year of the town (a plain read: no lock)."""
    query = select(FinalisedYear.year).where(FinalisedYear.town_id == town_id)
    return frozenset((await session.scalars(query)).all())


def _on_sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


async def _write_lock_sqlite(session: AsyncSession, town_id: int) -> None:
    """A no-op write takes the database's write lock until the commit (SQLite ignores FOR UPDATE); on
    a column that no foreign key points at, so SQLite checks no child table."""
    await session.execute(text("UPDATE town SET timezone = timezone WHERE id = :id"), {"id": town_id})


async def lock_town_for_finalising(session: AsyncSession, town_id: int) -> None:
    """The exclusive side of the town's lock, held by the finalising transaction until it commits.

    PostgreSQL: FOR NO KEY UPDATE against the FOR SHARE of `locked_final_years`: finalising waits for
    records being filed and they for it; inserts that merely reference the town (KEY SHARE) go on."""
    if _on_sqlite(session):
        await _write_lock_sqlite(session, town_id)
    else:
        await session.execute(select(Town.id).where(Town.id == town_id).with_for_update(key_share=True))


async def refuse_if_final(
    session: AsyncSession, town_id: int, *days: dt.date, field: str | None = None
) -> None:
    """YearFinalised when any of `days` falls in a finalised year of the town; else nothing.

    Takes the shared side of the town's lock first (see the module notes): call it in the
    transaction that writes, before the write."""
    check_days(await locked_final_years(session, town_id), days, field=field)


async def locked_final_years(session: AsyncSession, town_id: int, *, write_locked: bool = False) -> frozenset[int]:
    """The town's finalised years, read under the shared side of its lock (module notes): for a
    service that checks several days itself with `check_days`, before it writes. One statement on
    PostgreSQL (the town's row FOR SHARE with its years); on SQLite the write lock first, unless the
    caller's transaction holds it already (`write_locked`)."""
    if _on_sqlite(session):
        if not write_locked:
            await _write_lock_sqlite(session, town_id)
        return await final_years(session, town_id)
    query = (
        select(FinalisedYear.year).select_from(Town)
        .outerjoin(FinalisedYear, FinalisedYear.town_id == Town.id)
        .where(Town.id == town_id)
        .with_for_update(read=True, of=Town)
    )  # fmt: skip
    return frozenset(year for year in (await session.scalars(query)).all() if year is not None)


async def amendments_of(session: AsyncSession, record_ids: Sequence[int]) -> dict[int, list[RecordAmendment]]:
    """The amendment notes of these records, oldest first, by record id."""
    if not record_ids:
        return {}
    query = (
        select(RecordAmendment).where(RecordAmendment.record_id.in_(record_ids))
        .order_by(RecordAmendment.created_at, RecordAmendment.id)
    )  # fmt: skip
    found: dict[int, list[RecordAmendment]] = {}
    for note in (await session.scalars(query)).all():
        found.setdefault(note.record_id, []).append(note)
    return found


def check_days(final: Iterable[int], days: Iterable[dt.date], *, field: str | None = None) -> None:
    """YearFinalised for the first of `days` in one of the `final` years. Pure."""
    final = set(final)
    for day in days:
        if day.year in final:
            raise year_finalised(day.year, field)


__all__ = [
    "YearFinalised",
    "amendments_of",
    "check_days",
    "final_years",
    "lock_town_for_finalising",
    "locked_final_years",
    "refuse_if_final",
    "task_year",
    "year_finalised",
    "year_is_final",
]
