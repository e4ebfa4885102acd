"""The town's photo stamp setting: whether the record form draws the time and place on the photos it
takes (static/js/photo-stamp.js, called by the phone's photo shrinking before upload).

Public API
- `PhotoStampService(session, actor, scope=None)`:
  - `setting(town) -> bool`: the town's secretary and admins (else NotAllowed; another town: the
    scope's NotFound);
  - `set(town, on) -> bool`: the same people; the town row changed in the request's transaction
    (audited by the model listener like any change of the town).
Anyone who files records learns the setting from the record form itself (`data-photo-stamp`).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db.models.roster import Town
from tracker.domain.access import Actor
from tracker.domain.scope import Scope, require_manage
from tracker.i18n import _


class PhotoStampService:
    def __init__(self, session: AsyncSession, actor: Actor | None, scope: Scope | None = None) -> None:
        self.session = session
        self.actor = actor
        self.scope = scope or Scope(session, actor)

    async def _managed(self, town: Town) -> None:
        require_manage(
            await self.scope.reach(town), _("Only the town's secretary may change its photo settings")
        )

    async def setting(self, town: Town) -> bool:
        await self._managed(town)
        return bool(town.stamp_photos)

    async def set(self, town: Town, on: bool) -> bool:
        await self._managed(town)
        if town.stamp_photos != on:
            town.stamp_photos = on
            await self.session.flush()
        return on


__all__ = ["PhotoStampService"]
