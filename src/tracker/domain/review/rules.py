"""The scorecards' pure rules: the measures and their weights, a person's score, the ranking, and the
summaries by tier and by unit. No session, no clock: the counts come in already computed.

Public API
- `MEASURES`: the five measures, in the order forms and tables show them.
- `DEFAULT_WEIGHTS = {"on_time": 40, "done": 20, "coverage": 25, "study": 10, "meetings": 5}`:
  percentages adding up to 100, used when the town has set none. The measures (each a share 0-1):
  - on_time: tasks done before their due instant / tasks that count (due to date, not excused);
  - done: tasks done (on time or late) / tasks that count;
  - coverage: visit cells (contact point x period) with at least one visit / visit cells due;
  - study: collective study sessions attended / sessions held in the year (to date);
  - meetings: meetings attended / meetings held in the year (to date).
  A measure a person has nothing for (no tasks that count, no contact points, no session held) is
  left out, and the weights of the others are scaled up to 100 between them. But attendance alone
  is no score: a person with none of the task measures (`TASK_MEASURES`: no task that counts and no
  contact point due) is not scored (None) and not ranked, so that someone given nothing to do does
  not top the ranking on attendance. A person whose measures are all weighted 0 scores 0.
- `WEIGHT_LABELS`, `WEIGHT_NOTES`: lazily translated names and one-line explanations of the measures.
- `measure_rates(card) -> dict[measure, Fraction | None]`: each measure's share, None when left out.
- `validate_weights(raw) -> (weights, errors)`: each measure a whole number 0-100 (the digits 0-9),
  all five adding up to 100. Errors are translated field messages keyed by measure; a sum that is
  not 100 is keyed "total". On any error the weights are {} (nothing to save); keys of `raw` that
  are not measures (a form's CSRF token) are ignored.
- `score(card, weights) -> float | None`: 0-100, one decimal, rounded half up (computed exactly);
  None when the person has none of the task measures.
- `rank(cards) -> tuple[Scorecard, ...]`: by score (highest first), then name, then person id;
  equal scores share a rank and the next one skips (1, 2, 2, 4). Cards not scored follow, by
  name, with no rank (None).
- `summarise(cards, key, label, order=()) -> tuple[GroupSummary, ...]`: cards summed by
  `key(card)`, labelled `label(key)`: the keys in `order` first (those present), then the others
  by label with the empty key ("no unit") last. The average score is rounded half up to one decimal.
- `validate_study_app(raw) -> (values, errors)`: the study-app registrations a secretary enters:
  `registrations` a whole number 0 to MAX_PEOPLE (required), `population` one 1 to MAX_PEOPLE or
  blank (None: the town's own). Field messages; on any error the values are {}.
- `TIER_ORDER`, `tier_label(value)`: tiers 1, 2, 3 and their labels in the current locale (the
  board's group labels), for the summaries by tier.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction

from tracker.db.models.roster import Tier
from tracker.domain.board.rules import TIER_GROUP_LABELS
from tracker.domain.inputs import looks_numeric, number_problem, whole_number
from tracker.domain.review.schemas import GroupSummary, Scorecard
from tracker.i18n import LazyText, _, lazy_gettext

MEASURES: tuple[str, ...] = ("on_time", "done", "coverage", "study", "meetings")
TASK_MEASURES: frozenset[str] = frozenset({"on_time", "done", "coverage"})
DEFAULT_WEIGHTS: dict[str, int] = {"on_time": 40, "done": 20, "coverage": 25, "study": 10, "meetings": 5}
WEIGHT_TOTAL = 100

WEIGHT_LABELS: dict[str, LazyText] = {
    "on_time": lazy_gettext("Done on time"),
    "done": lazy_gettext("Tasks done"),
    "coverage": lazy_gettext("Visit coverage"),
    "study": lazy_gettext("Study attendance"),
    "meetings": lazy_gettext("Meeting attendance"),
}
WEIGHT_NOTES: dict[str, LazyText] = {
    "on_time": lazy_gettext(
        "Tasks done before they fell due, out of the tasks due to date (excused ones left out)"
    ),
    "done": lazy_gettext("Tasks done, on time or late, out of the tasks due to date (excused ones left out)"),
    "coverage": lazy_gettext("Contact point and period cells with at least one visit, out of the cells due"),
    "study": lazy_gettext("Collective study sessions attended, out of the sessions held"),
    "meetings": lazy_gettext("Meetings attended, out of the meetings held"),
}

TIER_ORDER: tuple[str, ...] = (Tier.SECTION_OFFICIAL.value, Tier.UNIT_HEAD.value, Tier.VILLAGE_CADRE.value)


def tier_label(value: str) -> str:
    return str(TIER_GROUP_LABELS[Tier(value)])


def _share(part: int, whole: int) -> Fraction | None:
    return min(Fraction(part, whole), Fraction(1)) if whole > 0 else None


def measure_rates(card: Scorecard) -> dict[str, Fraction | None]:
    """Each measure's share for this person (0-1), None for a measure they have nothing for."""
    counted = card.due - card.excused
    return {
        "on_time": _share(card.on_time, counted),
        "done": _share(card.done, counted),
        "coverage": _share(card.visit_cells_covered, card.visit_cells),
        "study": _share(card.study_attended, card.study_held),
        "meetings": _share(card.meetings_attended, card.meetings_held),
    }


def _one_decimal(value: Fraction) -> float:
    """Rounded half up to one decimal, exactly (no binary floating-point surprises on x.x5)."""
    return math.floor(value * 10 + Fraction(1, 2)) / 10


def score(card: Scorecard, weights: Mapping[str, int]) -> float | None:
    """The person's score, 0-100 with one decimal: the weighted mean of the measures they have;
    None for a person with none of the task measures."""
    rates = measure_rates(card)
    if all(rates[measure] is None for measure in TASK_MEASURES):
        return None
    total = Fraction(0)
    weight_sum = 0
    for measure, rate in rates.items():
        weight = int(weights.get(measure, 0))
        if rate is None or weight <= 0:
            continue
        total += weight * rate
        weight_sum += weight
    if weight_sum == 0:
        return 0.0
    return _one_decimal(total * 100 / weight_sum)


def _weight_problem(value: object) -> tuple[int | None, str | None]:
    message = _("Enter a whole number from 0 to 100")
    if isinstance(value, bool):
        return None, message
    if isinstance(value, int):
        number: int | None = value
    else:
        text = str(value) if value is not None else ""
        number = whole_number(text, maximum=10**6)
        if number is None:  # "１" or "²": say which digits; anything else (too big too) the plain message
            digits = text.strip().lstrip("+-")
            return None, (
                number_problem(text) if looks_numeric(text) and not digits.isascii() else None
            ) or message
    if number is None or not 0 <= number <= WEIGHT_TOTAL:
        return None, message
    return number, None


def validate_weights(raw: Mapping[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    """The weights read from a form or JSON (see the module notes): (weights, {}) or ({}, errors)."""
    weights: dict[str, int] = {}
    errors: dict[str, str] = {}
    for measure in MEASURES:
        number, problem = _weight_problem(raw.get(measure))
        if problem is not None:
            errors[measure] = problem
        elif number is not None:
            weights[measure] = number
    if not errors and sum(weights.values()) != WEIGHT_TOTAL:
        errors["total"] = _(
            "The weights add up to %(total)d; they must add up to 100", total=sum(weights.values())
        )
    return ({}, errors) if errors else (weights, {})


MAX_PEOPLE = 10_000_000  # more than any town's residents: a typo, not a town


def _people_count(text: str, minimum: int) -> int | None:
    number = whole_number(text.strip(), maximum=MAX_PEOPLE)
    return number if number is not None and number >= minimum else None


def validate_study_app(raw: Mapping[str, str]) -> tuple[dict[str, int | None], dict[str, str]]:
    """The registrations and population read from a form or JSON (see the module notes)."""
    errors: dict[str, str] = {}
    registrations = _people_count(str(raw.get("registrations") or ""), 0)
    if registrations is None:
        errors["registrations"] = _(
            "Enter the number of registrations, a whole number from 0 to %(max)d", max=MAX_PEOPLE
        )
    population_text = str(raw.get("population") or "").strip()
    population = _people_count(population_text, 1) if population_text else None
    if population_text and population is None:
        errors["population"] = _(
            "Enter the resident population, a whole number from 1 to %(max)d, or leave it empty", max=MAX_PEOPLE
        )
    if errors:
        return {}, errors
    return {"registrations": registrations, "population": population}, {}


def rank(cards: Iterable[Scorecard]) -> tuple[Scorecard, ...]:
    """The cards by score, highest first (then name, then id), each with its rank: ties share it."""
    cards = list(cards)
    scored = sorted((c for c in cards if c.score is not None), key=lambda c: (-c.score, c.name, c.person_id))
    ranked: list[Scorecard] = []
    for position, card in enumerate(scored, start=1):
        same = ranked and ranked[-1].score == card.score
        ranked.append(dataclasses.replace(card, rank=ranked[-1].rank if same else position))
    unscored = sorted((c for c in cards if c.score is None), key=lambda c: (c.name, c.person_id))
    return (*ranked, *(dataclasses.replace(card, rank=None) for card in unscored))


def summarise(
    cards: Iterable[Scorecard],
    key: Callable[[Scorecard], str],
    label: Callable[[str], str],
    order: Sequence[str] = (),
) -> tuple[GroupSummary, ...]:
    """The cards summed by group (see the module notes)."""
    groups: dict[str, list[Scorecard]] = {}
    for card in cards:
        groups.setdefault(key(card), []).append(card)
    labels = {k: label(k) for k in groups}
    first = [k for k in order if k in groups]
    rest = sorted((k for k in groups if k not in first), key=lambda k: (k == "", labels[k], k))
    summaries = []
    for k in [*first, *rest]:
        members = groups[k]
        scores = [Fraction(str(c.score)) for c in members if c.score is not None]
        summaries.append(GroupSummary(
            key=k, label=labels[k], people=len(members),
            due=sum(c.due for c in members), done=sum(c.done for c in members),
            on_time=sum(c.on_time for c in members), overdue=sum(c.overdue for c in members),
            visit_cells=sum(c.visit_cells for c in members),
            visit_cells_covered=sum(c.visit_cells_covered for c in members),
            average_score=_one_decimal(sum(scores, Fraction(0)) / len(scores)) if scores else None,
        ))  # fmt: skip
    return tuple(summaries)
