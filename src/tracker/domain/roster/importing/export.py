"""The town's roster as the rows of a roster file, and the template's example rows.

The rows come from the very state the importer compares a file against (`RosterImporter.load_state`),
so exporting and importing the export again changes nothing: each record's attributes, a person's
current places of the kind their tier holds, references by code, values in Chinese.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import LeadingGroupRole, PlaceKind, Tier, Town, UnitKind
from tracker.domain.clock import local_date
from tracker.domain.roster import rules
from tracker.domain.roster.importing.run import RosterImporter, TownState
from tracker.domain.roster.importing.workbook import (
    PLACE_KIND_VALUES,
    PLACES_JOINER,
    RECORD_VALUES,
    ROLE_VALUES,
    TIER_VALUES,
    UNIT_KIND_VALUES,
    Cell,
    RosterSheet,
    write_roster_workbook,
)
from tracker.i18n import _

PLACE_ORDER = {PlaceKind.ADMINISTRATIVE_VILLAGE: 0, PlaceKind.NATURAL_VILLAGE: 1, PlaceKind.COMMUNITY: 2,
               PlaceKind.ENTERPRISE: 3}  # fmt: skip
TIER_ORDER = {Tier.SECTION_OFFICIAL: 0, Tier.UNIT_HEAD: 1, Tier.VILLAGE_CADRE: 2}


def roster_title(town_name: str, day: dt.date) -> str:
    return _("%(town)s ideology-work responsibility roster (%(date)s)", town=town_name, date=day.isoformat())


def state_rows(state: TownState) -> list[dict[str, Cell]]:
    """Every record of the town as a file row: the town, units, places, then people by tier."""
    town = state.town
    if town is None:
        return []
    unit_code = state.codes_by_id(state.units)
    place_code = state.codes_by_id(state.places)
    person_code = state.codes_by_id(state.people)
    rows: list[dict[str, Cell]] = [
        {"record": RECORD_VALUES["town"], "code": town.code, "name": town.name, "population": town.population}
    ]
    for code, unit in sorted(state.units.items()):
        rows.append({"record": RECORD_VALUES["unit"], "code": code, "name": unit.name,
                     "kind": UNIT_KIND_VALUES[unit.kind]})  # fmt: skip
    for code, place in sorted(state.places.items(), key=lambda item: (PLACE_ORDER[item[1].kind], item[0])):
        rows.append({
            "record": RECORD_VALUES["place"], "code": code, "name": place.name,
            "kind": PLACE_KIND_VALUES[place.kind],
            "parent": place_code.get(place.parent_id) if place.parent_id else None,
            "latitude": place.latitude, "longitude": place.longitude,
        })  # fmt: skip
    for code, person in sorted(state.people.items(), key=lambda item: (TIER_ORDER[item[1].tier], item[0])):
        kind = rules.link_for_tier(person.tier)
        held = [
            place_code[link.place_id] for link in state.current_links.get(person.id, []) if link.link is kind
        ]
        rows.append({
            "record": RECORD_VALUES["person"], "code": code, "name": person.name,
            "tier": TIER_VALUES[person.tier], "post": person.post,
            "unit": unit_code.get(person.unit_id) if person.unit_id else None,
            "supervisor": person_code.get(person.supervisor_id) if person.supervisor_id else None,
            "phone": person.phone,
            "leading_group": ROLE_VALUES[person.leading_group_role] if person.leading_group_role else None,
            "places": PLACES_JOINER.join(dict.fromkeys(held)),
            "email": person.email,
        })  # fmt: skip
    return rows


def example_rows(town: Town) -> list[dict[str, Cell]]:
    """The template's rows: the town itself, then one example of each kind of record, consistent
    with each other (the template imports as it is into a town without these codes)."""
    return [
        {"record": RECORD_VALUES["town"], "code": town.code, "name": town.name, "population": town.population},
        {"record": RECORD_VALUES["unit"], "code": "U01", "name": _("Party and government office"),
         "kind": UNIT_KIND_VALUES[UnitKind.DEPARTMENT]},
        {"record": RECORD_VALUES["place"], "code": "AV01", "name": _("Example administrative village"),
         "kind": PLACE_KIND_VALUES[PlaceKind.ADMINISTRATIVE_VILLAGE], "latitude": 27.1, "longitude": 113.2},
        {"record": RECORD_VALUES["place"], "code": "NV01", "name": _("Example natural village"),
         "kind": PLACE_KIND_VALUES[PlaceKind.NATURAL_VILLAGE], "parent": "AV01"},
        {"record": RECORD_VALUES["place"], "code": "EN01", "name": _("Example enterprise"),
         "kind": PLACE_KIND_VALUES[PlaceKind.ENTERPRISE]},
        {"record": RECORD_VALUES["person"], "code": "P01", "name": _("Example official"),
         "tier": TIER_VALUES[Tier.SECTION_OFFICIAL], "post": _("Party committee member"), "unit": "U01",
         "phone": "13800000000", "leading_group": ROLE_VALUES[LeadingGroupRole.MEMBER], "places": "NV01、EN01"},
        {"record": RECORD_VALUES["person"], "code": "C01", "name": _("Example village cadre"),
         "tier": TIER_VALUES[Tier.VILLAGE_CADRE], "unit": "U01", "supervisor": "P01", "places": "NV01"},
    ]  # fmt: skip


class RosterExport:
    """The town's roster file and the template; the caller has checked the actor may manage the town."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def export_sheet(self, town: Town, now: dt.datetime) -> RosterSheet:
        """The town's roster today, ready for `write_roster_workbook` (which the caller runs off the loop)."""
        today = local_date(now, town.timezone)
        state = await RosterImporter(self.session).load_state(town, today)
        return RosterSheet(roster_title(town.name, today), state_rows(state))

    @staticmethod
    def template_sheet(town: Town) -> RosterSheet:
        title = _(
            "%(town)s roster: the grey rows are examples; replace them with the town's own", town=town.name
        )
        return RosterSheet(title, example_rows(town), example=True)


def workbook_of(sheet: RosterSheet) -> bytes:
    return write_roster_workbook(sheet)
