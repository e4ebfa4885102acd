"""CSRF for pages and cookie-authenticated API calls; security headers on every answer.

The CSRF token is Litestar's (a random part and its HMAC, in a cookie and in each form or the
`x-csrftoken` header, compared), with one change: the HMAC key is derived from the secret AND the
session cookie. A token is therefore good only with the session it was issued for: one taken before
sign-in (or planted in the browser) fails after it, and every answer that sets or deletes the
session cookie (sign-in, sign-out) also sets a new CSRF cookie for the new session. A state-changing
request without a valid CSRF cookie is refused before its body is read.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Awaitable, Callable
from http.cookies import CookieError, SimpleCookie
from secrets import compare_digest

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie, Headers, MutableScopeHeaders
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash, generate_csrf_token
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from tracker.web.auth import API_PREFIX, SESSION_COOKIE, bearer_token
from tracker.web.locale import cookie_value
from tracker.web.static_assets import StaticVersions

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",  # the service worker, /sw.js (web/app_shell.py)
        "manifest-src 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"  # one year, behind HTTPS only
CSRF_COOKIE = "tracker_csrf"
CSRF_FIELD = "_csrf_token"
CSRF_HEADER = "x-csrftoken"
CSRF_FAILURE = "CSRF token verification failed"  # web/errors.py answers it as an expired form
_FORMS = frozenset({RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART})


def csrf_config(secret: str, *, secure: bool) -> CSRFConfig:
    return CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=secure,
        cookie_httponly=False,
        cookie_samesite="lax",
        exclude=["^/static/"],
    )


def session_key(secret: str, session_cookie: str) -> str:
    """The HMAC key of the CSRF tokens that go with this session cookie ("" when signed out)."""
    return hmac.new(secret.encode(), b"tracker-csrf\0" + session_cookie.encode(), hashlib.sha256).hexdigest()


def is_valid_token(token: str | None, key: str) -> bool:
    if not token or len(token) <= CSRF_SECRET_LENGTH:
        return False
    random_part, signature = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return compare_digest(signature, generate_csrf_hash(token=random_part, secret=key))


def _session_cookie_set(message: Message) -> str | None:
    """The session cookie's new value when this answer sets it ("" when it deletes it), else None."""
    for key, value in message.get("headers", []):
        if key.lower() != b"set-cookie" or not value.startswith(f"{SESSION_COOKIE}=".encode()):
            continue
        try:
            morsel = SimpleCookie(value.decode("latin-1"))[SESSION_COOKIE]
        except (CookieError, KeyError):
            return ""
        return "" if morsel["max-age"] == "0" else morsel.value
    return None


class _SessionBoundCSRF:
    def __init__(self, app: ASGIApp, config: CSRFConfig) -> None:
        self.app = app
        self.config = config
        self.exclude = re.compile("|".join(config.exclude)) if isinstance(config.exclude, list) else None

    def _cookie(self, token: str) -> bytes:
        c = self.config
        cookie = Cookie(
            key=c.cookie_name, value=token, path=c.cookie_path, secure=c.cookie_secure,
            httponly=c.cookie_httponly, samesite=c.cookie_samesite, domain=c.cookie_domain,
        )  # fmt: skip
        return cookie.to_header(header="").encode("latin-1")

    def _send_wrapper(self, send: Send, new_token: str | None) -> Callable[[Message], Awaitable[None]]:
        """Sets the CSRF cookie when a new token was made, and a fresh one whenever the session changes."""

        async def send_with_token(message: Message) -> None:
            if message["type"] == "http.response.start":
                token = new_token
                new_session = _session_cookie_set(message)
                if new_session is not None:
                    token = generate_csrf_token(session_key(self.config.secret, new_session))
                if token is not None:
                    MutableScopeHeaders.from_message(message).add("set-cookie", self._cookie(token).decode("latin-1"))
            await send(message)

        return send_with_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or (self.exclude is not None and self.exclude.search(path)):
            await self.app(scope, receive, send)
            return
        headers = Headers.from_scope(scope)
        if path.startswith(API_PREFIX) and bearer_token(headers):
            await self.app(scope, receive, send)  # a token, not a cookie: nothing a browser sends on its own
            return
        cookies = headers.get("cookie", "")
        key = session_key(self.config.secret, cookie_value(cookies, SESSION_COOKIE) or "")
        cookie_token = cookie_value(cookies, self.config.cookie_name)
        valid_cookie = cookie_token if is_valid_token(cookie_token, key) else None
        state = ScopeState.from_scope(scope)
        if scope["method"] in self.config.safe_methods:
            token = valid_cookie or generate_csrf_token(key)
            state.csrf_token = token
            await self.app(scope, receive, self._send_wrapper(send, None if valid_cookie else token))
            return
        if valid_cookie is None:
            raise PermissionDeniedException(CSRF_FAILURE)
        sent = headers.get(self.config.header_name)
        if not sent:
            request = scope["litestar_app"].request_class(scope=scope, receive=receive)
            if request.content_type[0] in _FORMS:
                sent = (await request.form()).get(CSRF_FIELD)
        if not isinstance(sent, str) or not compare_digest(sent.encode(), valid_cookie.encode()):
            raise PermissionDeniedException(CSRF_FAILURE)
        state.csrf_token = sent
        await self.app(scope, receive, self._send_wrapper(send, None))


def make_csrf_middleware(config: CSRFConfig) -> Callable[[ASGIApp], ASGIApp]:
    """The session-bound CSRF check; API calls that carry a bearer token skip it (no cookie involved)."""

    def csrf_middleware(app: ASGIApp) -> ASGIApp:
        return _SessionBoundCSRF(app, config)

    return csrf_middleware


# Public files of the app shell that a browser must ask for again each time, but may keep (web/app_shell.py).
REVALIDATED_PATHS = frozenset({"/sw.js", "/manifest.webmanifest"})


def make_security_headers(
    *, https: bool, static_versions: StaticVersions | None = None
) -> Callable[[Message, Scope], Awaitable[None]]:
    """A `before_send` hook: runs for every answer, error pages included. Static files: a year
    (immutable) at the URL with their current hash, otherwise asked again each time."""

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers.setdefault("content-security-policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("x-content-type-options", "nosniff")
        headers.setdefault("referrer-policy", "same-origin")
        headers.setdefault("x-frame-options", "DENY")
        if https:
            headers.setdefault("strict-transport-security", STRICT_TRANSPORT_SECURITY)
        path = scope.get("path", "")
        if path.startswith("/static/") and static_versions is not None:
            headers["cache-control"] = static_versions.cache_control(path, scope.get("query_string", b""))
        elif path.startswith("/static/"):
            headers.setdefault("cache-control", "public, max-age=3600")
        elif path in REVALIDATED_PATHS:
            headers["cache-control"] = "no-cache"
        elif path.startswith("/calendar/") and "cache-control" in headers:
            pass  # a calendar feed (no cookie, a secret address) says how long a phone may keep it
        else:  # pages, the API and photos: nothing kept on a shared phone after sign-out
            headers["cache-control"] = "no-store"

    return add_security_headers
