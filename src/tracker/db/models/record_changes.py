"""What happened to a record after it was filed: corrected or withdrawn by its author on the day it was
filed, or sent back with a reason by someone above the author (or the town's secretary).

A withdrawn or sent-back record is deleted (so every count, figure and board reads only the records
that stand); its row here keeps what it said (`snapshot`), who did it, when and why, for the task
page and the author's work. `record_id` is a plain number: the record it names may be gone.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base
from tracker.db.models.roster import portable_enum
from tracker.db.models.tasks import PortableJSON


class RecordChangeKind(str, enum.Enum):
    CORRECTED = "corrected"  # by its author, the day it was filed: fields and day changed
    WITHDRAWN = "withdrawn"  # by its author, the day it was filed: the record is gone
    SENT_BACK = "sent_back"  # by a supervisor or the secretary, with a reason: the record is gone


class RecordChange(Base):
    __tablename__ = "record_change"
    __table_args__ = (Index("ix_record_change_person_at", "person_id", "at"),)

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))  # the record's author
    kind: Mapped[RecordChangeKind] = mapped_column(portable_enum(RecordChangeKind, "record_change_kind"))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    by_name: Mapped[str] = mapped_column(String(200), default="")  # the actor's name then
    snapshot: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)  # the record as it was
