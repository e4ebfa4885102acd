"""Roster import, `--create-accounts`: an account for every imported person who has none yet.

The login is the person's code in lowercase (`S05` -> `s05`); when that is taken by someone else
(logins are unique across towns, codes only within one), the town's code goes in front
(`meili.s05`). Tier-1 officials get the role `official`, everyone else `member`. Each account gets
a random initial password, to be changed at first sign-in: the caller shows it once and keeps it
nowhere (the audit log masks the hash). A person who has an account keeps it: running the import
again creates nothing new. The caller's unit of work commits, with the import itself.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role, User
from tracker.db.models.roster import Person, Tier, Town
from tracker.domain.accounts.users import LOGIN_PATTERN, UserService
from tracker.domain.errors import DomainError
from tracker.domain.roster.importing.report import ImportReport
from tracker.i18n import _


@dataclass(frozen=True)
class PersonAccount:
    login: str
    name: str
    password: str | None  # None on a dry run: nothing was made


@dataclass(frozen=True)
class SkippedPerson:
    code: str
    name: str
    reason: str


@dataclass
class AccountsReport:
    dry_run: bool
    created: list[PersonAccount] = field(default_factory=list)
    skipped: list[SkippedPerson] = field(default_factory=list)
    had_one: int = 0  # people who have an account already

    def lines(self) -> list[str]:
        """What to print, once: the table of new logins and passwords, then what was skipped."""
        if self.dry_run:
            lines = [_("Accounts that would be created: %(count)d", count=len(self.created))]
            lines += [f"  {pad(a.login, 20)}{a.name}" for a in self.created]
        else:
            lines = [_("Accounts created: %(count)d", count=len(self.created))]
            if self.created:
                lines.append(_("Initial passwords, shown only now; each must be changed at first sign-in:"))
                width = max(display_width(a.name) for a in self.created) + 2
                lines.append(f"  {pad(_('login'), 20)}{pad(_('name'), width)}{_('password')}")
                lines += [f"  {pad(a.login, 20)}{pad(a.name, width)}{a.password}" for a in self.created]
        if self.had_one:
            lines.append(_("People who already have an account: %(count)d", count=self.had_one))
        for person in self.skipped:
            lines.append(
                _("No account for %(code)s %(name)s: %(reason)s", code=person.code, name=person.name,
                  reason=person.reason)
            )  # fmt: skip
        return lines


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(1, width - display_width(text))


def login_candidates(town_code: str, person_code: str) -> list[str]:
    """The logins to try for a person, in order (pure): the code, then the town's code and the code."""
    code = person_code.strip().lower()
    candidates = [code, f"{town_code.strip().lower()}.{code}"]
    return [c for c in dict.fromkeys(candidates) if LOGIN_PATTERN.match(c)]


def role_for(tier: Tier) -> Role:
    return Role.OFFICIAL if tier is Tier.SECTION_OFFICIAL else Role.MEMBER


def imported_people(report: ImportReport) -> list[tuple[str, str]]:
    """(code, name) of every person the file lists, in file order."""
    return [(c.code, c.name) for c in report.changes if c.record_type == "person"]


async def create_person_accounts(
    session: AsyncSession, users: UserService, report: ImportReport, now: dt.datetime
) -> AccountsReport:
    """After an import (or its dry run): make the accounts the file's people don't have yet."""
    result = AccountsReport(dry_run=report.dry_run)
    town = await session.scalar(select(Town).where(Town.code == report.town_code))
    people: dict[str, Person] = {}
    if town is not None:
        rows = await session.scalars(select(Person).where(Person.town_id == town.id))
        people = {p.code: p for p in rows.all()}
    person_ids = [p.id for p in people.values()]
    with_account = set(
        (await session.scalars(select(User.person_id).where(User.person_id.in_(person_ids)))).all()
    )
    planned: set[str] = set()
    for code, name in imported_people(report):
        person = people.get(code)
        if person is not None and person.id in with_account:
            result.had_one += 1
            continue
        if person is not None and not person.active:
            result.skipped.append(SkippedPerson(code, name, _("not active")))
            continue
        login = await _free_login(session, report.town_code, code, planned)
        if login is None:
            result.skipped.append(
                SkippedPerson(code, name, _("no free login name from this code; use `tracker users create`"))
            )
            continue
        planned.add(login)
        if report.dry_run:  # the person may not even exist yet: say what a real run would do
            result.created.append(PersonAccount(login, name, None))
            continue
        if person is None:  # cannot happen after a real import, which wrote every person of the file
            continue
        try:
            account = await users.create(
                login=login,
                role=role_for(person.tier),
                town=town,
                person_id=person.id,
                password=None,
                now=now,
            )
        except DomainError as error:
            result.skipped.append(
                SkippedPerson(code, name, "; ".join([error.message, *error.fields.values()]))
            )
            continue
        result.created.append(PersonAccount(account.user.login, person.name, account.initial_password))
    return result


async def _free_login(
    session: AsyncSession, town_code: str, person_code: str, planned: set[str]
) -> str | None:
    for login in login_candidates(town_code, person_code):
        if login not in planned and not await session.scalar(select(User.id).where(User.login == login)):
            return login
    return None
