"""Where reminders go: a person's own channels (e-mail, their robots and webhooks) and the group
robots of a unit or of the town, which get the escalation digests.

Who may change them: a person their own channels; the town's secretary (or an admin) any person's
channels in the town and the town's and units' robots. A channel outside that is answered as
missing (NotFound); a person's page the actor may not manage is refused (NotAllowed).

What is checked on save (each problem a field message; nothing is saved then):
- `kind`: e-mail (a person's only, and only once their address is set), WeCom, DingTalk or a
  webhook; the in-app bell needs no channel.
- `url` (robots and webhooks): `notify.urls.robot_url_problem` and, unless TRACKER_WEBHOOK_ALLOW_HTTP,
  the resolved check (the host must not be or resolve into this server's own network).
- `secret`: DingTalk's signing secret is optional and starts with "SEC" (the robot's security
  settings show it so: 加签, "SEC…"); a webhook's HMAC key is optional, at least 16 characters;
  WeCom robots take none.
- `label`: one line, at most 100 characters.
Saved URLs and secrets are shown masked (`notify.urls.mask_url` / `mask_secret`): editing replaces them.

`send_test` sends a short message in the actor's language at once (not through the outbox) and
returns what the channel answered, or why it failed: a failure is a result to show, not an error.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from html import escape

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.reminders import ChannelKind, NotifyChannel
from tracker.db.models.roster import Person, Town, Unit
from tracker.domain.access import Actor, can_manage_town
from tracker.domain.errors import InvalidInput, NotAllowed, NotFound
from tracker.domain.inputs import EMAIL_MAX, is_email
from tracker.domain.scope import Scope
from tracker.domain.text import text_problem
from tracker.i18n import _, current_locale, use_locale
from tracker.notify.deliver import DeliveryConfig, Target, deliver
from tracker.notify.errors import TransportError
from tracker.notify.message import Message
from tracker.notify.urls import mask_secret, mask_url, robot_url_problem, robot_url_problem_resolved

log = logging.getLogger(__name__)

ROBOT_KINDS = (ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.WEBHOOK)
PERSONAL_KINDS = (ChannelKind.EMAIL, *ROBOT_KINDS)
LABEL_MAX, URL_MAX, SECRET_MAX = 100, 500, 200
WEBHOOK_SECRET_MIN = 16
_SECRET = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces


@dataclass(frozen=True)
class ChannelIn:
    """A new channel: a person's (`person_id`), a unit's robot (`unit_id`) or the town's (neither)."""

    kind: str
    label: str = ""
    url: str = ""
    secret: str = ""
    person_id: int | None = None
    unit_id: int | None = None


@dataclass(frozen=True)
class ChannelChange:
    """An edit: the label, on/off, and a new URL or secret (empty: keep the saved one)."""

    label: str = ""
    active: bool = True
    url: str = ""
    secret: str = ""
    clear_secret: bool = False


@dataclass(frozen=True)
class ChannelView:
    """A channel as pages show it: its address and secret masked."""

    channel: NotifyChannel
    address: str  # a robot's URL masked, or the person's e-mail address
    secret: str  # masked


@dataclass
class PersonChannels:
    person: Person
    email_channel: ChannelView | None
    robots: list[ChannelView]


@dataclass
class TownChannels:
    town_robots: list[ChannelView]
    units: list[tuple[Unit, list[ChannelView]]]
    people: list[tuple[Person, list[ChannelView]]]


@dataclass(frozen=True)
class SendTestResult:
    ok: bool
    answer: str  # the channel's answer, or why it failed


def shown(channel: NotifyChannel, person: Person | None = None) -> ChannelView:
    email = (person.email or "") if person is not None else ""
    address = email if channel.kind is ChannelKind.EMAIL else mask_url(channel.url or "")
    return ChannelView(channel, address, mask_secret(channel.secret))


def email_problem(email: str) -> str | None:
    """A field message for an address no mail server would take (inputs.is_email, and no stray dots)."""
    if len(email) > EMAIL_MAX:
        return _("An e-mail address has at most %(n)d characters", n=EMAIL_MAX)
    local, _at, domain = email.rpartition("@")
    if (
        not is_email(email)
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or domain.rpartition(".")[2].isdigit()
    ):
        return _("Enter an e-mail address such as name@example.com")
    return None


def kind_problem(kind: str, *, group: bool) -> tuple[ChannelKind | None, str | None]:
    allowed = ROBOT_KINDS if group else PERSONAL_KINDS
    chosen = next((k for k in allowed if k.value == kind), None)
    if chosen is not None:
        return chosen, None
    if group and kind == ChannelKind.EMAIL.value:
        return None, _("E-mail goes to a person; a group needs a WeCom or DingTalk robot or a webhook")
    return None, _("Choose the kind of channel")


def secret_problem(kind: ChannelKind, secret: str) -> str | None:
    if not secret:
        return None
    if kind is ChannelKind.WECOM:
        return _("A WeCom robot has no secret: leave this empty")
    if len(secret) > SECRET_MAX or not _SECRET.fullmatch(secret):
        return _("A secret is up to %(n)d letters, digits and symbols, without spaces", n=SECRET_MAX)
    if kind is ChannelKind.DINGTALK and not secret.startswith("SEC"):
        return _('A DingTalk signing secret starts with "SEC" (the robot\'s security settings show it)')
    if kind is ChannelKind.WEBHOOK and len(secret) < WEBHOOK_SECRET_MIN:
        return _("A webhook secret has at least %(n)d characters", n=WEBHOOK_SECRET_MIN)
    return None


def label_problem(label: str) -> str | None:
    if len(label) > LABEL_MAX:
        return _("A name has at most %(n)d characters", n=LABEL_MAX)
    return text_problem(label, single_line=True)


class ChannelService:
    def __init__(
        self,
        session: AsyncSession,
        actor: Actor | None,
        scope: Scope | None = None,
        *,
        allow_http: bool = False,
    ) -> None:
        """`allow_http`: TRACKER_WEBHOOK_ALLOW_HTTP (http:// and loopback robot addresses, for tests)."""
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)
        self.allow_http = allow_http

    # -- who may ---------------------------------------------------------------------------------

    def manages(self, town: Town) -> bool:
        return self.actor is None or can_manage_town(self.actor, town.id)

    def _is_me(self, person_id: int | None) -> bool:
        return self.actor is not None and person_id is not None and self.actor.person_id == person_id

    async def _person(self, town: Town, person_id: int) -> Person:
        """A person of the town whose channels the actor may change (NotFound / NotAllowed)."""
        await self.scope.reach(town)
        person = await self.session.scalar(
            select(Person).where(Person.id == person_id, Person.town_id == town.id)
        )
        if person is None:
            raise NotFound(_("No person %(id)s in %(town)s", id=person_id, town=town.name))
        if not (self.manages(town) or self._is_me(person_id)):
            raise NotAllowed(_("Only the person themselves or the town's secretary may change where their reminders go"))  # fmt: skip
        return person

    def _require_manage(self, town: Town) -> None:
        if not self.manages(town):
            raise NotAllowed(_("Only the town's secretary may change the town's and units' robots"))

    async def get(self, town: Town, channel_id: int) -> NotifyChannel:
        """A channel of the town the actor may change; any other is answered as missing."""
        await self.scope.reach(town)
        channel = await self.session.scalar(
            select(NotifyChannel).where(NotifyChannel.id == channel_id, NotifyChannel.town_id == town.id)
        )
        if channel is None or not (self.manages(town) or self._is_me(channel.person_id)):
            raise NotFound(_("No channel %(id)s", id=channel_id))
        return channel

    # -- reading ---------------------------------------------------------------------------------

    async def _channels_of(self, town: Town, *conditions: object) -> list[NotifyChannel]:
        query = select(NotifyChannel).where(NotifyChannel.town_id == town.id, *conditions)
        return list((await self.session.scalars(query.order_by(NotifyChannel.id))).all())

    async def for_person(self, town: Town, person_id: int) -> PersonChannels:
        person = await self._person(town, person_id)
        channels = await self._channels_of(town, NotifyChannel.person_id == person.id)
        email = next((c for c in channels if c.kind is ChannelKind.EMAIL), None)
        robots = [shown(c) for c in channels if c.kind is not ChannelKind.EMAIL]
        return PersonChannels(person, shown(email, person) if email else None, robots)

    async def for_town(self, town: Town) -> TownChannels:
        """The town's robots, each unit's, and every person of the town with their channels."""
        await self.scope.reach(town)
        self._require_manage(town)
        channels = await self._channels_of(town)
        units = (
            await self.session.scalars(select(Unit).where(Unit.town_id == town.id).order_by(Unit.code))
        ).all()
        people = (
            await self.session.scalars(select(Person).where(Person.town_id == town.id).order_by(Person.code))
        ).all()
        return TownChannels(
            town_robots=[shown(c) for c in channels if c.person_id is None and c.unit_id is None],
            units=[(u, [shown(c) for c in channels if c.unit_id == u.id]) for u in units],
            people=[(p, [shown(c, p) for c in channels if c.person_id == p.id]) for p in people],
        )  # fmt: skip

    # -- changing --------------------------------------------------------------------------------

    async def _url_problem(self, url: str) -> str | None:
        if len(url) > URL_MAX:
            return _("An address has at most %(n)d characters", n=URL_MAX)
        return robot_url_problem(url, allow_http=self.allow_http) or await robot_url_problem_resolved(
            url, allow_http=self.allow_http
        )

    async def add(self, town: Town, data: ChannelIn, now: dt.datetime) -> NotifyChannel:
        """A new channel (an e-mail channel already there is switched on instead)."""
        person = await self._person(town, data.person_id) if data.person_id is not None else None
        if person is None:
            self._require_manage(town)
        if data.unit_id is not None and person is None:
            unit = await self.session.scalar(
                select(Unit).where(Unit.id == data.unit_id, Unit.town_id == town.id)
            )
            if unit is None:
                raise InvalidInput(_("No such unit"), fields={"unit_id": _("Choose a unit of this town")})
        kind, problem = kind_problem(data.kind, group=person is None)
        fields = {"kind": problem} if problem else {}
        label, url, secret = data.label.strip(), data.url.strip(), data.secret.strip()
        if (problem := label_problem(label)) is not None:
            fields["label"] = problem
        if kind is ChannelKind.EMAIL and person is not None and not person.email:
            fields["kind"] = _("Enter the e-mail address first, then turn e-mail on")
        if kind in ROBOT_KINDS:
            if not url:
                fields["url"] = _("Paste the robot's or webhook's address")
            elif (problem := await self._url_problem(url)) is not None:
                fields["url"] = problem
            if (problem := secret_problem(kind, secret)) is not None:
                fields["secret"] = problem
        if fields:
            raise InvalidInput(next(iter(fields.values())), fields=fields)
        assert kind is not None
        if kind is ChannelKind.EMAIL:
            existing = await self._channels_of(town, NotifyChannel.person_id == data.person_id,
                                               NotifyChannel.kind == ChannelKind.EMAIL)  # fmt: skip
            if existing:
                existing[0].active = True
                existing[0].label = label or existing[0].label
                await self.session.flush()
                return existing[0]
        channel = NotifyChannel(
            town_id=town.id, person_id=data.person_id, unit_id=None if person else data.unit_id, kind=kind,
            label=label, url=url if kind in ROBOT_KINDS else None, secret=(secret or None) if kind in ROBOT_KINDS else None,
        )  # fmt: skip
        self.session.add(channel)
        await self.session.flush()
        return channel

    async def update(self, town: Town, channel_id: int, data: ChannelChange, now: dt.datetime) -> NotifyChannel:  # fmt: skip
        """Rename, switch on or off, replace the address or the secret (or clear the secret)."""
        channel = await self.get(town, channel_id)
        label, url, secret = data.label.strip(), data.url.strip(), data.secret.strip()
        fields: dict[str, str] = {}
        if (problem := label_problem(label)) is not None:
            fields["label"] = problem
        if channel.kind in ROBOT_KINDS:
            if url and (problem := await self._url_problem(url)) is not None:
                fields["url"] = problem
            if (problem := secret_problem(channel.kind, secret)) is not None:
                fields["secret"] = problem
        elif url or secret:
            fields["url" if url else "secret"] = _("An e-mail channel has no address or secret of its own")
        if channel.kind is ChannelKind.EMAIL and data.active:
            person = await self.session.get(Person, channel.person_id)
            if person is None or not person.email:
                fields["active"] = _("Enter the e-mail address first, then turn e-mail on")
        if fields:
            raise InvalidInput(next(iter(fields.values())), fields=fields)
        channel.label = label
        channel.active = data.active
        if url:
            channel.url = url
        if secret:
            channel.secret = secret
        elif data.clear_secret:
            channel.secret = None
        await self.session.flush()
        return channel

    async def remove(self, town: Town, channel_id: int, *, missing_ok: bool = False) -> NotifyChannel | None:
        """Delete a channel; the messages already sent on it keep their record (channel_id set NULL).

        `missing_ok`: deleting twice is no error for the town's secretary (None: nothing was left to
        delete), who sees every channel of the town anyway; for anyone else a missing channel is
        NotFound, as one that is not theirs is."""
        await self.scope.reach(town)
        if missing_ok and self.manages(town):
            query = select(NotifyChannel.id).where(
                NotifyChannel.id == channel_id, NotifyChannel.town_id == town.id
            )
            if await self.session.scalar(query) is None:
                return None
        channel = await self.get(town, channel_id)
        await self.session.delete(channel)
        await self.session.flush()
        return channel

    async def set_email(self, town: Town, person_id: int, email: str, *, email_on: bool | None = None) -> Person:  # fmt: skip
        """A person's e-mail address (empty: none, and e-mail off); `email_on` also turns e-mail on or off."""
        person = await self._person(town, person_id)
        email = email.strip()
        fields: dict[str, str] = {}
        if email and (problem := text_problem(email, single_line=True) or email_problem(email)) is not None:
            fields["email"] = problem
        if email_on and not email and "email" not in fields:
            fields["email"] = _("Enter the e-mail address to receive reminders by e-mail")
        if fields:
            raise InvalidInput(fields["email"], fields=fields)
        person.email = email or None
        existing = await self._channels_of(town, NotifyChannel.person_id == person.id,
                                           NotifyChannel.kind == ChannelKind.EMAIL)  # fmt: skip
        if email_on and not existing:
            self.session.add(NotifyChannel(town_id=town.id, person_id=person.id, kind=ChannelKind.EMAIL))
        for channel in existing:
            channel.active = bool(email) and (channel.active if email_on is None else email_on)
        await self.session.flush()
        return person

    # -- trying one ------------------------------------------------------------------------------

    async def send_test(self, town: Town, channel_id: int, config: DeliveryConfig, *, link: str = "") -> SendTestResult:  # fmt: skip
        """Send a short test message on the channel now; what it answered, or why it failed."""
        channel = await self.get(town, channel_id)
        address = ""
        if channel.kind is ChannelKind.EMAIL:
            person = await self.session.get(Person, channel.person_id)
            address = (person.email or "") if person is not None else ""
        target = Target(kind=channel.kind, address=address, url=channel.url, secret=channel.secret)
        actor_locale = self.actor.locale if self.actor is not None and self.actor.locale else current_locale()
        with use_locale(actor_locale):
            message = trial_message(
                self.actor.login if self.actor is not None else "tracker", town.name, link
            )
            try:
                answer = await deliver(target, message, config)
            except TransportError as failure:
                return SendTestResult(False, failure.message)
            except Exception as failure:  # a test button must answer, whatever went wrong underneath
                log.exception("test message on channel %s failed", channel.id)
                problem = _("The test message could not be sent (%(error)s)", error=type(failure).__name__)
                return SendTestResult(False, problem)
        return SendTestResult(True, answer)


def trial_message(sender: str, town_name: str, link: str) -> Message:
    subject = _("Test message from the responsibility tracker")
    text = _(
        "%(sender)s of %(town)s sent this test message. If you can read it, reminders will reach you here.",
        sender=sender,
        town=town_name,
    )
    html = f"<p>{escape(text)}</p>" + (f'<p><a href="{escape(link)}">{escape(link)}</a></p>' if link else "")
    markdown = f"**{subject}**\n\n{text}" + (f"\n\n[{link}]({link})" if link else "")
    return Message(
        subject=subject, text=text + (f"\n\n{link}" if link else ""), html=html, markdown=markdown, link=link
    )
