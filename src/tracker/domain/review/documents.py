"""The review as documents: `report_of(data, *, town_name, zone)` -> the draft report (a
`tracker.exports.Report` for `exports.docx.write_report`) and `tables_of(data)` -> its tables
(`tracker.exports.Table`s for `exports.xlsx.write_tables`). Pure: every number is already in `data`.

The report follows the seed report: the title "YYYY年XX镇意识形态工作报告" ("（截至M月D日）" under
it while the year is not over, and a line saying so when it comes from a finalised year's
snapshot), an opening paragraph, then the four numbered parts:
一、工作开展情况 (the figures in sentences), 二、存在的问题 (follow-ups from visits), 三、意识形态领域
形势研判 (opinion incidents, places where issues recur), 四、下一步工作打算 (open follow-ups, next
year's planned work); the scorecards as the annex. A year with nothing recorded or due gets one
sentence saying so.

Every sentence is a message (English id, Chinese in review_documents.po), so the draft is written
in the current locale: Chinese by default, English on request. What the records hold (issues,
places, names, how an incident was handled, category labels already translated when the figures
were computed) is quoted as entered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from tracker.domain.review.schemas import (
    Count,
    Figures,
    FollowUp,
    GroupSummary,
    Recurring,
    ReviewData,
    Scorecard,
)
from tracker.exports import INTEGER, PERCENT, SCORE, TEXT, Part, Report, Table
from tracker.i18n import _, current_locale

MAX_ITEMS = 30  # follow-ups, incidents listed one by one in a part; the rest counted
MAX_PLACES = 10  # places where issues recur, named in part 三; the rest counted
_END = "。．.；;，,、 \n"


def report_of(data: ReviewData, *, town_name: str, zone: str = "Asia/Shanghai") -> Report:
    f = data.figures
    title = _("%(year)d %(town)s ideology work report", year=f.year, town=town_name)
    subtitle = []
    if f.to_date:
        subtitle.append(_("(as of %(day)s)", day=day_text(f.as_of)))
    if data.finalised_at is not None:
        finalised = data.finalised_at.astimezone(ZoneInfo(zone)).date()
        subtitle.append(_("(drawn from the snapshot of the year finalised on %(day)s)", day=full_day(finalised)))
    if data.empty:
        nothing = _("No work was recorded or due in %(year)d: there is nothing to report yet.", year=f.year)
        return Report(title=title, subtitle=subtitle, parts=[Part("", [nothing])], author=town_name)
    parts = [
        Part("", [_("In %(year)d the town's party committee carried out the ideology work responsibility "
                    "system. The work of the year, as recorded, is reported as follows.", year=f.year)]),
        Part(_("1. Work done"), work_done(data)),
        Part(_("2. Problems"), problems(data.follow_ups)),
        Part(_("3. Analysis of the ideological field"), analysis(data)),
        Part(_("4. Plans for next year"), plans(data)),
    ]  # fmt: skip
    annex = scorecard_table(data.scorecards, name=_("Scorecards of %(year)d", year=f.year))
    return Report(title=title, subtitle=subtitle, parts=parts, annex_label=_("Annex"),
                  annex_title=annex.name, annex=annex, author=town_name)  # fmt: skip


# -- 一 ---------------------------------------------------------------------------------------------

def work_done(data: ReviewData) -> list[str]:
    f = data.figures
    paragraphs = [_meetings(f), _study(f), _lectures(f), _culture(f)]
    if f.study_app_registrations is not None:
        if f.study_app_share is not None:
            paragraphs.append(_("%(registrations)d people are registered on Xuexi Qiangguo, %(share)s of the "
                                "resident population of %(population)d.", registrations=f.study_app_registrations,
                                share=percent(f.study_app_share), population=f.population))  # fmt: skip
        else:
            paragraphs.append(_("%(registrations)d people are registered on Xuexi Qiangguo.",
                                registrations=f.study_app_registrations))
    paragraphs += [_publicity(f), _visits(f), _tasks(data.scorecards), _opinions(f)]
    return [p for p in paragraphs if p]


def _meetings(f: Figures) -> str:
    if not f.committee_meetings:
        return _("No party committee meeting on ideology work was recorded.")
    days = join(day_text(m.day) for m in f.committee_meetings)
    return _("The party committee met on %(dates)s to study the town's ideology work, %(count)d times in all.",
             dates=days, count=len(f.committee_meetings))


def _study(f: Figures) -> str:
    if not f.study_sessions:
        return _("No collective study session of the central group was recorded.")
    return _("The central group of the party committee held %(sessions)d collective study sessions, in "
             "%(months)d of %(months_in_year)d months, with %(attendance)d attendances in all.",
             sessions=f.study_sessions, months=f.study_months, months_in_year=f.months_in_year,
             attendance=f.study_attendance)  # fmt: skip


def _lectures(f: Figures) -> str:
    if not f.lectures_total:
        return _("No lecture was recorded.")
    by_type = join(_("%(label)s %(count)d sessions", label=c.label, count=c.count) for c in f.lectures)
    sentence = _("%(total)d lecture sessions were held: %(by_type)s.", total=f.lectures_total, by_type=by_type)
    audience = sum(c.audience for c in f.lectures)
    if audience:
        sentence += _(" They reached %(audience)d people.", audience=audience)
    return sentence


def _culture(f: Figures) -> str:
    counts = {c.key: c.count for c in f.culture}
    films, performances = counts.pop("film", 0), counts.pop("performance", 0)
    if not (films or performances or any(counts.values())):
        return _("No film screening or performance was recorded.")
    sentence = _("%(films)d film screenings and %(performances)d performances were held.",
                 films=films, performances=performances)
    others = [c for c in f.culture if c.key not in ("film", "performance") and c.count]
    if others:
        sentence += _(" Also: %(others)s.", others=join(_count_phrase(c) for c in others))
    return sentence


def _publicity(f: Figures) -> str:
    total = sum(c.count for c in f.publicity)
    if not total:
        return _("No piece placed in the media was recorded.")
    by_level = join(_("%(label)s %(count)d pieces", label=c.label, count=c.count) for c in f.publicity if c.count)
    return _("%(total)d pieces were placed in the media: %(by_level)s.", total=total, by_level=by_level)


def _visits(f: Figures) -> str:
    if not f.visit_cells:
        return _("%(visits)d visits to contact points were recorded.", visits=f.visits_total)
    return _("%(visits)d visits to contact points were made; of %(cells)d visits due (person × contact point × "
             "period), %(covered)d were made, a coverage of %(coverage)s.", visits=f.visits_total,
             cells=f.visit_cells, covered=f.visit_cells_covered, coverage=percent(f.coverage))  # fmt: skip


def _tasks(cards: Sequence[Scorecard]) -> str:
    due = sum(c.due for c in cards)
    if not due:
        return ""
    return _("Of %(due)d tasks due, %(done)d were done, %(on_time)d of them on time; %(overdue)d are overdue.",
             due=due, done=sum(c.done for c in cards), on_time=sum(c.on_time for c in cards),
             overdue=sum(c.overdue for c in cards))  # fmt: skip


def _opinions(f: Figures) -> str:
    if not f.opinion_incidents:
        return _("No online opinion incident was recorded.")
    return _("%(incidents)d online opinion incidents were recorded; %(handled)d of them were handled.",
             incidents=f.opinion_incidents, handled=f.opinion_handled)


# -- 二 三 四 ------------------------------------------------------------------------------------------

def problems(follow_ups: Sequence[FollowUp]) -> list[str]:
    if not follow_ups:
        return [_("No issue needing follow-up was recorded on visits.")]
    resolved = sum(1 for u in follow_ups if u.resolved)
    lines = [_("Visits found %(total)d issues needing follow-up: %(resolved)d resolved, %(open)d still open.",
               total=len(follow_ups), resolved=resolved, open=len(follow_ups) - resolved)]
    ordered = sorted(follow_ups, key=lambda u: (u.resolved, u.day, u.record_id))  # open ones first
    for number, u in enumerate(ordered[:MAX_ITEMS], start=1):
        found = {"n": number, "place": u.place or "—", "issue": clause(u.issue), "person": u.person,
                 "day": day_text(u.day)}
        if u.resolved:
            lines.append(_("(%(n)d) %(place)s: %(issue)s (found by %(person)s on %(day)s; resolved by %(by)s on "
                           "%(on)s: %(resolution)s).", **found, by=u.resolved_by or "—",
                           on=day_text(u.resolved_on) if u.resolved_on else "—",
                           resolution=clause(u.resolution) or "—"))  # fmt: skip
        else:
            lines.append(_("(%(n)d) %(place)s: %(issue)s (found by %(person)s on %(day)s; not yet resolved).",
                           **found))
    if len(ordered) > MAX_ITEMS:
        lines.append(_("%(more)d more are listed in the tracker.", more=len(ordered) - MAX_ITEMS))
    return lines


def analysis(data: ReviewData) -> list[str]:
    lines = []
    if data.opinions:
        lines.append(_("%(count)d online opinion incidents were recorded:", count=len(data.opinions)))
        for number, o in enumerate(data.opinions[:MAX_ITEMS], start=1):
            where = {"n": number, "day": day_text(o.day), "what": clause(o.what_happened), "how": clause(o.how_handled)}
            if o.place:
                lines.append(_("(%(n)d) %(day)s, %(place)s: %(what)s. Handling: %(how)s.", **where, place=o.place))
            else:
                lines.append(_("(%(n)d) %(day)s: %(what)s. Handling: %(how)s.", **where))
        if len(data.opinions) > MAX_ITEMS:
            lines.append(_("%(more)d more are listed in the tracker.", more=len(data.opinions) - MAX_ITEMS))
    if data.recurring:
        places = join(_recurring(r) for r in data.recurring[:MAX_PLACES])
        lines.append(_("Issues were found again and again at: %(places)s; they need close attention.", places=places))
        if len(data.recurring) > MAX_PLACES:
            lines.append(_("%(more)d more are listed in the tracker.", more=len(data.recurring) - MAX_PLACES))
    if not lines:
        lines.append(_("No online opinion incident was recorded and no place had recurring issues: the "
                       "ideological field is stable on the records."))
    return lines


def plans(data: ReviewData) -> list[str]:
    year = data.figures.year + 1
    lines = []
    open_ones = [u for u in data.follow_ups if not u.resolved]
    if open_ones:
        places = join(dict.fromkeys(u.place for u in open_ones if u.place))
        lines.append(_("The %(open)d issues still open will be followed up until each is resolved: %(places)s.",
                       open=len(open_ones), places=places or "—"))
    if data.next_year:
        items = join(_("%(title)s (%(tasks)d tasks)", title=a.title, tasks=a.tasks_next_year) for a in data.next_year)
        lines.append(_("Already planned for %(year)d: %(items)s.", year=year, items=items))
    if not lines:
        lines.append(_("No work is planned for %(year)d yet.", year=year))
    return lines


# -- the tables ---------------------------------------------------------------------------------------

def tables_of(data: ReviewData) -> list[Table]:
    """The sheets: figures, scorecards by person, by tier, by unit, visit coverage; headers in the current
    locale."""
    return [
        figures_table(data.figures),
        scorecard_table(data.scorecards, name=_("Scorecards")),
        group_table(data.by_tier, name=_("By tier"), key_header=_("Tier of responsibility")),
        group_table(data.by_unit, name=_("By unit"), key_header=_("Unit of the person")),
        coverage_table(data),
    ]


def figures_table(f: Figures) -> Table:
    rows: list[list[object]] = [
        [_("Committee meetings on ideology work"), len(f.committee_meetings), None, None,
         sum(m.attendees for m in f.committee_meetings), join(day_text(m.day) for m in f.committee_meetings)],
        [_("Collective study sessions"), f.study_sessions, None, None, f.study_attendance, ""],
        [_("Months with collective study"), f.study_months, f.months_in_year,
         f.study_months / f.months_in_year if f.months_in_year else None, None, ""],
        [_("Lectures"), f.lectures_total, None, None, sum(c.audience for c in f.lectures) or None, ""],
        *([_("Lectures: %(label)s", label=c.label), c.count, None, None, c.audience or None, ""] for c in f.lectures),
        *([_("Culture: %(label)s", label=c.label), c.count, None, None, c.audience or None, ""] for c in f.culture),
        *([_("Publicity: %(label)s", label=c.label), c.count, None, None, None, ""] for c in f.publicity),
        [_("Visits to contact points"), f.visits_total, None, None, None, ""],
        [_("Visits due made (coverage)"), f.visit_cells_covered, f.visit_cells, f.coverage, None, ""],
        [_("Xuexi Qiangguo registrations"), f.study_app_registrations, f.population or None, f.study_app_share,
         None, ""],
        [_("Online opinion incidents handled"), f.opinion_handled, f.opinion_incidents,
         f.opinion_handled / f.opinion_incidents if f.opinion_incidents else None, None, ""],
    ]  # fmt: skip
    headers = [_("Figure"), _("Number"), _("Out of"), _("Share"), _("People reached"), _("Dates")]
    return Table(_("Figures"), headers, rows, [TEXT, INTEGER, INTEGER, PERCENT, INTEGER, TEXT])


def scorecard_table(cards: Sequence[Scorecard], *, name: str) -> Table:
    headers = [_("Rank"), _("Name"), _("Tier of responsibility"), _("Unit of the person"), _("Tasks due"),
               _("Tasks completed"), _("Done on time"), _("Done late"), _("Open past due"), _("Tasks excused"),
               _("Visit coverage rate"), _("Study attended"), _("Study held"), _("Meetings attended"),
               _("Meetings held"), _("Score")]  # fmt: skip
    rows = [[c.rank, c.name, tier_label(c.tier), c.unit, c.due, c.done, c.on_time, c.late, c.overdue, c.excused,
             c.coverage, c.study_attended, c.study_held, c.meetings_attended, c.meetings_held, c.score]
            for c in cards]  # fmt: skip
    formats = [INTEGER, TEXT, TEXT, TEXT, *[INTEGER] * 6, PERCENT, *[INTEGER] * 4, SCORE]
    return Table(name, headers, rows, formats)


def group_table(groups: Sequence[GroupSummary], *, name: str, key_header: str) -> Table:
    headers = [key_header, _("Number of people"), _("Tasks due"), _("Tasks completed"), _("Done on time"), _("Open past due"),
               _("Visits due"), _("Visits due made"), _("Visit coverage rate"), _("Average score")]
    rows = [[g.label, g.people, g.due, g.done, g.on_time, g.overdue, g.visit_cells, g.visit_cells_covered,
             g.coverage, g.average_score] for g in groups]  # fmt: skip
    return Table(name, headers, rows, [TEXT, *[INTEGER] * 7, PERCENT, SCORE])


def coverage_table(data: ReviewData) -> Table:
    headers = [_("Name"), _("Tier of responsibility"), _("Unit of the person"), _("Visits due"),
               _("Visits due made"), _("Visit coverage rate")]
    rows: list[list[object]] = [[c.name, tier_label(c.tier), c.unit, c.visit_cells, c.visit_cells_covered, c.coverage]
                                for c in sorted(data.scorecards, key=lambda c: c.name) if c.visit_cells]
    f = data.figures
    rows.append([_("Whole town"), "", "", f.visit_cells, f.visit_cells_covered, f.coverage])
    return Table(_("Coverage of visits"), headers, rows, [TEXT, TEXT, TEXT, INTEGER, INTEGER, PERCENT])


# -- words ----------------------------------------------------------------------------------------------

def tier_label(tier: str) -> str:
    labels = {"section_official": _("Section-level official"), "unit_head": _("Unit head"),
              "village_cadre": _("Village-contact cadre")}  # fmt: skip
    return labels.get(tier, tier)


def day_text(day: dt.date) -> str:
    """"6月25日" / "June 25": a day of the report's year."""
    return format_skeleton("MMMMd", day, locale=current_locale())


def full_day(day: dt.date) -> str:
    return format_skeleton("yMMMMd", day, locale=current_locale())


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def join(items: Iterable[str]) -> str:
    """Items of a list in a sentence: "、" in Chinese, ", " in English."""
    return _(", ").join(items)


def clause(text: str) -> str:
    """A text as entered, without its closing punctuation, to sit inside a sentence."""
    return " ".join(text.split()).rstrip(_END)


def _recurring(place: Recurring) -> str:
    if place.open_follow_ups:
        return _("%(place)s (%(issues)d issues, %(open)d open)", place=place.place, issues=place.issues,
                 open=place.open_follow_ups)  # fmt: skip
    return _("%(place)s (%(issues)d issues)", place=place.place, issues=place.issues)


def _count_phrase(count: Count) -> str:
    return _("%(label)s %(count)d sessions", label=count.label, count=count.count)
