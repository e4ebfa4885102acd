"""Our own commands, added to Litestar's CLI group."""

from __future__ import annotations

import click


def register_commands(group: click.Group) -> None:
    from tracker.cli.demo import demo_command
    from tracker.cli.roster_import import import_group
    from tracker.cli.users import users_group

    group.add_command(import_group)
    group.add_command(demo_command)
    group.add_command(users_group)
