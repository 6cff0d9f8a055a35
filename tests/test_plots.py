"""The comparison figures: each is made for a small family and shows data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from sim import Comparison, compare
from sim.analysis.comparison import FIGURES
from sim.figures.files import write_figures
from sim.figures.numbers import (
    distinct_values,
    equal_but_for_rounding,
    format_estimate,
    group_thousands,
    tick_texts,
)
from sim.figures.palette import CATEGORY_COLOURS, SCENARIO_COLOURS, scenario_style
from sim.figures.plots import differences_figure, queue_figure, wait_figure, withdrawals_figure
from sim.report.narrative import level_text
from sim.runs.metrics import EVERY_APPLICANT, HEADLINE_METRICS, METRICS
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
    names_scenarios = {t.get_text() for t in shown[0].get_yticklabels()} >= set(
        comparison.results)
    assert fig.legends or names_scenarios or name == "projects"


@pytest.mark.parametrize("name", FIGURES)
def test_no_legend_covers_an_axes(comparison: Comparison, name: str):
    """Legends sit outside every axes, so they hide no data."""
    fig = getattr(comparison, f"{name}_figure")()
    fig.canvas = FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    assert all(ax.get_legend() is None for ax in fig.axes)
    for legend in fig.legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            if ax.get_visible():
                assert not box.overlaps(ax.get_window_extent(renderer)), name


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
    from sim.runs.incidence import incidence_by_group

    fig = comparison.time_to_connection_figure()
    curves = incidence_by_group(comparison.results["fifo"].applicants)
    expected = curves[curves["category"] == "other"]["cif_connected"].iloc[-1]
    ends = [line.get_ydata()[-1] for line in fig.axes[0].get_lines()
            if to_hex(line.get_color()) == CATEGORY_COLOURS["other"]]
    assert np.isclose(ends, expected).any()


def _twelve_labels() -> list[str]:
    return [f"scenario_number_{i}" for i in range(12)]


def test_twelve_scenarios_each_get_a_distinct_style():
    """Twelve scenarios differ in colour, marker and hatch, and in line style with marker."""
    looks = [scenario_style(i) for i in range(12)]
    for attribute in ("colour", "marker", "hatch"):
        assert len({getattr(look, attribute) for look in looks}) == 12, attribute
    assert len({(str(look.linestyle), look.marker) for look in looks}) == 12
    assert not {look.colour for look in looks} & set(CATEGORY_COLOURS.values()) - {"#000000"}
    later = [scenario_style(i) for i in range(12 * len(SCENARIO_COLOURS))]
    assert len({(look.colour, look.marker) for look in later}) == len(later)


def test_twelve_scenario_lines_are_drawn_distinctly():
    """In a figure of twelve scenarios, each median line has its own colour and marker."""
    dates = pd.date_range("2024-01-01", periods=5, freq="MS")
    table = pd.DataFrame([(d, r, "main", 10 * r + k, 1.0 * k) for r in range(3)
                          for k, d in enumerate(dates)],
                         columns=["date", "replication", "area", "queue_total",
                                  "queued_mw_total"])
    fig = queue_figure({label: table for label in _twelve_labels()})
    lines = fig.axes[0].get_lines()
    assert len(lines) == 12
    assert len({to_hex(line.get_color()) for line in lines}) == 12
    assert len({line.get_marker() for line in lines}) == 12
    assert [t.get_text() for t in fig.legends[0].get_texts()] == _twelve_labels()


def test_bands_of_many_scenarios_stay_visible(comparison: Comparison):
    """Each scenario's 90% band still shows on white paper when ten share the axes.

    The bands faded as scenarios were added, to 0.03 opacity for the Flevoland questions'
    ten: upgrades_on_time's band around its 2030 drop, which overlaps no other, differed
    from white by 6 of 255, while the caption points the reader to it. Lines are drawn
    above every band, so a floor hides none of them.
    """
    from matplotlib.colors import to_rgb

    from sim.figures.plots import connected_figure

    timeseries = comparison.results["fifo"].timeseries
    applicants = comparison.results["fifo"].applicants
    labels = [f"s{i}" for i in range(10)]
    figures = [queue_figure(dict.fromkeys(labels, timeseries)),
               connected_figure(dict.fromkeys(labels, applicants),
                                dict.fromkeys(labels, timeseries))]
    for fig in figures:
        fills = [fill for ax in fig.axes for fill in ax.collections]
        assert fills
        for fill in fills:
            rgb = to_rgb(fill.get_facecolor()[0])
            alpha = fill.get_facecolor()[0][3]
            assert max((1 - c) * alpha * 255 for c in rgb) >= 12, (rgb, alpha)
        assert all(line.get_zorder() > fill.get_zorder()
                   for ax in fig.axes for line in ax.get_lines() for fill in ax.collections)


def _synthetic_applicants(count: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(3)
    rows = pd.DataFrame({"category": ["basic_needs", "other"] * 20, "outcome": "connected",
                         "wait_years": rng.uniform(0, 5, 40)})
    return {label: rows for label in _twelve_labels()[:count]}


def _synthetic_summaries(count: int) -> dict[str, pd.DataFrame]:
    rows = [(g, m, v, v * 0.9, v * 1.1) for g in ("basic_needs", "other")
            for m, v in (("applicants", 50.0), ("withdrawn", 7.0), ("jobs_withdrawn", 90.0))]
    table = pd.DataFrame(rows, columns=["group", "metric", "mean", "ci_low", "ci_high"])
    table["estimate"] = table["mean"]
    return {label: table for label in _twelve_labels()[:count]}


@pytest.mark.parametrize("make", [lambda n: wait_figure(_synthetic_applicants(n)),
                                  lambda n: withdrawals_figure(_synthetic_summaries(n))],
                         ids=["wait", "withdrawals"])
def test_per_scenario_panels_grow_and_keep_names_apart(make):
    """Wait and withdrawal panels give each scenario a named row; names never overlap."""
    small, large = make(2), make(12)
    assert large.get_figheight() > small.get_figheight() + 2
    large.canvas = FigureCanvasAgg(large)
    renderer = large.canvas.get_renderer()
    large.draw(renderer)
    ticks = large.axes[0].get_yticklabels()
    assert [t.get_text() for t in ticks] == _twelve_labels()
    boxes = sorted((t.get_window_extent(renderer) for t in ticks), key=lambda b: b.y0)
    assert all(low.y1 <= high.y0 for low, high in zip(boxes, boxes[1:], strict=False))
    assert min(t.get_fontsize() for t in ticks) >= 8


def _texts(fig: Figure) -> list[str]:
    """Every title, axis label and tick label of a figure, with its suptitle."""
    fig.canvas = FigureCanvasAgg(fig)
    fig.draw(fig.canvas.get_renderer())
    texts = [fig._suptitle.get_text()] if fig._suptitle else []
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    return texts


@pytest.mark.parametrize("name", FIGURES)
def test_figures_name_key_figures_by_label_not_by_key(comparison: Comparison, name: str):
    """No title or axis label shows a raw key such as wait_mean_years."""
    texts = _texts(getattr(comparison, f"{name}_figure")())
    for key in (k for k in METRICS if "_" in k):  # plain words like "withdrawn" are fine
        assert not any(key in text for text in texts), (name, key)


def test_differences_panels_are_titled_with_the_headline_labels(comparison: Comparison):
    """The forest plot has a panel per headline figure, titled with its label."""
    fig = comparison.differences_figure()
    titles = [ax.get_title() for ax in fig.axes]
    # A panel whose pairs show the stand-in says so after its label (tested below).
    assert [t.replace("\n", " ").split(" (to end:")[0] for t in titles] == \
        [METRICS[m].label for m in HEADLINE_METRICS]
    assert all(len(line) <= 28 for t in titles for line in t.splitlines())  # within a panel
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "social_priority vs fifo" in ticks and "other_seed vs fifo" in ticks
    # Rows of four panels, each row's first naming the pairs: eight side by side shrank to
    # unreadable text in the report's width.
    assert len(HEADLINE_METRICS) == 8 and fig.get_size_inches()[0] < 2.9 * 4 + 3.5
    rows = sorted({round(ax.get_position().y0, 3) for ax in fig.axes})
    assert len(rows) == 2
    firsts = [ax for ax in fig.axes if ax.get_subplotspec().colspan.start == 0]
    assert len(firsts) == 2 and all(
        ax.yaxis.get_tick_params()["labelleft"] for ax in firsts)


def test_differences_figure_stands_the_stand_in_in_where_the_answers_do():
    """A pair without a ten-year difference shows the years to the end, marked, as answers do.

    A median not reached in one replication says so, rather than "no value"; one never
    reached in a scenario shows the time to a quarter connected, marked, as the tables do.
    """
    rows = []
    for scenario in ("fifo", "sp"):
        for metric, value, difference in (("applicants", 4.0, 0.0),
                                          ("connected", 3.0, 0.0),
                                          ("wait_rmst_10y_years", 6.0, np.nan),
                                          ("wait_to_end_years", 4.0, -0.5),
                                          ("connect_median_years", 3.0, np.nan)):
            rows.append((scenario, "all", metric, value, difference))
    table = _pair_table(rows)
    fig = differences_figure(table, ("wait_rmst_10y_years", "connect_median_years"))
    ten, median = fig.axes[:2]
    assert "to end: years without a connection to the end of the run" in \
        ten.get_title().replace("\n", " ")
    assert [t.get_text() for t in ten.texts] == ["to end"] and ten.lines
    assert [t.get_text() for t in median.texts] == ["not reached in some replications"]
    # A median never reached in a scenario: the time to a quarter, marked, as the tables.
    never = table.copy()
    medians = never["metric"] == "connect_median_years"
    never.loc[medians & (never["scenario"] == "fifo"), "estimate"] = np.inf
    quarters = never[medians].assign(metric="connect_p25_years", estimate=2.0, difference=0.4,
                                     difference_ci_low=0.3, difference_ci_high=0.5)
    never = pd.concat([never, quarters], ignore_index=True)
    never["mean"] = never["estimate"]
    median = differences_figure(never, ("connect_median_years",)).axes[0]
    assert [t.get_text() for t in median.texts] == ["¼"] and median.lines
    assert "¼: a quarter, where fewer than half are connected" in \
        median.get_title().replace("\n", " ")


def test_differences_figure_says_none_connected_where_one_of_a_pair_connected_nobody():
    """No difference because one scenario connected nobody: the row says so, not "no value"."""
    rows = []
    for scenario, connected, wait in (("fifo", 0.0, np.nan), ("sp", 3.0, 1.5)):
        for metric, value, difference in (("applicants", 4.0, 0.0), ("connected", connected, 3.0),
                                          ("wait_mean_years", wait, np.nan)):
            rows.append((scenario, "all", metric, value, difference))
    table = _pair_table(rows)
    (wait,) = differences_figure(table, ("wait_mean_years",)).axes
    assert [t.get_text() for t in wait.texts] == ["none connected"]


def test_wait_figure_says_none_connected_where_nobody_was():
    """A scenario in which nobody of a category was connected says so in its row."""
    rows = _synthetic_applicants(2)
    nobody = rows["scenario_number_1"].assign(
        outcome=np.where(rows["scenario_number_1"]["category"] == "basic_needs", "waiting",
                         "connected"))
    fig = wait_figure({"scenario_number_0": rows["scenario_number_0"],
                       "scenario_number_1": nobody})
    basic = fig.axes[0]
    assert basic.get_title() == "Basic needs"
    assert [t.get_text() for t in basic.texts] == ["none connected"]
    assert not fig.axes[1].texts  # everybody's waits are drawn in the other panel


def test_queue_figure_has_a_panel_per_category_and_a_line_per_scenario(comparison: Comparison):
    """The queue is split by category, so a policy's effect on one category shows."""
    fig = comparison.queue_figure()
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == ["All applicants", "Basic needs",
                                                "Other businesses"]
    assert all(len(ax.get_lines()) == len(comparison.results) for ax in shown)
    assert "Nobody waits in: Congestion relief, Safety" in fig._supxlabel.get_text()


def test_figures_drawn_by_several_processes_are_the_files_one_process_draws(tmp_path):
    """Drawn in two forked processes or in this one, or again: the same PNG and SVG bytes.

    Matplotlib writes the date and random names of clip paths into an SVG unless told not to:
    two runs of one scenario and seed wrote different files.
    """
    def figures() -> dict[str, Figure]:
        made = {}
        for name, size in (("a", 3), ("b", 5), ("c", 7)):
            fig = Figure(figsize=(3, 2), layout="constrained")
            ax = fig.subplots()
            ax.plot(np.arange(size), 1000 * np.arange(size) ** 4, marker="o")
            group_thousands(ax.yaxis)  # '1,000', with the same bytes each time
            fig.suptitle(name)
            made[name] = fig
        return made

    alone = write_figures(figures(), tmp_path / "one", workers=1)
    together = write_figures(figures(), tmp_path / "two", workers=2)
    assert list(together) == list(alone) == ["a", "b", "c"]
    assert together == alone
    for name in alone:
        for suffix in ("png", "svg"):
            drawn = (tmp_path / "two" / f"{name}.{suffix}").read_bytes()
            assert drawn == (tmp_path / "one" / f"{name}.{suffix}").read_bytes()
        assert (tmp_path / "two" / f"{name}.png").read_bytes() == alone[name]
    write_figures(figures(), tmp_path / "again", workers=1)
    for name in alone:
        assert ((tmp_path / "again" / f"{name}.svg").read_bytes()
                == (tmp_path / "one" / f"{name}.svg").read_bytes())


def test_withdrawals_mark_a_reference_only_where_every_scenario_has_that_one():
    """The dotted line marked the first scenario, the reference of one question in ten."""
    summaries = _synthetic_summaries(3)
    second = list(summaries)[1]
    summaries[second] = summaries[second].assign(estimate=lambda t: t["estimate"] * 2)

    def dotted(fig) -> list[float]:
        return [line.get_xdata()[0] for line in fig.axes[0].get_lines()
                if line.get_linestyle() == ":"]

    assert dotted(withdrawals_figure(summaries)) == []
    assert dotted(withdrawals_figure(summaries, reference=second)) == [14.0]


def test_time_to_connection_shades_each_categorys_interval(comparison: Comparison):
    """Each share connected has its 95% band across replications, lightly, named in the legend.

    The band is the one :func:`connection_band` gives: the fill's upper edge reaches the
    largest upper end of the category's interval, and no higher.
    """
    from sim.runs.curve_intervals import connection_band

    results = comparison.results["fifo"]
    fig = comparison.time_to_connection_figure()
    fills = {to_hex(fill.get_facecolor()[0], keep_alpha=False): fill
             for fill in fig.axes[0].collections}
    assert set(fills) == {CATEGORY_COLOURS["basic_needs"], CATEGORY_COLOURS["other"]}
    assert all(fill.get_alpha() is not None and fill.get_alpha() < 0.3
               for fill in fills.values())
    band = connection_band(results.applicants, results.scenario.start)
    other = band[band["category"] == "other"]
    top = fills[CATEGORY_COLOURS["other"]].get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx(other["ci_high"].max())
    legend = {t.get_text() for t in fig.legends[0].get_texts()}
    assert "95% confidence interval of connected" in legend  # no band around the withdrawn


def test_time_to_connection_of_one_replication_has_no_band_and_says_so(comparison: Comparison):
    """One replication has no interval: nothing shaded, and the panel says why."""
    from sim.figures.plots import time_to_connection_figure

    applicants = comparison.results["fifo"].applicants
    one = applicants[applicants["replication"] == applicants["replication"].min()]
    fig = time_to_connection_figure({"fifo": one})
    assert not fig.axes[0].collections
    assert "one replication: no interval" in {t.get_text() for t in fig.axes[0].texts}
    assert not any("95%" in t.get_text() for t in fig.legends[0].get_texts())
    two = time_to_connection_figure({"fifo": applicants})
    assert two.axes[0].collections and not two.axes[0].texts


def test_time_to_connection_thickens_a_paired_variant_where_it_differs(comparison: Comparison):
    """Only a paired variant's share connected is drawn thicker, where their interval leaves 0.

    social_priority draws fifo's applicants (paired): its thick segments lie where the paired
    difference of the category's curves excludes zero. other_seed draws other applicants
    (unpaired): its bands are all it gets; and fifo, the reference, none.
    """
    from sim.runs.curve_intervals import connection_difference

    fig = comparison.time_to_connection_figure()
    panels = {ax.get_title(): ax for ax in fig.axes}
    thick = [line for line in panels["social_priority"].get_lines()
             if line.get_linewidth() > 2]
    assert thick
    for label in ("fifo", "other_seed"):
        assert all(line.get_linewidth() < 2 for line in panels[label].get_lines()), label
    assert "differs from fifo" in {t.get_text() for t in fig.legends[0].get_texts()}
    results = comparison.results
    difference = connection_difference(
        results["social_priority"].applicants, results["fifo"].applicants,
        (results["social_priority"].scenario.start, results["fifo"].scenario.start))
    for line in thick:
        category = next(c for c, colour in CATEGORY_COLOURS.items()
                        if colour == to_hex(line.get_color()))
        rows = difference[difference["category"] == category]
        x = np.asarray(line.get_xdata(), dtype=float)
        at = rows.iloc[np.searchsorted(rows["time_years"], x[0], side="right") - 1]
        assert at["ci_low"] > 0 or at["ci_high"] < 0


def test_time_to_connection_names_each_panels_reference_where_they_differ(
        comparison: Comparison):
    """With several references, each paired panel says which one its thick line is against.

    The legend then reads "differs from its reference", and the Flevoland questions' panels
    (areas_on_time against areas, fifo_onsite against fifo, ...) named none: a thick line
    had no baseline a reader could find. With one reference the legend names it instead.
    """
    from sim.figures.plots import time_to_connection_figure

    applicants = {label: r.applicants for label, r in comparison.results.items()}
    starts = {label: r.scenario.start for label, r in comparison.results.items()}
    several = time_to_connection_figure(
        applicants, starts, {"social_priority": "fifo", "other_seed": "social_priority"})
    assert [ax.get_title() for ax in several.axes if ax.get_visible()] == [
        "fifo", "social_priority\nagainst fifo", "other_seed\nagainst social_priority"]
    one = time_to_connection_figure(applicants, starts, {"social_priority": "fifo"})
    assert [ax.get_title() for ax in one.axes if ax.get_visible()] == [
        "fifo", "social_priority", "other_seed"]


def test_time_to_connection_thickens_no_variant_whose_categories_hold_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A paired variant that moves a stream into another category is not drawn thicker.

    ``moved`` draws social_priority's applicants (paired), but its basic stream queues as
    other: a category's curve of one holds other applicants than the other's, and a thick
    line would show who is in the category as a difference in how long they wait. So did
    framework_2026's basic needs, at 5.9-7.0 years with 10 replications, where the answers
    (like with like) read "about the same". social_priority against fifo is still marked.
    """
    from sim.figures import plots

    family = write_family(tmp_path)
    moved = tmp_path / "moved.yaml"
    moved.write_text("extends: social_priority.yaml\nname: moved\n"
                     "streams: {basic: {category: other}}\n", encoding="utf-8")
    both = compare([family["fifo"], family["social_priority"], moved], replications=2,
                   workers=1)
    assert both.paired == {"social_priority": True, "moved": True}
    assert "category_changed" in set(both.table["population"])
    drawn = plots.time_to_connection_figure
    marked: list[dict[str, str]] = []

    def recording(applicants, starts=None, references=None):  # type: ignore[no-untyped-def]
        marked.append(dict(references or {}))
        return drawn(applicants, starts, references)

    monkeypatch.setattr(plots, "time_to_connection_figure", recording)
    both.time_to_connection_figure()
    assert marked == [{"social_priority": "fifo"}]


def test_time_to_connection_says_which_category_it_cannot_draw():
    """A category whose pooled curve is known at no wait was left out without a word.

    Safety's one new request connects 0.1 years after it asks, while its waiting-list
    applicants enter at 2 years: everyone at risk at the first wait ended there before they
    entered, so the curve stops before any wait and nothing is drawn. The legend still named
    Safety, as if its line were there. Now its panel says it is not drawn and why, and so
    does its legend entry; a category a scenario has no applicants of gets no such note.
    """
    from sim.figures.categories import NOT_DRAWN, NOT_DRAWN_ANYWHERE
    from sim.figures.plots import time_to_connection_figure

    start = pd.Timestamp("2020-01-01")
    rows = []
    for replication in range(3):
        rows.append(("safety", "2020-03-01", 0.1, "connected", replication))
        rows += [("safety", "2018-01-01", 4.0 + k, "connected", replication) for k in range(2)]
        rows += [("other", "2020-06-01", 1.0 + 0.3 * k + 0.01 * replication,
                  "connected" if k % 2 else "withdrawn", replication) for k in range(5)]
    table = pd.DataFrame(rows, columns=["category", "request_date", "wait_years", "outcome",
                                        "replication"])
    table["request_date"] = pd.to_datetime(table["request_date"])
    others = table[table["category"] == "other"]
    fig = time_to_connection_figure({"wl": table, "new": others},
                                    {"wl": start.date(), "new": start.date()})
    panels = {ax.get_title(): ax for ax in fig.axes if ax.get_visible()}
    note = NOT_DRAWN.format(category="Safety")
    assert [t.get_text() for t in panels["wl"].texts] == [note]
    assert not panels["new"].texts  # no safety applicants there: nothing to say
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert f"Safety{NOT_DRAWN_ANYWHERE}" in legend and "Other businesses" in legend
    whole = table[table["request_date"] > start]
    fig = time_to_connection_figure({"new": whole}, {"new": start.date()})
    assert not fig.axes[0].texts
    assert "Safety" in [t.get_text() for t in fig.legends[0].get_texts()]


def test_time_to_connection_panels_left_over_in_the_grid_are_hidden(comparison: Comparison):
    """Five scenarios in a grid of three columns: the sixth panel is not drawn, not bare."""
    from sim.figures.plots import time_to_connection_figure

    applicants = comparison.results["fifo"].applicants
    fig = time_to_connection_figure({f"s{n}": applicants for n in range(5)})
    assert [ax.get_visible() for ax in fig.axes] == [True] * 5 + [False]


def test_an_estimate_and_its_interval_never_read_alike_when_they_differ():
    """Decimals are added (up to three more) until values that differ read apart.

    A sweep's heat map read '9.0 (8.9 to 9.0)' for 8.95 (8.92 to 9.01): the estimate on its
    upper end.
    """
    assert format_estimate(8.95, 8.92, 9.01, "years") == "8.95 (8.92 to 9.01)"
    assert format_estimate(6.1, 5.8, 6.4, "years") == "6.1 (5.8 to 6.4)"  # as before
    assert format_estimate(9.0, 9.0, 9.0, "years") == "9.0 (9.0 to 9.0)"  # equal: none added
    # equal but for floating-point rounding (a logit interval of 0.85 in every replication)
    assert format_estimate(0.85, 0.8499999999999999, 0.8500000000000002, "share") \
        == "85.0% (85.0 to 85.0%)"
    # An interval that excludes zero never reads as one that reaches it.
    assert format_estimate(0.07, 0.004, 0.13, "years", signed=True) == "+0.070 (+0.004 to +0.130)"
    assert format_estimate(0.07, 0.0, 0.13, "years", signed=True) == "+0.07 (0.00 to +0.13)"
    assert format_estimate(1204.2, 1203.9, 1204.4, "count") == "1,204.2 (1,203.9 to 1,204.4)"
    assert format_estimate(0.02, 0.0199, 0.0201, "share", signed=True) == \
        "+2.00 pp (+1.99 to +2.01)"


def test_values_one_bit_apart_are_one_value_wherever_they_fall():
    """Two rules told rounding apart: 12 significant digits here, a relative 1e-9 in words.

    Rounded to 12 digits, values one bit apart read apart where they fall either side of a
    last digit: 1.000000000005 and the float below it gave '1.0000 (1.0000 to 1.0000)',
    every decimal added to tell apart what no decimal can. One rule now decides for both.
    """
    below = float(np.nextafter(1.000000000005, 0.0))
    assert format_estimate(1.000000000005, below, 1.000000000005, "years") == "1.0 (1.0 to 1.0)"
    assert distinct_values(below, 1.000000000005) == 1
    assert distinct_values(-1e-17, 0.0, 1e-17) == 1  # zero but for rounding
    assert distinct_values(8.95, 8.92, 9.01) == 3 and distinct_values(1.0, 1.0) == 1
    assert distinct_values(1.0, np.nan, np.nan) == 3 and distinct_values() == 0
    for a, b in ((below, 1.000000000005), (0.0, 1e-13), (5.0, 5.0 + 1e-8), (0.85, 0.86)):
        assert equal_but_for_rounding(a, b) == (distinct_values(a, b) == 1)
    # Relative, not absolute: a bit apart at a million MW-years is 1.2e-10 apart, and alike;
    # two parts in a billion, above the rounding of any sum behind a figure, are told apart.
    big = 951581.112247797
    assert equal_but_for_rounding(big, float(np.nextafter(big, np.inf)))
    assert not equal_but_for_rounding(5.0, 5.0 + 1e-8)
    # the sentences' rule is the same one
    share = pd.Series({"estimate": 1.000000000005, "ci_low": below, "ci_high": 1.000000000005})
    assert level_text(share, "years") == "1.0 years (95% CI 1.0 to 1.0)"


def _pair_table(rows: list[tuple]) -> pd.DataFrame:
    """A comparison table: ``sp`` against ``fifo`` in question Q, paired, every applicant.

    Rows are (scenario, group, metric, estimate, difference); the estimate doubles as the
    mean, and each difference gets an interval of plus or minus 0.1.
    """
    table = pd.DataFrame(rows, columns=["scenario", "group", "metric", "estimate",
                                        "difference"])
    table["mean"] = table["estimate"]
    table["difference_ci_low"] = table["difference"] - 0.1
    table["difference_ci_high"] = table["difference"] + 0.1
    table["question"] = np.where(table["scenario"] == "sp", "Q", "")
    table["reference"] = np.where(table["scenario"] == "sp", "fifo", "")
    table[["population", "origin", "paired"]] = [EVERY_APPLICANT, "", True]
    return table


@pytest.mark.parametrize("make", [lambda n: wait_figure(_synthetic_applicants(n)),
                                  lambda n: withdrawals_figure(_synthetic_summaries(n))],
                         ids=["wait", "withdrawals"])
def test_only_several_scenarios_title_their_axis_scenario(make):
    """A single run's figure names its one row by the tick alone, not an axis "Scenario"."""
    def ylabels(fig: Figure) -> set[str]:
        return {ax.get_ylabel() for ax in fig.axes if ax.get_visible()}

    single = make(1)
    assert ylabels(single) == {""}
    assert [t.get_text() for t in single.axes[0].get_yticklabels()] == _twelve_labels()[:1]
    assert "Scenario" in ylabels(make(2))


def test_tick_labels_separate_thousands_as_the_tables_do():
    """'12000' on the axis of jobs connected, while the tables write '12,000'."""
    assert tick_texts([0.0, 10000.0, 20000.0]) == ["0", "10,000", "20,000"]
    assert tick_texts([0.0, 0.5, 1.0, 1.5]) == ["0.0", "0.5", "1.0", "1.5"]  # one precision
    assert tick_texts([-0.0, -2500.0, 2500.0]) == ["0", "-2,500", "2,500"]  # no '-0'
    assert tick_texts([1e6, 2e6]) == ["1,000,000", "2,000,000"]  # no exponent
    assert tick_texts([0.25, 0.5]) == ["0.25", "0.50"]


def _tick_labels(fig: Figure, axis: str) -> list[str]:
    """The tick labels of each shown panel's ``axis`` ('x' or 'y'), once drawn."""
    fig.canvas = FigureCanvasAgg(fig)
    fig.draw(fig.canvas.get_renderer())
    return [t.get_text() for ax in fig.axes if ax.get_visible()
            for t in getattr(ax, f"get_{axis}ticklabels")()]


def _grouped(labels: list[str]) -> bool:
    """Whether some label has thousands and every one with thousands separates them."""
    digits = [label.replace(",", "").lstrip("-") for label in labels]
    large = [label for label, plain in zip(labels, digits, strict=True)
             if plain.replace(".", "").isdigit() and float(plain) >= 1000]
    return bool(large) and all("," in label for label in large)


def test_every_count_axis_separates_thousands(comparison: Comparison):
    """Applicants waiting, MW and jobs connected, withdrawals, differences, sweeps, observations."""
    from sim.figures.observations import observations_figure
    from sim.figures.plots import connected_figure
    from sim.figures.sweep import sweep_figure

    results = comparison.results
    many = {label: r.timeseries.assign(**{column: r.timeseries[column] * 1000
                                          for column in r.timeseries if "queue" in column
                                          or column == "connected_mw"})
            for label, r in results.items()}
    jobs = {label: r.applicants.assign(jobs=r.applicants["jobs"] * 1000)
            for label, r in results.items()}
    assert _grouped(_tick_labels(queue_figure(many), "y"))
    connected = connected_figure(jobs, many)
    _tick_labels(connected, "y")
    for ax in connected.axes:  # MW and jobs
        assert _grouped([t.get_text() for t in ax.get_yticklabels()]), ax.get_title()
    summaries = {label: table.assign(**{c: table[c] * 1000 for c in
                                        ("mean", "ci_low", "ci_high", "estimate")})
                 for label, table in _synthetic_summaries(3).items()}
    assert _grouped(_tick_labels(withdrawals_figure(summaries), "x"))
    table = comparison.table.copy()
    differences = ["difference", "difference_ci_low", "difference_ci_high"]
    table[differences] = table[differences] * 1000
    assert _grouped(_tick_labels(differences_figure(table), "x"))
    cells = pd.DataFrame({"cell": ["a", "b", "c"], "grid.capacity_mw": ["1000", "2000", "4000"],
                          "metric": "jobs_waiting", "group": "all",
                          "estimate": [12000.0, 9000.0, 4000.0],
                          "ci_low": [11000.0, 8000.0, 3000.0],
                          "ci_high": [13000.0, 10000.0, 5000.0]})
    lines = sweep_figure(cells, ["grid.capacity_mw"], "jobs_waiting", "all", pd.DataFrame())
    assert _grouped(_tick_labels(lines, "x")) and _grouped(_tick_labels(lines, "y"))
    observed = pd.DataFrame({"label": ["applicants waiting"], "source": ["s"],
                             "observed": [1500.0], "observed_low": [1200.0],
                             "observed_high": [1800.0], "simulated_mean": [1400.0],
                             "simulated_band_low": [1100.0], "simulated_band_high": [1700.0],
                             "replications": [30]})
    assert _grouped(_tick_labels(observations_figure({"fifo": observed}), "x"))


def test_jobs_lost_by_a_category_that_states_no_jobs_say_so():
    """Battery storage sites state no jobs: 'none in any scenario' read as nobody withdrawing.

    The panel of jobs lost says the category's applicants state none where they bring no
    jobs in any scenario; one whose applicants bring jobs but lost none keeps 'none'.
    """
    table = pd.DataFrame(
        [("congestion_relief", m, v) for m, v in (("applicants", 80.0), ("withdrawn", 70.0),
                                                  ("jobs_withdrawn", 0.0))]
        + [("other", m, v) for m, v in (("applicants", 50.0), ("withdrawn", 0.0),
                                        ("jobs_withdrawn", 0.0), ("jobs_waiting", 400.0))],
        columns=["group", "metric", "estimate"]).assign(ci_low=lambda t: t["estimate"],
                                                       ci_high=lambda t: t["estimate"])
    fig = withdrawals_figure({"a": table, "b": table})
    relief_jobs, other_jobs = fig.axes[2], fig.axes[3]
    assert [t.get_text() for t in relief_jobs.texts] == ["its applicants state no jobs"]
    assert [t.get_text() for t in other_jobs.texts] == ["none in any scenario"]
