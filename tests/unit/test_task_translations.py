"""The catalogs of the work areas: every message of planning, work and the board has a Chinese
translation, and each area's catalog (zh_CN/planning.po, work.po, board.po) holds only messages of
that area, each in the lowest area that uses it.

An area is its Python modules (src/tracker/domain/<area>/) and its templates in templates/tasks/
(assignment*, _assignment*: planning; board*, _board*: the board; the rest: work).
domain/scope.py, which all three import, counts as planning's. The board imports work and work
imports planning, so a message two areas use lives in the lower one's catalog. Messages an area
shares with the rest of the app (pages.po ...) may live there: translations are looked up in every
zh_CN/*.po, as the app merges them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

from tracker.i18n import CATALOGS_DIR

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "src" / "tracker" / "domain"
TEMPLATES = ROOT / "templates" / "tasks"
AREAS = ("planning", "work", "board")  # lowest first: each imports the ones before it
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}

Msgid = str | tuple[str, ...]


def template_area(path: Path) -> str:
    if path.name.startswith(("assignment", "_assignment")):
        return "planning"
    if path.name.startswith(("board", "_board")):
        return "board"
    return "work"


def area_files(area: str) -> list[Path]:
    """The Python modules and templates of `area`."""
    modules = sorted((DOMAIN / area).glob("*.py"))
    if area == "planning":
        modules.append(DOMAIN / "scope.py")
    templates = sorted(path for path in TEMPLATES.glob("*.html") if template_area(path) == area)
    return modules + templates


FILES = [(area, path) for area in AREAS for path in area_files(area)]


def msgids(path: Path) -> list[Msgid]:
    """The message ids `path` uses (a plural one as (singular, plural)), extracted as babel.cfg does."""
    if path.suffix == ".html":
        found = extract_from_file("jinja2", path, keywords=KEYWORDS, options={"extensions": "jinja2.ext.i18n"})
    else:
        found = extract_from_file("python", path, keywords=KEYWORDS)
    return [message for _line, message, _comments, _context in found]


def used_by(area: str) -> set[Msgid]:
    return {msgid for path in area_files(area) for msgid in msgids(path)}


def catalog(*names: str) -> list[Message]:
    """The entries of the named zh_CN catalogs (all of them when none is named), one list."""
    paths = [CATALOGS_DIR / "zh_CN" / name for name in names] or sorted((CATALOGS_DIR / "zh_CN").glob("*.po"))
    entries = []
    for path in paths:
        with path.open("rb") as po_file:
            entries.extend(message for message in read_po(po_file, locale="zh_CN") if message.id)
    return entries


def test_it_finds_the_files_of_every_area() -> None:
    for area in AREAS:
        kinds = {path.suffix for path in area_files(area)}
        assert kinds == {".py", ".html"}, area
        assert (CATALOGS_DIR / "zh_CN" / f"{area}.po").is_file()


@pytest.mark.parametrize(("area", "path"), FILES, ids=[f"{area}/{path.name}" for area, path in FILES])
def test_it_translates_every_message_of_the_module(area: str, path: Path) -> None:
    translated = {m.id for m in catalog() if not m.fuzzy and all(m.string if isinstance(m.string, tuple) else (m.string,))}
    assert [msgid for msgid in msgids(path) if msgid not in translated] == []


@pytest.mark.parametrize("area", AREAS)
def test_it_keeps_no_stale_message_in_the_area_catalog(area: str) -> None:
    used = used_by(area)
    assert [m.id for m in catalog(f"{area}.po") if m.id not in used] == []


def test_it_keeps_each_message_in_the_lowest_area_that_uses_it() -> None:
    misplaced = []
    for index, area in enumerate(AREAS):
        lower = set().union(*(used_by(below) for below in AREAS[:index]))
        misplaced += [f"{area}.po: {m.id!r}" for m in catalog(f"{area}.po") if m.id in lower]
    assert misplaced == []


def test_it_keeps_the_placeholders_in_each_translation() -> None:
    for message in catalog():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "%(" in ids[0]:
            wanted = sorted(part.split(")")[0] for part in ids[0].split("%(")[1:])
            for text in strings:
                assert sorted(part.split(")")[0] for part in text.split("%(")[1:]) == wanted, ids[0]
