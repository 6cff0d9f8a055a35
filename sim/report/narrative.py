"""Each question of a comparison answered in plain words, with numbers a reader can quote.

For example: "What does social priority do? (mean wait in the first 10 years, everyone):
basic-needs applicants: 1.7 years shorter, from 8.5 to 6.8 (95% CI 1.6 to 1.8); other
businesses: 0.49 years longer, from 9.0 to 9.5 (0.46 to 0.52)." The lead key figure is the
first of :data:`sim.runs.metrics.LEAD_METRICS` the comparison can tell apart, named by its
label, so the words follow whatever that tuple holds. A difference whose interval includes
zero is called "about the same", never a gain or a loss; a category with nobody connected in
a scenario says so instead of vanishing. Categories count the same applicants in both
scenarios; a stream or project only one has is set apart
(:data:`sim.runs.metrics.POPULATIONS`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import listed
from sim.figures.numbers import (
    MORE_DECIMALS,
    distinct_values,
    equal_but_for_rounding,
    format_numbers,
    replication_share,
    significant,
)
from sim.inputs.applicants import CATEGORIES
from sim.inputs.scenario import DAYS_PER_YEAR
from sim.runs.metrics import (
    ALL,
    AREA_CHANGED,
    BY_AREA,
    CATEGORY_CHANGED,
    COMPARED,
    DRAWN_DIFFERENTLY,
    EVERY_APPLICANT,
    IN_BOTH,
    LEAD_METRICS,
    METRICS,
    ONLY_IN_REFERENCE,
    ONLY_IN_VARIANT,
    PERIODS_DIFFER,
    SHORTER_WINDOW,
    SHORTER_YEARS,
    STREAMS_DIFFER,
    WAITING_LIST,
)
from sim.runs.stats import WAITING_LIST_MARK
from sim.runs.summary_table import (
    FIRST_CONNECTION,
    connection_dates,
    full_connection_dates,
    project_name,
    withdrawn_share,
)

__all__ = [
    "PairAnswer",
    "HomesCounts",
    "PairItems",
    "PairDates",
    "ProjectDates",
    "FELL_BACK",
    "FELL_BACK_NOTE",
    "STAND_IN_WORDS",
    "NO_TEN_YEARS_WHY",
    "WHO",
    "answer",
    "answer_body",
    "answer_pairs",
    "lead_metric",
    "difference_text",
    "efficiency_items",
    "freed_apart_items",
    "homes_items",
    "level_text",
    "metric_phrase",
    "notes",
    "outline",
    "present_groups",
    "priority_items",
    "project_dates",
    "questions_in_order",
    "ranking_words",
    "sentences",
    "split_item",
    "streams_differ_words",
    "window_note",
]

WHO = {
    "congestion_relief": "congestion-relief applicants",
    "safety": "safety applicants",
    "basic_needs": "basic-needs applicants",
    "other": "other businesses",
    ALL: "applicants overall",
}
"""How each group is named in a sentence."""

WORDS = {
    "years": ("shorter", "longer"),
    "share": ("lower", "higher"),
    "count": ("fewer", "more"),
    "jobs": ("fewer", "more"),
    "job-years": ("fewer", "more"),
}
"""Words for a decrease and an increase, by unit; any other unit takes 'less' and 'more'."""

UNIT_WORDS = {"share": "percentage points", "count": "", "jobs": "jobs"}
"""How a difference's unit is written, where it is not the unit's own name."""

EVERYONE, IN_BOTH_EVERYONE = ", everyone", " both scenarios have"
"""The end of a lead figure's name that counts everyone who asked, and what it says when the
categories count only the applicants both scenarios have: 'everyone both scenarios have'."""

IN_BOTH_WORDS = "the applicants of both scenarios"
"""How an answer names the applicants it compares when a stream or project is set apart."""

OWN_FIGURES = ("wait_rmst_10y_years", "wait_to_end_years", "wait_rmst_5y_years",
               "connect_median_years", "connect_p25_years")
"""Figures a stream only in the variant is given in when the lead figure has no value: after
the mean wait within ten years, the mean years without a connection to the end of the run,
which stands in for it in the categories beside (the mean within five years, blind to a
reinforcement more than five years after a request, only for a comparison.csv without it)."""


ProjectDates = Mapping[tuple[str, str], str]
"""When each named project was connected, in words, by (scenario label, project name)."""

PairDates = Mapping[tuple[str, str], ProjectDates]
"""Each pair's :data:`ProjectDates`, keyed by (variant, reference): a paired question's over
the replications both scenarios ran, as its other figures are."""

PairItems = Mapping[tuple[str, str], Sequence[str]]
"""Items to add to a pair's answer, by (variant, reference): what the comparison table alone
cannot say, such as an area that stood behind the full upstream limit
(:func:`sim.analysis.upstream.upstream_items`)."""


def project_dates(projects: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], str]:
    """:data:`ProjectDates` from each scenario's ``projects.csv`` table, by label.

    A project connected in no replication says so (and how often it withdrew): a variant
    that never connects the campus has answered its question as much as a later date would.
    A waiting-list CSV's named row is keyed by its name marked as one
    (:func:`sim.runs.summary_table.project_name`), apart from a project of that name.
    """
    return {(label, project_name(row)): _when_connected(row)
            for label, table in projects.items() for row in table.itertuples()}


def _when_connected(row: Any) -> str:
    """A project's connection dates, or that it was connected in no replication.

    Connected in some replications only, the share connected leads: a median over every
    replication read as the date of each, beside a project that was not connected in a third.

    Where a first connection was a part of the request or a non-firm right, those of a full
    firm connection follow, so that a right held for years is not read as the project's whole
    connection.
    """
    share = float(row.connected_share)
    runs = _replications_of(getattr(row, "replications", None))
    if share > 0:
        full = full_connection_dates(row)
        dates = f"{FIRST_CONNECTION}: {connection_dates(row)}; {full}" if full \
            else connection_dates(row)
        return dates if share >= 1 else f"{_connected_in(share, runs)}, {dates}"
    withdrew = withdrawn_share(row)
    return "connected in no replication" + (
        f" (withdrew in {replication_share(withdrew, runs, noun=False)})" if withdrew
        else " by the end of the run")


def _replications_of(value: Any) -> float | None:
    """How many replications a row's shares are of, where its ``replications`` says it."""
    try:
        runs = float(value)
    except (TypeError, ValueError):
        return None
    return runs if math.isfinite(runs) else None


def sentences(table: pd.DataFrame, dates: PairDates | None = None,
              extra: PairItems | None = None, asked: Sequence[str] = ()) -> list[str]:
    """One sentence per question of a comparison table, in the order ``asked`` (else the table's).

    ``dates`` (:func:`project_dates` of each pair) lets a project say when it was connected;
    ``extra`` adds items to a pair's answer.
    """
    return [answer(table, question, dates=dates, extra=extra)
            for question in questions_in_order(table, asked)]


def outline(table: pd.DataFrame, dates: PairDates | None = None,
            extra: PairItems | None = None, asked: Sequence[str] = ()) -> list[str]:
    """The answers of :func:`sentences` as lines to read down: each item on a line of its own.

    A question and its key figure, then, under each pair it compares (named where there are
    several) and whom its categories count, one indented line per item (the figures of the
    line over everyone, and the areas, each on a line of their own beneath it); an empty
    line between questions.
    """
    metric = lead_metric(table)
    lines: list[str] = []
    for question in questions_in_order(table, asked):
        lines += [""] if lines else []
        lines.append(f"{question} ({_phrase(table, question, metric)}):")
        for pair in answer_pairs(table, question, metric, dates, extra):
            heading = ", ".join(words for words in (pair.pair, pair.whom) if words)
            if heading:
                lines.append(f"  {heading}:")
            for item in pair.items:
                lines += _item_lines(item, "    " if heading else "  ")
    return lines


END_OF_RUN_BREAK = " — by the end of the run, "
AREAS_BREAK = "by grid area, all applicants of each: "


def split_item(item: str) -> tuple[str, str, list[str]]:
    """An answer's item as its head, a label, and the figures or areas to list beneath it.

    The line over everyone packs eight figures with their intervals ('... — by the end of
    the run, connected: 22.1 fewer, ...; withdrawn: ...'), a thousand characters on one
    line; read down, each figure has a line of its own, as each area does ('but by the end
    of the run:' where they are set against a shorter wait). Any other item is its head
    alone.
    """
    for joint in (END_OF_RUN_BREAK, BUT_LATER):
        head, end_of_run, figures = item.partition(joint)
        if end_of_run:
            return head, f"{joint.strip(' —,')}:", figures.split("; ")
    if item.startswith(AREAS_BREAK):
        return AREAS_BREAK.rstrip(), "", item.removeprefix(AREAS_BREAK).split("; ")
    return item, "", []


def _item_lines(item: str, indent: str) -> list[str]:
    """An answer's item as the terminal prints it (:func:`split_item`), indented."""
    head, label, parts = split_item(item)
    return [f"{indent}- {head}", *([f"{indent}  {label}"] if label else []),
            *(f"{indent}    {part}" for part in parts)]


def questions_in_order(table: pd.DataFrame, asked: Sequence[str] = ()) -> list[str]:
    """The questions a comparison table answers, in the order ``asked`` (a questions file's).

    The table holds each scenario's rows in input order, which a questions file need not
    follow: the report folds all but the first answers, so a question listed first came
    last where its variant ran late. Questions ``asked`` leaves out follow, in table order.
    """
    rows = table[table["question"].fillna("") != ""]
    found = [str(question) for question in dict.fromkeys(rows["question"])]
    place = {question: index for index, question in enumerate(dict.fromkeys(asked))}
    return sorted(found, key=lambda question: place.get(question, len(place)))


def answer(table: pd.DataFrame, question: str, metric: str | None = None,
           dates: PairDates | None = None, extra: PairItems | None = None) -> str:
    """The answer to one question: ``metric`` (the lead headline figure) in each category.

    A question may compare several pairs (each a variant and its reference); each is then
    named. Categories with applicants come in framework order; the overall figure only when
    there is a single category. A category with nobody connected in a scenario says so.
    """
    metric = metric or lead_metric(table)
    body = answer_body(table, question, metric, dates, extra)
    return f"{question} ({_phrase(table, question, metric)}): {body}."


def _phrase(table: pd.DataFrame, question: str, metric: str) -> str:
    """The key figure's name as an answer gives it: whom it counts, if not everyone."""
    phrase = metric_phrase(metric)
    kinds = table.loc[(table["question"] == question)
                      & table["population"].isin(COMPARED), "population"]
    if phrase.endswith(EVERYONE) and len(kinds) and (kinds == IN_BOTH).all():
        phrase += IN_BOTH_EVERYONE  # not everyone: some stream or project is set apart
    return phrase


def lead_metric(table: pd.DataFrame) -> str:
    """The headline figure the answers lead with: the first the comparison can tell apart.

    The first of :data:`LEAD_METRICS` whose difference has an interval in some question of
    ``table``: a run in which some replication cannot see ten years after the requests, say,
    leads with the mean years without a connection to the end of the run instead of
    answering with "not defined".
    """
    compared = table[table["question"].fillna("") != ""]
    if "population" in compared:  # the categories' rows, not an area's
        compared = compared[compared["population"].isin(COMPARED)]
    for metric in LEAD_METRICS:
        lows = compared.loc[compared["metric"] == metric, "difference_ci_low"]
        if np.isfinite(lows.to_numpy(dtype=float)).any():
            return metric
    return LEAD_METRICS[0]


def answer_body(table: pd.DataFrame, question: str, metric: str,
                dates: PairDates | None = None, extra: PairItems | None = None) -> str:
    """What :func:`answer` says after the question and the key figure's name."""
    return ". ".join(pair.text()
                     for pair in answer_pairs(table, question, metric, dates, extra))


@dataclass(frozen=True)
class PairAnswer:
    """One variant against its reference, as an answer says it, item by item.

    The report and the terminal list the items one under another; :meth:`text` writes them
    as one sentence (:func:`answer`).
    """

    pair: str
    """'social_priority_onsite against social_priority'; empty where the question's own text
    names its one pair."""
    whom: str
    """Which applicants the categories count, where not simply everyone of both: 'the
    applicants of both scenarios', or why the comparison is not like with like."""
    items: list[str]
    """Each category's difference, then what else the pair's answer says (the wait for a
    full firm connection, why a category falls back to its stand-in figure, each stream or project
    set apart)."""

    def text(self) -> str:
        """The pair's answer as one sentence."""
        text = "; ".join(self.items)
        if self.whom:
            text = f"{self.whom} — {text}"
        return f"{self.pair} — {text}" if self.pair else text


def answer_pairs(table: pd.DataFrame, question: str, metric: str,
                 dates: PairDates | None = None,
                 extra: PairItems | None = None) -> list[PairAnswer]:
    """Each pair a question compares, answered in ``metric`` category by category.

    ``extra`` items of a pair follow its own, last.
    """
    rows = table[table["question"] == question]
    pairs = list(dict.fromkeys(zip(rows["scenario"], rows["reference"], strict=True)))
    answers: list[PairAnswer] = []
    for variant, reference in pairs:
        mine = rows[(rows["scenario"] == variant) & (rows["reference"] == reference)]
        whom, items = _pair_answer(table, mine, metric, first=not answers,
                                   dates=(dates or {}).get((variant, reference), {}))
        items += (extra or {}).get((variant, reference), ())
        pair = f"{variant} against {reference}"
        # Named unless the question says it already (a compare without a questions file): a
        # question of a questions file names no scenario, and the reader needs its reference.
        answers.append(PairAnswer(pair if len(pairs) > 1 or pair not in question else "",
                                  whom, items))
    return answers


def _pair_answer(table: pd.DataFrame, rows: pd.DataFrame, metric: str, first: bool,
                 dates: ProjectDates) -> tuple[str, list[str]]:
    """One variant's difference from its reference in ``metric``, category by category.

    Categories are compared over the same applicants in both scenarios; a stream or project
    set apart (:data:`sim.runs.metrics.POPULATIONS`) follows on its own. Returns whom the
    categories count (see :attr:`PairAnswer.whom`) and the answer's items.
    """
    compared = rows[rows["population"].isin(COMPARED)]
    variant, reference = str(rows["scenario"].iloc[0]), str(rows["reference"].iloc[0])
    means = {reference: _means(table, reference), variant: _means(compared, variant)}
    get = compared.set_index(["group", "metric"])  # .loc[(group, metric)]: a row (stubs: a value)
    parts = []
    kind, origin = compared["population"].iloc[0], str(compared["origin"].iloc[0])
    absent = _none_in_both(table, compared, (variant, reference)) if kind == IN_BOTH else []
    groups = present_groups(compared)
    if absent and groups == [ALL]:  # name the one category there is, beside those missing
        groups = [g for g in present_groups(compared, alone=False) if g != ALL] or groups
    set_apart = rows[~rows["population"].isin((*COMPARED, BY_AREA, AREA_CHANGED))]
    alone = sorted(set(set_apart["origin"].astype(str)))
    said: set[str] = set()
    for group in [g for g in (*CATEGORIES, ALL) if g in groups or g in absent]:
        if group in absent:
            parts.append(f"{WHO[group]}: {NONE_IN_BOTH}")
            continue
        shown = _window(get, group, metric)
        name = _all_words(alone, categories_above=False) if group == ALL else WHO[group]
        who = name if shown == metric else f"{name} ({SHORTER_MARK})"
        missing = [] if _has_difference(get, group, shown) else _missing(means, group, shown)
        if missing:
            nobody = all(means[label].get((group, "connected")) == 0 for label in missing)
            why = "none connected" if nobody else "not defined"
            because = " (not known in every replication)" \
                if METRICS[metric].every_replication and not nobody else ""
            parts.append(f"{who}: {why} in {' and '.join(missing)}{because}")
        else:
            prefix = "95% CI " if first and not any("95% CI" in p for p in parts) else ""
            unconnected = [label for label in means
                           if means[label].get((group, "connected")) == 0]
            # the share within the window and what the end of the run shows can both apply
            # (a share that rose beside a mean within 5 years that did not move)
            later, told = _window_and_later(get, means, group, shown)
            if not later:
                later, told = _withdrawals_against_wait(get, group, shown)
            if len(groups) == 1:  # everyone compared: the overall line need not say it again
                said.update(told)
            # the note is the category's, so before what the end of the run adds to it
            parts.append(f"{who}: " + difference_text(
                get.loc[(group, shown)], METRICS[shown].unit, prefix,  # type: ignore[arg-type]
                every_replication=METRICS[shown].every_replication)
                + (f" (none connected in {' and '.join(unconnected)})" if unconnected else "")
                + later)
    left_out = [WAITING_LIST if name.startswith(WAITING_LIST) else name
                for name in dict.fromkeys(set_apart["origin"].astype(str))]
    whom = {IN_BOTH: IN_BOTH_WORDS, STREAMS_DIFFER: streams_differ_words(origin, but=left_out),
            PERIODS_DIFFER: f"{NOT_LIKE_WITH_LIKE}: {origin}"}.get(kind, "")
    apart = [_set_apart(block, metric, variant, dates, reference)
             for _, block in set_apart.groupby(["population", "origin"], sort=False)]
    overall = _overall_words(get, said, alone, _how_not_all_firm(means.values()),
                             metric if len(groups) > 1 else None)
    if _nothing_moved(rows):
        parts = [NOTHING_MOVED, *parts]
    return whom, [*(parts or ["no applicants"]), *overall,
                  *_firm_words(get, means[variant], metric),
                  *_area_words(rows[rows["population"] == BY_AREA], metric),
                  *_elsewhere_words(rows[rows["population"] == AREA_CHANGED], metric),
                  *_freed_words(get, means, variant, reference),
                  *_why_shorter_window(table, compared, get, metric), *apart,
                  *_named_projects(variant, reference, dates, set(alone))]


NOTHING_MOVED = ("no figure moved in any replication: what the variant changes never decided "
                 "who was connected when (a local station delayed behind a full upstream "
                 "limit, say, or a setting that reaches nobody, which gridqueue warns of)")
"""Said first where every difference of a pair is zero in every replication, so that a row of
'the same in every replication' reads as a finding, not as a fault of the comparison."""


def _nothing_moved(rows: pd.DataFrame) -> bool:
    """Whether every difference a pair's rows know is zero, with its interval, and some are.

    Only where the pair compares everyone (and its areas, or a stream moved between them): a
    stream added or set apart is a change that its own figures show, not a difference.
    """
    if not rows["population"].isin((EVERY_APPLICANT, BY_AREA, AREA_CHANGED)).all():
        return False
    known = rows[["difference", "difference_ci_low", "difference_ci_high"]].dropna()
    return len(known) > 0 and bool((known == 0).all(axis=None))


NONE_IN_BOTH = "none that both scenarios share (set apart below)"
"""Said of a category one of the scenarios has but none of the applicants both have holds:
its applicants are all in streams or projects set apart (the variant removed them, or draws
them at another rate, say), which the answer gives on their own below. 'none in both' read
as if the category were empty, beside 170 and 340 applicants in the two runs."""


def _none_in_both(table: pd.DataFrame, compared: pd.DataFrame,
                  pair: tuple[str, str]) -> list[str]:
    """Categories with applicants in either scenario of ``pair`` but none of both (``compared``).

    Either scenario's applicants are read from any of its rows in ``table`` that compare
    categories (the reference's own, as a rule).
    """
    mine = compared[compared["metric"] == "applicants"].groupby("group")["mean"].max()
    rows = table[table["scenario"].isin(pair) & table["population"].isin(COMPARED)
                 & (table["metric"] == "applicants")]
    anywhere = rows.groupby("group")["mean"].max()
    return [g for g in CATEGORIES if anywhere.get(g, 0) > 0 and not mine.get(g, 0) > 0]


def _named_projects(variant: str, reference: str, dates: ProjectDates,
                    apart: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """When each named project of the pair was connected in each scenario it is in.

    A project in both is compared with the rest of its category; its own dates are what a
    planner asks after (does on-site generation bring the campus forward?), so they follow.
    One set ``apart`` has said so already, as a project of one scenario is; a named row of a
    waiting-list CSV of one scenario only is counted in its stream's group of the list, so
    its dates follow here.
    """
    texts = []
    for label, name in dates:
        if label not in (variant, reference) or name in apart:
            continue
        other = reference if label == variant else variant
        if (other, name) not in dates:
            if name.endswith(WAITING_LIST_MARK):
                texts.append(f"{name} (only in {label}): {dates[(label, name)]}")
            continue
        if label != variant:
            continue
        mine, theirs = dates[(variant, name)], dates[(reference, name)]
        texts.append(f"{name}: {mine} in both" if mine == theirs
                     else f"{name}: {mine}, against {theirs} in {reference}")
    return texts


SHORTER_MARK = "to the end of the run"
"""Marks a group answered in :data:`sim.runs.metrics.SHORTER_WINDOW`'s stand-in figure, as
its scenarios do not know the lead one in every replication (explained once:
:data:`SHORTER_WINDOW_NOTE`)."""

STAND_IN_WORDS = ("the mean years without a connection to the end of the run stands in "
                  "(wait_to_end_years in comparison.csv): it counts everyone, one who withdraws "
                  "as without a connection to the end, and sees a change at any date in the "
                  "run, such as a later reinforcement, but it depends on where the run ends")
"""What stands in for the 10-year mean where it is not known, and what it sees."""

SHORTER_WINDOW_NOTE = (f"({SHORTER_MARK}): that group is compared in its mean years without a "
                       "connection from the request to the end of the run, as not every "
                       "replication follows its applicants for 10 years; it counts everyone, "
                       "one who withdraws as without a connection to the end, and sees a "
                       "change at any date in the run, but it depends on where the run ends.")
"""What :data:`SHORTER_MARK` means, said once under answers that use it."""


LONGER, SHORTER = next(iter(SHORTER_WINDOW.items()))
FIVE_YEARS = f"wait_rmst_{SHORTER_YEARS}y_years"
"""The lead window and the shorter one an answer falls back to where the lead is not known."""

NO_TEN_YEARS_WHY = ("the run does not follow the waits that long (as a rule, the early requests "
                    "were all connected or withdrew sooner, and the run ended before anyone "
                    "still waiting had waited 10 years; docs/model.md, section 4.3)")
"""Why a replication lacks the 10-year mean (:func:`sim.runs.incidence.restricted_mean_wait`):
the curve is not known that far (``known_until``). As a rule for the reason given; rarely, with
a waiting list, because everyone followed at a shorter wait had ended before an applicant who
had waited longer came under observation (docs/model.md, section 4.3), which the words do not
claim either way."""



def _why_shorter_window(table: pd.DataFrame, compared: pd.DataFrame, get: pd.DataFrame,
                        metric: str) -> list[str]:
    """That a pair's answer gives a category the shorter window the rest do not, and how often.

    'to the end of the run, not 10 years, also for basic-needs applicants and other
    businesses: the 10-year mean
    is not known in up to 22 of 30 replications of upgrades_on_time and 1 of 30 of sp'. The
    categories most pairs give the shorter window are named once, above the answers
    (:func:`window_note`), so an answer says only those it adds; its marks say which window
    each category's figure is in. Counts come from the ``replications`` column (replications
    with a value against those with applicants), where the table has it.
    """
    groups = present_groups(compared)
    usual = _usual_fallback(table, metric)
    fell = [group for group in _fell_back(compared, get, metric) if group not in usual]
    if not fell:
        return []
    if groups == [ALL]:
        whom = ""
    elif fell == groups:
        whom = ", for every category"
    elif fell == [*groups, ALL]:
        whom = ", for every category and overall"
    else:
        whom = (", also for " if usual else ", for ") + _names(fell)
    variant, reference = str(compared["scenario"].iloc[0]), str(compared["reference"].iloc[0])
    counts = [count for count in (_unknown_count(table[table["scenario"] == reference],
                                                 reference, fell, first=True),
                                  _unknown_count(compared, variant, fell))
              if count]
    how_often = (" and ".join(c if i == 0 else c.replace(" replications of ", " of ")
                              for i, c in enumerate(counts[::-1]))
                 if counts else "some replication of either")
    return [f"{FELL_BACK}{whom}: the 10-year mean is not known in {how_often}"]


def _fell_back(compared: pd.DataFrame, get: pd.DataFrame, metric: str) -> list[str]:
    """The groups a pair's answer gives the shorter window, as ten years are unknown.

    The categories, then everyone together (``all``), whose line is marked as theirs are: the
    notes left it out where its line alone was marked.
    """
    if metric not in (LONGER, SHORTER):
        return []
    groups = present_groups(compared)
    groups += [] if groups == [ALL] else [ALL]
    return [group for group in groups
            if _window(get, group, metric) == SHORTER and not _has_difference(get, group, LONGER)]


def _pairs(table: pd.DataFrame) -> list[pd.DataFrame]:
    """Each pair's rows that compare categories, question by question."""
    asked = table[table["question"].fillna("") != ""]
    blocks = asked.groupby(["question", "scenario", "reference"], sort=False)
    return [compared for _, rows in blocks
            if len(compared := rows[rows["population"].isin(COMPARED)])]


def _usual_fallback(table: pd.DataFrame, metric: str) -> list[str]:
    """The categories that most pairs answer in the shorter window: said once, above them.

    Every group where the answers lead with the shorter window; none where most pairs give
    no category the shorter one.
    """
    if metric in (SHORTER, FIVE_YEARS):
        return [*CATEGORIES, ALL]
    fell = [tuple(_fell_back(rows, rows.set_index(["group", "metric"]), metric))
            for rows in _pairs(table)]
    return list(Counter(fell).most_common(1)[0][0]) if fell else []


def window_note(table: pd.DataFrame, metric: str | None = None,
                areas: Mapping[str, pd.DataFrame] | None = None) -> str:
    """Which categories the answers give the shorter window, and why: once, above them.

    'Where marked "to the end of the run", congestion-relief and safety applicants are
    compared in their mean years without a connection to the end of the run, not their mean
    wait within 10 years of the request: the 10-year mean is not known in some replications
    (at most 2 of 30, of campus), in which ...', with what stands in. Empty where most answers
    need no shorter window; a pair that gives it to more categories says so itself.
    ``areas``: each scenario's key figures by grid area (``areas.csv``, by label), which
    count the replications of a reference's area, as ``table`` holds only the variant's.
    """
    metric = metric or lead_metric(table)
    usual = _usual_fallback(table, metric)
    if not usual:
        return ""
    worst: tuple[float, int, int, str] | None = None
    for rows in _pairs(table):
        groups = [g for g in _fell_back(rows, rows.set_index(["group", "metric"]), metric)
                  if g in usual]
        variant, reference = str(rows["scenario"].iloc[0]), str(rows["reference"].iloc[0])
        for label, mine, first in ((reference, table[table["scenario"] == reference], True),
                                   (variant, rows, False)):
            for missing, asked in _unknown(mine, label, groups, first).values():
                if missing and (worst is None or missing / asked > worst[0]):
                    worst = (missing / asked, missing, asked, label)
    fell_back = _areas_fell_back(table, metric)
    for area, variant, block in fell_back:
        reference = str(block["reference"].iloc[0])
        theirs = (areas or {}).get(reference, pd.DataFrame())
        counted = [(variant, _unknown(block, variant, [ALL]))]
        if not theirs.empty:  # the reference may be the one without ten years in it
            own = theirs[theirs["area"] == area].assign(scenario=reference)
            counted.append((reference, _unknown(own, reference, [ALL])))
        for label, unknown in counted:
            for missing, asked in unknown.values():
                if missing and (worst is None or missing / asked > worst[0]):
                    worst = (missing / asked, missing, asked, label)
    how_often = ("some replication" if worst is None else
                 f"some replications (at most {worst[1]} of {worst[2]}, of {worst[3]})")
    why = (f"the 10-year mean is not known in {how_often}, in which {NO_TEN_YEARS_WHY}; "
           f"{STAND_IN_WORDS}.")
    if metric == SHORTER:
        return ("The answers compare the mean years without a connection to the end of the "
                f"run, not the mean wait within 10 years: {why}")
    if metric == FIVE_YEARS:  # a comparison.csv written before the stand-in was a key figure
        return (f"The answers compare the mean wait within {SHORTER_YEARS} years, not 10: the "
                f"10-year mean is not known in {how_often}, in which {NO_TEN_YEARS_WHY}; "
                f"{SHORTER_YEARS} years cannot see what a change does later than that after "
                "the request, such as a later reinforcement, and a results folder compared "
                "was written before the mean years without a connection to the end of the "
                "run, which can, were a key figure (a warning names it).")
    whom = "the applicants" if usual == [ALL] else _names(usual)
    if fell_back:
        names = list(dict.fromkeys(area for area, _, _ in fell_back))
        whom += f", and by grid area those of {listed(names)},"
    return (f'Where marked "{SHORTER_MARK}", {whom} are compared in their mean years without '
            f"a connection to the end of the run, not their mean wait within 10 years of the "
            f"request: {why}")


def _areas_fell_back(table: pd.DataFrame, metric: str) -> list[tuple[str, str, pd.DataFrame]]:
    """Each grid area a pair's answer gives the shorter window (:func:`_area_words`).

    The area, the pair's variant and its rows. Their lines are marked as the categories' are,
    so the note above the answers names them and counts their replications too: it named only
    the categories, which left a marked 'lelystad' unexplained.
    """
    rows = table[(table["question"].fillna("") != "") & (table["population"] == BY_AREA)]
    return [(str(origin), str(variant), block) for (origin, _, variant, _), block in
            rows.groupby(["origin", "question", "scenario", "reference"], sort=False)
            if _window(block.set_index(["group", "metric"]), ALL, metric) != metric]


def _names(groups: list[str]) -> str:
    """'congestion-relief and safety applicants', 'basic-needs applicants and other businesses'."""
    names = [WHO[group] for group in groups]
    shared = all(name.endswith(" applicants") for name in names) and len(names) > 1
    if shared:
        names = [name.removesuffix(" applicants") for name in names]
    return listed(names) + (" applicants" if shared else "")


def _unknown_count(rows: pd.DataFrame, label: str, groups: list[str], first: bool = False
                   ) -> str:
    """'18 of 30 replications of sp (2)': those of ``label`` not knowing ten years for a group.

    The most over ``groups`` ('up to' when they differ); empty when none lacks it or the rows
    say nothing of replications. ``first``: only the first block of the scenario's rows (its
    own, before any question's).
    """
    lacking = [count for count in _unknown(rows, label, groups, first).values() if count[0] > 0]
    if not lacking:
        return ""
    worst = max(lacking)
    up_to = "up to " if len({missing for missing, _ in lacking}) > 1 else ""
    return f"{up_to}{worst[0]} of {worst[1]} replications of {label}"


def _unknown(rows: pd.DataFrame, label: str, groups: list[str], first: bool = False
             ) -> dict[str, tuple[int, int]]:
    """For each of ``groups``: the replications of ``label`` without ten years, and of all.

    Empty where the rows say nothing of replications; ``first`` as for :func:`_unknown_count`,
    but never a comparison over everyone without a waiting list set apart, which does not
    count all of the scenario's applicants.
    """
    if "replications" not in rows:
        return {}
    mine = rows[rows["scenario"] == label]
    # everyone but a waiting list set apart is not the scenario's own figures
    if first and {"population", "question", "reference"} <= set(mine):
        pairs = mine[["question", "reference"]].astype(str).agg("|".join, axis=1)
        apart = set(pairs[mine["population"].isin((ONLY_IN_VARIANT, DRAWN_DIFFERENTLY,
                                                   ONLY_IN_REFERENCE))])
        mine = mine[~((mine["population"] == STREAMS_DIFFER) & pairs.isin(apart))]
    if first:
        mine = mine.drop_duplicates(["group", "metric"])
    by = mine.drop_duplicates(["group", "metric"]).set_index(["group", "metric"])[
        "replications"]
    unknown = {}
    for group in groups:
        if (group, "applicants") in by.index and (group, LONGER) in by.index:
            asked = int(by[(group, "applicants")])
            unknown[group] = (asked - int(by[(group, LONGER)]), asked)
    return unknown


FELL_BACK = "to the end of the run, not 10 years"
"""Begins the part of an answer that counts the replications without the 10-year mean."""

FELL_BACK_NOTE = (f"({FELL_BACK}): in a replication without the 10-year mean, "
                  f"{NO_TEN_YEARS_WHY}; {STAND_IN_WORDS}.")
"""Why an answer counts replications without the 10-year mean, and what to read instead:
said once under the answers, where each answer only counts them."""


def notes(answers: list[str], window: str = "") -> list[str]:
    """What the marks used in ``answers`` mean: said once, under them, not in every answer.

    ``window`` (:func:`window_note`) comes first where the answers need it; it says what the
    mark means and why ten years are unknown, which :data:`SHORTER_WINDOW_NOTE` and
    :data:`FELL_BACK_NOTE` then need not repeat.
    """
    marked = any(f"({SHORTER_MARK})" in text for text in answers) and not window
    fell_back = any(f"; {FELL_BACK}" in text for text in answers) and not window
    return [*([window] if window else []), *([SHORTER_WINDOW_NOTE] if marked else []),
            *([FELL_BACK_NOTE] if fell_back else [])]


OVERALL_FIGURES = {"connected": "connected", "withdrawn": "withdrawn",
                   "waiting": "still waiting at the end",
                   "jobs_withdrawn": "jobs lost to withdrawal",
                   "job_years_waiting": "job-years held back",
                   "mw_years_waiting": "MW-years held back"}
"""What an answer says of all the applicants a pair compares, by the end of the run, as it
names them: how many were connected, gave up or still waited (which add up to all of them),
the jobs lost with those who gave up, and the jobs and MW held back until a connection (those
who gave up, to the end of the run)."""


UNTIL_A_FIRST_CONNECTION = ("job_years_waiting", "mw_years_waiting")
"""The years without a connection in all end at a first connection, which may be a part or a
non-firm right: a partial offer of half the MW ends them for the whole request
(docs/model.md, section 4). Where either scenario has such connections, the answer says so."""


def _overall_words(get: pd.DataFrame, said: set[str] | frozenset[str] = frozenset(),
                   apart: Sequence[str] = (), not_all_firm: str = "",
                   metric: str | None = None) -> list[str]:
    """How many were connected, gave up or still waited, and how much was waited, in all.

    'applicants overall: 0.10 years longer, from 8.46 to 8.56 (0.05 to 0.15) — by the end of
    the run, connected: 22.1 fewer, from 684.6 to 662.5 (12.5 to 31.7); withdrawn: 26.6 more,
    ...': first the answer's lead ``metric`` over them all, where given (the categories'
    changes do not say what they come to together), then the end of the run. The
    categories' waits alone hide what a change
    costs in all: social priority shortens three categories' waits and lengthens the fourth's,
    and only the whole says that 22 fewer applicants were connected and 27 more gave up.
    Figures whose interval crosses zero are named together as about the same; those in
    ``said`` are left out (a single category's answer gave its connections already).
    ``apart``: the streams and projects set apart, which the line does not count, so it
    names them (:func:`_all_words`). ``not_all_firm``: how a first connection may be other
    than whole and firm in either scenario ('in part'), which 'connected' says it counts;
    'still waiting at the end' then says it counts those without any connection only, as
    one connected in part or by a non-firm right may still wait for firm MW.
    """
    shown = None if metric is None else _window(get, ALL, metric)
    if shown is not None and not _has_difference(get, ALL, shown):
        shown = None
    moved, same, identical = [], [], []
    for figure, words in OVERALL_FIGURES.items():
        if figure in said or figure == shown or not _has_difference(get, ALL, figure):
            continue
        if figure == "connected" and not_all_firm:
            words += f" ({not_all_firm} included)"
        elif figure == "waiting" and not_all_firm:
            words += " without any connection"
        elif figure in UNTIL_A_FIRST_CONNECTION and not_all_firm:
            words += " (until a first connection)"
        row: pd.Series = get.loc[(ALL, figure)]  # type: ignore[assignment]  # stubs: scalar
        if _sign(row):
            moved.append(f"{words}: " + difference_text(row, METRICS[figure].unit, written=""))
        elif row["difference_ci_low"] == row["difference_ci_high"] == row["difference"] == 0:
            identical.append(words)  # not "about": nothing moved in any replication
        else:
            same.append(words)
    if same:
        moved.append(f"{listed(same)} about the same")
    if identical:
        moved.append(f"{listed(identical)} the same in every replication")
    whom = _all_words(apart, categories_above=metric is not None)
    if shown is None:
        return [f"{whom}, by the end of the run — " + "; ".join(moved)] if moved else []
    mark = "" if shown == metric else f" ({SHORTER_MARK})"
    lead = f"{whom}{mark}: " + difference_text(
        get.loc[(ALL, shown)], METRICS[shown].unit,  # type: ignore[arg-type]  # one row
        every_replication=METRICS[shown].every_replication)
    # More giving up can shorten a mean wait (those left are served sooner): then 'but'.
    against = _withdrawals_against_wait(get, ALL, shown)[0] and "withdrawn" not in said
    joint = BUT_LATER if against else " — by the end of the run, "
    return [lead + (joint + "; ".join(moved) if moved else "")]


def _all_words(apart: Sequence[str], categories_above: bool) -> str:
    """Whom a line over all the applicants compared counts, naming those ``apart``.

    'applicants overall'; beside the categories' own lines, 'the categories above together,
    without utilities'; with no category line above (a single category), 'applicants overall
    without K2': a stream or project set apart is answered on its own, so the line leaves it
    out, and 'applicants overall' alone read as if it counted everyone.
    """
    if not apart:
        return WHO[ALL]
    if categories_above:
        return f"the categories above together, without {listed(list(apart))}"
    return f"{WHO[ALL]} without {listed(list(apart))}"


def _area_words(rows: pd.DataFrame, metric: str) -> list[str]:
    """Each grid area's change in ``metric``, all its applicants, where the pair has areas.

    'by grid area, all applicants of each: almere: about the same (-0.15 to 0.24 years) —
    connected by the end of the run: 104.9 fewer, ...; lelystad: ...'. An area whose
    replications do not all follow ten years is given the stand-in, marked as a category is. How
    many were connected by the end of the run follows where it moved: the reinforcement on
    time leaves Almere's mean wait about the same while connecting fewer of its applicants.
    """
    if rows.empty:
        return []
    texts = [f"{area}{mark}: {change}" for area, block in rows.groupby("origin", sort=False)
             for mark, change in [_change_of_all(block, metric)]]
    return ["by grid area, all applicants of each: " + "; ".join(texts)]


def _elsewhere_words(rows: pd.DataFrame, metric: str) -> list[str]:
    """Each stream or project that asks in other areas in the variant: what the move did to it.

    'lelystad_manufacturing, asking in other areas (counted above too): 0.30 years longer,
    ... — connected by the end of the run: 12.0 fewer, ...'. Its applicants are the same
    businesses, in the same categories, so the categories count them as ever; this says
    what they gained or lost by the move, which the categories' means dilute.
    """
    return [f"{origin}, asking in other areas{mark} (counted above too): {change}"
            for origin, block in rows.groupby("origin", sort=False)
            for mark, change in [_change_of_all(block, metric)]]


def _change_of_all(block: pd.DataFrame, metric: str, later: bool = True) -> tuple[str, str]:
    """The change of all of a block's applicants together: its window's mark, and its words.

    In ``metric``, or in the shorter window where that is not known in every replication
    (the mark then says so, ' (to the end of the run)'); with how many more or fewer were connected
    by the end of the run where that moved (``later``: :func:`_connected_later`).
    """
    get = block.set_index(["group", "metric"])
    shown = _window(get, ALL, metric)
    mark = "" if shown == metric else f" ({SHORTER_MARK})"
    change = difference_text(get.loc[(ALL, shown)], METRICS[shown].unit,  # type: ignore[arg-type]  # one row
                             every_replication=METRICS[shown].every_replication)
    return mark, change + (_connected_later(block.set_index("metric")) if later else "")


def _how_not_all_firm(means: Iterable[dict[tuple[str, str], float]]) -> str:
    """How some first connection of the scenarios compared was not whole and firm, or ''.

    The wait to a first connection and the wait to a full firm one differ where one was (as
    :func:`_firm_words` finds them); where no right was granted, only a part can have ended
    it: 'in part', not 'in part or by a non-firm right', in a scenario without rights.
    """
    rights = partial = False
    for own in means:
        lead, firm = own.get((ALL, LONGER), math.nan), own.get((ALL, FIRM), math.nan)
        granted = own.get((ALL, "non_firm_connected"), 0.0) > 0
        rights |= granted
        partial |= not granted and math.isfinite(lead) and math.isfinite(firm) and lead != firm
    if rights:
        return "in part or by a non-firm right"
    return "in part" if partial else ""


FIRM = "wait_firm_rmst_10y_years"
"""The wait for a full firm connection, which neither a partial connection nor a right ends."""


def _firm_words(get: pd.DataFrame, variant: dict[tuple[str, str], float], metric: str
                ) -> list[str]:
    """When first connections in the variant are partial or non-firm, what else to say.

    The lead figure then counts a partial connection or a non-firm right as the end of the
    wait: the answer adds the wait for a full firm connection (everyone compared), how many
    were connected first in part, and, with non-firm rights, how many got one, of how many
    MW, how usable, and how many moved to firm.
    """
    if metric != "wait_rmst_10y_years" or variant.get((ALL, metric)) == variant.get((ALL, FIRM)):
        return []
    words = []
    if (ALL, FIRM) in get.index and math.isfinite(variant.get((ALL, FIRM), math.nan)):
        firm: pd.Series = get.loc[(ALL, FIRM)]  # type: ignore[assignment]  # stubs: scalar
        # A right of a crowded pool ends the lead wait however little of it is usable, so
        # the firm wait can move the other way: then it is set against the lead.
        against = (ALL, metric) in get.index and _sign(firm) == -_sign(
            get.loc[(ALL, metric)]) != 0  # type: ignore[arg-type]  # one row
        words.append(f"{'but ' if against else ''}to a full firm connection (a partial one "
                     "or a non-firm right does not count), everyone compared: "
                     + difference_text(firm, METRICS[FIRM].unit))
    in_part = variant.get((ALL, "connected_in_part"), 0.0)
    if in_part > 0:
        words.append(f"over the run, on average {_count_texts(in_part)[0]} applicants were "
                     "connected first with a part of their request")
    rights = variant.get((ALL, "non_firm_connected"), 0.0)
    if rights > 0:
        count, moved = (_count_texts(value)[0] for value in (
            rights, variant[(ALL, "moved_to_firm")]))
        mw = format_numbers(variant[(ALL, "mw_non_firm")])[0]
        usable = _percent(variant[(ALL, "non_firm_usable_share")])
        hours, cut = (variant.get((ALL, name), math.nan)
                      for name in ("non_firm_hours_share", "non_firm_mw_share"))
        how = (f" ({_percent(hours)}% of the hours, at {_percent(cut)}% of their MW, each "
               "weighted by MW)"
               if math.isfinite(hours) and math.isfinite(cut) else "")
        words.append(f"over the run, on average {count} applicants got a non-firm right "
                     f"({mw} MW in all, not at once), usable for {usable}% of their "
                     f"MW-hours{how}, and {moved} of them moved to firm")
    return words


def _percent(share: float) -> str:
    """A share as a percentage of two significant digits, never 0 or 100 unless exact.

    '0.76' for a right of a crowded pool, which '{:.0%}' wrote as 1; '99.6', not 100; and
    past six digits, 'over 99.9999' or 'under 0.0001'.
    """
    for digits in range(2, 7):
        text = significant(100 * share, digits)
        if text not in ("0", "100") or share in (0.0, 1.0):
            return text
    return "over 99.9999" if share > 0.5 else "under 0.0001"


FREED = "mw_freed"
"""MW the capacity releases freed: what a question about them asks first."""

HELD = "mw_connected"
"""Firm MW held by the applicants connected in the run: beside the MW freed, the net gain of
the queue, since the releases take MW back from those applicants and another scenario may add
capacity in their place as upgrades."""


def _freed_words(get: pd.DataFrame, means: dict[str, dict[tuple[str, str], float]],
                 variant: str, reference: str) -> list[str]:
    """What the capacity releases freed, where either scenario of the pair has them.

    'MW freed by capacity releases by the end of the run (...): 21.5 MW more, from 0.0 to
    21.5 (18.7 to 24.8) (social_priority has none); ...'. The waits alone did not say what
    use-it-or-lose-it frees, which its question asks. A scenario without capacity releases
    may add capacity in their place as upgrades (base.yaml's take-backs), which this figure
    does not count: the answer names them on a line of their own where there are some, so
    here it says only which has none ("if any" left the planner to find out). The firm MW
    held by those connected in the run follow: the MW freed are not all a gain of the queue,
    since part is taken back from its own connected applicants, and upgrades in their place
    add to the other side (use_it_or_lose_it.yaml freed 24.4 MW where social_priority.yaml's
    take-backs add 14, and those connected held 1.5 MW less).
    """
    if (ALL, FREED) not in get.index:
        return []
    row: pd.Series = get.loc[(ALL, FREED)]  # type: ignore[assignment]  # stubs: a scalar
    mine, theirs = (means[label].get((ALL, FREED), math.nan) for label in (variant, reference))
    if not (mine > 0 or theirs > 0) or math.isnan(float(row["difference"])):
        return []
    text = (f"{METRICS[FREED].label} (taken back from connected applicants, and released by "
            "users connected before the run): " + difference_text(row, METRICS[FREED].unit))
    none = [label for label, value in ((reference, theirs), (variant, mine)) if value == 0]
    if none:
        text += f" ({none[0]} has none)"
    if (ALL, HELD) in get.index:  # what the queue has to show for them, net of take-backs
        text += ("; firm MW held by those connected in the run at the end (or when their "
                 "connection ended), after what the releases took back: " + difference_text(
                     get.loc[(ALL, HELD)], METRICS[HELD].unit))  # type: ignore[arg-type]
    return [text]


def freed_apart_items(table: pd.DataFrame,
                      freed: Mapping[str, float]) -> dict[tuple[str, str], list[str]]:
    """For each pair whose MW freed are not compared, what each run's capacity releases freed.

    Where a stream or project is set apart, the figures of the applicants both scenarios have
    cannot say whose MW were taken back (``applicants.csv`` does not), so their MW freed are
    empty, and a variant that added homes beside capacity-limiting contracts said nothing of
    what the contracts freed. ``freed``: each run's MW freed, over all its applicants and the
    users connected before it (``summary.csv``). Keyed by (variant, reference).
    """
    items: dict[tuple[str, str], list[str]] = {}
    asked = table[table["question"].astype(bool)]
    for pair, rows in asked.groupby(["scenario", "reference"], sort=False):
        variant, reference = (str(label) for label in pair)
        known = rows[rows["population"].isin(COMPARED) & (rows["group"] == ALL)
                     & (rows["metric"] == FREED)]["difference"].notna().any()
        mine, theirs = (freed.get(label, math.nan) for label in (variant, reference))
        if known or not (mine > 0 or theirs > 0):
            continue
        apart = rows[~rows["population"].isin((*COMPARED, BY_AREA, AREA_CHANGED))]
        names = sorted(set(apart["origin"].astype(str)))
        why = f" ({listed(names)} set apart, so not like with like)" if names else ""
        texts = format_numbers(mine, theirs)
        items[(variant, reference)] = [
            f"{METRICS[FREED].label}, over all the applicants of each scenario{why}: "
            f"{texts[0]} MW in {variant}, {texts[1]} in {reference} (summary.csv of each run)"]
    return items


HomesCounts = Mapping[tuple[str, str], Mapping[str, Mapping[str, tuple[float, float]]]]
"""Per pair (variant, reference), per run of it, per stream of blocks of homes: the homes
asked and connected, mean per replication over the replications the pair counts."""


def _count_texts(*values: float) -> list[str]:
    """Mean counts per replication as an answer writes them: a whole one whole, '4 applicants'.

    :func:`~sim.figures.numbers.format_numbers` gives one decimal below 100, which wrote a
    count of 4 in every replication as '4.0 applicants'. A mean that is whole reads whole;
    another keeps the precision the values set together (77.9, 6.9).
    """
    texts = format_numbers(*values)
    return [f"{value:,.0f}" if math.isfinite(value) and value == round(value) else text
            for value, text in zip(values, texts, strict=True)]


def homes_items(homes: HomesCounts) -> dict[tuple[str, str], list[str]]:
    """For each pair, the homes of each stream whose requests are blocks of homes.

    An applicant of such a stream is a block of homes, so its counts are of blocks: "How long
    do homes wait?" read "on average 71 of 123 connected", of blocks of about 150 homes each.
    Keyed by (variant, reference).
    """
    items: dict[tuple[str, str], list[str]] = {}
    for (variant, reference), runs in homes.items():
        for stream, (asked, connected) in runs.get(variant, {}).items():
            texts = _count_texts(asked, connected)
            text = (f"{stream} asks for blocks of homes, one applicant each: on average "
                    f"{texts[0]} homes asked, {texts[1]} of them connected by the end of the run")
            if stream in runs.get(reference, {}):
                theirs = _count_texts(*runs[reference][stream])
                text += f" ({theirs[0]} and {theirs[1]} in {reference})"
            items.setdefault((variant, reference), []).append(
                f"{text} (homes in applicants.csv)")
    return items


ASKED_WORDS = {False: "applicants who did not ask for priority",
               True: "applicants who asked for priority"}
"""How an answer names those who did not ask for priority and those who did, in every
category: under rounds they wait for a round or are served between rounds."""


def priority_items(differences: Mapping[bool, pd.DataFrame], metric: str) -> list[str]:
    """Those who did not ask for priority and those who did, each in ``metric``, as one group.

    ``differences`` holds each's :func:`~sim.analysis.differences.difference_table` rows (with
    ``reference_mean``), by whether they asked. A category's line mixes both where some of
    it did not ask; each is worded as a category is, in the stand-in figure where the lead
    one has no difference (marked, :data:`SHORTER_MARK`).
    """
    return [_group_item(ASKED_WORDS[asked], rows, metric, metric)
            for asked, rows in differences.items()]


def _group_item(who: str, rows: pd.DataFrame, metric: str, preferred: str) -> str:
    """A group of some applicants (its ``rows``, group ``all``) worded as a category is.

    In ``preferred`` where the group has a difference in it, else in ``metric`` or its
    stand-in (:func:`_window`); marked :data:`SHORTER_MARK` where that is not ``metric``.
    """
    get = rows.set_index(["group", "metric"])
    shown = preferred if _has_difference(get, ALL, preferred) else _window(get, ALL, metric)
    mark = "" if shown == metric else f" ({SHORTER_MARK})"
    return f"{who}{mark}: " + difference_text(
        get.loc[(ALL, shown)], METRICS[shown].unit,  # type: ignore[arg-type]  # one row
        every_replication=METRICS[shown].every_replication)


HALF_WORDS = {"better": "with the better half of efficiency scores",
              "worse": "with the worse half of efficiency scores"}
"""How an answer names each half of the applicants a ranking by efficiency can reorder."""


def efficiency_items(pair_rows: pd.DataFrame, category: str,
                     differences: Mapping[str, pd.DataFrame], metric: str,
                     ranking: str, per_replication: float, ended_otherwise: float) -> list[str]:
    """The better and the worse half of scores of a category one scenario ranks by efficiency.

    A ranking by efficiency only reorders its category: the category's line reads about the
    same while the best offers gain and the worst lose. ``differences`` holds each half's
    :func:`~sim.analysis.differences.difference_table` rows (with ``reference_mean``), by
    ``better`` and ``worse``; each is worded as the category's line beside it is, in the
    same figure (``metric``, or its stand-in where the category's line takes that, marked),
    and in its own stand-in only where the half has no difference in the category's.
    ``pair_rows`` are the pair's rows of the comparison table. Then who the halves are
    (``ranking``: who ranked them by efficiency and when) and how many a replication have
    another outcome in each scenario ('end otherwise' read as nothing a planner could name).
    """
    compared = pair_rows[pair_rows["population"].isin(COMPARED)]
    window = _window(compared.set_index(["group", "metric"]), category, metric)
    # Only those who asked for priority queue in a category of it: the category's line counts
    # the rest too, who wait as other businesses, which the halves leave out.
    asked = "" if category == "other" else " who asked for priority"
    items = [_group_item(f"{WHO[category]}{asked} {HALF_WORDS[half]}", rows, metric, window)
             for half, rows in differences.items()]
    count, otherwise = _count_texts(per_replication, ended_otherwise)
    queued = "" if category == "other" else " (and so queued in it)"
    items.append(f"the two halves: the {WHO[category]} with a score{asked}{queued} who "
                 f"waited while {ranking}, {count} per replication, split at each replication's "
                 "median "
                 f"score; {otherwise} of them per replication have another outcome in each "
                 "scenario (connected, withdrawn or still waiting at the end of the run)")
    return items


def ranking_words(ranks: Sequence[str], other: str, spans: Sequence[tuple[str, str]],
                  end: str) -> str:
    """Who ranks a category by efficiency, and when, where the other serves it by date.

    'efficiency_2026 ranked them by efficiency and social_priority by request date (from
    2026-01-01)'; ``ranks`` names the one that ranks them so, or both where each does on some
    days; ``spans`` are ISO dates, from the first to before the second, and ``end``
    the day after the run's last, which a span reaching the end of the run ends with.
    """
    when = ", ".join(f"from {start}" if stop == end else f"from {start} to before {stop}"
                     for start, stop in spans)
    if len(ranks) > 1:
        return (f"one of {' and '.join(ranks)} ranked them by efficiency and the other by "
                f"request date ({when})")
    return f"{ranks[0]} ranked them by efficiency and {other} by request date ({when})"


def streams_differ_words(origin: str, shown: int = 3, but: Sequence[str] = ()) -> str:
    """Says that a comparison counts every applicant though the streams differ, naming some.

    ``but``: what is set apart all the same (a waiting list or a named project only one
    scenario has), which 'every applicant' then leaves out by name.
    """
    names = origin.split(", ")
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    whom = NOT_LIKE_WITH_LIKE.replace(
        "every applicant", f"every applicant but {listed(list(but))}") if but \
        else NOT_LIKE_WITH_LIKE
    return f"{whom}: the streams differ ({', '.join(names[:shown])}{more})"


NOT_LIKE_WITH_LIKE = "every applicant, not like with like"
"""How an answer begins that compares every applicant although they are not the same ones."""


SET_APART_WORDS = {CATEGORY_CHANGED: "whose category changes",
                   DRAWN_DIFFERENTLY: "drawn differently (other applicants, unpaired)"}
"""How an answer names a stream or project of both scenarios compared on its own."""


def _set_apart(block: pd.DataFrame, metric: str, variant: str, dates: ProjectDates,
               reference: str = "") -> str:
    """A stream or project set apart: its own figure, or its change if both scenarios have it.

    A stream only in the variant that the run cannot measure in ``metric`` (too recent for a
    ten-year window, say) is given in the first figure of :data:`OWN_FIGURES` it has. Then
    how many of its applicants were connected and how many withdrew. A stream whose category
    changes, or that the variant draws differently, is compared in the shorter window
    (:data:`sim.runs.metrics.SHORTER_WINDOW`) when the lead one is not known in every
    replication of both scenarios, as a category is.
    """
    row = block.set_index("metric")
    origin = str(block["origin"].iloc[0])
    kind = block["population"].iloc[0]
    if kind == ONLY_IN_REFERENCE:
        size = _size(row, dates.get((reference, origin)))
        return f"left out: {origin}, only in {reference} ({size})"
    if kind in SET_APART_WORDS and (variant, origin) in dates:
        return _project_set_apart(row, origin, str(kind), metric, variant, reference, dates)
    if kind in SET_APART_WORDS:
        mark, change = _change_of_all(block, metric, later=kind == CATEGORY_CHANGED)
        return f"{origin}, {SET_APART_WORDS[kind]}{mark}: {change}"
    shown = next((m for m in (metric, *OWN_FIGURES) if m in row.index
                  and np.isfinite(float(row.loc[m, "estimate"]))), None)  # type: ignore[arg-type]
    if float(row.loc["applicants", "mean"]) == 1:  # type: ignore[arg-type]  # a named project
        return _single_set_apart(row, origin, variant, shown, dates.get((variant, origin)))
    if shown is None:  # asked too near the end for any figure, say: how it fared, at least
        return (f"{origin} (only in {variant}): not defined"
                + _outcomes(row, dates.get((variant, origin))))
    words = "" if shown == metric else f"; {metric_phrase(shown)}"
    return (f"{origin} (only in {variant}{words}): "
            + level_text(row.loc[shown], METRICS[shown].unit)  # type: ignore[arg-type]  # a row
            + _window_filled(row, shown) + _median_beside(row, shown)
            + _outcomes(row, dates.get((variant, origin))))


def _median_beside(row: pd.DataFrame, shown: str) -> str:
    """', cut short by the end of the run ...; half were connected within 4.5 years ...'.

    The mean years without a connection to the end of the run stops each wait at the end: a
    stream asking until then read '3.3 years' though half its applicants waited 4.5 years or
    more, 52 of 124 still waiting. Said where some still wait; the median time to connection,
    which counts them as waiting on, follows where it is reached.
    """
    if shown != "wait_to_end_years" or not _still_waiting(row):
        return ""
    text = ", cut short by the end of the run for those still waiting"
    median = row.loc["connect_median_years"] if "connect_median_years" in row.index else None
    if median is None or not np.isfinite(float(median["estimate"])):  # type: ignore[arg-type]
        return text
    return (f"{text}; half were connected within "
            + level_text(median, METRICS["connect_median_years"].unit)  # type: ignore[arg-type]
            + " of their request")


def _still_waiting(row: pd.DataFrame) -> bool:
    """Whether some of a set-apart group's applicants were neither connected nor withdrawn."""
    get = row["estimate"]
    asked = float(get.get("applicants", math.nan))
    ended = float(get.get("connected", 0.0)) + float(get.get("withdrawn", 0.0))
    return not asked <= ended


def _connected_later(row: pd.DataFrame) -> str:
    """' — connected by the end of the run: 19.6 more, ...' for a stream moved to another group.

    A stream whose category (or area) changes.

    What the streams a change puts first gain, beside what the rest lose (the overall
    figures of the categories together): 'at whose cost' needs both. Nothing where it did
    not move beyond its interval. Not said of a stream drawn differently: more of one drawn
    three times as often are connected because there are more of them.
    """
    if "connected" not in row.index or not _sign(connected := row.loc["connected"]):  # type: ignore[arg-type]
        return ""
    return " — connected by the end of the run: " + difference_text(
        connected, METRICS["connected"].unit)  # type: ignore[arg-type]  # one label: a row


PROJECT_WORDS = {CATEGORY_CHANGED: "whose category changes",
                 DRAWN_DIFFERENTLY: "requested differently (the same named project, another "
                                    "request)"}
"""How an answer names a named project of both scenarios compared on its own."""


def _project_set_apart(row: pd.DataFrame, origin: str, kind: str, metric: str, variant: str,
                       reference: str, dates: ProjectDates) -> str:
    """A named project set apart: when it was connected in each scenario, then its change.

    A single request, so the share of replications that connected it and the dates say what
    a mean wait within a window cannot: a project connected in every replication and one
    connected in none both wait the whole five years of a short window, which read 'the same
    in every replication'. The change in the lead figure follows only where it is not zero.
    """
    connected: pd.Series = row.loc["connected"]  # type: ignore[assignment]  # one label: a row
    share = float(connected["mean"])
    before = float(connected.get("reference_mean", share - float(connected["difference"])))
    runs = _replications_of(connected.get("replications"))
    # paired, both shares are of the same replications; else the reference's are its own
    paired = connected.get("paired")
    theirs = runs if paired is not None and not pd.isna(paired) and bool(paired) else None
    fates = [_fate(value, dates.get((label, origin)), count)
             for value, label, count in ((share, variant, runs), (before, reference, theirs))]
    text = f"{origin}, {PROJECT_WORDS[kind]}: {fates[0]} in {variant}, against {fates[1]} in " \
           f"{reference}"
    shown: pd.Series = row.loc[metric]  # type: ignore[assignment]  # as above
    change = difference_text(shown, METRICS[metric].unit,
                             every_replication=METRICS[metric].every_replication)
    if change.startswith(("the same", "not comparable")):
        return text
    return f"{text}; {metric_phrase(metric)}: {change}"


def _fate(share: float, dates: str | None, replications: float | None = None) -> str:
    """'connected by the end of the run in 80% of replications, median 2033-11-19 (...)'.

    ``replications``: how many the share is of, where known (:func:`_connected_in`).
    """
    if not math.isfinite(share) or share <= 0:
        return dates if dates and not dates.startswith("median") else \
            "connected in no replication by the end of the run"
    said = _connected_in(share, replications)
    return said + (f", {_dates_alone(dates)}" if dates else "")


def _connected_in(share: float, replications: float | None = None) -> str:
    """'connected by the end of the run in 80% of replications': how often a project was.

    Never 0% or 100% of replications for a share between them: '199 of 200 replications'
    where ``replications`` is known, else '>99%' (:func:`~sim.figures.numbers.replication_share`).
    """
    return f"connected by the end of the run in {replication_share(share, replications)}"


SHARE_SAID = re.compile("^" + re.escape(_connected_in(0.5).removesuffix("50% of replications"))
                        + r"[^,]*replications, ")
"""How :func:`_when_connected` begins a project's dates where it was connected in some
replications only."""


def _dates_alone(dates: str) -> str:
    """A project's dates without the share connected that leads them, for a line that says it.

    Whatever share they said: the line's own may be of other replications, or round otherwise.
    """
    return SHARE_SAID.sub("", dates, count=1)


WINDOW_SHARES = {FIVE_YEARS: (
    SHORTER_YEARS, f"connected_within_{SHORTER_YEARS}y")}
"""A mean wait within a window, and the share connected within that window: for answers that
lead with the 5-year mean (``--metric``), which a longer wait saturates."""


def _window_ends_early(get: pd.DataFrame, means: dict[str, dict[tuple[str, str], float]],
                       group: str, metric: str) -> str:
    """When under half are connected within a window, how the share connected within it moved.

    A mean wait within 5 years counts every longer wait as 5 years, so it barely moves when
    most wait longer, whatever a change does for them: a reinforcement four years earlier
    read '0.10 years shorter'. The share connected within the window, of those followed
    that long, shows it: ' — connected within 5 years (under half in both; of those followed
    5 years): 12.2 percentage points higher, from 0.1% to 12.3% (11.0 to 13.4)'. Said only
    when that share changed beyond its interval.
    """
    if metric not in WINDOW_SHARES:
        return ""
    years, share = WINDOW_SHARES[metric]
    if (group, share) not in get.index:
        return ""
    row: pd.Series = get.loc[(group, share)]  # type: ignore[assignment]  # stubs: a scalar
    under_half = [label for label, own in means.items()
                  if own.get((group, share), math.nan) < 0.5]
    moved = _sign(row)
    if not under_half or not moved:
        return ""
    where = "both" if len(under_half) == len(means) else under_half[0]
    text = (f" — connected within {years} years (under half in {where}; of those followed "
            f"{years} years): " + difference_text(row, METRICS[share].unit))
    if _sign(get.loc[(group, metric)]) == moved:  # type: ignore[arg-type]  # one row
        text += f" ({_why_apart(get, group, years, moved)})"  # a longer wait, a higher share
    return text


def _sign(row: pd.Series) -> int:
    """Where a difference's interval lies: 1 above zero, -1 below, 0 across it (or unknown)."""
    return 1 if row["difference_ci_low"] > 0 else -1 if row["difference_ci_high"] < 0 else 0


EARLIER_SHARES = ("connected_within_2y", "connected_within_1y")
"""Shares connected sooner than the window, which show connections that came earlier."""

APART_WORDS = ("they count different requests: the share only those made {years} or more years "
               "before the end, the mean everyone")
"""Why a mean wait within a window and the share connected within it can disagree, where no
earlier share says more."""


def _why_apart(get: pd.DataFrame, group: str, years: int, share_moved: int) -> str:
    """Why a mean wait within a window and the share connected within it disagree.

    Where a share connected sooner moved the other way, the curves of connection cross:
    use-it-or-lose-it connected 3.1 percentage points more congestion relievers within 2
    years and 4.8 fewer within 5, so a shorter mean wait sits beside a lower 5-year share.
    That is said with the earlier share's change; otherwise, that the two count different
    requests (:data:`APART_WORDS`). ``share_moved``: the window's share, 1 up or -1 down.
    """
    for earlier in EARLIER_SHARES:
        if (group, earlier) not in get.index:
            continue
        row: pd.Series = get.loc[(group, earlier)]  # type: ignore[assignment]  # stubs: scalar
        if _sign(row) == -share_moved:
            within = METRICS[earlier].label.split(",")[0].lower()
            how = (f"later connections for some, more by {years} years for others"
                   if share_moved > 0 else
                   f"sooner connections for some, fewer by {years} years for others")
            return (f"the curves cross: {within}: "
                    + difference_text(row, METRICS[earlier].unit) + f"; {how}")
    return APART_WORDS.format(years=years)


LATER_FIGURES = ("connected", "withdrawn")
"""Figures counted by the end of the run, which see what a change does after a short window;
'applicants connected', 'applicants withdrawn' in an answer."""


Told = tuple[str, tuple[str, ...]]
"""Words added to an answer's line, and the :data:`LATER_FIGURES` they give."""


def _window_and_later(get: pd.DataFrame, means: dict[str, dict[tuple[str, str], float]],
                      group: str, shown: str) -> Told:
    """How the share within the window moved, then what the end of the run shows.

    After a share that moved, an end of the run that did not is set against it ('— but by
    the end of the run, ... about the same'), not added to a mean that did not move ('nor').
    """
    early = _window_ends_early(get, means, group, shown)
    later, told = _later_than_window(get, group, shown)
    if early and later.startswith(NOR_LATER):
        later = BUT_LATER + later.removeprefix(NOR_LATER)
    return early + later, told


BUT_LATER = " — but by the end of the run, "
"""What the end of the run shows, set against an answer in the shorter window that it moves."""
NOR_LATER = " — nor by the end of the run: "
"""That nothing moved by the end of the run either, after a shorter window that showed none."""


def _later_than_window(get: pd.DataFrame, group: str, shown: str) -> Told:
    """What a group answered in the shorter window shows later, when that window shows nothing.

    A mean wait within 5 years that reads 'the same in every replication' (or 'about the
    same') says nothing of what a change does after 5 years: the campus took no place from
    congestion relief within 5 years of a request, but 0.7 fewer of them were connected by
    the end of the run. So the connections and withdrawals by the end of the run follow:
    ' — but by the end of the run, applicants connected: 0.70 fewer, from 50.47 to 49.77 (0.40
    to 1.00)'; or, where neither moved beyond its interval, ' — nor by the end of the run:
    applicants connected and withdrawn about the same'. Said wherever the answer is in the
    shorter window, which stands in for the lead one where that is not known.
    """
    if shown not in WINDOW_SHARES:
        return "", ()
    low, high = (float(get.loc[(group, shown), end])  # type: ignore[arg-type]  # one row
                 for end in ("difference_ci_low", "difference_ci_high"))
    if not low <= 0 <= high:
        return "", ()
    known = tuple(later for later in LATER_FIGURES if (group, later) in get.index)
    rows: dict[str, pd.Series] = {
        later: get.loc[(group, later)] for later in known}  # type: ignore[misc]  # one row each
    moved = {later: row for later, row in rows.items() if _sign(row)}
    if moved:
        return BUT_LATER + "; ".join(
            f"applicants {later}: " + difference_text(row, METRICS[later].unit)
            for later, row in moved.items()), tuple(moved)
    if not known:
        return "", ()
    return f"{NOR_LATER}applicants " + " and ".join(known) + " about the same", known


def _withdrawals_against_wait(get: pd.DataFrame, group: str, shown: str) -> Told:
    """The withdrawals, where they rose as the wait fell (or fell as it rose).

    A mean wait within a window counts one who withdraws as waiting the rest of it, so more
    withdrawals can sit beside a shorter mean: those left are connected sooner. Impatient
    logistics firms read 'other businesses: 0.11 years shorter' alone, where 246 more of them
    withdrew (15,815 jobs lost): ' — but applicants withdrawn by the end of the run: 246 more,
    from 1,310 to 1,556 (239 to 254)'.
    """
    if (group, "withdrawn") not in get.index:
        return "", ()
    row: pd.Series = get.loc[(group, "withdrawn")]  # type: ignore[assignment]  # stubs: scalar
    wait = _sign(get.loc[(group, shown)])  # type: ignore[arg-type]  # one row
    if not wait or _sign(row) != -wait:
        return "", ()
    return (" — but applicants withdrawn by the end of the run: "
            + difference_text(row, METRICS["withdrawn"].unit)), ("withdrawn",)


def _window_filled(row: pd.DataFrame, metric: str) -> str:
    """The share connected within a window, when a mean wait within it nearly fills it.

    '; of those followed 5 years, 1.2% were connected within them'. A mean wait of 5.0
    within five years reads like a wait of five years; it says that hardly anyone was
    connected within them, which the share says plainly. The share counts those the run
    follows for the whole window (``connected_within_5y``), the mean everyone.
    """
    if metric not in WINDOW_SHARES:
        return ""
    years, share_metric = WINDOW_SHARES[metric]
    share = float(row.loc[share_metric, "estimate"])  # type: ignore[arg-type]  # stubs: scalar
    if not float(row.loc[metric, "estimate"]) >= 0.9 * years or math.isnan(share):  # type: ignore[arg-type]
        return ""
    return (f"; of those followed {years} years, {format_numbers(100 * share)[0]}% were "
            f"connected within them")


def _single_set_apart(row: pd.DataFrame, origin: str, variant: str, shown: str | None,
                      dates: str | None) -> str:
    """A named project only in the variant: how often and when it was connected, then its wait.

    'Business park (only in v): connected by the end of the run in 0% of replications,
    withdrew in 100%'. A mean wait within 10 years of a single request that never connects
    is the window itself ('10.0 years (95% CI 10.0 to 10.0)'), which read as a wait of ten
    years; it is given, named, only for a project connected in some replication.
    """
    text = f"{origin} (only in {variant}): " + _outcomes(row, dates).removeprefix("; ")
    if shown is None or not float(row.loc["connected", "mean"]) > 0:  # type: ignore[arg-type]
        return text
    return (text + f"; its {metric_phrase(shown).removesuffix(', everyone')}: "
            + level_text(row.loc[shown], METRICS[shown].unit))  # type: ignore[arg-type]  # a row


def _outcomes(row: pd.DataFrame, dates: str | None = None) -> str:
    """'; on average 40 of 1,248 connected by the end of the run, 701 withdrew' (means).

    A single applicant, such as a named project, says in how many replications it was
    connected (and withdrew) instead, and when if its ``dates`` are known: '; connected by
    the end of the run in 80% of replications, median 2033-11-19 (10% to 90%: 2033-06-23 to
    not by the end)'.
    """
    means = [float(row.loc[m, "mean"])  # type: ignore[arg-type]  # stubs: any scalar
             for m in ("applicants", "connected", "withdrawn")]
    if means[0] == 1:
        runs = _replications_of(row.loc["connected"].get("replications"))
        gave_up = (f", withdrew in {replication_share(means[2], runs, noun=False)}"
                   if means[2] > 0 else "")
        said = _connected_in(means[1], runs)
        when = f", {_dates_alone(dates)}" if dates and means[1] > 0 else ""
        return f"; {said}{gave_up}{when}"
    asked, connected, withdrawn = _count_texts(*means)
    return (f"; on average {connected} of {asked} connected by the end of the run, "
            f"{withdrawn} withdrew")


def _size(row: pd.DataFrame, dates: str | None = None) -> str:
    """How many a stream or project left out of a comparison holds, per replication (means).

    'on average 171 applicants a replication, with 1,204 jobs; 150 connected by the end of
    the run, with 95 MW'; a single applicant, a named project, says how often and when it
    was connected instead (:func:`_outcomes`).
    """
    mean = {m: float(row.loc[m, "mean"])  # type: ignore[arg-type]  # stubs: any scalar
            for m in ("applicants", "connected", "jobs_connected", "jobs_withdrawn",
                      "jobs_waiting", "mw_connected")}
    if mean["applicants"] == 1:
        return _outcomes(row, dates).removeprefix("; ")
    jobs = mean["jobs_connected"] + mean["jobs_withdrawn"] + mean["jobs_waiting"]
    asked, held, connected = (_count_texts(value)[0] for value in (
        mean["applicants"], jobs, mean["connected"]))
    mw = format_numbers(mean["mw_connected"])[0]
    with_jobs = f", with {held} jobs" if jobs > 0 else ""
    return (f"on average {asked} applicants a replication{with_jobs}; {connected} connected "
            f"by the end of the run, with {mw} MW")


def level_text(row: pd.Series, unit: str) -> str:
    """A figure's own value in words with its interval: '4.9 years (95% CI 4.8 to 5.1)'."""
    scale = 100.0 if unit == "share" else 1.0
    value, low, high = (row[c] * scale for c in ("estimate", "ci_low", "ci_high"))
    written = "%" if unit == "share" else UNIT_WORDS.get(unit, unit)
    if not (math.isfinite(low) and math.isfinite(high)):
        return _join(format_numbers(value)[0], written)
    value_text, low_text, high_text = _apart(value, low, high)
    return _join(value_text, written, f"(95% CI {low_text} to {high_text})").replace(" %", "%")


def _apart(value: float, low: float, high: float) -> list[str]:
    """The three with one precision, more decimals (up to four) if the ends would read alike.

    '4.98 (95% CI 4.98 to 4.99)' rather than '5.0 (95% CI 5.0 to 5.0)'. Ends that differ only
    by floating-point rounding are one value (:func:`~sim.figures.numbers.distinct_values`).
    """
    texts = format_numbers(value, low, high)
    decimals = len(texts[0].partition(".")[2])
    while (texts[1] == texts[2] and low < high and distinct_values(low, high) == 2
           and decimals < 4 and abs(value) < 100):
        decimals += 1
        texts = [f"{v:.{decimals}f}" for v in (value, low, high)]
    return texts


def present_groups(rows: pd.DataFrame, alone: bool = True) -> list[str]:
    """Categories with applicants in ``rows`` (framework order); ``all`` alone if one or none.

    With ``alone`` false, a single category is named itself (``all`` only if there is none).
    """
    applicants = rows[rows["metric"] == "applicants"].groupby("group")["mean"].max()
    groups: list[str] = [g for g in CATEGORIES if applicants.get(g, 0) > 0]
    return groups if len(groups) > 1 or (groups and not alone) else [ALL]


def metric_phrase(metric: str) -> str:
    """A key figure's label in running text: 'median wait of those connected'."""
    label = METRICS[metric].label
    if label.endswith(")") and " (" in label:
        label = label[:label.rindex(" (")]
    return label[:1].lower() + label[1:]


def difference_text(row: pd.Series, unit: str, prefix: str = "",
                    every_replication: bool = False, written: str | None = None) -> str:
    """A difference in words with both levels and its interval.

    '1.2 years shorter, from 7.9 to 6.7 (0.9 to 1.5)': the reference's mean, then the
    variant's (``row``'s ``mean``), so a reader can tell a large change from a small one.
    When the interval includes zero: 'about the same (-0.10 to 0.30 years)'; when every
    replication gives the same figure in both: 'the same in every replication'. ``prefix`` goes
    before the interval, e.g. '95% CI '. Without a difference it says why: a figure that
    needs ``every_replication`` lacked one in some; another was not reached (or had no
    value) in some replication of either. ``written``: the unit as written after the
    numbers, where not the unit's own words ('' where the text before names it).
    """
    scale = 100.0 if unit == "share" else 1.0
    value = row["difference"] * scale
    low, high = row["difference_ci_low"] * scale, row["difference_ci_high"] * scale
    down, up = WORDS.get(unit, ("less", "more"))
    written = UNIT_WORDS.get(unit, unit) if written is None else written
    if math.isnan(value):
        if every_replication:
            return "not comparable (not defined in every replication of both)"
        return "not comparable (not reached, or without a value, in some replication of either)"
    if math.isnan(low) or math.isnan(high):
        word = up if value > 0 else down
        return _join(format_numbers(abs(value))[0], written, word,
                     "(no interval: too few replications)")
    if low == high == value == 0:
        return "the same in every replication"
    if low <= 0 <= high:
        low_text, high_text = _interval_ends(low, high)
        return f"about the same ({prefix}{_join(low_text, 'to', high_text, written)})"
    # One precision for the three numbers, set by the largest: '0.039 (0.015 to 0.062)'; more
    # where an end would read '0.00' ('0.003 to 0.262'), or where the ends of an interval
    # would read alike: '1.5 (1.5 to 1.5)' is '1.51 (1.48 to 1.54)', or the difference like
    # one of its ends: '1.8 (1.8 to 1.9)' is '1.84 (1.80 to 1.88)'.
    ends = (abs(value), low, high) if value >= 0 else (-value, -high, -low)
    value_text, low_text, high_text = format_numbers(*ends)
    for extra in range(1, MORE_DECIMALS + 1):
        if not _reads_zero(ends[1:], (low_text, high_text)) \
                and _told_apart(ends, (value_text, low_text, high_text)):
            break
        value_text, low_text, high_text = format_numbers(*ends, extra=extra)
    # A difference the same in every replication has no spread to give: '(3.0 to 3.0)' read
    # as an interval.
    spread = "the same in every replication" if distinct_values(*ends) == 1 \
        else f"{prefix}{low_text} to {high_text}"
    return _join(value_text, written, _in_days(value, unit), down if value < 0 else up) + \
        _levels(row, unit, _decimals(value_text)) + f" ({spread})"


def _interval_ends(low: float, high: float) -> tuple[str, str]:
    """The ends of an interval that includes zero, with the decimals that keep either off zero.

    '-0.002 to 0.221', as the tables write it: '0.00 to 0.22' read as an interval that stops
    at zero, beside a table that has it cross zero.
    """
    low_text, high_text = format_numbers(low, high)
    for extra in range(1, MORE_DECIMALS + 1):
        if not _reads_zero((low, high), (low_text, high_text)):
            break
        low_text, high_text = format_numbers(low, high, extra=extra)
    return low_text, high_text


def _reads_zero(values: Sequence[float], texts: Sequence[str]) -> bool:
    """Whether a value other than zero is written as zero ('0.00', '-0.0')."""
    return any(value != 0 and not text.strip("-0.,")
               for value, text in zip(values, texts, strict=True))


def _told_apart(values: Sequence[float], texts: Sequence[str]) -> bool:
    """Whether a difference and its interval's ends, written as ``texts``, read apart.

    As in a figure's own interval (:func:`~sim.figures.numbers.format_estimate`): values
    equal but for rounding error in the last bits may read alike
    (:func:`~sim.figures.numbers.distinct_values`), others may not.
    """
    return len(set(texts)) == distinct_values(*values)


IN_DAYS_BELOW_YEARS = 0.1
"""A difference in years smaller than this (about five weeks) is also said in days: '0.0067
years' means nothing to a reader until it reads '2 days'."""


def _in_days(value: float, unit: str) -> str:
    """'(18 days)' for a small difference in years, '' otherwise."""
    if unit != "years" or abs(value) >= IN_DAYS_BELOW_YEARS:
        return ""
    days = round(abs(value) * DAYS_PER_YEAR)
    return "(under a day)" if days < 1 else f"({days} day{'' if days == 1 else 's'})"


def _levels(row: pd.Series, unit: str, decimals: int) -> str:
    """', from 7.9 to 6.7': the reference's mean and the variant's, or nothing if unknown.

    The reference's is ``comparison.csv``'s ``reference_mean``, over the replications the
    difference counts (a table without that column: the variant's mean less the difference),
    and the variant's is over the same replications: the reference's plus the difference.
    That is the variant's ``mean`` unless a paired difference leaves out a replication in
    which only the variant has a value (nobody connected in the reference there, say): its
    ``mean`` then counts that one too, and 'from 1.5 to 3.1' would read a change of 1.6 for
    a difference of 1.0. Both are written with the difference's ``decimals``, so a small
    change does not read 'from 9.5 to 9.5', or more where the levels so written would
    differ by another amount (:func:`_level_decimals`).
    """
    variant = float(row.get("mean", math.nan))
    reference = float(row.get("reference_mean", variant - row["difference"]))
    counted = reference + float(row["difference"])
    if math.isfinite(counted) and not equal_but_for_rounding(counted, variant):
        variant = counted
    if not (math.isfinite(variant) and math.isfinite(reference)):
        return ""
    scale = 100.0 if unit == "share" else 1.0
    before, after = (reference * scale, variant * scale)
    mark = "%" if unit == "share" else ""
    decimals = _level_decimals(before, after, decimals)
    return f", from {before:,.{decimals}f}{mark} to {after:,.{decimals}f}{mark}"


def _level_decimals(before: float, after: float, decimals: int) -> int:
    """Decimals for two levels whose difference is written with ``decimals``.

    One more where the levels so rounded differ by another amount than the difference
    reads: '1.8 more, from 25.75 to 27.50', not 'from 25.8 to 27.5' (1.7). Never two more:
    'from 9.60067 to 9.57423' claimed a precision no interval here has, to mend a last
    digit; 'from 9.6007 to 9.5742' is near enough to '0.026 years shorter'.
    """
    shown = f"{abs(after - before):.{decimals}f}"
    gap = abs(round(after, decimals) - round(before, decimals))
    return decimals if f"{gap:.{decimals}f}" == shown else decimals + 1


def _decimals(text: str) -> int:
    """Decimals of a number as written: 2 for '0.73', 0 for '1,204'."""
    return len(text.split(".")[1]) if "." in text else 0


def _window(get: pd.DataFrame, group: str, metric: str) -> str:
    """``group``'s window: ``metric``, or its shorter one where only that has a difference.

    ``get`` is the pair's rows by group and metric; the shorter window is
    :data:`sim.runs.metrics.SHORTER_WINDOW`'s.
    """
    shorter = SHORTER_WINDOW.get(metric)
    if (shorter is not None and not _has_difference(get, group, metric)
            and _has_difference(get, group, shorter)):
        return shorter
    return metric


def _has_difference(get: pd.DataFrame, group: str, metric: str) -> bool:
    """Whether the pair's rows (by group and metric) have a difference of ``metric``.

    The window of an answer follows the replications its difference counts: a reference run
    earlier with more replications, one of which does not follow ten years, has no 10-year
    mean of its own, yet the pair's difference over the replications both ran may have one.
    """
    return (group, metric) in get.index and math.isfinite(
        float(get.loc[(group, metric), "difference"]))  # type: ignore[arg-type]  # one row


def _missing(means: dict[str, dict[tuple[str, str], float]], group: str,
             metric: str) -> list[str]:
    """The scenarios (of ``means``) in which ``group`` has no value of ``metric``."""
    return [label for label, own in means.items() if math.isnan(own.get((group, metric),
                                                                          math.nan))]


def _means(table: pd.DataFrame, label: str) -> dict[tuple[str, str], float]:
    """Mean of each (group, metric) of a scenario, from the first block of its rows."""
    rows = table[table["scenario"] == label].drop_duplicates(["group", "metric"])
    return dict(zip(zip(rows["group"], rows["metric"], strict=True), rows["estimate"],
                    strict=True))


def _join(*words: str) -> str:
    return " ".join(w for w in words if w)
