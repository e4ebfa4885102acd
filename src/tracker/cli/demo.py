"""`tracker demo`: migrate, load the demo town and its demo accounts, print them, serve."""

from __future__ import annotations

import asyncio
import errno
import socket
import sys
from typing import TYPE_CHECKING

import click

from tracker.config import Settings
from tracker.db import schema
from tracker.db.session import open_session
from tracker.domain.accounts.sessions import session_policy
from tracker.domain.clock import local_date, utc_now
from tracker.domain.roster.importing.report import ImportReport
from tracker.i18n import _, use_locale

if TYPE_CHECKING:
    from tracker.demo.last_year import LastYearReport
    from tracker.demo.town import DemoAccountState
    from tracker.demo.work import DemoWorkReport


@click.command(
    "demo",
    help="Migrate, load the demo town and its demo accounts (printed), and serve it on 127.0.0.1:8000.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo_command(host: str, port: int) -> None:
    import uvicorn

    from tracker.app import create_app

    settings = Settings()
    with use_locale(settings.default_locale):
        sock = listening_socket(host, port)  # first: a port in use ends the command before any work
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    schema.upgrade(settings.db_url)
    with use_locale(settings.default_locale):
        report, accounts = asyncio.run(load_demo_town(settings))
        for line in report.summary_lines():
            click.echo(line)
        for line in demo_account_lines(accounts):
            click.echo(line)
        click.echo(asyncio.run(load_demo_town_work(settings)).summary_line())
        click.echo(asyncio.run(load_demo_town_last_year(settings)).summary_line())
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{sock.getsockname()[1]}"
    if "base_url" not in settings.model_fields_set:  # reminders link to where the demo is served
        settings = settings.model_copy(update={"base_url": address})
    click.echo(f"tracker demo: serving on {address}/")
    config = uvicorn.Config(create_app(settings), server_header=False)
    uvicorn.Server(config).run(sockets=[sock])


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on host:port; else one line on stderr and exit code 1 (port in use, bad address)."""
    sock: socket.socket | None = None
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does; a listener still wins
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        if sock is not None:
            sock.close()
        in_use = exc.errno == errno.EADDRINUSE
        reason = _("the port is in use; choose another with --port") if in_use else (exc.strerror or str(exc))
        address = f"{host}:{port}"
        where = _("cannot listen on %(address)s", address=address)
        click.echo(f"tracker demo: {where}: {reason}", err=True)
        sys.exit(1)
    sock.set_inheritable(True)
    return sock


async def load_demo_town(settings: Settings) -> tuple[ImportReport, list[DemoAccountState]]:
    from tracker.demo.town import ensure_demo_accounts, load_demo

    now = utc_now()
    async with open_session(settings.db_url) as session:
        report = await load_demo(session, local_date(now, settings.timezone))
        accounts = await ensure_demo_accounts(session, session_policy(settings), now)
    return report, accounts


async def load_demo_town_work(settings: Settings) -> DemoWorkReport:
    """This year's work for the demo town up to now (tracker/demo_work.py); none if it has work already."""
    from sqlalchemy import select

    from tracker.db.models.roster import Town
    from tracker.demo.town import DEMO_ACTOR, DEMO_TOWN_CODE
    from tracker.demo.work import load_demo_work
    from tracker.domain.audit.context import acting_as

    async with open_session(settings.db_url) as session:
        town = (await session.scalars(select(Town).where(Town.code == DEMO_TOWN_CODE))).one()
        with acting_as(DEMO_ACTOR):
            return await load_demo_work(session, town, utc_now())



async def load_demo_town_last_year(settings: Settings) -> LastYearReport:
    """Last year's work for the demo town, finalised, and the cadres' village visits (demo/last_year.py);
    nothing if last year is there already."""
    from sqlalchemy import select

    from tracker.db.models.roster import Town
    from tracker.demo.last_year import load_demo_last_year
    from tracker.demo.town import DEMO_ACTOR, DEMO_TOWN_CODE
    from tracker.domain.audit.context import acting_as

    async with open_session(settings.db_url) as session:
        town = (await session.scalars(select(Town).where(Town.code == DEMO_TOWN_CODE))).one()
        with acting_as(DEMO_ACTOR):
            return await load_demo_last_year(session, town, utc_now())

def demo_account_lines(accounts: list[DemoAccountState]) -> list[str]:
    from tracker.demo.town import DEMO_PASSWORD
    from tracker.domain.access import role_label

    lines = [
        _("DEMO ONLY: these accounts are for trying the tracker; never keep them on a real deployment."),
        _("Demo accounts, password %(password)s:", password=DEMO_PASSWORD),
    ]
    for state in accounts:
        who = f"{state.person.name} · {state.person.post}" if state.person else ""
        line = f"  {state.account.login:<10} {role_label(state.account.role):<8} {who}".rstrip()
        if state.problem:
            line += "  " + _("(not created: %(problem)s)", problem=state.problem)
        elif not state.created:
            line += "  " + _("(already there; left as it was)")
        lines.append(line)
    return lines
