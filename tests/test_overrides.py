"""Overrides that say what they do: the policy schedule rule, shadowed settings, removal."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import pytest

from sim import InputError, QueuePolicy, Results, load_scenario, run, sweep
from sim.cli import main
from sim.errors import GridqueueWarning
from sim.inputs.yaml_source import parse_override
from tests.comparison_family import FIFO

HISTORY = FIFO + textwrap.dedent("""\
    policy:
      order: fifo
      allocation: first_fit
      changes:
        - {date: 2023-01-01, order: social_priority,
           category_order: [congestion_relief, safety, basic_needs, other]}
        - {date: 2024-06-01, allocation: strict}
    projects:
      - {name: Campus, date: 2022-06-01, demand_mw: 0.8, jobs: 300}
      - {name: Depot, date: 2023-03-01, demand_mw: 0.5, jobs: 40}
    """)
ORDER = ["safety", "congestion_relief", "basic_needs", "other"]


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "history.yaml"
    path.write_text(HISTORY.replace("name: fifo", "name: history"), encoding="utf-8")
    return path


def child(folder: Path, text: str, name: str = "child.yaml") -> Path:
    path = folder / name
    path.write_text("extends: history.yaml\n" + textwrap.dedent(text), encoding="utf-8")
    return path


def quiet_load(path: Path, overrides: list[str] | None = None):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        return load_scenario(path, overrides)


def test_a_child_order_replaces_the_inherited_schedule(history: Path):
    """policy.order in a child file applies throughout, and a warning says what it replaced."""
    path = child(history.parent, "policy: {order: smallest_first}\n")
    with pytest.warns(GridqueueWarning, match=r"child.yaml:2: policy.order .*policy.changes "
                      r"\(2 change\(s\) from 2023-01-01\)"):
        scenario = load_scenario(path)
    assert scenario.policy.changes == []
    assert [r.order for _, r in scenario.policy.regimes()] == ["smallest_first"]
    assert scenario.policy.allocation == "first_fit"  # other keys still merge


def test_a_set_order_replaces_the_inherited_schedule(history: Path):
    """--set policy.order=X means X for the whole period, as in a child file."""
    with pytest.warns(GridqueueWarning, match="--set/--vary: policy.order"):
        scenario = load_scenario(history, ["policy.order=social_priority"])
    assert scenario.policy.changes == []


def test_an_order_given_with_changes_keeps_them(history: Path):
    """A file or --set that gives policy.changes itself keeps its schedule.

    A file's list replaces the inherited one whole, an order beside it or not: the inherited
    change it leaves out (by date) is named; given again, none is.
    """
    path = child(history.parent, """\
        policy:
          order: smallest_first
          changes: [{date: 2023-01-01, order: fifo}]
        """)
    with pytest.warns(GridqueueWarning, match=r"child.yaml:4: policy.changes replaces the "
                      r"inherited schedule whole, dropping the change\(s\) from 2024-06-01;"):
        scenario = load_scenario(path)
    assert [r.order for _, r in scenario.policy.regimes()] == ["smallest_first", "fifo"]
    path = child(history.parent, """\
        policy:
          order: smallest_first
          changes: [{date: 2023-01-01, order: fifo}, {date: 2024-06-01, allocation: strict}]
        """)
    assert [r.order for _, r in quiet_load(path).policy.regimes()] == \
        ["smallest_first", "fifo", "fifo"]
    # An option's list replaces the inherited one whole too, and says what it drops, as a
    # file's does; it replaced it without a word.
    with pytest.warns(GridqueueWarning, match=r"--set policy.changes=\[\{date: 2024-01-01, "
                      r"order: fifo\}\]: replaces policy.changes whole, dropping 2 of its 2 "
                      r"policy changes: 2023-01-01, 2024-06-01"):
        scenario = load_scenario(history, ["policy.order=smallest_first",
                                           "policy.changes=[{date: 2024-01-01, order: fifo}]"])
    assert [r.order for _, r in scenario.policy.regimes()] == ["smallest_first", "fifo"]
    quiet_load(history, ["policy.changes=[{date: 2023-01-01, order: fifo}, "  # given again
                         "{date: 2024-06-01, order: fifo}]"])
    # An empty list says no schedule is wanted: nothing to warn of.
    path = child(history.parent, "policy:\n  order: smallest_first\n  changes: []\n")
    assert [r.order for _, r in quiet_load(path).policy.regimes()] == ["smallest_first"]


def test_an_option_that_replaces_a_list_names_what_it_drops(history: Path):
    """--set projects=[...] drops the projects it leaves out, as a file's list does: said."""
    with pytest.warns(GridqueueWarning, match=r"--set projects=\[\{name: Campus, .*\}\]: "
                      r"replaces projects whole, dropping 1 of its 2 projects: 'Depot'; to "
                      r"change one, set its own key instead \(--set projects.N.<key>=...\)"):
        scenario = load_scenario(history, [
            "projects=[{name: Campus, date: 2022-06-01, demand_mw: 0.5, jobs: 300}]"])
    assert [project.name for project in scenario.projects] == ["Campus"]
    quiet_load(history, ["projects=[]"])  # none wanted, plainly
    quiet_load(history, ["projects.1.demand_mw=0.4"])  # one changed, the list kept


def test_a_category_order_that_acts_nowhere_is_an_error(history: Path):
    """A category order shadowed by an inherited change, with only fifo before it, is refused."""
    with pytest.raises(InputError) as error:
        load_scenario(history, [f"policy.category_order=[{','.join(ORDER)}]"])
    message = str(error.value)
    assert message.startswith("--set policy.category_order=")
    assert "policy.changes.0.category_order (" in message and "history.yaml:" in message
    assert "changes nothing" in message
    path = child(history.parent, f"policy: {{category_order: [{', '.join(ORDER)}]}}\n")
    with pytest.raises(InputError, match=r"child.yaml:2: policy.category_order: changes "
                       r"nothing: policy.changes.0.category_order"):
        load_scenario(path)


def test_cli_refuses_a_shadowed_setting_with_exit_2(history: Path, capsys):
    """The command line prints one line naming the option and the shadowing key; exit 2."""
    code = main(["validate", str(history), "--set",
                 f"policy.category_order=[{','.join(ORDER)}]"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "policy.changes.0.category_order" in err


IGNORES_CATEGORIES = """\
from sim import QueuePolicy


class Largest(QueuePolicy):
    uses_category_order = False

    def sort_key(self, applicant):
        return (-applicant.requested_mw,)
"""


@pytest.mark.parametrize("command", ["validate", "run", "compare"])
def test_a_category_order_no_policy_uses_is_refused(command: str, tmp_path: Path, capsys):
    """A category order under fifo: validate, run and compare refuse it, in one line."""
    path = tmp_path / "fifo.yaml"
    path.write_text(FIFO, encoding="utf-8")
    output = ["-o", str(tmp_path / "out")] if command != "validate" else []
    others = [str(path)] if command == "compare" else []
    code = main([command, str(path), *others, *output, "--set",
                 f"policy.category_order=[{','.join(ORDER)}]"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.endswith(f"--set policy.category_order=[{','.join(ORDER)}]: policy.category_order: "
                        "changes nothing: fifo does not use a category order; give one only "
                        "with a policy that orders by category (social_priority), or leave it "
                        "out")
    assert not (tmp_path / "out").exists()


def test_a_category_order_a_custom_policy_ignores_is_refused_at_its_line(tmp_path: Path):
    """A policy with uses_category_order = False: the file's category order is refused."""
    (tmp_path / "ignores_categories.py").write_text(IGNORES_CATEGORIES, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(FIFO + textwrap.dedent(f"""\
        policy:
          order: ignores_categories:Largest
          category_order: [{', '.join(ORDER)}]
        """), encoding="utf-8")
    with pytest.raises(InputError, match=r"s.yaml:\d+: policy.category_order: changes nothing: "
                       r"ignores_categories:Largest does not use a category order"):
        load_scenario(path)
    later = ("policy.changes=[{date: 2023-01-01, order: social_priority}]")
    assert quiet_load(path, [later]).policy.changes  # it acts from the change on


def test_a_category_order_left_aside_by_a_later_policy_is_quiet(tmp_path: Path):
    """A policy chosen after the category order was written (child, --set, results) is fine."""
    parent = tmp_path / "history.yaml"
    parent.write_text(FIFO + textwrap.dedent(f"""\
        policy: {{order: social_priority, category_order: [{', '.join(ORDER)}]}}
        """), encoding="utf-8")
    quiet_load(child(tmp_path, "policy: {order: fifo}\n"))
    scenario = quiet_load(parent, ["policy.order=fifo", "replications=2"])
    folder = run(scenario, workers=1).write(tmp_path / "out")
    assert Results.read(folder).scenario.policy.order == "fifo"  # its scenario.yaml has both


NOBODY_ASKS = ["priority_uptake.basic_needs=0"]
"""Every applicant of a category with priority (the basic stream's) declines it."""


def test_a_category_order_where_everyone_queues_in_other_is_refused(tmp_path: Path):
    """Who does not ask for priority queues in other: with nobody asking, no order moves anyone.

    It was accepted, said nothing, and ran as without it.
    """
    path = tmp_path / "history.yaml"
    path.write_text(FIFO + "policy: {order: social_priority}\n", encoding="utf-8")
    order = "policy.category_order=[other,basic_needs,safety,congestion_relief]"
    with pytest.raises(InputError, match=r"--set policy.category_order=.*: "
                       r"policy.category_order: changes nothing: every applicant queues in "
                       r"other \(nobody asks for priority: priority_uptake.basic_needs is 0, "
                       r"and no project or waiting-list row asks\), so no order of the "
                       r"categories would move anyone; leave it out"):
        load_scenario(path, [*NOBODY_ASKS, order])
    quiet_load(path, ["priority_uptake.basic_needs=0.5", order])  # half of them still ask
    asks = "projects=[{name: School, date: 2023-01-01, demand_mw: 0.5, category: basic_needs}]"
    quiet_load(path, [*NOBODY_ASKS, asks, order])  # a project that asks is ordered
    child(tmp_path, f"policy: {{category_order: [{', '.join(ORDER)}]}}\n")
    with pytest.warns(GridqueueWarning, match=r"child.yaml:2: policy.category_order is set "
                      r"aside: after --set priority_uptake.basic_needs=0, every applicant "
                      r"queues in other"):
        load_scenario(tmp_path / "child.yaml", NOBODY_ASKS)


def test_a_say_in_priority_where_nothing_serves_it_warns(tmp_path: Path):
    """An uptake, or a project declining priority, under fifo throughout changes no wait.

    A warning names it where added after the policy, or where no file chose one; an uptake
    given beside fifo (a family's base), one a later fifo sets aside, or one that rounds serve
    between rounds, is quiet.
    """
    path = tmp_path / "fifo.yaml"
    path.write_text(FIFO + "priority_uptake: {basic_needs: 0.5}\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"fifo.yaml:\d+: priority_uptake changes no wait: "
                      r"fifo does not serve priority, and no rounds serve it between rounds; "
                      r"it sets only who asks"):
        load_scenario(path)  # no policy given: fifo by default
    path.write_text(FIFO + "policy: {order: fifo}\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"--set priority_uptake.basic_needs=0.5: "
                      r"priority_uptake changes no wait"):
        load_scenario(path, ["priority_uptake.basic_needs=0.5"])
    path.write_text(FIFO + "policy: {order: fifo}\npriority_uptake: {basic_needs: 0.5}\n",
                    encoding="utf-8")
    quiet_load(path)  # beside its own fifo, as base.yaml has it for its family
    (tmp_path / "campus.yaml").write_text(FIFO + "projects: [{name: Campus, date: 2022-06-01, "
                                          "demand_mw: 0.8, category: safety}]\n")
    with pytest.warns(GridqueueWarning, match=r"--set projects.0.priority_requested=false: "
                      r"projects.0.priority_requested changes no wait: fifo does not"):
        load_scenario(tmp_path / "campus.yaml", ["projects.0.priority_requested=false"])
    path.write_text(FIFO + "priority_uptake: {basic_needs: 0.5}\n"
                    "policy: {order: social_priority}\n", encoding="utf-8")
    quiet_load(path)
    quiet_load(path, ["policy.order=fifo"])  # the later policy sets the uptake aside
    rounds = ("policy={order: fifo, allocation: rounds, rounds: {dates: [2023-01-01], "
              "between_rounds: [basic_needs]}}")
    quiet_load(path, [rounds])


SAFETY = """\
  safe:
    category: safety
    rate_per_year: 3
    demand_mw: {dist: lognormal, median: 0.4, sigma: 0.5}
    jobs: 20
    patience_years: {dist: exponential, mean: 3}
policy: {order: fifo, allocation: rounds, rounds: {dates: [2023-01-01], between_rounds: [safety]}}
"""


def test_a_say_in_priority_of_a_category_rounds_do_not_serve_warns(tmp_path: Path):
    """Under fifo, rounds serve between rounds only those who ask in the categories they list.

    An uptake of another category, or a project declining priority in one, changes no wait,
    as under rounds that serve none between rounds; an uptake of a served category, or of a
    category whose stream moves into a served one, is quiet.
    """
    path = tmp_path / "rounds.yaml"
    path.write_text(FIFO + SAFETY, encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"--set priority_uptake.basic_needs=0.5: "
                      r"priority_uptake changes no wait: fifo does not serve priority, and "
                      r"rounds serve only safety between rounds; it sets only who asks"):
        load_scenario(path, ["priority_uptake.basic_needs=0.5"])
    quiet_load(path, ["priority_uptake.safety=0.5"])
    quiet_load(path, ["priority_uptake.basic_needs=0.5",
                      "streams.basic.category_changes=[{date: 2024-01-01, category: safety}]"])
    project = "projects=[{name: Campus, date: 2022-06-01, demand_mw: 0.8, category: %s}]"
    with pytest.warns(GridqueueWarning, match=r"projects.0.priority_requested changes no wait: "
                      r"fifo does not serve priority, and rounds serve only safety"):
        load_scenario(path, [project % "basic_needs", "projects.0.priority_requested=false"])
    quiet_load(path, [project % "safety", "projects.0.priority_requested=false"])


def test_a_say_in_priority_beside_an_option_choosing_fifo_warns(tmp_path: Path):
    """An option that chose fifo, and another that adds an uptake: the uptake changes no wait.

    Options are typed for the run, not stated for a family of files: the uptake is named as
    where the file chose fifo. One in the file, that the option's fifo sets aside, is quiet.
    """
    path = tmp_path / "priority.yaml"
    path.write_text(FIFO + "policy: {order: social_priority}\n", encoding="utf-8")
    with pytest.warns(GridqueueWarning, match=r"--set priority_uptake.basic_needs=0.5: "
                      r"priority_uptake changes no wait: fifo does not serve priority"):
        load_scenario(path, ["policy.order=fifo", "priority_uptake.basic_needs=0.5"])
    with pytest.warns(GridqueueWarning, match=r"streams.basic.category_changes changes no wait"):
        load_scenario(path, ["policy.order=fifo",
                             "streams.basic.category_changes=[{date: 2024-01-01, "
                             "category: safety}]"])
    path.write_text(FIFO + "policy: {order: social_priority}\n"
                    "priority_uptake: {basic_needs: 0.5}\n", encoding="utf-8")
    quiet_load(path, ["policy.order=fifo"])


def test_a_setting_that_acts_in_part_warns(history: Path):
    """An allocation replaced by a later inherited change acts until then: a warning says so."""
    with pytest.warns(GridqueueWarning, match=r"policy.allocation holds only until 2024-06-01:"
                      r" policy.changes.1.allocation"):
        scenario = load_scenario(history, ["policy.allocation=strict"])
    assert scenario.policy.allocation == "strict"
    with pytest.warns(GridqueueWarning, match=r"policy.changes.0.order holds only until"):
        load_scenario(history, ["policy.changes.1.order=fifo", "policy.changes.0.order=fifo"])


def test_a_policy_warning_points_at_the_caller_s_line(history: Path, tmp_path: Path):
    """From Python, a warning about the scenario is shown at the user's own call.

    Python prints the code line of the frame a warning is attributed to: that should be the
    line calling load_scenario, not a line of gridqueue's, whatever the depth of the call.
    """
    path = tmp_path / "fifo.yaml"
    path.write_text(FIFO + "priority_uptake: {basic_needs: 0.5}\n", encoding="utf-8")
    campus = Path(__file__).resolve().parents[1] / "scenarios" / "flevoland" / "campus.yaml"
    for scenario, overrides in [(history, ["policy.allocation=strict"]),
                                (history, ["policy.order=fifo"]), (path, []),
                                (campus, ["projects.0.priority_requested=true"])]:
        with pytest.warns(GridqueueWarning) as caught:
            load_scenario(scenario, overrides)
        assert {Path(w.filename).resolve() for w in caught} == {Path(__file__).resolve()}


def test_settings_nothing_shadows_are_quiet(history: Path):
    """A key no later change sets, or set where the schedule is written, gives no warning."""
    quiet_load(history, ["grid.capacity_mw=3", "policy.params={}"])
    quiet_load(history)


def test_sweep_over_the_order_of_a_file_with_a_schedule_differs(history: Path):
    """The planner's case: --vary policy.order on a file with a schedule gives different rows."""
    with pytest.warns(GridqueueWarning, match="policy.order applies for the whole period"):
        result = sweep(history, {"policy.order": ["fifo", "social_priority"]},
                       replications=3, workers=1)
    waits = result.table.query("group == 'basic_needs' and metric == 'wait_mean_years'")
    assert waits["mean"].nunique() == 2


def test_sweep_whose_cells_all_run_the_same_scenario_is_an_error(history: Path):
    """Every cell the same scenario (a category order under fifo) is refused, naming cells."""
    orders = [ORDER, ["congestion_relief", "safety", "basic_needs", "other"]]
    with pytest.raises(InputError, match=r"history.yaml: sweep: expected cells that differ; "
                       r"every cell \(policy.category_order=\[safety.*\]; policy.category_order="
                       r"\[congestion_relief.*\]\) runs the same scenario"):
        sweep(history, {"policy.category_order": orders}, ["policy.changes=[]"],
              replications=2, workers=1)


def test_sweep_with_some_equal_cells_warns_naming_them(history: Path):
    """Cells that coincide while others differ are named in a warning; the sweep runs."""
    orders = [ORDER, ["congestion_relief", "safety", "basic_needs", "other"]]
    with pytest.warns(GridqueueWarning, match=r"sweep cells policy.order=fifo policy."
                      r"category_order=\[safety.*; policy.order=fifo .* run the same scenario"):
        result = sweep(history, {"policy.order": ["fifo", "social_priority"],
                                 "policy.category_order": orders},
                       ["policy.changes=[]"], replications=2, workers=1)
    assert len(result.cells) == 4


def test_a_child_removes_an_inherited_stream_upgrade_and_project(history: Path):
    """A null removes a stream; {remove: [names]} drops upgrades and projects by name."""
    path = child(history.parent, """\
        streams: {basic: null}
        grid:
          upgrades: {remove: [station]}
        projects:
          remove: [Campus]
          add: [{name: School, date: 2023-01-01, demand_mw: 0.3, category: basic_needs}]
        """)
    scenario = quiet_load(path)
    assert list(scenario.streams) == ["other"]
    assert scenario.grid.upgrades == []
    assert [p.name for p in scenario.projects] == ["Depot", "School"]


def test_removing_what_is_not_inherited_is_an_error(history: Path):
    """A null or a name to remove that the parent does not give names the key and line."""
    path = child(history.parent, "streams: {basics: null}\n")
    with pytest.raises(InputError, match=r"child.yaml:2: streams.basics: expected a key the "
                       r"parent file gives .*did you mean 'basic'"):
        load_scenario(path)
    path = child(history.parent, "projects: {remove: [Campus, Stadium]}\n")
    with pytest.raises(InputError, match=r"child.yaml:2: projects.remove.1: expected the name "
                       r"of an inherited item, one of 'Campus', 'Depot'; got 'Stadium'"):
        load_scenario(path)
    path = child(history.parent, "grid: {upstream: {upgrades: {remove: [x]}}}\n")
    with pytest.raises(InputError, match=r"grid.upstream.upgrades.remove: expected an "
                       "inherited list"):
        load_scenario(path)


def test_set_null_removes_a_key_and_refuses_a_missing_one(history: Path):
    """--set streams.basic=null removes the stream; a key that is not there is an error."""
    assert list(quiet_load(history, ["streams.basic=null"]).streams) == ["other"]
    with pytest.raises(InputError, match=r"--set streams.basik=null: streams.basik: .*nothing "
                       "to remove"):
        load_scenario(history, ["streams.basik=null"])


def test_null_inside_a_new_mapping_is_an_ordinary_value(history: Path):
    """A new stream may say patience_years: null (wait forever); nothing is removed there."""
    path = child(history.parent, """\
        streams:
          new:
            category: safety
            rate_per_year: 2
            demand_mw: 0.2
            patience_years: null
        """)
    assert quiet_load(path).streams["new"].patience_years is None


def test_the_reference_example_of_removal_loads(tmp_path: Path):
    """The YAML example in docs/scenario-reference.md runs beside the bundled scenarios."""
    import re
    import shutil

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    example = next(block for block in re.findall(r"```yaml\n(.*?)```", text, re.S)
                   if "remove:" in block)
    shutil.copytree(root / "scenarios" / "flevoland", tmp_path, dirs_exist_ok=True)
    (tmp_path / "example.yaml").write_text(example, encoding="utf-8")
    scenario = quiet_load(tmp_path / "example.yaml")
    assert "storage" not in scenario.streams and len(scenario.streams) == 8
    assert len(scenario.grid.upgrades) == 8
    assert [p.name for p in scenario.projects] == ["Business park hub"]


def test_a_share_without_cover_says_what_is_missing(history: Path):
    """onsite_generation.share alone is refused with what cover is and that it has no default."""
    with pytest.raises(InputError, match=r"--set onsite_generation.share=0.3: onsite_generation"
                       r": expected cover next to share: .*it has no default"):
        load_scenario(history, ["onsite_generation.share=0.3"])
    scenario = quiet_load(history, ["onsite_generation.share=0.3",
                                    "onsite_generation.cover=0.2"])
    assert scenario.onsite_generation.cover.mean == pytest.approx(0.2)


def test_overrides_given_as_a_mapping_are_not_changed_by_loading():
    """A later override inside an earlier one's value edits a copy, not the caller's dict."""
    project = {"name": "hall", "date": "2025-01-01", "demand_mw": 1.0}
    overrides = {"projects": [project], "projects.0.jobs": 7}
    scenario = load_scenario(Path(__file__).parents[1] / "scenarios/flevoland/fifo.yaml",
                             overrides)
    assert scenario.projects[0].jobs == 7
    assert project == {"name": "hall", "date": "2025-01-01", "demand_mw": 1.0}


@pytest.mark.parametrize(("setting", "blamed"), [
    ("start=2030-01-01", "--set start=2030-01-01: start: expected a date before end "
                         "(2026-01-01), got 2030-01-01"),
    ("end=2021-06-01", "--set end=2021-06-01: end: expected a date after start (2022-01-01), "
                       "got 2021-06-01"),
])
def test_a_period_set_backwards_blames_the_key_that_was_set(history: Path, setting, blamed):
    """``--set start=`` past the end names start and its --set, not the file's end."""
    with pytest.raises(InputError) as caught:
        quiet_load(history, [setting])
    assert str(caught.value) == blamed


def test_an_end_out_of_range_is_named_though_start_was_set(history: Path):
    """The blame moves to a --set start only where the period is backwards, not out of range."""
    path = child(history.parent, "end: 1850-01-01\n")
    with pytest.raises(InputError, match=r"child.yaml:2: end: expected a date from 1900"):
        quiet_load(path, ["start=2023-01-01"])


def test_a_target_outside_compare_says_where_targets_belong(history: Path, tmp_path, capsys):
    """``run --set 3:replications=2`` said '3:replications: unknown key' and nothing more."""
    code = main(["run", str(history), "--set", "3:replications=2", "-o", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert ("--set 3:replications=2: 3:replications: expected a key path without a target: "
            "'N:' or 'NAME:' picks one input of gridqueue compare, and this command has one "
            "scenario") in err
    # A colon further along is part of a name, as a stream may have one.
    assert parse_override("streams.a:b.rate_per_year=5").path == (
        "streams", "a:b", "rate_per_year")


def test_an_item_of_an_empty_list_says_the_list_is_empty(history: Path):
    """It said 'expected a list index from 0 to -1'."""
    with pytest.raises(InputError, match=r"^--set grid.upgrades.0.add_mw=3: grid.upgrades.0: "
                       r"expected an item of the list, but the scenario gives none there \(the "
                       r"list is empty\)$"):
        quiet_load(history, ["grid.upgrades=[]", "grid.upgrades.0.add_mw=3"])


def test_overrides_from_python_are_not_called_command_line_options(history: Path):
    """A mapping given to load_scenario was named '--set KEY=VALUE', an option it never used.

    A policy class given where its name belongs was only 'expected text': the message now
    says how to name it, registered or as 'module:Class'.
    """
    with pytest.raises(InputError, match=r"^override grid.upgrades.0.add_mw=-400: "
                       r"grid.upgrades.0.add_mw: expected a number > 0.0, got -400$"):
        quiet_load(history, {"grid.upgrades": [{"name": "u", "date": "2023-01-01", "add_mw": 2}],
                             "grid.upgrades.0.add_mw": -400})
    with pytest.raises(InputError, match=r"^--set grid.capacity_mw=-2: grid.capacity_mw"):
        quiet_load(history, ["grid.capacity_mw=-2"])  # text as --set takes it: as --set
    with pytest.raises(InputError) as caught:
        quiet_load(history, {"policy.order": MostJobs, "policy.changes": []})
    assert str(caught.value) == (
        "override policy.order=<class 'tests.test_overrides.MostJobs'>: policy.order: expected "
        "text, got the class MostJobs: name a policy by its name, 'most_jobs_test', once "
        "@register_policy has registered the class, or as 'tests.test_overrides:MostJobs'")


@pytest.mark.parametrize(("given", "got"), [
    ("policy.order=mypol:", "the mapping {mypol: null} (YAML reads a text ending in ':' as one: "
                            "quote the text)"),
    ("name=[1]", "a list (YAML reads [...] as one: quote the text)"),
    ("policy.order={a: 1}", "a mapping (YAML reads {...} and 'key: value' as one: quote the "
                            "text)"),
])
def test_text_that_yaml_read_as_a_structure_says_what_it_became(history: Path, given: str,
                                                                got: str):
    """``--set policy.order=mypol:`` was only 'expected text', with no word of the colon."""
    with pytest.raises(InputError) as caught:
        quiet_load(history, [given])
    assert str(caught.value).endswith(f": expected text, got {got}"), caught.value


@pytest.mark.parametrize(("given", "got"), [({"name": ["a"]}, "a list"),
                                            ({"policy.order": {"mypol": None}}, "a mapping")])
def test_a_structure_given_from_python_where_text_belongs_is_not_blamed_on_yaml(
        history: Path, given: dict, got: str):
    """A mapping of overrides passes its values as they are: no YAML read them, none to quote."""
    with pytest.raises(InputError) as caught:
        quiet_load(history, given)  # type: ignore[arg-type]
    assert str(caught.value).endswith(f": expected text, got {got}"), caught.value


class MostJobs(QueuePolicy):
    """A policy given as a class, where its name belongs."""

    name = "most_jobs_test"

    def sort_key(self, applicant):  # type: ignore[no-untyped-def]
        return (-applicant.jobs,)


@pytest.mark.parametrize(("options", "blamed"), [
    (["onsite_generation.cover=0.3", "onsite_generation.by_category.safety.share=0.2",
      "onsite_generation.share=0"], "onsite_generation.by_category.safety.share=0.2"),
    (["onsite_generation={share: 0.5}", "onsite_generation.by_category.safety.share=0.2"],
     "onsite_generation={share: 0.5}")])
def test_the_option_nearest_the_key_is_blamed_in_a_block_only_options_give(
        tmp_path: Path, options: list[str], blamed: str):
    """Not the last option in the block: a later share took the blame for a category's cover.

    In a sweep, that made a cell's varied share the cause of a --set category's problem.
    """
    path = tmp_path / "fifo.yaml"
    path.write_text(FIFO, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(path, options)
    assert caught.value.source == f"--set {blamed}"


def test_an_end_set_before_a_files_upgrade_names_the_set(tmp_path: Path, capsys):
    """--set end=2022-12-01 was reported at the upgrade's line in base.yaml, as if it were wrong.

    The file is fine alone: the option that moved the end made its date fall outside the
    run, so the message names the option and where the date it passed was given.
    """
    base = Path("scenarios/flevoland/base.yaml").resolve()
    fifo = str(base.parent / "fifo.yaml")
    assert main(["run", fifo, "--set", "end=2022-12-01", "-o", str(tmp_path / "out")]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == ("gridqueue: error: --set end=2022-12-01: end: expected a date after "
                    f"2025-07-01, that of grid.upgrades.0.date ({base}:33), which must fall "
                    "within the run: give a later end, or leave grid.upgrades.0 out")
    with pytest.raises(InputError, match=r"^override start=2026-01-01: start: expected a date "
                       r"before 2025-07-01, that of grid.upgrades.0.date "):
        load_scenario(fifo, {"start": "2026-01-01"})
