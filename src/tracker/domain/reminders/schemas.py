"""The reminders' shapes for the secretary's pages and the JSON API: the policy form as posted
(`PolicyForm`), read into `PolicyIn` (whose values may still be wrong: `problems()` says which, per
field), the policy as shown (`PolicyView`), the outbox's rows and page, a person's received
reminders, and the labels of statuses, channels and reasons."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from tracker.db.models.reminders import ChannelKind, OutboxMessage, OutboxStatus, ReminderReason
from tracker.domain.reminders.rules import DEFAULT_POLICY, validate_policy
from tracker.i18n import LazyText, lazy_gettext

STATUS_LABELS: dict[OutboxStatus, LazyText] = {
    OutboxStatus.QUEUED: lazy_gettext("Queued"),
    OutboxStatus.SENDING: lazy_gettext("Sending"),
    OutboxStatus.SENT: lazy_gettext("Sent"),
    OutboxStatus.FAILED: lazy_gettext("Failed"),
}
CHANNEL_LABELS: dict[ChannelKind, LazyText] = {
    ChannelKind.IN_APP: lazy_gettext("In the app"),
    ChannelKind.EMAIL: lazy_gettext("E-mail"),
    ChannelKind.WECOM: lazy_gettext("WeCom robot"),
    ChannelKind.DINGTALK: lazy_gettext("DingTalk robot"),
    ChannelKind.WEBHOOK: lazy_gettext("Webhook"),
}
REASON_LABELS: dict[ReminderReason, LazyText] = {
    ReminderReason.BEFORE_DUE: lazy_gettext("Due soon"),
    ReminderReason.DUE_TODAY: lazy_gettext("Due today"),
    ReminderReason.OVERDUE: lazy_gettext("Overdue"),
    ReminderReason.ESCALATED_SUPERVISOR: lazy_gettext("Escalated to the supervisor"),
    ReminderReason.ESCALATED_SECRETARY: lazy_gettext("Escalated to the secretary"),
}


def label_context() -> dict[str, object]:
    """What the reminder templates use to name statuses, channels and reasons (and list them)."""
    return {"status_names": STATUS_LABELS, "channel_names": CHANNEL_LABELS, "reason_names": REASON_LABELS,
            "statuses": list(OutboxStatus), "channels": list(ChannelKind)}  # fmt: skip


_SEPARATORS = re.compile(r"[,，、;；\s]+")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])(:[0-5][0-9])?$")
MAX_NUMBER_DIGITS = 4


# -- the policy ---------------------------------------------------------------------------------


class PolicyForm(BaseModel):
    """The policy form as posted: text, read by `PolicyIn.from_form`. A checkbox left empty is absent."""

    days_before: str = Field(default="", max_length=100)
    on_due_day: str | None = Field(default=None, max_length=10)
    overdue_every_days: str = Field(default="", max_length=20)
    escalate_supervisor_after_days: str = Field(default="", max_length=20)
    escalate_secretary_after_days: str = Field(default="", max_length=20)
    quiet_start: str = Field(default="", max_length=10)
    quiet_end: str = Field(default="", max_length=10)
    enabled: str | None = Field(default=None, max_length=10)


def _whole(text: str) -> int | str:
    """A few ASCII digits as a number; anything else stays text, which the policy check refuses."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= MAX_NUMBER_DIGITS else text


def _days(text: str) -> list[int] | str:
    """ "3, 1" (or "3，1", "3、1", "3 1") as [3, 1]; any part that is no number leaves the text."""
    parts = [_whole(part) for part in _SEPARATORS.split(text.strip()) if part]
    return [p for p in parts if isinstance(p, int)] if all(isinstance(p, int) for p in parts) else text


def _time(text: str) -> dt.time | None:
    found = _TIME.match(text.strip())
    return dt.time(int(found.group(1)), int(found.group(2))) if found else None


@dataclass(frozen=True)
class PolicyIn:
    """A policy as given; values that can't be used are kept as given, for `problems()` to name."""

    days_before: list[int] | str = field(default_factory=lambda: list(DEFAULT_POLICY.days_before))
    on_due_day: bool = DEFAULT_POLICY.on_due_day
    overdue_every_days: int | str = DEFAULT_POLICY.overdue_every_days
    escalate_supervisor_after_days: int | str = DEFAULT_POLICY.escalate_supervisor_after_days
    escalate_secretary_after_days: int | str = DEFAULT_POLICY.escalate_secretary_after_days
    quiet_start: dt.time | None = DEFAULT_POLICY.quiet_start
    quiet_end: dt.time | None = DEFAULT_POLICY.quiet_end
    enabled: bool = DEFAULT_POLICY.enabled

    @classmethod
    def from_form(cls, form: PolicyForm) -> PolicyIn:
        return cls(
            days_before=_days(form.days_before),
            on_due_day=form.on_due_day is not None,
            overdue_every_days=_whole(form.overdue_every_days),
            escalate_supervisor_after_days=_whole(form.escalate_supervisor_after_days),
            escalate_secretary_after_days=_whole(form.escalate_secretary_after_days),
            quiet_start=_time(form.quiet_start),
            quiet_end=_time(form.quiet_end),
            enabled=form.enabled is not None,
        )

    def problems(self) -> dict[str, str]:
        """Field -> message for every value the policy can't have (rules.validate_policy)."""
        return validate_policy(
            self.days_before,
            self.overdue_every_days,
            self.escalate_supervisor_after_days,
            self.escalate_secretary_after_days,
            self.quiet_start,
            self.quiet_end,
        )

    def values(self) -> dict[str, object]:
        """The columns of a ReminderPolicy row (only once `problems()` is empty); days before, latest first."""
        return {
            "days_before": sorted(self.days_before, reverse=True),  # type: ignore[arg-type]
            "on_due_day": self.on_due_day,
            "overdue_every_days": self.overdue_every_days,
            "escalate_supervisor_after_days": self.escalate_supervisor_after_days,
            "escalate_secretary_after_days": self.escalate_secretary_after_days,
            "quiet_start": self.quiet_start,
            "quiet_end": self.quiet_end,
            "enabled": self.enabled,
        }


@dataclass(frozen=True)
class PolicyView:
    """A town's policy as the page shows it; `saved` False: the town has no row and uses the defaults."""

    days_before: tuple[int, ...]
    on_due_day: bool
    overdue_every_days: int
    escalate_supervisor_after_days: int
    escalate_secretary_after_days: int
    quiet_start: dt.time
    quiet_end: dt.time
    enabled: bool
    saved: bool = False
    updated_at: dt.datetime | None = None

    def as_form(self) -> dict[str, str]:
        """The values as the form's fields show them."""
        return {
            "days_before": ", ".join(str(d) for d in self.days_before),
            "on_due_day": "1" if self.on_due_day else "",
            "overdue_every_days": str(self.overdue_every_days),
            "escalate_supervisor_after_days": str(self.escalate_supervisor_after_days),
            "escalate_secretary_after_days": str(self.escalate_secretary_after_days),
            "quiet_start": self.quiet_start.strftime("%H:%M"),
            "quiet_end": self.quiet_end.strftime("%H:%M"),
            "enabled": "1" if self.enabled else "",
        }


DEFAULT_VIEW = PolicyView(
    days_before=DEFAULT_POLICY.days_before,
    on_due_day=DEFAULT_POLICY.on_due_day,
    overdue_every_days=DEFAULT_POLICY.overdue_every_days,
    escalate_supervisor_after_days=DEFAULT_POLICY.escalate_supervisor_after_days,
    escalate_secretary_after_days=DEFAULT_POLICY.escalate_secretary_after_days,
    quiet_start=DEFAULT_POLICY.quiet_start,
    quiet_end=DEFAULT_POLICY.quiet_end,
    enabled=DEFAULT_POLICY.enabled,
)


def form_of(form: PolicyForm) -> dict[str, str]:
    """A posted form's values, to show them again beside their messages."""
    values = form.model_dump()
    return {name: ("1" if value is not None else "") if name in ("on_due_day", "enabled") else value
            for name, value in values.items()}  # fmt: skip


# -- the outbox ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxFilter:
    status: OutboxStatus | None = None
    channel: ChannelKind | None = None
    person_id: int | None = None
    page: int = 1


@dataclass(frozen=True)
class ItemView:
    """A task a message is about, and why."""

    task_id: int
    title: str
    person_name: str  # whose task it is
    reason: ReminderReason
    days: int


@dataclass
class OutboxRow:
    message: OutboxMessage
    recipient: str  # the person's name, or the group robot's label
    is_group: bool
    items: list[ItemView] = field(default_factory=list)


@dataclass
class OutboxPage:
    rows: list[OutboxRow]
    counts: dict[OutboxStatus, int]  # by status, with the channel and person filters applied
    total: int  # rows matching every filter
    page: int
    pages: int


@dataclass
class ReceivedReminder:
    """One reminder a person got in one sending slot, over every channel it went out on."""

    slot: str
    created_at: dt.datetime
    subject: str
    items: list[ItemView]
    deliveries: list[OutboxMessage]  # one per channel: kind, status, sent_at, read_at


# -- JSON ---------------------------------------------------------------------------------------


class OutboxItemOut(BaseModel):
    task_id: int
    title: str
    person_name: str
    reason: ReminderReason
    days: int


class OutboxRowOut(BaseModel):
    id: int
    created_at: dt.datetime
    slot: str
    person_id: int | None
    recipient: str
    channel_kind: ChannelKind
    address: str
    subject: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str
    items: list[OutboxItemOut]


class OutboxPageOut(BaseModel):
    page: int
    pages: int
    total: int
    counts: dict[OutboxStatus, int]
    rows: list[OutboxRowOut]


def outbox_page_out(result: OutboxPage) -> OutboxPageOut:
    return OutboxPageOut(
        page=result.page,
        pages=result.pages,
        total=result.total,
        counts=result.counts,
        rows=[
            OutboxRowOut(
                id=row.message.id, created_at=row.message.created_at, slot=row.message.slot,
                person_id=row.message.person_id, recipient=row.recipient, channel_kind=row.message.channel_kind,
                address=row.message.address, subject=row.message.subject, status=row.message.status,
                attempts=row.message.attempts, next_attempt_at=row.message.next_attempt_at,
                sent_at=row.message.sent_at, last_error=row.message.last_error,
                items=[OutboxItemOut(task_id=i.task_id, title=i.title, person_name=i.person_name, reason=i.reason,
                                     days=i.days) for i in row.items],
            )
            for row in result.rows
        ],
    )  # fmt: skip
