"""Running replications: serially (the reference path), in processes or on a Dask cluster.

Each replication is a pure function of (scenario, replication index), and results are put
back in replication order, so one worker, many, or a cluster give identical tables. A run
keeps per-replication figures in memory and hands applicant rows to a spool that moves them to
disk when there are too many (:mod:`sim.runs.spool`), so memory does not grow with replications.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from functools import cache, partial
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim._version import __version__
from sim.errors import (
    GridqueueError,
    InputError,
    ReplicationError,
    argument,
    kept_warnings,
    run_alone,
    warn,
)
from sim.inputs.loading import check_edited, load_waiting_rows, shown_csv
from sim.inputs.scenario import MAX_REPLICATIONS, Scenario
from sim.inputs.waiting_list_csv import WaitingRows
from sim.runs.areas import area_summary
from sim.runs.metrics import ALL
from sim.runs.policy_code import code_hashes, policy_files
from sim.runs.replication import ReplicationOutput, check_policies, run_replication
from sim.runs.results import (
    Results,
    definition_hash,
    dependency_versions,
    scenario_hash,
    waiting_list_sha256,
)
from sim.runs.spool import ApplicantSpool, encode_rows
from sim.runs.staging import temporary_directory
from sim.runs.stats import summarise, summarise_projects
from sim.runs.workers import signals_held, stop_workers, worker_pool

__all__ = ["check_replication_count", "check_workers", "default_workers", "map_replications",
           "run", "run_replications"]

T = TypeVar("T")


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_replications(
    scenario: Scenario,
    replications: Iterable[int] | None = None,
    workers: int | None = None,
    progress: bool = True,
    label: str | None = None,
    scheduler: str | None = None,
    keep_applicants: bool = True,
) -> Iterator[ReplicationOutput]:
    """Yield the output of each replication, in replication order.

    ``scheduler`` is the address of a Dask scheduler to run on (see :func:`map_replications`).
    Without ``keep_applicants`` the applicant rows are dropped where they were made (the
    outputs keep an empty table with their columns): a sweep needs only the key figures.
    What checking the user's policies warned of, in whichever process, is said here.
    """
    indices = list(range(scenario.replications)) if replications is None else list(replications)
    rows = load_waiting_rows(scenario)
    elsewhere = bool(scheduler) or _worker_count(workers, indices) > 1
    task = _ReplicationTask(scenario, rows, encoded=elsewhere, keep_applicants=keep_applicants,
                            checks_policies_in=indices[0] if indices else None)
    for output in map_replications(task, indices, workers, progress, label or scenario.name,
                                   seed=scenario.seed, scheduler=scheduler):
        for message in output.warnings:
            warn(message)
        yield output


class _ReplicationTask:
    """A picklable callable: one replication of one scenario.

    With ``encoded`` the applicant rows come back encoded (:func:`sim.runs.spool.encode_rows`):
    the main process then has only a bytes object to receive and store, which leaves the
    cores to the workers. Without ``keep_applicants`` they do not come back at all.
    """

    def __init__(self, scenario: Scenario, rows: WaitingRows | None, encoded: bool,
                 keep_applicants: bool = True, checks_policies_in: int | None = None) -> None:
        self.scenario = scenario
        self.rows = rows
        self.encoded = encoded
        self.keep_applicants = keep_applicants
        self.checks_policies_in = checks_policies_in
        """The replication before which the user's policies are checked (their ranks against
        their sort_key): in a worker, as all of the user's code runs, so that a policy that
        hangs is stopped with the workers. What the check warns of comes back with that
        replication's output, for the main process to say."""

    def __call__(self, replication: int) -> ReplicationOutput:
        said: list[str] = []
        if replication == self.checks_policies_in:
            try:
                with kept_warnings() as said:
                    check_policies(self.scenario, self.rows, users_only=True)
            except InputError as exc:
                raise PolicyBroken(exc.source, exc.key_path, exc.expected, exc.line) from None
        output = run_replication(self.scenario, replication, self.rows)
        if said:
            output = replace(output, warnings=tuple(said))
        if not self.keep_applicants:
            assert isinstance(output.applicants, pd.DataFrame)
            output = replace(output, applicants=output.applicants.iloc[:0])
        if self.encoded:
            assert isinstance(output.applicants, pd.DataFrame)
            output = replace(output, applicants=encode_rows(output.applicants))
        return output


def check_workers(workers: int | None) -> None:
    """Refuse a worker count that is not a whole number of at least one (None: all cores)."""
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool)
                                or workers < 1):
        raise GridqueueError(f"workers: expected a whole number of at least 1, got {workers!r}")


def check_replication_count(replications: object) -> int | None:
    """A count of replications given as an argument, or a GridqueueError naming it as given.

    A whole number of at least one (a NumPy integer too, as an int) and at most
    :data:`~sim.inputs.scenario.MAX_REPLICATIONS`; None keeps the scenario's own. Given to
    ``compare``, ``sweep`` or ``calibrate`` it became a change of the scenario, so a wrong one
    was refused as ``--set replications=0`` (or ``override replications=...``), an option
    nobody typed, or failed with a TypeError (text, in ``compare``).
    """
    if replications is None:
        return None
    if (isinstance(replications, bool) or not isinstance(replications, int | np.integer)
            or replications < 1):
        raise GridqueueError(f"{argument('replications', replications)}: expected a whole "
                             "number of at least 1")
    if replications > MAX_REPLICATIONS:
        raise GridqueueError(f"{argument('replications', replications)}: expected a whole "
                             f"number from 1 to {MAX_REPLICATIONS:,}")
    return int(replications)


def _check_request(scenario: Scenario, workers: int | None,
                   replications: list[int] | None) -> None:
    """Refuse worker counts below one and replication indices out of range or given twice."""
    check_workers(workers)
    if replications == []:
        raise GridqueueError("replications: expected at least one replication index, got none")
    seen: set[int] = set()
    for index in replications or []:
        if (not isinstance(index, int | np.integer) or isinstance(index, bool)
                or not 0 <= index < scenario.replications):
            shown = index if isinstance(index, int | np.integer) else repr(index)
            raise GridqueueError(f"replication {shown}: expected a replication from 0 to "
                                 f"{scenario.replications - 1}")
        if index in seen:
            raise GridqueueError(f"replication {index}: given more than once; expected each "
                                 "replication once")
        seen.add(index)


def _indices(replications: Iterable[int] | None) -> list[int] | None:
    """The replication indices asked for, as a list; a lone number is refused, not iterated.

    The refusal says how to run that many instead: ``compare`` and ``sweep`` take a count
    of replications where ``run`` takes indices, and a count typed here from habit was
    refused without a word of the difference.
    """
    if replications is None:
        return None
    if isinstance(replications, str | bytes | Mapping) or not isinstance(replications, Iterable):
        count = (int(replications) if isinstance(replications, int | np.integer)
                 and not isinstance(replications, bool) and replications >= 1 else None)
        how = "" if count is None else (
            f": to run {count} replication{'s' if count != 1 else ''}, give the count to the "
            f"scenario, load_scenario(path, {{'replications': {count}}}), and run it without "
            "replications=")
        raise GridqueueError(
            "replications: expected a list of replication indices, such as [0], got "
            f"{replications!r}; run's replications picks which of the scenario's replications "
            f"run (all by default), where compare's and sweep's is a count{how}")
    return list(replications)


def _worker_count(workers: int | None, indices: list[int]) -> int:
    """Worker processes for these replications: as asked (default all cores), at most one each.

    More than the cores is allowed, with a warning: each worker holds a copy of the model, and
    beyond the cores they only take turns, so the run gets no faster and needs more memory.
    """
    count = max(1, min(workers or default_workers(), len(indices) or 1))
    if workers is not None and count > default_workers():
        _warn_more_workers_than_cores(workers, default_workers())
    return count


@cache
def _warn_more_workers_than_cores(asked: int, cores: int) -> None:
    """Say once a process, not again for each scenario of a comparison or cell of a sweep.

    Keyed on the number asked for, which each of them shares (the processes started are
    fewer where a scenario has fewer replications).
    """
    warn(f"{asked} worker processes asked for on {cores} core{'s' if cores > 1 else ''}: the "
         f"run is no faster than with {cores} and each worker needs memory of its own "
         "(results are the same whatever the number)")


def map_replications(
    task: Callable[[int], T],
    indices: list[int],
    workers: int | None,
    progress: bool,
    label: str,
    seed: int,
    scheduler: str | None = None,
) -> Iterator[T]:
    """Apply ``task`` to each index with ``workers`` processes; yield results in index order.

    Results that finish early wait in memory until those before them are done, so output is
    streamed in order without holding every replication at once. With ``scheduler`` (the
    address of a Dask scheduler, e.g. ``tcp://10.0.0.5:8786``) the tasks run on that cluster
    instead and ``workers`` is not used; ``task`` must then be picklable, as it must for
    worker processes.
    """
    bar = tqdm(total=len(indices), desc=label, unit="rep", disable=None if progress else True,
               file=sys.stderr, leave=False, dynamic_ncols=True)
    try:
        if scheduler:
            from sim.runs.distributed import map_on_cluster

            yield from map_on_cluster(partial(_guarded, task, seed=seed), indices, scheduler,
                                      seed, on_done=bar.update)
            return
        workers = _worker_count(workers, indices)
        if workers == 1:
            for index in indices:
                yield _guarded(task, index, seed)
                bar.update()
            return
        yield from _parallel(task, indices, workers, bar, seed)
    finally:
        bar.close()


class PolicyBroken(InputError):
    """A user's policy broke its contract, found before the replications: not in one of them."""


class FailedInReplication(InputError):
    """Bad input found in one replication only (a policy failing on its applicants, say).

    Says how to run that replication again, in the words of the caller's process: rebuilt
    from its parts there when it comes from a worker.
    """

    def __init__(self, source: str | None, key_path: str, cause: str, line: int | None,
                 replication: int, seed: int) -> None:
        self.cause = cause
        self.replication = replication
        self.seed = seed
        super().__init__(source, key_path, f"{cause} (in replication {replication}: re-run it "
                         f"alone with {run_alone(seed, replication)})", line=line)

    def __reduce__(self) -> tuple[type[InputError], tuple[Any, ...]]:
        return (type(self), (self.source, self.key_path, self.cause, self.line,
                             self.replication, self.seed))


def _guarded(task: Callable[[int], T], index: int, seed: int) -> T:
    try:
        return task(index)
    except PolicyBroken:
        raise
    except InputError as exc:  # found only in this replication (a policy failing on it, say)
        raise FailedInReplication(exc.source, exc.key_path, exc.expected, exc.line, index,
                                  seed) from exc
    except GridqueueError:
        raise
    except Exception as exc:  # any other failure inside a replication: name it to re-run it
        raise ReplicationError(index, seed, f"{type(exc).__name__}: {exc}") from exc


MAX_BATCH = 8
"""Replications per task sent to a worker process, at most."""


def _batches(indices: list[int], workers: int) -> list[list[int]]:
    """Consecutive replications in tasks of up to :data:`MAX_BATCH`, smaller towards the end.

    Each task costs the main process about a millisecond of the cores it shares with the
    workers; batching spares most of that. A batch is at most a quarter of what remains per
    worker (guided self-scheduling), so the last tasks are single replications and the
    workers finish together, and the progress bar keeps moving. The price: an error in one
    replication is reported once the batches already running are done.
    """
    batches, start = [], 0
    while start < len(indices):
        size = max(1, min(MAX_BATCH, (len(indices) - start) // (4 * workers)))
        batches.append(indices[start:start + size])
        start += size
    return batches


def _parallel(
    task: Callable[[int], T], indices: list[int], workers: int, bar: tqdm[NoReturn], seed: int
) -> Iterator[T]:
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    # fork lets workers see policies registered in the parent, e.g. in a notebook.
    with temporary_directory("gridqueue-running-") as running, \
            worker_pool(workers, context) as pool:
        marked = partial(_marked, task, Path(running), seed)
        futures: dict[Future[list[T]], list[int]] = {}
        done: dict[int, T] = {}
        position = 0
        try:
            with signals_held():  # the first submit forks the workers
                for batch in _batches(indices, workers):
                    futures[pool.submit(marked, batch)] = batch
            for future in as_completed(futures):
                batch = futures.pop(future)  # a finished future holds its results: let go
                try:
                    done.update(zip(batch, future.result(), strict=True))
                except BrokenProcessPool:
                    raise _who_broke_the_pool(task, Path(running), seed, context) from None
                except (FailedInReplication, ReplicationError) as error:
                    raise _in_callers_words(error) from None
                bar.update(len(batch))
                while position < len(indices) and indices[position] in done:
                    yield done.pop(indices[position])
                    position += 1
        except BaseException:
            # Ctrl-C, SIGTERM, an error, or the caller stopped early: the workers may be in
            # the middle of a replication (or stuck in a policy) that nobody will read.
            stop_workers(pool)
            raise


def _in_callers_words(error: FailedInReplication | ReplicationError) -> GridqueueError:
    """A worker's ``error`` made again here, so that it says how to re-run in the caller's words.

    The pool unpickles it in a thread of its own, which does not see that the caller gave
    command-line options (:func:`~sim.errors.arguments_as_options`): ``gridqueue run
    --workers 2`` was told of ``sim.run``'s arguments.
    """
    rebuild, parts = error.__reduce__()[:2]
    return rebuild(*parts)


def _marked(task: Callable[[int], T], running: Path, seed: int, batch: list[int]) -> list[T]:
    """Run a batch of replications in a worker, leaving a mark while each runs.

    A worker that dies cannot say which replication it was running; the marks it leaves
    behind can (the pool stops the other workers too, so their marks stay as well).
    """
    results = []
    for index in batch:
        mark = running / str(index)
        mark.touch()
        results.append(_guarded(task, index, seed))
        mark.unlink()
    return results


def _who_broke_the_pool(
    task: Callable[[int], Any], running: Path, seed: int, context: Any
) -> GridqueueError:
    """Name the replication that killed its worker.

    Each replication that was running when the pool broke is re-run alone; the first whose
    own worker dies is the one to name. If none does, the worker was killed from outside.
    """
    suspects = sorted(int(mark.name) for mark in running.iterdir() if mark.name.isdigit())
    for index in suspects:
        with worker_pool(1, context) as alone:
            try:
                with signals_held():
                    future = alone.submit(_guarded, task, index, seed)
                future.result()
            except BrokenProcessPool:
                return ReplicationError(index, seed, "its worker process died (it crashed, "
                                        "was killed, or ran out of memory)")
            except (FailedInReplication, ReplicationError) as error:
                return _in_callers_words(error)
            except GridqueueError as error:
                return error
    running_now = ", ".join(map(str, suspects)) or "unknown"
    return GridqueueError(f"a worker process died while replications {running_now} ran "
                          "(killed from outside, or out of memory); each ran fine alone "
                          "afterwards, so run the command again")


def inputs_unchanged(scenario: Scenario, waiting_list: str | None,
                     policy_code: Mapping[str, str]) -> dict[str, str]:
    """Refuse a waiting list or policy module changed since replications read them.

    ``waiting_list`` and ``policy_code`` are their hashes from before the replications ran
    (:func:`~sim.runs.results.waiting_list_sha256`, :func:`~sim.runs.policy_code.code_hashes`):
    the results would not match the copies kept with them. Returns the policy code's hashes.
    """
    if waiting_list_sha256(scenario) != waiting_list:
        raise InputError(shown_csv(scenario), "", "expected the file to stay as it was while "
                         "the replications ran: it was changed, so their results were not "
                         "written (they would not match the copy kept with them); run again")
    code = code_hashes(scenario)
    for module, sha256 in code.items():
        if policy_code.get(module) != sha256:
            raise InputError(policy_files(scenario)[module][0], "", "expected the policy "
                             "module to stay as it was while the replications ran: it was "
                             "changed, so their results were not written (they would not "
                             "match the copy kept with them); run again")
    return code


def run(
    scenario: Scenario,
    *,
    workers: int | None = None,
    progress: bool = False,
    replications: Iterable[int] | None = None,
    scheduler: str | None = None,
) -> Results:
    """Run every replication of a scenario and gather the tables.

    Args:
        scenario: from :func:`sim.load_scenario` (or built in code).
        workers: worker processes; default all cores. Results do not depend on it.
        progress: show a progress bar on standard error.
        replications: run only these replication indices (default all), e.g. ``[3]`` to
            re-run one that failed. Not a count, as in :func:`sim.compare`: the scenario says
            how many there are (``load_scenario(path, {"replications": 5})``).
        scheduler: address of a Dask scheduler (``tcp://host:port``) to run the replications
            on a cluster instead of local processes; results are identical.

    Returns:
        The :class:`~sim.Results`: its tables in memory, written by :meth:`Results.write`.

    Raises:
        InputError: the scenario is invalid (one edited with ``model_copy(update=...)`` is
            checked again here) or its waiting-list CSV or a policy is.
        ReplicationError: a replication failed; names it and its seed, to re-run it alone.
        GridqueueError: ``workers`` or ``replications`` of the wrong type or range.
    """
    started = time.perf_counter()
    created = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    check_edited(scenario)
    replications = _indices(replications)
    _check_request(scenario, workers, replications)
    workers = workers or default_workers()
    try:
        read_as = waiting_list_sha256(scenario)  # the list as the replications read it
    except OSError:  # gone or unreadable since loading: reading it says what is wrong
        load_waiting_rows(scenario)
        raise
    code_read = code_hashes(scenario)  # and the policy code, imported before they start
    applicants = ApplicantSpool()
    projects: list[pd.DataFrame]
    projects, metrics, area_metrics, timeseries, indices = [], [], [], [], []
    observed: list[np.ndarray] = []
    for output in run_replications(scenario, replications, workers, progress,
                                   scheduler=scheduler):
        applicants.add(output.applicants)
        if len(output.projects) or not projects:  # the first, if empty, gives the columns
            projects.append(output.projects)
        metrics.append(output.metrics)
        area_metrics.append(output.area_metrics)
        timeseries.append(output.timeseries)
        indices.append(output.replication)
        observed.append(output.observed)
    metric_table = pd.concat(metrics, ignore_index=True)
    policy_code = inputs_unchanged(scenario, read_as, code_read)
    scenario_sha256 = scenario_hash(scenario)  # the scenario as YAML: 5 ms, so only once
    run_info = {
        "gridqueue_version": __version__,
        "scenario": scenario.name,
        "scenario_files": [str(path.resolve()) for path in scenario.extends_chain],
        "options": list(scenario.options_given),  # what changed the files, for the report
        "scenario_sha256": scenario_sha256,
        "inputs_sha256": definition_hash(scenario, replications, scenario_sha256),
        "policy_code": policy_code,
        "seed": scenario.seed,
        "replications": indices if replications is not None else len(indices),
        "workers": workers,
        **({"scheduler": scheduler} if scheduler else {}),
        "wall_time_seconds": round(time.perf_counter() - started, 3),
        "created_utc": created,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "dependencies": dependency_versions(),
    }
    summary = summarise(metric_table)
    _warn_of_rights_hardly_usable(scenario, summary)
    return Results(
        scenario=scenario,
        applicants=applicants,
        timeseries=pd.concat(timeseries, ignore_index=True),
        summary=summary,
        replication_metrics=metric_table,
        projects=summarise_projects(pd.concat(projects, ignore_index=True), len(indices)),
        run_info=run_info,
        observed=np.array(observed, dtype=float) if scenario.observations else None,
        area_metrics=(by_area := pd.concat(area_metrics, ignore_index=True)),
        areas=area_summary(by_area),
    )


RIGHTS_HARDLY_USABLE = 0.25
"""A mean usable share of non-firm rights below this is warned of after a run."""


def _warn_of_rights_hardly_usable(scenario: Scenario, summary: pd.DataFrame) -> None:
    """Warn where non-firm rights were hardly usable: they still end the wait to a connection.

    A right counts as a first connection however little of it its holder can use: 621 rights a
    replication to a pool of 5 MW, usable for 0.76% of their MW-hours, read as 1.4 years
    shorter waits. Nothing warned; the wait to a full firm connection counts no right.
    """
    row = summary[(summary["group"] == ALL) & (summary["metric"] == "non_firm_usable_share")]
    share = float(row["mean"].iloc[0]) if len(row) else float("nan")
    if not share < RIGHTS_HARDLY_USABLE:  # NaN too: nobody held a right
        return
    percent = f"{100 * share:.2f}".rstrip("0").removesuffix(".")
    warn(f"{scenario.name}: its non-firm rights were usable for {percent}% of their MW-hours "
         "on average (the hours they allow, less what sharing a pool took): a right ends the "
         "wait to a first connection however little of it can be used, so that wait reads "
         "short; the wait to a full firm connection (wait_firm_rmst_10y_years) counts no right")
