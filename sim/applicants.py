"""Applicants as plain data: the categories, one applicant, and a replication's table of them.

No SimPy here. The table holds one numpy array per attribute (a replication can have a
hundred thousand applicants); :class:`Applicant` is the one-row view that queue policies see.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Literal

import numpy as np

__all__ = [
    "CATEGORIES",
    "PRIORITY_CATEGORIES",
    "Applicant",
    "ApplicantTable",
    "Category",
]

Category = Literal["congestion_relief", "safety", "basic_needs", "other"]
"""A category of the social prioritisation framework (ACM, Netcode articles 7.0a-7.0d)."""

CATEGORIES: tuple[str, ...] = ("congestion_relief", "safety", "basic_needs", "other")
"""All categories, from the framework's highest priority to none."""

PRIORITY_CATEGORIES: tuple[str, ...] = CATEGORIES[:-1]
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


@dataclass(frozen=True)
class ApplicantTable:
    """All applicants of one replication, sorted by request time; ``applicant_id`` is the row.

    ``patience_years`` and ``lifetime_years`` are ``inf`` for applicants who wait forever or
    hold their connection for good. A waiting-list applicant's patience counts from the start.
    """

    name: np.ndarray
    source: np.ndarray
    stream: np.ndarray
    category: np.ndarray
    area: np.ndarray
    request_time: np.ndarray
    demand_mw: np.ndarray
    requested_mw: np.ndarray
    self_supply: np.ndarray
    jobs: np.ndarray
    priority_requested: np.ndarray
    patience_years: np.ndarray
    lifetime_years: np.ndarray

    def __len__(self) -> int:
        return len(self.request_time)

    @cached_property
    def category_code(self) -> np.ndarray:
        """Each applicant's category as its place in :data:`CATEGORIES` (int8).

        Worked out once per table: comparing small integers is far cheaper than comparing
        the names, which the engine, the policies and the output tables all need.
        """
        place = {name: code for code, name in enumerate(CATEGORIES)}
        return np.array([place[name] for name in self.category.tolist()], dtype=np.int8)

    @property
    def applicant_id(self) -> np.ndarray:
        """Ids are row numbers: request order, ties broken by source order."""
        return np.arange(len(self))

    def applicant(self, i: int) -> Applicant:
        """Row ``i`` as an :class:`Applicant`."""
        return Applicant(applicant_id=i, **{
            f.name: getattr(self, f.name)[i : i + 1].tolist()[0] for f in fields(self)})

    def __iter__(self) -> Iterator[Applicant]:
        """Every row as an :class:`Applicant`, in id order."""
        names = [f.name for f in fields(self)]
        rows = zip(*(getattr(self, name).tolist() for name in names), strict=True)
        return (Applicant(applicant_id=i, **dict(zip(names, row, strict=True)))
                for i, row in enumerate(rows))

    @classmethod
    def concat_sorted(cls, parts: list[ApplicantTable]) -> ApplicantTable:
        """Join tables and sort by request time; a stable sort keeps the parts' order on ties."""
        columns = {
            f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)
        }
        order = np.argsort(columns["request_time"], kind="stable")
        return cls(**{name: column[order] for name, column in columns.items()})
