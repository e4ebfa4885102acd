"""The reminder pages beside the outbox (outbox_pages.py): the town's reminder policy, a form
that redirects (htmx swaps the form alone), with the saved policy said in plain words; and a
person's received reminders, a partial the person page loads with htmx and a page of its own
without JS.

The policy: the town's secretary and admins (the guard; another town's secretary is told it does
not exist by the scope). A person's reminders: see ReminderService.received.
"""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from tracker.db.models.accounts import Role
from tracker.domain.errors import InvalidInput
from tracker.domain.reminders.schemas import PolicyForm, PolicyIn, form_of, label_context
from tracker.domain.reminders.service import ReminderService
from tracker.domain.roster.service import RosterService
from tracker.domain.work.page_context import page_context, wants_partial
from tracker.web.guards import require_role


class ReminderPages(Controller):
    path = "/towns/{code:str}"
    include_in_schema = False

    # -- the policy ------------------------------------------------------------------------------

    @get("/reminders/policy", name="reminder_policy", guards=[require_role(Role.SECRETARY)])
    async def policy(
        self,
        roster: NamedDependency[RosterService],
        reminders: NamedDependency[ReminderService],
        code: FromPath[str],
        saved: FromQuery[str | None] = None,
    ) -> Template:
        town = await roster.get_town(code)
        view = await reminders.policy(town)
        context = page_context(town, view=view, form=view.as_form(), errors={}, saved=bool(saved))
        return Template("reminders/policy.html", context=context)

    @post(
        "/reminders/policy",
        name="reminder_policy_save",
        guards=[require_role(Role.SECRETARY)],
        status_code=303,
    )
    async def save_policy(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        reminders: NamedDependency[ReminderService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        data: URLEncodedBody[PolicyForm],
    ) -> Template | Redirect:
        town = await roster.get_town(code)
        try:
            view = await reminders.update_policy(town, PolicyIn.from_form(data), now)
        except InvalidInput as problem:
            view = await reminders.policy(town)
            context = page_context(town, view=view, form=form_of(data), errors=problem.fields, saved=False)
            template = "reminders/_policy_form.html" if wants_partial(request) else "reminders/policy.html"
            return Template(template, context=context, status_code=problem.status_code)
        if wants_partial(request):
            context = page_context(town, view=view, form=view.as_form(), errors={}, saved=True)
            return Template("reminders/_policy_form.html", context=context, status_code=200)
        return Redirect(f"/towns/{town.code}/reminders/policy?saved=1", status_code=303)

    # -- a person's reminders --------------------------------------------------------------------

    @get("/people/{person_id:int}/reminders", name="person_reminders")
    async def person_reminders(
        self,
        request: HTMXRequest,
        roster: NamedDependency[RosterService],
        reminders: NamedDependency[ReminderService],
        code: FromPath[str],
        person_id: FromPath[int],
    ) -> Template:
        town = await roster.get_town(code)
        received = await reminders.received(town, person_id)
        context = page_context(town, **label_context(), received=received, person_id=person_id)
        if wants_partial(request):
            return Template("reminders/_person_reminders.html", context=context)
        context["person"] = await roster.get_person(town, person_id)
        return Template("reminders/person_reminders.html", context=context)
