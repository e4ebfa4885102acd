"""The text check (tracker.domain.text): which characters names and free text may not hold, table-driven."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from tracker.domain.text import Line, Text, code_point, forbidden_character, replace_forbidden, text_problem
from tracker.i18n import use_locale

CLEAN = [
    "",
    "干部丁",
    "走访东村1组，发现 2 个问题。",
    "Café · naïve — “quoted” 😀",
    "a\u00a0b",  # no-break space: a visible space
    "\u3000全角空格",  # ideographic space
    "العربية",  # right-to-left script without any override
]

# (text, single_line, expected (1-based position, character) or None)
CASES = [
    ("a\x00b", False, (2, "\x00")),
    ("\x01", False, (1, "\x01")),
    ("x\x1b[31m", False, (2, "\x1b")),
    ("x\x1f", False, (2, "\x1f")),
    ("x\x7f", False, (2, "\x7f")),
    ("x\x85", False, (2, "\x85")),  # C1: next line
    ("x\x9f", False, (2, "\x9f")),
    ("a\u200bb", False, (2, "\u200b")),  # zero-width space
    ("a\u200cb", False, (2, "\u200c")),
    ("a\u200db", False, (2, "\u200d")),
    ("a\u200eb", False, (2, "\u200e")),  # left-to-right mark
    ("a\u200fb", False, (2, "\u200f")),  # right-to-left mark
    ("\u202aa", False, (1, "\u202a")),
    ("invoice\u202etxt.exe", False, (8, "\u202e")),  # right-to-left override
    ("\u2066a\u2069", False, (1, "\u2066")),  # isolates
    ("a\u2069", False, (2, "\u2069")),
    ("\ufeffname", False, (1, "\ufeff")),  # byte-order mark
    ("a\ud800", False, (2, "\ud800")),  # a lone surrogate
    # tab and line breaks: free text keeps them, a line refuses them
    ("line one\nline two\r\n\tindented", False, None),
    ("a\tb", True, (2, "\t")),
    ("a\nb", True, (2, "\n")),
    ("a\rb", True, (2, "\r")),
    ("a\u00a0b", True, None),
    # the first one is reported
    ("ok\u200b\x00", False, (3, "\u200b")),
]


@pytest.mark.parametrize("text", CLEAN)
def test_it_accepts_clean_text_on_one_line_and_in_free_text(text: str) -> None:
    assert forbidden_character(text) is None
    assert forbidden_character(text, single_line=True) is None
    assert text_problem(text) is None


@pytest.mark.parametrize(("text", "single_line", "expected"), CASES)
def test_it_finds_the_first_forbidden_character(text: str, single_line: bool, expected: tuple[int, str] | None) -> None:
    assert forbidden_character(text, single_line=single_line) == expected
    assert (text_problem(text, single_line=single_line) is None) == (expected is None)


def test_it_names_the_character_and_its_position_in_the_message() -> None:
    with use_locale("en"):
        assert text_problem("abc\u202edef") == (
            "Remove the control or invisible formatting character U+202E at character 4"
        )
        assert text_problem("a\nb", single_line=True) == (
            "Keep this on one line (a tab or line break is at character 2)"
        )
    with use_locale("zh_CN"):
        assert text_problem("\x00") == "请删除第 1 个字符处的控制字符或不可见格式字符 U+0000"


def test_it_writes_code_points_and_replaces_characters_for_echoing() -> None:
    assert code_point("\x00") == "U+0000"
    assert code_point("\u202e") == "U+202E"
    assert replace_forbidden("a\x1b[31mb\u202ec") == "a\ufffd[31mb\ufffdc"
    assert replace_forbidden("a\nb") == "a\nb"
    assert replace_forbidden("a\nb", single_line=True) == "a\ufffdb"


class _Shape(BaseModel):
    name: Line
    note: Text = ""


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "a\x00"}, "name"),
        ({"name": "a\nb"}, "name"),
        ({"name": "ok", "note": "x\u202ey"}, "note"),
        ({"name": "ok", "note": "\ufeff"}, "note"),
    ],
)
def test_it_refuses_forbidden_characters_in_pydantic_shapes(data: dict[str, str], field: str) -> None:
    with use_locale("en"), pytest.raises(ValidationError) as refused:
        _Shape.model_validate(data)
    (error,) = refused.value.errors()
    assert error["loc"] == (field,)
    assert error["type"] == "text_characters"
    assert "U+" in error["msg"] or "one line" in error["msg"]


def test_it_lets_clean_shapes_through_unchanged() -> None:
    shape = _Shape.model_validate({"name": "干部丁", "note": "第一行\n第二行"})
    assert (shape.name, shape.note) == ("干部丁", "第一行\n第二行")
