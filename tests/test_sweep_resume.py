"""An interrupted sweep keeps its finished cells; --resume ends with the uninterrupted result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.processes import ctrl_c_as_in_a_terminal

SCENARIO = """\
start: 2024-01-01
end: 2030-01-01
replications: 3
seed: 5
grid:
  capacity_mw: 2
  upgrades: [{name: station, date: 2027-01-01, add_mw: 20}]
streams:
  firms: {category: other, rate_per_year: 1500, demand_mw: 0.01,
          patience_years: {dist: exponential, mean: 3}}
  schools: {category: basic_needs, rate_per_year: 200, demand_mw: 0.02}
"""
VARY = ["--vary", "policy.order=fifo,social_priority",
        "--vary", "grid.capacity_mw=1,2,3"]


def sweep_command(folder: Path, output: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "sim", "sweep", str(folder / "s.yaml"), *VARY, "-o",
            str(folder / output), "--workers", "1", "-q", *extra]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> bytes:
    """sweep.csv of the same sweep run in one go."""
    folder = tmp_path_factory.mktemp("whole")
    (folder / "s.yaml").write_text(SCENARIO)
    whole = subprocess.run(sweep_command(folder, "whole"), capture_output=True, text=True,
                           timeout=300)
    assert whole.returncode == 0, whole.stderr
    return (folder / "whole" / "sweep.csv").read_bytes()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["kill", "ctrl-c"])
def test_resumed_sweep_equals_an_uninterrupted_one(tmp_path, how, uninterrupted):
    """Stop a real sweep after its first cells, resume it: sweep.csv is byte-identical."""
    (tmp_path / "s.yaml").write_text(SCENARIO)
    partial = tmp_path / ".cut.partial" / "cells"
    process = subprocess.Popen(sweep_command(tmp_path, "cut"), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               preexec_fn=ctrl_c_as_in_a_terminal)
    deadline = time.monotonic() + 120
    while len(list(partial.glob("*.json"))) < 2 and process.poll() is None:
        assert time.monotonic() < deadline, "the sweep never finished a cell"
        time.sleep(0.05)
    assert process.poll() is None, "the sweep ended before it could be interrupted"
    os.kill(process.pid, how)
    _, stderr = process.communicate(timeout=60)
    kept = sorted(p.name for p in partial.glob("*.json"))
    assert 2 <= len(kept) < 6 and not (tmp_path / "cut").exists()
    if how == signal.SIGINT:
        assert process.returncode == 130
        assert "--resume" in stderr and "Traceback" not in stderr

    refused = subprocess.run(sweep_command(tmp_path, "cut"), capture_output=True, text=True)
    assert refused.returncode == 2 and "--resume" in refused.stderr

    resumed = subprocess.run(sweep_command(tmp_path, "cut", "--resume"), capture_output=True,
                             text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "cut" / "sweep.csv").read_bytes() == uninterrupted
    assert not (tmp_path / ".cut.partial").exists()
