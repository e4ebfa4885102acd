"""The town's photo settings page (GET/POST /towns/{code}/settings/photos): one check box, "stamp
photos with time and place", for the town's secretary and admins (the guard; the service checks the
town). Saving redirects back with a note; htmx swaps the form alone."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role
from tracker.domain.access import Actor
from tracker.domain.roster.service import RosterService
from tracker.domain.scope import Scope
from tracker.domain.work.page_context import page_context, wants_partial
from tracker.domain.work.photo_stamp import PhotoStampService
from tracker.web.guards import require_role


async def provide_photo_stamp_service(
    db_session: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor | None],
    access_scope: NamedDependency[Scope],
) -> PhotoStampService:
    return PhotoStampService(db_session, actor, access_scope)


class PhotoSettingsPages(Controller):
    path = "/towns/{code:str}/settings/photos"
    include_in_schema = False
    guards = [require_role(Role.SECRETARY)]
    dependencies = {"photo_stamp": Provide(provide_photo_stamp_service)}

    @get("/", name="photo_settings")
    async def show(
        self,
        roster: NamedDependency[RosterService],
        photo_stamp: NamedDependency[PhotoStampService],
        code: FromPath[str],
        saved: FromQuery[str | None] = None,
    ) -> Template:
        town = await roster.get_town(code)
        on = await photo_stamp.setting(town)
        return Template(
            "tasks/photo_settings.html", context=page_context(town, stamp_photos=on, saved=bool(saved))
        )

    @post("/", name="photo_settings_save", status_code=303)
    async def save(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        photo_stamp: NamedDependency[PhotoStampService],
        code: FromPath[str],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        town = await roster.get_town(code)
        on = await photo_stamp.set(town, bool(data.get("stamp_photos")))
        if wants_partial(request):
            context = page_context(town, stamp_photos=on, saved=True)
            return Template("tasks/_photo_settings_form.html", context=context, status_code=200)
        return Redirect(f"/towns/{town.code}/settings/photos?saved=1", status_code=303)
