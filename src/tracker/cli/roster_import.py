"""`tracker import roster FILE --town CODE [--dry-run] [--create-accounts]`: load a town's roster
from .xlsx or .csv; with --create-accounts, also an account for each of its people who has none
(their initial passwords are printed once, as a table, and kept nowhere else).

Exit codes: 0 imported (or dry run passed), 1 the file has problems (all listed, nothing written),
2 usage error (click) or a database schema that needs `tracker database upgrade`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from tracker.config import Settings
from tracker.db.session import make_engine, open_session
from tracker.domain.accounts.sessions import SessionService, session_policy
from tracker.domain.accounts.users import UserService
from tracker.domain.clock import utc_now
from tracker.domain.roster.importing.accounts import AccountsReport, create_person_accounts
from tracker.domain.roster.importing.read import RosterFileError
from tracker.domain.roster.importing.report import ImportReport, RosterImportRejected
from tracker.domain.roster.importing.run import RosterImporter
from tracker.i18n import use_locale


@click.group("import", help="Import data files.")
def import_group() -> None:
    pass


@import_group.command(
    "roster",
    help="Import a town's roster (units, places, people, contact points) from FILE (.xlsx or .csv). "
    "Every row is checked first; if any row is bad, nothing is written. See docs/roster-format.md.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--town", "town_code", required=True, help="Code of the town the file is for.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; write nothing.")
@click.option(
    "--create-accounts",
    is_flag=True,
    help="Also create an account for every person of the file who has none (login: the person's code in "
    "lowercase; role official for tier-1 officials, member otherwise); prints each initial password once.",
)
def import_roster_command(file: Path, town_code: str, dry_run: bool, create_accounts: bool) -> None:
    settings = Settings()  # fresh: the command may run many times in one process (tests)
    with use_locale(settings.default_locale):
        try:
            report, accounts = asyncio.run(
                run_import(settings, file, town_code, dry_run=dry_run, create_accounts=create_accounts)
            )
        except RosterFileError as exc:
            click.echo(exc.message, err=True)
            raise SystemExit(1) from None
        except RosterImportRejected as exc:
            click.echo(exc.message, err=True)
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise SystemExit(1) from None
        for line in report.change_lines() + report.summary_lines():
            click.echo(line)
        for line in accounts.lines() if accounts else []:
            click.echo(line)  # the only place the initial passwords ever appear


async def run_import(
    settings: Settings, file: Path, town_code: str, *, dry_run: bool, create_accounts: bool = False
) -> tuple[ImportReport, AccountsReport | None]:
    await ensure_schema(settings)
    accounts = None
    async with open_session(settings.db_url) as session:
        report = await RosterImporter(session).import_file(
            file, town_code, dry_run=dry_run, default_timezone=settings.timezone
        )
        if create_accounts:  # in the same transaction: the roster and its accounts, or nothing
            users = UserService(session, SessionService(session, session_policy(settings)))
            accounts = await create_person_accounts(session, users, report, utc_now())
        if dry_run:
            await session.rollback()  # nothing was added; this makes sure nothing is committed
    return report, accounts


async def ensure_schema(settings: Settings) -> None:
    """Bring SQLite up to date, refuse an outdated PostgreSQL schema (as the app does at start)."""
    from tracker.web.startup import SchemaOutdated, prepare_database

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url)
    try:
        await prepare_database(settings, engine)
    except SchemaOutdated:
        raise SystemExit(2) from None
    finally:
        await engine.dispose()
