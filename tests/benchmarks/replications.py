"""Benchmark 3: a thousand replications of the Flevoland base scenario, serial and parallel.

Each configuration runs in a fresh process, as ``gridqueue run`` would: simulate with
``sim.run`` and write the results directory (``applicants.csv`` included). That process times
the two steps, then writes the same tables again with the writer of earlier versions
(:mod:`tests.benchmarks.previous_writer`), timing it and checking that the bytes agree. From
outside, this module samples the memory of the whole process tree (the main process and its
workers) and keeps the peak. Memory is the proportional set size (PSS): pages the forked
workers share with the main process are counted once, not once per process.

Run one configuration alone with
``python -m tests.benchmarks.replications --workers 2 --replications 1000``.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BASE_SCENARIO", "ReplicationsResult", "ScalingRound", "measure",
           "run_replication_benchmark", "scaling_rounds"]

ROOT = Path(__file__).resolve().parents[2]
BASE_SCENARIO = ROOT / "scenarios" / "flevoland" / "base.yaml"
REPLICATIONS = 1000
SCALING_REPLICATIONS = 300
SCALING_ROUNDS = 5
SAMPLE_SECONDS = 0.2


@dataclass(frozen=True)
class ReplicationsResult:
    """One configuration: how long simulating and writing took, and the peak memory."""

    workers: int
    replications: int
    applicant_rows: int
    run_seconds: float
    write_seconds: float
    run_cpu_seconds: float
    """CPU time of simulating, the worker processes' included: what running in parallel costs,
    which other programs on the machine hardly change."""
    previous_write_seconds: float
    """The same tables written by the writer of earlier versions, in the same process."""
    identical: bool
    """Whether both writers wrote the same bytes in every table."""
    peak_mb: float
    ceiling: float
    """Speed-up a plain CPU loop got in as many processes just before (1 for one worker)."""


def measure(workers: int, replications: int = REPLICATIONS,
            scenario: Path = BASE_SCENARIO) -> ReplicationsResult:
    """Run one configuration in a fresh process and sample its memory until it ends."""
    import psutil

    from tests.benchmarks.timing import parallel_capacity

    ceiling = parallel_capacity(workers) if workers > 1 else 1.0

    with tempfile.TemporaryDirectory(prefix="gridqueue-bench-") as folder:
        command = [sys.executable, "-m", "tests.benchmarks.replications", "--workers",
                   str(workers), "--replications", str(replications), "--scenario",
                   str(scenario), "--output", str(Path(folder) / "out")]
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        peak = _Peak(psutil.Process(process.pid))
        peak.start()
        output, _ = process.communicate()
        peak.stop()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {process.returncode}")
    figures = json.loads(output.strip().splitlines()[-1])
    return ReplicationsResult(workers=workers, replications=replications,
                              peak_mb=peak.megabytes, ceiling=ceiling, **figures)


@dataclass(frozen=True)
class ScalingRound:
    """A serial run, the CPU-loop ceiling and a parallel run, taken one right after another."""

    serial_seconds: float
    parallel_seconds: float
    ceiling: float

    @property
    def speedup(self) -> float:
        """How many times as fast the parallel run simulated."""
        return self.serial_seconds / self.parallel_seconds


def scaling_rounds(workers: int, rounds: int = SCALING_ROUNDS,
                   replications: int = SCALING_REPLICATIONS) -> list[ScalingRound]:
    """Simulate (without writing) serially and on ``workers`` workers, in turns, round by round.

    On a shared machine the speed-up of two runs minutes apart says more about the machine
    than about the code; runs taken one right after the other, with the ceiling measured
    between them, are paired in time. The order alternates so a drift favours neither.
    """
    from tests.benchmarks.timing import parallel_capacity

    results = []
    for round_number in range(rounds):
        serial_first = round_number % 2 == 0
        serial = _simulate_seconds(1, replications) if serial_first else None
        ceiling = parallel_capacity(workers)
        parallel = _simulate_seconds(workers, replications)
        if serial is None:
            serial = _simulate_seconds(1, replications)
        results.append(ScalingRound(serial, parallel, ceiling))
    return results


def _simulate_seconds(workers: int, replications: int) -> float:
    """Wall time of ``sim.run`` in a fresh process."""
    command = [sys.executable, "-m", "tests.benchmarks.replications", "--workers",
               str(workers), "--replications", str(replications)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["run_seconds"])


def run_replication_benchmark(
    replications: int = REPLICATIONS, workers: tuple[int, ...] | None = None
) -> list[ReplicationsResult]:
    """One worker, then all cores (or the given worker counts)."""
    from sim.runs.runner import default_workers

    counts = workers or tuple(sorted({1, default_workers()}))
    return [measure(count, replications) for count in counts]


class _Peak(threading.Thread):
    """Samples the summed memory of a process and all its descendants in the background."""

    def __init__(self, process) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.process = process
        self.megabytes = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self.megabytes = max(self.megabytes, _tree_megabytes(self.process))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree_megabytes(process) -> float:  # type: ignore[no-untyped-def]
    import psutil

    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0.0
    for member in members:
        try:
            info = member.memory_full_info()
            total += getattr(info, "pss", info.rss)
        except psutil.Error:  # a worker that ended between listing and reading
            continue
    return total / 1024**2


def _cpu_seconds() -> float:
    """CPU time of this process and of its child processes that have ended."""
    import resource

    return sum(usage.ru_utime + usage.ru_stime for usage in
               (resource.getrusage(resource.RUSAGE_SELF),
                resource.getrusage(resource.RUSAGE_CHILDREN)))


def _main() -> None:
    """Simulate (and write) one configuration; print its timings as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--replications", type=int, default=REPLICATIONS)
    parser.add_argument("--scenario", type=Path, default=BASE_SCENARIO)
    parser.add_argument("--output", type=Path,
                        help="write the results here (without it, only simulate)")
    args = parser.parse_args()

    from sim import load_scenario, run
    from sim.runs.results import TABLES
    from tests.benchmarks.previous_writer import write_tables

    scenario = load_scenario(args.scenario, {"replications": args.replications})
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    results = run(scenario, workers=args.workers)
    simulated, cpu_simulated = time.perf_counter(), _cpu_seconds()
    if args.output is None:
        print(json.dumps({"run_seconds": simulated - started}))
        return
    metrics = results.replication_metrics
    rows = metrics[(metrics["group"] == "all") & (metrics["metric"] == "applicants")]["value"]
    results.write(args.output)
    written = time.perf_counter()
    previous = args.output.with_name("previous")
    write_tables(results, previous, args.workers)
    previous_written = time.perf_counter()
    identical = all(filecmp.cmp(args.output / f"{name}.csv", previous / f"{name}.csv",
                                shallow=False) for name in TABLES)
    print(json.dumps({"run_seconds": simulated - started, "write_seconds": written - simulated,
                      "run_cpu_seconds": cpu_simulated - cpu_started,
                      "previous_write_seconds": previous_written - written,
                      "identical": identical, "applicant_rows": int(rows.sum())}))


if __name__ == "__main__":
    _main()
