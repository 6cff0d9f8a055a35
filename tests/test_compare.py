"""Comparing scenarios: pairing, paired and Welch differences, the table and the command."""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import os
import re
import shutil
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from sim import Comparison, GridqueueError, GridqueueWarning, Results, compare, load_scenario, run
from sim.analysis.differences import (
    COMPARISON_COLUMNS,
    Question,
    comparison_table,
    difference_table,
    draws_key,
    welch_interval,
)
from sim.analysis.populations import categories_by_origin, population_metrics
from sim.analysis.questions import read_questions
from sim.cli import main
from sim.errors import arguments_as_options
from sim.figures.numbers import format_estimate, format_numbers
from sim.report.data import key_tables
from sim.report.narrative import (
    FELL_BACK_NOTE,
    SHORTER_WINDOW_NOTE,
    STAND_IN_WORDS,
    answer,
    difference_text,
    lead_metric,
    level_text,
    notes,
    outline,
    priority_items,
    project_dates,
    sentences,
    window_note,
)
from sim.runs.metrics import (
    BY_AREA,
    CATEGORY_CHANGED,
    DRAWN_DIFFERENTLY,
    EVERY_APPLICANT,
    HEADLINE_METRICS,
    IN_BOTH,
    METRICS,
    ONLY_IN_REFERENCE,
    ONLY_IN_VARIANT,
    PERIODS_DIFFER,
    STREAMS_DIFFER,
)
from sim.runs.stats import summarise, summarise_projects
from tests.comparison_family import write_family, write_observed
from tests.undrawn import without_figures

# What is compared, answered and written is checked here, not what a figure shows: in this
# process the figures are laid out and written empty (tests/undrawn.py).
pytestmark = pytest.mark.undrawn


def _dated(table: pd.DataFrame, dates: dict) -> tuple[pd.DataFrame, dict]:
    """``table`` with ``dates`` given to each of its pairs, as :func:`sentences` takes them."""
    pairs = zip(table["scenario"], table["reference"], strict=True)
    return table, {pair: dates for pair in dict.fromkeys(pairs)}


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_family(tmp_path_factory.mktemp("family"))


@pytest.fixture(scope="module")
def comparison(family: dict[str, Path]) -> Comparison:
    return compare([family[n] for n in ("fifo", "social_priority", "onsite", "other_seed")],
                   workers=1)


def _row(table: pd.DataFrame, scenario: str, group: str, metric: str) -> pd.Series:
    rows = table[(table["scenario"] == scenario) & (table["group"] == group)
                 & (table["metric"] == metric)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_a_comparison_prints_as_its_questions_and_where_its_tables_are(
    comparison: Comparison, family: dict[str, Path], tmp_path: Path
):
    """print(comparison) dumped every scenario's results and the table whole."""
    assert repr(comparison) == str(comparison) == "\n".join([
        "Comparison of 4 scenarios (fifo, social_priority, onsite, other_seed; 6 replications "
        "each), 3 questions:",
        "  social_priority against fifo, paired",
        "  onsite against social_priority, paired",
        "  other_seed against fifo, unpaired",
        "tables: .table (every key figure; each difference, its 95% interval), .differences "
        "(those rows), .results[label]; answers: .sentences()"])
    for name in ("table", "differences", "results", "sentences"):
        assert hasattr(comparison, name)
    path = tmp_path / "q.yaml"
    path.write_text(f"- question: What does priority do?\n  reference: {family['fifo']}\n"
                    f"  variant: {family['social_priority']}\n", encoding="utf-8")
    asked = compare([], questions=path, replications=2, workers=1)
    assert repr(asked).splitlines()[:2] == [
        "Comparison of 2 scenarios (fifo, social_priority; 2 replications each), 1 question:",
        "  What does priority do?: social_priority against fifo, paired"]


def test_paired_difference_of_identical_scenarios_is_exactly_zero(family: dict[str, Path]):
    """The same scenario twice: every paired difference and both its bounds are exactly 0."""
    same = compare([family["fifo"], family["fifo"]], workers=1)
    assert list(same.results) == ["fifo", "fifo (2)"]
    rows = same.differences
    assert rows["paired"].all()
    for column in ("difference", "difference_ci_low", "difference_ci_high"):
        known = rows[column].dropna()  # a figure known in one replication has no interval
        assert len(known) > 40
        assert (known == 0.0).all(), column


def test_policy_only_difference_is_paired_and_narrower_than_unpaired(comparison: Comparison):
    """Social priority against FIFO is paired, and its intervals are narrower than Welch's."""
    assert comparison.paired["social_priority"] is True
    reference = comparison.results["fifo"].replication_metrics
    other = comparison.results["social_priority"].replication_metrics
    unpaired = difference_table(reference, other, paired=False).set_index(["group", "metric"])
    table = comparison.table
    for key in [("all", "withdrawn"), ("all", "jobs_withdrawn"), ("all", "applicants")]:
        row = _row(table, "social_priority", *key)
        assert row["paired"]
        paired_width = row["difference_ci_high"] - row["difference_ci_low"]
        welch = unpaired.loc[key]
        welch_width = welch["difference_ci_high"] - welch["difference_ci_low"]
        assert paired_width < welch_width, key
    # The same applicants in every replication: their number does not differ at all.
    assert _row(table, "social_priority", "all", "applicants")["difference_ci_high"] == 0.0


def test_paired_difference_is_the_mean_of_per_replication_differences(comparison: Comparison):
    """A paired difference is the Student-t interval of the differences per replication."""
    values = {label: comparison.results[label].replication_metrics.query(
        "group == 'all' and metric == 'jobs_withdrawn'").set_index("replication")["value"]
        for label in ("social_priority", "onsite")}
    differences = (values["onsite"] - values["social_priority"]).to_numpy()
    low, high = scipy_stats.t.interval(0.95, len(differences) - 1, loc=differences.mean(),
                                       scale=scipy_stats.sem(differences))
    row = _row(comparison.table, "onsite", "all", "jobs_withdrawn")
    assert comparison.paired["onsite"] is True  # on-site generation keeps the pairing
    assert row["difference"] == pytest.approx(differences.mean())
    assert (row["difference_ci_low"], row["difference_ci_high"]) == pytest.approx((low, high))


def test_other_seed_is_compared_unpaired_with_welch(comparison: Comparison):
    """A scenario with another seed draws other applicants: its interval is Welch's."""
    assert comparison.paired["other_seed"] is False
    row = _row(comparison.table, "other_seed", "all", "wait_mean_years")
    assert not row["paired"]
    a = comparison.results["fifo"].replication_metrics.query(
        "group == 'all' and metric == 'wait_mean_years'")["value"].to_numpy()
    b = comparison.results["other_seed"].replication_metrics.query(
        "group == 'all' and metric == 'wait_mean_years'")["value"].to_numpy()
    expected = scipy_stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert row["difference"] == pytest.approx(b.mean() - a.mean())
    assert (row["difference_ci_low"], row["difference_ci_high"]) == pytest.approx(
        (expected.low, expected.high))
    # The terminal's notes under the answers say so; paired pairs need no note.
    assert [note for note in comparison.notes() if " against " in note] == [
        "other_seed against fifo: unpaired: other random draws, Welch interval"]


def test_welch_interval_of_constant_samples_is_their_difference():
    """Two samples without spread give a zero-width interval at their difference."""
    assert welch_interval(np.array([1.0, 1.0]), np.array([3.0, 3.0, np.nan])) == (2.0, 2.0, 2.0)
    assert math.isnan(welch_interval(np.array([1.0]), np.array([2.0, 3.0]))[1])


@pytest.mark.parametrize(("override", "paired"), [
    ({"policy.order": "social_priority"}, True),
    ({"policy.allocation": "first_fit"}, True),
    ({"onsite_generation": {"share": 0.3, "cover": 0.2}}, True),
    ({"grid.capacity_mw": 3}, True),
    ({"grid.upgrades.0.date": "2024-01-01"}, True),
    ({"replications": 9, "name": "renamed", "timestep_months": 1}, True),
    ({"seed": 2}, False),
    ({"end": "2027-01-01"}, False),
    ({"streams.basic.rate_per_year": 6}, False),
    ({"priority_uptake": {"basic_needs": 0.5}}, True),  # the same draws, another share
    ({"grid.upgrades.0.delay_years": 1}, True),  # a lever of the grid: the same stream
    ({"projects.0.demand_mw": 2}, True),
    ({"streams.basic.category": "safety"}, True),  # where they count, not who they are
    ({"streams.basic.category_changes": [{"date": "2024-01-01", "category": "safety"}]}, True),
])
def test_draws_key_changes_only_with_what_the_draws_depend_on(
    family: dict[str, Path], override: dict, paired: bool
):
    """Policy, on-site generation, priority uptake, grid sizes and projects keep pairing.

    The assumptions the applicants are drawn from do not.
    """
    base = load_scenario(family["fifo"])
    changed = load_scenario(family["fifo"], override)
    assert (draws_key(base) == draws_key(changed)) is paired


def test_a_stream_moved_to_another_area_is_the_same_applicants_compared_paired(
        family: dict[str, Path]):
    """No draw uses a stream's area: moved, its applicants are those of replication *i*."""
    folder = family["fifo"].parent
    two_areas = ("grid:\n  capacity_mw: null\n  upgrades: []\n  areas:\n"
                 "    north: {capacity_mw: 1, upgrades: [{name: station, date: 2023-06-01, "
                 "add_mw: 5}]}\n    south: {capacity_mw: 1}\n"
                 "streams: {basic: {area: north}, other: {area: north}}\n"
                 "projects: [{name: Campus, date: 2022-06-01, demand_mw: 0.8, jobs: 300, "
                 "category: basic_needs, area: north}]\n")
    (folder / "north.yaml").write_text(f"extends: fifo.yaml\nname: north\n{two_areas}",
                                       encoding="utf-8")
    (folder / "south.yaml").write_text(
        "extends: north.yaml\nname: south\nstreams: {other: {area: south}}\n",
        encoding="utf-8")
    moved = compare([folder / "north.yaml", folder / "south.yaml"], replications=3, workers=1)
    assert moved.questions[0].paired
    assert moved.table.query("scenario == 'south'")["paired"].dropna().all()
    assert [note for note in moved.notes() if " against " in note] == []


@pytest.fixture(scope="module")
def from_files(family: dict[str, Path]) -> Comparison:
    """The fifo and social_priority files compared: what other inputs must compare like."""
    return compare([family["fifo"], family["social_priority"]], workers=1)


def test_results_directory_compares_like_its_scenario_file(
    family: dict[str, Path], from_files: Comparison, tmp_path: Path
):
    """A results directory written by run gives the same comparison as its scenario file."""
    run(load_scenario(family["fifo"]), workers=1).write(tmp_path / "fifo")
    from_dir = compare([tmp_path / "fifo", family["social_priority"]], workers=1)
    assert from_dir.ran == ["social_priority"]
    assert from_dir.sources["fifo"] == str(tmp_path / "fifo")
    pd.testing.assert_frame_equal(from_dir.table, from_files.table, check_exact=False,
                                  rtol=1e-12)


def test_scenarios_and_results_in_memory_compare_like_their_files(
    family: dict[str, Path], comparison: Comparison, from_files: Comparison
):
    """A Results and a Scenario given as objects, as the notebooks give them, compare alike."""
    fifo = comparison.results["fifo"]
    assert repr(fifo) == "Results(scenario='fifo', replications=6)"
    in_memory = compare([fifo, load_scenario(family["social_priority"])], workers=1)
    assert in_memory.sources == {"fifo": "python", "social_priority": "python"}
    assert in_memory.ran == ["social_priority"]
    pd.testing.assert_frame_equal(in_memory.table, from_files.table, check_exact=False,
                                  rtol=1e-12)


def test_compare_command_writes_everything_and_refuses_to_overwrite(
    family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
):
    """The command writes table, figures, report and runs; it replaces DIR only with --force."""
    output = tmp_path / "cmp"
    args = ["compare", str(family["fifo"]), str(family["social_priority"]), "-o", str(output),
            "--workers", "1", "--replications", "3"]
    assert main(args) == 0
    assert "social_priority against fifo (" in capsys.readouterr().out
    table = pd.read_csv(output / "comparison.csv")
    assert tuple(table.columns) == COMPARISON_COLUMNS
    assert table.loc[table["scenario"] == "fifo", "paired"].isna().all()
    assert table.loc[table["scenario"] == "fifo", "reference"].isna().all()
    assert table.loc[table["scenario"] == "social_priority", "paired"].eq(True).all()
    assert table.loc[table["scenario"] == "social_priority", "reference"].eq("fifo").all()
    figures = {p.name for p in (output / "figures").iterdir()}
    names = ("queue", "time_to_connection", "wait", "connected", "withdrawals", "differences",
             "projects")
    assert figures == {f"{n}.{s}" for n in names for s in ("png", "svg")}
    assert (output / "report.html").stat().st_size > 10_000
    assert not (output / "observations.csv").exists()  # no scenario states observations
    assert 'id="observed"' not in (output / "report.html").read_text(encoding="utf-8")
    for label in ("fifo", "social_priority"):
        assert json.loads((output / "runs" / label / "run.json").read_text())["replications"] == 3
    provenance = json.loads((output / "comparison.json").read_text())
    assert provenance["questions"] == [{"question": "social_priority against fifo",
                                        "reference": "fifo", "variant": "social_priority",
                                        "paired": True}]
    assert [p.name for p in tmp_path.iterdir()] == ["cmp"]  # no staging left behind

    assert main(args) == 2
    assert "already exists" in capsys.readouterr().err
    without_figures(monkeypatch)  # the figures written were checked above
    assert main([*args, "--force", "-q"]) == 0


def test_compare_needs_two_inputs(family: dict[str, Path]):
    """One scenario alone is not a comparison."""
    with pytest.raises(GridqueueError, match="at least two"):
        compare([family["fifo"]])


def test_sentences_state_direction_and_interval():
    """A difference is worded with its direction and interval; one spanning zero as alike."""
    rows = []
    for group, applicants, wait in (("basic_needs", 10, (-2.1, -2.4, -1.8)),
                                    ("other", 50, (0.6, 0.4, 0.8)),
                                    ("safety", 5, (0.1, -0.2, 0.3))):
        rows.append(("sp", group, "applicants", applicants, 0.0, 0.0, 0.0))
        rows.append(("sp", group, "connected", 3.0, 0.0, 0.0, 0.0))
        rows.append(("sp", group, HEADLINE_METRICS[0], 1.0, *wait))
    table = pd.DataFrame(rows, columns=["scenario", "group", "metric", "mean", "difference",
                                        "difference_ci_low", "difference_ci_high"])
    table["estimate"] = table["mean"]
    table = pd.concat([table.assign(scenario="fifo", question="", reference=""),
                       table.assign(question="What does priority do?", reference="fifo")])
    table["paired"] = True
    table[["population", "origin"]] = [EVERY_APPLICANT, ""]
    metric = METRICS[HEADLINE_METRICS[0]]
    assert metric.unit == "years"
    name = metric.label[:metric.label.rindex(" (")]
    assert sentences(table) == [
        f"What does priority do? ({name[0].lower() + name[1:]}): sp against fifo — safety "
        "applicants: about the same (95% CI -0.20 to 0.30 years); basic-needs applicants: 2.1 "
        "years shorter, from 3.1 to 1.0 (1.8 to 2.4); other businesses: 0.60 years longer, "
        "from 0.40 to 1.00 (0.40 to 0.80)."]


def test_sentences_say_none_connected_where_nobody_was():
    """A category with nobody connected in one scenario says so instead of vanishing."""
    rows = []
    for scenario, connected, value in (("fifo", 0.0, float("nan")), ("sp", 2.0, 1.5)):
        for group in ("basic_needs", "other"):
            rows += [(scenario, group, "applicants", 4.0), (scenario, group, "connected",
                                                            connected if group == "basic_needs"
                                                            else 3.0),
                     (scenario, group, HEADLINE_METRICS[0],
                      value if group == "basic_needs" else 2.0)]
    table = pd.DataFrame(rows, columns=["scenario", "group", "metric", "mean"])
    table["estimate"] = table["mean"]
    table["question"] = np.where(table["scenario"] == "sp", "Q", "")
    table["reference"] = np.where(table["scenario"] == "sp", "fifo", "")
    table[["population", "origin"]] = [EVERY_APPLICANT, ""]
    table[["difference", "difference_ci_low", "difference_ci_high"]] = np.nan
    table.loc[table["scenario"] == "sp", ["difference", "difference_ci_low",
                                          "difference_ci_high"]] = 0.0
    unknown = (table["group"] == "basic_needs") & (table["metric"] == HEADLINE_METRICS[0])
    table.loc[unknown, ["difference", "difference_ci_low", "difference_ci_high"]] = np.nan
    (text,) = sentences(table)  # (no value in fifo: no difference either)
    assert "basic-needs applicants: none connected in fifo" in text
    assert "other businesses: the same in every replication" in text  # differences all 0


def test_a_categorys_note_stays_on_its_line_when_the_end_of_the_run_is_listed_beneath():
    """'(none connected in sp)' landed on the last figure listed under 'but by the end ...'."""
    rows = []
    for scenario in ("fifo", "sp"):
        for group, change, level in (("basic_needs", -0.7, 0.7 if scenario == "fifo" else 0.0),
                                     ("other", 0.0, 30.0), ("all", -0.7, 60.0)):
            rows += [(scenario, group, "applicants", 40.0, 0.0),
                     (scenario, group, "connected", level, change),
                     (scenario, group, "withdrawn", 5.0, 0.0),
                     (scenario, group, "wait_rmst_10y_years", math.nan, math.nan),
                     (scenario, group, "wait_rmst_5y_years", 4.0, 0.0)]
    lines = outline(_question_table(rows, ["scenario", "group", "metric", "mean",
                                           "difference"]))
    at = next(k for k, line in enumerate(lines) if "basic-needs applicants" in line)
    assert lines[at].endswith("(none connected in sp)")
    assert lines[at + 1].strip() == "but by the end of the run:"
    assert "none connected" not in lines[at + 2]


def test_a_difference_the_same_in_every_replication_gives_no_interval_of_one_point():
    """Three more in every replication read '3.0 more (3.0 to 3.0)', as if an interval."""
    row = pd.Series({"difference": 3.0, "difference_ci_low": 3.0, "difference_ci_high": 3.0,
                     "mean": 10.0, "reference_mean": 7.0})
    assert difference_text(row, "count") == \
        "3.0 more, from 7.0 to 10.0 (the same in every replication)"
    spread = row.copy()
    spread[["difference_ci_low", "difference_ci_high"]] = [2.0, 4.0]
    assert difference_text(spread, "count").endswith("(2.0 to 4.0)")


def test_a_category_without_the_ten_year_window_is_answered_within_five_years():
    """Where not every replication knows ten years, that category gets five, and says so."""
    rows = []
    for scenario in ("fifo", "sp"):
        for group, ten in (("basic_needs", float("nan")), ("other", 6.0)):
            rows += [(scenario, group, "applicants", 4.0, 0.0), (scenario, group, "connected",
                                                                 3.0, 0.0),
                     (scenario, group, "wait_rmst_10y_years", ten, -1.0 * ten / ten),
                     (scenario, group, "wait_to_end_years", 4.0, -0.5)]
    table = _question_table(rows, ["scenario", "group", "metric", "mean", "difference"])
    (text,) = sentences(table)
    assert text.startswith("Q (mean wait in the first 10 years, everyone): ")
    assert ("basic-needs applicants (to the end of the run): 0.50 years shorter, from 4.50 to 4.00"
            ) in text
    # Its one pair falls back as most do: why is said once, above the answers, not in it.
    window = window_note(table)
    assert window.startswith('Where marked "to the end of the run", basic-needs applicants '
                             "are compared in their mean years without a connection to the end "
                             "of the run, not their mean wait within 10 years of the request: "
                             "the 10-year mean is not known in some replication, in which the "
                             "run does not follow the waits that long")
    assert "not 10" not in text
    assert notes([text]) == [SHORTER_WINDOW_NOTE] and notes(["no mark"]) == []
    assert notes([text], window) == [window]  # it says what the mark means
    assert "other businesses: 1.0 years shorter, from 7.0 to 6.0" in text


def test_the_window_follows_the_replications_the_difference_counts():
    """A reference whose own run lacks ten years is still compared in ten where the pair has it.

    Seen when a results folder of 30 replications (one not followed ten years) was compared
    with a variant run 10 times: the answer fell back to five years, where nothing moved, and
    said "the same in every replication" beside a ten-year difference in comparison.csv.
    """
    rows = []
    for scenario, ten, difference in (("fifo", float("nan"), float("nan")), ("sp", 6.0, 0.3)):
        rows += [(scenario, "all", "applicants", 4.0, 0.0), (scenario, "all", "connected", 3.0,
                                                             0.0),
                 (scenario, "all", "wait_rmst_10y_years", ten, difference),
                 (scenario, "all", "wait_to_end_years", 4.0, 0.0)]
    table = _question_table(rows, ["scenario", "group", "metric", "mean", "difference"])
    (text,) = sentences(table)
    assert "first 5 years" not in text and "the same in every replication" not in text
    assert "applicants overall: 0.30 years longer" in text
    # Both levels known, the pair's ten-year difference not (applicants of both, say): five,
    # as the key table's row gives; it said "not comparable".
    rows = []
    for scenario in ("fifo", "sp"):
        for group, ten in (("basic_needs", math.nan), ("other", 0.3)):
            rows += [(scenario, group, "applicants", 4.0, 0.0),
                     (scenario, group, "connected", 3.0, 0.0),
                     (scenario, group, "wait_rmst_10y_years", 6.0, ten),
                     (scenario, group, "wait_to_end_years", 4.0, -0.5)]
    (text,) = sentences(_question_table(rows, ["scenario", "group", "metric", "mean",
                                               "difference"]))
    assert "basic-needs applicants (to the end of the run): 0.50 years shorter" in text
    assert "not comparable" not in text and "other businesses: 0.30 years longer" in text


def test_a_five_year_answer_that_shows_no_change_adds_what_the_end_of_the_run_shows():
    """A group answered within 5 years where nothing moved there says what moved later.

    The Flevoland campus took no place from congestion relief within 5 years of a request
    ('the same in every replication'), but 0.7 fewer of them were connected by the end of the
    run: the answer read as if the campus did nothing to them. Answers lead with 5 years only
    for a comparison.csv written before the years to the end of the run were a key figure.
    """
    def answer(connected: float) -> str:
        rows = []
        for scenario in ("fifo", "sp"):
            rows += [(scenario, "all", "applicants", 40.0, 0.0),
                     (scenario, "all", "connected", 30.0, connected),
                     (scenario, "all", "withdrawn", 5.0, 0.0),
                     (scenario, "all", "wait_rmst_10y_years", math.nan, math.nan),
                     (scenario, "all", "wait_rmst_5y_years", 4.0, 0.0)]
        (text,) = sentences(_question_table(rows, ["scenario", "group", "metric", "mean",
                                                   "difference"]))
        return text

    text = answer(-0.7)
    assert text.startswith("Q (mean wait in the first 5 years, everyone): ")
    assert ("applicants overall: about the same (95% CI -0.10 to 0.10 "
            "years) — but by the end of the run, applicants connected: 0.70 fewer, from 30.70 to "
            "30.00 (0.60 to 0.80)") in text
    assert ("applicants overall: about the same (95% CI -0.10 to 0.10 "
            "years) — nor by the end of the run: applicants connected and withdrawn about the "
            "same") in answer(0.0)


def test_the_stand_in_sees_to_the_end_of_the_run_and_adds_nothing_later():
    """A group answered to the end of the run needs no 'but by the end of the run' clause.

    The stand-in counts the years without a connection up to the end, so what the end of the
    run shows is in it; the connections follow over everyone, once.
    """
    rows = []
    for scenario in ("fifo", "sp"):
        for group, ten in (("basic_needs", math.nan), ("other", 6.0)):
            rows += [(scenario, group, "applicants", 40.0, 0.0),
                     (scenario, group, "connected", 30.0, -0.7),
                     (scenario, group, "withdrawn", 5.0, 0.0),
                     (scenario, group, "wait_rmst_10y_years", ten, ten - ten),
                     (scenario, group, "wait_to_end_years", 4.0, 0.0)]
    (text,) = sentences(_question_table(rows, ["scenario", "group", "metric", "mean",
                                               "difference"]))
    assert ("basic-needs applicants (to the end of the run): about the same (95% CI -0.10 to "
            "0.10 years); other businesses: about the same (-0.10 to 0.10 years)") in text
    assert "but by the end of the run" not in text


def _five_year_answer(connected: tuple[float, float]) -> pd.DataFrame:
    """A pair compared within 5 years: no change in the mean, a share 9 points higher.

    ``connected`` gives each scenario's applicants connected by the end of the run.
    """
    rows = []
    for scenario, share, count in zip(("fifo", "sp"), (0.26, 0.35), connected, strict=True):
        rows += [(scenario, "all", "applicants", 170.0, 0.0),
                 (scenario, "all", "connected", count, connected[1] - connected[0]),
                 (scenario, "all", "withdrawn", 75.0, 0.0),
                 (scenario, "all", "wait_rmst_10y_years", math.nan, math.nan),
                 (scenario, "all", "wait_rmst_5y_years", 4.25, -0.04),  # before the stand-in
                 (scenario, "all", "connected_within_5y", share, 0.09)]
    table = _question_table(rows, ["scenario", "group", "metric", "mean", "difference"])
    within = table["metric"] == "connected_within_5y"
    table.loc[within, ["difference_ci_low", "difference_ci_high"]] = [0.06, 0.12]
    return table


def test_a_five_year_answer_that_shows_no_change_says_both_the_share_and_the_end_of_the_run():
    """A share within 5 years that moved does not hide what the end of the run shows.

    With the reinforcement on time (10 replications), congestion relief read 'about the same
    (to the end of the run) — connected within 5 years: 8.6 percentage points higher' and no more,
    although 6.5 fewer of them were connected by the end of the run: the report's lead
    promises the connections and withdrawals wherever the mean within 5 years shows no change.
    """
    (text,) = sentences(_five_year_answer(connected=(50.3, 43.8)))
    assert ("about the same (95% CI -0.14 to 0.06 years) — connected within 5 years (under "
            "half in both; of those followed 5 years): 9.0 percentage points higher, from 26.0% "
            "to 35.0% (6.0 to 12.0) — but by the end of the run") in text
    assert ("— but by the end of the run, applicants connected: 6.5 fewer, from 50.3 to 43.8 "
            "(6.4 to 6.6)") in text


def test_an_end_of_the_run_without_change_after_a_share_that_moved_reads_but_not_nor():
    """After a 5-year share that moved, an end of the run that did not is set against it.

    It read '9.0 percentage points higher ... — nor by the end of the run: applicants
    connected and withdrawn about the same', a 'nor' after a change.
    """
    (text,) = sentences(_five_year_answer(connected=(50.3, 50.3)))
    assert "nor by the end" not in text
    assert ("9.0 percentage points higher, from 26.0% to 35.0% (6.0 to 12.0) — but by the end "
            "of the run, applicants connected and withdrawn about the same") in text


def test_an_answer_says_what_a_change_costs_everyone_it_compares():
    """After the categories, what happened to all of them: connections, withdrawals, waiting.

    Social priority shortened three categories' waits and lengthened the fourth's, and the
    answer said no more: that 22 fewer applicants were connected and 27 more gave up, with
    2,490 jobs, was in comparison.csv only.
    """
    rows = []
    for scenario in ("fifo", "sp"):
        for group, wait in (("safety", -1.0), ("other", 0.5)):
            rows += [(scenario, group, "applicants", 40.0, 0.0),
                     (scenario, group, "connected", 30.0, 0.0),
                     (scenario, group, "wait_rmst_10y_years", 6.0, wait)]
        rows += [(scenario, "all", "applicants", 80.0, 0.0),
                 (scenario, "all", "withdrawn", 20.0, 3.0),
                 (scenario, "all", "jobs_withdrawn", 500.0, 250.0),
                 (scenario, "all", "job_years_waiting", 9000.0, 0.05),
                 (scenario, "all", "mw_years_waiting", 70.0, -2.0)]
    (text,) = sentences(_question_table(rows, ["scenario", "group", "metric", "mean",
                                               "difference"]))
    assert text.endswith(
        "other businesses: 0.50 years longer, from 5.50 to 6.00 (0.40 to 0.60); applicants "
        "overall, by the end of the run — withdrawn: 3.0 more, from 17.0 to 20.0 (2.9 to 3.1); "
        "jobs lost to withdrawal: 250.0 more, from 250.0 to 500.0 (249.9 to 250.1); MW-years "
        "held back: 2.0 less, from 72.0 to 70.0 (1.9 to 2.1); job-years held back about the "
        "same.")
    # With a project set apart, the line counts the others, and says so.
    columns = ["scenario", "population", "origin", "group", "metric", "mean", "difference"]
    apart = [(row[0], IN_BOTH, "", *row[1:]) for row in rows] + [
        ("sp", ONLY_IN_VARIANT, "Campus", "all", metric, value, math.nan)
        for metric, value in (("applicants", 1.0), ("connected", 1.0), ("withdrawn", 0.0),
                              ("wait_rmst_10y_years", 7.9))]
    table = _question_table(apart, columns).assign(ci_low=math.nan, ci_high=math.nan)
    assert ("; the categories above together, without Campus, by the end of the run — "
            "withdrawn: 3.0 more") in sentences(table)[0]
    # Those still waiting complete the account: connected, withdrawn and waiting add up.
    waiting = _question_table(rows + [(scenario, "all", "waiting", 60.0, -3.0)
                                      for scenario in ("fifo", "sp")],
                              ["scenario", "group", "metric", "mean", "difference"])
    assert ("withdrawn: 3.0 more, from 17.0 to 20.0 (2.9 to 3.1); still waiting at the end: "
            "3.0 fewer, from 63.0 to 60.0 (2.9 to 3.1); jobs lost") in sentences(waiting)[0]
    # A single category's answer that gave its withdrawals does not give them twice.
    single = [row for row in rows if row[1] == "all"] + [
        (scenario, "all", "connected", 30.0, -5.0) for scenario in ("fifo", "sp")] + [
        (scenario, "all", metric, value, difference) for scenario in ("fifo", "sp")
        for metric, value, difference in (("wait_rmst_10y_years", math.nan, math.nan),
                                          ("wait_to_end_years", 4.0, 0.0))]
    (text,) = sentences(_question_table(single, ["scenario", "group", "metric", "mean",
                                                 "difference"]))
    assert text.count("withdrawn: 3.0 more") == 1 and text.count("connected: 5.0 fewer") == 1
    assert "applicants overall, by the end of the run — connected: 5.0 fewer" in text


def test_the_overall_line_leads_with_the_answer_s_figure_for_everyone():
    """The categories' changes do not say what they come to together; the line over all does.

    Social priority left everyone's mean wait within 10 years 0.055 years longer (0.010 to
    0.099), which no line said: the categories moved both ways.
    """
    rows = []
    for scenario in ("fifo", "sp"):
        for group, wait in (("safety", -1.0), ("other", 0.5), ("all", 0.3)):
            rows += [(scenario, group, "applicants", 40.0, 0.0),
                     (scenario, group, "connected", 30.0, 0.0),
                     (scenario, group, "wait_rmst_10y_years", 6.0, wait)]
        rows += [(scenario, "all", "withdrawn", 20.0, 3.0)]
    (text,) = sentences(_question_table(rows, ["scenario", "group", "metric", "mean",
                                               "difference"]))
    assert text.endswith(
        "applicants overall: 0.30 years longer, from 5.70 to 6.00 (0.20 to 0.40) — by the end "
        "of the run, withdrawn: 3.0 more, from 17.0 to 20.0 (2.9 to 3.1); connected about the "
        "same."), text


def test_figures_that_moved_in_no_replication_are_not_called_about_the_same():
    """A delay that changes no outcome: the counts are the same in every replication.

    'about the same' suggested a change too small to tell from noise, where there was none.
    """
    rows = [(scenario, group, metric, 30.0, 0.0) for scenario in ("fifo", "sp")
            for group in ("safety", "other", "all")
            for metric in ("applicants", "connected", "withdrawn")]
    table = _question_table(rows, ["scenario", "group", "metric", "mean", "difference"])
    table.loc[table["metric"] == "withdrawn", ["difference_ci_low", "difference_ci_high"]] = 0.0
    (text,) = sentences(table)
    assert text.endswith("applicants overall: the same in every replication — by the end of "
                         "the run, connected about the same."), text  # withdrawn leads: once
    table.loc[table["metric"] == "withdrawn", "metric"] = "waiting"
    (text,) = sentences(table)
    assert text.endswith("connected about the same; still waiting at the end the same in every "
                         "replication."), text


def test_a_change_that_moves_nothing_says_so_first():
    """Every figure the same in every replication: a finding, said once before the lines.

    A local station delayed behind a full upstream limit read 'the same in every replication'
    line after line, which looked like a comparison that had failed.
    """
    rows = [(scenario, group, metric, 30.0, 0.0) for scenario in ("fifo", "sp")
            for group in ("safety", "other", "all")
            for metric in ("applicants", "connected", "wait_rmst_10y_years")]
    table = _question_table(rows, ["scenario", "group", "metric", "mean", "difference"])
    table[["difference_ci_low", "difference_ci_high"]] = 0.0
    (text,) = sentences(table)
    assert "sp against fifo — no figure moved in any replication: what the variant changes " \
           "never decided who was connected when" in text, text
    table.loc[table.index[-1], "difference_ci_high"] = 0.1  # one that moved a little: not said
    assert "no figure moved" not in sentences(table)[0]


def test_a_single_category_compared_beside_one_none_in_both_says_its_connections_once():
    """One category left to compare (the other 'none in both') is everyone compared.

    What its answer gave of the end of the run, the overall line does not give again.
    """
    columns = ["scenario", "population", "origin", "group", "metric", "mean", "difference"]
    rows = [("fifo", EVERY_APPLICANT, "", group, "applicants", count, math.nan)
            for group, count in (("basic_needs", 10.0), ("other", 25.0), ("all", 35.0))]
    rows += [("sp", IN_BOTH, "", "basic_needs", "applicants", 0.0, math.nan)]
    for group in ("other", "all"):
        rows += [("sp", IN_BOTH, "", group, metric, mean, difference)
                 for metric, mean, difference in (
                     ("applicants", 25.0, 0.0), ("connected", 20.0, -5.0),
                     ("withdrawn", 3.0, 0.0), ("wait_rmst_10y_years", math.nan, math.nan),
                     ("wait_to_end_years", 4.0, 0.0))]
    (text,) = sentences(_question_table(rows, columns))
    assert ("basic-needs applicants: none that both scenarios share (set apart below); other "
            "businesses: about the same") in text
    assert text.count("connected: 5.0 fewer") == 1
    assert text.endswith("applicants overall, by the end of the run — connected: 5.0 fewer, "
                         "from 25.0 to 20.0 (4.9 to 5.1); withdrawn about the same.")


def test_the_lead_figure_is_chosen_by_the_categories_not_by_an_area():
    """Ten years known for an area alone does not make the answers lead with ten years.

    Every category then read "first 5 years" under a lead that named ten.
    """
    columns = ["scenario", "population", "origin", "group", "metric", "mean", "difference"]
    rows = []
    for scenario in ("fifo", "sp"):
        rows += [(scenario, EVERY_APPLICANT, "", "all", metric, mean, difference)
                 for metric, mean, difference in (
                     ("applicants", 40.0, 0.0), ("connected", 30.0, 0.0),
                     ("wait_rmst_10y_years", math.nan, math.nan),
                     ("wait_to_end_years", 4.0, -0.5))]
        rows += [(scenario, "by_area", "north", "all", "wait_rmst_10y_years", 6.0, -0.3)]
    table = _question_table(rows, columns)
    assert lead_metric(table) == "wait_to_end_years"


def test_an_answer_on_capacity_releases_says_what_they_freed():
    """The MW the capacity releases freed follow the waits, with what the figure leaves out.

    'What do use-it-or-lose-it and capacity-limiting contracts free up?' was answered in waits
    alone.
    """
    def answer(freed: tuple[float, float]) -> str:
        rows = []
        for scenario, mw in zip(("fifo", "sp"), freed, strict=True):
            rows += [(scenario, "all", "applicants", 40.0, 0.0),
                     (scenario, "all", "connected", 30.0, 0.0),
                     (scenario, "all", "wait_rmst_10y_years", 6.0, -0.2),
                     (scenario, "all", "mw_freed", mw, freed[1] - freed[0])]
        (text,) = sentences(_question_table(rows, ["scenario", "group", "metric", "mean",
                                                   "difference"]))
        return text

    assert ("MW freed by capacity releases by the end of the run (taken back from connected "
            "applicants, and released by users connected before the run): 21.5 MW more, from "
            "0.0 to 21.5 (21.4 to 21.6) (fifo has none)") in answer((0.0, 21.5))
    assert "(fifo has none" not in answer((10.0, 21.5))
    assert "MW freed" not in answer((0.0, 0.0))  # neither has capacity releases


def test_an_answer_on_capacity_releases_says_what_the_queue_holds_after_them():
    """Beside the MW freed, the firm MW those connected in the run hold after the take-backs.

    use_it_or_lose_it.yaml read "24.4 MW more" freed, while social_priority.yaml adds 14 MW of
    take-backs as upgrades and part of the 24.4 is taken from the queue's own connected
    applicants: they held 1.5 MW less. A planner quoting the first figure alone overstated
    what the mechanism gives the queue.
    """
    rows = []
    for scenario, freed, held in (("fifo", 0.0, 424.0), ("sp", 24.4, 422.5)):
        rows += [(scenario, "all", "applicants", 40.0, 0.0),
                 (scenario, "all", "connected", 30.0, 0.0),
                 (scenario, "all", "wait_rmst_10y_years", 6.0, -0.2),
                 (scenario, "all", "mw_freed", freed, 24.4),
                 (scenario, "all", "mw_connected", held, -1.5)]
    (text,) = sentences(_question_table(rows, ["scenario", "group", "metric", "mean",
                                               "difference"]))
    assert ("(fifo has none); firm MW held by those connected in the run at the end (or when "
            "their connection ended), after what the releases took back: 1.5 MW less, from "
            "424.0 to 422.5 (1.4 to 1.6)") in text


def test_mw_freed_are_said_where_a_stream_the_variant_adds_is_set_apart(
        family: dict[str, Path], tmp_path: Path):
    """Capacity releases beside a stream only the variant has: the MW freed are still said.

    The figures of the applicants of both scenarios cannot say whose MW were taken back
    (applicants.csv does not), so their MW freed are empty; a variant that adds homes and
    capacity-limiting contracts read no word on what the contracts freed, where the same
    contracts alone read "28.1 MW more".
    """
    (tmp_path / "homes_and_releases.yaml").write_text(
        f"extends: {family['social_priority']}\nname: homes_and_releases\n"
        "streams:\n  homes: {category: basic_needs, rate_per_year: 5, demand_mw: 0.1}\n"
        "capacity_releases:\n  - {name: contracts, start: 2023-01-01, every_months: 6,\n"
        "     user_share: 0.5, mw_share: 0.5, existing_mw: 2.0}\n", encoding="utf-8")
    both = compare([family["social_priority"], tmp_path / "homes_and_releases.yaml"],
                   replications=2, workers=1)
    freed = both.results["homes_and_releases"].summary.query(
        "group == 'all' and metric == 'mw_freed'")["estimate"].iloc[0]
    assert freed > 0.5  # the 0.5 MW of users connected before the run, and some taken back
    (said,) = [line.strip() for line in both.outline() if "MW freed" in line]
    assert said == (
        "- MW freed by capacity releases by the end of the run, over all the applicants of each "
        f"scenario (homes set apart, so not like with like): {format_numbers(freed, 0.0)[0]} MW in "
        "homes_and_releases, 0.0 in social_priority (summary.csv of each run)")


def test_upgrades_that_capacity_releases_replace_are_named_beside_the_mw_freed(
        family: dict[str, Path], tmp_path: Path):
    """Releases in place of the reference's take-back upgrades: the answer names those upgrades.

    use_it_or_lose_it.yaml read "24.4 MW more, from 0.0 (social_priority has none: capacity
    that its upgrades add in their place, if any, is not counted here)", where
    social_priority.yaml adds 14 MW of take-backs as upgrades: the baseline of the 24.4 MW is
    not 0, and "if any" left the planner to find out.
    """
    (tmp_path / "takebacks.yaml").write_text(
        f"extends: {family['social_priority']}\nname: takebacks\ngrid:\n  upgrades:\n"
        "    - {name: station, date: 2023-06-01, add_mw: 5, delay_years: {dist: uniform, "
        "low: 0, high: 1}}\n"
        "    - {name: take-back 2023, date: 2023-01-01, add_mw: 0.3}\n"
        "    - {name: take-back 2024, date: 2024-01-01, add_mw: 0.3}\n", encoding="utf-8")
    (tmp_path / "reviews.yaml").write_text(
        f"extends: {family['social_priority']}\nname: reviews\n"
        "capacity_releases:\n  - {name: use-it-or-lose-it, start: 2023-01-01, user_share: 0.5,\n"
        "     mw_share: 0.5, existing_mw: 2.0}\n", encoding="utf-8")
    both = compare([tmp_path / "takebacks.yaml", tmp_path / "reviews.yaml"], replications=2,
                   workers=1)
    said = [line.strip() for line in both.outline() if "not counted in the MW freed" in line]
    assert said == ["- upgrades of takebacks that reviews does not have, not counted in the MW "
                    "freed: 0.6 MW (take-back 2023 and take-back 2024, in main)"]
    # Where neither frees MW by capacity releases, upgrades that differ are not named so.
    plain = compare([tmp_path / "takebacks.yaml", family["social_priority"]], replications=2,
                    workers=1)
    assert not [line for line in plain.outline() if "not counted in the MW freed" in line]


def test_a_stream_of_blocks_of_homes_is_counted_in_homes_too(
        family: dict[str, Path], tmp_path: Path):
    """A stream whose requests are blocks of homes says how many homes, not only how many blocks.

    "How long do homes wait?" read "on average 71 of 123 connected by the end of the run":
    123 blocks of about 150 homes each, 18,342 homes, which a planner could quote as homes.
    """
    (tmp_path / "homes.yaml").write_text(
        f"extends: {family['social_priority']}\nname: homes\n"
        "streams:\n  new_homes: {category: basic_needs, rate_per_year: 5, demand_mw: 0.002,\n"
        "              homes_per_request: {dist: uniform, low: 50, high: 250}}\n",
        encoding="utf-8")
    both = compare([family["social_priority"], tmp_path / "homes.yaml"], replications=2,
                   workers=1)
    rows = both.results["homes"].applicants.query("stream == 'new_homes'")
    asked, connected = (rows["homes"].sum() / 2,
                        rows.loc[rows["outcome"] == "connected", "homes"].sum() / 2)
    assert 0 < connected < asked
    texts = format_numbers(asked, connected)
    (said,) = [line.strip() for line in both.outline() if "homes asked" in line]
    assert said == (f"- new_homes asks for blocks of homes, one applicant each: on average "
                    f"{texts[0]} homes asked, {texts[1]} of them connected by the end of the run "
                    "(homes in applicants.csv)")


def _write_homes(family: dict[str, Path], folder: Path) -> None:
    """homes.yaml (social priority with a stream of blocks of homes), and two variants of it."""
    (folder / "homes.yaml").write_text(
        f"extends: {family['social_priority']}\nname: homes\n"
        "streams:\n  new_homes: {category: basic_needs, rate_per_year: 5, demand_mw: 0.002,\n"
        "              homes_per_request: {dist: uniform, low: 50, high: 250}}\n",
        encoding="utf-8")
    for name, change in (("homes_fifo", "policy: {order: fifo, changes: []}"),
                         ("homes_room", "grid: {capacity_mw: 50}")):
        (folder / f"{name}.yaml").write_text(
            f"extends: homes.yaml\nname: {name}\n{change}\n", encoding="utf-8")


def _homes(comparison: Comparison, label: str, replications: int) -> list[str]:
    """A run's homes asked and connected, a mean over its first ``replications``, as written."""
    rows = comparison.results[label].applicants.query(
        f"stream == 'new_homes' and replication < {replications}")
    return format_numbers(rows["homes"].sum() / replications,
                          rows.loc[rows["outcome"] == "connected", "homes"].sum() / replications)


def test_the_homes_of_a_paired_question_count_the_replications_both_ran(
        family: dict[str, Path], tmp_path: Path):
    """The homes line, as the question's other figures, over the replications both ran.

    The reference ran 6 replications and the variant 4, with the same draws: the reference's
    homes over its own 6 set the 2 draws the variant never ran beside the variant's, and read
    the difference in draws as one the variant made.
    """
    _write_homes(family, tmp_path)
    with pytest.warns(GridqueueWarning, match="paired over the 4 replications both ran"):
        both = compare([tmp_path / "homes.yaml", tmp_path / "homes_fifo.yaml"],
                       ["1:replications=6", "2:replications=4"], workers=1)
    assert _homes(both, "homes", 4) != _homes(both, "homes", 6)  # else the case shows nothing
    (said,) = [line.strip() for line in both.outline() if "homes asked" in line]
    mine, theirs = _homes(both, "homes_fifo", 4), _homes(both, "homes", 4)
    assert said == (f"- new_homes asks for blocks of homes, one applicant each: on average "
                    f"{mine[0]} homes asked, {mine[1]} of them connected by the end of the run "
                    f"({theirs[0]} and {theirs[1]} in homes) (homes in applicants.csv)")


def test_more_withdrawals_beside_a_shorter_wait_are_said():
    """A shorter mean wait beside more withdrawals says so: it can come from those who gave up.

    Impatient logistics firms read 'other businesses: 0.11 years shorter' alone, where 246
    more withdrew.
    """
    def answer(withdrawn: float) -> str:
        rows = []
        for scenario, count in (("fifo", 1310.0), ("sp", 1310.0 + withdrawn)):
            for group, change in (("basic_needs", 0.0), ("other", withdrawn)):
                rows += [(scenario, group, "applicants", 4000.0, 0.0),
                         (scenario, group, "connected", 300.0, 0.0),
                         (scenario, group, "withdrawn", count, change),
                         (scenario, group, "wait_rmst_10y_years", 9.4, -0.11 * 3)]
        (text,) = sentences(_question_table(rows, ["scenario", "group", "metric", "mean",
                                                   "difference"]))
        return text

    text = answer(246.0)
    assert ("other businesses: 0.33 years shorter, from 9.73 to 9.40 (0.23 to 0.43) — but "
            "applicants withdrawn by the end of the run: 246.0 more, from 1,310.0 to 1,556.0 "
            "(245.9 to 246.1)") in text
    assert "basic-needs applicants: 0.33 years shorter, from 9.73 to 9.40 (95% CI 0.23 to " \
        "0.43);" in text  # its withdrawals did not move
    assert "withdrawn" not in answer(-246.0)  # fewer gave up and the wait fell: nothing to add


def test_more_withdrawals_beside_a_shorter_wait_overall_read_but():
    """The line over everyone sets more withdrawals against its shorter wait too.

    Shorter patience for other businesses read 'applicants overall: 0.34 years shorter — by
    the end of the run, ... withdrawn: 724 more', as if the two went together; the wait fell
    because those who gave up counted as waiting the rest of the window, and those left were
    served sooner. Where fewer withdrew, the line reads on as before.
    """
    def answer(withdrawn: float) -> str:
        rows = []
        for scenario, count in (("fifo", 1310.0), ("sp", 1310.0 + withdrawn)):
            for group, change in (("basic_needs", 0.0), ("other", withdrawn),
                                  ("all", withdrawn)):
                rows += [(scenario, group, "applicants", 4000.0, 0.0),
                         (scenario, group, "connected", 300.0, 0.0),
                         (scenario, group, "withdrawn", count, change),
                         (scenario, group, "wait_rmst_10y_years", 9.4, -0.34)]
        (text,) = sentences(_question_table(rows, ["scenario", "group", "metric", "mean",
                                                   "difference"]))
        return text

    assert ("applicants overall: 0.34 years shorter, from 9.74 to 9.40 (0.24 to 0.44) — but "
            "by the end of the run, withdrawn: 724.0 more") in answer(724.0)
    # Read down in the terminal, the figures are listed beneath it as ever, under 'but'.
    rows = [(scenario, group, metric, value, change) for scenario in ("fifo", "sp")
             for group in ("basic_needs", "other", "all") for metric, value, change in (
                 ("applicants", 4000.0, 0.0), ("connected", 300.0, -5.0),
                 ("withdrawn", 1310.0, 724.0), ("wait_rmst_10y_years", 9.4, -0.34))]
    lines = outline(_question_table(rows, ["scenario", "group", "metric", "mean",
                                           "difference"]))
    at = next(k for k, line in enumerate(lines) if "applicants overall: 0.34" in line)
    assert lines[at].endswith("(0.24 to 0.44)") and lines[at + 1].strip() == \
        "but by the end of the run:"
    assert lines[at + 2].strip().startswith("connected: 5.0 fewer")
    assert ("applicants overall: 0.34 years shorter, from 9.74 to 9.40 (0.24 to 0.44) — by "
            "the end of the run, withdrawn: 724.0 fewer") in answer(-724.0)


def test_a_five_year_answer_most_wait_beyond_adds_the_share_connected_within_it():
    """Where under half are connected within 5 years, the answer adds how that share moved.

    A mean within 5 years counts a longer wait as 5, so it hardly moves then; the share
    connected within them is given if it moved beyond its interval.

    Seen with the reinforcement on time: '0.10 years shorter' for other businesses, while the
    share connected within 5 years went from 0.1% to 12%. (Ten years is known nowhere here,
    so five lead; a group falling back to them gets the same words.)
    """
    rows = []
    for scenario, share, change in (("fifo", 0.001, 0.0), ("sp", 0.123, 0.122)):
        rows += [(scenario, "all", "applicants", 4.0, 0.0), (scenario, "all", "connected", 3.0,
                                                             0.0),
                 (scenario, "all", "wait_rmst_10y_years", float("nan"), float("nan")),
                 (scenario, "all", "wait_rmst_5y_years", 4.9, -0.2),
                 (scenario, "all", "connected_within_5y", share, change)]
    table = _question_table(rows, ["scenario", "group", "metric", "mean", "difference"])
    within = table["metric"] == "connected_within_5y"
    table.loc[within, ["difference_ci_low", "difference_ci_high"]] = [0.11, 0.134]
    (text,) = sentences(table)
    assert text == (
        "Q (mean wait in the first 5 years, everyone): sp against fifo — applicants overall: "
        "0.20 years shorter, "
        "from 5.10 to 4.90 (95% CI 0.10 to 0.30) — connected within 5 years (under half in "
        "both; of those followed 5 years): 12.2 percentage points higher, from 0.1% to 12.3% "
        "(11.0 to 13.4); applicants overall, by the end of the run — connected about the "
        "same.")
    # Why, and what sees later: once, above the answers, as every answer uses five years.
    assert window_note(table).startswith(
        "The answers compare the mean wait within 5 years, not 10: the 10-year mean is not "
        "known in some replication, in which the run does not follow the waits that long")
    assert notes([text]) == []
    unmoved = table.copy()
    unmoved.loc[unmoved["metric"] == "connected_within_5y", "difference_ci_low"] = -0.01
    assert "connected within 5 years" not in sentences(unmoved)[0]
    most = table.copy()
    most.loc[most["metric"] == "connected_within_5y", "estimate"] = [0.6, 0.7]
    assert "connected within 5 years" not in sentences(most)[0]
    one = table.copy()
    one.loc[one["metric"] == "connected_within_5y", "estimate"] = [0.4, 0.7]
    assert "(under half in fifo;" in sentences(one)[0]  # the scenario, named
    # A shorter wait beside a lower share (use-it-or-lose-it, congestion relief) read as a
    # contradiction: the two count different requests, and the answer says so.
    apart = table.copy()
    apart.loc[within, ["difference", "difference_ci_low", "difference_ci_high"]] = [
        -0.048, -0.059, -0.037]
    assert sentences(apart)[0].split(" — ")[2].startswith(  # after the pair and its mean
        "connected within 5 years (under half in both; of those followed 5 years): 4.8 "
        "percentage points lower, from 17.1% to 12.3% (3.7 to 5.9) (they count different "
        "requests: the share only those made 5 or more years before the end, the mean "
        "everyone)")
    # Where more were connected within 2 years, the curves cross, and the answer says so.
    crossing = pd.concat([apart, apart[within].assign(
        metric="connected_within_2y", estimate=[0.128, 0.159], mean=[0.128, 0.159],
        difference=0.031, difference_ci_low=0.019, difference_ci_high=0.043)])
    assert ("(the curves cross: connected within 2 years: 3.1 percentage points higher, from "
            "12.8% to 15.9% (1.9 to 4.3); sooner connections for some, fewer by 5 years for "
            "others);") in sentences(crossing)[0]
    assert "count different requests" not in text  # where they agree, nothing more


def test_an_answer_within_five_years_says_why_how_often_and_what_sees_later():
    """Where ten years are not known, the page says so once, with counts, above the answers.

    The README's own question (the reinforcement two years earlier, 30 replications)
    answered "(mean wait in the first 5 years, everyone): ... about the same" with no word
    that the measure had changed or why. Then every answer of the bundled questions carried
    "5 years, not 10, for congestion-relief and safety applicants: the 10-year mean is not
    known in 1 of 30 replications of social_priority": the same words seven times. Now the
    categories most answers give five years are named once, with the most replications
    without ten years, and an answer names only the categories it adds.
    """
    rows = []
    for scenario, known in (("fifo", {"basic_needs": 30, "other": 29}),
                            ("sp", {"basic_needs": 12, "other": 19})):
        for group in ("basic_needs", "other"):
            rows += [(scenario, group, "applicants", 4.0, 0.0, 30),
                     (scenario, group, "connected", 3.0, 0.0, 30),
                     (scenario, group, "wait_rmst_10y_years", math.nan, math.nan,
                      known[group]),
                     (scenario, group, "wait_to_end_years", 4.0, -0.5, 30)]
    table = _question_table(rows, ["scenario", "group", "metric", "mean", "difference",
                                   "replications"])
    (text,) = sentences(table)
    assert text.startswith("Q (mean years without a connection, to the end of the run, "
                           "everyone): ")
    assert "not 10" not in text
    window = window_note(table)
    assert window == (
        "The answers compare the mean years without a connection to the end of the run, not the "
        "mean wait within 10 years: the 10-year mean is not "
        "known in some replications (at most 18 of 30, of sp), in which the run does not "
        "follow the waits that long (as a rule, the early requests were all connected or "
        "withdrew sooner, and the run ended before anyone still waiting had waited 10 years; "
        f"docs/model.md, section 4.3); {STAND_IN_WORDS}.")
    assert "withdraws" in STAND_IN_WORDS and "reinforcement" in STAND_IN_WORDS
    assert notes([text], window) == [window]
    # One category without ten years: it alone is named, with its own count.
    ten = table["metric"] == "wait_rmst_10y_years"
    other = ten & (table["group"] == "other")
    table.loc[other, ["mean", "estimate", "difference", "replications"]] = [6.0, 6.0, 0.2, 30]
    table.loc[other, ["difference_ci_low", "difference_ci_high"]] = [0.1, 0.3]
    (text,) = sentences(table)
    assert text.startswith("Q (mean wait in the first 10 years, everyone): ")
    assert window_note(table).startswith(
        'Where marked "to the end of the run", basic-needs applicants are compared in their mean '
        "years without a connection to the end of the run, not their mean wait within 10 years "
        "of the request: the 10-year mean is not known in some "
        "replications (at most 18 of 30, of sp), in which")
    # An area line marked as the categories' are is named too, its replications counted.
    north = [("sp", "all", metric, value, change, known) for metric, value, change, known in (
        ("applicants", 4.0, 0.0, 30), ("connected", 3.0, 0.0, 30),
        ("wait_rmst_10y_years", math.nan, math.nan, 6), ("wait_to_end_years", 4.0, -0.5, 30))]
    area = _question_table(north, ["scenario", "group", "metric", "mean", "difference",
                                   "replications"]).assign(population=BY_AREA, origin="north")
    assert window_note(pd.concat([table, area], ignore_index=True)).startswith(
        'Where marked "to the end of the run", basic-needs applicants, and by grid area those '
        "of north, are compared in their mean years without a connection to the end of the "
        "run, not their mean wait within 10 years of the request: the 10-year mean is not "
        "known in some replications (at most 24 of 30, of sp), in which")
    # Where the reference is the one without ten years in the area, its own areas.csv counts
    # them: the note cited sp's 18 of 30 where fifo lacked them in 27 of 30 in north.
    known = area.assign(replications=30)
    fifo_areas = pd.DataFrame({"area": "north", "group": "all", "metric": [
        "applicants", "wait_rmst_10y_years"], "replications": [30, 3]})
    both_areas = pd.concat([table, known], ignore_index=True)
    assert "(at most 18 of 30, of sp)" in window_note(both_areas)
    assert "(at most 27 of 30, of fifo)" in window_note(both_areas, areas={
        "fifo": fifo_areas, "sp": fifo_areas.assign(replications=30)})
    # Three pairs: two give basic needs five years, one also other businesses. The two are
    # said once above; the third adds its own, and the one pair without the shortfall of
    # the others is unmarked, so nothing more is needed there.
    both = table.copy()
    both.loc[other, ["mean", "estimate", "difference", "difference_ci_low",
                     "difference_ci_high"]] = math.nan
    both.loc[other & (both["scenario"] == "sp"), "replications"] = 25
    pairs = [table.assign(question=table["question"].replace("Q", q),
                          scenario=table["scenario"].replace("sp", variant))
             for q, variant in (("Q1", "sp1"), ("Q3", "sp3"))]
    pairs.insert(1, both.assign(question=both["question"].replace("Q", "Q2"),
                                scenario=both["scenario"].replace("sp", "sp2")))
    three = pd.concat([pairs[0], *(p[p["scenario"] != "fifo"] for p in pairs[1:])],
                      ignore_index=True)
    first, second, third = sentences(three)
    assert "not 10" not in first and "not 10" not in third
    assert "basic-needs applicants (to the end of the run)" in first
    assert second.endswith("; to the end of the run, not 10 years, also for other businesses: "
                           "the 10-year mean is not known in 5 of 30 replications of sp2.")
    window = window_note(three)
    assert window.startswith('Where marked "to the end of the run", basic-needs applicants are '
                             "compared")
    assert "(at most 18 of 30, of sp1)" in window
    assert notes([first, second, third], window) == [window]
    assert notes([first, second, third]) == [SHORTER_WINDOW_NOTE, FELL_BACK_NOTE]
    # Ten years known everywhere: nothing said.
    table.loc[ten, ["mean", "estimate", "difference", "replications"]] = [6.0, 6.0, 0.2, 30]
    table.loc[ten, ["difference_ci_low", "difference_ci_high"]] = [0.1, 0.3]
    (text,) = sentences(table)
    assert "not 10" not in text and "first 5 years" not in text
    assert window_note(table) == ""


def test_a_stream_changing_category_without_ten_years_is_answered_within_five():
    """A stream set apart as its category changes falls back to five years as a category does.

    Without that, its answer said "not comparable" though five years compare; and a
    difference unknown in both windows says why: not every replication defines it.
    """
    rows = []
    for scenario in ("fifo", "sp"):
        rows += [(scenario, EVERY_APPLICANT, "", "other", "applicants", 4.0, 0.0),
                 (scenario, EVERY_APPLICANT, "", "other", "connected", 3.0, 0.0),
                 (scenario, EVERY_APPLICANT, "", "other", "wait_rmst_10y_years", 6.0, -1.0),
                 (scenario, EVERY_APPLICANT, "", "other", "wait_to_end_years", 4.0, -0.5)]
    for origin, five in (("buses", -0.5), ("ferries", float("nan"))):
        moved = [("sp", CATEGORY_CHANGED, origin, "all", "wait_rmst_10y_years", 6.0,
                  float("nan")),
                 ("sp", CATEGORY_CHANGED, origin, "all", "wait_to_end_years", 4.0, five)]
        table = _question_table(rows + moved, ["scenario", "population", "origin", "group",
                                               "metric", "mean", "difference"])
        (text,) = sentences(table)
        if math.isnan(five):
            assert text.endswith("; ferries, whose category changes: not comparable (not "
                                 "defined in every replication of both).")
            # A figure that need not be known everywhere lacks a difference for other reasons.
            row = table[table["origin"] == "ferries"].iloc[-1]
            assert difference_text(row, "years") == (
                "not comparable (not reached, or without a value, in some replication of "
                "either)")
        else:
            assert text.endswith("; buses, whose category changes (to the end of the run): 0.50 "
                                 "years shorter, from 4.50 to 4.00 (0.40 to 0.60).")
            # What the stream put first gains by the end of the run, beside what the rest
            # lose: 'at whose cost' needs both.
            gained = _question_table(rows + moved + [
                ("sp", CATEGORY_CHANGED, origin, "all", "connected", 3.0, 2.0)],
                ["scenario", "population", "origin", "group", "metric", "mean", "difference"])
            assert sentences(gained)[0].endswith(
                "(0.40 to 0.60) — connected by the end of the run: 2.0 more, from 1.0 to 3.0 "
                "(1.9 to 2.1).")
            # A stream drawn three times as often connects more because there are more of it:
            # nothing is said of its connections.
            drawn = gained.assign(population=gained["population"].replace(
                CATEGORY_CHANGED, DRAWN_DIFFERENTLY))
            assert "connected by the end of the run" not in sentences(drawn)[0]


def test_a_new_stream_hardly_connected_within_the_window_says_so():
    """A mean wait that fills its window is given with the share connected within it.

    '5.0 years (95% CI 5.0 to 5.0)' read like a wait of five years; the figure has the
    decimals that tell its ends apart, and the share says that hardly anyone was connected.
    A figure well inside its window says nothing more.
    """
    rows = [("fifo", EVERY_APPLICANT, "", "other", m, v, v, v, 0.0)
            for m, v in (("applicants", 4.0), ("connected", 3.0),
                         ("wait_rmst_10y_years", 6.0))]
    rows += [("sp", EVERY_APPLICANT, "", "other", m, v, v, v, 0.0)
             for m, v in (("applicants", 4.0), ("connected", 3.0),
                          ("wait_rmst_10y_years", 6.0))]
    rows += [("sp", ONLY_IN_VARIANT, "small", "all", m, v, low, high, np.nan)
             for m, v, low, high in (
                 ("applicants", 1248.0, 1238.0, 1258.0), ("connected", 40.2, 35.1, 46.0),
                 ("withdrawn", 701.7, 692.9, 710.7),
                 ("wait_rmst_10y_years", np.nan, np.nan, np.nan),
                 ("wait_rmst_5y_years", 4.98442, 4.98163, 4.98678),
                 ("connect_median_years", np.inf, np.inf, np.inf),
                 ("connect_p25_years", np.inf, np.inf, np.inf),
                 ("connected_within_5y", 0.0084, 0.0073, 0.0097))]
    table = _question_table(rows, ["scenario", "population", "origin", "group", "metric",
                                   "estimate", "ci_low", "ci_high", "difference"])
    (text,) = sentences(table)
    assert text.endswith(
        "; small (only in sp; mean wait in the first 5 years, everyone): 4.98 years (95% CI "
        "4.98 to 4.99); of those followed 5 years, 0.84% were connected within them; on "
        "average 40 of 1,248 connected "
        "by the end of the run, 702 withdrew.")
    table.loc[table["metric"] == "wait_rmst_5y_years", "estimate"] = 3.0
    (text,) = sentences(table)
    assert "followed 5 years" not in text


def test_a_new_stream_without_ten_years_is_given_in_the_categories_stand_in():
    """A stream only in the variant falls back as a category does: to the end of the run.

    small_connections' small businesses read '(only in small_connections; mean wait in the
    first 5 years, everyone): 4.991 years' beside categories compared to the end of the run;
    five years cannot see the reinforcement of 2033, which the years to the end can.
    """
    rows = [(label, EVERY_APPLICANT, "", "other", m, v, v, v, 0.0) for label in ("fifo", "sp")
            for m, v in (("applicants", 4.0), ("connected", 3.0), ("wait_rmst_10y_years", 6.0))]
    rows += [("sp", ONLY_IN_VARIANT, "small", "all", m, v, v - 0.1, v + 0.1, np.nan)
             for m, v in (("applicants", 1248.0), ("connected", 40.0), ("withdrawn", 700.0),
                          ("wait_rmst_10y_years", np.nan), ("wait_to_end_years", 6.4),
                          ("wait_rmst_5y_years", 4.99), ("connected_within_5y", 0.0084))]
    table = _question_table(rows, ["scenario", "population", "origin", "group", "metric",
                                   "estimate", "ci_low", "ci_high", "difference"])
    (text,) = sentences(table)
    assert "; small (only in sp; mean years without a connection, to the end of the run, " \
        "everyone): 6.4 years (95% CI 6.3 to 6.5), cut short by the end of the run for those " \
        "still waiting; on average 40 of 1,248 connected" in text


def test_a_new_streams_wait_cut_by_the_end_of_the_run_has_its_median_beside():
    """Housing's new homes read '3.3 years' though half waited 4.5 years or more.

    Its requests come until the end of the run, which stops the waits of the 52 of 124 still
    waiting; the median time to connection counts them as waiting on.
    """
    rows = [(label, EVERY_APPLICANT, "", "other", m, v, v, v, 0.0) for label in ("fifo", "sp")
            for m, v in (("applicants", 4.0), ("connected", 3.0), ("wait_rmst_10y_years", 6.0))]
    rows += [("sp", ONLY_IN_VARIANT, "homes", "all", m, v, v - 0.2, v + 0.2, np.nan)
             for m, v in (("applicants", 124.0), ("connected", 72.0), ("withdrawn", 0.0),
                          ("wait_rmst_10y_years", np.nan), ("wait_to_end_years", 3.3),
                          ("connect_median_years", 4.5))]
    table = _question_table(rows, ["scenario", "population", "origin", "group", "metric",
                                   "estimate", "ci_low", "ci_high", "difference"])
    (text,) = sentences(table)
    assert ("everyone): 3.3 years (95% CI 3.1 to 3.5), cut short by the end of the run for "
            "those still waiting; half were connected within 4.5 years (95% CI 4.3 to 4.7) of "
            "their request; on average 72 of 124 connected") in text
    table.loc[table["metric"] == "connect_median_years", "estimate"] = np.inf  # not reached
    (text,) = sentences(table)
    assert ("3.3 years (95% CI 3.1 to 3.5), cut short by the end of the run for those still "
            "waiting; on average 72 of 124 connected") in text
    # Where everyone was connected or withdrew, nothing is cut short: nothing is said.
    table.loc[table["metric"] == "withdrawn", "estimate"] = 52.0
    (text,) = sentences(table)
    assert "3.3 years (95% CI 3.1 to 3.5); on average 72 of 124 connected" in text


def test_a_difference_that_is_zero_in_every_replication_says_so():
    """'about the same (95% CI 0.0 to 0.0 years)' read like rounding; it is no change at all."""
    row = pd.Series({"difference": 0.0, "difference_ci_low": 0.0, "difference_ci_high": 0.0,
                     "mean": 4.0})
    assert difference_text(row, "years", "95% CI ") == "the same in every replication"
    row[["difference_ci_low", "difference_ci_high"]] = [-0.01, 0.02]
    assert difference_text(row, "years", "95% CI ") == \
        "about the same (95% CI -0.010 to 0.020 years)"


def test_the_levels_of_an_answer_count_the_replications_its_difference_counts():
    """'1.0 years longer, from 1.5 to 3.1': the variant's mean counted a replication alone.

    In replication 0 the reference had no value (nobody connected), so the paired difference
    leaves it out, and so does ``reference_mean``; the variant's ``mean`` kept it.
    """
    def tidy(values: list[float]) -> pd.DataFrame:
        return pd.DataFrame({"replication": range(len(values)), "group": "all",
                             "metric": "wait_mean_years", "value": values})

    reference, variant = tidy([np.nan, 1.0, 2.0, 1.5]), tidy([5.0, 2.0, 3.0, 2.5])
    table = comparison_table({"fifo": summarise(reference), "sp": summarise(variant)},
                             {"fifo": reference, "sp": variant},
                             [Question("Q", "fifo", "sp", paired=True)])
    row = table[table["scenario"] == "sp"].iloc[0]
    assert (row["mean"], row["reference_mean"], row["difference"]) == (3.125, 1.5, 1.0)
    assert difference_text(row, "years") == \
        "1.0 years longer, from 1.5 to 2.5 (the same in every replication)"


def test_the_levels_of_an_answer_differ_by_the_difference_it_reads():
    """'1.8 more, from 25.8 to 27.5' (withdrawn, 4 replications): the levels read 1.7 apart."""
    row = pd.Series({"difference": 1.75, "difference_ci_low": 0.954388,
                     "difference_ci_high": 2.545612, "mean": 27.5, "reference_mean": 25.75})
    assert difference_text(row, "count") == "1.8 more, from 25.75 to 27.50 (1.0 to 2.5)"
    row = pd.Series({"difference": -0.091082, "difference_ci_low": -0.115364,
                     "difference_ci_high": -0.066801, "mean": 0.191201,
                     "reference_mean": 0.282284})
    assert difference_text(row, "share") == \
        "9.1 percentage points lower, from 28.2% to 19.1% (6.7 to 11.5)"
    # One more decimal at most: five ('from 9.60067 to 9.57423') claimed a false precision.
    row = pd.Series({"difference": -0.02644, "difference_ci_low": -0.03,
                     "difference_ci_high": -0.02, "mean": 9.57423, "reference_mean": 9.60067})
    assert difference_text(row, "years") == \
        "0.026 years (10 days) shorter, from 9.6007 to 9.5742 (0.020 to 0.030)"
    # Under a tenth of a year, a difference is said in days as well; not above it.
    row = pd.Series({"difference": 0.0019, "difference_ci_low": 0.001,
                     "difference_ci_high": 0.003, "mean": 5.0019, "reference_mean": 5.0})
    assert difference_text(row, "years").startswith("0.0019 years (1 day) longer")
    assert difference_text(row.mul(60), "years").startswith("0.11 years longer")
    assert difference_text(row.mul(0.1), "years").startswith("0.00019 years (under a day)")


def test_a_narrow_interval_gets_the_digits_that_tell_its_ends_apart():
    """'1.5 MW less, from 424.0 to 422.5 (1.5 to 1.5)': the ends read as one number.

    The precision follows the largest of the three; where that writes numbers that differ
    alike, it takes a decimal more (the levels with it), as a figure's own interval does.
    """
    row = pd.Series({"difference": -1.5113, "difference_ci_low": -1.5421,
                     "difference_ci_high": -1.4804, "mean": 422.5011,
                     "reference_mean": 424.0124})
    assert difference_text(row, "MW") == \
        "1.51 MW less, from 424.01 to 422.50 (1.48 to 1.54)"
    # the same number three times is no interval to tell apart: no spread, said so
    row[["difference_ci_low", "difference_ci_high"]] = [-1.5113, -1.5113]
    assert difference_text(row, "MW") == \
        "1.5 MW less, from 424.0 to 422.5 (the same in every replication)"


def test_a_difference_reads_apart_from_the_ends_of_its_interval():
    """'1.1 years shorter (1.0 to 1.1)': the difference read like an end of its interval.

    From a comparison of social priority with fifo (30 replications, congestion relief); a
    figure's own interval took the decimals that tell its estimate from its ends already.
    """
    row = pd.Series({"difference": -1.085060, "difference_ci_low": -1.140113,
                     "difference_ci_high": -1.030007, "mean": 5.487082,
                     "reference_mean": 6.572142})
    assert difference_text(row, "years") == \
        "1.09 years shorter, from 6.572 to 5.487 (1.03 to 1.14)"
    row = pd.Series({"difference": -1.84, "difference_ci_low": -1.87,
                     "difference_ci_high": -1.76, "mean": 7.13, "reference_mean": 8.97})
    assert difference_text(row, "years") == \
        "1.84 years shorter, from 8.97 to 7.13 (1.76 to 1.87)"


def test_an_end_of_an_interval_across_zero_does_not_read_as_zero():
    """'about the same (0.00 to 0.22 years)' beside the table's '(-0.002 to +0.221)'.

    From questions_2026 (3 replications, framework_2026 against public_services, congestion
    relief): an end other than zero takes the decimals that show it, as the tables' does.
    """
    row = pd.Series({"difference": 0.109512, "difference_ci_low": -0.002022,
                     "difference_ci_high": 0.221046, "mean": 7.710723,
                     "reference_mean": 7.601211})
    assert difference_text(row, "years") == "about the same (-0.002 to 0.221 years)"
    assert format_estimate(0.109512, -0.002022, 0.221046, "years", signed=True) == \
        "+0.110 (-0.002 to +0.221)"
    row[["difference_ci_low", "difference_ci_high"]] = [-0.02, 0.22]
    assert difference_text(row, "years") == "about the same (-0.02 to 0.22 years)"
    row[["difference_ci_low", "difference_ci_high"]] = [0.0, 0.22]  # zero itself is '0.00'
    assert difference_text(row, "years") == "about the same (0.00 to 0.22 years)"


def test_a_level_whose_ends_differ_only_by_rounding_gets_no_digits_of_it():
    """A stream only in the variant, its share 0.85 in every replication, read '85.0000%'.

    Its interval, worked out on the logit scale, ends a bit of rounding either side of 0.85
    (as a mean of equal values may differ from them): the figure's own words then added
    decimals to tell apart ends that are one value, as its table no longer does.
    """
    share = pd.Series({"estimate": 0.85, "ci_low": 0.8499999999999999,
                       "ci_high": 0.8500000000000002})
    assert level_text(share, "share") == "85.0% (95% CI 85.0 to 85.0)"
    ten = pd.Series({"estimate": 10.000000000000002, "ci_low": 9.999999999999998,
                     "ci_high": 10.000000000000002})
    assert level_text(ten, "years") == "10.0 years (95% CI 10.0 to 10.0)"
    # ends that do differ still get the digits that tell them apart
    near = pd.Series({"estimate": 4.985, "ci_low": 4.981, "ci_high": 4.989})
    assert level_text(near, "years") == "4.99 years (95% CI 4.98 to 4.99)"


def test_the_note_on_the_stand_in_names_everyone_together_where_their_line_has_it():
    """The line of all the applicants compared was marked, but the note named categories only.

    'to the end of the run, not 10 years, also for basic-needs applicants and other
    businesses' sat under an answer whose line of everyone together was marked too.
    """
    rows = []
    for scenario, known in (("fifo", 30), ("sp", 12)):
        for group in ("basic_needs", "other", "all"):
            ten = (6.0, 0.2, 30) if group == "basic_needs" else (math.nan, math.nan, known)
            rows += [(scenario, group, "applicants", 4.0, 0.0, 30),
                     (scenario, group, "connected", 3.0, 0.0, 30),
                     (scenario, group, "wait_rmst_10y_years", *ten),
                     (scenario, group, "wait_to_end_years", 4.0, -0.5, 30)]
    table = _question_table(rows, ["scenario", "group", "metric", "mean", "difference",
                                   "replications"])
    (text,) = sentences(table)
    assert "other businesses (to the end of the run)" in text
    assert "(to the end of the run): 0.50 years shorter" in text.split("other businesses")[-1]
    assert window_note(table).startswith(
        'Where marked "to the end of the run", other businesses and applicants overall are '
        "compared in their mean years without a connection to the end of the run")


def _question_table(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """A comparison table of hand-made rows in which ``sp`` answers question Q against ``fifo``.

    The mean doubles as the estimate (or the other way round), each difference gets an
    interval of plus or minus 0.1, and rows without a population count every applicant.
    """
    table = pd.DataFrame(rows, columns=columns)
    if "estimate" not in table:
        table["estimate"] = table["mean"]
    if "mean" not in table:
        table["mean"] = table["estimate"]
    table["difference_ci_low"] = table["difference"] - 0.1
    table["difference_ci_high"] = table["difference"] + 0.1
    table["question"] = np.where(table["scenario"] == "sp", "Q", "")
    table["reference"] = np.where(table["scenario"] == "sp", "fifo", "")
    if "population" not in table:
        table[["population", "origin"]] = [EVERY_APPLICANT, ""]
    return table


def _references(comparison: Comparison) -> dict[str, set[str]]:
    rows = comparison.table
    return {str(s): set(rows.loc[rows["scenario"] == s, "reference"]) for s in rows["scenario"]}


def test_a_child_is_compared_with_its_parent_by_default(comparison: Comparison):
    """Each file is differenced against the file it extends when that is compared too."""
    assert _references(comparison) == {"fifo": {""}, "social_priority": {"fifo"},
                                       "onsite": {"social_priority"}, "other_seed": {"fifo"}}
    assert [(q.reference, q.variant) for q in comparison.questions] == [
        ("fifo", "social_priority"), ("social_priority", "onsite"), ("fifo", "other_seed")]


def test_a_child_without_its_parent_is_compared_with_the_first(family: dict[str, Path]):
    """When the file a scenario extends is not compared, the first input is its reference."""
    alone = compare([family["other_seed"], family["onsite"]], replications=2, workers=1)
    assert _references(alone) == {"other_seed": {""}, "onsite": {"other_seed"}}


def test_a_first_input_that_extends_another_input_is_a_variant(family: dict[str, Path]):
    """Given before its parent, a child is still compared with it: the answer keeps its sign."""
    first = compare([family["onsite"], family["social_priority"]], replications=2, workers=1)
    assert _references(first) == {"onsite": {"social_priority"}, "social_priority": {""}}
    assert [(q.reference, q.variant) for q in first.questions] == [
        ("social_priority", "onsite")]


def test_an_input_extending_another_through_a_file_between_them_is_a_variant(
        family: dict[str, Path]):
    """The onsite file extends fifo through social_priority: first, it is still a variant."""
    first = compare([family["onsite"], family["fifo"]], replications=2, workers=1)
    assert [(q.reference, q.variant) for q in first.questions] == [("fifo", "onsite")]


def _kept_run(family: dict[str, Path], name: str, folder: Path) -> Path:
    """A results folder of one file of the family, as gridqueue run writes it."""
    run(load_scenario(family[name], {"replications": 2}), workers=1).write(folder)
    return folder


def test_a_results_folder_of_a_file_an_input_extends_is_the_reference(
        family: dict[str, Path], tmp_path: Path):
    """A run records the files its scenario extends: a folder of the parent is the parent.

    It records them relative to itself: moved with its scenarios (a copied repository), the
    folder still finds them, and it does not give away where they lay.
    """
    fifo = _kept_run(family, "fifo", tmp_path / "fifo_run")
    assert json.loads((fifo / "run.json").read_text())["scenario_files"] == [
        os.path.relpath(family["fifo"].resolve(), fifo.resolve())]
    assert Results.read(fifo).run_info["scenario_files"] == [str(family["fifo"].resolve())]
    repository = tmp_path / "repository"  # scenarios and results, moved together
    shutil.copytree(family["fifo"].parent, repository / "scenarios")
    scenarios = {name: repository / "scenarios" / path.name for name, path in family.items()}
    _kept_run(scenarios, "fifo", repository / "results" / "fifo")
    moved = repository.rename(tmp_path / "moved")
    asked = compare([moved / "scenarios" / family["onsite"].name, moved / "results" / "fifo"],
                    replications=2, workers=1)
    assert [(q.reference, q.variant) for q in asked.questions] == [("fifo", "onsite")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GridqueueWarning)
        asked = compare([family["onsite"], fifo], replications=2, workers=1)
    assert [(q.reference, q.variant) for q in asked.questions] == [("fifo", "onsite")]
    # The folder is found up the chain, not taken by order: only that onsite, through a file
    # that is no input, differs from fifo in two ways is said.
    assert [str(w.message).partition(",")[0] for w in caught] == [
        "onsite against fifo: the two differ in queue policy and on-site generation"]
    onsite = _kept_run(family, "onsite", tmp_path / "onsite_run")
    asked = compare([onsite, family["fifo"]], replications=2, workers=1)
    assert [(q.reference, q.variant) for q in asked.questions] == [("fifo", "onsite")]


def test_a_results_folder_recording_no_file_is_found_by_its_run_command_or_warned_of(
        family: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An older run records only its command: its file is found from there, or else warned of.

    The warning says the reference was chosen by the order of the inputs, and how to choose it.
    """
    fifo = _kept_run(family, "fifo", tmp_path / "fifo_run")
    info = json.loads((fifo / "run.json").read_text())
    del info["scenario_files"]
    info["command"] = ["gridqueue", "run", "--workers", "1", "fifo.yaml", "-o", "fifo_run"]
    (fifo / "run.json").write_text(json.dumps(info))
    monkeypatch.chdir(family["fifo"].parent)
    asked = compare([family["onsite"], fifo], replications=2, workers=1)
    assert [(q.reference, q.variant) for q in asked.questions] == [("fifo", "onsite")]
    monkeypatch.chdir(tmp_path)  # the command's file is not found from here
    with pytest.warns(GridqueueWarning, match=r"fifo \(.*fifo_run\): which scenario file it "
                      r"ran is not recorded .* onsite is the reference of fifo only because "
                      r"it comes first among the inputs; to choose it, give reference=NAME "
                      r"\(e.g. reference='fifo'\)"):
        asked = compare([family["onsite"], fifo], replications=2, workers=1)
    assert [(q.reference, q.variant) for q in asked.questions] == [("onsite", "fifo")]


def test_a_set_for_every_input_that_a_results_folder_misses_is_warned_of(
        family: dict[str, Path], tmp_path: Path):
    """A --set for every input changes the files, not a folder: one warning names both."""
    fifo = _kept_run(family, "fifo", tmp_path / "fifo_run")
    inputs = [fifo, family["social_priority"]]
    with pytest.warns(GridqueueWarning, match=r"fifo_run: --set grid.capacity_mw=3 changes the "
                      r"scenario files but not this results folder, which is read as it ran "
                      r"\(grid.capacity_mw 1.0\), so what it changes is counted as a "
                      r"difference .* \(--set N:KEY=VALUE\)$"), arguments_as_options():
        compare(inputs, ["grid.capacity_mw=3"], replications=2, workers=1)
    with pytest.warns(GridqueueWarning, match=r"fifo_run: override grid.capacity_mw=3 changes "
                      r"the scenario files but not this results folder, .* give it to one input "
                      r"\(overrides=\['N:KEY=VALUE'\]\)$") as caught:  # from Python: no --set
        compare(inputs, ["grid.capacity_mw=3"], replications=2, workers=1)
    assert not any("--" in str(warning.message) for warning in caught)
    assert len([w for w in caught if "fifo_run" in str(w.message)]) == 1
    with warnings.catch_warnings():  # as the folder ran, or the replications: nothing to say
        warnings.simplefilter("error", GridqueueWarning)
        compare(inputs, ["grid.capacity_mw=1", "replications=2"], workers=1)


def test_a_reference_in_two_questions_counts_each_pair_s_replications(
        family: dict[str, Path], tmp_path: Path):
    """Homes and a project's dates over each pair's shared replications, not over every pair's.

    The reference ran 6 replications, one variant 6 and another 3. Counted once per scenario,
    over what all its questions shared, the reference's homes and dates in the first pair
    were those of the 3 replications the other pair shares, beside the variant's 6.
    """
    _write_homes(family, tmp_path)
    with pytest.warns(GridqueueWarning, match="paired over the 3 replications both ran"):
        three = compare([tmp_path / f"{name}.yaml" for name in ("homes", "homes_fifo",
                                                                "homes_room")],
                        ["1:replications=6", "2:replications=6", "3:replications=3"],
                        reference="homes", workers=1)

    assert _homes(three, "homes", 6) != _homes(three, "homes", 3)  # else it shows nothing
    said = [line.strip() for line in three.outline() if "homes asked" in line]
    for variant, replications in (("homes_fifo", 6), ("homes_room", 3)):
        mine, theirs = _homes(three, variant, replications), _homes(three, "homes", replications)
        assert (f"- new_homes asks for blocks of homes, one applicant each: on average "
                f"{mine[0]} homes asked, {mine[1]} of them connected by the end of the run "
                f"({theirs[0]} and {theirs[1]} in homes) (homes in applicants.csv)") in said
    dates = [line.strip() for line in three.outline() if line.strip().startswith("- Campus")]
    applicants = three.results["homes"].applicants
    for replications in (6, 3):
        shared = summarise_projects(applicants[applicants["replication"] < replications],
                                    replications)
        over = project_dates({"homes": shared})[("homes", "Campus")]
        assert any(over in line for line in dates), (replications, dates)


def test_a_paired_question_counts_the_replications_both_ran(family: dict[str, Path]):
    """Levels and difference over the same replications, and a warning that says which.

    The reference ran 4 replications and the variant 6: the variant's figure, its
    difference and the reference's level the answers work out from them all count the 4.
    """
    inputs = [family["fifo"], family["social_priority"]]
    with pytest.warns(GridqueueWarning, match=r"social_priority against fifo: paired over the "
                      r"4 replications both ran \(social_priority 6 and fifo 4\)"):
        both = compare(inputs, ["1:replications=4", "2:replications=6"], workers=1)
    variant = _row(both.table, "social_priority", "all", "withdrawn")
    assert variant["replications"] == 4
    metrics = {label: r.replication_metrics for label, r in both.results.items()}
    shared = [m[(m["group"] == "all") & (m["metric"] == "withdrawn") & (m["replication"] < 4)]
              ["value"].mean() for m in (metrics["fifo"], metrics["social_priority"])]
    assert variant["mean"] == pytest.approx(shared[1])
    assert variant["mean"] - variant["difference"] == pytest.approx(shared[0])


def test_a_project_s_dates_count_the_replications_both_ran(family: dict[str, Path]):
    """The campus's dates in each, as the question's other figures, over the 4 both ran.

    Over all 6 of social_priority, its median came three months before fifo's: over the 4
    replications both ran it is the same day, so the gap was the 2 replications fifo lacks.
    """
    inputs = [family["fifo"], family["social_priority"]]
    with pytest.warns(GridqueueWarning, match="paired over the 4 replications both ran"):
        both = compare(inputs, ["1:replications=4", "2:replications=6"], workers=1)
    applicants = both.results["social_priority"].applicants
    shared = summarise_projects(applicants[applicants["replication"] < 4], 4)
    over_6 = project_dates({"social_priority": both.results["social_priority"].projects})
    over_4 = project_dates({"social_priority": shared})
    assert over_4 != over_6  # else the case shows nothing
    (line,) = [line for line in both.outline() if "Campus" in line]
    assert line == f"  - Campus: {over_4[('social_priority', 'Campus')]} in both"


def test_the_report_says_what_the_terminal_warns_of_replications_partly_shared(
        family: dict[str, Path], tmp_path: Path):
    """The report's lead and comparison.json carry the warning; the figures say they pool."""
    inputs = [family["fifo"], family["social_priority"]]
    with pytest.warns(GridqueueWarning, match="paired over the 4 replications both ran"):
        both = compare(inputs, ["1:replications=4", "2:replications=6"], workers=1)
    said = ("social_priority against fifo: paired over the 4 replications both ran "
            "(social_priority 6 and fifo 4); the question's figures count those 4")
    assert both.cautions == [said]
    folder = both.write(tmp_path / "out")
    page = html.unescape((folder / "report.html").read_text(encoding="utf-8"))
    lead = page[:page.index('id="answers"')]
    assert f"{said}.</strong>" in lead
    pooled = re.findall(r"<figcaption>([^<]*)</figcaption>", page)
    note = "Each scenario here pools all the replications it ran (fifo 4, social_priority 6)"
    assert [note in caption for caption in pooled] == [  # all but the differences
        True, True, True, True, True, False, True]
    assert json.loads((folder / "comparison.json").read_text())["cautions"] == [said]


def test_siblings_compared_by_order_are_said_to_mix_what_each_changes(family: dict[str, Path]):
    """Two inputs that extend no other input: the second is set against the first by order.

    Where each changes something else (policy here, seed there), every difference is both
    changes together, and the comparison says so; two siblings that change the same thing
    (each its own policy) draw only a note that the order chose the reference, and a
    scenario set against a file it extends draws neither.
    """
    folder = family["fifo"].parent
    smallest = folder / "smallest.yaml"
    smallest.write_text("extends: fifo.yaml\nname: smallest\npolicy: {order: smallest_first}\n",
                        encoding="utf-8")
    with pytest.warns(GridqueueWarning, match="does not extend") as caught:
        mixed = compare([family["social_priority"], family["other_seed"]], replications=2,
                        workers=1)
    said = ("other_seed against social_priority: other_seed does not extend social_priority "
            "(it is the reference as the first input), and the two differ in seed and queue "
            "policy, so its answer shows their combined effect, not that of one of them; ")
    assert len(mixed.cautions) == 1 and mixed.cautions[0].startswith(said)
    assert [str(w.message) for w in caught if "does not extend" in str(w.message)] \
        == mixed.cautions
    assert compare([family["fifo"], family["social_priority"], family["other_seed"]],
                   replications=2, workers=1).cautions == []
    # Siblings that change the same thing: one lever, but which is the reference the order
    # alone decided, which a reader would take for a choice; the note says how to turn it.
    with pytest.warns(GridqueueWarning, match="only as the first input") as caught:
        siblings = compare([family["social_priority"], smallest], replications=2, workers=1)
    assert siblings.cautions == [str(w.message) for w in caught] == [
        "smallest against social_priority: social_priority is the reference only as the "
        "first input (smallest does not extend it); to read the difference the other way "
        "round, give smallest first or name it as the reference argument"]
    assert "combined effect" not in siblings.cautions[0]


def test_a_caution_of_inputs_compared_by_order_is_said_once_in_that_pairs_answer(
        family: dict[str, Path], tmp_path: Path):
    """A plain compare of two unrelated files: the caution sits in their answer, as others do.

    It stood at the top of the report, above every answer, while the caution of a named
    reference differing in several ways stood in its pair's answer: a reader quoting the
    answer read none of it there. Now both are said where the answer is, once.
    """
    with pytest.warns(GridqueueWarning, match="does not extend"):
        mixed = compare([family["social_priority"], family["other_seed"]], replications=2,
                        workers=1)
    (said,) = mixed.cautions
    folder = mixed.write(tmp_path / "mixed")
    page = html.unescape((folder / "report.html").read_text(encoding="utf-8"))
    answers = page[page.index('id="answers"'):page.index('id="questions"')]
    assert said in answers and page.count(said) == 1
    assert answers.index("other_seed against social_priority") < answers.index(said)
    assert Comparison.read(folder).cautions == [said]


def test_an_explicit_reference_is_used_for_every_scenario(family: dict[str, Path]):
    """--reference names one scenario, by name or path, that every other is compared with."""
    inputs = [family[n] for n in ("fifo", "social_priority", "onsite")]
    by_name = compare(inputs, replications=2, workers=1, reference="social_priority")
    assert _references(by_name) == {"fifo": {"social_priority"}, "social_priority": {""},
                                    "onsite": {"social_priority"}}
    by_path = compare(inputs, replications=2, workers=1, reference=str(family["fifo"]))
    assert _references(by_path)["onsite"] == {"fifo"}
    with pytest.raises(GridqueueError, match="reference='nowhere': expected a scenario name"):
        compare(inputs, replications=2, workers=1, reference="nowhere")


def test_a_named_reference_differing_in_several_ways_says_the_answer_mixes_them(
        family: dict[str, Path], tmp_path: Path):
    """--reference sets every scenario against one: onsite against fifo is two levers at once.

    onsite changes on-site generation over social_priority, which changes the policy over
    fifo: its answer against fifo is their effect together, and nothing said so. One
    warning names what differs (three at most, then how many more); the report says it in
    that answer. social_priority, one lever from fifo, draws none, nor does a file that
    extends fifo itself, as compare without --reference would pair it.
    """
    inputs = [family[n] for n in ("fifo", "social_priority", "onsite")]
    with pytest.warns(GridqueueWarning) as caught:
        named = compare(inputs, replications=2, workers=1, reference="fifo")
    said = ("onsite against fifo: the two differ in queue policy and on-site generation, so "
            "its answer shows their combined effect, not that of one of them; to see one "
            "alone, compare with a scenario that differs from fifo in it only (a questions "
            "file names each pair)")
    assert [str(w.message) for w in caught] == [said] == named.cautions
    # In the report, beside that answer rather than above them all; read back, the same.
    folder = named.write(tmp_path / "named")
    page = html.unescape((folder / "report.html").read_text(encoding="utf-8"))
    answers = page[page.index('id="answers"'):page.index('id="questions"')]
    assert said in answers and said not in page[:page.index('id="answers"')]
    assert answers.index("onsite against fifo") < answers.index(said)
    assert Comparison.read(folder).cautions == [said]
    # The terminal's answers do not repeat what it warned of.
    assert not [line for line in named.outline() if "combined effect" in line]
    # More than three: the first three, and how many more.
    (tmp_path / "far.yaml").write_text(
        f"extends: {family['onsite']}\nname: far\nseed: 7\nend: 2025-06-01\n"
        "grid: {capacity_mw: 2}\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning, match="the two differ in period, seed, queue policy "
                      "and 2 more, so its answer shows their combined effect"):
        compare([family["fifo"], tmp_path / "far.yaml"], replications=2, workers=1,
                reference="fifo")
    # One lever, a file that extends the reference itself (written as one variant of it,
    # whatever it changes), or pairs the extends chains choose: nothing new to say.
    (tmp_path / "both.yaml").write_text(
        f"extends: {family['fifo']}\nname: both\npolicy: {{order: social_priority}}\n"
        "onsite_generation: {share: 0.5, cover: 0.2}\n", encoding="utf-8")
    for chosen in ({"reference": "fifo"}, {}):
        with warnings.catch_warnings():
            warnings.simplefilter("error", GridqueueWarning)
            compare([family["fifo"], family["social_priority"], tmp_path / "both.yaml"],
                    replications=2, workers=1, **chosen)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        compare(inputs, replications=2, workers=1)


def test_a_file_set_against_one_it_extends_through_another_says_the_answer_mixes_them(
        family: dict[str, Path]):
    """Without --reference, onsite is set against fifo where social_priority is no input.

    onsite extends fifo through social_priority, so it is compared with fifo, the nearest
    input up its chain: the same pair as with --reference fifo, and as much two levers at
    once. With social_priority among the inputs each is one lever from its own reference.
    """
    with pytest.warns(GridqueueWarning) as caught:
        far = compare([family["fifo"], family["onsite"]], replications=2, workers=1)
    said = ("onsite against fifo: the two differ in queue policy and on-site generation, so "
            "its answer shows their combined effect")
    assert [str(w.message)[:len(said)] for w in caught] == [said]
    assert len(far.cautions) == 1 and far.cautions[0].startswith(said)


def test_a_reference_that_names_no_input_is_refused_before_anything_runs(family, monkeypatch):
    """It was found out only after every scenario had run, minutes later."""
    import sim.analysis.comparison as comparison

    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("ran a scenario before checking the reference")

    monkeypatch.setattr(comparison, "run", no_run)
    with pytest.raises(GridqueueError, match="reference='nowhere': expected a scenario name"):
        compare([family["fifo"], family["social_priority"]], replications=2, workers=1,
                reference="nowhere")


QUESTIONS = """\
- question: What does priority do?
  reference: fifo.yaml
  variant: social_priority.yaml
- question: What does on-site generation do?
  reference: social_priority.yaml
  variant: onsite.yaml
- question: What does on-site generation do?
  reference: fifo.yaml
  variant: onsite.yaml
"""


def test_the_answers_come_in_the_order_of_the_questions_file(family, tmp_path):
    """They came in the order of the scenarios: a question listed first could be folded away.

    Here the file asks about on-site generation first, whose variant runs after that of the
    second question. comparison.csv keeps each scenario's rows in the order they ran (so a
    scenario keeps its marker in every figure); the answers follow the file, in the
    terminal, the report and a comparison read back.
    """
    path = family["fifo"].parent / "reversed.yaml"
    path.write_text("- question: What does on-site generation do?\n"
                    "  reference: social_priority.yaml\n"
                    "  variant: onsite.yaml\n"
                    "- question: What does priority do?\n"
                    "  reference: fifo.yaml\n"
                    "  variant: social_priority.yaml\n", encoding="utf-8")
    asked = compare([], questions=path, replications=2, workers=1)
    assert asked.ran == ["social_priority", "onsite", "fifo"]
    order = ["What does on-site generation do?", "What does priority do?"]
    assert [q for q in dict.fromkeys(asked.table["question"]) if q] == order[::-1]
    assert [text.split(" (")[0] for text in asked.sentences()] == order
    assert [line.split(" (")[0] for line in asked.outline() if line and line[0] != " "] == order
    written = asked.write(tmp_path / "out")
    page = (written / "report.html").read_text(encoding="utf-8")
    assert page.index(order[0]) < page.index(order[1])
    read = Comparison.read(written)
    assert [text.split(" (")[0] for text in read.sentences()] == order


def test_questions_file_names_each_pair_and_runs_each_file_once(
    family: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Each question is a pair; a scenario named twice runs once and gets a block per pair."""
    path = family["fifo"].parent / "questions.yaml"
    path.write_text(QUESTIONS, encoding="utf-8")
    asked = compare([], questions=path, replications=2, workers=1)
    assert asked.ran == ["fifo", "social_priority", "onsite"]
    assert _references(asked) == {"fifo": {""}, "social_priority": {"fifo"},
                                  "onsite": {"social_priority", "fifo"}}
    onsite = asked.table[asked.table["scenario"] == "onsite"]
    assert set(onsite["question"]) == {"What does on-site generation do?"}
    texts = asked.sentences()
    assert len(texts) == 2
    assert texts[1].startswith("What does on-site generation do? (")
    assert "onsite against social_priority — " in texts[1]
    assert "onsite against fifo — " in texts[1]
    lines = asked.outline()  # what the terminal prints: the same answers, an item a line
    assert lines[0] == texts[0][:texts[0].index("): ") + 2].rstrip()
    second = lines[lines.index("") + 1:]
    assert second[0] == texts[1][:texts[1].index("): ") + 2].rstrip()
    assert {"  onsite against social_priority:", "  onsite against fifo:"} <= set(second)
    # One pair, named: a questions file's question does not say which scenarios it compares.
    assert lines[1] == "  social_priority against fifo:"
    first = _items_read_back(lines[2:lines.index("")])
    assert texts[0].endswith(": social_priority against fifo — " + "; ".join(first) + ".")
    assert all(len(line) < 400 for line in lines)  # the figures over everyone a line each
    items = [line.strip().removeprefix("- ") for line in second if line.startswith("    - ")]
    assert len(items) >= 4 and all(item in texts[1] for item in items)
    output = tmp_path / "asked"
    without_figures(monkeypatch)  # its table is read, not its figures
    assert main(["compare", "--questions", str(path), "-o", str(output), "--workers", "1",
                 "--replications", "2", "-q"]) == 0
    table = pd.read_csv(output / "comparison.csv", keep_default_na=False)
    assert set(zip(table["scenario"], table["reference"], strict=True)) == {
        ("fifo", ""), ("social_priority", "fifo"), ("onsite", "social_priority"),
        ("onsite", "fifo")}


def test_an_input_no_question_compares_is_refused_before_anything_runs(
    family: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    """An input beside a questions file that no question names is refused, with what to do.

    It ran, was counted among the observations and was compared with nothing, unsaid.
    """
    import sim.analysis.comparison as comparison

    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("ran a scenario before checking the inputs")

    monkeypatch.setattr(comparison, "run", no_run)
    path = family["fifo"].parent / "one_question.yaml"
    path.write_text("- {question: Q, reference: fifo.yaml, variant: social_priority.yaml}\n",
                    encoding="utf-8")
    with pytest.raises(GridqueueError) as refused:
        compare([family["onsite"]], questions=path, replications=2, workers=1)
    assert str(refused.value).startswith(
        f"{family['onsite']}: no question in {path} compares it, and only the questions' "
        "pairs are compared, so it would run for nothing; add a question with it as "
        f"reference or variant to {path}, or leave it out of the inputs")
    with pytest.raises(GridqueueError) as twice:
        compare([family["fifo"], family["fifo"]], questions=path, replications=2)
    assert str(twice.value) == (f"{family['fifo']}: given twice, but each file a question of "
                                f"{path} names runs once; give it once, or leave it out (the "
                                "files the questions name run without being given)")
    specs = read_questions(path)
    with pytest.raises(GridqueueError) as repeated:  # from Python, no file to check it
        compare([], questions=[*specs, replace(specs[0], question="R")], replications=2)
    assert str(repeated.value) == (
        "questions: expected each pair of scenarios in one question only; questions 0 and 1 "
        f"both compare {specs[0].variant} with {specs[0].reference}")
    with pytest.raises(GridqueueError, match=r"^input 1 \(a Scenario object\): no question "
                       r"in questions can compare it"):
        compare([load_scenario(family["onsite"])],
                questions=read_questions(path), replications=2)
    output = tmp_path / "refused"
    assert main(["compare", "--questions", str(path), str(family["onsite"]),
                 "--replications", "2", "-o", str(output)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gridqueue: error: {family['onsite']}: no question in {path}")
    assert not output.exists()
    # a file a question names may be given too: it runs once, as before
    monkeypatch.undo()
    asked = compare([family["social_priority"]], questions=path, replications=2, workers=1)
    assert asked.ran == ["social_priority", "fifo"]


@pytest.mark.parametrize(("text", "message"), [
    ("- {question: Q, reference: fifo.yaml}\n", ":1: 0: expected exactly the keys"),
    ("- {question: Q, reference: fifo.yaml, variant: gone.yaml}\n",
     ":1: 0.variant: expected an existing scenario file"),
    ("- {question: '', reference: fifo.yaml, variant: fifo.yaml}\n", ":1: 0.question: expected"),
    ("- {question: Q, reference: fifo.yaml, variant: onsite.yaml}\n- question: R\n"
     "  reference: fifo.yaml\n  varient: onsite.yaml\n",
     ":4: 1.varient: expected exactly the keys question, reference, variant; got ['question', "
     "'reference', 'varient'] (did you mean 'variant'?)"),
    # the wrong key's line and path, not the question's first line
    ("- question: Q\n  reference: fifo.yaml\n  variantt: onsite.yaml\n",
     ":3: 0.variantt: expected exactly the keys question, reference, variant; got ['question', "
     "'reference', 'variantt'] (did you mean 'variant'?)"),
    ("question: Q\n", ": expected a non-empty list of questions"),
    ("- {question: Q, reference: fifo.yaml, variant: .}\n",  # the scenarios' folder
     ":1: 0.variant: expected an existing scenario file or results directory; . is a folder "
     "without run.json"),
    # one pair asked twice, in other words or the same: its rows would be ambiguous
    ("- {question: Q, reference: fifo.yaml, variant: onsite.yaml}\n"
     "- {question: R, reference: ./fifo.yaml, variant: onsite.yaml}\n",
     ":2: 1.variant: expected each pair of scenarios in one question only; question 0 ('Q') "
     "already compares this reference and variant"),
    ("- {question: Q, reference: fifo.yaml, variant: ./fifo.yaml}\n",  # one file, twice
     ":1: 0.variant: expected a scenario other than the reference"),
    # a key given twice: YAML would keep the last one without a word
    ("- question: Q\n  reference: onsite.yaml\n  variant: fifo.yaml\n  reference: fifo.yaml\n"
     "  variant: onsite.yaml\n",
     ":4: 0.reference: expected each key once, got 'reference' twice"),
    ("- question: Q\n  reference: fifo.yaml\n  variant: [onsite.yaml\n",
     ":4: expected YAML: a list of questions; YAML syntax error: expected ',' or ']', but got "
     "'<stream end>'"),
    ("- question: Q\n  reference: !!python/object/apply:os.system [echo]\n",  # what was wrong
     ":2: 0.reference: expected YAML: a list of questions; the YAML tag "
     "!!python/object/apply:os.system is refused"),
    # a key merged in from elsewhere is refused, as in a scenario file (YAML 1.2 has none)
    ("- {question: Q, reference: fifo.yaml, variant: onsite.yaml}\n"
     "- <<: {question: R, reference: gone.yaml}\n  variant: onsite.yaml\n",
     ":2: 1.<<: expected the keys themselves: YAML merge keys (<<: *name) are not read here "
     "(YAML 1.2 has none); write out each question's question, reference and variant"),
])
def test_a_bad_questions_file_is_one_message_with_exit_2(
    family: dict[str, Path], text: str, message: str, capsys: pytest.CaptureFixture[str]
):
    """A bad questions file names the file, the line and the key path; exit 2, no traceback."""
    path = family["fifo"].parent / "bad_questions.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["compare", "--questions", str(path), "-o", str(path.parent / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gridqueue: error: {path}{message}"), err
    assert len(err.strip().splitlines()) == 1


def test_a_questions_file_that_cannot_be_read_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A mistyped questions path is one message naming it and the reason; exit 2."""
    path = tmp_path / "qestions.yaml"
    assert main(["compare", "--questions", str(path), "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (f"gridqueue: error: {path}: expected a readable "
                                       "questions file (No such file or directory)\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("kind", "says"), [
    ("latin-1", "expected UTF-8 text, got the byte 0xe9 (save the file as UTF-8)"),
    ("pipe", "expected a questions file, not a named pipe (FIFO)"),
    ("device", "expected a questions file, not a device"),
    ("too large", "expected a questions file of at most 100 bytes"),
])
def test_a_questions_file_is_read_as_safely_as_a_scenario_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    kind: str, says: str,
):
    """A questions file that is no text file to read once is one message, not a traceback.

    Read as it was, one saved by Excel in Latin-1 ended in a traceback, a named pipe blocked
    for ever and /dev/zero filled the memory.
    """
    import threading

    from sim.analysis import questions

    path = tmp_path / "questions.yaml"
    text = "- question: Méér?\n  reference: a.yaml\n  variant: b.yaml\n"
    timer = None
    if kind == "latin-1":
        path.write_bytes(text.encode("latin-1"))
    elif kind == "pipe":
        os.mkfifo(path)  # opened for writing after a while, so a reader that waits gets an end
        timer = threading.Timer(10, lambda: os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK)))
        timer.start()
    elif kind == "device":
        path = Path(os.devnull)
    else:
        monkeypatch.setattr(questions, "MAX_FILE_BYTES", 100)
        path.write_text(text * 3, encoding="utf-8")
    try:
        code = main(["compare", "--questions", str(path), "-o", str(tmp_path / "out")])
    finally:
        if timer is not None:
            timer.cancel()
    assert code == 2
    assert capsys.readouterr().err == f"gridqueue: error: {path}: {says}\n"
    assert not (tmp_path / "out").exists()


def test_scenarios_agreeing_with_every_published_figure_share_one_line():
    """Nine scenarios that all agree print one line, not nine; one that does not, its own."""
    from types import SimpleNamespace

    from sim.inputs.observations import Observation
    from sim.runs.observed import observation_table

    waiting = Observation(date=dt.date(2024, 1, 1), quantity="applicants_waiting", value=10,
                          uncertainty=0.2, source="a newspaper")
    tables = {name: observation_table([waiting], [np.array([value])] * 3)
              for name, value in (("a", 10.0), ("b", 11.0), ("c", 30.0))}
    lines = Comparison.observation_sentences(SimpleNamespace(observations=tables))
    assert lines[0] == ("a, b beside published figures: in each, the one published figure "
                        "agrees with the simulation (a figure agrees when its published range "
                        "meets the band of 90% of replications). A band rests on only 3 "
                        "replications with a value: 90% of so few is about their lowest to "
                        "highest, too rough to judge agreement by; 20 or more are needed.")
    assert lines[1].startswith("c beside published figures: the one published figure does not "
                               "agree")
    assert lines[2].endswith("simulated 30, 90% of replications 30 to 30: the model is higher.")
    assert len(lines) == 3
    # One that agrees by its band alone, its mean above the range, is not among those that
    # plainly agree: it has lines of its own, as the run's terminal says it.
    tables["d"] = observation_table([waiting], [np.array([v]) for v in [11.0, 13.0, 14.0] * 7])
    assert tables["d"].loc[0, "agreement"] == "agrees"
    tables["e"] = tables["d"]  # alike: they share their lines, as the ten bundled ones do
    more = Comparison.observation_sentences(SimpleNamespace(observations=tables))
    assert more[0].startswith("a, b beside published figures")
    (said,) = [line for line in more if line.startswith("d, e beside")]
    assert said.startswith("d, e beside published figures: in each, the one published figure "
                           "agrees")
    assert said.endswith("In it the simulated mean is outside the published range.")
    assert more[more.index(said) + 1].endswith(
        ": agrees, though the simulated mean is above the published range.")


def test_compare_sets_each_scenario_stating_observations_beside_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    """observations.csv has a row per scenario and observation; the report and output say so.

    fifo states none: it has no rows and no line. The figure is written with the others and
    shown in the section after the figures, below the answers. Of the others, only the queue's
    figure is written here (the command's test counts them all).
    """
    every = Comparison.figures
    monkeypatch.setattr(Comparison, "figures", lambda self: {
        name: figure for name, figure in every(self).items() if name in ("queue", "observations")})
    family = write_observed(tmp_path / "family")
    output = tmp_path / "cmp"
    assert main(["compare", str(family["fifo"]), str(family["observed_fifo"]),
                 str(family["observed_sp"]), "-o", str(output), "--workers", "1",
                 "--replications", "2"]) == 0
    out = capsys.readouterr().out
    assert "observed_sp beside published figures:" in out
    assert not [line for line in out.splitlines() if line.startswith("fifo beside")]
    assert "published 1,000 (far more than the family connects)" in out
    assert "the model is lower." in out
    written = pd.read_csv(output / "observations.csv")
    assert written.columns[0] == "scenario"
    assert sorted(zip(written["scenario"], written["observation"], strict=True)) == [
        ("observed_fifo", 0), ("observed_fifo", 1), ("observed_sp", 0), ("observed_sp", 1)]
    assert (written.loc[written["observation"] == 1, "agreement"] == "model below").all()
    assert {"observations.png", "observations.svg"} <= {
        p.name for p in (output / "figures").iterdir()}
    html = (output / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<h2 id="observed">'):html.index('<h2 id="detail">')]
    assert html.index('id="answers"') < html.index('id="figures"') < html.index('id="observed"')
    assert "Model beside published figures" in section
    for label in ("observed_fifo", "observed_sp"):
        agreeing = (written.loc[written["scenario"] == label, "agreement"] == "agrees").sum()
        verb = "agrees" if agreeing == 1 else "agree"
        assert (f"{label}: {agreeing} of 2 published figures {verb} (a figure agrees when its "
                "published range meets the band of 90% of replications).") in section
        assert f"<th>{label}" in section
    assert "<th>fifo" not in section
    assert section.count("model below") == 2
    assert 'id="figure-observations"' in section
    assert html.count('id="figure-observations"') == 1  # not among the other figures


VARIANTS = {
    # Small basic-needs requests, connected quickly: a new stream that would shorten the
    # basic-needs mean on its own, however the applicants already there fare.
    "homes": "extends: social_priority.yaml\nname: homes\nstreams:\n  homes:\n"
             "    category: basic_needs\n    rate_per_year: 20\n    demand_mw: 0.01\n"
             "    jobs: 0\n",
    # The same applicants, but the 'other' stream moves up to basic needs in 2023.
    "moved": "extends: social_priority.yaml\nname: moved\nstreams:\n  other:\n"
             "    category_changes: [{date: 2023-01-01, category: basic_needs}]\n",
    # The 'other' stream drawn at another rate: the basic-needs applicants stay the same.
    "redrawn": "extends: social_priority.yaml\nname: redrawn\nstreams:\n  other:\n"
               "    rate_per_year: 10\n",
    # The 'other' stream removed: its applicants are only in the reference.
    "no_other": "extends: social_priority.yaml\nname: no_other\nstreams:\n  other: null\n",
    # Both streams drawn at other rates: no stream can be matched with its own.
    "all_redrawn": "extends: social_priority.yaml\nname: all_redrawn\nstreams:\n  other:\n"
                   "    rate_per_year: 10\n  basic:\n    rate_per_year: 4\n",
}


@pytest.fixture(scope="module")
def variants(family: dict[str, Path]) -> Comparison:
    folder = family["fifo"].parent
    for name, text in VARIANTS.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return compare([family["social_priority"], *(folder / f"{n}.yaml" for n in VARIANTS)],
                   reference="social_priority", workers=1)


def _populations(comparison: Comparison, variant: str) -> pd.DataFrame:
    rows = comparison.differences
    return rows[rows["scenario"] == variant].drop_duplicates(["population", "origin"])


def test_an_added_stream_is_set_apart_and_categories_count_the_same_applicants(
    variants: Comparison,
):
    """A stream only in the variant is reported on its own, not mixed into its category.

    The categories then count the same applicants in both: their numbers do not differ at
    all, where the whole basic-needs group would have gained the homes.
    """
    rows = variants.differences
    homes = rows[rows["scenario"] == "homes"]
    assert list(zip(*_populations(variants, "homes")[["population", "origin"]].T.values,
                    strict=True)) == [(IN_BOTH, ""), (ONLY_IN_VARIANT, "homes")]
    counted = homes[(homes["population"] == IN_BOTH) & (homes["metric"] == "applicants")
                    & (homes["mean"] > 0)]
    assert set(counted["group"]) >= {"basic_needs", "other", "all"}
    assert (counted["difference"] == 0).all()
    # The homes draw from random streams of their own: the others are drawn alike, paired,
    # though the scenarios as a whole are not.
    assert not variants.paired["homes"] and counted["paired"].all()
    assert (counted["difference_ci_low"] == 0).all()
    alone = homes[homes["population"] == ONLY_IN_VARIANT].set_index("metric")
    assert list(alone["group"].unique()) == ["all"]
    assert alone.loc["applicants", "mean"] > 40  # 20 a year for four years
    assert alone["difference"].isna().all()  # nothing in the reference to compare with
    text = next(s for s in variants.sentences() if s.startswith("homes against"))
    assert "the applicants of both scenarios — " in text
    assert "; homes (only in homes" in text
    assert " connected by the end of the run, 0 withdrew; " in text  # homes stay, not "0.0"
    assert text.endswith(" in both.")  # the campus both scenarios have, on the same dates


def test_the_comparison_says_how_each_pair_was_compared_as_its_table_does(
    variants: Comparison,
):
    """Printed, each pair says what the ``paired`` column of its differences says.

    A variant that adds or redraws a stream is not paired as a whole, yet its table compares
    the applicants both have paired: printed, the comparison called it unpaired.
    """
    said = dict(line.strip().split(" against social_priority, ")
                for line in repr(variants).splitlines()[1:-1])
    assert said == {
        "homes": "paired for the applicants both have, the others set apart",
        "moved": "paired",
        "redrawn": "paired for the applicants both have alike, the others unpaired",
        "no_other": "paired for the applicants both have, the others set apart",
        "all_redrawn": "unpaired",
    }
    rows = variants.differences.dropna(subset=["paired"])
    paired = rows.groupby("scenario")["paired"].agg(lambda column: set(column.astype(bool)))
    assert {label: paired[label] for label in said} == {
        "homes": {True}, "moved": {True}, "redrawn": {True, False}, "no_other": {True},
        "all_redrawn": {False}}
    # as a whole, only the variant that moves a stream draws the same applicants
    assert variants.paired == {label: label == "moved" for label in said}


def test_a_stream_that_changes_category_is_compared_on_its_own(variants: Comparison):
    """A stream moved to another category is compared as one group, all its applicants."""
    assert list(zip(*_populations(variants, "moved")[["population", "origin"]].T.values,
                    strict=True)) == [(IN_BOTH, ""), (CATEGORY_CHANGED, "other")]
    rows = variants.differences
    moved = rows[(rows["scenario"] == "moved") & (rows["population"] == IN_BOTH)]
    counted = moved[moved["metric"] == "applicants"].set_index("group")
    assert counted.loc["other", "mean"] == 0  # no 'other' applicant left in both alike
    assert math.isnan(counted.loc["other", "difference"])  # nobody to compare
    assert (counted.loc[["basic_needs", "all"], "difference"] == 0).all()
    text = next(s for s in variants.sentences() if s.startswith("moved against"))
    assert "; other, whose category changes: " in text


def test_a_category_change_on_another_date_is_compared_on_its_own(family: dict[str, Path]):
    """The same categories on other dates are other applicants in each: set apart as a move.

    The 2026 framework's utilities moved to 2030 were compared as every applicant, so
    safety and other counted the requests of 2026-2029 in one scenario only: safety -0.263
    years (-1.402 to 0.876), unpaired, and read as about the same. The move is now set
    apart, as a stream moved to another category is, and the categories counted like with
    like, paired: -0.019 (-0.099 to 0.062).
    """
    early, late = (load_scenario(family["fifo"], {
        "streams.other.category_changes": [{"date": date, "category": "basic_needs"}],
        "name": name}) for name, date in (("early", "2023-01-01"), ("late", "2025-01-01")))
    comparison = compare([early, late], replications=3, workers=1)
    assert list(zip(*_populations(comparison, "late")[["population", "origin"]].T.values,
                    strict=True)) == [(IN_BOTH, ""), (CATEGORY_CHANGED, "other")]
    rows = comparison.differences
    both = rows[(rows["scenario"] == "late") & (rows["population"] == IN_BOTH)]
    counted = both[both["metric"] == "applicants"].set_index("group")
    assert counted.loc["basic_needs", "difference"] == 0  # the same applicants, paired
    assert both.loc[both["difference"].notna(), "paired"].all()


def test_a_redrawn_stream_is_set_apart_and_the_others_stay_paired(variants: Comparison):
    """A stream drawn at another rate is compared on its own; the rest like with like, paired.

    Each stream draws from random streams of its own, so the others are the same applicants.
    The whole comparison was once marked not like with like and unpaired, and a rate raised
    in one sector read "about the same" for every category, where paired differences over
    the unchanged streams showed knock-on waits beyond their intervals.
    """
    assert list(zip(*_populations(variants, "redrawn")[["population", "origin"]].T.values,
                    strict=True)) == [(IN_BOTH, ""), (DRAWN_DIFFERENTLY, "other")]
    rows = variants.differences
    rows = rows[rows["scenario"] == "redrawn"]
    both, apart = rows[rows["population"] == IN_BOTH], rows[rows["population"] != IN_BOTH]
    assert both["paired"].all() and not apart["paired"].any()
    counted = both[both["metric"] == "applicants"].set_index("group")
    assert counted.loc["basic_needs", "difference"] == 0  # the same applicants
    assert set(apart["group"]) == {"all"}
    text = next(s for s in variants.sentences() if s.startswith("redrawn against"))
    assert "): the applicants of both scenarios — " in text
    assert "; other, drawn differently (other applicants, unpaired): " in text


def _items_read_back(lines: list[str]) -> list[str]:
    """The items of a pair's outline lines, joined as its sentence writes them."""
    heads: list[str] = []
    parts: list[list[str]] = []
    for line in lines:
        if line.startswith("    - "):
            heads.append(line.removeprefix("    - "))
            parts.append([])
        elif line.strip() == "by the end of the run:":
            heads[-1] += " — by the end of the run, "
        else:
            parts[-1].append(line.strip())
    return [head + ("" if not mine else ("" if head.endswith(", ") else " ") + "; ".join(mine))
            for head, mine in zip(heads, parts, strict=True)]


def test_a_stream_only_in_the_reference_is_named_with_its_size_not_dropped(
    variants: Comparison,
):
    """A stream the variant removes is set apart, with the reference's own figures of it.

    It was left out without a word: the answer said "everyone", the category it made up read
    as compared (applicants 0, difference 0.0 from 0.0 to 0.0) and the differences figure
    said "none connected", under an overall row headed "All applicants".
    """
    assert list(zip(*_populations(variants, "no_other")[["population", "origin"]].T.values,
                    strict=True)) == [(IN_BOTH, ""), (ONLY_IN_REFERENCE, "other")]
    rows = variants.differences
    rows = rows[rows["scenario"] == "no_other"]
    both = rows[rows["population"] == IN_BOTH].set_index(["group", "metric"])
    assert both.loc[("other", "applicants"), "mean"] == 0
    assert both.loc["other", "difference"].isna().all()  # nobody of both to compare
    assert both.loc[("basic_needs", "applicants"), "difference"] == 0
    apart = rows[rows["population"] == ONLY_IN_REFERENCE].set_index("metric")
    assert set(apart["group"]) == {"all"} and apart["difference"].isna().all()
    own = variants.results["social_priority"].summary.set_index(["group", "metric"])
    assert apart.loc["applicants", "mean"] == own.loc[("other", "applicants"), "mean"]
    text = next(s for s in variants.sentences() if s.startswith("no_other against"))
    assert "): the applicants of both scenarios — " in text
    assert answer(variants.table, "no_other against social_priority",
                  "wait_rmst_10y_years").startswith(
        "no_other against social_priority (mean wait in the first 10 years, everyone both "
        "scenarios have): the applicants of both scenarios — ")
    assert "other businesses: none that both scenarios share (set apart below)" in text
    asked = format_numbers(own.loc[("other", "applicants"), "mean"])[0]
    assert f"; left out: other, only in social_priority (on average {asked} applicants a " \
           "replication, with " in text
    fig = variants.differences_figure()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "no_other vs social_priority (of both)" in labels
    assert "All applicants (of both, where marked)" in labels  # all_redrawn counts everyone
    assert "none in both" in {t.get_text() for t in fig.axes[0].texts}
    table = next(t for t in key_tables(variants.table) if t.title == "Other businesses")
    (cells,) = [cells for label, _, cells in table.rows if label == "no_other"]
    assert cells[0].text == "none in both" and not cells[0].note


def test_a_variant_drawing_every_stream_anew_compares_everyone_not_like_with_like(
    variants: Comparison,
):
    """No stream can be matched when the variant draws every one differently: all, marked."""
    (population,) = _populations(variants, "all_redrawn")[["population", "origin"]].values
    assert list(population) == [STREAMS_DIFFER, "basic, other"]
    text = next(s for s in variants.sentences() if s.startswith("all_redrawn against"))
    assert "every applicant, not like with like: the streams differ (basic, other) — " in text


def test_a_waiting_list_s_applicants_are_an_origin_drawn_as_its_stream_and_the_list():
    """A stream's applicants on the waiting list are told apart by both definitions."""
    from sim.analysis.populations import definitions

    areas = Path(__file__).resolve().parents[1] / "scenarios" / "flevoland" / "areas.yaml"
    drawn = definitions(load_scenario(areas))
    listed = "lelystad_logistics (waiting list)"
    assert drawn[listed].endswith(drawn["lelystad_logistics"])
    longer = definitions(load_scenario(areas, ["waiting_list.count=60"]))
    assert longer[listed] != drawn[listed]
    assert longer["lelystad_logistics"] == drawn["lelystad_logistics"]
    # With a mix, another stream's rate leaves the list as it was.
    faster = definitions(load_scenario(areas, ["streams.lelystad_storage.rate_per_year=9"]))
    assert faster[listed] == drawn[listed]


def test_without_a_mix_one_stream_s_rate_redraws_every_stream_s_waiting_list(tmp_path):
    """A generated list picks each applicant's stream by all the streams' rates at once.

    So a variant drawing one stream at another rate draws the others' listed applicants
    anew too: compared as the same applicants, their numbers differed (by 2.75 on average).
    """
    from sim.analysis.populations import definitions

    (tmp_path / "listed.yaml").write_text(
        "start: 2024-01-01\nend: 2030-01-01\ngrid: {capacity_mw: 4}\nstreams:\n"
        "  industry: {category: other, rate_per_year: 12, demand_mw: 0.4}\n"
        "  schools: {category: basic_needs, rate_per_year: 3, demand_mw: 0.2}\n"
        "waiting_list: {count: 40, earliest: 2022-01-01}\n")
    drawn = definitions(load_scenario(tmp_path / "listed.yaml"))
    faster = definitions(load_scenario(tmp_path / "listed.yaml",
                                       ["streams.industry.rate_per_year=24"]))
    assert faster["schools"] == drawn["schools"]  # the stream's own applicants: alike
    assert faster["schools (waiting list)"] != drawn["schools (waiting list)"]


def test_a_waiting_list_file_counts_by_its_content_and_its_rows_without_a_stream(tmp_path):
    """Two lists of other rows are other applicants, whether or not the rows name a stream.

    Rows naming no stream once shared an origin no definition described, so a list of 100
    rows and one of 300 compared as the same applicants (every_applicant); rows naming a
    stream were told apart by the file's name, not its content.
    """
    from sim.analysis.populations import UNSTREAMED, definitions

    paths = write_family(tmp_path, projects=False)
    header = "request_date,category,demand_mw,jobs\n"
    rows = [f"2021-0{m}-10,{c},0.3,5\n" for m in range(1, 7) for c in ("basic_needs", "other")]
    (tmp_path / "short.csv").write_text(header + "".join(rows[:4]), encoding="utf-8")
    (tmp_path / "long.csv").write_text(header + "".join(rows), encoding="utf-8")
    for name, csv in (("short", "short.csv"), ("long", "long.csv")):
        (tmp_path / f"{name}.yaml").write_text(
            f"extends: social_priority.yaml\nname: {name}\nwaiting_list: {{csv: {csv}}}\n",
            encoding="utf-8")
    both = compare([tmp_path / "short.yaml", tmp_path / "long.yaml"], workers=1)
    rows_of = both.differences
    assert list(zip(*rows_of.drop_duplicates(["population", "origin"])[
        ["population", "origin"]].T.values, strict=True)) == [
        (IN_BOTH, ""), (DRAWN_DIFFERENTLY, UNSTREAMED)]
    alike = rows_of[(rows_of["population"] == IN_BOTH) & (rows_of["metric"] == "applicants")]
    assert alike["paired"].all()  # the streams' own applicants: drawn alike
    assert (alike.loc[alike["mean"] > 0, "difference"] == 0).all()
    listed = rows_of[(rows_of["population"] == DRAWN_DIFFERENTLY)
                     & (rows_of["metric"] == "applicants")]
    assert listed["mean"].tolist() == [12] and listed["difference"].tolist() == [8]
    # Content, not name: the same rows under another name are the same list; new rows under
    # the old name are not. Rows naming a stream count by the file's content too.
    (tmp_path / "copy.csv").write_bytes((tmp_path / "short.csv").read_bytes())
    drawn = definitions(load_scenario(tmp_path / "short.yaml"))
    assert drawn == definitions(load_scenario(tmp_path / "short.yaml",
                                              ["waiting_list.csv=copy.csv"]))
    streamed = "request_date,category,demand_mw,stream\n2021-03-01,other,0.3,other\n"
    (tmp_path / "copy.csv").write_text(streamed, encoding="utf-8")
    before = definitions(load_scenario(tmp_path / "short.yaml", ["waiting_list.csv=copy.csv"]))
    (tmp_path / "copy.csv").write_text(streamed + "2021-04-01,other,0.5,other\n",
                                       encoding="utf-8")
    after = definitions(load_scenario(tmp_path / "short.yaml", ["waiting_list.csv=copy.csv"]))
    assert before["other (waiting list)"] != after["other (waiting list)"]
    assert before["other"] == after["other"]
    del paths


def test_runs_of_different_periods_are_marked_not_like_with_like(family: dict[str, Path]):
    """A longer run counts requests the other never sees: not the same applicants.

    Its rows once read every_applicant, and the answer a change of the horizon alone as an
    effect on the same applicants ('basic needs 0.63 years longer' with about a thousand
    more requests a replication, all after the shorter run's end).
    """
    longer = compare([family["social_priority"], family["social_priority"]],
                     ["2:end=2027-01-01", "2:name=longer"], workers=1)
    rows = longer.differences
    assert set(zip(rows["population"], rows["origin"], strict=True)) == {
        (PERIODS_DIFFER, "the runs end on different dates (2027-01-01 against 2026-01-01)")}
    (text,) = longer.sentences()
    assert ("): every applicant, not like with like: the runs end on different dates "
            "(2027-01-01 against 2026-01-01) — ") in text
    table = next(t for t in key_tables(longer.table) if t.title == "All applicants")
    assert any("not like with like: the periods differ" in note for _, note, _ in table.rows)


def test_a_named_project_moved_in_time_leads_with_when_it_was_connected(
    family: dict[str, Path],
):
    """A named project set apart says how often and when it was connected in each scenario.

    Its answer once led with a mean wait within a window both versions filled ('the same in
    every replication', for a campus connected in every replication and one in none), and
    called one fixed request 'other applicants'.
    """
    moved = compare([family["social_priority"], family["social_priority"]],
                    ["2:projects.0.date=2025-12-01", "2:name=late"], workers=1)
    rows = moved.differences
    assert (DRAWN_DIFFERENTLY, "Campus") in set(zip(rows["population"], rows["origin"],
                                                    strict=True))
    (text,) = moved.sentences()
    projects = {label: r.projects.set_index("project") for label, r in moved.results.items()}
    share = {label: float(p.loc["Campus", "connected_share"]) for label, p in projects.items()}
    assert share["social_priority"] > share["late"]
    part = text[text.index("; Campus, "):]
    assert part.startswith(
        "; Campus, requested differently (the same named project, another request): "
        + ("connected in no replication" if share["late"] == 0
           else f"connected by the end of the run in {share['late']:.0%} of replications"))
    assert (f" in late, against connected by the end of the run in "
            f"{share['social_priority']:.0%} of replications, median ") in part
    assert "other applicants" not in text and "the same in every replication" not in text
    assert "; Campus: " not in text  # not again among the projects of both


def test_same_streams_compare_every_applicant(comparison: Comparison):
    """A variant with the reference's streams compares every applicant, as before."""
    assert set(comparison.table["population"]) == {EVERY_APPLICANT}
    assert set(comparison.table["origin"]) == {""}


def test_figures_of_every_origin_are_the_run_s_own(comparison: Comparison):
    """Figures over a part of the applicants are worked out as the run's: over all, the same.

    MW-years left idle belong to an area's capacity, not to a part of its queue, and the MW
    capacity releases freed are not in applicants.csv: empty. The request times come from the
    request dates, to the day, so a share connected within a window may count one request more
    or less at the window's edge.
    """
    results = comparison.results["social_priority"]
    every = list(categories_by_origin(results.applicants))
    mine = population_metrics(results, every).set_index(["replication", "group", "metric"])
    own = results.replication_metrics.set_index(["replication", "group", "metric"])
    assert mine.index.equals(own.index)
    metric = own.index.get_level_values("metric")
    idle = metric.isin(["idle_mw_years", "mw_freed"])
    edge = metric.str.startswith("connected_within_")
    assert mine.loc[idle, "value"].isna().all()
    exact = ~idle & ~edge
    np.testing.assert_allclose(mine.loc[exact, "value"], own.loc[exact, "value"], rtol=1e-12)
    np.testing.assert_allclose(mine.loc[edge, "value"], own.loc[edge, "value"], atol=0.02)


def test_the_reference_level_of_the_applicants_of_both_is_written_beside_the_difference(
    variants: Comparison, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
):
    """comparison.csv gives the reference's level of the population each difference counts.

    The reference's own rows count all its applicants, the difference only those both
    scenarios have: removing a stream, the rows read 9.040 and 8.681 beside a difference of
    -0.432, and the answers' "from" (the variant's mean less the difference) was written
    nowhere. ``reference_mean`` plus the difference is the variant's mean, and it is the
    reference's mean of those applicants over the replications the difference counts.
    """
    without_figures(monkeypatch)  # its table and the report's words are read
    variants.write(tmp_path / "cmp")
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    assert tuple(table.columns) == COMPARISON_COLUMNS
    assert COMPARISON_COLUMNS[-1] == "reference_mean"  # added last: the others keep their places
    rows = table[(table["scenario"] == "no_other") & (table["population"] == IN_BOTH)]
    known = rows[rows["difference"].notna()]
    assert len(known) > 10 and known["reference_mean"].notna().all()
    assert rows.loc[rows["difference"].isna(), "reference_mean"].isna().all()
    np.testing.assert_allclose(known["reference_mean"] + known["difference"], known["mean"],
                               rtol=1e-12, atol=1e-9)
    assert table.loc[table["scenario"] == "social_priority", "reference_mean"].isna().all()
    # The reference's figures of the applicants of both, over the replications both ran.
    reference = variants.results["social_priority"]
    both = [o for o in categories_by_origin(reference.applicants) if o != "other"]
    mine = population_metrics(reference, both)
    level = mine.groupby(["group", "metric"])["value"].mean()
    got = known.set_index(["group", "metric"])["reference_mean"]
    for key in [("basic_needs", "connected_within_2y"), ("all", "mw_connected")]:
        assert got[key] == pytest.approx(level[key], rel=1e-12)
    own = _row(table, "social_priority", "all", "mw_connected")
    assert got[("all", "mw_connected")] < own["mean"]  # not the reference's own row
    # The answer's "from" (its lead figure here, the years without a connection to the end of
    # the run) is the value written in comparison.csv, and so is the report's.
    text = next(s for s in variants.sentences() if s.startswith("no_other against"))
    assert text.startswith("no_other against social_priority (mean years without a "
                           "connection, to the end of the run")
    found = re.search(r"basic-needs applicants: ([\d.]+) years \w+, "
                      r"from ([\d.]+) to ", text)
    assert found, text
    decimals = len(found[2].partition(".")[2])
    lead = got[("basic_needs", "wait_to_end_years")]
    assert found[2] == f"{lead:.{decimals}f}"
    share = got[("basic_needs", "connected_within_2y")]
    basic = next(t for t in key_tables(variants.table) if t.title == "Basic needs")
    (cells,) = [cells for label, _, cells in basic.rows if label == "no_other"]
    note = cells[HEADLINE_METRICS.index("connected_within_2y")].note
    shown = re.search(r", from ([\d.]+)%$", note)
    assert shown, note
    assert float(shown[1]) == pytest.approx(share * 100,
                                            abs=10 ** -len(shown[1].partition(".")[2]))
    report = (tmp_path / "cmp" / "report.html").read_text(encoding="utf-8")
    assert html.escape(note) in report


def test_the_differences_figure_draws_the_like_with_like_rows(variants: Comparison):
    """Rows set apart have no category: the forest plot leaves them to the tables."""
    fig = variants.differences_figure()
    labels = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert {"homes vs social_priority (of both)", "moved vs social_priority (of both)",
            "all_redrawn vs social_priority"} <= labels


def answer_table(rows: list[tuple], reference: str) -> pd.DataFrame:
    """A comparison table of question Q, each estimate its mean.

    Rows are (scenario, population, origin, group, metric, mean, difference, its interval).
    """
    table = pd.DataFrame(rows, columns=["scenario", "population", "origin", "group", "metric",
                                        "mean", "difference", "difference_ci_low",
                                        "difference_ci_high"])
    table[["estimate", "ci_low", "ci_high"]] = table[["mean", "mean", "mean"]].to_numpy()
    table[["question", "reference", "paired"]] = ["Q", reference, True]
    return table


def test_a_project_only_in_the_variant_says_how_often_it_was_connected():
    """A single applicant set apart: in how many replications it connected, not '1.0 of 1.0'."""
    rows = [("sp", IN_BOTH, "", group, metric, 10.0, 2.0, 1.0, 3.0)
            for group in ("basic_needs", "other")
            for metric in ("applicants", "connected", HEADLINE_METRICS[0])]
    rows += [("sp", ONLY_IN_VARIANT, "Campus", "all", metric, mean, math.nan, math.nan,
              math.nan) for metric, mean in (("applicants", 1.0), ("connected", 0.8),
                                             ("withdrawn", 0.0), (HEADLINE_METRICS[0], 7.5))]
    (text,) = sentences(answer_table(rows, reference="fifo"))
    assert text.endswith("; Campus (only in sp): connected by the end of the run in 80% of "
                         "replications; its mean wait in the first 10 years: 7.5 years (95% CI "
                         "7.5 to 7.5).")
    # With its projects.csv, it says when, over every replication (not connected: later).
    projects = pd.DataFrame({
        "project": ["Campus", "Elsewhere"], "connected_share": [0.8, 0.0],
        "withdrawn_share": [0.0, 0.0],
        "connect_date_p10": ["2031-02-01", None], "connect_date_p50": ["2032-06-30", None],
        "connect_date_p90": [None, None]})
    dates = project_dates({"sp": projects})
    assert dates[("sp", "Elsewhere")] == "connected in no replication by the end of the run"
    older = project_dates({"sp": projects.drop(columns="withdrawn_share")})  # an older folder
    assert older[("sp", "Elsewhere")] == dates[("sp", "Elsewhere")]
    (text,) = sentences(*_dated(answer_table(rows, reference="fifo"), dates))
    assert text.endswith("connected by the end of the run in 80% of replications, "
                         "median 2032-06-30 (10% to 90%: 2031-02-01 to not by the end)"
                         "; its mean wait in the first 10 years: 7.5 years (95% CI 7.5 to 7.5).")
    # Its projects.csv of other replications, whose share rounds otherwise: said once, the line's.
    other = project_dates({"sp": projects.assign(connected_share=[0.79, 0.0])})
    (text,) = sentences(*_dated(answer_table(rows, reference="fifo"), other))
    assert text.count("connected by the end of the run in") == 1 and "79%" not in text
    rows[-2] = (*rows[-2][:5], 0.2, *rows[-2][6:])  # withdrawn in a fifth of them
    (text,) = sentences(answer_table(rows, reference="fifo"))
    assert text.endswith("80% of replications, withdrew in 20%; its mean wait in the first 10 "
                         "years: 7.5 years (95% CI 7.5 to 7.5).")
    # Withdrawn in every replication: its wait within 10 years is the window itself, which
    # read as a wait of ten years; only how it fared is said.
    gone = [row for row in rows if row[2] != "Campus"]
    gone += [("sp", ONLY_IN_VARIANT, "Campus", "all", metric, mean, math.nan, math.nan,
              math.nan) for metric, mean in (("applicants", 1.0), ("connected", 0.0),
                                             ("withdrawn", 1.0), (HEADLINE_METRICS[0], 10.0))]
    (text,) = sentences(answer_table(gone, reference="fifo"))
    assert text.endswith("; Campus (only in sp): connected by the end of the run in 0% of "
                         "replications, withdrew in 100%.")


def test_a_share_of_replications_never_reads_none_or_all_when_it_is_neither():
    """A project connected in 199 of 200 replications read 'in 100% of replications'.

    Where rounding would make a share between 0 and 1 read 0% or 100%, the count is said
    where the rows know it ('199 of 200'), else '>99%' or '<1%'; a share that rounds cleanly
    reads as before.
    """
    rows = [("sp", IN_BOTH, "", "other", metric, 10.0, 2.0, 1.0, 3.0)
            for metric in ("applicants", "connected", HEADLINE_METRICS[0])]
    rows += [("sp", ONLY_IN_VARIANT, "Campus", "all", metric, mean, *[math.nan] * 3)
             for metric, mean in (("applicants", 1.0), ("connected", 199 / 200),
                                  ("withdrawn", 1 / 200), (HEADLINE_METRICS[0], 7.5))]
    table = answer_table(rows, reference="fifo")
    (text,) = sentences(table)
    assert ("Campus (only in sp): connected by the end of the run in >99% of replications, "
            "withdrew in <1%;") in text
    (text,) = sentences(table.assign(replications=200))
    assert ("Campus (only in sp): connected by the end of the run in 199 of 200 replications, "
            "withdrew in 1 of 200;") in text
    assert "100%" not in text and " 0%" not in text
    # projects.csv knows its replications: the dates lead with the count too.
    projects = pd.DataFrame({
        "project": ["Campus", "Depot", "Park"], "replications": [200, 200, 200],
        "connected_share": [199 / 200, 1 / 200, 0.0], "withdrawn_share": [0.0, 0.0, 1 / 200],
        "connect_date_p10": ["2031-02-01", None, None],
        "connect_date_p50": ["2032-06-30", None, None], "connect_date_p90": [None] * 3})
    dates = project_dates({"sp": projects})
    assert dates[("sp", "Campus")].startswith(
        "connected by the end of the run in 199 of 200 replications, median 2032-06-30")
    assert dates[("sp", "Depot")].startswith(
        "connected by the end of the run in 1 of 200 replications, median: not by the end")
    assert dates[("sp", "Park")] == "connected in no replication (withdrew in 1 of 200)"
    # A line that says its own share drops the one leading the dates, whatever its words.
    (text,) = sentences(*_dated(table.assign(replications=200), dates))
    assert text.count("connected by the end of the run in") == 1
    # Shares that round cleanly read as they did.
    assert project_dates({"sp": projects.assign(connected_share=[0.8, 0.0, 0.0],
                                                withdrawn_share=[0.0, 0.0, 0.2])})[
        ("sp", "Park")] == "connected in no replication (withdrew in 20%)"


def test_a_project_in_both_says_a_share_near_all_as_a_count():
    """Against the reference, a project connected in 1 of 300 paired replications read 0%."""
    rows = [("onsite", IN_BOTH, "", "other", metric, 10.0, 2.0, 1.0, 3.0)
            for metric in ("applicants", "connected", HEADLINE_METRICS[0])]
    rows += [("onsite", DRAWN_DIFFERENTLY, "Campus", "all", metric, mean, difference,
              math.nan, math.nan)
             for metric, mean, difference in (("applicants", 1.0, 0.0),
                                              ("connected", 299 / 300, 298 / 300),
                                              (HEADLINE_METRICS[0], 7.5, 0.0))]
    projects = {label: pd.DataFrame({
        "project": ["Campus"], "replications": [300], "connected_share": [share],
        "withdrawn_share": [0.0], "connect_date_p10": [None], "connect_date_p50": [p50],
        "connect_date_p90": [None]}) for label, share, p50 in (
            ("onsite", 299 / 300, "2032-06-29"), ("campus", 1 / 300, None))}
    table = answer_table(rows, reference="campus").assign(replications=300)
    (text,) = sentences(*_dated(table, project_dates(projects)))
    assert ("Campus, requested differently (the same named project, another request): "
            "connected by the end of the run in 299 of 300 replications, median 2032-06-29 "
            "(10% to 90%: not by the end to not by the end) in onsite, against connected by "
            "the end of the run in 1 of 300 replications, median: not by the end") in text
    # Unpaired, the reference's share is of its own replications, which the row does not count.
    (text,) = sentences(*_dated(table.assign(paired=False), project_dates(projects)))
    assert "against connected by the end of the run in <1% of replications, median" in text


def test_a_project_asked_too_late_for_any_figure_still_says_how_it_fared():
    """A project asked for near the end has no wait to give: it said a bare 'not defined'."""
    from sim.report.narrative import OWN_FIGURES

    rows = [("sp", IN_BOTH, "", "other", metric, 10.0, 2.0, 1.0, 3.0)
            for metric in ("applicants", "connected", HEADLINE_METRICS[0])]
    figures = {"applicants": 1.0, "connected": 0.0, "withdrawn": 0.0,
               **dict.fromkeys(OWN_FIGURES, math.nan)}
    rows += [("sp", ONLY_IN_VARIANT, "Late school", "all", metric, mean, *[math.nan] * 3)
             for metric, mean in figures.items()]
    (text,) = sentences(answer_table(rows, reference="fifo"))
    assert text.endswith("; Late school (only in sp): connected by the end of the run in 0% of "
                         "replications.")


def test_an_answer_says_where_nobody_of_a_group_was_connected():
    """A wait counting everyone is defined with nobody connected: the answer says so beside it."""
    rows = [("mine", IN_BOTH, "", group, metric, mean, 2.9, 2.5, 3.3)
            for group in ("congestion_relief", "other")
            for metric, mean in (("applicants", 12.0), ("connected", float(group == "other")),
                                 (HEADLINE_METRICS[0], 10.0))]
    base = answer_table([("base", "every_applicant", "", group, metric, mean, *[math.nan] * 3)
                         for group in ("congestion_relief", "other")
                         for metric, mean in (("applicants", 12.0), ("connected", 3.0),
                                              (HEADLINE_METRICS[0], 7.1))], reference="")
    table = pd.concat([base.assign(question=""), answer_table(rows, reference="base")])
    (text,) = sentences(table)
    assert "congestion-relief applicants: 2.9 years longer, from 7.1 to 10.0 (95% CI 2.5 to " \
           "3.3) (none connected in mine); other businesses: 2.9 years longer" in text
    assert text.count("none connected") == 1


def test_a_project_in_both_scenarios_says_when_it_was_connected_in_each():
    """A variant changing a project (on-site generation, say): its dates in both, or 'in both'."""
    rows = [(scenario, IN_BOTH, "", "other", metric, 10.0, 2.0, 1.0, 3.0)
            for scenario in ("onsite",) for metric in ("applicants", "connected",
                                                       HEADLINE_METRICS[0])]

    def connected(p50: str | None, share: float = 1.0, withdrawn: float = 0.0) -> pd.DataFrame:
        return pd.DataFrame({"project": ["Campus"], "connected_share": [share],
                             "withdrawn_share": [withdrawn],
                             "connect_date_p10": ["2033-01-01"], "connect_date_p50": [p50],
                             "connect_date_p90": ["2034-01-01"]})

    later = project_dates({"onsite": connected("2033-06-30"), "campus": connected("2033-09-30")})
    (text,) = sentences(*_dated(answer_table(rows, reference="campus"), later))
    assert text.endswith("; Campus: median 2033-06-30 (10% to 90%: 2033-01-01 to 2034-01-01), "
                         "against median 2033-09-30 (10% to 90%: 2033-01-01 to 2034-01-01) in "
                         "campus.")
    same = project_dates({"onsite": connected("2033-06-30"), "campus": connected("2033-06-30")})
    (text,) = sentences(*_dated(answer_table(rows, reference="campus"), same))
    assert text.endswith("; Campus: median 2033-06-30 (10% to 90%: 2033-01-01 to 2034-01-01) "
                         "in both.")
    # Never connected in the variant: said, not left out (a campus asked for in 2028 instead).
    never = project_dates({"onsite": connected(None, share=0.0, withdrawn=0.3),
                           "campus": connected("2033-09-30")})
    (text,) = sentences(*_dated(answer_table(rows, reference="campus"), never))
    assert text.endswith("; Campus: connected in no replication (withdrew in 30%), against "
                         "median 2033-09-30 (10% to 90%: 2033-01-01 to 2034-01-01) in campus.")


def test_a_named_waiting_list_row_of_one_scenario_says_when_it_was_connected():
    """A variant with the list from a spreadsheet: its named rows were in no answer.

    A named project of one scenario is set apart with its dates; a named row of a waiting-list
    CSV, counted in its stream's group of the list, was left unsaid, in either direction.
    """
    rows = [("listed", IN_BOTH, "", "other", metric, 10.0, 2.0, 1.0, 3.0)
            for metric in ("applicants", "connected", HEADLINE_METRICS[0])]

    def named(name: str, source: str) -> pd.DataFrame:
        return pd.DataFrame({"project": [name], "source": [source], "connected_share": [1.0],
                             "withdrawn_share": [0.0], "connect_date_p10": ["2023-01-01"],
                             "connect_date_p50": ["2023-01-01"],
                             "connect_date_p90": ["2023-01-01"]})

    dates = project_dates({"listed": named("Cheese dairy", "waiting_list"),
                           "generated": named("Old mill", "waiting_list")})
    (text,) = sentences(*_dated(answer_table(rows, reference="generated"), dates))
    assert text.endswith("; Cheese dairy (waiting list) (only in listed): median 2023-01-01 "
                         "(10% to 90%: 2023-01-01 to 2023-01-01); Old mill (waiting list) "
                         "(only in generated): median 2023-01-01 (10% to 90%: 2023-01-01 to "
                         "2023-01-01).")


def test_a_project_in_both_connected_in_some_replications_says_in_how_many():
    """A median over every replication hides how often the project was not connected at all.

    Connected in 8 of 12 replications of the reference, its median date read like the date of
    every replication: the share connected by the end comes first, as for a project in one.
    """
    rows = [("onsite", IN_BOTH, "", "other", metric, 10.0, 2.0, 1.0, 3.0)
            for metric in ("applicants", "connected", HEADLINE_METRICS[0])]
    projects = {label: pd.DataFrame({
        "project": ["Campus"], "connected_share": [share], "withdrawn_share": [0.0],
        "connect_date_p10": ["2031-12-01"], "connect_date_p50": ["2032-06-29"],
        "connect_date_p90": [p90]}) for label, share, p90 in (
            ("onsite", 1.0, "2034-01-01"), ("campus", 8 / 12, None))}
    (text,) = sentences(*_dated(answer_table(rows, reference="campus"), project_dates(projects)))
    assert text.endswith("; Campus: median 2032-06-29 (10% to 90%: 2031-12-01 to 2034-01-01), "
                         "against connected by the end of the run in 67% of replications, "
                         "median 2032-06-29 (10% to 90%: 2031-12-01 to not by the end) in "
                         "campus.")


def test_an_answer_with_non_firm_rights_adds_the_firm_wait_and_the_rights():
    """A right ends the lead figure's wait: the answer adds the firm wait and who got rights."""
    figures = {HEADLINE_METRICS[0]: (6.0, -1.0), "wait_firm_rmst_10y_years": (9.5, 0.5),
               "applicants": (100.0, 0.0), "connected": (60.0, 10.0),
               "non_firm_connected": (40.0, 40.0), "mw_non_firm": (20.0, 20.0),
               "moved_to_firm": (12.0, 12.0), "non_firm_usable_share": (0.85, 0.85)}
    rows = [("nf", IN_BOTH, "", group, metric, mean, difference, difference - 0.1,
             difference + 0.1) for group in ("other", "all")
            for metric, (mean, difference) in figures.items()]
    table = answer_table(rows, reference="base")
    (text,) = sentences(table)
    assert "; but to a full firm connection (a partial one or a non-firm right does not " \
           "count), everyone compared: 0.50 years longer" in text
    # Whole counts read whole; MW keep their decimal.
    assert text.endswith("; over the run, on average 40 applicants got a non-firm right "
                         "(20.0 MW in all, not at once), usable for 85% of their MW-hours, "
                         "and 12 of them moved to firm.")
    same = table.assign(mean=np.where(table["metric"] == "wait_firm_rmst_10y_years", 6.0,
                                      table["mean"]))
    same["estimate"] = same["mean"]
    text = sentences(same)[0]
    assert "full firm" not in text and "got a non-firm right" not in text
    # What all of them count as connected says that rights count, where any were granted.
    assert "overall, by the end of the run — connected (in part or by a non-firm right " \
           "included): 10.0 more" in text
    # Without any right granted, only a part can have ended a wait: no rights are named.
    partial = table[~table["metric"].isin(["non_firm_connected", "mw_non_firm",
                                           "moved_to_firm", "non_firm_usable_share"])]
    text = sentences(partial)[0]
    assert "overall, by the end of the run — connected (in part included): 10.0 more" in text
    # The years held back in all end at that first connection, whole request and all.
    waited = pd.concat([partial, partial[partial["metric"] == "connected"].assign(
        metric="mw_years_waiting")], ignore_index=True)
    assert "MW-years held back (until a first connection): 10.0 more" in sentences(waited)[0]
    firm = waited[~waited["metric"].isin(["wait_firm_rmst_10y_years"])]
    assert "MW-years held back: 10.0 more" in sentences(firm)[0]


def test_a_firm_wait_that_moves_against_the_lead_reads_but_right_after_everyone():
    """Rights of a crowded pool shortened the lead wait as the firm wait grew.

    621 rights a replication to a 5 MW pool, usable for 0.76% of their MW-hours, read
    'applicants overall: 1.4 years shorter', the longer wait to a full firm connection a
    few items further on, and the usable share as 1%. The firm wait now follows the line
    over everyone, set against it, and the share keeps its digits.
    """
    figures = {HEADLINE_METRICS[0]: (7.6, -1.4), "wait_firm_rmst_10y_years": (9.2, 0.2),
               "applicants": (100.0, 0.0), "connected": (60.0, 10.0),
               "non_firm_connected": (621.0, 621.0), "mw_non_firm": (900.0, 900.0),
               "moved_to_firm": (2.0, 2.0), "non_firm_usable_share": (0.0076, 0.0076)}
    rows = [("nf", IN_BOTH, "", group, metric, mean, difference, difference - 0.1,
             difference + 0.1) for group in ("other", "safety", "all")
            for metric, (mean, difference) in figures.items()]
    (text,) = sentences(answer_table(rows, reference="base"))
    overall = text.index("applicants overall")
    firm = text.index("; but to a full firm connection (a partial one or a non-firm right "
                      "does not count), everyone compared: 0.20 years longer")
    assert overall < firm < text.index("got a non-firm right")
    assert "usable for 0.76% of their MW-hours, and" in text
    # How it reached them, where the tables have it: rotation cuts the hours.
    rows += [("nf", IN_BOTH, "", "all", metric, share, share, share - 0.01, share + 0.01)
             for metric, share in (("non_firm_hours_share", 0.0095),
                                   ("non_firm_mw_share", 0.8))]
    (text,) = sentences(answer_table(rows, reference="base"))
    assert "usable for 0.76% of their MW-hours (0.95% of the hours, at 80% of their MW, " \
           "each weighted by MW), and 2 of them moved to firm" in text


def test_an_answer_with_partial_connections_says_how_many_were_connected_in_part():
    """Partial offers end the lead figure's wait too: the answer says how many took a part.

    It said the wait for a full firm connection but not how many applicants the partial
    offers connected first in part, which the report gave nowhere else.
    """
    figures = {HEADLINE_METRICS[0]: (6.0, -1.0), "wait_firm_rmst_10y_years": (9.5, 0.5),
               "applicants": (100.0, 0.0), "connected": (60.0, 10.0),
               "connected_in_part": (3.8, 3.8)}
    rows = [("po", IN_BOTH, "", group, metric, mean, difference, difference - 0.1,
             difference + 0.1) for group in ("other", "all")
            for metric, (mean, difference) in figures.items()]
    table = answer_table(rows, reference="base")
    (text,) = sentences(table)
    assert text.endswith("; over the run, on average 3.8 applicants were connected first with "
                         "a part of their request.")
    none = table[table["metric"] != "connected_in_part"]
    assert "a part of their request" not in sentences(none)[0]


def test_an_answer_with_first_connections_in_part_says_whom_still_waiting_counts():
    """Where a part or a right counts as connected, those still waiting have no connection.

    One connected in part or holding a non-firm right still waits for firm MW, so 'still
    waiting at the end' alone read as if it counted everyone waiting for it: 12.7 fewer in
    non_firm against social_priority, where only those without any connection were counted.
    """
    figures = {HEADLINE_METRICS[0]: (6.0, -1.0), "wait_firm_rmst_10y_years": (9.5, 0.5),
               "applicants": (100.0, 0.0), "connected": (60.0, 10.0), "waiting": (30.0, -8.0)}
    rows = [("po", IN_BOTH, "", group, metric, mean, difference, difference - 0.1,
             difference + 0.1) for group in ("other", "all")
            for metric, (mean, difference) in figures.items()]
    table = answer_table(rows, reference="base")
    assert "; still waiting at the end without any connection: 8.0 fewer" in sentences(table)[0]
    firm = table[table["metric"] != "wait_firm_rmst_10y_years"]  # every connection whole, firm
    text = sentences(firm)[0]
    assert "; still waiting at the end: 8.0 fewer" in text and "without any" not in text


def test_an_input_given_twice_as_it_is_is_named_in_a_warning(
    family: dict[str, Path], tmp_path: Path
):
    """The same results folder or scenario file twice is compared with itself: say so."""
    run(load_scenario(family["fifo"], {"replications": 2}), workers=1).write(tmp_path / "fifo")
    with pytest.warns(GridqueueWarning, match=r"fifo/\.\./fifo: given twice \(as .*fifo\), so "
                      r"it is compared with itself: every paired difference is zero$"):
        compare([tmp_path / "fifo", tmp_path / "fifo" / ".." / "fifo"])
    with pytest.warns(GridqueueWarning, match=r"fifo.yaml: given twice, .* --set N:KEY=VALUE "
                      r"\(N its place among the inputs, e.g. --set 2:grid.capacity_mw=8\)$"), \
            arguments_as_options():
        compare([family["fifo"], family["fifo"]], replications=2, workers=1)
    with pytest.warns(GridqueueWarning, match=r"fifo.yaml: given twice, .* change one copy with "
                      r"overrides=\['N:KEY=VALUE'\] \(N its place among the inputs, e.g. "
                      r"overrides=\['2:grid.capacity_mw=8'\]\)$") as caught:  # as Python takes it
        compare([family["fifo"], family["fifo"]], replications=2, workers=1)
    assert not any("--" in str(warning.message) for warning in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)  # a changed copy is a variant
        changed = compare([family["fifo"], family["fifo"]], ["2:grid.capacity_mw=9"],
                          replications=2, workers=1)
    assert len(changed.questions) == 1


WAITING_BEFORE_START = """\
name: listed
start: 2025-01-01
end: 2029-01-01
seed: 3
replications: 2
grid: {capacity_mw: 1}
waiting_list: {count: 12, earliest: 2023-01-01, latest: 2024-12-31}
streams:
  logistics:
    category: other
    rate_per_year: 6
    demand_mw: 0.5
    jobs: 10
    patience_years: 1.5
"""


@pytest.mark.parametrize("earlier", ["withdrawn to withdrawal", "and years before the start"])
def test_a_folder_counting_years_as_an_earlier_version_is_warned_of_in_a_comparison(
        tmp_path, earlier):
    """Job- and MW-years now count from the start and, for those who withdrew, to the end.

    Earlier versions ended the years of those who withdrew at their withdrawal, and the
    first of them also counted a waiting list's years before the start: beside a folder
    written since, of the very same scenario, its paired difference read job-years that no
    scenario caused. It is named, and a folder written since is not.
    """
    path = tmp_path / "listed.yaml"
    path.write_text(WAITING_BEFORE_START, encoding="utf-8")
    new = run(load_scenario(path), workers=1).write(tmp_path / "new")
    old = shutil.copytree(new, tmp_path / "old")
    applicants = pd.read_csv(new / "applicants.csv", parse_dates=["request_date"])
    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2029-01-01")
    waits = applicants["wait_years"]
    # the years from a withdrawal to the end, which the earlier ways left out
    to_end = (end - applicants["request_date"]).dt.days / 365.25
    extra = -(to_end - waits).where(applicants["outcome"] == "withdrawn", 0.0)
    if earlier == "and years before the start":
        extra += ((start - applicants["request_date"]).dt.days / 365.25
                  ).clip(lower=0).clip(upper=waits)
    assert (extra != 0).any()
    metrics = pd.read_csv(old / "replication_metrics.csv")
    for metric, weight in (("job_years_waiting", "jobs"), ("mw_years_waiting", "requested_mw")):
        change = (applicants[weight] * extra).groupby(applicants["replication"]).sum()
        rows = (metrics["metric"] == metric) & (metrics["group"] == "all")
        metrics.loc[rows, "value"] += metrics.loc[rows, "replication"].map(change).to_numpy()
    metrics.to_csv(old / "replication_metrics.csv", index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare([new, old], workers=1)
    said = [str(w.message) for w in caught if issubclass(w.category, GridqueueWarning)
            and "job-years and MW-years count otherwise" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(f"{old}: written by an earlier gridqueue")


def test_a_folder_of_this_version_is_not_taken_for_an_earlier_ones_count(tmp_path):
    """A list asked a day or two before the start, and hundreds still waiting at the end.

    Request dates are to the day, so each one's years without a connection, worked out again
    from applicants.csv, may read up to a day more than the run counted: summed over 467
    still waiting, that came to more than the list's years before the start, and a folder
    just written was said to be an earlier gridqueue's.
    """
    path = tmp_path / "late_list.yaml"
    path.write_text(WAITING_BEFORE_START.replace(
        "waiting_list: {count: 12, earliest: 2023-01-01, latest: 2024-12-31}",
        "waiting_list: {count: 2, earliest: 2024-12-30, latest: 2024-12-31}").replace(
        "rate_per_year: 6", "rate_per_year: 60").replace("patience_years: 1.5",
                                                         "patience_years: 50"), encoding="utf-8")
    written = run(load_scenario(path), workers=1).write(tmp_path / "late")
    assert (Results.read(written).applicants["outcome"] == "waiting").sum() > 400
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare([written, path], workers=1)
    assert not [w for w in caught if "count otherwise" in str(w.message)]


PARTLY_CONNECTED = """\
name: in_part
start: 2025-01-01
end: 2027-01-01
seed: 3
replications: 2
grid: {capacity_mw: 1}
projects:
  - {name: Depot, date: 2025-02-01, demand_mw: 3, jobs: 40, partial_min_share: 0.2}
"""


def test_a_folder_counting_mw_waiting_without_rests_is_warned_of_in_a_comparison(tmp_path,
                                                                                monkeypatch):
    """MW still waiting now count the rest of a request connected in part.

    A folder written before (no waiting_mw in applicants.csv) left it out: the Depot,
    connected with 1 of its 3 MW, added nothing, against 2 MW now, a difference no scenario
    caused. It is named, and a folder written since is not.
    """
    path = tmp_path / "in_part.yaml"
    path.write_text(PARTLY_CONNECTED, encoding="utf-8")
    new = run(load_scenario(path), workers=1).write(tmp_path / "new")
    applicants = pd.read_csv(new / "applicants.csv")
    assert applicants["waiting_mw"].tolist() == pytest.approx([2.0, 2.0])
    old = shutil.copytree(new, tmp_path / "old")
    applicants.drop(columns="waiting_mw").to_csv(old / "applicants.csv", index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare([new, old], workers=1)
    said = [str(w.message) for w in caught if issubclass(w.category, GridqueueWarning)
            and "MW still waiting" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(f"{old}: written by an earlier gridqueue")
    # A connection that ended (a right held without a firm place, at its lifetime's end) left
    # nothing in line: such a folder's count was whole, and is not warned of.
    ended = shutil.copytree(old, tmp_path / "ended")
    table = pd.read_csv(ended / "applicants.csv")
    table.assign(release_date=table["connect_date"]).to_csv(ended / "applicants.csv",
                                                            index=False)
    assert Results.read(old).mw_waiting_without_rests()
    assert not Results.read(ended).mw_waiting_without_rests()
    # and its own report, whose words count the rests, says so too
    from sim.report.run import write_report

    without_figures(monkeypatch)  # the warning is the report's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_report(old)
        write_report(new)
    said = [str(w.message) for w in caught if issubclass(w.category, GridqueueWarning)
            and "MW still waiting" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(f"{old}: written by an earlier gridqueue")


def test_a_single_category_answer_names_whom_it_leaves_out(tmp_path: Path):
    """With one category, the line over everyone compared names the project set apart.

    K2 moves into safety and is served before K1, whose wait grows from 365 days to the end
    of the run (1,094 days). K2 is compared on its own, so the line over the rest counts
    K1 alone; it read 'applicants overall: 2.0 years longer', beside an overall change of
    nearly nothing once K2's year less is counted.
    """
    ref = tmp_path / "ref.yaml"
    ref.write_text("""\
start: 2025-01-01
end: 2027-12-31
replications: 2
grid:
  capacity_mw: 0
  upgrades:
    - {name: station, date: 2026-01-01, add_mw: 0.5}
policy: {order: social_priority}
projects:
  - {name: K1, date: 2025-01-01, demand_mw: 0.5}
  - {name: K2, date: 2025-02-01, demand_mw: 0.5}
""", encoding="utf-8")
    changed = tmp_path / "changed.yaml"
    changed.write_text(f"""\
extends: {ref.name}
projects:
  - {{name: K1, date: 2025-01-01, demand_mw: 0.5}}
  - {{name: K2, date: 2025-02-01, demand_mw: 0.5, priority_requested: true,
      category_changes: [{{date: 2025-06-01, category: safety}}]}}
""", encoding="utf-8")
    (text,) = compare([ref, changed], workers=1).sentences()
    assert "applicants overall:" not in text and "applicants overall," not in text, text
    assert "applicants overall without K2: 2.0 years longer, from 1.0 to 3.0" in text, text
    assert "applicants overall without K2, by the end of the run — connected: 1.0 fewer" \
        in text, text


def _without_to_end(results: Results, asked: bool) -> pd.Series:
    """Those who asked (or not): mean years without a connection to the end, by replication.

    Worked out here from applicants.csv alone, not by the key-figure machinery.
    """
    rows = results.applicants[results.applicants["priority_requested"] == asked]
    start, end = pd.Timestamp(results.scenario.start), pd.Timestamp(results.scenario.end)
    to_end = (end - rows["request_date"]).dt.days / 365.25
    without = np.where(rows["outcome"] == "connected", rows["wait_years"], to_end)
    assert (rows["request_date"] >= start).all()  # no waiting list: nothing before the start
    return pd.Series(without, index=rows.index).groupby(rows["replication"]).mean()


def test_an_answer_on_rounds_gives_those_without_priority_and_those_with_it(
        family: dict[str, Path], tmp_path: Path):
    """Rounds: the answer adds those who did not ask for priority, and those who did, each as one.

    Rounds serve those who asked for priority between rounds; half of basic needs do not ask
    here, and sit in their category's line beside those who did. The bundled question on what
    rounds cost those without priority gave no line of them: congestion relief read "0.023
    years shorter" while those of it without priority waited 0.047 years longer.
    """
    (tmp_path / "half_asked.yaml").write_text(
        f"extends: {family['social_priority']}\nname: half_asked\n"
        "priority_uptake: {basic_needs: 0.5}\n", encoding="utf-8")
    (tmp_path / "in_rounds.yaml").write_text(
        "extends: half_asked.yaml\nname: in_rounds\npolicy:\n  order: social_priority\n"
        "  allocation: rounds\n  rounds:\n    dates: [2023-01-01, 2024-01-01, 2025-01-01]\n"
        "    between_rounds: [basic_needs]\n", encoding="utf-8")
    (tmp_path / "redrawn.yaml").write_text(
        "extends: in_rounds.yaml\nname: redrawn\nseed: 99\n", encoding="utf-8")
    (tmp_path / "more_asked.yaml").write_text(
        "extends: in_rounds.yaml\nname: more_asked\npriority_uptake: {basic_needs: 0.9}\n",
        encoding="utf-8")
    both = compare([tmp_path / "half_asked.yaml", tmp_path / "in_rounds.yaml"], replications=4,
                   workers=1)
    metric = lead_metric(both.table)
    assert metric == "wait_to_end_years"  # four years: nobody is followed ten
    reference, variant = (both.results[label] for label in ("half_asked", "in_rounds"))
    lines = [line.strip() for line in both.outline() if "ask for priority" in line
             or "asked for priority" in line]
    for asked, who in ((False, "applicants who did not ask for priority"),
                       (True, "applicants who asked for priority")):
        before, after = _without_to_end(reference, asked), _without_to_end(variant, asked)
        differences = (after - before).to_numpy()
        low, high = scipy_stats.t.interval(0.95, len(differences) - 1, loc=differences.mean(),
                                           scale=scipy_stats.sem(differences))
        row = pd.Series({"difference": differences.mean(), "difference_ci_low": low,
                         "difference_ci_high": high, "reference_mean": before.mean()})
        assert f"- {who}: {difference_text(row, 'years')}" in lines, lines
    assert len(lines) == 2, lines
    sentence = both.sentences()[0]
    assert "; applicants who did not ask for priority: " in sentence, sentence
    page = html.unescape((both.write(tmp_path / "out") / "report.html").read_text(
        encoding="utf-8"))
    assert all(line.removeprefix("- ") in page for line in lines), lines
    # other draws: not the same applicants, so nothing is said of them
    apart = compare([tmp_path / "half_asked.yaml", tmp_path / "redrawn.yaml"], replications=4,
                    workers=1)
    assert not [line for line in apart.outline() if "for priority" in line]
    # the same applicants, but others asked: a difference of who they are, not of rounds
    others = compare([tmp_path / "half_asked.yaml", tmp_path / "more_asked.yaml"],
                     replications=4, workers=1)
    assert others.questions[0].paired
    assert not [line for line in others.outline() if "for priority" in line]
    # no rounds in either: the categories' lines say it as before
    plain = compare([family["social_priority"], tmp_path / "half_asked.yaml"], replications=4,
                    workers=1)
    assert not [line for line in plain.outline() if "for priority" in line]


def test_those_without_priority_are_given_the_stand_in_where_the_lead_figure_is_unknown():
    """A group without the 10-year mean is answered to the end of the run, marked, as a category."""
    def rows(ten: float) -> pd.DataFrame:
        return pd.DataFrame({
            "group": ["all", "all"], "metric": ["wait_rmst_10y_years", "wait_to_end_years"],
            "difference": [ten, 0.2], "difference_ci_low": [ten - 0.1, 0.1],
            "difference_ci_high": [ten + 0.1, 0.3], "reference_mean": [5.0, 4.0]})

    assert priority_items({False: rows(math.nan), True: rows(-0.5)}, "wait_rmst_10y_years") == [
        "applicants who did not ask for priority (to the end of the run): 0.20 years longer, "
        "from 4.00 to 4.20 (0.10 to 0.30)",
        "applicants who asked for priority: 0.50 years shorter, from 5.00 to 4.50 "
        "(0.40 to 0.60)"]
