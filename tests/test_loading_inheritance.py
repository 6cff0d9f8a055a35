"""What a file inherits: paths resolved where they are written, errors blamed where they are.

A child file may live in another folder than its parent, replace a list or distribution of
it, leave a value blank or give no description of its own; each case either works as the
parent file reads or fails with one line naming the file and line that caused it.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim import InputError, load_scenario
from sim.cli import main
from sim.errors import GridqueueWarning
from sim.policies import registry
from tests.comparison_family import FIFO
from tests.test_policy_plugins import POLICY_MODULE

BAD = Path(__file__).parent / "bad_inputs"

POLICY = POLICY_MODULE.format(name="gq_inherited_small") + '''

class LargestFirst(QueuePolicy):
    uses_category_order = False

    def sort_key(self, applicant):
        return (-applicant.requested_mw,)


class Raises(QueuePolicy):
    uses_category_order = False

    def sort_key(self, applicant):
        raise ValueError("on purpose")
'''
"""A module registering a policy by name (as the docs' example), and two classes named by
``module:Class``: one that works and one that fails."""

HISTORY = FIFO + """\
policy:
  order: fifo
  changes:
    - {date: 2023-01-01, order: social_priority}
    - {date: 2024-01-01, order: social_priority, allocation: strict}
"""


@pytest.fixture
def modules(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The policies and modules a test registers or imports do not outlive it."""
    monkeypatch.setattr(registry, "POLICIES", dict(registry.POLICIES))
    yield
    sys.modules.pop("gq_inherited", None)


def folders(tmp_path: Path, parent: str) -> tuple[Path, Path]:
    """A parent file (FIFO plus ``parent``) in one folder and a child extending it in another."""
    (tmp_path / "a").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "a" / "parent.yaml").write_text(FIFO + parent, encoding="utf-8")
    child = tmp_path / "c" / "child.yaml"
    child.write_text("extends: ../a/parent.yaml\nreplications: 2\n", encoding="utf-8")
    return tmp_path / "a", child


@pytest.mark.parametrize("policy", [
    "policy: {import: [gq_inherited], order: gq_inherited_small}\n",
    "policy: {order: 'gq_inherited:LargestFirst'}\n",
    "policy: {order: fifo, changes: [{date: 2023-01-01, order: 'gq_inherited:LargestFirst'}]}\n",
])
def test_a_parents_policy_module_is_found_beside_the_parent(tmp_path, monkeypatch, modules,
                                                             capsys, policy):
    """policy.import and module:Class in a parent are looked up in the parent's folder."""
    parent, child = folders(tmp_path, policy)
    (parent / "gq_inherited.py").write_text(POLICY, encoding="utf-8")
    monkeypatch.chdir(child.parent)
    assert main(["run", "child.yaml", "-o", "out", "-q", "--workers", "1", "--no-report"]) == 0
    assert (child.parent / "out" / "gq_inherited.py").read_text(encoding="utf-8") == POLICY
    del sys.modules["gq_inherited"]  # as in a new process: reproduce finds the copy
    assert main(["reproduce", "out", "-q", "--workers", "1"]) == 0, capsys.readouterr()


def test_a_missing_parent_policy_module_is_blamed_on_the_parent(tmp_path, modules):
    """The error names the parent file and line, and the folder looked in: the parent's."""
    parent, child = folders(tmp_path, "policy: {import: [gq_inherited], order: fifo}\n")
    with pytest.raises(InputError) as error:
        load_scenario(child)
    assert error.value.source == str(parent / "parent.yaml")  # not c/../a/parent.yaml
    assert error.value.line == FIFO.count("\n") + 1
    assert error.value.key_path == "policy.import.0"
    assert f"looked on the Python path and {parent}" in error.value.expected


def test_a_parents_waiting_list_is_read_beside_the_parent(tmp_path, monkeypatch):
    """waiting_list.csv in a parent is relative to the parent; a missing one blames it."""
    parent, child = folders(tmp_path, "waiting_list: {csv: list.csv}\n")
    (parent / "list.csv").write_text("request_date,category,demand_mw,name\n"
                                     "2021-06-01,other,0.5,bakery\n", encoding="utf-8")
    monkeypatch.chdir(child.parent)
    scenario = load_scenario("child.yaml")
    assert (scenario.base_dir / scenario.waiting_list.csv).resolve() == \
        (parent / "list.csv").resolve()
    (parent / "list.csv").unlink()
    with pytest.raises(InputError, match=r"^\.\./a/parent\.yaml:\d+: waiting_list\.csv: "
                       r"expected an existing CSV file; '\.\./a/list\.csv' was not found"):
        load_scenario("child.yaml")


@pytest.mark.parametrize(("child", "key"), [
    ("grid: {upgrades: [{date: 2023-01-01, add_mw: 10}]}\n", "grid.upgrades.0.name"),
    ("streams: {basic: {demand_mw: {dist: lognormal, mean: 3}}}\n",
     "streams.basic.demand_mw.sigma"),
    ("policy: {changes: [{order: social_priority}]}\n", "policy.changes.0.date"),
    ("grid: {upgrades: {add: [{date: 2023-01-01, add_mw: 10}]}}\n", "grid.upgrades.1.name"),
])
def test_an_error_in_what_a_child_replaced_is_blamed_on_the_child(tmp_path, child, key):
    """The child's file and line, not the parent's, whose value was replaced."""
    (tmp_path / "parent.yaml").write_text(HISTORY, encoding="utf-8")
    (tmp_path / "child.yaml").write_text(f"extends: parent.yaml\n{child}", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_scenario(tmp_path / "child.yaml")
    assert (error.value.source, error.value.line) == (str(tmp_path / "child.yaml"), 2)
    assert error.value.key_path == key


def test_a_blank_value_does_not_remove_an_inherited_key(tmp_path):
    """Only an explicit null removes: a blank value is refused, naming the file and line."""
    (tmp_path / "parent.yaml").write_text(FIFO, encoding="utf-8")
    (tmp_path / "blank.yaml").write_text("extends: parent.yaml\nstreams:\n  basic:\n")
    with pytest.raises(InputError, match=r"blank\.yaml:3: streams\.basic: expected a value; a "
                       "blank one would remove the inherited key: write null to remove it"):
        load_scenario(tmp_path / "blank.yaml")
    for null in ("null", "~"):
        (tmp_path / "null.yaml").write_text(f"extends: parent.yaml\nstreams: {{basic: {null}}}\n")
        assert list(load_scenario(tmp_path / "null.yaml").streams) == ["other"]
    with pytest.raises(InputError, match=r"expected a value after '='; streams\.basic=null "
                       "removes the key"):
        load_scenario(tmp_path / "parent.yaml", ["streams.basic="])


def test_a_child_without_a_description_says_whose_it_inherits(tmp_path):
    """A variant is not described as the scenario it extends: the description names it.

    And what it changes: a variant serving the biggest requests first read 'Extends
    social_priority: Policy as it happened: ...', as if that were its policy.
    """
    (tmp_path / "fifo.yaml").write_text(FIFO, encoding="utf-8")
    (tmp_path / "mine.yaml").write_text("extends: fifo.yaml\nname: mine\nseed: 2\n")
    (tmp_path / "deeper.yaml").write_text("extends: mine.yaml\npolicy: {order: smallest_first}\n")
    (tmp_path / "own.yaml").write_text("extends: mine.yaml\ndescription: My own.\n")
    assert load_scenario(tmp_path / "mine.yaml").description == \
        "Extends fifo (changing seed): First come, first served."
    assert load_scenario(tmp_path / "deeper.yaml").description == \
        "Extends mine, which extends fifo (changing policy, seed): First come, first served."
    assert load_scenario(tmp_path / "mine.yaml", ["replications=3", "grid.capacity_mw=2"]
                         ).description == \
        "Extends fifo (changing seed, grid): First come, first served."  # not replications
    (tmp_path / "named.yaml").write_text("extends: fifo.yaml\nname: named\n")
    assert load_scenario(tmp_path / "named.yaml").description == \
        "Extends fifo: First come, first served."
    assert load_scenario(tmp_path / "own.yaml").description == "My own."
    assert load_scenario(tmp_path / "deeper.yaml", {"description": "Set."}).description == "Set."


def test_a_childs_list_of_changes_that_drops_inherited_ones_is_named(tmp_path):
    """Replacing policy.changes warns, as a new policy.order does; {add: [...]} keeps them."""
    (tmp_path / "history.yaml").write_text(HISTORY, encoding="utf-8")
    (tmp_path / "later.yaml").write_text(
        "extends: history.yaml\npolicy:\n  changes: [{date: 2025-01-01, allocation: strict}]\n")
    with pytest.warns(GridqueueWarning, match=r"later\.yaml:3: policy\.changes replaces the "
                      r"inherited schedule whole, dropping the change\(s\) from 2023-01-01, "
                      r"2024-01-01; give policy\.changes as \{add: \[\.\.\.\]\}"):
        load_scenario(tmp_path / "later.yaml")
    (tmp_path / "added.yaml").write_text(
        "extends: history.yaml\npolicy:\n  changes: {add: [{date: 2025-01-01, "
        "allocation: first_fit}]}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_scenario(tmp_path / "added.yaml").policy.changes) == 3


def test_a_list_of_changes_beside_a_new_order_that_drops_inherited_ones_is_named(tmp_path):
    """An order beside the list drops the inherited changes all the same: said so.

    A child giving policy.changes alone was warned of; one giving policy.order as well, as a
    file that restates its policy does, dropped the 2024-01-01 change without a word.
    """
    (tmp_path / "history.yaml").write_text(HISTORY, encoding="utf-8")
    (tmp_path / "restated.yaml").write_text(
        "extends: history.yaml\npolicy:\n  order: fifo\n"
        "  changes: [{date: 2023-01-01, order: social_priority}]\n")
    with pytest.warns(GridqueueWarning, match=r"restated\.yaml:4: policy\.changes replaces the "
                      r"inherited schedule whole, dropping the change\(s\) from 2024-01-01; "
                      r"give policy\.changes as \{add: \[\.\.\.\]\}"):
        scenario = load_scenario(tmp_path / "restated.yaml")
    assert [str(change.date) for change in scenario.policy.changes] == ["2023-01-01"]
    (tmp_path / "kept.yaml").write_text(  # every inherited change given again: none dropped
        "extends: history.yaml\npolicy:\n  order: fifo\n  changes:\n"
        "    - {date: 2023-01-01, order: social_priority}\n"
        "    - {date: 2024-01-01, order: social_priority}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_scenario(tmp_path / "kept.yaml")


UPGRADED = FIFO.replace(
    "    - {name: station, date: 2023-06-01, add_mw: 5, delay_years: {dist: uniform, low: 0, "
    "high: 1}}\n",
    "    - {name: station, date: 2023-06-01, add_mw: 5, delay_years: {dist: uniform, low: 0, "
    "high: 1}}\n    - {name: cable, date: 2024-01-01, add_mw: 2}\n"
    "    - {name: transformer, date: 2025-01-01, add_mw: 3}\n") + """\
projects:
  - {name: Campus, date: 2022-06-01, demand_mw: 0.8}
  - {name: Depot, date: 2023-06-01, demand_mw: 0.5}
capacity_releases:
  - {name: use-it-or-lose-it, start: 2023-01-01, user_share: 0.1, mw_share: 0.5}
"""
"""Three upgrades, two projects and a capacity release for a child to replace."""


def test_a_childs_list_of_upgrades_that_drops_inherited_ones_is_named(tmp_path):
    """A child's grid.upgrades replaces the inherited list whole: what it drops is named.

    The upgrades it leaves out, and the delay of one it gives again without it, are named
    with the ways to keep them.
    """
    (tmp_path / "parent.yaml").write_text(UPGRADED, encoding="utf-8")
    (tmp_path / "moved.yaml").write_text(
        "extends: parent.yaml\ngrid:\n  upgrades:\n"
        "    - {name: station, date: 2023-01-01, add_mw: 5}\n")
    with pytest.warns(GridqueueWarning) as caught:
        scenario = load_scenario(tmp_path / "moved.yaml")
    assert [upgrade.name for upgrade in scenario.grid.upgrades] == ["station"]
    assert [str(w.message) for w in caught] == [
        f"{tmp_path / 'moved.yaml'}:3: grid.upgrades replaces the inherited list whole, "
        "dropping 2 of its 3 upgrades: 'cable', 'transformer'; and 'station' as given here "
        "has no delay_years, which the inherited one had; to keep them, list them again, or "
        "give grid.upgrades as {remove: [names], add: [items]} to drop or add some and keep "
        "the others; to change one for a run, leave grid.upgrades out of this file and use "
        "--set grid.upgrades.0.date=2023-01-01"]


@pytest.mark.parametrize("child", [
    # every inherited upgrade given again, one of them changed
    "grid:\n  upgrades:\n    - {name: station, date: 2023-01-01, add_mw: 5}\n"
    "    - {name: cable, date: 2024-01-01, add_mw: 2}\n"
    "    - {name: transformer, date: 2025-06-01, add_mw: 3}\n",
    # an edit of the inherited list, and an empty list: nothing is dropped unsaid
    "grid:\n  upgrades: {remove: [cable], add: [{name: line, date: 2024-06-01, add_mw: 1}]}\n",
    "grid:\n  upgrades: []\n",
    "seed: 4\n",
])
def test_a_child_that_keeps_or_plainly_edits_inherited_upgrades_is_not_warned(tmp_path, child):
    """Nothing is dropped unsaid: no warning, nor for --set of one item of the list."""
    (tmp_path / "parent.yaml").write_text(UPGRADED, encoding="utf-8")
    (tmp_path / "child.yaml").write_text("extends: parent.yaml\n" + child)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_scenario(tmp_path / "child.yaml")
        if "[]" not in child:  # one item changed for a run drops none
            load_scenario(tmp_path / "child.yaml", ["grid.upgrades.0.date=2023-03-01"])


def test_other_inherited_lists_of_named_items_that_drop_some_are_named(tmp_path):
    """Projects, capacity releases, an area's, the upstream's and a stream's lists alike."""
    (tmp_path / "parent.yaml").write_text(UPGRADED, encoding="utf-8")
    (tmp_path / "lists.yaml").write_text(
        "extends: parent.yaml\nprojects:\n  - {name: Lab, date: 2024-01-01, demand_mw: 1}\n"
        "capacity_releases:\n  - {name: contracts, start: 2024-01-01, user_share: 0.1, "
        "mw_share: 0.3}\n")
    with pytest.warns(GridqueueWarning) as caught:
        load_scenario(tmp_path / "lists.yaml")
    messages = [str(w.message) for w in caught]
    assert messages[0].startswith(
        f"{tmp_path / 'lists.yaml'}:2: projects replaces the inherited list whole, dropping 2 "
        "of its 2 projects: 'Campus', 'Depot'; to keep them")
    assert messages[1].startswith(
        f"{tmp_path / 'lists.yaml'}:4: capacity_releases replaces the inherited list whole, "
        "dropping 1 of its 1 capacity release: 'use-it-or-lose-it'")
    areas = ("grid:\n  capacity_mw: null\n  upgrades: []\n  areas:\n    north:\n"
             "      capacity_mw: 1\n      upgrades:\n"
             "        - {name: a, date: 2023-01-01, add_mw: 1}\n"
             "        - {name: b, date: 2024-01-01, add_mw: 1}\n"
             "  upstream:\n    capacity_mw: 3\n    upgrades:\n"
             "      - {name: c, date: 2023-01-01, add_mw: 1}\n"
             "      - {name: d, date: 2024-01-01, add_mw: 1}\n"
             "streams:\n  basic:\n    area: north\n    category_changes:\n"
             "      - {date: 2023-01-01, category: other}\n"
             "      - {date: 2024-01-01, category: basic_needs}\n"
             "  other: {area: north}\n")
    (tmp_path / "areas.yaml").write_text("extends: parent.yaml\n" + areas)
    (tmp_path / "child.yaml").write_text(
        "extends: areas.yaml\ngrid:\n  areas:\n    north:\n      upgrades:\n"
        "        - {name: b, date: 2024-01-01, add_mw: 1}\n"
        "  upstream:\n    upgrades:\n      - {name: e, date: 2025-01-01, add_mw: 1}\n"
        "streams:\n  basic:\n    category_changes: [{date: 2024-01-01, category: other}]\n")
    with pytest.warns(GridqueueWarning) as caught:
        load_scenario(tmp_path / "child.yaml")
    # besides, under fifo, that the category changes change no wait
    messages = [str(w.message) for w in caught if " replaces " in str(w.message)]
    assert [m.split(" replaces")[0].split(": ")[1] for m in messages] == [
        "grid.areas.north.upgrades", "grid.upstream.upgrades", "streams.basic.category_changes"]
    assert "dropping 1 of its 2 upgrades: 'a';" in messages[0]
    assert "dropping 2 of its 2 upgrades: 'c', 'd';" in messages[1]
    assert ("dropping 1 of its 2 category changes: 2023-01-01; to keep them, list them again, "
            "or give streams.basic.category_changes as {add: [items]} to add to the inherited "
            "ones; to change one for a run, leave streams.basic.category_changes out of this "
            "file and use --set streams.basic.category_changes.1.category=other"
            ) in messages[2]


def test_a_policy_that_fails_in_a_parent_is_named_at_the_parents_line(tmp_path, modules,
                                                                       capsys):
    """The failing policy's key is given with the file and line that name it."""
    (tmp_path / "gq_inherited.py").write_text(POLICY, encoding="utf-8")
    (tmp_path / "parent.yaml").write_text(FIFO + "policy:\n  order: gq_inherited:Raises\n")
    (tmp_path / "child.yaml").write_text("extends: parent.yaml\nseed: 5\n")
    assert main(["validate", str(tmp_path / "child.yaml")]) == 2
    line = FIFO.count("\n") + 2
    assert capsys.readouterr().err.startswith(
        f"gridqueue: error: {tmp_path / 'parent.yaml'}:{line}: policy.order: the queue policy "
        "'gq_inherited:Raises' failed while ranking applicants (ValueError: on purpose)")


def test_an_inherited_upgrade_restated_in_part_is_named_as_a_new_item(tmp_path: Path):
    """A child file that gives only the date of an inherited upgrade, as if lists merged.

    The list replaces the inherited one whole, so its one item is a new upgrade that lacks
    add_mw; "missing: this key is required" alone did not say why, nor how to change one
    upgrade. The message now says both, with the inherited upgrade's index for --set. A new
    upgrade of another name lacking add_mw keeps the plain message.
    """
    (tmp_path / "fifo.yaml").write_text(FIFO, encoding="utf-8")
    child = tmp_path / "later.yaml"
    child.write_text("extends: fifo.yaml\ngrid:\n  upgrades:\n"
                     "    - {name: station, date: 2024-01-01}\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_scenario(child)
    assert str(raised.value) == (
        f"{child}:4: grid.upgrades.0.add_mw: missing: this key is required; grid.upgrades in "
        "a child file replaces the inherited list whole, so 'station' here is a new item, not "
        "the inherited one changed: give it whole, or give grid.upgrades as {remove: [...], "
        "add: [...]} to replace it and keep the others, or for one run change one of its keys, "
        "--set grid.upgrades.0.KEY=VALUE (docs/scenario-reference.md)")
    child.write_text("extends: fifo.yaml\ngrid:\n  upgrades:\n"
                     "    - {name: another station, date: 2024-01-01}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"grid.upgrades.0.add_mw: missing: this key is "
                                         r"required$"):
        load_scenario(child)


def test_a_parent_in_another_folder_is_named_without_dot_dot(tmp_path, monkeypatch):
    """'mine/../scenarios/base.yaml' in warnings and reports reads 'scenarios/base.yaml'.

    Through a linked folder '..' leads elsewhere: there the path stays as written.
    """
    from sim.inputs.yaml_source import read_scenario_source

    _, child = folders(tmp_path, "")
    monkeypatch.chdir(tmp_path)
    files = [file for file, _ in read_scenario_source(Path("c/child.yaml")).files]
    assert files == [Path("c/child.yaml"), Path("a/parent.yaml")]
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "link").symlink_to(tmp_path / "c", target_is_directory=True)
    (tmp_path / "elsewhere" / "a").mkdir()  # where 'link/..' would lead if read as text
    (tmp_path / "elsewhere" / "a" / "parent.yaml").write_text("on purpose: not a scenario\n")
    linked = read_scenario_source(Path("elsewhere/link/child.yaml"))
    assert [file for file, _ in linked.files][1] == Path("elsewhere/link/../a/parent.yaml")
    assert linked.data["seed"] == load_scenario(child).seed
