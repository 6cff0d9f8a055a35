"""Judging candidate parameter values: simulate each with common random numbers, score the fit.

Each candidate is a scenario; its replications use the scenario's seed, so two candidates
differ by their parameters, not by their luck. A candidate's score is a Gaussian synthetic
likelihood of the published observations (:func:`synthetic_loss`). The evaluator runs the
candidates it is given in one batch (local processes or a Dask cluster), stores each score as
soon as the candidate's replications are in, and reuses stored scores of the very same
candidate scenario, so an interrupted calibration loses only the candidates still running.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.parameters import Changes, ParameterisedScenario
from sim.errors import GridqueueError, InertSetting, InputError, given_as, one_line, warn
from sim.inputs.loading import load_waiting_rows
from sim.inputs.scenario import Scenario
from sim.inputs.waiting_list_csv import WaitingRows
from sim.inputs.yaml_source import OVERRIDE_SOURCES
from sim.runs.observed import COUNTING_CHANGES, COUNTING_VERSION
from sim.runs.policy_code import code_hashes
from sim.runs.replication import run_replication
from sim.runs.results import definition_hash, scenario_hash, waiting_list_sha256
from sim.runs.runner import inputs_unchanged, map_replications

__all__ = ["EVALUATIONS", "CandidateEvaluator", "CandidateTask", "DistinctWarnings",
           "candidate_problem", "fit_given", "synthetic_loss", "synthetic_terms"]

EVALUATIONS = "evaluations.csv"
"""The file every evaluation is appended to as it finishes."""

COUNTING = "counting_version"
"""The column of an evaluation's :data:`~sim.runs.observed.COUNTING_VERSION`."""


def synthetic_terms(observed: np.ndarray, uncertainty: np.ndarray, simulated: np.ndarray,
                    bound: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each observation's term of :func:`synthetic_loss`, and its misfit in standard deviations.

    Args:
        observed: the published values (one per observation).
        uncertainty: their relative uncertainties.
        simulated: replications by observations.
        bound: per observation 1 for an upper bound, -1 for a lower one, 0 for a point value
            (default: all point values).

    Returns:
        The terms, which sum to the loss, and (mean - observed) / the standard deviation the
        published value is judged with (0 for a bound the mean keeps).
    """
    count = len(simulated)
    mean = simulated.mean(axis=0)
    spread = simulated.var(axis=0, ddof=1) if count > 1 else np.zeros_like(mean)
    variance = (uncertainty * observed) ** 2 + spread * (1 + 1 / count)
    variance = np.maximum(variance, (1e-3 * np.maximum(np.abs(observed), 1.0)) ** 2)
    side = np.zeros_like(mean) if bound is None else np.asarray(bound, dtype=float)
    beyond = mean - observed
    beyond = np.where(side > 0, np.maximum(beyond, 0.0),
                      np.where(side < 0, np.minimum(beyond, 0.0), beyond))
    # A bound costs nothing on its allowed side and the Gaussian's penalty beyond it; a point
    # value the whole Gaussian term, with the log of its variance.
    terms = beyond ** 2 / variance + np.where(side == 0, np.log(variance), 0.0)
    return terms, beyond / np.sqrt(variance)


def synthetic_loss(observed: np.ndarray, uncertainty: np.ndarray, simulated: np.ndarray,
                   bound: np.ndarray | None = None) -> float:
    """Minus twice the Gaussian log-likelihood of the published values (constant left out).

    A bound adds only the penalty of a simulated mean beyond it (:func:`synthetic_terms`).

    Args:
        observed: the published values (one per observation).
        uncertainty: their relative uncertainties.
        simulated: replications by observations.
        bound: per observation 1 for an upper bound, -1 for a lower one, 0 for a point value.
    """
    terms, _ = synthetic_terms(observed, uncertainty, simulated, bound)
    return float(terms.sum()) if np.all(np.isfinite(terms)) else math.inf


def fit_given(key: str, low: float, high: float, *, with_range: bool = True) -> str:
    """A parameter and its range as the caller gave them (:func:`~sim.errors.given_as`).

    ``--fit key=0.5:2`` on the command line (``--fit key`` without the range), and
    ``FitParameter('key', 0.5, 2)`` in Python.
    """
    option = f"--fit {key}={low:g}:{high:g}" if with_range else f"--fit {key}"
    return given_as(option, f"FitParameter({key!r}, {low:g}, {high:g})")


def candidate_problem(exc: GridqueueError) -> str:
    """What the scenario refuses in a candidate, without the override it was given as.

    Candidate values reach the scenario as overrides the user never typed (a spanning
    parameter as every stream's own key), so only the key and what it expects are told.
    """
    if isinstance(exc, InputError) and exc.source and exc.source.startswith(OVERRIDE_SOURCES):
        return f"{exc.key_path}: {exc.expected}" if exc.key_path else exc.expected
    return str(exc)


_CANDIDATE_VALUE = re.compile(r"override ([^\s=]+)=([-+0-9.eE]*[0-9])(?=[:,;.\s]|$)")
"""Where a warning names a candidate's value of a key: ``override key=0.8412618782922832``,
before a colon, a comma (``after override key=0.0, nobody...``) or the end of a sentence."""
_TAKEN = re.compile("\0([^\0]*)\0")
"""A fitted key whose value :meth:`DistinctWarnings._taken` took out of a warning."""


class DistinctWarnings:
    """Each distinct warning of loading the candidates, shown once and said of the --fit range.

    Every candidate is a scenario loaded anew, so a warning of a fitted key (priority_uptake
    under a policy that serves no priority, say) came once per candidate, each naming its own
    value. Used as ``with distinct():`` around a load, or the loads of one range's ends and
    a point inside (:func:`sim.analysis.calibration._check_range`): the warnings are caught,
    a candidate's value replaced by the range given (``--fit key=0:1``), and those not yet
    shown passed on. Where only some of the values loaded together give a warning, it names
    those: an end of the range by its name (``--fit key=0:1 at its low end (0)``), another
    value as it is; given at both ends and inside, it is said of the whole range.
    """

    def __init__(self, ranges: Mapping[str, tuple[float, float]]) -> None:
        self.ranges = dict(ranges)
        self.seen: set[tuple[type[Warning], str]] = set()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        # Each warning as a template (the fitted values taken out), with the values that gave it.
        found: dict[tuple[type[Warning], str], tuple[warnings.WarningMessage,
                                                     dict[str, list[float]]]] = {}
        for warning in caught:
            values: dict[str, list[float]] = {}
            template = _CANDIDATE_VALUE.sub(partial(self._taken, values=values),
                                            str(warning.message))
            _, given = found.setdefault((warning.category, template), (warning, {}))
            for key, numbers in values.items():
                given.setdefault(key, []).extend(numbers)
        for (category, template), (warning, given) in found.items():
            if (category, template) in self.seen:
                continue
            self.seen.add((category, template))
            text = _TAKEN.sub(partial(self._filled, given=given), template)
            warnings.warn_explicit(text, category, warning.filename, warning.lineno)

    def _taken(self, match: re.Match[str], values: dict[str, list[float]]) -> str:
        """A fitted key's value taken out of a warning (kept in ``values``); another's kept."""
        key = match.group(1)
        try:
            value = float(match.group(2))
        except ValueError:  # not a number after all (``1.2.3``): left as it is
            return match.group(0)
        if key not in self.ranges:
            return match.group(0)
        values.setdefault(key, []).append(value)
        return f"\0{key}\0"

    def _filled(self, match: re.Match[str], given: dict[str, list[float]]) -> str:
        """A value taken out by :meth:`_taken` said as its range (:meth:`_named`)."""
        return self._named(match.group(1), given[match.group(1)])

    def _named(self, key: str, numbers: list[float]) -> str:
        """The --fit range of ``key``, with the values of it that gave a warning, if not all.

        All: both ends and a value inside. Else each that did, an end by its name.
        """
        low, high = self.ranges[key]
        given = fit_given(key, low, high)
        values = sorted(set(numbers))
        ends = [value for value in values if value in (low, high)]
        inside = [value for value in values if value not in (low, high)]
        if len(ends) == 2 and inside:
            return given
        if len(ends) == 2:
            return f"{given} at both ends ({low:g} and {high:g})"
        named = [f"its {'low' if value == low else 'high'} end ({value:g})" for value in ends]
        named += [f"{value:.6g}" for value in inside]
        return f"{given} at {' and at '.join(named)}"


class CandidateTask:
    """A picklable callable: replication ``i % R`` of candidate ``i // R``, observed values."""

    def __init__(self, scenarios: list[Scenario], replications: int,
                 rows: list[WaitingRows | None]) -> None:
        self.scenarios = scenarios
        self.replications = replications
        self.rows = rows
        """Each candidate's waiting-list rows, read from its CSV (None: it names none)."""

    def __call__(self, index: int) -> np.ndarray:
        candidate = index // self.replications
        return run_replication(self.scenarios[candidate], index % self.replications,
                               self.rows[candidate]).observed


class CandidateEvaluator:
    """Runs candidates (in batches, in parallel) and remembers every loss.

    ``map`` is the map differential evolution is given: it runs a whole generation at once.
    """

    def __init__(self, path: Path, common: Changes, keys: Sequence[str],
                 base: Scenario, workers: int | None, scheduler: str | None,
                 store: Path | None, distinct: DistinctWarnings | None = None) -> None:
        self.path = path
        self.variants = ParameterisedScenario(path)
        self.common = common
        self.keys = list(keys)
        self.base = base
        self.workers = workers
        self.scheduler = scheduler
        self.store = store
        self.observed = np.array([o.observed for o in base.observations])
        self.uncertainty = np.array([o.uncertainty for o in base.observations])
        self.bound = np.array([{"upper": 1, "lower": -1}.get(o.bound or "", 0)
                               for o in base.observations])
        self.losses: dict[tuple[float, ...], float] = {}
        self.rows: list[dict[str, Any]] = []
        self.stored = _read_store(store, self.keys)
        self.on_done: Callable[[int], Any] = lambda n: None
        self.distinct = distinct or DistinctWarnings({})

    def scenario(self, values: Sequence[float]) -> Scenario:
        """The candidate scenario of these parameter values."""
        chosen = dict(zip(self.keys, values, strict=True))
        try:
            with self.distinct():
                return self.variants.load(chosen, self.common)
        except GridqueueError as exc:  # say it of the --fit ranges, not of an unseen override
            shown = ", ".join(f"{key}={value:.6g}" for key, value in chosen.items())
            raise GridqueueError(f"{given_as('--fit', 'parameters')}: the candidate {shown} "
                                 f"gives {candidate_problem(exc)}; "
                                 f"{self._advice(chosen)}") from None

    def _advice(self, chosen: dict[str, float]) -> str:
        """What the user can do about a refused candidate, found by loading parts of it.

        A value refused on its own (the other parameters at the scenario's values) asks for
        another range of its key, or says the key cannot be fitted where it would do nothing
        at any value. Values each allowed on its own but not together (a rate of 0 that leaves
        a fitted priority uptake nobody to act on) ask for ranges that never combine them,
        naming the keys whose values take part: a range in which every value is allowed, as
        the hint used to say, is what they already have.
        """
        for key, value in chosen.items():
            problem = self._refusal({key: value})
            if problem is None:
                continue
            if isinstance(problem, InertSetting) and f"{key}.".startswith(
                    f"{problem.key_path}."):
                return f"{key} cannot be fitted in this scenario, whatever the range"
            alone = " on its own too" if len(chosen) > 1 else ""
            return (f"{key}={value:.6g} is refused{alone}: give a range of {key} in which every "
                    "value is allowed")
        involved = [key for key in chosen
                    if self._refusal({k: v for k, v in chosen.items() if k != key}) is None]
        if len(involved) < 2:
            involved = list(chosen)
        values = " and ".join(f"{key}={chosen[key]:.6g}" for key in involved)
        return (f"{values} are each allowed on its own, not together: narrow the range of one "
                f"or more of {', '.join(involved)} so that no candidate combines such values"
                f"{self._ends(chosen, involved)}, or fit them in separate calibrations")

    def _ends(self, chosen: dict[str, float], keys: list[str]) -> str:
        """Which of the values lie at an end of their --fit range, in brackets (or nothing).

        The scan after the search tries each end, so an end is often what meets the refusal.
        """
        ends = []
        for key in keys:
            low, high = self.distinct.ranges.get(key, (math.nan, math.nan))
            if chosen[key] in (low, high):
                ends.append(f"{key}={chosen[key]:.6g} is the "
                            f"{'low' if chosen[key] == low else 'high'} end of its range")
        return f" ({'; '.join(ends)})" if ends else ""

    def _refusal(self, values: dict[str, float]) -> GridqueueError | None:
        """The refusal of the scenario with only ``values`` set (besides the common ones)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                self.variants.load(values, self.common)
            except GridqueueError as exc:
                return exc
        return None

    def loss(self, values: np.ndarray) -> float:
        """The loss of one candidate (run now, unless known)."""
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
        todo, scenarios, seen = [], [], set()
        read_as: list[tuple[str | None, dict[str, str]]] = []  # the list and the policy code
        for values in candidates:
            key = tuple(values)
            if key in self.losses or key in seen:
                continue
            seen.add(key)
            scenario = self.scenario(values)
            sha256 = _candidate_hash(scenario)
            if (key, sha256) in self.stored:
                self._record(key, sha256, self.stored[(key, sha256)], store=False)
                continue
            todo.append(values)
            scenarios.append((scenario, sha256))
            read_as.append((waiting_list_sha256(scenario), code_hashes(scenario)))
        if not todo:
            return
        count = self.base.replications
        # without its rows, a candidate would leave out the applicants of a waiting-list CSV
        task = CandidateTask([s for s, _ in scenarios], count,
                             [load_waiting_rows(s) for s, _ in scenarios])
        indices = list(range(len(todo) * count))
        results = map_replications(task, indices, self.workers, False, "calibrate",
                                   seed=self.base.seed, scheduler=self.scheduler)
        done: list[np.ndarray] = []
        for row in results:  # in order: a candidate is stored once its last one is in
            done.append(row)
            if len(done) % count == 0:
                number = len(done) // count - 1
                # the list as its rows were read: one edited meanwhile is not stored
                inputs_unchanged(scenarios[number][0], *read_as[number])
                simulated = np.vstack(done[-count:])
                loss = synthetic_loss(self.observed, self.uncertainty, simulated, self.bound)
                self._record(tuple(todo[number]), scenarios[number][1], loss, store=True)

    def _record(self, key: tuple[float, ...], sha256: str, loss: float, store: bool) -> None:
        """Remember one candidate's loss and, if new, append it to the store."""
        self.losses[key] = loss
        row = {**dict(zip(self.keys, key, strict=True)), "loss": loss, "scenario_sha256": sha256,
               COUNTING: COUNTING_VERSION}
        self.rows.append(row)
        if store and self.store is not None:
            _append_store(self.store, row)
        self.on_done(1)


def _candidate_hash(scenario: Scenario) -> str:
    """What a stored evaluation is matched by: the candidate's scenario and its policy code.

    The resolved scenario names a ``module:Class`` policy, not its code, so a store kept
    before the module was edited would lend the earlier code's losses to the new one (a kept
    sweep cell is matched the same way). Without such code it is :func:`scenario_hash`
    alone, so evaluations kept by an earlier gridqueue still resume.
    """
    sha256 = scenario_hash(scenario)
    return definition_hash(scenario, scenario_sha256=sha256) if code_hashes(scenario) else sha256


def _read_store(store: Path | None,
                keys: Sequence[str]) -> dict[tuple[tuple[float, ...], str], float]:
    """Evaluations kept by an earlier, interrupted calibration, by (values, scenario hash).

    The store is the running one or a finished evaluations.csv (a superset of it: the final
    write may be cut short before the output is moved into place). One that cannot be read
    as evaluations of these parameters is refused, as nothing in it could be reused. Those
    whose observations were counted otherwise (:func:`_counted_as_now`) are left out, so
    their candidates run again, and a warning says how many and why.
    """
    file = None if store is None else store / EVALUATIONS
    if file is None or not file.is_file():
        return {}
    try:
        table = pd.read_csv(file)
    except pd.errors.EmptyDataError:
        return {}
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise _unreadable(file, f"it cannot be read as CSV ({one_line(str(exc))})") from None
    needed = [*keys, "loss", "scenario_sha256"]
    missing = [column for column in ("loss", "scenario_sha256") if column not in table.columns]
    if missing:
        raise _unreadable(file, f"it has no {' or '.join(missing)} column (an earlier "
                          "gridqueue's finished file, or not a store of evaluations)")
    given = [str(c) for c in table.columns
             if c not in ("loss", "scenario_sha256", COUNTING, "plausible")]
    if given != list(keys):  # new lines are appended in the order of these parameters
        raise _unreadable(file, f"it holds evaluations of {', '.join(given) or 'no parameter'}"
                          f", not of {', '.join(keys)} in that order (to resume it, give "
                          f"its parameters{given_as(' to --fit', ', in that order')})")
    table = table.dropna(subset=needed)  # a line cut short by a killed process
    table = _counted_as_now(file, table, needed)
    try:
        return {(tuple(float(row[k]) for k in keys), str(row["scenario_sha256"])):
                float(row["loss"]) for row in table.to_dict("records")}
    except (TypeError, ValueError) as exc:
        raise _unreadable(file, f"it holds a value that is not a number ({exc})") from None


def _counted_as_now(file: Path, table: pd.DataFrame, needed: list[str]) -> pd.DataFrame:
    """The kept evaluations whose observations were counted as now; a warning if not all.

    Each row says how its simulated values were counted (``counting_version``); rows
    without that column were kept before it existed, when values were counted as in
    version 1. A loss counted otherwise would not compare with the new ones, as a kept sweep
    cell of other key figures would not (:data:`sim.analysis.sweep_cells.FIGURES_VERSION`):
    the store is written again without it (:func:`_write_store`), so that new lines, which
    have the column, append to a header that has it too. A store whose header lacks the
    column is written again even when no whole line of it is left (one line, cut short by a
    killed process): new lines would otherwise have a field more than its header.
    """
    versions = (pd.to_numeric(table[COUNTING], errors="coerce") if COUNTING in table
                else pd.Series(1, index=table.index))
    now = versions == COUNTING_VERSION
    if now.all() and COUNTING not in table:
        _write_store(file, table.reindex(columns=[*needed, COUNTING]))
    elif not now.all():
        stale = versions[~now]
        earliest = int(stale.min()) if stale.notna().all() else 1
        why = ("; ".join(COUNTING_CHANGES[max(earliest, 1) - 1:])
               if earliest < COUNTING_VERSION else "a later gridqueue counted them otherwise")
        count = int((~now).sum())
        warn(f"{file}: {count} kept evaluation{'' if count == 1 else 's'} counted the "
             f"observations otherwise ({why}): not reused, each such candidate is "
             "evaluated again")
        _write_store(file, table[now].reindex(columns=[*needed, COUNTING]))
    return table[now]


def _write_store(file: Path, table: pd.DataFrame) -> None:
    """Replace a store with ``table``, whole or not at all, with full precision."""
    staged = file.with_name(f".{file.name}.new")
    table.to_csv(staged, index=False, float_format="%.17g")
    os.replace(staged, file)


def _unreadable(file: Path, problem: str) -> GridqueueError:
    """The refusal of a store --resume cannot use: what is wrong, and the way on."""
    again = given_as("--force without --resume", "force=True without resume=True")
    return GridqueueError(f"{file}: cannot be resumed from: {problem}; to start again, pass "
                          f"{again}, which discards these evaluations")


def _append_store(store: Path, row: dict[str, Any]) -> None:
    """Append one evaluation, with a header first; a line is written whole, with full precision."""
    store.mkdir(parents=True, exist_ok=True)
    file = store / EVALUATIONS
    size = file.stat().st_size if file.is_file() else 0
    line = pd.DataFrame([row]).to_csv(index=False, header=size == 0, float_format="%.17g")
    if size and not _ends_a_line(file):  # a line cut short by a killed process stays alone
        line = "\n" + line
    with open(file, "a", encoding="utf-8") as handle:
        handle.write(line)


def _ends_a_line(file: Path) -> bool:
    """Whether a non-empty file ends with a line break."""
    with open(file, "rb") as handle:
        handle.seek(-1, 2)
        return handle.read(1) == b"\n"
