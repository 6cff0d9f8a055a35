"""An interrupted sweep keeps its finished cells; --resume ends with the uninterrupted result."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sim import GridqueueError, sweep
from sim.analysis import sweeps
from sim.cli import main
from sim.runs.staging import MARKER
from tests.processes import ctrl_c_as_in_a_terminal

SCENARIO = """\
start: 2024-01-01
end: 2030-01-01
replications: 10
seed: 5
grid:
  capacity_mw: 2
  upgrades: [{name: station, date: 2027-01-01, add_mw: 20}]
streams:
  firms: {category: other, rate_per_year: 150, demand_mw: 0.1,
          patience_years: {dist: exponential, mean: 3}}
  schools: {category: basic_needs, rate_per_year: 20, demand_mw: 0.2}
"""
VARY = ["--vary", "policy.order=fifo,social_priority",
        "--vary", "grid.capacity_mw=1,2,3"]
"""Six cells whose queues the policy reorders: some 19 MW asked a year against 1 to 3 MW until
the upgrade. 150 firms of 0.1 MW a year wait as 1,500 of 0.01 MW did, at a tenth of the
simulation. Ten replications make a cell about 0.2 s, so the four cells after the second leave
about 0.7 s to stop the sweep before it has kept every cell (with three, a quarter second)."""

# What a resumed sweep keeps and its table are checked here, not its figure: in this process it
# is laid out and written empty (tests/undrawn.py); the sweeps stopped as processes draw it.
pytestmark = pytest.mark.undrawn


def sweep_args(folder: Path, output: str, *extra: str) -> list[str]:
    """The words of ``gridqueue sweep`` of ``folder/s.yaml`` into ``folder/output``."""
    return ["sweep", str(folder / "s.yaml"), *VARY, "-o", str(folder / output), "--workers",
            "1", "-q", *extra]


def sweep_command(folder: Path, output: str, *extra: str) -> list[str]:
    """:func:`sweep_args` as a process of its own, as a terminal starts it."""
    return [sys.executable, "-m", "sim", *sweep_args(folder, output, *extra)]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> bytes:
    """sweep.csv of the same sweep run in one go (in this process: a new one adds nothing)."""
    folder = tmp_path_factory.mktemp("whole")
    (folder / "s.yaml").write_text(SCENARIO)
    assert main(sweep_args(folder, "whole")) == 0
    return (folder / "whole" / "sweep.csv").read_bytes()


@pytest.mark.slow  # each starts a process and ends the sweep in this one: 5 s each
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM],
                         ids=["kill", "ctrl-c", "sigterm"])
def test_resumed_sweep_equals_an_uninterrupted_one(tmp_path, how, uninterrupted, capsys):
    """Stop a real sweep after its first cells, resume it: sweep.csv is byte-identical.

    The sweep stopped is a process of its own; the commands after it run in this one.
    """
    (tmp_path / "s.yaml").write_text(SCENARIO)
    partial = tmp_path / ".cut.partial" / "cells"
    process = subprocess.Popen(sweep_command(tmp_path, "cut"), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               preexec_fn=ctrl_c_as_in_a_terminal)
    deadline = time.monotonic() + 120
    while len(list(partial.glob("*.json"))) < 2 and process.poll() is None:
        assert time.monotonic() < deadline, "the sweep never finished a cell"
        time.sleep(0.01)
    assert process.poll() is None, "the sweep ended before it could be interrupted"
    os.kill(process.pid, how)
    _, stderr = process.communicate(timeout=60)
    kept = sorted(p.name for p in partial.glob("*.json"))
    assert 2 <= len(kept) < 6 and not (tmp_path / "cut").exists()
    if how != signal.SIGKILL:
        assert process.returncode == (130 if how == signal.SIGINT else 143)
        assert "--resume" in stderr and "Traceback" not in stderr

    assert main(sweep_args(tmp_path, "cut")) == 2
    assert "--resume" in capsys.readouterr().err

    code = main(sweep_args(tmp_path, "cut", "--resume"))
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "cut" / "sweep.csv").read_bytes() == uninterrupted
    assert not (tmp_path / ".cut.partial").exists()


SMALL = """\
start: 2024-01-01
end: 2026-01-01
replications: 2
seed: 5
grid: {capacity_mw: 2}
streams:
  firms: {category: other, rate_per_year: 20, demand_mw: 0.2}
policy: {order: 'resume_policy:Smallest'}
"""
POLICY = """\
from sim import QueuePolicy


class Smallest(QueuePolicy):
    def sort_key(self, applicant):
        return (applicant.requested_mw,)
"""


@pytest.fixture
def kept(tmp_path: Path) -> Iterator[Path]:
    """A sweep over capacities 1 and 2 whose cells were kept, as after an interruption."""
    (tmp_path / "s.yaml").write_text(SMALL, encoding="utf-8")
    (tmp_path / "resume_policy.py").write_text(POLICY, encoding="utf-8")
    sweep(tmp_path / "s.yaml", {"grid.capacity_mw": [1, 2]}, workers=1,
          cells_dir=tmp_path / ".out.partial" / "cells")
    (tmp_path / ".out.partial" / MARKER).write_text('{"written_by": "gridqueue"}\n')
    yield tmp_path
    sys.modules.pop("resume_policy", None)


def resume(folder: Path, capsys: pytest.CaptureFixture[str], values: str = "1,2"
           ) -> tuple[int, str]:
    """``gridqueue sweep --resume`` of the kept sweep; the exit code and standard error."""
    code = main(["sweep", str(folder / "s.yaml"), "--vary", f"grid.capacity_mw={values}",
                 "-o", str(folder / "out"), "--workers", "1", "-q", "--resume"])
    return code, capsys.readouterr().err


def test_resume_refuses_cells_of_another_grid(kept, capsys):
    """Kept cells that are not in the grid now asked are refused, not mixed in."""
    code, err = resume(kept, capsys, values="1,3")
    assert code == 2
    assert re.fullmatch(r"gridqueue: error: \S+\.json: the kept cell \w+ is not in the sweep as "
                        r"now asked \(the varied keys or values changed\); resuming would mix "
                        r"old and new cells: run the sweep without --resume, with --force, to "
                        r"start again\n", err), err
    assert not (kept / "out").exists()


def test_resume_from_python_names_the_keywords_that_start_again(kept):
    """sweep_to_directory(resume=True) told a Python caller to run without --resume."""
    from sim.analysis.sweeps import sweep_to_directory

    with pytest.raises(GridqueueError) as raised:
        sweep_to_directory(kept / "out", kept / "s.yaml", {"grid.capacity_mw": [1, 3]},
                           resume=True, workers=1)
    assert str(raised.value).endswith("resuming would mix old and new cells: run the sweep "
                                      "without resume=True, with force=True, to start again")
    assert "--" not in str(raised.value)
    assert not (kept / "out").exists()


def test_resume_refuses_cells_made_with_other_policy_code(kept, capsys):
    """A policy module changed since the cells were kept makes --resume refuse."""
    with (kept / "resume_policy.py").open("a", encoding="utf-8") as module:
        module.write("# changed\n")
    code, err = resume(kept, capsys)
    assert code == 2
    assert "was made with another scenario, waiting list or policy code" in err
    assert not (kept / "out").exists()


def test_resume_runs_a_damaged_cell_again(kept, capsys):
    """A kept cell whose table is empty is run again; the result equals a fresh sweep's."""
    damaged = sorted((kept / ".out.partial" / "cells").glob("*.csv"))[0]
    damaged.write_text("", encoding="utf-8")
    code, err = resume(kept, capsys)
    assert code == 0, err
    fresh = sweep(kept / "s.yaml", {"grid.capacity_mw": [1, 2]}, workers=1)
    assert (kept / "out" / "sweep.csv").read_text(encoding="utf-8") == \
        fresh.with_differences().to_csv(index=False)


@pytest.mark.parametrize("column", ["value", "replication"])
def test_resume_runs_a_cell_with_text_for_a_number_again(kept, capsys, column):
    """Text where a kept cell holds numbers (an edit, a damaged disk) runs the cell again.

    It ended the sweep in a traceback when the key figures were summarised.
    """
    damaged = sorted((kept / ".out.partial" / "cells").glob("*.csv"))[0]
    lines = damaged.read_text(encoding="utf-8").split("\n")
    header, row = lines[0].split(","), lines[1].split(",")
    row[header.index(column)] = "abc"
    damaged.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]), encoding="utf-8")
    code, err = resume(kept, capsys)
    assert code == 0, err
    fresh = sweep(kept / "s.yaml", {"grid.capacity_mw": [1, 2]}, workers=1)
    assert (kept / "out" / "sweep.csv").read_text(encoding="utf-8") == \
        fresh.with_differences().to_csv(index=False)


def test_resume_of_a_finished_sweep_says_there_is_nothing_to_resume(kept, capsys):
    """It said the output 'already exists', as though the sweep there were not seen."""
    code, err = resume(kept, capsys)
    assert code == 0, err
    finished = (kept / "out" / "sweep.csv").read_bytes()
    code, err = resume(kept, capsys)
    assert code == 2
    assert err == (f"gridqueue: error: {kept / 'out'}: holds a finished sweep (sweep.csv, "
                   "sweep.png) and no unfinished one, so there is nothing to resume; to run "
                   "the sweep there again, pass --force instead of --resume, or choose another "
                   "output directory\n")
    # Another sweep (a value added) finds the same folder: what is said holds of it too.
    code, other = resume(kept, capsys, values="1,2,3")
    assert code == 2 and other == err
    # A bad value is told as such first: it was told there was nothing to resume.
    code, bad = resume(kept, capsys, values="1,-2")
    assert code == 2 and "grid.capacity_mw" in bad and "nothing to resume" not in bad, bad
    assert (kept / "out" / "sweep.csv").read_bytes() == finished
    with pytest.raises(GridqueueError, match="pass force=True instead of resume=True"):
        sweeps.sweep_to_directory(kept / "out", kept / "s.yaml", {"grid.capacity_mw": [1, 2]},
                                  resume=True, workers=1)
    # another kind of output there is not called a finished sweep: it is in the way, as before
    (kept / "out" / "sweep.csv").unlink()
    code, err = resume(kept, capsys)
    assert code == 2 and "already exists" in err


def test_ctrl_c_while_the_sweep_is_written_names_the_kept_cells(kept, capsys, monkeypatch):
    """Stopped in its final write, the message names the folder kept and --resume.

    Not 'nothing partial was written'; the same command with --resume then finishes.
    """
    real = sweeps.Sweep.write_summary

    def written_then_stopped(self, folder, metric, group):  # type: ignore[no-untyped-def]
        real(self, folder, metric, group)
        raise KeyboardInterrupt

    monkeypatch.setattr(sweeps.Sweep, "write_summary", written_then_stopped)
    code, err = resume(kept, capsys)
    partial = kept / ".out.partial"
    assert code == 130
    assert err.splitlines() == [f"gridqueue: error: sweep interrupted: 2 finished cell(s) kept "
                                f"in {partial}; run the same command with --resume to continue"]
    assert (partial / "sweep.csv").is_file() and not (kept / "out").exists()
    monkeypatch.setattr(sweeps.Sweep, "write_summary", real)
    code, err = resume(kept, capsys)
    assert code == 0, err
    assert not partial.exists()


def test_a_sweep_stopped_before_any_cell_says_nothing_was_kept(kept, capsys, monkeypatch):
    """With no cell finished the staging folder goes, and the message says nothing was kept."""
    def stopped(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(sweeps, "_run_plan", stopped)
    code = main(["sweep", str(kept / "s.yaml"), "--vary", "grid.capacity_mw=1,2", "-o",
                 str(kept / "other"), "--workers", "1", "-q"])
    err = capsys.readouterr().err
    assert code == 130
    assert err.splitlines() == ["gridqueue: error: sweep interrupted before any part of it "
                                "finished: nothing was kept, and earlier results are untouched"]
    assert not (kept / ".other.partial").exists()


# The kept cells themselves, without running a sweep: what read_cell and check_kept_cells take
# as finished, and what they leave to be run again.

def _every_figure(replications: int = 2) -> pd.DataFrame:
    """A cell's per-replication figures as the sweep stores them, every key figure present."""
    from sim.runs.metrics import METRICS

    return pd.DataFrame([{"replication": r, "group": "all", "metric": metric, "value": r + 0.5}
                         for r in range(replications) for metric in METRICS])


def test_a_kept_cell_is_read_back_only_for_its_own_definition(tmp_path):
    from sim.analysis.sweep_cells import read_cell, write_cell

    figures = _every_figure()
    write_cell(tmp_path, "c1", {"grid.capacity_mw": 2}, figures, "abc")
    back = read_cell(tmp_path, "c1", "abc")
    assert back is not None
    pd.testing.assert_frame_equal(back, figures)
    assert read_cell(tmp_path, "c1", "other") is None  # scenario or code changed: run again
    assert read_cell(tmp_path, "c2", "abc") is None  # never finished


@pytest.mark.parametrize("about", ["", "{not json", "[1, 2]", None],
                         ids=["empty", "not JSON", "not a mapping", "missing"])
def test_a_cell_with_a_damaged_or_missing_description_is_run_again_not_refused(tmp_path, about):
    """Its figures are not taken, and resuming does not stop over it: the cell runs again."""
    from sim.analysis.sweep_cells import check_kept_cells, read_cell, write_cell

    write_cell(tmp_path, "c1", {}, _every_figure(), "abc")
    if about is None:
        (tmp_path / "c1.json").unlink()
    else:
        (tmp_path / "c1.json").write_text(about, encoding="utf-8")
    assert read_cell(tmp_path, "c1", "abc") is None
    check_kept_cells(tmp_path, {"c2": "def"})  # c1 is not in this sweep, yet no refusal


def test_a_damaged_cell_beside_a_cell_of_another_sweep_does_not_hide_it(tmp_path):
    from sim.analysis.sweep_cells import check_kept_cells, write_cell

    (tmp_path / "a.json").write_text("{", encoding="utf-8")
    write_cell(tmp_path, "b", {}, _every_figure(), "abc")
    with pytest.raises(GridqueueError, match=r"b\.json: the kept cell b is not in the sweep"):
        check_kept_cells(tmp_path, {"a": "abc"})


@pytest.mark.parametrize("columns", [
    None,  # the header only: no replication finished
    ["group", "metric", "value"],  # every figure, but not said of which replication
    ["group", "replication", "metric", "value"],  # not the table the sweep writes
], ids=["no rows", "no replication column", "replication not first"])
def test_a_cell_whose_table_names_no_replication_is_run_again(tmp_path, columns):
    """Not taken as finished, and not a KeyError either: the cell is simply run again."""
    from sim.analysis.sweep_cells import read_cell, write_cell

    figures = _every_figure()
    write_cell(tmp_path, "c1", {}, figures, "abc")
    if columns is None:
        (tmp_path / "c1.csv").write_text(",".join(figures.columns) + "\n", encoding="utf-8")
    else:
        figures[columns].to_csv(tmp_path / "c1.csv", index=False)
    assert read_cell(tmp_path, "c1", "abc") is None


def test_a_cell_of_this_version_lacking_a_key_figure_is_run_again(tmp_path):
    """A cell without one of the key figures would leave a hole in the sweep's table."""
    from sim.analysis.sweep_cells import read_cell, write_cell

    figures = _every_figure()
    write_cell(tmp_path, "c1", {}, figures[figures["metric"] != figures["metric"].iloc[-1]],
               "abc")
    assert read_cell(tmp_path, "c1", "abc") is None


def test_a_finished_sweep_of_the_command_line_is_named_a_sweep(tmp_path, capsys):
    """A finished sweep of the command line is marked as a sweep, as sweep().write marks it.

    gridqueue sweep marked its finished folder as a nameless output: an output refused inside
    it read 'an output gridqueue wrote' there and 'a sweep gridqueue wrote' from Python.
    """
    (tmp_path / "s.yaml").write_text(SMALL.replace("policy: {order: 'resume_policy:Smallest'}\n",
                                                   ""))
    assert main(["sweep", str(tmp_path / "s.yaml"), "--vary", "grid.capacity_mw=1,2", "-o",
                 str(tmp_path / "sw"), "--workers", "1", "-q"]) == 0
    assert main(["run", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "sw" / "run"),
                 "-q"]) == 2
    assert f"lies inside {tmp_path / 'sw'}, a sweep gridqueue wrote" in capsys.readouterr().err
