"""The sweep figure: one key figure across the grid of varied parameters.

One varied key gives a line with 95% intervals; two give a heat map; more give one line per
combination of the others against the first. Beneath the lines, a second panel shows each
cell's difference from the first cell with its own interval, paired where the cells hold the
same applicants: the cells' own intervals hold the spread all cells share (common random
numbers), so bars that overlap need not mean that the cells are alike. A line's swept values
that are numbers or dates sit in proportion along the axis, other values evenly; an axis names
its key as typed, with the unit the key's name gives (:mod:`sim.inputs.units`). A figure not
reached in the run sits at the top of the axes, labelled so, and an interval open above reaches
the top as an arrow. The heat map is coloured by each cell's difference from the first cell on
a scale centred on zero, so a colour says "more" or "less" and how much; a cell whose
difference lies within its uncertainty (the 95% interval includes zero) is hatched and named
so, one without a difference (not reached, or without a value, in some replication) is marked
not comparable, one with nobody in the group says so as the printed lines do, and every cell
states its estimate and difference with intervals, a difference taken unpaired (Welch's: the
group holds other applicants than in the first cell) marked so.
An estimate without an interval (too few replications) has no bar and says so. A line figure
of a sweep of several grid areas adds a third panel: each area's difference from the first
cell's same area, a line per area, paired where the area's applicants are the same.
Returns a matplotlib Figure; nothing is saved or shown.
"""

from __future__ import annotations

import datetime
import textwrap
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import TwoSlopeNorm
from matplotlib.dates import ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.typing import ColorType

from sim.errors import GridqueueError, argument, nearest, nearest_by_words
from sim.figures.numbers import NO_INTERVAL, NOT_REACHED, format_estimate, group_thousands
from sim.figures.palette import (
    CATEGORY_COLOURS,
    CATEGORY_LABELS,
    LINESTYLES,
    MARKERS,
    SCENARIO_COLOURS,
    style,
)
from sim.inputs.applicants import CATEGORIES
from sim.inputs.units import FRACTIONS, key_unit
from sim.runs.metrics import ALL, METRICS

__all__ = ["NOBODY_HERE", "NO_DIFFERENCE_NOBODY", "check_choice", "key_label", "sweep_figure"]


WITHIN = "#bdbdbd"
"""Colour of a heat-map cell whose difference from the first cell is within its interval."""

NOT_COMPARABLE = "#7f7f7f"
"""Colour of the dots on a heat-map cell that has no difference from the first cell."""

NO_DIFFERENCE = "not comparable (not reached, or without a value, in some replication of either)"
"""Why a heat-map cell has no difference from the first, as the comparison's sentences say."""

NOBODY_HERE = "nobody in this group in this cell"
"""Said of a cell that draws nobody into the group, by the heat map and the printed lines."""

NO_DIFFERENCE_NOBODY = "no difference from the first cell: nobody in this group there"
"""Why no cell has a difference where the first has nobody in the group, as both say it."""

UNPAIRED = "unpaired"
"""Follows a heat-map cell's difference taken with Welch's interval, not paired."""

UNPAIRED_WHY = f"{UNPAIRED}: other applicants than in the top-left cell, Welch interval"
"""The legend's word on differences marked unpaired."""

PAIRED_WHY = "the others paired (the same applicants)"
"""Follows :data:`UNPAIRED_WHY` where some other cell's difference is paired."""

BARE = "no interval"
"""Follows a heat-map cell's estimate that has no 95% interval; the legend says why."""

CELL_WIDTH = 20
"""Characters per line of a heat-map cell's words, to keep them inside the cell."""

LABEL_WIDTH = 34
"""Characters per line of a key figure's name on the y axis: one line fits the panel's height."""

NOTE = "#444444"
"""Colour of a figure's notes in words ("not reached"), as in the comparison's figures."""


def sweep_figure(
    table: pd.DataFrame, keys: list[str], metric: str, group: str, differences: pd.DataFrame,
    note: str = "", empty: Collection[str] = (),
    areas: Mapping[str, pd.DataFrame] | None = None,
) -> Figure:
    """``metric`` of ``group`` across the sweep ``table`` (one column per varied key).

    ``differences`` holds each cell's difference from the first cell
    (:func:`sim.analysis.differences.cell_differences`); the heat map is coloured by it.
    ``note`` (a caveat: another window, other applicants from cell to cell) goes under the
    title. ``empty``: the cells with nobody in ``group``, which the heat map names so.
    ``areas``: each grid area's differences, as ``differences``, by area: a line figure of one
    varied key draws them in a panel of their own (a heat map has no room for them).
    """
    check_choice(metric, group)
    chosen = (table["metric"] == metric) & (table["group"] == group)
    rows = table[chosen]
    if len(keys) == 2:
        mine = differences[(differences["metric"] == metric) & (differences["group"] == group)]
        columns = ["cell", "difference", "difference_ci_low", "difference_ci_high",
                   *(["paired"] if "paired" in mine else [])]
        rows = rows.merge(mine[columns], on="cell", how="left")
        fig = _heat_map(rows, keys, metric, group, set(empty))
    else:
        fig = _lines(rows, keys, metric, group, _differences_of(differences, metric, group),
                     {name: found for name, rows_of in (areas or {}).items()
                      if not (found := _differences_of(rows_of, metric, group)).empty})
    if note:
        ax = fig.axes[0]
        _title(ax, f"{ax.get_title()}\n{note}")
    return fig


def _title(ax: Axes, text: str) -> None:
    """A title wrapped by hand to the figure's width, each of its lines on its own.

    Matplotlib's wrap=True wraps only when drawing, after the constrained layout has made room
    for the title unwrapped: a heat map's title with a note beneath ran off the top of the
    figure.
    """
    fig = ax.get_figure(root=True)
    assert fig is not None  # every axes here is drawn on a figure
    width = max(40, int(12 * (fig.get_figwidth() - 1.5)))
    lines = (textwrap.fill(" ".join(line.split()), width, break_on_hyphens=False)
             for line in text.split("\n"))
    ax.set_title("\n".join(lines), fontsize="medium")


def check_choice(metric: str, group: str) -> None:
    """Refuse an unknown key figure or group, naming the choices (for the API and the CLI).

    A group given as the key figure and a key figure as the group are named as swapped:
    ``Results.figure`` takes the group first, a sweep's methods the key figure.
    """
    groups = (*CATEGORIES, ALL)
    if metric in groups and group in METRICS:
        raise GridqueueError(f"{argument('metric', metric)} and {argument('group', group)}: "
                             "swapped; expected the key figure as the metric and the category "
                             f"as the group: {argument('metric', group)}, "
                             f"{argument('group', metric)}")
    if metric not in METRICS:
        hint = nearest_by_words(metric, METRICS)
        raise GridqueueError(f"metric '{metric}': unknown key figure{hint}; "
                             f"expected one of {', '.join(METRICS)}")
    if group not in groups:
        raise GridqueueError(f"group '{group}': unknown group{nearest(group, groups)}; "
                             f"expected one of {', '.join(groups)}")


def _heat_map(rows: pd.DataFrame, keys: list[str], metric: str, group: str,
              empty: set[str]) -> Figure:
    """Cells coloured by their difference from the first; within-noise cells hatched grey.

    A cell without a difference is dotted and named not comparable, not taken for one within
    the noise: nothing is known about its difference. A cell in ``empty`` (nobody in the
    group) says so; where it is the first, the legend gives that as why none compares.
    """
    unit = METRICS[metric].unit
    columns, lines = (list(dict.fromkeys(rows[k])) for k in keys)
    fig = Figure(figsize=(2.1 * len(columns) + 3.4, 1.0 * len(lines) + 2.6),
                 layout="constrained")
    ax = fig.subplots()
    grid = rows.set_index(keys)
    cell = {(r, c): grid.loc[(c, r)] for r in lines for c in columns}
    scale = 100.0 if unit == "share" else 1.0
    values = np.array([[cell[(r, c)]["difference"] * scale for c in columns] for r in lines],
                      dtype=float)
    unknown = np.isnan(values)
    within = np.array([[_within(cell[(r, c)]) for c in columns] for r in lines]) & ~unknown
    unknown[0, 0] = within[0, 0] = False  # the reference itself: white, at the scale's centre
    largest = float(np.nanmax(np.abs(values), initial=0.0)) or 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-largest, vmax=largest)
    image = ax.imshow(np.where(within, np.nan, values), cmap="RdBu_r", norm=norm, aspect="auto")
    for i, line in enumerate(lines):
        for j, column in enumerate(columns):
            here = cell[(line, column)]
            if within[i, j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=WITHIN,
                                       hatch="//", edgecolor="white", linewidth=0))
            if unknown[i, j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="white",
                                       hatch="..", edgecolor=NOT_COMPARABLE, linewidth=0))
            first = i == 0 and j == 0
            text = (textwrap.fill(NOBODY_HERE, CELL_WIDTH) + ("\n(reference)" if first else "")
                    if here["cell"] in empty else _cell_text(here, unit, first))
            ax.text(j, i, text, ha="center", va="center",
                    fontsize="small",
                    color="white" if abs(values[i, j]) > 0.6 * largest and not within[i, j]
                    else "black",
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8}
                    if unknown[i, j] else None)
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(lines)), lines)
    ax.set(xlabel=key_label(keys[0]), ylabel=key_label(keys[1]))
    _title(ax, f"{METRICS[metric].label}, {CATEGORY_LABELS[group]}: "
               f"{METRICS[metric].estimator} across replications and mean difference from "
               "the top-left cell (95% CI)")
    difference_unit = "percentage points" if unit == "share" else unit
    fig.colorbar(image, ax=ax, label=f"Difference from the top-left cell ({difference_unit})")
    handles = [Patch(facecolor=WITHIN, hatch="//", edgecolor="white",
                     label="interval includes zero: no clear difference")] if within.any() else []
    if unknown.any():
        why = (f"not comparable ({NO_DIFFERENCE_NOBODY})" if cell[(lines[0], columns[0])]["cell"]
               in empty else NO_DIFFERENCE)
        handles.append(Patch(facecolor="white", hatch="..", edgecolor=NOT_COMPARABLE,
                             label=why))
    others = [cell[(r, c)] for r in lines for c in columns if (r, c) != (lines[0], columns[0])]
    if any(_unpaired(other) for other in others):
        paired = any(_paired(other) for other in others)
        handles.append(Patch(facecolor="none", edgecolor="none",
                             label=f"{UNPAIRED_WHY}; {PAIRED_WHY}" if paired else UNPAIRED_WHY))
    if any(_bare(cell[(r, c)]) for r in lines for c in columns):
        handles.append(Patch(facecolor="none", edgecolor="none", label=NO_INTERVAL))
    if handles:
        # Wrapped to the figure's width: on a map of two columns the word on unpaired cells
        # ran off both sides.
        width = max(40, int(12 * (fig.get_figwidth() - 2.0)))
        for handle in handles:
            handle.set_label(textwrap.fill(str(handle.get_label()), width))
        fig.legend(handles=handles, loc="outside lower center", frameon=False)
    return fig


def key_label(key: str) -> str:
    """A varied key as its axis names it: the key path as typed, with the unit its name gives.

    'streams.storage.rate_per_year (requests per year)', 'onsite_generation.share (share,
    0 to 1)'; a date, a name or a policy has none: the key alone.
    """
    unit = key_unit(key)
    if unit is None:
        return key
    return f"{key} ({unit}, 0 to 1)" if unit in FRACTIONS else f"{key} ({unit})"


def _within(cell: pd.Series) -> bool:
    """Whether a cell's difference from the first is within its uncertainty (or has no interval)."""
    low, high = cell["difference_ci_low"], cell["difference_ci_high"]
    return bool(np.isnan(low) or np.isnan(high) or low <= 0 <= high)


def _unpaired(cell: pd.Series) -> bool:
    """Whether a cell's difference from the first is Welch's (other applicants), not paired."""
    paired = cell.get("paired")
    return bool(paired is not None and not pd.isna(paired) and not paired
                and not np.isnan(cell["difference"]))


def _paired(cell: pd.Series) -> bool:
    """Whether a cell's difference from the first is paired (the same applicants)."""
    paired = cell.get("paired")
    return bool(paired is not None and not pd.isna(paired) and paired
                and not np.isnan(cell["difference"]))


def _bare(cell: pd.Series) -> bool:
    """Whether a cell's estimate has a value but no 95% interval (too few replications)."""
    return bool(np.isfinite(cell["estimate"])
                and (np.isnan(cell["ci_low"]) or np.isnan(cell["ci_high"])))


def _cell_text(cell: pd.Series, unit: str, first: bool) -> str:
    """The cell's estimate with its interval, then its difference from the first cell.

    A difference taken unpaired (the group holds other applicants than in the first cell)
    says so.
    """
    if np.isnan(cell["estimate"]):
        return "no value\n(reference)" if first else "no value"
    estimate = format_estimate(cell["estimate"], cell["ci_low"], cell["ci_high"], unit)
    if _bare(cell):
        estimate += f" ({BARE})"
    if first:
        return f"{estimate}\n(reference)"
    if np.isnan(cell["difference"]):
        return f"{estimate}\nnot comparable"
    return estimate + "\n" + format_estimate(cell["difference"], cell["difference_ci_low"],
                                             cell["difference_ci_high"], unit, signed=True) \
        + (" " + UNPAIRED if _unpaired(cell) else "")


def _differences_of(differences: pd.DataFrame, metric: str, group: str) -> pd.DataFrame:
    """The rows of ``differences`` for one key figure and group, by cell (empty if none)."""
    if differences.empty or "difference" not in differences:
        return pd.DataFrame()
    mine = differences[(differences["metric"] == metric) & (differences["group"] == group)]
    return mine.set_index("cell")


def _lines(rows: pd.DataFrame, keys: list[str], metric: str, group: str,
           differences: pd.DataFrame, areas: Mapping[str, pd.DataFrame]) -> Figure:
    """A line per combination of the other keys against the first; shares in percent.

    With ``differences`` (by cell) that hold one for a cell other than the first, a second
    panel beneath shows each cell's difference from the first with its own interval: under
    common random numbers that interval is much narrower than the cells' own, so bars that
    overlap above need not mean the cells are alike. With one varied key and ``areas`` (each
    area's differences by cell), a third panel shows them, a line per area.
    """
    values = list(dict.fromkeys(rows[keys[0]]))
    positions, kind = _axis(values)
    x_of = dict(zip(values, positions, strict=True))
    scale = 100.0 if METRICS[metric].unit == "share" else 1.0
    shown = differences.reindex(rows["cell"]) if not differences.empty else differences
    beneath = (not shown.empty
               and bool(np.isfinite(shown["difference"].to_numpy(dtype=float)[1:]).any()))
    by_area = beneath and len(keys) == 1 and bool(areas)
    # Drawn from left to right: values varied as 0.6,0,0.3 (the first cell, the reference,
    # first) made each line double back on itself.
    rows = rows.iloc[np.argsort([x_of[v] for v in rows[keys[0]]], kind="stable")]
    if by_area:
        fig = Figure(figsize=(7.0, 9.4), layout="constrained")
        ax, below, lowest = fig.subplots(3, 1, sharex=True, height_ratios=(3, 2, 2))
    elif beneath:
        fig = Figure(figsize=(7.0, 6.8), layout="constrained")
        ax, below = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    else:
        fig = Figure(figsize=(7.0, 4.5), layout="constrained")
        ax = fig.subplots()
    others = keys[1:]
    series = rows.groupby(others, sort=False) if others else [((), rows)]
    span = (max(positions) - min(positions)) or 1.0
    count = len(series) if others else 1
    unreached: dict[str, None] = {}  # values whose estimate is not reached, in order
    arrows = 0
    bare = False  # an estimate drawn without a bar: it has no interval
    unpaired = False
    for i, (combo, line) in enumerate(series):
        dodge = (i - (count - 1) / 2) * 0.015 * span  # keep the intervals apart
        x = np.array([x_of[v] for v in line[keys[0]]], dtype=float) + dodge
        estimate, low, high = (line[c].to_numpy(dtype=float) * scale
                               for c in ("estimate", "ci_low", "ci_high"))
        reached = np.isfinite(estimate)
        # Only finite ends get a bar; _open_ends draws those not reached.
        with np.errstate(invalid="ignore"):  # inf - inf, where the estimate is not reached
            error = np.array([estimate - low, high - estimate])
        error = np.where(np.isfinite(error) & reached, error, 0.0)
        # The ignore: numpy's stubs take no tuple of group keys (Hashable), which it accepts.
        name = ", ".join(f"{k}={v}" for k, v in zip(others, np.atleast_1d(combo), strict=True))  # type: ignore[arg-type]
        drawn = ax.errorbar(x, np.where(reached, estimate, np.nan), yerr=error, capsize=3,
                            color=CATEGORY_COLOURS[group] if not others else None,
                            linestyle=style(i, LINESTYLES),
                            marker=style(i, MARKERS), label=name or CATEGORY_LABELS[group])
        arrows += _open_ends(ax, x, estimate, low, high, drawn.lines[0].get_color(),
                             style(i, MARKERS))
        unreached.update(dict.fromkeys(line.loc[np.isposinf(estimate), keys[0]]))
        bare |= bool((reached & (np.isnan(low) | np.isnan(high))).any())
        if beneath:
            unpaired |= _difference_line(below, x, shown.loc[line["cell"]], scale,
                                         drawn.lines[0].get_color(), i)
    for value in unreached:
        ax.annotate(NOT_REACHED, (x_of[value], 1.0), xycoords=ax.get_xaxis_transform(),
                    xytext=(0, -9), textcoords="offset points", ha="center", va="top",
                    fontsize="small", color=NOTE, zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    _x_axis(ax, kind, positions, values)
    if unreached:
        ax.margins(x=0.08, y=0.15)  # room for the labels at the top
    if not np.isfinite(ax.dataLim.y0):
        ax.set_yticks([])  # nothing reached anywhere: no scale to read
    group_thousands(ax.yaxis)
    # Wrapped: the longest names (the stand-in for the ten-year mean) are taller than the
    # upper panel, and ran off the figure's top and beside the panel beneath.
    ax.set(xlabel=key_label(keys[0]), ylabel=textwrap.fill(METRICS[metric].label, LABEL_WIDTH),
           title=f"{CATEGORY_LABELS[group]}: {METRICS[metric].estimator} across replications "
                 "and 95% CI" + (" of each cell alone" if beneath else ""))
    ax.grid(alpha=0.3)
    if beneath:
        ax.set_xlabel("")
        _difference_axes(below, metric, unpaired)
        below.set_xlabel(key_label(keys[0]))
    if by_area:
        below.set_xlabel("")
        x = np.array([x_of[v] for v in rows[keys[0]]], dtype=float)
        _area_panel(lowest, x, list(rows["cell"]), areas, metric, scale, span)
        lowest.set_xlabel(key_label(keys[0]))
    handles = ax.get_legend_handles_labels()[0]
    if arrows:
        handles.append(Line2D([], [], color=NOTE, marker=r"$\uparrow$", linestyle="",
                              markersize=9, label=f"95% CI open above: upper end {NOT_REACHED}"))
    if bare:
        handles.append(Line2D([], [], linestyle="", label=f"no bar: {NO_INTERVAL}"))
    ax.legend(handles=handles, fontsize="small")
    return fig


DIFFERENCES_TITLE = ("Difference of the means from the first cell, 95% CI, paired where the "
                     "cells hold the same applicants: read it here, not from the overlap of "
                     "the bars above")
"""The title of a line figure's lower panel: why its intervals are not those above."""


def _difference_line(ax: Axes, x: np.ndarray, cells: pd.DataFrame, scale: float,
                     colour: ColorType, i: int) -> bool:
    """One line's differences from the first cell, with their intervals, on the lower panel.

    A cell without a difference (not reached, or without a value, in some replication) is
    left out; one taken unpaired (Welch's: other applicants) has a hollow marker. Returns
    whether any is unpaired.
    """
    difference, low, high = (cells[c].to_numpy(dtype=float) * scale
                             for c in ("difference", "difference_ci_low", "difference_ci_high"))
    known = np.isfinite(difference)
    error = np.array([difference - low, high - difference])
    error = np.where(np.isfinite(error) & known, error, 0.0)
    paired = np.array([not _unpaired(cell) for _, cell in cells.iterrows()], dtype=bool)
    marker = style(i, MARKERS)
    ax.errorbar(x, np.where(known, difference, np.nan), yerr=error, capsize=3, color=colour,
                linestyle=style(i, LINESTYLES), marker=marker)
    hollow = known & ~paired
    if hollow.any():
        ax.plot(x[hollow], difference[hollow], linestyle="", marker=marker, color=colour,
                markerfacecolor="white", zorder=3)
    return bool(hollow.any())


NO_AREA_DIFFERENCE = "no difference known here (the printed lines and sweep_areas.csv say why)"
"""An area's legend entry where no cell after the first has this figure's difference: its
10-year mean not known in some replication (the printed lines give the stand-in), say."""

AREAS_TITLE = "The same difference in each grid area, for its own applicants"
"""The title of the panel by area beneath a line figure's differences."""


def _area_panel(ax: Axes, x: np.ndarray, cells: list[str], areas: Mapping[str, pd.DataFrame],
                metric: str, scale: float, span: float) -> None:
    """Each area's differences from the first cell, a line per area, on the lowest panel.

    Coloured by the scenarios' palette, never a category's colour, and told apart by line
    style and marker too; an unpaired one (other applicants there) hollow, as above.
    """
    handles = []
    unpaired = False
    for i, (name, differences) in enumerate(areas.items()):
        dodge = (i - (len(areas) - 1) / 2) * 0.015 * span  # keep the intervals apart
        colour = SCENARIO_COLOURS[1 + i % (len(SCENARIO_COLOURS) - 1)]
        shown = differences.reindex(cells)
        unpaired |= _difference_line(ax, x + dodge, shown, scale, colour, i)
        look: dict[str, Any] = {"color": colour, "marker": style(i, MARKERS),
                                "linestyle": style(i, LINESTYLES)}  # as the palette's handles
        known = np.isfinite(shown["difference"].to_numpy(dtype=float)[1:])
        label = name if known.any() else f"{name}: {NO_AREA_DIFFERENCE}"
        handles.append(Line2D([], [], label=label, **look))
    _difference_axes(ax, metric, unpaired=False)
    ax.set_title(AREAS_TITLE, fontsize="medium")
    if unpaired:
        handles.append(Line2D([], [], color=NOTE, marker="o", markerfacecolor="white",
                              linestyle="", label="hollow: unpaired, other applicants than in "
                              "the first cell (Welch interval)"))
    ax.legend(handles=handles, fontsize="small")


def _difference_axes(ax: Axes, metric: str, unpaired: bool) -> None:
    """The lower panel's zero line, labels and, where a difference is unpaired, its legend."""
    unit = METRICS[metric].unit
    ax.axhline(0.0, color=NOTE, linewidth=0.8, zorder=1)
    ax.set_ylabel("Difference (percentage points)" if unit == "share"
                  else f"Difference ({unit})")
    ax.set_title(DIFFERENCES_TITLE, fontsize="medium", wrap=True)
    ax.grid(alpha=0.3)
    group_thousands(ax.yaxis)
    if unpaired:
        ax.legend(handles=[Line2D([], [], color=NOTE, marker="o", markerfacecolor="white",
                                  linestyle="", label="hollow: unpaired, other applicants than in "
                                  "the first cell (Welch interval)")],
                  fontsize="small")


def _open_ends(ax: Axes, x: np.ndarray, estimate: np.ndarray, low: np.ndarray,
               high: np.ndarray, colour: ColorType, marker: str) -> int:
    """Draw what a line cannot: intervals open above, and estimates not reached.

    An interval whose upper end is not reached (``inf``) is an arrow from its estimate (or,
    if that is not reached either, its lower end) to the top of the axes; an estimate not
    reached is a hollow marker on the top edge. Returns the number of arrows.
    """
    top = ax.get_xaxis_transform()  # x in data, y from 0 (bottom) to 1 (top)
    arrows = 0
    for spot, value, lower, upper in zip(x, estimate, low, high, strict=True):
        start = value if np.isfinite(value) else lower
        if np.isposinf(upper) and np.isfinite(start):
            ax.annotate("", xy=(spot, 1.0), xycoords=top, xytext=(spot, start),
                        textcoords="data", arrowprops={"arrowstyle": "->", "color": colour,
                                                       "shrinkA": 0, "shrinkB": 0})
            ax.update_datalim([(spot, start)])
            arrows += 1
        if np.isposinf(value):
            ax.plot([spot], [1.0], transform=top, marker=marker, color=colour,
                    markerfacecolor="white", linestyle="", clip_on=False)
    return arrows


def _axis(values: list[str]) -> tuple[list[float], str]:
    """Where the swept values sit along the x axis, and their kind.

    Numbers and dates in proportion, so slopes are true; anything else (a policy's name, say)
    evenly, as categories.
    """
    try:
        return [float(v) for v in values], "number"
    except ValueError:
        pass
    try:
        return [float(date2num(datetime.date.fromisoformat(v))) for v in values], "date"
    except ValueError:
        return [float(i) for i in range(len(values))], "category"


SWEPT_TICKS = 10
"""At most this many swept numbers are each a tick of their own (when not crowded)."""


def _x_axis(ax: Axes, kind: str, positions: list[float], values: list[str]) -> None:
    """Dates as dates, categories by name at their places; numbers thousands separated.

    A few swept numbers, none crowding the next, are the ticks themselves: 0, 10 and 20 MW
    read at 0, 2.5, 5, ... 17.5, 20, of which most were never run.
    """
    if kind == "number":
        group_thousands(ax.xaxis)
        ordered = sorted(set(positions))
        span = ordered[-1] - ordered[0]
        if (1 < len(ordered) <= SWEPT_TICKS
                and min(np.diff(ordered)) >= span / (2 * SWEPT_TICKS)):
            ax.set_xticks(ordered)
    elif kind == "date":
        ax.xaxis_date()
        ax.xaxis.set_major_formatter(ConciseDateFormatter(ax.xaxis.get_major_locator()))
    elif kind == "category":
        ax.set_xticks(positions, values)
