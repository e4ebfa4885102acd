"""Reminder transports: one module per channel, below the domain.

The room's contract:

- `deliver(target, message, config, extra=...) -> str` is the one entry point. It sends one
  rendered `Message` to one `Target` (e-mail address, WeCom or DingTalk robot, generic webhook,
  or in-app, which needs no I/O) and returns a short summary of the server's answer for the
  attempt log.
- Every failure is a `TransportError(message, permanent=...)`: permanent means "the same
  message will fail the same way, stop" (address refused, key invalid, 5xx SMTP answer, 4xx HTTP
  answer, robot errcode); temporary means "keep it queued and retry later" (timeouts, refused
  connections, 5xx HTTP, 4xx SMTP, rate limits, SMTP not configured yet). Nothing else escapes.
- Robot and webhook addresses are checked by `urls.robot_url_problem` (forms, and again before
  each send, with a DNS lookup): https only, no private, loopback or link-local targets, unless
  TRACKER_WEBHOOK_ALLOW_HTTP (tests). Show them with `mask_url` / `mask_secret`, never whole.
- This package knows no database session, no request and no area: it imports tracker.config,
  tracker.i18n and the ChannelKind enum only. Retrying, backoff and who gets what belong to
  domain/reminders.
- Models: healthchecks' hc/api/transports.py; the robots' formats and DingTalk's signing are
  described in the docstrings of wecom.py and dingtalk.py.
"""

from tracker.notify.deliver import DeliveryConfig, Target, deliver
from tracker.notify.errors import TransportError
from tracker.notify.message import Message

__all__ = ["DeliveryConfig", "Message", "Target", "TransportError", "deliver"]
