"""Accounts in bulk: one for every active person of a town without one (or for a chosen few), each with
an initial password shown once on a printable slip and changed at first sign-in.

Safe to run twice at once (two tabs, two clicks): the rows go in with INSERT … ON CONFLICT DO NOTHING
against the unique person and login, so a person gets one account whoever gets there first, and
each request shows slips only for the accounts it made itself. The passwords are hashed in worker
threads (at most passwords.HASHING_THREADS at a time, all queued at once) with no transaction open.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import Role, User
from tracker.db.models.roster import Person, Town, Unit
from tracker.domain.access import Actor, assignable_roles
from tracker.domain.accounts import passwords, rules
from tracker.domain.audit.service import record_event
from tracker.domain.errors import InvalidInput
from tracker.i18n import _


@dataclass(frozen=True)
class Slip:
    name: str
    unit: str
    post: str
    login: str
    password: str  # shown once, on the slips page; only its hash is kept


@dataclass
class BulkResult:
    slips: list[Slip] = field(default_factory=list)
    already: int = 0  # people chosen who have an account (made meanwhile, in another tab)
    missed: list[str] = field(default_factory=list)  # names whose login was taken meanwhile: try again


@dataclass(frozen=True)
class Candidate:
    person: Person
    unit: str


class BulkAccounts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def without_account(self, town: Town) -> list[Candidate]:
        """The town's active people who have no account yet, by code, with their unit's name."""
        rows = await self.session.execute(
            select(Person, Unit.name)
            .outerjoin(Unit, Unit.id == Person.unit_id)
            .outerjoin(User, User.person_id == Person.id)
            .where(Person.town_id == town.id, Person.active.is_(True), User.id.is_(None))
            .order_by(Person.code)
        )
        return [Candidate(person, unit or "") for person, unit in rows.all()]

    async def _chosen(self, town: Town, person_ids: Sequence[int] | None) -> tuple[list[Candidate], int]:
        """Whom to make accounts for, and how many of those chosen have one already."""
        candidates = await self.without_account(town)
        if person_ids is None:
            return candidates, 0
        wanted = set(person_ids)
        chosen = [c for c in candidates if c.person.id in wanted]
        if len(chosen) < len(wanted):
            known = set(
                (
                    await self.session.scalars(
                        select(Person.id).where(
                            Person.town_id == town.id, Person.id.in_(wanted - {c.person.id for c in chosen})
                        )
                    )
                ).all()
            )
            with_account = set(
                (await self.session.scalars(select(User.person_id).where(User.person_id.in_(known)))).all()
            )
            if known - with_account or wanted - known:
                raise InvalidInput(
                    _("No account was created"),
                    fields={"people": _("Choose active people of this town from the list")},
                )
            return chosen, len(with_account)
        return chosen, 0

    async def _free_logins(self, town: Town, chosen: Sequence[Candidate]) -> dict[int, str]:
        """person id -> a login nobody has (one query for every candidate login)."""
        options = {
            c.person.id: rules.bulk_login_candidates(town.code, c.person.code, c.person.id) for c in chosen
        }
        every = {login for logins in options.values() for login in logins}
        taken = (
            set((await self.session.scalars(select(User.login).where(User.login.in_(every)))).all())
            if every
            else set()
        )
        picked: dict[int, str] = {}
        for person_id, logins in options.items():
            login = next((login for login in logins if login not in taken), None)
            if login is not None:
                taken.add(login)
                picked[person_id] = login
        return picked

    async def create(
        self,
        actor: Actor,
        town: Town,
        person_ids: Sequence[int] | None,
        now: dt.datetime,
        role: Role = Role.MEMBER,
    ) -> BulkResult:
        """Accounts for `person_ids` (None: everyone without one) of `town`, with the role `role` (by
        default the least powerful); the request's transaction commits them."""
        if role not in (Role.OFFICIAL, Role.MEMBER) or role not in assignable_roles(actor):
            raise InvalidInput(
                _("No account was created"),
                fields={"role": _("You may not give the role %(role)s", role=role.value)},
            )
        if person_ids is not None and not person_ids:
            raise InvalidInput(
                _("No account was created"), fields={"people": _("Choose at least one person")}
            )
        chosen, already = await self._chosen(town, person_ids)
        logins = await self._free_logins(town, chosen)
        chosen = [c for c in chosen if c.person.id in logins]
        # No transaction may stay open while hashing (SQLite would hold its lock the whole time).
        await self.session.commit()
        initial = {c.person.id: passwords.generate_initial_password() for c in chosen}
        hashes = await asyncio.gather(
            *(passwords.hash_password_in_thread(initial[c.person.id]) for c in chosen)
        )
        result = BulkResult(already=already)
        if not chosen:
            return result
        values = [
            {
                "login": logins[c.person.id], "role": role, "town_id": town.id, "person_id": c.person.id,
                "password_hash": password_hash, "must_change_password": True, "active": True,
            }
            for c, password_hash in zip(chosen, hashes, strict=True)
        ]  # fmt: skip
        dialect = postgresql if self.session.bind.dialect.name == "postgresql" else sqlite
        inserted = await self.session.execute(
            dialect.insert(User).values(values).on_conflict_do_nothing().returning(User.id, User.person_id)
        )
        made = {person_id: user_id for user_id, person_id in inserted.all()}
        missing = [c for c in chosen if c.person.id not in made]
        if missing:  # made meanwhile by another request, or its login taken meanwhile
            have = set(
                (
                    await self.session.scalars(
                        select(User.person_id).where(User.person_id.in_([c.person.id for c in missing]))
                    )
                ).all()
            )
            result.already += len(have)
            result.missed = [c.person.name for c in missing if c.person.id not in have]
        for c in chosen:
            if c.person.id not in made:
                continue
            login = logins[c.person.id]
            result.slips.append(Slip(c.person.name, c.unit, c.person.post, login, initial[c.person.id]))
            await record_event(
                self.session, "create", now=now, town_id=town.id, object_type="app_user", object_id=made[c.person.id],
                details={"after": {"login": login, "role": role.value, "person_id": c.person.id,
                                   "town_id": town.id, "must_change_password": True, "active": True}},
            )  # fmt: skip
        await self.session.flush()
        return result
