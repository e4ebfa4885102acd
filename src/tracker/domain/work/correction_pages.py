"""The author's correction of a record, the day it was filed: the form (the kind's fields and the day,
as filed), saving it, and withdrawing the record (a ticked confirmation: no script needed).

GET/POST /records/{id}/correct and POST /records/{id}/withdraw answer 303 back to the record's task
(or to 我的任务 for unplanned work); a problem re-renders the form with each message beside its field
(400) and changes nothing. Who and when: correction_rules.py, checked by the service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from tracker.db.models.roster import Town
from tracker.db.models.tasks import Record
from tracker.domain.errors import InvalidInput, NotAllowed
from tracker.domain.roster.service import RosterService
from tracker.domain.work.correction_rules import RecordFacts, may_correct
from tracker.domain.work.corrections import RecordCorrections
from tracker.domain.work.kinds import FieldType
from tracker.domain.work.page_context import page_context, today_in
from tracker.domain.work.record_form import RecordForm, new_client_key, read_record_form, service_problems
from tracker.i18n import _
from tracker.web.guards import require_not_viewer


def filled_form(record: Record, today: dt.date) -> RecordForm:
    """The form as the record was filed."""
    values: dict[str, Any] = {}
    for name, value in (record.fields or {}).items():
        values[name] = [str(v) for v in value] if isinstance(value, list) else value
    return RecordForm(
        kind=record.kind, client_key=new_client_key(), occurred_on=record.occurred_on.isoformat(),
        max_date=today.isoformat(), place_id="" if record.place_id is None else str(record.place_id), values=values,
    )  # fmt: skip


def back_to(record: Record) -> str:
    return f"/tasks/{record.task_id}" if record.task_id is not None else "/my"


class RecordCorrectionPages(Controller):
    include_in_schema = False
    guards = [require_not_viewer]

    async def _page(
        self, corrections: RecordCorrections, roster: RosterService, record_id: int, now: dt.datetime,
        form: RecordForm | None = None, withdraw_error: str = "", status_code: int = 200,
    ) -> Template:  # fmt: skip
        record, town, reach = await corrections.load(record_id)
        if not may_correct(
            RecordFacts(record.person_id, record.created_at), corrections.facts(reach), now, town.timezone
        ):
            if corrections.actor is not None and corrections.actor.person_id == record.person_id:
                raise NotAllowed(_("A record can be corrected or withdrawn only on the day it was filed"))
            raise NotAllowed(_("Only the person whose work it is may correct or withdraw a record"))
        return Template("tasks/record_correct.html", context=await self._context(
            town, roster, record, form or filled_form(record, today_in(town, now)), withdraw_error,
        ), status_code=status_code)  # fmt: skip

    @staticmethod
    async def _context(
        town: Town, roster: RosterService, record: Record, form: RecordForm, withdraw_error: str
    ) -> dict[str, Any]:
        people = [p for p in await roster.list_people(town) if p.active]
        return page_context(
            town, record=record, form=form, people=people, withdraw_error=withdraw_error, back=back_to(record),
            person_ids=any(s.type is FieldType.PERSON_IDS for s in form.specs),
        )  # fmt: skip

    @get("/records/{record_id:int}/correct", name="record_correct")
    async def show(
        self,
        corrections: NamedDependency[RecordCorrections],
        roster: NamedDependency[RosterService],
        now: NamedDependency[dt.datetime],
        record_id: FromPath[int],
    ) -> Template:
        return await self._page(corrections, roster, record_id, now)

    @post("/records/{record_id:int}/correct", name="record_correct_save", status_code=303)
    async def save(
        self,
        request: HTMXRequest,
        corrections: NamedDependency[RecordCorrections],
        roster: NamedDependency[RosterService],
        now: NamedDependency[dt.datetime],
        record_id: FromPath[int],
    ) -> Template | Redirect:
        record, town, _reach = await corrections.load(record_id)
        sent, data = read_record_form(await request.form(), record.kind, today_in(town, now))
        if data is not None:
            try:
                corrected = await corrections.correct(record_id, data, now)
            except InvalidInput as problem:
                sent.refused(problem.message, service_problems(problem.fields))
            else:
                return Redirect(f"{back_to(corrected)}?changed=corrected", status_code=303)
        return await self._page(corrections, roster, record_id, now, form=sent, status_code=400)

    @post("/records/{record_id:int}/withdraw", name="record_withdraw", status_code=303)
    async def withdraw(
        self,
        request: HTMXRequest,
        corrections: NamedDependency[RecordCorrections],
        roster: NamedDependency[RosterService],
        now: NamedDependency[dt.datetime],
        record_id: FromPath[int],
    ) -> Template | Redirect:
        record, _town, _reach = await corrections.load(record_id)
        where = back_to(record)
        if (await request.form()).get("confirm") != "yes":
            message = _("Tick the box to confirm that the record is to be withdrawn")
            return await self._page(
                corrections, roster, record_id, now, withdraw_error=message, status_code=400
            )
        await corrections.withdraw(record_id, now)
        return Redirect(f"{where}?changed=withdrawn", status_code=303)
