"""Where applicants come from: Poisson arrivals, distributions, the waiting list."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.errors import InputError
from sim.inputs.distributions import Empirical, Exponential, Lognormal, Triangular, Uniform, Weibull
from sim.inputs.rng import RandomStreams, upgrade_keys
from sim.inputs.sources import _priority, arrival_times, generate_applicants
from sim.runs.replication import grid_setup
from tests.builders import project, scenario


def test_arrival_count_is_poisson_with_the_integrated_rate():
    """With 10% growth a year, the mean count over 5 years is the integral of the rate."""
    rng = np.random.default_rng(1)
    counts = [len(arrival_times(100, 0.1, 5.0, rng)) for _ in range(400)]
    expected = 100 * (1.1**5 - 1) / math.log(1.1)
    assert np.mean(counts) == pytest.approx(expected, rel=0.01)
    assert np.var(counts) == pytest.approx(expected, rel=0.2)  # Poisson: variance = mean


def test_arrivals_grow_over_time():
    """Doubling the rate each year puts about two thirds of two years' arrivals in year two."""
    times = arrival_times(1000, 1.0, 2.0, np.random.default_rng(2))
    assert np.all(np.diff(times) >= 0) and times.max() < 2.0
    assert (times >= 1).mean() == pytest.approx(2 / 3, abs=0.02)


FAMILIES = [
    Exponential(dist="exponential", mean=2.0),
    Uniform(dist="uniform", low=1.0, high=3.0),
    Triangular(dist="triangular", low=0.0, mode=1.0, high=5.0),
    Lognormal(dist="lognormal", median=0.4, sigma=0.9),
    Lognormal(dist="lognormal", mean=0.5, sigma=0.9),
    Weibull(dist="weibull", shape=1.5, scale=2.0),
    Empirical(dist="empirical", values=[0.1, 1.0, 5.0], weights=[5, 3, 2]),
]
"""One distribution of each family (the lognormal given both ways)."""


@pytest.mark.parametrize("spec", FAMILIES)
def test_sample_mean_matches_analytic_mean(spec):
    """Each family's samples average to the analytic mean the theory checks rely on."""
    draws = spec.sample(np.random.default_rng(3), 200_000)
    assert draws.mean() == pytest.approx(spec.mean, rel=0.02)


@pytest.mark.parametrize("spec", [
    *FAMILIES, Triangular(dist="triangular", low=0.5, mode=1.0, high=5.0),
    Empirical(dist="empirical", values=[0.1, 1.0, 5.0], weights=[0, 3, 2]),
])
def test_samples_stay_within_the_bounds_each_family_states(spec):
    """The bounds the outline of ``validate`` uses (an upgrade's earliest and latest date)."""
    draws = spec.sample(np.random.default_rng(3), 100_000)
    assert spec.lower_bound <= draws.min() and draws.max() <= spec.upper_bound
    assert draws.min() == pytest.approx(spec.lower_bound, abs=0.02)  # the bound is reached


def test_generated_waiting_list_is_spread_over_past_dates():
    """A generated waiting list of 200 lies between 'earliest' and the start."""
    s = scenario(
        streams={"firms": {"category": "other", "rate_per_year": 10, "demand_mw": 0.5}},
        waiting_list={"count": 200, "earliest": "2022-01-01"},
    )
    table = generate_applicants(s, RandomStreams(s.seed, 0))
    waiting = table.source == "waiting_list"
    assert waiting.sum() == 200
    assert table.request_time[waiting].min() >= s.years_since_start(s.waiting_list.earliest)
    assert table.request_time[waiting].max() <= 0


def test_csv_waiting_list_keeps_rows_and_draws_what_they_leave_out(tmp_path):
    """Rows of a planner's CSV keep their values; a row naming a stream takes its patience."""
    (tmp_path / "list.csv").write_text(
        "name,request_date,category,demand_mw,jobs,stream\n"
        "school A,2023-03-01,basic_needs,0.8,40,\n"
        "depot,2022-12-01,other,1.5,12,firms\n"
    )
    (tmp_path / "s.yaml").write_text(
        "start: 2024-01-01\nend: 2030-01-01\ngrid: {capacity_mw: 1}\n"
        "streams:\n  firms: {category: other, rate_per_year: 0, demand_mw: 1,\n"
        "          patience_years: {dist: exponential, mean: 3}}\n"
        "waiting_list: {csv: list.csv}\n"
    )
    from sim.inputs.loading import load_scenario, load_waiting_rows

    s = load_scenario(tmp_path / "s.yaml")
    table = generate_applicants(s, RandomStreams(s.seed, 0), load_waiting_rows(s))
    assert list(table.name) == ["depot", "school A"]
    assert list(table.demand_mw) == [1.5, 0.8]
    assert np.isfinite(table.patience_years[0]) and np.isinf(table.patience_years[1])


def _listed(tmp_path, rows: str, uptake: str = "") -> np.ndarray:
    """Whether each row of a CSV waiting list asks for priority; its stream moves in 2025."""
    (tmp_path / "list.csv").write_text("request_date,category,demand_mw,stream,"
                                       "priority_requested\n" + rows)
    (tmp_path / "s.yaml").write_text(
        "start: 2024-01-01\nend: 2030-01-01\ngrid: {capacity_mw: 1}\n"
        "streams:\n  utilities: {category: other, rate_per_year: 0, demand_mw: 1,\n"
        "    category_changes: [{date: 2025-01-01, category: safety}]}\n"
        f"waiting_list: {{csv: list.csv}}\n{uptake}")
    from sim.inputs.loading import load_scenario, load_waiting_rows

    s = load_scenario(tmp_path / "s.yaml")
    return generate_applicants(s, RandomStreams(s.seed, 0), load_waiting_rows(s)
                               ).priority_requested


def test_a_listed_row_asks_for_priority_as_its_stream_does(tmp_path):
    """A listed row of a stream that moves into safety asks as the stream's requests do.

    It asks with safety's uptake, and keeps a priority the list states (both were cleared,
    as the row is listed as 'other').
    """
    rows = "2022-01-01,other,1,utilities,\n2022-02-01,other,1,utilities,false\n" \
           "2022-03-01,other,1,utilities,true\n"
    assert _listed(tmp_path, rows).tolist() == [True, False, True]
    assert _listed(tmp_path, rows, "priority_uptake: {safety: 0}\n").tolist() == [
        False, False, True]


def test_a_listed_row_that_never_holds_priority_may_not_ask_for_it(tmp_path):
    """Asking for priority in 'other', with no move out of it, would do nothing: refused."""
    with pytest.raises(InputError, match=r"list.csv:2: priority_requested: expected false or "
                       r"empty: 'other' has no priority to ask for, so asking would do nothing"):
        _listed(tmp_path, "2022-01-01,other,1,,true\n")


def test_projects_keep_their_date_and_size():
    """A named project arrives on its date with its own size and self-supply."""
    s = scenario(projects=[project("campus", "2026-01-01", 20.0, self_supply=0.25,
                                   jobs=1200)])
    table = generate_applicants(s, RandomStreams(s.seed, 0))
    assert table.name[0] == "campus"
    assert table.request_time[0] == s.years_since_start(s.projects[0].date)
    assert table.requested_mw[0] == pytest.approx(15.0)


@pytest.mark.parametrize("uptake", [0.0, 0.3, 1.0])
def test_priority_requests_are_what_the_draws_give(uptake):
    """An uptake of 0 or 1 skips the draws, with the answer the draws would give."""
    s = scenario(priority_uptake={"safety": uptake})
    streams = RandomStreams(s.seed, 0)
    drawn = streams.generator("priority", "key").random(500) < uptake
    np.testing.assert_array_equal(_priority(s, streams, "key", "safety", 500), drawn)


def test_an_upgrade_keeps_its_delay_whichever_other_upgrades_a_variant_has():
    """Delays are drawn by area and upgrade name, not by place in the list.

    Removing one upgrade leaves the delays of the others as they were, so variants stay paired.
    """
    delay = {"dist": "uniform", "low": 0, "high": 1}
    upgrades = [{"name": name, "date": date, "add_mw": 1, "delay_years": delay}
                for name, date in (("take-back", "2025-01-01"), ("station", "2027-01-01"))]
    both = scenario(grid={"capacity_mw": 1, "upgrades": upgrades})
    one = scenario(grid={"capacity_mw": 1, "upgrades": upgrades[1:]})
    times = [grid_setup(s, RandomStreams(s.seed, 3)).steps[-1].time for s in (both, one)]
    assert times[0] == times[1]
    assert upgrade_keys("main", ["a", "b", "a"]) == ["main:a", "main:b", "main:a#2"]
