"""Results of a run: the tables, the resolved scenario and provenance; written atomically.

A results directory holds ``applicants.csv``, ``timeseries.csv``, ``summary.csv``,
``replication_metrics.csv``, ``projects.csv``, ``observations.csv`` (if the scenario states
published observations), ``scenario.yaml`` (the fully resolved scenario,
loadable as it is) and ``run.json`` (versions, seeds, hashes, workers, wall time). It is written
to a temporary directory beside the target and moved into place only when complete, so an
interrupted or failed write never leaves half a result or damages an earlier one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.errors import (
    GridqueueError,
    InputError,
    OutputError,
    nearest,
    nearest_by_words,
    warn,
)
from sim.inputs.applicants import CATEGORIES
from sim.inputs.files import SymlinkLoop, resolved
from sim.inputs.scenario import Scenario
from sim.inputs.yaml_source import CoreSchemaDumper
from sim.runs.areas import AREA_COLUMNS, AREA_METRIC_COLUMNS
from sim.runs.csv_writer import write_csv
from sim.runs.metrics import METRICS, SHORTER_WINDOW
from sim.runs.observed import observation_table, observed_values
from sim.runs.policy_code import code_hashes, copy_policy_code, not_kept
from sim.runs.records import APPLICANT_COLUMNS, OUTCOMES
from sim.runs.result_files import (
    TABLE_COLUMNS,
    check_replications,
    check_table,
    check_values,
    read_run_info,
    run_replications,
)
from sim.runs.spool import ApplicantSpool
from sim.runs.staging import staged_directory
from sim.runs.stats import PROJECT_COLUMNS, PROJECT_DTYPES

__all__ = [
    "Results", "definition_hash", "dependency_versions", "scenario_hash", "scenario_yaml",
    "waiting_list_sha256",
]

TABLES = ("applicants", "timeseries", "summary", "replication_metrics", "projects")
AREA_TABLES = ("areas", "area_metrics")
"""The tables of a grid of several areas: its key figures by area, and their values per
replication (none for one area)."""
TEXT_COLUMNS = {
    "applicants": {"name": str, "stream": str, "area": str},
    "timeseries": {"area": str},
    "projects": {"project": str},
    "areas": {"area": str},
    "area_metrics": {"area": str},
}
"""Columns of names, read back as text: a project named 2030 is not the number 2030.0."""
DATE_COLUMNS = {
    "applicants": [c for c in APPLICANT_COLUMNS if c.endswith("_date")],
    "timeseries": ["date"],
    "projects": [c for c in PROJECT_COLUMNS if c.endswith("_date") or "_date_" in c],
}
"""Columns of dates: days, held in seconds (``datetime64[s]``) as a run gives them."""
CATEGORY_COLUMNS = {"category": CATEGORIES, "final_category": CATEGORIES, "outcome": OUTCOMES}
"""Applicant columns of a fixed set of values, categorical as a run gives them."""
DEPENDENCIES = ("simpy", "numpy", "pandas", "scipy", "pydantic", "PyYAML", "matplotlib", "tqdm",
                "pyarrow")


class Results:
    """Everything one run produced, as pandas DataFrames plus provenance.

    Attributes, each the table of the file named:

    - ``scenario``: the resolved scenario that was run (``scenario.yaml``);
    - ``applicants``: one row per applicant and replication (``applicants.csv``);
    - ``timeseries``: state per replication, snapshot time and area (``timeseries.csv``);
    - ``summary``: key figures with their 95% intervals (``summary.csv``);
    - ``replication_metrics``: key figures per replication (``replication_metrics.csv``);
    - ``projects``: when each named project, and each named row of a waiting-list CSV,
      connects, across replications (``projects.csv``);
    - ``run_info``: provenance: versions, seed, hashes, workers, wall time (``run.json``).

    Methods: :meth:`figure` (one key figure: its estimate and 95% interval, numbers, not a
    plot), :meth:`observations` (``observations.csv``), :meth:`write` and :meth:`read`. The
    plots of a run are drawn from these tables by :mod:`sim.figures.plots` (e.g.
    ``plots.wait_figure({name: results.applicants})``), or all at once by
    :func:`sim.report.run.run_figures`.

    The tables have the same dtypes whether a run made them or :meth:`read` read them back:
    ``category``, ``final_category`` and ``outcome`` are categorical, every date is a
    ``datetime64[s]`` (NaT where there is none), names are text ("" where there is none).

    The applicant rows of a run too large to keep in memory wait on disk (see
    :mod:`sim.runs.spool`): :attr:`applicants` reads them in the first time it is used, and
    :meth:`write` streams them into ``applicants.csv`` without doing so.
    """

    scenario: Scenario
    """The resolved scenario that was run."""
    timeseries: pd.DataFrame
    """State per replication, snapshot time and area (``timeseries.csv``)."""
    summary: pd.DataFrame
    """Key figures with 95% confidence intervals (``summary.csv``)."""
    replication_metrics: pd.DataFrame
    """Key figures per replication (``replication_metrics.csv``)."""
    projects: pd.DataFrame
    """When each named project and named waiting-list row connects (``projects.csv``)."""
    run_info: dict[str, Any]
    """Provenance: versions, seed, hashes, workers, wall time (``run.json``)."""
    _applicants: pd.DataFrame | None
    _observed_values: np.ndarray | None
    """Each replication's value of each observation, if counted where the rows were made."""
    _spool: ApplicantSpool | None
    """The rows in memory, or still on disk until first read (see :attr:`applicants`)."""

    def __init__(
        self,
        scenario: Scenario,
        applicants: pd.DataFrame | ApplicantSpool,
        timeseries: pd.DataFrame,
        summary: pd.DataFrame,
        replication_metrics: pd.DataFrame,
        projects: pd.DataFrame,
        run_info: dict[str, Any],
        observed: np.ndarray | None = None,
        areas: pd.DataFrame | None = None,
        area_metrics: pd.DataFrame | None = None,
    ) -> None:
        """Gather a run's tables.

        ``observed`` holds each replication's value of each of the scenario's observations (a
        row per replication, in the order of the tables), as counted where the rows were made;
        without it :meth:`observations` counts them from the rows. ``areas``: the key figures
        by area (:func:`sim.runs.areas.area_summary`), and ``area_metrics`` their values per
        replication; none for a grid of one area.
        """
        self.scenario = scenario
        self.applicants = applicants
        self._observed_values = observed
        self.timeseries = timeseries
        self.summary = summary
        self.replication_metrics = replication_metrics
        self.projects = projects
        self.run_info = run_info
        self.areas = pd.DataFrame(columns=list(AREA_COLUMNS)) if areas is None else areas
        self.area_metrics = (pd.DataFrame(columns=list(AREA_METRIC_COLUMNS))
                             if area_metrics is None else area_metrics)

    @property
    def applicants(self) -> pd.DataFrame:
        """One row per applicant and replication (``applicants.csv``)."""
        if self._applicants is None:
            assert self._spool is not None
            self._applicants, self._spool = self._spool.frame(), None
        return self._applicants

    @applicants.setter
    def applicants(self, rows: pd.DataFrame | ApplicantSpool) -> None:
        self._observed: pd.DataFrame | None = None  # worked out from these rows, once
        self._observed_values = None  # counted from the rows these replace: no longer theirs
        if isinstance(rows, ApplicantSpool):
            self._applicants, self._spool = None, rows
        else:
            self._applicants, self._spool = rows, None

    @property
    def applicants_on_disk(self) -> bool:
        """Whether the applicant rows wait on disk (a run too large to hold them in memory)."""
        return self._spool is not None and self._spool.on_disk

    def __repr__(self) -> str:
        return (f"Results(scenario={self.scenario.name!r}, "
                f"replications={self.run_info.get('replications')!r})")

    def figure(self, group: str, metric: str) -> tuple[float, float, float]:
        """(estimate, ci_low, ci_high) of one key figure, e.g. ``("all", "wait_mean_years")``.

        ``group`` is a category or ``all``; a grid area's figures are in :meth:`by_area`.

        The estimate is the mean across replications, or the median for the figures
        summarised so (``summary.csv``'s ``estimator``); ``inf`` means not reached.

        ``nan`` means not known. A mean wait within a window (``wait_rmst_10y_years``,
        ``wait_rmst_5y_years``, ``wait_firm_rmst_10y_years``) is ``(nan, nan, nan)`` unless
        every replication in which the group had applicants knows it: one where nobody was
        seen waiting that long while some still waited does not, and the mean of the others
        would answer another question (docs/model.md, section 4.3). A warning then says in
        how many replications it is known. In its place, ``wait_to_end_years``, the mean
        years without a connection to the end of the run, counts everyone in every
        replication (what the answers, the report and ``gridqueue run`` show instead), and
        :attr:`summary`'s ``mean`` and ``replications`` describe the replications that know
        the window's mean.
        """
        row = self.summary[(self.summary["group"] == group) & (self.summary["metric"] == metric)]
        if row.empty:
            raise GridqueueError(self._unknown_figure(group, metric))
        estimate, low, high = (float(row.iloc[0][c]) for c in ("estimate", "ci_low", "ci_high"))
        if np.isnan(estimate) and metric in METRICS and METRICS[metric].every_replication:
            self._warn_not_known(group, metric)
        return estimate, low, high

    def _warn_not_known(self, group: str, metric: str) -> None:
        """Say why ``figure(group, metric)``, a mean within a window, is nan; what stands in."""
        mine = self.replication_metrics[self.replication_metrics["group"] == group]
        applicants = mine[(mine["metric"] == "applicants") & (mine["value"] > 0)]
        values = mine[(mine["metric"] == metric)
                      & mine["replication"].isin(applicants["replication"])]["value"]
        if values.empty:
            return  # nobody in the group: there is nothing to know
        instead = SHORTER_WINDOW.get(metric)
        use = (f"; figure({group!r}, {instead!r}), the mean years without a connection to "
               "the end of the run, counts everyone in every replication" if instead else "")
        warn(f"figure({group!r}, {metric!r}) is nan: known in {values.notna().sum()} of "
             f"{len(values)} replications only (in the others nobody was seen waiting that "
             "long while some still waited), and a mean of those alone would answer another "
             f"question (docs/model.md, 4.3){use}")

    def _unknown_figure(self, group: str, metric: str) -> str:
        """Why ``figure(group, metric)`` has no row: the names it takes, the nearest first."""
        groups = list(dict.fromkeys(self.summary["group"].astype(str)))
        metrics = list(dict.fromkeys(self.summary["metric"].astype(str)))
        if group in metrics and metric in groups:
            return (f"figure({group!r}, {metric!r}): expected the group first, then the key "
                    f"figure: figure({metric!r}, {group!r})")
        if group not in groups and group in set(self.areas["area"].astype(str)):
            return (f"group '{group}': a grid area, not a group; its key figures are in "
                    f"by_area() (areas.csv), e.g. by_area().query(\"area == '{group}'\"); "
                    f"figure() takes one of {', '.join(groups)}")
        if group not in groups:
            return (f"group '{group}': unknown group{nearest(group, groups)}; expected one of "
                    f"{', '.join(groups)}")
        if metric not in metrics and metric in METRICS:  # a results folder written earlier
            return (f"metric '{metric}': not in this run's summary, written by an earlier "
                    "gridqueue, which did not compute it; run the scenario again for it")
        if metric not in metrics:
            return (f"metric '{metric}': unknown key figure{nearest_by_words(metric, metrics)}; "
                    f"expected one of {', '.join(metrics)}")
        return f"group '{group}' has no key figure '{metric}' in this run's summary"

    def figures_lacking(self) -> list[str]:
        """The key figures of this version that the summary lacks, in :data:`METRICS` order.

        None for results run here; those of a results folder written by an earlier gridqueue,
        before a figure existed (``connected_in_part``, say).
        """
        if self.summary.empty:
            return []
        written = set(self.summary["metric"].astype(str))
        return [name for name in METRICS if name not in written]

    def mw_waiting_without_rests(self) -> bool:
        """Whether the stored MW still waiting may leave out rests of requests still in line.

        An earlier gridqueue, whose ``applicants.csv`` has no ``waiting_mw``, summed the
        requests of those without any connection; this one adds the rest that an applicant
        connected in part, or holding a non-firm right beside its firm place, still waits for.
        True only where some applicant may hold such a rest: one connected, not in full firm,
        neither withdrawn nor released (an older table cannot tell a holder of a right that
        kept its firm place from one that gave it up).
        """
        if self.replication_metrics.empty:
            return False
        applicants = self.applicants
        if "waiting_mw" in applicants or "full_connect_date" not in applicants:
            return False  # written since, or before any connection could be partial
        in_line = (applicants["outcome"].eq("connected") & applicants["full_connect_date"].isna()
                   & applicants["release_date"].isna())
        return bool(in_line.any())

    def by_area(self) -> pd.DataFrame:
        """Every key figure by grid area and category (``areas.csv``); empty for one area.

        A row per area, group and key figure: ``area`` before ``summary.csv``'s columns;
        group ``all`` is the whole area (:mod:`sim.runs.areas`).
        """
        return self.areas.copy()

    def observations(self) -> pd.DataFrame:
        """The scenario's published observations beside the simulated values (may be empty).

        One row per observation with the simulated mean, its 95% interval, the band of 90% of
        replications and whether they agree (:mod:`sim.runs.observed`); ``observations.csv``.
        """
        if self._observed is None:  # one pass over every row, however often it is asked for
            observations = self.scenario.observations
            per_replication: Iterable[np.ndarray]
            if self._observed_values is not None:  # counted by the replications themselves
                per_replication = list(self._observed_values)
            elif self._spool is not None:
                per_replication = (observed_values(observations, rows)
                                   for rows in self._spool.chunks())
            else:
                per_replication = (
                    observed_values(observations, rows)
                    for _, rows in self.applicants.groupby("replication", sort=True))
            self._observed = observation_table(observations,
                                               per_replication if observations else [])
        return self._observed.copy()

    def write(
        self, directory: str | Path, force: bool = False,
        also: Callable[[Path], None] | None = None,
    ) -> Path:
        """Write every table into ``directory``, atomically; replace it only with ``force``.

        ``also`` may add files (such as a report) to the folder before it is moved into
        place, so they arrive with the tables or not at all. Returns ``directory`` as a Path.
        """
        target = Path(directory)
        for problem in not_kept(self.scenario):
            warn(f"{target}: {problem}; its tables are complete and gridqueue report "
                          "and compare read them, but gridqueue reproduce cannot run it again "
                          "(docs/policies.md)")
        with staged_directory(target, force, what="results",
                              inputs=self.scenario.input_files) as staging:
            self._write_files(staging, target)
            if also is not None:
                also(staging)
        return target

    def _write_files(self, folder: Path, target: Path) -> None:
        """Write every file into ``folder``, which becomes ``target`` once complete."""
        for name in TABLES:
            if name == "applicants" and self._spool is not None:
                # Never all in memory; formatted by as many processes as simulated it.
                self._spool.write_csv(folder / "applicants.csv",
                                      workers=int(self.run_info.get("workers") or 1))
                continue
            with open(folder / f"{name}.csv", "wb") as file:
                write_csv(file, [getattr(self, name)])
        if self.scenario.observations:
            with open(folder / "observations.csv", "wb") as file:
                write_csv(file, [self.observations()])
        for name in AREA_TABLES:  # a grid of several areas
            if not getattr(self, name).empty:
                with open(folder / f"{name}.csv", "wb") as file:
                    write_csv(file, [getattr(self, name)])
        csv = self.scenario.waiting_list.csv if self.scenario.waiting_list else None
        if csv is not None:
            shutil.copyfile(self.scenario.base_dir / csv, folder / "waiting_list.csv")
        (folder / "scenario.yaml").write_text(scenario_yaml(self.scenario), encoding="utf-8")
        copy_policy_code(self.scenario, folder)
        run_info = {**self.run_info, "scenario_files": _relative_to(
            target, self.run_info.get("scenario_files", []))}
        (folder / "run.json").write_text(json.dumps(run_info, indent=2) + "\n",
                                         encoding="utf-8")

    @classmethod
    def read(cls, directory: str | Path) -> Results:
        """Read a results directory written by :meth:`write`.

        Its ``scenario.yaml`` is validated but its policies are not imported: reading the
        tables (``report``, ``compare``) needs no policy, and one defined in a notebook, or
        whose module needs files not kept with the results, could not be imported.
        ``reproduce``, which runs the scenario again, does import them.
        """
        from sim.inputs.loading import keep_scores_set_aside, validate_data
        from sim.inputs.yaml_source import read_scenario_source

        folder = Path(directory)
        resolved(folder)  # a loop of links is said to be one, not a folder without run.json
        if (why := written_by_another_command(folder)) is not None:
            raise OutputError(f"{folder}: {why}")
        if not os.path.lexists(folder / "run.json"):  # one that is there says why it is bad
            raise OutputError(f"{folder}: expected a results directory with run.json; "
                              "none found")
        # A damaged folder (cut short, copied in part, edited) is one message naming the file.
        run_info = read_run_info(folder / "run.json")
        files = run_info.get("scenario_files")
        if isinstance(files, list) and all(isinstance(path, str) for path in files):
            run_info["scenario_files"] = _recorded_files(folder, files)
        replications = run_replications(run_info, folder / "run.json")
        tables = {name: _read_table(folder / f"{name}.csv", name) for name in TABLES}
        check_replications(tables, folder, replications)
        _restore_dtypes(tables)
        scenario = validate_data(read_scenario_source(folder / "scenario.yaml"))
        keep_scores_set_aside(scenario)  # judged when it ran: a copy of it runs again
        return cls(
            scenario=scenario,
            applicants=tables["applicants"],
            timeseries=tables["timeseries"],
            summary=tables["summary"],
            replication_metrics=tables["replication_metrics"],
            projects=tables["projects"],
            run_info=run_info,
            # a grid of several areas; none in a folder written before they were
            areas=_read_if_there(folder, "areas"),
            area_metrics=_read_if_there(folder, "area_metrics"),
        )


def _recorded_files(folder: Path, paths: list[str]) -> list[str]:
    """The scenario files run.json records, as absolute paths (relative ones are to ``folder``).

    A path edited to run into a loop of links is named at run.json's key.
    """
    try:
        return [str(resolved(folder / path)) for path in paths]
    except SymlinkLoop as exc:
        raise InputError(folder / "run.json", "scenario_files", "expected the paths of the "
                         f"scenario files the run read; {exc.filename} {exc.strerror}"
                         ) from None


def _relative_to(folder: Path, paths: list[str]) -> list[str]:
    """``paths`` relative to ``folder``, as run.json records the scenario files it ran.

    Relative, a results folder moved with its scenarios (a copied repository) still finds
    them, and it does not give away where they lay on the machine that ran them. A path on
    another drive stays absolute.
    """
    try:
        return [os.path.relpath(path, folder.resolve()) for path in paths]
    except ValueError:  # Windows: another drive
        return list(paths)


def _restore_dtypes(tables: dict[str, pd.DataFrame]) -> None:
    """Give the tables read from CSV the dtypes the run's own tables had.

    CSV keeps no dtypes: without this, categories came back as text, dates in microseconds,
    and a column of dates or names that was empty in every row as floats.
    """
    applicants = tables["applicants"]
    for column in ("name", "non_firm_right"):  # an empty name is "", as in the run
        if column in applicants:
            text = applicants[column]
            applicants[column] = text.astype("str").where(text.notna(), "")
    for column, values in CATEGORY_COLUMNS.items():
        if column in applicants:
            applicants[column] = pd.Categorical(applicants[column], categories=values)
    for name, columns in DATE_COLUMNS.items():
        for column in columns:
            if column in tables[name]:
                tables[name][column] = pd.to_datetime(tables[name][column]).astype(
                    "datetime64[s]")
    projects = tables["projects"]
    if projects.empty:  # read as text: no row tells pandas what they hold
        tables["projects"] = projects.astype(
            {c: dtype for c, dtype in PROJECT_DTYPES.items() if c in projects})


def _read_if_there(folder: Path, name: str) -> pd.DataFrame | None:
    """A table that only some results folders hold (:data:`AREA_TABLES`), or None."""
    path = folder / f"{name}.csv"
    return _read_table(path, name) if path.is_file() else None


def _read_table(path: Path, name: str) -> pd.DataFrame:
    """One table of a results folder, checked first (:func:`check_table`)."""
    check_table(path, TABLE_COLUMNS[name])
    try:
        table = pd.read_csv(path, parse_dates=DATE_COLUMNS.get(name, []),
                            date_format="ISO8601",  # as written; a bad one is no warning
                            dtype=TEXT_COLUMNS.get(name),
                            # Only an empty field is missing: a project named NA is a name.
                            keep_default_na=name not in TEXT_COLUMNS, na_values=[""])
    except UnicodeDecodeError:
        raise InputError(path, "", "expected UTF-8 text (a table gridqueue run wrote); it is "
                         "damaged") from None
    except pd.errors.ParserError as exc:
        raise InputError(path, "", f"expected a table as gridqueue run writes it "
                         f"({str(exc).strip()}); it is damaged") from None
    check_values(path, table, name, DATE_COLUMNS.get(name, []))
    return table


OTHER_OUTPUTS = {
    "sweep.csv": "gridqueue sweep: its results are sweep.csv and sweep.png, one row and point "
                 "per cell",
    "evaluations.csv": "gridqueue calibrate: its results are calibration.csv and "
                       "calibration.txt, and calibrated.yaml runs the fit",
    "comparison.json": "gridqueue compare: its report is report.html, and the results of "
                       "each scenario it ran are under runs/ (gridqueue compare of those "
                       "folders reads them without running them again); Comparison.read "
                       "reads it back in Python",
}
"""A file only another command's output folder holds, and what to say of that command."""


def written_by_another_command(folder: Path) -> str | None:
    """Why a folder another command wrote (a sweep's, say) is not a run's, or None.

    Both write run.json too, so without this a run's reader failed on a file the folder was
    never meant to hold. A folder whose permissions forbid opening it is said to be one:
    looking into it failed naming sweep.csv, a file it does not hold.
    """
    try:
        os.lstat(folder / "run.json")
    except PermissionError:
        return ("expected a results directory you may read; its permissions do not let you "
                "open it (chmod u+rx)")
    except OSError:
        pass  # not there, or no folder: the caller says so
    return next((f"expected the results of gridqueue run; this is the output of {words}"
                 for name, words in OTHER_OUTPUTS.items() if (folder / name).is_file()), None)


def scenario_yaml(scenario: Scenario) -> str:
    """The fully resolved scenario as YAML, loadable as it is (CSV copied beside it).

    Written out once per scenario: a run, a comparison and a sweep each ask for it (or its
    hash) several times, and writing YAML takes some 10 ms where its JSON takes 0.5.
    """
    return _yaml_of(json.dumps(scenario.model_dump(mode="json", by_alias=True)))


@functools.lru_cache(maxsize=64)
def _yaml_of(dumped: str) -> str:
    """:func:`scenario_yaml` of a scenario dumped as JSON text, read back from that text."""
    data = json.loads(dumped)
    if data.get("waiting_list") and data["waiting_list"].get("csv"):
        data["waiting_list"]["csv"] = "waiting_list.csv"
    _drop_none(data)
    return yaml.dump(data, Dumper=CoreSchemaDumper, sort_keys=False, allow_unicode=True)


def _drop_none(data: Any) -> None:
    """Leave unset optional keys out, so the file reads like one a person would write."""
    if isinstance(data, dict):
        for key in [k for k, v in data.items() if v is None]:
            del data[key]
        for value in data.values():
            _drop_none(value)
    elif isinstance(data, list):
        for value in data:
            _drop_none(value)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario and the waiting-list file it names.

    The same bytes as ``scenario.yaml`` and ``waiting_list.csv`` in a results directory, so
    ``gridqueue reproduce`` can tell whether they were changed after the run.
    """
    digest = hashlib.sha256(scenario_yaml(scenario).encode("utf-8"))
    if scenario.waiting_list is not None and scenario.waiting_list.csv is not None:
        digest.update((scenario.base_dir / scenario.waiting_list.csv).read_bytes())
    return digest.hexdigest()


def waiting_list_sha256(scenario: Scenario) -> str | None:
    """SHA-256 of the waiting-list CSV the scenario names (None: it names none).

    What of :func:`scenario_hash` may change while the scenario is in memory: the resolved
    scenario itself cannot, so a check that nothing changed needs no YAML dump.
    """
    if scenario.waiting_list is None or scenario.waiting_list.csv is None:
        return None
    return hashlib.sha256((scenario.base_dir / scenario.waiting_list.csv).read_bytes()
                          ).hexdigest()


def definition_hash(scenario: Scenario, replications: list[int] | None = None,
                    scenario_sha256: str | None = None) -> str:
    """SHA-256 of everything that defines a run's tables.

    That is the resolved scenario (its seed and replication count included) and its waiting
    list (:func:`scenario_hash`, or ``scenario_sha256`` if the caller has it already), the
    source of its ``module:Class`` policies, and which replications ran (None: all).
    ``reproduce`` and ``sweep --resume`` compare it.
    """
    parts = {"scenario": scenario_sha256 or scenario_hash(scenario),
             "policy_code": code_hashes(scenario), "replications": replications}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def dependency_versions() -> dict[str, str]:
    """Installed versions of the packages results depend on (looked up once per process)."""
    return dict(_installed_versions())


@functools.cache
def _installed_versions() -> dict[str, str]:
    # Looking in every installed package's metadata takes a few ms per package, for each run.
    versions = {}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
