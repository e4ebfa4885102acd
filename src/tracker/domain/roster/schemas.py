"""Pydantic shapes of the roster API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from tracker.db.models.roster import ContactLink, LeadingGroupRole, PlaceKind, Tier, UnitKind
from tracker.domain.inputs import Id


class _FromModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TownOut(_FromModel):
    id: int
    code: str
    name: str
    timezone: str
    population: int
    contact_points_min: int
    contact_points_max: int


class UnitOut(_FromModel):
    id: int
    code: str
    name: str
    kind: UnitKind


class PlaceOut(_FromModel):
    id: int
    code: str
    name: str
    kind: PlaceKind
    parent_id: int | None
    latitude: float | None
    longitude: float | None


class PersonOut(_FromModel):
    id: int
    code: str
    name: str
    phone: str | None
    tier: Tier
    post: str
    unit_id: int | None
    supervisor_id: int | None
    active: bool
    leading_group_role: LeadingGroupRole | None


class ContactAssignmentOut(_FromModel):
    id: int
    person_id: int
    place_id: int
    link: ContactLink
    valid_from: dt.date
    valid_to: dt.date | None


class ContactPointsIn(BaseModel):
    """The full new list of a person's places; links not in it are ended, kept as history."""

    model_config = ConfigDict(extra="forbid")

    place_ids: list[Id] = Field(max_length=50, description="ids of the places, in the person's town")
