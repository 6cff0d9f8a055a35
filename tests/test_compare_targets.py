"""compare --set for one scenario: by position or by file name; untargeted means every file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import GridqueueError, GridqueueWarning, compare, load_scenario
from sim.cli import main
from sim.inputs.override_targets import overrides_for
from tests.comparison_family import write_family


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_family(tmp_path_factory.mktemp("family"), projects=False)


def test_targets_pick_their_input_and_untargeted_go_to_all(family):
    """N: and NAME: reach one input; a plain key reaches every one; the prefix is dropped."""
    inputs = [family["fifo"], family["social_priority"], family["onsite"]]
    mine = overrides_for(inputs, ["replications=2", "2:grid.capacity_mw=8",
                                  "onsite:policy.order=mod:Cls"])
    assert [[o.text for o in chosen] for chosen in mine] == [
        ["replications=2"], ["replications=2", "grid.capacity_mw=8"],
        ["replications=2", "policy.order=mod:Cls"]]
    as_mapping = overrides_for(inputs, {"seed": 3, "fifo:replications": 4})
    assert [{o.key_path: o.value for o in chosen} for chosen in as_mapping] == \
        [{"seed": 3, "replications": 4}, {"seed": 3}, {"seed": 3}]


def test_a_message_about_a_targeted_change_quotes_it_as_typed(family, capsys):
    """'--set 2:grid.capacity_mw=nan' was refused as '--set grid.capacity_mw=nan'.

    The target was taken off before the change was read, so the message quoted a change
    nobody typed, one that reads as if aimed at every input. A report still names the change
    the file got, without the target, beside the file.
    """
    inputs = [str(family["fifo"]), str(family["social_priority"]), "-o",
              str(family["fifo"].parent / "quoted"), "--replications", "2"]
    for typed, expected in (
            ("2:grid.capacity_mw=nan", "grid.capacity_mw: expected a finite number"),
            ("social_priority:grid.capacity_mw=-3", "grid.capacity_mw: expected a number >="),
            ("2:grid.capacity_mw=", "grid.capacity_mw: expected a value after '='"),
            ("1:grid.capacity_mw=[", "grid.capacity_mw: expected a YAML value after '='"),
            ("2:seed=1.5", "seed: expected a whole number"),
            ("2:grid..capacity_mw=1", "expected a key path of names joined by dots"),
            ("2:=1", "expected key.path=value"),
            ("2:1:seed=3", "expected a key path without a target: 'N:' or 'NAME:' picks one "
                           "input, and this one has one already")):
        assert main(["compare", *inputs, "--set", typed]) == 2
        err = capsys.readouterr().err
        assert f"error: --set {typed}: " in err and expected in err, err
    with pytest.raises(GridqueueError, match=r"^override 2:grid\.capacity_mw=nan: "):
        compare([family["fifo"], family["social_priority"]],
                {"2:grid.capacity_mw": float("nan")}, replications=2, workers=1)
    scenario = load_scenario(family["social_priority"],
                             overrides_for([family["fifo"], family["social_priority"]],
                                           ["2:grid.capacity_mw=8"])[1])
    assert scenario.option_giving("grid.capacity_mw") == "--set 2:grid.capacity_mw=8"
    assert scenario.options_given == ("--set grid.capacity_mw=8",)


def test_compare_applies_a_targeted_set_to_one_scenario(family):
    """--set social_priority:replications=3 runs only that scenario with 3 replications.

    The pair is then compared over the 2 replications both ran, and a warning says so.
    """
    with pytest.warns(GridqueueWarning, match="paired over the 2 replications both ran"):
        comparison = compare([family["fifo"], family["social_priority"]],
                             ["replications=2", "social_priority:replications=3",
                              "1:grid.capacity_mw=2"], workers=1)
    scenarios = {label: r.scenario for label, r in comparison.results.items()}
    assert scenarios["fifo"].replications == 2 and scenarios["fifo"].grid.capacity_mw == 2
    assert scenarios["social_priority"].replications == 3
    assert scenarios["social_priority"].grid.capacity_mw == 1


def test_an_unknown_or_ambiguous_target_is_an_error(family, capsys):
    """A target naming no input, or two, says which it can be; exit 2."""
    with pytest.raises(GridqueueError, match=r"target 'sp' names no input; expected a position "
                       r"from 1 to 2 or one of the file names: fifo, social_priority"):
        overrides_for([family["fifo"], family["social_priority"]], ["sp:seed=2"])
    with pytest.raises(GridqueueError, match="target 'fifo' names two inputs"):
        overrides_for([family["fifo"], family["fifo"]], ["fifo:seed=2"])
    code = main(["compare", str(family["fifo"]), str(family["social_priority"]), "--set",
                 "3:seed=2", "-o", str(family["fifo"].parent / "out")])
    assert code == 2 and "target '3' names no input" in capsys.readouterr().err


def test_a_change_that_cannot_reach_an_object_given_in_python_is_refused(family):
    """A Scenario object is run as given: a change for it was dropped, or crashed.

    compare([fifo, sp], {"grid.capacity_mw": 20}) ran both at their own capacity and
    compared them as if changed; "2:grid.capacity_mw=20" stopped with OSError (file name too
    long) from reading the object's text as a path. Only the replications reach a copy.
    """
    fifo, priority = (load_scenario(family[n]) for n in ("fifo", "social_priority"))
    for change in ({"grid.capacity_mw": 20}, ["2:grid.capacity_mw=20"],
                   ["social_priority:grid.capacity_mw=20"]):
        with pytest.raises(GridqueueError, match=r"^override .*grid.capacity_mw=20: input \d "
                           r"\(a Scenario object\) is used as it is, so the change would not "
                           r"reach it"):
            compare([fifo, priority], change, workers=1)
    comparison = compare([fifo, priority], {"replications": 3}, workers=1)
    assert {r.scenario.replications for r in comparison.results.values()} == {3}


def test_a_change_for_every_input_is_refused_beside_a_results_object(family):
    """A Results object is read as it ran: a change for every input reached the files only.

    compare([fifo_results, sp_file], {"grid.capacity_mw": 20}) ran social_priority at 20 MW
    and set it against fifo at its own 1 MW, without a word, so the capacity's effect was read
    as the policy's; a Scenario object in its place was refused. Now a Results object is too.
    """
    from sim import run

    ran = run(load_scenario(family["fifo"], {"replications": 2}), workers=1)
    for change in ({"grid.capacity_mw": 20}, ["grid.capacity_mw=20"]):
        with pytest.raises(GridqueueError, match=r"^override grid.capacity_mw=20: input 1 "
                           r"\(a Results object\) is used as it is, so the change would not "
                           r"reach it"):
            compare([ran, family["social_priority"]], change, workers=1)



def test_a_results_object_kept_at_its_replications_is_said_as_a_folder_is(family):
    """replications=3 beside a Results object of 2 ran the file with 3 and said nothing.

    A results folder so kept is warned of; a Results object given in Python now is too, and
    one that ran the number asked is not.
    """
    import warnings

    from sim import run

    ran = run(load_scenario(family["fifo"], {"replications": 2}), workers=1)
    said = (r"input 1 \(a Results object, fifo\): replications=3 sets the replications of "
            r"each scenario file run here, not of a Results object, which is read as it ran "
            r"\(2 replications\)")
    with pytest.warns(GridqueueWarning, match=said):
        compare([ran, family["social_priority"]], replications=3, workers=1)
    with pytest.warns(GridqueueWarning, match=said.replace("replications=3", "override "
                                                           "replications=3")):
        compare([ran, family["social_priority"]], ["replications=3"], workers=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare([ran, family["social_priority"]], replications=2, workers=1)
    assert not [w for w in caught if "a Results object" in str(w.message)]
