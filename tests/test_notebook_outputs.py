"""What a reader sees in the outputs of a tutorial, run top to bottom as stored."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from sim import METRICS
from tests.conftest import COVERAGE_ENVIRONMENT

QUICK_START = Path(__file__).resolve().parents[1] / "notebooks" / "01_quick_start.ipynb"


@pytest.mark.slow
def test_quick_start_shows_what_each_key_figure_counts_in_full(monkeypatch: pytest.MonkeyPatch):
    """Its table of key figures cut "what it counts" at pandas' 50 characters.

    It is the notebook's one place that says what each figure of ``summary`` means, yet
    it showed "applicants who asked for a connection before t..." and "mean years
    waited within the first 10 years aft...": the part that says whom a figure counts
    was cut off in most rows.
    """
    notebook = nbformat.read(QUICK_START, as_version=4)
    for name in COVERAGE_ENVIRONMENT:  # untraced, as the suite runs the notebooks
        monkeypatch.delenv(name, raising=False)
    NotebookClient(notebook, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(QUICK_START.parent)}}).execute()
    cell = next(cell for cell in notebook.cells
                if cell.cell_type == "code" and '"what it counts"' in cell.source)
    shown = "".join(output.get("data", {}).get("text/plain", "") for output in cell.outputs)
    cut = [name for name, metric in METRICS.items() if metric.description not in shown]
    assert not cut, f"descriptions cut short: {cut}"
