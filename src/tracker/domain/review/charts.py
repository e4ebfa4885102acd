"""The review page's charts, drawn on the server as SVG strings. Pure: no session, no request.

- `visits_chart(visits, tier_labels)`: visits per month by tier (grouped bars); `visits` are
  (day, tier) pairs, one per visit record.
- `coverage_chart(cards)`: visit coverage by person (horizontal bars, best first); people without
  contact points are left out.
- `lights_chart(states)`: the tasks of each month by the board's lights (stacked bars): done,
  done late, overdue, open; `states` are (month 1-12, state) pairs, one per task.
- `task_state(status, late, overdue)`: which of those a task is (None for excused, cancelled ...).

Every chart is accessible without its picture: role="img", an aria-label and a <title> naming it,
a <desc> with its numbers in words. No JavaScript, no inline style (the CSP forbids it): colours
are presentation attributes. The view box is 360 units wide and the SVG scales to its box, so it
fits a phone and prints at A4 width.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from babel.dates import get_month_names

from tracker.domain.review.schemas import Scorecard
from tracker.i18n import _, current_locale

WIDTH = 360
LEFT, RIGHT, TOP, BOTTOM = 28, 6, 34, 22  # plot margins: axis labels left, legend on top, months below
TEXT = "#5f6873"
GRID = "#e3e6ea"
# The board's colours (static/css/app.css: .light-square and .light-done).
STATE_COLOURS = {"done": "#1d4f91", "late": "#f2b705", "overdue": "#b3261e", "open": "#1e7b3c"}
STATES = ("done", "late", "overdue", "open")
TIER_COLOURS = ("#b3261e", "#1d5fb4", "#1e7b3c")  # section officials, unit heads, village cadres
TIERS = ("section_official", "unit_head", "village_cadre")
NAME_CHARS = 8  # longer names are cut with an ellipsis on the coverage chart


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    values: tuple[int, ...]  # one per category


def month_labels() -> list[str]:
    names = get_month_names("abbreviated", locale=current_locale())
    return [str(names[month]) for month in range(1, 13)]


def state_labels() -> dict[str, str]:
    return {"done": _("Done on time"), "late": _("Done late"), "overdue": _("Overdue"), "open": _("Open")}


def task_state(status: str, late: bool, overdue: bool) -> str | None:
    """done / late / overdue / open for the lights chart; None for work that counts against nobody."""
    if status == "done":
        return "late" if late else "done"
    if status == "open":
        return "overdue" if overdue else "open"
    return None


def tally(pairs: Iterable[tuple[int, str]], keys: Sequence[str]) -> dict[str, list[int]]:
    """(month 1-12, key) pairs counted into twelve months per key; unknown keys are ignored."""
    counts = {key: [0] * 12 for key in keys}
    for month, key in pairs:
        if key in counts and 1 <= month <= 12:
            counts[key][month - 1] += 1
    return counts


# -- the three charts ----------------------------------------------------------------------------


def visits_chart(visits: Iterable[tuple[dt.date, str]], tier_labels: Mapping[str, str]) -> str:
    counts = tally(((day.month, tier) for day, tier in visits), TIERS)
    series = [
        Series(t, tier_labels.get(t, t), c, tuple(counts[t]))
        for t, c in zip(TIERS, TIER_COLOURS, strict=True)
    ]
    return bar_chart(_("Visits per month by tier"), month_labels(), series, stacked=False)


def lights_chart(states: Iterable[tuple[int, str]]) -> str:
    counts = tally(states, STATES)
    labels = state_labels()
    series = [Series(s, labels[s], STATE_COLOURS[s], tuple(counts[s])) for s in STATES]
    return bar_chart(_("Tasks by month and light"), month_labels(), series, stacked=True)


def coverage_chart(cards: Sequence[Scorecard]) -> str:
    rows = sorted(
        ((card.name, card.coverage) for card in cards if card.coverage is not None),
        key=lambda r: (-r[1], r[0]),
    )
    return horizontal_bars(_("Visit coverage by person"), rows)


# -- drawing -------------------------------------------------------------------------------------


def _open(title: str, description: str, height: int, chart_id: str) -> list[str]:
    label = escape(title, quote=True)
    return [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{label}" '
            f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
            f'preserveAspectRatio="xMinYMin meet" font-size="9" font-family="sans-serif" data-chart="{chart_id}">'
        ),
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
    ]


def _nice_top(value: int) -> int:
    """An axis top at or above `value` that divides into four whole steps."""
    if value <= 4:
        return 4
    step = 1
    while step * 4 < value:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return step * 4


def _legend(series: Sequence[Series]) -> tuple[list[str], int]:
    """Colour keys on top, wrapped onto more lines when they don't fit; the parts and the lines used."""
    parts, x, line = [], LEFT, 0
    for s in series:
        width = 12 + _text_width(s.label) + 10
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, line = LEFT, line + 1
        y = 6 + 12 * line
        parts.append(f'<rect x="{x}" y="{y}" width="9" height="9" fill="{s.colour}"/>')
        parts.append(f'<text x="{x + 12}" y="{y + 8}" fill="{TEXT}">{escape(s.label)}</text>')
        x += width
    return parts, line + 1


def _text_width(text: str) -> int:
    """About how wide `text` is at font size 9: CJK characters are square, Latin ones about half."""
    return sum(9 if ord(ch) > 0x2E80 else 5 for ch in text)


def _describe(categories: Sequence[str], series: Sequence[Series]) -> str:
    parts = []
    for s in series:
        values = ", ".join(f"{c} {v}" for c, v in zip(categories, s.values, strict=True) if v)
        parts.append(f"{s.label}: {values or '0'}")
    return "; ".join(parts)


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series], *, stacked: bool) -> str:
    """Bars per category: side by side (grouped) or one on another (stacked), with a legend on top."""
    legend, lines = _legend(series)
    top_y = TOP + 12 * (lines - 1)
    height = 200 + 12 * (lines - 1)
    plot_h = height - top_y - BOTTOM
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    peak = max(totals) if stacked else max((v for s in series for v in s.values), default=0)
    top = _nice_top(peak)
    parts = _open(title, _describe(categories, series), height, "stacked" if stacked else "grouped")
    parts += legend
    for step in range(5):
        value = top * step // 4
        y = top_y + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{LEFT - 3}" y="{y + 3:.1f}" text-anchor="end" fill="{TEXT}">{value}</text>')
    band = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    for i, category in enumerate(categories):
        x0 = LEFT + band * i
        parts.append(
            f'<text x="{x0 + band / 2:.1f}" y="{height - 8}" text-anchor="middle" fill="{TEXT}">{escape(category)}</text>'
        )
        if stacked:
            base = top_y + plot_h
            for s in series:
                h = plot_h * s.values[i] / top
                if h:
                    base -= h
                    parts.append(_bar(x0 + band * 0.2, base, band * 0.6, h, s, category))
        else:
            width = band * 0.8 / max(len(series), 1)
            for j, s in enumerate(series):
                h = plot_h * s.values[i] / top
                if h:
                    parts.append(_bar(x0 + band * 0.1 + width * j, top_y + plot_h - h, width, h, s, category))
    if not peak:
        parts.append(f'<text x="{WIDTH / 2}" y="{top_y + plot_h / 2}" text-anchor="middle" fill="{TEXT}">'
                     f"{escape(_('No data'))}</text>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def _bar(x: float, y: float, width: float, height: float, series: Series, category: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{series.colour}">'
        f"<title>{escape(category)} · {escape(series.label)}</title></rect>"
    )


def horizontal_bars(title: str, rows: Sequence[tuple[str, float]]) -> str:
    """One bar per row (a share 0-1), the name on the left and the percentage at the bar's end."""
    row_h, top, name_w = 18, 8, 92
    height = top * 2 + row_h * max(len(rows), 1)
    description = "; ".join(f"{name} {share:.0%}" for name, share in rows) or _("No data")
    parts = _open(title, description, height, "coverage")
    span = WIDTH - name_w - RIGHT - 34
    for i, (name, share) in enumerate(rows):
        y = top + row_h * i
        shown = name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"
        parts.append(
            f'<text x="{name_w - 4}" y="{y + 12}" text-anchor="end" fill="#1f2328">{escape(shown)}</text>'
        )
        parts.append(f'<rect x="{name_w}" y="{y + 3}" width="{span:.1f}" height="11" fill="{GRID}"/>')
        width = span * max(0.0, min(share, 1.0))
        colour = (
            STATE_COLOURS["open"]
            if share >= 0.9
            else STATE_COLOURS["late"]
            if share >= 0.6
            else STATE_COLOURS["overdue"]
        )
        if width:
            parts.append(f'<rect x="{name_w}" y="{y + 3}" width="{width:.1f}" height="11" fill="{colour}"/>')
        parts.append(f'<text x="{name_w + span + 4}" y="{y + 12}" fill="{TEXT}">{share:.0%}</text>')
    if not rows:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{top + 12}" text-anchor="middle" fill="{TEXT}">{escape(_("No data"))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
