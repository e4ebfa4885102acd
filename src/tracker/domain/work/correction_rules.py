"""Who may change a record once it is filed, and when. Pure: the facts are passed in, `now` too.

- Its author (the person whose work it is, signed in as themselves) may correct or withdraw it on the
  town-local day it was filed, and no later: after that it stands, or is sent back.
- Someone above the author in the supervisor chain, the town's secretary or an administrator may send
  it back with a reason, on any day; never their own record (they withdraw it instead).
- Nothing changes a record of a finalised year (locks.py): checked by the service, under the lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from tracker.domain.clock import local_date

REASON_MAX = 500


@dataclass(frozen=True)
class RecordFacts:
    person_id: int  # whose work the record is
    filed_at: dt.datetime  # when it was saved (UTC)


@dataclass(frozen=True)
class ActorFacts:
    person_id: int | None
    manages_town: bool  # the town's secretary or an administrator
    below: Collection[int]  # everyone below the actor's person in the chain (officials)
    read_only: bool = False  # a county viewer


def filed_today(filed_at: dt.datetime, now: dt.datetime, timezone: str) -> bool:
    """Was the record filed on today's town-local day?"""
    return local_date(filed_at, timezone) == local_date(now, timezone)


def may_correct(record: RecordFacts, actor: ActorFacts, now: dt.datetime, timezone: str) -> bool:
    """Correct or withdraw: the author, the day it was filed."""
    return (
        not actor.read_only
        and actor.person_id is not None
        and actor.person_id == record.person_id
        and filed_today(record.filed_at, now, timezone)
    )


def may_send_back(record: RecordFacts, actor: ActorFacts) -> bool:
    """Send back: above the author in the chain, or the town's manager; never one's own record."""
    if actor.read_only or actor.person_id == record.person_id:
        return False
    return actor.manages_town or record.person_id in actor.below


def reason_problem(reason: str) -> str | None:
    """None when the reason is fine; else which check failed ("missing" or "too_long")."""
    text = reason.strip()
    if not text:
        return "missing"
    if len(text) > REASON_MAX:
        return "too_long"
    return None


__all__ = [
    "REASON_MAX",
    "ActorFacts",
    "RecordFacts",
    "filed_today",
    "may_correct",
    "may_send_back",
    "reason_problem",
]
