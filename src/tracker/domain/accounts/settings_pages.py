"""My settings: language, password (separate page), API tokens, signed-in sessions."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from tracker.db.models.roster import Town
from tracker.domain.access import Actor
from tracker.domain.accounts import tokens
from tracker.domain.accounts.devices import device_name
from tracker.domain.accounts.mfa_service import MfaService
from tracker.domain.accounts.sessions import SessionService
from tracker.domain.accounts.users import UserService
from tracker.domain.errors import DomainError, InvalidInput
from tracker.i18n import SUPPORTED_LOCALES


class LanguageChoice(BaseModel):
    locale: str = Field(default="", max_length=8)


class MfaCodeForm(BaseModel):
    code: str = Field(default="", max_length=64)


class TokenForm(BaseModel):
    name: str = Field(default="", max_length=200)
    days: str = Field(default=str(tokens.DEFAULT_DAYS), max_length=64)  # checked by _token_days
    read_only: str | None = Field(default=None, max_length=20)


def _token_days(text: str) -> int:
    """The lifetime typed in the form; anything but a few ASCII digits (say "²") becomes 0, which the
    service refuses with the field's message alongside any other."""
    text = text.strip()
    if not text:
        return tokens.DEFAULT_DAYS
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 4 else 0


class SettingsPages(Controller):
    path = "/account"
    include_in_schema = False

    async def _context(
        self, actor: Actor, users: UserService, sessions: SessionService, now: dt.datetime
    ) -> dict[str, object]:
        context: dict[str, object] = {
            "actor": actor,
            "device_name": device_name,
            "tokens": await users.list_tokens(actor.user_id, now),
            "open_sessions": await sessions.open_sessions(actor.user_id, now),
            "new_token": None,
            "token_errors": {},
            "token_form": {"name": "", "days": tokens.DEFAULT_DAYS, "read_only": False},
            "default_token_days": tokens.DEFAULT_DAYS,
            "max_token_days": tokens.MAX_DAYS,
            "changed": None,
            # the second factor's state, on the request's database session (mfa_pages enrols)
            "mfa": await MfaService(sessions.session, sessions).status(actor.user_id, actor.role),
            "mfa_error": None,
        }
        # the actor's own town, so that the page keeps the town's top bar and work tabs
        town = await sessions.session.get(Town, actor.town_id) if actor.town_id is not None else None
        if town is not None:
            context["town"] = town
        return context

    @get("/", name="account")
    async def show(
        self,
        actor: NamedDependency[Actor],
        users: NamedDependency[UserService],
        sessions: NamedDependency[SessionService],
        now: NamedDependency[dt.datetime],
        changed: FromQuery[str | None] = None,
    ) -> Template:
        context = await self._context(actor, users, sessions, now)
        context["changed"] = changed
        return Template("accounts/settings.html", context=context)

    @post("/language", name="account_language", status_code=303)
    async def set_language(
        self, actor: NamedDependency[Actor], users: NamedDependency[UserService], data: URLEncodedBody[LanguageChoice]
    ) -> Redirect:
        await users.set_locale(actor.user_id, data.locale if data.locale in SUPPORTED_LOCALES else None)
        return Redirect("/account?changed=language", status_code=303)

    @post("/tokens", name="account_token_create", status_code=200)
    async def create_token(
        self,
        actor: NamedDependency[Actor],
        users: NamedDependency[UserService],
        sessions: NamedDependency[SessionService],
        now: NamedDependency[dt.datetime],
        data: URLEncodedBody[TokenForm],
    ) -> Template:
        """Shows the new token once, on the answer to this POST (never stored in clear)."""
        try:
            created = await users.create_token(
                actor.user_id, data.name, now=now, days=_token_days(data.days), read_only=bool(data.read_only)
            )
        except DomainError as problem:
            context = await self._context(actor, users, sessions, now)
            context["token_errors"] = problem.fields or {"name": problem.message}
            context["token_form"] = {"name": data.name, "days": data.days, "read_only": bool(data.read_only)}
            return Template("accounts/settings.html", context=context, status_code=problem.status_code)
        context = await self._context(actor, users, sessions, now)
        context["new_token"] = created.secret
        return Template("accounts/settings.html", context=context)

    @post("/tokens/{token_id:int}/revoke", name="account_token_revoke", status_code=303)
    async def revoke_token(
        self,
        actor: NamedDependency[Actor],
        users: NamedDependency[UserService],
        now: NamedDependency[dt.datetime],
        token_id: FromPath[int],
    ) -> Redirect:
        await users.revoke_token(actor.user_id, token_id, now)
        return Redirect("/account?changed=token", status_code=303)

    @post("/sessions/end-others", name="account_sign_out_everywhere", status_code=303)
    async def sign_out_everywhere(
        self, actor: NamedDependency[Actor], sessions: NamedDependency[SessionService], now: NamedDependency[dt.datetime]
    ) -> Redirect:
        """Ends every other session of mine; this one stays signed in."""
        await sessions.end_all_sessions(actor.user_id, now, keep_session_id=actor.session_id)
        return Redirect("/account?changed=sessions", status_code=303)

    @post("/mfa/disable", name="mfa_disable", status_code=303)
    async def turn_off_mfa(
        self,
        actor: NamedDependency[Actor],
        users: NamedDependency[UserService],
        sessions: NamedDependency[SessionService],
        mfa: NamedDependency[MfaService],
        now: NamedDependency[dt.datetime],
        data: URLEncodedBody[MfaCodeForm],
    ) -> Template | Redirect:
        """Optional roles turn the second factor off, confirming with a current code."""
        try:
            await mfa.turn_off(actor.user_id, data.code, now)
        except InvalidInput as wrong:
            context = await self._context(actor, users, sessions, now)
            context["mfa_error"] = wrong.message
            return Template("accounts/settings.html", context=context, status_code=wrong.status_code)
        return Redirect("/account?changed=mfa", status_code=303)
