"""Settings a planner could give that changed nothing, or failed without a way out, unsaid.

Each case ran before without a word (or stopped naming only a bundled file); see
:mod:`sim.inputs.inert` and :mod:`sim.policies.shadowing` for the rules they now follow.
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from sim import GridqueueWarning, InputError, load_scenario, run
from sim.cli import main
from sim.policies import registry

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


CATEGORY_POLICY = '''\
from sim import QueuePolicy


class BasicNeedsFirst(QueuePolicy):
    """basic_needs first, asked or not; then first come, first served."""

    uses_category_order = False
    uses_priority = False

    def sort_key(self, applicant):
        return (applicant.category != "basic_needs", applicant.request_time)
'''
"""A custom policy that reads the category, though it takes no category order."""


@pytest.fixture
def custom_policy(tmp_path: Path):
    """``gq_walk_policy:BasicNeedsFirst`` beside the test's scenario files, forgotten after."""
    (tmp_path / "gq_walk_policy.py").write_text(CATEGORY_POLICY, encoding="utf-8")
    yield "gq_walk_policy:BasicNeedsFirst"
    sys.modules.pop("gq_walk_policy", None)


MOVE = "streams: {logistics: {category_changes: [{date: 2027-01-01, category: basic_needs}]}}\n"


def test_a_category_change_under_fifo_changes_no_wait_and_says_so(tmp_path: Path,
                                                                   custom_policy: str):
    """Under fifo a category only labels: a change moves applicants between figures, not in line.

    So it is not refused (the figures by category change), but named as an uptake is: where
    written after the policies, not in a family's base beside its own fifo, nor where a
    policy in force reads the category (social_priority, a custom one).
    """
    path = child_of(tmp_path, "fifo.yaml", MOVE)
    with pytest.warns(GridqueueWarning, match=r"child.yaml:2: streams.logistics.category_changes "
                      r"changes no wait: fifo does not order by category or serve priority, "
                      r"and no rounds serve it between rounds; it changes only which category "
                      r"counts its applicants \(their category or final_category, and the "
                      r"figures by category\)"):
        load_scenario(path)
    with pytest.warns(GridqueueWarning, match=r"--set projects=.*: projects.0.category_changes "
                      r"changes no wait: smallest_first does not"):
        load_scenario(child_of(tmp_path, "fifo.yaml", "policy: {order: smallest_first}\n",
                               "smallest.yaml"),
                      ["projects=[{name: Campus, date: 2026-01-01, demand_mw: 5, "
                       "category_changes: [{date: 2028-01-01, category: safety}]}]"])
    quiet_load(child_of(tmp_path, "social_priority.yaml", MOVE, "priority.yaml"))
    quiet_load(child_of(tmp_path, "fifo.yaml", f"policy: {{order: '{custom_policy}'}}\n{MOVE}",
                        "custom.yaml"))
    quiet_load(child_of(tmp_path, "fifo.yaml", f"policy: {{order: fifo}}\n{MOVE}", "own.yaml"))
    rounds = ("policy: {order: fifo, allocation: rounds, rounds: {dates: [2025-01-01], "
              "between_rounds: [%s]}}\n")
    moved = tmp_path / "moved.yaml"
    moved.write_text(f"extends: rounds.yaml\n{MOVE}", encoding="utf-8")
    child_of(tmp_path, "fifo.yaml", rounds % "safety", "rounds.yaml")  # not logistics' moves
    with pytest.warns(GridqueueWarning, match=r"moved.yaml:2: streams.logistics.category_changes "
                      r"changes no wait: fifo does not order by category or serve priority, "
                      r"and rounds serve only safety between rounds; it changes only which "
                      r"category counts"):
        load_scenario(moved)
    child_of(tmp_path, "fifo.yaml", rounds % "basic_needs", "rounds.yaml")
    quiet_load(moved)
    rounds = child_of(tmp_path, "fifo.yaml", "policy: {order: fifo, allocation: rounds, rounds: "
                      "{dates: [2027-01-01], between_rounds: [basic_needs]}}\n", "rounds.yaml")
    quiet_load(rounds, ["streams.logistics.category_changes=[{date: 2027-01-01, "
                        "category: basic_needs}]"])


def test_under_fifo_a_category_change_moves_figures_and_no_wait(tmp_path: Path):
    """The decision above, run: the same waits, and more basic_needs applicants."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GridqueueWarning)
        moved = run(load_scenario(child_of(tmp_path, "fifo.yaml", MOVE), ["replications=1"]),
                    workers=1).applicants
    kept = run(load_scenario(FAMILY / "fifo.yaml", ["replications=1"]), workers=1).applicants
    pd.testing.assert_series_equal(moved["wait_years"], kept["wait_years"])
    assert (moved["category"] == "basic_needs").sum() > (kept["category"] == "basic_needs").sum()


EXPAND = "streams: {logistics: {expansion: {share: 0.5, existing_mw: 3}}}\n"


def test_an_expansion_only_labels_and_says_so(tmp_path: Path, custom_policy: str, capsys):
    """The MW in place wait nowhere and free nothing: only existing_mw tells them apart.

    Named once at load wherever given, and in the outline of validate, unless a custom
    policy is in force, which may order by existing_mw.
    """
    path = child_of(tmp_path, "social_priority.yaml", EXPAND)
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"gridqueue: warning: {path}:2: streams.logistics.expansion changes no wait: an "
        "expansion waits as a new connection of its size, and fifo and social_priority do not "
        "read existing_mw; it fills only the existing_mw column of applicants.csv"]
    stream = next(line for line in out.splitlines() if line.startswith("  logistics (other)"))
    assert stream.endswith(", 50% of them expanding 3 MW in place on average (existing_mw "
                           "only: it waits as a new connection of its size)")
    with pytest.warns(GridqueueWarning, match=r"projects.0.existing_mw changes no wait"):
        load_scenario(FAMILY / "campus.yaml", ["projects.0.existing_mw=2"])
    custom = child_of(tmp_path, "fifo.yaml", f"policy: {{order: '{custom_policy}'}}\n{EXPAND}",
                      "custom.yaml")
    quiet_load(custom)
    assert main(["validate", str(custom)]) == 0
    out, err = capsys.readouterr()
    assert "(existing_mw, which a custom policy in force may read)" in out and not err


@pytest.mark.parametrize("document", ["README.md", "docs/policies.md"])
def test_the_documented_policy_ignores_priority_and_an_uptake_beside_it_is_named(
        tmp_path: Path, monkeypatch, document: str):
    """The guide's JobsPerMWPolicy ignores who asked, and now says so: an added uptake is named.

    Without ``uses_priority = False`` a student's uptake beside it changed no wait unsaid.
    Given in the same file as the policy it is quiet, as beside ``fifo`` (a family's base).
    """
    text = (FAMILY.parents[1] / document).read_text("utf-8")
    code = next(block for block in re.findall(r"```python\n(.*?)```", text, re.S)
                if "class JobsPerMWPolicy" in block)
    (tmp_path / "gq_walk_jobs.py").write_text(code, encoding="utf-8")
    monkeypatch.setattr(registry, "POLICIES", dict(registry.POLICIES))
    monkeypatch.delitem(sys.modules, "gq_walk_jobs", raising=False)
    policy = "policy: {import: [gq_walk_jobs], order: jobs_per_mw}\n"
    base = child_of(tmp_path, "fifo.yaml", policy, "jobs.yaml")
    uptake = "priority_uptake: {basic_needs: 0.5}\n"
    with pytest.warns(GridqueueWarning, match=r"--set priority_uptake.basic_needs=0.5: "
                      r"priority_uptake changes no wait: jobs_per_mw does not serve priority"):
        load_scenario(base, ["priority_uptake.basic_needs=0.5"])
    added = tmp_path / "added.yaml"
    added.write_text(f"extends: jobs.yaml\n{uptake}", encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"added.yaml:2: priority_uptake changes no wait"):
        load_scenario(added)
    quiet_load(child_of(tmp_path, "fifo.yaml", policy + uptake, "beside.yaml"))
    sys.modules.pop("gq_walk_jobs", None)


def test_a_start_set_past_the_observations_is_named_with_a_way_out(tmp_path: Path, capsys):
    """--set start=2024-01-01 leaves the family's 2023 observations out of the run.

    The error named only the bundled observations file, as if it were wrong; now it names
    the option that moved the start, whose observation it passed, and how to go on.
    """
    fifo = str(FAMILY / "fifo.yaml")
    assert main(["run", fifo, "--set", "start=2024-01-01", "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "gridqueue: error: --set start=2024-01-01: start: expected a date on or before "
        f"2023-06-15, that of observations.0.date ({FAMILY / 'observations.yaml'}:10): an "
        "observation is set beside the run, so it must fall within it; give an earlier "
        "start, or run without the observations: --set observations=null")
    assert main(["validate", fifo, "--set", "start=2024-01-01", "--set", "observations=null"]) \
        == 0
    capsys.readouterr()
    with pytest.raises(InputError, match=r"^override end=2023-08-01: end: expected a date "
                       r"after 2023-10-15, that of observations.1.date \(.*observations.yaml"
                       r":16\): .*give a later end, or run without the observations: override "
                       r"observations=null$"):
        load_scenario(FAMILY / "fifo.yaml", {"end": "2023-08-01", "grid.upgrades": [],
                                             "capacity_releases": []})


def test_validate_counts_one_project_and_shows_what_it_is_given(capsys):
    """"1 projects" read as a slip; the project's line left out its patience and lifetime.

    A planner checks there every setting of the project's own that changes its course.
    """
    campus = str(FAMILY / "campus.yaml")
    assert main(["validate", campus, "--set", "replications=1",
                 "--set", "projects.0.patience_years=4", "--set", "projects.0.lifetime_years=8",
                 "--set", "projects.0.category_changes=[{date: 2028-01-01, category: safety}]",
                 "--set", "projects.0.priority_requested=false",
                 "--set", "projects.0.existing_mw=2"]) == 0
    out, err = capsys.readouterr()
    assert "projects.0.existing_mw changes no wait" in err  # said at load, as well
    lines = out.splitlines()
    assert lines[-2] == (
        "  High-tech campus Weerwater (ASMI): other, 20 MW asked (20 MW demand) on 2026-02-01, "
        "1200 jobs, in safety from 2028-01-01, not asking for priority, withdraws after 4 "
        "years waiting, connected for 8 years, expands 2 MW in place (existing_mw only: it "
        "waits as a new connection of its size)")
    assert lines[-1] == (f"{campus}: ok - 'campus', 2022-11-17 to 2036-12-31, 9 streams, "
                         "1 project, areas: main, 1 replication")
