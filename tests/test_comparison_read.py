"""Reading a written comparison back: the same tables and figures, or one clear refusal."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sim import Comparison, GridqueueError, Results, compare, load_scenario, run
from sim.analysis.comparison import FIGURES
from sim.runs.results import scenario_yaml
from tests.comparison_family import OBSERVATIONS, write_family

# What is read back and refused is checked here, not what a figure shows: in this process
# the figures are made and laid out, and written empty (tests/undrawn.py).
pytestmark = pytest.mark.undrawn

TABLES = ("applicants", "timeseries", "summary", "replication_metrics", "projects")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Comparison, Path]:
    """A comparison of a Results object, a scenario file and a results folder, written.

    Each way a scenario reaches a comparison, so each way its results are found again; the
    family names a project and ``observed`` states observations, so every figure applies.
    """
    folder = tmp_path_factory.mktemp("read")
    family = write_family(folder / "family")
    family["observed"] = folder / "family" / "observed.yaml"
    family["observed"].write_text(f"extends: fifo.yaml\nname: observed\n{OBSERVATIONS}",
                                  encoding="utf-8")
    run(load_scenario(family["other_seed"]), workers=1).write(folder / "other_seed_run")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comparison = compare([run(load_scenario(family["fifo"]), workers=1), family["observed"],
                              folder / "other_seed_run"], workers=1)
    comparison.write(folder / "comparison")
    return comparison, folder / "comparison"


@pytest.fixture(scope="module")
def back(written: tuple[Comparison, Path]) -> Comparison:
    """The written comparison read back, for the tests that only look at it."""
    return Comparison.read(written[1])


def test_read_gives_back_every_table(written: tuple[Comparison, Path], back: Comparison) -> None:
    comparison, _ = written
    pd.testing.assert_frame_equal(back.table, comparison.table)
    assert back.questions == comparison.questions
    assert back.cautions == comparison.cautions
    assert back.sources == comparison.sources
    assert back.ran == comparison.ran == ["observed"]
    assert list(back.results) == list(comparison.results)
    for label, results in comparison.results.items():
        assert scenario_yaml(back.results[label].scenario) == scenario_yaml(results.scenario)
        for name in TABLES:
            pd.testing.assert_frame_equal(getattr(back.results[label], name),
                                          getattr(results, name), obj=f"{label} {name}")


@pytest.mark.parametrize("name", [*FIGURES, "observations"])
def test_every_figure_draws_on_both(written: tuple[Comparison, Path], back: Comparison,
                                    name: str) -> None:
    figures = [getattr(c, f"{name}_figure")() for c in (written[0], back)]
    assert all(figure is not None for figure in figures)
    for figure in figures:
        plt.close(figure)


def test_answers_read_back_alike(written: tuple[Comparison, Path], back: Comparison) -> None:
    comparison, _ = written
    assert back.sentences() == comparison.sentences()
    assert back.notes() == comparison.notes()
    pd.testing.assert_frame_equal(back.observation_table(), comparison.observation_table())


def test_a_read_comparison_writes_the_same_table(written: tuple[Comparison, Path],
                                                 tmp_path: Path) -> None:
    _, folder = written
    Comparison.read(folder).write(tmp_path / "again")
    assert ((tmp_path / "again" / "comparison.csv").read_bytes()
            == (folder / "comparison.csv").read_bytes())
    again = Comparison.read(tmp_path / "again")  # its results folder found from the new place
    assert list(again.results) == ["fifo", "observed", "other_seed"]


def _drop_column(folder: Path) -> None:
    table = pd.read_csv(folder / "comparison.csv", keep_default_na=False)
    table.drop(columns="reference_mean").to_csv(folder / "comparison.csv", index=False)


def _text_for_a_number(folder: Path) -> None:
    table = pd.read_csv(folder / "comparison.csv", keep_default_na=False, dtype=str)
    table.loc[2, "estimate"] = "many"
    table.to_csv(folder / "comparison.csv", index=False)


def _cut_short(folder: Path) -> None:
    data = (folder / "comparison.csv").read_bytes()
    (folder / "comparison.csv").write_bytes(data[: len(data) // 2])


def _without_key(key: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        info = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        del info[key]
        (folder / "comparison.json").write_text(json.dumps(info), encoding="utf-8")
    return edit


def _json_edit(edit: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        info = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        edit(info)
        (folder / "comparison.json").write_text(json.dumps(info), encoding="utf-8")
    return damage


def _paired_as(value: str) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        table = pd.read_csv(folder / "comparison.csv", keep_default_na=False, dtype=str)
        table.loc[0, "paired"] = value
        table.to_csv(folder / "comparison.csv", index=False)
    return damage


def _bytes_in_a_label(folder: Path) -> None:
    """Bytes that are not UTF-8 text in a scenario's label, the rows' count unchanged."""
    header, rows = (folder / "comparison.csv").read_bytes().split(b"\n", 1)
    (folder / "comparison.csv").write_bytes(
        header + b"\n" + rows.replace(b"other_seed", b"other_\xff\xfeseed", 1))


def _json_as_a_folder(folder: Path) -> None:
    (folder / "comparison.json").unlink()
    (folder / "comparison.json").mkdir()


@pytest.mark.parametrize(("damage", "message"), [
    (lambda f: (f / "comparison.csv").unlink(), r"comparison\.csv: not found"),
    (lambda f: (f / "comparison.json").write_bytes(b'{"a": "\xff"}'),
     r"comparison\.json: expected readable JSON .*not UTF-8 text: damaged"),
    (lambda f: (f / "comparison.json").write_text('{"a": ' + "1" * 5000 + "}",
                                                  encoding="utf-8"),
     r"comparison\.json: expected readable JSON .*; it is damaged"),
    (_json_as_a_folder, r"comparison\.json: expected readable JSON .*; it cannot be read"),
    (lambda f: (f / "comparison.json").write_text("[]", encoding="utf-8"),
     r"comparison\.json: expected readable JSON .*; got list"),
    (_json_edit(lambda info: info["questions"][0].update(paired="yes")),
     r"comparison\.json: questions\.0\.paired: expected .*true or false"),
    (_json_edit(lambda info: info["questions"][0].update(variant=3)),
     r"comparison\.json: questions\.0\.variant: expected .*text"),
    (_json_edit(lambda info: info["scenarios"][2].update(replications=[0])),
     r"comparison\.json: scenarios\.2\.replications: expected the replications of "
     r"other_seed the comparison counted"),
    (_paired_as("maybe"), r"comparison\.csv: paired: expected True, False or nothing, got "
     r"'maybe'"),
    (_bytes_in_a_label, r"comparison\.csv: expected a table as gridqueue compare writes it; "
     r"it is damaged"),
    (_cut_short, r"comparison\.csv:\d+: truncated"),
    (_drop_column, r"comparison\.csv:1: expected the columns .*lacks reference_mean"),
    (_text_for_a_number, r"comparison\.csv:4: estimate: expected a number, got 'many'"),
    (lambda f: (f / "comparison.json").write_text("{", encoding="utf-8"),
     r"comparison\.json:1: expected readable JSON"),
    (_without_key("cautions"), r"comparison\.json: cautions: expected .*earlier gridqueue"),
    (_without_key("scenarios"), r"comparison\.json: scenarios: expected"),
    (lambda f: (f / "comparison.json").write_text((f / "comparison.json").read_text(
        encoding="utf-8").replace('"reference": "fifo"', '"reference": "fifi"'),
        encoding="utf-8"),
     r"comparison\.json: questions\.0\.reference: expected one of the scenarios \(fifo, "
     r"observed, other_seed\), got 'fifi'"),
    (lambda f: shutil.rmtree(f / "runs" / "observed"),
     r"comparison\.json: scenarios\.1\.run_dir: expected the results folder of observed"),
    (lambda f: (f / "runs" / "fifo" / "summary.csv").unlink(), r"fifo.summary\.csv: not found"),
])
def test_a_damaged_comparison_is_refused(written: tuple[Comparison, Path], tmp_path: Path,
                                         damage: Callable[[Path], None], message: str) -> None:
    copy = tmp_path / "comparison"
    shutil.copytree(written[1], copy)
    shutil.copytree(written[1].parent / "other_seed_run", tmp_path / "other_seed_run")
    damage(copy)
    with pytest.raises(GridqueueError, match=re.escape(str(copy)) + ".*" + message):
        Comparison.read(copy)


def test_an_earlier_comparison_of_a_results_object_is_refused(
        written: tuple[Comparison, Path], tmp_path: Path) -> None:
    """Written before a Results object given in Python was kept under runs/."""
    copy = tmp_path / "comparison"
    shutil.copytree(written[1], copy)
    info = json.loads((copy / "comparison.json").read_text(encoding="utf-8"))
    for entry in info["scenarios"]:
        del entry["ran"], entry["results_dir"]
    info["scenarios"][0]["run_dir"] = None
    (copy / "comparison.json").write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(GridqueueError, match=r"scenarios\.0\.run_dir: expected the results of "
                       "fifo, a Results object given in Python, under runs/; an earlier "
                       "gridqueue did not keep them"):
        Comparison.read(copy)


def test_results_read_from_a_sibling_folder_are_found_from_anywhere(
        written: tuple[Comparison, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Results given by a path relative to the working folder are found from another one.

    A moved pair of folders (the comparison and the results it read) still reads back, and
    what was read back, written again from there, still finds them. The results are those
    the written comparison ran, copied.
    """
    shutil.copytree(written[1] / "runs" / "fifo", tmp_path / "work" / "fifo")
    shutil.copytree(written[1].parent / "other_seed_run", tmp_path / "work" / "other_seed")
    monkeypatch.chdir(tmp_path / "work")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(["fifo", "other_seed"], workers=1).write("comparison")
    shutil.move(tmp_path / "work", tmp_path / "moved")
    monkeypatch.chdir(tmp_path)
    Comparison.read(Path("moved") / "comparison").write(Path("moved") / "again")
    back = Comparison.read(tmp_path / "moved" / "again")
    assert list(back.results) == ["fifo", "other_seed"]


def test_an_earlier_comparison_finds_a_results_folder_from_the_working_folder(
        written: tuple[Comparison, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written before results_dir was recorded: its source, relative to the working folder."""
    copy = tmp_path / "comparison"
    shutil.copytree(written[1], copy)
    shutil.copytree(written[1].parent / "other_seed_run", tmp_path / "elsewhere" / "run")
    info = json.loads((copy / "comparison.json").read_text(encoding="utf-8"))
    del info["scenarios"][2]["results_dir"]
    info["scenarios"][2]["source"] = "run"
    (copy / "comparison.json").write_text(json.dumps(info), encoding="utf-8")
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert list(Comparison.read(copy).results) == ["fifo", "observed", "other_seed"]


def test_a_moved_results_folder_is_named(written: tuple[Comparison, Path],
                                         tmp_path: Path) -> None:
    """A scenario read from a results folder is read from it again: gone, it is named."""
    copy = tmp_path / "copy"  # elsewhere: ../other_seed_run is not beside it
    shutil.copytree(written[1], copy)
    with pytest.raises(GridqueueError, match=r"scenarios\.2\.results_dir: expected the results "
                       r"folder of other_seed, .*other_seed_run; not found"):
        Comparison.read(copy)


def test_a_results_folder_run_again_is_refused(written: tuple[Comparison, Path],
                                               tmp_path: Path) -> None:
    comparison, folder = written
    shutil.copytree(folder, tmp_path / "comparison")
    fifo = comparison.results["fifo"].scenario.model_copy(update={"seed": 7})
    run(fifo, workers=1).write(tmp_path / "other_seed_run")
    with pytest.raises(GridqueueError, match=r"scenarios\.2\.scenario_sha256: expected the "
                       r"scenario other_seed had when compared"):
        Comparison.read(tmp_path / "comparison")


def test_other_folders_are_refused(written: tuple[Comparison, Path], tmp_path: Path) -> None:
    _, folder = written
    with pytest.raises(GridqueueError, match="this is the results of gridqueue run; read it "
                       "with Results.read"):
        Comparison.read(folder / "runs" / "fifo")
    with pytest.raises(GridqueueError, match="no such folder"):
        Comparison.read(tmp_path / "nowhere")
    (tmp_path / "sweep.csv").write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(GridqueueError, match=f"{re.escape(str(tmp_path))}: expected a folder "
                       "written by gridqueue compare, with comparison.json; this is the output "
                       "of gridqueue sweep; read it with Sweep.read"):
        Comparison.read(tmp_path)
    with pytest.raises(GridqueueError, match="output of gridqueue compare.*Comparison.read "
                       "reads it back in Python"):
        Results.read(folder)
