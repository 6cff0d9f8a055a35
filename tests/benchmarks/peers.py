"""Benchmark 1: one workload through gridqueue, Ciw, a minimal SimPy model and plain heapq.

The workload is a non-preemptive priority M/M/10 queue (see ``peers.yaml``): three classes at
1000, 2000 and 5000 arrivals a year, unit requests, exponential service with mean 1/1000 year,
20 years, about 160,000 applicants. Each implementation reports how many applicants it
simulated, how long it took and the mean wait per class, which Cobham's formula predicts.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.analysis.theory import cobham_waits
from sim.inputs.scenario import Scenario
from tests.benchmarks.long_queues import engine_times
from tests.benchmarks.timing import Stopwatch

__all__ = [
    "Breakdown", "PeerComparison", "PeerResult", "RATES", "SERVERS", "SERVICE_RATE", "YEARS",
    "gridqueue_breakdown", "run_peers", "workload",
]

WORKLOAD = Path(__file__).with_name("peers.yaml")
RATES = (1000.0, 2000.0, 5000.0)
"""Arrivals per year of each priority class, highest priority first."""
SERVICE_RATE = 1000.0
"""Connections end at this rate per year (mean lifetime 1/1000 year)."""
SERVERS = 10
"""MW of capacity: ten unit-size connections at a time."""
YEARS = 20.0
SEED = 2024


@dataclass(frozen=True)
class PeerResult:
    """What one implementation did with the workload (its fastest of several runs)."""

    name: str
    applicants: int
    cpu_seconds: float
    wall_seconds: float
    mean_waits: list[float]
    """Mean wait in the queue per class, highest priority first, in years."""

    @property
    def per_second(self) -> float:
        """Applicants simulated per second of CPU time."""
        return self.applicants / self.cpu_seconds


def workload() -> Scenario:
    """The peer workload of ``peers.yaml``, over ``YEARS`` years."""
    from sim import load_scenario

    end = dt.date(2000, 1, 1) + dt.timedelta(days=round(YEARS * 365.25))  # YEARS may be changed
    return load_scenario(WORKLOAD, {"end": end.isoformat()})


def run_gridqueue() -> PeerResult:
    """The gridqueue engine through its public API, every table built as in a normal run."""
    from sim import run

    scenario = workload()
    with Stopwatch() as watch:
        results = run(scenario, workers=1)
    frame = results.applicants
    connected = frame[frame["outcome"] == "connected"]
    by_category = connected.groupby("category", observed=True)["wait_years"].mean()
    waits = [float(by_category[c]) for c in ("congestion_relief", "safety", "other")]
    return PeerResult("gridqueue", len(frame), watch.cpu_seconds, watch.wall_seconds, waits)


def run_ciw() -> PeerResult:
    """Ciw: one node with 10 servers and three priority classes."""
    import ciw

    classes = [f"Class {k}" for k in range(len(RATES))]
    network = ciw.create_network(
        arrival_distributions={
            c: [ciw.dists.Exponential(rate)] for c, rate in zip(classes, RATES, strict=True)
        },
        service_distributions={c: [ciw.dists.Exponential(SERVICE_RATE)] for c in classes},
        number_of_servers=[SERVERS],
        priority_classes={c: k for k, c in enumerate(classes)},
    )
    ciw.seed(SEED)
    with Stopwatch() as watch:
        simulation = ciw.Simulation(network)
        simulation.simulate_until_max_time(YEARS)
        records = simulation.get_all_records()
    arrived = sum(1 for _ in simulation.get_all_individuals())
    waits: list[list[float]] = [[] for _ in RATES]
    for record in records:
        waits[classes.index(record.customer_class)].append(record.waiting_time)
    return PeerResult("Ciw", arrived, watch.cpu_seconds, watch.wall_seconds,
                      [float(np.mean(w)) for w in waits])


def _arrivals(rng: np.random.Generator) -> tuple[list[float], list[int], list[float]]:
    """Arrival times (merged, sorted), classes and service times, drawn in blocks."""
    times, classes = [], []
    for k, rate in enumerate(RATES):
        count = rng.poisson(rate * YEARS)
        times.append(rng.uniform(0.0, YEARS, count))
        classes.append(np.full(count, k))
    time_array, class_array = np.concatenate(times), np.concatenate(classes)
    order = np.argsort(time_array, kind="stable")
    service = rng.exponential(1.0 / SERVICE_RATE, len(order))
    return time_array[order].tolist(), class_array[order].tolist(), service.tolist()


def _class_means(waits: list[float], classes: list[int]) -> list[float]:
    known = np.array(waits)
    klass = np.array(classes)
    return [float(np.nanmean(known[klass == k])) for k in range(len(RATES))]


def run_simpy() -> PeerResult:
    """A minimal SimPy model: a PriorityResource and one process per customer."""
    import simpy

    with Stopwatch() as watch:
        arrival, klass, service = _arrivals(np.random.default_rng(SEED))
        waits = [float("nan")] * len(arrival)
        env = simpy.Environment()
        servers = simpy.PriorityResource(env, capacity=SERVERS)

        def customer(i: int):  # type: ignore[no-untyped-def]
            with servers.request(priority=klass[i]) as request:
                yield request
                waits[i] = env.now - arrival[i]
                yield env.timeout(service[i])

        def source():  # type: ignore[no-untyped-def]
            for i, at in enumerate(arrival):
                yield env.timeout(at - env.now)
                env.process(customer(i))

        env.process(source())
        env.run(until=YEARS)
    return PeerResult("SimPy (minimal)", len(arrival), watch.cpu_seconds, watch.wall_seconds,
                      _class_means(waits, klass))


def run_heapq() -> PeerResult:
    """A plain event loop on heapq: no framework, one FIFO deque per priority class."""
    with Stopwatch() as watch:
        arrival, klass, service = _arrivals(np.random.default_rng(SEED))
        n = len(arrival)
        waits = [float("nan")] * n
        arrive, depart = 0, 1
        events: list[tuple[float, int, int]] = [(arrival[0], arrive, 0)] if n else []
        queues: list[deque[int]] = [deque() for _ in RATES]
        free = SERVERS
        while events:
            now, kind, i = heapq.heappop(events)
            if now >= YEARS:
                break
            if kind == arrive:
                if i + 1 < n:
                    heapq.heappush(events, (arrival[i + 1], arrive, i + 1))
                if free:
                    free -= 1
                    waits[i] = 0.0
                    heapq.heappush(events, (now + service[i], depart, i))
                else:
                    queues[klass[i]].append(i)
                continue
            for queue in queues:
                if queue:
                    j = queue.popleft()
                    waits[j] = now - arrival[j]
                    heapq.heappush(events, (now + service[j], depart, j))
                    break
            else:
                free += 1
    return PeerResult("heapq loop", n, watch.cpu_seconds, watch.wall_seconds,
                      _class_means(waits, klass))


@dataclass(frozen=True)
class Breakdown:
    """Where gridqueue's time on the workload goes, in CPU seconds (fastest of several runs)."""

    draws: float
    """Drawing every applicant (:func:`sim.inputs.sources.generate_applicants`)."""
    simulation: float
    """The event simulation (:func:`sim.engine.model.simulate`)."""
    run: float
    """All of ``sim.run``: the two above, the tables and the summary."""
    calendar: float
    """The same arrivals and releases as bare callbacks on gridqueue's calendar, no model."""


def gridqueue_breakdown(repeats: int = 1) -> Breakdown:
    """Time the parts of a gridqueue run, and the calendar alone, on the peer workload.

    The calendar alone books each arrival and each release as a callback that does nothing
    but book the next: the dispatch cost any model on that calendar pays before its own work.
    """
    from sim import run

    scenario = workload()
    times: dict[str, list[float]] = {"draws": [], "simulation": [], "run": [], "calendar": []}
    for _ in range(repeats):
        engine = engine_times(scenario)
        times["draws"].append(engine.draws)
        times["simulation"].append(engine.simulation)
        with Stopwatch() as watch:
            run(scenario, workers=1)
        times["run"].append(watch.cpu_seconds)
        times["calendar"].append(_calendar_alone(engine.table.request_time.tolist(),
                                                 engine.table.lifetime_years.tolist(),
                                                 scenario.horizon_years))
    return Breakdown(**{part: min(values) for part, values in times.items()})


def _calendar_alone(arrival: list[float], lifetime: list[float], horizon: float) -> float:
    """CPU seconds to run every arrival and release as a callback doing nothing else.

    Arrivals are merged in from their sorted list, and releases booked, as the model does.
    """
    from sim.engine.events import Calendar

    calendar = Calendar()

    def release(now: float, _: int) -> None:
        pass

    def arrive(now: float, first: int, end: int) -> None:
        for i in range(first, end):
            calendar.call_at(now + lifetime[i], release, i)

    with Stopwatch() as watch:
        calendar.merge_in_turn(arrival, arrive)
        calendar.run(until=horizon)
    return watch.cpu_seconds


RUNNERS: dict[str, Callable[[], PeerResult]] = {
    "gridqueue": run_gridqueue,
    "Ciw": run_ciw,
    "SimPy (minimal)": run_simpy,
    "heapq loop": run_heapq,
}
"""Every implementation by name, gridqueue first: the others are compared with it."""


def run_peers(repeats: int = 1) -> PeerComparison:
    """Run the implementations in turn, ``repeats`` rounds, all in this process.

    Round by round rather than one implementation's runs after another's: a burst of load
    from elsewhere on the machine then slows one round of every implementation, and each
    round's ratios compare runs made a second apart (paired, like common random numbers).
    """
    runs: dict[str, list[PeerResult]] = {name: [] for name in RUNNERS}
    for _ in range(repeats):
        for name, runner in RUNNERS.items():
            runs[name].append(runner())
    ours = runs["gridqueue"]
    return PeerComparison(
        fastest=[min(done, key=lambda result: result.cpu_seconds) for done in runs.values()],
        cobham=cobham_waits(list(RATES), SERVICE_RATE, SERVERS),
        round_ratios={
            name: [mine.per_second / theirs.per_second
                   for mine, theirs in zip(ours, done, strict=True)]
            for name, done in runs.items()
        },
    )


@dataclass(frozen=True)
class PeerComparison:
    """Every implementation's fastest run, the theory, and gridqueue's speed round by round."""

    fastest: list[PeerResult]
    """Each implementation's fastest run, gridqueue first."""
    cobham: list[float]
    """Cobham's mean wait per class, the answer all should approach, in years."""
    round_ratios: dict[str, list[float]]
    """gridqueue's speed over each implementation's, in each round."""
