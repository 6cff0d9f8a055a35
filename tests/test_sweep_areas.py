"""A sweep of a grid of several areas gives each area's figures, as run and compare give them.

An analyst sweeping the shared upstream limit of areas.yaml asks which area gains and which
loses. Each cell's figures by area must be those ``gridqueue run`` of the cell's scenario
gives (``areas.csv``), and their differences from the first cell the paired differences of
the cells' own per-replication values by area, worked out again here with numpy and scipy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import Sweep, load_scenario, run, sweep
from sim.analysis.sweeps import sweep_to_directory
from sim.cli import main
from sim.figures.numbers import format_estimate

AREAS = Path(__file__).resolve().parents[1] / "scenarios" / "flevoland" / "areas.yaml"
VARY = {"grid.upstream.capacity_mw": [0, 10]}
REPLICATIONS = 4

# What the sweep counts and writes by area is checked here, not what its figure shows.
pytestmark = pytest.mark.undrawn


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Sweep, Path]:
    """areas.yaml swept over two upstream limits, 4 replications a cell, and its folder."""
    folder = tmp_path_factory.mktemp("sweep_areas") / "out"
    result = sweep_to_directory(folder, AREAS, VARY, replications=REPLICATIONS, workers=2)
    return result, folder


def test_each_cell_s_figures_by_area_are_those_run_gives(written: tuple[Sweep, Path]) -> None:
    """A cell's rows of sweep_areas.csv hold areas.csv of a plain run of its scenario."""
    result, folder = written
    table = pd.read_csv(folder / "sweep_areas.csv", dtype={"area": str})
    columns = ["area", "group", "metric", "estimate", "ci_low", "ci_high", "mean",
               "replications"]
    for value in VARY["grid.upstream.capacity_mw"]:
        runs = run(load_scenario(AREAS, [f"grid.upstream.capacity_mw={value}",
                                         f"replications={REPLICATIONS}"]), workers=2)
        expected = runs.areas[columns].reset_index(drop=True)
        mine = table[table["grid.upstream.capacity_mw"] == value][columns]
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), expected,
                                      check_dtype=False, rtol=1e-12)
        assert list(dict.fromkeys(mine["area"])) == ["almere", "lelystad", "zeewolde_dronten"]


def test_each_area_s_difference_is_the_paired_difference_of_the_cells(
        written: tuple[Sweep, Path]) -> None:
    """Per area: the mean of the replications' differences, with Student's t interval."""
    result, folder = written
    table = pd.read_csv(folder / "sweep_areas.csv", dtype={"area": str})
    per = result.area_metrics
    first, second = result.overrides
    checked = 0
    for area in ("almere", "lelystad", "zeewolde_dronten"):
        for metric in ("wait_rmst_10y_years", "connected", "wait_mean_years"):
            values = [per[(per["cell"] == cell) & (per["area"] == area)
                          & (per["group"] == "all") & (per["metric"] == metric)]
                      .sort_values("replication")["value"].to_numpy(float)
                      for cell in (first, second)]
            differences = values[1] - values[0]
            row = table[(table["cell"] == second) & (table["area"] == area)
                        & (table["group"] == "all") & (table["metric"] == metric)].iloc[0]
            if not np.isfinite(differences).all():
                assert np.isnan(row["difference"])
                continue
            half = stats.t.ppf(0.975, len(differences) - 1) * differences.std(ddof=1) \
                / np.sqrt(len(differences))
            mean = differences.mean()
            assert bool(row["paired"])
            assert row["difference"] == pytest.approx(mean, abs=1e-12)
            assert row["difference_ci_low"] == pytest.approx(mean - half, abs=1e-9)
            assert row["difference_ci_high"] == pytest.approx(mean + half, abs=1e-9)
            assert row["first_cell_mean"] == pytest.approx(values[0].mean(), abs=1e-12)
            first_row = table[(table["cell"] == first) & (table["area"] == area)
                              & (table["group"] == "all") & (table["metric"] == metric)]
            assert first_row["difference"].iloc[0] == 0
            checked += 1
    assert checked >= 6
    # Some area moves, or the test would pass with every difference zero.
    moved = table[(table["cell"] == second) & (table["group"] == "all")
                  & (table["metric"] == "connected")]["difference"]
    assert (moved.abs() > 0).any()


def test_sweep_csv_keeps_the_whole_grid_and_the_areas_add_no_row(
        written: tuple[Sweep, Path]) -> None:
    """sweep.csv is as before: no area column, one row per cell, group and key figure."""
    result, folder = written
    whole = pd.read_csv(folder / "sweep.csv")
    assert "area" not in whole.columns
    assert not whole.duplicated(["cell", "group", "metric"]).any()
    areas = pd.read_csv(folder / "sweep_areas.csv", dtype={"area": str})
    assert list(areas.columns) == [*whole.columns[:2], "area", *whole.columns[2:]]
    assert all("area" not in pd.read_csv(cell).columns
               for cell in folder.glob("cells/*.csv") if not cell.name.endswith(".areas.csv"))


def test_a_read_sweep_gives_back_its_areas(written: tuple[Sweep, Path], tmp_path: Path) -> None:
    """Sweep.read rebuilds the figures by area from cells/, and writes the same file."""
    result, folder = written
    again = Sweep.read(folder)
    pd.testing.assert_frame_equal(again.area_metrics, result.area_metrics, check_dtype=False)
    pd.testing.assert_frame_equal(again.by_area(),
                                  result.by_area(), check_dtype=False)
    again.write(tmp_path / "copy")
    assert (tmp_path / "copy" / "sweep_areas.csv").read_bytes() == \
        (folder / "sweep_areas.csv").read_bytes()


def test_a_folder_of_an_earlier_sweep_reads_without_its_areas(
        written: tuple[Sweep, Path], tmp_path: Path) -> None:
    """A folder written before sweeps kept areas reads back, with the whole grid's figures."""
    _, folder = written
    older = tmp_path / "older"
    shutil.copytree(folder, older)
    (older / "sweep_areas.csv").unlink()
    for kept in older.glob("cells/*.areas.csv"):
        kept.unlink()
    about = json.loads((older / "run.json").read_text(encoding="utf-8"))
    for cell in about["cells"].values():
        del cell["areas"]
    (older / "run.json").write_text(json.dumps(about, indent=2) + "\n", encoding="utf-8")
    again = Sweep.read(older)
    assert again.area_metrics.empty and again.by_area().empty
    assert "no figures by area" in " ".join(again.notes())


def test_a_kept_cell_gives_its_areas_and_one_kept_without_them_runs_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Resumed, the kept cells' areas are read back; a cell kept without them runs again."""
    cells = tmp_path / "cells"
    whole = sweep(AREAS, VARY, replications=2, workers=1, cells_dir=cells)
    kept = sorted(cells.glob("*.areas.csv"))
    assert len(kept) == 2
    kept[0].unlink()  # as an earlier gridqueue kept it
    ran = []
    from sim.analysis import sweeps

    original = sweeps.run_replications

    def counted(scenario, *args, **kwargs):  # type: ignore[no-untyped-def]
        ran.append(scenario.grid.upstream.capacity_mw)
        return original(scenario, *args, **kwargs)

    monkeypatch.setattr(sweeps, "run_replications", counted)
    resumed = sweep(AREAS, VARY, replications=2, workers=1, cells_dir=cells, reuse_cells=True)
    assert len(ran) == 1
    pd.testing.assert_frame_equal(resumed.by_area(),
                                  whole.by_area())


def test_the_command_says_what_changed_in_each_area(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """One line per area with its difference from the first cell, and the file named."""
    output = tmp_path / "sweep"
    assert main(["sweep", str(AREAS), "--vary", "grid.upstream.capacity_mw=0,10",
                 "--replications", "2", "--workers", "1", "-o", str(output)]) == 0
    said = capsys.readouterr().out
    assert "gives them area by area" not in said
    lines = said.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("by grid area"))
    assert "sweep_areas.csv" in lines[start]
    for offset, area in enumerate(("almere", "lelystad", "zeewolde_dronten"), start=1):
        assert lines[start + offset].startswith(f"  {area}: grid.upstream.capacity_mw=10: ")
        difference = result_row(output, area)
        assert lines[start + offset] == (f"  {area}: grid.upstream.capacity_mw=10: "
                                         + difference)
    assert "sweep.csv, sweep_areas.csv, sweep.png)" in said


def test_the_figure_adds_a_panel_of_each_area_s_differences(
        written: tuple[Sweep, Path]) -> None:
    """Beneath the whole grid's differences, a line per area; one area's figure names it."""
    from sim.figures.sweep import AREAS_TITLE

    result, _ = written
    figure = result.figure("wait_rmst_10y_years")
    assert len(figure.axes) == 3
    lowest = figure.axes[2]
    assert lowest.get_title() == AREAS_TITLE
    legend = lowest.get_legend()
    assert legend is not None
    assert [text.get_text() for text in legend.get_texts()] == [
        "almere", "lelystad", "zeewolde_dronten"]
    # Each area's line ends at its own difference from the first cell.
    ends = [bars.lines[0].get_ydata()[-1] for bars in lowest.containers]
    expected = [result.area(name).differences.set_index(["cell", "group", "metric"]).loc[
        (list(result.overrides)[1], "all", "wait_rmst_10y_years"), "difference"]
        for name in ("almere", "lelystad", "zeewolde_dronten")]
    assert ends == pytest.approx(expected)
    alone = result.area("lelystad").figure("wait_rmst_10y_years")
    assert len(alone.axes) == 2 and "The applicants of lelystad alone." in " ".join(
        alone.axes[0].get_title().split())


def result_row(output: Path, area: str) -> str:
    """The difference in sweep_areas.csv of the second cell's mean wait within 10 years."""
    table = pd.read_csv(output / "sweep_areas.csv", dtype={"area": str})
    row = table[(table["grid.upstream.capacity_mw"] == 10) & (table["area"] == area)
                & (table["group"] == "all") & (table["metric"] == "wait_rmst_10y_years")].iloc[0]
    text = format_estimate(row["difference"], row["difference_ci_low"],
                           row["difference_ci_high"], "years", signed=True)
    return text if row["paired"] else f"{text}, unpaired"


def test_a_sweep_whose_areas_file_is_lost_is_refused(written: tuple[Sweep, Path],
                                                     tmp_path: Path) -> None:
    """A cell's areas, recorded in run.json, gone or damaged: refused, not silently dropped."""
    from sim import GridqueueError

    _, folder = written
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    kept = sorted(damaged.glob("cells/*.areas.csv"))[0]
    kept.write_text("replication,area\n", encoding="utf-8")
    with pytest.raises(GridqueueError, match=r"by grid area per replication; missing or damaged"):
        Sweep.read(damaged)


def test_a_sweep_whose_run_json_lost_a_cell_s_areas_is_refused(written: tuple[Sweep, Path],
                                                               tmp_path: Path) -> None:
    """A cell's areas in run.json damaged: refused naming run.json, not read without areas.

    Read without them, the folder said it was written by an earlier gridqueue.
    """
    import json

    from sim import GridqueueError

    _, folder = written
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    info = json.loads((damaged / "run.json").read_text(encoding="utf-8"))
    cell = next(iter(info["cells"]))
    info["cells"][cell]["areas"] = {"almere": "paired"}
    (damaged / "run.json").write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(GridqueueError, match=rf"run\.json: cells\.{cell}\.areas: expected by "
                                             "grid area"):
        Sweep.read(damaged)


def test_an_area_without_the_10_year_mean_says_the_stand_in() -> None:
    """An area whose replications do not all follow ten years gives the stand-in, named.

    The years without a connection to the end of the run, as compare's line by area does,
    not 'not known in ...' where the analyst looks for what changed.
    """
    on_time = AREAS.parent / "areas_on_time.yaml"
    result = sweep(on_time, VARY, replications=REPLICATIONS, workers=2)
    table = result.by_area()
    second = list(result.overrides)[1]
    lacking = [area for area in result.areas
               if table[(table["area"] == area) & (table["group"] == "all")
                        & (table["metric"] == "wait_rmst_10y_years")]["estimate"].isna().any()]
    assert lacking  # else this sweep does not test what it is for
    lines = result.describe("wait_rmst_10y_years").splitlines()
    for area in lacking:
        line = next(line for line in lines if line.startswith(f"  {area} ("))
        assert line.startswith(f"  {area} (wait_to_end_years: its 10-year mean is not known in "
                               "some replication): grid.upstream.capacity_mw=10: ")
        row = table[(table["cell"] == second) & (table["area"] == area)
                    & (table["group"] == "all") & (table["metric"] == "wait_to_end_years")]
        assert line.endswith(format_estimate(row["difference"].iloc[0],
                                             row["difference_ci_low"].iloc[0],
                                             row["difference_ci_high"].iloc[0], "years",
                                             signed=True))
    # The figure draws no 10-year difference for such an area, and its legend says why.
    from sim.figures.sweep import NO_AREA_DIFFERENCE

    legend = result.figure("wait_rmst_10y_years").axes[2].get_legend()
    assert legend is not None
    labels = [text.get_text() for text in legend.get_texts()]
    for area in result.areas:
        said = f"{area}: {NO_AREA_DIFFERENCE}"
        assert (said if area in lacking else area) in labels, labels
