"""`tracker demo`: migrate, load the demo town, serve."""

from __future__ import annotations

import click


@click.command("demo", help="Migrate, load the demo town and serve it on 127.0.0.1:8000.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo_command(host: str, port: int) -> None:
    import uvicorn

    from tracker.app import create_app

    click.echo(f"tracker demo: serving on http://{host}:{port}/")
    uvicorn.run(create_app(), host=host, port=port)
