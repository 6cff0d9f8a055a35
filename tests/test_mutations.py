"""Random mutations of valid inputs either run or fail with one clear line, never a traceback.

Hypothesis takes the valid scenarios of ``tests/bad_inputs`` and breaks them the ways people
do: a key deleted or misspelt, a value of the wrong type, a sign flipped, an absurd number, two
dates swapped, garbage pasted into the YAML, a CSV cell mangled. Each mutant goes through the
real ``gridqueue run``; a mutant identical to one that already passed is not run again, as
the run is deterministic and would only repeat itself.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.runs.results import TABLES

# Not traced for coverage (pytest-cov's no_cover), which took their time from 27 to 44 s: the
# loading, the CSV reader and the report they run are measured by the corpus of malformed
# inputs, the CSV and report tests, and every other run. The three places only a mutant
# reached have tests of their own: a date that is a word (bad_inputs/start_not_a_date.yaml),
# blank lines in a waiting list, the assumptions of areas behind an upstream limit.
# Each report's figures are made and laid out, not drawn (undrawn): a mutant tests how the
# inputs are read, and a figure that cannot be made or laid out still fails it, while drawing
# and encoding, half of a small run's time, depend on no input.
pytestmark = [pytest.mark.slow, pytest.mark.no_cover, pytest.mark.undrawn]

BAD = Path(__file__).parent / "bad_inputs"
VALID = ["valid.yaml", "valid_areas.yaml"]
CSV = "waiting_list.csv"

REPLACEMENTS: list[Any] = [
    "text", 7, -3.5, 0, True, None, [], {}, [1, "a"], {"dist": "uniform"}, "2024-01-01",
    dt.date(2025, 3, 1), "fifo",
]
EXTREMES: list[Any] = [0, -1, 1e300, -1e300, 1e-300, float("inf"), float("nan"), 2**70, 0.5]
GARBAGE = [
    ":: ::", "  - [unclosed", "\tgrid: 1", "x: !!python/object/apply:os.getcwd []",
    "y: *undefined_alias", "{", "? [complex, key]", "%YAML 9.9", "---", "'unterminated",
    "grid: {capacity_mw: 3}", "streams: []", "&anchor", "- just an item",
]
CSV_GARBAGE = ["", "text", "-1", "1e400", "nan", "2023-02-30", "safty", "1,2", '"', "9" * 40,
               "true", "ümlaut"]
PASSED: set[str] = set()
"""Digests of the inputs that already ran or failed as they should."""
SETTINGS = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
"""Fifty mutants of each kind: the two tests took 4 minutes of the suite's CPU with 150 and
2 min 45 s with 100, under coverage, with the suite near its 10 minutes on two cores (the
same mutants each run: derandomised)."""


def leaf_paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a loaded YAML tree, parents before children."""
    paths = [prefix] if prefix else []
    children = node.items() if isinstance(node, dict) else (
        enumerate(node) if isinstance(node, list) else [])
    for key, child in children:
        paths += leaf_paths(child, (*prefix, key))
    return paths


def parent_of(data: Any, path: tuple) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def get(data: Any, path: tuple) -> Any:
    return parent_of(data, path)[path[-1]]


def misspell(key: str, draw: Any) -> str:
    """A typo of ``key``: a letter dropped, doubled or swapped, or a plural s."""
    if len(key) < 2:
        return key + "s"
    i = draw(st.integers(0, len(key) - 2))
    return draw(st.sampled_from([key[:i] + key[i + 1:], key[:i] + key[i] + key[i:],
                                 key[:i] + key[i + 1] + key[i] + key[i + 2:], key + "s"]))


def mutate(data: dict, draw: Any) -> None:
    """Apply one random mutation to a loaded scenario, in place."""
    paths = leaf_paths(data)
    path = draw(st.sampled_from(paths))
    parent, last = parent_of(data, path), path[-1]
    value = parent[last]
    kind = draw(st.sampled_from(["delete", "rename", "retype", "negate", "extreme", "dates",
                                 "unknown_key"]))
    if kind == "delete":
        del parent[last]
    elif kind == "rename" and isinstance(parent, dict):
        parent[misspell(str(last), draw)] = parent.pop(last)
    elif kind == "retype":
        parent[last] = copy.deepcopy(draw(st.sampled_from(REPLACEMENTS)))
    elif kind == "negate" and isinstance(value, (int, float)) and not isinstance(value, bool):
        parent[last] = -value
    elif kind == "extreme":
        parent[last] = draw(st.sampled_from(EXTREMES))
    elif kind == "dates":
        dates = [p for p in paths if isinstance(get(data, p), dt.date)]
        first, second = draw(st.sampled_from(dates)), draw(st.sampled_from(dates))
        a, b = get(data, first), get(data, second)
        parent_of(data, first)[first[-1]] = b
        years = draw(st.sampled_from([0, 1, -1, 3, -3, 200]))
        parent_of(data, second)[second[-1]] = a.replace(year=a.year + years)
    elif kind == "unknown_key" and isinstance(value, dict):
        value[draw(st.sampled_from(["surprise", "capacity", "rate", "notes"]))] = 1


def inputs_digest(folder: Path) -> str:
    """A digest of every input file in ``folder``, by name and bytes."""
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def check_outcome(folder: Path, scenario: str) -> None:
    """The run either writes every table, or fails with exit 2 and one line and writes nothing."""
    digest = inputs_digest(folder)
    if digest in PASSED:
        event("the same inputs as an earlier example")
        return
    output = folder / "out"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", str(folder / scenario), "-o", str(output), "-q", "--workers", "1"])
    event(f"exit code {code}")
    assert "Traceback" not in err.getvalue()
    if code == 0:
        assert err.getvalue() == ""
        assert {f"{name}.csv" for name in TABLES} <= {p.name for p in output.iterdir()}
    else:
        assert code == 2, err.getvalue()
        lines = err.getvalue().splitlines()
        assert len(lines) == 1, err.getvalue()
        assert lines[0].startswith("gridqueue: error: ")
        assert not output.exists()
        assert [p.name for p in folder.iterdir() if p.name.startswith(".out")] == []
    PASSED.add(digest)


@SETTINGS
@given(data=st.data())
def test_mutated_scenario_runs_or_fails_with_one_clear_line(data):
    """A scenario broken at random either still runs or fails with one clear line and exit 2."""
    name = data.draw(st.sampled_from(VALID))
    scenario = yaml.safe_load((BAD / name).read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        mutate(scenario, data.draw)
    text = yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
    if data.draw(st.booleans()):
        lines = text.splitlines()
        at = data.draw(st.integers(0, len(lines)))
        lines.insert(at, data.draw(st.sampled_from(GARBAGE)))
        text = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        (folder / name).write_text(text, encoding="utf-8")
        shutil.copy(BAD / CSV, folder / CSV)
        check_outcome(folder, name)


@SETTINGS
@given(data=st.data())
def test_mutated_waiting_list_runs_or_fails_with_one_clear_line(data):
    """A waiting-list CSV broken at random either still runs or fails with one clear line."""
    rows = [line.split(",") for line in (BAD / CSV).read_text(encoding="utf-8").splitlines()]
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["cell", "drop_column", "drop_cell", "blank_line",
                                          "truncate"]))
        row = data.draw(st.integers(0, max(len(rows) - 1, 0)))
        if not rows:
            break
        if kind == "cell" and rows[row]:
            column = data.draw(st.integers(0, len(rows[row]) - 1))
            rows[row][column] = data.draw(st.sampled_from(CSV_GARBAGE))
        elif kind == "drop_column" and rows[0]:
            column = data.draw(st.integers(0, len(rows[0]) - 1))
            rows = [r[:column] + r[column + 1:] for r in rows]
        elif kind == "drop_cell" and rows[row]:
            rows[row].pop()
        elif kind == "blank_line":
            rows.insert(row, [])
        elif kind == "truncate":
            rows = rows[:row]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        shutil.copy(BAD / "valid.yaml", folder / "valid.yaml")
        (folder / CSV).write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
        check_outcome(folder, "valid.yaml")
