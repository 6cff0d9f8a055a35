"""A reference model: the allocation rules applied the slow, obvious way, for comparison.

At every instant at which anything happens, it first applies everything that happens then
(arrivals, withdrawals, ends of connections, upgrades, the policy in force), then serves the
queues in full: the best-ranked candidate of any area connects, and again, until nobody fits.
Connections that end at once are applied and the queues served again. No shortcuts, no
calendar, no queue structures: what the engine must equal, applicant by applicant.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.capacity import FIT_TOLERANCE_MW, UPSTREAM
from sim.engine.model import GridSetup, Regime
from sim.inputs.applicants import ApplicantTable


def reference_outcomes(
    table: ApplicantTable, grid: GridSetup, regimes: list[Regime], horizon: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Connection, withdrawal and release time of every applicant (NaN where none)."""
    n = len(table)
    arrival = [max(t, 0.0) for t in table.request_time.tolist()]
    requested = table.requested_mw.tolist()
    patience, lifetime = table.patience_years.tolist(), table.lifetime_years.tolist()
    area = [grid.areas.index(a) for a in table.area.tolist()]
    ranks = {id(r): r.policy.ranks(table).tolist() for r in regimes}
    connect, withdraw, release = [math.nan] * n, [math.nan] * n, [math.nan] * n
    capacity, used = list(grid.capacity_mw), [0.0] * len(grid.areas)
    upstream = math.inf if grid.upstream_capacity_mw is None else grid.upstream_capacity_mw
    upstream_used = 0.0
    waiting: set[int] = set()
    ending: dict[float, list[int]] = {}

    steps = [(max(s.time, 0.0), s) for s in grid.steps if s.time < horizon]
    instants = set(arrival) | {t for t, _ in steps} | {r.time for r in regimes}
    instants |= {a + p for a, p in zip(arrival, patience, strict=True)}
    pending = sorted(t for t in instants if t < horizon)
    while pending:
        now = pending.pop(0)
        for i in range(n):
            if arrival[i] == now:
                waiting.add(i)
        for i in sorted(waiting):
            if arrival[i] + patience[i] == now:  # patience ends (at once, if it is zero)
                waiting.discard(i)
                withdraw[i] = now
        for t, step in steps:
            if t == now:
                if step.area == UPSTREAM:
                    upstream += step.add_mw
                else:
                    capacity[step.area] += step.add_mw
        regime = [r for r in regimes if r.time <= now][-1]
        rank = ranks[id(regime)]
        while True:
            for i in ending.pop(now, []):
                release[i] = now
                used[area[i]] -= requested[i]
                upstream_used -= requested[i]
            while True:  # one pass: connect the best candidate of any area while one fits
                best = None
                for a in range(len(grid.areas)):
                    free = min(capacity[a] - used[a], upstream - upstream_used)
                    mine = sorted((i for i in waiting if area[i] == a), key=rank.__getitem__)
                    if regime.allocation == "strict":
                        mine = mine[:1]
                    fits = [i for i in mine if requested[i] <= free + FIT_TOLERANCE_MW]
                    if fits and (best is None or rank[fits[0]] < rank[best]):
                        best = fits[0]
                if best is None:
                    break
                waiting.discard(best)
                connect[best] = now
                used[area[best]] += requested[best]
                upstream_used += requested[best]
                end = now + lifetime[best]
                if end < horizon:
                    ending.setdefault(end, []).append(best)
                    if end not in pending and end != now:
                        pending = sorted([*pending, end])
            if not ending.get(now):
                break  # nothing more ends at this instant
    return np.array(connect), np.array(withdraw), np.array(release)
