"""The secretary makes a monthly contact-point visit assignment on a phone, sees the preview count
before saving, then the supervision board with the new work and one cell's tasks."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.browser import BrowserErrors, seed, sign_in
from tests.support.personas import World
from tracker import i18n
from tracker.db.models.roster import Town
from tracker.domain.clock import utc_now
from tracker.domain.planning.schemas import AssignmentIn
from tracker.domain.planning.service import AssignmentService

TITLE = "每月走访联系点"


def zh(message: str, **variables: object) -> str:
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(message, **variables)


@pytest.fixture
def expected_preview(browser_db_url: str, world: World) -> str:
    """The sentence the preview should show, with the numbers the service itself previews today."""

    async def numbers(session: AsyncSession) -> tuple[int, int, int]:
        town = await session.get(Town, world.a.town.id)
        assert town is not None
        body = {
            "title": TITLE,
            "kind": "visit",
            "who": {"kind": "contact_points"},
            "when": {"cadence": "monthly"},
        }
        preview = await AssignmentService(session, None).preview(
            town, AssignmentIn.model_validate(body), utc_now()
        )
        return (
            preview.task_count,
            len({person.id for person, _place in preview.targets}),
            len(preview.periods),
        )

    tasks, people, periods = seed(browser_db_url, numbers)
    assert people == 2 and tasks == 4 * periods  # 书记甲 and 镇长乙, two contact points each
    with i18n.use_locale("zh_CN"):
        return i18n.gettext(
            "This will create %(tasks)s for %(people)s over %(periods)s.",
            tasks=i18n.ngettext("%(num)d task", "%(num)d tasks", tasks),
            people=i18n.ngettext("%(num)d person", "%(num)d people", people),
            periods=i18n.ngettext("%(num)d period", "%(num)d periods", periods),
        )


def test_it_previews_a_monthly_visit_assignment_then_shows_it_on_the_board(
    page: Page,
    base_url: str,
    world: World,
    expected_preview: str,
    browser_errors: BrowserErrors,
    screenshot: Callable[[str], Path],
) -> None:
    sign_in(page, base_url, "secretary")
    page.get_by_role("link", name=zh("Supervision board")).click()
    expect(page).to_have_url(f"{base_url}/towns/alpha/board")
    expect(page.get_by_text(zh("No tasks match these filters."))).to_be_visible()
    page.get_by_role("link", name=zh("New assignment")).click()

    expect(page).to_have_url(f"{base_url}/towns/alpha/assignments/new")
    page.get_by_label(zh("Title")).fill(TITLE)
    page.get_by_label(zh("Kind of work")).select_option(label=zh("Visit"))
    page.get_by_label(zh("Each section-level official at each contact point")).check()
    page.get_by_label(zh("How often")).select_option(label=zh("Every month"))

    preview = page.locator("#preview")
    expect(preview.locator(".preview-count")).to_have_text(expected_preview)  # htmx, before anything is saved
    expect(preview.locator(".preview-targets li")).to_contain_text(["书记甲 · 东村1组", "镇长乙 · 东村2组"])
    screenshot("preview")

    page.get_by_role("button", name=zh("Create the assignment")).click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/towns/alpha/board\?assignment=\d+$"))
    board = page.locator("#board")
    expect(board.get_by_role("rowheader")).to_have_text(
        ["科级干部", "书记甲", "镇长乙", zh("All people")]
    )  # by tier, then people; their totals added up last
    cell = board.locator(f"a.board-cell[aria-label^='{world.a.official.name} ·']").first
    cell.click()
    panel = page.locator("#cell-panel")
    expect(panel).to_contain_text(TITLE)
    expect(panel).to_contain_text("东村2组")
    expect(panel).to_contain_text("东村3组")
    screenshot("board")
    assert browser_errors.console == [] and browser_errors.page == []
