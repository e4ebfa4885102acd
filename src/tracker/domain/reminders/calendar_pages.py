"""The calendar feed's pages: my calendar address (settings), and the public address itself.

GET  /settings/calendar          the page: how to subscribe; the address in full once, right after it
                                 was made, afterwards only its first characters; make / replace, revoke
POST /settings/calendar          make a new address (replacing the old one): 303 back to the page
POST /settings/calendar/revoke   forget the address: 303 back
GET  /calendar/{token}.ics       PUBLIC: the ICS of the owner's open tasks; 404 without detail for
                                 anything else (the token's shape is checked before the database)

The new token rides from the POST to the page it redirects to in a short-lived cookie (HttpOnly,
SameSite=Strict, this page's path only, two minutes), which the page deletes as it shows the
address, and shows only while it is still the address in force: nothing keeps it in clear. htmx
posts the same forms and follows the redirect; the page answers an htmx request with its card alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.config import Settings
from tracker.domain.access import Actor
from tracker.domain.reminders import calendar
from tracker.domain.reminders.calendar_feed import CalendarFeedService, FeedStatus, no_person_message
from tracker.domain.scope import Scope
from tracker.i18n import _
from tracker.web.guards import PUBLIC

PAGE = "/settings/calendar"
NEW_TOKEN_COOKIE = "tracker_calendar_new"  # the token just made, on its way to the page (see above)
NEW_TOKEN_SECONDS = 120
FEED_CACHE = "private, max-age=300"
ICS_TYPE = "text/calendar"  # Litestar adds "; charset=utf-8"
CHANGES = ("made", "revoked")


async def provide_calendar_feeds(
    db_session: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor | None],
    access_scope: NamedDependency[Scope],
) -> CalendarFeedService:
    return CalendarFeedService(db_session, actor, access_scope)


def _context(status: FeedStatus, settings: Settings, changed: str | None) -> dict[str, Any]:
    token = status.new_token
    return {
        "feed": status,
        "address": calendar.feed_url(settings.base_url, token) if token else None,
        "webcal_address": calendar.webcal_url(settings.base_url, token) if token else None,
        "no_person": no_person_message(),
        "changed": changed if changed in CHANGES else None,
    }


def _not_found() -> Response[str]:
    return Response(_("Not found"), status_code=404, media_type="text/plain")


class CalendarPages(Controller):
    include_in_schema = False
    dependencies = {"calendar_feeds": Provide(provide_calendar_feeds)}  # noqa: RUF012 (Litestar's attribute)

    @get(PAGE, name="calendar_settings")
    async def show(
        self,
        request: HTMXRequest,
        calendar_feeds: NamedDependency[CalendarFeedService],
        settings: NamedDependency[Settings],
        changed: FromQuery[str | None] = None,
    ) -> Template:
        fresh = request.cookies.get(NEW_TOKEN_COOKIE)
        status = await calendar_feeds.status(fresh_token=fresh)
        partial = bool(request.htmx) and not request.htmx.history_restore_request
        template = "reminders/_calendar.html" if partial else "reminders/calendar.html"
        response = Template(template, context=_context(status, settings, changed))
        if fresh is not None:
            response.delete_cookie(NEW_TOKEN_COOKIE, path=PAGE)
        return response

    @post(PAGE, name="calendar_create", status_code=303)
    async def create(
        self,
        request: Request,
        calendar_feeds: NamedDependency[CalendarFeedService],
        settings: NamedDependency[Settings],
        now: NamedDependency[dt.datetime],
    ) -> Redirect:
        token = await calendar_feeds.create_or_replace(now)
        response = Redirect(f"{PAGE}?changed=made", status_code=303)
        response.set_cookie(
            NEW_TOKEN_COOKIE, token, max_age=NEW_TOKEN_SECONDS, path=PAGE, httponly=True, samesite="strict",
            secure=request.url.scheme == "https" or settings.https,
        )  # fmt: skip
        return response

    @post(f"{PAGE}/revoke", name="calendar_revoke", status_code=303)
    async def revoke(self, calendar_feeds: NamedDependency[CalendarFeedService]) -> Redirect:
        await calendar_feeds.revoke()
        return Redirect(f"{PAGE}?changed=revoked", status_code=303)

    @get("/calendar/{file_name:str}", name="calendar_feed", opt=PUBLIC)
    async def feed(
        self,
        calendar_feeds: NamedDependency[CalendarFeedService],
        settings: NamedDependency[Settings],
        now: NamedDependency[dt.datetime],
        file_name: FromPath[str],
    ) -> Response[Any]:
        """The subscribed calendar: `<token>.ics`. Nothing but 404 for a token that is not in force."""
        token = calendar.token_from_file_name(file_name)
        body = await calendar_feeds.feed(token, now, base_url=settings.base_url) if token else None
        if body is None:
            return _not_found()
        return Response(
            body, media_type=ICS_TYPE,
            headers={"cache-control": FEED_CACHE, "content-disposition": 'inline; filename="tasks.ics"'},
        )  # fmt: skip
