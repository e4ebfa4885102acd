"""Sending a record back, and telling its author: work's RecordCorrections does the send-back (rule,
lock, record gone, task reopened, audited); this service, above work in the import layers, then
queues the notice in the outbox in the same transaction, so a send-back that is refused or rolled
back tells nobody, and one that commits is told once.

The notice goes to the author's in-app list (the bell) and to each of the author's own active
channels (e-mail when they have an address, their robot or webhook), as the reminders go; group
robots are not told (a send-back is between the author and whoever sent it back). Each message's
key is `rb<change id>:<channel>`, unique: the dispatcher sends it once. Rendered in the author's
language (their account's, else the town's default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.accounts import User
from tracker.db.models.record_changes import RecordChange
from tracker.db.models.reminders import ChannelKind, NotifyChannel, OutboxMessage, OutboxStatus
from tracker.db.models.roster import Person, Town
from tracker.db.models.tasks import Task
from tracker.domain.access import Actor
from tracker.domain.clock import local_date
from tracker.domain.scope import Scope
from tracker.domain.work.corrections import RecordCorrections
from tracker.i18n import DEFAULT_LOCALE, _, format_date, use_locale
from tracker.notify.urls import mask_url


@dataclass(frozen=True)
class Notice:
    subject: str
    text: str
    html: str
    markdown: str


def render_notice(title: str, day: dt.date, by_name: str, reason: str, url: str, locale: str) -> Notice:
    """The words of a send-back notice in `locale`. Pure."""
    with use_locale(locale):
        subject = _("Your record was sent back: %(title)s", title=title)
        said = _("%(name)s sent back your record of %(day)s.", name=by_name, day=format_date(day))
        why = _("Reason: %(reason)s", reason=reason)
        again = _("The task is open again: record it anew.")
    text = f"{said}\n{why}\n{again}\n{url}"
    html = (
        f"<p>{escape(said)}</p><p>{escape(why)}</p>"
        f'<p>{escape(again)} <a href="{escape(url)}">{escape(title)}</a></p>'
    )
    markdown = f"**{subject}**\n\n{said}\n\n{why}\n\n[{again}]({url})"
    return Notice(subject, text, html, markdown)


class SendBackService:
    def __init__(
        self, session: AsyncSession, actor: Actor | None, base_url: str, scope: Scope | None = None,
        default_locale: str = DEFAULT_LOCALE,
    ) -> None:  # fmt: skip
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)
        self.base_url = base_url.rstrip("/")
        self.default_locale = default_locale

    async def send_back(self, record_id: int, reason: str, now: dt.datetime) -> RecordChange:
        """Send the record back (RecordCorrections.send_back) and queue the notice to its author."""
        change = await RecordCorrections(self.session, self.actor, self.scope).send_back(
            record_id, reason, now
        )
        await self._notify(change, now)
        return change

    async def _notify(self, change: RecordChange, now: dt.datetime) -> None:
        person = await self.session.get(Person, change.person_id)
        town = await self.session.get(Town, change.town_id)
        if person is None or town is None:  # pragma: no cover - the foreign keys forbid it
            return
        locale = await self.session.scalar(
            select(User.locale).where(User.person_id == person.id, User.active.is_(True)).order_by(User.id)
        )
        task = await self.session.get(Task, change.task_id) if change.task_id is not None else None
        title = task.title if task is not None else _("Unplanned work")
        url = f"{self.base_url}/tasks/{task.id}" if task is not None else f"{self.base_url}/my"
        day = dt.date.fromisoformat(change.snapshot["occurred_on"])
        notice = render_notice(title, day, change.by_name, change.reason, url, locale or self.default_locale)
        channels = (await self.session.scalars(
            select(NotifyChannel).where(NotifyChannel.town_id == town.id, NotifyChannel.person_id == person.id,
                                        NotifyChannel.active.is_(True)).order_by(NotifyChannel.id)
        )).all()  # fmt: skip
        targets: list[tuple[ChannelKind, int | None, str, str]] = [(ChannelKind.IN_APP, None, "", "in_app")]
        for channel in channels:
            if channel.kind is ChannelKind.EMAIL and person.email:
                targets.append((channel.kind, channel.id, person.email, f"c{channel.id}"))
            elif channel.kind is not ChannelKind.EMAIL and channel.url:
                targets.append((channel.kind, channel.id, mask_url(channel.url), f"c{channel.id}"))
        slot = local_date(now, town.timezone).isoformat()
        self.session.add_all(
            OutboxMessage(
                town_id=town.id, key=f"rb{change.id}:{suffix}", slot=slot, person_id=person.id,
                channel_id=channel_id, channel_kind=kind, address=address, locale=locale or self.default_locale,
                subject=notice.subject, text=notice.text, html=notice.html, markdown=notice.markdown,
                mentions=[], status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=now, last_error="",
            )
            for kind, channel_id, address, suffix in targets
        )  # fmt: skip
        await self.session.flush()


__all__ = ["Notice", "SendBackService", "render_notice"]
