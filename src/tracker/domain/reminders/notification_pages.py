"""The bell and my notifications: the in-app reminders of the signed-in person.

GET /notifications lists them, newest first, 20 a page; `?show=ID` shows one opened, with its text
and links to its tasks. Opening is a POST (/notifications/{id}/read): it marks the message read and
sends back to the list with it open, or, to htmx, answers the opened notification alone (and tells
the bell to count again). POST /notifications/read-all marks every one read.

GET /notifications/bell is the top bar's bell (htmx polls it): a public route that answers an
empty bell to a visitor whose session has ended, so that polling never moves the page to the
sign-in form under someone typing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from tracker.domain.access import Actor
from tracker.domain.inputs import whole_number
from tracker.domain.reminders.notifications import MAX_PAGE, NotificationService
from tracker.domain.reminders.schemas import CHANNEL_LABELS, REASON_LABELS
from tracker.domain.scope import Scope
from tracker.domain.work.display import due_on
from tracker.domain.work.page_context import wants_partial
from tracker.web.guards import PUBLIC

READ_EVENT = "notifications-read"  # the bell listens for it (templates/reminders/_bell.html)
BELL_CAP = 99  # more unread than this shows as "99+"


def _page(text: str | None) -> int:
    number = whole_number(text or "", MAX_PAGE)
    return number if number is not None and number >= 1 else 1


async def _zone(scope: Scope) -> str:
    town = await scope.home_town()
    return town.timezone if town is not None else "Asia/Shanghai"


def _context(zone: str, **extra: Any) -> dict[str, Any]:
    return {
        "zone": zone,
        "reason_labels": REASON_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "due_on": lambda due_at: due_on(due_at, zone),
        **extra,
    }


class NotificationPages(Controller):
    path = "/notifications"
    include_in_schema = False

    @get("/", name="notifications")
    async def index(
        self,
        actor: NamedDependency[Actor],
        access_scope: NamedDependency[Scope],
        notifications: NamedDependency[NotificationService],
        page: FromQuery[str | None] = None,
        show: FromQuery[str | None] = None,
    ) -> Template:
        listing = await notifications.list(_page(page))
        opened_id = whole_number(show or "")
        opened = None
        if opened_id is not None and any(m.id == opened_id for m in listing.messages):
            opened = await notifications.get(opened_id)
        context = _context(
            await _zone(access_scope), listing=listing, opened=opened, has_person=bool(actor.person_id)
        )
        return Template("reminders/notifications.html", context=context)

    @post("/{message_id:int}/read", name="notification_read", status_code=303)
    async def read(
        self,
        request: HTMXRequest,
        access_scope: NamedDependency[Scope],
        notifications: NamedDependency[NotificationService],
        now: NamedDependency[dt.datetime],
        message_id: FromPath[int],
        page: FromQuery[str | None] = None,
    ) -> Template | Redirect:
        opened = await notifications.open(message_id, now)
        if wants_partial(request):
            context = _context(await _zone(access_scope), n=opened, page=_page(page))
            return Template("reminders/notification.html", context=context, status_code=200,
                            headers={"HX-Trigger": READ_EVENT})  # fmt: skip
        return Redirect(
            f"/notifications?page={_page(page)}&show={message_id}#n-{message_id}", status_code=303
        )

    @post("/read-all", name="notifications_read_all", status_code=303)
    async def read_all(
        self, notifications: NamedDependency[NotificationService], now: NamedDependency[dt.datetime]
    ) -> Redirect:
        await notifications.mark_all_read(now)
        return Redirect("/notifications", status_code=303)

    @get("/bell", name="notification_bell", opt=PUBLIC)
    async def bell(
        self, actor: NamedDependency[Actor | None], notifications: NamedDependency[NotificationService]
    ) -> Response:
        unread = await notifications.unread_count() if actor is not None else 0
        shown = f"{BELL_CAP}+" if unread > BELL_CAP else str(unread)
        return Template("reminders/_bell.html", context={"unread": unread, "shown": shown},
                        headers={"Cache-Control": "no-store"})  # fmt: skip
