"""`tracker synth --towns N [--year YYYY] [--seed S]`: migrate, fill the database with N synthetic towns
shaped like the demo town (tracker/synth/), print what was made and how to sign in to it."""

from __future__ import annotations

import asyncio
import sys

import click

from tracker.config import Settings
from tracker.db import schema
from tracker.domain.accounts.sessions import session_policy
from tracker.domain.clock import local_date, utc_now
from tracker.i18n import _, use_locale


@click.command(
    "synth",
    help="Migrate, then fill the database with N synthetic towns shaped like the demo town (for measuring)."
    " Refused if it has synthetic towns already.",
)
@click.option("--towns", required=True, type=click.IntRange(min=1), help="how many towns")
@click.option("--year", type=int, default=None, help="the year of their work [default: this year]")
@click.option("--seed", type=int, default=2026, show_default=True, help="varies the template town's work")
def synth_command(towns: int, year: int | None, seed: int) -> None:
    from tracker.synth import SYNTH_PASSWORD, SYNTH_ROLES, SYNTH_TOTP_SECRET, SynthRefused, synthesise
    from tracker.synth.run import synth_now

    settings = Settings()
    with use_locale(settings.default_locale):
        year = year if year is not None else local_date(utc_now(), settings.timezone).year
        try:
            synth_now(year, settings.timezone)  # a year to come ends it before the database is touched
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            schema.upgrade(settings.db_url)
            policy = session_policy(settings)
            report = asyncio.run(
                synthesise(settings.db_url, towns, year, seed=seed, policy=policy, timezone=settings.timezone)
            )
        except SynthRefused as refused:
            click.echo(f"tracker synth: {refused}", err=True)
            sys.exit(1)
        per_town = {"people": report.people // report.towns, "tasks": report.tasks // report.towns,
                    "records": report.records // report.towns}  # fmt: skip
        click.echo(_(
            "Synthetic towns %(first)s … %(last)s (%(towns)d) for %(year)d: %(people)d people, "
            "%(tasks)d tasks, %(records)d records in %(seconds).1f s",
            first=report.first_code, last=report.last_code, towns=report.towns, year=report.year,
            people=report.people, tasks=report.tasks, records=report.records, seconds=report.seconds,
        ))  # fmt: skip
        click.echo(_("Each town: %(people)d people, %(tasks)d tasks, %(records)d records", **per_town))
        suffixes = ", ".join(f"<town>-{suffix}" for suffix, _role, _person in SYNTH_ROLES)
        example = f"{report.first_code}-cadre"
        click.echo(_("Accounts in every town: %(logins)s, e.g. %(example)s; password %(password)s",
                     logins=suffixes, example=example, password=SYNTH_PASSWORD))  # fmt: skip
        click.echo(_(
            "The secretaries' two-step verification: TOTP secret %(secret)s (a code serves once per "
            "30 seconds and account)", secret=SYNTH_TOTP_SECRET,
        ))  # fmt: skip
