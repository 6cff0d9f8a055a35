"""How often the 95% intervals a planner quotes hold the true figure: a coverage study.

One small congested world runs many replications under social priority and under FIFO, with
the same seed (common random numbers), cut into disjoint batches of a few. Each batch gives
what a planner would read: the summary's interval of each figure by group
(:func:`sim.runs.stats.summarise`) and the paired interval of the difference between the two
policies (:func:`sim.analysis.differences.difference_table`). All replications together
give the true values. Each interval holds the true value or not; at 95%, about 95 in 100
should.

``tests/test_interval_coverage.py`` runs it small in the suite. At full size, as
docs/simulation-practice.md gives it (about four minutes on one core)::

    .venv/bin/python -m tests.coverage_study
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import run
from sim.analysis.differences import difference_table
from sim.inputs.scenario import Scenario
from sim.runs.stats import summarise
from tests.builders import scenario

POLICIES = ("social_priority", "fifo")
KEY = ["group", "metric"]


def world(order: str, replications: int) -> Scenario:
    """Ten years of a grid full until an upgrade, three streams, patience and lifetimes.

    About 110 applicants a replication, a fifth of whom give up; under social priority the
    congestion relievers wait about a year, the other businesses three.
    """
    streams = {
        "relief": {"category": "congestion_relief", "rate_per_year": 2,
                   "patience_years": {"dist": "exponential", "mean": 8}},
        "care": {"category": "basic_needs", "rate_per_year": 3,
                 "patience_years": {"dist": "exponential", "mean": 12}},
        "shops": {"category": "other", "rate_per_year": 6,
                  "patience_years": {"dist": "exponential", "mean": 10},
                  "lifetime_years": {"dist": "exponential", "mean": 5}},
    }
    for stream in streams.values():
        stream["demand_mw"] = {"dist": "lognormal", "mean": 0.1, "sigma": 0.8}
        stream["jobs"] = {"dist": "lognormal", "median": 20, "sigma": 0.7}
    return scenario(
        name=order, start="2024-01-01", end="2034-01-01", seed=11, timestep_months=12,
        replications=replications, policy={"order": order},
        grid={"capacity_mw": 0.5, "upgrades": [
            {"name": "reinforcement", "date": "2028-01-01", "add_mw": 3.0}]},
        streams=streams)


def interval_checks(replications: int, batch: int) -> pd.DataFrame:
    """Every informative interval of every batch against the true value: which held it.

    The replications are cut into disjoint batches of ``batch``. The true values are the
    figures of all of them together: a batch's own replications weigh in them by
    ``batch / replications``, which moves the share that holds them by a few tenths of a
    point at most (judging each batch against the others alone cost three times the time).
    One row per interval: ``kind`` (a policy, or ``difference``), ``group``, ``metric``,
    ``ci_method``, ``truth``, ``ci_low``, ``ci_high`` and ``held``. An interval that is a
    single point is left out: every replication had the figure on a bound (nobody of a
    category withdrew, say), so it holds the truth by construction and tells nothing; so is
    one that is not known, or whose true value is not.
    """
    tables = {order: run(world(order, replications), workers=1).replication_metrics
              for order in POLICIES}
    social, fifo = (tables[order] for order in POLICIES)
    truths = {order: summarise(table).set_index(KEY)["estimate"]
              for order, table in tables.items()}
    true_difference = difference_table(social, fifo, paired=True).set_index(KEY)["difference"]
    rows = []
    for first in range(0, replications - batch + 1, batch):
        inside = {order: _batch(table, first, batch) for order, table in tables.items()}
        for order, table in tables.items():
            found = summarise(table[inside[order]]).set_index(KEY)
            rows.append(found[["ci_method", "ci_low", "ci_high"]].assign(
                truth=truths[order], kind=order))
        found = difference_table(social[inside[POLICIES[0]]], fifo[inside[POLICIES[1]]],
                                 paired=True).set_index(KEY)
        rows.append(pd.DataFrame({
            "ci_method": "paired t", "ci_low": found["difference_ci_low"],
            "ci_high": found["difference_ci_high"], "truth": true_difference,
            "kind": "difference"}))
    frame = pd.concat(rows).reset_index()
    informative = (np.isfinite(frame[["truth", "ci_low", "ci_high"]]).all(axis=1)
                   & (frame["ci_low"] < frame["ci_high"]))
    frame = frame[informative]
    return frame.assign(held=(frame["ci_low"] <= frame["truth"])
                        & (frame["truth"] <= frame["ci_high"]))


def _batch(table: pd.DataFrame, first: int, size: int) -> pd.Series:
    """Which rows are of replications ``first`` to ``first + size`` (exclusive)."""
    return (table["replication"] >= first) & (table["replication"] < first + size)


def coverage_table(checks: pd.DataFrame) -> pd.DataFrame:
    """Share of intervals that held the truth, by method: all figures, and the lowest one."""
    by_figure = checks.groupby(["ci_method", "kind", "group", "metric"])["held"].mean()
    lowest = by_figure.groupby("ci_method").agg(["min", "idxmin"])
    table = checks.groupby("ci_method")["held"].agg(["mean", "size"])
    table["figures"] = by_figure.groupby("ci_method").size()
    table["lowest"] = lowest["min"]
    table["lowest_figure"] = [" ".join(key[1:]) for key in lowest["idxmin"]]
    return table


def main() -> None:
    """The study at full size: 3,000 replications per policy, in batches of 10 and of 30."""
    for batch in (10, 30):
        checks = interval_checks(3000, batch)
        print(f"\nbatches of {batch} replications, {3000 // batch} batches per figure: "
              f"{checks['held'].mean():.3f} of {len(checks)} intervals held the truth\n")
        print(coverage_table(checks).round(3).to_string())


if __name__ == "__main__":
    main()
