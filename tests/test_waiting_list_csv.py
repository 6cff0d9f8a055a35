"""What a waiting-list CSV's messages say of the file: rows that repeat, its path as written."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pytest

from sim import GridqueueWarning, InputError, load_scenario, run
from sim.inputs.waiting_list_csv import read_waiting_list
from tests.test_loading import BASE


def beside_the_folder(tmp_path: Path, rows: str) -> Path:
    """A scenario in flev/ naming ../wachtlijst.csv, the list in the folder above."""
    (tmp_path / "flev").mkdir()
    (tmp_path / "wachtlijst.csv").write_text("request_date,category,demand_mw\n" + rows,
                                             encoding="utf-8")
    path = tmp_path / "flev" / "s.yaml"
    path.write_text(BASE + "waiting_list: {csv: ../wachtlijst.csv}\n", encoding="utf-8")
    return path


def test_a_bad_row_names_the_file_without_dot_dot(tmp_path, monkeypatch):
    """Named as ../wachtlijst.csv from flev/, the file was shown as flev/../wachtlijst.csv."""
    beside_the_folder(tmp_path, "2023-01-01,other,0.5\n2023-02-01,other,x\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=r"^wachtlijst\.csv:3: demand_mw: expected a number"):
        load_scenario("flev/s.yaml")


def test_a_missing_file_is_named_without_dot_dot(tmp_path, monkeypatch):
    path = beside_the_folder(tmp_path, "2023-01-01,other,0.5\n")
    (tmp_path / "wachtlijst.csv").unlink()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=r"^flev/s\.yaml:\d+: waiting_list\.csv: expected an "
                       r"existing CSV file; 'wachtlijst\.csv' was not found"):
        load_scenario("flev/s.yaml")
    assert path.exists()


def test_the_scenario_keeps_the_path_as_written(tmp_path, monkeypatch):
    """Only messages show it normalised: the scenario (and its results' copy) keep it."""
    beside_the_folder(tmp_path, "2023-01-01,other,0.5\n")
    monkeypatch.chdir(tmp_path)
    scenario = load_scenario("flev/s.yaml")
    assert scenario.waiting_list is not None
    assert scenario.waiting_list.csv == "../wachtlijst.csv"


DOUBLED = ("2023-01-01,other,0.5\n"    # line 2
           "2023-01-01,other,0.5\n"    # line 3: repeats 2
           "2023-02-01,other,0.7\n"    # line 4
           "2023-01-01,other, 0.5\n"   # line 5: repeats 2 (spaces aside)
           "2023-02-01,other,0.7\n"    # line 6: repeats 4
           "2023-03-01,other,0.7\n"    # line 7
           "2023-02-01,other,0.7\n")   # line 8: repeats 4


def test_rows_that_repeat_an_earlier_one_still_count_and_are_warned_of_once(tmp_path,
                                                                            monkeypatch):
    """An export that doubled its rows doubled those applicants without a word.

    Each still counts (two requests alike are two rows alike), but one warning names how
    many repeat and the first few by line; running the loaded scenario does not say it again.
    """
    beside_the_folder(tmp_path, DOUBLED)
    monkeypatch.chdir(tmp_path)
    with pytest.warns(GridqueueWarning) as caught:
        scenario = load_scenario("flev/s.yaml", {"replications": 1})
    said = [str(w.message) for w in caught if "repeat" in str(w.message)]
    assert said == ["wachtlijst.csv: 4 rows repeat an earlier row exactly (line 3 repeats "
                    "line 2, line 5 repeats line 2, line 6 repeats line 4, and 1 more); each "
                    "counts as an applicant; remove them if the export doubled them"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        results = run(scenario, workers=1)
    assert (results.applicants["source"] == "waiting_list").sum() == 7


def test_one_repeated_row_is_named_alone(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("request_date;category;demand_mw\n01-01-2023;other;0,5\n"
                    "01-01-2023;other;0,5\n", encoding="utf-8")
    rows = read_waiting_list(path, dt.date(2024, 1, 1), [], ["main"])
    assert len(rows) == 2 and rows.repeats == ((3, 2),)
    (tmp_path / "s.yaml").write_text(BASE + "waiting_list: {csv: list.csv}\n",
                                     encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"list\.csv: 1 row repeats an earlier row "
                      r"exactly \(line 3 repeats line 2\); it counts as an applicant; remove "
                      r"it if the export doubled it$"):
        load_scenario(tmp_path / "s.yaml")


def test_rows_alike_but_for_one_column_are_not_repeats(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("request_date,category,demand_mw,name\n2023-01-01,other,0.5,A\n"
                    "2023-01-01,other,0.5,B\n", encoding="utf-8")
    assert read_waiting_list(path, dt.date(2024, 1, 1), [], ["main"]).repeats == ()
    (tmp_path / "s.yaml").write_text(BASE + "waiting_list: {csv: list.csv}\n",
                                     encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        load_scenario(tmp_path / "s.yaml")
