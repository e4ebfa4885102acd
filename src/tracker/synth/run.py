"""`synthesise(db_url, towns, year, …)`: the template town, its copies, and what was made.

Towns are numbered from 1: t0001 合成镇0001 is the template, t0002 … its copies (four digits, more
when N needs them). A database that has a synth town already is refused (SynthRefused), and so is a
year still to come: numbering on from an earlier run would mix two years' data under one scheme.
"Now" is the clock's for this year; for a past year, 31 December at 22:00 in the town's zone, so
that the whole year's work exists. One transaction: a failure leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import Person, Town
from tracker.db.models.tasks import Record, Task
from tracker.db.session import open_session
from tracker.domain.accounts.rules import SessionPolicy
from tracker.domain.clock import local_date, utc_now
from tracker.i18n import _
from tracker.synth.cloning import copy_town
from tracker.synth.shifts import Convert
from tracker.synth.template import CODE_PREFIX, SYNTH_ROLES, build_template, login_of, town_code, town_name

SYNTH_CODE = re.compile(rf"^{CODE_PREFIX}\d{{4,}}$")


class SynthRefused(Exception):
    """Nothing was written: the one line says why."""


@dataclass(frozen=True)
class SynthReport:
    towns: int
    people: int
    tasks: int
    records: int
    seconds: float
    first_code: str
    last_code: str
    year: int


def synth_now(year: int, timezone: str, clock: dt.datetime | None = None) -> dt.datetime:
    """The moment the synthetic work is made as of (module notes); SynthRefused for a future year."""
    clock = clock or utc_now()
    this_year = local_date(clock, timezone).year
    if year > this_year:
        raise SynthRefused(_("%(year)d has not begun: choose this year or an earlier one", year=year))
    if year == this_year:
        return clock
    return dt.datetime(year, 12, 31, 22, tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


async def existing_synth_towns(session: AsyncSession) -> list[str]:
    codes = (await session.scalars(select(Town.code).where(Town.code.like(f"{CODE_PREFIX}%")))).all()
    return sorted(code for code in codes if SYNTH_CODE.match(code))


async def synthesise(
    db_url: str, towns: int, year: int, *, seed: int, policy: SessionPolicy, timezone: str,
    clock: dt.datetime | None = None,
) -> SynthReport:  # fmt: skip
    """Make `towns` synthetic towns of `year` in the (migrated) database at `db_url`."""
    if towns < 1:
        raise SynthRefused(_("--towns must be at least 1"))
    started = time.monotonic()
    now = synth_now(year, timezone, clock)
    width = max(4, len(str(towns)))
    async with open_session(db_url) as session:
        if found := await existing_synth_towns(session):
            raise SynthRefused(_("synthetic towns exist already (%(first)s …): use an empty database",
                                 first=found[0]))  # fmt: skip
        template = await build_template(
            session, town_code(1, width), town_name(1, width), now, seed, policy, timezone
        )
        await copy_town(session, template.id, towns - 1, lambda table: _renames(table, width))
        counts = [await _count(session, model) for model in (Person, Task, Record)]
    people, tasks, records = counts
    return SynthReport(
        towns, people, tasks, records, seconds=time.monotonic() - started,
        first_code=town_code(1, width), last_code=town_code(towns, width), year=year,
    )  # fmt: skip


def _renames(table: str, width: int) -> Mapping[str, Convert]:
    """The values a copy may not share with the template: copy k is town number k + 1."""
    if table == "town":
        return {"code": lambda _v, k: town_code(k + 1, width), "name": lambda _v, k: town_name(k + 1, width)}
    if table == "app_user":
        template = town_code(1, width)
        return {"login": lambda login, k: _relogin(login, template, town_code(k + 1, width))}
    return {}


def _relogin(login: Any, template: str, code: str) -> str:
    logins = {login_of(template, suffix): login_of(code, suffix) for suffix, _role, _person in SYNTH_ROLES}
    return logins[login]


async def _count(session: AsyncSession, model: type[Person | Task | Record]) -> int:
    towns = [town_id for town_id, code in (await session.execute(select(Town.id, Town.code))).all()
             if SYNTH_CODE.match(code)]  # fmt: skip
    query = select(func.count()).select_from(model).where(model.town_id.in_(towns))
    return int(await session.scalar(query) or 0)
