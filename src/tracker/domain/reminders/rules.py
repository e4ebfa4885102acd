"""Who is reminded of what, in which sending slot; retries of a failed send; a policy's checks. Pure.

Public API
- `Policy` (a town's settings; `DEFAULT_POLICY` when the town has none), `TaskFacts` (a task as
  the rule needs it), `OwedItem`, `OwedDigest`, `GroupDigest` (what is owed).
- `sending_slot(policy, now) -> str | None`: the town-local date of the slot, None in quiet hours.
- `due_reminders(policy, tasks, now) -> list[OwedDigest]`: one digest per recipient.
- `group_digests(digests, unit_of) -> list[GroupDigest]`: the escalations for the group robots.
- `retry_delay(attempts) -> timedelta | None`: the wait after a temporary failure (`RETRY_DELAYS`).
- `validate_policy(...) -> dict[str, str]`: field messages for a policy that can't be used.

Rules (days are town-local calendar days; `d` = slot date - the task's due day)
- The due day is the last local day to do the work: due instants are the start of the next
  local day (periods.py), so a task with `due_at` 2027-12-21T00:00+08:00 is due on 12-20, and
  is one day overdue on 12-21. (An instant inside a day makes that day the due day.)
- Only open tasks are owed anything; a task done, excused, cancelled or reassigned in between
  gets nothing more.
- The person whose task it is gets: BEFORE_DUE `n` days before the due day for each `n` in
  `days_before` (3 and 1 by default: nothing 2 days before); DUE_TODAY on the due day (when
  `on_due_day`); OVERDUE on days overdue 1, 1 + every, 1 + 2 × every … (1, 3, 5 by default).
- Escalation: the person's supervisor (in the roster now: after a move, the new one) gets
  ESCALATED_SUPERVISOR from `escalate_supervisor_after_days` overdue, then every
  `overdue_every_days` (3, 5, 7 …); each of the town's secretaries gets ESCALATED_SECRETARY from
  `escalate_secretary_after_days`, then every `overdue_every_days` (7, 9 …).
- Never escalate a task to the person whose task it is (a person who is their own supervisor,
  a secretary's own late task): they get their own reminder.
- Dedupe: a recipient owed the same task twice in a slot (the supervisor is also the secretary)
  gets it once, with the strongest reason: ESCALATED_SECRETARY > ESCALATED_SUPERVISOR > OVERDUE
  > DUE_TODAY > BEFORE_DUE.
- Quiet hours: nothing is owed from `quiet_start` to `quiet_end` (town time, start included, end
  not; the window may cross midnight; start == end means none). The slot is the town-local date:
  every call outside quiet hours on one day gives that day's digests again, so what falls in
  quiet hours goes out in the morning, and the caller keeps one message per (recipient, slot)
  (the outbox's unique key).
- Digests: one per recipient per slot, ordered by recipient; its items are the recipient's own
  tasks first (by due instant, task id), then other people's (escalations) by the late person,
  due instant, task id. Group robots get the slot's escalations, each task once (strongest
  reason), one digest per unit of the late people plus one for the town (unit None) with all.
- A disabled policy owes nothing.
All datetimes must be timezone-aware; a naive one raises ValueError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from tracker.db.models.reminders import ReminderReason
from tracker.db.models.tasks import TaskStatus
from tracker.domain.clock import local_date
from tracker.i18n import _


@dataclass(frozen=True)
class Policy:
    days_before: tuple[int, ...] = (3, 1)  # remind n days before the due date (town-local days)
    on_due_day: bool = True
    overdue_every_days: int = 2  # nag the late person: 1 day after due, then every n days (1, 3, 5, ...)
    escalate_supervisor_after_days: int = 3  # tell the supervisor from day 3 overdue, then every n days
    escalate_secretary_after_days: int = 7  # tell the town's secretary from day 7 overdue, then every n days
    quiet_start: dt.time = dt.time(21, 0)  # nothing is sent from quiet_start to quiet_end (town time)
    quiet_end: dt.time = dt.time(8, 0)  # may cross midnight; start == end: no quiet hours
    timezone: str = "Asia/Shanghai"
    enabled: bool = True


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class TaskFacts:
    """An open-or-closed task as the rule needs it."""

    task_id: int
    person_id: int  # whose task
    due_at: dt.datetime  # aware, UTC
    status: TaskStatus  # only OPEN tasks are owed anything
    supervisor_id: int | None  # the person's supervisor in the roster NOW
    secretary_ids: tuple[int, ...] = ()  # the town secretary's person ids


@dataclass(frozen=True)
class OwedItem:
    task_id: int
    about_person_id: int  # whose task it is
    reason: ReminderReason
    days: int  # days before due (BEFORE_DUE), 0 (DUE_TODAY), days overdue (OVERDUE, ESCALATED_*)


@dataclass(frozen=True)
class OwedDigest:
    """One message's worth: everything one person is owed in one sending slot."""

    recipient_person_id: int
    slot: str  # the town-local date of the sending slot, ISO "2027-12-20"
    items: tuple[OwedItem, ...]  # own tasks first (due, task id), then others' (person, due, task id)


@dataclass(frozen=True)
class GroupDigest:
    """Escalations for a group robot: a unit's, or the town's when unit_id is None."""

    unit_id: int | None
    slot: str
    items: tuple[OwedItem, ...]  # by about_person_id, task_id


# Weakest first: a recipient owed one task for two reasons gets the later one.
STRENGTH = {
    reason: rank
    for rank, reason in enumerate(
        (
            ReminderReason.BEFORE_DUE,
            ReminderReason.DUE_TODAY,
            ReminderReason.OVERDUE,
            ReminderReason.ESCALATED_SUPERVISOR,
            ReminderReason.ESCALATED_SECRETARY,
        )
    )
}
ESCALATIONS = (ReminderReason.ESCALATED_SUPERVISOR, ReminderReason.ESCALATED_SECRETARY)


def _aware(instant: dt.datetime, name: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        msg = f"{name} must be timezone-aware"
        raise ValueError(msg)


def in_quiet_hours(policy: Policy, now: dt.datetime) -> bool:
    """Whether `now` (town time) falls in [quiet_start, quiet_end); the window may cross midnight."""
    _aware(now, "now")
    start, end = policy.quiet_start, policy.quiet_end
    clock = now.astimezone(ZoneInfo(policy.timezone)).time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def sending_slot(policy: Policy, now: dt.datetime) -> str | None:
    """The town-local date (ISO) of the slot `now` is in; None inside quiet hours."""
    if in_quiet_hours(policy, now):
        return None
    return local_date(now, policy.timezone).isoformat()


def due_day(due_at: dt.datetime, timezone: str) -> dt.date:
    """The last local day to do the work: a due instant is the start of the next local day."""
    _aware(due_at, "due_at")
    return local_date(due_at - dt.timedelta(microseconds=1), timezone)


def _on_step(days: int, first: int, every: int) -> bool:
    """Whether `days` is `first`, `first + every`, `first + 2 × every` …"""
    return days >= first and (days - first) % max(every, 1) == 0


def _owed_for_task(policy: Policy, task: TaskFacts, today: dt.date) -> list[tuple[int, OwedItem]]:
    """(recipient, item) pairs one task owes on local day `today` (before the dedupe)."""
    if TaskStatus(task.status) is not TaskStatus.OPEN:
        return []
    d = (today - due_day(task.due_at, policy.timezone)).days
    person = task.person_id

    def item(reason: ReminderReason, days: int) -> OwedItem:
        return OwedItem(task_id=task.task_id, about_person_id=person, reason=reason, days=days)

    if d < 0:
        return [(person, item(ReminderReason.BEFORE_DUE, -d))] if -d in policy.days_before else []
    if d == 0:
        return [(person, item(ReminderReason.DUE_TODAY, 0))] if policy.on_due_day else []
    every = policy.overdue_every_days
    owed: list[tuple[int, OwedItem]] = []
    if _on_step(d, 1, every):
        owed.append((person, item(ReminderReason.OVERDUE, d)))
    if task.supervisor_id is not None and _on_step(d, policy.escalate_supervisor_after_days, every):
        owed.append((task.supervisor_id, item(ReminderReason.ESCALATED_SUPERVISOR, d)))
    if _on_step(d, policy.escalate_secretary_after_days, every):
        owed.extend(
            (secretary, item(ReminderReason.ESCALATED_SECRETARY, d)) for secretary in task.secretary_ids
        )
    # Never escalate to the late person: their own reminder (if today is one of its days) is enough.
    return [
        (recipient, owed_item)
        for recipient, owed_item in owed
        if recipient != person or owed_item.reason not in ESCALATIONS
    ]


def due_reminders(policy: Policy, tasks: Iterable[TaskFacts], now: dt.datetime) -> list[OwedDigest]:
    """Every recipient's digest for the slot `now` is in (module notes); [] in quiet hours or disabled."""
    slot = sending_slot(policy, now)
    if not policy.enabled or slot is None:
        return []
    today = dt.date.fromisoformat(slot)
    owed: dict[int, dict[int, OwedItem]] = {}  # recipient -> task id -> strongest item
    due_of: dict[int, dt.datetime] = {}
    for task in tasks:
        for recipient, item in _owed_for_task(policy, task, today):
            due_of[task.task_id] = task.due_at
            mine = owed.setdefault(recipient, {})
            known = mine.get(item.task_id)
            if known is None or STRENGTH[item.reason] > STRENGTH[known.reason]:
                mine[item.task_id] = item

    def order(recipient: int, item: OwedItem) -> tuple[bool, int, dt.datetime, int]:
        others = item.about_person_id != recipient
        return (others, item.about_person_id if others else 0, due_of[item.task_id], item.task_id)

    return [
        OwedDigest(
            recipient_person_id=recipient,
            slot=slot,
            items=tuple(sorted(owed[recipient].values(), key=lambda item, r=recipient: order(r, item))),
        )
        for recipient in sorted(owed)
    ]


def group_digests(digests: Iterable[OwedDigest], unit_of: Mapping[int, int | None]) -> list[GroupDigest]:
    """The slot's escalations for the group robots: one digest per unit of the late people that has
    any, then the town's (unit None) with all; each task once, with its strongest reason. A person
    missing from `unit_of` counts in the town's digest only. Ordered by slot, then unit (town last)."""
    by_slot: dict[str, dict[int, OwedItem]] = {}
    for digest in digests:
        tasks = by_slot.setdefault(digest.slot, {})
        for item in digest.items:
            if item.reason not in ESCALATIONS:
                continue
            known = tasks.get(item.task_id)
            if known is None or STRENGTH[item.reason] > STRENGTH[known.reason]:
                tasks[item.task_id] = item
    groups: list[GroupDigest] = []
    for slot in sorted(by_slot):
        items = sorted(by_slot[slot].values(), key=lambda item: (item.about_person_id, item.task_id))
        if not items:
            continue
        units: dict[int, list[OwedItem]] = {}
        for item in items:
            unit = unit_of.get(item.about_person_id)
            if unit is not None:
                units.setdefault(unit, []).append(item)
        groups.extend(
            GroupDigest(unit_id=unit, slot=slot, items=tuple(units[unit])) for unit in sorted(units)
        )
        groups.append(GroupDigest(unit_id=None, slot=slot, items=tuple(items)))
    return groups


# The wait after the n-th failed temporary attempt (n = 1 … 8): about two days in all. After the
# 8th retry's failure (attempts > 8) the message is given up: marked failed for the secretary to resend.
RETRY_DELAYS: tuple[dt.timedelta, ...] = (
    dt.timedelta(minutes=1),  # after attempt 1
    dt.timedelta(minutes=5),  # 2
    dt.timedelta(minutes=15),  # 3
    dt.timedelta(hours=1),  # 4
    dt.timedelta(hours=3),  # 5
    dt.timedelta(hours=6),  # 6
    dt.timedelta(hours=12),  # 7
    dt.timedelta(hours=24),  # 8
)


def retry_delay(attempts: int) -> dt.timedelta | None:
    """How long to wait after `attempts` (1, 2 …) failed temporary attempts; None: give up."""
    if attempts < 1:
        msg = "attempts counts failed attempts: 1 or more"
        raise ValueError(msg)
    return RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else None


MAX_DAYS_BEFORE = 4  # reminders before the due date, at most
DAYS_BEFORE_RANGE = (1, 30)
EVERY_RANGE = (1, 30)
SUPERVISOR_RANGE = (1, 60)
SECRETARY_MAX = 90


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _in_range(value: object, bounds: tuple[int, int]) -> bool:
    return _whole(value) and bounds[0] <= value <= bounds[1]  # type: ignore[operator]


def _days_message(bounds: tuple[int, int]) -> str:
    return _(
        "Enter a whole number of days from %(minimum)d to %(maximum)d", minimum=bounds[0], maximum=bounds[1]
    )


def validate_policy(
    days_before: object,
    overdue_every_days: object,
    escalate_supervisor_after_days: object,
    escalate_secretary_after_days: object,
    quiet_start: object,
    quiet_end: object,
) -> dict[str, str]:
    """Field -> message for the values a policy can't have (empty when all is well).

    days_before: 0 to 4 different whole numbers, each 1 to 30 (a list, tuple or set); every: 1 to
    30; supervisor: 1 to 60 days; secretary: from the supervisor's days (when those are valid) to
    90; both quiet times given. Equal quiet times are allowed: no quiet hours."""
    errors: dict[str, str] = {}
    values = list(days_before) if isinstance(days_before, list | tuple | set | frozenset) else None
    if (
        values is None
        or len(values) > MAX_DAYS_BEFORE
        or len(set(values)) != len(values)
        or not all(_in_range(value, DAYS_BEFORE_RANGE) for value in values)
    ):
        errors["days_before"] = _(
            "Choose at most %(count)d different days, each from %(minimum)d to %(maximum)d",
            count=MAX_DAYS_BEFORE,
            minimum=DAYS_BEFORE_RANGE[0],
            maximum=DAYS_BEFORE_RANGE[1],
        )
    if not _in_range(overdue_every_days, EVERY_RANGE):
        errors["overdue_every_days"] = _days_message(EVERY_RANGE)
    supervisor_ok = _in_range(escalate_supervisor_after_days, SUPERVISOR_RANGE)
    if not supervisor_ok:
        errors["escalate_supervisor_after_days"] = _days_message(SUPERVISOR_RANGE)
    secretary_range = (escalate_supervisor_after_days if supervisor_ok else 1, SECRETARY_MAX)
    if not _in_range(escalate_secretary_after_days, secretary_range):  # type: ignore[arg-type]
        if supervisor_ok:
            errors["escalate_secretary_after_days"] = _(
                "Tell the secretary no sooner than the supervisor: from %(minimum)d to %(maximum)d days",
                minimum=secretary_range[0],
                maximum=secretary_range[1],
            )
        else:
            errors["escalate_secretary_after_days"] = _days_message(secretary_range)  # type: ignore[arg-type]
    for field, value in (("quiet_start", quiet_start), ("quiet_end", quiet_end)):
        if not isinstance(value, dt.time):
            errors[field] = _("Choose a time of day")
    return errors
