"""The sweep figure: one key figure across the grid of varied parameters.

One varied key gives a line with 95% intervals; two give a heat map; more give one line per
combination of the others against the first. The heat map is coloured by each cell's
difference from the first cell on a scale centred on zero, so a colour says "more" or "less"
and how much; a cell whose difference lies within its uncertainty (the 95% interval includes
zero) is hatched and named so, and every cell states its mean and difference with intervals.
Returns a matplotlib Figure; nothing is saved or shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from sim.errors import GridqueueError, nearest
from sim.figures.numbers import format_estimate
from sim.figures.palette import CATEGORY_COLOURS, CATEGORY_LABELS, LINESTYLES, MARKERS, style
from sim.inputs.applicants import CATEGORIES
from sim.runs.metrics import ALL, METRICS

__all__ = ["check_choice", "sweep_figure"]


WITHIN = "#bdbdbd"
"""Colour of a heat-map cell whose difference from the first cell is within its interval."""


def sweep_figure(
    table: pd.DataFrame, keys: list[str], metric: str, group: str, differences: pd.DataFrame
) -> Figure:
    """``metric`` of ``group`` across the sweep ``table`` (one column per varied key).

    ``differences`` holds each cell's difference from the first cell
    (:func:`sim.analysis.differences.cell_differences`); the heat map is coloured by it.
    """
    check_choice(metric, group)
    chosen = (table["metric"] == metric) & (table["group"] == group)
    rows = table[chosen]
    label = METRICS[metric].label
    if len(keys) == 2:
        mine = differences[(differences["metric"] == metric) & (differences["group"] == group)]
        rows = rows.merge(mine[["cell", "difference", "difference_ci_low",
                                "difference_ci_high"]], on="cell", how="left")
        return _heat_map(rows, keys, metric, group)
    return _lines(rows, keys, label, group, 100.0 if METRICS[metric].unit == "share" else 1.0)


def check_choice(metric: str, group: str) -> None:
    """Refuse an unknown key figure or group, naming the choices."""
    if metric not in METRICS:
        raise GridqueueError(f"--metric {metric}: unknown key figure{nearest(metric, METRICS)}; "
                             f"expected one of {', '.join(METRICS)}")
    groups = (*CATEGORIES, ALL)
    if group not in groups:
        raise GridqueueError(f"--group {group}: unknown group{nearest(group, groups)}; "
                             f"expected one of {', '.join(groups)}")


def _heat_map(rows: pd.DataFrame, keys: list[str], metric: str, group: str) -> Figure:
    """Cells coloured by their difference from the first; within-noise cells hatched grey."""
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
    within = np.array([[_within(cell[(r, c)]) for c in columns] for r in lines])
    within[0, 0] = False  # the reference itself: white, at the centre of the scale
    largest = float(np.nanmax(np.abs(values), initial=0.0)) or 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-largest, vmax=largest)
    image = ax.imshow(np.where(within, np.nan, values), cmap="RdBu_r", norm=norm, aspect="auto")
    for i, line in enumerate(lines):
        for j, column in enumerate(columns):
            here = cell[(line, column)]
            if within[i, j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=WITHIN,
                                       hatch="//", edgecolor="white", linewidth=0))
            first = i == 0 and j == 0
            ax.text(j, i, _cell_text(here, unit, first), ha="center", va="center",
                    fontsize="small",
                    color="white" if abs(values[i, j]) > 0.6 * largest and not within[i, j]
                    else "black")
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(lines)), lines)
    ax.set(xlabel=keys[0], ylabel=keys[1])
    ax.set_title(f"{METRICS[metric].label}, {CATEGORY_LABELS[group]}: mean (95% CI) and "
                 f"difference from the top-left cell", fontsize="medium", wrap=True)
    difference_unit = "percentage points" if unit == "share" else unit
    fig.colorbar(image, ax=ax, label=f"Difference from the top-left cell ({difference_unit})")
    fig.legend(handles=[Patch(facecolor=WITHIN, hatch="//", edgecolor="white",
                              label="interval includes zero: no clear difference")],
               loc="outside lower center", frameon=False)
    return fig


def _within(cell: pd.Series) -> bool:
    """Whether a cell's difference from the first is within its uncertainty (or unknown)."""
    low, high = cell["difference_ci_low"], cell["difference_ci_high"]
    return bool(np.isnan(low) or np.isnan(high) or low <= 0 <= high)


def _cell_text(cell: pd.Series, unit: str, first: bool) -> str:
    """The cell's mean with its interval, then its difference from the first cell."""
    if np.isnan(cell["estimate"]):
        return "no value"
    mean = format_estimate(cell["estimate"], cell["ci_low"], cell["ci_high"], unit)
    if first:
        return f"{mean}\n(reference)"
    if np.isnan(cell["difference"]):
        return mean
    return mean + "\n" + format_estimate(cell["difference"], cell["difference_ci_low"],
                                         cell["difference_ci_high"], unit, signed=True)


def _lines(rows: pd.DataFrame, keys: list[str], label: str, group: str, scale: float
           ) -> Figure:
    """A line per combination of the other keys against the first; shares in percent."""
    values = list(dict.fromkeys(rows[keys[0]]))
    numeric = _numbers(values)
    x_of = dict(zip(values, numeric if numeric is not None else range(len(values)),
                    strict=True))
    fig = Figure(figsize=(7.0, 4.5), layout="constrained")
    ax = fig.subplots()
    others = keys[1:]
    series = rows.groupby(others, sort=False) if others else [((), rows)]
    span = (max(x_of.values()) - min(x_of.values())) or 1.0
    count = len(series) if others else 1
    for i, (combo, line) in enumerate(series):
        dodge = (i - (count - 1) / 2) * 0.015 * span  # keep the intervals apart
        x = np.array([x_of[v] for v in line[keys[0]]], dtype=float) + dodge
        mean = line["estimate"].to_numpy(dtype=float) * scale
        error = np.abs(line[["ci_low", "ci_high"]].to_numpy(dtype=float).T * scale - mean)
        # The ignore: numpy's stubs take no tuple of group keys (Hashable), which it accepts.
        name = ", ".join(f"{k}={v}" for k, v in zip(others, np.atleast_1d(combo), strict=True))  # type: ignore[arg-type]
        ax.errorbar(x, mean, yerr=np.nan_to_num(error), capsize=3,
                    color=CATEGORY_COLOURS[group] if not others else None,
                    linestyle=style(i, LINESTYLES),
                    marker=style(i, MARKERS), label=name or CATEGORY_LABELS[group])
    if numeric is None:
        ax.set_xticks(range(len(values)), values)
    ax.set(xlabel=keys[0], ylabel=label, title=f"{CATEGORY_LABELS[group]}: estimate and 95% CI")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def _numbers(values: list[str]) -> list[float] | None:
    """The values as numbers if every one is a number, else None (a categorical axis)."""
    try:
        return [float(v) for v in values]
    except ValueError:
        return None
