"""A waiting-list CSV's named rows are said beside the named projects: when each connects.

The world, worked out by hand:

    capacity 0 MW at 2024-01-01; +1.0 MW on 2025-01-01; +0.5 MW on 2026-01-01; fifo
    hospital  (CSV) 2022-06-01 other 0.6 MW   "Flevoziekenhuis extension"
    (no name) (CSV) 2022-09-01 other 0.3 MW
    bakery    (CSV) 2023-03-01 other 0.5 MW   "Bakery"
    Bakery (project) 2024-06-01 other 0.1 MW

On 2025-01-01 the hospital and the unnamed row take 0.9 MW; the CSV's bakery (0.5 MW) does
not fit the 0.1 MW left, and in first-come order the project waits behind it. On 2026-01-01
0.6 MW is free: the CSV's bakery and then the project are connected.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import run
from sim.errors import InputError
from sim.inputs.waiting_list_csv import read_waiting_list
from sim.report.narrative import project_dates
from sim.runs.replication import run_replication
from sim.runs.stats import named_applicants, summarise_projects
from sim.runs.summary_table import format_projects
from tests.builders import project, scenario

LIST = ("request_date,category,demand_mw,name\n"
        "2022-06-01,other,0.6,Flevoziekenhuis extension\n"
        "2022-09-01,other,0.3,\n"
        "2023-03-01,other,0.5,Bakery\n")


def world(csv: Path, replications: int = 2) -> dict:
    return {
        "grid": {"capacity_mw": 0.0, "upgrades": [
            {"name": "first", "date": "2025-01-01", "add_mw": 1.0},
            {"name": "second", "date": "2026-01-01", "add_mw": 0.5}]},
        "waiting_list": {"csv": str(csv), "patience_years": 100},
        "projects": [project("Bakery", "2024-06-01", 0.1, patience_years=100)],
        "policy": {"order": "fifo"},
        "replications": replications,
    }


def test_named_rows_are_summarised_beside_the_projects(tmp_path: Path):
    """projects.csv gives each named row a line, marked as from the waiting list.

    The unnamed row gets none; the CSV's "Bakery" and the project "Bakery" are two requests,
    kept apart by source; each row's request date is the file's.
    """
    (tmp_path / "list.csv").write_text(LIST, encoding="utf-8")
    results = run(scenario(**world(tmp_path / "list.csv")), workers=1)
    table = results.projects
    assert list(zip(table["project"], table["source"], strict=True)) == [
        ("Flevoziekenhuis extension", "waiting_list"), ("Bakery", "waiting_list"),
        ("Bakery", "project")]
    assert [str(d.date()) for d in table["request_date"]] == [
        "2022-06-01", "2023-03-01", "2024-06-01"]
    assert [str(d.date()) for d in table["connect_date_p50"]] == [
        "2025-01-01", "2026-01-01", "2026-01-01"]
    assert table["connected_share"].tolist() == [1.0, 1.0, 1.0]
    assert table["replications"].tolist() == [2, 2, 2]
    lines = format_projects(table)
    assert lines[0].startswith("Flevoziekenhuis extension (waiting list) (asked 2022-06-01): "
                               "connected in 2 of 2 replications, median 2025-01-01")
    assert lines[1].startswith("Bakery (waiting list) (asked 2023-03-01): connected in 2 of 2")
    assert lines[2].startswith("Bakery (asked 2024-06-01): connected in 2 of 2")
    dates = project_dates({"s": table})
    assert set(dates) == {("s", "Flevoziekenhuis extension (waiting list)"),
                          ("s", "Bakery (waiting list)"), ("s", "Bakery")}
    # Each replication passes on the named rows only, and the full table, the unnamed row
    # and all, gives the same lines: both pick the rows one rule names (named_applicants).
    one = run_replication(results.scenario, 0)
    assert sorted(one.projects["name"].astype(str)) == ["Bakery", "Bakery",
                                                         "Flevoziekenhuis extension"]
    assert (results.applicants["name"] == "").any()
    assert named_applicants(results.applicants).sum() == 6  # three names, two replications
    pd.testing.assert_frame_equal(summarise_projects(results.applicants, 2), table)
    folder = tmp_path / "out"
    results.write(folder)
    written = (folder / "projects.csv").read_text(encoding="utf-8").splitlines()
    assert written[0].endswith(",source,first_in_part_share")
    assert [line.split(",")[0] for line in written[1:]] == [
        "Flevoziekenhuis extension", "Bakery", "Bakery"]


def test_a_list_without_names_adds_no_projects(tmp_path: Path):
    """Unnamed rows (the name "") are not followed by name, nor is a list without the column."""
    (tmp_path / "list.csv").write_text("request_date,category,demand_mw\n"
                                       "2022-06-01,other,0.6\n", encoding="utf-8")
    fields = world(tmp_path / "list.csv", replications=1)
    fields["projects"] = []
    results = run(scenario(**fields), workers=1)
    assert results.projects.empty
    assert list(results.projects.columns)[-2:] == ["source", "first_in_part_share"]


def test_two_rows_of_one_name_are_refused_naming_both_lines(tmp_path: Path):
    """Summarised by name, two rows of one name would read as one request."""
    path = tmp_path / "list.csv"
    path.write_text(LIST + "2023-04-01,other,0.2,Bakery\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_waiting_list(path, scenario().start, [], ["main"])
    message = str(caught.value)
    assert "list.csv:5" in message and "'Bakery' is also on line 4" in message


def test_a_folder_written_before_the_source_column_reads_as_projects(tmp_path: Path):
    """An earlier projects.csv lacks ``source``: it is read, and its rows said as projects."""
    from sim import Results

    (tmp_path / "list.csv").write_text(LIST, encoding="utf-8")
    folder = tmp_path / "out"
    run(scenario(**world(tmp_path / "list.csv", replications=1)), workers=1).write(folder)
    table = pd.read_csv(folder / "projects.csv", dtype=str, keep_default_na=False)
    table = table[table["source"] == "project"].drop(columns="source")
    table.to_csv(folder / "projects.csv", index=False)
    projects = Results.read(folder).projects
    assert "source" not in projects
    assert format_projects(projects)[0].startswith("Bakery (asked 2024-06-01): connected")


def test_the_named_projects_assumption_lists_the_named_rows_too(tmp_path: Path):
    """The report's key assumptions name where each line of its named projects comes from.

    They listed the scenario's one project while the table of named projects gave three
    lines, two of them rows of the waiting list; the unnamed row is not followed by name.
    """
    from sim.report.assumptions import assumptions

    csv = tmp_path / "list.csv"
    csv.write_text(LIST.replace("Bakery\n", "Bakery,south\n").replace(
        ",name\n", ",name,area\n").replace("extension\n", "extension,north\n").replace(
        "0.3,\n", "0.3,,north\n"), encoding="utf-8")
    areas = {"grid": {"areas": {"north": {"capacity_mw": 1.0}, "south": {"capacity_mw": 1.0}}},
             "projects": [project("Bakery", "2024-06-01", 0.1, area="north")]}
    named = assumptions(scenario(**{**world(csv), **areas}))["Named projects"]
    assert named.summary == f"1 project, 2 named rows of {csv}"
    assert named.items[1:] == (
        "Flevoziekenhuis extension (waiting list) (other, north): 0.6 MW demand, requested on "
        "2022-06-01, 0 jobs",
        "Bakery (waiting list) (other, south): 0.5 MW demand, requested on 2023-03-01, 0 jobs")
    assert named.items[0].startswith("Bakery (other, north): 0.1 MW asked of the grid")
    csv.unlink()  # a results folder without its copy: what is not known is said
    gone = assumptions(scenario(**{**world(csv), **areas}))["Named projects"]
    assert gone.summary == (f"1 project, the named rows of {csv} not known (the file cannot "
                            "be read now)")
