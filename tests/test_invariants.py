"""Invariants of the model, checked on random small worlds (hypothesis).

The worlds share instants on a quarter-year grid; patience and lifetimes run from zero to
infinite.

- connected MW never exceeds capacity in any area or upstream;
- every applicant ends with exactly one outcome;
- nobody connects before their request or after withdrawing;
- under strict allocation, nobody connects while someone ahead of them in policy order (same
  area) still waits;
- after every instant at which anything happens, and so at the end, no waiting applicant
  could be connected (strict: the head does not fit; first fit: nobody fits).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine.capacity import FIT_TOLERANCE_MW, UPSTREAM
from sim.engine.model import CapacityStep, GridSetup, Regime, Trajectory, simulate
from sim.inputs.applicants import CATEGORIES, ApplicantTable
from sim.policies import POLICIES

HORIZON = 6.0
TOL = 1e-6
quarter_years = st.integers(min_value=-8, max_value=23).map(lambda q: q / 4)  # shared instants


@st.composite
def worlds(draw):
    n_areas = draw(st.integers(1, 3))
    n = draw(st.integers(0, 30))
    times = sorted(draw(st.lists(quarter_years, min_size=n, max_size=n)))
    maybe_inf = st.one_of(st.just(math.inf), st.just(0.0), st.integers(1, 16).map(lambda q: q / 4))
    table = ApplicantTable.from_columns(
        name=[""] * n,
        source=["stream"] * n,
        stream=["s"] * n,
        category=draw(st.lists(st.sampled_from(CATEGORIES), min_size=n, max_size=n)),
        area=[f"a{draw(st.integers(0, n_areas - 1))}" for _ in range(n)],
        request_time=np.array(times, dtype=float),
        demand_mw=np.zeros(n),
        requested_mw=np.array(draw(st.lists(st.integers(1, 20), min_size=n, max_size=n)),
                              dtype=float) / 10,
        self_supply=np.zeros(n),
        jobs=np.zeros(n, dtype=np.int64),
        priority_requested=np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)),
                                    dtype=bool),
        patience_years=np.array(draw(st.lists(maybe_inf, min_size=n, max_size=n))),
        lifetime_years=np.array(draw(st.lists(maybe_inf, min_size=n, max_size=n))),
    )
    table = replace(table, demand_mw=table.requested_mw)
    upstream = draw(st.one_of(st.none(), st.integers(0, 30).map(lambda x: x / 10)))
    targets = list(range(n_areas)) + ([UPSTREAM] if upstream is not None else [])
    steps = draw(st.lists(
        st.builds(CapacityStep, quarter_years.filter(lambda t: t >= 0),
                  st.sampled_from(targets), st.integers(1, 20).map(lambda x: x / 10)),
        max_size=5))
    grid = GridSetup(
        areas=[f"a{i}" for i in range(n_areas)],
        capacity_mw=draw(st.lists(st.integers(0, 20).map(lambda x: x / 10),
                                  min_size=n_areas, max_size=n_areas)),
        upstream_capacity_mw=upstream,
        steps=steps,
    )
    regime_times = [0.0] + sorted(set(draw(st.lists(
        quarter_years.filter(lambda t: 0 < t < HORIZON), max_size=2))))
    regimes = [
        Regime(t, POLICIES[draw(st.sampled_from(sorted(POLICIES)))](),
               draw(st.sampled_from(["strict", "first_fit"])))
        for t in regime_times
    ]
    return table, grid, regimes


def capacity_at(grid: GridSetup, area: int, time: float) -> float:
    base = grid.upstream_capacity_mw if area == UPSTREAM else grid.capacity_mw[area]
    return base + sum(s.add_mw for s in grid.steps if s.area == area and s.time <= time)


def regime_at(regimes: list[Regime], time: float) -> Regime:
    return [r for r in regimes if r.time <= time][-1]


def check(table: ApplicantTable, grid: GridSetup, regimes: list[Regime], out: Trajectory):
    n = len(table)
    connected = ~np.isnan(out.connect_time)
    withdrawn = ~np.isnan(out.withdraw_time)
    arrival = np.maximum(table.request_time, 0.0)
    area = np.array([grid.areas.index(a) for a in table.area])
    # exactly one outcome; times in order
    assert not np.any(connected & withdrawn)
    assert np.all(out.connect_time[connected] >= arrival[connected])
    deadline = arrival + table.patience_years
    assert np.all(out.connect_time[connected] < deadline[connected])
    assert np.all(out.withdraw_time[withdrawn] == deadline[withdrawn])
    released = ~np.isnan(out.release_time)
    assert np.all(connected[released])
    assert np.all(out.release_time[released] == out.connect_time[released]
                  + table.lifetime_years[released])

    def holding(t: float) -> np.ndarray:
        """Connections in place just after the allocation at time t."""
        return connected & (out.connect_time <= t) & ~(released & (out.release_time <= t))

    def waiting(t: float) -> np.ndarray:
        """Applicants still in the queue just after the allocation at time t."""
        return ((arrival <= t) & ~(connected & (out.connect_time <= t))
                & ~(withdrawn & (out.withdraw_time <= t)))

    for t in sorted(set(out.connect_time[connected].tolist()) | {HORIZON}):
        held = holding(t)
        for a in range(len(grid.areas)):
            assert table.requested_mw[held & (area == a)].sum() <= capacity_at(grid, a, t) + TOL
        if grid.upstream_capacity_mw is not None:
            assert table.requested_mw[held].sum() <= capacity_at(grid, UPSTREAM, t) + TOL
    ranks_of = {id(r): r.policy.ranks(table) for r in regimes}
    for i in np.flatnonzero(connected):
        t = out.connect_time[i]
        regime = regime_at(regimes, t)
        if regime.allocation != "strict":
            continue
        ranks = ranks_of[id(regime)]
        ahead = waiting(t) & (area == area[i]) & (ranks < ranks[i])
        assert not ahead.any(), f"{i} connected at {t} while {np.flatnonzero(ahead)} waited"
    # after every instant at which anything happens, and so at the end, nobody who waits
    # could be connected: the allocation ran, and none of its shortcuts skipped a connection
    instants = {0.0, *arrival.tolist(), *out.connect_time[connected].tolist(),
                *out.withdraw_time[withdrawn].tolist(), *out.release_time[released].tolist(),
                *(max(s.time, 0.0) for s in grid.steps), *(r.time for r in regimes)}
    for t in sorted(x for x in instants if x < HORIZON):
        regime = regime_at(regimes, t)
        ranks = ranks_of[id(regime)]
        held, still = holding(t), waiting(t)
        upstream_free = math.inf if grid.upstream_capacity_mw is None else (
            capacity_at(grid, UPSTREAM, t) - table.requested_mw[held].sum())
        for a in range(len(grid.areas)):
            mine = np.flatnonzero(still & (area == a))
            if not len(mine):
                continue
            free = min(capacity_at(grid, a, t) - table.requested_mw[held & (area == a)].sum(),
                       upstream_free)
            candidates = (mine if regime.allocation == "first_fit"
                          else [mine[np.argmin(ranks[mine])]])
            fitting = [j for j in candidates
                       if table.requested_mw[j] <= free + FIT_TOLERANCE_MW - TOL]
            assert not fitting, f"{fitting} still waited at {t} with {free} MW free in area {a}"
    assert n == len(out.connect_time)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_invariants_hold_in_random_worlds(world):
    """Capacity, outcomes, timing and strict order hold for any small world."""
    table, grid, regimes = world
    trajectory = simulate(table, grid, regimes, HORIZON, snapshot_times=[0.0, 1.0])
    check(table, grid, regimes, trajectory)
