"""What a planner reads: the README's account of a run's output against what a run prints."""

from __future__ import annotations

from pathlib import Path

from sim import load_scenario, run
from sim.runs.metrics import METRICS, SHORTER_WINDOW
from sim.runs.summary_table import format_summary

ROOT = Path(__file__).resolve().parents[1]
FAMILY = ROOT / "scenarios" / "flevoland"


def _words(path: Path) -> str:
    """A document's text with its line breaks and runs of spaces as single spaces."""
    return " ".join(path.read_text(encoding="utf-8").split())


def test_the_readme_names_the_row_a_run_prints_where_ten_years_are_unknown():
    """The reinforcement in 2029: a replication follows no safety applicant for 10 years.

    The README said the mean wait within 5 years then follows on the next row; the run prints
    the mean years without a connection to the end of the run, as the answers of ``compare``
    use, and the sweep shows that figure too.
    """
    scenario = load_scenario(FAMILY / "social_priority.yaml",
                             {"replications": 2, "grid.upgrades.8.date": "2029-01-01"})
    lines = format_summary(run(scenario, workers=1)).splitlines()
    ten = next(i for i, line in enumerate(lines)
               if line.startswith(METRICS["wait_rmst_10y_years"].label))
    stand_in = METRICS[SHORTER_WINDOW["wait_rmst_10y_years"]].label
    assert "-" in lines[ten].split()
    assert lines[ten + 1].startswith(stand_in)
    assert stand_in.startswith("Mean years without a connection, to the end of the run")

    readme = _words(ROOT / "README.md")
    printed = readme[readme.index("It prints the key figures by category"):
                     readme.index("Then it writes:")]
    assert ("its mean years without a connection to the end of the run follows on the next "
            "row") in printed
    assert "5-year" not in printed
    assert ("it says why and how often it shows the mean years without a connection to the "
            "end of the run where the mean wait within 10 years is not known") in readme
    assert "mean wait within 5 years where 10 are not known" not in readme


def test_a_start_moved_past_a_policy_change_says_how_to_go_on(tmp_path: Path, capsys):
    """A planner starting in 2025 with a waiting list of their own, from social_priority.yaml.

    The error named the bundled file's change of 2024-10-01 as if it were wrong, and no way
    on; it now says that such a change is the policy at the start, and where it goes.
    """
    from sim.cli import main

    child = tmp_path / "from_2025.yaml"
    child.write_text(f"extends: {FAMILY / 'social_priority.yaml'}\nstart: 2025-01-01\n"
                     "observations: null\n", encoding="utf-8")
    assert main(["validate", str(child)]) == 2
    assert capsys.readouterr().err.strip().endswith(
        "policy.changes.0.date: expected a date after 2025-01-01 and before end (2036-12-31), "
        "got 2024-10-01 (a change on or before the start is in force from the start: give its "
        "policy as policy.order, which in a child file or --set replaces the inherited "
        "policy.changes, or give an earlier start)")
    # The way it names works: the schedule is replaced, with the warning that says so.
    assert main(["validate", str(child), "--set", "policy.order=social_priority"]) == 0
    assert "it replaces the inherited schedule policy.changes" in capsys.readouterr().err
    # An end set before a change names the option, as it does for an upgrade after the end.
    assert main(["validate", str(FAMILY / "social_priority.yaml"), "--set", "end=2025-12-31",
                 "--set", "observations=null", "--set", "grid.upgrades=[]"]) == 2
    assert capsys.readouterr().err.strip().endswith(
        "--set end=2025-12-31: end: expected a date after 2026-01-01, that of "
        f"policy.changes.1.date ({FAMILY / 'social_priority.yaml'}:18), which must fall within "
        "the run: give a later end, or leave policy.changes.1 out")
