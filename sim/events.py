"""The event calendar: SimPy's environment, with callbacks scheduled at exact times.

The model needs no SimPy process per applicant: an arrival, a withdrawal or the end of a
connection is one scheduled callback, which keeps a replication of a hundred thousand applicants
fast. Events are ordered by (time, priority, insertion order); the priorities below make the
allocation pass run after every other event of the same instant, and the timeseries snapshot
after that.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL

__all__ = ["ALLOCATE", "Calendar", "NORMAL", "SNAPSHOT"]

ALLOCATE = NORMAL + 1
"""Allocation runs once all arrivals, withdrawals, releases and upgrades of an instant are in."""

SNAPSHOT = NORMAL + 2
"""Timeseries snapshots see the state after that instant's allocation."""


class Calendar(simpy.Environment):
    """A SimPy environment that also schedules a callback at an exact absolute time."""

    def call_at(
        self,
        time: float,
        callback: Callable[[simpy.Event], None],
        value: Any = None,
        priority: int = NORMAL,
    ) -> None:
        """Run ``callback(event)`` at ``time``; ``event.value`` is ``value``.

        SimPy only schedules by delay (``now + delay``), and that float sum can miss a planned
        date by one ulp, which would split events meant to be simultaneous. So the event is
        put on SimPy's own queue at the exact time, just as ``Environment.schedule`` does.
        """
        if time < self._now:
            raise ValueError(f"cannot schedule at {time}, before now ({self._now})")
        event = simpy.Event(self)
        event._ok = True
        event._value = value
        event.callbacks.append(callback)  # type: ignore[union-attr]
        heappush(self._queue, (time, priority, next(self._eid), event))
