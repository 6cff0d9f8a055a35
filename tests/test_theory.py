"""The engine against queueing theory.

With unit-size requests, Poisson arrivals and exponential lifetimes, a grid area of c MW is an
M/M/c queue. The mean wait must match Erlang C under FIFO and Cobham's formula per class under
social priority, within the simulation's own 95% confidence interval.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import run
from sim.analysis.theory import cobham_waits, erlang_c, erlang_c_wait
from sim.runs.stats import mean_interval
from tests.builders import scenario

SERVERS = 10  # MW of capacity, one per unit-size connection
SERVICE_RATE = 1000.0  # per year: connections last 1/1000 year on average
RATES = {"congestion_relief": 1000.0, "safety": 2000.0, "basic_needs": 5000.0}
WARM_UP_YEARS = 0.05  # the queue starts empty: leave out the first requests


def queue_scenario(order: str):
    streams = {
        category: {
            "category": category,
            "rate_per_year": rate,
            "demand_mw": 1,
            "lifetime_years": {"dist": "exponential", "mean": 1 / SERVICE_RATE},
        }
        for category, rate in RATES.items()
    }
    return scenario(
        start="2000-01-01", end="2001-07-01", replications=12, seed=2024,
        grid={"capacity_mw": SERVERS}, streams=streams, policy={"order": order},
        timestep_months=6,
    )


def mean_waits(order: str) -> dict[str, np.ndarray]:
    """Per replication and category, the mean wait of those requesting after the warm-up."""
    results = run(queue_scenario(order), workers=2)
    frame = results.applicants
    start = frame["request_date"].min()
    late = frame["request_date"] >= start + np.timedelta64(int(WARM_UP_YEARS * 365.25), "D")
    frame = frame[late & (frame["outcome"] == "connected")]
    by = frame.groupby(["category", "replication"], observed=True)["wait_years"].mean()
    waits = {category: by.loc[category].to_numpy() for category in RATES}
    waits["all"] = frame.groupby("replication")["wait_years"].mean().to_numpy()
    return waits


def test_erlang_c_matches_a_known_value():
    """Erlang C for 2 servers at offered load 1 is 1/3 (textbook value)."""
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_cobham_with_one_class_is_erlang_c():
    """Cobham's formula with a single class reduces to the FIFO Erlang C wait."""
    assert cobham_waits([8.0], 1.0, 10) == pytest.approx([erlang_c_wait(8.0, 1.0, 10)])


def test_cobham_two_classes_match_a_hand_computed_m_m_1():
    """M/M/1 at load 0.5 split 0.2 + 0.3: W = 0.5/0.8 and 0.5/(0.8 x 0.5), mean the FIFO 1.0."""
    waits = cobham_waits([0.2, 0.3], 1.0, 1)
    assert waits == pytest.approx([0.625, 1.25])
    assert (0.2 * waits[0] + 0.3 * waits[1]) / 0.5 == pytest.approx(erlang_c_wait(0.5, 1.0, 1))


@pytest.mark.parametrize(
    "call",
    [
        lambda: erlang_c(2, 2.0),
        lambda: erlang_c_wait(5.0, 1.0, 4),
        lambda: cobham_waits([3.0, 2.0], 1.0, 4),
    ],
    ids=["erlang_c", "erlang_c_wait", "cobham_waits"],
)
def test_an_unstable_queue_is_refused_with_its_rates(call):
    """At or above full load no steady state exists: a mean wait would be meaningless."""
    with pytest.raises(ValueError, match=r"unstable queue: arrival rate \S+ is not below"):
        call()


def test_an_unstable_queue_names_servers_and_service_rate():
    with pytest.raises(ValueError, match=r"arrival rate 5\.0 .* \(4 x 1\.0\)"):
        erlang_c_wait(5.0, 1.0, 4)


@pytest.mark.parametrize(
    "call",
    [
        lambda: erlang_c(0, 0.5),
        lambda: erlang_c(2, 0.0),
        lambda: erlang_c_wait(1.0, -1.0, 2),
        lambda: cobham_waits([1.0], 1.0, 0),
    ],
    ids=["no servers", "no load", "negative service rate", "cobham no servers"],
)
def test_a_non_positive_argument_is_refused(call):
    with pytest.raises(ValueError, match="rates must be positive and there must be at least one"):
        call()


@pytest.mark.parametrize("rates", [[], [1.0, 0.0], [2.0, -1.0]], ids=["none", "zero", "negative"])
def test_cobham_refuses_an_empty_or_non_positive_class_rate(rates):
    """A class of rate 0 would divide nothing by something: it is refused rather than dropped."""
    with pytest.raises(ValueError, match="arrival_rates must be a non-empty list of positive"):
        cobham_waits(rates, 1.0, 4)


@pytest.mark.slow
def test_fifo_mean_wait_matches_erlang_c():
    """FIFO strict on an M/M/10 at load 0.8: mean wait within the 95% CI of Erlang C."""
    waits = mean_waits("fifo")["all"]
    expected = erlang_c_wait(sum(RATES.values()), SERVICE_RATE, SERVERS)
    mean, low, high = mean_interval(waits)
    assert low <= expected <= high, (mean, low, high, expected)
    assert high - low < 0.2 * expected  # the check has power: the interval is narrow


@pytest.mark.slow
def test_social_priority_waits_match_cobham():
    """Social priority strict: each class's mean wait within its 95% CI of Cobham's formula."""
    waits = mean_waits("social_priority")
    expected = cobham_waits(list(RATES.values()), SERVICE_RATE, SERVERS)
    for category, theory in zip(RATES, expected, strict=True):
        mean, low, high = mean_interval(waits[category])
        assert low <= theory <= high, (category, mean, low, high, theory)
        assert high - low < 0.25 * theory
