"""The model beside the data: each published figure with the simulated band of each scenario.

One small panel per observation, each on its own scale (a count of applicants, MW, a growth
ratio), so no figure is squeezed by another, and its axis says which (a share in %, as the
sentences and the report say it). The published value is a diamond in vermilion,
which no scenario uses, with its stated range shaded grey (a bound's to the edge of the
panel); each scenario's simulated mean is its marker, with a line across the band of 90% of
its replications.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.figures.numbers import group_thousands
from sim.figures.palette import new_figure, outside_legend, scenario_handle, scenario_style
from sim.inputs.observations import GROWTH, GROWTH_UNIT, UNITS
from sim.runs.observed import few_for_a_band, is_share

__all__ = ["IDENTITY", "axis_unit", "distinct_observations", "observations_figure",
           "same_observation"]

PUBLISHED = "#d55e00"
"""The published figure's colour: the palette's vermilion, which no scenario uses."""
SOURCE_CHARS = 60
"""A source longer than this is cut in panel titles (observations.csv has it whole)."""
NOTE_WIDTH = 100
"""Characters a line of the note above the panels holds in the figure's 8 inches."""
IDENTITY = ("label", "source", "observed", "observed_low", "observed_high")
"""Columns that tell one published observation from another across scenarios."""


def observations_figure(tables: Mapping[str, pd.DataFrame],
                        order: Sequence[str] | None = None) -> Figure:
    """Published observations against the simulated band of each scenario.

    Args:
        tables: ``observations.csv`` tables (:meth:`sim.Results.observations`) by scenario
            label. A panel per distinct observation (the same label, source and value), in
            order of first mention, so scenarios stating different ones are each drawn only
            beside their own.
        order: every scenario's label in the order the other figures style them, so that a
            scenario stating no observations does not shift the others' colours and markers
            (by default, the order of ``tables``).

    Where a band rests on too few replications to judge agreement by, the caution the text
    beside the figure gives (:func:`sim.runs.observed.few_for_a_band`) is written above the
    panels: a run's, a comparison's and a calibration's alike.
    """
    labels = list(tables)
    looks = {label: (list(order) if order is not None else labels).index(label)
             for label in labels}
    published = distinct_observations(tables)
    count = max(len(published), 1)
    fig = new_figure(8.0, 0.9 + (0.3 + 0.75 * max(1, len(labels)) ** 0.5) * count)
    axes = fig.subplots(count, 1, squeeze=False)[:, 0]
    for ax, observation in zip(axes, published.to_dict("records"), strict=False):
        unit, scale = axis_unit(observation)
        ax.plot([observation["observed"] * scale], [len(labels)], marker="D", color=PUBLISHED,
                linestyle="")
        for i, label in enumerate(labels):
            rows = same_observation(tables[label], observation)
            if rows.empty:
                continue
            row = rows.iloc[0]
            look = scenario_style(looks[label])
            y = len(labels) - 1 - i
            ax.plot([row["simulated_band_low"] * scale, row["simulated_band_high"] * scale],
                    [y, y], color=look.colour, linestyle=look.linestyle, linewidth=2)
            ax.plot([row["simulated_mean"] * scale], [y], color=look.colour, marker=look.marker,
                    linestyle="")
        _shade_published(ax, observation["observed_low"] * scale,
                         observation["observed_high"] * scale)
        ax.set_xlabel(unit, fontsize="small", labelpad=1)
        ax.set_yticks([])
        ax.set_ylim(-0.7, len(labels) + 0.7)
        group_thousands(ax.xaxis)
        source = str(observation["source"])
        if len(source) > SOURCE_CHARS:
            source = source[:SOURCE_CHARS - 3].rstrip() + "..."
        ax.set_title(f"{observation['label'][0].upper()}{observation['label'][1:]} "
                     f"({source})", fontsize="small", loc="left")
    handles = [scenario_handle(0, "published (range shaded)", line=False, colour=PUBLISHED)]
    handles[0].set_marker("D")
    handles += [scenario_handle(looks[label], label) for label in labels]
    caution = few_for_a_band(pd.concat(tables.values())).strip() if tables else ""
    if caution:
        fig.suptitle(textwrap.fill(caution, NOTE_WIDTH), fontsize="small", ha="left", x=0.02,
                     multialignment="left")
    outside_legend(fig, handles, "Model beside data: each scenario's mean (marker) and the band "
                   "of 90% of its replications (line)", below=True)
    return fig


def axis_unit(observation: Mapping[Hashable, Any]) -> tuple[str, float]:
    """What a panel's axis counts, and the factor its values are drawn at.

    The quantity's unit ('applicants', 'MW'); a share in % (drawn at 100 times the
    fraction the table keeps); a growth a ratio to the count at the earlier date.
    """
    if str(observation.get("label", "")).startswith(GROWTH):
        return GROWTH_UNIT, 1.0
    unit = UNITS.get(str(observation.get("quantity")), "")
    return unit, 100.0 if is_share(observation) else 1.0


def _shade_published(ax: Any, low: float, high: float) -> None:
    """Shade the published range; a bound's open side runs to the edge of the panel."""
    if math.isfinite(low) and math.isfinite(high):
        ax.axvspan(low, high, color="0.85", zorder=0)
        return
    finite = [end for end in (low, high) if math.isfinite(end)]
    ax.axvline(*finite, color="0.85", linewidth=0)  # the finite end in view
    ax.margins(x=0.1)
    ax.autoscale_view()
    left, right = ax.get_xlim()
    ax.axvspan(low if math.isfinite(low) else left, high if math.isfinite(high) else right,
               color="0.85", zorder=0)
    ax.set_xlim(left, right)


def distinct_observations(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each observation the tables state, once, in order of first mention."""
    stated = pd.concat(list(tables.values()), ignore_index=True)
    return stated.drop_duplicates(list(IDENTITY)).reset_index(drop=True)


def same_observation(table: pd.DataFrame, observation: Mapping[Hashable, Any]
                     ) -> pd.DataFrame:
    """The rows of ``table`` stating ``observation`` (the same label, source and value).

    A range without an end (a bound's open side, empty) matches one without it.
    """
    match = pd.Series(True, index=table.index)
    for column in IDENTITY:
        given = observation[column]
        match &= (table[column].isna() if pd.isna(given) else table[column] == given)
    return table[match]
