"""A run's report on a waiting-list CSV: how many it listed, their outcome, what is drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import load_scenario, run
from sim.report.run import write_report_files
from sim.report.waiting_list import waiting_list_line, waiting_list_lines
from tests.test_loading import BASE

# The report's words on the list are checked here, not its figures: they are laid out and
# written empty (tests/undrawn.py).
pytestmark = pytest.mark.undrawn

LIST = (
    "request_date;category;demand_mw;stream;jobs;priority_requested\r\n"
    "17-11-2022;basic_needs;0,45;;12;\r\n"
    "03-05-2023;other;1,5;firms;;\r\n"
    "04-05-2023;basic_needs;0,2;;3;WAAR\r\n"
)


def test_the_report_counts_the_listed_applicants_and_says_what_was_drawn(tmp_path: Path):
    """Every row runs in every replication, and its outcome and draws are said.

    The report said only the file's name: a planner could not see that the rows ran, what
    became of them, or that their patience and priority requests were drawn.
    """
    (tmp_path / "list.csv").write_text(LIST, encoding="utf-8-sig")
    path = tmp_path / "s.yaml"
    path.write_text(BASE + "waiting_list: {csv: list.csv, patience_years: 4}\n"
                    "replications: 3\n", encoding="utf-8")
    scenario = load_scenario(path, ["streams.firms.patience_years={dist: exponential, mean: 8}"])
    results = run(scenario, workers=1)
    lines = waiting_list_lines(scenario, results.applicants)
    listed = results.applicants[results.applicants["source"] == "waiting_list"]
    assert len(listed) == 3 * 3
    assert lines[0] == ("3 applicants listed at the start, one per row of list.csv (2.15 MW "
                        "demand, requested from 2022-11-17 to 2023-05-04), in every replication")
    counts = listed["outcome"].value_counts() / 3
    assert sum(float(part.split()[0]) for part in lines[1].removeprefix(
        "By the end of the run, on average ").split(" (")[0].split(", ")) == 3
    assert f"{counts.get('connected', 0):.0f} connected" in lines[1] or \
        f"{counts.get('connected', 0):.1f} connected" in lines[1]
    write_report_files(results, tmp_path, "s.yaml")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<h3 id="waiting-list">Waiting list at the start</h3>' in page
    assert f"<li>{lines[0]}.</li>" in page
    assert lines[2].endswith("drawn in each replication: patience for 1 row from their "
                             "streams; patience for 2 rows naming no stream from "
                             "waiting_list.patience_years; priority requests (by "
                             "priority_uptake) for 1 row leaving priority_requested empty"
                             + UNSERVED)


UNSERVED = (" — no policy or round in force serves priority in their categories, so the "
            "rows' priority requests change no wait (the priority_requested column of "
            "applicants.csv says only who asked)")


def test_priority_requests_are_said_to_change_nothing_where_no_policy_serves_priority(
        tmp_path: Path):
    """Under fifo the rows draw their priority requests too, and they move nobody up.

    The report listed '1 row' drawing a priority request and a row asking in the file, as if
    that served them sooner; validate says such a request counts only where a policy serves
    priority, and the report now says so where none does (a change to social_priority does).
    """
    (tmp_path / "list.csv").write_text(LIST, encoding="utf-8-sig")
    path = tmp_path / "s.yaml"
    path.write_text(BASE + "waiting_list: {csv: list.csv}\nreplications: 1\n", encoding="utf-8")
    fifo = load_scenario(path)
    lines = waiting_list_lines(fifo, run(fifo, workers=1).applicants)
    assert lines[2].endswith(UNSERVED)
    later = load_scenario(path, ["policy.changes=[{date: 2026-01-01, order: social_priority}]"])
    assert not waiting_list_lines(later, run(later, workers=1).applicants)[2].endswith(
        UNSERVED)
    # A row asking in the file, none drawn, is said too; rows that all say no are not.
    stated = LIST.replace(";12;\r\n", ";12;ONWAAR\r\n").replace(";;\r\n", ";;ONWAAR\r\n")
    (tmp_path / "list.csv").write_text(stated, encoding="utf-8-sig")
    fifo = load_scenario(path)
    assert waiting_list_lines(fifo, run(fifo, workers=1).applicants)[2].endswith(
        "nothing is drawn for them (no patience: they wait until connected)" + UNSERVED)
    (tmp_path / "list.csv").write_text(stated.replace(";WAAR", ";ONWAAR"), encoding="utf-8-sig")
    fifo = load_scenario(path)
    assert not waiting_list_lines(fifo, run(fifo, workers=1).applicants)[2].endswith(UNSERVED)
    # Rounds that serve safety alone between rounds serve no basic-needs row that asks.
    (tmp_path / "list.csv").write_text(stated, encoding="utf-8-sig")
    for served, said in (("safety", True), ("basic_needs", False)):
        scenario = load_scenario(path, [
            "policy.allocation=rounds", "streams.guards={category: safety, rate_per_year: 2, "
            "demand_mw: 0.2}", f"policy.rounds={{dates: [2025-01-01], between_rounds: "
            f"[{served}]}}"])
        line = waiting_list_lines(scenario, run(scenario, workers=1).applicants)[2]
        assert line.endswith(UNSERVED) is said, (served, line)


def test_the_listed_mw_are_called_demand_not_what_is_asked_of_the_grid(tmp_path: Path):
    """Rows that generate part of their demand on site ask the grid for less than the file's MW.

    The report called the file's 2.15 MW of demand "MW asked", the word applicants.csv
    (requested_mw) and validate use for what is asked of the grid: here 1.5 MW of it.
    """
    (tmp_path / "list.csv").write_text(
        "request_date,category,demand_mw,self_supply\n2022-11-17,other,2.0,0.25\n"
        "2023-01-10,other,0.15,0.0\n", encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(BASE + "waiting_list: {csv: list.csv}\nreplications: 1\n",
                    encoding="utf-8")
    scenario = load_scenario(path)
    lines = waiting_list_lines(scenario, run(scenario, workers=1).applicants)
    assert "(2.15 MW demand, requested from 2022-11-17 to 2023-01-10)" in lines[0]
    assert "MW asked" not in " ".join(lines)


def test_a_scenario_without_a_waiting_list_csv_says_nothing_of_one(tmp_path: Path):
    path = tmp_path / "s.yaml"
    path.write_text(BASE + "replications: 2\n", encoding="utf-8")
    scenario = load_scenario(path)
    assert waiting_list_lines(scenario, run(scenario, workers=1).applicants) == []


def test_the_terminal_line_without_the_applicant_rows_says_only_what_was_read(tmp_path):
    """Rows too many to hold in memory are not read in again for an outcome."""
    (tmp_path / "list.csv").write_text(LIST, encoding="utf-8-sig")
    path = tmp_path / "s.yaml"
    path.write_text(BASE + "waiting_list: {csv: list.csv}\n", encoding="utf-8")
    scenario = load_scenario(path)
    assert waiting_list_line(scenario, None) == (
        f"waiting list: 3 rows of {tmp_path / 'list.csv'} (2.15 MW demand)")
    one = run(scenario.model_copy(update={"replications": 1}), workers=1)
    assert waiting_list_line(scenario, one.applicants).startswith(
        f"waiting list: 3 rows of {tmp_path / 'list.csv'} (2.15 MW demand), 3 connected, ")


def test_the_report_says_whose_efficiency_scores_the_file_gives_and_whose_are_drawn(
        tmp_path: Path):
    """Rows ranked by efficiency: the lines named neither the scores given nor those drawn.

    A planner could not tell from the report that the rows' scores set their order, nor that
    rows without one draw it from waiting_list.efficiency.
    """
    (tmp_path / "list.csv").write_text(
        "request_date,category,demand_mw,efficiency\n2023-01-10,congestion_relief,0.5,4\n"
        "2023-02-10,congestion_relief,0.5,\n2023-03-10,other,0.5,\n", encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(BASE.replace("policy: {order: fifo}\n", "")
                    + "policy: {order: social_priority, within_category: "
                    "{congestion_relief: efficiency}}\n"
                    "waiting_list: {csv: list.csv, efficiency: {dist: uniform, low: 0, "
                    "high: 10}}\nreplications: 1\n", encoding="utf-8")
    scenario = load_scenario(path)
    lines = waiting_list_lines(scenario, run(scenario, workers=1).applicants)
    assert lines[2].startswith("From the file: each row's request date, category, MW demand "
                               "and jobs (empty: 0), its stream and area, and its self_supply, "
                               "priority_requested and efficiency where given; ")
    assert ("efficiency scores for 2 rows naming no stream from waiting_list.efficiency"
            in lines[2])


def test_on_site_generation_is_said_drawn_only_for_rows_a_setting_with_a_share_reaches(
        tmp_path: Path):
    """Rows under a default whose share is 0 were counted as drawing on-site generation."""
    (tmp_path / "list.csv").write_text(LIST, encoding="utf-8-sig")
    path = tmp_path / "s.yaml"
    path.write_text(BASE + "waiting_list: {csv: list.csv}\nreplications: 1\n"
                    "onsite_generation: {share: 0.3, cover: 0.2, by_category: "
                    "{basic_needs: {share: 0, cover: 0}}}\n", encoding="utf-8")
    scenario = load_scenario(path)
    lines = waiting_list_lines(scenario, run(scenario, workers=1).applicants)
    assert "on-site generation for 1 row without a self_supply" in lines[2]


def test_the_rows_outcomes_are_given_to_one_precision_so_they_add_up():
    """The three averages of what became of the rows add up to the rows.

    Averages of 1.7, 22.5 and 15.8 of 40 rows read "1.7 connected, 22 withdrew, 16 still
    waiting": 39.7, the two larger rounded to whole rows apart from the smaller.
    """
    import pandas as pd

    from sim.report.waiting_list import _outcome_text

    mixed = pd.Series({"connected": 1.7, "withdrawn": 22.5, "waiting": 15.8})
    assert _outcome_text(mixed) == "1.7 connected, 22.5 withdrew, 15.8 still waiting"
    whole = pd.Series({"connected": 412.0, "withdrawn": 1290.0})
    assert _outcome_text(whole) == "412 connected, 1,290 withdrew, 0 still waiting"



def test_rows_connected_that_still_wait_for_firm_mw_are_said_among_the_connected():
    """A row connected in part (or by a right beside its firm place) still waits for firm MW.

    Two replications of three rows: one row connected whole in both, one connected in part in
    the first with 2 MW still to come, one never connected; "still waiting" then says it counts
    those without any connection. An older folder without ``waiting_mw`` reads as before.
    """
    import pandas as pd

    from sim.report.waiting_list import _outcome_text, _outcomes

    applicants = pd.DataFrame({
        "replication": [0, 0, 0, 1, 1, 1],
        "source": ["waiting_list"] * 6,
        "outcome": ["connected", "connected", "waiting", "connected", "withdrawn", "waiting"],
        "waiting_mw": [0.0, 2.0, 5.0, 0.0, 0.0, 5.0]})
    count, outcome, replications = _outcomes(applicants)
    assert (count, replications) == (3, 2)
    assert _outcome_text(outcome) == ("1.5 connected (0.5 of them still waiting for firm MW), "
                                      "0.5 withdrew, 1.0 still waiting without any connection")
    _, older, _ = _outcomes(applicants.drop(columns="waiting_mw"))
    assert _outcome_text(older) == "1.5 connected, 0.5 withdrew, 1.0 still waiting"
