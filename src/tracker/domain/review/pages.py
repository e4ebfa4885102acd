"""The yearly review of a town: its page (figures, charts, scorecards with filters, printable), the
downloads (DOCX draft, XLSX tables) and the score weights form.

Access: the review is for those who read the town's board: its secretary, its officials, the
county viewers of the town and admins (the guard refuses members; another town's secretary is
told the town does not exist); the service narrows further. The weights: the town's secretary
and admins. The year comes from ?year= (the town's current year without it); anything but a
year from 2000 to 2100 is a 400 with a message.

Every number of a scorecard links to what it counts: the person's name to their year (records
and scorecard), each count to the list of exactly the tasks (or sessions) it counts
(person_work_pages.py); the tier and unit summaries and the figures to the supervision board
filtered by tier, unit or kind of work and the year.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

import anyio
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from tracker.db.models.accounts import Role
from tracker.db.models.roster import Town
from tracker.domain.access import Actor, can_manage_town
from tracker.domain.board.rules import TIER_GROUP_LABELS
from tracker.domain.clock import FIRST_YEAR
from tracker.domain.errors import InvalidInput
from tracker.domain.inputs import year_from_query
from tracker.domain.review import charts, documents
from tracker.domain.review.rules import DEFAULT_WEIGHTS, MEASURES, WEIGHT_LABELS, WEIGHT_NOTES
from tracker.domain.review.schemas import ChartFacts, ReviewData, Scorecard
from tracker.domain.review.service import ReviewService
from tracker.domain.roster.service import RosterService
from tracker.domain.work.locks import YearFinalised
from tracker.domain.work.page_context import page_context, today_in, wants_partial
from tracker.exports import docx, xlsx
from tracker.i18n import _
from tracker.web.guards import require_role

READERS = require_role(Role.SECRETARY, Role.OFFICIAL, Role.VIEWER)
MANAGERS = require_role(Role.SECRETARY)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_year(text: str | None, town: Town, now: dt.datetime) -> int:
    """?year= as a year the tracker reasons about; the town's current year when absent."""
    this_year = today_in(town, now).year
    return year_from_query(text, this_year) or this_year


def attachment(filename: str, fallback: str) -> str:
    """A Content-Disposition for a download: an ASCII name for old clients, the real one (RFC 5987)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(content: bytes, media_type: str, filename: str, fallback: str) -> Response[bytes]:
    headers = {"Content-Disposition": attachment(filename, fallback)}
    return Response(content=content, media_type=media_type, headers=headers, status_code=200)


# -- what the page shows -------------------------------------------------------------------------


def filter_cards(data: ReviewData, tier: str | None, unit: str | None) -> tuple[Scorecard, ...]:
    """The scorecards of one tier and/or one unit (by the unit summary's key); unknown values filter nothing."""
    units = {group.key: group.label for group in data.by_unit}
    cards = data.scorecards
    if tier in {group.key for group in data.by_tier}:
        cards = tuple(card for card in cards if card.tier == tier)
    if unit is not None and unit in units:
        cards = tuple(card for card in cards if card.unit == (units[unit] if unit else ""))
    return cards


def task_links(code: str, year: int) -> Any:
    """url(person_id, measure) -> the page listing what that number of the person's card counts."""

    def url(person_id: int, measure: str = "due") -> str:
        return f"/towns/{code}/people/{person_id}/work?{urlencode({'year': year, 'measure': measure})}"

    return url


def board_link(code: str, year: int, **filters: str) -> str:
    return f"/towns/{code}/board?{urlencode({**filters, 'year': year})}"


def chart_svgs(data: ReviewData, facts: ChartFacts) -> dict[str, str]:
    """The three charts: visits and lights from the year's records and tasks as the actor may read them
    (the review itself carries no months), coverage from the scorecards."""
    tier_labels = {tier.value: str(label) for tier, label in TIER_GROUP_LABELS.items()}
    return {
        "visits": charts.visits_chart(facts.visits, tier_labels),
        "coverage": charts.coverage_chart(data.scorecards),
        "lights": charts.lights_chart(facts.task_states),
    }


def weights_text(weights: dict[str, int]) -> str:
    return ", ".join(f"{WEIGHT_LABELS[m]} {weights.get(m, 0)}%" for m in MEASURES)


class ReviewPages(Controller):
    path = "/towns/{code:str}/review"
    include_in_schema = False

    @get("/", name="review", guards=[READERS])
    async def review(
        self,
        request: HTMXRequest,
        actor: NamedDependency[Actor],
        roster: NamedDependency[RosterService],
        review: NamedDependency[ReviewService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        year: FromQuery[str | None] = None,
        tier: FromQuery[str | None] = None,
        unit: FromQuery[str | None] = None,
    ) -> Template:
        town = await roster.get_town(code)
        chosen = read_year(year, town, now)
        data = await review.review(town, chosen, now)
        context = page_context(
            town,
            data=data,
            year=chosen,
            cards=filter_cards(data, tier, unit),
            tier=tier or "",
            unit=unit if unit is not None else "",
            task_url=task_links(town.code, chosen),
            board_url=lambda **filters: board_link(town.code, chosen, **filters),
            manages=can_manage_town(actor, town.id),
        )
        if wants_partial(request):
            return Template("review/_scorecards.html", context=context)
        this_year = today_in(town, now).year
        context.update(
            charts={} if data.empty else chart_svgs(data, await review.chart_facts(town, chosen, now)),
            years=list(range(this_year, max(FIRST_YEAR, this_year - 5) - 1, -1)),
            unit_ids={unit.code: unit.id for unit in await roster.list_units(town)},
            weights_text=weights_text(data.weights or DEFAULT_WEIGHTS),
        )
        return Template("review/review.html", context=context)

    @get("/export.docx", name="review_export_docx", guards=[READERS])
    async def export_docx(
        self,
        roster: NamedDependency[RosterService],
        review: NamedDependency[ReviewService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        year: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        town = await roster.get_town(code)
        chosen = read_year(year, town, now)
        data = await review.review(town, chosen, now)
        report = documents.report_of(data, town_name=town.name)
        content = await anyio.to_thread.run_sync(docx.write_report, report)
        name = _("%(year)s %(town)s yearly review", year=chosen, town=town.name)
        return download(content, DOCX, f"{name}.docx", f"review-{town.code}-{chosen}.docx")

    @get("/export.xlsx", name="review_export_xlsx", guards=[READERS])
    async def export_xlsx(
        self,
        roster: NamedDependency[RosterService],
        review: NamedDependency[ReviewService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        year: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        town = await roster.get_town(code)
        chosen = read_year(year, town, now)
        data = await review.review(town, chosen, now)
        content = await anyio.to_thread.run_sync(xlsx.write_tables, documents.tables_of(data))
        name = _("%(year)s %(town)s review tables", year=chosen, town=town.name)
        return download(content, XLSX, f"{name}.xlsx", f"review-{town.code}-{chosen}.xlsx")

    # -- the score weights -------------------------------------------------------------------------

    @get("/weights", name="review_weights", guards=[MANAGERS])
    async def weights(
        self,
        roster: NamedDependency[RosterService],
        review: NamedDependency[ReviewService],
        code: FromPath[str],
        saved: FromQuery[str | None] = None,
    ) -> Template:
        town = await roster.get_town(code)
        current = await review.weights(town)
        form = {measure: str(current.get(measure, DEFAULT_WEIGHTS[measure])) for measure in MEASURES}
        return Template("review/weights.html", context=_weights_context(town, form, {}, saved=bool(saved)))

    @post("/weights", name="review_weights_save", guards=[MANAGERS], status_code=303)
    async def save_weights(
        self,
        roster: NamedDependency[RosterService],
        review: NamedDependency[ReviewService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        town = await roster.get_town(code)
        raw = {measure: str(data.get(measure, "")) for measure in MEASURES}
        try:
            await review.set_weights(town, raw, now)
        except InvalidInput as problem:
            context = _weights_context(town, raw, problem.fields or {"total": problem.message}, saved=False)
            return Template("review/weights.html", context=context, status_code=problem.status_code)
        return Redirect(f"/towns/{town.code}/review/weights?saved=1", status_code=303)

    # -- the study-app registrations -----------------------------------------------------------------

    @get("/study-app", name="review_study_app", guards=[MANAGERS])
    async def study_app(
        self,
        roster: NamedDependency[RosterService],
        review: NamedDependency[ReviewService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        year: FromQuery[str | None] = None,
        saved: FromQuery[str | None] = None,
    ) -> Template:
        town = await roster.get_town(code)
        chosen = read_year(year, town, now)
        row = await review.study_app(town, chosen)
        form = {"registrations": str(row.registrations) if row else "",
                "population": str(row.population) if row and row.population else ""}  # fmt: skip
        context = _study_app_context(town, chosen, form, {}, saved=bool(saved))
        return Template("review/study_app.html", context=context)

    @post("/study-app", name="review_study_app_save", guards=[MANAGERS], status_code=303)
    async def save_study_app(
        self,
        roster: NamedDependency[RosterService],
        review: NamedDependency[ReviewService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
        year: FromQuery[str | None] = None,
    ) -> Template | Redirect:
        town = await roster.get_town(code)
        chosen = read_year(year, town, now)
        raw = {name: str(data.get(name, "")) for name in ("registrations", "population")}
        try:
            await review.set_study_app(town, chosen, raw, now)
        except (InvalidInput, YearFinalised) as problem:
            errors = problem.fields or {"form": problem.message}
            context = _study_app_context(town, chosen, raw, errors, saved=False)
            return Template("review/study_app.html", context=context, status_code=problem.status_code)
        return Redirect(f"/towns/{town.code}/review/study-app?year={chosen}&saved=1", status_code=303)


def _study_app_context(
    town: Town, year: int, form: dict[str, str], errors: dict[str, str], *, saved: bool
) -> dict[str, Any]:
    return page_context(town, year=year, form=form, errors=errors, saved=saved, town_population=town.population)


def _weights_context(
    town: Town, form: dict[str, str], errors: dict[str, str], *, saved: bool
) -> dict[str, Any]:
    measures = [
        {
            "key": m,
            "label": str(WEIGHT_LABELS[m]),
            "note": str(WEIGHT_NOTES[m]),
            "default": DEFAULT_WEIGHTS[m],
        }
        for m in MEASURES
    ]
    return page_context(town, form=form, errors=errors, saved=saved, measures=measures)


__all__ = ["ReviewPages"]
