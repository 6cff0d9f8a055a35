"""Invariants of the model, checked on random small worlds (hypothesis).

The worlds share instants on a quarter-year grid; patience and lifetimes run from zero to
infinite.

- connected MW never exceeds capacity in any area or upstream;
- every applicant ends with exactly one outcome;
- nobody connects before their request or after withdrawing;
- under strict allocation, nobody connects while someone ahead of them in policy order (same
  area) still waits;
- after every instant at which anything happens, and so at the end, no waiting applicant
  could be connected (strict: the head does not fit; first fit: nobody fits);
- with partial offers and capacity taken back by mechanisms, no MW is created or lost: each
  applicant's connections less what was taken back add up to the MW it holds, at most its
  request; its connections add up to the whole request once it is fully connected; nobody
  is connected in full twice, and a partly connected applicant does not withdraw;
- under allocation in rounds, nobody connects between rounds but those with priority in a
  category served between rounds; category definitions that change on a date re-rank the
  line (each regime's order is the policy's order of the categories in force);
- with non-firm pools: a right starts while its holder waits firm, before its patience ends
  (unless it was partly connected first, and so no longer withdraws), and ends when the
  holder connects firm in full or its lifetime ends; a holder never withdraws; under the
  policy order the rights in an area never exceed its pool, and after every instant nobody in
  a pool's line could get a right; firm connections stay within the firm capacity as before,
  so firm plus non-firm never exceeds what exists.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine.capacity import FIT_TOLERANCE_MW, UPSTREAM, Reclaim
from sim.engine.model import CapacityStep, GridSetup, Regime, RoundSchedule, Trajectory, simulate
from sim.engine.non_firm import NON_FIRM_ORDERS, NonFirmSetup
from sim.engine.rules import with_categories
from sim.inputs.applicants import CATEGORIES, ApplicantTable
from sim.policies import POLICIES
from sim.runs.records import applicant_records
from tests.reference_model import served_between_rounds, table_under

HORIZON = 6.0
TOL = 1e-6
quarter_years = st.integers(min_value=-8, max_value=23).map(lambda q: q / 4)  # shared instants
# The worlds' building blocks, made once: a strategy built inside the composite would be made
# and validated again for every world (half of the time it took to draw a thousand).
from_start = quarter_years.filter(lambda t: t >= 0)
before_horizon = quarter_years.filter(lambda t: 0 <= t < HORIZON)
after_start = quarter_years.filter(lambda t: 0 < t < HORIZON)
maybe_inf = st.one_of(st.just(math.inf), st.just(0.0), st.integers(1, 16).map(lambda q: q / 4))
category_names = st.sampled_from(CATEGORIES)
category_codes = st.integers(0, len(CATEGORIES) - 1)
tenths_of_mw = st.integers(1, 20)
up_to_2_mw = st.integers(0, 20).map(lambda x: x / 10)
some_mw = st.integers(1, 20).map(lambda x: x / 10)
min_shares = st.sampled_from([1.0, 1.0, 0.25, 0.5])
efficiency_scores = st.sampled_from([-math.inf, 0.0, 0.5, 0.5, 1.0])  # ties and missing ones


def drawn_reclaim(draw, times: st.SearchStrategy, n: int, n_areas: int) -> Reclaim:
    """A mechanism reviewing at some of ``times``; each review finds those connected by its due.

    Due a whole or half year back, or a little after that (a day's end, as by the calendar),
    so that connections on the shared instants fall on both sides of it.
    """
    review_times = sorted(set(draw(st.lists(times, min_size=1, max_size=4))))
    lookback = draw(st.sampled_from([0.0, 0.5, 1.0]))
    slack = draw(st.sampled_from([0.0, 1 / 365.25]))
    return Reclaim(
        times=review_times,
        area=draw(st.one_of(st.none(), st.integers(0, n_areas - 1))),
        takes_part=np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool),
        mw_share=draw(st.sampled_from([0.25, 0.5, 1.0])),
        due=[t - lookback + slack for t in review_times],
    )


@st.composite
def worlds(draw):
    n_areas = draw(st.integers(1, 3))
    n = draw(st.integers(0, 30))
    times = sorted(draw(st.lists(quarter_years, min_size=n, max_size=n)))
    table = ApplicantTable.from_columns(
        name=[""] * n,
        source=["stream"] * n,
        stream=["s"] * n,
        category=draw(st.lists(category_names, min_size=n, max_size=n)),
        area=[f"a{a}" for a in draw(st.lists(st.integers(0, n_areas - 1), min_size=n,
                                              max_size=n))],
        request_time=np.array(times, dtype=float),
        demand_mw=np.zeros(n),
        requested_mw=np.array(draw(st.lists(tenths_of_mw, min_size=n, max_size=n)),
                              dtype=float) / 10,
        self_supply=np.zeros(n),
        jobs=np.zeros(n, dtype=np.int64),
        priority_requested=np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)),
                                    dtype=bool),
        patience_years=np.array(draw(st.lists(maybe_inf, min_size=n, max_size=n))),
        lifetime_years=np.array(draw(st.lists(maybe_inf, min_size=n, max_size=n))),
    )
    shares = np.array(draw(st.lists(min_shares, min_size=n, max_size=n)))
    if not draw(st.booleans()):
        shares[:] = 1.0  # half the worlds without partial offers
    shares[table.lifetime_years < math.inf] = 1.0  # partial offers only to permanent ones
    scores = np.array(draw(st.lists(efficiency_scores, min_size=n, max_size=n)))
    table = replace(table, demand_mw=table.requested_mw, partial_min_share=shares,
                    efficiency=scores)
    upstream = draw(st.one_of(st.none(), st.integers(0, 30).map(lambda x: x / 10)))
    targets = list(range(n_areas)) + ([UPSTREAM] if upstream is not None else [])
    steps = draw(st.lists(
        st.builds(CapacityStep, from_start, st.sampled_from(targets), some_mw),
        max_size=5))
    grid = GridSetup(
        areas=[f"a{i}" for i in range(n_areas)],
        capacity_mw=draw(st.lists(up_to_2_mw, min_size=n_areas, max_size=n_areas)),
        upstream_capacity_mw=upstream,
        steps=steps,
        reclaims=[drawn_reclaim(draw, before_horizon, n, n_areas)
                  for _ in range(draw(st.integers(0, 2)) if draw(st.booleans()) else 0)],
    )
    if draw(st.booleans()):  # half the worlds with non-firm pools
        accepts = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        table = replace(
            table, non_firm_right=np.where(accepts, 0, -1).astype(np.int64),
            keeps_firm_place=np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)),
                                      dtype=bool))
        grid = replace(grid, non_firm=NonFirmSetup(
            pool_mw=draw(st.lists(up_to_2_mw, min_size=n_areas, max_size=n_areas)),
            steps=draw(st.lists(st.builds(CapacityStep, from_start, st.integers(0, n_areas - 1),
                                          some_mw),
                                max_size=3)),
            order=draw(st.sampled_from(NON_FIRM_ORDERS)), rights=["r"], hours_share=[0.5]))
    regime_times = [0.0] + sorted(set(draw(st.lists(after_start, max_size=2))))
    regimes = [
        Regime(t, draw(any_policy), draw(allocations), draw(any_rounds))
        for t in regime_times
    ]
    change_times = sorted(set(draw(st.lists(after_start, max_size=2))))
    timeline = [(t, np.array(draw(st.lists(category_codes, min_size=n, max_size=n)),
                             dtype=np.int32))
                for t in change_times]
    return table, grid, with_categories(regimes, timeline)


def policies():
    """A registered policy; social priority ranks some categories by efficiency at times."""
    by_efficiency = st.dictionaries(st.sampled_from(CATEGORIES), st.just("efficiency"))
    return st.sampled_from(sorted(POLICIES)).flatmap(
        lambda name: by_efficiency.map(lambda within: POLICIES[name](within_category=within))
        if POLICIES[name].ranks_within_category else st.just(POLICIES[name]()))


def rounds():
    """No rounds (most often), or rounds at a few shared instants."""
    schedule = st.builds(
        RoundSchedule,
        st.frozensets(before_horizon, min_size=1, max_size=3),
        st.frozensets(st.integers(0, len(CATEGORIES) - 2), max_size=3))
    return st.one_of(st.none(), st.none(), schedule)


any_policy = policies()
any_rounds = rounds()
allocations = st.sampled_from(["strict", "first_fit"])


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
    full = ~np.isnan(out.full_connect_time)
    held_from = np.where(full, out.full_connect_time, out.connect_time)  # firm, else non-firm
    assert np.all(out.release_time[released] == held_from[released]
                  + table.lifetime_years[released])
    left_for_right = check_non_firm(table, grid, regimes, out)
    # when they left: on getting the right, which may follow a partial first connection
    left_at = np.full(n, np.nan) if out.non_firm is None else out.non_firm.time

    assert np.all(connected[full])
    assert np.all(out.full_connect_time[full] >= out.connect_time[full])
    in_parts = {i for _, i, _ in out.grants}  # the others connected whole, at once
    grants = out.grants + [(out.full_connect_time[i], i, table.requested_mw[i])
                           for i in np.flatnonzero(full).tolist() if i not in in_parts]
    assert all(mw < table.requested_mw[i] for _, i, mw in out.grants)
    granted = np.zeros(n)
    for _, i, mw in grants:
        assert mw > 0
        granted[i] += mw
    # no MW created or lost: connections add up to the request once it is connected in full
    taken = np.zeros(n)
    for _, i, mw in out.reclaimed:
        assert mw > 0
        taken[i] += mw
    np.testing.assert_allclose(granted - taken, out.connected_mw, atol=TOL)
    assert np.all(granted <= table.requested_mw + TOL)
    np.testing.assert_allclose(granted[full], table.requested_mw[full], atol=TOL)
    # nobody connected twice: no grant after the connection in full
    assert all(not full[i] or when <= out.full_connect_time[i] for when, i, _ in grants)
    assert np.all(np.isnan(out.withdraw_time[granted > 0]))  # partly connected never withdraw
    # what is still in the firm queue at the end: the rest of every request not yet connected
    # in full, of those who neither withdrew nor left the queue for a right; nothing else
    # (as applicants.csv has it: the engine leaves it to the records where nothing resizes)
    in_line = ~full & np.isnan(out.withdraw_time) & ~left_for_right
    waiting_mw = applicant_records(0, table, out, dt.date(2020, 1, 1), HORIZON)["waiting_mw"]
    np.testing.assert_allclose(waiting_mw.to_numpy(),
                               np.where(in_line, table.requested_mw - granted, 0.0), atol=TOL)

    def held_mw(t: float) -> np.ndarray:
        """MW each applicant holds just after the allocation at time t."""
        held = np.zeros(n)
        for when, i, mw in grants:
            if when <= t:
                held[i] += mw
        for when, i, mw in out.reclaimed:
            if when <= t:
                held[i] -= mw
        held[released & (out.release_time <= t)] = 0.0
        return held

    def waiting(t: float) -> np.ndarray:
        """Applicants still in the queue just after the allocation at time t."""
        return ((arrival <= t) & ~(full & (out.full_connect_time <= t))
                & ~(withdrawn & (out.withdraw_time <= t))
                & ~(left_for_right & (left_at <= t)))

    for t in sorted({when for when, _, _ in grants} | {HORIZON}):
        assert np.all(held_mw(t) >= -TOL)
        held = held_mw(t)
        for a in range(len(grid.areas)):
            assert held[area == a].sum() <= capacity_at(grid, a, t) + TOL
        if grid.upstream_capacity_mw is not None:
            assert held.sum() <= capacity_at(grid, UPSTREAM, t) + TOL
    ranks_of = {id(r): r.policy.ranks(table_under(table, r)) for r in regimes}
    between_of = {id(r): np.array(served_between_rounds(table, r), dtype=bool) for r in regimes}

    def lines(regime: Regime, t: float) -> list[np.ndarray]:
        """Who the regime serves at t, line by line.

        At a round everyone, then those served between rounds (a strict round may block
        them); otherwise these alone.
        """
        if regime.rounds is not None and t in regime.rounds.times:
            return [np.ones(n, dtype=bool), between_of[id(regime)]]
        return [between_of[id(regime)]]

    first_firm = np.full(n, np.inf)  # the first firm connection, partial or whole
    for when, i, _ in grants:
        first_firm[i] = min(first_firm[i], when)
    for i in np.flatnonzero(first_firm < np.inf):
        t = first_firm[i]
        regime = regime_at(regimes, t)
        served_in = [line for line in lines(regime, t) if line[i]]
        assert served_in, f"{i} connected at {t} between rounds"
        if regime.allocation != "strict":
            continue
        ranks = ranks_of[id(regime)]
        ahead = waiting(t) & (area == area[i]) & (ranks < ranks[i])
        assert any(not (ahead & line).any() for line in served_in), \
            f"{i} connected at {t} while {np.flatnonzero(ahead)} waited"
    # after every instant at which anything happens, and so at the end, nobody who waits
    # could be connected: the allocation ran, and none of its shortcuts skipped a connection
    instants = {0.0, *arrival.tolist(), *(when for when, _, _ in grants),
                *out.withdraw_time[withdrawn].tolist(), *out.release_time[released].tolist(),
                *(max(s.time, 0.0) for s in grid.steps), *(r.time for r in regimes),
                *(t for r in regimes if r.rounds for t in r.rounds.times),
                *(t for reclaim in grid.reclaims for t in reclaim.times)}
    for t in sorted(x for x in instants if x < HORIZON):
        regime = regime_at(regimes, t)
        ranks = ranks_of[id(regime)]
        held = held_mw(t)
        upstream_free = math.inf if grid.upstream_capacity_mw is None else (
            capacity_at(grid, UPSTREAM, t) - held.sum())
        least = np.minimum(table.requested_mw - held,
                           table.partial_min_share * table.requested_mw)
        for a, line in ((a, line) for a in range(len(grid.areas)) for line in lines(regime, t)):
            mine = np.flatnonzero(waiting(t) & line & (area == a))
            if not len(mine):
                continue
            free = min(capacity_at(grid, a, t) - held[area == a].sum(), upstream_free)
            candidates = (mine if regime.allocation == "first_fit"
                          else [mine[np.argmin(ranks[mine])]])
            fitting = [j for j in candidates
                       if least[j] <= free + FIT_TOLERANCE_MW - TOL]
            assert not fitting, f"{fitting} still waited at {t} with {free} MW free in area {a}"
    assert n == len(out.connect_time)
    # the category each leaves with is the one in force when it leaves (or at the end)
    exit_time = np.where(full, out.full_connect_time,
                         np.where(withdrawn, out.withdraw_time,
                                  np.where(left_for_right, left_at, HORIZON)))
    for i in range(n):
        in_force = regime_at(regimes, exit_time[i]).categories
        expected = table.category_code[i] if in_force is None else in_force[i]
        assert out.final_category[i] == expected, f"{i} left as {out.final_category[i]}"


def check_non_firm(
    table: ApplicantTable, grid: GridSetup, regimes: list[Regime], out: Trajectory
) -> np.ndarray:
    """The invariants of non-firm rights; who left the firm queue for a right."""
    n = len(table)
    nf = out.non_firm
    if grid.non_firm is None:
        assert nf is None
        return np.zeros(n, dtype=bool)
    assert nf is not None
    holds = ~np.isnan(nf.time)
    arrival = np.maximum(table.request_time, 0.0)
    accepts = table.non_firm_right >= 0
    assert np.all(accepts[holds])
    assert np.all(np.isnan(out.withdraw_time[holds]))  # a holder never withdraws
    assert np.all(nf.time[holds] >= arrival[holds])
    # Before its patience ends, unless partly connected first (then it no longer withdraws).
    waited = holds & ~(out.connect_time < nf.time)
    assert np.all(nf.time[waited] < (arrival + table.patience_years)[waited])
    assert np.all(out.connect_time[holds] <= nf.time[holds])  # its first connection, or later
    full = ~np.isnan(out.full_connect_time)
    assert np.all(nf.time[holds & full] <= out.full_connect_time[holds & full])
    np.testing.assert_array_equal(nf.moved, holds & full)
    np.testing.assert_array_equal(nf.end[nf.moved], out.full_connect_time[nf.moved])
    np.testing.assert_array_equal(nf.kept, holds & table.keeps_firm_place)
    assert not np.any(nf.moved & ~nf.kept)  # only one who kept its place moves to firm
    left = holds & ~table.keeps_firm_place
    assert not np.any(full[left])  # one who left the firm queue never connects firm
    shares = np.concatenate([nf.hours_share[holds], nf.mw_share[holds]])
    assert np.all((shares > 0) & (shares <= 1 + TOL))
    assert np.all(np.isnan(nf.mw[~holds]))
    if grid.non_firm.order != "policy":
        return left
    area = np.array([grid.areas.index(a) for a in table.area])

    def pool_at(a: int, t: float) -> float:
        steps = grid.non_firm.steps
        return grid.non_firm.pool_mw[a] + sum(s.add_mw for s in steps
                                              if s.area == a and max(s.time, 0.0) <= t)

    def rights_at(t: float) -> np.ndarray:
        """Who holds a right just after the allocation at time t."""
        return holds & (nf.time <= t) & ~(nf.end <= t)

    instants = {0.0, *arrival.tolist(), *nf.time[holds].tolist(),
                *nf.end[~np.isnan(nf.end)].tolist(),
                *out.full_connect_time[full].tolist(),
                *out.withdraw_time[~np.isnan(out.withdraw_time)].tolist(),
                *(max(s.time, 0.0) for s in grid.non_firm.steps), *(r.time for r in regimes)}
    held_mw = np.nan_to_num(nf.mw)
    for t in sorted(x for x in instants if x < HORIZON):
        holding = rights_at(t)
        regime = regime_at(regimes, t)
        ranks = regime.policy.ranks(table_under(table, regime))
        in_line = (accepts & (arrival <= t) & ~(holds & (nf.time <= t))
                   & ~(full & (out.full_connect_time <= t))
                   & ~(~np.isnan(out.withdraw_time) & (out.withdraw_time <= t)))
        for a in range(len(grid.areas)):
            used = held_mw[holding & (area == a)].sum()
            assert used <= pool_at(a, t) + TOL, f"rights above the pool in area {a} at {t}"
            mine = np.flatnonzero(in_line & (area == a))
            if not len(mine) or regime.rounds is not None:
                continue  # the rest each waits for may have shrunk in part (rounds: see above)
            candidates = mine if regime.allocation == "first_fit" \
                else [mine[np.argmin(ranks[mine])]]
            free = pool_at(a, t) - used
            fitting = [j for j in candidates if table.requested_mw[j] <= free - TOL
                       and table.partial_min_share[j] == 1.0]
            assert not fitting, f"{fitting} could have had a right at {t} in area {a}"
    return left


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_invariants_hold_in_random_worlds(world):
    """Capacity, outcomes, timing and strict order hold for any small world."""
    table, grid, regimes = world
    trajectory = simulate(table, grid, regimes, HORIZON, snapshot_times=[0.0, 1.0])
    check(table, grid, regimes, trajectory)


def test_a_partly_connected_applicant_may_get_a_right_after_its_patience():
    """Partly connected at 0, A no longer withdraws: its right at 0.25 comes as patience ends.

    capacity 1.2 MW, +0.5 MW at 0.25; a pool of 0.1 MW. A asks 1.8 MW at 0 (partial offers of
    at least a quarter, patience 0.25): 1.2 MW at 0, 0.5 MW at 0.25, and the last 0.1 MW as a
    right from the pool that same instant.
    """
    table = ApplicantTable.from_columns(
        name=["A"], source=["project"], stream=["project"], category=["other"], area=["main"],
        request_time=np.zeros(1), demand_mw=np.array([1.8]), requested_mw=np.array([1.8]),
        self_supply=np.zeros(1), jobs=np.zeros(1, dtype=np.int64),
        priority_requested=np.zeros(1, dtype=bool), patience_years=np.array([0.25]),
        lifetime_years=np.array([math.inf]))
    table = replace(table, partial_min_share=np.array([0.25]), non_firm_right=np.array([0]),
                    keeps_firm_place=np.zeros(1, dtype=bool))
    grid = GridSetup(areas=["main"], capacity_mw=[1.2], upstream_capacity_mw=None,
                     steps=[CapacityStep(0.25, 0, 0.5)],
                     non_firm=NonFirmSetup(pool_mw=[0.1], steps=[], order="policy",
                                           rights=["r"], hours_share=[0.5]))
    regimes = [Regime(0.0, POLICIES["fifo"](), "strict")]
    trajectory = simulate(table, grid, regimes, HORIZON, snapshot_times=[])
    assert trajectory.connect_time[0] == 0.0 and trajectory.non_firm.time[0] == 0.25
    assert math.isnan(trajectory.withdraw_time[0])
    check(table, grid, regimes, trajectory)


def test_one_leaving_for_a_right_after_a_partial_connection_leaves_with_the_new_category():
    """Partly connected at 0, A leaves the firm queue for a right at 0.25, as categories change.

    capacity 1.2 MW; A asks 1.3 MW at 0 (partial offers of at least a quarter) and takes 1.2
    MW; a pool of none grows by 0.1 MW at 0.25, when new definitions make A congestion
    relief: new definitions come first in their instant, so A leaves (for the right) in the
    new category. The checks took A's partial connection for when it left.
    """
    table = ApplicantTable.from_columns(
        name=["A"], source=["project"], stream=["project"], category=["other"], area=["main"],
        request_time=np.zeros(1), demand_mw=np.array([1.3]), requested_mw=np.array([1.3]),
        self_supply=np.zeros(1), jobs=np.zeros(1, dtype=np.int64),
        priority_requested=np.zeros(1, dtype=bool), patience_years=np.array([math.inf]),
        lifetime_years=np.array([math.inf]))
    table = replace(table, partial_min_share=np.array([0.25]), non_firm_right=np.array([0]),
                    keeps_firm_place=np.zeros(1, dtype=bool))
    grid = GridSetup(areas=["main"], capacity_mw=[1.2], upstream_capacity_mw=None, steps=[],
                     non_firm=NonFirmSetup(pool_mw=[0.0], steps=[CapacityStep(0.25, 0, 0.1)],
                                           order="policy", rights=["r"], hours_share=[0.5]))
    relief = CATEGORIES.index("congestion_relief")
    regimes = [Regime(0.0, POLICIES["fifo"](), "strict"),
               Regime(0.25, POLICIES["fifo"](), "strict", categories=np.array([relief]))]
    trajectory = simulate(table, grid, regimes, HORIZON, snapshot_times=[])
    assert trajectory.connect_time[0] == 0.0 and trajectory.non_firm.time[0] == 0.25
    assert trajectory.final_category[0] == relief
    check(table, grid, regimes, trajectory)
