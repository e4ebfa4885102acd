"""What happens elsewhere when the roster changes, in the same transaction as the change.

The roster sits below the areas that plan work from it, so it cannot call them: they register a
hook here instead (`tracker.listeners.install_listeners`, called by create_app, the CLI and the
tests), and the roster calls `roster_changed(...)` after each change it makes (contact points set
from the pages or the API, a roster import). Hooks run in registration order and share the
caller's session: their writes commit or roll back with the roster's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import Town

RosterChangeHook = Callable[[AsyncSession, Town, dt.date, "dt.datetime | None"], Awaitable[object]]

_hooks: list[RosterChangeHook] = []


def on_roster_change(hook: RosterChangeHook) -> None:
    """Register `hook(session, town, today, now)`; registering the same hook again does nothing."""
    if hook not in _hooks:
        _hooks.append(hook)


async def roster_changed(session: AsyncSession, town: Town, today: dt.date, now: dt.datetime | None = None) -> None:
    """Tell every registered area that `town`'s roster changed as of its local `today`."""
    for hook in _hooks:
        await hook(session, town, today, now)
