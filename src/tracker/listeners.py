"""The listeners that tie the areas together at run time, installed once per process.

- every create, update and delete of an audited model is written to the audit log;
- tasks follow the roster: a roster change replans future tasks in the same transaction.

create_app, the `tracker` command line and the tests call `install_listeners()`; installing
twice changes nothing.
"""

from __future__ import annotations

from tracker.domain.audit.listener import install_audit_listener
from tracker.domain.planning.roster_sync import sync_after_roster_change
from tracker.domain.roster.events import on_roster_change


def install_listeners() -> None:
    install_audit_listener()
    on_roster_change(sync_after_roster_change)
