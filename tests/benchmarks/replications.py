"""Benchmark 3: a thousand replications of the Flevoland base scenario, serial and parallel.

Each configuration runs in a fresh process, as ``gridqueue run`` would: simulate with
``sim.run`` and write the results directory (``applicants.csv`` included). That process times
the two steps; from outside, this module samples the memory of the whole process tree (the
main process and its workers) and keeps the peak. Memory is the proportional set size (PSS):
pages the forked workers share with the main process are counted once, not once per process.

Run one configuration alone with
``python -m tests.benchmarks.replications --workers 2 --replications 1000``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BASE_SCENARIO", "ReplicationsResult", "measure", "run_replication_benchmark"]

ROOT = Path(__file__).resolve().parents[2]
BASE_SCENARIO = ROOT / "scenarios" / "flevoland" / "base.yaml"
REPLICATIONS = 1000
SAMPLE_SECONDS = 0.2


@dataclass(frozen=True)
class ReplicationsResult:
    """One configuration: how long simulating and writing took, and the peak memory."""

    workers: int
    replications: int
    applicant_rows: int
    run_seconds: float
    write_seconds: float
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


def _main() -> None:
    """Simulate and write one configuration; print its timings as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--replications", type=int, default=REPLICATIONS)
    parser.add_argument("--scenario", type=Path, default=BASE_SCENARIO)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()

    from sim import load_scenario, run

    scenario = load_scenario(args.scenario, {"replications": args.replications})
    started = time.perf_counter()
    results = run(scenario, workers=args.workers)
    simulated = time.perf_counter()
    metrics = results.replication_metrics
    rows = metrics[(metrics["group"] == "all") & (metrics["metric"] == "applicants")]["value"]
    results.write(args.output)
    written = time.perf_counter()
    print(json.dumps({"run_seconds": simulated - started, "write_seconds": written - simulated,
                      "applicant_rows": int(rows.sum())}))


if __name__ == "__main__":
    _main()
