"""The study-app (学习强国) registrations a secretary enters for a year, on SQLite and PostgreSQL: they
reach the review's figures against the population entered or the town's; bad numbers are field
messages and change nothing; a year not begun or finalised is refused; only the town's secretary or
an admin; through the service, the page and the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import build_world, form_post, sign_in
from tests.support.review_fixture import AFTER_YEAR, YEAR, build_review_town
from tests.support.work_pages import ENGLISH
from tests.support.work_services import actor
from tracker.db.models.accounts import Role
from tracker.db.models.review import StudyAppCount
from tracker.domain.errors import InvalidInput, NotAllowed
from tracker.domain.review.finalise import finalise_year
from tracker.domain.review.service import ReviewService
from tracker.domain.work.locks import YearFinalised


async def _rows(session: AsyncSession) -> list[tuple[int, int, int | None]]:
    rows = (await session.scalars(select(StudyAppCount).order_by(StudyAppCount.year))).all()
    return [(row.year, row.registrations, row.population) for row in rows]


def test_the_figures_show_what_was_entered_against_the_population(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await build_review_town(session)
        fx.town.population = 20_000
        service = ReviewService(session, None)
        assert (await service.review(fx.town, YEAR, AFTER_YEAR)).figures.study_app_registrations is None
        await service.set_study_app(fx.town, YEAR, {"registrations": "6500", "population": ""}, AFTER_YEAR)
        figures = (await service.review(fx.town, YEAR, AFTER_YEAR)).figures
        assert (figures.study_app_registrations, figures.population, figures.study_app_share) == (
            6500,
            20_000,
            0.325,
        )
        # entered again, with the population of the app's own count: one row, the new numbers
        await service.set_study_app(
            fx.town, YEAR, {"registrations": "7000", "population": "25000"}, AFTER_YEAR
        )
        figures = (await service.review(fx.town, YEAR, AFTER_YEAR)).figures
        assert (figures.study_app_registrations, figures.population, figures.study_app_share) == (
            7000,
            25_000,
            0.28,
        )
        assert await _rows(session) == [(YEAR, 7000, 25_000)]
        # the county page reads them in the same statement for every town
        county = dict((town.code, data) for town, data in await service.county(YEAR, AFTER_YEAR))
        assert county["rv"].figures.study_app_registrations == 7000

    db(go)


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ({"registrations": "", "population": ""}, {"registrations"}),
        ({"registrations": "-1", "population": ""}, {"registrations"}),
        ({"registrations": "三千", "population": ""}, {"registrations"}),
        ({"registrations": "²", "population": ""}, {"registrations"}),
        ({"registrations": "10000001", "population": ""}, {"registrations"}),
        ({"registrations": "9223372036854775808", "population": ""}, {"registrations"}),
        ({"registrations": "100", "population": "0"}, {"population"}),
        ({"registrations": "100", "population": "1.5"}, {"population"}),
        ({"registrations": "x", "population": "y"}, {"registrations", "population"}),
    ],
)  # fmt: skip
def test_bad_numbers_are_field_messages_and_change_nothing(db, raw, fields) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await build_review_town(session)
        with pytest.raises(InvalidInput) as refused:
            await ReviewService(session, None).set_study_app(fx.town, YEAR, raw, AFTER_YEAR)
        assert set(refused.value.fields) == fields
        assert await _rows(session) == []

    db(go)


def test_it_refuses_a_year_not_begun_a_finalised_year_and_anyone_but_the_secretary(db) -> None:
    async def go(session: AsyncSession) -> None:
        fx = await build_review_town(session)
        service = ReviewService(session, None)
        good = {"registrations": "100", "population": ""}
        with pytest.raises(InvalidInput) as future:
            await service.set_study_app(fx.town, YEAR + 2, good, AFTER_YEAR)
        assert set(future.value.fields) == {"year"}
        official = ReviewService(session, actor(Role.OFFICIAL, fx.town.id, fx.people["S2"]))
        with pytest.raises(NotAllowed):
            await official.set_study_app(fx.town, YEAR, good, AFTER_YEAR)
        await finalise_year(session, None, fx.town, YEAR, AFTER_YEAR)
        with pytest.raises(YearFinalised):
            await service.set_study_app(fx.town, YEAR, good, AFTER_YEAR)
        assert await _rows(session) == []

    db(go)


def test_the_secretary_enters_them_on_the_page(client, db) -> None:
    db(build_world)
    sign_in(client, "secretary")
    form = client.get("/towns/alpha/review/study-app?year=2025", headers=ENGLISH)
    assert form.status_code == 200 and 'name="registrations"' in form.text
    bad = form_post(client, "/towns/alpha/review/study-app?year=2025", {"registrations": "many"}, headers=ENGLISH)
    assert bad.status_code == 400 and 'id="registrations-error"' in bad.text and 'aria-invalid="true"' in bad.text
    assert db(_rows) == []
    done = form_post(client, "/towns/alpha/review/study-app?year=2025", {"registrations": "1200", "population": "4000"})
    assert done.status_code == 303 and done.headers["location"].endswith("year=2025&saved=1")
    review = client.get("/towns/alpha/review?year=2025", headers=ENGLISH).text
    assert '<span class="figure-number">1200</span>' in review and "of 4000 residents" in review.replace(",", "")
    assert db(_rows) == [(2025, 1200, 4000)]


def test_they_are_entered_through_the_api_until_the_year_is_finalised(api_client, db) -> None:
    db(build_world)
    put = api_client.put("/api/v1/towns/alpha/review/2025/study-app", json={"registrations": 1300})
    assert put.status_code == 200, put.text
    assert put.json() == {"town_code": "alpha", "year": 2025, "registrations": 1300, "population": None}
    refused = api_client.put("/api/v1/towns/alpha/review/2025/study-app", json={"registrations": -5})
    assert refused.status_code == 400
    assert api_client.post("/api/v1/towns/alpha/review/2025/finalise").status_code == 200
    locked = api_client.put("/api/v1/towns/alpha/review/2025/study-app", json={"registrations": 1}, headers=ENGLISH)
    assert locked.status_code == 409 and "finalised" in locked.json()["detail"]
    assert db(_rows) == [(2025, 1300, None)]
