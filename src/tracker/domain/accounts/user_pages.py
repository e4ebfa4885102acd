"""User management for a town's secretary: list, create, reset a password, disable, enable, unlock."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from tracker.config import Settings
from tracker.db.models.accounts import Role
from tracker.db.models.roster import Town
from tracker.domain.access import Actor, account_refusal, assignable_roles, may_unlock_account
from tracker.domain.accounts.bulk_accounts import BulkAccounts
from tracker.domain.accounts.users import UserService
from tracker.domain.errors import InvalidInput
from tracker.domain.scope import Scope
from tracker.i18n import _
from tracker.web.guards import require_role


class NewUserForm(BaseModel):
    login: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=32)
    person_id: str = Field(default="", max_length=20)


class BulkForm(BaseModel):
    """Accounts in bulk: everyone without one (`everyone` set), or the people ticked."""

    everyone: str = Field(default="", max_length=8)
    person: list[str] | str = Field(default_factory=list, max_length=5000)
    role: str = Field(default="member", max_length=32)

    def person_ids(self) -> list[int] | None:
        """The ids ticked; None for everyone; a value that is no id makes the list refused (-1)."""
        if self.everyone:
            return None
        ticked = [self.person] if isinstance(self.person, str) else self.person
        return [int(t) if t.isascii() and t.isdecimal() and len(t) <= 18 else -1 for t in ticked]


class UserPages(Controller):
    path = "/towns/{code:str}/users"
    include_in_schema = False
    guards = [require_role(Role.SECRETARY)]

    async def _town(self, access_scope: Scope, code: str) -> Town:
        return await access_scope.managed_town(code, _("Only the town's secretary may change its roster"))

    async def _render(
        self, town: Town, actor: Actor, users: UserService, now: dt.datetime, **extra: object
    ) -> dict[str, object]:
        accounts = await users.list_in_town(town)
        listed = [user for user, _person in accounts]
        context: dict[str, object] = {
            "town": town,
            "accounts": accounts,
            # which buttons each row gets (the services refuse the rest anyway), and who must wait to sign in
            "manageable": {
                u.id for u in listed if account_refusal(actor, user_id=u.id, role=u.role, town_id=u.town_id) is None
            },
            "unlockable": {u.id for u in listed if may_unlock_account(actor, role=u.role, town_id=u.town_id)},
            "throttled": await users.throttled([u.login for u in listed], now),
            "people": await users.people_to_link(town),
            "without_account": await BulkAccounts(users.session).without_account(town),
            "roles": assignable_roles(actor),
            "fields": {},
            "form": {},
            "bulk_form": None,
            "shown_password": None,
        }
        context.update(extra)
        return context

    @get("/", name="users")
    async def list_users(
        self,
        actor: NamedDependency[Actor],
        access_scope: NamedDependency[Scope],
        users: NamedDependency[UserService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
    ) -> Template:
        town = await self._town(access_scope, code)
        return Template("accounts/users.html", context=await self._render(town, actor, users, now))

    @post("/", name="users_create", status_code=200)
    async def create_user(
        self,
        actor: NamedDependency[Actor],
        access_scope: NamedDependency[Scope],
        users: NamedDependency[UserService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        data: URLEncodedBody[NewUserForm],
    ) -> Template:
        town = await self._town(access_scope, code)
        role = next((r for r in Role if r.value == data.role), None)
        person_id = int(data.person_id) if data.person_id.isdigit() else None
        try:
            if role is None:
                raise InvalidInput(_("The account was not created"), fields={"role": _("Choose a role")})
            created = await users.create(
                login=data.login, role=role, town=town, person_id=person_id, password=None, now=now, actor=actor
            )
        except InvalidInput as problem:
            fields = problem.fields
            context = await self._render(town, actor, users, now, fields=fields, form=data.model_dump())
            return Template("accounts/users.html", context=context, status_code=400)
        context = await self._render(
            town, actor, users, now, shown_password=(created.user.login, created.initial_password)
        )
        return Template("accounts/users.html", context=context)

    @post("/bulk", name="users_bulk_create", status_code=200)
    async def create_in_bulk(
        self,
        actor: NamedDependency[Actor],
        access_scope: NamedDependency[Scope],
        users: NamedDependency[UserService],
        settings: NamedDependency[Settings],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        data: URLEncodedBody[BulkForm],
    ) -> Template:
        """Accounts for everyone without one, or for those ticked; answered with their slips to print
        (each password shown this once). Refusals: the users page with the field's message, nothing made."""
        town = await self._town(access_scope, code)
        role = next((r for r in Role if r.value == data.role), Role.VIEWER)  # an unknown role is refused
        try:
            made = await BulkAccounts(users.session).create(actor, town, data.person_ids(), now, role=role)
        except InvalidInput as problem:
            context = await self._render(town, actor, users, now, fields=problem.fields, form={}, bulk_form=data)
            return Template("accounts/users.html", context=context, status_code=400)
        return Template(
            "accounts/slips.html", context={"town": town, "result": made, "site": settings.base_url}
        )

    @post("/{user_id:int}/reset-password", name="users_reset_password", status_code=200)
    async def reset_password(
        self,
        actor: NamedDependency[Actor],
        access_scope: NamedDependency[Scope],
        users: NamedDependency[UserService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        user_id: FromPath[int],
    ) -> Template:
        town = await self._town(access_scope, code)
        user = await users.get_in_town(actor, town, user_id)
        password = await users.reset_password(user, now)
        context = await self._render(town, actor, users, now, shown_password=(user.login, password))
        return Template("accounts/users.html", context=context)

    async def _set_active(
        self, actor: Actor, access_scope: Scope, users: UserService, now: dt.datetime, code: str,
        user_id: int, active: bool,
    ) -> Redirect:  # fmt: skip
        """Disable or enable an account, back to the list. Two routes share it: each has its own name
        (`users_disable`, `users_enable`, which the page's forms use), so each has its own handler."""
        town = await self._town(access_scope, code)
        await users.set_active(await users.get_in_town(actor, town, user_id), active, now)
        return Redirect(f"/towns/{town.code}/users", status_code=303)

    @post("/{user_id:int}/disable", name="users_disable", status_code=303)
    async def disable(
        self,
        actor: NamedDependency[Actor],
        access_scope: NamedDependency[Scope],
        users: NamedDependency[UserService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        user_id: FromPath[int],
    ) -> Redirect:
        return await self._set_active(actor, access_scope, users, now, code, user_id, active=False)

    @post("/{user_id:int}/enable", name="users_enable", status_code=303)
    async def enable(
        self,
        actor: NamedDependency[Actor],
        access_scope: NamedDependency[Scope],
        users: NamedDependency[UserService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        user_id: FromPath[int],
    ) -> Redirect:
        return await self._set_active(actor, access_scope, users, now, code, user_id, active=True)

    @post("/{user_id:int}/unlock", name="users_unlock", status_code=303)
    async def unlock(
        self,
        actor: NamedDependency[Actor],
        access_scope: NamedDependency[Scope],
        users: NamedDependency[UserService],
        now: NamedDependency[dt.datetime],
        code: FromPath[str],
        user_id: FromPath[int],
    ) -> Redirect:
        """Lift the account's sign-in throttle: it may sign in again at once."""
        town = await self._town(access_scope, code)
        await users.unlock(await users.get_unlockable(actor, town, user_id), now)
        return Redirect(f"/towns/{town.code}/users", status_code=303)
