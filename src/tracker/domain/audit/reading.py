"""Reading the town's audit log: who did it by name, what it was about by name and link, the fields
that changed with the names of the people, places and units they point at.

Names are looked up in a bounded number of queries whatever the page holds: one for the people
behind the accounts that acted, then one per kind of object named (people, places, units, tasks,
assignments, records, accounts, contact points, the town), never one per entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import User
from tracker.db.models.audit import AuditEntry
from tracker.db.models.roster import ContactAssignment, Person, Place, Town, Unit
from tracker.db.models.tasks import Assignment, Record, Task
from tracker.domain.audit import readable
from tracker.domain.audit.service import AuditFilter, AuditPage, entries_in_order, list_entries

# Fields holding the id of another object, and which kind it is.
REFERENCES = {
    "person_id": "person", "supervisor_id": "person", "place_id": "place", "parent_id": "place",
    "unit_id": "unit", "task_id": "task", "assignment_id": "assignment", "user_id": "app_user",
    "town_id": "town", "who_official_id": "person", "who_unit_id": "unit",
}  # fmt: skip
NAMED_KINDS = (
    "person",
    "place",
    "unit",
    "task",
    "assignment",
    "record",
    "app_user",
    "contact_assignment",
    "town",
)
CSV_CHUNK = 500


@dataclass(frozen=True)
class ReadableEntry:
    entry: AuditEntry
    who: str  # the person's name, else the login, else what the entry says ("system", a typed name)
    who_login: str
    object_label: str
    object_name: str | None
    object_path: str | None
    changes: list[readable.FieldChange]


@dataclass(frozen=True)
class Named:
    name: str
    task_id: int | None = None  # a record's task: where it is shown


def _as_id(text: object) -> int | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text
    if isinstance(text, str) and text.isascii() and text.isdecimal() and len(text) < 19:
        return int(text)
    return None


def _wanted(entries: Sequence[AuditEntry]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for e in entries:
        if e.object_type in NAMED_KINDS and (object_id := _as_id(e.object_id)) is not None:
            wanted[e.object_type].add(object_id)
        changes = e.changes or {}
        parts = (
            [changes.get("before"), changes.get("after")] if readable._is_change_set(changes) else [changes]
        )
        for part in parts:
            for key, value in (part or {}).items():
                if key in REFERENCES and (ref := _as_id(value)) is not None:
                    wanted[REFERENCES[key]].add(ref)
    return wanted


async def _names(session: AsyncSession, town: Town, kind: str, ids: set[int]) -> dict[int, Named]:
    """One query: the names of the town's objects of one kind."""
    if kind == "town":
        return {town.id: Named(town.name)} if town.id in ids else {}
    if kind == "person":
        rows = await session.execute(
            select(Person.id, Person.name).where(Person.town_id == town.id, Person.id.in_(ids))
        )
        return {i: Named(n) for i, n in rows.all()}
    if kind in ("place", "unit"):
        model = Place if kind == "place" else Unit
        rows = await session.execute(
            select(model.id, model.name).where(model.town_id == town.id, model.id.in_(ids))
        )
        return {i: Named(n) for i, n in rows.all()}
    if kind in ("task", "assignment"):
        model = Task if kind == "task" else Assignment
        rows = await session.execute(
            select(model.id, model.title).where(model.town_id == town.id, model.id.in_(ids))
        )
        return {i: Named(n) for i, n in rows.all()}
    if kind == "record":
        rows = await session.execute(
            select(Record.id, Record.task_id, Record.occurred_on, Person.name)
            .join(Person, Person.id == Record.person_id)
            .where(Record.town_id == town.id, Record.id.in_(ids))
        )
        return {i: Named(f"{name} · {day.isoformat()}", task_id) for i, task_id, day, name in rows.all()}
    if kind == "app_user":
        rows = await session.execute(
            select(User.id, User.login, Person.name)
            .outerjoin(Person, Person.id == User.person_id)
            .where(User.town_id == town.id, User.id.in_(ids))
        )
        return {i: Named(f"{name} ({login})" if name else login) for i, login, name in rows.all()}
    if kind == "contact_assignment":
        rows = await session.execute(
            select(ContactAssignment.id, Person.name, Place.name)
            .join(Person, Person.id == ContactAssignment.person_id)
            .join(Place, Place.id == ContactAssignment.place_id)
            .where(ContactAssignment.town_id == town.id, ContactAssignment.id.in_(ids))
        )
        return {i: Named(f"{person} → {place}") for i, person, place in rows.all()}
    return {}


async def _actors(session: AsyncSession, entries: Sequence[AuditEntry]) -> dict[int, tuple[str, str]]:
    """user id -> (person's name or login, login), one query."""
    ids = {e.actor_user_id for e in entries if e.actor_user_id is not None}
    if not ids:
        return {}
    rows = await session.execute(
        select(User.id, User.login, Person.name)
        .outerjoin(Person, Person.id == User.person_id)
        .where(User.id.in_(ids))
    )
    return {i: (name or login, login) for i, login, name in rows.all()}


def _with_names(change: readable.FieldChange, names: dict[str, dict[int, Named]]) -> readable.FieldChange:
    kind = REFERENCES.get(change.field)
    if kind is None:
        return change

    def shown(text: str | None) -> str | None:
        ref = _as_id(text) if text is not None else None
        found = names.get(kind, {}).get(ref) if ref is not None else None
        return f"{found.name} (#{ref})" if found is not None else text

    return readable.FieldChange(change.field, change.label, shown(change.before), shown(change.after))


async def readable_entries(
    session: AsyncSession, town: Town, entries: Sequence[AuditEntry]
) -> list[ReadableEntry]:
    wanted = _wanted(entries)
    names = {kind: await _names(session, town, kind, ids) for kind, ids in wanted.items() if ids}
    actors = await _actors(session, entries)
    shown: list[ReadableEntry] = []
    for e in entries:
        who, login = (
            actors.get(e.actor_user_id, (e.actor, e.actor)) if e.actor_user_id else (e.actor, e.actor)
        )
        object_id = _as_id(e.object_id)
        named = names.get(e.object_type, {}).get(object_id) if object_id is not None else None
        name = named.name if named else readable.stored_name(e.changes)
        path = None
        if e.object_type and (named is not None or e.object_type in ("town", "app_user", "reminder_policy")):
            path = readable.object_path(
                e.object_type, e.object_id, town.code, named.task_id if named else None
            )
        shown.append(
            ReadableEntry(
                entry=e, who=who or "—", who_login=login, object_label=readable.object_label(e.object_type),
                object_name=name, object_path=path,
                changes=[_with_names(c, names) for c in readable.changed_fields(e.changes)],
            )
        )  # fmt: skip
    return shown


async def readable_page(
    session: AsyncSession, town: Town, f: AuditFilter
) -> tuple[AuditPage, list[ReadableEntry]]:
    page = await list_entries(session, town.id, f)
    return page, await readable_entries(session, town, page.entries)


async def csv_rows(session: AsyncSession, town: Town, f: AuditFilter, timezone: str) -> list[list[str]]:
    """Every entry of the filter (newest first, at most service.EXPORT_LIMIT), as the CSV's rows."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    entries = await entries_in_order(session, town.id, f)
    rows: list[list[str]] = []
    for start in range(0, len(entries), CSV_CHUNK):
        for r in await readable_entries(session, town, entries[start : start + CSV_CHUNK]):
            at: dt.datetime = r.entry.at
            rows.append([
                at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), r.who, r.who_login, readable.action_label(r.entry.action),
                r.object_label, r.entry.object_id, r.object_name or "", readable.changes_text(r.changes), r.entry.ip,
            ])  # fmt: skip
    return rows


async def people_with_accounts(session: AsyncSession, town: Town) -> list[tuple[int, str, str]]:
    """(person id, name, login) of the town's people who have an account: the "done by" filter's choices."""
    rows = await session.execute(
        select(Person.id, Person.name, User.login)
        .join(User, User.person_id == Person.id)
        .where(Person.town_id == town.id)
        .order_by(Person.code)
    )
    return [(i, n, login) for i, n, login in rows.all()]


async def accounts_of(session: AsyncSession, town: Town, person_id: int) -> tuple[int, ...]:
    """The ids of the accounts of one of the town's people (none when not the town's, or no account)."""
    rows = await session.scalars(
        select(User.id)
        .join(Person, Person.id == User.person_id)
        .where(Person.id == person_id, Person.town_id == town.id)
    )
    return tuple(rows.all())
