"""`tracker demo`: migrate, load the demo town, serve."""

from __future__ import annotations

import asyncio

import click

from tracker.config import Settings
from tracker.db import schema
from tracker.db.session import open_session
from tracker.domain.clock import local_date, utc_now
from tracker.domain.roster.importer_report import ImportReport
from tracker.i18n import use_locale


@click.command("demo", help="Migrate, load the demo town and serve it on 127.0.0.1:8000.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo_command(host: str, port: int) -> None:
    import uvicorn

    from tracker.app import create_app

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    schema.upgrade(settings.db_url)
    with use_locale(settings.default_locale):
        report = asyncio.run(load_demo_town(settings))
        for line in report.summary_lines():
            click.echo(line)
    click.echo(f"tracker demo: serving on http://{host}:{port}/")
    uvicorn.run(create_app(settings), host=host, port=port)


async def load_demo_town(settings: Settings) -> ImportReport:
    from tracker.demo import load_demo

    async with open_session(settings.db_url) as session:
        return await load_demo(session, local_date(utc_now(), settings.timezone))
