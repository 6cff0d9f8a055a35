"""Settings that would change nothing are refused where given, never silently run.

Each case was accepted before, with tables identical to the same scenario without the
setting and nothing said (see :mod:`sim.inputs.inert`).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from sim import GridqueueWarning, InputError, Results, load_scenario, run, sweep
from sim.analysis.scenario_outline import outline
from sim.inputs.loading import check_edited, check_runnable, load_resolved
from sim.inputs.scenario import Project
from sim.runs.results import scenario_yaml
from tests.test_loading import BASE

RELEASE = ("capacity_releases=[{name: use-it-or-lose-it, start: 2025-01-01, every_months: 12, "
           "user_share: 0.5, mw_share: 0.5, after_years: 1}]")


@pytest.fixture
def base(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(BASE, encoding="utf-8")
    return path


def _child(base: Path, change: str) -> Path:
    """A file extending ``base`` with one ``key=value`` change: what a sweep then varies.

    A sweep refuses an override of a key it varies (or of one around it), as the command line
    does, so the setting a cell varies goes in a file.
    """
    key, _, value = change.partition("=")
    child = base.with_name(f"{key}.yaml")
    child.write_text(f"extends: {base.name}\n{key}: {value}\n", encoding="utf-8")
    return child


@pytest.mark.parametrize(("change", "says"), [
    ("capacity_releases.0.user_share=0", r"capacity_releases.0.user_share: expected a share "
     r"above 0: with 0, nobody reviewed gives up any MW"),
    ("capacity_releases.0.after_years=6", r"capacity_releases.0.after_years: expected a review "
     r"that can find a user connected long enough: the last review \(2029-01-01\) looks back "
     r"6 years, to 2023-01-01, before the start \(2024-01-01\), and existing_mw is 0"),
    ("capacity_releases.0.start=2024-01-01", r"its only review is on the start day"),
])
def test_a_capacity_release_that_can_free_nothing_is_refused(base, change, says):
    """No user could be reviewed, or none gives anything up: it would free nothing."""
    extra = ["capacity_releases.0.after_years=0", "capacity_releases.0.every_months=120"] \
        if "start=" in change else []
    with pytest.raises(InputError, match=says):
        load_scenario(base, [RELEASE, *extra, change])
    load_scenario(base, [RELEASE])
    load_scenario(base, [RELEASE, "capacity_releases.0.after_years=6",
                         "capacity_releases.0.existing_mw=10"])  # users from before the start


TWO_AREAS = ["grid={areas: {north: {capacity_mw: 4}, south: {capacity_mw: 1}}}",
             "streams.firms.area=north"]


def test_a_release_in_an_area_nobody_asks_in_is_refused(base, tmp_path):
    """A release of one area where no stream, project or row asks reviews nobody, ever.

    Without existing_mw it frees nothing: it was accepted, with mw_freed 0 and no word. Where
    a later layer moves the last stream out of the area, it is set aside with a warning.
    """
    in_south = [*TWO_AREAS, RELEASE, "capacity_releases.0.area=south"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GridqueueWarning)  # the base's upgrades, replaced
        with pytest.raises(InputError, match=r"capacity_releases.0.area: expected an area "
                           r"somebody asks in, or existing_mw: no stream, project or "
                           r"waiting-list row asks in area 'south', so the mechanism would "
                           r"free nothing; name another area, or give existing_mw"):
            load_scenario(base, in_south)
        load_scenario(base, [*in_south, "capacity_releases.0.existing_mw=10"])
        load_scenario(base, [*in_south, "projects=[{name: Depot, date: 2025-01-01, "
                                        "demand_mw: 0.5, area: south}]"])
        parent = tmp_path / "parent.yaml"
        parent.write_text(scenario_yaml(load_scenario(base, [*in_south,
                                                             "streams.firms.area=south"])),
                          encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"capacity_releases.0 is set aside: after "
                      r"--set streams.firms.area=north, no stream, project or waiting-list "
                      r"row asks in area 'south'"):
        load_scenario(parent, ["streams.firms.area=north"])


def test_a_release_looking_back_to_the_start_day_is_kept(base):
    """Three calendar years back from the last review, 2028-01-01, is the start day: kept.

    It is 1,095 days, less than three years of 365.25 days, yet a user connected on the start
    day is reviewed then. 3.01 years go back 36 months and 4 days, to 2024-12-28: refused.
    """
    period = [RELEASE, "start=2025-01-01", "end=2028-06-01"]
    load_scenario(base, [*period, "capacity_releases.0.after_years=3"])
    with pytest.raises(InputError, match=r"the last review \(2028-01-01\) looks back 3.01 "
                       r"years, to 2024-12-28, before the start \(2025-01-01\)"):
        load_scenario(base, [*period, "capacity_releases.0.after_years=3.01"])


def test_a_sweep_may_reach_a_release_that_frees_nothing(base):
    """A cell is judged with the grid: user_share 0 is a sweep's baseline, not a mistake."""
    with_release = _child(base, RELEASE)
    result = sweep(with_release, {"capacity_releases.0.user_share": [0, 0.5]},
                   replications=2, workers=1)
    assert len(result.cells) == 2


def test_rounds_that_serve_a_category_nobody_is_in_are_refused(base):
    rounds = ("policy={order: social_priority, allocation: rounds, rounds: {dates: "
              "[2025-01-01], between_rounds: [safety]}}")
    with pytest.raises(InputError, match=r"policy.rounds.between_rounds: expected categories "
                       r"somebody is in: no stream, project or waiting-list row is ever in "
                       r"'safety'"):
        load_scenario(base, [rounds])
    load_scenario(base, [rounds, "streams.firms.category=safety"])


def test_waiting_list_defaults_every_row_overrides_are_refused(base):
    """Defaults for rows that name no stream, where every row names one, do nothing."""
    (base.parent / "list.csv").write_text("request_date,category,demand_mw,stream\n"
                                          "2023-01-01,other,1,firms\n", encoding="utf-8")
    listed = "waiting_list={csv: list.csv, patience_years: 3}"
    with pytest.raises(InputError, match=r"waiting_list.patience_years: expected rows that "
                       r"name no stream: it applies only to such rows, and every row of "
                       r"list.csv names a stream"):
        load_scenario(base, [listed])
    (base.parent / "list.csv").write_text("request_date,category,demand_mw,stream\n"
                                          "2023-01-01,other,1,\n", encoding="utf-8")
    load_scenario(base, [listed])


def test_keeping_a_firm_place_without_a_non_firm_right_is_refused(base):
    project = "projects=[{name: Campus, date: 2025-01-01, demand_mw: 1, keep_firm_place: false}]"
    with pytest.raises(InputError, match=r"projects.0.keep_firm_place: expected a "
                       r"non_firm_right beside it"):
        load_scenario(base, [project])


def test_validate_names_a_policy_change_that_restates_the_rules(base):
    """Validate names a policy change that restates the rules, rather than merge it away.

    A family's file may restate them at a date its children change (social_priority.yaml).
    """
    scenario = load_scenario(base, ["policy.changes=[{date: 2026-01-01, order: fifo}]"])
    assert "  (2026-01-01: policy.changes.0 restates the rules in force, so nothing changes)" \
        in outline(scenario, None)


def test_ranking_a_category_by_efficiency_needs_scores_in_it(base):
    """Scores elsewhere do not rank a category whose own applicants have none."""
    scored = ["streams.relief={category: congestion_relief, rate_per_year: 2, demand_mw: 1, "
              "efficiency: {dist: uniform, low: 0, high: 1}}",
              "policy={order: social_priority, within_category: {congestion_relief: "
              "efficiency}}"]
    load_scenario(base, scored)
    with pytest.raises(InputError, match=r"policy.within_category.other: expected efficiency "
                       r"scores of other applicants to rank by: no stream, project or "
                       r"waiting-list row in other gives one"):
        load_scenario(base, [*scored, "policy.within_category.other=efficiency"])


def test_applicants_without_a_score_in_a_ranked_category_are_warned_of(base):
    """They are served after every scored one, as documented, but nothing said so.

    A stream left without ``efficiency`` in a category ranked by it is more often forgotten
    than meant; its applicants waited behind every scored one.
    """
    ranked = ["streams.relief={category: congestion_relief, rate_per_year: 2, demand_mw: 1, "
              "efficiency: {dist: uniform, low: 0, high: 1}}",
              "policy={order: social_priority, within_category: {congestion_relief: "
              "efficiency}}"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_scenario(base, ranked)  # everyone in it has a score: nothing to say
    storage = "streams.storage={category: congestion_relief, rate_per_year: 1, demand_mw: 2}"
    (base.parent / "list.csv").write_text(
        "request_date,category,demand_mw,efficiency\n2023-01-01,congestion_relief,1,\n"
        "2023-02-01,congestion_relief,1,0.5\n2023-03-01,congestion_relief,1,\n",
        encoding="utf-8")
    with pytest.warns(GridqueueWarning) as warned:
        load_scenario(base, [*ranked, storage, "waiting_list={csv: list.csv}"])
    assert [str(w.message) for w in warned] == [
        "--set policy={order: social_priority, within_category: {congestion_relief: "
        "efficiency}}: ranks congestion_relief by efficiency, but stream 'storage' and 2 "
        "waiting-list rows in it give no efficiency score: those applicants are served after "
        "every one with a score, by request date"]


def test_applicants_without_a_score_are_warned_of_once_over_the_periods(base):
    """A ranking by efficiency that later policy changes keep is one ranking, one warning.

    Each change after it keeps within_category, and each said the same again, pointing at
    a change that says nothing about efficiency.
    """
    changes = ("policy={order: social_priority, within_category: {congestion_relief: "
               "efficiency}, changes: [{date: 2025-06-01, category_order: [safety, "
               "congestion_relief, basic_needs, other]}, {date: 2026-01-01, order: fifo}, "
               "{date: 2026-06-01, order: social_priority}]}")
    with pytest.warns(GridqueueWarning) as warned:
        load_scenario(base, [
            "streams.relief={category: congestion_relief, rate_per_year: 2, demand_mw: 1, "
            "efficiency: {dist: uniform, low: 0, high: 1}}",
            "streams.storage={category: congestion_relief, rate_per_year: 1, demand_mw: 2}",
            changes])
    assert [str(w.message) for w in warned] == [
        f"--set {changes}: ranks congestion_relief by efficiency, but stream 'storage' in it "
        "gives no efficiency score: those applicants are served after every one with a "
        "score, by request date"]


RELIEF = ["streams.relief={category: congestion_relief, rate_per_year: 2, demand_mw: 1, "
          "efficiency: {dist: uniform, low: 0, high: 1}}",
          "policy={order: social_priority, within_category: {congestion_relief: efficiency}}"]
"""Congestion relievers ranked by the scores they all give."""


def test_ranking_a_category_nobody_asks_for_priority_in_is_refused(base):
    """Who does not ask for priority queues in other: a ranking of their category reaches none.

    With priority_uptake.congestion_relief at 0 the ranking and the scores were accepted, said
    nothing, and ran as without them.
    """
    with pytest.raises(InputError, match=r"streams.relief.efficiency: expected no efficiency "
                       r"scores here: nobody in congestion_relief asks for priority "
                       r"\(priority_uptake.congestion_relief is 0\), and who does not queues in "
                       r"other, which no rules in force rank by efficiency "
                       r"\(policy.within_category\), so they would do nothing; raise the "
                       r"uptake, or leave the scores out"):
        load_scenario(base, [*RELIEF, "priority_uptake.congestion_relief=0"])
    asks = "projects=[{name: Battery, date: 2025-01-01, demand_mw: 1, category: " \
        "congestion_relief}]"  # asks, without a score
    with pytest.raises(InputError, match=r"policy.within_category.congestion_relief: expected "
                       r"efficiency scores of congestion_relief applicants to rank by: nobody in "
                       r"congestion_relief with a score asks for priority "
                       r"\(priority_uptake.congestion_relief is 0, and no project or "
                       r"waiting-list row in it with a score asks\), so the category would keep "
                       r"its request-date order; raise the uptake, or leave it out"):
        load_scenario(base, [*RELIEF, "priority_uptake.congestion_relief=0",
                             "policy.within_category.other=efficiency", asks])
    load_scenario(base, [*RELIEF, "priority_uptake.congestion_relief=0.1"])
    with warnings.catch_warnings():  # who does not ask is ranked in other by the same scores
        warnings.simplefilter("error")
        load_scenario(base, [*RELIEF, "priority_uptake.congestion_relief=0",
                             "streams.firms.efficiency=1",
                             "policy={order: social_priority, within_category: {other: "
                             "efficiency}}"])


def test_a_project_that_does_not_ask_for_priority_is_not_ranked_in_its_category(base):
    """A project that declines priority queues in other: its score reaches no ranking there.

    Its efficiency was accepted beside a ranking of its category, and changed nothing.
    """
    declines = "projects=[{name: Battery, date: 2025-01-01, demand_mw: 1, category: " \
        "congestion_relief, priority_requested: false, efficiency: 100}]"
    with pytest.raises(InputError, match=r"projects.0.efficiency: expected no efficiency scores "
                       r"here: the project does not ask for priority \(priority_requested is "
                       r"false\), so it queues in other, which no rules in force rank by "
                       r"efficiency \(policy.within_category\), so they would do nothing; let "
                       r"it ask for priority, or leave the scores out"):
        load_scenario(base, [*RELIEF, declines])
    with pytest.warns(GridqueueWarning, match=r"ranks other by efficiency, but stream 'firms'"):
        load_scenario(base, [*RELIEF, declines, "policy.within_category.other=efficiency"])


def test_waiting_list_rows_that_do_not_ask_are_scored_in_other(base):
    """A row that declines priority queues in other, whose ranking (or none) its score meets."""
    (base.parent / "list.csv").write_text(
        "request_date,category,demand_mw,efficiency,priority_requested\n"
        "2023-01-01,congestion_relief,1,0.5,false\n2023-02-01,congestion_relief,1,0.7,true\n",
        encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"1 row of list.csv gives an efficiency score, "
                      r"but no rules in force rank other by efficiency \(policy.within_category"
                      r"\), where those who do not ask for priority queue, so those scores do "
                      r"nothing"):  # its own category is ranked: that was named as the reason
        load_scenario(base, [*RELIEF, "waiting_list={csv: list.csv}"])


def test_on_site_generation_defaults_that_reach_nobody_are_refused(base):
    """A stream's own setting wins and projects give self_supply: defaults may reach nobody."""
    onsite = "onsite_generation={share: 0.3, cover: {dist: uniform, low: 0, high: 0.4}}"
    own = "streams.firms.onsite_generation={share: 0.5, cover: 0.2}"
    with pytest.raises(InputError, match=r"onsite_generation: expected applicants it applies "
                       r"to: no stream goes without an onsite_generation of its own"):
        load_scenario(base, [onsite, own])
    load_scenario(base, [onsite])
    with pytest.raises(InputError, match=r"onsite_generation.by_category.safety: expected "
                       r"applicants of safety it applies to"):
        load_scenario(base, [onsite, "onsite_generation.by_category={safety: {share: 1, "
                             "cover: 0.1}}"])


@pytest.mark.parametrize(("change", "says"), [
    ("onsite_generation.share=0", r"social_priority_onsite.yaml:\d+: onsite_generation.cover is "
     r"set aside: after --set onsite_generation.share=0, nobody adopts on-site generation, so "
     r"it would do nothing$"),
    ("onsite_generation.cover=0", r"social_priority_onsite.yaml:\d+: onsite_generation.share is "
     r"set aside: after --set onsite_generation.cover=0, adopters cover none of their demand"),
])
def test_an_inherited_share_or_cover_another_option_idles_is_set_aside(change, says):
    """``--set onsite_generation.share=0`` on a file that gives a cover: the cover is named."""
    with pytest.warns(GridqueueWarning) as caught:
        load_scenario(FAMILY / "social_priority_onsite.yaml", [change])
    assert any(re.search(says, str(warning.message)) for warning in caught), \
        [str(warning.message) for warning in caught]


def test_a_share_and_cover_both_0_are_nobody_and_a_sweep_may_reach_share_0(base):
    """Both 0 says nobody generates on site; a sweep's cell of share 0 is its baseline."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        load_scenario(base, ["onsite_generation={share: 0, cover: 0}"])
    onsite = _child(base, "onsite_generation={share: 0.3, cover: 0.2}")
    result = sweep(onsite, {"onsite_generation.share": [0, 0.5]}, replications=2, workers=1)
    assert len(result.cells) == 2


def test_a_project_time_that_ends_after_the_run_is_named(base):
    """A patience or lifetime that runs past the end changes nothing in this run: a warning."""
    project = "projects=[{name: Campus, date: 2025-01-01, demand_mw: 1, patience_years: 6}]"
    with pytest.warns(GridqueueWarning, match=r"projects.0.patience_years \(Campus\): 6 years "
                      r"from 2025-01-01 end after end \(2030-01-01\), so it changes nothing"):
        load_scenario(base, [project])
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        load_scenario(base, [project, "projects.0.patience_years=3"])


LARGE = "projects=[{name: Campus, date: 2025-01-01, demand_mw: 60}]"


def test_a_project_larger_than_its_area_ever_gets_is_named(base):
    """60 MW where the area has 4 at the start and 50 more in 2028: it never connects.

    It waited to the end without a word, as if the queue alone held it back.
    """
    with pytest.warns(GridqueueWarning, match=r"projects.0.demand_mw \(Campus\) asks 60 MW: "
                      r"more than the grid ever has there, 54 MW \(area 'main': its capacity "
                      r"at the start and every upgrade that can come before end \(2030-01-01\)"
                      r"\), so it never connects in this run"):
        load_scenario(base, [LARGE])
    with warnings.catch_warnings(record=True) as caught:  # the upgrade comes too late
        warnings.simplefilter("always")
        load_scenario(base, [LARGE, "projects.0.demand_mw=10", "grid.upgrades.0.delay_years=3"])
    assert any(str(w.message).split(": ", 1)[1].startswith(
        "projects.0.demand_mw (Campus) asks 10 MW: more than the grid ever has there, 4 MW")
        for w in caught)
    with pytest.warns(GridqueueWarning, match=r"asks 60 MW and takes no part below 0.95 of it "
                      r"\(57 MW\): more than the grid ever has there, 54 MW"):
        load_scenario(base, [LARGE, "projects.0.partial_min_share=0.95"])
    with pytest.warns(GridqueueWarning, match=r"asks 60 MW: more than the grid ever has there, "
                      r"15 MW \(the upstream limit area 'main' shares: "):
        load_scenario(base, [LARGE, "grid={areas: {main: {capacity_mw: 100}}, upstream: "
                             "{capacity_mw: 10, upgrades: [{name: up, date: 2026-01-01, "
                             "add_mw: 5}]}}"])
    with pytest.warns(GridqueueWarning, match=r"more than the grid ever has there, 59 MW "
                      r"\(area 'main': .*, and what capacity releases free\)"):
        load_scenario(base, [LARGE, RELEASE, "capacity_releases.0.existing_mw=20"])


def test_a_stream_whose_every_request_is_larger_than_its_area_ever_gets_is_named(base):
    """60 MW requests where the area ever has 54: none connects, and nothing said so.

    A lognormal may always draw a request that fits; a fixed or bounded demand may not. What
    on-site generation covers and the smallest part a partial offer takes are counted.
    """
    with pytest.warns(GridqueueWarning, match=r"streams.firms.demand_mw: its smallest possible "
                      r"request asks 60 MW of the grid: more than the grid ever has there, 54 "
                      r"MW \(area 'main': its capacity at the start and every upgrade that can "
                      r"come before end \(2030-01-01\)\), so none of its requests connects"):
        load_scenario(base, ["streams.firms.demand_mw=60"])
    with pytest.warns(GridqueueWarning, match=r"asks 57 MW of the grid \(with on-site "
                      r"generation and its smallest partial offer\)"):
        load_scenario(base, ["streams.firms.demand_mw={dist: uniform, low: 100, high: 120}",
                             "onsite_generation={share: 0.5, cover: {dist: uniform, low: 0, "
                             "high: 0.05}}",
                             "streams.firms.partial_offer={accept_share: 0.2, min_share: 0.6}"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        load_scenario(base, ["streams.firms.demand_mw=54"])
        load_scenario(base, ["streams.firms.demand_mw={dist: lognormal, median: 60, sigma: 1}"])
        load_scenario(base, ["streams.firms.demand_mw=60",
                             "streams.firms.partial_offer={accept_share: 0.2, min_share: 0.5}"])


def test_a_project_that_can_connect_at_all_is_not_named(base):
    """As much as the area ever has, a part that fits, a non-firm right, MW released: it may."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        load_scenario(base, [LARGE, "projects.0.demand_mw=54"])
        load_scenario(base, [LARGE, "projects.0.self_supply=0.1"])  # 54 MW from the grid
        load_scenario(base, [LARGE, "projects.0.partial_min_share=0.5"])
        load_scenario(base, [LARGE, "non_firm={rights: {f85: {hours_share: 0.85}}, "
                             "pools: {main: {capacity_mw: 1}}}", "projects.0.non_firm_right=f85"])
        # 30 MW of users from before the start, half of whom give up half: 7.5 MW more
        load_scenario(base, [LARGE, RELEASE, "capacity_releases.0.existing_mw=30"])


def test_a_stream_patience_that_ends_after_the_run_is_named(base):
    """A fixed patience as long as the run (from the first request) makes nobody withdraw."""
    with pytest.warns(GridqueueWarning, match=r"streams.firms.patience_years: 7 years from its "
                      r"first request \(2024-01-01\) end after end \(2030-01-01\), so nobody "
                      r"withdraws in this run"):
        load_scenario(base, ["streams.firms.patience_years=7"])
    with pytest.warns(GridqueueWarning, match=r"streams.firms.patience_years: at least 6.5 "
                      r"years from its first request"):  # the shortest a distribution draws
        load_scenario(base, ["streams.firms.patience_years={dist: uniform, low: 6.5, high: 9}"])
    with pytest.warns(GridqueueWarning, match=r"streams.firms.patience_years: 4.5 years from "
                      r"its first request \(2026-01-01\)"):  # nobody comes before its period
        load_scenario(base, ["streams.firms.patience_years=4.5",
                             "streams.firms.period={start: 2026-01-01}"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        load_scenario(base, ["streams.firms.patience_years=5"])
        load_scenario(base, ["streams.firms.patience_years={dist: exponential, mean: 50}"])
        load_scenario(base, ["streams.firms.patience_years={dist: uniform, low: 5, high: 9}"])


def test_a_waiting_list_patience_that_ends_after_the_run_is_named(base):
    """Rows of the list wait from the start: a patience as long as the run changes nothing.

    So does a stream's for its rows, even where its own requests come later.
    """
    (base.parent / "list.csv").write_text("request_date,category,demand_mw,stream\n"
                                          "2023-01-01,other,1,\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"waiting_list.patience_years: 6.5 years from "
                      r"the start \(2024-01-01; a waiting-list row's patience counts from it\) "
                      r"end after end \(2030-01-01\), so nobody withdraws"):
        load_scenario(base, ["waiting_list={csv: list.csv, patience_years: 6.5}"])
    (base.parent / "list.csv").write_text("request_date,category,demand_mw,stream\n"
                                          "2023-01-01,other,1,\n2023-01-01,other,1,firms\n",
                                          encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        load_scenario(base, ["waiting_list={csv: list.csv, patience_years: 5}"])
        load_scenario(base, ["waiting_list={csv: list.csv}", "streams.firms.patience_years=5",
                             "streams.firms.period={start: 2026-01-01}"])


ROUNDS = ("policy={order: social_priority, allocation: rounds, rounds: {dates: [2025-01-01], "
          "between_rounds: [safety]}}")


def test_rounds_that_serve_a_category_where_nobody_asks_for_priority_are_refused(base):
    """Between rounds only those with priority are served: with an uptake of 0, nobody."""
    safety = [ROUNDS, "streams.firms.category=safety"]
    with pytest.raises(InputError, match=r"policy.rounds.between_rounds: expected categories "
                       r"whose applicants may ask for priority: nobody in 'safety' does "
                       r"\(priority_uptake.safety is 0, and no project or waiting-list row in "
                       r"it asks\), and only those with priority are served between rounds"):
        load_scenario(base, [*safety, "priority_uptake.safety=0"])
    moving = [ROUNDS, "streams.firms.category=congestion_relief",
              "streams.firms.category_changes=[{date: 2026-01-01, category: safety}]"]
    with pytest.raises(InputError, match=r"nobody in 'safety' does \(its applicants ask by "
                       r"priority_uptake.congestion_relief, which is 0, and no project"):
        load_scenario(base, [*moving, "priority_uptake.congestion_relief=0"])
    declines = "projects=[{name: Campus, date: 2025-01-01, demand_mw: 1, category: safety, " \
               "priority_requested: false}]"
    with pytest.raises(InputError, match=r"nobody in 'safety' does"):
        load_scenario(base, [*safety, "priority_uptake.safety=0", declines])
    load_scenario(base, [*safety, "priority_uptake.safety=0.1"])
    load_scenario(base, moving)  # they ask by congestion_relief's uptake, 1
    load_scenario(base, [*safety, "priority_uptake.safety=0",
                         declines.replace("false", "true")])


def test_rounds_serve_a_waiting_list_row_that_asks_for_priority(base):
    """A row that says it asks is served between rounds, whatever its category's uptake."""
    (base.parent / "list.csv").write_text("request_date,category,demand_mw,priority_requested\n"
                                          "2023-01-01,safety,1,\n", encoding="utf-8")
    listed = [ROUNDS, "streams.firms.category=safety", "waiting_list={csv: list.csv}",
              "priority_uptake.safety=0"]
    with pytest.raises(InputError, match=r"nobody in 'safety' does \(priority_uptake.safety is "
                       r"0, and no project or waiting-list row in it asks\)"):
        load_scenario(base, listed)
    (base.parent / "list.csv").write_text("request_date,category,demand_mw,priority_requested\n"
                                          "2023-01-01,safety,1,true\n", encoding="utf-8")
    load_scenario(base, listed)


def test_a_priority_uptake_nobody_asks_by_is_refused(base):
    """A share of a category nobody is in, or whose applicants all ask otherwise, does nothing.

    Projects and rows that give priority_requested say themselves; an applicant asks by the
    uptake of the first category with priority it holds, under any rules.
    """
    with pytest.raises(InputError, match=r"priority_uptake.safety: expected a category "
                       r"somebody is in: no stream, project or waiting-list row is ever in "
                       r"'safety', so nobody would ask for priority by this share"):
        load_scenario(base, [ROUNDS.replace("safety", "basic_needs"),
                             "streams.firms.category=basic_needs",
                             "priority_uptake={basic_needs: 0.5, safety: 0.5}"])
    campus = "projects=[{name: Campus, date: 2025-01-01, demand_mw: 1, category: safety}]"
    with pytest.raises(InputError, match=r"priority_uptake.safety: expected applicants who ask "
                       r"for priority by this share: nobody in 'safety' does \(projects in it "
                       r"say themselves whether they ask \(priority_requested\)\)"):
        load_scenario(base, [ROUNDS, campus, "priority_uptake.safety=0.5"])
    moving = ["streams.firms.category=congestion_relief",
              "streams.firms.category_changes=[{date: 2026-01-01, category: safety}]"]
    with pytest.raises(InputError, match=r"nobody in 'safety' does \(applicants who move in "
                       r"from congestion_relief ask by its uptake\)"):
        load_scenario(base, [ROUNDS, *moving, "priority_uptake.safety=0.5"])
    load_scenario(base, [ROUNDS, campus, "priority_uptake.safety=1"])  # the default says nothing
    load_scenario(base, [ROUNDS, "streams.firms.category=safety", "priority_uptake.safety=0.5"])
    load_scenario(base, [ROUNDS, *moving, "priority_uptake.congestion_relief=0.5"])
    # the 2026 framework: a stream that moves into safety from 'other' asks by safety's uptake
    load_scenario(base, [ROUNDS, "streams.firms.category_changes=[{date: 2026-01-01, "
                         "category: safety}]", "priority_uptake.safety=0.5"])


def test_a_priority_uptake_of_waiting_list_rows_acts_where_a_row_does_not_say(base):
    """A row that leaves priority_requested empty asks by its category's uptake."""
    (base.parent / "list.csv").write_text("request_date,category,demand_mw,priority_requested\n"
                                          "2023-01-01,safety,1,true\n", encoding="utf-8")
    listed = [ROUNDS, "waiting_list={csv: list.csv}", "priority_uptake.safety=0.5"]
    with pytest.raises(InputError, match=r"priority_uptake.safety: expected applicants who ask "
                       r"for priority by this share: nobody in 'safety' does \(waiting-list "
                       r"rows in it say so in priority_requested\)"):
        load_scenario(base, listed)
    (base.parent / "list.csv").write_text("request_date,category,demand_mw,priority_requested\n"
                                          "2023-01-01,safety,1,true\n2023-01-01,safety,1,\n",
                                          encoding="utf-8")
    load_scenario(base, listed)


def test_a_priority_uptake_set_aside_by_a_later_file_or_option_is_warned_of(base):
    """A child file or option that empties a category sets an inherited share aside.

    A family's base states the shares of its applicants; a child that moves or removes a
    category's only stream means to, as the bundled family's variants may. A warning names
    the share set aside, as for the other settings a later layer leaves nothing to do.
    """
    base.write_text(BASE.replace("category: other", "category: safety").replace(
        "fifo", "social_priority") + "priority_uptake: {safety: 0.5}\n", encoding="utf-8")
    (base.parent / "child.yaml").write_text("extends: s.yaml\nstreams:\n  firms:\n"
                                            "    category: other\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"s.yaml:\d+: priority_uptake.safety is set aside: "
                      r"after the streams of \S*child.yaml, no stream, project or waiting-list "
                      r"row is ever in 'safety', so nobody would ask for priority by this "
                      r"share$"):
        load_scenario(base.parent / "child.yaml")
    with pytest.warns(GridqueueWarning, match=r"priority_uptake.safety is set aside: after "
                      r"--set streams.firms.category=basic_needs, no stream"):
        load_scenario(base, ["streams.firms.category=basic_needs"])
    (base.parent / "child.yaml").write_text("extends: s.yaml\nstreams:\n  firms:\n"
                                            "    category: other\n"
                                            "priority_uptake: {safety: 0.4}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"child.yaml:\d+: priority_uptake.safety: expected a "
                       r"category somebody is in"):  # given with the streams that empty it
        load_scenario(base.parent / "child.yaml")


IDLE = "streams.idle={category: safety, rate_per_year: 0, demand_mw: 1}"
"""A stream that draws nobody: a rate of 0, and no generated waiting list to draw it onto."""
DRAWS_NOBODY = (r"nobody is ever in 'safety': its only stream, 'idle', draws nobody \(its "
                r"rate_per_year is 0\), and no project or waiting-list row is in it")
"""Why nobody is in safety: said without first saying no stream is in it (it is)."""


def test_a_stream_that_draws_nobody_holds_no_category(base):
    """Settings for a category only such a stream is in reach nobody: each is refused.

    A rate of 0 stays 0 whatever its growth. Its uptake, serving it between rounds, its
    on-site generation and ranking it by efficiency were accepted, and did nothing.
    """
    uptake = ["policy.order=social_priority", "priority_uptake.safety=0.5"]
    onsite = "onsite_generation={share: 0.3, cover: 0.2, by_category: {safety: {share: 1, " \
             "cover: 0.1}}}"
    scored = ["streams.idle.efficiency=1", "streams.firms.efficiency=1", "policy={order: "
              "social_priority, within_category: {safety: efficiency, other: efficiency}}"]
    with pytest.raises(InputError, match=r"priority_uptake.safety: expected a category "
                       rf"somebody is in: {DRAWS_NOBODY}, so nobody would ask for priority"):
        load_scenario(base, [IDLE, "streams.idle.growth_per_year=0.5", *uptake])
    with pytest.raises(InputError, match=r"policy.rounds.between_rounds: expected categories "
                       rf"somebody is in: {DRAWS_NOBODY}, so serving it between rounds"):
        load_scenario(base, [ROUNDS, IDLE])
    with pytest.raises(InputError, match=r"onsite_generation.by_category.safety: expected "
                       r"applicants of safety it applies to: none takes the scenario's on-site "
                       r"generation: the only stream of that category without its own, "
                       r"'idle', draws nobody \(its rate_per_year is 0\), and no waiting-list "
                       r"row takes it, so it would do nothing"):
        load_scenario(base, [IDLE, onsite])
    with pytest.raises(InputError, match=r"policy.within_category.safety: expected efficiency "
                       r"scores of safety applicants to rank by: nobody in safety has a "
                       r"score: the only stream in it that gives one, 'idle', draws nobody "
                       r"\(its rate_per_year is 0\), and no other stream, project or "
                       r"waiting-list row in it gives one, so the category would keep"):
        load_scenario(base, [IDLE, *scored])
    with pytest.raises(InputError, match=r"onsite_generation: expected applicants it applies "
                       r"to: the only stream without an onsite_generation of its own, "
                       r"'firms', draws nobody \(its rate_per_year is 0\), projects give "
                       r"self_supply, and no waiting-list row takes it"):
        load_scenario(base, ["streams.firms.rate_per_year=0", onsite.split(", by_")[0] + "}"])
    drawing = [IDLE, "streams.idle.rate_per_year=0.5"]  # with a rate, each acts
    load_scenario(base, [*drawing, *uptake])
    load_scenario(base, [ROUNDS, *drawing])
    load_scenario(base, [*drawing, onsite])
    load_scenario(base, [*drawing, *scored])


def test_a_stream_of_rate_0_still_counts_for_the_applicants_it_has(base):
    """A generated waiting list may draw it (its mix), and rows of a CSV may name it.

    Those rows count as rows, in their own categories (and the stream's moves) and with the
    scores their stream draws for them; the stream itself draws nobody.
    """
    uptake = [IDLE, "policy.order=social_priority", "priority_uptake.safety=0.5"]
    generated = "waiting_list={count: 5, earliest: 2023-01-01, mix: {idle: 1, firms: 1}}"
    load_scenario(base, [*uptake, generated])
    with pytest.raises(InputError, match=r"its only stream, 'idle', draws nobody \(its "
                       r"rate_per_year is 0, and waiting_list.mix gives it no weight\)"):
        load_scenario(base, [*uptake, generated.replace("idle: 1, ", "")])
    listed = [*uptake, "waiting_list={csv: list.csv}"]
    csv = base.parent / "list.csv"
    csv.write_text("request_date,category,demand_mw,stream\n2023-01-01,safety,1,idle\n",
                   encoding="utf-8")
    load_scenario(base, listed)
    load_scenario(base, [ROUNDS, IDLE, "waiting_list={csv: list.csv}"])
    load_scenario(base, [IDLE, "streams.idle.efficiency=1", "waiting_list={csv: list.csv}",
                         "policy={order: social_priority, within_category: {safety: "
                         "efficiency}}"])  # the row's score is drawn from its stream's
    csv.write_text("request_date,category,demand_mw,stream,priority_requested\n"
                   "2023-01-01,safety,1,idle,true\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"priority_uptake.safety: expected applicants who ask "
                       r"for priority by this share: nobody in 'safety' does \(waiting-list "
                       r"rows in it say so in priority_requested\)"):
        load_scenario(base, listed)  # the stream draws nobody who would ask by the share
    csv.write_text("request_date,category,demand_mw,stream\n2023-01-01,other,1,idle\n",
                   encoding="utf-8")
    with pytest.raises(InputError, match=DRAWS_NOBODY):
        load_scenario(base, listed)  # its only row is in another category
    load_scenario(base, [*listed, "streams.idle.category_changes=[{date: 2026-01-01, "
                         "category: safety}]", "streams.idle.category=other"])  # it moves in


def test_a_rate_of_0_set_later_empties_a_category_as_removing_the_stream_does(base):
    """A file's uptake set aside by an option that stops its only stream, as by one removing it.

    And a sweep cell may stop it on purpose: cells are judged with the grid.
    """
    base.write_text(BASE.replace("category: other", "category: safety").replace(
        "fifo", "social_priority") + "priority_uptake: {safety: 0.5}\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"priority_uptake.safety is set aside: after "
                      r"--set streams.firms.rate_per_year=0, nobody is ever in 'safety': its "
                      r"only stream, 'firms', draws nobody"):
        load_scenario(base, ["streams.firms.rate_per_year=0"])
    with pytest.raises(InputError, match=r"'safety': its only stream, 'firms', draws nobody"):
        load_scenario(base, ["streams.firms.rate_per_year=0", "priority_uptake.safety=0.4"])
    result = sweep(base, {"streams.firms.rate_per_year": [0, 12]},
                   ["priority_uptake.safety=0.4"], replications=2, workers=1)
    assert len(result.cells) == 2


def test_a_growth_of_a_stream_of_rate_0_is_refused_or_set_aside(base):
    """A rate of 0 stays 0 whatever its growth: 'from nothing, 30% more a year' drew nobody.

    Beside another stream of the category nothing else named it, and the run was as without
    the stream. A later rate of 0 (a child file or option stopping the stream) sets an
    inherited growth aside with a warning; a growth with a rate acts.
    """
    with pytest.raises(InputError, match=r"streams.firms.growth_per_year: expected a "
                       r"rate_per_year above 0 beside it: a rate of 0 stays 0 whatever its "
                       r"growth, so the stream would draw nobody"):
        load_scenario(base, ["streams.firms.rate_per_year=0", "streams.firms.growth_per_year=0.3"])
    base.write_text(BASE.replace("rate_per_year: 12", "rate_per_year: 12\n    growth_per_year: "
                                 "0.3"), encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"s.yaml:\d+: streams.firms.growth_per_year is set "
                      r"aside: after --set streams.firms.rate_per_year=0, a rate of 0 stays 0"):
        load_scenario(base, ["streams.firms.rate_per_year=0"])
    assert load_scenario(base).streams["firms"].growth_per_year == 0.3


def test_several_streams_that_draw_nobody_are_named_together(base):
    """Two idle streams are the category's only ones: said once, with the verb of several."""
    with pytest.raises(InputError, match=r"nobody is ever in 'safety': its only streams, "
                       r"'idle' and 'spare', draw nobody \(their rate_per_year is 0\), and no "
                       r"project or waiting-list row is in it"):
        load_scenario(base, [ROUNDS, IDLE, IDLE.replace("idle", "spare")])


FAMILY = Path(__file__).resolve().parents[1] / "scenarios" / "flevoland"
STORAGE_STOPPED = "streams.storage.rate_per_year=0"
"""The bundled family's only congestion_relief stream, silenced by an option."""


@pytest.mark.parametrize(("scenario", "changes", "says"), [
    ("social_priority_onsite", [STORAGE_STOPPED],
     r"social_priority_onsite.yaml:14: onsite_generation.by_category.congestion_relief is set "
     r"aside: after --set streams.storage.rate_per_year=0, no congestion_relief applicant "
     r"takes the scenario's on-site generation: the only stream of that category without its "
     r"own, 'storage', draws nobody \(its rate_per_year is 0\), and no waiting-list row takes "
     r"it, so it would do nothing$"),
    ("social_priority_onsite", ["streams.storage=null"],
     r"onsite_generation.by_category.congestion_relief is set aside: after --set "
     r"streams.storage=null, no congestion_relief applicant takes the scenario's on-site "
     r"generation \(no stream of that category without its own, no waiting-list row\)"),
    ("efficiency_2026", [STORAGE_STOPPED],
     r"efficiency_2026.yaml:\d+: policy.changes.1.within_category.congestion_relief is set "
     r"aside: after --set streams.storage.rate_per_year=0, nobody in congestion_relief has an "
     r"efficiency score: the only stream in it that gives one, 'storage', draws nobody"),
    ("efficiency_2026", ["streams.storage=null"],
     r"efficiency_2026.yaml:\d+: policy.changes.1.within_category is set aside: after --set "
     r"streams.storage=null, no stream, project or waiting list gives efficiency, so every "
     r"applicant would keep its request-date order$"),
    ("rounds_2027", [STORAGE_STOPPED],
     r"rounds_2027.yaml:\d+: 'congestion_relief' in policy.changes.2.rounds.between_rounds is "
     r"set aside: after --set streams.storage.rate_per_year=0, nobody is ever in "
     r"'congestion_relief': its only stream, 'storage', draws nobody \(its rate_per_year is "
     r"0\), and no project or waiting-list row is in it, so serving it between rounds would "
     r"change nothing$"),
    ("rounds_2027", ["priority_uptake.safety=0"],
     r"'safety' in policy.changes.2.rounds.between_rounds is set aside: after --set "
     r"priority_uptake.safety=0, nobody in 'safety' asks for priority \(priority_uptake.safety "
     r"is 0, and no project or waiting-list row in it asks\)"),
    ("efficiency_2026", ["priority_uptake.congestion_relief=0"],
     r"efficiency_2026.yaml:\d+: streams.storage.efficiency is set aside: after --set "
     r"priority_uptake.congestion_relief=0, nobody in congestion_relief asks for priority "
     r"\(priority_uptake.congestion_relief is 0\), and who does not queues in other, which no "
     r"rules in force rank by efficiency \(policy.within_category\), so they would do "
     r"nothing$"),
    ("efficiency_2026", ["priority_uptake.congestion_relief=0"],
     r"efficiency_2026.yaml:\d+: policy.changes.1.within_category.congestion_relief is set "
     r"aside: after --set priority_uptake.congestion_relief=0, nobody in congestion_relief "
     r"with an efficiency score asks for priority \(priority_uptake.congestion_relief is 0, "
     r"and no project or waiting-list row in it with a score asks\), so the category would "
     r"keep its request-date order$"),
])
def test_a_bundled_setting_a_later_option_leaves_nothing_to_do_is_set_aside(scenario, changes,
                                                                            says):
    """Silencing or removing a bundled stream is not refused for the family's files' settings.

    Each was refused, at the bundled file's line, though the user wrote only the option; as
    an inherited priority_uptake, it is set aside with a warning instead.
    """
    with pytest.warns(GridqueueWarning) as caught:
        load_scenario(FAMILY / f"{scenario}.yaml", changes)
    assert any(re.search(says, str(warning.message)) for warning in caught), \
        [str(warning.message) for warning in caught]


def test_inherited_scores_a_later_fifo_leaves_unranked_are_set_aside(tmp_path):
    """FIFO beside a file that ranks by efficiency: the reference a planner compares with.

    ``--set policy.order=fifo`` on efficiency_2026.yaml (or a child file saying so) was
    refused at the bundled file's scores, which the user did not write, and ``run`` refused
    them again when the load let them through; scores given beside the FIFO are still refused.
    """
    with pytest.warns(GridqueueWarning) as caught:
        scenario = load_scenario(FAMILY / "efficiency_2026.yaml", ["policy.order=fifo"])
    assert [regime.order for _, regime in scenario.policy.regimes()] == ["fifo"]
    check_edited(scenario)  # as run() checks it again: the scores stay set aside
    assert any(re.search(r"efficiency_2026.yaml:\d+: streams.storage.efficiency is set aside: "
                         r"after --set policy.order=fifo, no rules in force rank "
                         r"congestion_relief by efficiency", str(warning.message))
               for warning in caught), [str(warning.message) for warning in caught]
    child = tmp_path / "fifo.yaml"
    child.write_text(f"extends: {FAMILY / 'efficiency_2026.yaml'}\npolicy:\n  order: fifo\n"
                     "  changes: []\nstreams:\n  storage:\n    efficiency: 0.5\n",
                     encoding="utf-8")
    with pytest.raises(InputError, match=r"fifo.yaml:7: streams.storage.efficiency: expected "
                       r"no efficiency scores here"):
        load_scenario(child)



def test_scores_set_aside_stay_so_in_the_scenario_of_results_read_back(tmp_path):
    """A results folder of the FIFO variant of efficiency_2026.yaml runs again from Python.

    Read back, its scenario held the parent's scores beside FIFO in one file, judged when it
    ran; ``run`` of a copy (more replications, say) refused them, as nothing said they had
    been set aside.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GridqueueWarning)
        scenario = load_scenario(FAMILY / "efficiency_2026.yaml",
                                 ["policy.order=fifo", "replications=1"])
    folder = run(scenario, workers=1).write(tmp_path / "fifo")
    back = Results.read(folder).scenario
    assert back.streams["storage"].efficiency is not None
    check_edited(back.model_copy(update={"replications": 2}))  # as run() checks it first


@pytest.mark.parametrize(("emptied", "key"), [
    ("streams.storage=null", r"policy.changes.1.within_category: expected efficiency scores to "
     r"rank by: no stream, project or waiting list gives efficiency"),
    (STORAGE_STOPPED, r"policy.changes.1.within_category.congestion_relief: expected "
     r"efficiency scores of congestion_relief applicants"),
])
def test_ranking_by_efficiency_given_with_what_empties_it_is_refused(emptied, key):
    """Set aside only where inherited: an option in a policy change that ranks is refused.

    The option's path holds the change's index as text, the check's key as a number: both
    name the same key.
    """
    ranking = "policy.changes.1.within_category.congestion_relief=efficiency"
    with pytest.raises(InputError, match=rf"--set {ranking}: {key}"):
        load_scenario(FAMILY / "efficiency_2026.yaml", [emptied, ranking])


def test_a_setting_given_with_or_after_what_empties_it_is_still_refused(base):
    """Only an inherited setting is set aside: one given in the emptying layer, or later, is not.

    A parent that gives rounds, on-site generation by category and ranking by efficiency for
    safety; a child file that stops safety's only stream warns of each, and one that gives
    them itself is refused, as is an option that gives them after it.
    """
    settings = ("policy: {order: social_priority, allocation: rounds, rounds: {dates: "
                "[2025-01-01], between_rounds: [safety]}, within_category: {safety: "
                "efficiency}}\n"
                "onsite_generation: {share: 0.3, cover: 0.2, by_category: {safety: {share: 1, "
                "cover: 0.1}}}\n")
    idle = "streams:\n  idle: {category: safety, rate_per_year: 2, demand_mw: 1, efficiency: 1}\n"
    (base.parent / "parent.yaml").write_text(f"extends: s.yaml\n{idle}{settings}",
                                             encoding="utf-8")
    child = base.parent / "child.yaml"
    child.write_text("extends: parent.yaml\nstreams: {idle: {rate_per_year: 0}}\n",
                     encoding="utf-8")
    with pytest.warns(GridqueueWarning) as caught:
        load_scenario(child)
    said = [str(warning.message) for warning in caught]
    for name in ("'safety' in policy.rounds.between_rounds", "policy.within_category.safety",
                 "onsite_generation.by_category.safety"):
        assert any(f"{name} is set aside: after the streams of {child}" in text
                   for text in said), said
    child.write_text(f"extends: parent.yaml\nstreams: {{idle: {{rate_per_year: 0}}}}\n"
                     f"{settings}", encoding="utf-8")
    with pytest.raises(InputError, match=r"child.yaml:\d+: policy.rounds.between_rounds: "
                       r"expected categories somebody is in"):
        load_scenario(child)
    with pytest.raises(InputError, match=r"--set policy.within_category.safety=efficiency: "
                       r"policy.within_category.safety: expected efficiency scores"):
        load_scenario(base.parent / "parent.yaml", ["streams.idle.rate_per_year=0",
                                                    "policy.rounds=null",
                                                    "policy.allocation=first_fit",
                                                    "policy.within_category.safety=efficiency"])
    with pytest.raises(InputError, match=r"--set onsite_generation.by_category.safety.share=1: "
                       r"onsite_generation.by_category.safety: expected applicants of safety"):
        load_scenario(base.parent / "parent.yaml", ["streams.idle.rate_per_year=0",
                                                    "policy.rounds=null",
                                                    "policy.allocation=first_fit",
                                                    "policy.within_category=null",
                                                    "streams.idle.efficiency=null",
                                                    "onsite_generation.by_category.safety."
                                                    "share=1"])


def test_an_on_site_setting_set_aside_runs_as_the_scenario_without_it(tmp_path):
    """Setting aside changes no result: the tables are those of the file without the block."""
    by_hand = tmp_path / "social_priority_onsite.yaml"
    text = (FAMILY / "social_priority_onsite.yaml").read_text(encoding="utf-8")
    block = "  by_category:\n    congestion_relief: {share: 0.0, cover: 0.0}"
    assert block in text
    by_hand.write_text(text.replace(block, "").replace(
        "extends: social_priority.yaml", f"extends: {FAMILY / 'social_priority.yaml'}"),
        encoding="utf-8")
    changes = [STORAGE_STOPPED, "replications=2"]
    with pytest.warns(GridqueueWarning) as caught:  # and the base's uptake, in both
        aside = load_scenario(FAMILY / "social_priority_onsite.yaml", changes)
    assert any("onsite_generation.by_category.congestion_relief is set aside" in
               str(warning.message) for warning in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GridqueueWarning)  # the base's uptake, set aside in both
        removed = load_scenario(by_hand, changes)
    assert aside.onsite_generation is not None and removed.onsite_generation is not None
    assert aside.onsite_generation.by_category and not removed.onsite_generation.by_category
    ran, expected = run(aside, workers=1), run(removed, workers=1)
    for table in ("applicants", "timeseries", "summary", "replication_metrics", "projects"):
        pd.testing.assert_frame_equal(getattr(ran, table), getattr(expected, table))


CAMPUS = "projects=[{name: Campus, date: 2025-01-01, demand_mw: 1, category: other}]"
"""A project of category other: it has no priority to ask for."""


def _quiet(path: Path, overrides: list[str]):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        return load_scenario(path, overrides)


def test_a_project_that_asks_for_priority_it_cannot_have_is_named(base):
    """Asking (true) in other did nothing, and nothing said so; declining (false) is refused.

    Only a value stated is named: true is the default, which a results folder's scenario.yaml
    states for every project, and one a project leaves out says nothing. Under fifo the
    warning that priority changes no wait is not given as well: this one says more.
    """
    option = "projects.0.priority_requested=true"
    with pytest.warns(GridqueueWarning, match=r"^--set projects.0.priority_requested=true: "
                      r"projects.0.priority_requested \(Campus\) does nothing: 'other' has no "
                      r"priority to ask for, so the project runs as not asking; leave it out$"):
        load_scenario(base, ["policy.order=social_priority", CAMPUS, option])
    (base.parent / "child.yaml").write_text(
        "extends: s.yaml\nprojects:\n  - {name: Campus, date: 2025-01-01, demand_mw: 1,\n"
        "     category: other, priority_requested: true}\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning) as caught:
        load_scenario(base.parent / "child.yaml")  # under the fifo of s.yaml
    assert [str(warning.message) for warning in caught] == [
        f"{base.parent / 'child.yaml'}:4: projects.0.priority_requested (Campus) does nothing: "
        "'other' has no priority to ask for, so the project runs as not asking; leave it out"]
    moving = "projects.0.category_changes=[{date: 2026-01-01, category: basic_needs}]"
    _quiet(base, ["policy.order=social_priority", CAMPUS])  # left out: the default
    _quiet(base, ["policy.order=social_priority", CAMPUS, option, moving])  # it moves to ask


def test_a_saved_scenario_and_a_project_built_without_it_say_nothing(base, tmp_path):
    """The resolved scenario.yaml of results states true for every project: reloading is quiet.

    Results are reloaded as results (load_resolved), whose settings were judged when they ran;
    a project built in Python is named only where true is set explicitly.
    """
    scenario = _quiet(base, ["policy.order=social_priority", CAMPUS])
    saved = tmp_path / "scenario.yaml"
    saved.write_text(scenario_yaml(scenario), encoding="utf-8")
    assert "priority_requested: true" in saved.read_text(encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        assert load_resolved(saved).projects == scenario.projects
        check_runnable(scenario)  # as a Python caller checks it: the project left it out
    stated = scenario.model_copy(update={"projects": [Project(
        name="Campus", date=dt.date(2025, 1, 1), demand_mw=1.0, priority_requested=True)]})
    with pytest.warns(GridqueueWarning, match=r"^base: projects.0.priority_requested \(Campus\) "
                      r"does nothing"):
        check_runnable(stated)


SAFETY = ("  clinics: {category: safety, rate_per_year: 3, demand_mw: 1}\n"
          "priority_uptake: {safety: 0}\n"
          "policy: {order: social_priority, allocation: rounds, rounds: {dates: [2025-01-01], "
          "between_rounds: [safety]}}\n")
"""Rounds that serve safety between rounds, in the file whose uptake of 0 makes that idle."""


def test_a_later_layer_that_changes_something_else_leaves_a_refusal_where_it_was(base):
    """Only a later change to what empties it sets a setting aside, and only that is named.

    A file that serves safety between rounds beside an uptake of 0 is refused there; an
    option that changes a stream's jobs made it no worse, yet it set the rounds aside,
    named as the cause. The same for an uptake of a category nobody is in.
    """
    base.write_text(BASE.replace("policy: {order: fifo}\n", SAFETY), encoding="utf-8")
    for extra in ([], ["streams.firms.jobs=3"], ["priority_uptake.basic_needs=0.5"]):
        with pytest.raises(InputError, match=r"s.yaml:\d+: policy.rounds.between_rounds: "
                           r"expected categories whose applicants may ask for priority"):
            load_scenario(base, extra)
    base.write_text(BASE + "priority_uptake: {safety: 0.4}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"s.yaml:\d+: priority_uptake.safety: expected a "
                       r"category somebody is in"):
        load_scenario(base, ["streams.firms.demand_mw=2"])


def test_the_option_or_file_that_idles_rounds_is_the_one_named(tmp_path):
    """The bundled rounds set aside after an uptake of 0: the layer giving it is named, alone.

    An option changing a stream's jobs beside it, or a child file doing both, was named too.
    """
    with pytest.warns(GridqueueWarning) as caught:
        load_scenario(FAMILY / "rounds_2027.yaml", ["priority_uptake.safety=0",
                                                    "streams.logistics.jobs=1"])
    said = [str(warning.message) for warning in caught if "between_rounds" in str(warning.message)]
    assert len(said) == 1 and re.search(r"rounds_2027.yaml:\d+: 'safety' in policy.changes.2."
                                        r"rounds.between_rounds is set aside: after --set "
                                        r"priority_uptake.safety=0, nobody", said[0]), said
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {FAMILY / 'rounds_2027.yaml'}\npriority_uptake: {{safety: 0}}\n"
                     "streams: {logistics: {jobs: 1}}\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning) as caught:
        load_scenario(child)
    said = [str(warning.message) for warning in caught if "between_rounds" in str(warning.message)]
    assert len(said) == 1 and f"set aside: after the priority_uptake of {child}, nobody" \
        in said[0], said


def test_rounds_kept_by_a_later_change_are_judged_once_where_given(base):
    """A change of order keeps the rounds: set aside, they are named once, at their own key.

    The kept rounds were named again at the change, a key nobody wrote.
    """
    base.write_text(BASE.replace("policy: {order: fifo}\n", SAFETY.replace("{safety: 0}",
                                                                           "{safety: 0.5}"))
                    .replace("2025-01-01]", "2025-01-01, 2028-06-01]").replace(
                        "[safety]}}", "[safety]}, changes: [{date: 2027-01-01, order: fifo}]}"),
                    encoding="utf-8")
    with pytest.warns(GridqueueWarning) as caught:
        load_scenario(base, ["priority_uptake.safety=0"])
    said = [str(warning.message) for warning in caught if "between_rounds" in str(warning.message)]
    assert len(said) == 1 and "'safety' in policy.rounds.between_rounds is set aside" in said[0], \
        said


@pytest.mark.parametrize("emptied", ["streams.storage=null", STORAGE_STOPPED])
def test_validate_outlines_a_ranking_set_aside_as_it_runs(emptied):
    """The outline listed the efficiency ranking an option had set aside, as if it ran.

    Its periods are now those that run (the category keeps its request-date order, so the
    2026 change makes none) and a line names the ranking set aside.
    """
    shown = outline(load_scenario(FAMILY / "efficiency_2026.yaml"), None)
    assert any(line.endswith("congestion_relief by efficiency") for line in shown), shown
    with pytest.warns(GridqueueWarning):
        scenario = load_scenario(FAMILY / "efficiency_2026.yaml", [emptied])
    shown = outline(scenario, None)
    policy = shown[shown.index("policy:") + 1:shown.index("capacity:")]
    assert policy == [
        "  2022-11-17 to 2024-10-01: fifo, first_fit allocation",
        "  2024-10-01 to 2036-12-31: social_priority, first_fit allocation, categories "
        "congestion_relief > safety > basic_needs > other",
        "  (policy.changes.1.within_category.congestion_relief: ranking by efficiency set "
        "aside, as nobody in congestion_relief has a score; it keeps its request-date order)",
        # the uptake of congestion_relief (0.5 in base.yaml) is set aside with it: nobody asks
        "  priority asked for by 90% of safety, 80% of basic_needs (the rest queue in other "
        "where a policy serves priority)"]



NON_FIRM = ("non_firm:\n  rights: {firm_85: {hours_share: 0.85}, blocks: {hours_share: 0.5}}\n"
            "  pools: {main: {capacity_mw: 5}}\n")
"""Two rights and a pool, offered by the streams of :func:`_offering`."""


def _offering(firms: float, batteries: float) -> str:
    """The base scenario with :data:`NON_FIRM`, its firms offered one right, batteries the other."""
    demand = "    demand_mw: {dist: lognormal, median: 0.4, sigma: 0.8}\n"
    return BASE.replace("rate_per_year: 12", f"rate_per_year: {firms}").replace(
        demand, f"{demand}    non_firm: {{right: firm_85, accept_share: 0.5}}\n"
        f"  batteries: {{category: congestion_relief, rate_per_year: {batteries}, demand_mw: 1,"
        "\n              non_firm: {right: blocks, accept_share: 0.5}}\n") + NON_FIRM


def test_non_firm_rights_offered_only_by_streams_that_draw_nobody_are_refused(base):
    """Given in the file that stops the streams: each right, and the block, is refused.

    The schema counted the offers of streams of rate 0, so pools and rights nobody could be
    offered ran, and did nothing, without a word. An option that adds a stream without an
    offer changes nobody's: the block is still refused, not set aside.
    """
    base.write_text(_offering(12, 2), encoding="utf-8")
    load_scenario(base)
    base.write_text(_offering(12, 0), encoding="utf-8")
    with pytest.raises(InputError, match=r"s.yaml:\d+: non_firm.rights.blocks: expected an "
                       r"offer of this right on a stream, a project or the waiting list: the "
                       r"only stream that offers it, 'batteries', draws nobody \(its "
                       r"rate_per_year is 0\), so nobody would hold it; leave the right out$"):
        load_scenario(base)
    base.write_text(_offering(0, 0), encoding="utf-8")
    with pytest.raises(InputError, match=r"s.yaml:\d+: non_firm: expected a non_firm offer "
                       r"somebody can take, on a stream that draws applicants or a project "
                       r"\(non_firm_right\): the only streams with an offer, 'firms' and "
                       r"'batteries', draw nobody \(their rate_per_year is 0\), and no project "
                       r"or waiting-list row takes one, so nobody would take the pools or "
                       r"hold the rights; leave non_firm out$"):
        load_scenario(base, ["streams.other={category: other, rate_per_year: 5, "
                             "demand_mw: 1}"])


def test_a_non_firm_pool_only_a_stream_of_rate_0_reaches_is_refused(base):
    """A pool whose area only an idle stream's offer reaches: nobody could use it."""
    base.write_text(_offering(12, 0).replace(
        "  capacity_mw: 4\n  upgrades:\n    - {name: station, date: 2028-01-01, add_mw: 50}\n",
        "  areas: {north: {capacity_mw: 4}, south: {capacity_mw: 4}}\n").replace(
        "category: other\n", "category: other\n    area: north\n").replace(
        "category: congestion_relief,", "category: congestion_relief, area: south,").replace(
        "pools: {main: {capacity_mw: 5}}", "pools: {north: {capacity_mw: 5}, south: "
        "{capacity_mw: 5}}").replace("right: blocks", "right: firm_85").replace(
        ", blocks: {hours_share: 0.5}", ""), encoding="utf-8")
    with pytest.raises(InputError, match=r"s.yaml:\d+: non_firm.pools.south: expected a "
                       r"non_firm offer that reaches area 'south' \(a stream or project "
                       r"there\): the only stream there with an offer, 'batteries', draws "
                       r"nobody \(its rate_per_year is 0\), so nobody could use this pool; "
                       r"leave the pool out$"):
        load_scenario(base)
    load_scenario(base, ["streams.batteries.rate_per_year=1"])


def test_a_non_firm_right_a_waiting_list_row_takes_from_a_stream_of_rate_0_acts(base):
    """CSV rows that name an idle stream take its offer: its right and pool act for them."""
    base.write_text(_offering(12, 0), encoding="utf-8")
    (base.parent / "list.csv").write_text("request_date,category,demand_mw,stream\n"
                                          "2023-01-01,congestion_relief,1,batteries\n",
                                          encoding="utf-8")
    with pytest.raises(InputError, match=r"non_firm.rights.blocks: expected an offer"):
        load_scenario(base)
    load_scenario(base, ["waiting_list={csv: list.csv}"])


NON_FIRM_STREAMS = ("storage", "logistics", "manufacturing")
"""The bundled non_firm.yaml's streams with an offer."""


def _said(changes: list[str]) -> list[str]:
    """The warnings of loading the bundled non_firm.yaml with ``changes``."""
    with pytest.warns(GridqueueWarning) as caught:
        load_scenario(FAMILY / "non_firm.yaml", changes)
    return [str(warning.message) for warning in caught]


def test_the_bundled_non_firm_rights_a_later_option_leaves_nobody_to_take_are_set_aside():
    """Options that stop the streams with offers set the file's block (or right) aside.

    Before, every stream at rate 0 ran the pools and rights for nobody, and nothing said so;
    and an option that took an offer away was refused at the file's line, which the user
    did not write.
    """
    stopped = [f"streams.{name}.rate_per_year=0" for name in NON_FIRM_STREAMS]
    options = " and ".join(f"--set {change}" for change in stopped)
    said = _said(stopped)
    assert any(re.search(rf"non_firm.yaml:\d+: non_firm is set aside: after {options}, nobody "
                         r"is offered a non-firm right: the only streams with an offer, "
                         r"'storage', 'logistics' and 'manufacturing', draw nobody \(their "
                         r"rate_per_year is 0\), and no project or waiting-list row takes one, "
                         r"so nobody would take the pools or hold the rights$", text)
               for text in said), said
    for changes, cause in [([STORAGE_STOPPED], r"--set streams.storage.rate_per_year=0, "
                            r"nobody can be offered right 'time_blocks': the only stream that "
                            r"offers it, 'storage', draws nobody"),
                           (["streams.storage.non_firm=null"], r"--set streams.storage."
                            r"non_firm=null, nobody can be offered right 'time_blocks', so "
                            r"nobody would hold it$")]:
        said = _said(changes)
        assert any(re.search(rf"non_firm.yaml:\d+: non_firm.rights.time_blocks is set aside: "
                             rf"after {cause}", text) for text in said), said


def test_a_non_firm_right_given_after_the_option_that_idles_it_is_refused():
    """Set aside only where inherited: an option on the right after the stopping one is refused."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GridqueueWarning)  # the base's uptake, set aside
        with pytest.raises(InputError, match=r"--set non_firm.rights.time_blocks.hours_share="
                           r"0.4: non_firm.rights.time_blocks: expected an offer of this right"):
            load_scenario(FAMILY / "non_firm.yaml",
                          [STORAGE_STOPPED, "non_firm.rights.time_blocks.hours_share=0.4"])


PARTIAL_NOBODY = "streams.firms.partial_offer={min_share: 0.4, accept_share: 0}"
POOL = ("non_firm={rights: {firm_85: {hours_share: 0.85}}, pools: {main: {capacity_mw: 5}}}")


@pytest.mark.parametrize(("changes", "says"), [
    ([PARTIAL_NOBODY], r"--set streams.firms.partial_offer=\{min_share: 0.4, accept_share: 0\}: "
     r"streams.firms.partial_offer.accept_share: expected a share above 0: with 0, nobody "
     r"accepts a partial offer, so streams.firms.partial_offer would do nothing; leave "
     r"partial_offer out, or give a share above 0$"),
    ([POOL, "streams.firms.non_firm={right: firm_85, accept_share: 0}"],
     r"streams.firms.non_firm.accept_share: expected a share above 0: with 0, nobody accepts a "
     r"non-firm right, so streams.firms.non_firm would do nothing; leave non_firm out"),
    (["streams.firms.expansion={share: 0, existing_mw: 1}"],
     r"streams.firms.expansion.share: expected a share above 0: with 0, nobody expands a "
     r"connection in place, so streams.firms.expansion would do nothing; leave expansion out"),
])
def test_a_stream_offer_nobody_accepts_is_refused(base, changes, says):
    """``accept_share: 0`` runs as without the offer: refused where the offer is given.

    It was accepted, with tables identical to the scenario without the offer, and no word.
    So was an expansion of ``share: 0``, which fills not even the ``existing_mw`` column: a
    warning said only that it changes no wait, and beside a custom policy (which may read
    ``existing_mw``) nothing was said.
    """
    with pytest.raises(InputError, match=says):
        load_scenario(base, changes)
    load_scenario(base, [PARTIAL_NOBODY.replace("accept_share: 0", "accept_share: 0.1")])


@pytest.mark.parametrize("offer", ["partial_offer={min_share: 0.4, accept_share: 0}",
                                   "non_firm={right: firm_85, accept_share: 0}"])
def test_a_waiting_list_offer_nobody_accepts_is_refused(base, offer):
    """The waiting list's offer to rows naming no stream, with a share of 0, is refused too."""
    (base.parent / "list.csv").write_text("request_date,category,demand_mw,stream\n"
                                          "2023-01-01,other,1,\n", encoding="utf-8")
    field = offer.split("=")[0]
    with pytest.raises(InputError, match=rf"--set waiting_list.{field}=.*: "
                       rf"waiting_list.{field}.accept_share: "
                       r"expected a share above 0: with 0, nobody accepts a "
                       rf"(partial offer|non-firm right), so waiting_list.{field} would do "
                       r"nothing"):
        load_scenario(base, [POOL] * ("non_firm" in offer) + [
            "waiting_list={csv: list.csv}", f"waiting_list.{offer}"])


def test_an_inherited_offer_a_later_share_of_0_idles_is_set_aside(tmp_path):
    """A child file or option that sets an inherited offer's share to 0: a warning.

    The warning names the offer where the parent gave it. A non-firm right only that offer
    made is set aside too. A child that restates the offer over an inherited share of 0 is
    refused where it restates it.
    """
    with pytest.warns(GridqueueWarning) as caught:
        load_scenario(FAMILY / "partial_offers.yaml",
                      ["streams.logistics.partial_offer.accept_share=0"])
    said = [str(warning.message) for warning in caught]
    assert any(re.search(r"partial_offers.yaml:\d+: streams.logistics.partial_offer is set "
                         r"aside: after --set streams.logistics.partial_offer.accept_share=0, "
                         r"nobody accepts a partial offer, so streams.logistics.partial_offer "
                         r"would do nothing$", text) for text in said), said
    said = _said(["streams.storage.non_firm.accept_share=0"])
    assert any(re.search(r"non_firm.yaml:\d+: streams.storage.non_firm is set aside: after "
                         r"--set streams.storage.non_firm.accept_share=0, nobody accepts a "
                         r"non-firm right", text) for text in said), said
    assert any(re.search(r"non_firm.rights.time_blocks is set aside: after --set "
                         r"streams.storage.non_firm.accept_share=0", text) for text in said), said
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {FAMILY / 'partial_offers.yaml'}\nstreams:\n  logistics:\n"
                     "    partial_offer:\n      accept_share: 0\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"partial_offers.yaml:\d+: streams.logistics."
                      r"partial_offer is set aside: after streams.logistics.partial_offer."
                      r"accept_share 0 in .*child.yaml:5"):
        load_scenario(child)
    grandchild = tmp_path / "grandchild.yaml"
    grandchild.write_text("extends: child.yaml\nstreams:\n  logistics:\n    partial_offer:\n"
                          "      min_share: 0.3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"grandchild.yaml:5: streams.logistics.partial_offer."
                       r"min_share: expected an accept_share above 0 beside it: after "
                       r"streams.logistics.partial_offer.accept_share 0 in .*child.yaml:5"):
        load_scenario(grandchild)


def test_waiting_list_scores_that_no_rules_rank_by_are_refused(base):
    """``waiting_list.efficiency`` under rules that rank nobody by efficiency did nothing.

    A stream's or project's scores were refused there; the waiting list's default, which
    scores the CSV rows naming no stream, ran silently, its draws read by no policy.
    """
    (base.parent / "list.csv").write_text(
        "request_date,category,demand_mw\n2023-01-01,congestion_relief,1\n", encoding="utf-8")
    listed = "waiting_list={csv: list.csv, efficiency: {dist: uniform, low: 0, high: 1}}"
    with pytest.raises(InputError, match=r"waiting_list.efficiency: expected no efficiency "
                       r"scores here: no rules in force rank any category by efficiency"):
        load_scenario(base, [listed, "policy={order: social_priority}"])
    load_scenario(base, [listed, "policy={order: social_priority, within_category: "
                         "{congestion_relief: efficiency}}"])


def test_waiting_list_rows_scores_that_no_rules_rank_by_are_warned_of(base):
    """A CSV's efficiency column under rules that rank none of its rows ran silently.

    Its scores changed no wait, and the report named them among what the file gives. Only a
    warning: the same file may go to a reference that ranks nobody by efficiency.
    """
    (base.parent / "list.csv").write_text(
        "request_date,category,demand_mw,efficiency\n2023-01-01,congestion_relief,1,0.5\n"
        "2023-02-01,other,1,0.7\n2023-03-01,other,1,\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning) as warned:
        load_scenario(base, ["waiting_list={csv: list.csv}", "policy={order: social_priority}"])
    assert [str(w.message) for w in warned] == [
        "--set waiting_list={csv: list.csv}: 2 rows of list.csv give an efficiency score, but "
        "no rules in force rank any category by efficiency (policy.within_category), so those "
        "scores do nothing"]
    with pytest.warns(GridqueueWarning) as warned:
        load_scenario(base, ["waiting_list={csv: list.csv}", "policy={order: social_priority, "
                             "within_category: {congestion_relief: efficiency}}"])
    assert any("1 row of list.csv gives an efficiency score, but no rules in force rank their "
               "categories" in str(w.message) for w in warned)


OWN_CATEGORY_POLICY = '''\
from sim import QueuePolicy


class ByOwnCategory(QueuePolicy):
    """Ranks each applicant in the category it is in, asked for priority or not."""

    ranks_within_category = True

    def __init__(self, category_order=("congestion_relief", "safety", "basic_needs", "other"),
                 within_category=None):
        super().__init__(category_order)
        self.by_score = {c for c, how in (within_category or {}).items() if how == "efficiency"}

    def sort_key(self, applicant):
        score = -applicant.efficiency if applicant.category in self.by_score else 0.0
        return (self.category_order.index(applicant.category), score, applicant.request_time)
'''


def test_scores_a_policy_of_ones_own_ranks_by_own_category_are_not_refused(tmp_path):
    """Nobody asks for priority, yet a policy of the user's ranks them in their own category.

    The checks refused the scores as reaching nobody, as they would under social_priority,
    where who does not ask is ranked as other; here they order the storage applicants.
    """
    (tmp_path / "own_policy.py").write_text(OWN_CATEGORY_POLICY, encoding="utf-8")
    path = tmp_path / "own.yaml"
    path.write_text(BASE.replace("category: other", "category: congestion_relief")
                    .replace("policy: {order: fifo}\n", "")
                    + "priority_uptake: {congestion_relief: 0}\n"
                    "policy: {order: 'own_policy:ByOwnCategory', within_category: "
                    "{congestion_relief: efficiency}}\n", encoding="utf-8")
    scored = load_scenario(path, ["streams.firms.efficiency={dist: uniform, low: 0, high: 1}",
                                  "replications=2"])
    plain = load_scenario(path, ["policy.within_category={}", "replications=2"])
    assert not run(scored, workers=1).applicants["connect_date"].equals(
        run(plain, workers=1).applicants["connect_date"])
    social = ["policy.order=social_priority",
              "streams.firms.efficiency={dist: uniform, low: 0, high: 1}"]
    with pytest.raises(InputError, match="nobody in congestion_relief asks for priority"):
        load_scenario(path, social)
