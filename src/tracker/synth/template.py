"""The template town: the demo town's roster and work under a synth code, made through the demo's code.

`build_template(session, code, now, seed, policy)` (the caller commits):
1. imports seeds/meili/roster.csv through the roster importer with its town row renamed to `code`
   and `town_name(1)` (every person, place and contact link as the demo has them);
2. gives it this year's work up to `now` (demo/work.py) and last year, finalised (demo/last_year.py);
3. creates three accounts through UserService, linked to the people the demo accounts use:
   `<code>-secretary` (S01), `<code>-official` (S05), `<code>-cadre` (C01, a member), all with
   SYNTH_PASSWORD and no password change asked. A secretary must have a second factor (mfa.py), so
   the template's is enrolled with SYNTH_TOTP_SECRET: a benchmark computes its codes (a code serves
   once per 30-second step and account).
The copies (cloning.py) take these rows as they are, password hashes included: hashed once here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role
from tracker.db.models.mfa import TotpSecret
from tracker.db.models.roster import Person, Town
from tracker.demo.last_year import load_demo_last_year
from tracker.demo.town import demo_roster_path
from tracker.demo.work import load_demo_work
from tracker.domain.accounts.rules import SessionPolicy
from tracker.domain.accounts.sessions import SessionService
from tracker.domain.accounts.users import UserService
from tracker.domain.audit.context import AuditActor, acting_as
from tracker.domain.clock import local_date
from tracker.domain.roster.importing.read import read_roster_bytes
from tracker.domain.roster.importing.run import RosterImporter

SYNTH_ACTOR = AuditActor(None, "synth")
SYNTH_PASSWORD = "tracker-synth"
SYNTH_TOTP_SECRET = "TRACKERSYNTHTOTPSECRETTRACKERSYN"  # base32; every synth secretary shares it
# (login suffix, role, person code in the demo roster): the people DEMO_ACCOUNTS uses
SYNTH_ROLES = (
    ("secretary", Role.SECRETARY, "S01"),
    ("official", Role.OFFICIAL, "S05"),
    ("cadre", Role.MEMBER, "C01"),
)
DEMO_TOWN_ROW = "镇,meili,魅力镇,"  # the demo roster's town row, as it starts
CODE_PREFIX = "t"


def town_code(number: int, width: int = 4) -> str:
    """The code of synth town `number` (1 is the template): t0001, t0002 …"""
    return f"{CODE_PREFIX}{number:0{width}d}"


def town_name(number: int, width: int = 4) -> str:
    return f"合成镇{number:0{width}d}"


def login_of(code: str, suffix: str) -> str:
    return f"{code}-{suffix}"


async def build_template(
    session: AsyncSession, code: str, name: str, now: dt.datetime, seed: int, policy: SessionPolicy,
    timezone: str,
) -> Town:  # fmt: skip
    """Make the template town (module notes); its Town row."""
    text = demo_roster_path().read_text(encoding="utf-8")
    if DEMO_TOWN_ROW not in text:
        msg = f"the demo roster's town row no longer starts with {DEMO_TOWN_ROW!r}"
        raise RuntimeError(msg)
    renamed = text.replace(DEMO_TOWN_ROW, f"镇,{code},{name},", 1)
    table = read_roster_bytes(renamed.encode("utf-8"), "roster.csv")
    with acting_as(SYNTH_ACTOR):
        await RosterImporter(session).import_table(
            table, code, today=local_date(now, timezone), default_timezone=timezone
        )
        town = (await session.scalars(select(Town).where(Town.code == code))).one()
        await load_demo_work(session, town, now, seed=seed)
        await load_demo_last_year(session, town, now, seed=seed)
        await _accounts(session, town, now, policy)
    await session.flush()
    return town


async def _accounts(session: AsyncSession, town: Town, now: dt.datetime, policy: SessionPolicy) -> None:
    rows = await session.scalars(select(Person).where(Person.town_id == town.id))
    people = {p.code: p for p in rows.all()}
    users = UserService(session, SessionService(session, policy))
    for suffix, role, person_code in SYNTH_ROLES:
        made = await users.create(
            login=login_of(town.code, suffix), role=role, town=town, person_id=people[person_code].id,
            password=SYNTH_PASSWORD, now=now, must_change_password=False,
        )  # fmt: skip
        if role is Role.SECRETARY:
            session.add(TotpSecret(user_id=made.user.id, secret=SYNTH_TOTP_SECRET, enabled_at=now))
