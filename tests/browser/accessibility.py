"""Accessibility checks run inside the page: axe-core (vendored, pinned: vendor/README.md) and the
house's own measures that axe doesn't make (touch targets of at least 44 CSS px, text that reflows).

axe is put into the page through Playwright's `page.evaluate` of the file's text: that runs over the
DevTools protocol, outside the page's Content Security Policy, so the app's CSP stays exactly as it
is (no test-only relaxation) and nothing of axe is ever served by the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")
# WCAG 2.0-2.2 A and AA, and axe's best practices (headings, landmarks, ...): only serious and critical
# findings fail a test; the others are reported by `axe_findings` for a look.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
MIN_TARGET = 44  # CSS px, the house's touch target (WCAG 2.5.5 AAA; 2.2 AA asks for 24)

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").replace(/\\s+/g, " ")),
  }));
}"""

# Interactive things a finger must hit. A link inside running text is exempt (WCAG's "inline" exception);
# a check box or radio counts with its label (a tap on the label ticks it). Hidden ones are skipped.
_SMALL_TARGETS = """(minimum) => {
  const small = [];
  const seen = new Set();
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none"; };
  const inline = (el) => { const parent = el.parentElement;
    return el.tagName === "A" && getComputedStyle(el).display === "inline" && parent &&
      ["P", "LI", "DD", "TD", "SPAN"].includes(parent.tagName) && parent.textContent.trim() !== el.textContent.trim(); };
  for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
    let target = el;
    if (el.matches("input[type=checkbox], input[type=radio]")) target = el.closest("label") || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el;
    if (seen.has(target) || !visible(target) || inline(target)) continue;
    seen.add(target);
    const r = target.getBoundingClientRect();
    if (r.width < minimum || r.height < minimum) {
      const name = (target.getAttribute("aria-label") || target.textContent || target.name || target.id || "").trim().slice(0, 30);
      small.push(`${target.tagName.toLowerCase()}${target.className ? "." + String(target.className).split(" ").join(".") : ""} "${name}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return small;
}"""


def axe_findings(page: Page) -> list[dict[str, Any]]:
    """Every axe violation on the page as it is now: id, impact, help and up to five nodes."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(_RUN, TAGS)


def blocking_findings(page: Page) -> list[dict[str, Any]]:
    """The serious and critical axe violations (what fails a test)."""
    return [finding for finding in axe_findings(page) if finding["impact"] in BLOCKING]


def small_targets(page: Page, minimum: int = MIN_TARGET) -> list[str]:
    """Visible controls (and non-inline links) smaller than `minimum` CSS px either way."""
    return page.evaluate(_SMALL_TARGETS, minimum)


def overflows_sideways(page: Page) -> bool:
    """Whether the page is wider than the screen (text that no longer fits pushes it sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")


def set_default_font_size(page: Page, pixels: int) -> None:
    """The phone's font-size setting: Chromium's default font size (16 px normally), set over the
    DevTools protocol, as a larger system font does; text sized in rem follows it."""
    session = page.context.new_cdp_session(page)
    session.send("Page.enable")
    session.send("Page.setFontSizes", {"fontSizes": {"standard": pixels, "fixed": max(13, pixels - 3)}})
