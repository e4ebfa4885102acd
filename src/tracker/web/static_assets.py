"""Static files with hashed names: `/static/<path>?v=<first 10 hex of its sha256>`.

The hashes are computed once when the app is made. A URL carrying the file's current hash never
changes meaning, so the browser may keep it a year without asking (`immutable`); any other static URL
(no `?v=`, or an old one) is revalidated on every use (`no-cache`). Templates keep writing
`url_for('static', file_path=...)`: templating.py wraps `url_for` to add the hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

STATIC_PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASH_LENGTH = 10
# What the service worker keeps from the start (the app shell): styles, scripts, icons.
SHELL_SUFFIXES = (".css", ".js", ".png", ".svg")
# sw.js is served from the site root as /sw.js; the big icons are only for the launcher
NOT_SHELL = ("sw.js", "icons/icon-512.png", "icons/icon-maskable-512.png")


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]


@dataclass(frozen=True)
class StaticVersions:
    """Each static file (its path under static/, with '/') and its hash."""

    hashes: Mapping[str, str]

    @classmethod
    def of_folder(cls, folder: Path) -> StaticVersions:
        files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
        return cls({p.relative_to(folder).as_posix(): file_hash(p) for p in files})

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
        """The hashed URLs of the app shell, in a stable order."""
        return [
            self.url(path) for path in self.hashes if path.endswith(SHELL_SUFFIXES) and path not in NOT_SHELL
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
