"""Calibration recovers known parameters, says what the data cannot pin down, and loses nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import ema_workbench as ema
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.text import Text

from sim import InputError, load_scenario
from sim.analysis import calibration, calibration_result, candidates
from sim.analysis.calibration import FitParameter, calibrate, calibrate_to_directory, parse_fit
from sim.analysis.exploration import ema_function, key_figures
from sim.analysis.parameters import load_with_parameters
from sim.cli import main
from sim.errors import GridqueueError, GridqueueWarning, Interrupted
from sim.runs.observed import COUNTING_VERSION, few_for_a_band, observed_values
from sim.runs.replication import run_replication
from tests.processes import ctrl_c_as_in_a_terminal

# What the fit finds and what a stopped calibration keeps are checked here, not what its figure
# shows: in this process figures are laid out and written empty (tests/undrawn.py).
pytestmark = pytest.mark.undrawn

SMALL = {"iterations": 2, "population": 3, "workers": 1}
"""A search just large enough to find the fit of two parameters of the tiny world."""
FIT = [FitParameter("arrivals.rate_scale", 0.5, 2.0),
       FitParameter("withdrawal.hazard_scale", 0.25, 4.0)]


def _world(observations: list[dict]) -> dict:
    """Three years of one sector, no room until an upgrade: the queue grows, some withdraw."""
    return {
        "start": "2024-01-01", "end": "2027-01-01", "seed": 5, "replications": 3,
        "grid": {"capacity_mw": 0,
                 "upgrades": [{"name": "release", "date": "2026-01-01", "add_mw": 20}]},
        "streams": {"firms": {"category": "other", "rate_per_year": 60,
                              "demand_mw": {"dist": "lognormal", "mean": 0.5, "sigma": 0.8},
                              "patience_years": {"dist": "exponential", "mean": 4}}},
        "observations": observations,
    }


OBSERVED = [
    {"date": "2024-12-31", "quantity": "requests_received", "since": "2024-01-01"},
    {"date": "2025-06-30", "quantity": "applicants_waiting"},
    {"date": "2025-12-31", "quantity": "applicants_waiting"},
    {"date": "2026-06-30", "quantity": "connections_made", "since": "2026-01-01"},
]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The tiny world with observations simulated at known parameters (scale 1, seed 99)."""
    folder = tmp_path_factory.mktemp("published")
    draft = folder / "draft.yaml"
    unmeasured = [{**o, "value": 1, "source": "simulated"} for o in OBSERVED]
    draft.write_text(yaml.safe_dump(_world(unmeasured)), encoding="utf-8")
    truth = load_scenario(draft, {"seed": 99})
    values = np.mean([observed_values(truth.observations, run_replication(truth, r).applicants)
                      for r in range(6)], axis=0)
    observations = [{**o, "value": float(v), "uncertainty": 0.05, "source": "simulated at "
                     "rate and hazard scale 1"} for o, v in zip(OBSERVED, values, strict=True)]
    path = folder / "world.yaml"
    path.write_text(yaml.safe_dump(_world(observations)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def written(published, tmp_path_factory) -> tuple[calibration.Calibration, Path]:
    """The calibration of both parameters to the four simulated observations, and its folder.

    What ``gridqueue calibrate`` does: the tests that read its result or its files share it.
    """
    folder = tmp_path_factory.mktemp("calibrated") / "out"
    return calibrate_to_directory(folder, published, FIT, **SMALL), folder


@pytest.fixture(scope="module")
def fitted(written) -> calibration.Calibration:
    """The calibration of both parameters to the four simulated observations."""
    return written[0]


HAZARD = FIT[1:]
RESUMED = {"replications": 2, "iterations": 1, "population": 5, "workers": 1}
"""A search of the withdrawal hazard alone, for the tests of what a stopped calibration keeps
and of a calibration on a cluster.

Not pinned down, it runs calibrated.yaml's own replications after the search too.
"""


@pytest.fixture(scope="module")
def whole(published, tmp_path_factory) -> calibration.Calibration:
    """The hazard alone calibrated without a stop: what a resumed or a cluster's must equal."""
    result = calibrate_to_directory(tmp_path_factory.mktemp("whole") / "out", published,
                                    HAZARD, **RESUMED)
    assert result.calibrated_observations is not None  # calibrated.yaml's checks run too
    return result


def test_calibration_recovers_known_parameters_within_their_uncertainty(fitted):
    """Observations simulated at scale 1 give back 1 inside each plausible interval."""
    fit = fitted
    for row in fit.estimates.to_dict("records"):
        assert row["low"] <= 1.0 <= row["high"], row
    rate = fit.estimates.set_index("parameter").loc["arrivals.rate_scale"]
    assert rate["pinned_down"]
    assert rate["high"] - rate["low"] < 0.5
    assert (fit.observations["agreement"] == "agrees").all()


@pytest.fixture(scope="module")
def one_figure(published, tmp_path_factory) -> tuple[calibration.Calibration, Path]:
    """Both parameters calibrated to one of the four figures (one.yaml), and the folder written.

    One figure cannot pin two parameters down: the tests of what is said and written then
    share this calibration.
    """
    folder = tmp_path_factory.mktemp("one_figure")
    world = yaml.safe_load(published.read_text(encoding="utf-8"))
    world["observations"] = world["observations"][2:3]
    path = folder / "one.yaml"
    path.write_text(yaml.safe_dump(world), encoding="utf-8")
    return calibrate_to_directory(folder / "out", path, FIT, **SMALL), folder / "out"


def test_one_count_cannot_pin_down_two_parameters(one_figure):
    """With one published figure, the statement says plainly what the data cannot fix."""
    fit = one_figure[0]
    words = "\n".join(fit.statements())
    assert "cannot pin it down" in words
    assert "More parameters (2) than published figures (1)" in words
    assert not fit.estimates["pinned_down"].all()


def test_a_parameter_the_data_cannot_pin_down_is_not_written(one_figure):
    """calibrated.yaml keeps the scenario's own value of a parameter the data cannot pin down.

    Its best value is arbitrary (values across most of its range fit about as well), yet it
    used to be written into calibrated.yaml as if fitted.
    """
    result, out = one_figure
    rows = result.estimates.set_index("parameter")
    loose = [key for key in rows.index
             if rows.loc[key, "has_effect"] and not rows.loc[key, "pinned_down"]]
    assert "withdrawal.hazard_scale" in loose
    assert result.best["withdrawal.hazard_scale"] != 1.0  # a value it could have written
    calibrated = load_scenario(out / "calibrated.yaml")
    firms = calibrated.streams["firms"]
    assert firms.patience_years.mean == 4
    if "arrivals.rate_scale" in loose:
        assert firms.rate_per_year == 60
    else:
        assert firms.rate_per_year == pytest.approx(60 * result.best["arrivals.rate_scale"],
                                                    rel=1e-5)
    text = (out / "calibrated.yaml").read_text(encoding="utf-8")
    assert ("# withdrawal.hazard_scale: not pinned down by these observations, kept at "
            "one.yaml's value 1.") in text
    assert "gridqueue calibrate: withdrawal.hazard_scale" not in text
    words = (out / "calibration.txt").read_text(encoding="utf-8")
    assert ("withdrawal.hazard_scale: not pinned down, kept at one.yaml's value 1 in "
            "calibrated.yaml.") in words
    # The fit told is the best candidate's, and said to be; calibrated.yaml's own is run.
    # It used to say "At the fitted values ..." of the best candidate alone, as if of the
    # scenario written.
    assert "At the fitted values" not in words
    best = result.best
    kept = [key for key in best if key in loose]
    own_value = "one.yaml's value 1"
    assert (f"The best candidate (arrivals.rate_scale {best['arrivals.rate_scale']:.3g}, "
            f"withdrawal.hazard_scale {best['withdrawal.hazard_scale']:.3g}) fits as follows; "
            f"calibrated.yaml keeps {' and '.join(kept)} at "
            f"{' and '.join([own_value] * len(kept))}, so its own fit differs") in words
    own = calibrated.model_copy(update={"replications": result.scenario.replications})
    simulated = np.vstack([observed_values(own.observations, run_replication(own, r).applicants)
                           for r in range(own.replications)])
    table = result.calibrated_observations
    assert table is not None
    assert table["simulated_mean"].tolist() == pytest.approx(simulated.mean(axis=0).tolist())
    loss = result.run_info["calibrated_loss"]
    assert loss == pytest.approx(table["loss_term"].sum())
    assert "calibrated.yaml (" in words and f"loss {loss:.2f}, " in words
    csv = pd.read_csv(out / "observations.csv")
    assert csv["fit"].tolist() == ["best candidate", "calibrated.yaml"]


def test_a_calibration_prints_as_its_estimates_and_where_its_tables_are(fitted):
    """print(calibration) dumped the scenario and every DataFrame whole, as a sweep's once did.

    It now reads as the first lines of calibration.txt (what was fitted to what, and each
    estimate) and names the tables.
    """
    text = repr(fitted)
    assert text == str(fitted)
    lines = text.splitlines()
    assert lines[0] == fitted.statements()[0]
    assert lines[1].startswith("arrivals.rate_scale = ")
    assert lines[-1] == ("tables: .estimates (each estimate with its plausible interval), "
                         ".evaluations (every candidate), .observations (the fit beside the "
                         "published figures); in words: .statements()")
    assert len(text) < 1500 and "DataFrame" not in text and "Scenario(" not in text


def test_a_calibration_from_python_writes_what_the_command_writes(written, tmp_path):
    """A calibration from Python writes the folder the command writes, calibrated.yaml too.

    Its result could write calibrated.yaml only into a folder that already existed, through
    a step of the command's own (write_summary). ``Calibration.write`` writes it, as a
    sweep's ``write`` does, and refuses to replace it without ``force``.
    """
    result, folder = written
    out = tmp_path / "out"  # as deep as the command's: the same path to the scenario
    assert result.write(out) == out
    for name in ("calibrated.yaml", "calibration.csv", "calibration.txt", "observations.csv",
                 "evaluations.csv"):
        assert (out / name).read_text(encoding="utf-8") == \
            (folder / name).read_text(encoding="utf-8"), name
    with pytest.raises(GridqueueError, match="force"):
        result.write(out)
    assert result.write(out, force=True) == out


def test_calibration_txt_says_how_well_the_best_candidate_fits(written):
    """The best loss, the threshold of 'plausible' and each figure's part, which sum to it.

    calibration.txt used to say nothing of the quality of the fit.
    """
    result, folder = written
    words = (folder / "calibration.txt").read_text(encoding="utf-8")
    info = result.run_info
    assert (f"Best loss {info['best_loss']:.2f} (minus twice the log-likelihood); a candidate "
            f"within {info['plausible_threshold']:.2f} of it is plausible (95%, 2 "
            "parameters).") in words
    table = result.observations
    assert table["loss_term"].sum() == pytest.approx(info["best_loss"], rel=1e-9)
    for row in table.to_dict("records"):
        assert (f"  {row['label']}: {row['loss_term']:.2f} ({row['misfit_sd']:+.2f} sd; "
                f"{row['agreement']})") in words
    written_table = pd.read_csv(folder / "observations.csv")
    assert {"loss_term", "misfit_sd"} <= set(written_table.columns)


def test_calibration_png_gives_the_caution_calibration_txt_gives_of_few_replications(fitted):
    """A band of 3 replications is too rough to judge agreement by: the figure says so too.

    calibration.txt said it and calibration.png, which shows the same bands, did not.
    """
    caution = few_for_a_band(fitted.observations).strip()
    assert caution.startswith("A band rests on only 3 replications")
    assert caution in "\n".join(fitted.statements())
    texts = (text.get_text() for text in fitted.figure().findobj(Text))
    assert caution in [" ".join(text.split()) for text in texts]


def test_a_bound_the_simulation_keeps_reads_as_within_it_not_as_a_perfect_hit(fitted):
    """A one-sided bound kept costs nothing: its line says so, with the mean and the bound.

    It used to read "0.00 (+0.00 sd; agrees)", as if the simulation hit the figure.
    """
    first, *others = fitted.scenario.observations
    bounded = fitted.scenario.model_copy(update={"observations": [
        first.model_copy(update={"bound": "upper"}), *others]})
    table = fitted.observations.copy()
    table.loc[0, ["simulated_mean", "observed", "misfit_sd", "loss_term"]] = [0.096, 0.2, 0, 0]
    result = dataclasses.replace(fitted, scenario=bounded, observations=table,
                                 calibrated_observations=None)
    words = "\n".join(result.statements())
    assert (f"  {table.loc[0, 'label']}: 0.00 (within the bound: 0.096, at most 0.2; "
            f"{table.loc[0, 'agreement']})") in words
    assert "+0.00 sd" not in words
    table.loc[0, ["simulated_mean", "observed"]] = [1492.4, 1500]  # no '1.5e+03'
    words = "\n".join(dataclasses.replace(result, observations=table).statements())
    assert "(within the bound: 1,490, at most 1,500; " in words


def test_a_fit_where_no_parameter_has_an_effect_does_not_count_one(fitted):
    """Where every parameter has no effect, the fit's line does not count one that has.

    The threshold takes one degree of freedom even then; the line said '1 parameter with an
    effect' beside statements that every parameter has none.
    """
    estimates = fitted.estimates.assign(has_effect=False)
    words = "\n".join(dataclasses.replace(fitted, estimates=estimates)._fit_lines())
    assert "is plausible (95%, no parameter with an effect, counted as 1)." in words
    assert "1 parameter" not in words


def test_a_parameter_without_effect_is_no_unknown_beyond_the_figures(fitted):
    """Two parameters, one figure, one of them acting on nothing: one unknown, one figure.

    The statement said 'More parameters (2) than published figures (1): they cannot all be
    pinned down' beside one that the data pin down and one said to have no effect.
    """
    one = fitted.scenario.model_copy(update={"observations": fitted.scenario.observations[:1]})
    both = dataclasses.replace(fitted, scenario=one, observations=fitted.observations.iloc[:1],
                               calibrated_observations=None)
    assert "More parameters (2) than published figures (1)" in "\n".join(both.statements())
    idle = fitted.estimates.assign(has_effect=[True, False])
    words = "\n".join(dataclasses.replace(both, estimates=idle).statements())
    assert "More parameters" not in words
    three = pd.concat([fitted.estimates, fitted.estimates.iloc[:1].assign(
        parameter="streams.firms.rate_per_year", has_effect=False)], ignore_index=True)
    words = "\n".join(dataclasses.replace(both, estimates=three).statements())
    assert "More parameters with an effect (2) than published figures (1)" in words


def test_calibrated_scenario_extends_the_original_with_the_fitted_values(written):
    """calibrated.yaml loads from the output folder and holds the fitted rate and patience.

    The patience only when the data pin the hazard down; else it keeps the scenario's own.
    """
    result, folder = written
    calibrated = load_scenario(folder / "calibrated.yaml")
    firms = calibrated.streams["firms"]
    assert firms.rate_per_year == pytest.approx(60 * result.best["arrivals.rate_scale"],
                                                rel=1e-5)
    assert firms.patience_years.mean == pytest.approx(
        4 / result.written().get("withdrawal.hazard_scale", 1.0), rel=1e-5)
    text = (folder / "calibrated.yaml").read_text(encoding="utf-8")
    assert "gridqueue calibrate: arrivals.rate_scale" in text
    for name in ("calibration.csv", "calibration.png", "observations.csv", "evaluations.csv",
                 "calibration.txt", "run.json"):
        assert (folder / name).is_file(), name


def test_an_interrupted_calibration_resumes_to_the_same_result(published, whole, tmp_path,
                                                               monkeypatch):
    """Ctrl-C keeps every finished evaluation; --resume reuses them and ends as a whole run."""
    calls = {"n": 0}
    real = candidates.CandidateTask.__call__

    def interrupted(self, index):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 24:
            raise KeyboardInterrupt
        return real(self, index)

    monkeypatch.setattr(candidates.CandidateTask, "__call__", interrupted)
    with pytest.raises(Interrupted, match="call it again with resume=True"):
        calibrate_to_directory(tmp_path / "out", published, HAZARD, **RESUMED)
    kept = pd.read_csv(tmp_path / ".out.partial" / "evaluations.csv")
    assert len(kept) >= 10
    calls["n"] = -10**9
    resumed = calibrate_to_directory(tmp_path / "out", published, HAZARD, resume=True, **RESUMED)
    assert resumed.best == whole.best
    pd.testing.assert_frame_equal(resumed.estimates, whole.estimates)
    # Only the evaluations not kept ran again (2 replications each), and the final checks.
    assert calls["n"] == (-10**9 + RESUMED["replications"] * (len(whole.evaluations) - len(kept))
                          + _final(whole))


def test_resume_of_a_finished_calibration_says_there_is_nothing_to_resume(written, published):
    """It said the output 'already exists', as though the calibration there were not seen."""
    folder = written[1]
    with pytest.raises(GridqueueError) as refused:
        calibrate_to_directory(folder, published, FIT, resume=True, **SMALL)
    assert str(refused.value) == (
        f"{folder}: holds a finished calibration (calibration.txt, calibration.csv) and no "
        "unfinished one, so there is nothing to resume; to run the calibration there again, "
        "pass force=True instead of resume=True, or choose another output directory")
    # a bad input is told as such first: it was told there was nothing to resume
    with pytest.raises(GridqueueError) as bad:
        calibrate_to_directory(folder, published, FIT, overrides=["grid.capacity_mw=-1"],
                               resume=True, **SMALL)
    assert "grid.capacity_mw" in str(bad.value) and "nothing to resume" not in str(bad.value)
    # so is a bad --fit: a misspelt parameter, a range refused, none at all
    for fit, said in (([FitParameter("arrivals.rate_scal", 0.5, 2.0)], "unknown parameter"),
                      ([FitParameter("grid.capacity_mw", -5.0, -1.0)], "grid.capacity_mw"),
                      ([], "name at least one parameter")):
        with pytest.raises(GridqueueError) as bad:
            calibrate_to_directory(folder, published, fit, resume=True,
                                   **{**SMALL, "population": 5})
        assert said in str(bad.value) and "nothing to resume" not in str(bad.value), bad.value


def _final(result: calibration.Calibration) -> int:
    """The replications run after the search: the best candidate's and calibrated.yaml's.

    As many as each candidate's; calibrated.yaml's only when it holds other values than the
    best candidate.
    """
    return result.scenario.replications * (1 + (result.calibrated_observations is not None))


def _counting_candidates(monkeypatch) -> dict[str, int]:
    """Count the replications of candidates run from now on."""
    calls = {"n": 0}
    real = candidates.CandidateTask.__call__

    def counted(self, index):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return real(self, index)

    monkeypatch.setattr(candidates.CandidateTask, "__call__", counted)
    return calls


@pytest.mark.parametrize("stop", ["ctrl_c", "full_disk"])
def test_a_calibration_stopped_while_writing_its_output_resumes(published, whole, tmp_path,
                                                                monkeypatch, stop):
    """Cut short in its final write, the evaluations still resume: none of them runs again."""
    real_to_csv = pd.DataFrame.to_csv

    def cut_short(self, path=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        if path is not None and "evaluations.csv" in Path(path).name:
            with open(path, "w", encoding="utf-8") as handle:  # half a file, then no room
                handle.write(real_to_csv(self, None, *args, **kwargs)[:40])
            if stop == "ctrl_c":
                raise KeyboardInterrupt
            raise OSError(28, "No space left on device")
        return real_to_csv(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", cut_short)
    with pytest.raises(GridqueueError) as stopped:
        calibrate_to_directory(tmp_path / "out", published, HAZARD, **RESUMED)
    kept = tmp_path / ".out.partial"
    assert str(stopped.value).endswith(
        f"finished parts are kept in {kept} for resume=True" if stop == "full_disk" else
        f"kept in {kept}; call it again with resume=True to continue"), stopped.value
    monkeypatch.setattr(pd.DataFrame, "to_csv", real_to_csv)
    assert not (tmp_path / "out").exists()
    calls = _counting_candidates(monkeypatch)
    resumed = calibrate_to_directory(tmp_path / "out", published, HAZARD, resume=True, **RESUMED)
    assert resumed.best == whole.best
    pd.testing.assert_frame_equal(resumed.estimates, whole.estimates)
    assert calls["n"] == _final(whole)  # the final checks alone: every evaluation was kept
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".e")) == []


def test_the_finished_evaluations_resume_when_the_move_into_place_is_cut_short(
        published, whole, tmp_path, monkeypatch):
    """Ctrl-C after every file is written, before the output is moved: --resume reuses all."""
    real = calibration_result.Calibration.write_summary

    def written_then_stopped(self, folder):  # type: ignore[no-untyped-def]
        real(self, folder)
        raise KeyboardInterrupt

    monkeypatch.setattr(calibration_result.Calibration, "write_summary", written_then_stopped)
    with pytest.raises(Interrupted, match="call it again with resume=True"):
        calibrate_to_directory(tmp_path / "out", published, HAZARD, **RESUMED)
    monkeypatch.setattr(calibration_result.Calibration, "write_summary", real)
    calls = _counting_candidates(monkeypatch)
    resumed = calibrate_to_directory(tmp_path / "out", published, HAZARD, resume=True, **RESUMED)
    assert resumed.best == whole.best
    assert calls["n"] == _final(whole)
    final = pd.read_csv(tmp_path / "out" / "evaluations.csv")
    assert list(final.columns) == [*(p.key for p in HAZARD), "loss", "scenario_sha256",
                                   "counting_version", "plausible"]


def test_ctrl_c_says_what_the_calibration_kept_on_disk(published, tmp_path, monkeypatch,
                                                      capsys):
    """Ctrl-C's message says what is on disk: the kept folder and --resume, or nothing kept.

    Stopped in its final write, the staging folder is kept; stopped before any evaluation
    finished, it is gone.
    """
    real = calibration_result.Calibration.write_summary

    def written_then_stopped(self, folder):  # type: ignore[no-untyped-def]
        real(self, folder)
        raise KeyboardInterrupt

    monkeypatch.setattr(calibration_result.Calibration, "write_summary", written_then_stopped)
    command = ["calibrate", str(published), "--fit", "arrivals.rate_scale=0.5:2",
               "--replications", "2", "--iterations", "1", "--population", "5",
               "--workers", "1", "-q", "-o"]
    code = main([*command, str(tmp_path / "out")])
    err = capsys.readouterr().err
    partial = tmp_path / ".out.partial"
    count = len(pd.read_csv(partial / "evaluations.csv"))
    assert code == 130
    assert err.splitlines() == [f"gridqueue: error: calibration interrupted: {count} "
                                f"evaluation(s) kept in {partial}; run the same command with "
                                "--resume to continue"]
    assert count > 0 and not (tmp_path / "out").exists()

    def stopped(self, index):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(candidates.CandidateTask, "__call__", stopped)
    code = main([*command, str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert code == 130
    assert err.splitlines() == ["gridqueue: error: calibration interrupted before any part of "
                                "it finished: nothing was kept, and earlier results are "
                                "untouched"]
    assert not (tmp_path / ".none.partial").exists()


def test_a_store_resume_cannot_read_is_refused_in_one_line(published, tmp_path, capsys):
    """An evaluations.csv without scenario hashes, or of other parameters: exit 2, one line."""
    partial = tmp_path / ".out.partial"
    partial.mkdir()
    command = ["calibrate", str(published), "--fit", "arrivals.rate_scale=0.5:2",
               "--iterations", "1", "--population", "5", "--workers", "1", "-q",
               "-o", str(tmp_path / "out"), "--resume"]
    for table, problem in (
            ("arrivals.rate_scale,loss,plausible\n1.0,3.5,True\n",
             "it has no scenario_sha256 column"),
            ("withdrawal.hazard_scale,loss,scenario_sha256\n1.0,3.5,abc\n",
             "it holds evaluations of withdrawal.hazard_scale, not of arrivals.rate_scale"),
            ("arrivals.rate_scale,loss,scenario_sha256\n\"1.0,3.5,abc\n",
             "it cannot be read as CSV")):
        # Kept by a gridqueue that listed no files: a changed table is not told by its hash.
        (partial / ".gridqueue-output").write_text('{"written_by": "gridqueue"}\n',
                                                   encoding="utf-8")
        (partial / "evaluations.csv").write_text(table, encoding="utf-8")
        code = main(command)
        err = capsys.readouterr().err
        assert code == 2, err
        assert len(err.splitlines()) == 1, err
        assert err.startswith(f"gridqueue: error: {partial / 'evaluations.csv'}: cannot be "
                              f"resumed from: {problem}"), err
        assert "pass --force without --resume" in err
        assert (partial / "evaluations.csv").read_text(encoding="utf-8") == table


def test_a_line_cut_short_by_a_killed_calibration_does_not_spoil_the_store(tmp_path):
    """The next evaluation starts a line of its own; the cut one alone is left out."""
    (tmp_path / "evaluations.csv").write_text(
        f"a,loss,scenario_sha256,counting_version\n0.5,2.5,x,{COUNTING_VERSION}\n0.7,3.",
        encoding="utf-8")
    candidates._append_store(tmp_path, {"a": 0.9, "loss": 1.5, "scenario_sha256": "y",
                                        "counting_version": COUNTING_VERSION})
    assert candidates._read_store(tmp_path, ["a"]) == {((0.5,), "x"): 2.5, ((0.9,), "y"): 1.5}


def test_resume_evaluates_again_what_was_counted_before_the_counting_changed(
        published, tmp_path, monkeypatch):
    """A kept loss whose observations were counted otherwise is run again, and said so.

    Kept before evaluations.csv had counting_version (before MW waiting counted the rest of
    a request connected in part), a loss would have mixed silently with the new ones; one
    kept with this counting is reused.
    """
    calls = _counting_candidates(monkeypatch)
    base = load_scenario(published)
    evaluator = candidates.CandidateEvaluator(published, [], ["arrivals.rate_scale"], base, 1,
                                              None, None)
    sha256 = candidates._candidate_hash(evaluator.scenario([1.0]))
    store = tmp_path / ".out.partial"
    store.mkdir()
    (store / "evaluations.csv").write_text(
        f"arrivals.rate_scale,loss,scenario_sha256\n1.0,-99.0,{sha256}\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"evaluations.csv: 1 kept evaluation counted the "
                      r"observations otherwise \(MW waiting counts the rest of a request "
                      r"connected in part, not the whole request\): not reused"):
        stale = candidates.CandidateEvaluator(published, [], ["arrivals.rate_scale"], base, 1,
                                              None, store)
    assert stale.loss(np.array([1.0])) != -99.0
    assert calls["n"] == base.replications
    kept = pd.read_csv(store / "evaluations.csv")
    assert kept["counting_version"].tolist()[-1] == COUNTING_VERSION
    again = candidates.CandidateEvaluator(published, [], ["arrivals.rate_scale"], base, 1,
                                          None, store)
    assert again.loss(np.array([1.0])) == stale.loss(np.array([1.0]))
    assert calls["n"] == base.replications  # reused: nothing ran


def test_parse_fit_and_unknown_parameters_say_what_was_expected(published):
    """A malformed --fit or an unknown spanning parameter is one clear message."""
    assert parse_fit("arrivals.rate_scale=0.5:2") == FitParameter("arrivals.rate_scale", 0.5, 2)
    for bad in ("arrivals.rate_scale", "arrivals.rate_scale=2:1", "x=a:b", "=1:2"):
        with pytest.raises(GridqueueError, match="expected key=low:high"):
            parse_fit(bad)
    with pytest.raises(GridqueueError, match="did you mean 'arrivals.rate_scale'"):
        calibrate(published, [FitParameter("arrivals.rate_scal", 0.5, 2)],
                  **{**SMALL, "population": 5})


def test_calibrate_command_writes_the_output_and_refuses_bad_input(published, tmp_path, capsys):
    """The calibrate command writes its output; bad input exits 2 with one line."""
    out = tmp_path / "cal"
    code = main(["calibrate", str(published), "--fit", "arrivals.rate_scale=0.5:2",
                 "--replications", "2", "--iterations", "1", "--population", "5",
                 "--workers", "1", "-q", "-o", str(out)])
    assert code == 0
    assert (out / "calibrated.yaml").is_file()
    capsys.readouterr()
    code = main(["calibrate", str(published), "--fit", "arrivals.rate_scale=2:1",
                 "-o", str(tmp_path / "bad")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and "expected key=low:high" in err
    assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize(("option", "value", "most"), [("--population", "1000000000", 1000),
                                                       ("--iterations", "1001", 1000)])
def test_a_search_far_beyond_any_real_case_is_refused_before_any_run(published, tmp_path,
                                                                     capsys, option, value,
                                                                     most, monkeypatch):
    """A huge --population or --iterations is one line, exit 2, not a MemoryError or no end."""
    def search(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the search started")

    monkeypatch.setattr(calibration.optimize, "differential_evolution", search)
    code = main(["calibrate", str(published), "--fit", "arrivals.rate_scale=0.5:2", option,
                 value, "--workers", "1", "-q", "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [f"gridqueue: error: {option} {value}: expected a whole number "
                                f"from 1 to {most} (more is far beyond any real calibration)"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("fit", "said"), [
    ("arrivals.rate_scale=-1:2", "--fit arrivals.rate_scale=-1:2: -1 (its low end) gives "
     "streams.firms.rate_per_year: expected a number >= 0.0, got -60.0; give a range in which "
     "every value is allowed"),
    ("replications=1:5", "--fit replications=1:5: 2.52786 (a value inside it) gives "
     "replications: expected a whole number, got 2.5278640450004204; the search tries any "
     "number between the ends, so fit a key that takes fractions")])
def test_a_fit_range_the_scenario_refuses_is_named_as_the_user_gave_it(published, tmp_path,
                                                                       capsys, monkeypatch,
                                                                       fit, said):
    """The message names the --fit option and range given, not an override never typed."""
    def search(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the search started")

    monkeypatch.setattr(calibration.optimize, "differential_evolution", search)
    code = main(["calibrate", str(published), "--fit", fit, "--workers", "1", "-q", "-o",
                 str(tmp_path / "out")])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [f"gridqueue: error: {said}"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("fit", "said"), [
    ("priority_uptake.safety=0.2:0.8", "0.2 (its low end) gives priority_uptake.safety: expected "
     "a category somebody is in: no stream, project or waiting-list row is ever in 'safety', "
     "so nobody would ask for priority by this share; leave it out"),
    ("priority_uptake.safety=0.5:1", "0.5 (its low end) gives priority_uptake.safety: expected "
     "a category somebody is in"),  # the default, 1, is let through: no range is
    ("streams.shops.rate_per_year=1:2", "1 (its low end) gives streams.shops.category: "
     "missing: this key is required")])
def test_a_key_no_range_could_fit_is_named_unfittable(published, tmp_path, capsys, monkeypatch,
                                                      fit, said):
    """A refusal that no other range avoids says so, not to give a range every value passes.

    Nobody is in safety, so its uptake does nothing at any value; a stream without a
    category is refused whatever its rate. Either way the key cannot be fitted here.
    """
    def search(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the search started")

    monkeypatch.setattr(calibration.optimize, "differential_evolution", search)
    code = main(["calibrate", str(published), "--set", "policy.order=social_priority",
                 "--fit", fit, "--workers", "1", "-q", "-o", str(tmp_path / "out")])
    assert code == 2
    [error] = capsys.readouterr().err.splitlines()
    assert error.startswith(f"gridqueue: error: --fit {fit}: this key cannot be fitted in this "
                            f"scenario, whatever the range: {said}")
    assert "every value is allowed" not in error
    assert list(tmp_path.iterdir()) == []


def test_a_fit_range_refused_for_another_key_at_one_end_asks_for_another_range(
        published, tmp_path, capsys, monkeypatch):
    """At a rate of 0 the only stream in safety draws nobody, so safety's share does nothing.

    That refusal holds at one end only, and of another key than the one fitted: a range
    above 0 passes, so the advice is the range's.
    """
    def search(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the search started")

    monkeypatch.setattr(calibration.optimize, "differential_evolution", search)
    code = main(["calibrate", str(published), "--set", "policy.order=social_priority", "--set",
                 "streams.firms.category=safety", "--set", "priority_uptake.safety=0.5",
                 "--fit", "arrivals.rate_scale=0:2", "--workers", "1", "-q", "-o",
                 str(tmp_path / "out")])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "gridqueue: error: --fit arrivals.rate_scale=0:2: 0 (its low end) gives "
        "priority_uptake.safety: expected a category somebody is in: nobody is ever in "
        "'safety': its only stream, 'firms', draws nobody (its rate_per_year is 0), and no "
        "project or waiting-list row is in it, so nobody would ask for priority by this share; "
        "leave it out; "
        "give a range in which every value is allowed"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("common", "chosen", "advice"), [
    ({}, {"arrivals.rate_scale": -0.5}, "arrivals.rate_scale=-0.5 is refused: give a range of "
     "arrivals.rate_scale in which every value is allowed"),
    ({}, {"arrivals.rate_scale": -0.5, "withdrawal.hazard_scale": 1.0}, "arrivals.rate_scale=-0.5 "
     "is refused on its own too: give a range of arrivals.rate_scale in which every value is "
     "allowed"),
    ({}, {"priority_uptake.safety": 0.5, "arrivals.rate_scale": 1.0}, "priority_uptake.safety "
     "cannot be fitted in this scenario, whatever the range"),
    ({"streams.firms.category": "safety"}, {"arrivals.rate_scale": 0.0,
                                            "priority_uptake.safety": 0.5},
     "arrivals.rate_scale=0 and priority_uptake.safety=0.5 are each allowed on its own, not "
     "together: narrow the range of one or more of arrivals.rate_scale, priority_uptake.safety "
     "so that no candidate combines such values (arrivals.rate_scale=0 is the low end of its "
     "range), or fit them in separate calibrations")])
def test_a_candidate_the_scenario_refuses_is_said_of_the_fit_with_what_to_do(published, common,
                                                                            chosen, advice):
    """A refused candidate names its values, not an override, and what would help.

    The hint used to be 'give --fit ranges in which every value is allowed' whatever the
    refusal: wrong for a key no range could fit (nobody is in safety, so its uptake acts at no
    value), and for values each allowed alone (a rate of 0 leaves the fitted uptake of the
    only stream's category nobody to act on).
    """
    base = load_scenario(published)
    evaluator = candidates.CandidateEvaluator(
        published, common, list(chosen), base, 1, None, None,
        candidates.DistinctWarnings({"arrivals.rate_scale": (0.0, 2.0)}))
    with pytest.raises(GridqueueError) as refused, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        evaluator.scenario(list(chosen.values()))
    assert str(refused.value).startswith(
        f"parameters: the candidate {', '.join(f'{k}={v:.6g}' for k, v in chosen.items())} "
        "gives ")
    assert str(refused.value).endswith(f"; {advice}")
    assert "give --fit ranges in which every value is allowed" not in str(refused.value)


def test_a_candidates_warning_before_a_comma_names_the_fit_range():
    """A candidate's value followed by a comma is said as the --fit range, not an override.

    'after override onsite_generation.share=0.0, nobody adopts...' named an override nobody
    gave. Every warning of the candidates names the --fit range instead (docs/calibration.md).
    """
    distinct = candidates.DistinctWarnings({"onsite_generation.share": (0.0, 0.8),
                                            "priority_uptake.safety": (0.1, 0.9)})
    said = ["x.yaml:12: onsite_generation.cover is set aside: after override "
            "onsite_generation.share=0.0, nobody adopts on-site generation, so it would do "
            "nothing",
            "priority_uptake.safety: after override priority_uptake.safety=0.4123: no policy "
            "serves priority"]
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        with distinct():
            for text in said:
                warnings.warn(text, GridqueueWarning, stacklevel=1)
    share = candidates.fit_given("onsite_generation.share", 0.0, 0.8)
    uptake = candidates.fit_given("priority_uptake.safety", 0.1, 0.9)
    assert [str(w.message) for w in shown] == [
        f"x.yaml:12: onsite_generation.cover is set aside: after {share} at its low end (0), "
        "nobody adopts on-site generation, so it would do nothing",
        f"priority_uptake.safety: after {uptake} at 0.4123: no policy serves priority"]


@pytest.mark.parametrize(("values", "named"), [
    ([0.0], " at its low end (0)"),
    ([2.0], " at its high end (2)"),
    ([0.0, 2.0], " at both ends (0 and 2)"),
    ([0.0, 0.764], " at its low end (0) and at 0.764"),
    ([0.0, 2.0, 0.764], ""),
])
def test_a_candidates_warning_names_the_ends_of_the_range_that_give_it(values, named):
    """A warning only the low end gives is said of that end, not of the whole --fit range.

    The range's three points are loaded together before any run: a warning given at some of
    them names those (an end by its name, another value as it is); one given at both ends and
    inside is said of the range.
    """
    distinct = candidates.DistinctWarnings({"arrivals.rate_scale": (0.0, 2.0)})
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        with distinct():
            for value in values:
                warnings.warn(f"x.yaml:3: a key is set aside: after override "
                              f"arrivals.rate_scale={value}, it would do nothing",
                              GridqueueWarning, stacklevel=1)
    given = candidates.fit_given("arrivals.rate_scale", 0.0, 2.0)
    assert [str(w.message) for w in shown] == [
        f"x.yaml:3: a key is set aside: after {given}{named}, it would do nothing"]


def test_a_warning_only_an_end_of_the_range_gives_names_that_end(published, tmp_path,
                                                                 monkeypatch):
    """A share fitted from 0: only its low end sets the scenario's cover aside.

    The warning named the whole range, as if every share searched left the cover doing
    nothing.
    """
    world = yaml.safe_load(published.read_text(encoding="utf-8"))
    world["onsite_generation"] = {"share": 0.3, "cover": 0.2}
    path = tmp_path / "onsite.yaml"
    path.write_text(yaml.safe_dump(world), encoding="utf-8")
    said = _warned_before_the_search(path, FitParameter("onsite_generation.share", 0.0, 0.8),
                                     monkeypatch)
    assert len(said) == 1, said
    assert said[0].endswith(
        ": onsite_generation.cover is set aside: after FitParameter('onsite_generation.share', "
        "0, 0.8) at its low end (0), nobody adopts on-site generation, so it would do nothing"), \
        said[0]


def test_a_warning_a_fitted_category_scale_gives_names_that_parameter(published, tmp_path,
                                                                      monkeypatch):
    """A category's rate scale at 0 leaves a priority uptake nobody: said of the --fit range.

    The warning said 'after override streams.shops.rate_per_year=0.0', a per-stream key the
    user never typed, with no word of the parameter or the end of its range that gave it.
    Both of the category's streams stopped by it are said as the parameter, once.
    """
    world = yaml.safe_load(published.read_text(encoding="utf-8"))
    world["policy"] = {"order": "social_priority"}
    world["priority_uptake"] = {"safety": 0.3}
    for name in ("shops", "depots"):
        world["streams"][name] = {**world["streams"]["firms"], "category": "safety",
                                  "rate_per_year": 10}
    path = tmp_path / "priority.yaml"
    path.write_text(yaml.safe_dump(world), encoding="utf-8")
    said = _warned_before_the_search(path, FitParameter("arrivals.safety.rate_scale", 0.0, 2.0),
                                     monkeypatch)
    assert len(said) == 1, said
    assert (": priority_uptake.safety is set aside: after FitParameter("
            "'arrivals.safety.rate_scale', 0, 2) at its low end (0), nobody is ever in "
            "'safety': its only streams, 'depots' and 'shops', draw nobody") in said[0], said[0]


def _search_refused(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise AssertionError("the search started")


def _warned_before_the_search(path: Path, parameter: FitParameter,
                              monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What calibrating ``path`` over ``parameter`` warns of before its search starts."""
    monkeypatch.setattr(calibration.optimize, "differential_evolution", _search_refused)
    with pytest.raises(AssertionError, match="the search started"), \
            warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        calibrate(path, [parameter], **{**SMALL, "population": 5})
    return [str(w.message) for w in shown if issubclass(w.category, GridqueueWarning)]


def test_values_refused_only_together_at_the_ends_are_refused_before_any_run(
        published, tmp_path, capsys, monkeypatch):
    """A rate of 0 with any uptake of the only stream's category: refused before the search.

    Alone, each range passes its own checks (the uptake then inherited, so set aside with a
    warning); the refusal together came from the scan after the search, minutes later.
    """
    monkeypatch.setattr(calibration.optimize, "differential_evolution", _search_refused)
    code = main(["calibrate", str(published), "--set", "streams.firms.category=safety",
                 "--fit", "arrivals.rate_scale=0:2", "--fit", "priority_uptake.safety=0.2:0.8",
                 "--workers", "1", "-q", "-o", str(tmp_path / "out")])
    error = capsys.readouterr().err.splitlines()[-1]
    assert code == 2
    assert error.startswith("gridqueue: error: --fit: the candidate arrivals.rate_scale=0, "
                            "priority_uptake.safety=0.2 gives priority_uptake.safety: expected "
                            "a category somebody is in")
    assert error.endswith(
        "; arrivals.rate_scale=0 and priority_uptake.safety=0.2 are each allowed on its own, "
        "not together: narrow the range of one or more of arrivals.rate_scale, "
        "priority_uptake.safety so that no candidate combines such values "
        "(arrivals.rate_scale=0 is the low end of its range; priority_uptake.safety=0.2 is the "
        "low end of its range), or fit them in separate calibrations")
    assert list(tmp_path.iterdir()) == []


def test_ranges_fine_at_every_corner_reach_the_search(published, tmp_path, monkeypatch):
    """The same keys with a rate above 0: no corner is refused, so the search starts."""
    monkeypatch.setattr(calibration.optimize, "differential_evolution", _search_refused)
    with pytest.raises(AssertionError, match="the search started"):
        calibrate(published, [FitParameter("arrivals.rate_scale", 0.5, 2),
                              FitParameter("priority_uptake.safety", 0.2, 0.8)],
                  ["streams.firms.category=safety"], **SMALL)


@pytest.mark.parametrize("count", range(1, 10))
def test_only_corners_of_the_ranges_are_loaded_before_any_run(count):
    """Every corner up to six ranges, beyond each pair of ends with the others at one end.

    Only corners: a refusal there is one the search may meet at the values the message
    names, so ranges fine at every corner are never refused before the search.
    """
    bounds = [(float(i), i + 0.5) for i in range(count)]
    corners = calibration._corners(bounds)
    ends = [[int(value != low) for value, (low, _) in zip(c, bounds, strict=True)]
            for c in corners]
    assert all(value in pair for c in corners for value, pair in zip(c, bounds, strict=True))
    assert len({tuple(e) for e in ends}) == len(ends) and ends[0] == [0] * count
    if count <= calibration.FULL_BOX:
        assert len(corners) == 2 ** count
        return
    assert len(corners) == 2 + 2 * count + count * (count - 1)
    for i, j in itertools.combinations(range(count), 2):
        for side, a, b in itertools.product((0, 1), repeat=3):
            wanted = [side] * count
            wanted[i], wanted[j] = a, b
            assert wanted in ends


def test_spanning_parameters_move_every_stream(published):
    """rate_scale multiplies every rate; hazard_scale divides exponential patience means."""
    scenario = load_with_parameters(published, {"arrivals.rate_scale": 1.5,
                                                "withdrawal.hazard_scale": 2.0,
                                                "arrivals.growth_per_year": 0.1})
    firms = scenario.streams["firms"]
    assert (firms.rate_per_year, firms.patience_years.mean, firms.growth_per_year) == (
        90, 2, 0.1)


def test_a_growth_for_every_stream_leaves_one_of_rate_0_alone(published):
    """A rate of 0 stays 0 whatever its growth, which is refused there: it stays without one."""
    idle = {"streams.idle": {"category": "other", "rate_per_year": 0, "demand_mw": 1}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scenario = load_with_parameters(published, {"arrivals.growth_per_year": 0.1}, idle)
    assert scenario.streams["firms"].growth_per_year == 0.1
    assert scenario.streams["idle"].growth_per_year == 0


def test_key_figures_is_a_plain_function_with_common_random_numbers(published):
    """Same parameters and seed, same figures; a higher arrival rate, more applicants."""
    first = key_figures(published, {"arrivals.rate_scale": 1.0}, seed=3)
    again = key_figures(published, {"arrivals.rate_scale": 1.0}, seed=3)
    assert pd.Series(first).equals(pd.Series(again))  # NaN (nobody in a group) equals NaN
    more = key_figures(published, {"arrivals.rate_scale": 1.5}, seed=3)
    assert more["all.applicants"] > first["all.applicants"]
    assert {"all.wait_mean_years", "observed.0", "other.withdrawn"} <= set(first)
    assert all(isinstance(v, float) for v in first.values())


def test_key_figures_count_the_applicants_of_a_waiting_list_csv():
    """One replication alone reads the list too: key_figures had left its applicants out."""
    import sim

    path = Path(__file__).parent / "bad_inputs" / "valid.yaml"
    figures = key_figures(path, {}, seed=11)
    listed = len(pd.read_csv(path.parent / "waiting_list.csv"))
    ran = sim.run(load_scenario(path), workers=1)
    assert figures["all.applicants"] == len(ran.applicants)
    assert (ran.applicants["source"] == "waiting_list").sum() == listed > 0


def test_a_misspelt_spanning_parameter_is_given_the_nearest_one(published):
    """As --set names the nearest key: not 'arrivals: unknown key' of the scenario."""
    for bad, meant in (("arrivals.rate_scal", "arrivals.rate_scale"),
                       ("arrivals.basic_need.rate_scale", "arrivals.basic_needs.rate_scale"),
                       ("withdrawl.hazard_scale", "withdrawal.hazard_scale")):
        with pytest.raises(InputError) as caught:
            key_figures(published, {bad: 1.2}, seed=3)
        assert str(caught.value).startswith(
            f"override {bad}=1.2: {bad}: unknown parameter (did you mean '{meant}'?); expected "
            "a scenario key or one of arrivals.rate_scale, "), caught.value
    with pytest.raises(InputError, match=r"grid\.capacity_mv: unknown key \(did you mean "
                       "'capacity_mw'"):
        key_figures(published, {"grid.capacity_mv": 1}, seed=3)


def test_a_tiny_ema_workbench_experiment_runs_the_model(published):
    """The EMA workbench samples parameters and replications and gets every outcome back."""
    model = ema.ReplicatorModel("tiny", function=ema_function(published))
    model.replications = [{"seed": seed} for seed in (1, 2)]
    model.uncertainties = [ema.RealParameter("arrivals.rate_scale", 0.5, 1.5)]
    model.outcomes = [ema.ScalarOutcome("all.applicants", function=np.mean),
                      ema.ScalarOutcome("observed.1", function=np.mean),
                      ema.ScalarOutcome("all.withdrawn_share", function=np.mean)]
    experiments, outcomes = ema.perform_experiments(model, scenarios=4)
    assert len(experiments) == 4
    order = np.argsort(experiments["arrivals.rate_scale"].to_numpy())
    assert np.all(np.diff(outcomes["all.applicants"][order]) > 0)
    # a share comes back from 0 to 1 (docs/calibration.md, section 3), not in percent
    assert np.all((outcomes["all.withdrawn_share"] >= 0) & (outcomes["all.withdrawn_share"] <= 1))


def test_calibration_on_a_dask_cluster_equals_the_local_one(published, whole):
    """The replications of each generation run on the cluster; the fit is the same."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        remote = calibrate(published, HAZARD, **{**RESUMED, "workers": None},
                           scheduler=cluster.scheduler_address)
    assert remote.best == whole.best
    pd.testing.assert_frame_equal(remote.evaluations, whole.evaluations)


def test_a_key_inside_a_list_and_set_overrides_reach_the_calibrated_scenario(published,
                                                                              tmp_path):
    """A fitted list entry is written as the whole list; --set changes are written too."""
    fit = [FitParameter("grid.upgrades.0.add_mw", 5.0, 40.0)]
    result = calibrate_to_directory(tmp_path / "out", published, fit,
                                    ["policy.allocation=first_fit"], replications=2,
                                    iterations=1, population=5, workers=1)
    written = load_scenario(tmp_path / "out" / "calibrated.yaml")
    assert written.grid.upgrades[0].add_mw == pytest.approx(
        result.best["grid.upgrades.0.add_mw"], rel=1e-5)
    assert written.grid.upgrades[0].name == "release"
    assert written.policy.allocation == "first_fit"
    assert written.replications == load_scenario(published).replications


def test_calibrated_yaml_says_what_the_fit_rested_on_and_how_to_repeat_it(published, tmp_path,
                                                                          monkeypatch):
    """calibrated.yaml's header says what the fit rested on, and a command that repeats it.

    The replications, seed, candidates, ranges and observations file of the fit; the command,
    run from its folder, gives the same evaluations. It used to say none of them, and the file
    runs the scenario's own replications, not the fit's.
    """
    world = yaml.safe_load(published.read_text(encoding="utf-8"))
    (tmp_path / "observed.yaml").write_text(yaml.safe_dump(
        {"observations": world.pop("observations")}), encoding="utf-8")
    (tmp_path / "world.yaml").write_text(yaml.safe_dump({**world, "observations": "observed.yaml"}),
                                         encoding="utf-8")
    out = tmp_path / "results" / "cal"
    assert main(["calibrate", str(tmp_path / "world.yaml"), "--set", "grid.upgrades.0.add_mw=15",
                 "--fit", "arrivals.rate_scale=0.5:2", "--replications", "2", "--iterations",
                 "1", "--population", "5", "--workers", "1", "-q", "-o", str(out)]) == 0
    text = (out / "calibrated.yaml").read_text(encoding="utf-8")
    comments = " ".join(line[2:] for line in text.splitlines() if line.startswith("# "))
    candidates = len(pd.read_csv(out / "evaluations.csv"))
    assert (f"The fit rested on 2 replications per candidate (seed 5) and {candidates} "
            "candidates, searching arrivals.rate_scale from 0.5 to 2, against the 4 published "
            "figures of observed.yaml. Run as a scenario, this file runs 3 replications, "
            "world.yaml's own.") in comments
    words = (out / "calibration.txt").read_text(encoding="utf-8").splitlines()[0]
    assert words == (f"Fitted 1 parameter(s) to 4 published figure(s) of world.yaml "
                     f"(observed.yaml), 2 replications per candidate (seed 5), {candidates} "
                     "candidates.")
    assert load_scenario(out / "calibrated.yaml").replications == 3
    lines = text.splitlines()
    command = lines[lines.index("# To repeat the fit, from this folder:") + 1]
    assert command == ("#   gridqueue calibrate ../../world.yaml --set grid.upgrades.0.add_mw=15 "
                       "--fit arrivals.rate_scale=0.5:2 --replications 2 --iterations 1 "
                       "--population 5")
    monkeypatch.chdir(out)
    again = tmp_path / "again"
    assert main([*command.split()[2:], "--workers", "1", "-q", "-o", str(again)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(again / "evaluations.csv"),
                                  pd.read_csv(out / "evaluations.csv"))


SLOW_WORLD = """\
start: 2024-01-01
end: 2025-01-01
seed: 3
replications: 2
grid: {capacity_mw: 2}
streams:
  industry: {category: other, rate_per_year: 10, demand_mw: 0.5}
policy: {order: 'slow_policy_of_a_calibration:Slow',
         params: {marker: started, seconds: 0.2, brake: brake}}
observations:
  - {date: 2024-12-31, quantity: requests_received, since: 2024-01-01, value: 10,
     uncertainty: 0.1, source: a test}
"""


def test_ctrl_c_keeps_the_evaluations_and_resume_finishes(tmp_path, monkeypatch, capsys):
    """A real Ctrl-C exits 130 naming what was kept; --resume then finishes the calibration.

    Each replication sleeps while the file ``brake`` exists, so that the Ctrl-C comes while
    evaluations remain; the resumed calibration runs without it, in this process (the policy
    module has a name of its own: other tests in this process may load broken_policies).
    """
    shutil.copy(Path(__file__).parent / "bad_inputs" / "broken_policies.py",
                tmp_path / "slow_policy_of_a_calibration.py")
    (tmp_path / "slow.yaml").write_text(SLOW_WORLD, encoding="utf-8")
    (tmp_path / "brake").touch()
    command = ["calibrate", "slow.yaml", "--fit", "arrivals.rate_scale=0.5:2",
               "--iterations", "1", "--population", "5", "--workers", "1", "-q", "-o", "out"]
    process = subprocess.Popen([sys.executable, "-m", "sim", *command], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, preexec_fn=ctrl_c_as_in_a_terminal)
    kept = tmp_path / ".out.partial" / "evaluations.csv"
    deadline = time.monotonic() + 60
    def stored_rows() -> int:
        return len(kept.read_text(encoding="utf-8").splitlines()) - 1 if kept.exists() else 0

    while stored_rows() < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("gridqueue: error: calibration interrupted: ")
    assert "run the same command with --resume to continue" in err
    stored = pd.read_csv(kept)
    assert len(stored) >= 3
    assert not (tmp_path / "out").exists()
    (tmp_path / "brake").unlink()
    monkeypatch.chdir(tmp_path)
    assert main([*command, "--resume"]) == 0, capsys.readouterr().err
    final = pd.read_csv(tmp_path / "out" / "evaluations.csv")
    pd.testing.assert_frame_equal(final.iloc[:len(stored)][stored.columns[:-1]],
                                  stored[stored.columns[:-1]])
    assert not (tmp_path / ".out.partial").exists()


def test_a_parameter_without_effect_is_said_so_and_left_as_it_was(published, tmp_path):
    """A fitted key that changes no observation is neither 'pinned down' nor written.

    The tiny world has no congestion_relief applicants, so scaling their arrivals acts on
    nothing: every value gives the same fit. Such a key used to be reported as an estimate,
    sometimes 'pinned down' (its plausible interval one point), and written into
    calibrated.yaml. Nor does it count as a degree of freedom of the plausible threshold: it
    made the threshold 5.99 (two parameters) instead of 3.84, widening the interval of the
    parameter that was fitted.
    """
    relief = FitParameter("arrivals.congestion_relief.rate_scale", 0.5, 2.0)
    result = calibrate_to_directory(tmp_path / "out", published, [relief, FIT[0]], **SMALL)
    rows = result.estimates.set_index("parameter")
    assert not rows.loc[relief.key, "has_effect"] and not rows.loc[relief.key, "pinned_down"]
    assert (rows.loc[relief.key, "low"], rows.loc[relief.key, "high"]) == (0.5, 2.0)
    assert rows.loc["arrivals.rate_scale", "has_effect"]
    assert set(result.best) == {"arrivals.rate_scale"}
    words = "\n".join(result.statements())
    assert (f"{relief.key} has no effect on these observations (every value searched, 0.5 to "
            "2, gives the same fit): left as in the scenario.") in words
    assert f"{relief.key} =" not in words
    assert result.run_info["plausible_threshold"] == pytest.approx(3.841, abs=1e-3)
    assert "a candidate within 3.84 of it is plausible (95%, 1 parameter with an effect)" \
        in words
    text = (tmp_path / "out" / "calibrated.yaml").read_text(encoding="utf-8")
    assert f"# {relief.key}: no effect on these observations" in text
    written = load_scenario(tmp_path / "out" / "calibrated.yaml")
    assert written.streams.keys() == load_scenario(published).streams.keys()


def test_a_warning_of_the_candidates_is_shown_once(published, tmp_path, capsys):
    """A fitted key that warns (uptake under fifo) is warned of once, named by its --fit range.

    Each candidate used to repeat it with its own value: 31 lines before the summary.
    """
    world = yaml.safe_load(published.read_text(encoding="utf-8"))
    world["streams"]["firms"]["category"] = "basic_needs"
    world["policy"] = {"order": "fifo"}
    path = tmp_path / "fifo.yaml"
    path.write_text(yaml.safe_dump(world), encoding="utf-8")
    assert main(["calibrate", str(path), "--fit", "priority_uptake.basic_needs=0:1",
                 "--replications", "2", "--iterations", "1", "--population", "5",
                 "--workers", "1", "-o", str(tmp_path / "out")]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warned == ["gridqueue: warning: --fit priority_uptake.basic_needs=0:1: "
                      "priority_uptake changes no wait: fifo does not serve priority, and no "
                      "rounds serve it between rounds; it sets only who asks (the "
                      "priority_requested column)"]


def test_an_uptake_of_a_category_nobody_is_in_is_refused_before_any_run(published, tmp_path):
    """The tiny world has no congestion_relief applicants: their uptake could act on nothing.

    It used to be fitted, and reported as having no effect, after the runs.
    """
    uptake = FitParameter("priority_uptake.congestion_relief", 0.0, 1.0)
    with pytest.raises(GridqueueError, match=r"priority_uptake.congestion_relief: expected a "
                       r"category somebody is in: no stream, project or waiting-list row is "
                       r"ever in 'congestion_relief'"):
        calibrate_to_directory(tmp_path / "out", published, [uptake, FIT[0]], **SMALL)


@pytest.mark.parametrize(("options", "said"), [
    (["--replications", "1"], "--replications 1: expected at least 2 replications per "
     "candidate: the loss weighs each figure by the spread of the replications, which one "
     "replication cannot give"),
    (["--set", "replications=1"], "{path}: replications 1: expected at least 2 replications "
     "per candidate: the loss weighs each figure by the spread of the replications, which one "
     "replication cannot give (give --replications N)")])
def test_one_replication_per_candidate_is_refused(published, tmp_path, capsys, monkeypatch,
                                                  options, said):
    """One replication has no spread: the loss took the simulation as exact.

    Its plausible intervals were then far too narrow (the figures' own uncertainty alone),
    and every figure's band of 90% of replications was one value.
    """
    def search(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the search started")

    monkeypatch.setattr(calibration.optimize, "differential_evolution", search)
    code = main(["calibrate", str(published), "--fit", "arrivals.rate_scale=0.5:2", *options,
                 "--workers", "1", "-q", "-o", str(tmp_path / "out")])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"gridqueue: error: {said.format(path=published)}"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("fits", "population", "least"), [(1, 4, 5), (2, 2, 3)])
def test_a_population_the_search_would_enlarge_is_refused(published, tmp_path, capsys,
                                                          monkeypatch, fits, population, least):
    """The search holds at least 5 candidates a generation: a smaller --population did nothing.

    --population 1 to 5 with one parameter ran the very same search, and the progress bar
    counted the candidates asked for, not those run.
    """
    def search(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the search started")

    monkeypatch.setattr(calibration.optimize, "differential_evolution", search)
    given = ["arrivals.rate_scale=0.5:2", "withdrawal.hazard_scale=0.25:4"][:fits]
    code = main(["calibrate", str(published), *[a for g in given for a in ("--fit", g)],
                 "--population", str(population), "--workers", "1", "-q",
                 "-o", str(tmp_path / "out")])
    assert code == 2
    parameters = "1 parameter" if fits == 1 else f"{fits} parameters"
    assert capsys.readouterr().err.splitlines() == [
        f"gridqueue: error: --population {population} with {parameters}: the search runs at "
        f"least 5 candidates a generation, more than that asks for, so a smaller population "
        f"changes nothing; give --population {least} or more"]
    assert list(tmp_path.iterdir()) == []


def test_a_figure_even_the_best_candidate_misses_far_is_named(fitted):
    """A figure more than 3 sd from the best candidate is said to be beyond the model's reach.

    calibration.txt used to call a parameter 'pinned down' by a figure no candidate came
    near (a share written as 20 for 20%, say) and leave the reader to spot its misfit of
    hundreds of standard deviations among the figures' parts of the loss.
    """
    table = fitted.observations.copy()
    table.loc[1, "misfit_sd"] = -450.5
    result = dataclasses.replace(fitted, observations=table, calibrated_observations=None)
    words = "\n".join(result.statements())
    assert (f"Even the best candidate misses {table.loc[1, 'label']} by -450.5 sd (beyond 3 sd: "
            "more than the simulation's spread and the figure's uncertainty explain): the "
            "estimates bend to a figure the model cannot reproduce in the range searched; "
            "check the figure (its value, unit and what it counts) or what the model leaves "
            "out before defending them.") in words
    assert words.count("Even the best candidate misses") == 1


def test_a_share_within_its_bound_reads_in_percent(fitted):
    """calibration.txt gives a share leaving within its bound in %, as the report does."""
    first, *others = fitted.scenario.observations
    share = first.model_copy(update={"quantity": "share_leaving", "bound": "upper",
                                     "since": dt.date(2024, 1, 1)})
    table = fitted.observations.copy()
    table.loc[0, ["quantity", "label"]] = ["share_leaving", share.label]
    table.loc[0, ["simulated_mean", "observed", "misfit_sd", "loss_term"]] = [0.096, 0.2, 0, 0]
    result = dataclasses.replace(fitted, scenario=fitted.scenario.model_copy(
        update={"observations": [share, *others]}), observations=table,
        calibrated_observations=None)
    assert (f"  {share.label}: 0.00 (within the bound: 10%, at most 20%; "
            f"{table.loc[0, 'agreement']})") in "\n".join(result.statements())


def test_a_hazard_scale_of_zero_is_refused_for_itself_not_for_the_streams(published):
    """A scale of 0 is refused as a scale; it used to say the stream 'has exponential'."""
    with pytest.raises(GridqueueError) as raised:
        load_with_parameters(published, {"withdrawal.hazard_scale": 0})
    assert str(raised.value) == "withdrawal.hazard_scale=0: expected a number above 0"


def test_candidates_are_run_with_the_waiting_list_csv(tmp_path, monkeypatch):
    """A candidate was run without the rows of the scenario's waiting-list CSV.

    Its replications then left out every applicant of the list, so the fit matched the
    observations with a scenario other than the one it was said to fit, and run of the
    calibrated scenario (which reads the list) disagreed with the fit.
    """
    bad_inputs = Path(__file__).parent / "bad_inputs"
    shutil.copy(bad_inputs / "waiting_list.csv", tmp_path)
    scenario = tmp_path / "s.yaml"
    scenario.write_text((bad_inputs / "valid.yaml").read_text(encoding="utf-8") + (
        "observations:\n  - {date: 2024-01-15, quantity: applicants_waiting, value: 5, "
        "source: test, uncertainty: 0.2}\n"), encoding="utf-8")
    tasks = []
    for module in (candidates, calibration):
        real = module.map_replications

        def recording(task, *args, _real=real, **kwargs):
            tasks.append(task)
            return _real(task, *args, **kwargs)

        monkeypatch.setattr(module, "map_replications", recording)
    monkeypatch.chdir(tmp_path)
    assert main(["calibrate", "s.yaml", "--fit", "grid.capacity_mw=0:2", "--replications", "2",
                 "--iterations", "1", "--population", "5", "--workers", "1", "-q",
                 "-o", "cal"]) == 0
    assert len(tasks) >= 2  # the candidates, and the scenario at the fit
    for task in tasks:
        assert all(rows is not None and len(rows) == 3 for rows in getattr(task, "rows", [None]))


def test_a_waiting_list_changed_during_a_calibration_is_not_stored(tmp_path, monkeypatch,
                                                                   capsys):
    """Each candidate is keyed by its scenario's hash, the list included, for --resume.

    One whose list was edited while it ran was stored under the earlier list's hash.
    """
    bad_inputs = Path(__file__).parent / "bad_inputs"
    listed = tmp_path / "waiting_list.csv"
    shutil.copy(bad_inputs / "waiting_list.csv", listed)
    (tmp_path / "s.yaml").write_text((bad_inputs / "valid.yaml").read_text(encoding="utf-8") + (
        "observations:\n  - {date: 2024-01-15, quantity: applicants_waiting, value: 5, "
        "source: test, uncertainty: 0.2}\n"), encoding="utf-8")
    real = candidates.map_replications

    def edited_while_running(*args, **kwargs):
        for done, row in enumerate(real(*args, **kwargs)):
            if done == 0:
                with open(listed, "a", encoding="utf-8") as file:
                    file.write("2023-05-01,other,0.3,garage,industry,4,false,0\n")
            yield row

    monkeypatch.setattr(candidates, "map_replications", edited_while_running)
    monkeypatch.chdir(tmp_path)
    assert main(["calibrate", "s.yaml", "--fit", "grid.capacity_mw=0:2", "--replications", "2",
                 "--iterations", "1", "--population", "5", "--workers", "1", "-q",
                 "-o", "cal"]) == 2
    err = capsys.readouterr().err
    assert "waiting_list.csv: expected the file to stay as it was" in err
    assert not (tmp_path / "cal").exists()
    assert not (tmp_path / ".cal.partial" / "evaluations.csv").exists()


ORDER_POLICY = """\
from sim import QueuePolicy


class Largest(QueuePolicy):
    def sort_key(self, applicant):
        return (-applicant.requested_mw,)
"""


def test_an_evaluation_kept_with_other_policy_code_is_run_again(published, tmp_path):
    """A kept loss is matched by its scenario and its policy code, as a kept sweep cell is.

    The resolved scenario names a ``module:Class`` policy, not its code: a calibration
    resumed after the module was edited took the earlier code's losses for the new one's.
    """
    world = yaml.safe_load(published.read_text(encoding="utf-8"))
    world["policy"] = {"order": "fit_policy:Largest"}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(world), encoding="utf-8")
    module = tmp_path / "fit_policy.py"
    module.write_text(ORDER_POLICY, encoding="utf-8")
    options = {"replications": 2, "iterations": 1, "population": 5, "workers": 1,
               "store": tmp_path / "kept"}
    first = calibrate(path, FIT[:1], **options)
    calibrate(path, FIT[:1], **options)  # the same code: every evaluation is reused
    stored = pd.read_csv(tmp_path / "kept" / candidates.EVALUATIONS)
    assert len(stored) == len(first.evaluations)
    module.write_text(ORDER_POLICY + "# edited\n", encoding="utf-8")
    calibrate(path, FIT[:1], **options)
    stored = pd.read_csv(tmp_path / "kept" / candidates.EVALUATIONS)
    assert len(stored) == 2 * len(first.evaluations)
    assert stored["scenario_sha256"].nunique() == len(stored)


def test_the_fit_header_counts_one_published_figure_in_the_singular():
    """'against the one published figure', not 'the 1 published figures'."""
    from sim.analysis.calibration_result import _published_figures

    assert _published_figures(1) == "the one published figure"
    assert _published_figures(4) == "the 4 published figures"


def test_a_stream_rate_set_and_then_scaled_says_both(fitted):
    """A rate given by --set and scaled by the fitted arrivals.rate_scale: its comment says so.

    It read 'as --set for the calibration' beside 60 times the fitted scale, not the 60 given.
    """
    assert "arrivals.rate_scale" in fitted.written()  # the fit pins the scale down
    given = dataclasses.replace(fitted, overrides={"streams.firms.rate_per_year": 60})
    scale = fitted.best["arrivals.rate_scale"]
    line = next(line for line in given.scenario_text(given.path.parent).splitlines()
                if line.strip().startswith("rate_per_year:"))
    assert line.split("#")[0].strip() == f"rate_per_year: {60 * scale:.6g}"
    assert (f"# gridqueue calibrate: --set 60 for the calibration, times arrivals.rate_scale "
            f"{scale:.3g}, plausible ") in line


def test_a_category_scale_names_only_the_streams_it_scales(published, tmp_path):
    """A stream of another category keeps its --set rate, and its comment says only that.

    It read 'times arrivals.other.rate_scale' beside the 30 given, which that scale leaves.
    """
    world = yaml.safe_load(published.read_text(encoding="utf-8"))
    world["streams"]["shops"] = {**world["streams"]["firms"], "category": "safety"}
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(world), encoding="utf-8")
    fit = calibrate(path, [FitParameter("arrivals.other.rate_scale", 0.5, 2.0)],
                    overrides={"streams.shops.rate_per_year": 30}, iterations=2, population=5,
                    workers=1)
    assert "arrivals.other.rate_scale" in fit.written()
    lines = fit.scenario_text(tmp_path).splitlines()
    shops = lines[next(i for i, line in enumerate(lines) if line.strip() == "shops:") + 1]
    assert shops.strip() == "rate_per_year: 30  # gridqueue calibrate: as --set for the calibration"


def test_a_store_of_an_earlier_gridqueue_with_no_whole_line_takes_new_lines(tmp_path):
    """A header without counting_version and one line cut short: the next line still reads.

    With no whole line left to count otherwise the store was not written again, so the next
    evaluation appended a field more than its header and the store could no longer be read.
    """
    (tmp_path / "evaluations.csv").write_text("a,loss,scenario_sha256\n0.7,3.",
                                              encoding="utf-8")
    assert candidates._read_store(tmp_path, ["a"]) == {}
    candidates._append_store(tmp_path, {"a": 0.9, "loss": 1.5, "scenario_sha256": "y",
                                        "counting_version": COUNTING_VERSION})
    assert candidates._read_store(tmp_path, ["a"]) == {((0.9,), "y"): 1.5}


def test_a_key_the_scenario_lacks_is_not_completed_by_the_fit(published, tmp_path, capsys,
                                                              monkeypatch):
    """A cover by --set and the share fitted: said why the fit cannot give the share, and how.

    Only ``share: missing`` was said, and a --set of the share too is refused as set twice.
    Then "give the share in a file that extends world.yaml" left the user to find what the
    file holds and what becomes of the --set: the message now gives the file's lines and the
    command, and what it gives runs.
    """
    assert main(["calibrate", str(published), "--fit", "onsite_generation.share=0.1:0.6",
                 "--set", "onsite_generation.cover=0.3", "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "gridqueue: error: --set onsite_generation.cover=0.3: onsite_generation.share: "
        "missing: this key is required (--fit onsite_generation.share=0.1:0.6 does not give "
        "it: a calibration starts from the scenario's own value of each key it fits, which "
        "calibrated.yaml keeps where the observations cannot pin the key down, and world.yaml "
        "has none; write a file beside world.yaml that reads 'extends: world.yaml' and "
        "'onsite_generation: {share: SHARE, cover: 0.3}', SHARE the value to keep (from 0.1 "
        "to 0.6), and calibrate that file with --fit onsite_generation.share=0.1:0.6, without "
        "--set onsite_generation.cover=0.3)"]
    assert not (tmp_path / "out").exists()
    # What it says to do: the file, then the command without the --set.
    (published.parent / "with_share.yaml").write_text(
        "extends: world.yaml\nonsite_generation: {share: 0.3, cover: 0.3}\n", encoding="utf-8")
    monkeypatch.setattr(calibration.optimize, "differential_evolution", _search_refused)
    with pytest.raises(AssertionError, match="the search started"):
        main(["calibrate", str(published.parent / "with_share.yaml"), "--fit",
              "onsite_generation.share=0.1:0.6", "--replications", "2", "--workers", "1",
              "-q", "-o", str(tmp_path / "out")])


def test_a_key_the_scenario_lacks_is_said_with_the_file_in_python(published):
    """From Python the message names the parameter and the overrides as they were given."""
    with pytest.raises(InputError) as refused:
        calibrate(published, [FitParameter("streams.firms.partial_offer.min_share", 0.2, 0.6)],
                  ["streams.firms.partial_offer.accept_share=0.5"], **{**SMALL, "population": 5})
    assert str(refused.value).endswith(
        "write a file beside world.yaml that reads 'extends: world.yaml' and 'streams: "
        "{firms: {partial_offer: {min_share: MIN_SHARE, accept_share: 0.5}}}', MIN_SHARE the "
        "value to keep (from 0.2 to 0.6), and calibrate that file with "
        "FitParameter('streams.firms.partial_offer.min_share', 0.2, 0.6), without --set "
        "streams.firms.partial_offer.accept_share=0.5)"), str(refused.value)


def test_an_option_refused_is_said_once_not_again_while_handling_it(published):
    """A --set that cannot be applied is refused as it is, not read again in its handling.

    Looking for a key only a --fit gives read the scenario with the options again, which
    refused them a second time: the error came twice, one raised while handling the other.
    """
    with pytest.raises(InputError, match="expected a mapping or list") as caught:
        calibration.calibrate(published, [calibration.FitParameter("arrivals.rate_scale",
                                                                    0.5, 1.5)],
                              overrides=["streams=3", "streams.x.rate_per_year=2"])
    assert caught.value.__context__ is None or caught.value.__suppress_context__


@pytest.mark.parametrize(("above", "text"), [
    (0.03, "0.03 above the best"),
    (0.0, "level with the best"),
    (1e-9, "level with the best"),  # rounding, not fit
    (-1e-12, "level with the best"),
    (0.00286, "0.003 above the best"),
    (-0.00286, "0.003 below the best (the values kept fit better than any candidate tried)"),
])
def test_the_kept_values_loss_is_said_above_or_below_the_best(above, text):
    """A file's value kept may fit better than every candidate: that read '-0.00 above'."""
    from sim.analysis.calibration_result import _from_best

    assert _from_best(above) == text
