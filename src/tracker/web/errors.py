"""One place maps errors to answers: JSON under /api, an htmx fragment or a page elsewhere.

Signed-out visitors of a page are sent to the sign-in page; a user who must change their first
password is sent to that form; refused access by a signed-in user is handed to `record_refusal`
(create_app passes the audit log's), after the answer is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from tracker.domain.errors import (
    DomainError,
    MfaEnrolmentRequired,
    NotAllowed,
    OutOfReach,
    PasswordChangeRequired,
)
from tracker.i18n import _
from tracker.web.auth import ReadOnlyToken
from tracker.web.security import CSRF_FAILURE

RecordRefusal = Callable[[Any, dict[str, Any]], Awaitable[None]]
"""`record_refusal(actor, details)`: note that the signed-in `actor` was refused; `details` has the
request's method, path and route ("METHOD /path/{template}"), the status answered and the reason
("NotAllowed", "csrf", "role", "read_only_token" …)."""
ExceptionHandler = Callable[[Request, Any], Response]


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept)


def _answer(
    request: Request,
    status: int,
    message: str,
    fields: dict[str, str] | None = None,
    background: BackgroundTask | None = None,
) -> Response:
    if wants_json(request):
        body: dict[str, object] = {"status_code": status, "detail": message}
        if fields:
            body["fields"] = fields
        return Response(body, status_code=status, media_type=MediaType.JSON, background=background)
    template = "errors/_error.html" if request.headers.get("hx-request") else "errors/error.html"
    return Template(
        template,
        context={"status": status, "message": message, "fields": fields or {}},
        status_code=status,
        background=background,
    )


def _redirect(request: Request, target: str) -> Response:
    """A full-page redirect, also for htmx (which would otherwise swap the target page into a fragment)."""
    if request.headers.get("hx-request"):
        return Response(None, status_code=200, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


def _generic_message(status: int) -> str:
    if status == 404:
        return _("Not found")
    if status == 401:
        return _("Please sign in")
    if status == 403:
        return _("You may not do this")
    if status == 405:
        return _("Method not allowed")
    if status == 429:
        return _("Too many requests; please wait and try again")
    return _("The request could not be processed")


def _field_messages(exc: HTTPException) -> dict[str, str]:
    """One message per field; a body that is missing, undecodable or of the wrong shape goes under "body"."""
    if not isinstance(exc, ValidationException):
        # Litestar answers a body it cannot decode (malformed JSON) with a plain 400.
        return {"body": _("The request body is missing or not in the expected form")} if exc.status_code == 400 else {}
    fields: dict[str, str] = {}
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or "")
        if key and not (key == "data" and item.get("source") == "body"):
            fields[key] = str(item.get("message", ""))
        else:  # no key: the body as a whole is wrong (not an object); key "data": no body at all
            fields["body"] = _("The request body is missing or not in the expected form")
    return fields


def internal_error_handler(request: Request, exc: Exception) -> Response:
    # Litestar's LoggingConfig(log_exceptions="always") has logged it with its traceback already.
    return _answer(request, HTTP_500_INTERNAL_SERVER_ERROR, _("Something went wrong on our side; please try again"))


def make_exception_handlers(record_refusal: RecordRefusal) -> Mapping[Any, ExceptionHandler]:
    """The application's exception handlers, with refusals of signed-in users sent to `record_refusal`."""

    def refusal_task(request: Request, status: int, reason: str) -> BackgroundTask | None:
        actor = request.scope.get("user")
        if actor is None:
            return None
        route = f"{request.method} {request.scope.get('path_template') or request.url.path}"
        details = {
            "method": request.method, "path": request.url.path, "route": route, "status": status, "reason": reason,
        }
        return BackgroundTask(record_refusal, actor, details)

    def domain_error_handler(request: Request, exc: DomainError) -> Response:
        if isinstance(exc, PasswordChangeRequired | MfaEnrolmentRequired) and not wants_json(request):
            return _redirect(request, exc.page)
        background = None
        if isinstance(exc, NotAllowed | OutOfReach):
            background = refusal_task(request, exc.status_code, type(exc).__name__)
        return _answer(request, exc.status_code, exc.message, exc.fields, background)

    def http_exception_handler(request: Request, exc: HTTPException) -> Response:
        status = exc.status_code
        if isinstance(exc, NotAuthorizedException) and not wants_json(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return _redirect(request, f"/login?next={quote(target, safe='/')}" if request.method == "GET" else "/login")
        fields = _field_messages(exc)
        background = None
        if isinstance(exc, PermissionDeniedException) and exc.detail == CSRF_FAILURE:
            message = _("This form has expired. Reload the page and try again.")
            background = refusal_task(request, status, "csrf")
        elif isinstance(exc, ReadOnlyToken):
            message = exc.detail
            background = refusal_task(request, status, "read_only_token")
        elif isinstance(exc, PermissionDeniedException):
            message = exc.detail or _generic_message(status)
            background = refusal_task(request, status, "role")
        elif isinstance(exc, ValidationException):
            message = _("Some fields are not valid")
        elif isinstance(exc, NotAuthorizedException) and exc.detail:
            message = exc.detail
        else:
            message = _generic_message(status)
        if isinstance(exc, NotFoundException):
            message = _generic_message(status)
        return _answer(request, status, message, fields, background)

    return {
        DomainError: domain_error_handler,
        HTTPException: http_exception_handler,
        HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
    }
