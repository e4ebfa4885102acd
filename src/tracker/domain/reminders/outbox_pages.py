"""The town's outbox for its secretary: counts by status, filters in the query string (a GET form;
htmx swaps the table alone), each message with its recipient, channel, masked address, status,
attempts and last error; sending a failed message again (a form that redirects back; htmx swaps
the table with a notice); the people reached in the app only.

The town's secretary and admins (the guard); another town's secretary is told it does not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from tracker.db.models.accounts import Role
from tracker.db.models.reminders import ChannelKind, OutboxStatus
from tracker.db.models.roster import Town
from tracker.domain.errors import Conflict
from tracker.domain.reminders.schemas import OutboxFilter, label_context
from tracker.domain.reminders.service import ReminderService
from tracker.domain.roster.service import RosterService
from tracker.domain.work.page_context import page_context, wants_partial
from tracker.i18n import _
from tracker.web.guards import require_role

MAX_PAGE = 100_000


def read_outbox_filter(
    status: str | None, channel: str | None, person: str | None, page: str | None
) -> tuple[OutboxFilter, dict[str, str]]:
    """The outbox's filters from the query string; a value that means nothing is left out, with a
    message beside its field."""
    errors: dict[str, str] = {}
    chosen_status = chosen_channel = chosen_person = None
    if status:
        try:
            chosen_status = OutboxStatus(status)
        except ValueError:
            errors["status"] = _("Choose a status")
    if channel:
        try:
            chosen_channel = ChannelKind(channel)
        except ValueError:
            errors["channel"] = _("Choose a channel")
    if person:
        if person.isascii() and person.isdecimal() and len(person) <= 18:
            chosen_person = int(person)
        else:
            errors["person"] = _("Choose a person")
    number = int(page) if page and page.isascii() and page.isdecimal() and len(page) <= 6 else 1
    return OutboxFilter(chosen_status, chosen_channel, chosen_person, min(max(number, 1), MAX_PAGE)), errors


def filter_query(filters: OutboxFilter, *, page: int | None = None) -> str:
    pairs = {
        "status": filters.status.value if filters.status else "",
        "channel": filters.channel.value if filters.channel else "",
        "person": filters.person_id or "",
        "page": page if page is not None and page > 1 else "",
    }
    return urlencode({k: v for k, v in pairs.items() if v})


class ResendForm(BaseModel):
    """Where to come back to: the outbox's filters when the button was pressed."""

    status: str = Field(default="", max_length=20)
    channel: str = Field(default="", max_length=20)
    person: str = Field(default="", max_length=20)
    page: str = Field(default="", max_length=10)


class OutboxPages(Controller):
    path = "/towns/{code:str}/outbox"
    include_in_schema = False
    guards = [require_role(Role.SECRETARY)]  # noqa: RUF012

    async def _outbox_context(
        self, town: Town, reminders: ReminderService, filters: OutboxFilter, **extra: Any
    ) -> dict[str, Any]:
        result = await reminders.outbox(
            town, filters.status, filters.channel, filters.person_id, filters.page
        )
        context = page_context(
            town,
            **label_context(),
            result=result,
            filters=filters,
            page_query=lambda number: filter_query(filters, page=number),
            status_query=lambda status: filter_query(replace(filters, status=status)),
            errors={},
            notice=None,
            notice_is_error=False,
        )
        context.update(extra)
        return context

    @get("/", name="outbox")
    async def outbox(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        reminders: NamedDependency[ReminderService],
        code: FromPath[str],
        status: FromQuery[str | None] = None,
        channel: FromQuery[str | None] = None,
        person: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
    ) -> Template:
        town = await roster.get_town(code)
        filters, errors = read_outbox_filter(status, channel, person, page)
        context = await self._outbox_context(town, reminders, filters, errors=errors)
        code_status = 400 if errors else 200
        if wants_partial(request):
            return Template("reminders/_outbox_table.html", context=context, status_code=code_status)
        context.update(
            people=await roster.list_people(town), no_channel=await reminders.people_without_channel(town)
        )
        return Template("reminders/outbox.html", context=context, status_code=code_status)

    @post("/{message_id:int}/resend", name="outbox_resend", status_code=303)
    async def resend(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        reminders: NamedDependency[ReminderService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        message_id: FromPath[int],
        data: URLEncodedBody[ResendForm],
    ) -> Template | Redirect:
        """Without JS: back to the outbox as it was. With htmx: the table again, with a notice."""
        town = await roster.get_town(code)
        filters, _errors = read_outbox_filter(data.status, data.channel, data.person, data.page)
        try:
            await reminders.resend(town, message_id, now)
        except Conflict as refused:
            context = await self._outbox_context(
                town, reminders, filters, errors={}, notice=refused.message, notice_is_error=True
            )
            if wants_partial(request):
                return Template(
                    "reminders/_outbox_table.html", context=context, status_code=refused.status_code
                )
            context.update(people=await roster.list_people(town),
                           no_channel=await reminders.people_without_channel(town))  # fmt: skip
            return Template("reminders/outbox.html", context=context, status_code=refused.status_code)
        if wants_partial(request):
            context = await self._outbox_context(town, reminders, filters, errors={},
                                                 notice=_("Queued to be sent again."))  # fmt: skip
            return Template("reminders/_outbox_table.html", context=context, status_code=200)
        query = filter_query(filters, page=filters.page)
        return Redirect(f"/towns/{town.code}/outbox{'?' + query if query else ''}", status_code=303)
