"""What a waiting-list CSV's messages say of the file: its path as the planner would write it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import InputError, load_scenario
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
