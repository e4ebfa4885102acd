"""Signing in and out: server-side sessions, API tokens; sign-in goes through the throttle (throttle.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.config import Settings
from tracker.db.models.accounts import ApiToken, LoginSession, Role, User, ViewerTown
from tracker.db.models.mfa import TotpSecret
from tracker.db.models.roster import Person
from tracker.domain.access import Actor
from tracker.domain.accounts import mfa, passwords, rules
from tracker.domain.accounts.errors import SignInRefused, SignInThrottled
from tracker.domain.accounts.throttle import ADDRESS, ThrottleService, Verdict
from tracker.domain.audit.context import AuditActor, acting_as
from tracker.domain.audit.service import record_event
from tracker.i18n import _


def session_policy(settings: Settings) -> rules.SessionPolicy:
    return rules.SessionPolicy(
        idle_timeout=dt.timedelta(minutes=settings.session_idle_minutes),
        lifetime=dt.timedelta(hours=settings.session_lifetime_hours),
        keep_signed_in_lifetime=dt.timedelta(days=settings.keep_signed_in_days),
    )


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str
    session: LoginSession


@dataclass(frozen=True)
class PasswordAccepted:
    """The password was right, but the account has a second factor: no session yet."""

    user: User
    keep_signed_in: bool


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _phone_digits(text: str) -> str:
    """A phone number as typed, without its +, spaces and dashes."""
    return text.strip().lstrip("+").replace(" ", "").replace("-", "")


def _failure_key(login: str) -> str:
    """What a failed sign-in of an unknown name is counted under: the digits of a phone number, else
    the name as normalised."""
    digits = _digits(login)
    key = digits if len(digits) >= 5 and digits == _phone_digits(login) else rules.normalise_login(login)
    return key[: rules.LOGIN_MAX_LENGTH]


def _throttled_message(verdict: Verdict) -> str:
    """What the person at the form reads: how long to wait, and whether the account or the network is
    the reason (said the same way for a login that does not exist)."""
    seconds = rules.retry_after_seconds(verdict.wait)
    minutes = (seconds + 59) // 60
    if verdict.by == ADDRESS:
        if seconds < 120:
            return _("Too many failed sign-ins from this network. Wait %(seconds)d s and try again.",
                     seconds=seconds)  # fmt: skip
        return _("Too many failed sign-ins from this network. Wait %(minutes)d min and try again.",
                 minutes=minutes)  # fmt: skip
    if seconds < 120:
        return _("Too many failed sign-ins for this account. Wait %(seconds)d s and try again, "
                 "or ask the town's secretary to unlock it.", seconds=seconds)  # fmt: skip
    return _("Too many failed sign-ins for this account. Wait %(minutes)d min and try again, "
             "or ask the town's secretary to unlock it.", minutes=minutes)  # fmt: skip


class SessionService:
    def __init__(self, session: AsyncSession, policy: rules.SessionPolicy) -> None:
        self.session = session
        self.policy = policy

    # -- signing in ------------------------------------------------------------------------

    async def _find_user(self, login: str) -> User | None:
        user = await self.session.scalar(select(User).where(User.login == rules.normalise_login(login)))
        if user is not None:
            return user
        digits = _digits(login)
        if len(digits) >= 5 and digits == _phone_digits(login):
            # the roster keeps phones as typed ("138-0000-0004"): compare the digits only
            stored = func.replace(func.replace(func.replace(Person.phone, "-", ""), " ", ""), "+", "")
            found = (
                await self.session.scalars(
                    select(User).join(Person, Person.id == User.person_id).where(stored == digits).limit(2)
                )
            ).all()
            return found[0] if len(found) == 1 else None  # a number two accounts share signs in neither
        return None

    async def sign_in(
        self, login: str, password: str, *, keep_signed_in: bool, ip: str, user_agent: str, now: dt.datetime,
        second_factor: Callable[[int], Awaitable[bool]] | None = None,
    ) -> SignedIn | PasswordAccepted:
        # `second_factor(user_id)`: must this account give a code too? Then no session opens yet:
        # PasswordAccepted is returned, and open_session is called once the code is right (mfa_pages).
        """Ask the throttle, then check the password; on success open a new session with a new token.

        The attempt is counted as a failure before the password is checked, in a short transaction
        committed here (parallel attempts are counted one by one and can't all slip under the limit);
        the check then runs in a worker thread with no transaction open, and a right password takes
        the count back. Raises SignInThrottled or SignInRefused; both leave a trace in the audit log
        (committed by the caller even though the sign-in failed: see the controller).
        """
        user = await self._find_user(login)
        # Failures count per account, however it was named (login, phone written any way), so that
        # writing the same number differently doesn't buy more tries; unknown names count as typed.
        key = user.login if user else _failure_key(login)
        town_id = user.town_id if user else None
        throttle = ThrottleService(self.session)
        verdict = await throttle.claim(key, ip, now)
        if verdict.wait:
            await record_event(
                self.session, "login_locked", now=now, town_id=town_id, actor_name=key,
                details={"login": key, "by": verdict.by, "wait_seconds": rules.retry_after_seconds(verdict.wait)},
            )  # fmt: skip
            await self.session.commit()
            raise SignInThrottled(_throttled_message(verdict), retry_after=rules.retry_after_seconds(verdict.wait))
        await self.session.commit()  # counted; and no lock is held while the password is checked
        stored = user.password_hash if user else passwords.DUMMY_HASH
        valid = await passwords.verify_password_in_thread(stored, password)
        if user is None or not valid:
            await record_event(
                self.session, "login_failed", now=now, town_id=town_id,
                details={"login": key, "failures": verdict.failures}, actor_name=key,
            )  # fmt: skip
            raise SignInRefused(_("Wrong login name or password"))
        rehash = passwords.needs_rehash(user.password_hash)
        new_hash = await passwords.hash_password_in_thread(password) if rehash else None
        await throttle.forgive(key, ip)
        if not user.active:
            await record_event(
                self.session, "login_refused", now=now, town_id=user.town_id, object_type="app_user",
                object_id=user.id, details={"reason": "disabled"}, actor_name=user.login, actor_user_id=user.id,
            )
            raise SignInRefused(_("This account is disabled; ask the town's secretary"))
        if new_hash is not None:
            with acting_as(AuditActor(user.id, user.login, ip)):
                user.password_hash = new_hash
                await self.session.flush()
        if second_factor is not None and await second_factor(user.id):
            return PasswordAccepted(user=user, keep_signed_in=keep_signed_in)  # no session until the code
        return await self.open_session(user, keep_signed_in=keep_signed_in, ip=ip, user_agent=user_agent, now=now)

    async def open_session(
        self, user: User, *, keep_signed_in: bool, ip: str, user_agent: str, now: dt.datetime,
        second_factor: str | None = None,
    ) -> SignedIn:
        """A new session with a new token for `user`, whose password (and code, `second_factor`) was right."""
        keep = keep_signed_in and rules.may_keep_signed_in(user.role)
        token = rules.new_token()
        login_session = LoginSession(
            token_hash=rules.token_hash(token),
            user_id=user.id,
            last_seen_at=now,
            expires_at=rules.session_expiry(now, keep, self.policy),
            keep_signed_in=keep,
            ip=ip,
            user_agent=user_agent[:255],
        )
        self.session.add(login_session)
        with acting_as(AuditActor(user.id, user.login, ip)):
            user.last_login_at = now
            await self.session.flush()
            details: dict[str, object] = {"keep_signed_in": keep}
            if second_factor:
                details["second_factor"] = second_factor
            await record_event(
                self.session, "login", now=now, town_id=user.town_id, object_type="app_user", object_id=user.id,
                details=details,
            )
        return SignedIn(user=user, token=token, session=login_session)

    # -- recognising a request ---------------------------------------------------------------

    async def resolve_session(self, token: str, now: dt.datetime) -> tuple[User, LoginSession] | None:
        row = (
            await self.session.execute(
                select(LoginSession, User)
                .join(User, User.id == LoginSession.user_id)
                .where(LoginSession.token_hash == rules.token_hash(token))
            )
        ).first()
        if row is None:
            return None
        login_session, user = row
        state = rules.session_state(
            last_seen_at=login_session.last_seen_at,
            expires_at=login_session.expires_at,
            ended_at=login_session.ended_at,
            keep_signed_in=login_session.keep_signed_in,
            now=now,
            policy=self.policy,
        )
        if state is not rules.SessionState.VALID or not user.active:
            return None
        if rules.should_touch(login_session.last_seen_at, now):
            await self.session.execute(
                update(LoginSession).where(LoginSession.id == login_session.id).values(last_seen_at=now)
            )
        return user, login_session

    async def resolve_api_token(self, token: str, now: dt.datetime) -> tuple[User, ApiToken] | None:
        """The owner and the token, while the token works: not revoked, not expired, its owner enabled."""
        row = (
            await self.session.execute(
                select(ApiToken, User)
                .join(User, User.id == ApiToken.user_id)
                .where(
                    ApiToken.token_hash == rules.token_hash(token),
                    ApiToken.revoked_at.is_(None),
                    ApiToken.expires_at > now,
                )
            )
        ).first()
        if row is None or not row[1].active:
            return None
        api_token, user = row
        if api_token.last_used_at is None or rules.should_touch(api_token.last_used_at, now):
            await self.session.execute(update(ApiToken).where(ApiToken.id == api_token.id).values(last_used_at=now))
        return user, api_token

    async def actor_for(self, user: User, session_id: int | None) -> Actor:
        viewer_towns = frozenset(  # only a county viewer reads by this list (access.can_read_town)
            (await self.session.scalars(select(ViewerTown.town_id).where(ViewerTown.user_id == user.id))).all()
        ) if user.role is Role.VIEWER else frozenset[int]()
        enrolled = not mfa.mfa_required(user.role) or await self.session.scalar(
            select(TotpSecret.id).where(TotpSecret.user_id == user.id, TotpSecret.enabled_at.is_not(None))
        ) is not None
        return Actor(
            user_id=user.id,
            login=user.login,
            role=user.role,
            town_id=user.town_id,
            person_id=user.person_id,
            viewer_town_ids=viewer_towns,
            must_change_password=user.must_change_password,
            must_enrol_mfa=mfa.must_enrol(user.role, enrolled),
            session_id=session_id,
            locale=user.locale,
        )

    # -- signing out -----------------------------------------------------------------------

    async def sign_out(self, user_id: int, session_id: int, now: dt.datetime, town_id: int | None) -> None:
        await self.session.execute(
            update(LoginSession)
            .where(LoginSession.id == session_id, LoginSession.ended_at.is_(None))
            .values(ended_at=now)
        )
        await record_event(self.session, "logout", now=now, town_id=town_id, object_type="app_user", object_id=user_id)

    async def end_all_sessions(self, user_id: int, now: dt.datetime, *, keep_session_id: int | None = None) -> int:
        """End every open session of a user (but `keep_session_id`); returns how many."""
        conditions = [LoginSession.user_id == user_id, LoginSession.ended_at.is_(None)]
        if keep_session_id is not None:
            conditions.append(LoginSession.id != keep_session_id)
        result = await self.session.execute(update(LoginSession).where(*conditions).values(ended_at=now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def open_sessions(self, user_id: int, now: dt.datetime) -> list[LoginSession]:
        rows = (
            await self.session.scalars(
                select(LoginSession)
                .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None), LoginSession.expires_at > now)
                .order_by(LoginSession.last_seen_at.desc())
            )
        ).all()
        return [
            s for s in rows
            if rules.session_state(
                last_seen_at=s.last_seen_at, expires_at=s.expires_at, ended_at=s.ended_at,
                keep_signed_in=s.keep_signed_in, now=now, policy=self.policy,
            ) is rules.SessionState.VALID
        ]
