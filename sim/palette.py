"""The look shared by every figure: category colours and labels, scenario styles.

Categories keep one colour everywhere, from a palette that colour-blind readers can tell
apart (Okabe and Ito); scenarios are told apart by line style, marker or hatch as well as
colour, so figures stay readable in black-and-white print.
"""

from __future__ import annotations

from typing import TypeVar

from sim.metrics import ALL

__all__ = [
    "CATEGORY_COLOURS",
    "CATEGORY_LABELS",
    "HATCHES",
    "LINESTYLES",
    "MARKERS",
    "SCENARIO_COLOURS",
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

SCENARIO_COLOURS = ("#000000", "#e69f00", "#56b4e9", "#cc79a7", "#f0e442", "#7f3c8d")
"""Colours of scenarios, in input order (none is a category colour)."""

LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 3)))
MARKERS = ("o", "s", "^", "D", "v", "P")
HATCHES = ("", "//", "..", "xx", "\\\\", "++")

T = TypeVar("T")


def style(i: int, sequence: tuple[T, ...]) -> T:
    """The ``i``-th style of a sequence, starting again from the first when it runs out."""
    return sequence[i % len(sequence)]
