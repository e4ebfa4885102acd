"""The review's SVG charts: what they count, how they are drawn (accessible, no script, no inline
style), and the task states of the lights chart. Pure: no database."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from tracker.domain.review import charts
from tracker.domain.review.schemas import Scorecard
from tracker.i18n import use_locale

SVG = "{http://www.w3.org/2000/svg}"
TIERS = {"section_official": "Officials", "unit_head": "Unit heads", "village_cadre": "Cadres"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bars(svg: str, colour: str) -> list[ET.Element]:
    return [
        r
        for r in parse(svg).iter(f"{SVG}rect")
        if r.get("fill") == colour and r.find(f"{SVG}title") is not None
    ]


@pytest.mark.parametrize(
    ("status", "late", "overdue", "state"),
    [
        ("done", False, False, "done"),
        ("done", True, False, "late"),
        ("open", False, True, "overdue"),
        ("open", False, False, "open"),
        ("excused", False, False, None),
        ("cancelled", False, True, None),
        ("reassigned", False, False, None),
    ],
)
def test_it_sorts_tasks_into_the_lights_of_the_chart(
    status: str, late: bool, overdue: bool, state: str | None
) -> None:
    assert charts.task_state(status, late, overdue) == state


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([], {"a": [0] * 12, "b": [0] * 12}),
        ([(1, "a"), (1, "a"), (12, "b")], {"a": [2] + [0] * 11, "b": [0] * 11 + [1]}),
        ([(0, "a"), (13, "a"), (3, "zzz")], {"a": [0] * 12, "b": [0] * 12}),  # out of range, unknown: ignored
    ],
)
def test_it_tallies_pairs_into_twelve_months(
    pairs: list[tuple[int, str]], expected: dict[str, list[int]]
) -> None:
    assert charts.tally(pairs, ("a", "b")) == expected


def test_it_draws_visits_per_month_grouped_by_tier_with_a_title_and_words() -> None:
    visits = [(dt.date(2026, 1, 5), "section_official")] * 3 + [(dt.date(2026, 1, 9), "village_cadre"),
                                                               (dt.date(2026, 6, 1), "unit_head")]  # fmt: skip
    with use_locale("en"):
        svg = charts.visits_chart(visits, TIERS)
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "Visits per month by tier"
    assert root.find(f"{SVG}title").text == "Visits per month by tier"  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert desc == "Officials: Jan 3; Unit heads: Jun 1; Cadres: Jan 1"
    officials, heads, cadres = (bars(svg, colour) for colour in charts.TIER_COLOURS)
    assert (len(officials), len(heads), len(cadres)) == (1, 1, 1)
    # three visits against one: the bar is three times as tall, side by side in January
    assert float(officials[0].get("height")) == pytest.approx(3 * float(cadres[0].get("height")))
    assert float(officials[0].get("x")) < float(cadres[0].get("x")) < float(heads[0].get("x"))
    assert "<script" not in svg and "style=" not in svg and "on" + "click" not in svg


def test_it_stacks_the_lights_of_each_month_in_the_boards_colours() -> None:
    states = [(2, "done"), (2, "done"), (2, "late"), (2, "overdue"), (3, "open")]
    with use_locale("en"):
        svg = charts.lights_chart(states)
    done = bars(svg, charts.STATE_COLOURS["done"])
    late = bars(svg, charts.STATE_COLOURS["late"])
    overdue = bars(svg, charts.STATE_COLOURS["overdue"])
    assert len(done) == len(late) == len(overdue) == 1 and len(bars(svg, charts.STATE_COLOURS["open"])) == 1
    # stacked: same column, each on top of the one below
    assert done[0].get("x") == late[0].get("x") == overdue[0].get("x")
    assert float(late[0].get("y")) + float(late[0].get("height")) == pytest.approx(float(done[0].get("y")))
    assert float(overdue[0].get("y")) + float(overdue[0].get("height")) == pytest.approx(
        float(late[0].get("y"))
    )
    assert float(done[0].get("height")) == pytest.approx(2 * float(late[0].get("height")))
    assert "Feb · Done on time" in svg and "Done late: Feb 1" in svg


def test_it_draws_coverage_by_person_best_first_leaving_out_people_without_contact_points() -> None:
    cards = [
        Scorecard(1, "张三", "section_official", "", visit_cells=4, visit_cells_covered=2),
        Scorecard(2, "李四", "section_official", "", visit_cells=4, visit_cells_covered=4),
        Scorecard(3, "王五", "village_cadre", ""),  # no contact points
        Scorecard(4, "一个名字很长很长的人", "unit_head", "", visit_cells=10, visit_cells_covered=7),
    ]
    with use_locale("zh_CN"):
        svg = charts.coverage_chart(cards)
    texts = [t.text for t in parse(svg).iter(f"{SVG}text")]
    assert texts == ["李四", "100%", "一个名字很长很…", "70%", "张三", "50%"]
    assert parse(svg).get("aria-label") == "各人走访覆盖率"
    assert parse(svg).find(f"{SVG}desc").text == "李四 100%; 一个名字很长很长的人 70%; 张三 50%"  # type: ignore[union-attr]


@pytest.mark.parametrize("draw", [lambda: charts.visits_chart([], TIERS), lambda: charts.lights_chart([]),
                                  lambda: charts.coverage_chart([])])  # fmt: skip
def test_it_says_no_data_on_an_empty_chart(draw) -> None:
    with use_locale("en"):
        svg = draw()
    parse(svg)  # well-formed
    assert "No data" in svg


def test_it_escapes_names_and_fits_a_phone() -> None:
    cards = [Scorecard(1, '<b>"A&B"</b>', "unit_head", "", visit_cells=1, visit_cells_covered=1)]
    svg = charts.coverage_chart(cards)
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    for made in (svg, charts.lights_chart([(1, "done")]), charts.visits_chart([], TIERS)):
        width = int(re.search(r'viewBox="0 0 (\d+) \d+"', made).group(1))  # type: ignore[union-attr]
        assert width <= 360


@pytest.mark.parametrize(("peak", "top"), [(0, 4), (3, 4), (5, 8), (8, 8), (9, 20), (21, 40), (150, 200)])
def test_it_rounds_the_axis_top_to_four_whole_steps(peak: int, top: int) -> None:
    assert charts._nice_top(peak) == top
