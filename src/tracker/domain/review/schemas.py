"""The shapes of a town's yearly review, shared by the services that compute it, the pages, the
exports and the finalised-year snapshot. Plain data: every number is already computed.

`ReviewData` is the whole review of one town and year:
- `figures` (section 一): what was done, with figures, from the records and tasks;
- `scorecards`, `by_tier`, `by_unit`: who did their part (section 一 and the annex);
- `follow_ups` (二), `opinions` and `recurring` (三), `next_year` (四).
`to_json()` / `ReviewData.from_json()` keep it as the snapshot of a finalised year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ChartFacts:
    """What the review page's charts count: the year's visits as (day, tier value), its tasks as (month of
    the due day 1-12, state: done / late / overdue / open)."""

    visits: list[tuple[dt.date, str]]
    task_states: list[tuple[int, str]]


@dataclass(frozen=True)
class Meeting:
    """A committee meeting on ideology work (a meeting record): its day and what it was."""

    record_id: int
    day: dt.date
    title: str
    attendees: int


@dataclass(frozen=True)
class Count:
    """A figure by category (a lecture's type, a culture form, an outlet level): its key, its label
    in the reader's language at the time it was computed, and how many."""

    key: str
    label: str
    count: int
    audience: int = 0  # people reached, where the records say


@dataclass(frozen=True)
class Figures:
    town_code: str
    town_name: str
    year: int
    to_date: bool  # the year is not over: figures so far
    as_of: dt.date  # the town-local day they were computed for (the year's last day once it is over)
    committee_meetings: tuple[Meeting, ...] = ()
    study_sessions: int = 0  # collective study held (study records)
    study_months: int = 0  # months of the year with at least one
    months_in_year: int = 12  # months elapsed (to date) or 12
    study_attendance: int = 0  # attendances counted over all sessions
    lectures: tuple[Count, ...] = ()  # by type
    lectures_total: int = 0
    culture: tuple[Count, ...] = ()  # by form: films, performances
    publicity: tuple[Count, ...] = ()  # by outlet level
    visits_total: int = 0
    visit_cells: int = 0  # official x contact point x period cells due in the year (to date)
    visit_cells_covered: int = 0  # of them, with at least one visit
    population: int = 0  # resident population, when the town has it
    study_app_registrations: int | None = None  # 学习强国 registrations, where entered
    opinion_incidents: int = 0
    opinion_handled: int = 0

    @property
    def coverage(self) -> float | None:
        return self.visit_cells_covered / self.visit_cells if self.visit_cells else None

    @property
    def study_app_share(self) -> float | None:
        if self.study_app_registrations is None or not self.population:
            return None
        return self.study_app_registrations / self.population


@dataclass(frozen=True)
class Scorecard:
    """One person's year."""

    person_id: int
    name: str
    tier: str  # Tier value
    unit: str  # the unit's name, "" without one
    due: int = 0  # tasks due in the year (to date)
    done: int = 0
    on_time: int = 0
    late: int = 0  # done after their due instant
    overdue: int = 0  # open past due
    excused: int = 0
    visit_cells: int = 0  # their contact points x periods
    visit_cells_covered: int = 0
    study_attended: int = 0
    study_held: int = 0  # sessions they were expected at (the town's study sessions)
    meetings_attended: int = 0
    meetings_held: int = 0
    score: float | None = None  # 0-100 from the town's weights; None: nothing task-based to score
    rank: int | None = None  # 1 = best; equal scores share a rank; None: not scored

    @property
    def coverage(self) -> float | None:
        return self.visit_cells_covered / self.visit_cells if self.visit_cells else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass(frozen=True)
class GroupSummary:
    """Scorecards summed over a tier or a unit."""

    key: str  # the tier value or the unit code ("" for people with no unit)
    label: str
    people: int
    due: int
    done: int
    on_time: int
    overdue: int
    visit_cells: int
    visit_cells_covered: int
    average_score: float | None  # over the members scored; None when none was

    @property
    def coverage(self) -> float | None:
        return self.visit_cells_covered / self.visit_cells if self.visit_cells else None


@dataclass(frozen=True)
class FollowUp:
    """An issue found on a visit and marked as needing follow-up (二), and what became of it."""

    record_id: int
    day: dt.date
    person: str
    place: str
    issue: str
    resolved: bool
    resolved_by: str = ""
    resolved_on: dt.date | None = None
    resolution: str = ""


@dataclass(frozen=True)
class Opinion:
    """An online-opinion incident (三): what happened, how it was handled."""

    record_id: int
    day: dt.date
    place: str
    what_happened: str
    how_handled: str


@dataclass(frozen=True)
class Recurring:
    """A place whose visits keep finding issues (三): how many records with an issue, how many open."""

    place_id: int
    place: str
    issues: int
    open_follow_ups: int


@dataclass(frozen=True)
class PlannedAssignment:
    """An assignment that already has tasks in the next year (四)."""

    assignment_id: int
    title: str
    kind: str
    tasks_next_year: int


@dataclass(frozen=True)
class ReviewData:
    figures: Figures
    weights: dict[str, int] = field(default_factory=dict)
    scorecards: tuple[Scorecard, ...] = ()  # by rank, then name
    by_tier: tuple[GroupSummary, ...] = ()
    by_unit: tuple[GroupSummary, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    opinions: tuple[Opinion, ...] = ()
    recurring: tuple[Recurring, ...] = ()
    next_year: tuple[PlannedAssignment, ...] = ()
    finalised_at: dt.datetime | None = None  # set when read from a finalised year's snapshot

    @property
    def empty(self) -> bool:
        """Nothing at all was recorded or due in the year."""
        f = self.figures
        return not (self.scorecards and any(s.due for s in self.scorecards)) and not (
            f.visits_total or f.lectures_total or f.study_sessions or f.committee_meetings or f.opinion_incidents
        )

    def to_json(self) -> dict[str, Any]:
        return _jsonable(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReviewData:
        return _build(cls, data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


_NESTED = {
    "figures": Figures, "scorecards": Scorecard, "by_tier": GroupSummary, "by_unit": GroupSummary,
    "follow_ups": FollowUp, "opinions": Opinion, "recurring": Recurring, "next_year": PlannedAssignment,
    "committee_meetings": Meeting, "lectures": Count, "culture": Count, "publicity": Count,
}  # fmt: skip
_DATES = {"day", "as_of", "resolved_on"}


def _build(cls: type[Any], data: dict[str, Any]) -> Any:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        nested = _NESTED.get(f.name)
        if nested is not None and isinstance(value, list):
            value = tuple(_build(nested, v) for v in value)
        elif nested is not None and isinstance(value, dict):
            value = _build(nested, value)
        elif f.name in _DATES and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        elif f.name == "finalised_at" and isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        values[f.name] = value
    return cls(**values)
