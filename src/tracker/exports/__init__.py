"""Writers of generic documents and tables: `docx.write_report(Report) -> bytes` and
`xlsx.write_tables([Table, ...]) -> bytes`.

This room sits below the domain and knows none of it: callers (the review's `documents` module)
hand over plain data with every word already written in the reader's language and every number
already computed. The shapes below are all a writer takes.

- `Report`: a title, subtitle lines (centred under the title), numbered parts (the heading text
  carries its own number, "一、工作开展情况"), and an optional annex table with its title.
  A part with an empty heading is written as body paragraphs alone.
- `Table`: a name (the sheet's name, the annex's caption), headers, rows of cells (str, int,
  float or None) and one number format per column, in Excel's notation: `INTEGER` "0",
  `PERCENT` "0.0%" (the cell holds a share, 0.25 for 25 %), `SCORE` "0.0", `TEXT` "General";
  optional widths (in characters, a CJK character counting two) else fitted to the content.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

INTEGER = "0"
PERCENT = "0.0%"
SCORE = "0.0"
TEXT = "General"

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]] = ()
    number_formats: Sequence[str] = ()  # one per column; missing ones are TEXT
    widths: Sequence[float] | None = None

    def number_format(self, column: int) -> str:
        return self.number_formats[column] if column < len(self.number_formats) else TEXT


@dataclass(frozen=True)
class Part:
    heading: str
    paragraphs: Sequence[str] = ()


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: Sequence[str] = ()
    parts: Sequence[Part] = ()
    annex_title: str = ""
    annex: Table | None = None
    annex_label: str = ""  # the word above the annex's title ("附件"), in the reader's language
    author: str = ""  # the document's author property (python-docx's default says "python-docx")


def cell_text(value: Cell, number_format: str) -> str:
    """A cell as text, the way its number format shows it (for writers without number formats)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if number_format == PERCENT:
        return f"{value * 100:.1f}%"
    if number_format == SCORE:
        return f"{value:.1f}"
    if number_format == INTEGER:
        return str(round(value))
    return str(value)


def display_width(text: str) -> int:
    """Columns a text takes in a fixed-width view: a wide (CJK) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
