"""User-facing errors and their wording.

Every problem a user can cause (a bad scenario, a bad CSV row, an output directory in the way)
is raised as a :class:`GridqueueError`. The command line prints its one-line message and exits
with code 2; nothing else in the package phrases user-facing errors.
"""

from __future__ import annotations

import contextlib
import difflib
import itertools
import os
import sys
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

__all__ = [
    "GridqueueError",
    "GridqueueWarning",
    "InertSetting",
    "InputError",
    "Interrupted",
    "OutputError",
    "ReplicationError",
    "SchemaProblem",
    "Terminated",
    "argument",
    "arguments_as_options",
    "closest",
    "collected",
    "given_as",
    "kept_warnings",
    "listed",
    "nearest",
    "nearest_by_words",
    "one_line",
    "run_alone",
    "warn",
]


class GridqueueError(Exception):
    """A problem the user can fix; its message is one line, fit to print as it is."""

    exit_code = 2


class InputError(GridqueueError):
    """Bad input: names the file (and line), the key path and what was expected."""

    def __init__(
        self,
        source: str | Path | None,
        key_path: str,
        expected: str,
        line: int | None = None,
    ) -> None:
        self.source = str(source) if source is not None else None
        self.key_path = key_path
        self.expected = expected
        self.line = line
        super().__init__(self._format())

    def __reduce__(self) -> tuple[type[InputError], tuple[str | None, str, str, int | None]]:
        # Rebuilt from its parts when it crosses from a worker process to the main one.
        return (type(self), (self.source, self.key_path, self.expected, self.line))

    def _format(self) -> str:
        where = self.source or "<scenario>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        key = f" {self.key_path}:" if self.key_path else ""
        return one_line(f"{where}:{key} {self.expected}")


class InertSetting(InputError):
    """A key that would do nothing in this scenario at any value it could be given.

    Such as a ``priority_uptake`` of a category nobody asks by: only its default, which says
    nothing, is let through. No other value of the key helps; leaving it out, or changing
    what it depends on (who is in the category), does.
    """


class GridqueueWarning(UserWarning):
    """A setting that may not do all it seems to; the run goes on and the message says why."""


class SchemaProblem(ValueError):
    """A cross-field problem found inside the schema, at a key path other than the model's.

    A problem between two keys may name the other one as well (``other``: its key path and
    what it expects there): the error then blames whichever of the two a ``--set`` gave. What
    the other expects may name where the first was given, ``{where}``, and the option that
    gave the other, ``{set}`` (``--set``, or ``override`` from Python).
    """

    def __init__(self, key_path: str, expected: str,
                 other: tuple[str, str] | None = None) -> None:
        self.key_path = key_path
        self.expected = expected
        self.other = other
        super().__init__(f"{key_path}: {expected}")


class OutputError(GridqueueError):
    """The output directory cannot be written as asked (exists, not writable, disk full)."""


class Interrupted(GridqueueError):
    """A run stopped part-way (Ctrl-C); the message says what was kept and how to go on."""

    exit_code = 130


class Terminated(KeyboardInterrupt):
    """SIGTERM received: raised in the main process so a run stops and cleans up as on Ctrl-C."""


class ReplicationError(GridqueueError):
    """A replication failed; names the replication and seed so it can be re-run alone."""

    def __init__(self, replication: int, seed: int, cause: str) -> None:
        self.replication = replication
        self.seed = seed
        self.cause = cause
        super().__init__(one_line(
            f"replication {replication} (seed {seed}) failed: {cause}; "
            f"re-run it alone with {run_alone(seed, replication)}"
        ))

    def __reduce__(self) -> tuple[type[ReplicationError], tuple[int, int, str]]:
        return (type(self), (self.replication, self.seed, self.cause))


def one_line(text: str) -> str:
    """The text with line breaks shown as escapes, so a message stays on one line."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def listed(words: list[str]) -> str:
    """Words joined as in a sentence: 'a', 'a and b', 'a, b and c'."""
    return " and ".join(filter(None, [", ".join(words[:-1]), words[-1]]))


def nearest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """A ' (did you mean ...?)' hint for a misspelt name, or '' when nothing is close.

    ``cutoff`` is how alike (0 to 1, difflib's ratio) a choice must be to be suggested.
    """
    match = closest(word, choices, cutoff)
    return f" (did you mean '{match}'?)" if match is not None else ""


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice most like a misspelt name (as :func:`nearest` finds it), or None."""
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=cutoff)
    return match[0] if match else None


def nearest_by_words(word: str, choices: Iterable[str]) -> str:
    """:func:`nearest` for names of words joined by '_', in any order: 'mean_wait'.

    The choice holding every word of ``word`` with the fewest others, else :func:`nearest`:
    by its letters alone 'mean_wait' was nearest 'mw_years_waiting', another figure. A
    choice that says 'non' of a word given without it is none: 'firm_connected' was
    answered with 'non_firm_connected', the rights that are not firm.
    """
    words = set(str(word).split("_"))
    listed_choices = [choice for choice in choices if not _negates(choice, words)]
    holding = [choice for choice in listed_choices if len(words) > 1
               and words <= set(choice.split("_"))]
    if holding:
        return f" (did you mean '{min(holding, key=lambda choice: choice.count('_'))}'?)"
    return nearest(word, listed_choices)


def _negates(choice: str, words: set[str]) -> bool:
    """Whether ``choice`` puts 'non' before a word of ``words`` that ``words`` do not negate."""
    parts = choice.split("_")
    return "non" not in words and any(
        first == "non" and second in words for first, second in itertools.pairwise(parts))


_AS_OPTIONS: ContextVar[bool] = ContextVar("arguments_as_options", default=False)
"""Whether the arguments of the call under way were given as command-line options."""


@contextmanager
def arguments_as_options() -> Iterator[None]:
    """Within it, messages name arguments as options: the ``gridqueue`` command wraps each run.

    Outside it they name them as the keyword arguments of the Python API, which a caller
    typed instead (``replications=1``, not ``--replications 1``).
    """
    token = _AS_OPTIONS.set(True)
    try:
        yield
    finally:
        _AS_OPTIONS.reset(token)


def given_as(option: str, keyword: str) -> str:
    """An argument named as its caller gave it: ``option`` on the command line, else ``keyword``.

    The same idea as :attr:`sim.inputs.yaml_source.Override.given_as`, which names a change
    ``--set`` on the command line and ``override`` in Python, for every other argument.
    """
    return option if _AS_OPTIONS.get() else keyword


def argument(name: str, value: object = None) -> str:
    """``--replications 1`` on the command line, ``replications=1`` in Python (:func:`given_as`).

    ``name`` is the keyword argument's; its option spells ``_`` as ``-``. Without a value,
    the name alone: ``--reference`` or ``reference``.
    """
    option = f"--{name.replace('_', '-')}"
    if value is None:
        return given_as(option, name)
    return given_as(f"{option} {value}", f"{name}={value!r}")


def run_alone(seed: int, replication: int) -> str:
    """How to run one replication again: the options of ``gridqueue run``, or ``sim.run``'s.

    The seed is the scenario's; an option on the command line, in Python the scenario's own.
    Said when the message is made, so an error that crosses from a worker process is rebuilt
    from its parts in the caller's process (its ``__reduce__``).
    """
    return given_as(f"--seed {seed} --only-replication {replication}",
                    f"sim.run(scenario, replications=[{replication}]) for the scenario of "
                    f"seed {seed}")


_PACKAGE = os.path.dirname(os.path.realpath(__file__)) + os.sep
"""The folder of gridqueue's own code, whose lines a warning is never attributed to."""

_PASSED_THROUGH = frozenset({os.path.realpath(contextlib.__file__)})
"""Code between gridqueue's frames and the user's: ``with staged_directory(...)`` enters
through :mod:`contextlib`."""


_KEPT: ContextVar[list[str] | None] = ContextVar("kept_warnings", default=None)
"""Where :func:`warn` keeps its messages instead of warning, within :func:`kept_warnings`."""


@contextmanager
def collected(into: ContextVar[list[str] | None]) -> Iterator[list[str]]:
    """Within it, ``into`` holds the list yielded, for the code it runs to add to; then not."""
    kept: list[str] = []
    token = into.set(kept)
    try:
        yield kept
    finally:
        into.reset(token)


@contextmanager
def kept_warnings() -> Iterator[list[str]]:
    """Within it, :func:`warn` adds its messages to the list yielded instead of warning.

    For a caller that words them again, or says only some (a sweep's cells, of what the base
    scenario has not said already). Unlike :func:`warnings.catch_warnings`, it leaves Python's
    filters alone, whose change would make each warning said once be said again.
    """
    with collected(_KEPT) as kept:
        yield kept


def warn(message: str) -> None:
    """Warn of ``message`` (a :class:`GridqueueWarning`) at the first line outside gridqueue.

    Python shows the code line a warning is attributed to: the caller's ``load_scenario(...)``
    or ``compare(...)`` means something to the person who wrote the scenario, a line of
    gridqueue's, however deep the call, does not.
    """
    kept = _KEPT.get()
    if kept is not None:
        kept.append(message)
        return
    level, frame = 2, sys._getframe(1)  # 1 would be this function; 2 its caller
    while frame.f_back is not None and _not_the_users(frame.f_code.co_filename):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, GridqueueWarning, stacklevel=level)


def _not_the_users(filename: str) -> bool:
    """Whether code of ``filename`` is gridqueue's, or what its calls pass through."""
    path = os.path.realpath(filename)
    return path.startswith(_PACKAGE) or path in _PASSED_THROUGH
