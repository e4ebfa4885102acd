"""`tracker review export --town CODE --year YYYY --format docx|xlsx -o FILE`: a town's yearly review
as the draft report (DOCX) or its tables (XLSX), from the server's shell.

The review is the one the review page shows (ReviewService.review: the finalised year's snapshot
once the year is finalised, else computed "to date"), in the configured language unless --locale
says otherwise. Progress goes to stderr, one line per step; the last line on stdout names the file.
The file is written beside FILE under a temporary name and renamed into place: a path that can't be
written ends the command with one line on stderr and exit code 1, leaving nothing behind; an unknown
town ends it with exit code 2 (as a bad option does).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import click
from sqlalchemy import select
from sqlalchemy.engine import make_url

from tracker.cli.reminders import parse_now
from tracker.config import Settings
from tracker.db import schema
from tracker.db.models.roster import Town
from tracker.db.session import make_engine, open_session
from tracker.domain.clock import FIRST_YEAR, LAST_YEAR, utc_now
from tracker.domain.errors import DomainError
from tracker.domain.review.documents import report_of, tables_of
from tracker.domain.review.schemas import ReviewData
from tracker.domain.review.service import ReviewService
from tracker.exports.docx import write_report
from tracker.exports.xlsx import write_tables
from tracker.i18n import SUPPORTED_LOCALES, _, use_locale
from tracker.web.startup import outdated_message, schema_problem

FORMATS = ("docx", "xlsx")


class Refused(Exception):
    """The command stops with this one line and exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message, self.code = message, code


@click.group("review", help="The yearly review: export a town's draft report or tables.")
def review_group() -> None:
    pass


@review_group.command(
    "export",
    help="Write a town's review of YEAR as the draft report (docx) or its tables (xlsx) to FILE; "
    "a finalised year comes from its snapshot, a running year to date.",
)
@click.option("--town", "town_code", required=True, metavar="CODE", help="The town's code.")
@click.option("--year", required=True, type=click.IntRange(FIRST_YEAR, LAST_YEAR))
@click.option("--format", "file_format", required=True, type=click.Choice(FORMATS))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), metavar="FILE")
@click.option("--locale", type=click.Choice(SUPPORTED_LOCALES), help="The document's language (default: configured).")
@click.option("--now", "now_text", metavar="ISO-TIME", help="Compute as at this time, e.g. 2027-01-05T09:00:00+08:00.")
def export_command(
    town_code: str, year: int, file_format: str, output: Path, locale: str | None, now_text: str | None
) -> None:
    settings = Settings()
    with use_locale(locale or settings.default_locale):
        try:
            now = parse_now(now_text) if now_text is not None else None
        except click.BadParameter as error:
            click.echo(f"tracker review export: --now: {error.message}", err=True)
            raise SystemExit(2) from None
        try:
            size = export(settings, town_code, year, file_format, output, now=now, progress=_progress)
        except Refused as refusal:
            click.echo(f"tracker review export: {refusal.message}", err=True)
            raise SystemExit(refusal.code) from None
        click.echo(_("Wrote %(path)s (%(size)d bytes).", path=str(output), size=size))


def _progress(line: str) -> None:
    click.echo(f"tracker review export: {line}", err=True)


def export(
    settings: Settings, town_code: str, year: int, file_format: str, output: Path,
    *, now: dt.datetime | None = None, progress: Callable[[str], None] = lambda line: None,
) -> int:  # fmt: skip
    """Compute the review and write it to `output` (via a temporary file beside it); its size in bytes.
    Raises Refused with the one line to show."""
    target = output.expanduser()
    if target.is_dir():
        raise Refused(_("%(path)s is a directory", path=str(output)))
    with _temporary_beside(target) as (temporary, handle):
        _database_ready(settings)
        town, data = asyncio.run(_review(settings, town_code, year, now or utc_now(), progress))
        progress(_("writing %(format)s…", format=file_format))
        if file_format == "docx":
            content = write_report(report_of(data, town_name=town.name, zone=town.timezone))
        else:
            content = write_tables(tables_of(data))
        try:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.replace(temporary, target)
        except OSError as error:
            raise Refused(_("cannot write %(path)s: %(reason)s", path=str(output), reason=_reason(error))) from None
    return len(content)


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[tuple[Path, BinaryIO]]:
    """A new file next to `target` (same directory, so the rename is atomic), removed on the way out
    unless it was renamed into place."""
    path = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise Refused(_("cannot write %(path)s: %(reason)s", path=str(target), reason=_reason(error))) from None
    handle = os.fdopen(descriptor, "wb")
    try:
        yield path, handle
    finally:
        if not handle.closed:
            handle.close()
        path.unlink(missing_ok=True)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _database_ready(settings: Settings) -> None:
    """PostgreSQL answering at head, or an SQLite file that exists at head: an export writes nothing, so
    it neither creates nor upgrades a database."""
    problem = asyncio.run(schema_problem(settings))
    if problem:
        raise Refused(problem)
    if not settings.is_sqlite:
        return
    database = make_url(settings.db_url).database
    if not database or not Path(database).is_file():
        raise Refused(_("no database at %(path)s", path=str(database)))
    heads, current = schema.head_revisions(settings.db_url), asyncio.run(_current_revisions(settings.db_url))
    if current != heads:
        raise Refused(outdated_message(current, heads))


async def _current_revisions(db_url: str) -> set[str]:
    engine = make_engine(db_url)
    try:
        return await schema.current_revisions(engine)
    finally:
        await engine.dispose()


async def _review(
    settings: Settings, town_code: str, year: int, now: dt.datetime, progress: Callable[[str], None]
) -> tuple[Town, ReviewData]:
    async with open_session(settings.db_url) as session:
        town = await session.scalar(select(Town).where(Town.code == town_code))
        if town is None:
            raise Refused(_("No town with code %(code)s", code=town_code), code=2)
        progress(_("computing the review of %(town)s for %(year)d…", town=town.name, year=year))
        try:
            data = await ReviewService(session, None).review(town, year, now)
        except DomainError as error:
            raise Refused(error.message) from None
        return town, data
