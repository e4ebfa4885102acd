"""Our own commands, added to Litestar's CLI group; and two of its commands made fit for scripts."""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import click


def register_commands(group: click.Group) -> None:
    """Add our commands, and install the run-time listeners (the audit log, tasks following the
    roster) that their writes need without an app: `tracker run` gets them from create_app."""
    from advanced_alchemy.extensions.litestar.cli import database_group

    from tracker.cli.demo import demo_command
    from tracker.cli.reminders import remind_command, worker_command
    from tracker.cli.review import review_group
    from tracker.cli.roster_import import import_group
    from tracker.cli.synth import synth_command
    from tracker.cli.users import users_group
    from tracker.listeners import install_listeners

    install_listeners()
    group.add_command(import_group)
    group.add_command(demo_command)
    group.add_command(synth_command)
    group.add_command(users_group)
    group.add_command(remind_command)
    group.add_command(worker_command)
    group.add_command(review_group)
    _wrap(group.commands["run"], _checked_run)
    _wrap(database_group.commands["upgrade"], _no_prompt_without_terminal)


def _wrap(command: click.Command, wrapper: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Put `wrapper` around a command's callback, once (the group objects live as long as the process)."""
    if command.callback is None or getattr(command.callback, "_tracker_wrapped", False):
        return
    wrapped = functools.wraps(command.callback)(wrapper(command.callback))
    wrapped._tracker_wrapped = True  # type: ignore[attr-defined]
    command.callback = wrapped


def _checked_run(run: Callable[..., Any]) -> Callable[..., Any]:
    """`tracker run` (Litestar's): an empty or outdated PostgreSQL schema, or a database that doesn't
    answer, ends it with one line and exit code 1 before any server starts; and uvicorn sends no
    `Server` header (Litestar's command calls `uvicorn.run` without one, or `python -m uvicorn` with
    --workers/--reload, which reads UVICORN_SERVER_HEADER)."""

    def callback(*args: Any, **kwargs: Any) -> Any:
        import uvicorn

        from tracker.config import get_settings
        from tracker.web.startup import schema_problem

        problem = asyncio.run(schema_problem(get_settings()))
        if problem:
            click.echo(f"tracker: {problem}", err=True)
            sys.exit(1)
        os.environ["UVICORN_SERVER_HEADER"] = "false"
        serve = uvicorn.run
        uvicorn.run = functools.partial(serve, server_header=False)
        try:
            return run(*args, **kwargs)
        finally:
            uvicorn.run = serve

    return callback


def _no_prompt_without_terminal(upgrade: Callable[..., Any]) -> Callable[..., Any]:
    """`tracker database upgrade` asks "are you sure?" only of a person at a terminal: with no terminal
    on stdin (a script, CI, a container's entry point) it behaves as with --no-prompt."""

    def callback(*args: Any, **kwargs: Any) -> Any:
        if not sys.stdin or not sys.stdin.isatty():
            kwargs["no_prompt"] = True
        return upgrade(*args, **kwargs)

    return callback
