"""The list behind one number of a scorecard: GET /towns/{code}/people/{person_id}/work?year=&measure=.

The scorecards on the review page and the person's year link every count here: the tasks it counts
(each opening its task page), or the town's study sessions and meetings with whether the person
attended. Access is the person's year's: whoever reads the person (the service checks the reach; a
person out of reach is a 404). A year that means nothing or an unknown measure is a 400 with the
message on the page.
"""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from tracker.domain.inputs import year_from_query
from tracker.domain.review.person_work import MEASURE_LABELS, WORK_MEASURES
from tracker.domain.review.service import ReviewService
from tracker.domain.roster.service import RosterService
from tracker.domain.work.page_context import page_context, today_in


class PersonWorkPages(Controller):
    include_in_schema = False

    @get("/towns/{code:str}/people/{person_id:int}/work", name="person_work")
    async def person_work(
        self,
        roster: NamedDependency[RosterService],
        review: NamedDependency[ReviewService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        person_id: FromPath[int],
        year: FromQuery[str | None] = None,
        measure: FromQuery[str] = "due",
    ) -> Template:
        town = await roster.get_town(code)
        this_year = today_in(town, now).year
        chosen = year_from_query(year, this_year) or this_year
        work = await review.person_work(town, person_id, chosen, measure, now)
        measures = [(key, str(MEASURE_LABELS[key])) for key in WORK_MEASURES]
        context = page_context(town, w=work, label=str(MEASURE_LABELS[work.measure]), measures=measures)
        return Template("review/person_work.html", context=context)


__all__ = ["PersonWorkPages"]
