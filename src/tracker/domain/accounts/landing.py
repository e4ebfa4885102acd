"""Where each role lands: after signing in (when no page was asked for) and at `/`. Pure.

- members and officials: 我的任务, their own work (/my);
- a town's secretary: the town's desk (工作台): late work by tier and unit, what is due this week,
  escalations, records far from their place, open follow-ups; the board is one link away;
- a viewer: their town, or the county comparison (/county/review) when they read several;
- an administrator: the only town's page, or the list of towns at `/` (their work is the towns'
  set-up: users, roster, settings; the county comparison is one link away).

`None` means "stay at `/`": the page there lists the towns.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.db.models.accounts import Role

OWN_WORK = "/my"
COUNTY_REVIEW = "/county/review"


def landing_path(role: Role, town_codes: Sequence[str]) -> str | None:
    """The path `role` lands on, given the codes of the towns the account reads (any order)."""
    if role in (Role.MEMBER, Role.OFFICIAL):
        return OWN_WORK
    towns = sorted(town_codes)
    if role is Role.SECRETARY:
        return f"/towns/{towns[0]}/desk" if towns else None
    if role is Role.VIEWER and len(towns) > 1:
        return COUNTY_REVIEW
    return f"/towns/{towns[0]}" if len(towns) == 1 else None


def needs_towns(role: Role) -> bool:
    """Whether `landing_path` needs the account's towns (members and officials land on their work)."""
    return role not in (Role.MEMBER, Role.OFFICIAL)
