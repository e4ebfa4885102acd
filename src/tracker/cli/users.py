"""`tracker users create | reset-password | disable | enable | unlock | reset-mfa`: account administration
from the server's shell."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click
from sqlalchemy import select

from tracker.config import Settings
from tracker.db.models.accounts import Role
from tracker.db.models.roster import Town
from tracker.db.session import open_session
from tracker.domain.accounts.mfa_service import MfaService
from tracker.domain.accounts.sessions import SessionService, session_policy
from tracker.domain.accounts.users import UserService
from tracker.domain.audit.context import AuditActor, acting_as
from tracker.domain.clock import utc_now
from tracker.domain.errors import DomainError
from tracker.i18n import _, use_locale

CLI_ACTOR = AuditActor(None, "cli")


def _fail(error: DomainError) -> None:
    click.echo(f"tracker: {error.message}", err=True)
    for field, message in error.fields.items():
        click.echo(f"  {field}: {message}", err=True)
    raise SystemExit(1)


async def _with_users(settings: Settings, work):  # noqa: ANN001, ANN202
    async with open_session(settings.db_url) as session:
        return await work(session, UserService(session, SessionService(session, session_policy(settings))))


@contextlib.contextmanager
def _command_line() -> Iterator[Callable[[Any], Any]]:
    """The configured language, and the command line as the actor in the audit log; inside, `run(work)`
    does `work(session, users)` in one transaction and a refusal ends the command with its message."""
    settings = Settings()
    with use_locale(settings.default_locale), acting_as(CLI_ACTOR):

        def run(work: Any) -> Any:
            try:
                return asyncio.run(_with_users(settings, work))
            except DomainError as error:
                _fail(error)

        yield run


@click.group("users", help="Create accounts, reset passwords, disable, enable and unlock accounts.")
def users_group() -> None:
    pass


@users_group.command("create", help="Create an account; prints its initial password once.")
@click.option("--town", "town_code", help="Town code (not for admin).")
@click.option("--login", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--person", "person_id", type=int, help="Roster id of the person the account belongs to.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of generating one.")
def create_command(town_code: str | None, login: str, role: str, person_id: int | None, password_stdin: bool) -> None:
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None

    async def work(session, users: UserService):  # noqa: ANN001, ANN202
        town = None
        if town_code:
            town = await session.scalar(select(Town).where(Town.code == town_code))
            if town is None:
                raise DomainError(_("No town with code %(code)s", code=town_code))
        viewer_towns = [town.id] if town is not None and Role(role) is Role.VIEWER else []
        return await users.create(
            login=login, role=Role(role), town=town, person_id=person_id, password=password, now=utc_now(),
            must_change_password=not password_stdin, viewer_town_ids=viewer_towns,
        )

    with _command_line() as run:
        account = run(work)
        click.echo(_("Created %(login)s (%(role)s).", login=account.user.login, role=role))
        if account.initial_password:
            click.echo(_("Initial password (shown once; to be changed at first sign-in): %(password)s",
                         password=account.initial_password))


@users_group.command("reset-password", help="Give LOGIN a new random password and end their sessions.")
@click.argument("login")
def reset_password_command(login: str) -> None:
    async def work(session, users: UserService):  # noqa: ANN001, ANN202
        return await users.reset_password(await users.get_by_login(login), utc_now())

    with _command_line() as run:
        password = run(work)
        click.echo(_("New password for %(login)s (shown once; to be changed at next sign-in): %(password)s",
                     login=login, password=password))


@users_group.command("disable", help="Disable LOGIN and end all of their sessions.")
@click.argument("login")
def disable_command(login: str) -> None:
    async def work(session, users: UserService):  # noqa: ANN001, ANN202
        await users.set_active(await users.get_by_login(login), False, utc_now())

    with _command_line() as run:
        run(work)
        click.echo(_("Disabled %(login)s; their sessions have ended.", login=login))


@users_group.command("reset-mfa", help="Forget LOGIN's second factor (a lost phone) and end their sessions.")
@click.argument("login")
def reset_mfa_command(login: str) -> None:
    async def work(session, users: UserService):  # noqa: ANN001, ANN202
        return await MfaService(session, users.sessions).reset(await users.get_by_login(login), utc_now())

    with _command_line() as run:
        had = run(work)
        if had:
            click.echo(_("Two-step verification of %(login)s reset; their sessions have ended. "
                         "An administrator or secretary sets it up again at the next sign-in.", login=login))
        else:
            click.echo(_("%(login)s had no two-step verification; their sessions have ended.", login=login))


@users_group.command("enable", help="Enable LOGIN again (a disabled account; they sign in anew).")
@click.argument("login")
def enable_command(login: str) -> None:
    async def work(session, users: UserService):  # noqa: ANN001, ANN202
        await users.set_active(await users.get_by_login(login), True, utc_now())

    with _command_line() as run:
        run(work)
        click.echo(_("Enabled %(login)s; they may sign in again.", login=login))


@users_group.command("unlock", help="Forget LOGIN's failed sign-ins: no wait before their next attempt.")
@click.argument("login")
def unlock_command(login: str) -> None:
    async def work(session, users: UserService):  # noqa: ANN001, ANN202
        return await users.unlock(await users.get_by_login(login), utc_now())

    with _command_line() as run:
        unlocked = run(work)
        if unlocked:
            click.echo(_("Unlocked %(login)s: they may sign in again at once.", login=login))
        else:
            click.echo(_("%(login)s had no failed sign-ins to forget.", login=login))
