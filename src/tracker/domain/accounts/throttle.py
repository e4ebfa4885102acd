"""The sign-in throttle's counters: read, decided and written under a lock, on SQLite and PostgreSQL.

Each attempt locks its two counters (the account's and the address's) before reading them, in one
order (account, then address), so that parallel attempts are counted one after the other: on
PostgreSQL an INSERT ... ON CONFLICT DO NOTHING makes sure both rows exist and SELECT ... FOR
UPDATE locks them; on SQLite, which ignores FOR UPDATE, that same INSERT (a write, even when it
inserts nothing) takes the database's write lock until the commit. The waits come from the pure
rules (rules.throttle_wait, rules.count_failure); nothing here commits: the caller does, and must
do so before the slow password check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import SignInThrottle
from tracker.domain.accounts import rules

ACCOUNT = "account"
ADDRESS = "address"
KEY_MAX_LENGTH = 128


@dataclass(frozen=True)
class Verdict:
    """What the throttle says of one attempt: go ahead (`wait` zero, the attempt now counted as the
    account's `failures`-th failure until the password proves right) or wait, because of `by`."""

    wait: dt.timedelta
    by: str
    failures: int


@dataclass(frozen=True)
class AccountThrottle:
    """An account's failed sign-ins as its secretary sees them."""

    failures: int
    wait: dt.timedelta


def _count(row: SignInThrottle | None) -> rules.FailureCount | None:
    if row is None or not row.failures or row.first_failure_at is None or row.last_failure_at is None:
        return None
    return rules.FailureCount(row.failures, row.first_failure_at, row.last_failure_at)


def _key(text: str) -> str:
    return text[:KEY_MAX_LENGTH]


class ThrottleService:
    """`account_policy` and `address_policy` default to rules.ACCOUNT_THROTTLE and ADDRESS_THROTTLE,
    read when used."""

    def __init__(
        self,
        session: AsyncSession,
        account_policy: rules.ThrottlePolicy | None = None,
        address_policy: rules.ThrottlePolicy | None = None,
    ) -> None:
        self.session = session
        self._account_policy = account_policy
        self._address_policy = address_policy

    @property
    def account_policy(self) -> rules.ThrottlePolicy:
        return self._account_policy or rules.ACCOUNT_THROTTLE

    @property
    def address_policy(self) -> rules.ThrottlePolicy:
        return self._address_policy or rules.ADDRESS_THROTTLE

    async def _locked(self, account: str, address: str) -> dict[str, SignInThrottle]:
        """Both counters, created if new, locked until the transaction ends; by kind."""
        keys = [(ACCOUNT, _key(account)), (ADDRESS, _key(address))]
        dialect = self.session.get_bind().dialect.name
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        await self.session.execute(
            insert(SignInThrottle)
            .values([{"kind": kind, "key": key, "failures": 0} for kind, key in keys])
            .on_conflict_do_nothing(index_elements=["kind", "key"])
        )
        query = (
            select(SignInThrottle)
            .where(or_(*(and_(SignInThrottle.kind == kind, SignInThrottle.key == key) for kind, key in keys)))
            .order_by(SignInThrottle.kind, SignInThrottle.key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {row.kind: row for row in (await self.session.scalars(query)).all()}

    async def _write(self, row: SignInThrottle, count: rules.FailureCount | None) -> None:
        await self.session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.id == row.id)
            .values(
                failures=count.failures if count else 0,
                first_failure_at=count.first_failure_at if count else None,
                last_failure_at=count.last_failure_at if count else None,
            )
        )

    async def claim(self, account: str, address: str, now: dt.datetime) -> Verdict:
        """May an attempt on `account` from `address` be checked at `now`? If so it is counted as a
        failure straight away (so that parallel attempts can't all slip under the limit before any
        of them fails); `forgive` takes it back when the password is right."""
        rows = await self._locked(account, address)
        account_count, address_count = _count(rows.get(ACCOUNT)), _count(rows.get(ADDRESS))
        account_wait = rules.throttle_wait(account_count, now, self.account_policy)
        address_wait = rules.throttle_wait(address_count, now, self.address_policy)
        if account_wait or address_wait:
            by = ACCOUNT if account_wait >= address_wait else ADDRESS
            live = rules.live_failures(account_count, now, self.account_policy)
            return Verdict(wait=max(account_wait, address_wait), by=by, failures=live.failures if live else 0)
        counted = rules.count_failure(account_count, now, self.account_policy)
        await self._write(rows[ACCOUNT], counted)
        await self._write(rows[ADDRESS], rules.count_failure(address_count, now, self.address_policy))
        return Verdict(wait=dt.timedelta(0), by=ACCOUNT, failures=counted.failures)

    async def forgive(self, account: str, address: str) -> None:
        """The password was right: the account's count is cleared, the address's attempt taken back."""
        await self.session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.kind == ACCOUNT, SignInThrottle.key == _key(account))
            .values(failures=0, first_failure_at=None, last_failure_at=None)
        )
        await self.session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.kind == ADDRESS, SignInThrottle.key == _key(address), SignInThrottle.failures > 0)
            .values(failures=SignInThrottle.failures - 1)
        )

    async def unlock(self, account: str) -> bool:
        """Forget the account's failed sign-ins (its secretary or an admin said so); were there any?"""
        result = await self.session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.kind == ACCOUNT, SignInThrottle.key == _key(account), SignInThrottle.failures > 0)
            .values(failures=0, first_failure_at=None, last_failure_at=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def accounts(self, logins: Collection[str], now: dt.datetime) -> dict[str, AccountThrottle]:
        """The accounts among `logins` with failed sign-ins that still count, by login."""
        if not logins:
            return {}
        rows = await self.session.scalars(
            select(SignInThrottle).where(
                SignInThrottle.kind == ACCOUNT, SignInThrottle.key.in_([_key(login) for login in logins])
            )
        )
        found: dict[str, AccountThrottle] = {}
        for row in rows.all():
            live = rules.live_failures(_count(row), now, self.account_policy)
            if live is not None:
                found[row.key] = AccountThrottle(live.failures, rules.throttle_wait(live, now, self.account_policy))
        return found
