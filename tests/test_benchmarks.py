"""The benchmarks still run, at small sizes, and their peers agree where they must.

Timings are never checked here (they belong to ``make bench``); this only keeps the
benchmark code from breaking unnoticed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.runs.runner import default_workers
from tests.benchmarks.__main__ import QUICK_REPLICATIONS
from tests.benchmarks.mechanisms import MECHANISMS

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

UNTRACED = {name: value for name, value in os.environ.items()
            if name not in ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")}
"""The environment without coverage's: the benchmarks' code is not gridqueue's, the engine
they run is measured by the other tests, and traced they took 86 s of the suite, not 35."""


def test_quick_benchmarks_print_every_table():
    """``--quick`` runs all four benchmarks and prints their tables and the breakdown."""
    done = subprocess.run([sys.executable, "-m", "tests.benchmarks", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=UNTRACED)
    assert done.returncode == 0, done.stderr
    for heading in ("## 1. Peer comparison", "### Where gridqueue's time goes",
                    "## 2. Long queues", f"## 3. {QUICK_REPLICATIONS} replications",
                    "## 4. Every 2026 mechanism on the peer workload"):
        assert heading in done.stdout
    assert ("### Scaling on" in done.stdout) == (default_workers() > 1)
    rows = {line.split("|")[1].strip(): line.split("|")
            for line in done.stdout.splitlines() if line.startswith("| ")}
    for name in ("gridqueue", "Ciw", "SimPy (minimal)", "heapq loop", "Cobham's formula"):
        assert name in rows
    table_3 = done.stdout.split("## 3.")[1].split("### Scaling")[0]
    replication_rows = [line.split("|") for line in table_3.splitlines()
                        if line.startswith(("| 1 |", "| 2 |"))]
    assert replication_rows and all(row[8].strip() == "yes" for row in replication_rows)
    # SimPy and the heapq loop draw the same customers in the same order: same waits exactly.
    assert rows["SimPy (minimal)"][-2] == rows["heapq loop"][-2]
    assert rows["SimPy (minimal)"][2] == rows["heapq loop"][2]  # and as many of them
    table_4 = done.stdout.split("## 4.")[1]
    assert all(m.name in table_4 for m in MECHANISMS)
    assert "goal at most 1.5x" in table_4
