"""The channel pages' forms as posted, read into the service's shapes, and the result of a test
message carried through a redirect.

Every field is text with a generous length bound (a longer one is a 400 from the framework); the
service gives the field messages. A secret typed into a form is never shown again, even beside a
message; the address typed is, until it is saved (from then on only masked).

A test message's answer goes back to the page in the query string when there is no JavaScript
(`?tested=ID&ok=1&answer=…&sig=…`), signed with the application's secret key so that nobody can
make our page show a text of their choosing through a link; an unsigned or altered one is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from tracker.domain.inputs import whole_number
from tracker.domain.reminders.channels import ChannelChange, ChannelIn, SendTestResult

ANSWER_MAX = 300  # characters of a channel's answer carried to the page


class ChannelForm(BaseModel):
    kind: str = Field(default="", max_length=32)
    label: str = Field(default="", max_length=1000)
    url: str = Field(default="", max_length=4000)
    secret: str = Field(default="", max_length=1000)
    unit_id: str = Field(default="", max_length=32)  # the town page: a unit's robot, or empty for the town's

    def new_channel(self, *, person_id: int | None) -> ChannelIn:
        unit_id = whole_number(self.unit_id) if person_id is None else None
        return ChannelIn(kind=self.kind, label=self.label, url=self.url, secret=self.secret,
                         person_id=person_id, unit_id=unit_id)  # fmt: skip

    def shown(self) -> dict[str, str]:
        """What the form shows again beside its messages (never the secret)."""
        return {"kind": self.kind, "label": self.label, "url": self.url, "unit_id": self.unit_id}


class ChannelEditForm(BaseModel):
    label: str = Field(default="", max_length=1000)
    active: str | None = Field(default=None, max_length=10)  # a checkbox: absent when off
    url: str = Field(default="", max_length=4000)  # empty: keep the saved address
    secret: str = Field(default="", max_length=1000)  # empty: keep the saved secret
    clear_secret: str | None = Field(default=None, max_length=10)

    def change(self) -> ChannelChange:
        return ChannelChange(label=self.label, active=bool(self.active), url=self.url, secret=self.secret,
                             clear_secret=bool(self.clear_secret))  # fmt: skip


class EmailForm(BaseModel):
    email: str = Field(default="", max_length=1000)
    email_on: str | None = Field(default=None, max_length=10)  # a checkbox: absent when off


@dataclass(frozen=True)
class ShownResult:
    """A test message's result as the page shows it, beside its channel's row."""

    channel_id: int
    ok: bool
    answer: str


def _signature(key: str, channel_id: int, ok: bool, answer: str) -> str:
    text = f"channel-test\n{channel_id}\n{int(ok)}\n{answer}".encode()
    return hmac.new(key.encode(), text, hashlib.sha256).hexdigest()[:32]


def result_query(key: str, channel_id: int, result: SendTestResult) -> str:
    answer = result.answer[:ANSWER_MAX]
    return urlencode({"tested": channel_id, "ok": int(result.ok), "answer": answer,
                      "sig": _signature(key, channel_id, result.ok, answer)})  # fmt: skip


def read_result(
    key: str, tested: str | None, ok: str | None, answer: str | None, sig: str | None
) -> ShownResult | None:
    """The result carried in the query string, if it is ours (signed); else None."""
    channel_id = whole_number(tested or "")
    if channel_id is None or ok not in ("0", "1") or answer is None or sig is None:
        return None
    expected = _signature(key, channel_id, ok == "1", answer)
    if not hmac.compare_digest(expected, sig):
        return None
    return ShownResult(channel_id, ok == "1", answer)


def shown_result(channel_id: int, result: SendTestResult) -> ShownResult:
    return ShownResult(channel_id, result.ok, result.answer[:ANSWER_MAX])
