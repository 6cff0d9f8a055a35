"""Scenario files as data: safe YAML with line numbers, ``extends:`` chains and overrides.

Nothing here judges the content (that is :mod:`sim.scenario`); this module only gathers the
raw mapping a scenario is validated from, and remembers where each key came from, so an error
can name the file and line that caused it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.errors import InputError

__all__ = ["Override", "ScenarioSource", "parse_override", "read_scenario_source"]

MAX_FILE_BYTES = 10_000_000


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML (no code, no Python objects) that refuses a key given twice in one mapping."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


@dataclass(frozen=True)
class Override:
    """One ``--set key.path=value`` from the command line or the Python API."""

    path: tuple[str, ...]
    value: Any
    text: str

    @property
    def key_path(self) -> str:
        return ".".join(self.path)


@dataclass
class ScenarioSource:
    """The merged raw mapping of a scenario and where its keys came from."""

    path: Path
    data: dict[str, Any]
    files: list[tuple[Path, yaml.Node]] = field(default_factory=list)  # most derived first
    overrides: list[Override] = field(default_factory=list)

    def locate(self, key_path: tuple[str | int, ...]) -> tuple[str, int | None]:
        """The file (or ``--set``) that gave ``key_path``, and its line when known."""
        path = tuple(str(p) for p in key_path)
        for override in reversed(self.overrides):
            shared = min(len(path), len(override.path))
            if shared and path[:shared] == override.path[:shared]:
                return f"--set {override.text}", None
        for path in (key_path[:n] for n in range(len(key_path), -1, -1)):
            for file, root in self.files:
                node = _find_node(root, path)
                if node is not None:
                    return str(file), node.start_mark.line + 1
        return str(self.path), None


def read_scenario_source(path: str | Path, overrides: list[Override] | None = None) -> ScenarioSource:
    """Read a scenario file, follow its ``extends:`` chain, and apply overrides."""
    path = Path(path)
    files: list[tuple[Path, yaml.Node]] = []
    data = _read_with_parents(path, files, chain=[])
    source = ScenarioSource(path=path, data=data, files=files, overrides=list(overrides or []))
    for override in source.overrides:
        _apply_override(source.data, override)
    return source


def parse_override(text: str) -> Override:
    """Parse ``key.path=value``; the value is read as YAML (``2`` is a number, ``[a, b]`` a list)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise InputError(f"--set {text}", "", "expected key.path=value, e.g. "
                         "--set grid.capacity_mw=12")
    try:
        value = yaml.load(raw, Loader=_StrictLoader) if raw.strip() else None
    except yaml.YAMLError as exc:
        raise InputError(f"--set {text}", key, f"expected a YAML value after '=' ({exc})") from None
    parts = tuple(part.strip() for part in key.strip().split("."))
    if any(not part for part in parts):
        raise InputError(f"--set {text}", key, "expected a key path of names joined by dots")
    return Override(path=parts, value=value, text=text)


def _read_with_parents(path: Path, files: list, chain: list[Path]) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in chain:
        loop = " -> ".join(p.name for p in [*chain, resolved])
        raise InputError(chain[-1], "extends", f"expected a chain without loops, got {loop}")
    text = _read_text(path, chain)
    try:
        root = yaml.compose(text, Loader=_StrictLoader)
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        raise InputError(path, "", f"YAML syntax error: {problem}", line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(path, "", f"YAML syntax error: {exc}") from None
    if data is None:
        raise InputError(path, "", "expected a scenario mapping (start, end, grid, ...); "
                         "the file is empty")
    if not isinstance(data, dict):
        raise InputError(path, "", f"expected a mapping of keys at the top level, got "
                         f"{type(data).__name__}", line=1)
    files.append((path, root))
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise InputError(path, "extends", "expected the path of another scenario file",
                         line=_line(root, ("extends",)))
    base = _read_with_parents(path.parent / parent, files, [*chain, resolved])
    return _merge(base, data)


def _read_text(path: Path, chain: list[Path]) -> str:
    who = chain[-1] if chain else path
    key = "extends" if chain else ""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(path, "", f"expected a scenario file under {MAX_FILE_BYTES} bytes")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(who, key, f"expected an existing scenario file, '{path}' was not "
                         "found") from None
    except IsADirectoryError:
        raise InputError(who, key, f"expected a scenario file, '{path}' is a directory") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(who, key, f"expected a readable UTF-8 file, '{path}' gave "
                         f"{type(exc).__name__}") from None


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: mappings merge key by key; anything else (lists too) is replaced."""
    merged = copy.deepcopy(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _apply_override(data: dict[str, Any], override: Override) -> None:
    where = f"--set {override.text}"
    target: Any = data
    for depth, part in enumerate(override.path):
        last = depth == len(override.path) - 1
        so_far = ".".join(override.path[: depth + 1])
        if isinstance(target, list):
            if not part.isdigit() or int(part) >= len(target):
                raise InputError(where, so_far, f"expected a list index from 0 to "
                                 f"{len(target) - 1}")
            if last:
                target[int(part)] = override.value
            else:
                target = target[int(part)]
        elif isinstance(target, dict):
            if last:
                target[part] = override.value
            else:
                target = target.setdefault(part, {})
        else:
            raise InputError(where, so_far, "expected a mapping or list to set a key in, "
                             f"found the value {target!r}")


def _find_node(root: yaml.Node, path: tuple[str | int, ...]) -> yaml.Node | None:
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


def _line(root: yaml.Node, path: tuple[str, ...]) -> int | None:
    node = _find_node(root, path)
    return node.start_mark.line + 1 if node is not None else None
