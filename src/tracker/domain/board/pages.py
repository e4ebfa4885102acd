"""督办台, the secretary's board: people (by tier and unit) x months or quarters, each cell lit by
its tasks; filters as a GET form (htmx swaps the board alone); a cell opens its tasks and records;
each person's totals and completion rate at the end of their row; below, the overdue tasks (latest
due first) and the records logged far from their place, each paged to its end (?overdue_page=,
?far_page=); the board as filtered as an XLSX workbook (/export.xlsx, written in a worker thread).

The secretary sees the whole town; an official the people below them; a county viewer reads the
town's board (the service narrows the rows). Members have no board (403 by the guard).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

import anyio
from litestar import Controller, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from tracker.db.models.accounts import Role
from tracker.db.models.roster import Tier, Town
from tracker.db.models.tasks import WorkKind
from tracker.domain.access import Actor, can_manage_town
from tracker.domain.board.rules import CADENCES, page_of
from tracker.domain.board.schemas import Board, BoardFilter
from tracker.domain.board.service import BoardService
from tracker.domain.board.tables import board_tables
from tracker.domain.clock import FIRST_YEAR, LAST_YEAR
from tracker.domain.errors import NotFound
from tracker.domain.planning.service import AssignmentService
from tracker.domain.roster.service import RosterService
from tracker.domain.work.display import show_field
from tracker.domain.work.page_context import page_context, today_in, wants_partial
from tracker.exports import xlsx
from tracker.i18n import _
from tracker.web.guards import require_role

PAGE_SIZE = 30  # overdue tasks and flagged records shown a page at a time under the board
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _year(text: str | None) -> int | None:
    year = _number(text)
    return year if year is not None and FIRST_YEAR <= year <= LAST_YEAR else None


def read_filters(
    tier: FromQuery[str | None] = None,
    unit: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
    assignment: FromQuery[str | None] = None,
    year: FromQuery[str | None] = None,
    cadence: FromQuery[str | None] = None,
) -> BoardFilter:
    """The board's filters from the query string; a value that means nothing is ignored.

    The `filters` dependency of both pages (the board and a cell keep the same filters)."""
    return BoardFilter(
        tier=tier if tier in {t.value for t in Tier} else None,
        unit_id=_number(unit),
        kind=WorkKind(kind) if kind in {k.value for k in WorkKind} else None,
        assignment_id=_number(assignment),
        year=_year(year),
        cadence=cadence if cadence in CADENCES else "month",
    )


def filter_query(filters: BoardFilter) -> str:
    """The filters as a query string, to keep them on cell links."""
    pairs = {
        "tier": filters.tier or "",
        "unit": filters.unit_id or "",
        "kind": filters.kind.value if filters.kind else "",
        "assignment": filters.assignment_id or "",
        "year": filters.year or "",
        "cadence": filters.cadence,
    }
    return urlencode({k: v for k, v in pairs.items() if v})


async def _options(
    town: Town, roster: RosterService, assignments: AssignmentService, today: dt.date
) -> dict[str, Any]:
    return {
        "tiers": list(Tier),
        "units": await roster.list_units(town),
        "kinds": list(WorkKind),
        "assignment_list": await assignments.list(town),
        "years": [today.year, today.year - 1],
    }


def page_link(query: str, **pages: int) -> str:
    """The board's address with its filters and the pages of its two lists (page 1 left out)."""
    extra = urlencode({name: number for name, number in pages.items() if number > 1})
    joined = "&".join(part for part in (query, extra) if part)
    return f"?{joined}" if joined else "?"


def _find_cell(board: Board, person_id: int, column: int) -> tuple[Any, Any]:
    for group in board.groups:
        for row in group.rows:
            if row.person.id == person_id and 0 <= column < len(row.cells):
                return row, row.cells[column]
    raise NotFound(_("Not found"))


class BoardPages(Controller):
    path = "/towns/{code:str}/board"
    include_in_schema = False
    guards = [require_role(Role.SECRETARY, Role.OFFICIAL, Role.VIEWER)]
    dependencies = {"filters": Provide(read_filters, sync_to_thread=False)}

    @get("/", name="board")
    async def board(
        self,
        request: HTMXRequest,
        actor: NamedDependency[Actor],
        roster: NamedDependency[RosterService],
        boards: NamedDependency[BoardService],
        assignments: NamedDependency[AssignmentService],
        now: NamedDependency[dt.datetime],
        filters: NamedDependency[BoardFilter],
        code: FromPath[str],
        overdue_page: FromQuery[str | None] = None,
        far_page: FromQuery[str | None] = None,
    ) -> Template:
        town = await roster.get_town(code)
        board = await boards.board(town, filters, now)
        context = page_context(
            town,
            board=board,
            filters=filters,
            query=filter_query(filters),
            manages=can_manage_town(actor, town.id),
            overdue_page=page_of(board.overdue, _number(overdue_page), PAGE_SIZE),
            far_page=page_of(board.flagged, _number(far_page), PAGE_SIZE),
            page_link=page_link,
        )
        if wants_partial(request):
            return Template("tasks/_board.html", context=context)
        context.update(await _options(town, roster, assignments, today_in(town, now)))
        return Template("tasks/board.html", context=context)

    @get("/cell", name="board_cell")
    async def cell(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        boards: NamedDependency[BoardService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        filters: NamedDependency[BoardFilter],
        person: FromQuery[int],
        column: FromQuery[int],
    ) -> Template:
        town = await roster.get_town(code)
        board = await boards.board(town, filters, now, person_id=person)  # the person's row only
        row, cell = _find_cell(board, person, column)
        cell_tasks, records = await boards.cell_work(town, cell.task_ids, now)
        people = await roster.list_people(town)
        context = page_context(
            town,
            row=row,
            cell=cell,
            column_label=board.columns[column],
            cell_tasks=cell_tasks,
            escalated_to=board.escalated_to,
            records=records,
            people_names={p.id: p.name for p in people},
            place_names={p.id: p.name for p in await roster.list_places(town)},
            show_field=show_field,
            query=filter_query(filters),
        )
        template = "tasks/_board_cell.html" if wants_partial(request) else "tasks/board_cell.html"
        return Template(template, context=context)

    @get("/export.xlsx", name="board_export")
    async def export(
        self,
        roster: NamedDependency[RosterService],
        boards: NamedDependency[BoardService],
        now: NamedDependency[dt.datetime],
        filters: NamedDependency[BoardFilter],
        code: FromPath[str],
    ) -> Response[bytes]:
        """The board as filtered: the board with everyone's totals, every overdue task, every record far
        from its place; the workbook written off the event loop."""
        town = await roster.get_town(code)
        board = await boards.board(town, filters, now)
        tables = board_tables(board, today_in(town, now), town.timezone)
        content = await anyio.to_thread.run_sync(xlsx.write_tables, tables)
        name = _("%(year)s %(town)s supervision board", year=board.year, town=town.name)
        disposition = (f"attachment; filename=\"board-{town.code}-{board.year}.xlsx\"; "
                       f"filename*=UTF-8''{quote(name + '.xlsx', safe='')}")  # fmt: skip
        return Response(content=content, media_type=XLSX, headers={"Content-Disposition": disposition}, status_code=200)
