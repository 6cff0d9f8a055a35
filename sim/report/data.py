"""What a report shows, as plain data: answers, figures, key-figure tables, scenarios.

Built from tables (a comparison table or one run's summary) and the scenarios, never from a
Comparison, so :mod:`sim.report.html` only fills a template and imports nothing back. Every number
is already written out for readers here (shares as percentages, no exponents, "none
connected" where nobody was), so the template holds layout only.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from sim._version import __version__
from sim.errors import listed
from sim.figures.numbers import NOT_REACHED, QUARTER_SIGN, format_estimate
from sim.figures.observations import distinct_observations, same_observation
from sim.figures.palette import CATEGORY_LABELS
from sim.inputs.applicants import CATEGORIES
from sim.inputs.scenario import Scenario
from sim.report.assumptions import AssumptionsView, assumptions_view
from sim.report.narrative import (
    NO_TEN_YEARS_WHY,
    STAND_IN_WORDS,
    PairAnswer,
    PairDates,
    PairItems,
    answer_pairs,
    lead_metric,
    metric_phrase,
    questions_in_order,
    window_note,
)
from sim.runs.areas import asked_in, nobody_asked_in
from sim.runs.metrics import (
    ALL,
    AREA_CHANGED,
    BY_AREA,
    CATEGORY_CHANGED,
    COMPARED,
    CONNECT_SHARES,
    DRAWN_DIFFERENTLY,
    EVERY_APPLICANT,
    IN_BOTH,
    METRICS,
    ONLY_IN_REFERENCE,
    ONLY_IN_VARIANT,
    PERIODS_DIFFER,
    QUARTER_FOR_HALF,
    RMST_YEARS,
    SHORTER_WINDOW,
    STREAMS_DIFFER,
    TABLE_METRICS,
)
from sim.runs.observed import (
    AGREEING,
    agreeing_apart,
    band_text,
    few_for_a_band,
    figures_agreeing,
    mean_side,
    published_text,
    rough_spread,
)
from sim.runs.summary_table import (
    BY_REQUEST_CATEGORY,
    SPREAD_OF_DATES,
    few_replications,
    first_connection_rows,
    format_projects,
)

__all__ = ["ANSWERS_SHOWN", "CAPTIONS", "OBSERVED_FIGURE", "Answer", "Cell",
           "FigureData", "KeyTable", "ObservedSection", "Page", "comparison_caution",
           "comparison_page", "figures", "key_tables", "observed_section", "pairing", "run_page"]

ANSWERS_SHOWN = 6
"""Answers listed on the first screen; further ones are folded away beneath them."""

OBSERVED_FIGURE = "observations"
"""The figure of the observations, shown in their own section rather than among the others."""

SPREAD_BAND = ("shaded, the band within which 90% of the replications fall: the spread of "
               "single outcomes, not a confidence interval")
"""What the shaded band of a figure over time is, in its caption."""

TIME_TO_CONNECTION = (
    "Time to connection: cumulative share of applicants connected (solid) and withdrawn "
    "(dashed) by years since their request. Withdrawal is a competing outcome; applicants "
    "still waiting at the end are censored, and a waiting list enters at the wait it had "
    "when the run starts (Aalen-Johansen estimate, replications pooled). Shaded lightly, the "
    "95% confidence interval of the share connected: each replication's own curve, their "
    "mean with a t interval (on the logit scale, so within 0 and 1) at each wait; it stops "
    "at the longest wait every replication follows, and a run of one replication has none.")
"""What the time-to-connection figure shows, in the captions of a comparison and of a run."""

CAPTIONS = {
    "queue": "Applicants waiting over time, one panel per category: median across "
             f"replications; {SPREAD_BAND}.",
    "areas": "Applicants waiting in each grid area over time: median across replications; "
             f"{SPREAD_BAND}. Where the areas share an upstream limit, an area's free "
             "capacity is the smaller of its own and the upstream's.",
    "time_to_connection": f"{TIME_TO_CONNECTION} On a scenario paired with its reference "
                          "(replication i of both drew the same applicants, in the same "
                          "categories), the line of those "
                          "connected is drawn thicker where the 95% confidence band of the "
                          "difference of the two curves, paired over the replications both "
                          "ran and holding at every wait at once, leaves out zero: there the "
                          "curves differ beyond noise (an interval at each wait alone would "
                          "leave out zero somewhere by chance). The shares connected can "
                          "differ at some waits while the mean wait, over all of them, reads "
                          "about the same.",
    "wait": "Wait of the applicants who were connected by the end of the run, by category "
            "(all replications): those who withdrew or still wait are left out, so where many "
            "do these waits read shorter than everyone's (the answers' mean wait within 10 "
            "years counts everyone). A row "
            "per scenario (hatched otherwise, to read in grey print too): box from the first to "
            "the third quartile, thick line at the median, whiskers to the furthest wait "
            "within 1.5 box lengths, dots beyond.",
    "connected": "Grid MW held by firm connections (a part of a request counts as the part; "
                 "a right that is firm only part of the time does not count, nor do MW taken "
                 "back) and the jobs of everyone connected by each date, cumulative, whatever "
                 "their first connection (whole, a part of the request or such a right): "
                 f"median across replications; {SPREAD_BAND}.",
    "withdrawals": "Applicants who withdrew (top row) and the jobs they held (bottom row), one "
                   "panel per category on its own scale: mean with 95% confidence interval, "
                   "over every applicant of each scenario (the answers and the differences "
                   "figure count those both scenarios have alike); where every scenario is "
                   "compared with the same reference, the dotted line marks its mean.",
    "differences": "Each question's difference, variant minus reference, with its 95% "
                   "confidence interval; filled markers are paired (replication i of both "
                   "scenarios drew the same applicants), hollow ones unpaired (different "
                   "applicants: Welch's interval for two independent means). Intervals that "
                   "include zero are grey. Each variant keeps its scenario's marker, as the "
                   "legend shows.",
    OBSERVED_FIGURE: "Each published figure (vermilion diamond, its stated range shaded grey) "
                     "beside each scenario's simulated mean (marker) and the band within which "
                     "90% of its replications fall (line): the spread of single outcomes, as "
                     "one published figure is one, not a confidence interval.",
    "projects": "Connection dates of named projects: one marker per replication, bar at the "
                "median, a cross where the project withdrew instead; where a first connection "
                "was a part of the request or a non-firm right, hollow markers and a dashed "
                "bar give the full firm connection. The label counts the replications in which "
                "it connected and, where any, those in which it withdrew (with their median "
                "date) or still waited at the end.",
}
"""The caption of each figure, by name."""

CONFIDENCE_FIGURES = {"time_to_connection": "the time-to-connection figure",
                      "withdrawals": "the withdrawals figure",
                      "differences": "the differences figure"}
"""The figures whose intervals are 95% confidence intervals, as the tables' are, in words."""

BAND_FIGURES = {"queue": "of applicants waiting", "areas": "of applicants waiting by area",
                "connected": "of MW and jobs connected"}
"""The figures whose shaded bands hold 90% of the replications, in words."""

POPULATION_WORDS = {
    EVERY_APPLICANT: "",
    IN_BOTH: "applicants of both scenarios",
    STREAMS_DIFFER: "every applicant, not like with like: the streams differ",
    PERIODS_DIFFER: "every applicant, not like with like: the periods differ",
    ONLY_IN_VARIANT: "only in {variant}: its own figures",
    ONLY_IN_REFERENCE: "only in {reference}: its figures there, left out of the comparison",
    CATEGORY_CHANGED: "changes category: all its applicants",
    DRAWN_DIFFERENTLY: "drawn differently: all its applicants, unpaired",
    BY_AREA: "grid area: all its applicants",
    AREA_CHANGED: "asks in other areas: all its applicants, counted above too",
}
"""What a row of a question's table counts, beneath its heading (see POPULATIONS)."""

IN_BOTH_HEADING = "All applicants of both scenarios"
"""The heading of the row of every applicant both scenarios have, where some are set apart:
not 'All applicants', which it is not."""

NONE_IN_BOTH = "none in both"
"""A cell of a category none of the applicants both scenarios have holds."""

((HALF, QUARTER),) = QUARTER_FOR_HALF.items()
QUARTER_MARK = f"{QUARTER_SIGN}:"
"""Marks a cell showing the time to connect a quarter, where half are never connected."""

TEN = "wait_rmst_10y_years"
STAND_IN = SHORTER_WINDOW[TEN]
STAND_IN_MARK = "to end:"
"""Marks a cell showing the mean years without a connection to the end of the run, where the
mean wait within 10 years is not known."""

HEADINGS = {HALF: "Years until half the group is connected",
            "withdrawn_share": "Gave up by the end of the run (%)",
            "jobs_waiting": "Jobs waiting at the end of the run, with no connection"}
"""Column headings that say otherwise than the key figure's label. What a marked cell holds is
said beneath its table (:attr:`KeyTable.legend`): said in the heading, the mean wait's grew
15 lines tall in a window 1280 pixels wide."""

MARKS = {STAND_IN_MARK: "the mean years without a connection to the end of the run, where "
                        "not every replication follows 10 years",
         QUARTER_MARK: "the years until a quarter are connected, where fewer than half are by "
                       "the end of the run"}
"""What a cell so marked holds instead of its column's figure, as said beneath the table."""

FREED_LEGEND = (f"{METRICS['mw_freed'].label}: in the row of all applicants, also by users "
                "connected before the run")
"""Said beneath a table with the column of MW freed, which its heading said before."""

FALLBACK_MEANING = (
    "A category (or a stream compared on its own) that some replication does not follow for 10 "
    'years gets its mean years without a connection to the end of the run, marked "to the end '
    'of the run", and the answer counts those replications: '
    f"in them, {NO_TEN_YEARS_WHY}; {STAND_IN_WORDS}.")
"""Why a category falls back to its stand-in, where the page's window note does not say it."""

MEANINGS = {
    f"wait_rmst_{n}y_years": [
        f"The years an applicant waits within {n} years of the request, averaged over everyone "
        f"who asked: one who withdraws counts as waiting the rest of the {n} years, so {n} "
        "would mean that nobody was connected.",
        f"Every wait longer than {n} years counts as {n}, so a change of order alone can move "
        "it: serving recent requests before those already waiting long shortens it even where "
        "no more are connected; the connections and job-years by the end of the run, "
        "beneath, show whether more were.",
        *([FALLBACK_MEANING] if n == 10 else [
            f"Where under half are connected within {n} years, which such a mean hardly "
            f"shows, the change in that share follows; where the mean within {n} years shows "
            "no change, the connections and withdrawals by the end of the run follow, which "
            "see what a change does later."]),
    ]
    for n in RMST_YEARS
}
MEANINGS[STAND_IN] = [
    "The years an applicant is without a connection, from the request (or the start of the "
    "run, for the waiting list) to the first connection or the end of the run, averaged over "
    "everyone who asked: one who withdraws counts as without a connection to the end.",
    "Every replication knows it, and it sees a change at any date in the run, such as a later "
    "reinforcement; but it depends on where the run ends, and a group that asks mostly late "
    "in the run has less time in it to wait.",
]
"""What a lead figure means, a sentence a point, under the answers' lead, where its label is
terse."""

TERMS = {
    "non-firm right": (re.compile(r"non-firm (transport )?rights?\b", re.IGNORECASE),
                       "a transport right that is firm only part of the time (for a share of the "
                       "hours of a year), from a pool beside the firm capacity; it is the "
                       "holder's first connection and ends its wait, though it may still wait "
                       "for firm MW"),
    "MW-hours": (re.compile(r"\bMW-hours\b"),
                 "a right's MW times the hours it may be used; its usable share is the part "
                 "of them its holder could use (the hours its kind of right allows, less what "
                 "sharing an oversubscribed pool took)"),
}
"""Terms the Terms note explains only on a page that uses them: each with the words that use
it and its plain meaning (docs/model.md, non-firm transport rights)."""

PX_PER_INCH = 100
"""CSS pixels per inch of figure: a 10-point label shows at about 14 CSS pixels."""

LEAST_SCALE = 0.8
"""The least share of its scale (:data:`PX_PER_INCH`) a figure is shown at on screen: one
wider than the page would allow scrolls sideways in its own box instead. In a window 800
pixels wide the differences figure (four panels a row) shrank to half its scale, its labels
too small to read; at 80% a 10-point label still shows at about 11 CSS pixels. Printed, a
figure fits the page's width."""


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, an optional second line, and whether it is within noise."""

    text: str
    note: str = ""
    unclear: bool = False
    compared: bool = False
    """Whether the second line is a difference from a reference (else a note, or nothing)."""


EMPTY_CELL = Cell("-")
"""A figure a row does not have (MW freed, in rows read from results written before it)."""


@dataclass(frozen=True)
class KeyTable:
    """A small table: a title, column headings and rows of a heading and cells."""

    title: str
    columns: list[str]
    rows: list[tuple[str, str, list[Cell]]]
    """Each row: its heading, a second line under the heading (may be empty), its cells."""

    @property
    def legend(self) -> str:
        """What the marks its cells hold mean, and what MW freed counts: '' if nothing to say.

        Beneath the table, not in the headings, which stay a few lines tall.
        """
        texts = [cell.text for _, _, cells in self.rows for cell in cells]
        said = [f"{mark} {meaning}" for mark, meaning in MARKS.items()
                if any(text.startswith(f"{mark} ") for text in texts)]
        if METRICS["mw_freed"].label in self.columns:
            said.append(FREED_LEGEND)
        return "".join(f"{text}. " for text in said).strip()


@dataclass(frozen=True)
class Answer:
    """One question answered item by item, with every headline figure behind it."""

    question: str
    parts: list[PairAnswer]
    """Each compared pair's answer in the lead key figure (named once above the answers)."""
    pairs: list[str]
    """Each compared pair in words, e.g. 'social_priority against fifo (paired)'."""
    detail: KeyTable

    @property
    def body(self) -> str:
        """The answer as one sentence, as :func:`sim.report.narrative.answer` writes it."""
        return ". ".join(part.text() for part in self.parts)


@dataclass(frozen=True)
class FigureData:
    """An embedded figure: its name, caption, PNG as a data URI and width in CSS pixels."""

    name: str
    caption: str
    src: str
    width: int | None

    @property
    def least_width(self) -> int | None:
        """The least width it is shown at on screen, in CSS pixels (:data:`LEAST_SCALE`)."""
        return None if self.width is None else round(self.width * LEAST_SCALE)


@dataclass(frozen=True)
class Page:
    """Everything the report template shows, in reading order."""

    title: str
    made: str
    answers: list[Answer]
    lead: str
    """What the answers measure, said once above them."""
    lead_meaning: list[str]
    """What the lead figure counts, a point a sentence (folded under the lead)."""
    headline: KeyTable | None
    """One run's headline figures by category (a single-scenario report), else None."""
    figures: list[FigureData]
    key_tables: list[KeyTable]
    scenarios: KeyTable
    assumptions: AssumptionsView
    observed: ObservedSection | None = None
    """The model beside published figures, when a scenario states observations."""
    projects: list[str] = field(default_factory=list)
    """A line per named project of a single-scenario report: how often and when connected."""
    first_connections: KeyTable | None = None
    """A single-scenario report's first connections that were not whole and firm, by
    category: those connected first in part and the non-firm rights, as the terminal adds
    them beneath its table; None where the run had none."""
    by_category_note: str = ""
    """Where a scenario changes categories on a date: that the tables by category count the
    category of the request, the queue the one in force (:data:`BY_REQUEST_CATEGORY`)."""
    first_connections_heading: str = ""
    """The heading of :attr:`first_connections`: which kinds of connection it counts; in a
    comparison, those its tables of key figures add columns for ('' for none)."""
    by_area: KeyTable | None = None
    """A single-scenario report's headline figures by grid area, where the grid has several."""
    nobody_in: list[str] = field(default_factory=list)
    """The areas nobody asked in, which :attr:`by_area` leaves out."""
    waiting_list: list[str] = field(default_factory=list)
    """Sentences on a single-scenario report's waiting-list CSV: its rows, what became of
    them, what the file gives and what is drawn (:mod:`sim.report.waiting_list`)."""
    caution: str | None = None
    """Said beside the intervals when they rest on too few replications to quote."""
    replications: str = ""
    """How many replications the intervals and figures rest on ("6", or "6 to 30")."""
    fewest_replications: int | None = None
    """The fewest replications of a scenario on the page, where known."""
    terms: list[tuple[str, str]] = field(default_factory=list)
    """Terms of :data:`TERMS` the page uses, each with its meaning, for its Terms note."""
    terms_in_answers: bool = False
    """Whether the answers use a term of :data:`TERMS`: the Terms note then follows them,
    where the reader meets the term first, rather than the Detail's first table."""
    window: str = ""
    """Which categories the answers compare within the shorter window, and why: said once,
    under the lead, where most answers need it (:func:`sim.report.narrative.window_note`)."""

    @property
    def intervals(self) -> str:
        """What the page's intervals are, said once at the top, for they are of two kinds.

        The answers', the tables' and some figures' are 95% confidence intervals: how closely
        a mean is known. The shaded bands of the figures over time and those beside published
        figures hold 90% of the replications: how far single outcomes spread. Only the
        figures and sections the page has are named.
        """
        over = f"over {self.replications} replications" if self.replications \
            else "over the replications"
        if self.replications and self.answers:
            over += " of each scenario"
        shown = {figure.name for figure in self.figures}
        drawn = [words for name, words in CONFIDENCE_FIGURES.items() if name in shown]
        where = "the answers and key figures" if self.answers else "the headline figures"
        text = (f"Every interval of {where}{', and of ' + listed(drawn) + ',' if drawn else ''} "
                f"is a 95% confidence interval {over}: how closely their mean (for the "
                "tables' times to connection, their median) is known.")
        banded = [words for name, words in BAND_FIGURES.items() if name in shown]
        bands = [f"the shaded bands of the figures {listed(banded)}"] if banded else []
        if self.observed is not None:
            bands.append("the bands set beside published figures")
        if not bands:
            return text
        said = ", and ".join(bands) + ("," if len(bands) > 1 else "")
        dated = any(SPREAD_OF_DATES in line for line in self.projects)
        also = f" A named project's dates, {SPREAD_OF_DATES}, are such a spread too." \
            if dated else ""
        return (f"{text} {said[0].upper()}{said[1:]} are not: each holds 90% of the "
                f"replications, the spread of single outcomes.{self._rough_bands()}{also}")

    def _rough_bands(self) -> str:
        """' With only 4 replications, ...' where the bands rest on too few to read, else ''.

        A band of 90% of four replications is about their lowest to highest, and it widens
        as more are run: what the shading means changes with the count, so it is said.
        """
        count = self.fewest_replications
        rough = "" if count is None else rough_spread(count)
        return f" {rough}" if rough else ""


@dataclass(frozen=True)
class ObservedSection:
    """The model beside published figures: the figure, a sentence per scenario, a table."""

    figure: FigureData | None
    sentences: list[str]
    table: KeyTable
    counted: list[tuple[str, str]]
    """What each published figure counts, by its column title (the observations' notes)."""


def comparison_page(
    table: pd.DataFrame,
    scenarios: Mapping[str, Scenario],
    sources: Mapping[str, str],
    images: Mapping[str, bytes],
    observations: Mapping[str, pd.DataFrame] | None = None,
    dates: PairDates | None = None,
    cautions: Sequence[str] = (),
    replications: Mapping[str, int] | None = None,
    extra: PairItems | None = None,
    areas: Mapping[str, pd.DataFrame] | None = None,
    asked: Sequence[str] = (),
) -> Page:
    """The report of a comparison, from its table, scenarios, sources and PNG figures.

    ``observations`` holds the observations table of each scenario stating any, by label;
    the figure named ``observations`` is then shown beside them, not among the others.
    ``dates`` says when each named project set apart in an answer was connected.
    ``cautions`` are said at the top beside the intervals (as the terminal warned them).
    ``replications`` counts the replications each scenario ran: where they differ, the
    captions of the figures that pool them say so, since a paired answer counts fewer.
    ``extra`` adds items to a pair's answer (:data:`sim.report.narrative.PairItems`).
    ``areas``: each scenario's key figures by grid area, for the window note
    (:func:`sim.report.narrative.window_note`). ``asked``: the questions in the order the
    answers take (a questions file's), else the table's.
    """
    questions = questions_in_order(table, asked)
    labels = list(scenarios)
    lead = lead_metric(table)
    window = window_note(table, lead, areas)
    counts = table.groupby("scenario")["replications"].max()
    if replications and any(name in images for name in POOLED):
        # A figure that pools every replication a scenario ran counts more than a paired
        # question's table, which counts only those both of its scenarios ran.
        counts = pd.concat([counts, pd.Series(replications, dtype=float)])
    return _with_terms(Page(
        title=f"Comparison of {listed(labels) if len(labels) <= 3 else f'{len(labels)} scenarios'}",
        made=_made(),
        answers=[_answer(table, q, lead, dates, extra) for q in questions],
        lead=f"Each variant against its reference, in “{metric_phrase(lead)}”, with its 95% "
             "confidence interval, category by category; then, for all the applicants "
             "compared, the same figure and how many were connected, withdrew or still waited "
             "by the end of the run, the jobs lost and the job- and MW-years held back. A change "
             "reads from the reference's mean to the variant's.",
        lead_meaning=[point for point in MEANINGS.get(lead, [])
                      if not (window and point == FALLBACK_MEANING)],
        headline=None,
        figures=figures(_without_observed(images),
                        _in_force(_pooled_captions(replications or {}), scenarios.values())),
        key_tables=key_tables(table),
        by_category_note=_by_category_note(scenarios.values()),
        first_connections_heading=_first_connection_kinds(
            first_connection_rows(table[table["population"].isin(COMPARED)])),
        scenarios=_scenarios_table(table, scenarios, sources),
        assumptions=assumptions_view(scenarios, _references(table)),
        observed=observed_section(observations or {}, images),
        caution=comparison_caution(table, cautions),
        replications=_replications_text(counts),
        fewest_replications=_fewest(counts),
        window=window,
    ), scenarios)


def _with_terms(page: Page, scenarios: Mapping[str, Scenario]) -> Page:
    """``page`` with the terms of :data:`TERMS` that it uses, in that order.

    Its text is read but for the assumptions, whose row of non-firm rights every page has
    (saying "none" where a scenario has none): that row counts only where some scenario
    has such rights.
    """
    texts = list(_texts(replace(page, assumptions=None)))  # type: ignore[arg-type]  # read only
    if any(scenario.non_firm is not None for scenario in scenarios.values()):
        texts.append("non-firm rights")
    answers = list(_texts(page.answers))
    return replace(page, terms=[(term, meaning) for term, (words, meaning) in TERMS.items()
                                if any(words.search(text) for text in texts)],
                   terms_in_answers=any(words.search(text) for words, _ in TERMS.values()
                                        for text in answers))


def _texts(value: object) -> Iterator[str]:
    """Every string in ``value``'s dataclasses, lists and tuples; of a figure, its caption."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, FigureData):
        yield value.caption
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _texts(getattr(value, item.name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def comparison_caution(table: pd.DataFrame, cautions: Sequence[str] = ()) -> str | None:
    """The caution of a comparison: too few replications in its smallest run, then others.

    ``cautions`` are sentences of the comparison's own (a paired question that counts only
    the replications both scenarios ran, say), each said as the terminal warned it.
    """
    few = few_replications(table.groupby("scenario")["replications"].max().min())
    said = [few, *(f"{text}." for text in cautions)] if few else [f"{t}." for t in cautions]
    return " ".join(said) or None


POOLED = ("queue", "time_to_connection", "wait", "connected", "withdrawals", "projects")
"""The figures that draw every replication each scenario ran, whatever a question pairs."""


def _pooled_captions(replications: Mapping[str, int]) -> Mapping[str, str]:
    """The captions, those of :data:`POOLED` saying so where the scenarios' counts differ."""
    if len(set(replications.values())) < 2:
        return CAPTIONS
    counts = ", ".join(f"{label} {count}" for label, count in replications.items())
    note = (f" Each scenario here pools all the replications it ran ({counts}); a paired "
            "answer and its tables count only those both of its scenarios ran.")
    return {name: caption + (note if name in POOLED else "")
            for name, caption in CAPTIONS.items()}


def run_page(
    summary: pd.DataFrame, scenario: Scenario, source: str, images: Mapping[str, bytes],
    observations: pd.DataFrame | None = None, projects: pd.DataFrame | None = None,
    waiting_list: Sequence[str] = (), areas: pd.DataFrame | None = None,
) -> Page:
    """The report of one run, leading with its headline figures by category.

    ``observations`` is the run's observations table when its scenario states any;
    ``projects`` its ``projects.csv`` table, said in a line per project under the figures;
    ``waiting_list`` the sentences on its waiting-list CSV's rows, if it has one; ``areas``
    its key figures by grid area (:meth:`sim.runs.results.Results.by_area`), shown when the
    grid has several.
    """
    table = summary.assign(scenario=scenario.name, reference="", question="",
                           difference=math.nan, difference_ci_low=math.nan,
                           difference_ci_high=math.nan)
    first = _first_connections(table)
    return _with_terms(Page(
        title=f"Scenario {scenario.name}",
        made=_made(),
        answers=[],
        lead="",
        lead_meaning=[],
        headline=_by_group(table),
        figures=figures(_without_observed(images), _in_force(RUN_CAPTIONS, [scenario])),
        key_tables=[],
        scenarios=_scenarios_table(table, {scenario.name: scenario},
                                   {scenario.name: source}),
        assumptions=assumptions_view({scenario.name: scenario}),
        observed=observed_section(
            {} if observations is None or observations.empty
            else {scenario.name: observations}, images),
        projects=[] if projects is None else format_projects(projects),
        by_category_note=_by_category_note([scenario]),
        first_connections=first[0],
        first_connections_heading=first[1][:1].upper() + first[1][1:],
        by_area=None if areas is None or areas.empty else _by_area(areas),
        nobody_in=[] if areas is None or areas.empty else nobody_asked_in(areas),
        waiting_list=list(waiting_list),
        caution=few_replications(summary["replications"].max()),
        replications=_replications_text(pd.Series([summary["replications"].max()])),
        fewest_replications=_fewest(pd.Series([summary["replications"].max()])),
    ), {scenario.name: scenario})


def observed_section(
    tables: Mapping[str, pd.DataFrame], images: Mapping[str, bytes]
) -> ObservedSection | None:
    """Each scenario's observations beside the model; None when no scenario states any.

    A sentence per scenario counts the published figures within its band of 90% of
    replications, and says, as the terminal does, where that band rests on too few
    replications to judge agreement by. The table has a column per distinct observation
    (there are fewer of them than scenarios, as a rule): its published value and source,
    then a row per scenario with its band and the verdict beneath (or "not stated" where the
    scenario does not state it).
    """
    tables = {label: t for label, t in tables.items() if not t.empty}
    if not tables:
        return None
    sentences = [f"{label}: {figures_agreeing(t)} ({AGREEING})"
                 + (f".{apart.removesuffix('.')}" if (apart := agreeing_apart(t)) else "")
                 + (f".{rough.removesuffix('.')}" if (rough := few_for_a_band(t)) else "")
                 for label, t in tables.items()]
    published = distinct_observations(tables).to_dict("records")
    rows = [("Published", "source beneath",
             [Cell(published_text(o), str(o["source"])) for o in published])]
    for label, table in tables.items():
        cells = []
        for observation in published:
            mine = same_observation(table, observation)
            cells.append(Cell("not stated") if mine.empty else
                         Cell(band_text(mine.iloc[0]), _verdict(mine.iloc[0])))
        rows.append((label, "", cells))
    columns = [str(o["label"])[:1].upper() + str(o["label"])[1:] for o in published]
    counted = [(column, str(note)) for column, o in zip(columns, published, strict=True)
               if isinstance(note := o.get("note"), str) and note]
    shown = figures({name: png for name, png in images.items() if name == OBSERVED_FIGURE})
    return ObservedSection(
        figure=shown[0] if shown else None, sentences=sentences,
        table=KeyTable(title="", columns=columns, rows=rows),
        counted=counted)


def _verdict(row: pd.Series) -> str:
    """A cell's verdict: 'agrees', 'model below', or 'agrees, mean below the range'.

    The band meeting the range while the mean lies outside it read as a match.
    """
    side = mean_side(row) if row["agreement"] == "agrees" else ""
    return f"agrees, mean {side} the range" if side else str(row["agreement"])


def _without_observed(images: Mapping[str, bytes]) -> dict[str, bytes]:
    """The figures shown among the others: all but the one beside the observations."""
    return {name: png for name, png in images.items() if name != OBSERVED_FIGURE}


def _references(table: pd.DataFrame) -> dict[str, str]:
    """Each compared scenario's reference (of its first question)."""
    compared = table[table["question"].fillna("") != ""].drop_duplicates("scenario")
    return dict(zip(compared["scenario"], compared["reference"], strict=True))


def _replications_text(counts: pd.Series) -> str:
    """The replications of each scenario (its most, by metric), said once: "6", or "6 to 30"."""
    known = counts.dropna()
    if known.empty:
        return ""
    low, high = int(known.min()), int(known.max())
    return f"{low}" if low == high else f"{low} to {high}"


def _fewest(counts: pd.Series) -> int | None:
    """The fewest replications of any scenario (its most, by metric), if any is known."""
    known = counts.dropna()
    return None if known.empty else int(known.min())


def _made() -> str:
    created = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"Made by gridqueue {__version__} on {created}."


def _answer(table: pd.DataFrame, question: str, metric: str,
            dates: PairDates | None, extra: PairItems | None = None) -> Answer:
    rows = table[table["question"] == question]
    pairs = [f"{scenario} against {reference} ({pairing(block, long=True)})"
             for (scenario, reference), block in rows.groupby(["scenario", "reference"],
                                                              sort=False)]
    return Answer(question=question, parts=answer_pairs(table, question, metric, dates, extra),
                  pairs=pairs, detail=_question_table(rows))


def _groups(table: pd.DataFrame) -> list[str]:
    """All applicants, then each category with applicants in some scenario."""
    sizes = table[table["metric"] == "applicants"].groupby("group")["mean"].max()
    return [ALL, *(c for c in CATEGORIES if sizes.get(c, 0) > 0)]


def _headings(metrics: tuple[str, ...] = TABLE_METRICS) -> list[str]:
    """The figures' labels, as column headings."""
    return [HEADINGS.get(m, METRICS[m].label) for m in metrics]


def _shown(table: pd.DataFrame) -> tuple[str, ...]:
    """The tables' figures, and the MW capacity releases freed where a scenario has some.

    The headline figures, with the share withdrawn beside the count (:data:`TABLE_METRICS`).
    """
    freed = table.loc[(table["group"] == ALL) & (table["metric"] == "mw_freed"), "mean"]
    return TABLE_METRICS + (("mw_freed",) if bool((freed > 0).any()) else ())


def _question_table(rows: pd.DataFrame) -> KeyTable:
    """A question's headline figures: a row per pair, population and group.

    The categories count the applicants of both scenarios; each stream or project set apart
    follows in a row of its own, named, with what sets it apart beneath. The first
    connections in part and by non-firm rights follow, as in :func:`key_tables`.
    """
    out = []
    blocks = list(rows.groupby(["scenario", "reference"], sort=False))
    several = len(blocks) > 1
    shown = TABLE_METRICS + first_connection_rows(rows)
    for (variant, reference), block in blocks:
        pair = f"{variant} against {reference}" if several else ""
        for (kind, origin), mine in block.groupby(["population", "origin"], sort=False):
            cells = _cells(mine)
            for group in _groups(mine) if kind in COMPARED else [ALL]:
                _stand_in_where_ten_unknown(cells, group)
            if kind in COMPARED:
                notes = [pair, POPULATION_WORDS[kind]]
                out += [(IN_BOTH_HEADING if kind == IN_BOTH and group == ALL
                         else CATEGORY_LABELS[group], ", ".join(n for n in notes if n),
                         [_no_right(cells[(group, m)], m) for m in shown])
                        for group in _groups(rows)]
            else:
                notes = [pair, POPULATION_WORDS[str(kind)].format(variant=variant,
                                                                  reference=reference)]
                out.append((str(origin), ", ".join(n for n in notes if n),
                            [_no_right(cells[(ALL, m)], m) for m in shown]))
    return KeyTable(title="", columns=_headings(shown), rows=out)


def key_tables(table: pd.DataFrame) -> list[KeyTable]:
    """A table per group (all applicants first): a row per scenario, headline figures across.

    Then, where a scenario connected some first in part or by a non-firm right, those
    figures (:func:`first_connection_rows`), as a run's report shows them beside its
    headline table: a reader comparing partial offers with their reference saw the wait
    they shorten but not how many they connected in part. Only the rows that compare
    categories like with like; a stream or project set apart is in its question's table. A
    row that counts fewer replications than its reference's own row (a results folder of 30
    compared with a run of 10, say) says so: its difference is over the replications both
    ran, not the gap between the two rows.
    """
    compared = table[table["population"].isin(COMPARED)]
    blocks = list(compared.groupby(["scenario", "reference", "question"], sort=False))
    cells = {key: _cells(block) for key, block in blocks}
    kinds = {key: str(block["population"].iloc[0]) for key, block in blocks}
    runs = {str(label): float(count)
            for label, count in table.groupby("scenario")["replications"].max().items()}
    counted = {key: float(block["replications"].max()) for key, block in blocks}
    tables, shown = [], _shown(compared) + first_connection_rows(compared)
    for group in _groups(compared):
        for row in cells.values():
            _stand_in_where_ten_unknown(row, group)
        rows = []
        for key, _ in blocks:
            scenario, reference, question = key
            against = f"against {reference}" if question else ""
            if kinds[key] in (IN_BOTH, STREAMS_DIFFER, PERIODS_DIFFER):
                against += f", {POPULATION_WORDS[kinds[key]]}"
            if question and counted[key] < runs.get(str(reference), counted[key]):
                against += (f", over {counted[key]:.0f} replications ({reference}'s row: "
                            f"{runs[str(reference)]:.0f})")
            rows.append((str(scenario), against,
                         [_no_right(cells[key].get((group, m), EMPTY_CELL), m) for m in shown]))
        tables.append(KeyTable(title=CATEGORY_LABELS[group], columns=_headings(shown),
                               rows=rows))
    return tables


def _by_group(table: pd.DataFrame) -> KeyTable:
    """One run's headline figures: a row per group, each figure with its interval."""
    return _headline_rows(table, {g: CATEGORY_LABELS[g] for g in _groups(table)}, "Group")


NO_RIGHT = "no rights held"
"""A category's usable share of non-firm rights where none of its applicants held one."""


def _first_connections(table: pd.DataFrame) -> tuple[KeyTable | None, str]:
    """One run's first connections in part and by non-firm rights, a row per group.

    Beside, not in, the headline table, which has no room for them: the figures the
    terminal adds beneath its table where some applicant had such a connection, each with
    its interval, and a heading naming the kinds the run had. None where nobody had one.
    """
    shown = first_connection_rows(table)
    if not shown:
        return None, ""
    made = _headline_rows(table, {g: CATEGORY_LABELS[g] for g in _groups(table)}, "Group",
                          shown)
    rows = [(heading, sub, [_no_right(cell, metric) for cell, metric in zip(cells, shown,
                                                                              strict=True)])
            for heading, sub, cells in made.rows]
    return replace(made, rows=rows), _first_connection_kinds(shown)


def _first_connection_kinds(shown: tuple[str, ...]) -> str:
    """'connections in part and non-firm rights': the kinds of first connection ``shown`` counts."""
    return " and ".join(words for metric, words in (("connected_in_part", "connections in part"),
                                                    ("non_firm_connected", "non-firm rights"))
                        if metric in shown)


NON_FIRM_SHARES = ("non_firm_usable_share", "non_firm_hours_share", "non_firm_mw_share")
"""The shares of non-firm rights, which a group nobody of which held one has none of."""


def _no_right(cell: Cell, metric: str) -> Cell:
    """``cell``, or 'no rights held' for a usable share of rights nobody of its group held."""
    if metric in NON_FIRM_SHARES and cell.text in ("no value", "none connected"):
        return Cell(NO_RIGHT, unclear=True)
    return cell


def _by_area(areas: pd.DataFrame) -> KeyTable:
    """One run's headline figures by grid area: a row per area anyone asked in, all of them.

    The figures shown are those of the table by category (the MW freed where some were).
    """
    whole = areas[areas["group"] == ALL]
    shown = _shown(whole)
    table = whole.assign(group=whole["area"], scenario="", reference="", question="",
                         difference=math.nan, difference_ci_low=math.nan,
                         difference_ci_high=math.nan)
    return _headline_rows(table, {area: area for area in asked_in(areas)}, "Area", shown)


def _headline_rows(table: pd.DataFrame, labels: Mapping[str, str], title: str,
                   shown: tuple[str, ...] | None = None) -> KeyTable:
    """The headline figures of each group of ``labels`` (a row each, by its label).

    ``shown``: the figures, if not those :func:`_shown` finds in ``table``.
    """
    cells, shown = _cells(table), shown or _shown(table)
    for group in labels:
        _stand_in_where_ten_unknown(cells, group)
    rows = [(label, "", [cells.get((group, m), EMPTY_CELL) for m in shown])
            for group, label in labels.items()]
    return KeyTable(title=title, columns=_headings(shown), rows=rows)


def _cells(block: pd.DataFrame) -> dict[tuple[str, str], Cell]:
    """Each (group, metric) of a block: mean with its interval, and the difference if any."""
    connected = block[block["metric"] == "connected"].set_index("group")["mean"]
    applicants = block[block["metric"] == "applicants"].set_index("group")["mean"]
    cells: dict[tuple[str, str], Cell] = {}
    row: Any  # a row: pandas-stubs type its columns as any scalar at all
    for row in block.itertuples():
        unit = str(row.unit)
        if getattr(row, "population", "") == IN_BOTH and applicants.get(row.group) == 0:
            cells[(row.group, row.metric)] = Cell(NONE_IN_BOTH, "", True)
            continue
        if math.isnan(row.estimate):
            text = ("no applicants" if applicants.get(row.group) == 0
                    else "none connected" if connected.get(row.group) == 0 else "no value")
        else:
            text = format_estimate(row.estimate, row.ci_low, row.ci_high, unit)
        note, unclear, compared = "", False, False
        if row.question and not math.isnan(row.difference):
            compared = True
            note = format_estimate(row.difference, row.difference_ci_low,
                                   row.difference_ci_high, unit, signed=True)
            note += _reference_level(note, getattr(row, "reference_mean", math.nan), unit)
            unclear = not row.difference_ci_low > 0 and not row.difference_ci_high < 0
        elif row.question and not math.isnan(row.estimate):
            note, unclear = _no_difference(str(row.metric), str(row.population)), True
        cells[(row.group, row.metric)] = Cell(text, note, unclear, compared)
    return _quarter_where_half_unreached(block, cells)


def _reference_level(note: str, level: float, unit: str) -> str:
    """', from 9.586': the reference's mean of the same applicants (``reference_mean``).

    Written with as many decimals as the difference before it (``note``), so that the
    variant's mean, in ``comparison.csv``, is this plus the difference; nothing if unknown.
    A level other than zero gets more where so few would write it as zero: beside a
    difference of '0.0 pp (0.0 to 0.0)', a share of 0.05% read 'from 0.0%', as if the
    variant's 0.05% were a rise from nothing.
    """
    if not math.isfinite(level):
        return ""
    first = note.split(" ", 1)[0]
    decimals = len(first.partition(".")[2].rstrip("%")) if "." in first else 0
    scale, mark = (100.0, "%") if unit == "share" else (1.0, "")
    text = f"{level * scale:,.{decimals}f}"
    for more in range(1, 7):  # six decimals more at most
        if level == 0 or float(text.replace(",", "")) != 0:
            break
        text = f"{level * scale:,.{decimals + more}f}"
    return f", from {text}{mark}"


def _no_difference(metric: str, population: str) -> str:
    """Why a figure the variant has has no difference from its reference, in a cell's words.

    A stream or project only in the variant has nothing to be set against. Otherwise a time
    to connection not reached in some replication of either has no difference in them; a
    mean wait within a window needs every replication of both (section 4.3 of the model's
    docs); any other figure lacks one in the reference.
    """
    if population == ONLY_IN_VARIANT:
        return "no difference: not in the reference"
    if population == ONLY_IN_REFERENCE:
        return "no difference: not in the variant"
    if metric in CONNECT_SHARES:
        return f"no difference: {NOT_REACHED} in some replication"
    if METRICS[metric].every_replication:
        return "no difference: not known in every replication of both"
    return "no difference: none in the reference"


def _stand_in_where_ten_unknown(cells: dict[tuple[str, str], Cell], group: str) -> None:
    """Show the years without a connection to the end of the run, marked, where a row needs it.

    A row needs it when it has no figure within 10 years, or no difference within 10 years
    where it has one to the end of the run (its reference is not followed 10 years): as its
    answer does, which then compares the stand-in. Each row follows its own answer, so that
    a table's difference never reads otherwise than the answer to the same question; the mark
    and the note beneath the table (:attr:`KeyTable.legend`) say which figure a cell gives.
    """
    ten, stand_in = cells.get((group, TEN)), cells.get((group, STAND_IN))
    if (ten is not None and stand_in is not None and stand_in.text != "no value"
            and (ten.text == "no value" or (not ten.compared and stand_in.compared))):
        cells[(group, TEN)] = replace(stand_in, text=f"{STAND_IN_MARK} {stand_in.text}")


def _quarter_where_half_unreached(
    block: pd.DataFrame, cells: dict[tuple[str, str], Cell]
) -> dict[tuple[str, str], Cell]:
    """The time to connect a quarter, marked, in the cells whose median is not reached.

    In a long queue fewer than half of a group connect before the run ends, and a column of
    "not reached" tells a reader nothing; the quarter usually is reached and moves with the
    policy. The note beneath the table (:attr:`KeyTable.legend`) says what the mark means.
    """
    medians = block[block["metric"] == HALF]
    for group, estimate in zip(medians["group"], medians["estimate"], strict=True):
        quarter = cells.get((group, QUARTER))
        if math.isinf(estimate) and quarter is not None and quarter.text != NOT_REACHED:
            cells[(group, HALF)] = replace(quarter, text=f"{QUARTER_MARK} {quarter.text}")
    return cells


def pairing(rows: pd.DataFrame, long: bool = False) -> str:
    """How a pair's differences were taken: paired, unpaired, or paired for some applicants.

    A variant that adds a stream draws other applicants as a whole (unpaired), while those
    of the streams both scenarios have may still be drawn alike, and are compared paired.
    """
    paired = rows["paired"].dropna().astype(bool)
    if paired.all():
        return "paired"
    if not paired.any():
        return "unpaired: other random draws, Welch interval" if long else "unpaired"
    return ("paired for the applicants of the streams both have, drawn alike; the rest "
            "unpaired, Welch interval" if long
            else "paired for the streams both have alike, else unpaired")


def _scenarios_table(
    table: pd.DataFrame, scenarios: Mapping[str, Scenario], sources: Mapping[str, str]
) -> KeyTable:
    """A row per scenario: its description, what it is compared with, where it came from.

    Where it came from names the options it was loaded with after the file: the file alone
    would pass for a scenario the options changed.
    """
    compared: dict[str, list[str]] = {}
    asked = table[table["question"].astype(bool)]
    for (scenario, reference), block in asked.groupby(["scenario", "reference"], sort=False):
        compared.setdefault(str(scenario), []).append(f"{reference} ({pairing(block)})")
    rows = [(label, "", [Cell(s.description or "(none given)"),
                         Cell(", ".join(compared.get(label, [])) or "nothing"),
                         Cell(", ".join([sources[label], *s.options_given]))])
            for label, s in scenarios.items()]
    return KeyTable(title="Scenarios", columns=["Description", "Compared with", "Source"],
                    rows=rows)


QUEUE_IN_FORCE = (" Where a category changes on a date, a panel counts those waiting in the "
                  "category in force at each date; the tables count each applicant in the "
                  "category of its request, so a request moved and still waiting at the end "
                  "is in another panel than its category's row.")
"""Added to the queue figure's caption where a scenario changes categories on a date."""


def _in_force(captions: Mapping[str, str], scenarios: Iterable[Scenario]) -> Mapping[str, str]:
    """The captions, the queue's saying it counts the category in force where one changes."""
    if "queue" not in captions or not any(s.changes_categories for s in scenarios):
        return captions
    return {**captions, "queue": captions["queue"] + QUEUE_IN_FORCE}


def _by_category_note(scenarios: Iterable[Scenario]) -> str:
    """:data:`BY_REQUEST_CATEGORY` where a scenario changes categories on a date, else ''."""
    return BY_REQUEST_CATEGORY if any(s.changes_categories for s in scenarios) else ""


RUN_CAPTIONS = {
    **CAPTIONS,
    "time_to_connection": TIME_TO_CONNECTION,
    "withdrawals": "Applicants who withdrew (top row) and the jobs they held (bottom row), one "
                   "panel per category on its own scale: mean with 95% confidence interval.",
}
"""The captions of a single run's report: nothing there is compared with a reference."""


def figures(images: Mapping[str, bytes],
            captions: Mapping[str, str] = CAPTIONS) -> list[FigureData]:
    """The figures to embed, as data URIs shown at one scale."""
    return [FigureData(name, captions.get(name, name),
                       "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
                       _css_width(png)) for name, png in images.items()]


def _css_width(png: bytes) -> int | None:
    """Display width in CSS pixels at PX_PER_INCH, from the PNG's size and resolution.

    Shown at one scale, every figure's text has the same size on the page (wider figures
    still shrink to the page). None when the PNG does not record its resolution.
    """
    chunk = png.find(b"pHYs")
    if png[1:4] != b"PNG" or chunk < 0 or png[chunk + 12] != 1:  # 1: pixels per metre
        return None
    per_metre = int.from_bytes(png[chunk + 4:chunk + 8], "big")
    width = int.from_bytes(png[16:20], "big")
    return round(width / (per_metre * 0.0254) * PX_PER_INCH) if per_metre else None
