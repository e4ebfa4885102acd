"""`tracker import roster FILE --town CODE [--dry-run]` (filled in by the roster import work)."""

from __future__ import annotations

import click


@click.group("import", help="Import data files.")
def import_group() -> None:
    pass
