"""The comparison figures: each is made for a small family and shows data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from sim import Comparison, compare
from sim.comparison import FIGURES
from sim.palette import CATEGORY_COLOURS
from tests.comparison_family import write_family


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    family = write_family(tmp_path_factory.mktemp("family"))
    return compare([family[n] for n in ("fifo", "social_priority", "other_seed")],
                   replications=4, workers=1)


def _data_points(ax: Axes) -> int:
    """How many data values the axes draws: line vertices, bars, boxes, markers, fills."""
    points = sum(len(line.get_xdata()) for line in ax.get_lines())
    points += sum(len(c.get_paths()) for c in ax.collections)
    points += len(ax.patches) + len(ax.images)
    return points


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_is_made_with_data_and_labelled_axes(comparison: Comparison, name: str):
    """Each figure has axes that draw data and say what their axes measure."""
    fig = getattr(comparison, f"{name}_figure")()
    assert isinstance(fig, Figure)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert shown
    for ax in shown:
        assert _data_points(ax) > 0
    assert any(ax.get_xlabel() for ax in shown)
    assert any(ax.get_ylabel() or ax.get_yticklabels() for ax in shown)
    assert any(ax.get_legend() is not None for ax in shown) or name in ("wait", "projects")


def test_figures_lists_every_figure_and_omits_projects_when_none(
    comparison: Comparison, tmp_path: Path
):
    """figures() gives all seven; without named projects the project figure is left out."""
    assert list(comparison.figures()) == list(FIGURES)
    family = write_family(tmp_path, projects=False)
    plain = compare([family["fifo"], family["social_priority"]], replications=2, workers=1)
    assert plain.projects_figure() is None
    assert "projects" not in plain.figures()


def test_category_colours_are_the_same_in_every_figure(comparison: Comparison):
    """A category is drawn in its palette colour in each figure that splits by category."""
    colour = CATEGORY_COLOURS["basic_needs"]
    incidence = comparison.time_to_connection_figure()
    assert colour in {to_hex(line.get_color()) for line in incidence.axes[0].get_lines()}
    wait = comparison.wait_figure()
    assert wait.axes[0].get_title() == "Basic needs"
    assert {to_hex(p.get_facecolor(), keep_alpha=False) for p in wait.axes[0].patches} == {colour}
    withdrawals = comparison.withdrawals_figure()
    bars = {to_hex(p.get_facecolor(), keep_alpha=False) for p in withdrawals.axes[0].patches}
    assert colour in bars


def test_time_to_connection_curves_end_at_the_estimated_shares(comparison: Comparison):
    """The drawn curve of a category ends at its Aalen-Johansen share connected."""
    from sim.incidence import incidence_by_group

    fig = comparison.time_to_connection_figure()
    curves = incidence_by_group(comparison.results["fifo"].applicants)
    expected = curves[curves["category"] == "other"]["cif_connected"].iloc[-1]
    ends = [line.get_ydata()[-1] for line in fig.axes[0].get_lines()
            if to_hex(line.get_color()) == CATEGORY_COLOURS["other"]]
    assert np.isclose(ends, expected).any()
