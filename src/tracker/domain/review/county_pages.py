"""The county comparison: each town the actor reads, its headline figures side by side, sortable by
any column with plain links (?sort=&dir=, no JavaScript), each town linking to its review; and the
same table as XLSX.

For those who read several towns: county viewers and admins (the guard refuses everyone else with
403). The towns are those the actor reads (ReviewService.county). Completion is tasks done / tasks
due (to date) and the on-time rate tasks done on time / tasks due, summed over the town's
scorecards; a town with nothing due shows "—" and sorts last. The default year is the current
one in China Standard Time (towns of one county share a zone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import anyio
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from tracker.db.models.accounts import Role
from tracker.db.models.roster import Town
from tracker.domain.clock import local_date
from tracker.domain.inputs import year_from_query
from tracker.domain.review.schemas import ReviewData
from tracker.domain.review.service import ReviewService
from tracker.domain.work.page_context import page_context
from tracker.exports import INTEGER, PERCENT, TEXT, Table, xlsx
from tracker.i18n import _
from tracker.web.guards import require_role

COUNTY_ZONE = "Asia/Shanghai"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ("town", "lectures", "visits", "coverage", "completion", "on_time", "study", "meetings")
FORMATS = (TEXT, INTEGER, INTEGER, PERCENT, PERCENT, PERCENT, INTEGER, INTEGER)


@dataclass(frozen=True)
class TownRow:
    code: str
    town: str
    lectures: int
    visits: int
    coverage: float | None
    completion: float | None
    on_time: float | None
    study: int
    meetings: int

    def cells(self) -> list[str | int | float | None]:
        return [getattr(self, column) for column in COLUMNS]


def headers() -> list[str]:
    return [
        _("Town"), _("Lectures"), _("Visits"), _("Visit coverage"), _("Completion"), _("On-time rate"),
        _("Collective study sessions"), _("Committee meetings"),
    ]  # fmt: skip


def town_row(town: Town, data: ReviewData) -> TownRow:
    f = data.figures
    groups = data.scorecards or data.by_tier
    due = sum(g.due for g in groups)
    return TownRow(
        code=town.code,
        town=town.name,
        lectures=f.lectures_total,
        visits=f.visits_total,
        coverage=f.coverage,
        completion=sum(g.done for g in groups) / due if due else None,
        on_time=sum(g.on_time for g in groups) / due if due else None,
        study=f.study_sessions,
        meetings=len(f.committee_meetings),
    )


def sort_rows(rows: Sequence[TownRow], sort: str, descending: bool) -> list[TownRow]:
    """By one column (unknown: the town's name), ties by town code; empty values ("—") always last."""
    column = sort if sort in COLUMNS else "town"
    present = sorted((r for r in rows if getattr(r, column) is not None), key=lambda r: r.code)
    present.sort(key=lambda r: getattr(r, column), reverse=descending)
    return present + sorted((r for r in rows if getattr(r, column) is None), key=lambda r: r.code)


def year_of(text: str | None, now: dt.datetime) -> int:
    """?year= as a year from 2000 to 2100 (else a 400 with a message); this year without it."""
    this_year = local_date(now, COUNTY_ZONE).year
    return year_from_query(text, this_year) or this_year


async def _rows(
    review: ReviewService, year: int, now: dt.datetime, sort: str, descending: bool
) -> list[TownRow]:
    return sort_rows(
        [town_row(town, data) for town, data in await review.county(year, now)], sort, descending
    )


class CountyPages(Controller):
    path = "/county/review"
    include_in_schema = False
    guards = [require_role(Role.VIEWER)]  # noqa: RUF012  (as Litestar declares it)

    @get("/", name="county_review")
    async def county(
        self,
        review: NamedDependency[ReviewService],
        now: NamedDependency[dt.datetime],
        year: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
        dir: FromQuery[str | None] = None,
    ) -> Template:
        chosen = year_of(year, now)
        column = sort if sort in COLUMNS else "town"
        descending = dir == "desc"
        rows = await _rows(review, chosen, now, column, descending)
        this_year = local_date(now, COUNTY_ZONE).year
        context = page_context(
            None,
            rows=rows,
            year=chosen,
            sort=column,
            descending=descending,
            columns=list(zip(COLUMNS, headers(), strict=True)),
            years=list(range(this_year, this_year - 6, -1)),
        )
        return Template("review/county.html", context=context)

    @get("/export.xlsx", name="county_review_export")
    async def export(
        self,
        review: NamedDependency[ReviewService],
        now: NamedDependency[dt.datetime],
        year: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        chosen = year_of(year, now)
        rows = await _rows(review, chosen, now, "town", False)
        table = Table(
            name=_("County comparison %(year)s", year=chosen),
            headers=headers(),
            rows=[row.cells() for row in rows],
            number_formats=FORMATS,
        )
        content = await anyio.to_thread.run_sync(xlsx.write_tables, [table])
        name = _("%(year)s county comparison of the yearly reviews", year=chosen)
        disposition = f"attachment; filename=\"county-review-{chosen}.xlsx\"; filename*=UTF-8''{quote(name + '.xlsx', safe='')}"
        return Response(content=content, media_type=XLSX, headers={"Content-Disposition": disposition})


__all__ = ["CountyPages"]
