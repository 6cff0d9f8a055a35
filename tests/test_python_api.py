"""The public API as an analyst uses it from Python: wrong arguments and tables read back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import GridqueueError, Results, load_scenario, run
from tests.builders import project, scenario


def _small_run(**fields: object) -> Results:
    """Two replications of a year of shops and a named project, with a non-firm pool unused."""
    return run(scenario(
        replications=2, end="2026-01-01", grid={"capacity_mw": 2.0},
        streams={"shops": {"category": "other", "rate_per_year": 12,
                           "demand_mw": {"dist": "fixed", "value": 0.5}}},
        projects=[project("school", "2024-06-01", 0.4, "basic_needs")], **fields), workers=1)


@pytest.mark.parametrize("table", ["applicants", "timeseries", "projects", "summary",
                                   "replication_metrics"])
def test_a_results_folder_reads_back_with_the_dtypes_the_run_gave(tmp_path, table):
    """Categories came back as text, dates in microseconds or as text or floats.

    ``full_connect_date`` read back as text and an unused ``non_firm_date`` as floats, so
    date arithmetic on a read folder failed where it worked on the run's own tables.
    """
    results = _small_run()
    read = Results.read(results.write(tmp_path / "out"))
    pd.testing.assert_frame_equal(getattr(read, table), getattr(results, table))


def test_a_run_without_projects_gives_a_projects_table_of_numbers_and_dates(tmp_path):
    """With no named project the share and wait columns were objects, not floats."""
    results = run(scenario(replications=2), workers=1)
    for projects in (results.projects, Results.read(results.write(tmp_path / "out")).projects):
        assert projects.empty
        assert projects["replications"].dtype == "int64"
        assert projects["connected_share"].dtype == "float64"
        assert projects["wait_mean_years"].dtype == "float64"
        assert projects["connect_date_p50"].dtype == "datetime64[s]"


@pytest.mark.parametrize("arguments, expected", [
    ({"workers": "2"}, "workers: expected a whole number of at least 1, got '2'"),
    ({"workers": 1.5}, "workers: expected a whole number of at least 1, got 1.5"),
    ({"replications": 1}, "replications: expected a list of replication indices, such as "
     "[0], got 1; run's replications picks which of the scenario's replications run (all by "
     "default), where compare's and sweep's is a count: to run 1 replication, give the count "
     "to the scenario, load_scenario(path, {'replications': 1}), and run it without "
     "replications="),
    ({"replications": "01"}, "replications: expected a list of replication indices, such as "
     "[0], got '01'; run's replications picks which of the scenario's replications run (all "
     "by default), where compare's and sweep's is a count"),
    ({"replications": ["a"]}, "replication 'a': expected a replication from 0 to 1"),
    ({"replications": [True]}, "replication True: expected a replication from 0 to 1"),
    ({"replications": []}, "replications: expected at least one replication index, got none"),
])
def test_wrong_arguments_to_run_are_one_clear_error(arguments, expected):
    """A string, a float or a lone index was a TypeError deep inside; none a pandas error."""
    with pytest.raises(GridqueueError) as raised:
        run(scenario(replications=2), **arguments)
    assert str(raised.value) == expected


def test_the_count_run_suggests_runs_that_many_replications():
    """The way the refusal of ``replications=5`` gives is the documented one, and it works."""
    fifo = Path(__file__).resolve().parents[1] / "scenarios" / "flevoland" / "fifo.yaml"
    with pytest.raises(GridqueueError, match=r"load_scenario\(path, \{'replications': 3\}\)"):
        run(load_scenario(fifo), replications=3)
    results = run(load_scenario(fifo, {"replications": 3}), workers=1)
    assert sorted(results.replication_metrics["replication"].unique()) == [0, 1, 2]


def test_the_whole_public_api_is_listed_by_dir_before_any_is_used():
    """compare, sweep and calibrate load on first use, and dir() (tab completion) missed them."""
    code = ("import sys, sim; missing = sorted(set(sim.__all__) - set(dir(sim))); "
            "print(missing, 'matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[] False"  # all listed, and nothing loaded to list them


@pytest.mark.parametrize("given", ["scenarios/flevoland/fifo.yaml", {"name": "x"}])
def test_run_of_something_other_than_a_scenario_says_what_it_takes(given):
    """A file name or a mapping was an AttributeError about 'replications'."""
    with pytest.raises(GridqueueError, match="expected a Scenario .*load_scenario.*got"):
        run(given)  # type: ignore[arg-type]


@pytest.mark.parametrize("update, expected", [
    ({"replications": 0}, "replications: expected a number >= 1, got 0"),
    ({"grid": None}, "grid: expected a mapping"),
    ({"start": "2020-01-32"}, "start: expected"),
    ({"replication": 3}, "replication: unknown key (did you mean 'replications'?)"),
])
def test_a_scenario_edited_into_an_invalid_state_is_refused_before_it_runs(update, expected):
    """``model_copy(update=...)`` does not validate: the run failed inside a replication.

    Zero replications was a pandas error about concatenating nothing, a missing grid an
    AttributeError in replication 0, and a misspelt key was silently ignored.
    """
    edited = scenario(replications=2).model_copy(update=update)
    with pytest.raises(GridqueueError) as raised:
        run(edited, workers=1)
    assert expected in str(raised.value)


FIFO = Path(__file__).parents[1] / "scenarios" / "flevoland" / "fifo.yaml"


@pytest.mark.parametrize("path, overrides, expected", [
    (3, None, "expected the path of a scenario file, got int 3"),
    (FIFO, "replications=2", "overrides: expected a list of key.path=value strings or a mapping "
                             "of key paths to values, got str 'replications=2'"),
    (FIFO, [3], "overrides: expected key.path=value strings, got int 3"),
    (FIFO, {3: 4}, "overrides: expected key paths as text, e.g. 'grid.capacity_mw', got int 3"),
])
def test_wrong_arguments_to_load_scenario_are_one_clear_error(path, overrides, expected):
    """A number for a path or among the overrides was a TypeError or an AttributeError.

    A bare string of overrides was taken one letter at a time: '--set r: expected ...'.
    """
    from sim import load_scenario

    with pytest.raises(GridqueueError) as raised:
        load_scenario(path, overrides)
    assert str(raised.value) == expected


@pytest.mark.parametrize("vary, options, expected", [
    (["grid.capacity_mw"], {}, "vary: expected a mapping of key paths to lists of values, "
                               "e.g. {'grid.capacity_mw': [4, 8]}, got list"),
    ({3: [4, 8]}, {}, "vary: expected key paths as text, e.g. 'grid.capacity_mw', got int 3"),
    ({"grid.capacity_mw": [4, 8]}, {"workers": 0},
     "workers: expected a whole number of at least 1, got 0"),
    ({"grid.capacity_mw": [4, 8]}, {"reuse_cells": True},
     "reuse_cells=True: expected cells_dir, the folder whose stored cells to take; without it "
     "every cell runs"),
    ({"grid.capacity_mw": [4, 8]}, {"overrides": "replications=2"},
     "overrides: expected a list of key.path=value strings or a mapping of key paths to "
     "values, got str 'replications=2'"),
    ({"grid.capacity_mw": [4, 8]}, {"overrides": ["grid.capacity_mw=3"]},
     "vary['grid.capacity_mw'] and override grid.capacity_mw=3 both set grid.capacity_mw; "
     "give one"),
    ({"grid.upgrades.0.date": ["2031-01-01"]}, {"overrides": {"grid.upgrades": []}},
     "vary['grid.upgrades.0.date'] and override grid.upgrades=[] both set "
     "grid.upgrades.0.date; give one"),
    ({"grid.capacity_mw": [4, 8]}, {"overrides": {"replications": 3}},
     "replications=2 and override replications=3 both set replications; give one"),
])
def test_wrong_arguments_to_sweep_are_one_clear_error(vary, options, expected):
    """A list for the grid or a number for a key path was an AttributeError.

    workers=0 ran on every core where run refuses it; a string of overrides was read one
    letter at a time; reuse_cells without a cells_dir ran every cell, reusing nothing. An
    override of a key that vary or replications also sets lost to it without a word, where
    the command line refuses it.
    """
    from sim import sweep

    with pytest.raises(GridqueueError) as raised:
        sweep(FIFO, vary, replications=2, **options)
    assert str(raised.value).startswith(expected)


@pytest.mark.parametrize("overrides, expected", [
    ("replications=2", "overrides: expected a list of key.path=value strings or a mapping of "
                       "key paths to values, got str 'replications=2'"),
    ([3], "overrides: expected key.path=value strings, got int 3"),
    ({3: 4}, "overrides: expected key paths as text, e.g. 'grid.capacity_mw', got int 3"),
])
def test_wrong_overrides_to_compare_are_one_clear_error(overrides, expected):
    """A number among the overrides was an AttributeError; a string was read letter by letter.

    compare reads targets (``2:key=value``) before load_scenario sees the changes, so it checks
    their type itself, as load_scenario and sweep do.
    """
    from sim import compare

    with pytest.raises(GridqueueError) as raised:
        compare([FIFO, FIFO.parent / "social_priority.yaml"], overrides=overrides,
                replications=2, workers=1)
    assert str(raised.value) == expected


def test_overrides_given_as_a_generator_are_refused_not_dropped():
    """A generator of changes was used up by the check of its items, then read as no change.

    load_scenario(path, (f"grid.capacity_mw={mw}" for mw in [20])) loaded the file as it is,
    and compare ran both scenarios unchanged, without a word; a list is asked for instead.
    """
    from sim import compare

    expected = ("overrides: expected a list of key.path=value strings or a mapping of key "
                "paths to values, got generator")
    with pytest.raises(GridqueueError, match=expected):
        load_scenario(FIFO, (text for text in ["grid.capacity_mw=20"]))
    with pytest.raises(GridqueueError, match=expected):
        compare([FIFO, FIFO.parent / "social_priority.yaml"],
                overrides=(text for text in ["grid.capacity_mw=20"]), replications=2,
                workers=1)
    assert load_scenario(FIFO, ("grid.capacity_mw=20",)).grid.capacity_mw == 20  # a tuple is one


@pytest.mark.parametrize("overrides, expected", [
    (["replications=3"], "replications=2 and override replications=3 both set replications; "
                         "give one"),
    (["2:replications=3"], "replications=2 and override 2:replications=3 both set "
                           "replications; give one"),
    ({"replications": 3}, "replications=2 and override replications=3 both set replications; "
                          "give one"),
])
def test_replications_given_twice_to_compare_are_refused(overrides, expected):
    """An override of the replications beside the argument lost to it without a word.

    The command line refuses --set replications=3 beside --replications 2.
    """
    from sim import compare

    sp = FIFO.with_name("social_priority.yaml")
    with pytest.raises(GridqueueError) as raised:
        compare([FIFO, sp], overrides, replications=2)
    assert str(raised.value) == expected


@pytest.mark.parametrize("inputs, expected", [
    (FIFO, "inputs: expected a list of scenario files, results directories, Scenario or "
           "Results objects, got PosixPath"),
    ([3, 4], "inputs: expected scenario files, results directories, Scenario or Results "
             "objects, got int 3"),
])
def test_wrong_inputs_to_compare_are_one_clear_error(inputs, expected):
    """One path was read one letter at a time; a number was a TypeError from pathlib.

    The message for a path was '/: expected a results directory with run.json'.
    """
    from sim import compare

    with pytest.raises(GridqueueError) as raised:
        compare(inputs, replications=2)
    assert str(raised.value).startswith(expected)


BASE = FIFO.parent / "base.yaml"
RATE = "arrivals.rate_scale"


def _calibrate(*fits: tuple[str, float, float], **options: object) -> None:
    from sim import FitParameter, calibrate

    calibrate(BASE, [FitParameter(*fit) for fit in fits], workers=1, **options)


def _sweep(vary: dict[str, list[object]], **options: object) -> None:
    from sim import sweep

    sweep(FIFO, vary, workers=1, **options)


def _compare(**options: object) -> None:
    from sim import compare

    compare([FIFO, FIFO.parent / "social_priority.yaml"], workers=1, **options)


QUESTIONS = FIFO.parent / "questions.yaml"
NAMED_AS_GIVEN = [
    (lambda: _calibrate((RATE, 0.5, 2), population=1),
     "population=1 with 1 parameter: the search runs at least 5 candidates a generation, more "
     "than that asks for, so a smaller population changes nothing; give population=5 or more",
     ["calibrate", str(BASE), "--fit", f"{RATE}=0.5:2", "--population", "1"],
     "--population 1 with 1 parameter: the search runs at least 5 candidates a generation, "
     "more than that asks for, so a smaller population changes nothing; give --population 5 "
     "or more"),
    (lambda: _calibrate((RATE, 0.5, 2), iterations=1001),
     "iterations=1001: expected a whole number from 1 to 1000",
     ["calibrate", str(BASE), "--fit", f"{RATE}=0.5:2", "--iterations", "1001"],
     "--iterations 1001: expected a whole number from 1 to 1000"),
    (lambda: _calibrate((RATE, 0.5, 2), replications=1),
     "replications=1: expected at least 2 replications per candidate",
     ["calibrate", str(BASE), "--fit", f"{RATE}=0.5:2", "--replications", "1"],
     "--replications 1: expected at least 2 replications per candidate"),
    (lambda: _calibrate(("arrivals.rate_scal", 0.5, 2)),
     "FitParameter('arrivals.rate_scal', 0.5, 2): unknown parameter (did you mean "
     "'arrivals.rate_scale'?)",
     ["calibrate", str(BASE), "--fit", "arrivals.rate_scal=0.5:2"],
     "--fit arrivals.rate_scal: unknown parameter (did you mean 'arrivals.rate_scale'?)"),
    (lambda: _calibrate((RATE, -1, 2)),
     f"FitParameter('{RATE}', -1, 2): -1 (its low end) gives streams.storage.rate_per_year: "
     "expected a number >= 0.0",
     ["calibrate", str(BASE), "--fit", f"{RATE}=-1:2"],
     f"--fit {RATE}=-1:2: -1 (its low end) gives streams.storage.rate_per_year: expected a "
     "number >= 0.0"),
    (lambda: _sweep({"grid.capacity_mw": [4, 8]}, replications=1),
     "sweep needs at least 2 replications of each cell for a 95% interval, got 1; run the "
     "sweep with replications=2 or more",
     ["sweep", str(FIFO), "--vary", "grid.capacity_mw=4,8", "--replications", "1"],
     "sweep needs at least 2 replications of each cell for a 95% interval, got 1; run the "
     "sweep with --replications 2 or more"),
    (lambda: _sweep({"replications": [2, 3]}),
     "vary['replications']: replications: expected a key other than replications: it sets how "
     "precisely each cell is measured, not what the cell runs, and a cell's difference from "
     "the first could count only the replications both ran; give every cell the same number "
     "with replications=N",
     ["sweep", str(FIFO), "--vary", "replications=2,3"],
     "--vary replications: replications: expected a key other than replications: it sets how "
     "precisely each cell is measured, not what the cell runs, and a cell's difference from "
     "the first could count only the replications both ran; give every cell the same number "
     "with --replications N"),
    (lambda: _compare(reference="fifo", questions=QUESTIONS),
     "reference and questions: expected one or the other",
     ["compare", str(FIFO), "--reference", "fifo", "--questions", str(QUESTIONS)],
     "--reference and --questions: expected one or the other"),
    (lambda: _compare(replications=2, reference="nowhere"),
     "reference='nowhere': expected a scenario name or input path; the scenarios are fifo, "
     "social_priority",
     ["compare", str(FIFO), str(FIFO.parent / "social_priority.yaml"), "--replications", "2",
      "--reference", "nowhere"],
     "--reference nowhere: expected a scenario name or input path; the scenarios are fifo, "
     "social_priority"),
    (lambda: _calibrate((RATE, 0.5, 2), overrides={"grid.capacity_mw": "abc"}),
     "override grid.capacity_mw=abc: grid.capacity_mw: expected a number, got 'abc'",
     ["calibrate", str(BASE), "--set", "grid.capacity_mw=abc", "--fit", f"{RATE}=0.5:2"],
     "--set grid.capacity_mw=abc: grid.capacity_mw: expected a number, got 'abc'"),
    (lambda: _sweep({"grid.capacity_mw": [4, 8]}, overrides={"end": "abc"}),
     "override end=abc: end: expected an ISO date",
     ["sweep", str(FIFO), "--set", "end=abc", "--vary", "grid.capacity_mw=4,8"],
     "--set end=abc: end: expected an ISO date"),
    (lambda: _compare(overrides={"grid.capacity_mw": "abc"}),
     "override grid.capacity_mw=abc: grid.capacity_mw: expected a number, got 'abc'",
     ["compare", str(FIFO), str(FIFO.parent / "social_priority.yaml"), "--set",
      "grid.capacity_mw=abc"],
     "--set grid.capacity_mw=abc: grid.capacity_mw: expected a number, got 'abc'"),
]
"""Each wrong argument: the Python call, what its message says, the command, what it says."""


@pytest.mark.parametrize(("call", "said", "command", "typed"), NAMED_AS_GIVEN,
                         ids=[row[2][0] + ":" + row[2][-1] for row in NAMED_AS_GIVEN])
def test_a_wrong_argument_is_named_as_the_caller_gave_it(call, said, command, typed, tmp_path,
                                                         capsys):
    """From Python the keyword (``replications=1``), from the command line the option.

    Python callers were told of ``--replications``, ``--vary``, ``--fit`` and ``--reference``,
    options they never typed.
    """
    from sim.cli import main

    with pytest.raises(GridqueueError) as raised:
        call()
    assert said in str(raised.value)
    assert "--" not in str(raised.value)
    assert main([*command, "--workers", "1", "-q", "-o", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err.splitlines()[-1]
    assert error.startswith("gridqueue: error: ") and typed in error


@pytest.mark.parametrize("overrides", [["grid.capacity_mw=abc"], {"grid.capacity_mw": "abc"}],
                         ids=["text", "mapping"])
@pytest.mark.parametrize("call", [
    lambda overrides: _calibrate((RATE, 0.5, 2), overrides=overrides),
    lambda overrides: _sweep({"grid.upgrades.0.add_mw": [4, 8]}, overrides=overrides),
    lambda overrides: _compare(overrides=overrides)], ids=["calibrate", "sweep", "compare"])
def test_a_bad_override_is_named_as_load_scenario_names_it(call, overrides):
    """Text as ``--set`` takes it is ``--set key=value``, a mapping's ``override key=value``.

    calibrate named ``--set`` text ``override`` (it passed the changes on as a mapping), and
    sweep read a mapping's keys as ``--set`` text: 'expected key.path=value'.
    """
    from sim import load_scenario

    with pytest.raises(GridqueueError) as loaded:
        load_scenario(FIFO, overrides)
    with pytest.raises(GridqueueError) as raised:
        call(overrides)
    assert str(raised.value) == str(loaded.value)


@pytest.mark.parametrize("value, shown", [(0, "0"), (-1, "-1"), (2.5, "2.5"), ("3", "'3'"),
                                          (True, "True")])
@pytest.mark.parametrize("call", [_compare, lambda **options: _sweep(
    {"grid.capacity_mw": [4, 8]}, **options), lambda **options: _calibrate(
    (RATE, 0.5, 2), **options)], ids=["compare", "sweep", "calibrate"])
def test_a_wrong_count_of_replications_is_named_as_the_keyword(call, value, shown):
    """From Python the keyword, whichever function is given it, whatever is wrong with it.

    The command line refuses it as it parses; Python was told of ``--set replications=0``
    (sweep, compare), an option nobody typed there, and compare's text was a TypeError.
    """
    with pytest.raises(GridqueueError) as raised:
        call(replications=value)
    assert str(raised.value) == f"replications={shown}: expected a whole number of at least 1"


def test_a_numpy_count_of_replications_is_taken_as_a_whole_number():
    """A count read from an array is a whole number too, as a worker count would be."""
    import numpy as np

    from sim.runs.runner import check_replication_count

    assert check_replication_count(np.int64(3)) == 3
    assert type(check_replication_count(np.int64(3))) is int
    assert check_replication_count(None) is None


def test_arguments_are_named_as_options_only_within_the_command():
    """The switch the command line sets ends with it, whatever happens inside."""
    from sim.errors import argument, arguments_as_options, given_as

    assert (argument("replications", 2), argument("reference")) == ("replications=2",
                                                                     "reference")
    with pytest.raises(KeyError), arguments_as_options():
        assert argument("only_replication", 3) == "--only-replication 3"
        assert given_as("--vary k", "vary['k']") == "--vary k"
        raise KeyError
    assert argument("reference", "fifo") == "reference='fifo'"


def _no_option(message: str) -> str:
    """The message, after checking it names no command-line option."""
    assert "--" not in message, message
    return message


def test_writing_over_an_output_names_force_as_the_keyword(tmp_path):
    """Results.write told a Python caller to pass --force, an option nobody typed there."""
    from sim.errors import arguments_as_options
    from sim.runs.staging import write_file

    results = _small_run()
    results.write(tmp_path / "out")
    with pytest.raises(GridqueueError) as raised:
        results.write(tmp_path / "out")
    assert _no_option(str(raised.value)).endswith(
        "already exists; choose another output directory or pass force=True to replace it")
    with pytest.raises(GridqueueError) as raised, arguments_as_options():
        results.write(tmp_path / "out")
    assert str(raised.value).endswith("or pass --force to replace it")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(GridqueueError) as raised:
        results.write(tmp_path / "mine", force=True)
    assert "so force=True will not replace it" in _no_option(str(raised.value))
    (tmp_path / "file.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(GridqueueError) as raised:
        write_file(tmp_path / "file.txt", "text", force=True, is_ours="gridqueue")
    assert "so force=True will not replace it" in _no_option(str(raised.value))


def test_an_unfinished_output_names_resume_and_force_as_the_keywords(tmp_path):
    """sweep_to_directory and an interrupted one told Python callers of --resume and --force."""
    from sim.analysis.sweeps import sweep_to_directory
    from sim.errors import arguments_as_options
    from sim.runs.staging import interrupted, resumable_directory

    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt), resumable_directory(out, what="sweep") as staging:
        (staging / "cells").mkdir()
        raise KeyboardInterrupt
    stopped = interrupted(out, "sweep", lambda _: "0 finished cell(s)", False)
    assert _no_option(str(stopped)).endswith("call it again with resume=True to continue")
    with arguments_as_options():
        assert str(interrupted(out, "sweep", lambda _: "0 finished cell(s)", False)).endswith(
            "run the same command with --resume to continue")
    with pytest.raises(GridqueueError) as raised:
        sweep_to_directory(out, FIFO, {"grid.capacity_mw": [4, 8]}, workers=1)
    assert _no_option(str(raised.value)).endswith(
        "pass resume=True to continue it or force=True to start again")
    with pytest.raises(KeyboardInterrupt), \
            resumable_directory(tmp_path / "calibrated", what="calibration") as staging:
        (staging / "evaluations.csv").write_text("candidate\n", encoding="utf-8")
        raise KeyboardInterrupt
    with pytest.raises(GridqueueError) as raised:
        sweep_to_directory(tmp_path / "calibrated", FIFO, {"grid.capacity_mw": [4, 8]},
                           resume=True, workers=1)
    assert "not a sweep's; pass force=True to discard it" in _no_option(str(raised.value))


def test_a_failed_replication_says_how_to_run_it_again_from_python():
    """ReplicationError told a Python caller of --seed and --only-replication: sim.run's way."""
    import pickle

    from sim.errors import ReplicationError, arguments_as_options

    error = ReplicationError(3, 42, "ValueError: boom")
    assert _no_option(str(error)) == (
        "replication 3 (seed 42) failed: ValueError: boom; re-run it alone with "
        "sim.run(scenario, replications=[3]) for the scenario of seed 42")
    with arguments_as_options():
        assert str(pickle.loads(pickle.dumps(error))) == (
            "replication 3 (seed 42) failed: ValueError: boom; re-run it alone with --seed 42 "
            "--only-replication 3")


def test_a_change_for_an_input_compare_lacks_is_named_as_an_override(tmp_path, capsys):
    """A targeted change compare could not place was named --set from Python."""
    from sim.cli import main

    with pytest.raises(GridqueueError) as raised:
        _compare(overrides=["5:grid.capacity_mw=8"], replications=2)
    assert _no_option(str(raised.value)).startswith(
        "override 5:grid.capacity_mw=8: the target '5' names no input; expected a position "
        "from 1 to 2")
    assert main(["compare", str(FIFO), str(FIFO.parent / "social_priority.yaml"), "--set",
                 "5:grid.capacity_mw=8", "-o", str(tmp_path / "out")]) == 2
    assert "gridqueue: error: --set 5:grid.capacity_mw=8: the target '5' names no input" in \
        capsys.readouterr().err


def test_more_workers_than_cores_are_warned_of_once_and_change_nothing(monkeypatch):
    """--workers 64 on two cores started 64 processes, each with a model, and said nothing."""
    from sim.errors import GridqueueWarning
    from sim.runs import runner

    monkeypatch.setattr(runner, "default_workers", lambda: 1)
    runner._warn_more_workers_than_cores.cache_clear()
    two = scenario(replications=2)
    with pytest.warns(GridqueueWarning) as warned:
        first = run(two, workers=3, progress=False)
        run(scenario(replications=3), workers=3, progress=False)  # more processes: said once
    assert [str(w.message) for w in warned] == [
        "3 worker processes asked for on 1 core: the run is no faster than with 1 and each "
        "worker needs memory of its own (results are the same whatever the number)"]
    alone = run(two, workers=1, progress=False)
    pd.testing.assert_frame_equal(first.summary, alone.summary)


@pytest.mark.parametrize("name", ["load_scenario", "run", "compare", "sweep", "calibrate"])
def test_help_of_each_entry_point_says_what_it_returns(name):
    """Each of them has a Returns section, as help(sim.run) had.

    help(sim.compare), help(sim.sweep) and help(sim.calibrate) said what they did, not what
    came back.
    """
    import inspect

    import sim

    doc = inspect.getdoc(getattr(sim, name)) or ""
    returned = doc.split("\nReturns:\n", 1)[1] if "\nReturns:\n" in doc else ""
    assert returned.strip(), f"help(sim.{name}) has no Returns section"
