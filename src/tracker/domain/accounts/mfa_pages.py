"""The second factor's pages: the code asked after the password, and enrolling (QR code, recovery codes).

Thin: parse, one service call, answer. The session itself is opened as a password-only sign-in
opens it (sign_in_flow.finish_sign_in); until then the browser holds only the challenge's cookie.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.config import Settings
from tracker.domain.access import Actor
from tracker.domain.accounts.errors import SignInRefused, SignInThrottled
from tracker.domain.accounts.mfa_service import MfaService
from tracker.domain.accounts.sessions import SessionService
from tracker.domain.accounts.sign_in_flow import CHALLENGE_COOKIE, finish_sign_in
from tracker.domain.errors import InvalidInput
from tracker.web.auth import client_ip
from tracker.web.guards import MFA_ENROLMENT_PENDING_OK, PUBLIC
from tracker.web.redirects import safe_local_path


class CodeForm(BaseModel):
    code: str = Field(default="", max_length=64)
    next: str = Field(default="/", max_length=2000)


def _login_page(target: str, error: str, status: int) -> Template:
    template = Template(
        "accounts/login.html", context={"next": target, "login": "", "error": error}, status_code=status
    )
    template.delete_cookie(CHALLENGE_COOKIE, path="/")
    return template


class SecondFactorPages(Controller):
    include_in_schema = False

    @get("/login/code", name="login_code", opt=PUBLIC)
    async def code_form(
        self, request: Request, mfa: NamedDependency[MfaService], now: NamedDependency[dt.datetime]
    ) -> Template | Redirect:
        target = safe_local_path(request.query_params.get("next"))
        if not await mfa.challenge_is_open(request.cookies.get(CHALLENGE_COOKIE, ""), now):
            return Redirect(f"/login?next={quote(target, safe='/')}", status_code=303)
        return Template("accounts/mfa_code.html", context={"next": target, "error": None})

    @post("/login/code", name="login_code_submit", opt=PUBLIC, status_code=303)
    async def answer(
        self,
        request: Request,
        data: URLEncodedBody[CodeForm],
        mfa: NamedDependency[MfaService],
        sessions: NamedDependency[SessionService],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        now: NamedDependency[dt.datetime],
    ) -> Template | Redirect:
        target = safe_local_path(data.next)
        try:
            passed = await mfa.answer_challenge(
                request.cookies.get(CHALLENGE_COOKIE, ""), data.code, ip=client_ip(request.scope), now=now
            )
        except SignInRefused as ended:  # expired, used, too many wrong codes, disabled: the password again
            await db_session.commit()
            return _login_page(target, ended.message, ended.status_code)
        except (InvalidInput, SignInThrottled) as wrong:
            await db_session.commit()  # the failed attempt and its audit entry are kept
            headers = {"Retry-After": str(wrong.retry_after)} if isinstance(wrong, SignInThrottled) else {}
            return Template(
                "accounts/mfa_code.html", context={"next": target, "error": wrong.message},
                status_code=wrong.status_code, headers=headers,
            )
        signed_in = await sessions.open_session(
            passed.user, keep_signed_in=passed.keep_signed_in, ip=client_ip(request.scope),
            user_agent=request.headers.get("user-agent", ""), now=now, second_factor=passed.method.value,
        )
        response = await finish_sign_in(request, sessions, signed_in, target, settings, now)
        response.delete_cookie(CHALLENGE_COOKIE, path="/")
        return response

    @get("/account/mfa", name="mfa_enrol", opt=MFA_ENROLMENT_PENDING_OK)
    async def enrol_form(self, actor: NamedDependency[Actor], mfa: NamedDependency[MfaService]) -> Template:
        status = await mfa.status(actor.user_id, actor.role)
        enrolment = None if status.enabled else await mfa.pending_enrolment(actor.user_id, actor.login)
        return Template(
            "accounts/mfa_enrol.html",
            context={"status": status, "enrolment": enrolment, "forced": actor.must_enrol_mfa, "error": None},
        )

    @post("/account/mfa", name="mfa_enrol_submit", opt=MFA_ENROLMENT_PENDING_OK, status_code=200)
    async def enrol(
        self,
        actor: NamedDependency[Actor],
        data: URLEncodedBody[CodeForm],
        mfa: NamedDependency[MfaService],
        now: NamedDependency[dt.datetime],
    ) -> Template:
        """Shows the recovery codes once, on the answer to this POST (only their hashes are kept)."""
        try:
            codes = await mfa.confirm_enrolment(actor.user_id, data.code, now)
        except InvalidInput as wrong:
            context = {
                "status": await mfa.status(actor.user_id, actor.role),
                "enrolment": await mfa.pending_enrolment(actor.user_id, actor.login),
                "forced": actor.must_enrol_mfa,
                "error": wrong.message,
            }
            return Template("accounts/mfa_enrol.html", context=context, status_code=400)
        return Template("accounts/mfa_recovery_codes.html", context={"codes": codes})
