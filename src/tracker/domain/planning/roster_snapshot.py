"""The roster as the planning rules see it: a plain snapshot of one town's people and contact links."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import ContactAssignment, Person
from tracker.domain.planning.who import ContactSnapshot, PersonSnapshot, RosterSnapshot


async def load_roster(session: AsyncSession, town_id: int, *, contacts: bool = True) -> RosterSnapshot:
    """The town's people (active or not) and, unless asked not to, every contact link ever made.

    For planning (who gets the work); reach needs only the people below one official (`people_below`).
    """
    people = (await session.execute(
        select(Person.id, Person.tier, Person.unit_id, Person.supervisor_id, Person.active)
        .where(Person.town_id == town_id)
        .order_by(Person.id)
    )).all()  # fmt: skip
    links: list[ContactSnapshot] = []
    if contacts:
        rows = (await session.execute(
            select(ContactAssignment.person_id, ContactAssignment.place_id, ContactAssignment.link,
                   ContactAssignment.valid_from, ContactAssignment.valid_to)
            .where(ContactAssignment.town_id == town_id)
            .order_by(ContactAssignment.id)
        )).all()  # fmt: skip
        links = [ContactSnapshot(*row) for row in rows]
    return RosterSnapshot([PersonSnapshot(*row) for row in people], links)
