"""Roster import, step 1: each row on its own (pure: no database, no files).

Every problem is collected, never raised, so that the user sees all of them at once. Cross-row
checks (references, duplicates, the contact-point rule) live in importer_checks.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeVar

from tracker.db.models.roster import LeadingGroupRole, PlaceKind, Tier, UnitKind
from tracker.domain.inputs import is_email, too_large, whole_number
from tracker.domain.roster.importing.columns import (
    CODE_FORBIDDEN,
    CODE_MAX,
    LEADING_GROUP_ROLES,
    NAME_MAX,
    PERSON_NAME_MAX,
    PHONE,
    PLACE_KINDS,
    PLACES_SEPARATOR,
    POPULATION_MAX,
    POST_MAX,
    RECORD_TYPES,
    TIERS,
    UNIT_KINDS,
    Problem,
    column_letter,
    parse_header,
)
from tracker.domain.roster.importing.read import RawRow, RawTable
from tracker.domain.text import replace_forbidden, text_problem
from tracker.i18n import _

E = TypeVar("E", bound=Enum)
__all__ = ["ParsedRoster", "PersonRecord", "PlaceRecord", "Problem", "TownRecord", "UnitRecord", "parse_rows"]


@dataclass(frozen=True)
class TownRecord:
    row: int
    code: str
    name: str
    population: int


# A record whose row has problems may hold None or "" where a cell couldn't be read: the cross-row
# checks still look at the rest of it, and nothing is written while there is any problem.


@dataclass(frozen=True)
class UnitRecord:
    row: int
    code: str
    name: str
    kind: UnitKind | None


@dataclass(frozen=True)
class PlaceRecord:
    row: int
    code: str
    name: str
    kind: PlaceKind | None
    parent: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class PersonRecord:
    row: int
    code: str
    name: str
    tier: Tier | None
    post: str
    unit: str | None
    supervisor: str | None
    phone: str | None
    leading_group: LeadingGroupRole | None
    places: tuple[str, ...]
    email: str | None = None  # only compared when the file has the column


@dataclass
class ParsedRoster:
    """The rows that parsed, by record type, in file order; `headers` maps a column to its header text.

    `declared` holds every code the file declares per record type, bad rows included, so that a
    reference to a row that has its own problem is not reported a second time as unknown.
    """

    headers: dict[str, str] = field(default_factory=dict)
    declared: dict[str, dict[str, int]] = field(default_factory=dict)
    towns: list[TownRecord] = field(default_factory=list)
    units: list[UnitRecord] = field(default_factory=list)
    places: list[PlaceRecord] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


class RowReader:
    """Reads the cells of one row by column name, recording problems against that row."""

    def __init__(self, row: RawRow, positions: dict[str, int], headers: dict[str, str]) -> None:
        self.row = row
        self.positions = positions
        self.headers = headers
        self.problems: list[Problem] = []
        self.checked: set[str] = set()

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.row.number, self.headers.get(column, column), message))

    def text(self, column: str) -> str:
        """The cell, trimmed; one with a control or invisible formatting character (or a line break) is a
        problem, reported once, and the character is replaced so that no message echoes it."""
        index = self.positions.get(column)
        value = self.row.cells[index].strip() if index is not None and index < len(self.row.cells) else ""
        problem = text_problem(value, single_line=True)
        if problem is None:
            return value
        if column not in self.checked:
            self.checked.add(column)
            self.problem(column, problem)
        return replace_forbidden(value, single_line=True)

    def optional(self, column: str, max_length: int = NAME_MAX) -> str | None:
        value = self.text(column)
        if len(value) > max_length:
            self.problem(column, _("too long (at most %(max)d characters)", max=max_length))
        return value or None

    def required(self, column: str, max_length: int = NAME_MAX) -> str | None:
        value = self.optional(column, max_length)
        if value is None:
            self.problem(column, _("this cell must not be empty"))
        return value

    def code(self, column: str = "code", *, required: bool = True) -> str | None:
        value = self.required(column, CODE_MAX) if required else self.optional(column, CODE_MAX)
        if value is not None and CODE_FORBIDDEN.search(value):
            self.problem(column, _("a code cannot contain spaces, commas or the separators ; ； 、"))
        return value

    def choice(self, column: str, choices: dict[str, E], unknown: str) -> E | None:
        """`unknown` is a translated message with %(value)s, e.g. "unknown tier '%(value)s'"."""
        value = self.text(column)
        if not value:
            return None
        found = choices.get(value) or choices.get(value.lower())
        if found is None:
            self.problem(column, unknown % {"value": value})
        return found

    def number(self, column: str, low: float, high: float, out_of_range: str) -> float | None:
        value = self.text(column)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            self.problem(column, _("'%(value)s' is not a number", value=value))
            return None
        if not math.isfinite(number) or not low <= number <= high:
            self.problem(column, out_of_range)
            return None
        return number

    def whole_number(self, column: str, maximum: int = POPULATION_MAX) -> int:
        value = self.text(column).replace(",", "")
        if not value:
            return 0
        number = whole_number(value)
        if number is None:
            self.problem(column, _("'%(value)s' is not a whole number", value=value))
            return 0
        if number < 0:
            self.problem(column, _("cannot be negative"))
        elif number > maximum:
            self.problem(column, too_large(maximum))
            return 0
        return number

    def phone(self) -> str | None:
        value = self.text("phone")
        if value and not PHONE.fullmatch(value):
            self.problem(
                "phone",
                _(
                    "'%(value)s' is not a phone number (digits, +, - and spaces; 5 to 20 characters)",
                    value=value,
                ),
            )
        return value or None

    def email(self) -> str | None:
        value = self.text("email")
        if value and not is_email(value):
            self.problem("email", _("'%(value)s' is not an e-mail address", value=value))
            return None
        return value or None

    def code_list(self, column: str) -> tuple[str, ...]:
        codes = tuple(part.strip() for part in PLACES_SEPARATOR.split(self.text(column)) if part.strip())
        for code in codes:
            if len(code) > CODE_MAX or CODE_FORBIDDEN.search(code):
                self.problem(column, _("'%(code)s' is not a valid code", code=code))
        return codes


def parse_town(reader: RowReader, town_code: str) -> TownRecord | None:
    code, name = reader.code(), reader.required("name")
    population = reader.whole_number("population")
    if code is not None and code != town_code:
        reader.problem(
            "code", _("this town row is for '%(code)s' but --town is '%(town)s'", code=code, town=town_code)
        )
    if code != town_code or name is None:
        return None
    return TownRecord(reader.row.number, code, name, population)


def parse_unit(reader: RowReader) -> UnitRecord | None:
    code, name = reader.code(), reader.required("name")
    kind = reader.choice("kind", UNIT_KINDS, _("unknown kind '%(value)s'"))
    if not reader.text("kind"):
        reader.problem("kind", _("this cell must not be empty"))
    if code is None:
        return None
    return UnitRecord(reader.row.number, code, name or "", kind)


def parse_place(reader: RowReader) -> PlaceRecord | None:
    code, name = reader.code(), reader.required("name")
    kind = reader.choice("kind", PLACE_KINDS, _("unknown kind '%(value)s'"))
    if not reader.text("kind"):
        reader.problem("kind", _("this cell must not be empty"))
    parent = reader.code("parent", required=False)
    if kind is PlaceKind.NATURAL_VILLAGE and parent is None:
        reader.problem("parent", _("a natural village needs the code of its administrative village here"))
    if kind is PlaceKind.ADMINISTRATIVE_VILLAGE and parent is not None:
        reader.problem("parent", _("an administrative village belongs to no other place; leave this empty"))
    latitude = reader.number("latitude", -90, 90, _("latitude must be between -90 and 90"))
    longitude = reader.number("longitude", -180, 180, _("longitude must be between -180 and 180"))
    if bool(reader.text("latitude")) != bool(reader.text("longitude")):
        missing = "longitude" if reader.text("latitude") else "latitude"
        reader.problem(missing, _("give both latitude and longitude, or neither"))
    if code is None:
        return None
    return PlaceRecord(reader.row.number, code, name or "", kind, parent, latitude, longitude)


def parse_person(reader: RowReader) -> PersonRecord | None:
    code, name = reader.code(), reader.required("name", PERSON_NAME_MAX)
    tier = reader.choice("tier", TIERS, _("unknown tier '%(value)s'"))
    if not reader.text("tier"):
        reader.problem("tier", _("this cell must not be empty"))
    post = reader.optional("post", POST_MAX) or ""
    unit = reader.code("unit", required=False)
    supervisor = reader.code("supervisor", required=False)
    phone = reader.phone()
    role = reader.choice("leading_group", LEADING_GROUP_ROLES, _("unknown leading-group role '%(value)s'"))
    places = reader.code_list("places")
    if supervisor is not None and supervisor == code:
        reader.problem("supervisor", _("a person cannot be their own supervisor"))
    if code is None:
        return None
    return PersonRecord(
        reader.row.number, code, name or "", tier, post, unit, supervisor, phone, role, places, reader.email()
    )


def parse_rows(table: RawTable, town_code: str) -> tuple[ParsedRoster, list[Problem]]:
    """Parse the header and every row.

    A row without a code, a duplicate row and a town row for another town are left out of the
    result; a row with other problems stays in (the bad cell empty) so that the cross-row checks
    can still report on it. The caller writes nothing unless the problem list is empty.
    """
    positions, headers, problems = parse_header(table.header, table.header_row)
    parsed = ParsedRoster(headers=headers)
    if problems:
        return parsed, problems
    unheaded = [index for index, text in enumerate(table.header) if not text]
    for row in table.rows:
        reader = RowReader(row, positions, headers)
        problems.extend(
            Problem(row.number, column_letter(index), _("this cell has a value but its column has no header"))
            for index in unheaded
            if row.cells[index]
        )
        raw_type = reader.text("record")
        record_type = RECORD_TYPES.get(raw_type) or RECORD_TYPES.get(raw_type.lower())
        duplicate = record_type is not None and _declare(parsed, reader, record_type)
        if not raw_type:
            reader.problem("record", _("this cell must not be empty"))
        elif record_type is None:
            reader.problem("record", _("unknown record type '%(value)s'", value=raw_type))
        elif record_type == "town":
            _append(parsed.towns, parse_town(reader, town_code), duplicate)
        elif record_type == "unit":
            _append(parsed.units, parse_unit(reader), duplicate)
        elif record_type == "place":
            _append(parsed.places, parse_place(reader), duplicate)
        else:
            _append(parsed.people, parse_person(reader), duplicate)
        problems.extend(reader.problems)
    return parsed, problems


def _declare(parsed: ParsedRoster, reader: RowReader, record_type: str) -> bool:
    """Remember the row's code; True (and a problem) when the same record type had it before."""
    code = reader.text("code")
    if not code:
        return False
    seen = parsed.declared.setdefault(record_type, {})
    if code in seen:
        reader.problem(
            "code", _("duplicate code %(code)s: already on row %(row)d", code=code, row=seen[code])
        )
        return True
    seen[code] = reader.row.number
    return False


T = TypeVar("T")


def _append(target: list[T], record: T | None, duplicate: bool) -> None:
    if record is not None and not duplicate:
        target.append(record)
