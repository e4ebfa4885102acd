"""Text from outside (forms, JSON, query strings, imported files): which characters it may not hold. Pure.

Refused everywhere a person's text is kept or shown: NUL and the other C0 and C1 control characters
(tab, line feed and carriage return are allowed in multi-line text only), DEL, the zero-width and
direction marks U+200B-U+200F, the direction embeddings and overrides U+202A-U+202E, the direction
isolates U+2066-U+2069, U+FEFF, and lone surrogates (not characters at all: no database can keep
them). PostgreSQL refuses NUL outright; the rest hide text or turn it around on the screen ("U+202E
txt.exe" shows as "exe.txt").

Public API
- `forbidden_character(text, single_line=...) -> (position, character) | None`: the first one, 1-based.
- `text_problem(text, single_line=...) -> str | None`: a translated field message naming it.
- `replace_forbidden(text, single_line=...) -> str`: each such character replaced by U+FFFD (to
  echo bad input in a message without its effect).
- `code_point(character) -> str`: "U+202E".
- `Line`, `Text`: pydantic string types refusing them (a line also refuses tab and line breaks).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from tracker.i18n import _

_ALWAYS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f"  # C0 controls but tab, line feed, carriage return
    "\x7f-\x9f"  # DEL and the C1 controls
    "\u200b-\u200f"  # zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
    "\u202a-\u202e"  # direction embeddings, pop, overrides
    "\u2066-\u2069"  # direction isolates
    "\ufeff"  # zero-width no-break space (byte-order mark)
    "\ud800-\udfff"  # lone surrogates
)
_IN_TEXT = re.compile(f"[{_ALWAYS}]")
_IN_LINE = re.compile(f"[{_ALWAYS}\t\n\r]")


def forbidden_character(text: str, *, single_line: bool = False) -> tuple[int, str] | None:
    """The first character `text` may not hold, with its 1-based position; None when it is clean."""
    found = (_IN_LINE if single_line else _IN_TEXT).search(text)
    return (found.start() + 1, found.group()) if found else None


def replace_forbidden(text: str, *, single_line: bool = False, replacement: str = "\ufffd") -> str:
    """`text` with each character it may not hold replaced (to echo it in a message without its effect)."""
    return (_IN_LINE if single_line else _IN_TEXT).sub(replacement, text)


def code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def text_problem(text: str, *, single_line: bool = False) -> str | None:
    """A field message for text holding a character it may not hold; None when it is clean."""
    found = forbidden_character(text, single_line=single_line)
    if found is None:
        return None
    position, character = found
    if single_line and character in "\t\n\r":
        return _("Keep this on one line (a tab or line break is at character %(position)d)", position=position)
    return _(
        "Remove the control or invisible formatting character %(code)s at character %(position)d",
        code=code_point(character),
        position=position,
    )


def _checked(single_line: bool):
    def check(value: str) -> str:
        problem = text_problem(value, single_line=single_line)
        if problem is not None:
            raise PydanticCustomError("text_characters", "{message}", {"message": problem})
        return value

    return check


Line = Annotated[str, AfterValidator(_checked(single_line=True))]
"""A name, title, code or other one-line text: no control or invisible formatting characters, no line breaks."""

Text = Annotated[str, AfterValidator(_checked(single_line=False))]
"""Free text (a note, a description, a reason): line breaks and tabs allowed, other control and
invisible formatting characters refused."""
