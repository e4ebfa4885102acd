"""The statutory assignments every town keeps (from the yearly report), as data. Pure.

Public API
- `AssignmentTemplate(key, title, description, kind, target_count, who, when)`: `who` and `when`
  are the dicts of `schemas.WhoIn` / `schemas.WhenIn`; in `who`, the person id placeholder
  `LEADER` stands for the town's leading-group leader (the party secretary).
- `STATUTORY_TEMPLATES`: in the order a secretary would set them up:
  - `contact_point_visits` 遍访: every tier-1 official visits each of their contact points
    every month (visit, one task per official and place, due at the end of the month);
  - `central_group_study` 中心组集体学习: monthly collective study for tier-1 officials;
  - `committee_meetings` 党委会专题研究: the party committee's two meetings on ideology work,
    due on 25 June and 29 November, held by the secretary. One RRULE gives both dates:
    FREQ=YEARLY;BYMONTH=6,11;BYMONTHDAY=25,29 yields 25 and 29 June, 25 and 29 November, and
    BYSETPOS=1,-1 keeps the first and the last of those four;
  - `village_cadre_lectures` 宣讲: every village-contact cadre holds two lectures a quarter.
- `template(key) -> AssignmentTemplate` (KeyError for an unknown key).
- `template_input(key, leader_id) -> dict`: the body of an `AssignmentIn`, title and
  description translated now (they are stored as text, like any assignment's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.db.models.roster import Tier
from tracker.db.models.tasks import Cadence, WhoKind, WorkKind
from tracker.i18n import LazyText, lazy_gettext

LEADER = -1
COMMITTEE_MEETING_RULE = "FREQ=YEARLY;BYMONTH=6,11;BYMONTHDAY=25,29;BYSETPOS=1,-1"


@dataclass(frozen=True)
class AssignmentTemplate:
    key: str
    title: LazyText
    description: LazyText
    kind: WorkKind
    who: dict[str, Any]
    when: dict[str, Any]
    target_count: int = 1


STATUTORY_TEMPLATES: tuple[AssignmentTemplate, ...] = (
    AssignmentTemplate(
        key="contact_point_visits",
        title=lazy_gettext("Monthly visits to contact points"),
        description=lazy_gettext("Each section-level official visits each of their contact points every month."),
        kind=WorkKind.VISIT,
        who={"kind": WhoKind.CONTACT_POINTS.value},
        when={"cadence": Cadence.MONTHLY.value},
    ),
    AssignmentTemplate(
        key="central_group_study",
        title=lazy_gettext("Monthly collective study of the central group"),
        description=lazy_gettext("The party committee's central group studies together every month."),
        kind=WorkKind.STUDY,
        who={"kind": WhoKind.TIER.value, "tier": Tier.SECTION_OFFICIAL.value},
        when={"cadence": Cadence.MONTHLY.value},
    ),
    AssignmentTemplate(
        key="committee_meetings",
        title=lazy_gettext("Party committee meeting on ideology work"),
        description=lazy_gettext("The party committee studies ideology work twice a year: by 25 June and by 29 November."),
        kind=WorkKind.MEETING,
        who={"kind": WhoKind.PEOPLE.value, "person_ids": [LEADER]},
        when={"cadence": Cadence.RRULE.value, "rule": COMMITTEE_MEETING_RULE},
    ),
    AssignmentTemplate(
        key="village_cadre_lectures",
        title=lazy_gettext("Two lectures a quarter"),
        description=lazy_gettext("Each village-contact cadre holds two lectures in their villages every quarter."),
        kind=WorkKind.LECTURE,
        who={"kind": WhoKind.TIER.value, "tier": Tier.VILLAGE_CADRE.value},
        when={"cadence": Cadence.QUARTERLY.value},
        target_count=2,
    ),
)

_BY_KEY = {t.key: t for t in STATUTORY_TEMPLATES}


def template(key: str) -> AssignmentTemplate:
    return _BY_KEY[key]


def template_input(key: str, leader_id: int | None) -> dict[str, Any]:
    """The AssignmentIn body of a template; `leader_id` replaces the LEADER placeholder (None drops it)."""
    chosen = template(key)
    who = dict(chosen.who)
    if "person_ids" in who:
        who["person_ids"] = [
            leader_id if pid == LEADER else pid for pid in who["person_ids"] if pid != LEADER or leader_id is not None
        ]
    return {
        "title": str(chosen.title),
        "kind": chosen.kind.value,
        "description": str(chosen.description),
        "target_count": chosen.target_count,
        "who": who,
        "when": dict(chosen.when),
        "template": chosen.key,
    }
