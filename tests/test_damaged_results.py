"""A damaged results folder given to ``report`` or ``compare`` is one message, exit code 2.

Each case is a good result with one file damaged as a cut-short copy, a full disk or a hand
edit leaves it. Before these checks each ended in a Python traceback (or, for a table cut
short, in compare's advice to run more replications); now the message names the file (and the
line where it helps) and what is wrong, and nothing is written.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import InputError
from sim.runs.results import Results
from tests.test_loading import BASE

SMALL = ["--set", "replications=2", "--workers", "1", "-q"]


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small run's results folder (3 replications), without a report."""
    root = tmp_path_factory.mktemp("damaged")
    (root / "s.yaml").write_text(BASE)
    assert main(["run", str(root / "s.yaml"), "-o", str(root / "good"), "--no-report",
                 "--set", "replications=3", "--workers", "1", "-q"]) == 0
    return root / "good"


def cut(name: str, keep: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """A damage: the file ``name`` keeps only ``keep`` of its bytes."""
    def damage(folder: Path) -> None:
        path = folder / name
        path.write_bytes(keep(path.read_bytes()))
    return damage


def half_row(data: bytes) -> bytes:
    """Cut part-way through a row in the middle of the file (an incomplete copy)."""
    return data[:data.index(b"\n", len(data) // 2) + 40]


def whole_rows(count: int) -> Callable[[bytes], bytes]:
    """The header and the first ``count`` rows: cut at a line break."""
    return lambda data: b"".join(data.splitlines(keepends=True)[:count + 1])


def edited(name: str, column: str, value: str) -> Callable[[Path], None]:
    """A damage: the first row of the table ``name`` holds ``value`` in ``column`` (line 2)."""
    def damage(folder: Path) -> None:
        path = folder / name
        lines = path.read_text().split("\n")
        header, row = lines[0].split(","), lines[1].split(",")
        row[header.index(column)] = value
        path.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]))
    return damage


DAMAGES = {
    "run.json not JSON": (cut("run.json", lambda _: b"{bad"),
                          "run.json:1: expected readable JSON"),
    "run.json a list": (cut("run.json", lambda _: b"[]\n"),
                        "run.json: expected a JSON object (the provenance gridqueue run "
                        "writes), got a list"),
    "summary.csv empty": (cut("summary.csv", lambda _: b""),
                          "summary.csv: is empty; expected a table with the columns group, "
                          "metric, unit and 8 more"),
    "applicants.csv empty": (cut("applicants.csv", lambda _: b""),
                             "applicants.csv: is empty; expected a table with the columns"),
    "applicants.csv header changed": (
        cut("applicants.csv", lambda data: b"a,b,c" + data[data.index(b"\n"):]),
        "applicants.csv:1: expected a header with the columns replication, applicant_id, "
        "name and 27 more; found a, b, c"),
    "applicants.csv a column renamed": (
        cut("applicants.csv", lambda data: data.replace(b",outcome,", b",result,", 1)),
        "applicants.csv:1: expected the columns replication, applicant_id, name and 27 more; "
        "the header lacks outcome"),
    "applicants.csv cut in a row": (cut("applicants.csv", half_row),
                                    "applicants.csv:"),
    "replication_metrics.csv cut in a row": (cut("replication_metrics.csv", half_row),
                                             "replication_metrics.csv:"),
    "replication_metrics.csv cut at a line": (
        cut("replication_metrics.csv", whole_rows(10)),
        "replication_metrics.csv: holds 1 of the 3 replications run.json lists (none of "
        "replication 1, 2); the table was cut short"),
    "applicants.csv cut at a line": (
        cut("applicants.csv", whole_rows(5)),
        "applicants.csv: holds 5 rows of replication 0, but replication_metrics.csv counts"),
    "timeseries.csv ends without a line break": (
        cut("timeseries.csv", lambda data: data[:-1]),
        "timeseries.csv:"),
    "summary.csv the first row too long": (
        cut("summary.csv", lambda data: data.replace(b",log t,", b",log t,9,", 1)),
        "summary.csv:2: expected 11 fields, as in the header; found 12"),
    "summary.csv a later row too long": (
        cut("summary.csv", lambda data: b"\n".join(
            line + b",9" if number == 3 else line
            for number, line in enumerate(data.split(b"\n"), start=1))),
        "summary.csv: expected a table as gridqueue run writes it (Error tokenizing data. C "
        "error: Expected 11 fields in line 3, saw 12)"),
    "replication_metrics.csv text for a value": (
        edited("replication_metrics.csv", "value", "abc"),
        "replication_metrics.csv:2: value: expected a number, got 'abc'"),
    "summary.csv text for replications": (
        edited("summary.csv", "replications", "three"),
        "summary.csv:2: replications: expected a number, got 'three'"),
    "applicants.csv text for a number": (
        edited("applicants.csv", "demand_mw", "0.5 MW"),
        "applicants.csv:2: demand_mw: expected a number, got '0.5 MW'"),
    "applicants.csv not a date": (
        edited("applicants.csv", "request_date", "2024-13-45"),
        "applicants.csv:2: request_date: expected a date (YYYY-MM-DD), got '2024-13-45'"),
    "timeseries.csv not a date": (
        edited("timeseries.csv", "date", "soon"),
        "timeseries.csv:2: date: expected a date (YYYY-MM-DD), got 'soon'"),
    "applicants.csv not a flag": (
        edited("applicants.csv", "priority_requested", "maybe"),
        "applicants.csv:2: priority_requested: expected True or False, got 'maybe'"),
    "projects.csv missing": (lambda folder: (folder / "projects.csv").unlink(),
                             "projects.csv: not found"),
}


@pytest.fixture(params=list(DAMAGES))
def damaged(request: pytest.FixtureRequest, good: Path, tmp_path: Path
            ) -> tuple[Path, str]:
    """A copy of the good folder with one damage, and what the message must say."""
    damage, says = DAMAGES[request.param]
    folder = tmp_path / "damaged"
    shutil.copytree(good, folder)
    damage(folder)
    return folder, says


def one_line(code: int, capsys: pytest.CaptureFixture[str], says: str) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert says in err, err
    return err


def test_report_names_the_damaged_file(damaged, capsys):
    folder, says = damaged
    before = sorted(p.name for p in folder.iterdir())
    one_line(main(["report", str(folder)]), capsys, says)
    assert sorted(p.name for p in folder.iterdir()) == before  # no report, no staging left


def test_compare_names_the_damaged_file(damaged, good, tmp_path, capsys):
    folder, says = damaged
    one_line(main(["compare", str(folder), str(good), "-o", str(tmp_path / "cmp"), "-q"]),
             capsys, says)
    assert not (tmp_path / "cmp").exists()


def test_a_row_cut_in_half_is_named_with_its_fields(good, tmp_path):
    """The last row's line and how many fields it kept, not an outcome 'nan' from the figures."""
    folder = tmp_path / "cut"
    shutil.copytree(good, folder)
    lines = (folder / "applicants.csv").read_bytes().splitlines(keepends=True)
    (folder / "applicants.csv").write_bytes(b"".join(lines[:7]) + b"0,6,,stream,firms")
    with pytest.raises(InputError) as caught:
        Results.read(folder)
    assert str(caught.value) == (
        f"{folder / 'applicants.csv'}:8: truncated: the last row has 5 of 33 fields; the file "
        "was cut short (a copy or a full disk?), so this results folder is damaged")


def test_a_table_of_another_run_is_named(good, tmp_path):
    """run.json listing fewer replications than the tables hold: the tables are not its."""
    folder = tmp_path / "mixed"
    shutil.copytree(good, folder)
    info = (folder / "run.json").read_text()
    (folder / "run.json").write_text(info.replace('"replications": 3', '"replications": 2'))
    with pytest.raises(InputError, match="applicants.csv: holds replication 2, which run.json "
                       r"does not list \(2 replications, 0 to 1\)"):
        Results.read(folder)


def test_a_good_folder_and_a_table_without_rows_still_read(good, tmp_path):
    """The checks refuse nothing a run writes: a run without named projects has a header only."""
    assert (good / "projects.csv").read_text().count("\n") == 1
    results = Results.read(good)
    assert sorted(results.replication_metrics["replication"].unique()) == [0, 1, 2]


def test_a_projects_table_from_before_withdrawn_share_still_reads(good, tmp_path):
    """Older folders lack projects.csv's withdrawn_share; readers take none withdrawn."""
    import shutil

    import pandas as pd

    from sim import Results

    folder = tmp_path / "older"
    shutil.copytree(good, folder)
    projects = pd.read_csv(folder / "projects.csv")
    projects.drop(columns="withdrawn_share").to_csv(folder / "projects.csv", index=False)
    assert "withdrawn_share" not in Results.read(folder).projects.columns
