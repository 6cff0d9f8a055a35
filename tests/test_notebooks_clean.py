"""The notebooks are stored clean: valid nbformat 4, no outputs, no execution counts.

The test suite runs them top to bottom (``pytest --nbmake``); these checks keep the stored
files free of results, which would otherwise go stale and bloat the history.
"""

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
TUTORIALS = ("01_quick_start.ipynb", "02_comparing_policies.ipynb",
             "03_changing_assumptions.ipynb")


def test_tutorial_notebooks_are_present():
    """The three tutorial notebooks are in notebooks/, so the checks below are not vacuous."""
    assert set(TUTORIALS) <= {path.name for path in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_stored_without_outputs(path: Path):
    """Every code cell of a stored notebook has no outputs and no execution count."""
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    assert notebook.nbformat == 4, f"{path.name}: nbformat {notebook.nbformat}, expected 4"
    nbformat.validate(notebook)
    dirty = [number for number, cell in enumerate(notebook.cells)
             if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, (f"{path.name}: cells {dirty} hold outputs or execution counts; "
                       "clear them before saving (see notebooks/README.md)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_has_a_title_and_ends_with_checks(path: Path):
    """A notebook opens with a markdown title and its last code cell asserts on its results."""
    notebook = nbformat.read(path, as_version=4)
    assert notebook.cells[0].cell_type == "markdown"
    assert notebook.cells[0].source.startswith("# ")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and "assert " in code[-1].source, f"{path.name}: the last code cell checks nothing"


def test_changing_assumptions_quotes_no_wait_of_the_connected_only():
    """Notebook 03 shows the lead wait, as notebook 02 advises, not ``wait_mean_years``.

    Its sweep said "each year of delay adds 0.72 years to the mean wait of the connected", a
    figure that leaves out everyone who withdrew or still waits. Only the final checks (the
    last code cell) may name it.
    """
    path = NOTEBOOK_DIR / "03_changing_assumptions.ipynb"
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    quoting = [number for number, cell in enumerate(code[:-1])
               if "wait_mean_years" in cell.source]
    assert not quoting, f"{path.name}: code cells {quoting} show wait_mean_years"


def test_comparing_policies_quotes_the_estimate_not_the_mean_column():
    """Notebook 02 reads ``estimate``, and says why, where it read ``mean``.

    ``mean`` is over the replications that had a value; where not every replication knows the
    ten-year wait, ``estimate`` is blank and that mean is over a biased subset (those whose
    early queue emptied). The notebook showed and checked ``mean`` beside ``ci_low`` and
    ``ci_high``, an interval around ``estimate``.
    """
    notebook = nbformat.read(NOTEBOOK_DIR / "02_comparing_policies.ipynb", as_version=4)
    code = [number for number, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and re.search(r"""["']mean["']""", cell.source)]
    assert not code, f"cells {code} read the mean column"
    said = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"
            and "Quote `estimate`, not the `mean` column" in cell.source]
    assert len(said) == 1 and "`replications` says" in said[0]


def test_quick_start_leads_with_a_wait_of_everyone_and_a_median_of_the_total():
    """Notebook 01 quoted first the wait of the connected only, and a sum of medians as one.

    The README leads with ``wait_rmst_10y_years``, which counts everyone; the notebook's first
    figure was ``wait_mean_years``. And it called the sum of the categories' median queues
    "the median queue" (1539 where the median of the total was 1542.5).
    """
    notebook = nbformat.read(NOTEBOOK_DIR / "01_quick_start.ipynb", as_version=4)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    asked = [re.findall(r"""results\.figure\(["']\w+["'], ["'](\w+)["']\)""", source)
             for source in code[:-1]]
    assert [name for names in asked for name in names][:2] == [
        "wait_rmst_10y_years", "wait_mean_years"]
    peak = next(source for source in code if "The median queue is longest" in source)
    assert "median_queue.sum(" not in peak
    assert 'per_month.sum(axis=1).groupby("date").median()' in peak
