"""Why room added in one area may change nothing: the shared upstream limit it stands behind.

Behind a shared upstream limit, an area's applicants can use its own free capacity only while
the upstream has room too. A planner who gives Zeewolde/Dronten 20 MW more of its own read
"about the same" in every category, and nothing said why: the upstream had no room. Here that
is read from ``timeseries.csv``, which gives each month every area's capacity, the MW connected
in it and the capacity free to it (the smaller of its own and the upstream's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from sim.inputs.scenario import Scenario

__all__ = ["UPSTREAM", "upstream_items", "upstream_share"]

UPSTREAM = "upstream"
"""The name ``timeseries.csv`` gives the shared upstream limit's rows."""

TOLERANCE_MW = 1e-6
"""Room below this is no room: what rounding leaves of a full area."""


def upstream_share(timeseries: pd.DataFrame, area: str) -> float | None:
    """The share of the months someone waited in ``area`` in which the upstream held it back.

    Held back: the capacity free to the area (``free_mw``) was less than its own room
    (``capacity_mw - connected_mw``), so the upstream limit, not the area's own capacity,
    bounded what its applicants could be given. Counted over every replication's monthly
    rows. None where nobody ever waited there.
    """
    rows = timeseries[(timeseries["area"] == area) & (timeseries["queue_total"] > 0)]
    if rows.empty:
        return None
    own = rows["capacity_mw"] - rows["connected_mw"]
    return float((own - rows["free_mw"] > TOLERANCE_MW).mean())


def upstream_items(pairs: Iterable[tuple[str, str]], scenarios: Mapping[str, Scenario],
                   timeseries: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], list[str]]:
    """For each pair, an answer's item per area whose own capacity or upgrades its variant changes.

    Only for grids with a shared upstream limit in both scenarios, and only where the
    upstream held that area back in at least one month someone waited there: 'behind the
    shared upstream limit, zeewolde_dronten: zd_more changes the area's own capacity or
    upgrades, but the upstream left it less room than its own in 100% of the months someone
    waited there (areas: 100%); then room of the area's own could not be used, so a change
    to it could not show' ('could show only in the other months' where it was held back in
    some months only). Keyed by (variant, reference), for the pair's answer to end with.
    """
    items: dict[tuple[str, str], list[str]] = {}
    for variant, reference in pairs:
        mine, theirs = scenarios[variant].grid, scenarios[reference].grid
        if mine.upstream is None or theirs.upstream is None:
            continue
        ours, others = mine.resolved_areas, theirs.resolved_areas
        released = {label: _released_before_the_run(scenarios[label], list(ours))
                    for label in (variant, reference)}
        for area in [a for a in ours if a in others]:
            what = [words for words, changed in (
                ("capacity or upgrades", ours[area] != others[area]),
                ("MW released by users connected before the run (existing_mw of "
                 "capacity_releases)",
                 released[variant].get(area) != released[reference].get(area))) if changed]
            if not what:
                continue
            shares = {label: upstream_share(timeseries[label], area)
                      for label in (variant, reference)}
            before, held = shares[reference], shares[variant]
            if not held:
                continue
            could = ("so a change to it could not show" if held >= 1 else
                     "so a change to it could show only in the other months")
            items.setdefault((variant, reference), []).append(
                f"behind the shared upstream limit, {area}: {variant} changes the area's own "
                f"{' and '.join(what)}, but the upstream left it less room than its own in "
                f"{held:.0%} of the months someone waited there ({reference}: "
                f"{'nobody waited there' if before is None else f'{before:.0%}'}); then room "
                f"of the area's own could not be used, {could} "
                "(timeseries.csv: free_mw against capacity_mw less connected_mw)")
    return items


def _released_before_the_run(scenario: Scenario,
                             areas: list[str]) -> dict[str, list[tuple[Any, float]]]:
    """Per area, the steps of its own capacity that users connected before the run release.

    A capacity release's ``existing_mw`` frees ``existing_mw * user_share * mw_share`` at its
    first review, in its area or split evenly over them all, and raises the areas' own
    capacity only: behind a full upstream limit, as room added to an area, it may not show.
    """
    steps: dict[str, list[tuple[Any, float]]] = {area: [] for area in areas}
    for release in scenario.capacity_releases:
        mw = release.existing_mw * release.user_share * release.mw_share
        if not mw > 0:
            continue
        into = [release.area] if release.area is not None else areas
        for area in into:
            steps.setdefault(area, []).append((release.start, mw / len(into)))
    return {area: sorted(step) for area, step in steps.items()}
