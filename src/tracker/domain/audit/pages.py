"""The town's audit log for its secretary: readable entries, filters (event, who, person, object, dates),
paging and the CSV export of what the filters show. Read-only: nothing here edits an entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role
from tracker.db.models.roster import Town
from tracker.domain.audit import readable
from tracker.domain.audit.reading import accounts_of, csv_rows, people_with_accounts, readable_page
from tracker.domain.audit.service import AuditFilter
from tracker.domain.inputs import day_problem
from tracker.domain.scope import Scope
from tracker.i18n import _, lazy_gettext
from tracker.web.guards import require_role

ACTIONS = tuple(readable.ACTION_LABELS)
CSV_HEADER = (
    lazy_gettext("Time"), lazy_gettext("Done by"), lazy_gettext("Login name"), lazy_gettext("Event"),
    lazy_gettext("Object"), lazy_gettext("Object number"), lazy_gettext("Name"), lazy_gettext("Changes"),
    lazy_gettext("Address"),
)  # fmt: skip


def _local_day_start(day: dt.date | None, timezone: str) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def _digits(text: str | None) -> int | None | str:
    """None when empty, the number when a few ASCII digits, else the text back (refused)."""
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 18 else text


@dataclass
class Filters:
    filters: AuditFilter
    errors: dict[str, str]
    query: dict[str, str]


async def _filters(
    session: AsyncSession, town: Town, *, action: str | None, who: str | None, person: str | None,
    object_type: str | None, object_id: str | None, since: dt.date | None, until: dt.date | None, page: int,
) -> Filters:  # fmt: skip
    errors: dict[str, str] = {}
    # A day outside the tracker's years is a field error (0001-01-01 in +08:00 is before year 1 in UTC).
    for name, day in (("since", since), ("until", until)):
        if day is not None and (problem := day_problem(day)):
            errors[name] = problem
    since = None if "since" in errors else since
    until = None if "until" in errors else until
    if since and until and since > until:
        errors["until"] = _("The end date is before the start date")
    person_id = _digits(person)
    actor_ids: tuple[int, ...] | None = None
    if isinstance(person_id, str):
        errors["person"] = _("Choose a person from the list")
    elif person_id is not None:
        actor_ids = await accounts_of(session, town, person_id)
        if not actor_ids:
            errors["person"] = _("No one of this town with an account has this number")
    kind = (object_type or "").strip()
    if kind and kind not in readable.OBJECT_LABELS:
        errors["object_type"] = _("Choose a kind of object from the list")
    number = _digits(object_id)
    if isinstance(number, str):
        errors["object_id"] = _("A number, such as 12")
    elif number is not None and not kind:
        errors["object_id"] = _("Choose the kind of object too")
    filters = AuditFilter(
        action=action if action in ACTIONS else None,
        actor=(who or "").strip()[:64] or None,
        actor_user_ids=actor_ids if "person" not in errors else None,
        object_type=kind if kind in readable.OBJECT_LABELS else None,
        object_id=str(number) if isinstance(number, int) and "object_id" not in errors else None,
        since=_local_day_start(since, town.timezone),
        until=_local_day_start(until + dt.timedelta(days=1) if until else None, town.timezone),
        page=page,
    )
    query = {
        "action": action or "", "who": who or "", "person": person or "", "object_type": object_type or "",
        "object_id": object_id or "", "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
    }  # fmt: skip
    return Filters(filters, errors, query)


def _csv_filename(town: Town, now: dt.datetime) -> str:
    return f"audit-{town.code}-{now.astimezone(ZoneInfo(town.timezone)):%Y%m%d-%H%M}.csv"


async def _render(session: AsyncSession, town: Town, read: Filters) -> Template:
    result, entries = await readable_page(session, town, read.filters)
    return Template(
        "audit/log.html",
        status_code=400 if read.errors else 200,
        context={
            "town": town,
            "result": result,
            "entries": entries,
            "actions": ACTIONS,
            "object_types": sorted(readable.OBJECT_LABELS, key=readable.object_label),
            "object_label": readable.object_label,
            "people": await people_with_accounts(session, town),
            "errors": read.errors,
            "query": read.query,
        },
    )


class AuditPages(Controller):
    include_in_schema = False
    guards = [require_role(Role.SECRETARY)]

    @get("/towns/{code:str}/audit", name="audit")
    async def show(
        self,
        access_scope: NamedDependency[Scope],
        db_session: NamedDependency[AsyncSession],
        code: FromPath[str],
        action: FromQuery[str | None] = None,
        who: FromQuery[str | None] = None,
        person: FromQuery[str | None] = None,
        object_type: FromQuery[str | None] = None,
        object_id: FromQuery[str | None] = None,
        since: FromQuery[dt.date | None] = None,
        until: FromQuery[dt.date | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        town = await access_scope.managed_town(code, _("Only the town's secretary may change its roster"))
        read = await _filters(
            db_session, town, action=action, who=who, person=person, object_type=object_type,
            object_id=object_id, since=since, until=until, page=page,
        )  # fmt: skip
        return await _render(db_session, town, read)

    @get("/towns/{code:str}/audit/export.csv", name="audit_export")
    async def export(
        self,
        access_scope: NamedDependency[Scope],
        db_session: NamedDependency[AsyncSession],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        action: FromQuery[str | None] = None,
        who: FromQuery[str | None] = None,
        person: FromQuery[str | None] = None,
        object_type: FromQuery[str | None] = None,
        object_id: FromQuery[str | None] = None,
        since: FromQuery[dt.date | None] = None,
        until: FromQuery[dt.date | None] = None,
    ) -> Response[bytes] | Template:
        """The filtered log as CSV (UTF-8 with a BOM, cells safe from formula injection); a filter
        with a problem is answered with the log page and its field messages (400)."""
        town = await access_scope.managed_town(code, _("Only the town's secretary may change its roster"))
        read = await _filters(
            db_session, town, action=action, who=who, person=person, object_type=object_type,
            object_id=object_id, since=since, until=until, page=1,
        )  # fmt: skip
        if read.errors:
            return await _render(db_session, town, read)
        rows = await csv_rows(db_session, town, read.filters, town.timezone)
        body = readable.csv_bytes([str(h) for h in CSV_HEADER], rows)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{_csv_filename(town, now)}"'},
        )
