"""gridqueue validate prints what will actually run, then its ok line."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from sim import load_scenario
from sim.cli import main
from sim.policies.timeline import PolicyPeriod
from sim.report.assumptions import assumptions
from tests.test_overrides import HISTORY


def test_validate_prints_the_effective_scenario(tmp_path: Path, capsys):
    """Policy periods, capacity with upgrade ranges, stream MW/year, CSV rows, projects, ok."""
    (tmp_path / "waiting.csv").write_text(
        "request_date,category,demand_mw\n2021-05-01,other,0.5\n2021-06-01,safety,1.5\n",
        encoding="utf-8")
    path = tmp_path / "history.yaml"
    path.write_text(HISTORY + textwrap.dedent("""\
        waiting_list: {csv: waiting.csv}
        onsite_generation: {share: 0.5, cover: 0.2}
        """), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:5] == [
        "policy:",
        "  2022-01-01 to 2023-01-01: fifo, first_fit allocation",
        "  2023-01-01 to 2024-06-01: social_priority, first_fit allocation, categories "
        "congestion_relief > safety > basic_needs > other",
        "  2024-06-01 to 2026-01-01: social_priority, strict allocation, categories "
        "congestion_relief > safety > basic_needs > other",
    ]
    assert "  main: 1 MW at the start, 6 MW after 1 upgrade" in lines
    assert "    + 5 MW arriving between 2023-06-01 and 2024-05-31: station" in lines
    # 5 requests/year x mean 0.4 x exp(0.5**2 / 2) MW x (1 - 0.5 x 0.2) on-site generation
    basic = next(line for line in lines if line.startswith("  basic (basic_needs)"))
    assert ("5 requests/year x 0.45 MW = 2.27 MW/year of demand, 2.04 MW/year asked after "
            "on-site generation (50% of them cover 20%") in basic
    assert "    basic_needs: 5 requests/year, 2.04 MW/year" in lines
    assert ("waiting list at the start: 2 rows read from waiting.csv, 2 MW demand: 1 safety, "
            "1 other") in lines
    assert "  Depot: other, 0.5 MW asked (0.5 MW demand) on 2023-03-01, 40 jobs" in lines
    assert lines[-1].startswith(f"{path}: ok - 'fifo', 2022-01-01 to 2026-01-01")


def test_validate_lists_the_named_rows_of_a_waiting_list_csv(tmp_path: Path, capsys):
    """Named rows are followed as projects in every output: validate lists them, and the mix.

    It said only "3 rows read from waiting.csv, 3.5 MW demand", so the firms a planner named
    on the list, and the categories the rows were read in, could not be checked before a run.
    """
    (tmp_path / "waiting.csv").write_text(
        "name,request_date,category,demand_mw,jobs\nFish auction,2021-03-01,other,2.5,80\n"
        ",2021-06-01,other,0.5,\nSchool,2021-09-01,basic_needs,0.5,25\n", encoding="utf-8")
    path = tmp_path / "history.yaml"
    path.write_text(HISTORY + "waiting_list: {csv: waiting.csv}\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("waiting list at the start: 3 rows read from waiting.csv, 3.5 MW demand: "
                     "1 basic_needs, 2 other")
    assert lines[at + 1:at + 4] == [
        "named rows of the waiting list:",
        "  Fish auction: other, 2.5 MW demand, asked 2021-03-01, 80 jobs",
        "  School: basic_needs, 0.5 MW demand, asked 2021-09-01, 25 jobs"]
    # A list naming every firm is cut after twenty, saying how many more it names.
    (tmp_path / "waiting.csv").write_text("name,request_date,category,demand_mw\n" + "".join(
        f"Firm {k},2021-03-01,other,0.5\n" for k in range(22)), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("named rows of the waiting list:")
    assert lines[at + 20:at + 22] == [
        "  Firm 19: other, 0.5 MW demand, asked 2021-03-01, 0 jobs", "  and 2 more"]
    assert not lines[at + 22].startswith("  ")  # the list ends there


def test_validate_and_the_report_write_a_named_rows_mw_alike(tmp_path: Path, capsys):
    """A named row's MW as its CSV gives it, in validate and in the report's assumptions.

    validate wrote 1.23456 MW as '1.23', the report's assumptions as '1.23456'.
    """
    (tmp_path / "waiting.csv").write_text(
        "name,request_date,category,demand_mw\nFish auction,2021-03-01,other,1.23456\n",
        encoding="utf-8")
    path = tmp_path / "history.yaml"
    path.write_text(HISTORY + "waiting_list: {csv: waiting.csv}\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert ("  Fish auction: other, 1.23456 MW demand, asked 2021-03-01, 0 jobs"
            in capsys.readouterr().out.splitlines())
    named = assumptions(load_scenario(path))["Named projects"].items
    assert any(item.startswith("Fish auction (waiting list) (other): 1.23456 MW demand,")
               for item in named), named


def test_validate_writes_a_product_equal_to_what_it_multiplies(capsys):
    """'5 requests/year x 0.46 MW = 2.14 MW/year asked' read as a wrong multiplication.

    With on-site generation, what is asked is less than the requests times their size: the
    product is the demand, and the MW asked after on-site generation follow it. A stream
    that generates nothing on site (storage here) reads as before.
    """
    path = Path(__file__).resolve().parents[1] / "scenarios/flevoland/fifo_onsite.yaml"
    assert main(["validate", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert ("  safety (safety): 5 requests/year x 0.46 MW = 2.3 MW/year of demand, 2.14 MW/year "
            "asked after on-site generation (35% of them cover 20% on average)") in lines
    assert "  storage (congestion_relief): 12 requests/year x 2 MW = 24 MW/year asked" in lines


def test_validate_counts_homes_and_leaves_later_streams_out_of_the_start(capsys):
    """A stream of homes asks demand_mw per home times the homes per request.

    One starting later is named with its start and left out of the rates at the start.
    """
    housing = Path(__file__).resolve().parents[1] / "scenarios/flevoland/housing.yaml"
    assert main(["validate", str(housing)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # 12 requests/year x uniform(50, 250) homes, mean 150, x 0.002 MW a home = 3.6 MW/year
    assert ("  new_homes (basic_needs, from 2026-10-01): 12 requests/year x 150 homes x "
            "0.002 MW = 3.6 MW/year asked") in lines
    at_start = lines.index("  per category, at the start:")
    basic = next(line for line in lines[at_start:] if line.startswith("    basic_needs:"))
    assert basic == "    basic_needs: 29 requests/year, 12.4 MW/year"  # without new_homes


def test_validate_leaves_out_the_rates_at_the_start_where_no_stream_asks_then(
        tmp_path: Path, capsys):
    """A heading 'per category, at the start:' stood over nothing when every stream came later."""
    path = tmp_path / "later.yaml"
    path.write_text("start: 2024-01-01\nend: 2030-01-01\ngrid: {capacity_mw: 1}\nstreams:\n"
                    "  late: {category: other, rate_per_year: 2, demand_mw: 1, "
                    "period: {start: 2026-01-01}}\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "late (other, from 2026-01-01): 2 requests/year" in out
    assert "per category, at the start:" not in out


def test_validate_ranks_with_a_custom_policy_before_any_run(capsys):
    """A policy that fails while ranking fails validate, with the run's one-line message."""
    broken = Path(__file__).resolve().parent / "bad_inputs" / "policy_sort_key_raises.yaml"
    assert main(["validate", str(broken)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the queue policy 'broken_policies:Raises' failed while ranking " \
        "applicants (ZeroDivisionError" in err[0]


def test_validate_names_each_period_s_rounds_and_parameters(capsys):
    """What each period applies: its rounds (at other dates, another policy) and parameters."""
    family = Path(__file__).resolve().parent.parent / "scenarios" / "flevoland"
    assert main(["validate", str(family / "rounds_2027.yaml"), "--set",
                 "policy.changes.2.rounds.dates=[2030-01-01]"]) == 0
    out = capsys.readouterr().out
    assert ("2026-07-01 to 2036-12-31: social_priority, rounds allocation (1 round on "
            "2030-01-01, first_fit; between rounds: congestion_relief, safety, basic_needs), "
            "categories") in out
    assert main(["validate", str(family / "rounds_2027.yaml")]) == 0
    assert "rounds allocation (10 rounds from 2027-01-01 to 2036-01-01, first_fit; " \
        in capsys.readouterr().out
    period = PolicyPeriod(dt.date(2024, 1, 1), dt.date(2025, 1, 1), "mine:Capped", "strict",
                          None, {"cap_mw": 2})
    assert period.describe() == ("2024-01-01 to 2025-01-01: mine:Capped, strict allocation, "
                                 "params {'cap_mw': 2}")


def test_an_upgrade_delayed_past_the_end_counts_for_nothing(tmp_path: Path, capsys):
    """Delayed by at least three years from mid-2023, the station comes after the 2026 end.

    The capacity line counted it, and its window was cut at the end as if it might come.
    """
    path = tmp_path / "history.yaml"
    path.write_text(HISTORY, encoding="utf-8")
    assert main(["validate", str(path), "--set",
                 "grid.upgrades.0.delay_years={dist: uniform, low: 3, high: 4}"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "  main: 1 MW at the start, 1 MW after 0 upgrades (1 more only after the end)" \
        in lines
    assert ("    + 5 MW at the earliest on 2026-05-31, after the end (2026-01-01), so it adds "
            "nothing in this run: station") in lines



def test_an_upgrade_on_the_end_date_is_not_said_to_come_after_the_same_date(tmp_path: Path,
                                                                              capsys):
    """Delayed to noon of the end date, the station read "2026-01-01 ..., after end (2026-01-01)".

    The run stops as its end date begins, so the upgrade adds nothing: said in those words,
    the same in validate's outline and in the warning run gives, which worded it otherwise.
    """
    path = tmp_path / "history.yaml"
    path.write_text(HISTORY, encoding="utf-8")
    assert main(["validate", str(path), "--set", "grid.upgrades.0.delay_years=2.5887"]) == 0
    captured = capsys.readouterr()
    said = ("at the earliest on the end date (2026-01-01), where the run stops as that day "
            "begins, so it adds nothing in this run")
    assert f"    + 5 MW {said}: station" in captured.out.splitlines()
    assert f"grid.upgrades.0 (station) comes {said}" in captured.err


def test_an_upgrade_s_window_starts_at_its_shortest_delay(tmp_path: Path, capsys):
    """A delay of one to two years from mid-2023: the station comes from mid-2024, not 2023.

    A fixed delay is one day. Both once read from the date given, as if it might come then.
    """
    path = tmp_path / "history.yaml"
    path.write_text(HISTORY, encoding="utf-8")
    assert main(["validate", str(path), "--set",
                 "grid.upgrades.0.delay_years={dist: uniform, low: 1, high: 2}"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "    + 5 MW arriving between 2024-05-31 and 2025-05-31: station" in lines
    assert main(["validate", str(path), "--set", "grid.upgrades.0.delay_years=2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "    + 5 MW on 2025-05-31: station" in lines

EDGES = """\
name: edges
start: 2022-01-01
end: 2026-01-01
seed: 1
replications: 2
grid:
  areas:
    north:
      capacity_mw: 2
      upgrades:
        - {name: cable, date: 2023-06-01, add_mw: 3, delay_years: {dist: exponential, mean: 0.5}}
        - {name: feeder, date: 2024-03-01, add_mw: 1, same_delay_as: cable}
    south: {capacity_mw: 1}
  upstream:
    capacity_mw: 2.5
    upgrades:
      - {name: station, date: 2024-01-01, add_mw: 4}
streams: {}
non_firm:
  rights: {flex: {hours_share: 0.5}}
  pools: {north: {capacity_mw: 1.0}}
policy: {order: social_priority, within_category: {other: efficiency}}
projects:
  - {name: Plant, date: 2022-06-01, demand_mw: 1.2, jobs: 30, area: north,
     partial_min_share: 0.25}
  - {name: Hub, date: 2022-07-01, demand_mw: 0.6, jobs: 5, area: north, non_firm_right: flex,
     keep_firm_place: false}
  - {name: Lab, date: 2022-08-01, demand_mw: 0.3, jobs: 8, area: north, non_firm_right: flex,
     efficiency: 0.7}
"""


def test_validate_shows_upstream_open_ended_delays_and_each_project_s_own_settings(
    tmp_path: Path, capsys
):
    """What changes a project's course is on its line; the shared upstream is a capacity too.

    An exponential delay has no latest date: the line says so rather than give a range.
    """
    path = tmp_path / "edges.yaml"
    path.write_text(EDGES, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    capacity = lines.index("capacity:")
    assert lines[capacity + 1:lines.index("arrival streams (expected, from the inputs):") + 2] == [
        "  north: 2 MW at the start, 6 MW after 2 upgrades",
        "    + 3 MW from 2023-06-01, delayed by 0.5 years on average (no upper bound): cable",
        "    + 1 MW from 2024-03-01, delayed by 0.5 years on average (no upper bound; the same "
        "delay as cable): feeder",
        "  south: 1 MW at the start, 1 MW after 0 upgrades",
        "  upstream (shared): 2.5 MW at the start, 6.5 MW after 1 upgrade",
        "    + 4 MW on 2024-01-01: station",
        "non-firm rights: flex (50% of the hours); each pool offered in the queue policy's "
        "order while a request fits",
        "  pool north: 1 MW at the start, 1 MW after 0 upgrades",
        "arrival streams (expected, from the inputs):",
        "  none",
    ]
    assert "waiting list at the start: none" in lines
    assert lines[lines.index("named projects:") + 1:-1] == [
        "  Plant: other, 1.2 MW asked (1.2 MW demand) on 2022-06-01, 30 jobs, area north, "
        "takes parts down to 25% of its request",
        "  Hub: other, 0.6 MW asked (0.6 MW demand) on 2022-07-01, 5 jobs, area north, "
        "accepts non-firm right flex and then leaves the firm queue",
        "  Lab: other, 0.3 MW asked (0.3 MW demand) on 2022-08-01, 8 jobs, area north, "
        "accepts non-firm right flex, efficiency 0.7",
    ]


def test_validate_says_when_a_generated_waiting_list_was_requested(tmp_path: Path, capsys):
    """Without latest, the generated list's requests run up to the start."""
    path = tmp_path / "edges.yaml"
    path.write_text(EDGES, encoding="utf-8")
    assert main(["validate", str(path), "--set", "streams={firms: {category: other, "
                 "rate_per_year: 4, demand_mw: 0.2, area: south}}", "--set",
                 "waiting_list={count: 12, earliest: 2020-01-01}"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert ("waiting list at the start: 12 generated, requested from 2020-01-01 to 2022-01-01: "
            "100% other; all in south") in lines
    assert "    other: 4 requests/year, 0.8 MW/year" in lines


def test_validate_says_whom_a_generated_waiting_list_holds(capsys):
    """areas.yaml's 50 listed applicants are all Lelystad's, which the outline never said.

    Its mix draws them from Lelystad's streams only: the backlog of a year that Lelystad starts
    with. Each category's share of them is said, and each area's where there are several.
    """
    # mix 2.6 storage, 1.1 safety, 6.3 basic needs, 43.8 others, of 53.8
    assert ("waiting list at the start: 50 generated, requested from 2021-11-01 to 2022-11-16: "
            "5% congestion_relief, 2% safety, 12% basic_needs, 81% other; all in lelystad"
            ) in _outline_of("areas", capsys)


def test_validate_writes_large_sizes_and_rates_without_an_exponent(tmp_path: Path, capsys):
    """A stream of 150 MW requests read '1.5e+02 MW', its 3,750 MW a year '3.75e+03'."""
    (tmp_path / "history.yaml").write_text(HISTORY, encoding="utf-8")
    path = tmp_path / "big.yaml"
    path.write_text(textwrap.dedent("""\
        extends: history.yaml
        streams:
          campuses: {category: other, rate_per_year: 25, demand_mw: 150}
        """), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "e+" not in out
    assert "  campuses (other): 25 requests/year x 150 MW = 3,750 MW/year asked" in out


def _outline_of(name: str, capsys) -> list[str]:
    path = Path(__file__).resolve().parents[1] / f"scenarios/flevoland/{name}.yaml"
    assert main(["validate", str(path)]) == 0
    return capsys.readouterr().out.splitlines()


def test_validate_names_the_2026_mechanisms_a_scenario_sets(capsys):
    """Each mechanism of 2026 a scenario sets gets a line, as the rest of what will run.

    Non-firm pools and offers, partial offers, capacity releases, category changes and
    priority on request: a planner checks them before a run.
    """
    lines = _outline_of("non_firm", capsys)
    assert ("non-firm rights: firm_85 (85% of the hours), time_blocks (50% of the hours); each "
            "pool offered in the queue policy's order while a request fits") in lines
    assert "  pool main: 0 MW at the start, 50 MW after 1 upgrade" in lines
    storage = lines.index("  storage (congestion_relief): 12 requests/year x 2 MW = 24 MW/year "
                          "asked")
    assert lines[storage + 1] == ("    80% accept non-firm right time_blocks while they wait; "
                                  "50% of those keep their place in the firm queue")
    # 50%, 90% and 80% in base.yaml; the policy section, as it acts only where priority is served
    uptake = ("  priority asked for by 50% of congestion_relief, 90% of safety, 80% of "
              "basic_needs (the rest queue in other where a policy serves priority)")
    assert lines.index(uptake) < lines.index("capacity:")
    # fifo.yaml states the same shares for its children; under fifo alone they change no wait
    assert ("  priority asked for by 50% of congestion_relief, 90% of safety, 80% of "
            "basic_needs (no policy in force serves priority here, so it changes no wait)"
            ) in _outline_of("fifo", capsys)

    logistics = _outline_of("partial_offers", capsys)
    at = next(i for i, line in enumerate(logistics) if line.startswith("  logistics (other)"))
    assert logistics[at + 1] == "    50% take a part of their request, down to 40% of it"

    # reviews on 1 Jan 2026 to 1 Jan 2036, before the end on 31 Dec 2036; 500 x 0.1 x 0.3 = 15
    assert ("  capacity-limiting contracts (every area): 11 reviews from 2026-01-01, every 12 "
            "months; each user is reviewed once, 10% of them giving up 30% of their MW; at the "
            "first, also 500 MW of users connected before the start (15 MW freed)"
            ) in _outline_of("capacity_limiting", capsys)

    # after_years 1: a year, as the report says it ('connected at least 1 years' before)
    assert ("  use-it-or-lose-it (every area): 12 reviews from 2025-07-01, every 12 months; "
            "each user connected at least 1 year is reviewed once, 5% of them giving up 50% of "
            "their MW; at the first, also 500 MW of users connected before the start (12.5 MW "
            "freed)") in _outline_of("use_it_or_lose_it", capsys)

    framework = _outline_of("framework_2026", capsys)
    at = next(i for i, line in enumerate(framework) if line.startswith("  utilities (other)"))
    assert framework[at + 1] == "    in safety from 2026-01-01"


def test_validate_leaves_out_what_a_scenario_does_not_set(capsys):
    """fifo.yaml has no mechanisms of 2026: none of their headings or lines."""
    text = "\n".join(_outline_of("fifo", capsys))
    for words in ("non-firm", "capacity released", "take a part", "accept non-firm"):
        assert words not in text


def test_validate_names_the_offers_to_waiting_list_rows_without_a_stream(tmp_path: Path, capsys):
    """The waiting list's own partial offer reaches the rows that name no stream: said so."""
    (tmp_path / "waiting.csv").write_text(
        "request_date,category,demand_mw\n2021-05-01,other,0.5\n", encoding="utf-8")
    path = tmp_path / "history.yaml"
    path.write_text(HISTORY + "waiting_list: {csv: waiting.csv, partial_offer: "
                    "{min_share: 0.5, accept_share: 0.3}}\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("waiting list at the start: 1 row read from waiting.csv, 0.5 MW demand: "
                     "1 other")
    assert lines[at + 1] == ("  rows naming no stream: 30% take a part of their request, down "
                             "to 50% of it")


def test_validate_leaves_out_the_offers_rights_and_pools_set_aside(capsys):
    """An inherited offer nobody accepts any more is set aside, and so is what it alone made.

    With storage's accept_share set to 0, its offer, the time_blocks right only it made, and
    then (logistics and manufacturing set to 0 too) the rights and pool nobody can take are
    set aside with a warning: the outline named them beside the warning, "0% accept" and all.
    """
    path = Path(__file__).resolve().parents[1] / "scenarios/flevoland/non_firm.yaml"
    assert main(["validate", str(path), "--set",
                 "streams.storage.non_firm.accept_share=0"]) == 0
    out = capsys.readouterr().out
    assert ("non-firm rights: firm_85 (85% of the hours); each pool offered in the queue "
            "policy's order while a request fits") in out.splitlines()
    assert "0% accept" not in out and "time_blocks" not in out
    assert main(["validate", str(path), *(
        arg for stream in ("storage", "logistics", "manufacturing")
        for arg in ("--set", f"streams.{stream}.non_firm.accept_share=0"))]) == 0
    out = capsys.readouterr().out
    assert "non-firm" not in out and "pool main" not in out and "0% accept" not in out
    partial = Path(__file__).resolve().parents[1] / "scenarios/flevoland/partial_offers.yaml"
    assert main(["validate", str(partial), "--set",
                 "streams.logistics.partial_offer.accept_share=0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  logistics (other)"))
    assert lines[at + 1].startswith("  manufacturing (other)")
    assert "    0% take a part of their request, down to 40% of it" not in lines


def test_an_uptake_rounds_do_not_serve_is_said_to_change_no_wait(tmp_path, capsys):
    """Under fifo with rounds serving safety alone, basic needs' priority serves nobody.

    The outline said of every share 'the rest queue in other where a policy serves
    priority', as though asking moved a school up.
    """
    path = tmp_path / "rounds.yaml"
    path.write_text(
        "start: 2024-01-01\nend: 2030-01-01\ngrid: {capacity_mw: 3}\nstreams:\n"
        "  safety: {category: safety, rate_per_year: 3, demand_mw: 0.4}\n"
        "  schools: {category: basic_needs, rate_per_year: 5, demand_mw: 0.4}\n"
        "policy: {order: fifo, allocation: rounds, rounds: {dates: [2025-01-01], "
        "fit: first_fit, between_rounds: [safety]}}\n"
        "priority_uptake: {safety: 0.5, basic_needs: 0.2}\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert ("  priority asked for by 50% of safety, 20% of basic_needs (the rest queue in other "
            "where a policy serves priority; no policy or round in force serves that of "
            "basic_needs, so there it changes no wait)") in capsys.readouterr().out.splitlines()
    # Schools that become safety applicants are served between rounds: their asking counts.
    moved = path.read_text(encoding="utf-8").replace(
        "demand_mw: 0.4}\npolicy", "demand_mw: 0.4, category_changes: [{date: 2024-06-01, "
        "category: safety}]}\npolicy")
    path.write_text(moved, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert ("  priority asked for by 50% of safety, 20% of basic_needs (the rest queue in other "
            "where a policy serves priority)") in capsys.readouterr().out.splitlines()
