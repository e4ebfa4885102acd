"""`tracker remind [--now ISO-TIME] [--dry-run]`: one pass of the reminders scheduler, printed.
`tracker worker`: the scheduler's loop on its own, for deployments that run it outside the web
processes (TRACKER_SCHEDULER=off), until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal

import click
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from tracker.config import Settings
from tracker.db import schema
from tracker.db.session import make_engine
from tracker.domain.clock import FIRST_YEAR, LAST_YEAR, utc_now
from tracker.domain.reminders.dispatch import DEFAULT_LEASE
from tracker.domain.reminders.scheduler import PassResult, run_forever, run_pass, worker_id
from tracker.i18n import _, use_locale
from tracker.web.startup import outdated_message, schema_problem

LEASE_ENV = "TRACKER_DISPATCH_LEASE_SECONDS"


def database_engine(settings: Settings) -> AsyncEngine:
    """PostgreSQL: a pool (a worker runs for months); SQLite: no pool, the pragmas (db/engine.py)."""
    if settings.is_sqlite:
        return make_engine(settings.db_url)
    return create_async_engine(settings.db_url, pool_size=2, max_overflow=2, pool_pre_ping=True)


def parse_now(text: str) -> dt.datetime:
    """An ISO 8601 time with its UTC offset; click.BadParameter with one clear line otherwise."""
    try:
        now = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            _("%(value)s is not a time such as 2027-12-20T09:00:00+08:00", value=text)
        ) from None
    if now.tzinfo is None or now.utcoffset() is None:
        raise click.BadParameter(
            _("%(value)s has no UTC offset: write it as 2027-12-20T09:00:00+08:00", value=text)
        )
    if not FIRST_YEAR <= now.year <= LAST_YEAR:
        raise click.BadParameter(
            _("Choose a time in the years %(first)d to %(last)d", first=FIRST_YEAR, last=LAST_YEAR)
        )
    return now.astimezone(dt.UTC)


def _refuse(command: str, message: str, code: int = 1) -> None:
    click.echo(f"tracker {command}: {message}", err=True)
    raise SystemExit(code)


def _schema_ready(settings: Settings, command: str, *, may_upgrade: bool) -> None:
    """PostgreSQL at head, or end the command with one line; SQLite brought up to date as the app does
    at start (not for a dry run, which writes nothing: an SQLite file not at head is refused then)."""
    problem = asyncio.run(schema_problem(settings))
    if problem:
        _refuse(command, problem)
    if not settings.is_sqlite:
        return
    heads = schema.head_revisions(settings.db_url)
    current = asyncio.run(_current_revisions(settings))
    if current == heads:
        return
    if not may_upgrade:
        _refuse(command, outdated_message(current, heads))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    schema.upgrade(settings.db_url)


async def _current_revisions(settings: Settings) -> set[str]:
    engine = make_engine(settings.db_url)
    try:
        return await schema.current_revisions(engine)
    finally:
        await engine.dispose()


async def _one_pass(settings: Settings, now: dt.datetime, *, dry_run: bool) -> PassResult:
    engine = database_engine(settings)
    try:
        session_maker = async_sessionmaker(engine, expire_on_commit=False)
        return await run_pass(session_maker, settings, now, dry_run=dry_run, worker=worker_id())
    finally:
        await engine.dispose()


def pass_lines(result: PassResult) -> list[str]:
    """One line per message (recipient | channel | subject), then the counts, always in this form."""
    lines = [f"tasks created {result.created_tasks}"]
    lines += [f"{m.recipient} | {m.channel_kind.value} | {m.subject}" for m in result.messages]
    lines.append(f"queued {result.queued}, sent {result.sent}, failed {result.failed}")
    return lines


@click.command(
    "remind",
    help="Run one reminders pass: plan tasks ahead, queue the reminders owed, send the outbox. "
    "Prints each message queued and, last, 'queued N, sent N, failed N'.",
)
@click.option(
    "--now", "now_text", metavar="ISO-TIME", help="Run as at this time, e.g. 2027-12-20T09:00:00+08:00."
)
@click.option("--dry-run", is_flag=True, help="Write and send nothing; print what would be queued.")
def remind_command(now_text: str | None, dry_run: bool) -> None:
    settings = Settings()
    with use_locale(settings.default_locale):
        try:
            now = parse_now(now_text) if now_text is not None else utc_now()
        except click.BadParameter as error:
            _refuse("remind", f"--now: {error.message}", code=2)
        _schema_ready(settings, "remind", may_upgrade=not dry_run)
        result = asyncio.run(_one_pass(settings, now, dry_run=dry_run))
        for line in pass_lines(result):
            click.echo(line)
        for error in result.errors:
            click.echo(f"tracker remind: {error}", err=True)
        if result.errors:
            raise SystemExit(1)


async def _work(settings: Settings, lease: dt.timedelta) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    engine = database_engine(settings)
    try:
        session_maker = async_sessionmaker(engine, expire_on_commit=False)
        await run_forever(session_maker, settings, worker=worker_id(), stop=stop, lease=lease)
    finally:
        await engine.dispose()


@click.command(
    "worker",
    help="Run the reminders scheduler until SIGINT/SIGTERM (for TRACKER_SCHEDULER=off deployments); "
    "any number may run at once.",
)
@click.option(
    "--lease-seconds",
    type=click.FloatRange(min=1, max=3600),
    default=DEFAULT_LEASE.total_seconds(),
    show_default=True,
    envvar=LEASE_ENV,
    show_envvar=True,
    help="How long a message being sent stays claimed; after it, another worker may send it again.",
)
def worker_command(lease_seconds: float) -> None:
    settings = Settings()
    with use_locale(settings.default_locale):
        _schema_ready(settings, "worker", may_upgrade=True)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        click.echo(_("tracker worker: sending reminders; stop with Ctrl+C or SIGTERM"), err=True)
        asyncio.run(_work(settings, dt.timedelta(seconds=lease_seconds)))
