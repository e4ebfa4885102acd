"""The scheduler's planning job on both engines: next year's first tasks exist before the year
turns, a new contact point gets its visits without anyone acting, and running it again creates
nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from tests.support.factories import build_small_town
from tracker.db.models.roster import ContactAssignment, ContactLink, Place, PlaceKind
from tracker.db.models.tasks import Assignment, Cadence, Task, WhoKind, WorkKind
from tracker.domain.planning.horizon import keep_tasks_ahead

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _monthly_visits(town_id: int) -> Assignment:
    return Assignment(town_id=town_id, title="走访联系点", kind=WorkKind.VISIT, target_count=1,
                      who_kind=WhoKind.CONTACT_POINTS, who_person_ids=[], cadence=Cadence.MONTHLY)  # fmt: skip


def test_it_makes_januarys_tasks_in_december_once(db: Any) -> None:
    december = dt.datetime(2027, 12, 20, 9, tzinfo=SHANGHAI)

    async def run(session: Any) -> tuple[int, int, list[str]]:
        town = await build_small_town(session, "alpha", "阿尔法镇")
        session.add(_monthly_visits(town.town.id))
        await session.flush()
        first = await keep_tasks_ahead(session, december)
        second = await keep_tasks_ahead(session, december)
        keys = sorted(set((await session.scalars(select(Task.period_key))).all()))
        return first, second, keys

    first, second, keys = db(run)
    assert first > 0 and second == 0
    assert keys == ["2027-12", "2028-01"]


def test_it_gives_a_new_contact_point_its_visits(db: Any) -> None:
    march = dt.datetime(2027, 3, 10, 9, tzinfo=SHANGHAI)

    async def run(session: Any) -> tuple[int, int]:
        town = await build_small_town(session, "alpha", "阿尔法镇")
        session.add(_monthly_visits(town.town.id))
        await session.flush()
        await keep_tasks_ahead(session, march)
        place = Place(town_id=town.town.id, code="NEW", name="新村", kind=PlaceKind.NATURAL_VILLAGE)
        session.add(place)
        await session.flush()
        session.add(ContactAssignment(town_id=town.town.id, person_id=town.official.id, place_id=place.id,
                                      link=ContactLink.CONTACT_POINT, valid_from=dt.date(2027, 1, 1)))  # fmt: skip
        await session.flush()
        created = await keep_tasks_ahead(session, march)
        count = await session.scalar(select(func.count()).select_from(Task).where(Task.place_id == place.id))
        return created, count or 0

    created, count = db(run)
    assert created == count == 10  # March to December
