"""What the report and its figures say of what they draw: intervals, units, legends, dates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim import load_scenario, run
from sim.figures.observations import observations_figure
from sim.figures.plots import WITHDRAWN_MARKER, differences_figure, projects_figure
from sim.figures.sweep import sweep_figure
from sim.inputs.observations import Observation
from sim.inputs.units import key_unit
from sim.report.data import CAPTIONS, run_page
from sim.report.html import render_report
from sim.runs.metrics import EVERY_APPLICANT
from sim.runs.observed import observation_table
from tests.comparison_family import write_family

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "scenario-reference.md"


@pytest.fixture(scope="module")
def summary_and_scenario(tmp_path_factory: pytest.TempPathFactory):
    family = write_family(tmp_path_factory.mktemp("family"))
    scenario = load_scenario(family["fifo"], {"replications": 2})
    return run(scenario, workers=1).summary, scenario


def test_the_first_line_tells_confidence_intervals_from_bands_of_replications(
    summary_and_scenario,
):
    """The tables' intervals are 95% CIs of a mean; the bands over time hold 90% of runs.

    The first line said every interval was a 95% confidence interval, while the figures of
    applicants waiting and of MW and jobs connected shade the band of 90% of replications:
    the spread of single outcomes, far wider than the interval of their mean.
    """
    summary, scenario = summary_and_scenario
    images = {name: b"" for name in ("queue", "connected", "withdrawals")}
    page = run_page(summary, scenario, "fifo.yaml", images)
    first = render_report(page).split('<p class="note">', 1)[1].split("</p>", 1)[0]
    assert "Every interval is a 95% confidence interval" not in first
    assert ("Every interval of the headline figures, and of the withdrawals figure, is a 95% "
            "confidence interval over 2 replications") in first
    assert ("The shaded bands of the figures of applicants waiting and of MW and jobs "
            "connected are not: each holds 90% of the replications, the spread of single "
            "outcomes.") in first
    for name in ("queue", "areas", "connected", "observations"):
        assert "90% of" in CAPTIONS[name] and "not a confidence interval" in CAPTIONS[name]
    assert "named project" not in first
    # A project's spread of dates is a spread of outcomes too, where a line gives one.
    dated = ["Campus (asked 2022-06-01): connected in 2 of 2 replications, median 2023-06-01 "
             "(10% to 90%: 2023-05-01 to 2023-07-01); mean wait 1.00 years"]
    assert dataclasses.replace(page, projects=dated).intervals.endswith(
        "A named project's dates, 10% to 90%, are such a spread too.")
    never = ["Campus (asked 2022-06-01): not connected by the end of the run in any of 2 "
             "replications, withdrew in 2"]
    assert "named project" not in dataclasses.replace(page, projects=never).intervals
    # Without figures, only the tables' intervals are spoken of.
    bare = run_page(summary, scenario, "fifo.yaml", {}).intervals
    assert "band" not in bare and bare.startswith("Every interval of the headline figures is")


def _differences_table(variants: list[str], paired: bool = True) -> pd.DataFrame:
    """A comparison table: each of ``variants`` against ``fifo``, one clear difference each."""
    rows = []
    for scenario in ["fifo", *variants]:
        for metric, value, difference in (("applicants", 4.0, 0.0), ("connected", 3.0, 1.0),
                                          ("wait_mean_years", 2.0, -0.5)):
            rows.append((scenario, metric, value, np.nan if scenario == "fifo" else difference))
    table = pd.DataFrame(rows, columns=["scenario", "metric", "estimate", "difference"])
    table["group"] = "all"
    table["mean"] = table["estimate"]
    table["difference_ci_low"] = table["difference"] - 0.1
    table["difference_ci_high"] = table["difference"] + 0.1
    variant = table["scenario"] != "fifo"
    table["question"] = np.where(variant, "Q", "")
    table["reference"] = np.where(variant, "fifo", "")
    table[["population", "origin", "paired"]] = [EVERY_APPLICANT, "", paired]
    return table


def _drawn_markers(fig: Figure) -> set[str]:
    """The markers of the differences drawn (not of their caps)."""
    return {str(container.lines[0].get_marker()) for ax in fig.axes
            for container in ax.containers if isinstance(container, ErrorbarContainer)}


def _legend_markers(fig: Figure) -> set[str]:
    """The markers the figure's legend shows, once drawn."""
    fig.canvas = FigureCanvasAgg(fig)
    fig.draw(fig.canvas.get_renderer())
    (legend,) = fig.legends
    return {str(line.get_marker()) for line in legend.findobj(Line2D)
            if line.get_marker() not in (None, "", "None")}


@pytest.mark.parametrize("variants", [["sp"], ["sp", "onsite"]])
def test_the_differences_legend_shows_the_markers_drawn(variants):
    """A variant keeps its scenario's marker (a square for the first), so the legend does.

    The legend showed circles for paired and unpaired beside squares and triangles; with
    several variants it also says which marker is which.
    """
    fig = differences_figure(_differences_table(variants), ("wait_mean_years",))
    drawn = _drawn_markers(fig)
    assert "o" not in drawn and len(drawn) == len(variants)
    assert _legend_markers(fig) == drawn
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[-3:] == ["paired", "unpaired (Welch)", "interval includes zero"]
    assert texts[:-3] == (variants if len(variants) > 1 else [])


def _project_rows(outcomes: list[str]) -> pd.DataFrame:
    """A named project asked on 2026-06-01, one row per replication with its outcome.

    A connected one connects on 2027-06-01; a withdrawn one withdraws six years after
    asking, on 2032-06-01, long after any connection.
    """
    count = len(outcomes)
    return pd.DataFrame({
        "replication": range(count), "source": "project",
        "name": "Lelystad Airport Business Park", "category": "other",
        "outcome": outcomes, "request_date": pd.Timestamp("2026-06-01"),
        "connect_date": [pd.Timestamp("2027-06-01") if o == "connected" else pd.NaT
                         for o in outcomes],
        "withdraw_date": [pd.Timestamp("2032-06-01") if o == "withdrawn" else pd.NaT
                          for o in outcomes],
    })


def test_a_project_that_withdraws_is_drawn_and_counted_where_it_withdrew():
    """Withdrawals are drawn, counted and dated, on an axis that reaches them.

    A project that never connects showed only '0/30 connected' on an axis ending years
    before its withdrawal.
    """
    fig = projects_figure({"airport": _project_rows(["withdrawn"] * 30)})
    ax = fig.axes[0]
    crosses = [line for line in ax.get_lines() if line.get_marker() == WITHDRAWN_MARKER]
    assert len(crosses) == 1 and len(crosses[0].get_xdata()) == 30
    assert pd.Timestamp(ax.get_xlim()[1], unit="D") > pd.Timestamp("2032-06-01")
    (label,) = [t.get_text() for t in ax.get_yticklabels()]
    assert label == ("Lelystad Airport Business Park\nairport: 0/30 connected\n"
                     "withdrew in 30 (median 2032-06-01)")
    assert "withdrawal (×)" in ax.get_xlabel() and "withdraw" in ax.get_title()
    # Some connect, some withdraw, one still waits: each is said; none: nothing more.
    mixed = projects_figure({"airport": _project_rows(
        ["connected"] * 2 + ["withdrawn"] + ["waiting"])}).axes[0]
    assert [t.get_text() for t in mixed.get_yticklabels()][0].endswith(
        "2/4 connected\nwithdrew in 1 (median 2032-06-01), waiting at the end in 1")
    connected = projects_figure({"airport": _project_rows(["connected"] * 3)}).axes[0]
    assert [t.get_text() for t in connected.get_yticklabels()][0].endswith("3/3 connected")
    assert "withdraw" not in connected.get_xlabel() + connected.get_title()


def test_a_project_first_connected_by_a_right_shows_its_full_firm_connection_too():
    """A right from 2027 and the whole request firm in 2033: the figure shows both.

    Its markers showed only the first connection, so a campus holding a non-firm right from
    the day it asked read as connected then, while the answers gave its firm date. Hollow
    markers and a dashed median now show the full firm connection; a project whose first
    connection is whole and firm is drawn as before.
    """
    rows = _project_rows(["connected"] * 3).assign(
        full_connect_date=[pd.Timestamp("2033-06-01")] * 2 + [pd.NaT])
    ax = projects_figure({"airport": rows}).axes[0]
    hollow = [line for line in ax.get_lines() if line.get_markerfacecolor() == "none"]
    assert len(hollow) == 1 and len(hollow[0].get_xdata()) == 2
    assert [t.get_text() for t in ax.get_yticklabels()][0].endswith(
        "3/3 connected, 2/3 in full, firm")
    assert "hollow: full firm connection" in ax.get_xlabel()
    whole = projects_figure({"airport": rows.assign(
        full_connect_date=rows["connect_date"])}).axes[0]
    assert not [line for line in whole.get_lines() if line.get_markerfacecolor() == "none"]
    assert [t.get_text() for t in whole.get_yticklabels()][0].endswith("3/3 connected")
    assert "hollow" not in whole.get_xlabel()


def test_each_panel_beside_published_figures_says_what_its_axis_counts():
    """A count in its unit, a growth as a ratio, a share in % as the sentences say it.

    The panels had numbers on their axes and no unit: 0.10 to 0.30 beside '20%'.
    """
    when = dt.date(2025, 12, 31)
    observations = [
        Observation(date=when, quantity="applicants_waiting", value=150, source="a"),
        Observation(date=when, quantity="mw_waiting", value=9100, source="b",
                    relative_to={"date": "2024-06-11", "value": 5116}),
        Observation(date=when, since=dt.date(2025, 1, 1), quantity="share_leaving", value=0.2,
                    bound="upper", uncertainty=0.5, source="c"),
    ]
    table = observation_table(observations, [np.array([140.0, 1.6, v]) for v in (0.1, 0.15)])
    fig = observations_figure({"base": table})
    assert [ax.get_xlabel() for ax in fig.axes] == [
        "applicants", "times its value at the earlier date",
        "% of those waiting when the period began"]
    share = fig.axes[2]
    diamond = next(line for line in share.get_lines() if line.get_marker() == "D")
    assert list(diamond.get_xdata()) == [20.0]  # in %, not the fraction 0.2
    assert share.get_xlim()[1] > 30  # the bound's reach, 30%, in view


def _documented_units() -> dict[str, str]:
    """Each key of docs/scenario-reference.md with its Unit column.

    Left out: the parameters of a distribution ('of the key') and a published figure's value
    ('as counted'), whose unit is another key's.
    """
    units: dict[str, str] = {}
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        row = re.match(r"\|\s*`([^`]+)`\s*\|[^|]*\|\s*([^|]*?)\s*\|", line)
        if row and row.group(2) not in ("of the key", "as counted"):
            units[row.group(1)] = row.group(2)
    return units


def test_a_key_s_unit_is_the_unit_the_reference_gives_it():
    """The unit read from a key's name is the Unit column's, for every documented key."""
    documented = _documented_units()
    assert len(documented) > 60
    for key, unit in documented.items():
        assert key_unit(key) == (None if unit == "-" else unit), key
    assert key_unit("grid.upgrades.8.delay_years.high") == "years"
    assert key_unit("priority_uptake.basic_needs") == "share"
    assert key_unit("streams.storage.demand_mw.sigma") is None
    assert key_unit("grid.upgrades.8.date") is None


def _sweep_cells(keys: list[str], values: list[list[object]]) -> pd.DataFrame:
    """A sweep table of the mean wait of all applicants, a cell per row of ``values``."""
    table = pd.DataFrame(values, columns=keys)
    table.insert(0, "cell", [f"cell{i}" for i in range(len(table))])
    return table.assign(group="all", metric="wait_mean_years", estimate=3.0, ci_low=2.5,
                        ci_high=3.5)


def test_a_sweep_names_each_axis_by_the_key_typed_and_its_unit():
    """'onsite_generation.share' alone gave no unit; the key path stays, the unit follows."""
    share, rate = "onsite_generation.share", "streams.storage.rate_per_year"
    line = sweep_figure(_sweep_cells([share], [["0.1"], ["0.3"]]), [share],
                        "wait_mean_years", "all", pd.DataFrame()).axes[0]
    assert line.get_xlabel() == "onsite_generation.share (share, 0 to 1)"
    cells = _sweep_cells([share, rate], [["0.1", "10"], ["0.3", "10"], ["0.1", "30"],
                                         ["0.3", "30"]])
    differences = cells[["cell", "group", "metric"]].assign(
        difference=[0.0, -0.1, 0.2, 0.1], difference_ci_low=[0.0, -0.2, 0.1, 0.0],
        difference_ci_high=[0.0, 0.0, 0.3, 0.2])
    heat = sweep_figure(cells, [share, rate], "wait_mean_years", "all", differences).axes[0]
    assert heat.get_xlabel() == "onsite_generation.share (share, 0 to 1)"
    assert heat.get_ylabel() == "streams.storage.rate_per_year (requests per year)"
    date = sweep_figure(_sweep_cells(["grid.upgrades.8.date"], [["2030-01-01"], ["2031-01-01"]]),
                        ["grid.upgrades.8.date"], "wait_mean_years", "all", pd.DataFrame())
    assert date.axes[0].get_xlabel() == "grid.upgrades.8.date"  # dates need no unit


def test_the_first_line_says_when_a_band_rests_on_too_few_replications(summary_and_scenario):
    """A band of 90% of 2 replications is their lowest to highest: the first line says so.

    The shading widens as more replications are run, so read without the count it changes
    meaning silently; the bands beside published figures said so already, those of the
    figures over time did not. From 20 replications nothing is added.
    """
    summary, scenario = summary_and_scenario
    images = {name: b"" for name in ("queue", "connected")}
    few = run_page(summary, scenario, "fifo.yaml", images).intervals
    assert few.endswith("each holds 90% of the replications, the spread of single outcomes. "
                        "With only 2 replications, a band of 90% is about their lowest to "
                        "highest, too rough to read a spread from; 20 or more are needed.")
    many = run_page(summary.assign(replications=20), scenario, "fifo.yaml", images).intervals
    assert many.endswith("the spread of single outcomes.")
    bare = run_page(summary, scenario, "fifo.yaml", {}).intervals  # no band: nothing to say
    assert "lowest to highest" not in bare
