"""The finished cells of a sweep on disk: stored as each finishes, found again on --resume.

Each cell is ``cells/<id>.csv`` (its per-replication key figures), for a grid of several
areas ``cells/<id>.areas.csv`` (the same by area, as a run's ``area_metrics.csv``), and
``cells/<id>.json`` (its overrides, where among them a date lies, and ``cell_sha256``, the
:func:`~sim.runs.results.definition_hash` of its scenario, waiting list and policy code),
the JSON written last so a cell with one is finished. A resumed
sweep reuses a kept cell only when its hash matches the cell as now asked, and refuses to go
on when a kept cell belongs to another sweep; a damaged cell is simply run again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import GridqueueError, InputError, given_as
from sim.runs.areas import AREA_METRIC_COLUMNS
from sim.runs.metrics import METRICS

__all__ = ["FIGURES_VERSION", "check_kept_cells", "given_overrides", "read_cell",
           "read_cell_areas", "write_cell"]

AREAS_SUFFIX = ".areas.csv"
"""The file beside ``<id>.csv`` that holds a cell's figures by area: ``<id>.areas.csv``."""

FIGURES_VERSION = 4
"""How the key figures are counted, stored with each cell: raised whenever a figure is
counted otherwise (2: job- and MW-years leave out a waiting list's years before the start;
3: the MW still waiting at the end count the rest of requests connected in part; 4: job- and
MW-years count those who withdrew to the end of the run).
A kept cell of another is run again: its figures would not compare with the new cells'."""


def write_cell(
    folder: Path, cell: str, overrides: Mapping[str, Any], metrics: pd.DataFrame, sha256: str,
    areas: pd.DataFrame | None = None,
) -> None:
    """Store one finished cell: its per-replication figures, then (last) what it is.

    ``sha256`` is the cell's :func:`~sim.runs.results.definition_hash`: its scenario with the
    overrides applied, its waiting list and its policy code. ``areas``: its figures by area
    per replication (:data:`~sim.runs.areas.AREA_METRIC_COLUMNS`); none for one area.
    """
    folder.mkdir(parents=True, exist_ok=True)
    metrics.to_csv(folder / f"{cell}.csv", index=False)
    if areas is not None and not areas.empty:
        areas[list(AREA_METRIC_COLUMNS)].to_csv(folder / f"{cell}{AREAS_SUFFIX}", index=False)
    about = {"cell": cell, "overrides": dict(overrides), "dates": _dates_within(dict(overrides)),
             "cell_sha256": sha256, "figures": FIGURES_VERSION}
    (folder / f"{cell}.json").write_text(json.dumps(about, indent=2, default=str) + "\n",
                                         encoding="utf-8")


DATE_TYPES: dict[str, type[dt.date]] = {"date": dt.date, "datetime": dt.datetime}
"""The types of value JSON writes as text, by the name ``dates`` records each under."""


def _dates_within(value: Any, at: tuple[str | int, ...] = ()) -> list[dict[str, Any]]:
    """Where within ``value`` a date lies (``at``, keys and indices) and which type it is.

    JSON writes a date as its text: without this, a sweep over dates read back as text. A
    subclass (pandas' Timestamp) is recorded as the type it derives from, which reads it back.
    """
    if isinstance(value, dt.date):
        return [{"at": list(at), "type": "datetime" if isinstance(value, dt.datetime)
                 else "date"}]
    if isinstance(value, Mapping):
        return [found for key, item in value.items() for found in _dates_within(item, (*at, key))]
    if isinstance(value, (list, tuple)):
        return [found for index, item in enumerate(value)
                for found in _dates_within(item, (*at, index))]
    return []


def given_overrides(about: Path, stored: Mapping[str, Any]) -> dict[str, Any]:
    """A cell's overrides as the sweep was given them: each date recorded as one, a date again.

    A cell written before ``dates`` was recorded gives its dates as text.
    """
    overrides = dict(stored["overrides"])
    for index, entry in enumerate(stored.get("dates", [])):
        try:
            *path, last = entry["at"]
            holder = overrides
            for key in path:
                holder = holder[key]
            holder[last] = DATE_TYPES[entry["type"]].fromisoformat(holder[last])
        except (KeyError, IndexError, TypeError, ValueError):
            raise InputError(about, f"dates.{index}", "expected where among the overrides a "
                             "date lies and its type; the file is damaged: run the sweep "
                             "again") from None
    return overrides


def check_kept_cells(folder: Path, wanted: Mapping[str, str]) -> None:
    """Refuse to resume when a kept cell was made for another sweep than the one asked now.

    ``wanted`` maps each cell id of the sweep to its definition hash. A kept cell whose id is
    not in the sweep (the grid changed), or whose hash differs (the scenario, waiting list or
    policy code changed), would mix old and new cells in one result.
    """
    for about in sorted(folder.glob("*.json")):
        stored = _read_about(about)
        if stored is None:
            continue  # damaged: read_cell finds it unusable, and the cell runs again
        cell = about.stem
        if cell not in wanted:
            what = "is not in the sweep as now asked (the varied keys or values changed)"
        elif stored.get("cell_sha256") != wanted[cell]:
            what = ("was made with another scenario, waiting list or policy code than the "
                    "sweep now asked")
        else:
            continue
        again = given_as("without --resume, with --force", "without resume=True, with "
                         "force=True")
        raise GridqueueError(f"{about}: the kept cell {cell} {what}; resuming would mix old "
                             f"and new cells: run the sweep {again}, to start again")


def read_cell(folder: Path, cell: str, sha256: str) -> pd.DataFrame | None:
    """A stored cell's per-replication figures, if it finished for this very cell definition.

    A cell whose files are damaged (unreadable, empty, text where numbers belong) counts as
    not finished, and so does one kept by an earlier gridqueue that counted its figures
    otherwise (:data:`FIGURES_VERSION`) or lacks a key figure of this one: it is run again.
    """
    about, table = folder / f"{cell}.json", folder / f"{cell}.csv"
    if not table.is_file():
        return None
    stored = _read_about(about)
    if stored is None or stored.get("cell_sha256") != sha256 \
            or stored.get("figures") != FIGURES_VERSION:
        return None
    try:
        metrics = pd.read_csv(table)
    except (OSError, ValueError):  # pandas' EmptyDataError and ParserError are ValueErrors
        return None
    if list(metrics.columns)[:1] != ["replication"] or not len(metrics):
        return None
    if not pd.api.types.is_integer_dtype(metrics["replication"]) or (
            "value" in metrics and not pd.api.types.is_numeric_dtype(metrics["value"])):
        return None  # text where numbers belong: edited, or damaged on disk
    if "metric" in metrics and not set(METRICS) <= set(metrics["metric"]):
        return None
    return metrics


def read_cell_areas(folder: Path, cell: str) -> pd.DataFrame | None:
    """A stored cell's figures by area per replication, None if missing or damaged.

    Read as :func:`read_cell` reads the cell's own figures, only after it (whose JSON says
    the cell is this very one); an area's name stays the text it was ('007', 'NA'). A cell
    kept by an earlier gridqueue has none: a sweep resumed runs it again, and a folder read
    back (:func:`~sim.analysis.sweep_files.read_sweep_files`) goes without its areas.
    """
    path = folder / f"{cell}{AREAS_SUFFIX}"
    if not path.is_file():
        return None
    try:
        areas = pd.read_csv(path, dtype={"area": str, "group": str, "metric": str},
                            keep_default_na=False, na_values={"value": [""]})
    except (OSError, ValueError):  # pandas' EmptyDataError and ParserError are ValueErrors
        return None
    if tuple(areas.columns) != AREA_METRIC_COLUMNS or not len(areas):
        return None
    if not pd.api.types.is_integer_dtype(areas["replication"]) \
            or not pd.api.types.is_numeric_dtype(areas["value"]) \
            or not set(METRICS) <= set(areas["metric"]):
        return None  # text where numbers belong, or a key figure missing: run it again
    return areas


def _read_about(about: Path) -> dict[str, Any] | None:
    """The JSON that names a kept cell, or None when it is missing or damaged."""
    try:
        stored = json.loads(about.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stored if isinstance(stored, dict) else None
