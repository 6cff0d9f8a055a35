"""Calibration: estimate chosen scenario parameters from the scenario's published observations.

The Python API behind ``gridqueue calibrate``::

    from sim.analysis.calibration import FitParameter, calibrate
    fit = calibrate("scenarios/flevoland/base.yaml",
                    [FitParameter("arrivals.rate_scale", 0.5, 2.0)], replications=10)
    fit.estimates        # estimate, plausible interval and whether the data pin it down
    fit.statements()     # the same in plain words

How a candidate is judged (a Gaussian synthetic likelihood, Wood 2010): each candidate runs
the same replications (the scenario's seed: common random numbers, so two candidates differ
by their parameters, not by their luck); for each observation the replications give a mean m
and a spread s. A published value y with relative uncertainty u is one realisation, so it is
judged against a normal with mean m and variance (u y)^2 + s^2 (1 + 1/R) for R replications.
The loss is minus twice the log-likelihood, summed over observations.

How the candidates are chosen: scipy's differential evolution (``scipy.optimize``), a
population-based global search that needs no gradients. The loss of a simulation with common
random numbers is a step function of the parameters (one more or one fewer arrival), which
stalls gradient and simplex methods; a population steps over the plateaus, its seeded
proposals make a re-run propose the same candidates (so an interrupted calibration resumes
from its stored evaluations), and it evaluates a whole generation at once, which runs in
parallel on local processes or a Dask cluster. After it, each parameter is scanned alone
around the best candidate.

Uncertainty: every candidate whose loss is within the 95% chi-square threshold (with as many
degrees of freedom as parameters) of the best is plausible, by the likelihood-ratio rule; a
parameter's interval spans its plausible values. A parameter whose plausible values cover
most of its search range is one the observations cannot pin down, and the result says so.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import optimize, special
from tqdm import tqdm

from sim._version import __version__
from sim.analysis.parameters import (
    SPANNING,
    ParameterisedScenario,
    load_with_parameters,
    stream_overrides,
)
from sim.errors import GridqueueError, Interrupted, nearest
from sim.inputs.scenario import Scenario
from sim.runs.observed import observation_table, observed_values
from sim.runs.replication import run_replication
from sim.runs.results import dependency_versions, scenario_hash
from sim.runs.runner import default_workers, map_replications
from sim.runs.staging import resumable_directory

__all__ = ["Calibration", "FitParameter", "calibrate", "calibrate_to_directory",
           "parse_fit", "synthetic_loss"]

CONFIDENCE = 0.95
"""Level of the plausible region (likelihood-ratio rule)."""
PINNED_SHARE = 0.5
"""A parameter is pinned down when its plausible values span less than this share of its range."""
SCAN_POINTS = 9
"""Points of the one-parameter scan around the best candidate."""
EVALUATIONS = "evaluations.csv"


@dataclass(frozen=True)
class FitParameter:
    """A parameter to estimate and the range searched."""

    key: str
    low: float
    high: float


def parse_fit(text: str) -> FitParameter:
    """Parse ``key=low:high``, e.g. ``arrivals.rate_scale=0.5:2``."""
    key, sep, bounds = text.partition("=")
    low, colon, high = bounds.partition(":")
    try:
        parameter = FitParameter(key.strip(), float(low), float(high))
    except ValueError:
        parameter = None
    if not sep or not colon or parameter is None or not key.strip() or not (
            math.isfinite(parameter.low) and math.isfinite(parameter.high)
            and parameter.low < parameter.high):
        raise GridqueueError(f"--fit {text}: expected key=low:high with low < high, e.g. "
                             "--fit arrivals.rate_scale=0.5:2")
    return parameter


def synthetic_loss(observed: np.ndarray, uncertainty: np.ndarray,
                   simulated: np.ndarray) -> float:
    """Minus twice the Gaussian log-likelihood of the published values (constant left out).

    Args:
        observed: the published values (one per observation).
        uncertainty: their relative uncertainties.
        simulated: replications by observations.
    """
    count = len(simulated)
    mean = simulated.mean(axis=0)
    spread = simulated.var(axis=0, ddof=1) if count > 1 else np.zeros_like(mean)
    variance = (uncertainty * observed) ** 2 + spread * (1 + 1 / count)
    variance = np.maximum(variance, (1e-3 * np.maximum(np.abs(observed), 1.0)) ** 2)
    terms = (mean - observed) ** 2 / variance + np.log(variance)
    return float(terms.sum()) if np.all(np.isfinite(terms)) else math.inf


class _CandidateTask:
    """A picklable callable: replication ``i % R`` of candidate ``i // R``, observed values."""

    def __init__(self, scenarios: list[Scenario], replications: int) -> None:
        self.scenarios = scenarios
        self.replications = replications

    def __call__(self, index: int) -> np.ndarray:
        scenario = self.scenarios[index // self.replications]
        output = run_replication(scenario, index % self.replications)
        return observed_values(scenario.observations, output.applicants)


@dataclass
class Calibration:
    """The result of a calibration.

    Attributes:
        path: the scenario file calibrated.
        overrides: the ``--set`` changes applied before calibrating (key path to value).
        parameters: what was estimated, with the ranges searched.
        best: the fitted value of each parameter.
        scenario: the scenario at the fitted values.
        estimates: one row per parameter: ``parameter``, ``estimate``, ``low``, ``high`` (the
            plausible interval), ``search_low``, ``search_high`` and ``pinned_down``.
        evaluations: one row per candidate evaluated: its values, ``loss``, ``plausible``.
        observations: the observations beside the simulation at the fitted values.
        run_info: provenance (versions, seed, replications, loss threshold, wall time).
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

    def statements(self) -> list[str]:
        """Plain words: each estimate, what the data can and cannot pin down, the fit."""
        count = len(self.scenario.observations)
        lines = [f"Fitted {len(self.parameters)} parameter(s) to {count} published "
                 f"figure(s) of {self.path.name}, {self.run_info['replications']} "
                 f"replications per candidate, {len(self.evaluations)} candidates."]
        for row in self.estimates.to_dict("records"):
            where = (f"{row['parameter']} = {row['estimate']:.3g} (plausible "
                     f"{row['low']:.3g} to {row['high']:.3g}, searched {row['search_low']:g} "
                     f"to {row['search_high']:g})")
            if row["pinned_down"]:
                lines.append(f"{where}: the data pin it down.")
            else:
                lines.append(f"{where}: the data cannot pin it down; values across most of "
                             "the range fit about as well.")
            if row["pinned_down"] and (row["low"] <= row["search_low"]
                                       or row["high"] >= row["search_high"]):
                lines.append(f"  Its plausible values reach the edge of the search: widen "
                             f"the range of {row['parameter']}.")
        if len(self.parameters) > count:
            lines.append(f"More parameters ({len(self.parameters)}) than published figures "
                         f"({count}): they cannot all be pinned down.")
        agreeing = int((self.observations["agreement"] == "agrees").sum())
        lines.append(f"At the fitted values {agreeing} of {count} published figures lie within "
                     "the band of the simulation.")
        return lines

    def scenario_text(self, folder: Path) -> str:
        """A scenario file for ``folder`` that extends the one calibrated with the fitted values.

        Each value says it comes from this calibration, with its plausible interval.
        """
        relative = Path(os.path.relpath(self.path.resolve(), folder.resolve()))
        today = self.run_info["created_utc"][:10]
        lines = [
            f"# Fitted by gridqueue calibrate ({today}) to the observations of {self.path.name};",
            "# calibration.csv gives each estimate's plausible interval, calibration.png the fit.",
            f"extends: {relative.as_posix()}",
            "description: >-",
            f"  {self.path.stem} with parameters fitted to its published observations",
            f"  ({', '.join(p.key for p in self.parameters)}).",
        ]
        lines += _yaml_lines(self._written(), self._notes(), 0)
        return "\n".join(lines) + "\n"

    def _written(self) -> dict[str, Any]:
        """The keys calibrated.yaml sets, nested: the --set overrides and the fitted values.

        A spanning parameter becomes each stream's own key; a key inside a list (lists are
        replaced whole by extends) becomes the whole list, as resolved with the fitted value.
        """
        fitted = {p.key: self.best[p.key] for p in self.parameters}
        spanning = {k: v for k, v in fitted.items() if k in SPANNING}
        plain = {k: v for k, v in {**self.overrides, **fitted}.items()
                 if k not in SPANNING and k != "replications"}
        before = load_with_parameters(self.path, {**self.overrides, **plain})
        resolved = self.scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
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
        for row in self.estimates.to_dict("records"):
            note = (f"{row['parameter']} {row['estimate']:.3g}, plausible {row['low']:.3g} to "
                    f"{row['high']:.3g}")
            key = row["parameter"]
            if key in SPANNING:
                notes[_SPANNED[key.rsplit(".", 1)[-1]]] = (
                    notes.get(_SPANNED[key.rsplit(".", 1)[-1]], "") + f"; {note}").lstrip("; ")
            else:
                parts = key.split(".")
                listed = next((i for i, part in enumerate(parts) if part.isdigit()), len(parts))
                notes[".".join(parts[:listed])] = note
        return notes

    def figure(self):  # type: ignore[no-untyped-def]
        """The published observations against the simulation at the fitted values."""
        from sim.figures.observations import observations_figure

        return observations_figure({"calibrated": self.observations})

    def write_summary(self, folder: Path) -> None:
        """Write every file into ``folder``; evaluations.csv replaces the running store."""
        self.evaluations.to_csv(folder / EVALUATIONS, index=False)
        (folder / "calibrated.yaml").write_text(self.scenario_text(folder), encoding="utf-8")
        self.estimates.to_csv(folder / "calibration.csv", index=False)
        self.observations.to_csv(folder / "observations.csv", index=False)
        fig = self.figure()
        for suffix in ("png", "svg"):
            fig.savefig(folder / f"calibration.{suffix}", dpi=150)
        (folder / "calibration.txt").write_text("\n".join(self.statements()) + "\n",
                                                encoding="utf-8")
        (folder / "run.json").write_text(json.dumps(self.run_info, indent=2, default=str)
                                         + "\n", encoding="utf-8")


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


def _scalar(value: Any) -> str:
    """A plain value as YAML: numbers to six significant digits, the rest as YAML writes it."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return yaml.safe_dump(value).removesuffix("...\n").strip()


def calibrate(
    path: str | Path,
    parameters: Sequence[FitParameter],
    overrides: Sequence[str] = (),
    *,
    replications: int | None = None,
    iterations: int = 8,
    population: int = 6,
    workers: int | None = None,
    progress: bool = False,
    scheduler: str | None = None,
    store: Path | None = None,
) -> Calibration:
    """Estimate ``parameters`` of a scenario file from its observations.

    Args:
        path: the scenario file; it must state observations.
        parameters: the parameters to estimate, each with the range searched.
        overrides: ``key.path=value`` changes applied first (as ``--set``).
        replications: replications per candidate (default: the scenario's).
        iterations: generations of differential evolution.
        population: candidates per generation per parameter.
        workers: worker processes; results do not depend on it.
        progress: show a progress bar over the candidates.
        scheduler: address of a Dask scheduler to run the replications on.
        store: if given, every evaluation is appended to ``store/evaluations.csv`` as it
            finishes, and evaluations found there (of the very same candidate scenario) are
            reused rather than run again.
    """
    started = time.perf_counter()
    path = Path(path)
    common = _common_overrides(overrides, replications)
    base = load_with_parameters(path, common)
    if not base.observations:
        raise GridqueueError(f"{path}: states no observations to calibrate to; add an "
                             "observations: list or file (docs/calibration.md)")
    if not parameters:
        raise GridqueueError("calibrate: name at least one parameter, e.g. "
                             "--fit arrivals.rate_scale=0.5:2")
    for parameter in parameters:  # a bad key fails here, once, with the loader's message
        if parameter.key.split(".")[0] in ("arrivals", "withdrawal") and (
                parameter.key not in SPANNING):
            raise GridqueueError(f"--fit {parameter.key}: unknown parameter"
                                 f"{nearest(parameter.key, SPANNING)}; expected a scenario "
                                 f"key or one of {', '.join(SPANNING)}")
        load_with_parameters(path, {**common, parameter.key: parameter.low})
    evaluator = _Evaluator(path, common, parameters, base, workers, scheduler, store)
    bounds = [(p.low, p.high) for p in parameters]
    budget = (iterations + 1) * population * len(parameters) + SCAN_POINTS * len(parameters)
    with tqdm(total=budget, desc="calibrate", unit="candidate", file=sys.stderr,
              disable=None if progress else True, dynamic_ncols=True) as bar:
        evaluator.on_done = bar.update
        result = optimize.differential_evolution(
            evaluator.loss, bounds, maxiter=iterations, popsize=population,
            init="latinhypercube", seed=base.seed % 2**32, polish=False, tol=0.0,
            updating="deferred", workers=evaluator.map,
        )
        best = [float(x) for x in result.x]
        evaluator.many([point for i in range(len(parameters))
                        for point in _scan(best, i, bounds)])
    return _gather(path, parameters, common, evaluator, base, started, workers)


def _scan(best: list[float], index: int, bounds: list[tuple[float, float]]) -> list[list[float]]:
    """Points along one parameter, the others at their best values."""
    low, high = bounds[index]
    return [[*best[:index], float(value), *best[index + 1:]]
            for value in np.linspace(low, high, SCAN_POINTS)]


def _common_overrides(overrides: Sequence[str], replications: int | None) -> dict[str, Any]:
    from sim.inputs.yaml_source import parse_override

    common = {o.key_path: o.value for o in map(parse_override, overrides)}
    if replications is not None:
        common["replications"] = replications
    return common


class _Evaluator:
    """Runs candidates (in batches, in parallel) and remembers every loss."""

    def __init__(self, path: Path, common: dict[str, Any], parameters: Sequence[FitParameter],
                 base: Scenario, workers: int | None, scheduler: str | None,
                 store: Path | None) -> None:
        self.path = path
        self.variants = ParameterisedScenario(path)
        self.common = common
        self.keys = [p.key for p in parameters]
        self.base = base
        self.workers = workers
        self.scheduler = scheduler
        self.store = store
        self.observed = np.array([o.observed for o in base.observations])
        self.uncertainty = np.array([o.uncertainty for o in base.observations])
        self.losses: dict[tuple[float, ...], float] = {}
        self.rows: list[dict[str, Any]] = []
        self.stored = _read_store(store)
        self.on_done: Callable[[int], Any] = lambda n: None

    def scenario(self, values: Sequence[float]) -> Scenario:
        return self.variants.load({**self.common, **dict(zip(self.keys, values, strict=True))})

    def loss(self, values: Sequence[float]) -> float:
        key = tuple(float(v) for v in values)
        if key not in self.losses:
            self.many([list(key)])
        return self.losses[key]

    def map(self, function: Callable[[Any], float], candidates: Any) -> list[float]:
        """A map for differential evolution: the whole generation is run at once."""
        candidates = [list(map(float, c)) for c in candidates]
        self.many(candidates)
        return [function(c) for c in candidates]

    def many(self, candidates: list[list[float]]) -> None:
        """Evaluate the candidates not yet known, their replications all in one batch."""
        todo, scenarios = [], []
        for values in candidates:
            key = tuple(values)
            if key in self.losses or key in [tuple(t) for t in todo]:
                continue
            scenario = self.scenario(values)
            sha256 = scenario_hash(scenario)
            if (key, sha256) in self.stored:
                self._record(key, sha256, self.stored[(key, sha256)], store=False)
                continue
            todo.append(values)
            scenarios.append((scenario, sha256))
        if not todo:
            return
        count = self.base.replications
        task = _CandidateTask([s for s, _ in scenarios], count)
        indices = list(range(len(todo) * count))
        values = list(map_replications(task, indices, self.workers, False, "calibrate",
                                       seed=self.base.seed, scheduler=self.scheduler))
        for number, (candidate, (_, sha256)) in enumerate(zip(todo, scenarios, strict=True)):
            simulated = np.vstack(values[number * count:(number + 1) * count])
            loss = synthetic_loss(self.observed, self.uncertainty, simulated)
            self._record(tuple(candidate), sha256, loss, store=True)

    def _record(self, key: tuple[float, ...], sha256: str, loss: float, store: bool) -> None:
        self.losses[key] = loss
        row = {**dict(zip(self.keys, key, strict=True)), "loss": loss, "scenario_sha256": sha256}
        self.rows.append(row)
        if store and self.store is not None:
            _append_store(self.store, row)
        self.on_done(1)


def _read_store(store: Path | None) -> dict[tuple[tuple[float, ...], str], float]:
    """Evaluations kept by an earlier, interrupted calibration, by (values, scenario hash)."""
    if store is None or not (store / EVALUATIONS).is_file():
        return {}
    try:
        table = pd.read_csv(store / EVALUATIONS)
    except (OSError, ValueError, pd.errors.EmptyDataError):
        return {}
    keys = [c for c in table.columns if c not in ("loss", "scenario_sha256")]
    return {(tuple(float(row[k]) for k in keys), str(row["scenario_sha256"])): float(row["loss"])
            for row in table.to_dict("records")}


def _append_store(store: Path, row: dict[str, Any]) -> None:
    """Append one evaluation, with a header first; a line is written whole, with full precision."""
    store.mkdir(parents=True, exist_ok=True)
    file = store / EVALUATIONS
    new = not file.is_file()
    line = pd.DataFrame([row]).to_csv(index=False, header=new, float_format="%.17g")
    with open(file, "a", encoding="utf-8") as handle:
        handle.write(line)


def _gather(path: Path, parameters: Sequence[FitParameter], common: dict[str, Any],
            evaluator: _Evaluator, base: Scenario, started: float,
            workers: int | None) -> Calibration:
    evaluations = pd.DataFrame(evaluator.rows).drop(columns="scenario_sha256")
    evaluations = evaluations.drop_duplicates(subset=evaluator.keys).reset_index(drop=True)
    best_row = evaluations.loc[evaluations["loss"].idxmin()]
    threshold = float(special.chdtri(len(parameters), 1 - CONFIDENCE))
    evaluations["plausible"] = evaluations["loss"] <= best_row["loss"] + threshold
    plausible = evaluations[evaluations["plausible"]]
    rows = []
    for p in parameters:
        low, high = float(plausible[p.key].min()), float(plausible[p.key].max())
        rows.append({"parameter": p.key, "estimate": float(best_row[p.key]), "low": low,
                     "high": high, "search_low": p.low, "search_high": p.high,
                     "pinned_down": bool(high - low < PINNED_SHARE * (p.high - p.low))})
    best = {p.key: float(best_row[p.key]) for p in parameters}
    scenario = load_with_parameters(path, {**common, **best})
    task = _CandidateTask([scenario], scenario.replications)
    simulated = list(map_replications(task, list(range(scenario.replications)), workers,
                                      False, "calibrate", seed=scenario.seed,
                                      scheduler=evaluator.scheduler))
    run_info = {
        "gridqueue_version": __version__,
        "scenario_file": str(path),
        "scenario_sha256": scenario_hash(base),
        "seed": base.seed,
        "replications": base.replications,
        "parameters": {p.key: [p.low, p.high] for p in parameters},
        "best": best,
        "best_loss": float(best_row["loss"]),
        "plausible_threshold": threshold,
        "confidence": CONFIDENCE,
        "method": "Gaussian synthetic likelihood, common random numbers, "
                  "scipy.optimize.differential_evolution, then a scan of each parameter",
        "workers": workers or default_workers(),
        **({"scheduler": evaluator.scheduler} if evaluator.scheduler else {}),
        "wall_time_seconds": round(time.perf_counter() - started, 3),
        "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "dependencies": dependency_versions(),
    }
    return Calibration(path=path, overrides=common, parameters=list(parameters), best=best,
                       scenario=scenario,
                       estimates=pd.DataFrame(rows), evaluations=evaluations,
                       observations=observation_table(scenario.observations, simulated),
                       run_info=run_info)


def calibrate_to_directory(
    directory: str | Path,
    path: str | Path,
    parameters: Sequence[FitParameter],
    overrides: Sequence[str] = (),
    *,
    force: bool = False,
    resume: bool = False,
    command: Sequence[str] | None = None,
    **options: Any,
) -> Calibration:
    """Calibrate straight into ``directory`` (what ``gridqueue calibrate`` does).

    Every evaluation is stored in the output's staging area as it finishes; the output appears,
    complete, only at the end. Interrupted, the evaluations stay, and ``resume`` reuses them
    (the search proposes the same candidates again), so the result equals an uninterrupted
    one's. ``options`` go to :func:`calibrate`.
    """
    inputs = load_with_parameters(path, _common_overrides(overrides, None)).input_files
    with resumable_directory(directory, force, resume, inputs=inputs) as staging:
        try:
            result = calibrate(path, parameters, overrides, store=staging, **options)
        except KeyboardInterrupt:
            done = _count_lines(staging / EVALUATIONS)
            raise Interrupted(f"calibration interrupted: {done} evaluation(s) kept in "
                              f"{staging}; run the same command with --resume to continue"
                              ) from None
        if command is not None:
            result.run_info["command"] = list(command)
        result.write_summary(staging)
    return result


def _count_lines(file: Path) -> int:
    """Evaluations in a store file (its lines but the header)."""
    if not file.is_file():
        return 0
    with open(file, encoding="utf-8") as handle:
        return max(sum(1 for _ in handle) - 1, 0)
