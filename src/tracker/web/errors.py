"""One place maps errors to answers: JSON under /api, an htmx fragment or a page elsewhere."""

from __future__ import annotations

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.exceptions import ValidationException
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from tracker.domain.errors import DomainError
from tracker.i18n import _

def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or (
        "application/json" in request.headers.get("accept", "") and "text/html" not in request.headers.get("accept", "")
    )


def _answer(request: Request, status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    if wants_json(request):
        body: dict[str, object] = {"status_code": status, "detail": message}
        if fields:
            body["fields"] = fields
        return Response(body, status_code=status, media_type=MediaType.JSON)
    template = "errors/_error.html" if request.headers.get("hx-request") else "errors/error.html"
    return Template(
        template,
        context={"status": status, "message": message, "fields": fields or {}},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    return _answer(request, exc.status_code, exc.message, exc.fields)


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


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    fields = _field_messages(exc)
    message = exc.detail if isinstance(exc, ValidationException | NotAuthorizedException | PermissionDeniedException) else ""
    if isinstance(exc, NotFoundException) or not message:
        message = _generic_message(status)
    return _answer(request, status, message, fields)


def internal_error_handler(request: Request, exc: Exception) -> Response:
    # Litestar's LoggingConfig(log_exceptions="always") has logged it with its traceback already.
    return _answer(request, HTTP_500_INTERNAL_SERVER_ERROR, _("Something went wrong on our side; please try again"))


exception_handlers = {
    DomainError: domain_error_handler,
    HTTPException: http_exception_handler,
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
}
