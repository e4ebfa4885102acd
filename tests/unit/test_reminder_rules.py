"""The rule of reminders: who is owed what in a sending slot, quiet hours, escalation, digests, group
robots, retries and a policy's checks. Explicit `now`, no clock, no database. Asia/Shanghai is UTC+8.

The task of most tables is due on local day 2027-12-20: its due instant is the start of the next
local day, 2027-12-21T00:00+08:00 (2027-12-20T16:00Z)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tracker.db.models.reminders import ReminderReason
from tracker.db.models.tasks import TaskStatus
from tracker.domain.clock import due_instant
from tracker.domain.reminders.rules import (
    DEFAULT_POLICY,
    GroupDigest,
    OwedDigest,
    OwedItem,
    Policy,
    TaskFacts,
    due_reminders,
    group_digests,
    sending_slot,
)

BEFORE = ReminderReason.BEFORE_DUE
TODAY = ReminderReason.DUE_TODAY
LATE = ReminderReason.OVERDUE
SUPERVISOR = ReminderReason.ESCALATED_SUPERVISOR
SECRETARY = ReminderReason.ESCALATED_SECRETARY
PERSON, BOSS, OLD_BOSS, SECRETARY_ID = 1, 2, 9, 3
NO_QUIET = dataclasses.replace(DEFAULT_POLICY, quiet_start=dt.time(0), quiet_end=dt.time(0))


def local(text: str) -> dt.datetime:
    """A Shanghai wall-clock time ("2027-12-20 09:00") as the UTC instant `now` is."""
    return dt.datetime.fromisoformat(f"{text}+08:00").astimezone(dt.UTC)


def due(day: str) -> dt.datetime:
    return due_instant(dt.date.fromisoformat(day))


def task(
    task_id: int = 10,
    person_id: int = PERSON,
    due_on: str = "2027-12-20",
    status: TaskStatus = TaskStatus.OPEN,
    supervisor_id: int | None = BOSS,
    secretary_ids: tuple[int, ...] = (SECRETARY_ID,),
) -> TaskFacts:
    return TaskFacts(task_id, person_id, due(due_on), status, supervisor_id, secretary_ids)


def owed(digests: list[OwedDigest]) -> list[tuple[int, int, ReminderReason, int]]:
    """(recipient, task id, reason, days) for every item, in the digests' order."""
    return [(d.recipient_person_id, i.task_id, i.reason, i.days) for d in digests for i in d.items]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2027-12-16 09:00", []),
        ("2027-12-17 09:00", [(PERSON, 10, BEFORE, 3)]),
        ("2027-12-18 09:00", []),
        ("2027-12-19 09:00", [(PERSON, 10, BEFORE, 1)]),
        ("2027-12-20 09:00", [(PERSON, 10, TODAY, 0)]),
        ("2027-12-20 20:59", [(PERSON, 10, TODAY, 0)]),
        ("2027-12-21 09:00", [(PERSON, 10, LATE, 1)]),
        ("2027-12-22 09:00", []),
        ("2027-12-23 09:00", [(PERSON, 10, LATE, 3), (BOSS, 10, SUPERVISOR, 3)]),
        ("2027-12-24 09:00", []),
        ("2027-12-25 09:00", [(PERSON, 10, LATE, 5), (BOSS, 10, SUPERVISOR, 5)]),
        ("2027-12-26 09:00", []),
        (
            "2027-12-27 09:00",
            [(PERSON, 10, LATE, 7), (BOSS, 10, SUPERVISOR, 7), (SECRETARY_ID, 10, SECRETARY, 7)],
        ),
        ("2027-12-28 09:00", []),
        (
            "2027-12-29 09:00",
            [(PERSON, 10, LATE, 9), (BOSS, 10, SUPERVISOR, 9), (SECRETARY_ID, 10, SECRETARY, 9)],
        ),
    ],
    ids=[
        "4-days-before-nothing",
        "3-days-before",
        "2-days-before-nothing",
        "1-day-before",
        "due-day",
        "due-day-evening",
        "overdue-1",
        "overdue-2-nothing",
        "overdue-3-supervisor",
        "overdue-4-nothing",
        "overdue-5-supervisor-again",
        "overdue-6-nothing",
        "overdue-7-secretary",
        "overdue-8-nothing",
        "overdue-9-secretary-again",
    ],
)
def test_it_owes_each_step_on_its_day(now, expected):
    assert owed(due_reminders(DEFAULT_POLICY, [task()], local(now))) == expected


@pytest.mark.parametrize(
    ("policy", "now", "expected"),
    [
        (Policy(days_before=(5, 2)), "2027-12-15 09:00", [(PERSON, 10, BEFORE, 5)]),
        (Policy(days_before=(5, 2)), "2027-12-17 09:00", []),
        (Policy(days_before=()), "2027-12-19 09:00", []),
        (Policy(on_due_day=False), "2027-12-20 09:00", []),
        (Policy(overdue_every_days=1), "2027-12-22 09:00", [(PERSON, 10, LATE, 2)]),
        (Policy(overdue_every_days=3), "2027-12-24 09:00", [(PERSON, 10, LATE, 4)]),
        (Policy(escalate_supervisor_after_days=4), "2027-12-24 09:00", [(BOSS, 10, SUPERVISOR, 4)]),
        (
            Policy(escalate_secretary_after_days=3),
            "2027-12-23 09:00",
            [(PERSON, 10, LATE, 3), (BOSS, 10, SUPERVISOR, 3), (SECRETARY_ID, 10, SECRETARY, 3)],
        ),
    ],
    ids=[
        "days-before-5",
        "days-before-3-not-chosen",
        "no-days-before",
        "no-due-day-reminder",
        "every-day-overdue-2",
        "every-3-days-overdue-4",
        "supervisor-after-4-off-the-nag-days",
        "secretary-after-3",
    ],
)
def test_it_follows_the_town_policy(policy, now, expected):
    assert owed(due_reminders(policy, [task()], local(now))) == expected


@pytest.mark.parametrize(
    ("policy", "now", "slot"),
    [
        (DEFAULT_POLICY, "2027-12-20 22:00", None),
        (DEFAULT_POLICY, "2027-12-20 21:00", None),
        (DEFAULT_POLICY, "2027-12-20 23:30", None),
        (DEFAULT_POLICY, "2027-12-21 00:30", None),
        (DEFAULT_POLICY, "2027-12-20 07:59", None),
        (DEFAULT_POLICY, "2027-12-20 08:00", "2027-12-20"),
        (DEFAULT_POLICY, "2027-12-20 20:59", "2027-12-20"),
        (Policy(quiet_start=dt.time(12), quiet_end=dt.time(14)), "2027-12-20 13:00", None),
        (Policy(quiet_start=dt.time(12), quiet_end=dt.time(14)), "2027-12-20 12:00", None),
        (Policy(quiet_start=dt.time(12), quiet_end=dt.time(14)), "2027-12-20 14:00", "2027-12-20"),
        (Policy(quiet_start=dt.time(12), quiet_end=dt.time(14)), "2027-12-20 22:00", "2027-12-20"),
        (Policy(quiet_start=dt.time(12), quiet_end=dt.time(14)), "2027-12-20 07:00", "2027-12-20"),
        (NO_QUIET, "2027-12-20 22:00", "2027-12-20"),
        (NO_QUIET, "2027-12-20 00:00", "2027-12-20"),
        (
            dataclasses.replace(NO_QUIET, quiet_start=dt.time(21), quiet_end=dt.time(21)),
            "2027-12-20 21:00",
            "2027-12-20",
        ),
    ],
    ids=[
        "22:00-quiet",
        "21:00-quiet-starts",
        "23:30-quiet",
        "00:30-quiet-across-midnight",
        "07:59-quiet",
        "08:00-owed",
        "20:59-owed",
        "noon-window-13:00-quiet",
        "noon-window-12:00-quiet",
        "noon-window-14:00-owed",
        "noon-window-22:00-owed",
        "noon-window-07:00-owed",
        "no-window-22:00",
        "no-window-midnight",
        "equal-times-no-window",
    ],
)
def test_it_sends_nothing_in_quiet_hours(policy, now, slot):
    assert sending_slot(policy, local(now)) == slot
    expected = [(PERSON, 10, TODAY, 0)] if slot else []
    assert owed(due_reminders(policy, [task()], local(now))) == expected


@pytest.mark.parametrize(
    ("now", "slot", "expected"),
    [
        ("2027-12-20T00:30Z", "2027-12-20", [(PERSON, 10, TODAY, 0)]),  # 08:30 in Shanghai
        ("2027-12-20T15:59Z", "2027-12-20", [(PERSON, 10, TODAY, 0)]),  # 23:59, still the due day
        ("2027-12-20T16:00Z", "2027-12-21", [(PERSON, 10, LATE, 1)]),  # 00:00 the next local day
        ("2027-12-19T17:00Z", "2027-12-20", [(PERSON, 10, TODAY, 0)]),  # a UTC 19th that is the local 20th
    ],
    ids=["morning", "last-minute-of-due-day", "local-midnight", "utc-day-before"],
)
def test_it_counts_days_in_the_town_calendar(now, slot, expected):
    instant = dt.datetime.fromisoformat(now)
    assert sending_slot(NO_QUIET, instant) == slot
    digests = due_reminders(NO_QUIET, [task()], instant)
    assert [d.slot for d in digests] == [slot]
    assert owed(digests) == expected


def test_it_takes_a_due_instant_inside_a_day_as_due_that_day():
    afternoon = dataclasses.replace(task(), due_at=local("2027-12-20 17:00"))
    assert owed(due_reminders(DEFAULT_POLICY, [afternoon], local("2027-12-20 09:00"))) == [
        (PERSON, 10, TODAY, 0)
    ]


def test_it_puts_everything_a_person_is_owed_in_one_ordered_digest():
    tasks = [
        task(task_id=31, due_on="2027-12-20"),  # due today
        task(task_id=30, due_on="2027-12-20"),  # due today, lower id
        task(task_id=20, due_on="2027-12-19"),  # 1 day overdue: earlier due, first
        task(task_id=5, person_id=8, due_on="2027-12-17", supervisor_id=PERSON),  # person 1 supervises 8
        task(task_id=4, person_id=7, due_on="2027-12-17", supervisor_id=PERSON),  # and 7
        task(task_id=40, due_on="2027-12-22"),  # 2 days before: nothing
    ]
    digests = due_reminders(DEFAULT_POLICY, tasks, local("2027-12-20 09:00"))
    assert [d.recipient_person_id for d in digests] == [PERSON, 7, 8]
    mine = digests[0]
    assert mine == OwedDigest(
        recipient_person_id=PERSON,
        slot="2027-12-20",
        items=(
            OwedItem(20, PERSON, LATE, 1),
            OwedItem(30, PERSON, TODAY, 0),
            OwedItem(31, PERSON, TODAY, 0),
            OwedItem(4, 7, SUPERVISOR, 3),
            OwedItem(5, 8, SUPERVISOR, 3),
        ),
    )
    assert owed(digests[1:]) == [(7, 4, LATE, 3), (8, 5, LATE, 3)]


@pytest.mark.parametrize(
    "status", [TaskStatus.DONE, TaskStatus.EXCUSED, TaskStatus.CANCELLED, TaskStatus.REASSIGNED]
)
@pytest.mark.parametrize(
    "now", ["2027-12-19 09:00", "2027-12-20 09:00", "2027-12-27 09:00"], ids=["before", "due", "overdue-7"]
)
def test_it_owes_nothing_for_a_task_closed_in_between(status, now):
    assert due_reminders(DEFAULT_POLICY, [task(status=status)], local(now)) == []


def test_it_tells_the_supervisor_of_the_roster_now_not_the_old_one():
    moved = task(supervisor_id=BOSS)  # the person moved from OLD_BOSS to BOSS; the facts carry BOSS
    recipients = {
        d.recipient_person_id for d in due_reminders(DEFAULT_POLICY, [moved], local("2027-12-23 09:00"))
    }
    assert recipients == {PERSON, BOSS}
    assert OLD_BOSS not in recipients


@pytest.mark.parametrize(
    ("facts", "now", "expected"),
    [
        (
            task(supervisor_id=BOSS, secretary_ids=(BOSS, SECRETARY_ID)),
            "2027-12-27 09:00",
            [(PERSON, 10, LATE, 7), (BOSS, 10, SECRETARY, 7), (SECRETARY_ID, 10, SECRETARY, 7)],
        ),
        (
            task(supervisor_id=BOSS, secretary_ids=(BOSS,)),
            "2027-12-23 09:00",
            [(PERSON, 10, LATE, 3), (BOSS, 10, SUPERVISOR, 3)],
        ),
        (task(supervisor_id=PERSON), "2027-12-23 09:00", [(PERSON, 10, LATE, 3)]),
        (task(supervisor_id=None, secretary_ids=(PERSON,)), "2027-12-27 09:00", [(PERSON, 10, LATE, 7)]),
        (task(supervisor_id=None, secretary_ids=()), "2027-12-27 09:00", [(PERSON, 10, LATE, 7)]),
        (
            task(secretary_ids=(SECRETARY_ID, 4)),
            "2027-12-29 09:00",
            [
                (PERSON, 10, LATE, 9),
                (BOSS, 10, SUPERVISOR, 9),
                (SECRETARY_ID, 10, SECRETARY, 9),
                (4, 10, SECRETARY, 9),
            ],
        ),
    ],
    ids=[
        "supervisor-is-secretary-once-strongest",
        "supervisor-is-secretary-before-day-7",
        "own-supervisor-no-escalation",
        "secretary-own-task-no-escalation",
        "no-supervisor-no-secretary",
        "two-secretaries",
    ],
)
def test_it_tells_each_recipient_a_task_once(facts, now, expected):
    assert owed(due_reminders(DEFAULT_POLICY, [facts], local(now))) == expected


def test_it_owes_a_task_given_twice_once():
    assert owed(due_reminders(DEFAULT_POLICY, [task(), task()], local("2027-12-21 09:00"))) == [
        (PERSON, 10, LATE, 1)
    ]


def test_it_owes_nothing_when_the_policy_is_disabled():
    assert due_reminders(Policy(enabled=False), [task()], local("2027-12-27 09:00")) == []


def test_it_refuses_a_naive_now():
    with pytest.raises(ValueError, match="timezone-aware"):
        due_reminders(DEFAULT_POLICY, [task()], dt.datetime(2027, 12, 20, 9))


# Person 1 (unit 100) is 3 days late (supervisor 2), person 5 (unit 200) 7 days late, person 6
# (unit 100) 9 days late (supervisor 2 is also the secretary), person 7 (no unit) 5 days late.
UNIT_OF = {1: 100, 5: 200, 6: 100, 7: None}
LATE_TASKS = [
    task(task_id=11, person_id=1, due_on="2027-12-17"),
    task(task_id=51, person_id=5, due_on="2027-12-13"),
    task(task_id=61, person_id=6, due_on="2027-12-11", secretary_ids=(BOSS, SECRETARY_ID)),
    task(task_id=71, person_id=7, due_on="2027-12-15"),
    task(task_id=12, person_id=1, due_on="2027-12-19"),  # 1 day late: a nag, no escalation
]


def test_it_groups_the_escalations_by_unit_and_for_the_town():
    digests = due_reminders(DEFAULT_POLICY, LATE_TASKS, local("2027-12-20 09:00"))
    slot = "2027-12-20"
    assert group_digests(digests, UNIT_OF) == [
        GroupDigest(100, slot, (OwedItem(11, 1, SUPERVISOR, 3), OwedItem(61, 6, SECRETARY, 9))),
        GroupDigest(200, slot, (OwedItem(51, 5, SECRETARY, 7),)),
        GroupDigest(
            None,
            slot,
            (
                OwedItem(11, 1, SUPERVISOR, 3),
                OwedItem(51, 5, SECRETARY, 7),
                OwedItem(61, 6, SECRETARY, 9),
                OwedItem(71, 7, SUPERVISOR, 5),
            ),
        ),
    ]


@pytest.mark.parametrize(
    "now", ["2027-12-20 09:00", "2027-12-21 09:00", "2027-12-20 22:00"], ids=["nags", "nothing-owed", "quiet"]
)
def test_it_makes_no_group_digest_without_escalations(now):
    tasks = [task(task_id=12, due_on="2027-12-19"), task(task_id=13, due_on="2027-12-20")]
    assert group_digests(due_reminders(DEFAULT_POLICY, tasks, local(now)), UNIT_OF) == []
