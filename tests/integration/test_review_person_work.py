"""The lists behind a scorecard's numbers (review/person_work.py): for every person of the hand-worked
review town and every number of their card, the list holds exactly as many tasks (or attended
sessions) as the card counts; refusals for an unknown measure, a person out of reach and another
town's person; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import build_world, sign_in
from tests.support.review_fixture import AFTER_YEAR, MID_YEAR, YEAR, build_review_town
from tests.support.work_pages import ENGLISH
from tests.support.work_services import actor
from tracker.db.models.accounts import Role
from tracker.domain.errors import InvalidInput, NotFound
from tracker.domain.review.person_work import WORK_MEASURES
from tracker.domain.review.rules import DEFAULT_WEIGHTS
from tracker.domain.review.scorecards import compute_scorecards
from tracker.domain.review.service import ReviewService

CARD_NUMBER = {
    "due": "due", "done": "done", "on_time": "on_time", "late": "late", "overdue": "overdue",
    "excused": "excused", "visit_cells": "visit_cells", "study": "study_attended", "meetings": "meetings_attended",
}  # fmt: skip


@pytest.mark.parametrize("now", [AFTER_YEAR, MID_YEAR], ids=["year-over", "to-date"])
def test_every_list_holds_what_its_number_counts(db, now) -> None:
    async def check(session: AsyncSession) -> int:
        fx = await build_review_town(session)
        cards, _tiers, _units = await compute_scorecards(session, fx.town, YEAR, now, DEFAULT_WEIGHTS)
        service = ReviewService(session, None)
        checked = 0
        for card in cards:
            for measure in WORK_MEASURES:
                work = await service.person_work(fx.town, card.person_id, YEAR, measure, now)
                assert work.count == getattr(card, CARD_NUMBER[measure]), (card.name, measure)
                checked += work.count
            sessions = await service.person_work(fx.town, card.person_id, YEAR, "study", now)
            assert len(sessions.sessions) == card.study_held
        return checked

    assert db(check) > 100  # the fixture's year is full: the lists are not all empty


def test_it_refuses_an_unknown_measure_and_people_out_of_reach(db) -> None:
    async def check(session: AsyncSession) -> None:
        world = await build_world(session)
        fx = await build_review_town(session)
        service = ReviewService(session, None)
        with pytest.raises(InvalidInput) as refused:
            await service.person_work(fx.town, fx.people["S1"].id, YEAR, "score", AFTER_YEAR)
        assert set(refused.value.fields) == {"measure"}
        with pytest.raises(NotFound):  # another town's person, asked through this town
            await service.person_work(fx.town, world.a.cadre.id, YEAR, "due", AFTER_YEAR)
        alpha_cadre = ReviewService(session, actor(Role.MEMBER, world.a.town.id, world.a.cadre))
        with pytest.raises(NotFound):  # a member reads their own work only
            await alpha_cadre.person_work(world.a.town, world.a.official.id, YEAR, "due", AFTER_YEAR)
        own = await alpha_cadre.person_work(world.a.town, world.a.cadre.id, YEAR, "due", AFTER_YEAR)
        assert own.person.id == world.a.cadre.id

    db(check)


def test_the_page_lists_the_tasks_and_says_what_is_wrong(client, db) -> None:
    async def build(session: AsyncSession):
        await build_world(session)
        return await build_review_town(session)

    fx = db(build)
    sign_in(client, "admin")
    s2 = fx.people["S2"].id
    page = client.get(f"/towns/rv/people/{s2}/work?year={YEAR}&measure=late", headers=ENGLISH)
    assert page.status_code == 200, page.text
    assert "Done late: <bdi>镇长乙</bdi>, 2025" in page.text and page.text.count('<a class="task-row"') == 1
    assert 'aria-current="page">Done late</a>' in page.text
    meetings = client.get(f"/towns/rv/people/{s2}/work?year={YEAR}&measure=meetings", headers=ENGLISH)
    assert meetings.status_code == 200 and meetings.text.count(">attended<") == 2
    unknown = client.get(f"/towns/rv/people/{s2}/work?year={YEAR}&measure=score", headers=ENGLISH)
    assert unknown.status_code == 400 and "Choose one of the scorecard&#39;s numbers" in unknown.text
    bad_year = client.get(f"/towns/rv/people/{s2}/work?year=20x5", headers=ENGLISH)
    assert bad_year.status_code == 400
