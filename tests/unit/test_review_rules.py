"""The scorecards' pure rules: weights read strictly, scores with measures left out and the weights
rescaled, rounding half up, the ranking with shared ranks, and the summaries by group."""

from __future__ import annotations

import pytest

from tracker.domain.review.rules import (
    DEFAULT_WEIGHTS,
    MEASURES,
    WEIGHT_LABELS,
    WEIGHT_NOTES,
    measure_rates,
    rank,
    score,
    summarise,
    tier_label,
    validate_study_app,
    validate_weights,
)
from tracker.domain.review.schemas import Scorecard
from tracker.i18n import use_locale

ALL_ZERO = dict.fromkeys(MEASURES, 0)


def card(name: str = "甲", person_id: int = 1, **counts: float | str) -> Scorecard:
    values = {"tier": "section_official", "unit": "", **counts}
    return Scorecard(person_id=person_id, name=name, **values)  # type: ignore[arg-type]


def test_it_has_default_weights_adding_up_to_100_with_a_label_and_note_each() -> None:
    assert DEFAULT_WEIGHTS == {"on_time": 40, "done": 20, "coverage": 25, "study": 10, "meetings": 5}
    assert sum(DEFAULT_WEIGHTS.values()) == 100
    assert set(WEIGHT_LABELS) == set(WEIGHT_NOTES) == set(MEASURES) == set(DEFAULT_WEIGHTS)
    with use_locale("zh_CN"):
        assert str(WEIGHT_LABELS["coverage"]) == "走访覆盖"


@pytest.mark.parametrize(
    ("raw", "weights", "errors"),
    [
        ({"on_time": "40", "done": "20", "coverage": "25", "study": "10", "meetings": "5"}, DEFAULT_WEIGHTS, {}),
        # spaces around, a form's other fields ignored, JSON integers taken as they are
        ({"on_time": " 100 ", "done": "0", "coverage": "0", "study": "0", "meetings": "0", "_csrf_token": "x"},
         {**ALL_ZERO, "on_time": 100}, {}),
        ({"on_time": 50, "done": 50, "coverage": 0, "study": 0, "meetings": 0},
         {**ALL_ZERO, "on_time": 50, "done": 50}, {}),
        # each field on its own
        ({"on_time": "", "done": "20", "coverage": "25", "study": "10", "meetings": "5"},
         {}, {"on_time": "Enter a whole number from 0 to 100"}),
        ({"done": "20", "coverage": "25", "study": "10", "meetings": "5"},
         {}, {"on_time": "Enter a whole number from 0 to 100"}),
        ({"on_time": "40.5", "done": "abc", "coverage": "-5", "study": "101", "meetings": "²"},
         {}, {"on_time": "Enter a whole number from 0 to 100", "done": "Enter a whole number from 0 to 100",
              "coverage": "Enter a whole number from 0 to 100", "study": "Enter a whole number from 0 to 100",
              "meetings": "Write the number with the digits 0 to 9"}),
        ({"on_time": "１", "done": "99", "coverage": "0", "study": "0", "meetings": "0"},
         {}, {"on_time": "Write the number with the digits 0 to 9"}),
        ({"on_time": True, "done": "99", "coverage": "0", "study": "0", "meetings": "0"},
         {}, {"on_time": "Enter a whole number from 0 to 100"}),
        ({"on_time": "99999999999999999999999", "done": "0", "coverage": "0", "study": "0", "meetings": "0"},
         {}, {"on_time": "Enter a whole number from 0 to 100"}),
        # the sum, once every field reads
        ({"on_time": "40", "done": "20", "coverage": "25", "study": "10", "meetings": "10"},
         {}, {"total": "The weights add up to 105; they must add up to 100"}),
        (ALL_ZERO, {}, {"total": "The weights add up to 0; they must add up to 100"}),
    ],
)  # fmt: skip
def test_it_reads_weights_strictly_with_field_messages(raw, weights, errors) -> None:
    with use_locale("en"):
        assert validate_weights(raw) == (weights, errors)


def test_it_gives_weight_messages_in_chinese() -> None:
    raw = {"on_time": "x", "done": "20", "coverage": "25", "study": "10", "meetings": "5"}
    with use_locale("zh_CN"):
        assert validate_weights(raw) == ({}, {"on_time": "请输入 0 到 100 之间的整数"})
        total = validate_weights({**raw, "on_time": "0"})
    assert total == ({}, {"total": "各项权重合计为 60，合计须为 100"})


FULL = {"due": 10, "done": 8, "on_time": 6, "late": 2, "overdue": 1, "excused": 1, "visit_cells": 8,
        "visit_cells_covered": 6, "study_attended": 9, "study_held": 12, "meetings_attended": 1, "meetings_held": 2}  # fmt: skip


@pytest.mark.parametrize(
    ("counts", "weights", "expected"),
    [
        # counted tasks = 10 due - 1 excused = 9: on time 6/9, done 8/9; coverage 6/8; study 9/12; meetings 1/2
        # 40*6/9 + 20*8/9 + 25*6/8 + 10*9/12 + 5*1/2 = 26.667 + 17.778 + 18.75 + 7.5 + 2.5 = 73.194 -> 73.2
        (FULL, DEFAULT_WEIGHTS, 73.2),
        # only on time counts: 6/9 = 66.67 -> 66.7
        (FULL, {**ALL_ZERO, "on_time": 100}, 66.7),
        # no contact points: coverage left out, 75 points of weight left:
        # (40*6/9 + 20*8/9 + 10*9/12 + 5*1/2) / 75 = 54.444 / 75 = 72.59 -> 72.6
        ({**FULL, "visit_cells": 0, "visit_cells_covered": 0}, DEFAULT_WEIGHTS, 72.6),
        # nothing due and no cells: attendance alone is no score -> not scored (None), however good
        ({"study_attended": 9, "study_held": 12, "meetings_attended": 1, "meetings_held": 2}, DEFAULT_WEIGHTS, None),
        ({"study_attended": 12, "study_held": 12, "meetings_attended": 2, "meetings_held": 2}, DEFAULT_WEIGHTS, None),
        # everything excused: tasks left out; no cells, no sessions: nothing at all -> not scored
        ({"due": 3, "excused": 3}, DEFAULT_WEIGHTS, None),
        ({}, DEFAULT_WEIGHTS, None),
        # contact points but nothing due yet: coverage is a task measure -> scored, with attendance
        # (25*1/2 + 10*1) / 35 = 22.5 / 35 = 64.29 -> 64.3
        ({"visit_cells": 2, "visit_cells_covered": 1, "study_attended": 1, "study_held": 1}, DEFAULT_WEIGHTS, 64.3),
        # what they have weighs 0: nothing to score -> 0
        ({"due": 4, "done": 4, "on_time": 4}, {**ALL_ZERO, "study": 100}, 0.0),
        # all done on time, full coverage, every session: 100
        ({"due": 4, "done": 4, "on_time": 4, "visit_cells": 2, "visit_cells_covered": 2, "study_attended": 3,
          "study_held": 3, "meetings_attended": 2, "meetings_held": 2}, DEFAULT_WEIGHTS, 100.0),
        # half up, exactly: 1/8 on time, 100% weight -> 12.5 exactly; 1/16 -> 6.25 -> 6.3 (not banker's 6.2)
        ({"due": 8, "done": 1, "on_time": 1}, {**ALL_ZERO, "on_time": 100}, 12.5),
        ({"due": 16, "done": 1, "on_time": 1}, {**ALL_ZERO, "on_time": 100}, 6.3),
        # late work counts for done, not on time: (40*0 + 20*1) / 60 = 33.33 -> 33.3
        ({"due": 2, "done": 2, "late": 2}, DEFAULT_WEIGHTS, 33.3),
    ],
)  # fmt: skip
def test_it_scores_a_card_from_its_weights(counts, weights, expected) -> None:
    assert score(card(**counts), weights) == expected


def test_it_leaves_out_the_measures_a_person_has_nothing_for() -> None:
    rates = measure_rates(card(due=2, excused=2, study_attended=1, study_held=4))
    assert rates == {"on_time": None, "done": None, "coverage": None, "study": 0.25, "meetings": None}


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        # (name, id, score) in; (name, rank) out, in order
        ([("乙", 2, 80.0), ("甲", 1, 90.0), ("丙", 3, 70.0)], [("甲", 1), ("乙", 2), ("丙", 3)]),
        # equal scores share a rank, the next skips; equals by name
        ([("丁", 4, 60.0), ("b", 2, 80.0), ("a", 1, 90.0), ("c", 3, 80.0)],
         [("a", 1), ("b", 2), ("c", 2), ("丁", 4)]),
        ([("x", 1, 50.0), ("y", 2, 50.0), ("z", 3, 50.0)], [("x", 1), ("y", 1), ("z", 1)]),
        # same name: by id
        ([("同", 9, 10.0), ("同", 3, 10.0), ("末", 1, 0.0)], [("同", 1), ("同", 1), ("末", 3)]),
        # not scored (None): after everyone scored, by name, with no rank
        ([("未", 5, None), ("乙", 2, 0.0), ("啊", 6, None), ("甲", 1, 10.0)],
         [("甲", 1), ("乙", 2), ("啊", None), ("未", None)]),
        ([("x", 1, None)], [("x", None)]),
        ([], []),
    ],
)  # fmt: skip
def test_it_ranks_by_score_then_name_with_shared_ranks(scores, expected) -> None:
    ranked = rank(card(name, person_id, score=value) for name, person_id, value in scores)
    assert [(c.name, c.rank) for c in ranked] == expected


def test_it_orders_namesakes_by_id() -> None:
    ranked = rank([card("同", 9, score=10.0), card("同", 3, score=10.0)])
    assert [c.person_id for c in ranked] == [3, 9]


def test_it_summarises_cards_by_group_in_the_given_order_then_by_label() -> None:
    cards = [
        card("a", 1, tier="village_cadre", unit="宣传办", due=4, done=3, on_time=2, overdue=1, score=50.0),
        card("b", 2, tier="section_official", unit="", due=6, done=6, on_time=5, visit_cells=4,
             visit_cells_covered=3, score=90.0),
        card("c", 3, tier="section_official", unit="党政办", due=2, done=1, on_time=1, overdue=1, visit_cells=2,
             visit_cells_covered=2, score=75.5),
        card("d", 4, tier="village_cadre", unit="宣传办", score=33.3),
    ]  # fmt: skip
    with use_locale("en"):
        tiers = summarise(
            cards, lambda c: c.tier, tier_label, ("section_official", "unit_head", "village_cadre")
        )
    assert [(g.key, g.label, g.people) for g in tiers] == [
        ("section_official", "Section-level officials", 2),
        ("village_cadre", "Village-contact cadres", 2),
    ]
    officials, cadres = tiers
    # b + c: due 6+2, done 6+1, on time 5+1, overdue 0+1, cells 4+2, covered 3+2, average (90 + 75.5) / 2 = 82.75 -> 82.8
    assert (officials.due, officials.done, officials.on_time, officials.overdue) == (8, 7, 6, 1)
    assert (officials.visit_cells, officials.visit_cells_covered, officials.average_score) == (6, 5, 82.8)
    # a + d: (50 + 33.3) / 2 = 41.65 -> 41.7 (half up, exactly)
    assert (cadres.due, cadres.done, cadres.on_time, cadres.overdue, cadres.average_score) == (
        4,
        3,
        2,
        1,
        41.7,
    )

    assert cadres.coverage is None
    # no order given: by label, the empty key (no unit) last
    units = summarise(cards, lambda c: c.unit, lambda k: k or "—")
    assert [(g.key, g.people, g.average_score) for g in units] == [
        ("党政办", 1, 75.5),
        ("宣传办", 2, 41.7),
        ("", 1, 90.0),
    ]
    assert summarise([], lambda c: c.tier, tier_label) == ()


def test_it_averages_the_scores_of_those_scored_only() -> None:
    cards = [card("a", 1, score=60.0), card("b", 2, score=None), card("c", 3, tier="unit_head", score=None)]
    groups = {g.key: g for g in summarise(cards, lambda c: c.tier, tier_label)}
    assert (groups["section_official"].people, groups["section_official"].average_score) == (2, 60.0)
    assert (groups["unit_head"].people, groups["unit_head"].average_score) == (1, None)


def test_it_labels_tiers_in_the_current_locale() -> None:
    with use_locale("zh_CN"):
        assert tier_label("village_cadre") != "Village-contact cadres"
    with use_locale("en"):
        assert tier_label("unit_head") == "Heads of departments, stations and communities"


@pytest.mark.parametrize(
    ("raw", "values", "fields"),
    [
        ({"registrations": "7160", "population": ""}, {"registrations": 7160, "population": None}, set()),
        ({"registrations": " 0 ", "population": "23186"}, {"registrations": 0, "population": 23186}, set()),
        ({"registrations": "10000000"}, {"registrations": 10_000_000, "population": None}, set()),
        ({"registrations": "10000001"}, {}, {"registrations"}),
        ({"registrations": ""}, {}, {"registrations"}),
        ({"registrations": "-3"}, {}, {"registrations"}),
        ({"registrations": "１２"}, {}, {"registrations"}),
        ({"registrations": "5", "population": "0"}, {}, {"population"}),
        ({"registrations": "5", "population": "多"}, {}, {"population"}),
    ],
)  # fmt: skip
def test_it_reads_the_study_app_registrations(raw, values, fields) -> None:
    got, errors = validate_study_app(raw)
    assert (got, set(errors)) == (values, fields)
