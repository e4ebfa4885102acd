"""The roster file in the pages: upload, see the dry run, confirm; the template and the export.

For the town's secretary (and admins, any town): GET /towns/{code}/roster/import is the upload form;
POST to it (multipart, a .xlsx or .csv of at most 2 MB) answers the dry run on the same page: every
problem with its row, column and reason (400, nothing kept), or every change the file would make and
a confirm button (the file is kept server-side, see importing/staging.py). POST .../import/{id}/confirm
imports it in one transaction, or refuses (409, nothing written) when the file or the roster changed
since the preview. htmx swaps the result section alone; without JavaScript the forms post the page.
GET .../roster/template.xlsx and .../roster/export.xlsx download the template and the current roster.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import anyio
from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from tracker.db.models.accounts import Role
from tracker.db.models.roster import Town
from tracker.domain.clock import local_date
from tracker.domain.errors import Conflict, InvalidInput
from tracker.domain.roster.importing.export import workbook_of
from tracker.domain.roster.importing.report import COLUMN_OF, Action, ImportReport, record_label, skipped_line
from tracker.domain.roster.importing.staging import MAX_ROSTER_FILE, Preview, RosterUploads
from tracker.domain.roster.importing.workbook import (
    COLUMN_HEADERS,
    PLACE_KIND_VALUES,
    ROLE_VALUES,
    TIER_VALUES,
    UNIT_KIND_VALUES,
    XLSX_MEDIA_TYPE,
)
from tracker.domain.roster.service import RosterService
from tracker.i18n import _
from tracker.web.guards import require_role

MANAGERS = require_role(Role.SECRETARY)
UPLOAD_BODY_LIMIT = MAX_ROSTER_FILE + 256 * 1024  # the file and the form around it
ENUM_VALUES: dict[object, str] = {**UNIT_KIND_VALUES, **PLACE_KIND_VALUES, **TIER_VALUES, **ROLE_VALUES}


def shown_value(value: object) -> str:
    """A changed attribute's value as the file writes it (enums in Chinese, as in the template)."""
    if value is None or value == "":
        return "—"
    if value in ENUM_VALUES:
        return ENUM_VALUES[value]
    return str(value)


def column_name(attribute: str) -> str:
    column = COLUMN_OF.get(attribute, attribute)
    return COLUMN_HEADERS.get(column, column)


def attachment(filename: str, fallback: str) -> dict[str, str]:
    """A download's Content-Disposition: an ASCII name for old clients, the real one (RFC 5987)."""
    return {
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    }


def page(town: Town, request: HTMXRequest, status: int = 200, **extra: Any) -> Template:
    context = {
        "town": town,
        "preview": None,
        "report": None,
        "error": "",
        "max_mb": MAX_ROSTER_FILE // (1024 * 1024),
        "Action": Action,
        "record_label": record_label,
        "shown_value": shown_value,
        "column_name": column_name,
        "skipped_line": skipped_line,
        **extra,
    }
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    name = "roster/_import_result.html" if partial else "roster/import.html"
    return Template(name, context=context, status_code=status)


class RosterImportPages(Controller):
    path = "/towns/{code:str}/roster"
    include_in_schema = False

    @get("/import", name="roster_import", guards=[MANAGERS])
    async def form(
        self, request: HTMXRequest, roster: NamedDependency[RosterService], code: FromPath[str]
    ) -> Template:
        town = await roster.get_town(code)
        roster.require_manage(town)
        return page(town, request)

    @post("/import", name="roster_import_preview", guards=[MANAGERS], request_max_body_size=UPLOAD_BODY_LIMIT)
    async def preview(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        roster_uploads: NamedDependency[RosterUploads],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
    ) -> Template:
        town = await roster.get_town(code)
        roster.require_manage(town)
        chosen = (await request.form()).get("file")
        filename, content = "", b""
        if isinstance(chosen, UploadFile) and chosen.filename:
            filename, content = chosen.filename, await chosen.read()
        try:
            result: Preview = await roster_uploads.preview(town, filename, content, now)
        except InvalidInput as problem:
            return page(town, request, 400, error=problem.fields.get("file", problem.message))
        return page(town, request, 400 if result.problems else 200, preview=result)

    @post("/import/{upload_id:int}/confirm", name="roster_import_confirm", guards=[MANAGERS], status_code=200)
    async def confirm(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        roster_uploads: NamedDependency[RosterUploads],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        upload_id: FromPath[int],
    ) -> Template:
        town = await roster.get_town(code)
        roster.require_manage(town)
        sha256 = str((await request.form()).get("sha256") or "")
        try:
            report: ImportReport = await roster_uploads.confirm(town, upload_id, sha256, now)
        except Conflict as refused:
            return page(town, request, 409, error=refused.message)
        except InvalidInput as problem:  # the roster's own rules, should they refuse it now
            return page(town, request, 400, error=problem.fields.get("file", problem.message))
        return page(town, request, report=report)

    @get("/template.xlsx", name="roster_template", guards=[MANAGERS])
    async def template(
        self,
        roster: NamedDependency[RosterService],
        roster_uploads: NamedDependency[RosterUploads],
        code: FromPath[str],
    ) -> Response[bytes]:
        town = await roster.get_town(code)
        roster.require_manage(town)
        content = await anyio.to_thread.run_sync(workbook_of, roster_uploads.template_sheet(town))
        name = _("%(town)s roster template", town=town.name) + ".xlsx"
        return Response(
            content, media_type=XLSX_MEDIA_TYPE, headers=attachment(name, f"{town.code}-roster-template.xlsx")
        )

    @get("/export.xlsx", name="roster_export", guards=[MANAGERS])
    async def export(
        self,
        roster: NamedDependency[RosterService],
        roster_uploads: NamedDependency[RosterUploads],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
    ) -> Response[bytes]:
        town = await roster.get_town(code)
        roster.require_manage(town)
        sheet = await roster_uploads.export_sheet(town, now)
        content = await anyio.to_thread.run_sync(workbook_of, sheet)
        day = local_date(now, town.timezone).isoformat()
        name = _("%(town)s roster %(date)s", town=town.name, date=day) + ".xlsx"
        return Response(
            content, media_type=XLSX_MEDIA_TYPE, headers=attachment(name, f"{town.code}-roster-{day}.xlsx")
        )
