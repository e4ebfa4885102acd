"""我的任务: the signed-in person's work on the phone: overdue, due this week, later, done recently."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from tracker.domain.access import Actor
from tracker.domain.scope import Scope
from tracker.domain.work.page_context import page_context
from tracker.domain.work.service import TaskService


class MyWorkPages(Controller):
    include_in_schema = False

    @get("/my", name="my_work")
    async def my_work(
        self,
        actor: NamedDependency[Actor],
        tasks: NamedDependency[TaskService],
        access_scope: NamedDependency[Scope],
        now: NamedDependency[dt.datetime],
        recorded: FromQuery[int] = 0,
    ) -> Template:
        town = await access_scope.home_town()
        # An account with no person in the roster (an administrator, a county viewer) has no work of its own.
        work = await tasks.my_work(now) if actor.person_id is not None else None
        return Template("tasks/my_work.html", context=page_context(town, work=work, recorded=bool(recorded)))
