"""Sending a record back from its task page: POST /records/{id}/send-back with a reason.

Here, in the reminders area, because the author is told (send_back.py queues the notice); the
send-back itself is work's (corrections.py). Answers 303 back to the task; a missing or too long
reason re-renders the task page with the message beside that record's reason field (400), nothing
changed. Officials (for the people below them), the town's secretary and admins; the service decides
the rest (correction_rules.may_send_back).
"""

from __future__ import annotations

import datetime as dt

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from tracker.db.models.accounts import Role
from tracker.domain.errors import InvalidInput
from tracker.domain.reminders.send_back import SendBackService
from tracker.domain.roster.service import RosterService
from tracker.domain.work.corrections import RecordCorrections
from tracker.domain.work.pages import task_context
from tracker.domain.work.service import TaskService
from tracker.web.guards import require_role


class SendBackPages(Controller):
    include_in_schema = False

    @post(
        "/records/{record_id:int}/send-back",
        name="record_send_back",
        guards=[require_role(Role.SECRETARY, Role.OFFICIAL)],
        status_code=303,
    )
    async def send_back(
        self,
        request: HTMXRequest,
        sending_back: NamedDependency[SendBackService],
        corrections: NamedDependency[RecordCorrections],
        tasks: NamedDependency[TaskService],
        roster: NamedDependency[RosterService],
        now: NamedDependency[dt.datetime],
        record_id: FromPath[int],
    ) -> Template | Redirect:
        record, town, _reach = await corrections.load(record_id)
        task_id = record.task_id
        reason = str((await request.form()).get("reason") or "")
        try:
            await sending_back.send_back(record_id, reason, now)
        except InvalidInput as problem:
            if task_id is None:
                raise
            detail = await tasks.detail(task_id, now)
            context = await task_context(
                detail, town, roster, now, **await corrections.task_extras(detail, now),
                send_back_errors={record_id: problem.fields.get("reason", problem.message)},
                send_back_text=reason,
            )  # fmt: skip
            return Template("tasks/task.html", context=context, status_code=400)
        if task_id is None:
            return Redirect(
                f"/towns/{town.code}/people/{record.person_id}?changed=sent_back", status_code=303
            )
        return Redirect(f"/tasks/{task_id}?changed=sent_back", status_code=303)
