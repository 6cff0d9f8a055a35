"""Applicants as plain data: the categories, one applicant, and a replication's table of them.

No SimPy here. The table holds one numpy array per attribute (a replication can have a
hundred thousand applicants), text as integer codes (:class:`Labels`); :class:`Applicant` is
the one-row view that queue policies see.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "CATEGORIES",
    "PRIORITY_CATEGORIES",
    "Applicant",
    "ApplicantTable",
    "Category",
    "Labels",
    "TEXT_COLUMNS",
    "inverse_permutation",
]

Category = Literal["congestion_relief", "safety", "basic_needs", "other"]
"""A category of the social prioritisation framework (ACM, Netcode articles 7.0a-7.0d)."""

CATEGORIES: tuple[Category, ...] = ("congestion_relief", "safety", "basic_needs", "other")
"""All categories, from the framework's highest priority to none."""

PRIORITY_CATEGORIES: tuple[Category, ...] = CATEGORIES[:-1]
"""Categories that may ask for priority; ``other`` has none to ask for."""


@dataclass(frozen=True, slots=True)
class Applicant:
    """One applicant, as a queue policy sees it. Times are years since the scenario start."""

    applicant_id: int
    name: str
    source: str
    stream: str
    category: str
    area: str
    request_time: float
    demand_mw: float
    requested_mw: float
    self_supply: float
    jobs: int
    priority_requested: bool
    patience_years: float
    lifetime_years: float
    homes: int = 0
    partial_min_share: float = 1.0
    existing_mw: float = 0.0
    non_firm_right: int = -1
    keeps_firm_place: bool = True
    efficiency: float = float("-inf")


TEXT_COLUMNS: tuple[str, ...] = ("name", "source", "stream", "category", "area")
"""The applicant attributes that are text, which tables hold as :class:`Labels`."""


@dataclass(frozen=True)
class Labels:
    """A column of text as integer codes into its distinct values.

    Applicant tables hold their text this way: a replication's hundred thousand applicants
    share a handful of source, stream, category and area names, and joining, sorting and
    tabulating integer codes costs a fraction of doing so with arrays of Python strings.
    """

    codes: npt.NDArray[np.int32]
    """Each row's place in :attr:`values` (int32)."""
    values: tuple[str, ...]
    """The distinct texts; one may occur in no row."""

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def repeat(cls, text: str, size: int) -> Labels:
        """``text`` in each of ``size`` rows."""
        return cls(np.zeros(size, dtype=np.int32), (text,))

    @classmethod
    def encode(cls, texts: Iterable[str]) -> Labels:
        """Texts given one per row, coded in the order each first occurs."""
        place: dict[str, int] = {}
        codes = [place.setdefault(text, len(place)) for text in texts]
        return cls(np.array(codes, dtype=np.int32), tuple(place))

    @classmethod
    def join(cls, parts: Sequence[Labels], places: Sequence[np.ndarray]) -> Labels:
        """One column of the rows of ``parts``, each part's rows at its ``places``.

        The parts' values are merged, each coded in the order it first occurs.

        Speed: a part of one text (a stream's source, name or area) writes its one code to
        its places, where recoding each of its rows first made a column to throw away.
        """
        index: dict[str, int] = {}
        codes = np.empty(sum(len(part) for part in parts), dtype=np.int32)
        for part, place in zip(parts, places, strict=True):
            recode = np.array([index.setdefault(v, len(index)) for v in part.values],
                              dtype=np.int32)
            codes[place] = recode[0] if len(recode) == 1 else recode[part.codes]
        return cls(codes, tuple(index))

    def matches(self, text: str) -> np.ndarray:
        """Which rows hold ``text``: a comparison of codes, far cheaper than of the text."""
        return np.isin(self.codes, [code for code, value in enumerate(self.values)
                                    if value == text])

    def decode(self) -> np.ndarray:
        """The text of each row, as an object array."""
        return np.array(self.values, dtype=object)[self.codes]

    def codes_in(self, values: Sequence[str]) -> np.ndarray:
        """Each row's place in ``values``, which must hold every text of the column."""
        place = {value: code for code, value in enumerate(values)}
        return np.array([place[v] for v in self.values], dtype=np.intp)[self.codes]


@dataclass(frozen=True)
class ApplicantTable:
    """All applicants of one replication, sorted by request time; ``applicant_id`` is the row.

    ``patience_years`` and ``lifetime_years`` are ``inf`` for applicants who wait forever or
    hold their connection for good. A waiting-list applicant's patience counts from the start.
    ``homes`` is the number of homes of a housing request (0 for any other), ``category`` the
    category at the request. ``partial_min_share`` is the smallest share of its request an
    applicant takes as a partial connection (1: whole or nothing); ``existing_mw`` the MW of
    the connection an expansion adds to (0 for a new connection); ``non_firm_right`` the kind
    of non-firm right it accepts while it waits (its place in the scenario's rights, -1: none)
    and ``keeps_firm_place`` whether it then stays in the firm queue. ``efficiency`` is the
    score of a congestion reliever's offer, higher ranking first where a policy ranks by it
    (-inf: no score, below every score). The text attributes are held coded (:attr:`labels`)
    and read as object arrays of text.
    """

    labels: dict[str, Labels]
    """The text attributes by name (:data:`TEXT_COLUMNS`), coded."""
    request_time: np.ndarray
    demand_mw: np.ndarray
    requested_mw: np.ndarray
    self_supply: np.ndarray
    jobs: np.ndarray
    priority_requested: np.ndarray
    patience_years: np.ndarray
    lifetime_years: np.ndarray
    homes: np.ndarray = None  # type: ignore[assignment]  # None: no homes in any request
    partial_min_share: np.ndarray = None  # type: ignore[assignment]  # None: all whole
    existing_mw: np.ndarray = None  # type: ignore[assignment]  # None: all new connections
    non_firm_right: np.ndarray = None  # type: ignore[assignment]  # None: no non-firm offers
    keeps_firm_place: np.ndarray = None  # type: ignore[assignment]  # None: all keep it
    efficiency: np.ndarray = None  # type: ignore[assignment]  # None: nobody has a score

    def __post_init__(self) -> None:
        size = len(self.request_time)
        for name, fill, dtype in _OPTIONAL:
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(size, fill, dtype=dtype))

    def __len__(self) -> int:
        return len(self.request_time)

    @classmethod
    def from_columns(cls, **columns: Sequence[Any]) -> ApplicantTable:
        """A table from one sequence per attribute of :class:`Applicant` but the id.

        The easiest form to write by hand (e.g. to test a policy): text as strings, the
        rest as numbers, all in request order.
        """
        labels = {name: Labels.encode(columns.pop(name)) for name in TEXT_COLUMNS}
        return cls(labels=labels, **{name: np.asarray(c) for name, c in columns.items()})

    @cached_property
    def name(self) -> np.ndarray:
        """Each applicant's name (empty for applicants of a stream)."""
        return self.labels["name"].decode()

    @cached_property
    def source(self) -> np.ndarray:
        """Where each applicant comes from: ``waiting_list``, ``stream`` or ``project``."""
        return self.labels["source"].decode()

    @cached_property
    def stream(self) -> np.ndarray:
        """Each applicant's stream (``project`` or ``waiting_list`` if none)."""
        return self.labels["stream"].decode()

    @cached_property
    def category(self) -> np.ndarray:
        """Each applicant's category, one of :data:`CATEGORIES`."""
        return self.labels["category"].decode()

    @cached_property
    def area(self) -> np.ndarray:
        """The grid area each applicant asks to connect in."""
        return self.labels["area"].decode()

    @cached_property
    def category_code(self) -> np.ndarray:
        """Each applicant's category as its place in :data:`CATEGORIES` (int8).

        Worked out once per table: comparing small integers is far cheaper than comparing
        the names, which the engine, the policies and the output tables all need.
        """
        return self.labels["category"].codes_in(CATEGORIES).astype(np.int8)

    @property
    def applicant_id(self) -> np.ndarray:
        """Ids are row numbers: request order, ties broken by source order."""
        return np.arange(len(self))

    def applicant(self, i: int) -> Applicant:
        """Row ``i`` as an :class:`Applicant`."""
        return Applicant(applicant_id=i, **{
            name: getattr(self, name)[i : i + 1].tolist()[0] for name in _ATTRIBUTES})

    def __iter__(self) -> Iterator[Applicant]:
        """Every row as an :class:`Applicant`, in id order."""
        rows = zip(*(getattr(self, name).tolist() for name in _ATTRIBUTES), strict=True)
        return (Applicant(applicant_id=i, **dict(zip(_ATTRIBUTES, row, strict=True)))
                for i, row in enumerate(rows))

    @classmethod
    def concat_sorted(cls, parts: list[ApplicantTable]) -> ApplicantTable:
        """Join tables and sort by request time; a stable sort keeps the parts' order on ties.

        Speed: each part's rows are written straight to their places in the result, where
        joining the parts and then reordering the rows made every column twice.
        """
        places = _sorted_places([p.request_time for p in parts])
        labels = {
            name: Labels.join([p.labels[name] for p in parts], places) for name in TEXT_COLUMNS
        }
        numbers = {name: _placed([getattr(p, name) for p in parts], places) for name in _NUMBERS}
        return cls(labels=labels, **numbers)


def _sorted_places(times: list[np.ndarray]) -> list[np.ndarray]:
    """Where each part's rows go when the parts are joined and stably sorted by time."""
    place = inverse_permutation(np.argsort(np.concatenate(times), kind="stable"))
    return np.split(place, np.cumsum([len(t) for t in times])[:-1])


def inverse_permutation(permutation: np.ndarray) -> np.ndarray:
    """Invert a permutation of 0..n-1: from who is at each place to each one's place, and back.

    A scatter, O(n): cheaper than the argsort that gives the same answer.
    """
    inverse = np.empty(len(permutation), dtype=np.int64)
    inverse[permutation] = np.arange(len(permutation))
    return inverse


def _placed(columns: Sequence[np.ndarray], places: Sequence[np.ndarray]) -> np.ndarray:
    """One column of a joined table: each part's values written at its places."""
    joined = np.empty(sum(len(c) for c in columns), dtype=np.result_type(*columns))
    for column, place in zip(columns, places, strict=True):
        joined[place] = column
    return joined


_OPTIONAL = (("homes", 0, np.int64), ("partial_min_share", 1.0, float),
             ("existing_mw", 0.0, float), ("non_firm_right", -1, np.int64),
             ("keeps_firm_place", True, bool), ("efficiency", -np.inf, float))
"""Columns a table may be built without: (name, value of every row, dtype)."""
_ATTRIBUTES = tuple(f.name for f in fields(Applicant) if f.name != "applicant_id")
"""What a table holds of each applicant (the id is the row), in :class:`Applicant` order."""
_NUMBERS = tuple(f.name for f in fields(ApplicantTable) if f.name != "labels")
"""The attributes a table holds as numeric arrays."""
