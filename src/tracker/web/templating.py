"""The Jinja environment: i18n extension bound to the per-request locale, formatting filters.

Helpers that belong to an area (a role's name …) are passed in by create_app as `template_globals`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine as Engine
from litestar.template.base import url_for

from tracker import i18n
from tracker.domain.clock import utc_now
from tracker.paths import templates_dir
from tracker.web.static_assets import StaticVersions

# Each language named in itself, for the language switch (not translated on purpose).
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def _template_gettext(message: str) -> str:
    # Jinja's newstyle gettext fills `%(name)s` itself (escaping the values), so no formatting here.
    return i18n.translations(i18n.current_locale()).gettext(message)


def _template_ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations(i18n.current_locale()).ngettext(singular, plural, n)


def html_lang() -> str:
    """The current locale as a BCP 47 tag for `<html lang>`: zh_CN -> zh-CN."""
    return i18n.current_locale().replace("_", "-")


def format_coordinates(latitude: float | None, longitude: float | None) -> str:
    if latitude is None or longitude is None:
        return ""
    return f"{latitude:.5f}, {longitude:.5f}"


def make_environment(timezone: str, template_globals: Mapping[str, Any] | None = None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_template_gettext, _template_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = i18n.format_date

    def format_datetime(value: dt.datetime | None, fmt: str = "medium", zone: str | None = None) -> str:
        return i18n.format_datetime(value, zone or timezone, fmt)

    env.filters["datetime"] = format_datetime
    env.filters["number"] = i18n.format_number
    env.filters["percent"] = i18n.format_percent
    env.globals["coordinates"] = format_coordinates
    env.globals["current_locale"] = i18n.current_locale
    env.globals["html_lang"] = html_lang
    env.globals["supported_locales"] = i18n.SUPPORTED_LOCALES
    env.globals["language_names"] = LANGUAGE_NAMES
    env.globals["page_fetched_at"] = utc_now  # base.html's <meta name="fetched-at"> and offline banner
    env.globals.update(template_globals or {})
    return env


# Distinct addresses one process remembers (route name and parameters -> path); more empties the memory.
URL_MEMORY = 20_000


def make_template_engine(
    timezone: str, template_globals: Mapping[str, Any] | None = None, static_versions: StaticVersions | None = None
) -> Engine:
    engine = Engine.from_environment(make_environment(timezone, template_globals))
    versions = static_versions
    known: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = {}

    def remembered_url_for(context: Mapping[str, Any], /, route_name: str, **path_parameters: Any) -> str:
        """Litestar's `url_for`, remembered (one app's routes never change, and its reverse lookup sorts
        the route's paths on every call: a board of 40 people x 12 months asked it 480 times), with
        `?v=<hash>` on static files (web/static_assets.py)."""
        key = (route_name, tuple(sorted(path_parameters.items())))
        try:
            url = known.get(key)
        except TypeError:  # a parameter that can't be a key: not remembered
            return _address(context, route_name, path_parameters)
        if url is None:
            url = _address(context, route_name, path_parameters)
            if len(known) >= URL_MEMORY:
                known.clear()
            known[key] = url
        return url

    def _address(context: Mapping[str, Any], route_name: str, path_parameters: dict[str, Any]) -> str:
        url = url_for(context, route_name, **path_parameters)
        return versions.versioned(url) if versions is not None and route_name == "static" else url

    engine.register_template_callable(key="url_for", template_callable=remembered_url_for)
    return engine
