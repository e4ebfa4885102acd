"""Assigned work: assignments, the tasks they materialise (one per person, place and period),
the records that close them, and records' photos."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db.base import Base
from tracker.db.models.roster import Person, Place, Tier, portable_enum

PortableJSON = JSON().with_variant(JSONB(), "postgresql")


# The enums the columns below store (their labels and rules live in domain/planning and domain/work).


class WorkKind(str, enum.Enum):
    VISIT = "visit"  # 遍访
    STUDY = "study"  # 中心组学习 and other study
    MEETING = "meeting"  # 党委会专题研究 and others
    LECTURE = "lecture"  # 宣讲
    CULTURE = "culture"  # film screening, performance
    PUBLICITY = "publicity"  # a published piece
    OPINION = "opinion"  # online-opinion watch and incidents
    CUSTOM = "custom"


class TaskStatus(str, enum.Enum):
    OPEN = "open"
    DONE = "done"
    EXCUSED = "excused"
    CANCELLED = "cancelled"
    REASSIGNED = "reassigned"


class Cadence(str, enum.Enum):
    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    RRULE = "rrule"


class WhoKind(str, enum.Enum):
    PEOPLE = "people"
    TIER = "tier"
    UNIT = "unit"
    BELOW = "below"
    CONTACT_POINTS = "contact_points"


class Assignment(Base):
    """What the secretary says once: who does what, how often. Tasks are materialised from it."""

    __tablename__ = "assignment"

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[WorkKind] = mapped_column(portable_enum(WorkKind, "work_kind"))
    description: Mapped[str] = mapped_column(Text, default="")
    target_count: Mapped[int] = mapped_column(Integer, default=1)
    # who
    who_kind: Mapped[WhoKind] = mapped_column(portable_enum(WhoKind, "who_kind"))
    who_person_ids: Mapped[list[int]] = mapped_column(PortableJSON, default=list)
    who_tier: Mapped[Tier | None] = mapped_column(portable_enum(Tier, "tier"))
    who_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    who_official_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    who_place_ids: Mapped[list[int] | None] = mapped_column(PortableJSON)
    # when
    cadence: Mapped[Cadence] = mapped_column(portable_enum(Cadence, "cadence"))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    due_day: Mapped[int | None] = mapped_column(Integer)
    due_month: Mapped[int | None] = mapped_column(Integer)
    rule: Mapped[str | None] = mapped_column(String(500))
    template: Mapped[str | None] = mapped_column(String(64))  # a statutory template's key, if any
    active: Mapped[bool] = mapped_column(default=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))


class Task(Base):
    """One occurrence: a person's (and place's) share of an assignment in one period."""

    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("assignment_id", "slot", name="uq_task_assignment_slot"),
        Index("ix_task_person_due", "person_id", "due_at"),
        Index("ix_task_town_status_due", "town_id", "status", "due_at"),
    )

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="SET NULL"), index=True)
    slot: Mapped[str] = mapped_column(String(80))  # "person:place-or-dash:period_key", unique per assignment
    period_key: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    due_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    # copied from the assignment when made, so that editing it later never rewrites finished work
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[WorkKind] = mapped_column(portable_enum(WorkKind, "work_kind"))
    target_count: Mapped[int] = mapped_column(Integer, default=1)
    done_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[TaskStatus] = mapped_column(portable_enum(TaskStatus, "task_status"), default=TaskStatus.OPEN)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    assignment: Mapped[Assignment] = relationship(lazy="raise")
    person: Mapped[Person] = relationship(lazy="raise")
    place: Mapped[Place | None] = relationship(lazy="raise")


class Record(Base):
    """What was done: counts towards its task (if any) and towards the year's figures."""

    __tablename__ = "record"
    __table_args__ = (
        UniqueConstraint("person_id", "client_key", name="uq_record_person_client_key"),
        Index("ix_record_town_occurred", "town_id", "occurred_on"),
    )

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[WorkKind] = mapped_column(portable_enum(WorkKind, "work_kind"))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="SET NULL"), index=True)
    fields: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    located_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    distance_m: Mapped[float | None] = mapped_column(Float)  # from the place, when both are known
    flagged_far: Mapped[bool] = mapped_column(default=False)
    client_key: Mapped[str] = mapped_column(String(64))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    task: Mapped[Task | None] = relationship(lazy="raise")
    person: Mapped[Person] = relationship(lazy="raise")
    place: Mapped[Place | None] = relationship(lazy="raise")
    photos: Mapped[list[RecordPhoto]] = relationship(lazy="raise", order_by="RecordPhoto.id")


class RecordPhoto(Base):
    """A photo of a record: stored once by content hash under the data folder, metadata stripped."""

    __tablename__ = "record_photo"

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    thumb_sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
