"""The review as documents (domain/review/documents.py): the draft report's title, parts and sentences,
and the tables' sheets, from a ReviewData built by hand with the seed report's figures. No database."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.domain.review.documents import report_of, tables_of
from tracker.domain.review.schemas import (
    Count,
    Figures,
    FollowUp,
    GroupSummary,
    Meeting,
    Opinion,
    PlannedAssignment,
    Recurring,
    ReviewData,
    Scorecard,
)
from tracker.exports import INTEGER, PERCENT, SCORE
from tracker.i18n import use_locale


def seed_like(*, to_date: bool = False, finalised_at: dt.datetime | None = None) -> ReviewData:
    """The seed report's year in figures, with two people, two follow-ups, an incident and next year's work."""
    figures = Figures(
        town_code="alpha", town_name="阿尔法镇", year=2026, to_date=to_date,
        as_of=dt.date(2026, 6, 30) if to_date else dt.date(2026, 12, 31),
        committee_meetings=(Meeting(11, dt.date(2026, 6, 25), "专题研究意识形态工作", 9),
                            Meeting(12, dt.date(2026, 11, 29), "专题研究意识形态工作", 8)),
        study_sessions=12, study_months=12, months_in_year=12, study_attendance=130,
        lectures=(Count("plenum", "十九届五中全会精神宣讲", 65, 3200), Count("folk", "百姓宣讲", 62, 2100),
                  Count("door", "送学上门", 70, 900)),
        lectures_total=197,
        culture=(Count("film", "电影放映", 12, 1500), Count("performance", "文艺演出", 7, 800)),
        publicity=(Count("central", "中央媒体", 5), Count("county", "县级媒体", 26), Count("online", "网络媒体", 98),
                   Count("xuexi_qiangguo", "学习强国", 32)),
        visits_total=230, visit_cells=240, visit_cells_covered=180,
        population=12000, study_app_registrations=3700,
        opinion_incidents=2, opinion_handled=2,
    )  # fmt: skip
    cards = (
        Scorecard(2, "镇长乙", "section_official", "", due=30, done=28, on_time=25, late=3, overdue=2,
                  visit_cells=24, visit_cells_covered=20, study_attended=11, study_held=12,
                  meetings_attended=2, meetings_held=2, score=91.25, rank=1),
        Scorecard(4, "干部丁", "village_cadre", "宣传办", due=12, done=6, on_time=5, late=1, overdue=6, excused=1,
                  score=48.0, rank=2),
    )  # fmt: skip
    return ReviewData(
        figures=figures,
        scorecards=cards,
        by_tier=(GroupSummary("section_official", "科级干部", 1, 30, 28, 25, 2, 24, 20, 91.25),),
        by_unit=(GroupSummary("U1", "宣传办", 1, 12, 6, 5, 6, 0, 0, 48.0),),
        follow_ups=(
            FollowUp(31, dt.date(2026, 3, 2), "镇长乙", "东村2组", "村广场宣传栏破损。", resolved=True,
                     resolved_by="书记甲", resolved_on=dt.date(2026, 3, 20), resolution="已更换宣传栏"),
            FollowUp(32, dt.date(2026, 9, 8), "干部丁", "东村3组", "个别群众信奉宗教，需加强引导", resolved=False),
        ),
        opinions=(Opinion(41, dt.date(2026, 6, 10), "东村", "群众在网上发帖反映安置区建设问题", "已回应并协调解决"),),
        recurring=(Recurring(7, "东村3组", 3, 1),),
        next_year=(PlannedAssignment(51, "中心组集体学习", "study", 12),),
        finalised_at=finalised_at,
    )  # fmt: skip


def text_of(report) -> str:
    return "\n".join(p for part in report.parts for p in (part.heading, *part.paragraphs))


def test_it_titles_the_report_after_the_seed() -> None:
    with use_locale("zh_CN"):
        report = report_of(seed_like(), town_name="阿尔法镇")
    assert report.title == "2026年阿尔法镇意识形态工作报告"
    assert list(report.subtitle) == []


def test_it_says_to_date_and_finalised_under_the_title() -> None:
    finalised = dt.datetime(2026, 6, 30, 17, 0, tzinfo=dt.UTC)  # 1 July in Shanghai
    with use_locale("zh_CN"):
        report = report_of(seed_like(to_date=True, finalised_at=finalised), town_name="阿尔法镇")
    assert list(report.subtitle) == ["（截至6月30日）", "（根据2026年7月1日定稿的年度数据快照生成）"]


def test_it_has_the_four_numbered_parts_in_order() -> None:
    with use_locale("zh_CN"):
        report = report_of(seed_like(), town_name="阿尔法镇")
    headings = [part.heading for part in report.parts if part.heading]
    assert headings == ["一、工作开展情况", "二、存在的问题", "三、意识形态领域形势研判", "四、下一步工作打算"]


def test_it_fills_the_figures_into_part_one() -> None:
    with use_locale("zh_CN"):
        report = report_of(seed_like(), town_name="阿尔法镇")
    part_one = "\n".join(next(p for p in report.parts if p.heading.startswith("一")).paragraphs)
    for sentence in (
        "镇党委于6月25日、11月29日召开党委会专题研究全镇意识形态工作，共2次。",
        "党委理论学习中心组开展集体学习12次，12个月中有12个月开展学习，累计参学130人次。",
        "开展各类宣讲197场次，其中十九届五中全会精神宣讲65场次、百姓宣讲62场次、送学上门70场次。",
        "受众累计6200人次。",
        "播放电影12场次，文艺演出7场次。",
        "注册3700人，占全镇常住人口（12000人）的30.8%。",
        "在各级媒体上稿161篇，其中中央媒体上稿5篇、县级媒体上稿26篇、网络媒体上稿98篇、学习强国上稿32篇。",
        "开展遍访230次，应访240个（人员×联系点×周期），已访180个，覆盖率75.0%。",
        "应完成任务42项，已完成34项，其中按时完成30项；逾期未完成8项。",
        "收集网络舆情2起，妥善处置2起。",
    ):
        assert sentence in part_one


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("二", ["遍访中发现需跟进解决的问题2个，已解决1个，尚未解决1个。",
                "（1）东村3组：个别群众信奉宗教，需加强引导（干部丁于9月8日发现，尚未解决）。",
                "（2）东村2组：村广场宣传栏破损（镇长乙于3月2日发现；书记甲于3月20日解决：已更换宣传栏）。"]),
        ("三", ["记录网络舆情事件1起：",
                "（1）6月10日，东村：群众在网上发帖反映安置区建设问题。处置情况：已回应并协调解决。",
                "以下地点多次发现问题，需重点关注：东村3组（发现问题3次，未解决1个）。"]),
        ("四", ["对遍访中发现的1个尚未解决的问题继续跟踪督办，逐项销号：东村3组。",
                "2027年已安排的工作：中心组集体学习（12项任务）。"]),
    ],
)  # fmt: skip
def test_it_writes_the_other_parts_from_the_material(heading: str, expected: list[str]) -> None:
    with use_locale("zh_CN"):
        report = report_of(seed_like(), town_name="阿尔法镇")
    assert list(next(p for p in report.parts if p.heading.startswith(heading)).paragraphs) == expected


def test_it_writes_the_same_report_in_english() -> None:
    with use_locale("en"):
        report = report_of(seed_like(), town_name="Alpha")
    text = text_of(report)
    assert report.title == "2026 Alpha ideology work report"
    assert next(p.heading for p in report.parts if p.heading) == "1. Work done"
    assert "The party committee met on June 25, November 29 to study" in text
    assert "12 film screenings and 7 performances were held." in text
    assert report.annex_label == "Annex"


def test_it_puts_the_scorecards_in_the_annex() -> None:
    with use_locale("zh_CN"):
        report = report_of(seed_like(), town_name="阿尔法镇")
    assert report.annex_label == "附件"
    assert report.annex_title == "2026年意识形态工作责任制考核情况表"
    assert report.annex is not None
    assert report.annex.headers[:4] == ["名次", "姓名", "责任层级", "所在单位"]
    assert report.annex.rows[0][:4] == [1, "镇长乙", "科级干部", ""]
    assert report.annex.rows[0][-1] == 91.25


def test_it_says_there_is_no_data_for_an_empty_year() -> None:
    empty = ReviewData(figures=Figures("alpha", "阿尔法镇", 2024, False, dt.date(2024, 12, 31)))
    with use_locale("zh_CN"):
        report = report_of(empty, town_name="阿尔法镇")
    assert [list(p.paragraphs) for p in report.parts] == [["2024年暂无工作记录和应办任务，尚无可报告的数据。"]]
    assert report.annex is None


def test_it_counts_what_it_does_not_list() -> None:
    many = tuple(FollowUp(i, dt.date(2026, 5, 1), "干部丁", "东村1组", f"问题{i}", resolved=False) for i in range(35))
    data = seed_like()
    data = ReviewData(figures=data.figures, scorecards=data.scorecards, follow_ups=many)
    with use_locale("zh_CN"):
        report = report_of(data, town_name="阿尔法镇")
    problems = list(next(p for p in report.parts if p.heading.startswith("二")).paragraphs)
    assert len(problems) == 1 + 30 + 1
    assert problems[-1] == "另有5项，详见台账。"


def test_it_makes_the_five_sheets_with_translated_headers() -> None:
    with use_locale("zh_CN"):
        tables = tables_of(seed_like())
    assert [t.name for t in tables] == ["主要数据", "个人考核", "分层级汇总", "分单位汇总", "遍访覆盖情况"]
    figures, people, tiers, units, coverage = tables
    rows = {row[0]: row for row in figures.rows}
    assert rows["党委会专题研究意识形态工作"][1:] == [2, None, None, 17, "6月25日、11月29日"]
    assert rows["宣讲：百姓宣讲"][1] == 62
    assert rows["文化活动：电影放映"][1] == 12
    assert rows["宣传上稿：中央媒体"][1] == 5
    assert rows["遍访覆盖（已访/应访）"][1:4] == [180, 240, 0.75]
    assert figures.number_formats[1:4] == [INTEGER, INTEGER, PERCENT]
    assert people.rows[1][10] is None  # no contact points: no coverage, not 0 %
    assert people.number_formats[-1] == SCORE
    assert tiers.headers[0] == "责任层级" and tiers.rows[0][0] == "科级干部"
    assert units.headers[0] == "所在单位" and units.rows[0][:2] == ["宣传办", 1]
    assert coverage.rows == [["镇长乙", "科级干部", "", 24, 20, 20 / 24], ["全镇", "", "", 240, 180, 0.75]]


def test_it_translates_the_headers_into_english() -> None:
    with use_locale("en"):
        tables = tables_of(seed_like())
    assert [t.name for t in tables] == ["Figures", "Scorecards", "By tier", "By unit", "Coverage of visits"]
    assert tables[1].headers[:3] == ["Rank", "Name", "Tier of responsibility"]


def test_it_names_at_most_ten_recurring_places() -> None:
    places = tuple(Recurring(i, f"村{i}", 12 - i, 1 if i == 0 else 0) for i in range(12))
    data = seed_like()
    data = ReviewData(figures=data.figures, scorecards=data.scorecards, recurring=places)
    with use_locale("zh_CN"):
        report = report_of(data, town_name="阿尔法镇")
    analysis = list(next(p for p in report.parts if p.heading.startswith("三")).paragraphs)
    assert analysis[0].startswith("以下地点多次发现问题，需重点关注：村0（发现问题12次，未解决1个）、村1（发现问题11次）、")
    assert "村9（发现问题3次）。" in analysis[0] and "村10" not in analysis[0]
    assert analysis[1] == "另有2项，详见台账。"
