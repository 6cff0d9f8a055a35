"""The bundled Flevoland scenarios: they load, run, stay paired and cite their numbers.

Also keeps docs/scenario-reference.md in step with the scenario schema.
"""

from __future__ import annotations

import re
import types
import typing
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pydantic import BaseModel

from sim import Results, Scenario, load_scenario, run
from sim.analysis.differences import draws_key
from sim.analysis.questions import read_questions
from sim.inputs.yaml_source import read_scenario_source

ROOT = Path(__file__).resolve().parents[1]
FAMILY = ROOT / "scenarios" / "flevoland"
REFERENCE = ROOT / "docs" / "scenario-reference.md"
OBSERVATIONS = FAMILY / "observations.yaml"
QUESTION_FILES = (FAMILY / "questions.yaml", FAMILY / "questions_2026.yaml")
"""The questions the family answers (make run), not scenarios."""
SCENARIO_FILES = sorted(p for p in FAMILY.glob("*.yaml")
                        if p != OBSERVATIONS and p not in QUESTION_FILES)
REQUIRED = ("base", "fifo", "social_priority", "fifo_onsite", "social_priority_onsite",
            "upgrades_delayed", "upgrades_on_time", "campus", "campus_onsite", "areas",
            "areas_on_time",
            "public_services", "framework_2026", "small_connections", "housing", "rounds_2027",
            "partial_offers", "use_it_or_lose_it", "capacity_limiting", "non_firm",
            "efficiency_2026")
NUMERIC_TAGS = {f"tag:yaml.org,2002:{kind}" for kind in ("int", "float", "timestamp")}
SOURCE_OR_ASSUMPTION = re.compile(r"assumption|\b(19|20)\d\d\b|\.nl\b|Staatscourant")
SHORT_RUN = {"replications": 2}
PAIRED = [
    ("base", "fifo", "social_priority", "fifo_onsite", "social_priority_onsite",
     "upgrades_delayed", "upgrades_on_time", "campus", "campus_onsite"),
]


@cache
def _short_run(name: str) -> Results:
    """Two replications of a bundled scenario, run serially (shared between tests)."""
    return run(load_scenario(FAMILY / f"{name}.yaml", SHORT_RUN), workers=1)


def test_the_family_has_every_required_scenario():
    """Each scenario the documentation promises is bundled."""
    assert set(REQUIRED) <= {path.stem for path in SCENARIO_FILES}


def _chain(path: Path) -> list[Path]:
    return [file.resolve() for file, _ in read_scenario_source(path).files]


def test_each_question_compares_a_variant_with_a_scenario_it_extends():
    """The family's questions difference each variant against what it is built on.

    That is a file it extends (directly or not), or a sibling: another child of its parent.
    """
    variants = set()
    for path in QUESTION_FILES:
        questions = read_questions(path)
        assert len({q.question for q in questions}) <= 6  # one line each in the report
        for question in questions:
            chain, reference = _chain(question.variant), _chain(question.reference)
            assert reference[0] in chain[1:] or reference[1:] == chain[1:], question
        variants |= {q.variant.stem for q in questions}
    # public_services is only the reference of framework_2026, which adds one lever to it
    assert variants == set(REQUIRED) - {"base", "fifo", "public_services"}


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_bundled_scenario_validates(path: Path):
    """Every bundled scenario loads and validates, named after its file."""
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.description


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_bundled_scenario_runs_and_fills_every_table(path: Path):
    """Every bundled scenario runs two replications and produces non-empty tables."""
    results = _short_run(path.stem)
    for table in ("applicants", "timeseries", "summary", "replication_metrics"):
        assert len(getattr(results, table)) > 0, table
    assert set(results.applicants["replication"]) == {0, 1}
    assert (results.applicants["outcome"] == "connected").any()
    has_projects = bool(results.scenario.projects)
    assert (len(results.projects) > 0) == has_projects


def test_bundled_family_shares_one_seed():
    """All family members use the same root seed, so their replications are paired."""
    seeds = {load_scenario(path).seed for path in SCENARIO_FILES}
    assert len(seeds) == 1


def test_policy_variants_see_the_same_applicants():
    """FIFO and social priority draw identical applicants (common random numbers)."""
    fifo = _short_run("fifo").applicants
    social = _short_run("social_priority").applicants
    same = ["replication", "request_date", "stream", "demand_mw", "jobs", "priority_requested"]
    assert fifo[same].equals(social[same])
    assert not fifo["outcome"].equals(social["outcome"])


def test_social_priority_shortens_the_wait_of_basic_needs():
    """With the same applicants, social priority connects basic needs sooner than FIFO."""
    fifo = _short_run("fifo").figure("basic_needs", "wait_mean_years")[0]
    social = _short_run("social_priority").figure("basic_needs", "wait_mean_years")[0]
    assert social < fifo


def test_the_2026_framework_moves_public_services_up():
    """Public services wait less once they count in categories 2 and 3, the same requests."""
    before = _short_run("public_services").applicants
    after = _short_run("framework_2026").applicants
    same = ["replication", "request_date", "stream", "demand_mw"]
    assert before[same].equals(after[same])
    services = after["stream"].isin(["utilities", "public_transport_waste"])
    assert after.loc[services, "wait_years"].mean() < before.loc[services, "wait_years"].mean()
    moved = after.loc[services & (after["request_date"] < "2026-01-01"), "final_category"]
    assert set(moved.astype(str)) <= {"other", "safety", "basic_needs"}
    assert (moved.astype(str) != "other").any()


def test_ranking_by_efficiency_reorders_only_the_congestion_relievers_after_2026():
    """The same requests; from 2026 storage with priority is served in another order."""
    before = _short_run("social_priority").applicants
    after = _short_run("efficiency_2026").applicants
    same = ["replication", "request_date", "stream", "demand_mw", "priority_requested"]
    assert before[same].equals(after[same])
    early = before["connect_date"] < "2026-01-01"
    assert before.loc[early, "connect_date"].equals(after.loc[early, "connect_date"])
    changed = before["connect_date"].ne(after["connect_date"]) & ~early
    assert (after.loc[changed, "stream"] == "storage").any()


def test_new_streams_ask_only_within_their_period():
    """Small connections ask from 2026-07-01, homes from 2026-10-01, in blocks of homes."""
    small = _short_run("small_connections").applicants
    assert small.loc[small["stream"] == "small_business", "request_date"].min() >= \
        pd.Timestamp("2026-07-01")
    homes = _short_run("housing").applicants
    blocks = homes[homes["stream"] == "new_homes"]
    assert blocks["request_date"].min() >= pd.Timestamp("2026-10-01")
    assert blocks["homes"].between(50, 250).all()
    assert (homes.loc[homes["stream"] != "new_homes", "homes"] == 0).all()


def test_rounds_connect_those_without_priority_only_on_round_dates():
    """From 2026-07-01, applicants without priority connect only on 1 January of a year."""
    frame = _short_run("rounds_2027").applicants
    late = frame[(frame["connect_date"] >= "2026-07-01") & ~frame["priority_requested"]]
    assert len(late) > 0
    assert ((late["connect_date"].dt.month == 1) & (late["connect_date"].dt.day == 1)).all()


def test_capacity_release_mechanisms_take_mw_back_from_connected_users():
    """Under use-it-or-lose-it some connected users hold less than they asked; not without."""
    for name in ("use_it_or_lose_it", "capacity_limiting"):
        frame = _short_run(name).applicants
        connected = frame[frame["outcome"] == "connected"]
        assert (connected["connected_mw"] < connected["requested_mw"] - 1e-9).any(), name
    plain = _short_run("social_priority").applicants
    connected = plain[plain["outcome"] == "connected"]
    assert (connected["connected_mw"] == connected["requested_mw"]).all()


def test_capacity_limiting_is_described_as_the_once_per_user_review_it_runs():
    """Each user is reviewed once, so about 10% of those connected hold less, not 10% a year.

    The tables of the family described it as "each year 10% of connected users take a
    contract", which over ten years would be most of them and several times the MW freed.
    """
    frame = _short_run("capacity_limiting").applicants
    connected = frame[frame["outcome"] == "connected"]
    cut = (connected["connected_mw"] < connected["requested_mw"] - 1e-9).mean()
    assert 0.05 < cut < 0.15
    rows = [line for path in (ROOT / "scenarios" / "README.md", ROOT / "docs" / "model.md")
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith(("| `capacity_limiting.yaml`", "| `capacity_limiting`"))]
    assert len(rows) == 2
    for row in rows:
        assert "each year 10%" not in row and "once" in row, row


def test_base_queue_matches_the_october_2023_waiting_list():
    """The calibrated arrivals give a queue near the ~210 reported in October 2023."""
    timeseries = _short_run("base").timeseries
    october = timeseries[timeseries["date"] == "2023-10-17"]
    assert 160 <= october["queue_total"].mean() <= 260


def test_upgrade_variants_change_only_the_reinforcement_date():
    """The upgrade variants restate base.yaml's upgrades and move only the last one's date."""
    base = load_scenario(FAMILY / "base.yaml").grid.upgrades
    for name, year in (("upgrades_delayed", 2035), ("upgrades_on_time", 2029)):
        upgrades = load_scenario(FAMILY / f"{name}.yaml").grid.upgrades
        assert upgrades[:-1] == base[:-1], name
        assert upgrades[-1].date.year == year
        assert upgrades[-1].model_copy(update={"date": base[-1].date}) == base[-1]


CHILDREN = {path: parent for path in SCENARIO_FILES
            if (parent := yaml.safe_load(path.read_text(encoding="utf-8")).get("extends"))}
"""Each bundled scenario that extends another, with the file it extends."""


@pytest.mark.parametrize("path", CHILDREN, ids=lambda p: p.stem)
def test_a_restated_upgrade_keeps_all_but_its_date(path: Path):
    """An upgrade a variant restates by its parent's name differs from it in the date at most.

    Lists are replaced by ``extends``, so a variant that restates the upgrades to drop or move
    one could silently lose another's delay: a second change its comparison would mix in.
    """
    parent = {u.name: u for u in load_scenario(path.parent / CHILDREN[path]).grid.upgrades}
    for upgrade in load_scenario(path).grid.upgrades:
        if upgrade.name in parent:
            kept = parent[upgrade.name]
            assert upgrade.model_copy(update={"date": kept.date}) == kept, upgrade.name


@pytest.mark.parametrize("group", PAIRED, ids=lambda g: "+".join(g))
def test_family_members_are_paired(group: tuple[str, ...]):
    """Members differing in policy, on-site generation, upgrade dates or projects draw alike."""
    keys = {draws_key(load_scenario(FAMILY / f"{name}.yaml")) for name in group}
    assert len(keys) == 1


def _numeric_lines(node: yaml.Node) -> list[int]:
    """Zero-based lines of every number or date given as a value in a composed YAML tree."""
    if isinstance(node, yaml.MappingNode):
        return [line for _, value in node.value for line in _numeric_lines(value)]
    if isinstance(node, yaml.SequenceNode):
        return [line for item in node.value for line in _numeric_lines(item)]
    if isinstance(node, yaml.ScalarNode) and node.tag in NUMERIC_TAGS:
        return [node.start_mark.line]
    return []


@pytest.mark.parametrize("path", [*SCENARIO_FILES, OBSERVATIONS], ids=lambda p: p.stem)
def test_every_number_carries_its_source_or_says_assumption(path: Path):
    """Each line giving a number or date has a comment naming a source or an assumption."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    missing = []
    for line in sorted(set(_numeric_lines(yaml.compose(text, Loader=yaml.SafeLoader)))):
        _, hash_sign, comment = lines[line].partition(" #")
        if not hash_sign or not SOURCE_OR_ASSUMPTION.search(comment):
            missing.append(f"{path.name}:{line + 1}: {lines[line].strip()}")
    assert not missing, "\n".join(missing)


def _models(annotation: typing.Any) -> list[type[BaseModel]]:
    """The pydantic models inside a field annotation (through Optional, lists, dicts)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return []
    if origin is typing.Annotated:
        return _models(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, dict):
        return [model for arg in typing.get_args(annotation) for model in _models(arg)]
    return []


def _schema_keys() -> dict[str, set[str]]:
    """Every model reachable from Scenario, by class name, with the keys a file may use."""
    keys: dict[str, set[str]] = {}
    pending: list[type[BaseModel]] = [Scenario]
    while pending:
        model = pending.pop()
        if model.__name__ in keys:
            continue
        fields = model.model_fields
        keys[model.__name__] = {field.alias or name for name, field in fields.items()}
        pending.extend(m for field in fields.values() for m in _models(field.annotation))
    return keys


def _reference_sections() -> dict[str, set[str]]:
    """Keys in the table rows of each section of the reference, by the heading's first word."""
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].split()[0].strip("`:"), set())
        elif current is not None and (row := re.match(r"\|\s*`([^`]+)`\s*\|", line)):
            current.add(row.group(1))
    return sections


def test_scenario_reference_lists_every_key():
    """docs/scenario-reference.md has a section per schema model listing exactly its keys."""
    documented = _reference_sections()
    for model, keys in _schema_keys().items():
        assert model in documented, f"no section '## {model}' in {REFERENCE.name}"
        assert documented[model] == keys, (
            f"{model}: missing {sorted(keys - documented[model])}, "
            f"not in the schema {sorted(documented[model] - keys)}"
        )


def test_the_known_simplifications_say_what_the_family_draws_and_ties():
    """Section 8 of docs/model.md matches the files: the reinforcement's delay is drawn.

    It said the main reinforcement's timing was "explored by scenario variants rather than
    drawn" and that upgrade delays were independent, while base.yaml draws its delay and
    areas.yaml ties stations together with same_delay_as; and it said nothing of congestion
    relievers freeing no capacity, which a planner reading an answer on social priority needs.
    """
    fgu = load_scenario(FAMILY / "base.yaml").grid.upgrades[-1]
    assert fgu.delay_years is not None
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    section = text[text.index("## 8. Known simplifications"):text.index("## 9. Glossary")]
    flat = " ".join(section.split())
    assert "rather than drawn" not in flat
    assert "same_delay_as" in flat
    assert "A congestion reliever relieves nothing in the model" in flat
