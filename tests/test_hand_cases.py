"""Hand-computed cases: a few applicants and capacity steps whose exact outcome is known.

The world of the main case, worked out by hand in each test below:

    capacity 1.0 MW at 2024-01-01; +2.0 MW on 2025-01-01; +1.0 MW on 2026-01-01
    A 2024-01-01 other        0.8 MW
    B 2024-02-01 other        0.5 MW
    C 2024-03-01 basic_needs  1.5 MW
    D 2024-04-01 other        0.2 MW
    E 2024-05-01 safety       1.0 MW
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

from sim import GridqueueWarning, Results, run
from sim.engine.model import GridSetup, simulate
from sim.engine.rules import with_categories
from sim.inputs.applicants import ApplicantTable
from sim.inputs.loading import load_waiting_rows
from sim.inputs.rng import RandomStreams
from sim.inputs.scenario import CapacityRelease, Scenario
from sim.inputs.sources import arrival_times, category_timeline, generate_applicants
from sim.runs.metrics import METRICS
from sim.runs.replication import grid_setup, with_capacity_releases
from sim.runs.replication import regimes as replication_regimes
from tests.builders import project, scenario
from tests.reference_model import reference_run

UPGRADES = [
    {"name": "first", "date": "2025-01-01", "add_mw": 2.0},
    {"name": "second", "date": "2026-01-01", "add_mw": 1.0},
]


def world(order: str, allocation: str, **changes) -> dict:
    projects = [
        project("A", "2024-01-01", 0.8),
        project("B", "2024-02-01", 0.5),
        project("C", "2024-03-01", 1.5, "basic_needs"),
        project("D", "2024-04-01", 0.2),
        project("E", "2024-05-01", 1.0, "safety"),
    ]
    for name, fields in changes.items():
        projects = [{**p, **fields} if p["name"] == name else p for p in projects]
    return {
        "grid": {"capacity_mw": 1.0, "upgrades": UPGRADES},
        "projects": projects,
        "policy": {"order": order, "allocation": allocation},
    }


def outcomes(**fields) -> pd.DataFrame:
    results = run(scenario(**fields), workers=1)
    return results.applicants.set_index("name")


def connect_dates(frame: pd.DataFrame) -> dict[str, str]:
    return {name: str(date.date()) for name, date in frame["connect_date"].items()}


def years(start: str, end: str) -> float:
    """Years of 365.25 days between two dates, as the engine counts them."""
    return (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days / 365.25


def test_fifo_strict_blocks_behind_the_head():
    """FIFO strict: D (0.2 MW) would fit from April 2024 but waits behind B until 2025."""
    frame = outcomes(**world("fifo", "strict"))
    assert connect_dates(frame) == {
        "A": "2024-01-01", "B": "2025-01-01", "C": "2025-01-01", "D": "2025-01-01",
        "E": "2026-01-01",
    }
    assert frame.loc["B", "wait_years"] == pytest.approx(years("2024-02-01", "2025-01-01"),
                                                         abs=1e-12)


def test_idle_capacity_counts_free_mw_while_each_category_waits():
    """FIFO strict: 0.2 MW lie idle behind B from February 2024 until the 2025 upgrade.

    Each category counts the idle MW-years of the spells in which one of its own waited:
    other (B, D) from 1 Feb 2024, basic needs (C) from 1 Mar, safety (E) from 1 May, all
    until the 2025 upgrade, after which E waits with nothing free. Congestion relief never
    waits; everyone together counts from B's arrival.
    """
    results = run(scenario(**world("fifo", "strict")), workers=1)
    metrics = results.replication_metrics
    idle = metrics[metrics["metric"] == "idle_mw_years"].set_index("group")["value"]
    expected = {"other": 0.2 * years("2024-02-01", "2025-01-01"),
                "basic_needs": 0.2 * years("2024-03-01", "2025-01-01"),
                "safety": 0.2 * years("2024-05-01", "2025-01-01"),
                "congestion_relief": 0.0,
                "all": 0.2 * years("2024-02-01", "2025-01-01")}
    assert idle.to_dict() == pytest.approx(expected, abs=1e-12)


def test_fifo_first_fit_fills_around_a_blocked_head():
    """FIFO first fit: D takes the 0.2 MW left by A as soon as it asks."""
    frame = outcomes(**world("fifo", "first_fit"))
    assert connect_dates(frame) == {
        "A": "2024-01-01", "B": "2025-01-01", "C": "2025-01-01", "D": "2024-04-01",
        "E": "2026-01-01",
    }
    assert frame.loc["D", "wait_years"] == 0.0


def test_social_priority_strict_serves_categories_first_and_blocks():
    """Social priority strict: E (safety) first in 2025; then C (1.5 MW) blocks B and D."""
    frame = outcomes(**world("social_priority", "strict"))
    assert connect_dates(frame) == {
        "A": "2024-01-01", "B": "2026-01-01", "C": "2026-01-01", "D": "2026-01-01",
        "E": "2025-01-01",
    }


def test_social_priority_first_fit_skips_what_does_not_fit():
    """Social priority first fit: 2025 serves E, skips C, serves B; C waits for 2026."""
    frame = outcomes(**world("social_priority", "first_fit"))
    assert connect_dates(frame) == {
        "A": "2024-01-01", "B": "2025-01-01", "C": "2026-01-01", "D": "2024-04-01",
        "E": "2025-01-01",
    }


def test_smallest_first_strict_serves_the_smallest_request_first():
    """Smallest first, strict: D (0.2) heads the line at once and takes the 0.2 MW free.

    2025 (2.0 MW free): B (0.5) then E (1.0) connect, leaving 0.5; C (1.5) waits for 2026.
    The policy's ranks are its own sort key: only outcomes worked out by hand test it.
    """
    frame = outcomes(**world("smallest_first", "strict"))
    assert connect_dates(frame) == {
        "A": "2024-01-01", "B": "2025-01-01", "C": "2026-01-01", "D": "2024-04-01",
        "E": "2025-01-01",
    }


def test_onsite_generation_shrinks_the_request_and_unblocks_the_line():
    """C generating 40% on site asks 0.9 MW, fits in 2025 after E and no longer blocks."""
    frame = outcomes(**world("social_priority", "strict", C={"self_supply": 0.4}))
    assert frame.loc["C", "requested_mw"] == pytest.approx(0.9)
    assert connect_dates(frame) == {
        "A": "2024-01-01", "B": "2026-01-01", "C": "2025-01-01", "D": "2026-01-01",
        "E": "2025-01-01",
    }


def test_onsite_generation_with_fifo_first_fit():
    """FIFO first fit with C at 0.9 MW: 2025 serves B and C, E (1.0) waits for 2026."""
    frame = outcomes(**world("fifo", "first_fit", C={"self_supply": 0.4}))
    assert connect_dates(frame) == {
        "A": "2024-01-01", "B": "2025-01-01", "C": "2025-01-01", "D": "2024-04-01",
        "E": "2026-01-01",
    }


def test_priority_counts_only_when_requested():
    """E did not ask for priority: it queues as 'other', so C goes first and blocks E."""
    frame = outcomes(**world("social_priority", "strict", E={"priority_requested": False}))
    assert connect_dates(frame) == {
        "A": "2024-01-01", "B": "2025-01-01", "C": "2025-01-01", "D": "2025-01-01",
        "E": "2026-01-01",
    }


def test_withdrawing_head_unblocks_those_behind():
    """B gives up after half a year; D (0.2 MW) fits behind it at once under strict FIFO."""
    frame = outcomes(**world("fifo", "strict", B={"patience_years": 0.5}))
    withdraw_time = years("2024-01-01", "2024-02-01") + 0.5
    assert frame.loc["B", "outcome"] == "withdrawn"
    assert frame.loc["B", "wait_years"] == pytest.approx(0.5, abs=1e-12)
    # C (1.5 MW) is the new head and does not fit: D stays behind it under strict.
    assert pd.isna(frame.loc["B", "connect_date"])
    assert connect_dates(frame.drop(index="B")) == {
        "A": "2024-01-01", "C": "2025-01-01", "D": "2025-01-01", "E": "2026-01-01",
    }
    assert frame.loc["B", "withdraw_date"] == pd.Timestamp("2024-01-01") + pd.Timedelta(
        days=int(withdraw_time * 365.25))


def test_withdrawal_unblocks_when_the_next_request_fits():
    """A 0.2 MW request behind a withdrawing 0.5 MW head connects the instant the head leaves."""
    frame = outcomes(
        grid={"capacity_mw": 0.4},
        projects=[
            project("big", "2024-01-01", 0.5, patience_years=1.0),
            project("small", "2024-02-01", 0.2),
        ],
    )
    assert frame.loc["big", "outcome"] == "withdrawn"
    assert frame.loc["small", "outcome"] == "connected"
    assert frame.loc["small", "wait_years"] == pytest.approx(
        1.0 - years("2024-01-01", "2024-02-01"), abs=1e-12)


def test_finite_lifetime_releases_capacity():
    """A temporary 1 MW connection for 2 years (730.5 days) hands its capacity to the next."""
    frame = outcomes(
        projects=[
            project("site", "2024-01-01", 1.0, lifetime_years=2.0),
            project("shop", "2024-03-01", 0.6),
        ],
    )
    assert frame.loc["site", "release_date"] == pd.Timestamp("2025-12-31")  # noon, floored
    assert frame.loc["shop", "wait_years"] == pytest.approx(
        2.0 - years("2024-01-01", "2024-03-01"), abs=1e-12)


def test_same_instant_arrival_and_upgrade_follow_policy_order():
    """An upgrade and a safety request on one date: the safety request is served first.

    Allocation waits for every event of the instant, whatever their order in the calendar.
    """
    frame = outcomes(
        grid={"capacity_mw": 0.0, "upgrades": [{"name": "u", "date": "2025-01-01",
                                                 "add_mw": 1.0}]},
        projects=[
            project("office", "2024-01-01", 1.0),
            project("fire station", "2025-01-01", 1.0, "safety"),
        ],
        policy={"order": "social_priority"},
    )
    assert connect_dates(frame.dropna(subset=["connect_date"])) == {
        "fire station": "2025-01-01"}
    assert frame.loc["office", "outcome"] == "waiting"


def test_a_lone_arrival_waits_for_an_upgrade_of_its_instant_booked_after_it():
    """A newcomer that fits takes no shortcut past an upgrade due in the same instant.

    capacity 0.5 MW; +0.1 MW on 2024-06-01; +0.4 MW on 2025-01-01; FIFO, first fit
    head     2024-01-01 1.0 MW (does not fit 0.5, nor 0.6)
    newcomer 2025-01-01 0.5 MW (fits the 0.6 MW free before the upgrade)
    The newcomer's instant was booked with the head's arrival, the second upgrade's only
    with the first: on 2025-01-01 the arrival comes first. With every event of the instant
    in, 1.0 MW is free and the head, first in line, takes it; the newcomer waits to the end.
    Connecting the newcomer on arrival would leave the head 0.5 MW, too little.
    """
    fields = {
        "grid": {"capacity_mw": 0.5, "upgrades": [
            {"name": "small", "date": "2024-06-01", "add_mw": 0.1},
            {"name": "rest", "date": "2025-01-01", "add_mw": 0.4}]},
        "projects": [project("head", "2024-01-01", 1.0),
                     project("newcomer", "2025-01-01", 0.5)],
        "policy": {"order": "fifo", "allocation": "first_fit"},
    }
    frame = both_models(fields)
    assert connect_dates(frame) == {"head": "2025-01-01", "newcomer": "NaT"}
    assert frame.loc["newcomer", "outcome"] == "waiting"


def test_policy_change_reorders_the_waiting_line():
    """FIFO until mid 2024, then social priority: by the 2025 upgrade E and C lead the line."""
    fields = world("fifo", "strict")
    fields["policy"] = {"order": "fifo", "changes": [
        {"date": "2024-06-01", "order": "social_priority"}]}
    frame = outcomes(**fields)
    # A connected before the change; the rest as under social priority from the start
    assert connect_dates(frame) == {
        "A": "2024-01-01", "B": "2026-01-01", "C": "2026-01-01", "D": "2026-01-01",
        "E": "2025-01-01",
    }


def test_waiting_at_the_end_counts_wait_to_the_end():
    """An applicant never connected is 'waiting', its wait runs to the end of the horizon."""
    frame = outcomes(projects=[project("huge", "2024-01-01", 5.0)])
    assert frame.loc["huge", "outcome"] == "waiting"
    assert frame.loc["huge", "wait_years"] == pytest.approx(years("2024-01-01", "2030-01-01"))


def test_upstream_limit_binds_across_areas():
    """Two areas with room, one shared 1 MW upstream: the second waits for the upstream upgrade."""
    frame = outcomes(
        grid={
            "areas": {"almere": {"capacity_mw": 1.0}, "lelystad": {"capacity_mw": 1.0}},
            "upstream": {"capacity_mw": 1.0, "upgrades": [
                {"name": "380 kV", "date": "2027-01-01", "add_mw": 1.0}]},
        },
        projects=[
            project("north", "2024-01-01", 0.7, area="lelystad"),
            project("south", "2024-02-01", 0.7, area="almere"),
        ],
    )
    assert connect_dates(frame) == {"north": "2024-01-01", "south": "2027-01-01"}


def test_idle_capacity_behind_an_upstream_limit_counts_its_mw_once():
    """Two areas of 1 MW behind a 1 MW upstream; each holds a request of 1.5 MW waiting.

    Each area has 1 MW free, but both share the upstream's one MW: the grid left 1 MW idle
    from north's request in January 2024 to the end of the run, not 2 MW once south waits
    too (February). Basic needs (south alone) count what almere had free, the same 1 MW.
    """
    results = run(scenario(
        grid={"areas": {"almere": {"capacity_mw": 1.0}, "lelystad": {"capacity_mw": 1.0}},
              "upstream": {"capacity_mw": 1.0}},
        projects=[project("north", "2024-01-01", 1.5, area="lelystad"),
                  project("south", "2024-02-01", 1.5, category="basic_needs", area="almere")],
    ), workers=1)
    metrics = results.replication_metrics
    idle = metrics[metrics["metric"] == "idle_mw_years"].set_index("group")["value"]
    assert idle.to_dict() == pytest.approx({
        "all": years("2024-01-01", "2030-01-01"),
        "other": years("2024-01-01", "2030-01-01"),
        "basic_needs": years("2024-02-01", "2030-01-01"),
        "safety": 0.0, "congestion_relief": 0.0}, abs=1e-12)


def test_upgrades_on_one_day_are_handed_out_together():
    """Two 0.5 MW steps on one day make 1 MW at once: first fit serves the 1 MW head first."""
    frame = outcomes(
        grid={"capacity_mw": 0.0, "upgrades": [
            {"name": "half", "date": "2025-01-01", "add_mw": 0.5},
            {"name": "other half", "date": "2025-01-01", "add_mw": 0.5}]},
        projects=[project("head", "2024-01-01", 1.0), project("small", "2024-02-01", 0.5)],
        policy={"order": "fifo", "allocation": "first_fit"},
    )
    assert connect_dates(frame) == {"head": "2025-01-01", "small": "NaT"}


def test_areas_behind_one_upstream_limit_are_served_in_policy_order():
    """Both areas gain room on one day; the upstream limit lets one in: the earlier request."""
    frame = outcomes(
        grid={
            "areas": {
                "almere": {"capacity_mw": 0.0, "upgrades": [
                    {"name": "a", "date": "2025-01-01", "add_mw": 1.0}]},
                "lelystad": {"capacity_mw": 0.0, "upgrades": [
                    {"name": "l", "date": "2025-01-01", "add_mw": 1.0}]},
            },
            "upstream": {"capacity_mw": 1.0},
        },
        projects=[project("first", "2024-01-01", 1.0, area="lelystad"),
                  project("second", "2024-02-01", 1.0, area="almere")],
    )
    assert connect_dates(frame) == {"first": "2025-01-01", "second": "NaT"}


# --- Rules that change on a date -------------------------------------------------------------
#
# Each case below is worked out by hand in its docstring, and checked against the engine (a
# whole run) and against the reference model (tests/reference_model.py) on the same applicants.


def world_grid(s: Scenario, streams: RandomStreams, table: ApplicantTable) -> GridSetup:
    """The grid of replication 0, with its capacity-release mechanisms, as a run builds it."""
    return with_capacity_releases(grid_setup(s, streams), s, streams, table, load_waiting_rows(s))


def reference_of(fields: dict) -> tuple[Scenario, list[str], dict[str, np.ndarray]]:
    """The reference model's run of replication 0's world: the scenario, names, outcomes."""
    s = scenario(**fields)
    streams = RandomStreams(s.seed, 0)
    table = generate_applicants(s, streams, load_waiting_rows(s))
    regimes = with_categories(replication_regimes(s), category_timeline(s, table))
    out = reference_run(table, world_grid(s, streams, table), regimes, s.horizon_years)
    return s, table.name.tolist(), out


def reference_connect_dates(fields: dict) -> dict[str, str]:
    """Connection dates of the named projects by the reference model, on the run's own world."""
    s, names, out = reference_of(fields)
    return {name: str(s.date_at(t)) if t == t else "NaT"
            for name, t in zip(names, out["connect"].tolist(), strict=True)}


def both_models(fields: dict) -> pd.DataFrame:
    """The run's applicant rows, after checking that the reference model connects them alike."""
    frame = outcomes(**fields)
    assert connect_dates(frame) == reference_connect_dates(fields)
    return frame


def recategorised_world(change_date: str) -> dict:
    """An office and a water company (both 'other' at first) wait for two 1 MW upgrades."""
    return {
        "grid": {"capacity_mw": 0.0, "upgrades": [
            {"name": "first", "date": "2025-01-01", "add_mw": 1.0},
            {"name": "second", "date": "2027-01-01", "add_mw": 1.0}]},
        "projects": [
            project("office", "2024-01-01", 1.0),
            project("water", "2024-02-01", 1.0, category_changes=[
                {"date": change_date, "category": "safety"}]),
        ],
        "policy": {"order": "social_priority"},
    }


def test_a_category_change_before_the_upgrade_moves_the_applicant_up():
    """Drinking water becomes 'safety' in mid 2024: it passes the office at the 2025 upgrade."""
    frame = both_models(recategorised_world("2024-06-01"))
    assert connect_dates(frame) == {"office": "2027-01-01", "water": "2025-01-01"}
    assert frame.loc["water", "category"] == "other"  # as it asked
    assert frame.loc["water", "final_category"] == "safety"  # as it was served


def test_a_category_change_after_the_upgrade_changes_nothing_before_it():
    """The change in 2026 comes after the 2025 upgrade went to the office, first in line."""
    frame = both_models(recategorised_world("2026-01-01"))
    assert connect_dates(frame) == {"office": "2025-01-01", "water": "2027-01-01"}
    assert frame.loc["office", "final_category"] == "other"


def test_mw_still_waiting_by_category_follows_the_request_while_the_queue_follows_the_change():
    """The water company asked as 'other' and is 'safety' from 2026, still waiting at the end.

    Without the second upgrade the office takes the 2025 MW, and the water company's 1 MW
    still waits at the end. MW still waiting counts it in 'other', the category of its
    request, as every figure groups; timeseries.csv's queue in 'safety', the category in
    force. For all applicants the two agree.
    """
    fields = recategorised_world("2026-01-01")
    fields["grid"]["upgrades"] = fields["grid"]["upgrades"][:1]
    results = run(scenario(**fields), workers=1)
    figures = results.replication_metrics.set_index(["group", "metric"])["value"]
    last = results.timeseries.iloc[-1]
    assert figures[("other", "mw_waiting")] == 1.0 and figures[("safety", "mw_waiting")] == 0.0
    assert last["queued_mw_other"] == 0.0 and last["queued_mw_safety"] == 1.0
    assert figures[("all", "mw_waiting")] == last["queued_mw_total"] == 1.0


def test_a_request_after_the_change_asks_in_its_new_category():
    """A project requesting after its change date is 'safety' from its request on."""
    fields = recategorised_world("2024-06-01")
    fields["projects"][1] = project("water", "2024-08-01", 1.0, category_changes=[
        {"date": "2024-06-01", "category": "safety"}])
    frame = both_models(fields)
    assert frame.loc["water", "category"] == "safety"
    assert connect_dates(frame) == {"office": "2027-01-01", "water": "2025-01-01"}


def test_a_policy_and_a_category_change_on_one_date_both_take_effect_then():
    """FIFO until 2024-06-01, then social priority; water becomes 'safety' that same day.

    The day starts a regime with both the new policy and the new categories: water, now
    safety, passes the office at the 2025 upgrade. Keeping the policy in force the day
    before would rank them first come first served for good, as no later date changes it.
    """
    fields = recategorised_world("2024-06-01")
    fields["policy"] = {"order": "fifo", "changes": [
        {"date": "2024-06-01", "order": "social_priority"}]}
    frame = both_models(fields)
    assert connect_dates(frame) == {"office": "2027-01-01", "water": "2025-01-01"}
    assert frame.loc["water", "final_category"] == "safety"


def test_a_waiting_list_row_keeps_its_own_category_until_its_streams_change(tmp_path):
    """Another project's change date leaves a CSV row in its own category, not its stream's.

    capacity 0; +1.0 MW on 2025-06-01; social priority, first fit
    office (CSV) 2022-06-01 other  1.0 MW
    water  (CSV) 2023-01-01 safety 1.0 MW, stream utilities (other; basic needs from 2026)
    lab          2024-03-01 other  2.0 MW, basic needs from 2025-01-01 (never fits)
    On 2025-01-01 only the lab changes: water is still 'safety' and takes the 2025 upgrade
    ahead of the office, as it does in the same world without the lab.
    """
    csv = tmp_path / "waiting.csv"
    csv.write_text("request_date,category,demand_mw,name,stream\n"
                   "2022-06-01,other,1.0,office,\n"
                   "2023-01-01,safety,1.0,water,utilities\n", encoding="utf-8")
    fields = {
        "grid": {"capacity_mw": 0.0, "upgrades": [
            {"name": "u", "date": "2025-06-01", "add_mw": 1.0}]},
        "streams": {"utilities": {"category": "other", "rate_per_year": 0, "demand_mw": 1.0,
                                  "category_changes": [
                                      {"date": "2026-01-01", "category": "basic_needs"}]}},
        "waiting_list": {"csv": str(csv)},
        "projects": [project("lab", "2024-03-01", 2.0, category_changes=[
            {"date": "2025-01-01", "category": "basic_needs"}])],
        "policy": {"order": "social_priority", "allocation": "first_fit"},
    }
    frame = both_models(fields)
    assert connect_dates(frame) == {"office": "NaT", "water": "2025-06-01", "lab": "NaT"}
    assert frame.loc["water", "final_category"] == "safety"

def rounds_world(fit: str) -> dict:
    """A business, a fire station and a shop; rounds on 2025-06-01 and 2027-01-01.

    capacity 0; +1.0 MW on 2025-01-01; +0.1 MW on 2026-01-01
    A 2024-01-01 other   0.5 MW
    B 2024-02-01 safety  0.3 MW (served between rounds)
    C 2025-03-01 other   0.3 MW
    """
    return {
        "grid": {"capacity_mw": 0.0, "upgrades": [
            {"name": "first", "date": "2025-01-01", "add_mw": 1.0},
            {"name": "small", "date": "2026-01-01", "add_mw": 0.1}]},
        "projects": [
            project("A", "2024-01-01", 0.5),
            project("B", "2024-02-01", 0.3, "safety"),
            project("C", "2025-03-01", 0.3),
        ],
        "policy": {"order": "social_priority", "allocation": "rounds", "rounds": {
            "dates": ["2025-06-01", "2027-01-01"], "fit": fit, "between_rounds": ["safety"]}},
    }


@pytest.mark.parametrize("fit", ["strict", "first_fit"])
def test_rounds_serve_the_rest_only_at_their_dates(fit):
    """B (safety) connects with the upgrade; A waits for the 2025 round, C for the 2027 one.

    At the round of 2025-06-01, 0.7 MW is free: A (0.5) connects, C (0.3) no longer fits. The
    0.1 MW of 2026 makes room for C, but C connects only at the next round, 2027-01-01.
    """
    frame = both_models(rounds_world(fit))
    assert connect_dates(frame) == {"A": "2025-06-01", "B": "2025-01-01", "C": "2027-01-01"}


def test_without_rounds_the_same_world_connects_as_capacity_comes():
    """The comparison: first fit continuously connects A and B in 2025 and C in 2026."""
    fields = rounds_world("first_fit")
    fields["policy"] = {"order": "social_priority", "allocation": "first_fit"}
    frame = both_models(fields)
    assert connect_dates(frame) == {"A": "2025-01-01", "B": "2025-01-01", "C": "2026-01-01"}


def test_a_strict_round_is_one_line_in_policy_order():
    """In a strict round the head of the whole line must fit: a big head blocks the round.

    capacity 0; +0.5 MW on 2025-01-01; one round on 2025-06-01, FIFO, nobody between rounds.
    big 2024-01-01 1.0 MW; small 2024-02-01 0.3 MW: small waits behind big at the round.
    """
    fields = {
        "grid": {"capacity_mw": 0.0, "upgrades": [
            {"name": "first", "date": "2025-01-01", "add_mw": 0.5}]},
        "projects": [project("big", "2024-01-01", 1.0), project("small", "2024-02-01", 0.3)],
        "policy": {"order": "fifo", "allocation": "rounds", "rounds": {
            "dates": ["2025-06-01"], "fit": "strict"}},
    }
    frame = both_models(fields)
    assert connect_dates(frame) == {"big": "NaT", "small": "NaT"}
    fields["policy"]["rounds"]["fit"] = "first_fit"
    assert connect_dates(both_models(fields)) == {"big": "NaT", "small": "2025-06-01"}


def test_rounds_end_when_the_policy_leaves_them():
    """Rounds until 2025-03-01, then first fit: A connects at the change, not at a round.

    The only round, on 2024-06-01, finds no capacity; the later dates of the rounds world
    would fall after the change, which refuses them (no round would be held then).
    """
    fields = rounds_world("first_fit")
    fields["policy"]["rounds"]["dates"] = ["2024-06-01"]
    fields["policy"]["changes"] = [{"date": "2025-03-01", "allocation": "first_fit"}]
    frame = both_models(fields)
    assert connect_dates(frame) == {"A": "2025-03-01", "B": "2025-01-01", "C": "2026-01-01"}


def test_a_stream_with_a_period_asks_only_within_it():
    """Requests of a stream with a period fall inside it; the draws are the same, shifted."""
    stream = {"category": "other", "rate_per_year": 200, "demand_mw": 0.1}
    late = scenario(streams={"shops": {**stream, "period": {"start": "2026-07-01",
                                                             "end": "2028-01-01"}}})
    table = generate_applicants(late, RandomStreams(late.seed, 0))
    first, last = late.years_since_start(dt.date(2026, 7, 1)), late.years_since_start(
        dt.date(2028, 1, 1))
    assert len(table) > 200
    assert table.request_time.min() >= first and table.request_time.max() < last
    expected = first + arrival_times(200, 0.0, last - first,
                                     RandomStreams(late.seed, 0).generator("arrivals", "shops"))
    np.testing.assert_array_equal(table.request_time, expected)


def test_homes_are_a_stream_of_blocks_of_two_kilowatt_homes():
    """A block of 50 homes of 2 kW asks 0.1 MW; ten 0.1 MW blocks fill 1 MW, the rest wait."""
    s = {"streams": {"homes": {"category": "basic_needs", "rate_per_year": 30,
                               "demand_mw": 0.002, "homes_per_request": 50}}}
    frame = outcomes(**s)
    assert (frame["homes"] == 50).all()
    assert frame["requested_mw"].to_numpy() == pytest.approx(0.1)
    assert (frame["outcome"] == "connected").sum() == 10
    assert frame.loc[frame["outcome"] == "connected", "request_date"].is_monotonic_increasing


# --- Partial connections and expansions ------------------------------------------------------


def reference_run_of(fields: dict) -> dict[str, dict[str, float]]:
    """First and full connection times and MW held, by name, from the reference model."""
    _, names, out = reference_of(fields)
    return {key: dict(zip(names, out[key].tolist(), strict=True))
            for key in ("connect", "full_connect", "held")}


def shop_world(**shop: object) -> dict:
    """A shop asking 0.63 MW where 0.25 MW is free (the supermarket of audaxrenewables.nl).

    capacity 0.25 MW on 2024-01-01; +0.5 MW on 2025-01-01; first come, first served, strict
    shop   2024-01-01 0.63 MW
    bakery 2024-02-01 0.10 MW
    """
    return {
        "grid": {"capacity_mw": 0.25, "upgrades": [
            {"name": "station", "date": "2025-01-01", "add_mw": 0.5}]},
        "projects": [project("shop", "2024-01-01", 0.63, **shop),
                     project("bakery", "2024-02-01", 0.1)],
    }


def test_a_partial_offer_connects_part_now_and_the_rest_later():
    """The shop takes the 0.25 MW free at once and the other 0.38 MW with the 2025 upgrade.

    0.25 is at least 30% of 0.63 (0.189). The bakery waits behind the shop (strict) and takes
    0.1 of the 0.12 MW left in 2025.
    """
    fields = shop_world(partial_min_share=0.3)
    frame = outcomes(**fields)
    assert connect_dates(frame) == {"shop": "2024-01-01", "bakery": "2025-01-01"}
    assert str(frame.loc["shop", "full_connect_date"].date()) == "2025-01-01"
    assert frame.loc["shop", "connected_mw"] == pytest.approx(0.63, abs=1e-12)
    assert frame.loc["shop", "wait_years"] == 0.0  # the wait to the first connection
    reference = reference_run_of(fields)
    for name in ("shop", "bakery"):
        assert reference["connect"][name] == scenario(**fields).years_since_start(
            frame.loc[name, "connect_date"].date())
    assert reference["full_connect"]["shop"] == years("2024-01-01", "2025-01-01")
    assert reference["held"]["shop"] == pytest.approx(0.63, abs=1e-12)


def test_a_projects_dates_say_when_it_is_connected_whole_and_firm():
    """The shop's first connection, in part on 2024-01-01, is not its whole request.

    The line of ``gridqueue run``, projects.csv and the answers' project dates each give the
    date of its full firm connection (2025-01-01) beside the first; the bakery, connected
    whole at once, keeps its one date.
    """
    from sim.report.narrative import project_dates
    from sim.runs.summary_table import format_projects

    results = run(scenario(**shop_world(partial_min_share=0.3)), workers=1)
    table = results.projects.set_index("project")
    assert str(table.loc["shop", "connect_date_p50"].date()) == "2024-01-01"
    assert str(table.loc["shop", "full_connect_date_p50"].date()) == "2025-01-01"
    assert table.loc["shop", "full_connected_share"] == 1.0
    shop, bakery = format_projects(results.projects)
    assert "in part or by a non-firm right included), median 2024-01-01" in shop
    assert "a full firm connection in 1 of 1, median 2025-01-01" in shop
    assert "full firm" not in bakery and "median 2025-01-01" in bakery
    # the shop's wait of 0 years is to its part on 2024-01-01, not to the 2025 connection
    assert shop.endswith("; mean wait to a first connection 0.00 years")
    assert bakery.endswith("; mean wait 0.92 years")
    dates = project_dates({"s": results.projects})
    assert dates[("s", "shop")].endswith("a full firm connection in 1 of 1, median 2025-01-01 "
                                         "(10% to 90%: 2025-01-01 to 2025-01-01)")
    assert dates[("s", "bakery")] == "median 2025-01-01 (10% to 90%: 2025-01-01 to 2025-01-01)"


def test_mw_still_waiting_counts_the_rest_of_a_partial_connection():
    """Without the 2025 station the shop holds 0.25 MW and still waits for 0.38 at the end.

    "MW still waiting for a firm connection at the end of the run" counts that rest beside the
    bakery's whole 0.1 MW, as the queue of timeseries.csv does: 0.48 MW in line, not the
    bakery's 0.1 alone. The shop still counts as connected (its first connection), not as waiting.
    """
    fields = {**shop_world(partial_min_share=0.3), "grid": {"capacity_mw": 0.25}}
    results = run(scenario(**fields), workers=1)
    frame = results.applicants.set_index("name")
    assert frame.loc["shop", "waiting_mw"] == pytest.approx(0.38, abs=1e-12)
    assert frame.loc["bakery", "waiting_mw"] == pytest.approx(0.1, abs=1e-12)
    figures = results.replication_metrics.set_index(["group", "metric"])["value"]
    assert figures[("all", "mw_waiting")] == pytest.approx(0.48, abs=1e-12)
    assert figures[("all", "waiting")] == 1.0 and figures[("all", "connected")] == 1.0
    last = results.timeseries.iloc[-1]
    assert figures[("all", "mw_waiting")] == pytest.approx(last["queued_mw_total"], abs=1e-12)


def test_mw_still_waiting_of_a_table_without_waiting_mw_count_the_requests_without_connection():
    """Rows written before waiting_mw are counted as they were: the bakery's 0.1 MW alone.

    Such rows (an older results folder, whose streams or projects a comparison counts on
    their own) cannot say the shop's rest; taking its MW for none is the count they were
    written with, which the warning of an older folder in a comparison names.
    """
    from sim.runs.metrics import replication_metrics
    from sim.runs.records import dated_years

    fields = {**shop_world(partial_min_share=0.3), "grid": {"capacity_mw": 0.25}}
    results = run(scenario(**fields), workers=1)
    older = results.applicants.drop(columns="waiting_mw")
    start = pd.Timestamp(results.scenario.start)
    request = dated_years((older["request_date"] - start).dt.days.to_numpy() / 365.25)
    figures = replication_metrics(older, request, results.scenario.horizon_years, {}, 0.0)
    value = figures.set_index(["group", "metric"])["value"][("all", "mw_waiting")]
    assert value == pytest.approx(0.1, abs=1e-12)


def test_mw_still_waiting_without_rests_is_the_sum_of_the_requests_waiting_bit_for_bit():
    """Where nobody waits for a rest, the figure is the sum it was before waiting_mw existed.

    Summed over every row (zeros included), numpy's pairwise sum grouped the same requests
    otherwise: one replication of fifo.yaml read 951.5811122477971 against 951.581112247797,
    so summary.csv and replication_metrics.csv of every folder written before differed in
    their last digits and ``gridqueue reproduce`` called such a folder not reproduced.
    """
    from pathlib import Path

    from sim import load_scenario

    path = Path(__file__).parents[1] / "scenarios" / "flevoland" / "fifo.yaml"
    results = run(load_scenario(path, {"replications": 1}), workers=1)
    rows = results.applicants
    waiting = rows["outcome"].astype(str).eq("waiting").to_numpy()
    assert not rows.loc[~waiting, "waiting_mw"].any()  # no rests: fifo connects whole
    before = float(rows["requested_mw"].to_numpy(dtype=float)[waiting].sum())
    figures = results.replication_metrics.set_index(["group", "metric"])["value"]
    assert figures[("all", "mw_waiting")] == before  # exactly, not approximately


def test_the_counts_still_waiting_say_they_leave_out_those_connected_in_part():
    """The shop, waiting for 0.38 MW, is in the MW still waiting but not in the count or jobs.

    Side by side, "Applicants still waiting at the end of the run" (1: the bakery) and "MW
    still waiting" (0.48: the bakery's and the shop's rest) would read as one group; the
    count and the jobs say that they are of those without any connection.
    """
    for name in ("waiting", "jobs_waiting"):
        assert METRICS[name].label.endswith("without any connection"), name
    assert "without any connection" not in METRICS["mw_waiting"].label


def test_no_partial_offer_below_the_minimum_share():
    """At a 50% minimum (0.315 MW) the 0.25 MW free is too little: the shop waits whole."""
    frame = both_models(shop_world(partial_min_share=0.5))
    assert connect_dates(frame) == {"shop": "2025-01-01", "bakery": "2025-01-01"}
    assert frame.loc["shop", "full_connect_date"] == frame.loc["shop", "connect_date"]


@pytest.mark.timeout(30)  # the pass granted 0 MW again and again, until memory ran out
def test_a_minimum_share_of_next_to_nothing_takes_no_empty_part():
    """A part is at least 1 W: a share of a millionth of a kW is not met by a full grid.

    capacity 1 MW; A 2024-01-01 1 MW (for good); B 2024-02-01 1 kW, minimum share 1e-9;
    C 2024-03-01 1 kW, minimum share 0.5, on a grid with 0.6 kW more from 2025-01-01.
    B's minimum (1e-12 MW) is within the fit tolerance of the full grid's 0 MW: it waits,
    unconnected. On 2025-01-01 B, first in line, takes the 0.6 kW; C then finds nothing.
    """
    fields = {"end": "2026-01-01",
              "grid": {"capacity_mw": 1.0, "upgrades": [
                  {"name": "u", "date": "2025-01-01", "add_mw": 0.0006}]},
              "projects": [project("A", "2024-01-01", 1.0),
                           project("B", "2024-02-01", 0.001, partial_min_share=1e-9),
                           project("C", "2024-03-01", 0.001, partial_min_share=0.5)]}
    frame = both_models(fields)
    assert connect_dates(frame) == {"A": "2024-01-01", "B": "2025-01-01", "C": "NaT"}
    assert frame.loc["B", "connected_mw"] == pytest.approx(0.0006, abs=1e-12)
    assert frame.loc["C", "outcome"] == "waiting"
    assert reference_run_of(fields)["held"]["B"] == pytest.approx(0.0006, abs=1e-12)


def test_a_partly_connected_applicant_keeps_waiting_past_its_patience():
    """With half a year of patience the shop, partly connected, still waits for its rest."""
    frame = both_models(shop_world(partial_min_share=0.3, patience_years=0.5))
    assert frame.loc["shop", "outcome"] == "connected"
    assert pd.isna(frame.loc["shop", "withdraw_date"])
    assert str(frame.loc["shop", "full_connect_date"].date()) == "2025-01-01"


def test_partial_offers_in_a_stream_only_to_those_who_accept():
    """A stream whose applicants never accept connects whole, as without partial offers."""
    stream = {"category": "other", "rate_per_year": 20, "demand_mw": 0.3}
    never = outcomes(grid={"capacity_mw": 1.0}, streams={"shops": {
        **stream, "partial_offer": {"min_share": 0.2, "accept_share": 0.0}}})
    whole = outcomes(grid={"capacity_mw": 1.0}, streams={"shops": stream})
    assert never["connect_date"].equals(whole["connect_date"])
    always = outcomes(grid={"capacity_mw": 1.0}, streams={"shops": {
        **stream, "partial_offer": {"min_share": 0.2}}})
    # three whole 0.3 MW requests fill 0.9 MW; the fourth takes the last 0.1 MW in part
    assert (always["connected_mw"] > 0).sum() == 4
    assert always["connected_mw"].sum() == pytest.approx(1.0)


def test_waiting_list_rows_take_partial_offers(tmp_path):
    """The shop world, with the shop and the bakery on the waiting list at the start.

    The shop (no stream) takes waiting_list.partial_offer: 0.25 MW at the start, the other
    0.38 MW with the 2025 upgrade, as the project did. The bakery (0.2 MW) names a stream whose
    applicants take parts of at least half: in 2025 it takes the 0.12 MW left and waits for
    the rest. Without partial offers the shop waits whole until 2025 and the bakery for ever.
    """
    csv = tmp_path / "waiting.csv"
    csv.write_text("request_date,category,demand_mw,name,stream\n"
                   "2023-01-01,other,0.63,shop,\n2023-02-01,other,0.2,bakery,bakeries\n",
                   encoding="utf-8")
    fields = shop_world()
    fields["projects"] = []
    fields["streams"] = {"bakeries": {"category": "other", "rate_per_year": 0,
                                      "demand_mw": 0.1, "partial_offer": {"min_share": 0.5}}}
    fields["waiting_list"] = {"csv": str(csv), "partial_offer": {"min_share": 0.3}}
    frame = outcomes(**fields)
    assert connect_dates(frame) == {"shop": "2024-01-01", "bakery": "2025-01-01"}
    assert str(frame.loc["shop", "full_connect_date"].date()) == "2025-01-01"
    assert pd.isna(frame.loc["bakery", "full_connect_date"])
    assert frame["connected_mw"].to_dict() == pytest.approx({"shop": 0.63, "bakery": 0.12},
                                                            abs=1e-12)
    reference = reference_run_of(fields)
    assert reference["connect"] == {"shop": 0.0, "bakery": years("2024-01-01", "2025-01-01")}
    assert reference["full_connect"]["shop"] == years("2024-01-01", "2025-01-01")
    assert reference["held"] == pytest.approx({"shop": 0.63, "bakery": 0.12}, abs=1e-12)
    del fields["waiting_list"]["partial_offer"]
    del fields["streams"]["bakeries"]["partial_offer"]
    assert connect_dates(outcomes(**fields)) == {"shop": "2025-01-01", "bakery": "NaT"}


def test_an_expansion_carries_its_existing_connection():
    """An expansion asks only for its extra MW; the MW already in place are reported."""
    frame = outcomes(projects=[project("plant", "2024-01-01", 0.5, existing_mw=2.0)])
    assert frame.loc["plant", "existing_mw"] == 2.0
    assert frame.loc["plant", "requested_mw"] == 0.5
    assert str(frame.loc["plant", "connect_date"].date()) == "2024-01-01"
    streams = {"plants": {"category": "other", "rate_per_year": 50, "demand_mw": 0.1,
                          "expansion": {"share": 1.0, "existing_mw": 1.5}}}
    assert (outcomes(streams=streams)["existing_mw"] == 1.5).all()


# --- Capacity taken back by mechanisms -------------------------------------------------------


def reclaim_world(**release: object) -> dict:
    """A user holding all 1 MW; use-it-or-lose-it reviews yearly from 2025-01-01.

    capacity 1.0 MW
    A 2024-01-01 1.00 MW (connects at once)
    B 2024-02-01 0.50 MW
    C 2025-06-01 0.25 MW
    """
    return {
        "projects": [project("A", "2024-01-01", 1.0), project("B", "2024-02-01", 0.5),
                     project("C", "2025-06-01", 0.25)],
        "capacity_releases": [{"name": "use-it-or-lose-it", "start": "2025-01-01",
                               "user_share": 1.0, "mw_share": 0.5, "after_years": 1.0,
                               **release}],
    }


def test_use_it_or_lose_it_takes_back_half_of_what_went_unused():
    """2025: A (connected a year) gives up 0.5 MW, so B connects; in 2026 B gives up 0.25.

    A year is counted by the calendar: B, connected on 2025-01-01, has been connected a year
    at the review of 2026-01-01, though that is 365 days, less than a year of 365.25. So C
    connects in 2026 and gives up 0.125 MW in 2027. A is reviewed once only.
    """
    frame = both_models(reclaim_world())
    assert connect_dates(frame) == {"A": "2024-01-01", "B": "2025-01-01", "C": "2026-01-01"}
    assert frame["connected_mw"].to_dict() == pytest.approx({"A": 0.5, "B": 0.25, "C": 0.125})


def taken_back(fields: dict) -> set[tuple[str, str, float]]:
    """(review date, name, MW taken) of every take-back in the engine's run of replication 0."""
    s = scenario(**fields)
    streams = RandomStreams(s.seed, 0)
    table = generate_applicants(s, streams, load_waiting_rows(s))
    regimes = with_categories(replication_regimes(s), category_timeline(s, table))
    out = simulate(table, world_grid(s, streams, table), regimes, s.horizon_years, [])
    return {(str(s.date_at(when)), table.name[i], mw) for when, i, mw in out.reclaimed}


def test_a_year_connected_is_counted_by_the_calendar_to_the_same_day():
    """A review finds a user connected on its date a year earlier, not one a day later.

    capacity 2.0 MW; use-it-or-lose-it reviews yearly from 2025-01-01, after a year, takes half
    on_day    2027-01-01 1.0 MW (connects at once)
    day_later 2027-01-02 1.0 MW (connects at once)
    waiter    2027-06-01 0.5 MW
    last      2028-06-01 0.5 MW
    2028-01-01 looks back to 2027-01-01: on_day (365 days, 0.9993 years of 365.25) gives up
    0.5 MW and waiter connects; day_later (364 days) is left for the next review.
    2029-01-01 looks back to 2028-01-01: day_later gives up 0.5 MW and waiter, connected on
    that very day, 0.25 MW; last connects with 0.25 MW to spare.
    """
    fields = {"grid": {"capacity_mw": 2.0},
              "projects": [project("on_day", "2027-01-01", 1.0),
                           project("day_later", "2027-01-02", 1.0),
                           project("waiter", "2027-06-01", 0.5),
                           project("last", "2028-06-01", 0.5)],
              "capacity_releases": [{"name": "use-it-or-lose-it", "start": "2025-01-01",
                                     "user_share": 1.0, "mw_share": 0.5, "after_years": 1}]}
    assert taken_back(fields) == {("2028-01-01", "on_day", 0.5),
                                  ("2029-01-01", "day_later", 0.5),
                                  ("2029-01-01", "waiter", 0.25)}
    frame = both_models(fields)
    assert connect_dates(frame) == {"on_day": "2027-01-01", "day_later": "2027-01-02",
                                    "waiter": "2028-01-01", "last": "2029-01-01"}
    assert frame["connected_mw"].to_dict() == pytest.approx(
        {"on_day": 0.5, "day_later": 0.5, "waiter": 0.25, "last": 0.5}, abs=1e-12)


@pytest.mark.parametrize(("after_years", "review", "connected_by"), [
    (1, "2028-01-01", "2027-01-01"),  # the same day a year earlier: 365 days
    (1, "2029-01-01", "2028-01-01"),  # and 366 across a leap day
    (1, "2028-02-29", "2027-02-28"),  # a day the year before lacks: its month's last
    (0.5, "2028-08-31", "2028-02-29"),  # six months
    (2, "2028-01-01", "2026-01-01"),
    (0, "2028-01-01", "2028-01-01"),  # anyone connected by the review
    (1.01, "2028-01-01", "2026-12-28"),  # 12.12 months: 12, then 0.12 of 30.44 days, 4
    (0.1, "2028-01-01", "2027-11-25"),  # 1.2 months: 1 (to 1 Dec), then 0.2 of 30.44 days, 6
])
def test_after_years_counts_back_whole_months_by_the_calendar_and_the_rest_in_days(
        after_years, review, connected_by):
    """``after_years`` goes back by the calendar: whole months of 12 times it, then days."""
    release = scenario(capacity_releases=[{"name": "r", "start": "2025-01-01", "user_share": 1,
                                           "mw_share": 1, "after_years": after_years}]
                       ).capacity_releases[0]
    assert str(release.connected_by(dt.date.fromisoformat(review))) == connected_by


def test_a_lookback_shorter_than_half_a_day_is_refused_as_no_lookback_at_all():
    """0.001 years (9 hours) rounded to no days: a review found users connected any time."""
    def release(after_years: float) -> object:
        return scenario(capacity_releases=[{
            "name": "r", "start": "2025-01-01", "user_share": 1, "mw_share": 1,
            "after_years": after_years}]).capacity_releases[0]

    with pytest.raises(ValueError, match=r"after_years\n.*expected 0 \(connected any time\) "
                                        r"or at least half a day"):
        release(0.001)
    assert release(0.6 / 365.25).lookback() == (0, 1)  # 0.6 of a day counts as one
    assert release(0).lookback() == (0, 0)


def test_a_longer_after_years_never_finds_a_later_connection_long_enough():
    """Days past the whole months go back no further than the next whole month would.

    At a review on 31 March, 1.99 months (1 month to 28 February, then 30 days) went back to
    29 January, past the 31 January that 2 months reach: a user connected on 30 January was
    connected long enough for the longer after_years and not for the shorter one.
    """
    def release(after_years: float) -> CapacityRelease:
        return scenario(capacity_releases=[{
            "name": "r", "start": "2025-01-01", "user_share": 1, "mw_share": 1,
            "after_years": after_years}]).capacity_releases[0]

    review = dt.date(2027, 3, 31)
    assert (release(1.99 / 12).connected_by(review) >= release(2 / 12).connected_by(review)
            == dt.date(2027, 1, 31))
    releases = [release(months / 120) for months in range(0, 300)]  # 0.1 month apart
    for review in (dt.date(2027, 3, 31), dt.date(2028, 3, 31), dt.date(2027, 5, 31),
                   dt.date(2027, 3, 1), dt.date(2028, 2, 29)):
        steps = [each.connected_by(review) for each in releases]
        assert steps == sorted(steps, reverse=True), review


def test_mw_connected_counts_the_mw_held_which_never_exceed_the_grid():
    """A, B and C ask 1.75 MW of a 1 MW grid and hold 0.5 + 0.25 + 0.125 MW at the end.

    MW taken back from A and connected to B would count twice in the requests of those
    connected: the key figure counts what each holds.
    """
    metrics = run(scenario(**reclaim_world()), workers=1).replication_metrics
    mw = metrics[(metrics["group"] == "all") & (metrics["metric"] == "mw_connected")]
    assert mw["value"].tolist() == pytest.approx([0.875], abs=1e-12)


def test_mw_freed_counts_what_the_releases_took_back_and_what_users_before_the_run_gave_up():
    """A gives up 0.5 MW in 2025, B 0.25 in 2026, C 0.125 in 2027: 0.875 MW freed, all 'other'.

    With 600 MW of users connected before the run, all of whom give up half at the first
    review, 300 MW more are freed, counted for all applicants but in no category: they belong
    to no applicant of the run.
    """
    def freed(fields: dict) -> dict[str, float]:
        metrics = run(scenario(**fields), workers=1).replication_metrics
        rows = metrics[metrics["metric"] == "mw_freed"]
        return dict(zip(rows["group"], rows["value"], strict=True))

    assert freed(reclaim_world()) == pytest.approx(
        {"congestion_relief": 0.0, "safety": 0.0, "basic_needs": 0.0, "other": 0.875,
         "all": 0.875}, abs=1e-12)
    with_existing = freed(reclaim_world(existing_mw=600.0))
    assert with_existing["all"] - with_existing["other"] == pytest.approx(300.0, abs=1e-9)
    assert freed({"projects": [project("A", "2024-01-01", 1.0)]})["all"] == 0.0  # no releases


def test_mw_freed_groups_by_the_category_of_the_request_as_every_figure_does():
    """B asks as basic needs and is safety by the time it connects: its MW freed stay basic needs.

    capacity 1.0 MW; a yearly review from 2024-07-01 takes half of what every user holds.
    A 2024-01-01 other        1.0 MW (connects at once)
    B 2024-02-01 basic_needs  0.5 MW, safety from 2024-06-01
    2024-07-01: A gives up 0.5 MW, B connects (as safety); 2025-07-01: B gives up 0.25 MW.
    B's row of every figure is basic needs (its request's category): so is its 0.25 MW freed.
    """
    fields = {"grid": {"capacity_mw": 1.0},
              "projects": [project("A", "2024-01-01", 1.0),
                           project("B", "2024-02-01", 0.5, "basic_needs", category_changes=[
                               {"date": "2024-06-01", "category": "safety"}])],
              "capacity_releases": [{"name": "contracts", "start": "2024-07-01",
                                     "user_share": 1.0, "mw_share": 0.5}]}
    results = run(scenario(**fields), workers=1)
    frame = results.applicants.set_index("name")
    assert frame.loc["B", ["category", "final_category"]].tolist() == ["basic_needs", "safety"]
    assert connect_dates(frame) == {"A": "2024-01-01", "B": "2024-07-01"}
    metrics = results.replication_metrics.pivot(index="group", columns="metric", values="value")
    assert metrics["mw_freed"].to_dict() == pytest.approx(
        {"congestion_relief": 0.0, "safety": 0.0, "basic_needs": 0.25, "other": 0.5,
         "all": 0.75}, abs=1e-12)
    assert metrics.loc["basic_needs", "mw_connected"] == pytest.approx(0.25, abs=1e-12)


def test_mw_freed_is_shown_where_releases_freed_some_and_explained():
    """The run's table and report show the MW freed only where some were.

    The table also says why all applicants' figure is more than its categories', only where
    it is: without MW of users connected before the run, the two add up, and a note that
    all applicants' "exceeds the sum of the categories" would be untrue.
    """
    from sim.report.data import run_page
    from sim.runs.summary_table import FREED_NOTE, format_summary

    for fields, shown, noted in ((reclaim_world(existing_mw=600.0), True, True),
                                 (reclaim_world(), True, False),
                                 ({"projects": [project("A", "2024-01-01", 1.0)]}, False, False)):
        s = scenario(**fields)
        results = run(s, workers=1)
        text = format_summary(results)
        assert ("MW freed by capacity releases" in text) is shown
        assert (FREED_NOTE in text) is noted
        page = run_page(results.summary, s, "s.yaml", {})
        assert any(c.startswith("MW freed by capacity releases")
                   for c in page.headline.columns) is shown


def test_a_later_first_review_or_nobody_taking_part_frees_nothing_sooner():
    """Two years before a review: B waits to 2026, C to 2028; nobody taking part: both wait.

    B connected on 2026-01-01 is reviewed on 2028-01-01, two calendar years later (730 days).
    """
    assert connect_dates(both_models(reclaim_world(after_years=2.0))) == {
        "A": "2024-01-01", "B": "2026-01-01", "C": "2028-01-01"}
    assert connect_dates(both_models(reclaim_world(user_share=0.0))) == {
        "A": "2024-01-01", "B": "NaT", "C": "NaT"}


def test_a_connection_that_ends_frees_what_it_still_holds():
    """A (3-year lifetime) keeps 0.5 MW after 2025; its end frees 0.5, not 1.0, MW.

    B's review in 2026 frees 0.25 MW; A's end (2026-12-31) 0.5 more. So C asking 0.75 MW
    connects at A's end, while C asking 0.8 MW never does (it would, were 1.0 MW freed).
    """
    fields = reclaim_world()
    fields["projects"] = [project("A", "2024-01-01", 1.0, lifetime_years=3.0),
                          project("B", "2024-02-01", 0.5), project("C", "2025-06-01", 0.75)]
    frame = both_models(fields)
    assert connect_dates(frame) == {"A": "2024-01-01", "B": "2025-01-01", "C": "2026-12-31"}
    fields["projects"][2] = project("C", "2025-06-01", 0.8)
    frame = both_models(fields)
    assert connect_dates(frame) == {"A": "2024-01-01", "B": "2025-01-01", "C": "NaT"}


def test_mw_connected_before_the_start_are_freed_in_expectation_at_the_first_review():
    """600 MW in place, 10% of users give up half: 30 MW freed at the first review, 2025."""
    fields = reclaim_world(existing_mw=600.0, user_share=0.1)
    fields["projects"] = [project("A", "2024-01-01", 1.0), project("big", "2024-02-01", 30.0)]
    frame = both_models(fields)
    assert connect_dates(frame) == {"A": "2024-01-01", "big": "2025-01-01"}


def test_a_user_holding_nothing_at_a_review_is_reviewed_once_it_holds_again():
    """A second mechanism that finds the shop holding nothing reviews it a year later.

    Both review on 2025-01-01: the first takes all the shop holds, so the second finds
    nothing. The freed 0.5 MW go back to the shop the same day (its rest); the second
    mechanism reviews it at its next review, 2026-01-01, and takes half: 0.25 MW.

    capacity 0.5 MW; shop 2024-01-01 1.0 MW, takes parts of at least 0.3 (0.5 at once)
    """
    reviews = {"start": "2025-01-01", "user_share": 1.0}
    fields = {"grid": {"capacity_mw": 0.5},
              "projects": [project("shop", "2024-01-01", 1.0, partial_min_share=0.3)],
              "capacity_releases": [{"name": "all", "mw_share": 1.0, **reviews},
                                    {"name": "half", "mw_share": 0.5, **reviews}]}
    frame = outcomes(**fields)
    assert str(frame.loc["shop", "full_connect_date"].date()) == "2025-01-01"
    assert frame.loc["shop", "connected_mw"] == pytest.approx(0.25, abs=1e-12)
    assert reference_run_of(fields)["held"]["shop"] == pytest.approx(0.25, abs=1e-12)


def test_a_right_then_a_short_firm_connection_is_reviewed_from_the_right():
    """A review counts a user's time connected from its first connection, a right included.

    capacity 1 MW, a pool of 1 MW; both 2024-01-01, 1.0 MW. early connects firm and ends a
    year later, 2024-12-31 (years of 365.25 days); holder, keeping its firm place, gets a
    right at once and its firm connection then, for half a year. The review of 2025-04-01
    (after a year connected) finds holder connected since 2024-01-01, though its firm
    connection lasts less than a year, and takes half: 0.5 MW.
    """
    fields = {
        "end": "2028-01-01", "grid": {"capacity_mw": 1.0},
        "projects": [project("early", "2024-01-01", 1.0, lifetime_years=1.0),
                     project("holder", "2024-01-01", 1.0, lifetime_years=0.5,
                             non_firm_right="flex")],
        "non_firm": {"rights": {"flex": {"hours_share": 0.5}},
                     "pools": {"main": {"capacity_mw": 1.0}}},
        "capacity_releases": [{"name": "uioli", "start": "2025-04-01", "every_months": 12,
                               "user_share": 1.0, "mw_share": 0.5, "after_years": 1.0}],
    }
    frame = outcomes(**fields)
    assert str(frame.loc["holder", "full_connect_date"].date()) == "2024-12-31"
    assert frame.loc["holder", "connected_mw"] == pytest.approx(0.5, abs=1e-12)
    assert reference_run_of(fields)["held"]["holder"] == pytest.approx(0.5, abs=1e-12)


def test_mw_freed_between_rounds_wait_for_the_next_round_and_go_in_part():
    """A review between rounds frees MW that only a round, or those served between, may take.

    capacity 0.4 MW; rounds (first fit) on 2025-01-01 and 2026-01-01, safety between them;
    FIFO; every user gives up half of what it holds at each yearly review from 2024-07-01.
    A 2024-01-01 other  1.0 MW, takes parts of at least 0.3 MW
    F 2024-03-01 safety 0.2 MW, served between rounds
    F connects on arrival (0.2 left) and gives up 0.1 in July 2024; the 0.3 MW free wait for
    the 2025 round, where A takes them in part. In July 2025 A gives up half: 0.15 MW, less
    than its 0.3 MW minimum, so the 2026 round connects nothing more.
    """
    fields = {
        "grid": {"capacity_mw": 0.4},
        "projects": [project("A", "2024-01-01", 1.0, partial_min_share=0.3),
                     project("F", "2024-03-01", 0.2, "safety")],
        "policy": {"order": "fifo", "allocation": "rounds", "rounds": {
            "dates": ["2025-01-01", "2026-01-01"], "between_rounds": ["safety"]}},
        "capacity_releases": [{"name": "uioli", "start": "2024-07-01", "user_share": 1.0,
                               "mw_share": 0.5}],
    }
    results = run(scenario(**fields), workers=1)
    frame = results.applicants.set_index("name")
    assert connect_dates(frame) == {"A": "2025-01-01", "F": "2024-03-01"}
    assert pd.isna(frame.loc["A", "full_connect_date"])
    assert frame["connected_mw"].to_dict() == pytest.approx({"A": 0.15, "F": 0.1}, abs=1e-12)
    assert reference_run_of(fields)["held"] == pytest.approx({"A": 0.15, "F": 0.1}, abs=1e-12)
    assert connect_dates(frame) == reference_connect_dates(fields)
    metrics = results.replication_metrics
    freed = metrics[metrics["metric"] == "mw_freed"].set_index("group")["value"]
    assert freed[["other", "safety", "all"]].tolist() == pytest.approx([0.15, 0.1, 0.25])
    # idle: 0.4 MW to F's arrival, 0.2 to the review, 0.3 to the round, 0.15 after July 2025
    idle = (0.4 * years("2024-01-01", "2024-03-01") + 0.2 * years("2024-03-01", "2024-07-01")
            + 0.3 * years("2024-07-01", "2025-01-01") + 0.15 * years("2025-07-01", "2030-01-01"))
    assert metrics[(metrics["metric"] == "idle_mw_years") & (metrics["group"] == "all")][
        "value"].tolist() == pytest.approx([idle], abs=1e-12)


def test_after_a_blocked_strict_round_those_served_between_rounds_connect_that_day():
    """A big head blocks the 2025 round; the fire station, served between rounds, still fits.

    capacity 0; +0.5 MW on 2025-01-01, also the day of the only round (strict, FIFO).
    big 2024-01-01 other 1.0 MW; fire 2024-02-01 safety 0.3 MW; shop 2025-06-01 other 0.1 MW
    In the round the head (big) does not fit; when the round ends, fire heads its own line
    and connects the same day. The shop, arriving later, waits for a round that never comes.
    """
    fields = {
        "grid": {"capacity_mw": 0.0, "upgrades": [
            {"name": "station", "date": "2025-01-01", "add_mw": 0.5}]},
        "projects": [project("big", "2024-01-01", 1.0),
                     project("fire", "2024-02-01", 0.3, "safety"),
                     project("shop", "2025-06-01", 0.1)],
        "policy": {"order": "fifo", "allocation": "rounds", "rounds": {
            "dates": ["2025-01-01"], "fit": "strict", "between_rounds": ["safety"]}},
    }
    frame = both_models(fields)
    assert connect_dates(frame) == {"big": "NaT", "fire": "2025-01-01", "shop": "NaT"}


# --- Non-firm transport rights ----------------------------------------------------------------


def non_firm_world(allocation: str = "strict", order: str = "policy", **non_firm: object) -> dict:
    """Three firms wait for a 1 MW upgrade in 2026; a 0.5 MW non-firm pool exists from the start.

    capacity 0 MW; +1.0 MW on 2026-01-01; pool 0.5 MW (firm_85: 85% of the hours)
    A 2024-01-01 0.4 MW  accepts a right, keeps its firm place
    B 2024-02-01 0.3 MW  accepts a right, keeps its firm place
    C 2024-03-01 0.1 MW  accepts a right, leaves the firm queue when it has one
    """
    rights = {"firm_85": {"hours_share": 0.85}}
    return {
        "grid": {"capacity_mw": 0.0, "upgrades": [
            {"name": "station", "date": "2026-01-01", "add_mw": 1.0}]},
        "projects": [
            project("A", "2024-01-01", 0.4, non_firm_right="firm_85"),
            project("B", "2024-02-01", 0.3, non_firm_right="firm_85"),
            project("C", "2024-03-01", 0.1, non_firm_right="firm_85", keep_firm_place=False),
        ],
        "policy": {"order": "fifo", "allocation": allocation},
        "non_firm": {"rights": rights, "pools": {"main": {"capacity_mw": 0.5}}, "order": order,
                     **non_firm},
    }


def rights_of(frame: pd.DataFrame) -> dict[str, str]:
    return {name: str(date.date()) if date == date else "NaT"
            for name, date in frame["non_firm_date"].items()}


def check_rights_against_reference(fields: dict, frame: pd.DataFrame) -> None:
    """The reference model grants the same rights, at the same times, with the same moves."""
    s, names, out = reference_of(fields)
    expected = {name: str(s.date_at(t)) if t == t else "NaT"
                for name, t in zip(names, out["non_firm_start"].tolist(), strict=True)}
    assert rights_of(frame) == expected
    assert frame["moved_to_firm"].tolist() == out["moved_to_firm"].tolist()
    assert frame["kept_firm_place"].tolist() == out["kept_firm_place"].tolist()


def test_a_non_firm_right_then_a_firm_connection_strict():
    """A takes a right at once; B does not fit what is left and, strict, blocks C.

    A takes 0.4 of the 0.5 MW pool; B (0.3) does not fit the 0.1 left. In 2026 the 1 MW
    upgrade connects all three firm (0.8 MW): A moves from its right to firm, B and C never
    had one. A's first connection is its right; it used 85% of the hours.
    """
    fields = non_firm_world()
    frame = both_models(fields)
    assert rights_of(frame) == {"A": "2024-01-01", "B": "NaT", "C": "NaT"}
    assert connect_dates(frame) == {"A": "2024-01-01", "B": "2026-01-01", "C": "2026-01-01"}
    assert str(frame.loc["A", "full_connect_date"].date()) == "2026-01-01"
    assert frame.loc["A", "moved_to_firm"] and not frame.loc["B", "moved_to_firm"]
    assert str(frame.loc["A", "non_firm_end_date"].date()) == "2026-01-01"
    assert frame.loc["A", "non_firm_mw"] == pytest.approx(0.4)
    assert frame.loc["A", "non_firm_hours_share"] == 0.85
    assert frame.loc["A", "non_firm_mw_share"] == 1.0
    assert frame.loc["A", "non_firm_right"] == "firm_85"
    check_rights_against_reference(fields, frame)


def test_first_fit_gives_the_small_request_a_right_and_it_leaves_the_firm_queue():
    """First fit: C takes the last 0.1 MW of the pool and leaves the firm queue.

    C (0.1 MW) gets its right in March 2024 and, not keeping its place, is connected non-firm
    for good, never firm.
    """
    fields = non_firm_world(allocation="first_fit")
    frame = both_models(fields)
    assert rights_of(frame) == {"A": "2024-01-01", "B": "NaT", "C": "2024-03-01"}
    assert frame.loc["C", "outcome"] == "connected"
    assert pd.isna(frame.loc["C", "full_connect_date"])
    assert frame.loc["C", "connected_mw"] == 0.0  # no firm MW
    assert pd.isna(frame.loc["C", "non_firm_end_date"]) and not frame.loc["C", "moved_to_firm"]
    check_rights_against_reference(fields, frame)


def test_a_holder_of_a_right_does_not_withdraw():
    """With half a year of patience, A (holding a right) stays; B (none) withdraws in August.

    B's withdrawal unblocks the pool's line (strict): C's 0.1 MW fits the 0.1 MW left, so C
    gets a right that day, a month before its own patience would end, and leaves the firm queue.
    """
    fields = non_firm_world()
    fields["projects"] = [{**p, "patience_years": 0.5} for p in fields["projects"]]
    frame = both_models(fields)
    assert frame.loc["A", "outcome"] == "connected" and pd.isna(frame.loc["A", "withdraw_date"])
    assert frame["outcome"].tolist() == ["connected", "withdrawn", "connected"]
    assert frame.loc["C", "non_firm_date"] == frame.loc["B", "withdraw_date"]
    check_rights_against_reference(fields, frame)


def sharing_world(order: str) -> dict:
    """Two 1 MW firms share a 1 MW pool with no firm capacity at all, 2024 to 2028.

    A 2024-01-01 1.0 MW  alone in the pool for one year, then shares it for three:
                         it can use (1 x 1 + 0.5 x 3) / 4 = 0.625 of its right
    B 2025-01-01 1.0 MW  shares it for three years: 0.5
    """
    rights = {"variable": {"hours_share": 0.6}}
    return {
        "end": "2028-01-01",
        "grid": {"capacity_mw": 0.0},
        "projects": [project("A", "2024-01-01", 1.0, non_firm_right="variable"),
                     project("B", "2025-01-01", 1.0, non_firm_right="variable")],
        "non_firm": {"rights": rights, "pools": {"main": {"capacity_mw": 1.0}}, "order": order},
    }


@pytest.mark.parametrize("order", ["rotation", "proportional", "policy"])
def test_how_an_oversubscribed_pool_is_shared(order):
    """Rotation cuts the hours, proportional the MW; in policy order B gets no right at all."""
    frame = outcomes(**sharing_world(order))
    hours, mw = frame["non_firm_hours_share"], frame["non_firm_mw_share"]
    a = years("2024-01-01", "2025-01-01") / years("2024-01-01", "2028-01-01")
    share_a = a + 0.5 * (1 - a)  # the exact form of 0.625: years of 365.25 days
    if order == "rotation":
        assert hours["A"] == pytest.approx(0.6 * share_a) and hours["B"] == pytest.approx(0.3)
        assert mw.tolist() == [1.0, 1.0]
    elif order == "proportional":
        assert hours.tolist() == [0.6, 0.6]
        assert mw["A"] == pytest.approx(share_a) and mw["B"] == pytest.approx(0.5)
    else:
        assert rights_of(frame) == {"A": "2024-01-01", "B": "NaT"}
        assert hours["A"] == 0.6 and mw["A"] == 1.0
    check_rights_against_reference(sharing_world(order), frame)


@pytest.mark.parametrize("order", ["rotation", "proportional"])
def test_the_key_figures_tell_rotation_from_proportional_sharing(order):
    """The usable share is the same under both; the hours and the MW shares tell them apart.

    A compare of the two read 'about the same' in every key figure, as if the setting did
    nothing: rotation gives the whole MW in fewer hours, proportional fewer MW in every hour
    the right allows. Both 1 MW rights, so the MW-weighted means are plain means.
    """
    results = run(scenario(**sharing_world(order)), workers=1)
    metrics = results.replication_metrics
    mine = metrics[metrics["group"] == "all"].set_index("metric")["value"]
    a = years("2024-01-01", "2025-01-01") / years("2024-01-01", "2028-01-01")
    share_a = a + 0.5 * (1 - a)
    usable = 0.6 * (share_a + 0.5) / 2
    hours, mw = ((0.6 * share_a + 0.3) / 2, 1.0) if order == "rotation" \
        else (0.6, (share_a + 0.5) / 2)
    assert mine[["non_firm_usable_share", "non_firm_hours_share", "non_firm_mw_share"]
                ].tolist() == pytest.approx([usable, hours, mw])


def test_rights_hardly_usable_are_warned_of_after_the_run():
    """Two 1 MW rights sharing a pool of 0.1 MW still end their waits: the run says so.

    The usable share is 0.6 x (0.1 x 1 + 0.05 x 3) / 4 = 0.0375 of A's right and 0.6 x 0.05
    = 0.03 of B's, 3.375% of their MW-hours together (in years of 365.25 days, as near as two
    decimals tell), under the quarter below which a right's end of the wait is warned of; the
    pool of 1 MW of test_how_an_oversubscribed_pool_is_shared (a third) draws none.
    """
    crowded = sharing_world("rotation")
    crowded["non_firm"]["pools"]["main"]["capacity_mw"] = 0.1
    with pytest.warns(GridqueueWarning, match=r"its non-firm rights were usable for 3\.38% of "
                      r"their MW-hours on average \(the hours they allow, less what "
                      r"sharing a pool took\)"):
        run(scenario(**crowded), workers=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        run(scenario(**sharing_world("rotation")), workers=1)


def test_a_pool_that_grows_later_serves_the_line_then():
    """A pool of 0 MW that gains 0.4 MW in 2025 gives A its right on that day, not before."""
    fields = non_firm_world()
    fields["non_firm"]["pools"] = {"main": {"capacity_mw": 0.0, "upgrades": [
        {"name": "study", "date": "2025-01-01", "add_mw": 0.4}]}}
    frame = both_models(fields)
    assert rights_of(frame) == {"A": "2025-01-01", "B": "NaT", "C": "NaT"}
    check_rights_against_reference(fields, frame)


@pytest.mark.parametrize("fit", ["strict", "first_fit"])
def test_under_rounds_a_pool_is_offered_as_capacity_comes_by_the_rounds_fit(fit):
    """Rounds hold the firm capacity only; the pool's line is served with the rounds' fit.

    capacity 0; +1.0 MW on 2026-01-01; one round on 2027-01-01; FIFO; a 0.5 MW pool
    A 2024-01-01 0.6 MW  accepts a right (does not fit the pool)
    B 2024-02-01 0.1 MW  accepts a right
    Strict: A heads the pool's line and blocks B. First fit: B gets its right when it asks,
    not at a round. Both connect firm at the round.
    """
    fields = non_firm_world()
    fields["projects"] = [project("A", "2024-01-01", 0.6, non_firm_right="firm_85"),
                          project("B", "2024-02-01", 0.1, non_firm_right="firm_85")]
    fields["policy"] = {"order": "fifo", "allocation": "rounds",
                        "rounds": {"dates": ["2027-01-01"], "fit": fit}}
    frame = both_models(fields)
    assert rights_of(frame) == {"A": "NaT", "B": "NaT" if fit == "strict" else "2024-02-01"}
    assert str(frame.loc["A", "full_connect_date"].date()) == "2027-01-01"
    assert str(frame.loc["B", "full_connect_date"].date()) == "2027-01-01"
    check_rights_against_reference(fields, frame)


def test_an_offer_nobody_accepts_changes_nothing():
    """A stream offered rights that nobody accepts connects as without them."""
    stream = {"category": "other", "rate_per_year": 20, "demand_mw": 0.3}
    pools = {"rights": {"firm_85": {"hours_share": 0.85}}, "pools": {"main": {"capacity_mw": 5}}}
    never = outcomes(streams={"firms": {**stream, "non_firm": {
        "right": "firm_85", "accept_share": 0.0}}}, non_firm=pools)
    plain = outcomes(streams={"firms": stream})
    assert never["connect_date"].equals(plain["connect_date"])
    assert never["non_firm_date"].isna().all()
# --- Congestion relievers ranked by efficiency -----------------------------------------------


def kept_place_world() -> dict:
    """Three holders of rights, one still in line for firm MW at the end, and a firm request.

    capacity 0 MW; +0.5 MW on 2028-01-01; a 1 MW pool (85% of the hours); FIFO, strict
    A 2024-01-01 0.4 MW  takes a right, keeps its firm place: moved to firm in 2028
    B 2024-02-01 0.3 MW  takes a right, keeps its firm place: 0.1 MW is left in 2028, so it
                         heads the line to the end without being moved to firm
    C 2024-03-01 0.1 MW  takes a right and gives its firm place up
    D 2024-04-01 0.2 MW  no right: waits behind B to the end
    On the list (the firm queue of timeseries.csv): A, B and D from April 2024, B and D
    from 2028. Of the three waiting when 2028 began, A left in 2028: a third.
    """
    at = {"date": "2025-06-30", "value": 3, "source": "hand-made"}
    late = {**at, "date": "2029-06-30"}
    return {
        "grid": {"capacity_mw": 0.0, "upgrades": [
            {"name": "station", "date": "2028-01-01", "add_mw": 0.5}]},
        "projects": [
            project("A", "2024-01-01", 0.4, non_firm_right="firm_85"),
            project("B", "2024-02-01", 0.3, non_firm_right="firm_85"),
            project("C", "2024-03-01", 0.1, non_firm_right="firm_85", keep_firm_place=False),
            project("D", "2024-04-01", 0.2),
        ],
        "policy": {"order": "fifo", "allocation": "strict"},
        "non_firm": {"rights": {"firm_85": {"hours_share": 0.85}},
                     "pools": {"main": {"capacity_mw": 1.0}}},
        "observations": [
            {**at, "quantity": "applicants_waiting"},
            {**late, "quantity": "applicants_waiting"},
            {**late, "quantity": "mw_waiting"},
            {**late, "quantity": "share_leaving", "since": "2028-01-01", "date": "2028-12-31",
             "value": 0.3},
        ],
    }


def test_a_holder_that_kept_its_firm_place_stays_on_the_list_until_connected_firm(tmp_path):
    """B kept its firm place and was never moved to firm: it is on the list to the end.

    applicants.csv says who kept its place (A and B) and who gave it up (C); a published
    count follows the firm queue of timeseries.csv: 3 waiting in mid-2025, 2 (0.5 MW) in
    mid-2029, a third leaving in 2028. Counting every right never moved to firm as leaving
    the list on its date, as before kept_firm_place, took B off the list from February
    2024: 2 and 1 (0.2 MW) waiting, and half leaving in 2028. A results folder written
    before the column still reads, and is counted so.
    """
    fields = kept_place_world()
    results = run(scenario(**fields), workers=1)
    frame = results.applicants.set_index("name")
    assert rights_of(frame) == {"A": "2024-01-01", "B": "2024-02-01", "C": "2024-03-01",
                                "D": "NaT"}
    assert frame["kept_firm_place"].to_dict() == {"A": True, "B": True, "C": False,
                                                  "D": False}
    assert frame["moved_to_firm"].to_dict() == {"A": True, "B": False, "C": False,
                                                "D": False}
    assert {name: str(date.date()) if date == date else "NaT" for name, date in
            frame["full_connect_date"].items()} == {"A": "2028-01-01", "B": "NaT", "C": "NaT",
                                                     "D": "NaT"}
    check_rights_against_reference(fields, frame)
    simulated = results.observations()["simulated_mean"].tolist()
    assert simulated == pytest.approx([3, 2, 0.5, 1 / 3])
    queue = results.timeseries.set_index("date")
    for day, waiting, mw in (("2025-07-01", 3, 0.9), ("2029-07-01", 2, 0.5)):
        assert queue.loc[day, ["queue_total", "queued_mw_total"]].tolist() == \
            pytest.approx([waiting, mw])
    folder = results.write(tmp_path / "older")
    table = pd.read_csv(folder / "applicants.csv", dtype=str, keep_default_na=False)
    table.drop(columns="kept_firm_place").to_csv(folder / "applicants.csv", index=False)
    older = Results.read(folder)
    assert "kept_firm_place" not in older.applicants
    assert older.observations()["simulated_mean"].tolist() == pytest.approx([2, 1, 0.2, 0.5])

def batteries_world(**policy: object) -> dict:
    """Three batteries (congestion relievers with priority) wait for two 1 MW upgrades.

    capacity 0; +1 MW on 2025-01-01; +1 MW on 2027-01-01; social priority
    A 2024-01-01 1 MW efficiency 0.3
    B 2024-02-01 1 MW no score
    C 2024-03-01 1 MW efficiency 0.8
    """
    return {
        "grid": {"capacity_mw": 0.0, "upgrades": [
            {"name": "first", "date": "2025-01-01", "add_mw": 1.0},
            {"name": "second", "date": "2027-01-01", "add_mw": 1.0}]},
        "projects": [project("A", "2024-01-01", 1.0, "congestion_relief", efficiency=0.3),
                     project("B", "2024-02-01", 1.0, "congestion_relief"),
                     project("C", "2024-03-01", 1.0, "congestion_relief", efficiency=0.8)],
        "policy": {"order": "social_priority", **policy},
    }


def test_congestion_relievers_first_come_first_served_without_efficiency_ranking():
    """By request date: A takes the 2025 upgrade, B the 2027 one; C, the best offer, waits.

    Scores that no rules rank by would do nothing, so they are refused: this world has none.
    """
    world = batteries_world()
    with pytest.raises(ValueError, match="expected no efficiency scores here"):
        scenario(**world)
    for entry in world["projects"]:
        entry.pop("efficiency", None)
    frame = both_models(world)
    assert connect_dates(frame) == {"A": "2025-01-01", "B": "2027-01-01", "C": "NaT"}


def test_congestion_relievers_ranked_by_efficiency_best_offer_first():
    """By efficiency: C (0.8) takes 2025, A (0.3) 2027; B, without a score, comes last."""
    frame = both_models(batteries_world(
        within_category={"congestion_relief": "efficiency"}))
    assert connect_dates(frame) == {"A": "2027-01-01", "B": "NaT", "C": "2025-01-01"}


def test_efficiency_ranking_from_2026_reorders_those_still_waiting():
    """The 2026 framework: A got the 2025 upgrade by date; from 2026 C (0.8) passes B."""
    frame = both_models(batteries_world(changes=[
        {"date": "2026-01-01", "within_category": {"congestion_relief": "efficiency"}}]))
    assert connect_dates(frame) == {"A": "2025-01-01", "B": "NaT", "C": "2027-01-01"}


def test_waiting_list_rows_give_efficiency_scores_or_take_the_default(tmp_path):
    """The batteries on a waiting-list CSV, B's score left blank.

    With no default B comes last (C 2025, A 2027); with waiting_list.efficiency fixed at 0.9,
    B is the best offer (B 2025, C 2027) and A waits.
    """
    csv = tmp_path / "waiting.csv"
    csv.write_text("request_date,category,demand_mw,name,efficiency\n"
                   "2023-01-01,congestion_relief,1.0,A,0.3\n"
                   "2023-02-01,congestion_relief,1.0,B,\n"
                   "2023-03-01,congestion_relief,1.0,C,0.8\n", encoding="utf-8")
    fields = batteries_world(within_category={"congestion_relief": "efficiency"})
    fields["projects"] = []
    fields["waiting_list"] = {"csv": str(csv)}
    assert connect_dates(both_models(fields)) == {
        "A": "2027-01-01", "B": "NaT", "C": "2025-01-01"}
    fields["waiting_list"]["efficiency"] = {"dist": "fixed", "value": 0.9}
    assert connect_dates(both_models(fields)) == {
        "A": "NaT", "B": "2025-01-01", "C": "2027-01-01"}


def test_applicants_csv_gives_each_score_and_leaves_no_score_empty(tmp_path):
    """applicants.csv says by which score each battery was ranked: A 0.3, C 0.8, B none.

    The table holds no score as -inf, below every score; written so it read as a score, so
    B's field is empty, and reads back as missing. A waiting-list row without a score takes
    the list's default where one is given (B 0.9). Every other column is left as it was.
    """
    results = run(scenario(**batteries_world(
        within_category={"congestion_relief": "efficiency"})), workers=1)
    scores = results.applicants.set_index("name")["efficiency"]
    assert scores.loc[["A", "C"]].tolist() == [0.3, 0.8] and np.isnan(scores.loc["B"])
    folder = results.write(tmp_path / "run")
    text = (folder / "applicants.csv").read_text(encoding="utf-8")
    assert "inf" not in text
    written = pd.read_csv(folder / "applicants.csv", dtype=str, keep_default_na=False)
    assert written.columns[-1] == "efficiency"
    assert written.set_index("name")["efficiency"].to_dict() == {"A": "0.3", "B": "",
                                                                 "C": "0.8"}
    assert np.isnan(Results.read(folder).applicants.set_index("name").loc["B", "efficiency"])
    csv = tmp_path / "waiting.csv"
    csv.write_text("request_date,category,demand_mw,name,efficiency\n"
                   "2023-01-01,congestion_relief,1.0,A,0.3\n"
                   "2023-02-01,congestion_relief,1.0,B,\n", encoding="utf-8")
    fields = batteries_world(within_category={"congestion_relief": "efficiency"})
    fields["projects"] = []
    fields["waiting_list"] = {"csv": str(csv)}
    listed = run(scenario(**fields), workers=1).applicants.set_index("name")["efficiency"]
    assert listed.loc["A"] == 0.3 and np.isnan(listed.loc["B"])
    fields["waiting_list"]["efficiency"] = {"dist": "fixed", "value": 0.9}
    listed = run(scenario(**fields), workers=1).applicants.set_index("name")["efficiency"]
    assert listed.to_dict() == {"A": 0.3, "B": 0.9}


def test_waiting_list_rows_take_their_streams_non_firm_offer(tmp_path):
    """A CSV row naming a stream takes the stream's offer; a row naming none, the list's.

    The non-firm world with A and C on the waiting list: A (0.4 MW, stream 'firms', which
    always accepts) takes 0.4 of the 0.5 MW pool at the start; C (0.1 MW, no stream) waits
    for the 2026 upgrade without a right, or, offered one by waiting_list.non_firm, takes the
    last 0.1 MW of the pool at the start too.
    """
    csv = tmp_path / "waiting.csv"
    csv.write_text("request_date,category,demand_mw,name,stream\n"
                   "2023-01-01,other,0.4,A,firms\n2023-03-01,other,0.1,C,\n", encoding="utf-8")
    fields = non_firm_world()
    fields["projects"] = []
    fields["streams"] = {"firms": {"category": "other", "rate_per_year": 0, "demand_mw": 0.4,
                                   "non_firm": {"right": "firm_85", "accept_share": 1.0}}}
    fields["waiting_list"] = {"csv": str(csv)}
    frame = both_models(fields)
    assert rights_of(frame) == {"A": "2024-01-01", "C": "NaT"}
    assert connect_dates(frame) == {"A": "2024-01-01", "C": "2026-01-01"}
    check_rights_against_reference(fields, frame)
    fields["waiting_list"]["non_firm"] = {"right": "firm_85", "accept_share": 1.0}
    frame = both_models(fields)
    assert rights_of(frame) == {"A": "2024-01-01", "C": "2024-01-01"}
    check_rights_against_reference(fields, frame)


def test_the_wait_for_a_firm_connection_runs_on_past_a_right():
    """In the strict non-firm world all three connect firm on 2026-01-01, A after a right.

    Waits to the first connection: A 0 (its right), B and C to 2026 (1.92 and 1.84 years):
    mean 1.25. Waits to a full firm connection: A 2.00, B 1.92, C 1.84: mean 1.92. Everyone
    connects within ten years, so each mean within ten years is the plain mean.
    """
    metrics = run(scenario(**non_firm_world()), workers=1).replication_metrics
    mine = metrics[metrics["group"] == "all"].set_index("metric")["value"]
    waits = [years("2024-01-01", "2026-01-01"), years("2024-02-01", "2026-01-01"),
             years("2024-03-01", "2026-01-01")]
    assert mine["wait_rmst_10y_years"] == pytest.approx((0 + waits[1] + waits[2]) / 3)
    assert mine["wait_firm_rmst_10y_years"] == pytest.approx(sum(waits) / 3)


def test_a_partly_connected_applicant_stays_when_all_it_held_is_taken_back():
    """A partly connected shop does not withdraw after a review took back all it held.

    The shop, partly connected (0.25 MW), loses all of it to a review on 2024-07-01, the very
    instant its patience ends: it has started on site, so it keeps waiting, takes the 0.25 MW
    back at once and the rest in 2025.
    """
    fields = shop_world(partial_min_share=0.3, patience_years=182 / 365.25)  # to 2024-07-01
    fields["projects"] = fields["projects"][:1]
    fields["capacity_releases"] = [{"name": "take-back", "start": "2024-07-01",
                                    "every_months": 120, "user_share": 1.0, "mw_share": 1.0}]
    frame = both_models(fields)
    assert frame.loc["shop", "outcome"] == "connected"
    assert pd.isna(frame.loc["shop", "withdraw_date"])
    assert str(frame.loc["shop", "full_connect_date"].date()) == "2025-01-01"


def test_an_expansion_in_part_holds_a_right_for_its_rest_and_loses_half_of_its_new_mw():
    """A partial connection, a right for the rest, a full connection, then a review.

    capacity 0.25 MW; +0.5 MW on 2025-01-01; a 0.5 MW pool (85% of the hours); a yearly
    review from 2025-07-01 of users connected a year, each giving up half.
    shop   2024-01-01 0.63 MW more on 1 MW in place, parts of at least 30%, keeps its place
    bakery 2024-02-01 0.10 MW, takes a right and leaves the firm queue
    The shop takes the 0.25 MW free and a right of its 0.38 MW rest at once; the bakery the
    last 0.1 MW of the pool. In 2025 the shop connects its rest and gives its right back; in
    July it has been connected 1.5 years and gives up half of its 0.63 new MW (the MW in
    place are never reviewed). The bakery holds no firm MW, so nothing of it is reviewed.
    """
    fields = {
        "end": "2027-01-01",
        "grid": {"capacity_mw": 0.25, "upgrades": [
            {"name": "station", "date": "2025-01-01", "add_mw": 0.5}]},
        "projects": [project("shop", "2024-01-01", 0.63, partial_min_share=0.3,
                             non_firm_right="firm_85", existing_mw=1.0),
                     project("bakery", "2024-02-01", 0.1, non_firm_right="firm_85",
                             keep_firm_place=False)],
        "non_firm": {"rights": {"firm_85": {"hours_share": 0.85}},
                     "pools": {"main": {"capacity_mw": 0.5}}},
        "capacity_releases": [{"name": "uioli", "start": "2025-07-01", "user_share": 1.0,
                               "mw_share": 0.5, "after_years": 1.0}],
    }
    results = run(scenario(**fields), workers=1)
    frame = results.applicants.set_index("name")
    assert connect_dates(frame) == {"shop": "2024-01-01", "bakery": "2024-02-01"}
    assert rights_of(frame) == {"shop": "2024-01-01", "bakery": "2024-02-01"}
    assert frame["non_firm_mw"].to_dict() == pytest.approx({"shop": 0.38, "bakery": 0.1})
    assert str(frame.loc["shop", "full_connect_date"].date()) == "2025-01-01"
    assert frame.loc["shop", "moved_to_firm"] and not frame.loc["bakery", "moved_to_firm"]
    assert frame["connected_mw"].to_dict() == pytest.approx({"shop": 0.315, "bakery": 0.0},
                                                            abs=1e-12)
    assert connect_dates(frame) == reference_connect_dates(fields)
    check_rights_against_reference(fields, frame)
    metrics = results.replication_metrics
    mine = metrics[metrics["group"] == "all"].set_index("metric")["value"]
    assert mine[["mw_freed", "mw_connected", "mw_non_firm", "moved_to_firm",
                 "non_firm_usable_share"]].tolist() == pytest.approx([0.315, 0.315, 0.48, 1,
                                                                      0.85])
    ts = results.timeseries.set_index("date")
    assert ts.loc["2024-03-01", ["connected_mw", "non_firm_connected_mw"]].tolist() == \
        pytest.approx([0.25, 0.48])
    assert ts.loc["2025-07-01", ["connected_mw", "free_mw", "non_firm_connected_mw"]].tolist() \
        == pytest.approx([0.315, 0.435, 0.1])


def test_a_first_connection_in_part_is_counted_as_such():
    """The shop, connected in part in 2024, is counted among those connected first in part.

    The key figure counts the shop (other businesses, and all); the bakery, connected whole,
    is not. Without partial offers nobody is. A shop that also takes a non-firm right for
    its rest on the same day counts among the rights instead (the figure says so).
    """
    from sim.runs.summary_table import format_summary

    label = METRICS["connected_in_part"].label
    printed: list[bool] = []

    def in_part(fields: dict) -> dict[str, float]:
        results = run(scenario(**fields), workers=1)
        printed.append(label in format_summary(results))  # a row of its own where any
        metrics = results.replication_metrics
        rows = metrics[metrics["metric"] == "connected_in_part"]
        return rows.set_index("group")["value"].to_dict()

    counted = in_part(shop_world(partial_min_share=0.3))
    assert counted["all"] == counted["other"] == 1.0
    assert in_part(shop_world())["all"] == 0.0
    assert printed == [True, False]
    fields = shop_world(partial_min_share=0.3, non_firm_right="firm_85")
    fields["non_firm"] = {"rights": {"firm_85": {"hours_share": 0.85}},
                          "pools": {"main": {"capacity_mw": 0.5}}}
    assert in_part(fields)["all"] == 0.0
