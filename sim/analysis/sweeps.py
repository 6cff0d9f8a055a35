"""Parameter sweeps: run every combination of a grid of scenario overrides.

The Python API behind ``gridqueue sweep``::

    from sim import Sweep, sweep
    result = sweep("fifo.yaml", {"policy.order": ["fifo", "social_priority"],
                                 "grid.upgrades.0.delay_years": [0, 1, 2, 4]})
    result.table                          # one row per cell, group and key figure, with CIs
    fig = result.figure("wait_rmst_10y_years", group="basic_needs")
    result.write("results/sweep")
    Sweep.read("results/sweep")           # the same sweep, read back

Every cell keeps the base scenario's seed, so replication *i* of each cell draws the same
applicants (common random numbers) and differences across the grid are not sampling noise.
The grid comes from ``vary`` and from a ``sweep:`` block in the scenario file (a mapping of
key paths to lists of values); ``vary`` wins for a key given in both. Each finished cell's
per-replication figures go to ``cells/<id>.csv`` (``<id>`` a hash of the cell's overrides),
with ``cells/<id>.json`` naming the overrides, written last, so finished cells can be found:
an interrupted ``gridqueue sweep`` keeps them, and ``--resume`` reuses them, so the final
result equals an uninterrupted run's. Resuming is refused when a kept cell is no longer part
of the sweep or was made with another scenario, waiting list or policy code (each cell's
JSON holds a hash of all that); a damaged cell is run again.

For a grid of several areas each cell also keeps its figures by area (``cells/<id>.areas.csv``,
as a run's ``area_metrics.csv``), and ``sweep_areas.csv`` gives each area's figures and their
differences from the first cell (:meth:`Sweep.by_area`, :meth:`Sweep.area`); ``sweep.csv``
stays the whole grid's.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import json
import math
import shutil
import sys
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from tqdm import tqdm

from sim._version import __version__
from sim.analysis.differences import MIN_REPLICATIONS, cell_differences
from sim.analysis.sweep_cells import check_kept_cells, read_cell, read_cell_areas, write_cell
from sim.analysis.sweep_files import grid_tables, read_sweep_files
from sim.analysis.sweep_grid import (
    area_pairing,
    cell_id,
    cell_label,
    cell_scenarios,
    changed_members,
    check_distinct,
    each_cell,
    in_cell,
    paired_groups,
    read_grid,
    value_text,
    warn_of_cells,
    warn_same_results,
)
from sim.errors import GridqueueError, argument, given_as, kept_warnings, warn
from sim.figures.files import write_figures
from sim.figures.numbers import NO_INTERVAL, NOT_REACHED, format_estimate
from sim.figures.sweep import NO_DIFFERENCE_NOBODY, NOBODY_HERE, check_choice, sweep_figure
from sim.inputs.loading import as_overrides
from sim.inputs.scenario import Scenario
from sim.inputs.yaml_source import Override, parse_override
from sim.report.narrative import NO_TEN_YEARS_WHY
from sim.runs.areas import AREA_METRIC_COLUMNS
from sim.runs.metrics import EVERY_REPLICATION, LEAD_METRICS, METRICS
from sim.runs.policy_code import code_hashes
from sim.runs.results import (
    definition_hash,
    dependency_versions,
    scenario_hash,
    scenario_yaml,
    waiting_list_sha256,
)
from sim.runs.runner import (
    check_replication_count,
    check_workers,
    default_workers,
    inputs_unchanged,
    run_replications,
)
from sim.runs.staging import (
    files_moved_in,
    interrupted,
    nothing_to_resume,
    resumable_directory,
    staged_directory,
)
from sim.runs.summary_table import few_replications

__all__ = ["Sweep", "lead_metric", "plan_sweep", "sweep",
           "sweep_to_directory", "table_decimals"]

AREAS_FILE = "sweep_areas.csv"
"""The table of a sweep of several grid areas by area: ``sweep.csv``'s columns and ``area``."""

SHOWN_CELLS = 3
"""Most cells besides the first whose difference the printed summary gives for each area."""

FIRST_CELL_MEAN = "first_cell_mean"
"""The column of ``sweep.csv`` beside each difference: the first cell's mean over the
replications the difference counts. A difference is of means; ``estimate`` may be a median."""

PERIOD_KEYS = ("start", "end")
"""The keys that set a run's period: cells that vary one count other applicants in every group."""

def lead_metric(table: pd.DataFrame, group: str = "all") -> str:
    """The key figure a sweep's figure and summary show unless told, as a comparison's answers.

    The mean wait within ten years of the request, counting everyone, where every cell has it
    for ``group``; else the mean years without a connection to the end of the run, which
    every cell has. Ten have no value in a cell where some replication does not follow
    anyone that long (an early reinforcement that empties the queue, say); five, which stood
    in before, could not see a reinforcement more than five years after a request.
    """
    ten, stand_in = LEAD_METRICS[:2]
    mine = table[table["group"] == group]
    nobody = mine.loc[(mine["metric"] == "applicants") & (mine["estimate"] == 0), "cell"]
    rows = mine[(mine["metric"] == ten) & ~mine["cell"].isin(nobody)]  # none there to follow
    known = len(rows) > 0 and bool(np.isfinite(rows["estimate"].to_numpy(dtype=float)).all())
    return ten if known else stand_in


@dataclass
class Sweep:
    """The results of a sweep.

    Attributes:
        scenario: the base scenario (with the common overrides, without the sweep); the
            first cell's where the base lacks a required key that only the varied keys give
            (a share varied beside a cover set as an override).
        vary: the varied key paths and their values, in grid order.
        cells: one row per cell: ``cell`` (its id) and one column per varied key, holding
            the value as given (a number as a number, so ``cells[key] == 0.3`` finds its
            cell; a list or mapping as the text that would give it).
        overrides: each cell's overrides (key path to value), by cell id.
        metrics: per-replication key figures: ``cell``, ``replication``, ``group``, ``metric``,
            ``value``.
        table: the tidy summary: one row per cell, group and key figure with its estimate and
            95% confidence interval (the columns of ``summary.csv``), the varied keys as
            columns, their values as in :attr:`cells`.
        run_info: provenance (versions, seed, hashes, workers, wall time).
        paired: for each cell, by group (each category and ``all``), whether it draws the
            same applicants in that group as the first cell, so that the group's difference
            from it is paired (:func:`~sim.analysis.sweep_grid.paired_groups`): a cell that
            redraws one stream still pairs the groups that stream is not in.
        members: for each cell, by group, the streams and projects whose applicants in that
            group differ from the first cell's (:func:`~sim.analysis.sweep_grid.changed_members`):
            a group named there counts other applicants in that cell (:meth:`notes`).
        area_metrics: for a grid of several areas, per-replication key figures by area, as a
            run's ``area_metrics.csv``: ``cell``, ``replication``, ``area``, ``group``,
            ``metric``, ``value``; empty for one area (and for a folder written by a
            gridqueue that kept none). :meth:`by_area` summarises them, :meth:`area` gives
            one area's sweep.
        area_paired: for each cell, by area, then group: whether its applicants there are
            drawn alike in the first cell (:func:`~sim.analysis.sweep_grid.area_pairing`).
        area_members: for each cell, by area, then group: the origins that differ there.
        within: the area whose applicants alone this sweep counts (:meth:`area`); None for
            the whole grid.

    :meth:`write` writes it into a folder and :meth:`read` reads such a folder back.
    """

    scenario: Scenario
    vary: dict[str, list[Any]]
    cells: pd.DataFrame
    overrides: dict[str, dict[str, Any]]
    metrics: pd.DataFrame
    table: pd.DataFrame
    run_info: dict[str, Any]
    paired: dict[str, dict[str, bool]]
    members: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    area_metrics: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["cell", *AREA_METRIC_COLUMNS]))
    area_paired: dict[str, dict[str, dict[str, bool]]] = field(default_factory=dict)
    area_members: dict[str, dict[str, dict[str, list[str]]]] = field(default_factory=dict)
    within: str | None = None

    def __repr__(self) -> str:
        """What was swept, over which values, how often each cell ran and where the tables are.

        The generated one printed the scenario and every DataFrame whole.
        """
        values = " x ".join(f"{key} ({', '.join(str(v) for v in shown)})"
                            for key, shown in self.vary.items())
        counts = sorted({int(c["replications"]) for c in self.run_info.get("cells", {}).values()
                         if "replications" in c}) or [self.scenario.replications]
        each = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"
        where = f" (the applicants of {self.within})" if self.within else ""
        areas = (f"; by grid area ({', '.join(self.areas)}): .by_area(), .area(name)"
                 if self.areas else "")
        return (f"Sweep of {self.scenario.name}{where} over {values}: {len(self.overrides)} "
                f"cells, {each} replications each\n"
                "tables: .table (each cell's key figures, 95% intervals), .differences (from "
                f"the first cell), .cells, .metrics (per replication){areas}; in words: "
                ".describe()")

    @property
    def areas(self) -> list[str]:
        """The grid areas whose figures the sweep holds (:attr:`area_metrics`), in order."""
        return [str(area) for area in dict.fromkeys(self.area_metrics["area"])]

    def area(self, name: str) -> Sweep:
        """The sweep of one grid area's applicants: its tables, figure and words.

        Counted as ``gridqueue run`` counts an area (``areas.csv``), and compared with the
        first cell as :attr:`differences` compares the whole grid: paired where the area's
        applicants are drawn alike (:attr:`area_paired`), which a varied key that moves a
        stream between areas, or redraws one of the area's streams, undoes.
        """
        if name not in self._by_area:
            known = ", ".join(self.areas) or "none: a grid of one area, or a folder of a " \
                "gridqueue that kept no figures by area"
            raise GridqueueError(f"{argument('area', name)}: expected a grid area of the "
                                 f"sweep ({known})")
        return self._by_area[name]

    @functools.cached_property
    def _by_area(self) -> dict[str, Sweep]:
        """Each area's own sweep (:meth:`area`), in the grid's order."""
        found = {}
        for name in self.areas:
            rows = self.area_metrics[self.area_metrics["area"] == name].drop(columns="area")
            parts = [rows[rows["cell"] == cell].drop(columns="cell").assign(cell=cell)
                     for cell in self.overrides]
            _, metrics, table = grid_tables(self.vary, self.overrides, parts)
            # A cell kept without its pairing by area: the whole grid's stands in.
            paired = {cell: self.area_paired.get(cell, {}).get(name, self.paired[cell])
                      for cell in self.overrides}
            members = {cell: self.area_members.get(cell, {}).get(name, self.members.get(
                cell, {})) for cell in self.overrides}
            found[name] = replace(self, metrics=metrics, table=table, paired=paired,
                                  members=members, within=name,
                                  area_metrics=self.area_metrics.iloc[:0],
                                  area_paired={}, area_members={})
        return found

    def by_area(self) -> pd.DataFrame:
        """The table of ``sweep_areas.csv``: :meth:`with_differences` for each area's applicants.

        One row per cell, area, group and key figure, the columns of ``sweep.csv`` with
        ``area`` before ``group``: each area's estimate and interval, and its difference
        from the first cell's same area, paired where the area's applicants are drawn alike
        (:meth:`area`). Empty for a grid of one area, whose figures are :attr:`table`'s.
        """
        if not self.areas:
            columns = list(self.with_differences().columns)
            at = columns.index("group")
            return pd.DataFrame(columns=[*columns[:at], "area", *columns[at:]])
        parts = []
        for name, mine in self._by_area.items():
            table = mine.with_differences()
            table.insert(int(table.columns.get_loc("group")), "area", name)  # type: ignore[arg-type]  # one column
            parts.append(table)
        return pd.concat(parts, ignore_index=True)

    def figure(self, metric: str | None = None, group: str = "all") -> Figure:
        """One key figure across the grid: lines for one varied key, a heat map for two.

        Beneath the lines, each cell's difference from the first with its own interval
        (paired where the cells hold the same applicants, so narrower than the cells' own),
        and for a grid of several areas, beneath that, each area's (:meth:`area` draws one
        area's figure alone, a heat map too).

        The heat map is coloured by each cell's difference from the first cell, with cells
        whose interval includes zero hatched and those without a difference marked not
        comparable. Unless told, the key figure is :func:`lead_metric`'s.
        """
        metric = metric or lead_metric(self.table, group)
        shown = self.table.assign(**{key: self.table[key].map(value_text) for key in self.vary})
        return sweep_figure(shown, list(self.vary), metric, group, self.differences,
                            note=" ".join(self._short_notes(metric, group)),
                            empty=[cell for cell, its in self._empty() if its == group],
                            areas={name: mine.differences
                                   for name, mine in self._by_area.items()})

    @functools.cached_property
    def differences(self) -> pd.DataFrame:
        """Each cell's difference from the first, by group and key figure, with its interval.

        Paired in each group where the cell draws the same applicants in it as the first
        (:attr:`paired`), else Welch's; the first cell's are zero. ``sweep.csv`` gives them
        beside the estimates, with ``first_cell_mean`` (here ``reference_mean``).
        """
        return cell_differences(self.metrics, self.paired, levels=True)

    def with_differences(self) -> pd.DataFrame:
        """The table of ``sweep.csv``: :attr:`table` with each row's difference from the first.

        A difference is of means, whatever the ``estimator`` of ``estimate`` (a median for
        the times to connection): ``first_cell_mean``, the first cell's mean over the
        replications the difference counts, plus ``difference`` is this row's mean over them,
        so that a difference is not read as the gap between two medians. Its last column,
        ``note``, says where a row counts other applicants than the first
        cell's row of its group (the streams or projects that differ), where a mean wait
        within 10 years is not known, in how many replications, and why a row with a value
        has no difference from the first cell (:meth:`_no_difference`).
        """
        table = self.table.merge(self.differences, on=["cell", "group", "metric"], how="left")
        table = table.rename(columns={"reference_mean": FIRST_CELL_MEAN})
        counts = self._counts()
        missing = self._missing()
        empty = self._empty()
        first = next(iter(self.overrides))
        notes = []
        nobody = []
        for cell, group, metric, estimate, difference in zip(
                table["cell"], table["group"], table["metric"], table["estimate"],
                table["difference"], strict=True):
            nobody.append((cell, group) in empty or (first, group) in empty)  # none to pair
            if (cell, group) in empty:  # nothing else to say of nobody, nor a false reason
                notes.append(NOBODY_HERE)
                continue
            words = [self._other_period(cell)] if self._other_period(cell) else []
            if group in self.members.get(cell, {}):
                words.append("other applicants than in the first cell: "
                             + ", ".join(self.members[cell][group]) + " differ")
            unknown, asked = counts.get((cell, group), (0, 0))
            if metric == LEAD_METRICS[0] and np.isnan(estimate) and unknown > 0:
                words.append(f"not known in {unknown} of {asked} replications: "
                             + NO_TEN_YEARS_WHY)
            if np.isnan(difference) and (first, group) in empty:
                words.append(NO_DIFFERENCE_NOBODY)
            elif np.isnan(difference) and not np.isnan(estimate):
                why = self._no_difference(missing, cell, group, metric)
                if why:
                    words.append(why)
            notes.append("; ".join(words))
        # Where there is no difference, nothing was paired or not: the cell stays empty.
        unpaired = pd.Series(nobody, index=table.index) | table["difference"].isna()
        paired = table["paired"].astype("boolean").mask(unpaired)
        return table.assign(paired=paired, note=notes)

    def _empty(self) -> set[tuple[str, str]]:
        """The cells and groups with nobody in them, in every replication."""
        counts = self.metrics[self.metrics["metric"] == "applicants"]
        most = counts.groupby(["cell", "group"], sort=False)["value"].max()
        return {(str(key[0]), str(key[1])) for key, value in most.items()  # type: ignore[index]
                if value == 0}

    def notes(self, metric: str | None = None, group: str = "all") -> list[str]:
        """What a reader of :meth:`describe` and :meth:`figure` must know, in sentences.

        Where the key figure is the years without a connection to the end of the run because
        some cell does not know 10 (:func:`lead_metric`): how often, why, and what it sees. Where
        ``group`` counts other applicants from cell to cell (a varied key adds, redraws or
        moves a stream): which, and that its figures then mix who is in it with how long
        they wait (docs/model.md, 4.3). Where the grid has several areas: that the figures
        are the whole grid's and where its areas' are (or, for one area's sweep, whose).
        """
        metric = metric or lead_metric(self.table, group)
        check_choice(metric, group)  # an unknown one had no notes, as if there were none
        notes = []
        if metric == LEAD_METRICS[1] and lead_metric(self.table, group) == metric:
            counts, empty = self._counts(), self._empty()
            lacking = [(cell, *counts.get((cell, group), (0, 0))) for cell in self.overrides
                       if (cell, group) not in empty]  # nobody there: no wait to follow
            lacking = [item for item in lacking if item[1] > 0]
            each = [f"{unknown} of {asked}" + (" replications of " if i == 0 else " of ")
                    + self._label(cell) for i, (cell, unknown, asked) in enumerate(lacking)]
            how_often = " and ".join([", ".join(each[:-1]), each[-1]] if len(each) > 1
                                     else each)
            notes.append(f"{metric}, not {LEAD_METRICS[0]}: the 10-year mean of {group} is not "
                         f"known in {how_often or 'some replication of a cell'}, where "
                         f"{NO_TEN_YEARS_WHY}; {metric} counts everyone to the end of the "
                         "run and sees a change at any date in it, but depends on where the "
                         f"run ends: {argument('metric', LEAD_METRICS[0])} shows the 10-year "
                         "mean in the cells that know it")
        periods = self._periods()
        if periods:
            notes.append(f"not like with like: {periods}, so every group counts other "
                         "applicants from cell to cell: each cell counts the requests of its "
                         "own period and follows them for its own time")
        changed = {origin: None for cell in self.overrides
                   for origin in self.members.get(cell, {}).get(group, [])}
        if changed:
            sizes = self.table[(self.table["group"] == group)
                               & (self.table["metric"] == "applicants")]["estimate"]
            low, high = (f"{value:,.0f}" for value in (sizes.min(), sizes.max()))
            notes.append(f"{group} counts other applicants from cell to cell ({', '.join(changed)} "
                         f"differ; {low} to {high} applicants on average): its figures mix who "
                         "is in it with how long they wait, and can move though nobody's wait "
                         "does; gridqueue compare of two cells compares the same applicants "
                         "(docs/model.md, 4.3, Like with like)")
        areas = self.scenario.area_names
        if self.within is not None:
            notes.append(f"the figures are those of the applicants of {self.within} alone, "
                         "as gridqueue run gives an area's (areas.csv)")
        elif len(areas) > 1 and self.areas:
            notes.append(f"the figures above the areas are the whole grid's, its {len(areas)} "
                         f"areas together; {AREAS_FILE} gives every key figure of each area, "
                         "with its difference from the first cell")
        elif len(areas) > 1:
            notes.append(f"the figures are the whole grid's, its {len(areas)} areas "
                         f"({', '.join(areas)}) together; this sweep has no figures by area "
                         "(written by an earlier gridqueue): run it again for "
                         f"{AREAS_FILE}, or gridqueue run or compare of a cell")
        return notes

    def _short_notes(self, metric: str, group: str) -> list[str]:
        """:meth:`notes` in a few words, for the figure's title."""
        words = [f"The applicants of {self.within} alone."] if self.within else []
        if metric == LEAD_METRICS[1] and lead_metric(self.table, group) == metric:
            words.append("To the end of the run, as some replication does not know 10 years: "
                         "depends on where the run ends.")
        periods = self._periods()
        if periods:
            words.append(f"Not like with like: {periods}.")
        changed = {origin: None for cell in self.overrides
                   for origin in self.members.get(cell, {}).get(group, [])}
        if changed:
            words.append(f"Other applicants from cell to cell ({', '.join(changed)} differ): "
                         "not the same people.")
        return words

    def _periods(self) -> str:
        """How the cells' periods differ, in words ('' where the grid moves neither end).

        'the cells end on different dates (2034-12-31 to 2036-12-31)', as compare words runs
        of different periods (:func:`sim.analysis.populations.different_periods`): a later
        end adds later requests, an earlier start earlier ones, so no group holds the same
        applicants from cell to cell.
        """
        varied = {key: sorted({value_text(v) for v in self.vary[key]})
                  for key in PERIOD_KEYS if key in self.vary}
        varied = {key: values for key, values in varied.items() if len(values) > 1}
        if len(varied) == 2:
            return ("the cells cover different periods ("
                    + "; ".join(f"{key} {values[0]} to {values[-1]}"
                                for key, values in varied.items()) + ")")
        return "".join(f"the cells {key} on different dates ({values[0]} to {values[-1]})"
                       for key, values in varied.items())

    def _other_period(self, cell: str) -> str:
        """How ``cell``'s period differs from the first cell's, in words ('' where it does not)."""
        first, mine = self.overrides[next(iter(self.overrides))], self.overrides[cell]
        moved = [key for key in PERIOD_KEYS
                 if key in mine and value_text(mine[key]) != value_text(first[key])]
        if len(moved) == 2:
            mine_period, first_period = (f"{value_text(o['start'])} to {value_text(o['end'])}"
                                         for o in (mine, first))
            return (f"not like with like: this cell covers another period ({mine_period} "
                    f"against {first_period})")
        return "".join(f"not like with like: this cell {key}s on another date "
                       f"({value_text(mine[key])} against {value_text(first[key])})"
                       for key in moved)

    def _missing(self) -> dict[tuple[str, str, str], tuple[int, int, int]]:
        """By cell, group and key figure: replications not reached, without a value, and all.

        Without a value counts only a figure that needs every replication
        (:data:`~sim.runs.metrics.EVERY_REPLICATION`), in a replication whose group had
        applicants: what leaves a difference undefined
        (:func:`~sim.analysis.differences.difference_table`).
        """
        metrics = self.metrics
        keys = ["cell", "replication", "group"]
        applicants = metrics.loc[metrics["metric"] == "applicants", [*keys, "value"]]
        rows = metrics.merge(applicants.rename(columns={"value": "applicants"}), on=keys,
                             how="left")
        values = rows["value"].to_numpy(dtype=float)
        rows = rows.assign(
            unreached=np.isinf(values),
            lacking=np.isnan(values) & (rows["applicants"].to_numpy(dtype=float) > 0)
            & rows["metric"].isin(EVERY_REPLICATION).to_numpy())
        counts = rows.groupby(["cell", "group", "metric"], sort=False).agg(
            unreached=("unreached", "sum"), lacking=("lacking", "sum"),
            asked=("replication", "nunique"))
        return {(str(c), str(g), str(m)): (int(u), int(lack), int(n))
                for (c, g, m), u, lack, n in zip(counts.index, counts["unreached"],
                                                 counts["lacking"], counts["asked"],
                                                 strict=True)}

    def _no_difference(self, missing: Mapping[tuple[str, str, str], tuple[int, int, int]],
                       cell: str, group: str, metric: str, why: bool = True) -> str:
        """Why a row with a value has no difference from the first cell, '' if not known.

        Its figure is not reached, or lacks a value, in some replication of the first cell
        or of its own: such a figure has no mean to take a difference of (the first cell's
        own rows then have none either). ``why``: say why a 10-year mean is not known.
        """
        first = next(iter(self.overrides))
        reasons = []
        places = [("the first cell", first), ("this cell", cell)] if cell != first \
            else [("this cell", cell)]
        for where, which in places:
            unreached, lacking, asked = missing.get((which, group, metric), (0, 0, 0))
            if unreached:
                reasons.append(f"not reached in {unreached} of {asked} replications of {where}")
            if lacking and metric == LEAD_METRICS[0]:
                reasons.append(f"not known in {lacking} of {asked} replications of {where}"
                               + (f", where {NO_TEN_YEARS_WHY}" if why else ""))
            elif lacking:
                reasons.append(f"no value in {lacking} of {asked} replications of {where}")
        start = "no difference from the first cell" if cell != first else \
            "no difference (the first cell)"
        return f"{start}: " + "; ".join(reasons) if reasons else ""

    def _counts(self) -> dict[tuple[str, str], tuple[int, int]]:
        """By cell and group: replications without the 10-year mean, and with applicants."""
        rows = self.table[self.table["metric"].isin(["applicants", LEAD_METRICS[0]])]
        by = rows.set_index(["cell", "group", "metric"])["replications"]
        counts = {}
        for cell, group in dict.fromkeys(zip(rows["cell"], rows["group"], strict=True)):
            asked = int(by.get((cell, group, "applicants"), 0))
            known = int(by.get((cell, group, LEAD_METRICS[0]), asked))
            counts[(cell, group)] = (asked - known, asked)
        return counts

    def _label(self, cell: str) -> str:
        """A cell as its varied values: 'grid.capacity_mw=4 policy.order=fifo'."""
        return " ".join(f"{key}={value_text(value)}"
                        for key, value in self.overrides[cell].items())

    def describe(self, metric: str | None = None, group: str = "all") -> str:
        """One line per cell: its values, ``metric`` of ``group`` and its difference from the first.

        Each with its 95% interval; the difference says whether it is paired (the group holds
        the same applicants as in the first cell: :attr:`paired`) or unpaired (Welch's), as
        ``sweep.csv`` does: '8.88 (8.78 to 8.98); -0.09 (-0.11 to -0.07) from the first
        cell, paired': the levels in one precision for every cell, each difference in the
        digits that tell it from its interval's ends, as compare writes one. Intervals of the
        levels that overlap do not mean no difference: a paired difference can be clear where
        they do. A share is in percent and its
        difference in percentage points ('29.7% (23.6 to 36.5%); +4.9 pp (-0.9 to +10.6)'), as
        compare, the report and the figure show them. Unless told, the key figure is
        :func:`lead_metric`'s. Last, where the cells ran fewer than ten replications, how much
        wider that makes the intervals (:meth:`_caution`), as beneath run's table.
        """
        metric = metric or lead_metric(self.table, group)
        check_choice(metric, group)
        rows = self.table[(self.table["metric"] == metric) & (self.table["group"] == group)]
        differences = self.differences[(self.differences["metric"] == metric)
                                       & (self.differences["group"] == group)]
        rows = rows.merge(differences[["cell", "difference", "difference_ci_low",
                                       "difference_ci_high", "paired"]], on="cell", how="left")
        label = METRICS[metric].label  # its unit follows: without the one it may end with
        label = label[:label.rindex(" (")] if label.endswith(")") and " (" in label else label
        estimator = METRICS[metric].estimator
        of_means = "" if estimator == "mean" else " of the means"  # not of the medians shown
        unit = written = METRICS[metric].unit
        apart_unit = ""
        if unit == "share":  # in percent, as compare, the report and the figure show it
            shown = ["estimate", "ci_low", "ci_high"]  # the differences: format_estimate
            rows = rows.assign(**{column: rows[column] * 100.0 for column in shown})
            written, apart_unit = "percent", " in percentage points"
        where = f" in {self.within}" if self.within else ""
        lines = [f"{label} ({metric}, {written}), {group}{where}: "
                 f"{estimator} (95% CI); difference{of_means} from the first cell"
                 f"{apart_unit} (95% CI), paired where the group holds the same applicants"]
        mark = "%" if apart_unit else ""
        decimals = table_decimals(rows)
        first = next(iter(self.overrides))
        missing, empty = self._missing(), self._empty()
        for row in rows.to_dict("records"):
            cell = " ".join(f"{key}={row[key]}" for key in self.vary)
            if (str(row["cell"]), group) in empty:
                lines.append(f"  {cell}: {NOBODY_HERE}")
                continue
            if np.isnan(row["estimate"]):
                lines.append(f"  {cell}: no value (a value in {row['replications']} of "
                             f"{self.scenario.replications} replications; docs/model.md, 4.3)")
                continue
            lines.append(f"  {cell}: {_estimate_text(row, decimals, mark)}; "
                         + self._difference_text(row, unit, missing, group, metric,
                                                 (first, group) in empty))
        lines += self._area_lines(metric, group)
        lines += [f"note: {note}." for note in self.notes(metric, group)]
        caution = self._caution()
        return "\n".join([*lines, *([caution] if caution else [])])

    def _caution(self) -> str | None:
        """The caution of a sweep whose cells ran too few replications, None from ten on.

        The words run and compare say it in (:func:`~sim.runs.summary_table.few_replications`),
        for the fewest replications of a cell, as compare takes its smallest run's: each cell's
        interval is as wide as a run of that many. A difference from the first cell is paired,
        so narrower, but, as compare's paired answers, it too is that many times as wide as
        thirty replications would make it: the caution is of both. Said beneath
        :meth:`describe`; not on the figure, where neither run nor compare says it.
        """
        return few_replications(self.table.groupby("cell")["replications"].max().min())

    def _area_lines(self, metric: str, group: str) -> list[str]:
        """Each area's difference from the first cell in ``metric`` of ``group``, a line each.

        'by grid area, all of each: ...' then '  almere: grid.upstream.capacity_mw=10: -0.015
        (-0.023 to -0.006); ...', the first :data:`SHOWN_CELLS` cells after the first (each
        marked where unpaired) and how many more :data:`AREAS_FILE` holds. An area whose
        cells do not all know the mean wait within 10 years gives, where that is ``metric``,
        the years without a connection to the end of the run, named, as compare's lines by
        area do (:func:`lead_metric`).
        """
        if not self.areas:
            return []
        unit = METRICS[metric].unit
        share = " in percentage points" if unit == "share" else ""
        lines = [f"by grid area, {group} of each: difference from the first cell{share} (95% "
                 "CI), paired where not marked unpaired (other applicants there than in the "
                 f"first cell); {AREAS_FILE} has each area's levels and every key figure"]
        for name, mine in self._by_area.items():
            first = next(iter(mine.overrides))
            if (first, group) in mine._empty() and all(
                    (cell, group) in mine._empty() for cell in mine.overrides):
                lines.append(f"  {name}: {NOBODY_HERE}")
                continue
            shown, label = metric, name
            if metric == LEAD_METRICS[0] and lead_metric(mine.table, group) != metric:
                # as compare's lines by area: the stand-in, marked, where an area lacks ten
                shown = LEAD_METRICS[1]
                label = f"{name} ({shown}: its 10-year mean is not known in some replication)"
            rows = mine.table[(mine.table["metric"] == shown) & (mine.table["group"] == group)]
            differences = mine.differences[(mine.differences["metric"] == shown)
                                           & (mine.differences["group"] == group)]
            rows = rows.merge(differences[["cell", "difference", "difference_ci_low",
                                           "difference_ci_high", "paired"]], on="cell",
                              how="left")
            missing, empty = mine._missing(), mine._empty()
            texts = []
            others = [row for row in rows.to_dict("records") if row["cell"] != first]
            for row in others[:SHOWN_CELLS]:
                cell = " ".join(f"{key}={row[key]}" for key in self.vary)
                text = NOBODY_HERE if (str(row["cell"]), group) in empty else \
                    mine._difference_text(row, unit, missing, group, shown,
                                          (first, group) in empty, short=True)
                texts.append(f"{cell}: {text}")
            more = len(others) - SHOWN_CELLS
            if more > 0:
                texts.append(f"and {more} more cell{'s' if more > 1 else ''} in {AREAS_FILE}")
            lines.append(f"  {label}: " + "; ".join(texts))
        return lines

    def _difference_text(self, row: Mapping[Hashable, Any], unit: str,
                         missing: Mapping[tuple[str, str, str], tuple[int, int, int]],
                         group: str, metric: str, nobody_first: bool,
                         short: bool = False) -> str:
        """A cell's difference from the first for :meth:`describe`, or why it has none.

        Written as compare writes a difference (:func:`~sim.figures.numbers.format_estimate`):
        the digits that tell it from its interval's ends, '+1.09 (+1.03 to +1.14)', a share's
        in percentage points. ``nobody_first``: the first cell has nobody in ``group``.
        ``short``: the difference alone, marked only where unpaired, for a line that says
        once what it holds (:meth:`_area_lines`).
        """
        if row["cell"] == next(iter(self.overrides)):
            return "the first cell"
        if np.isnan(row["difference"]) and nobody_first:
            return NO_DIFFERENCE_NOBODY
        if np.isnan(row["difference"]):
            why = self._no_difference(missing, row["cell"], group, metric, why=False)
            return why or "no difference from the first cell"
        text = format_estimate(row["difference"], row["difference_ci_low"],
                               row["difference_ci_high"], unit, signed=True)
        if short:
            return text if row["paired"] else f"{text}, unpaired"
        return f"{text} from the first cell, {'paired' if row['paired'] else 'unpaired'}"

    def write(
        self, directory: str | Path, force: bool = False, metric: str | None = None,
        group: str = "all",
    ) -> Path:
        """Write the sweep into ``directory``, atomically.

        It holds ``sweep.csv`` (and ``sweep_areas.csv`` for a grid of several areas),
        ``cells/``, the figure of ``metric`` for ``group`` (PNG and
        SVG), the base ``scenario.yaml`` (and the ``waiting_list.csv`` it names) and
        ``run.json``; :meth:`read` reads it back. Returns ``directory`` as a Path.
        """
        target = Path(directory)
        with staged_directory(target, force, what="sweep",
                              inputs=self.scenario.input_files) as staging:
            for cell, overrides in self.overrides.items():
                mine = self.metrics[self.metrics["cell"] == cell].drop(columns="cell")
                areas = self.area_metrics[self.area_metrics["cell"] == cell].drop(
                    columns="cell")
                write_cell(staging / "cells", cell, overrides, mine,
                           self.run_info["cells"][cell]["cell_sha256"], areas)
            self.write_summary(staging, metric, group)
        return target

    @classmethod
    def read(cls, directory: str | Path) -> Sweep:
        """Read a sweep folder written by :meth:`write` (or ``gridqueue sweep -o``).

        Returns the :class:`Sweep` :func:`sweep` returned, running nothing: its tables are
        made from each cell's figures per replication (``cells/``) as the sweep made them,
        each varied value as it was given (a date as a date, not its text), and how each cell
        pairs with the first is read from ``run.json``. A folder that is
        not a sweep's (a run's, a comparison's), is damaged or was written by an earlier
        gridqueue lacking a file or key is refused with one message naming it.
        """
        files = read_sweep_files(Path(directory))
        return cls(scenario=files.scenario, vary=files.vary, cells=files.cells,
                   overrides=files.overrides, metrics=files.metrics, table=files.table,
                   run_info=files.run_info, paired=files.paired, members=files.members,
                   area_metrics=files.area_metrics, area_paired=files.area_paired,
                   area_members=files.area_members)

    def write_summary(self, folder: Path, metric: str | None, group: str) -> None:
        """Write every file but the cells into ``folder``, each whole or not at all."""
        with files_moved_in(folder) as staging:
            self.with_differences().to_csv(staging / "sweep.csv", index=False)
            if self.areas:
                self.by_area().to_csv(staging / AREAS_FILE, index=False)
            write_figures({"sweep": self.figure(metric, group)}, staging)
            (staging / "scenario.yaml").write_text(scenario_yaml(self.scenario),
                                                   encoding="utf-8")
            csv = self.scenario.waiting_list.csv if self.scenario.waiting_list else None
            if csv is not None:  # the file scenario.yaml names: read() loads the scenario
                shutil.copyfile(self.scenario.base_dir / csv, staging / "waiting_list.csv")
            (staging / "run.json").write_text(json.dumps(self.run_info, indent=2, default=str)
                                              + "\n", encoding="utf-8")


def table_decimals(rows: pd.DataFrame) -> int:
    """One number of decimals for a whole table of estimates and intervals.

    Three significant digits of the largest finite value (none from 100 on), more (up to
    four) while an estimate and its interval's ends that differ would read alike:
    '9.00 (8.90 to 9.10)' beside '7.94 (7.83 to 8.04)', not '9 (8.9 to 9.1)'; '4.855 (4.846
    to 4.863)', not '4.85 (4.85 to 4.86)'. Values closer than a ten-thousandth of the largest
    count as alike: a cell near zero beside thousands does not set the table's decimals. A
    value that is not alike to zero is not shown as zero either: '0.034 (0.002 to 0.543)',
    not '0.03 (0.00 to 0.54)', an interval that would seem to reach zero.
    """
    values = rows[["estimate", "ci_low", "ci_high"]].to_numpy(dtype=float)
    finite = np.abs(values[np.isfinite(values)])
    largest = float(finite.max()) if finite.size else 0.0
    decimals = 0 if largest >= 100 else 2 if largest < 1e-12 else \
        min(2 - math.floor(math.log10(largest)), 6)
    alike = largest * 1e-4
    for row in values:
        known = sorted(float(v) for v in row if np.isfinite(v))
        apart = [(a, b) for a, b in zip(known, known[1:], strict=False) if b - a > alike]
        not_zero = [v for v in known if abs(v) > alike]
        while decimals < 4 and (
                any(f"{a:.{decimals}f}" == f"{b:.{decimals}f}" for a, b in apart)
                or any(float(f"{v:.{decimals}f}") == 0 for v in not_zero)):
            decimals += 1
    return decimals


def _estimate_text(row: Mapping[Hashable, Any], decimals: int, mark: str = "") -> str:
    """'8.40 (7.10 to 9.00)' in ``decimals``, as compare writes it; 'not reached' at an end.

    An infinite lower end says 'not reached' alone; an estimate without an interval (a median
    of fewer than six replications has none) says so, rather than '(nan to nan)'. ``mark``
    follows the estimate and the interval's upper end: '29.7% (23.6 to 36.5%)' with '%'.
    """
    if np.isinf(row["ci_low"]):
        return NOT_REACHED
    if np.isnan(row["ci_low"]) or np.isnan(row["ci_high"]):
        estimate = NOT_REACHED if np.isinf(row["estimate"]) else _fixed(row["estimate"],
                                                                        decimals) + mark
        return f"{estimate} ({NO_INTERVAL})"
    estimate, low, high = (NOT_REACHED if np.isinf(row[c]) else _fixed(row[c], decimals) + end
                           for c, end in (("estimate", mark), ("ci_low", ""),
                                          ("ci_high", mark)))
    return f"{estimate} ({low} to {high})"


def _fixed(value: float, decimals: int) -> str:
    """A number with ``decimals`` and thousands separated, never '-0.00'."""
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def sweep(
    path: str | Path,
    vary: Mapping[str, Sequence[Any]] | None = None,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    *,
    replications: int | None = None,
    workers: int | None = None,
    progress: bool = False,
    cells_dir: Path | None = None,
    reuse_cells: bool = False,
    scheduler: str | None = None,
) -> Sweep:
    """Run every combination of the varied keys of a scenario file.

    Args:
        path: the base scenario file; its ``sweep:`` block, if any, adds to ``vary``.
        vary: key paths and the values each takes, e.g. ``{"policy.order": ["fifo",
            "social_priority"]}``.
        overrides: ``key.path=value`` changes common to every cell, or a mapping of key
            paths to values (as :func:`sim.load_scenario` takes them).
        replications: replications per cell (default: the scenario's).
        workers: worker processes; results do not depend on it.
        progress: show one progress bar over every replication of every cell.
        cells_dir: if given, write each cell's per-replication figures there as it finishes.
        reuse_cells: take a cell already stored in ``cells_dir`` for the same scenario (same
            hash) instead of running it again; refused without ``cells_dir``, where it would
            run every cell.
        scheduler: address of a Dask scheduler to run the replications on (default: local
            processes); results are identical.

    Returns:
        The :class:`~sim.Sweep`: each cell's key figures with their intervals and its
        difference from the first cell, in memory; :meth:`Sweep.write` writes them.
    """
    started = time.perf_counter()
    check_workers(workers)
    if reuse_cells and cells_dir is None:
        raise GridqueueError(f"{argument('reuse_cells', reuse_cells)}: expected cells_dir, the "
                             "folder whose stored cells to take; without it every cell runs")
    plan = plan_sweep(path, vary, overrides, replications, progress=progress)
    return _run_plan(Path(path), plan, started, workers=workers, progress=progress,
                     cells_dir=cells_dir, reuse_cells=reuse_cells, scheduler=scheduler)


def _run_plan(
    path: Path,
    plan: tuple[Scenario, dict[str, list[Any]], list[dict[str, Any]], list[Scenario]],
    started: float,
    *,
    workers: int | None = None,
    progress: bool = False,
    cells_dir: Path | None = None,
    reuse_cells: bool = False,
    scheduler: str | None = None,
) -> Sweep:
    """Run the cells of a sweep :func:`plan_sweep` checked; the arguments are :func:`sweep`'s."""
    base, grid, combos, scenarios = plan
    ids = [cell_id(combo) for combo in combos]
    # each cell's scenario hash, and the hash of all that defines its tables: once, before
    # the run (they key the cells kept for --resume) and in run.json after it
    hashes = [(sha256 := scenario_hash(scenario), definition_hash(scenario, scenario_sha256=sha256))
              for scenario in each_cell(scenarios, "hashing cells", progress)]
    keys = [key for _, key in hashes]
    code = [code_hashes(scenario) for scenario in scenarios]  # as each cell imports it
    listed = [waiting_list_sha256(scenario) for scenario in scenarios]  # as each cell reads it
    if reuse_cells and cells_dir is not None:
        check_kept_cells(cells_dir, dict(zip(ids, keys, strict=True)))
    total = sum(s.replications for s in scenarios)
    bar = tqdm(total=total, desc="sweep", unit="rep", disable=None if progress else True,
               file=sys.stderr, dynamic_ncols=True)
    parts, area_parts = [], []
    said: set[str] = set()
    of_cells: dict[str, list[str]] = {}  # warnings of a cell's own values, by their cells
    try:
        for number, (cell, scenario, combo, sha256) in enumerate(
                zip(ids, scenarios, combos, keys, strict=True), start=1):
            bar.set_postfix_str(f"cell {number}/{len(ids)}")
            metrics = read_cell(cells_dir, cell, sha256) if reuse_cells and cells_dir else None
            areas = None
            if metrics is not None and cells_dir is not None and len(scenario.area_names) > 1:
                areas = read_cell_areas(cells_dir, cell)
                if areas is None:  # kept without its areas (an earlier gridqueue): run again
                    metrics = None
            if metrics is not None:
                bar.update(scenario.replications)
            else:
                outputs, by_area = [], []
                with kept_warnings() as kept:  # each cell checks its policies: say once
                    for output in run_replications(scenario, workers=workers, progress=False,
                                                   scheduler=scheduler, keep_applicants=False):
                        outputs.append(output.metrics)
                        by_area.append(output.area_metrics)
                        bar.update()
                for message in dict.fromkeys(kept):
                    text = in_cell(message, combo)
                    if text != message:  # of the cell's value: not a --set the user typed
                        of_cells.setdefault(text, []).append(cell_label(combo))
                    elif message not in said:
                        said.add(message)
                        warn(message)
                # each cell reads the list again: one edited meanwhile must not be kept
                inputs_unchanged(scenario, listed[number - 1], code[number - 1])
                metrics = pd.concat(outputs, ignore_index=True)
                areas = pd.concat(by_area, ignore_index=True)
                if cells_dir is not None:
                    write_cell(cells_dir, cell, combo, metrics, sha256, areas)
            parts.append(metrics.assign(cell=cell))
            if areas is not None and not areas.empty:
                area_parts.append(areas.assign(cell=cell))
    finally:
        bar.close()
    warn_of_cells(of_cells)
    warn_same_results(combos, scenarios, parts)
    return _gather(base, grid, dict(zip(ids, combos, strict=True)), scenarios, hashes, parts,
                   workers or default_workers(), started, path, area_parts)


def _checked_arguments(
    vary: Mapping[str, Sequence[Any]] | None, overrides: Sequence[str] | Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Override]]:
    """The grid to vary and the common overrides, or a GridqueueError saying what they take.

    A list for the grid, or a key path that is not text, was an AttributeError; overrides
    given as one string were read one letter at a time, and a mapping's keys as ``--set``
    text. Overrides are taken as :func:`sim.load_scenario` takes them, each named as given.
    """
    if not isinstance(vary, Mapping | None):
        raise GridqueueError("vary: expected a mapping of key paths to lists of values, e.g. "
                             f"{{'grid.capacity_mw': [4, 8]}}, got {type(vary).__name__} "
                             f"{vary!r}"[:200])
    for key in vary or {}:
        if not isinstance(key, str):
            raise GridqueueError("vary: expected key paths as text, e.g. 'grid.capacity_mw', "
                                 f"got {type(key).__name__} {key!r}")
    given = {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in (vary or {}).items()}
    return given, as_overrides(overrides)


def _refuse_two_ways(vary: Mapping[str, Any], common: Sequence[Override],
                     replications: int | None) -> None:
    """Refuse a key that an override and ``vary`` (or ``replications``) both set.

    One lost to the other without a word: ``overrides=["grid.capacity_mw=3"]`` beside
    ``vary={"grid.capacity_mw": [0, 5]}`` ran 0 and 5, ``["replications=3"]`` beside
    ``replications=2`` ran 2. The command line refuses both (``--set`` with ``--vary`` or
    ``--replications``); so does the Python API, a key inside another included.
    """
    named = [(f"vary[{key!r}]", tuple(part.strip() for part in key.split(".")))
             for key in vary]
    if replications is not None:
        named.append((argument("replications", replications), ("replications",)))
    for override in common:
        for text, path in named:
            shared = min(len(path), len(override.path))
            if path[:shared] == override.path[:shared]:
                key = ".".join(path if len(path) >= len(override.path) else override.path)
                raise GridqueueError(f"{text} and {given_as('--set', 'override')} "
                                     f"{override.text} both set {key}; give one")


def plan_sweep(
    path: str | Path,
    vary: Mapping[str, Sequence[Any]] | None = None,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    replications: int | None = None,
    progress: bool = False,
) -> tuple[Scenario, dict[str, list[Any]], list[dict[str, Any]], list[Scenario]]:
    """Everything :func:`sweep` checks before it runs anything, and the grid it would run.

    The base scenario (with the common ``overrides``), the grid (the file's ``sweep:`` block
    updated by ``vary``), each cell's overrides and each cell's scenario, validated; cells
    that run the same scenario are refused or warned about, and so is a cell of fewer than
    :data:`~sim.analysis.differences.MIN_REPLICATIONS` replications. ``gridqueue validate``
    checks a file's ``sweep:`` block with it. ``progress``: a bar while the cells are checked.
    """
    given, common = _checked_arguments(vary, overrides)
    replications = check_replication_count(replications)
    _refuse_two_ways(given, common, replications)
    if replications is not None:
        common.append(parse_override(f"replications={replications}"))
    base, grid = read_grid(Path(path), common, given)
    combos = [dict(zip(grid, c, strict=True)) for c in itertools.product(*grid.values())]
    scenarios = cell_scenarios(Path(path), common, combos, progress)
    check_distinct(Path(path), combos, scenarios)
    fewest = min(scenario.replications for scenario in scenarios)
    if fewest < MIN_REPLICATIONS:
        from_file = not any(override.path == ("replications",) for override in common)
        in_file = f"give the scenario replications: {MIN_REPLICATIONS} or more, or "
        raise GridqueueError(
            f"{path}: sweep needs at least {MIN_REPLICATIONS} replications of each cell for a "
            f"95% interval, got {fewest}; {in_file if from_file else ''}run the sweep with "
            f"{argument('replications', MIN_REPLICATIONS)} or more")
    return base, grid, combos, scenarios


def _gather(
    base: Scenario, grid: dict[str, list[Any]], overrides: dict[str, dict[str, Any]],
    scenarios: list[Scenario], hashes: list[tuple[str, str]], parts: list[pd.DataFrame],
    workers: int, started: float, path: Path, area_parts: list[pd.DataFrame],
) -> Sweep:
    cells, metrics, table = grid_tables(grid, overrides, parts)
    by_area = {cell: area_pairing(scenarios[0], s)
               for cell, s in zip(overrides, scenarios, strict=True)}
    # every cell's figures by area, or none: a grid of one area, or cells of several
    area_metrics = (pd.concat(area_parts, ignore_index=True) if len(area_parts) == len(parts)
                    else pd.DataFrame(columns=["cell", *AREA_METRIC_COLUMNS]))
    area_metrics = area_metrics[["cell", *AREA_METRIC_COLUMNS]]
    paired = {cell: paired_groups(scenarios[0], s)
              for cell, s in zip(overrides, scenarios, strict=True)}
    members = {cell: changed_members(scenarios[0], s)
               for cell, s in zip(overrides, scenarios, strict=True)}
    run_info = {
        "gridqueue_version": __version__,
        "scenario": base.name,
        "scenario_file": str(path),
        "scenario_sha256": scenario_hash(base),
        "seed": base.seed,
        "vary": {k: [value_text(v) for v in values] for k, values in grid.items()},
        # how each cell pairs with the first, so that Sweep.read needs no cell's scenario
        "cells": {cell: {"overrides": {k: value_text(v) for k, v in combo.items()},
                         "scenario_sha256": sha256, "cell_sha256": key,
                         "replications": s.replications, "paired": paired[cell],
                         "members": members[cell],
                         **({"areas": {area: {"paired": by_area[cell][0][area],
                                              "members": by_area[cell][1].get(area, {})}
                                       for area in by_area[cell][0]}}
                            if not area_metrics.empty else {})}
                  for (cell, combo), s, (sha256, key) in zip(overrides.items(), scenarios,
                                                             hashes, strict=True)},
        "workers": workers,
        "wall_time_seconds": round(time.perf_counter() - started, 3),
        "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "dependencies": dependency_versions(),
    }
    return Sweep(scenario=base, vary=grid, cells=cells, overrides=overrides, metrics=metrics,
                 table=table, run_info=run_info, paired=paired, members=members,
                 area_metrics=area_metrics,
                 area_paired={cell: pairing for cell, (pairing, _) in by_area.items()},
                 area_members={cell: found for cell, (_, found) in by_area.items()})


def sweep_to_directory(
    directory: str | Path,
    path: str | Path,
    vary: Mapping[str, Sequence[Any]] | None = None,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    *,
    metric: str | None = None,
    group: str = "all",
    force: bool = False,
    resume: bool = False,
    command: Sequence[str] | None = None,
    **options: Any,
) -> Sweep:
    """Run a sweep straight into ``directory`` (what ``gridqueue sweep`` does).

    Each cell is stored under the output's staging area as soon as it finishes; the output
    appears, complete, only when every cell is done. If the sweep is interrupted, the finished
    cells stay there and ``resume`` continues with the others. ``command`` (the command line)
    is kept in ``run.json``; ``options`` go to :func:`sweep`.
    """
    check_choice(metric or LEAD_METRICS[0], group)
    started = time.perf_counter()
    check_workers(options.get("workers"))
    plan = plan_sweep(path, vary, overrides, options.pop("replications", None),
                      progress=options.get("progress", False))
    if resume and not force:  # once the inputs are known good: their error comes first
        nothing_to_resume(directory, "sweep", ("sweep.csv", "sweep.png"))
    finished = False
    try:
        with resumable_directory(directory, force, resume, inputs=plan[0].input_files,
                                 what="sweep") as staging:
            result = _run_plan(Path(path), plan, started, cells_dir=staging / "cells",
                               reuse_cells=resume, **options)
            if command is not None:
                result.run_info["command"] = list(command)
            result.write_summary(staging, metric, group)
            finished = True
    except KeyboardInterrupt:  # said once the staging area is kept or dropped: what is on disk
        raise interrupted(directory, "sweep", _finished_cells, finished) from None
    return result


def _finished_cells(partial: Path) -> str:
    cells = partial / "cells"
    return f"{len(list(cells.glob('*.json'))) if cells.is_dir() else 0} finished cell(s)"
