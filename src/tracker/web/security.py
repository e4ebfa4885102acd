"""CSRF for pages and cookie-authenticated API calls; security headers on every answer."""

from __future__ import annotations

from collections.abc import Callable

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tracker.web.auth import bearer_token

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)
CSRF_FIELD = "_csrf_token"
CSRF_HEADER = "x-csrftoken"


def csrf_config(secret: str, *, secure: bool) -> CSRFConfig:
    return CSRFConfig(
        secret=secret,
        cookie_name="tracker_csrf",
        header_name=CSRF_HEADER,
        cookie_secure=secure,
        cookie_httponly=False,
        cookie_samesite="lax",
        exclude=["^/static/"],
    )


def make_csrf_middleware(config: CSRFConfig) -> Callable[[ASGIApp], ASGIApp]:
    """Litestar's CSRF check, except for API calls that carry a bearer token (no cookie involved)."""

    def csrf_middleware(app: ASGIApp) -> ASGIApp:
        protected = CSRFMiddleware(app=app, config=config)

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if (
                scope["type"] == "http"
                and scope["path"].startswith("/api/")
                and bearer_token(Headers.from_scope(scope))
            ):
                await app(scope, receive, send)
                return
            await protected(scope, receive, send)

        return middleware

    return csrf_middleware


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A `before_send` hook: runs for every answer, error pages included."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    headers.setdefault("content-security-policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("x-content-type-options", "nosniff")
    headers.setdefault("referrer-policy", "same-origin")
    headers.setdefault("x-frame-options", "DENY")
    if scope["path"].startswith("/static/"):
        headers.setdefault("cache-control", "public, max-age=3600")
    elif not (headers.get("cache-control") or "").startswith("private"):  # a photo may be kept by its viewer's browser
        headers["cache-control"] = "no-store"
