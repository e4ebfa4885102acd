"""The Jinja environment: i18n extension bound to the per-request locale, formatting filters."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine as Engine

from tracker import i18n
from tracker.paths import templates_dir


def make_environment(timezone: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = i18n.format_date
    env.filters["datetime"] = lambda value, fmt="medium": i18n.format_datetime(value, timezone, fmt)
    env.filters["number"] = i18n.format_number
    env.filters["percent"] = i18n.format_percent
    env.globals["current_locale"] = i18n.current_locale
    env.globals["supported_locales"] = i18n.SUPPORTED_LOCALES
    return env


def make_template_engine(timezone: str) -> Engine:
    return Engine.from_environment(make_environment(timezone))
