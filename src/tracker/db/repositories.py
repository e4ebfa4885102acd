"""advanced-alchemy repositories, one per roster model."""

from __future__ import annotations

from advanced_alchemy.repository import SQLAlchemyAsyncRepository

from tracker.db.models.roster import ContactAssignment, Person, Place, Town, Unit


class TownRepository(SQLAlchemyAsyncRepository[Town]):
    model_type = Town


class UnitRepository(SQLAlchemyAsyncRepository[Unit]):
    model_type = Unit


class PlaceRepository(SQLAlchemyAsyncRepository[Place]):
    model_type = Place


class PersonRepository(SQLAlchemyAsyncRepository[Person]):
    model_type = Person


class ContactAssignmentRepository(SQLAlchemyAsyncRepository[ContactAssignment]):
    model_type = ContactAssignment
