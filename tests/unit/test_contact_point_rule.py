"""The roster rules, table-driven, without a database: contact points, place kinds, history, chains."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.db.models.roster import ContactLink, PlaceKind, Tier
from tracker.domain.roster import rules
from tracker.i18n import use_locale

T1 = Tier.SECTION_OFFICIAL
T2 = Tier.UNIT_HEAD
T3 = Tier.VILLAGE_CADRE
POINTS = ["NV1", "NV2", "NV3", "EN1", "NV4"]


def _check(tier: Tier, active: bool, codes: list[str], minimum: int = 2, maximum: int = 4) -> list[str]:
    with use_locale("en"):
        return rules.check_contact_points(
            rules.ContactPointCheck("Wang", tier, active, codes), minimum, maximum
        )


# -- check_contact_points: the count ---------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "active", "count", "minimum", "maximum", "ok"),
    [
        # an active tier-1 official holds 2 to 4 (the town's default)
        (T1, True, 0, 2, 4, False),
        (T1, True, 1, 2, 4, False),
        (T1, True, 2, 2, 4, True),
        (T1, True, 3, 2, 4, True),
        (T1, True, 4, 2, 4, True),
        (T1, True, 5, 2, 4, False),
        # an inactive one is not bound by the count
        (T1, False, 0, 2, 4, True),
        (T1, False, 1, 2, 4, True),
        (T1, False, 2, 2, 4, True),
        (T1, False, 3, 2, 4, True),
        (T1, False, 4, 2, 4, True),
        (T1, False, 5, 2, 4, True),
        # the town sets its own bounds
        (T1, True, 1, 1, 3, True),
        (T1, True, 0, 1, 3, False),
        (T1, True, 3, 1, 3, True),
        (T1, True, 4, 1, 3, False),
        (T1, True, 5, 3, 5, True),
        (T1, True, 2, 3, 5, False),
        (T1, True, 3, 3, 3, True),
        (T1, True, 2, 3, 3, False),
        (T1, True, 4, 3, 3, False),
        # other tiers are not bound by the count, active or not
        (T2, True, 0, 2, 4, True),
        (T2, True, 5, 2, 4, True),
        (T3, True, 0, 2, 4, True),
        (T3, True, 1, 2, 4, True),
        (T3, True, 5, 2, 4, True),
        (T3, False, 5, 2, 4, True),
    ],
)
def test_it_checks_the_number_of_contact_points(
    tier: Tier, active: bool, count: int, minimum: int, maximum: int, ok: bool
) -> None:
    problems = _check(tier, active, POINTS[:count], minimum, maximum)
    if ok:
        assert problems == []
    else:
        assert problems == [
            f"Wang would hold {count} contact points; a section-level official holds {minimum} to {maximum}"
        ]


@pytest.mark.parametrize(
    ("tier", "active", "codes", "expected"),
    [
        # a duplicate is reported by code, and counted once
        (T1, True, ["NV1", "NV1", "NV2"], ["Wang lists NV1 more than once"]),
        (
            T1,
            True,
            ["NV1", "NV1"],
            [
                "Wang lists NV1 more than once",
                "Wang would hold 1 contact points; a section-level official holds 2 to 4",
            ],
        ),
        (
            T1,
            True,
            ["NV2", "NV1", "NV2", "NV1", "EN1"],
            ["Wang lists NV1, NV2 more than once"],
        ),
        # four distinct among five entries: the count is of distinct places
        (T1, True, ["NV1", "NV2", "NV3", "EN1", "EN1"], ["Wang lists EN1 more than once"]),
        # duplicates are wrong for every tier and for inactive people too
        (T1, False, ["NV1", "NV1"], ["Wang lists NV1 more than once"]),
        (T2, True, ["NV1", "NV1"], ["Wang lists NV1 more than once"]),
        (T3, True, ["AV1", "AV1", "AV1"], ["Wang lists AV1 more than once"]),
        (T3, True, ["NV1", "NV2"], []),
    ],
)
def test_it_refuses_duplicates(tier: Tier, active: bool, codes: list[str], expected: list[str]) -> None:
    assert _check(tier, active, codes) == expected


def test_it_names_the_person_and_the_count_in_the_default_locale_too() -> None:
    with use_locale("zh_CN"):
        problems = rules.check_contact_points(rules.ContactPointCheck("镇长乙", T1, True, ["NV1"]), 2, 4)
    assert len(problems) == 1
    assert "镇长乙" in problems[0]
    assert "1" in problems[0]


# -- check_place_kinds -----------------------------------------------------------------------


NV = PlaceKind.NATURAL_VILLAGE
AV = PlaceKind.ADMINISTRATIVE_VILLAGE
EN = PlaceKind.ENTERPRISE
CO = PlaceKind.COMMUNITY


@pytest.mark.parametrize(
    ("tier", "kinds", "bad_codes"),
    [
        (T1, [("NV1", NV), ("EN1", EN), ("CO1", CO)], []),
        (T1, [("NV1", NV), ("AV1", AV)], ["AV1"]),
        (T1, [("AV1", AV), ("AV2", AV)], ["AV1", "AV2"]),
        (T1, [], []),
        # a cadre's 包村 may be an administrative village; unit heads are not checked either
        (T3, [("AV1", AV), ("NV1", NV)], []),
        (T2, [("AV1", AV)], []),
    ],
)
def test_it_accepts_villages_enterprises_and_communities_as_contact_points(
    tier: Tier, kinds: list[tuple[str, PlaceKind]], bad_codes: list[str]
) -> None:
    with use_locale("en"):
        problems = rules.check_place_kinds("Wang", tier, kinds)
    assert problems == [
        f"{code} is an administrative village; Wang must link its natural villages instead"
        for code in bad_codes
    ]


def test_it_allows_exactly_the_grassroots_kinds() -> None:
    assert rules.CONTACT_POINT_KINDS == {NV, EN, CO}
    assert set(PlaceKind) - rules.CONTACT_POINT_KINDS == {AV}


@pytest.mark.parametrize(
    ("tier", "link"),
    [(T1, ContactLink.CONTACT_POINT), (T2, ContactLink.VILLAGE), (T3, ContactLink.VILLAGE)],
)
def test_it_links_tier_one_by_contact_points_and_the_others_by_villages(
    tier: Tier, link: ContactLink
) -> None:
    assert rules.link_for_tier(tier) is link


# -- plan_contact_change ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "wanted", "to_end", "to_add"),
    [
        ([1, 2], [1, 2, 3], set(), (3,)),  # 2 -> 3: one added, none ended
        ([1, 2, 3], [1, 2], {3}, ()),  # 3 -> 2: one ended
        ([1, 2], [3, 4], {1, 2}, (3, 4)),  # all replaced
        ([1, 2], [2, 1], set(), ()),  # same set, other order: nothing to do
        ([], [5, 4], set(), (5, 4)),  # from nothing; order of the request kept
        ([1, 2], [], {1, 2}, ()),  # to nothing
        ([], [], set(), ()),
        ([1], [2, 2, 3, 2], {1}, (2, 3)),  # repeated wishes added once
        ([1, 2], [2, 9, 1, 8], set(), (9, 8)),
    ],
)
def test_it_plans_a_contact_change_that_keeps_history(
    current: list[int], wanted: list[int], to_end: set[int], to_add: tuple[int, ...]
) -> None:
    change = rules.plan_contact_change(current, wanted)
    assert change.to_end == frozenset(to_end)
    assert change.to_add == to_add
    # what stays current afterwards is exactly the wanted set
    assert (set(current) - change.to_end) | set(change.to_add) == set(wanted)


# -- is_current ------------------------------------------------------------------------------

D = dt.date


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "today", "current"),
    [
        (D(2026, 1, 1), None, D(2026, 1, 1), True),  # starts today
        (D(2026, 1, 1), None, D(2025, 12, 31), False),  # starts tomorrow
        (D(2026, 1, 1), None, D(2030, 6, 1), True),  # open-ended
        (D(2026, 1, 1), D(2026, 3, 1), D(2026, 2, 28), True),  # last day
        (D(2026, 1, 1), D(2026, 3, 1), D(2026, 3, 1), False),  # ended today: history from today on
        (D(2026, 1, 1), D(2026, 3, 1), D(2026, 3, 2), False),
        (D(2026, 3, 1), D(2026, 3, 1), D(2026, 3, 1), False),  # added and removed the same day
        (D(2024, 2, 29), D(2024, 3, 1), D(2024, 2, 29), True),  # one day long, leap day
        (D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 2), False),
    ],
)
def test_it_tells_whether_a_link_is_current(
    valid_from: dt.date, valid_to: dt.date | None, today: dt.date, current: bool
) -> None:
    assert rules.is_current(valid_from, valid_to, today) is current


@pytest.mark.parametrize(
    ("tier", "active", "count", "ok"),
    [
        (Tier.SECTION_OFFICIAL, True, 1, False),
        (Tier.SECTION_OFFICIAL, True, 2, True),
        (Tier.SECTION_OFFICIAL, True, 4, True),
        (Tier.SECTION_OFFICIAL, True, 5, False),
        (Tier.SECTION_OFFICIAL, False, 0, True),
        (Tier.UNIT_HEAD, True, 0, True),
        (Tier.VILLAGE_CADRE, True, 7, True),
    ],
)
def test_it_tells_whether_a_count_of_contact_points_is_in_range(tier, active, count, ok) -> None:
    assert rules.contact_point_count_ok(tier, active, count, 2, 4) is ok
