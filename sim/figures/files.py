"""Figures written as files: PNG (also kept as bytes for embedding in a report) and SVG."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from matplotlib.figure import Figure

__all__ = ["png_bytes", "write_figures"]


def write_figures(figures: Mapping[str, Figure], folder: Path) -> dict[str, bytes]:
    """Write each figure into ``folder`` as NAME.png and NAME.svg; return the PNGs by name."""
    folder.mkdir(parents=True, exist_ok=True)
    images = {}
    for name, fig in figures.items():
        images[name] = png_bytes(fig)
        (folder / f"{name}.png").write_bytes(images[name])
        fig.savefig(folder / f"{name}.svg")
    return images


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG; its layout is then kept, so a second format needs no new layout."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150)
    fig.set_layout_engine("none")
    return buffer.getvalue()
