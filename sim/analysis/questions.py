"""A questions file: the comparisons a family of scenarios answers, each a named pair.

``gridqueue compare --questions questions.yaml`` reads a YAML list such as::

    - question: What does social priority do?
      reference: fifo.yaml
      variant: social_priority.yaml

Paths are relative to the questions file and may name scenario files or results directories.
Each scenario is run once however many questions name it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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
from sim.inputs.yaml_source import (
    MAX_FILE_BYTES,
    MERGE_KEYS_REFUSED,
    MergeKey,
    TooManyValues,
    load_strictly,
    path_at,
    yaml_problem,
)

__all__ = ["QuestionSpec", "first_repeat", "read_questions"]

KEYS = ("question", "reference", "variant")


@dataclass(frozen=True)
class QuestionSpec:
    """One question as written: its words and the two inputs it compares."""

    question: str
    reference: Path
    variant: Path


def read_questions(path: str | Path) -> list[QuestionSpec]:
    """The questions of a file, in order; a bad file raises one :class:`InputError`."""
    path = Path(path)
    text = _read_text(path)
    try:
        root, data = load_strictly(text)
    except MergeKey as exc:  # worded for a questions file, which has no extends
        raise InputError(path, ".".join(_where(text, exc) or ()), f"{MERGE_KEYS_REFUSED}; "
                         "write out each question's question, reference and variant",
                         line=exc.problem_mark.line + 1 if exc.problem_mark else None
                         ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        key_path = _where(text, exc)
        problem = yaml_problem(exc)
        if key_path is None or not problem.startswith("expected"):
            problem = f"expected YAML: a list of questions; {problem}"
        raise InputError(path, ".".join(key_path or ()), problem,
                         line=None if mark is None else mark.line + 1) from None
    except yaml.YAMLError as exc:
        raise InputError(path, "", f"expected YAML: a list of questions; {exc}") from None
    except TooManyValues as exc:
        raise InputError(path, "", str(exc)) from None
    except RecursionError:
        raise InputError(path, "", "expected a list of questions nested less deeply") from None
    if not isinstance(data, list) or not data:
        raise InputError(path, "", "expected a non-empty list of questions, each with "
                         "question, reference and variant")
    specs = []
    for i, entry in enumerate(data):
        if not isinstance(entry, dict) or set(entry) != set(KEYS):
            got = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
            unknown = [k for k in entry if k not in KEYS] if isinstance(entry, dict) else []
            hint = nearest(str(unknown[0]), KEYS) if unknown else ""
            # a wrong key is named where it stands; a missing one at its question
            where = (f"{i}.{unknown[0]}", _line(root, i, str(unknown[0]))) if unknown \
                else (str(i), _line(root, i))
            raise InputError(path, where[0], f"expected exactly the keys {', '.join(KEYS)}; "
                             f"got {got}{hint}", line=where[1])
        for key in KEYS:
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise InputError(path, f"{i}.{key}", "expected a non-empty text",
                                 line=_line(root, i, key))
        reference, variant = (path.parent / entry[k] for k in ("reference", "variant"))
        for key, target in (("reference", reference), ("variant", variant)):
            _check_leads_somewhere(target, path, f"{i}.{key}", _line(root, i, key))
            if not target.exists():
                raise InputError(path, f"{i}.{key}", f"expected an existing scenario file or "
                                 f"results directory; {entry[key]} not found",
                                 line=_line(root, i, key))
            if target.is_dir() and not os.path.lexists(target / "run.json"):
                raise InputError(path, f"{i}.{key}", f"expected an existing scenario file or "
                                 f"results directory; {entry[key]} is a folder without "
                                 "run.json, so not the results of gridqueue run",
                                 line=_line(root, i, key))
        if reference.resolve() == variant.resolve():
            raise InputError(path, f"{i}.variant", "expected a scenario other than the "
                             "reference", line=_line(root, i, "variant"))
        specs.append(QuestionSpec(entry["question"].strip(), reference, variant))
    if (repeat := first_repeat(specs)) is not None:
        first, again = repeat
        raise InputError(path, f"{again}.variant", f"expected each pair of scenarios in one "
                         f"question only; question {first} ({specs[first].question!r}) "
                         "already compares this reference and variant: keep one entry",
                         line=_line(root, again, "variant"))
    return specs


def _where(text: str, exc: yaml.MarkedYAMLError) -> tuple[str, ...] | None:
    """The key path of the key or value a YAML error was found at, when it is known."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return None
    try:
        root = yaml.compose(text, Loader=yaml.BaseLoader)  # no values built: no error
    except yaml.YAMLError:
        return None
    return path_at(root, mark.index) if root is not None else None


def _read_text(path: Path) -> str:
    """The text of a questions file, read as a scenario file is.

    Only a regular file of UTF-8 text up to a limit: a pipe, a device or a file saved in
    another encoding is one message, not a wait without end, a full memory or a traceback.
    """
    try:
        return read_limited(path, MAX_FILE_BYTES).decode("utf-8")
    except NotARegularFile as exc:
        raise InputError(path, "", f"expected a questions file, not a {exc.kind}") from None
    except TooLarge:
        raise InputError(path, "", f"expected a questions file of at most {MAX_FILE_BYTES} "
                         "bytes") from None
    except IsADirectoryError:
        raise InputError(path, "", "expected a readable questions file (Is a directory)"
                         ) from None
    except FileNotFoundError as exc:  # a link whose target is gone is named as one
        words = f"it {not_found(path)}" if path.is_symlink() else exc.strerror
        raise InputError(path, "", f"expected a readable questions file ({words})") from None
    except OSError as exc:
        raise InputError(path, "", f"expected a readable questions file ({exc.strerror})"
                         ) from None
    except UnicodeDecodeError as exc:
        raise InputError(path, "", f"expected UTF-8 text, got the byte "
                         f"0x{exc.object[exc.start]:02x} (save the file as UTF-8)") from None


def first_repeat(specs: Sequence[QuestionSpec]) -> tuple[int, int] | None:
    """The first question asking of a pair an earlier one asks of, and that earlier one.

    A pair asked twice would give its difference rows twice, with nothing to tell them apart.
    """
    asked: dict[tuple[Path, Path], int] = {}
    for index, spec in enumerate(specs):
        pair = (spec.reference.resolve(), spec.variant.resolve())
        if pair in asked:
            return asked[pair], index
        asked[pair] = index
    return None


def _check_leads_somewhere(target: Path, path: Path, key: str, line: int | None) -> None:
    """Refuse a question's file that runs into a loop of links, rather than call it not found."""
    try:
        resolved(target)
    except SymlinkLoop as exc:
        raise InputError(path, key, "expected an existing scenario file or results directory; "
                         f"{target} {exc.strerror}", line=line) from None


def _line(root: yaml.Node | None, index: int, key: str | None = None) -> int | None:
    """The line of question ``index`` in the file (of its ``key``'s value, if given)."""
    if not isinstance(root, yaml.SequenceNode) or index >= len(root.value):
        return None
    node = root.value[index]
    if key is not None and isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            if name.value == key:
                return int(value.start_mark.line) + 1
    return int(node.start_mark.line) + 1
