"""The import-layer contract ([tool.importlinter] in pyproject.toml) holds, and it bites.

Imports run one way only (DESIGN.md, "The house"); `lint-imports` checks the contracts. These
tests run it from the venv, first on the real package, then on copies of it with a forbidden
import (or a cycle) added, each of which must break a contract.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(source: Path, config: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the `tracker` package in the folder `source` (it puts its working
    folder first on sys.path), with the contracts in `config`."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_keeps_every_import_contract() -> None:
    result = lint_imports(ROOT / "src", ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# id: (the imports to add, each as (module, import line), and what lint-imports must say)
BACK_ARROWS: dict[str, tuple[list[tuple[str, str]], str]] = {
    "db-imports-a-page": (
        [("db/models/tasks.py", "import tracker.domain.work.pages")],
        "tracker.db is not allowed to import tracker.domain",
    ),
    "web-imports-an-area": (
        [("web/auth.py", "import tracker.domain.accounts.users")],
        "tracker.web is not allowed to import tracker.domain",
    ),
    "roster-imports-planning": (
        [("domain/roster/service.py", "import tracker.domain.planning.service")],
        "tracker.domain.roster is not allowed to import tracker.domain.planning",
    ),
    "rule-imports-a-service": (
        [("domain/work/lights.py", "import tracker.domain.work.service")],
        "tracker.domain.work.lights is not allowed to import tracker.domain.work.service",
    ),
    "service-imports-a-page": (
        [("domain/board/service.py", "import tracker.domain.board.pages")],
        "tracker.domain.board.service is not allowed to import tracker.domain.board.pages",
    ),
    "service-imports-litestar": (
        [("domain/work/service.py", "import litestar")],
        "Illegal imports of protected package litestar",
    ),
    "cycle": (  # two pure rules importing each other: no layer is crossed, only the cycle rule breaks
        [
            ("domain/work/kinds.py", "import tracker.domain.work.geo"),
            ("domain/work/geo.py", "import tracker.domain.work.kinds"),
        ],
        "No cycles are allowed in tracker.domain.work",
    ),
}


@pytest.mark.parametrize(("imports", "message"), BACK_ARROWS.values(), ids=BACK_ARROWS.keys())
def test_it_breaks_on_a_back_arrow_or_a_cycle(
    tmp_path: Path, imports: list[tuple[str, str]], message: str
) -> None:
    shutil.copytree(
        ROOT / "src" / "tracker", tmp_path / "tracker", ignore=shutil.ignore_patterns("__pycache__")
    )
    for module, line in imports:
        changed = tmp_path / "tracker" / module
        changed.write_text(changed.read_text() + f"\n{line}  # the back-arrow under test\n")

    result = lint_imports(tmp_path, ROOT / "pyproject.toml")

    assert result.returncode == 1, result.stdout + result.stderr
    assert message in " ".join(result.stdout.split()), result.stdout
