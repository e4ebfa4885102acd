"""The calendar feed: a user's secret, revocable address holding their person's open tasks.

- One address per user (`calendar_feed.user_id` is unique). Only the SHA-256 of its token and a short
  prefix are kept, as for API tokens: the address is shown once, when made; replacing it makes a
  new token (the old address answers 404 from then on); revoking deletes the row.
- Only a user linked to a person may make one: an administrator or a county viewer without a person
  has no tasks, and is told so (Conflict) instead of getting an address to an empty calendar.
- `feed(token, now)` is what the public address answers: None (404) for a token that is malformed,
  unknown or revoked, or whose user is disabled; else the ICS of the person's open tasks due from 30
  days ago on, read through the user's own reach (scope.py), in the user's language. A user whose
  person link was removed after making the address gets an empty calendar. `last_used_at` is written
  at most once a minute, with one conditional UPDATE (no audit entry: it is bookkeeping).
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tracker.db.models.accounts import User, ViewerTown
from tracker.db.models.reminders import CalendarFeed
from tracker.db.models.roster import Person, Town
from tracker.db.models.tasks import Task, TaskStatus
from tracker.domain.access import Actor
from tracker.domain.errors import Conflict, NotAllowed, NotFound, OutOfReach
from tracker.domain.reminders import calendar
from tracker.domain.scope import Scope
from tracker.i18n import SUPPORTED_LOCALES, _, use_locale


@dataclass(frozen=True)
class FeedStatus:
    """What the settings page shows of a user's calendar address."""

    has_person: bool  # only a user linked to a person may make an address
    prefix: str | None = None  # the start of the current address's token; None: there is none
    created_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None
    new_token: str | None = None  # the token itself, only right after it was made

    @property
    def active(self) -> bool:
        return self.prefix is not None


def no_person_message() -> str:
    return _("Your account is not linked to a person in the roster, so it has no tasks to put in a calendar")


class CalendarFeedService:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)

    def _own_user_id(self, user_id: int | None = None) -> int:
        """The signed-in user's id; another user's address is nobody else's business (404)."""
        if self.actor is None:
            if user_id is None:
                raise NotAllowed(_("Please sign in"))
            return user_id
        if user_id is not None and user_id != self.actor.user_id:
            raise NotFound(_("Not found"))
        return self.actor.user_id

    async def _row(self, user_id: int) -> CalendarFeed | None:
        return await self.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user_id))

    async def status(self, user_id: int | None = None, *, fresh_token: str | None = None) -> FeedStatus:
        """The address of `user_id` (the actor's own when not given). `fresh_token`, the token just
        made (carried by the page from the POST that made it), is shown only if it is still the
        address in force: a replaced or revoked one, or another user's, is not shown."""
        user_id = self._own_user_id(user_id)
        person_id = await self.session.scalar(select(User.person_id).where(User.id == user_id))
        row = await self._row(user_id)
        if row is None:
            return FeedStatus(has_person=person_id is not None)
        shown = fresh_token if fresh_token and calendar.token_hash(fresh_token) == row.token_hash else None
        return FeedStatus(
            has_person=person_id is not None, prefix=row.prefix, created_at=row.created_at,
            last_used_at=row.last_used_at, new_token=shown,
        )  # fmt: skip

    async def create_or_replace(self, now: dt.datetime) -> str:
        """A new secret address for the actor (replacing any they had); returns its token, which is
        kept nowhere in clear. Conflict for a user with no person."""
        user_id = self._own_user_id()
        person_id = await self.session.scalar(select(User.person_id).where(User.id == user_id))
        if person_id is None:
            message = no_person_message()
            raise Conflict(message, fields={"calendar": message})
        token = calendar.new_token()
        values = {"token_hash": calendar.token_hash(token), "prefix": token[: calendar.PREFIX_LENGTH]}
        row = await self._row(user_id)
        if row is None:
            try:
                async with self.session.begin_nested():
                    self.session.add(CalendarFeed(user_id=user_id, **values))
                    await self.session.flush()
                return token
            except IntegrityError:  # made at the same moment by another request of the same user
                row = await self._row(user_id)
                if row is None:
                    raise
        row.token_hash, row.prefix = values["token_hash"], values["prefix"]
        row.created_at, row.last_used_at = now, None  # the address in force was made now
        await self.session.flush()
        return token

    async def revoke(self) -> bool:
        """Forget the actor's address (it answers 404 from now on); whether there was one."""
        row = await self._row(self._own_user_id())
        if row is None:
            return False
        await self.session.delete(row)
        await self.session.flush()
        return True

    # -- the public address -------------------------------------------------------------------

    async def feed(self, token: str, now: dt.datetime, *, base_url: str) -> bytes | None:
        """The ICS behind `token`, or None when there is none (see the module notes)."""
        if not calendar.looks_like_token(token):
            return None
        found = (
            await self.session.execute(
                select(CalendarFeed, User)
                .join(User, User.id == CalendarFeed.user_id)
                .where(CalendarFeed.token_hash == calendar.token_hash(token))
            )
        ).first()
        if found is None or not found[1].active:
            return None
        feed, user = found
        if calendar.should_touch(feed.last_used_at, now):
            await self.session.execute(
                update(CalendarFeed)
                .where(CalendarFeed.id == feed.id)
                .where(or_(CalendarFeed.last_used_at.is_(None),
                           CalendarFeed.last_used_at <= now - calendar.TOUCH_INTERVAL))
                .values(last_used_at=now)
            )  # fmt: skip
        person = await self.session.get(Person, user.person_id) if user.person_id is not None else None
        town = await self.session.get(Town, person.town_id) if person is not None else None
        tasks = (
            await self._open_tasks(await self._owner(user), town, person.id, now) if person and town else []
        )
        # in the user's saved language, else the one the calendar app asked for (Accept-Language)
        locale = user.locale if user.locale in SUPPORTED_LOCALES else None
        with use_locale(locale) if locale else nullcontext():
            return calendar.build_calendar(
                tasks, name=person.name if person else "", timezone=town.timezone if town else "UTC",
                base_url=base_url, now=now,
            )  # fmt: skip

    async def _owner(self, user: User) -> Actor:
        """The feed's owner as an actor: the calendar shows only what they could read signed in."""
        viewer_towns = frozenset(
            (
                await self.session.scalars(select(ViewerTown.town_id).where(ViewerTown.user_id == user.id))
            ).all()
        )
        return Actor(user_id=user.id, login=user.login, role=user.role, town_id=user.town_id,
                     person_id=user.person_id, viewer_town_ids=viewer_towns)  # fmt: skip

    async def _open_tasks(
        self, owner: Actor, town: Town, person_id: int, now: dt.datetime
    ) -> list[calendar.CalendarTask]:
        try:
            reach = await Scope(self.session, owner).reach(town)
        except OutOfReach:
            return []  # e.g. a county viewer linked to a person of a town they may not read
        if not reach.may_read(person_id):
            return []
        query = (
            reach.filter(select(Task), Task)
            .where(
                Task.person_id == person_id,
                Task.status == TaskStatus.OPEN,
                Task.due_at > now - calendar.LOOKBACK,
            )
            .options(selectinload(Task.place))
            .order_by(Task.due_at, Task.id)
            .limit(calendar.MAX_EVENTS)
        )
        return [
            calendar.CalendarTask(
                id=task.id,
                title=task.title,
                due_at=task.due_at,
                status=task.status,
                place=task.place.name if task.place is not None else None,
                kind=task.kind,
                target_count=task.target_count,
                done_count=task.done_count,
            )
            for task in (await self.session.scalars(query)).all()
        ]


__all__ = ["CalendarFeedService", "FeedStatus", "no_person_message"]
