"""Settings a planner could give that changed nothing, or failed without a way out, unsaid.

Each case ran before without a word (or stopped naming only a bundled file); see
:mod:`sim.inputs.inert` and :mod:`sim.policies.shadowing` for the rules they now follow.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from sim import GridqueueWarning, load_scenario

FAMILY = Path(__file__).resolve().parents[1] / "scenarios" / "flevoland"


def child_of(folder: Path, parent: str, text: str, name: str = "child.yaml") -> Path:
    """A scenario file in ``folder`` that extends the bundled ``parent`` with ``text``."""
    path = folder / name
    path.write_text(f"extends: {FAMILY / parent}\n{text}", encoding="utf-8")
    return path


def quiet_load(path: Path, overrides: list[str] | None = None) -> None:
    """Load ``path`` and fail on any gridqueue warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        load_scenario(path, overrides or [])


def test_a_stream_lifetime_that_ends_after_the_run_is_named(tmp_path: Path):
    """No connection of a 50-year lifetime ends in a run of 14 years: it changes nothing.

    A project's was warned of; a stream's ran as permanent without a word. Only where even
    the shortest lifetime, from the stream's first request, ends after the end.
    """
    path = child_of(tmp_path, "social_priority.yaml",
                    "streams: {logistics: {lifetime_years: 50}}\n")
    with pytest.warns(GridqueueWarning, match=r"child.yaml:2: streams.logistics.lifetime_years: "
                      r"50 years from its first request \(2022-11-17\), the earliest it can "
                      r"connect, end after end \(2036-12-31\), so no connection ends in this "
                      r"run: it changes nothing"):
        load_scenario(path)
    with pytest.warns(GridqueueWarning, match=r"streams.logistics.lifetime_years: at least 15 "
                      r"years from its first request"):  # the least a distribution draws
        load_scenario(path, ["streams.logistics.lifetime_years={dist: uniform, low: 15, "
                             "high: 30}"])
    with pytest.warns(GridqueueWarning, match=r"streams.logistics.lifetime_years: 10 years "
                      r"from its first request \(2027-01-01\)"):  # nobody comes before its period
        load_scenario(path, ["streams.logistics.lifetime_years=10",
                             "streams.logistics.period={start: 2027-01-01}"])
    quiet_load(path, ["streams.logistics.lifetime_years=10"])  # those of 2022-2026 end
    quiet_load(path, ["streams.logistics.lifetime_years={dist: exponential, mean: 50}"])
    quiet_load(path, ["streams.logistics.lifetime_years={dist: uniform, low: 5, high: 60}"])
