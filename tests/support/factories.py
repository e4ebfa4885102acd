"""Small rosters built directly in the database for tests (the demo seed is tested separately)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

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

START = dt.date(2026, 1, 1)


@dataclass
class SmallTown:
    """One town: a secretary (tier 1, leader), an official with 2 contact points, a unit head, a cadre."""

    town: Town
    unit: Unit
    admin_village: Place
    villages: list[Place]
    enterprise: Place
    secretary: Person
    official: Person
    unit_head: Person
    cadre: Person
    ids: dict[str, int] = field(default_factory=dict)


async def build_small_town(session: AsyncSession, code: str = "alpha", name: str = "阿尔法镇") -> SmallTown:
    town = Town(code=code, name=name, timezone="Asia/Shanghai", population=12000)
    session.add(town)
    await session.flush()
    unit = Unit(town_id=town.id, code="U1", name="宣传办", kind=UnitKind.DEPARTMENT)
    admin_village = Place(town_id=town.id, code="AV1", name="东村", kind=PlaceKind.ADMINISTRATIVE_VILLAGE)
    session.add_all([unit, admin_village])
    await session.flush()
    villages = [
        Place(town_id=town.id, code=f"NV{i}", name=f"东村{i}组", kind=PlaceKind.NATURAL_VILLAGE,
              parent_id=admin_village.id, latitude=34.0 + i / 100, longitude=108.0)
        for i in range(1, 6)
    ]
    enterprise = Place(town_id=town.id, code="EN1", name="红星砖厂", kind=PlaceKind.ENTERPRISE)
    session.add_all([*villages, enterprise])
    await session.flush()
    secretary = Person(town_id=town.id, code="P1", name="书记甲", tier=Tier.SECTION_OFFICIAL, post="党委书记",
                       leading_group_role=LeadingGroupRole.LEADER, phone="13800000001")
    session.add(secretary)
    await session.flush()
    official = Person(town_id=town.id, code="P2", name="镇长乙", tier=Tier.SECTION_OFFICIAL, post="副镇长",
                      supervisor_id=secretary.id, leading_group_role=LeadingGroupRole.MEMBER, phone="13800000002")
    session.add(official)
    await session.flush()
    unit_head = Person(town_id=town.id, code="P3", name="主任丙", tier=Tier.UNIT_HEAD, post="宣传办主任",
                       unit_id=unit.id, supervisor_id=official.id)
    cadre = Person(town_id=town.id, code="P4", name="干部丁", tier=Tier.VILLAGE_CADRE, post="包村干部",
                   supervisor_id=official.id)
    session.add_all([unit_head, cadre])
    await session.flush()
    links = [
        (secretary, villages[0], ContactLink.CONTACT_POINT),
        (secretary, enterprise, ContactLink.CONTACT_POINT),
        (official, villages[1], ContactLink.CONTACT_POINT),
        (official, villages[2], ContactLink.CONTACT_POINT),
        (cadre, villages[1], ContactLink.VILLAGE),
    ]
    session.add_all(
        ContactAssignment(town_id=town.id, person_id=p.id, place_id=pl.id, link=link, valid_from=START)
        for p, pl, link in links
    )
    await session.flush()
    return SmallTown(town, unit, admin_village, villages, enterprise, secretary, official, unit_head, cadre)
