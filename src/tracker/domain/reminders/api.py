"""The outbox in the JSON API: the town's messages, newest first, paged, with the tasks each is
about and the counts by status; for the town's secretary and admins."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException, ValidationException
from litestar.params import FromPath, FromQuery, QueryParameter

from tracker.db.models.accounts import Role
from tracker.db.models.reminders import ChannelKind, OutboxStatus
from tracker.domain.inputs import MAX_ID
from tracker.domain.reminders.schemas import OutboxPageOut, outbox_page_out
from tracker.domain.reminders.service import ReminderService
from tracker.domain.roster.service import RosterService
from tracker.web.api_params import READ_ERRORS
from tracker.web.guards import require_role

Page = Annotated[int, QueryParameter(ge=1, le=100_000, description="the page, 1 first (newest messages)")]
PersonId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="only this person's messages")]


class ReminderApi(Controller):
    path = "/api/v1"
    tags = ["reminders"]  # noqa: RUF012

    @get("/towns/{code:str}/outbox", guards=[require_role(Role.SECRETARY)],
         raises=[*READ_ERRORS, PermissionDeniedException, ValidationException],
         summary="The town's outbox: messages newest first, 50 a page, with their tasks and counts by status")  # fmt: skip
    async def outbox(
        self,
        roster: NamedDependency[RosterService],
        reminders: NamedDependency[ReminderService],
        code: FromPath[str],
        status: FromQuery[OutboxStatus | None] = None,
        channel: FromQuery[ChannelKind | None] = None,
        person_id: PersonId = None,
        page: Page = 1,
    ) -> OutboxPageOut:
        town = await roster.get_town(code)
        return outbox_page_out(await reminders.outbox(town, status, channel, person_id, page))
