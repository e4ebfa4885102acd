"""Our own commands, added to Litestar's CLI group."""

from __future__ import annotations

import click


def register_commands(group: click.Group) -> None:
    """Add our commands, and install the run-time listeners (the audit log, tasks following the
    roster) that their writes need without an app: `tracker run` gets them from create_app."""
    from tracker.cli.demo import demo_command
    from tracker.cli.roster_import import import_group
    from tracker.cli.users import users_group
    from tracker.listeners import install_listeners

    install_listeners()
    group.add_command(import_group)
    group.add_command(demo_command)
    group.add_command(users_group)
