"""Signing in and out, and the first-login password change. Thin: parse, one service call, answer."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.config import Settings
from tracker.domain.access import Actor
from tracker.domain.accounts.errors import SignInRefused, SignInThrottled
from tracker.domain.accounts.mfa_service import MfaService
from tracker.domain.accounts.sessions import PasswordAccepted, SessionService
from tracker.domain.accounts.sign_in_flow import ask_for_code, finish_sign_in
from tracker.domain.accounts.users import UserService
from tracker.domain.errors import InvalidInput
from tracker.domain.text import Line
from tracker.web.auth import SESSION_COOKIE, client_ip
from tracker.web.errors import wants_json
from tracker.web.guards import MFA_ENROLMENT_PENDING_OK, PASSWORD_CHANGE_PENDING_OK, PUBLIC
from tracker.web.redirects import safe_local_path

# Sent with the sign-out: the browser's HTTP cache and the site's storage (the service worker, its
# caches, IndexedDB); cookies are left to the answer's own Set-Cookie (the language choice stays).
CLEAR_SITE_DATA = '"cache", "storage"'


class SignInForm(BaseModel):
    login: Line = Field(default="", max_length=128)  # no control or invisible formatting characters
    password: str = Field(default="", max_length=1024)
    keep_signed_in: str | None = None
    next: str = Field(default="/", max_length=2000)


class PasswordForm(BaseModel):
    current_password: str = Field(default="", max_length=1024)
    new_password: str = Field(default="", max_length=1024)
    confirm_password: str = Field(default="", max_length=1024)


def _refusal(
    request: Request, refused: SignInRefused | SignInThrottled, target: str, login: str
) -> Template | Response:
    """The sign-in form again with the reason, or JSON for a client that asked for it; a throttled
    attempt says when to come back (Retry-After)."""
    headers = {"Retry-After": str(refused.retry_after)} if isinstance(refused, SignInThrottled) else {}
    if wants_json(request):
        body: dict[str, object] = {"status_code": refused.status_code, "detail": refused.message}
        if isinstance(refused, SignInThrottled):
            body["retry_after"] = refused.retry_after
        return Response(body, status_code=refused.status_code, media_type=MediaType.JSON, headers=headers)
    context = {"next": target, "login": login, "error": refused.message}
    return Template("accounts/login.html", context=context, status_code=refused.status_code, headers=headers)


class AuthPages(Controller):
    include_in_schema = False

    @get("/login", name="login", opt=PUBLIC)
    async def login_form(self, request: Request, actor: NamedDependency[Actor | None]) -> Template | Redirect:
        target = safe_local_path(request.query_params.get("next"))
        if actor is not None:
            return Redirect(target, status_code=303)
        return Template("accounts/login.html", context={"next": target, "login": "", "error": None})

    @post("/login", name="login_submit", opt=PUBLIC, status_code=303)
    async def login(
        self,
        request: Request,
        data: URLEncodedBody[SignInForm],
        sessions: NamedDependency[SessionService],
        mfa: NamedDependency[MfaService],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        now: NamedDependency[dt.datetime],
    ) -> Template | Redirect | Response:
        target = safe_local_path(data.next)
        try:
            signed_in = await sessions.sign_in(
                data.login,
                data.password,
                keep_signed_in=bool(data.keep_signed_in),
                ip=client_ip(request.scope),
                user_agent=request.headers.get("user-agent", ""),
                now=now,
                second_factor=mfa.is_enabled,
            )
        except (SignInRefused, SignInThrottled) as refused:
            await db_session.commit()  # the failed attempt and its audit entry are kept
            return _refusal(request, refused, target, data.login)
        if isinstance(signed_in, PasswordAccepted):  # a second factor: the code page, no session yet
            return await ask_for_code(mfa, signed_in, target, settings, now)
        return await finish_sign_in(request, sessions, signed_in, target, settings, now)

    @post("/logout", name="logout", status_code=303, opt={**PASSWORD_CHANGE_PENDING_OK, **MFA_ENROLMENT_PENDING_OK})
    async def logout(
        self,
        actor: NamedDependency[Actor | None],
        sessions: NamedDependency[SessionService],
        now: NamedDependency[dt.datetime],
    ) -> Redirect:
        if actor is not None and actor.session_id is not None:
            await sessions.sign_out(actor.user_id, actor.session_id, now, actor.town_id)
        # The phone forgets what it kept for this person: pages the service worker kept, the record queue.
        response = Redirect("/login", status_code=303, headers={"Clear-Site-Data": CLEAR_SITE_DATA})
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/account/password", name="password_form", opt=PASSWORD_CHANGE_PENDING_OK)
    async def password_form(self, actor: NamedDependency[Actor | None]) -> Template:
        return Template(
            "accounts/password.html",
            context={"forced": bool(actor and actor.must_change_password), "fields": {}, "done": False},
        )

    @post("/account/password", name="password_submit", status_code=303, opt=PASSWORD_CHANGE_PENDING_OK)
    async def change_password(
        self,
        data: URLEncodedBody[PasswordForm],
        actor: NamedDependency[Actor | None],
        users: NamedDependency[UserService],
        now: NamedDependency[dt.datetime],
    ) -> Template | Redirect:
        assert actor is not None  # require_login ran
        try:
            await users.change_own_password(
                actor.user_id, data.current_password, data.new_password, data.confirm_password, now, actor.session_id
            )
        except InvalidInput as problem:
            return Template(
                "accounts/password.html",
                context={"forced": actor.must_change_password, "fields": problem.fields, "done": False},
                status_code=400,
            )
        return Redirect("/account?changed=password", status_code=303)
