"""Intervals of the time-to-connection curve across replications, against hand-worked cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from sim.runs.curve_intervals import BAND_COLUMNS, connection_band, connection_difference
from sim.runs.stats import logit_interval

T_2 = 4.302652729911275
"""The Student-t quantile of a two-sided 95% interval with two degrees of freedom."""


def _applicants(rows: list[tuple[int, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["replication", "category", "wait_years", "outcome"])


# Three replications of "other", one with a "safety" applicant (too few for an interval).
HAND_CASE = [
    (0, "other", 1.0, "connected"),
    (0, "other", 2.0, "connected"),  # nobody left: this curve is known for ever after 2
    (0, "safety", 1.0, "connected"),
    (1, "other", 1.0, "connected"),
    (1, "other", 3.0, "withdrawn"),  # nobody left after 3 either
    (2, "other", 2.0, "connected"),
    (2, "other", 2.5, "waiting"),  # still waiting at the end: this curve is unknown past 2.5
]


def test_the_band_is_the_logit_t_interval_of_the_replications_curves():
    """Mean share connected over three replications and its interval, worked out by hand.

    Each replication's share connected (Aalen-Johansen; withdrawal competes, the one still
    waiting is censored):
        replication 0:  1/2 from 1, 1 from 2;  known for ever (nobody left at 2)
        replication 1:  1/2 from 1;            known for ever (nobody left at 3)
        replication 2:  1/2 from 2;            known up to 2.5 (one still waiting then)
    So the band ends at 2.5, though replication 1 follows waits up to 3. At 1 the shares are
    1/2, 1/2, 0: mean 1/3, standard deviation sqrt(1/12), standard error 1/6. From 2 on they
    are 1, 1/2, 1/2: mean 2/3, the same spread. The interval is t = 4.3027 standard errors
    on the logit scale: logit(m) +- t/6 / (m (1 - m)), taken back.
    """
    band = connection_band(_applicants(HAND_CASE), step_years=1.0)
    assert list(band.columns) == ["category", *BAND_COLUMNS]
    assert set(band["category"]) == {"other"}  # safety: one replication, no interval
    assert band["time_years"].tolist() == [0.0, 1.0, 2.0, 2.5]
    assert band["replications"].tolist() == [3] * 4
    assert band["mean"].tolist() == pytest.approx([0, 1 / 3, 2 / 3, 2 / 3])
    spread = T_2 / 6 / (2 / 9)
    low, high = special.expit(-np.log(2) - spread), special.expit(-np.log(2) + spread)
    assert band["ci_low"].tolist() == pytest.approx([0, low, 1 - high, 1 - high])
    assert band["ci_high"].tolist() == pytest.approx([0, high, 1 - low, 1 - low])
    assert low == pytest.approx(0.0194, abs=1e-4) and high == pytest.approx(0.9265, abs=1e-4)
    # The same interval as a share's key figure (sim.runs.stats) gets from those values.
    assert tuple(band.iloc[1][["mean", "ci_low", "ci_high"]]) == pytest.approx(
        logit_interval(np.array([0.5, 0.5, 0.0])))


def test_a_waiting_list_enters_each_replications_curve_late():
    """One who asked before the start is at risk only from the wait it had then.

    Replication 0, run from 2020-01-01: A asked a year before it and connected after 3
    years; B asked at the start and withdrew after 2; C asked three years before it and
    connected after 3.5. By hand, with A entering at 1 and C at 3:
        t=2:    A and B at risk, B withdraws:   still waiting 1/2
        t=3:    A and C at risk, A connects:    connected 1/2 * 1/2 = 1/4
        t=3.5:  C at risk, connects:            connected 1/4 + 1/4 = 1/2
    (counted from the request, C would be at risk from the start: 1/3 and 2/3). Replication
    1 connects its one applicant at 1. Both end with nobody waiting, so the band runs to the
    longest wait, 3.5.
    """
    start = dt.date(2020, 1, 1)
    table = pd.DataFrame({
        "replication": [0, 0, 0, 1],
        "category": ["other"] * 4,
        "request_date": pd.to_datetime(["2019-01-01", "2020-01-01", "2017-01-01",
                                        "2020-01-01"]),
        "wait_years": [3.0, 2.0, 3.5, 1.0],
        "outcome": ["connected", "withdrawn", "connected", "connected"],
    })
    entry = (pd.Timestamp(start) - table["request_date"]).dt.days / 365.25
    assert entry.round(2).tolist()[:3] == [1.0, 0.0, 3.0]
    band = connection_band(table, start, step_years=0.5)
    at = dict(zip(band["time_years"], band["mean"], strict=True))
    # Replication 0: 0 up to 3, 1/4 from 3, 1/2 from 3.5; replication 1: 1 from 1.
    assert at[0.5] == 0.0
    assert at[1.0] == pytest.approx(0.5)
    assert at[3.0] == pytest.approx((0.25 + 1) / 2)
    assert at[3.5] == pytest.approx((0.5 + 1) / 2)
    assert band["time_years"].iloc[-1] == 3.5  # both complete: to the longest wait


def test_a_curve_whose_risk_set_empties_before_a_late_entry_stops_there():
    """A curve that rests on nobody after some wait is known only up to it.

    Replication 0: A asked at the start and withdrew after 0.5; C asked two years before it
    and connected after 3, so it enters at 2, when nobody is at risk any more. Nobody waits
    from 0.5 to 2, so the curve's still-waiting share is 0 from 0.5 and C's connection adds
    0 times 1: the curve stays at 0% connected, though one of its two was connected. The
    band stops at 0.5 (it ran on to 3, as if the curve were complete, and averaged that 0%
    in).
    """
    start = dt.date(2020, 1, 1)
    table = pd.DataFrame({
        "replication": [0, 0, 1, 1],
        "category": ["other"] * 4,
        "request_date": pd.to_datetime(["2020-01-01", "2018-01-01", "2020-01-01",
                                        "2020-01-01"]),
        "wait_years": [0.5, 3.0, 1.0, 2.0],
        "outcome": ["withdrawn", "connected", "connected", "connected"],
    })
    band = connection_band(table, start, step_years=0.25)
    assert band["time_years"].iloc[-1] == 0.5
    assert band["mean"].tolist() == [0.0, 0.0, 0.0]


def test_one_replication_has_no_band():
    """With one replication there is no spread to speak of: no rows at all."""
    one = _applicants([row for row in HAND_CASE if row[0] == 0])
    assert connection_band(one).empty
    assert list(connection_band(one).columns) == ["category", *BAND_COLUMNS]
    assert connection_band(one.iloc[:0]).empty


def test_the_paired_difference_of_two_curves_by_hand():
    """Variant minus reference, replication by replication, with a plain t interval.

    The variant is the hand case with replication 0's second applicant withdrawn instead of
    connected, and a replication 3 the reference did not run (left out: nothing to pair it
    with). Differences at 1: 0, 0, 0; from 2 on: 1/2 - 1, 0, 0, so mean -1/6, standard
    error 1/6 and the interval -1/6 +- t/6. The grid ends where the shorter reaches: 2.5.
    """
    reference = _applicants(HAND_CASE)
    variant = _applicants([(0, "other", 2.0, "withdrawn") if i == 1 else row
                           for i, row in enumerate(HAND_CASE)]
                          + [(3, "other", 9.0, "connected")])
    difference = connection_difference(variant, reference, step_years=1.0)
    assert set(difference["category"]) == {"other"}
    assert difference["time_years"].tolist() == [0.0, 1.0, 2.0, 2.5]
    assert difference["replications"].tolist() == [3] * 4
    assert difference["difference"].tolist() == pytest.approx([0, 0, -1 / 6, -1 / 6])
    assert difference["ci_low"].tolist() == pytest.approx([0, 0, (-1 - T_2) / 6] + [
        (-1 - T_2) / 6])
    assert difference["ci_high"].tolist() == pytest.approx([0, 0, (T_2 - 1) / 6,
                                                             (T_2 - 1) / 6])
    # The band over every wait at once is never narrower than the interval at one wait; where
    # every replication differs alike (0 at 0 and 1) it has no width either.
    assert (difference["band_low"] <= difference["ci_low"]).all()
    assert (difference["band_high"] >= difference["ci_high"]).all()
    assert difference["band_low"].tolist()[:2] == [0, 0]
    # A scenario against itself: zero everywhere, an interval of width zero.
    same = connection_difference(reference, reference, step_years=1.0)
    assert (same[["difference", "ci_low", "ci_high", "band_low", "band_high"]].to_numpy()
            == 0).all()


def test_the_band_of_a_difference_leaves_out_zero_by_chance_at_most_one_time_in_twenty():
    """Two scenarios alike but for noise: how often the figure would mark a difference.

    Each of 300 made-up comparisons has 10 replications whose differences of the two curves
    are a random walk over 120 waits, of mean 0 at every wait. The interval at each wait
    alone leaves out zero at some wait in nearly half of them; the band over every wait at
    once, in at most about 5% (its 95%), within what 300 draws allow.
    """
    from sim.runs.curve_intervals import _simultaneous_half_widths
    from sim.runs.stats import t_quantile

    rng = np.random.default_rng(20261206)
    pointwise = simultaneous = 0
    for _ in range(300):
        values = np.cumsum(rng.standard_normal((10, 120)), axis=1) / 100
        mean = values.mean(axis=0)
        error = values.std(axis=0, ddof=1) / np.sqrt(10)
        pointwise += bool((np.abs(mean) > t_quantile(0.95, 9) * error).any())
        simultaneous += bool((np.abs(mean) > _simultaneous_half_widths(values, 0.95)).any())
    assert pointwise / 300 > 0.2
    assert simultaneous / 300 < 0.09


def test_the_report_says_the_band_is_a_confidence_interval(tmp_path: Path):
    """The first line counts the band among the 95% confidence intervals, not the 90% bands.

    Its caption says what the band is; a run's caption leaves out the paired comparison it
    cannot have.
    """
    from sim import load_scenario, run
    from sim.report.data import CAPTIONS, RUN_CAPTIONS, run_page
    from tests.comparison_family import write_family

    scenario = load_scenario(write_family(tmp_path)["fifo"], {"replications": 2})
    images = {name: b"" for name in ("queue", "time_to_connection")}
    page = run_page(run(scenario, workers=1).summary, scenario, "fifo.yaml", images)
    confidence, bands = page.intervals.split(" are not: ")[0].split(". ", 1)
    assert "of the time-to-connection figure" in confidence
    assert "95% confidence interval" in confidence
    assert "time-to-connection" not in bands
    for captions in (CAPTIONS, RUN_CAPTIONS):
        caption = captions["time_to_connection"]
        assert "95% confidence interval of the share connected" in caption
        assert "logit" in caption and "one replication has none" in caption
    assert "thicker" in CAPTIONS["time_to_connection"]
    assert "thicker" not in RUN_CAPTIONS["time_to_connection"]
