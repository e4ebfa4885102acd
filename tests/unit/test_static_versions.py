"""Hashed static URLs and how long a browser may keep them (web/static_assets.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tracker.web.static_assets import IMMUTABLE, REVALIDATE, StaticVersions


@pytest.fixture
def versions(tmp_path: Path) -> StaticVersions:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_text("body { color: red }")
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("1;")
    (tmp_path / "sw.js").write_text("// the worker")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "README").write_text("pinned")
    return StaticVersions.of_folder(tmp_path)


def test_it_names_a_file_by_the_first_ten_hex_of_its_sha256(versions: StaticVersions) -> None:
    digest = hashlib.sha256(b"body { color: red }").hexdigest()[:10]
    assert versions.url("css/app.css") == f"/static/css/app.css?v={digest}"
    assert versions.versioned("/static/css/app.css") == f"/static/css/app.css?v={digest}"


@pytest.mark.parametrize(
    "url", ["/static/missing.css", "/static/css/app.css?v=given", "/towns/alpha", "/static/"]
)
def test_it_leaves_other_urls_alone(versions: StaticVersions, url: str) -> None:
    assert versions.versioned(url) == url


def test_it_lets_browsers_keep_only_the_current_version_for_good(versions: StaticVersions) -> None:
    current = versions.url("css/app.css").split("?", 1)[1]
    assert versions.cache_control("/static/css/app.css", current.encode()) == IMMUTABLE
    assert versions.cache_control("/static/css/app.css", b"v=0123456789") == REVALIDATE  # an old one
    assert versions.cache_control("/static/css/app.css", b"") == REVALIDATE
    assert versions.cache_control("/static/nothing.css", b"v=0123456789") == REVALIDATE


def test_the_shell_is_the_styles_and_scripts_but_not_the_worker(versions: StaticVersions) -> None:
    shell = versions.shell()
    assert [url.split("?")[0] for url in shell] == ["/static/css/app.css", "/static/js/a.js"]
    assert all("?v=" in url for url in shell)


def test_the_fingerprint_changes_with_any_file(tmp_path: Path, versions: StaticVersions) -> None:
    before = versions.fingerprint()
    (tmp_path / "js" / "a.js").write_text("2;")
    assert StaticVersions.of_folder(tmp_path).fingerprint() != before
    assert versions.fingerprint(["another worker"]) != before
