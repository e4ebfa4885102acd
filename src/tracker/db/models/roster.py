"""The town roster: towns, units, places, people and their contact assignments."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, Enum, Float, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db.base import Base


def portable_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: stores the value, a CHECK constraint, no native PG type to migrate."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Tier(str, enum.Enum):
    SECTION_OFFICIAL = "section_official"
    UNIT_HEAD = "unit_head"
    VILLAGE_CADRE = "village_cadre"


class UnitKind(str, enum.Enum):
    DEPARTMENT = "department"
    STATION = "station"
    COMMUNITY = "community"


class PlaceKind(str, enum.Enum):
    ADMINISTRATIVE_VILLAGE = "administrative_village"
    NATURAL_VILLAGE = "natural_village"
    ENTERPRISE = "enterprise"
    COMMUNITY = "community"


class LeadingGroupRole(str, enum.Enum):
    LEADER = "leader"
    DEPUTY = "deputy"
    MEMBER = "member"


class ContactLink(str, enum.Enum):
    CONTACT_POINT = "contact_point"  # a tier-1 official's 联系点
    VILLAGE = "village"  # a cadre's 包村


class Town(Base):
    __tablename__ = "town"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    population: Mapped[int] = mapped_column(Integer, default=0)
    contact_points_min: Mapped[int] = mapped_column(Integer, default=2)
    contact_points_max: Mapped[int] = mapped_column(Integer, default=4)
    warning_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    far_record_meters: Mapped[int] = mapped_column(Integer, default=2000, server_default="2000")
    # photos taken in the record form get the time and place drawn on them (static/js/photo-stamp.js)
    stamp_photos: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Unit(Base):
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("town_id", "code", name="uq_unit_town_code"),)

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[UnitKind] = mapped_column(portable_enum(UnitKind, "unit_kind"))


class Place(Base):
    __tablename__ = "place"
    __table_args__ = (UniqueConstraint("town_id", "code", name="uq_place_town_code"),)

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[PlaceKind] = mapped_column(portable_enum(PlaceKind, "place_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    parent: Mapped[Place | None] = relationship(remote_side="Place.id", lazy="raise")


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("town_id", "code", name="uq_person_town_code"),)

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    tier: Mapped[Tier] = mapped_column(portable_enum(Tier, "tier"))
    post: Mapped[str] = mapped_column(String(100), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    leading_group_role: Mapped[LeadingGroupRole | None] = mapped_column(
        portable_enum(LeadingGroupRole, "leading_group_role")
    )

    unit: Mapped[Unit | None] = relationship(lazy="raise")
    supervisor: Mapped[Person | None] = relationship(remote_side="Person.id", lazy="raise")


class ContactAssignment(Base):
    """A person's link to a place over a span of days; ending one keeps it as history."""

    __tablename__ = "contact_assignment"

    town_id: Mapped[int] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    link: Mapped[ContactLink] = mapped_column(portable_enum(ContactLink, "contact_link"))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(lazy="raise")
    place: Mapped[Place] = relationship(lazy="raise")
