"""Where applicants come from: Poisson arrivals, distributions, the waiting list."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from sim import run
from sim.errors import InputError
from sim.inputs.applicants import ApplicantTable
from sim.inputs.distributions import (
    Empirical,
    Exponential,
    Fixed,
    Lognormal,
    Triangular,
    Uniform,
    Weibull,
)
from sim.inputs.loading import load_scenario, load_waiting_rows
from sim.inputs.rng import RandomStreams, upgrade_keys
from sim.inputs.scenario import Scenario
from sim.inputs.sources import (
    CSV_KEY,
    _priority,
    arrival_times,
    generate_applicants,
    source_rows,
)
from sim.inputs.waiting_list_csv import WaitingRows
from sim.runs.replication import grid_setup, with_capacity_releases
from tests.builders import project, scenario


def test_arrival_count_is_poisson_with_the_integrated_rate():
    """With 10% growth a year, the mean count over 5 years is the integral of the rate."""
    rng = np.random.default_rng(1)
    counts = [len(arrival_times(100, 0.1, 5.0, rng)) for _ in range(400)]
    expected = 100 * (1.1**5 - 1) / math.log(1.1)
    assert np.mean(counts) == pytest.approx(expected, rel=0.01)
    assert np.var(counts) == pytest.approx(expected, rel=0.2)  # Poisson: variance = mean


def test_arrivals_grow_over_time():
    """Doubling the rate each year puts about two thirds of two years' arrivals in year two."""
    times = arrival_times(1000, 1.0, 2.0, np.random.default_rng(2))
    assert np.all(np.diff(times) >= 0) and times.max() < 2.0
    assert (times >= 1).mean() == pytest.approx(2 / 3, abs=0.02)


FAMILIES = [
    Exponential(dist="exponential", mean=2.0),
    Uniform(dist="uniform", low=1.0, high=3.0),
    Triangular(dist="triangular", low=0.0, mode=1.0, high=5.0),
    Lognormal(dist="lognormal", median=0.4, sigma=0.9),
    Lognormal(dist="lognormal", mean=0.5, sigma=0.9),
    Weibull(dist="weibull", shape=1.5, scale=2.0),
    Empirical(dist="empirical", values=[0.1, 1.0, 5.0], weights=[5, 3, 2]),
]
"""One distribution of each family (the lognormal given both ways)."""


@pytest.mark.parametrize("spec", FAMILIES)
def test_sample_mean_matches_analytic_mean(spec):
    """Each family's samples average to the analytic mean the theory checks rely on."""
    draws = spec.sample(np.random.default_rng(3), 200_000)
    assert draws.mean() == pytest.approx(spec.mean, rel=0.02)


@pytest.mark.parametrize("spec", [
    *FAMILIES, Triangular(dist="triangular", low=0.5, mode=1.0, high=5.0),
    Empirical(dist="empirical", values=[0.1, 1.0, 5.0], weights=[0, 3, 2]),
])
def test_samples_stay_within_the_bounds_each_family_states(spec):
    """The bounds the outline of ``validate`` uses (an upgrade's earliest and latest date)."""
    draws = spec.sample(np.random.default_rng(3), 100_000)
    assert spec.lower_bound <= draws.min() and draws.max() <= spec.upper_bound
    assert draws.min() == pytest.approx(spec.lower_bound, abs=0.02)  # the bound is reached


def test_generated_waiting_list_is_spread_over_past_dates():
    """A generated waiting list of 200 lies between 'earliest' and the start."""
    s = scenario(
        streams={"firms": {"category": "other", "rate_per_year": 10, "demand_mw": 0.5}},
        waiting_list={"count": 200, "earliest": "2022-01-01"},
    )
    table = generate_applicants(s, RandomStreams(s.seed, 0))
    waiting = table.source == "waiting_list"
    assert waiting.sum() == 200
    assert table.request_time[waiting].min() >= s.years_since_start(s.waiting_list.earliest)
    assert table.request_time[waiting].max() <= 0


def test_csv_waiting_list_keeps_rows_and_draws_what_they_leave_out(tmp_path):
    """Rows of a planner's CSV keep their values; a row naming a stream takes its patience."""
    (tmp_path / "list.csv").write_text(
        "name,request_date,category,demand_mw,jobs,stream\n"
        "school A,2023-03-01,basic_needs,0.8,40,\n"
        "depot,2022-12-01,other,1.5,12,firms\n"
    )
    (tmp_path / "s.yaml").write_text(
        "start: 2024-01-01\nend: 2030-01-01\ngrid: {capacity_mw: 1}\n"
        "streams:\n  firms: {category: other, rate_per_year: 0, demand_mw: 1,\n"
        "          patience_years: {dist: exponential, mean: 3}}\n"
        "waiting_list: {csv: list.csv}\n"
    )
    from sim.inputs.loading import load_scenario, load_waiting_rows

    s = load_scenario(tmp_path / "s.yaml")
    table = generate_applicants(s, RandomStreams(s.seed, 0), load_waiting_rows(s))
    assert list(table.name) == ["depot", "school A"]
    assert list(table.demand_mw) == [1.5, 0.8]
    assert np.isfinite(table.patience_years[0]) and np.isinf(table.patience_years[1])


def _listed(tmp_path, rows: str, uptake: str = "") -> np.ndarray:
    """Whether each row of a CSV waiting list asks for priority; its stream moves in 2025."""
    (tmp_path / "list.csv").write_text("request_date,category,demand_mw,stream,"
                                       "priority_requested\n" + rows)
    (tmp_path / "s.yaml").write_text(
        "start: 2024-01-01\nend: 2030-01-01\ngrid: {capacity_mw: 1}\n"
        "streams:\n  utilities: {category: other, rate_per_year: 0, demand_mw: 1,\n"
        "    category_changes: [{date: 2025-01-01, category: safety}]}\n"
        f"waiting_list: {{csv: list.csv}}\n{uptake}")
    from sim.inputs.loading import load_scenario, load_waiting_rows

    s = load_scenario(tmp_path / "s.yaml")
    return generate_applicants(s, RandomStreams(s.seed, 0), load_waiting_rows(s)
                               ).priority_requested


def test_a_listed_row_asks_for_priority_as_its_stream_does(tmp_path):
    """A listed row of a stream that moves into safety asks as the stream's requests do.

    It asks with safety's uptake, and keeps a priority the list states (both were cleared,
    as the row is listed as 'other').
    """
    rows = "2022-01-01,other,1,utilities,\n2022-02-01,other,1,utilities,false\n" \
           "2022-03-01,other,1,utilities,true\n"
    assert _listed(tmp_path, rows).tolist() == [True, False, True]
    assert _listed(tmp_path, rows, "priority_uptake: {safety: 0}\n").tolist() == [
        False, False, True]


def test_a_listed_row_that_never_holds_priority_may_not_ask_for_it(tmp_path):
    """Asking for priority in 'other', with no move out of it, would do nothing: refused."""
    with pytest.raises(InputError, match=r"list.csv:2: priority_requested: expected false or "
                       r"empty: 'other' has no priority to ask for, so asking would do nothing"):
        _listed(tmp_path, "2022-01-01,other,1,,true\n")


def test_projects_keep_their_date_and_size():
    """A named project arrives on its date with its own size and self-supply."""
    s = scenario(projects=[project("campus", "2026-01-01", 20.0, self_supply=0.25,
                                   jobs=1200)])
    table = generate_applicants(s, RandomStreams(s.seed, 0))
    assert table.name[0] == "campus"
    assert table.request_time[0] == s.years_since_start(s.projects[0].date)
    assert table.requested_mw[0] == pytest.approx(15.0)


@pytest.mark.parametrize("uptake", [0.0, 0.3, 1.0])
def test_priority_requests_are_what_the_draws_give(uptake):
    """An uptake of 0 or 1 skips the draws, with the answer the draws would give."""
    s = scenario(priority_uptake={"safety": uptake})
    streams = RandomStreams(s.seed, 0)
    drawn = streams.generator("priority", "key").random(500) < uptake
    np.testing.assert_array_equal(_priority(s, streams, "key", "safety", 500), drawn)


def test_an_upgrade_keeps_its_delay_whichever_other_upgrades_a_variant_has():
    """Delays are drawn by area and upgrade name, not by place in the list.

    Removing one upgrade leaves the delays of the others as they were, so variants stay paired.
    """
    delay = {"dist": "uniform", "low": 0, "high": 1}
    upgrades = [{"name": name, "date": date, "add_mw": 1, "delay_years": delay}
                for name, date in (("take-back", "2025-01-01"), ("station", "2027-01-01"))]
    both = scenario(grid={"capacity_mw": 1, "upgrades": upgrades})
    one = scenario(grid={"capacity_mw": 1, "upgrades": upgrades[1:]})
    times = [grid_setup(s, RandomStreams(s.seed, 3)).steps[-1].time for s in (both, one)]
    assert times[0] == times[1]
    assert upgrade_keys("main", ["a", "b", "a"]) == ["main:a", "main:b", "main:a#2"]


RELEASE = {"name": "review", "start": "2025-01-01", "every_months": 12, "after_years": 0,
           "user_share": 0.5, "mw_share": 0.5}
"""A yearly review of everyone connected: half of them give up half their MW."""


def _gave_up(s: Scenario) -> set[tuple[object, ...]]:
    """Who gave up MW in a run of ``s``: each by replication, source, stream, name and request."""
    frame = run(s, workers=1).applicants
    rows = frame[frame["connected_mw"] < frame["requested_mw"] - 1e-12]
    return set(rows[["replication", "source", "stream", "name", "request_date",
                     "demand_mw"]].itertuples(index=False, name=None))


def test_who_takes_part_in_a_release_stays_whichever_stream_a_variant_adds():
    """An added stream of another category leaves who gives up MW among the others as it was.

    With capacity for everyone, each connects at once and is reviewed once, so who gives up
    MW is who takes part. Participation was drawn by place in the joined table: the schools'
    requests moved every later firm and the campus, and about half of them changed sides,
    which made every paired difference of such a variant needlessly wide.
    """
    world = {"grid": {"capacity_mw": 1000.0}, "replications": 2,
             "streams": {"firms": {"category": "other", "rate_per_year": 40,
                                   "demand_mw": 0.1}},
             "waiting_list": {"count": 10, "earliest": "2022-01-01", "mix": {"firms": 1}},
             "projects": [project("campus", "2026-03-01", 2.0)],
             "capacity_releases": [RELEASE]}
    schools = {"category": "basic_needs", "rate_per_year": 20, "demand_mw": 0.2}
    before = _gave_up(scenario(**world))
    after = _gave_up(scenario(**{**world, "streams": {**world["streams"], "schools": schools}}))
    assert len(before) > 20 and ("project", "project", "campus") in {r[1:4] for r in before}
    assert {r for r in after if r[2] != "schools"} == before
    assert any(r[2] == "schools" for r in after)


def _takes_part(tmp_path: Path, rows: list[str]) -> dict[str, bool]:
    """Whether each row of a CSV waiting list takes part in a release, by its name."""
    (tmp_path / "list.csv").write_text("name,request_date,category,demand_mw\n"
                                       + "".join(f"{row}\n" for row in rows))
    (tmp_path / "s.yaml").write_text(
        "start: 2024-01-01\nend: 2030-01-01\ngrid: {capacity_mw: 1}\n"
        "streams:\n  firms: {category: other, rate_per_year: 5, demand_mw: 1}\n"
        f"waiting_list: {{csv: list.csv}}\ncapacity_releases: [{json.dumps(RELEASE)}]\n")
    s = load_scenario(tmp_path / "s.yaml")
    streams, waiting = RandomStreams(s.seed, 0), load_waiting_rows(s)
    table = generate_applicants(s, streams, waiting)
    grid = with_capacity_releases(grid_setup(s, streams), s, streams, table, waiting)
    listed = table.source == "waiting_list"
    return dict(zip(table.name[listed], grid.reclaims[0].takes_part[listed], strict=True))


def test_a_listed_row_takes_part_by_its_place_in_the_file(tmp_path):
    """A CSV row draws as its other draws do, by its row: rows added below leave it as it was.

    The rows are out of date order and the added ones are older, so they come first in the
    table: a draw by place among the listed applicants would move every row.
    """
    rows = [f"row{i},2023-{1 + (7 * i) % 12:02d}-01,other,0.5" for i in range(16)]
    before = _takes_part(tmp_path, rows)
    after = _takes_part(tmp_path, [*rows, *(f"old{i},2021-0{i + 1}-01,other,0.5"
                                           for i in range(4))])
    assert 0 < sum(before.values()) < len(before)
    assert {name: after[name] for name in before} == before


def test_every_applicant_is_in_one_source_in_its_source_s_order():
    """The sources split the table: each applicant once, each source in request order."""
    s = scenario(streams={"firms": {"category": "other", "rate_per_year": 30, "demand_mw": 0.1},
                          "schools": {"category": "basic_needs", "rate_per_year": 10,
                                      "demand_mw": 0.2}},
                 waiting_list={"count": 8, "earliest": "2022-01-01"},
                 projects=[project("campus", "2026-03-01", 2.0),
                           project("depot", "2025-03-01", 1.0)])
    table = generate_applicants(s, RandomStreams(s.seed, 0))
    parts = dict(source_rows(s, table))
    assert set(parts) == {"firms", "schools", "waiting_list:firms", "waiting_list:schools",
                          "project:campus", "project:depot"}
    joined = np.concatenate(list(parts.values()))
    np.testing.assert_array_equal(np.sort(joined), np.arange(len(table)))
    assert all((np.diff(rows) > 0).all() for rows in parts.values())
    assert (table.stream[parts["firms"]] == "firms").all()
    assert (table.source[parts["waiting_list:schools"]] == "waiting_list").all()


@pytest.mark.parametrize("spec", [
    *FAMILIES, Fixed(value=1.5), Triangular(dist="triangular", low=2.0, mode=2.0, high=2.0),
    Weibull(dist="weibull", shape=0.3, scale=2.0),
    Empirical(dist="empirical", values=[0.1, 1.0, 5.0], weights=[0, 3, 2]),
])
def test_every_family_draws_the_same_first_values_however_many_follow(spec):
    """Each family's first values do not depend on how many follow.

    A waiting-list CSV's row i takes place i of a draw for the whole file, so rows added
    below must not change it.
    """
    first = spec.sample(np.random.default_rng(7), 15)
    np.testing.assert_array_equal(spec.sample(np.random.default_rng(7), 60)[:15], first)


STREAM_DRAWS = """\
    category: other
    rate_per_year: 1
    demand_mw: 1
    patience_years: {dist: exponential, mean: MEAN}
    HELD
    onsite_generation: {share: 0.5, cover: {dist: uniform, low: 0.1, high: 0.6}}
    efficiency: {dist: uniform, low: 0, high: 1}
    non_firm: {right: firm_85, accept_share: 0.5, keep_firm_place_share: 0.5}
"""
"""What a stream's listed rows may draw, but for how long they hold what they get (HELD)."""

PARTIAL = "partial_offer: {min_share: 0.4, accept_share: 0.5}"
LIFETIME = "lifetime_years: {dist: uniform, low: 1, high: 3}"

LISTED_WORLD = f"""\
start: 2024-01-01
end: 2030-01-01
grid: {{capacity_mw: 1}}
policy: {{order: social_priority, within_category: {{other: efficiency}}}}
priority_uptake: {{basic_needs: 0.5}}
non_firm:
  rights: {{firm_85: {{hours_share: 0.85}}}}
  pools: {{main: {{capacity_mw: 0.5}}}}
streams:
  firms:
{STREAM_DRAWS.replace("MEAN", "3").replace("HELD", PARTIAL)}\
  depots:
{STREAM_DRAWS.replace("MEAN", "6").replace("HELD", PARTIAL)}\
  rentals:
{STREAM_DRAWS.replace("MEAN", "3").replace("HELD", LIFETIME)}\
waiting_list:
  csv: list.csv
  patience_years: {{dist: weibull, shape: 0.8, scale: 4}}
  efficiency: {{dist: uniform, low: 0, high: 2}}
  partial_offer: {{min_share: 0.6, accept_share: 0.3}}
  non_firm: {{right: firm_85, accept_share: 0.4, keep_firm_place_share: 0.5}}
capacity_releases: [{json.dumps(RELEASE)}]
"""
"""A world in which a waiting-list CSV's rows draw everything a row can leave out."""

DRAWN = ("patience_years", "lifetime_years", "self_supply", "partial_min_share",
         "priority_requested", "efficiency", "non_firm_right", "keeps_firm_place")
"""What a CSV row may leave to the draws."""


def _listed_rows(count: int, streams: tuple[str, ...] = ("firms", "depots", "rentals", "")
                 ) -> list[str]:
    """``count`` CSV rows out of date order, by name, of the given streams in turn."""
    return [f"row{i},2023-{1 + (7 * i) % 12:02d}-{1 + i % 28:02d},"
            f"{'basic_needs' if i % 3 == 2 else 'other'},0.5,{streams[i % len(streams)]}"
            for i in range(count)]


def _listed_world(tmp_path: Path, rows: list[str]
                  ) -> tuple[Scenario, RandomStreams, WaitingRows, ApplicantTable]:
    """The scenario of :data:`LISTED_WORLD` with ``rows`` as its CSV, and replication 0's table."""
    (tmp_path / "list.csv").write_text("name,request_date,category,demand_mw,stream\n"
                                       + "".join(f"{row}\n" for row in rows))
    (tmp_path / "s.yaml").write_text(LISTED_WORLD)
    s = load_scenario(tmp_path / "s.yaml")
    streams, waiting = RandomStreams(s.seed, 0), load_waiting_rows(s)
    assert waiting is not None
    return s, streams, waiting, generate_applicants(s, streams, waiting)


def _listed_draws(tmp_path: Path, rows: list[str]) -> dict[str, tuple[object, ...]]:
    """Each CSV row's drawn values and whether it takes part in the release, by its name."""
    s, streams, waiting, table = _listed_world(tmp_path, rows)
    takes_part = with_capacity_releases(grid_setup(s, streams), s, streams, table,
                                        waiting).reclaims[0].takes_part
    listed = np.flatnonzero(table.source == "waiting_list")
    return {str(table.name[i]): (*(getattr(table, column)[i].item() for column in DRAWN),
                                 bool(takes_part[i])) for i in listed}


def test_rows_added_to_a_listed_file_leave_every_earlier_row_s_draws(tmp_path):
    """Rows added to a waiting-list file leave the draws of the rows before them.

    Each earlier row keeps its patience, lifetime, on-site share, partial and non-firm
    acceptance, priority request, score and release participation.

    The added rows are older, so they come first in the table: a draw by place in the
    table, or two draws of the whole file one after the other, would move every row.
    """
    rows = _listed_rows(30)
    before = _listed_draws(tmp_path, rows)
    after = _listed_draws(tmp_path, [*rows, *(f"old{i},2021-0{i + 1}-01,basic_needs,0.5,"
                                            for i in range(6))])
    assert {name: after[name] for name in before} == before
    for column, values in zip((*DRAWN, "takes_part"), zip(*before.values(), strict=True),
                              strict=True):
        assert len(set(values)) > 1, column  # each draw tells rows apart


def test_another_stream_for_one_listed_row_changes_no_other_row_s_draws(tmp_path):
    """A row moved to another stream leaves the others' draws, and keeps its random numbers.

    Its patience, exponential with twice the mean, is twice what it was.
    """
    rows = _listed_rows(30)
    before = _listed_draws(tmp_path, rows)
    assert rows[4].endswith(",firms")
    moved = [*rows[:4], rows[4].replace(",firms", ",depots"), *rows[5:]]
    after = _listed_draws(tmp_path, moved)
    assert {name: v for name, v in after.items() if name != "row4"} == {
        name: v for name, v in before.items() if name != "row4"}
    assert after["row4"][0] == pytest.approx(2 * before["row4"][0])
    assert after["row4"][1:] == before["row4"][1:]  # the other specifications are alike


def test_a_listed_row_draws_place_i_of_its_purpose_s_draw_for_the_file(tmp_path):
    """Row i's patience is place i of one draw for the file, keyed by the purpose alone.

    Rows of streams with the same patience share the draw; a patience of twice the mean
    doubles it. The release's draws for the file's rows come in the file's order too.
    """
    rows = _listed_rows(12)
    s, streams, waiting, table = _listed_world(tmp_path, rows)
    parts = dict(source_rows(s, table, waiting))
    in_file_order = parts[CSV_KEY]
    assert list(table.name[in_file_order]) == [row.split(",")[0] for row in rows]
    expected = Exponential(dist="exponential", mean=3).sample(
        streams.generator("patience", CSV_KEY), len(rows))
    patience = table.patience_years[in_file_order]
    firms, depots = np.arange(len(rows)) % 4 % 2 == 0, np.arange(len(rows)) % 4 == 1
    np.testing.assert_array_equal(patience[firms], expected[firms])  # firms and rentals
    np.testing.assert_allclose(patience[depots], 2 * expected[depots])


def test_a_table_read_from_a_csv_list_needs_its_rows_to_key_its_draws(tmp_path: Path):
    """Without the rows, a CSV list's draws would silently be keyed as a generated list's."""
    (tmp_path / "list.csv").write_text("request_date,category,demand_mw\n2020-01-01,other,1\n")
    (tmp_path / "s.yaml").write_text(
        "start: 2024-01-01\nend: 2026-01-01\ngrid: {capacity_mw: 3}\n"
        "waiting_list: {csv: list.csv}\n")
    scenario = load_scenario(tmp_path / "s.yaml")
    rows = load_waiting_rows(scenario)
    table = generate_applicants(scenario, RandomStreams(1, 0), rows)
    assert [key for key, _ in source_rows(scenario, table, rows)] == [CSV_KEY]
    with pytest.raises(ValueError, match="pass its rows"):
        source_rows(scenario, table)
