"""Roster import, step 2: checks across rows and against what the town already holds (pure).

`ExistingRoster` is a plain snapshot of the town's rows in the database, taken by the importer
service; nothing here touches a session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tracker.db.models.roster import PlaceKind, Tier
from tracker.domain.roster import rules
from tracker.domain.roster.importing.read import RawTable
from tracker.domain.roster.importing.rows import ParsedRoster, PersonRecord, Problem, parse_rows
from tracker.i18n import _

DEFAULT_CONTACT_POINTS = (2, 4)


@dataclass(frozen=True)
class ExistingPerson:
    supervisor: str | None
    tier: Tier
    active: bool


@dataclass(frozen=True)
class ExistingRoster:
    """What the database holds for the town, by code (an empty snapshot for a new town)."""

    town_exists: bool = False
    contact_points_min: int = DEFAULT_CONTACT_POINTS[0]
    contact_points_max: int = DEFAULT_CONTACT_POINTS[1]
    unit_codes: frozenset[str] = frozenset()
    place_kinds: Mapping[str, PlaceKind] = field(default_factory=dict)
    place_parents: Mapping[str, str | None] = field(default_factory=dict)
    people: Mapping[str, ExistingPerson] = field(default_factory=dict)


def validate_roster(
    table: RawTable, town_code: str, existing: ExistingRoster
) -> tuple[ParsedRoster, list[Problem]]:
    """Every problem of the file, row checks first, then cross-row checks; sorted by row."""
    parsed, problems = parse_rows(table, town_code)
    if any(p.row == table.header_row for p in problems):  # a broken header makes every row meaningless
        return parsed, problems
    problems += check_town(parsed, town_code, existing)
    problems += check_places(parsed, existing)
    problems += check_people(parsed, existing)
    problems.sort(key=lambda p: (p.row or 0,))
    return parsed, problems


def check_town(parsed: ParsedRoster, town_code: str, existing: ExistingRoster) -> list[Problem]:
    if existing.town_exists or parsed.declared.get("town"):
        return []
    return [
        Problem(None, None, _("Town '%(town)s' does not exist; add a town row to create it", town=town_code))
    ]


def final_place_kinds(parsed: ParsedRoster, existing: ExistingRoster) -> dict[str, PlaceKind]:
    kinds = dict(existing.place_kinds)
    kinds.update({place.code: place.kind for place in parsed.places if place.kind is not None})
    return kinds


def _known(
    parsed: ParsedRoster, record_type: str, code: str, in_database: Mapping[str, object] | frozenset[str]
) -> bool:
    return code in parsed.declared.get(record_type, {}) or code in in_database


def check_places(parsed: ParsedRoster, existing: ExistingRoster) -> list[Problem]:
    problems: list[Problem] = []
    kinds = final_place_kinds(parsed, existing)
    for place in parsed.places:
        if place.parent is None:
            continue
        if not _known(parsed, "place", place.parent, existing.place_kinds):
            problems.append(
                Problem(place.row, parsed.header("parent"), _("unknown place '%(code)s'", code=place.parent))
            )
        elif (
            kinds.get(place.parent, PlaceKind.ADMINISTRATIVE_VILLAGE) is not PlaceKind.ADMINISTRATIVE_VILLAGE
        ):
            problems.append(
                Problem(place.row, parsed.header("parent"),
                        _("%(code)s is not an administrative village", code=place.parent))
            )  # fmt: skip
    in_file = {place.code: place for place in parsed.places}
    for child, parent in existing.place_parents.items():
        record = in_file.get(parent) if parent is not None else None
        if (
            child not in in_file
            and record is not None
            and record.kind not in (None, PlaceKind.ADMINISTRATIVE_VILLAGE)
        ):
            problems.append(
                Problem(record.row, parsed.header("kind"),
                        _("%(code)s still has villages under it; it must stay an administrative village",
                          code=record.code))
            )  # fmt: skip
    return _unique(problems)


def check_people(parsed: ParsedRoster, existing: ExistingRoster) -> list[Problem]:
    problems: list[Problem] = []
    kinds = final_place_kinds(parsed, existing)
    for person in parsed.people:
        if person.unit is not None and not _known(parsed, "unit", person.unit, existing.unit_codes):
            problems.append(
                Problem(person.row, parsed.header("unit"), _("unknown unit '%(code)s'", code=person.unit))
            )
        if person.supervisor is not None and not _known(parsed, "person", person.supervisor, existing.people):
            problems.append(
                Problem(
                    person.row,
                    parsed.header("supervisor"),
                    _("unknown person '%(code)s'", code=person.supervisor),
                )
            )
        problems += _check_places_of(person, parsed, existing, kinds)
    problems += check_supervisor_loops(parsed, existing)
    return problems


def _check_places_of(
    person: PersonRecord, parsed: ParsedRoster, existing: ExistingRoster, kinds: Mapping[str, PlaceKind]
) -> list[Problem]:
    column = parsed.header("places")
    problems = [
        Problem(person.row, column, _("unknown place '%(code)s'", code=code))
        for code in dict.fromkeys(person.places)
        if not _known(parsed, "place", code, existing.place_kinds)
    ]
    before = existing.people.get(person.code)
    active = before.active if before is not None else True
    name = person.name or person.code
    # an unreadable tier (already reported) leaves only the check for places listed twice
    tier = person.tier or Tier.VILLAGE_CADRE
    messages = rules.check_contact_points(
        rules.ContactPointCheck(name, tier, active, person.places),
        existing.contact_points_min,
        existing.contact_points_max,
    )
    messages += rules.check_place_kinds(
        name, tier, [(code, kinds[code]) for code in dict.fromkeys(person.places) if code in kinds]
    )
    return problems + [Problem(person.row, column, message) for message in messages]


def check_supervisor_loops(parsed: ParsedRoster, existing: ExistingRoster) -> list[Problem]:
    """A person whose chain of supervisors, as it would stand after the import, comes back to them."""
    supervisors = {code: person.supervisor for code, person in existing.people.items()}
    supervisors.update({person.code: person.supervisor for person in parsed.people})
    problems: list[Problem] = []
    for person in parsed.people:
        if person.supervisor is None or person.supervisor == person.code:
            continue  # no supervisor, or already reported as being one's own
        if _chain_returns(person.code, supervisors):
            message = _(
                "the chain of supervisors from %(code)s leads back to this person", code=person.supervisor
            )
            problems.append(Problem(person.row, parsed.header("supervisor"), message))
    return problems


def _chain_returns(code: str, supervisors: Mapping[str, str | None]) -> bool:
    """True when walking up from `code` reaches `code` again (a loop elsewhere up the chain is not ours)."""
    seen: set[str] = set()
    current = supervisors.get(code)
    while current is not None and current not in seen:
        if current == code:
            return True
        seen.add(current)
        current = supervisors.get(current)
    return False


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
