"""Wall-clock and CPU time of a piece of work, and the process's peak memory."""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
from dataclasses import dataclass, field

__all__ = ["Stopwatch", "parallel_capacity", "peak_rss_mb"]

SPIN_ITERATIONS = 5_000_000


@dataclass
class Stopwatch:
    """Measures wall time and this process's CPU time between ``start`` and ``stop``.

    On a shared machine other programs stretch the wall time of a single-threaded run but not
    its CPU time, so the single-process benchmarks rate speed by CPU time and show both.
    """

    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    _wall: float = field(default=0.0, repr=False)
    _cpu: float = field(default=0.0, repr=False)

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall_seconds = time.perf_counter() - self._wall
        self.cpu_seconds = time.process_time() - self._cpu


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory so far of this process (or of its finished child processes), MB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    peak = resource.getrusage(who).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024  # bytes on macOS


def parallel_capacity(processes: int) -> float:
    """The speed-up a plain CPU-bound loop gets right now from ``processes`` processes.

    On a machine shared with other work this is below ``processes``; it is the ceiling any
    parallel run can reach at that moment, to read measured speed-ups against.
    """
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    alone = min(_spin(0) for _ in range(2))
    pool = context.Pool(processes)
    try:
        started = time.perf_counter()
        pool.map(_spin, range(processes))
        together = time.perf_counter() - started
    finally:  # workers end on their own, not by SIGTERM mid-task (which can leave a lock held)
        pool.close()
        pool.join()
    return processes * alone / together


def _spin(_: int) -> float:
    """Seconds a fixed pure-Python loop takes."""
    started = time.perf_counter()
    total = 0
    for i in range(SPIN_ITERATIONS):
        total += i * i
    return time.perf_counter() - started
