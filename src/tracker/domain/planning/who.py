"""Who gets the work: from an assignment's selector to (person, place) targets, and on to
occurrences, over a plain snapshot of the roster. Pure.

Public API
- `PersonSnapshot(id, tier, unit_id, supervisor_id, active)`,
  `ContactSnapshot(person_id, place_id, link, valid_from, valid_to)` and
  `RosterSnapshot(people, contacts)`: what the service loads from one town's roster.
- `WhoKind`: people, tier, unit, below, contact_points. `Who`: the selector, built with
  `Who.chosen(person_ids)`, `Who.whole_tier(tier)`, `Who.unit(unit_id)`, `Who.below(official_id)`
  or `Who.contact_points(place_ids=None)`.
- `Target(person_id, place_id)`; `select_targets(who, roster, today) -> list[Target]`, sorted and
  without repeats. It never raises for an empty result: recomputing after a roster change may
  rightly find nobody.
- `validate_who(who, roster, today) -> dict[field, message]`: for creating or editing an
  assignment; includes "This selects nobody" (field "who") when no target results.
- `people_below(official_id, people) -> set[int]`: everyone whose supervisor chain reaches the
  official, whatever their state (for access checks: an official reads their people's work).
- `OccurrenceKey(person_id, place_id, period_key)`; `plan_occurrences(targets, periods)`.
- `ExistingOccurrence(id, person_id, place_id, period_key, status, period_end)` and
  `plan_roster_change(existing, wanted, today) -> RosterChange(to_create, to_close, to_reopen)`.

Selectors (only active people are ever targets; place_id is None except for contact points)
- chosen people: each chosen person (validation refuses unknown or inactive ids).
- a whole tier; a unit: every active member.
- below an official: everyone whose supervisor chain reaches the official, the official
  excluded; the chain is followed through inactive people and is safe against loops.
- contact points: each active tier-1 official x each contact point (link contact_point) current
  on `today` (valid_from <= today < valid_to), optionally only those places in `place_ids`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from tracker.db.models.roster import ContactLink, Tier
from tracker.db.models.tasks import TaskStatus, WhoKind
from tracker.domain.planning.periods import Period
from tracker.domain.roster.rules import is_current
from tracker.i18n import _


@dataclass(frozen=True)
class PersonSnapshot:
    id: int
    tier: Tier
    unit_id: int | None
    supervisor_id: int | None
    active: bool


@dataclass(frozen=True)
class ContactSnapshot:
    person_id: int
    place_id: int
    link: ContactLink
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass(frozen=True)
class RosterSnapshot:
    people: Sequence[PersonSnapshot]
    contacts: Sequence[ContactSnapshot] = ()




@dataclass(frozen=True)
class Who:
    kind: WhoKind
    person_ids: tuple[int, ...] = ()
    tier: Tier | None = None
    unit_id: int | None = None
    official_id: int | None = None
    place_ids: tuple[int, ...] | None = None

    @classmethod
    def chosen(cls, person_ids: Iterable[int]) -> Who:
        return cls(WhoKind.PEOPLE, person_ids=tuple(person_ids))

    @classmethod
    def whole_tier(cls, tier: Tier) -> Who:
        return cls(WhoKind.TIER, tier=tier)

    @classmethod
    def unit(cls, unit_id: int) -> Who:
        return cls(WhoKind.UNIT, unit_id=unit_id)

    @classmethod
    def below(cls, official_id: int) -> Who:
        return cls(WhoKind.BELOW, official_id=official_id)

    @classmethod
    def contact_points(cls, place_ids: Iterable[int] | None = None) -> Who:
        return cls(WhoKind.CONTACT_POINTS, place_ids=None if place_ids is None else tuple(place_ids))


class Target(NamedTuple):
    person_id: int
    place_id: int | None


class OccurrenceKey(NamedTuple):
    person_id: int
    place_id: int | None
    period_key: str


@dataclass(frozen=True)
class ExistingOccurrence:
    id: int
    person_id: int
    place_id: int | None
    period_key: str
    status: TaskStatus
    period_end: dt.date

    @property
    def key(self) -> OccurrenceKey:
        return OccurrenceKey(self.person_id, self.place_id, self.period_key)


@dataclass
class RosterChange:
    to_create: list[OccurrenceKey] = field(default_factory=list)
    to_close: list[int] = field(default_factory=list)  # ids of open occurrences: close as reassigned
    to_reopen: list[int] = field(default_factory=list)  # ids of occurrences closed as reassigned


def _tier(value: Tier | str | None) -> Tier | None:
    try:
        return None if value is None else Tier(value)
    except ValueError:
        return None


def _sorted_targets(targets: Iterable[Target]) -> list[Target]:
    return sorted(set(targets), key=lambda t: (t.person_id, -1 if t.place_id is None else t.place_id))


def _below(official_id: int, people: Sequence[PersonSnapshot]) -> set[int]:
    """Everyone whose supervisor chain reaches `official_id`, whatever their state; loop-safe."""
    reports: dict[int, list[int]] = {}
    for person in people:
        if person.supervisor_id is not None:
            reports.setdefault(person.supervisor_id, []).append(person.id)
    found: set[int] = set()
    waiting = list(reports.get(official_id, []))
    while waiting:
        person_id = waiting.pop()
        if person_id in found or person_id == official_id:
            continue
        found.add(person_id)
        waiting.extend(reports.get(person_id, []))
    return found


def people_below(official_id: int, people: Sequence[PersonSnapshot]) -> set[int]:
    """The ids of everyone below `official_id` in the supervisor chain, active or not; loop-safe."""
    return _below(official_id, people)


def select_targets(who: Who, roster: RosterSnapshot, today: dt.date) -> list[Target]:
    """The (person, place) pairs the selector picks on `today` (see the module notes)."""
    active = {person.id: person for person in roster.people if person.active}
    members = active.values()
    kind = WhoKind(who.kind)
    if kind is WhoKind.PEOPLE:
        return _sorted_targets(Target(pid, None) for pid in who.person_ids if pid in active)
    if kind is WhoKind.TIER:
        tier = _tier(who.tier)
        return _sorted_targets(Target(p.id, None) for p in members if tier is not None and p.tier == tier)
    if kind is WhoKind.UNIT:
        unit = who.unit_id
        return _sorted_targets(Target(p.id, None) for p in members if unit is not None and p.unit_id == unit)
    if kind is WhoKind.BELOW:
        below = _below(who.official_id, roster.people) if who.official_id is not None else set()
        return _sorted_targets(Target(pid, None) for pid in below if pid in active)
    places = None if who.place_ids is None else set(who.place_ids)
    return _sorted_targets(
        Target(contact.person_id, contact.place_id)
        for contact in roster.contacts
        if contact.link == ContactLink.CONTACT_POINT
        and contact.person_id in active
        and active[contact.person_id].tier == Tier.SECTION_OFFICIAL
        and (places is None or contact.place_id in places)
        and is_current(contact.valid_from, contact.valid_to, today)
    )


def _selector_problems(who: Who, roster: RosterSnapshot) -> dict[str, str]:
    people = {person.id: person for person in roster.people}
    kind = WhoKind(who.kind)
    if kind is WhoKind.PEOPLE:
        if not who.person_ids:
            return {"person_ids": _("Choose at least one person")}
        for person_id in who.person_ids:
            if person_id not in people:
                return {"person_ids": _("Person %(id)s is not in this town's roster", id=person_id)}
            if not people[person_id].active:
                return {"person_ids": _("Person %(id)s has left and can't be given work", id=person_id)}
    elif kind is WhoKind.TIER:
        if _tier(who.tier) is None:
            return {"tier": _("Choose a tier")}
    elif kind is WhoKind.UNIT:
        if who.unit_id is None:
            return {"unit_id": _("Choose a unit")}
    elif kind is WhoKind.BELOW:
        if who.official_id is None:
            return {"official_id": _("Choose an official")}
        if who.official_id not in people:
            return {"official_id": _("Person %(id)s is not in this town's roster", id=who.official_id)}
    elif who.place_ids is not None and not who.place_ids:
        return {"place_ids": _("Choose at least one place, or none to take every contact point")}
    return {}


def validate_who(who: Who, roster: RosterSnapshot, today: dt.date) -> dict[str, str]:
    """Field messages for a selector that can't be used on `today`; empty when it picks someone."""
    try:
        WhoKind(who.kind)
    except ValueError:
        return {"who": _("Choose who does the work")}
    problems = _selector_problems(who, roster)
    if not problems and not select_targets(who, roster, today):
        problems["who"] = _("This selects nobody: no active person matches")
    return problems


def plan_occurrences(targets: Iterable[Target], periods: Iterable[Period]) -> list[OccurrenceKey]:
    """One occurrence per target per period, period by period."""
    targets = list(targets)
    return [OccurrenceKey(t.person_id, t.place_id, p.key) for p in periods for t in targets]


def plan_roster_change(
    existing: Iterable[ExistingOccurrence], wanted: Iterable[OccurrenceKey], today: dt.date
) -> RosterChange:
    """How to bring an assignment's occurrences in line with the roster of `today`.

    `existing` is every occurrence the assignment has; `wanted` is `plan_occurrences` over
    `select_targets` and `current_year_periods_from`. Occurrences whose period is over
    (`period_end < today`) and closed ones are never touched, except that one closed as
    reassigned and wanted again is reopened. Open ones no longer wanted are closed; wanted
    ones with no occurrence at all are created (a done, excused or cancelled occurrence of the
    same key stands: no second one is made).
    """
    wanted_keys = list(dict.fromkeys(wanted))
    wanted_set = set(wanted_keys)
    by_key: dict[OccurrenceKey, list[ExistingOccurrence]] = {}
    for occurrence in existing:
        by_key.setdefault(occurrence.key, []).append(occurrence)
    change = RosterChange()
    for key, occurrences in by_key.items():
        current = [o for o in occurrences if o.period_end >= today]
        if key in wanted_set:
            statuses = {TaskStatus(o.status) for o in occurrences}
            if statuses <= {TaskStatus.REASSIGNED}:
                change.to_reopen.extend(o.id for o in current[:1])
        else:
            change.to_close.extend(o.id for o in current if TaskStatus(o.status) is TaskStatus.OPEN)
    change.to_create.extend(key for key in wanted_keys if key not in by_key)
    change.to_close.sort()
    change.to_reopen.sort()
    return change
