"""The sweep figure over hand-made tables: open intervals, figures not reached, date axes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation

from sim.figures.numbers import NOT_REACHED
from sim.figures.sweep import sweep_figure
from sim.runs.metrics import METRICS

INF = np.inf
DATE = "grid.upgrades.8.date"


def _table(keys: list[str], rows: list[list[object]], metric: str) -> pd.DataFrame:
    """A sweep table of one key figure for all applicants: a cell per row."""
    table = pd.DataFrame(rows, columns=[*keys, "estimate", "ci_low", "ci_high"])
    table.insert(0, "cell", [f"cell{i}" for i in range(len(table))])
    return table.assign(group="all", metric=metric)


def _differences(table: pd.DataFrame, rows: list[tuple[float, float, float]]) -> pd.DataFrame:
    """Each cell's difference from the first, with its interval, as cell_differences gives."""
    frame = pd.DataFrame(rows, columns=["difference", "difference_ci_low", "difference_ci_high"])
    return frame.assign(cell=table["cell"], group="all", metric=table["metric"])


def _notes(ax: Axes) -> list[str]:
    """The texts of the annotations on an axes: labels, and empty ones for arrows."""
    return [child.get_text() for child in ax.get_children() if isinstance(child, Annotation)]


def test_open_intervals_and_unreached_estimates_keep_the_line_readable():
    """An interval open above is an arrow, an estimate not reached a labelled marker on top."""
    table = _table([DATE], [["2030-01-01", 8.4, 7.1, INF], ["2031-01-01", 8.3, 8.0, 9.0],
                            ["2032-01-01", INF, 8.9, INF], ["2033-01-01", INF, INF, INF]],
                   "connect_p25_years")
    ax = sweep_figure(table, [DATE], "connect_p25_years", "all", pd.DataFrame()).axes[0]
    low, high = ax.get_ylim()
    assert 5 < low < 7.1 and 9 < high < 12  # the finite values set the scale
    assert _notes(ax).count(NOT_REACHED) == 2  # the two cells whose estimate is not reached
    assert _notes(ax).count("") == 2  # arrows: from 8.4 and from 8.9 to the top
    tops = [line for line in ax.get_lines() if list(line.get_ydata()) == [1.0]]
    assert len(tops) == 2  # a marker on the top edge for each
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any(NOT_REACHED in label for label in labels)
    assert "median" in ax.get_title()


def test_a_figure_not_reached_anywhere_shows_no_scale():
    """When no cell reaches the figure, every cell says so and the y axis has no numbers."""
    table = _table([DATE], [["2030-01-01", INF, INF, INF], ["2031-01-01", INF, INF, INF]],
                   "connect_median_years")
    ax = sweep_figure(table, [DATE], "connect_median_years", "all", pd.DataFrame()).axes[0]
    assert _notes(ax).count(NOT_REACHED) == 2
    assert len(ax.get_yticks()) == 0


def test_dates_and_numbers_sit_in_proportion_and_names_evenly():
    """2029, 2030 and 2033 are one and three years apart on the axis; policy names are not."""
    rows = [[value, 5.0, 4.0, 6.0] for value in ("2029-01-01", "2030-01-01", "2033-01-01")]
    fig = sweep_figure(_table([DATE], rows, "wait_mean_years"), [DATE], "wait_mean_years",
                       "all", pd.DataFrame())
    fig.draw_without_rendering()
    ax = fig.axes[0]
    assert np.diff(ax.get_lines()[0].get_xdata()).tolist() == [365.0, 3 * 365.0 + 1]  # days
    assert {"2029", "2030", "2033"} <= {t.get_text() for t in ax.get_xticklabels()}
    rows = [[value, 5.0, 4.0, 6.0] for value in ("fifo", "social_priority", "area_first")]
    ax = sweep_figure(_table(["policy.order"], rows, "wait_mean_years"), ["policy.order"],
                      "wait_mean_years", "all", pd.DataFrame()).axes[0]
    assert list(ax.get_lines()[0].get_xdata()) == [0.0, 1.0, 2.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["fifo", "social_priority",
                                                           "area_first"]


def test_heat_map_marks_cells_without_a_difference_not_comparable():
    """A cell with no difference (its reference not reached) is not taken for one in the noise."""
    keys = [DATE, "policy.order"]
    table = _table(keys, [["2026-01-01", "fifo", INF, INF, INF],
                          ["2033-01-01", "fifo", 9.2, 8.8, 9.9],
                          ["2026-01-01", "social_priority", 6.0, 5.0, 7.0],
                          ["2033-01-01", "social_priority", 7.8, 7.4, 8.7]],
                   "connect_median_years")
    differences = _differences(table, [(np.nan,) * 3, (np.nan,) * 3, (-0.5, -1.0, 0.2),
                                       (np.nan,) * 3])
    fig = sweep_figure(table, keys, "connect_median_years", "all", differences)
    ax = fig.axes[0]
    hatches = [p.get_hatch() for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert sorted(hatches) == ["..", "..", "//"]  # two not comparable, one within the noise
    texts = [t.get_text() for t in ax.texts]
    assert sum("not comparable" in t for t in texts) == 2
    assert "(reference)" in texts[0] and NOT_REACHED in texts[0]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(t.startswith("not comparable") for t in legend)
    title = " ".join(ax.get_title().split())  # wrapped to the figure's width
    assert "median across replications" in title
    assert "mean (95% CI)" not in title


def test_heat_map_names_the_reference_also_where_it_has_no_value():
    """A top-left cell without a value read "no value" alone, not named the reference."""
    keys = [DATE, "policy.order"]
    table = _table(keys, [["2026-01-01", "fifo", np.nan, np.nan, np.nan],
                          ["2033-01-01", "fifo", 9.2, 8.8, 9.9]], "wait_rmst_10y_years")
    fig = sweep_figure(table, keys, "wait_rmst_10y_years", "all",
                       _differences(table, [(np.nan,) * 3] * 2))
    assert fig.axes[0].texts[0].get_text() == "no value\n(reference)"


def test_heat_map_names_in_its_legend_only_the_marks_it_draws():
    """'interval includes zero' stood in the legend of a map in which every cell differed."""
    keys = [DATE, "policy.order"]
    table = _table(keys, [["2026-01-01", "fifo", 9.0, 8.8, 9.2],
                          ["2033-01-01", "fifo", 9.2, 8.8, 9.9],
                          ["2026-01-01", "social_priority", 6.0, 5.0, 7.0],
                          ["2033-01-01", "social_priority", 7.8, 7.4, 8.7]],
                   "wait_mean_years")
    clear = [(np.nan,) * 3, (0.2, 0.1, 0.3), (-3.0, -3.5, -2.5), (-1.2, -1.5, -0.9)]
    fig = sweep_figure(table, keys, "wait_mean_years", "all", _differences(table, clear))
    assert not fig.legends
    within = [*clear[:3], (-0.1, -0.4, 0.2)]
    fig = sweep_figure(table, keys, "wait_mean_years", "all", _differences(table, within))
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "interval includes zero: no clear difference"]


def test_lines_show_each_cells_difference_from_the_first_beneath():
    """Cells whose own intervals overlap may still differ clearly: the panel beneath says so.

    Under common random numbers, each cell's interval (above) holds the spread that all cells
    share, which the difference from the first cell (paired) does not; with only the bars
    above, 8.97 (8.67 to 9.21) and 8.83 (8.50 to 9.09) read as alike, while the paired
    difference is -0.147 (-0.169 to -0.125). A cell with other applicants (Welch) is hollow.
    """
    key = "onsite_generation.share"
    table = _table([key], [["0", 8.97, 8.67, 9.21], ["0.3", 8.92, 8.58, 9.18],
                           ["0.6", 8.83, 8.50, 9.09]], "wait_rmst_10y_years")
    differences = _differences(table, [(0.0, 0.0, 0.0), (-0.055, -0.087, -0.024),
                                       (-0.147, -0.169, -0.125)])
    differences["paired"] = [True, True, False]
    fig = sweep_figure(table, [key], "wait_rmst_10y_years", "all", differences)
    top, below = fig.axes[:2]
    assert "each cell alone" in top.get_title()
    assert "paired" in below.get_title() and below.get_ylabel() == "Difference (years)"
    line = below.get_lines()[0]
    assert np.allclose(line.get_ydata(), [0.0, -0.055, -0.147])
    assert list(line.get_xdata()) == list(top.get_lines()[0].get_xdata())
    hollow = [ln for ln in below.get_lines() if ln.get_markerfacecolor() == "white"]
    assert len(hollow) == 1 and np.allclose(hollow[0].get_ydata(), [-0.147])
    assert any("unpaired" in t.get_text() for t in below.get_legend().get_texts())
    assert below.get_xlabel() == "onsite_generation.share (share, 0 to 1)"
    # Without differences (or with none but the first cell's), one panel as before.
    alone = sweep_figure(table, [key], "wait_rmst_10y_years", "all", pd.DataFrame())
    assert len(alone.axes) == 1 and "each cell alone" not in alone.axes[0].get_title()


def test_values_varied_out_of_order_are_drawn_from_left_to_right():
    """--vary share=0.6,0,0.3 (the current value first, as the reference) doubled back.

    Each point keeps its own cell's estimate and difference; only the order of drawing is
    the axis's.
    """
    key = "onsite_generation.share"
    table = _table([key], [["0.6", 8.83, 8.50, 9.09], ["0", 8.97, 8.67, 9.21],
                           ["0.3", 8.92, 8.58, 9.18]], "wait_rmst_10y_years")
    differences = _differences(table, [(0.0, 0.0, 0.0), (0.147, 0.125, 0.169),
                                       (0.091, 0.06, 0.12)])
    top, below = sweep_figure(table, [key], "wait_rmst_10y_years", "all", differences).axes[:2]
    assert list(top.get_lines()[0].get_xdata()) == [0.0, 0.3, 0.6]
    assert np.allclose(top.get_lines()[0].get_ydata(), [8.97, 8.92, 8.83])
    assert list(below.get_lines()[0].get_xdata()) == [0.0, 0.3, 0.6]
    assert np.allclose(below.get_lines()[0].get_ydata(), [0.147, 0.091, 0.0])


def test_a_few_swept_numbers_are_the_ticks_of_the_x_axis():
    """0, 10 and 20 MW swept read at 0, 10 and 20, not at 2.5, 7.5 and 12.5 never run.

    Crowded values (0, 1 and 100) keep the usual ticks, whose labels cannot overlap.
    """
    key = "grid.capacity_mw"
    table = _table([key], [[0, 8.9, 8.8, 9.1], [10, 8.8, 8.7, 9.0], [20, 8.8, 8.6, 9.0]],
                   "wait_rmst_10y_years")
    differences = _differences(table, [(0.0, 0.0, 0.0), (-0.07, -0.09, -0.05),
                                       (-0.13, -0.18, -0.09)])
    for ax in sweep_figure(table, [key], "wait_rmst_10y_years", "all", differences).axes:
        assert list(ax.get_xticks()) == [0.0, 10.0, 20.0]
    crowded = _table([key], [[0, 8.9, 8.8, 9.1], [1, 8.8, 8.7, 9.0], [100, 8.8, 8.6, 9.0]],
                     "wait_rmst_10y_years")
    ax = sweep_figure(crowded, [key], "wait_rmst_10y_years", "all", pd.DataFrame()).axes[0]
    assert list(ax.get_xticks()) != [0.0, 1.0, 100.0]


def test_a_heat_maps_title_with_a_note_stays_inside_the_figure():
    """The title and the note beneath it are laid out as drawn, not cut off at the top.

    Wrapped only when drawn, a heat map's title with the note on the 10-year mean ran four
    lines high where the layout had made room for two, and its first line was lost.
    """
    keys = ["policy.order", "grid.upgrades.8.delay_years"]
    table = _table(keys, [["fifo", 0, 5.8, 5.6, 6.0], ["social_priority", 0, 5.1, 4.9, 5.3],
                          ["fifo", 2, 6.3, 6.1, 6.5], ["social_priority", 2, 5.9, 5.7, 6.1]],
                   "wait_to_end_years")
    differences = _differences(table, [(0.0, 0.0, 0.0), (-0.7, -0.8, -0.6), (0.5, 0.44, 0.56),
                                       (0.12, 0.01, 0.23)])
    note = ("To the end of the run, as some replication does not know 10 years: depends on "
            "where the run ends.")
    fig = sweep_figure(table, keys, "wait_to_end_years", "all", differences, note=note)
    fig.draw_without_rendering()
    title = fig.axes[0].title
    box = title.get_window_extent()
    assert box.y1 <= fig.bbox.y1 and box.x0 >= 0 and box.x1 <= fig.bbox.x1
    words = " ".join(title.get_text().split())
    assert "mean across replications and mean difference" in words and words.endswith(note)


def test_a_long_key_figure_name_stays_beside_its_own_panel():
    """The stand-in's name ran off the top of the figure and down beside the panel beneath.

    'Mean years without a connection, to the end of the run, everyone (years)', the figure a
    sweep shows where the ten-year mean is not known, was one line longer than the upper
    panel is high: clipped at the top edge, and across the difference panel's scale. The
    name is now wrapped to the panel's height, in every key figure and either layout.
    """
    key = "onsite_generation.share"
    for metric in ("wait_to_end_years", "mw_connected", "wait_firm_rmst_10y_years"):
        table = _table([key], [["0.2", 6.03, 5.93, 6.13], ["0.5", 5.92, 5.81, 6.03]], metric)
        differences = _differences(table, [(0.0, 0.0, 0.0), (-0.11, -0.13, -0.09)])
        for shown in (differences, pd.DataFrame()):
            fig = sweep_figure(table, [key], metric, "all", shown)
            FigureCanvasAgg(fig)
            renderer = fig.canvas.get_renderer()
            fig.draw(renderer)  # lays the figure out, as saving it does
            top = fig.axes[0]
            label = top.yaxis.label.get_window_extent(renderer)
            panel = top.get_window_extent(renderer)
            assert label.y1 <= fig.bbox.y1 and label.y0 >= 0, (metric, label, fig.bbox)
            assert label.height <= panel.height + 1, (metric, label.height, panel.height)
            assert top.get_ylabel().replace("\n", " ") == METRICS[metric].label


def test_an_estimate_without_an_interval_says_so():
    """A median of 4 replications has no 95% interval: no bar, and the figure must say why.

    The line figure's title promised a 95% CI and drew none, which reads as an interval too
    narrow to see; the heat map's cells gave the bare estimate.
    """
    nan = np.nan
    key = "streams.health_care.rate_per_year"
    table = _table([key], [["5", 4.58, nan, nan], ["10", 4.34, nan, nan]], "connect_p25_years")
    ax = sweep_figure(table, [key], "connect_p25_years", "all", pd.DataFrame()).axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any("no interval: too few replications" in label for label in labels)
    keys = [key, "policy.order"]
    table = _table(keys, [["5", "fifo", 4.58, nan, nan], ["10", "fifo", 4.34, nan, nan],
                          ["5", "social_priority", 4.1, 3.9, 4.3],
                          ["10", "social_priority", 4.0, 3.8, 4.2]], "connect_p25_years")
    differences = _differences(table, [(0.0, 0.0, 0.0), (-0.2, -0.4, -0.1), (-0.4, -0.6, -0.2),
                                       (-0.5, -0.7, -0.3)])
    ax = sweep_figure(table, keys, "connect_p25_years", "all", differences).axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert sum("no interval" in t for t in texts) == 2


def test_a_narrow_heat_maps_legend_stays_inside_the_figure():
    """On a map of two columns, the legend's word on unpaired cells ran off both sides.

    'unpaired: other applicants than in the top-left cell, Welch interval; the others paired
    (the same applicants)' is wider than a figure of two columns, which cut it at 'applicant'.
    """
    keys = ["streams.health_care.rate_per_year", "policy.order"]
    table = _table(keys, [["5", "fifo", 7.3, 7.0, 7.6], ["20", "fifo", 7.5, 7.1, 7.9],
                          ["5", "social_priority", 4.6, 4.3, 4.9],
                          ["20", "social_priority", 4.4, 4.1, 4.7]], "connect_p25_years")
    differences = _differences(table, [(0.0, 0.0, 0.0), (0.29, -0.30, 0.88), (-2.7, -3.1, -2.3),
                                       (-2.9, -3.5, -2.4)])
    differences["paired"] = [True, False, True, False]
    fig = sweep_figure(table, keys, "connect_p25_years", "all", differences)
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    box = fig.legends[0].get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= fig.bbox.x1, (box, fig.bbox)
    words = " ".join(t.get_text() for t in fig.legends[0].get_texts()).split()
    assert "(the same applicants)" in " ".join(words)


def test_heat_map_says_the_others_are_paired_only_where_some_are():
    """'the others paired (the same applicants)' stood where every other cell was unpaired."""
    keys = ["end", "grid.capacity_mw"]
    table = _table(keys, [["2025-01-01", "1", 7.3, 7.0, 7.6], ["2026-01-01", "1", 7.5, 7.1, 7.9],
                          ["2025-01-01", "3", 4.6, 4.3, 4.9], ["2026-01-01", "3", 4.4, 4.1, 4.7]],
                   "wait_mean_years")
    differences = _differences(table, [(0.0, 0.0, 0.0), (0.29, 0.1, 0.48), (-2.7, -3.1, -2.3),
                                       (-2.9, -3.5, -2.4)])
    differences["paired"] = [True, False, False, False]
    legend = " ".join(t.get_text() for t in sweep_figure(
        table, keys, "wait_mean_years", "all", differences).legends[0].get_texts()).split()
    assert " ".join(legend) == ("unpaired: other applicants than in the top-left cell, "
                                "Welch interval")
    differences["paired"] = [True, False, True, False]
    legend = " ".join(t.get_text() for t in sweep_figure(
        table, keys, "wait_mean_years", "all", differences).legends[0].get_texts()).split()
    assert " ".join(legend).endswith("Welch interval; the others paired (the same applicants)")
