"""A reference model: the allocation rules applied the slow, obvious way, for comparison.

At every instant at which anything happens, it first applies everything that happens then
(arrivals, withdrawals, ends of connections, upgrades, the policy in force), then serves the
queues in full: the best-ranked candidate of any area connects, and again, until nobody fits.
Connections that end at once are applied and the queues served again. No shortcuts, no
calendar, no queue structures: what the engine must equal, applicant by applicant.

Partial offers: a candidate is one whose rest, or whose minimum share of its request, fits; it
takes its rest if that fits, else all that is free, and waits for the rest in its place; once
partly connected it no longer withdraws, even once a mechanism has taken back all it held.

Capacity-release mechanisms: at each review, before anything else of the instant, every user
connected long enough and not reviewed before is reviewed once; those who take part give up a
share of the MW they hold. A connection that ends frees what it holds.

Non-firm rights: after every serving of the firm queues, each area's pool serves those still
waiting firm who accept a right and hold none, in the policy's order (strict: the head of
that line only): in policy order while the rest they wait for fits what the pool has left, or,
when the pool is shared (rotation, proportional), everyone while the pool has any MW. One who
keeps its firm place stays in the firm queue and, connected there in full, gives its right
back; one who does not leaves the firm queue and holds the right for its lifetime (and the
firm queues are served again: it may have blocked their head). A holder does not withdraw.

Rules that change on a date: each regime ranks everyone with the categories in force (the
table's categories replaced); under allocation in rounds, only applicants with priority in a
category served between rounds are candidates, except at the instant of a round. New
category definitions come first in their instant: everyone who has not yet connected in full,
withdrawn or left for a right takes them, even one who does so at that very instant.

Idle capacity: between two instants, each area's free capacity (its own or upstream's, the
smaller) counts as idle if it is above the fit tolerance and someone waits there, for the
area and for each category with someone waiting (categories as the rules in force give them).
The grid's, in all and by category: the idle capacity of the areas summed, at most the
upstream's free MW.

Social priority is ranked here from its definition, one applicant at a time: category order
(priority on request only), then, in a category ranked by efficiency, the scored applicants
best first and the unscored after them, then request order. Other policies rank themselves.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from sim.engine.capacity import FIT_TOLERANCE_MW, UPSTREAM
from sim.engine.model import GridSetup, Regime
from sim.engine.resizing import SMALLEST_PART_MW
from sim.inputs.applicants import CATEGORIES, ApplicantTable, Labels
from sim.policies.builtin import SocialPriorityPolicy


def table_under(table: ApplicantTable, regime: Regime) -> ApplicantTable:
    """The table as the regime sees it: each applicant with the category in force."""
    if regime.categories is None:
        return table
    return replace(table, labels={**table.labels,
                                  "category": Labels(regime.categories, CATEGORIES)})


def policy_ranks(table: ApplicantTable, regime: Regime) -> list[int]:
    """Each applicant's place in line under the regime's policy (0 is served first)."""
    seen = table_under(table, regime)
    policy = getattr(regime.policy, "policy", regime.policy)  # unwrapped from its guard
    if not isinstance(policy, SocialPriorityPolicy):
        return policy.ranks(seen).tolist()
    keys = []
    for i, (category, asked, score) in enumerate(zip(
            seen.category.tolist(), seen.priority_requested.tolist(),
            seen.efficiency.tolist(), strict=True)):
        queued_as = category if asked else "other"
        if queued_as not in policy.by_efficiency:
            within: tuple[int, float] = (0, 0.0)
        elif score == -math.inf:
            within = (1, 0.0)  # no score: after every scored applicant of the category
        else:
            within = (0, -score)
        keys.append((policy.category_order.index(queued_as), *within, i))
    line = sorted(range(len(keys)), key=keys.__getitem__)
    return [line.index(i) for i in range(len(keys))]


def served_between_rounds(table: ApplicantTable, regime: Regime) -> list[bool]:
    """Who the regime serves outside a round: everyone, unless it allocates in rounds."""
    if regime.rounds is None:
        return [True] * len(table)
    seen = table_under(table, regime)
    return [bool(p) and int(c) in regime.rounds.between_rounds
            for p, c in zip(seen.priority_requested, seen.category_code, strict=True)]


def reference_outcomes(
    table: ApplicantTable, grid: GridSetup, regimes: list[Regime], horizon: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Connection, withdrawal and release time of every applicant (NaN where none)."""
    run = reference_run(table, grid, regimes, horizon)
    return run["connect"], run["withdraw"], run["release"]


def reference_run(
    table: ApplicantTable, grid: GridSetup, regimes: list[Regime], horizon: float,
    snapshot_times: tuple[float, ...] = (),
) -> dict[str, Any]:
    """Every applicant's dates, MW held last and right; idle MW-years by area and category.

    Dates: first connection, withdrawal, release and full connection. ``non_firm_usable`` is
    the share of its right a holder could use, averaged over its hold (NaN for a hold of no
    length, or none). ``final_category`` is each one's category under the last definitions in
    force while it still waited (or had yet to ask). ``snapshots`` are the
    rows of the timeseries at each of ``snapshot_times`` and at the horizon, as the engine's.
    """
    n = len(table)
    arrival = [max(t, 0.0) for t in table.request_time.tolist()]
    requested = table.requested_mw.tolist()
    patience, lifetime = table.patience_years.tolist(), table.lifetime_years.tolist()
    area = [grid.areas.index(a) for a in table.area.tolist()]
    ranks = {id(r): policy_ranks(table, r) for r in regimes}
    between = {id(r): served_between_rounds(table, r) for r in regimes}
    connect, withdraw, release = [math.nan] * n, [math.nan] * n, [math.nan] * n
    full, held = [math.nan] * n, [0.0] * n
    rest = list(requested)
    share_mw = [min(mw, max(share * mw, SMALLEST_PART_MW)) for share, mw in
                zip(table.partial_min_share.tolist(), requested, strict=True)]
    capacity, used = list(grid.capacity_mw), [0.0] * len(grid.areas)
    upstream = math.inf if grid.upstream_capacity_mw is None else grid.upstream_capacity_mw
    upstream_used = 0.0
    waiting: set[int] = set()
    ending: dict[float, list[int]] = {}
    nf = grid.non_firm
    pool = [0.0] * len(grid.areas) if nf is None else list(nf.pool_mw)
    pool_used = [0.0] * len(grid.areas)
    accepts = [r >= 0 for r in table.non_firm_right.tolist()]
    keeps = table.keeps_firm_place.tolist()
    right_start, right_end, right_mw = [math.nan] * n, [math.nan] * n, [0.0] * n
    moved = [False] * n
    right_ending: dict[float, list[int]] = {}
    pool_steps = [] if nf is None else [(max(s.time, 0.0), s) for s in nf.steps if s.time < horizon]

    def serve_pools(now: float, rank: list[int], allocation: str) -> bool:
        """Grant rights in policy order (see the module's docstring); whether one left."""
        nonlocal pending
        left = False
        for a in range(len(grid.areas)):
            line = sorted((i for i in waiting if area[i] == a and accepts[i]
                           and math.isnan(right_start[i])), key=rank.__getitem__)
            while line:
                shared = nf is not None and nf.order != "policy"
                room = (math.inf if pool[a] > 0 else -math.inf) if shared \
                    else pool[a] - pool_used[a] + FIT_TOLERANCE_MW
                heads = line[:1] if allocation == "strict" else line
                fits = [i for i in heads if rest[i] <= room]
                if not fits:
                    break
                i = fits[0]
                line.remove(i)
                right_start[i], right_mw[i] = now, rest[i]
                usable_at_start[i] = usable[a]
                pool_used[a] += rest[i]
                if math.isnan(connect[i]):
                    connect[i] = now
                if not keeps[i]:
                    left = True
                    waiting.discard(i)
                    end = now + lifetime[i]
                    if end < horizon:
                        right_ending.setdefault(end, []).append(i)
                        if end not in pending and end != now:
                            pending = sorted([*pending, end])
        return left

    steps = [(max(s.time, 0.0), s) for s in grid.steps if s.time < horizon]
    instants = set(arrival) | {t for t, _ in steps} | {r.time for r in regimes}
    instants |= {t for t, _ in pool_steps}
    instants |= {t for r in regimes if r.rounds for t in r.rounds.times}
    instants |= {t for reclaim in grid.reclaims for t in reclaim.times}
    reviewed = [[False] * n for _ in grid.reclaims]
    instants |= {a + p for a, p in zip(arrival, patience, strict=True)}
    instants |= set(snapshot_times)
    pending = sorted(t for t in instants if t < horizon)
    idle = [[0.0] * len(CATEGORIES) for _ in grid.areas]
    snapshots: list[tuple[Any, ...]] = []

    def record_snapshot(now: float) -> None:
        """The timeseries rows: each area's capacity and queue, then upstream's if any."""
        categories = table.category_code if in_force.categories is None \
            else in_force.categories
        rows = []
        for a, name in enumerate(grid.areas):
            mine = [i for i in waiting if area[i] == a]
            counts = [sum(1 for i in mine if categories[i] == c) for c in range(len(CATEGORIES))]
            mw = [sum(rest[i] for i in mine if categories[i] == c)
                  for c in range(len(CATEGORIES))]
            rows.append((now, name, capacity[a], used[a],
                         min(capacity[a] - used[a], upstream - upstream_used), *counts, *mw,
                         pool[a], pool_used[a]))
        snapshots.extend(rows)
        if grid.upstream_capacity_mw is not None:
            totals = [sum(row[5 + c] for row in rows) for c in range(2 * len(CATEGORIES))]
            snapshots.append((now, "upstream", upstream, upstream_used,
                              upstream - upstream_used, *totals, sum(pool), sum(pool_used)))
    idle_any = [0.0] * len(grid.areas)
    idle_grid = [0.0] * len(CATEGORIES)
    idle_grid_any = 0.0
    last, in_force = 0.0, regimes[0]
    final_category = (table.category_code if in_force.categories is None
                      else in_force.categories).tolist()

    usable = [0.0] * len(grid.areas)  # integral of the share of its right a holder can use
    usable_at_start, usable_mean = [math.nan] * n, [math.nan] * n

    def end_usable(i: int, now: float) -> None:
        """The share of its right ``i`` could use, averaged over a hold of positive length."""
        if now > right_start[i]:
            usable_mean[i] = (usable[area[i]] - usable_at_start[i]) / (now - right_start[i])

    def accrue_idle(until: float) -> None:
        """Idle MW-years from ``last`` to ``until``, in the state the last instant left."""
        nonlocal idle_grid_any
        categories = table.category_code if in_force.categories is None \
            else in_force.categories
        for a in range(len(grid.areas)):  # oversubscribed, a pool is shared out
            usable[a] += (until - last) * (1.0 if pool_used[a] <= pool[a] + FIT_TOLERANCE_MW
                                           else pool[a] / pool_used[a])
        for a in range(len(grid.areas)):
            free = min(capacity[a] - used[a], upstream - upstream_used)
            mine = [i for i in waiting if area[i] == a]
            if not mine or free <= FIT_TOLERANCE_MW:
                continue
            idle_any[a] += free * (until - last)
            for c in {int(categories[i]) for i in mine}:
                idle[a][c] += free * (until - last)
        shared = upstream - upstream_used
        idle_grid_any += min(sum(idle_rate(a, None) for a in range(len(grid.areas))),
                             shared) * (until - last)
        for c in range(len(CATEGORIES)):
            idle_grid[c] += min(sum(idle_rate(a, c) for a in range(len(grid.areas))),
                                shared) * (until - last)

    def idle_rate(a: int, c: int | None) -> float:
        """Area ``a``'s free MW if someone (of category ``c``, if given) waits there, else 0."""
        categories = table.category_code if in_force.categories is None \
            else in_force.categories
        free = min(capacity[a] - used[a], upstream - upstream_used)
        waits = any(area[i] == a and (c is None or categories[i] == c) for i in waiting)
        return free if waits and free > FIT_TOLERANCE_MW else 0.0

    while pending:
        now = pending.pop(0)
        accrue_idle(now)
        last = now
        regime = [r for r in regimes if r.time <= now][-1]
        if regime is not in_force and regime.categories is not None:
            for i in range(n):  # new definitions, first thing: for all still waiting
                if (math.isnan(full[i]) and math.isnan(withdraw[i])
                        and (math.isnan(right_start[i]) or keeps[i])):
                    final_category[i] = int(regime.categories[i])
        in_force = regime
        for k, reclaim in enumerate(grid.reclaims):
            if now not in reclaim.times:
                continue
            due = reclaim.due[reclaim.times.index(now)]  # the last connection it finds
            for i in range(n):
                if (held[i] and not reviewed[k][i] and connect[i] <= due
                        and math.isnan(release[i])
                        and reclaim.area in (None, area[i])):
                    reviewed[k][i] = True
                    if reclaim.takes_part[i]:
                        taken = held[i] * reclaim.mw_share
                        held[i] -= taken
                        used[area[i]] -= taken
                        upstream_used -= taken
        for i in range(n):
            if arrival[i] == now:
                waiting.add(i)
        for i in sorted(waiting):
            if arrival[i] + patience[i] == now and math.isnan(connect[i]):  # none yet
                waiting.discard(i)
                withdraw[i] = now
        for t, step in steps:
            if t == now:
                if step.area == UPSTREAM:
                    upstream += step.add_mw
                else:
                    capacity[step.area] += step.add_mw
        for t, step in pool_steps:
            if t == now:
                pool[step.area] += step.add_mw
        regime = in_force
        rank = ranks[id(regime)]
        eligible = between[id(regime)]
        # a round's instant is served twice: everyone, then those served between rounds
        for in_round in ([True, False] if regime.rounds and now in regime.rounds.times
                         else [False]):
            while True:
                for i in ending.pop(now, []):
                    release[i] = now
                    used[area[i]] -= held[i]
                    upstream_used -= held[i]
                for i in right_ending.pop(now, []):
                    right_end[i] = release[i] = now
                    end_usable(i, now)
                    pool_used[area[i]] -= right_mw[i]
                while True:  # one pass: connect the best candidate of any area while one fits
                    best = None
                    for a in range(len(grid.areas)):
                        free = min(capacity[a] - used[a], upstream - upstream_used)
                        mine = sorted((i for i in waiting if area[i] == a
                                       and (in_round or eligible[i])), key=rank.__getitem__)
                        if regime.allocation == "strict":
                            mine = mine[:1]
                        fits = [i for i in mine
                                if min(rest[i], share_mw[i]) <= free + FIT_TOLERANCE_MW]
                        if fits and (best is None or rank[fits[0]] < rank[best]):
                            best = fits[0]
                    if best is None:
                        break
                    free = min(capacity[area[best]] - used[area[best]], upstream - upstream_used)
                    whole = rest[best] <= free + FIT_TOLERANCE_MW
                    grant = rest[best] if whole else free
                    rest[best] -= grant
                    held[best] += grant
                    used[area[best]] += grant
                    upstream_used += grant
                    if math.isnan(connect[best]):
                        connect[best] = now
                    if not whole:
                        continue  # a partial connection: it waits for the rest in its place
                    waiting.discard(best)
                    full[best] = now
                    if right_mw[best] and math.isnan(right_end[best]):  # moves to firm
                        right_end[best], moved[best] = now, True
                        end_usable(best, now)
                        pool_used[area[best]] -= right_mw[best]
                    end = now + lifetime[best]
                    if end < horizon:
                        ending.setdefault(end, []).append(best)
                        if end not in pending and end != now:
                            pending = sorted([*pending, end])
                # one who left the firm queue for a right may have blocked its head: again
                left = serve_pools(now, rank, regime.allocation)
                if not left and not ending.get(now) and not right_ending.get(now):
                    break  # nothing more ends, and nobody left, at this instant
        if now in snapshot_times:
            record_snapshot(now)
    accrue_idle(horizon)
    record_snapshot(horizon)
    for i in range(n):
        if right_mw[i] and math.isnan(right_end[i]):  # held to the end
            end_usable(i, horizon)
    return {"connect": np.array(connect), "withdraw": np.array(withdraw),
            "release": np.array(release), "full_connect": np.array(full),
            "held": np.array(held), "non_firm_start": np.array(right_start),
            "non_firm_end": np.array(right_end), "non_firm_mw": np.array(right_mw),
            "moved_to_firm": np.array(moved),
            "kept_firm_place": np.array([k and not math.isnan(t)
                                         for k, t in zip(keeps, right_start, strict=True)]),
            "idle": np.array(idle),
            "idle_any": np.array(idle_any), "idle_grid": np.array(idle_grid),
            "idle_grid_any": idle_grid_any, "snapshots": snapshots,
            "non_firm_usable": np.array(usable_mean), "final_category": np.array(final_category)}
