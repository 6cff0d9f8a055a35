"""Loading a scenario: read, validate, and turn any problem into one clear message.

``load_scenario`` is the front door for scenario files, from Python and the command line. It
validates everything a run will need (the schema, the policies named, the waiting-list CSV)
before anything runs, and raises :class:`~sim.errors.InputError` naming the file, line, key
path and what was expected.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import inspect
import os
import re
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pydantic
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from sim.errors import GridqueueError, InputError, SchemaProblem, listed, nearest, warn
from sim.inputs.applicants import Category
from sim.inputs.distributions import FAMILY_NAMES
from sim.inputs.files import SymlinkLoop, not_found, resolved
from sim.inputs.inert import check_settings_act
from sim.inputs.observations import read_observations
from sim.inputs.scenario import LAYERED, SET_ASIDE, Scenario, unranked_scores
from sim.inputs.waiting_list_csv import WaitingRows, read_waiting_list, repeats_message
from sim.inputs.yaml_source import (
    OVERRIDE_SOURCES,
    Override,
    ScenarioSource,
    find_node,
    parse_override,
    read_scenario_source,
)
from sim.policies import QueuePolicy, import_policy_modules, resolve_policy
from sim.policies.checked import build_checked, exits_refused
from sim.policies.shadowing import (
    check_category_changes_act,
    check_category_order_acts,
    check_expansions_act,
    check_imports_act,
    check_priority_acts,
    check_shadowed,
    emit_notes,
    order_key,
)

__all__ = ["as_overrides", "build_policy", "check_edited", "check_overrides_type", "check_runnable",
           "keep_scores_set_aside", "load_resolved", "load_scenario", "load_variant",
           "load_waiting_rows", "shown_csv", "validate_data"]


def load_scenario(
    path: str | Path, overrides: Sequence[str | Override] | dict[str, Any] | None = None
) -> Scenario:
    """Read, merge and validate a scenario file.

    Args:
        path: the YAML scenario file.
        overrides: ``key.path=value`` strings (as ``--set`` takes them), or a mapping of key
            paths to values, e.g. ``{"policy.order": "fifo", "replications": 5}``.

    Returns:
        The validated :class:`~sim.Scenario`, ready for :func:`sim.run`.

    Raises:
        InputError: a missing file, an unknown key, a bad value, a policy that does not
            import; the message names the file, line, key path and what was expected.
        GridqueueError: a path or overrides of the wrong type.
    """
    overrides = as_overrides(overrides)
    source = read_scenario_source(_as_path(path), overrides)
    scenario = validate_data(source)
    check_runnable(scenario, source)
    return scenario


def _as_path(path: str | Path) -> str | Path:
    """The path given, or one clear error for something that is not a path (a number, say)."""
    if not isinstance(path, str | os.PathLike):
        raise GridqueueError(f"expected the path of a scenario file, got "
                             f"{type(path).__name__} {_shown(path)}")
    return path


def load_variant(
    source: ScenarioSource, overrides: Sequence[str | Override] | dict[str, Any]
) -> Scenario:
    """A scenario file already read (:func:`read_scenario_source`) with more overrides.

    What :func:`load_scenario` does, without reading the files again: for the many variants
    of one scenario that calibration and exploration run.
    """
    variant = source.with_overrides(as_overrides(overrides))
    scenario = validate_data(variant)
    check_runnable(scenario, variant)
    return scenario


def _names_itself(source: ScenarioSource) -> bool:
    """Whether the loaded file or a ``--set`` gives the name, not a file it extends."""
    if any(override.path[:1] == ("name",) for override in source.overrides):
        return True
    own = next((root for file, root in source.files if file == source.path), None)
    if own is None:  # not read from a file: the data's own name, if any
        return "name" in source.data
    return find_node(own, ("name",)) is not None


def _describes_itself(source: ScenarioSource) -> bool:
    """Whether the loaded file or a ``--set`` gives the description, or the file extends none."""
    if len(source.files) < 2 or any(o.path[:1] == ("description",) for o in source.overrides):
        return True
    return find_node(source.files[0][1], ("description",)) is not None


def _inherited_description(source: ScenarioSource, description: str) -> str:
    """An inherited description, said to be another scenario's: 'Extends fifo: ...'.

    A variant of fifo.yaml is not the counterfactual that fifo.yaml's description describes;
    each file between the loaded one and the one that gives the description is named, and
    the top-level keys they (or a ``--set``) change: 'Extends social_priority (changing
    policy): Policy as it happened: ...' read as the variant's own policy otherwise.
    """
    if not description:
        return description
    names = []
    changed = _keys_set(source.files[0][1])  # what the variant changes, as a reader asks
    for file, root in source.files[1:]:
        name = find_node(root, ("name",))
        names.append(str(name.value) if isinstance(name, yaml.ScalarNode) else file.stem)
        if find_node(root, ("description",)) is not None:
            break
        changed += _keys_set(root)
    changed += [o.path[0] for o in source.overrides]
    shown = [key for key in dict.fromkeys(changed) if key not in NOT_CHANGES]
    changing = f" (changing {', '.join(shown)})" if shown else ""
    return f"Extends {', which extends '.join(names)}{changing}: {description}"


NOT_CHANGES = ("name", "description", "extends", "replications")
"""Top-level keys that do not change what a described scenario does: how many replications
run says how precise its figures are, not what it is."""


def _keys_set(root: yaml.Node) -> list[str]:
    """The top-level keys a file's mapping sets, in its order."""
    if not isinstance(root, yaml.MappingNode):
        return []
    return [str(key.value) for key, _ in root.value if isinstance(key, yaml.ScalarNode)]


def _csv_beside_the_scenario(data: dict[str, Any], source: ScenarioSource) -> None:
    """Resolve the waiting-list CSV in the folder of the file that names it, and check it exists.

    Every reader looks it up from the loaded file's folder (``Scenario.base_dir``), so a CSV
    a file in another folder names is given by its absolute path. One a ``--set`` names is
    relative to the loaded file.
    """
    waiting = data.get("waiting_list")
    if not isinstance(waiting, dict) or not isinstance(csv := waiting.get("csv"), str):
        return
    origin = source.origin(("waiting_list", "csv"))
    named_in = (source.path if origin is None else origin[0]).parent
    if not os.path.lexists(named_in / csv):  # the mistake is in the file that names it
        file, line = source.locate(("waiting_list", "csv"))
        raise InputError(file, "waiting_list.csv", "expected an existing CSV file; "
                         f"'{os.path.normpath(named_in / csv)}' was not found", line)
    if named_in.resolve() != source.path.resolve().parent:
        data["waiting_list"] = {**waiting, "csv": str(named_in.resolve() / csv)}


def validate_data(source: ScenarioSource) -> Scenario:
    """Validate a raw scenario mapping against the schema."""
    data = dict(source.data)
    if not _names_itself(source):  # a parent's name would give its results folder
        data["name"] = source.path.stem
    if isinstance(data.get("description"), str) and not _describes_itself(source):
        data["description"] = _inherited_description(source, data["description"])
    _csv_beside_the_scenario(data, source)
    files = [file for file, _ in source.files]
    observations: Path | None = None
    if isinstance(data.get("observations"), str):  # a file of them, beside the scenario
        # Relative to the file that names it, so a file extending it from elsewhere finds it.
        file, line = source.locate(("observations",))
        named_in = Path.cwd() if file.startswith(OVERRIDE_SOURCES) else Path(file).parent
        observations = named_in / data["observations"]
        if not observations.is_file():
            raise InputError(file, "observations", "expected a list of observations or the "
                             f"name of a file of them; '{observations}' "
                             f"{_not_a_file(observations)}", line)
        data["observations"] = read_observations(observations, shown_as=str(observations))
        files.append(observations)
    try:
        # Inert settings are judged by check_runnable, which knows which layer gave each.
        scenario = Scenario.model_validate(data, context={LAYERED: True})
    except pydantic.ValidationError as exc:
        problem = _first_problem(exc, source, observations)
        if observations is not None:  # read from a file of their own
            problem = _in_observations_file(problem, source, observations)
        raise problem from None
    scenario._source_path = source.path
    scenario._source_files = tuple(files)
    scenario._chain_files = tuple(file for file, _ in source.files)
    with contextlib.suppress(OSError):  # a working folder deleted: its names are absolute
        scenario._loaded_in = Path.cwd()
    scenario._options = tuple((override.path, override.shown, override.applied)
                              for override in source.overrides)
    return scenario


def _not_a_file(path: Path) -> str:
    """Why ``path``, which is no regular file, is not one: said apart from "not found"."""
    if path.is_dir():
        return "is a directory"
    if os.path.exists(path):
        return "is not a regular file"
    try:
        resolved(path)
    except SymlinkLoop as loop:
        return str(loop.strerror)
    return not_found(path)


def check_edited(scenario: Scenario) -> None:
    """Check a Scenario again, as :func:`load_scenario` checks one it reads.

    ``scenario.model_copy(update=...)`` validates nothing: a copy edited into an invalid state
    (zero replications, a grid of None, a date as text, a misspelt field) would fail inside a
    replication, or not at all. Raises :class:`~sim.errors.InputError` naming the key and
    what was expected, or a :class:`~sim.errors.GridqueueError` for something not a Scenario.
    """
    if not isinstance(scenario, Scenario):
        raise GridqueueError(f"expected a Scenario (from sim.load_scenario), got "
                             f"{type(scenario).__name__} {_shown(scenario)}")
    shown = f"scenario '{scenario.name}'"
    for key in vars(scenario).keys() - Scenario.model_fields.keys():  # model_copy takes any
        raise InputError(shown, key, "unknown key"
                         f"{nearest(key, Scenario.model_fields)}; expected one of "
                         f"{', '.join(Scenario.model_fields)}")
    data = scenario.model_dump(by_alias=True, warnings=False)
    try:
        Scenario.model_validate(data, context={SET_ASIDE: scenario._scores_set_aside})
    except pydantic.ValidationError as exc:
        raise _first_problem(exc, ScenarioSource(path=Path(shown), data=data)) from None


def _shown(value: object) -> str:
    """A value as a message shows it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _in_observations_file(problem: InputError, source: ScenarioSource,
                          observations: Path) -> InputError:
    """A problem with an observation read from a file, told at its line there.

    The scenario checks the observations against itself (a date outside the run, an unknown
    area), but the observation is written in the file it names, not at its observations: key.
    """
    file, _ = source.locate(("observations",))
    if problem.source != file or not problem.key_path.startswith("observations."):
        return problem  # given by a --set, or not about an observation
    _, line = _given_at(source, tuple(problem.key_path.split(".")), observations)
    return InputError(str(observations), problem.key_path, problem.expected, line)


def _given_at(source: ScenarioSource, key: tuple[str, ...],
              observations: Path | None) -> tuple[str, int | None]:
    """Where ``key`` was given: an observation read from a file of its own, at its line there."""
    file, line = source.locate(key)
    if observations is None or key[0] != "observations" or len(key) == 1 \
            or file != source.locate(("observations",))[0]:
        return file, line
    return str(observations), read_scenario_source(observations).locate(key)[1]


def load_resolved(path: Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """A results folder's ``scenario.yaml``: written by gridqueue, checked when it ran.

    It holds every setting in one file, a category order that a later file or option set
    aside included (``--set policy.order=fifo`` on a file with an order of its own). Whether
    each setting acts was judged when it ran, on the files and options that tell who wrote
    what, and is not judged again here.
    """
    source = read_scenario_source(path, as_overrides(overrides))
    scenario = validate_data(source)
    check_runnable(scenario, source, every_setting_acts=False)
    return scenario


def check_runnable(scenario: Scenario, source: ScenarioSource | None = None, *,
                   every_setting_acts: bool = True, policies_final: bool = True) -> None:
    """Checks that need more than the file: policies import and build, the CSV reads.

    ``every_setting_acts=False`` leaves out refusing a category order no policy uses: for a
    resolved scenario of results, and for a sweep's cell, whose values are judged over the
    whole grid (cells that run the same scenario are reported there).
    ``policies_final=False``: the policies in force are not yet those that run (a sweep that
    varies them), so an imported policy no period names is not warned of.
    """
    for index, module in enumerate(scenario.policy.imports or []):
        key = ("policy", "import", index)
        try:
            import_policy_modules([module], _named_in(source, scenario, key))
            import_policy_modules([module], scenario.base_dir)  # where later look-ups look
        except LookupError as exc:
            raise _at(source, scenario, key, str(exc)) from None
    for index, (_, regime) in enumerate(scenario.policy.regimes()):
        order = order_key(scenario, index)
        try:
            build_policy(regime.order, regime.category_order, regime.params,
                         _named_in(source, scenario, order), scenario.policy.imports or (),
                         regime.within_category)
            resolve_policy(regime.order, scenario.base_dir, scenario.policy.imports or ())
        except LookupError as exc:
            raise _at(source, scenario, order, str(exc)) from None
        except TypeError as exc:
            prefix = ("policy",) if index == 0 else ("policy", "changes", index - 1)
            raise _at(source, scenario, (*prefix, "params"),
                      f"the policy's parameters do not fit: {exc}{_params_kept(scenario, index)}"
                      f"{_params_meant_for_a_change(scenario, index)}") from None
    _check_within_category_acts(scenario, source)
    if source is not None:
        emit_notes(source)
        check_shadowed(scenario, source)
    rows = load_waiting_rows(scenario)
    if every_setting_acts:  # after check_shadowed, which names the change that shadows one
        check_category_order_acts(scenario, source, rows)
        check_priority_acts(scenario, source)
        check_category_changes_act(scenario, source)
        check_expansions_act(scenario, source)
        if policies_final:
            check_imports_act(scenario, source)
    if every_setting_acts:  # after the checks above, which say more where they apply
        check_settings_act(scenario, source, rows)
        if rows is not None and rows.repeats:  # said when loaded, not again at each reading
            warn(repeats_message(shown_csv(scenario), rows.repeats))
    # What got this far was set aside with a warning, or is judged elsewhere (see above).
    keep_scores_set_aside(scenario)


def keep_scores_set_aside(scenario: Scenario) -> None:
    """Let the efficiency scores no rules rank by stay set aside when ``run`` checks again.

    For a scenario whose files' checks let them through (:func:`check_runnable`), or read
    back from a results folder (:meth:`sim.runs.results.Results.read`), whose settings were
    judged when it ran: ``check_edited`` would otherwise refuse them in a copy of it.
    """
    scenario._scores_set_aside = frozenset(path for path, *_ in unranked_scores(scenario))


def _params_kept(scenario: Scenario, index: int) -> str:
    """Where the parameters of period ``index`` were given, when an earlier setting gave them.

    A change keeps every setting it leaves out, ``params`` too: a change to another policy
    would otherwise be refused for parameters it does not give.
    """
    changes = scenario.policy.changes
    if index == 0 or changes[index - 1].params is not None:
        return ""
    given = next((f"policy.changes.{i}.params" for i in range(index - 2, -1, -1)
                  if changes[i].params is not None), "policy.params")
    return (f" (kept from {given}: a change keeps the settings it leaves out; give "
            f"params: {{}} in policy.changes.{index - 1} for a policy without them)")


def _params_meant_for_a_change(scenario: Scenario, index: int) -> str:
    """The change whose policy takes the parameters refused at ``policy.params``, if one does.

    ``policy.params`` is for ``policy.order``; a file that keeps the history (fifo, then a
    change to the policy, as docs/policies.md's example) gives them in that change's entry.
    """
    names = sorted(scenario.policy.params or {})
    if index != 0 or not names:
        return ""
    for number, change in enumerate(scenario.policy.changes):
        if change.order is None or change.order == scenario.policy.order:
            continue
        try:
            cls = resolve_policy(change.order, scenario.base_dir, scenario.policy.imports or ())
            taken = inspect.signature(cls).parameters
        except (LookupError, TypeError, ValueError):  # refused where its own period is checked
            continue
        if set(names) <= set(taken):
            key = f"policy.changes.{number}.params"
            return (f" (policy.params is for policy.order, {scenario.policy.order}; "
                    f"{change.order}, which takes {listed(names)}, comes in at "
                    f"policy.changes.{number}: give "
                    + (f"it as {key}.{names[0]})" if len(names) == 1 else f"them in {key})"))
    return ""


def _named_in(source: ScenarioSource | None, scenario: Scenario,
              key: tuple[str | int, ...]) -> Path:
    """The folder a module named at ``key`` is looked for in: that of the file naming it.

    A parent file's policy modules lie beside it, wherever the file extending it is. One a
    ``--set`` names is looked for beside the loaded file. Later look-ups (a run, the results'
    copy of the code) find it imported, from the loaded file's folder: one of the same name
    there is refused, rather than used elsewhere.
    """
    origin = source.origin(key) if source is not None else None
    return scenario.base_dir if origin is None else origin[0].resolve().parent


def _check_within_category_acts(scenario: Scenario, source: ScenarioSource | None) -> None:
    """Refuse a ``within_category`` that no policy in force until it is set again uses."""
    policy = scenario.policy
    regimes = [regime for _, regime in policy.regimes()]
    given = [policy.within_category, *(change.within_category for change in policy.changes)]
    for index, within in enumerate(given):
        if not within:
            continue
        until = next((j for j in range(index + 1, len(given)) if given[j] is not None),
                     len(given))
        orders = sorted({regime.order for regime in regimes[index:until]})
        if not any(resolve_policy(order, scenario.base_dir, policy.imports or ())
                   .ranks_within_category for order in orders):
            prefix = ("policy",) if index == 0 else ("policy", "changes", index - 1)
            raise _at(source, scenario, (*prefix, "within_category"), "expected "
                      "within_category only with a policy that orders categories inside "
                      f"(social_priority); {', '.join(orders)} would ignore it")


def build_policy(
    order: str, category_order: Sequence[str], params: dict[str, Any], search_dir: Path | None,
    imports: Sequence[str] = (), within_category: Mapping[Category, str] | None = None,
) -> QueuePolicy:
    """An instance of the named policy with its settings (``imports``: ``policy.import``).

    ``within_category`` reaches only a policy that orders categories inside
    (``ranks_within_category``); :func:`check_runnable` refuses one that no policy uses.

    Importing a ``module:Class`` policy (or a module of ``imports``) and building it run user
    code: a ``sys.exit`` or ``os._exit`` there is refused as a LookupError naming the policy,
    not an exit.
    """
    try:
        with exits_refused():
            cls = resolve_policy(order, search_dir, imports)
            within = ({"within_category": within_category}
                      if within_category and cls.ranks_within_category else {})
            return build_checked(cls, order, {"category_order": category_order, **within,
                                              **params})
    except SystemExit as exc:
        raise LookupError(f"the queue policy '{order}' called sys.exit or os._exit "
                          f"({exc.code!r}) while being imported or built; a policy module "
                          "must define its class, not end the program") from None


def load_waiting_rows(scenario: Scenario) -> WaitingRows | None:
    """The rows of the scenario's waiting-list CSV, if it names one."""
    if scenario.waiting_list is None or scenario.waiting_list.csv is None:
        return None
    csv = Path(scenario.waiting_list.csv)
    shown = shown_csv(scenario)
    if not os.path.lexists(scenario.base_dir / csv):  # the mistake is in the scenario file
        raise InputError(str(scenario.source_path or "the scenario"), "waiting_list.csv",
                         f"expected an existing CSV file; '{shown}' was not found")
    return read_waiting_list(
        scenario.base_dir / csv, scenario.start, list(scenario.streams), scenario.area_names,
        shown_as=shown,
        stream_areas={name: stream.area for name, stream in scenario.streams.items()},
        stream_moves={name: [change.category for change in stream.category_changes]
                      for name, stream in scenario.streams.items()},
    )


def shown_csv(scenario: Scenario) -> str:
    """The waiting-list CSV's path as messages show it: from the working folder, normalised.

    Without the '..' of a file beside the scenario's folder (flev/../list.csv is list.csv),
    only in what is shown: the scenario keeps the path as written.
    """
    assert scenario.waiting_list is not None and scenario.waiting_list.csv is not None
    csv = Path(scenario.waiting_list.csv)
    return os.path.normpath(csv if scenario.source_path is None
                            else scenario.source_path.parent / csv)


def as_overrides(overrides: Sequence[str | Override] | Mapping[str, Any] | None
                 ) -> list[Override]:
    """Overrides as a list or a mapping, checked: a GridqueueError says what they should be.

    Text is named as ``--set`` takes it, a mapping's items as ``override key=value``
    (:attr:`~sim.inputs.yaml_source.Override.given_as`), so a message names a change as given.
    """
    if overrides is None:
        return []
    check_overrides_type(overrides)
    if isinstance(overrides, Mapping):  # copies: applying them must not change the caller's
        return [Override(tuple(k.split(".")), copy.deepcopy(v), f"{k}={v}", "override")
                for k, v in overrides.items()]
    return [o if isinstance(o, Override) else parse_override(o) for o in overrides]


def check_overrides_type(overrides: object) -> None:
    """Raise a GridqueueError unless ``overrides`` is a list of texts or a mapping by key path.

    A lone text is refused, not read one character at a time; so is a generator (or any
    iterable that is not a sequence), which this check would use up, so that every change
    in it was then dropped without a word, and a set, whose order (the last change of a key
    wins) is not the one written.
    """
    if isinstance(overrides, Mapping):
        for key in overrides:
            if not isinstance(key, str):
                raise GridqueueError("overrides: expected key paths as text, e.g. "
                                     f"'grid.capacity_mw', got {type(key).__name__} {key!r}")
        return
    if isinstance(overrides, str | bytes) or not isinstance(overrides, Sequence):
        raise GridqueueError("overrides: expected a list of key.path=value strings or a "
                             "mapping of key paths to values, got "
                             f"{type(overrides).__name__} {_shown(overrides)}")
    for item in overrides:
        if not isinstance(item, str | Override):
            raise GridqueueError("overrides: expected key.path=value strings, got "
                                 f"{type(item).__name__} {_shown(item)}")


def _at(source: ScenarioSource | None, scenario: Scenario, loc: tuple[str | int, ...],
        expected: str) -> InputError:
    if source is None:
        return InputError(scenario.name, ".".join(map(str, loc)), expected)
    file, line = source.locate(loc)
    return InputError(file, ".".join(map(str, loc)), expected, line=line)


def _first_problem(exc: pydantic.ValidationError, source: ScenarioSource,
                   observations: Path | None = None) -> InputError:
    """The first problem pydantic found, at the file and line (or option) that gave it.

    ``observations``: the file the observations were read from, if a file named them.
    """
    errors = exc.errors(include_url=False)
    # A misspelt key also makes the real key look missing: report the misspelling.
    error = next((e for e in errors if e["type"] == "extra_forbidden"), None)
    if error is None and (misspelt := _misspelt_entry(errors, source)) is not None:
        return misspelt
    if error is None and (restated := _restated_in_part(errors, source)) is not None:
        return restated
    error = error or errors[0]
    loc = _data_path(error["loc"], source.data)
    ctx = error.get("ctx") or {}
    problem = ctx.get("error")
    if isinstance(problem, SchemaProblem):  # its key path is inside the model at loc
        key_path = ".".join(map(str, (*loc, *problem.key_path.split("."))))
        expected = problem.expected
        file, line = source.locate(tuple(key_path.split(".")))
        if problem.other is not None and not file.startswith(OVERRIDE_SOURCES):
            other_file, other_line = source.locate(tuple(problem.other[0].split(".")))
            if other_file.startswith(OVERRIDE_SOURCES):  # the change just made is the culprit
                given, at = _given_at(source, tuple(key_path.split(".")), observations)
                first = f"{given}{f':{at}' if at else ''}"
                key_path, expected = problem.other
                expected = expected.replace("{where}", first).replace(
                    "{set}", other_file.split(" ", 1)[0])
                file, line = other_file, other_line
        return InputError(file, key_path, expected, line=line)
    file, line = source.locate(loc)
    # a mapping of overrides given in Python passed its values as they are: no YAML read them
    read = not file.startswith(OVERRIDE_SOURCES[1])
    expected = _expected(error, loc, source.data, read)
    if error["type"] == "extra_forbidden" and not file.startswith(OVERRIDE_SOURCES):
        expected += _after_changed_distribution(source, loc)
    return InputError(file, ".".join(map(str, loc)), expected, line)


def _after_changed_distribution(source: ScenarioSource, loc: tuple[str | int, ...]) -> str:
    """Why a file's key no longer fits: an option changed the ``dist`` of its distribution.

    ``--set streams.industry.jobs.dist=weibull`` keeps the file's ``low`` and ``high``, which
    a Weibull does not take; the message named only the file's line, which the user had not
    changed, as the mistake.
    """
    parent = tuple(str(part) for part in loc[:-1])
    change = next((o for o in reversed(source.overrides) if o.path == (*parent, "dist")), None)
    if change is None:
        return ""
    # Named without the option: a sweep's cells are such changes too, named as --vary.
    key = ".".join(parent)
    return (f" (it fits the distribution the file gave, not the one {key}.dist={change.value} "
            f"makes it; give the whole distribution instead, e.g. "
            f"{key}={{dist: {change.value}, ...}})")


_NAMED_ENTRIES: dict[tuple[str | int, ...], str] = {("streams",): "stream",
                                                    ("grid", "areas"): "area",
                                                    ("non_firm", "rights"): "right",
                                                    ("non_firm", "pools"): "pool"}
"""Mappings of entries by name, where a misspelt name adds an entry instead of changing one."""
_LIKE_A_MISSPELLING = 0.75
"""How alike a new entry's name must be to an existing one to be taken for a misspelling.

Stricter than for keys: a new stream may well be meant, and 'shops' is not 'schools' (0.67),
while 'logistcs' is 'logistics' (0.94) and 'firsm' is 'firms' (0.8).
"""


def _misspelt_entry(errors: list[ErrorDetails], source: ScenarioSource) -> InputError | None:
    """A new named entry that lacks required keys, named like an existing one: say which.

    A child file or ``--set`` that misspells an inherited stream's name adds a stream, which
    then lacks the keys its parent gives; the nearest existing name says what was meant.
    """
    missing: dict[tuple[str | int, ...], list[str]] = {}
    for error in errors:
        loc = _data_path(error["loc"], source.data)
        if error["type"] == "missing" and len(loc) >= 2 and loc[:-2] in _NAMED_ENTRIES:
            missing.setdefault(loc[:-1], []).append(str(loc[-1]))
    for entry, keys in missing.items():
        within, name = entry[:-1], entry[-1]
        siblings = [str(other) for other in _node_at(source.data, within) if other != name]
        hint = nearest(str(name), siblings, _LIKE_A_MISSPELLING)
        if hint and _new_in_a_child(source, entry):
            file, line = source.locate(entry)
            return InputError(file, ".".join(map(str, entry)),
                              f"a new {_NAMED_ENTRIES[within]}, which needs {listed(keys)}{hint}",
                              line)
    return None


def _restated_in_part(errors: list[ErrorDetails], source: ScenarioSource) -> InputError | None:
    """An item of a named list a child file gives in part, as if to change an inherited one.

    A child file's ``grid.upgrades: [{name: FGU..., date: 2031-01-01}]`` replaces the whole
    inherited list: its one item is a new upgrade, which lacks ``add_mw``. "missing: this key
    is required" alone did not say that lists are not merged by name, nor how to change one.
    """
    for error in errors:
        loc = _data_path(error["loc"], source.data)
        if error["type"] != "missing" or len(loc) < 3 or not isinstance(loc[-2], int) \
                or loc[-3] not in ("upgrades", "projects"):
            continue
        listing = loc[:-2]
        items = _node_at(source.data, listing)
        item = items[loc[-2]] if isinstance(items, list) and loc[-2] < len(items) else {}
        name = item.get("name") if isinstance(item, dict) else None
        givers = [index for index, (_, root) in enumerate(source.files)
                  if isinstance(find_node(root, listing), yaml.SequenceNode)]
        if not isinstance(name, str) or not givers:
            continue
        for _, root in source.files[givers[0] + 1:]:  # the files it extends, nearest first
            inherited = find_node(root, listing)
            names = [] if not isinstance(inherited, yaml.SequenceNode) else [
                str(getattr(find_node(item, ("name",)), "value", "")) for item in inherited.value]
            if name in names:
                key = ".".join(map(str, listing))
                file, line = source.locate(loc)
                return InputError(file, ".".join(map(str, loc)), (
                    f"missing: this key is required; {key} in a child file replaces the "
                    f"inherited list whole, so '{name}' here is a new item, not the inherited "
                    f"one changed: give it whole, or give {key} as {{remove: [...], add: "
                    f"[...]}} to replace it and keep the others, or for one run change one "
                    f"of its keys, --set {key}.{names.index(name)}.KEY=VALUE "
                    f"(docs/scenario-reference.md)"), line)
    return None


def _node_at(data: Any, path: tuple[str | int, ...]) -> Any:
    """The value at a key path of the raw data (an empty mapping if there is none)."""
    for part in path:
        data = data.get(part, {}) if isinstance(data, dict) else {}
    return data


def _new_in_a_child(source: ScenarioSource, path: tuple[str | int, ...]) -> bool:
    """Whether a child file or ``--set`` adds a key path that no file it extends gives.

    The files are most derived first: a key that one file gives, and that file is not the
    last (it extends another), is new in it; a key that no file gives came from ``--set``.
    """
    givers = [index for index, (_, root) in enumerate(source.files)
              if find_node(root, path) is not None]
    if not givers:
        return bool(source.overrides)
    return len(givers) == 1 and givers[0] < len(source.files) - 1


def _data_path(loc: tuple[str | int, ...], data: Any) -> tuple[str | int, ...]:
    """The user's key path of a location: without the parts pydantic adds.

    Those are union tags and validator names, and anything below a value the user gave
    whole (``delay_years: -1`` read as a fixed distribution, a mapping's ``[key]``).
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, dict) and path and _is_tag(part):
            continue
        elif node is not _ABSENT and not isinstance(node, (dict, list)):
            break
        else:
            node = _ABSENT
        path.append(part)
    return tuple(path)


_ABSENT = object()
"""Below a key the data does not have (a missing one), as opposed to a value such as null."""


def _is_tag(part: Any) -> bool:
    return isinstance(part, str) and (part in FAMILY_NAMES or "[" in part)


_DISTRIBUTION_EXAMPLE = "{dist: lognormal, median: 0.5, sigma: 0.9}"


_NULL_MEANS = {"patience_years": "waits forever", "lifetime_years": "a permanent connection",
               "delay_years": "on time"}
"""Distribution keys that also take null, and what null means there (a word such as
'forever' or 'none' is not read as it)."""


def _null_means(loc: tuple[str | int, ...]) -> str:
    """', or null (waits forever)' for a distribution key that takes null, else ''."""
    key = next((part for part in reversed(loc) if isinstance(part, str) and not _is_tag(part)),
               None)
    meaning = _NULL_MEANS.get(key) if isinstance(key, str) else None
    return f", or null ({meaning})" if meaning else ""


def _expected(error: ErrorDetails, loc: tuple[str | int, ...], data: Any,
              read: bool = True) -> str:
    """What was expected and what came instead; ``read``: the value was read as YAML."""
    kind, value = error["type"], error.get("input")
    got = f", got {value!r}" if not isinstance(value, (dict, list)) else ""
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        if loc == ("sweep",):
            return ("a sweep block, which only gridqueue sweep reads: run the file with "
                    "gridqueue sweep, or remove the block")
        allowed = _allowed_keys(loc[:-1], data)
        hint = nearest(str(loc[-1]), allowed)
        listing = f"; expected one of {', '.join(allowed)}" if allowed else ""
        return f"unknown key{hint}{listing}"
    if kind == "invalid_key":
        return f"expected a key name (text){got}"
    if kind == "missing":
        return "missing: this key is required"
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag"))
        return (f"unknown distribution '{tag}'{nearest(tag, FAMILY_NAMES)}; "
                f"expected dist: one of {', '.join(FAMILY_NAMES)}")
    if kind == "union_tag_not_found":
        return (f"expected a number or a distribution such as {_DISTRIBUTION_EXAMPLE} "
                f"(dist: one of {', '.join(FAMILY_NAMES)})")
    if kind in _BOUNDS:
        return (f"expected a number {_BOUNDS[kind]} {ctx.get(_BOUND_KEYS[kind])}{got}"
                f"{_percent_hint(kind, ctx.get(_BOUND_KEYS[kind]), value)}")
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        what = "a whole number" if kind.startswith("int") else "a number"
        return f"expected {what}{got}"
    if kind == "finite_number":
        return f"expected a finite number{got}"
    if kind.startswith("date"):
        return f"expected an ISO date such as 2029-01-01{got}"
    if kind == "literal_error":
        hint = nearest(str(value), re.findall(r"'([^']*)'", str(ctx.get("expected"))))
        return f"expected {ctx.get('expected')}{got}{hint}"
    if kind == "model_attributes_type":  # only distributions are tagged unions
        return (f"expected a number or a distribution such as {_DISTRIBUTION_EXAMPLE}"
                f"{_null_means(loc)}{got}")
    if kind in ("dict_type", "model_type"):
        return f"expected a mapping of keys{got or ', got a ' + type(value).__name__}"
    if kind == "list_type":  # one item written without brackets: say how to write it
        one = (f" (a list of one is written [{value}])"
               if isinstance(value, str | int | float | dt.date) and read else "")
        return f"expected a list{got}{one}"
    if kind == "string_type" and isinstance(value, type):
        return f"expected text, got the class {value.__qualname__}{_named_instead(value)}"
    if kind == "string_type" and isinstance(value, (dict, list)):
        return f"expected text, got {_structure(value) if read else _kind(value)}"
    if kind in ("string_type", "bool_type", "bool_parsing"):
        what = "text" if kind == "string_type" else "true or false"
        return f"expected {what}{got}"
    if kind == "value_error":  # the schema's own wording, already saying what is expected
        return str(ctx.get("error", error["msg"]))
    message = error["msg"]
    return f"{message[0].lower()}{message[1:]}{got}"


def _structure(value: dict[Any, Any] | list[Any]) -> str:
    """A mapping or list YAML made of what was meant as text, and why it did (if it can tell).

    ``mypol:`` reads as the mapping ``{mypol: null}``, ``[a]`` as a list: quoting keeps text.
    """
    if isinstance(value, list):
        return "a list (YAML reads [...] as one: quote the text)"
    if len(value) == 1 and next(iter(value.values())) is None:
        return (f"the mapping {{{next(iter(value))}: null}} (YAML reads a text ending in ':' "
                "as one: quote the text)")
    return "a mapping (YAML reads {...} and 'key: value' as one: quote the text)"


def _kind(value: dict[Any, Any] | list[Any]) -> str:
    """A mapping or list given from Python where text belongs: no YAML to blame or quote."""
    return "a list" if isinstance(value, list) else "a mapping"


def _named_instead(cls: type) -> str:
    """How to name a policy class given where its name belongs (from Python), or ''."""
    if not issubclass(cls, QueuePolicy):
        return ""
    registered = (f"its name, '{cls.name}', once @register_policy has registered the class"
                  if cls.name else "its name: give the class a 'name' and @register_policy")
    if cls.__module__ in ("__main__", "builtins") or "<" in cls.__qualname__:  # no import
        return f": name a policy by {registered}"
    return f": name a policy by {registered}, or as '{cls.__module__}:{cls.__qualname__}'"


def _percent_hint(kind: str, bound: Any, value: Any) -> str:
    """For a share up to 1 given in percent (35 for 0.35), what was meant; else ''.

    From 2: a value just above 1 is as likely another slip as a percent. Not where the
    fraction meant would be refused too (100 where the bound is below 1).
    """
    if (kind in ("less_than", "less_than_equal") and bound == 1
            and isinstance(value, int | float) and not isinstance(value, bool)
            and 2 <= value <= 100 and (value < 100 or kind == "less_than_equal")):
        return f" (shares and fractions run from 0 to 1: {value / 100:g} for {value:g}%)"
    return ""


_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
           "less_than_equal": "<="}
_BOUND_KEYS = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt",
               "less_than_equal": "le"}


def _allowed_keys(loc: tuple[str | int, ...], data: Any) -> list[str]:
    """The keys the schema accepts at a location, for 'did you mean' hints."""
    annotation: Any = Scenario
    node = data
    for part in loc:
        annotation = _unwrap(annotation, node)
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node)
            else None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = _field(annotation, part)
            annotation = field.annotation if field is not None else None
        else:
            args = typing.get_args(annotation)
            annotation = args[-1] if args else None
        if annotation is None:
            return []
    annotation = _unwrap(annotation, node)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [f.alias or name for name, f in annotation.model_fields.items()]
    return []


def _field(model: type[BaseModel], key: str | int) -> FieldInfo | None:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _unwrap(annotation: Any, node: Any) -> Any:
    """Strip Optional/Annotated; pick a union member by the data's ``dist`` tag."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            tag = node.get("dist") if isinstance(node, dict) else None
            tagged = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)
                      and tag is not None and (dist := _field(m, "dist")) is not None
                      and tag in typing.get_args(dist.annotation)]
            annotation = tagged[0] if tagged else members[0]
            if len(members) > 1 and not tagged and tag is None:
                return annotation
        else:
            return annotation
