"""Key figures that count everyone: time to connection, restricted mean wait, job- and MW-years."""

from __future__ import annotations

import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import Results, load_scenario, run
from sim.analysis.differences import difference_table
from sim.errors import GridqueueError, GridqueueWarning
from sim.inputs.applicants import CATEGORIES
from sim.runs.incidence import incidence_curve, restricted_mean_wait, time_to_share_connected
from sim.runs.metrics import (
    ALL,
    BESIDE_HEADLINE,
    HEADLINE_METRICS,
    METRICS,
    TABLE_METRICS,
    replication_metrics,
)
from sim.runs.stats import summarise
from sim.runs.summary_table import NOT_REACHED, format_summary
from tests.comparison_family import FIFO, PROJECT

HORIZON = 8.0
# Six applicants of one category in a run of 8 years: (request time in years since the start,
# outcome, wait in years, jobs, MW). E asked 2 years before the start (a waiting list), so it
# enters the curve at a wait of 2: it could not have connected or withdrawn before.
HAND_CASE = [
    (0.0, "connected", 1.0, 10, 1.0),   # A
    (0.0, "withdrawn", 2.0, 20, 2.0),   # B
    (1.0, "connected", 3.0, 5, 0.5),    # C
    (5.0, "waiting", 3.0, 40, 4.0),     # D: still waiting at the end, censored at 3
    (-2.0, "connected", 4.0, 1, 0.25),  # E: delayed entry at 2
    (0.0, "waiting", 8.0, 2, 3.0),      # F: still waiting at the end, censored at 8
]

NO_AREAS = pd.DataFrame()
"""A run's key figures by area where the grid has one area: none."""


def _one_area(summary: pd.DataFrame) -> SimpleNamespace:
    """What format_summary reads of a run of one area whose scenario changes no category."""
    return SimpleNamespace(summary=summary, areas=NO_AREAS,
                           scenario=SimpleNamespace(changes_categories=False))


def hand_case_figures(rows: list[tuple] = HAND_CASE) -> pd.Series:
    """The ``all`` figures of ``replication_metrics`` for rows of ``HAND_CASE``'s shape."""
    table = replication_metrics(_frame(rows), _requests(rows), HORIZON, {}, 0.0)
    return table[table["group"] == ALL].set_index("metric")["value"]


def test_hand_case_matches_the_figures_worked_out_by_hand():
    """Quantiles, restricted mean, job- and MW-years of a small case equal the hand values."""
    figures = hand_case_figures()
    # Aalen-Johansen with delayed entry; C is the cumulative share connected, S still waiting:
    #   t=1: at risk A B C D F (E enters at 2):  5, A connects:   C = 1/5,  S = 4/5
    #   t=2: at risk B C D E F:                  5, B withdraws:  W = 4/5 * 1/5 = 4/25,
    #                                                              S = 16/25
    #   t=3: at risk C D E F:                    4, C connects, D censored:
    #                                             C = 1/5 + 16/25 * 1/4 = 9/25, S = 12/25
    #   t=4: at risk E F:                        2, E connects:   C = 9/25 + 12/25 * 1/2 = 3/5
    #   t=8: F censored.
    # A quarter connected first at t=3 (9/25 >= 1/4); half at t=4 (3/5 >= 1/2).
    assert figures["connect_p25_years"] == 3.0
    assert figures["connect_median_years"] == 4.0
    # Not connected within 5 years: 5 - integral of C from 0 to 5
    #   = 5 - (1/5 * (3 - 1) + 9/25 * (4 - 3) + 3/5 * (5 - 4)) = 5 - 34/25 = 3.64
    assert figures["wait_rmst_5y_years"] == pytest.approx(3.64, abs=1e-12)
    # Within 10 years: F, still waiting, is censored at 8, so the curve is unknown that far.
    assert np.isnan(figures["wait_rmst_10y_years"])
    # Without a connection to the end of the run (8), from the request or the start:
    #   A 1, B 8 (withdrew: to the end), C 3, D 3 (asked at 5), E 4 - 2 = 2 (waited 2 before
    #   the start), F 8: 25 / 6, known although the ten-year window is not.
    assert figures["wait_to_end_years"] == pytest.approx(25 / 6, abs=1e-12)
    # jobs x years without a connection in the run, as wait_to_end_years counts them (B, who
    # withdrew, to the end: 8; E: 4 - 2 before the start):
    #   10*1 + 20*8 + 5*3 + 40*3 + 1*2 + 2*8 = 323
    assert figures["job_years_waiting"] == 323.0
    # MW x years the same way: 1*1 + 2*8 + 0.5*3 + 4*3 + 0.25*2 + 3*8 = 55
    assert figures["mw_years_waiting"] == 55.0
    assert figures["jobs_waiting"] == 42.0 and figures["mw_waiting"] == 7.0
    # Observed 2 years (asked by year 6): all six, of whom A connected within 2 years.
    assert figures["connected_within_2y"] == pytest.approx(1 / 6)
    # Observed 5 years (asked by year 3): all but D; A, C and E connected within 5 years.
    assert figures["connected_within_5y"] == pytest.approx(3 / 5)
    # B withdrew, of the six who asked by the end (D late, E before the start, among them).
    assert figures["withdrawn_share"] == 1 / 6
    # Of those connected only: A, C and E waited 1, 3 and 4 years.
    assert figures["wait_mean_years"] == pytest.approx(8 / 3)


@given(st.lists(st.tuples(st.sampled_from(["connected", "withdrawn", "waiting"]),
                          st.floats(0.01, 9.99)), min_size=1, max_size=30))
def test_with_every_request_at_the_start_the_years_to_the_end_are_the_restricted_mean(rows):
    """Two estimators agree where they must: everyone asked at 0, the run ends at 10 years.

    Then nobody is censored before 10 years, so the restricted mean within 10 years (the
    area under the Aalen-Johansen not-connected curve) is the plain mean of each one's years
    without a connection up to 10, which is what the years to the end of the run count.
    """
    table = [(0.0, outcome, 10.0 if outcome == "waiting" else wait, 1, 1.0)
             for outcome, wait in rows]
    figures = replication_metrics(_frame(table), _requests(table), 10.0, {}, 0.0)
    mine = figures[figures["group"] == ALL].set_index("metric")["value"]
    assert 0.0 <= mine["wait_to_end_years"] <= 10.0
    assert mine["wait_to_end_years"] == pytest.approx(mine["wait_rmst_10y_years"], abs=1e-9)


def test_the_same_case_without_the_waiting_list_differs_as_worked_out():
    """Had E asked at the start, it would be at risk from t=0 and the figures would move."""
    figures = hand_case_figures([row if row[0] >= 0 else (0.0, *row[1:]) for row in HAND_CASE])
    # By hand: t=1: 6 at risk, C = 1/6, S = 5/6;   t=2: 5 at risk, B withdraws, S = 2/3;
    #          t=3: 4 at risk, C = 1/6 + 2/3 * 1/4 = 1/3, S = 1/2;   t=4: C = 1/3 + 1/4 = 7/12.
    # Restricted mean: 5 - (1/6 * 2 + 1/3 * 1 + 7/12 * 1) = 5 - 15/12 = 3.75 (3.64 with entry).
    assert figures["connect_p25_years"] == 3.0
    assert figures["connect_median_years"] == 4.0
    assert figures["wait_rmst_5y_years"] == pytest.approx(3.75, abs=1e-12)


def test_the_ten_year_window_is_worked_out_where_the_curve_reaches_it():
    """Had F waited 10 years (still waiting), the ten-year restricted mean is known.

    The curve of connection is as before (F only censored, later): 10 - integral of C from 0
    to 10 = 10 - (1/5 * 2 + 9/25 * 1 + 3/5 * 6) = 10 - 4.36 = 5.64.
    """
    rows = [*HAND_CASE[:-1], (0.0, "waiting", 10.0, 2, 3.0)]
    assert hand_case_figures(rows)["wait_rmst_10y_years"] == pytest.approx(5.64, abs=1e-12)


def test_a_share_within_a_window_counts_both_ends_of_it():
    """One who asked exactly 2 years before the end is observed 2 years; a wait of 2 is within.

    In the run of 8 years: G asked at 6 and connected at 8 (a wait of exactly 2), H asked at
    6 and still waits, I asked at 6.5. Observed 2 years: G and H, of whom G connected within
    2 years: 1/2. Observed 1 year (asked by 7): all three, none connected within a year.
    """
    rows = [(6.0, "connected", 2.0, 1, 1.0),  # G
            (6.0, "waiting", 2.0, 1, 1.0),    # H
            (6.5, "waiting", 1.5, 1, 1.0)]    # I
    figures = hand_case_figures(rows)
    assert figures["connected_within_2y"] == 0.5
    assert figures["connected_within_1y"] == 0.0
    assert np.isnan(figures["connected_within_5y"])  # nobody observed that long


def test_the_share_withdrawn_is_of_everyone_who_asked_by_the_end():
    """B gave up, of the six who asked: 1/6, whatever the others' outcomes or request dates.

    D, who asked 3 years before the end and still waits, and E, of the waiting list, count
    among those who asked, as in ``applicants``; no window of each request leaves anyone out,
    as ``connected_within_2y`` does. A category nobody of which asked has no share. Across
    three replications in which one, two and three of the six gave up, the mean is 1/3 with
    the logit-t interval the shares connected within a window get, printed in percent.
    """
    per_replication = []
    for gave_up in (1, 2, 3):  # B; then F, still waiting in the hand case, too; then D too
        also = {1: (), 2: (5,), 3: (5, 3)}[gave_up]  # F and D's rows
        rows = [(row[0], "withdrawn", *row[2:]) if i in also else row
                for i, row in enumerate(HAND_CASE)]
        table = replication_metrics(_frame(rows), _requests(rows), HORIZON, {}, 0.0)
        per_replication.append(table.assign(replication=gave_up - 1))
        figures = table.set_index(["group", "metric"])["value"]
        assert figures[(ALL, "withdrawn_share")] == gave_up / 6
        assert figures[("other", "withdrawn_share")] == gave_up / 6
        assert figures[(ALL, "withdrawn_share")] == \
            figures[(ALL, "withdrawn")] / figures[(ALL, "applicants")]
        assert np.isnan(figures[("safety", "withdrawn_share")])  # nobody asked
    summary = summarise(pd.concat(per_replication, ignore_index=True))
    row = summary.set_index(["group", "metric"]).loc[(ALL, "withdrawn_share")]
    # logit(1/3) -+ t(0.975, 2) * (1/6) / (sqrt(3) * 1/3 * 2/3), taken back
    half = 4.302652729749462 * (1 / 6) / (np.sqrt(3) * 2 / 9)
    expected = [1 / (1 + np.exp(np.log(2) + s * half)) for s in (1, -1)]
    assert (row["unit"], row["ci_method"]) == ("share", "logit t")
    assert row["estimate"] == pytest.approx(1 / 3, abs=1e-15)
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(expected, rel=1e-12)
    lines = format_summary(_one_area(summary)).splitlines()
    label = METRICS["withdrawn_share"].label
    (line,) = (line for line in lines if line.startswith(label))
    assert line.split()[-2:] == ["33.3", "[7.20-76.3]"]  # 7.2008% to 76.314%
    assert lines.index(line) == lines.index(
        next(line for line in lines if line.startswith(METRICS["withdrawn"].label))) + 1


def test_the_wait_for_a_full_firm_connection_runs_to_the_end_for_one_connected_in_part():
    """Connected in part but never in full, one waits for a firm connection to the end.

    A run of 12 years, everyone asking at 0: A connected whole at 1; B in part at 2 and
    never in full (its firm wait is censored at the end, 12); C in part at 3 and in full
    two years later, at 5. Within 10 years, to a first connection: 10 - (1/3 + 2/3 + 7) = 2.
    To a full firm connection: A at 1 (3 at risk), C at 5 (2 at risk): C = 1/3, then 2/3;
    10 - (1/3 * 4 + 2/3 * 5) = 16/3. Cutting B's firm wait at its partial connection would
    censor it at 2, leave C alone at risk at 5 and give 10 - (4/3 + 5) = 11/3.
    """
    rows = [(0.0, "connected", 1.0, 1, 1.0), (0.0, "connected", 2.0, 1, 1.0),
            (0.0, "connected", 3.0, 1, 1.0)]
    frame = _frame(rows)
    start, year = pd.Timestamp("2020-01-01"), pd.Timedelta(days=365.25)
    frame["connect_date"] = [start + year, start + 2 * year, start + 3 * year]
    frame["full_connect_date"] = [start + year, pd.NaT, start + 5 * year]
    table = replication_metrics(frame, _requests(rows), 12.0, {}, 0.0)
    figures = table[table["group"] == ALL].set_index("metric")["value"]
    assert figures["wait_rmst_10y_years"] == pytest.approx(2.0, abs=1e-12)
    assert figures["wait_firm_rmst_10y_years"] == pytest.approx(16 / 3, abs=1e-12)


def _two_replications(second: list[tuple]) -> pd.DataFrame:
    """Tidy figures of the hand case (ten-year window unknown) and of ``second``."""
    return pd.concat([
        replication_metrics(_frame(rows), _requests(rows), HORIZON, {}, 0.0).assign(replication=r)
        for r, rows in enumerate([HAND_CASE, second])], ignore_index=True)


def test_a_window_some_replication_cannot_see_has_no_value_across_replications():
    """The mean of the replications that saw ten years would be a subset chosen by the outcome.

    The hand case does not know its ten-year window (F censored at 8); the second replication
    does (5.64). Across both the figure has no estimate or interval, while its ``mean`` and
    ``replications`` still tell the one that had a value; the five-year window, known in
    both, is summarised as usual. The paired difference is undefined likewise.
    """
    seen = [*HAND_CASE[:-1], (0.0, "waiting", 10.0, 2, 3.0)]
    summary = summarise(_two_replications(seen)).set_index(["group", "metric"])
    ten = summary.loc[(ALL, "wait_rmst_10y_years")]
    assert np.isnan(ten["estimate"]) and np.isnan(ten["ci_low"]) and np.isnan(ten["ci_high"])
    assert ten["replications"] == 1 and ten["mean"] == pytest.approx(5.64, abs=1e-12)
    five = summary.loc[(ALL, "wait_rmst_5y_years")]
    assert five["estimate"] == pytest.approx((3.64 + 3.64) / 2) and five["replications"] == 2
    both = summarise(pd.concat([_two_replications(seen).query("replication == 1")
                                .assign(replication=r) for r in range(2)], ignore_index=True))
    assert both.set_index(["group", "metric"]).loc[(ALL, "wait_rmst_10y_years"),
                                                   "estimate"] == pytest.approx(5.64)
    differences = difference_table(_two_replications(seen), _two_replications(seen), True)
    row = differences.set_index(["group", "metric"]).loc[(ALL, "wait_rmst_10y_years")]
    assert np.isnan(row["difference"])
    five_row = differences.set_index(["group", "metric"]).loc[(ALL, "wait_rmst_5y_years")]
    assert five_row["difference"] == 0.0


def test_a_replication_without_the_groups_applicants_does_not_count_against_it():
    """A category with nobody in some replication is summarised over those it had applicants in."""
    seen = [*HAND_CASE[:-1], (0.0, "waiting", 10.0, 2, 3.0)]
    table = pd.concat([
        replication_metrics(_frame(seen), _requests(seen), HORIZON, {}, 0.0).assign(
            replication=0),
        replication_metrics(_frame(seen).assign(category=pd.Categorical(
            ["safety"] * len(seen), categories=CATEGORIES)), _requests(seen), HORIZON, {},
            0.0).assign(replication=1)], ignore_index=True)
    summary = summarise(table).set_index(["group", "metric"])
    for group in ("other", "safety"):  # each had applicants in one replication only
        assert summary.loc[(group, "wait_rmst_10y_years"), "estimate"] == pytest.approx(5.64)
        assert summary.loc[(group, "wait_rmst_10y_years"), "replications"] == 1


def test_median_not_reached_is_infinite_and_reads_not_reached():
    """Fewer than half ever connected: the median is inf, summarised and shown as not reached."""
    rows = [
        (0.0, "connected", 1.0, 1, 1.0),
        (0.0, "withdrawn", 2.0, 1, 1.0),
        (0.0, "withdrawn", 3.0, 1, 1.0),
        (0.0, "waiting", 8.0, 1, 1.0),
    ]
    figures = hand_case_figures(rows)
    assert figures["connect_median_years"] == np.inf  # the curve stops at 1/4
    assert figures["connect_p25_years"] == 1.0
    per_replication = pd.concat(
        [replication_metrics(_frame(rows), _requests(rows), HORIZON, {}, 0.0).assign(replication=r)
         for r in range(8)], ignore_index=True)
    summary = summarise(per_replication)
    median = summary[(summary["group"] == ALL) & (summary["metric"] == "connect_median_years")]
    assert median[["estimate", "ci_low", "ci_high"]].iloc[0].tolist() == [np.inf] * 3
    assert median["ci_method"].iloc[0] == "order statistics"
    text = format_summary(_one_area(summary))
    line = next(row for row in text.splitlines()
                if row.startswith(METRICS["connect_median_years"].label))
    assert line.split()[-1] == "reached" and NOT_REACHED in line
    assert "inf" not in text


def test_a_share_reached_exactly_counts_as_reached():
    """A curve that reaches one half exactly (one of two connects) has its median there."""
    curve = incidence_curve(np.array([1.0, 2.0]), np.array([True, False]),
                            np.array([False, True]), np.zeros(2))
    assert time_to_share_connected(curve, 0.5) == 1.0
    assert time_to_share_connected(curve, 0.51) == np.inf


def test_restricted_mean_needs_the_curve_through_the_window():
    """Past the longest wait, with someone still waiting, the area is unknown (NaN)."""
    still = incidence_curve(np.array([1.0, 3.0]), np.array([True, False]),
                            np.array([False, False]), np.zeros(2))
    assert np.isnan(restricted_mean_wait(still, 5.0))
    # With everyone done before the window ends, the curve stays flat and the area is known.
    done = incidence_curve(np.array([1.0, 3.0]), np.array([True, True]),
                           np.array([False, False]), np.zeros(2))
    # Not connected: 1 until t=1, 1/2 until t=3, then 0: area 1 + 1 = 2.
    assert restricted_mean_wait(done, 5.0) == 2.0


def test_every_figure_says_whether_it_depends_on_the_end():
    """Window figures do not depend on the end; counts and waits cut off by it do, and say so."""
    independent = {name for name, metric in METRICS.items() if not metric.depends_on_end}
    assert independent == {"wait_rmst_5y_years", "wait_rmst_10y_years", "connected_within_1y",
                           "connected_within_2y", "connected_within_5y",
                           "wait_firm_rmst_10y_years"}
    for name in ("connected", "withdrawn", "waiting", "jobs_waiting", "mw_waiting"):
        assert "end of the run" in METRICS[name].label, name
    for name in ("wait_mean_years", "wait_median_years", "wait_p90_years"):
        assert "of those connected" in METRICS[name].label, name


def test_headline_figures_lead_the_terminal_summary():
    """The headline list names real figures and the terminal table lists them first."""
    assert HEADLINE_METRICS[:2] == ("wait_rmst_10y_years", "connect_median_years")
    assert set(HEADLINE_METRICS) <= set(METRICS)
    per_replication = pd.concat(
        [replication_metrics(_frame(HAND_CASE), _requests(HAND_CASE), HORIZON, {}, 0.0)
         .assign(replication=r) for r in range(3)],
        ignore_index=True)
    run = _one_area(summarise(per_replication))
    lines = format_summary(run).splitlines()
    # Eight years: the stand-in follows the ten-year window, which no replication sees.
    stand_in = METRICS["wait_to_end_years"].label
    lines = [line for line in lines if not line.startswith(stand_in)]
    # the share withdrawn right after the count, as the report's tables have it
    assert TABLE_METRICS[TABLE_METRICS.index("withdrawn") + 1] == "withdrawn_share"
    labels = [METRICS[name].label for name in TABLE_METRICS]
    assert [line[:len(label)] for line, label in zip(lines[1:], labels, strict=False)] == labels
    # Each figure once: jobs lost to withdrawal is a headline figure and a count behind them.
    assert len({line.split("  ")[0] for line in lines[1:] if line[:1].isupper()}) == \
        len([line for line in lines[1:] if line[:1].isupper()])
    share = METRICS["connected_within_2y"].label
    within = next(line for line in lines if line.startswith(share))
    # One in six, in percent, the same in every replication.
    assert within.split()[-2:] == ["16.7", "[16.7-16.7]"]


def _documented_figures(table: str) -> list[str]:
    """The key figures named in the first column of one table of docs/model.md, section 4.4."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "model.md").read_text(encoding="utf-8")
    section = text.split("### 4.4 ", 1)[1].split("\n## ", 1)[0]
    rows = section.split(table, 1)[1].split("\n\n", 2)[1].splitlines()[2:]
    names = []
    for row in rows:
        first = row.split("|")[1]
        for part in (cell.strip(" `") for cell in first.split(",")):
            # `connected_within_1y`, `_5y`: a suffix stands for the name before it, so ended
            names.append(names[-1].rsplit("_", 1)[0] + part if part.startswith("_") else part)
    return names


def test_model_description_lists_every_figure_and_the_headline_ones_in_order():
    """docs/model.md (4.4) has a row for every figure, the headline ones in their order.

    The stand-ins of the first headline figure sit beside it, and the figures the tables show
    beside a headline figure follow it, in the tables' order. The headline table put the
    median time to connection first, and jobs lost to withdrawal, a headline figure, among
    the others.
    """
    headline = _documented_figures("**Headline figures**")
    others = _documented_figures("**Other figures:**")
    assert sorted(headline + others) == sorted(METRICS)
    stand_ins = {"wait_rmst_5y_years", "wait_to_end_years"}
    assert [name for name in headline if name not in stand_ins] == list(TABLE_METRICS)
    beside = {name for names in BESIDE_HEADLINE.values() for name in names}
    assert set(headline) - set(HEADLINE_METRICS) == stand_ins | beside


def test_a_group_without_ten_years_gets_the_stand_in_row_beneath():
    """The terminal table adds the years to the end of the run only where a group lacks ten.

    As the comparisons' answers do: a '-' in the lead row then has a figure right below it.
    """
    per_replication = pd.concat(
        [replication_metrics(_frame(HAND_CASE), _requests(HAND_CASE), HORIZON, {}, 0.0)
         .assign(replication=r) for r in range(3)],
        ignore_index=True)
    summary = summarise(per_replication)  # eight years: ten are never seen
    ten, five = (METRICS[m].label for m in ("wait_rmst_10y_years", "wait_to_end_years"))
    lines = format_summary(_one_area(summary)).splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith(ten))
    assert lines[row].split()[-1] == "-" and lines[row + 1].startswith(five)
    assert lines[row + 1].split()[-2:] == ["4.17", "[4.17-4.17]"]
    known = summary["metric"] == "wait_rmst_10y_years"
    summary.loc[known, ["estimate", "ci_low", "ci_high"]] = 4.0
    lines = format_summary(_one_area(summary)).splitlines()
    assert not any(line.startswith(five) for line in lines)


def _frame(rows: list[tuple]) -> pd.DataFrame:
    """An applicants table of ``HAND_CASE``-shaped rows, all of category ``other``."""
    _, outcome, wait, jobs, mw = (list(column) for column in zip(*rows, strict=True))
    return pd.DataFrame({
        "category": pd.Categorical(["other"] * len(rows), categories=CATEGORIES),
        "outcome": outcome, "wait_years": wait, "jobs": jobs, "requested_mw": mw,
    })


def _requests(rows: list[tuple]) -> np.ndarray:
    """The request times of ``HAND_CASE``-shaped rows."""
    return np.array([row[0] for row in rows])



def test_answers_lead_with_the_stand_in_where_ten_years_is_not_known():
    """Without an interval for the ten-year window anywhere, the answers use its stand-in."""
    from sim.report.narrative import lead_metric

    table = pd.DataFrame({"question": ["q", "q", "q"],
                          "metric": ["wait_rmst_10y_years", "wait_to_end_years",
                                     "connect_median_years"],
                          "difference_ci_low": [np.nan, 0.1, 0.2]})
    assert lead_metric(table) == "wait_to_end_years"
    assert lead_metric(table.assign(difference_ci_low=[0.3, 0.1, 0.2])) == "wait_rmst_10y_years"


def test_the_terminal_names_each_project_with_when_it_connects():
    """A line per named project: how often, the median date and its spread, or never."""
    from sim.runs.summary_table import format_projects

    dates = pd.to_datetime(["2030-01-01", "2033-03-01", "2033-07-01", "2034-01-01"])
    projects = pd.DataFrame({
        "project": ["Campus", "Depot"], "request_date": [dates[0]] * 2, "replications": [5, 5],
        "connected_share": [0.8, 0.0], "withdrawn_share": [0.0, 0.4],
        "connect_date_mean": [dates[2], pd.NaT],
        "connect_date_p10": [dates[1], pd.NaT], "connect_date_p50": [dates[2], pd.NaT],
        "connect_date_p90": [pd.NaT, pd.NaT], "wait_mean_years": [3.5, np.nan],
        "wait_ci_low": [3.0, np.nan], "wait_ci_high": [4.0, np.nan]})
    assert format_projects(projects) == [
        "Campus (asked 2030-01-01): connected in 4 of 5 replications, median 2033-07-01 "
        "(10% to 90%: 2033-03-01 to not by the end); mean wait of the 4 connected "
        "3.50 years (95% CI 3.00 to 4.00)",
        "Depot (asked 2030-01-01): not connected by the end of the run in any of 5 "
        "replications, withdrew in 2"]
    # The replications without a date say why: the project withdrew there, or either.
    for withdrawn, why in ((0.2, "withdrew"), (0.1, "not connected")):
        projects.loc[0, "withdrawn_share"] = withdrawn
        assert f"(10% to 90%: 2033-03-01 to {why});" in format_projects(projects)[0]
    # Connected in 2 of 5, withdrawn in the other 3: the median replication has no date.
    projects.loc[0, ["connected_share", "withdrawn_share", "connect_date_p50"]] = [0.4, 0.6,
                                                                                    pd.NaT]
    assert ("connected in 2 of 5 replications, withdrew in 3, median: withdrew (10% to 90%: "
            "2033-03-01 to withdrew)") in format_projects(projects)[0]


def test_a_projects_dates_over_few_replications_say_how_rough_they_are(tmp_path, capsys):
    """'10% to 90%' of three replications' dates is about the earliest to the latest.

    The report said so of its bands; the terminal gave the spread without a word.
    """
    from sim.cli import main

    caution = ("With only 3 replications, the 10% to 90% of a project's dates is about their "
               "lowest to highest, too rough to read a spread from; 20 or more are needed.")
    (tmp_path / "fifo.yaml").write_text(FIFO + PROJECT, encoding="utf-8")
    assert main(["run", str(tmp_path / "fifo.yaml"), "-o", str(tmp_path / "out"),
                 "--replications", "3", "--workers", "1", "--no-report"]) == 0
    lines = capsys.readouterr().out.splitlines()
    campus = next(i for i, line in enumerate(lines) if line.startswith("Campus (asked"))
    assert "(10% to 90%: " in lines[campus]
    assert lines[campus + 1] == caution
    from sim.runs.summary_table import rough_dates

    projects = pd.DataFrame({"project": ["Campus", "Depot"], "replications": [3, 3],
                             "connected_share": [1 / 3, 0.0]})
    assert rough_dates(projects) == caution
    assert rough_dates(projects.assign(replications=20)) is None  # from 20 on, nothing
    assert rough_dates(projects.assign(connected_share=0.0)) is None  # no dates shown


def test_a_projects_dates_count_every_replication():
    """Percentiles of a project's date treat the replications that never connected it as later.

    Three of five replications connected it, on days 0, 10 and 30: over five, the median is
    the third date; its 90th percentile falls among the two never connected.
    """
    from sim.runs.stats import connection_quantiles, summarise_projects

    day = pd.Timestamp("2030-01-01")
    dates = pd.Series([day + pd.Timedelta(days=d) for d in (30, 0, 10)])
    p10, p50, p90 = connection_quantiles(dates, 5, (0.1, 0.5, 0.9))
    assert (p10, p50) == (day + pd.Timedelta(days=4), day + pd.Timedelta(days=30))
    assert pd.isna(p90)
    every = connection_quantiles(dates, 3, (0.1, 0.5, 0.9))
    assert every == list(dates.quantile([0.1, 0.5, 0.9]))  # all connected: pandas' quantile
    rows = pd.DataFrame({
        "source": "project", "name": "Campus", "request_date": day,
        "outcome": ["connected"] * 3 + ["withdrawn", "waiting"],
        "connect_date": [*dates, pd.NaT, pd.NaT], "wait_years": [0.1, 0.0, 0.03, np.nan, np.nan]})
    row = summarise_projects(rows, 5).iloc[0]
    assert (row["connected_share"], row["withdrawn_share"]) == (0.6, 0.2)
    assert row["connect_date_p50"] == day + pd.Timedelta(days=30)
    # The mean of the three lucky replications' dates (day 13) would be earlier than the
    # median over all five (day 30): with any replication not connected, no mean date.
    assert pd.isna(row["connect_date_mean"])
    every = summarise_projects(rows.iloc[:3], 3).iloc[0]
    assert every["connect_date_mean"] == day + pd.Timedelta(days=13)


def test_a_project_line_says_a_wait_is_to_a_first_connection_its_dates_cannot_show():
    """One of four replications connected the project: by a non-firm right, firm a year later.

    Over four replications the 10th to 90th percentiles of both kinds of connection fall
    among the three without one, so every date is empty on both sides and the shares agree
    (1 of 4): the line read "mean wait of the 1 connected 1.00 years", the wait to the right,
    as if to the full connection (2.00 years). ``first_in_part_share`` says what the dates
    cannot; a project first connected whole and firm gets no such words.
    """
    from sim.runs.stats import summarise_projects
    from sim.runs.summary_table import format_projects

    day = pd.Timestamp("2030-01-01")
    rows = pd.DataFrame({
        "source": "project", "name": "Campus", "request_date": day - pd.Timedelta(days=365),
        "outcome": ["connected", "withdrawn", "withdrawn", "waiting"],
        "connect_date": [day, pd.NaT, pd.NaT, pd.NaT],
        "full_connect_date": [day + pd.Timedelta(days=365), pd.NaT, pd.NaT, pd.NaT],
        "wait_years": [1.0, np.nan, np.nan, np.nan]})
    row = summarise_projects(rows, 4).iloc[0]
    assert (row["connected_share"], row["full_connected_share"]) == (0.25, 0.25)
    assert row[["connect_date_p10", "connect_date_p50", "connect_date_p90",
                "full_connect_date_p10", "full_connect_date_p50",
                "full_connect_date_p90"]].isna().all()
    assert row["first_in_part_share"] == 0.25
    (line,) = format_projects(summarise_projects(rows, 4))
    assert "a full firm connection in 1 of 4" in line
    assert line.endswith("mean wait to a first connection of the 1 connected 1.00 years")
    whole = rows.assign(full_connect_date=rows["connect_date"])
    assert summarise_projects(whole, 4).iloc[0]["first_in_part_share"] == 0.0
    (line,) = format_projects(summarise_projects(whole, 4))
    assert "full firm" not in line and line.endswith("mean wait of the 1 connected 1.00 years")


def test_a_figure_asked_by_an_unknown_name_names_the_choices(tmp_path):
    """Results.figure with a misspelt group or figure, or the two swapped, says what it takes."""
    (tmp_path / "fifo.yaml").write_text(FIFO, encoding="utf-8")
    results = run(load_scenario(tmp_path / "fifo.yaml", {"replications": 2}), workers=1)
    assert results.figure("basic_needs", "wait_mean_years")[0] >= 0
    with pytest.raises(GridqueueError) as caught:
        results.figure("basic_need", "wait_mean_years")
    assert str(caught.value) == (
        "group 'basic_need': unknown group (did you mean 'basic_needs'?); expected one of "
        "congestion_relief, safety, basic_needs, other, all")
    with pytest.raises(GridqueueError, match=r"^metric 'wait_mean_year': unknown key figure "
                       r"\(did you mean 'wait_mean_years'\?\); expected one of applicants, "):
        results.figure("basic_needs", "wait_mean_year")
    # Its words in another order: by its letters alone it was nearest 'mw_years_waiting'.
    with pytest.raises(GridqueueError, match=r"^metric 'mean_wait': unknown key figure "
                       r"\(did you mean 'wait_mean_years'\?\)"):
        results.figure("all", "mean_wait")
    with pytest.raises(GridqueueError, match=r"expected the group first, then the key figure: "
                       r"figure\('all', 'wait_mean_years'\)"):
        results.figure("wait_mean_years", "all")


def test_a_figure_a_results_folder_of_an_earlier_version_lacks_is_named_as_such(tmp_path):
    """Results read from a folder written before connected_in_part existed lack its rows.

    Results.figure called this version's own key figure unknown, and offered
    connect_median_years instead.
    """
    (tmp_path / "fifo.yaml").write_text(FIFO, encoding="utf-8")
    results = run(load_scenario(tmp_path / "fifo.yaml", {"replications": 2}), workers=1)
    results.write(tmp_path / "out")
    summary = tmp_path / "out" / "summary.csv"
    table = pd.read_csv(summary)
    table[table["metric"] != "connected_in_part"].to_csv(summary, index=False)
    older = Results.read(tmp_path / "out")
    with pytest.raises(GridqueueError) as caught:
        older.figure("all", "connected_in_part")
    assert str(caught.value) == (
        "metric 'connected_in_part': not in this run's summary, written by an earlier "
        "gridqueue, which did not compute it; run the scenario again for it")
    assert older.figure("all", "connected")[0] >= 0


def test_a_ten_year_mean_some_replication_lacks_says_why_it_is_nan(tmp_path):
    """figure('all', 'wait_rmst_10y_years') returned (nan, nan, nan) and said nothing.

    The run lasts four years, so only a replication where someone waits to the end of the
    curve knows the ten-year mean; the warning says how many do and what stands in.
    """
    (tmp_path / "fifo.yaml").write_text(FIFO, encoding="utf-8")
    results = run(load_scenario(tmp_path / "fifo.yaml", {"replications": 3}), workers=1)
    known = results.replication_metrics.query(
        "group == 'all' and metric == 'wait_rmst_10y_years'")["value"].notna().sum()
    assert 0 < known < 3  # the case the warning is for
    with pytest.warns(GridqueueWarning) as warned:
        assert np.isnan(results.figure("all", "wait_rmst_10y_years")).all()
    assert [str(w.message) for w in warned] == [
        f"figure('all', 'wait_rmst_10y_years') is nan: known in {known} of 3 replications "
        "only (in the others nobody was seen waiting that long while some still waited), and "
        "a mean of those alone would answer another question (docs/model.md, 4.3); "
        "figure('all', 'wait_to_end_years'), the mean years without a connection to the end "
        "of the run, counts everyone in every replication"]
    assert warned[0].filename == __file__  # at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(results.figure("all", "wait_to_end_years")).all()
        # a group nobody is in has nothing to know: nan without a word
        assert np.isnan(results.figure("congestion_relief", "wait_rmst_10y_years")[0])


def test_metrics_say_which_figures_add_up_over_the_categories():
    """Totals add up from the categories to all; idle MW-years and MW freed do not, and say so.

    The capacity left idle while anyone of a category waited is free to every category
    waiting then: in the Flevoland runs someone of each waits nearly always, so the four
    categories' idle MW-years summed are four times all's. A reader who sums a table's
    categories, as for MW-years waited, needs to be told which figures do not add up.
    """
    path = Path(__file__).resolve().parents[1] / "scenarios/flevoland/use_it_or_lose_it.yaml"
    metrics = run(load_scenario(path, {"replications": 2}), workers=1).replication_metrics
    wide = metrics.pivot_table(index=["metric", "replication"], columns="group",
                               values="value", dropna=False)
    summed = wide[list(CATEGORIES)].sum(axis=1, min_count=len(CATEGORIES))
    for name, metric in METRICS.items():
        if metric.categories_add_up:
            np.testing.assert_allclose(summed[name], wide.loc[name, ALL], rtol=1e-9,
                                       err_msg=name)
    assert not METRICS["idle_mw_years"].categories_add_up
    assert (summed["idle_mw_years"] > 1.5 * wide.loc["idle_mw_years", ALL]).all()
    assert not METRICS["mw_freed"].categories_add_up
    assert (summed["mw_freed"] < wide.loc["mw_freed", ALL]).all()  # users before the run
    assert "do not add up" in METRICS["idle_mw_years"].description
    assert METRICS["mw_years_waiting"].categories_add_up
    assert not METRICS["wait_rmst_10y_years"].categories_add_up


def test_a_figure_without_brackets_says_why():
    """Too few replications for a median's interval: the table says why it has no brackets.

    Five replications give the times to connection no 95% interval (order statistics need
    six), while the means beside them have one; a bare figure must not pass for a known one.
    """
    per_replication = pd.concat(
        [replication_metrics(_frame(HAND_CASE), _requests(HAND_CASE), HORIZON, {}, 0.0)
         .assign(replication=r) for r in range(5)],
        ignore_index=True)
    summary = summarise(per_replication)
    median = summary[(summary["group"] == ALL) & (summary["metric"] == "connect_p25_years")]
    assert np.isfinite(median["estimate"].iloc[0]) and np.isnan(median["ci_low"].iloc[0])
    text = format_summary(_one_area(summary))
    assert ("Only 5 replications: 95% intervals about 3.3 times as wide as 30 would give, and "
            "none for a time to connection (a median across replications needs 6 or more); run "
            "10 or more for figures to quote.") in text
    six = pd.concat([per_replication, per_replication[per_replication["replication"] == 0]
                     .assign(replication=5)], ignore_index=True)
    assert "none for a time to connection" not in format_summary(
        _one_area(summarise(six)))


def test_a_waiting_list_whose_latest_row_connects_first_has_no_wait_of_everyone(tmp_path):
    """A group's curve is known only up to where its risk set emptied before a later entry.

    Only the row that asked last was at risk when it connected, at once: 'everyone' waited
    0.085 years within ten, and half were connected by then, though the two rows that had
    waited longer connected five years after their request or not at all. Neither figure has
    a value now; the years without a connection to the end of the run, which need no curve,
    still count all three.
    """
    (tmp_path / "list.csv").write_text(
        "request_date,category,demand_mw\n2023-12-01,other,0.5\n2023-01-01,other,1.0\n"
        "2022-01-01,other,1.0\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "start: 2024-01-01\nend: 2030-01-01\nreplications: 1\n"
        "grid: {capacity_mw: 0.5, upgrades: [{name: station, date: 2027-01-01, add_mw: 1.0}]}\n"
        "policy: {order: fifo, allocation: first_fit}\nwaiting_list: {csv: list.csv}\n",
        encoding="utf-8")
    results = run(load_scenario(tmp_path / "s.yaml"), workers=1, progress=False)
    assert sorted(results.applicants["wait_years"].round(2)) == [0.08, 5.0, 7.0]
    figures = results.replication_metrics.set_index(["group", "metric"])["value"]
    assert np.isnan(figures[(ALL, "wait_rmst_10y_years")])
    assert figures[(ALL, "connect_median_years")] == np.inf
    assert figures[(ALL, "wait_to_end_years")] == pytest.approx((0 + 3 + 6) / 3, rel=0.01)


def test_a_ten_year_mean_unknown_though_a_wait_passed_ten_years_is_explained(tmp_path):
    """The reason given for a missing 10-year mean claimed that no wait reached 10 years.

    Here the row that asked last is alone at risk when it connects, so the curve is known
    only to that wait, though the row that asked in 2012 waits 18 years: the reason the
    reports, compare and sweep give must not claim the usual cause as the only one.
    """
    from sim.report.narrative import NO_TEN_YEARS_WHY

    (tmp_path / "list.csv").write_text(
        "request_date,category,demand_mw\n2023-12-01,other,0.5\n2012-01-01,other,5.0\n",
        encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "start: 2024-01-01\nend: 2030-01-01\nreplications: 1\ngrid: {capacity_mw: 0.5}\n"
        "policy: {order: fifo, allocation: first_fit}\nwaiting_list: {csv: list.csv}\n",
        encoding="utf-8")
    results = run(load_scenario(tmp_path / "s.yaml"), workers=1, progress=False)
    assert results.applicants["wait_years"].max() > 10
    figures = results.replication_metrics.set_index(["group", "metric"])["value"]
    assert np.isnan(figures[(ALL, "wait_rmst_10y_years")])
    assert NO_TEN_YEARS_WHY.startswith("the run does not follow the waits that long (as a rule")


def test_every_figure_the_end_cuts_says_so_in_its_label():
    """The docs promise 'at the end of the run', 'by the end of the run' or 'over the run'.

    'Mean wait of those connected (years)' stood beside the mean wait of everyone in the
    terminal table with nothing to say that it leaves out all not connected by the end.
    The times to connection say 'not reached' where the run ends their curve instead.
    """
    said = ("at the end of the run", "by the end of the run", "over the run",
            "to the end of the run", "in the run")
    unsaid = [name for name, metric in METRICS.items() if metric.depends_on_end
              and not any(words in metric.label for words in said)]
    assert unsaid == ["connect_median_years", "connect_p25_years"]


def test_the_tables_legend_explains_only_the_marks_it_shows():
    """'-: no value: nobody of the group connected, ...' stood beneath a table without a dash."""
    from sim.runs.summary_table import LEGEND

    def lines(rows: list[tuple[str, float, float, float]]) -> list[str]:
        summary = pd.DataFrame([("all", metric, estimate, low, high, estimate, 30)
                                for metric, estimate, low, high in rows],
                               columns=["group", "metric", "estimate", "ci_low", "ci_high",
                                        "mean", "replications"])
        return format_summary(_one_area(summary)).splitlines()

    counted = [("applicants", 6.0, 5.0, 7.0)]
    assert LEGEND[0] in lines(counted) and LEGEND[1] not in lines(counted)
    dashed = [*counted, ("wait_mean_years", np.nan, np.nan, np.nan)]
    assert LEGEND[0] in lines(dashed) and LEGEND[1] in lines(dashed)
    bare = [("applicants", 6.0, np.nan, np.nan)]  # no interval: no brackets to explain
    assert not set(LEGEND) & set(lines(bare))
