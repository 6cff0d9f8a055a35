"""Benchmark 2: a long waiting list behind small capacity steps, at growing sizes.

Flevoland's situation is a long queue and rare capacity. Here ``size`` applicants wait at the
start (a generated waiting list in four categories, lognormal requests, exponential patience)
and capacity comes in ``size / 10`` small steps over ten years, enough to connect about a third
of them; the rest withdraw or still wait at the end. The work per applicant is the same at
every size, so the time per applicant should stay flat: it grows only if some event rescans
the whole queue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sim import Scenario, run
from sim.inputs.applicants import ApplicantTable
from tests.benchmarks.timing import Stopwatch

__all__ = [
    "EngineTimes", "LongQueueResult", "SIZES", "engine_times", "long_queue_scenario",
    "run_long_queues",
]

SIZES = (1_000, 10_000, 100_000)
ALLOCATIONS = ("first_fit", "strict")
MEAN_REQUEST_MW = 0.5
SHARE_CONNECTABLE = 0.3
"""Capacity added over the run, as a share of the MW waiting at the start."""
MIX = {"congestion_relief": 0.03, "safety": 0.02, "basic_needs": 0.10, "other": 0.85}


@dataclass(frozen=True)
class LongQueueResult:
    """Time and outcome of one size under one allocation rule."""

    allocation: str
    size: int
    cpu_seconds: float
    """CPU time of ``sim.run`` (draws, simulation, tables, summary)."""
    engine_cpu_seconds: float
    """CPU time of the event simulation alone (:func:`sim.engine.model.simulate`)."""
    connected: int

    @property
    def microseconds_per_applicant(self) -> float:
        """CPU time of the whole run per waiting applicant, in microseconds."""
        return self.cpu_seconds / self.size * 1e6

    @property
    def engine_microseconds_per_applicant(self) -> float:
        """CPU time of the simulation alone per waiting applicant, in microseconds."""
        return self.engine_cpu_seconds / self.size * 1e6


def long_queue_scenario(size: int, allocation: str, order: str = "social_priority") -> Scenario:
    """``size`` applicants waiting at the start, ``size / 10`` capacity steps over ten years."""
    steps = max(1, size // 10)
    add_mw = SHARE_CONNECTABLE * size * MEAN_REQUEST_MW / steps
    start_day = 1
    span_days = 10 * 365
    upgrades = [
        {"name": f"step {k}", "add_mw": add_mw,
         "date": _date(start_day + k * span_days // steps)}
        for k in range(steps)
    ]
    streams = {
        category: {
            "category": category,
            "rate_per_year": 0,
            "demand_mw": {"dist": "lognormal", "mean": MEAN_REQUEST_MW, "sigma": 1.0},
            "patience_years": {"dist": "exponential", "mean": 8},
        }
        for category in MIX
    }
    return Scenario.model_validate({
        "name": f"long_queue_{size}_{allocation}",
        "start": "2024-01-01",
        "end": "2034-01-01",
        "seed": 11,
        "replications": 1,
        "grid": {"capacity_mw": 0, "upgrades": upgrades},
        "streams": streams,
        "waiting_list": {"count": size, "earliest": "2018-01-01", "mix": MIX},
        "policy": {"order": order, "allocation": allocation},
    })


def _date(day: int) -> str:
    return (dt.date(2024, 1, 1) + dt.timedelta(days=day)).isoformat()


@dataclass(frozen=True)
class EngineTimes:
    """CPU seconds of replication 0's draws and of its event simulation, and what was drawn."""

    draws: float
    simulation: float
    table: ApplicantTable


def engine_times(scenario: Scenario) -> EngineTimes:
    """Time drawing replication 0's applicants and simulating it, without the tables."""
    from sim.engine.model import simulate
    from sim.inputs.rng import RandomStreams
    from sim.inputs.sources import generate_applicants
    from sim.runs.replication import grid_setup, regimes, snapshot_times

    streams = RandomStreams(scenario.seed, 0)
    with Stopwatch() as drawing:
        table = generate_applicants(scenario, streams)
    grid, rules, times = grid_setup(scenario, streams), regimes(scenario), snapshot_times(scenario)
    with Stopwatch() as simulating:
        simulate(table, grid, rules, scenario.horizon_years, times)
    return EngineTimes(drawing.cpu_seconds, simulating.cpu_seconds, table)


def run_long_queues(
    sizes: tuple[int, ...] = SIZES, allocations: tuple[str, ...] = ALLOCATIONS, repeats: int = 1
) -> list[LongQueueResult]:
    """Run every size under every allocation rule (social priority order), one worker.

    Each figure is the fastest of ``repeats`` runs.
    """
    results = []
    for allocation in allocations:
        for size in sizes:
            scenario = long_queue_scenario(size, allocation)
            cpu = engine = float("inf")
            for _ in range(repeats):
                with Stopwatch() as watch:
                    outcome = run(scenario, workers=1)
                cpu = min(cpu, watch.cpu_seconds)
                engine = min(engine, engine_times(scenario).simulation)
            connected = int((outcome.applicants["outcome"] == "connected").sum())
            results.append(LongQueueResult(allocation, size, cpu, engine, connected))
    return results
