"""Where reminders go, as pages: my own channels (/settings/channels), and the secretary's: the town's
and units' robots with everyone's channels (/towns/{code}/channels) and one person's
(/towns/{code}/people/{id}/channels).

Forms POST and redirect back (303); a form with problems is shown again with each message beside
its field (400) and nothing saved. The test button sends at once: to htmx it answers the channel's
row with the answer in it; without JavaScript it redirects back with the answer in a signed query
string. Deleting answers htmx with nothing (the row goes). The secretary's edit, delete and test
of any channel of the town go through /towns/{code}/channels/{id} and come back to the page of
the channel's owner.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from tracker.config import Settings
from tracker.db.models.accounts import Role
from tracker.db.models.reminders import NotifyChannel
from tracker.db.models.roster import Town
from tracker.domain.access import Actor
from tracker.domain.errors import InvalidInput, NotFound
from tracker.domain.reminders.channel_form import (
    ChannelEditForm,
    ChannelForm,
    EmailForm,
    ShownResult,
    read_result,
    result_query,
    shown_result,
)
from tracker.domain.reminders.channels import ROBOT_KINDS, ChannelService, shown
from tracker.domain.reminders.queue import delivery_config
from tracker.domain.reminders.schemas import CHANNEL_LABELS
from tracker.domain.scope import Scope
from tracker.domain.work.page_context import wants_partial
from tracker.i18n import _
from tracker.web.guards import require_role

OWN = "/settings/channels"


def _town_base(town: Town) -> str:
    return f"/towns/{town.code}/channels"


def _owner_page(town: Town, channel: NotifyChannel) -> str:
    if channel.person_id is not None:
        return f"/towns/{town.code}/people/{channel.person_id}/channels"
    return _town_base(town)


def _result(
    settings: Settings, tested: str | None, ok: str | None, answer: str | None, sig: str | None
) -> ShownResult | None:
    return read_result(settings.resolved_secret_key(), tested, ok, answer, sig)


def _base_context(**extra: Any) -> dict[str, Any]:
    return {
        "channel_labels": CHANNEL_LABELS,
        "robot_kinds": ROBOT_KINDS,
        "errors": {},
        "failed": None,  # which form the errors belong to: "email", "add" or a channel id
        "form": {},
        "result": None,
        "saved": False,
        **extra,
    }


async def _own_town(actor: Actor, scope: Scope) -> Town:
    """My town, when my account is a person's; else nothing of mine to change here."""
    town = await scope.home_town()
    if town is None or actor.person_id is None:
        raise NotFound(_("This account is not linked to a person in the roster"))
    return town


async def _person_page(channels: ChannelService, town: Town, person_id: int, **extra: Any) -> dict[str, Any]:
    pc = await channels.for_person(town, person_id)
    own = extra.pop("own", False)
    base = OWN if own else _town_base(town)
    person_base = OWN if own else f"/towns/{town.code}/people/{person_id}/channels"
    return _base_context(pc=pc, town=town, own=own, action_base=base, person_base=person_base, **extra)


def _row(channel: NotifyChannel, base: str, **extra: Any) -> Template:
    context = _base_context(view=shown(channel), action_base=base, **extra)
    return Template("reminders/_channel_row.html", context=context, status_code=200)


class OwnChannelPages(Controller):
    """My channels: my e-mail address and e-mail on or off, my own robots and webhooks."""

    path = OWN
    include_in_schema = False

    @get("/", name="my_channels")
    async def show(
        self, actor: NamedDependency[Actor], access_scope: NamedDependency[Scope],
        channels: NamedDependency[ChannelService], settings: NamedDependency[Settings],
        saved: FromQuery[str | None] = None, tested: FromQuery[str | None] = None, ok: FromQuery[str | None] = None,
        answer: FromQuery[str | None] = None, sig: FromQuery[str | None] = None,
    ) -> Template:  # fmt: skip
        town = await access_scope.home_town()
        if town is None or actor.person_id is None:
            return Template("reminders/channels.html", context=_base_context(pc=None, own=True))
        context = await _person_page(channels, town, actor.person_id, own=True, saved=bool(saved),
                                     result=_result(settings, tested, ok, answer, sig))  # fmt: skip
        return Template("reminders/channels.html", context=context)

    @post("/", name="my_channel_add", status_code=303)
    async def add(
        self, actor: NamedDependency[Actor], access_scope: NamedDependency[Scope],
        channels: NamedDependency[ChannelService], now: NamedDependency[dt.datetime], data: URLEncodedBody[ChannelForm],
    ) -> Template | Redirect:  # fmt: skip
        town = await _own_town(actor, access_scope)
        try:
            await channels.add(town, data.new_channel(person_id=actor.person_id), now)
        except InvalidInput as problem:
            context = await _person_page(channels, town, actor.person_id, own=True, errors=problem.fields,  # type: ignore[arg-type]
                                         failed="add", form=data.shown())  # fmt: skip
            return Template("reminders/channels.html", context=context, status_code=400)
        return Redirect(f"{OWN}?saved=1", status_code=303)

    @post("/email", name="my_email", status_code=303)
    async def email(
        self, actor: NamedDependency[Actor], access_scope: NamedDependency[Scope],
        channels: NamedDependency[ChannelService], data: URLEncodedBody[EmailForm],
    ) -> Template | Redirect:  # fmt: skip
        town = await _own_town(actor, access_scope)
        return await _set_email(channels, town, actor.person_id, data, own=True)  # type: ignore[arg-type]

    @post("/{channel_id:int}", name="my_channel_update", status_code=303)
    async def update(
        self, request: HTMXRequest, actor: NamedDependency[Actor], access_scope: NamedDependency[Scope],
        channels: NamedDependency[ChannelService], now: NamedDependency[dt.datetime], channel_id: FromPath[int],
        data: URLEncodedBody[ChannelEditForm],
    ) -> Template | Redirect:  # fmt: skip
        town = await _own_town(actor, access_scope)
        return await _update(request, channels, town, channel_id, data, now, own=True)

    @post("/{channel_id:int}/delete", name="my_channel_delete", status_code=303)
    async def delete(
        self, request: HTMXRequest, actor: NamedDependency[Actor], access_scope: NamedDependency[Scope],
        channels: NamedDependency[ChannelService], channel_id: FromPath[int],
    ) -> Response | Redirect:  # fmt: skip
        town = await _own_town(actor, access_scope)
        await channels.remove(town, channel_id)
        return _gone(request, f"{OWN}?saved=1")

    @post("/{channel_id:int}/test", name="my_channel_test", status_code=303)
    async def test(
        self, request: HTMXRequest, actor: NamedDependency[Actor], access_scope: NamedDependency[Scope],
        channels: NamedDependency[ChannelService], settings: NamedDependency[Settings], channel_id: FromPath[int],
    ) -> Template | Redirect:  # fmt: skip
        town = await _own_town(actor, access_scope)
        return await _test(request, channels, settings, town, channel_id, own=True)


class TownChannelPages(Controller):
    """The secretary's: the town's and units' robots, everyone's channels, one person's channels."""

    path = "/towns/{code:str}"
    include_in_schema = False
    guards = [require_role(Role.SECRETARY)]  # noqa: RUF012  (as Litestar declares it)

    @get("/channels", name="town_channels")
    async def show(
        self, access_scope: NamedDependency[Scope], channels: NamedDependency[ChannelService],
        settings: NamedDependency[Settings], code: FromPath[str], saved: FromQuery[str | None] = None,
        tested: FromQuery[str | None] = None, ok: FromQuery[str | None] = None, answer: FromQuery[str | None] = None,
        sig: FromQuery[str | None] = None,
    ) -> Template:  # fmt: skip
        town = await access_scope.town(code)
        context = await _town_page(
            channels, town, saved=bool(saved), result=_result(settings, tested, ok, answer, sig)
        )
        return Template("reminders/town_channels.html", context=context)

    @post("/channels", name="town_channel_add", status_code=303)
    async def add(
        self, access_scope: NamedDependency[Scope], channels: NamedDependency[ChannelService],
        now: NamedDependency[dt.datetime], code: FromPath[str], data: URLEncodedBody[ChannelForm],
    ) -> Template | Redirect:  # fmt: skip
        town = await access_scope.town(code)
        try:
            await channels.add(town, data.new_channel(person_id=None), now)
        except InvalidInput as problem:
            context = await _town_page(channels, town, errors=problem.fields, failed="add", form=data.shown())
            return Template("reminders/town_channels.html", context=context, status_code=400)
        return Redirect(f"{_town_base(town)}?saved=1", status_code=303)

    @post("/channels/{channel_id:int}", name="town_channel_update", status_code=303)
    async def update(
        self, request: HTMXRequest, access_scope: NamedDependency[Scope], channels: NamedDependency[ChannelService],
        now: NamedDependency[dt.datetime], code: FromPath[str], channel_id: FromPath[int],
        data: URLEncodedBody[ChannelEditForm],
    ) -> Template | Redirect:  # fmt: skip
        town = await access_scope.town(code)
        return await _update(request, channels, town, channel_id, data, now, own=False)

    @post("/channels/{channel_id:int}/delete", name="town_channel_delete", status_code=303)
    async def delete(
        self, request: HTMXRequest, access_scope: NamedDependency[Scope], channels: NamedDependency[ChannelService],
        code: FromPath[str], channel_id: FromPath[int],
    ) -> Response | Redirect:  # fmt: skip
        town = await access_scope.town(code)
        channel = await channels.remove(town, channel_id, missing_ok=True)  # None: deleted already
        return _gone(request, f"{_owner_page(town, channel) if channel else _town_base(town)}?saved=1")

    @post("/channels/{channel_id:int}/test", name="town_channel_test", status_code=303)
    async def test(
        self, request: HTMXRequest, access_scope: NamedDependency[Scope], channels: NamedDependency[ChannelService],
        settings: NamedDependency[Settings], code: FromPath[str], channel_id: FromPath[int],
    ) -> Template | Redirect:  # fmt: skip
        town = await access_scope.town(code)
        return await _test(request, channels, settings, town, channel_id, own=False)

    @get("/people/{person_id:int}/channels", name="person_channels")
    async def person(
        self, access_scope: NamedDependency[Scope], channels: NamedDependency[ChannelService],
        settings: NamedDependency[Settings], code: FromPath[str], person_id: FromPath[int],
        saved: FromQuery[str | None] = None, tested: FromQuery[str | None] = None, ok: FromQuery[str | None] = None,
        answer: FromQuery[str | None] = None, sig: FromQuery[str | None] = None,
    ) -> Template:  # fmt: skip
        town = await access_scope.town(code)
        context = await _person_page(channels, town, person_id, saved=bool(saved),
                                     result=_result(settings, tested, ok, answer, sig))  # fmt: skip
        return Template("reminders/person_channels.html", context=context)

    @post("/people/{person_id:int}/channels", name="person_channel_add", status_code=303)
    async def person_add(
        self, access_scope: NamedDependency[Scope], channels: NamedDependency[ChannelService],
        now: NamedDependency[dt.datetime], code: FromPath[str], person_id: FromPath[int],
        data: URLEncodedBody[ChannelForm],
    ) -> Template | Redirect:  # fmt: skip
        town = await access_scope.town(code)
        try:
            await channels.add(town, data.new_channel(person_id=person_id), now)
        except InvalidInput as problem:
            context = await _person_page(channels, town, person_id, errors=problem.fields, failed="add",
                                         form=data.shown())  # fmt: skip
            return Template("reminders/person_channels.html", context=context, status_code=400)
        return Redirect(f"/towns/{town.code}/people/{person_id}/channels?saved=1", status_code=303)

    @post("/people/{person_id:int}/channels/email", name="person_email", status_code=303)
    async def person_email(
        self, access_scope: NamedDependency[Scope], channels: NamedDependency[ChannelService],
        code: FromPath[str], person_id: FromPath[int], data: URLEncodedBody[EmailForm],
    ) -> Template | Redirect:  # fmt: skip
        town = await access_scope.town(code)
        return await _set_email(channels, town, person_id, data, own=False)


# -- shared by both controllers ----------------------------------------------------------------------


async def _town_page(channels: ChannelService, town: Town, **extra: Any) -> dict[str, Any]:
    tc = await channels.for_town(town)
    return _base_context(tc=tc, town=town, action_base=_town_base(town), **extra)


def _page_of(town: Town, person_id: int, own: bool) -> tuple[str, str]:
    if own:
        return OWN, "reminders/channels.html"
    return f"/towns/{town.code}/people/{person_id}/channels", "reminders/person_channels.html"


async def _set_email(
    channels: ChannelService, town: Town, person_id: int, data: EmailForm, *, own: bool
) -> Template | Redirect:
    url, template = _page_of(town, person_id, own)
    try:
        await channels.set_email(town, person_id, data.email, email_on=bool(data.email_on))
    except InvalidInput as problem:
        context = await _person_page(channels, town, person_id, own=own, errors=problem.fields, failed="email",
                                     form={"email": data.email, "email_on": bool(data.email_on)})  # fmt: skip
        return Template(template, context=context, status_code=400)
    return Redirect(f"{url}?saved=1", status_code=303)


async def _update(
    request: HTMXRequest, channels: ChannelService, town: Town, channel_id: int, data: ChannelEditForm,
    now: dt.datetime, *, own: bool,
) -> Template | Redirect:  # fmt: skip
    base = OWN if own else _town_base(town)
    try:
        channel = await channels.update(town, channel_id, data.change(), now)
    except InvalidInput as problem:
        if wants_partial(request):
            row = await channels.get(town, channel_id)
            return Template("reminders/_channel_row.html", status_code=400, context=_base_context(
                view=shown(row), action_base=base, errors=problem.fields, failed=channel_id,
                form={"label": data.label, "url": data.url}))  # fmt: skip
        row = await channels.get(town, channel_id)
        person_id = row.person_id
        extra = {
            "errors": problem.fields,
            "failed": channel_id,
            "form": {"label": data.label, "url": data.url},
        }
        if person_id is None:
            return Template("reminders/town_channels.html", context=await _town_page(channels, town, **extra),
                            status_code=400)  # fmt: skip
        _url, template = _page_of(town, person_id, own)
        context = await _person_page(channels, town, person_id, own=own, **extra)
        return Template(template, context=context, status_code=400)
    if wants_partial(request):
        return _row(channel, base, saved=True)
    return Redirect(f"{OWN if own else _owner_page(town, channel)}?saved=1", status_code=303)


def _gone(request: HTMXRequest, target: str) -> Response | Redirect:
    if wants_partial(request):
        return Response(content="", status_code=200, media_type="text/html")
    return Redirect(target, status_code=303)


async def _test(
    request: HTMXRequest,
    channels: ChannelService,
    settings: Settings,
    town: Town,
    channel_id: int,
    *,
    own: bool,
) -> Template | Redirect:
    base = OWN if own else _town_base(town)
    link = f"{settings.base_url}{OWN if own else base}"
    result = await channels.send_test(town, channel_id, delivery_config(settings), link=link)
    channel = await channels.get(town, channel_id)
    if wants_partial(request):
        return _row(channel, base, result=shown_result(channel_id, result))
    target = OWN if own else _owner_page(town, channel)
    query = result_query(settings.resolved_secret_key(), channel_id, result)
    return Redirect(f"{target}?{query}#channel-{channel_id}", status_code=303)
