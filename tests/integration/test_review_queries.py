"""The review service on the hand-worked fixture, on SQLite and PostgreSQL: who reads a review and
what they see, the finalised snapshot, the weights, the county's towns; and the number of SQL
statements `review()` and `county()` send, the same for a small and a large town or county."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.review_fixture import AFTER_YEAR, YEAR, ReviewTown, _Builder, build_review_town, month_end
from tests.support.statements import counted
from tests.support.work_services import actor
from tracker.db.models.accounts import Role
from tracker.db.models.review import FinalisedYear, ScoreWeights
from tracker.db.models.roster import ContactAssignment, ContactLink, Person, Place, PlaceKind, Tier, Town
from tracker.db.models.tasks import Cadence, TaskStatus, WhoKind, WorkKind
from tracker.domain.access import Actor
from tracker.domain.errors import InvalidInput, NotAllowed, NotFound
from tracker.domain.review.rules import DEFAULT_WEIGHTS
from tracker.domain.review.service import ReviewService
from tracker.i18n import use_locale


def _as(role: Role, fx: ReviewTown, person: str | None = None, **extra: Any) -> Actor:
    base = actor(role, fx.town.id if role not in (Role.ADMIN, Role.VIEWER) else None,
                 fx.people[person] if person else None)  # fmt: skip
    return dataclasses.replace(base, **extra)


def _review(db: Any, who: Any, year: int = YEAR, now: dt.datetime = AFTER_YEAR) -> Any:
    async def go(session: AsyncSession) -> Any:
        fx = await build_review_town(session)
        with use_locale("en"):
            return await ReviewService(session, who(fx)).review(fx.town, year, now)

    return db(go)


# -- who reads what --------------------------------------------------------------------------------


def test_it_puts_the_whole_review_together_for_the_secretary(db: Any) -> None:
    data = _review(db, lambda fx: _as(Role.SECRETARY, fx, "S1"))
    assert data.finalised_at is None and data.weights == DEFAULT_WEIGHTS
    assert (data.figures.visits_total, data.figures.visit_cells, data.figures.visit_cells_covered) == (46, 48, 45)
    assert {c.name for c in data.scorecards} == {"书记甲", "镇长乙", "主任丙", "站长丁", "干部戊", "干部己"}
    # the scorecards add up to the tasks of 2025: tier 1 has 48 visits + 12 study + 2 meetings = 62 due,
    # 45 + 11 + 2 = 58 done, 3 overdue visits, 1 excused study; the cadres 2 lectures, 1 done, 1 overdue
    assert sum(c.due for c in data.scorecards) == 64 and sum(c.done for c in data.scorecards) == 59
    assert sum(c.visit_cells for c in data.scorecards) == data.figures.visit_cells
    assert (len(data.follow_ups), len(data.opinions), len(data.recurring), len(data.next_year)) == (2, 2, 1, 2)
    assert not data.empty


def test_it_shows_an_official_the_scorecards_of_their_chain_only(db: Any) -> None:
    data = _review(db, lambda fx: _as(Role.OFFICIAL, fx, "S2"))
    # S2 and everyone below: H1, H2, C1 (C2 and S1 are under S1); ranks stay the town's
    assert {c.name for c in data.scorecards} == {"镇长乙", "主任丙", "站长丁", "干部戊"}
    assert data.figures.visits_total == 46 and len(data.by_tier) == 3


def test_it_lets_a_county_viewer_of_the_town_read_it(db: Any) -> None:
    data = _review(db, lambda fx: _as(Role.VIEWER, fx, viewer_town_ids=frozenset({fx.town.id})))
    assert len(data.scorecards) == 6


@pytest.mark.parametrize("who", ["member", "other_secretary", "other_viewer"])
def test_it_refuses_those_who_may_not_read_it(db: Any, who: str) -> None:
    def make(fx: ReviewTown) -> Actor:
        if who == "member":
            return _as(Role.MEMBER, fx, "C1")
        if who == "other_secretary":
            return dataclasses.replace(_as(Role.SECRETARY, fx), town_id=fx.other.id)
        return _as(Role.VIEWER, fx, viewer_town_ids=frozenset({fx.other.id}))

    expected = NotAllowed if who == "member" else NotFound
    with pytest.raises(expected):
        _review(db, make)


def test_it_answers_a_finalised_year_from_its_snapshot(db: Any) -> None:
    at = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)

    async def go(session: AsyncSession) -> Any:
        fx = await build_review_town(session)
        service = ReviewService(session, _as(Role.SECRETARY, fx, "S1"))
        live = await service.review(fx.town, YEAR, AFTER_YEAR)
        frozen = dataclasses.replace(live, figures=dataclasses.replace(live.figures, visits_total=999))
        session.add(FinalisedYear(town_id=fx.town.id, year=YEAR, finalised_at=at, snapshot=frozen.to_json()))
        await session.flush()
        return live, await service.review(fx.town, YEAR, AFTER_YEAR), await service.county(YEAR, AFTER_YEAR)

    live, data, county = db(go)
    assert data.finalised_at == at and data.figures.visits_total == 999
    assert data.scorecards == live.scorecards and data.follow_ups == live.follow_ups
    assert [d.figures.visits_total for _town, d in county] == [999]


def test_it_sets_the_weights_only_when_they_add_up(db: Any) -> None:
    async def go(session: AsyncSession) -> Any:
        fx = await build_review_town(session)
        service = ReviewService(session, _as(Role.SECRETARY, fx, "S1"))
        with use_locale("en"), pytest.raises(InvalidInput) as refused:
            await service.set_weights(fx.town, {"on_time": "50", "done": "50", "coverage": "x", "study": "0",
                                                "meetings": "0"}, AFTER_YEAR)  # fmt: skip
        rows_after_refusal = (await session.scalars(select(ScoreWeights))).all()
        with pytest.raises(NotAllowed):
            await ReviewService(session, _as(Role.OFFICIAL, fx, "S2")).set_weights(fx.town, {}, AFTER_YEAR)
        chosen = {"on_time": "50", "done": "50", "coverage": "0", "study": "0", "meetings": "0"}
        await service.set_weights(fx.town, chosen, AFTER_YEAR)
        return refused.value.fields, rows_after_refusal, await service.weights(fx.town), await service.review(
            fx.town, YEAR, AFTER_YEAR)

    fields, rows, weights, data = db(go)
    assert set(fields) == {"coverage"} and rows == []
    assert weights == {"on_time": 50, "done": 50, "coverage": 0, "study": 0, "meetings": 0}
    assert data.weights == weights


def test_it_sets_the_county_side_by_side(db: Any) -> None:
    async def go(session: AsyncSession) -> Any:
        fx = await build_review_town(session)
        with use_locale("en"):
            admin = await ReviewService(session, _as(Role.ADMIN, fx)).county(YEAR, AFTER_YEAR)
            return admin, await ReviewService(session, _as(Role.SECRETARY, fx, "S1")).county(YEAR, AFTER_YEAR)

    county, own = db(go)
    assert [town.code for town, _data in county] == ["ot", "rv"]
    rv = county[1][1]
    assert (rv.figures.visits_total, rv.figures.lectures_total, rv.scorecards) == (46, 6, ())
    # tier 1: 62 due, 58 done, 57 on time (May's visit was late), 3 overdue, cells 48 / 45;
    # tier 3: C1's lectures done on time, C2's open: 2 due, 1 done, 1 on time, 1 overdue; tier 2 has no tasks
    assert [(g.key, g.people, g.due, g.done, g.on_time, g.overdue, g.visit_cells, g.visit_cells_covered)
            for g in rv.by_tier] == [("section_official", 2, 62, 58, 57, 3, 48, 45),
                                     ("village_cadre", 2, 2, 1, 1, 1, 0, 0)]  # fmt: skip
    assert [town.code for town, _data in own] == ["rv"]


# -- a bounded number of statements ------------------------------------------------------------------


def _grow(town: Town, people: int) -> Callable[[AsyncSession], Awaitable[None]]:
    """`people` more tier-1 officials, each with a contact point visited monthly, a lecture and a visit."""

    async def grow(session: AsyncSession) -> None:
        build = _Builder(session, town)
        visits = await build.assignment("遍访", WorkKind.VISIT, WhoKind.CONTACT_POINTS, Cadence.MONTHLY)
        for number in range(people):
            person = Person(town_id=town.id, code=f"X{number:03d}", name=f"干部{number}", tier=Tier.SECTION_OFFICIAL)
            place = Place(town_id=town.id, code=f"X{number:03d}", name=f"村{number}", kind=PlaceKind.NATURAL_VILLAGE)
            session.add_all([person, place])
            await session.flush()
            session.add(ContactAssignment(town_id=town.id, person_id=person.id, place_id=place.id,
                                          link=ContactLink.CONTACT_POINT, valid_from=dt.date(2024, 1, 1)))  # fmt: skip
            for month in (1, 2, 3):
                done = month != 2
                task = build.task(visits, person, dt.date(YEAR, month, 1), month_end(YEAR, month), place=place,
                                  done=int(done), status=TaskStatus.DONE if done else TaskStatus.OPEN,
                                  closed=dt.date(YEAR, month, 10) if done else None)  # fmt: skip
                await session.flush()
                if done:
                    build.record(WorkKind.VISIT, person, dt.date(YEAR, month, 10),
                                 {"issues_found": "问题", "needs_follow_up": True}, task=task, place=place)  # fmt: skip
            build.record(WorkKind.LECTURE, person, dt.date(YEAR, 4, 1), {"topic": f"宣讲{number % 7}", "audience": 9})
        await session.flush()

    return grow


def _count_review(db: Any, fx: ReviewTown) -> int:
    async def go(session: AsyncSession) -> int:
        town = await session.get(Town, fx.town.id)
        service = ReviewService(session, _as(Role.OFFICIAL, fx, "S2"))
        with counted() as statements:
            await service.review(town, YEAR, AFTER_YEAR)
        return len(statements)

    return db(go)


def test_it_reviews_a_town_in_the_same_number_of_queries_whatever_its_size(db: Any) -> None:
    fx = db(build_review_town)
    small = _count_review(db, fx)
    assert small <= 16  # the reach (an official's chain), finalised?, weights, 4 figures, 3 scorecards, 4 material
    db(_grow(fx.town, 40))  # 6 people -> 46, 46 visits -> 126, 6 lectures -> 46
    assert _count_review(db, fx) == small


def _count_county(db: Any, fx: ReviewTown, expected_towns: int) -> int:
    async def go(session: AsyncSession) -> int:
        service = ReviewService(session, _as(Role.ADMIN, fx))
        with counted() as statements:
            rows = await service.county(YEAR, AFTER_YEAR)
        assert len(rows) == expected_towns
        return len(statements)

    return db(go)


def test_it_compares_a_county_in_the_same_number_of_queries_whatever_its_size(db: Any) -> None:
    fx = db(build_review_town)
    small = _count_county(db, fx, 2)
    assert small <= 8  # the towns, finalised years, 4 figures, the tiers

    async def more(session: AsyncSession) -> None:
        for number in range(12):
            town = Town(code=f"t{number:02d}", name=f"镇{number}", timezone="Asia/Shanghai", population=100)
            session.add(town)
            await session.flush()
            await _grow(town, 3)(session)

    db(more)
    assert _count_county(db, fx, 14) == small
