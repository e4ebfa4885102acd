"""Pure roster rules: no session, no request, `today` passed in."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tracker.db.models.roster import ContactLink, PlaceKind, Tier
from tracker.i18n import _

# Places a tier-1 official may link as a contact point (联系点): villages and enterprises, not
# the administrative village, which is a grouping of natural villages.
CONTACT_POINT_KINDS = frozenset({PlaceKind.NATURAL_VILLAGE, PlaceKind.ENTERPRISE, PlaceKind.COMMUNITY})


@dataclass(frozen=True)
class ContactPointCheck:
    """What the contact-point rule needs to know about one person."""

    person_name: str
    tier: Tier
    active: bool
    place_codes: Sequence[str]


def link_for_tier(tier: Tier) -> ContactLink:
    """The kind of link a person's places have: contact points for tier 1, villages otherwise."""
    return ContactLink.CONTACT_POINT if tier is Tier.SECTION_OFFICIAL else ContactLink.VILLAGE


def contact_point_count_ok(tier: Tier, active: bool, count: int, minimum: int, maximum: int) -> bool:
    """Does an official holding `count` distinct contact points meet the town's range?

    Only active tier-1 officials are bound by it.
    """
    return tier is not Tier.SECTION_OFFICIAL or not active or minimum <= count <= maximum


def check_contact_points(check: ContactPointCheck, minimum: int, maximum: int) -> list[str]:
    """Problems with one person's list of places; empty when the rule holds.

    Every active tier-1 official holds between `minimum` and `maximum` distinct contact points,
    and no place stands twice in anyone's list.
    """
    problems: list[str] = []
    repeated = sorted(code for code, seen in Counter(check.place_codes).items() if seen > 1)
    if repeated:
        problems.append(
            _(
                "%(person)s lists %(places)s more than once",
                person=check.person_name,
                places=", ".join(repeated),
            )
        )
    count = len(set(check.place_codes))
    if not contact_point_count_ok(check.tier, check.active, count, minimum, maximum):
        problems.append(
            _(
                "%(person)s would hold %(count)d contact points; a section-level official "
                "holds %(minimum)d to %(maximum)d",
                person=check.person_name,
                count=count,
                minimum=minimum,
                maximum=maximum,
            )
        )
    return problems


def check_place_kinds(person_name: str, tier: Tier, kinds: Iterable[tuple[str, PlaceKind]]) -> list[str]:
    """A tier-1 official's contact points must be villages, enterprises or communities."""
    if tier is not Tier.SECTION_OFFICIAL:
        return []
    return [
        _(
            "%(place)s is an administrative village; %(person)s must link its natural villages instead",
            place=code,
            person=person_name,
        )
        for code, kind in kinds
        if kind not in CONTACT_POINT_KINDS
    ]


@dataclass(frozen=True)
class ContactChange:
    """How to move from the current set of places to the wanted one, keeping history."""

    to_end: frozenset[int]
    to_add: tuple[int, ...]


def plan_contact_change(current_place_ids: Iterable[int], wanted_place_ids: Sequence[int]) -> ContactChange:
    """End the links no longer wanted, add the new ones, leave the kept ones untouched."""
    current = set(current_place_ids)
    wanted = list(dict.fromkeys(wanted_place_ids))
    return ContactChange(
        to_end=frozenset(current - set(wanted)),
        to_add=tuple(pid for pid in wanted if pid not in current),
    )


def is_current(valid_from: dt.date, valid_to: dt.date | None, today: dt.date) -> bool:
    return valid_from <= today and (valid_to is None or valid_to > today)
