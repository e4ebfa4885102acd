"""Every model, imported so that the metadata is complete for migrations and tests."""

from tracker.db.models.roster import (
    ContactAssignment,
    ContactLink,
    LeadingGroupRole,
    Person,
    Place,
    PlaceKind,
    Tier,
    Town,
    Unit,
    UnitKind,
)

__all__ = [
    "ContactAssignment",
    "ContactLink",
    "LeadingGroupRole",
    "Person",
    "Place",
    "PlaceKind",
    "Tier",
    "Town",
    "Unit",
    "UnitKind",
]
