"""What a reminder says, in every form the channels need."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One reminder, already rendered (subject/text/html/markdown from the area's templates).

    `mentions` are mobile numbers a group robot should @ (WeCom, DingTalk); e-mail ignores them.
    `link` is the address of the page the reminder is about (absolute, from TRACKER_BASE_URL).
    """

    subject: str
    text: str
    html: str
    markdown: str
    mentions: tuple[str, ...] = ()
    link: str = ""


def cut_utf8(text: str, max_bytes: int) -> str:
    """`text` if it fits in `max_bytes` of UTF-8, else its longest prefix that fits, with "…"."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    budget = max(0, max_bytes - len("…".encode()))
    return text.encode("utf-8")[:budget].decode("utf-8", errors="ignore") + "…"
