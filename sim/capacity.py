"""The capacity ledger: capacity and connected MW per area and upstream. Pure bookkeeping."""

from __future__ import annotations

import math

__all__ = ["UPSTREAM", "CapacityLedger", "FIT_TOLERANCE_MW"]

UPSTREAM = -1
"""Area index that stands for the shared upstream limit."""

FIT_TOLERANCE_MW = 1e-9
"""A request fits if it exceeds the free capacity by no more than this (rounding of sums)."""


class CapacityLedger:
    """Capacity and connected MW of each area and of the shared upstream limit (if any).

    A connection counts against its own area and against the upstream limit, so the capacity
    free to an area is the smaller of the two.
    """

    def __init__(self, area_capacity_mw: list[float], upstream_capacity_mw: float | None) -> None:
        self.capacity_mw = list(area_capacity_mw)
        self.connected_mw = [0.0] * len(area_capacity_mw)
        self.upstream_capacity_mw = math.inf if upstream_capacity_mw is None \
            else upstream_capacity_mw
        self.upstream_connected_mw = 0.0

    @property
    def has_upstream(self) -> bool:
        """Whether a shared upstream limit applies."""
        return self.upstream_capacity_mw != math.inf

    def free_mw(self, area: int) -> float:
        """Capacity a new connection in ``area`` may take: the area's and upstream's minimum."""
        own = self.capacity_mw[area] - self.connected_mw[area]
        shared = self.upstream_capacity_mw - self.upstream_connected_mw
        return own if own <= shared else shared  # min() costs a call on the hot path

    def area_free_mw(self, area: int) -> float:
        """Free capacity of the area itself (``UPSTREAM`` for the upstream limit)."""
        if area == UPSTREAM:
            return self.upstream_capacity_mw - self.upstream_connected_mw
        return self.capacity_mw[area] - self.connected_mw[area]

    def connect(self, area: int, mw: float) -> None:
        """Book a new connection of ``mw`` in ``area``."""
        self.connected_mw[area] += mw
        self.upstream_connected_mw += mw

    def release(self, area: int, mw: float) -> None:
        """A connection of ``mw`` in ``area`` ends and frees its capacity."""
        self.connected_mw[area] -= mw
        self.upstream_connected_mw -= mw

    def add(self, area: int, mw: float) -> None:
        """An upgrade adds ``mw`` to ``area`` (or to the upstream limit)."""
        if area == UPSTREAM:
            self.upstream_capacity_mw += mw
        else:
            self.capacity_mw[area] += mw
