"""Loading scenarios: extends chains, overrides, and where an error is reported."""

from __future__ import annotations

import textwrap
import typing
import warnings
from pathlib import Path

import pytest

from sim import GridqueueWarning, InputError, load_scenario
from sim.inputs.distributions import Distribution
from sim.runs.results import scenario_yaml

BASE = """\
name: base
start: 2024-01-01
end: 2030-01-01
grid:
  capacity_mw: 4
  upgrades:
    - {name: station, date: 2028-01-01, add_mw: 50}
streams:
  firms:
    category: other
    rate_per_year: 12
    demand_mw: {dist: lognormal, median: 0.4, sigma: 0.8}
policy: {order: fifo}
"""


@pytest.fixture
def family(tmp_path):
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "child.yaml").write_text(textwrap.dedent("""\
        extends: base.yaml
        name: child
        grid:
          capacity_mw: 6
        policy: {order: social_priority}
        """))
    return tmp_path


def test_extends_merges_mappings_and_keeps_the_rest(family):
    """A child overrides only what it names; nested mappings merge key by key."""
    child = load_scenario(family / "child.yaml")
    assert child.grid.capacity_mw == 6
    assert child.grid.upgrades[0].add_mw == 50  # from the base
    assert child.policy.order == "social_priority"
    assert child.streams["firms"].rate_per_year == 12


def test_a_child_without_a_name_is_named_after_its_own_file(family):
    """A parent's name is not inherited: it would send the child's results to its folder."""
    (family / "unnamed.yaml").write_text("extends: base.yaml\nreplications: 2\n")
    assert load_scenario(family / "unnamed.yaml").name == "unnamed"
    assert load_scenario(family / "child.yaml").name == "child"
    assert load_scenario(family / "base.yaml").name == "base"
    assert load_scenario(family / "unnamed.yaml", {"name": "mine"}).name == "mine"


def test_a_child_replaces_an_inherited_distribution_whole(family):
    """A distribution is one value: a child's {dist: ...} replaces the parent's, family and all."""
    (family / "child.yaml").write_text(textwrap.dedent("""\
        extends: base.yaml
        streams:
          firms:
            demand_mw: {dist: uniform, low: 0.1, high: 1.2}
            patience_years: {dist: weibull, shape: 0.8, scale: 6}
        """))
    firms = load_scenario(family / "child.yaml").streams["firms"]
    assert firms.demand_mw.model_dump() == {"dist": "uniform", "low": 0.1, "high": 1.2}
    assert firms.patience_years.model_dump() == {"dist": "weibull", "shape": 0.8, "scale": 6}
    assert firms.rate_per_year == 12  # the rest of the stream is still merged


def test_a_child_of_a_bundled_scenario_changes_a_family(tmp_path):
    """The bundled parents too: uniform demand and weibull patience replace their lognormal."""
    import shutil
    from pathlib import Path

    shutil.copytree(Path(__file__).resolve().parents[1] / "scenarios" / "flevoland", tmp_path,
                    dirs_exist_ok=True)
    (tmp_path / "mine.yaml").write_text(textwrap.dedent("""\
        extends: social_priority.yaml
        streams:
          logistics:
            demand_mw: {dist: uniform, low: 0.1, high: 1.2}
            patience_years: {dist: weibull, shape: 0.7, scale: 9}
        """))
    logistics = load_scenario(tmp_path / "mine.yaml").streams["logistics"]
    assert logistics.demand_mw.mean == pytest.approx(0.65)
    assert logistics.patience_years.model_dump()["dist"] == "weibull"


def test_a_bad_distribution_in_a_child_names_the_child(family):
    """What a child's distribution lacks is its own mistake, reported at its own line.

    Parameters without ``dist`` do not edit the parent's distribution either: a distribution
    is given whole.
    """
    (family / "child.yaml").write_text(
        "extends: base.yaml\nstreams:\n  firms:\n    demand_mw: {dist: uniform, low: 0.1}\n")
    with pytest.raises(InputError, match=r"child.yaml:4: streams.firms.demand_mw.high: missing"):
        load_scenario(family / "child.yaml")
    (family / "child.yaml").write_text(
        "extends: base.yaml\nstreams:\n  firms:\n    demand_mw: {median: 2}\n")
    with pytest.raises(InputError, match=r"child.yaml:4: streams.firms.demand_mw: expected a "
                       r"whole distribution with its dist: the parent file gives \{dist: "
                       r"lognormal, median: 0.4, sigma: 0.8\}, which a child replaces whole "
                       r"rather than edits, so write every parameter, such as \{dist: "
                       r"lognormal, median: 2, sigma: 0.8\}$"):
        load_scenario(family / "child.yaml")


FAMILIES = [typing.get_args(spec.model_fields["dist"].annotation)[0]
            for spec in typing.get_args(typing.get_args(Distribution)[0])]
"""The name of every family of the ``Distribution`` union, one added to it included."""


@pytest.mark.parametrize("name", FAMILIES)
def test_every_family_is_named_in_errors_as_the_file_gives_it(family, name):
    """A family's wrong key is at the file's key path, with the keys expected, and is listed.

    The names were kept by hand beside the union: a family added to the union alone was
    reported at ``demand_mw.<family>.<key>``, without the keys it takes, and a misspelt
    family was not listed among those expected.
    """
    with pytest.raises(InputError, match=r"--set .*: streams\.firms\.demand_mw\.bogus: unknown "
                       r"key; expected one of dist, "):
        load_scenario(family / "child.yaml",
                      [f"streams.firms.demand_mw={{dist: {name}, bogus: 1}}"])
    with pytest.raises(InputError) as caught:
        load_scenario(family / "child.yaml", ["streams.firms.demand_mw={dist: nope}"])
    assert str(caught.value).endswith(f"expected dist: one of {', '.join(FAMILIES)}")


def test_an_override_replaces_a_distribution_whole_as_a_child_does(family):
    """--set with a distribution gives the same scenario as a child file with it."""
    value = "{dist: uniform, low: 0.1, high: 1.2}"
    (family / "uniform.yaml").write_text(
        f"extends: child.yaml\nname: child\nstreams: {{firms: {{demand_mw: {value}}}}}\n")
    by_set = load_scenario(family / "child.yaml", [f"streams.firms.demand_mw={value}"])
    assert by_set.model_dump() == load_scenario(family / "uniform.yaml").model_dump()


def test_overrides_as_strings_and_as_a_mapping(family):
    """--set style strings and a Python mapping give the same scenario."""
    by_text = load_scenario(family / "child.yaml",
                            ["grid.upgrades.0.add_mw=20", "replications=3"])
    by_dict = load_scenario(family / "child.yaml",
                            {"grid.upgrades.0.add_mw": 20, "replications": 3})
    assert by_text.model_dump() == by_dict.model_dump()
    assert by_text.grid.upgrades[0].add_mw == 20


def test_error_names_the_file_and_line_that_gave_the_key(family):
    """A bad value inherited from the base is reported in base.yaml at its line."""
    (family / "base.yaml").write_text(BASE.replace("rate_per_year: 12", "rate_per_year: -1"))
    with pytest.raises(InputError) as caught:
        load_scenario(family / "child.yaml")
    error = caught.value
    assert error.source.endswith("base.yaml") and error.line == 11
    assert error.key_path == "streams.firms.rate_per_year"
    assert "expected a number >= 0" in str(error)


def test_error_from_an_override_names_the_override(family):
    """A bad --set value is reported as coming from that --set."""
    with pytest.raises(InputError, match=r"--set grid.capacity_mw=-2: grid.capacity_mw"):
        load_scenario(family / "child.yaml", ["grid.capacity_mw=-2"])


def test_misspelt_key_suggests_the_nearest(family):
    """An unknown key names the nearest valid one."""
    (family / "child.yaml").write_text("extends: base.yaml\nreplicatons: 4\n")
    with pytest.raises(InputError, match="did you mean 'replications'"):
        load_scenario(family / "child.yaml")


def test_a_misspelt_stream_in_a_child_suggests_the_inherited_one(family):
    """A child naming a stream its parents lack, close to one they have, says which."""
    (family / "child.yaml").write_text("extends: base.yaml\nstreams:\n  firsm:\n"
                                       "    rate_per_year: 100\n")
    with pytest.raises(InputError, match=r"child.yaml:3: streams.firsm: a new stream, which "
                       r"needs category and demand_mw \(did you mean 'firms'\?\)"):
        load_scenario(family / "child.yaml")


def test_a_misspelt_stream_in_an_override_suggests_the_inherited_one(family):
    """--set naming a stream the files lack, close to one they have, says which."""
    with pytest.raises(InputError, match=r"^--set streams.firsm.rate_per_year=3: streams.firsm: "
                       r"a new stream, which needs category and demand_mw \(did you mean "
                       r"'firms'\?\)$"):
        load_scenario(family / "child.yaml", ["streams.firsm.rate_per_year=3"])


def test_a_misspelt_stream_of_a_bundled_scenario_is_named(tmp_path):
    """The bundled family too: logistcs in a child of social_priority.yaml means logistics."""
    import shutil
    from pathlib import Path

    shutil.copytree(Path(__file__).resolve().parents[1] / "scenarios" / "flevoland", tmp_path,
                    dirs_exist_ok=True)
    (tmp_path / "mine.yaml").write_text(
        "extends: social_priority.yaml\nstreams: {logistcs: {rate_per_year: 100}}\n")
    with pytest.raises(InputError, match=r"mine.yaml:2: streams.logistcs: a new stream, which "
                       r"needs category and demand_mw \(did you mean 'logistics'\?\)"):
        load_scenario(tmp_path / "mine.yaml")


def test_a_misspelt_area_in_an_override_suggests_the_one_given():
    """Areas are named entries too: a new area close to a given one is named."""
    from pathlib import Path

    valid = Path(__file__).resolve().parent / "bad_inputs" / "valid_areas.yaml"
    with pytest.raises(InputError, match=r"grid.areas.almer: a new area, which needs "
                       r"capacity_mw \(did you mean 'almere'\?\)"):
        load_scenario(valid, ["grid.areas.almer.upgrades=[]"])


def test_a_new_stream_unlike_any_other_only_says_what_it_lacks(family):
    """Without a close inherited name, or in the file that first gives it, no guess is made."""
    (family / "child.yaml").write_text("extends: base.yaml\nstreams: {farmers: {category: "
                                       "other, rate_per_year: 3}}\n")  # 0.67 like firms
    with pytest.raises(InputError, match=r"streams.farmers.demand_mw: missing: this key is "
                       "required$"):
        load_scenario(family / "child.yaml")
    one_file = BASE.replace("policy:", "  firm: {rate_per_year: 2}\npolicy:")
    (family / "base.yaml").write_text(one_file)
    with pytest.raises(InputError, match=r"base.yaml:\d+: streams.firm.category: missing"):
        load_scenario(family / "base.yaml")


def test_resolved_scenario_loads_back_to_the_same_scenario(family, tmp_path):
    """scenario.yaml written with results is the full scenario, loadable as it is."""
    child = load_scenario(family / "child.yaml")
    copy = tmp_path / "resolved.yaml"
    copy.write_text(scenario_yaml(child))
    assert load_scenario(copy).model_dump() == child.model_dump()


def test_rounds_last_until_a_change_of_allocation_ends_them(family):
    """A change of order keeps the rounds; one of allocation ends them.

    A round after a change of order is held; after a change of allocation it would be held by
    nobody, and is refused.
    """
    rounds = {"policy.allocation": "rounds", "policy.rounds": {"dates": ["2025-01-01",
                                                                        "2029-01-01"]},
              "policy.changes": [{"date": "2027-01-01", "order": "fifo"}]}
    kept = load_scenario(family / "base.yaml", rounds)
    assert kept.policy.regimes()[1][1].rounds == kept.policy.rounds
    ended = {**rounds, "policy.changes": [{"date": "2027-01-01", "allocation": "strict"}]}
    with pytest.raises(InputError, match=r"policy.rounds.dates.1: expected a date while these "
                       r"rounds are in force, from 2024-01-01 to before 2027-01-01"):
        load_scenario(family / "base.yaml", ended)



@pytest.mark.parametrize("key, limit", [("homes_per_request", 100_000), ("demand_mw", 10_000),
                                        ("jobs", 1_000_000)])
def test_a_lognormal_stated_at_its_limit_is_accepted_and_one_above_is_not(key, limit,
                                                                         tmp_path):
    """The mean stated is the one checked: worked out again from mu it rounded above the limit.

    A lognormal given a mean of exactly 100,000 homes (any sigma) was refused as
    "at most 100000 homes, got 1e+05".
    """
    def scenario_with_mean(mean: float) -> Path:
        path = tmp_path / "limit.yaml"
        path.write_text(textwrap.dedent(f"""\
            start: 2024-01-01
            end: 2025-01-01
            grid: {{capacity_mw: 1}}
            streams:
              s:
                category: basic_needs
                rate_per_year: 1
                {"" if key == "demand_mw" else "demand_mw: 1.0"}
                {key}: {{dist: lognormal, mean: {mean!r}, sigma: 5}}
            """), encoding="utf-8")
        return path

    assert load_scenario(scenario_with_mean(float(limit))).streams["s"] is not None
    with pytest.raises(InputError, match=rf"streams\.s\.{key}.*expected a mean of at most"):
        load_scenario(scenario_with_mean(limit * 1.0001))


@pytest.mark.parametrize("homes", ["0", "0.4", "{dist: uniform, low: 0, high: 1.5}"])
def test_fewer_than_one_home_a_request_is_refused(homes):
    """``homes_per_request: 0`` was accepted and every request taken as one home."""
    housing = Path(__file__).parent.parent / "scenarios" / "flevoland" / "housing.yaml"
    with pytest.raises(InputError, match=r"streams.housing.homes_per_request: expected a mean "
                       r"of at least 1 home: a request is a block of at least 1"):
        load_scenario(housing, [f"streams.housing.homes_per_request={homes}"])
    load_scenario(housing, ["streams.housing.homes_per_request=1"])


@pytest.mark.parametrize(("setting", "ending"), [
    ("streams.firms.partial_offer={min_share: 35}",
     "expected a number < 1.0, got 35 (shares and fractions run from 0 to 1: 0.35 for 35%)"),
    ("streams.firms.partial_offer={min_share: 0.5, accept_share: 100}",
     "expected a number <= 1.0, got 100 (shares and fractions run from 0 to 1: 1 for 100%)"),
    ("streams.firms.partial_offer={min_share: 100}", "expected a number < 1.0, got 100"),
])
def test_a_share_in_percent_is_answered_with_a_fraction_that_is_accepted(family, setting,
                                                                         ending):
    """100 where a share must stay below 1 read '1 for 100%': a value refused just the same."""
    with pytest.raises(InputError) as caught:
        load_scenario(family / "base.yaml", [setting])
    assert str(caught.value).endswith(ending)


def test_an_unknown_key_whose_value_is_a_block_is_named_on_its_own_line(family):
    """Not on the first line of the block beneath it, as it was."""
    (family / "block.yaml").write_text("extends: base.yaml\n\ngrid:\n  capacity_mw: 5\n"
                                       "  upgradez:\n    - {name: x, date: 2030-01-01, "
                                       "add_mw: 3}\n")
    with pytest.raises(InputError, match=r"block.yaml:5: grid.upgradez: unknown key \(did you "
                       r"mean 'upgrades'\?\)"):
        load_scenario(family / "block.yaml")


def test_an_upgrade_delayed_past_the_end_for_certain_is_named(family, tmp_path):
    """An upgrade whose shortest delay takes it past the end adds nothing: a warning says so.

    It was silent in run (validate's outline said so); one that may still come within the
    run is quiet.
    """
    late = "grid.upgrades.0.delay_years={dist: uniform, low: 2.5, high: 3}"
    with pytest.warns(GridqueueWarning, match=r"--set grid.upgrades.0.delay_years=.*: "
                      r"grid.upgrades.0 \(station\) comes at the earliest on 2030-07-0\d, "
                      r"after the end \(2030-01-01\), so it adds nothing in this run"):
        load_scenario(family / "base.yaml", [late])
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridqueueWarning)
        load_scenario(family / "base.yaml", ["grid.upgrades.0.delay_years={dist: uniform, "
                                             "low: 1.5, high: 3}"])
