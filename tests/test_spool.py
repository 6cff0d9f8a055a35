"""A run too large for memory keeps its applicant rows on disk, with the same results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import Results, run
from sim.runs.spool import ApplicantSpool, decode_rows, encode_rows
from tests.builders import project, scenario

TABLES = ("applicants", "timeseries", "summary", "replication_metrics", "projects")


def world():  # type: ignore[no-untyped-def]
    """Four replications of a queue with withdrawals, releases and a named project."""
    return scenario(
        start="2024-01-01", end="2029-01-01", replications=4, seed=5,
        grid={"capacity_mw": 1.5, "upgrades": [{"name": "u", "date": "2026-06-01",
                                                "add_mw": 3.0}]},
        waiting_list={"count": 30, "earliest": "2021-01-01"},
        streams={"firms": {"category": "other", "rate_per_year": 30,
                           "demand_mw": {"dist": "lognormal", "mean": 0.3, "sigma": 1.0},
                           "patience_years": {"dist": "exponential", "mean": 2},
                           "lifetime_years": {"dist": "exponential", "mean": 3}}},
        projects=[project("Depot", "2025-02-01", 0.8, category="safety")],
    )


@pytest.fixture(scope="module")
def normal() -> Results:
    """The world run under the default budget, its rows in memory; no test changes it."""
    return run(world(), workers=1)


@pytest.fixture
def spilled(monkeypatch: pytest.MonkeyPatch) -> Results:
    """The world run with a budget of 50 rows in memory, so its rows go to disk."""
    monkeypatch.setattr("sim.runs.spool.DEFAULT_BUDGET_ROWS", 50)
    return run(world(), workers=2)


def test_small_runs_stay_in_memory(normal: Results) -> None:
    """Under the default budget a run's applicant rows are never written to disk."""
    spool = ApplicantSpool()
    spool.add(normal.applicants)
    assert not spool.on_disk


def test_spilled_run_writes_the_same_files(spilled: Results, normal: Results,
                                           tmp_path: Path) -> None:
    """Every table file of a run whose rows went to disk is byte-identical to a normal run."""
    expected = normal.write(tmp_path / "normal")
    written = spilled.write(tmp_path / "spilled")
    for name in TABLES:
        assert (written / f"{name}.csv").read_bytes() == (expected / f"{name}.csv").read_bytes()


def test_spilled_applicants_read_back_exactly(spilled: Results, normal: Results) -> None:
    """The applicants table read back from disk has the same values and dtypes as in memory."""
    pd.testing.assert_frame_equal(spilled.applicants, normal.applicants, check_exact=True)


def test_spool_refuses_rows_after_reading_back(normal: Results) -> None:
    """Rows added after the spool was read would be lost, so adding them is an error."""
    spool = ApplicantSpool(budget_rows=1)
    frame = normal.applicants
    spool.add(frame.iloc[:5])
    spool.add(frame.iloc[5:10])
    assert spool.on_disk and len(spool.frame()) == 10
    with pytest.raises(RuntimeError):
        spool.add(frame.iloc[10:12])


@pytest.mark.parametrize("budget_rows", [10**9, 50])
def test_csv_formatted_in_several_processes_is_identical(
    budget_rows: int, normal: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """applicants.csv written by two forked processes equals the one written by one."""
    monkeypatch.setattr("sim.runs.spool.PARALLEL_CSV_ROWS", 0)
    frame = normal.applicants
    spool = ApplicantSpool(budget_rows=budget_rows)
    for _, rows in frame.groupby("replication", sort=True):
        spool.add(rows.reset_index(drop=True))
    spool.write_csv(tmp_path / "parallel.csv", workers=2)
    spool.write_csv(tmp_path / "serial.csv", workers=1)
    expected = frame.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8")
    assert (tmp_path / "parallel.csv").read_bytes() == expected
    assert (tmp_path / "serial.csv").read_bytes() == expected


@pytest.mark.parametrize("budget_rows", [10**9, 50])
def test_rows_encoded_by_workers_read_back_exactly(budget_rows: int, normal: Results) -> None:
    """Rows added encoded, as worker processes send them, or as DataFrames, read back alike."""
    frame = normal.applicants
    parts = [rows.reset_index(drop=True) for _, rows in frame.groupby("replication", sort=True)]
    spool = ApplicantSpool(budget_rows=budget_rows)
    for k, part in enumerate(parts):
        spool.add(encode_rows(part) if k % 2 == 0 else part)
    assert spool.on_disk == (budget_rows == 50)
    pd.testing.assert_frame_equal(spool.frame(), frame, check_exact=True)
    for part in parts:
        pd.testing.assert_frame_equal(decode_rows(encode_rows(part).data), part, check_exact=True)


def test_parallel_run_whose_first_replication_is_empty_matches_a_serial_one() -> None:
    """The rows of a replication with no applicants still say what the columns are."""
    rare = scenario(end="2025-01-01", replications=6, seed=0, streams={
        "rare": {"category": "other", "rate_per_year": 0.7, "demand_mw": 0.1}})
    serial, parallel = run(rare, workers=1), run(rare, workers=2)
    rows = serial.applicants.groupby("replication").size().reindex(range(6), fill_value=0)
    assert rows[0] == 0 and rows.sum() > 0  # the world this test needs
    pd.testing.assert_frame_equal(parallel.applicants, serial.applicants, check_exact=True)


def test_rows_of_python_objects_are_encoded_by_their_values() -> None:
    """A column of objects, empty in one replication and text in the next, reads back as text."""
    empty = pd.DataFrame({"name": np.array([], dtype=object), "n": np.array([], dtype=np.int64)})
    text = pd.DataFrame({"name": pd.Series(["a", "b"], dtype=object), "n": np.array([1, 2])})
    assert decode_rows(encode_rows(empty).data).empty
    assert decode_rows(encode_rows(text).data)["name"].tolist() == ["a", "b"]


@pytest.mark.parametrize("on_disk", [False, True])
def test_rows_read_back_at_once_equal_those_read_one_replication_at_a_time(
        on_disk: bool, tmp_path: Path) -> None:
    """The whole frame, converted once, equals the replications' rows converted one by one.

    Also when a replication's object column is empty (so its Arrow type differs) and when the
    rows went to disk.
    """
    empty = pd.DataFrame({"name": np.array([], dtype=object), "n": np.array([], dtype=np.int64)})
    parts = [pd.DataFrame({"name": pd.Series(["a", "b"], dtype=object), "n": np.array([1, 2])}),
             empty,
             pd.DataFrame({"name": pd.Series(["c"], dtype=object), "n": np.array([3])})]
    for mixed in (parts[::2], parts):  # alike, then with an empty replication between
        spool = ApplicantSpool(budget_rows=0 if on_disk else 10_000, directory=tmp_path)
        for part in mixed:
            spool.add(encode_rows(part))
        assert spool.on_disk == on_disk
        one_by_one = pd.concat(list(spool.chunks()), ignore_index=True)
        pd.testing.assert_frame_equal(spool.frame(), one_by_one, check_exact=True)
        assert spool.frame()["name"].tolist() == [p for part in mixed
                                                  for p in part["name"].tolist()]
