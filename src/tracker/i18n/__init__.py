"""Translations: per-request locale in a ContextVar, catalogs merged from every `<locale>/*.po`.

Catalogs live by area (`zh_CN/accounts.po`, `zh_CN/planning.po`, `zh_CN/work.po`, `zh_CN/board.po` …)
so that areas don't collide; they are compiled in memory on first use. Message ids are English;
zh_CN is the default locale.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

SUPPORTED_LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
CATALOGS_DIR = Path(__file__).resolve().parent

# None until a request (or a command) chooses: then the configured default applies.
_current_locale: ContextVar[str | None] = ContextVar("tracker_locale", default=None)
_default_locale: list[str] = [DEFAULT_LOCALE]


def set_default_locale(locale: str) -> None:
    _default_locale[0] = locale


def current_locale() -> str:
    chosen = _current_locale.get()
    return chosen if chosen in SUPPORTED_LOCALES else _default_locale[0]  # type: ignore[return-value]


def set_locale(locale: str) -> None:
    """Set the locale for the current context (one request, one task)."""
    _current_locale.set(locale)


@contextlib.contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = _current_locale.set(locale)
    try:
        yield
    finally:
        _current_locale.reset(token)


@cache
def translations(locale: str) -> Translations:
    """Every `<locale>/*.po` catalog merged into one Translations object.

    The first catalog is the base, so its plural rule (zh_CN: one form) is the merged one's too.
    """
    merged: Translations | None = None
    for po_path in sorted((CATALOGS_DIR / locale).glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = Translations(buffer)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    return merged if merged is not None else Translations()


def gettext(message: str, **variables: Any) -> str:
    """Translate `message` to the current locale; `%(name)s` placeholders filled from `variables`."""
    text = translations(current_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = translations(current_locale()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


class LazyText:
    """A message translated when it is shown, for strings defined at import time."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return gettext(self.message)

    def __repr__(self) -> str:
        return f"LazyText({self.message!r})"


def lazy_gettext(message: str) -> LazyText:
    return LazyText(message)


def negotiate_locale(choice: str | None, accept_language: str | None, default: str) -> str:
    """The user's choice, else the best match of Accept-Language, else the default."""
    if choice in SUPPORTED_LOCALES:
        return choice
    if accept_language:
        preferred = [part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")]
        with contextlib.suppress(UnknownLocaleError, ValueError):
            match = Locale.negotiate([p for p in preferred if p and p != "*"], list(SUPPORTED_LOCALES))
            if match is not None:
                return str(match)
    return default


def format_date(value: dt.date | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return babel_dates.format_date(value, format=fmt, locale=current_locale())


def format_datetime(value: dt.datetime | None, timezone: str, fmt: str = "medium") -> str:
    """Show a stored UTC datetime in the town's zone, the local way."""
    if value is None:
        return ""
    return babel_dates.format_datetime(value, format=fmt, tzinfo=ZoneInfo(timezone), locale=current_locale())


def format_number(value: float | int | None) -> str:
    if value is None:
        return ""
    return babel_numbers.format_decimal(value, locale=current_locale())


def format_percent(value: float | None) -> str:
    if value is None:
        return ""
    return babel_numbers.format_percent(value, locale=current_locale())
