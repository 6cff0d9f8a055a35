"""Figures written as files: PNG (also kept as bytes for embedding in a report) and SVG.

Every figure gridqueue writes, a run's, a comparison's, a sweep's and a calibration's, goes
through :func:`write_figures`, so the same scenario and seed give the same bytes whatever
the number of workers or the day (see :func:`svg_bytes`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from sim.runs.workers import can_fork, forked_map

__all__ = ["png_bytes", "write_figures"]


def write_figures(figures: Mapping[str, Figure], folder: Path,
                  workers: int = 1) -> dict[str, bytes]:
    """Write each figure into ``folder`` as NAME.png and NAME.svg; return the PNGs by name.

    With ``workers`` above one, the figures are drawn in that many forked processes, which
    inherit them: drawing is most of the time a report takes (the Flevoland questions' eight
    figures, about 9 s on one core). The files are the same either way.
    """
    folder.mkdir(parents=True, exist_ok=True)
    names = list(figures)
    if workers > 1 and len(names) > 1 and can_fork():
        drawn = _draw_in_processes(figures, names, workers)
    else:
        drawn = [_draw(figures[name]) for name in names]
    for name, (png, svg) in zip(names, drawn, strict=True):
        (folder / f"{name}.png").write_bytes(png)
        (folder / f"{name}.svg").write_bytes(svg)
    return {name: png for name, (png, _) in zip(names, drawn, strict=True)}


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG; its layout is then kept, so a second format needs no new layout."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150)
    fig.set_layout_engine("none")
    return buffer.getvalue()


def _draw(fig: Figure) -> tuple[bytes, bytes]:
    """The figure as PNG and as SVG (laid out once, for the PNG)."""
    png = png_bytes(fig)
    return png, svg_bytes(fig)


def svg_bytes(fig: Figure) -> bytes:
    """The figure as SVG, the same bytes each time it is drawn alike.

    Matplotlib otherwise writes the date and random ids into every SVG, so that two runs of
    one scenario and seed wrote different files.
    """
    svg = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "gridqueue"}):
        fig.savefig(svg, format="svg", metadata={"Date": None})
    return svg.getvalue()


def _draw_in_processes(figures: Mapping[str, Figure], names: list[str],
                       workers: int) -> list[tuple[bytes, bytes]]:
    """Each figure drawn in one of ``workers`` forked processes, in the order of ``names``."""
    with forked_map(_draw_adopted, names, min(workers, len(names)), _adopt, figures) as drawn:
        return list(drawn)


_ADOPTED: Mapping[str, Figure] = {}
"""The figures a drawing worker process inherited (set in the worker only)."""


def _adopt(figures: Mapping[str, Figure]) -> None:
    global _ADOPTED
    _ADOPTED = figures


def _draw_adopted(name: str) -> tuple[bytes, bytes]:
    """Figure ``name`` of those inherited, drawn (in a worker)."""
    return _draw(_ADOPTED[name])
