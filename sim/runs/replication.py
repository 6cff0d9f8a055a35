"""One replication, start to finish: draw the world, simulate, tabulate.

A pure function of (scenario, replication index), which is what makes results independent of
the workers.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.engine.capacity import UPSTREAM
from sim.engine.model import (
    CapacityStep,
    GridSetup,
    NonFirmSetup,
    Reclaim,
    Regime,
    RoundSchedule,
    Trajectory,
    simulate,
)
from sim.engine.rules import with_categories
from sim.inputs.applicants import CATEGORIES, ApplicantTable
from sim.inputs.loading import build_policy, load_waiting_rows
from sim.inputs.rng import RandomStreams, upgrade_keys
from sim.inputs.scenario import DAYS_PER_YEAR, CapacityRelease, Scenario, Upgrade, add_months
from sim.inputs.sources import category_timeline, generate_applicants, source_rows
from sim.inputs.waiting_list_csv import WaitingRows
from sim.policies.checked import CheckedPolicy
from sim.runs.areas import area_metrics, freed_by_area
from sim.runs.metrics import replication_metrics
from sim.runs.observed import observed_values
from sim.runs.records import applicant_records, dated_years, timeseries_records
from sim.runs.spool import EncodedRows
from sim.runs.unused_settings import UnusedSettings

__all__ = [
    "check_policies",
    "participation",
    "with_capacity_releases",
    "ReplicationOutput", "grid_setup", "regimes", "run_replication",
    "snapshot_times",
]


@dataclass(frozen=True)
class ReplicationOutput:
    """The tables of one replication."""

    replication: int
    applicants: pd.DataFrame | EncodedRows
    """Every applicant's row; encoded (:mod:`sim.runs.spool`) when made in another process."""
    projects: pd.DataFrame
    """The rows of the named projects and of a waiting-list CSV's named rows, as in
    ``applicants``."""
    timeseries: pd.DataFrame
    metrics: pd.DataFrame
    area_metrics: pd.DataFrame
    """The key figures by area (:func:`sim.runs.areas.area_metrics`; none for one area)."""
    observed: np.ndarray
    """The simulated value of each of the scenario's published observations (none: empty),
    counted here from the rows while they are a DataFrame: a run of many replications need
    not decode its rows again to compare the model with the data."""
    warnings: tuple[str, ...] = ()
    """What checking the user's policies before it warned of, in the process that ran it:
    said again in the caller's (:func:`sim.runs.runner.run_replications`), which a worker
    process's own warnings would not reach."""


def run_replication(
    scenario: Scenario, replication: int, waiting_rows: WaitingRows | None = None
) -> ReplicationOutput:
    """Simulate replication ``replication`` of ``scenario``.

    ``waiting_rows``: the rows of the scenario's waiting-list CSV, read once by a caller that
    runs many replications; if not given they are read here, so that no caller can leave the
    list's applicants out (calibration's candidates once did).
    """
    if waiting_rows is None:
        waiting_rows = load_waiting_rows(scenario)
    streams = RandomStreams(scenario.seed, replication)
    table = generate_applicants(scenario, streams, waiting_rows)
    grid = with_capacity_releases(grid_setup(scenario, streams), scenario, streams, table,
                                  waiting_rows)
    trajectory = simulate(
        table,
        grid,
        with_categories(regimes(scenario, replication), category_timeline(scenario, table)),
        scenario.horizon_years,
        snapshot_times(scenario),
    )
    applicants = applicant_records(
        replication, table, trajectory, scenario.start, scenario.horizon_years
    )
    idle = trajectory.idle_by_category_mw_years
    freed, freed_areas = freed_mw(grid, trajectory, table, scenario.horizon_years)
    requested = dated_years(table.request_time)  # as applicants.csv dates them
    metrics = replication_metrics(
        applicants,
        requested,
        scenario.horizon_years,
        idle_by_category=dict(zip(CATEGORIES, idle.tolist(), strict=True)),
        idle_overall=trajectory.idle_overall_mw_years,
        freed=freed,
    )
    metrics.insert(0, "replication", replication)
    by_area = area_metrics(applicants, requested, scenario.horizon_years, grid.areas,
                           trajectory.idle_mw_years, trajectory.idle_any_mw_years, freed_areas)
    by_area.insert(0, "replication", replication)
    observed = (observed_values(scenario.observations, applicants) if scenario.observations
                else np.empty(0))
    # The projects, and a waiting-list CSV's named rows (others have the name ""), as
    # summarise_projects follows them: codes compared, not 100,000s of strings.
    named = (table.labels["source"].matches("project")
             | (table.labels["source"].matches("waiting_list")
                & ~table.labels["name"].matches("")))
    return ReplicationOutput(
        replication=replication,
        applicants=applicants,
        # Speed: selecting no row still takes every column, 1 ms a replication of a small world.
        projects=applicants[named] if named.any() else applicants.iloc[:0],
        timeseries=timeseries_records(replication, trajectory, scenario.start),
        metrics=metrics,
        area_metrics=by_area,
        observed=observed,
    )


def freed_mw(
    grid: GridSetup, trajectory: Trajectory, table: ApplicantTable, horizon_years: float
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """MW the capacity releases freed by the end of the run: the grid's, and each area's.

    A category's: what was taken back from its applicants, grouped by the category each
    requested under, as every other key figure groups them, not by the category each ended
    in. All: those, and what users connected before the run released at a first review
    before the end, who belong to no category (:func:`sim.runs.areas.freed_by_area`). By
    area only for a grid of several.
    """
    existing = [(reclaim.area, reclaim.existing_freed_mw) for reclaim in grid.reclaims
                if reclaim.times and max(reclaim.times[0], 0.0) < horizon_years]
    category, reclaimed = table.category_code, trajectory.reclaimed
    whole = freed_by_area(["grid"], np.zeros(len(table), np.int8), category, reclaimed,
                          [(None, mw) for _, mw in existing])["grid"]  # the grid as one area
    if len(grid.areas) < 2:
        return whole, {}
    # speed: each applicant's area only here (decoding the names costs 10 ms a run)
    area = pd.Categorical(table.area, categories=grid.areas).codes
    return whole, freed_by_area(grid.areas, area, category, reclaimed, existing)


def grid_setup(scenario: Scenario, streams: RandomStreams) -> GridSetup:
    """Areas, starting capacity and the upgrades with this replication's delays."""
    areas = scenario.grid.resolved_areas
    names = list(areas)
    delays = upgrade_delays(scenario, streams)
    lists = {path: upgrades for path, _, upgrades in scenario.upgrade_lists()}
    own = ["grid.upgrades"] if scenario.grid.areas is None \
        else [f"grid.areas.{name}.upgrades" for name in names]
    steps = [_step(scenario, delay, index, upgrade)
             for index, path in enumerate(own)
             for delay, upgrade in zip(delays[path], lists[path], strict=True)]
    upstream = scenario.grid.upstream
    if upstream is not None:
        steps += [_step(scenario, delay, UPSTREAM, upgrade) for delay, upgrade
                  in zip(delays["grid.upstream.upgrades"], upstream.upgrades, strict=True)]
    return GridSetup(
        areas=names,
        capacity_mw=[areas[name].capacity_mw for name in names],
        upstream_capacity_mw=None if upstream is None else upstream.capacity_mw,
        steps=steps,
        non_firm=_non_firm_setup(scenario, delays, names),
    )


def upgrade_delays(scenario: Scenario, streams: RandomStreams) -> dict[str, list[float]]:
    """Every upgrade's delay in this replication (years), by its list's key path, in order.

    Lists as :meth:`Scenario.upgrade_lists` gives them. Each upgrade with a delay of its own
    draws it from its own random stream (:func:`_keyed`); one with ``same_delay_as`` takes
    that of the upgrade it names, which the scenario checked is one upgrade, named once, with
    a delay of its own: the parts of one station come together. By list and place, not by the
    streams' names, which two upgrades can share (an area named 'upstream').
    """
    drawn: dict[str, list[float | None]] = {}
    by_name: dict[str, float] = {}
    for path, owner, upgrades in scenario.upgrade_lists():
        drawn[path] = []
        for key, upgrade in _keyed(owner, upgrades):
            delay = None if upgrade.same_delay_as is not None else _own_delay(streams, key,
                                                                              upgrade)
            drawn[path].append(delay)
            if delay is not None:
                by_name[upgrade.name] = delay  # a name shared is never named by same_delay_as
    return {path: [by_name[str(upgrade.same_delay_as)] if delay is None else delay
                   for delay, upgrade in zip(delays, upgrades, strict=True)]
            for (path, _, upgrades), delays in zip(scenario.upgrade_lists(), drawn.values(),
                                                   strict=True)}


def _own_delay(streams: RandomStreams, key: str, upgrade: Upgrade) -> float:
    """An upgrade's own delay, drawn from the random stream named ``key`` (0: on time)."""
    if upgrade.delay_years is None:
        return 0.0
    return float(upgrade.delay_years.sample(streams.generator("upgrade_delay", key), 1)[0])


def _non_firm_setup(
    scenario: Scenario, delays: dict[str, list[float]], names: list[str]
) -> NonFirmSetup | None:
    """The non-firm pools by area index, their upgrades with this replication's delays."""
    non_firm = scenario.non_firm
    if non_firm is None:
        return None
    pools = non_firm.pools
    return NonFirmSetup(
        pool_mw=[pools[name].capacity_mw if name in pools else 0.0 for name in names],
        steps=[_step(scenario, delay, index, upgrade)
               for index, name in enumerate(names) if name in pools
               for delay, upgrade in zip(delays[f"non_firm.pools.{name}.upgrades"],
                                         pools[name].upgrades, strict=True)],
        order=non_firm.order,
        rights=list(non_firm.rights),
        hours_share=[right.hours_share for right in non_firm.rights.values()],
    )


def with_capacity_releases(
    grid: GridSetup, scenario: Scenario, streams: RandomStreams, table: ApplicantTable,
    waiting_rows: WaitingRows | None = None,
) -> GridSetup:
    """The grid with its capacity-release mechanisms, who takes part drawn per applicant.

    Each source's applicants draw from a generator of their own (:func:`participation`), so
    the same applicant takes part whatever other sources a variant adds. The MW connected
    before the start (``existing_mw``) are freed in expectation, as a capacity step at the
    mechanism's first review (connected before the start, they have been connected long
    enough): they belong to no applicant of the run. Without areas named, the freed MW are
    split evenly over the areas. ``waiting_rows`` are those ``table`` was drawn with.
    """
    reclaims, steps = [], list(grid.steps)
    areas = scenario.area_names
    sources = source_rows(scenario, table, waiting_rows) if scenario.capacity_releases else []
    for k, release in enumerate(scenario.capacity_releases):
        dates = release.review_dates(scenario.end)
        times = [scenario.years_since_start(date) for date in dates]
        area = None if release.area is None else areas.index(release.area)
        draws = participation(streams, f"{k}:{release.name}", sources, len(table))
        freed = release.existing_mw * release.user_share * release.mw_share
        reclaims.append(Reclaim(times=times, area=area,
                                takes_part=draws < release.user_share,
                                mw_share=release.mw_share,
                                due=review_cutoffs(scenario, release, dates),
                                existing_freed_mw=freed if times else 0.0))
        if freed:
            steps += [CapacityStep(times[0], a, freed / (len(areas) if area is None else 1))
                      for a in (range(len(areas)) if area is None else [area])]
    return replace(grid, steps=steps, reclaims=reclaims)


def participation(
    streams: RandomStreams, release: str, sources: list[tuple[str, np.ndarray]], size: int
) -> np.ndarray:
    """One uniform per applicant for the release keyed ``release``: below its share takes part.

    Each source's applicants (:func:`sim.inputs.sources.source_rows`) draw in their own order
    from a generator keyed by the release and the source, not by their places in the joined
    table, which a stream, project or waiting-list row added elsewhere shifts: so pairs of
    scenarios keep who takes part among the applicants both have.
    """
    draws = np.empty(size)
    for key, rows in sources:
        rng = streams.generator("capacity_release", f"{release}:{key}")
        draws[rows] = rng.random(len(rows))
    return draws


def review_cutoffs(
    scenario: Scenario, release: CapacityRelease, dates: list[dt.date]
) -> list[float]:
    """Per review date, the latest time a user may have connected to be reviewed then (years).

    The end of the day ``after_years`` before the review by the calendar
    (:meth:`CapacityRelease.connected_by`): a user connected on 1 Jan 2027 has been connected
    a year at a review on 1 Jan 2028, though that is 365 days, less than a year of 365.25.
    Worked out once per review, so the engine compares times only.
    """
    return [scenario.day_end_years(release.connected_by(date)) for date in dates]


def _keyed(owner: str, upgrades: list[Upgrade]) -> list[tuple[str, Upgrade]]:
    """Each upgrade with the name of its random stream of delays (:func:`upgrade_keys`)."""
    keys = upgrade_keys(owner, [upgrade.name for upgrade in upgrades])
    return list(zip(keys, upgrades, strict=True))


def _step(scenario: Scenario, delay: float, area: int, upgrade: Upgrade) -> CapacityStep:
    """An upgrade's capacity, added in ``area`` at its date plus this replication's delay."""
    return CapacityStep(scenario.years_since_start(upgrade.date) + delay, area, upgrade.add_mw)


RANKING_KEYS = ("order", "params", "category_order", "within_category")
"""The keys of a policy change that change how applicants rank; an error names the first set."""


def regimes(scenario: Scenario, replication: int | None = None) -> list[Regime]:
    """The policy regimes in force over time, with their policies built and guarded.

    ``replication``: the replication whose applicants the policies rank, which an error
    naming an applicant names too.

    An error of a policy names the key that put it in force: ``policy.order``, or the first of
    :data:`RANKING_KEYS` that the change in force sets (a change of parameters alone can
    break a policy that ranked well before it); and where it was given, the option that gave
    it or the scenario file.
    """
    source = str(scenario.source_path or scenario.name)
    result = []
    key_path = "policy.order"
    for index, (date, regime) in enumerate(scenario.policy.regimes()):
        change = scenario.policy.changes[index - 1] if index else None
        ranking = [key for key in RANKING_KEYS if getattr(change, key, None) is not None]
        if ranking:
            key_path = f"policy.changes.{index - 1}.{ranking[0]}"
        policy = build_policy(regime.order, regime.category_order, regime.params,
                              scenario.base_dir, scenario.policy.imports or (),
                              regime.within_category)
        rounds = regime.rounds
        result.append(Regime(
            time=0.0 if date is None else scenario.years_since_start(date),
            policy=CheckedPolicy(policy, regime.order, scenario.option_giving(key_path) or source,
                                 key_path, replication),
            allocation=regime.allocation if rounds is None else rounds.fit,
            rounds=None if rounds is None else RoundSchedule(
                times=frozenset(scenario.years_since_start(d) for d in rounds.dates),
                between_rounds=frozenset(CATEGORIES.index(c) for c in rounds.between_rounds)),
        ))
    return result


def check_policies(scenario: Scenario, waiting_rows: WaitingRows | None = None, *,
                   users_only: bool = False) -> None:
    """Rank replication 0's applicants under every policy the scenario puts in force.

    A custom policy that raises, or returns no ranking, fails here with the one clear error
    a run would give, so ``gridqueue validate`` finds it before a run does; so does one whose
    own ``ranks`` disagree with its ``sort_key``, which a replication would not notice, or
    that is not deterministic (orders the same applicants otherwise when asked again).

    A setting of a user's policy that ranks the applicants as without it (a parameter left
    at its default, the category order reversed, none asking for priority) is warned of
    (:class:`sim.runs.unused_settings.UnusedSettings`).

    ``users_only`` checks only the user's policies, and draws no applicants if there are
    none: what a run does before its replications (gridqueue's own policies are checked by
    its test suite).

    Each distinct policy is checked once, where it first comes into force: the same order,
    category order, parameters and ranking within categories rank the same applicants the
    same way (a file changing policy daily for years took minutes to validate otherwise).
    They are told apart by their ``repr``, which keeps what JSON would merge (``inf`` and
    ``-inf``, a date and its text).
    """
    built = regimes(scenario, 0)  # the applicants of replication 0, drawn below
    if users_only and not any(isinstance(regime.policy, CheckedPolicy) and regime.policy.is_users
                              for regime in built):
        return
    table = generate_applicants(scenario, RandomStreams(scenario.seed, 0), waiting_rows)
    checked: set[str] = set()
    unused = UnusedSettings(scenario, waiting_rows)
    for period, ((_, stated), regime) in enumerate(zip(scenario.policy.regimes(), built,
                                                       strict=True)):
        settings = stated.model_dump(include=set(RANKING_KEYS))
        policy = regime.policy
        assert isinstance(policy, CheckedPolicy)  # as regimes() builds every one
        ranking = repr(settings)
        if ranking in checked:
            continue
        checked.add(ranking)
        if not policy.is_users:
            unused.built_in(period, policy.policy)
            if users_only:
                continue
        ranks = policy.ranks(table)
        keys = policy.check_deterministic(table, ranks)
        policy.check_ranks_follow_sort_key(table, ranks, keys)
        if policy.is_users:
            unused.users(period, settings, policy, table, ranks)
    unused.warn()


def snapshot_times(scenario: Scenario) -> list[float]:
    """Timeseries times: every ``timestep_months`` calendar months from the start."""
    return list(_snapshot_times(scenario.start, scenario.end, scenario.timestep_months))


@functools.lru_cache(maxsize=16)
def _snapshot_times(start: dt.date, end: dt.date, step_months: int) -> tuple[float, ...]:
    """:func:`snapshot_times`, worked out once per run rather than once per replication.

    Speed: a ten-year monthly timeseries took 1 ms a replication, a tenth of a small world's.
    """
    times: list[float] = []
    step = 0
    while (date := add_months(start, step)) < end:
        times.append((date - start).days / DAYS_PER_YEAR)
        step += step_months
    return tuple(times)
