"""Section 一's figures on the hand-worked fixture (tests/support/review_fixture.py), on SQLite and
PostgreSQL: every figure is the number worked out in the comments; a year with no data gives zeros;
"to date" while the year runs; the other town's records never count."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.support.review_fixture import AFTER_YEAR, MID_YEAR, YEAR, ReviewTown, build_review_town
from tracker.db.models.roster import Town
from tracker.domain.review.figures import compute_figures, compute_figures_for_towns, year_window
from tracker.domain.review.material import compute_material
from tracker.domain.review.schemas import Count, Figures, FollowUp, PlannedAssignment, Recurring, ReviewData
from tracker.i18n import use_locale


def _figures(db: Any, now: dt.datetime, year: int = YEAR, code: str = "rv") -> tuple[ReviewTown, Figures]:
    async def go(session: Any) -> tuple[ReviewTown, Figures]:
        fixture = await build_review_town(session)
        town = fixture.town if code == "rv" else fixture.other
        with use_locale("en"):
            return fixture, await compute_figures(session, town, year, now)

    return db(go)


def test_it_computes_every_figure_of_a_finished_year(db: Any) -> None:
    fixture, f = _figures(db, AFTER_YEAR)
    assert (f.town_code, f.year, f.to_date, f.as_of, f.months_in_year) == ("rv", 2025, False, dt.date(2025, 12, 31), 12)
    # two committee meetings: 25 June (S1 S2 H1 H2 C1 = 5), 29 November (all six = 6), titled by their task
    assert [(m.day, m.title, m.attendees) for m in f.committee_meetings] == [
        (dt.date(2025, 6, 25), "党委会专题研究意识形态工作", 5),
        (dt.date(2025, 11, 29), "党委会专题研究意识形态工作", 6),
    ]
    # study: months 1-7 and 9-12 (11 sessions) + the unplanned 28 March one = 12 sessions in 11 months;
    # attendance: January and December 6 each, the other 10 sessions 4 each: 2*6 + 10*4 = 52
    assert (f.study_sessions, f.study_months, f.study_attendance) == (12, 11, 52)
    # lectures by their task's title: 五中全会 3 (40+50+60 = 150), 百姓宣讲 2 (30+20 = 50), and the
    # unplanned one by its topic: 防疫知识宣讲 1 (25); 2 January 2026's is next year's: 3+2+1 = 6
    assert f.lectures == (
        Count("十九届五中全会精神宣讲", "十九届五中全会精神宣讲", 3, 150),
        Count("百姓宣讲", "百姓宣讲", 2, 50),
        Count("防疫知识宣讲", "防疫知识宣讲", 1, 25),
    )
    assert f.lectures_total == 6
    # culture: films 100+120+80 = 300 in 3 screenings; one performance of 200
    assert f.culture == (Count("film", "Film screening", 3, 300), Count("performance", "Performance", 1, 200))
    # publicity: central 1, county 2, online 3 (in the choices' order; no audience)
    assert f.publicity == (
        Count("central", "Central media", 1, 0), Count("county", "County media", 2, 0),
        Count("online", "Online media", 3, 0),
    )  # fmt: skip
    # visits: 48 cells - 3 missed = 45 visit records + C1's unplanned 10 April = 46 (31 Dec 2024 not counted)
    assert f.visits_total == 46
    # coverage: 2 officials x 2 contact points x 12 months = 48 cells; 45 with a visit (the late one counts)
    assert (f.visit_cells, f.visit_cells_covered) == (48, 45)
    assert f.coverage == 45 / 48
    # the town's population; registrations are not entered anywhere yet
    assert (f.population, f.study_app_registrations, f.study_app_share) == (10000, None, None)
    # opinion: 10 June (handled) and 2 September (how_handled blank): 2 incidents, 1 handled
    assert (f.opinion_incidents, f.opinion_handled) == (2, 1)
    assert fixture.town.code == "rv"


def test_it_says_to_date_while_the_year_runs(db: Any) -> None:
    _fixture, f = _figures(db, MID_YEAR)  # noon, 15 July 2025 in Shanghai
    assert (f.to_date, f.as_of, f.months_in_year) == (True, dt.date(2025, 7, 15), 7)
    # only 25 June's meeting has been held
    assert [m.day for m in f.committee_meetings] == [dt.date(2025, 6, 25)]
    # study: 20 January ... 20 June (6; 20 July is still to come) + 28 March = 7 sessions in 6 months;
    # attendance: January's 6 + 6 sessions x 4 = 30
    assert (f.study_sessions, f.study_months, f.study_attendance) == (7, 6, 30)
    # lectures: 五中全会 3 (150), 百姓宣讲 8 July (30); 防疫 (October) not yet: 4
    assert [(c.key, c.count, c.audience) for c in f.lectures] == [("十九届五中全会精神宣讲", 3, 150), ("百姓宣讲", 1, 30)]
    assert f.lectures_total == 4
    assert [(c.key, c.count, c.audience) for c in f.culture] == [("film", 1, 100)]  # 1 May
    # central 1 March; county 1 April; online 1 February, 1 June
    assert [(c.key, c.count) for c in f.publicity] == [("central", 1), ("county", 1), ("online", 2)]
    # visits on the 15th of months 1-7: S1-V1 5 (March, July missed), S1-E1 7, S2-V2 7 (May's on 3 June),
    # S2-V3 7 = 26, + C1's 10 April = 27
    assert f.visits_total == 27
    # cells due by now: January-June (July's fall due on 1 August) = 4 x 6 = 24; S1-V1 March missed: 23
    assert (f.visit_cells, f.visit_cells_covered) == (24, 23)
    assert (f.opinion_incidents, f.opinion_handled) == (1, 1)  # 10 June


def test_it_gives_zeros_for_a_year_with_no_data(db: Any) -> None:
    _fixture, f = _figures(db, AFTER_YEAR, year=2023)
    assert f == Figures(town_code="rv", town_name="评议镇", year=2023, to_date=False, as_of=dt.date(2023, 12, 31),
                        population=10000)  # fmt: skip
    assert f.coverage is None
    assert ReviewData(figures=f).empty


def test_it_never_counts_another_towns_records(db: Any) -> None:
    """The other town's one of everything is its own, computed in the same queries as ours."""

    async def go(session: Any) -> dict[int, Figures]:
        fixture = await build_review_town(session)
        towns = (await session.scalars(select(Town).order_by(Town.code))).all()
        with use_locale("en"):
            return fixture, await compute_figures_for_towns(session, towns, YEAR, AFTER_YEAR)

    fixture, by_town = db(go)
    ours, theirs = by_town[fixture.town.id], by_town[fixture.other.id]
    assert (ours.visits_total, ours.visit_cells, ours.study_sessions, ours.lectures_total) == (46, 48, 12, 6)
    assert ours.publicity[0].key == "central" and "provincial" not in {c.key for c in ours.publicity}
    # theirs: 2 visits (one on a task), 1 cell covered, one of each other kind
    assert (theirs.visits_total, theirs.visit_cells, theirs.visit_cells_covered) == (2, 1, 1)
    assert (theirs.study_sessions, theirs.study_attendance, len(theirs.committee_meetings)) == (1, 1, 1)
    assert theirs.committee_meetings[0].title == "外镇党委会"  # unplanned: its minutes' first line
    assert [(c.key, c.count, c.audience) for c in theirs.lectures] == [("全会精神", 1, 500)]
    assert [(c.key, c.count) for c in theirs.culture] == [("film", 1), ("performance", 1)]
    assert [(c.key, c.count) for c in theirs.publicity] == [("provincial", 1)]
    assert (theirs.opinion_incidents, theirs.opinion_handled) == (1, 1)


def test_it_labels_categories_in_the_current_language(db: Any) -> None:
    async def go(session: Any) -> Figures:
        fixture = await build_review_town(session)
        with use_locale("zh_CN"):
            return await compute_figures(session, fixture.town, YEAR, AFTER_YEAR)

    f = db(go)
    assert [c.label for c in f.culture] == ["电影放映", "文艺演出"]
    assert next(c.label for c in f.publicity) == "中央级媒体"


def test_it_reads_the_year_window_in_the_towns_zone() -> None:
    # 31 December 2025 17:00 UTC is already 1 January 2026 in Shanghai: 2025 is over there
    late = dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC)
    assert year_window(2025, late, "Asia/Shanghai").to_date is False
    assert year_window(2025, late, "UTC").to_date is True
    assert year_window(2025, late, "UTC").months == 12
    before = year_window(2026, dt.datetime(2025, 6, 1, tzinfo=dt.UTC), "UTC")
    assert (before.to_date, before.months) == (True, 0)


# -- the other sections' material (二, 三, 四) -----------------------------------------------------


def test_it_gathers_the_other_sections_material(db: Any) -> None:
    async def go(session: Any) -> Any:
        fixture = await build_review_town(session)
        return await compute_material(session, fixture.town, YEAR, AFTER_YEAR), fixture

    (follow_ups, opinions, recurring, next_year), fixture = db(go)
    # 二: S2's visits to V2 in February (resolved by rv-secretary, whose person is 书记甲, on 10 March)
    # and June (open); 31 December 2024's follow-up is last year's, the other town's is theirs
    assert follow_ups == (
        FollowUp(fixture.records["follow_up_resolved"].id, dt.date(2025, 2, 15), "镇长乙", "东村2组",
                 "村道路灯损坏，群众有意见", True, "书记甲", dt.date(2025, 3, 10), "已协调维修"),
        FollowUp(fixture.records["follow_up_open"].id, dt.date(2025, 6, 15), "镇长乙", "东村2组",
                 "有人传播不实信息", False),
    )  # fmt: skip
    # 三: the two incidents, oldest first; V2 found issues twice (one still open); V1 only once: not recurring
    assert [(o.day, o.what_happened, o.how_handled) for o in opinions] == [
        (dt.date(2025, 6, 10), "个别群众在网站发文质疑美丽乡村建设", "约谈并解释政策"),
        (dt.date(2025, 9, 2), "微信群转发不实消息", ""),
    ]
    assert recurring == (Recurring(fixture.places["V2"].id, "东村2组", 2, 1),)
    # 四: the visits' 4 cells x January-March 2026 = 12 tasks; 2026's committee meetings: 2
    assert next_year == (
        PlannedAssignment(fixture.assignments["visits"].id, "联系点遍访", "visit", 12),
        PlannedAssignment(fixture.assignments["next_year"].id, "2026年党委会专题研究", "meeting", 2),
    )


def test_it_gathers_the_material_to_date(db: Any) -> None:
    async def go(session: Any) -> Any:
        fixture = await build_review_town(session)
        return await compute_material(session, fixture.town, YEAR, dt.datetime(2025, 3, 1, 4, tzinfo=dt.UTC))

    follow_ups, opinions, recurring, _next = db(go)
    # on 1 March 2025 only February's follow-up was there (resolved later: the state is today's)
    assert [(f.day, f.resolved) for f in follow_ups] == [(dt.date(2025, 2, 15), True)]
    assert (opinions, recurring) == ((), ())
