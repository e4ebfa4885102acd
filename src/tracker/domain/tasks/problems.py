"""The one exception the tasks rules raise on bad input, ready to become an `InvalidInput`.

Public API
- `TaskRuleError(message, fields)`: a `ValueError` whose `message` is already translated and
  whose `fields` maps a form/JSON field to its translated message. Services turn it into the
  domain error with `raise InvalidInput(err.message, fields=err.fields) from err`.

The `validate_*` functions return the same `fields` dict instead of raising; the computing
functions (`periods_in_year`, …) raise `TaskRuleError` when handed input that validation
would have refused.
"""

from __future__ import annotations

from collections.abc import Mapping


class TaskRuleError(ValueError):
    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> TaskRuleError:
        """The first field message as the overall message, all of them as fields."""
        return cls(next(iter(fields.values())), fields)
