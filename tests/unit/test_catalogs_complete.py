"""Every message id in src/ and templates/ has a Chinese translation in the merged zh_CN catalogs.

Extraction uses Babel with babel.cfg's method map, as `pybabel extract` would; the catalogs are
the ones the app loads (every src/tracker/i18n/zh_CN/*.po), so a string added anywhere without a
translation fails here with its file and line.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tracker import i18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}


def extracted_messages() -> dict[str | tuple[str, ...], list[str]]:
    """msgid (or (singular, plural)) -> where it is used, for every message in src/ and templates/."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    found: dict[str | tuple[str, ...], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def test_it_extracts_from_code_and_templates() -> None:
    messages = extracted_messages()
    places = {where.split(":")[0].split("/")[0] for wheres in messages.values() for where in wheres}
    assert {"src", "templates"} <= places
    assert "Responsibility tracker" in messages


def test_it_has_a_chinese_translation_for_every_message() -> None:
    translations = i18n.translations("zh_CN")
    missing = []
    for message, wheres in sorted(extracted_messages().items(), key=lambda item: str(item[0])):
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
            translated = translations.ngettext(singular, plural, 1)
            ok = translated != singular or _translated_as_itself(singular)
        else:
            ok = translations.gettext(message) != message or _translated_as_itself(message)
        if not ok:
            missing.append(f"{message!r}  ({', '.join(wheres)})")
    assert not missing, f"{len(missing)} message(s) without a zh_CN translation:\n" + "\n".join(missing)


def _translated_as_itself(message: str) -> bool:
    """A msgstr may equal its msgid (a code, a proper name); it must still be present and non-empty."""
    for po_path in sorted((i18n.CATALOGS_DIR / "zh_CN").glob("*.po")):
        with po_path.open("rb") as po_file:
            entry = read_po(po_file, locale="zh_CN").get(message)
        if entry is not None and entry.string:
            return True
    return False


def test_it_has_no_catalog_entry_with_broken_placeholders() -> None:
    """A translation uses the same %(name)s placeholders as its msgid, or formatting fails at runtime."""
    import re

    placeholder = re.compile(r"%\((\w+)\)[sd]")
    problems = []
    for po_path in sorted((i18n.CATALOGS_DIR / "zh_CN").glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale="zh_CN")
        for entry in catalog:
            if not entry.id or not entry.string:
                continue
            ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            wanted = set(placeholder.findall(ids[0]))
            for text in strings:
                if set(placeholder.findall(text)) != wanted:
                    problems.append(f"{po_path.name}: {ids[0]!r} -> {text!r}")
    assert not problems, "\n".join(problems)
