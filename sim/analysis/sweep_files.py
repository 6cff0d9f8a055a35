"""A sweep's tables from its cells' figures, and a written sweep read back from its folder.

What :meth:`sim.analysis.sweeps.Sweep.read` rebuilds from the files
:meth:`~sim.analysis.sweeps.Sweep.write` leaves: ``run.json`` (each cell's overrides and
how it pairs with the first, by area too), ``scenario.yaml`` and ``cells/`` (each cell's
figures per replication, and by area for a grid of several), from which the summary is made
as the sweep made it. A folder whose cells hold no figures by area (written before a sweep
kept them) reads back without them. A folder that is not a
sweep's, or is damaged, is refused with one message naming the folder or file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.output_files import read_provenance, refuse_other_outputs
from sim.analysis.sweep_cells import given_overrides, read_cell, read_cell_areas
from sim.analysis.sweep_grid import value_text
from sim.errors import InputError
from sim.inputs.files import resolved
from sim.inputs.scenario import Scenario
from sim.runs.areas import AREA_METRIC_COLUMNS
from sim.runs.result_files import check_table
from sim.runs.stats import summarise

__all__ = ["SweepFiles", "grid_tables", "read_sweep_files"]


@dataclass(frozen=True)
class SweepFiles:
    """What a sweep folder holds, as :class:`~sim.analysis.sweeps.Sweep` takes it."""

    scenario: Scenario
    vary: dict[str, list[Any]]
    overrides: dict[str, dict[str, Any]]
    metrics: pd.DataFrame
    cells: pd.DataFrame
    table: pd.DataFrame
    run_info: dict[str, Any]
    paired: dict[str, dict[str, bool]]
    members: dict[str, dict[str, list[str]]]
    area_metrics: pd.DataFrame
    area_paired: dict[str, dict[str, dict[str, bool]]]
    area_members: dict[str, dict[str, dict[str, list[str]]]]


def grid_tables(grid: Mapping[str, list[Any]], overrides: Mapping[str, dict[str, Any]],
                parts: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The cells, their figures per replication and their summary, from each cell's figures.

    ``parts`` holds each cell's figures, in the order of ``overrides``, with a ``cell`` column.
    """
    cells = pd.DataFrame({"cell": list(overrides), **{key: _as_given(
        [combo[key] for combo in overrides.values()]) for key in grid}})
    metrics = pd.concat(parts, ignore_index=True)
    metrics = metrics[["cell", *(c for c in metrics.columns if c != "cell")]]
    summaries = [summarise(m.drop(columns="cell")).assign(cell=cell)
                 for cell, m in zip(overrides, parts, strict=True)]
    return cells, metrics, cells.merge(pd.concat(summaries, ignore_index=True), on="cell")


def _as_given(values: list[Any]) -> pd.Series:
    """A varied key's values, one per cell, as a column: as given, not as text.

    Text stays text; numbers, dates and true or false keep their type (in an ``object``
    column, so that ``sweep.csv`` writes each as it was given, ``0`` beside ``0.3``); a list
    or mapping is the text that gives it (:func:`value_text`). An analyst had to parse every
    number back from text, and ``cells[key] == 0.3`` found nothing.
    """
    shown = [value_text(v) if isinstance(v, (dict, list)) else v for v in values]
    if all(isinstance(v, str) for v in shown):
        return pd.Series(shown, dtype="str")
    return pd.Series(shown, dtype=object)


def read_sweep_files(folder: Path) -> SweepFiles:
    """Every part of the sweep written into ``folder``, checked; one message if not."""
    from sim.inputs.loading import validate_data
    from sim.inputs.yaml_source import read_scenario_source

    resolved(folder)  # a loop of links is said to be one, not a folder without its files
    refuse_other_outputs(folder, "sweep.csv", "sweep")
    check_table(folder / "sweep.csv", ("cell", "group", "metric", "estimate"))  # not cut short
    run_info = read_provenance(folder / "run.json", "sweep")
    listed = run_info.get("cells")
    if not (isinstance(listed, dict) and listed
            and all(isinstance(entry, dict) for entry in listed.values())):
        raise _missing(folder, "cells", "each cell of the sweep")
    overrides: dict[str, dict[str, Any]] = {}
    paired: dict[str, dict[str, bool]] = {}
    members: dict[str, dict[str, list[str]]] = {}
    parts, area_parts = [], []
    area_paired: dict[str, dict[str, dict[str, bool]]] = {}
    area_members: dict[str, dict[str, dict[str, list[str]]]] = {}
    for cell, entry in listed.items():
        for key in ("paired", "members", "cell_sha256"):
            if not isinstance(entry.get(key), dict if key != "cell_sha256" else str):
                raise _missing(folder, f"cells.{cell}.{key}", _WHAT[key])
        metrics = read_cell(folder / "cells", cell, entry["cell_sha256"])
        if metrics is None:
            raise InputError(folder / "cells" / f"{cell}.csv", "", "expected the figures of "
                             f"cell {cell} per replication; missing, damaged or counted by an "
                             "earlier gridqueue: run the sweep again")
        about = folder / "cells" / f"{cell}.json"
        overrides[cell] = given_overrides(about, read_provenance(about, "sweep"))
        paired[cell], members[cell] = entry["paired"], entry["members"]
        parts.append(metrics.assign(cell=cell))
        areas = read_cell_areas(folder / "cells", cell)
        by_area = entry.get("areas")
        if areas is None and by_area is not None:  # written, and since lost or damaged
            raise InputError(folder / "cells" / f"{cell}.areas.csv", "", "expected the "
                             f"figures of cell {cell} by grid area per replication; missing "
                             "or damaged: run the sweep again")
        if by_area is not None and not (isinstance(by_area, dict) and all(
                isinstance(mine, dict) and isinstance(mine.get("paired"), dict)
                and isinstance(mine.get("members"), dict) for mine in by_area.values())):
            raise _missing(folder, f"cells.{cell}.areas", "by grid area, whether the cell "
                           "draws the same applicants there as the first, and which streams "
                           "and projects differ")
        if areas is not None and by_area is not None:
            area_parts.append(areas.assign(cell=cell))
            area_paired[cell] = {area: mine["paired"] for area, mine in by_area.items()}
            area_members[cell] = {area: mine["members"] for area, mine in by_area.items()}
    # Every cell's figures by area, or none (a folder of an earlier gridqueue, one area).
    area_metrics = (pd.concat(area_parts, ignore_index=True)[["cell", *AREA_METRIC_COLUMNS]]
                    if area_parts and len(area_parts) == len(parts)
                    else pd.DataFrame(columns=["cell", *AREA_METRIC_COLUMNS]))
    vary = {key: list({value_text(combo[key]): combo[key] for combo in overrides.values()
                       }.values()) for key in next(iter(overrides.values()))}
    cells, metrics, table = grid_tables(vary, overrides, parts)
    return SweepFiles(scenario=validate_data(read_scenario_source(folder / "scenario.yaml")),
                      vary=vary, overrides=overrides, metrics=metrics, cells=cells, table=table,
                      run_info=run_info, paired=paired, members=members,
                      area_metrics=area_metrics,
                      area_paired=area_paired if len(area_parts) == len(parts) else {},
                      area_members=area_members if len(area_parts) == len(parts) else {})


_WHAT = {"paired": "by group, whether the cell draws the same applicants as the first",
         "members": "by group, the streams and projects that differ from the first cell",
         "cell_sha256": "the hash of the cell's definition"}
"""What each key of a cell in run.json holds, as a message says it."""


def _missing(folder: Path, key: str, expected: str) -> InputError:
    """The error of a key run.json lacks: damaged, or written by an earlier gridqueue."""
    return InputError(folder / "run.json", key, f"expected {expected}; not found (the file is "
                      "damaged, or was written by an earlier gridqueue: run the sweep again)")
