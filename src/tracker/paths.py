"""Where the shipped resources live: beside the package in a wheel, at the repo root in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_ROOT = _PACKAGE_DIR.parent.parent


@cache
def resource_dir(name: str) -> Path:
    """Return the folder `name` (templates, static, migrations, seeds) for this install."""
    for candidate in (_PACKAGE_DIR / name, _CHECKOUT_ROOT / name):
        if candidate.is_dir():
            return candidate
    msg = f"resource folder {name!r} is missing from this installation"
    raise FileNotFoundError(msg)


def templates_dir() -> Path:
    return resource_dir("templates")


def static_dir() -> Path:
    return resource_dir("static")


def migrations_dir() -> Path:
    return resource_dir("migrations")


def seeds_dir() -> Path:
    return resource_dir("seeds")
