"""Benchmark 4: the peer workload plain, and with every mechanism of the 2026 toolbox on.

The plain workload is benchmark 1's (``peers.yaml``). The other run switches on, one after
another, each entry of :data:`MECHANISMS`: scenario overrides that make the engine use that
mechanism for the whole run or its second half. The two runs take turns, round by round, and
the goal is judged on the median of the rounds' paired ratios (CPU time with the mechanisms
over CPU time without), which a burst of load from elsewhere moves least.

A new mechanism is one more line in :data:`MECHANISMS`: its name and its overrides, given the
dates of the run.
"""

from __future__ import annotations

import datetime as dt
import statistics
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.errors import GridqueueWarning
from sim.inputs.scenario import Scenario
from tests.benchmarks import peers
from tests.benchmarks.timing import Stopwatch

__all__ = ["GOAL", "MECHANISMS", "Mechanism", "MechanismComparison", "Span",
           "run_mechanisms"]

GOAL = 1.5
"""The workload with every mechanism takes at most this many times as long as without."""
ROUNDS = 5
"""Rounds of the full benchmark, each running both workloads once."""


@dataclass(frozen=True)
class Span:
    """The dates of the workload: mechanisms that start on a date start ``middle``."""

    start: dt.date
    middle: dt.date
    end: dt.date

    def quarters(self) -> list[str]:
        """Every quarter from ``middle`` to before ``end``, as ISO dates (dates of rounds)."""
        days = range(0, (self.end - self.middle).days, 91)
        return [(self.middle + dt.timedelta(days=d)).isoformat() for d in days]


@dataclass(frozen=True)
class Mechanism:
    """One mechanism: its name and the overrides of the peer workload that switch it on."""

    name: str
    overrides: Callable[[Span], dict[str, Any]]


MECHANISMS: list[Mechanism] = [
    Mechanism("category changes", lambda s: {"streams.other.category_changes": [
        {"date": s.middle.isoformat(), "category": "basic_needs"}]}),
    Mechanism("efficiency ranking", lambda s: {
        "streams.relief.efficiency": {"dist": "uniform", "low": 0.0, "high": 1.0},
        "policy.within_category": {"congestion_relief": "efficiency"}}),
    Mechanism("rounds", lambda s: {"policy.changes": [{
        "date": s.middle.isoformat(), "allocation": "rounds", "rounds": {
            "dates": s.quarters(), "fit": "strict",
            "between_rounds": ["congestion_relief", "safety", "basic_needs"]}}]}),
    Mechanism("partial offers", lambda s: {"grid.capacity_mw": 10.5, "streams.shops": {
        "category": "other", "rate_per_year": 10, "demand_mw": 0.1,
        "partial_offer": {"min_share": 0.5}}}),
    Mechanism("expansions", lambda s: {
        "streams.shops.expansion": {"share": 0.5, "existing_mw": 1.0}}),
    Mechanism("capacity releases", lambda s: {"capacity_releases": [{
        "name": "use-it-or-lose-it", "start": s.start.isoformat(), "every_months": 1,
        "user_share": 1.0, "mw_share": 1.0, "after_years": 0.08}]}),
    Mechanism("non-firm rights", lambda s: {"non_firm": {
        "rights": {"firm_85": {"hours_share": 0.85}}, "pools": {"main": {"capacity_mw": 1}}},
        "streams.other.non_firm": {"right": "firm_85", "accept_share": 0.5}}),
]
"""Every mechanism, switched on in this order (later entries may build on earlier ones).

Category changes move the largest class into ``basic_needs`` halfway, so that the rounds from
then on serve every class with priority as capacity comes and only the shops (``other``)
wait for a round. Shops hold their MW for good, so the capacity releases take it back after
a month or two, and they come with half a MW more, which they rarely fill:
the peers' classes find the ten MW of the plain workload, so the comparison measures the
mechanisms rather than a busier grid. Half of the largest class accept a right firm for 85%
of the hours from a non-firm pool of one MW while they wait, keeping their firm place.
Expansions change no wait here (no built-in policy reads ``existing_mw``, which gridqueue
warns of): they cost what drawing them and their column cost, as in any run that has them.
"""


@dataclass(frozen=True)
class MechanismComparison:
    """CPU seconds of each round's two runs, and the mechanisms switched on."""

    plain_seconds: list[float]
    mechanisms_seconds: list[float]
    applicants: tuple[int, int]
    """Applicants of the plain and of the mechanisms' run."""
    mechanisms: list[str]
    cumulative_seconds: list[float]
    """CPU seconds with the first one, two, ... mechanisms on: where the extra time goes."""

    @property
    def ratios(self) -> list[float]:
        """Each round's CPU time with the mechanisms over without."""
        return [m / p for p, m in zip(self.plain_seconds, self.mechanisms_seconds, strict=True)]


def with_mechanisms(mechanisms: list[Mechanism] = MECHANISMS) -> Scenario:
    """The peer workload with ``mechanisms`` switched on."""
    from sim import load_scenario

    plain = peers.workload()
    middle = plain.date_at(plain.horizon_years / 2)
    span = Span(plain.start, middle, plain.end)
    overrides: dict[str, Any] = {"end": plain.end.isoformat()}
    for mechanism in mechanisms:
        overrides.update(mechanism.overrides(span))
    with warnings.catch_warnings():  # the expansions' warning, said in MECHANISMS' notes
        warnings.filterwarnings("ignore", "override streams.shops.expansion=",
                                GridqueueWarning)
        return load_scenario(peers.WORKLOAD, overrides)


def run_mechanisms(rounds: int = ROUNDS) -> MechanismComparison:
    """Run the plain and the mechanisms' workload in turns, ``rounds`` rounds, serially.

    The order alternates from round to round, so neither run always goes first. Then one
    run with each prefix of :data:`MECHANISMS` on shows what each one adds.
    """
    workloads = {"plain": peers.workload(), "mechanisms": with_mechanisms()}
    seconds: dict[str, list[float]] = {name: [] for name in workloads}
    applicants = {}
    for number in range(rounds):
        order = list(workloads) if number % 2 == 0 else list(reversed(workloads))
        for name in order:
            cpu, applicants[name] = _timed_run(workloads[name])
            seconds[name].append(cpu)
    cumulative = [_timed_run(with_mechanisms(MECHANISMS[:k + 1]))[0]
                  for k in range(len(MECHANISMS))]
    return MechanismComparison(seconds["plain"], seconds["mechanisms"],
                               (applicants["plain"], applicants["mechanisms"]),
                               [m.name for m in MECHANISMS], cumulative)


def _timed_run(scenario: Scenario) -> tuple[float, int]:
    """CPU seconds of all of ``sim.run`` on one worker, and the applicants it simulated."""
    from sim import run

    with Stopwatch() as watch:
        results = run(scenario, workers=1)
    return watch.cpu_seconds, len(results.applicants)


def mechanism_table(comparison: MechanismComparison) -> str:
    """Benchmark 4 as a table: both runs round by round, and the median ratio against the goal."""
    plain, mechanisms = comparison.applicants
    lines = [
        f"## 4. Every 2026 mechanism on the peer workload ({peers.YEARS:g} years)",
        "",
        f"Mechanisms: {', '.join(comparison.mechanisms)}.",
        "",
        f"| round | plain CPU s ({plain:,} applicants) | every mechanism CPU s "
        f"({mechanisms:,} applicants) | ratio |",
        "|---:|---:|---:|---:|",
    ]
    for number, (p, m, ratio) in enumerate(zip(comparison.plain_seconds,
                                               comparison.mechanisms_seconds,
                                               comparison.ratios, strict=True), start=1):
        lines.append(f"| {number} | {p:.2f} | {m:.2f} | {ratio:.2f}x |")
    ratios = comparison.ratios
    median = statistics.median(ratios)
    lines.append(f"\nAll of `sim.run` on one worker, the two runs in turns (alternating which "
                 f"goes first). Median ratio {median:.2f}x (range {min(ratios):.2f}-"
                 f"{max(ratios):.2f}); goal at most {GOAL:g}x: "
                 f"{'met' if median <= GOAL else 'NOT met'}.")
    plain_fastest = min(comparison.plain_seconds)
    lines += ["", "### Switched on one after another (one run each, against the fastest "
              "plain run)", "", "| mechanisms on | CPU s | / plain |", "|---|---:|---:|"]
    for k, seconds in enumerate(comparison.cumulative_seconds):
        lines.append(f"| + {comparison.mechanisms[k]} | {seconds:.2f} | "
                     f"{seconds / plain_fastest:.2f}x |")
    return "\n".join(lines) + "\n"
