"""The 95% intervals a planner quotes hold the true figure about 95 times in a hundred.

The coverage study of ``tests/coverage_study.py``, small: 600 replications per policy, 60
batches of 10, judged against all 600 (some 15,000 intervals, a third of them paired
differences). What it guards that the interval formulas' own tests do not: that
replications are independent (replications sharing their draws give intervals far too
narrow), that a figure per replication estimates what its interval claims, and that a
paired difference's interval holds under common random numbers, where the two scenarios'
figures move together. At this size the share that holds the truth varies by a
point or two with the draws, so the bounds catch gross errors only; the formulas have
exact tests of their own (tests/test_intervals.py).
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.coverage_study import interval_checks

pytestmark = [pytest.mark.slow, pytest.mark.no_cover]

METHODS = {"log t", "logit t", "order statistics", "paired t"}
"""The kinds of interval the study meets: every one a summary or a comparison gives."""


@pytest.fixture(scope="module")
def checks() -> pd.DataFrame:
    return interval_checks(replications=600, batch=10)


def test_the_study_checks_every_kind_of_interval_many_times(checks: pd.DataFrame):
    counts = checks.groupby("ci_method").size()
    assert set(counts.index) == METHODS
    assert counts.min() >= 200, counts
    assert checks.groupby(["kind", "group", "metric"]).ngroups >= 150


def test_about_95_in_100_intervals_hold_the_true_figure(checks: pd.DataFrame):
    """All intervals together: 95%, give or take what 60 batches leave to chance.

    Replications drawn in identical pairs take it to 0.81; intervals half again as wide as
    they should be, to 0.99.
    """
    held = checks["held"].mean()
    assert 0.91 <= held <= 0.985, f"{held:.3f} of {len(checks)} intervals"


@pytest.mark.parametrize("method", sorted(METHODS))
def test_each_kind_of_interval_holds_the_true_figure_at_least_88_times_in_100(
        checks: pd.DataFrame, method: str):
    """Per kind, with a wider margin: fewer checks, and the delta method is approximate."""
    chosen = checks[checks["ci_method"] == method]
    held = chosen["held"].mean()
    assert held >= 0.88, f"{method}: {held:.3f} of {len(chosen)} intervals"
