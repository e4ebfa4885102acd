"""One entry point for the reminders worker: deliver a message to a target, whatever its channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tracker.config import SmtpConfig
from tracker.db.models.reminders import ChannelKind
from tracker.i18n import _
from tracker.notify.dingtalk import send_dingtalk
from tracker.notify.email import send_email
from tracker.notify.errors import TransportError
from tracker.notify.message import Message
from tracker.notify.urls import is_public, resolve, robot_url_problem
from tracker.notify.webhook import send_webhook
from tracker.notify.wecom import send_wecom

IN_APP_SUMMARY = "in-app"


@dataclass(frozen=True)
class DeliveryConfig:
    """From the settings: `smtp` (None while TRACKER_SMTP_URL is unset), the mail From,
    TRACKER_WEBHOOK_ALLOW_HTTP, and the time one delivery may take, in seconds."""

    smtp: SmtpConfig | None
    mail_from: str
    allow_http: bool = False
    timeout: float = 15.0


@dataclass(frozen=True)
class Target:
    """Where one message goes: an e-mail `address`, or a robot/webhook `url` with its `secret`."""

    kind: ChannelKind
    address: str = ""
    url: str | None = None
    secret: str | None = None


async def deliver(
    target: Target, message: Message, config: DeliveryConfig, *, extra: dict[str, Any] | None = None
) -> str:
    """Send `message` to `target`; a short summary of the answer, else TransportError.

    IN_APP needs no transport (the notification row is the delivery): "in-app", no I/O.
    E-mail while SMTP is not configured is a temporary failure, so the item stays queued until
    it is. A robot or webhook address is checked again before each send (it may have been
    stored before a rule tightened, and its host may now resolve elsewhere): refused addresses
    are permanent failures. `extra` (e.g. task ids) goes into the generic webhook's JSON only.
    """
    if target.kind is ChannelKind.IN_APP:
        return IN_APP_SUMMARY
    if target.kind is ChannelKind.EMAIL:
        if config.smtp is None:
            raise TransportError(_("TRACKER_SMTP_URL is not set"), permanent=False)
        if not target.address:
            raise TransportError(_("No e-mail address to send to"), permanent=True)
        return await send_email(
            config.smtp, config.mail_from, target.address, message, timeout=config.timeout
        )
    url = target.url or ""
    await check_url(url, allow_http=config.allow_http)
    async with httpx.AsyncClient(follow_redirects=False, timeout=config.timeout, trust_env=False) as client:
        if target.kind is ChannelKind.WECOM:
            return await send_wecom(client, url, message)
        if target.kind is ChannelKind.DINGTALK:
            return await send_dingtalk(client, url, message, secret=target.secret)
        if target.kind is ChannelKind.WEBHOOK:
            return await send_webhook(client, url, message, secret=target.secret, extra=extra)
    raise TransportError(f"unknown channel kind {target.kind!r}", permanent=True)


async def check_url(url: str, *, allow_http: bool) -> None:
    """TransportError unless `url` may be posted to now: permanent if refused, temporary if its
    host cannot be looked up at the moment."""
    problem = robot_url_problem(url, allow_http=allow_http)
    if problem is not None:
        raise TransportError(problem, permanent=True)
    if allow_http:
        return
    host = httpx.URL(url.strip()).host
    try:
        addresses = await resolve(host, 443)
    except OSError as exc:
        raise TransportError(_("The host %(host)s could not be found", host=host), permanent=False) from exc
    if not addresses or not all(is_public(address) for address in addresses):
        raise TransportError(
            _("The address points into this server's own network (%(host)s)", host=host), permanent=True
        )
