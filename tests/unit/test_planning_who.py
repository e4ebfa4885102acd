"""Who gets the work: selectors over a small roster snapshot, occurrences, and roster changes."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.db.models.roster import ContactLink, Tier
from tracker.db.models.tasks import TaskStatus, WhoKind
from tracker.domain.planning.periods import Recurrence, current_year_periods_from
from tracker.domain.planning.who import (
    ContactSnapshot,
    ExistingOccurrence,
    OccurrenceKey,
    PersonSnapshot,
    RosterSnapshot,
    Target,
    Who,
    plan_occurrences,
    plan_roster_change,
    select_targets,
    validate_who,
)
from tracker.i18n import use_locale

TODAY = dt.date(2026, 3, 15)
T1, T2, T3 = Tier.SECTION_OFFICIAL, Tier.UNIT_HEAD, Tier.VILLAGE_CADRE
POINT, VILLAGE = ContactLink.CONTACT_POINT, ContactLink.VILLAGE
JAN1 = dt.date(2026, 1, 1)

# 1 secretary; 2 deputy under 1; 3 a tier-1 official who left (under 1); 4, 5 unit heads; 6, 7, 8 cadres
# (8 left; 7 reports to the departed 3, so is still below 1).
PEOPLE = (
    PersonSnapshot(1, T1, None, None, True),
    PersonSnapshot(2, T1, None, 1, True),
    PersonSnapshot(3, T1, None, 1, False),
    PersonSnapshot(4, T2, 10, 2, True),
    PersonSnapshot(5, T2, 20, 1, True),
    PersonSnapshot(6, T3, 10, 4, True),
    PersonSnapshot(7, T3, None, 3, True),
    PersonSnapshot(8, T3, 10, 4, False),
)
CONTACTS = (
    ContactSnapshot(1, 100, POINT, JAN1, None),
    ContactSnapshot(1, 101, POINT, JAN1, None),
    ContactSnapshot(2, 102, POINT, JAN1, None),
    ContactSnapshot(2, 103, POINT, JAN1, dt.date(2026, 3, 1)),  # ended
    ContactSnapshot(2, 104, POINT, dt.date(2026, 4, 1), None),  # not begun
    ContactSnapshot(2, 105, POINT, JAN1, TODAY),  # ends today: valid_to is exclusive
    ContactSnapshot(3, 106, POINT, JAN1, None),  # the official left
    ContactSnapshot(6, 102, VILLAGE, JAN1, None),  # a cadre's village is not a contact point
)
ROSTER = RosterSnapshot(PEOPLE, CONTACTS)

# A supervisor loop 21 -> 23 -> 22 -> 21, and 24 as their own supervisor.
LOOPY = RosterSnapshot(
    (
        PersonSnapshot(21, T1, None, 23, True),
        PersonSnapshot(22, T2, None, 21, True),
        PersonSnapshot(23, T3, None, 22, True),
        PersonSnapshot(24, T3, None, 24, True),
    )
)


def pairs(targets):
    return [(t.person_id, t.place_id) for t in targets]


@pytest.mark.parametrize(
    ("who", "roster", "expected"),
    [
        (Who.chosen([6, 4, 6]), ROSTER, [(4, None), (6, None)]),
        (Who.chosen([6, 8]), ROSTER, [(6, None)]),  # the one who left drops out
        (Who.whole_tier(T1), ROSTER, [(1, None), (2, None)]),
        (Who.whole_tier(T2), ROSTER, [(4, None), (5, None)]),
        (Who.whole_tier(T3), ROSTER, [(6, None), (7, None)]),
        (Who.whole_tier("village_cadre"), ROSTER, [(6, None), (7, None)]),
        (Who.unit(10), ROSTER, [(4, None), (6, None)]),
        (Who.unit(20), ROSTER, [(5, None)]),
        (Who.unit(99), ROSTER, []),
        (Who.below(1), ROSTER, [(2, None), (4, None), (5, None), (6, None), (7, None)]),
        (Who.below(2), ROSTER, [(4, None), (6, None)]),
        (Who.below(3), ROSTER, [(7, None)]),  # below someone who left
        (Who.below(6), ROSTER, []),
        (Who.contact_points(), ROSTER, [(1, 100), (1, 101), (2, 102)]),
        (Who.contact_points([100, 102, 103]), ROSTER, [(1, 100), (2, 102)]),
        (Who.contact_points([106]), ROSTER, []),
        (Who.below(21), LOOPY, [(22, None), (23, None)]),
        (Who.below(22), LOOPY, [(21, None), (23, None)]),
        (Who.below(24), LOOPY, []),
    ],
)
def test_it_picks_the_targets_of_each_selector(who, roster, expected):
    assert pairs(select_targets(who, roster, TODAY)) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 2, 28), [(1, 100), (1, 101), (2, 102), (2, 103), (2, 105)]),
        (dt.date(2026, 3, 14), [(1, 100), (1, 101), (2, 102), (2, 105)]),
        (dt.date(2026, 4, 1), [(1, 100), (1, 101), (2, 102), (2, 104)]),
    ],
)
def test_it_takes_only_contact_points_current_on_the_day(today, expected):
    assert pairs(select_targets(Who.contact_points(), ROSTER, today)) == expected


@pytest.mark.parametrize(
    ("who", "roster", "errors"),
    [
        (Who.chosen([4, 6]), ROSTER, {}),
        (Who.chosen([]), ROSTER, {"person_ids": "Choose at least one person"}),
        (Who.chosen([6, 999]), ROSTER, {"person_ids": "Person 999 is not in this town's roster"}),
        (Who.chosen([8]), ROSTER, {"person_ids": "Person 8 has left and can't be given work"}),
        (Who.whole_tier(T2), ROSTER, {}),
        (Who(WhoKind.TIER), ROSTER, {"tier": "Choose a tier"}),
        (Who(WhoKind.TIER, tier="mayor"), ROSTER, {"tier": "Choose a tier"}),
        (Who(WhoKind.UNIT), ROSTER, {"unit_id": "Choose a unit"}),
        (Who.unit(99), ROSTER, {"who": "This selects nobody: no active person matches"}),
        (Who(WhoKind.BELOW), ROSTER, {"official_id": "Choose an official"}),
        (Who.below(999), ROSTER, {"official_id": "Person 999 is not in this town's roster"}),
        (Who.below(6), ROSTER, {"who": "This selects nobody: no active person matches"}),
        (Who.below(3), ROSTER, {}),
        (Who.contact_points(), ROSTER, {}),
        (Who.contact_points([]), ROSTER,
         {"place_ids": "Choose at least one place, or none to take every contact point"}),
        (Who.contact_points([106]), ROSTER, {"who": "This selects nobody: no active person matches"}),
        (Who.contact_points(), LOOPY, {"who": "This selects nobody: no active person matches"}),
        (Who("everyone"), ROSTER, {"who": "Choose who does the work"}),
    ],
)
def test_it_refuses_a_selector_that_picks_nobody_or_is_incomplete(who, roster, errors):
    with use_locale("en"):
        assert validate_who(who, roster, TODAY) == errors


def test_it_says_in_chinese_that_nobody_is_selected():
    with use_locale("zh_CN"):
        assert validate_who(Who.unit(99), ROSTER, TODAY) == {"who": "未选中任何人：没有符合条件的在岗人员"}


@pytest.mark.parametrize(
    ("who", "recurrence", "count"),
    [
        (Who.contact_points(), Recurrence.monthly(), 3 * 10),  # March to December
        (Who.whole_tier(T3), Recurrence.quarterly(), 2 * 4),
        (Who.below(1), Recurrence.yearly(), 5),
        (Who.chosen([1]), Recurrence.once(dt.date(2026, 6, 25)), 1),
        (Who.chosen([1, 2]), Recurrence.from_rrule("FREQ=YEARLY;BYMONTH=6,11;BYMONTHDAY=25"), 4),
        (Who.unit(99), Recurrence.monthly(), 0),
    ],
)
def test_it_plans_one_occurrence_per_target_and_period(who, recurrence, count):
    periods = current_year_periods_from(recurrence, TODAY, "Asia/Shanghai")
    planned = plan_occurrences(select_targets(who, ROSTER, TODAY), periods)
    assert len(planned) == len(set(planned)) == count


def test_it_names_each_occurrence_by_person_place_and_period():
    periods = current_year_periods_from(Recurrence.monthly(), dt.date(2026, 11, 2), "Asia/Shanghai")
    planned = plan_occurrences([Target(1, 100), Target(2, None)], periods)
    assert planned == [
        OccurrenceKey(1, 100, "2026-11"),
        OccurrenceKey(2, None, "2026-11"),
        OccurrenceKey(1, 100, "2026-12"),
        OccurrenceKey(2, None, "2026-12"),
    ]


def occ(id_, person, place, key, status, end):
    return ExistingOccurrence(id_, person, place, key, TaskStatus(status), dt.date.fromisoformat(end))


def keys(person, place, *periods):
    return [OccurrenceKey(person, place, period) for period in periods]


EXISTING = [
    occ(1, 6, None, "2026-02", "done", "2026-02-28"),
    occ(2, 7, None, "2026-02", "open", "2026-02-28"),  # overdue, in a past period: left alone
    occ(3, 7, None, "2026-03", "open", "2026-03-31"),
    occ(4, 7, None, "2026-04", "open", "2026-04-30"),
    occ(5, 7, None, "2026-05", "done", "2026-05-31"),  # done early: never changes
    occ(6, 6, None, "2026-03", "open", "2026-03-31"),
    occ(7, 6, None, "2026-04", "reassigned", "2026-04-30"),  # closed by an earlier change; 6 is back
    occ(8, 6, None, "2026-05", "cancelled", "2026-05-31"),
    occ(9, 6, None, "2026-06", "excused", "2026-06-30"),
    occ(10, 2, 102, "2026-03", "open", "2026-03-31"),
    occ(11, 2, 103, "2026-03", "open", "2026-03-31"),
    occ(12, 2, 103, "2026-02", "open", "2026-02-28"),
]
MONTHS = ("2026-03", "2026-04", "2026-05", "2026-06")


@pytest.mark.parametrize(
    ("wanted", "to_create", "to_close", "to_reopen"),
    [
        # Nothing else changed: the wanted occurrences all exist (closed ones stand, none is doubled).
        (keys(6, None, *MONTHS) + keys(7, None, "2026-03", "2026-04", "2026-05")
         + keys(2, 102, "2026-03") + keys(2, 103, "2026-03"),
         [], [], [7]),
        # Cadre 7 left: their open future work closes; past and done work stays.
        (keys(6, None, *MONTHS) + keys(2, 102, "2026-03") + keys(2, 103, "2026-03"), [], [3, 4], [7]),
        # A newcomer 9 gets the periods not over; nobody else changes.
        (keys(6, None, *MONTHS) + keys(7, None, "2026-03", "2026-04", "2026-05") + keys(9, None, *MONTHS)
         + keys(2, 102, "2026-03") + keys(2, 103, "2026-03"),
         keys(9, None, *MONTHS), [], [7]),
        # Contact point 103 ended and 104 began: the open 103 task closes, a 104 task is made.
        (keys(6, None, *MONTHS) + keys(7, None, "2026-03", "2026-04", "2026-05")
         + keys(2, 102, "2026-03") + keys(2, 104, "2026-03"),
         keys(2, 104, "2026-03"), [11], [7]),
        # Everybody gone: every open future occurrence closes, nothing reopens.
        ([], [], [3, 4, 6, 10, 11], []),
    ],
)
def test_it_plans_a_roster_change_without_touching_history(wanted, to_create, to_close, to_reopen):
    change = plan_roster_change(EXISTING, wanted, TODAY)
    assert (change.to_create, change.to_close, change.to_reopen) == (to_create, to_close, to_reopen)
