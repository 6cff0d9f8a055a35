"""The result of a calibration: estimates, plain statements, and the calibrated scenario file."""

from __future__ import annotations

import json
import os
import shlex
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from matplotlib.figure import Figure

from sim.analysis.candidates import EVALUATIONS
from sim.analysis.parameters import SPANNING, load_with_parameters, stream_overrides
from sim.figures.files import write_figures
from sim.figures.numbers import significant
from sim.figures.observations import observations_figure
from sim.inputs.scenario import Scenario
from sim.runs.observed import agreement_count, format_observed, is_share
from sim.runs.staging import files_moved_in, staged_directory

__all__ = ["Calibration", "FitParameter"]


MISSED_SD = 3.0
"""Misfit, in standard deviations, beyond which a figure is said to be out of the model's reach
(a normal deviate beyond it has a chance of 0.3%)."""


@dataclass(frozen=True)
class FitParameter:
    """A parameter to estimate and the range searched."""

    key: str
    low: float
    high: float


@dataclass
class Calibration:
    """The result of a calibration.

    Attributes:
        path: the scenario file calibrated.
        overrides: the ``--set`` changes applied before calibrating (key path to value).
        parameters: what was estimated, with the ranges searched.
        best: the fitted value of each parameter that has an effect on the observations.
        scenario: the scenario at the fitted values (``best``).
        estimates: one row per parameter: ``parameter``, ``estimate``, ``low``, ``high`` (the
            plausible interval), ``search_low``, ``search_high``, ``pinned_down`` and
            ``has_effect`` (False: every value gave the same fit, so there is no estimate).
        evaluations: one row per candidate evaluated: its values, ``loss``, ``plausible``.
        observations: the observations beside the simulation at the fitted values (the best
            candidate), with each figure's ``loss_term`` and ``misfit_sd``.
        run_info: provenance (versions, seed, replications, loss threshold, wall time).
        calibrated_observations: the same for the scenario calibrated.yaml holds, when it
            keeps a fitted parameter at the scenario's own value (None: it holds the best
            candidate's values). Run with the same replications; its loss is
            ``run_info["calibrated_loss"]``.
    """

    path: Path
    overrides: dict[str, Any]
    parameters: list[FitParameter]
    best: dict[str, float]
    scenario: Scenario
    estimates: pd.DataFrame
    evaluations: pd.DataFrame
    observations: pd.DataFrame
    run_info: dict[str, Any]
    calibrated_observations: pd.DataFrame | None = None

    def __repr__(self) -> str:
        """What was fitted to what, each estimate, and where the tables are; not the tables.

        Printed whole, the scenario and every table would bury the estimates.
        """
        return "\n".join([*self._estimate_lines(),
                          "tables: .estimates (each estimate with its plausible interval), "
                          ".evaluations (every candidate), .observations (the fit beside the "
                          "published figures); in words: .statements()"])

    def statements(self) -> list[str]:
        """Plain words: each estimate, what the data can and cannot pin down, the fit."""
        count = len(self.scenario.observations)
        lines = self._estimate_lines()
        # A parameter without effect is no unknown of the fit: it is said so above.
        acting = int(self.estimates["has_effect"].astype(bool).sum())
        if acting > count:
            some = "" if acting == len(self.estimates) else " with an effect"
            lines.append(f"More parameters{some} ({acting}) than published figures "
                         f"({count}): they cannot all be pinned down.")
        if self.calibrated_observations is None:
            lines.append(f"At the fitted values, which calibrated.yaml holds, "
                         f"{agreement_count(self.observations)}")
            return lines + self._fit_lines()
        kept = [key for key in self.best if key not in self.written()]
        lines.append(f"The best candidate ({_values(self.best)}) fits as follows; "
                     f"calibrated.yaml keeps {' and '.join(kept)} at "
                     f"{' and '.join(self._kept(key) for key in kept)}, so its own fit "
                     "differs (given after it), and the values it sets were fitted with "
                     f"{_values({key: self.best[key] for key in kept})}.")
        lines.append(f"At the best candidate {agreement_count(self.observations)}")
        return lines + self._fit_lines() + self._calibrated_lines(kept)

    def _estimate_lines(self) -> list[str]:
        """What was fitted to what, then each estimate and what the data pin down of it."""
        count = len(self.scenario.observations)
        files = ", ".join(Path(file).name for file in self.run_info.get("observations_files", []))
        lines = [f"Fitted {len(self.parameters)} parameter(s) to {count} published "
                 f"figure(s) of {self.path.name}{f' ({files})' if files else ''}, "
                 f"{self.run_info['replications']} replications per candidate (seed "
                 f"{self.run_info['seed']}), {len(self.evaluations)} candidates."]
        for row in self.estimates.to_dict("records"):
            if not row["has_effect"]:
                lines.append(f"{row['parameter']} has no effect on these observations (every "
                             f"value searched, {row['search_low']:g} to {row['search_high']:g}, "
                             f"gives the same fit): left as in the scenario.")
                continue
            where = (f"{row['parameter']} = {row['estimate']:.3g} (plausible "
                     f"{row['low']:.3g} to {row['high']:.3g}, searched {row['search_low']:g} "
                     f"to {row['search_high']:g})")
            if row["pinned_down"]:
                lines.append(f"{where}: the data pin it down.")
            else:
                lines.append(f"{where}: the data cannot pin it down; values across most of "
                             "the range fit about as well.")
                lines.append(f"  {row['parameter']}: not pinned down, kept at "
                             f"{self._kept(row['parameter'])} in calibrated.yaml.")
            if row["pinned_down"] and (row["low"] <= row["search_low"]
                                       or row["high"] >= row["search_high"]):
                lines.append(f"  Its plausible values reach the edge of the search: widen "
                             f"the range of {row['parameter']}.")
        return lines

    def _fit_lines(self) -> list[str]:
        """How well the best candidate fits: its loss, the threshold, each figure's part."""
        info = self.run_info
        count = int(self.estimates["has_effect"].sum())
        counted = ("no parameter with an effect, counted as 1" if count == 0 else
                   f"{count} parameter{'s' if count > 1 else ''}"
                   + (" with an effect" if count < len(self.parameters) else ""))
        lines = [f"Best loss {info['best_loss']:.2f} (minus twice the log-likelihood); a "
                 f"candidate within {info['plausible_threshold']:.2f} of it is plausible "
                 f"({info['confidence']:.0%}, {counted})."]
        if "loss_term" not in self.observations:
            return lines
        lines.append("Each published figure's part of it, with how far the simulated mean is "
                     "from the figure in standard deviations (a part also holds the log of "
                     "its variance, so its size alone says little):")
        return lines + self._figure_lines(self.observations) + self._missed_lines()

    def _missed_lines(self) -> list[str]:
        """A figure the best candidate misses by more than :data:`MISSED_SD`, named plainly.

        Such a figure is beyond the model's reach in the range searched, yet it still pulls
        the estimates towards it: the reader is told before defending them.
        """
        return [f"Even the best candidate misses {row['label']} by {row['misfit_sd']:+.1f} sd "
                f"(beyond {MISSED_SD:g} sd: more than the simulation's spread and the figure's "
                "uncertainty explain): the estimates bend to a figure the model cannot "
                "reproduce in the range searched; check the figure (its value, unit and what "
                "it counts) or what the model leaves out before defending them."
                for row in self.observations.to_dict("records")
                if abs(row["misfit_sd"]) > MISSED_SD]

    def _calibrated_lines(self, kept: list[str]) -> list[str]:
        """How well the scenario calibrated.yaml holds fits, run with the same replications."""
        table = self.calibrated_observations
        assert table is not None
        loss = self.run_info["calibrated_loss"]
        above = loss - self.run_info["best_loss"]
        verdict = ("within" if above <= self.run_info["plausible_threshold"] else "beyond")
        held = {**self.written(), **{key: f"at {self._kept(key)}" for key in kept}}
        return [f"calibrated.yaml ({_values(held)}), run with the same "
                f"{self.run_info['replications']} replications: loss {loss:.2f}, "
                f"{_from_best(above)} ({verdict} the {self.run_info['confidence']:.0%} "
                f"threshold); {agreement_count(table)}",
                "Each published figure's part of its loss:",
                *self._figure_lines(table)]

    def _figure_lines(self, table: pd.DataFrame) -> list[str]:
        """Each figure's loss term and how far the simulated mean is from it.

        A one-sided bound the mean keeps costs nothing: the line says so, with the mean and
        the bound, rather than a distance of +0.00 sd that would read as a perfect hit.
        """
        lines = []
        for row, observation in zip(table.to_dict("records"), self.scenario.observations,
                                    strict=True):
            if observation.bound and row["misfit_sd"] == 0:
                side = "at most" if observation.bound == "upper" else "at least"
                mean, bound = ((format_observed(row[k], True) for k in ("simulated_mean",
                                                                          "observed"))
                               if is_share(row) else
                               (significant(row[k], 3) for k in ("simulated_mean", "observed")))
                how = f"within the bound: {mean}, {side} {bound}"
            else:
                how = f"{row['misfit_sd']:+.2f} sd"
            lines.append(f"  {row['label']}: {row['loss_term']:.2f} ({how}; "
                         f"{row['agreement']})")
        return lines

    def scenario_text(self, folder: Path) -> str:
        """A scenario file for ``folder`` that extends the one calibrated with the fitted values.

        Each value says it comes from this calibration, with its plausible interval.
        """
        relative = Path(os.path.relpath(self.path.resolve(), folder.resolve()))
        today = self.run_info["created_utc"][:10]
        written = self.written()
        lines = [
            f"# Fitted by gridqueue calibrate ({today}) to the observations of {self.path.name};",
            "# calibration.csv gives each estimate's plausible interval, calibration.png the fit.",
            *self._fit_header(relative),
        ]
        if len(written) < len(self.best):
            lines += ["# Only the parameters the data pin down are set here; the others keep "
                      f"{self.path.name}'s",
                      "# values (calibration.txt gives the fit, found with all of them)."]
        lines += [
            f"extends: {relative.as_posix()}",
            "description: >-",
            f"  {self.path.stem} with parameters fitted to its published observations",
            f"  ({', '.join(written) or 'none pinned down by them'}).",
        ]
        for p in self.parameters:
            if p.key not in self.best:
                lines.append(f"# {p.key}: no effect on these observations, left as in "
                             f"{self.path.name}.")
            elif p.key not in written:
                lines.append(f"# {p.key}: not pinned down by these observations, kept at "
                             f"{self._kept(p.key)}.")
        lines += _yaml_lines(self._written(), self._notes(), 0)
        return "\n".join(lines) + "\n"

    def _fit_header(self, relative: Path) -> list[str]:
        """Comment lines saying what the fit rested on, and the command that repeats it.

        Its replications and seed are the calibration's, not what this file runs: a reader
        needs them (and the ranges, the search and the observations) to judge or repeat it.
        """
        info = self.run_info
        files = [Path(file).name for file in info.get("observations_files", [])]
        ranges = " and ".join(f"{p.key} from {p.low:g} to {p.high:g}" for p in self.parameters)
        own = _load_quietly(self.path, {key: value for key, value in self.overrides.items()
                                        if key != "replications"}).replications
        words = (f"The fit rested on {info['replications']} replications per candidate (seed "
                 f"{info['seed']}) and {len(self.evaluations)} candidates, searching {ranges}, "
                 f"against {_published_figures(len(self.scenario.observations))} of "
                 f"{', '.join(files) or self.path.name}. Run as a scenario, this file runs "
                 f"{own} replications, {self.path.name}'s own.")
        lines = [f"# {line}" for line in textwrap.wrap(words, 92)]
        if "iterations" in info and "population" in info:
            command = ["gridqueue", "calibrate", relative.as_posix(),
                       *(word for key, value in self.overrides.items() if key != "replications"
                         for word in ("--set", f"{key}={_typed(value)}")),
                       *(word for p in self.parameters
                         for word in ("--fit", f"{p.key}={_typed(p.low)}:{_typed(p.high)}")),
                       "--replications", str(info["replications"]),
                       "--iterations", str(info["iterations"]),
                       "--population", str(info["population"])]
            lines += ["# To repeat the fit, from this folder:",
                      f"#   {shlex.join(command)}"]
        return lines

    def written(self) -> dict[str, float]:
        """The fitted values calibrated.yaml sets: those of the parameters the data pin down.

        A parameter the data cannot pin down fits about as well across most of its range, so
        its best value is arbitrary: calibrated.yaml keeps the scenario's own value, as it
        does for a parameter with no effect.
        """
        pinned = set(self.estimates.loc[self.estimates["pinned_down"]
                                        & self.estimates["has_effect"], "parameter"])
        return {key: value for key, value in self.best.items() if key in pinned}

    def _kept(self, key: str) -> str:
        """The scenario's own value of a parameter, in words: 'the base's value 1'."""
        own = self.path.name
        if key in SPANNING and key.endswith("_scale"):
            return f"{own}'s value 1"
        scenario = _load_quietly(self.path, self.overrides)
        if key in SPANNING:  # arrivals.growth_per_year: each stream's own
            values = {s.growth_per_year for s in scenario.streams.values()}
            return (f"{own}'s value {_scalar(values.pop())}" if len(values) == 1
                    else f"{own}'s own values")
        value: Any = scenario.model_dump(mode="json", by_alias=True)
        for part in key.split("."):
            value = value[int(part)] if isinstance(value, list) else value.get(part)
        return f"{own}'s value {_scalar(value)}"

    def _written(self) -> dict[str, Any]:
        """The keys calibrated.yaml sets, nested: the --set overrides and the fitted values.

        A spanning parameter becomes each stream's own key; a key inside a list (lists are
        replaced whole by extends) becomes the whole list, as resolved with the fitted values
        written (not those of parameters the data cannot pin down).
        """
        fitted = self.written()
        spanning = {k: v for k, v in fitted.items() if k in SPANNING}
        plain = {k: v for k, v in {**self.overrides, **fitted}.items()
                 if k not in SPANNING and k != "replications"}
        before = _load_quietly(self.path, {**self.overrides, **plain})
        resolved = _load_quietly(self.path, {**self.overrides, **fitted}).model_dump(
            mode="json", by_alias=True, exclude_none=True)
        tree: dict[str, Any] = {}
        for key, value in {**plain, **stream_overrides(before, spanning)}.items():
            parts = key.split(".")
            listed = next((i for i, part in enumerate(parts) if part.isdigit()), None)
            if listed is not None:
                parts = parts[:listed]
                value = resolved
                for part in parts:
                    value = value[part]
            node = tree
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = value
        return tree

    def _notes(self) -> dict[str, str]:
        """The comment of each key path written: which fitted value it comes from."""
        notes = {key: "as --set for the calibration" for key in self.overrides}
        fitted: dict[str, str] = {}
        for row in self.estimates.to_dict("records"):
            if row["parameter"] not in self.written():
                continue
            note = (f"{row['parameter']} {row['estimate']:.3g}, plausible {row['low']:.3g} to "
                    f"{row['high']:.3g}")
            key = row["parameter"]
            fitted[key] = note
            if key in SPANNING:
                notes[_SPANNED[key.rsplit(".", 1)[-1]]] = (
                    notes.get(_SPANNED[key.rsplit(".", 1)[-1]], "") + f"; {note}").lstrip("; ")
            else:
                parts = key.split(".")
                listed = next((i for i, part in enumerate(parts) if part.isdigit()), len(parts))
                notes[".".join(parts[:listed])] = note
        for key, value in self.overrides.items():  # a stream key --set, then scaled
            parts = key.split(".")
            stream = (self.scenario.streams.get(parts[1])
                      if len(parts) == 3 and parts[0] == "streams" else None)
            if stream is None:
                continue
            # Only the scales that reach this stream: a category's rate_scale leaves the
            # streams of the other categories at their --set value.
            how, scales = {
                "rate_per_year": ("times", ["arrivals.rate_scale",
                                            f"arrivals.{stream.category}.rate_scale"]),
                "patience_years": ("its mean divided by", ["withdrawal.hazard_scale"]),
            }.get(parts[2], ("", []))
            scaled = [fitted[p] for p in scales if p in fitted]
            if scaled:
                notes[key] = (f"--set {_typed(value)} for the calibration, {how} "
                              f"{'; '.join(scaled)}")
        return notes

    def figure(self) -> Figure:
        """The published observations against the simulation at the fitted values.

        Its bands carry calibration.txt's caution where they rest on too few replications.
        """
        if self.calibrated_observations is None:
            tables = {"calibrated": self.observations}
        else:
            tables = {"best candidate": self.observations,
                      "calibrated.yaml": self.calibrated_observations}
        return observations_figure(tables)

    def observation_table(self) -> pd.DataFrame:
        """observations.csv: the observations beside the simulation, a ``fit`` column first.

        ``fit`` says whose simulation a row is: the best candidate's, and the scenario
        calibrated.yaml holds where it keeps a fitted parameter at the scenario's own value.
        """
        if self.calibrated_observations is None:
            tables = {"best candidate, as calibrated.yaml": self.observations}
        else:
            tables = {"best candidate": self.observations,
                      "calibrated.yaml": self.calibrated_observations}
        return pd.concat([t.assign(fit=label)[["fit", *t.columns]]
                          for label, t in tables.items()], ignore_index=True)

    def write(self, directory: str | Path, force: bool = False) -> Path:
        """Write the calibration into ``directory``, atomically, as ``gridqueue calibrate -o``.

        calibrated.yaml names the calibrated scenario relative to ``directory``; an existing
        output is replaced only with ``force``. Returns ``directory`` as a Path.
        """
        target = Path(directory)
        with staged_directory(target, force, what="calibration",
                              inputs=self.scenario.input_files) as staging:
            self.write_summary(staging)
        return target

    def write_summary(self, folder: Path) -> None:
        """Write every file into ``folder``; evaluations.csv replaces the running store.

        It holds every column of the store (``scenario_sha256`` too). Each file is written
        aside and moved in whole, so a write cut short (Ctrl-C, a full disk) leaves the store
        ``--resume`` reads, and no file cut short beside it.
        """
        with files_moved_in(folder) as staging:
            self.evaluations.to_csv(staging / EVALUATIONS, index=False)
            (staging / "calibrated.yaml").write_text(self.scenario_text(folder),
                                                     encoding="utf-8")
            self.estimates.to_csv(staging / "calibration.csv", index=False)
            self.observation_table().to_csv(staging / "observations.csv", index=False)
            write_figures({"calibration": self.figure()}, staging)
            (staging / "calibration.txt").write_text("\n".join(self.statements()) + "\n",
                                                     encoding="utf-8")
            (staging / "run.json").write_text(json.dumps(self.run_info, indent=2, default=str)
                                              + "\n", encoding="utf-8")


def _values(values: dict[str, Any]) -> str:
    """Parameters and their values in words: 'arrivals.rate_scale 0.985, ...'."""
    return ", ".join(f"{key} {value:.3g}" if isinstance(value, float) else f"{key} {value}"
                     for key, value in values.items())


def _load_quietly(path: Path, parameters: dict[str, Any]) -> Scenario:
    """The scenario with ``parameters``, its warnings unshown: the calibration showed them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_with_parameters(path, parameters)


_SPANNED = {"rate_scale": "rate_per_year", "growth_per_year": "growth_per_year",
            "hazard_scale": "patience_years"}
"""The stream key each spanning parameter sets, by the last part of its name."""


def _yaml_lines(tree: dict[str, Any], notes: dict[str, str], depth: int,
                path: str = "") -> list[str]:
    """Nested YAML of the keys written, each commented with where its value comes from.

    A stream key set by a spanning parameter is noted under its last part (``rate_per_year``).
    """
    lines = []
    indent = "  " * depth
    for key, value in tree.items():
        full = f"{path}.{key}" if path else key
        note = notes.get(full) or notes.get(key)
        comment = f"  # gridqueue calibrate: {note}" if note else ""
        if isinstance(value, dict) and "dist" not in value:
            lines.append(f"{indent}{key}:{comment}")
            lines += _yaml_lines(value, notes, depth + 1, full)
        elif isinstance(value, (dict, list)):
            flow = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6)
            lines.append(f"{indent}{key}: {flow.strip()}{comment}")
        else:
            lines.append(f"{indent}{key}: {_scalar(value)}{comment}")
    return lines


def _typed(value: Any) -> str:
    """A value as typed on the command line: a float in full (repr), the rest as flow YAML."""
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    return yaml.safe_dump(value, default_flow_style=True, width=10**6).removesuffix(
        "...\n").strip()


def _scalar(value: Any) -> str:
    """A plain value as YAML: numbers to six significant digits, the rest as YAML writes it."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return yaml.safe_dump(value).removesuffix("...\n").strip()


def _published_figures(count: int) -> str:
    """'the 3 published figures', or 'the one published figure'."""
    return "the one published figure" if count == 1 else f"the {count} published figures"


LEVEL_WITH_BEST = 0.0005
"""A loss within this of the best candidate's is said to be level with it."""


def _from_best(above: float) -> str:
    """How far a loss is above the best candidate's: '0.03 above the best', '0.003 below'.

    The values kept (a key at its file's value, say) may fit better than every candidate
    tried: that read '-0.00 above the best'. A gap too small for two decimals keeps one digit;
    one under 0.0005, rounding more than fit, is none.
    """
    gap = abs(above)
    if gap < LEVEL_WITH_BEST:
        return "level with the best"
    text = f"{gap:.2f}" if gap >= 0.005 else f"{gap:.1g}"
    if above < 0:
        return f"{text} below the best (the values kept fit better than any candidate tried)"
    return f"{text} above the best"
