"""Differences between scenarios: when they are paired, and their confidence intervals.

Replication *i* of two scenarios draws the same applicants and upgrade delays when both share
the seed and every assumption those draws depend on (see :mod:`sim.inputs.rng` and
:mod:`sim.inputs.sources`). Their difference is then computed per replication and summarised with a
Student-t interval (common random numbers: much narrower than comparing two independent
means). Otherwise the two means are compared with Welch's unpaired interval.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.inputs.scenario import Scenario
from sim.runs.metrics import (
    ALL,
    COMPARED,
    EVERY_APPLICANT,
    IN_BOTH,
    incomplete_figures,
)
from sim.runs.stats import CONFIDENCE, mean_interval, summarise, t_quantile

__all__ = [
    "COMPARISON_COLUMNS",
    "MIN_REPLICATIONS",
    "NOT_DRAWN_BY_STREAM",
    "NOT_DRAWN_BY_WAITING_LIST",
    "Population",
    "Question",
    "cell_differences",
    "comparison_table",
    "csv_digest",
    "difference_table",
    "draws_key",
    "over_shared_replications",
    "welch_interval",
]

MIN_REPLICATIONS = 2
"""Fewest replications of a compared scenario or a sweep's cell: one gives a mean but no
interval."""

COMPARISON_COLUMNS = (
    "scenario", "reference", "question", "population", "origin", "group", "metric", "unit",
    "estimator", "estimate", "ci_low", "ci_high", "ci_method", "mean", "replications",
    "difference", "difference_ci_low", "difference_ci_high", "paired", "reference_mean",
)
"""Columns of ``comparison.csv``. The difference is scenario minus reference, for the question
named in ``question``; ``reference``, ``question`` and the difference are empty in the rows of a
scenario compared with nothing. ``paired`` says whether the interval is paired (true) or
Welch's. ``estimate`` and its interval are as in ``summary.csv``; the difference is of the
means. ``population`` says which applicants a row counts
(:data:`sim.runs.metrics.POPULATIONS`) and ``origin`` names the stream or project of a row set
apart (empty otherwise). ``reference_mean`` is the reference's mean of the same population
over the replications the difference counts, given wherever the difference is: ``mean``
minus ``reference_mean`` is the difference, except where a replication gives the variant a
value and the paired reference none, which ``mean`` counts and the difference does not; the
variant's mean over the counted replications is ``reference_mean`` plus the difference (see
:func:`difference_table`'s ``levels``)."""



@dataclass(frozen=True)
class Question:
    """One question a comparison answers: how ``variant`` differs from ``reference``.

    Attributes:
        question: the question in words, e.g. "What does social priority do?".
        reference: label of the scenario compared with.
        variant: label of the scenario whose difference from the reference is taken.
        paired: whether the two scenarios draw the same applicants in each replication, so
            that every difference is paired (common random numbers). Where not, the
            applicants both have may still be drawn alike and compared paired, the others
            set apart or compared with Welch's interval (:class:`Population`).
    """

    question: str
    reference: str
    variant: str
    paired: bool


@dataclass(frozen=True)
class Population:
    """The applicants one block of a question's rows counts, and their per-replication figures.

    Attributes:
        kind: one of :data:`sim.runs.metrics.POPULATIONS`.
        origin: the stream or project set apart; empty for ``every_applicant`` and ``in_both``.
        reference: their tidy per-replication figures in the reference, None when it has none
            or there is nothing to compare them with.
        variant: the same in the variant: the figures the population's rows show. For
            ``only_in_reference``, which the variant has none of, the reference's figures
            (``reference`` is then None: nothing to compare them with).
        paired: whether their difference is paired; None to follow the question. Applicants
            of the streams both scenarios have may be drawn alike where the scenarios as a
            whole are not, when the variant adds a stream with draws of its own.
    """

    kind: str
    origin: str
    reference: pd.DataFrame | None
    variant: pd.DataFrame
    paired: bool | None = None

_NOT_DRAWN = ("name", "description", "replications", "timestep_months", "policy",
              "onsite_generation", "priority_uptake", "grid", "projects", "observations",
              "capacity_releases", "non_firm")
"""Scenario keys no draw of applicants or upgrade delays depends on (on-site adoption and
cover come from their own streams, so on-site generation may differ too, and so does who asks
for priority, each applicant's draw compared with the uptake; named projects are
fixed and draw nothing, so adding one keeps the others' draws; observations are only read
beside the results; who takes part in a capacity release is drawn from generators of its
own, one per release and source (:func:`sim.runs.replication.participation`), so another
release treats the same applicants and a variant's added source leaves the others' draws as
they were; and the delays of non-firm pools' upgrades from keys of their own)."""

NOT_DRAWN_BY_STREAM = (
    "patience_years", "lifetime_years", "onsite_generation", "partial_offer", "expansion",
    "non_firm", "efficiency", "jobs",
)
"""Stream keys that change what the same applicants do or bring, not who they are.

Who a stream's applicants are (their request dates, demand, homes) is drawn from the random
streams ``arrivals``, ``demand`` and ``homes``, keyed by the stream's name
(:func:`sim.inputs.sources.generate_applicants`); each of these keys draws from a purpose of
its own (``patience``, ``lifetime``, ``onsite_adoption``, ``onsite_cover``, ``partial``,
``expansion``, ``non_firm``, ``efficiency``, ``jobs``: :data:`sim.inputs.rng.PURPOSES`), so
setting, changing or removing one leaves those draws, row for row, as they were. Another
patience is the same applicants giving up sooner, and other jobs the same requests with
more or fewer jobs at stake: a treatment of them, compared paired (their waits the same, to
the day, unless a policy ranks by jobs)."""

PLACED_NOT_DRAWN = ("category", "category_changes", "area")
"""Stream keys that say where its applicants wait and in which group they count, not who they
are: no draw uses them. A stream moved to another area or category keeps its applicants, row
for row, compared paired; one that changes category is set apart, its group ``all`` compared
on its own (:func:`sim.analysis.populations.question_populations`)."""

NOT_DRAWN_BY_WAITING_LIST = ("patience_years", "efficiency", "partial_offer", "non_firm")
"""Waiting-list keys that change what its rows naming no stream do, not who they are: a
row's request, demand and jobs come from the file, and these from purposes of their own, in
which each row takes the place of its row in the file
(:func:`sim.inputs.sources._csv_waiting_list`)."""


def draws_key(scenario: Scenario) -> str:
    """A digest of what a replication's draws of applicants depend on.

    That is the seed, the period, the streams and the waiting list (and its file's content);
    not the policy, the grid (its sizes, dates and upgrades), named projects (fixed, no
    draws), priority uptake, where a stream's applicants wait and count
    (:data:`PLACED_NOT_DRAWN`), or what they do or bring (:data:`NOT_DRAWN_BY_STREAM`:
    patience, lifetime, on-site generation, the offers and jobs, drawn from streams of their
    own). Two
    scenarios with the same key draw the same applicants in replication *i*; with on-site
    generation, the same applicants may ask for less, and with another uptake, more or fewer
    of them ask for priority (the same draw of each set against another share). Each upgrade
    draws its delay from a stream named after its area and its own name
    (:func:`sim.inputs.rng.upgrade_keys`), so the upgrades two scenarios share are delayed
    alike in replication *i*, whichever others either adds.
    """
    data = scenario.model_dump(mode="json", by_alias=True)
    for key in _NOT_DRAWN:
        data.pop(key, None)
    for stream in data["streams"].values():
        for key in (*NOT_DRAWN_BY_STREAM, *PLACED_NOT_DRAWN):
            stream.pop(key, None)
    if data.get("waiting_list") is not None:
        for key in NOT_DRAWN_BY_WAITING_LIST:
            data["waiting_list"].pop(key, None)
    digest = csv_digest(scenario)
    if digest is not None:
        data["waiting_list"]["csv"] = digest
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def csv_digest(scenario: Scenario) -> str | None:
    """The SHA-256 of the scenario's waiting-list file, None without one.

    What a comparison knows a listed applicant by: the file's content, not its name, so a
    results folder (which keeps a copy, ``waiting_list.csv``) compares as the file it ran,
    and a newer export under the old name does not.
    """
    waiting = scenario.waiting_list
    if waiting is None or waiting.csv is None:
        return None
    return hashlib.sha256((scenario.base_dir / waiting.csv).read_bytes()).hexdigest()


def welch_interval(
    a: np.ndarray, b: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """Difference of means ``mean(b) - mean(a)`` of independent samples, with Welch's interval.

    NaN values are left out; with fewer than two values on either side the interval is NaN.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) == 0 or len(b) == 0:
        return np.nan, np.nan, np.nan
    difference = float(b.mean() - a.mean())
    if len(a) < 2 or len(b) < 2:
        return difference, np.nan, np.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    if va + vb == 0:
        return difference, difference, difference
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = t_quantile(confidence, float(df)) * float(np.sqrt(va + vb))
    return difference, difference - half, difference + half


def difference_table(
    reference: pd.DataFrame, other: pd.DataFrame, paired: bool, levels: bool = False
) -> pd.DataFrame:
    """Difference ``other - reference`` of each key figure, from per-replication tables.

    Args:
        reference: tidy per-replication figures (``replication, group, metric, value``), as
            in ``replication_metrics.csv``.
        other: the same for the scenario compared with the reference.
        paired: difference per replication over the replications both ran (those where both
            have a value), then a Student-t interval; otherwise Welch's interval of the means.
        levels: add ``reference_mean``, the reference's mean over the replications the
            difference counts: paired, those both ran where both have a value, so that the
            difference is the other's mean over them less it; unpaired, every replication of
            the reference with a value. It is NaN where the difference is.

    Returns:
        One row per group and metric of ``reference``: ``difference``, ``difference_ci_low``,
        ``difference_ci_high``, ``paired`` (and ``reference_mean``, with ``levels``). The
        difference is NaN for a figure not reached (``inf``) in some replication of either:
        such a figure has no mean; and for one that needs every replication and lacks a
        value in one of either
        (:attr:`sim.runs.metrics.Metric.every_replication`).
    """
    left = _wide(reference)
    right = _wide(other).reindex(index=left.index)
    common = left.columns.intersection(right.columns)
    # A figure not reached (inf) in some replication has no mean, so no difference of means.
    incomplete = incomplete_figures(reference) | incomplete_figures(other)
    unreached = (np.isinf(left.to_numpy(float)).any(axis=1)
                 | np.isinf(right.to_numpy(float)).any(axis=1)
                 | np.array([key in incomplete for key in left.index], dtype=bool))
    undefined = (np.nan, np.nan, np.nan)
    if paired:
        with np.errstate(invalid="ignore"):  # inf - inf, in the rows left out
            pairs = right[common].to_numpy(float) - left[common].to_numpy(float)
        estimates = [undefined if skip else mean_interval(values)
                     for values, skip in zip(pairs, unreached, strict=True)]
    else:
        estimates = [undefined if skip else welch_interval(a, b) for a, b, skip in
                     zip(left.to_numpy(float), right.to_numpy(float), unreached, strict=True)]
    frame = pd.DataFrame(estimates, columns=["difference", "difference_ci_low",
                                             "difference_ci_high"])
    frame.insert(0, "group", left.index.get_level_values("group"))
    frame.insert(1, "metric", left.index.get_level_values("metric"))
    frame["paired"] = paired
    if levels:
        frame["reference_mean"] = _counted_means(left, right[common], paired)
        frame.loc[frame["difference"].isna(), "reference_mean"] = np.nan
    return frame


def _counted_means(left: pd.DataFrame, right: pd.DataFrame, paired: bool) -> np.ndarray:
    """Each row's mean of ``left`` over the replications its difference from ``right`` counts.

    Paired: the replications (columns) both have, where both have a value. Unpaired: every
    replication of ``left`` with a value. NaN for a row without any such replication.
    """
    values = (left[right.columns] if paired else left).to_numpy(float)
    counted = ~np.isnan(values)
    if paired:
        counted &= ~np.isnan(right.to_numpy(float))
    with np.errstate(invalid="ignore"):  # inf - inf in a row not reached; no row left empty
        total = np.where(counted, values, 0.0).sum(axis=1)
        count = counted.sum(axis=1)
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _wide(metrics: pd.DataFrame) -> pd.DataFrame:
    """(group, metric) rows by replication columns, in the table's own row order."""
    wide = metrics.pivot(index=["group", "metric"], columns="replication", values="value")
    order = metrics[["group", "metric"]].drop_duplicates()
    return wide.reindex(pd.MultiIndex.from_frame(order))


def comparison_table(
    summaries: Mapping[str, pd.DataFrame],
    metrics: Mapping[str, pd.DataFrame],
    questions: Sequence[Question],
    populations: Mapping[Question, Sequence[Population]] | None = None,
) -> pd.DataFrame:
    """Every key figure of every scenario, and each question's difference, variant minus reference.

    Args:
        summaries: ``summary.csv`` tables by scenario label, in input order.
        metrics: ``replication_metrics.csv`` tables by the same labels.
        questions: the pairs to difference. A scenario gets a block of rows per question it is
            the variant of (``reference`` and ``question`` filled); one that is the variant of
            none gets one block with both empty and no difference. A variant whose question
            splits its applicants (a stream set apart) has no block of them all together:
            its own ``summary.csv`` holds that.
        populations: the applicants each question compares (see
            :data:`sim.runs.metrics.POPULATIONS`); a question not named here compares every
            applicant. A population set apart gets
            the rows of all its applicants together only (group ``all``): its categories
            differ between the scenarios, or it has nothing to be compared with.
    """
    populations = populations or {}
    parts = []
    for label, summary in summaries.items():
        mine: list[Question | None] = [q for q in questions if q.variant == label]
        for question in mine or [None]:
            everyone = [Population(EVERY_APPLICANT, "", None if question is None
                                   else metrics[question.reference], metrics[label])]
            for population in populations.get(question, everyone) if question else everyone:
                if question is not None and question.paired:
                    population = over_shared_replications(population)
                own = summary if population.kind == EVERY_APPLICANT \
                    and len(population.variant) == len(metrics[label]) \
                    else summarise(population.variant)
                parts.append(_block(own, label, question, population))
    table = pd.concat(parts, ignore_index=True)
    table["paired"] = table["paired"].astype("boolean")
    return table[list(COMPARISON_COLUMNS)]


def over_shared_replications(population: Population) -> Population:
    """The population's figures over the replications both scenarios ran, for pairing.

    A paired difference can use only those; the variant's own figures then count the same
    ones, so that a level, its difference and the reference's level beside it
    (``reference_mean``) describe the same replications.
    """
    if population.reference is None:
        return population
    shared = np.intersect1d(population.reference["replication"].unique(),
                            population.variant["replication"].unique())
    if len(shared) == population.variant["replication"].nunique() \
            == population.reference["replication"].nunique():
        return population
    return replace(
        population,
        reference=population.reference[population.reference["replication"].isin(shared)],
        variant=population.variant[population.variant["replication"].isin(shared)])


def _block(
    summary: pd.DataFrame, label: str, question: Question | None, population: Population
) -> pd.DataFrame:
    """One population's rows of a scenario: its figures and, for a question, the difference."""
    part = summary[["group", "metric", "unit", "estimator", "estimate", "ci_low", "ci_high",
                    "ci_method", "mean", "replications"]].copy()
    if population.kind not in COMPARED:
        part = part[part["group"] == ALL]
    part.insert(0, "scenario", label)
    part.insert(1, "reference", "" if question is None else question.reference)
    part.insert(2, "question", "" if question is None else question.question)
    part.insert(3, "population", population.kind)
    part.insert(4, "origin", population.origin)
    if question is None or population.reference is None:
        part[["difference", "difference_ci_low", "difference_ci_high"]] = np.nan
        part["paired"] = pd.NA
        part["reference_mean"] = np.nan
        return part
    paired = question.paired if population.paired is None else population.paired
    diff = difference_table(population.reference, population.variant, paired, levels=True)
    part = part.merge(diff, on=["group", "metric"], how="left")
    if population.kind == IN_BOTH:  # a category nobody of both holds is not compared
        nobody = _nobody(population.reference) & _nobody(population.variant)
        part.loc[part["group"].isin(nobody), ["difference", "difference_ci_low",
                                              "difference_ci_high", "reference_mean"]] = np.nan
    return part


def _nobody(metrics: pd.DataFrame) -> set[str]:
    """The groups without an applicant in any replication of a per-replication table."""
    counts = metrics[metrics["metric"] == "applicants"].groupby("group")["value"].max()
    return {str(group) for group, count in counts.items() if not count > 0}


def cell_differences(
    metrics: pd.DataFrame, paired: Mapping[str, bool | Mapping[str, bool]], levels: bool = False
) -> pd.DataFrame:
    """Each sweep cell's difference from the first cell, from per-replication figures.

    Args:
        metrics: tidy per-replication figures with a ``cell`` column, the first cell first.
        paired: for each cell, whether it draws the same applicants as the first: for all its
            groups at once, or by group (a group not named is unpaired), so that a cell that
            redraws one stream still pairs the groups that stream cannot be in.
        levels: add ``reference_mean``, the first cell's mean over the replications each
            difference counts (:func:`difference_table`).

    Returns:
        :func:`difference_table` rows with a ``cell`` column; the first cell's are zero.
    """
    cells = list(dict.fromkeys(metrics["cell"]))
    first = metrics[metrics["cell"] == cells[0]].drop(columns="cell")
    parts = []
    for cell in cells:
        mine = metrics[metrics["cell"] == cell].drop(columns="cell")
        by_group = paired[cell]
        if isinstance(by_group, bool):
            parts.append(difference_table(first, mine, by_group, levels).assign(cell=cell))
            continue
        for group in dict.fromkeys(first["group"]):
            parts.append(difference_table(first[first["group"] == group],
                                          mine[mine["group"] == group],
                                          bool(by_group.get(group, False)),
                                          levels).assign(cell=cell))
    return pd.concat(parts, ignore_index=True)
