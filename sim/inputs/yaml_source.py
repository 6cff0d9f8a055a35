"""Scenario files as data: safe YAML with line numbers, ``extends:`` chains and overrides.

Nothing here judges the content (that is :mod:`sim.inputs.scenario`); this module only gathers the
raw mapping a scenario is validated from, and remembers where each key came from, so an error
can name the file and line that caused it.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.errors import InputError, nearest
from sim.inputs.files import (
    NotARegularFile,
    SymlinkLoop,
    TooLarge,
    not_found,
    read_limited,
    resolved,
)
from sim.inputs.scenario_merge import (
    Place,
    drop_schedule,
    dropped_by_override,
    dropped_changes,
    dropped_items,
    merge,
    replaces_schedule,
)

__all__ = [
    "MAX_FILE_BYTES", "MERGE_KEYS_REFUSED", "CoreSchemaDumper", "MergeKey", "Override",
    "ScenarioSource", "TooManyValues", "find_node", "layer_of", "layer_within", "load_strictly",
    "parse_override", "path_at", "read_scenario_source", "yaml_problem",
]

MAX_FILE_BYTES = 10_000_000
"""Largest scenario or questions file read (10 MB; the bundled ones are a few kB)."""
MAX_CHAIN = 100
"""At most this many files in an ``extends`` chain (the bundled ones have four)."""
MAX_VALUES = 1_000_000
"""At most this many values in one file once aliases are expanded (no 'billion laughs')."""


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML (no code, no Python objects) read by the YAML 1.2 core schema.

    PyYAML follows YAML 1.1, where ``yes``, ``on`` and ``NO`` are booleans, ``010`` is octal
    8, ``1:30`` is 90 (base 60) and ``1_000`` is 1000: a planner typing those means a word or
    a decimal number. Here only ``true``/``false`` are booleans, integers are decimal (``0o``
    and ``0x`` for octal and hex), and anything else that is not a number, a null or an ISO
    date is text, so a scenario key that wants a number refuses it with a message unless
    Python reads it as one (``1_000`` as 1000, which is what its writer meant). ISO dates
    stay dates (not part of the core schema, but every scenario has them). A key given twice
    in one mapping is refused.
    """

    # Only those added below, not YAML 1.1's: first character -> (tag, pattern) in order.
    yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}


_CORE_SCHEMA = (
    ("tag:yaml.org,2002:null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    ("tag:yaml.org,2002:int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)", list("-+.0123456789")),
    ("tag:yaml.org,2002:timestamp",
     r"[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
     r"(?:(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?"
     r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?", list("0123456789")),
)
"""The YAML 1.2 core schema's plain-scalar rules (first match wins), plus ISO dates."""

for _tag, _pattern, _first in _CORE_SCHEMA:
    _StrictLoader.add_implicit_resolver(_tag, re.compile(f"^(?:{_pattern})$"), _first)


def _core_int(loader: _StrictLoader, node: yaml.ScalarNode) -> int:
    """A YAML 1.2 integer: decimal (``010`` is ten), ``0o17`` octal, ``0x1F`` hex."""
    text = loader.construct_scalar(node)
    try:
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text)
    except ValueError:  # Python refuses to read a whole number of more than 4300 digits
        raise yaml.constructor.ConstructorError(
            None, None, f"expected a number, got a whole number of {len(text)} digits",
            node.start_mark,
        ) from None


_TEXT_TAG = "tag:yaml.org,2002:str"
_IMPLICIT_TAGS = {tag for tag, _, _ in _CORE_SCHEMA}

MERGE_KEYS_REFUSED = ("expected the keys themselves: YAML merge keys (<<: *name) are not read "
                      "here (YAML 1.2 has none)")
"""What a YAML merge key is told; a scenario file's message adds where shared keys go."""


class MergeKey(yaml.constructor.ConstructorError):
    """A YAML merge key (``<<: *name``), which the YAML 1.2 core schema does not have."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode
                                ) -> dict[Hashable, Any]:
    """A mapping whose keys are names, as typed; a key given twice is refused.

    Every key in a scenario is a name (a stream, an area, a category, a key path), so a key
    that looks like a boolean, number, null or date (``true:``, ``2030:``) is read as the text
    typed, not turned into a value that no name can match.
    """
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "expected a plain key (a name), got a "
                f"{'list' if isinstance(key_node, yaml.SequenceNode) else 'mapping'}",
                key_node.start_mark,
            )
        if key_node.value == "<<" and key_node.style is None:
            raise MergeKey(None, None, f"{MERGE_KEYS_REFUSED}; a parent file (extends) can "
                           "hold what several files share", key_node.start_mark)
        if key_node.tag in _IMPLICIT_TAGS and key_node.style is None:
            key_node.tag = _TEXT_TAG
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"expected each key once, got '{key}' twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


class _BadDate(yaml.constructor.ConstructorError):
    """A value written like a date that is not one, e.g. 2024-02-30."""


def _timestamp_or_error(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise _BadDate(None, None, f"'{node.value}' ({exc})", node.start_mark) from None


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_error)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _core_int)


class CoreSchemaDumper(yaml.SafeDumper):
    """Writes YAML that :func:`read_scenario_source` reads back as the same values.

    It quotes exactly the text that the YAML 1.2 core schema would read as something else
    (``'0o10'``, ``'true'``), and no longer needs to quote YAML 1.1's ``NO`` or ``on``.
    """

    yaml_implicit_resolvers = _StrictLoader.yaml_implicit_resolvers


@dataclass(frozen=True)
class Override:
    """One ``--set key.path=value`` from the command line or the Python API."""

    path: tuple[str, ...]
    value: Any
    text: str
    given_as: str = "--set"
    """How messages name where it came from: ``--set`` on the command line, ``override``
    for a mapping given in Python, which has no ``--set`` to look for."""
    target: str = ""
    """The input of ``gridqueue compare`` it was aimed at, as typed before ``text``: ``2:``
    or ``social_priority:`` (``''`` for every input, or a command of one scenario)."""
    option: str = ""
    """The option of its own it was typed as (``--replications 10``), named instead of a
    ``--set`` nobody typed; ``''`` for a ``--set`` or an override."""

    @property
    def key_path(self) -> str:
        return ".".join(self.path)

    @property
    def shown(self) -> str:
        """Where a message says the value came from, as typed: ``--set 2:replications=5``."""
        return self.option or f"{self.given_as} {self.target}{self.text}"

    @property
    def applied(self) -> str:
        """The change the scenario got, without compare's target: ``--set replications=5``."""
        return self.option or f"{self.given_as} {self.text}"


OVERRIDE_SOURCES = ("--set ", "override ")
"""How the source of a message given by an override begins (see :attr:`Override.shown`)."""


@dataclass
class ScenarioSource:
    """The merged raw mapping of a scenario and where its keys came from."""

    path: Path
    data: dict[str, Any]
    files: list[tuple[Path, yaml.Node]] = field(default_factory=list)  # most derived first
    overrides: list[Override] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things the merge did that a reader might not expect, to show as warnings."""

    def locate(self, key_path: tuple[str | int, ...]) -> tuple[str, int | None]:
        """The file (or ``--set``) that gave ``key_path``, and its line when known.

        Only a value still in force counts: a file whose value a later file replaced (a list,
        a distribution, a plain value) is not blamed for what is under it, nor an option a
        later one replaced. Of the options that gave a block no file has, the one nearest the
        key is blamed (one that gave the key or a value around it, then one that gave a part
        of it, then a neighbour), the last of those as near: ``--set
        onsite_generation.cover=...``, not a later ``--set onsite_generation.share=...``, for
        the cover.
        """
        path = tuple(str(p) for p in key_path)
        blamed: tuple[tuple[int, bool, bool], Override] | None = None
        later: list[tuple[str, ...]] = []
        for override in reversed(self.overrides):
            replaced = any(override.path[:len(other)] == other for other in later)
            later.append(override.path)
            shared = _common_length(path, override.path)
            covers = shared == min(len(path), len(override.path))
            rank = (shared, covers and shared == len(override.path), covers)
            if replaced or not shared or (blamed is not None and rank <= blamed[0]):
                continue
            if covers or not self._in_files(path[:shared]):
                blamed = (rank, override)
        if blamed is not None:
            return blamed[1].shown, None
        found = self._giver(path)
        if found is None:
            return str(self.path), None
        file, node, depth = found
        root = next(root for path_of, root in self.files if path_of == file)
        return str(file), _key_line(root, path[:depth], node)

    def origin(self, key_path: tuple[str | int, ...]) -> tuple[Path, yaml.Node] | None:
        """The file whose value at ``key_path`` is in force, and its node there.

        None when a ``--set`` gives it (or a key path around it) or no file does: relative
        paths in a value are resolved in the folder of the file this names.
        """
        path = tuple(str(p) for p in key_path)
        if any(override.path == path[:len(override.path)] for override in self.overrides):
            return None
        found = self._giver(path)
        if found is None or found[2] < len(path):
            return None
        return found[0], found[1]

    def _giver(self, path: tuple[str, ...]) -> tuple[Path, yaml.Node, int] | None:
        """The most derived file giving the longest prefix of ``path`` still in force.

        Returns that file, its node at the prefix and the prefix's length. Walking down the
        key path, a file drops out below a value a more derived file replaced whole.
        """
        layers: list[tuple[Path, yaml.Node]] = list(self.files)  # most derived first
        merged: Any = self.data
        found = None
        for depth in range(len(path) + 1):
            if depth:
                layers = [(file, node) for file, above in layers
                          if (node := _step(above, path[depth - 1], merged)) is not None]
                if isinstance(merged, list):  # an item of a list comes whole from one file
                    layers = layers[:1]
                merged = _item(merged, path[depth - 1])
            if not layers:
                break
            found = (*layers[0], depth)
            layers = _in_force(layers)
        return found

    def with_overrides(self, overrides: list[Override]) -> ScenarioSource:
        """A copy with more overrides applied; the files are not read again (for many variants)."""
        data = copy.deepcopy(self.data)
        notes = [*self.notes, *_apply_overrides(data, overrides, [*self.overrides, *overrides])]
        return ScenarioSource(path=self.path, data=data, files=self.files,
                              overrides=[*self.overrides, *overrides], notes=notes)

    def _in_files(self, key_path: tuple[str, ...]) -> bool:
        return any(find_node(root, key_path) is not None for _, root in self.files)


def _step(node: yaml.Node, part: str, merged: Any) -> yaml.Node | None:
    """A file's node one key below ``node``; a list item is followed by its name if it has one.

    ``merged`` is the merged value at ``node``'s key path: a list item an edit kept is found
    in the file it came from by its name, and one it added in the edit's ``add``.
    """
    if isinstance(node, yaml.MappingNode) and _is_list_edit(node) and part.isdigit():
        added = find_node(node, ("add",))
        items = added.value if isinstance(added, yaml.SequenceNode) else []
        name = _item_name(_item(merged, part))
        offset = len(merged) - len(items) if isinstance(merged, list) else 0
        return _list_item(items, int(part) - offset, name)
    if isinstance(node, yaml.SequenceNode) and part.isdigit():
        return _list_item(node.value, int(part), _item_name(_item(merged, part)))
    return find_node(node, (part,))


def _list_item(items: list[yaml.Node], index: int, name: str | None) -> yaml.Node | None:
    """The item at ``index``, or else the item called ``name`` (the index of another file)."""
    if 0 <= index < len(items) and (name is None or _node_name(items[index]) == name):
        return items[index]
    return next((item for item in items if name is not None and _node_name(item) == name),
                None)


def _item(merged: Any, part: str) -> Any:
    """The merged value one key below ``merged`` (None where there is none)."""
    if isinstance(merged, dict):
        return merged.get(part)
    if isinstance(merged, list) and part.isdigit() and int(part) < len(merged):
        return merged[int(part)]
    return None


def _item_name(item: Any) -> str | None:
    name = item.get("name") if isinstance(item, dict) else None
    return name if isinstance(name, str) else None


def _node_name(node: yaml.Node) -> str | None:
    name = find_node(node, ("name",))
    return str(name.value) if isinstance(name, yaml.ScalarNode) else None


def _in_force(layers: list[tuple[Path, yaml.Node]]) -> list[tuple[Path, yaml.Node]]:
    """The layers down to the first whose value replaces the next's (merge's rules)."""
    for index in range(len(layers) - 1):
        if _replaces(layers[index][1], layers[index + 1][1]):
            return layers[:index + 1]
    return layers


def _replaces(upper: yaml.Node, lower: yaml.Node) -> bool:
    """Whether a file's value replaces its parent's whole, rather than merging into it."""
    if _is_list_edit(upper):
        return False
    both_mappings = isinstance(upper, yaml.MappingNode) and isinstance(lower, yaml.MappingNode)
    return not both_mappings or _is_distribution(upper) or _is_distribution(lower)


def _is_distribution(node: yaml.Node) -> bool:
    dist = find_node(node, ("dist",)) if isinstance(node, yaml.MappingNode) else None
    return isinstance(dist, yaml.ScalarNode) and dist.tag == _TEXT_TAG


def _is_list_edit(node: yaml.Node) -> bool:
    """Whether a node is ``{remove: [...], add: [...]}``, an edit of an inherited list."""
    return (isinstance(node, yaml.MappingNode) and bool(node.value)
            and all(isinstance(key, yaml.ScalarNode) and key.value in ("remove", "add")
                    and isinstance(value, yaml.SequenceNode) for key, value in node.value))


def _common_length(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """How many leading parts two key paths share."""
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def read_scenario_source(
    path: str | Path, overrides: list[Override] | None = None
) -> ScenarioSource:
    """Read a scenario file, follow its ``extends:`` chain, and apply overrides."""
    path = Path(path)
    files: list[tuple[Path, yaml.Node]] = []
    notes: list[str] = []
    data = _read_with_parents(path, files, notes, chain=[])
    source = ScenarioSource(path=path, data=data, files=files, overrides=list(overrides or []),
                            notes=notes)
    source.notes += _apply_overrides(source.data, source.overrides, source.overrides)
    return source


def _apply_overrides(
    data: dict[str, Any], overrides: list[Override], every: list[Override]
) -> list[str]:
    """Apply ``overrides`` in order and return notes on what they replaced.

    A ``policy.order`` among them with no ``policy.changes`` in ``every`` override of the
    scenario replaces the inherited policy schedule (the rule of the scenario reference).
    """
    notes = []
    if any(o.path == ("policy", "order") for o in overrides) and not any(
            o.path in (("policy",), ("policy", "changes")) for o in every):
        notes = drop_schedule(data, "--set/--vary", "policy.order")
    for override in overrides:
        notes += dropped_by_override(data, override.path, override.value, override.shown)
        _apply_override(data, override)
    return notes


NESTED_TOO_DEEPLY = "expected a value nested less deeply"
"""What a ``--set`` (or ``--vary``) value nested past Python's recursion limit is told."""


def parse_override(text: str, target: str = "") -> Override:
    """Parse ``key.path=value``; the value is read as YAML (``2`` a number, ``[a, b]`` a list).

    ``target``: the ``N:`` or ``NAME:`` that ``gridqueue compare`` took off the front, which
    its messages quote with the rest, as the user typed it (:attr:`Override.shown`).
    """
    key, sep, raw = text.partition("=")
    given = f"--set {target}{text}"
    if not sep or not key.strip():
        raise InputError(given, "", "expected key.path=value, e.g. --set grid.capacity_mw=12")
    if not raw.strip():  # a forgotten value, not a removal: that is spelt out
        raise InputError(given, key, f"expected a value after '='; {key.strip()}=null "
                         "removes the key")
    try:
        value = yaml.load(raw, Loader=_StrictLoader)
    except _BadDate as exc:  # worded as in a file
        raise InputError(given, key, yaml_problem(exc)) from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise InputError(given, key, f"expected a YAML value after '=' ({problem})") from None
    except RecursionError:  # as a file nested too deeply is refused
        raise InputError(given, key, NESTED_TOO_DEEPLY) from None
    if ":" in key.split(".", 1)[0]:  # compare takes its targets off first: one is misplaced
        raise InputError(given, key, "expected a key path without a target: 'N:' or 'NAME:' "
                         + ("picks one input, and this one has one already" if target else
                            "picks one input of gridqueue compare, and this command has one "
                            "scenario"))
    parts = tuple(part.strip() for part in key.strip().split("."))
    if any(not part for part in parts):
        raise InputError(given, key, "expected a key path of names joined by dots")
    return Override(path=parts, value=value, text=text, target=target)


_Site = tuple[Path, int | None]
"""Where an ``extends:`` was written: the file and line, for errors about its target."""


def _parent_path(folder: Path, written: str) -> Path:
    """The file ``extends: written`` names from ``folder``, without '..' where that is the same.

    Warnings, errors and reports name it: 'mine/../scenarios/flevoland/base.yaml' reads
    'scenarios/flevoland/base.yaml'. Through a symbolic link '..' may lead elsewhere, so the
    shorter path is taken only where it names the same file.
    """
    joined = folder / written
    tidy = Path(os.path.normpath(joined))
    try:
        return tidy if tidy != joined and os.path.samefile(tidy, joined) else joined
    except OSError:  # a missing file: said as written, by the caller
        return joined


def _read_with_parents(path: Path, files: list[tuple[Path, yaml.Node]], notes: list[str],
                       chain: list[Path], site: _Site | None = None) -> dict[str, Any]:
    real = _resolved(path, site)
    if len(chain) >= MAX_CHAIN:  # Python's stack would end it, naming a file deep in the chain
        assert site is not None
        raise InputError(site[0], "extends", f"expected a chain of at most {MAX_CHAIN} files, "
                         f"got more: {chain[0].name} -> ... -> {site[0].name} -> {path.name}",
                         line=site[1])
    if real in chain:
        loop = " -> ".join(p.name for p in [*chain, real])
        assert site is not None
        raise InputError(site[0], "extends", f"expected a chain without loops, got {loop}",
                         line=site[1])
    root, data = _parse(path, _read_text(path, site))
    files.append((path, root))
    parent = data.pop("extends", None)
    if parent is None:
        return data
    line = _line(root, ("extends",))
    if not isinstance(parent, str) or not parent.strip():
        raise InputError(path, "extends", "expected the path of another scenario file",
                         line=line)
    base = _read_with_parents(_parent_path(path.parent, parent), files, notes,
                              [*chain, real], (path, line))
    if replaces_schedule(data):
        notes += drop_schedule(base, f"{path}:{_line(root, ('policy', 'order'))}",
                               "policy.order")
    notes += dropped_changes(base, data, f"{path}:{_line(root, ('policy', 'changes'))}")
    place = Place(path, lambda key_path: _line(root, key_path),
                  lambda key_path: _is_blank(find_node(root, key_path)))
    notes += dropped_items(base, data, place)
    return merge(base, data, place)


def _parse(path: Path, text: str) -> tuple[yaml.Node, dict[str, Any]]:
    """The YAML node tree (for line numbers) and the data of one scenario file."""
    try:
        root, data = load_strictly(text)  # data a copy: the caller changes it (merges, extends)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        tree = _composed(text)  # where the text composes, and only its values failed
        key_path = path_at(tree, mark.index) if tree is not None and mark else None
        raise InputError(path, ".".join(key_path or ()), yaml_problem(exc), line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(path, "", f"YAML syntax error: {exc}") from None
    except TooManyValues as exc:
        raise InputError(path, "", str(exc)) from None
    except RecursionError:
        raise InputError(path, "", "expected a scenario nested less deeply") from None
    if data is None or root is None:  # an empty file: no document, so no node either
        raise InputError(path, "", "expected a scenario mapping (start, end, grid, ...); "
                         "the file is empty")
    if _is_questions(data):
        raise InputError(path, "", "expected a scenario mapping (start, end, grid, ...), got a "
                         "list of questions: give a questions file to gridqueue compare "
                         "--questions FILE", line=1)
    if not isinstance(data, dict):
        raise InputError(path, "", f"expected a mapping of keys at the top level, got "
                         f"{type(data).__name__}", line=1)
    return root, data


def _is_questions(data: Any) -> bool:
    """Whether a file's data is a questions file (each item a question), not a scenario.

    Given to validate or run, one said only "expected a mapping of keys at the top level, got
    list", which does not tell a planner checking the file what to do with it.
    """
    return (isinstance(data, list) and bool(data)
            and all(isinstance(item, dict) and "question" in item for item in data))


def load_strictly(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree and the data of a YAML text, read by the rules of scenario files.

    The YAML 1.2 core schema (``no`` is text, ``010`` is ten), each key once, no merge keys,
    no tags that build objects, at most :data:`MAX_VALUES` values once aliases are expanded.
    For other files of gridqueue's (a questions file). Raises ``yaml.YAMLError`` (marked
    where it could tell), :class:`TooManyValues`, or ``RecursionError``.
    """
    root = _compose(text)
    if root is not None and _expanded_size(root, {}) > MAX_VALUES:
        raise TooManyValues(f"expected at most {MAX_VALUES} values once YAML aliases (*name) "
                            "are expanded")
    return root, copy.deepcopy(_load(text))


class TooManyValues(ValueError):
    """A YAML text whose aliases expand to more than :data:`MAX_VALUES` values."""


def _composed(text: str) -> yaml.Node | None:
    """The node tree of a text, or None where the text does not compose."""
    try:
        return _compose(text)
    except (yaml.YAMLError, RecursionError):
        return None


# Speed: a family of scenarios extends the same parents, and a comparison (or a test) reads
# each parent again for every member; composing and loading a file costs 20-50 ms. So each
# text is read once per process. The node tree is shared (only read, for line numbers); the
# data is copied for each caller. A text that fails is not kept, and fails again. The last
# 32 texts are kept: a family's files, not every file a long session reads.
@functools.lru_cache(maxsize=32)
def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree of a text (lines and columns of every key and value)."""
    return yaml.compose(text, Loader=_StrictLoader)


@functools.lru_cache(maxsize=32)
def _load(text: str) -> Any:
    """The plain data of a text; callers copy it before they change it."""
    return yaml.load(text, Loader=_StrictLoader)


def yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """What PyYAML found wrong, in words for the person who wrote the file."""
    problem = " ".join(str(exc.problem or exc).split())
    if problem.startswith("could not determine a constructor for the tag"):
        tag = problem.rpartition(" ")[2].strip("'").replace("tag:yaml.org,2002:", "!!")
        return (f"the YAML tag {tag} is refused: gridqueue's files are plain data (no tags that "
                "build objects or run code)")
    if isinstance(exc, _BadDate):
        return f"expected an ISO date such as 2029-01-01, got {problem}"
    if isinstance(exc, yaml.constructor.ConstructorError):
        return problem if problem.startswith("expected") else f"expected plain YAML data: {problem}"
    if problem == "found character '\\t' that cannot start any token":
        return ("YAML syntax error: expected spaces, got a tab (a tab may not indent a line "
                "or stand before a value: replace it with spaces)")
    return f"YAML syntax error: {problem}"


def path_at(node: yaml.Node, index: int) -> tuple[str, ...] | None:
    """The key path of the key or value that starts at character ``index``, if any."""
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if key.start_mark.index == index:
                return (str(key.value),) if isinstance(key, yaml.ScalarNode) else ()
        pairs = [(str(key.value), value) for key, value in node.value
                 if isinstance(key, yaml.ScalarNode)]
    elif isinstance(node, yaml.SequenceNode):
        pairs = [(str(i), value) for i, value in enumerate(node.value)]
    else:
        pairs = []
    if node.start_mark.index == index:
        return ()
    for key, value in pairs:
        if value.start_mark.index <= index <= value.end_mark.index:
            found = path_at(value, index)
            if found is not None:
                return (key, *found)
    return None


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values the node holds with every alias expanded (aliases share nodes)."""
    if sizes.get(id(node)) == 0:  # a node that holds itself expands without end
        return MAX_VALUES + 1
    if id(node) not in sizes:
        sizes[id(node)] = 0
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        sizes[id(node)] = min(MAX_VALUES + 1,
                              1 + sum(_expanded_size(child, sizes) for child in children))
    return sizes[id(node)]


def _resolved(path: Path, site: _Site | None) -> Path:
    """The scenario file's real path, to find an ``extends`` chain that comes back to it.

    A symbolic link that loops (``ln -s loop.yaml loop.yaml``) is refused as ``extends``
    names it (``site``), or as the file given.
    """
    try:
        return resolved(path)
    except SymlinkLoop as exc:
        who, key, line = (site[0], "extends", site[1]) if site else (path, "", None)
        raise InputError(who, key, f"expected a scenario file, '{path}' {exc.strerror}",
                         line=line) from None


NOT_SCENARIOS = {
    ".py": "a Python module (a policy module is named in a scenario's policy.import)",
    ".csv": "a CSV file (a waiting list is named in a scenario's waiting_list.csv)",
    ".ipynb": "a notebook",
    ".xlsx": "a spreadsheet",
    ".xls": "a spreadsheet",
}
"""Files people give where a scenario belongs, by suffix: said as such, not as YAML errors."""


def _read_text(path: Path, site: _Site | None) -> str:
    who, key, line = (site[0], "extends", site[1]) if site else (path, "", None)
    if path.suffix.lower() in NOT_SCENARIOS:
        raise InputError(who, key, f"expected a scenario file (YAML), '{path}' is "
                         f"{NOT_SCENARIOS[path.suffix.lower()]}", line=line)
    try:
        return read_limited(path, MAX_FILE_BYTES).decode("utf-8")
    except FileNotFoundError:
        # A file copied elsewhere to be changed lost the base it extends, which stayed behind.
        hint = ("; copy the file it extends beside it too, or write extends as a path to it "
                "(relative to this file's folder, or absolute)") if site else ""
        raise InputError(who, key, f"expected an existing scenario file, '{path}' "
                         f"{not_found(path)}{hint}", line=line) from None
    except IsADirectoryError:
        raise InputError(who, key, f"expected a scenario file, '{path}' is a directory",
                         line=line) from None
    except NotARegularFile as exc:
        raise InputError(who, key, f"expected a scenario file, '{path}' is a {exc.kind}",
                         line=line) from None
    except TooLarge:
        raise InputError(who, key, f"expected a scenario file under {MAX_FILE_BYTES} bytes, "
                         f"'{path}' is larger", line=line) from None
    except PermissionError:
        raise InputError(who, key, f"expected a scenario file you may read, '{path}' is not "
                         "(its permissions: ls -l)", line=line) from None
    except UnicodeDecodeError as exc:
        raise InputError(who, key, f"expected UTF-8 text, '{path}' has the byte "
                         f"0x{exc.object[exc.start]:02x} (save the file as UTF-8)",
                         line=line) from None
    except OSError as exc:
        raise InputError(who, key, f"expected a readable file, '{path}' could not be read "
                         f"({exc.strerror or type(exc).__name__})", line=line) from None


def _apply_override(data: dict[str, Any], override: Override) -> None:
    where = override.shown
    target: Any = data
    for depth, part in enumerate(override.path):
        last = depth == len(override.path) - 1
        so_far = ".".join(override.path[: depth + 1])
        if isinstance(target, list):
            if not target:
                raise InputError(where, so_far, "expected an item of the list, but the scenario "
                                 "gives none there (the list is empty)")
            if not part.isdigit() or int(part) >= len(target):
                raise InputError(where, so_far, f"expected a list index from 0 to "
                                 f"{len(target) - 1}")
            if last and override.value is None:
                del target[int(part)]
            elif last:
                target[int(part)] = override.value
            else:
                target = target[int(part)]
        elif isinstance(target, dict):
            if last and override.value is None:
                if part not in target:
                    raise InputError(where, so_far, "expected a key the scenario gives (null "
                                     f"removes it); nothing to remove here{nearest(part, target)}")
                del target[part]
            elif last:
                target[part] = override.value
            else:
                following = override.path[depth + 1]
                if part not in target and following.isdigit():  # a list's item, of no list
                    raise InputError(where, so_far, f"expected a list the scenario gives: it "
                                     f"gives no {so_far}, so it has no item {following} to "
                                     f"change; set the whole list, as in --set "
                                     f"'{so_far}=[{{...}}]'")
                target = target.setdefault(part, {})
        else:
            raise InputError(where, so_far, "expected a mapping or list to set a key in, "
                             f"found the value {target!r}")


def layer_of(source: ScenarioSource, key: tuple[str | int, ...]) -> int:
    """The last layer that gives ``key``: files from the base on, then the options; -1: none.

    A list index in ``key`` may be a number: an option's path holds it as text.
    """
    files = [root for _, root in reversed(source.files)]
    key = tuple(map(str, key))
    if any(override.path == key[:len(override.path)] for override in source.overrides):
        return len(files)
    return max((layer for layer, root in enumerate(files) if find_node(root, key) is not None),
               default=-1)


def layer_within(source: ScenarioSource, key: tuple[str | int, ...]) -> int:
    """As :func:`layer_of`, counting an option that sets a key below ``key`` as giving it."""
    if any(override.path[:len(key)] == tuple(map(str, key)) for override in source.overrides):
        return len(source.files)
    return layer_of(source, key)


def find_node(root: yaml.Node, path: tuple[str | int, ...]) -> yaml.Node | None:
    """The YAML node at a key path (list items by index), or None if the file has none."""
    node = root
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if str(k.value) == str(part)), None)
            if match is None:
                return None
            node = match
        elif isinstance(node, yaml.SequenceNode) and str(part).isdigit():
            if int(part) >= len(node.value):
                return None
            node = node.value[int(part)]
        else:
            return None
    return node


def _is_blank(node: yaml.Node | None) -> bool:
    """Whether a value was left blank (``key:`` and nothing), rather than written ``null``."""
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null" and \
        node.value == ""


def _line(root: yaml.Node, path: tuple[str, ...]) -> int | None:
    node = find_node(root, path)
    return _key_line(root, path, node) if node is not None else None


def _key_line(root: yaml.Node, path: tuple[str, ...], node: yaml.Node) -> int:
    """The line of ``node``, the value at ``path``: its key's, where a mapping gives it one.

    A block written under its key starts on the next line, and an unknown key's message
    named that line rather than the key's.
    """
    parent = find_node(root, path[:-1]) if path else None
    if isinstance(parent, yaml.MappingNode):
        key = next((k for k, v in parent.value if v is node), None)
        if key is not None:
            return int(key.start_mark.line) + 1
    return int(node.start_mark.line) + 1
