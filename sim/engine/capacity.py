"""The capacity ledger: capacity and connected MW per area and upstream. Pure bookkeeping.

Also the plain data of a capacity-release mechanism (:class:`Reclaim`), which takes MW back
from connected users.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["UPSTREAM", "CapacityLedger", "CapacityStep", "FIT_TOLERANCE_MW", "Reclaim"]

UPSTREAM = -1
"""Area index that stands for the shared upstream limit."""

FIT_TOLERANCE_MW = 1e-9
"""A request fits if it exceeds the free capacity by no more than this (rounding of sums)."""


@dataclass(frozen=True)
class CapacityStep:
    """Capacity added at a time (years since start) to an area index or ``UPSTREAM``."""

    time: float
    area: int
    add_mw: float


@dataclass(frozen=True)
class Reclaim:
    """A mechanism that takes back part of connected users' MW at ``times`` (years).

    At each time, every user first connected by the matching time of ``due`` (in ``area``, or
    any area if None) and not reviewed before is reviewed once: those for whom ``takes_part``
    holds give up ``mw_share`` of the MW they hold. ``due`` says how long a user must have
    been connected, worked out per review by the calendar
    (:meth:`sim.inputs.scenario.CapacityRelease.connected_by`): the engine knows no dates.
    """

    times: list[float]
    area: int | None
    takes_part: np.ndarray
    mw_share: float
    due: list[float]
    """Per review time, the latest first connection it finds connected long enough."""
    existing_freed_mw: float = 0.0
    """MW released at the first review by users connected before the run, who are no applicant
    of it: booked as a capacity step, and counted with the MW taken back
    (:func:`sim.runs.replication.freed_mw`)."""

    @property
    def shortest_lookback(self) -> float:
        """The least time from a connection to a review that finds it (years; inf: no review).

        A connection that ends sooner is never reviewed by this mechanism.
        """
        return min((t - d for t, d in zip(self.times, self.due, strict=True)),
                   default=math.inf)


class CapacityLedger:
    """Capacity and connected MW of each area and of the shared upstream limit (if any).

    A connection counts against its own area and against the upstream limit, so the capacity
    free to an area is the smaller of the two. ``free_mw[area]`` holds it, kept up to date by
    every change: the allocation pass reads it for each candidate, and a list lookup costs
    less than working it out each time.
    """

    def __init__(self, area_capacity_mw: list[float], upstream_capacity_mw: float | None) -> None:
        self.capacity_mw = list(area_capacity_mw)
        self.connected_mw = [0.0] * len(area_capacity_mw)
        self.upstream_capacity_mw = math.inf if upstream_capacity_mw is None \
            else upstream_capacity_mw
        self.upstream_connected_mw = 0.0
        self.has_upstream = upstream_capacity_mw is not None
        """Whether a shared upstream limit applies."""
        self.free_mw = [0.0] * len(area_capacity_mw)
        """Capacity a new connection in each area may take: the area's and upstream's minimum."""
        self._update_free()

    def area_free_mw(self, area: int) -> float:
        """Free capacity of the area itself (``UPSTREAM`` for the upstream limit)."""
        if area == UPSTREAM:
            return self.upstream_capacity_mw - self.upstream_connected_mw
        return self.capacity_mw[area] - self.connected_mw[area]

    def connect(self, area: int, mw: float) -> None:
        """Book a new connection of ``mw`` in ``area``."""
        self.connected_mw[area] += mw
        if self.has_upstream:
            self.upstream_connected_mw += mw
            self._update_free()
        else:  # speed: only this area's free capacity changes
            self.free_mw[area] = self.capacity_mw[area] - self.connected_mw[area]

    def release(self, area: int, mw: float) -> None:
        """A connection of ``mw`` in ``area`` ends and frees its capacity."""
        self.connected_mw[area] -= mw
        if self.has_upstream:
            self.upstream_connected_mw -= mw
            self._update_free()
        else:
            self.free_mw[area] = self.capacity_mw[area] - self.connected_mw[area]

    def add(self, area: int, mw: float) -> None:
        """An upgrade adds ``mw`` to ``area`` (or to the upstream limit)."""
        if area == UPSTREAM:
            self.upstream_capacity_mw += mw
        else:
            self.capacity_mw[area] += mw
        self._update_free()

    def _update_free(self) -> None:
        """Work out every area's free capacity again (after a change upstream, say)."""
        shared = self.upstream_capacity_mw - self.upstream_connected_mw
        for area, capacity in enumerate(self.capacity_mw):
            own = capacity - self.connected_mw[area]
            self.free_mw[area] = own if own <= shared else shared  # min() costs a call
