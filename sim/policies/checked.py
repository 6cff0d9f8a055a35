"""A guard around a queue policy, so a policy that breaks its contract fails with a clear message.

Custom policies are user code: a ``sort_key`` that raises, returns keys that cannot be compared
or that hold NaN (which compares false with everything, so the order would be arbitrary), or a
``ranks`` that does not return a ranking would otherwise surface as a bare traceback from deep
inside the engine, or as a silently wrong queue. A policy that calls ``sys.exit`` or
``os._exit`` would end the whole run as if it had finished. :class:`CheckedPolicy` turns each
into an :class:`~sim.errors.InputError` that names the policy and the scenario key that chose
it, and for an exception raised in the policy's own code, the function, file and line where it
was raised; :func:`exits_refused` guards the other places user policy code runs (import,
``__init__``).
"""

from __future__ import annotations

import builtins
import copy
import dataclasses
import inspect
import math
import numbers
import os
import signal
import sys
import sysconfig
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import yaml

from sim.errors import GridqueueError, InputError, nearest
from sim.inputs.applicants import Applicant, ApplicantTable, inverse_permutation
from sim.inputs.yaml_source import read_scenario_source
from sim.policies import builtin
from sim.policies.base import QueuePolicy, ranks_by_key

__all__ = ["CONTRACT", "CheckedPolicy", "build_checked", "exits_refused"]

BUILT_IN_MODULE = builtin.__name__
"""Where gridqueue's own policies are defined (their ranks are checked by the test suite)."""

CONTRACT = (
    "expected sort_key to return tuples that compare with each other (numbers, or text in the "
    "same places) and ranks to place each applicant once"
)
"""What a policy promises, as the error message states it."""

DETERMINISTIC = ("expected the same order for the same applicants every time (no random "
                 "numbers, clock or counts kept between calls), so a seed gives the same tables")
"""Why a policy must be deterministic, as the error message states it."""

IDENTITY = ("the key depends on which object the applicant is (id()), which differs from "
            "run to run and between worker processes; draw a lottery from the applicant's "
            "numbers instead, e.g. random.Random(applicant.applicant_id).random() "
            "(docs/policies.md)")
"""Why a policy may not rank by the applicant object's identity, as the error states it."""

PROCESS_HASH = ("Python's hash() of text, a date or an object changes with every process "
                "(hash randomisation), so each run would give other tables for the same seed; "
                "draw a lottery from the applicant's numbers instead, e.g. "
                "random.Random(applicant.applicant_id).random(), or from hashlib "
                "(docs/policies.md)")
"""Why a policy may not rank by ``hash()`` of anything but numbers, as the error states it."""


class CheckedPolicy(QueuePolicy):
    """Delegates to ``policy`` and checks what it returns; the engine sees the same ranking.

    Args:
        policy: the policy to guard.
        order: how the scenario names it, e.g. ``mypolicies:LargestFirst``.
        source: the scenario file, or the option that named the policy (for the message).
        key_path: where the scenario names it, e.g. ``policy.order``.
        replication: the replication whose applicants it ranks, if known: an applicant's id
            starts again at 0 in every replication, so a message naming one names both, as
            ``applicants.csv`` does.
    """

    def __init__(self, policy: QueuePolicy, order: str, source: str, key_path: str,
                 replication: int | None = None) -> None:
        super().__init__(policy.category_order)
        self.policy = policy
        self.order = order
        self.source = source
        self.key_path = key_path
        self.replication = replication

    def sort_key(self, applicant: Applicant) -> tuple[Any, ...]:
        key = self.policy.sort_key(applicant)
        if not isinstance(key, tuple | list):  # a number or text would not unpack as one
            raise self._broken(f"returned {key!r} ({type(key).__name__}) as the sort key of "
                               f"{self._applicant(applicant)}; expected a tuple, e.g. "
                               "(applicant.requested_mw,) with the comma")
        if any(isinstance(k, float) and math.isnan(k) for k in key):
            raise self._broken(f"returned a sort key holding NaN, {key!r}, for "
                               f"{self._applicant(applicant)} ({_nan_attributes(applicant)}); "
                               "NaN is neither smaller nor larger than anything, so the order "
                               "would be arbitrary")
        return key

    def _applicant(self, applicant: Applicant | int) -> str:
        """'applicant 12 of replication 3': ids start again at 0 in every replication."""
        number = applicant.applicant_id if isinstance(applicant, Applicant) else applicant
        of = "" if self.replication is None else f" of replication {self.replication}"
        return f"applicant {number}{of}"

    def _mixed_types(self, keys: list[tuple[Any, ...]]) -> str | None:
        """Which two applicants' keys hold things that do not compare, and where; or None.

        'unsupported between instances of int and str' named neither the applicants nor the
        place in the key. Two keys meet at a place when all before it are equal, so the
        keys are grouped by what precedes each place; numbers compare whatever their type.
        None where no such pair is found (a key that cannot be grouped, say).
        """
        def kind(value: Any) -> type | str:
            return "number" if isinstance(value, numbers.Real) else type(value)

        for place in range(max(len(key) for key in keys) - 1):  # the last is the id
            met: dict[tuple[Any, ...], dict[type | str, tuple[Any, ...]]] = {}
            for key in keys:
                if place >= len(key) - 1:
                    continue
                try:
                    kinds = met.setdefault(key[:place], {})
                except TypeError:
                    return None  # a value that cannot be grouped: the general message
                kinds.setdefault(kind(key[place]), key)
                if len(kinds) > 1:
                    first = next(iter(kinds.values()))
                    return (f"returned sort keys whose values do not compare: "
                            f"{self._applicant(first[-1])} got {first[:-1]!r} and applicant "
                            f"{key[-1]} {key[:-1]!r} ({type(first[place]).__name__} against "
                            f"{type(key[place]).__name__} in place {place} of the key)")
        return None

    @property
    def is_users(self) -> bool:
        """Whether the policy is the user's, not one of gridqueue's own (a subclass is)."""
        return type(self.policy).__module__ != BUILT_IN_MODULE

    def ranks(self, table: ApplicantTable) -> np.ndarray:
        # A policy that keeps the default ranks is ranked through this class's sort_key, so
        # every key it returns is checked; a vectorised ranks is checked on its result.
        uses_sort_key = type(self.policy).ranks is QueuePolicy.ranks
        with self._user_code():
            if uses_sort_key:
                keys = [(*self.sort_key(applicant), applicant.applicant_id)
                        for applicant in table]
                try:
                    ranks = ranks_by_key(keys)
                except TypeError:
                    if (mixed := self._mixed_types(keys)) is None:
                        raise  # a comparison of the policy's own making: its code is named
                    raise self._broken(mixed) from None
            else:
                ranks = np.asarray(self.policy.ranks(table))
        size = len(table)
        if (why := _not_a_ranking(ranks, size)) is not None:
            raise self._broken(f"returned ranks that are not a ranking of the {size} "
                               f"applicants: {why}")
        return ranks.astype(np.int64, copy=False)

    def describe(self) -> str:
        return self.policy.describe()

    @contextmanager
    def _user_code(self) -> Iterator[None]:
        """Run the policy's own code: what it raises, or an exit it calls, names the policy."""
        try:
            with exits_refused():
                yield
        except GridqueueError:
            raise
        except SystemExit as exc:
            raise self._error(f"the queue policy '{self.order}' called sys.exit or os._exit "
                              f"({exc.code!r}) while ranking applicants; expected it to "
                              "return an order, not end the program") from None
        except Exception as exc:  # the policy is user code: any failure is reported
            raise self._failed(exc) from None
        except KeyboardInterrupt as exc:
            # A worker process ignores Ctrl-C (the main process stops it): there, the policy
            # raised this itself, and "interrupted" would blame a key nobody pressed.
            if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
                raise
            raise self._failed(exc) from None

    def check_deterministic(self, table: ApplicantTable,
                            own: np.ndarray) -> list[tuple[Any, ...]] | None:
        """Refuse a policy that orders the same applicants differently when asked again.

        A key drawn at random, counted across calls or taken from the applicant object's
        address (``id()``) gives other tables for the same seed, and ``reproduce`` then fails
        without naming why. ``sort_key`` is asked twice for each of ``table``'s applicants and
        once for an equal copy of it, and a policy's own ``ranks`` (``own``) once more. Only
        the user's policies (gridqueue's own are checked by its test suite): returns the keys,
        which :meth:`check_ranks_follow_sort_key` ranks, or None for gridqueue's own.
        """
        if not self.is_users:
            return None
        keys = []
        with self._user_code(), _process_hashes(_code_of(type(self.policy))) as hashed:
            for applicant in table:  # each Applicant made once: that is most of the cost
                key, again = self.sort_key(applicant), self.sort_key(applicant)
                if tuple(key) != tuple(again):
                    if hashed:  # the cause: hash() of NaN differs as its address does
                        raise self._hashed(hashed[0])
                    raise self._error(
                        f"the queue policy '{self.order}' is not deterministic: its sort_key "
                        f"gave applicant {applicant.applicant_id} the key {key!r}, then "
                        f"{again!r}; {DETERMINISTIC}")
                if tuple(twin := self.sort_key(copy.copy(applicant))) != tuple(key):
                    raise self._error(
                        f"the queue policy '{self.order}' is not deterministic: its sort_key "
                        f"gave applicant {applicant.applicant_id} the key {key!r}, and {twin!r} "
                        f"to an equal copy of the same applicant: {IDENTITY}")
                keys.append((*key, applicant.applicant_id))
            if type(self.policy).ranks is not QueuePolicy.ranks:
                again_ranks = np.asarray(self.policy.ranks(table))
        if hashed:
            raise self._hashed(hashed[0])
        if type(self.policy).ranks is QueuePolicy.ranks:
            return keys
        if again_ranks.shape != own.shape or not np.array_equal(again_ranks, own):
            differ = (np.flatnonzero(again_ranks != own) if again_ranks.shape == own.shape
                      else np.zeros(1, dtype=np.int64))
            raise self._error(
                f"the queue policy '{self.order}' is not deterministic: its ranks placed "
                f"applicant {int(table.applicant_id[differ[0]])} otherwise when asked again "
                f"for the same applicants; {DETERMINISTIC}")
        return keys

    def check_ranks_follow_sort_key(self, table: ApplicantTable, own: np.ndarray,
                                    keys: list[tuple[Any, ...]] | None = None) -> None:
        """Refuse a policy whose own ``ranks`` (``own``, of ``table``) disagree with ``sort_key``.

        A policy may write ``ranks`` out for speed; the docs ask that it give the order of
        ``sort_key``, which is what a reader of the policy sees. Checked by ``validate`` and
        before a run, on replication 0's applicants (:func:`sim.runs.replication
        .check_policies`); the replications then use the ranks as they are. gridqueue's own
        policies are not checked here: ``tests/test_policies.py`` checks them on random
        tables, and ranking by ``sort_key`` one applicant at a time made ``validate`` of a
        large scenario slower than its run. A subclass of one of them, defined elsewhere, is.
        ``keys`` are the applicants' keys, applicant_id last, if known already.
        """
        if type(self.policy).ranks is QueuePolicy.ranks or not self.is_users:
            return  # ranked through sort_key already, or one of gridqueue's own
        with self._user_code():
            by_key = (QueuePolicy.ranks(self, table) if keys is None else inverse_permutation(
                np.asarray(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)))
        differ = np.flatnonzero(own != by_key)
        if differ.size:
            first = int(table.applicant_id[differ[0]])
            # own is a ranking (CheckedPolicy.ranks refuses any other), so it can be inverted
            inverted = np.array_equal(inverse_permutation(own), by_key)
            raise self._broken(
                f"ranks applicants in another order than its sort_key (applicant {first}, "
                f"say, is placed {int(own[differ[0]]) + 1} by ranks and "
                f"{int(by_key[differ[0]]) + 1} by sort_key); ranks must give sort_key's order "
                "(docs/policies.md)" + (SERVING_ORDER if inverted else ""))

    def _hashed(self, value: str) -> InputError:
        """The error for a policy that called hash() on ``value``, whose hash is per process.

        Said before a key that differed when asked twice, where that hash is the cause: the
        hash of NaN is its address, which one process may reuse and another not.
        """
        return self._error(f"the queue policy '{self.order}' is not deterministic: it "
                           f"called hash() on {value}; {PROCESS_HASH}")

    def _broken(self, what: str) -> InputError:
        """The error for a policy whose keys or ranks break the contract, which it restates."""
        return self._error(f"the queue policy '{self.order}' {what}; {CONTRACT}")

    def _failed(self, exc: Exception | KeyboardInterrupt) -> InputError:
        """The error for a policy that raised: where in its own code, else what it returned.

        An exception raised in the policy's own code is the user's bug, so the message points
        there; one raised outside it (comparing its keys, reading its ranks) means what it
        returned breaks the contract, so only then does the message restate the contract.
        """
        what = f"failed while ranking applicants ({type(exc).__name__}: {exc}{_misspelt(exc)})"
        where = _raised_in(exc, type(self.policy))
        if where is None:
            return self._broken(what)
        return self._error(f"the queue policy '{self.order}' {what} {where}")

    def _error(self, expected: str) -> InputError:
        """An error at the key that names the policy: its file and line where they are known.

        The scenario file is read again to find them, and only a line that names this very
        policy is taken (a ``--set`` may have named another, or the scenario none).
        """
        try:
            origin = (read_scenario_source(self.source).origin(tuple(self.key_path.split(".")))
                      if Path(self.source).is_file() else None)
        except GridqueueError:
            origin = None
        if origin is None or not (isinstance(origin[1], yaml.ScalarNode)
                                  and origin[1].value == self.order):
            return InputError(self.source, self.key_path, expected)
        file, node = origin
        return InputError(file, self.key_path, expected, line=node.start_mark.line + 1)


SERVING_ORDER = ("; it returned the order in which they are served (who is at each place, as "
                 "np.lexsort and np.argsort give it), not each one's place: return "
                 "sim.inputs.applicants.inverse_permutation of it")
"""Said where ``ranks`` is the inverse of sort_key's ranking: the slip docs/policies.md names."""


SUPER_INIT = ("expected its __init__ to accept category_order and pass it on: "
              "super().__init__(category_order) (docs/policies.md)")
"""How a policy with parameters must be written, as the error message states it."""


def build_checked(cls: type[QueuePolicy], order: str, settings: dict[str, Any]) -> QueuePolicy:
    """``cls(**settings)``, with a policy class that breaks the contract of ``__init__`` named.

    An ``__init__`` that does not take ``category_order`` would be blamed on parameters the
    file may not even give, and one that forgets ``super().__init__`` would fail later, deep
    in a run, as an AttributeError. Raises LookupError (the policy's definition is wrong) or
    TypeError (its parameters do not fit, ``policy.params``), each naming the class's file.
    """
    described = f"the queue policy '{order}' ({_defined_in(cls)})"
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):  # no signature to read: building it will tell
        signature = None
    if signature is not None:
        kinds = {p.name: p.kind for p in signature.parameters.values()}
        if "category_order" not in kinds and inspect.Parameter.VAR_KEYWORD not in kinds.values():
            raise LookupError(f"{described} has an __init__ that does not take "
                              f"category_order; {SUPER_INIT}")
        try:
            signature.bind(**settings)
        except TypeError as exc:
            raise TypeError(f"{exc}{_parameters_taken(signature, settings)} "
                            f"({_defined_in(cls)})") from None
    try:
        policy = cls(**settings)
    except Exception as exc:  # the constructor is user code: any failure is reported
        where = _raised_in(exc, cls)
        if where is None and isinstance(exc, TypeError):  # QueuePolicy refusing parameters
            raise TypeError(str(exc)) from None
        message = (f"{described} failed while being built ({type(exc).__name__}: {exc})"
                   + (f" {where}" if where else ""))
        if set(settings) - {"category_order", "within_category"}:
            raise TypeError(message) from None  # it may be refusing its parameters
        raise LookupError(message) from None
    if not isinstance(getattr(policy, "category_order", None), tuple):
        raise LookupError(f"{described} does not call super().__init__ (it has no "
                          f"category_order); {SUPER_INIT}")
    return policy


SET_ELSEWHERE = ("category_order", "within_category")
"""Arguments of a policy's ``__init__`` that keys of their own set, not ``policy.params``."""


def _parameters_taken(signature: inspect.Signature, settings: dict[str, Any]) -> str:
    """'; expected one of a, b' (after a hint at the nearest to a misspelt one): what to name.

    Python's own message names only what does not fit; the reader needs the names that would.
    """
    taken = [name for name, parameter in signature.parameters.items()
             if name not in SET_ELSEWHERE and parameter.kind in (
                 inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]
    unknown = [name for name in settings if name not in signature.parameters]
    hint = nearest(unknown[0], taken) if unknown else ""
    expected = ", ".join(taken) if len(taken) < 2 else f"one of {', '.join(taken)}"
    return f"{hint}; expected {expected or 'no parameters'}"


def _defined_in(cls: type) -> str:
    """``Class in FILE``, or in which module, where the file is not known (a notebook's)."""
    try:
        file = inspect.getsourcefile(cls)
    except (TypeError, OSError):  # built in, or defined where no source is kept (a notebook)
        file = None
    return f"{cls.__qualname__} in {file or f'module {cls.__module__}'}"


def _misspelt(exc: BaseException) -> str:
    """A hint for an applicant attribute the policy misspelt (``applicant.job``), else ''."""
    if isinstance(exc, AttributeError) and isinstance(exc.obj, Applicant) and exc.name:
        return nearest(exc.name, (field.name for field in dataclasses.fields(Applicant)))
    return ""


def _raised_in(exc: BaseException, policy: type[QueuePolicy]) -> str | None:
    """``in FUNCTION at FILE:LINE``: the last traceback frame in the policy's own files."""
    files = _own_files(policy)
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in files:
            return f"in {frame.name} at {frame.filename}:{frame.lineno}"
    return None


def _own_files(policy: type[QueuePolicy]) -> set[str]:
    """The files the policy's classes and their modules come from, gridqueue's own left out.

    The code objects' file names are what a traceback shows, also for a class whose module
    has no file (a notebook cell); the module's file covers its helper functions.
    """
    files: set[str] = set()
    for cls in policy.__mro__:
        if cls.__module__ in ("builtins", "abc", "sim") or cls.__module__.startswith("sim."):
            continue
        module_file = getattr(sys.modules.get(cls.__module__), "__file__", None)
        if module_file is not None:
            files.add(module_file)
        for value in vars(cls).values():
            code = getattr(getattr(value, "__func__", value), "__code__", None)
            if code is not None:
                files.add(code.co_filename)
    return files


def _nan_attributes(applicant: Applicant) -> str:
    """The applicant's attributes that are NaN, as the message names them."""
    nan = [field.name for field in dataclasses.fields(applicant)
           if isinstance(getattr(applicant, field.name), float)
           and math.isnan(getattr(applicant, field.name))]
    return (f"its {', '.join(nan)} {'is' if len(nan) == 1 else 'are'} NaN: not known for "
            "this applicant" if nan else "none of its attributes is NaN")


_hashes_lock = threading.Lock()
_hash_watchers: dict[int, tuple[list[str], str | None]] = {}
"""Per thread checking a policy: what it gave :func:`hash` whose hash changes by process, and
where the policy's own code is (:func:`_code_of`)."""
_hash_outside = builtins.hash
"""``hash`` as the first watcher found it: what the last one gives back."""
_STANDARD_LIBRARY = sysconfig.get_paths()["stdlib"] + os.sep
"""Where Python's own modules are: their ``hash()`` calls are not the policy's."""


@contextmanager
def _process_hashes(own_code: str | None) -> Iterator[list[str]]:
    """While a policy is checked, note each :func:`hash` of a value whose hash is per process.

    The hash of text, bytes, a date or an object without a hash of its own (an applicant, a
    tuple holding text) is salted afresh in every Python process, so a lottery drawn from it
    passes the check of asking twice in one process, yet gives other tables every run and
    ``reproduce`` fails without saying why. Numbers hash alike everywhere. Only calls made
    by this thread are noted (another thread may hash text meanwhile), and only from the
    policy's code (``own_code``, see :func:`_code_of`) or other code that is not a library's;
    the block yields their descriptions, the first one first.
    """
    global _hash_outside
    seen: list[str] = []
    thread = threading.get_ident()
    with _hashes_lock:
        if not _hash_watchers:
            _hash_outside = builtins.hash
            builtins.hash = _watched_hash
        _hash_watchers[thread] = (seen, own_code)
    try:
        yield seen
    finally:
        with _hashes_lock:
            _hash_watchers.pop(thread, None)
            if not _hash_watchers:
                builtins.hash = _hash_outside


def _watched_hash(value: object) -> int:
    """``hash(value)``, noting a value whose hash is per process for the thread's watcher.

    A call from a ``__hash__`` (a dataclass's hashes a tuple of its fields) is not noted: it
    serves a dict or set, whose lookups are the same in every process, or an outer ``hash``
    call that is noted itself. Nor is one from a library's code (pandas hashes a column name
    to see that it can be looked up, with ``"w" in frame`` or ``frame["w"]``): it does not
    rank by the hash, and a policy using pandas or the standard library is deterministic.
    """
    watcher = _hash_watchers.get(threading.get_ident())
    if watcher is not None and not watcher[0] and not _same_in_every_process(value):
        caller = sys._getframe(1).f_code
        if caller.co_name != "__hash__" and not _library_code(caller.co_filename, watcher[1]):
            shown = repr(value)
            watcher[0].append(f"{type(value).__name__} "
                              f"{shown if len(shown) <= 40 else shown[:37] + '...'}")
    return _hash_outside(value)


def _code_of(policy: type) -> str | None:
    """Where a policy class's own code is: its top package's folder, or else its module's file.

    A policy installed as a package (an entry point) is in site-packages like the libraries
    it uses; its own ``hash()`` calls, in any module of its package, are still noted.
    """
    name = policy.__module__
    for module in (sys.modules.get(name.partition(".")[0]), sys.modules.get(name)):
        file: str | None = getattr(module, "__file__", None)
        if file:
            return (os.path.dirname(file) + os.sep if os.path.basename(file) == "__init__.py"
                    else file)
    return None


def _library_code(file: str, own_code: str | None) -> bool:
    """Whether ``file`` is a library's: Python's own or an installed package's, not the policy's."""
    if own_code is not None and file.startswith(own_code):
        return False
    parts = Path(file).parts
    return (file.startswith((_STANDARD_LIBRARY, "<frozen "))
            or "site-packages" in parts or "dist-packages" in parts)


def _same_in_every_process(value: object) -> bool:
    """Whether ``hash(value)`` is the same in every process: numbers, and tuples of them.

    Not NaN, nor before Python 3.12 None: their hash is their address in memory, which
    changes with every process.
    """
    if value is None:
        return sys.version_info >= (3, 12)
    if isinstance(value, numbers.Number):
        return not _is_nan(value)
    if isinstance(value, tuple | frozenset):
        return all(_same_in_every_process(item) for item in value)
    return False


def _is_nan(number: numbers.Number) -> bool:
    """Whether ``number`` is a NaN (a float's, numpy's or a Decimal's, signalling or not)."""
    try:
        return bool(number != number)
    except ArithmeticError:  # a signalling Decimal NaN refuses to be compared
        return True


_refusals_lock = threading.Lock()
_refusals = 0
"""How many :func:`exits_refused` blocks are open in this process, in any thread."""
_exit_outside = os._exit
"""``os._exit`` as the first of the open blocks found it: what the last one gives back."""


@contextmanager
def exits_refused() -> Iterator[None]:
    """While user policy code runs, ``os._exit`` raises SystemExit instead of ending the process.

    ``sys.exit`` already raises SystemExit; ``os._exit`` would end the process at once, and a
    run in one process would then stop with exit code 0 as if it had finished. The caller
    catches the SystemExit and names the policy.

    ``os._exit`` is one for the whole process, and replications may rank in several threads
    at once (a Dask cluster of threads): the refusal is counted, and ends when the last open
    block does, not when the first that began, and gives back the ``os._exit`` the first one
    found. A process forked meanwhile starts with that one (see
    :func:`_exits_allowed_in_child`): a worker of a process pool ends with it, and refused, it
    would run on in a copy of its parent's stack.
    """
    global _refusals, _exit_outside
    with _refusals_lock:
        if not _refusals:
            _exit_outside = os._exit
            os._exit = _refuse_exit
        _refusals += 1
    pid = os.getpid()
    try:
        yield
    finally:
        with _refusals_lock:
            if os.getpid() == pid:  # a child forked inside the block has its own count
                _refusals -= 1
                if not _refusals:
                    os._exit = _exit_outside


def _refuse_exit(status: int) -> NoReturn:
    raise SystemExit(status)


def _exits_allowed_in_child() -> None:
    """In a forked child: no block is open, and ``os._exit`` ends the process again.

    The lock is new too: another thread of the parent may have held it at the fork, and
    that thread does not exist in the child to release it.
    """
    global _refusals, _refusals_lock
    if _refusals:
        os._exit = _exit_outside
    _refusals = 0
    _refusals_lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_exits_allowed_in_child)


def _not_a_ranking(ranks: np.ndarray, size: int) -> str | None:
    """Why ``ranks`` does not give each of ``size`` applicants its own place from 0 to size-1.

    None if it does. The message says what is wrong (one-based positions, a place twice),
    not only that something is.
    """
    if ranks.shape != (size,):
        if ranks.ndim == 1:  # an applicant left out, or one placed twice over
            got = (f"{len(ranks)}, {abs(len(ranks) - size)} "
                   f"{'fewer' if len(ranks) < size else 'more'}")
        elif ranks.ndim == 0:  # None, or one number, returned instead of an array
            got = f"one value, {ranks.item()!r}, not one per applicant"
        else:
            got = f"an array of shape {ranks.shape}, not a flat one"
        return f"expected one position per applicant, {size} in all; got {got}"
    if ranks.dtype.kind not in "iu":
        return (f"expected whole numbers (positions from 0 to {size - 1}); got dtype "
                f"{ranks.dtype}")
    if size == 0:
        return None
    expected = f"expected each of 0 to {size - 1} exactly once (0 is served first)"
    low, high = int(ranks.min()), int(ranks.max())
    if low < 0 or high >= size:
        return f"{expected}; got values from {low} to {high}"
    counts = np.bincount(ranks, minlength=size)
    if np.all(counts == 1):
        return None
    twice, missing = np.flatnonzero(counts > 1), np.flatnonzero(counts == 0)
    return (f"{expected}; got {twice[0]} {counts[twice[0]]} times and {missing[0]} not at all "
            f"({twice.size} of the values more than once, {missing.size} missing)")
