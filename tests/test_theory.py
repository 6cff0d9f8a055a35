"""The engine against queueing theory.

With unit-size requests, Poisson arrivals and exponential lifetimes, a grid area of c MW is an
M/M/c queue. The mean wait must match Erlang C under FIFO and Cobham's formula per class under
social priority, within the simulation's own 95% confidence interval. With exponential
patience it is an M/M/c+M queue (Erlang A): the shares who wait and who withdraw, and the
mean time in queue, must match its birth-death chain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
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


PATIENCE_SERVERS = 5
PATIENCE_ARRIVAL_RATE = 5000.0  # per year: offered load 5, as many erlangs as servers
PATIENCE_RATE = 1000.0  # per year: a mean patience as long as a mean connection


def erlang_a(servers: int, arrival_rate: float, service_rate: float, patience_rate: float,
             states: int = 400) -> tuple[float, float, float]:
    """Probability of waiting, share withdrawing, mean time in queue of an M/M/c+M queue.

    The number in the system is a birth-death chain: births at the arrival rate, deaths at
    ``min(n, c) mu + max(n - c, 0) theta`` (each who waits leaves at its patience rate), with
    stationary probabilities the products of birth over death rates, normalised (truncated
    where they are negligible). An arrival waits with probability P(n >= c) (Poisson arrivals
    see time averages); withdrawals happen at ``theta E[Q]`` per unit time, so the share who
    withdraw is ``theta E[Q] / lambda``, and by Little's law the mean time in queue of every
    arrival, to connection or withdrawal, is ``E[Q] / lambda``. (O. Garnett, A. Mandelbaum and
    M. Reiman (2002), "Designing a call center with impatient customers", M&SOM 4(3).)
    """
    weights = [1.0]
    for n in range(1, states):
        death = min(n, servers) * service_rate + max(n - servers, 0) * patience_rate
        weights.append(weights[-1] * arrival_rate / death)
    p = np.array(weights) / sum(weights)
    queue = float((np.maximum(np.arange(states) - servers, 0) * p).sum())
    return float(p[servers:].sum()), patience_rate * queue / arrival_rate, queue / arrival_rate


def test_erlang_a_matches_a_hand_computed_m_m_1_m():
    """M/M/1+M with lambda = mu = theta = 1: P(n) = 1 / n! / e, so P(wait) = 1 - 1/e.

    E[Q] = sum over n of (n - 1) P(n) = E[n] - P(n >= 1) = 1 - (1 - 1/e) = 1/e: a share 1/e
    withdraws, and the mean time in queue is 1/e too.
    """
    wait, withdraw, time_in_queue = erlang_a(1, 1.0, 1.0, 1.0, states=60)
    assert (wait, withdraw, time_in_queue) == pytest.approx(
        (1 - np.exp(-1), np.exp(-1), np.exp(-1)), abs=1e-12)


@pytest.mark.slow
def test_withdrawals_match_erlang_a():
    """FIFO strict on an M/M/5+M at offered load 1 per server: each share within its 95% CI.

    The shares who wait and who withdraw, and the mean time in queue (to connection or
    withdrawal) of those requesting after the warm-up and at least ten days before the end
    (a patience of ten days has a chance of e^-27: nobody of them is still waiting). Each
    interval is narrower than 10% of the theory's value, so waits 5% too long show (the
    intervals of the M/M/10 above are too wide for that), as do lifetimes or arrival rates
    5% off (12% more withdrawals). A patience 5% off moves these figures by 1-4%, too little
    to see here: the invariants check each withdrawal's time exactly.
    """
    s = scenario(
        start="2000-01-01", end="2001-07-01", replications=12, seed=2024,
        grid={"capacity_mw": PATIENCE_SERVERS}, timestep_months=6,
        streams={"impatient": {
            "category": "other", "rate_per_year": PATIENCE_ARRIVAL_RATE, "demand_mw": 1,
            "lifetime_years": {"dist": "exponential", "mean": 1 / SERVICE_RATE},
            "patience_years": {"dist": "exponential", "mean": 1 / PATIENCE_RATE}}},
    )
    frame = run(s, workers=2).applicants
    start, end = pd.Timestamp("2000-01-01"), pd.Timestamp("2001-07-01")
    frame = frame[(frame["request_date"] >= start + pd.Timedelta(days=7))
                  & (frame["request_date"] < end - pd.Timedelta(days=10))]
    assert (frame["outcome"] != "waiting").all()
    by = frame.groupby("replication")
    observed = {
        "wait": by["wait_years"].apply(lambda w: (w > 0).mean()),
        "withdraw": by["outcome"].apply(lambda o: (o == "withdrawn").mean()),
        "time_in_queue": by["wait_years"].mean(),
    }
    theory = dict(zip(observed, erlang_a(PATIENCE_SERVERS, PATIENCE_ARRIVAL_RATE,
                                         SERVICE_RATE, PATIENCE_RATE), strict=True))
    for name, values in observed.items():
        mean, low, high = mean_interval(values.to_numpy(dtype=float))
        assert low <= theory[name] <= high, (name, mean, low, high, theory[name])
        assert high - low < 0.1 * theory[name], (name, low, high)
