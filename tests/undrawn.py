"""Figures made and laid out but not drawn, for tests of what comes before the drawing.

Drawing each figure to PNG and SVG bytes is most of a small run's time and depends on no
input; making a figure and laying it out still fail where a figure cannot be made. In a test
file marked ``undrawn`` (``tests/conftest.py``) every figure is laid out only and written as
an empty file, so such a file checks no figure's bytes (``tests/test_plots.py`` and the
walkthroughs draw them).
"""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure


def laid_out(figure: Figure) -> tuple[bytes, bytes]:
    """Stands in for :func:`sim.figures.files._draw`: lay the figure out, write no bytes."""
    figure.draw_without_rendering()
    return b"", b""


def without_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, reports and comparisons are written without figures, not even laid out.

    For a test that reads a page's words or a table after the figures were checked, or never
    looks at them: laying out a comparison's seven figures took a second or more each time.
    """
    from sim.analysis.comparison import Comparison

    monkeypatch.setattr("sim.report.run.run_figures", lambda *_: {})
    monkeypatch.setattr(Comparison, "figures", lambda _: {})
