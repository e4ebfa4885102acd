"""How a sign-in is answered, shared by the password form (pages.py) and the code form (mfa_pages.py):
the session cookie of a new session, or the code page for an account with a second factor."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from litestar import Request
from litestar.response import Redirect
from sqlalchemy import select

from tracker.config import Settings
from tracker.db.models.roster import Town
from tracker.domain.accounts.landing import landing_path, needs_towns
from tracker.domain.accounts.mfa import CHALLENGE_LIFETIME
from tracker.domain.accounts.mfa_service import MfaService
from tracker.domain.accounts.sessions import PasswordAccepted, SessionService, SignedIn
from tracker.domain.scope import Scope
from tracker.web.auth import SESSION_COOKIE
from tracker.web.locale import cookie_value

# The sign-in waiting for its code (sign_in_challenge): HttpOnly, for a few minutes.
CHALLENGE_COOKIE = "tracker_sign_in_code"


async def finish_sign_in(
    request: Request, sessions: SessionService, signed_in: SignedIn, target: str, settings: Settings, now: dt.datetime
) -> Redirect:
    """The session cookie of the new session, on the way to `target` (or to the forced password change).
    No session fixation: whatever session came in with the request is ended."""
    old_token = cookie_value(request.headers.get("cookie", ""), SESSION_COOKIE)
    if old_token:
        previous = await sessions.resolve_session(old_token, now)
        if previous is not None:
            await sessions.sign_out(previous[0].id, previous[1].id, now, previous[0].town_id)
    if signed_in.user.must_change_password:
        destination = "/account/password"
    elif target == "/":  # no page asked for: straight to the role's own (no second round trip through /)
        destination = await landing_after_sign_in(sessions, signed_in)
    else:
        destination = target
    response = Redirect(destination, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed_in.token,
        httponly=True,
        samesite="lax",
        secure=settings.https,
        path="/",
        max_age=int((signed_in.session.expires_at - now).total_seconds()) if signed_in.session.keep_signed_in else None,
    )
    return response


async def landing_after_sign_in(sessions: SessionService, signed_in: SignedIn) -> str:
    """Where the new session lands (accounts/landing.py): its towns read through the one scope filter."""
    actor = await sessions.actor_for(signed_in.user, signed_in.session.id)
    codes: list[str] = []
    if needs_towns(actor.role):
        query = Scope(sessions.session, actor).towns(select(Town.code)).order_by(Town.code).limit(2)
        codes = list((await sessions.session.scalars(query)).all())
    return landing_path(actor.role, codes) or "/"


async def ask_for_code(
    mfa: MfaService, accepted: PasswordAccepted, target: str, settings: Settings, now: dt.datetime
) -> Redirect:
    """The password was right and the account has a second factor: a challenge, its cookie, the code page."""
    token = await mfa.begin_challenge(accepted.user, keep_signed_in=accepted.keep_signed_in, now=now)
    response = Redirect(f"/login/code?next={quote(target, safe='/')}", status_code=303)
    response.set_cookie(
        CHALLENGE_COOKIE, token, httponly=True, samesite="lax", secure=settings.https, path="/",
        max_age=int(CHALLENGE_LIFETIME.total_seconds()),
    )
    return response
