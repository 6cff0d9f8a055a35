"""Intervals across replications stay inside what each key figure can be (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim.runs.metrics import METRICS
from sim.runs.stats import (
    CI_METHODS,
    bounded_interval,
    log_interval,
    logit_interval,
    mean_interval,
    median_interval,
)

SPAN = 1e6
"""The largest value drawn for a figure without an upper bound."""


@st.composite
def replications(draw: st.DrawFn) -> tuple[str, np.ndarray]:
    """A key figure and per-replication values it could take, NaN (undefined) among them.

    Figures summarised by their median may also be inf: not reached in that replication.
    """
    name = draw(st.sampled_from(sorted(METRICS)))
    metric = METRICS[name]
    low, high = metric.bounds
    inside = st.floats(low, min(high, SPAN), allow_nan=False)
    pick = st.one_of(inside, st.sampled_from([low, min(high, SPAN)]))  # values on the bounds
    if metric.estimator == "median":
        pick = st.one_of(pick, st.just(np.inf))
    values = draw(st.lists(st.one_of(pick, st.just(np.nan)), max_size=40))
    return name, np.array(values, dtype=float)


ONE_ULP_BELOW_ONE = float(np.nextafter(1.0, 0.0))


@settings(max_examples=400, deadline=None)
@given(replications())
# A share on its bound up to rounding: its mean is 1.0, its standard deviation 1e-16.
@example(("connected_within_1y", np.array([1.0, ONE_ULP_BELOW_ONE])))
@example(("wait_mean_years", np.array([0.0, 5e-324])))
def test_every_interval_keeps_inside_its_figures_bounds(case):
    """Low <= estimate <= high, all within the figure's bounds, for any values it could take."""
    name, values = case
    metric = METRICS[name]
    estimate, low, high, method = bounded_interval(values, metric)
    assert method in CI_METHODS
    known = values[~np.isnan(values)]
    if not len(known):
        assert np.isnan(estimate)
        return
    assert metric.bounds[0] <= estimate <= metric.bounds[1]
    if np.isnan(low):
        return
    assert metric.bounds[0] <= low <= estimate <= high <= metric.bounds[1], (low, estimate, high)


def test_every_summary_interval_is_bounded():
    """No figure of summary.csv is summarised by a plain, unbounded t interval."""
    methods = {bounded_interval(np.array([1.0, 1.0]), metric)[3] for metric in METRICS.values()}
    assert "t" not in methods


def test_a_share_near_zero_no_longer_reaches_below_it():
    """The plain t interval of small shares goes negative; the logit one starts above zero."""
    shares = np.array([0.0, 0.0, 0.0, 0.01])
    assert mean_interval(shares)[1] < 0
    mean, low, high = logit_interval(shares)
    assert mean == 0.0025 and 0 < low < mean < high < 1


def test_log_interval_is_the_t_interval_on_the_log_scale():
    """Taken back to the log scale, the interval is symmetric with the delta-method width."""
    values = np.array([2.0, 3.0, 5.0, 4.0])
    mean, low, high = log_interval(values)
    _, t_low, _ = mean_interval(values)
    half = (mean - t_low) / mean
    assert np.log([low, high]) == pytest.approx([np.log(mean) - half, np.log(mean) + half])


def test_all_on_a_bound_gives_the_bound():
    """Every replication at zero (or at one, for a share) gives an interval of that value."""
    assert log_interval(np.zeros(5)) == (0.0, 0.0, 0.0)
    assert logit_interval(np.ones(5)) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(("n", "rank"), [(5, 0), (6, 1), (10, 2), (20, 6), (30, 10), (100, 40)])
def test_median_interval_uses_the_binomial_order_statistics(n, rank):
    """The ranks of the 95% interval of a median are those of the binomial tables."""
    values = np.arange(1.0, n + 1)
    median, low, high = median_interval(values)
    assert median == np.median(values)
    if rank == 0:
        assert np.isnan(low) and np.isnan(high)
    else:
        assert (low, high) == (rank, n + 1 - rank)


def test_median_interval_reads_not_reached_at_the_top():
    """Replications that never reach the figure sort last: the upper end is inf."""
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, np.inf, np.inf, np.inf])
    median, low, high = median_interval(values)
    assert (median, low, high) == (5.5, 2.0, np.inf)
