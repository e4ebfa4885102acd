"""Reminders: a town's policy, the channels messages go out on, the outbox of messages owed (each
with a unique key, claimed and sent once), the tasks each message is about, every delivery attempt,
the scheduler's job leases, and the secret calendar feeds."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base
from tracker.db.models.roster import portable_enum
from tracker.db.models.tasks import PortableJSON


class ChannelKind(str, enum.Enum):
    IN_APP = "in_app"  # the bell: every person has it, it needs no row in notify_channel
    EMAIL = "email"
    WECOM = "wecom"  # 企业微信 group robot
    DINGTALK = "dingtalk"  # 钉钉 group robot
    WEBHOOK = "webhook"  # generic JSON, HMAC-signed


class ReminderReason(str, enum.Enum):
    BEFORE_DUE = "before_due"  # n days before the due date
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"  # a nag to the person who is late
    ESCALATED_SUPERVISOR = "escalated_supervisor"  # the late person's supervisor is told
    ESCALATED_SECRETARY = "escalated_secretary"  # the town's secretary is told


class OutboxStatus(str, enum.Enum):
    QUEUED = "queued"  # waiting for its first send or for a retry (next_attempt_at)
    SENDING = "sending"  # claimed by a dispatcher until claimed_until; after that, claimable again
    SENT = "sent"
    FAILED = "failed"  # permanently: shown to the secretary, who may resend


class AttemptOutcome(str, enum.Enum):
    SENT = "sent"
    TEMPORARY = "temporary"  # retried later
    PERMANENT = "permanent"
    # an attempt with no outcome was interrupted (the dispatcher died while sending)


class ReminderPolicy(Base):
    """When a town's people are reminded; a town without a row uses the defaults (rules.DEFAULT_POLICY)."""

    __tablename__ = "reminder_policy"

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), unique=True)
    days_before: Mapped[list[int]] = mapped_column(PortableJSON, default=lambda: [3, 1])
    on_due_day: Mapped[bool] = mapped_column(default=True)
    overdue_every_days: Mapped[int] = mapped_column(Integer, default=2)
    escalate_supervisor_after_days: Mapped[int] = mapped_column(Integer, default=3)
    escalate_secretary_after_days: Mapped[int] = mapped_column(Integer, default=7)
    quiet_start: Mapped[dt.time] = mapped_column(Time, default=dt.time(21, 0))
    quiet_end: Mapped[dt.time] = mapped_column(Time, default=dt.time(8, 0))
    enabled: Mapped[bool] = mapped_column(default=True)


class NotifyChannel(Base):
    """Somewhere messages go. A person's own (person_id), a unit's group robot (unit_id) or the town's
    (neither): group robots get the escalation digests of their unit / town. E-mail rows are personal
    and send to the person's address; robots and webhooks hold a URL (and maybe a secret)."""

    __tablename__ = "notify_channel"

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ChannelKind] = mapped_column(portable_enum(ChannelKind, "channel_kind"))
    label: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str | None] = mapped_column(String(500))  # robots and webhooks
    secret: Mapped[str | None] = mapped_column(String(200))  # DingTalk signing secret, webhook HMAC key
    active: Mapped[bool] = mapped_column(default=True)


class OutboxMessage(Base):
    """One message owed to one recipient on one channel in one sending slot (`key` is unique, so
    computing twice queues once). Rendered when queued, in the recipient's language."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_claim", "status", "next_attempt_at"),
        Index("ix_outbox_person_created", "person_id", "created_at"),
    )

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # "p12:email:2027-12-20", "c3:2027-12-20"
    slot: Mapped[str] = mapped_column(String(16))  # the town-local day it belongs to
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))  # None: a group robot
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("notify_channel.id", ondelete="SET NULL"), index=True)
    channel_kind: Mapped[ChannelKind] = mapped_column(portable_enum(ChannelKind, "channel_kind"))
    address: Mapped[str] = mapped_column(String(500), default="")  # e-mail address or masked URL, for the page
    locale: Mapped[str] = mapped_column(String(8), default="zh_CN")
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text, default="")
    markdown: Mapped[str] = mapped_column(Text, default="")
    mentions: Mapped[list[str]] = mapped_column(PortableJSON, default=list)  # mobiles to @ in group robots
    status: Mapped[OutboxStatus] = mapped_column(
        portable_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))  # in-app: opened


class OutboxItem(Base):
    """A task a message is about, and why: what the board's escalation marks and a person's page read."""

    __tablename__ = "outbox_item"
    __table_args__ = (UniqueConstraint("message_id", "task_id", name="uq_outbox_item_message_task"),)

    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    reason: Mapped[ReminderReason] = mapped_column(portable_enum(ReminderReason, "reminder_reason"))
    days: Mapped[int] = mapped_column(Integer, default=0)  # days before due (BEFORE_DUE) or overdue


class DeliveryAttempt(Base):
    """One try at sending a message: started when claimed, finished with its outcome (none: interrupted)."""

    __tablename__ = "delivery_attempt"

    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    worker: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    outcome: Mapped[AttemptOutcome | None] = mapped_column(portable_enum(AttemptOutcome, "attempt_outcome"))
    detail: Mapped[str] = mapped_column(Text, default="")  # the channel's answer or the error


class JobLease(Base):
    """Who runs a scheduler job until when: several loops, one runner (a conditional UPDATE takes it)."""

    __tablename__ = "job_lease"

    name: Mapped[str] = mapped_column(String(64), unique=True)
    holder: Mapped[str] = mapped_column(String(100), default="")
    until: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    last_run_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    last_result: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)


class CalendarFeed(Base):
    """A user's secret calendar address: only its hash is kept; revoking deletes the row."""

    __tablename__ = "calendar_feed"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
