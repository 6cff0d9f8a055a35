"""Key figures recomputed from ``applicants.csv`` alone, by the definitions in the docs.

A planner quotes the first lines of a report; each figure there should be what
docs/model.md (4.3, 4.4) and docs/simulation-practice.md say it is: who it counts (the
waiting list entering late, those still waiting censored, a project only the variant has
left out of the categories compared), which baseline a difference is taken from, and how
its interval is made. This file works each out again with its own code, from the
per-applicant table a run writes, on a small family: a first-come-first-served reference
with a waiting list, and a social-priority variant that adds a named project.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import compare
from tests.by_hand import restricted_mean, years_without

REFERENCE = """\
name: fifo
start: 2020-01-01
end: 2030-01-01
seed: 3
replications: 6
timestep_months: 6
grid:
  capacity_mw: 1
  upgrades:
    - {name: station, date: 2023-01-01, add_mw: 2, delay_years: {dist: uniform, low: 0, high: 2}}
waiting_list: {count: 8, earliest: 2018-01-01}
streams:
  basic:
    category: basic_needs
    rate_per_year: 4
    demand_mw: {dist: lognormal, median: 0.3, sigma: 0.5}
    jobs: 20
    patience_years: {dist: exponential, mean: 8}
  other:
    category: other
    rate_per_year: 10
    demand_mw: {dist: lognormal, median: 0.3, sigma: 0.5}
    jobs: {dist: uniform, low: 5, high: 15}
    patience_years: {dist: exponential, mean: 8}
"""

VARIANT = """\
extends: fifo.yaml
name: social_priority
policy: {order: social_priority}
projects:
  - {name: Campus, date: 2021-03-01, demand_mw: 0.8, jobs: 300, category: basic_needs}
"""

GROUPS = ("basic_needs", "other", "all")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], pd.DataFrame]:
    """Both runs written as a comparison writes them, and the comparison's table."""
    folder = tmp_path_factory.mktemp("independent")
    (folder / "fifo.yaml").write_text(REFERENCE, encoding="utf-8")
    (folder / "social_priority.yaml").write_text(VARIANT, encoding="utf-8")
    both = compare([folder / "fifo.yaml", folder / "social_priority.yaml"], workers=1)
    runs = {}
    for label in ("fifo", "social_priority"):
        runs[label] = both.results[label].write(folder / "runs" / label)
    return runs, both.table


def _applicants(run: Path) -> pd.DataFrame:
    table = pd.read_csv(run / "applicants.csv", low_memory=False)
    table["request_date"] = pd.to_datetime(table["request_date"])
    return table


def _per_replication(table: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    rows = []
    for replication, mine in table.groupby("replication"):
        for group in GROUPS:
            part = mine if group == "all" else mine[mine["category"] == group]
            outcome = {name: part["outcome"] == name
                       for name in ("connected", "withdrawn", "waiting")}
            rows.append({
                "replication": replication, "group": group,
                "applicants": len(part),
                **{name: int(rows_of.sum()) for name, rows_of in outcome.items()},
                # of those who asked by the end, the share that withdrew; none asked, none
                "withdrawn_share": (float(outcome["withdrawn"].sum()) / len(part) if len(part)
                                    else np.nan),
                **{f"jobs_{name}": float(part.loc[rows_of, "jobs"].sum())
                   for name, rows_of in outcome.items()},
                # the MW held last, which a partial connection or a take-back makes less
                "mw_connected": float(part.loc[outcome["connected"], "connected_mw"].sum()),
                "mw_withdrawn": float(part.loc[outcome["withdrawn"], "requested_mw"].sum()),
                # the whole request of those without any connection, the rest of the others
                "mw_waiting": float(part.loc[outcome["waiting"], "requested_mw"].sum()
                                    + part.loc[~outcome["waiting"], "waiting_mw"].sum()),
                "wait_mean_years": float(part.loc[outcome["connected"], "wait_years"].mean()),
                **_connected_within(part, outcome["connected"], start),
                # to the first connection, or the end for those who withdrew or still wait
                "job_years_waiting": float((part["jobs"] * years_without(part, start, END)).sum()),
                "mw_years_waiting": float((part["requested_mw"]
                                           * years_without(part, start, END)).sum()),
                "wait_rmst_5y_years": restricted_mean(part, 5.0, start),
                "wait_to_end_years": _years_to_end(part, start),
            })
    return pd.DataFrame(rows).set_index(["group", "replication"])


END = pd.Timestamp("2030-01-01")


def _connected_within(part: pd.DataFrame, connected: pd.Series,
                      start: pd.Timestamp) -> dict[str, float]:
    """The share connected within 1, 2 and 5 years of those who asked that long before the end.

    Request dates count in days of 365.25 from the start, as the run counts them.
    """
    asked = (part["request_date"] - start).dt.days / 365.25
    end = (END - start).days / 365.25
    shares = {}
    for years in (1, 2, 5):
        observed = asked <= end - years
        within = connected & (part["wait_years"] <= years) & observed
        shares[f"connected_within_{years}y"] = (
            within.sum() / observed.sum() if observed.any() else np.nan)
    return shares


def _years_to_end(part: pd.DataFrame, start: pd.Timestamp) -> float:
    """Mean years without a connection in the run, from the dates as a reader has them."""
    return float(years_without(part, start, END).mean())


def _log_t(values: np.ndarray) -> tuple[float, float, float]:
    mean, n = values.mean(), len(values)
    half = stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / (np.sqrt(n) * mean)
    return mean, mean * np.exp(-half), mean * np.exp(half)


def _logit_t(values: np.ndarray, width: float) -> tuple[float, float, float]:
    mean, n = values.mean(), len(values)
    p = mean / width
    half = stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / (np.sqrt(n) * width * p * (1 - p))
    centre = np.log(p / (1 - p))
    return mean, *(width / (1 + np.exp(-(centre + s * half))) for s in (-1, 1))


START = pd.Timestamp("2020-01-01")


def test_the_run_s_own_figures_count_everyone_as_the_docs_define(written):
    """Counts, share withdrawn, job-years, mean waits within 5 years and to the end, intervals."""
    runs, _ = written
    table = _applicants(runs["fifo"])
    assert (table["source"] == "waiting_list").any()  # the late entry is exercised
    assert (table["outcome"] == "waiting").any()  # and censoring at the end
    mine = _per_replication(table, START)
    theirs = pd.read_csv(runs["fifo"] / "replication_metrics.csv").pivot_table(
        index=["group", "replication"], columns="metric", values="value")
    counted = ("applicants", "connected", "withdrawn", "waiting", "jobs_connected",
               "jobs_withdrawn", "jobs_waiting", "mw_connected", "mw_withdrawn", "mw_waiting",
               "wait_mean_years", "withdrawn_share", "connected_within_1y", "connected_within_2y",
               "connected_within_5y", "job_years_waiting", "mw_years_waiting")
    assert (mine["withdrawn"] > 0).any() and (mine["waiting"] > 0).any()  # neither all zeros
    for metric in counted:
        pd.testing.assert_series_equal(mine[metric].astype(float), theirs.loc[mine.index, metric],
                                       check_names=False, rtol=1e-9, obj=metric)
    # Request dates are written to the day, so a waiting list's late entry is known to a day.
    np.testing.assert_allclose(mine["wait_rmst_5y_years"],
                               theirs.loc[mine.index, "wait_rmst_5y_years"], rtol=1e-4)
    np.testing.assert_allclose(mine["wait_to_end_years"],
                               theirs.loc[mine.index, "wait_to_end_years"], rtol=1e-9)
    # everyone equals the sum of the categories
    by_group = mine["applicants"].unstack("group")
    assert (by_group["all"] == by_group["basic_needs"] + by_group["other"]).all()

    summary = pd.read_csv(runs["fifo"] / "summary.csv").set_index(["group", "metric"])
    for group in GROUPS:
        expected = _log_t(mine.loc[group, "job_years_waiting"].to_numpy())
        row = summary.loc[(group, "job_years_waiting")]
        np.testing.assert_allclose([row["estimate"], row["ci_low"], row["ci_high"]], expected,
                                   rtol=1e-9)
        expected = _log_t(mine.loc[group, "wait_to_end_years"].to_numpy())
        row = summary.loc[(group, "wait_to_end_years")]
        np.testing.assert_allclose([row["estimate"], row["ci_low"], row["ci_high"]], expected,
                                   rtol=1e-9)
        expected = _logit_t(mine.loc[group, "withdrawn_share"].to_numpy(), 1.0)
        row = summary.loc[(group, "withdrawn_share")]
        assert row["ci_method"] == "logit t"
        np.testing.assert_allclose([row["estimate"], row["ci_low"], row["ci_high"]], expected,
                                   rtol=1e-9)
        expected = _logit_t(mine.loc[group, "wait_rmst_5y_years"].to_numpy(), 5.0)
        row = summary.loc[(group, "wait_rmst_5y_years")]
        np.testing.assert_allclose([row["estimate"], row["ci_low"], row["ci_high"]], expected,
                                   rtol=1e-4)


def test_a_difference_pairs_the_applicants_of_both_and_leaves_the_project_out(written):
    """Social priority against FIFO: a paired t interval over the replications.

    The project only the variant has is left out of its category, and ``reference_mean`` is
    the reference's mean of the same applicants. A share's difference is of the shares
    themselves (a hundredth is a percentage point), not of the counts behind them.
    """
    runs, comparison = written
    reference = _applicants(runs["fifo"])
    variant = _applicants(runs["social_priority"])
    assert (variant["source"] == "project").any()
    variant = variant[variant["source"] != "project"]
    ours = {label: _per_replication(table, START)
            for label, table in (("fifo", reference), ("social_priority", variant))}
    pd.testing.assert_series_equal(ours["fifo"]["applicants"],
                                   ours["social_priority"]["applicants"])  # the same people
    rows = comparison[(comparison["scenario"] == "social_priority")
                      & (comparison["population"] == "in_both")].set_index(["group", "metric"])
    for group, metric in (("basic_needs", "wait_rmst_5y_years"), ("all", "withdrawn"),
                          ("other", "job_years_waiting"), ("other", "withdrawn_share")):
        before = ours["fifo"].loc[group, metric].to_numpy(dtype=float)
        after = ours["social_priority"].loc[group, metric].to_numpy(dtype=float)
        changes = after - before
        n = len(changes)
        half = stats.t.ppf(0.975, n - 1) * changes.std(ddof=1) / np.sqrt(n)
        row = rows.loc[(group, metric)]
        assert bool(row["paired"])
        np.testing.assert_allclose(
            [row["difference"], row["difference_ci_low"], row["difference_ci_high"],
             row["reference_mean"]],
            [changes.mean(), changes.mean() - half, changes.mean() + half, before.mean()],
            rtol=1e-6, atol=1e-9)
