"""The yearly review in the JSON API: a town's review of a year (the stored snapshot once finalised),
finalising a year, and amendment notes on a finalised year's records.

- GET  /api/v1/towns/{code}/review/{year}: ReviewData as JSON (`ReviewData.to_json()`), for those who
  read the town's review (its secretary, officials, the county viewers of the town, admins).
- POST /api/v1/towns/{code}/review/{year}/finalise: the town's secretary or an admin; 400 for a year
  that is not over, 409 when it is finalised already.
- PUT  /api/v1/towns/{code}/review/{year}/study-app {"registrations": n, "population": n | null}: the
  study-app registrations of the year (the town's secretary or an admin); 400 with field messages,
  409 for a finalised year.
- POST /api/v1/towns/{code}/records/{record_id}/amendments {"note": ...}: the person whose record it
  is or the town's secretary; 409 when the record's year is not finalised.
Changing a finalised year's tasks or records through the work API answers 409 (work/locks.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException, ValidationException
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, ConfigDict, Field

from tracker.db.models.accounts import Role
from tracker.domain.review.finalise import FinaliseService
from tracker.domain.review.rules import MAX_PEOPLE
from tracker.domain.review.service import ReviewService
from tracker.domain.roster.service import RosterService
from tracker.domain.text import Text
from tracker.web.api_params import READ_ERRORS, WRITE_ERRORS
from tracker.web.guards import require_not_viewer, require_role


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text = Field(min_length=1, max_length=2000)


class AmendmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    record_id: int
    note: str
    created_at: dt.datetime
    created_by_user_id: int | None


class FinalisedYearOut(BaseModel):
    town_code: str
    year: int
    finalised_at: dt.datetime
    finalised_by_user_id: int | None
    review_url: str


class StudyAppIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    registrations: int = Field(ge=0, le=MAX_PEOPLE)
    population: int | None = Field(default=None, ge=1, le=MAX_PEOPLE)  # None: the town's population


class StudyAppOut(BaseModel):
    town_code: str
    year: int
    registrations: int
    population: int | None


class ReviewApi(Controller):
    path = "/api/v1/towns/{code:str}"
    tags = ("review",)

    @get("/review/{year:int}", guards=[require_role(Role.SECRETARY, Role.OFFICIAL, Role.VIEWER)],
         raises=[*READ_ERRORS, PermissionDeniedException, ValidationException],
         summary="A town's review of a year: figures, scorecards, the report's material (the snapshot once finalised)")  # fmt: skip
    async def review(
        self, finalising: NamedDependency[FinaliseService], now: NamedDependency[dt.datetime],
        code: FromPath[str], year: FromPath[int],
    ) -> dict[str, Any]:  # fmt: skip
        return (await finalising.review(code, year, now)).to_json()

    @post("/review/{year:int}/finalise", guards=[require_role(Role.SECRETARY)], status_code=200,
          raises=WRITE_ERRORS, summary="Finalise a year that is over: freeze its review, lock its tasks and records")  # fmt: skip
    async def finalise(
        self, finalising: NamedDependency[FinaliseService], now: NamedDependency[dt.datetime],
        code: FromPath[str], year: FromPath[int],
    ) -> FinalisedYearOut:  # fmt: skip
        town, done = await finalising.finalise(code, year, now)
        return FinalisedYearOut(
            town_code=town.code, year=done.year, finalised_at=done.finalised_at,
            finalised_by_user_id=done.finalised_by_user_id, review_url=f"/api/v1/towns/{town.code}/review/{done.year}",
        )  # fmt: skip

    @put("/review/{year:int}/study-app", guards=[require_role(Role.SECRETARY)], raises=WRITE_ERRORS,
         summary="Enter the year's study-app (Xuexi Qiangguo) registrations and the population they count against")  # fmt: skip
    async def set_study_app(
        self, roster: NamedDependency[RosterService], review: NamedDependency[ReviewService],
        now: NamedDependency[dt.datetime], code: FromPath[str], year: FromPath[int], data: JSONBody[StudyAppIn],
    ) -> StudyAppOut:  # fmt: skip
        town = await roster.get_town(code)
        raw = {"registrations": str(data.registrations), "population": "" if data.population is None else str(data.population)}
        row = await review.set_study_app(town, year, raw, now)
        return StudyAppOut(town_code=town.code, year=row.year, registrations=row.registrations, population=row.population)

    @post("/records/{record_id:int}/amendments", guards=[require_not_viewer], status_code=201,
          raises=WRITE_ERRORS, summary="Add an amendment note to a record of a finalised year")  # fmt: skip
    async def amend(
        self, finalising: NamedDependency[FinaliseService], now: NamedDependency[dt.datetime],
        code: FromPath[str], record_id: FromPath[int], data: JSONBody[NoteIn],
    ) -> AmendmentOut:  # fmt: skip
        return AmendmentOut.model_validate(await finalising.amend(code, record_id, data.note, now))
