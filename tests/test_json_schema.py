"""The JSON Schema of `gridqueue schema` judges scenario files as gridqueue does.

Files are read as an editor reads them, before ``extends`` is resolved and with dates as
text: an editor using the schema must not mark a file that loads wrong, and must mark a
misspelt key or a value out of range.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from sim.cli import main
from tests.comparison_family import FIFO, MEMBERS, PROJECT
from tests.test_bundled_scenarios import SCENARIO_FILES

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted((ROOT / "tests" / "bad_inputs").glob("valid*.yaml"))


class EditorLoader(yaml.SafeLoader):
    """Safe YAML as an editor's language server reads it: a date stays text."""

    yaml_implicit_resolvers = {
        first: [(tag, rule) for tag, rule in rules if tag != "tag:yaml.org,2002:timestamp"]
        for first, rules in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


@pytest.fixture(scope="module")
def validator(tmp_path_factory: pytest.TempPathFactory) -> jsonschema.Draft202012Validator:
    """A validator of the schema the command writes, checking formats (dates) too."""
    path = tmp_path_factory.mktemp("schema") / "scenario.schema.json"
    assert main(["schema", "-o", str(path)]) == 0
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def problems(validator: jsonschema.Draft202012Validator, text: str) -> list[str]:
    """What the schema finds wrong with a scenario file's text, each with its key path.

    An error in one branch of an ``anyOf`` comes with those of every branch beneath it.
    """
    data: Any = yaml.load(text, Loader=EditorLoader)
    pending = list(validator.iter_errors(data))
    found = []
    while pending:
        error = pending.pop(0)
        found.append(f"{'.'.join(map(str, error.absolute_path))}: {error.message}")
        pending.extend(error.context or [])
    return found


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_every_bundled_scenario_file_is_valid_as_written(validator, path: Path):
    """Each bundled file, children included, passes the schema as an editor sees it."""
    assert problems(validator, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("text", [
    *(path.read_text(encoding="utf-8") for path in CORPUS),
    FIFO + PROJECT, *MEMBERS.values(),
], ids=[*(p.stem for p in CORPUS), "comparison_fifo", *MEMBERS])
def test_the_valid_files_of_the_tests_are_valid(validator, text: str):
    """The tests' valid scenarios and their children pass the schema too."""
    assert problems(validator, text) == []


def test_a_child_may_remove_edit_and_replace_what_it_inherits(validator):
    """A null removes a key, {remove, add} edits a named list, a distribution comes whole."""
    child = textwrap.dedent("""\
        extends: base.yaml
        streams:
          storage: null
          logistics:
            demand_mw: {dist: uniform, low: 0.1, high: 1.2}
            patience_years: null
        grid:
          upgrades: {remove: [Station]}
        projects:
          remove: [Campus]
          add: [{name: Hub, date: 2027-01-01, demand_mw: 4, jobs: 150}]
        """)
    assert problems(validator, child) == []


def test_no_default_is_offered_where_a_key_left_out_is_inherited(validator):
    """An editor offered `order: fifo` in a child of social_priority.yaml, undoing it.

    A key a file with extends leaves out keeps the value of the file it extends, but every
    key of the looser form a child is checked against had a `default`, which editors offer
    wherever the key may go. That form now names the default in words, and says where it
    applies; the whole scenario, which only a file without extends must be, keeps its
    defaults, and a file's name, its own stem, has none to offer.
    """
    schema = validator.schema
    loose = [("top level", schema["properties"])] + [
        (name, model.get("properties", {})) for name, model in schema["$defs"].items()
        if name.endswith("Layer")]
    for where, keys in loose:
        for key, value in keys.items():
            assert "default" not in value, f"{where}: {key}"
    order = schema["$defs"]["PolicyLayer"]["properties"]["order"]["description"]
    assert "Default: fifo, where no file gives it (a file with extends that leaves it out " \
        "keeps the value of the file it extends)" in order
    assert "keeps the value of the file it extends" in schema["properties"]["seed"]["description"]
    changes = schema["$defs"]["PolicyLayer"]["properties"]["changes"]["description"]
    assert "unless it sets order, which replaces them" in changes
    assert schema["$defs"]["Policy"]["properties"]["order"]["default"] == "fifo"
    assert schema["$defs"]["Stream"]["properties"]["growth_per_year"]["default"] == 0.0
    assert "default" not in schema["$defs"]["Scenario"]["properties"]["name"]
    assert "Default" not in schema["properties"]["name"]["description"]


def test_a_sweep_block_is_known_and_described(validator):
    """`schema` did not list sweep: an editor marked every file with a sweep: block wrong."""
    sweep = validator.schema["properties"]["sweep"]
    assert "gridqueue sweep" in sweep["description"]
    block = "sweep:\n  grid.capacity_mw: [2, 4]\n  policy.order: [fifo, social_priority]\n"
    assert problems(validator, WHOLE + block) == []
    assert problems(validator, CHILD + block) == []
    assert problems(validator, CHILD + "sweep: null\n") == []
    assert any("sweep.grid.capacity_mw: 3 is not of type 'array'" in problem for problem in
               problems(validator, CHILD + "sweep:\n  grid.capacity_mw: 3\n"))
    assert problems(validator, WHOLE + "sweep:\n  grid..capacity_mw: [1, 2]\n") != []
    assert problems(validator, WHOLE + "sweep:\n  grid.capacity_mw: []\n") != []


WHOLE = textwrap.dedent("""\
    start: 2024-01-01
    end: 2030-01-01
    grid: {capacity_mw: 4}
    streams:
      firms: {category: other, rate_per_year: 12, demand_mw: 0.5}
    """)
CHILD = "extends: base.yaml\nstreams:\n  firms: {rate_per_year: 12}\n"


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(WHOLE.replace("end:", "ned:"), "'ned' was unexpected", id="misspelt_top_key"),
    pytest.param(CHILD + "replicatons: 3\n", "'replicatons' was unexpected",
                 id="misspelt_top_key_in_a_child"),
    pytest.param(WHOLE.replace("rate_per_year: 12", "rate_per_year: -1"),
                 "streams.firms.rate_per_year: -1 is less than the minimum of 0",
                 id="negative_rate"),
    pytest.param(CHILD.replace("rate_per_year: 12", "rate_per_year: -1"),
                 "streams.firms.rate_per_year: -1 is less than the minimum of 0",
                 id="negative_rate_in_a_child"),
    pytest.param(WHOLE.replace("start: 2024-01-01\n", ""), "'start' is a required property",
                 id="missing_start"),
    pytest.param(WHOLE.replace("category: other, ", ""), "'category' is a required property",
                 id="stream_without_category"),
    pytest.param(WHOLE.replace("2030-01-01", "2030-02-30"), "'2030-02-30' is not a 'date'",
                 id="impossible_date"),
    pytest.param(CHILD.replace("{rate_per_year: 12}", "{demand_mw: {dist: uniform, low: 0.1}}"),
                 "streams.firms.demand_mw: 'high' is a required property",
                 id="distribution_in_a_child_without_a_parameter"),
    pytest.param(CHILD + "projects: {remove: [Campus], keep: [Hub]}\n",
                 "'keep' was unexpected", id="list_edit_with_an_unknown_key"),
])
def test_a_wrong_file_is_marked_wrong(validator, text: str, expected: str):
    """Misspelt keys, values out of range and missing keys of a whole file are caught.

    A child may leave out required keys, which its parent gives, but not misspell one or
    give a distribution without all of its parameters (a distribution is replaced whole).
    """
    found = problems(validator, text)
    assert any(expected in problem for problem in found), found
