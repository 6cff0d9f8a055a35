"""Comparing as a planner does: what each option does to results folders, and what is said.

A setting that does nothing must say so, a warning names exactly what differs, the files a
comparison writes agree with the README, and the same inputs give the same bytes.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from sim import FitParameter, GridqueueWarning, calibrate, compare, load_scenario, run, sweep
from sim.analysis.comparison import Comparison
from sim.errors import arguments_as_options
from tests.comparison_family import write_family, write_observed


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    paths = write_family(tmp_path_factory.mktemp("family"))
    smallest = paths["fifo"].parent / "smallest.yaml"
    smallest.write_text("extends: fifo.yaml\nname: smallest\npolicy: {order: smallest_first}\n",
                        encoding="utf-8")
    return {**paths, "smallest": smallest}


@pytest.fixture(scope="module")
def folders(family: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, Path]:
    """Results folders of two replications each, as ``gridqueue run`` writes them."""
    root = tmp_path_factory.mktemp("runs")
    made = {}
    for name in ("fifo", "social_priority", "other_seed"):
        made[name] = run(load_scenario(family[name], {"replications": 2}),
                         workers=1).write(root / name)
    return made


def _messages(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, GridqueueWarning)]


def test_replications_asked_of_results_folders_are_warned_of_per_folder(
        folders: dict[str, Path]):
    """--replications (or --set replications=N) reaches no results folder: each says so.

    Two folders of two replications each compared with ``replications=3`` were compared over
    their two without a word, as if the option had been taken.
    """
    inputs = [folders["fifo"], folders["social_priority"]]
    with pytest.warns(GridqueueWarning) as caught, arguments_as_options():
        asked = compare(inputs, replications=3, workers=1)
    said = [m for m in _messages(caught) if "sets the replications" in m]
    assert said == [f"{folder}: --replications 3 sets the replications of each scenario file "
                    "run here, not of this results folder, which is read as it ran (2 "
                    "replications), so the comparison counts its own (a paired question "
                    "those both scenarios ran); to count 3, run the folder's scenario again "
                    "with that many" for folder in inputs]
    assert asked.table["replications"].max() == 2
    with pytest.warns(GridqueueWarning) as caught, arguments_as_options():
        compare(inputs, ["replications=3"], workers=1)
    assert [m.split(" sets ")[0] for m in _messages(caught) if "sets the replications" in m] \
        == [f"{folder}: --set replications=3" for folder in inputs]
    with pytest.warns(GridqueueWarning) as caught:  # from Python: the keyword, no option
        compare(inputs, replications=3, workers=1)
    assert [m.split(" sets ")[0] for m in _messages(caught) if "sets the replications" in m] \
        == [f"{folder}: replications=3" for folder in inputs]
    with warnings.catch_warnings():  # as the folders ran: nothing to say
        warnings.simplefilter("error", GridqueueWarning)
        compare(inputs, replications=2, workers=1)
        compare(inputs, ["replications=2"], workers=1)


def test_replications_alone_are_not_said_to_mix_with_what_a_sibling_changes(
        family: dict[str, Path], folders: dict[str, Path]):
    """Siblings differing in policy and replication count differ in policy: no mixed warning.

    The warning lower-cased the label "Seed, replications" and read it as two differences,
    "the two differ in seed, replications and queue policy", where the seed was the same.
    What the comparison does with the counts, pairing the replications both ran, is said.
    """
    with pytest.warns(GridqueueWarning) as caught:
        mixed = compare([folders["social_priority"], family["smallest"]], replications=3,
                        workers=1)
    assert not [m for m in _messages(caught) if "combined effect" in m]
    assert mixed.cautions == ["smallest against social_priority: paired over the 2 "
                              "replications both ran (smallest 3 and social_priority 2); the "
                              "question's figures count those 2",
                              "smallest against social_priority: social_priority is the "
                              "reference only as the first input (smallest does not extend "
                              "it); to read the difference the other way round, give smallest "
                              "first or name it as the reference argument"]
    with pytest.warns(GridqueueWarning) as caught:
        seeded = compare([folders["other_seed"], family["social_priority"]], replications=3,
                         workers=1)
    (said,) = [m for m in _messages(caught) if "does not extend" in m]
    assert said in seeded.cautions
    assert "the two differ in seed and queue policy, so its answer shows their combined " \
        "effect" in said


def test_inputs_that_resolve_to_one_scenario_are_said_to_show_only_zero(
        family: dict[str, Path], folders: dict[str, Path], tmp_path: Path):
    """Not their paths but what they resolve to: a copy, a change to the value it had, a run.

    Compared, such inputs report "the same in every replication" as though the variant had
    changed nothing that mattered, where there was no variant at all.
    """
    copy = tmp_path / "fifo_copy.yaml"
    copy.write_text(family["fifo"].read_text(encoding="utf-8").replace(
        "name: fifo", "name: fifo_copy"), encoding="utf-8")
    fifo, run_of_fifo = re.escape(str(family["fifo"])), re.escape(str(folders["fifo"]))
    zero = r"can only show zero: every paired difference is zero; to compare a variant"
    with pytest.warns(GridqueueWarning, match=rf"^{re.escape(str(copy))} and {fifo}: the two "
                      rf"inputs resolve to the same scenario \(all but its name\), so .*{zero}"):
        compare([family["fifo"], copy], replications=2, workers=1)
    with pytest.warns(GridqueueWarning, match=rf"^{fifo} with grid.capacity_mw=1 and {fifo}: "
                      r"the two inputs resolve to the same scenario, "):
        compare([family["fifo"], family["fifo"]], ["2:grid.capacity_mw=1"], replications=2,
                workers=1)
    with pytest.warns(GridqueueWarning) as caught:  # the folder keeps its 2, as others say
        compare([folders["fifo"], family["fifo"]], replications=3, workers=1)
    assert [m for m in _messages(caught) if re.match(
        rf"{fifo} and {run_of_fifo}: the two inputs resolve to the same scenario \(all but "
        r"its number of replications\)", m)]
    with pytest.warns(GridqueueWarning) as caught:  # one path twice: said once, as before
        compare([family["fifo"], family["fifo"]], replications=2, workers=1)
    assert [m.split(": ")[1] for m in _messages(caught)] == ["given twice, so it is compared "
                                                             "with itself"]
    with warnings.catch_warnings():  # a variant, or the same file changed: nothing to say
        warnings.simplefilter("error", GridqueueWarning)
        compare([family["fifo"], family["social_priority"]], replications=2, workers=1)
        compare([family["fifo"], family["fifo"]], ["2:grid.capacity_mw=2"], replications=2,
                workers=1)


def test_a_folder_and_its_file_in_questions_that_never_pair_them_draw_no_warning(
        family: dict[str, Path], folders: dict[str, Path], tmp_path: Path):
    """A run of social_priority as one question's reference, its file another's variant.

    No question sets the two against each other, yet the warning said that "compared with
    each other they can only show zero"; and social_priority:KEY=VALUE, which can reach only
    the file, was refused as naming two inputs.
    """
    questions = tmp_path / "questions.yaml"
    questions.write_text(
        f"- question: Priority\n  reference: {family['fifo']}\n"
        f"  variant: {family['social_priority']}\n"
        f"- question: On-site\n  reference: {folders['social_priority']}\n"
        f"  variant: {family['onsite']}\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare([], questions=questions, replications=2, workers=1)
    assert not [m for m in _messages(caught) if "resolve to the same scenario" in m]
    changed = compare([], ["social_priority:seed=3"], questions=questions, replications=2,
                      workers=1)
    assert changed.results["social_priority"].scenario.seed == 3
    paired = questions.with_name("paired.yaml")  # where a question does pair them: said
    paired.write_text(f"- question: Same\n  reference: {folders['social_priority']}\n"
                      f"  variant: {family['social_priority']}\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning, match="the two inputs resolve to the same scenario"):
        compare([], questions=paired, replications=2, workers=1)
    # A third that a question does pair with the folder is said, though the file between
    # them is not: it was checked against the file alone.
    copy = tmp_path / "copy_sp.yaml"
    copy.write_text(family["social_priority"].read_text(encoding="utf-8").replace(
        "extends: fifo.yaml", f"extends: {family['fifo']}"), encoding="utf-8")
    questions.write_text(  # the folder first, then the file it is not set against
        f"- question: On-site\n  reference: {folders['social_priority']}\n"
        f"  variant: {family['onsite']}\n"
        f"- question: Priority\n  reference: {family['fifo']}\n"
        f"  variant: {family['social_priority']}\n"
        f"- question: Copy\n  reference: {folders['social_priority']}\n  variant: {copy}\n",
        encoding="utf-8")
    with pytest.warns(GridqueueWarning) as caught:
        compare([], questions=questions, replications=2, workers=1)
    said = [m for m in _messages(caught) if "resolve to the same scenario" in m]
    assert len(said) == 1 and said[0].startswith(f"{copy} and {folders['social_priority']}: ")


def test_compares_observations_csv_has_a_runs_columns_after_a_scenario_column(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """As the README says: the columns of a run's observations.csv, ``scenario`` first.

    Whether a scenario is run here or read from a results folder, each observation's
    ``note`` (what a published figure counts) is kept beside its verdict.
    """
    monkeypatch.setattr(Comparison, "figures", lambda _: {})  # speed: the tables only
    observed = write_observed(tmp_path / "family")
    kept = run(load_scenario(observed["observed_fifo"], {"replications": 2}),
               workers=1).write(tmp_path / "observed_fifo")
    folder = compare([kept, observed["observed_sp"]], replications=2, workers=1).write(
        tmp_path / "cmp")
    header = (folder / "observations.csv").read_text(encoding="utf-8").splitlines()[0]
    ran = (kept / "observations.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == f"scenario,{ran}"
    assert header.split(",")[-2:] == ["source", "note"]
    written = pd.read_csv(folder / "observations.csv")
    assert set(written.loc[written["observation"] == 0, "note"]) == {
        "requests for a new connection in 2023"}


def test_a_sweeps_and_a_calibrations_figures_are_the_same_bytes_each_time(
        family: dict[str, Path], tmp_path: Path):
    """sweep.svg and calibration.svg as a run's and a comparison's figures: no date, no chance.

    They were saved straight by matplotlib, which writes the day into an SVG and draws its
    clip-path ids at random, so the same sweep on one worker or two wrote different files.
    """
    for workers in (1, 2):
        sweep(family["fifo"], {"grid.capacity_mw": [1, 3]}, replications=2,
              workers=workers).write(tmp_path / f"sweep{workers}")
    drawn = [(tmp_path / f"sweep{workers}" / "sweep.svg").read_bytes() for workers in (1, 2)]
    assert drawn[0] == drawn[1] and b"<dc:date>" not in drawn[0]
    observed = write_observed(tmp_path / "observed")
    fit = calibrate(observed["observed_fifo"], [FitParameter("arrivals.rate_scale", 0.5, 2)],
                    replications=2, iterations=1, population=5, workers=1)
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        fit.write_summary(tmp_path / name)
    drawn = [(tmp_path / name / "calibration.svg").read_bytes() for name in ("one", "two")]
    assert drawn[0] == drawn[1] and b"<dc:date>" not in drawn[0]


def _without_the_stand_in(folder: Path, into: Path) -> Path:
    """A copy of a results folder as an earlier gridqueue wrote it: no wait_to_end_years rows."""
    import shutil

    shutil.copytree(folder, into)
    for name in ("replication_metrics.csv", "summary.csv"):
        table = pd.read_csv(into / name, keep_default_na=False, na_values=[""])
        table[table["metric"] != "wait_to_end_years"].to_csv(into / name, index=False)
    return into


def test_results_folders_of_an_earlier_version_are_compared_and_named(folders, tmp_path):
    """Folders written before the stand-in existed crashed the differences figure.

    Where the 10-year mean had no difference, the figure looked up the years to the end of
    the run, which such folders lack (KeyError). They are compared without it, and named.
    """
    older = [_without_the_stand_in(folders[name], tmp_path / name)
             for name in ("fifo", "social_priority")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        both = compare(older, workers=1)
    said = [text for text in _messages(caught) if "written by an earlier gridqueue" in text]
    assert len(said) == 2 and all("lack wait_to_end_years, so it is compared without it"
                                  in text for text in said)
    assert both.differences_figure() is not None  # the stand-in is looked up only if there
    assert both.sentences()


def test_a_sweep_cell_kept_by_an_earlier_version_is_run_again(tmp_path):
    """A kept cell that lacks a key figure of this version is not taken as finished."""
    from sim.analysis.sweep_cells import FIGURES_VERSION, read_cell
    from sim.runs.metrics import METRICS

    rows = pd.DataFrame({"replication": [0, 0], "group": ["all", "all"],
                         "metric": ["applicants", "wait_rmst_10y_years"], "value": [3.0, 4.0]})
    rows.to_csv(tmp_path / "c.csv", index=False)
    # this version's cell, but lacking key figures: the figures, not the version, refuse it
    (tmp_path / "c.json").write_text(f'{{"cell_sha256": "abc", "figures": {FIGURES_VERSION}}}',
                                     encoding="utf-8")
    assert read_cell(tmp_path, "c", "abc") is None
    (tmp_path / "c.json").write_text('{"cell_sha256": "abc"}', encoding="utf-8")

    every = pd.DataFrame({"replication": 0, "group": "all", "metric": list(METRICS),
                          "value": 1.0})
    every.to_csv(tmp_path / "c.csv", index=False)
    # Every figure, but counted before job- and MW-years left out the years before the start.
    assert read_cell(tmp_path, "c", "abc") is None
    (tmp_path / "c.json").write_text(f'{{"cell_sha256": "abc", "figures": {FIGURES_VERSION}}}',
                                     encoding="utf-8")
    assert read_cell(tmp_path, "c", "abc") is not None  # this version's cell is taken


def test_a_sweep_cell_kept_before_mw_waiting_counted_the_rest_is_run_again(tmp_path):
    """A cell whose MW still waiting left out the rest of requests connected in part is not reused.

    Its figure would not compare with that of the cells run now (the rest of a request
    connected in part counts since), and its definition hash does not see the change.
    """
    from sim.analysis.sweep_cells import read_cell
    from sim.runs.metrics import METRICS

    every = pd.DataFrame({"replication": 0, "group": "all", "metric": list(METRICS),
                          "value": 1.0})
    every.to_csv(tmp_path / "c.csv", index=False)
    (tmp_path / "c.json").write_text('{"cell_sha256": "abc", "figures": 2}', encoding="utf-8")
    assert read_cell(tmp_path, "c", "abc") is None
