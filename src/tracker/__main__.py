"""The `tracker` command: Litestar's CLI with our app preset, plus our own commands."""

from __future__ import annotations

import os
import sys

from pydantic import ValidationError

from tracker.config import SettingsError, get_settings

APP_PATH = "tracker.app:create_app"


def _check_settings() -> None:
    """Fail with one clear line (exit 2) on settings that can't work, before anything starts."""
    try:
        get_settings().db_url  # noqa: B018  (validates the URL)
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"tracker: TRACKER_{str(first['loc'][0]).upper()}: {first['msg']}", file=sys.stderr)
        raise SystemExit(2) from None
    except SettingsError as exc:
        print(f"tracker: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def main() -> None:
    os.environ.setdefault("LITESTAR_APP", APP_PATH)
    _check_settings()
    from litestar.cli.main import litestar_group

    from tracker.cli import register_commands

    register_commands(litestar_group)
    litestar_group(prog_name="tracker")


if __name__ == "__main__":
    main()
