"""The photo stamp (static/js/photo-stamp.js) in the phone's browser: with the town's setting on, the record
form carries data-photo-stamp, the stamp hooks into the photo shrinking, and trackerStampPhoto draws the
time (in the town's zone), the place and the coordinates in a band at the foot of the photo."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.browser import seed, sign_in
from tests.support.personas import World
from tracker.db.models.roster import Town
from tracker.db.models.tasks import Task
from tracker.domain.clock import utc_now
from tracker.domain.planning.schemas import AssignmentIn
from tracker.domain.planning.service import AssignmentService

DRAW = """() => {
  const canvas = document.createElement("canvas");
  canvas.width = 800; canvas.height = 600;
  const context = canvas.getContext("2d");
  context.fillStyle = "#ffffff"; context.fillRect(0, 0, 800, 600);
  const lines = self.trackerStampPhoto(canvas, {time: new Date(Date.UTC(2026, 11, 1, 1, 30)), zone: "Asia/Shanghai",
                                                 place: "东村2组", lat: 34.0203, lon: 108.0002});
  const pixel = (x, y) => Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3));
  const form = document.querySelector("form[data-photo-stamp]");
  return {lines, foot: pixel(2, 598), top: pixel(2, 2), place: form && self.trackerStampPhoto.fromForm(form).place,
          hooked: !self.TrackerPhotos || self.TrackerPhotos.stampers.length === 1};
}"""


def test_it_stamps_time_and_place_on_a_photo_when_the_town_asks(page: Page, base_url: str, world: World,
                                                                  browser_db_url: str) -> None:  # fmt: skip
    async def stamping_town(session: AsyncSession) -> int:
        town = await session.get(Town, world.a.town.id)
        town.stamp_photos = True  # type: ignore[union-attr]
        body = {"title": "走访", "kind": "visit", "who": {"kind": "people", "person_ids": [world.a.cadre.id]},
                "when": {"cadence": "monthly"}}  # fmt: skip
        await AssignmentService(session, None).create(town, AssignmentIn.model_validate(body), utc_now())  # type: ignore[arg-type]
        return (await session.scalars(select(Task).order_by(Task.due_at))).first().id  # type: ignore[union-attr]

    task_id = seed(browser_db_url, stamping_town)
    sign_in(page, base_url, "cadre")
    page.goto(f"/tasks/{task_id}")
    form = page.locator("form.record-form")
    expect(form).to_have_attribute("data-photo-stamp", world.a.town.name)
    page.get_by_label("地点").select_option(index=1)
    drawn = page.evaluate(DRAW)
    assert drawn["lines"] == ["2026-12-01 09:30", "东村2组", "N 34.02030  E 108.00020"]
    assert max(drawn["foot"]) < 160 and drawn["top"] == [
        255,
        255,
        255,
    ]  # the band at the foot, the rest untouched
    assert drawn["place"] and drawn["place"] != world.a.town.name  # the chosen place, not the town
    assert drawn["hooked"]
