"""The report's content: answers first, readable numbers, 'none connected' where nobody was."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import Results, Scenario, load_scenario, run
from sim.analysis.differences import Population, Question, comparison_table
from sim.report.data import (
    FALLBACK_MEANING,
    HEADINGS,
    Cell,
    KeyTable,
    _question_table,
    _with_terms,
    comparison_page,
    key_tables,
    pairing,
    run_page,
)
from sim.report.html import render_report
from sim.report.narrative import PairAnswer, homes_items
from sim.report.run import write_report
from sim.runs.metrics import (
    EVERY_APPLICANT,
    HEADLINE_METRICS,
    IN_BOTH,
    METRICS,
    ONLY_IN_VARIANT,
    TABLE_METRICS,
)
from tests.comparison_family import write_family, write_observed
from tests.undrawn import without_figures

# What a report's pages say is checked here, not what a figure shows: in this process the
# figures are laid out and written empty (tests/undrawn.py).
pytestmark = pytest.mark.undrawn


@pytest.fixture(scope="module")
def summary_and_scenario(tmp_path_factory: pytest.TempPathFactory):
    family = write_family(tmp_path_factory.mktemp("family"))
    scenario = load_scenario(family["fifo"], {"replications": 2})
    return run(scenario, workers=1).summary, scenario


@pytest.fixture
def pages_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports and comparisons written without figures, for tests that read a page's words."""
    without_figures(monkeypatch)


def _nobody_connected(summary: pd.DataFrame, group: str) -> pd.DataFrame:
    """The summary as if nobody of ``group`` had been connected, as the key figures then read.

    The waits of those connected are undefined (NaN); the times to connection are never
    reached (inf); the shares connected are 0; the mean wait within the window is the whole
    window, as nobody's wait ends in it by a connection.
    """
    table = summary.copy()
    mine = table["group"] == group
    columns = ["estimate", "mean", "ci_low", "ci_high"]
    for metric, value in (("connected", 0.0), ("wait_mean_years", math.nan),
                          ("wait_median_years", math.nan), ("wait_p90_years", math.nan),
                          ("connect_median_years", math.inf), ("connect_p25_years", math.inf),
                          ("connected_within_1y", 0.0), ("connected_within_2y", 0.0),
                          ("connected_within_5y", 0.0), ("wait_rmst_5y_years", 5.0),
                          ("wait_rmst_10y_years", 10.0)):
        table.loc[mine & (table["metric"] == metric), columns] = value
    return table


def test_run_report_leads_with_headline_figures_by_category(summary_and_scenario):
    """One run's page starts with its headline figures, labelled, by category."""
    summary, scenario = summary_and_scenario
    html = render_report(run_page(summary, scenario, "fifo.yaml", {}))
    lead = html[html.index('<section class="answers"'):html.index("</section>")]
    assert "Headline figures by category" in lead
    for metric in TABLE_METRICS:  # the headline figures, the share withdrawn beside its count
        assert f"<th>{HEADINGS.get(metric, METRICS[metric].label)}</th>" in lead
        assert f">{metric}<" not in lead  # the label, not the column name
        assert "_" not in metric or metric not in lead
    for group in ("All applicants", "Basic needs", "Other businesses"):
        assert f"<th>{group}" in lead
    assert html.index("Headline figures") < html.index('id="figures"')


def test_run_report_lists_its_assumptions_without_setting_them_against_others(
        summary_and_scenario):
    """One scenario has nothing to differ from: its assumptions are one plain list.

    Before, a run's page read "Assumptions that differ. None: every key assumption below is
    the same" over "Shared by every scenario", as if it had been compared with another.
    """
    summary, scenario = summary_and_scenario
    html = render_report(run_page(summary, scenario, "fifo.yaml", {}))
    section = html[html.index('<h3 id="assumptions">'):]
    assert "Assumptions that differ" not in section
    assert "every scenario" not in section and "every key assumption" not in section
    assert '<table class="shared"><tbody><tr><th>Period</th>' in section


def test_run_report_says_when_each_named_project_is_connected(summary_and_scenario):
    """A project's line, as the terminal prints it, under the headline figures."""
    summary, scenario = summary_and_scenario
    day = pd.Timestamp("2031-05-02")
    projects = pd.DataFrame({
        "project": ["Campus"], "request_date": [day], "replications": [4],
        "connected_share": [0.75], "withdrawn_share": [0.0], "connect_date_mean": [day],
        "connect_date_p10": [day], "connect_date_p50": [day], "connect_date_p90": [pd.NaT],
        "wait_mean_years": [2.0], "wait_ci_low": [1.5], "wait_ci_high": [2.5]})
    html = render_report(run_page(summary, scenario, "fifo.yaml", {}, projects=projects))
    assert "<h3 id=\"projects\">Named projects</h3>" in html
    assert ("Campus (asked 2031-05-02): connected in 3 of 4 replications, median 2031-05-02 "
            "(10% to 90%: 2031-05-02 to not by the end); mean wait of the 3 connected") in html
    assert 'id="projects"' not in render_report(run_page(summary, scenario, "fifo.yaml", {}))


def test_shares_are_percentages_and_no_number_has_an_exponent(summary_and_scenario):
    """A share reads '12.3% (10.1 to 14.5%)'; a tiny number is written out, never 3.45e-05."""
    summary, scenario = summary_and_scenario
    table = summary.copy()
    tiny = table["metric"] == "idle_mw_years"
    table.loc[tiny, ["mean", "ci_low", "ci_high"]] = [3.45e-05, 1e-05, 6e-05]
    html = render_report(run_page(table, scenario, "fifo.yaml", {}))
    assert not re.search(r"\d[eE][-+]\d", html)
    share = next(m for m in HEADLINE_METRICS if METRICS[m].unit == "share")
    row = summary[(summary["group"] == "all") & (summary["metric"] == share)].iloc[0]
    assert f"{row['mean'] * 100:.1f}%" in html or f"{row['mean'] * 100:.2f}%" in html


def test_a_category_with_nobody_connected_says_so_in_the_tables(summary_and_scenario):
    """Nobody of a category connected: its row says so, it does not vanish or show a dash.

    A time to connection reads "not reached"; a wait of those connected, where shown, reads
    "none connected"; figures that count everyone keep their values.
    """
    summary, scenario = summary_and_scenario
    table = _nobody_connected(summary, "basic_needs")
    html = render_report(run_page(table, scenario, "fifo.yaml", {}))
    row = html[html.index("<th>Basic needs"):]
    row = row[:row.index("</tr>")]
    never = [m for m in HEADLINE_METRICS if m.startswith("connect_")]
    assert never and row.count("not reached") == len(never)
    assert "no value" not in row and "–" not in row
    comparison = pd.concat([
        table.assign(scenario="fifo", reference="", question=""),
        summary.assign(scenario="sp", reference="fifo", question="Q")])
    comparison[["difference", "difference_ci_low", "difference_ci_high"]] = math.nan
    comparison[["population", "origin"]] = [EVERY_APPLICANT, ""]
    (everyone, *_) = key_tables(comparison)
    assert everyone.title == "All applicants"
    basic = next(t for t in key_tables(comparison) if t.title == "Basic needs")
    texts = [c.text for c in basic.rows[0][2]]
    assert texts.count("not reached") == len(never)
    undefined = table.copy()  # a figure with no value where nobody connected: says why
    lead = (undefined["group"] == "basic_needs") & (undefined["metric"] == HEADLINE_METRICS[0])
    undefined.loc[lead, ["estimate", "mean", "ci_low", "ci_high"]] = math.nan
    shown = render_report(run_page(undefined, scenario, "fifo.yaml", {}))
    row = shown[shown.index("<th>Basic needs"):]
    assert "none connected" in row[:row.index("</tr>")]


def test_report_command_page_is_escaped(tmp_path: Path, pages_only: None):
    """Text from a scenario file is escaped in the page (the template autoescapes)."""
    family = write_family(tmp_path / "family")
    scenario = load_scenario(family["fifo"], {"replications": 2,
                                              "description": "<script>x</script> & more"})
    run(scenario, workers=1).write(tmp_path / "out")
    html = write_report(tmp_path / "out").read_text(encoding="utf-8")
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; more" in html
    assert 'id="observed"' not in html  # no observations stated, no section


def test_a_report_of_a_folder_written_before_a_key_figure_existed_says_so(tmp_path: Path,
                                                                          monkeypatch):
    """A folder of an earlier version lacks connected_in_part: its report went without a word.

    Partial connections it had were then missing from the report as if there were none; the
    report is still written, with a warning that names what the tables lack.
    """
    import warnings

    family = write_family(tmp_path / "family")
    run(load_scenario(family["fifo"], {"replications": 2}), workers=1).write(tmp_path / "out")
    assert Results.read(tmp_path / "out").figures_lacking() == []
    for name in ("summary.csv", "replication_metrics.csv"):
        table = pd.read_csv(tmp_path / "out" / name)
        table[table["metric"] != "connected_in_part"].to_csv(tmp_path / "out" / name,
                                                            index=False)
    monkeypatch.setattr("sim.report.run.run_figures", lambda *_: {})  # speed: the page only
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = write_report(tmp_path / "out").read_text(encoding="utf-8")
    said = [str(w.message) for w in caught if "earlier gridqueue" in str(w.message)]
    assert said == [f"{tmp_path / 'out'}: written by an earlier gridqueue, its tables lack "
                    "connected_in_part, so the report goes without it; run the scenario "
                    "again to report every figure"]
    assert "Headline figures by category" in html


def test_first_screen_lists_six_answers_and_folds_the_rest(summary_and_scenario):
    """More than six questions: six answers are listed, the others folded beneath them."""
    from sim.report.data import ANSWERS_SHOWN, Answer, KeyTable
    from sim.report.narrative import PairAnswer

    summary, scenario = summary_and_scenario
    page = run_page(summary, scenario, "fifo.yaml", {})
    answers = [Answer(f"Question {i}?", [PairAnswer("", "", [f"answer {i}"])], [],
                      KeyTable("", [], [])) for i in range(8)]
    html = render_report(dataclasses.replace(page, answers=answers, lead="Change:"))
    block = html[html.index('<section class="answers"'):html.index("</section>")]
    listed, folded = block.split("<details>")
    assert ANSWERS_SHOWN == 6
    assert listed.count("<li><strong>") == 6 and folded.count("<li><strong>") == 2
    assert "<li>answer 0</li>" in listed and "<li>answer 7</li>" in folded
    assert "2 more answers" in folded and '<ol start="7">' in folded


def test_each_scenario_assumptions_are_set_against_its_own_reference(tmp_path: Path):
    """A child's assumptions say 'as <its reference>' where they equal its reference's."""
    from sim.report.assumptions import assumptions_html

    family = write_family(tmp_path)
    scenarios = {name: load_scenario(family[name]) for name in
                 ("fifo", "social_priority", "onsite")}
    html = assumptions_html(scenarios, {"social_priority": "fifo",
                                        "onsite": "social_priority"})
    onsite = html[html.index("<th>onsite</th>"):]
    onsite = onsite[:onsite.index("</tr>")]
    assert '<span class="same">as social_priority</span>' in onsite  # its queue policy
    assert "as fifo" not in onsite
    first = assumptions_html(scenarios)  # without references: set against the first
    assert "<th>onsite</th><td>social_priority (strict)</td>" in first


def test_the_assumptions_show_each_2026_lever_its_scenario_pulls():
    """Each toolbox scenario differs from social_priority in its key assumptions.

    Before, non_firm, partial_offers and capacity_limiting read "as social_priority" in every
    row: the lever being tested was nowhere among the assumptions.
    """
    from sim.report.assumptions import assumptions

    family = Path(__file__).resolve().parents[1] / "scenarios" / "flevoland"
    reference = assumptions(load_scenario(family / "social_priority.yaml"))
    for name in ("non_firm", "partial_offers", "capacity_limiting", "use_it_or_lose_it",
                 "framework_2026", "efficiency_2026", "small_connections", "housing"):
        mine = assumptions(load_scenario(family / f"{name}.yaml"))
        assert any(mine[key] != reference[key] for key in mine), name
    housing = assumptions(load_scenario(family / "housing.yaml"))["Arrival streams"].items
    assert any("new_homes (basic_needs): 12/year, mean 0.3 MW (150 homes of 0.002 MW)" in item
               for item in housing)
    non_firm = assumptions(load_scenario(family / "non_firm.yaml"))["Non-firm rights"]
    assert non_firm.summary.startswith("0 MW of pools at the start, 50 MW added later")


def test_the_assumptions_say_a_restated_policy_changes_nothing():
    """social_priority.yaml restates the rules on 2026-01-01; the list must not call it a change.

    Before, its policy read "from 2026-01-01: social_priority", a change beside
    efficiency_2026's real one on that date, while the rules ran on as before.
    """
    from sim.report.assumptions import assumptions

    family = Path(__file__).resolve().parents[1] / "scenarios" / "flevoland"
    restated = assumptions(load_scenario(family / "social_priority.yaml"))["Queue policy"]
    assert restated.items == ("from 2024-10-01: social_priority",
                              "2026-01-01: restates the rules in force, so nothing changes")
    changed = assumptions(load_scenario(family / "efficiency_2026.yaml"))["Queue policy"]
    assert changed.items[1] == "from 2026-01-01: social_priority, congestion_relief by efficiency"


def test_the_grid_assumption_names_each_area_and_the_shared_upstream_limit():
    """Several areas behind an upstream limit: the summary adds the limit, each has its lines."""
    from sim.report.assumptions import assumptions

    grid = assumptions(load_scenario(Path(__file__).parent / "bad_inputs" / "valid_areas.yaml"))
    assert grid["Grid"].summary == ("2 areas (almere, lelystad), 5 MW free at the start, 1 "
                                    "upgrade adding 5 MW; upstream limit 4 MW, 1 upgrade "
                                    "adding 10 MW")
    assert grid["Grid"].items == (
        "almere: 3 MW at the start", "lelystad: 2 MW at the start",
        "upstream: 4 MW at the start", "almere: almere station +5 MW on 2024-09-01",
        "upstream: 150 kV line +10 MW on 2025-01-01 (delay mean 0.15 years)")


def test_the_assumptions_say_one_of_a_unit_in_the_singular(tmp_path: Path):
    """'delay mean 1 year', not '1 years': every count and amount of the list alike."""
    from sim.report.assumptions import assumptions

    (tmp_path / "one.yaml").write_text("""\
start: 2022-01-01
end: 2026-01-01
grid:
  capacity_mw: 1
  upgrades:
    - {name: station, date: 2023-06-01, add_mw: 5, delay_years: {dist: fixed, value: 1}}
streams:
  basic: {category: basic_needs, rate_per_year: 1, demand_mw: {dist: fixed, value: 0.4},
          patience_years: {dist: fixed, value: 1}, homes_per_request: {dist: fixed, value: 1}}
projects:
  - {name: Lab, date: 2023-01-01, demand_mw: 1, jobs: 1}
capacity_releases:
  - {name: review, start: 2023-01-01, every_months: 1, user_share: 0.1, mw_share: 0.5,
     after_years: 1}
""", encoding="utf-8")
    listed = assumptions(load_scenario(tmp_path / "one.yaml"))
    assert listed["Grid"].items == ("station +5 MW on 2023-06-01 (delay mean 1 year)",)
    assert listed["Arrival streams"].summary == "1 stream, 1 request a year"
    assert listed["Arrival streams"].items == (
        "basic (basic_needs): 1/year, mean 0.4 MW (1 home of 0.4 MW), patience mean 1 year",)
    assert listed["Named projects"].items[0].endswith(", 1 job")
    assert listed["Capacity releases"].items == (
        "review: every month from 2023-01-01, 10% of users connected at least 1 year by the "
        "calendar give up 50% of their MW",)


def test_a_projects_assumption_names_its_area_as_a_stream_s_does(tmp_path: Path):
    """Two campuses in two areas: the report said which streams ask where, not which campus.

    A planner reading which area's station holds a named project back had to open the
    scenario file to learn where the project asks.
    """
    from sim.report.assumptions import assumptions

    (tmp_path / "two.yaml").write_text("""\
start: 2024-01-01
end: 2030-01-01
grid:
  areas:
    north: {capacity_mw: 5}
    south: {capacity_mw: 5}
  upstream: {capacity_mw: 8}
streams:
  firms: {category: other, area: south, rate_per_year: 2, demand_mw: 0.5}
projects:
  - {name: North campus, date: 2025-01-01, demand_mw: 8, jobs: 500, area: north}
""", encoding="utf-8")
    listed = assumptions(load_scenario(tmp_path / "two.yaml"))
    assert listed["Arrival streams"].items[0].startswith("firms (other, south): ")
    assert listed["Named projects"].items == (
        "North campus (other, north): 8 MW asked of the grid (8 MW demand, 0% generated on "
        "site) on 2025-01-01, 500 jobs",)


def test_a_projects_assumption_says_what_it_asks_of_the_grid():
    """campus_onsite's campus asks 12 MW of the grid: 20 MW demand, 40% generated on site.

    Before, the list read "20 MW requested on 2026-02-01, 40% generated on site", the demand
    under the word for what is asked of the grid (requested_mw in applicants.csv is 12).
    """
    from sim.report.assumptions import assumptions

    family = Path(__file__).resolve().parents[1] / "scenarios" / "flevoland"
    onsite = assumptions(load_scenario(family / "campus_onsite.yaml"))["Named projects"]
    assert onsite.items[0].startswith(
        "High-tech campus Weerwater (ASMI) (other): 12 MW asked of the grid (20 MW demand, "
        "40% generated on site) on ")
    whole = assumptions(load_scenario(family / "campus.yaml"))["Named projects"]
    assert "20 MW asked of the grid (20 MW demand, 0% generated on site)" in whole.items[0]


def test_the_assumptions_write_large_means_without_an_exponent():
    """A patience of 100 years read 'patience mean 1e+02 years', 150 MW requests '1.5e+02 MW'."""
    from sim.report.assumptions import assumptions
    from tests.builders import scenario

    listed = assumptions(scenario(streams={"campuses": {
        "category": "other", "rate_per_year": 2, "demand_mw": 150,
        "patience_years": {"dist": "exponential", "mean": 100}}}))["Arrival streams"].items
    assert listed == ("campuses (other): 2/year, mean 150 MW, patience mean 100 years",)


def test_the_assumptions_name_on_site_generation_a_stream_sets_itself():
    """Greenhouses generating part of their demand read "On-site generation: none".

    The row looked only at the scenario-wide block, and the stream's own line left it out, so a
    file giving on-site generation per stream showed none of it in the key assumptions.
    """
    from sim.report.assumptions import assumptions
    from tests.builders import scenario

    own = {"share": 0.6, "cover": {"dist": "uniform", "low": 0, "high": 0.4}}
    listed = assumptions(scenario(streams={
        "greenhouses": {"category": "other", "rate_per_year": 2, "demand_mw": 1.5,
                        "onsite_generation": own},
        "shops": {"category": "other", "rate_per_year": 2, "demand_mw": 0.5}}))
    assert listed["On-site generation"].summary == (
        "none scenario-wide; own settings in 1 stream (greenhouses)")
    assert listed["Arrival streams"].items[0] == (
        "greenhouses (other): 2/year, mean 1.5 MW, "
        "on site: 60% adopt, covering on average 20% of demand")
    assert listed["Arrival streams"].items[1] == "shops (other): 2/year, mean 0.5 MW"
    both = assumptions(scenario(onsite_generation={"share": 0.3, "cover": 0.1}, streams={
        "greenhouses": {"category": "other", "rate_per_year": 2, "demand_mw": 1.5,
                        "onsite_generation": own}}))
    assert both["On-site generation"].summary == (
        "30% adopt, covering on average 10% of demand; own settings in 1 stream (greenhouses)")


def test_the_assumptions_say_until_when_a_generated_waiting_list_was_requested():
    """It read "165 generated, requested from 2020-01-01", as if all were requested that day."""
    from sim.report.assumptions import assumptions
    from tests.builders import scenario

    listed = assumptions(scenario(
        waiting_list={"count": 5, "earliest": "2020-01-01"},
        streams={"shops": {"category": "other", "rate_per_year": 2, "demand_mw": 0.5}}))
    assert listed["Waiting list at the start"].summary == (
        "5 generated, requested from 2020-01-01 to 2024-01-01")
    # A latest date given ends them there, before the start.
    listed = assumptions(scenario(
        waiting_list={"count": 5, "earliest": "2020-01-01", "latest": "2022-06-30"},
        streams={"shops": {"category": "other", "rate_per_year": 2, "demand_mw": 0.5}}))
    assert listed["Waiting list at the start"].summary == (
        "5 generated, requested from 2020-01-01 to 2022-06-30")


@pytest.mark.parametrize(("after_years", "text"), [
    (0, "any time"), (2, "at least 2 years by the calendar"),
    (0.5, "at least 6 months by the calendar"),
    (1.01, "at least 12 months and 4 days by the calendar"),
    (0.08, "at least 29 days by the calendar"),
])
def test_the_assumptions_say_how_far_back_a_review_counts_as_it_counts(after_years, text):
    """A review counts back by the calendar, so the list gives months and days, not 1.01 years."""
    from sim.report.assumptions import assumptions
    from tests.builders import scenario

    release = {"name": "r", "start": "2025-01-01", "user_share": 0.1, "mw_share": 0.5,
               "after_years": after_years}
    listed = assumptions(scenario(capacity_releases=[release]))["Capacity releases"].items
    assert listed == (f"r: every 12 months from 2025-01-01, 10% of users connected {text} "
                      "give up 50% of their MW",)


def test_the_summed_arrival_rate_says_when_some_streams_arrive_only_part_of_the_run():
    """small_connections.yaml's 365 requests a year arrive only from 2026-07-01 on.

    Before, the summary read "10 streams, 365 requests a year" as if from the start, where 245
    a year arrive until the small businesses join.
    """
    from sim.report.assumptions import assumptions

    family = Path(__file__).resolve().parents[1] / "scenarios" / "flevoland"
    late = assumptions(load_scenario(family / "small_connections.yaml"))["Arrival streams"]
    assert late.summary == "10 streams, 365 requests a year (some only in part of the run)"
    whole = assumptions(load_scenario(family / "social_priority.yaml"))["Arrival streams"]
    assert whole.summary == "9 streams, 245 requests a year"


def test_run_report_sets_the_model_beside_published_figures(tmp_path: Path):
    """A run stating observations: its report has the section, verdicts and figure."""
    family = write_observed(tmp_path / "family")
    scenario = load_scenario(family["observed_fifo"], {"replications": 2})
    results = run(scenario, workers=1)
    results.write(tmp_path / "out")
    html = write_report(tmp_path / "out").read_text(encoding="utf-8")
    section = html[html.index('<h2 id="observed">'):html.index('<h2 id="detail">')]
    agreeing = (results.observations()["agreement"] == "agrees").sum()
    verb = "agrees" if agreeing == 1 else "agree"
    assert (f"observed_fifo: {agreeing} of 2 published figures {verb} (a figure agrees when its "
            "published range meets the band of 90% of replications). A band rests on only 2 "
            "replications with "
            "a value: 90% of so few is about their lowest to highest, too rough to judge "
            "agreement by; 20 or more are needed.</li>") in section
    assert "model below" in section and "far more than the family connects" in section
    # What each figure counts, where the scenario says it; no line for the one saying nothing.
    assert ("<li><b>Requests received, 2023-01-01 to 2024-01-01</b>: requests for a new "
            "connection in 2023</li>") in section
    assert "<b>Connections made" not in section
    assert 'id="figure-observations"' in section
    assert (tmp_path / "out" / "figures" / "observations.png").exists()
    assert html.index("Headline figures") < html.index('id="observed"')


def test_observations_not_stated_by_a_scenario_say_so():
    """Scenarios stating different observations: each is shown only beside its own."""
    from sim.inputs.observations import Observation
    from sim.report.data import observed_section
    from sim.runs.observed import observation_table

    waiting, requests = (
        Observation(date=dt.date(2024, 1, 1), quantity="applicants_waiting", value=10,
                    source="a newspaper"),
        Observation(date=dt.date(2024, 1, 1), quantity="requests_received", value=40,
                    uncertainty=0.1, since=dt.date(2023, 1, 1), source="a report"))
    tables = {"both": observation_table([waiting, requests], [np.array([9.0, 60.0])] * 2),
              "one": observation_table([requests], [np.array([41.0])] * 2),
              "none": observation_table([], [])}
    section = observed_section(tables, {})
    assert section is not None and section.figure is None
    rough = (". A band rests on only 2 replications with a value: 90% of so few is about "
             "their lowest to highest, too rough to judge agreement by; 20 or more are needed")
    assert section.sentences == [
        "both: 0 of 2 published figures agree (a figure agrees when its published range meets "
        f"the band of 90% of replications){rough}",
        "one: the one published figure agrees (a figure agrees when its published range meets "
        f"the band of 90% of replications){rough}"]
    assert section.table.columns == ["Applicants waiting, 2024-01-01",
                                     "Requests received, 2023-01-01 to 2024-01-01"]
    published, both, one = section.table.rows
    assert [(c.text, c.note) for c in published[2]] == [("10", "a newspaper"),
                                                        ("40 (36 to 44)", "a report")]
    assert [(c.text, c.note) for c in both[2]] == [("9.00 to 9.00", "model below"),
                                                   ("60 to 60", "model above")]
    assert [(c.text, c.note) for c in one[2]] == [("not stated", ""), ("41 to 41", "agrees")]
    assert observed_section({"none": tables["none"]}, {}) is None


def test_the_report_says_where_a_band_of_replications_is_too_rough_to_judge_by():
    """The report's verdicts carry the terminal's caution on a band of few replications.

    A scenario of 10 replications beside one of 30: "5 of 5 agree" in the report alone read as
    a finding, while the terminal said that 90% of 10 is about their lowest to highest.
    """
    from sim.inputs.observations import Observation
    from sim.report.data import observed_section
    from sim.runs.observed import observation_table

    waiting = Observation(date=dt.date(2024, 1, 1), quantity="applicants_waiting", value=10,
                          uncertainty=0.5, source="a newspaper")
    few = observation_table([waiting], [np.array([v]) for v in np.arange(5.0, 15.0)])
    many = observation_table([waiting], [np.array([v]) for v in np.linspace(5.0, 15.0, 30)])
    section = observed_section({"few": few, "many": many}, {})
    assert section is not None
    assert section.sentences == [
        "few: the one published figure agrees (a figure agrees when its published range meets "
        "the band of 90% of replications). A band rests on only 10 replications with a value: "
        "90% of so few is "
        "about their lowest to highest, too rough to judge agreement by; 20 or more are "
        "needed",
        "many: the one published figure agrees (a figure agrees when its published range meets "
        "the band of 90% of replications)"]


def test_a_stream_set_apart_has_its_own_row_and_the_categories_say_whom_they_count(
    tmp_path: Path,
):
    """A question's table: categories over the applicants of both, then the stream apart.

    The tables by category hold the like-with-like rows only, one per scenario.
    """
    scenario = load_scenario(write_family(tmp_path)["fifo"], {"replications": 2})
    results = run(scenario, workers=1)
    metrics = results.replication_metrics
    question = Question("Q?", "fifo", "homes", paired=True)
    table = comparison_table(
        {"fifo": results.summary, "homes": results.summary},
        {"fifo": metrics, "homes": metrics}, [question],
        {question: [Population(IN_BOTH, "", metrics, metrics),
                    Population(ONLY_IN_VARIANT, "homes", None, metrics)]})
    page = comparison_page(table, {"fifo": scenario, "homes": scenario},
                           {"fifo": "fifo.yaml", "homes": "homes.yaml"}, {})
    (answer,) = page.answers
    headings = [(heading, sub) for heading, sub, _ in answer.detail.rows]
    assert headings[-1] == ("homes", "only in homes: its own figures")
    assert {sub for _, sub in headings[:-1]} == {"applicants of both scenarios"}
    assert "the applicants of both scenarios — " in answer.body
    for key_table in page.key_tables:
        assert [(h, sub) for h, sub, _ in key_table.rows] == [
            ("fifo", ""), ("homes", "against fifo, applicants of both scenarios")]


def test_a_median_not_reached_shows_the_quarter_marked(summary_and_scenario):
    """Fewer than half ever connected: the column shows the time to connect a quarter.

    Marked, with its own interval, and the note beneath the table says what the mark means
    (in the heading, it made it 10 lines tall); a group whose quarter is not reached either
    still reads "not reached", and a table without the mark does not explain it.
    """
    summary, scenario = summary_and_scenario
    table = summary.copy()
    _set_figure(table, "connect_median_years", [math.inf, 3.0, math.inf])
    _set_figure(table, "connect_p25_years", [1.25, 1.0, 1.5])
    legend, cells = _headline_column(table, scenario, "connect_median_years")
    assert "¼: the years until a quarter are connected, where fewer than half are" in legend
    assert cells["All applicants"] == "¼: 1.2 (1.0 to 1.5)"
    nobody = _nobody_connected(summary, "basic_needs")
    legend, cells = _headline_column(nobody, scenario, "connect_median_years")
    assert cells["Basic needs"] == "not reached"
    assert "¼" not in legend


def _set_figure(table: pd.DataFrame, metric: str, values: list[float]) -> None:
    """Set the estimate and interval of ``metric`` for all applicants in a summary table."""
    rows = (table["group"] == "all") & (table["metric"] == metric)
    table.loc[rows, ["estimate", "ci_low", "ci_high"]] = values


def test_a_table_with_mw_freed_says_beneath_it_what_all_applicants_count():
    """Its heading said so, in a column that grew tall; the note beneath the table says it now."""
    freed = KeyTable("", [METRICS["mw_freed"].label], [("All applicants", "", [Cell("21.5")])])
    assert freed.legend == ("MW freed by capacity releases by the end of the run: in the row of "
                            "all applicants, also by users connected before the run.")
    assert KeyTable("", [METRICS["withdrawn"].label], freed.rows).legend == ""


def _headline_column(table: pd.DataFrame, scenario, metric: str) -> tuple[str, dict[str, str]]:
    """The note beneath a run's headline table, and ``metric``'s column's text by group."""
    headline = run_page(table, scenario, "fifo.yaml", {}).headline
    column = TABLE_METRICS.index(metric)
    return headline.legend, {h: row[column].text for h, _, row in headline.rows}


def test_a_run_report_gives_connections_in_part_and_non_firm_rights_a_table_of_their_own(
    summary_and_scenario,
):
    """The terminal added rows of partial connections and non-firm rights; the report none.

    A planner reading only the report missed them. They now have a table of their own
    beneath the headline figures (which has no room for six more columns), only where some
    applicant had such a connection, with "no rights held" where a category held none.
    """
    summary, scenario = summary_and_scenario
    plain = run_page(summary, scenario, "fifo.yaml", {})
    assert plain.first_connections is None
    assert 'id="first-connections"' not in render_report(plain)
    table = summary.copy()
    for group in ("all", "other"):
        for metric, values in (("connected_in_part", [3.8, 3.4, 4.2]),
                               ("non_firm_connected", [90.0, 85.0, 95.0]),
                               ("non_firm_usable_share", [0.85, 0.85 - 1e-16, 0.85 + 2e-16])):
            rows = (table["group"] == group) & (table["metric"] == metric)
            table.loc[rows, ["estimate", "mean", "ci_low", "ci_high"]] = [values[0], *values]
    page = run_page(table, scenario, "fifo.yaml", {})
    shown = page.first_connections
    assert shown is not None
    assert shown.columns[0] == METRICS["connected_in_part"].label
    assert METRICS["non_firm_connected"].label in shown.columns
    cells = {heading: [cell.text for cell in row] for heading, _, row in shown.rows}
    assert cells["All applicants"][0] == "3.8 (3.4 to 4.2)"
    assert cells["All applicants"][-1] == "85.0% (85.0 to 85.0%)"  # no digits of rounding
    assert cells["Basic needs"][-1] == "no rights held"
    assert page.first_connections_heading == "Connections in part and non-firm rights"
    html = render_report(page)
    assert html.index('id="first-connections"') < html.index('id="figures"')
    assert html.index("Headline figures by category") < html.index('id="first-connections"')
    rights = table[table["metric"] != "connected_in_part"]  # as if no part had been connected
    page = run_page(rights, scenario, "fifo.yaml", {})
    assert page.first_connections_heading == "Non-firm rights"
    assert METRICS["connected_in_part"].label not in page.first_connections.columns


def test_a_mean_wait_unknown_within_ten_years_shows_five_marked(summary_and_scenario):
    """A group not followed 10 years in every replication: the column shows 5, marked.

    As the answers do; without a figure within 5 years either, it still says "no value".
    """
    summary, scenario = summary_and_scenario
    table = summary.copy()
    _set_figure(table, "wait_rmst_10y_years", [math.nan] * 3)
    _set_figure(table, "wait_to_end_years", [3.25, 3.0, 3.5])
    legend, cells = _headline_column(table, scenario, "wait_rmst_10y_years")
    assert "to end: the mean years without a connection to the end of the run" in legend
    assert cells["All applicants"] == "to end: 3.2 (3.0 to 3.5)"
    # No group of this short run knows ten years, and the stand-in is known in every one.
    assert all(text.startswith("to end:") for text in cells.values())
    _set_figure(table, "wait_to_end_years", [math.nan] * 3)
    _, cells = _headline_column(table, scenario, "wait_rmst_10y_years")
    assert cells["All applicants"] == "no value"


def test_each_row_of_a_key_table_takes_the_window_its_answer_takes(summary_and_scenario):
    """A variant whose difference is known only within 5 years shows 5, marked; the rest 10.

    All rows of a group once changed together, so a table of the Flevoland questions showed
    social priority's 5-year difference (0.13 years shorter) where its answer gave the
    10-year one (0.05 years longer), because another question lacked ten years.
    """
    summary, _ = summary_and_scenario
    fifo = summary.assign(scenario="fifo", reference="", question="", difference=np.nan,
                          difference_ci_low=np.nan, difference_ci_high=np.nan)
    sp = summary.assign(scenario="sp", reference="fifo", question="Q", difference=0.25,
                        difference_ci_low=0.1, difference_ci_high=0.4)
    for part in (fifo, sp):
        part.loc[part["metric"] == "wait_rmst_10y_years", ["estimate", "ci_low", "ci_high"]] \
            = 6.0
        part.loc[part["metric"] == "wait_to_end_years", ["estimate", "ci_low", "ci_high"]] \
            = 4.0
    unknown = (sp["group"] == "all") & (sp["metric"] == "wait_rmst_10y_years")
    sp.loc[unknown, ["estimate", "ci_low", "ci_high", "difference"]] = np.nan
    table = pd.concat([fifo, sp], ignore_index=True).assign(population=EVERY_APPLICANT,
                                                             origin="", paired=True)
    column = HEADLINE_METRICS.index("wait_rmst_10y_years")
    by_group = {t.title: t for t in key_tables(table)}
    cells = [row[2][column] for row in by_group["All applicants"].rows]
    assert [(c.text, c.note) for c in cells] == [  # fifo, then sp with its stand-in's difference
        ("6.0 (6.0 to 6.0)", ""), ("to end: 4.0 (4.0 to 4.0)", "+0.25 (+0.10 to +0.40)")]
    other = next(t for title, t in by_group.items() if title != "All applicants")
    assert all(not row[2][column].text.startswith("to end:") for row in other.rows)


def test_the_key_tables_add_first_connections_in_part_and_rights_where_a_scenario_has_them(
        summary_and_scenario):
    """A comparison's tables by group show how many were connected in part, as a run's does.

    partial_offers against social_priority connected 3.3 applicants first in part on
    average, and non_firm gave 99 a non-firm right: a run's report says so beside its
    headline table, while a comparison's tables of key figures showed neither. Each column
    comes only where some scenario had such a connection; a usable share of rights nobody
    held reads 'no rights held', not 'no value'.
    """
    summary, _ = summary_and_scenario
    ref = summary.assign(scenario="sp", reference="", question="", difference=np.nan,
                         difference_ci_low=np.nan, difference_ci_high=np.nan)
    po = summary.assign(scenario="po", reference="sp", question="Q", difference=0.0,
                        difference_ci_low=0.0, difference_ci_high=0.0)
    part = (po["group"] == "all") & (po["metric"] == "connected_in_part")
    po.loc[part, ["estimate", "mean", "ci_low", "ci_high"]] = [3.3, 3.3, 2.6, 4.3]
    po.loc[part, ["difference", "difference_ci_low", "difference_ci_high"]] = [3.3, 2.5, 4.2]

    def tables(*parts: pd.DataFrame) -> dict:
        table = pd.concat(parts, ignore_index=True).assign(population=EVERY_APPLICANT,
                                                           origin="", paired=True)
        return {t.title: t for t in key_tables(table)}

    assert tables(ref, po.assign(estimate=ref["estimate"], mean=ref["mean"]))[
        "All applicants"].columns == [HEADINGS.get(m, METRICS[m].label) for m in TABLE_METRICS]
    everyone = tables(ref, po)["All applicants"]
    assert everyone.columns[len(TABLE_METRICS):] == [METRICS["connected_in_part"].label]
    assert [row[2][-1].text for row in everyone.rows] == ["0.0 (0.0 to 0.0)",
                                                          "3.3 (2.6 to 4.3)"]
    assert everyone.rows[1][2][-1].note.startswith("+3.3 (+2.5 to +4.2)")
    nf = po.assign(scenario="nf")
    rights = (nf["group"] == "all") & (nf["metric"] == "non_firm_connected")
    nf.loc[rights, ["estimate", "mean"]] = 99.0
    usable = nf["metric"] == "non_firm_usable_share"
    nf.loc[usable, ["estimate", "mean", "ci_low", "ci_high"]] = [0.7, 0.7, 0.66, 0.74]
    everyone = tables(ref, po, nf)["All applicants"]
    assert everyone.columns[len(TABLE_METRICS):] == [
        METRICS[m].label for m in ("connected_in_part", "non_firm_connected", "mw_non_firm",
                                   "jobs_non_firm", "moved_to_firm", "non_firm_usable_share")]
    assert [row[2][-1].text for row in everyone.rows] == [
        "no rights held", "no rights held", "70.0% (66.0 to 74.0%)"]
    asked = _question_table(pd.concat([po, nf], ignore_index=True).assign(
        population=EVERY_APPLICANT, origin="", paired=True))  # a question's own table too
    assert asked.columns == everyone.columns
    assert asked.rows[0][2][len(TABLE_METRICS)].note.startswith("+3.3 (+2.5 to +4.2)")


def test_a_small_reference_level_beside_no_difference_is_not_written_as_zero(
        summary_and_scenario):
    """'0.05% ... 0.0 pp (0.0 to 0.0), from 0.0%' read as a rise from nothing.

    The same share of 0.0488% in every replication of both: the difference is zero, with
    one decimal, and the reference's level took its decimals from it. A level that is not
    zero now gets the decimals that show it; a level of zero stays as it was.
    """
    summary, _ = summary_and_scenario
    share = (summary["group"] == "all") & (summary["metric"] == "connected_within_2y")
    summary = summary.copy()
    summary.loc[share, ["estimate", "ci_low", "ci_high", "mean"]] = [0.000488, 0.000156,
                                                                     0.001521, 0.000488]
    fifo = summary.assign(scenario="fifo", reference="", question="", difference=np.nan,
                          difference_ci_low=np.nan, difference_ci_high=np.nan,
                          reference_mean=np.nan)
    sp = summary.assign(scenario="sp", reference="fifo", question="Q", difference=0.0,
                        difference_ci_low=0.0, difference_ci_high=0.0, reference_mean=0.0)
    sp.loc[share, "reference_mean"] = 0.000488
    table = pd.concat([fifo, sp], ignore_index=True).assign(population=EVERY_APPLICANT,
                                                             origin="", paired=True)
    column = TABLE_METRICS.index("connected_within_2y")
    everyone = next(t for t in key_tables(table) if t.title == "All applicants")
    cell = everyone.rows[1][2][column]
    assert cell.text.startswith("0.05% (")
    assert cell.note == "0.0 pp (0.0 to 0.0), from 0.05%"
    withdrawn = everyone.rows[1][2][TABLE_METRICS.index("withdrawn")]
    assert withdrawn.note == "0.0 (0.0 to 0.0), from 0.0"


def test_the_tables_give_the_share_withdrawn_beside_the_count_its_difference_in_points(
        summary_and_scenario):
    """A planner asking how many give up reads the share of those who asked beside the count.

    Every table of key figures has its column right after the withdrawals, in percent, and a
    question's difference in percentage points from the reference's share: 25% of those who
    asked gave up in fifo, 5.0 points more in sp (2.0 to 8.0). Not a headline figure: the
    differences figure and the answers' lead keep to those.
    """
    summary, scenario = summary_and_scenario
    summary = summary.copy()
    share = (summary["group"] == "all") & (summary["metric"] == "withdrawn_share")
    summary.loc[share, ["estimate", "ci_low", "ci_high", "mean"]] = [0.25, 0.2, 0.3, 0.25]
    fifo = summary.assign(scenario="fifo", reference="", question="", difference=np.nan,
                          difference_ci_low=np.nan, difference_ci_high=np.nan,
                          reference_mean=np.nan)
    sp = summary.assign(scenario="sp", reference="fifo", question="Q", difference=0.0,
                        difference_ci_low=0.0, difference_ci_high=0.0, reference_mean=0.0)
    sp.loc[share, ["estimate", "ci_low", "ci_high", "mean"]] = [0.3, 0.25, 0.35, 0.3]
    sp.loc[share, ["difference", "difference_ci_low", "difference_ci_high",
                   "reference_mean"]] = [0.05, 0.02, 0.08, 0.25]
    table = pd.concat([fifo, sp], ignore_index=True).assign(population=EVERY_APPLICANT,
                                                             origin="", paired=True)
    assert "withdrawn_share" not in HEADLINE_METRICS
    column = TABLE_METRICS.index("withdrawn_share")
    assert TABLE_METRICS[column - 1] == "withdrawn"
    label = HEADINGS["withdrawn_share"]
    everyone = next(t for t in key_tables(table) if t.title == "All applicants")
    assert everyone.columns[column] == label
    cells = [row[2][column] for row in everyone.rows]
    assert [(c.text, c.note) for c in cells] == [
        ("25.0% (20.0 to 30.0%)", ""),
        ("30.0% (25.0 to 35.0%)", "+5.0 pp (+2.0 to +8.0), from 25.0%")]
    asked = _question_table(table[table["question"] == "Q"])
    assert asked.columns[column] == label
    assert asked.rows[0][2][column].note == "+5.0 pp (+2.0 to +8.0), from 25.0%"
    headline = run_page(summary, scenario, "fifo.yaml", {}).headline
    assert headline.columns[column] == label
    assert headline.rows[0][2][column].text == "25.0% (20.0 to 30.0%)"


def test_a_difference_left_out_says_why(summary_and_scenario):
    """A variant's figure without a difference says why beneath it, rather than nothing.

    A median reached in most replications but not in one has no paired difference, and a
    mean within a window needs every replication of both.
    """
    summary, _ = summary_and_scenario
    fifo = summary.assign(scenario="fifo", reference="", question="", difference=np.nan,
                          difference_ci_low=np.nan, difference_ci_high=np.nan)
    sp = summary.assign(scenario="sp", reference="fifo", question="Q", difference=0.25,
                        difference_ci_low=0.1, difference_ci_high=0.4)
    sp.loc[(sp["group"] == "all") & (sp["metric"] == "connect_median_years"),
           "difference"] = np.nan
    table = pd.concat([fifo, sp], ignore_index=True).assign(population=EVERY_APPLICANT,
                                                             origin="", paired=True)
    column = HEADLINE_METRICS.index("connect_median_years")
    everyone = next(t for t in key_tables(table) if t.title == "All applicants")
    variant = everyone.rows[1][2][column]
    assert (variant.note, variant.unclear) == (
        "no difference: not reached in some replication", True)
    assert everyone.rows[0][2][column].note == ""  # the reference has no difference at all
    # A project only in the variant has nothing to be set against, whatever the figure.
    campus = sp[sp["group"] == "all"].assign(population=ONLY_IN_VARIANT, origin="Campus",
                                             difference=np.nan, paired=True)
    question = _question_table(pd.concat([table, campus], ignore_index=True))
    row = next(r for r in question.rows if r[0] == "Campus")
    assert {cell.note for cell in row[2] if cell.text not in ("no value", "none connected")} \
        == {"no difference: not in the reference"}


def _compared_with_itself(tmp_path: Path) -> tuple[Scenario, pd.DataFrame]:
    """The family's fifo at two replications, and its comparison table with itself, paired."""
    scenario = load_scenario(write_family(tmp_path)["fifo"], {"replications": 2})
    results = run(scenario, workers=1)
    question = Question("Q?", "fifo", "again", paired=True)
    table = comparison_table({"fifo": results.summary, "again": results.summary},
                             {"fifo": results.replication_metrics,
                              "again": results.replication_metrics}, [question])
    return scenario, table


def test_a_comparison_page_says_what_its_first_connection_columns_count(tmp_path: Path):
    """The note under the tables of key figures names the columns of first connections.

    Only where a scenario compared had such a connection; a part counts as connected in
    the headline columns beside them, which the note says, as a run's report does.
    """
    scenario, table = _compared_with_itself(tmp_path)
    labels = {"fifo": scenario, "again": scenario}
    sources = {"fifo": "fifo.yaml", "again": "again.yaml"}
    said = "The last columns count the connections in part: such a first connection counts"
    assert said not in render_report(comparison_page(table, labels, sources, {}))
    part = (table["scenario"] == "again") & (table["group"] == "all") & (
        table["metric"] == "connected_in_part")
    table.loc[part, "mean"] = 2.0
    assert said in render_report(comparison_page(table, labels, sources, {}))


def test_the_answers_lead_says_what_the_figure_counts(tmp_path: Path):
    """The lead figure's meaning is said once: everyone, the withdrawn as waiting on.

    The family's four years do not see the ten-year window the answers lead with: its
    difference is set by hand.
    """
    scenario, table = _compared_with_itself(tmp_path)
    lead = table["metric"] == HEADLINE_METRICS[0]
    table.loc[lead, ["difference", "difference_ci_low", "difference_ci_high"]] = [0.2, 0.1, 0.3]
    page = comparison_page(table, {"fifo": scenario, "again": scenario},
                           {"fifo": "fifo.yaml", "again": "again.yaml"}, {})
    assert HEADLINE_METRICS[0].startswith("wait_rmst_")
    assert "averaged over everyone who asked: one who withdraws counts as waiting" in \
        page.lead_meaning[0]
    assert "from the reference's mean to the variant's" in page.lead
    html = render_report(page)
    assert "<summary>What this figure counts</summary>" in html
    assert "averaged over everyone who asked" in html
    # A lottery read 0.40 years shorter with the connections and job-years unchanged: the
    # window's cap, which a change of order alone can move, is said.
    assert "Every wait longer than 10 years counts as 10, so a change of order alone can " \
        "move it" in html
    # Ten years known for every category: no word of five, above the answers or in them.
    assert page.window == "" and '<p class="lead window">' not in html
    assert FALLBACK_MEANING in page.lead_meaning  # what a mark would mean, folded
    # Basic needs without ten years: said once above the answers, not again folded beneath.
    basic = lead & (table["group"] == "basic_needs")
    table.loc[basic, ["difference", "difference_ci_low", "difference_ci_high"]] = math.nan
    five = (table["metric"] == "wait_to_end_years") & (table["group"] == "basic_needs")
    table.loc[five, ["difference", "difference_ci_low", "difference_ci_high"]] = [0.2, 0.1, 0.3]
    page = comparison_page(table, {"fifo": scenario, "again": scenario},
                           {"fifo": "fifo.yaml", "again": "again.yaml"}, {})
    assert page.window.startswith('Where marked "to the end of the run", basic-needs applicants '
                                  "are compared in their mean years without a connection")
    assert FALLBACK_MEANING not in page.lead_meaning
    html = render_report(page)
    answers = html[html.index('<section class="answers"'):html.index("<ol>")]
    assert ('<p class="lead window">Where marked &#34;to the end of the run&#34;, basic-needs'
            in answers)
    assert html.count("not their mean wait within 10 years of the request") == 1
    assert "to the end of the run, not 10 years" not in html


def test_the_intervals_count_the_replications_the_pooled_figures_draw(tmp_path: Path):
    """A paired question counts the replications both ran; the figures, all each ran.

    The variant ran 3 and its reference 2: the tables count 2, but the time-to-connection
    and withdrawals figures draw the variant's 3, so the line on the intervals says 2 to 3.
    """
    scenario, table = _compared_with_itself(tmp_path)
    assert table["replications"].max() == 2
    sources = {"fifo": "fifo.yaml", "again": "again.yaml"}
    scenarios = {"fifo": scenario, "again": scenario}
    drawn = comparison_page(table, scenarios, sources, {"time_to_connection": b"png"},
                            replications={"fifo": 2, "again": 3})
    assert "confidence interval over 2 to 3 replications of each scenario" in drawn.intervals
    # Without a figure that pools them, only the tables' replications are said.
    bare = comparison_page(table, scenarios, sources, {}, replications={"fifo": 2, "again": 3})
    assert "confidence interval over 2 replications of each scenario" in bare.intervals


def test_a_pair_paired_for_some_applicants_says_so():
    """A variant adding a stream: unpaired as a whole, paired for the streams both have."""
    rows = pd.DataFrame({"paired": [True, True, False]})
    assert pairing(rows.iloc[:2]) == "paired"
    assert pairing(rows.iloc[2:], long=True) == "unpaired: other random draws, Welch interval"
    assert pairing(rows) == "paired for the streams both have alike, else unpaired"


def test_the_connected_caption_says_which_connections_each_panel_counts(summary_and_scenario):
    """The MW are firm MW held, the jobs every first connection's: the caption said neither.

    "Cumulative grid MW and jobs connected" read as one count in two units, yet non_firm's
    jobs ran near 4,500 by 2030 (nearly all by non-firm rights) beside the same firm MW as
    social_priority's; and the MW held fall where MW are taken back. The caption names no
    term of its own, so a page without non-firm rights explains none.
    """
    from sim.report.data import CAPTIONS, RUN_CAPTIONS

    for caption in (CAPTIONS["connected"], RUN_CAPTIONS["connected"]):
        assert caption.startswith("Grid MW held by firm connections")
        assert "a right that is firm only part of the time does not count" in caption
        assert "whatever their first connection (whole, a part of the request or such a " \
            "right)" in caption
    summary, scenario = summary_and_scenario
    page = run_page(summary, scenario, "fifo.yaml", {"connected": b""})
    assert "non-firm right" not in [term for term, _ in page.terms]


def test_a_run_s_withdrawals_caption_speaks_of_no_reference(summary_and_scenario):
    """A single run compares nothing: its caption leaves out answers and reference lines."""
    summary, scenario = summary_and_scenario
    page = run_page(summary, scenario, "fifo.yaml", {"withdrawals": b"not a png"})
    (figure,) = page.figures
    assert figure.caption.startswith("Applicants who withdrew")
    assert "reference" not in figure.caption and "answers" not in figure.caption


def test_a_row_counting_fewer_replications_than_its_reference_s_says_so(summary_and_scenario):
    """A results folder of 30 against a run of 10: the rows' gap is not their difference.

    The variant's difference is over the 10 both ran, the reference's row over its 30; a
    planner read +1,916 jobs between the rows beside a difference of +873.
    """
    summary, _ = summary_and_scenario
    fifo = summary.assign(scenario="fifo", reference="", question="", difference=np.nan,
                          difference_ci_low=np.nan, difference_ci_high=np.nan,
                          replications=30)
    sp = summary.assign(scenario="sp", reference="fifo", question="Q", difference=0.25,
                        difference_ci_low=0.1, difference_ci_high=0.4, replications=10)
    table = pd.concat([fifo, sp], ignore_index=True).assign(population=EVERY_APPLICANT,
                                                             origin="", paired=True)
    (first, *_) = key_tables(table)
    assert [label for _, label, _ in first.rows] == [
        "", "against fifo, over 10 replications (fifo's row: 30)"]
    table["replications"] = 30
    (first, *_) = key_tables(table)
    assert [label for _, label, _ in first.rows] == ["", "against fifo"]


def test_the_terms_of_the_tables_are_said_before_the_first_table_that_uses_them(
    summary_and_scenario,
):
    """Paired, Welch, pp, job- and MW-years: said where the tables start, not sections later."""
    from sim.report.data import CAPTIONS

    summary, scenario = summary_and_scenario
    html = render_report(run_page(summary, scenario, "fifo.yaml", {}))
    headline = html[html.index('<section class="answers"'):html.index("</section>")]
    assert "MW-years</em>: the jobs or grid MW an applicant asked for" in headline
    assert "<em>paired</em>" not in headline  # one run: nothing is paired
    results = run(scenario, workers=1)
    question = Question("Q?", "fifo", "again", paired=True)
    table = comparison_table({"fifo": results.summary, "again": results.summary},
                             {"fifo": results.replication_metrics,
                              "again": results.replication_metrics}, [question])
    html = render_report(comparison_page(table, {"fifo": scenario, "again": scenario},
                                         {"fifo": "fifo.yaml", "again": "again.yaml"}, {}))
    questions = html[html.index('id="questions"'):]
    before = questions[:questions.index("<table")]
    assert "(paired)" in questions and "pp" in questions
    for term in ("<em>paired</em>: replication", "Welch's, for two independent means",
                 "<em>pp</em>: percentage points", "<em>MW-years</em>"):
        assert term in before, term
    assert "common random numbers" not in CAPTIONS["differences"]
    assert "drew the same applicants" in CAPTIONS["differences"]


def test_the_first_line_says_how_many_replications_the_intervals_rest_on(
    summary_and_scenario,
):
    """Thirty replications draw no caution: the count is still said, not only in the assumptions."""
    from sim.report.data import _replications_text

    summary, scenario = summary_and_scenario
    html = render_report(run_page(summary, scenario, "fifo.yaml", {}))
    assert ("Every interval of the headline figures is a 95% confidence interval over 2 "
            "replications") in html
    assert _replications_text(pd.Series([6, 30, 6])) == "6 to 30"
    assert _replications_text(pd.Series([30.0, 30.0])) == "30"


def test_the_terms_note_explains_non_firm_rights_and_mw_hours_only_where_the_page_uses_them(
    summary_and_scenario,
):
    """An answer about non-firm rights said 'usable for 85% of their MW-hours' unexplained.

    The Terms note now explains a non-firm right and MW-hours on a page whose text uses
    them, and only there: a comparison without rights says nothing of them. Used by an
    answer, the note follows the answers, where the reader meets the term, not the Detail.
    """
    summary, scenario = summary_and_scenario
    results = run(scenario, workers=1)
    question = Question("Q?", "fifo", "again", paired=True)
    plain = comparison_table({"fifo": results.summary, "again": results.summary},
                             {"fifo": results.replication_metrics,
                              "again": results.replication_metrics}, [question])
    scenarios, sources = {"fifo": scenario, "again": scenario}, {"fifo": "f", "again": "a"}
    page = comparison_page(plain, scenarios, sources, {})
    assert page.terms == []
    html = render_report(page)
    assert "non-firm" not in html and "MW-hours" not in html
    said = ("over the run, on average 40.0 applicants got a non-firm right (20.0 MW in all, "
            "not at once), usable for 85% of their MW-hours, and 12.0 of them moved to firm")
    answer = dataclasses.replace(page.answers[0], parts=[
        PairAnswer("again against fifo", "", [*page.answers[0].parts[0].items, said])])
    page = _with_terms(dataclasses.replace(page, answers=[answer]), scenarios)
    assert [term for term, _ in page.terms] == ["non-firm right", "MW-hours"]
    html = render_report(page)
    answers = html[html.index('id="answers"'):html.index("</section>")]
    start = answers.index('<p class="note terms">')  # where the answers use them, once
    note = answers[start:answers.index("</p>", start) + 4]
    assert html.count('<p class="note terms">') == 1
    assert "<em>non-firm right</em>: a transport right that is firm only part of the time" in note
    assert "<em>MW-hours</em>: a right&#39;s MW times the hours it may be used" in note
    assert note.rstrip().endswith(".</p>") and ".;" not in note
    # A scenario's description alone is enough: the page then speaks of such rights.
    described = scenario.model_copy(update={"description": "With non-firm transport rights."})
    page = run_page(summary, described, "fifo.yaml", {})
    assert [term for term, _ in page.terms] == ["non-firm right"]
    headline = render_report(page)
    assert "<em>non-firm right</em>" in headline[:headline.index("</section>")]


def test_the_terms_say_which_years_job_years_count(summary_and_scenario):
    """'times the years it waited' read as the whole wait, a waiting list's years before too.

    job_years_waiting and mw_years_waiting count from the start for an applicant already
    waiting then (the run cannot change the years before it), while its wait_years in
    applicants.csv runs from its request; and one who withdrew counts to the end of the
    run, where its wait_years end at the withdrawal: the term says which years it counts.
    """
    summary, scenario = summary_and_scenario
    html = render_report(run_page(summary, scenario, "fifo.yaml", {}))
    assert ("times the years it was without a connection in the run (to its first "
            "connection, or to the end of the run if it withdrew or still waits: giving up "
            "does not bring the jobs; one already waiting at the start, from the start)") in html
    description = METRICS["job_years_waiting"].description
    assert "before the start are not counted" in description
    assert "withdrawn count to the end of the run" in description


def test_a_report_made_again_names_the_scenario_file_not_the_results_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pages_only: None):
    """``gridqueue report DIR`` gave the results folder as the scenario's source.

    The run's own report names the scenario file; one made again from its folder names the
    same file (as run.json records it), seen from where the command runs, and the options it
    was run with, given from Python here.
    """
    family = write_family(tmp_path / "family")
    scenario = load_scenario(family["fifo"], {"replications": 2})
    run(scenario, workers=1).write(tmp_path / "out")
    monkeypatch.chdir(tmp_path)
    html = write_report("out").read_text(encoding="utf-8")
    detail = html[html.index('<h2 id="detail">'):]
    assert (f'>{Path(family["fifo"]).relative_to(tmp_path).as_posix()}, override '
            'replications=2</td>') in detail
    assert ' class="">out</td>' not in detail


def test_a_report_names_the_options_a_scenario_was_run_with_beside_its_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        pages_only: None):
    """A run with --set grid.capacity_mw=20 named only its file as the source.

    The file alone passes for the scenario as written; the options follow it, in the run's
    own report, in one made again from its folder (from the command run.json records), and
    in a comparison's.
    """
    from sim.cli import main

    family = write_family(tmp_path / "family")
    monkeypatch.chdir(tmp_path)
    named = Path(family["fifo"]).relative_to(tmp_path).as_posix()
    assert main(["run", named, "-o", "out", "--set", "replications=2", "--set",
                 "grid.capacity_mw=20", "--workers", "1", "-q"]) == 0
    source = f">{named}, --set replications=2, --set grid.capacity_mw=20</td>"
    assert source in Path("out/report.html").read_text(encoding="utf-8")
    assert source in write_report("out").read_text(encoding="utf-8")
    assert main(["compare", named, Path(family["social_priority"]).relative_to(tmp_path)
                 .as_posix(), "-o", "cmp", "--set", "replications=2", "--workers", "1",
                 "-q"]) == 0
    assert f">{named}, --set replications=2</td>" in Path("cmp/report.html").read_text(
        encoding="utf-8")
    capsys.readouterr()


def test_a_report_made_again_names_replications_and_seed_as_the_runs_own_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        pages_only: None):
    """--replications and --seed change the scenario as a --set does.

    The run's own report named them after the --set options; one made again from run.json's
    command named the --set options alone, so the two reports of one run told apart
    scenarios that were the same. Both, and run.json, name them as typed: they said
    '--set replications=2', an option nobody gave.
    """
    from sim.cli import main

    family = write_family(tmp_path / "family")
    monkeypatch.chdir(tmp_path)
    named = Path(family["fifo"]).relative_to(tmp_path).as_posix()
    assert main(["run", named, "-o", "out", "--replications", "2", "--seed=7", "--set",
                 "grid.capacity_mw=20", "--workers", "1", "-q"]) == 0
    options = ["--set grid.capacity_mw=20", "--replications 2", "--seed 7"]
    assert json.loads(Path("out/run.json").read_text(encoding="utf-8"))["options"] == options
    source = f">{named}, {', '.join(options)}</td>"
    assert source in Path("out/report.html").read_text(encoding="utf-8")
    assert source in write_report("out").read_text(encoding="utf-8")
    capsys.readouterr()


def test_where_a_category_changes_the_figures_say_which_category_they_count():
    """MW still waiting by category: the tables count the request's, the queue the one in force.

    A project asking as other businesses in 2024 is moved to safety in 2026 and still waits
    at the end: summary.csv counts its 0.5 MW in other, timeseries.csv's queue in safety.
    Nothing said so; the terminal, the run's report and the queue's caption now do.
    """
    from sim.report.data import QUEUE_IN_FORCE
    from sim.runs.summary_table import BY_REQUEST_CATEGORY, format_summary
    from tests.builders import project, scenario

    moved = [{"date": "2026-01-01", "category": "safety"}]
    world = scenario(grid={"capacity_mw": 0.0}, policy={"order": "fifo"},
                     projects=[project("Lab", "2024-06-01", 0.5, patience_years=100,
                                       category_changes=moved)])
    results = run(world, workers=1)
    mw = results.summary.set_index(["group", "metric"])["mean"]
    assert (mw[("other", "mw_waiting")], mw[("safety", "mw_waiting")]) == (0.5, 0.0)
    end = results.timeseries[results.timeseries["date"] == results.timeseries["date"].max()]
    assert (end["queued_mw_other"].sum(), end["queued_mw_safety"].sum()) == (0.0, 0.5)
    assert BY_REQUEST_CATEGORY in format_summary(results)
    page = run_page(results.summary, world, "s.yaml", {"queue": b""})
    assert page.by_category_note == BY_REQUEST_CATEGORY
    assert page.figures[0].caption.endswith(QUEUE_IN_FORCE)
    assert "each applicant counts in the category of its request" in render_report(page)
    still = run(scenario(grid={"capacity_mw": 0.0}, policy={"order": "fifo"},
                         projects=[project("Lab", "2024-06-01", 0.5, patience_years=100)]),
                workers=1)
    assert BY_REQUEST_CATEGORY not in format_summary(still)
    page = run_page(still.summary, still.scenario, "s.yaml", {"queue": b""})
    assert page.by_category_note == "" and not page.figures[0].caption.endswith(QUEUE_IN_FORCE)


def test_a_whole_mean_count_in_an_answer_reads_as_a_whole_number():
    """'on average 12 homes asked', not '12.0': a mean count that is whole is written whole.

    A fractional one keeps its decimal (6.5), each count on its own; the formatter's one
    decimal below 100 is for figures that are not counts.
    """
    items = homes_items({("v", "r"): {"v": {"s": (12.0, 6.5)}, "r": {"s": (10.0, 4.0)}}})
    assert items == {("v", "r"): [
        "s asks for blocks of homes, one applicant each: on average 12 homes asked, 6.5 of "
        "them connected by the end of the run (10 and 4 in r) (homes in applicants.csv)"]}
