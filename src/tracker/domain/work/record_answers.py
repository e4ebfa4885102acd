"""The record routes' JSON answers, for the phone's queue of records sent later (static/js/record-queue-core.js).

The record form's routes (`POST /tasks/{id}/records`, `POST /towns/{code}/records`) answer a page or an
htmx fragment; a request that asks for JSON (`Accept: application/json` without `text/html`, the same
test the error handler applies: web.errors.wants_json) gets JSON instead, so the queue can read the
server's messages without parsing HTML (a service worker has no DOMParser). What the handlers raise
(not yours 403, not found 404, signed out 401, an expired form 403, a finalised year 409) is already
JSON through the app's exception handler in the same shape: `{"status_code", "detail", "fields"}`.
"""

from __future__ import annotations

from litestar import MediaType, Response

from tracker.domain.work.record_form import RecordForm
from tracker.domain.work.schemas import RecordResult
from tracker.i18n import _


def record_saved(result: RecordResult, redirect: str) -> Response:
    """201 with the new record's id, or 200 when its client key was seen (the first result, unchanged)."""
    body = {"record_id": result.record.id, "created": result.created, "redirect": redirect}
    return Response(body, status_code=201 if result.created else 200, media_type=MediaType.JSON)


def record_refused(sent: RecordForm) -> Response:
    """400 with the message on top and each field's message, keyed by the field's name (the kind's
    fields without their form prefix; `task_id` when the task is no longer open; `location`, `photos` ...)."""
    detail = sent.message or _("Please correct the fields marked below")
    body = {"status_code": 400, "detail": detail, "fields": dict(sent.errors)}
    return Response(body, status_code=400, media_type=MediaType.JSON)
