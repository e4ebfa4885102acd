"""Where a redirect may go: only a path on this site (no open redirect to another host)."""

from __future__ import annotations


def safe_local_path(candidate: str | None) -> str:
    """`candidate` if it is a path on this site, else "/"."""
    if (
        not candidate
        or not candidate.startswith("/")
        or candidate.startswith(("//", "/\\"))
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in candidate)
    ):
        return "/"
    return candidate
