"""The sweep figure: one key figure across the grid of varied parameters.

One varied key gives a line with 95% intervals; two give a heat map with the estimate and the
interval written in each cell; more give one line per combination of the others against the
first. Returns a matplotlib Figure; nothing is saved or shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.errors import GridqueueError, nearest
from sim.figures.palette import CATEGORY_COLOURS, CATEGORY_LABELS, LINESTYLES, MARKERS, style
from sim.inputs.applicants import CATEGORIES
from sim.runs.metrics import ALL, METRICS

__all__ = ["check_choice", "sweep_figure"]


def sweep_figure(table: pd.DataFrame, keys: list[str], metric: str, group: str) -> Figure:
    """``metric`` of ``group`` across the sweep ``table`` (one column per varied key)."""
    check_choice(metric, group)
    rows = table[(table["metric"] == metric) & (table["group"] == group)]
    label = f"{metric} ({METRICS[metric].unit})"
    estimator = METRICS[metric].estimator
    if len(keys) == 2:
        return _heat_map(rows, keys, label, group, estimator)
    return _lines(rows, keys, label, group, estimator)


def check_choice(metric: str, group: str) -> None:
    """Refuse an unknown key figure or group, naming the choices."""
    if metric not in METRICS:
        raise GridqueueError(f"--metric {metric}: unknown key figure{nearest(metric, METRICS)}; "
                             f"expected one of {', '.join(METRICS)}")
    groups = (*CATEGORIES, ALL)
    if group not in groups:
        raise GridqueueError(f"--group {group}: unknown group{nearest(group, groups)}; "
                             f"expected one of {', '.join(groups)}")


def _heat_map(
    rows: pd.DataFrame, keys: list[str], label: str, group: str, estimator: str
) -> Figure:
    columns, lines = (list(dict.fromkeys(rows[k])) for k in keys)
    fig = Figure(figsize=(1.6 * len(columns) + 3.0, 0.9 * len(lines) + 2.2),
                 layout="constrained")
    ax = fig.subplots()
    grid = rows.set_index(keys)
    means = np.array([[grid.loc[(c, r), "estimate"] for c in columns] for r in lines], dtype=float)
    image = ax.imshow(means, cmap="viridis", aspect="auto")
    finite = means[np.isfinite(means)]
    middle = (finite.min() + finite.max()) / 2 if len(finite) else 0.0
    for i, line in enumerate(lines):
        for j, column in enumerate(columns):
            cell = grid.loc[(column, line)]
            ax.text(j, i, _interval(cell), ha="center", va="center", fontsize="small",
                    color="white" if means[i, j] < middle else "black")
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(lines)), lines)
    ax.set(xlabel=keys[0], ylabel=keys[1],
           title=f"{label}, {CATEGORY_LABELS[group]}: {estimator} [95% CI]")
    fig.colorbar(image, ax=ax, label=label)
    return fig


def _lines(
    rows: pd.DataFrame, keys: list[str], label: str, group: str, estimator: str
) -> Figure:
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
        mean = line["estimate"].to_numpy(dtype=float)
        error = np.abs(line[["ci_low", "ci_high"]].to_numpy(dtype=float).T - mean)
        name = ", ".join(f"{k}={v}" for k, v in zip(others, np.atleast_1d(combo), strict=True))
        ax.errorbar(x, mean, yerr=np.nan_to_num(error), capsize=3,
                    color=CATEGORY_COLOURS[group] if not others else None,
                    linestyle=style(i, LINESTYLES),
                    marker=style(i, MARKERS), label=name or CATEGORY_LABELS[group])
    if numeric is None:
        ax.set_xticks(range(len(values)), values)
    ax.set(xlabel=keys[0], ylabel=label, title=f"{CATEGORY_LABELS[group]}: {estimator} and 95% CI")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def _numbers(values: list[str]) -> list[float] | None:
    """The values as numbers if every one is a number, else None (a categorical axis)."""
    try:
        return [float(v) for v in values]
    except ValueError:
        return None


def _interval(cell: pd.Series) -> str:
    if np.isnan(cell["estimate"]):
        return "-"
    if np.isnan(cell["ci_low"]):
        return f"{cell['estimate']:.3g}"
    return f"{cell['estimate']:.3g}\n[{cell['ci_low']:.3g}, {cell['ci_high']:.3g}]"
