"""Time to connection: the Aalen-Johansen cumulative incidence with competing withdrawal."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from sim.runs.incidence import (
    cumulative_incidence,
    incidence_by_group,
    incidence_curve,
    restricted_mean_wait,
    time_to_share_connected,
)

# Seven applicants: (years from request to the end of the wait, how it ended).
HAND_CASE = [
    (1.0, "connected"),
    (2.0, "withdrawn"),
    (2.0, "waiting"),  # censored at the same time as a withdrawal: still at risk then
    (3.0, "connected"),
    (3.0, "withdrawn"),  # both outcomes at one time
    (4.0, "waiting"),
    (5.0, "connected"),
]


def test_cumulative_incidence_matches_a_hand_computed_case():
    """Connection and withdrawal shares equal the Aalen-Johansen values worked out by hand."""
    times, outcomes = zip(*HAND_CASE, strict=True)
    table = cumulative_incidence(np.array(times), np.array(outcomes))
    # By hand, with S the share still waiting just before each time:
    #   t=1: 7 at risk, 1 connects:     C = 1/7,                S = 6/7
    #   t=2: 6 at risk, 1 withdraws:    W = 6/7 * 1/6 = 1/7,    S = 6/7 * 5/6 = 5/7
    #   t=3: 4 at risk, 1 + 1:          C = 1/7 + 5/7 * 1/4 = 9/28, W = 1/7 + 5/28 = 9/28,
    #                                   S = 5/7 * 2/4 = 5/14
    #   t=4: 2 at risk, 1 censored:     nothing changes
    #   t=5: 1 at risk, 1 connects:     C = 9/28 + 5/14 = 19/28,  S = 0
    expected = pd.DataFrame({
        "time_years": [1.0, 2.0, 3.0, 4.0, 5.0],
        "at_risk": [7, 6, 4, 2, 1],
        "connected": [1, 0, 1, 0, 1],
        "withdrawn": [0, 1, 1, 0, 0],
        "censored": [0, 1, 0, 1, 0],
        "still_waiting": [Fraction(6, 7), Fraction(5, 7), Fraction(5, 14), Fraction(5, 14), 0],
        "cif_connected": [Fraction(1, 7), Fraction(1, 7), Fraction(9, 28), Fraction(9, 28),
                          Fraction(19, 28)],
        "cif_withdrawn": [0, Fraction(1, 7), Fraction(9, 28), Fraction(9, 28),
                          Fraction(9, 28)],
    })
    for column in expected:
        assert table[column].tolist() == pytest.approx(
            [float(v) for v in expected[column]], abs=1e-15), column


def test_withdrawal_is_not_treated_as_censoring():
    """Counting withdrawals as censored (one minus Kaplan-Meier) would overstate connection."""
    times, outcomes = zip(*HAND_CASE, strict=True)
    table = cumulative_incidence(np.array(times), np.array(outcomes))
    naive = 1.0 - np.prod(1.0 - table["connected"] / table["at_risk"])
    assert naive == pytest.approx(1.0)
    assert table["cif_connected"].iloc[-1] == pytest.approx(19 / 28)


def test_shares_add_up_to_one_at_every_time():
    """Connected, withdrawn and still-waiting shares always sum to one."""
    rng = np.random.default_rng(3)
    times = np.round(rng.exponential(2.0, 500), 1)
    outcomes = rng.choice(["connected", "withdrawn", "waiting"], 500)
    table = cumulative_incidence(times, outcomes)
    total = table["cif_connected"] + table["cif_withdrawn"] + table["still_waiting"]
    assert np.allclose(total, 1.0)
    assert table["cif_connected"].is_monotonic_increasing
    assert table["at_risk"].iloc[0] == 500


def test_incidence_by_group_pools_replications_per_category():
    """Each category's curve is the estimate over its rows of every replication together."""
    times, outcomes = zip(*HAND_CASE, strict=True)
    applicants = pd.DataFrame({
        "replication": [0, 0, 1, 1, 2, 2, 2, 0, 1],
        "category": ["other"] * 7 + ["safety"] * 2,
        "wait_years": [*times, 0.5, 1.5],
        "outcome": [*outcomes, "connected", "waiting"],
    })
    curves = incidence_by_group(applicants)
    assert list(curves["category"].unique()) == ["other", "safety"]
    other = curves[curves["category"] == "other"].drop(columns="category")
    expected = cumulative_incidence(np.array(times), np.array(outcomes))
    pd.testing.assert_frame_equal(other.reset_index(drop=True), expected)
    safety = curves[curves["category"] == "safety"]
    assert safety["cif_connected"].tolist() == [0.5, 0.5]


def test_applicants_waiting_before_the_start_enter_late():
    """A waiting-list applicant is at risk only from the wait it had when the run began."""
    waits = np.array([3.0, 1.0, 2.5, 4.0])
    outcomes = np.array(["connected", "connected", "withdrawn", "waiting"])
    # The first asked two years before the start. By hand:
    #   t=1:   3 at risk (not the first yet), 1 connects: C = 1/3,           S = 2/3
    #   t=2.5: 3 at risk, 1 withdraws:                    W = 2/3 * 1/3 = 2/9, S = 4/9
    #   t=3:   2 at risk, 1 connects:                     C = 1/3 + 4/9 * 1/2 = 5/9, S = 2/9
    #   t=4:   1 at risk, censored
    table = cumulative_incidence(waits, outcomes, np.array([2.0, 0.0, 0.0, 0.0]))
    assert table["at_risk"].tolist() == [3, 3, 2, 1]
    assert table["cif_connected"].tolist() == pytest.approx([1 / 3, 1 / 3, 5 / 9, 5 / 9])
    assert table["cif_withdrawn"].tolist() == pytest.approx([0, 2 / 9, 2 / 9, 2 / 9])
    applicants = pd.DataFrame({
        "category": ["other"] * 4,
        "request_date": pd.to_datetime(["2018-01-01", "2020-03-01", "2020-05-01", "2021-01-01"]),
        "wait_years": waits,
        "outcome": outcomes,
    })
    by_date = incidence_by_group(applicants, start=dt.date(2020, 1, 1))
    pd.testing.assert_frame_equal(by_date.drop(columns="category"), table)


def test_a_curve_is_not_known_past_a_risk_set_that_empties_before_a_later_entry():
    """One connection of the only one at risk read as everyone connected.

    A list of waiting-list rows only: the one that asked last enters first, at 0.085 years,
    alone at risk, and connects at once. The estimate then said nobody was still waiting:
    a mean wait within ten years of 0.085 and half connected at 0.085, though the rows that
    had waited longer connected later or never. The curve is known only up to that wait.
    """
    waits = np.array([0.085, 1.5, 3.0, 4.0])
    outcomes = np.array(["connected", "connected", "waiting", "withdrawn"])
    entries = np.array([0.085, 0.5, 1.0, 2.0])
    table = cumulative_incidence(waits, outcomes, entries)
    assert table.empty
    curve = incidence_curve(waits, outcomes == "connected", outcomes == "withdrawn", entries)
    assert curve.known_until == 0.085
    assert np.isnan(restricted_mean_wait(curve, 10))
    assert time_to_share_connected(curve, 0.5) == np.inf  # not reached where it is known
    # Later in the curve: A and B from the request, B the last at risk when C enters.
    curve = incidence_curve(np.array([0.2, 0.4, 2.0]), np.array([True, True, True]),
                            np.zeros(3, dtype=bool), np.array([0.0, 0.0, 1.0]))
    assert curve.time_years.tolist() == [0.2] and curve.cif_connected.tolist() == [0.5]
    assert curve.known_until == 0.4
    assert restricted_mean_wait(curve, 0.3) == pytest.approx(0.2 + 0.5 * 0.1)  # known to 0.4
    assert np.isnan(restricted_mean_wait(curve, 10))
    assert time_to_share_connected(curve, 0.5) == 0.2
    # Emptied at the last wait, nobody entering later: complete, known for ever.
    done = incidence_curve(np.array([0.2, 0.4]), np.array([True, True]), np.zeros(2, bool),
                           np.zeros(2))
    assert done.known_until == np.inf
    assert restricted_mean_wait(done, 10) == pytest.approx(0.2 + 0.5 * 0.2)


def test_a_curve_cut_at_a_wait_of_zero_has_its_shares_not_reached_not_missing():
    """Applicants connected at once, then a waiting-list row entering later.

    The curve is cut before its first wait, 0, so it is known only there. Its time to half
    connected read NaN, as for a group without applicants, and the median across
    replications left the replication out; it is not reached where the curve is known.
    """
    curve = incidence_curve(np.array([0.0, 0.0, 3.0]), np.array([True, True, True]),
                            np.zeros(3, dtype=bool), np.array([0.0, 0.0, 1.0]))
    assert len(curve.time_years) == 0 and curve.known_until == 0.0
    assert time_to_share_connected(curve, 0.5) == np.inf
    assert np.isnan(restricted_mean_wait(curve, 5))
    nobody = incidence_curve(np.empty(0), np.empty(0, bool), np.empty(0, bool), np.empty(0))
    assert np.isnan(time_to_share_connected(nobody, 0.5))
    assert np.isnan(restricted_mean_wait(nobody, 5))


def test_unknown_outcome_is_refused():
    """An outcome other than connected, withdrawn or waiting is an error, not a censoring."""
    with pytest.raises(ValueError, match="unknown outcome 'gone'"):
        cumulative_incidence(np.array([1.0]), np.array(["gone"]))
