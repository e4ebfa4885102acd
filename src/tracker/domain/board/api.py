"""The board in the JSON API: people by tier and unit x months or quarters, for the secretary,
officials (their own people) and viewers."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import (
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import FromPath, FromQuery

from tracker.db.models.accounts import Role
from tracker.domain.board.rules import BoardCadence
from tracker.domain.board.schemas import BoardFilter, BoardOut, board_out
from tracker.domain.board.service import BoardService
from tracker.domain.clock import local_date
from tracker.domain.roster.service import RosterService
from tracker.web.api_params import READ_ERRORS, Year
from tracker.web.guards import require_role


class BoardApi(Controller):
    path = "/api/v1"
    tags = ["tasks"]

    @get("/towns/{code:str}/board", guards=[require_role(Role.SECRETARY, Role.OFFICIAL, Role.VIEWER)],
         raises=[*READ_ERRORS, PermissionDeniedException, ValidationException],
         summary="The board: people by tier and unit x months or quarters, overdue tasks, far records")  # fmt: skip
    async def board(
        self, roster: NamedDependency[RosterService], boards: NamedDependency[BoardService],
        now: NamedDependency[dt.datetime], code: FromPath[str],
        year: Year = None, cadence: FromQuery[BoardCadence] = "month", tier: FromQuery[str | None] = None,
        unit_id: FromQuery[int | None] = None, kind: FromQuery[str | None] = None,
        assignment_id: FromQuery[int | None] = None,
    ) -> BoardOut:  # fmt: skip
        town = await roster.get_town(code)
        filters = BoardFilter(tier=tier, unit_id=unit_id, kind=kind, assignment_id=assignment_id,  # type: ignore[arg-type]
                              year=year, cadence=cadence)  # fmt: skip
        board = await boards.board(town, filters, now)
        return board_out(board, year or local_date(now, town.timezone).year, cadence)
