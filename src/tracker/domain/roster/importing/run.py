"""Roster import, the service: snapshot the town, validate the whole file, plan, write in one go.

Steps: read the file (importer_read) -> parse rows (importer_rows) -> check across rows and against
the database (importer_checks) -> plan what changes (here) -> write it (here). Nothing is written
unless every row is good. Records are upserted by (town, code); only attributes that differ are
assigned, so importing the same file twice changes nothing. People, units and places of the town
that the file doesn't mention are left alone. The caller's unit of work commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.reminders import ChannelKind, NotifyChannel
from tracker.db.models.roster import ContactAssignment, Person, Place, Town, Unit
from tracker.domain.clock import local_date, utc_now
from tracker.domain.roster import rules
from tracker.domain.roster.events import roster_changed
from tracker.domain.roster.importing.checks import ExistingPerson, ExistingRoster, validate_roster
from tracker.domain.roster.importing.read import RawTable, read_roster_file
from tracker.domain.roster.importing.report import Action, ImportReport, RecordChange, RosterImportRejected
from tracker.domain.roster.importing.rows import ParsedRoster, PersonRecord

DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass
class TownState:
    """The town's rows as they are in the database, by code."""

    town: Town | None
    units: dict[str, Unit] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    current_links: dict[int, list[ContactAssignment]] = field(default_factory=dict)

    def codes_by_id(self, rows: dict[str, Unit] | dict[str, Place] | dict[str, Person]) -> dict[int, str]:
        return {row.id: code for code, row in rows.items()}

    def snapshot(self) -> ExistingRoster:
        if self.town is None:
            return ExistingRoster()
        place_code = self.codes_by_id(self.places)
        person_code = self.codes_by_id(self.people)
        return ExistingRoster(
            town_exists=True,
            contact_points_min=self.town.contact_points_min,
            contact_points_max=self.town.contact_points_max,
            unit_codes=frozenset(self.units),
            place_kinds={code: p.kind for code, p in self.places.items()},
            place_parents={
                code: place_code.get(p.parent_id) for code, p in self.places.items() if p.parent_id
            },
            people={
                code: ExistingPerson(
                    person_code.get(p.supervisor_id) if p.supervisor_id else None, p.tier, p.active
                )
                for code, p in self.people.items()
            },
        )


class RosterImporter:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def import_file(
        self, path: Path, town_code: str, *, today: dt.date | None = None, dry_run: bool = False,
        default_timezone: str = DEFAULT_TIMEZONE,
    ) -> ImportReport:  # fmt: skip
        """Read `path` (.xlsx or .csv) and import it; RosterFileError if it can't be read at all."""
        return await self.import_table(
            read_roster_file(path), town_code, today=today, dry_run=dry_run, default_timezone=default_timezone
        )

    async def import_table(
        self,
        table: RawTable,
        town_code: str,
        *,
        today: dt.date | None = None,
        now: dt.datetime | None = None,
        dry_run: bool = False,
        default_timezone: str = DEFAULT_TIMEZONE,
    ) -> ImportReport:
        """Validate every row, then write everything (or, with `dry_run`, nothing).

        `today` defaults to the town's local date at `now` (default: the clock). Raises
        RosterImportRejected listing every problem, before anything is written.
        """
        town = (await self.session.scalars(select(Town).where(Town.code == town_code))).one_or_none()
        if today is None:
            today = local_date(now or utc_now(), town.timezone if town else default_timezone)
        state = await self.load_state(town, today)
        parsed, problems = validate_roster(table, town_code, state.snapshot())
        if problems:
            raise RosterImportRejected(problems)
        changes = plan_changes(parsed, state)
        town_name = parsed.towns[0].name if parsed.towns else (town.name if town else town_code)
        if not dry_run:
            await self._apply(town_code, changes, state, today, default_timezone)
            await self._sync_tasks(town_code, today, now)
        return ImportReport(town_code, town_name, today, dry_run, changes, header_row=table.header_row)

    # -- loading -----------------------------------------------------------------------------

    async def load_state(self, town: Town | None, today: dt.date) -> TownState:
        """The town's units, places, people and current links as the import compares against them."""
        state = TownState(town)
        if town is None:
            return state
        state.units = {u.code: u for u in await self._all(select(Unit).where(Unit.town_id == town.id))}
        state.places = {p.code: p for p in await self._all(select(Place).where(Place.town_id == town.id))}
        state.people = {p.code: p for p in await self._all(select(Person).where(Person.town_id == town.id))}
        links = await self._all(
            select(ContactAssignment)
            .where(ContactAssignment.town_id == town.id)
            .where(or_(ContactAssignment.valid_to.is_(None), ContactAssignment.valid_to > today))
            .order_by(ContactAssignment.id)
        )
        for link in links:
            if rules.is_current(link.valid_from, link.valid_to, today):
                state.current_links.setdefault(link.person_id, []).append(link)
        return state

    async def _all(self, query: object) -> list:  # type: ignore[type-arg]
        return list((await self.session.scalars(query)).all())  # type: ignore[call-overload]

    # -- writing -----------------------------------------------------------------------------

    async def _sync_tasks(self, town_code: str, today: dt.date, now: dt.datetime | None) -> None:
        """Tasks follow the roster in the same transaction (see roster/events.py)."""
        town = (await self.session.scalars(select(Town).where(Town.code == town_code))).one()
        await roster_changed(self.session, town, today, now)

    async def _apply(
        self, town_code: str, changes: list[RecordChange], state: TownState, today: dt.date, timezone: str
    ) -> None:
        by_type: dict[str, list[RecordChange]] = {}
        for change in changes:
            by_type.setdefault(change.record_type, []).append(change)
        town = state.town
        for change in by_type.get("town", []):
            if town is None:
                town = Town(code=town_code, timezone=timezone, **change.fields)
                self.session.add(town)
            else:
                _assign(town, change.fields)
        if town is None:  # validation guarantees a town row for a new town
            raise RuntimeError("roster import: no town to import into")
        await self.session.flush()

        self._upsert(Unit, town, state.units, by_type.get("unit", []), refs=())
        self._upsert(Place, town, state.places, by_type.get("place", []), refs=("parent",))
        self._upsert(Person, town, state.people, by_type.get("person", []), refs=("unit", "supervisor"))
        await self.session.flush()
        self._resolve(by_type.get("place", []), state.places, "parent", state.places)
        self._resolve(by_type.get("person", []), state.people, "unit", state.units)
        self._resolve(by_type.get("person", []), state.people, "supervisor", state.people)
        await self.session.flush()

        for change in by_type.get("person", []):
            person = state.people[change.code]
            ending = set(change.end_links)
            for link in state.current_links.get(person.id, []):
                if link.id in ending:
                    link.valid_to = today
            kind = rules.link_for_tier(person.tier)
            self.session.add_all(
                ContactAssignment(
                    town_id=town.id,
                    person_id=person.id,
                    place_id=state.places[code].id,
                    link=kind,
                    valid_from=today,
                )
                for code in change.added_places
            )
        await self._email_reminders_on(town, [state.people[c.code] for c in by_type.get("person", [])
                                               if c.fields.get("email")])  # fmt: skip
        await self.session.flush()

    async def _email_reminders_on(self, town: Town, people: list[Person]) -> None:
        """A person given an e-mail address gets their reminders by e-mail too, unless they already
        have an e-mail channel (perhaps switched off: their choice stands)."""
        if not people:
            return
        have = set((await self.session.scalars(
            select(NotifyChannel.person_id).where(NotifyChannel.town_id == town.id,
                                                  NotifyChannel.kind == ChannelKind.EMAIL)
        )).all())  # fmt: skip
        self.session.add_all(
            NotifyChannel(town_id=town.id, person_id=p.id, kind=ChannelKind.EMAIL)
            for p in people
            if p.id not in have
        )

    def _upsert(
        self,
        model: type[Unit | Place | Person],
        town: Town,
        rows: dict,  # type: ignore[type-arg]
        changes: Iterable[RecordChange],
        refs: tuple[str, ...],
    ) -> None:
        """Create or update rows from their changes; references are resolved after the flush."""
        for change in changes:
            values = {k: v for k, v in change.fields.items() if k not in refs}
            if change.action is Action.CREATE:
                row = model(town_id=town.id, code=change.code, **values)
                self.session.add(row)
                rows[change.code] = row
            elif values:
                _assign(rows[change.code], values)

    @staticmethod
    def _resolve(changes: Iterable[RecordChange], rows: dict, ref: str, targets: dict) -> None:  # type: ignore[type-arg]
        """Set `<ref>_id` from the code the change names (now that every row has an id)."""
        for change in changes:
            if ref in change.fields:
                code = change.fields[ref]
                setattr(rows[change.code], f"{ref}_id", targets[code].id if isinstance(code, str) else None)


def _assign(row: object, values: dict[str, object]) -> None:
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


# -- planning (no writes) ----------------------------------------------------------------------


def plan_changes(parsed: ParsedRoster, state: TownState) -> list[RecordChange]:
    """What each row of a valid file changes, compared with the database; file order within a type."""
    unit_codes, place_codes = state.codes_by_id(state.units), state.codes_by_id(state.places)
    person_codes = state.codes_by_id(state.people)
    changes: list[RecordChange] = []
    for row in parsed.towns:
        current = {"name": state.town.name, "population": state.town.population} if state.town else None
        changes.append(
            _compare("town", row.code, row.name, {"name": row.name, "population": row.population}, current)
        )
    for unit in parsed.units:
        before = state.units.get(unit.code)
        current = {"name": before.name, "kind": before.kind} if before else None
        changes.append(
            _compare("unit", unit.code, unit.name, {"name": unit.name, "kind": unit.kind}, current)
        )
    for place in parsed.places:
        wanted = {"name": place.name, "kind": place.kind, "parent": place.parent,
                  "latitude": place.latitude, "longitude": place.longitude}  # fmt: skip
        changes.append(
            _compare(
                "place",
                place.code,
                place.name,
                wanted,
                _place_values(state.places.get(place.code), place_codes),
            )
        )
    new_place_keys = count(-1, -1)  # places the file creates have no id yet
    place_keys = {code: p.id for code, p in state.places.items()}
    place_keys.update({p.code: next(new_place_keys) for p in parsed.places if p.code not in place_keys})
    for person in parsed.people:
        before = state.people.get(person.code)
        wanted = {"name": person.name, "tier": person.tier, "post": person.post, "unit": person.unit,
                  "supervisor": person.supervisor, "phone": person.phone,
                  "leading_group_role": person.leading_group}  # fmt: skip
        if "email" in parsed.headers:  # a file without the column leaves addresses as they are
            wanted["email"] = person.email
        change = _compare(
            "person", person.code, person.name, wanted, _person_values(before, unit_codes, person_codes)
        )
        links = state.current_links.get(before.id, []) if before is not None else []
        _plan_links(change, person, links, place_keys)
        changes.append(change)
    return changes


def _place_values(place: Place | None, place_codes: dict[int, str]) -> dict[str, object] | None:
    if place is None:
        return None
    return {"name": place.name, "kind": place.kind, "parent": place_codes.get(place.parent_id or 0),
            "latitude": place.latitude, "longitude": place.longitude}  # fmt: skip


def _person_values(
    person: Person | None, unit_codes: dict[int, str], person_codes: dict[int, str]
) -> dict[str, object] | None:
    if person is None:
        return None
    return {
        "name": person.name,
        "tier": person.tier,
        "post": person.post,
        "unit": unit_codes.get(person.unit_id or 0),
        "supervisor": person_codes.get(person.supervisor_id or 0),
        "phone": person.phone,
        "leading_group_role": person.leading_group_role,
        "email": person.email,
    }


def _plan_links(
    change: RecordChange, person: PersonRecord, links: list[ContactAssignment], place_keys: dict[str, int]
) -> None:
    """The person's links as set_contact_points would change them: end the ones no longer listed
    (and any of the wrong kind after a change of tier), add the new ones, keep the rest."""
    if person.tier is None:
        msg = "plan_changes needs a roster without problems"
        raise ValueError(msg)
    kind = rules.link_for_tier(person.tier)
    keep = [link for link in links if link.link is kind]
    plan = rules.plan_contact_change([link.place_id for link in keep], [place_keys[c] for c in person.places])
    code_of_key = {key: code for code, key in place_keys.items()}
    ended = [link for link in links if link.link is not kind or link.place_id in plan.to_end]
    change.end_links = tuple(link.id for link in ended)
    change.ended_places = tuple(code_of_key.get(link.place_id, str(link.place_id)) for link in ended)
    change.added_places = tuple(code_of_key[key] for key in plan.to_add)
    if change.action is Action.UNCHANGED and (change.end_links or change.added_places):
        change.action = Action.UPDATE


def _compare(
    record_type: str, code: str, name: str, wanted: dict[str, object], current: dict[str, object] | None
) -> RecordChange:
    if current is None:
        return RecordChange(record_type, code, name, Action.CREATE, dict(wanted))
    changed = {k: v for k, v in wanted.items() if current.get(k) != v}
    action = Action.UPDATE if changed else Action.UNCHANGED
    return RecordChange(record_type, code, name, action, changed, before={k: current.get(k) for k in changed})
