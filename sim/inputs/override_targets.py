"""``compare --set`` for one scenario: ``NAME:key.path=value`` or ``N:key.path=value``.

An override whose key starts with a target applies only to that input: ``N`` is its position
among the inputs (1 is the reference), ``NAME`` its file name without ``.yaml`` (or a Scenario
object's name). Overrides without a target apply to every scenario file, as before. A Scenario
or Results object given in Python is used as it is (a Scenario object takes only the number of
replications), so any other change that would reach one is refused rather than dropped: the
comparison would otherwise count it unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.errors import GridqueueError, given_as
from sim.inputs.scenario import Scenario
from sim.inputs.yaml_source import Override, parse_override

__all__ = ["overrides_for"]

Overrides = dict[str, Any] | list[str]


def overrides_for(inputs: Sequence[Any], overrides: Overrides) -> list[list[Override]]:
    """Each input's overrides: the untargeted ones, then those whose target names it.

    A targeted one keeps its target as typed (:attr:`~sim.inputs.yaml_source.Override.target`),
    so that a message about it quotes ``--set 2:key=value``, not a change nobody typed.
    """
    names = [_name(item) for item in inputs]
    pairs: list[tuple[str, tuple[str, Any] | str]]
    if isinstance(overrides, Mapping):
        pairs = [(key, (key, value)) for key, value in overrides.items()]
    else:
        pairs = [(text.partition("=")[0], text) for text in overrides]
    mine: list[list[Override]] = [[] for _ in inputs]
    for key, entry in pairs:
        target, sep, rest = key.partition(":")
        if not sep:  # a Scenario or Results object given in Python takes none but this one
            given = next((i for i, item in enumerate(inputs)
                          if not isinstance(item, (str, Path))), None)
            if given is not None and key.strip() != "replications":  # a copy takes that one
                raise GridqueueError(_used_as_it_is(entry, given, inputs[given]))
            for chosen in mine:
                chosen.append(_parsed(entry, key, ""))
            continue
        index = _index(target.strip(), names, entry, inputs)
        if not isinstance(inputs[index], (str, Path)):
            raise GridqueueError(_used_as_it_is(entry, index, inputs[index]))
        if Path(str(inputs[index])).is_dir():
            raise GridqueueError(f"{_text(entry)}: expected a scenario file as its "
                                 f"target; {inputs[index]} is a results directory, used as it is")
        mine[index].append(_parsed(entry, rest, target + sep))
    return mine


def _parsed(entry: tuple[str, Any] | str, key: str, target: str) -> Override:
    """One change, its key without the ``target`` (as typed, ``''`` for none) it had in front.

    Text is read as ``--set`` reads it; a mapping's item as ``load_scenario`` reads one
    (``override key=value``), its value a copy, so applying it leaves the caller's as it was.
    """
    if isinstance(entry, tuple):
        return Override(tuple(key.split(".")), copy.deepcopy(entry[1]), f"{key}={entry[1]}",
                        "override", target)
    return parse_override(entry[len(target):], target)


def _used_as_it_is(entry: Any, index: int, item: Any) -> str:
    """Why a change cannot reach an object given in Python, and what to do instead."""
    return (f"{_text(entry)}: input {index + 1} (a {type(item).__name__} object) is used as "
            "it is, so the change would not reach it; give its scenario file instead, or "
            "load it with the change (load_scenario(path, overrides))")


def _name(item: Any) -> str:
    if isinstance(item, Scenario):
        return item.name
    return Path(str(item)).stem if isinstance(item, (str, Path)) else ""


def _index(target: str, names: list[str], entry: Any, inputs: Sequence[Any]) -> int:
    """The input a target names: a position from 1, or a file name.

    A name that a scenario file and results folders share (``social_priority.yaml`` beside
    ``runs/social_priority``) names the file: a change cannot reach a folder's results.
    """
    if target.isdigit() and 1 <= int(target) <= len(names):
        return int(target) - 1
    matches = [i for i, name in enumerate(names) if name == target]
    files = [i for i in matches
             if not (isinstance(inputs[i], (str, Path)) and Path(inputs[i]).is_dir())]
    if len(matches) == 1 or len(files) == 1:
        return (matches if len(matches) == 1 else files)[0]
    choices = ", ".join(n for n in names if n)
    problem = "names two inputs" if matches else "names no input"
    raise GridqueueError(f"{_text(entry)}: the target '{target}' {problem}; expected a "
                         f"position from 1 to {len(names)} or one of the file names: {choices}")


def _text(entry: Any) -> str:
    """The change as given: ``--set 2:k=v`` on the command line, ``override 2:k=v`` in Python."""
    text = f"{entry[0]}={entry[1]}" if isinstance(entry, tuple) else str(entry)
    return f"{given_as('--set', 'override')} {text}"
