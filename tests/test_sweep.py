"""Parameter sweeps: the grid, common random numbers, the table, the cells and the command."""

from __future__ import annotations

import argparse
import json
import math
import re
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import AxesImage

from sim import GridqueueError, GridqueueWarning, InputError, Sweep, cli, load_scenario, sweep
from sim.analysis.sweep_grid import cell_id, parse_vary
from sim.analysis.sweeps import lead_metric, plan_sweep, table_decimals
from sim.cli import main
from sim.errors import arguments_as_options
from sim.figures.sweep import NO_DIFFERENCE, NO_DIFFERENCE_NOBODY, NOBODY_HERE
from sim.runs.metrics import METRICS
from sim.runs.runner import run_replications
from sim.runs.spool import EncodedRows, decode_rows
from tests.comparison_family import write_family

GRID = {"policy.order": ["fifo", "social_priority"], "grid.capacity_mw": [1, 3]}


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_family(tmp_path_factory.mktemp("family"), projects=False)


@pytest.fixture(scope="module")
def result(family: dict[str, Path]) -> Sweep:
    return sweep(family["fifo"], GRID, replications=3, workers=1)


def test_sweep_runs_every_combination_into_a_tidy_table(result: Sweep):
    """One row per combination, group and key figure, each with its interval."""
    assert len(result.cells) == 4
    assert result.cells[["policy.order", "grid.capacity_mw"]].values.tolist() == [
        ["fifo", 1], ["fifo", 3], ["social_priority", 1], ["social_priority", 3]]
    assert len(result.table) == 4 * 5 * len(METRICS)
    assert not result.table.duplicated(["cell", "group", "metric"]).any()
    assert {"mean", "ci_low", "ci_high", "replications"} <= set(result.table.columns)
    assert (result.table["replications"] <= 3).all()


def test_the_varied_values_are_numbers_where_given_as_numbers(family: dict[str, Path],
                                                             tmp_path: Path):
    """A cell is found by the number it ran, and sweep.csv writes each value as given.

    The columns held text: ``table[key] == 0.25`` found nothing, and every number had to be
    parsed back, where sweep.csv read back as numbers.
    """
    swept = sweep(family["fifo"], {"grid.capacity_mw": [0, 0.25]}, replications=2, workers=1)
    assert swept.cells["grid.capacity_mw"].tolist() == [0, 0.25]
    rows = swept.table[(swept.table["grid.capacity_mw"] == 0.25)
                       & (swept.table["metric"] == "applicants")]
    assert len(rows) == 5 and set(rows["cell"]) == {swept.cells["cell"].iloc[1]}
    swept.write(tmp_path / "out")
    lines = (tmp_path / "out" / "sweep.csv").read_text(encoding="utf-8").splitlines()
    assert {line.split(",")[1] for line in lines[1:]} == {"0", "0.25"}
    axes = swept.figure("applicants").axes
    assert axes[-1].get_xlabel() == "grid.capacity_mw (MW)"
    assert [tick.get_text() for tick in axes[-1].get_xticklabels()] == ["0.00", "0.25"]


def test_every_cell_sees_the_same_applicants(result: Sweep):
    """Common random numbers: replication i has the same applicants in every cell."""
    applicants = result.metrics.query("group == 'all' and metric == 'applicants'")
    per_cell = applicants.pivot(index="replication", columns="cell", values="value")
    assert per_cell.nunique(axis=1).eq(1).all()
    waits = result.metrics.query("group == 'all' and metric == 'wait_mean_years'")
    assert waits.groupby("cell")["value"].mean().nunique() > 1  # the cells do differ


def test_sweep_figure_is_a_heat_map_for_two_keys_and_lines_for_one(
    result: Sweep, family: dict[str, Path]
):
    """Two varied keys give a heat map; one gives a line with intervals."""
    heat = result.figure("wait_mean_years", "other")
    assert any(isinstance(image, AxesImage) for image in heat.axes[0].images)
    assert heat.axes[0].get_xlabel() == "policy.order"
    single = sweep(family["fifo"], {"grid.capacity_mw": [1, 2, 4]}, replications=2, workers=1)
    lines = single.figure("jobs_withdrawn", "all")
    assert list(lines.axes[0].get_lines()[0].get_xdata()) == [1.0, 2.0, 4.0]
    assert lines.axes[0].get_ylabel().replace("\n", " ") == METRICS["jobs_withdrawn"].label


def test_sweep_block_in_the_scenario_file_is_read_and_vary_wins(
    family: dict[str, Path], tmp_path: Path
):
    """A sweep: block gives the grid; --vary replaces a key it also names."""
    path = tmp_path / "swept.yaml"
    path.write_text(f"extends: {family['fifo']}\nsweep:\n  grid.capacity_mw: [1, 2]\n"
                    "  policy.order: [fifo, social_priority]\n", encoding="utf-8")
    result = sweep(path, {"grid.capacity_mw": [5]}, replications=2, workers=1)
    assert result.cells[["grid.capacity_mw", "policy.order"]].values.tolist() == [
        [5, "fifo"], [5, "social_priority"]]


def test_the_command_reads_a_sweep_block_and_run_points_to_it(
    family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """`gridqueue sweep` runs a file's sweep: block, as documented; `run` points to it.

    The command refused the block as an unknown key; `run` says which command reads it.
    """
    path = tmp_path / "swept.yaml"
    path.write_text(f"extends: {family['fifo']}\nsweep:\n  grid.capacity_mw: [1, 2]\n",
                    encoding="utf-8")
    assert main(["sweep", str(path), "--replications", "2", "--workers", "1", "-o",
                 str(tmp_path / "out")]) == 0
    assert set(pd.read_csv(tmp_path / "out" / "sweep.csv")["grid.capacity_mw"]) == {1, 2}
    capsys.readouterr()
    assert main(["run", str(path), "-o", str(tmp_path / "run")]) == 2
    assert capsys.readouterr().err.strip().endswith(
        "swept.yaml:2: sweep: a sweep block, which only gridqueue sweep reads: run the file "
        "with gridqueue sweep, or remove the block")


def test_validate_checks_a_sweep_block_and_names_its_grid(
    family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """`validate` refused every file with a sweep: block, which only `sweep` then checked.

    It now validates the scenario as given and the block as `sweep` would, and says what
    grid the block describes; `run` and `compare` still refuse the file.
    """
    path = tmp_path / "swept.yaml"
    path.write_text(f"extends: {family['fifo']}\nsweep:\n  grid.capacity_mw: [1, 2, 4]\n"
                    "  policy.order: [fifo, social_priority]\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-2].startswith(f"{path}: ok - 'swept'")
    assert out[-1] == ("sweep: 6 cells, varying grid.capacity_mw (3 values: 1, 2, 4) and "
                       "policy.order (2 values: fifo, social_priority); gridqueue sweep runs "
                       "them (gridqueue run and compare refuse the block)")
    for command in (["run", str(path), "-o", str(tmp_path / "run")],
                    ["compare", str(family["fifo"]), str(path), "-o", str(tmp_path / "cmp")]):
        assert main(command) == 2
        assert "sweep: a sweep block, which only gridqueue sweep reads" in \
            capsys.readouterr().err
    for block, expected in (
            ("grid.capacity_mw: 3", "sweep.grid.capacity_mw: expected a non-empty list of "
                                    "values"),
            ("grid.capasity_mw: [1, 2]", "sweep value grid.capasity_mw=1: grid.capasity_mw: "
                                         "unknown key (did you mean 'capacity_mw'?)"),
            ("streams.basic.rate_per_year: [-1, 2]", "expected a number >= 0.0, got -1")):
        path.write_text(f"extends: {family['fifo']}\nsweep:\n  {block}\n", encoding="utf-8")
        assert main(["validate", str(path)]) == 2
        assert expected in capsys.readouterr().err
    path.write_text(f"extends: {family['fifo']}\nreplications: 1\nsweep:\n"
                    "  grid.capacity_mw: [1, 2]\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "sweep needs at least 2 replications" in capsys.readouterr().err


def test_the_reference_example_of_a_sweep_block_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """The sweep: example of docs/scenario-reference.md is a valid grid of six cells."""
    import shutil

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    example = next(block for block in re.findall(r"```yaml\n(.*?)```", text, re.S)
                   if "sweep:" in block)
    shutil.copytree(root / "scenarios" / "flevoland", tmp_path, dirs_exist_ok=True)
    (tmp_path / "example.yaml").write_text(example, encoding="utf-8")
    assert main(["validate", str(tmp_path / "example.yaml")]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith(
        "sweep: 6 cells, varying streams.logistics.rate_per_year (3 values: 40, 67, 90) and "
        "grid.upgrades.8.delay_years (2 values: 0, 2)")


def test_a_cell_that_makes_the_file_wrong_is_named(
    family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A swept value that puts a date of the file outside the run names the cell too.

    The message named only the file's line (the upgrade's date), which is right for every
    other cell: nothing said which of the values swept made it wrong. It now names the value
    first, and the file's line it passed.
    """
    assert main(["sweep", str(family["fifo"]), "--vary", "end=2026-01-01,2023-01-01",
                 "--vary", "grid.capacity_mw=1,2", "--replications", "2",
                 "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (f"gridqueue: error: sweep value end=2023-01-01: end: expected a "
                           f"date after 2023-06-01, that of grid.upgrades.0.date "
                           f"({family['fifo']}:11), which must fall within the run: give a "
                           "later end, or leave grid.upgrades.0 out"), err
    assert not (tmp_path / "out").exists()


def test_a_set_of_a_key_the_sweep_block_varies_is_refused(
    family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """Every cell took the block's value, and the --set was lost without a word."""
    path = tmp_path / "swept.yaml"
    path.write_text(f"extends: {family['fifo']}\nsweep:\n  grid.capacity_mw: [1, 2]\n",
                    encoding="utf-8")
    assert main(["sweep", str(path), "--set", "grid.capacity_mw=8", "--replications", "2",
                 "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip() == (
        "gridqueue: error: --set grid.capacity_mw=8: grid.capacity_mw: expected no setting of "
        "a key the file's sweep: block varies: every cell would take the block's value "
        "instead; change the block, or vary the key with --vary")
    assert not (tmp_path / "out").exists()


def test_sweep_command_writes_table_cells_and_figure(
    family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """The command writes sweep.csv, a file per cell and the figure; it will not overwrite."""
    output = tmp_path / "sweep"
    args = ["sweep", str(family["fifo"]), "--vary", "policy.order=fifo,social_priority",
            "--replications", "2", "--workers", "1", "--group", "basic_needs", "-o",
            str(output)]
    assert main(args) == 0
    assert "policy.order=social_priority:" in capsys.readouterr().out
    table = pd.read_csv(output / "sweep.csv")
    assert set(table["policy.order"]) == {"fifo", "social_priority"}
    # Each cell's difference from the first, as the heat map colours it: here paired.
    first = table["policy.order"] == "fifo"
    assert table.loc[first, "difference"].dropna().eq(0).all() and table["paired"].all()
    withdrawn = table[(table["metric"] == "withdrawn") & (table["group"] == "basic_needs")]
    assert withdrawn["difference"].iloc[1] == pytest.approx(
        withdrawn["mean"].iloc[1] - withdrawn["mean"].iloc[0])
    for order in ("fifo", "social_priority"):
        cell = cell_id({"policy.order": order})
        about = json.loads((output / "cells" / f"{cell}.json").read_text())
        assert about["overrides"] == {"policy.order": order}
        metrics = pd.read_csv(output / "cells" / f"{cell}.csv")
        assert sorted(metrics["replication"].unique()) == [0, 1]
        assert set(table.loc[table["cell"] == cell, "policy.order"]) == {order}
    assert (output / "sweep.png").stat().st_size > 0 and (output / "sweep.svg").exists()
    assert json.loads((output / "run.json").read_text())["vary"] == {
        "policy.order": ["fifo", "social_priority"]}
    assert main(args) == 2
    assert "already exists" in capsys.readouterr().err


def test_bad_choices_are_refused_before_anything_runs(
    family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """An unknown key figure, a bad value or nothing to vary: exit code 2 and no output."""
    base = ["sweep", str(family["fifo"]), "-o", str(tmp_path / "out"), "--workers", "1"]
    assert main([*base, "--vary", "grid.capacity_mw=1,2", "--metric", "wait_men_years"]) == 2
    assert "did you mean 'wait_mean_years'" in capsys.readouterr().err
    assert main([*base, "--vary", "policy.order=fifo,bogus"]) == 2
    assert "policy.order" in capsys.readouterr().err
    assert main(base) == 2
    assert "expected something to vary" in capsys.readouterr().err
    assert main([*base, "--vary", "grid.capacity_mw=1,1"]) == 2
    assert "expected different values" in capsys.readouterr().err
    assert main([*base, "--vary", "grid.capacity_mw=1,2", "--metric", "all", "--group",
                 "wait_mean_years"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "gridqueue: error: --metric all and --group wait_mean_years: swapped; expected the key "
        "figure as the metric and the category as the group: --metric wait_mean_years, --group "
        "all")
    assert not (tmp_path / "out").exists()


def test_parse_vary_reads_each_value_as_yaml():
    """Values are YAML: numbers, text, and mappings with commas inside braces."""
    grid = parse_vary(["a.b=0,1.5,x",
                       "d={dist: fixed, value: 1},{dist: uniform, low: 0, high: 2}"])
    assert grid == {"a.b": [0, 1.5, "x"],
                    "d": [{"dist": "fixed", "value": 1},
                          {"dist": "uniform", "low": 0, "high": 2}]}
    with pytest.raises(InputError, match="expected key.path=value1,value2"):
        parse_vary(["policy.order"])


def test_a_mapping_value_is_written_with_its_keys_as_typed():
    """A triangular delay read "{dist: triangular, high: 4, low: 0, mode: 1}" on the figure.

    Keys kept in their order, on one line; the same mapping with its keys in another order
    is still one value twice, and refused as such.
    """
    from sim.analysis.sweep_grid import value_text

    delay = {"dist": "triangular", "low": 0, "mode": 1, "high": 4}
    assert value_text(delay) == "{dist: triangular, low: 0, mode: 1, high: 4}"
    assert "\n" not in value_text({"dist": "empirical", "values": list(range(40))})
    grid = parse_vary(["grid.upgrades.0.delay_years={dist: uniform, low: 0, high: 2},"
                       "{dist: uniform, high: 2, low: 0}"])
    fifo = Path(__file__).resolve().parents[1] / "scenarios" / "flevoland" / "fifo.yaml"
    with pytest.raises(InputError, match="expected different values"):
        plan_sweep(fifo, grid, replications=2)


def _rows(applicants: pd.DataFrame | EncodedRows) -> pd.DataFrame:
    return applicants if isinstance(applicants, pd.DataFrame) else decode_rows(applicants.data)


@pytest.mark.parametrize("workers", [1, 2])
def test_replications_without_applicant_rows_keep_every_other_table(
        family: dict[str, Path], workers: int) -> None:
    """A sweep's replications drop the applicant rows where they are made, and nothing else."""
    scenario = load_scenario(family["fifo"], {"replications": 2})
    kept = list(run_replications(scenario, workers=workers, progress=False))
    lean = list(run_replications(scenario, workers=workers, progress=False,
                                 keep_applicants=False))
    for full, without in zip(kept, lean, strict=True):
        rows, empty = _rows(full.applicants), _rows(without.applicants)
        assert len(rows) > 0 and len(empty) == 0
        assert list(empty.columns) == list(rows.columns)
        pd.testing.assert_frame_equal(without.metrics, full.metrics)
        pd.testing.assert_frame_equal(without.timeseries, full.timeseries)
        pd.testing.assert_frame_equal(without.projects, full.projects)


def test_heat_map_is_centred_on_zero_and_hatches_differences_within_noise(result: Sweep):
    """Colour is the difference from the first cell, centred on zero; unclear cells hatched."""
    from matplotlib.patches import Rectangle

    from sim.analysis.differences import cell_differences

    metric, group = "wait_mean_years", "all"
    fig = result.figure(metric, group)
    ax = fig.axes[0]
    image = ax.images[0]
    assert image.norm.vcenter == 0.0 and image.norm.vmin == -image.norm.vmax
    differences = cell_differences(result.metrics, result.paired)
    mine = differences[(differences["metric"] == metric) & (differences["group"] == group)]
    within = mine.iloc[1:].query("difference_ci_low <= 0 <= difference_ci_high")
    hatched = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert 0 < len(within) < len(mine) - 1  # some cells clearly differ, some do not
    assert len(hatched) == len(within)
    assert "(reference)" in ax.texts[0].get_text()
    assert METRICS[metric].label in ax.get_title()
    # only the policy and capacity vary: the same applicants in every group
    assert all(all(groups.values()) for groups in result.paired.values())
    assert not any("unpaired" in text.get_text() for text in ax.texts)


def test_a_sweep_prints_as_what_was_swept_and_where_its_tables_are(result: Sweep):
    """print(sweep) dumped the scenario and every DataFrame whole."""
    assert repr(result) == str(result) == (
        "Sweep of fifo over policy.order (fifo, social_priority) x grid.capacity_mw (1, 3): "
        "4 cells, 3 replications each\n"
        "tables: .table (each cell's key figures, 95% intervals), .differences (from the first "
        "cell), .cells, .metrics (per replication); in words: .describe()")
    for name in ("table", "differences", "cells", "metrics", "describe"):
        assert hasattr(result, name)


def test_describe_names_the_choices_and_says_not_reached(result: Sweep):
    """An unknown key figure or group is refused with the choices; inf reads 'not reached'."""
    with pytest.raises(GridqueueError, match=r"metric 'wait_men_years': unknown key figure "
                       r"\(did you mean 'wait_mean_years'\?\); expected one of applicants"):
        result.describe("wait_men_years")
    with pytest.raises(GridqueueError, match=r"group 'basic': unknown group.*basic_needs"):
        result.describe("wait_mean_years", "basic")
    table = result.table.copy()
    chosen = (table["metric"] == "connect_median_years") & (table["group"] == "all")
    first, second = table.index[chosen][:2]
    table.loc[first, ["estimate", "ci_low", "ci_high"]] = [math.inf, math.inf, math.inf]
    table.loc[second, ["estimate", "ci_low", "ci_high"]] = [2.5, 2.0, math.inf]
    lines = replace(result, table=table).describe("connect_median_years").splitlines()
    assert lines[0] == ("Median time to connection, everyone (connect_median_years, years), "
                        "all: median (95% CI); difference of the means from the first cell "
                        "(95% CI), paired where the group holds the same applicants")
    assert lines[1].endswith(": not reached; the first cell")
    assert re.search(r": 2\.50* \(2(\.0*)? to not reached\); ", lines[2])
    assert "inf" not in "\n".join(lines)


@pytest.mark.parametrize("method", ["describe", "figure", "notes"])
def test_every_method_of_a_sweep_refuses_a_key_figure_it_does_not_know(result: Sweep, method):
    """A key figure a sweep does not know, or a group and key figure swapped, in one line.

    notes() of an unknown key figure was an empty list, as if there were nothing to say; a
    group and key figure in Results.figure's order were an unknown key figure 'all'.
    """
    call = getattr(result, method)
    with pytest.raises(GridqueueError, match=r"^metric 'wait_men_years': unknown key figure"):
        call("wait_men_years")
    with pytest.raises(GridqueueError) as swapped:
        call("all", "wait_mean_years")
    assert str(swapped.value) == (
        "metric='all' and group='wait_mean_years': swapped; expected the key figure as the "
        "metric and the category as the group: metric='wait_mean_years', group='all'")


def test_describe_says_a_median_of_few_replications_has_no_interval(result: Sweep):
    """A median of fewer than six replications has no interval: said so, not '(nan to nan)'."""
    table = result.table.copy()
    chosen = table.index[(table["metric"] == "connect_p25_years") & (table["group"] == "all")]
    table.loc[chosen, ["ci_low", "ci_high"]] = math.nan
    table.loc[chosen[0], "estimate"] = 4.38
    lines = replace(result, table=table).describe("connect_p25_years").splitlines()[1:]
    assert lines[0].endswith(": 4.38 (no interval: too few replications); the first cell")
    assert "nan" not in "\n".join(lines)


@pytest.mark.parametrize("replications, caution", [
    (6, "Only 6 replications: 95% intervals about 2.8 times as wide as 30 would give; run 10 or "
        "more for figures to quote."),
    (10, None)])
def test_a_sweep_of_few_replications_says_how_much_wider_its_intervals_are(
    family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    replications: int, caution: str | None,
):
    """Beneath the printed summary, as run and compare say it, and read back; not from ten on.

    A sweep of 6 replications per cell printed its lines, sweep.csv and sweep.png without a
    word, though each cell's interval is as wide as a run of 6's. A difference from the first
    cell is paired, so narrower, but it too is wider by that factor than 30 would make it, as
    compare's paired answers are. Neither run nor compare writes it on a figure: nor does this.
    """
    output = tmp_path / "sweep"
    assert main(["sweep", str(family["fifo"]), "--vary", "grid.capacity_mw=1,3",
                 "--replications", str(replications), "--workers", "1", "-o",
                 str(output)]) == 0
    printed = capsys.readouterr().out.splitlines()
    described = Sweep.read(output).describe().splitlines()
    if caution is None:
        assert not any(line.startswith("Only ") for line in printed + described)
    else:
        assert described[-1] == caution  # last, as beneath run's table and compare's answers
        assert printed[-2] == caution  # above the line naming the folder


def test_describe_gives_every_cell_the_same_decimals(result: Sweep):
    """'9 (8.9 to 9.1)' beside '7.94 (7.83 to 8.04)' read as two precisions; one per table."""
    table = result.table.copy()
    chosen = table.index[(table["metric"] == "wait_mean_years") & (table["group"] == "all")]
    table.loc[chosen, ["estimate", "ci_low", "ci_high"]] = [
        [7.94, 7.83, 8.04], [9.0, 8.9, 9.1], [8.5, 8.45, 8.55], [8.0, 8.0, 8.0]]
    lines = replace(result, table=table).describe("wait_mean_years").splitlines()[1:-1]
    assert [line.split(": ")[1].split("; ")[0] for line in lines] == [
        "7.94 (7.83 to 8.04)", "9.00 (8.90 to 9.10)", "8.50 (8.45 to 8.55)",
        "8.00 (8.00 to 8.00)"]
    table.loc[chosen, ["estimate", "ci_low", "ci_high"]] = [
        [3447.8, 3420.1, 3475.0], [12.5, 12.4, 12.6], [0.0, 0.0, 0.0], [-0.001, -0.002, 0.0]]
    lines = replace(result, table=table).describe("wait_mean_years").splitlines()[1:-1]
    assert [line.split(": ")[1].split("; ")[0] for line in lines] == [
        "3,448 (3,420 to 3,475)", "12 (12 to 13)", "0 (0 to 0)",
        "0 (0 to 0)"]  # no '3.45e+03', no -0
    # An estimate that read like its interval's end: '4.85 (4.85 to 4.86)'.
    table.loc[chosen, ["estimate", "ci_low", "ci_high"]] = [
        [4.855, 4.846, 4.863], [4.749, 4.70, 4.80], [4.9, 4.8, 5.0], [4.8, 4.7, 4.9]]
    lines = replace(result, table=table).describe("wait_mean_years").splitlines()[1:]
    assert lines[0].split(": ")[1].split("; ")[0] == "4.855 (4.846 to 4.863)"
    # An interval's end above zero that read as zero beside a larger cell: '0.03 (0.00 to 0.54)'.
    table.loc[chosen, ["estimate", "ci_low", "ci_high"]] = [
        [5.0, 4.1, 6.2], [0.034, 0.002, 0.543], [4.9, 4.8, 5.0], [4.8, 4.7, 4.9]]
    lines = replace(result, table=table).describe("wait_mean_years").splitlines()[1:]
    assert lines[1].split(": ")[1].split("; ")[0] == "0.034 (0.002 to 0.543)"


def test_values_either_side_of_zero_do_not_read_alike():
    """A difference of -1.5 (-2.5 to 1.5) differs from its interval's end in two decimals.

    Telling a value from zero compared the values without their signs, and so did telling
    neighbours apart: -1.50 and 1.50 read alike at any decimals, and the table took four.
    """
    rows = pd.DataFrame({"estimate": [-1.5], "ci_low": [-2.5], "ci_high": [1.5]})
    assert table_decimals(rows) == 2
    small = pd.DataFrame({"estimate": [-0.004, 2.0], "ci_low": [-0.01, 1.0],
                          "ci_high": [0.002, 3.0]})
    assert table_decimals(small) == 3  # -0.004 is still not written as -0.00, its sign aside


def test_describe_gives_each_cell_its_difference_from_the_first(result: Sweep):
    """Levels whose intervals overlap read as no difference where the paired one is clear.

    The summary gave each cell's level alone; it now gives the difference from the first
    cell with its interval, and whether it is paired, as sweep.csv and the figure do.
    """
    lines = result.describe("wait_mean_years").splitlines()
    assert lines[0].endswith("; difference from the first cell (95% CI), paired where the "
                             "group holds the same applicants")
    assert lines[1].endswith("; the first cell")
    rows = result.with_differences().query("group == 'all' and metric == 'wait_mean_years'")
    for line, row in zip(lines[2:-1], rows.iloc[1:].itertuples(), strict=True):
        difference = re.search(r"; ([-+]?[\d.]+) \(([-+]?[\d.]+) to ([-+]?[\d.]+)\) from "
                               r"the first cell, (paired|unpaired)$", line)
        assert difference, line
        values = [float(v) for v in difference.groups()[:3]]
        assert values == pytest.approx([row.difference, row.difference_ci_low,
                                        row.difference_ci_high], abs=0.01)
        assert difference.group(4) == ("paired" if row.paired else "unpaired")
        if row.difference > 0:
            assert difference.group(1).startswith("+")


def test_describe_writes_each_difference_as_compare_does(result: Sweep):
    """Each difference in the digits that tell it from its ends, not one precision for all.

    One number of decimals for every difference wrote '+250.0 (+240.0 to +260.0)' beside
    '+0.5 (+0.3 to +0.7)'; compare writes '+250 (+240 to +260)' and '+0.50 (+0.30 to +0.70)'.
    """
    differences = result.differences.copy()
    later = (differences["metric"] == "wait_mean_years") & (differences["group"] == "all")
    differences.loc[later, ["difference", "difference_ci_low", "difference_ci_high"]] = [
        [0.0, 0.0, 0.0], [250.0, 240.0, 260.0], [0.5, 0.3, 0.7], [-0.012, -0.02, -0.004]]
    changed = replace(result)
    changed.__dict__["differences"] = differences  # its cached property, as if computed so
    lines = changed.describe("wait_mean_years").splitlines()[2:-1]
    assert [line.split("; ")[1].removesuffix(" from the first cell, paired")
            .removesuffix(" from the first cell, unpaired") for line in lines] == [
        "+250 (+240 to +260)", "+0.50 (+0.30 to +0.70)", "-0.012 (-0.020 to -0.004)"]


def test_describe_shows_a_share_in_percent_as_compare_and_the_figure_do(result: Sweep):
    """It read '0.100 (0.058 to 0.164)' where compare, the report and the figure say 10%."""
    table = result.table.copy()
    differences = result.differences.copy()
    chosen = (table["metric"] == "connected_within_2y") & (table["group"] == "all")
    table.loc[chosen, ["estimate", "ci_low", "ci_high"]] = [
        [0.100, 0.058, 0.164], [0.145, 0.102, 0.198], [0.2, 0.15, 0.25], [0.3, 0.25, 0.35]]
    later = ((differences["metric"] == "connected_within_2y")
             & (differences["group"] == "all"))
    differences.loc[later, ["difference", "difference_ci_low", "difference_ci_high"]] = [
        [0.0, 0.0, 0.0], [0.045, -0.005, 0.095], [0.1, 0.08, 0.12], [0.2, 0.15, 0.25]]
    changed = replace(result, table=table)
    changed.__dict__["differences"] = differences  # its cached property, as if computed so
    lines = changed.describe("connected_within_2y").splitlines()
    assert lines[0].startswith("Connected within 2 years, of those observed 2 years "
                               "(connected_within_2y, percent), all: mean (95% CI); "
                               "difference from the first cell in percentage points (95% CI)")
    assert lines[1].endswith(": 10.0% (5.8 to 16.4%); the first cell")
    assert lines[2].endswith(": 14.5% (10.2 to 19.8%); +4.5 pp (-0.5 to +9.5) from the "
                             "first cell, paired")
    years = result.describe("wait_mean_years").splitlines()
    assert "(wait_mean_years, years)" in years[0]
    assert not any("%" in line or " pp" in line for line in years[1:-1])


def test_a_sweep_shows_ten_years_where_every_cell_has_them_else_five(result: Sweep):
    """As the answers of a comparison do: five years cannot see what a later upgrade does.

    The sweep of the FGU reinforcement's delay read 4.97, 4.98, 4.98, 4.98 within five years
    by default, where within ten the delays cost 0.26 to 1.13 years.
    """
    ten, five = "wait_rmst_10y_years", "wait_to_end_years"
    table = pd.DataFrame({"cell": [0, 1, 0, 1], "group": "all",
                          "metric": [ten, ten, five, five], "estimate": [7.0, 8.0, 4.0, 4.1]})
    assert lead_metric(table) == ten
    assert lead_metric(table, "basic_needs") == five  # no rows of that group
    table.loc[1, "estimate"] = math.nan  # a cell without ten years
    assert lead_metric(table) == five
    chosen = lead_metric(result.table)
    label = METRICS[chosen].label.split(" (")[0]
    assert result.describe().splitlines()[0].startswith(f"{label} ({chosen},")
    assert METRICS[chosen].label in result.figure().axes[0].get_title()


def test_a_sweep_of_one_replication_is_refused_as_compare_refuses_it(family, tmp_path, capsys):
    """One replication gives no interval: it printed '4.98 [nan, nan]' for every cell."""
    code = main(["sweep", str(family["fifo"]), "--vary", "grid.capacity_mw=1,2", "-o",
                 str(tmp_path / "sw"), "--replications", "1", "--workers", "1", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "sweep needs at least 2 replications of each cell for a 95% interval, got 1" in err
    assert not (tmp_path / "sw").exists()
    # One the file gives is told where it can be mended too: validate has no --replications.
    one = family["fifo"].with_name("one_replication.yaml")
    one.write_text("extends: fifo.yaml\nreplications: 1\nsweep:\n  grid.capacity_mw: [1, 2]\n",
                   encoding="utf-8")
    assert main(["validate", str(one)]) == 2
    assert capsys.readouterr().err.endswith(
        "got 1; give the scenario replications: 2 or more, or run the sweep with "
        "--replications 2 or more\n")


@pytest.mark.parametrize("given", ["vary", "block"])
def test_a_sweep_of_the_replications_is_refused_before_anything_runs(
    family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str
):
    """A sweep over replications ran every cell, then failed: KeyError 'replications'.

    The varied key and the summary's count of replications took the same column; and a
    cell's difference from the first would count only the replications both ran.
    """
    path = family["fifo"]
    vary = ["--vary", "replications=3,8"]
    if given == "block":
        path = tmp_path / "swept.yaml"
        path.write_text(f"extends: {family['fifo']}\nsweep:\n  replications: [3, 8]\n",
                        encoding="utf-8")
        vary = []
    assert main(["sweep", str(path), *vary, "--workers", "1", "-q",
                 "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "expected a key other than replications" in err and "--replications N" in err
    assert ("sweep.replications" if given == "block" else "--vary replications") in err
    assert not (tmp_path / "out").exists()
    with pytest.raises(InputError, match="expected a key other than replications"):
        sweep(family["fifo"], {"replications": [3, 8]}, workers=1)


def test_cells_that_differ_but_give_the_same_figures_are_named(family):
    """Priority on request under first come, first served: the uptake changes nothing.

    The sweep's differences were all 0.0 without a word, where a setting that would do
    nothing is otherwise refused or named.
    """
    with pytest.warns(GridqueueWarning, match=r"sweep cells priority_uptake.basic_needs=0; "
                      r"priority_uptake.basic_needs=1 gave the same figures in every "
                      r"replication: under these rules the varied keys changed nothing there"):
        sweep(family["fifo"], {"priority_uptake.basic_needs": [0, 1]}, replications=2,
              workers=1)


def test_a_sweep_says_when_a_group_counts_other_applicants_from_cell_to_cell(family):
    """A group whose members change from cell to cell says so, naming the streams.

    Adding homes 'cut' basic-needs waits by a year in a sweep; compare, on the same
    applicants, found them 0.056 years longer. The sweep now says it in its summary,
    sweep.csv and figure; the groups that keep their members say nothing.
    """
    swept = sweep(family["fifo"], {"streams.basic.rate_per_year": [2, 20]}, replications=2,
                  workers=1)
    second = swept.cells["cell"].iloc[1]
    assert swept.members[second] == {"all": ["basic"], "basic_needs": ["basic"]}
    (note,) = swept.notes("wait_mean_years", "basic_needs")
    assert note.startswith("basic_needs counts other applicants from cell to cell (basic "
                           "differ; ") and "gridqueue compare" in note
    assert swept.notes("wait_mean_years", "other") == []
    assert swept.describe("wait_mean_years", "basic_needs").splitlines()[-2] == f"note: {note}."
    table = swept.with_differences()
    noted = table.loc[table["note"].str.startswith("other applicants"), ["cell", "group"]]
    noted = noted.drop_duplicates()
    assert noted.values.tolist() == [[second, "basic_needs"], [second, "all"]]
    title = swept.figure("wait_mean_years", "basic_needs").axes[0].get_title()
    assert "Other applicants from cell to cell (basic differ)" in title
    assert "Other applicants" not in swept.figure("wait_mean_years", "other").axes[0].get_title()


def test_a_redrawn_stream_leaves_the_other_groups_paired(family, tmp_path):
    """Redrawing one stream pairs every group it is not in, and only those; all three agree.

    A sweep of Flevoland's logistics rate gave basic needs 0.056 (-0.190 to 0.302), paired
    False, in every cell that redrew logistics (category other), though its applicants were
    the same: paired, 0.056 (0.029 to 0.084). The csv, the figure and the notes now agree.
    """
    from sim.analysis.differences import difference_table

    swept = sweep(family["fifo"], {"streams.other.rate_per_year": [15, 25],
                                   "grid.capacity_mw": [1, 3]}, replications=3, workers=1)
    cells = swept.cells["cell"].tolist()
    redrawn = swept.cells.loc[swept.cells["streams.other.rate_per_year"] == 25, "cell"]
    for cell in cells:
        expected = {"congestion_relief": True, "safety": True, "basic_needs": True,
                    "other": cell not in set(redrawn), "all": cell not in set(redrawn)}
        assert swept.paired[cell] == expected
    basic = swept.metrics.query("group == 'basic_needs' and metric == 'applicants'")
    assert basic.pivot(index="replication", columns="cell",
                       values="value").nunique(axis=1).eq(1).all()  # the same applicants
    table = swept.with_differences()
    later = table[table["cell"] != cells[0]]
    assert (later["paired"] == ~later["note"].str.contains("other applicants")).all()
    last = cells[-1]  # rate 25, capacity 3
    mine, first = (swept.metrics[swept.metrics["cell"] == c].drop(columns="cell")
                   for c in (last, cells[0]))
    by_hand = difference_table(first[first["group"] == "basic_needs"],
                               mine[mine["group"] == "basic_needs"], paired=True)
    row = table[(table["cell"] == last) & (table["group"] == "basic_needs")
                & (table["metric"] == "wait_mean_years")].iloc[0]
    expected = by_hand[by_hand["metric"] == "wait_mean_years"].iloc[0]
    assert row[["difference", "difference_ci_low", "difference_ci_high"]].tolist() == \
        pytest.approx(expected[["difference", "difference_ci_low",
                                "difference_ci_high"]].tolist())
    texts = [t.get_text() for t in swept.figure("wait_mean_years", "all").axes[0].texts]
    assert [t.endswith(" unpaired") for t in texts] == [False, True, False, True]  # by row
    assert not any(t.endswith("unpaired") for t in
                   [t.get_text() for t in swept.figure("wait_mean_years",
                                                      "basic_needs").axes[0].texts])


def test_paired_groups_follow_who_is_in_each_group():
    """A moved stream unpairs the groups it leaves and enters; another seed every group."""
    from sim.analysis.sweep_grid import paired_groups
    path = "scenarios/flevoland/social_priority.yaml"
    base = load_scenario(path)
    moved = load_scenario(path, {"streams.housing.category": "other"})
    assert paired_groups(base, moved) == {"congestion_relief": True, "safety": True,
                                          "basic_needs": False, "other": False, "all": True}
    seeded = load_scenario(path, {"seed": 5})
    assert not any(paired_groups(base, seeded).values())
    later = load_scenario(path, {"grid.upgrades.8.delay_years": 2})
    assert all(paired_groups(base, later).values())


def test_a_category_change_moved_to_another_date_unpairs_the_groups_it_moves_between():
    """The same categories at another date are other applicants in each, as compare has them.

    A sweep of the 2026 framework's date for utilities (2026 against 2030) gave safety
    -0.340 years (-0.673 to -0.007), paired and without a note, though the 2026-2029
    requests of utilities were in other rather than safety in the second cell; compare
    pairs no question whose categories differ. Unpaired: -0.34 (-1.45 to +0.77).
    """
    from sim.analysis.sweep_grid import changed_members, paired_groups
    path = "scenarios/flevoland/framework_2026.yaml"
    base = load_scenario(path)
    for change in ({"streams.utilities.category_changes.0.date": "2030-01-01"},
                   {"streams.utilities.category": "safety",
                    "streams.utilities.category_changes.0.category": "other"}):
        moved = load_scenario(path, change)
        assert changed_members(base, moved) == {"other": ["utilities"],
                                                "safety": ["utilities"]}
        assert paired_groups(base, moved) == {"congestion_relief": True, "safety": False,
                                              "basic_needs": True, "other": False,
                                              "all": True}
    swept = sweep(path, {"streams.utilities.category_changes.0.date": ["2026-01-01",
                                                                       "2030-01-01"]},
                  replications=2, workers=1)
    table = swept.with_differences()
    later = table[(table["cell"] == swept.cells["cell"].iloc[1])
                  & (table["metric"] == "wait_mean_years")].set_index("group")
    assert later["paired"].to_dict() == {"congestion_relief": True, "safety": False,
                                         "basic_needs": True, "other": False, "all": True}
    assert later.loc["safety", "note"] == "other applicants than in the first cell: " \
        "utilities differ"


def test_a_row_with_a_value_but_no_difference_says_why(result: Sweep):
    """A cell with a 10-year mean had no difference and an empty note when the first lacked it.

    Only the first cell's own row said why (the mean not known in some replication there);
    the other cells' rows, with an estimate of 5.84, said nothing.
    """
    ten = "wait_rmst_10y_years"
    first, second, third = result.cells["cell"].iloc[:3]
    metrics, table = result.metrics.copy(), result.table.copy()
    tens = (metrics["group"] == "all") & (metrics["metric"] == ten)  # four years: none known
    metrics.loc[tens, "value"] = 7.0 + metrics.loc[tens, "replication"] / 10
    table.loc[(table["group"] == "all") & (table["metric"] == ten),
              ["estimate", "ci_low", "ci_high", "replications"]] = [7.1, 6.9, 7.3, 3]
    metrics.loc[tens & (metrics["cell"] == first) & (metrics["replication"] == 0),
                "value"] = math.nan
    unreached = ((metrics["cell"] == third) & (metrics["replication"] == 1)
                 & (metrics["group"] == "all") & (metrics["metric"] == "wait_mean_years"))
    metrics.loc[unreached, "value"] = math.inf
    where = (table["cell"] == first) & (table["group"] == "all") & (table["metric"] == ten)
    table.loc[where, ["estimate", "ci_low", "ci_high", "replications"]] = [math.nan] * 3 + [2]
    changed = replace(result, metrics=metrics, table=table)
    csv = changed.with_differences()
    line = changed.describe(ten).splitlines()[2]
    assert line.endswith("; no difference from the first cell: not known in 1 of 3 "
                         "replications of the first cell")
    row = csv.set_index(["cell", "group", "metric"])["note"]
    assert row[(first, "all", ten)].startswith("not known in 1 of 3 replications: the run does "
                                               "not follow the waits that long")
    assert row[(second, "all", ten)] == (
        "no difference from the first cell: not known in 1 of 3 replications of the first "
        "cell, where the run does not follow the waits that long (as a rule, the early "
        "requests were all connected or withdrew sooner, and the run ended before anyone still "
        "waiting had waited 10 years; docs/model.md, section 4.3)")
    assert row[(third, "all", "wait_mean_years")] == (
        "no difference from the first cell: not reached in 1 of 3 replications of this cell")
    assert row[(second, "all", "wait_mean_years")] == ""
    without = csv[csv["difference"].isna() & csv["estimate"].notna()]
    assert (without["note"] != "").all()


def test_changed_members_names_streams_moved_added_or_redrawn():
    """A stream moved to another category changes both categories, not 'all'; a new one all."""
    from sim.analysis.sweep_grid import changed_members
    base = load_scenario("scenarios/flevoland/social_priority.yaml")
    moved = load_scenario("scenarios/flevoland/social_priority.yaml",
                          {"streams.housing.category": "other"})
    assert changed_members(base, moved) == {"basic_needs": ["housing"], "other": ["housing"]}
    later = load_scenario("scenarios/flevoland/social_priority.yaml",
                          {"grid.upgrades.8.date": "2031-01-01"})
    assert changed_members(base, later) == {}


def test_a_sweep_in_five_years_says_why_how_often_and_what_sees_later(result: Sweep):
    """A sweep shown in five years because ten are missing says how often, why, what else.

    The sweep of the reinforcement's date printed 'wait_rmst_5y_years' with no word that ten
    years were missing in 1 of 5 replications of two cells, and drew a flat line.
    """
    ten, five = "wait_rmst_10y_years", "wait_to_end_years"
    table = result.table.copy()
    first = result.cells["cell"].iloc[0]
    tens = (table["group"] == "all") & (table["metric"] == ten)
    table.loc[tens, ["estimate", "ci_low", "ci_high", "replications"]] = [7.0, 6.9, 7.1, 3]
    known = replace(result, table=table.copy())
    where = tens & (table["cell"] == first)
    table.loc[where, ["estimate", "ci_low", "ci_high", "replications"]] = [math.nan] * 3 + [2]
    swept = replace(result, table=table)
    (note,) = swept.notes(group="all")
    assert note.startswith(f"{five}, not {ten}: the 10-year mean of all is not known in 1 of 3 "
                           "replications of policy.order=fifo grid.capacity_mw=1, where the run "
                           "does not follow the waits that long")
    assert f"metric='{ten}' shows the 10-year mean in the cells that know it" in note  # Python
    assert "--" not in note
    with arguments_as_options():  # the command's words
        assert (f"--metric {ten} shows the 10-year mean in the cells that know it"
                ) in swept.notes(group="all")[0]
    label = METRICS[five].label.split(" (")[0]
    assert swept.describe().splitlines()[0].startswith(f"{label} ({five},")
    assert swept.describe().splitlines()[-2] == f"note: {note}."  # then: only 3 replications
    assert "Mean years without a connection" in swept.figure().axes[0].get_title()
    csv = swept.with_differences()
    assert csv.loc[where[where].index[0], "note"].startswith(
        "not known in 1 of 3 replications: the run does not follow the waits that long")
    assert swept.notes(ten, "all") == [] and known.notes(group="all") == []


def test_a_group_with_nobody_in_a_cell_says_so_and_claims_no_pairing(family):
    """A cell that draws nobody into a group says so, with no false reason and no pairing.

    With a stream's rate 0, its group's 10-year mean read "not known in 2 of 2 replications:
    no wait reached 10 years within the run ..." and its rows claimed paired=True; the next
    cell's differences from it were missing without a word.
    """
    swept = sweep(family["fifo"], {"streams.basic.rate_per_year": [0, 20]}, replications=2,
                  workers=1)
    first, second = swept.cells["cell"].tolist()
    table = swept.with_differences()
    basic = table[table["group"] == "basic_needs"]
    nobody = basic[basic["cell"] == first]
    assert (nobody["note"] == "nobody in this group in this cell").all()
    assert nobody["paired"].isna().all() and basic["paired"].isna().all()
    later = basic[(basic["cell"] == second) & basic["difference"].isna()]
    assert len(later) and later["note"].str.endswith(
        "no difference from the first cell: nobody in this group there").all()
    others = table[table["group"] == "other"]
    assert not others["note"].str.contains("nobody").any()
    # Paired or not only where there is a difference: a row without one claims neither.
    assert others["paired"].notna().eq(others["difference"].notna()).all()
    assert others["difference"].isna().any() and others["difference"].notna().any()
    # The summary and its notes say the same, and no note counts the empty cell's
    # replications as ones that did not follow anyone 10 years.
    lines = swept.describe(group="basic_needs").splitlines()
    assert lines[1].endswith("rate_per_year=0: nobody in this group in this cell")
    assert not any("rate_per_year=0" in note for note in swept.notes(group="basic_needs"))


def test_a_heat_map_whose_reference_has_nobody_says_so_as_describe_does(family):
    """The top-left cell with nobody in the group says so, as the printed lines do.

    It said "no value" without "(reference)", and the legend gave the general reason a cell
    is not comparable, where describe said "nobody in this group in this cell" and "no
    difference from the first cell: nobody in this group there".
    """
    swept = sweep(family["fifo"], {"streams.basic.rate_per_year": [0, 20],
                                   "grid.capacity_mw": [1, 3]}, replications=2, workers=1)
    lines = swept.describe(group="basic_needs").splitlines()
    assert lines[1].endswith(f": {NOBODY_HERE}")
    assert any(line.endswith(f"; {NO_DIFFERENCE_NOBODY}") for line in lines)
    fig = swept.figure(group="basic_needs")
    texts = [" ".join(text.get_text().split()) for text in fig.axes[0].texts]
    assert texts[0] == f"{NOBODY_HERE} (reference)"
    legend = [" ".join(text.get_text().split()) for text in fig.legends[0].get_texts()]
    assert f"not comparable ({NO_DIFFERENCE_NOBODY})" in legend
    assert NO_DIFFERENCE not in legend


def test_sweep_csv_says_a_difference_is_of_means_beside_a_median_estimate(result: Sweep):
    """A median time to connection sat beside a difference of the means, read as of medians.

    Hand-worked: the first cell waits 1, 2 and 6 years in its three replications (median 2,
    mean 3), the second 2, 3 and 10 (median 3, mean 5). The paired difference is 2, the
    mean of 1, 1 and 4, not the medians' 1; first_cell_mean, 3, plus it is the second
    cell's mean. sweep.csv gives that column before its note.
    """
    from sim.analysis.differences import cell_differences

    metrics = pd.DataFrame({"cell": ["a"] * 3 + ["b"] * 3, "replication": [0, 1, 2] * 2,
                            "group": "all", "metric": "connect_median_years",
                            "value": [1.0, 2.0, 6.0, 2.0, 3.0, 10.0]})
    rows = cell_differences(metrics, {"a": True, "b": True}, levels=True)
    second = rows[rows["cell"] == "b"].iloc[0]
    assert second["difference"] == pytest.approx(2.0)
    assert second["reference_mean"] == pytest.approx(3.0)
    assert "reference_mean" not in cell_differences(metrics, {"a": True, "b": True})
    table = result.with_differences()
    assert list(table.columns[-2:]) == ["first_cell_mean", "note"]
    known = table.dropna(subset=["difference"])
    counted = known["replications"] == 3  # every replication: its mean is over the same
    assert counted.any()
    assert np.allclose(known.loc[counted, "first_cell_mean"] + known.loc[counted, "difference"],
                       known.loc[counted, "mean"])
    first = table["cell"] == table["cell"].iloc[0]
    assert np.allclose(table.loc[first & table["difference"].notna(), "first_cell_mean"],
                       table.loc[first & table["difference"].notna(), "mean"])
    assert table.loc[table["difference"].isna(), "first_cell_mean"].isna().all()


def _said(call) -> list[str]:
    """Every GridqueueWarning ``call()`` gives, each time it gives one."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught if issubclass(w.category, GridqueueWarning)]


def test_a_cell_that_leaves_an_upgrade_doing_nothing_is_warned_of_once(family):
    """A delay that takes the upgrade past the end adds nothing in that cell: said once.

    ``gridqueue run`` with the same ``--set`` warns of it; the sweep said nothing, as its
    cells were not checked for settings that do nothing. One warning names every cell it
    does nothing in, and none the cells it acts in.
    """
    said = _said(lambda: plan_sweep(family["fifo"], {"grid.upgrades.0.delay_years": [0, 3],
                                                     "policy.order": ["fifo", "social_priority"]},
                                    replications=2))
    late = [text for text in said if "after the end" in text]
    assert late == ["sweep cells grid.upgrades.0.delay_years=3 policy.order=fifo; "
                    "grid.upgrades.0.delay_years=3 policy.order=social_priority: "
                    "grid.upgrades.0 (station) comes at the earliest on 2026-05-31, after the "
                    "end (2026-01-01), so it adds nothing in this run"]


def test_a_base_scenario_that_leaves_an_upgrade_doing_nothing_is_warned_of_once(family):
    """Said of the base scenario, where the option gives it, and not again for every cell."""
    said = _said(lambda: plan_sweep(family["fifo"], {"policy.order": ["fifo", "social_priority"]},
                                    ["grid.upgrades.0.delay_years=3"], replications=2))
    assert [text for text in said if "after the end" in text] == [
        "--set grid.upgrades.0.delay_years=3: grid.upgrades.0 (station) comes at the earliest "
        "on 2026-05-31, after the end (2026-01-01), so it adds nothing in this run"]


ROUNDS = """\
start: 2025-01-01
end: 2027-12-31
replications: 2
grid:
  capacity_mw: 0
  upgrades:
    - {name: station, date: 2025-06-01, add_mw: 1.0}
policy:
  order: social_priority
  allocation: rounds
  rounds: {dates: [2026-01-01], fit: first_fit}
projects:
  - {name: big, date: 2025-01-01, demand_mw: 0.7}
  - {name: small, date: 2025-02-01, demand_mw: 0.2}
"""
"""Two requests that wait for a round: both connect at its date (by hand: a mean wait of
(365 + 334) / 2 days with the round on 1 Jan 2026, (243 + 212) / 2 days on 1 Sep 2025)."""


def test_a_sweep_of_the_rounds_tells_their_cells_apart(tmp_path: Path):
    """Rounds on other dates run another scenario.

    Such a sweep was refused as one whose cells all run the same scenario: the policy's
    periods, from which that was judged, left the rounds out, so rounds dates could not be
    swept at all.
    """
    path = tmp_path / "rounds.yaml"
    path.write_text(ROUNDS, encoding="utf-8")
    result = sweep(path, {"policy.rounds.dates": [["2026-01-01"], ["2025-09-01"]]}, workers=1)
    waits = result.table.query("group == 'all' and metric == 'wait_to_end_years'")
    assert waits["mean"].round(6).tolist() == [0.956879, 0.622861]


def test_metric_help_names_key_figures_a_sweep_takes():
    """`sweep --help` said only "see summary.csv for the names", which a user has not yet.

    It now names a few, withdrawn_share among them; each must be a key figure a sweep takes.
    """
    commands = next(action for action in cli._parser()._actions
                    if isinstance(action, argparse._SubParsersAction))
    option = next(action for action in commands.choices["sweep"]._actions
                  if "--metric" in action.option_strings)
    named = {word for word in re.findall(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", option.help or "")
             if word in METRICS or word.endswith(("_share", "_years", "_2y"))}
    assert "withdrawn_share" in named and named <= set(METRICS), sorted(named - set(METRICS))


@pytest.mark.parametrize(("given", "meant"), [("mean_wait", "wait_mean_years"),
                                              ("connected_2y", "connected_within_2y"),
                                              ("share_withdrawn", "withdrawn_share"),
                                              # held by seven: the one with fewest others
                                              ("wait_years", "wait_mean_years")])
def test_a_key_figure_named_in_other_words_is_answered_with_the_one_that_has_them(given, meant):
    """'connected_2y' was answered 'connected', 'mean_wait' 'mw_years_waiting'."""
    from sim.figures.sweep import check_choice

    with pytest.raises(GridqueueError, match=re.escape(f"(did you mean '{meant}'?)")):
        check_choice(given, "all")


def test_a_key_figure_is_not_answered_with_the_one_that_says_non_of_its_words():
    """'firm_connected' was answered 'non_firm_connected': the rights that are not firm."""
    from sim.figures.sweep import check_choice

    with pytest.raises(GridqueueError, match=re.escape("(did you mean 'mw_connected'?)")):
        check_choice("firm_connected", "all")
    with pytest.raises(GridqueueError) as refused:
        check_choice("firm_mw", "all")
    assert "did you mean" not in str(refused.value)
    with pytest.raises(GridqueueError, match=re.escape("(did you mean 'mw_non_firm'?)")):
        check_choice("non_firm_mw", "all")


def test_a_varied_key_completes_a_block_the_set_values_begin(
    family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A ``--set`` cover beside a varied share: each cell is checked whole, not the base alone.

    The base with the ``--set`` values was checked before any varied value was applied, so
    ``share: missing`` refused the sweep, and a ``--set`` share too was refused as set twice:
    only a file giving both made the sweep possible.
    """
    cover = "onsite_generation.cover={dist: uniform, low: 0.1, high: 0.4}"
    output = tmp_path / "out"
    assert main(["sweep", str(family["fifo"]), "--vary", "onsite_generation.share=0,0.5",
                 "--set", cover, "--replications", "2", "--workers", "1", "-q",
                 "-o", str(output)]) == 0, capsys.readouterr().err
    # the share-0 cell runs, its cover doing nothing: said (see the next test)
    assert "onsite_generation.cover does nothing there" in capsys.readouterr().err
    swept = Sweep.read(output)
    assert swept.cells["onsite_generation.share"].tolist() == [0, 0.5]
    assert swept.scenario.onsite_generation is not None
    assert swept.scenario.onsite_generation.cover.upper_bound == 0.4
    # A cell the varied value makes wrong is named, with its key path and value.
    assert main(["sweep", str(family["fifo"]), "--vary", "onsite_generation.share=2,0.5",
                 "--set", cover, "--replications", "2", "-o", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gridqueue: error: sweep value onsite_generation.share=2: "
                          "onsite_generation.share: expected a number <= 1.0, got 2"), err
    # A --set that is wrong whatever the varied values is still named alone, as before.
    assert main(["sweep", str(family["fifo"]), "--vary", "onsite_generation.share=0,0.5",
                 "--set", cover, "--set", "grid.capacity_mw=-1", "--replications", "2",
                 "-o", str(tmp_path / "bad")]) == 2
    assert capsys.readouterr().err.startswith(
        "gridqueue: error: --set grid.capacity_mw=-1: grid.capacity_mw: expected a number >= 0")
    # One the varied values bring out is named as given, in the cell: not as the cell's value.
    assert main(["sweep", str(family["fifo"]), "--vary", "onsite_generation.share=0,0.5",
                 "--set", cover, "--set", "onsite_generation.by_category.safety.share=0.2",
                 "--replications", "2", "-o", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gridqueue: error: --set onsite_generation.by_category.safety.share=0.2: "
                          "onsite_generation.by_category.safety: expected cover next to share"), err
    assert err.endswith("(in the sweep cell onsite_generation.share=0)"), err
    assert not (tmp_path / "bad").exists()


def test_a_setting_a_cell_leaves_doing_nothing_is_warned_of_in_that_cell(
    family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A ``--set`` cover beside a varied share of 0: the cell's cover does nothing.

    A plain run with both refuses the cover; the sweep passed over that refusal in its
    share-0 cell and ran it without a word. The grid reaches 0 on purpose, so the cell runs,
    and a warning names it, once, with what a plain run would have said.
    """
    assert main(["sweep", str(family["fifo"]), "--vary", "onsite_generation.share=0,0.5",
                 "--set", "onsite_generation.cover=0.3", "--replications", "2", "--workers",
                 "1", "-q", "-o", str(tmp_path / "out")]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warned == [
        "gridqueue: warning: sweep cell onsite_generation.share=0: --set "
        "onsite_generation.cover=0.3: onsite_generation.cover does nothing there, which a run "
        "of that scenario alone would refuse: expected onsite_generation.share and "
        "onsite_generation.cover both above 0, or both 0 (nobody generates on site): with "
        "share 0, nobody adopts on-site generation, so cover would do nothing; give cover: 0 "
        "too, or a share above 0"], warned


@pytest.mark.parametrize(("options", "where"), [
    (["--vary", "onsite_generation.share=0", "--set", "onsite_generation.cover=0.3"],
     "--set onsite_generation.cover=0.3"),
    (["--set", "onsite_generation.share=0", "--vary", "onsite_generation.cover=0.3"],
     "sweep value onsite_generation.cover=0.3"),
])
def test_a_setting_that_does_nothing_in_every_cell_is_refused(
    family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    options: list[str], where: str
):
    """No cell lets the cover act: the sweep is refused as a plain run would be, before any run.

    Named as given: a varied value as the sweep's, not as a --set the user never typed.
    """
    assert main(["sweep", str(family["fifo"]), *options, "--vary", "grid.capacity_mw=1,2",
                 "--replications", "2", "--workers", "1", "-q",
                 "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"gridqueue: error: {where}: onsite_generation.cover: "
        "expected onsite_generation.share and onsite_generation.cover both above 0, or both 0 "
        "(nobody generates on site): with share 0, nobody adopts on-site generation, so cover "
        "would do nothing; give cover: 0 too, or a share above 0 (in every sweep cell)"]
    assert not (tmp_path / "out").exists()


def test_any_block_with_required_keys_may_be_completed_by_a_varied_key(family: dict[str, Path]):
    """A partial offer's ``accept_share`` by ``--set`` and its ``min_share`` varied."""
    _, _, _, scenarios = plan_sweep(family["fifo"],
                                    {"streams.other.partial_offer.min_share": [0.25, 0.5]},
                                    ["streams.other.partial_offer.accept_share=0.5"],
                                    replications=2)
    offers = [scenario.streams["other"].partial_offer for scenario in scenarios]
    assert [(o.min_share, o.accept_share) for o in offers if o is not None] == [
        (0.25, 0.5), (0.5, 0.5)]


def test_a_sweep_of_the_end_says_its_cells_count_other_applicants(family):
    """Cells that end on other dates count other applicants, in every group, as compare says.

    A sweep of end=2034-12-31,2036-12-31 counted 2,965 against 3,464 applicants in all
    without a word, where compare of the same change said 'not like with like: the runs end
    on different dates'. Its notes, sweep.csv and the heat map's title now say so.
    """
    swept = sweep(family["fifo"], {"end": ["2025-01-01", "2026-01-01"],
                                   "grid.capacity_mw": [1, 3]}, replications=2, workers=1)
    words = "not like with like: the cells end on different dates (2025-01-01 to 2026-01-01)"
    assert any(note.startswith(words) for note in swept.notes("wait_mean_years", "other"))
    table = swept.with_differences().query("group == 'all'")
    later = table["end"].astype(str) == "2026-01-01"
    assert table.loc[later, "note"].str.startswith(
        "not like with like: this cell ends on another date (2026-01-01 against 2025-01-01)"
    ).all()
    assert not table.loc[~later, "note"].str.contains("like with like").any()
    title = swept.figure("wait_mean_years", "all").axes[0].get_title()
    assert "Not like with like: the cells end on different dates (2025-01-01 to 2026-01-01)." \
        in title.replace("\n", " ")
    # An end varied over one value moves no end: the cells are paired, and nothing is said.
    one = sweep(family["fifo"], {"end": ["2025-01-01"], "grid.capacity_mw": [1, 3]},
                replications=2, workers=1)
    assert not any("like with like" in note for note in one.notes("wait_mean_years", "all"))


def test_a_sweep_of_one_cell_says_cell(family, tmp_path, capsys):
    """The last line said '(1 cells; ...)'."""
    assert main(["sweep", str(family["fifo"]), "--vary", "grid.capacity_mw=2",
                 "--replications", "2", "--workers", "1", "-o", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.strip().endswith("(1 cell; sweep.csv, sweep.png)")
