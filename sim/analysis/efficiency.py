"""Who a ranking by efficiency can reorder, split into the better and the worse half of scores.

A ranking by efficiency within a category (``within_category: {congestion_relief:
efficiency}``) only reorders the applicants of that category, so the category's mean barely
moves while the best offers gain and the worst lose. Where a comparison's variant ranks a
category by efficiency while its reference does not (or the other way round, or from another
date), :func:`efficiency_halves` finds the applicants whose order that can change, those of
the category with a score who waited while only one of the two ranked it, and splits them in
each replication at the median score: the answers then compare each half on its own
(:meth:`sim.analysis.comparison.Comparison._efficiency_words`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.inputs.applicants import CATEGORIES
from sim.inputs.scenario import Scenario
from sim.policies.registry import resolve_policy
from sim.policies.timeline import PolicyPeriod, policy_periods
from sim.runs.results import Results

__all__ = ["EfficiencyHalves", "efficiency_halves", "ranked_apart"]

Span = tuple[dt.date, dt.date]
"""Days from the first to before the second."""


def ranked_by_efficiency(scenario: Scenario) -> dict[str, list[Span]]:
    """The periods in which each category is ranked by efficiency score, by category.

    Only under a policy that ranks within a category (``social_priority``): a category's
    ``within_category`` means nothing under any other.
    """
    imports = scenario.policy.imports or ()
    spans: dict[str, list[Span]] = {}
    for period in policy_periods(scenario):
        if not resolve_policy(period.order, scenario.base_dir, imports).ranks_within_category:
            continue
        for category, rule in period.within_category.items():
            if rule == "efficiency":
                spans.setdefault(category, []).append((period.start, period.end))
    return spans


def ranked_apart(reference: Scenario, variant: Scenario) -> dict[str, list[Span]]:
    """Where the two rank a category alike but that only one ranks it by efficiency.

    Each category's days on which one of them ranks it by efficiency score and the other by
    request date, everything else of their policies in force alike (the policy, allocation,
    category order, parameters, the other categories' ranking, rounds), as spans in date
    order. Days on which the two differ in anything else are left out: there a change of
    order would be read as the ranking by efficiency's (against ``smallest_first``, say, the
    whole change of policy); so are categories ranked alike. Only a policy that ranks inside
    a category takes a ranking by efficiency, so the same policy in both does.
    """
    periods = [policy_periods(scenario, merge=False) for scenario in (reference, variant)]
    bounds = sorted({day for scenario_periods in periods for period in scenario_periods
                     for day in (period.start, period.end)})
    apart: dict[str, list[Span]] = {}
    for start, end in zip(bounds, bounds[1:], strict=False):
        mine, theirs = (next((p for p in scenario_periods if p.start <= start < p.end), None)
                        for scenario_periods in periods)
        if mine is None or theirs is None:
            continue
        for category in CATEGORIES:
            ranked = [p.within_category.get(category) == "efficiency" for p in (mine, theirs)]
            if ranked[0] == ranked[1] or _but_for(mine, category) != _but_for(theirs, category):
                continue
            spans = apart.setdefault(category, [])
            if spans and spans[-1][1] == start:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
    return apart


def _but_for(period: PolicyPeriod, category: str) -> tuple[object, ...]:
    """What a period's policy is, but for how it ranks ``category`` inside."""
    others = sorted((c, rule) for c, rule in period.within_category.items() if c != category)
    return (period.order, period.allocation, period.category_order,
            sorted(period.params.items()), others, period.rounds)


@dataclass(frozen=True)
class EfficiencyHalves:
    """The applicants of one category that a ranking by efficiency can reorder, in halves.

    Attributes:
        category: the category ranked by efficiency in one scenario and not the other.
        spans: the days on which it is so ranked in one of them only.
        ranks: the labels of the scenarios that rank it so on some of those days (the
            other serves it by request date then): one, or both where each does on some.
        better: for each scenario's ``applicants`` (by label), the rows of the better half of
            scores: in each replication, the first half of the applicants in the order the
            ranking serves them (best score first, the request date breaking ties).
        worse: the same for the worse half, the last half of that order; with an odd number
            the middle one is in neither.
        per_replication: how many applicants both halves and the middle one hold, the mean
            over the replications both scenarios ran.
        ended_otherwise: of those, how many a replication end otherwise in the two
            scenarios (connected, withdrawn or still waiting at the end of the run).
    """

    category: str
    spans: list[Span]
    ranks: tuple[str, ...]
    better: dict[str, np.ndarray]
    worse: dict[str, np.ndarray]
    per_replication: float
    ended_otherwise: float


def efficiency_halves(reference: tuple[str, Results],
                      variant: tuple[str, Results]) -> list[EfficiencyHalves]:
    """The halves of each category ranked by efficiency in only one of the two, by score.

    ``reference`` and ``variant`` are (label, results). The two must draw the same applicants
    row for row (a paired comparison whose categories hold the same applicants); rows that do
    not match, or scores that differ between the two (another distribution of scores: a
    change of who is best, not of the ranking) give nothing, as does a results folder written
    before ``applicants.csv`` had scores. A category gives halves only where some
    replication has at least two such applicants.
    """
    (ref_label, ref), (var_label, var) = reference, variant
    apart = ranked_apart(ref.scenario, var.scenario)
    if not apart:
        return []
    shared = sorted(set(ref.applicants["replication"].unique())
                    & set(var.applicants["replication"].unique()))
    places = [_places(results.applicants, shared) for results in (ref, var)]
    rows = [results.applicants.iloc[place] for results, place in zip((ref, var), places,
                                                                     strict=True)]
    if not _same_applicants(*rows):
        return []
    scores = _scores(*rows)
    if scores is None:
        return []
    ranked = {label: ranked_by_efficiency(results.scenario)
              for label, results in ((ref_label, ref), (var_label, var))}
    halves = []
    for category, spans in apart.items():
        chosen = _waited_in(rows, category, spans) & np.isfinite(scores)
        if not chosen.any():
            continue
        table = pd.DataFrame({
            "replication": rows[0]["replication"].to_numpy()[chosen],
            "score": scores[chosen],
            "request": rows[0]["request_date"].to_numpy()[chosen],
            "row": np.flatnonzero(chosen)}).sort_values(
                ["replication", "score", "request", "row"], ascending=[True, False, True, True])
        place = table.groupby("replication").cumcount().to_numpy()
        size = table.groupby("replication")["row"].transform("size").to_numpy()
        if not (size >= 2).any():
            continue
        better = table["row"].to_numpy()[place < size // 2]
        worse = table["row"].to_numpy()[place >= size - size // 2]
        outcomes = [frame["outcome"].astype(str).to_numpy()[chosen] for frame in rows]
        owners = [label for label in (ref_label, var_label)
                  if any(_overlaps(span, ranked[label].get(category, [])) for span in spans)]
        halves.append(EfficiencyHalves(
            category=category, spans=spans, ranks=tuple(owners),
            better=_masks(places, better, (ref_label, var_label), (ref, var)),
            worse=_masks(places, worse, (ref_label, var_label), (ref, var)),
            per_replication=int(chosen.sum()) / len(shared),
            ended_otherwise=int((outcomes[0] != outcomes[1]).sum()) / len(shared)))
    return halves


def _same_applicants(reference: pd.DataFrame, variant: pd.DataFrame) -> bool:
    """Whether the two tables hold the same requests, row for row."""
    columns = ["replication", "applicant_id", "stream", "category", "priority_requested",
               "request_date"]
    return len(reference) == len(variant) and all(
        np.array_equal(reference[c].to_numpy(), variant[c].to_numpy()) for c in columns)


def _scores(reference: pd.DataFrame, variant: pd.DataFrame) -> np.ndarray | None:
    """Each applicant's score: the variant's, else the reference's; None where they differ.

    A scenario that ranks nobody by efficiency has no scores (the other one's are then the
    only ones); one written before ``applicants.csv`` had the column has none either.
    """
    if "efficiency" not in reference or "efficiency" not in variant:
        return None
    mine, theirs = (frame["efficiency"].to_numpy(dtype=float) for frame in (variant, reference))
    both = np.isfinite(mine) & np.isfinite(theirs)
    if not np.array_equal(mine[both], theirs[both]):
        return None
    return np.where(np.isfinite(mine), mine, theirs)


def _waited_in(rows: list[pd.DataFrame], category: str, spans: list[Span]) -> np.ndarray:
    """Which applicants queued in ``category`` at some time of ``spans``, in either scenario.

    One queues in its category if it asked for priority, else in ``other``; in the category
    it asked in or the one in force when it left (``final_category``). It waited in a span
    if it asked before the span ended and had not left the firm queue before it began: not
    connected in full, withdrawn or gone to a non-firm right without its firm place. Either
    scenario's record counts (before the first span the two serve alike and agree on who
    left; before a later one they may not, and one that waited in either is counted).
    """
    waited = np.zeros(len(rows[0]), dtype=bool)
    for frame in rows:
        asked = frame["priority_requested"].to_numpy(dtype=bool)
        queued = [np.where(asked, frame[column].astype(str).to_numpy(), "other") == category
                  for column in ("category", "final_category")]
        left = _left(frame)
        request = frame["request_date"].to_numpy()
        for start, end in spans:
            waited |= ((queued[0] | queued[1]) & (request < np.datetime64(end, "s"))
                       & ~(left < np.datetime64(start, "s")))
    return waited


def _left(frame: pd.DataFrame) -> np.ndarray:
    """When each applicant left the firm queue (NaT: it still waited at the end of the run).

    Its full firm connection (its first one, in a folder written before
    ``full_connect_date``), its withdrawal, or a non-firm right taken without keeping its
    firm place (any right, in a folder written before ``kept_firm_place``).
    """
    dates = [frame["full_connect_date" if "full_connect_date" in frame else "connect_date"],
             frame["withdraw_date"]]
    if "non_firm_date" in frame:
        kept = frame["kept_firm_place"] if "kept_firm_place" in frame else False
        dates.append(frame["non_firm_date"].where(~pd.Series(kept, index=frame.index)
                                                  .astype(bool)))
    left: np.ndarray = pd.concat(dates, axis=1).min(axis=1).to_numpy(dtype="datetime64[s]")
    return left


def _overlaps(span: Span, spans: list[Span]) -> bool:
    """Whether ``span`` shares a day with any of ``spans``."""
    return any(a < span[1] and span[0] < b for a, b in spans)


def _places(applicants: pd.DataFrame, shared: list[int]) -> np.ndarray:
    """The positions of the rows of the ``shared`` replications, by replication and id."""
    keep = np.flatnonzero(applicants["replication"].isin(shared).to_numpy())
    order = np.lexsort((applicants["applicant_id"].to_numpy()[keep],
                        applicants["replication"].to_numpy()[keep]))
    places: np.ndarray = keep[order]
    return places


def _masks(places: list[np.ndarray], chosen: np.ndarray, labels: tuple[str, str],
           results: tuple[Results, Results]) -> dict[str, np.ndarray]:
    """Masks of each scenario's whole ``applicants`` picking its rows at ``places[chosen]``."""
    masks = {}
    for place, label, run in zip(places, labels, results, strict=True):
        mask = np.zeros(len(run.applicants), dtype=bool)
        mask[place[chosen]] = True
        masks[label] = mask
    return masks
