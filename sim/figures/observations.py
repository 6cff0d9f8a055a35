"""The model beside the data: each published figure with the simulated band of each scenario.

One small panel per observation, each on its own scale (a count of applicants, MW, a growth
ratio), so no figure is squeezed by another. The published value is a diamond in vermilion,
which no scenario uses, with its stated range shaded grey; each scenario's simulated mean is
its marker, with a line across the band of 90% of its replications.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from sim.figures.palette import new_figure, outside_legend, scenario_handle, scenario_style

__all__ = ["observations_figure"]

PUBLISHED = "#d55e00"
"""The published figure's colour: the palette's vermilion, which no scenario uses."""
SOURCE_CHARS = 60
"""A source longer than this is cut in panel titles (observations.csv has it whole)."""


def observations_figure(tables: Mapping[str, pd.DataFrame]) -> Figure:
    """Published observations against the simulated band of each scenario.

    Args:
        tables: ``observations.csv`` tables (:meth:`sim.Results.observations`) by scenario
            label; they list the same observations, as members of one family do.
    """
    labels = list(tables)
    first = next(iter(tables.values()))
    count = max(len(first), 1)
    fig = new_figure(8.0, 0.9 + 0.75 * count * max(1, len(labels)) ** 0.5)
    axes = fig.subplots(count, 1, squeeze=False)[:, 0]
    for ax, (position, observation) in zip(axes, first.iterrows(), strict=False):
        ax.axvspan(observation["observed_low"], observation["observed_high"], color="0.85",
                   zorder=0)
        ax.plot([observation["observed"]], [len(labels)], marker="D", color=PUBLISHED,
                linestyle="")
        for i, label in enumerate(labels):
            row = tables[label].iloc[position]
            look = scenario_style(i)
            y = len(labels) - 1 - i
            ax.plot([row["simulated_band_low"], row["simulated_band_high"]], [y, y],
                    color=look.colour, linestyle=look.linestyle, linewidth=2)
            ax.plot([row["simulated_mean"]], [y], color=look.colour, marker=look.marker,
                    linestyle="")
        ax.set_yticks([])
        ax.set_ylim(-0.7, len(labels) + 0.7)
        source = str(observation["source"])
        if len(source) > SOURCE_CHARS:
            source = source[:SOURCE_CHARS - 3].rstrip() + "..."
        ax.set_title(f"{observation['label'][0].upper()}{observation['label'][1:]} "
                     f"({source})", fontsize="small", loc="left")
    handles = [scenario_handle(0, "published (range shaded)", line=False, colour=PUBLISHED)]
    handles[0].set_marker("D")
    handles += [scenario_handle(i, f"{label}: mean, 90% band")
                for i, label in enumerate(labels)]
    outside_legend(fig, handles, "Model beside data", below=True)
    return fig
