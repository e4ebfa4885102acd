"""The demo town 魅力镇 (code `meili`): a fictional roster loaded through the roster importer.

Loading is idempotent: the importer upserts by code, so a second load changes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from tracker.domain.roster.importer import RosterImporter
from tracker.domain.roster.importer_report import ImportReport
from tracker.paths import seeds_dir

DEMO_TOWN_CODE = "meili"


def demo_roster_path() -> Path:
    return seeds_dir() / "meili" / "roster.csv"


async def load_demo(session: AsyncSession, today: dt.date) -> ImportReport:
    """Import the demo roster into `session` (the caller commits); `today` starts new contact links."""
    return await RosterImporter(session).import_file(demo_roster_path(), DEMO_TOWN_CODE, today=today)
