"""The demo town 魅力镇 (code `meili`): a fictional roster loaded through the roster importer, and
the demo accounts (password `tracker-demo`, for trying the tracker only).

Loading is idempotent: the importer upserts by code, so a second load changes nothing; a demo
account that exists already is left as it is (its password too). Only `tracker demo` calls this:
`tracker run` never creates these accounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role, User
from tracker.db.models.roster import Person, Town
from tracker.domain.accounts.rules import SessionPolicy
from tracker.domain.accounts.sessions import SessionService
from tracker.domain.accounts.users import UserService
from tracker.domain.audit.context import AuditActor, acting_as
from tracker.domain.errors import DomainError
from tracker.domain.roster.importing.report import ImportReport
from tracker.domain.roster.importing.run import RosterImporter
from tracker.paths import seeds_dir

DEMO_TOWN_CODE = "meili"
DEMO_PASSWORD = "tracker-demo"
DEMO_ACTOR = AuditActor(None, "demo")


@dataclass(frozen=True)
class DemoAccount:
    login: str
    role: Role
    person_code: str | None = None  # in the demo town


DEMO_ACCOUNTS = (
    DemoAccount("admin", Role.ADMIN),
    DemoAccount("secretary", Role.SECRETARY, "S01"),  # 陈立新, 党委书记
    DemoAccount("official", Role.OFFICIAL, "S05"),  # 李雅琴, 宣传委员: cadres C01 and C02 report to her
    DemoAccount("cadre", Role.MEMBER, "C01"),  # 韩晓磊, 东风村包村干部, below S05
    DemoAccount("viewer", Role.VIEWER),  # reads 魅力镇
)


@dataclass(frozen=True)
class DemoAccountState:
    account: DemoAccount
    created: bool
    person: Person | None
    problem: str | None = None  # why it could not be created


def demo_roster_path() -> Path:
    return seeds_dir() / "meili" / "roster.csv"


async def load_demo(session: AsyncSession, today: dt.date) -> ImportReport:
    """Import the demo roster into `session` (the caller commits); `today` starts new contact links."""
    return await RosterImporter(session).import_file(demo_roster_path(), DEMO_TOWN_CODE, today=today)


async def ensure_demo_accounts(
    session: AsyncSession, policy: SessionPolicy, now: dt.datetime
) -> list[DemoAccountState]:
    """Create the demo accounts that don't exist yet (after load_demo; the caller commits)."""
    town = await session.scalar(select(Town).where(Town.code == DEMO_TOWN_CODE))
    if town is None:
        msg = "load the demo town before its accounts"
        raise RuntimeError(msg)
    people = {
        p.code: p for p in (await session.scalars(select(Person).where(Person.town_id == town.id))).all()
    }
    users = UserService(session, SessionService(session, policy))
    states: list[DemoAccountState] = []
    with acting_as(DEMO_ACTOR):
        for account in DEMO_ACCOUNTS:
            person = people.get(account.person_code) if account.person_code else None
            if await session.scalar(select(User.id).where(User.login == account.login)):
                states.append(DemoAccountState(account, created=False, person=person))
                continue
            try:
                await users.create(
                    login=account.login,
                    role=account.role,
                    town=None if account.role in (Role.ADMIN, Role.VIEWER) else town,
                    person_id=person.id if person else None,
                    password=DEMO_PASSWORD,
                    now=now,
                    must_change_password=False,
                    viewer_town_ids=[town.id] if account.role is Role.VIEWER else (),
                )
            except DomainError as error:  # e.g. the person has another account already
                problem = "; ".join([error.message, *error.fields.values()])
                states.append(DemoAccountState(account, created=False, person=person, problem=problem))
                continue
            states.append(DemoAccountState(account, created=True, person=person))
    return states
