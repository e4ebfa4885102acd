"""The second factor: enrolling, turning it off, the admin's reset, and the sign-in challenge.

Load -> rules (domain/accounts/mfa.py) -> save. Every "use once" is a conditional UPDATE or DELETE
whose row count says whether this request won, so two parallel requests never both pass with one
code, one recovery code or one challenge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role, User
from tracker.db.models.mfa import RecoveryCode, SignInChallenge, TotpSecret
from tracker.domain.accounts import mfa, rules
from tracker.domain.accounts.errors import SignInRefused, SignInThrottled
from tracker.domain.accounts.sessions import SessionService
from tracker.domain.accounts.throttle import ThrottleService
from tracker.domain.audit.service import record_event
from tracker.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tracker.i18n import _


class ChallengeEnded(SignInRefused):
    """The sign-in waiting for a code is gone (expired, used, too many wrong codes): start again."""


@dataclass(frozen=True)
class MfaStatus:
    enabled: bool
    required: bool
    recovery_codes_left: int


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str

    @property
    def grouped_secret(self) -> str:
        return mfa.grouped_secret(self.secret)

    @property
    def qr_svg(self) -> str:
        return mfa.qr_svg(self.uri)


@dataclass(frozen=True)
class SecondFactorPassed:
    user: User
    keep_signed_in: bool
    method: mfa.CodeKind


def _wrong_code() -> InvalidInput:
    message = _("This code is not right. Check that the phone's time is correct and type the code it shows now.")
    return InvalidInput(message, fields={"code": message})


class MfaService:
    def __init__(self, session: AsyncSession, sessions: SessionService) -> None:
        self.session = session
        self.sessions = sessions

    async def _secret(self, user_id: int) -> TotpSecret | None:
        return await self.session.scalar(select(TotpSecret).where(TotpSecret.user_id == user_id))

    async def is_enabled(self, user_id: int) -> bool:
        row = await self._secret(user_id)
        return row is not None and row.enabled_at is not None

    async def status(self, user_id: int, role: Role) -> MfaStatus:
        left = await self.session.scalar(
            select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
        return MfaStatus(enabled=await self.is_enabled(user_id), required=mfa.mfa_required(role),
                         recovery_codes_left=int(left or 0))

    # -- enrolling -------------------------------------------------------------------------------

    async def pending_enrolment(self, user_id: int, login: str) -> Enrolment:
        """The secret to show on the enrolment page: the same one until a right code confirms it."""
        row = await self._secret(user_id)
        if row is not None and row.enabled_at is not None:
            raise Conflict(_("Two-step verification is already on"))
        if row is None:
            row = TotpSecret(user_id=user_id, secret=mfa.new_secret())
            self.session.add(row)
            await self.session.flush()
        return Enrolment(secret=row.secret, uri=mfa.provisioning_uri(row.secret, login))

    async def confirm_enrolment(self, user_id: int, code: str, now: dt.datetime) -> list[str]:
        """A right code from the app turns the second factor on; returns the recovery codes (shown once)."""
        row = await self._secret(user_id)
        if row is not None and row.enabled_at is not None:
            raise Conflict(_("Two-step verification is already on"))
        if row is None:  # no key was shown (or it was reset since): nothing this code could match
            message = _("Reload the page and scan the new code")
            raise InvalidInput(message, fields={"code": message})
        typed = mfa.normalise_code(code)
        checked = mfa.check_totp(row.secret, typed.value, now, None) if typed.kind is mfa.CodeKind.TOTP else None
        if checked is None or checked.outcome is not mfa.CodeCheck.ACCEPTED:
            raise _wrong_code()
        won = await self.session.execute(
            update(TotpSecret)
            .where(TotpSecret.id == row.id, TotpSecret.enabled_at.is_(None))
            .values(enabled_at=now, last_used_step=checked.step)
        )
        if not won.rowcount:  # type: ignore[attr-defined]
            raise Conflict(_("Two-step verification is already on"))
        codes = await self._replace_recovery_codes(user_id)
        town_id = await self.session.scalar(select(User.town_id).where(User.id == user_id))
        await record_event(self.session, "mfa_enabled", now=now, town_id=town_id, object_type="app_user",
                           object_id=user_id)
        return codes

    async def _replace_recovery_codes(self, user_id: int) -> list[str]:
        await self.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        codes = mfa.new_recovery_codes()
        self.session.add_all(
            RecoveryCode(user_id=user_id, code_hash=mfa.recovery_code_hash(mfa.normalise_code(code).value))
            for code in codes
        )
        await self.session.flush()
        return codes

    # -- turning it off --------------------------------------------------------------------------

    async def turn_off(self, user_id: int, code: str, now: dt.datetime) -> None:
        """Optional roles may turn it off, confirming with a current code (or a recovery code)."""
        user = await self.session.get(User, user_id)
        if user is None:
            raise NotFound(_("No such user"))
        if mfa.mfa_required(user.role):
            raise NotAllowed(_("Your role must keep two-step verification on"))
        if not await self.is_enabled(user.id):
            raise Conflict(_("Two-step verification is not on"))
        if await self._use_code(user.id, mfa.normalise_code(code), now) is not mfa.CodeCheck.ACCEPTED:
            raise _wrong_code()
        await self._forget(user.id)
        await record_event(self.session, "mfa_disabled", now=now, town_id=user.town_id, object_type="app_user",
                           object_id=user.id)

    async def reset(self, user: User, now: dt.datetime) -> bool:
        """The administrator's tool for a lost phone: the second factor is forgotten and every session
        ends; the person enrols again at their next sign-in. Returns whether there was one."""
        had = await self.is_enabled(user.id)
        await self._forget(user.id)
        await self.sessions.end_all_sessions(user.id, now)
        await record_event(self.session, "mfa_reset", now=now, town_id=user.town_id, object_type="app_user",
                           object_id=user.id, details={"had_second_factor": had})
        return had

    async def _forget(self, user_id: int) -> None:
        for model in (TotpSecret, RecoveryCode, SignInChallenge):
            await self.session.execute(delete(model).where(model.user_id == user_id))

    async def _use_code(self, user_id: int, typed: mfa.TypedCode, now: dt.datetime) -> mfa.CodeCheck:
        """Check a TOTP or recovery code and mark it used, atomically; WRONG or REPLAYED otherwise."""
        if typed.kind is mfa.CodeKind.RECOVERY:
            used = await self.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None),
                       RecoveryCode.code_hash == mfa.recovery_code_hash(typed.value))
                .values(used_at=now)
            )
            return mfa.CodeCheck.ACCEPTED if used.rowcount else mfa.CodeCheck.WRONG  # type: ignore[attr-defined]
        row = await self._secret(user_id)
        if typed.kind is not mfa.CodeKind.TOTP or row is None or row.enabled_at is None:
            return mfa.CodeCheck.WRONG
        checked = mfa.check_totp(row.secret, typed.value, now, row.last_used_step)
        if checked.outcome is not mfa.CodeCheck.ACCEPTED:
            return checked.outcome
        won = await self.session.execute(
            update(TotpSecret)
            .where(TotpSecret.id == row.id,
                   or_(TotpSecret.last_used_step.is_(None), TotpSecret.last_used_step < checked.step))
            .values(last_used_step=checked.step)
        )
        return mfa.CodeCheck.ACCEPTED if won.rowcount else mfa.CodeCheck.REPLAYED  # type: ignore[attr-defined]

    # -- signing in ------------------------------------------------------------------------------

    async def begin_challenge(self, user: User, *, keep_signed_in: bool, now: dt.datetime) -> str:
        """The password was right: a challenge the code page answers; returns its token (for a cookie)."""
        await self.session.execute(delete(SignInChallenge).where(SignInChallenge.expires_at <= now))
        token = rules.new_token()
        self.session.add(
            SignInChallenge(token_hash=rules.token_hash(token), user_id=user.id,
                            expires_at=mfa.challenge_expiry(now), keep_signed_in=keep_signed_in)
        )
        await self.session.flush()
        return token

    async def _challenge(self, token: str) -> tuple[SignInChallenge, User] | None:
        row = (
            await self.session.execute(
                select(SignInChallenge, User)
                .join(User, User.id == SignInChallenge.user_id)
                .where(SignInChallenge.token_hash == rules.token_hash(token))
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def challenge_is_open(self, token: str, now: dt.datetime) -> bool:
        found = await self._challenge(token) if token else None
        return found is not None and mfa.challenge_open(found[0].expires_at, found[0].attempts, now)

    async def answer_challenge(self, token: str, code: str, *, ip: str, now: dt.datetime) -> SecondFactorPassed:
        """Raises ChallengeEnded (start again with the password), SignInRefused (account disabled) or
        InvalidInput (wrong or used code; counted as a failed sign-in, committed by the caller)."""
        found = await self._challenge(token) if token else None
        if found is None:
            raise ChallengeEnded(_("This sign-in has expired. Sign in again."))
        challenge, user = found
        claimed = await self.session.execute(  # one attempt, claimed before the code is looked at
            update(SignInChallenge)
            .where(SignInChallenge.id == challenge.id, SignInChallenge.expires_at > now,
                   SignInChallenge.attempts < mfa.CHALLENGE_ATTEMPTS)
            .values(attempts=SignInChallenge.attempts + 1)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            await self._end_challenge(challenge.id)
            raise ChallengeEnded(_("This sign-in has expired. Sign in again."))
        if not user.active:
            await self._end_challenge(challenge.id)
            raise SignInRefused(_("This account is disabled; ask the town's secretary"))
        # A code is an attempt like a password: counted as a failure before it is checked (the throttle
        # refuses it when the account or the address has failed too often), taken back when right.
        throttle = ThrottleService(self.session)
        verdict = await throttle.claim(user.login, ip, now)
        if verdict.wait:
            seconds = rules.retry_after_seconds(verdict.wait)
            raise SignInThrottled(
                _("Too many failed sign-ins. Wait %(seconds)d seconds and try again.", seconds=seconds),
                retry_after=seconds,
            )
        typed = mfa.normalise_code(code)
        outcome = await self._use_code(user.id, typed, now)
        if outcome is not mfa.CodeCheck.ACCEPTED:
            await record_event(
                self.session, "login_failed", now=now, town_id=user.town_id, actor_name=user.login,
                details={"login": user.login, "second_factor": outcome.value, "failures": verdict.failures},
            )  # fmt: skip
            if challenge.attempts + 1 >= mfa.CHALLENGE_ATTEMPTS:
                await self._end_challenge(challenge.id)
                raise ChallengeEnded(_("Too many wrong codes. Sign in again."))
            if outcome is mfa.CodeCheck.REPLAYED:
                message = _("This code was used already. Wait for the next one.")
                raise InvalidInput(message, fields={"code": message})
            raise _wrong_code()
        await throttle.forgive(user.login, ip)
        if not await self._end_challenge(challenge.id):  # a parallel answer used it first
            raise ChallengeEnded(_("This sign-in has expired. Sign in again."))
        return SecondFactorPassed(user=user, keep_signed_in=challenge.keep_signed_in, method=typed.kind)

    async def _end_challenge(self, challenge_id: int) -> bool:
        result = await self.session.execute(delete(SignInChallenge).where(SignInChallenge.id == challenge_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]
