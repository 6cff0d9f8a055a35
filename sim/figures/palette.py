"""The look shared by every figure: category colours and labels, scenario styles, legends.

Categories keep one colour everywhere, from a palette that colour-blind readers can tell
apart (Okabe and Ito); scenarios are told apart by line style, marker or hatch as well as
colour, so figures stay readable in black-and-white print.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D

from sim.runs.metrics import ALL

__all__ = [
    "CATEGORY_COLOURS",
    "CATEGORY_LABELS",
    "HATCHES",
    "LINESTYLES",
    "MARKERS",
    "SCENARIO_COLOURS",
    "ScenarioStyle",
    "new_figure",
    "outside_legend",
    "scenario_handle",
    "scenario_style",
    "style",
]

CATEGORY_COLOURS: dict[str, str] = {
    "congestion_relief": "#0072b2",
    "safety": "#d55e00",
    "basic_needs": "#009e73",
    "other": "#6e6e6e",
    ALL: "#000000",
}
"""The colour of each category (and of all applicants together), the same in every figure."""

CATEGORY_LABELS: dict[str, str] = {
    "congestion_relief": "Congestion relief",
    "safety": "Safety",
    "basic_needs": "Basic needs",
    "other": "Other businesses",
    ALL: "All applicants",
}
"""How categories are named in legends and axis labels."""

SCENARIO_COLOURS = ("#000000", "#e69f00", "#56b4e9", "#cc79a7", "#332288", "#999933",
                    "#882255", "#44aa99", "#8c564b", "#7570b3", "#ee3377", "#117733")
"""Colours of scenarios, in input order: twelve, none a category colour, none so light that
it fades on white paper."""

LINESTYLES: tuple[str | tuple[int, tuple[float, ...]], ...] = (
    "-", (0, (5, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)), (0, (6, 1.5, 1, 1.5, 1, 1.5)), (0, (11, 3)))
"""Line styles: solid, dashed, dotted, dash-dot, dash-dot-dot, long dashes."""

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*", "d", "h")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "----", "||", "/o", "\\.", "O.")

T = TypeVar("T")


def style(i: int, sequence: tuple[T, ...]) -> T:
    """The ``i``-th style of a sequence, starting again from the first when it runs out."""
    return sequence[i % len(sequence)]


@dataclass(frozen=True)
class ScenarioStyle:
    """How one scenario is drawn: its colour with a line style and marker, or a bar hatch."""

    colour: str
    linestyle: str | tuple[int, tuple[float, ...]]
    marker: str
    hatch: str

    def line(self) -> dict[str, Any]:
        """Keyword arguments of ``Axes.plot`` for this scenario's line."""
        return {"color": self.colour, "linestyle": self.linestyle, "marker": self.marker}


def scenario_style(i: int) -> ScenarioStyle:
    """The style of the ``i``-th scenario (0 is the reference).

    The first twelve differ in colour, marker and hatch alike, and in line style and marker
    together (for print); later ones shift the marker against the colour, so up to 144
    scenarios still differ in colour and marker together.
    """
    shifted = i + i // len(SCENARIO_COLOURS)
    return ScenarioStyle(colour=style(i, SCENARIO_COLOURS), linestyle=style(shifted, LINESTYLES),
                         marker=style(shifted, MARKERS), hatch=style(shifted, HATCHES))


def scenario_handle(
    i: int, label: str, line: bool = True, colour: str | None = None
) -> Line2D:
    """A legend entry for the ``i``-th scenario: its line and marker, or its marker alone.

    ``colour`` replaces the scenario's colour where colour stands for something else.
    """
    look = scenario_style(i).line()
    if not line:
        look["linestyle"] = ""
    if colour is not None:
        look["color"] = colour
    return Line2D([], [], label=label, markersize=6, **look)


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` by ``height`` inches whose layout keeps labels and legends in."""
    return Figure(figsize=(width, height), layout="constrained")


def outside_legend(
    fig: Figure, handles: Sequence[Artist | tuple[Artist, ...]], title: str,
    below: bool = False, labels: Sequence[str] | None = None,
) -> None:
    """A legend for the whole figure, outside every axes so it never covers data.

    On the right in one column (two beyond 14 entries), or ``below`` in rows of up to six, as
    many as the figure's width holds (a wider legend would be cut at both sides). An entry
    may be a tuple of artists, drawn side by side (several markers meaning one thing);
    ``labels`` then gives the entries' texts, which are otherwise the handles' labels.
    """
    texts = list(labels) if labels is not None else [
        str(handle.get_label()) for handle in handles  # type: ignore[union-attr]  # no tuples
    ]
    more = max((len(h) - 1 for h in handles if isinstance(h, tuple)), default=0)
    shared = {"handles": list(handles), "labels": texts, "title": title, "fontsize": "medium",
              "frameon": False, "handler_map": {tuple: HandlerTuple(ndivide=None)},
              "handlelength": 2.0 + 1.2 * more}  # room for each marker of a tuple
    if below:
        longest = max((len(text) for text in texts), default=0)
        # The handle, a marker wider for each more in a tuple, then the text.
        column_inches = 0.7 + 0.17 * more + 0.09 * longest
        fits = int(fig.get_figwidth() / column_inches)
        fig.legend(loc="outside lower center",
                   ncols=max(1, min(len(handles), 6, fits)), **shared)
    else:
        fig.legend(loc="outside right upper", ncols=math.ceil(len(handles) / 14), **shared)
