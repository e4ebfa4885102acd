"""我的任务: the signed-in person's work on the phone: overdue, due this week, later, done recently."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from tracker.domain.access import Actor
from tracker.domain.scope import Scope
from tracker.domain.work.corrections import RecordCorrections
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
        corrections: NamedDependency[RecordCorrections],
        recorded: FromQuery[int] = 0,
    ) -> Template:
        town = await access_scope.home_town()
        # An account with no person in the roster (an administrator, a county viewer) has no work of its own.
        work = await tasks.my_work(now) if actor.person_id is not None else None
        # Open tasks whose record was sent back, each with the latest reason (corrections.py), listed first.
        returned = await corrections.sent_back_open(actor.person_id) if work is not None and actor.person_id else {}
        sent_back = [
            (view, returned[view.task.id])
            for view in (*work.overdue, *work.due_this_week, *work.later)
            if view.task.id in returned
        ] if work is not None else []  # fmt: skip
        context = page_context(town, work=work, recorded=bool(recorded), sent_back=sent_back)
        return Template("tasks/my_work.html", context=context)
