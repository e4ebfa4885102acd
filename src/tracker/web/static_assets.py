"""Static files with hashed names: `/static/<path>?v=<first 10 hex of its sha256>`.

The hashes are computed once when the app is made. A URL carrying the file's current hash never
changes meaning, so the browser may keep it a year without asking (`immutable`); any other static URL
(no `?v=`, or an old one) is revalidated on every use (`no-cache`). Templates keep writing
`url_for('static', file_path=...)`: templating.py wraps `url_for` to add the hash.

Bundles: the scripts every signed-in page loads, minified (rjsmin) and joined once when the app is
made, in the order they run, served as one file (`/static/bundle/<name>?v=<hash>`, web/app_shell.py).
On a phone one request instead of five: Chromium opens six connections to a host, so a seventh file
costs another round trip (2 s on Slow 3G). Each source stays an IIFE, so order and scope are as when
they were separate files; the sources stay served on their own (the worker imports the queue's).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import rjsmin

STATIC_PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASH_LENGTH = 10
# What the service worker keeps from the start (the app shell): styles, scripts, icons.
SHELL_SUFFIXES = (".css", ".js", ".png", ".svg")
# sw.js is served from the site root as /sw.js; the big icons are only for the launcher
NOT_SHELL = ("sw.js", "icons/icon-512.png", "icons/icon-maskable-512.png")
BUNDLE_DIR = "bundle/"
# The scripts of every signed-in page (base.html), in the order they ran as separate deferred files.
SIGNED_IN_BUNDLE = "bundle/signed-in.js"
BUNDLES: Mapping[str, tuple[str, ...]] = {
    SIGNED_IN_BUNDLE: (
        "js/sw-register.js",  # the worker's registration and the offline banner
        "js/photo-stamp.js",  # the town's stamp on photos: hooks into photo-shrink.js
        "js/photo-shrink.js",  # before record-queue.js, which reads self.TrackerPhotos when it runs
        "js/record-queue-core.js",  # self.TrackerQueue (the worker imports this file on its own)
        "js/record-queue.js",  # the top bar's count, sending on load, the record forms
    ),
}
# Sources also linked on their own (by base.html when no one is signed in): kept in the shell.
LINKED_ALONE = frozenset({"js/sw-register.js"})


def file_hash(path: Path) -> str:
    return content_hash(path.read_bytes())


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:HASH_LENGTH]


def bundle_of(folder: Path, sources: Iterable[str]) -> bytes:
    """The scripts minified and joined in order, each after a comment naming it; `;` between them so
    that no file's last expression runs into the next file's first."""
    parts = [
        f"/* {source} */\n{rjsmin.jsmin((folder / source).read_text(encoding='utf-8'))};\n"
        for source in sources
    ]
    return "".join(parts).encode()


@dataclass(frozen=True)
class StaticVersions:
    """Each static file (its path under static/, with '/') and its hash."""

    hashes: Mapping[str, str]
    # bundle path (under static/, e.g. bundle/signed-in.js) -> its content; their hashes are in `hashes`
    bundles: Mapping[str, bytes] = field(default_factory=dict)
    bundled: frozenset[str] = frozenset()  # the bundles' sources no page links on their own

    @classmethod
    def of_folder(cls, folder: Path, bundles: Mapping[str, tuple[str, ...]] = BUNDLES) -> StaticVersions:
        """Every file's hash, and each bundle whose sources are all there (built now, once)."""
        files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
        hashes = {p.relative_to(folder).as_posix(): file_hash(p) for p in files}
        built = {
            name: bundle_of(folder, sources)
            for name, sources in bundles.items()
            if all(source in hashes for source in sources)
        }
        hashes.update({name: content_hash(content) for name, content in built.items()})
        bundled = frozenset(source for name in built for source in bundles[name]) - LINKED_ALONE
        return cls(hashes, built, bundled)

    def bundle(self, file_path: str) -> bytes | None:
        return self.bundles.get(file_path.lstrip("/"))

    def url(self, file_path: str) -> str:
        """The file's URL with its hash; a file that isn't there keeps its plain URL."""
        path = file_path.lstrip("/")
        version = self.hashes.get(path)
        return f"{STATIC_PREFIX}{path}?v={version}" if version else f"{STATIC_PREFIX}{path}"

    def versioned(self, url: str) -> str:
        """`/static/<path>` (what the static router reverses to) with the file's hash added."""
        if not url.startswith(STATIC_PREFIX) or "?" in url:
            return url
        return self.url(url[len(STATIC_PREFIX) :])

    def cache_control(self, path: str, query_string: bytes | str) -> str:
        """How long a browser may keep the answer to GET `path?query_string` (a /static/ path)."""
        query = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
        asked = parse_qs(query).get("v", [""])[-1]
        current = self.hashes.get(path[len(STATIC_PREFIX) :]) if path.startswith(STATIC_PREFIX) else None
        return IMMUTABLE if current is not None and asked == current else REVALIDATE

    def shell(self) -> list[str]:
        """The hashed URLs of the app shell, in a stable order: a bundle, not the sources no page links on
        their own (the worker imports the queue's itself)."""
        return [
            self.url(path)
            for path in self.hashes
            if path.endswith(SHELL_SUFFIXES) and path not in NOT_SHELL and path not in self.bundled
        ]

    def present(self, file_path: str) -> bool:
        return file_path.lstrip("/") in self.hashes

    def fingerprint(self, extra: Iterable[str] = ()) -> str:
        """One hash of every file's hash (and `extra`): changes whenever any static file does."""
        digest = hashlib.sha256()
        for path, version in sorted(self.hashes.items()):
            digest.update(f"{path}={version}\n".encode())
        for item in extra:
            digest.update(item.encode())
        return digest.hexdigest()[:HASH_LENGTH]
