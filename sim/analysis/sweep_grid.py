"""The grid of a sweep: from ``--vary`` and a scenario's ``sweep:`` block to cell scenarios.

A ``sweep:`` block maps key paths to lists of values. The scenario schema does not know it, so
it is taken out of the raw scenario before validation; ``--vary`` wins for a key in both.
Every cell is the base scenario (with the common overrides) plus its own overrides, validated
whole before anything runs: a required key may come from ``--vary`` beside the rest of its
block from ``--set``.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from tqdm import tqdm

from sim.analysis.differences import draws_key
from sim.analysis.populations import (
    LISTED,
    UNSTREAMED,
    category_timelines,
    definitions,
    same_draws,
)
from sim.errors import InputError, given_as, kept_warnings, warn
from sim.inputs.applicants import CATEGORIES
from sim.inputs.inert import check_settings_act
from sim.inputs.loading import check_runnable, load_waiting_rows, validate_data
from sim.inputs.scenario import Scenario
from sim.inputs.scenario_merge import value_text
from sim.inputs.yaml_source import (
    NESTED_TOO_DEEPLY,
    Override,
    ScenarioSource,
    parse_override,
    read_scenario_source,
)
from sim.policies.timeline import policy_periods
from sim.runs.metrics import ALL

__all__ = ["MAX_CELLS", "area_pairing", "cell_id", "cell_label", "cell_scenarios",
           "changed_members", "check_distinct", "each_cell", "effective_key", "in_cell",
           "paired_groups", "parse_vary", "read_grid", "value_text", "warn_of_cells",
           "warn_same_results"]

MAX_CELLS = 10_000
"""Most cells a sweep may have: its grid is the product of the lists of values it varies.

Two keys of a hundred values each make 10,000 cells: a 100 by 100 heat map, the finest the
figure shows cell by cell, and at least 20,000 replications (two a cell), hours of work.
Each cell is checked before any runs, some 5 ms a cell, so even this grid takes about a
minute before its first replication (with a progress bar). A grid far larger is a mistake
more often than a plan (a range typed with too many values), and would fill the memory and
say nothing for hours before the first cell ran: it is refused at once, before any cell is
built. A larger study is several sweeps.
"""

T = TypeVar("T")

CHECK_BAR_DELAY_SECONDS = 1.0
"""How long checking a sweep's cells runs before its progress bar appears: a small grid's
checks end before, and show none."""


def parse_vary(texts: Sequence[str]) -> dict[str, list[Any]]:
    """``key.path=v1,v2,...`` strings (as ``--vary`` takes them) to a grid.

    Each value is read as YAML, so ``0,1,2`` are numbers and ``{dist: fixed, value: 1}`` a
    mapping; a comma inside brackets or braces does not split.
    """
    grid: dict[str, list[Any]] = {}
    for text in texts:
        key, sep, raw = text.partition("=")
        where = f"--vary {text}"
        if not sep or not key.strip() or not raw.strip():
            raise InputError(where, key.strip(), "expected key.path=value1,value2,... e.g. "
                             "--vary policy.order=fifo,social_priority")
        try:
            values = parse_override(f"{key}=[{raw}]").value
        except InputError as exc:
            expected = exc.expected if exc.expected == NESTED_TOO_DEEPLY else (
                "expected values separated by commas, each a YAML value")
            raise InputError(where, key.strip(), expected) from None
        grid[key.strip()] = values
    return grid


def replications_not_varied() -> str:
    """Why a sweep refuses to vary ``replications`` (its table would name it twice, too)."""
    return ("expected a key other than replications: it sets how precisely each cell is "
            "measured, not what the cell runs, and a cell's difference from the first could "
            "count only the replications both ran; give every cell the same number with "
            f"{given_as('--replications N', 'replications=N')}")


def cell_id(overrides: Mapping[str, Any]) -> str:
    """A short, stable id of a cell: a hash of its overrides (key paths and values)."""
    text = json.dumps(sorted(overrides.items()), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def read_grid(
    path: Path, common: list[Override], vary: Mapping[str, object]
) -> tuple[Scenario, dict[str, list[Any]]]:
    """The base scenario and the grid: the file's ``sweep:`` block updated by ``vary``.

    Where the base lacks a required key only the varied keys give, the first cell stands in
    for it (:func:`_completed_base`).
    """
    source = read_scenario_source(path, common)
    block = source.data.pop("sweep", None) or {}
    if not isinstance(block, dict):
        file, line = source.locate(("sweep",))
        raise InputError(file, "sweep", "expected a mapping of key paths to lists of values",
                         line=line)
    grid = {str(k): v for k, v in block.items()}
    for key in sorted(grid.keys() - set(vary)):
        parts = tuple(key.split("."))
        for override in common:
            if override.path[:len(parts)] == parts or parts[:len(override.path)] == override.path:
                raise InputError(f"{override.given_as} {override.text}", key,
                                 "expected no setting of a key the file's sweep: block varies: "
                                 "every cell would take the block's value instead; change the "
                                 f"block, or vary the key {given_as('with --vary', 'in vary')}")
    grid.update(vary)
    places: dict[str, _Place] = {}
    for key, values in grid.items():
        from_file = key in block and key not in vary
        where, line = (source.locate(("sweep", key)) if from_file
                       else (given_as(f"--vary {key}", f"vary[{key!r}]"), None))
        path_shown = f"sweep.{key}" if from_file else key
        if key == "replications":
            raise InputError(where, path_shown, replications_not_varied(), line=line)
        if not isinstance(values, list) or not values:
            raise InputError(where, path_shown, "expected a non-empty list of values", line=line)
        texts = [value_text(v) for v in values]
        if len({json.dumps(v, sort_keys=True, default=str) for v in values}) < len(texts):
            raise InputError(where, path_shown, f"expected different values, got "
                             f"{', '.join(texts)}", line=line)
        places[key] = ((where, "sweep.", line) if from_file else
                       (given_as(f"--vary {key}={','.join(texts)}", f"vary[{key!r}]"), "", None))
    _check_size(path, grid)
    _check_key_paths(source, grid, places)
    if not grid:
        example = given_as("--vary key.path=v1,v2", "vary={'key.path': [v1, v2]}")
        raise InputError(path, "sweep", f"expected something to vary: give {example} or a "
                         "sweep: block in the scenario file")
    try:
        scenario = validate_data(source)
    except InputError as exc:
        return _completed_base(path, common, source, grid, exc), grid
    # A varied policy key may put in force the policy an imported module registers.
    check_runnable(scenario, source,
                   policies_final=not any(key.split(".")[0] == "policy" for key in grid))
    return scenario, grid


def _completed_base(path: Path, common: list[Override], source: ScenarioSource,
                    grid: Mapping[str, list[Any]], problem: InputError) -> Scenario:
    """The first cell's scenario, for a base the varied keys complete; else ``problem``.

    A block may take its required keys from both ``--set`` and ``--vary`` (a cover set, the
    share varied): the base alone lacks one, each cell has all. Where the first cell's values
    leave ``problem`` as it was, it does not depend on them, and is named as before: by the
    ``--set`` or file that gave it. Otherwise each cell is checked whole
    (:func:`cell_scenarios`), the first here, each refused by its own values.
    """
    first = {key: values[0] for key, values in grid.items()}
    try:
        validate_data(source.with_overrides(_changes(first)))
    except InputError as exc:
        if _same_problem(exc, problem):
            raise problem from None
    with kept_warnings():  # said when cell_scenarios checks the first cell again
        return _cell(path, common, first)[0]


def _same_problem(one: InputError, other: InputError) -> bool:
    """Whether two errors say the same: of one kind, at one place, expecting one thing."""
    return type(one) is type(other) and (one.source, one.key_path, one.expected, one.line) == (
        other.source, other.key_path, other.expected, other.line)


_Place = tuple[str, str, int | None]
"""Where a varied key was given, for a message: the option as typed or the file, what its
key path is prefixed with there (``sweep.`` in a file's block) and the line."""


def _check_key_paths(source: ScenarioSource, grid: Mapping[str, list[Any]],
                     places: Mapping[str, _Place]) -> None:
    """Refuse a varied key path that leads nowhere (a list index past the end), named as given.

    Every key is set to its first value, in the grid's order, as a cell sets them: where a key
    path leads does not depend on the value. Left to the first cell, the key was named as a
    ``--set`` of one value, an option the user never typed.
    """
    trials = _changes({key: values[0] for key, values in grid.items()})
    try:
        source.with_overrides(trials)
    except InputError as exc:
        key = next((trial.key_path for trial in trials if trial.shown == exc.source), None)
        if key is None:
            raise
        where, prefix, line = places[key]
        raise InputError(where, f"{prefix}{exc.key_path}", exc.expected, line=line) from None


def each_cell(cells: Sequence[T], doing: str, progress: bool) -> Iterator[T]:
    """The cells, one by one, with a progress bar saying what is ``doing`` if it takes long.

    For the work done on every cell before the first runs (checking, hashing): some seconds
    for a grid of thousands, which would otherwise pass in silence. The bar shows only after
    :data:`CHECK_BAR_DELAY_SECONDS`, and goes when done, for the run's bar to follow.
    """
    yield from tqdm(cells, desc=doing, unit="cell", file=sys.stderr,
                    disable=None if progress else True, delay=CHECK_BAR_DELAY_SECONDS,
                    leave=False, dynamic_ncols=True)


def _check_size(path: Path, grid: Mapping[str, list[Any]]) -> None:
    """Refuse a grid of more than :data:`MAX_CELLS` cells, counted without building one."""
    cells = math.prod(len(values) for values in grid.values())
    if cells <= MAX_CELLS:
        return
    counts = ", ".join(f"{len(values):,} of {key}" for key, values in grid.items())
    raise InputError(path, "sweep", f"expected a grid of at most {MAX_CELLS:,} cells, got "
                     f"{cells:,} ({counts}); vary fewer values, or split the grid into "
                     "several sweeps")


def cell_scenarios(path: Path, common: list[Override], cells: list[dict[str, Any]],
                   progress: bool = False) -> list[Scenario]:
    """Each cell's scenario, warning of what a cell leaves doing nothing.

    A cell's scenario is the base with the common overrides, then the cell's. ``progress``:
    a progress bar, where the checks take long (a grid of thousands of cells).

    A setting that does nothing in a cell but not in the base scenario (an upgrade delayed
    past the end by the cell's delay) is warned of once, naming the cells it does nothing in:
    not once a replication, and not at all where the base scenario has it already (its
    warning was given when the base was read, :func:`read_grid`). So is a setting a plain run
    of the cell would refuse as doing nothing (a cover beside a varied share of 0). Only
    warned of, not refused: a grid may reach such a value on purpose, and cells that run the
    same scenario are named by :func:`check_distinct`. But a refusal every cell meets is
    raised, with ``(in every sweep cell)``: no value of the grid lets that setting act.
    """
    said = _said_by_base(path, common)
    found: dict[str, list[str]] = {}
    scenarios = []
    everywhere: dict[str, InputError] | None = None  # refusals of every cell so far
    for cell in each_cell(cells, "checking cells", progress):
        scenario, source = _cell(path, common, cell)
        scenarios.append(scenario)
        texts, refusals = _inert_said(scenario, source)
        for text in texts:
            if text not in said:
                found.setdefault(in_cell(text, cell), []).append(cell_label(cell))
        mine = {str(exc): exc for exc in refusals}
        everywhere = mine if everywhere is None else {
            text: exc for text, exc in everywhere.items() if text in mine}
    if everywhere:  # no cell lets it act: not a value the grid reaches, a plain run's refusal
        first = next(iter(everywhere.values()))
        own = {f"--set {change.text}": change.text for change in _changes(cells[0])}
        where = f"sweep value {own[first.source]}" if first.source in own else first.source
        raise type(first)(where, first.key_path, f"{first.expected} (in every sweep cell)",
                          first.line)
    warn_of_cells(found)
    return scenarios


def warn_of_cells(found: Mapping[str, list[str]]) -> None:
    """Warn of each text once, naming the cells it is of (by :func:`cell_label`)."""
    for text, labels in found.items():
        warn(f"sweep cell{'s' if len(labels) > 1 else ''} {'; '.join(labels)}: {text}")


def _said_by_base(path: Path, common: list[Override]) -> set[str]:
    """What :func:`read_grid` warned of in the base already, for no cell to say again.

    Nothing where the base is valid only with the varied keys (:func:`_completed_base`): its
    settings were not judged apart from a cell's, so each cell says all of its own.
    """
    source = read_scenario_source(path, common)
    source.data.pop("sweep", None)
    try:
        base = validate_data(source)
    except InputError:
        return set()
    return set(_inert_said(base, source)[0])


def _inert_said(scenario: Scenario,
                source: ScenarioSource) -> tuple[list[str], list[InputError]]:
    """What :func:`~sim.inputs.inert.check_settings_act` says of a cell, unsaid, and refuses.

    Its warnings, then each refusal passed over said as one: the cell runs, as its values may
    reach such a setting on purpose (a share of 0 beside a cover), but the setting does
    nothing there, as a plain run of the cell would have said. And the refusals themselves.
    """
    refused: list[InputError] = []
    with kept_warnings() as kept:
        check_settings_act(scenario, source, load_waiting_rows(scenario), refuse=False,
                           passed_over=refused)
    texts = [*kept, *(_does_nothing_there(exc) for exc in refused)]
    return list(dict.fromkeys(texts)), refused


def _does_nothing_there(refusal: InputError) -> str:
    """A refusal passed over in a sweep cell, as the warning of that cell."""
    where = f"{refusal.source}{f':{refusal.line}' if refusal.line else ''}"
    return (f"{where}: {refusal.key_path} does nothing there, which a run of that scenario "
            f"alone would refuse: {refusal.expected}")


def in_cell(text: str, cell: Mapping[str, Any]) -> str:
    """A warning of a cell in its words: a cell's value named as a sweep value, not a ``--set``.

    Where the warning starts at the cell's value, that is left out: the cell is named before.
    """
    for key, value in cell.items():
        own = f"--set {key}={value_text(value)}"
        text = text.removeprefix(f"{own}: ").replace(own, f"sweep value {key}="
                                                         f"{value_text(value)}")
    return text


def _cell(path: Path, common: list[Override],
          cell: dict[str, Any]) -> tuple[Scenario, ScenarioSource]:
    """The scenario of one cell, and where its settings came from."""
    changes = _changes(cell)
    try:
        source = read_scenario_source(path, [*common, *changes])
        source.data.pop("sweep", None)
        scenario = validate_data(source)
        check_runnable(scenario, source, every_setting_acts=False)  # see check_distinct
    except InputError as exc:
        mine = {f"--set {change.text}": change.text for change in changes}
        if exc.source not in mine:
            if type(exc) is not InputError:
                raise
            # The file is fine alone: say which cell's values make it wrong.
            cell_text = "; ".join(change.text for change in changes)
            raise InputError(exc.source, exc.key_path, f"{exc.expected} (in the sweep cell "
                             f"{cell_text})", exc.line) from None
        raise InputError(f"sweep value {mine[exc.source]}", exc.key_path, exc.expected) from None
    return scenario, source


def cell_label(cell: Mapping[str, Any]) -> str:
    """A cell as warnings and lines name it: ``key=value`` of each varied key, in grid order."""
    return " ".join(f"{k}={value_text(v)}" for k, v in cell.items())


def _changes(cell: Mapping[str, Any]) -> list[Override]:
    """A cell's values as the overrides that apply them, each named ``key=value``."""
    return [Override(tuple(k.split(".")), v, f"{k}={value_text(v)}") for k, v in cell.items()]


def warn_same_results(cells: list[dict[str, Any]], scenarios: list[Scenario],
                      metrics: list[pd.DataFrame]) -> None:
    """Warn about cells that run different scenarios yet give the same figures throughout.

    Replication for replication: under the rules in force the varied keys changed nothing
    there, such as ``priority_uptake`` where no period's policy serves priority: a setting that
    would otherwise seem to have been measured as making no difference at all. Cells that
    run the same scenario are named before the run already (:func:`check_distinct`).
    """
    groups: dict[bytes, list[tuple[str, str]]] = {}
    for cell, scenario, part in zip(cells, scenarios, metrics, strict=True):
        label = cell_label(cell)
        values = part[["replication", "group", "metric", "value"]].to_numpy(dtype=str)
        groups.setdefault(values.tobytes(), []).append((label, effective_key(scenario)))
    for same in groups.values():
        if len(same) > 1 and len({key for _, key in same}) > 1:
            warn(f"sweep cells {'; '.join(label for label, _ in same)} gave the same "
                          "figures in every replication: under these rules the varied keys "
                          "changed nothing there")


def effective_key(scenario: Scenario) -> str:
    """What a run of the scenario depends on, as text: equal texts give equal results.

    The name and description are left out, and the policy is taken as its periods
    (:func:`sim.policies.timeline.policy_periods`), so a category order that no policy in
    force uses, or a change to the policy already in force, makes no difference.
    """
    data = scenario.model_dump(mode="json", exclude={"name", "description", "policy"})
    periods = [[str(p.start), p.order, p.allocation, p.category_order, p.params,
                p.within_category, p.rounds and p.rounds.model_dump(mode="json")]
               for p in policy_periods(scenario)]
    return json.dumps([data, periods], sort_keys=True, default=str)


def check_distinct(path: Path, cells: list[dict[str, Any]], scenarios: list[Scenario]) -> None:
    """Refuse a sweep whose cells all run the same scenario; warn about cells that coincide."""
    groups: dict[str, list[str]] = {}
    for cell, scenario in zip(cells, scenarios, strict=True):
        groups.setdefault(effective_key(scenario), []).append(cell_label(cell))
    same = [labels for labels in groups.values() if len(labels) > 1]
    if len(groups) == 1 and len(cells) > 1:
        raise InputError(path, "sweep", f"expected cells that differ; every cell "
                         f"({'; '.join(same[0])}) runs the same scenario, so the varied "
                         f"{'key changes' if len(cells[0]) == 1 else 'keys change'} nothing "
                         "the simulation uses")
    for labels in same:
        warn(f"sweep cells {'; '.join(labels)} run the same scenario (the varied keys "
                      "change nothing the simulation uses there): their rows will be equal")


def changed_members(first: Scenario, other: Scenario) -> dict[str, list[str]]:
    """By group: the origins whose applicants in it differ between two cells' scenarios.

    An origin (a stream, its waiting-list share, a named project:
    :func:`sim.analysis.populations.origins`) that only one cell has, or that the two draw
    differently (:func:`sim.analysis.populations.definitions`: another rate or size, say),
    changes who is in each category it holds and in ``all``; one whose categories differ
    changes who is in each category it holds in either. So does one that holds the same
    categories at other dates or in another order
    (:func:`~sim.analysis.populations.category_timelines`): a category change moved to a
    later date leaves the requests of the years between in the old category. A group absent
    from the result counts the same applicants in both cells (where they draw alike at all:
    :func:`sim.analysis.differences.draws_key`).
    """
    drawn = definitions(first), definitions(other)
    held = _categories(first), _categories(other)
    timelines = category_timelines(first), category_timelines(other)
    changed: dict[str, list[str]] = {}
    for origin in dict.fromkeys([*drawn[0], *drawn[1]]):
        groups = held[0].get(origin, frozenset()) | held[1].get(origin, frozenset())
        if drawn[0].get(origin) != drawn[1].get(origin):
            groups |= {"all"}
        elif timelines[0].get(origin) == timelines[1].get(origin):
            continue
        for group in sorted(groups):
            changed.setdefault(group, []).append(origin)
    return changed


def paired_groups(first: Scenario, other: Scenario) -> dict[str, bool]:
    """By group (each category and ``all``): whether two cells draw the same applicants in it.

    Replication *i* of both then holds the same people in the group, and its difference is
    taken per replication (paired). That is every group where the cells draw alike as a whole
    (:func:`~sim.analysis.differences.draws_key`, which no stream's category or area enters)
    and no stream changes category. Otherwise (a varied key redraws, adds or moves a stream,
    say), a group is paired when :func:`changed_members` names no
    origin in it and every stream or project it holds or can receive through a category
    change, in either cell, is drawn alike, with the same seed and period
    (:func:`~sim.analysis.populations.same_draws`): ``all`` then also where a stream only
    moves to another category. The other groups count other applicants and are compared
    unpaired (Welch), as ``gridqueue compare`` compares a stream it sets apart as drawn
    differently.
    """
    groups = (*CATEGORIES, ALL)
    changed = changed_members(first, other)
    if not changed and draws_key(first) == draws_key(other):
        return dict.fromkeys(groups, True)
    held = _categories(first), _categories(other)
    every = frozenset(CATEGORIES)  # an origin of unknown categories may hold any
    origins = list(dict.fromkeys([*definitions(first), *definitions(other)]))
    paired = {}
    for group in groups:
        among = [origin for origin in origins if group == ALL
                 or group in held[0].get(origin, every) | held[1].get(origin, every)]
        paired[group] = group not in changed and same_draws(first, other, among)
    return paired


def _categories(scenario: Scenario) -> dict[str, frozenset[str]]:
    """The categories each origin's requests can take, by origin (as ``definitions`` names).

    The rows of a waiting-list file that name no stream may be of any category.
    """
    held: dict[str, frozenset[str]] = {
        name: frozenset([stream.category, *(c.category for c in stream.category_changes)])
        for name, stream in scenario.streams.items()}
    held |= {f"{name} (waiting list)": categories for name, categories in held.items()}
    held |= {project.name: frozenset([project.category,
                                      *(c.category for c in project.category_changes)])
             for project in scenario.projects}
    return held | {UNSTREAMED: frozenset(CATEGORIES)}


def area_pairing(first: Scenario, other: Scenario) -> tuple[dict[str, dict[str, bool]],
                                                             dict[str, dict[str, list[str]]]]:
    """By grid area, then group: whether two cells draw the same applicants there, and who differs.

    As :func:`paired_groups` and :func:`changed_members` tell it for the whole grid, for the
    applicants of one area: an origin counts in an area if it asks there in either cell. An
    origin that asks in other areas in ``other`` (a stream moved from Almere to Lelystad)
    counts other applicants in the areas it leaves and enters, in each group it holds and
    ``all``: those areas are compared unpaired there, though the whole grid holds the same
    people. An area whose origins both cells draw alike is paired, even where a stream of
    another area is redrawn and the whole grid is not. Empty for a grid of one area.
    """
    names = list(dict.fromkeys([*first.area_names, *other.area_names]))
    if len(names) < 2:
        return {}, {}
    everywhere = frozenset(names)
    placed = _areas(first), _areas(other)
    held = _categories(first), _categories(other)
    every = frozenset(CATEGORIES)
    changed = changed_members(first, other)
    moved = [origin for origin in placed[0] if origin in placed[1]
             and placed[0][origin] != placed[1][origin]]
    whole = paired_groups(first, other)
    origins = list(dict.fromkeys([*definitions(first), *definitions(other)]))
    pairing: dict[str, dict[str, bool]] = {}
    members: dict[str, dict[str, list[str]]] = {}
    for area in names:
        def there(origin: str, area: str = area) -> bool:
            return area in placed[0].get(origin, everywhere) | placed[1].get(origin, everywhere)

        mine = {group: inside for group, found in changed.items()
                if (inside := [origin for origin in found if there(origin)])}
        for origin in moved:
            if area in placed[0][origin] ^ placed[1][origin]:  # it leaves or enters this area
                for group in sorted(held[0].get(origin, every) | held[1].get(origin, every)
                                    | {ALL}):
                    if origin not in mine.setdefault(group, []):
                        mine[group].append(origin)
        members[area] = mine
        pairing[area] = {}
        for group in (*CATEGORIES, ALL):
            among = [origin for origin in origins if there(origin) and (
                group == ALL or group in held[0].get(origin, every) | held[1].get(origin, every))]
            pairing[area][group] = group not in mine and (
                whole[group] or same_draws(first, other, among))
    return pairing, members


def _areas(scenario: Scenario) -> dict[str, frozenset[str]]:
    """The grid areas each origin's applicants ask in (as ``definitions`` names origins).

    A stream's and a project's own area, the first where none is named; a generated waiting
    list's applicants of a stream ask in its area. The rows of a waiting-list file may name
    an area of their own: they, and the rows that name no stream, may be in any.
    """
    first = scenario.area_names[0]
    placed = {name: frozenset([stream.area or first])
              for name, stream in scenario.streams.items()}
    listed = scenario.waiting_list is not None and scenario.waiting_list.csv is not None
    placed |= {f"{name}{LISTED}": frozenset(scenario.area_names) if listed else areas
               for name, areas in list(placed.items())}
    placed |= {project.name: frozenset([project.area or first])
               for project in scenario.projects}
    return placed
