"""The yearly review: a town's scorecard weights, the follow-ups resolved, the amendments noted on a
finalised year's records, the finalised years with their frozen figures, and the study-app
registrations the secretary enters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.base import Base
from tracker.db.models.tasks import PortableJSON


class ScoreWeights(Base):
    """How a town scores its people (rules.DEFAULT_WEIGHTS when it has no row): percentages by measure."""

    __tablename__ = "score_weights"

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), unique=True)
    weights: Mapped[dict[str, int]] = mapped_column(PortableJSON, default=dict)


class FollowUpResolution(Base):
    """A visit's issue that needed follow-up, marked resolved: by whom, when, how."""

    __tablename__ = "follow_up_resolution"

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), unique=True)
    resolved_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    resolved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")


class RecordAmendment(Base):
    """A note added to a record of a finalised year, which can no longer be changed itself."""

    __tablename__ = "record_amendment"

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))


class FinalisedYear(Base):
    """A town's year, finalised by the secretary: its review frozen as it was (snapshot, the JSON of
    review.schemas.ReviewData); the year's tasks and records can no longer change."""

    __tablename__ = "finalised_year"
    __table_args__ = (UniqueConstraint("town_id", "year", name="uq_finalised_year_town_year"),)

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    finalised_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    finalised_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)


class StudyAppCount(Base):
    """学习强国 registrations in a town at the end of a year (to date while it runs), as the app's own
    figures give them: the tracker cannot count them, so the secretary enters them, with the resident
    population they are measured against (None: the town's population)."""

    __tablename__ = "study_app_count"
    __table_args__ = (UniqueConstraint("town_id", "year", name="uq_study_app_count_town_year"),)

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    registrations: Mapped[int] = mapped_column(Integer)
    population: Mapped[int | None] = mapped_column(Integer)
    entered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
