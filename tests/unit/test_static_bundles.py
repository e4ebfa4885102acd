"""Bundles of static scripts (web/static_assets.py): minified, joined in order, hashed like a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.web.static_assets import IMMUTABLE, LINKED_ALONE, REVALIDATE, StaticVersions, bundle_of

BUNDLE = {"bundle/all.js": ("js/first.js", "js/sw-register.js", "js/second.js")}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "first.js").write_text(
        '// first\n(function () {\n  "use strict";\n  self.one = 1;\n})()\n'
    )
    (tmp_path / "js" / "sw-register.js").write_text("/* the worker */\n(function () { self.two = 2; })();\n")
    (tmp_path / "js" / "second.js").write_text("(function () {\n  var s = '// not a comment';\n})();\n")
    return tmp_path


def test_a_bundle_is_its_scripts_minified_in_order_each_ended(folder: Path) -> None:
    text = bundle_of(folder, BUNDLE["bundle/all.js"]).decode()
    assert text == (
        '/* js/first.js */\n(function(){"use strict";self.one=1;})();\n'
        "/* js/sw-register.js */\n(function(){self.two=2;})();;\n"
        "/* js/second.js */\n(function(){var s='// not a comment';})();;\n"
    )


def test_a_bundle_is_hashed_and_kept_like_a_file_and_replaces_its_sources_in_the_shell(folder: Path) -> None:
    versions = StaticVersions.of_folder(folder, BUNDLE)
    url = versions.url("bundle/all.js")
    assert url.startswith("/static/bundle/all.js?v=")
    assert versions.bundle("bundle/all.js") == bundle_of(folder, BUNDLE["bundle/all.js"])
    assert versions.cache_control("/static/bundle/all.js", url.split("?")[1]) == IMMUTABLE
    assert versions.cache_control("/static/bundle/all.js", "v=0123456789") == REVALIDATE
    shell = [u.split("?")[0] for u in versions.shell()]
    assert "/static/bundle/all.js" in shell and "/static/js/first.js" not in shell
    assert (
        "js/sw-register.js" in LINKED_ALONE and "/static/js/sw-register.js" in shell
    )  # linked on its own too

    (folder / "js" / "second.js").write_text("(function () { self.changed = true; })();")
    assert StaticVersions.of_folder(folder, BUNDLE).url("bundle/all.js") != url


def test_a_bundle_with_a_missing_source_is_not_made(folder: Path) -> None:
    (folder / "js" / "second.js").unlink()
    versions = StaticVersions.of_folder(folder, BUNDLE)
    assert versions.bundle("bundle/all.js") is None and not versions.present("bundle/all.js")
    assert "/static/js/first.js" in [u.split("?")[0] for u in versions.shell()]
