"""Input bounded at the door: the application's `before_request` hook, run for every route after
its guards and before its parameters and body are read.

One place refuses, with a 400 naming the field, what no handler could keep or would read safely:
- a path parameter: a number beyond the database's range (2**63 - 1), or text with a control or
  invisible formatting character;
- a query parameter: text with a control or invisible formatting character, or something a
  lax reader (str.isdigit) would take for a whole number that is none ("²", "١٢") or too big;
- a form (url-encoded): a NUL in any field (PostgreSQL can't keep one; fields that are kept are
  checked in full by the schemas and services), and in an identifier field (named `…_id` or
  `…_ids`) what a lax reader would take for a number but is none or too big;
- a JSON body nested deeper than MAX_JSON_DEPTH (the decoder recurses; 100,000 levels crash it).
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from tracker.domain.errors import InvalidInput
from tracker.domain.inputs import MAX_ID, number_problem, too_large
from tracker.domain.text import text_problem
from tracker.i18n import _

MAX_JSON_DEPTH = 32
# A JSON string (skipped whole: brackets inside it don't count) or a bracket.
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')
_OPENING = frozenset(b"[{")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays and objects in `body` nest deeper than `limit` (strings are skipped whole)."""
    depth = 0
    for match in _JSON_TOKENS.finditer(body):
        first = match.group()[0]
        if first in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif first != ord('"'):
            depth -= 1
    return False


def _path_problems(params: dict[str, Any]) -> dict[str, str]:
    problems: dict[str, str] = {}
    for name, value in params.items():
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ID:
            problems[name] = too_large()
        elif isinstance(value, str) and (problem := text_problem(value)):
            problems[name] = problem
    return problems


def _query_problems(items: list[tuple[str, Any]]) -> dict[str, str]:
    problems: dict[str, str] = {}
    for name, value in items:
        if isinstance(value, str) and (problem := text_problem(value) or number_problem(value)):
            problems.setdefault(name, problem)
    return problems


def _form_problem(name: str, value: str) -> str | None:
    if "\x00" in value:
        return text_problem(value)
    if name.endswith(("_id", "_ids")):
        return number_problem(value)
    return None


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


async def check_inputs(request: Request) -> None:
    """The `before_request` hook (see the module notes); raises InvalidInput with field messages."""
    problems = _path_problems(request.path_params) | _query_problems(request.query_params.multi_items())
    if request.method in _BODY_METHODS:
        content_type = request.content_type[0]
        if content_type == "application/x-www-form-urlencoded":
            for name, value in (await request.form()).multi_items():
                if isinstance(value, str) and (problem := _form_problem(name, value)):
                    problems.setdefault(name, problem)
        elif _is_json(content_type) and json_too_deep(await request.body()):
            problems["body"] = _("Nested too deeply: at most %(depth)d levels of arrays and objects", depth=MAX_JSON_DEPTH)
    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)
