"""Request bodies bounded before anything reads them, and refused before anything parses them.

The outermost middleware (first in create_app's list), because Litestar's CSRF middleware reads a
form body, multipart included, to find the token, before any guard runs. For each HTTP request:
- the limit: `default_limit` (1 MB), or, for a route whose handler declares a larger
  `request_max_body_size` (the record uploads), `upload_limit` (create_app sizes it from the
  settings), never more than the route itself declares;
- a `Content-Length` over the limit: 413 at once, nothing read;
- a state-changing request to a private route that carries no credentials at all (no session
  cookie; on /api/, no bearer token either): refused as it would be once read, nothing read: with
  no CSRF cookie as the CSRF check refuses it (403), else as the login guard does (a page: 303 to
  the sign-in page; the API: 401);
- while the body streams in (a chunked body announces no length): the first read of the body,
  which comes after the auth middleware has looked the credentials up, refuses a private route
  that nobody signed in asked for (an ended session, an unknown token), so the CSRF middleware
  never parses a stranger's form; and every chunk is counted: past the limit, 413 and no more read.
The refusals go through the application's one exception handler (web/errors.py): a page, an htmx
fragment or JSON, with the message under the field "body".

A body cut off mid-stream may be in the middle of Litestar's multipart parser, which closes the files
it has opened only on a parser error and then answers 400 (in the CSRF middleware, outside this one's
reach, or in the handler, inside the route's own exception handler). So the cut is raised as a
parser error (`BodyCutOff`) and whatever the app then raises or answers is replaced by the 413.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar.datastructures import Headers
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState
from multipart import ParserError  # type: ignore[import-untyped]  # Litestar's multipart parser

from tracker import i18n
from tracker.domain.errors import DomainError
from tracker.i18n import _
from tracker.web.auth import SESSION_COOKIE, bearer_token
from tracker.web.cookies import HOST_PREFIX
from tracker.web.errors import CSRF_FAILURE
from tracker.web.locale import choose_locale, cookie_value
from tracker.web.security import CSRF_COOKIE

MB = 1024 * 1024
DEFAULT_BODY_LIMIT = MB
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# The session and CSRF cookies under their plain names and, behind HTTPS, their `__Host-` ones
# (web/cookies.py renames them further in); the CSRF cookie is web/security.py's.
SESSION_COOKIE_NAMES = (SESSION_COOKIE, f"{HOST_PREFIX}{SESSION_COOKIE}")
CSRF_COOKIE_NAMES = (CSRF_COOKIE, f"{HOST_PREFIX}{CSRF_COOKIE}")


class RequestTooLarge(DomainError):
    status_code = 413


class BodyCutOff(RequestTooLarge, ParserError):
    """Raised from `receive` past the limit: a parser error to the multipart parser (it closes its files)."""


def _megabytes(limit: int) -> str:
    return format(round(limit / MB, 1), "g")


def too_large(limit: int) -> RequestTooLarge:
    message = _("The request is too large: at most %(size)s MB", size=_megabytes(limit))
    return RequestTooLarge(message, fields={"body": message})


def route_limit(handler: object, default_limit: int, upload_limit: int) -> int:
    """The body limit of the route `handler` serves (see the module's docstring)."""
    declared = getattr(handler, "request_max_body_size", None)
    if isinstance(declared, int) and declared > default_limit:
        return min(declared, upload_limit)
    return default_limit


def declared_length(headers: Headers) -> int | None:
    """The announced Content-Length; None when absent or unreadable (the server refuses the latter)."""
    value = headers.get("content-length")
    if value is None or not value.isdecimal():
        return None
    return int(value)


def is_public(handler: object) -> bool:
    opt = getattr(handler, "opt", None) or {}
    return bool(opt.get("public"))


def _has_cookie(headers: Headers, names: tuple[str, ...]) -> bool:
    cookies = headers.get("cookie", "")
    return any(cookie_value(cookies, name) for name in names)


def carries_credentials(scope: Scope, headers: Headers) -> bool:
    """A session cookie, or on the JSON API a bearer token: the only ways anyone signs in."""
    if _has_cookie(headers, SESSION_COOKIE_NAMES):
        return True
    return scope["path"].startswith("/api/") and bearer_token(headers) is not None


def stranger_refusal(headers: Headers) -> Exception:
    """What a state-changing request to a private route with no credentials gets, unread."""
    if not _has_cookie(headers, CSRF_COOKIE_NAMES):
        return PermissionDeniedException(CSRF_FAILURE)
    return NotAuthorizedException(_("Please sign in"))


def make_body_limit_middleware(
    *, upload_limit: int, default_locale: str, default_limit: int = DEFAULT_BODY_LIMIT
) -> Callable[[ASGIApp], ASGIApp]:
    def body_limit_middleware(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            headers = Headers.from_scope(scope)
            handler = scope.get("route_handler")
            limit = route_limit(handler, default_limit, upload_limit)
            public = is_public(handler)
            length = declared_length(headers)
            if length is not None and length > limit:
                i18n.set_locale(choose_locale(headers, default_locale))
                raise too_large(limit)
            if scope["method"] not in SAFE_METHODS and not public and not carries_credentials(scope, headers):
                i18n.set_locale(choose_locale(headers, default_locale))
                raise stranger_refusal(headers)
            received = 0
            first = True
            cut = False

            async def limited_receive() -> Message:
                nonlocal received, first, cut
                if first:
                    first = False
                    if not public and "user" in scope and scope["user"] is None:
                        raise NotAuthorizedException(_("Please sign in"))
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        cut = True
                        raise BodyCutOff(
                            _("The request is too large: at most %(size)s MB", size=_megabytes(limit))
                        )
                return message

            async def send_unless_cut(message: Message) -> None:
                if not cut:  # once cut, the answer is the 413 raised below
                    await send(message)

            try:
                await app(scope, limited_receive, send_unless_cut)
            except Exception:
                if not cut:
                    raise
            if cut:
                ScopeState.from_scope(scope).response_started = False  # what the app answered was never sent
                raise too_large(limit)

        return middleware

    return body_limit_middleware
