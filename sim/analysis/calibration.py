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
The loss is minus twice the log-likelihood, summed over observations. A published bound (an
observation with ``bound``) adds nothing while m is on its allowed side and (m - y)^2 over that
variance beyond it.

How the candidates are chosen: scipy's differential evolution (``scipy.optimize``), a
population-based global search that needs no gradients. The loss of a simulation with common
random numbers is a step function of the parameters (one more or one fewer arrival), which
stalls gradient and simplex methods; a population steps over the plateaus, its seeded
proposals make a re-run propose the same candidates (so an interrupted calibration resumes
from its stored evaluations), and it evaluates a whole generation at once, which runs in
parallel on local processes or a Dask cluster. After it, each parameter is scanned alone
around the best candidate.

Uncertainty: every candidate whose loss is within the 95% chi-square threshold (with as many
degrees of freedom as parameters that have an effect) of the best is plausible, by the
likelihood-ratio rule; a parameter's interval spans its plausible values. A parameter whose
plausible values cover most of its search range is one the observations cannot pin down: the
result says so, and the calibrated scenario keeps its value as it was (its best value is
arbitrary). A parameter whose values all give the same loss has no effect on the
observations: the result says that, and the calibrated scenario leaves it as it was too.
"""

from __future__ import annotations

import datetime
import itertools
import math
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import optimize, special
from tqdm import tqdm

from sim._version import __version__
from sim.analysis.calibration_result import Calibration, FitParameter
from sim.analysis.candidates import (
    EVALUATIONS,
    CandidateEvaluator,
    CandidateTask,
    DistinctWarnings,
    candidate_problem,
    fit_given,
    synthetic_terms,
)
from sim.analysis.parameters import SPANNING, Changes, load_with_parameters
from sim.errors import GridqueueError, InertSetting, InputError, argument, given_as, nearest
from sim.inputs.loading import as_overrides, load_waiting_rows
from sim.inputs.scenario import Scenario
from sim.inputs.yaml_source import Override, read_scenario_source
from sim.runs.observed import observation_table
from sim.runs.results import dependency_versions, scenario_hash
from sim.runs.runner import check_replication_count, default_workers, map_replications
from sim.runs.staging import interrupted, nothing_to_resume, resumable_directory

__all__ = ["Calibration", "FitParameter", "calibrate", "calibrate_to_directory", "parse_fit"]

CONFIDENCE = 0.95
"""Level of the plausible region (likelihood-ratio rule)."""
PINNED_SHARE = 0.5
"""A parameter is pinned down when its plausible values span less than this share of its range."""
SCAN_POINTS = 9
"""Points of the one-parameter scan around the best candidate."""
MAX_ITERATIONS = 1_000
"""Most generations of the search: far beyond any real case (the default is 8), so a typo
(an extra zero or three) is a clear message, not a search that never ends."""
MAX_POPULATION = 1_000
"""Most candidates per generation and parameter: far beyond any real case (the default is 6),
so a typo is a clear message, not an out-of-memory error."""


ITERATIONS = 8
"""Generations of the search unless told."""
POPULATION = 6
"""Candidates per generation and parameter unless told."""
MIN_GENERATION = 5
"""Fewest candidates per generation: differential evolution enlarges a smaller population."""
MIN_REPLICATIONS = 2
"""Fewest replications per candidate: the loss needs their spread."""
FULL_BOX = 6
"""Up to this many parameters, every corner of the box of ranges is loaded before any run
(64 loads at most, each some 20 ms); beyond, fewer corners (:func:`_corners`)."""


def check_search(iterations: int, population: int, parameters: int = 1) -> None:
    """Refuse, before any work, a search size outside 1 to its limit, or one that does nothing.

    The search runs at least :data:`MIN_GENERATION` candidates a generation, so a population
    that asks for fewer (with the parameters given) would run the same search as the least.
    """
    for name, value, most in (("iterations", iterations, MAX_ITERATIONS),
                              ("population", population, MAX_POPULATION)):
        if not 1 <= value <= most:
            raise GridqueueError(f"{argument(name, value)}: expected a whole number from 1 to "
                                 f"{most} (more is far beyond any real calibration)")
    if population * parameters < MIN_GENERATION:
        named = f"{parameters} parameter{'s' if parameters > 1 else ''}"
        least = math.ceil(MIN_GENERATION / parameters)
        raise GridqueueError(f"{argument('population', population)} with {named}: the search "
                             f"runs at least {MIN_GENERATION} candidates a generation, more than "
                             "that asks for, so a smaller population changes nothing; give "
                             f"{argument('population', least)} or more")


def check_replications(path: Path, given: int | None, count: int) -> None:
    """Refuse fewer than two replications per candidate: one has no spread to weigh by.

    Args:
        path: the scenario file, named when its own replications are too few.
        given: the replications asked for (``--replications``, ``replications=``), if any.
        count: the replications each candidate would run.
    """
    if count >= MIN_REPLICATIONS:
        return
    why = (f"expected at least {MIN_REPLICATIONS} replications per candidate: the loss weighs "
           "each figure by the spread of the replications, which one replication cannot give")
    if given is not None:
        raise GridqueueError(f"{argument('replications', given)}: {why}")
    raise GridqueueError(f"{path}: replications {count}: {why} (give "
                         f"{given_as('--replications N', 'replications=N')})")


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


def calibrate(
    path: str | Path,
    parameters: Sequence[FitParameter],
    overrides: Changes = (),
    *,
    replications: int | None = None,
    iterations: int = ITERATIONS,
    population: int = POPULATION,
    workers: int | None = None,
    progress: bool = False,
    scheduler: str | None = None,
    store: Path | None = None,
) -> Calibration:
    """Estimate ``parameters`` of a scenario file from its observations.

    Args:
        path: the scenario file; it must state observations.
        parameters: the parameters to estimate, each with the range searched.
        overrides: ``key.path=value`` changes applied first (as ``--set`` takes them), or a
            mapping of key paths to values; a message names each as it was given.
        replications: replications per candidate (default: the scenario's).
        iterations: generations of differential evolution.
        population: candidates per generation per parameter.
        workers: worker processes; results do not depend on it.
        progress: show a progress bar over the candidates.
        scheduler: address of a Dask scheduler to run the replications on.
        store: if given, every evaluation is appended to ``store/evaluations.csv`` as it
            finishes, and evaluations found there (of the very same candidate scenario, with
            its observations counted as now: ``counting_version``) are reused rather than run
            again.

    Returns:
        The :class:`~sim.analysis.calibration_result.Calibration`: the fitted values, each
        estimate's plausible interval and the observations beside the fit; its ``write``
        writes the folder ``gridqueue calibrate -o`` writes.
    """
    started = time.perf_counter()
    checked = _checked(path, parameters, overrides, replications, iterations, population)
    return _search(checked, started, iterations=iterations, population=population,
                   workers=workers, progress=progress, scheduler=scheduler, store=store)


@dataclass(frozen=True)
class _Checked:
    """What :func:`_checked` found a calibration's inputs to be, before anything runs."""

    path: Path
    parameters: Sequence[FitParameter]
    common: list[Override]
    base: Scenario
    distinct: DistinctWarnings


def _checked(path: str | Path, parameters: Sequence[FitParameter], overrides: Changes,
             replications: int | None, iterations: int, population: int) -> _Checked:
    """Everything :func:`calibrate` refuses before it runs: the arguments are its own.

    ``calibrate_to_directory`` checks them before it looks at the output folder: a bad
    ``--fit`` beside a finished calibration was told there was nothing to resume.
    """
    check_search(iterations, population, len(parameters) or 1)
    replications = check_replication_count(replications)
    path = Path(path)
    common = _common_overrides(overrides, replications)
    try:
        base = load_with_parameters(path, {}, common)
    except InputError as exc:
        raise _own_value_needed(path, common, exc, parameters) from None
    check_replications(path, replications, base.replications)
    if not base.observations:
        raise GridqueueError(f"{path}: states no observations to calibrate to; add an "
                             "observations: list or file (docs/calibration.md)")
    if not parameters:
        raise GridqueueError("calibrate: name at least one parameter, e.g. "
                             f"{fit_given('arrivals.rate_scale', 0.5, 2)}")
    distinct = DistinctWarnings({p.key: (p.low, p.high) for p in parameters})
    for parameter in parameters:  # a bad key fails here, once, with the loader's message
        if parameter.key.split(".")[0] in ("arrivals", "withdrawal") and (
                parameter.key not in SPANNING):
            shown = fit_given(parameter.key, parameter.low, parameter.high, with_range=False)
            raise GridqueueError(f"{shown}: unknown parameter"
                                 f"{nearest(parameter.key, SPANNING)}; expected a scenario "
                                 f"key or one of {', '.join(SPANNING)}")
        with distinct():
            _check_range(path, common, parameter)
    _check_corners(CandidateEvaluator(path, common, [p.key for p in parameters], base, None,
                                      None, None, distinct),
                   [(p.low, p.high) for p in parameters])
    return _Checked(path, parameters, common, base, distinct)


def _own_value_needed(path: Path, common: list[Override], problem: InputError,
                      parameters: Sequence[FitParameter]) -> InputError:
    """A scenario that lacks a key only a --fit would give: said so, with the way round.

    A cover by ``--set`` and the share fitted left ``share: missing``, and ``--set`` of the
    share too is refused as set twice. A fit starts from the scenario's own value of each
    key, which calibrated.yaml keeps where the observations cannot pin the key down: there
    is none to keep here, so the key is given in a file, not completed by the search.
    """
    if not problem.key_path:
        return problem
    try:
        data = read_scenario_source(path, common).data
    except GridqueueError:  # the options themselves were refused: that is the problem
        return problem
    within = f"{problem.key_path}."
    fitted = next((p for p in parameters if f"{p.key}.".startswith(within)
                   and not _has_value(data, p.key)), None)
    if fitted is None:
        return problem
    given = fit_given(fitted.key, fitted.low, fitted.high)
    lines, moved = _file_giving(fitted, common, problem.key_path)
    without = f", without {' and '.join(moved)}" if moved else ""
    to_fill = fitted.key.rsplit(".", 1)[-1].upper()
    return InputError(problem.source, problem.key_path, (
        f"{problem.expected} ({given} does not give it: a calibration starts from the "
        "scenario's own value of each key it fits, which calibrated.yaml keeps where the "
        f"observations cannot pin the key down, and {path.name} has none; write a file beside "
        f"{path.name} that reads 'extends: {path.name}' and '{lines}', {to_fill} the value "
        f"to keep (from {fitted.low:g} to {fitted.high:g}), and calibrate that file with "
        f"{given}{without})"), problem.line)


def _file_giving(fitted: FitParameter, common: list[Override],
                 missing: str) -> tuple[str, list[str]]:
    """The block that holds a fitted key the scenario lacks, as a file would give it.

    Its key's value is a name in capitals for the user to fill in; the --set changes inside
    the block (those that began it) move into the file with their values. Returns the block
    as one line of YAML, and the changes it takes over, as they were given.
    """
    block = tuple(missing.split("."))[:-1] or tuple(missing.split("."))
    data: dict[str, Any] = {}
    moved = []

    def put(path: tuple[str, ...], value: Any) -> None:
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value

    key = tuple(fitted.key.split("."))
    put(key, key[-1].upper())
    for change in common:
        if change.path[:len(block)] == block and change.path != key:
            put(change.path, change.value)
            moved.append(change.shown)
    text = yaml.safe_dump(data, default_flow_style=True, sort_keys=False, width=10**6).strip()
    return text[1:-1], moved


def _has_value(data: Any, key: str) -> bool:
    """Whether the raw scenario data gives ``key`` (a dotted path; list items by index)."""
    for part in key.split("."):
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return False
    return data is not None


def _search(checked: _Checked, started: float, *, iterations: int = ITERATIONS,
            population: int = POPULATION, workers: int | None = None, progress: bool = False,
            scheduler: str | None = None, store: Path | None = None) -> Calibration:
    """Run the search of a calibration :func:`_checked` checked; the options are calibrate's."""
    path, parameters, common, base = checked.path, checked.parameters, checked.common, \
        checked.base
    evaluator = CandidateEvaluator(path, common, [p.key for p in parameters], base, workers,
                                   scheduler, store, checked.distinct)
    bounds = [(p.low, p.high) for p in parameters]
    budget = (iterations + 1) * population * len(parameters) + SCAN_POINTS * len(parameters)
    with tqdm(total=budget, desc="calibrate", unit="candidate", file=sys.stderr,
              disable=None if progress else True, dynamic_ncols=True) as bar:
        evaluator.on_done = bar.update
        # The ignore: scipy takes bounds as (low, high) pairs too; scipy-stubs only a Bounds.
        result = optimize.differential_evolution(
            evaluator.loss, bounds, maxiter=iterations, popsize=population,  # type: ignore[arg-type]
            init="latinhypercube", seed=base.seed % 2**32, polish=False, tol=0.0,
            updating="deferred", workers=evaluator.map,
        )
        best = [float(x) for x in result.x]
        evaluator.many([point for i in range(len(parameters))
                        for point in _scan(best, i, bounds)])
    return _gather(path, parameters, common, evaluator, base, started, workers,
                   {"iterations": iterations, "population": population})


def _check_range(path: Path, common: list[Override], parameter: FitParameter) -> None:
    """Refuse, before any run, a --fit range the scenario refuses at an end or inside.

    The inside point is one no round number hits, so a key that takes only whole numbers or
    names is refused too: the search tries any number between the ends. Where no range could
    do (the key does nothing in this scenario, or the same refusal holds at both ends and
    inside), the message says the key cannot be fitted, not to give another range.
    """
    inside = parameter.low + (parameter.high - parameter.low) * (3 - math.sqrt(5)) / 2
    points = ((parameter.low, "its low end"), (parameter.high, "its high end"),
              (inside, "a value inside it"))
    refused: list[tuple[float, str, GridqueueError]] = []
    for value, where in points:
        with warnings.catch_warnings():
            if refused:  # tried only to tell why: its warnings would repeat the first one's
                warnings.simplefilter("ignore")
            try:
                load_with_parameters(path, {parameter.key: value}, common)
            except GridqueueError as exc:
                refused.append((value, where, exc))
    if not refused:
        return
    value, where, first = refused[0]
    given = fit_given(parameter.key, parameter.low, parameter.high)
    said = f"{value:.6g} ({where}) gives {candidate_problem(first)}"
    if _refused_at_any_value(parameter.key, [problem for _, _, problem in refused],
                             len(points)):
        raise GridqueueError(f"{given}: this key cannot be fitted in this scenario, whatever "
                             f"the range: {said}") from None
    advice = ("the search tries any number between the ends, so fit a key that takes "
              "fractions" if value == inside else "give a range in which every value is allowed")
    raise GridqueueError(f"{given}: {said}; {advice}") from None


def _check_corners(evaluator: CandidateEvaluator, bounds: list[tuple[float, float]]) -> None:
    """Refuse, before any run, ranges whose values are each allowed alone but not together.

    Each range passed alone (:func:`_check_range`); where the ends of several ranges meet is
    where such a refusal is commonest (a rate scale of 0 leaves a fitted priority_uptake
    nobody to act on), and the search would meet it only after minutes. Only corners of the
    box of ranges are loaded, so ranges fine at every corner pass; a refused corner is said
    as the search says a refused candidate.
    """
    if len(bounds) < 2:  # a single range's ends were tried alone
        return
    for corner in _corners(bounds):
        evaluator.scenario(corner)


def _corners(bounds: list[tuple[float, float]]) -> list[list[float]]:
    """The corners of the box of ranges loaded before any run, all-low first.

    Every corner up to :data:`FULL_BOX` parameters; beyond, those at most two ends away from
    the all-low or the all-high corner: each pair of ends, the others all low or all high
    (2 + 2k + k(k - 1) loads, not 2**k).
    """
    count = len(bounds)
    if count <= FULL_BOX:
        picks = list(itertools.product((0, 1), repeat=count))
    else:
        picks = [tuple(side ^ (i in flipped) for i in range(count)) for side in (0, 1)
                 for size in range(3) for flipped in itertools.combinations(range(count), size)]
    return [[bounds[i][end] for i, end in enumerate(pick)] for pick in dict.fromkeys(picks)]


def _refused_at_any_value(key: str, refusals: list[GridqueueError], tried: int) -> bool:
    """Whether no range of ``key`` could be fitted: the refusals do not depend on its value.

    So when the key itself (or a setting it lies inside) would do nothing in this scenario
    whatever its value (an :class:`~sim.errors.InertSetting`), or when every value tried is
    refused for the same reason, in the same words.
    """
    if any(isinstance(exc, InertSetting) and f"{key}.".startswith(f"{exc.key_path}.")
           for exc in refusals):
        return True
    return len(refusals) == tried and len({candidate_problem(exc) for exc in refusals}) == 1


def _scan(best: list[float], index: int, bounds: list[tuple[float, float]]) -> list[list[float]]:
    """Points along one parameter, the others at their best values."""
    low, high = bounds[index]
    return [[*best[:index], float(value), *best[index + 1:]]
            for value in np.linspace(low, high, SCAN_POINTS)]


def _common_overrides(overrides: Changes, replications: int | None) -> list[Override]:
    """The ``--set`` changes (and the replications asked for), each named as it was given.

    Text is ``--set`` text, on the command line or in Python; a mapping's items are named
    ``override key=value``, as :func:`sim.load_scenario` names them.
    """
    common = as_overrides(overrides)
    if replications is not None:
        common += as_overrides({"replications": replications})
    return common


def _as_mapping(common: list[Override]) -> dict[str, Any]:
    """The common changes as key paths and values (a later change of a key wins)."""
    return {change.key_path: change.value for change in common}


def _acts(evaluations: pd.DataFrame, key: str, keys: Sequence[str]) -> bool:
    """Whether changing ``key`` alone ever changed the loss (beyond rounding).

    Candidates that differ in ``key`` only (its scan, at least) are compared. If none of them
    fits better or worse than another, the observations say nothing about ``key``: calling
    its values "plausible" or "pinned down" would credit the data with what they do not hold.
    """
    others = [k for k in keys if k != key]
    groups = evaluations.groupby(others)["loss"] if others else [(None, evaluations["loss"])]
    return any(not np.allclose(losses, losses.iloc[0], rtol=1e-9, atol=1e-9)
               for _, losses in groups)


def _gather(path: Path, parameters: Sequence[FitParameter], common: list[Override],
            evaluator: CandidateEvaluator, base: Scenario, started: float,
            workers: int | None, search: dict[str, int]) -> Calibration:
    evaluations = pd.DataFrame(evaluator.rows)  # scenario_sha256 kept: evaluations.csv resumes
    evaluations = evaluations.drop_duplicates(subset=evaluator.keys).reset_index(drop=True)
    best_row = evaluations.loc[evaluations["loss"].idxmin()]  # type: ignore[call-overload]  # a row label
    effects = {p.key: _acts(evaluations, p.key, evaluator.keys) for p in parameters}
    # A parameter without effect adds no degree of freedom to the likelihood: counting it
    # would widen the others' plausible intervals for a key the data never saw.
    threshold = float(special.chdtri(max(1, sum(effects.values())), 1 - CONFIDENCE))
    evaluations["plausible"] = evaluations["loss"] <= best_row["loss"] + threshold
    plausible = evaluations[evaluations["plausible"]]
    rows = []
    for p in parameters:
        low, high = float(plausible[p.key].min()), float(plausible[p.key].max())
        acts = effects[p.key]
        if not acts:  # every value fits the same: nothing is estimated, all of the range plausible
            low, high = p.low, p.high
        rows.append({"parameter": p.key, "estimate": float(best_row[p.key]) if acts else math.nan,
                     "low": low, "high": high, "search_low": p.low, "search_high": p.high,
                     "pinned_down": bool(high - low < PINNED_SHARE * (p.high - p.low)),
                     "has_effect": acts})
    best = {p.key: float(best_row[p.key])
            for p, row in zip(parameters, rows, strict=True) if row["has_effect"]}
    scenario, observations = _fit_at(path, common, best, evaluator, workers)
    # calibrated.yaml sets only the values the data pin down: where it keeps others at the
    # scenario's own, its fit is not the best candidate's, so it is run and told apart.
    written = {p.key: best[p.key] for p, row in zip(parameters, rows, strict=True)
               if row["has_effect"] and row["pinned_down"]}
    calibrated = (None if written == best
                  else _fit_at(path, common, written, evaluator, workers)[1])
    run_info = {
        "gridqueue_version": __version__,
        "scenario_file": str(path),
        "scenario_sha256": scenario_hash(base),
        "seed": base.seed,
        "replications": base.replications,
        "parameters": {p.key: [p.low, p.high] for p in parameters},
        **search,
        "candidates": len(evaluations),
        "overrides": {key: value for key, value in _as_mapping(common).items()
                      if key != "replications"},
        "observations": len(base.observations),
        "observations_files": [str(file) for file in _observation_files(base)],
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
    if calibrated is not None:
        run_info["calibrated_loss"] = float(calibrated["loss_term"].sum())
    return Calibration(path=path, overrides=_as_mapping(common), parameters=list(parameters),
                       best=best, scenario=scenario,
                       estimates=pd.DataFrame(rows), evaluations=evaluations,
                       observations=observations, run_info=run_info,
                       calibrated_observations=calibrated)


def _observation_files(scenario: Scenario) -> list[Path]:
    """The files a scenario's observations were read from: those it read beside its chain.

    Empty when the scenario states its observations itself.
    """
    chain = set(scenario.extends_chain)
    csv = scenario.waiting_list.csv if scenario.waiting_list else None
    waiting = scenario.base_dir / csv if csv else None
    return [file for file in scenario.input_files if file not in chain and file != waiting]


def _fit_at(path: Path, common: list[Override], values: dict[str, float],
            evaluator: CandidateEvaluator, workers: int | None
            ) -> tuple[Scenario, pd.DataFrame]:
    """The scenario at ``values`` and its observations table with each figure's loss term.

    Run with the candidates' replications (the same seed), so at the best candidate's values
    the terms sum to the best loss.
    """
    with evaluator.distinct():
        scenario = load_with_parameters(path, values, common)
    task = CandidateTask([scenario], scenario.replications, [load_waiting_rows(scenario)])
    simulated = list(map_replications(task, list(range(scenario.replications)), workers,
                                      False, "calibrate", seed=scenario.seed,
                                      scheduler=evaluator.scheduler))
    observations = observation_table(scenario.observations, simulated)
    terms, misfit = synthetic_terms(evaluator.observed, evaluator.uncertainty,
                                    np.vstack(simulated), evaluator.bound)
    observations["loss_term"] = terms
    observations["misfit_sd"] = misfit
    return scenario, observations


def calibrate_to_directory(
    directory: str | Path,
    path: str | Path,
    parameters: Sequence[FitParameter],
    overrides: Changes = (),
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
    started = time.perf_counter()
    checked = _checked(path, parameters, overrides, options.pop("replications", None),
                       options.get("iterations", ITERATIONS),
                       options.get("population", POPULATION))
    if resume and not force:  # once the inputs are known good: their error comes first
        nothing_to_resume(directory, "calibration", ("calibration.txt", "calibration.csv"))
    finished = False
    try:
        with resumable_directory(directory, force, resume, inputs=checked.base.input_files,
                                 what="calibration") as staging:
            result = _search(checked, started, store=staging, **options)
            if command is not None:
                result.run_info["command"] = list(command)
            result.write_summary(staging)
            finished = True
    except KeyboardInterrupt:  # said once the staging area is kept or dropped: what is on disk
        raise interrupted(directory, "calibration", _kept_evaluations, finished) from None
    return result


def _kept_evaluations(partial: Path) -> str:
    """The evaluations in a store (its lines but the header)."""
    file = partial / EVALUATIONS
    if not file.is_file():
        return "0 evaluation(s)"
    with open(file, encoding="utf-8") as handle:
        return f"{max(sum(1 for _ in handle) - 1, 0)} evaluation(s)"
