"""Managing accounts: create, reset a password, disable, change one's own password, API tokens."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import ApiToken, Role, User, ViewerTown
from tracker.db.models.roster import Person, Town
from tracker.domain.access import (
    AccountRefusal,
    Actor,
    account_refusal,
    assignable_roles,
    can_manage_town,
    may_unlock_account,
    role_label,
)
from tracker.domain.accounts import passwords, rules, tokens
from tracker.domain.accounts.sessions import SessionService
from tracker.domain.accounts.throttle import AccountThrottle, ThrottleService
from tracker.domain.audit.service import record_event
from tracker.domain.clock import utc_now
from tracker.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tracker.domain.text import text_problem
from tracker.i18n import _

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
TOKEN_NAME_MAX = 64


@dataclass(frozen=True)
class NewAccount:
    user: User
    initial_password: str | None  # shown once; None when the caller chose the password


@dataclass(frozen=True)
class NewApiToken:
    token: ApiToken
    secret: str  # shown once


class UserService:
    def __init__(self, session: AsyncSession, sessions: SessionService) -> None:
        self.session = session
        self.sessions = sessions

    async def get_by_login(self, login: str) -> User:
        user = await self.session.scalar(select(User).where(User.login == rules.normalise_login(login)))
        if user is None:
            raise NotFound(_("No user %(login)s", login=login))
        return user

    async def _in_town(self, actor: Actor, town: Town, user_id: int) -> User:
        user = await self.session.get(User, user_id)
        if user is None or user.town_id != town.id or not can_manage_town(actor, town.id):
            raise NotFound(_("No user %(id)s in %(town)s", id=user_id, town=town.name))
        return user

    async def get_in_town(self, actor: Actor, town: Town, user_id: int) -> User:
        """A user of `town` whose password `actor` may reset and whom they may disable or enable: only
        accounts of a role below theirs (a secretary can't take over another secretary or a county
        viewer by resetting its password), never their own."""
        user = await self._in_town(actor, town, user_id)
        refusal = account_refusal(actor, user_id=user.id, role=user.role, town_id=user.town_id)
        if refusal is AccountRefusal.OWN_ACCOUNT:
            raise NotAllowed(_("You may not reset, disable or enable your own account; change your password on your account page"))
        if refusal is not None:
            raise NotAllowed(_("You may not change an account with the role %(role)s", role=role_label(user.role)))
        return user

    async def get_unlockable(self, actor: Actor, town: Town, user_id: int) -> User:
        """A user of `town` whose sign-in throttle `actor` may lift."""
        user = await self._in_town(actor, town, user_id)
        if not may_unlock_account(actor, role=user.role, town_id=user.town_id):
            raise NotAllowed(_("You may not change an account with the role %(role)s", role=role_label(user.role)))
        return user

    async def throttled(self, logins: Sequence[str], now: dt.datetime) -> dict[str, AccountThrottle]:
        """The accounts among `logins` with failed sign-ins that still count, by login."""
        return await ThrottleService(self.session).accounts(logins, now)

    async def unlock(self, user: User, now: dt.datetime) -> bool:
        """Forget the account's failed sign-ins, so that it may sign in again at once; logged either way.
        Whether there were any."""
        unlocked = await ThrottleService(self.session).unlock(user.login)
        await record_event(
            self.session, "login_unlocked", now=now, town_id=user.town_id, object_type="app_user",
            object_id=user.id, details={"login": user.login, "was_throttled": unlocked},
        )  # fmt: skip
        return unlocked

    async def list_in_town(self, town: Town) -> Sequence[tuple[User, Person | None]]:
        rows = await self.session.execute(
            select(User, Person).outerjoin(Person, Person.id == User.person_id).where(User.town_id == town.id).order_by(User.login)
        )
        return [(u, p) for u, p in rows.all()]

    async def people_to_link(self, town: Town) -> Sequence[Person]:
        """The town's active people, by code: whom a new account may be linked to."""
        query = select(Person).where(Person.town_id == town.id, Person.active.is_(True)).order_by(Person.code)
        return (await self.session.scalars(query)).all()

    async def create(
        self,
        *,
        login: str,
        role: Role,
        town: Town | None,
        person_id: int | None,
        password: str | None,
        now: dt.datetime,
        actor: Actor | None = None,
        must_change_password: bool = True,
        viewer_town_ids: Sequence[int] = (),
    ) -> NewAccount:
        """Validate everything, then create; `actor` None means the command line (a system administrator)."""
        login = rules.normalise_login(login)
        problems: dict[str, str] = {}
        if not LOGIN_PATTERN.match(login):
            problems["login"] = _("2 to 64 characters: lowercase letters, digits, '.', '_' or '-'")
        elif await self.session.scalar(select(User.id).where(User.login == login)):
            problems["login"] = _("The login name %(login)s is taken", login=login)
        if actor is not None and role not in assignable_roles(actor):
            problems["role"] = _("You may not give the role %(role)s", role=role.value)
        if role in (Role.SECRETARY, Role.OFFICIAL, Role.MEMBER) and town is None:
            problems["town"] = _("This role belongs to a town")
        if role in (Role.OFFICIAL, Role.MEMBER) and person_id is None:
            problems["person_id"] = _("Link the account to a person of the roster")
        if person_id is not None:
            person = await self.session.get(Person, person_id)
            if person is None or town is None or person.town_id != town.id:
                problems["person_id"] = _("No such person in this town")
            elif await self.session.scalar(select(User.id).where(User.person_id == person_id)):
                problems["person_id"] = _("This person already has an account")
        if password is not None and (problem := passwords.password_problem(password, login)):
            problems["password"] = problem
        if problems:
            raise InvalidInput(_("The account was not created"), fields=problems)
        if role is Role.VIEWER and town is not None and not viewer_town_ids:
            viewer_town_ids = [town.id]  # a viewer made from a town's page reads that town
        initial = None if password is not None else passwords.generate_initial_password()
        chosen = password if password is not None else initial or ""
        password_hash = await passwords.hash_password_in_thread(chosen)
        user = User(
            login=login,
            role=role,
            town_id=town.id if town and role is not Role.ADMIN else None,
            person_id=person_id,
            password_hash=password_hash,
            must_change_password=must_change_password,
            active=True,
        )
        self.session.add(user)
        await self.session.flush()
        for town_id in viewer_town_ids:
            self.session.add(ViewerTown(user_id=user.id, town_id=town_id))
        await self.session.flush()
        return NewAccount(user=user, initial_password=initial)

    async def reset_password(self, user: User, now: dt.datetime) -> str:
        """A new random password, to be changed at next sign-in; every session of the user ends."""
        new_password = passwords.generate_initial_password()
        user.password_hash = await passwords.hash_password_in_thread(new_password)
        user.must_change_password = True
        await self.session.flush()
        await self.sessions.end_all_sessions(user.id, now)
        await self.revoke_all_tokens(user.id, now)
        await record_event(self.session, "password_reset", now=now, town_id=user.town_id, object_type="app_user", object_id=user.id)
        return new_password

    async def set_active(self, user: User, active: bool, now: dt.datetime) -> None:
        if user.active == active:
            return
        user.active = active
        await self.session.flush()
        if not active:
            await self.sessions.end_all_sessions(user.id, now)
            await self.revoke_all_tokens(user.id, now)  # enabling again does not bring them back

    async def change_own_password(
        self, user_id: int, current: str, new: str, confirm: str, now: dt.datetime, keep_session_id: int | None
    ) -> None:
        user = await self.session.get(User, user_id)
        if user is None:
            raise NotFound(_("No such user"))
        problems: dict[str, str] = {}
        if not await passwords.verify_password_in_thread(user.password_hash, current):
            problems["current_password"] = _("This is not your current password")
        if problem := passwords.password_problem(new, user.login):
            problems["new_password"] = problem
        elif new == current:
            problems["new_password"] = _("Choose a password different from the current one")
        if new != confirm:
            problems["confirm_password"] = _("The two new passwords differ")
        if problems:
            raise InvalidInput(_("The password was not changed"), fields=problems)
        user.password_hash = await passwords.hash_password_in_thread(new)
        user.must_change_password = False
        await self.session.flush()
        await self.sessions.end_all_sessions(user.id, now, keep_session_id=keep_session_id)
        await self.revoke_all_tokens(user.id, now)
        await record_event(self.session, "password_change", now=now, town_id=user.town_id, object_type="app_user", object_id=user.id)

    async def set_locale(self, user_id: int, locale: str | None) -> None:
        user = await self.session.get(User, user_id)
        if user is not None and user.locale != locale:
            user.locale = locale
            await self.session.flush()

    # -- API tokens ------------------------------------------------------------------------

    async def list_tokens(self, user_id: int, now: dt.datetime) -> Sequence[ApiToken]:
        """The user's tokens that still work (not revoked, not expired), oldest first."""
        return (
            await self.session.scalars(
                select(ApiToken)
                .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
                .order_by(ApiToken.id)
            )
        ).all()

    async def create_token(
        self, user_id: int, name: str, *, now: dt.datetime | None = None, days: int = tokens.DEFAULT_DAYS,
        read_only: bool = False,
    ) -> NewApiToken:
        """A new token living `days` from `now` (the clock's when not given); its secret is shown once."""
        now = now or utc_now()
        name = name.strip()
        problems: dict[str, str] = {}
        if not name or len(name) > TOKEN_NAME_MAX:
            problems["name"] = _("1 to %(n)d characters", n=TOKEN_NAME_MAX)
        elif problem := text_problem(name, single_line=True):  # no control or invisible formatting characters
            problems["name"] = problem
        if not tokens.is_valid_lifetime(days):
            problems["days"] = _("1 to %(n)d days", n=tokens.MAX_DAYS)
        if problems:
            raise InvalidInput(_("The token was not created"), fields=problems)
        if await self.session.scalar(
            select(ApiToken.id).where(
                ApiToken.user_id == user_id, ApiToken.name == name,
                ApiToken.revoked_at.is_(None), ApiToken.expires_at > now,
            )
        ):
            raise Conflict(_("You already have a token named %(name)s", name=name), fields={"name": _("Name in use")})
        secret = "trk_" + rules.new_token()
        token = ApiToken(
            user_id=user_id, name=name, token_hash=rules.token_hash(secret), prefix=secret[:8],
            expires_at=tokens.expiry(now, days), read_only=read_only,
        )
        self.session.add(token)
        await self.session.flush()
        return NewApiToken(token=token, secret=secret)

    async def revoke_token(self, user_id: int, token_id: int, now: dt.datetime) -> None:
        token = await self.session.get(ApiToken, token_id)
        if token is None or token.user_id != user_id or token.revoked_at is not None:
            raise NotFound(_("No such token"))
        token.revoked_at = now
        await self.session.flush()

    async def revoke_all_tokens(self, user_id: int, now: dt.datetime) -> int:
        """Revoke every token of the user not yet revoked (each change in the audit log); how many."""
        open_tokens = (
            await self.session.scalars(
                select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            )
        ).all()
        for token in open_tokens:
            token.revoked_at = now
        await self.session.flush()
        return len(open_tokens)
