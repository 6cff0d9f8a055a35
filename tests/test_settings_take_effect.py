"""Every setting of the bundled scenarios acts: a setting that silently does nothing is a bug.

For each bundled scenario, each leaf setting its own file gives (read with ``yaml.safe_load``:
what the file sets, not what it inherits), and a curated list of documented keys the files
leave at their defaults (docs/scenario-reference.md), is perturbed through the overrides of
``--set``: numbers scaled, dates moved, enumerations switched, distributions replaced by another
family. One replication of the perturbed scenario must give other applicants, timeseries or
replication metrics than the same replication of the scenario as it is (numbers to a relative
1e-9). A value a file restates as it inherits it is tested in the file that first gives it.

A perturbation that legitimately changes nothing is listed with its reason in
:data:`EXPECTED_NO_EFFECT`, and checked to change nothing, so the list cannot go stale. One
that should act and does not is in :data:`KNOWN_BUGS`, a strict xfail until it is fixed. A
setting that can act only where the bundled world lets it (an order of the queue before any
capacity comes, say) is tested in a world where it can: see :func:`_world`.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import InputError, Scenario
from sim.inputs.loading import load_variant
from sim.inputs.observations import read_observations
from sim.inputs.yaml_source import ScenarioSource, read_scenario_source
from sim.runs.runner import run_replications

ROOT = Path(__file__).resolve().parents[1]
FAMILY = ROOT / "scenarios" / "flevoland"
NOT_SCENARIOS = {"observations", "questions", "questions_2026"}
"""Files of the family that are no scenarios: published figures and the family's questions."""
SCENARIO_FILES = sorted(p for p in FAMILY.glob("*.yaml") if p.stem not in NOT_SCENARIOS)
# Some 430 runs of the bundled scenarios: not traced for coverage, which the other runs of
# these scenarios measure (tracing would quadruple its time), and started first.
pytestmark = [pytest.mark.slow, pytest.mark.no_cover]

SHORT = {"replications": 1}
"""One replication shows a change; over the whole period, since upgrades must lie inside it."""

LABELS = {"extends", "name", "description"}
"""Top-level keys that only name, describe or locate the file (docs/scenario-reference.md)."""
PROJECT_LABELS = {"name"}
"""A project's ``name`` is only "shown in the outputs"; it is left out like the labels.

Upgrades and capacity releases have a ``name`` too, but it also names the random stream of
their delay or of who takes part, so those are perturbed like any other setting.
"""

SHARES = {"share", "user_share", "mw_share", "accept_share", "keep_firm_place_share",
          "min_share", "hours_share", "self_supply", "cover"}
"""Keys holding a number from 0 to 1 (as the entries of ``priority_uptake`` do)."""
OTHER_VALUE = {
    "order": {"fifo": "social_priority", "social_priority": "fifo", "policy": "rotation",
              "rotation": "proportional", "proportional": "policy"},
    "allocation": {"first_fit": "strict", "strict": "first_fit"},
    "fit": {"first_fit": "strict", "strict": "first_fit"},
    "congestion_relief": {"efficiency": "request_date", "request_date": "efficiency"},
}
"""Another valid value of each enumeration, by key (``within_category`` is keyed by category)."""
SCORES = {"dist": "lognormal", "median": 1.0, "sigma": 1.0}
"""Efficiency scores for a perturbation. Only their order counts, and a triangular in place of
a uniform draws a monotone function of the same random numbers: the same order, no change."""


@dataclass(frozen=True)
class Case:
    """One setting of one scenario, and perturbations that change it (the first accepted runs).

    ``setup`` overrides make the world both runs start from, where the setting can act.
    """

    scenario: str
    key: str
    perturbations: tuple[dict[str, Any], ...]
    setup: dict[str, Any] = field(default_factory=dict)
    variant: str = ""
    """Tells apart two curated values of one key."""

    @property
    def id(self) -> str:
        return f"{self.scenario}:{self.key}" + (f"={self.variant}" if self.variant else "")


# -- the leaf settings of each file -------------------------------------------------------


def _is_distribution(value: Any) -> bool:
    return isinstance(value, dict) and "dist" in value


def _leaves(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Each leaf setting under ``node``, as a dotted key path and its value.

    A distribution and a list of plain values (a category order) are one setting each; list
    items that are mappings (upgrades, policy changes) or dates (rounds) are one per item.
    """
    if isinstance(node, dict) and node and not _is_distribution(node):
        for key, value in node.items():
            yield from _leaves(value, (*path, str(key)))
    elif isinstance(node, list) and node and all(
            isinstance(item, dict | dt.date) and not _is_distribution(item) for item in node):
        for index, item in enumerate(node):
            yield from _leaves(item, (*path, str(index)))
    else:
        yield ".".join(path), node


def _own_settings(path: Path) -> list[tuple[str, Any]]:
    """The leaf settings a scenario file gives itself, labels left out.

    A value the file restates as it inherits it (a list of upgrades is replaced whole, so a
    variant moving one restates the others) is the same setting as its parent's, tested there.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    parent = data.get("extends")
    inherited = read_scenario_source(path.parent / parent).data if parent else {}
    merged = read_scenario_source(path).data
    return [(key, value) for key, value in _leaves(data) if key not in LABELS
            and not (key.startswith("projects.") and key.split(".")[-1] in PROJECT_LABELS)
            and _at(inherited, key) != value
            and all(_at(merged, other) != value for other in _sector_keys(key))]


def _sector_keys(key: str) -> list[str]:
    """The same setting of the sector's own stream, for a stream one area has of a sector.

    ``areas.yaml`` gives each sector a stream per area (``lelystad_logistics`` beside
    ``logistics``) that repeats the sector's category, sizes, jobs and patience: a value it
    repeats is the sector's setting, tested where the sector's stream gives it. Each ending of
    the name after an underscore may be the sector's.
    """
    parts = key.split(".")
    if len(parts) < 3 or parts[0] != "streams":
        return []
    words = parts[1].split("_")
    return [".".join(["streams", "_".join(words[i:]), *parts[2:]]) for i in range(1, len(words))]


def _at(data: Any, key: str) -> Any:
    """The value at a dotted key path of merged data; a sentinel where there is none."""
    for part in key.split("."):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return _NOWHERE
    return data


_NOWHERE = object()


# -- perturbations ------------------------------------------------------------------------


def _shifted(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months (to the 28th at most, which every month has)."""
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=min(day.day, 28))


def _other_distribution(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Another family with half the mean, or the same one halved (efficiency: another order)."""
    family = spec["dist"]
    if name == "efficiency":
        return SCORES
    if family == "lognormal":
        mean = spec.get("mean") or spec["median"] * 2.718281828459045 ** (spec["sigma"] ** 2 / 2)
        return {"dist": "exponential", "mean": mean / 2}
    if family == "exponential":
        return {"dist": "lognormal", "mean": spec["mean"] / 2, "sigma": 0.5}
    if family == "uniform":
        return {"dist": "triangular", "low": spec["low"], "mode": spec["low"], "high": spec["high"]}
    if family == "triangular":
        return {"dist": "uniform", "low": spec["low"], "high": (spec["low"] + spec["high"]) / 2}
    if family == "weibull":
        return {**spec, "scale": spec["scale"] / 2}
    if family == "empirical":
        return {**spec, "values": [value / 2 for value in spec["values"]]}
    if family == "fixed":
        return {**spec, "value": spec["value"] / 2 or 1.0}
    raise ValueError(f"{name}: {family!r} is no distribution family of the schema")


def _other_number(name: str, parents: list[str], value: float) -> float:
    """A share halved (a half for none); months halved or doubled; other numbers doubled."""
    if name == "accept_share":  # everyone accepts: a few more takers may meet no offer
        return 1.0 if value < 1 else 0.5
    if name in SHARES or "priority_uptake" in parents:
        return value / 2 or 0.5
    if name == "seed" or name == "after_years":
        return value + 1
    if name.endswith("_months"):
        return value * 2 if value < 12 else value // 2
    doubled = value * 2 or 1
    return int(doubled) if isinstance(value, int) else doubled


def _perturbations(scenario: str, key: str, value: Any) -> tuple[dict[str, Any], ...]:
    """Overrides that give the setting at ``key`` another valid value, best first."""
    parts = key.split(".")
    name = next(part for part in reversed(parts) if not part.isdigit())
    if isinstance(value, bool):
        return ({key: not value},)
    if isinstance(value, dt.date):
        return tuple({key: _shifted(value, months)} for months in (12, -12, 6, -6, 1, -1))
    if key == "replications":
        return ({key: 2},)
    if isinstance(value, int | float):
        return ({key: _other_number(name, parts[:-1], value)},)
    if _is_distribution(value):
        return ({key: _other_distribution(name, value)},)
    if value is None and name.endswith("_years"):
        return ({key: {"dist": "exponential", "mean": 5}},)
    if isinstance(value, str):
        return _other_text(_source(scenario).data, key, parts, name, value)
    if name == "remove" and isinstance(value, list):
        return _removing_fewer(scenario, key, value)
    if isinstance(value, list):
        return _other_list(key, name, value)
    return ()


def _removing_fewer(scenario: str, key: str, names: list[str]) -> tuple[dict[str, Any], ...]:
    """A list edit ``{remove: [names]}`` that keeps the last item it removes (given whole).

    ``--set`` cannot reach into the edit (it acts on the merged list), so the perturbed
    scenario gives the merged list with that inherited item back in its place.
    """
    listed = key.removesuffix(".remove")
    parent = yaml.safe_load((FAMILY / f"{scenario}.yaml").read_text(encoding="utf-8"))["extends"]
    inherited = _at(_source(Path(parent).stem).data, listed)
    kept = [item["name"] for item in _at(_source(scenario).data, listed)]
    back = {*kept, names[-1]}
    return ({listed: [item for item in inherited if item["name"] in back]},)


def _other_text(data: dict[str, Any], key: str, parts: list[str], name: str,
                value: str) -> tuple[dict[str, Any], ...]:
    """Another value of a text setting: a name, a category, an area, a right or an enumeration."""
    if name == "name":  # an upgrade sharing this one's delay follows it to the new name
        renamed = f"{value} (renamed)"
        return ({key: renamed, **dict.fromkeys(_sharing_the_delay_of(data, value), renamed)},)
    if name == "same_delay_as":  # a delay of its own instead: the parts of a station come apart
        return ({key: None, key.replace("same_delay_as", "delay_years"):
                 {"dist": "uniform", "low": 0, "high": 2}},)
    if name == "category":  # a category change must change the category: try each
        return tuple({key: c} for c in ("other", "basic_needs", "safety") if c != value)
    if name == "area":
        return ({key: next(area for area in data["grid"]["areas"] if area != value)},)
    if name == "right":  # a right no longer offered to anyone is refused: then it goes too
        others = [right for right in data["non_firm"]["rights"] if right != value]
        return (*({key: right} for right in others),
                *({key: right, f"non_firm.rights.{value}": None} for right in others))
    if name == "observations":
        return ({key: []},)
    if parts[:2] == ["policy", "changes"] and name in ("order", "allocation"):
        return (_other_policy_change(data, int(parts[2]), name, value),)
    if "within_category" in parts and value == "efficiency":  # scores nobody ranks by are
        scored = {f"streams.{stream}.efficiency": None  # refused: then they go too
                  for stream, spec in data["streams"].items() if spec.get("efficiency")}
        return ({key: "request_date"}, {key: "request_date", **scored})
    if key == "policy.order":  # with the schedule: a new order alone drops it
        changes = data["policy"].get("changes", [])
        return ({key: OTHER_VALUE["order"][value], "policy.changes": changes},)
    return ({key: OTHER_VALUE[name][value]},)


def _sharing_the_delay_of(data: Any, name: str, path: str = "") -> list[str]:
    """The keys of every ``same_delay_as`` in ``data`` that names the upgrade ``name``."""
    items = data.items() if isinstance(data, dict) else \
        enumerate(data) if isinstance(data, list) else []
    keys = []
    for part, item in items:
        key = f"{path}.{part}" if path else str(part)
        if part == "same_delay_as" and item == name:
            keys.append(key)
        keys += _sharing_the_delay_of(item, name, key)
    return keys


def _other_policy_change(data: dict[str, Any], index: int, name: str,
                         value: str) -> dict[str, Any]:
    """A policy change with another order or allocation, without what only the old one uses."""
    change = dict(data["policy"]["changes"][index])
    if name == "order":
        change = {k: v for k, v in change.items() if k not in ("category_order", "within_category")}
        change["order"] = OTHER_VALUE["order"][value]
    elif value == "rounds":
        change = {k: v for k, v in change.items() if k != "rounds"}
        change["allocation"] = "first_fit"
    else:
        change["allocation"] = OTHER_VALUE["allocation"][value]
    return {f"policy.changes.{index}": change}


def _other_list(key: str, name: str, value: list[Any]) -> tuple[dict[str, Any], ...]:
    """Another category order, fewer categories served between rounds, or a policy change."""
    if name == "category_order":
        return ({key: [value[1], value[0], *value[2:]]},)
    if name == "between_rounds":
        return ({key: value[:-1]},)
    if name == "changes" and not value:
        return ({key: [{"date": dt.date(2026, 1, 1), "order": "social_priority"}]},)
    return ()


# -- worlds where a setting can act -------------------------------------------------------


@cache
def _source(scenario: str) -> ScenarioSource:
    """A bundled scenario file as read and merged, once per process."""
    return read_scenario_source(FAMILY / f"{scenario}.yaml")


def _with_releases(scenario: str, *dates: dt.date) -> dict[str, Any]:
    """The scenario's upgrades and 3 MW more on each date (upgrades' delays are keyed by name)."""
    extra = [{"name": f"Test release {day}", "date": day, "add_mw": 3.0} for day in dates]
    return {"grid.upgrades": [*_source(scenario).data["grid"]["upgrades"], *extra]}


EARLY_POLICY = {"social_priority", "efficiency_2026", "rounds_2027"}
"""Scenarios whose first policies are in force while no capacity comes (before 2025-07-01)."""


def _world(scenario: str, key: str) -> dict[str, Any]:
    """The setup in which the setting can act, where the bundled scenario leaves it no room.

    The order of the queue before 1 Oct 2024 (and the date social priority starts) ranks a
    queue nobody leaves by connecting, since no capacity comes before 2025-07-01 (base.yaml):
    3 MW released in 2024 and 2025 give those policies someone to serve. In rounds_2027 the
    applicants with priority take all capacity between the rounds before the 2033
    reinforcement, and after the round that follows it no connection ends, so most rounds serve
    nobody: without service between rounds, and with 3 MW released every autumn, each round has
    something to give. Partial offers are rare under social priority (a few a replication),
    whose applicants with priority take freed capacity whole; first come first served
    throughout makes them more often.
    """
    if scenario in EARLY_POLICY and (key == "policy.order" or key.startswith("policy.changes.0.")):
        return _with_releases(scenario, dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    if scenario == "rounds_2027" and key.startswith(("policy.changes.2.date",
                                                      "policy.changes.2.rounds.dates.")):
        autumns = (dt.date(year, 9, 1) for year in range(2026, 2036))
        return {**_with_releases(scenario, *autumns), "policy.changes.2.rounds.between_rounds": []}
    if scenario == "partial_offers" and key.endswith(".partial_offer.accept_share"):
        return {"policy.order": "fifo", "policy.changes": []}
    return {}


# -- the cases ----------------------------------------------------------------------------

STRUCTURAL: dict[str, tuple[str, dict[str, Any], str]] = {
    "areas:grid.capacity_mw": (
        "null removes base.yaml's single area so that grid.areas can be given",
        {"grid.capacity_mw": 10}, "not both"),
    "areas:grid.upgrades": (
        "[] removes base.yaml's single-area upgrades so that grid.areas can be given",
        {"grid.upgrades": [{"name": "Test", "date": dt.date(2030, 1, 1), "add_mw": 1.0}]},
        "not both"),
    **{f"{scenario}:onsite_generation.by_category.congestion_relief.{key}": (
        f"storage's {other} is 0 as well: with one of the two 0, the other would do nothing",
        {f"onsite_generation.by_category.congestion_relief.{key}": 0.2},
        f"both above 0, or both 0 .*so {key} would do nothing")
       for scenario in ("fifo_onsite", "social_priority_onsite")
       for key, other in (("share", "cover"), ("cover", "share"))},
}
"""Settings with no other valid value, why, a value that must be refused and what it says."""


def _file_cases() -> list[Case]:
    return [Case(path.stem, key, _perturbations(path.stem, key, value),
                 _world(path.stem, key))
            for path in SCENARIO_FILES for key, value in _own_settings(path)
            if f"{path.stem}:{key}" not in STRUCTURAL]


def _curated(scenario: str, key: str, value: Any, variant: str = "", **setup: Any) -> Case:
    """A documented key the scenario leaves at its default; ``a__b`` in setup is ``a.b``."""
    return Case(scenario, key, ({key: value},),
                {name.replace("__", "."): given for name, given in setup.items()}, variant)


_PROJECT = {"name": "Test project", "date": dt.date(2022, 12, 1), "demand_mw": 1.0,
            "category": "congestion_relief"}
"""A small project first in line, so that what it is offered decides when it connects."""
_UNIFORM = {"dist": "uniform", "low": 0.0, "high": 0.4}
CURATED = [
    _curated("base", "streams.logistics.growth_per_year", 0.05),
    _curated("base", "streams.logistics.lifetime_years", {"dist": "exponential", "mean": 5}),
    _curated("base", "streams.logistics.onsite_generation", {"share": 0.5, "cover": _UNIFORM}),
    _curated("base", "streams.logistics.expansion",
             {"share": 0.5, "existing_mw": {"dist": "exponential", "mean": 1.0}}),
    _curated("base", "streams.logistics.partial_offer", {"min_share": 0.4}),
    _curated("base", "streams.logistics.period", {"start": dt.date(2024, 1, 1)}),
    _curated("base", "onsite_generation", {"share": 0.35, "cover": _UNIFORM}),
    _curated("base", "waiting_list", {"count": 30, "earliest": dt.date(2022, 1, 1)}),
    _curated("campus", "policy.order", "smallest_first"),
    _curated("fifo_onsite", "onsite_generation.by_category", {}),
    _curated("social_priority", "streams.education.category_changes",
             [{"date": dt.date(2026, 1, 1), "category": "other"}]),
    _curated("small_connections", "streams.small_business.period.end", dt.date(2030, 1, 1)),
    _curated("campus", "projects.0.patience_years", 1.0),
    _curated("campus", "projects.0.lifetime_years", 3.0),
    _curated("campus", "projects.0.existing_mw", 5.0),
    _curated("campus", "projects.0.category_changes",
             [{"date": dt.date(2028, 1, 1), "category": "basic_needs"}]),
    # The campus first in line, so that a partial connection can be offered before 2033.
    _curated("campus", "projects.0.partial_min_share", 0.3,
             projects__0__category="congestion_relief", projects__0__date=dt.date(2022, 12, 1)),
    _curated("campus", "projects.0.priority_requested", False, variant="basic_needs",
             projects__0__category="basic_needs"),
    _curated("non_firm", "non_firm.order", "proportional", variant="proportional"),
    _curated("non_firm", "projects.0.non_firm_right", "firm_85", projects=[_PROJECT]),
    _curated("non_firm", "projects.0.keep_firm_place", False,
             projects=[{**_PROJECT, "non_firm_right": "firm_85"}]),
    _curated("efficiency_2026", "projects.0.efficiency", 0.99,
             projects=[{**_PROJECT, "date": dt.date(2026, 6, 1)}]),
    _curated("areas", "capacity_releases",
             [{"name": "use-it-or-lose-it", "area": "lelystad", "start": dt.date(2026, 1, 1),
               "user_share": 0.2, "mw_share": 0.5, "existing_mw": 100}]),
]
"""Documented keys the bundled files leave at their defaults, each where it can act."""

EXPECTED_NO_EFFECT: dict[str, str] = {
    "base:observations": "published figures, read only for observations.csv and calibrate",
    "areas:grid.upstream.upgrades.1.name":
        "an upgrade sharing another's delay draws none for its name to key",
    "areas:grid.areas.lelystad.upgrades.2.name":
        "an upgrade sharing another's delay draws none for its name to key",
    "areas:grid.areas.zeewolde_dronten.upgrades.0.name":
        "an upgrade sharing another's delay draws none for its name to key",
    "social_priority:policy.changes.1.date":
        "the 2026 decision restates the policy in force (same order and category order)",
}
"""Perturbations that legitimately change no applicant, timeseries row or metric, and why."""

KNOWN_BUGS: dict[str, str] = {
}
"""Settings that should act, or be refused, and are silently ignored: failing until fixed.

Fixed by refusing the setting, the case fails otherwise (no perturbation accepted): drop it.
"""

CASES = [*_file_cases(), *CURATED]


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=KNOWN_BUGS[case.id])
             ] if case.id in KNOWN_BUGS else []
    return pytest.param(case, id=case.id, marks=marks)


# -- running ------------------------------------------------------------------------------


def _load(scenario: str, overrides: dict[str, Any]) -> Scenario:
    """The scenario with overrides, one replication.

    The overrides are copied: a later override inside an earlier one's value edits it in place.
    The family's observations are given as the list their file holds (as in the scenario.yaml
    of a results folder), so that the file is not read again for every variant.
    """
    given = _source(scenario).data.get("observations")
    observations = {"observations": _observations(given)} if isinstance(given, str) else {}
    return load_variant(_source(scenario),
                        copy.deepcopy({**SHORT, **observations, **overrides}))


@cache
def _observations(name: str) -> list[dict[str, Any]]:
    return read_observations(FAMILY / name, shown_as=name)


TABLES = ("applicants", "timeseries", "metrics")
"""What a replication gives that a setting may change (``replication_metrics`` in a run)."""
Outputs = list[tuple[str, pd.DataFrame]]


def _outputs(scenario: Scenario) -> Outputs:
    """The applicants, timeseries and replication metrics of each replication.

    They are run as ``sim.run`` runs them, without the summaries (computed from the metrics)
    and the hash of the scenario's YAML that ``run`` adds: those would double the time. The
    applicants' efficiency scores are left out: they are the setting itself, written out, so a
    score that reorders nobody would read as taking effect.
    """
    tables = []
    for output in run_replications(scenario, workers=1, progress=False):
        for name in TABLES:
            table = getattr(output, name)
            assert isinstance(table, pd.DataFrame)
            table = table.drop(columns="efficiency", errors="ignore")
            tables.append((f"{name} of replication {output.replication}", table))
    return tables


def _difference(before: Outputs, after: Outputs) -> str | None:
    """The first column that differs, or None.

    Numbers are compared to a relative 1e-9: an event moved in time may change no applicant
    and only the rounding of a sum over time, which is no effect.
    """
    if len(before) != len(after):
        return f"{len(before)} tables -> {len(after)}"
    for (name, a), (_, b) in zip(before, after, strict=True):
        if a.shape != b.shape or list(a.columns) != list(b.columns):
            return f"{name}: shape {a.shape} -> {b.shape}"
        for column in a.columns:
            x, y = a[column], b[column]
            if pd.api.types.is_float_dtype(x.dtype):
                if not np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True):
                    return f"{name}: {column}"
            elif not x.equals(y):
                return f"{name}: {column}"
    return None


_BASELINES: dict[str, Outputs] = {}
"""The outputs of each scenario as it is (in a case's world), once per process."""


def _baseline(case: Case) -> Outputs:
    key = f"{case.scenario} {case.setup!r}"
    if key not in _BASELINES:
        _BASELINES[key] = _outputs(_load(case.scenario, case.setup))
    return _BASELINES[key]


def _perturbed(case: Case) -> tuple[dict[str, Any], Scenario]:
    """The first perturbation the scenario accepts (a date moved on may pass the next one)."""
    refused = []
    for perturbation in case.perturbations:
        try:
            return perturbation, _load(case.scenario, {**case.setup, **perturbation})
        except InputError as exc:
            refused.append(str(exc))
    pytest.fail(f"no perturbation of {case.id} is accepted: {refused or 'none known'}")


def test_every_case_has_a_readable_id_once():
    """Each case is named scenario:key once, and every listed exception names a case."""
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    listed = {*EXPECTED_NO_EFFECT, *KNOWN_BUGS}
    assert listed <= set(ids), sorted(listed - set(ids))


@pytest.mark.filterwarnings("ignore::sim.GridqueueWarning")  # a change shadowed from a date on
@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_setting_changes_the_results(case: Case):
    """Perturbing the setting changes some output, unless it is listed as legitimately inert."""
    perturbation, perturbed = _perturbed(case)
    difference = _difference(_baseline(case), _outputs(perturbed))
    if case.id in EXPECTED_NO_EFFECT:
        assert difference is None, f"{case.id} acts now ({difference}): not EXPECTED_NO_EFFECT"
    else:
        assert difference is not None, f"{case.id}: {perturbation} changed nothing"


@pytest.mark.parametrize("key", STRUCTURAL)
def test_a_structural_setting_has_no_other_value(key: str):
    """A setting left out of the perturbations because any other value is refused is refused."""
    scenario, _ = key.split(":")
    reason, other, refused_with = STRUCTURAL[key]
    with pytest.raises(InputError, match=refused_with):
        _load(scenario, other)
        pytest.fail(f"{key} takes another value, so it is no structural setting: {reason}")
