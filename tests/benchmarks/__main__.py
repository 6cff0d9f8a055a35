"""Run the benchmarks and print their figures as Markdown tables.

``python -m tests.benchmarks`` runs all four (about six minutes on two cores);
``--only peers`` (or ``long``, ``replications``, ``mechanisms``) runs one, ``--quick`` runs
small versions to check the benchmarks themselves, and ``--profile`` prints where gridqueue
spends its time on the peer workload (needs pyinstrument).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from collections.abc import Sequence

from tests.benchmarks import long_queues, mechanisms, peers, replications

HOURS_PER_YEAR = 365.25 * 24

QUICK_REPLICATIONS = 4
"""Replications of benchmark 3 under ``--quick``: enough rows to compare both writers' bytes;
each run is a fresh process, whose start and writing cost more than the simulation."""

GOALS = {
    "Ciw": ("at least 6x faster", 6.0),
    "SimPy (minimal)": ("at least 3.5x faster", 3.5),
    "heapq loop": ("within 3x (ratio >= 0.33)", 1 / 3),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks and print a table for each."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("peers", "long", "replications", "mechanisms"),
                        action="append",
                        help="run only this benchmark (repeatable)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes, to check that the benchmarks run")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each single-process measurement; the fastest counts")
    parser.add_argument("--replications", type=int, default=replications.REPLICATIONS,
                        help="replications of the Flevoland base scenario (benchmark 3)")
    parser.add_argument("--profile", action="store_true",
                        help="print a profile of gridqueue on the peer workload and stop")
    args = parser.parse_args(argv)
    chosen = args.only or ["peers", "long", "replications", "mechanisms"]
    print(machine())
    if args.profile:
        print(profile())
        return 0
    repeats = 1 if args.quick else args.repeats
    if args.quick:
        peers.YEARS = 1.0  # the peer workload, also under the mechanisms
    if "peers" in chosen:
        comparison = peers.run_peers(repeats)
        print(peer_table(comparison))
        print(breakdown_table(peers.gridqueue_breakdown(repeats), comparison.fastest))
    if "long" in chosen:
        sizes = (1_000, 10_000) if args.quick else long_queues.SIZES
        print(long_queue_table(long_queues.run_long_queues(sizes, repeats=repeats)))
    if "replications" in chosen:
        count = QUICK_REPLICATIONS if args.quick else args.replications
        print(replication_table(replications.run_replication_benchmark(count)))
        from sim.runs.runner import default_workers

        if default_workers() > 1:
            rounds = (replications.scaling_rounds(default_workers(), rounds=2,
                                                  replications=QUICK_REPLICATIONS)
                      if args.quick else replications.scaling_rounds(default_workers()))
            print(scaling_table(rounds, default_workers()))
    if "mechanisms" in chosen:
        comparison_4 = mechanisms.run_mechanisms(1 if args.quick else mechanisms.ROUNDS)
        print(mechanisms.mechanism_table(comparison_4))
    return 0


def machine() -> str:
    """The machine and load the figures were measured under."""
    from sim.runs.runner import default_workers
    from tests.benchmarks.timing import parallel_capacity

    cores = default_workers()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"\nMachine: {cores} cores ({_cpu_name()}), Python {platform.python_version()}, "
            f"{platform.platform(terse=True)}; load average at start {load}; a plain CPU loop "
            f"runs {parallel_capacity(cores):.2f}x as fast in {cores} processes as in one.\n")


def peer_table(comparison: peers.PeerComparison) -> str:
    """Benchmark 1 as a table: speed, gridqueue's speed relative to each, and mean waits.

    The goals are judged on the median of the rounds' ratios, which a burst of load from
    elsewhere moves least; the ratio of the fastest runs is shown beside it.
    """
    results = comparison.fastest
    ours = results[0]
    lines = [
        f"## 1. Peer comparison: priority M/M/{peers.SERVERS}, {ours.applicants:,} applicants "
        f"({peers.YEARS:g} years)",
        "",
        "| implementation | applicants | CPU s | wall s | applicants/s | gridqueue speed / "
        "this (fastest runs) | per round: median (range) | goal | mean wait class 1 / 2 / 3 "
        "(hours) |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for result in results:
        ratio = ours.per_second / result.per_second
        rounds = comparison.round_ratios[result.name]
        median = statistics.median(rounds)
        goal, needed = GOALS.get(result.name, ("", 0.0))
        verdict = f"{goal}: {'met' if median >= needed else 'NOT met'}" if goal else ""
        lines.append(
            f"| {result.name} | {result.applicants:,} | {result.cpu_seconds:.2f} | "
            f"{result.wall_seconds:.2f} | {result.per_second:,.0f} | {ratio:.2f}x | "
            f"{median:.2f}x ({min(rounds):.2f}-{max(rounds):.2f}) | {verdict} | "
            f"{_hours(result.mean_waits)} |")
    lines.append(f"| Cobham's formula | | | | | | | | {_hours(comparison.cobham)} |")
    lines.append(f"\nSpeed is applicants per second of CPU time; {len(rounds)} rounds, each "
                 "running every implementation once in turn. gridqueue's time includes "
                 "drawing, simulating and building every table.")
    return "\n".join(lines) + "\n"


def breakdown_table(parts: peers.Breakdown, results: list[peers.PeerResult]) -> str:
    """Where gridqueue's time goes, next to the heapq loop's whole run."""
    heapq_seconds = next(r.cpu_seconds for r in results if r.name == "heapq loop")
    rows = [
        ("drawing the applicants", parts.draws),
        ("event simulation", parts.simulation),
        ("tables and summary (the rest of sim.run)",
         max(0.0, parts.run - parts.draws - parts.simulation)),
        ("all of sim.run", parts.run),
        ("the calendar alone: the same arrivals and releases as bare callbacks",
         parts.calendar),
        ("the heapq loop, all of it", heapq_seconds),
    ]
    lines = [
        "### Where gridqueue's time goes (same workload, CPU s, fastest run)",
        "",
        "| part | CPU s | / heapq loop |",
        "|---|---:|---:|",
        *(f"| {label} | {seconds:.3f} | {seconds / heapq_seconds:.2f}x |"
          for label, seconds in rows),
    ]
    lines.append("\nWithin 3x of the heapq loop leaves "
                 f"{3 * heapq_seconds:.3f} s for all of sim.run.")
    return "\n".join(lines) + "\n"


def long_queue_table(results: list[long_queues.LongQueueResult]) -> str:
    """Benchmark 2 as a table: time per waiting applicant at each size."""
    lines = [
        "## 2. Long queues behind small capacity steps (social priority)",
        "",
        "| allocation | waiting | connected | run us/applicant | growth | "
        "engine us/applicant | growth |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    smallest: dict[str, long_queues.LongQueueResult] = {}
    for result in results:
        first = smallest.setdefault(result.allocation, result)
        run_us, engine_us = (result.microseconds_per_applicant,
                             result.engine_microseconds_per_applicant)
        lines.append(
            f"| {result.allocation} | {result.size:,} | {result.connected:,} | {run_us:.1f} | "
            f"{run_us / first.microseconds_per_applicant:.2f}x | {engine_us:.1f} | "
            f"{engine_us / first.engine_microseconds_per_applicant:.2f}x |")
    lines.append("\nGoal: time per applicant grows by less than 1.5x from the smallest to the "
                 "largest queue. 'run' is all of sim.run; 'engine' the event simulation alone.")
    return "\n".join(lines) + "\n"


def replication_table(results: list[replications.ReplicationsResult]) -> str:
    """Benchmark 3 as a table: simulating and writing, both writers, scaling and memory."""
    serial = results[0]
    lines = [
        f"## 3. {serial.replications:,} replications of the Flevoland base scenario",
        "",
        "| workers | applicant rows | simulate s | write s | write / simulate | previous writer s "
        "| previous / simulate | same bytes | speed-up (simulate) | CPU-loop ceiling | "
        "speed-up / ceiling | simulate CPU s | CPU / serial CPU | peak memory MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        speedup = serial.run_seconds / result.run_seconds
        lines.append(
            f"| {result.workers} | {result.applicant_rows:,} | {result.run_seconds:.1f} | "
            f"{result.write_seconds:.1f} | {result.write_seconds / result.run_seconds:.2f} | "
            f"{result.previous_write_seconds:.1f} | "
            f"{result.previous_write_seconds / result.run_seconds:.2f} | "
            f"{'yes' if result.identical else 'NO'} | {speedup:.2f}x | {result.ceiling:.2f}x | "
            f"{speedup / result.ceiling:.2f} | {result.run_cpu_seconds:.1f} | "
            f"{result.run_cpu_seconds / serial.run_cpu_seconds:.2f} | {result.peak_mb:,.0f} |")
    lines.append("\nWall time of `sim.run` (simulate) and `Results.write` (write: every table, "
                 "applicants.csv included), each configuration in a fresh process; then the same "
                 "tables written again by the writer of earlier versions (pandas `to_csv`, "
                 "tests/benchmarks/previous_writer.py) and compared byte for byte. Peak memory "
                 "of the whole process tree (PSS), both writers included. The ceiling is the "
                 "speed-up a plain CPU loop got in as many processes just before: on a shared "
                 "machine, the most any run could get. Simulate CPU is that of the main process "
                 "and its workers: CPU / serial CPU is what running in parallel costs on top, "
                 "which load from elsewhere changes much less than wall time. Goals: "
                 "write / simulate at most 0.5; peak memory under 2 GB; the scaling goal is "
                 "judged on runs paired in time, below.")
    return "\n".join(lines) + "\n"


def scaling_table(rounds: list[replications.ScalingRound], workers: int) -> str:
    """Benchmark 3's scaling goal, judged on runs paired in time, round by round."""
    lines = [
        f"### Scaling on {workers} workers, round by round (simulating only)",
        "",
        f"| round | 1 worker s | {workers} workers s | speed-up | CPU-loop ceiling | "
        "speed-up / ceiling |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for number, result in enumerate(rounds, start=1):
        lines.append(f"| {number} | {result.serial_seconds:.1f} | {result.parallel_seconds:.1f} "
                     f"| {result.speedup:.2f}x | {result.ceiling:.2f}x | "
                     f"{result.speedup / result.ceiling:.2f} |")
    ratios = [result.speedup / result.ceiling for result in rounds]
    median = statistics.median(ratios)
    lines.append(f"\nEach round runs `sim.run` serially and on {workers} workers in fresh "
                 "processes one right after the other (in alternating order), with the ceiling "
                 "measured just before the parallel run. Median speed-up / ceiling "
                 f"{median:.2f} (range {min(ratios):.2f}-{max(ratios):.2f}); goal at least "
                 f"0.9: {'met' if median >= 0.9 else 'NOT met'}.")
    return "\n".join(lines) + "\n"


def profile() -> str:
    """Where gridqueue spends its time on the peer workload (pyinstrument's call tree)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with profiler:
        peers.run_gridqueue()
    return profiler.output_text(show_all=False)


def _hours(waits_years: list[float]) -> str:
    return " / ".join(f"{w * HOURS_PER_YEAR:.3f}" for w in waits_years)


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
